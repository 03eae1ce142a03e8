"""A session opened through the single sign-on lasts no longer than the provider's:
every OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS, the next page asked for is first sent to the
provider without a prompt (`prompt=none`); while the provider's session lives, it comes
back at once through the callback; once it has ended, the provider answers an error and
the portal's session ends too (the callback logs out on `error`).

mozilla-django-oidc's middleware, limited to sessions opened through the sign-on (not
local accounts, not API tokens) and to our URL names."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from mozilla_django_oidc.middleware import SessionRefresh


class ProviderSessionRefresh(SessionRefresh):
    @cached_property
    def exempt_urls(self) -> set[str]:
        return {reverse("sign_on:authenticate"), reverse("sign_on:callback"), reverse("logout")}

    def is_refreshable_url(self, request: HttpRequest) -> bool:
        return "oidc_id_token_expiration" in request.session and super().is_refreshable_url(request)
