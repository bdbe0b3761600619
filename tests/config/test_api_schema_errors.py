"""The OpenAPI schema documents the error answers of the questions and question-sets endpoints,
in the shapes the API really answers."""

from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from questions.importer import bank_import_path
from questions.models import Question

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
ERROR = "#/components/schemas/Error"
VALIDATION_ERROR = "#/components/schemas/ValidationError"

# (path, method) -> the error codes it can answer (DESIGN "API v1": 400 bad input, 401 no valid
# credentials, 403 a role that may not, 404 an unknown object or page, 409 a stale write,
# 413 a body over the size limit).
EXPECTED = {
    ("/api/v1/questions/", "get"): {"400", "401", "403", "404"},
    ("/api/v1/questions/", "post"): {"400", "401", "403", "413"},
    ("/api/v1/questions/{id}/", "get"): {"401", "403", "404"},
    ("/api/v1/questions/{id}/", "patch"): {"400", "401", "403", "404", "409", "413"},
    ("/api/v1/question-sets/", "get"): {"401", "403", "404"},
    ("/api/v1/question-sets/", "post"): {"400", "401", "403", "413"},
    ("/api/v1/question-sets/{id}/", "get"): {"401", "403", "404"},
    ("/api/v1/question-sets/{id}/", "patch"): {"400", "401", "403", "404", "413"},
    ("/api/v1/question-sets/assemble/", "post"): {"400", "401", "403", "413"},
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def schema_of(responses: dict, code: str) -> dict:
    return responses[code]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(("path", "method"), sorted(EXPECTED))
def test_each_operation_documents_its_errors(schema, path, method):
    responses = schema["paths"][path][method]["responses"]
    errors = {code for code in responses if code.startswith(("4", "5"))}
    assert errors == EXPECTED[(path, method)]
    for code in errors - {"400", "409"}:
        assert schema_of(responses, code) == {"$ref": ERROR}, code
        assert responses[code]["description"]
    if "400" in errors:
        assert schema_of(responses, "400") == {"$ref": VALIDATION_ERROR}


def test_success_answers_are_still_documented(schema):
    assemble = schema["paths"]["/api/v1/question-sets/assemble/"]["post"]["responses"]
    assert {"200", "201"} <= set(assemble)
    assert "200" in schema["paths"]["/api/v1/questions/{id}/"]["patch"]["responses"]


def test_a_stale_question_edit_documents_the_stored_question(schema):
    conflict = schema_of(schema["paths"]["/api/v1/questions/{id}/"]["patch"]["responses"], "409")
    assert conflict["properties"]["current"] == {"$ref": "#/components/schemas/Question"}
    assert conflict["properties"]["detail"] == {"type": "string"}


def test_the_shared_error_shapes(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["properties"]["detail"]["type"] == "string"
    assert components["Error"]["required"] == ["detail"]
    validation = components["ValidationError"]
    assert validation["type"] == "object"
    assert {"type": "array", "items": {"type": "string"}} in validation["additionalProperties"][
        "anyOf"
    ]


def test_the_documented_shapes_are_what_the_api_answers(client, schema, interviewer):
    """Real answers against the documented ones: Error is {"detail": text}, a validation
    error maps each field to its messages."""
    bank = bank_import_path(path=BUILTIN).bank
    question = Question.objects.filter(bank=bank).order_by("pk").first()
    error_keys = set(schema["components"]["schemas"]["Error"]["properties"])

    anonymous = client.get("/api/v1/questions/")
    assert anonymous.status_code == 401 and set(anonymous.json()) == error_keys

    token = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=interviewer).key}"}
    missing = client.get("/api/v1/question-sets/999999/", **token)
    assert missing.status_code == 404 and set(missing.json()) == error_keys

    invalid = client.patch(
        f"/api/v1/questions/{question.pk}/",
        {"difficulty": "hard"},
        content_type="application/json",
        **token,
    )
    assert invalid.status_code == 400
    messages = invalid.json()["difficulty"]
    assert isinstance(messages, list) and all(isinstance(m, str) for m in messages)
