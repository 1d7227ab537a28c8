"""Free text has a length limit the database keeps (core/text.py): a write past it is refused
whichever way it comes (a save, an update, a form), nothing is written, and a refusal that reaches
the middleware is a Chinese 400, not the 409 of a simultaneous save nor a 500.

Run on both databases: on SQLite the `_len` check constraints refuse every too-long text; on
PostgreSQL they refuse a TextField's, and a varchar refuses a CharField's first (DataError)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse

from core.text import CONTENT, NOTE, clip, length_limits
from duties.forms import DutyRecordForm
from duties.models import DutyRecord
from portal.middleware import WriteRefusalMiddleware
from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db

HUGE = "字" * 100_000  # what was once stored in a TextField


def _too_long_char_error():
    """What the database raises for a too-long CharField: PostgreSQL's varchar refuses it before
    the check constraint is reached."""
    return DataError if connection.vendor == "postgresql" else IntegrityError


def _refused(record: DutyRecord, **values) -> Exception:
    """Save `record` with `values` directly through the ORM and return what the database raised."""
    for name, value in values.items():
        setattr(record, name, value)
    with pytest.raises((IntegrityError, DataError)) as refused, transaction.atomic():
        record.save()
    return refused.value


# -- the database refuses ---------------------------------------------------------------------------


def test_a_too_long_text_field_is_refused_by_the_database(world):
    record = helpers.record(world.office_a)
    error = _refused(record, content="字" * (CONTENT + 1))
    assert isinstance(error, IntegrityError)
    assert "duties_dutyrecord_content_len" in str(error)
    record.refresh_from_db()
    assert record.content == "入户核查。"


def test_a_text_at_the_limit_is_kept_whole(world):
    record = helpers.record(world.office_a, content="字" * CONTENT)
    record.refresh_from_db()
    assert len(record.content) == CONTENT


def test_an_update_past_the_forms_is_refused_too(world):
    record = helpers.record(world.office_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyRecord.objects.filter(pk=record.pk).update(content=HUGE)
    record.refresh_from_db()
    assert record.content == "入户核查。"


def test_a_too_long_char_field_is_refused_by_the_database(world):
    record = helpers.record(world.office_a)
    title = record.title
    error = _refused(record, title="标" * 201)
    assert isinstance(error, _too_long_char_error())
    record.refresh_from_db()
    assert record.title == title


# -- the form refuses first, beside the field ---------------------------------------------------------


def test_the_form_refuses_100000_characters_with_a_chinese_error(world):
    data = {"duty": helpers.duty(3).pk, "date": "2010-08-01", "title": "八一走访", "content": HUGE}
    form = DutyRecordForm(data=data, instance=DutyRecord(office=world.office_a))
    assert not form.is_valid()
    assert list(form.errors) == ["content"]
    (message,) = form.errors["content"]
    # Plain words (core/forms.py), not Django's 确保该变量包含不超过 5000 字符.
    assert message == f"“工作内容”最多 {CONTENT} 个字,现有 100000 个,请删减后再保存。"
    assert form.fields["content"].widget.attrs["maxlength"] == str(CONTENT)


def test_the_record_page_refuses_100000_characters_and_writes_nothing(world):
    client = factories.client_for(world.town_a)
    before = DutyRecord.objects.count()
    response = client.post(
        reverse("duties:record_create", args=[world.office_a.town.code]),
        {"duty": helpers.duty(3).pk, "date": "2010-08-01", "title": "八一走访", "content": HUGE},
    )
    assert response.status_code == 200
    (message,) = helpers.field_errors(response, "content")
    assert str(CONTENT) in message
    assert DutyRecord.objects.count() == before


# -- a refusal that reaches the middleware ------------------------------------------------------------


def _answer(world, rf, error: Exception):
    request = rf.post("/duties/", HTTP_REFERER="http://testserver/duties/")
    request.user = world.town_a
    return WriteRefusalMiddleware(lambda r: None).process_exception(request, error)


@pytest.mark.parametrize(("field", "value"), [("content", "字" * (CONTENT + 1)), ("title", "标" * 201)])
def test_a_too_long_write_answers_a_chinese_400(world, rf, field, value):
    error = _refused(helpers.record(world.office_a), **{field: value})
    response = _answer(world, rf, error)
    assert response.status_code == 400
    html = response.content.decode()
    assert "填写的内容过长,未保存" in html
    assert "没有保存" in html
    assert "他人" not in html  # not the page of a simultaneous save


def test_another_constraint_keeps_the_409_of_a_simultaneous_save(world, rf):
    first = helpers.record(world.office_a)
    second = helpers.record(world.office_a)
    error = _refused(second, title=first.title)  # once per office, duty, date and title
    response = _answer(world, rf, error)
    assert response.status_code == 409
    assert "资料已由他人同时保存" in response.content.decode()


# -- the helpers ---------------------------------------------------------------------------------------


def test_length_limits_names_each_constraint_by_model_and_field():
    constraints = length_limits("duties_dutyrecord", title=200, content=CONTENT)
    assert [c.name for c in constraints] == ["duties_dutyrecord_title_len", "duties_dutyrecord_content_len"]
    assert "200 个字" in constraints[0].violation_error_message


def test_length_limits_refuses_a_name_postgresql_would_cut():
    with pytest.raises(ImproperlyConfigured):
        length_limits("assessment_" + "x" * 50, comment=NOTE)


def test_clip_cuts_composed_text_to_fit():
    assert clip("短", 10) == "短"
    assert clip("一二三四五", 3) == "一二…"
    assert clip("一二三四五", 3, keep_end=True) == "…四五"
    assert len(clip("字" * (NOTE + 50), NOTE)) == NOTE


def test_an_import_refuses_a_cell_over_the_limit_as_a_problem_of_its_row(world):
    from tests.core.spreadsheets import helpers as sheets

    client = factories.client_for(world.town_a)
    url = reverse("duties:record_import", args=[world.office_a.town.code])
    rows = [["日期", "职责", "标题", "工作内容"], ["2010-08-01", "3", "八一走访", HUGE]]
    _, preview = sheets.submit(client, url, sheets.csv_bytes(rows), "台账.csv")
    assert ("第 2 行", "工作内容(D 列)", f"不能超过 {CONTENT} 个字(现有 100000 个)。") in sheets.problems(
        preview
    )
    assert not DutyRecord.objects.exists()
