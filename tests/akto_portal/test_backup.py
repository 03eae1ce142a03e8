"""`manage.py backup` and `manage.py restore`: a backup restored into an empty database
holds the same figures; restored over the live database it brings the figures back and
the figure cache cannot serve the replaced ones."""

import os
import sqlite3
import subprocess
import sys
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from akto_portal.models import DataVersion, Region
from tests.factories import AttendanceFactory, ContractCountFactory

pytestmark = pytest.mark.django_db(transaction=True)
FIGURES = {
    "contracts": "SELECT COUNT(*), SUM(count) FROM contracts_contractcount",
    "contracts by region": "SELECT r.code, SUM(c.count) FROM contracts_contractcount c "
    "JOIN akto_portal_region r ON r.id = c.region_id GROUP BY r.code ORDER BY r.code",
    "attendance": "SELECT COUNT(*), SUM(planned), SUM(actual) FROM events_attendance",
    "events rollup": "SELECT measure, SUM(n) FROM events_eventrollup GROUP BY measure "
    "ORDER BY measure",
    "regions": "SELECT COUNT(*) FROM akto_portal_region",
    "users": "SELECT username FROM akto_portal_user ORDER BY username",
}


def figures(cursor):
    result = {}
    for name, sql in FIGURES.items():
        cursor.execute(sql)
        result[name] = [tuple(row) for row in cursor.fetchall()]
    return result


@pytest.fixture
def figures_loaded(reference_data, director):
    ContractCountFactory(year=2021, count=3071)
    ContractCountFactory(year=2020, count=2173)
    ContractCountFactory(region=Region.objects.get(code="53"), year=2021, count=2500)
    AttendanceFactory(planned=109, actual=5)
    DataVersion.objects.update_or_create(pk=1, defaults={"version": 7})
    with connection.cursor() as cursor:
        return figures(cursor)


@pytest.fixture
def empty_database(tmp_path):
    """(DATABASE_URL, connect) of a new, empty database of the same kind."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    params = connection.settings_dict
    name = f"{params['NAME']}_restore"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(params["USER"] or "") + (
        f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    )
    url = f"postgres://{credentials}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    yield url, lambda: psycopg.connect(url.replace("postgres://", "postgresql://", 1))
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_backup_restored_into_an_empty_database_has_the_same_figures(
    figures_loaded, empty_database, tmp_path
):
    assert figures_loaded["contracts"] == [(3, 7744)]
    backup_file = tmp_path / "akto.backup"
    call_command("backup", output=str(backup_file))
    assert backup_file.stat().st_mode & 0o777 == 0o600  # password hashes inside

    # Restored as an operator would: another process, DATABASE_URL naming the empty base.
    url, connect = empty_database
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup_file), "--noinput"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert restored.returncode == 0, restored.stderr
    assert "restaurée depuis" in restored.stdout

    target = connect()
    try:
        assert figures(target.cursor()) == figures_loaded
    finally:
        target.close()


def test_restoring_over_the_database_brings_back_its_figures(figures_loaded, tmp_path):
    backup_file = tmp_path / "akto.backup"
    call_command("backup", output=str(backup_file))
    ContractCountFactory(year=2022, count=999_999)
    AttendanceFactory(planned=1, actual=77)  # the events rollup changes too
    version_before_restore = max(DataVersion.objects.values_list("version", flat=True))
    assert version_before_restore > 7

    call_command("restore", str(backup_file), noinput=True)

    with connection.cursor() as cursor:
        assert figures(cursor) == figures_loaded
    assert figures_loaded["events rollup"] == [("companies", 5), ("events", 1)]
    call_command("rollup_check")  # every rollup restored with its base tables
    # Figures cached at versions 8, 9… described the replaced data: never reached again.
    # Every family's version goes past the highest one before.
    assert set(DataVersion.objects.values_list("version", flat=True)) == {
        version_before_restore + 1
    }


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    not_a_backup = tmp_path / "export.csv"
    not_a_backup.write_text("region;count\n28;3071\n")
    with pytest.raises(CommandError, match="n'est pas"):
        call_command("restore", str(not_a_backup), noinput=True)
