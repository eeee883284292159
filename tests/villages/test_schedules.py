"""Scheduled jobs are declared in code and written back by every `migrate`."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django_q.models import Schedule

pytestmark = pytest.mark.django_db

DECLARED = {
    "villages.outbox_flush": ("villages.tasks.outbox_flush", Schedule.MINUTES),
    "grievances.mark_overdue": ("grievances.tasks.mark_overdue", Schedule.DAILY),
    "projects.run_compliance": ("projects.tasks.run_compliance", Schedule.DAILY),
    "fieldwork.remind_overdue_problems": ("fieldwork.tasks.remind_overdue_problems", Schedule.DAILY),
    "reports.monthly_work_reports": ("reports.tasks.monthly_work_reports", Schedule.MONTHLY),
    "reports.runs_watchdog": ("reports.tasks.watchdog", Schedule.MINUTES),
}


def schedules() -> dict:
    rows = Schedule.objects.filter(name__in=DECLARED)
    return {row.name: (row.func, row.schedule_type) for row in rows}


def test_a_deleted_or_altered_schedule_comes_back_after_migrate_and_keeps_its_next_run():
    assert schedules() == DECLARED
    kept = Schedule.objects.get(name="projects.run_compliance")
    Schedule.objects.filter(name="grievances.mark_overdue").delete()
    Schedule.objects.filter(name="villages.outbox_flush").update(minutes=60, func="villages.tasks.nothing")
    emit_post_migrate_signal(0, False, "default")  # what `migrate` (and a test flush) sends
    assert schedules() == DECLARED
    assert Schedule.objects.get(name="villages.outbox_flush").minutes == 1
    assert Schedule.objects.get(name="projects.run_compliance").next_run == kept.next_run
    assert Schedule.objects.filter(name__in=DECLARED).count() == len(DECLARED)  # no duplicates
