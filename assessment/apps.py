from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """The annual assessment: catalog, scores, workflow, subsidies and reports (grows with issue 6)."""

    name = "assessment"
    verbose_name = "年度考核"
