"""Team pages that belong to no domain app: dashboard, profile, password reset, error pages."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error
from rest_framework.authtoken.models import Token

from config.api import json_bad_request, json_not_found, json_server_error

from .roles import user_can
from .services import api_token_regenerate, password_reset_request_count


def home(request):
    """The dashboard: what the bank holds and the question sets to carry on with."""
    from interviews.selectors import question_set_list
    from questions.selectors import bank_list

    context = {}
    if user_can(request.user, "bank.view"):
        context["banks"] = list(bank_list().order_by("title")[:5])
    if user_can(request.user, "question_set.view"):
        sets = question_set_list(user=request.user)
        context["my_sets"] = list(sets.filter(owner=request.user)[:5])
        context["recent_sets"] = list(sets.exclude(owner=request.user)[:5])
        context["can_build"] = user_can(request.user, "question_set.edit")
    return render(request, "accounts/home.html", context)


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
