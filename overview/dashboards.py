"""The city's and a county's dashboards: where the year and the programme stand."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessment.reports import selectors as reports_selectors
from assessment.subsidies import forms as forms
from overview import selectors
from portal.choices import Role
from portal.permissions import Action, get_county_or_deny, role_required

# -- dashboards -------------------------------------------------------------------------------------


@require_safe
@role_required(Role.CITY)
def city_dashboard(request: HttpRequest) -> HttpResponse:
    """The city's home page: the programme's progress per county, the year's assessment state, award
    totals and the staff structure over the programme years."""
    years = reports_selectors.opened_years()
    year = reports_selectors.pick_year(years, request.GET.get("year"))
    context = {
        "dashboard": selectors.city_dashboard(year, years) if year else None,
        "years": years,
        "year_numbers": [y.year for y in years],
    }
    return render(request, "reports/city_dashboard.html", context)


@require_safe
@login_required
def county_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A county's home page: the same for its towns."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    years = reports_selectors.opened_years()
    year = reports_selectors.pick_year(years, request.GET.get("year"))
    context = {
        "county": county,
        "dashboard": selectors.county_dashboard(county, year, years) if year else None,
        "years": years,
        "year_numbers": [y.year for y in years],
    }
    return render(request, "reports/county_dashboard.html", context)
