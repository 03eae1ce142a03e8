"""The signed-in user of each request, kept in the shared cache (Redis) for a few minutes
instead of read from the database at every request.

Only with a cache every process reads (`REDIS_URL`): a user saved or deleted through one
process is dropped from it for all of them at once, so a deactivated account, a changed
role or region, a new password (which ends the user's other sessions) take effect at
the next request everywhere. With each process's own memory, that would not hold, so the
user is read from the database as before.

Every write of a user goes through `save()` or `delete()` (admin, services, sign-on,
`createsuperuser`); a write that bypasses them (`QuerySet.update`) is seen within
`TIMEOUT` seconds.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model

TIMEOUT = 120
U = TypeVar("U")


def _key(user_id: Any) -> str:
    return f"akto:user:{user_id}"


def shared() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def get(
    user_id: Any, load: Callable[[Any], U | None], can_authenticate: Callable[[U], bool]
) -> U | None:
    """The user `user_id` if they may still sign in, else None; `load(user_id)` reads them
    from the database (None when gone)."""
    user = cache.get(_key(user_id)) if shared() else None
    if user is None:
        user = load(user_id)
        if user is None:
            return None
        if shared():
            cache.set(_key(user_id), user, TIMEOUT)
    return user if can_authenticate(user) else None


def forget(user_id: Any) -> None:
    """Drop a user from the cache now and again when the writing transaction commits (a
    request reading the old row before the commit cannot put it back for long)."""
    if not shared() or user_id is None:
        return
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


def user_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """post_save / post_delete receiver for the user model (akto_portal/apps.py)."""
    forget(instance.pk)
