from django.apps import AppConfig


class OfficesConfig(AppConfig):
    """Counties, towns and their civil-affairs offices, with what each office files about itself."""

    name = "offices"
    verbose_name = "民政办与办公条件"

    def ready(self) -> None:
        from core.locks import ALWAYS
        from core.registry import register_office_record, register_scope

        from .choices import Equipment, ItFacility
        from .models import Budget, County, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises

        register_scope(office=Office, county=County)
        # The sign and the seal have no year: they are locked while an assessment is under review.
        register_office_record(
            Office,
            office="id",
            evidence=("sign_photo", "seal_photo"),
            counts_in=ALWAYS,
            scored_fields=("sign_hung_on", "sign_photo", "seal_in_use_on", "seal_photo"),
        )
        register_office_record(
            OfficeYearFacts,
            counts_in="year",
            list_labels={"equipment": dict(Equipment.choices), "it_facilities": dict(ItFacility.choices)},
        )
        register_office_record(Premises, evidence=("photo", "emblem_photo"), counts_in="year")
        register_office_record(PostedRule, evidence=("photo",), counts_in="year")
        register_office_record(Plan, evidence=("document",), counts_in="year")
        register_office_record(Budget, counts_in="year")
        register_office_record(InternalCheck, counts_in="checked_on")
