"""The abstract bases of every record an office files: timestamps, an edit version and full history.

They name their office by the string "offices.Office", so this ground floor imports no app."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

# The policy dates from 2009: no record of the portal is about an earlier year.
YEAR_VALIDATORS = [MinValueValidator(2009), MaxValueValidator(2100)]


class TrackedModel(models.Model):
    """Base of every record: timestamps, an edit version (to refuse a stale save) and full history."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Raised by every save through a service; a form posts the version it was shown, and a save
    # from an outdated version is refused instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class OfficeRecord(TrackedModel):
    """A record filed by one office: it inherits its access rules through `office`."""

    office = models.ForeignKey("offices.Office", verbose_name="民政办", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class YearlyOfficeRecord(OfficeRecord):
    """A record an office files once per year."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)

    class Meta:
        abstract = True
