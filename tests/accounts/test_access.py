"""Who may reach what: login everywhere, roles, rate-limited logins, password reset."""

import re

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role, user_can, user_role
from questions.models import QuestionBank

PUBLIC = {
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/done/",
    "/healthz",
    "/favicon.ico",  # the site's icon, asked for by browsers on every page, the login page too
    "/api/schema/",
    "/i18n/setlang/",
}


def _static_paths(resolver=None, prefix=""):
    """Every URL without parameters that the project serves."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _static_paths(entry, prefix + pattern)
        elif isinstance(entry, URLPattern) and not re.search(r"[<(\[]", pattern):
            yield "/" + (prefix + pattern).replace("\\", "")


@pytest.mark.django_db
def test_every_team_page_requires_login(client):
    paths = sorted(set(_static_paths()) - PUBLIC)
    pages = [p for p in paths if not p.startswith(("/api/", "/admin/"))]
    assert "/" in pages and "/accounts/profile/" in pages and "/api/docs/" not in pages
    for path in [*pages, "/api/docs/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    for path in [p for p in paths if p.startswith("/api/v1/")]:
        assert client.get(path).status_code == 401, path
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_public_pages_open_without_login(client):
    for path in ["/accounts/login/", "/accounts/password_reset/", "/healthz", "/api/schema/"]:
        assert client.get(path).status_code == 200, path


def test_roles_and_capabilities(admin_user, interviewer, hiring_manager, no_role_user):
    assert [user_role(u) for u in (admin_user, interviewer, hiring_manager, no_role_user)] == [
        Role.ADMIN,
        Role.INTERVIEWER,
        Role.HIRING_MANAGER,
        Role.NONE,
    ]
    assert user_can(interviewer, "bank.edit") and not user_can(hiring_manager, "bank.edit")
    assert user_can(hiring_manager, "bank.view")
    assert user_can(admin_user, "admin.access") and not user_can(interviewer, "admin.access")
    assert not user_can(no_role_user, "team.access")
    with pytest.raises(ValueError, match="unknown capability"):
        user_can(admin_user, "bank.delete_everything")


@pytest.mark.parametrize(
    ("role_fixture", "shown"),
    [
        (
            "admin_user",
            [
                "home",
                "questions:bank",
                "questions:bank_upload",
                "interviews:set_list",
                "interviews:set_builder",
                "api-docs",
                "admin:index",
            ],
        ),
        (
            "interviewer",
            ["home", "questions:bank", "interviews:set_list", "interviews:set_builder", "api-docs"],
        ),
        ("hiring_manager", ["home", "questions:bank", "interviews:set_list", "api-docs"]),
    ],
)
def test_navigation_shows_what_the_role_may_use(client, request, role_fixture, shown):
    """Interviewers get the builder, hiring managers (who do not edit) do not; only
    administrators import banks and reach the admin."""
    client.force_login(request.getfixturevalue(role_fixture))
    html = client.get("/").content.decode()
    assert re.findall(r'data-nav="([^"]+)"', html) == shown


def test_a_user_without_a_role_gets_no_navigation(client, no_role_user):
    client.force_login(no_role_user)
    assert "data-nav=" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "home"),
        ("/bank/", "questions:bank"),
        ("/bank/import/", "questions:bank_upload"),
        ("/sets/", "interviews:set_list"),
        ("/sets/new/", "interviews:set_builder"),
    ],
)
def test_navigation_marks_only_the_page_it_is_on(client, admin_user, path, current):
    QuestionBank.objects.create(title="Empty", slug="empty")  # the builder needs a bank
    client.force_login(admin_user)
    html = client.get(path).content.decode()
    assert re.findall(r'data-nav="([^"]+)" aria-current="page"', html) == [current]


def test_admin_is_for_staff_only(client, interviewer, admin_user):
    client.force_login(interviewer)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    response = client.get("/admin/auth/user/")
    assert response.status_code == 200
    assert '<td class="field-role">Interviewer</td>' in response.content.decode()


def test_admin_names_roles_in_chinese(client, interviewer, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/auth/user/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<td class="field-role">面试官</td>' in response.content.decode()


def test_login_and_logout(client, interviewer):
    response = client.post(
        "/accounts/login/", {"username": "ivan", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_failed_logins_lock_the_account(client, interviewer):
    for attempt in range(5):
        response = client.post(
            "/accounts/login/",
            {"username": "ivan", "password": f"wrong{attempt}"},
            REMOTE_ADDR=f"10.0.0.{attempt + 1}",
        )
    assert response.status_code == 429
    # Locked per account: the right password from a new address is refused too.
    response = client.post(
        "/accounts/login/",
        {"username": "ivan", "password": "correct horse battery"},
        REMOTE_ADDR="10.0.0.99",
    )
    assert response.status_code == 429
    assert "<h1>Too many failed logins</h1>" in response.content.decode()
    # In Chinese the locked page says the same.
    response = client.post(
        "/accounts/login/",
        {"username": "ivan", "password": "correct horse battery"},
        REMOTE_ADDR="10.0.0.99",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "<h1>登录失败次数过多</h1>" in response.content.decode()


def test_failed_logins_lock_the_address(client, interviewer, hiring_manager):
    for attempt in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"ghost{attempt}", "password": "x"},
            REMOTE_ADDR="10.1.1.1",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "hana", "password": "correct horse battery"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 429
    response = client.post(
        "/accounts/login/",
        {"username": "hana", "password": "correct horse battery"},
        REMOTE_ADDR="10.1.1.2",
    )
    assert response.status_code == 302


def test_password_reset_by_email(client, interviewer):
    response = client.post("/accounts/password_reset/", {"email": "ivan@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a new Long passphrase 42", "new_password2": "a new Long passphrase 42"},
    )
    assert response.status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "ivan", "password": "a new Long passphrase 42"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_reset_does_not_reveal_accounts(client, db):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_shows_and_regenerates_the_token(client, interviewer):
    client.force_login(interviewer)
    assert (
        "You have no API token yet"
        in client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    client.post("/accounts/profile/token/")
    first = interviewer.auth_token.key
    page = client.get("/accounts/profile/").content.decode()
    assert first in page and "Your API token was created." in page
    assert "previous one" not in page  # there was none
    client.post("/accounts/profile/token/")
    interviewer.refresh_from_db()
    assert interviewer.auth_token.key != first
    assert "the previous one no longer works" in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/profile/token/").status_code == 405


def test_language_switch(client, interviewer):
    client.force_login(interviewer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html and "仪表盘" in html


def test_browser_time_zone_is_used(client, interviewer):
    client.force_login(interviewer)
    client.cookies["tz"] = "America/New_York"
    response = client.get("/")
    assert response.status_code == 200
    client.cookies["tz"] = "../../etc/passwd"
    assert client.get("/").status_code == 200


def test_admin_lists_every_model(client, admin_user):
    from django.contrib import admin as django_admin

    client.force_login(admin_user)
    for model, model_admin in django_admin.site._registry.items():
        opts = model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        response = client.get(url, {"q": "x"} if model_admin.search_fields else {})
        assert response.status_code == 200, url
    registered = {m._meta.label for m in django_admin.site._registry}
    assert {
        "questions.QuestionBank",
        "questions.Category",
        "questions.Skill",
        "questions.Question",
        "questions.Choice",
        "questions.QuestionRevision",
        "interviews.QuestionSet",
        "interviews.QuestionSetItem",
    } <= registered


@pytest.mark.django_db
def test_field_errors_are_tied_to_their_fields(client):
    """Screen readers hear a field's error with the field: aria-describedby points at it."""
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html and 'id="id_username_error"' in html
