"""考核评分表 of one town and year: every item of the year's catalog with its points, the figures it
was scored from, the inspector's score (and the reason of an override), the final points, the town's
note and evidence, the city's spot-check score, the total and result, the visit and inspectors, the
corrections (更正) approved or waiting, with 已更正 on the items whose records were corrected; the PDF
adds the signature and seal blocks."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from assessment.corrections import selectors as corrections
from assessment.standard import scoring
from assessment.workflow import selectors
from core.evidence import EXTENSIONS
from offices.models import Office

from ..choices import AssessmentState, Method, Result, Section, YearState
from ..models import Assessment, CountyResult
from . import ReportError
from .common import today


@dataclass
class SheetItem:
    section: str
    section_label: str
    code: str
    text: str
    points: Decimal
    method: str
    is_veto: bool
    figures: str
    computed: Decimal | None
    inspector: Decimal | None
    override_reason: str
    final: Decimal | None
    not_applicable: bool
    not_applicable_reason: str
    city_points: Decimal | None
    city_note: str
    town_note: str
    evidence: str  # the evidence file's name, "" when none
    corrected: str = ""  # "已更正(更正申请#12)" when an approved correction changed the records it reads

    @property
    def by_records(self) -> bool:
        return self.method == Method.RECORDS


@dataclass
class SheetSection:
    section: str
    label: str
    items: list[SheetItem]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    @property
    def earned(self) -> Decimal:
        return sum((i.final or Decimal(0) for i in self.items if not i.not_applicable), Decimal(0))


@dataclass
class ScoringSheet:
    office: Office
    year: int
    assessment: Assessment
    sections: list[SheetSection]
    total: scoring.Total
    pass_mark: Decimal
    county_state: str
    generated_on: date = field(default_factory=today)
    corrections: list = field(default_factory=list)  # approved and waiting, oldest first

    title = "考核评分表"

    @property
    def items(self) -> list[SheetItem]:
        return [i for s in self.sections for i in s.items]

    @property
    def heading(self) -> str:
        return f"{self.office.town.name}{self.year}年度民政工作规范化建设{self.title}"

    @property
    def county_unit(self) -> str:
        return f"{self.office.town.county.name}民政局"

    @property
    def filename(self) -> str:
        return f"考核评分表_{self.office.town.code}_{self.year}"

    @property
    def confirmed(self) -> bool:
        return self.assessment.assessment_year.state == YearState.CONFIRMED

    @property
    def decided(self) -> bool:
        return self.assessment.state in (AssessmentState.APPROVED, AssessmentState.CONFIRMED)

    @property
    def result_label(self) -> str:
        return Result(self.total.result).label if self.total.result else ""

    @property
    def scaled(self) -> bool:
        return self.total.possible != Decimal(100)


def _evidence_name(score) -> str:
    """What the town attached, in words: the stored name is a content hash, which means nothing on
    paper (and ran off the page)."""
    if not score.town_evidence:
        return ""
    suffix = PurePosixPath(score.town_evidence.name).suffix.lower()
    kind = next((k.label for k, typed in EXTENSIONS.items() if suffix in typed), "文件")
    return f"已上传{kind}"


def scoring_sheet(office: Office, year: int) -> ScoringSheet:
    """The office's scoring sheet of a year; ReportError when the year has no assessment for it.
    An assessment not yet frozen shows the points the office's records give today, as its page does
    (computed in memory: a report writes nothing); a confirmed one shows its frozen scores. A fixed
    number of queries."""
    assessment = selectors.assessment_for(office=office, year=year)
    if assessment is None:
        raise ReportError(f"{office.town.name}没有{year}年度的考核。")
    sheet = selectors.score_sheet(assessment)
    filed = corrections.assessment_corrections(assessment)
    marks = corrections.corrected_rules(filed)
    labels = dict(Section.choices)
    sections: dict[str, SheetSection] = {}
    for score in sheet.scores:
        item = score.item
        group = sections.setdefault(
            item.section, SheetSection(item.section, labels.get(item.section, ""), [])
        )
        group.items.append(
            SheetItem(
                section=item.section,
                section_label=group.label,
                code=item.code,
                text=item.text,
                points=item.points,
                method=item.method,
                is_veto=item.is_veto,
                figures=score.figures if item.method == Method.RECORDS else "",
                computed=score.computed_points,
                inspector=score.inspector_points,
                override_reason=score.override_reason,
                final=score.final_points,
                not_applicable=score.not_applicable,
                not_applicable_reason=score.not_applicable_reason,
                city_points=score.city_points if assessment.city_scored_at else None,
                city_note=score.city_note if assessment.city_scored_at else "",
                town_note=score.town_note,
                evidence=_evidence_name(score),
                corrected=_corrected(marks.get(item.rule, [])),
            )
        )
    result = CountyResult.objects.filter(
        assessment_year_id=assessment.assessment_year_id, county_id=office.town.county_id
    ).first()
    return ScoringSheet(
        office=office,
        year=year,
        assessment=assessment,
        sections=list(sections.values()),
        total=sheet.total,
        pass_mark=assessment.assessment_year.catalog.pass_mark,
        county_state=result.get_state_display() if result else "",
        corrections=filed,
    )


def _corrected(approved: list) -> str:
    if not approved:
        return ""
    return "已更正(" + "、".join(f"更正申请#{c.pk}" for c in approved) + ")"
