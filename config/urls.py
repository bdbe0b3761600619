"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from config.health import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("questions.api_urls")),
    path("", include("interviews.api_urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
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

handler400 = "accounts.views.bad_request"
handler404 = "accounts.views.not_found"
handler500 = "accounts.views.server_error"
