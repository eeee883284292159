import pytest
from django.apps import apps

from fieldwork import demo as fieldwork_demo
from grievances import demo, selectors
from grievances.models import Case, Status
from villages import demo as villages_demo
from villages.models import Area

pytestmark = pytest.mark.django_db


def _counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_it_loads_thirty_resolved_disputes_and_a_few_open_ones_idempotently():
    villages_demo.load()
    fieldwork_demo.load()
    demo.load()
    first = _counts()
    demo.load()
    assert _counts() == first
    village = Area.objects.get(code=villages_demo.VILLAGE_CODE)
    cases = Case.objects.filter(village=village)
    closed = cases.filter(status=Status.CLOSED)
    assert closed.count() == 30
    assert min(closed.values_list("received_on", flat=True)).year == 2024
    assert max(closed.values_list("closed_on", flat=True)).year == 2025
    categories = set(closed.values_list("category", flat=True))
    assert {"water", "land"} <= categories and len(categories) >= 4
    assert set(closed.values_list("level", flat=True)) == {"grid", "village", "township"}
    assert cases.filter(overdue=True, status__in=selectors.OPEN_STATUSES).count() == 2
    assert cases.filter(status=Status.REFERRED).count() == 1
    assert all(c.return_visits.exists() for c in closed)
    assert all(c.parties.filter(household__isnull=False).count() == 2 for c in cases)
    figures = selectors.figures_for(cases)
    assert 50 < figures["on_time_rate"] < 100 and 3 < figures["satisfaction"] <= 5
