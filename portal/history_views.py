"""The audit trail on screen: one object's versions, readable by whoever may view its office. Nobody
can edit or delete history through the portal: these views only read."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.history import object_versions, office_id_of_history, tracked_model
from core.registry import scope
from portal.permissions import Action, hide, offices_for, refuse, role_may


@require_safe
@login_required
def object_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    model = tracked_model(label)
    if model is None:
        raise Http404
    if not role_may(request.user, Action.VIEW):
        raise refuse(request, f"history {label}")
    office_id = office_id_of_history(model, pk)
    office = (
        offices_for(request.user, Action.VIEW).select_related("town__county").filter(pk=office_id).first()
        if office_id
        else None
    )
    if office is None:
        if office_id and scope.office._default_manager.filter(pk=office_id).exists():
            raise hide(request, f"history {label} {pk} outside scope")
        raise Http404
    versions = object_versions(model, pk)
    current = model._default_manager.filter(pk=pk).first()
    context = {
        "office": office,
        "model_name": model._meta.verbose_name,
        "current": current,
        "title": str(current) if current else str(versions[0].snapshot) if versions else "",
        "versions": versions,
    }
    return render(request, "portal/object_history.html", context)
