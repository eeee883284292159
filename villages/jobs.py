"""Queue background jobs so that saving data never depends on the broker being up.

`enqueue("app.tasks.fn", pk)` sends the job after the current transaction commits (so the
worker finds the row). When the broker cannot be reached (Redis down, a network blip), the job
is kept in the outbox table instead and the request still succeeds; `outbox_flush` (scheduled
every minute, and run by `manage.py outbox_flush`) sends it once the broker is back.
"""

import logging

from django.db import transaction
from django_q.tasks import async_task
from redis.exceptions import RedisError

from villages.models import PendingJob

logger = logging.getLogger(__name__)
BROKER_ERRORS = (RedisError, ConnectionError, OSError, TimeoutError)


def enqueue(func: str, *args, **kwargs) -> None:
    """Send `func(*args, **kwargs)` to the workers once the surrounding transaction commits."""
    transaction.on_commit(lambda: _send_or_keep(func, list(args), kwargs))


def _send_or_keep(func: str, args: list, kwargs: dict) -> None:
    try:
        async_task(func, *args, **kwargs)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable, job %s kept in the outbox: %s", func, exc)
        PendingJob.objects.create(func=func, args=args, kwargs=kwargs, error=str(exc)[:1000])


def outbox_flush(limit: int = 500) -> int:
    """Send kept jobs, oldest first; stops at the first broker error. Returns how many were sent."""
    sent = 0
    for job in PendingJob.objects.order_by("pk")[:limit]:
        try:
            async_task(job.func, *job.args, **job.kwargs)
        except BROKER_ERRORS as exc:
            PendingJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1, error=str(exc)[:1000])
            break
        # Deleted only after the broker accepted it: a crash in between sends it twice, never zero
        # times, so tasks are written to be idempotent.
        PendingJob.objects.filter(pk=job.pk).delete()
        sent += 1
    return sent
