"""The HTTP benchmark's own site: the product's URLs plus a do-nothing baseline view, and a
middleware that reports each response's query count. Only bench/http_bench.py loads this
(through bench/httpsettings.py); the product's URLconf never contains the baseline."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def baseline(request):
    """Touches nothing: no session, no database, no template. The floor every page is measured
    against."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/ok", baseline),
    path("", include("config.urls")),
]


class QueryCountMiddleware:
    """Adds X-Bench-Queries: the number of SQL statements the request ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
