"""Users and their roles in the admin: a role column and filter on the stock user admin."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .roles import user_role

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TeamUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("is_staff", "is_active", "groups")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Role"))
    def role(self, obj):
        return user_role(obj).label
