"""The site's error handlers: JSON under /api/, the HTML pages elsewhere."""

from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

from .api import json_bad_request, json_not_found, json_server_error


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    return html_bad_request(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return html_server_error(request)
