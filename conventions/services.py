"""Writes on conventions: atomic, validated, recorded in the audit history."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from conventions.models import Convention, Indicator


class ConventionError(ValidationError):
    pass


def _latest_value(indicator):
    """The last value reported on an indicator, with its qualifier ("plus de")."""
    latest = indicator.values.order_by("-as_of", "-pk").first()
    if latest is None:
        return indicator.baseline, indicator.baseline_qualifier
    return latest.value, latest.qualifier


@transaction.atomic
def convention_renew(
    *,
    convention: Convention,
    title: str,
    start_on: datetime.date,
    end_on: datetime.date,
    status: str = Convention.Status.NEGOTIATION,
    signed_on: datetime.date | None = None,
    source=None,
) -> Convention:
    """Create the convention that renews `convention` for a new period.

    Axes and indicators are copied; each new indicator starts from the last value
    reported on the old one (its baseline) and has no target until one is agreed.
    """
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    if Convention.objects.filter(renews=convention).exists():
        raise ConventionError(f"« {convention} » a déjà été renouvelée.")
    if end_on <= start_on:
        raise ConventionError("La fin de la nouvelle période doit suivre son début.")
    if convention.start_on and start_on <= convention.start_on:
        raise ConventionError("La nouvelle période doit commencer après le début de l'ancienne.")

    renewal = Convention.objects.create(
        title=title,
        kind=convention.kind,
        status=status,
        region=convention.region,
        parent=convention.parent,
        renews=convention,
        start_on=start_on,
        end_on=end_on,
        signed_on=signed_on,
        summary=convention.summary,
        source=source or convention.source,
    )
    renewal.partners.set(convention.partners.all())
    axes = {}
    for axis in convention.axes.all():
        old_pk = axis.pk
        axis.pk = None
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
