from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """The annual assessment: the standard, the catalog, the workflow, subsidies and reports."""

    name = "assessment"
    verbose_name = "年度考核"

    def ready(self) -> None:
        from core.locks import register_oracle
        from core.registry import register_office_record

        from .models import Assessment, Correction, ItemScore, RectificationTask
        from .workflow.locks import locked_years

        register_oracle(locked_years)
        register_office_record(Correction, evidence=("evidence",))
        # A locked record's edit page offers a correction (portal may not import the assessment).
        from portal.record_views import register_record_notice

        from .corrections.notices import record_notice

        register_record_notice(record_notice)

        register_office_record(Assessment)
        register_office_record(RectificationTask, evidence=("evidence",))
        register_office_record(
            ItemScore,
            office="assessment__office_id",
            evidence=("town_evidence",),
            history_parent=("assessment_id", "assessment.assessment"),
        )
