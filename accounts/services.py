"""Account state changes: roles and API tokens."""

from django.contrib.auth.models import Group
from django.db import transaction
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
