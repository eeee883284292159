"""django-q2 jobs of the grievances app: thin, call a service."""

from grievances.services import cases_mark_overdue


def mark_overdue() -> int:
    """Daily: flag open cases past their deadline and notify (see the schedule in migrations)."""
    return cases_mark_overdue()
