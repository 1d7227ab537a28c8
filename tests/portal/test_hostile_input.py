"""Hostile input (portal/input_middleware.py): NUL and other control characters in the path, the
query, a form and the headers; bodies over the limits; the error pages in Chinese. Each case answers
alike on SQLite and PostgreSQL (which refuses NUL in text): 400 or the page as if the character was not
typed, never 500, and nothing with a control character is written."""

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core.dates import BIRTH, CAREER, WORK
from duties.models import DutyRecordAttachment
from portal import input_middleware
from portal.models import SecurityEvent, User
from portal.views import PortalLoginView
from tests import factories
from tests.core.spreadsheets import helpers as sheets
from tests.duties import helpers
from tests.portal.test_accounts import _form  # the account form a city user fills in
from tests.staffing import helpers as staffing_helpers
from tests.staffing.helpers import staff_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_debug_off")]

LOGIN = reverse("login")
USERS = reverse("portal:user_list")
NEW_USER = reverse("portal:user_create")


@pytest.fixture
def _debug_off():
    # What production answers: the error handlers, not Django's debug pages.
    with override_settings(DEBUG=False):
        yield


def row_counts() -> dict[str, int]:
    """The number of rows of every table the portal keeps (sessions aside: a login writes one)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label != "sessions.Session"
    }


def assert_chinese_400(response, *words: str) -> str:
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求无法处理" in body
    assert "Bad Request" not in body
    for word in words:
        assert word in body
    return body


# --- The path -------------------------------------------------------------------------------------

HOSTILE_PATHS = [
    "/offices/%00/",
    "/offices/330402007%00/",
    "/offices/%01/",
    "/offices/a%0Ab/",
    "/offices/a%0Db/",
    "/offices/a%09b/",
    "/offices/a%7Fb/",
    "/offices/a%C2%85b/",  # U+0085, a C1 control
    "/offices/counties/%00/",
    "/history/offices.office/1%00/",
    "/files/duties.dutyrecordattachment/1/file%00/",
    "/accounts/login/%00",
    "/static/css/portal.css%00",
    "/%00",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
@pytest.mark.parametrize("who", ["town_a", "county_a", "city", None])
def test_a_control_character_in_the_path_answers_the_chinese_400_and_writes_nothing(world, path, who):
    client = factories.client_for(getattr(world, who) if who else None)
    before = row_counts()
    response = client.get(path)
    assert_chinese_400(response, "网址中含有不允许的控制字符")
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/offices/%00/", "/accounts/login/%00"])
def test_a_post_to_a_path_with_a_control_character_writes_nothing(world, path):
    client = factories.client_for(world.town_a)
    before = row_counts()
    response = client.post(path, {"username": "x", "password": "y"})
    assert_chinese_400(response)
    assert row_counts() == before


def test_the_request_log_never_writes_a_raw_control_character(world):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    request_log = logging.getLogger("portal.request")
    request_log.addHandler(handler)
    old_level = request_log.level
    request_log.setLevel(logging.INFO)
    try:
        factories.client_for(world.town_a).get("/offices/a%0Ab%00/")
    finally:
        request_log.removeHandler(handler)
        request_log.setLevel(old_level)
    lines = [record.getMessage() for record in records]
    assert any("\\x0a" in line and "\\x00" in line for line in lines)
    assert not any(input_middleware.CONTROL.search(line) for line in lines)


def test_a_percent_sign_that_is_not_a_control_character_is_an_ordinary_404(world):
    # "%2500" is the text "%00": no control character, the door's ordinary answer.
    response = factories.client_for(world.town_a).get("/offices/%2500/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


# --- The query string -----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["%00", "\x00", "%01%1F", "镇%00", "%0A", "%7F"])
def test_a_search_with_control_characters_finds_what_its_visible_text_finds(world, query):
    county = world.office_a.town.county
    url = reverse("offices:county_detail", args=[county.code])
    client = factories.client_for(world.county_a)
    visible = "镇" if "镇" in query else ""
    expected = client.get(url, {"q": visible})
    before = row_counts()
    response = client.get(f"{url}?q={query}")
    assert response.status_code == 200
    assert [o.pk for o in response.context["rows"]] == [o.pk for o in expected.context["rows"]]
    assert response.context["query"] == visible
    assert row_counts() == before


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b&page=%00", "q=%00zhang"])
def test_the_user_list_search_strips_control_characters(world, query):
    client = factories.client_for(world.city)
    response = client.get(f"{USERS}?{query}")
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_the_query_string_is_rewritten_without_the_control_characters():
    seen = {}

    def view(request):
        seen["GET"] = request.GET
        seen["full_path"] = request.get_full_path()
        return None

    middleware = input_middleware.HostileInputMiddleware(view)
    middleware(RequestFactory().get("/offices/?q=%E9%95%87%00&page=2%01"))
    assert seen["GET"]["q"] == "镇" and seen["GET"]["page"] == "2"
    assert "%00" not in seen["full_path"] and "%01" not in seen["full_path"]
    assert seen["GET"]._mutable is False


@pytest.mark.parametrize("query", ["%00=1", "q%00=1", "a%0Ab=1"])
def test_a_control_character_in_a_parameter_name_answers_400(world, query):
    client = factories.client_for(world.city)
    before = row_counts()
    response = client.get(f"{USERS}?{query}")
    assert_chinese_400(response, "字段名中含有不允许的控制字符")
    assert row_counts() == before


# --- Forms ----------------------------------------------------------------------------------------


def test_a_form_value_is_stored_without_its_control_characters(world):
    client = factories.client_for(world.city)
    response = client.post(
        NEW_USER,
        _form(username="zhang\x00_san\x1b", full_name="张\x00三\x7f", office=world.office_b.pk),
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhang_san")
    assert user.full_name == "张三"


def test_a_form_key_with_a_control_character_answers_400_and_writes_nothing(world):
    client = factories.client_for(world.city)
    before = row_counts()
    data = _form(office=world.office_b.pk)
    data["username\x00"] = "other"
    response = client.post(NEW_USER, data)
    assert_chinese_400(response, "字段名中含有不允许的控制字符")
    assert row_counts() == before
    assert not User.objects.filter(username="zhang_san").exists()


def test_a_text_area_keeps_its_tabs_and_line_breaks(world):
    seen = {}

    def view(request):
        seen["POST"] = request.POST
        return None

    middleware = input_middleware.HostileInputMiddleware(view)
    middleware(
        RequestFactory().post("/x/", {"content": "第一行\r\n\t第二行\x00\x0b\x0c", "title": "标\x00题"})
    )
    assert seen["POST"]["content"] == "第一行\r\n\t第二行"
    assert seen["POST"]["title"] == "标题"


@pytest.mark.parametrize("username", ["\x00", "town_a\x00", "\x00' OR 1=1 --", "a\x01\x02b"])
def test_a_login_with_control_characters_is_an_ordinary_failure(world, username):
    response = Client().post(LOGIN, {"username": username, "password": "wrong"})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()
    assert not AccessAttempt.objects.filter(username__contains="\x01").exists()
    for attempt in AccessAttempt.objects.all():
        assert not input_middleware.CONTROL.search(attempt.username or "")


def test_a_login_with_a_stray_nul_signs_in_as_the_visible_name(world):
    world.town_a.set_password("Minzheng-2010!")
    world.town_a.save()
    response = Client().post(LOGIN, {"username": "town_a\x00", "password": "Minzheng-2010!"})
    assert response.status_code == 302


def test_control_characters_in_headers_and_cookies_are_not_a_server_error(world):
    client = Client(HTTP_USER_AGENT="Mozilla\x00/5.0\x01", HTTP_REFERER="http://testserver/\x00")
    client.cookies["sessionid"] = "abc\x00defghijklmnop"
    response = client.post(LOGIN, {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    for attempt in AccessAttempt.objects.all():
        assert "\x00" not in attempt.user_agent
    assert client.get(USERS).status_code == 302  # to the login page: no session from that cookie


def test_a_security_event_is_never_written_with_a_control_character(world):
    # The door logs a refusal with what was asked: the control character never gets that far.
    client = factories.client_for(world.town_a)
    client.get("/offices/%00/")
    client.get(f"{reverse('offices:county_detail', args=[world.office_c.town.county.code])}?q=%00")
    for event in SecurityEvent.objects.all():
        for field in event._meta.concrete_fields:
            value = getattr(event, field.attname)
            assert not (isinstance(value, str) and "\x00" in value)


# --- Dates out of range: one policy for forms and imports (core/dates.py) -------------------------


def _office_url(world, name: str) -> str:
    return reverse(name, args=[world.office_a.town.code])


HOSTILE_DATES = [
    # (form, field, what is posted besides, the date, the rule's kind)
    ("duties:record_create", "date", {"duty": "3", "title": "走访", "version": ""}, "0001-01-01", WORK),
    ("offices:check_create", "checked_on", {"checked_by": "镇里", "scope": "台账"}, "0001-01-01", WORK),
    ("staffing:staff_create", "birth_date", staff_payload(), "0001-01-01", BIRTH),
    ("staffing:staff_create", "started_on", staff_payload(), "9999-12-31", CAREER),
]


@pytest.mark.parametrize(("name", "field", "data", "day", "rule"), HOSTILE_DATES)
def test_a_form_refuses_a_date_outside_the_policy_and_writes_nothing(world, name, field, data, day, rule):
    from duties.models import Duty

    if name == "duties:record_create":
        data = {**data, "duty": Duty.objects.get(number=3).pk}
    client = factories.client_for(world.town_a)
    before = row_counts()
    response = client.post(_office_url(world, name), {**data, field: day})
    assert response.status_code == 200
    message = rule.problem(dt.date.fromisoformat(day))
    assert message in response.context["form"].errors[field]
    assert row_counts() == before


def test_a_training_in_the_year_9999_is_refused(world):
    client = factories.client_for(world.county_a)
    before = row_counts()
    response = client.post(
        reverse("staffing:training_create"), staffing_helpers.event_payload(ends_on="9999-12-31")
    )
    assert response.status_code == 200
    assert WORK.problem(dt.date(9999, 12, 31)) in response.context["form"].errors["ends_on"]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("url_name", "header", "row", "column", "day", "rule"),
    [
        (
            "duties:record_import",
            ["日期", "职责", "标题"],
            ["0001-01-01", "2", "走访"],
            "日期(A 列)",
            "0001-01-01",
            WORK,
        ),
        (
            "staffing:staff_import",
            sheets.STAFF_HEADER,
            sheets.staff_row(出生日期="0001-01-01"),
            "出生日期(C 列)",
            "0001-01-01",
            BIRTH,
        ),
        (
            "staffing:staff_import",
            sheets.STAFF_HEADER,
            sheets.staff_row(到岗日期="9999-12-31"),
            "到岗日期(H 列)",
            "9999-12-31",
            CAREER,
        ),
    ],
)
def test_an_import_refuses_the_date_a_form_refuses_with_the_same_words(
    world, url_name, header, row, column, day, rule
):
    client = factories.client_for(world.town_a)
    before = row_counts()
    _, preview = sheets.submit(
        client, _office_url(world, url_name), sheets.csv_bytes([header, row]), "表.csv"
    )
    assert ("第 2 行", column, rule.problem(dt.date.fromisoformat(day))) in sheets.problems(preview)
    assert row_counts() == before


# --- Bodies over the limits -----------------------------------------------------------------------


def test_a_form_over_data_upload_max_memory_size_answers_the_chinese_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = factories.client_for(world.city)
    before = row_counts()
    response = client.post(NEW_USER, _form(full_name="张" * (1024 * 1024)))
    assert_chinese_400(response, "提交的内容过大", "1.0\xa0MB", "请压缩或拆分后重试")
    assert row_counts() == before


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(world, settings):
    settings.REQUEST_MAX_BYTES = 50 * 1024
    record = helpers.record(world.office_a)
    url = reverse("duties:attachment_create", args=[world.office_a.town.code, record.pk])
    big = SimpleUploadedFile(
        "大照片.jpg", helpers.jpeg_bytes() + b"\0" * (60 * 1024), content_type="image/jpeg"
    )
    client = factories.client_for(world.town_a)
    before = row_counts()
    response = client.post(url, {"files": [big]})
    assert_chinese_400(response, "提交的内容过大", "50.0\xa0KB")
    assert row_counts() == before
    assert not DutyRecordAttachment.objects.exists()
    root = settings.EVIDENCE_ROOT
    assert not (root.exists() and any(p.is_file() for p in root.rglob("*")))


def test_the_default_request_limit_is_what_nginx_lets_through():
    assert input_middleware.request_max_bytes() == 70 * 1024 * 1024
    assert "client_max_body_size 70m;" in NGINX.read_text()


NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "jiaxing-minzheng.conf"


@pytest.mark.parametrize(
    ("code", "words"), [(413, "70 MB"), (502, "重启或维护"), (503, "重启或维护"), (504, "超时")]
)
def test_nginx_answers_its_own_refusals_with_a_chinese_page_of_the_portal(code, words):
    conf = NGINX.read_text()
    page = next(
        line.split()[-1].rstrip(";")
        for line in conf.splitlines()
        if line.strip().startswith("error_page") and str(code) in line.split()
    )
    alias = re.search(r"location \^~ /_errors/ \{[^}]*alias (\S+);", conf)[1]
    assert alias.endswith("staticfiles/errors/") and page.startswith("/_errors/")
    # The page is collected with the static files (STATICFILES_DIRS) into what the alias names.
    html = (Path(settings.STATICFILES_DIRS[0]) / "errors" / page.removeprefix("/_errors/")).read_text()
    assert 'lang="zh-Hans"' in html and words in html
    assert "<script" not in html and "javascript:" not in html


def test_too_many_fields_answers_the_chinese_400(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    client = factories.client_for(world.city)
    data = _form(office=world.office_b.pk) | {f"extra{i}": "x" for i in range(30)}
    response = client.post(NEW_USER, data)
    assert_chinese_400(response, "提交的字段过多(超过 20 个)")
    assert not User.objects.filter(username="zhang_san").exists()


def test_a_broken_multipart_body_answers_the_chinese_400(world):
    client = factories.client_for(world.city)
    response = client.generic(
        "POST", NEW_USER, b"--x\r\nbroken", content_type="multipart/form-data; boundary=\x00"
    )
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


# --- The error pages, as production shows them -----------------------------------------------------


def test_the_404_page_is_chinese(world):
    response = factories.client_for(world.town_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_403_page_is_chinese(world):
    response = factories.client_for(world.town_a).get(USERS)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_a_csrf_failure_answers_the_chinese_403(world):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)  # the CSRF cookie is set, the token is not sent
    response = client.post(LOGIN, {"username": "town_a", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期或提交来源无法验证" in body and "CSRF verification failed" not in body
    no_cookie = Client(enforce_csrf_checks=True).post(LOGIN, {"username": "town_a", "password": "x"})
    assert no_cookie.status_code == 403
    assert "Cookie" in no_cookie.content.decode() and "Forbidden" not in no_cookie.content.decode()


def test_the_500_page_is_chinese_and_static(world, monkeypatch):
    def boom(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(PortalLoginView, "get", boom)
    client = Client()
    client.raise_request_exception = False
    response = client.get(LOGIN)
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错,请稍后重试,问题已记录" in body
    assert "Server Error" not in body


def test_the_500_page_needs_no_database(django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = input_middleware.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_an_error_page_that_cannot_render_still_answers_in_chinese(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(input_middleware.loader, "render_to_string", broken)
    response = input_middleware.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出错" in response.content.decode()
    response = input_middleware.bad_request(
        RequestFactory().get("/"), input_middleware.ControlCharacter("path")
    )
    assert response.status_code == 400 and "控制字符" in response.content.decode()
