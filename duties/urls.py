"""Mounted at offices/<town_code>/duties/: every page belongs to one office."""

from django.urls import path

from . import spreadsheet_views, views

app_name = "duties"

urlpatterns = [
    path("", views.SheetPage.as_view(), name="sheet"),
    path("sheet/<int:number>/edit/", views.SheetEdit.as_view(), name="sheet_edit"),
    path("records/", views.RecordList.as_view(), name="record_list"),
    path("records/new/", views.RecordEdit.as_view(), name="record_create"),
    path("records/<int:pk>/", views.RecordDetail.as_view(), name="record_detail"),
    path("records/<int:pk>/edit/", views.RecordEdit.as_view(), name="record_edit"),
    path("records/<int:pk>/delete/", views.RecordDelete.as_view(), name="record_delete"),
    path("records/<int:pk>/attachments/new/", views.AttachmentCreate.as_view(), name="attachment_create"),
    path("attachments/<int:pk>/delete/", views.AttachmentDelete.as_view(), name="attachment_delete"),
    path("records/export/<str:fmt>/", spreadsheet_views.RecordExport.as_view(), name="record_export"),
    path("records/import/", spreadsheet_views.RecordImportPage.as_view(), name="record_import"),
    path(
        "records/import/template/",
        spreadsheet_views.RecordImportTemplate.as_view(),
        name="record_import_template",
    ),
]
