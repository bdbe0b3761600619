"""What the benchmark scripts share: a database that exists only for one run."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def throwaway_database(url: str | None, workdir: Path, default_name: str):
    """Yield a DATABASE_URL for a database that exists only for this run.

    No URL: a SQLite file in `workdir`. A PostgreSQL URL: that database (default_name when the
    URL names none) is created for the run and dropped after it; an existing database is
    reused only when its name starts with "bench", so a real one is never dropped."""
    if not url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        yield url
        return
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"--database-url: only sqlite:// and postgres:// are supported, not {url!r}")
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/") or default_name
    target = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not name.startswith("bench"):
            sys.exit(f"database {name!r} already exists; use a new name (e.g. .../bench_import)")
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield target
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may never have been set up
            pass
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
