"""The workflow's pages: the town's and the county's under assessment/, the city's under supervision/
(see assessment.urls, which names the namespaces)."""

from django.urls import path

from .views import city, common, county, town

office_patterns = [
    path("", common.year_list, name="year_list"),
    path("<int:year>/offices/<str:town_code>/", common.Detail.as_view(), name="detail"),
    path("<int:year>/offices/<str:town_code>/self/", town.SelfAssess.as_view(), name="self_assess"),
    path("<int:year>/offices/<str:town_code>/submit/", town.SelfSubmit.as_view(), name="self_submit"),
    path("<int:year>/offices/<str:town_code>/score/", county.CountyScore.as_view(), name="county_score"),
    path("<int:year>/offices/<str:town_code>/return/", county.CountyReturn.as_view(), name="county_return"),
    path(
        "<int:year>/offices/<str:town_code>/approve/", county.CountyApprove.as_view(), name="county_approve"
    ),
    path("<int:year>/counties/<str:code>/", county.county_overview, name="county_overview"),
    path("<int:year>/counties/<str:code>/submit/", county.county_submit, name="county_submit"),
    path("offices/<str:town_code>/tasks/", town.TaskList.as_view(), name="task_list"),
    path("offices/<str:town_code>/tasks/<int:pk>/close/", town.TaskClose.as_view(), name="task_close"),
    path("counties/<str:code>/tasks/", county.county_tasks, name="county_tasks"),
]

city_patterns = [
    path("open/", city.year_open, name="year_open"),
    path("<int:year>/", city.year_overview, name="year_overview"),
    path("<int:year>/sample/", city.sample_draw, name="sample_draw"),
    path("<int:year>/offices/<str:town_code>/", city.city_score, name="city_score"),
    path("<int:year>/differences/", city.differences, name="differences"),
    path("<int:year>/counties/<str:code>/return/", city.city_return, name="city_return"),
    path("<int:year>/confirm/", city.year_confirm, name="year_confirm"),
]
