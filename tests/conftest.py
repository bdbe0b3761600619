"""Shared fixtures: users per role, service availability, a real Celery worker, a real browser."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from tests.factories import UserFactory
from tests.properties import profile_for, register_profiles
from tests.template_leaks import take_found

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BASE_DIR = Path(__file__).resolve().parent.parent

register_profiles()
hypothesis_settings.load_profile(profile_for(os.environ))


def service_missing(reason: str):
    """Skip with the reason printed, or fail when CI demands every service (REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _tcp_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or db['NAME']}); "
        f"hypothesis profile: {hypothesis_settings.get_current_profile_name()}",
        f"redis: {os.environ.get('REDIS_URL') or 'not configured'}; "
        f"chromium: {CHROMIUM if os.path.exists(CHROMIUM) else 'missing'}; "
        f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}",
    ]


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.exit(
            "REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL", returncode=3
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    take_found()  # pages served before this test (a previous test's late request) are not its own


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test when a page it rendered (set-up included) shows template syntax."""
    result = yield
    found = take_found()
    if found and not item.get_closest_marker("template_syntax_expected"):
        raise AssertionError(
            "Template syntax reached a rendered page (a multi-line {# #} is not a comment: use "
            "{% comment %}):\n" + "\n".join(found)
        )
    return result


@pytest.fixture(autouse=True)
def _postgres_marker(request):
    if request.node.get_closest_marker("postgres") and not settings.DATABASES["default"][
        "ENGINE"
    ].endswith("postgresql"):
        service_missing("PostgreSQL is not configured (set DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def _empty_cache_per_test():
    """Each test starts with an empty cache: page fragments are keyed by row ids and versions,
    which a database that reuses ids after a rolled-back test (SQLite) could repeat."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _language_per_test():
    """Each test starts in the test settings' language: a request served in Chinese leaves
    the thread's language active, and the next test must not inherit it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def client():
    """Django's test client speaking English unless a test switches language."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- users -------------------------------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", role="admin")


@pytest.fixture
def interviewer(db):
    return UserFactory(username="ivan", role="interviewer")


@pytest.fixture
def hiring_manager(db):
    return UserFactory(username="hana", role="hiring_manager")


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody", role="none")


# --- Celery ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
    if not url:
        service_missing("Redis is not configured (set REDIS_URL=redis://127.0.0.1:6379/0)")
    if not _tcp_reachable(url, 6379):
        service_missing(f"Redis is not reachable at {url}")
    return url


@pytest.fixture(scope="session")
def celery_worker_process(redis_url, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery -A config worker` subprocess on its own queue, sharing the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {**os.environ, "REDIS_URL": redis_url, "CELERY_TASK_DEFAULT_QUEUE": queue}
    env["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    if db["ENGINE"].endswith("postgresql"):
        user = db.get("USER") or ""
        auth = f"{user}:{db.get('PASSWORD') or ''}@" if user else ""
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        env["DATABASE_URL"] = f"postgres://{auth}{host}/{db['NAME']}"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        queue,
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{queue}@%h",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    from config.celery import app

    previous = (
        app.conf.task_always_eager,
        app.conf.task_default_queue,
        app.conf.broker_url,
        app.conf.result_backend,
    )
    app.conf.update(
        task_always_eager=False,
        task_default_queue=queue,
        broker_url=redis_url,
        result_backend=redis_url,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Celery worker exited early:\n{log.read_text()}", pytrace=False)
        replies = app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=1)
        if replies:
            break
    else:
        proc.terminate()
        pytest.fail(f"Celery worker did not answer within 60 s:\n{log.read_text()}", pytrace=False)
    yield {"queue": queue, "log": log, "process": proc}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    (
        app.conf.task_always_eager,
        app.conf.task_default_queue,
        app.conf.broker_url,
        app.conf.result_backend,
    ) = previous


# --- browser -----------------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir():
    path = BASE_DIR / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
