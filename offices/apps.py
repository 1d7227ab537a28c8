from django.apps import AppConfig


class OfficesConfig(AppConfig):
    """Counties, towns and their civil-affairs offices, with what each office files about itself."""

    name = "offices"
    verbose_name = "民政办与办公条件"

    def ready(self) -> None:
        from core.registry import register_office_record, register_scope

        from .choices import Equipment, ItFacility
        from .models import Budget, County, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises

        register_scope(office=Office, county=County)
        register_office_record(Office, office="id", evidence=("sign_photo", "seal_photo"))
        register_office_record(
            OfficeYearFacts,
            list_labels={"equipment": dict(Equipment.choices), "it_facilities": dict(ItFacility.choices)},
        )
        register_office_record(Premises, evidence=("photo", "emblem_photo"))
        register_office_record(PostedRule, evidence=("photo",))
        register_office_record(Plan, evidence=("document",))
        register_office_record(Budget)
        register_office_record(InternalCheck)
