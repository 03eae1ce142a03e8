"""Backup and restore of the whole database (`manage.py backup`, `manage.py restore`).

- PostgreSQL: a custom-format dump (`pg_dump --format=custom`), restored by `pg_restore
  --clean --if-exists --single-transaction` (all or nothing). The client programs must
  be of the server's major version or newer; credentials go through the environment
  (PGPASSWORD…), never the command line.
- SQLite: SQLite's online backup API (Python's `sqlite3.Connection.backup`), a consistent
  copy even while the portal writes.

After a restore the figure cache cannot serve figures of the replaced data: the cache is
emptied and the data version (akto_portal/cache.py) is set above the one the database had
before, so that processes still holding cached figures never meet their keys again.
"""

import os
import sqlite3
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from akto_portal.models import DataVersion

PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


def default_extension(alias: str = DEFAULT_DB_ALIAS) -> str:
    return ".dump" if connections[alias].vendor == "postgresql" else ".sqlite3"


def _pg_environ(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    environ = os.environ.copy()
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGSSLMODE", settings_dict.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            environ[variable] = str(value)
    return environ


def _run(command: Sequence[str], settings_dict: Mapping[str, Any]) -> None:
    try:
        completed = subprocess.run(
            command, env=_pg_environ(settings_dict), capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} est introuvable : installez le client PostgreSQL "
            "(paquet postgresql-client, de la version du serveur ou plus récent)."
        ) from exc
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {completed.stderr.strip()}")


def backup(path: str | Path, alias: str = DEFAULT_DB_ALIAS) -> Path:
    """Write a copy of the whole database to `path`, readable by its owner only."""
    connection = connections[alias]
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Password hashes and personal data: readable by the owner only, from the start.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                f"--dbname={settings_dict['NAME']}",
            ],
            settings_dict,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"Base {connection.vendor} non prise en charge.")
    return path


def _check_file(path: str | Path, vendor: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Fichier introuvable : {path}")
    magic = PG_DUMP_MAGIC if vendor == "postgresql" else SQLITE_MAGIC
    with path.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            kind = "une sauvegarde PostgreSQL (pg_dump --format=custom)"
            if vendor != "postgresql":
                kind = "une base SQLite"
            raise BackupError(f"{path} n'est pas {kind}.")
    return path


def _data_version(alias: str) -> int:
    """The highest version of any family (0 when there is none)."""
    try:
        return max(DataVersion.objects.using(alias).values_list("version", flat=True), default=0)
    except DatabaseError:
        return 0


def restore(path: str | Path, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the database's content by the backup at `path` (same portal version)."""
    connection = connections[alias]
    path = _check_file(path, connection.vendor)
    version_before = _data_version(alias)
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings_dict['NAME']}",
                str(path),
            ],
            settings_dict,
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    else:
        raise BackupError(f"Base {connection.vendor} non prise en charge.")
    # Every family past any version cached before the restore.
    DataVersion.objects.using(alias).filter(version__lte=version_before).update(
        version=version_before + 1
    )
    cache.clear()
