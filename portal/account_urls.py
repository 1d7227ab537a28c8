from django.urls import path

from portal import account_views

app_name = "portal"

urlpatterns = [
    path("users/", account_views.user_list, name="user_list"),
    path("users/new/", account_views.user_create_view, name="user_create"),
    path("users/<int:pk>/", account_views.user_edit_view, name="user_edit"),
    path("security-log/", account_views.security_log, name="security_log"),
]
