import datetime

import factory
from factory.django import DjangoModelFactory

from akto_portal.models import Region, Source
from contracts.models import ContractCount, ContractType, Public
from events.models import Attendance, Event, EventKind, ParticipantCategory


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("kind", "title")

    kind = Source.Kind.MANUAL
    title = factory.Sequence(lambda n: f"Saisie {n}")


class ContractCountFactory(DjangoModelFactory):
    class Meta:
        model = ContractCount

    region = factory.LazyFunction(lambda: Region.objects.get(code="28"))
    year = 2023
    month = None
    branch = None
    contract_type = ContractType.APPRENTISSAGE
    public = Public.ALL
    count = 100
    source = factory.SubFactory(SourceFactory)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Réunion d'information {n}")
    kind = EventKind.INFO_MEETING
    date = datetime.date(2025, 3, 10)
    region = factory.LazyFunction(lambda: Region.objects.get(code="28"))
    place = factory.Faker("city", locale="fr_FR")
    source = factory.SubFactory(SourceFactory)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    event = factory.SubFactory(EventFactory)
    category = ParticipantCategory.COMPANIES
    planned = 20
    actual = 15
