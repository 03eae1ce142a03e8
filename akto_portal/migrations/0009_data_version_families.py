"""One data version per family of figures (contracts, conventions, events): the triggers
bump their table's family, or every family for the shared reference tables
(akto_portal/triggers.py, which creates them again after this migration)."""

from django.db import migrations

FAMILY_ROWS = (1, 2, 3)  # contracts (the former single version), conventions, events


def split(apps, schema_editor):
    from akto_portal import triggers

    DataVersion = apps.get_model("akto_portal", "DataVersion")
    current = DataVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 1
    for pk in FAMILY_ROWS:
        DataVersion.objects.update_or_create(pk=pk, defaults={"version": current})
    # Dropped here, created again with their family by the post_migrate `install`.
    triggers.drop_all(schema_editor.connection)


def join(apps, schema_editor):
    from akto_portal import triggers

    DataVersion = apps.get_model("akto_portal", "DataVersion")
    DataVersion.objects.exclude(pk=1).delete()
    triggers.drop_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("akto_portal", "0008_constraint_messages_in_french")]
    operations = [migrations.RunPython(split, join)]
