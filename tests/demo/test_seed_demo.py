import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from akto_portal.models import User
from contracts.models import ContractCount, ContractTarget
from conventions.models import Convention, Indicator, IndicatorValue
from events.models import ActivityTotal, Attendance, Event
from notifications.models import Subscription

pytestmark = pytest.mark.django_db
MODELS = [
    ContractCount,
    ContractTarget,
    Convention,
    Indicator,
    IndicatorValue,
    Event,
    Attendance,
    ActivityTotal,
    User,
    Subscription,
]


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS
    } | {"contracts": ContractCount.objects.aggregate(n=Sum("count"))["n"]}


def test_seed_is_idempotent_and_creates_the_demo_users(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {"demo-admin": "admin", "demo-director": "director", "demo-staff": "staff"}
    assert User.objects.get(username="demo-staff").region.code == "28"
    assert User.objects.get(username="demo-director").check_password("demo")
    emails = dict(User.objects.values_list("username", "email"))
    assert emails["demo-director"] == "demo-director@example.org"
    assert emails["demo-staff"] == "demo-staff@example.org"
    assert emails["demo-admin"] == "demo-admin@example.org"
    subscription = Subscription.objects.get()
    assert subscription.user.username == "demo-director"
    assert subscription.frequency == Subscription.Frequency.WEEKLY
    assert [r.name for r in subscription.regions.all()] == ["Normandie"]


def test_seed_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_seed_keeps_the_documents_figures(settings):
    from contracts.selectors import yearly_totals

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    totals = yearly_totals()
    normandie = Convention.objects.get(region__code="28", parent=None).region
    assert totals[(normandie.id, 2021)].value == 3071
    assert totals[(normandie.id, 2020)].value == 2173
    assert not totals[(normandie.id, 2020)].synthetic


def test_seed_places_normandies_events_in_their_citys_department(settings):
    """A demo event held in Caen is in Calvados, in Le Havre or Rouen in Seine-Maritime…;
    online events have no department, other regions' events (held "in the region") none
    either, and the documents' totals (26 meetings, 493 companies, 5 fairs) stay the
    region's."""
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    placed = set(
        Event.objects.filter(region__code="28", source__kind="synthetic")
        .values_list("place", "department__code")
        .distinct()
    )
    assert placed == {
        ("", None),
        ("Caen", "14"),
        ("Rouen", "76"),
        ("Le Havre", "76"),
        ("Cherbourg-en-Cotentin", "50"),
        ("Évreux", "27"),
        ("Alençon", "61"),
    }
    assert not Event.objects.exclude(region__code="28").filter(department__isnull=False).exists()
    reported = ActivityTotal.objects.filter(region__code="28", year=2021)
    assert sorted(reported.values_list("value", flat=True)) == [5, 26, 493]
