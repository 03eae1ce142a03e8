import datetime

import factory
from factory.django import DjangoModelFactory

from akto_portal.models import Region, Source
from contracts.models import ContractCount, ContractTarget, ContractType, Public
from conventions.models import Convention, ConventionAxis, Indicator, IndicatorValue
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


class ContractTargetFactory(DjangoModelFactory):
    class Meta:
        model = ContractTarget

    year = 2023
    region = factory.LazyFunction(lambda: Region.objects.get(code="28"))
    contract_type = ContractType.APPRENTISSAGE
    public = Public.ALL
    value = 3000
    source = factory.SubFactory(SourceFactory)


class ConventionFactory(DjangoModelFactory):
    """A regional partnership convention of Normandie, running 2025–2027."""

    class Meta:
        model = Convention

    title = factory.Sequence(lambda n: f"Convention de partenariat {n}")
    kind = Convention.Kind.PARTNERSHIP
    status = Convention.Status.ACTIVE
    region = factory.LazyFunction(lambda: Region.objects.get(code="28"))
    start_on = datetime.date(2025, 1, 1)
    end_on = datetime.date(2027, 12, 31)
    source = factory.SubFactory(SourceFactory)


class ConventionAxisFactory(DjangoModelFactory):
    class Meta:
        model = ConventionAxis

    convention = factory.SubFactory(ConventionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Axe de travail {n}")


class IndicatorFactory(DjangoModelFactory):
    """A reported indicator with a target (people reached)."""

    class Meta:
        model = Indicator

    convention = factory.SubFactory(ConventionFactory)
    axis = None
    name = factory.Sequence(lambda n: f"Personnes accompagnées {n}")
    unit = Indicator.Unit.PEOPLE
    computation = Indicator.Computation.REPORTED
    target = 100
    target_source = factory.SubFactory(SourceFactory)


class IndicatorValueFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    value = 44
    as_of = datetime.date(2026, 6, 30)
    source = factory.SubFactory(SourceFactory)
