"""Template context: the navigation the user's role may use."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import user_can, user_role

# (url name, label, capability); entries whose URL is not installed yet are left out. The
# capability table in roles.py decides who sees what: the builder for those who edit sets, the
# import for those who import banks.
NAVIGATION = (
    ("home", _("Dashboard"), "team.access"),
    ("questions:bank", _("Question bank"), "bank.view"),
    ("questions:bank_upload", _("Import"), "bank.import"),
    ("interviews:set_list", _("Question sets"), "question_set.view"),
    ("interviews:set_builder", _("New set"), "question_set.edit"),
    ("api-docs", _("API"), "team.access"),
    ("admin:index", _("Administration"), "admin.access"),
)


def _current(path: str, urls: list[str]) -> str | None:
    """The entry the page belongs to: the longest URL that prefixes the path ("/" only itself),
    so /sets/new/ is the builder's page, not also the set list's."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    entries = []
    for url_name, label, capability in NAVIGATION:
        if not user_can(user, capability):
            continue
        try:
            entries.append((url_name, label, reverse(url_name)))
        except NoReverseMatch:
            continue
    current = _current(request.path, [url for _name, _label, url in entries])
    items = [
        {"url": url, "label": label, "active": url == current, "name": url_name}
        for url_name, label, url in entries
    ]
    return {"nav_items": items, "user_role": user_role(user)}
