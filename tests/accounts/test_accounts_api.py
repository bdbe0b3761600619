"""API scaffolding: token and session auth, /me, schema and docs, JSON errors."""

import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from config.errors import server_error


@pytest.fixture
def token(interviewer):
    return Token.objects.create(user=interviewer)


def test_me_with_token(client, token):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ivan" and body["role"] == "interviewer"
    assert set(body) >= {"id", "username", "email", "role", "is_staff"}


def test_me_with_session(client, hiring_manager):
    client.force_login(hiring_manager)
    assert client.get("/api/v1/me/").json()["role"] == "hiring_manager"


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Bearer abc", "Token "])
def test_missing_or_wrong_token_is_401_json(client, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/me/", **kwargs)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_drf_create_token_command(interviewer, capsys):
    call_command("drf_create_token", "ivan")
    assert Token.objects.get(user=interviewer).key in capsys.readouterr().out


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_schema_is_public_and_lists_v1(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    # The assemble endpoint documents the whole blueprint, and what it answers.
    assemble = schema["paths"]["/api/v1/question-sets/assemble/"]["post"]
    body = assemble["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
    blueprint = {"bank", "count", "categories", "skills", "difficulty_min", "difficulty_max"}
    assert blueprint | {"bands", "kinds", "include_unrated", "seed", "save", "title"} <= set(fields)
    answer = assemble["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    answer_fields = schema["components"]["schemas"][answer.rsplit("/", 1)[1]]["properties"]
    assert {"items", "shortfalls", "summary", "blueprint"} <= set(answer_fields)


def test_docs_use_local_assets(client, interviewer):
    client.force_login(interviewer)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_server_errors_are_json_under_api(rf):
    response = server_error(rf.get("/api/v1/questions/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "logged" in json.loads(response.content)["detail"]
    page = server_error(rf.get("/bank/"))
    assert page.status_code == 500 and b"Server error" in page.content


@pytest.mark.django_db
def test_malformed_json_is_reported_in_the_callers_language(client, interviewer):
    client.force_login(interviewer)
    for language, words in (("en", "not valid JSON"), ("zh-hans", "不是有效的 JSON")):
        response = client.post(
            "/api/v1/question-sets/assemble/",
            "{bad",
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        assert words in response.json()["detail"]
