from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point

from tests.factories import user_with_role
from tests.fieldwork.factories import HouseholdFactory, MemberFactory
from villages.crypto import blind_index
from villages.models import Role


@pytest.fixture
def households(tree):
    """Two households in village A (groups A1, A2), one in B."""
    a1 = HouseholdFactory(
        village=tree.village_a,
        group=tree.group_a1,
        number="A001",
        head_name="陈德明",
        location=Point(108.51, 32.41, srid=4326),
        phone="13812345678",
        id_number="610924198001011234",
        id_number_hash=blind_index("610924198001011234"),
    )
    MemberFactory(household=a1, name="王秀英")
    a2 = HouseholdFactory(
        village=tree.village_a,
        group=tree.group_a2,
        number="A002",
        head_name="李华",
        location=Point(108.53, 32.42, srid=4326),
        monitoring_category="unstable",
    )
    b1 = HouseholdFactory(
        village=tree.village_b,
        group=tree.group_b1,
        number="B001",
        head_name="张山",
        location=Point(108.61, 32.41, srid=4326),
    )
    return SimpleNamespace(a1=a1, a2=a2, b1=b1)


@pytest.fixture
def county_officer(tree):
    return user_with_role("county", Role.COUNTY_OFFICER, tree.county)
