"""Printing a page (portal.css, @media print): an A4 page with the page's title, the portal's name and
the print date, and nothing that is there to use the screen (the menu, buttons, filters, tabs, page
links). Chromium prints to PDF as it prints to paper; poppler's pdftotext reads it back."""

import subprocess

import pytest
from django.utils import timezone

from operations.demo_data import seed_demo_city
from tests.browser.tour import DESKTOP, TOUR, walk

pytestmark = pytest.mark.django_db(transaction=True)
A4_POINTS = (595, 842)
# The width Chromium lays a printed page out in: A4's 210 mm less portal.css's @page margins (2 × 10 mm),
# at 96 CSS pixels to the inch.
PRINTED_WIDTH = round((210 - 2 * 10) / 25.4 * 96)
SPILLING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("main *")]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(el => `<${el.tagName.toLowerCase()} class="${el.className}">`);
}"""


def _poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def _printed(page, tmp_path, name: str) -> tuple[str, str]:
    """The page printed on A4: its text (laid out) and what pdfinfo says of it (the paper size)."""
    path = tmp_path / f"{name}.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True)
    return _poppler("pdftotext", "-layout", str(path), "-"), _poppler("pdfinfo", str(path))


def _stop(name: str):
    return [stop for stop in TOUR if stop.name == name]


def test_a_printed_records_list_has_the_records_and_nothing_to_click(portal, reference_data, tmp_path):
    seed_demo_city()
    next(walk(portal, _stop("07-town-duty-records")))
    text, info = _printed(portal, tmp_path, "records")
    flat = "".join(text.split())
    today = timezone.localdate()
    assert f"打印日期:{today.year}年{today.month}月{today.day}日" in flat
    assert "工作台账" in flat and "嘉兴市镇(街道)民政工作规范化建设管理平台" in flat
    assert "日期" in flat and "标题" in flat and "2012-12-24" in flat, "the table is printed"
    # The menu, the account menu, the skip link, buttons, the filter form and its options, the tabs,
    # the page links.
    for screen_only in (
        "本办首页",
        "退出登录",
        "修改密码",
        "跳到主要内容",
        "新建台账",
        "从表格导入",
        "导出",
        "筛选",
        "全部职责",
        "职责标准",
        "下一页",
    ):
        assert screen_only not in flat, f"{screen_only!r} is printed"
    assert "http://" not in text, "links are printed without their address"
    size = info.split("Page size:")[1].split()
    assert (round(float(size[0])), round(float(size[2]))) == A4_POINTS


def test_a_printed_scoring_page_has_every_section_and_no_menu(portal, reference_data, tmp_path):
    seed_demo_city()
    next(walk(portal, _stop("21-county-scoring")))
    text, _ = _printed(portal, tmp_path, "scoring")
    flat = "".join(text.split())
    for section in ("(一)机构和职责", "(五)办公经费", "(六)职责履行", "(七)考核检查"):
        assert section in flat
    for screen_only in ("本县概况", "退出登录", "考核结果与流程", "返回本县考核情况"):
        assert screen_only not in flat, f"{screen_only!r} is printed"


def test_no_page_of_the_tour_is_wider_than_the_paper(portal, reference_data):
    """What sticks out on the right of A4 is cut off: a wide table must wrap, not spill."""
    seed_demo_city()
    spilling = {}
    for stop in walk(portal, [stop for stop in TOUR if stop.viewport == DESKTOP]):
        portal.emulate_media(media="print")
        portal.set_viewport_size({"width": PRINTED_WIDTH, "height": 1000})
        if found := portal.evaluate(SPILLING):
            spilling[stop.name] = found
        portal.emulate_media(media="screen")
    assert not spilling, f"printed pages wider than A4: {spilling}"
