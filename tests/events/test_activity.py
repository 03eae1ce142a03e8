import datetime

import pytest

from events.models import ActivityTotal, EventKind
from events.selectors import activity_summary
from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 24)


def row(rows, year, kind):
    return next(r for r in rows if r.year == year and r.kind == kind)


def test_reported_total_replaces_recorded_events_of_the_same_scope(documents, normandie):
    # Two info meetings recorded in Normandie in 2021: the reported 26 already covers them.
    for day in (3, 4):
        AttendanceFactory(
            event=EventFactory(region=normandie, date=datetime.date(2021, 3, day)), actual=10
        )
    summary = row(activity_summary(region=normandie, today=TODAY), 2021, EventKind.INFO_MEETING)
    assert summary.cell(ActivityTotal.Measure.EVENTS).value == 26
    assert summary.cell(ActivityTotal.Measure.COMPANIES).value == 493
    national = row(activity_summary(today=TODAY), 2021, EventKind.INFO_MEETING)
    assert national.cell(ActivityTotal.Measure.EVENTS).value == 200
    assert national.cell(ActivityTotal.Measure.EVENTS).qualifier == "about"


def test_recorded_events_are_counted_where_nothing_is_reported(normandie, bretagne):
    EventFactory(region=normandie, date=datetime.date(2025, 3, 1))
    EventFactory(region=bretagne, date=datetime.date(2025, 4, 1))
    EventFactory(region=bretagne, date=datetime.date(2025, 5, 1), is_cancelled=True)
    EventFactory(region=bretagne, date=datetime.date(2027, 5, 1))  # not held yet
    national = row(activity_summary(today=TODAY), 2025, EventKind.INFO_MEETING)
    assert national.cell(ActivityTotal.Measure.EVENTS).value == 2
