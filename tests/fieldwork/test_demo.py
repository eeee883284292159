"""The Dalian demo: a year of true-looking fieldwork, loaded idempotently."""

import pytest
from django.apps import apps
from django.utils import timezone

from fieldwork import demo, selectors
from fieldwork.models import CheckIn, DiaryEntry, IncomeRecord, LeaveRequest, Meeting, MonitoringRecord, Problem, Visit
from villages import demo as villages_demo
from villages.models import Area

pytestmark = pytest.mark.django_db


def _counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_it_loads_a_year_of_fieldwork_for_dalian_and_a_second_run_writes_nothing():
    villages_demo.load()
    demo.load()
    first = _counts()
    demo.load()
    assert _counts() == first
    village = Area.objects.get(code=villages_demo.VILLAGE_CODE)
    assert 200 < Visit.objects.filter(village=village).count() < 330
    assert 220 < CheckIn.objects.filter(village=village).count() < 330
    assert 40 <= Meeting.objects.filter(village=village).count() <= 53
    assert Problem.objects.filter(village=village).count() == 12
    assert Problem.objects.filter(village=village, status="solved").count() >= 9
    assert LeaveRequest.objects.filter(status="approved").count() == 2
    assert DiaryEntry.objects.count() >= 50
    assert IncomeRecord.objects.filter(year=2025, source="farming", amount__gt=100_000).count() >= 20
    today = timezone.localdate()
    assert MonitoringRecord.objects.exclude(step="done").get().is_late(today)
    last_month = today.replace(day=1) - timezone.timedelta(days=1)
    figures = selectors.monthly_figures(village, last_month.year, last_month.month)
    assert figures["visits"] > 15 and figures["meetings"] >= 3 and figures["days_present"] >= 14
