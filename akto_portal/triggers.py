"""The triggers that bump a family's DataVersion on every write to the tables its figures
are read from.

A family is an app's figures: a write to a `contracts_…` table bumps the contracts
version, `events_…` the events one, `conventions_…` the conventions one; a write to the
shared reference tables of regions and branches, which every family reads, bumps them
all. A source is read only through the figures that point to it: changing or deleting
one bumps the families whose tables hold a row pointing to it, and a new one none (no
figure points to it yet). So an attendance entry leaves the contract figures cached, and
an import (its figures and their new source) leaves the events' (README, Performance).

Migration 0005 creates them; `install` runs again after every `migrate` (post_migrate),
because SQLite drops a table's triggers when a migration rebuilds the table (as it does
to alter a column), and a table added later must be listed here.
"""

from typing import Any

from django.apps import apps
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
SOURCES = "akto_portal_source"  # bumps the families that point to the row (row trigger)


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


def install(connection: BaseDatabaseWrapper, *, sources: bool = False) -> None:
    """Create the version row and any missing trigger (idempotent). `sources`: the
    sources' trigger too, at the end of `migrate` only (see `drop_sources`)."""
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
        if sources:
            _install_sources(cursor, connection.vendor, existing)
        for table in FACT_TABLES:
            if table in have or table not in existing or table == SOURCES:
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


def source_references(existing: set[str]) -> dict[int, list[tuple[str, str]]]:
    """{family's version row: [(table, column)]}: the fact tables of each family with a
    foreign key to a source, from the models (a new one is found at the next `migrate`)."""
    source = apps.get_model("akto_portal", "Source")
    references: dict[int, list[tuple[str, str]]] = {}
    for relation in source._meta.related_objects:
        table = relation.related_model._meta.db_table
        family = table.split("_", 1)[0]
        if table in FACT_TABLES and table in existing and family in FAMILIES:
            column = relation.field.column
            references.setdefault(FAMILIES[family], []).append((table, column))
    return references


def _sources_bump_sql(existing: set[str]) -> str:
    """Bump each family with a row pointing to the changed source (`OLD`)."""
    conditions = [
        f"(id = {pk} AND ("
        + " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id)"
            for table, column in sorted(pairs)
        )
        + "))"
        for pk, pairs in sorted(source_references(existing).items())
    ]
    where = " OR ".join(conditions) or "FALSE"
    return f"UPDATE akto_portal_dataversion SET version = version + 1 WHERE {where}"


def drop_sources(connection: BaseDatabaseWrapper) -> None:
    """Drop the sources' trigger before `migrate`: it names the tables pointing to a
    source, and SQLite refuses to rename a table (as a migration rebuilding one does)
    while a trigger names a table missing at that moment. `install(sources=True)` makes
    it again at the end, from the models of then."""
    if SOURCES not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {SOURCES}_data_version ON {SOURCES}")
        elif connection.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {SOURCES}_data_version_{event}")


def _install_sources(cursor: Any, vendor: str, existing: set[str]) -> None:
    """The sources' row trigger, made again each time: the tables pointing to a source
    may have changed with the models. (A TRUNCATE of sources must cascade to the tables
    pointing to them, whose own triggers fire.)"""
    if SOURCES not in existing:
        return
    if vendor == "postgresql":
        cursor.execute(
            "CREATE OR REPLACE FUNCTION akto_bump_source_families() RETURNS trigger AS $$ "
            f"BEGIN {_sources_bump_sql(existing)}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {SOURCES}_data_version ON {SOURCES}")
        cursor.execute(
            f"CREATE TRIGGER {SOURCES}_data_version AFTER UPDATE OR DELETE ON {SOURCES} "
            "FOR EACH ROW EXECUTE FUNCTION akto_bump_source_families()"
        )
    else:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {SOURCES}_data_version_{event}")
        for event in ("UPDATE", "DELETE"):
            cursor.execute(
                f"CREATE TRIGGER {SOURCES}_data_version_{event.lower()} AFTER {event} ON "
                f"{SOURCES} BEGIN {_sources_bump_sql(existing)}; END"
            )
