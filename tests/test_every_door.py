"""Every door, every write: the URLconf (the admin's included) and the admin registry are
walked, and each write is tried as Normandie's regional director (who writes nothing)
and as regional staff of Bretagne against Normandie's objects. Every attempt must be
refused and leave the database exactly as it was.

The walk does not skip what it does not know: a new URL pattern fails
`test_every_url_pattern_is_classified` until it is classified in tests/doors.py — as a
read-only page (its POST is tried too, and must change nothing), as a personal write
(the user's own data), or as a write door with its attempts. Admin pages are
classified by kind (add, change, delete, history revert, actions, import…), so a new
model admin is attacked as soon as it is registered, and a new action needs its data
there.

Each attempt is also made by someone who may (an administrator, or Normandie's staff)
in a transaction rolled back afterwards, and must change the database: the data posted
is plausible, so a refusal comes from a permission check and not from a bad form.
"""

import datetime
import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from akto_portal.history_admin import HistoryAdmin
from akto_portal.models import Region, SavedView, Source
from akto_portal.services import api_token_create
from contracts.models import ImportBatch
from contracts.tasks import import_check
from conventions.models import ActionPlan, Convention, IndicatorValue
from events.models import Attendee, Organisation, ParticipantCategory
from notifications.models import AlertState, Delivery, Subscription
from tests.doors import (
    ATTACKERS,
    PERSONAL,
    READ_ONLY,
    WRITE_DOORS,
    Attempt,
    World,
    classify,
    send,
    target_of,
    url_patterns,
    write_attempts,
)
from tests.events.conftest import make_siret
from tests.factories import AttendanceFactory, ContractCountFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(documents, admin_user, director, staff, outsider, normandie, settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    event = EventFactory(region=normandie, title="Réunion de Caen")
    EventFactory(
        region=normandie, title="Réunion supprimée", deleted_at=timezone.now(), deleted_by=staff
    )
    AttendanceFactory(event=event, category=ParticipantCategory.COMPANIES, planned=20, actual=15)
    organisation = Organisation.objects.create(
        kind="company", identifier=make_siret(1), name="Boulangerie caennaise"
    )
    # Spares nothing refers to, for the administrator's deletions (the controls).
    Region.objects.create(code="98", name="Région fictive")
    spare_source = Source.objects.create(kind=Source.Kind.MANUAL, title="Source inutilisée")
    ActionPlan.objects.create(title="Plan fictif", year=2030, source=spare_source)
    Source.objects.create(kind=Source.Kind.MANUAL, title="Autre source inutilisée")
    Organisation.objects.create(kind="company", identifier=make_siret(3), name="Sans visite")
    source = Source.objects.create(kind=Source.Kind.IMPORT, title="Import de contrats (test)")
    ContractCountFactory(region=normandie, year=2024, count=42, source=source)
    # One row of each login-throttling log, so that their admin pages are attacked too.
    attempt = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "inconnu"}
    AccessAttempt.objects.create(**attempt, failures_since_start=3, get_data="", post_data="")
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    # A subscription, a mail and an alert state, so that their admin pages are attacked.
    Subscription.objects.create(user=staff, frequency=Subscription.Frequency.WEEKLY)
    Delivery.objects.create(
        user=staff, kind="digest", key="digest:weekly:2026-W47", as_of="2026-11-23", subject="R"
    )
    AlertState.objects.create(subject="region:28", label="Normandie", checked_on="2026-11-23")
    # One queued task, so that django-tasks' admin pages are attacked too.
    import_check.enqueue(job_id=str(uuid.uuid4()))
    users = {"admin": admin_user, "director": director, "staff": staff, "outsider": outsider}
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    # Expired (a login cleans expired attempts up, so after the logins above).
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=1))
    return World(
        users=users,
        clients=clients,
        event=event,
        attendee=Attendee.objects.create(event=event, organisation=organisation),
        convention=Convention.objects.get(region=normandie, parent=None),
        figure=IndicatorValue.objects.get(value=8783),
        saved_view=SavedView.objects.create(user=staff, name="Normandie", query="region=28"),
        token_id=api_token_create(user=staff, name="Excel")[0].pk,
        group=Group.objects.create(name="Pilotage"),
        batch=ImportBatch.objects.create(
            layout=ImportBatch.Layout.COUNTS,
            file_name="contrats.csv",
            checksum="0" * 64,
            source=source,
            created_by=admin_user,
        ),
    )


# The tests ---------------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    patterns = list(url_patterns())
    unknown = [(route, name) for route, name in patterns if classify(route, name) is None]
    assert unknown == [], (
        "New URL patterns: list them in tests/test_every_door.py (READ_ONLY, PERSONAL, "
        "or a write door with its attempts)"
    )
    assert len(patterns) > 150  # the admin's pages are walked too
    assert {name for _route, name in patterns} >= READ_ONLY.keys() | PERSONAL | WRITE_DOORS


def test_every_write_door_has_attempts(world):
    attempts = write_attempts(world)
    writes = {name for route, name in url_patterns() if classify(route, name) == "write"}
    assert writes - attempts.keys() == set()


def test_every_admin_action_declares_its_permissions():
    for model_admin in admin.site._registry.values():
        for func, name, _description in model_admin._get_base_actions():
            assert getattr(func, "allowed_permissions", None), (type(model_admin), name)


def test_every_admin_with_a_history_checks_change_permission_on_revert():
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), type(model_admin)


@pytest.mark.parametrize("role", ATTACKERS)
def test_every_write_is_refused_and_changes_nothing(world, role, subtests):
    attempts = [a for group in write_attempts(world).values() for a in group]
    assert len(attempts) > 100
    for attempt in attempts:
        if role not in attempt.refused:
            continue
        with subtests.test(door=attempt.door, role=role):
            response, changed = send(world, role, attempt)
            assert changed == []
            assert response.status_code in attempt.refused[role]


@pytest.mark.parametrize("role", ATTACKERS)
def test_posting_to_read_only_pages_changes_nothing(world, role, subtests):
    junk = {"title": "Intrus", "name": "Intrus", "value": "999999", "post": "yes"}
    urls = [build(world) for build in READ_ONLY.values()]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        target = target_of(world, model)
        urls.append(reverse(f"{info}_changelist"))
        urls.append(reverse(f"{info}_history", args=[target.pk]))
    for url in urls:
        with subtests.test(url=url, role=role):
            response, changed = send(world, role, Attempt(url, url, junk))
            assert changed == []
            assert response.status_code < 500


def test_each_write_succeeds_for_someone_who_may(world, subtests):
    """The control: the same data, posted by an administrator or Normandie's staff."""
    attempts = [a for group in write_attempts(world).values() for a in group]
    controlled = [a for a in attempts if a.control]
    assert len(controlled) > 60
    for attempt in controlled:
        with subtests.test(door=attempt.door, role=attempt.control):
            response, changed = send(world, attempt.control, attempt)
            if attempt.control_status:
                assert response.status_code == attempt.control_status
            else:
                assert changed, response.status_code
