"""The standard's thresholds for a year: read from that year's catalog (which the city bureau edits),
or, for a year without one, from the default catalog of DOMAIN.md."""

from dataclasses import dataclass
from decimal import Decimal

from assessment.models import CatalogVersion, staffing_norm
from assessment.standard.reference import DEFAULT_ITEMS, DEFAULT_STAFFING_BANDS

# The norm is written once, in assessment.models (the catalog's method needs it and may not import the
# standard); it is offered here too, where the rest of the standard's thresholds are read.
__all__ = ["DEFAULT", "Standards", "staffing_norm", "standards_for"]


def _default(rule: str, key: str):
    for *_, item_rule, params, _veto in DEFAULT_ITEMS:
        if item_rule == rule and key in params:
            return params[key]
    raise KeyError((rule, key))


@dataclass(frozen=True)
class Standards:
    min_area_m2: Decimal = Decimal(str(_default("premises", "min_area")))
    # ((population upper bound inclusive or None, full-time staff), ...) in rising order.
    staffing_bands: tuple[tuple[int | None, int], ...] = tuple(tuple(b) for b in DEFAULT_STAFFING_BANDS)
    min_civil_servants: int = int(_default("civil_servant", "min"))
    min_internal_checks: int = int(_default("internal_checks", "min"))
    min_budget: Decimal = Decimal(str(_default("budget", "min_amount")))

    def staffing_norm(self, population: int) -> int:
        return staffing_norm(self.staffing_bands, population)


DEFAULT = Standards()


def standards_for(year: int) -> Standards:
    """The thresholds in force for `year`: its catalog's, else the defaults."""
    version = CatalogVersion.objects.filter(year=year).prefetch_related("items").first()
    if version is None:
        return DEFAULT
    params = {item.rule: item.params for item in version.items.all() if item.rule}

    def pick(rule: str, key: str, fallback):
        return params.get(rule, {}).get(key, fallback)

    return Standards(
        min_area_m2=Decimal(str(pick("premises", "min_area", DEFAULT.min_area_m2))),
        staffing_bands=tuple(tuple(b) for b in (version.staffing_bands or DEFAULT_STAFFING_BANDS)),
        min_civil_servants=int(pick("civil_servant", "min", DEFAULT.min_civil_servants)),
        min_internal_checks=int(pick("internal_checks", "min", DEFAULT.min_internal_checks)),
        min_budget=Decimal(str(pick("budget", "min_amount", DEFAULT.min_budget))),
    )
