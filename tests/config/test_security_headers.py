"""Security headers on every kind of response: Content-Security-Policy, Permissions-Policy and
Django's own; and templates that need nothing the policy forbids."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(header: str) -> dict[str, set[str]]:
    """`a x y; b z` -> {"a": {"x", "y"}, "b": {"z"}}"""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = set(sources)
    return parsed


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password_reset/", "/healthz"])
def test_content_security_policy_allows_only_this_site(client, path):
    policy = directives(client.get(path)["Content-Security-Policy"])
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["img-src"] == {"'self'", "data:"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert policy["form-action"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/", "/api/docs/", "/api/v1/me/"])
def test_team_pages_admin_and_api_carry_the_same_policy(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert directives(header)["script-src"] == {"'self'"}


@pytest.mark.django_db
def test_permissions_policy_denies_powerful_features(client):
    header = client.get("/accounts/login/")["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"]:
        assert features[feature] == "()", feature


@pytest.mark.django_db
def test_djangos_security_headers_are_kept(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_api_docs_load_their_script_and_styles_from_files(staff_client):
    html = staff_client.get("/api/docs/").content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) == 3  # Swagger UI's bundle, its preset and our start-up script
    assert all("src=" in attributes for attributes in scripts)
    start_up = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = staff_client.get(start_up.replace("&amp;", "&"))
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_templates_need_no_inline_script_or_style():
    """What the policy would block: style="...", on...="..." handlers, <script> without src,
    <style> elements and javascript: links."""
    forbidden = re.compile(
        r"""\sstyle\s*=|\son[a-z]+\s*=\s*["']|<script(?![^>]*\ssrc=)[^>]*>|<style|javascript:""",
        re.IGNORECASE,
    )
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in forbidden.finditer(path.read_text())
    ]
    assert found == []


def test_htmx_evaluates_no_code_and_injects_no_styles():
    base = (TEMPLATES / "base.html").read_text()
    assert '"allowEval": false' in base
    assert '"includeIndicatorStyles": false' in base
    # An hx-trigger filter ("change[...]") is code htmx would have to evaluate.
    triggers = [
        trigger
        for path in TEMPLATES.rglob("*.html")
        for trigger in re.findall(r'hx-trigger="([^"]*)"', path.read_text())
    ]
    assert triggers and not [t for t in triggers if "[" in t]
    # hx-on handlers and "js:" values are code too.
    evaluated = re.compile(r"""hx-on|hx-(vals|vars)\s*=\s*["']\s*(js|javascript):""")
    assert not [p.name for p in TEMPLATES.rglob("*.html") if evaluated.search(p.read_text())]
