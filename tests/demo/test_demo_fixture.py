"""The shared `demo` fixture (one `seed_demo` per module): each test starts from the
seeded state, whatever the test before it wrote."""

import pytest

from contracts.models import ContractCount
from events.models import Event

pytestmark = pytest.mark.django_db
SEEN = {}


def test_a_test_that_deletes_the_demo_data(demo):
    SEEN["events"], SEEN["counts"] = Event.objects.count(), ContractCount.objects.count()
    assert SEEN["events"] > 500 and SEEN["counts"] > 1000
    Event.objects.all().delete()
    ContractCount.objects.all().delete()
    assert not Event.objects.exists()


def test_the_next_test_finds_it_whole(demo):
    assert Event.objects.count() == SEEN["events"]
    assert ContractCount.objects.count() == SEEN["counts"]


def test_a_test_without_demo_sees_no_demo_data():
    """Run first in its module (conftest orders them), before the seeded transaction."""
    assert not Event.objects.exists()
