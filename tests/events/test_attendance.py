"""Entering attendance: counts, pasted or uploaded lists (all or nothing), the grid."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Attendance, Attendee, Event, Organisation
from tests.events.conftest import bad_key, make_siret, make_uai
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db


def post_attendance(client, event, **data):
    data.setdefault("version", Event.objects.get(pk=event.pk).version)
    data.setdefault("action", "save")
    return client.post(reverse("event-attendance", args=[event.pk]), data)


def test_pasted_list_with_a_bad_siret_saves_nothing_and_names_the_line(
    client_for, staff, normandie
):
    event = EventFactory(region=normandie)
    client = client_for(staff)
    pasted = f"siret;nom\n{make_siret(1)};Alpha\n{bad_key(make_siret(2))};Beta\n{make_uai(1)};CFA"
    response = post_attendance(client, event, companies_actual=12, attendees=pasted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 3 : « " in html
    assert "clé de contrôle fausse" in html
    assert "rien n'a été enregistré" in html
    assert not Attendee.objects.exists()
    assert not Organisation.objects.exists()
    assert not Attendance.objects.exists()  # the counts are not saved either
    assert Event.objects.get(pk=event.pk).version == 1


def test_preview_saves_nothing_even_when_valid(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    response = post_attendance(
        client_for(staff), event, action="preview", attendees=f"{make_siret(1)};Alpha"
    )
    assert "Liste valide : 1 organisation à ajouter" in response.content.decode()
    assert not Attendee.objects.exists()


def test_valid_list_saves_counts_and_attendees_and_fills_the_blank_actual_count(
    client_for, staff, normandie
):
    event = EventFactory(region=normandie)
    pasted = f"{make_siret(1)};Alpha\n{make_siret(2)};Beta\n{make_uai(1)};CFA Caen"
    response = post_attendance(
        client_for(staff), event, companies_planned=20, youth_actual=40, attendees=pasted
    )
    assert response.status_code == 302
    counts = {a.category: (a.planned, a.actual) for a in event.attendances.all()}
    assert counts == {
        "companies": (20, 2),  # blank actual count: the two listed companies
        "training_bodies": (None, 1),
        "youth": (None, 40),
    }
    assert sorted(event.attendees.values_list("organisation__name", flat=True)) == [
        "Alpha",
        "Beta",
        "CFA Caen",
    ]
    assert Attendee.history.filter(history_user=staff).count() == 3


def test_actual_count_lower_than_the_list_is_refused(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    response = post_attendance(
        client_for(staff),
        event,
        companies_actual=1,
        attendees=f"{make_siret(1)};Alpha\n{make_siret(2)};Beta",
    )
    assert "Entreprises : 1 présents, mais 2 organisations listées." in response.content.decode()
    assert not Attendee.objects.exists()


def test_same_organisation_at_two_events_is_one_organisation(client_for, staff, normandie):
    first, second = EventFactory(region=normandie), EventFactory(region=normandie)
    client = client_for(staff)
    post_attendance(client, first, attendees=f"{make_siret(1)};Alpha")
    post_attendance(client, second, attendees=f"{make_siret(1)};Alpha SAS\n{make_siret(2)};B")
    assert Organisation.objects.count() == 2
    assert Attendee.objects.count() == 3
    # Pasting it again at the same event is flagged, not duplicated.
    response = post_attendance(client, second, action="preview", attendees=make_siret(1))
    assert "déjà enregistrée" in response.content.decode()
    post_attendance(client, second, attendees=make_siret(1))
    assert Attendee.objects.filter(event=second).count() == 2


def test_windows_1252_csv_upload_with_semicolons(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    data = f"SIRET;Raison sociale\r\n{make_siret(1)};Boulangerie Hébert\r\n".encode("cp1252")
    upload = SimpleUploadedFile("liste.csv", data, content_type="text/csv")
    response = post_attendance(client_for(staff), event, upload=upload)
    assert response.status_code == 302
    assert Organisation.objects.get().name == "Boulangerie Hébert"


def test_stale_attendance_form_is_refused_with_current_values(client_for, staff, normandie):
    event = AttendanceFactory(event=EventFactory(region=normandie), actual=15).event
    client = client_for(staff)
    assert post_attendance(client, event, version=1, companies_actual=18).status_code == 302
    response = post_attendance(client, event, version=1, companies_actual=11)
    html = response.content.decode()
    assert "Enregistrement refusé" in html
    assert "présents 18" in html
    assert Attendance.objects.get(event=event).actual == 18


def test_removing_an_attendee(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    client = client_for(staff)
    post_attendance(client, event, attendees=f"{make_siret(1)};Alpha")
    attendee = Attendee.objects.get()
    client.post(reverse("event-attendee-remove", args=[event.pk, attendee.pk]))
    assert not Attendee.objects.exists()
    assert Organisation.objects.count() == 1  # the organisation itself stays known


def grid_post(events, values):
    data = {"form-TOTAL_FORMS": len(events), "form-INITIAL_FORMS": len(events)}
    for i, event in enumerate(events):
        data[f"form-{i}-event"] = event.pk
        data[f"form-{i}-version"] = event.version
        for category, value in values.get(event.pk, {}).items():
            data[f"form-{i}-{category}"] = value
    return data


def test_grid_enters_several_events_at_once_at_constant_queries(
    client_for, staff, normandie, today, django_assert_max_num_queries
):
    events = [
        AttendanceFactory(
            event=EventFactory(region=normandie, date=datetime.date(2026, 10, d)), actual=None
        ).event
        for d in (1, 2, 3)
    ]
    client = client_for(staff)
    with django_assert_max_num_queries(9):
        html = client.get(reverse("event-grid")).content.decode()
    assert html.count('name="form-') >= 3 * 7
    response = client.post(
        reverse("event-grid"),
        grid_post(events, {events[0].pk: {"companies": 7}, events[2].pk: {"youth": 30}}),
    )
    assert response.status_code == 302
    actual = {(a.event_id, a.category): (a.planned, a.actual) for a in Attendance.objects.all()}
    assert actual[(events[0].pk, "companies")] == (20, 7)  # planned kept
    assert actual[(events[1].pk, "companies")] == (20, None)  # empty row untouched
    assert actual[(events[2].pk, "youth")] == (None, 30)
    for _ in range(10):
        EventFactory(region=normandie, date=datetime.date(2026, 9, 1))
    with django_assert_max_num_queries(9):
        client.get(reverse("event-grid"))


def test_grid_is_all_or_nothing_when_one_event_changed_meanwhile(
    client_for, staff, normandie, today
):
    a = EventFactory(region=normandie, date=datetime.date(2026, 10, 1), title="Premier")
    b = EventFactory(region=normandie, date=datetime.date(2026, 10, 2), title="Second")
    data = grid_post([a, b], {a.pk: {"companies": 5}, b.pk: {"companies": 6}})
    Event.objects.filter(pk=b.pk).update(version=2)  # someone saved b meanwhile
    response = client_for(staff).post(reverse("event-grid"), data)
    html = response.content.decode()
    assert "Enregistrement refusé, rien n'a été enregistré" in html
    assert "Second" in html
    assert not Attendance.objects.exists()


def test_grid_refuses_another_regions_event(client_for, staff, bretagne, today):
    event = EventFactory(region=bretagne, date=datetime.date(2026, 10, 1))
    response = client_for(staff).post(
        reverse("event-grid"), grid_post([event], {event.pk: {"companies": 5}})
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_grid_is_refused_to_directors(client_for, director):
    assert client_for(director).get(reverse("event-grid")).status_code == 403


def test_uploaded_file_is_previewed_in_the_text_area(client_for, staff, normandie):
    event = EventFactory(region=normandie)
    data = f"{make_siret(1)},Alpha\n123,Mauvais\n".encode()
    upload = SimpleUploadedFile("liste.csv", b"\xef\xbb\xbf" + data, content_type="text/csv")
    response = post_attendance(client_for(staff), event, action="preview", upload=upload)
    html = response.content.decode()
    assert f"{make_siret(1)},Alpha\n123,Mauvais" in html  # now editable in the text area
    assert "Ligne 2 : « 123 » : un SIRET compte 14 chiffres, celui-ci en a 3" in html
    assert not Attendee.objects.exists()


def test_attendance_page_stays_at_constant_queries(
    client_for, staff, normandie, django_assert_max_num_queries
):
    event = EventFactory(region=normandie)
    client = client_for(staff)
    url = reverse("event-attendance", args=[event.pk])
    post_attendance(client, event, attendees=make_siret(1))
    with django_assert_max_num_queries(8):
        client.get(url)
    post_attendance(client, event, attendees="\n".join(make_siret(n) for n in range(2, 30)))
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    assert html.count("Retirer") == 29


def test_grid_lists_its_errors_at_the_top_with_links_to_the_fields(
    client_for, staff, normandie, today
):
    a = EventFactory(region=normandie, date=datetime.date(2026, 10, 1), title="Forum de Caen")
    b = EventFactory(region=normandie, date=datetime.date(2026, 10, 2), title="Matinale")
    data = grid_post([a, b], {a.pk: {"companies": -3}, b.pk: {"companies": 6}})
    html = client_for(staff).post(reverse("event-grid"), data).content.decode()
    summary = html[html.index('id="grid-error-summary"') : html.index('id="grid"')]
    assert "Rien n'a été enregistré : 1 valeur à corriger." in summary
    assert '<a href="#id_form-0-companies">Forum de Caen (01/10/2026), Entreprises</a>' in summary
    assert not Attendance.objects.exists()
