"""Reading one cell the way Chinese Excel and WPS users type it."""

import datetime as dt

import pytest

from core.spreadsheets.cells import (
    YES_NO,
    CellError,
    Choices,
    clean_code,
    clean_free_text,
    clean_name,
    parse_date,
    parse_int,
    unguard,
)
from staffing.resources import EDUCATIONS


@pytest.mark.parametrize(
    "text",
    [
        "2010-03-05",
        "2010-3-5",
        "2010/3/5",
        "2010.3.5",
        "2010年3月5日",
        "2010年03月05日",
        "2010年3月5号",
        "２０１０年３月５日",  # full-width digits
        "２０１０－０３－０５",
        " 2010-3-5　",  # a trailing full-width space
        "2010 年 3 月 5 日",
        "20100305",
        "40242",  # an Excel serial number
        "40242.0",
        "2010-03-05 00:00:00",  # a date cell saved to CSV by some tools
    ],
)
def test_dates_as_people_write_them(text):
    assert parse_date(text) == dt.date(2010, 3, 5)


def test_empty_date_is_none():
    assert parse_date("") is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2010-2-30", "没有这一天"),
        ("2010年3月", "缺少日"),
        ("2010", "缺少日"),
        ("3/5/2010", "无法识别"),
        ("明年", "无法识别"),
        ("123", "无法识别"),  # neither a year nor a plausible serial
    ],
)
def test_unreadable_dates_say_why(text, reason):
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert reason in str(error.value)


def test_whole_numbers():
    assert parse_int("１２，３４５") == 12345
    assert parse_int("40000") == 40000
    assert parse_int("7.0") == 7
    assert parse_int("") is None
    with pytest.raises(CellError, match="整数"):
        parse_int("7.5")
    with pytest.raises(CellError, match="不是数字"):
        parse_int("七")
    with pytest.raises(CellError, match="不能小于 0"):
        parse_int("-1", minimum=0)


def test_choices_accept_labels_aliases_and_punctuation_variants():
    assert EDUCATIONS.parse("大学本科") == "bachelor"
    assert EDUCATIONS.parse("本科") == "bachelor"
    assert EDUCATIONS.parse("大专") == "college"
    assert EDUCATIONS.parse("高中、中专") == "secondary"
    assert EDUCATIONS.parse("高中/中专") == "secondary"
    assert EDUCATIONS.parse(" 硕士 ") == "postgraduate"
    assert EDUCATIONS.parse("") is None
    with pytest.raises(CellError) as error:
        EDUCATIONS.parse("幼儿园")
    assert "研究生、大学本科、大学专科" in str(error.value)


def test_yes_no():
    assert YES_NO.parse("是") is True
    assert YES_NO.parse("√") is True
    assert YES_NO.parse("Ｙ") is True
    assert YES_NO.parse("否") is False
    assert YES_NO.parse("×") is False
    assert Choices([(1, "一", ())]).parse("一") == 1


def test_cleaning():
    assert clean_name(" 张　伟 ") == "张伟"
    assert clean_code("３３０４０２００７ ") == "330402007"
    assert clean_free_text("  入户走访，核查收入  ") == "入户走访，核查收入"
    assert clean_free_text("第一行  \n 第二行 ", single_line=False) == "第一行\n 第二行"
    # Free text keeps the user's Chinese punctuation (no NFKC).
    assert clean_free_text("走访，慰问") == "走访，慰问"


def test_formula_guard_of_our_csv_export_is_removed():
    assert unguard("'=SUM(A1)") == "=SUM(A1)"
    assert unguard("'-5") == "-5"
    assert unguard("'正常文字") == "'正常文字"
    assert clean_free_text("'@张三") == "@张三"
