"""Account pages: the profile and its API token."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .services import api_token_regenerate


def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"token": token})


@require_POST
def token_regenerate(request):
    had_one = Token.objects.filter(user=request.user).exists()
    api_token_regenerate(user=request.user)
    if had_one:
        messages.success(
            request, _("A new API token was created; the previous one no longer works.")
        )
    else:
        messages.success(request, _("Your API token was created."))
    return redirect("profile")
