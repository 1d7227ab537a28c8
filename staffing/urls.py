from django.urls import path

from . import views

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
]
