"""Model-based test of the write paths of events and attendance (hypothesis stateful
testing), as `tests/contracts/test_write_paths_stateful.py` does for contract figures.

Random sequences of the staff's services (create, edit — moving an event to another
region, department, month or kind —, cancel, delete, restore, attendance entered or
emptied) and of bulk ORM writes (attendance updated, events of a month deleted), on
Normandie, Bretagne and national events of March–May 2025. After every step the figures
the pages read (`events_of_year`, France and each region, "up to" 15 April 2025: March
from the rollup, April partly from the events) equal an oracle kept plainly here from
the writes themselves, and the rollup equals a recomputation.

Bounded for CI (profile "ci", the default, tests/conftest.py); `pytest
--hypothesis-profile=long tests/events/test_write_paths_stateful.py` runs more and
longer sequences.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from akto_portal.models import Department, Region
from events import services
from events.models import Attendance, Event, EventKind, ParticipantCategory
from events.rollup import rollup_differences
from events.selectors import _events_of_year

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 4, 15)
REGIONS = ("28", "53", None)  # Normandie, Bretagne, national
DATES = (datetime.date(2025, 3, 3), datetime.date(2025, 4, 10), datetime.date(2025, 4, 20))
KINDS = (EventKind.INFO_MEETING, EventKind.JOB_FAIR)
CATEGORIES = (ParticipantCategory.COMPANIES, ParticipantCategory.YOUTH)
ACTUAL = st.one_of(st.none(), st.integers(0, 40))


@dataclass
class Recorded:
    """The oracle's event: what was written, as it should count."""

    region: str | None
    department: bool  # placed in the region's first department
    date: datetime.date
    kind: str
    cancelled: bool = False
    deleted: bool = False
    actual: dict[str, int] = field(default_factory=dict)


class EventWrites(RuleBasedStateMachine):
    admin = None  # set by the test
    regions: dict[str | None, Region | None] = {}
    departments: dict[str, Department] = {}

    def __init__(self) -> None:
        super().__init__()
        Event.all_objects.all().delete()
        self.events: dict[int, Recorded] = {}

    def _fields(self, region: str | None, department: bool) -> dict:
        return {
            "region": self.regions[region],
            "department": self.departments[region] if department and region else None,
        }

    def _event(self, data: st.DataObject, *, deleted: bool = False) -> tuple[Event, Recorded]:
        pk = data.draw(
            st.sampled_from(sorted(pk for pk, e in self.events.items() if e.deleted == deleted))
        )
        return Event.all_objects.get(pk=pk), self.events[pk]

    def _has(self, deleted: bool) -> bool:
        return any(e.deleted == deleted for e in self.events.values())

    # --- the staff's services -----------------------------------------------------------

    @rule(
        region=st.sampled_from(REGIONS),
        department=st.booleans(),
        date=st.sampled_from(DATES),
        kind=st.sampled_from(KINDS),
    )
    def create(self, region, department, date, kind):
        event = services.event_create(
            user=self.admin,
            title="Réunion",
            kind=kind,
            date=date,
            **self._fields(region, department),
        )
        self.events[event.pk] = Recorded(region, bool(department and region), date, kind)

    @precondition(lambda self: self._has(False))
    @rule(
        data=st.data(),
        region=st.sampled_from(REGIONS),
        department=st.booleans(),
        date=st.sampled_from(DATES),
        kind=st.sampled_from(KINDS),
    )
    def edit(self, data, region, department, date, kind):
        event, recorded = self._event(data)
        services.event_update(
            user=self.admin,
            event=event,
            expected_version=event.version,
            date=date,
            kind=kind,
            **self._fields(region, department),
        )
        recorded.region, recorded.date, recorded.kind = region, date, kind
        recorded.department = bool(department and region)

    @precondition(lambda self: self._has(False))
    @rule(data=st.data())
    def cancel_or_not(self, data):
        event, recorded = self._event(data)
        services.event_cancel(
            user=self.admin,
            event=event,
            expected_version=event.version,
            cancelled=not recorded.cancelled,
        )
        recorded.cancelled = not recorded.cancelled

    @precondition(lambda self: self._has(False))
    @rule(data=st.data())
    def delete(self, data):
        event, recorded = self._event(data)
        services.event_delete(user=self.admin, event=event, expected_version=event.version)
        recorded.deleted = True

    @precondition(lambda self: self._has(True))
    @rule(data=st.data())
    def restore(self, data):
        event, recorded = self._event(data, deleted=True)
        services.event_restore(user=self.admin, event=event)
        recorded.deleted = False

    @precondition(lambda self: self._has(False))
    @rule(data=st.data(), companies=ACTUAL, youth=ACTUAL)
    def attendance(self, data, companies, youth):
        event, recorded = self._event(data)
        services.attendance_save(
            user=self.admin,
            event=event,
            expected_version=event.version,
            counts={"companies": (None, companies), "youth": (None, youth)},
        )
        for category, actual in (("companies", companies), ("youth", youth)):
            if actual is None:
                recorded.actual.pop(category, None)
            else:
                recorded.actual[category] = actual

    # --- bulk ORM writes ----------------------------------------------------------------

    @rule(region=st.sampled_from(REGIONS), actual=st.integers(0, 9))
    def bulk_attendance(self, region, actual):
        Attendance.objects.filter(event__region=self.regions[region]).update(actual=actual)
        for recorded in self.events.values():
            if recorded.region == region:
                for category in recorded.actual:
                    recorded.actual[category] = actual

    @rule(date=st.sampled_from(DATES))
    def bulk_delete(self, date):
        Event.all_objects.filter(date=date).delete()
        self.events = {pk: e for pk, e in self.events.items() if e.date != date}

    # --- the figures --------------------------------------------------------------------

    def expected(self, region: str | None) -> tuple[Counter, Counter]:
        held, attendance = Counter(), Counter()
        for e in self.events.values():
            if e.deleted or e.cancelled or e.date > TODAY:
                continue
            if region is not None and e.region != region:
                continue
            held[(e.date.month, e.kind)] += 1
            for category, actual in e.actual.items():
                attendance[(e.date.month, e.kind, category)] += actual
        return held, attendance

    @invariant()
    def figures_are_the_oracles(self):
        for region in (None, "28", "53"):
            year = _events_of_year(region=self.regions[region], year=2025, today=TODAY)
            held, attendance = Counter(), Counter()
            for row in year.held:
                held[(row["month"], row["kind"])] += row["n"]
            for row in year.attendance:
                attendance[(row["month"], row["event__kind"], row["category"])] += row["n"]
            expected_held, expected_attendance = self.expected(region)
            assert +held == expected_held, region
            # A category entered as 0 is a row of 0: compare the sums.
            assert +attendance == +expected_attendance, region
        assert rollup_differences() == []


def test_write_paths_keep_the_events_figures(admin_user):
    EventWrites.admin = admin_user
    EventWrites.regions = {code: Region.objects.get(code=code) for code in REGIONS if code}
    EventWrites.regions[None] = None
    EventWrites.departments = {
        code: Department.objects.filter(region__code=code).order_by("code").first()
        for code in REGIONS
        if code
    }
    run_state_machine_as_test(EventWrites)
