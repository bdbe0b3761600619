"""/healthz for load balancers: each dependency is checked for real, and a dead one answers 503."""

import pytest
import redis
from django.core.cache import caches

from config.health import _check_cache

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _redis_cache(location: str) -> dict:
    return {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    }


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["cache"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"


def test_the_cache_check_writes_and_reads_the_configured_redis(settings, redis_url):
    """The test settings may keep an in-memory cache; this builds the Redis cache production
    uses from REDIS_URL and checks that the health check really goes through it."""
    settings.CACHES = _redis_cache(redis_url)
    assert caches["default"].__class__.__name__ == "RedisCache"
    server = redis.Redis.from_url(redis_url)
    writes = server.info("commandstats").get("cmdstat_set", {}).get("calls", 0)
    assert _check_cache() == {"status": "ok", "backend": "RedisCache"}
    assert server.info("commandstats")["cmdstat_set"]["calls"] > writes
    assert not server.keys("*healthz:*")  # the probe cleans up after itself


def test_the_cache_check_reports_an_unreachable_redis(settings):
    settings.CACHES = _redis_cache(UNREACHABLE_REDIS)
    assert _check_cache() == {"status": "failing", "error": "ConnectionError"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = _redis_cache(UNREACHABLE_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "database": {"status": "ok"},
        "cache": {"status": "failing"},
        "broker": {"status": "ok"},
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["broker"]["status"] == "failing"
    assert body["database"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
