"""Writes on conventions: atomic, validated, recorded in the audit history."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from akto_portal.models import Source
from conventions.models import Convention, Indicator


class ConventionError(ValidationError):
    pass


def _latest_value(indicator: Indicator) -> tuple[Decimal | None, str]:
    """The last value reported on an indicator, with its qualifier ("plus de")."""
    latest = indicator.values.order_by("-as_of", "-pk").first()
    if latest is None:
        return indicator.baseline, indicator.baseline_qualifier
    return latest.value, latest.qualifier


@dataclass(frozen=True)
class Renewal:
    """What renewing a convention did: `convention` is the renewal (created, or the
    existing declination of the renewed national convention it was linked to)."""

    convention: Convention
    created: bool = True
    declinations: list[Convention] = field(default_factory=list)


def renewed_title(convention: Convention, start_on: datetime.date, end_on: datetime.date) -> str:
    """The title with its years moved on ("Agefiph 2022-2024 · Normandie" → "Agefiph
    2025-2027 · Normandie"), or marked as a renewal when it names no period."""
    if convention.start_on and convention.end_on:
        old = f"{convention.start_on.year}-{convention.end_on.year}"
        if old in convention.title:
            return convention.title.replace(old, f"{start_on.year}-{end_on.year}")
    return f"{convention.title} ({start_on.year}-{end_on.year})"


def _check_period(convention: Convention, start_on: datetime.date, end_on: datetime.date) -> None:
    if Convention.objects.filter(renews=convention).exists():
        raise ConventionError(f"« {convention} » a déjà été renouvelée.")
    if end_on <= start_on:
        raise ConventionError("La fin de la nouvelle période doit suivre son début.")
    if convention.start_on and start_on <= convention.start_on:
        raise ConventionError("La nouvelle période doit commencer après le début de l'ancienne.")


def _copy(convention: Convention, **fields: Any) -> Convention:
    """A new convention renewing `convention`, with its partners, axes and indicators
    (each indicator starting from the last value reported on the old one, no target)."""
    renewal = Convention.objects.create(
        kind=convention.kind,
        region=convention.region,
        renews=convention,
        summary=convention.summary,
        **fields,
    )
    renewal.partners.set(convention.partners.all())
    axes = {}
    for axis in convention.axes.all():
        old_pk = axis.pk
        axis.pk, axis.version = None, 1
        axis.convention = renewal
        axis.save()
        axes[old_pk] = axis
    for indicator in convention.indicators.all():
        baseline, baseline_qualifier = _latest_value(indicator)
        Indicator.objects.create(
            convention=renewal,
            axis=axes.get(indicator.axis_id) if indicator.axis_id else None,
            name=indicator.name,
            unit=indicator.unit,
            computation=indicator.computation,
            baseline=baseline,
            baseline_qualifier=baseline_qualifier,
            position=indicator.position,
        )
    return renewal


def _renew_declination(
    *, convention: Convention, start_on: datetime.date, end_on: datetime.date, **fields: Any
) -> Renewal:
    """A regional declination is renewed under the renewal of its national convention,
    which has at most one declination per region."""
    national = convention.parent
    national_renewal = Convention.objects.filter(renews=national).first()
    if national_renewal is None:
        raise ConventionError(
            f"« {convention} » est une déclinaison régionale de « {national} », qui n'a pas "
            "encore été renouvelée : renouvelez d'abord la convention nationale (ses "
            "déclinaisons régionales sont renouvelées avec elle)."
        )
    existing = Convention.objects.filter(parent=national_renewal, region=convention.region).first()
    if existing is not None:
        if existing.renews_id is not None:
            raise ConventionError(
                f"« {national_renewal} » a déjà sa déclinaison en {convention.region} : "
                f"« {existing} », qui renouvelle « {existing.renews} »."
            )
        existing.renews = convention
        existing.save()
        return Renewal(convention=existing, created=False)
    renewal = _copy(convention, parent=national_renewal, start_on=start_on, end_on=end_on, **fields)
    return Renewal(convention=renewal)


@transaction.atomic
def convention_renew(
    *,
    convention: Convention,
    title: str,
    start_on: datetime.date,
    end_on: datetime.date,
    status: str = Convention.Status.NEGOTIATION,
    signed_on: datetime.date | None = None,
    source: Source | None = None,
) -> Renewal:
    """Create the convention that renews `convention` for a new period.

    Axes and indicators are copied; each new indicator starts from the last value
    reported on the old one (its baseline) and has no target until one is agreed.
    A national convention's regional declinations are renewed with it, under the new
    one. A declination is renewed under the renewal of its national convention: refused
    if that one is not renewed yet; linked to its existing declination in the region
    if it has one (`Renewal.created` is then false).
    """
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    _check_period(convention, start_on, end_on)
    fields = {"title": title, "status": status, "signed_on": signed_on}
    if convention.parent_id is not None:
        return _renew_declination(
            convention=convention,
            start_on=start_on,
            end_on=end_on,
            source=source or convention.source,
            **fields,
        )
    renewal = _copy(
        convention, start_on=start_on, end_on=end_on, source=source or convention.source, **fields
    )
    declinations = [
        _copy(
            declination,
            title=renewed_title(declination, start_on, end_on),
            status=status,
            parent=renewal,
            start_on=start_on,
            end_on=end_on,
            source=source or declination.source,
        )
        for declination in convention.declinations.filter(renewed_by__isnull=True).order_by(
            "region__name"
        )
    ]
    return Renewal(convention=renewal, declinations=declinations)
