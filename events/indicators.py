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


class EventInputs(Inputs):
    """The events counted, each annotated with `reached`: the participants of the
    indicator's category counted there (all participants for events held)."""

    category: ParticipantCategory | None
    events: QuerySet[Event]


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
    return Computed(held["n"], bool(held["synthetic"]))


def compute_reached(indicator: Indicator, convention: Convention, today: datetime.date) -> Computed:
    # Organisations identified (SIRET / UAI) count once however many events they
    # attended; people counted without a name are added (see events.selectors).
    # Unknown (None, shown "—") until a count or a name is entered for one event held.
    category = _CATEGORY[Indicator.Computation(indicator.computation)]
    events = convention_events(convention, today)
    figures = event_figures(events=events, today=today)[None]
    if category == ParticipantCategory.COMPANIES:
        reached, identified = figures.companies, figures.companies_identified
    else:
        reached, identified = figures.training_bodies, figures.training_bodies_identified
    if category not in figures.attendance and not identified:
        return Computed(None)
    synthetic = Attendance.objects.filter(
        event__in=events, category=category, event__source__kind="synthetic"
    ).exists()
    return Computed(reached, synthetic)


def explain(indicator: Indicator, convention: Convention, today: datetime.date) -> EventInputs:
    category = _CATEGORY.get(Indicator.Computation(indicator.computation))
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
    return {"kind": "events", "category": category, "events": events}


register(Indicator.Computation.EVENTS_HELD, compute=compute_held, explain=explain)
register(*_CATEGORY, compute=compute_reached, explain=explain)
