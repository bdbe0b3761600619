"""API plumbing shared by every app: pagination and JSON errors."""

from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from questions.paging import KnownCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 50 (up to 200), counted as the view says: a view with `known_count()` returning
    a number (a count kept on a row) is not counted row by row."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "known_count", None)
        count = known() if known is not None else None
        if count is not None:
            self.django_paginator_class = partial(KnownCountPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


def body_too_large_detail(request) -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    return _("The request body is %(size)s bytes, over the %(limit)s-byte limit (%(mb)s MB).") % {
        "size": f"{size:,}",
        "limit": f"{limit:,}",
        "mb": f"{limit / 1024 / 1024:g}",
    }


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError as a 400 with its messages, Django's 404 and
    403 as DRF's, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE as a 413 giving the limit; a
    malformed JSON body is reported in the caller's language."""
    if isinstance(exc, RequestDataTooBig):
        detail = body_too_large_detail(context["request"])
        return Response({"detail": detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        # DRF words this one in English only; say it in the caller's language.
        reason = str(exc.detail).removeprefix("JSON parse error - ")
        exc = exceptions.ParseError(
            _("The request body is not valid JSON (%(reason)s).") % {"reason": reason}
        )
    return drf_exception_handler(exc, context)


def json_not_found(request, exception=None):
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


def json_bad_request(request, exception=None):
    """A request Django refuses before any view (a too-large body, a bad Host header)."""
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": body_too_large_detail(request)}, status=413)
    return JsonResponse({"detail": _("Bad request.")}, status=400)


def json_server_error(request):
    return JsonResponse({"detail": _("Server error. The failure has been logged.")}, status=500)
