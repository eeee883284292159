"""Projects: lifecycle, sites measured geodesically, actuals from geometry, budget changes, hand-over of a problem."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import BudgetChange, PublicNotice, SiteKind, Stage
from projects.selectors import outputs_against_targets, project_sites, spend_overview
from tests.projects.factories import make_payment, run_chain
from villages.geo import M2_PER_MU


def square_m(lon, lat, side_deg_lon, side_deg_lat):
    ring = [
        [lon, lat],
        [lon + side_deg_lon, lat],
        [lon + side_deg_lon, lat + side_deg_lat],
        [lon, lat + side_deg_lat],
        [lon, lat],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_it_measures_a_tea_garden_in_mu_and_computes_the_actual(funded):
    polygon = square_m(108.51, 32.41, 0.002, 0.002)
    site = services.site_add(
        actor=funded.hq, project=funded.project, kind=SiteKind.TEA_GARDEN, name="一号茶园", geometry=polygon
    )
    # 0.002° × 0.002° at 32.41°N: 188.1 m × 221.8 m ≈ 41,730 m² (pyproj Geod on WGS-84).
    assert Decimal("41600") < site.area_m2 < Decimal("41850")
    mu = (site.area_m2 / Decimal(str(M2_PER_MU))).quantize(Decimal("0.01"))
    assert site.label == f"茶园 {mu} 亩"
    indicator = services.indicator_add(
        actor=funded.hq,
        project=funded.project,
        kind="quantity",
        name="改造面积",
        unit="亩",
        target="60",
        site_kind=SiteKind.TEA_GARDEN,
    )
    actual = services.actual_report(actor=funded.hq, indicator=indicator, reported_on=date(2024, 9, 1), from_sites=True)
    assert actual.computed and actual.value == (site.area_m2 * 15 / 10000).quantize(Decimal("0.01"))
    row = outputs_against_targets(funded.hq, project=funded.project)[0]
    assert row.met is True and row.actual == actual.value


def test_it_counts_reservoirs_and_costs_per_unit(funded, chain):
    points = json.dumps({"type": "MultiPoint", "coordinates": [[108.51 + i * 0.001, 32.42] for i in range(7)]})
    site = services.site_add(
        actor=funded.hq, project=funded.project, kind=SiteKind.RESERVOIR, name="蓄水池", geometry=points
    )
    assert site.label == "蓄水池 7 座"
    indicator = services.indicator_add(
        actor=funded.hq,
        project=funded.project,
        kind="quantity",
        name="蓄水池",
        unit="座",
        target="7",
        site_kind=SiteKind.RESERVOIR,
    )
    services.actual_report(actor=funded.hq, indicator=indicator, reported_on=date(2024, 9, 1), from_sites=True)
    run_chain(make_payment(funded, chain, amount="35000.00"), chain)
    row = outputs_against_targets(funded.hq, project=funded.project)[0]
    assert row.actual == Decimal("7.00") and row.cost_per_unit == Decimal("5000.00")
    assert list(project_sites(funded.hq)) == [site]


def test_it_refuses_an_actual_with_three_decimals(funded):
    indicator = services.indicator_add(
        actor=funded.hq, project=funded.project, kind="quantity", name="x", unit="t", target="40"
    )
    with pytest.raises(ValidationError):
        services.actual_report(actor=funded.hq, indicator=indicator, value="40.125", reported_on=date(2024, 9, 1))
    assert not indicator.actuals.exists()


def test_the_lifecycle_moves_one_stage_at_a_time_and_waits_for_the_notice(funded, personas):
    project, hq = funded.project, funded.hq
    with pytest.raises(ValidationError):
        services.project_advance(actor=hq, project=project, stage=Stage.UNDER_CONSTRUCTION, on=date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.project_advance(actor=personas.cadre_a, project=project, stage=Stage.APPROVED, on=date(2024, 3, 1))
    services.project_advance(actor=hq, project=project, stage=Stage.APPROVED, on=date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.project_advance(actor=hq, project=project, stage=Stage.PRE_WORK_NOTICE, on=date(2024, 3, 2))
    with pytest.raises(ValidationError):  # fewer than 10 days
        services.notice_create(
            actor=hq,
            project=project,
            kind=PublicNotice.Kind.PRE_WORK,
            posted_from=date(2024, 3, 2),
            posted_until=date(2024, 3, 10),
            place="公示栏",
        )
    services.notice_create(
        actor=hq,
        project=project,
        kind=PublicNotice.Kind.PRE_WORK,
        posted_from=date(2024, 3, 2),
        posted_until=date(2024, 3, 11),
        place="公示栏",
    )
    services.project_advance(actor=hq, project=project, stage=Stage.PRE_WORK_NOTICE, on=date(2024, 3, 2))
    with pytest.raises(ValidationError):  # the notice is still up
        services.project_advance(actor=hq, project=project, stage=Stage.UNDER_CONSTRUCTION, on=date(2024, 3, 11))
    services.project_advance(actor=hq, project=project, stage=Stage.UNDER_CONSTRUCTION, on=date(2024, 3, 12))
    project.refresh_from_db()
    assert project.stage == Stage.UNDER_CONSTRUCTION
    assert list(project.steps.order_by("pk").values_list("stage", flat=True)) == [
        "application",
        "approved",
        "pre_work_notice",
        "under_construction",
    ]


def test_a_budget_change_is_approved_by_someone_else_and_keeps_the_original(funded, chain):
    line = funded.line
    change = services.budget_change_request(actor=funded.hq, line=line, new_amount="180000.00", reason="增加管道长度")
    with pytest.raises(ValidationError):
        services.budget_change_decide(actor=funded.hq, change=change, approve=True)
    with pytest.raises(ValidationError):  # would exceed the 200,000 grant? no: 180,000 fits; but the leader must decide
        services.budget_change_decide(actor=chain[0], change=change, approve=True)
    services.budget_change_decide(actor=chain[1], change=change, approve=True)
    line.refresh_from_db()
    assert (line.original_amount, line.current_amount) == (Decimal("150000.00"), Decimal("180000.00"))
    assert BudgetChange.objects.get().status == "approved"
    too_much = services.budget_change_request(actor=funded.hq, line=line, new_amount="200000.01", reason="x")
    with pytest.raises(ValidationError):
        services.budget_change_decide(actor=chain[1], change=too_much, approve=True)
    assert spend_overview(funded.hq)["total"].budget == Decimal("180000.00")


def test_a_budget_cannot_be_cut_below_what_is_committed(funded, chain):
    run_chain(make_payment(funded, chain, amount="100000.00"), chain, upto=1)
    change = services.budget_change_request(actor=funded.hq, line=funded.line, new_amount="99999.99", reason="x")
    with pytest.raises(ValidationError) as exc:
        services.budget_change_decide(actor=chain[1], change=change, approve=True)
    assert exc.value.code == "no_budget"


def test_a_project_from_a_problem_hands_the_problem_over(funded, personas, tree):
    from fieldwork.models import Problem

    problem = Problem.objects.create(
        village=tree.village_a, title="茶园缺水", raised_on=date(2024, 2, 1), raised_by=personas.cadre_a
    )
    project = services.project_create(
        actor=personas.cadre_a,
        village=tree.village_a,
        code="P-9",
        name="抗旱",
        type="irrigation",
        implementer="村委会",
        responsible_person="谢志军",
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 12, 31),
        source_problem=problem,
    )
    problem.refresh_from_db()
    assert project.source_problem == problem and problem.handed_over_to == "project"
    assert list(problem.projects.all()) == [project]


def test_a_problem_from_another_village_is_refused(funded, personas, tree):
    from fieldwork.models import Problem

    problem = Problem.objects.create(
        village=tree.village_b, title="x", raised_on=date(2024, 2, 1), raised_by=personas.cadre_b
    )
    with pytest.raises(ValidationError):
        services.project_create(
            actor=personas.hq,
            village=tree.village_a,
            code="P-9",
            name="抗旱",
            type="irrigation",
            implementer="x",
            responsible_person="y",
            starts_on=date(2024, 3, 1),
            ends_on=date(2024, 12, 31),
            source_problem=problem,
        )


def test_the_home_page_shows_the_queue_and_funds_panels(client, funded, chain):
    run_chain(make_payment(funded, chain), chain, upto=1)
    client.force_login(chain[1])
    content = client.get("/").content.decode()
    assert "待我审批的支付" in content and "ZF" in content
    assert "我管辖范围内的资金" in content


def test_the_project_page_writes_targets_and_actuals_as_people_do(client_as, funded):
    indicator = services.indicator_add(
        actor=funded.hq, project=funded.project, kind="quantity", name="管道", unit="m", target="12000"
    )
    services.actual_report(actor=funded.hq, indicator=indicator, value="2994.50", reported_on=date(2024, 9, 1))
    page = client_as("hq").get(f"/projects/{funded.project.pk}/").content.decode()
    assert "12,000 m" in page and "2,994.5 m" in page  # grouped, trailing zeros dropped
