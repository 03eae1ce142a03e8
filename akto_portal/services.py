"""Writes of the portal app: personal API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from akto_portal.models import ApiToken, SavedView, User


class TokenError(Exception):
    pass


def _clean_name(name: str | None) -> str:
    """A name typed by the user, trimmed; "" when missing or unusable (a NUL byte, which
    PostgreSQL refuses in text)."""
    name = (name or "").strip()
    return "" if "\x00" in name else name[:100]


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings: a plain SHA-256 is enough (no dictionary to guess).
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str | None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return (token, key). The key is not stored."""
    name = _clean_name(name)
    if not name:
        raise TokenError("Donnez un nom au jeton (par exemple « Excel »).")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (ApiToken.DoesNotExist for anyone else's)."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


class SavedViewError(Exception):
    pass


@transaction.atomic
def saved_view_save(*, user: User, name: str | None, query: str) -> SavedView:
    """Save (or update, by name) one of `user`'s views; `query` is the dashboard's own
    query string, rebuilt from its validated filters by the caller."""
    name = _clean_name(name)
    if not name:
        raise SavedViewError("Donnez un nom à la vue.")
    view, _ = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return view


@transaction.atomic
def saved_view_delete(*, user: User, view_id: int) -> None:
    """Delete one of `user`'s own views (SavedView.DoesNotExist for anyone else's)."""
    SavedView.objects.get(pk=view_id, user=user).delete()
