"""以奖代补资金汇总表 of one county and year: each town with its score, result, whether it is
standardized for the first time, the city's award and the county's matching, totals, and the
county's progress toward every town standardized by the programme's end.

Money comes from assessment.subsidies.ledger: a paid part as it was paid, otherwise what the town is
due from the confirmed years. The city's award and the county's matching are paid separately, so each
row shows both paid states, each with its date and document number (文号). A year not yet confirmed
shows its scores as they stand and no money: nothing is due before the city confirms the results."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assessment.choices import DECIDED_STATES
from assessment.standard.progress import Progress
from assessment.standard.standardized import first_passes
from assessment.subsidies import amounts
from assessment.subsidies.selectors import standard_text
from offices.models import County, Office

from ..choices import AssessmentState, Result, YearState
from ..models import Assessment, AssessmentYear, CountyMatching, Programme
from .common import assessment_year, today

ZERO = Decimal("0.00")


class Status:
    """Where a town stands this year, as the report's 达标情况 column says it."""

    NEW = "本年度首次达标"
    EARLIER = "已达标"  # prefixed with the year: 2010年已达标
    NOT_YET = "未达标"
    PENDING = "合格,待市局确认"
    NOT_ASSESSED = "未参加考核"


@dataclass
class AwardRow:
    """One town of the report."""

    number: int
    code: str
    name: str
    kind: str
    total: Decimal | None
    result: str  # Result value, "" while undecided
    result_label: str
    state_label: str
    status: str
    first_year: int | None
    city_amount: Decimal | None  # None: nothing due this year
    county_amount: Decimal | None
    basis: str = ""
    paid: bool = False  # the city's award (市级奖补已拨付)
    paid_on: date | None = None
    document_no: str = ""
    county_paid: bool = False  # the county's matching (县级配套已拨付)
    county_paid_on: date | None = None
    county_document_no: str = ""

    @property
    def amount(self) -> Decimal | None:
        if self.city_amount is None and self.county_amount is None:
            return None
        return (self.city_amount or ZERO) + (self.county_amount or ZERO)

    @property
    def is_new(self) -> bool:
        return self.status == Status.NEW


@dataclass
class AwardTotals:
    towns: int = 0
    assessed: int = 0  # decided (approved or confirmed) assessments
    passed: int = 0  # 合格 this year
    new: int = 0  # standardized for the first time this year
    city_amount: Decimal = ZERO
    county_amount: Decimal = ZERO
    city_paid_amount: Decimal = ZERO  # 市级奖补已拨付
    city_paid_count: int = 0
    county_paid_amount: Decimal = ZERO  # 县级配套已拨付
    county_paid_count: int = 0

    @property
    def amount(self) -> Decimal:
        return self.city_amount + self.county_amount

    @property
    def paid_amount(self) -> Decimal:
        return self.city_paid_amount + self.county_paid_amount

    @property
    def unpaid_amount(self) -> Decimal:
        return self.amount - self.paid_amount


@dataclass
class AwardReport:
    county: County
    year: int
    programme: Programme
    confirmed: bool
    rows: list[AwardRow]
    totals: AwardTotals
    progress: Progress
    standard_text: str
    matching_text: str
    generated_on: date = field(default_factory=today)

    title = "以奖代补资金汇总表"

    @property
    def heading(self) -> str:
        return f"{self.county.name}{self.year}年度镇(街道)民政工作规范化建设{self.title}"

    @property
    def filename(self) -> str:
        return f"以奖代补资金汇总表_{self.county.code}_{self.year}"


def matching_text(programme: Programme, county: County) -> str:
    matching = CountyMatching.objects.filter(programme=programme, county=county).first()
    if matching is None:
        return f"县级配套:{amounts.NO_MATCHING_BASIS}"
    rule = amounts.Matching(matching.kind, matching.amount, matching.share)
    return f"县级配套:{rule.basis}"


def _row(number: int, office: Office, assessment: Assessment | None, entry, first_year, year: int, confirmed):
    decided = assessment is not None and assessment.state in DECIDED_STATES
    result = assessment.result if decided else ""
    row = AwardRow(
        number=number,
        code=office.town.code,
        name=office.town.name,
        kind=office.town.kind,
        total=assessment.total if decided else None,
        result=result,
        result_label=Result(result).label if result else "",
        state_label=AssessmentState(assessment.state).label if assessment else "",
        status=Status.NOT_ASSESSED,
        first_year=first_year,
        city_amount=None,
        county_amount=None,
    )
    if first_year is not None and first_year < year:
        row.status = f"{first_year}年{Status.EARLIER}"
    elif assessment is None:
        row.status = Status.NOT_ASSESSED
    elif not confirmed:
        # Until the city confirms the year nothing is final: a pass awaits confirmation, a town not
        # yet decided shows where its assessment is.
        if not decided:
            row.status = row.state_label
        else:
            row.status = Status.PENDING if result == Result.PASS else Status.NOT_YET
    elif first_year == year:
        row.status = Status.NEW
    else:
        row.status = Status.NOT_YET
    if entry is not None and entry.year == year and confirmed:
        row.city_amount, row.county_amount = entry.city_amount, entry.county_amount
        row.basis = f"{entry.city_basis};配套{entry.county_basis}"
        row.paid, row.paid_on, row.document_no = entry.paid, entry.paid_on, entry.document_no
        row.county_paid = entry.county_paid
        row.county_paid_on, row.county_document_no = entry.county_paid_on, entry.county_document_no
    return row


def award_report(county: County, year: int) -> AwardReport:
    """The county's award-subsidy report of a year: every town of the county, in code order. A fixed
    number of queries, whatever the number of towns."""
    opened: AssessmentYear = assessment_year(year)
    programme = opened.programme
    confirmed = opened.state == YearState.CONFIRMED
    offices = list(Office.objects.filter(town__county=county).select_related("town").order_by("town__code"))
    office_ids = [o.pk for o in offices]
    assessments = {
        a.office_id: a
        for a in Assessment.objects.filter(assessment_year=opened, office_id__in=office_ids).only(
            "id", "office_id", "state", "total", "result"
        )
    }
    entries = amounts.ledger(programme, office_ids=office_ids)
    # First year each town was 合格 in a confirmed year of the programme up to this one.
    first_years = {
        office_id: first.year
        for office_id, first in first_passes(programme, up_to=year, office_ids=office_ids).items()
    }
    rows = [
        _row(
            i,
            office,
            assessments.get(office.pk),
            entries.get(office.pk),
            first_years.get(office.pk),
            year,
            confirmed,
        )
        for i, office in enumerate(offices, start=1)
    ]
    totals = AwardTotals(towns=len(rows))
    for row in rows:
        totals.assessed += int(row.result != "")
        totals.passed += int(row.result == Result.PASS)
        totals.new += int(row.is_new)
        totals.city_amount += row.city_amount or ZERO
        totals.county_amount += row.county_amount or ZERO
        if row.paid:
            totals.city_paid_amount += row.city_amount or ZERO
            totals.city_paid_count += 1
        if row.county_paid:
            totals.county_paid_amount += row.county_amount or ZERO
            totals.county_paid_count += 1
    progress = Progress(
        standardized=len(first_years),
        towns=len(rows),
        year=year,
        start_year=programme.start_year,
        end_year=programme.end_year,
    )
    return AwardReport(
        county=county,
        year=year,
        programme=programme,
        confirmed=confirmed,
        rows=rows,
        totals=totals,
        progress=progress,
        standard_text=standard_text(programme),
        matching_text=matching_text(programme, county),
    )
