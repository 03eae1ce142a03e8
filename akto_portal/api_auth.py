"""Authentication of every path under /api/, once, for every app.

A request may carry `Authorization: Token <key>` (a personal token, for Excel or Power
BI) or a session cookie. Without either, the API answers 401 in JSON instead of the
login redirect pages get. Token requests are read-only.

Every API view is wrapped in `api_view`: GET only, authenticated (again, should a view be
routed outside /api/), its parameters read by the parser it names, and one error shape —
`{"errors": {field: [messages]}}` with 400 for parameters in error, 404 (same shape,
field `__all__`) only for an object that does not exist.
"""

import datetime
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone

from akto_portal.models import ApiToken, User
from akto_portal.services import hash_key

API_PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOUCH_EVERY = datetime.timedelta(minutes=5)


def _unauthorized(detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Token realm="api"'
    return response


def token_user(key: str) -> User | None:
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

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
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


class InvalidParameters(Exception):
    """Parameters in error, by field: answered 400 `{"errors": {field: [messages]}}`."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = {name: list(messages) for name, messages in errors.items()}


def errors_response(errors: Mapping[str, list[str]], *, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": dict(errors)}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def api_view(
    parse: Callable[[HttpRequest], Any] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate an API view: `view(request, parsed, *args)` where `parsed` is what
    `parse(request)` returns (a scope), or `view(request, *args)` without a parser."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                response = errors_response(
                    {"__all__": ["Seule la lecture (GET) est permise."]}, status=405
                )
                response["Allow"] = "GET, HEAD"
                return response
            if not request.user.is_authenticated:
                return _unauthorized("Authentification requise : session ou jeton personnel.")
            try:
                if parse is not None:
                    args = (parse(request), *args)
                return view(request, *args, **kwargs)
            except InvalidParameters as exc:
                return errors_response(exc.errors)
            except Http404 as exc:
                return errors_response({"__all__": [str(exc) or "Introuvable."]}, status=404)

        return wrapper

    return decorator
