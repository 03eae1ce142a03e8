"""Writes of the dashboards app: a user's mail subscription."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from akto_portal.models import Region, User
from conventions.models import Indicator
from notifications.models import Subscription


@transaction.atomic
def subscription_save(
    *,
    user: User,
    frequency: str,
    france: bool = False,
    regions: Iterable[Region] = (),
    indicators: Iterable[Indicator] = (),
) -> Subscription:
    """Set what `user` receives: the digest frequency and what they follow for alerts."""
    if frequency not in Subscription.Frequency.values:
        raise ValueError(f"Fréquence inconnue : {frequency}")
    subscription, _ = Subscription.objects.select_for_update().get_or_create(user=user)
    subscription.frequency = frequency
    subscription.france = france
    subscription.save()
    subscription.regions.set(list(regions))
    subscription.indicators.set(list(indicators))
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, user: User) -> Subscription:
    """Stop every mail to `user` (digests and alerts); what was queued is not sent."""
    subscription, _ = Subscription.objects.select_for_update().get_or_create(user=user)
    subscription.frequency = Subscription.Frequency.NONE
    subscription.france = False
    subscription.unsubscribed_at = timezone.now()
    subscription.save()
    subscription.regions.clear()
    subscription.indicators.clear()
    return subscription
