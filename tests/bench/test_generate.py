"""The benchmark data set at a tiny scale is consistent: chains valid, households inside villages, totals add up."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum

pytestmark = [
    pytest.mark.postgis,
    pytest.mark.skipif(
        not settings.DATABASE_IS_POSTGIS, reason="the benchmark data set is loaded with PostgreSQL COPY"
    ),
]

SCALE = 0.002


@pytest.fixture
def dataset(db):
    from bench import generate

    return generate.generate(SCALE, log=lambda *a: None)


def test_it_loads_the_planned_counts(dataset):
    from bench.generate import Plan
    from fieldwork.models import Household, Visit
    from grievances.models import Case
    from projects.models import Payment, Project
    from villages.models import Area

    plan = Plan.for_scale(SCALE)
    assert Area.objects.filter(level="county").count() == 10
    assert Area.objects.filter(level="town").count() == plan.towns
    assert Area.objects.filter(level="village").count() == plan.villages
    assert Household.objects.count() == plan.households == dataset["counts"]["households"]
    assert Visit.objects.count() == plan.visits
    assert Project.objects.count() == plan.projects
    assert Payment.objects.count() == plan.payments
    assert Case.objects.count() == plan.cases


def test_it_puts_every_household_inside_its_village(dataset):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM fieldwork_household h JOIN villages_area v ON v.id = h.village_id "
            "WHERE h.location IS NULL OR NOT ST_Covers(v.boundary, h.location)"
        )
        assert cur.fetchone()[0] == 0
        cur.execute(
            "SELECT count(*) FROM fieldwork_household h JOIN villages_area g ON g.id = h.group_id "
            "WHERE g.parent_id <> h.village_id"
        )
        assert cur.fetchone()[0] == 0


def test_it_keeps_every_payment_chain_valid(dataset):
    from projects.models import Payment, PaymentStatus
    from villages.models import PAYMENT_ROLES, RoleAssignment

    holders = set(RoleAssignment.objects.values_list("person__user_id", "role"))
    payments = Payment.objects.prefetch_related("steps")
    assert payments.filter(status=PaymentStatus.COMPLETED).exists()
    for payment in payments:
        steps = sorted(payment.steps.all(), key=lambda s: s.step)
        expected = len(PAYMENT_ROLES) if payment.status == PaymentStatus.COMPLETED else payment.step
        assert [s.step for s in steps] == list(range(expected))
        assert [s.role for s in steps] == list(PAYMENT_ROLES[:expected])
        # Seven different people, each holding the role of the step they acted at.
        assert len({s.actor_id for s in steps}) == len(steps)
        assert all((s.actor_id, s.role) in holders for s in steps)
        if steps:
            assert steps[0].actor_id == payment.created_by_id
        assert (payment.paid_on is not None) == (expected > PAYMENT_ROLES.index("pay_cashier"))


def test_it_makes_the_money_add_up(dataset):
    from projects.models import BudgetLine, Grant, Payment

    for line in BudgetLine.objects.annotate(spent=Sum("payments__amount")):
        assert (line.spent or Decimal(0)) <= line.current_amount
    for grant in Grant.objects.annotate(lines=Sum("budgets__lines__current_amount"), n=Count("budgets")):
        if grant.n:
            assert grant.amount == grant.lines
    assert Payment.objects.filter(amount__lte=0).count() == 0


def test_it_writes_personal_data_the_app_can_decrypt(dataset):
    from fieldwork.models import Household
    from grievances.models import Party

    household = Household.objects.exclude(phone="").first()
    assert len(household.phone) == 11 and household.phone.isdigit()
    assert len(household.id_number) == 18
    assert Party.objects.first().name


def test_it_records_the_data_set_for_the_runner(dataset):
    from bench.generate import dataset_info

    connection.ensure_connection()
    info = dataset_info(connection.connection)
    assert info["scale"] == SCALE
    assert info["big_village"]["cadre"] == "bench_cadre0"
