"""spend_overview and outputs_against_targets against figures worked out by hand (exact Decimal yuan)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import services
from projects.models import (
    EconomicCategory,
    Funder,
    Indicator,
    IndicatorActual,
    IndicatorKind,
    Payment,
    PaymentStatus,
    PaymentType,
    ProjectType,
    Unit,
)
from projects.selectors import outputs_against_targets, project_paid, spend_overview

pytestmark = pytest.mark.django_db

D = Decimal
DONE, CHAIN, DRAFT, BACK = PaymentStatus.COMPLETED, PaymentStatus.IN_CHAIN, PaymentStatus.DRAFT, PaymentStatus.SENT_BACK


def _local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def book(funded, tree, personas):
    """Two grants, three lines in two villages, and payments of every status, some at the period's edges.

    Line L-1 (150,000.00, village A): completed and paid 12,000.10; in the chain, unpaid 3,000.05;
    in the chain and already paid 0.01; a draft 999.99 and a sent-back 500.00 (neither counts).
    Line L-2 (40,000.00, village A): completed and paid 7,777.77, created 2023-12-31 23:30 (local time).
    Line L-3 (80,000.00, village B): completed and paid 33,333.33 on 2024-12-31 23:30, and 1.00 on 2025-01-01 00:10.
    """
    hq = personas.hq
    line_2 = services.budget_line_create(
        actor=hq,
        project_budget=funded.budget,
        code="L-2",
        name="水池",
        economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
        amount="40000.00",
    )
    union = Funder.objects.create(code="GH", name="安康市总工会", kind=Funder.Kind.UNION)
    grant_2 = services.grant_create(
        actor=hq,
        funder=union,
        area=tree.village_b,
        code="G-2024-2",
        name="帮扶资金",
        purpose="道路",
        amount="100000.00",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    project_2 = services.project_create(
        actor=hq,
        village=tree.village_b,
        code="P-2",
        name="青山村道路硬化",
        type=ProjectType.IRRIGATION,
        implementer="青山村村民委员会",
        responsible_person="张三",
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    budget_2 = services.project_budget_create(actor=hq, project=project_2, grant=grant_2, name="道路预算")
    line_3 = services.budget_line_create(
        actor=hq,
        project_budget=budget_2,
        code="L-3",
        name="路面",
        economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
        amount="80000.00",
    )
    rows = [
        (funded.line, "12000.10", DONE, datetime.date(2024, 6, 10), _local(2024, 6, 1, 9)),
        (funded.line, "3000.05", CHAIN, None, _local(2024, 6, 5, 9)),
        (funded.line, "0.01", CHAIN, datetime.date(2024, 7, 2), _local(2024, 7, 1, 9)),
        (funded.line, "999.99", DRAFT, None, _local(2024, 6, 2, 9)),
        (funded.line, "500.00", BACK, None, _local(2024, 6, 3, 9)),
        (line_2, "7777.77", DONE, datetime.date(2024, 1, 5), _local(2023, 12, 31, 23, 30)),
        (line_3, "33333.33", DONE, datetime.date(2025, 1, 3), _local(2024, 12, 31, 23, 30)),
        (line_3, "1.00", DONE, datetime.date(2025, 1, 3), _local(2025, 1, 1, 0, 10)),
    ]
    for n, (line, amount, status, paid_on, created) in enumerate(rows):
        payment = Payment.objects.create(
            number=f"ZF-{n}",
            project=line.project_budget.project,
            budget_line=line,
            type=PaymentType.WORKS,
            purpose="工程款",
            payee="某公司",
            amount=D(amount),
            status=status,
            step=7 if status == DONE else 0,
            step_since=created,
            paid_on=paid_on,
            created_by=hq,
        )
        Payment.objects.filter(pk=payment.pk).update(created=created)
    return {"line_1": funded.line, "line_2": line_2, "line_3": line_3, "grant_2": grant_2, "project_2": project_2}


def _figures(row) -> tuple:
    f = row.figures
    return (f.budget, f.committed, f.paid, f.remaining)


def test_it_adds_up_every_line_grant_project_and_village_exactly(book, funded, personas, tree):
    overview = spend_overview(personas.hq)
    lines = {row.obj.code: _figures(row) for row in overview["lines"]}
    assert lines == {
        "L-1": (D("150000.00"), D("15000.16"), D("12000.11"), D("134999.84")),
        "L-2": (D("40000.00"), D("7777.77"), D("7777.77"), D("32222.23")),
        "L-3": (D("80000.00"), D("33334.33"), D("33334.33"), D("46665.67")),
    }
    assert [row.obj.code for row in overview["lines"]] == ["L-1", "L-2", "L-3"]  # grant code, line code
    assert [(row.obj, _figures(row)) for row in overview["grants"]] == [
        (funded.grant, (D("190000.00"), D("22777.93"), D("19777.88"), D("167222.07"))),
        (book["grant_2"], (D("80000.00"), D("33334.33"), D("33334.33"), D("46665.67"))),
    ]
    assert [(row.obj, _figures(row)) for row in overview["villages"]] == [
        (tree.village_a, (D("190000.00"), D("22777.93"), D("19777.88"), D("167222.07"))),
        (tree.village_b, (D("80000.00"), D("33334.33"), D("33334.33"), D("46665.67"))),
    ]
    assert [row.obj for row in overview["projects"]] == [funded.project, book["project_2"]]
    total = overview["total"]
    assert (total.budget, total.committed, total.paid, total.remaining) == (
        D("270000.00"),
        D("56112.26"),
        D("53112.21"),
        D("213887.74"),
    )
    assert total.original == D("270000.00")
    assert all(isinstance(v, Decimal) for row in overview["lines"] for v in _figures(row))


def test_a_period_counts_payments_by_their_local_creation_date(book, personas):
    overview = spend_overview(personas.hq, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    lines = {row.obj.code: _figures(row)[1:3] for row in overview["lines"]}
    assert lines == {
        "L-1": (D("15000.16"), D("12000.11")),
        "L-2": (D("0.00"), D("0.00")),  # created on 31 December 2023, 23:30 Beijing time
        "L-3": (D("33333.33"), D("33333.33")),  # 1.00 was created on 1 January 2025, 00:10
    }
    assert (overview["total"].committed, overview["total"].paid) == (D("48333.49"), D("45333.44"))
    assert overview["total"].budget == D("270000.00")  # budgets do not depend on the period


def test_a_cadre_sees_only_their_village_and_a_village_filter_narrows_it(book, personas, tree):
    mine = spend_overview(personas.cadre_b)
    assert [row.obj.code for row in mine["lines"]] == ["L-3"]
    assert mine["total"].paid == D("33334.33")
    filtered = spend_overview(personas.hq, villages=[tree.village_a])
    assert [row.obj.code for row in filtered["lines"]] == ["L-1", "L-2"]
    assert filtered["total"].committed == D("22777.93")


def test_an_empty_scope_gives_zero_figures(book, personas, tree):
    overview = spend_overview(personas.hq, villages=[tree.village_d])
    assert overview["lines"] == [] and overview["grants"] == [] and overview["villages"] == []
    assert (overview["total"].budget, overview["total"].committed, overview["total"].paid) == (0, 0, 0)


def test_the_queries_do_not_grow_with_the_payments(book, personas):
    with CaptureQueriesContext(connection) as few:
        spend_overview(personas.hq)
    for n in range(20):
        Payment.objects.create(
            number=f"ZF-more-{n}",
            project=book["line_3"].project_budget.project,
            budget_line=book["line_3"],
            type=PaymentType.WORKS,
            purpose="工程款",
            payee="某公司",
            amount=D("1.00"),
            status=DONE,
            step=7,
            step_since=timezone.now(),
            paid_on=datetime.date(2025, 2, 1),
            created_by=personas.hq,
        )
    with CaptureQueriesContext(connection) as many:
        overview = spend_overview(personas.hq)
    assert len(many) == len(few)
    assert overview["total"].paid == D("53132.21")


def test_cost_per_unit_uses_what_each_project_has_paid(book, funded, personas):
    pipes = Indicator.objects.create(
        project=funded.project, kind=IndicatorKind.QUANTITY, name="管道", unit=Unit.METRE, target=D("300")
    )
    road = Indicator.objects.create(
        project=book["project_2"], kind=IndicatorKind.QUANTITY, name="路面", unit=Unit.METRE, target=D("1000")
    )
    IndicatorActual.objects.create(indicator=pipes, value=D("320.00"), reported_on=datetime.date(2024, 8, 1))
    IndicatorActual.objects.create(indicator=road, value=D("3.00"), reported_on=datetime.date(2025, 2, 1))
    rows = {row.indicator.name: row for row in outputs_against_targets(personas.hq)}
    assert project_paid(funded.project) == D("19777.88")  # L-1 12,000.11 + L-2 7,777.77
    assert rows["管道"].cost_per_unit == D("61.81")  # 19,777.88 ÷ 320
    assert rows["管道"].met is True
    assert rows["路面"].cost_per_unit == D("11111.44")  # 33,334.33 ÷ 3
    assert rows["路面"].met is False


@pytest.mark.parametrize("persona", ["hq", "cadre_a", "cadre_b"])
def test_spend_figures_equal_the_overview_roll_ups_without_building_it(book, personas, persona):
    from django.db.models import Q

    from projects.selectors import spend_figures, spend_total

    user = getattr(personas, persona)
    overview = spend_overview(user)
    for by, key in (("line", "lines"), ("grant", "grants"), ("project", "projects"), ("village", "villages")):
        assert spend_figures(user, by) == {row.obj.pk: row.figures for row in overview[key]}, by
    assert spend_total(user) == overview["total"]
    if overview["lines"]:
        line = overview["lines"][0]
        narrowed = spend_figures(user, "line", lines=Q(pk=line.obj.pk))
        assert narrowed == {line.obj.pk: line.figures}
    with CaptureQueriesContext(connection) as queries:
        spend_figures(user, "village")
    assert len(queries) <= 3  # the scope, the lines' sums, the payments' sums


def test_a_page_of_outputs_equals_those_rows_of_the_whole_list(book, funded, personas):
    from projects.selectors import output_indicators

    for project, name in ((funded.project, "管道"), (book["project_2"], "路面"), (funded.project, "蓄水池")):
        indicator = Indicator.objects.create(
            project=project, kind=IndicatorKind.QUANTITY, name=name, unit=Unit.METRE, target=D("10")
        )
        IndicatorActual.objects.create(indicator=indicator, value=D("4.00"), reported_on=datetime.date(2024, 8, 1))
        IndicatorActual.objects.create(indicator=indicator, value=D("12.00"), reported_on=datetime.date(2024, 9, 1))

    def key(row):
        return (row.indicator.pk, row.actual, row.met, row.cost_per_unit, row.reported_on)

    whole = [key(row) for row in outputs_against_targets(personas.hq)]
    ordered = list(output_indicators(personas.hq).values_list("pk", flat=True))
    assert [k[0] for k in whole] == ordered
    page = ordered[1:3]
    assert [key(row) for row in outputs_against_targets(personas.hq, indicator_ids=page)] == whole[1:3]
