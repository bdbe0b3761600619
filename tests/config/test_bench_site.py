"""The HTTP benchmark's site: its baseline view exists only in the bench URLconf, and its
middleware counts the queries a page runs."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_on_path():
    sys.path.insert(0, str(BENCH))
    yield
    sys.path.remove(str(BENCH))
    sys.modules.pop("httpsite", None)


def test_the_product_urls_have_no_baseline_view():
    with pytest.raises(Resolver404):
        resolve("/__bench__/ok")


@pytest.mark.django_db
def test_bench_site_serves_the_baseline_without_login_or_queries(bench_on_path, client):
    import httpsite

    middleware = ["httpsite.QueryCountMiddleware", *settings.MIDDLEWARE]
    with override_settings(ROOT_URLCONF="httpsite", MIDDLEWARE=middleware):
        response = client.get("/__bench__/ok")
        assert response.status_code == 200
        assert response.content == b"ok"
        assert response["X-Bench-Queries"] == "0"
        page = client.get("/api/v1/banks/")  # anonymous: refused after the auth lookups
        assert page.status_code in (401, 403)
    assert httpsite.baseline.login_required is False


@pytest.mark.django_db
def test_query_count_header_counts_each_statement(bench_on_path, client, django_user_model):
    user = django_user_model.objects.create_user("counter", password="pw-counter-123")
    client.force_login(user)
    with (
        override_settings(
            ROOT_URLCONF="httpsite",
            MIDDLEWARE=["httpsite.QueryCountMiddleware", *settings.MIDDLEWARE],
        ),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    # user, groups... (the session comes from the cache: cached_db)
    assert int(response["X-Bench-Queries"]) == len(queries) >= 2
