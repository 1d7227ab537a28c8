"""Loads the 7 counties and 72 towns of Jiaxing, each with its office, so a fresh database has them."""

from django.db import migrations


def load(apps, schema_editor):
    from offices.reference import load_divisions

    load_divisions(apps.get_model("offices", "County"), apps.get_model("offices", "Town"), apps.get_model("offices", "Office"))


class Migration(migrations.Migration):
    dependencies = [("offices", "0002_link_users")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
