"""The root URLs: each app's pages under its prefix, with the namespaces the pages have always had."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessment import urls as assessment_urls
from jiaxing_minzheng import health
from offices import urls as offices_urls
from overview import urls as overview_urls
from overview import views as overview_views
from portal import evidence_views, history_views, views

urlpatterns = [
    path("", overview_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", views.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("portal.account_urls")),
    path("offices/", include((overview_urls.office_patterns + offices_urls.urlpatterns, "offices"))),
    path("offices/<str:town_code>/duties/", include("duties.urls")),
    path("", include("staffing.urls")),
    path("assessment/", include(assessment_urls.assessment)),
    path("supervision/", include(assessment_urls.supervision)),
    path("reports/", include((overview_urls.report_patterns + assessment_urls.report_patterns, "reports"))),
    path("history/<str:label>/<int:pk>/", history_views.object_history, name="object_history"),
    path(
        "files/<str:label>/<int:pk>/<str:field>/", evidence_views.evidence_download, name="evidence_download"
    ),
    path(
        "files/<str:label>/<int:pk>/<str:field>/preview/",
        evidence_views.evidence_preview,
        name="evidence_preview",
    ),
    path("files/<str:label>/<int:pk>/<str:field>/view/", evidence_views.evidence_view, name="evidence_view"),
    path(
        "files/<str:label>/<int:pk>/<str:field>/pdf/",
        evidence_views.evidence_rendition,
        name="evidence_rendition",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "portal.input_middleware.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.input_middleware.server_error"

admin.site.site_header = "民政规范化建设平台 后台管理"
admin.site.site_title = "民政规范化建设平台"
admin.site.index_title = "数据管理"
