"""Mes abonnements (the user's digest and alerts) and the one-click unsubscribe that a
mail links to (signed, works without logging in)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from akto_portal.http import AuthenticatedRequest
from notifications.digests import user_from_token
from notifications.forms import SubscriptionForm
from notifications.models import Delivery, Subscription
from notifications.services import subscription_save, subscription_unsubscribe


def subscriptions(request: AuthenticatedRequest) -> HttpResponse:
    subscription = Subscription.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=request.user)
        if form.is_valid():
            subscription_save(user=request.user, **form.cleaned_data)
            messages.success(request, "Abonnements enregistrés.")
            return redirect("subscriptions")
    else:
        initial: dict[str, Any] = {"frequency": Subscription.Frequency.NONE}
        if subscription is not None:
            initial = {
                "frequency": subscription.frequency,
                "france": subscription.france,
                "regions": list(subscription.regions.all()),
                "indicators": list(subscription.indicators.all()),
            }
        form = SubscriptionForm(initial=initial, user=request.user)
    return render(
        request,
        "notifications/subscriptions.html",
        {
            "form": form,
            "deliveries": Delivery.objects.filter(user=request.user)[:10],
            "region": request.user.region,
        },
    )


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients post it without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links: a GET changes nothing); POST —
    the button, or the mail client's one-click (RFC 8058) — stops every mail."""
    user = user_from_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        subscription_unsubscribe(user=user)
        return render(
            request, "notifications/unsubscribe.html", {"done": True, "email": user.email}
        )
    return render(request, "notifications/unsubscribe.html", {"email": user.email, "token": token})
