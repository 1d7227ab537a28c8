from django.apps import AppConfig


class OfficesConfig(AppConfig):
    """Counties, towns and their civil-affairs offices, with what each office files about itself."""

    name = "offices"
    verbose_name = "民政办与办公条件"
