"""Sending the outbox: one mail per Delivery, text and HTML (multipart/alternative, the
HTML with its chart as a related inline image), a one-click unsubscribe (RFC 8058
headers) on digests and alerts, a few attempts with growing pauses.

At most once (notifications.models.Delivery): each delivery is claimed ("sending") in a
transaction of its own, committed before the mail server is called, then marked sent. A
sender that dies in between leaves a claim that send_due later marks "uncertain" and
never sends again. One delivery that cannot be composed or sent is marked failed with
its error and the others go on."""

import datetime
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone

from notifications.digests import Composed, compose_alert, compose_digest
from notifications.models import Delivery, Subscription

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)
DUE = [Delivery.Status.PENDING, Delivery.Status.FAILED]


class RelatedAlternativesMessage(EmailMultiAlternatives):
    """multipart/alternative of text/plain and multipart/related(text/html, images): the
    HTML shows its images inline (cid:), a text-only client reads the text part. Built on
    the public `message()`: Django's MIME tree, whose text/html part is then wrapped with
    its images (the standard library's email API)."""

    def __init__(self, *args: Any, related: dict[str, bytes] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related = related or {}

    def message(self, *args: Any, **kwargs: Any) -> Message:
        msg = super().message(*args, **kwargs)
        if not self.related:
            return msg
        for container in msg.walk():
            if container.get_content_type() != "multipart/alternative":
                continue
            parts = container.get_payload()
            for index, part in enumerate(parts):
                if part.get_content_type() != "text/html":
                    continue
                related = MIMEMultipart(_subtype="related")
                related.attach(part)
                for cid, data in self.related.items():
                    image = MIMEImage(data, "png")
                    image.add_header("Content-ID", f"<{cid}>")
                    image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
                    related.attach(image)
                parts[index] = related
        return msg


def build_message(delivery: Delivery, composed: Composed) -> RelatedAlternativesMessage:
    headers = {"Auto-Submitted": "auto-generated"}
    if composed.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{composed.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = RelatedAlternativesMessage(
        subject=composed.subject,
        body=composed.text,
        to=[delivery.user.email],
        headers=headers,
        related=composed.images,
    )
    if composed.html:
        message.attach_alternative(composed.html, "text/html")
    return message


def compose(delivery: Delivery) -> Composed:
    if delivery.kind == Delivery.Kind.DIGEST:
        return compose_digest(delivery)
    if delivery.kind == Delivery.Kind.ALERT:
        return compose_alert(delivery)
    return Composed(delivery.subject, delivery.body, "")  # written when queued


def _still_wanted(delivery: Delivery) -> bool:
    """A user who unsubscribed (or was deactivated) since the mail was queued gets it not."""
    user = delivery.user
    if not (user.is_active and user.email):
        return False
    if delivery.kind == Delivery.Kind.PASSWORD_RESET:
        return True
    subscription = Subscription.objects.filter(user=user).first()
    if subscription is None:
        return False
    if delivery.kind == Delivery.Kind.DIGEST:
        return subscription.frequency != Subscription.Frequency.NONE
    return subscription.unsubscribed_at is None or subscription.unsubscribed_at < (
        delivery.created_at
    )


def _describe(exc: BaseException) -> str:
    """ "SMTPDataError 451: 4.3.0 Serveur occupé" rather than the bytes' repr."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{type(exc).__name__} {exc.smtp_code}: {text}"
    return f"{type(exc).__name__}: {exc}"[:1000]


def _record(delivery: Delivery, status: str, fields: list[str]) -> None:
    """The outcome of a claimed delivery. A password-reset link is not kept once its
    delivery is over (sent or not): the database is no mailbox."""
    delivery.status = status
    fields = ["status", *fields]
    if delivery.kind == Delivery.Kind.PASSWORD_RESET and status != Delivery.Status.FAILED:
        delivery.body = ""
        fields.append("body")
    delivery.save(update_fields=fields)


def _failed(delivery: Delivery) -> None:
    abandoned = delivery.attempts >= settings.DIGEST_MAX_ATTEMPTS
    _record(
        delivery,
        Delivery.Status.ABANDONED if abandoned else Delivery.Status.FAILED,
        ["attempts", "last_error"],
    )
    (logger.error if abandoned else logger.warning)(
        "Envoi %s à %s : %s après %d tentative(s) : %s",
        delivery.key,
        delivery.user.email,
        "abandonné" if abandoned else "en échec, réessayé au prochain passage",
        delivery.attempts,
        delivery.last_error,
    )


def claim(pk: int) -> Delivery | None:
    """Take a due delivery for sending, committed at once (autocommit): a compare-and-set
    on its status, so that two senders (or a sender and a stale claim) never both get it."""
    claimed = Delivery.objects.filter(pk=pk, status__in=DUE).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("user").get(pk=pk)


def send_delivery(
    delivery: Delivery,
    *,
    delays: list[float],
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send one claimed delivery: up to len(delays) + 1 attempts, pausing delays[i] after
    the i-th refusal by the server. Records the outcome on the delivery; True if sent."""
    if not _still_wanted(delivery):
        _record(delivery, Delivery.Status.CANCELLED, [])
        return False
    try:
        composed = compose(delivery)
        message = build_message(delivery, composed)
    except Exception as exc:  # this mail cannot be written (its data): the others go on
        logger.exception("Envoi %s à %s : rédaction impossible", delivery.key, delivery.user)
        delivery.attempts += 1
        delivery.last_error = f"{timezone.now():%Y-%m-%d %H:%M} {_describe(exc)}"
        _failed(delivery)
        return False
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
        delivery.sent_at = timezone.now()
        try:
            delivery.subject = composed.subject  # a digest queued failed had none
            _record(
                delivery, Delivery.Status.SENT, ["subject", "sent_at", "attempts", "last_error"]
            )
        except DatabaseError:
            # Sent, but not recorded ("database is locked"): the claim stays and becomes
            # "uncertain"; never "pending", which would send it again.
            logger.exception("Envoi %s : envoyé mais non enregistré", delivery.key)
        else:
            logger.info("Envoi %s à %s : envoyé", delivery.key, delivery.user.email)
        return True
    _failed(delivery)
    return False


@dataclass
class Outcome:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    cancelled: list[Delivery] = field(default_factory=list)
    uncertain: list[Delivery] = field(default_factory=list)


def due_deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status__in=DUE).order_by("created_at", "pk")


def expire_claims(*, now: datetime.datetime | None = None) -> list[Delivery]:
    """Claims older than OUTBOX_CLAIM_TIMEOUT minutes: their sender died between the claim
    and the record of the outcome, so the mail may have left. Marked "uncertain", never
    sent again."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.OUTBOX_CLAIM_TIMEOUT)
    stale = list(
        Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=cutoff)
        .select_related("user")
        .order_by("pk")
    )
    expired = []
    for delivery in stale:
        delivery.last_error = (
            f"{now:%Y-%m-%d %H:%M} envoi interrompu (pris en charge le "
            f"{delivery.claimed_at:%Y-%m-%d %H:%M}) : peut-être parti, non renvoyé"
        )
        updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.UNCERTAIN,
            last_error=delivery.last_error,
            **({"body": ""} if delivery.kind == Delivery.Kind.PASSWORD_RESET else {}),
        )
        if updated:
            delivery.status = Delivery.Status.UNCERTAIN
            logger.error("Envoi %s à %s : %s", delivery.key, delivery.user, delivery.last_error)
            expired.append(delivery)
    return expired


def send_due(*, delays: list[float] | None = None) -> Outcome:
    """Send every pending delivery and retry the failed ones, each claimed before it is
    sent (another run skips it); report the stale claims as uncertain."""
    delays = settings.DIGEST_RETRY_DELAYS if delays is None else delays
    outcome = Outcome(uncertain=expire_claims())
    for pk in list(due_deliveries().values_list("pk", flat=True)):
        try:
            delivery = claim(pk)
        except DatabaseError:  # "database is locked": left due, tried by the next run
            logger.exception("Envoi %s : prise en charge impossible", pk)
            continue
        if delivery is None:
            continue
        try:
            sent = send_delivery(delivery, delays=delays)
        except Exception:  # an unforeseen error on this one: the claim stays, the others go
            logger.exception("Envoi %s : erreur inattendue", delivery.key)
            outcome.failed.append(delivery)
            continue
        if sent:
            outcome.sent.append(delivery)
        elif delivery.status == Delivery.Status.CANCELLED:
            outcome.cancelled.append(delivery)
        else:
            outcome.failed.append(delivery)
    return outcome
