"""Response headers Django's own SecurityMiddleware does not set: Permissions-Policy."""

from django.conf import settings


def permissions_policy_header(features: list[str]) -> str:
    """`camera=(), microphone=()`: each listed feature allowed to no origin at all."""
    return ", ".join(f"{feature}=()" for feature in features)


class PermissionsPolicyMiddleware:
    """Deny the browser features in settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
