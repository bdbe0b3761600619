"""What the PostgreSQL concurrency tests share: how many sessions wait for a row lock now."""

from django.db import connection


def waiting_for_a_lock() -> int:
    """Sessions of this test database blocked on a lock (pg_stat_activity), so a test can
    start the next party only once the previous one is really queued."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
