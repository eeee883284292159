"""Every read of report runs, scoped by the run's area through villages.selectors."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from reports.base import get_exporter
from reports.models import ReportRun
from villages.selectors import filter_in_scope, get_in_scope


def runs_for_user(user) -> QuerySet[ReportRun]:
    """Runs whose area lies in the user's scope (a cadre: their village; HQ and the auditor: everything)."""
    return filter_in_scope(ReportRun.objects.select_related("area", "requested_by"), user)


def reportrun_for_user(user, pk, *, write: bool = False) -> ReportRun:
    """The run if the user sees its area (else 404) and may run that report there (else 403)."""
    run = get_in_scope(ReportRun.objects.select_related("area", "requested_by"), user, pk, write=write)
    exporter = get_exporter(run.exporter)
    if exporter is None or not exporter.allowed(user, run.area):
        raise PermissionDenied
    return run
