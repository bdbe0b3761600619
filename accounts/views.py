"""Team pages that belong to no domain app: dashboard, profile, error pages."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found
from rest_framework.authtoken.models import Token

from config.api import json_not_found

from .services import api_token_regenerate


def home(request):
    return render(request, "accounts/home.html")


def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"token": token})


@require_POST
def token_regenerate(request):
    api_token_regenerate(user=request.user)
    messages.success(request, _("A new API token was created; the previous one no longer works."))
    return redirect("profile")


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return page_not_found(request, exception)
