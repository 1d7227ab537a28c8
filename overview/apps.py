from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """Pages that combine several apps: each role's start page, the office home, the county page and
    the dashboards."""

    name = "overview"
    verbose_name = "工作台"
