"""Pages that bring an office's or a county's whole picture together: the city's list of counties, a
county with each town's gaps, and the office home (我的民政办) with its gaps, staff and assessment."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessment.standard.gaps import gaps_for, office_gaps
from offices import selectors
from overview import office_selectors
from portal.choices import Role
from portal.permissions import Action, get_county_or_deny, role_required
from portal.record_views import (
    OfficePage,
    working_year,
    year_choices,
)
from staffing.selectors import active_staff


@require_safe
@role_required(Role.CITY)
def county_list(request: HttpRequest) -> HttpResponse:
    """The city's view of its counties."""
    counties = selectors.county_list(user=request.user)
    return render(request, "offices/county_list.html", {"counties": counties})


@require_safe
@login_required
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A county with its towns and each town's gaps for the year: the inspector's start page."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    query = request.GET.get("q", "").strip()
    year = working_year(request, selectors.latest_filed_year(county=county))
    offices = selectors.office_list(user=request.user, county=county, query=query)
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    gaps = gaps_for(rows, year)
    for office in rows:
        office.gaps = gaps[office.pk]
    context = {
        "county": county,
        "page": page,
        "rows": rows,
        "query": query,
        "year": year,
        "years": year_choices(),
    }
    return render(request, "offices/county_detail.html", context)


class OfficeHome(OfficePage):
    """我的民政办: the office's state for a year, and what it misses against the standard."""

    template_name = "offices/office_detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        year = working_year(request, selectors.latest_filed_year(office=self.office))
        gaps = office_gaps(self.office, year)
        return self.render(
            year=year,
            years=year_choices(),
            gaps=gaps,
            summary=office_selectors.office_year_summary(office=self.office, year=year),
            staff=active_staff(office=self.office),
            assessment=office_selectors.office_assessment(office=self.office, year=year),
        )
