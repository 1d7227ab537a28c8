"""Loads the default assessment catalog (DOMAIN.md) as the 2010 catalog."""

from django.db import migrations


def load(apps, schema_editor):
    from assessment.standard.reference import load_default_catalog

    load_default_catalog(apps.get_model("assessment", "CatalogVersion"), apps.get_model("assessment", "CatalogItem"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_assessment_catalog_workflow")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
