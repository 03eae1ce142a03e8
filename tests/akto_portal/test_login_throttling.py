"""Login throttling (django-axes) on the portal's and the admin's login: per pair
(username, address), with a looser limit per address, a French lockout page (429 with
Retry-After), unlocked by an administrator in the admin; a username too long for the
form is a form error."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.test import override_settings
from django.urls import reverse

from akto_portal.login_throttling import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = settings.AXES_FAILURE_LIMIT
ATTACKER = "203.0.113.66"


def post_login(client, username, password, ip=ATTACKER, url=None, **headers):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **headers,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_five_wrong_ones(client, director):
    assert LIMIT == 5
    for _ in range(LIMIT - 1):
        response = post_login(client, director.username, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect." in response.content.decode()

    fifth = post_login(client, director.username, "mauvais-mot-de-passe")
    assert fifth.status_code == 429
    assert fifth["Retry-After"] == "900"  # the 15 minutes of cool-off

    response = post_login(client, director.username, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert not logged_in(client)
    assert "Connexion temporairement bloquée" in html
    assert "Trop de tentatives de connexion ont échoué (5)" in html
    assert "Réessayez dans 15 minutes" in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html


def test_wrong_passwords_from_one_address_do_not_lock_the_account_from_another(
    client, client_factory, director
):
    """Five wrong passwords for X from address A locked X everywhere: anyone could lock
    anyone out by typing their username."""
    for _ in range(LIMIT):
        post_login(client, director.username, "mauvais", ip=ATTACKER)
    assert post_login(client, director.username, PASSWORD, ip=ATTACKER).status_code == 429

    colleague = client_factory()
    response = post_login(colleague, director.username, PASSWORD, ip="192.0.2.200")

    assert response.status_code == 302
    assert logged_in(colleague)


def test_one_address_trying_many_usernames_is_locked_at_the_looser_limit(client, staff, outsider):
    address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert address_limit == 30
    for n in range(address_limit - 1):
        assert post_login(client, f"inconnu-{n}", "mauvais").status_code == 200
    assert post_login(client, "inconnu-dernier", "mauvais").status_code == 429

    response = post_login(client, staff.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "ou 30 depuis cette adresse, tous identifiants confondus" in response.content.decode()
    assert not logged_in(client)
    response = post_login(client, outsider.username, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert logged_in(client)


def test_a_forged_x_forwarded_for_does_not_escape_the_address_lock(client, staff):
    """Exposed directly (BEHIND_PROXY off), X-Forwarded-For is the client's own word."""
    for n in range(LIMIT):
        post_login(client, staff.username, "mauvais", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")

    response = post_login(client, staff.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.8.99")
    assert response.status_code == 429


@pytest.mark.parametrize("url", ["/connexion/", "/admin/login/"])
def test_a_username_of_256_characters_is_a_form_error(client, url):
    response = post_login(client, "x" * 256, "mauvais", url=url)

    assert response.status_code == 200
    assert "au plus 150 caractères" in response.content.decode().replace("&#x27;", "'")
    assert not logged_in(client)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended():
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    assert client_ip(request) == "10.0.0.2"
    with override_settings(BEHIND_PROXY=True):
        assert client_ip(request) == "198.51.100.7"
        request.META = {"REMOTE_ADDR": "10.0.0.2"}
        assert client_ip(request) == "10.0.0.2"


def test_the_admin_login_is_throttled_too(client, admin_user):
    url = reverse("admin:login")
    for _ in range(LIMIT):
        post_login(client, admin_user.username, "mauvais", url=url)

    response = post_login(client, admin_user.username, PASSWORD, url=url)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert not logged_in(client)


def test_an_administrator_unlocks_a_user_in_the_admin(client, client_factory, admin_user, director):
    for _ in range(LIMIT):
        post_login(client, director.username, "mauvais")
    assert post_login(client, director.username, PASSWORD).status_code == 429

    # A director cannot see nor delete the lockouts; an administrator deletes them.
    lockouts = reverse("admin:axes_accessattempt_changelist")
    director_client = client_factory()
    director_client.force_login(director)
    assert director_client.get(lockouts).status_code == 403

    admin = client_factory()
    admin.force_login(admin_user)
    listing = admin.get(lockouts, {"q": director.username})
    assert listing.status_code == 200
    assert director.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=director.username)
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=director.username).exists()

    response = post_login(client, director.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_client_login_works_when_given_a_request(client, director):
    """django-axes checks every authentication against its request: tests that log in by
    password pass one (most use force_login, which does not authenticate)."""
    assert client.login(request=HttpRequest(), username=director.username, password=PASSWORD)
    assert logged_in(client)


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
