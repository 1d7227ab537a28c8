"""The records behind each item's 计分依据 (evidence_selectors.item_evidence): the right records per
rule kind, never another town's, a fixed number of queries however many records; and the block on the
county's scoring page and the town's self-assessment page."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.catalog import services as catalog_services
from assessment.models import Assessment, CatalogVersion
from assessment.workflow import evidence_selectors, selectors, services
from core import locks
from duties.models import Duty, DutyRecordAttachment, DutySheetEntry
from offices.choices import PlanKind, PostedRuleKind
from offices.models import InternalCheck, OfficeYearFacts, Plan, PostedRule
from staffing.choices import EmploymentType, Post, TrainingKind, TrainingLevel
from staffing.models import DirectorProbation, TrainingAttendance, TrainingEvent
from tests import factories
from tests.evidence_samples import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db
YEAR = 2010


@pytest.fixture
def year(world):
    programme = catalog_services.programme_create(
        actor=world.city, name="规范化建设三年行动", start_year=YEAR
    )
    return services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
    )


def _assessment(office) -> Assessment:
    return selectors.assessment_for(office=office, year=YEAR)


def _evidence(office) -> dict[str, evidence_selectors.Evidence]:
    assessment = _assessment(office)
    return evidence_selectors.item_evidence(assessment, selectors.score_sheet(assessment).scores)


def _texts(evidence: evidence_selectors.Evidence) -> list[str]:
    return [e.text for e in evidence.entries]


def _photo(record, field: str, name: str = "p.jpg") -> None:
    getattr(record, field).save(name, ContentFile(jpeg_bytes()))


def _staff(office, n: int, prefix: str) -> None:
    for i in range(n):
        factories.staff(office, name=f"{prefix}{i:02d}")


# -- per rule kind -------------------------------------------------------------------------------------


def test_staffing_lists_the_full_time_staff_in_post_and_the_population(world, year):
    factories.staff(world.office_a, name="专职甲")
    factories.staff(world.office_a, name="兼职乙", is_full_time=False)
    factories.staff(world.office_a, name="已离岗", ended_on=dt.date(2009, 6, 30))
    factories.staff(world.office_b, name="别镇专职")
    OfficeYearFacts.objects.create(office=world.office_a, year=YEAR, service_population=28000)
    found = _evidence(world.office_a)["B1"]
    texts = " ".join(_texts(found))
    assert "专职甲" in texts and "服务人口 28,000" in texts
    assert "兼职乙" not in texts and "已离岗" not in texts and "别镇专职" not in texts
    assert found.list_url == reverse("staffing:staff_list", args=[world.office_a.town.code]) + f"?year={YEAR}"


def test_civil_servants_training_and_probation(world, year):
    director = factories.staff(world.office_a, name="主任甲", post=Post.DIRECTOR)
    factories.staff(
        world.office_a, name="事业乙", post=Post.STAFF, employment_type=EmploymentType.INSTITUTION
    )
    factories.staff(world.office_b, name="别镇公务员")
    event = TrainingEvent.objects.create(
        level=TrainingLevel.COUNTY,
        county=world.office_a.town.county,
        kind=TrainingKind.PERIODIC,
        title="年度培训",
        starts_on=dt.date(YEAR, 4, 1),
        ends_on=dt.date(YEAR, 4, 2),
    )
    TrainingAttendance.objects.create(event=event, staff=director)
    DirectorProbation.objects.create(
        staff=director, starts_on=dt.date(2008, 1, 1), ends_on=dt.date(2008, 3, 1), place="县民政局"
    )
    found = _evidence(world.office_a)
    assert [t.split(" · ")[0] for t in _texts(found["B2"])] == ["主任甲"]
    notes = {e.text.split(" · ")[0]: e.note for e in found["B3"].entries}
    assert notes == {"主任甲": "当年参训 1 次", "事业乙": "当年未参训"}
    assert [e.note for e in found["B4"].entries] == ["任前见习 2008年1月1日至2008年3月1日,县民政局"]


def test_premises_emblem_and_checklists_show_the_premises_record_with_its_photos(world, year):
    place = factories.premises(world.office_a)
    place.equipment = ["desks"]
    place.save()
    _photo(place, "photo")
    _photo(place, "emblem_photo")
    factories.premises(world.office_b)
    found = _evidence(world.office_a)
    [premises] = found["C1"].entries
    assert [(f.label, f.pk, f.field) for f in premises.files] == [("offices.premises", place.pk, "photo")]
    assert premises.files[0].preview_url == reverse(
        "evidence_preview", args=["offices.premises", place.pk, "photo"]
    )
    assert [f.field for f in found["C3"].entries[0].files] == ["emblem_photo"]
    assert found["C2"].entries[0].text == "已配备办公服务用品:办公桌椅"


def test_posted_rules_show_the_photo_of_their_own_kind(world, year):
    duties = PostedRule.objects.create(office=world.office_a, year=YEAR, kind=PostedRuleKind.OFFICE_DUTIES)
    _photo(duties, "photo")
    PostedRule.objects.create(office=world.office_a, year=YEAR - 1, kind=PostedRuleKind.POST_DUTIES)
    PostedRule.objects.create(office=world.office_b, year=YEAR, kind=PostedRuleKind.POST_DUTIES)
    found = _evidence(world.office_a)
    assert [f.pk for f in found["D1"].entries[0].files] == [duties.pk]
    assert found["D2"].entries == []  # last year's and another town's do not count


def test_plans_sign_and_seal(world, year):
    plan = Plan.objects.create(office=world.office_a, year=YEAR, kind=PlanKind.values[0], title="年度计划")
    plan.document.save("plan.pdf", ContentFile(pdf_bytes()))
    Plan.objects.create(office=world.office_b, year=YEAR, kind=PlanKind.values[0], title="别镇计划")
    office = world.office_a
    _photo(office, "sign_photo")
    found = _evidence(office)
    [entry] = found["A4"].entries
    assert "年度计划" in entry.text and not entry.files[0].is_image and entry.files[0].field == "document"
    assert found["A1"].entries[0].files[0].field == "sign_photo" and found["A1"].entries[0].files[0].is_image
    assert found["A2"].entries[0].files == () and found["A2"].entries[0].note == "未上传照片"


def test_duty_records_count_the_years_records_and_attachments_per_duty(world, year):
    two = Duty.objects.get(number=2)
    record = factories.duty_record(world.office_a, duty=two)
    factories.duty_record(world.office_a, duty=two)
    factories.duty_record(world.office_a, duty=two, date=dt.date(YEAR - 1, 5, 1))
    factories.duty_record(world.office_b, duty=two)
    for name in ("a.jpg", "b.jpg"):
        attachment = DutyRecordAttachment(
            record=record, original_name=name, content_type="image/jpeg", size=10
        )
        attachment.file.save(name, ContentFile(jpeg_bytes()))
    DutySheetEntry.objects.create(
        office=world.office_a,
        duty=Duty.objects.get(number=3),
        not_applicable=True,
        not_applicable_reason="无",
    )
    notes = {e.text.split(" ")[1]: e.note for e in _evidence(world.office_a)["F1"].entries}
    assert notes["2"] == "台账 2 条,附件 2 个"
    assert notes["3"] == "不适用" and notes["1"] == "当年无台账"


def test_internal_checks_are_capped_with_the_total(world, year):
    for day in range(1, 13):
        InternalCheck.objects.create(
            office=world.office_a, checked_on=dt.date(YEAR, 3, day), checked_by="张", scope=f"检查{day}"
        )
    InternalCheck.objects.create(
        office=world.office_b, checked_on=dt.date(YEAR, 3, 1), checked_by="李", scope="别镇"
    )
    found = _evidence(world.office_a)["G1"]
    assert len(found.entries) == evidence_selectors.LIMIT and found.total == 12 and found.more
    assert "别镇" not in " ".join(_texts(found))


def test_the_towns_own_evidence_for_an_item_comes_first(world, year):
    assessment = _assessment(world.office_a)
    score = assessment.scores.get(item__code="B5")
    score.town_evidence.save("own.jpg", ContentFile(jpeg_bytes()))
    [entry] = _evidence(world.office_a)["B5"].entries
    assert (entry.files[0].label, entry.files[0].pk, entry.files[0].field) == (
        "assessment.itemscore",
        score.pk,
        "town_evidence",
    )


def _fill(office, n: int) -> None:
    _staff(office, n, prefix=f"员{n}_")
    for i in range(n):
        factories.duty_record(office, duty=Duty.objects.get(number=1 + i % 14), title=f"台账{n}_{i}")
        InternalCheck.objects.create(
            office=office, checked_on=dt.date(YEAR, 1 + i % 12, 1), checked_by="张", scope=f"查{n}_{i}"
        )


def test_the_selector_costs_the_same_queries_for_2_and_20_records(world, year):
    assessment = _assessment(world.office_a)
    scores = selectors.score_sheet(assessment).scores
    _fill(world.office_a, 2)
    with CaptureQueriesContext(connection) as few:
        evidence_selectors.item_evidence(assessment, scores)
    _fill(world.office_a, 20)
    with CaptureQueriesContext(connection) as many:
        evidence_selectors.item_evidence(assessment, scores)
    assert len(few.captured_queries) == len(many.captured_queries) <= 15


# -- the pages -----------------------------------------------------------------------------------------


def test_the_scoring_page_shows_the_block_with_a_link_and_a_thumbnail(world, year):
    rule = PostedRule.objects.create(office=world.office_a, year=YEAR, kind=PostedRuleKind.OFFICE_DUTIES)
    _photo(rule, "photo")
    services.self_assessment_submit(actor=world.town_a, assessment=_assessment(world.office_a))
    url = reverse("assessment:county_score", args=[YEAR, world.office_a.town.code])
    page = factories.client_for(world.county_a).get(url).content.decode()
    assert 'data-testid="item-evidence"' in page
    assert reverse("evidence_preview", args=["offices.postedrule", rule.pk, "photo"]) in page
    assert reverse("offices:rules", args=[world.office_a.town.code]) + f"?year={YEAR}" in page
    # The thumbnail is served to the inspector by the evidence view's own permission check.
    preview = factories.client_for(world.county_a).get(
        reverse("evidence_preview", args=["offices.postedrule", rule.pk, "photo"])
    )
    assert preview.status_code == 200
    assert factories.client_for(world.county_c).get(url).status_code in (403, 404)


def test_the_self_assessment_page_shows_the_block(world, year):
    factories.staff(world.office_a, name="专职甲")
    url = reverse("assessment:self_assess", args=[YEAR, world.office_a.town.code])
    page = factories.client_for(world.town_a).get(url).content.decode()
    assert 'data-testid="item-evidence"' in page and "专职甲" in page


@pytest.mark.parametrize("name", ["county_score", "self_assess"])
def test_the_pages_cost_the_same_queries_for_2_and_20_records(world, year, name):
    user = world.county_a if name == "county_score" else world.town_a
    _fill(world.office_a, 2)
    if name == "county_score":
        services.self_assessment_submit(actor=world.town_a, assessment=_assessment(world.office_a))
    client = factories.client_for(user)
    url = reverse(f"assessment:{name}", args=[YEAR, world.office_a.town.code])
    few = factories.count_queries(client, url)
    with locks.correcting():  # the submitted year is locked; these tests add records behind it
        _fill(world.office_a, 20)
    assert factories.count_queries(client, url) == few
