"""Department moves to akto_portal (reference data, like regions), keeping its table and
rows: this migration only tells Django the model is here now (its table is still
contracts_department until 0007 renames it), and moves its content type so that
permissions given on it are kept."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="akto_portal", model="department").exists():
        return
    ContentType.objects.using(db).filter(app_label="contracts", model="department").update(
        app_label="akto_portal"
    )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="contracts", model="department").exists():
        return
    ContentType.objects.using(db).filter(app_label="akto_portal", model="department").update(
        app_label="contracts"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("akto_portal", "0005_data_version_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0005_department_grain"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Department",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=3, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="nom")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="departments",
                                to="akto_portal.region",
                                verbose_name="région",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "département",
                        "ordering": ["code"],
                        "db_table": "contracts_department",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
