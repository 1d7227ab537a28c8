from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every app builds on: record bases, the edit-version guard, evidence storage,
    history, spreadsheets, template tags and the registry. It imports no app of the portal."""

    name = "core"
    verbose_name = "基础"
