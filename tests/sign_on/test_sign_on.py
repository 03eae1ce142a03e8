"""The single sign-on, end to end through the portal's views, the provider played by
tests/sign_on/provider.py (its token and JWKS endpoints answer the portal's calls)."""

from urllib.parse import parse_qs, urlsplit

import mozilla_django_oidc.auth
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from akto_portal.models import User
from akto_portal.services import api_token_create
from tests.conftest import PASSWORD
from tests.sign_on.provider import END_SESSION, OIDC_SETTINGS, Provider, _new_key

pytestmark = pytest.mark.django_db

DIRECTOR_CLAIMS = {
    "email": "claire.martin@akto.example",
    "given_name": "Claire",
    "family_name": "Martin",
    "roles": ["portail.directeur"],
    "region": "28",
}


@pytest.fixture
def provider(settings, monkeypatch):
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *django_settings.AUTHENTICATION_BACKENDS,
        "sign_on.backend.PortalOIDCBackend",
    ]
    middleware = list(django_settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
        "sign_on.middleware.ProviderSessionRefresh",
    )
    settings.MIDDLEWARE = middleware
    provider = Provider()
    monkeypatch.setattr(mozilla_django_oidc.auth, "requests", provider)
    return provider


def start(client):
    response = client.get(reverse("sign_on:authenticate"))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, provider, claims):
    location = start(client)
    code = provider.authorize(location, claims)
    state = parse_qs(urlsplit(location).query)["state"][0]
    return client.get(reverse("sign_on:callback"), {"code": code, "state": state})


def assert_refused(response, *words):
    assert response.status_code == 403
    text = response.content.decode()
    assert "Connexion refusée" in text
    for word in words:
        assert word in text
    assert not response.wsgi_request.user.is_authenticated


def test_first_login_creates_the_director_of_their_region(client, provider, normandie):
    response = sign_in(client, provider, DIRECTOR_CLAIMS)

    assert response.status_code == 302
    assert response["Location"] == reverse("overview")
    user = User.objects.get(username="claire.martin@akto.example")
    assert (user.role, user.region, user.first_name, user.last_name) == (
        "director",
        normandie,
        "Claire",
        "Martin",
    )
    assert not user.has_usable_password()
    page = client.get(reverse("overview"))
    assert page.wsgi_request.user == user
    assert page.status_code == 200
    assert "Normandie" in page.content.decode()


def test_the_authorization_request_carries_state_nonce_and_pkce(client, provider):
    params = parse_qs(urlsplit(start(client)).query)
    assert params["scope"] == ["openid email profile"]
    assert params["redirect_uri"] == ["http://testserver/connexion/annuaire/retour/"]
    assert len(params["state"][0]) >= 32 and len(params["nonce"][0]) >= 32
    assert params["code_challenge_method"] == ["S256"]


def test_a_change_in_the_directory_takes_effect_at_the_next_login(client, provider, bretagne):
    sign_in(client, provider, DIRECTOR_CLAIMS)
    client.post(reverse("logout"))

    response = sign_in(
        client, provider, {**DIRECTOR_CLAIMS, "roles": ["portail.equipe"], "region": "53"}
    )

    assert response.status_code == 302
    user = User.objects.get(username="claire.martin@akto.example")
    assert (user.role, user.region) == ("staff", bretagne)
    assert User.objects.filter(username__iexact="claire.martin@akto.example").count() == 1


def test_entra_groups_with_a_region_prefix(client, provider, settings, normandie):
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_REGION_PREFIX = "portail-region-"
    response = sign_in(
        client,
        provider,
        {"email": "paul@akto.example", "groups": ["portail.equipe", "portail-region-28", "autre"]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="paul@akto.example")
    assert (user.role, user.region) == ("staff", normandie)


def test_claims_mapping_to_no_role_are_refused_and_nothing_is_created(client, provider):
    response = sign_in(client, provider, {**DIRECTOR_CLAIMS, "roles": ["comptabilite"]})

    assert_refused(response, "aucun rôle", "support-portail@akto.example")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_wrong_state_is_refused_and_nothing_is_created(client, provider):
    location = start(client)
    code = provider.authorize(location, DIRECTOR_CLAIMS)

    response = client.get(reverse("sign_on:callback"), {"code": code, "state": "forged"})

    assert_refused(response, "pas abouti")
    assert provider.token_requests == 0
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_replayed_code_is_refused(client, provider):
    location = start(client)
    code = provider.authorize(location, DIRECTOR_CLAIMS)
    state = parse_qs(urlsplit(location).query)["state"][0]
    first = client.get(reverse("sign_on:callback"), {"code": code, "state": state})
    assert first.status_code == 302
    User.objects.all().delete()
    client.logout()

    # Same state and code again (the state was spent with the session's login)...
    replay = client.get(reverse("sign_on:callback"), {"code": code, "state": state})
    assert_refused(replay, "pas abouti")
    # ...and a fresh state with the spent code: the provider refuses it.
    fresh = parse_qs(urlsplit(start(client)).query)["state"][0]
    replay = client.get(reverse("sign_on:callback"), {"code": code, "state": fresh})
    assert_refused(replay, "pas abouti")
    assert provider.token_requests == 2
    assert not User.objects.exists()


def test_a_token_signed_by_another_key_is_refused_and_nothing_is_created(client, provider):
    provider.signing_key = _new_key()

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "pas abouti")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_token_from_an_unknown_issuer_is_refused_and_nothing_is_created(client, provider):
    provider.issuer = "https://pirate.example.org"

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "pas abouti")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_token_for_another_client_is_refused_and_nothing_is_created(client, provider):
    provider.audience = "autre-application"

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "pas abouti")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_an_expired_code_is_refused_and_nothing_is_created(client, provider):
    provider.code_lifetime = -1  # the user came back too late: the provider refuses it

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "pas abouti")
    assert provider.token_requests == 1  # the portal did ask, and was refused
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_an_expired_id_token_is_refused_and_nothing_is_created(client, provider):
    provider.token_lifetime = -120

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "pas abouti")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_region_unknown_to_the_portal_is_refused(client, provider):
    assert_refused(sign_in(client, provider, {**DIRECTOR_CLAIMS, "region": "99"}), "« 99 »")
    assert not User.objects.filter(username="claire.martin@akto.example").exists()


def test_a_user_deactivated_in_the_portal_cannot_come_back(client, provider, normandie):
    User.objects.create(
        username="claire.martin@akto.example", role="staff", region=normandie, is_active=False
    )

    assert_refused(sign_in(client, provider, DIRECTOR_CLAIMS), "désactivé")
    user = User.objects.get(username="claire.martin@akto.example")
    assert (user.is_active, user.role) == (False, "staff")


def test_logout_ends_the_providers_session_too(client, provider):
    sign_in(client, provider, DIRECTOR_CLAIMS)
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == END_SESSION
    params = parse_qs(location.query)
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/connexion/"]
    assert not client.get(reverse("login")).wsgi_request.user.is_authenticated


def test_local_logout_stays_local(client, director):
    client.force_login(director)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_the_login_page_offers_the_sign_on_first(client, provider):
    text = client.get(reverse("login")).content.decode()
    assert "Se connecter avec Annuaire AKTO" in text
    assert text.index("Se connecter avec Annuaire AKTO") < text.index('name="password"')


def test_without_configuration_the_login_page_is_as_before(client):
    text = client.get(reverse("login")).content.decode()
    assert "Se connecter avec" not in text
    for name in ("sign_on:authenticate", "sign_on:callback"):
        response = client.get(reverse(name), {"code": "x", "state": "y"})
        assert response.status_code == 404
        assert "pas configurée" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("local_admins_only", [False, True])
def test_local_accounts_for_administrators_only(
    client, provider, settings, director, admin_user, local_admins_only
):
    settings.LOCAL_LOGIN_ADMINS_ONLY = local_admins_only
    login = reverse("login")

    response = client.post(login, {"username": director.username, "password": PASSWORD})
    if local_admins_only:
        assert response.status_code == 200
        assert "réservés aux administrateurs" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated
    else:
        assert response.wsgi_request.user == director
    client.logout()

    response = client.post(login, {"username": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == admin_user


def test_a_refused_callback_leaves_a_signed_in_user_as_they_were(client, provider, staff):
    client.force_login(staff)

    response = client.get(reverse("sign_on:callback"), {"code": "x", "state": "forged"})

    assert response.status_code == 403
    assert response.wsgi_request.user == staff
    assert client.get(reverse("overview")).wsgi_request.user == staff


def expire_the_check(client):
    session = client.session
    session["oidc_id_token_expiration"] = 0
    session.save()


def test_the_session_is_checked_again_with_the_provider_and_ends_with_it(client, provider):
    sign_in(client, provider, DIRECTOR_CLAIMS)
    assert client.get(reverse("overview")).status_code == 200
    expire_the_check(client)

    response = client.get(reverse("overview"))

    assert response.status_code == 302
    params = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(OIDC_SETTINGS["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    assert params["prompt"] == ["none"]
    # The provider's session has ended: it answers an error, the portal's ends too.
    client.get(
        reverse("sign_on:callback"), {"error": "login_required", "state": params["state"][0]}
    )
    assert not client.get(reverse("login")).wsgi_request.user.is_authenticated


def test_while_the_providers_session_lives_the_check_comes_back_at_once(client, provider):
    sign_in(client, provider, DIRECTOR_CLAIMS)
    expire_the_check(client)
    location = client.get(reverse("event-list")).headers["Location"]

    code = provider.authorize(location, DIRECTOR_CLAIMS)
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get(reverse("sign_on:callback"), {"code": code, "state": state})

    assert response["Location"] == reverse("event-list")
    page = client.get(reverse("event-list"))
    assert page.status_code == 200
    assert page.wsgi_request.user.username == "claire.martin@akto.example"


def test_local_accounts_and_api_tokens_are_not_sent_to_the_provider(client, provider, director):
    _token, key = api_token_create(user=director, name="Excel")
    response = client.get(reverse("api-contracts-summary"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.wsgi_request.user == director

    client.force_login(director)
    assert client.get(reverse("overview")).status_code == 200


def test_a_user_the_provider_no_longer_vouches_for_keeps_no_working_token(client, provider):
    sign_in(client, provider, DIRECTOR_CLAIMS)
    user = User.objects.get(username="claire.martin@akto.example")
    _token, key = api_token_create(user=user, name="Power BI")
    client.post(reverse("logout"))
    api = Client()
    url = reverse("api-contracts-summary")
    assert api.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    refused = sign_in(client, provider, {**DIRECTOR_CLAIMS, "roles": []})

    assert_refused(refused, "aucun rôle")
    assert api.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
