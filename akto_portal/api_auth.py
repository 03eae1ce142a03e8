"""Authentication of every path under /api/, once, for every app.

A request may carry `Authorization: Token <key>` (a personal token, for Excel or Power
BI) or a session cookie. Without either, the API answers 401 in JSON instead of the
login redirect pages get. Token requests are read-only.
"""

import datetime

from django.http import JsonResponse
from django.utils import timezone

from akto_portal.models import ApiToken
from akto_portal.services import hash_key

API_PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOUCH_EVERY = datetime.timedelta(minutes=5)


def _unauthorized(detail):
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Token realm="api"'
    return response


def token_user(key):
    """The active user owning this active token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class ApiAuthenticationMiddleware:
    """Place after AuthenticationMiddleware and before LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            header = request.headers.get("Authorization", "")
            if header:
                scheme, _, key = header.partition(" ")
                if scheme.lower() != "token" or not key.strip():
                    return _unauthorized("En-tête Authorization attendu : « Token <clé> ».")
                user = token_user(key.strip())
                if user is None:
                    return _unauthorized("Jeton invalide ou révoqué.")
                if request.method not in SAFE_METHODS:
                    return JsonResponse(
                        {"detail": "Les jetons ne donnent qu'un accès en lecture."}, status=403
                    )
                request.user = user
            elif not request.user.is_authenticated:
                return _unauthorized("Authentification requise : session ou jeton personnel.")
        return self.get_response(request)
