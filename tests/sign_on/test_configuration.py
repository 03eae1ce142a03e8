"""Setting the sign-on up: the endpoints read from the provider's discovery document by
`manage.py oidc_endpoints`, and `manage.py check` refusing a half-configured sign-on."""

import io

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from sign_on import checks
from sign_on.management.commands import oidc_endpoints
from tests.sign_on.provider import AUTHORIZATION, END_SESSION, ISSUER, JWKS, TOKEN

DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": AUTHORIZATION,
    "token_endpoint": TOKEN,
    "jwks_uri": JWKS,
    "userinfo_endpoint": f"{ISSUER}/userinfo",
    "end_session_endpoint": END_SESSION,
    "code_challenge_methods_supported": ["S256"],
}


class _Answer:
    def __init__(self, document, status=200):
        self.document, self.status_code = document, status

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(str(self.status_code))

    def json(self):
        return self.document


@pytest.fixture
def discovery(monkeypatch):
    asked = []

    def get(url, timeout):
        asked.append(url)
        return _Answer(discovery.document)

    discovery.document = dict(DISCOVERY)
    discovery.asked = asked
    monkeypatch.setattr(oidc_endpoints.requests, "get", get)
    return discovery


def _run(**options):
    out = io.StringIO()
    call_command("oidc_endpoints", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().splitlines()


def test_the_endpoints_come_from_the_discovery_document(discovery, settings):
    settings.OIDC_ISSUER = ISSUER
    assert _run() == [
        f"OIDC_ISSUER={ISSUER}",
        f"OIDC_AUTHORIZATION_ENDPOINT={AUTHORIZATION}",
        f"OIDC_TOKEN_ENDPOINT={TOKEN}",
        f"OIDC_JWKS_ENDPOINT={JWKS}",
        f"OIDC_USERINFO_ENDPOINT={ISSUER}/userinfo",
        f"OIDC_END_SESSION_ENDPOINT={END_SESSION}",
    ]
    assert discovery.asked == [f"{ISSUER}/.well-known/openid-configuration"]


def test_a_document_of_another_issuer_is_refused(discovery):
    discovery.document["issuer"] = "https://autre.example.org"
    with pytest.raises(CommandError, match="annonce l'émetteur « https://autre.example.org »"):
        _run(issuer=ISSUER)


def test_a_document_without_a_token_endpoint_is_refused(discovery):
    del discovery.document["token_endpoint"]
    with pytest.raises(CommandError, match="ne donne pas : OIDC_TOKEN_ENDPOINT"):
        _run(issuer=ISSUER)


def test_an_unreachable_provider_is_said_in_french(monkeypatch):
    def refused(url, timeout):
        raise requests.ConnectionError("connexion refusée")

    monkeypatch.setattr(oidc_endpoints.requests, "get", refused)
    with pytest.raises(CommandError, match="Document de découverte illisible"):
        _run(issuer=ISSUER)


def test_without_an_issuer_the_command_says_what_to_give(settings):
    settings.OIDC_ISSUER = ""
    with pytest.raises(CommandError, match="OIDC_ISSUER ou --issuer"):
        _run()


def _configured(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "portail-alternance"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = AUTHORIZATION
    settings.OIDC_OP_TOKEN_ENDPOINT = TOKEN
    settings.OIDC_OP_JWKS_ENDPOINT = JWKS


def test_check_refuses_a_sign_on_without_its_endpoints(settings):
    _configured(settings)
    assert checks.sign_on_configured(None) == []
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    (error,) = checks.sign_on_configured(None)
    assert error.id == "sign_on.E001"
    assert "OIDC_JWKS_ENDPOINT" in error.msg and "oidc_endpoints" in error.hint


def test_check_says_nothing_while_the_sign_on_is_off(settings):
    settings.OIDC_ENABLED = False
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    assert checks.sign_on_configured(None) == []
