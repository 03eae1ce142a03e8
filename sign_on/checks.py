"""A sign-on switched on (OIDC_ISSUER) without what it needs is an error of
`manage.py check`, so it shows at deploy time instead of as a failed login."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register

NEEDED = {
    "OIDC_CLIENT_ID": "OIDC_RP_CLIENT_ID",
    "OIDC_CLIENT_SECRET": "OIDC_RP_CLIENT_SECRET",
    "OIDC_AUTHORIZATION_ENDPOINT": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_TOKEN_ENDPOINT": "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_JWKS_ENDPOINT": "OIDC_OP_JWKS_ENDPOINT",
}


@register()
def sign_on_configured(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.OIDC_ENABLED:
        return []
    missing = [variable for variable, name in NEEDED.items() if not getattr(settings, name, "")]
    if not missing:
        return []
    return [
        Error(
            f"OIDC_ISSUER is set but {', '.join(missing)} is empty.",
            hint="`manage.py oidc_endpoints` prints the endpoints from the provider's "
            "discovery document; the client id and secret come from the provider.",
            id="sign_on.E001",
        )
    ]
