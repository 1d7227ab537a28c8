"""Each role's start page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portal.choices import Role


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    user = request.user
    if user.role == Role.TOWN and user.office_id:
        return redirect("offices:office_detail", user.office.town.code)
    if user.role == Role.COUNTY and user.county_id:
        return redirect("reports:county_dashboard", user.county.code)
    if user.role == Role.CITY:
        return redirect("reports:city_dashboard")
    if user.role == Role.ADMIN:
        return redirect("portal:user_list")
    return render(request, "portal/unbound.html")
