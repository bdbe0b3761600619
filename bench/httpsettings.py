"""Production settings with the benchmark's URLconf and query counter (bench/http_bench.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "httpsite"
# Outermost, so the baseline's figure includes the whole middleware stack like every page's.
MIDDLEWARE = ["httpsite.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
