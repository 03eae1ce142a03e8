"""The events rollup (`events_eventrollup`) equals the events and attendance added up
again, after every write path: seed_demo, generate_synthetic, the staff's services
(create, edit, move, cancel, delete, restore, attendance one event or several), the
admin (add with attendance, change, delete, delete selected), ORM writes (bulk and
queryset), loaddata, a backup restored.

Two checks after each step: the whole rollup equals a full recomputation (which catches
a write path that forgets to refresh it, whatever the scope); and the rows the pages
read (`events.selectors`, the rollup's whole months plus the month in progress up to
today) equal a plain sum over the events themselves, for France, Normandie, Calvados,
several years and a "today" in the middle of a month.
"""

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from akto_portal.models import Department, Region, Source
from events import services
from events.models import Attendance, Event, EventKind, EventRollup, ParticipantCategory
from events.rollup import FIELDS, rollup_differences, rollup_refresh
from events.selectors import _attendance_rows, _held_rows, events_of_year
from tests.admin_forms import admin_page_data
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db
MID_MONTH = datetime.date(2026, 3, 15)


def rollup_rows():
    return sorted(EventRollup.objects.values_list(*FIELDS), key=repr)


def assert_rollup_is_complete():
    """The whole rollup equals a full recomputation from the events."""
    kept = rollup_rows()
    with transaction.atomic():
        rollup_refresh()
        recomputed = rollup_rows()
        transaction.set_rollback(True)
    assert kept == recomputed
    assert rollup_differences() == []


def _oracle(region, department, year, today):
    """{(month, kind, axis number, measure): (n, synthetic)} from the events one by one."""
    held, synthetic = Counter(), set()
    events = Event.objects.filter(is_cancelled=False, date__year=year, date__lte=today)
    for event in events.select_related("axis", "source"):
        if region is not None and event.region_id != region.pk:
            continue
        if department is not None and event.department_id != department.pk:
            continue
        number = event.axis.number if event.axis_id else None
        cells = [("events", 1)] + [
            (a.category, a.actual) for a in event.attendances.all() if a.actual is not None
        ]
        for measure, n in cells:
            key = (event.date.month, event.kind, number, measure)
            held[key] += n
            if event.source.is_synthetic:
                synthetic.add(key)
    return {key: (n, key in synthetic) for key, n in held.items()}


def _read(region, department, year, today):
    found, synthetic = Counter(), set()
    scope = {"region": region, "department": department, "year": year, "today": today}
    rows = [(r[2], r[3], r[4], "events", r[6], r[7]) for r in _held_rows(**scope)]
    rows += [(r[2], r[3], r[4], r[5], r[6], r[7]) for r in _attendance_rows(**scope)]
    for month, kind, number, measure, n, is_synthetic in rows:
        found[(month, kind, number, measure)] += n
        if is_synthetic:
            synthetic.add((month, kind, number, measure))
    return {key: (n, key in synthetic) for key, n in found.items()}


def assert_reads_right():
    normandie = Region.objects.get(code="28")
    calvados = Department.objects.get(code="14")
    compared = 0
    for region, department in ((None, None), (normandie, None), (normandie, calvados)):
        for year in (2021, 2022, 2025, 2026):
            for today in (MID_MONTH, datetime.date(2026, 12, 31)):
                expected = _oracle(region, department, year, today)
                assert _read(region, department, year, today) == expected, (region, year, today)
                compared += len(expected)
    assert compared


def check():
    assert_rollup_is_complete()
    assert_reads_right()


def _admin_source():
    return Source.objects.filter(kind=Source.Kind.MANUAL).first() or Source.objects.create(
        kind=Source.Kind.MANUAL, title="Saisie de test"
    )


def test_every_write_path_keeps_the_rollup_right(tmp_path, admin_client, staff):
    call_command("seed_demo", "--force", verbosity=0)
    check()
    call_command("generate_synthetic", years=2, lines_per_year=3000, verbosity=0)
    assert EventRollup.objects.exists()
    check()

    # The staff's services.
    normandie, calvados = Region.objects.get(code="28"), Department.objects.get(code="14")
    event = services.event_create(
        user=staff,
        region=normandie,
        title="Réunion d'information à Caen",
        kind=EventKind.INFO_MEETING,
        date=datetime.date(2026, 3, 10),
        department=calvados,
    )
    check()
    services.attendance_save(
        user=staff,
        event=event,
        expected_version=event.version,
        counts={"companies": (30, 29), "youth": (None, 12)},
    )
    check()
    event.refresh_from_db()
    # Moved to another month and kind, after today's day of the month (out of the figures
    # "up to 15 March"), then cancelled and restored, then deleted and restored.
    event = services.event_update(
        user=staff,
        event=event,
        expected_version=event.version,
        date=datetime.date(2026, 3, 20),
        kind=EventKind.JOB_FAIR,
    )
    check()
    event = services.event_update(
        user=staff, event=event, expected_version=event.version, date=datetime.date(2025, 11, 3)
    )
    check()
    event = services.event_cancel(user=staff, event=event, expected_version=event.version)
    check()
    event = services.event_cancel(
        user=staff, event=event, expected_version=event.version, cancelled=False
    )
    services.event_delete(user=staff, event=event, expected_version=event.version)
    check()
    event = services.event_restore(user=staff, event=event)
    check()
    others = list(Event.objects.filter(region=normandie, date__year=2025, is_cancelled=False)[:3])
    services.attendance_bulk_save(
        user=staff, entries=[(e, e.version, {"companies": 7, "partners": 2}) for e in others]
    )
    check()
    # Attendance emptied: the row goes.
    event.refresh_from_db()
    services.attendance_save(
        user=staff,
        event=event,
        expected_version=event.version,
        counts={"companies": (None, None), "youth": (None, 12)},
    )
    check()

    # The admin: add (with attendance), change (moving the event), delete, delete selected.
    source = _admin_source()
    page = admin_client.get("/admin/events/event/add/")
    data = admin_page_data(page)
    data.update(
        title="Salon de l'alternance",
        kind=EventKind.JOB_FAIR,
        date="2026-02-03",
        region=normandie.pk,
        department=calvados.pk,
        source=source.pk,
        **{
            "attendances-TOTAL_FORMS": "1",
            "attendances-0-category": "companies",
            "attendances-0-actual": "44",
        },
    )
    response = admin_client.post("/admin/events/event/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Event.objects.get(title="Salon de l'alternance")
    assert added.attendances.get().actual == 44
    check()
    url = f"/admin/events/event/{added.pk}/change/"
    data = admin_page_data(admin_client.get(url))
    data.update(date="2022-06-30", department="", **{"attendances-0-actual": "45"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    check()
    response = admin_client.post(f"/admin/events/event/{added.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    check()
    some = Event.objects.filter(region=normandie, date__year=2026)[:2]
    response = admin_client.post(
        "/admin/events/event/",
        {"action": "delete_selected", "_selected_action": [e.pk for e in some], "post": "yes"},
    )
    assert response.status_code == 302
    check()

    # The ORM: create, update, bulk_update, bulk_create, queryset delete, cascades.
    created = EventFactory(region=normandie, date=datetime.date(2021, 5, 5), source=source)
    AttendanceFactory(event=created, actual=8)
    Event.objects.filter(region=normandie, date__year=2022).update(kind=EventKind.WEBINAR)
    Attendance.objects.filter(event__region=normandie).update(actual=3)
    check()
    moved = list(Event.objects.filter(region=normandie, date__year=2025)[:3])
    for e in moved:
        e.date = datetime.date(2021, 1, 2)
    Event.objects.bulk_update(moved, ["date"])
    rows = list(Attendance.objects.filter(event__in=moved))
    for row in rows:
        row.actual = 100
    Attendance.objects.bulk_update(rows, ["actual"])
    Attendance.objects.bulk_create(
        Attendance(event=e, category=ParticipantCategory.FAMILIES, actual=4) for e in moved
    )
    check()
    Attendance.objects.filter(category=ParticipantCategory.FAMILIES).delete()
    Event.objects.filter(region=normandie, date__year=2021, date__month=1).delete()
    check()
    created.delete()  # its attendance goes with it
    check()


def test_a_write_that_changes_no_cell_refreshes_nothing(staff, normandie):
    event = EventFactory(region=normandie)
    AttendanceFactory(event=event, planned=10, actual=None)
    with CaptureQueriesContext(connection) as queries:
        Event.objects.filter(pk=event.pk).update(notes="Salle B")
        Attendance.objects.filter(event=event).update(planned=12)
        services.event_update(
            user=staff, event=event, expected_version=event.version, title="Réunion (salle B)"
        )
    assert len(queries) > 3
    assert not [q for q in queries.captured_queries if "events_eventrollup" in q["sql"]]
    assert_rollup_is_complete()


def test_raw_sql_needs_a_refresh(staff, normandie):
    """The check above can fail: a write that skips the refresh leaves the rollup stale,
    and `rollup_check` says so (exit 1)."""
    event = EventFactory(region=normandie)
    AttendanceFactory(event=event, actual=15)
    assert_rollup_is_complete()
    call_command("rollup_check")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_attendance SET actual = actual + 1")
    with pytest.raises(AssertionError):
        assert_rollup_is_complete()
    with pytest.raises(CommandError, match="événements.*diffère du recalcul"):
        call_command("rollup_check")
    rollup_refresh()
    call_command("rollup_check")


def test_loaddata_refreshes_the_rollup(normandie, tmp_path):
    event = EventFactory(region=normandie, date=datetime.date(2024, 4, 4))
    attendance = AttendanceFactory(event=event, actual=15)
    fixtures = []
    for model, pk in (("events.event", event.pk), ("events.attendance", attendance.pk)):
        fixtures.append(tmp_path / f"{model}.json")
        with fixtures[-1].open("w") as out:
            call_command("dumpdata", model, "--pks", str(pk), stdout=out)
    event.delete()
    assert not EventRollup.objects.filter(region=normandie, year=2024).exists()
    call_command("loaddata", *map(str, fixtures), verbosity=0)
    assert set(EventRollup.objects.filter(year=2024).values_list("measure", "n")) == {
        ("events", 1),
        ("companies", 15),
    }
    assert_rollup_is_complete()


def test_the_page_reads_the_rollup_and_the_month_in_progress_from_the_events(normandie):
    source = _admin_source()
    for day in (3, 20):  # before and after "today", 15 March 2026
        event = EventFactory(region=normandie, date=datetime.date(2026, 3, day), source=source)
        AttendanceFactory(event=event, actual=10 * day)
    EventFactory(region=normandie, date=datetime.date(2026, 2, 27), source=source)
    with CaptureQueriesContext(connection) as queries:
        year = events_of_year(region=None, year=2026, today=MID_MONTH)
    assert (year.total("events"), year.total("companies")) == (2, 30)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("events_eventrollup" in s for s in sql) == 2  # events held, attendance
    # The month in progress: from the events, only from its first day.
    assert all("2026-03-01" in s for s in sql if 'FROM "events_event"' in s)
    # A past year: the rollup alone.
    with CaptureQueriesContext(connection) as queries:
        assert events_of_year(region=normandie, year=2026, today=datetime.date(2027, 1, 5)).total(
            "companies"
        ) == (30 + 200)
    assert not [q for q in queries.captured_queries if 'FROM "events_event"' in q["sql"]]
