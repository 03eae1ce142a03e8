"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1, a free port), and
Normandie's figures for a digest at 17/11/2025."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from akto_portal.models import Branch, Region
from contracts.models import ContractCount, ContractTarget, ContractType, Public
from conventions.models import Convention, Indicator, IndicatorValue
from events.models import ParticipantCategory
from tests.factories import AttendanceFactory, EventFactory, SourceFactory


class Inbox:
    """Keeps every message received; `refuse` makes the next DATA commands fail with a
    temporary error, as a busy mail server does."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Serveur occupé, réessayez plus tard"
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """An SMTP server the portal sends to, and the settings that point at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.PORTAL_BASE_URL = "http://portail.test"
    settings.DIGEST_RETRY_DELAYS = [0]
    try:
        yield inbox
    finally:
        controller.stop()


AS_OF = datetime.date(2025, 11, 17)  # a Monday; October is the last whole month


@pytest.fixture
def normandie_figures(db):
    """Normandie, four branches known month by month: 25 contracts a month each in
    2022-2024; January-October 2025: 30, 25, 22 and 20 a month (970 against 1 000, −3 %;
    branches +20 %, 0 %, −12 %, −20 %). Target 2025: 1 150 (958 expected at the end of
    October: "dans les temps"). Three events in 2025, one of them (12/11) in the week
    before AS_OF with 15 companies and 40 young people; a convention indicator at 20 % of
    its target."""
    normandie = Region.objects.get(code="28")
    source = SourceFactory(title="Saisie de test")
    branches = list(Branch.objects.order_by("pk")[:4])

    def count(branch, year, month, n):
        return ContractCount(
            region=normandie,
            branch=branch,
            year=year,
            month=month,
            count=n,
            contract_type=ContractType.APPRENTISSAGE,
            public=Public.ALL,
            source=source,
        )

    rows = [
        count(branch, year, month, 25)
        for year in (2022, 2023, 2024)
        for month in range(1, 13)
        for branch in branches
    ]
    rows += [
        count(branch, 2025, month, n)
        for month in range(1, 11)
        for branch, n in zip(branches, (30, 25, 22, 20), strict=True)
    ]
    ContractCount.objects.bulk_create(rows)
    target = ContractTarget.objects.create(year=2025, region=normandie, value=1150, source=source)
    for day in (datetime.date(2025, 3, 10), datetime.date(2025, 6, 5)):
        EventFactory(date=day, source=source)
    recent = EventFactory(date=datetime.date(2025, 11, 12), source=source)
    AttendanceFactory(event=recent, category=ParticipantCategory.COMPANIES, actual=15)
    AttendanceFactory(event=recent, category=ParticipantCategory.YOUTH, actual=40)
    convention = Convention.objects.create(
        title="Convention régionale de test",
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ACTIVE,
        region=normandie,
        start_on=datetime.date(2024, 1, 1),
        end_on=datetime.date(2026, 12, 31),
        source=source,
    )
    indicator = Indicator.objects.create(
        convention=convention,
        name="Entreprises sensibilisées",
        unit=Indicator.Unit.COMPANIES,
        computation=Indicator.Computation.REPORTED,
        target=100,
        target_source=source,
    )
    IndicatorValue.objects.create(
        indicator=indicator, value=20, as_of=datetime.date(2025, 6, 1), source=source
    )
    return {
        "region": normandie,
        "branches": branches,
        "target": target,
        "indicator": indicator,
        "source": source,
    }
