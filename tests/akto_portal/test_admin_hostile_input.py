"""The admin answers a value no query can take with a 400, never a 500: a non-numeric
selection for an action, `?region=abc` on an add form, a non-numeric history id, a NUL
in a changelist filter."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_an_action_on_a_non_numeric_selection_is_a_bad_request(client_for, admin_user):
    Group.objects.create(name="Pilotage")
    response = client_for(admin_user).post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": ["abc"], "index": "0", "post": "yes"},
    )
    assert response.status_code == 400
    assert Group.objects.filter(name="Pilotage").exists()


def test_an_add_form_with_a_non_numeric_initial_region_is_a_bad_request(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:events_event_add"), {"region": "abc"})
    assert response.status_code == 400
    assert response.wsgi_request.user == admin_user


def test_a_non_numeric_history_id_is_a_bad_request(client_for, admin_user, normandie):
    event = EventFactory(region=normandie)
    url = reverse("admin:events_event_history", args=[event.pk]) + "abc/"
    assert client_for(admin_user).get(url).status_code == 400


def test_a_nul_in_a_changelist_filter_is_a_bad_request(client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("admin:events_event_changelist"), {"region__id__exact": "a\x00b"}
    )
    assert response.status_code == 400


def test_a_30_digit_event_filter_is_answered(client_for, admin_user, normandie):
    EventFactory(region=normandie)
    response = client_for(admin_user).get(reverse("event-list"), {"year": "9" * 30})
    assert response.status_code < 500
    assert Event.objects.count() == 1


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_page": "0", "q": "x"}])
def test_an_export_with_unknown_filters_is_a_bad_request(client_for, admin_user, params):
    client = client_for(admin_user)
    response = client.get(reverse("admin:conventions_partner_export"), params)
    assert response.status_code == 400
    response = client.post(reverse("admin:conventions_partner_export") + "?page=0", {})
    assert response.status_code == 400
    assert client.get(reverse("admin:conventions_partner_export")).status_code == 200


def test_an_export_of_a_hostile_selection_is_answered(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:conventions_partner_export"),
        {"resource": "0", "format": "0", "export_items": ["9" * 20, "abc"]},
    )
    assert response.status_code < 500
