"""Layers and figures built on the other apps: disputes by status, grant budget and paid, open disputes."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.urls import reverse

from grievances.models import Case
from tests.grievances.factories import make_case
from tests.projects.conftest import chain, funded  # noqa: F401 - fixtures reused from the projects tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(tree, personas):
    with time_machine.travel(date(2026, 11, 20), tick=False):
        made = [make_case(personas.cadre_a, tree.village_a) for _ in range(3)]
        made.append(make_case(personas.cadre_b, tree.village_b))
    # Set directly: the place, and the states the grievances workflow would reach over weeks.
    for case, (lon, lat) in zip(
        made, [(108.51, 32.41), (108.52, 32.42), (108.53, 32.43), (108.61, 32.41)], strict=True
    ):
        Case.objects.filter(pk=case.pk).update(location=Point(lon, lat, srid=4326))
    Case.objects.filter(pk=made[1].pk).update(overdue=True)
    Case.objects.filter(pk=made[2].pk).update(status="closed")
    return made


def test_it_shows_disputes_by_status_in_scope(client_as, cases):
    open_case, late, done, _other = cases
    data = client_as("cadre_a").get(reverse("maps:layer_geojson", args=["disputes"])).json()
    assert [(f["id"], f["properties"]["status"]) for f in data["features"]] == [
        (open_case.pk, "open"),
        (late.pk, "overdue"),
        (done.pk, "closed"),
    ]
    assert data["features"][0]["properties"]["url"] == reverse("grievances:case_detail", args=[open_case.pk])
    # The summary and the parties never travel with the layer.
    assert "茶园用水纠纷" not in str(data) and "陈德明" not in str(data)


def test_it_hides_another_villages_disputes_and_their_popups(client_as, cases):
    _open, _late, _done, other = cases
    data = client_as("cadre_a").get(reverse("maps:layer_geojson", args=["disputes"])).json()
    assert other.pk not in [f["id"] for f in data["features"]]
    popup = reverse("maps:feature_popup", args=["disputes", other.pk])
    assert client_as("cadre_a").get(popup).status_code == 404
    assert "茶园用水纠纷" in client_as("cadre_b").get(popup).content.decode()


def test_it_counts_open_disputes_per_village_on_the_hq_map(client_as, cases):
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "disputes", "sort": "-value"})
    assert [(r["area"].name, r["value"]) for r in response.context["rows"]] == [
        ("大连村", Decimal(2)),
        ("东河村", Decimal(1)),
        ("庙坝村", Decimal(0)),
    ]


def test_it_shows_the_grant_budget_from_the_projects_roll_up(client_as, funded):  # noqa: F811
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "budget"})
    rows = {r["area"].name: r["value"] for r in response.context["rows"]}
    assert rows == {"大连村": Decimal("150000.00"), "东河村": Decimal(0), "庙坝村": Decimal(0)}
    assert "元" in response.content.decode()
    paid = client_as("hq").get(reverse("maps:hq_map"), {"figure": "paid"})
    assert {r["area"].name: r["value"] for r in paid.context["rows"]}["大连村"] == Decimal(0)


def test_it_leaves_villages_without_targets_blank_rather_than_zero(client_as, tree, personas):
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "targets"})
    assert {r["value"] for r in response.context["rows"]} == {None}
    assert "—" in response.content.decode()


def visit(household, user, when, point=None):
    from fieldwork.models import Visit

    return Visit.objects.create(
        household=household, village=household.village, visitor=user, visited_at=when, location=point
    )


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=UTC), tick=False)
def test_it_colours_households_by_days_since_the_last_visit(client_as, personas, households):
    a1, a2, _a3, _b1 = households
    visit(a1, personas.cadre_a, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    visit(a1, personas.cadre_a, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    visit(a2, personas.cadre_a, datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    client = client_as("cadre_a")
    first = client.get(reverse("maps:layer_geojson", args=["households"]))
    days = {f["properties"]["label"]: f["properties"]["days"] for f in first.json()["features"]}
    assert days == {"A-001": 6, "A-002": 148, "A-003": None}
    # A new visit changes the colours: the layer is resent, not answered with 304.
    visit(households[2], personas.cadre_a, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    again = client.get(reverse("maps:layer_geojson", args=["households"]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=UTC), tick=False)
def test_it_shows_recent_visits_and_counts_visits_this_month(client_as, personas, households):
    a1, a2, _a3, b1 = households
    recent = visit(a1, personas.cadre_a, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), Point(108.511, 32.411, srid=4326))
    visit(a2, personas.cadre_a, datetime(2026, 9, 1, 9, 0, tzinfo=UTC), Point(108.53, 32.43, srid=4326))
    visit(b1, personas.cadre_b, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), Point(108.62, 32.42, srid=4326))
    data = client_as("cadre_a").get(reverse("maps:layer_geojson", args=["visits"])).json()
    assert [(f["id"], f["properties"]["label"]) for f in data["features"]] == [(recent.pk, "A-001")]
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "visits", "sort": "name"})
    assert {r["area"].name: r["value"] for r in response.context["rows"]} == {
        "大连村": Decimal(1),
        "东河村": Decimal(1),
        "庙坝村": Decimal(0),
    }
