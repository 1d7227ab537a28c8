"""Pages of the roster (an office's pages, through portal.record_views) and of training
events (the city's and counties' own, through the training functions of the permissions module).
Writes go through staffing.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.records import StaleEdit
from offices.models import County, Office
from portal.choices import Role
from portal.models import User
from portal.permissions import (
    Action,
    counties_for,
    county_held_for,
    hide,
    is_city,
    is_county,
    is_town,
    may_record_for,
    may_record_for_some_county,
    offices_recorded_for,
    refuse,
    role_required,
)
from portal.record_views import RecordDeletePage, RecordEditPage, RecordListPage, parse_year, year_choices

from . import selectors, services
from .choices import Post, TrainingLevel
from .forms import ProbationForm, StaffMemberForm, TrainingEventForm
from .models import DirectorProbation, StaffMember, TrainingEvent


def _year(request: HttpRequest) -> int:
    return parse_year(request.GET.get("year"), timezone.localdate().year)


# -- the roster of an office ----------------------------------------------------------------------


class StaffList(RecordListPage):
    """工作人员: the office's staff in post (or those who left), with who was trained in a year."""

    template_name = "staffing/staff_list.html"
    page_size = 50

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.year = _year(request)
        self.left = request.GET.get("left") == "1"
        page = Paginator(self.get_queryset(), self.page_size).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for person in page.object_list:
            person.age = person.age_on(today)
            person.probation = person.probations.all()[0] if person.probations.all() else None
        return self.render(
            page=page,
            year=self.year,
            years=year_choices(),
            left=self.left,
            summary=selectors.roster_summary(office=self.office, year=self.year),
            director_post=Post.DIRECTOR,
        )

    def get_queryset(self):
        return selectors.staff_roster(office=self.office, year=self.year, left=self.left)


class StaffMemberPage:
    """Finds the staff member of the URL within the page's office, never by primary key alone."""

    def get_staff(self) -> StaffMember:
        staff = StaffMember.objects.filter(office=self.office, pk=self.kwargs["pk"]).first()
        if staff is None:
            raise Http404
        return staff

    def back_url(self) -> str:
        return self.office_url("staffing:staff_list")


class StaffEdit(StaffMemberPage, RecordEditPage):
    form_class = StaffMemberForm
    template_name = "staffing/staff_form.html"
    parent_label = "工作人员"
    back_label = "返回名册"

    def get_object(self) -> Model:
        if "pk" not in self.kwargs:
            return StaffMember(office=self.office)
        return self.get_staff()

    def get_title(self, obj: Model) -> str:
        return f"编辑工作人员:{obj.name}" if obj.pk else "登记工作人员"

    def success_url(self, obj: Model) -> str:
        return self.back_url() + ("?left=1" if obj.ended_on else "")

    def save(self, instance: Model, form) -> None:
        services.staff_member_save(
            actor=self.request.user, staff=instance, expected_version=form.cleaned_data.get("version")
        )


class StaffDelete(StaffMemberPage, RecordDeletePage):
    model = StaffMember
    template_name = "staffing/staff_confirm_delete.html"

    def get_object(self) -> Model:
        return self.get_staff()

    def success_url(self, obj: Model) -> str:
        return self.back_url()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        return self.render(
            object=obj,
            model_name=obj._meta.verbose_name,
            cancel_url=self.success_url(obj),
            attendance_count=obj.attendances.count(),
            probation_count=obj.probations.count(),
        )

    def delete(self, obj: Model) -> None:
        services.staff_member_delete(actor=self.request.user, staff=obj)


class ProbationEdit(StaffMemberPage, RecordEditPage):
    """任前见习 of one staff member: the latest record is edited, or a first one created."""

    form_class = ProbationForm
    template_name = "staffing/probation_form.html"
    parent_label = "工作人员"
    back_label = "返回名册"

    def get_object(self) -> Model:
        staff = self.get_staff()
        probation = staff.probations.order_by("-starts_on", "-id").first()
        return probation or DirectorProbation(staff=staff)

    def get_title(self, obj: Model) -> str:
        return f"{obj.staff.name}的任前见习"

    def success_url(self, obj: Model) -> str:
        return self.back_url()

    def save(self, instance: Model, form) -> None:
        services.probation_save(
            actor=self.request.user, probation=instance, expected_version=form.cleaned_data.get("version")
        )


# -- training events ------------------------------------------------------------------------------
# Not an office's pages: the city and each county record their own events. An event the user cannot
# see answers 404; one it sees but does not record, 403.


def _may_see_training(user: User) -> bool:
    return is_town(user) or is_county(user) or is_city(user)


def _require_training_role(request: HttpRequest, what: str) -> None:
    if not _may_see_training(request.user):
        raise refuse(request, f"role may not see training ({what})")


def visible_event(request: HttpRequest, pk: int) -> TrainingEvent:
    _require_training_role(request, f"event {pk}")
    event = (
        county_held_for(request.user, TrainingEvent.objects.all())
        .select_related("county")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        if TrainingEvent.objects.filter(pk=pk).exists():
            raise hide(request, f"training event {pk} outside scope")
        raise Http404
    return event


def recordable_event(request: HttpRequest, pk: int) -> TrainingEvent:
    event = visible_event(request, pk)
    if not may_record_for(request.user, event.county):
        raise refuse(request, f"may not record training event {pk}")
    return event


def _own_county(user: User) -> County | None:
    """The county an inspector records training for; None for the city (city-level events)."""
    return counties_for(user, Action.ASSESS).first() if is_county(user) else None


def _may_create(user: User) -> bool:
    if is_city(user):
        return may_record_for(user, None)
    return may_record_for_some_county(user)


def county_filter(request: HttpRequest, user: User) -> County | None:
    code = request.GET.get("county", "")
    return counties_for(user, Action.VIEW).filter(code=code).first() if code else None


@require_safe
@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    """培训: the events the user may see, by year, level and (for the city) county."""
    _require_training_role(request, "list")
    year = parse_year(request.GET.get("year"))
    level = request.GET.get("level", "")
    if level not in TrainingLevel.values:
        level = ""
    county = county_filter(request, request.user) if is_city(request.user) else None
    events = selectors.training_event_list(user=request.user, year=year, level=level, county=county)
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "year": year,
        "years": year_choices(),
        "level": level,
        "levels": TrainingLevel.choices,
        "county": county,
        "counties": County.objects.order_by("code") if is_city(request.user) else [],
        "may_create": _may_create(request.user),
        "may_see_overview": is_city(request.user) or is_county(request.user),
    }
    return render(request, "staffing/training_list.html", context)


@require_safe
@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event and who attended it, among the offices the user may see."""
    event = visible_event(request, pk)
    user = request.user
    county = county_filter(request, user) if is_city(user) else None
    attendances = selectors.visible_attendances(user=user, event=event, county=county)
    page = Paginator(attendances, 100).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "page": page,
        "county": county,
        "by_county": selectors.attendance_by_county(event=event) if is_city(user) else [],
        "may_record": may_record_for(user, event.county),
        "own_office_only": is_town(user),
    }
    return render(request, "staffing/training_detail.html", context)


def _event_form_page(request: HttpRequest, event: TrainingEvent, form, conflict=None) -> HttpResponse:
    context = {
        "form": form,
        "event": event,
        "conflict": conflict,
        "title": f"编辑培训:{event.title}" if event.pk else "新建培训",
        "host": event.county if event.pk else _own_county(request.user),
        "back_url": reverse("staffing:training_detail", args=[event.pk])
        if event.pk
        else reverse("staffing:training_list"),
    }
    return render(request, "staffing/training_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    """A new event of the user's own level: the city's, or the inspector's county's; the county is
    taken from the user, whatever the request says."""
    if not _may_create(request.user):
        raise refuse(request, "may not record training")
    event = TrainingEvent()
    if request.method != "POST":
        return _event_form_page(request, event, TrainingEventForm(instance=event))
    form = TrainingEventForm(request.POST, instance=event)
    if not form.is_valid():
        return _event_form_page(request, event, form)
    event = services.training_event_create(
        actor=request.user, event=form.save(commit=False), county=_own_county(request.user)
    )
    messages.success(request, "培训已新建。请登记参训人员。")
    return HttpResponseRedirect(reverse("staffing:training_detail", args=[event.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = recordable_event(request, pk)
    if request.method != "POST":
        return _event_form_page(request, event, TrainingEventForm(instance=event))
    form = TrainingEventForm(request.POST, instance=event)
    if not form.is_valid():
        return _event_form_page(request, event, form)
    try:
        services.training_event_update(
            actor=request.user,
            event=form.save(commit=False),
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleEdit as conflict:
        return _event_form_page(request, event, form, conflict=conflict)
    messages.success(request, "培训已保存。")
    return HttpResponseRedirect(reverse("staffing:training_detail", args=[event.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def training_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = recordable_event(request, pk)
    if request.method == "POST":
        title = str(event)
        services.training_event_delete(actor=request.user, event=event)
        messages.success(request, f"已删除培训:{title}。删除前的内容和参训记录保留在修改记录中。")
        return HttpResponseRedirect(reverse("staffing:training_list"))
    context = {"event": event, "attendance_count": event.attendances.count()}
    return render(request, "staffing/training_confirm_delete.html", context)


def _attendance_scope(request: HttpRequest, event: TrainingEvent) -> dict:
    """Which offices the attendance page shows. A county event: all its towns. A city event: the
    offices of one county, or one office, that the user chooses first (the city has too many offices
    to list every person at once)."""
    offices = offices_recorded_for(request.user, event.county).select_related("town__county")
    scope = {"county": None, "office": None, "county_offices": [], "counties": []}
    if event.level == TrainingLevel.COUNTY:
        scope["offices"] = offices
        return scope
    scope["counties"] = list(County.objects.order_by("code"))
    office = offices.filter(town__code=request.GET.get("office", "")).first()
    county = office.town.county if office else county_filter(request, request.user)
    if county is None:
        scope["offices"] = Office.objects.none()
        return scope
    scope.update(county=county, office=office)
    scope["county_offices"] = list(offices.filter(town__county=county).order_by("town__code"))
    scope["offices"] = offices.filter(pk=office.pk) if office else offices.filter(town__county=county)
    return scope


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def training_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """登记参训人员: tick who attended among the shown offices' staff; saving sets exactly that."""
    event = recordable_event(request, pk)
    scope = _attendance_scope(request, event)
    error = ""
    if request.method == "POST" and (scope["county"] or event.level == TrainingLevel.COUNTY):
        try:
            staff_ids = [int(value) for value in request.POST.getlist("staff")]
        except ValueError:
            staff_ids = None
        try:
            if staff_ids is None:
                raise ValidationError("提交的人员有误,未保存任何修改。请刷新页面后重新勾选。")
            change = services.training_attendance_set(
                actor=request.user, event=event, offices=scope["offices"], staff_ids=staff_ids
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"参训人员已保存:新增 {change.added} 人,取消 {change.removed} 人。")
            return HttpResponseRedirect(request.get_full_path())
    people = list(selectors.attendance_candidates(event=event, offices=scope["offices"]))
    groups: dict[Office, list[StaffMember]] = {}
    for person in people:
        groups.setdefault(person.office, []).append(person)
    context = {
        "event": event,
        "groups": groups,
        "error": error,
        "chosen": event.level == TrainingLevel.COUNTY or scope["county"] is not None,
        **{key: value for key, value in scope.items() if key != "offices"},
    }
    return render(request, "staffing/training_attendance.html", context)


@require_safe
@role_required(Role.CITY, Role.COUNTY)
def training_overview(request: HttpRequest) -> HttpResponse:
    """培训情况: whether each county held its yearly training, and when the city last held its own."""
    until = max(_year(request), selectors.FIRST_TRAINING_YEAR)
    overview = selectors.training_overview(user=request.user, until=until)
    context = {
        "overview": overview,
        "until": until,
        "years": [y for y in year_choices() if y >= selectors.FIRST_TRAINING_YEAR],
        "this_year": timezone.localdate().year,
    }
    return render(request, "staffing/training_overview.html", context)
