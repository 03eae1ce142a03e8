"""Sending the queued deliveries: one mail per Delivery, text and HTML
(multipart/alternative, the HTML with its chart as a related inline image), a one-click
unsubscribe (RFC 8058 headers), a few attempts with growing pauses, every failure
logged and kept on the delivery so that the next run tries again."""

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import transaction
from django.utils import timezone

from dashboards.digests import Composed, compose_alert, compose_digest
from dashboards.models import Delivery, Subscription

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)


class RelatedAlternativesMessage(EmailMultiAlternatives):
    """multipart/alternative of text/plain and multipart/related(text/html, images): the
    HTML shows its images inline (cid:), a text-only client reads the text part."""

    def __init__(self, *args, related: dict[str, bytes] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.related = related or {}

    def _create_alternatives(self, msg):  # Django's private hook
        if not self.related:
            return super()._create_alternatives(msg)  # type: ignore[misc]
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        alternative.attach(msg)
        for content, mimetype in self.alternatives:
            part = self._create_mime_attachment(content, mimetype)  # type: ignore[attr-defined]
            if mimetype == "text/html":
                related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
                related.attach(part)
                for cid, data in self.related.items():
                    image = MIMEImage(data, "png")
                    image.add_header("Content-ID", f"<{cid}>")
                    image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
                    related.attach(image)
                part = related
            alternative.attach(part)
        return alternative


def build_message(delivery: Delivery, composed: Composed) -> RelatedAlternativesMessage:
    message = RelatedAlternativesMessage(
        subject=composed.subject,
        body=composed.text,
        to=[delivery.user.email],
        headers={
            "List-Unsubscribe": f"<{composed.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        related=composed.images,
    )
    message.attach_alternative(composed.html, "text/html")
    return message


def compose(delivery: Delivery) -> Composed:
    if delivery.kind == Delivery.Kind.DIGEST:
        return compose_digest(delivery)
    return compose_alert(delivery)


def _still_wanted(delivery: Delivery) -> bool:
    """A user who unsubscribed (or was deactivated) since the mail was queued gets it not."""
    user = delivery.user
    if not (user.is_active and user.email):
        return False
    subscription = Subscription.objects.filter(user=user).first()
    if subscription is None:
        return False
    if delivery.kind == Delivery.Kind.DIGEST:
        return subscription.frequency != Subscription.Frequency.NONE
    return subscription.unsubscribed_at is None or subscription.unsubscribed_at < (
        delivery.created_at
    )


def _describe(exc: Exception) -> str:
    """ "SMTPDataError 451: 4.3.0 Serveur occupé" rather than the bytes' repr."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{type(exc).__name__} {exc.smtp_code}: {text}"
    return f"{type(exc).__name__}: {exc}"


def send_delivery(
    delivery: Delivery,
    *,
    delays: list[float],
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send one delivery: up to len(delays) + 1 attempts, pausing delays[i] after the
    i-th failure. Records the outcome on the delivery; True if sent."""
    if not _still_wanted(delivery):
        delivery.status = Delivery.Status.CANCELLED
        delivery.save(update_fields=["status"])
        return False
    message = build_message(delivery, compose(delivery))
    for attempt in range(len(delays) + 1):
        delivery.attempts += 1
        try:
            message.send(fail_silently=False)
        except SEND_ERRORS as exc:
            delivery.last_error = f"{timezone.now():%Y-%m-%d %H:%M} {_describe(exc)}"
            logger.warning(
                "Envoi %s à %s : échec de la tentative %d (%s)",
                delivery.key,
                delivery.user.email,
                delivery.attempts,
                exc,
            )
            if attempt < len(delays):
                sleep(delays[attempt])
            continue
        delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
        delivery.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        logger.info("Envoi %s à %s : envoyé", delivery.key, delivery.user.email)
        return True
    abandoned = delivery.attempts >= settings.DIGEST_MAX_ATTEMPTS
    delivery.status = Delivery.Status.ABANDONED if abandoned else Delivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "last_error"])
    (logger.error if abandoned else logger.warning)(
        "Envoi %s à %s : %s après %d tentative(s) : %s",
        delivery.key,
        delivery.user.email,
        "abandonné" if abandoned else "en échec, réessayé au prochain passage",
        delivery.attempts,
        delivery.last_error,
    )
    return False


@dataclass
class Outcome:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    cancelled: list[Delivery] = field(default_factory=list)


def due_deliveries():
    return Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]
    ).order_by("created_at", "pk")


def send_due(*, delays: list[float] | None = None) -> Outcome:
    """Send every pending delivery and retry the failed ones. Each is locked while it is
    sent (on PostgreSQL, a run skips what another run is sending)."""
    delays = settings.DIGEST_RETRY_DELAYS if delays is None else delays
    outcome = Outcome()
    for pk in list(due_deliveries().values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = due_deliveries().select_for_update(skip_locked=True).filter(pk=pk).first()
            if delivery is None:
                continue
            sent = send_delivery(delivery, delays=delays)
        if sent:
            outcome.sent.append(delivery)
        elif delivery.status == Delivery.Status.CANCELLED:
            outcome.cancelled.append(delivery)
        else:
            outcome.failed.append(delivery)
    return outcome
