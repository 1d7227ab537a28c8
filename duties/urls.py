"""Mounted at offices/<town_code>/duties/: every page belongs to one office."""

from django.urls import path

from . import views

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
]
