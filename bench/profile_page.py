"""Profile one page in process, as bench/http_bench.py serves it (production settings, the
bench URLconf), against a database it left in place (--keep-database).

    .venv/bin/python bench/profile_page.py DATABASE_URL /bank/ [-n 200]

(DATABASE_URL e.g. postgres://postgres@127.0.0.1:5432/bench_http_kept_0_0)

Prints the mean time a request takes and the functions that take it (cProfile, by cumulative
time). The user is the one http_bench.py created."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=200, help="requests to time")
    parser.add_argument("--lines", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="httpsettings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=args.database_url,
        LOG_LEVEL="WARNING",
        STATIC_ROOT=tempfile.mkdtemp(prefix="profile-page-static-"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from http_bench import USERNAME

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    for _ in range(5):
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code
    started = time.perf_counter()
    for _ in range(args.n):
        client.get(args.path)
    mean = (time.perf_counter() - started) / args.n * 1000
    print(
        f"{args.path}: {mean:.2f} ms a request (mean of {args.n}, unprofiled), "
        f"queries {response['X-Bench-Queries']}, {len(response.content) / 1024:.1f} KB"
    )
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        client.get(args.path)
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
