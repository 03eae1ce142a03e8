"""Shared fixtures: fixed users per role and region (admin, director, staff, outsider).

Environment for the suite (production-like, DEBUG off) is set in pyproject.toml.
Log in with `client_for(user)` (force_login). `client.login(...)` authenticates, and
django-axes checks every authentication against its request: pass `request=HttpRequest()`.
"""

import importlib
import itertools

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings

from akto_portal.models import Branch, Region, User
from tests.factories import ContractCountFactory, SourceFactory

PASSWORD = "correct horse battery staple"

# The SMTP server and Normandie's digest figures, for the mail tests of every app.
pytest_plugins = ["tests.mail_server"]

# Model-based tests (tests/contracts/test_write_paths_stateful.py): bounded in CI ("ci",
# the default); `--hypothesis-profile=long` for a longer run.
# "ci" is derandomized (the same sequences on every run: a red CI is reproducible);
# "long" explores at random.
for _name, _examples, _steps, _fixed in (("ci", 12, 10, True), ("long", 200, 30, False)):
    settings.register_profile(
        _name,
        max_examples=_examples,
        stateful_step_count=_steps,
        deadline=None,
        derandomize=_fixed,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci")


def pytest_collection_modifyitems(items):
    """In each module, the tests without the demo data run first: once a test asks for
    `demo`, the module's seeded transaction stays open until its last test. Only within
    each run of one module's tests, so pytest-django's order (transactional tests last)
    holds."""
    ordered = []
    for _module, tests in itertools.groupby(items, key=lambda item: item.path):
        ordered += sorted(tests, key=lambda item: "demo" in item.fixturenames)
    items[:] = ordered


def _user(username, role, region_code):
    region = Region.objects.get(code=region_code) if region_code else None
    user = User(username=username, role=role, region=region, first_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def normandie():
    return Region.objects.get(code="28")


@pytest.fixture
def bretagne():
    return Region.objects.get(code="53")


@pytest.fixture
def admin_user(db):
    return _user("admin", User.Role.ADMIN, None)


@pytest.fixture
def director(db):
    return _user("director-normandie", User.Role.DIRECTOR, "28")


@pytest.fixture
def staff(db):
    return _user("staff-normandie", User.Role.STAFF, "28")


@pytest.fixture
def outsider(db):
    """Regional staff of another region (Bretagne)."""
    return _user("staff-bretagne", User.Role.STAFF, "53")


@pytest.fixture
def documents(db):
    """Every figure of the two source documents, without the synthetic set."""
    from demo import documents

    documents.load_all()


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """A password hashed in a blink (Django's advice for test suites): production's
    PBKDF2 takes 0.3 s a user, and most tests make two or three."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_figure_cache():
    """Cached figures are keyed by the data version, which a rolled-back test transaction
    brings back: start every test with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class _LiveModels:
    """The live app registry as a data migration's loader sees it, models it knew in
    another app included (Department was contracts' when its rows were loaded)."""

    MOVED = {("contracts", "department"): ("akto_portal", "Department")}

    def get_model(self, app_label, model_name):
        app_label, model_name = self.MOVED.get(
            (app_label, model_name.lower()), (app_label, model_name)
        )
        return apps.get_model(app_label, model_name)


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests: the flush that ends each of them also empties the
    reference data of the data migrations; load it again (the loaders are idempotent)."""
    for module in (
        "akto_portal.migrations.0002_reference_data",
        "conventions.migrations.0002_partners",
        "contracts.migrations.0003_departments_data",
    ):
        importlib.import_module(module).load(_LiveModels(), None)


@pytest.fixture
def run_worker(reference_data):
    """Run the real background worker (django-tasks' `db_worker`) until the queue is
    empty, in this process; returns how many tasks it ran. Its signal handlers are put
    back afterwards (the worker installs its own for a graceful shutdown).

    The worker commits and closes connections as in production, so a test using it
    runs on a transactional database (hence `reference_data`)."""
    import signal

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    def run():
        before = DBTaskResult.objects.finished().count()
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        failed = list(DBTaskResult.objects.failed().values_list("traceback", flat=True))
        assert not failed, failed
        return DBTaskResult.objects.finished().count() - before

    return run


@pytest.fixture
def monthly(documents):
    """Île-de-France known month by month and branch by branch (manual entries):
    2021: 10 a month in January-June, 30 a month after (240, a quarter by June);
    2022: January-October, 10 a month in HCR and 5 in restauration rapide."""
    idf = Region.objects.get(code="11")
    hcr, fast_food = Branch.objects.get(idcc="1979"), Branch.objects.get(idcc="1501")
    source = SourceFactory(title="Saisie de test")
    for month in range(1, 13):
        half = 5 if month <= 6 else 15
        for branch in (hcr, fast_food):
            ContractCountFactory(
                region=idf, branch=branch, year=2021, month=month, count=half, source=source
            )
    for month in range(1, 11):
        ContractCountFactory(
            region=idf, branch=hcr, year=2022, month=month, count=10, source=source
        )
        ContractCountFactory(
            region=idf, branch=fast_food, year=2022, month=month, count=5, source=source
        )
    return {"idf": idf, "hcr": hcr, "fast_food": fast_food}


@pytest.fixture
def agefiph_targets(documents):
    """The (synthetic, flagged) 2025-27 Agefiph targets and computed indicators."""
    from akto_portal.models import Source
    from demo import synthetic

    source, _ = Source.objects.get_or_create(
        kind=Source.Kind.SYNTHETIC, title=synthetic.SYNTHETIC_SOURCE["title"]
    )
    synthetic.load_indicator_targets(source)


@pytest.fixture(scope="module")
def _demo_of_the_module(django_db_setup, django_db_blocker):
    """`seed_demo` run once for a module, in a transaction rolled back after its last
    test; each test runs in a savepoint inside it (and gets back the seeded state)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(request, _demo_of_the_module, db):
    """The demo data as `seed_demo` loads it: both source documents and synthetic data,
    seeded once per module (a transactional test seeds its own)."""
    assert "transactional_db" not in request.fixturenames, "seed_demo in the test instead"
