"""The personal API tokens page."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_POST

from akto_portal.http import AuthenticatedRequest
from akto_portal.models import ApiToken
from akto_portal.services import TokenError, api_token_create, api_token_revoke


def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own API tokens: create one (its key is shown once), revoke one."""
    new_key = None
    if request.method == "POST":
        try:
            token, new_key = api_token_create(user=request.user, name=request.POST.get("name"))
        except TokenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Jeton « {token.name} » créé.")
    return render(
        request,
        "akto_portal/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key},
    )


@require_POST
def api_token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        token = api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, f"Jeton « {token.name} » révoqué.")
    return redirect("api-tokens")


class LoginView(auth_views.LoginView):
    """Django's login page; with the single sign-on on (sign_on/), it offers "Se
    connecter avec <organisation>" first."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form")
        return {
            **super().get_context_data(**kwargs),
            "local_login_disabled": form is not None
            and form.has_error(NON_FIELD_ERRORS, "local_login_disabled"),
            "oidc_enabled": settings.OIDC_ENABLED,
            "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        }


class LogoutView(auth_views.LogoutView):
    """Django's logout; a user who came through the single sign-on is then sent to the
    provider's end-session endpoint (RP-initiated logout), which ends the provider's
    session too and returns to the login page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if id_token and settings.OIDC_OP_LOGOUT_ENDPOINT:
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                    "post_logout_redirect_uri": request.build_absolute_uri(
                        resolve_url(settings.LOGIN_URL)
                    ),
                }
            )
            return redirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}")
        return response
