"""Triggers that bump DataVersion on every write to the tables figures are read from.

PostgreSQL: one statement-level trigger per table (a bulk write of 100 000 rows bumps
the version once). SQLite: row-level triggers (the only kind it has). The same SQL lives
in akto_portal/triggers.py, which puts back any missing trigger after every migrate.
"""

from django.db import migrations

FACT_TABLES = [
    "akto_portal_region",
    "akto_portal_branch",
    "akto_portal_source",
    "contracts_contractcount",
    "contracts_contracttarget",
    "contracts_marketstat",
    "contracts_importbatch",
    "conventions_actionplan",
    "conventions_actionplanaxis",
    "conventions_convention",
    "conventions_convention_partners",
    "conventions_conventionaxis",
    "conventions_indicator",
    "conventions_indicatorvalue",
    "conventions_partner",
    "conventions_partner_regions",
    "conventions_signatory",
    "events_activitytotal",
    "events_attendance",
    "events_attendee",
    "events_event",
    "events_organisation",
]
BUMP = "UPDATE akto_portal_dataversion SET version = version + 1 WHERE id = 1"


def create(apps, schema_editor):
    apps.get_model("akto_portal", "DataVersion").objects.update_or_create(
        pk=1, defaults={"version": 1}
    )
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION akto_bump_data_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in FACT_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR "
                f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                "akto_bump_data_version()"
            )
    elif vendor == "sqlite":
        for table in FACT_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_data_version_{event.lower()} AFTER {event} ON "
                    f"{table} BEGIN {BUMP}; END"
                )
    # Other databases: no triggers; akto_portal.cache then never caches (no version row).


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FACT_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS akto_bump_data_version()")
    apps.get_model("akto_portal", "DataVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("akto_portal", "0004_data_version"),
        ("contracts", "0003_departments_data"),
        ("conventions", "0002_partners"),
        ("events", "0002_organisations_attendees"),
    ]
    operations = [migrations.RunPython(create, drop)]
