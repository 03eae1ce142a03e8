"""Figures that add up: events held, attendance, distinct organisations reached."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conventions.models import Convention, Indicator
from conventions.selectors import indicator_statuses
from events.imports import parse_attendee_list
from events.models import Attendee, Event, EventKind, Organisation
from events.selectors import attendance_completeness, event_figures
from events.services import attendance_save
from tests.events.conftest import TODAY, make_siret, make_uai
from tests.factories import AttendanceFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def record(user, event, companies=None, listing=""):
    counts = {"companies": (None, companies)} if companies is not None else {}
    attendance_save(
        user=user,
        event=event,
        expected_version=Event.objects.get(pk=event.pk).version,
        counts=counts,
        attendee_list=parse_attendee_list(listing),
    )


def test_one_company_at_three_events_is_one_company_reached(staff, normandie):
    events = [EventFactory(region=normandie, date=datetime.date(2026, 3, d)) for d in (1, 2, 3)]
    for event in events:
        record(staff, event, listing=f"{make_siret(1)};Alpha")
    record(staff, events[2], listing=f"{make_siret(2)};Beta")
    figures = event_figures(events=Event.objects.all(), today=TODAY)[None]
    assert figures.events_held == 3
    assert figures.attendance == {"companies": 4}  # four attendances…
    assert figures.companies == 2  # …by two companies
    assert figures.companies_identified == 2


def test_unnamed_attendance_is_added_to_identified_organisations(staff, normandie):
    named = EventFactory(region=normandie, date=datetime.date(2026, 3, 1))
    record(staff, named, companies=5, listing=f"{make_siret(1)}\n{make_siret(2)}")
    AttendanceFactory(event=EventFactory(region=normandie, date=datetime.date(2026, 3, 2)))
    record(
        staff, EventFactory(region=normandie, date=datetime.date(2026, 3, 3)), listing=make_uai(1)
    )
    figures = event_figures(events=Event.objects.all(), today=TODAY)[None]
    # 2 named + 3 unnamed at the first event, 15 counted at the second.
    assert (figures.companies_identified, figures.companies_unidentified) == (2, 18)
    assert figures.companies == 20
    assert figures.training_bodies == 1


def test_figures_by_region_kind_axis_and_year_in_three_queries(
    staff, outsider, normandie, bretagne, django_assert_num_queries
):
    shared = make_siret(1)
    caen = EventFactory(region=normandie, date=datetime.date(2025, 6, 1))
    rennes = EventFactory(region=bretagne, date=datetime.date(2026, 6, 1), kind=EventKind.JOB_FAIR)
    record(staff, caen, listing=shared)
    record(outsider, rennes, listing=f"{shared}\n{make_siret(2)}")
    EventFactory(region=bretagne, date=datetime.date(2026, 6, 2), is_cancelled=True)
    EventFactory(region=bretagne, date=datetime.date(2027, 6, 2))  # not held yet
    with django_assert_num_queries(3):
        by_region = event_figures(events=Event.objects.all(), today=TODAY, group_by="region")
    assert {k: (f.events_held, f.companies) for k, f in by_region.items()} == {
        normandie.pk: (1, 1),
        bretagne.pk: (1, 2),
    }
    by_year = event_figures(events=Event.objects.all(), today=TODAY, group_by="year")
    assert {k: f.companies for k, f in by_year.items()} == {2025: 1, 2026: 2}
    by_kind = event_figures(events=Event.objects.all(), today=TODAY, group_by="kind")
    assert by_kind[EventKind.JOB_FAIR].events_held == 1
    # Across both regions the shared company is counted once.
    assert event_figures(events=Event.objects.all(), today=TODAY)[None].companies == 2
    assert (
        event_figures(events=Event.objects.all(), today=TODAY, group_by="axis")[None].companies == 2
    )


def test_convention_indicator_counts_distinct_companies(staff, normandie):
    convention = Convention.objects.create(
        title="Convention test",
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ACTIVE,
        region=normandie,
        start_on=datetime.date(2025, 1, 1),
        end_on=datetime.date(2027, 12, 31),
        source=SourceFactory(),
    )
    Indicator.objects.create(
        convention=convention,
        name="Entreprises sensibilisées",
        unit=Indicator.Unit.COMPANIES,
        computation=Indicator.Computation.COMPANIES_REACHED,
        target=100,
        target_source=convention.source,
    )
    for day in (1, 2):
        event = EventFactory(
            region=normandie, convention=convention, date=datetime.date(2026, 2, day)
        )
        record(staff, event, companies=4, listing=f"{make_siret(1)}\n{make_siret(2)}")
    (status,) = indicator_statuses(convention, today=TODAY)
    # 2 companies named at both events + 2 unnamed at each: 6, not the 8 attendances.
    assert status.value == 6
    assert status.target_pct == 6.0


def test_completeness_per_region(client_for, director, normandie, bretagne, today):
    AttendanceFactory(event=EventFactory(region=normandie, date=datetime.date(2026, 1, 5)))
    EventFactory(region=normandie, date=datetime.date(2026, 1, 6), title="Oubli normand")
    AttendanceFactory(
        event=EventFactory(region=normandie, date=datetime.date(2026, 1, 7)), actual=None
    )
    EventFactory(region=normandie, date=datetime.date(2026, 1, 8), is_cancelled=True)
    EventFactory(region=bretagne, date=datetime.date(2026, 1, 9))
    rows = {
        r.region.code: r
        for r in attendance_completeness(today=TODAY, regions=[normandie, bretagne])
    }
    assert (rows["28"].held, rows["28"].missing, rows["28"].entered_pct) == (3, 2, 33.3)
    assert (rows["53"].held, rows["53"].missing) == (1, 1)
    html = client_for(director).get(reverse("event-completeness")).content.decode()
    assert "Oubli normand" in html
    assert "Normandie : 2 événements sans participation" in html
    assert "Saisir les présents" not in html  # directors read only


def test_organisation_identifier_is_unique_and_checked_in_the_database(normandie):
    Organisation.objects.create(kind="company", identifier=make_siret(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="company", identifier=make_siret(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="company", identifier="ABC")
    event = EventFactory(region=normandie)
    organisation = Organisation.objects.get()
    Attendee.objects.create(event=event, organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendee.objects.create(event=event, organisation=organisation)


def test_list_of_all_regions_shows_figures_by_region(
    client_for, staff, outsider, director, normandie, bretagne, today, django_assert_max_num_queries
):
    shared = make_siret(1)
    record(staff, EventFactory(region=normandie, date=datetime.date(2026, 3, 1)), listing=shared)
    record(
        outsider,
        EventFactory(region=bretagne, date=datetime.date(2026, 3, 2)),
        listing=f"{shared}\n{make_siret(2)}",
    )
    client = client_for(director)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("event-list"), {"region": ""})
    html = response.content.decode()
    table = html[html.index('id="table-figures-by-region"') :]
    table = table[: table.index("</table>")]
    rows = {
        cells[0]: cells[1:]
        for cells in (
            re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in table.split("<tr>")[2:]
        )
    }
    # events held, then the last two columns: companies and training bodies reached
    assert (rows["Bretagne"][0], rows["Bretagne"][-2]) == ("1", "2")
    assert (rows["Normandie"][0], rows["Normandie"][-2]) == ("1", "1")
    assert (rows["Total"][0], rows["Total"][-2]) == ("2", "2")  # the shared company once
