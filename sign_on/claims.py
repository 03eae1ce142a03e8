"""From the identity provider's claims to a portal role and region: a pure function.

The mapping is configured from the environment (settings.OIDC_*):

- OIDC_ROLE_CLAIM names the claim holding the user's groups or app roles (`roles` for
  Entra ID app roles, `groups` for Entra ID groups, any claim of a generic provider);
  a string or a list of strings.
- OIDC_ADMIN_VALUES, OIDC_DIRECTOR_VALUES, OIDC_STAFF_VALUES: the values of that claim
  meaning administrator, regional director, regional staff. When several match, the
  strongest role wins (administrator, then director, then staff).
- OIDC_REGION_CLAIM names the claim holding the region: an INSEE code ("28") or, with
  OIDC_REGION_PREFIX set (e.g. "portail-region-"), values of the role claim such as
  "portail-region-28" (Entra ID groups). Administrators need no region; a director or
  staff member without one is refused.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ADMIN = "admin"
DIRECTOR = "director"
STAFF = "staff"


@dataclass(frozen=True)
class ClaimMapping:
    role_claim: str = "roles"
    admin_values: frozenset[str] = frozenset()
    director_values: frozenset[str] = frozenset()
    staff_values: frozenset[str] = frozenset()
    region_claim: str = ""
    region_prefix: str = ""


@dataclass(frozen=True)
class Assignment:
    role: str
    region_code: str | None


class Refused(Exception):
    """The claims give the user no place in the portal; `reason` is French, shown to them."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _values(claim: Any) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, Iterable) and not isinstance(claim, Mapping | bytes):
        return [str(value) for value in claim if isinstance(value, str | int)]
    return []


def assignment_from_claims(claims: Mapping[str, Any], *, mapping: ClaimMapping) -> Assignment:
    """The role and region the claims give, or Refused with a French reason."""
    values = set(_values(claims.get(mapping.role_claim)))
    if values & mapping.admin_values:
        role = ADMIN
    elif values & mapping.director_values:
        role = DIRECTOR
    elif values & mapping.staff_values:
        role = STAFF
    else:
        raise Refused("Votre compte de l'annuaire ne vous donne aucun rôle sur le portail.")

    region_code: str | None = None
    if mapping.region_prefix:
        candidates = sorted(
            value.removeprefix(mapping.region_prefix)
            for value in values | set(_values(claims.get(mapping.region_claim)))
            if value.startswith(mapping.region_prefix)
        )
    else:
        candidates = _values(claims.get(mapping.region_claim)) if mapping.region_claim else []
    candidates = [code.strip() for code in candidates if code.strip()]
    if len(set(candidates)) > 1 and role != ADMIN:
        raise Refused("Votre compte de l'annuaire vous rattache à plusieurs régions.")
    if candidates:
        region_code = candidates[0]
    if role != ADMIN and region_code is None:
        raise Refused("Votre compte de l'annuaire ne vous rattache à aucune région.")
    return Assignment(role=role, region_code=region_code if role != ADMIN else None)
