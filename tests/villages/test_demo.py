"""The demo loader: real counties, Dalian village with households inside it, and a second run changes nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.core.management import call_command

from fieldwork.models import Household
from villages.models import Area, Level, Role, RoleAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_it_loads_the_demo_and_a_second_run_writes_nothing():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    first = _row_counts()
    latest_area = Area.objects.order_by("-pk").values_list("pk", "name").first()
    call_command("load_demo", stdout=io.StringIO())
    assert _row_counts() == first
    assert Area.objects.order_by("-pk").values_list("pk", "name").first() == latest_area
    text = out.getvalue()
    assert "zhujing" in text and "zhucun2026" in text  # the log-ins are printed


def test_the_demo_data_is_true_to_the_seed():
    call_command("load_demo", stdout=io.StringIO())
    _check_counties_and_village()
    _check_households()
    _check_roles()


def _check_counties_and_village():
    counties = Area.objects.filter(level=Level.COUNTY)
    assert counties.count() == 10
    ziyang = counties.get(code="610924")
    assert ziyang.name == "紫阳县"
    assert 2_000e6 < ziyang.area_m2 < 2_400e6  # Ziyang county is about 2,200 km²
    village = Area.objects.get(name="大连村")
    assert village.path.startswith(ziyang.path)
    assert Area.objects.filter(parent=village, level=Level.GROUP).count() == 6
    # Converted from GCJ-02: the county boundary still contains the village.
    assert ziyang.boundary.contains(village.boundary.centroid)
    assert not village.boundary.contains(Point(108.0, 32.0, srid=4326))


def _check_households():
    village = Area.objects.get(name="大连村")
    households = Household.objects.filter(village=village).select_related("group")
    assert 100 <= households.count() <= 150
    for household in households:
        assert village.boundary.contains(household.location)
        assert household.group.boundary.contains(household.location)
        assert household.members.exists()


def _check_roles():
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert {
        Role.PAY_HANDLER,
        Role.PAY_LEADER,
        Role.PAY_FINANCE_CHECK,
        Role.PAY_VICE_CHAIR,
        Role.PAY_CASHIER,
        Role.PAY_ACCOUNTANT,
        Role.PAY_EXEC_VICE_CHAIR,
        Role.AUDITOR,
        Role.FIRST_SECRETARY,
    } <= roles
    holders = RoleAssignment.objects.filter(role__startswith="pay_").values_list("person_id", flat=True)
    assert len(set(holders)) == 7  # seven different people, so no one acts at two steps
