"""Personal API tokens: created and revoked by their owner only."""

import pytest
from django.urls import reverse

from akto_portal.models import ApiToken
from akto_portal.services import api_token_create

pytestmark = pytest.mark.django_db


def test_user_creates_a_token_and_sees_its_key_once(client_for, director):
    client = client_for(director)
    response = client.post(reverse("api-tokens"), {"name": "Power BI"})
    key = response.context["new_key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=director)
    assert token.name == "Power BI" and key not in token.key_hash
    assert key not in client.get(reverse("api-tokens")).content.decode()


def test_token_needs_a_name(client_for, director):
    client_for(director).post(reverse("api-tokens"), {"name": "  "})
    assert not ApiToken.objects.exists()


def test_user_sees_and_revokes_only_their_own_tokens(client_for, director, outsider):
    theirs, _ = api_token_create(user=director, name="Excel du directeur")
    client = client_for(outsider)
    assert "Excel du directeur" not in client.get(reverse("api-tokens")).content.decode()
    response = client.post(reverse("api-token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_owner_revokes_their_token(client_for, director):
    token, _ = api_token_create(user=director, name="Excel")
    response = client_for(director).post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_page_requires_login(client):
    assert client.get(reverse("api-tokens")).status_code == 302
