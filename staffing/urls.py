from django.urls import path

from . import spreadsheet_views, views

app_name = "staffing"

urlpatterns = [
    path("offices/<str:town_code>/staff/", views.StaffList.as_view(), name="staff_list"),
    path("offices/<str:town_code>/staff/new/", views.StaffEdit.as_view(), name="staff_create"),
    path("offices/<str:town_code>/staff/<int:pk>/edit/", views.StaffEdit.as_view(), name="staff_edit"),
    path("offices/<str:town_code>/staff/<int:pk>/delete/", views.StaffDelete.as_view(), name="staff_delete"),
    path(
        "offices/<str:town_code>/staff/<int:pk>/probation/",
        views.ProbationEdit.as_view(),
        name="probation_edit",
    ),
    path("training/", views.training_list, name="training_list"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/overview/", views.training_overview, name="training_overview"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("training/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
    # Spreadsheets: exports follow the list's filters; imports are upload → preview → confirm.
    path(
        "offices/<str:town_code>/staff/export/<str:fmt>/",
        spreadsheet_views.StaffExport.as_view(),
        name="staff_export",
    ),
    path(
        "offices/<str:town_code>/staff/import/",
        spreadsheet_views.StaffImportPage.as_view(),
        name="staff_import",
    ),
    path(
        "offices/<str:town_code>/staff/import/template/",
        spreadsheet_views.StaffImportTemplate.as_view(),
        name="staff_import_template",
    ),
    path(
        "training/<int:pk>/export/<str:fmt>/",
        spreadsheet_views.attendance_export,
        name="attendance_export",
    ),
    path(
        "training/<int:pk>/import/",
        spreadsheet_views.AttendanceImportPage.as_view(),
        name="attendance_import",
    ),
    path(
        "training/<int:pk>/import/template/",
        spreadsheet_views.attendance_import_template,
        name="attendance_import_template",
    ),
]
