"""Figures cached under the data version, so a cached figure is never stale.

`DataVersion.version` goes up, by database triggers, with every write to the tables
figures are read from (migration 0005), whatever wrote it: imports and their undoing,
event and attendance services, the admin, seeds, bulk writes. A cached value's key
carries the version it was computed at; a write makes every older key unreachable, in
every process at once (several gunicorn workers, with a shared Redis or each with its
own in-process cache). Reading the version is one query by primary key, made once per
request (`DataVersionMiddleware`) and outside requests at every call.

The cache is Django's `default` cache: in-process memory unless `REDIS_URL` is set.
"""

import contextvars
import hashlib

from django.core.cache import cache
from django.db import connection

from akto_portal.models import DataVersion

CACHED_VENDORS = {"postgresql", "sqlite"}  # the databases migration 0005 adds triggers to
TIMEOUT = 60 * 60
_request_version = contextvars.ContextVar("akto_data_version", default=None)
_UNSET = object()


def data_version():
    """The current data version, or None (no version row: do not cache)."""
    memo = _request_version.get()
    if memo is not None and memo.get("version", _UNSET) is not _UNSET:
        return memo["version"]
    if connection.vendor not in CACHED_VENDORS:
        version = None
    else:
        version = DataVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    if memo is not None:
        memo["version"] = version
    return version


def memoize(name, key, compute):
    """`compute()`, cached under (name, key, data version). `key` must be a string that
    determines the result (e.g. the SQL and parameters of the query behind it)."""
    version = data_version()
    if version is None:
        return compute()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"akto:{version}:{name}:{digest}"
    value = cache.get(cache_key, _UNSET)
    if value is _UNSET:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value


def query_key(qs):
    """A string determining a queryset's rows: its SQL with parameters."""
    sql, params = qs.query.sql_with_params()
    return f"{sql}|{params!r}"


class DataVersionMiddleware:
    """Read the data version at most once per GET request (a POST may write, then read:
    it reads the version at every call)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set({} if request.method in ("GET", "HEAD") else None)
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)
