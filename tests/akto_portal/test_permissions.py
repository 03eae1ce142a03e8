"""Every permission rule, tried by the outsider."""

import pytest
from django.urls import reverse

from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def normandie_event(normandie):
    return EventFactory(region=normandie)


@pytest.fixture
def bretagne_event(bretagne):
    return EventFactory(region=bretagne)


def change_url(event):
    return reverse("admin:events_event_change", args=[event.pk])


def event_form(event, **changes):
    data = {
        "title": event.title,
        "kind": event.kind,
        "date": event.date.isoformat(),
        "date_precision": "day",
        "region": event.region_id,
        "place": event.place,
        "expected_version": event.version,  # the version the form was displayed with
        "attendances-TOTAL_FORMS": "0",
        "attendances-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_staff_changes_an_event_of_their_region(client_for, staff, normandie_event):
    response = client_for(staff).post(
        change_url(normandie_event), event_form(normandie_event, title="Renommé")
    )
    assert response.status_code == 302
    normandie_event.refresh_from_db()
    assert normandie_event.title == "Renommé"
    assert normandie_event.history.first().history_user == staff


def test_staff_cannot_change_an_event_of_another_region(client_for, outsider, normandie_event):
    client = client_for(outsider)
    response = client.post(change_url(normandie_event), event_form(normandie_event, title="Pirate"))
    assert response.status_code == 403
    assert Event.objects.get(pk=normandie_event.pk).title != "Pirate"
    delete = client.post(
        reverse("admin:events_event_delete", args=[normandie_event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Event.objects.filter(pk=normandie_event.pk).exists()


def test_staff_cannot_create_an_event_in_another_region(client_for, staff, bretagne):
    event = EventFactory.build(region=bretagne)
    response = client_for(staff).post(reverse("admin:events_event_add"), event_form(event))
    assert response.status_code == 200  # the form refuses the region
    assert not Event.objects.filter(title=event.title).exists()


def test_staff_cannot_open_the_conventions_admin(client_for, staff):
    client = client_for(staff)
    assert client.get(reverse("admin:conventions_convention_changelist")).status_code == 403
    assert client.get(reverse("admin:contracts_contracttarget_changelist")).status_code == 403


def test_director_reads_but_does_not_change(client_for, director, normandie_event):
    client = client_for(director)
    assert client.get(reverse("admin:conventions_convention_changelist")).status_code == 200
    response = client.post(change_url(normandie_event), event_form(normandie_event, title="X"))
    assert response.status_code == 403
    assert client.get(reverse("admin:conventions_convention_add")).status_code == 403


def test_only_admins_manage_targets(client_for, admin_user, director, staff):
    url = reverse("admin:contracts_contracttarget_add")
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(director).get(url).status_code == 403
    assert client_for(staff).get(url).status_code == 403


def test_object_permission_predicate(staff, outsider, admin_user, director, normandie_event):
    assert staff.has_perm("events.change_event", normandie_event)
    assert not outsider.has_perm("events.change_event", normandie_event)
    assert not director.has_perm("events.change_event", normandie_event)
    assert director.has_perm("events.view_event", normandie_event)
    assert admin_user.has_perm("events.change_event", normandie_event)
