"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz
from interviews import views as interview_views

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("questions.api_urls")),
    path("", include("interviews.api_urls")),
]


@login_not_required
def favicon(request):
    """/favicon.ico, which browsers ask for on every page whatever the page links."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", interview_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("bank/", include("questions.urls")),
    path("sets/", include("interviews.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's start-up script as its own file (?script), so the
        # Content-Security-Policy needs no inline script.
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
]

handler400 = "config.errors.bad_request"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
