"""Background runs: requesting in scope, building to a temporary file, failing cleanly, claiming once, the watchdog."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from reports import services
from reports.base import ReportParamsForm, get_exporter
from reports.models import ReportRun, RunStatus
from tests.reports.conftest import docx_text

pytestmark = pytest.mark.django_db


def params(area, fmt="docx", start="2026-10-01", end="2026-10-31"):
    return {"area": area.pk, "start": start, "end": end, "format": fmt}


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_it_queues_a_run_with_ids_only(personas, tree, known_exporters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.run_request(actor=personas.cadre_a, identifier="test_known", params=params(tree.village_a))
    assert run.status == RunStatus.QUEUED and run.requested_by == personas.cadre_a
    assert run.params == {"area": tree.village_a.pk, "start": "2026-10-01", "end": "2026-10-31", "format": "docx"}
    assert len(callbacks) == 1  # the job is queued once the transaction commits


def test_it_refuses_an_area_outside_the_scope_with_a_404(personas, tree, known_exporters):
    with pytest.raises(Http404):
        services.run_request(actor=personas.cadre_a, identifier="test_known", params=params(tree.village_b))
    assert not ReportRun.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(personas, tree, known_exporters):
    with pytest.raises(ValidationError):
        services.run_request(
            actor=personas.hq, identifier="test_known", params=params(tree.city, start="2026-10-31", end="2026-10-01")
        )
    assert not ReportRun.objects.exists()


def test_it_refuses_garbage_parameters(personas, tree, known_exporters):
    for bad in ({"area": "x"}, {"area": tree.city.pk, "start": "soon", "end": "", "format": "docx"}, {}):
        with pytest.raises(ValidationError):
            services.run_request(actor=personas.hq, identifier="test_known", params=bad)
    with pytest.raises(ValidationError):
        services.run_request(actor=personas.hq, identifier="nope", params=params(tree.city))


def test_it_lets_the_auditor_run_read_only_reports(personas, tree, known_exporters):
    run = services.run_request(actor=personas.auditor, identifier="test_known", params=params(tree.village_b))
    assert run.area == tree.village_b


def test_it_keeps_funders_from_reports_with_personal_data(personas, tree):
    with pytest.raises(PermissionDenied):
        services.run_request(actor=personas.funder, identifier="dispute_ledger", params=params(tree.village_a))


def test_the_form_explains_bad_input_in_the_users_language(personas, tree, known_exporters):
    exporter = get_exporter("test_known")
    form = ReportParamsForm(
        data={"area": tree.village_b.pk, "start": "2026-10-31", "end": "2026-10-01", "format": "docx"},
        user=personas.cadre_a,
        exporter=exporter,
    )
    assert not form.is_valid()
    assert "area" in form.errors and "end" in form.errors


def test_it_builds_the_file_and_renames_it_into_place(personas, tree, known_exporters):
    run = services.run_request(actor=personas.cadre_a, identifier="test_known", params=params(tree.village_a))
    assert services.run_execute(run_pk=run.pk) is True
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100
    path = Path(settings.MEDIA_ROOT) / run.file
    assert media_files() == [path]  # no temporary file left behind
    assert run.size == path.stat().st_size > 0
    assert len(path.stem) >= 40  # a random, non-guessable name
    assert run.filename.endswith(".docx") and "大连村" in run.filename
    assert "大连村测试报告" in docx_text(path)


def test_a_retried_job_does_not_build_twice(personas, tree, known_exporters):
    run = services.run_request(actor=personas.cadre_a, identifier="test_known", params=params(tree.village_a))
    assert services.run_execute(run_pk=run.pk) is True
    assert services.run_execute(run_pk=run.pk) is False
    assert services.run_execute(run_pk=999_999) is False
    assert len(media_files()) == 1


def test_a_failing_job_records_a_readable_error_and_leaves_no_file(personas, tree, known_exporters):
    run = services.run_request(actor=personas.hq, identifier="test_failing", params=params(tree.city))
    services.run_execute(run_pk=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "数据源不可用" in run.error
    assert run.file == "" and run.size is None
    assert media_files() == []


def test_a_run_whose_area_is_gone_fails_readably(personas, tree, known_exporters):
    run = services.run_request(actor=personas.hq, identifier="test_known", params=params(tree.city))
    ReportRun.objects.filter(pk=run.pk).update(params={**run.params, "area": 999_999})
    services.run_execute(run_pk=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error
    assert media_files() == []


def test_the_watchdog_requeues_then_fails_a_stuck_run(personas, tree, known_exporters):
    run = services.run_request(actor=personas.hq, identifier="test_known", params=params(tree.city))
    services._claim(run.pk)
    long_ago = timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1)
    ReportRun.objects.filter(pk=run.pk).update(heartbeat=long_ago)
    assert services.runs_watchdog() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    services._claim(run.pk)  # the second attempt dies too
    ReportRun.objects.filter(pk=run.pk).update(heartbeat=long_ago)
    assert services.runs_watchdog() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error


def test_an_attempt_overtaken_by_the_watchdog_keeps_no_file(personas, tree, known_exporters, monkeypatch):
    run = services.run_request(actor=personas.hq, identifier="test_known", params=params(tree.city))
    real_build = services._build_file

    def slow_build(run_obj, token, path):
        name = real_build(run_obj, token, path)
        ReportRun.objects.filter(pk=run_obj.pk).update(claim=None, status=RunStatus.FAILED)  # given up meanwhile
        return name

    monkeypatch.setattr(services, "_build_file", slow_build)
    services.run_execute(run_pk=run.pk)
    assert media_files() == []
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_real_cluster_builds_the_report(shared_media, personas, tree, qcluster):
    run = services.run_request(actor=personas.cadre_a, identifier="monthly_work", params=params(tree.village_a))
    qcluster(lambda: ReportRun.objects.get(pk=run.pk).status in (RunStatus.DONE, RunStatus.FAILED), timeout=60)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert "大连村" in docx_text(Path(settings.MEDIA_ROOT) / run.file)
