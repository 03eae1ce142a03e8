"""The whole benchmark on PostgreSQL at full volume, from one command.

    .venv/bin/python bench/run.py            # or: make bench

1. Creates a fresh database (`--database-url`, default
   postgres://postgres@127.0.0.1:5432/akto_bench: dropped and created again), migrates,
   loads the demo data, then `generate_synthetic` (10 years x 150 000 contract lines).
2. Every dashboard page, API endpoint and PDF report of bench/dashboards.py through
   Django's test client: median and 95th percentile server time with an empty figure
   cache ("cold": every figure computed, the report drawn) and with a warm one, the SQL
   queries, and the "floor": the same SQL statements the cold page ran, executed bare on
   the same connection, and the ratio.
3. Import throughput: bench/import_contracts.py (1 000 000 contract lines), and XLSX
   reading and checking (300 000 lines, `--xlsx --check-only`).
4. gunicorn on 127.0.0.1 in production mode (DEBUG off, `collectstatic`,
   STATIC_MANIFEST=1): the overview page under 20 concurrent clients (throughput, errors),
   and whether plotly.js is served compressed with far-future caching.
5. Headless Chromium: page weight and time until the first chart is on screen (painted),
   and until the first interactive (plotly.js) chart is.
6. Two app servers (two gunicorn instances on their own ports) sharing PostgreSQL and
   Redis (`--redis-url`, flushed first): a figure changed in the admin through one is
   read fresh through the other right after, both ways.

Give it a database of its own (`--database-url`): it is dropped and created again.

Every request goes to 127.0.0.1 only; the number of requests is bounded.
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/akto_bench"
BENCH_SECRET_KEY = "bench-" + os.urandom(24).hex()


def fresh_database(url):
    """Drop and create the database of `url` (PostgreSQL), connecting to `postgres`."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup(args):
    # Production settings (DEBUG off: cached templates), without HTTPS for the test
    # client; the same key here and in gunicorn: the session made here logs clients in.
    os.environ.update(
        {
            "DEBUG": "0",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akto_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not args.keep_data:
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", force=True, stdout=quiet)
            call_command(
                "generate_synthetic",
                years=args.years,
                lines_per_year=args.lines_per_year,
                stdout=quiet,
            )
    from django.db import connection

    from contracts.models import ContractCount
    from events.models import Attendance, Event

    with connection.cursor() as cursor:  # what autovacuum does after a bulk load
        cursor.execute("VACUUM ANALYZE")
    print(
        f"data: demo + {args.years} x {args.lines_per_year:,} synthetic contract lines -> "
        f"{ContractCount.objects.count():,} contract counts, {Event.objects.count():,} events, "
        f"{Attendance.objects.count():,} attendance rows ({time.perf_counter() - began:.0f} s)"
    )


def bare_sql(statements, repeat):
    """Median time of running `statements` bare (cursor.execute + fetchall)."""
    from django.db import connection

    bare = []
    for sql in statements:
        declared = re.match(
            r'DECLARE "[^"]+" .*? CURSOR (?:WITH(?:OUT)? HOLD )?FOR (.*)', sql, re.S
        )
        if declared:  # a streamed export: the query behind its server-side cursor
            bare.append(declared[1])
        elif not sql.startswith(("FETCH ", "CLOSE ")):
            bare.append(sql)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in bare:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def pages(args):
    from django.core.cache import cache
    from django.test import Client

    from akto_portal.models import Branch, User
    from bench.dashboards import PAGES, measure

    hcr = Branch.objects.get(idcc="1979").pk
    client = Client()
    client.force_login(User.objects.get(username="demo-director"))
    header = (
        f"{'page':28} {'cold med':>8} {'p95':>5} {'warm med':>8} {'p95':>5} "
        f"{'queries':>9} {'floor':>6} {'ratio':>5}  goals"
    )
    print("\nserver time in ms (cold: empty figure cache; warm: cached figures)")
    print(header)
    results = []
    for label, url in PAGES:
        url = url.format(hcr=hcr)
        cold, cold_queries, statements = measure(client, url, args.repeat, before=cache.clear)
        warm, warm_queries, _ = measure(client, url, args.repeat)
        floor = bare_sql(statements, args.repeat)
        cold_med, cold_p95 = statistics.median(cold), percentile(cold, 95)
        warm_med, warm_p95 = statistics.median(warm), percentile(warm, 95)
        ratio = cold_med / floor if floor else 0
        goals = []
        if label.startswith(("France", "Normandie")):
            goals.append("floor ok" if cold_med <= 2 * floor + 15 else "floor MISSED")
            goals.append("cold ok" if cold_med < 100 and cold_p95 < 250 else "cold 100/250 MISSED")
            goals.append("warm ok" if warm_med < 100 and warm_p95 < 250 else "warm 100/250 MISSED")
        elif label.startswith("Rapport PDF"):  # issue 21: at most 1 s cold for a region
            goals.append("cold ok" if cold_med <= 1000 else "cold 1000 MISSED")
        print(
            f"{label:28} {cold_med:8.0f} {cold_p95:5.0f} {warm_med:8.0f} {warm_p95:5.0f} "
            f"{cold_queries:>4}/{warm_queries:<4} {floor:6.0f} {ratio:5.1f}  {' '.join(goals)}"
        )
        results.append((label, cold_med, warm_med, floor))
    return results


def import_throughput(args):
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "1"}
    for label, options in (
        (f"--lines {args.import_lines}", ["--lines", str(args.import_lines)]),
        (
            f"--xlsx --check-only --lines {args.xlsx_lines}",
            ["--xlsx", "--check-only", "--lines", str(args.xlsx_lines)],
        ),
    ):
        print(f"\nimport: bench/import_contracts.py {label}")
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench/import_contracts.py"), *options],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            if "lines" in line:
                print("  " + line.strip())
            match = re.search(r"([\d,]+) lines\s+([\d.]+) s", line)
            if match:
                lines, seconds = int(match[1].replace(",", "")), float(match[2])
                what = "XLSX rows read and checked" if "--xlsx" in options else "contract lines"
                print(f"  throughput: {lines / seconds:,.0f} {what} per second")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username="demo-director"):
    from django.test import Client

    from akto_portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


class Gunicorn:
    """gunicorn in production mode on 127.0.0.1, static files collected and hashed."""

    def __init__(self, args, *, workers=None, threads=None, redis_url=None, collect=True):
        self.port = free_port()
        self.collect = collect
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": BENCH_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "1",
            "DATABASE_URL": args.database_url,
            "LOG_LEVEL": "WARNING",
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.workers = workers or args.workers
        self.threads = threads or getattr(args, "threads", 1)
        self.process = None

    def cpu_seconds(self):
        """CPU time (user + system) of gunicorn's worker processes so far (Linux)."""
        total = 0
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            for pid in children.read_text().split():
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            return 0.0
        return total / os.sysconf("SC_CLK_TCK")

    def describe(self):
        if self.threads > 1:
            return f"{self.workers} workers x {self.threads} threads"
        return f"{self.workers} workers"

    def __enter__(self):
        if self.collect:
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=self.env,
                check=True,
            )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "akto_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                # gthread: threads that keep their connections alive between requests
                # (the sync worker closes each connection after one response).
                *(
                    ["--worker-class", "gthread", "--threads", str(self.threads)]
                    if self.threads > 1
                    else []
                ),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def get(port, path, cookie, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


async def _client(port, request, state, deadline):
    """One client: keeps its connection while the server keeps it (HTTP/1.1 keep-alive),
    sends the next request when the last response is read in full."""
    import asyncio

    reader = writer = None
    while time.perf_counter() < deadline and state["left"] > 0:
        state["left"] -= 1
        began = time.perf_counter()
        ok = False
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if length:
                await reader.readexactly(int(length[1]))
            else:
                await reader.read()  # no length: the body runs to the end of the connection
            ok = status == 200
            if not length or re.search(rb"(?i)\r\nconnection: *close", head):
                writer.close()
                reader = writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            if writer is not None:
                writer.close()
            reader = writer = None
        state["ok" if ok else "errors"] += 1
        state["times"].append((time.perf_counter() - began) * 1000)
    if writer is not None:
        writer.close()


def load(server, cookie, args):
    """`--clients` concurrent clients request the overview page until `--requests` are
    done or `--seconds` pass. The clients are asyncio tasks of one process (raw HTTP/1.1
    over keep-alive connections), so the load generator itself takes little CPU from the
    server on a small machine."""
    import asyncio

    path = "/?region=&year=2022"
    for _ in range(2 * server.workers):  # every worker computes the page once, cold
        get(server.port, path, cookie)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Cookie: sessionid={cookie}\r\nAccept-Encoding: gzip\r\n\r\n"
    ).encode()
    state = {"left": args.requests, "ok": 0, "errors": 0, "times": []}

    async def run():
        deadline = time.perf_counter() + args.seconds
        await asyncio.gather(
            *(_client(server.port, request, state, deadline) for _ in range(args.clients))
        )

    began = time.perf_counter()
    cpu, server_cpu = time.process_time(), server.cpu_seconds()
    asyncio.run(run())
    elapsed = time.perf_counter() - began
    cpu, server_cpu = time.process_time() - cpu, server.cpu_seconds() - server_cpu
    done = state["ok"] + state["errors"]
    print(
        f"\nload: overview page, {args.clients} concurrent clients, gunicorn "
        f"{server.describe()} with Redis on 127.0.0.1: {done} requests in {elapsed:.1f} s = "
        f"{done / elapsed:.1f} req/s, errors: {state['errors']}, latency median "
        f"{statistics.median(state['times']):.0f} ms, p95 {percentile(state['times'], 95):.0f} ms "
        f"\n  CPU per request: gunicorn {server_cpu / done * 1000:.2f} ms, load generator "
        f"{cpu / done * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )


def static_files(server, cookie):
    _status, _headers, body = get(server.port, "/?region=&year=2022", cookie)
    html = body.decode()
    _s, headers, packed = get(
        server.port, "/?region=&year=2022", cookie, {"Accept-Encoding": "gzip"}
    )
    print(
        f"\npage /?region=&year=2022: {len(body) / 1024:.0f} KiB -> {len(packed) / 1024:.0f} KiB "
        f"{headers.get('Content-Encoding', 'identity')}"
    )
    print("\nstatic files (gunicorn, STATIC_MANIFEST=1, WhiteNoise):")
    for src in re.findall(r'<script src="([^"]+)"', html) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', html
    ):
        status, headers, data = get(server.port, src, cookie, {"Accept-Encoding": "br, gzip"})
        _s, _h, plain = get(server.port, src, cookie)
        print(
            f"  {src:60} {status} {headers.get('Content-Encoding', 'identity'):8} "
            f"{len(plain) / 1024:7.0f} KiB -> {len(data) / 1024:5.0f} KiB  "
            f"Cache-Control: {headers.get('Cache-Control', '-')}"
        )


# Recorded in the page: when the first `.chart[data-drawn="true"]` (a chart on screen:
# the server's SVG or plotly's) and the first `[data-interactive="true"]` (plotly's) are
# painted — the frame after they appear in the document, measured from navigation.
FIRST_CHART = """
window.__charts = {};
function painted(name) {
  requestAnimationFrame(() => setTimeout(() => {
    if (!window.__charts[name]) { window.__charts[name] = performance.now(); }
  }, 0));
}
new MutationObserver(() => {
  if (!window.__charts.seen && document.querySelector('.chart[data-drawn="true"]')) {
    window.__charts.seen = true; painted("drawn");
  }
  if (!window.__charts.live && document.querySelector('.chart[data-interactive="true"]')) {
    window.__charts.live = true; painted("interactive");
  }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ["data-drawn", "data-interactive"]});
"""


def chromium(server, cookie):
    if not Path(CHROMIUM).exists():
        print(f"\nbrowser: {CHROMIUM} not found, skipped")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        print("\nbrowser (headless Chromium, cold browser cache, warm server):")
        for label, path in [
            ("France, année 2022", "/?region=&year=2022"),
            ("Normandie, année en cours", "/?region=28"),
        ]:
            context = browser.new_context()
            context.add_cookies(
                [{"name": "sessionid", "value": cookie, "url": f"http://127.0.0.1:{server.port}"}]
            )
            page = context.new_page()
            page.add_init_script(FIRST_CHART)
            sizes = []
            page.on("requestfinished", lambda request, sizes=sizes: sizes.append(request.url))
            page.goto(f"http://127.0.0.1:{server.port}{path}", wait_until="commit")
            page.wait_for_function("() => window.__charts.drawn && window.__charts.interactive")
            times = page.evaluate("window.__charts")
            # Not before the first contentful paint: the chart is on screen from there.
            paint = page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')"
                ".map(e => e.startTime)[0] || 0"
            )
            first_chart = max(times["drawn"], paint)
            interactive = max(times["interactive"], paint)
            page.wait_for_load_state("load")
            transferred = page.evaluate(
                "performance.getEntriesByType('navigation').concat("
                "performance.getEntriesByType('resource'))"
                ".reduce((sum, e) => sum + e.transferSize, 0)"
            )
            print(
                f"  {label:28} first chart drawn at {first_chart:5.0f} ms (interactive at "
                f"{interactive:5.0f} ms), page weight {transferred / 1024:6.0f} KiB "
                f"transferred ({len(sizes)} requests)"
            )
            context.close()
        browser.close()


def admin_set_count(port, cookie, figure, count):
    """Change a contract count through the admin's change form of the server on `port`
    (GET the form for its CSRF token, then POST), as an administrator would."""
    path = f"/admin/contracts/contractcount/{figure.pk}/change/"
    status, headers, body = get(port, path, cookie)
    assert status == 200, status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())[1]
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    cookies = f"sessionid={cookie}" + (f"; csrftoken={csrf_cookie[1]}" if csrf_cookie else "")
    form = {
        "csrfmiddlewaretoken": token,
        "region": figure.region_id,
        "branch": "",
        "year": figure.year,
        "month": "",
        "contract_type": figure.contract_type,
        "public": figure.public,
        "count": count,
        "source": figure.source_id,
    }
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(form),
            headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 302, response.status
    finally:
        conn.close()


def two_servers(args, cookie):
    """Two app servers sharing PostgreSQL and Redis: what is written through one is read
    fresh through the other right after (the figure cache is keyed by the data version,
    which the database's triggers bump)."""
    import redis

    from contracts.models import ContractCount

    redis.Redis.from_url(args.redis_url).flushdb()
    admin = session_cookie("demo-admin")
    figure = ContractCount.objects.get(
        region__code="28", year=2021, month=None, branch=None, public="all"
    )
    path = "/api/v1/contracts/summary?region=28&year=2021"

    def contracts(server):
        status, _headers, body = get(server.port, path, cookie)
        assert status == 200, status
        return json.loads(body)["contracts"]

    with (
        Gunicorn(args, workers=2, redis_url=args.redis_url) as first,
        Gunicorn(args, workers=2, redis_url=args.redis_url, collect=False) as second,
    ):
        print(
            f"\ntwo app servers (gunicorn on ports {first.port} and {second.port}, 2 workers "
            f"each, one PostgreSQL, one Redis {args.redis_url}):"
        )
        ok = True
        for writer, reader in ((first, second), (second, first)):
            before = (contracts(writer), contracts(reader), contracts(reader))  # now cached
            count = before[1] + 1
            began = time.perf_counter()
            admin_set_count(writer.port, admin, figure, count)
            after = contracts(reader)
            elapsed = (time.perf_counter() - began) * 1000
            fresh = after == count
            ok = ok and fresh and len(set(before)) == 1
            print(
                f"  admin write through :{writer.port} ({before[1]} -> {count}), read through "
                f":{reader.port} right after (write and read: {elapsed:.0f} ms): {after} "
                f"{'fresh' if fresh else 'STALE'}"
            )
        print(f"  two servers: {'ok' if ok else 'FAILED'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--lines-per-year", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=15, help="requests per page and mode")
    parser.add_argument("--import-lines", type=int, default=1_000_000)
    parser.add_argument("--xlsx-lines", type=int, default=300_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000, help="load test: total requests")
    parser.add_argument("--seconds", type=int, default=60, help="load test: at most")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--keep-data", action="store_true", help="reuse the database as it is (no data load)"
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the pages' server times (no gunicorn, browser, two servers, import)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="Redis database for the two app servers (flushed)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark runs on PostgreSQL (--database-url postgres://...)")
    began = time.perf_counter()
    print(
        f"scale: {args.years} years x {args.lines_per_year:,} contract lines a year "
        f"({args.years * args.lines_per_year:,} synthetic lines) + the demo data"
    )
    if not args.keep_data:
        fresh_database(args.database_url)
    setup(args)
    pages(args)
    if args.pages_only:
        print(f"\ntotal {time.perf_counter() - began:.0f} s")
        return
    cookie = session_cookie()
    # As shipped (docker-compose): the figure cache, the sessions and the signed-in user in
    # Redis, shared by the workers.
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    with Gunicorn(args, redis_url=args.redis_url) as server:
        load(server, cookie, args)
        static_files(server, cookie)
        chromium(server, cookie)
    two_servers(args, cookie)
    import_throughput(args)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
