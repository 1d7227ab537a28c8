"""Account management pages for the administrator and the city bureau, and the security log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from portal.account_services import user_create, user_update
from portal.choices import Role, SecurityEventKind
from portal.forms import UserForm
from portal.models import SecurityEvent, User
from portal.permissions import manageable_roles, may_manage_users, refuse

PAGE_SIZE = 30


def _require_manager(request: HttpRequest) -> list[Role]:
    if not may_manage_users(request.user):
        raise refuse(request, "user management")
    return manageable_roles(request.user)


@require_safe
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    roles = _require_manager(request)
    users = (
        User.objects.filter(role__in=roles)
        .select_related("office__town__county", "county")
        .order_by("username")
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(office__name__icontains=query)
            | Q(county__name__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in {r.value for r in roles}:
        users = users.filter(role=role)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/user_list.html",
        {"page": page, "query": query, "selected_role": role, "roles": roles},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    roles = _require_manager(request)
    form = UserForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_create(
            actor=request.user,
            username=data["username"],
            password=data["password1"],
            role=data["role"],
            full_name=data["full_name"],
            phone=data["phone"],
            office=data["office"],
            county=data["county"],
            is_active=data["is_active"],
        )
        messages.success(request, f"账号 {user.username} 已创建。")
        return redirect("portal:user_list")
    return render(request, "portal/user_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    roles = _require_manager(request)
    user = User.objects.filter(pk=pk, role__in=roles).select_related("office", "county").first()
    if user is None:
        raise Http404
    initial = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "office": user.office,
        "county": user.county,
        "is_active": user.is_active,
    }
    form = UserForm(request.POST or None, roles=roles, instance=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=request.user,
                user=user,
                role=data["role"],
                full_name=data["full_name"],
                phone=data["phone"],
                office=data["office"],
                county=data["county"],
                is_active=data["is_active"],
                password=data["password1"] or None,
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"账号 {user.username} 已保存。")
            return redirect("portal:user_list")
    history = user.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "portal/user_form.html",
        {"form": form, "creating": False, "account": user, "history": history},
    )


@require_safe
@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    events = SecurityEvent.objects.all()
    kind = request.GET.get("kind", "")
    if kind in SecurityEventKind.values:
        events = events.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        events = events.filter(Q(username__icontains=query) | Q(ip_address__icontains=query))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/security_log.html",
        {"page": page, "kind": kind, "query": query, "kinds": SecurityEventKind.choices},
    )
