"""The admin's event form respects optimistic locking like the staff pages: a form
loaded before someone else's save is refused instead of silently overwriting it."""

import pytest
from django.urls import reverse

from events import services
from events.models import Attendance, Event, ParticipantCategory
from tests.admin_forms import admin_page_data
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db
STALE = "modifié entre-temps"


@pytest.fixture
def event(normandie):
    event = EventFactory(region=normandie, title="Réunion de Caen")
    AttendanceFactory(event=event, category=ParticipantCategory.COMPANIES, planned=109, actual=109)
    return event


def change_url(event):
    return reverse("admin:events_event_change", args=[event.pk])


def companies(event):
    row = Attendance.objects.get(event=event, category=ParticipantCategory.COMPANIES)
    return row.planned, row.actual


def staff_saves_attendance(staff, event, planned, actual):
    services.attendance_save(
        user=staff,
        event=event,
        expected_version=Event.objects.get(pk=event.pk).version,
        counts={ParticipantCategory.COMPANIES: (planned, actual)},
    )


def test_admin_form_loaded_before_a_staff_save_does_not_overwrite_the_attendance(
    client_for, admin_user, staff, event
):
    client = client_for(admin_user)
    data = admin_page_data(client.get(change_url(event)))  # loaded at version 1
    staff_saves_attendance(staff, event, 5, 5)
    data["attendances-0-planned"] = data["attendances-0-actual"] = "109"
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    assert f"{STALE} par staff-normandie" in response.content.decode()
    assert companies(event) == (5, 5)


def test_admin_form_loaded_before_a_staff_save_does_not_overwrite_the_event(
    client_for, admin_user, staff, event
):
    client = client_for(admin_user)
    data = admin_page_data(client.get(change_url(event)))
    services.event_update(
        user=staff, event=event, expected_version=event.version, title="Réunion de Caen (salle B)"
    )
    data["place"] = "Lisieux"
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.version) == ("Réunion de Caen (salle B)", 2)


def test_admin_save_bumps_the_version_so_a_staff_form_loaded_before_is_refused(
    client_for, admin_user, staff, event
):
    loaded_version = event.version
    client = client_for(admin_user)
    data = admin_page_data(client.get(change_url(event)))
    data["attendances-0-actual"] = "100"
    assert client.post(change_url(event), data).status_code == 302
    assert companies(event) == (109, 100)
    assert Event.objects.get(pk=event.pk).version == loaded_version + 1
    with pytest.raises(services.StaleEventError):
        staff_saves_attendance_at(staff, event, loaded_version)
    assert companies(event) == (109, 100)


def staff_saves_attendance_at(staff, event, version):
    services.attendance_save(
        user=staff,
        event=event,
        expected_version=version,
        counts={ParticipantCategory.COMPANIES: (5, 5)},
    )


def test_staff_admin_form_is_checked_the_same_way(client_for, staff, event):
    client = client_for(staff)
    data = admin_page_data(client.get(change_url(event)))
    Event.objects.filter(pk=event.pk).update(version=7)  # someone saved meanwhile
    data["title"] = "Renommé"
    response = client.post(change_url(event), data)
    assert STALE in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == "Réunion de Caen"


def test_history_revert_of_an_event_uses_the_current_version(client_for, admin_user, staff, event):
    """Reverting to an old version is a change like another: checked against the version
    current when the form was shown, not the old one it displays."""
    first = event.history.earliest("history_date").history_id
    services.event_update(user=staff, event=event, expected_version=1, title="Renommé")
    client = client_for(admin_user)
    url = reverse("admin:events_event_simple_history", args=[event.pk, first])
    response = client.post(url, admin_page_data(client.get(url)))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version) == ("Réunion de Caen", 3)
