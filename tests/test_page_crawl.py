"""Every page kind, as each role and in both languages: no server error, and no template syntax
in what is shown (the check that tests/template_leaks.py runs on every page of the suite)."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.roles import user_can
from interviews.services import question_set_archive
from questions.importer import bank_import_path
from questions.models import BankImportJob, Question
from tests.factories import UserFactory, drawn_set
from tests.template_leaks import template_syntax_in

BUILTIN = Path(__file__).resolve().parents[1] / "data" / "banks" / "ai-llm-training.md"
LANGUAGES = ("en", "zh-hans")
# Pages that only answer POST (their fragments are checked where the suite posts to them), the
# language switch, and JSON endpoints.
NOT_PAGES = {
    "favicon",  # an image
    "logout",
    "token_regenerate",
    "set_language",
    "healthz",
    *(
        f"interviews:{name}"
        for name in (
            "set_update",
            "set_clone",
            "set_archive",
            "item_add",
            "items_reorder",
            "item_move",
            "item_remove",
            "item_swap",
            "item_points",
        )
    ),
}


def _page_names(resolver=None, namespace=""):
    """View names of the site's own pages (not the API, which answers JSON, nor the admin)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) not in ("admin/", "api/v1/"):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _page_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and not entry.name.startswith("api-"):
            yield namespace + entry.name


@pytest.fixture
def site(db):
    """One of everything a page can show: the built-in bank, a set of another interviewer's,
    an archived one."""
    bank = bank_import_path(path=BUILTIN).bank
    olga = UserFactory(username="olga", role="interviewer")
    theirs = drawn_set(owner=olga, title="Olga's set", bank=bank.pk, count=6, seed=1)
    archived = drawn_set(owner=olga, title="Archived", bank=bank.pk, count=3, seed=2)
    question_set_archive(question_set=archived, actor=olga)
    admin = UserFactory(username="ada", role="admin")
    jobs = [
        BankImportJob.objects.create(source_name="big.md", requested_by=admin),  # queued
        BankImportJob.objects.create(
            source_name="bad.md",
            requested_by=admin,
            status=BankImportJob.Status.FAILED,
            progress=100,
            errors=["bad.md:1: not a question bank"],
        ),
    ]
    return {"bank": bank, "theirs": theirs, "archived": archived, "jobs": jobs}


def _pages(site, user) -> list[tuple[str, str, dict]]:
    """(method, path, extra) for every page kind this user could reach, their own set included."""
    bank = site["bank"]
    questions = Question.objects.filter(bank=bank)
    single = questions.filter(kind="single_choice").first()
    skill_open = questions.filter(kind="open_ended", skill__isnull=False).first()
    long_form = questions.filter(skill__isnull=True).first()
    sets = [site["theirs"], site["archived"]]
    if user is not None and user_can(user, "question_set.edit"):
        sets.append(drawn_set(owner=user, title="Mine", bank=bank.pk, count=5, seed=3))
    htmx = {"HTTP_HX_REQUEST": "true"}
    pages = [
        ("get", "/", {}),
        ("get", "/bank/", {}),
        ("get", "/bank/?search=训练&kind=open_ended", {}),
        ("get", "/bank/?difficulty_min=9&difficulty_max=3", {}),
        ("get", "/bank/?page=2", htmx),
        ("get", "/bank/import/", {}),
        *[("get", f"/bank/import/jobs/{job.pk}/", {}) for job in site["jobs"]],
        ("get", f"/bank/import/jobs/{site['jobs'][0].pk}/", htmx),
        (
            "post",
            "/bank/preview/",
            {"data": {"field": "prompt_md", "prompt_md": "**粗体**"}, **htmx},
        ),
        *[("get", f"/bank/questions/{q.pk}/", {}) for q in (single, skill_open, long_form)],
        ("get", f"/bank/questions/{single.pk}/edit/", {}),
        ("get", "/sets/", {}),
        ("get", "/sets/new/", {}),
        ("post", "/sets/new/", {"data": {"bank": bank.pk, "count": 5, "seed": 4}, **htmx}),
        ("post", "/sets/new/", {"data": {"bank": bank.pk, "count": 0}, **htmx}),
        ("get", "/accounts/profile/", {}),
        ("get", "/accounts/password_change/", {}),
        ("get", "/accounts/password_change/done/", {}),
        ("get", "/accounts/login/", {}),
        ("get", "/accounts/password_reset/", {}),
        ("get", "/accounts/password_reset/done/", {}),
        ("get", "/accounts/reset/MQ/not-a-token/", {}),
        ("get", "/accounts/reset/done/", {}),
        ("get", "/api/docs/", {}),
        ("get", "/no-such-page/", {}),
        ("get", "/admin/", {}),
        *[
            ("get", f"/admin/{m._meta.app_label}/{m._meta.model_name}/", {})
            for m in admin.site._registry
        ],
    ]
    for question_set in sets:
        item = question_set.items.order_by("position").first()
        base = f"/sets/{question_set.pk}"
        pages += [
            ("get", f"{base}/", {}),
            ("get", f"{base}/print/preview/", {}),
            ("get", f"{base}/print/kit/", {}),
            ("get", f"{base}/items/search/?search=ZeRO", htmx),
            ("get", f"{base}/items/{item.pk}/swap/options/", htmx),
        ]
    return pages


def _crawl(client, pages) -> tuple[list[str], set[str]]:
    """Request every page in both languages; the problems found, and the URL names of the pages
    that were shown (200)."""
    problems, shown = [], set()
    for method, path, extra in pages:
        for language in LANGUAGES:
            response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE=language, **extra)
            if response.status_code == 200:
                shown.add(resolve(path.split("?")[0]).view_name)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {path} [{language}]: {response.status_code}")
            if response.get("Content-Type", "").startswith("text/html"):
                problems += [
                    f"{method.upper()} {path} [{language}]: …{place}…"
                    for place in template_syntax_in(response.content.decode())
                ]
    return problems, shown


@pytest.mark.parametrize("role", ["interviewer", "hiring_manager", "no_role_user"])
def test_every_page_as_each_role_shows_no_template_syntax(client, request, site, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    problems, _shown = _crawl(client, _pages(site, user))
    assert problems == []


def test_every_page_as_an_administrator_shows_no_template_syntax(client, admin_user, site):
    """Administrators reach every page, so their crawl shows each page kind; a new page that
    the crawl does not know fails here until it is added."""
    client.force_login(admin_user)
    problems, shown = _crawl(client, _pages(site, admin_user))
    assert problems == []
    assert set(_page_names()) - NOT_PAGES - shown == {"login"}  # shown below, signed out
    assert {"admin:index", "admin:auth_user_changelist"} <= shown


def test_every_public_page_shows_no_template_syntax(client, site):
    problems, shown = _crawl(client, _pages(site, None))
    assert problems == []
    assert {"login", "password_reset", "password_reset_confirm"} <= shown


def test_no_template_comment_spans_lines():
    """{# #} ends on its own line in Django; a longer comment is {% comment %} (templates no test
    renders are checked here too)."""
    templates = Path(__file__).resolve().parents[1] / "templates"
    open_comments = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert open_comments == []
