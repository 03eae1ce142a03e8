"""`manage.py oidc_endpoints`: the provider's endpoints, read from its discovery document
(`<OIDC_ISSUER>/.well-known/openid-configuration`), as the lines to put in the
environment. Run once when the sign-on is set up or the provider changes: the portal
itself never fetches the document, so it starts even while the provider is down."""

from argparse import ArgumentParser
from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Environment variable: the discovery document's key. The first four are required.
ENDPOINTS = {
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}
REQUIRED = ("OIDC_AUTHORIZATION_ENDPOINT", "OIDC_TOKEN_ENDPOINT", "OIDC_JWKS_ENDPOINT")


class Command(BaseCommand):
    help = (
        "Affiche les adresses du fournisseur OpenID Connect, lues dans son document de découverte."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--issuer", help="l'émetteur (par défaut OIDC_ISSUER)")

    def handle(self, *args: Any, issuer: str | None = None, **options: Any) -> None:
        issuer = issuer or settings.OIDC_ISSUER
        if not issuer:
            raise CommandError("Indiquez l'émetteur : OIDC_ISSUER ou --issuer.")
        url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"Document de découverte illisible ({url}) : {error}") from error
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            found = document.get("issuer") if isinstance(document, dict) else None
            raise CommandError(
                f"Le document de {url} annonce l'émetteur « {found} », pas « {issuer} » :"
                " OIDC_ISSUER doit être exactement l'émetteur des jetons."
            )
        missing = [name for name in REQUIRED if not document.get(ENDPOINTS[name])]
        if missing:
            raise CommandError(f"Le document de {url} ne donne pas : {', '.join(missing)}.")
        if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
            self.stderr.write("Attention : le fournisseur n'annonce pas PKCE (S256).")
        self.stdout.write(f"OIDC_ISSUER={issuer}")
        for name, key in ENDPOINTS.items():
            if document.get(key):
                self.stdout.write(f"{name}={document[key]}")
