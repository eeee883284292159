"""Background jobs of the foundation (django-q2): thin, take primary keys, call a service."""

from django.contrib.auth import get_user_model

from villages import jobs
from villages.services import notify


def notify_users(user_ids: list[int], kind: str, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Send an in-app notification to each user that still exists; returns how many were created."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return sum(
        notify(recipient=user, kind=kind, message=message, url=url, dedupe_key=dedupe_key) is not None for user in users
    )


def outbox_flush() -> int:
    """Scheduled every minute: send jobs that were kept while the broker was down."""
    return jobs.outbox_flush()
