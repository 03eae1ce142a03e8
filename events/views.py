from django.shortcuts import get_object_or_404, render

from events.models import Event


def event_detail(request, pk):
    event = get_object_or_404(
        Event.objects.select_related("region", "axis", "convention", "source"), pk=pk
    )
    return render(
        request,
        "events/event.html",
        {
            "event": event,
            "attendances": event.attendances.all(),
            "history": event.history.select_related("history_user").order_by("-history_date")[:20],
            "can_change": request.user.has_perm("events.change_event", event),
        },
    )
