"""`/healthz`: is this process able to serve? For load balancers and docker-compose.

Public (no login), uncached, and it says no more than "ok" or what is failing: the
database answers, the cache stores and returns a value, no migration is waiting.
200 when all three hold, 503 (with `Retry-After`) otherwise.
"""

import logging
import secrets

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from akto_portal.errors import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key, value = "akto:healthz", secrets.token_hex(8)
    cache.set(key, value, 10)
    return "ok" if cache.get(key) == value else "unavailable"


def check_migrations() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not plan else f"{len(plan)} pending"


CHECKS = {"database": check_database, "cache": check_cache, "migrations": check_migrations}


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "unknown"
            continue
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports, never raises
            logger.warning("Health check %s failed: %r", name, exc)
            results[name] = "unavailable"
    return results


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
