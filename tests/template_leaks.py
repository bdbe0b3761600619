"""Template syntax that reaches a rendered page is a bug: a multi-line {# #} is not a comment in
Django, and a broken tag can print itself. A test-only middleware (config/test_settings.py) looks
at every HTML response the suite gets, from the test client and the browser tests' live server
alike; tests/conftest.py fails the test that caused one."""

import re
import threading

# Delimiters of Django's comments and tags; variables ({{ }}) are left out, because the bank's
# text may legitimately hold braces that are shown as written.
TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}")

_lock = threading.Lock()
_found: list[str] = []


def template_syntax_in(html: str) -> list[str]:
    """Each place in `html` where template syntax shows, with 60 characters around it."""
    return [
        html[max(match.start() - 60, 0) : match.end() + 60].replace("\n", "⏎")
        for match in TEMPLATE_SYNTAX.finditer(html)
    ]


def take_found() -> list[str]:
    """What the middleware recorded since the last call, and start afresh."""
    with _lock:
        found = list(dict.fromkeys(_found))  # a page fetched twice is reported once
        _found.clear()
    return found


class TemplateSyntaxLeakMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and not response.streaming:
            html = response.content.decode(response.charset or "utf-8", errors="replace")
            places = [
                f"{request.method} {request.get_full_path()}: …{place}…"
                for place in template_syntax_in(html)
            ]
            if places:
                with _lock:
                    _found.extend(places)
        return response
