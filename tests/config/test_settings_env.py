"""config.settings read in fresh processes under different environments."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "debug": settings.DEBUG, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL, "cache": settings.CACHES["default"]["BACKEND"],
    "ssl_redirect": settings.SECURE_SSL_REDIRECT, "exempt": settings.SECURE_REDIRECT_EXEMPT,
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS, "proxy": settings.SECURE_PROXY_SSL_HEADER,
    "hosts": settings.ALLOWED_HOSTS, "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "serializer": settings.CELERY_TASK_SERIALIZER, "accept": settings.CELERY_ACCEPT_CONTENT,
    "soft": settings.CELERY_TASK_SOFT_TIME_LIMIT, "hard": settings.CELERY_TASK_TIME_LIMIT,
    "media": str(settings.MEDIA_ROOT),
}))
"""
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "USE_X_FORWARDED_PROTO",
        "MEDIA_ROOT",
        "DJANGO_SETTINGS_MODULE",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    }
}


def run_python(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(tmp_path, **env) -> dict:
    result = run_python(PROBE, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_first_run_defaults_are_sqlite_eager_and_local(tmp_path):
    s = settings_under(tmp_path, DEBUG="1")
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "db.sqlite3")
    assert s["eager"] is True and s["broker"] == ""
    assert s["cache"].endswith("LocMemCache")
    assert s["ssl_redirect"] is False and s["session_secure"] is False
    assert s["hosts"] == ["127.0.0.1", "localhost"]
    assert s["media"] == str(tmp_path / "media")


def test_environment_selects_postgres_redis_and_a_real_broker(tmp_path):
    s = settings_under(
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://app:pw@db.internal:5432/interviews",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["name"], s["host"]) == ("interviews", "db.internal")
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.internal:6379/0"
    assert s["cache"].endswith("RedisCache")


def test_celery_is_configured_for_safe_delivery(tmp_path):
    s = settings_under(tmp_path, DEBUG="1")
    assert s["serializer"] == "json" and s["accept"] == ["json"]
    assert s["acks_late"] is True and s["prefetch"] == 1
    assert 0 < s["soft"] < s["hard"]


def test_production_is_secure_by_default(tmp_path):
    s = settings_under(tmp_path, SECRET_KEY="x" * 50, ALLOWED_HOSTS="jobs.example.com")
    assert s["debug"] is False
    assert s["ssl_redirect"] is True
    assert s["session_secure"] is True and s["csrf_secure"] is True
    assert s["hsts"] >= 31_536_000
    assert s["exempt"] == [r"^healthz/?$"]
    assert s["proxy"] is None
    s = settings_under(tmp_path, SECRET_KEY="x" * 50, USE_X_FORWARDED_PROTO="1")
    assert s["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_missing_secret_key_stops_startup_with_its_name(tmp_path):
    result = run_python(PROBE, tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("url", ["postgres://user:pw@host:notaport/db", "nonsense://x", "::::"])
def test_malformed_database_url_is_named(tmp_path, url):
    result = run_python(PROBE, tmp_path, DEBUG="1", DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" in result.stderr  # ImproperlyConfigured, raised at import
    assert "ImproperlyConfigured" in result.stderr


def test_malformed_boolean_is_named(tmp_path):
    result = run_python(PROBE, tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_check_deploy_passes_under_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            **CLEAN,
            "VAR_DIR": str(tmp_path),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "jobs.example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_celery_worker_command_loads_the_app(tmp_path):
    result = run_python(
        "from config.celery import app; app.loader.import_default_modules();"
        "print(sorted(t for t in app.tasks if not t.startswith('celery.')))",
        tmp_path,
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert "accounts.system_ping" in result.stdout
