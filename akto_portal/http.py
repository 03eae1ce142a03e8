"""The request a portal view receives: LoginRequiredMiddleware lets only signed-in users
reach a view that is not marked `login_not_required`, so its `user` is a portal user."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from akto_portal.models import User


class AuthenticatedRequest(HttpRequest):
    """For annotations only: a view's `request` when the view requires a signed-in user."""

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request only signed-in users reach (the admin's, whose methods take
    an `HttpRequest`); 403 for anyone else, should such a request ever get there."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
