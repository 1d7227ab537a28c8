"""Generic pages for an office's records: the office is found and checked once, then subclasses say
which model, form and template. Writes go through core.records."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.dates import programme_years
from core.locks import problems
from core.records import StaleEdit
from core.registry import office_record_of
from portal.permissions import Action, can, get_office_or_deny
from portal.record_services import office_record_delete, office_record_save

# Years a record may be filed for: the date policy's programme years (core/dates.py).
year_choices = programme_years


def parse_year(value, default: int | None = None) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if year in year_choices() else default


@dataclass
class RecordNote:
    """A correction of the record, as its edit page lists it."""

    state: str  # 已更正, 待审核
    done: bool
    who: str
    when: datetime | None
    why: str
    url: str = ""


@dataclass
class RecordNotice:
    """What an edit page says above a record of a locked year: why it is read-only, where to ask for
    a correction, and the corrections it had."""

    locked: str = ""
    correct_url: str = ""
    notes: list[RecordNote] = field(default_factory=list)
    # Some of the record's fields stay editable (a staff member's phone and leaving date): the form
    # is not greyed out, and the save refuses only a change of what the locked year read.
    partly: bool = False

    @property
    def read_only(self) -> bool:
        return bool(self.locked) and not self.partly


# The assessment knows when a year is locked and how a locked record is corrected: it registers, in
# its ready(), the function that builds an edit page's notice, so this floor imports nothing above it.
RecordNoticeHook = Callable[[HttpRequest, Model, Model], RecordNotice | None]
_record_notice: list[RecordNoticeHook] = []


def register_record_notice(hook: RecordNoticeHook) -> None:
    _record_notice[:] = [hook]


def record_notice(request: HttpRequest, office: Model, obj: Model) -> RecordNotice | None:
    """The notice of an edit page: the registered hook's, else the lock's reason alone."""
    notice = _record_notice[0](request, office, obj) if _record_notice else None
    if notice is None:
        reason = problems([(None, obj)])[0]
        notice = RecordNotice(locked=reason) if reason else None
    if notice is not None:
        entry = office_record_of(type(obj))
        notice.partly = entry is not None and entry.scored_fields is not None
    return notice


# Pages with a form answer GET (and HEAD) with the form and POST with the save; nothing else.
FORM_METHODS = ["GET", "HEAD", "POST"]


class OfficePage(LoginRequiredMixin, View):
    """A page of one office: sets self.office after the permission check (404 outside scope)."""

    action: Action = Action.VIEW
    http_method_names = ["get", "head"]
    template_name = ""
    office: Model

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.office = get_office_or_deny(
            request.user, self.action, town_code=kwargs["town_code"], request=request
        )
        self.may_file = can(request.user, Action.FILE, self.office)
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra) -> dict:
        return {"office": self.office, "may_file": self.may_file, **extra}

    def render(self, **extra) -> HttpResponse:
        return render(self.request, self.template_name, self.context(**extra))

    def office_url(self, name: str, *args) -> str:
        return reverse(name, args=[self.office.town.code, *args])


class RecordListPage(OfficePage):
    """A paginated list of an office's records; subclasses give the queryset and its filters."""

    page_size = 30

    def get_queryset(self) -> QuerySet:
        raise ImproperlyConfigured

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        page = Paginator(self.get_queryset(), self.page_size).get_page(request.GET.get("page"))
        return self.render(page=page, **self.extra_context())

    def extra_context(self) -> dict:
        return {}


class RecordEditPage(OfficePage):
    """Create or edit one record with a RecordForm. Subclasses give get_object(), which returns the
    record or a new unsaved one bound to self.office, and success_url()."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "includes/record_form.html"
    form_class = None
    title = ""
    back_label = "返回"
    parent_label = ""  # the list page this form belongs to, for the breadcrumbs

    def get_object(self) -> Model:
        raise ImproperlyConfigured

    def success_url(self, obj: Model) -> str:
        raise ImproperlyConfigured

    def back_url(self) -> str:
        return reverse("offices:office_detail", args=[self.office.town.code])

    def form_kwargs(self) -> dict:
        return {}

    def get_title(self, obj: Model) -> str:
        return self.title

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        return self.show(self.form_class(instance=obj, **self.form_kwargs()), obj)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        form = self.form_class(request.POST, request.FILES, instance=obj, **self.form_kwargs())
        if not form.is_valid():
            return self.show(form, obj, status=200)
        instance = form.save(commit=False)
        creating = instance.pk is None
        try:
            self.save(instance, form)
        except StaleEdit as conflict:
            return self.show(form, obj, conflict=conflict)
        messages.success(request, f"{instance._meta.verbose_name}已{'新建' if creating else '保存'}。")
        return HttpResponseRedirect(self.success_url(instance))

    def save(self, instance: Model, form) -> None:
        office_record_save(
            actor=self.request.user, instance=instance, expected_version=form.cleaned_data.get("version")
        )
        form.save_m2m()

    def show(self, form, obj: Model, conflict: StaleEdit | None = None, status: int = 200) -> HttpResponse:
        context = self.context(
            form=form,
            object=obj,
            title=self.get_title(obj),
            back_url=self.back_url(),
            back_label=self.back_label,
            parent_label=self.parent_label,
            parent_url=self.back_url(),
            conflict=conflict,
            history_label=obj._meta.label_lower,
            notice=record_notice(self.request, self.office, obj),
        )
        return render(self.request, self.template_name, context, status=status)


class RecordDeletePage(OfficePage):
    """Asks for confirmation, then deletes; the history keeps what was deleted and by whom."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "includes/record_confirm_delete.html"
    model: type[Model]

    def get_object(self) -> Model:
        obj = self.model._default_manager.filter(pk=self.kwargs["pk"], office=self.office).first()
        if obj is None:
            raise Http404
        return obj

    def success_url(self, obj: Model) -> str:
        raise ImproperlyConfigured

    def delete(self, obj: Model) -> None:
        """Subclasses whose records need more than a plain delete call their service here."""
        office_record_delete(actor=self.request.user, instance=obj)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        return self.render(object=obj, model_name=obj._meta.verbose_name, cancel_url=self.success_url(obj))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        url = self.success_url(obj)
        name = str(obj)
        self.delete(obj)
        messages.success(request, f"已删除:{name}。如需查看删除前的内容,可在修改记录中找到。")
        return HttpResponseRedirect(url)


def working_year(request: HttpRequest, default: int | None = None) -> int:
    """The year a page is about: ?year= when it is a plausible year, else `default`, else this year."""
    return parse_year(request.GET.get("year"), default or timezone.localdate().year)
