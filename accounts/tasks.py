"""Background jobs of the platform itself."""

import socket

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection


@shared_task(name="accounts.system_ping")
def system_ping(token: str) -> dict:
    """Prove a worker is alive and reads the same database as the web processes."""
    return {
        "token": token,
        "worker": socket.gethostname(),
        "database": connection.vendor,
        "users": get_user_model().objects.count(),
    }
