"""The digest: the figures of a user's region (France for a national user) at a date,
read from the page model of that scope (dashboards.page), so that the mail, the
dashboard it links to and the API never disagree.

What is due: one digest per subscribed user and period (an ISO week or a calendar month),
queued as a Delivery whose key names the period; a second run finds it and queues
nothing. mail.py sends the queue.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from akto_portal import formats
from akto_portal.models import User
from dashboards.filters import FRANCE, parse_scope
from dashboards.page import DashboardPage, build_page
from events.models import ParticipantCategory
from notifications.models import Delivery, Subscription
from reports import images

UNSUBSCRIBE_SALT = "dashboards.unsubscribe"
CHART_CID = "cumul"

logger = logging.getLogger(__name__)


# --- scope and page ----------------------------------------------------------------------


def user_page(user: User, as_of: datetime.date, *, region_code: str | None = None) -> DashboardPage:
    """The page model a digest (or an alert) reads: the user's region, or France for a
    national user (or the region named), at `as_of` — the same scope as the dashboard
    link `?region=…&date=…` and the API called with those parameters."""
    if region_code is None:
        region_code = user.region.code if user.region is not None else FRANCE
    data = QueryDict(mutable=True)
    data.update({"region": region_code, "date": as_of.isoformat()})
    filterset, scope = parse_scope(data, today=as_of)
    return build_page(scope, filterset, user=user, today=as_of)


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def dashboard_url(page: DashboardPage) -> str:
    return absolute_url(f"{reverse('overview')}?{page.scope.query()}")


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_from_token(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def unsubscribe_url(user: User) -> str:
    return absolute_url(reverse("unsubscribe", args=[unsubscribe_token(user)]))


# --- figures ------------------------------------------------------------------------------


@dataclass
class IndicatorBehind:
    convention: str
    name: str
    value: Any
    target: Any
    target_pct: float
    elapsed_pct: float
    indicator_id: int


def indicators_behind(page: DashboardPage, *, margin: float = 0.0) -> list[IndicatorBehind]:
    """The scope's convention indicators whose achievement (% of target) is more than
    `margin` points behind the share of their convention's period elapsed."""
    behind = []
    for item in page.progress:
        elapsed = item["elapsed_pct"]
        if elapsed is None:
            continue
        for status in item["statuses"]:
            if status.target_pct is not None and status.target_pct < elapsed - margin:
                behind.append(
                    IndicatorBehind(
                        item["convention"].title,
                        status.indicator.name,
                        status.value,
                        status.target,
                        status.target_pct,
                        elapsed,
                        status.indicator.pk,
                    )
                )
    return behind


# --- composition -------------------------------------------------------------------------


@dataclass
class Composed:
    """A mail ready to be sent: subject, text and HTML bodies, inline images by cid."""

    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    unsubscribe_url: str = ""


FREQUENCY_TITLES: dict[str, str] = {
    Subscription.Frequency.WEEKLY: "Récapitulatif de la semaine",
    Subscription.Frequency.MONTHLY: "Récapitulatif du mois",
}


def digest_context(page: DashboardPage, *, since: datetime.date, frequency: str) -> dict[str, Any]:
    dashboard = page.contracts
    pace = dashboard.pace
    held = page.events_between(since, page.scope.as_of)
    categories = dict(ParticipantCategory.choices)
    return {
        "title": FREQUENCY_TITLES.get(frequency, "Récapitulatif"),
        "scope": page.scope,
        "as_of": formats.long_date(page.as_of),
        "pace": pace,
        "period": pace.period_label,
        "year": str(pace.year),
        "previous_year": str(pace.year - 1),
        "gap": page.gap_to_expected,
        "most_behind": page.most_behind,
        "most_behind_title": page.most_behind_title,
        "since": formats.long_date(since + datetime.timedelta(days=1)),
        "held": held,
        "participants": [
            (label, held.participants[value])
            for value, label in categories.items()
            if value in held.participants
        ],
        "year_events": page.totals["events"]["events"],
        "indicators": indicators_behind(page),
        "dashboard_url": dashboard_url(page),
        "chart_cid": CHART_CID,
    }


def compose_digest(delivery: Delivery) -> Composed:
    """The digest of `delivery` (its user, its date, its window), text and HTML."""
    user = delivery.user
    frequency = delivery.key.split(":")[1]
    page = user_page(user, delivery.as_of)
    since = delivery.since or delivery.as_of - datetime.timedelta(days=7)
    with translation.override("fr"):
        context = digest_context(page, since=since, frequency=frequency)
        chart = images.cumulative_png(
            page.series,
            title=f"{page.scope.label} — contrats cumulés {page.scope.year}",
        )
        context.update(user=user, chart=chart is not None, unsubscribe_url=unsubscribe_url(user))
        text = render_to_string("notifications/mail/digest.txt", context)
        html = render_to_string("notifications/mail/digest.html", context)
    return Composed(
        delivery.subject or digest_subject(page),
        text,
        html,
        {CHART_CID: chart} if chart else {},
        context["unsubscribe_url"],
    )


def digest_subject(page: DashboardPage) -> str:
    pace = page.contracts.pace
    with translation.override("fr"):
        status = f" ({pace.status_label})" if pace.status_label else ""
        return (
            f"Alternance · {page.scope.label} : {formats.number(pace.contracts)} contrats "
            f"({pace.period_label}, {formats.signed_percent(pace.growth)}){status}"
        )


def compose_alert(delivery: Delivery) -> Composed:
    user = delivery.user
    context = {
        "user": user,
        "subject": delivery.subject,
        "paragraphs": [p for p in delivery.body.split("\n\n") if p.strip()],
        "unsubscribe_url": unsubscribe_url(user),
        "subscriptions_url": absolute_url(reverse("subscriptions")),
    }
    with translation.override("fr"):
        text = render_to_string("notifications/mail/alert.txt", context)
        html = render_to_string("notifications/mail/alert.html", context)
    return Composed(delivery.subject, text, html, {}, str(context["unsubscribe_url"]))


# --- what is due -------------------------------------------------------------------------


def period_key(frequency: str, as_of: datetime.date) -> str:
    """ "digest:weekly:2026-W45" (ISO week) or "digest:monthly:2026-11"."""
    if frequency == Subscription.Frequency.WEEKLY:
        year, week, _day = as_of.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}"
    return f"digest:monthly:{as_of.year}-{as_of.month:02d}"


def window_start(user: User, frequency: str, as_of: datetime.date) -> datetime.date:
    """The day of the last digest sent to the user (events are counted after it), or
    one period back for a first digest."""
    last = (
        Delivery.objects.filter(
            user=user, kind=Delivery.Kind.DIGEST, status=Delivery.Status.SENT, as_of__lt=as_of
        )
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    if last is not None:
        return last
    if frequency == Subscription.Frequency.WEEKLY:
        return as_of - datetime.timedelta(days=7)
    previous_month_end = as_of.replace(day=1) - datetime.timedelta(days=1)
    return previous_month_end.replace(day=min(as_of.day, previous_month_end.day))


def digest_recipients() -> QuerySet[Subscription]:
    return (
        Subscription.objects.exclude(frequency=Subscription.Frequency.NONE)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user__region")
        .order_by("user_id")
    )


def queue_digests(*, as_of: datetime.date) -> list[Delivery]:
    """Queue the digest of the period of `as_of` for each subscribed user who has not got
    one for that period (a second run queues nothing). A digest whose figures cannot be
    read is queued all the same, failed with its error: the send retries it, up to the
    attempts' limit, and the other users get theirs."""
    queued = []
    for subscription in digest_recipients():
        user = subscription.user
        key = period_key(subscription.frequency, as_of)
        if Delivery.objects.filter(user=user, key=key).exists():
            continue
        fields: dict[str, Any] = {}
        try:
            fields["subject"] = digest_subject(user_page(user, as_of))
        except Exception as exc:  # this user's scope only
            logger.exception("Récapitulatif %s de %s : chiffres illisibles", key, user)
            fields.update(
                subject="",  # written when sent (compose_digest)
                status=Delivery.Status.FAILED,
                attempts=1,
                last_error=f"{timezone.now():%Y-%m-%d %H:%M} {type(exc).__name__}: {exc}"[:1000],
            )
        try:
            with transaction.atomic():
                queued.append(
                    Delivery.objects.create(
                        user=user,
                        kind=Delivery.Kind.DIGEST,
                        key=key,
                        as_of=as_of,
                        since=window_start(user, subscription.frequency, as_of),
                        **fields,
                    )
                )
        except IntegrityError:  # queued meanwhile by another run
            continue
    return queued
