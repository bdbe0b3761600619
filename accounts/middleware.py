"""Request middleware: login everywhere except public paths, and the browser's time zone."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils import timezone

# Paths that never need a session: the API answers 401/403 itself, candidates use their token.
PUBLIC_PREFIXES = ("/healthz", "/api/", "/take/", "/i18n/")


class TeamLoginRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path_info
        if path.startswith(PUBLIC_PREFIXES) or path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class BrowserTimezoneMiddleware:
    """Show times in the zone the browser reports (cookie `tz`, set by static/js/app.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.COOKIES.get("tz")
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
