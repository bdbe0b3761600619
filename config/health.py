"""/healthz: database, cache and broker state, for load balancers and uptime checks.

Anyone may ask, so anyone learns only "ok" or "failing" per dependency and overall; staff
(logged in) also see what is behind each word: the database vendor, the broker mode, the error.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

OK = "ok"
FAILING = "failing"


def _failed(exc: Exception) -> dict:
    return {"status": FAILING, "error": exc.__class__.__name__}


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed(exc)
    return {"status": OK, "vendor": connection.vendor}


def _check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return _failed(exc)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if not ok:
        return {"status": FAILING, "error": "value not read back", "backend": backend}
    return {"status": OK, "backend": backend}


def _check_broker() -> dict:
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url:
        # Tasks run in the web process: nothing to reach, nothing failing.
        return {"status": OK, "mode": "eager"}
    try:
        with celery_app.connection_for_write(broker_url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return _failed(exc)
    return {"status": OK, "mode": "broker"}


def health_report(*, detailed: bool) -> tuple[dict, bool]:
    """The body /healthz answers and whether every dependency is ok; without `detailed`, each
    dependency says only its status."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(check["status"] == OK for check in checks.values())
    if not detailed:
        checks = {name: {"status": check["status"]} for name, check in checks.items()}
    return {"status": OK if healthy else FAILING, **checks}, healthy


@never_cache
@require_GET
def healthz(request):
    body, healthy = health_report(detailed=request.user.is_staff)
    return JsonResponse(body, status=200 if healthy else 503)
