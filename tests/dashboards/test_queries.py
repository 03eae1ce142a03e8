"""SQL queries per dashboard page: bounded, and the same with ten times the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from akto_portal.models import Branch, Region
from tests.factories import AttendanceFactory, ContractCountFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db
# The national page on a cold cache: contract figures, events, conventions, and the
# market share (at most 4 queries whatever the number of regions). 35 since the events
# are read from their monthly rollup for whole months and from the events themselves for
# the month in progress (events.rollup).
MAX_QUERIES = 35
PAGES = [
    ("overview", {"region": "", "year": 2022}),
    ("overview", {"region": "11", "year": 2022, "date": "2022-06-30"}),
    ("overview", {"region": "11", "year": 2022, "branch": "HCR"}),
    ("dashboard-export", {"region": "", "year": 2022}),
    ("api-contracts-summary", {"year": 2022}),
    ("api-contracts-by-region", {"year": 2022}),
    ("api-events-summary", {"year": 2022}),
]


def more_data(scale, first_year):
    """Monthly counts by branch for `scale` regions and years, and events with attendance."""
    source = SourceFactory(title=f"Volume {scale}")
    branches = list(Branch.objects.all()[:3])
    for region in Region.objects.all()[:scale]:
        for year in range(first_year, first_year + scale):
            for month in (3, 9):
                for branch in branches:
                    ContractCountFactory(
                        region=region, branch=branch, year=year, month=month, source=source
                    )
        for day in range(1, scale + 1):
            event = EventFactory(region=region, date=datetime.date(2022, 5, day), source=source)
            AttendanceFactory(event=event)


def count(client, name, params):
    args = ["regions", "csv"] if name == "dashboard-export" else []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=args), params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_queries_per_page_are_bounded_and_do_not_grow_with_data(
    client_for, director, agefiph_targets
):
    client = client_for(director)
    hcr = str(Branch.objects.get(idcc="1979").pk)
    pages = [(n, {**p, "branch": hcr} if p.get("branch") else p) for n, p in PAGES]
    more_data(2, 2018)
    small = [count(client, name, params) for name, params in pages]
    more_data(8, 2010)
    large = [count(client, name, params) for name, params in pages]
    assert large == small
    assert max(large) <= MAX_QUERIES
