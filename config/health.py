"""/healthz: database, cache and broker state, for load balancers and uptime checks."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


def _check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok" if ok else "down"}


def _check_broker() -> dict:
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url:
        return {"status": "not_configured", "mode": "eager"}
    from config.celery import app

    try:
        with app.connection_for_write(broker_url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok"}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(check["status"] in ("ok", "not_configured") for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
