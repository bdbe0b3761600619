"""Account state changes: roles, API tokens and the password reset allowance."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from .roles import ROLE_GROUPS, Role


def role_groups_ensure() -> None:
    for role in ROLE_GROUPS:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_role_set(*, user, role: Role) -> None:
    """Give the user exactly one role (staff for admin, else one of the role groups)."""
    role_groups_ensure()
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in ROLE_GROUPS]))
    user.is_staff = role is Role.ADMIN
    user.is_superuser = role is Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    if role in ROLE_GROUPS:
        user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("_role_cache", None)


@transaction.atomic
def api_token_regenerate(*, user) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


PASSWORD_RESET_WINDOW_SECONDS = 60 * 60


def _count_in_window(key: str) -> int:
    """Add one to a counter that starts over an hour after its first count; atomic on Redis."""
    cache.add(key, 0, timeout=PASSWORD_RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=PASSWORD_RESET_WINDOW_SECONDS)
        return 1


def password_reset_request_count(*, email: str, client_ip: str | None) -> None:
    """Count one password reset request against its email address and its client address, and
    raise ValidationError (naming the limit) when either is over its hourly limit: then no email
    may be sent. Every request counts, whether or not an account uses the address, so the answer
    never tells which addresses have accounts."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    email_limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    client_limit = settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    email_count = _count_in_window(f"password-reset:email:{digest}")
    client_count = _count_in_window(f"password-reset:client:{client_ip}") if client_ip else 0
    if email_count > email_limit:
        raise ValidationError(
            ngettext(
                "This address has had %(limit)d password reset request in the last hour, the "
                "most we accept. If it belongs to an account, use the link in the latest "
                "email; or try again later: the count starts over within an hour.",
                "This address has had %(limit)d password reset requests in the last hour, the "
                "most we accept. If it belongs to an account, use the link in the latest "
                "email; or try again later: the count starts over within an hour.",
                email_limit,
            )
            % {"limit": email_limit},
            code="rate_limited",
        )
    if client_count > client_limit:
        raise ValidationError(
            ngettext(
                "%(limit)d password reset request came from your network address in the last "
                "hour, the most we accept. Try again later: the count starts over within an hour.",
                "%(limit)d password reset requests came from your network address in the last "
                "hour, the most we accept. Try again later: the count starts over within an hour.",
                client_limit,
            )
            % {"limit": client_limit},
            code="rate_limited",
        )
