"""A real Celery worker on Redis runs our tasks against the test database."""

import uuid

import pytest

from accounts.tasks import system_ping


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_round_trip_through_a_real_worker(celery_worker_process, interviewer, settings):
    token = uuid.uuid4().hex
    result = system_ping.delay(token)
    reply = result.get(timeout=30)
    assert reply["token"] == token
    assert reply["database"] == (
        "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    )
    if reply["database"] == "postgresql":
        assert reply["users"] == 1  # the worker sees the row this test committed
    assert "system_ping" in celery_worker_process["log"].read_text()
