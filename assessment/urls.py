from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("<int:year>/offices/<str:town_code>/", views.Detail.as_view(), name="detail"),
    path("<int:year>/offices/<str:town_code>/self/", views.SelfAssess.as_view(), name="self_assess"),
    path("<int:year>/offices/<str:town_code>/submit/", views.SelfSubmit.as_view(), name="self_submit"),
    path("<int:year>/offices/<str:town_code>/score/", views.CountyScore.as_view(), name="county_score"),
    path("<int:year>/offices/<str:town_code>/return/", views.CountyReturn.as_view(), name="county_return"),
    path("<int:year>/offices/<str:town_code>/approve/", views.CountyApprove.as_view(), name="county_approve"),
    path("<int:year>/counties/<str:code>/", views.county_overview, name="county_overview"),
    path("<int:year>/counties/<str:code>/submit/", views.county_submit, name="county_submit"),
    path("offices/<str:town_code>/tasks/", views.TaskList.as_view(), name="task_list"),
    path("offices/<str:town_code>/tasks/<int:pk>/close/", views.TaskClose.as_view(), name="task_close"),
    path("counties/<str:code>/tasks/", views.county_tasks, name="county_tasks"),
]
