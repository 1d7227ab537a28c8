"""The standard's thresholds, as DOMAIN.md's default catalog sets them.

The annual-assessment work moves these into a catalog the city bureau edits per year; until then
this is the single place the portal reads them from (never a constant scattered in code)."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Standards:
    min_area_m2: Decimal = Decimal("60")
    # (population upper bound inclusive, full-time staff); the last band has no bound.
    staffing_bands: tuple[tuple[int | None, int], ...] = ((29_999, 2), (60_000, 3), (None, 4))
    min_civil_servants: int = 1
    min_internal_checks: int = 2
    min_budget: Decimal = Decimal("20000")

    def staffing_norm(self, population: int) -> int:
        for upper, staff in self.staffing_bands:
            if upper is None or population <= upper:
                return staff
        return self.staffing_bands[-1][1]


DEFAULT = Standards()


def standards_for(year: int) -> Standards:
    return DEFAULT
