"""Test overlay on config.settings: fast hashing, in-memory mail, eager tasks, and the cache the
environment names (Redis with REDIS_URL, as in production; else in memory)."""

import os
import uuid

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")

from .settings import *  # noqa: F403
from .settings import MIDDLEWARE, REDIS_URL, STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if REDIS_URL:
    # The real cache, so tests of what relies on it (health check, rate limits) test Redis. Keys
    # carry a prefix of their own per run (kept in the environment, so a Celery worker the run
    # starts shares it), so runs sharing a Redis database never meet; they expire in an hour.
    os.environ.setdefault("TEST_CACHE_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ["TEST_CACHE_KEY_PREFIX"],
            "TIMEOUT": 3600,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# Tasks run in-process unless a test asks for the real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests read English unless they switch language; zh-hans stays the product default.
LANGUAGE_CODE = "en"
# Outermost, so it sees each page as sent: template syntax in an HTML response fails the test.
MIDDLEWARE = ["tests.template_leaks.TemplateSyntaxLeakMiddleware", *MIDDLEWARE]
