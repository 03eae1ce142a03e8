"""The staff event pages: list, create, change, cancel, delete — as each role."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from events.models import Attendance, Event, EventKind
from tests.events.conftest import make_siret
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def event_data(**overrides):
    data = {
        "title": "Petit-déjeuner alternance de Caen",
        "kind": EventKind.INFO_MEETING,
        "date": "12/11/2026",
        "place": "Caen",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_list_shows_own_region_with_figures_and_stays_at_constant_queries(
    client_for, staff, normandie, bretagne, today, django_assert_max_num_queries
):
    for day in (3, 4, 5):
        AttendanceFactory(
            event=EventFactory(region=normandie, date=datetime.date(2026, 3, day)), actual=10
        )
    EventFactory(region=bretagne, title="Réunion bretonne", date=datetime.date(2026, 3, 6))
    client = client_for(staff)
    with django_assert_max_num_queries(16):  # 15 + the department filter's choices
        response = client.get(reverse("event-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réunion bretonne" not in html  # staff start on their own region
    assert '<strong data-figure="events">3</strong>' in html
    assert '<strong data-figure="companies">30</strong>' in html
    for n in range(30):
        EventFactory(region=normandie, date=datetime.date(2026, 4, 1 + n % 28))
    with django_assert_max_num_queries(16):  # 15 + the department filter's choices
        client.get(reverse("event-list"))
    all_regions = client.get(reverse("event-list"), {"region": "", "date_to": "10/03/2026"})
    all_regions = all_regions.content.decode()
    assert "Réunion bretonne" in all_regions


def test_list_filters_events_whose_attendance_is_missing(client_for, staff, normandie, today):
    entered = AttendanceFactory(
        event=EventFactory(region=normandie, title="Saisie faite", date=datetime.date(2026, 5, 1))
    ).event
    EventFactory(region=normandie, title="Oubliée", date=datetime.date(2026, 5, 2))
    EventFactory(region=normandie, title="À venir", date=datetime.date(2027, 1, 2))
    html = client_for(staff).get(reverse("event-list"), {"missing": "on"}).content.decode()
    assert "Oubliée" in html
    assert entered.title not in html
    assert "À venir" not in html


def test_staff_creates_an_event_of_their_region(client_for, staff, normandie):
    response = client_for(staff).post(reverse("event-create"), event_data())
    event = Event.objects.get(title="Petit-déjeuner alternance de Caen")
    assert response["Location"] == reverse("event-attendance", args=[event.pk])
    assert event.region == normandie
    assert event.date == datetime.date(2026, 11, 12)
    assert event.created_by == staff
    assert event.source.kind == "manual"
    assert event.history.get().history_user == staff


def test_staff_cannot_create_an_event_for_another_region(client_for, staff, bretagne, normandie):
    client_for(staff).post(reverse("event-create"), event_data(region=bretagne.pk))
    assert list(Event.objects.values_list("region", flat=True)) == [normandie.pk]


def test_director_reads_but_cannot_write(client_for, director, bretagne):
    event = EventFactory(region=bretagne)
    client = client_for(director)
    assert client.get(event.get_absolute_url()).status_code == 200
    assert client.get(reverse("event-list")).status_code == 200
    assert client.get(reverse("event-create")).status_code == 403
    assert client.get(reverse("event-update", args=[event.pk])).status_code == 403


def test_outsider_is_refused_on_every_write_url_and_nothing_changes(
    client_for, outsider, normandie
):
    event = AttendanceFactory(event=EventFactory(region=normandie, title="Normand")).event
    client = client_for(outsider)
    attendee_url = reverse("event-attendee-remove", args=[event.pk, 1])
    for url in (
        reverse("event-update", args=[event.pk]),
        reverse("event-delete", args=[event.pk]),
        reverse("event-attendance", args=[event.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (reverse("event-update", args=[event.pk]), event_data(version=1)),
        (reverse("event-cancel", args=[event.pk]), {"version": 1, "cancelled": "1"}),
        (reverse("event-delete", args=[event.pk]), {"version": 1}),
        (reverse("event-attendance", args=[event.pk]), {"version": 1, "action": "save"}),
        (attendee_url, {}),
        (reverse("event-grid") + "?region=28", {}),
    ):
        assert client.post(url, data).status_code == 403, url
    event.refresh_from_db()
    assert (event.title, event.is_cancelled, event.version) == ("Normand", False, 1)
    assert Attendance.objects.filter(event=event).count() == 1
    # The event page itself is readable (the portal is open to all staff), without buttons.
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Saisir la participation" not in html


def test_unknown_event_is_404(client_for, staff):
    assert client_for(staff).get(reverse("event-update", args=[999])).status_code == 404


def test_second_save_of_a_stale_form_is_refused_with_current_values(client_for, staff, normandie):
    event = EventFactory(region=normandie, title="Réunion de Rouen", place="Rouen")
    client = client_for(staff)
    first = event_data(title="Réunion de Rouen", place="Le Havre", version=1)
    second = event_data(title="Réunion de Rouen (complet)", place="Rouen", version=1)
    assert client.post(reverse("event-update", args=[event.pk]), first).status_code == 302
    response = client.post(reverse("event-update", args=[event.pk]), second)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enregistrement refusé" in html
    assert "Le Havre" in html  # the current value, shown
    event.refresh_from_db()
    assert (event.title, event.place, event.version) == ("Réunion de Rouen", "Le Havre", 2)
    # Saving again after seeing the current values applies the second person's change.
    second["version"] = 2
    assert client.post(reverse("event-update", args=[event.pk]), second).status_code == 302
    event.refresh_from_db()
    assert event.title == "Réunion de Rouen (complet)"


def test_change_appears_in_history_with_before_and_after(client_for, staff, normandie):
    event = EventFactory(region=normandie, title="Réunion", place="Rouen")
    client = client_for(staff)
    client.post(
        reverse("event-update", args=[event.pk]),
        event_data(title="Réunion", place="Dieppe", version=1),
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Modification : Événement" in html
    assert "<del>Rouen</del> → <ins>Dieppe</ins>" in html
    assert "staff-normandie" in html


def test_cancel_then_restore(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    client = client_for(staff)
    client.post(reverse("event-cancel", args=[event.pk]), {"version": 1, "cancelled": "1"})
    event.refresh_from_db()
    assert event.is_cancelled
    # A stale cancel form (version 1) changes nothing.
    client.post(reverse("event-cancel", args=[event.pk]), {"version": 1, "cancelled": "0"})
    event.refresh_from_db()
    assert event.is_cancelled


def test_delete_asks_confirmation_then_is_recorded(client_for, staff, normandie):
    event = AttendanceFactory(event=EventFactory(region=normandie, title="À supprimer")).event
    client = client_for(staff)
    page = client.get(reverse("event-delete", args=[event.pk])).content.decode()
    assert "Supprimer l'événement ?" in page
    assert "présents 15" in page
    assert Event.objects.filter(pk=event.pk).exists()
    client.post(reverse("event-delete", args=[event.pk]), {"version": 1})
    assert not Event.objects.filter(pk=event.pk).exists()
    deleted = Event.history.filter(id=event.pk).latest("history_date")
    assert deleted.history_user == staff
    assert deleted.title == "À supprimer" and deleted.deleted_at is not None
    assert Event.all_objects.get(pk=event.pk).deleted_by == staff
    html = client.get(reverse("event-list")).content.decode()
    assert "staff-normandie a supprimé « À supprimer »" in html


def test_event_page_lists_attendees_at_constant_queries(
    client_for, staff, normandie, django_assert_max_num_queries
):
    event = EventFactory(region=normandie)
    client = client_for(staff)
    client.post(
        reverse("event-attendance", args=[event.pk]),
        {"version": 1, "action": "save", "attendees": f"{make_siret(1)};Alpha"},
    )
    with django_assert_max_num_queries(11):
        html = client.get(event.get_absolute_url()).content.decode()
    assert f"SIRET {make_siret(1)}" in html
    for n in range(2, 12):
        event.refresh_from_db()
        client.post(
            reverse("event-attendance", args=[event.pk]),
            {"version": event.version, "action": "save", "attendees": f"{make_siret(n)};N{n}"},
        )
    with django_assert_max_num_queries(11):
        html = client.get(event.get_absolute_url()).content.decode()
    assert "N11" in html


def test_admin_records_events_for_any_region(client_for, admin_user, bretagne):
    client_for(admin_user).post(reverse("event-create"), event_data(region=bretagne.pk))
    assert Event.objects.get().region == bretagne


def test_completeness_page_stays_at_constant_queries(
    client_for, staff, normandie, bretagne, today, django_assert_max_num_queries
):
    client = client_for(staff)
    EventFactory(region=normandie, date=datetime.date(2026, 2, 1))
    with django_assert_max_num_queries(7):
        client.get(reverse("event-completeness"))
    for n in range(20):
        EventFactory(region=(normandie, bretagne)[n % 2], date=datetime.date(2026, 2, 1 + n))
    with django_assert_max_num_queries(7):
        html = client.get(reverse("event-completeness")).content.decode()
    assert "Normandie : 11 événements sans participation" in html


def test_events_list_exports_its_selection_with_its_filters(client_for, staff, normandie):
    EventFactory(title="=Matinale de Caen", date=datetime.date(2025, 3, 10))
    EventFactory(title="Forum de Rouen", date=datetime.date(2024, 5, 2))
    client = client_for(staff)
    page = client.get(reverse("event-list"), {"date_from": "01/01/2025"})
    assert 'href="/evenements/export.csv?date_from=01%2F01%2F2025"' in page.content.decode()
    response = client.get(reverse("event-export", args=["csv"]), {"date_from": "01/01/2025"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    about = [line for line in lines if line.startswith("# ")]
    table = [line for line in lines if not line.startswith("# ")]
    assert "# Filtres : Région : Normandie, Du : 01/01/2025" in about
    assert "# Événements : 1" in about
    assert table[0].startswith("Date;Intitulé;Type;Région")
    assert table[1].startswith("10/03/2025;'=Matinale de Caen;Réunion d'information")
    response = client.get(reverse("event-export", args=["xlsx"]), {"date_from": "01/01/2025"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    assert workbook.sheetnames == ["À propos", "Événements"]
    assert workbook["Événements"]["B2"].value == "'=Matinale de Caen"
