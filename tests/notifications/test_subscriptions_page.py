"""Mes abonnements, and who sees who receives what in the admin."""

import re

import pytest

from notifications.models import Subscription
from notifications.services import subscription_save

pytestmark = pytest.mark.django_db
URL = "/compte/abonnements/"


def test_user_sets_frequency_and_followed_regions(client_for, director, normandie, bretagne):
    client = client_for(director)
    page = client.get(URL)
    assert page.status_code == 200
    assert "la région Normandie" in page.content.decode()
    response = client.post(
        URL, {"frequency": "monthly", "regions": [normandie.pk, bretagne.pk], "france": "on"}
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=director)
    assert subscription.frequency == "monthly" and subscription.france
    assert {r.code for r in subscription.regions.all()} == {"28", "53"}
    shown = client.get(URL).content.decode()
    assert re.search(r'value="monthly"[^>]*checked', shown)
    assert not re.search(r'value="weekly"[^>]*checked', shown)


def test_unknown_frequency_is_refused(client_for, staff):
    response = client_for(staff).post(URL, {"frequency": "daily"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_page_needs_login(client):
    assert client.get(URL).status_code == 302


def test_admin_shows_who_receives_what_read_only_for_directors(
    client_for, admin_user, director, staff
):
    staff.email = "equipe@example.org"
    staff.save()
    subscription_save(user=staff, frequency="weekly")
    listing = "/admin/notifications/subscription/"
    page = client_for(director).get(listing)
    assert page.status_code == 200 and "equipe@example.org" in page.content.decode()
    subscription = Subscription.objects.get()
    change = f"/admin/notifications/subscription/{subscription.pk}/change/"
    assert client_for(director).post(change, {"frequency": "none"}).status_code == 403
    assert client_for(director).get("/admin/notifications/subscription/add/").status_code == 403
    assert client_for(staff).get(listing).status_code == 403
    assert client_for(staff).get("/admin/notifications/delivery/").status_code == 403
    assert client_for(admin_user).get("/admin/notifications/delivery/").status_code == 200
    assert client_for(admin_user).get(change).status_code == 200
