"""The personal API tokens page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akto_portal.models import ApiToken
from akto_portal.services import TokenError, api_token_create, api_token_revoke


def api_tokens(request):
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
def api_token_revoke_view(request, pk):
    try:
        token = api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, f"Jeton « {token.name} » révoqué.")
    return redirect("api-tokens")
