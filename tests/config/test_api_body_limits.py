"""The API refuses hostile bodies with JSON a client can act on: JSON nested more than 64 levels
(400) and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (413), on the question and assembly endpoints;
never a server error or an HTML page."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from questions.importer import bank_import_path
from questions.models import Question

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
TOO_DEEP = "The JSON body is nested more than 64 levels deep, the most accepted."

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(db):
    bank = bank_import_path(path=BUILTIN).bank
    return Question.objects.filter(bank=bank, kind="open_ended").order_by("pk").first()


@pytest.fixture
def endpoints(question):
    """(method, path) of the two endpoints that take the largest JSON bodies."""
    return [
        ("patch", f"/api/v1/questions/{question.pk}/"),
        ("post", "/api/v1/question-sets/assemble/"),
    ]


@pytest.fixture
def send(client, interviewer):
    token = Token.objects.get_or_create(user=interviewer)[0].key

    def send(method, path, body: str, **extra):
        return getattr(client, method)(
            path,
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            **extra,
        )

    return send


def nested(depth: int) -> str:
    """An object field holding `depth` - 1 arrays inside each other: `depth` levels in all."""
    return '{"prompt_md": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_a_hundred_thousand_brackets_answer_400_naming_the_limit(send, endpoints, question):
    before = question.prompt_md
    for method, path in endpoints:
        response = send(method, path, "[" * 100_000)
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json() == {"detail": TOO_DEEP}
    question.refresh_from_db()
    assert question.prompt_md == before


def test_sixty_four_levels_pass_the_parser_and_sixty_five_do_not(send, endpoints):
    for method, path in endpoints:
        at_limit = send(method, path, nested(64))
        assert at_limit.status_code == 400  # refused by the serializer, not the parser
        assert TOO_DEEP not in at_limit.content.decode()
        assert send(method, path, nested(65)).json() == {"detail": TOO_DEEP}


def test_brackets_inside_strings_are_text_not_nesting(send, question):
    prompt = 'Which is balanced: "[[[[" or ' + "[" * 200 + "?"
    response = send("patch", f"/api/v1/questions/{question.pk}/", json.dumps({"prompt_md": prompt}))
    assert response.status_code == 200, response.content
    question.refresh_from_db()
    assert question.prompt_md == prompt


def test_the_nesting_message_is_translated(send, endpoints):
    method, path = endpoints[0]
    response = send(method, path, "[" * 1000, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON 请求体嵌套超过 64 层，超出上限。"}


def test_a_body_over_the_upload_limit_answers_413_json_giving_the_limit(send, endpoints):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"prompt_md": "x" * (7 * 1024 * 1024)})
    for method, path in endpoints:
        response = send(method, path, body)
        assert response.status_code == 413, (path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": f"The request body is {len(body):,} bytes, over the {limit:,}-byte "
            f"limit ({limit // 2**20} MB)."
        }


def test_the_size_message_is_translated(send, endpoints):
    method, path = endpoints[1]
    body = json.dumps({"prompt_md": "x" * (7 * 1024 * 1024)})
    response = send(method, path, body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 413
    assert response.json()["detail"].startswith(f"请求体大小为 {len(body):,} 字节")


def test_requests_django_refuses_before_any_view_answer_json_under_api(client):
    response = client.get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}
    page = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
