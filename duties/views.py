"""Pages of an office's duty sheet (职责标准) and duty records (工作台账) with their evidence files.

The office is found and checked by portal.record_views; every record and attachment is
then looked up within that office, so an id of another office answers 404. Writes go through
duties.services."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from core import locks
from portal.permissions import Action
from portal.record_views import (
    OfficePage,
    RecordDeletePage,
    RecordEditPage,
    RecordListPage,
    parse_year,
    year_choices,
)

from . import forms, selectors, services
from .choices import SheetState
from .models import Duty, DutyRecord, DutyRecordAttachment

MAX_QUERY_LENGTH = 100


def duty_number(value: str | None) -> int | None:
    """A duty number from a GET parameter, or None when it names no duty."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 1 <= number <= 14 else None


class SheetPage(OfficePage):
    """The 14 duties with the office's standards for each, and which are still missing."""

    template_name = "duties/sheet.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        default_year = selectors.latest_record_year(office=self.office) or timezone.localdate().year
        year = parse_year(request.GET.get("year"), default_year)
        rows = selectors.duty_sheet(office=self.office, year=year)
        return self.render(
            rows=rows,
            year=year,
            years=year_choices(),
            filled=sum(1 for r in rows if r.state == SheetState.FILLED),
            not_applicable=sum(1 for r in rows if r.state == SheetState.NOT_APPLICABLE),
            missing=[r.duty.number for r in rows if r.state == SheetState.MISSING],
        )


class SheetEdit(RecordEditPage):
    """Fill in or change the office's standards for one duty (created on first save)."""

    form_class = forms.DutySheetEntryForm
    parent_label = "职责标准"

    def get_object(self) -> Model:
        entry = selectors.sheet_entry_get(office=self.office, number=self.kwargs["number"])
        if entry is None:
            raise Http404
        return entry

    def get_title(self, obj: Model) -> str:
        return f"第 {obj.duty.number} 项职责:{obj.duty.name}"

    def back_url(self) -> str:
        return self.office_url("duties:sheet")

    def success_url(self, obj: Model) -> str:
        return f"{self.back_url()}#duty-{obj.duty.number}"

    def save(self, instance: Model, form) -> None:
        services.sheet_entry_save(
            actor=self.request.user, entry=instance, expected_version=form.cleaned_data.get("version")
        )


@dataclass(frozen=True)
class RecordFilters:
    """What the record list shows; a value not understood is ignored (the list opens unfiltered)."""

    duty: int | None
    year: int | None
    query: str
    sort: str
    evidence: str = ""
    state: str = ""

    @property
    def active(self) -> bool:
        return bool(self.duty or self.year or self.query or self.evidence or self.state)


def _choice(value: str | None, choices: list[tuple[str, str]]) -> str:
    return value if value in {v for v, _ in choices} else ""


class RecordList(RecordListPage):
    """An office's duty records: by duty, year, words in the title or content, evidence or none, and
    whether the assessment locked their year; newest first, or by title, duty or evidence."""

    template_name = "duties/record_list.html"
    page_size = 20

    @cached_property
    def filters(self) -> RecordFilters:
        params = self.request.GET
        sort = params.get("sort", "")
        return RecordFilters(
            duty=duty_number(params.get("duty")),
            year=parse_year(params.get("year")),
            query=params.get("q", "").strip()[:MAX_QUERY_LENGTH],
            sort=sort if sort in selectors.RECORD_SORTS else selectors.DEFAULT_RECORD_SORT,
            evidence=_choice(params.get("evidence"), selectors.EVIDENCE_CHOICES),
            state=_choice(params.get("state"), selectors.STATE_CHOICES),
        )

    @cached_property
    def locked(self) -> dict[int, str]:
        """{year: why} of the years whose records the assessment locked: one query."""
        return locks.locked_years(self.office.pk, year_choices())

    def get_queryset(self) -> QuerySet:
        f = self.filters
        return selectors.duty_record_list(
            office=self.office,
            duty_number=f.duty,
            year=f.year,
            query=f.query,
            sort=f.sort,
            evidence=f.evidence,
            state=f.state,
            locked_years=self.locked,
        )

    def extra_context(self) -> dict:
        f = self.filters
        return {
            "filters": f,
            "filtered": f.active,
            "duties": list(selectors.duty_list()),
            "years": year_choices(),
            "locked_years": self.locked,
            "evidence_choices": selectors.EVIDENCE_CHOICES,
            "state_choices": selectors.STATE_CHOICES,
        }


class RecordDetail(OfficePage):
    """One duty record with its evidence files."""

    template_name = "duties/record_detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        record = selectors.duty_record_get(office=self.office, pk=kwargs["pk"])
        if record is None:
            raise Http404
        return self.render(record=record, attachments=selectors.record_attachments(record=record))


class RecordEdit(RecordEditPage):
    """File a new duty record, or change one (records/new/ and records/<pk>/edit/)."""

    form_class = forms.DutyRecordForm
    parent_label = "工作台账"

    def get_object(self) -> Model:
        if "pk" in self.kwargs:
            record = selectors.duty_record_get(office=self.office, pk=self.kwargs["pk"])
            if record is None:
                raise Http404
            return record
        # A new record opens on today, and on the duty the user came from (?duty=N).
        number = duty_number(self.request.GET.get("duty"))
        duty = Duty.objects.filter(number=number).first() if number else None
        return DutyRecord(office=self.office, duty=duty, date=timezone.localdate())

    def get_title(self, obj: Model) -> str:
        return "编辑工作台账" if obj.pk else "新建工作台账"

    def back_url(self) -> str:
        if "pk" in self.kwargs:
            return self.office_url("duties:record_detail", self.kwargs["pk"])
        return self.office_url("duties:record_list")

    def context(self, **extra) -> dict:
        context = super().context(**extra)
        # The breadcrumbs lead to the list, while "back" returns to where the user came from.
        context["parent_url"] = self.office_url("duties:record_list")
        return context

    def success_url(self, obj: Model) -> str:
        return obj.get_absolute_url()

    def save(self, instance: Model, form) -> None:
        if instance.pk is None:
            services.duty_record_create(actor=self.request.user, record=instance)
        else:
            services.duty_record_update(
                actor=self.request.user, record=instance, expected_version=form.cleaned_data.get("version")
            )


class ServiceDeletePage(RecordDeletePage):
    """RecordDeletePage whose delete goes through a duties service (subclasses give delete())."""

    parent_label = "工作台账"

    def delete(self, obj: Model) -> None:
        raise ImproperlyConfigured

    def context(self, **extra) -> dict:
        return {
            **super().context(**extra),
            "parent_label": self.parent_label,
            "parent_url": self.office_url("duties:record_list"),
        }


class RecordDelete(ServiceDeletePage):
    """Asks before deleting a duty record and, with it, its evidence files."""

    model = DutyRecord
    template_name = "duties/record_confirm_delete.html"

    def get_object(self) -> Model:
        record = selectors.duty_record_get(office=self.office, pk=self.kwargs["pk"])
        if record is None:
            raise Http404
        return record

    def success_url(self, obj: Model) -> str:
        return self.office_url("duties:record_list")

    def delete(self, obj: Model) -> None:
        services.duty_record_delete(actor=self.request.user, record=obj)


class AttachmentCreate(OfficePage):
    """Upload one or more evidence files to a duty record: all are kept, or none."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "duties/attachment_form.html"

    def get_record(self) -> DutyRecord:
        record = selectors.duty_record_get(office=self.office, pk=self.kwargs["pk"])
        if record is None:
            raise Http404
        return record

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.show(forms.AttachmentUploadForm(), self.get_record())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        record = self.get_record()
        form = forms.AttachmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = services.attachment_upload(
                    actor=request.user, record=record, files=form.cleaned_data["files"]
                )
            except ValidationError as error:
                form.add_error("files", error)
            else:
                messages.success(request, f"已上传 {len(created)} 个附件。")
                return HttpResponseRedirect(record.get_absolute_url())
        return self.show(form, record)

    def show(self, form, record: DutyRecord) -> HttpResponse:
        return self.render(
            form=form,
            record=record,
            parent_label="工作台账",
            parent_url=self.office_url("duties:record_list"),
        )


class AttachmentDelete(ServiceDeletePage):
    """Asks before removing an evidence file from its record."""

    model = DutyRecordAttachment

    def get_object(self) -> Model:
        attachment = selectors.attachment_get(office=self.office, pk=self.kwargs["pk"])
        if attachment is None:
            raise Http404
        return attachment

    def success_url(self, obj: Model) -> str:
        return obj.record.get_absolute_url()

    def delete(self, obj: Model) -> None:
        services.attachment_delete(actor=self.request.user, attachment=obj)
