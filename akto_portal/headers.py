"""Response headers Django does not set itself.

The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY);
the Permissions-Policy, a fixed string, is the few lines below.
"""

from django.conf import settings


def permissions_policy(features):
    """`{"camera": [], "fullscreen": ["self"]}` → `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in features.items())


class PermissionsPolicyMiddleware:
    """Set `Permissions-Policy` from settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
