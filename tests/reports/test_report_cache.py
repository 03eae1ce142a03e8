"""The PDF report costs seconds of CPU: drawn once per data version and scope (then
served from the cache), and at most REPORT_MAX_DRAWING at once; a request that cannot
get a slot in time gets a French 503 with Retry-After."""

import threading
import time

import pytest

from reports import pdf as report
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db

URL = "/rapport.pdf"


@pytest.fixture
def drawings(monkeypatch):
    """How many reports were laid out."""
    calls = []
    real = report.report_document

    def counted(page, request=None):
        calls.append(page.scope.region)
        return real(page, request)

    monkeypatch.setattr(report, "report_document", counted)
    return calls


def test_the_same_report_is_drawn_once_per_data_version(client_for, director, drawings):
    client = client_for(director)

    first = client.get(URL, {"year": 2024})
    again = client.get(URL, {"year": 2024})

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert len(drawings) == 1  # the second came from the cache

    client.get(URL, {"year": 2023})  # another scope: its own report
    assert len(drawings) == 2

    ContractCountFactory(region=director.region, year=2024, month=3, count=42)
    changed = client.get(URL, {"year": 2024})  # the data moved: drawn again

    assert changed.status_code == 200
    assert len(drawings) == 3


def test_a_report_beyond_the_limit_is_a_french_503_with_retry_after(
    client_for, director, drawings, settings
):
    settings.REPORT_MAX_DRAWING, settings.REPORT_WAIT_SECONDS = 1, 0.3
    client = client_for(director)

    with report.drawing_slot():  # another request is drawing
        started = time.monotonic()
        response = client.get(URL, {"year": 2024})
        waited = time.monotonic() - started

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Rapport momentanément indisponible" in response.content.decode()
    assert waited >= 0.3 and drawings == []
    assert client.get(URL, {"year": 2024}).status_code == 200  # the slot is free again


def test_a_request_waits_for_a_slot_that_frees_in_time(client_for, director, drawings, settings):
    settings.REPORT_MAX_DRAWING, settings.REPORT_WAIT_SECONDS = 1, 5
    client = client_for(director)
    taken, release = threading.Event(), threading.Event()

    def other_drawing():
        with report.drawing_slot():
            taken.set()
            release.wait(5)

    other = threading.Thread(target=other_drawing)
    other.start()
    taken.wait(5)
    threading.Timer(0.3, release.set).start()

    response = client.get(URL, {"year": 2024})
    other.join()

    assert response.status_code == 200 and len(drawings) == 1
