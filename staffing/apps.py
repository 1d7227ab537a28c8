import functools

from django.apps import AppConfig


class StaffingConfig(AppConfig):
    """Staff of the offices, training events and attendance, director probation."""

    name = "staffing"
    verbose_name = "队伍与培训"

    def ready(self) -> None:
        from core.locks import ALWAYS
        from core.registry import register_office_record

        from .models import DirectorProbation, StaffMember, TrainingAttendance

        # A staff member counts in every year in post, as what the standard reads of them; ending a
        # post (离岗日期) after the locked years changes none of them.
        register_office_record(
            StaffMember,
            counts_in=years_in_post,
            scored_fields=(
                "name",
                "birth_date",
                "education",
                "employment_type",
                "is_full_time",
                "post",
                "started_on",
            ),
        )
        register_office_record(
            DirectorProbation,
            office="staff__office_id",
            history_parent=("staff_id", "staffing.staffmember"),
            counts_in=ALWAYS,
        )
        register_office_record(
            TrainingAttendance,
            office="staff__office_id",
            history_parent=("staff_id", "staffing.staffmember"),
            counts_in="event__starts_on",
        )


def years_in_post(staff) -> range:
    """The years a staff member was in post at some time (to this year while still in post)."""
    if staff.started_on is None:
        return range(0)
    last = staff.ended_on.year if staff.ended_on else max(_this_year(), staff.started_on.year)
    return range(staff.started_on.year, last + 1)


def _this_year() -> int:
    """Today's year in the portal's time zone, looked up once a minute: an import asks for it per row."""
    import time

    return _year_at(int(time.time() // 60))


@functools.lru_cache(maxsize=1)
def _year_at(minute: int) -> int:
    from django.utils import timezone

    return timezone.localdate().year
