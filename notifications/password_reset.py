"""Password reset through the outbox: the request only queues the mail (a Delivery of
kind "reset"), send_digests sends it (notifications/mail.py), so a slow or refused mail
server never holds the request and a mail is never sent twice.

Throttled with the cache, per address asked for and per client address (an hour's
window): past the limit, the same French answer whether the account exists or not.
"""

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from akto_portal.login_throttling import client_ip
from notifications.models import Delivery

WINDOW_SECONDS = 60 * 60
THROTTLED = (
    "Trop de demandes de nouveau mot de passe en peu de temps. "
    "Réessayez dans une heure ; si un lien vous a déjà été envoyé, il reste valable."
)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form (same users, same link); its documented `send_mail` hook queues the
    mail instead of sending it."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        Delivery.objects.create(
            user=context["user"],
            kind=Delivery.Kind.PASSWORD_RESET,
            key=f"reset:{uuid.uuid4().hex}",
            as_of=timezone.localdate(),
            subject=subject,
            body=render_to_string(email_template_name, context),
        )


def _over_limit(kind: str, value: str, limit: int) -> bool:
    """Count one request for `value`; True once more than `limit` in the window."""
    digest = hashlib.sha256(value.encode()).hexdigest()
    key = f"password-reset:{kind}:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > limit


def throttled(*, email: str, ip: str | None) -> bool:
    """Both counters move on each request, so neither can be bypassed with the other."""
    by_email = _over_limit("email", email.strip().lower(), settings.PASSWORD_RESET_PER_EMAIL)
    by_ip = _over_limit("ip", ip or "unknown", settings.PASSWORD_RESET_PER_IP)
    return by_email or by_ip


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if throttled(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            form.add_error(None, THROTTLED)
            response: HttpResponse = self.render_to_response(
                self.get_context_data(form=form), status=429
            )
            response["Retry-After"] = str(WINDOW_SECONDS)
            return response
        return super().form_valid(form)
