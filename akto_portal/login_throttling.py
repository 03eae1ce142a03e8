"""Login throttling (django-axes, configured in settings): who is the client, what
locks, and the lockout answer.

Axes counts failures per pair (username, client address): wrong passwords typed for an
account from one address lock that account from that address only, so nobody can lock
someone else out by typing their username. An address is also locked, for every
username, after LOGIN_ADDRESS_FAILURE_LIMIT failures (a looser limit, against one
machine trying many usernames). The lockout answer is a French page, status 429, with
a `Retry-After` header (the cool-off period, in seconds).

Exposed directly, the address
is the connection's own (`REMOTE_ADDR`). Behind a reverse proxy (`BEHIND_PROXY=1`) every
request comes from the proxy, so the address is the last entry of `X-Forwarded-For`: the
one our proxy appended, which the client cannot choose (entries before it can be forged).
"""

import datetime
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Sum
from django.forms import CharField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from akto_portal.models import User


class AxesRequest(HttpRequest):
    """For annotations only: a request axes' login handler has read (it sets these)."""

    axes_ip_address: str
    axes_attempt_time: datetime.datetime


def client_ip(request: HttpRequest) -> str | None:
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


class LoginThrottlingHandler(AxesDatabaseHandler):
    """Axes' database handler, the pair's failures counting as a lockout once the
    address as a whole has reached LOGIN_ADDRESS_FAILURE_LIMIT."""

    def get_failures(self, request: AxesRequest, credentials: dict[str, Any] | None = None) -> int:
        pair = super().get_failures(request, credentials)
        address = (
            AccessAttempt.objects.filter(
                ip_address=request.axes_ip_address,
                attempt_time__gt=get_cool_off_threshold(request),
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    cool_off = get_cool_off(request)
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "failure_limit": get_failure_limit(request, credentials),
            "address_failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            "cooloff_timedelta": cool_off,
        },
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


class LoginForm(AuthenticationForm):
    """Django's login form, its username's length checked before anyone authenticates
    it (Django only sets the maximum on the field: a 256-character username reached
    axes, whose varchar(255) column then failed on PostgreSQL: a 500)."""

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        assert isinstance(field, CharField)
        field.validators.append(MaxLengthValidator(field.max_length))

    def confirm_login_allowed(self, user: User) -> None:
        """With the single sign-on on and LOCAL_LOGIN_ADMINS_ONLY, a password opens the
        portal to administrators only (break-glass); everyone else uses the sign-on."""
        super().confirm_login_allowed(user)
        if settings.OIDC_ENABLED and settings.LOCAL_LOGIN_ADMINS_ONLY and not user.is_admin:
            raise ValidationError(
                f"Connectez-vous avec {settings.OIDC_PROVIDER_NAME} : les mots de passe du"
                " portail sont réservés aux administrateurs.",
                code="local_login_disabled",
            )


class AdminLoginForm(AdminAuthenticationForm, LoginForm):
    """The admin's login form, with the same check."""


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password chosen through the emailed link also lifts the
    lockout of that username (not that of an address), since the link proves the
    mailbox is the user's."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response
