"""Input a logged-in user can type into a URL or a form is answered, never a 500:
NUL characters (which PostgreSQL cannot take in a query), `per_page` extremes,
a missing or non-numeric event version, a non-numeric event id in the attendance grid."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from events.models import Attendance, Event
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/regions/%00/",
        "/regions/%00/departements/",
        "/evenements/a-completer/?region=%00",
        "/evenements/saisie-groupee/?region=%00",
        "/evenements/?region=28&title=a%00b",
        "/api/v1/market/summary?region=%00",
    ],
)
def test_a_nul_character_in_the_url_is_a_bad_request(client_for, admin_user, url):
    response = client_for(admin_user).get(url)
    assert response.status_code == 400
    assert response.wsgi_request.user == admin_user


def test_a_nul_character_in_a_form_is_a_bad_request_and_changes_nothing(
    client_for, staff, normandie
):
    event = EventFactory(region=normandie, title="Réunion de Caen")
    response = client_for(staff).post(
        reverse("event-delete", args=[event.pk]), {"version": f"{event.version}\x00"}
    )
    assert response.status_code == 400
    assert Event.objects.get(pk=event.pk).deleted_at is None


@pytest.mark.parametrize("per_page, rows", [("-1", 1), ("0", 1), ("abc", 25), ("10000000", 30)])
def test_per_page_is_kept_between_1_and_500(client_for, admin_user, normandie, per_page, rows):
    for n in range(30):
        EventFactory(region=normandie, title=f"Atelier numéro {n:02d}")
    response = client_for(admin_user).get(reverse("event-list"), {"per_page": per_page})
    assert response.status_code == 200
    assert response.content.decode().count("Atelier numéro ") == 2 * rows  # title and link


@pytest.mark.parametrize("view", ["event-cancel", "event-delete"])
@pytest.mark.parametrize("version", ["abc", "", None, "9" * 40])
def test_a_missing_or_bad_version_changes_nothing_and_says_so(
    client_for, staff, normandie, view, version
):
    event = EventFactory(region=normandie, title="Réunion de Caen")
    data = {"cancelled": "1"}
    if version is not None:
        data["version"] = version
    response = client_for(staff).post(reverse(view, args=[event.pk]), data)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Formulaire incomplet : rechargez la page de l'événement. Rien n'a été changé."
    ]
    event.refresh_from_db()
    assert (event.is_cancelled, event.deleted_at, event.version) == (False, None, 1)


def test_a_non_numeric_event_in_the_attendance_grid_saves_nothing(
    client_for, staff, normandie, today
):
    event = AttendanceFactory(
        event=EventFactory(region=normandie, date=datetime.date(2026, 10, 1)), actual=None
    ).event
    data = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-0-event": event.pk,
        "form-0-version": event.version,
        "form-0-companies": 7,
        "form-1-event": "abc",
        "form-1-version": 1,
        "form-1-companies": 3,
    }
    response = client_for(staff).post(reverse("event-grid"), data)
    assert response.status_code == 200
    assert Attendance.objects.get(event=event, category="companies").actual is None
