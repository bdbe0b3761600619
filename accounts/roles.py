"""Roles and what each may do: the one permission table that views and the API both consult."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMIN = "admin"
    INTERVIEWER = "interviewer"
    HIRING_MANAGER = "hiring_manager"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _("Administrator"),
    Role.INTERVIEWER: _("Interviewer"),
    Role.HIRING_MANAGER: _("Hiring manager"),
    Role.NONE: _("No role"),
}

# Django group names; staff (is_staff) is the administrator role.
ROLE_GROUPS = (Role.INTERVIEWER, Role.HIRING_MANAGER)

TEAM = frozenset({Role.ADMIN, Role.INTERVIEWER, Role.HIRING_MANAGER})

# capability -> roles that have it. Object-level rules (whose assessment, which position) live in
# the selectors of each app; this table answers "may this role do this kind of thing at all".
CAPABILITIES: dict[str, frozenset[Role]] = {
    "team.access": TEAM,
    "bank.view": TEAM,
    "bank.view_keys": frozenset({Role.ADMIN, Role.INTERVIEWER}),
    "bank.edit": frozenset({Role.ADMIN, Role.INTERVIEWER}),
    "bank.import": frozenset({Role.ADMIN}),
    "question_set.view": TEAM,
    "question_set.edit": frozenset({Role.ADMIN, Role.INTERVIEWER}),
    "admin.access": frozenset({Role.ADMIN}),
}


def user_role(user) -> Role:
    """The user's role: staff first, then interviewer, then hiring manager."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    if user.is_staff:
        return Role.ADMIN
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}  # uses prefetch_related when present
        cached = next((role for role in ROLE_GROUPS if role.value in names), Role.NONE)
        user._role_cache = cached
    return cached


def user_can(user, capability: str) -> bool:
    try:
        allowed = CAPABILITIES[capability]
    except KeyError:
        raise ValueError(f"unknown capability {capability!r}") from None
    return user_role(user) in allowed
