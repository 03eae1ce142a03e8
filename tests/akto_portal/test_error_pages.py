"""French error pages in the portal's style, JSON errors under /api/, and a missing
static file answering 404."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
FAILING_URLS = "tests.akto_portal.urls_with_failing_views"


@pytest.fixture
def lenient(director):
    """A logged-in client that returns the error response instead of raising."""
    client = Client(raise_request_exception=False)
    client.force_login(director)
    return client


@pytest.mark.urls(FAILING_URLS)
def test_a_view_that_fails_gives_the_french_500_page(lenient):
    response = lenient.get("/echec/500/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Erreur interne du portail" in html
    assert "Server Error" not in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html


@pytest.mark.urls(FAILING_URLS)
def test_an_api_view_that_fails_answers_json_500(lenient):
    response = lenient.get("/api/v1/echec/500/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Erreur interne du serveur. L'incident est enregistré."}


@pytest.mark.urls(FAILING_URLS)
@pytest.mark.parametrize(
    ("status", "title", "detail"),
    [(400, "Requête invalide", "Requête invalide."), (403, "Accès refusé", "Accès refusé.")],
)
def test_400_and_403_in_french_and_in_json(lenient, status, title, detail):
    page = lenient.get(f"/echec/{status}/")
    assert page.status_code == status
    assert f"<h1>{title}</h1>" in page.content.decode()
    api = lenient.get(f"/api/v1/echec/{status}/")
    assert api.status_code == status
    assert api.json() == {"detail": detail}


def test_an_unknown_page_is_the_french_404(lenient):
    response = lenient.get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in html
    assert "Not Found" not in html
    assert "Événements" in html  # the portal's navigation, for a logged-in user


def test_an_unknown_api_path_answers_json_404(lenient):
    response = lenient.get("/api/v1/inconnu")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ressource introuvable."}


def test_a_form_without_csrf_token_gets_the_french_403(director):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formulaire expiré ou non vérifié" in response.content.decode()

    client.force_login(director)
    api = client.post(reverse("api-events-summary"))
    assert api.status_code == 403
    assert api.json() == {"detail": "Vérification CSRF échouée : rechargez la page et réessayez."}


def test_a_missing_static_file_is_not_found():
    assert finders.find("css/absent.css") is None
    assert finders.find("css/absent.css", find_all=True) == []
    assert finders.find("vendor/plotly.min.js").endswith("plotly.min.js")


@override_settings(WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True)
def test_in_development_a_missing_static_file_answers_404():
    """With DEBUG, WhiteNoise asks the finders for every /static/ path."""
    client = Client(raise_request_exception=False)
    assert client.get("/static/css/absent.css").status_code == 404
    for path in ("/static/css/portal.css", "/static/vendor/plotly.min.js"):
        response = client.get(path)
        response.close()
        assert response.status_code == 200
