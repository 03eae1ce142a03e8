"""Content-Security-Policy, Permissions-Policy, and X-Forwarded-Proto trusted only behind
a proxy that says so."""

import base64
import hashlib
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from akto_portal.staticfinders import PLOTLY_DIR

pytestmark = pytest.mark.django_db
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    path for path in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in path.parts
]


def directives(header):
    return {
        name: values
        for name, _, values in (part.strip().partition(" ") for part in header.split(";"))
    }


def test_pages_carry_a_csp_without_inline_scripts(client_for, director):
    response = client_for(director).get(reverse("event-list"))
    assert response.status_code == 200
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    # Inline <style> elements: only plotly.js's own, by their hashes.
    assert csp["style-src-elem"].startswith("'self' 'sha256-")
    assert "unsafe-inline" not in csp["style-src-elem"]
    # The only inline handler: django-import-export's "select all" box, by its hash.
    assert csp["script-src-attr"] == (
        "'unsafe-hashes' 'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
    )


def test_the_csp_allows_the_stylesheets_plotly_js_writes():
    """plotly.js adds an empty <style> element, and at load a map stylesheet: both
    hashes must be those of the installed plotly.js (they change with its version)."""
    plotly_js = (PLOTLY_DIR / "plotly.min.js").read_text(encoding="utf-8")
    start = plotly_js.index("textContent='.maplibregl-map") + len("textContent='")
    map_style = plotly_js[start : plotly_js.index("'", start)]
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-elem"]
    assert sha256_source("") in allowed
    assert sha256_source(map_style) in allowed


def sha256_source(text):
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def test_the_login_page_carries_the_permissions_policy(client):
    response = client.get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "Content-Security-Policy" in response


def test_no_template_has_inline_scripts_handlers_or_style_attributes():
    offenders = []
    inline = [
        re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.I),
        re.compile(r"\son[a-z]+\s*=", re.I),
        re.compile(r"\sstyle\s*=", re.I),
        re.compile(r"<style", re.I),
    ]
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if "mail" in template.parts:
                continue  # mails are not served under the CSP (mail clients want inline styles)
            text = template.read_text(encoding="utf-8")
            offenders += [f"{template}: {p.pattern}" for p in inline if p.search(text)]
    assert not offenders


def test_a_forged_x_forwarded_proto_is_not_trusted_by_default(client):
    assert settings.SECURE_PROXY_SSL_HEADER is None
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/connexion/"


def settings_with(monkeypatch, **environ):
    for name, value in {"DEBUG": "0", "SECRET_KEY": "x" * 60, **environ}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "akto_portal" / "settings.py"))


def test_x_forwarded_proto_is_trusted_only_with_behind_proxy(monkeypatch):
    monkeypatch.delenv("BEHIND_PROXY", raising=False)
    assert "SECURE_PROXY_SSL_HEADER" not in settings_with(monkeypatch)
    behind = settings_with(monkeypatch, BEHIND_PROXY="1")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_behind_a_proxy_the_forwarded_proto_is_believed(client):
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_health_check_is_not_redirected_to_https(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
