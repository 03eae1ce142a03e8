"""The authentication backend of the single sign-on: mozilla-django-oidc's, which runs
the authorization code flow (state, nonce, PKCE, the ID token's signature checked against
the provider's JWKS), plus what the portal needs:

- the ID token's issuer and audience are checked too (the library checks neither; its
  PyJWT checks the expiry, and the callback refuses an expired token);
- the user is found by the claim OIDC_USERNAME_CLAIM (their username in the portal),
  created at their first login, and given at each login the role and region their
  claims map to (sign_on/claims.py), so a change in the directory takes effect at the
  next login;
- a user whose claims map to no role, or who was deactivated in the portal, is refused
  (`Refused`, shown by the callback view as a French page) and nothing is written.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from akto_portal.models import ApiToken, Region, User
from akto_portal.permissions import AnyUser, RoleBackend
from sign_on.claims import Assignment, ClaimMapping, Refused, assignment_from_claims


def claim_mapping() -> ClaimMapping:
    return ClaimMapping(
        role_claim=settings.OIDC_ROLE_CLAIM,
        admin_values=frozenset(settings.OIDC_ADMIN_VALUES),
        director_values=frozenset(settings.OIDC_DIRECTOR_VALUES),
        staff_values=frozenset(settings.OIDC_STAFF_VALUES),
        region_claim=settings.OIDC_REGION_CLAIM,
        region_prefix=settings.OIDC_REGION_PREFIX,
    )


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("ID token from an unknown issuer.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client.")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        # Entra ID puts `roles` and `groups` in the ID token only; ProConnect puts the
        # user's details in the userinfo answer: both are read, userinfo last.
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            claims.update(super().get_userinfo(access_token, id_token, payload))
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._username(claims))

    def _username(self, claims: dict[str, Any]) -> str:
        value = claims.get(settings.OIDC_USERNAME_CLAIM)
        return value.strip()[:150] if isinstance(value, str) else ""

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(username__iexact=self._username(claims))

    def _apply(self, user: User, claims: dict[str, Any]) -> User:
        assignment: Assignment = assignment_from_claims(claims, mapping=claim_mapping())
        region = None
        if assignment.region_code is not None:
            region = Region.objects.filter(code=assignment.region_code).first()
            if region is None:
                raise Refused(
                    f"La région « {assignment.region_code} » de votre compte de l'annuaire"
                    " n'existe pas sur le portail."
                )
        user.role = assignment.role
        user.region = region
        user.email = claims.get("email") or user.email
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        # ProConnect's family name is `usual_name`.
        family_name = claims.get("family_name") or claims.get("usual_name")
        user.last_name = (family_name or user.last_name)[:150]
        user.save()
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        with transaction.atomic():
            user = User(username=self._username(claims))
            user.set_unusable_password()
            return self._apply(user, claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if not user.is_active:
            raise Refused("Votre compte du portail a été désactivé.")
        try:
            with transaction.atomic():
                return self._apply(user, claims)
        except Refused:
            # The directory no longer gives them a place: their API tokens stop working
            # too (their account stays as it was, for an administrator to look at).
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            raise

    # Permissions are the role's, given by akto_portal.permissions.RoleBackend alone.
    def get_user(self, user_id: Any) -> User | None:
        return RoleBackend().get_user(user_id)

    def get_all_permissions(self, user_obj: AnyUser, obj: Model | None = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: AnyUser, perm: str, obj: Model | None = None) -> bool:
        return False

    def has_module_perms(self, user_obj: AnyUser, app_label: str) -> bool:
        return False
