"""HTTP benchmark: the product served by gunicorn on PostgreSQL with production settings, each
page and API endpoint loaded with wrk and compared with a do-nothing baseline view.

    .venv/bin/python bench/http_bench.py [--questions 100000] [--database-url URL] [--duration 5]

Without --questions the database holds the built-in bank (129 questions); with it, a generated
bank of that many questions in the same format (bench/import_bench.py writes it), imported
through the product's importer. The database is created for the run and dropped after it
(`bench_http` on the server that --database-url or DATABASE_URL names; default the local
PostgreSQL). gunicorn runs 2 sync workers with DEBUG off; the baseline view and a middleware
that reports each response's query count exist only in the bench URLconf (bench/httpsite.py).

Load comes from wrk (Debian package `wrk`: `apt-get install wrk`). It is a C event loop: one
thread keeps 16 connections busy at tens of thousands of requests a second for a few percent of
a core, so on a 2-core machine the client does not cap the figures, even for the ~0.4 ms
baseline; a load generator written in Python would (it needs about as much CPU per request as
the baseline view itself). Every run is bounded: --duration seconds per endpoint, wrk's own
request timeout, and a hard timeout around each wrk process.

For each endpoint it prints requests a second, p50 and p99 latency, the ratio to the baseline
measured in the same run (page req/s divided by baseline req/s: 0.05 means twenty baseline
requests cost what one page costs) and the number of SQL queries the page runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from benchdb import throwaway_database
from import_bench import bank_shape

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILTIN_BANK = ROOT / "data" / "banks" / "ai-llm-training.md"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench_http"
USERNAME, PASSWORD = "bench-interviewer", "bench-password-" + secrets.token_hex(8)
SEARCH_TERM = "梯度"  # two characters: a term users type; both banks hold it


@dataclass
class Endpoint:
    label: str
    path: str
    logged_in: bool = True


@dataclass
class Figures:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


# --- setting up -----------------------------------------------------------------------------------


def database_url(arg: str | None, args) -> str:
    """The server to use, always with the bench's own database name: bench_http (created and
    dropped), or with --keep-database one named after the bank's size and shape."""
    url = arg or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"the HTTP benchmark runs on PostgreSQL; got {url!r} (use --database-url)")
    name = "bench_http"
    if args.keep_database:
        name += f"_kept_{args.questions}_{args.skills}"
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def kept_database(url: str):
    """The named database, created if it does not exist, and left in place after the run."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield url
    print(f"kept database {name}: drop it with dropdb, or run again with --keep-database")


def server_environment(database: str, workdir: Path) -> dict[str, str]:
    """Production settings (DEBUG off), over plain HTTP on the loopback interface."""
    env = {
        "DJANGO_SETTINGS_MODULE": "httpsettings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database,
        "VAR_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        "BANK_UPLOAD_MAX_BYTES": str(2**31),
        "CELERY_BROKER_URL": "",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


def fill_database(env: dict[str, str], questions: int, skills: int | None) -> dict[str, str]:
    """Migrate; unless the database already holds the bench's bank (--keep-database), import
    the bank and make a 20-question set; log-in user; return the ids the endpoint paths need."""
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connections

    from interviews.models import QuestionSet
    from questions.models import Category, Question, QuestionBank

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="interviewer"))
    bank = QuestionBank.objects.first()
    if bank is None:
        bank = _import_bank(questions, skills, user)
    else:
        print(f"kept database: {bank.questions.count():,} questions, not imported again")
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    category = Category.objects.filter(bank=bank, questions__is_active=True).first()
    question = Question.objects.filter(bank=bank, is_active=True).order_by("position").first()
    ids = {
        "bank": str(bank.pk),
        "category": str(category.pk),
        "question": str(question.pk),
        "set": str(QuestionSet.objects.get().pk),
    }
    connections.close_all()
    return ids


def _import_bank(questions: int, skills: int | None, user):
    from interviews.assembly import Blueprint
    from interviews.selectors import question_set_assemble
    from interviews.services import question_set_create_from_assembly
    from questions.importer import bank_import, bank_import_path

    started = time.perf_counter()
    if questions:
        from import_bench import generate_bank

        text, shape = generate_bank(questions, skills=skills)
        result = bank_import(data=text.encode(), source_name=f"bench-{questions}.md")
        print(f"bank: {shape['categories']:,} categories, {shape['skills']:,} skills")
    else:
        result = bank_import_path(path=BUILTIN_BANK)
    bank = result.bank
    print(f"imported {bank.questions.count():,} questions in {time.perf_counter() - started:.1f} s")
    assembly = question_set_assemble(
        blueprint=Blueprint.from_data({"bank": bank.pk, "count": 20, "seed": 1})
    )
    question_set_create_from_assembly(
        owner=user, title="基准测试题集", assembly=assembly, time_limit_minutes=60
    )
    return bank


def endpoints(ids: dict[str, str]) -> list[Endpoint]:
    s = ids["set"]
    return [
        Endpoint("bank page /bank/", "/bank/"),
        Endpoint("bank page, search", "/bank/?" + urlencode({"search": SEARCH_TERM})),
        Endpoint(
            "bank page, category + difficulty",
            "/bank/?"
            + urlencode({"category": ids["category"], "difficulty_min": 5, "difficulty_max": 8}),
        ),
        Endpoint("question detail", f"/bank/questions/{ids['question']}/"),
        Endpoint("/api/v1/questions/?page_size=50", "/api/v1/questions/?page_size=50"),
        Endpoint(
            "/api/v1/questions/ with bank=",
            f"/api/v1/questions/?page_size=50&bank={ids['bank']}",
        ),
        Endpoint("/api/v1/banks/", "/api/v1/banks/"),
        Endpoint("dashboard", "/"),
        Endpoint("set list", "/sets/"),
        Endpoint("set editor", f"/sets/{s}/"),
        Endpoint("interviewer kit", f"/sets/{s}/print/kit/"),
        Endpoint("candidate preview", f"/sets/{s}/print/preview/"),
    ]


# --- serving and loading --------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _headers, _body = fetch(port, "/__bench__/ok")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def fetch(port: int, path: str, *, method="GET", body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def log_in(port: int) -> str:
    """Log in through the login form as a person would; return the Cookie header to send."""
    _status, headers, body = fetch(port, "/accounts/login/")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    )
    status, headers, _body = fetch(
        port,
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"logging in failed: HTTP {status}")
    return f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def load(port: int, path: str, headers: dict[str, str], args) -> Figures:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=args.duration + 60, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if len(percentiles) != 2:
        sys.exit(f"could not read wrk's output for {path}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return Figures(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        errors=(int(errors.group(1)) if errors else 0)
        + (int(timeouts.group(1)) if timeouts else 0),
    )


def measure(port: int, cookie: str, ids: dict[str, str], args) -> None:
    common = {"Accept-Language": "zh-hans"}
    rows: list[tuple[str, Figures | None, str, int]] = []
    baselines = [load(port, "/__bench__/ok", common, args)]
    for endpoint in endpoints(ids):
        headers = {**common, "Cookie": cookie} if endpoint.logged_in else common
        try:
            status, response_headers, body = fetch(port, endpoint.path, headers=headers)
        except (TimeoutError, http.client.RemoteDisconnected):
            # Slower than gunicorn's 30 s worker timeout (which may close the connection
            # first): no load run would finish either.
            rows.append((endpoint.label, None, "?", 0))
            continue
        if status != 200:
            sys.exit(f"{endpoint.path} answered {status}, not 200: the figures would mean nothing")
        queries = response_headers.get("X-Bench-Queries", "?")
        rows.append((endpoint.label, load(port, endpoint.path, headers, args), queries, len(body)))
    baselines.append(load(port, "/__bench__/ok", common, args))
    # The machine is shared: the better of the two baseline runs is the floor.
    baseline = max(baselines, key=lambda f: f.requests_per_s)
    print()
    print(
        f"{'endpoint':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} "
        f"{'queries':>7} {'KB':>6}"
    )
    print(
        f"{'baseline (do-nothing view)':<36} {baseline.requests_per_s:>8.0f} "
        f"{baseline.p50_ms:>8.2f} {baseline.p99_ms:>8.2f} {1:>7.3f} {0:>7} {0:>6}"
    )
    for label, figures, queries, size in rows:
        if figures is None:
            print(f"{label:<36} {'one request took over 30 s (timed out); not loaded':>50}")
            continue
        ratio = figures.requests_per_s / baseline.requests_per_s
        flag = f"  ({figures.errors} errors)" if figures.errors else ""
        print(
            f"{label:<36} {figures.requests_per_s:>8.1f} {figures.p50_ms:>8.2f} "
            f"{figures.p99_ms:>8.2f} {ratio:>7.3f} {queries:>7} {size / 1024:>6.1f}{flag}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--questions", type=int, default=0, help="generated bank size (0: built-in)"
    )
    parser.add_argument(
        "--skills",
        type=int,
        help="skills the generated bank's questions share (default: 1,000, the shape of a "
        "vendor's 100,000-question bank; 0: two questions per skill, as in the built-in bank)",
    )
    parser.add_argument("--database-url", help="PostgreSQL server to use (database bench_http)")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the filled database after the run and use it again on the next run with "
        "the same bank size (to measure changes without importing again)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    if args.skills is None:
        args.skills = min(1000, bank_shape(args.questions)[1]) if args.questions else 0
    bank = (
        f"a generated bank of {args.questions:,} questions" if args.questions else "built-in bank"
    )
    print(
        f"HTTP benchmark: {bank}; gunicorn {args.workers} sync workers, DEBUG off; "
        f"wrk {args.connections} connections, {args.duration} s per endpoint"
    )
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        workdir = Path(tmp)
        url = database_url(args.database_url, args)
        with (
            kept_database(url)
            if args.keep_database
            else throwaway_database(url, workdir, "bench_http") as url
        ):
            env = server_environment(url, workdir)
            ids = fill_database(env, args.questions, args.skills or None)
            server = start_gunicorn(env, args.port, args.workers)
            try:
                measure(args.port, log_in(args.port), ids, args)
            finally:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
