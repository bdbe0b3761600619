"""Permission checks for views and the API, both backed by accounts.roles.user_can."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from .roles import user_can


def capability_required(capability: str):
    """View decorator: 403 unless the (logged-in) user's role has the capability."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class HasCapability(permissions.BasePermission):
    """DRF permission: the view names `capability` (reads) and optionally `write_capability`."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            capability = getattr(view, "capability", "team.access")
        else:
            capability = getattr(view, "write_capability", None) or getattr(
                view, "capability", "team.access"
            )
        return user_can(request.user, capability)


class IsTeamMember(HasCapability):
    """Default for every API view: an authenticated user with a team role."""
