"""The checks of the standard, each written once.

Every check takes one office's records for a year as the facts loader gives them (facts.OfficeYear)
and the thresholds to apply, and returns whether the standard is met with the figures it judged by.
The live gap list (gaps.py) and the scoring rules (rules.py) word the outcome differently (a gap says
what to fix, a rule shows its arithmetic) and take their thresholds from different places (the year's
Standards, the catalog item's parameters), but both judge by these functions, so the page that lists
an office's gaps and the score it gets can never disagree on a boundary. No check runs a query."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessment.standard.facts import OfficeYear
from assessment.standard.thresholds import staffing_norm
from offices.choices import Equipment, ItFacility, PlanKind
from staffing.choices import EmploymentType, Post
from staffing.models import StaffMember

# -- 机构和职责 --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithPhoto:
    """Something done that a photo must prove: the sign hung, the seal in use, the emblem displayed,
    a rule posted on the wall."""

    done: bool
    photo: bool
    on: date | None = None  # when, where the record says

    @property
    def met(self) -> bool:
        return self.done and self.photo


def sign(data: OfficeYear) -> WithPhoto:
    office = data.office
    return WithPhoto(bool(office.sign_hung_on), bool(office.sign_photo), office.sign_hung_on)


def seal(data: OfficeYear) -> WithPhoto:
    office = data.office
    return WithPhoto(bool(office.seal_in_use_on), bool(office.seal_photo), office.seal_in_use_on)


@dataclass(frozen=True)
class Duties:
    """The applicable duties and those of them still lacking something (a standard, a record)."""

    applicable: int
    not_applicable: int
    missing: list[int]  # duty numbers, in order

    @property
    def done(self) -> int:
        return self.applicable - len(self.missing)

    @property
    def met(self) -> bool:
        return not self.missing


def _duties(data: OfficeYear, done) -> Duties:
    """The applicable duties against the ids in `done`. A duty not yet on the sheet counts as
    applicable: only a sheet entry can mark it not applicable."""
    applicable = data.applicable_duties
    missing = sorted(data.duty_numbers[d] for d in applicable if d not in done)
    return Duties(len(applicable), len(data.duty_numbers) - len(applicable), missing)


def duty_sheet(data: OfficeYear) -> Duties:
    """Every applicable duty has its standard and requirements."""
    return _duties(data, data.sheet)


@dataclass(frozen=True)
class Plans:
    have: list[PlanKind]
    missing: list[PlanKind]

    @property
    def met(self) -> bool:
        return not self.missing


def plans(data: OfficeYear) -> Plans:
    return Plans(
        [k for k in PlanKind if k.value in data.plan_kinds],
        [k for k in PlanKind if k.value not in data.plan_kinds],
    )


# -- 队伍建设 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    population: int | None  # None: not filed, so no norm applies and the standard is not met
    full_time: int
    norm: int | None

    @property
    def met(self) -> bool:
        return self.norm is not None and self.full_time >= self.norm


def staffing(data: OfficeYear, bands) -> Staffing:
    """Full-time staff against the norm of `bands` for the year's service population. Part-time staff
    do not count."""
    population = data.population
    norm = None if population is None else staffing_norm(bands, population)
    return Staffing(population, len(data.full_time), norm)


@dataclass(frozen=True)
class AtLeast:
    """A count against a minimum."""

    count: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.count >= self.minimum


def civil_servants(data: OfficeYear, minimum: int) -> AtLeast:
    return AtLeast(sum(1 for p in data.staff if p.employment_type == EmploymentType.CIVIL_SERVANT), minimum)


@dataclass(frozen=True)
class Training:
    staff: int
    untrained: list[str]  # names of staff not trained in the year
    new_untrained: list[str]  # names of the year's newcomers without initial training
    complying: int  # staff trained in the year and, if new, with initial training

    @property
    def met(self) -> bool:
        return self.complying >= self.staff


def training(data: OfficeYear) -> Training:
    """Everyone in post trained in the year; a newcomer of the year also needs initial training."""
    untrained = [p for p in data.staff if p.pk not in data.trained]
    new_untrained = [
        p for p in data.staff if p.started_on.year == data.year and p.pk not in data.initial_trained
    ]
    failing = {p.pk for p in untrained} | {p.pk for p in new_untrained}
    return Training(
        staff=len(data.staff),
        untrained=[p.name for p in untrained],
        new_untrained=[p.name for p in new_untrained],
        complying=sum(1 for p in data.staff if p.pk not in failing),
    )


@dataclass(frozen=True)
class Probation:
    director: StaffMember | None  # the first director registered, None without one
    done: bool  # a director has a probation record

    @property
    def met(self) -> bool:
        return self.done


def probation(data: OfficeYear) -> Probation:
    directors = [p for p in data.staff if p.post == Post.DIRECTOR]
    return Probation(directors[0] if directors else None, any(p.pk in data.on_probation for p in directors))


# -- 办公条件 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Premises:
    filed: bool
    area: Decimal | None
    fixed: bool
    minimum: Decimal

    @property
    def large_enough(self) -> bool:
        return self.area is not None and self.area >= self.minimum

    @property
    def met(self) -> bool:
        return self.fixed and self.large_enough


def premises(data: OfficeYear, min_area: Decimal) -> Premises:
    place = data.premises
    if place is None:
        return Premises(False, None, False, min_area)
    return Premises(True, place.area_m2, place.is_fixed, min_area)


def emblem(data: OfficeYear) -> WithPhoto:
    place = data.premises
    return WithPhoto(bool(place and place.emblem_displayed), bool(place and place.emblem_photo))


@dataclass(frozen=True)
class Checklist(AtLeast):
    """Entries of a list that are items of it (count) against a minimum."""

    listed: bool  # anything entered at all


def _checklist(data: OfficeYear, field: str, choices, minimum: int | None) -> Checklist:
    entries = (getattr(data.premises, field) if data.premises else None) or []
    count = len([v for v in entries if v in choices.values])
    return Checklist(count, len(choices) if minimum is None else minimum, listed=bool(entries))


def equipment(data: OfficeYear, minimum: int | None = None) -> Checklist:
    """Office and service supplies against `minimum` items (all of the list by default)."""
    return _checklist(data, "equipment", Equipment, minimum)


def it_facilities(data: OfficeYear, minimum: int | None = None) -> Checklist:
    """IT facilities against `minimum` items (all of the list by default)."""
    return _checklist(data, "it_facilities", ItFacility, minimum)


# -- 工作制度 ----------------------------------------------------------------------------------------


def posted_rule(data: OfficeYear, kind: str) -> WithPhoto:
    """One kind of rule posted on the wall in the year (registered), with a photo of it."""
    state = data.rules.get(kind)
    return WithPhoto(state is not None, bool(state))


# -- 办公经费 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funds:
    funds: Decimal | None  # None: no budget filed for the year
    minimum: Decimal

    @property
    def met(self) -> bool:
        return self.funds is not None and self.funds >= self.minimum


def budget(data: OfficeYear, minimum: Decimal) -> Funds:
    return Funds(data.budget.guaranteed_funds if data.budget else None, minimum)


# -- 职责履行 and 考核检查 -----------------------------------------------------------------------------


def duty_records(data: OfficeYear) -> Duties:
    """Every applicable duty has a record in the year."""
    return _duties(data, data.recorded_duties)


def internal_checks(data: OfficeYear, minimum: int) -> AtLeast:
    return AtLeast(data.checks, minimum)
