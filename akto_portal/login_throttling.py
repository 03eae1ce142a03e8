"""Login throttling (django-axes, configured in settings): who is the client.

Axes counts failures per username and per client address. Exposed directly, the address
is the connection's own (`REMOTE_ADDR`). Behind a reverse proxy (`BEHIND_PROXY=1`) every
request comes from the proxy, so the address is the last entry of `X-Forwarded-For`: the
one our proxy appended, which the client cannot choose (entries before it can be forged).
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views


def client_ip(request):
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password chosen through the emailed link also lifts the
    lockout of that username (not that of an address), since the link proves the
    mailbox is the user's."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response
