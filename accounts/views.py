"""Account pages: the profile, its API token, and password reset with its limits."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .services import api_token_regenerate, password_reset_request_count


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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, refusing a request over the hourly limits per email address and per
    client address with a message (429) instead of sending another email. The message is the
    same whether or not an account uses the address."""

    def form_valid(self, form):
        try:
            password_reset_request_count(
                email=form.cleaned_data["email"], client_ip=get_client_ip_address(self.request)
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
