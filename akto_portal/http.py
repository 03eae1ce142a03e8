"""The request a portal view receives: LoginRequiredMiddleware lets only signed-in users
reach a view that is not marked `login_not_required`, so its `user` is a portal user."""

from django.http import HttpRequest

from akto_portal.models import User


class AuthenticatedRequest(HttpRequest):
    """For annotations only: a view's `request` when the view requires a signed-in user."""

    user: User
