"""Scheduled jobs, declared in code by each app and written by every `migrate` (idempotent).

An app calls `declare(...)` in its `AppConfig.ready()`; `ensure()` runs on `post_migrate`, so a
schedule comes back after `migrate` if someone deleted it in the admin, or after a test flushed
the tables (a data migration alone runs once per database). An existing row keeps its next run;
its function, type and interval follow the declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Declared:
    name: str
    func: str
    schedule_type: str  # django_q.models.Schedule.DAILY, MINUTES, …
    minutes: int | None = None
    first_run: Callable[[], datetime] | None = None


_DECLARED: dict[str, Declared] = {}


def declare(name: str, func: str, schedule_type: str, *, minutes: int | None = None, first_run=None) -> None:
    _DECLARED[name] = Declared(name, func, schedule_type, minutes, first_run)


def declared_names() -> list[str]:
    return sorted(_DECLARED)


def tomorrow_at(hour: int) -> Callable[[], datetime]:
    """The first run of a daily job: tomorrow at `hour` Beijing time (never while a database is built)."""

    def first() -> datetime:
        tomorrow = datetime.now(BEIJING).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(hour, 0), tzinfo=BEIJING)

    return first


def first_of_next_month_at(hour: int) -> Callable[[], datetime]:
    """The first run of a monthly job: the next 1st of a month at `hour` Beijing time (today if still ahead)."""

    def first() -> datetime:
        now = datetime.now(BEIJING)
        this_month = now.replace(day=1, hour=hour, minute=0, second=0, microsecond=0)
        if this_month > now:
            return this_month
        return (this_month + timedelta(days=32)).replace(day=1)

    return first


def in_minutes(minutes: int) -> Callable[[], datetime]:
    """The first run of a frequent job: not at once (a database being built has nothing to do yet)."""

    def first() -> datetime:
        return datetime.now(BEIJING) + timedelta(minutes=minutes)

    return first


def ensure(**kwargs) -> list[str]:
    """Write the declared schedules; returns the names created."""
    from django_q.models import Schedule

    created = []
    for declared in _DECLARED.values():
        wanted = {"func": declared.func, "schedule_type": declared.schedule_type, "repeats": -1}
        if declared.minutes is not None:
            wanted["minutes"] = declared.minutes
        row = Schedule.objects.filter(name=declared.name).first()
        if row is None:
            first = {"next_run": declared.first_run()} if declared.first_run else {}
            Schedule.objects.create(name=declared.name, **wanted, **first)
            created.append(declared.name)
        elif any(getattr(row, field) != value for field, value in wanted.items()):
            Schedule.objects.filter(pk=row.pk).update(**wanted)
    return created
