"""The monthly work reports are declared in code, generated on the 1st for every village, and HQ is told."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule

from reports import services, tasks
from reports.models import ReportRun, RunStatus
from villages import schedules
from villages.models import Notification

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_schedules_exist_after_migrate_and_are_declared_once():
    names = set(Schedule.objects.filter(name__startswith="reports.").values_list("name", flat=True))
    assert names == {"reports.monthly_work_reports", "reports.runs_watchdog"}
    out = io.StringIO()
    call_command("schedules", stdout=out)
    assert "reports.monthly_work_reports" in out.getvalue()
    assert schedules.ensure() == []
    assert Schedule.objects.filter(name__startswith="reports.").count() == 2
    monthly = Schedule.objects.get(name="reports.monthly_work_reports")
    assert monthly.schedule_type == Schedule.MONTHLY and monthly.func == "reports.tasks.monthly_work_reports"


def test_a_fresh_monthly_schedule_runs_next_on_the_first_of_a_month():
    Schedule.objects.filter(name__startswith="reports.").delete()
    with time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert schedules.ensure() == ["reports.monthly_work_reports", "reports.runs_watchdog"]
    next_run = Schedule.objects.get(name="reports.monthly_work_reports").next_run.astimezone(SHANGHAI)
    assert (next_run.year, next_run.month, next_run.day, next_run.hour) == (2026, 12, 1, 6)


def test_on_the_first_every_village_gets_last_months_report_and_hq_is_told(personas, tree):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI), tick=False):
        count = tasks.monthly_work_reports()
        again = tasks.monthly_work_reports()  # a retried schedule makes nothing twice
    assert count == 3 and again == 0
    runs = ReportRun.objects.order_by("area__code")
    assert [r.area.code for r in runs] == ["A", "B", "D"]
    assert all(r.params["start"] == "2026-11-01" and r.params["end"] == "2026-11-30" for r in runs)
    assert all(r.exporter == "monthly_work" and r.requested_by is None for r in runs)
    told = Notification.objects.filter(kind="reports.monthly.generated")
    assert [n.recipient.username for n in told] == ["hq"]
    assert "3" in told[0].message
    services.run_execute(run_pk=runs[0].pk)
    assert ReportRun.objects.get(pk=runs[0].pk).status == RunStatus.DONE


def test_a_cadre_sees_the_scheduled_report_of_their_village(client_as, personas, tree):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI), tick=False):
        tasks.monthly_work_reports()
    run_a = ReportRun.objects.get(area=tree.village_a)
    services.run_execute(run_pk=run_a.pk)
    body = client_as("cadre_a").get("/reports/runs/?scheduled=1").content.decode()
    assert f'data-run="{run_a.pk}"' in body
    assert f'data-run="{ReportRun.objects.get(area=tree.village_b).pk}"' not in body
