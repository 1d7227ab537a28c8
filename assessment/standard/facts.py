"""Everything the standard looks at for a set of offices in one year, loaded with one query per kind
of record, whatever the number of offices. The gap list and the scoring rules both read from it."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from duties.models import Duty, DutyRecord, DutySheetEntry
from offices.models import Budget, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises
from staffing.choices import TrainingKind
from staffing.models import DirectorProbation, StaffMember, TrainingAttendance


@dataclass
class OfficeYear:
    """One office's records for one year, as the standard sees them."""

    office: Office
    year: int
    facts: OfficeYearFacts | None = None
    premises: Premises | None = None
    budget: Budget | None = None
    plan_kinds: set[str] = field(default_factory=set)
    rules: dict[str, bool] = field(default_factory=dict)  # kind -> has a photo
    checks: int = 0
    sheet: dict[int, bool] = field(default_factory=dict)  # duty id -> not applicable
    recorded_duties: set[int] = field(default_factory=set)
    staff: list[StaffMember] = field(default_factory=list)  # in post at some time of the year
    trained: set[int] = field(default_factory=set)  # staff ids trained in the year
    initial_trained: set[int] = field(default_factory=set)
    on_probation: set[int] = field(default_factory=set)
    duty_numbers: dict[int, int] = field(default_factory=dict)  # duty id -> number

    @property
    def population(self) -> int | None:
        return self.facts.service_population if self.facts else None

    @property
    def full_time(self) -> list[StaffMember]:
        return [p for p in self.staff if p.is_full_time]

    @property
    def applicable_duties(self) -> list[int]:
        return [d for d in self.duty_numbers if not self.sheet.get(d, False)]


def load(offices: list[Office], year: int) -> dict[int, OfficeYear]:
    """Records of every office for `year`. Offices need `town` loaded (select_related)."""
    ids = [o.pk for o in offices]
    data = {o.pk: OfficeYear(office=o, year=year) for o in offices}
    duty_numbers = dict(Duty.objects.values_list("pk", "number"))
    for entry in data.values():
        entry.duty_numbers = duty_numbers
    for f in OfficeYearFacts.objects.filter(office_id__in=ids, year=year):
        data[f.office_id].facts = f
    for p in Premises.objects.filter(office_id__in=ids, year=year):
        data[p.office_id].premises = p
    for b in Budget.objects.filter(office_id__in=ids, year=year):
        data[b.office_id].budget = b
    for office_id, kind in Plan.objects.filter(office_id__in=ids, year=year).values_list("office_id", "kind"):
        data[office_id].plan_kinds.add(kind)
    for office_id, kind, photo in PostedRule.objects.filter(office_id__in=ids, year=year).values_list(
        "office_id", "kind", "photo"
    ):
        data[office_id].rules[kind] = bool(photo)
    for office_id, n in (
        InternalCheck.objects.filter(office_id__in=ids, checked_on__year=year)
        .values("office_id")
        .annotate(n=Count("id"))
        .values_list("office_id", "n")
    ):
        data[office_id].checks = n
    for office_id, duty_id, na in DutySheetEntry.objects.filter(office_id__in=ids).values_list(
        "office_id", "duty_id", "not_applicable"
    ):
        data[office_id].sheet[duty_id] = na
    for office_id, duty_id in (
        DutyRecord.objects.filter(office_id__in=ids, date__year=year)
        .values_list("office_id", "duty_id")
        .distinct()
    ):
        data[office_id].recorded_duties.add(duty_id)
    in_year = Q(started_on__lte=date(year, 12, 31)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=date(year, 1, 1))
    )
    for person in StaffMember.objects.filter(in_year, office_id__in=ids).only(
        "id",
        "office_id",
        "name",
        "employment_type",
        "is_full_time",
        "post",
        "started_on",
        "birth_date",
        "education",
    ):
        data[person.office_id].staff.append(person)
    for office_id, staff_id in TrainingAttendance.objects.filter(
        staff__office_id__in=ids, event__starts_on__year=year
    ).values_list("staff__office_id", "staff_id"):
        data[office_id].trained.add(staff_id)
    for office_id, staff_id in TrainingAttendance.objects.filter(
        staff__office_id__in=ids, event__kind=TrainingKind.INITIAL
    ).values_list("staff__office_id", "staff_id"):
        data[office_id].initial_trained.add(staff_id)
    for office_id, staff_id in DirectorProbation.objects.filter(staff__office_id__in=ids).values_list(
        "staff__office_id", "staff_id"
    ):
        data[office_id].on_probation.add(staff_id)
    return data
