"""Convention indicators computed from events: events held and organisations reached
(companies, training bodies) at the events of a convention and of its regional
declinations. Registered with conventions.indicators when the app is ready."""

import datetime

from django.db.models import Count, Q, QuerySet, Sum

from conventions.indicators import Computed, Inputs, register
from conventions.models import Convention, Indicator
from events.models import Attendance, Event, ParticipantCategory
from events.selectors import event_figures

_CATEGORY = {
    Indicator.Computation.COMPANIES_REACHED: ParticipantCategory.COMPANIES,
    Indicator.Computation.TRAINING_BODIES_REACHED: ParticipantCategory.TRAINING_BODIES,
}


def convention_events(convention: Convention, today: datetime.date) -> QuerySet[Event]:
    return Event.objects.filter(
        Q(convention=convention) | Q(convention__parent=convention),
        is_cancelled=False,
        date__lte=today,
    )


def compute_held(indicator: Indicator, convention: Convention, today: datetime.date) -> Computed:
    held = convention_events(convention, today).aggregate(
        n=Count("pk"), synthetic=Count("pk", filter=Q(source__kind="synthetic"))
    )
    return Computed(held["n"] or 0, bool(held["synthetic"]))


def compute_reached(indicator: Indicator, convention: Convention, today: datetime.date) -> Computed:
    # Organisations identified (SIRET / UAI) count once however many events they
    # attended; people counted without a name are added (see events.selectors).
    category = _CATEGORY[indicator.computation]
    events = convention_events(convention, today)
    figures = event_figures(events=events, today=today)[None]
    synthetic = Attendance.objects.filter(
        event__in=events, category=category, event__source__kind="synthetic"
    ).exists()
    if category == ParticipantCategory.COMPANIES:
        return Computed(figures.companies, synthetic)
    return Computed(figures.training_bodies, synthetic)


def explain(indicator: Indicator, convention: Convention, today: datetime.date) -> Inputs:
    category = _CATEGORY.get(indicator.computation)
    events = (
        convention_events(convention, today)
        .select_related("region", "source")
        .annotate(
            reached=Sum("attendances__actual", filter=Q(attendances__category=category))
            if category
            else Sum("attendances__actual")
        )
        .order_by("-date", "pk")
    )
    return Inputs("events", {"category": category, "events": events})


register(Indicator.Computation.EVENTS_HELD, compute=compute_held, explain=explain)
register(*_CATEGORY, compute=compute_reached, explain=explain)
