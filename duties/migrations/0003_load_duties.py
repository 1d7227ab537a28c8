"""Loads the 14 statutory duties with their policy text."""

from django.db import migrations


def load(apps, schema_editor):
    from duties.reference import load_duties

    load_duties(apps.get_model("duties", "Duty"))


class Migration(migrations.Migration):
    dependencies = [("duties", "0002_link_users")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
