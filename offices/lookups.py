"""Finding the office a spreadsheet row names, among the offices an import may write to."""

import re
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from core.spreadsheets.cells import CellError, clean_code
from core.spreadsheets.importing import RowCheck

from .models import Office, Town


def row_office(check: RowCheck, lookup: "TownLookup", fixed_office: Office | None) -> Office | None:
    """The office a row is for: the one its 镇(街道) cell names, or `fixed_office` (a town's own
    import) when the cell is empty."""
    if not check.text("town"):
        if fixed_office is not None:
            return fixed_office
        check.error("town", "必填,不能为空。")
        return None
    return check.value("town", lookup.find)


_DIGITS = re.compile(r"^\d+$")


class TownLookup:
    """Finds the office a row names in its 镇(街道) column, among the offices the import may write
    to: by the town's name, or by its 9-digit Ministry code. The statistics bureau's 12-digit code
    is a different system (the same digits can name another town) and is never matched.

    A town outside those offices is an error, never a write; the message says whether the town
    exists at all, without telling more about it."""

    def __init__(self, offices: QuerySet[Office], texts: Iterable[str], *, scope_label: str) -> None:
        self.scope_label = scope_label
        wanted = {clean_code(t) for t in texts if t}
        names = {t for t in wanted if not _DIGITS.match(t)}
        codes = {t for t in wanted if _DIGITS.match(t) and len(t) == 9}
        # Only the towns the file names: two queries, whatever the number of rows or offices.
        named = Q(town__name__in=names) | Q(town__code__in=codes)
        self.offices = list(offices.filter(named).select_related("town__county"))
        self.by_code = {o.town.code: o for o in self.offices}
        self.by_name: dict[str, list[Office]] = {}
        self.by_county_name: dict[tuple[str, str], Office] = {}
        for office in self.offices:
            self.by_name.setdefault(office.town.name, []).append(office)
            self.by_county_name[(office.town.county.name, office.town.name)] = office
        known = Town.objects.filter(Q(name__in=names) | Q(code__in=codes)).values_list("name", "code")
        self.elsewhere = {name for name, _ in known} | {code for _, code in known}

    def find(self, text: str, county_text: str = "") -> Office:
        """The office named by `text` (and, where a name is ambiguous, `county_text`)."""
        value = clean_code(text)
        if _DIGITS.match(value):
            if len(value) == 12:
                raise CellError(
                    f"“{value}”是 12 位统计用区划代码;请填写 9 位民政部行政区划代码或镇(街道)名称。"
                )
            if len(value) != 9:
                raise CellError(f"“{value}”不是 9 位民政部行政区划代码;请填写 9 位代码或镇(街道)名称。")
            office = self.by_code.get(value)
            if office is None:
                raise CellError(self._outside(value, value in self.elsewhere))
            return office
        county = clean_code(county_text)
        if county and (county, value) in self.by_county_name:
            return self.by_county_name[(county, value)]
        found = self.by_name.get(value, [])
        if len(found) == 1 and (not county or found[0].town.county.name == county):
            return found[0]
        if len(found) > 1 and not county:
            counties = "、".join(o.town.county.name for o in found)
            raise CellError(f"“{value}”在{counties}都有,请填写“县(市、区)”列或 9 位民政部行政区划代码。")
        raise CellError(self._outside(value, value in self.elsewhere))

    def _outside(self, value: str, exists: bool) -> str:
        if exists:
            return f"“{value}”不在{self.scope_label}范围内,不能导入。"
        return f"找不到镇(街道)“{value}”,请填写镇(街道)全称(如“建设街道”)或 9 位民政部行政区划代码。"
