"""Named saved views: a user keeps the filters of a dashboard under a name."""

import pytest
from django.urls import reverse

from akto_portal.models import SavedView
from akto_portal.services import saved_view_save

pytestmark = pytest.mark.django_db


def test_director_saves_a_view_and_finds_it_on_the_dashboard(client_for, director, documents):
    client = client_for(director)
    response = client.post(
        reverse("saved-view-create"), {"name": "Normandie 2021", "query": "year=2021"}
    )
    view = SavedView.objects.get(user=director)
    # The default region is written down, so the link means the same for everyone.
    assert view.query == "region=28&year=2021"
    assert response["Location"] == "/?region=28&year=2021"
    page = client.get(reverse("overview"))
    assert '<a href="/?region=28&amp;year=2021">Normandie 2021</a>' in page.content.decode()
    assert client.get(response["Location"]).context["pace"]().contracts == 3071


def test_saving_again_under_the_same_name_updates_the_view(client_for, director, documents):
    client = client_for(director)
    client.post(reverse("saved-view-create"), {"name": "Ma vue", "query": "year=2020"})
    client.post(reverse("saved-view-create"), {"name": "Ma vue", "query": "region=&year=2021"})
    assert list(SavedView.objects.values_list("name", "query")) == [
        ("Ma vue", "region=FR&year=2021")
    ]


def test_views_are_private_to_their_owner(client_for, director, outsider, documents):
    view = saved_view_save(user=director, name="Privée", query="region=28")
    client = client_for(outsider)
    assert "Privée" not in client.get(reverse("overview")).content.decode()
    assert client.post(reverse("saved-view-delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_owner_deletes_their_view(client_for, director, documents):
    client = client_for(director)
    client.post(reverse("saved-view-create"), {"name": "Temporaire", "query": ""})
    view = SavedView.objects.get()
    assert client.post(reverse("saved-view-delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_a_view_needs_a_name(client_for, director, documents):
    client_for(director).post(reverse("saved-view-create"), {"name": " ", "query": ""})
    assert not SavedView.objects.exists()
