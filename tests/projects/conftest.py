"""Fixtures for projects: seven chain users at the city, a funded project in village A, ready payments."""

from datetime import date
from types import SimpleNamespace

import pytest

from projects import services
from projects.models import EconomicCategory, Funder, ProjectType
from tests.factories import user_with_role
from villages.models import PAYMENT_ROLES

CHAIN_NAMES = ["jingban", "fenguan", "caiwu", "fuzhuxi", "chuna", "kuaiji", "changwu"]


@pytest.fixture
def chain(tree):
    """Seven users, each holding one step of the payment chain at the city."""
    return [user_with_role(name, role, tree.city) for name, role in zip(CHAIN_NAMES, PAYMENT_ROLES, strict=True)]


@pytest.fixture
def funded(tree, personas, chain):
    """A grant of 200,000 yuan to village A, a project there, and a budget line of 150,000 yuan."""
    hq = personas.hq
    funder = Funder.objects.create(code="SLJ", name="安康市水利局", kind=Funder.Kind.GOVERNMENT)
    grant = services.grant_create(
        actor=hq,
        funder=funder,
        area=tree.village_a,
        code="G-2024-1",
        name="抗旱资金",
        purpose="抗旱水利设施",
        amount="200000.00",
        starts_on=date(2024, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    project = services.project_create(
        actor=hq,
        village=tree.village_a,
        code="P-1",
        name="大连村抗旱水利工程",
        type=ProjectType.IRRIGATION,
        implementer="大连村村民委员会",
        responsible_person="谢志军",
        starts_on=date(2024, 3, 1),
        ends_on=date(2026, 12, 31),
    )
    budget = services.project_budget_create(actor=hq, project=project, grant=grant, name="抗旱水利项目预算")
    line = services.budget_line_create(
        actor=hq,
        project_budget=budget,
        code="L-1",
        name="管道维修",
        economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
        amount="150000.00",
    )
    return SimpleNamespace(funder=funder, grant=grant, project=project, budget=budget, line=line, hq=hq)


@pytest.fixture
def handler(chain):
    return chain[0]
