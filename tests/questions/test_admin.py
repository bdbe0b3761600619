"""The admin speaks the product's name and language, lists the product's apps first, and has
an icon: /favicon.ico is served (browsers ask for it on every page, the admin included)."""

import re

import pytest
from django.contrib import admin
from django.utils.functional import Promise

from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    user = UserFactory(username="root", role="admin")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def _index(client, language: str) -> str:
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _apps(html: str) -> list[tuple[str, list[str]]]:
    """(app name, [model names]) in the order the index shows them."""
    apps = []
    for caption, body in re.findall(
        r"<caption>\s*<a[^>]*>(.*?)</a>\s*</caption>(.*?)</table>", html, re.S
    ):
        models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', body)
        apps.append((caption.strip(), [m.strip() for m in models]))
    return apps


def test_admin_names_the_product(staff_client):
    en = _index(staff_client, "en")
    assert '<div id="site-name"><a href="/admin/">Interview platform</a></div>' in en
    assert "<title>Administration | Interview platform</title>" in en
    zh = _index(staff_client, "zh-hans")
    assert '<div id="site-name"><a href="/admin/">面试平台</a></div>' in zh
    assert "Django" not in re.search(r"<title>(.*?)</title>", zh).group(1)


def test_every_model_and_app_name_is_translated(staff_client):
    en, zh = _apps(_index(staff_client, "en")), _apps(_index(staff_client, "zh-hans"))
    assert len(en) == len(zh) >= 5
    for (en_app, en_models), (zh_app, zh_models) in zip(en, zh, strict=True):
        assert en_app != zh_app, en_app
        assert re.search(r"[\u4e00-\u9fff]", zh_app), zh_app
        for en_model, zh_model in zip(en_models, zh_models, strict=True):
            assert en_model != zh_model and re.search(r"[\u4e00-\u9fff]", zh_model), en_model


def test_the_products_apps_come_first_and_login_attempts_last(staff_client):
    apps = _apps(_index(staff_client, "en"))
    names = [app for app, _ in apps]
    ours = [n for n in names if n in ("Question bank", "Interviews", "Candidates and positions")]
    assert names[: len(ours)] == ours and len(ours) >= 2, names
    assert names[-1] == "Login attempts"
    assert "Access attempts" in dict(apps)["Login attempts"]


def test_favicon_is_served_as_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
    assert int.from_bytes(body[4:6], "little") >= 1  # at least one image


def test_admin_pages_link_the_icon(staff_client):
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    for path in ("/admin/", "/admin/questions/question/", "/admin/questions/questionrevision/"):
        assert icon in staff_client.get(path).content.decode(), path
    staff_client.logout()
    assert icon in staff_client.get("/admin/login/").content.decode()


def test_every_registered_model_has_a_translatable_verbose_name():
    untranslatable = [
        model.__name__
        for model in admin.site._registry
        if not isinstance(model._meta.verbose_name, Promise)
        or not isinstance(model._meta.verbose_name_plural, Promise)
    ]
    assert untranslatable == []
