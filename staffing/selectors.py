"""Reads of staff for pages and scoring, each a fixed number of queries."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from offices.models import Office

from .choices import Post
from .models import StaffMember

POST_ORDER = Case(
    When(post=Post.DIRECTOR, then=Value(0)),
    When(post=Post.DEPUTY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def active_staff(*, office: Office) -> QuerySet[StaffMember]:
    """Staff in post now, director first, then deputies, then by start date."""
    return office.staffmember_set.filter(ended_on__isnull=True).order_by(POST_ORDER, "started_on", "id")
