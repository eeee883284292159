"""Every write of the reports app: requesting runs, building them, the watchdog and the schedules."""

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.base import Params, get_exporter
from reports.models import ReportRun, RunStatus
from reports.renderers import EXTENSIONS, render
from villages import selectors as area_selectors
from villages.jobs import enqueue
from villages.models import HQ_ROLES, Area, Level, RoleAssignment
from villages.services import log_event, notify

logger = logging.getLogger(__name__)

# A run whose heartbeat is older than this is stuck (its worker died): longer than the
# django-q task timeout, so a slow but live worker is never overtaken.
STALE_AFTER = datetime.timedelta(seconds=getattr(settings, "REPORT_RUN_STALE_SECONDS", 15 * 60))
MAX_ATTEMPTS = getattr(settings, "REPORT_RUN_MAX_ATTEMPTS", 2)
MONTHLY_EXPORTER = "monthly_work"
MONTHLY_FORMAT = "docx"


def _enqueue(run_pk: int) -> None:
    # After commit; kept in the outbox if the broker is down, so requesting a report never fails on Redis.
    enqueue("reports.tasks.generate_report", run_pk, task_name=f"report-run-{run_pk}")


def _validate_params(identifier: str, params: dict) -> dict:
    exporter = get_exporter(identifier)
    if exporter is None:
        raise ValidationError(_("Unknown report."))
    try:
        parsed = Params.from_ids(params)
    except (KeyError, TypeError, ValueError, Area.DoesNotExist) as exc:
        raise ValidationError(_("The report parameters are not valid.")) from exc
    if parsed.end < parsed.start:
        raise ValidationError(_("The period cannot end before it starts."))
    if parsed.format not in exporter.formats:
        raise ValidationError(_("This report cannot be produced in that format."))
    if parsed.area.level not in exporter.levels:
        raise ValidationError(_("This report cannot be run for this kind of area."))
    return params


@transaction.atomic
def run_request(*, actor, identifier: str, params: dict) -> ReportRun:
    """Queue a report run for `actor`: the area must be in their scope (else 404) and the report allowed (else 403).

    Read-only roles (auditor, funder) may request runs: a report reads data and changes none.
    """
    params = _validate_params(identifier, params)
    area = area_selectors.area_for_user(actor, params["area"])
    exporter = get_exporter(identifier)
    if not exporter.allowed(actor, area):
        raise PermissionDenied
    run = ReportRun(
        exporter=identifier,
        area=area,
        params=params,
        format=params["format"],
        requested_by=actor,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    run.full_clean()
    run.save()
    log_event("reports.run.requested", run, actor, {"exporter": identifier, "params": params}, area=area)
    _enqueue(run.pk)
    return run


def _claim(run_pk: int) -> uuid.UUID | None:
    """Take the run for this attempt with a conditional update: a retried or duplicate job gets nothing."""
    token, now = uuid.uuid4(), timezone.now()
    claimed = ReportRun.objects.filter(pk=run_pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        claim=token,
        started=now,
        heartbeat=now,
        attempts=F("attempts") + 1,
        progress=1,
        error="",
    )
    return token if claimed else None


def _heartbeat(run_pk: int, token: uuid.UUID, pct: int) -> None:
    ReportRun.objects.filter(pk=run_pk, claim=token, status=RunStatus.RUNNING).update(
        progress=pct, heartbeat=timezone.now()
    )


def _media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _partial_path(token: uuid.UUID, extension: str) -> Path:
    """Where an attempt writes before renaming: named by its claim, so the watchdog can remove it."""
    return _media_path(ReportRun.new_file_name(extension)).with_name(f".tmp-{token.hex}.{extension}")


def _readable(exc: Exception) -> str:
    if isinstance(exc, ObjectDoesNotExist):
        return _("The area or another object of this report no longer exists.")
    detail = str(exc).strip() or exc.__class__.__name__
    return _("The report could not be generated: %(detail)s") % {"detail": detail[:500]}


def run_execute(*, run_pk: int) -> bool:
    """Build the run's file. Writes a temporary file beside the final one and renames it only when complete.

    Returns False when there was nothing to do (the run is gone, finished, or claimed by another attempt).
    """
    token = _claim(run_pk)
    if token is None:
        return False
    run = ReportRun.objects.select_related("area").get(pk=run_pk)
    extension = EXTENSIONS.get(run.format, "bin")
    final_name = ReportRun.new_file_name(extension)
    final_path = _media_path(final_name)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _partial_path(token, extension)
    try:
        with translation.override(run.language):
            filename = _build_file(run, token, tmp_path)
        os.replace(tmp_path, final_path)
    except Exception as exc:  # every failure becomes a readable error on the run
        tmp_path.unlink(missing_ok=True)
        logger.exception("report run %s failed", run_pk)
        with translation.override(run.language):
            _finish_failed(run, token, _readable(exc))
        return True
    done = ReportRun.objects.filter(pk=run_pk, claim=token, status=RunStatus.RUNNING).update(
        status=RunStatus.DONE,
        progress=100,
        file=final_name,
        filename=filename,
        size=final_path.stat().st_size,
        finished=timezone.now(),
        heartbeat=timezone.now(),
    )
    if not done:
        # The watchdog gave this attempt up meanwhile: keep no orphan file.
        final_path.unlink(missing_ok=True)
        return True
    _after_done(ReportRun.objects.get(pk=run_pk))
    return True


def _build_file(run: ReportRun, token: uuid.UUID, path: Path) -> str:
    exporter_cls = get_exporter(run.exporter)
    if exporter_cls is None:
        raise ValueError(_("Unknown report."))
    exporter = exporter_cls(progress=lambda pct: _heartbeat(run.pk, token, pct))
    params = Params.from_ids(run.params, user=run.requested_by)
    exporter.progress(5)
    data = exporter.build(params)
    exporter.progress(60)
    render(data, run.format, path)
    exporter.progress(95)
    return exporter.filename(params, EXTENSIONS[run.format])


def _finish_failed(run: ReportRun, token: uuid.UUID, message: str) -> None:
    ReportRun.objects.filter(pk=run.pk, claim=token).update(
        status=RunStatus.FAILED, error=message, finished=timezone.now(), file="", size=None
    )
    log_event("reports.run.failed", run, None, {"error": message[:200]}, area=run.area)


def _after_done(run: ReportRun) -> None:
    log_event("reports.run.done", run, None, {"size": run.size}, area=run.area)
    if run.requested_by_id:
        notify(
            recipient=run.requested_by,
            kind="reports.run.done",
            message=_("Your report is ready: %(name)s") % {"name": run.filename},
            url=reverse("reports:reportrun_list"),
            dedupe_key=f"reports.run.done:{run.pk}",
        )


@transaction.atomic
def run_delete_file(*, run: ReportRun) -> None:
    """Remove a run's file (used by the admin and clean-ups); the run row stays as a record."""
    if run.file:
        _media_path(run.file).unlink(missing_ok=True)
    ReportRun.objects.filter(pk=run.pk).update(file="", size=None)


def runs_watchdog(*, now: datetime.datetime | None = None) -> dict:
    """Runs stuck in "running" (their worker died) are re-queued once, then failed; none stays running forever."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    counts = {"requeued": 0, "failed": 0}
    stuck = ReportRun.objects.filter(status=RunStatus.RUNNING, heartbeat__lt=cutoff)
    for run in stuck.only("pk", "attempts", "claim", "language", "area", "format"):
        same = ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, claim=run.claim, heartbeat__lt=cutoff)
        if run.attempts < MAX_ATTEMPTS:
            if same.update(status=RunStatus.QUEUED, claim=None, progress=0):
                counts["requeued"] += 1
                _remove_partial(run)
                _enqueue(run.pk)
            continue
        with translation.override(run.language):
            message = _("The report was stopped: its worker did not finish within the time limit.")
        if same.update(status=RunStatus.FAILED, error=message, finished=now, claim=None):
            counts["failed"] += 1
            _remove_partial(run)
    return counts


def _remove_partial(run: ReportRun) -> None:
    # A killed worker leaves its half-written temporary file behind; its claim names it.
    if run.claim:
        _partial_path(run.claim, EXTENSIONS.get(run.format, "bin")).unlink(missing_ok=True)


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


@transaction.atomic
def monthly_reports_request(*, today: datetime.date | None = None) -> list[ReportRun]:
    """Queue last month's work report of every village (once per village and month) and tell HQ."""
    today = today or timezone.localdate()
    start, end = previous_month(today)
    runs = []
    for village in Area.objects.filter(level=Level.VILLAGE).order_by("path").iterator():
        key = f"monthly:{village.pk}:{start:%Y-%m}"
        params = {"area": village.pk, "start": start.isoformat(), "end": end.isoformat(), "format": MONTHLY_FORMAT}
        run, created = ReportRun.objects.get_or_create(
            schedule_key=key,
            defaults={"exporter": MONTHLY_EXPORTER, "area": village, "params": params, "format": MONTHLY_FORMAT},
        )
        if created:
            _enqueue(run.pk)
            runs.append(run)
    if runs:
        _notify_hq(start, len(runs))
    return runs


def _notify_hq(month: datetime.date, count: int) -> None:
    users = (
        RoleAssignment.objects.filter(role__in=HQ_ROLES, person__user__is_active=True)
        .values_list("person__user", flat=True)
        .distinct()
    )
    from django.contrib.auth import get_user_model

    label = date_format(month, "YEAR_MONTH_FORMAT")
    for user in get_user_model().objects.filter(pk__in=users):
        notify(
            recipient=user,
            kind="reports.monthly.generated",
            message=_("The monthly work reports of %(count)s villages for %(month)s are being generated.")
            % {"count": count, "month": label},
            url=reverse("reports:reportrun_list") + "?scheduled=1",
            dedupe_key=f"reports.monthly:{month:%Y-%m}",
        )
