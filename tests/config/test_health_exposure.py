"""/healthz says "ok" or "failing" to anyone and the details behind them only to staff."""

import json

import pytest
from django.db import connection

DEPENDENCIES = {"database", "cache", "broker"}


@pytest.fixture
def broker_down(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def only_words(body: dict) -> bool:
    """Every dependency (and the whole) is described by a status word and nothing else."""
    return set(body) == {"status"} | DEPENDENCIES and all(
        body[name] == {"status": body[name]["status"]} for name in DEPENDENCIES
    )


@pytest.mark.django_db
def test_anonymous_callers_learn_only_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "database": {"status": "ok"},
        "cache": {"status": "ok"},
        "broker": {"status": "ok"},
    }
    assert connection.vendor not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_callers_learn_only_failing(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert only_words(body)
    assert body["status"] == "failing" and body["broker"]["status"] == "failing"
    assert body["database"]["status"] == "ok"
    assert "Error" not in json.dumps(body)  # no exception class names


@pytest.mark.django_db
def test_team_members_who_are_not_staff_see_what_anonymous_callers_see(client, interviewer):
    client.force_login(interviewer)
    assert only_words(client.get("/healthz").json())


@pytest.mark.django_db
def test_staff_see_the_details(client, admin_user, settings):
    client.force_login(admin_user)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "vendor": connection.vendor}
    expected_mode = "broker" if settings.CELERY_BROKER_URL else "eager"
    assert body["broker"] == {"status": "ok", "mode": expected_mode}
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    assert body["cache"] == {"status": "ok", "backend": backend}


@pytest.mark.django_db
def test_staff_see_why_a_dependency_fails(client, admin_user, broker_down):
    client.force_login(admin_user)
    response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["broker"]
    assert broker["status"] == "failing"
    assert broker["error"].endswith("Error")  # the exception class, e.g. OperationalError
