"""Pages of the portal itself: login, password, errors."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from portal.choices import SecurityEventKind
from portal.forms import PortalPasswordChangeForm
from portal.security import record_security_event


class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password keeps this session and ends the user's others (Django rotates the
    session hash they were signed with)."""

    template_name = "registration/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_security_event(
            SecurityEventKind.PASSWORD_CHANGED, request=self.request, user=self.request.user
        )
        messages.success(self.request, "密码已修改,其他设备上的登录已失效。")
        return response


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)
