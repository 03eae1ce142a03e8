"""Staff pages for events: list, create, change, cancel, delete, attendance entry,
grid of several events, completeness. Thin: parse, call a selector or a service, render."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from akto_portal import spreadsheets
from akto_portal.http import AuthenticatedRequest
from akto_portal.models import Region, User
from akto_portal.paging import RequestConfig
from akto_portal.permissions import (
    can_change_event,
    can_edit_region,
    can_record_events,
    can_view_convention,
)
from events import services
from events.filters import EventFilter
from events.forms import AttendanceForm, EventForm, GridFormSet
from events.imports import parse_attendee_list
from events.models import Attendance, Attendee, Event, EventKind, ParticipantCategory
from events.selectors import (
    attendance_completeness,
    event_figures,
    event_history,
    events_for_list,
    missing_attendance,
    recent_deletions,
)
from events.tables import EventTable

GRID_SIZE = 30


def _event_for_change(request: AuthenticatedRequest, pk: int) -> Event:
    """The event, if this user may change it: 404 if it does not exist, 403 otherwise."""
    event = get_object_or_404(
        Event.objects.select_related("region", "department", "axis", "convention", "source"),
        pk=pk,
    )
    if not can_change_event(request.user, event):
        raise PermissionDenied("Événement hors de votre région.")
    return event


def _last_author(event: Event) -> User | None:
    last = event.history.select_related("history_user").first()
    return last.history_user if last else None


def _stale_context(error: services.StaleEventError) -> dict[str, Any]:
    event = error.event
    return {"stale": event, "stale_author": _last_author(event)}


def _event_filter(request: AuthenticatedRequest, today: datetime.date) -> EventFilter:
    """The list's filters from the URL; the user's region when the URL names none."""
    data = request.GET.copy()
    if "region" not in data and request.user.region_id:
        data["region"] = str(request.user.region_id)
    return EventFilter(data, queryset=events_for_list(today=today))


@require_GET
def event_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    event_filter = _event_filter(request, today)
    table = EventTable(event_filter.qs, user=request.user, today=today)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    by_kind = event_figures(events=event_filter.qs, today=today, group_by="kind")
    by_region = []
    if event_filter.is_valid() and not event_filter.form.cleaned_data.get("region"):
        names = dict(Region.objects.values_list("pk", "name"))
        figures = event_figures(events=event_filter.qs, today=today, group_by="region")
        by_region = sorted(
            ((names.get(pk, "National"), f) for pk, f in figures.items()), key=lambda r: r[0]
        )
    return render(
        request,
        "events/list.html",
        {
            "filter": event_filter,
            "table": table,
            "figures": event_figures(events=event_filter.qs, today=today)[None],
            "by_kind": [(EventKind(k).label, f) for k, f in sorted(by_kind.items())],
            "by_region": by_region,
            "can_create": can_record_events(request.user),
            "can_grid": bool(request.user.region_id) and can_record_events(request.user),
            "deletions": [
                (event, can_change_event(request.user, event))
                for event in recent_deletions(region=event_filter.form.cleaned_data.get("region"))
            ]
            if event_filter.is_valid()
            else [],
            "today": today,
        },
    )


def event_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_record_events(request.user):
        raise PermissionDenied("Seules les équipes régionales enregistrent des événements.")
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        event = services.event_create(user=request.user, **values)
        messages.success(request, "Événement enregistré. Saisissez maintenant la participation.")
        return redirect("event-attendance", event.pk)
    return render(request, "events/form.html", {"form": form, "event": None})


def event_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event_for_change(request, pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    context = {"form": form, "event": event}
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                user=request.user,
                event=event,
                expected_version=form.cleaned_data["version"],
                **form.changed_values(),
            )
        except services.StaleEventError as error:
            data = request.POST.copy()
            data["version"] = str(error.event.version)
            form = EventForm(data, instance=error.event, user=request.user)
            context.update(_stale_context(error), form=form, event=error.event)
        else:
            messages.success(request, "Événement modifié.")
            return redirect(event)
    return render(request, "events/form.html", context)


def _is_id(raw: object) -> bool:
    return str(raw).isdigit() and len(str(raw)) <= 18


def _posted_version(request: AuthenticatedRequest) -> int | None:
    """The event version the form was displayed with; None when the form sent no number."""
    raw = request.POST.get("version", "")
    return int(raw) if _is_id(raw) else None


BAD_VERSION = "Formulaire incomplet : rechargez la page de l'événement. Rien n'a été changé."


@require_POST
def event_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event_for_change(request, pk)
    cancelled = request.POST.get("cancelled") == "1"
    version = _posted_version(request)
    if version is None:
        messages.error(request, BAD_VERSION)
        return redirect(event)
    try:
        services.event_cancel(
            user=request.user,
            event=event,
            expected_version=version,
            cancelled=cancelled,
        )
    except services.StaleEventError:
        messages.error(
            request,
            "L'événement a été modifié entre-temps : rien n'a été changé. "
            "Vérifiez les valeurs actuelles ci-dessous.",
        )
    except ValidationError as error:
        # An event recorded before a rule existed (e.g. on a convention that does not
        # cover its region): say what to correct first.
        messages.error(request, "Rien n'a été changé : " + " ".join(error.messages))
    else:
        messages.success(request, "Événement annulé." if cancelled else "Événement rétabli.")
    return redirect(event)


def event_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event_for_change(request, pk)
    attendances = list(event.attendances.all())
    attendee_count = event.attendees.count()
    if request.method == "POST":
        version = _posted_version(request)
        if version is None:
            messages.error(request, BAD_VERSION)
            return redirect(event)
        try:
            services.event_delete(
                user=request.user,
                event=event,
                expected_version=version,
            )
        except services.StaleEventError:
            messages.error(
                request, "L'événement a été modifié entre-temps : rien n'a été supprimé."
            )
            return redirect(event)
        messages.success(
            request,
            f"Événement « {event.title} » supprimé. Il se restaure, avec sa participation, "
            "depuis la liste des événements (« Suppressions récentes »).",
        )
        return redirect("event-list")
    return render(
        request,
        "events/delete.html",
        {"event": event, "attendances": attendances, "attendee_count": attendee_count},
    )


@require_POST
def event_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Bring back a deleted event with its attendance and attendees."""
    event = get_object_or_404(Event.all_objects.deleted().select_related("region"), pk=pk)
    if not can_change_event(request.user, event):
        raise PermissionDenied("Événement hors de votre région.")
    event = services.event_restore(user=request.user, event=event)
    categories = event.attendances.count()
    attendees = event.attendees.count()
    messages.success(
        request,
        f"Événement « {event.title} » restauré, avec sa participation ({categories} "
        f"public(s) saisi(s)) et {attendees} organisation(s) identifiée(s).",
    )
    return redirect(event)


def event_attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event_for_change(request, pk)
    attendances = list(event.attendances.all())
    attendees = list(event.attendees.select_related("organisation"))
    known = {a.organisation.identifier for a in attendees}
    context: dict[str, Any] = {"event": event, "attendees": attendees}
    if request.method != "POST":
        context["form"] = AttendanceForm(initial=AttendanceForm.initial_for(event, attendances))
        return render(request, "events/attendance.html", context)

    form = AttendanceForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "events/attendance.html", context)
    text = form.cleaned_data["attendees"]
    if request.FILES:
        # Show the uploaded file's content in the text area, for checking and saving.
        data = request.POST.copy()
        data["attendees"] = text
        form = AttendanceForm(data)
        form.is_valid()
        context["form"] = form
    listing = parse_attendee_list(text, known_identifiers=known)
    context["listing"] = listing if listing.rows or listing.error else None
    if request.POST.get("action") == "preview":
        return render(request, "events/attendance.html", context)
    if not listing.is_valid:
        context["refused"] = True
        return render(request, "events/attendance.html", context)
    try:
        added = services.attendance_save(
            user=request.user,
            event=event,
            expected_version=form.cleaned_data["version"],
            counts=form.counts(),
            attendee_list=listing,
        )
    except services.StaleEventError as error:
        context.update(_stale_context(error))
        context["current_attendances"] = list(error.event.attendances.all())
        assert isinstance(form.data, QueryDict)  # request.POST, or the copy made above
        data = form.data.copy()
        data["version"] = str(error.event.version)
        context["form"] = AttendanceForm(data)
        context["form"].is_valid()
        return render(request, "events/attendance.html", context)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "events/attendance.html", context)
    messages.success(
        request,
        "Participation enregistrée" + (f", {added} organisation(s) ajoutée(s)." if added else "."),
    )
    return redirect(event)


@require_POST
def attendee_remove(request: AuthenticatedRequest, pk: int, attendee_pk: int) -> HttpResponse:
    event = _event_for_change(request, pk)
    attendee = get_object_or_404(
        Attendee.objects.select_related("organisation", "event"), pk=attendee_pk, event=event
    )
    services.attendee_remove(user=request.user, attendee=attendee)
    messages.success(request, f"{attendee.organisation} retirée de la liste.")
    return redirect("event-attendance", event.pk)


@require_GET
def event_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.select_related("region", "department", "axis", "convention", "source"),
        pk=pk,
    )
    return render(
        request,
        "events/event.html",
        {
            "event": event,
            "attendances": event.attendances.all(),
            "attendees": event.attendees.select_related("organisation"),
            "history": event_history(event),
            "can_change": can_change_event(request.user, event),
            "convention_visible": event.convention_id is not None
            and can_view_convention(request.user, event.convention),
            "today": timezone.localdate(),
        },
    )


def _region_param(request: AuthenticatedRequest) -> Region | None:
    """The region a page is about: the user's own, or ?region= (INSEE code)."""
    code = request.GET.get("region")
    if code:
        return get_object_or_404(Region, code=code)
    return request.user.region


@require_GET
def completeness(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    regions = list(Region.objects.all())
    region = _region_param(request)
    missing = missing_attendance(today=today).order_by("-date")
    if region is not None:
        missing = missing.filter(region=region)
    return render(
        request,
        "events/completeness.html",
        {
            "rows": [r for r in attendance_completeness(today=today, regions=regions) if r.held],
            "region": region,
            "missing": missing[:100],
            "missing_count": missing.count(),
            "can_grid": region is not None and can_edit_region(request.user, region.pk),
        },
    )


def attendance_grid(request: AuthenticatedRequest) -> HttpResponse:
    """Actual attendance of several past events of one region, in one form."""
    region = _region_param(request)
    if region is None or not can_edit_region(request.user, region.pk):
        raise PermissionDenied("Saisie réservée à l'équipe de la région.")
    today = timezone.localdate()
    prefetch = Prefetch("attendances", queryset=Attendance.objects.order_by("category"))
    if request.method == "POST":
        formset = GridFormSet(request.POST)
        ids = [f["event"].value() for f in formset.forms]
        # Only ids that can be ids: "abc" or a 30-digit number is the form's error to show,
        # not a query's.
        events = Event.objects.filter(region=region, pk__in=[int(i) for i in ids if _is_id(i)])
    else:
        events = missing_attendance(today=today).filter(region=region).order_by("-date")
        events = events[:GRID_SIZE]
    events = {e.pk: e for e in events.select_related("region").prefetch_related(prefetch)}
    if request.method != "POST":
        formset = GridFormSet(
            initial=[
                {
                    "event": e.pk,
                    "version": e.version,
                    **{a.category: a.actual for a in e.attendances.all()},
                }
                for e in events.values()
            ]
        )
    context: dict[str, Any] = {"region": region, "formset": formset}
    if request.method == "POST" and formset.is_valid():
        entries = []
        for form in formset.forms:
            event = events.get(form.cleaned_data["event"])
            if event is None:
                raise PermissionDenied("Événement hors de votre région.")
            if form.has_values():
                entries.append((event, form.cleaned_data["version"], form.actual()))
        try:
            saved = services.attendance_bulk_save(user=request.user, entries=entries)
        except services.StaleEventError as error:
            context["stale_events"] = error.events
        except ValidationError as error:
            context["grid_errors"] = error.messages
        else:
            messages.success(request, f"Participation enregistrée pour {saved} événement(s).")
            return redirect(reverse("event-completeness") + f"?region={region.code}")
    context["rows"] = []
    for form in formset.forms:
        raw = form["event"].value()
        event = events.get(int(raw)) if str(raw).isdigit() else None
        if event is None:
            continue
        planned = {a.category: a.planned for a in event.attendances.all()}
        cells = [(form[c.value], planned.get(c.value), c.label) for c in ParticipantCategory]
        context["rows"].append((event, form, cells))
    context["categories"] = ParticipantCategory
    return render(request, "events/grid.html", context)


EXPORT_HEADER = [
    "Date",
    "Intitulé",
    "Type",
    "Région",
    "Département",
    "Lieu",
    "En ligne",
    "Axe",
    "Annulé",
    "Participation saisie",
    "Présents",
    "Organisations identifiées",
    "Synthétique",
]


def _filters_text(event_filter: EventFilter) -> str:
    """ "Région : Normandie, Du : 01/01/2026" — the filters as the list shows them."""
    if not event_filter.is_valid():
        return "aucun"
    parts = []
    for name, field in event_filter.form.fields.items():
        value = event_filter.form.cleaned_data.get(name)
        if value in (None, "", False):
            continue
        if hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        elif value is True:
            value = "oui"
        elif name == "kind":
            value = EventKind(value).label
        parts.append(f"{field.label} : {value}")
    return ", ".join(parts) or "aucun (tous les événements)"


@require_GET
def event_export(request: AuthenticatedRequest, fmt: str) -> HttpResponseBase:
    """The events list as CSV or XLSX: every event the filters select, what the file
    holds written before it."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    today = timezone.localdate()
    event_filter = _event_filter(request, today)
    events = event_filter.qs.order_by("-date", "pk")
    rows = [EXPORT_HEADER] + [
        [
            e.date,
            e.title,
            e.get_kind_display(),
            e.region.name if e.region else "National",
            str(e.department) if e.department else None,
            e.place,
            e.online,
            str(e.axis) if e.axis else None,
            e.is_cancelled,
            not e.missing if e.date <= today and not e.is_cancelled else None,
            e.present,
            e.identified or None,
            e.source.is_synthetic,
        ]
        for e in events
    ]
    about = [
        ("Fichier", "Liste des événements"),
        ("Filtres", _filters_text(event_filter)),
        ("Événements", str(len(rows) - 1)),
        ("Exporté le", timezone.localtime().strftime("%d/%m/%Y à %H:%M")),
        ("Sources", "saisies des équipes régionales et imports, cités sur chaque événement"),
        ("Synthétique", spreadsheets.SYNTHETIC_LEGEND),
        ("Cases vides", "non renseigné ou sans objet (événement à venir ou annulé)"),
        (
            "Adresse",
            request.build_absolute_uri(f"{reverse('event-list')}?{request.GET.urlencode()}"),
        ),
    ]
    name = f"evenements-{today:%Y-%m-%d}"
    if fmt == "csv":
        return spreadsheets.csv_response(rows, name, about=about)
    return spreadsheets.xlsx_response([("Événements", rows)], name, about=about)
