"""Password reset is limited per email address (3 an hour) and per client address (10 an hour);
over a limit the page says so and sends nothing, in the same words whether or not an account
uses the address."""

import html
import re
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from tests.factories import UserFactory

RESET = "/accounts/password_reset/"
OVER_ADDRESS_LIMIT = (
    "This address has had 3 password reset requests in the last hour, the most we accept. "
    "If it belongs to an account, use the link in the latest email; or try again later: "
    "the count starts over within an hour."
)
OVER_CLIENT_LIMIT = (
    "10 password reset requests came from your network address in the last hour, the most we "
    "accept. Try again later: the count starts over within an hour."
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_of_this_test(settings):
    """The configured cache (Redis when REDIS_URL is set) under keys of this test alone, so the
    counts of other tests in the run do not add up with ours."""
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "KEY_PREFIX": f"test-reset-{uuid.uuid4().hex[:12]}",
        }
    }
    return settings.CACHES["default"]


def request_reset(client, email, ip="198.51.100.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def page_errors(response) -> list[str]:
    found = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in found]


def test_three_requests_per_address_then_a_message_and_no_email(client, mailoutbox):
    UserFactory(username="ivan", email="ivan@example.com")
    for _ in range(3):
        response = request_reset(client, "ivan@example.com")
        assert response.status_code == 302 and response["Location"].endswith("/done/")
    assert len(mailoutbox) == 3

    response = request_reset(client, "ivan@example.com")
    assert response.status_code == 429
    assert page_errors(response) == [OVER_ADDRESS_LIMIT]
    assert len(mailoutbox) == 3  # nothing more was sent


def test_the_address_counts_whatever_its_letter_case(client, mailoutbox):
    UserFactory(username="ivan", email="ivan@example.com")
    for email in ["ivan@example.com", "Ivan@Example.com", " IVAN@EXAMPLE.COM "]:
        assert request_reset(client, email).status_code == 302
    assert request_reset(client, "ivan@EXAMPLE.com").status_code == 429
    assert len(mailoutbox) == 3


def test_the_answers_do_not_tell_whether_an_account_exists(client, mailoutbox):
    UserFactory(username="ivan", email="ivan@example.com")
    known = [request_reset(client, "ivan@example.com", ip="198.51.100.1") for _ in range(4)]
    unknown = [request_reset(client, "nobody@example.com", ip="198.51.100.2") for _ in range(4)]
    assert [r.status_code for r in known] == [302, 302, 302, 429]
    assert [r.status_code for r in unknown] == [302, 302, 302, 429]
    assert [r.get("Location") for r in known] == [r.get("Location") for r in unknown]
    assert page_errors(known[-1]) == page_errors(unknown[-1]) == [OVER_ADDRESS_LIMIT]
    assert {m.to[0] for m in mailoutbox} == {"ivan@example.com"}


def test_ten_requests_per_client_address(client, mailoutbox):
    UserFactory(username="ivan", email="ivan@example.com")
    emails = ["ivan@example.com"] + [f"someone{n}@example.com" for n in range(9)]
    for email in emails:
        assert request_reset(client, email, ip="203.0.113.7").status_code == 302
    assert len(mailoutbox) == 1

    response = request_reset(client, "ivan@example.com", ip="203.0.113.7")
    assert response.status_code == 429
    assert page_errors(response) == [OVER_CLIENT_LIMIT]
    assert len(mailoutbox) == 1
    # Another client is not held back by this one.
    assert request_reset(client, "ivan@example.com", ip="203.0.113.8").status_code == 302
    assert len(mailoutbox) == 2


def test_the_message_is_translated(client):
    for _ in range(3):
        request_reset(client, "ivan@example.com")
    response = client.post(
        RESET,
        {"email": "ivan@example.com"},
        REMOTE_ADDR="198.51.100.1",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    [message] = page_errors(response)
    assert "3" in message and "一小时" in message


def test_the_counts_live_in_redis_and_start_over_within_an_hour(
    client, cache_of_this_test, redis_url
):
    """With REDIS_URL set the limits are kept in Redis (shared by every web process), and
    what they keep expires within the hour."""
    url = redis_url
    assert cache_of_this_test["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    request_reset(client, "ivan@example.com")
    server = redis.Redis.from_url(url)
    keys = server.keys(f"{cache_of_this_test['KEY_PREFIX']}:*")
    assert len(keys) == 2  # one count for the address, one for the client
    assert all(0 < server.ttl(key) <= 3600 for key in keys)
