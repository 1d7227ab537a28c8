"""The roster in and out of Excel: export of the list as shown, import into the own office with a
preview, all or nothing, only the own town, from the files offices really have."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import CAREER
from staffing.choices import Education, EmploymentType, Post
from staffing.models import StaffMember
from tests import factories
from tests.core.spreadsheets import helpers as h

from . import helpers

pytestmark = pytest.mark.django_db


def _import_url(office) -> str:
    return reverse("staffing:staff_import", args=[office.town.code])


def _names(office) -> set[str]:
    return set(StaffMember.objects.filter(office=office).values_list("name", flat=True))


# -- import ---------------------------------------------------------------------------------------


def test_preview_shows_what_will_be_created_changed_and_skipped_and_writes_nothing(world):
    factories.staff(world.office_a, name="张伟")  # 1980-05-01, 大学本科, 公务员, 主任, 2008-03-01
    factories.staff(world.office_a, name="李娜", post=Post.STAFF, phone="")
    client = factories.client_for(world.town_a)
    content = h.xlsx_bytes(
        [
            h.STAFF_HEADER,
            h.staff_row(
                "张伟",
                性别="男",
                出生日期="1980-05-01",
                人员性质="公务员",
                职务="主任",
                到岗日期="2008-03-01",
                联系电话="",
            ),
            h.staff_row(
                "李娜", 性别="男", 出生日期="1980-05-01", 人员性质="公务员", 职务="", 到岗日期="2008-03-01"
            ),
            h.staff_row("王芳"),
        ],
        title="建设街道民政办工作人员名册",
    )
    token, preview = h.submit(client, _import_url(world.office_a), content)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert h.problems(preview) == []
    assert 'data-testid="import-confirm"' in html
    assert "表头在第 2 行" in html
    # 1 new, 1 changed (phone, with before and after), 1 skipped
    assert "将<strong>新增 1 条、修改 1 条</strong>,跳过 1 条" in html
    assert "联系电话:空 → 0573-82000000" in html
    assert "王芳(建设街道)" in html
    assert _names(world.office_a) == {"张伟", "李娜"}
    assert StaffMember.objects.get(name="李娜").phone == ""

    response = h.confirm(client, _import_url(world.office_a), token)
    assert response.status_code == 302
    assert response["Location"] == reverse("staffing:staff_list", args=[world.office_a.town.code])
    assert _names(world.office_a) == {"张伟", "李娜", "王芳"}
    li = StaffMember.objects.get(name="李娜")
    assert li.phone == "0573-82000000" and li.post == Post.STAFF  # an empty 职务 cell changes nothing
    assert li.version == 2
    new = StaffMember.objects.get(name="王芳")
    assert (new.sex, new.education, new.employment_type) == (
        "F",
        Education.BACHELOR,
        EmploymentType.INSTITUTION,
    )
    message = client.get(response["Location"]).content.decode()
    assert "导入完成:新增 1 条,修改 1 条,跳过 1 条" in message


def test_every_import_writes_history_naming_the_importing_user(world):
    existing = factories.staff(world.office_a, name="李娜")
    client = factories.client_for(world.town_a)
    content = h.xlsx_bytes(
        [
            h.STAFF_HEADER,
            h.staff_row("王芳"),
            h.staff_row("李娜", 出生日期="1980-05-01", 到岗日期="2008-03-01"),
        ]
    )
    token, _ = h.submit(client, _import_url(world.office_a), content, name="三月名册.xlsx")
    h.confirm(client, _import_url(world.office_a), token)
    new = StaffMember.objects.get(name="王芳")
    rows = list(
        StaffMember.history.filter(id__in=[new.pk, existing.pk], history_user__isnull=False).order_by("id")
    )
    assert [(r.id, r.history_type, r.history_user.username) for r in rows] == sorted(
        [(new.pk, "+", "town_a"), (existing.pk, "~", "town_a")]
    )
    assert {r.history_change_reason for r in rows} == {"表格导入:三月名册.xlsx"}
    # The office's history page shows the import like any change made in a form.
    page = client.get(reverse("offices:office_history", args=[world.office_a.town.code])).content.decode()
    assert "王芳" in page and "town_a" in page


def test_one_bad_row_writes_no_row(world):
    client = factories.client_for(world.town_a)
    content = h.xlsx_bytes(
        [h.STAFF_HEADER, h.staff_row("王芳"), h.staff_row("赵敏", 出生日期="2010-13-45"), h.staff_row("钱多")]
    )
    token, preview = h.submit(client, _import_url(world.office_a), content)
    assert h.problems(preview) == [("第 3 行", "出生日期(C 列)", "“2010-13-45”不是有效的日期(没有这一天)。")]
    html = preview.content.decode()
    assert "只要有一行有问题,整个文件都不会导入" in html
    assert 'data-testid="import-confirm"' not in html
    # Even a forged confirmation writes nothing.
    response = h.confirm(client, _import_url(world.office_a), token)
    assert response.status_code == 200 and "整个文件都不会导入" in response.content.decode()
    assert _names(world.office_a) == set()


def test_problems_are_given_by_row_column_and_reason(world):
    factories.staff(world.office_a, name="同名")
    factories.staff(world.office_a, name="同名", birth_date=dt.date(1985, 3, 3))  # two people, one name
    client = factories.client_for(world.town_a)
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    content = h.csv_bytes(
        [
            h.STAFF_HEADER,
            h.staff_row("", 性别="男"),
            h.staff_row("甲", 学历="幼儿园"),
            h.staff_row("乙", 人员性质="参公"),
            h.staff_row("丙", 到岗日期=tomorrow),
            h.staff_row("丁", 出生日期="2009-05-01", 到岗日期="2009-03-01"),
            h.staff_row("戊", 性别="未知"),
            h.staff_row("甲", 出生日期="1970-01-01"),
            h.staff_row("同名"),
            h.staff_row("长" * 51),
        ],
        bom=True,
    )
    _, preview = h.submit(client, _import_url(world.office_a), content, "名册.csv")
    found = h.problems(preview)
    assert ("第 2 行", "姓名(A 列)", "必填,不能为空。") in found
    assert (
        "第 3 行",
        "学历(D 列)",
        "“幼儿园”不是可选的值,请填写:研究生、大学本科、大学专科、高中、中专、初中及以下。",
    ) in found
    assert any(
        r == "第 4 行" and c == "人员性质(E 列)" and "公务员、事业编制、编外、其他" in m for r, c, m in found
    )
    assert ("第 5 行", "到岗日期(H 列)", CAREER.problem(dt.date.fromisoformat(str(tomorrow)))) in found
    assert ("第 6 行", "出生日期(C 列)", "出生日期须早于到岗日期。") in found
    assert any(r == "第 7 行" and c == "性别(B 列)" for r, c, _ in found)
    assert ("第 8 行", "姓名(A 列)", "与第 3 行是同一民政办的同名人员,同一人只能出现一次。") in found
    assert any(r == "第 9 行" and "已登记 2 名叫“同名”的人员" in m for r, _, m in found)
    assert ("第 10 行", "姓名(A 列)", "不能超过 50 个字(现有 51 个)。") in found


def test_a_town_user_may_name_only_its_own_town(world):
    client = factories.client_for(world.town_a)
    header = ["镇(街道)", *h.STAFF_HEADER]
    content = h.xlsx_bytes(
        [
            header,
            ["建设街道", *h.staff_row("甲")],
            ["330402007", *h.staff_row("乙")],  # the own town's Ministry code
            ["", *h.staff_row("丙")],  # empty: the own office
            ["解放街道", *h.staff_row("丁")],  # a neighbour in the same county
            ["新城街道", *h.staff_row("戊")],  # a town of another county
            ["330402008", *h.staff_row("己")],
        ]
    )
    token, preview = h.submit(client, _import_url(world.office_a), content)
    assert h.problems(preview) == [
        ("第 5 行", "镇(街道)(A 列)", "“解放街道”不在本镇(街道)范围内,不能导入。"),
        ("第 6 行", "镇(街道)(A 列)", "“新城街道”不在本镇(街道)范围内,不能导入。"),
        ("第 7 行", "镇(街道)(A 列)", "“330402008”不在本镇(街道)范围内,不能导入。"),
    ]
    h.confirm(client, _import_url(world.office_a), token)
    assert StaffMember.objects.count() == 0


REAL_WORLD = {
    "GBK CSV from Chinese Excel": lambda rows: (h.csv_bytes(rows, encoding="gbk"), "名册.csv"),
    "UTF-8 CSV with BOM": lambda rows: (h.csv_bytes(rows, bom=True), "名册.csv"),
    "UTF-8 CSV from WPS": lambda rows: (h.csv_bytes(rows), "名册.csv"),
    "XLSX with a merged title row": lambda rows: (
        h.xlsx_bytes(rows, title="嘉兴市南湖区建设街道民政办公室工作人员名册"),
        "名册.xlsx",
    ),
    "XLSX with empty rows at the end": lambda rows: (
        h.xlsx_bytes([*rows, *[[None] * 9] * 30, ["", ""]]),
        "名册.xlsx",
    ),
}


@pytest.mark.parametrize("kind", sorted(REAL_WORLD))
@pytest.mark.parametrize(
    ("birth", "phone"),
    [
        ("1985-06-01", "0573-82000000"),
        ("1985年6月1日", "０５７３－８２００００００"),  # full-width digits
        ("１９８５年６月１日", " 0573-82000000　"),  # full-width digits, trailing full-width space
        ("31199", "0573-82000000"),  # an Excel serial
        ("1985/6/1", "0573-82000000"),
        ("1985.6.1", "0573-82000000"),
    ],
)
def test_files_as_offices_have_them(world, kind, birth, phone):
    rows = [
        h.STAFF_HEADER,
        h.staff_row("欧阳娜娜", 出生日期=birth, 联系电话=phone, 学历="大专", 人员性质="事业"),
    ]
    content, name = REAL_WORLD[kind](rows)
    client = factories.client_for(world.town_a)
    token, preview = h.submit(client, _import_url(world.office_a), content, name)
    assert h.problems(preview) == []
    h.confirm(client, _import_url(world.office_a), token)
    person = StaffMember.objects.get(office=world.office_a, name="欧阳娜娜")
    assert person.birth_date == dt.date(1985, 6, 1)
    assert person.phone == "0573-82000000"
    assert (person.education, person.employment_type) == (Education.COLLEGE, EmploymentType.INSTITUTION)


def test_excel_date_cells_and_number_cells(world):
    rows = [
        h.STAFF_HEADER,
        h.staff_row(
            "王芳",
            出生日期=dt.date(1985, 6, 1),
            到岗日期=dt.datetime.combine(dt.date(2009, 3, 1), dt.time()),
            联系电话=13800138000,
        ),
    ]
    client = factories.client_for(world.town_a)
    token, preview = h.submit(client, _import_url(world.office_a), h.xlsx_bytes(rows))
    assert h.problems(preview) == []
    h.confirm(client, _import_url(world.office_a), token)
    person = StaffMember.objects.get(name="王芳")
    assert (person.birth_date, person.started_on, person.phone) == (
        dt.date(1985, 6, 1),
        dt.date(2009, 3, 1),
        "13800138000",
    )


def test_the_data_changed_between_preview_and_confirmation(world):
    """The confirmation checks again: a row that became ambiguous meanwhile stops the whole import."""
    client = factories.client_for(world.town_a)
    token, preview = h.submit(
        client,
        _import_url(world.office_a),
        h.xlsx_bytes([h.STAFF_HEADER, h.staff_row("王芳"), h.staff_row("李娜")]),
    )
    assert h.problems(preview) == []
    factories.staff(world.office_a, name="王芳")
    factories.staff(world.office_a, name="王芳", birth_date=dt.date(1985, 3, 3))
    response = h.confirm(client, _import_url(world.office_a), token)
    html = response.content.decode()
    assert response.status_code == 200 and "确认时按最新资料重新核对" in html
    assert not StaffMember.objects.filter(name="李娜").exists()
    assert StaffMember.objects.filter(name="王芳").count() == 2


def test_unreadable_files_are_refused_next_to_the_upload_field(world):
    client = factories.client_for(world.town_a)
    response = client.post(
        _import_url(world.office_a),
        {"action": "upload", "file": h.upload(h.xlsx_bytes([["姓名", "性别"], ["甲", "男"]]))},
    )
    assert "缺少必填的列:出生日期、学历、人员性质、到岗日期" in h.upload_error(response)
    response = client.post(_import_url(world.office_a), {"action": "upload"})
    assert "请选择要导入的文件" in h.upload_error(response)


def test_the_upload_page_explains_the_columns_and_offers_the_template(world):
    html = factories.client_for(world.town_a).get(_import_url(world.office_a)).content.decode()
    template = reverse("staffing:staff_import_template", args=[world.office_a.town.code])
    assert f'href="{template}"' in html
    for text in ("姓名", "出生日期", "大学本科 / 大学专科", "整个文件都不会导入", "5.0\xa0MB", "GBK"):
        assert text in html, text


def test_template_download(world):
    response = factories.client_for(world.town_a).get(
        reverse("staffing:staff_import_template", args=[world.office_a.town.code])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = h.read_xlsx(response.content)
    assert [c.value for c in sheet[1]][:3] == ["镇(街道)", "姓名", "性别"]


# -- export ---------------------------------------------------------------------------------------


def _export(client, office, fmt="xlsx", **params):
    return client.get(reverse("staffing:staff_export", args=[office.town.code, fmt]), params)


def test_export_follows_the_list_and_its_filters(world):
    director = factories.staff(world.office_a, name="张伟", phone="=cmd|' /C calc'!A0")
    factories.staff(world.office_a, name="离岗者", post=Post.STAFF, ended_on=dt.date(2011, 1, 1))
    event = helpers.event(world.office_a.town.county, year=2010)
    helpers.attend(event, director)
    client = factories.client_for(world.county_a)
    response = _export(client, world.office_a, year=2010)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "%E5%9C%A8%E5%B2%97" in response["Content-Disposition"]  # 在岗, as RFC 5987 UTF-8
    sheet = h.read_xlsx(response.content)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("镇(街道)", "姓名", "性别", "出生日期")
    assert "2010年培训" in rows[0]
    assert [r[1] for r in rows[1:]] == ["张伟"]
    assert rows[1][3].date() == dt.date(1980, 5, 1) and sheet["D2"].number_format == "yyyy-mm-dd"
    assert rows[1][rows[0].index("2010年培训")] == "县级定期培训 2010-04-20"
    assert sheet["M2"].data_type == "s" and sheet["M2"].quotePrefix  # the phone is never a formula
    left = h.read_xlsx(_export(client, world.office_a, left="1").content)
    assert [r[1] for r in list(left.iter_rows(values_only=True))[1:]] == ["离岗者"]
    csv = _export(client, world.office_a, "csv").content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in csv


def test_an_exported_roster_imports_back_unchanged(world):
    factories.staff(world.office_a, name="张伟")
    factories.staff(world.office_a, name="李娜", post=Post.STAFF, phone="0573-1")
    client = factories.client_for(world.town_a)
    for fmt, name in (("xlsx", "名册.xlsx"), ("csv", "名册.csv")):
        exported = _export(client, world.office_a, fmt).content
        _, preview = h.submit(client, _import_url(world.office_a), exported, name)
        assert h.problems(preview) == []
        assert "表格中的内容与现有资料完全相同" in preview.content.decode()


def test_export_is_out_of_scope_for_other_offices(world):
    assert _export(factories.client_for(world.town_b), world.office_a).status_code == 404
    assert _export(factories.client_for(world.town_a), world.office_a, "pdf").status_code == 404


def test_export_costs_the_same_queries_for_5_and_500_people(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = factories.client_for(world.town_a)
    event = helpers.event(world.office_a.town.county, year=2010)

    def count() -> int:
        _export(client, world.office_a, year=2010)
        with CaptureQueriesContext(connection) as captured:
            assert _export(client, world.office_a, year=2010).status_code == 200
        return len(captured.captured_queries)

    people = [helpers.person(world.office_a) for _ in range(5)]
    helpers.attend(event, *people)
    few = count()
    people = [helpers.person(world.office_a) for _ in range(495)]
    helpers.attend(event, *people)
    assert count() == few


def test_a_record_saved_by_someone_else_during_the_write_is_not_overwritten(world, monkeypatch):
    from django.db.models import F

    from staffing.resources import StaffImport

    person = factories.staff(world.office_a, name="李娜", phone="")
    client = factories.client_for(world.town_a)
    content = h.xlsx_bytes(
        [
            h.STAFF_HEADER,
            h.staff_row("王芳"),
            h.staff_row("李娜", 出生日期="1980-05-01", 到岗日期="2008-03-01"),
        ]
    )
    token, preview = h.submit(client, _import_url(world.office_a), content)
    assert h.problems(preview) == []
    checked = StaffImport.plan

    def check_then_a_form_saves(self, *args, **kwargs):
        plan = checked(self, *args, **kwargs)
        StaffMember.objects.filter(pk=person.pk).update(version=F("version") + 1)
        return plan

    monkeypatch.setattr(StaffImport, "plan", check_then_a_form_saves)
    response = h.confirm(client, _import_url(world.office_a), token)
    assert response.status_code == 200 and "发生冲突,未导入任何数据" in response.content.decode()
    assert _names(world.office_a) == {"李娜"}
    assert StaffMember.objects.get(pk=person.pk).phone == ""
