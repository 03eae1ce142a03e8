"""The triggers that bump DataVersion on every write to the tables figures are read from.

Migration 0005 creates them; `install` runs again after every `migrate` (post_migrate),
because SQLite drops a table's triggers when a migration rebuilds the table (as it does
to alter a column), and a table added later must be listed here.
"""

FACT_TABLES = [
    "akto_portal_region",
    "akto_portal_branch",
    "akto_portal_source",
    "contracts_contractcount",
    "contracts_contractrollup",
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


def installed(connection):
    """The fact tables that have their trigger(s)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = c.relname || '_data_version'"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name = tbl_name || '_data_version_delete'"
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def install(connection):
    """Create the version row and any missing trigger (idempotent)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    existing = set(connection.introspection.table_names())
    if "akto_portal_dataversion" not in existing:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM akto_portal_dataversion WHERE id = 1")
        if not cursor.fetchone()[0]:
            cursor.execute("INSERT INTO akto_portal_dataversion (id, version) VALUES (1, 1)")
        have = installed(connection)
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION akto_bump_data_version() RETURNS trigger AS $$ "
                f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
            )
        for table in FACT_TABLES:
            if table in have or table not in existing:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR "
                    f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                    "akto_bump_data_version()"
                )
            else:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_data_version_{event.lower()} "
                        f"AFTER {event} ON {table} BEGIN {BUMP}; END"
                    )
