"""Template context: the navigation the user's role may use."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import user_can, user_role

# (url name, label, capability); entries whose URL is not installed yet are left out.
NAVIGATION = (
    ("home", _("Dashboard"), "team.access"),
    ("questions:bank", _("Question bank"), "bank.view"),
    ("interviews:set_list", _("Question sets"), "question_set.view"),
    ("api-docs", _("API"), "team.access"),
    ("admin:index", _("Administration"), "admin.access"),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    items = []
    for url_name, label, capability in NAVIGATION:
        if not user_can(user, capability):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "active": active, "name": url_name})
    return {"nav_items": items, "user_role": user_role(user)}
