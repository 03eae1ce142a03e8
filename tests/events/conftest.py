import datetime

import pytest
from stdnum import luhn

from events.identifiers import uai_key

TODAY = datetime.date(2026, 11, 24)


def make_siret(n):
    """A valid SIRET (SIREN and SIRET keys right) built from a small number."""
    siren = f"{100_000_00 + n:08d}"
    siren += luhn.calc_check_digit(siren)
    nic = "0001"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def make_uai(n):
    digits = f"0140{n:03d}"
    return digits + uai_key(digits)


def bad_key(siret):
    """The same SIRET with its last digit changed: the Luhn key no longer matches."""
    return siret[:-1] + str((int(siret[-1]) + 1) % 10)


@pytest.fixture
def today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY
