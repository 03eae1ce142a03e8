"""The triggers that bump a family's DataVersion on every write to the tables its figures
are read from.

A family is an app's figures: a write to a `contracts_…` table bumps the contracts
version, `events_…` the events one, `conventions_…` the conventions one; a write to the
shared reference tables (regions, branches, sources), which every family reads, bumps
them all. So an attendance entry leaves the contract figures cached, and an import
leaves the events' (README, Performance).

Migration 0005 creates them; `install` runs again after every `migrate` (post_migrate),
because SQLite drops a table's triggers when a migration rebuilds the table (as it does
to alter a column), and a table added later must be listed here.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

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
    "events_eventrollup",
    "events_organisation",
]
# The families and their version rows (`DataVersion.pk`).
FAMILIES = {"contracts": 1, "conventions": 2, "events": 3}
SHARED = "0"  # the trigger argument of the reference tables: every family


def family_argument(table: str) -> str:
    """The trigger argument of a table: its family's version row, or SHARED."""
    family = table.split("_", 1)[0]
    return str(FAMILIES[family]) if family in FAMILIES else SHARED


def bump_sql(argument: str) -> str:
    where = "" if argument == SHARED else f" WHERE id = {argument}"
    return f"UPDATE akto_portal_dataversion SET version = version + 1{where}"


def drop_all(connection: BaseDatabaseWrapper) -> None:
    """Drop every data-version trigger (a migration that changes what they do, then
    `install`, puts them back)."""
    tables = installed(connection)
    with connection.cursor() as cursor:
        for table in sorted(tables):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_data_version ON {table}")
            else:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version_{event}")


def installed(connection: BaseDatabaseWrapper) -> set[str]:
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


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the version row and any missing trigger (idempotent)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    existing = set(connection.introspection.table_names())
    if "akto_portal_dataversion" not in existing:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM akto_portal_dataversion")
        have_rows = {row[0] for row in cursor.fetchall()}
        for pk in FAMILIES.values():
            if pk not in have_rows:
                cursor.execute(
                    "INSERT INTO akto_portal_dataversion (id, version) VALUES (%s, 1)", [pk]
                )
        have = installed(connection)
        if connection.vendor == "postgresql":
            # TG_ARGV[0]: the family's row, or SHARED for every family.
            cursor.execute(
                "CREATE OR REPLACE FUNCTION akto_bump_data_version() RETURNS trigger AS $$ "
                "BEGIN UPDATE akto_portal_dataversion SET version = version + 1 "
                f"WHERE TG_ARGV[0] = '{SHARED}' OR id = TG_ARGV[0]::integer; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
        for table in FACT_TABLES:
            if table in have or table not in existing:
                continue
            argument = family_argument(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR "
                    f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                    f"akto_bump_data_version('{argument}')"
                )
            else:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_data_version_{event.lower()} "
                        f"AFTER {event} ON {table} BEGIN {bump_sql(argument)}; END"
                    )
