"""Read pages of counties and offices; who sees what is decided by jiaxing_minzheng.permissions."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from jiaxing_minzheng.choices import SecurityEventKind
from jiaxing_minzheng.history import office_activity
from jiaxing_minzheng.permissions import Action, can, get_county_or_deny, get_office_or_deny, is_city
from jiaxing_minzheng.security import record_security_event
from staffing.selectors import active_staff

from . import selectors


@require_safe
@login_required
def county_list(request: HttpRequest) -> HttpResponse:
    """The city's view of its counties."""
    if not is_city(request.user):
        record_security_event(
            SecurityEventKind.DENIED, request=request, user=request.user, detail="county list"
        )
        raise PermissionDenied
    counties = selectors.county_list(user=request.user)
    return render(request, "offices/county_list.html", {"counties": counties})


@require_safe
@login_required
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A county with its towns: the inspector's start page."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    query = request.GET.get("q", "").strip()
    offices = selectors.office_list(user=request.user, county=county, query=query)
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    return render(request, "offices/county_detail.html", {"county": county, "page": page, "query": query})


@require_safe
@login_required
def office_detail(request: HttpRequest, town_code: str) -> HttpResponse:
    """An office's profile: the town staff's start page, read-only for inspectors and the city."""
    office = get_office_or_deny(request.user, Action.VIEW, town_code=town_code, request=request)
    context = {
        "office": office,
        "may_file": can(request.user, Action.FILE, office),
        "staff": active_staff(office=office),
    }
    return render(request, "offices/office_detail.html", context)


@require_safe
@login_required
def office_history(request: HttpRequest, town_code: str) -> HttpResponse:
    """Everything changed on an office and its records, for whoever may view the office."""
    office = get_office_or_deny(request.user, Action.VIEW, town_code=town_code, request=request)
    page = office_activity(office, page=request.GET.get("page"))
    return render(request, "offices/office_history.html", {"office": office, "page": page})
