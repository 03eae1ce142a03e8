"""The subscription models moved from dashboards to notifications (their migrations
0003 and 0001): on a database that had them under dashboards, the rows, the tables and
the permissions granted on them stay; only Django's state and the content types move."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from akto_portal.models import User
from notifications.models import Subscription

MOVED = ["subscription", "alertstate", "delivery"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_rows_and_permissions():
    # Its own user: a transactional test may follow another that emptied the reference
    # tables (the fixed users need their region; an administrator needs none).
    user = User.objects.create(username="abonne", email="abonne@example.org", role=User.Role.ADMIN)
    subscription = Subscription.objects.create(user=user, frequency="weekly")
    _migrate([("notifications", None)])  # back to the state before the move
    # As on a database made before the move (the reverse migration moved them back).
    assert not ContentType.objects.filter(app_label="notifications", model__in=MOVED).exists()
    old = {m: ContentType.objects.get(app_label="dashboards", model=m) for m in MOVED}
    Permission.objects.filter(content_type=old["subscription"]).delete()
    permission = Permission.objects.create(
        content_type=old["subscription"], codename="view_subscription", name="voir"
    )

    _migrate([("dashboards", "0003_models_moved_to_notifications")])

    moved = ContentType.objects.get(pk=old["subscription"].pk)
    assert (moved.app_label, moved.model) == ("notifications", "subscription")
    assert not ContentType.objects.filter(app_label="dashboards", model__in=MOVED).exists()
    assert Permission.objects.get(pk=permission.pk).content_type == moved
    assert Subscription.objects.get(pk=subscription.pk).frequency == "weekly"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dashboards_subscription")
        assert cursor.fetchone() == (1,)
