from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point

from tests.factories import user_with_role
from tests.fieldwork.factories import HouseholdFactory, ProblemFactory
from villages.models import Role


@pytest.fixture
def homes(tree, personas):
    """Households of village A (groups A1, A2) and B, and problems open and closed."""
    a1 = HouseholdFactory(
        village=tree.village_a,
        group=tree.group_a1,
        number="A001",
        head_name="陈德明",
        address="一组12号",
        location=Point(108.51, 32.41, srid=4326),
        phone="13812345678",
        id_number="610924198001011234",
    )
    a2 = HouseholdFactory(village=tree.village_a, group=tree.group_a2, number="A002", head_name="李华", location=None)
    b1 = HouseholdFactory(
        village=tree.village_b, group=tree.group_b1, number="B001", head_name="张山", phone="13900001111"
    )
    open_problem = ProblemFactory(village=tree.village_a, household=a1, title="屋顶漏雨", raised_by=personas.cadre_a)
    closed_problem = ProblemFactory(
        village=tree.village_a, title="道路已修", status="solved", outcome="修好了", raised_by=personas.cadre_a
    )
    return SimpleNamespace(a1=a1, a2=a2, b1=b1, open_problem=open_problem, closed_problem=closed_problem)


@pytest.fixture
def group_head(tree):
    return user_with_role("group_head", Role.GROUP_HEAD, tree.group_a1)
