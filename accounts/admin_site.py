"""The admin site: named after the product, with the product's apps listed first."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-axes ships no Chinese. Its model names live in our catalogue instead: a lazy
# verbose_name is looked up in every catalogue, ours (LOCALE_PATHS) first.
AXES_MODEL_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
)


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Interview platform")
    site_title = _("Interview platform")
    index_title = _("Administration")

    # What administrators come for first; the login-attempt records of django-axes go last.
    APP_ORDER = ("questions", "interviews", "candidates", "accounts", "auth", "authtoken")
    # Apps whose own name is not translated (or says nothing to a reader).
    APP_NAMES = {"axes": _("Login attempts")}

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = self.APP_NAMES.get(app["app_label"], app["name"])
        rank = {label: i for i, label in enumerate(self.APP_ORDER)}
        return sorted(apps, key=lambda app: rank.get(app["app_label"], len(rank)))


class PlatformAdminConfig(AdminConfig):
    """django.contrib.admin with our site: INSTALLED_APPS names this instead of the stock one."""

    default_site = "accounts.admin_site.PlatformAdminSite"
