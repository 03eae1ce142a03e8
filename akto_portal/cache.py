"""Figures cached under the data version of their family, so a cached figure is never
stale, and a write cools only the figures that read what it wrote.

`DataVersion` holds one version per family of figures — contracts, conventions, events
(`akto_portal.triggers.FAMILIES`). Database triggers bump a family's version with every
write to one of its tables, whatever wrote it: imports and their undoing, event and
attendance services, the admin, seeds, bulk writes; a write to the shared reference
tables (regions, branches, sources) bumps every family. A cached value's key carries the
versions of the families it reads (`memoize(..., families=...)`): an attendance entry
makes the events' keys unreachable, in every process at once, and leaves the contract
figures cached. A rendered page reads every family (`data_version()`). Reading the
versions is one query, made once per request (`DataVersionMiddleware`) and outside
requests at every call.

The cache is Django's `default` cache: in-process memory unless `REDIS_URL` is set.
"""

import contextvars
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase

from akto_portal.models import DataVersion
from akto_portal.triggers import FAMILIES

CACHED_VENDORS = {"postgresql", "sqlite"}  # the databases migration 0005 adds triggers to
TIMEOUT = 60 * 60
# Per request: {"versions": {...}} once read; None outside a GET request (read at every call).
_request_version: contextvars.ContextVar[dict[str, dict[int, int]] | None] = contextvars.ContextVar(
    "akto_data_version", default=None
)
_UNSET = object()
T = TypeVar("T")


def versions() -> dict[int, int]:
    """Every family's version by its row (empty: no version row, do not cache)."""
    memo = _request_version.get()
    if memo is not None and "versions" in memo:
        return memo["versions"]
    if connection.vendor not in CACHED_VENDORS:
        found: dict[int, int] = {}
    else:
        found = dict(DataVersion.objects.values_list("pk", "version"))
    if memo is not None:
        memo["versions"] = found
    return found


def data_version(*families: str) -> str | None:
    """The version of what reads `families` (every family when none is named), or None
    (a version row missing: do not cache)."""
    found = versions()
    rows = [FAMILIES[family] for family in families] if families else FAMILIES.values()
    if any(row not in found for row in rows):
        return None
    return ".".join(str(found[row]) for row in rows)


def memoize(name: str, key: str, compute: Callable[[], T], *, families: tuple[str, ...] = ()) -> T:
    """`compute()`, cached under (name, key, the data version of `families`: every family
    when none is named). `key` must be a string that determines the result (e.g. the SQL
    and parameters of the query behind it); `families`, every family whose tables the
    computation reads (`tests/dashboards/test_freshness.py` checks them)."""
    version = data_version(*families)
    if version is None:
        return compute()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"akto:{version}:{name}:{digest}"
    value = cache.get(cache_key, _UNSET)
    if value is _UNSET:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value


def query_key(qs: QuerySet[Model, Any]) -> str:
    """A string determining a queryset's rows: its SQL with parameters ("empty" for a
    queryset that cannot match a row, such as `year__in=[]`: Django writes no SQL)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return f"empty:{qs.model._meta.label}"
    return f"{sql}|{params!r}"


class DataVersionMiddleware:
    """Read the data versions at most once per GET request (a POST may write, then read:
    it reads the version at every call)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request_version.set({} if request.method in ("GET", "HEAD") else None)
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)
