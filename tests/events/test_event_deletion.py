"""Deleting an event is undoable: it leaves every list and figure, and "Restaurer" brings
it back with its attendance and its attendees (restoring it from the history brought
back none of them)."""

import datetime

import pytest
from django.urls import reverse

from events.models import Attendance, Attendee, Event, Organisation, OrganisationKind
from events.selectors import activity_summary, event_figures, events_of_year
from tests.events.conftest import make_siret
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(normandie):
    """A meeting held in Caen: 15 companies came, 2 of them identified."""
    event = EventFactory(region=normandie, title="Petit-déjeuner de Caen")
    AttendanceFactory(event=event, planned=20, actual=15)
    for n in (1, 2):
        organisation = Organisation.objects.create(
            kind=OrganisationKind.COMPANY, identifier=make_siret(n), name=f"Entreprise {n}"
        )
        Attendee.objects.create(event=event, organisation=organisation)
    return event


def figures(normandie, today):
    page = event_figures(events=Event.objects.filter(region=normandie), today=today)[None]
    year = events_of_year(region=normandie, year=2025, today=today)
    held, attendance = year.held, year.attendance
    activity = {
        (row.year, measure): cell.value
        for row in activity_summary(region=normandie, today=today)
        for measure, cell in row.cells.items()
    }
    return {
        "events": page.events_held,
        "companies": page.companies,
        "identified": page.companies_identified,
        "dashboard events": sum(r["n"] for r in held),
        "dashboard attendance": sum(r["n"] for r in attendance),
        "activity companies": activity.get((2025, "companies"), 0),
    }


def delete(client, event):
    return client.post(reverse("event-delete", args=[event.pk]), {"version": event.version})


def restore(client, event):
    return client.post(reverse("event-restore", args=[event.pk]), follow=True)


def test_a_deleted_event_leaves_every_figure_and_comes_back_whole(
    client_for, staff, normandie, event
):
    today = datetime.date(2026, 11, 24)
    client = client_for(staff)
    before = figures(normandie, today)
    assert before == {
        "events": 1,
        "companies": 15,
        "identified": 2,
        "dashboard events": 1,
        "dashboard attendance": 15,
        "activity companies": 15,
    }

    delete(client, event)

    assert figures(normandie, today) == {
        "events": 0,
        "companies": 0,
        "identified": 0,
        "dashboard events": 0,
        "dashboard attendance": 0,
        "activity companies": 0,
    }
    assert client.get(reverse("event-detail", args=[event.pk])).status_code == 404
    listed = client.get(reverse("event-list")).context["table"].data
    assert [e.title for e in listed] == []

    page = restore(client, event).content.decode()

    assert (
        "Événement « Petit-déjeuner de Caen » restauré, avec sa participation "
        "(1 public(s) saisi(s)) et 2 organisation(s) identifiée(s)." in page
    )
    assert figures(normandie, today) == before
    assert list(Attendance.objects.filter(event=event).values_list("planned", "actual")) == [
        (20, 15)
    ]
    assert Attendee.objects.filter(event=event).count() == 2
    restored = Event.objects.get(pk=event.pk)
    assert restored.deleted_at is None and restored.version == 3
    assert Event.history.filter(id=event.pk).latest("history_date").history_user == staff


def test_the_list_offers_restoring_to_those_who_may(
    client_for, staff, outsider, director, admin_user, event
):
    delete(client_for(staff), event)

    for user, offered in ((staff, True), (admin_user, True), (outsider, False), (director, False)):
        page = client_for(user).get(reverse("event-list") + "?region=" + str(event.region_id))
        html = page.content.decode()
        assert "a supprimé « Petit-déjeuner de Caen »" in html
        assert (reverse("event-restore", args=[event.pk]) in html) is offered, user


@pytest.mark.parametrize("role", ["outsider", "director"])
def test_only_staff_of_the_region_and_admins_restore(client_for, request, staff, event, role):
    delete(client_for(staff), event)

    response = client_for(request.getfixturevalue(role)).post(
        reverse("event-restore", args=[event.pk])
    )

    assert response.status_code == 403
    assert not Event.objects.filter(pk=event.pk).exists()


def test_admins_restore_too(client_for, staff, admin_user, event):
    delete(client_for(staff), event)

    restore(client_for(admin_user), event)

    assert Event.objects.filter(pk=event.pk).exists()


def test_restoring_an_event_that_is_not_deleted_is_not_found(client_for, staff, event):
    assert client_for(staff).post(reverse("event-restore", args=[event.pk])).status_code == 404


def test_deleting_in_the_admin_is_a_soft_delete_too(client_for, admin_user, event):
    client_for(admin_user).post(
        f"/admin/events/event/{event.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert not Event.objects.filter(pk=event.pk).exists()
    kept = Event.all_objects.get(pk=event.pk)
    assert kept.deleted_by == admin_user
    assert kept.attendances.count() == 1 and kept.attendees.count() == 2
