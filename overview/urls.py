"""The overview's pages. They keep the names they always had: the office home and the county pages
in the offices: namespace, the dashboards in reports: (the root URLs assemble the namespaces)."""

from django.urls import path

from . import dashboards, offices, spreadsheet_views

# Before the offices app's own patterns: "counties/" would otherwise read as a town code.
office_patterns = [
    path("counties/", offices.county_list, name="county_list"),
    path("counties/<str:code>/", offices.county_detail, name="county_detail"),
    path("<str:town_code>/", offices.OfficeHome.as_view(), name="office_detail"),
    path("counties/<str:code>/export/<str:fmt>/", spreadsheet_views.county_export, name="county_export"),
    path(
        "counties/<str:code>/staff/import/",
        spreadsheet_views.CountyStaffImport.as_view(),
        name="county_staff_import",
    ),
    path(
        "counties/<str:code>/staff/import/template/",
        spreadsheet_views.county_staff_import_template,
        name="county_staff_import_template",
    ),
    path(
        "counties/<str:code>/records/import/",
        spreadsheet_views.CountyRecordImport.as_view(),
        name="county_record_import",
    ),
    path(
        "counties/<str:code>/records/import/template/",
        spreadsheet_views.county_record_import_template,
        name="county_record_import_template",
    ),
]

report_patterns = [
    path("", dashboards.city_dashboard, name="city_dashboard"),
    path("counties/<str:code>/", dashboards.county_dashboard, name="county_dashboard"),
]
