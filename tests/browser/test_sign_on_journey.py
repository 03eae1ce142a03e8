"""The single sign-on in Chromium, through a real OpenID Connect provider
(django-oidc-provider, tests/oidc_provider_site/) run in its own process on a free
port, with its own SQLite file and RSA key: the portal redirects, the provider's login
form is filled, the callback creates the director with the role and region their
groups give, the dashboard opens on Normandie, logout returns to the provider."""

import copy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from akto_portal.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mot-de-passe-de-l-annuaire"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider(live_server, tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider_site.settings",
        "PROVIDER_DB": str(tmp_path / "provider.sqlite3"),
        "PROVIDER_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    run = [sys.executable, "-m", "django"]
    subprocess.run([*run, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    setup = [sys.executable, "tests/oidc_provider_site/setup.py"]
    subprocess.run(
        [*setup, live_server.url, "portail", "secret", PASSWORD], env=env, cwd=ROOT, check=True
    )
    server = subprocess.Popen(
        [*run, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                discovery = requests.get(
                    f"{url}/openid/.well-known/openid-configuration", timeout=2
                ).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the provider did not start")
        yield discovery
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def sign_on(provider, settings):
    settings.OIDC_ISSUER = provider["issuer"]
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "l'annuaire de test"
    settings.OIDC_RP_CLIENT_ID = "portail"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = provider["end_session_endpoint"]
    policy = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider["issuer"].rsplit("/openid", 1)[0])
    settings.CONTENT_SECURITY_POLICY = policy
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_REGION_PREFIX = "portail-region-"
    settings.AUTHENTICATION_BACKENDS = [
        *django_settings.AUTHENTICATION_BACKENDS,
        "sign_on.backend.PortalOIDCBackend",
    ]
    return provider


def test_a_director_signs_on_through_the_provider(page, live_server, sign_on):
    page.goto(f"{live_server.url}/connexion/")
    page.click("text=Se connecter avec l'annuaire de test")

    page.wait_for_selector("text=Annuaire de test")
    assert page.url.startswith(sign_on["issuer"].rsplit("/openid", 1)[0])
    page.fill("#id_username", "claire")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    user = User.objects.get(username="claire.martin@akto.example")
    assert (user.role, user.region.code, user.first_name) == ("director", "28", "Claire")
    assert "Normandie" in page.inner_text("main")

    page.click("text=Se déconnecter")
    page.wait_for_url(f"{live_server.url}/connexion/")
    # The provider's session ended too: signing on again asks for the password.
    page.click("text=Se connecter avec l'annuaire de test")
    page.wait_for_selector("#id_password")
