"""Background jobs (django-q2): thin, take primary keys, call a service."""

from reports import services


def generate_report(run_pk: int) -> bool:
    """Build one run; a retried or duplicated job finds the run claimed and does nothing."""
    return services.run_execute(run_pk=run_pk)


def monthly_work_reports() -> int:
    """Scheduled on the 1st of each month: last month's work report of every village."""
    return len(services.monthly_reports_request())


def watchdog() -> dict:
    return services.runs_watchdog()
