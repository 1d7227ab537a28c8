"""The workflow's pages: the town's and the county's under assessment/, the city's under supervision/
(see assessment.urls, which names the namespaces)."""

from django.urls import path

from .views import city, common, county, tasks, town

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
    path("<int:year>/offices/<str:town_code>/reopen/", county.CountyReopen.as_view(), name="county_reopen"),
    path("<int:year>/counties/<str:code>/", county.county_overview, name="county_overview"),
    path("<int:year>/counties/<str:code>/submit/", county.county_submit, name="county_submit"),
    path("<int:year>/counties/<str:code>/approve/", county.county_approve_many, name="county_approve_many"),
    path("offices/<str:town_code>/tasks/", tasks.TaskList.as_view(), name="task_list"),
    path("offices/<str:town_code>/tasks/<int:pk>/close/", tasks.TaskClose.as_view(), name="task_close"),
    path("offices/<str:town_code>/tasks/<int:pk>/verify/", tasks.TaskVerify.as_view(), name="task_verify"),
    path(
        "offices/<str:town_code>/tasks/<int:pk>/send-back/",
        tasks.TaskSendBack.as_view(),
        name="task_send_back",
    ),
    path("counties/<str:code>/tasks/", tasks.county_tasks, name="county_tasks"),
]

city_patterns = [
    path("open/", city.year_open, name="year_open"),
    path("<int:year>/", city.year_overview, name="year_overview"),
    path("<int:year>/towns/", city.year_towns, name="year_towns"),
    path("<int:year>/sample/", city.sample_draw, name="sample_draw"),
    path("<int:year>/counties/<str:code>/sample/", city.sample_county, name="sample_county"),
    path("<int:year>/offices/<str:town_code>/", city.city_score, name="city_score"),
    path("<int:year>/offices/<str:town_code>/return/", city.city_return_town, name="city_return_town"),
    path("<int:year>/offices/<str:town_code>/waive/", city.waive, name="waive"),
    path("<int:year>/differences/", city.differences, name="differences"),
    path("<int:year>/counties/<str:code>/return/", city.city_return, name="city_return"),
    path("<int:year>/confirm/", city.year_confirm, name="year_confirm"),
    path("<int:year>/rectification/", tasks.rectification, name="rectification"),
]
