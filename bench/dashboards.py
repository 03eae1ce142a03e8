"""Time each dashboard page on generated data: median server time and SQL queries.

    .venv/bin/python bench/dashboards.py [--years 20] [--repeat 7]

Builds a throw-away database (SQLite in /tmp, or BENCH_DATABASE_URL), loads the demo
data, then adds `--years` more years of monthly contracts by branch for every region
(about 4 000 rows a year) and two events a month per region with their attendance,
and requests each page through Django's test client as the demo director. Figures are
cached after the first request (akto_portal/cache.py), so the median is the cached page;
bench/run.py measures both, on PostgreSQL at full volume.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/akto-bench.sqlite3")
os.environ.update({"DEBUG": "1", "DATABASE_URL": DATABASE})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akto_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from akto_portal.models import Source, User  # noqa: E402
from contracts.models import ContractCount  # noqa: E402
from events.models import Attendance, Event  # noqa: E402

PAGES = [
    ("France, année 2022", "/?region=&year=2022"),
    ("France, au 30/06/2022", "/?region=&year=2022&date=2022-06-30"),
    ("Normandie, année en cours", "/?region=28"),
    ("Normandie › HCR", "/?region=28&branch={hcr}"),
    ("Export CSV régions", "/export/regions.csv?region=&year=2022"),
    ("Export XLSX tableau", "/export/tableau.xlsx?region=28&year=2022"),
    ("API summary", "/api/v1/contracts/summary?region=28&year=2021"),
    ("API by-region", "/api/v1/contracts/by-region?year=2022"),
    ("API events", "/api/v1/events/summary?year=2026"),
    # The PDF report (4 pages): cold, drawn; warm, its bytes from the cache.
    ("Rapport PDF Normandie", "/rapport.pdf?region=28"),
    ("Rapport PDF France 2022", "/rapport.pdf?region=FR&year=2022"),
]


def generate(years):
    """Copy the synthetic 2021 contracts into `years` earlier years; add events."""
    source = Source.objects.get(kind=Source.Kind.SYNTHETIC)
    template = list(ContractCount.objects.filter(year=2021, source=source))
    first = 2020 - years
    rows = [
        ContractCount(
            region_id=c.region_id,
            branch_id=c.branch_id,
            year=year,
            month=c.month,
            contract_type=c.contract_type,
            public=c.public,
            count=c.count,
            source=source,
        )
        for year in range(first, 2020)
        for c in template
    ]
    ContractCount.objects.bulk_create(rows, batch_size=5000)
    events = list(Event.objects.filter(source=source, date__year=2025))
    new_events = [
        Event(
            title=f"{e.title} (bench {year})",
            kind=e.kind,
            date=e.date.replace(year=year),
            region_id=e.region_id,
            axis_id=e.axis_id,
            source=source,
        )
        for year in range(max(first, 2000), 2025)
        for e in events
    ]
    Event.objects.bulk_create(new_events, batch_size=2000)
    Attendance.objects.bulk_create(
        [Attendance(event=e, category="companies", planned=20, actual=15) for e in new_events],
        batch_size=5000,
    )
    return ContractCount.objects.count(), Event.objects.count()


def measure(client, url, repeat, before=None):
    """Request `url` `repeat` times (calling `before()` before each): the server times in
    ms, the number of SQL queries and the SQL statements of the last request."""
    timings = []
    for _ in range(repeat):
        if before is not None:
            before()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, len(captured), [q["sql"] for q in captured.captured_queries]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20, help="extra years of data")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    args = parser.parse_args()
    if DATABASE.startswith("sqlite:////tmp/"):
        Path(DATABASE.removeprefix("sqlite:///")).unlink(missing_ok=True)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    started = time.perf_counter()
    counts, events = generate(args.years)
    print(f"{counts:,} contract rows, {events:,} events ({time.perf_counter() - started:.0f} s)")

    from akto_portal.models import Branch

    hcr = Branch.objects.get(idcc="1979").pk
    client = Client()
    client.force_login(User.objects.get(username="demo-director"))
    print(f"{'page':32} {'median ms':>10} {'queries':>8}")
    for label, url in PAGES:
        url = url.format(hcr=hcr)
        timings, queries, _sql = measure(client, url, args.repeat)
        print(f"{label:32} {statistics.median(timings):10.0f} {queries:8d}")


if __name__ == "__main__":
    main()
