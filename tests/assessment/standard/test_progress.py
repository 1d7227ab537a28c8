"""One Progress and one rounding rule: per cent with one decimal, rounded half up, on every page
(docs/decisions.md)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.reports import summary
from assessment.standard.progress import Progress, percent
from tests import factories
from tests.assessment.reports import helpers as h


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (8, 13, "61.5"),  # 61.538…: one decimal, not the 62 the year overview used to print
        (0, 0, "0.0"),  # no towns yet
        (0, 72, "0.0"),
        (72, 72, "100.0"),
        (1, 16, "6.3"),  # 6.25: half up, not half to even
        (1, 8, "12.5"),
        (2, 3, "66.7"),
        (1, 3, "33.3"),
    ],
)
def test_percent_has_one_decimal_rounded_half_up(part, whole, expected):
    assert percent(part, whole) == Decimal(expected)
    assert str(percent(part, whole)) == expected


def test_progress_of_no_towns_is_zero_and_not_complete():
    progress = Progress(standardized=0, towns=0, year=2010, start_year=2010, end_year=2012)
    assert progress.percent == 0 and not progress.complete and progress.years == []


def test_progress_in_words():
    progress = Progress(8, 13, 2011, 2010, 2012, years=[2010, 2011])
    assert progress.percent == Decimal("61.5")
    assert (progress.remaining, progress.year_index, progress.programme_years, progress.years_left) == (
        5,
        2,
        3,
        1,
    )
    assert progress.text == (
        "截至2011年,累计达标 8 个,占 61.5%;尚有 5 个未达标,须在2012年底前全部达标(剩余 1 个考核年度)。"
    )
    assert Progress(13, 13, 2012, 2010, 2012).text.endswith("已全部达到规范化建设标准。")
    assert Progress(12, 13, 2012, 2010, 2012).text.endswith("三年行动目标未能全部完成。")


@pytest.mark.django_db
def test_the_year_overview_and_the_summary_print_the_same_share(world):
    y2010 = h.year(world, 2010)
    for code in ("330402007", "330402008", "330411002"):
        h.result(y2010, code, "90.00", True)
    city = factories.client_for(world.city)
    response = city.get(reverse("supervision:year_overview", args=[2010]))
    overview = response.context["overview"]
    report = summary.city_summary(2010)
    assert overview.progress.percent == report.progress.percent == Decimal("4.2")  # 3 of 72: 4.166…
    assert "4.2%" in response.content.decode()
