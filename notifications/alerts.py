"""Alerts: a followed region whose status becomes "en retard", or a followed indicator
(subscribed to, or of a followed region's declination of a national convention) that
falls more than DIGEST_ALERT_MARGIN points behind the share of its period elapsed.

The state of each subject is stored (AlertState): a mail goes out when the state
changes — once when it falls behind, once when it recovers — never at every check, and
the alert is never switched off: the next crossing alerts again. A figure that cannot be
told (no target, no data yet) changes nothing.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation

from akto_portal import formats
from akto_portal.formats import number
from akto_portal.models import Region, User
from conventions.models import Convention, Indicator
from dashboards.filters import FRANCE
from notifications.digests import dashboard_url, indicators_behind, user_page
from notifications.models import AlertState, Delivery, Subscription

logger = logging.getLogger(__name__)


@dataclass
class Check:
    """What a check found for one subject: behind or not (None: cannot be told)."""

    subject: str
    label: str
    behind: bool | None
    detail: str
    followers: list[User]


def _followers(condition: Q) -> list[User]:
    subscriptions = (
        Subscription.objects.filter(condition, user__is_active=True)
        .exclude(user__email="")
        .select_related("user__region")
        .order_by("user_id")
        .distinct()
    )
    return [s.user for s in subscriptions]


def _region_check(region: Region | None, followers: list[User], as_of: datetime.date) -> Check:
    code = region.code if region else FRANCE
    page = user_page(followers[0], as_of, region_code=code)
    pace = page.contracts.pace
    status = pace.status
    detail = ""
    if status is not None:
        g = page.gap_to_expected
        behind = "".join(
            f"\n- {r.name} : {number(r.contracts)} contre {number(r.reference)} "
            f"({formats.gap(r.gap.diff, r.gap.pct) if r.gap else formats.UNKNOWN})"
            for r in page.most_behind
        )
        detail = (
            f"{page.scope.label} : {number(pace.contracts)} contrats ({pace.period_label}) "
            f"pour {number(pace.expected)} attendus au {formats.long_date(page.as_of)}, "
            f"écart {formats.gap(g.diff, g.pct) if g else formats.UNKNOWN} de l'attendu, "
            f"objectif {pace.year} : {number(pace.target_value)}."
            + (f"\n\n{page.most_behind_title} :{behind}" if behind else "")
            + f"\n\nTableau de bord : {dashboard_url(page)}"
        )
    return Check(
        f"region:{code}",
        page.scope.label,
        None if status is None else status == "behind",
        detail,
        followers,
    )


def _indicator_check(
    indicator: Indicator, followers: list[User], as_of: datetime.date, margin: float
) -> Check | None:
    convention = indicator.convention
    code = convention.region.code if convention.region is not None else FRANCE
    page = user_page(followers[0], as_of, region_code=code)
    for item in page.progress:
        for status in item["statuses"]:
            if status.indicator.pk != indicator.pk:
                continue
            elapsed = item["elapsed_pct"]
            label = f"{indicator.name} ({convention.title})"
            if status.target_pct is None or elapsed is None:
                return Check(f"indicator:{indicator.pk}", label, None, "", followers)
            behind = any(
                b.indicator_id == indicator.pk for b in indicators_behind(page, margin=margin)
            )
            detail = (
                f"{label} : {number(status.value)} pour un objectif de {number(status.target)}, "
                f"soit {formats.percent(status.target_pct, 1)} de l'objectif quand "
                f"{formats.percent(elapsed, 1)} de la période est écoulée (marge d'alerte : "
                f"{number(margin)} points).\n\nTableau de bord : {dashboard_url(page)}"
            )
            return Check(f"indicator:{indicator.pk}", label, behind, detail, followers)
    return None  # no longer shown for this scope (convention ended)


def checks(*, as_of: datetime.date, errors: list[str] | None = None) -> list[Check]:
    """Every followed subject, checked on the page model of its scope. A subject whose
    check fails is left out (logged, added to `errors`): the others are checked."""
    margin = settings.DIGEST_ALERT_MARGIN
    errors = [] if errors is None else errors
    found = []

    def attempt(subject: str, check: Callable[[], Check | None]) -> None:
        try:
            result = check()
        except Exception as exc:
            logger.exception("Alerte %s : vérification impossible", subject)
            errors.append(f"{subject} : {type(exc).__name__}: {exc}")
            return
        if result is not None:
            found.append(result)

    with translation.override("fr"):
        france = _followers(Q(france=True))
        if france:
            attempt(f"region:{FRANCE}", partial(_region_check, None, france, as_of))
        for region in Region.objects.filter(pk__in=Subscription.objects.values("regions")).order_by(
            "code"
        ):
            followers = _followers(Q(regions=region))
            if followers:
                attempt(f"region:{region.code}", partial(_region_check, region, followers, as_of))
        # An indicator is followed by its subscribers and, for a region's declination of
        # a national convention (Agefiph 2025-27 · Normandie), by the region's followers:
        # its indicators with a target reach the director without a subscription each.
        followed_regions = Subscription.objects.values("regions")
        for indicator in (
            Indicator.objects.filter(
                Q(pk__in=Subscription.objects.values("indicators"))
                | (
                    Q(convention__region__in=followed_regions, convention__parent__isnull=False)
                    & Q(target__isnull=False)
                    & ~Q(convention__status=Convention.Status.ENDED)
                )
            )
            .select_related("convention__region")
            .order_by("pk")
        ):
            condition = Q(indicators=indicator)
            if indicator.convention.parent_id is not None:
                condition |= Q(regions=indicator.convention.region_id)
            followers = _followers(condition)
            if followers:
                attempt(
                    f"indicator:{indicator.pk}",
                    partial(_indicator_check, indicator, followers, as_of, margin),
                )
    return found


def _message(check: Check) -> tuple[str, str]:
    indicator = check.subject.startswith("indicator:")
    name = f"L'indicateur « {check.label} »" if indicator else check.label
    if check.behind:
        subject = f"Alerte : {check.label} en retard"
        lead = (
            f"{name} est passé en retard sur la part écoulée de sa période."
            if indicator
            else f"{name} est passée en retard sur le rythme de son objectif."
        )
    else:
        subject = f"Fin d'alerte : {check.label} n'est plus en retard"
        lead = f"{name} n'est plus en retard."
    return subject, f"{lead}\n\n{check.detail}"


def record(check: Check, *, as_of: datetime.date) -> list[Delivery]:
    """Store the subject's state; when it changed (or a first check finds it behind),
    queue one alert for each follower."""
    queued: list[Delivery] = []
    if check.behind is None:
        AlertState.objects.filter(subject=check.subject).update(checked_on=as_of)
        return queued
    with transaction.atomic():
        state, created = AlertState.objects.select_for_update().get_or_create(
            subject=check.subject,
            defaults={"label": check.label, "behind": False, "checked_on": as_of},
        )
        changed = state.behind != check.behind
        state.label, state.checked_on = check.label, as_of  # clipped when saved
        if changed:
            state.behind, state.changes, state.changed_on = check.behind, state.changes + 1, as_of
            state.detail = check.detail
        state.save()
        if not changed:
            return queued
        subject, body = _message(check)
        for user in check.followers:
            try:
                with transaction.atomic():
                    queued.append(
                        Delivery.objects.create(
                            user=user,
                            kind=Delivery.Kind.ALERT,
                            key=f"alert:{check.subject}:{state.changes}",
                            as_of=as_of,
                            subject=subject,  # clipped when saved
                            body=body,
                        )
                    )
            except IntegrityError:
                continue
        logger.info("Alerte %s (%s) : %d destinataire(s)", subject, check.subject, len(queued))
    return queued


def queue_alerts(*, as_of: datetime.date, errors: list[str] | None = None) -> list[Delivery]:
    """Check every followed subject and queue the alerts due. One subject that fails (its
    check or its record) is logged and added to `errors`; the others go on."""
    errors = [] if errors is None else errors
    queued = []
    for check in checks(as_of=as_of, errors=errors):
        try:
            queued += record(check, as_of=as_of)
        except Exception as exc:
            logger.exception("Alerte %s : enregistrement impossible", check.subject)
            errors.append(f"{check.subject} : {type(exc).__name__}: {exc}")
    return queued
