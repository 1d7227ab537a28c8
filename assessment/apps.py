from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """The annual assessment: the standard, the catalog, the workflow, subsidies and reports."""

    name = "assessment"
    verbose_name = "年度考核"

    def ready(self) -> None:
        from core.registry import register_office_record

        from .models import Assessment, ItemScore, RectificationTask

        register_office_record(Assessment)
        register_office_record(RectificationTask, evidence=("evidence",))
        register_office_record(
            ItemScore,
            office="assessment__office_id",
            evidence=("town_evidence",),
            history_parent=("assessment_id", "assessment.assessment"),
        )
