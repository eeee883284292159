import pytest
from django.contrib.gis.geos import Point

from tests.maps.factories import HouseholdFactory


@pytest.fixture
def households(tree):
    """Three households in village A (two monitored) and one in village B."""
    return [
        HouseholdFactory(
            village=tree.village_a,
            group=tree.group_a1,
            number="A-001",
            head_name="李明",
            location=Point(108.51, 32.41, srid=4326),
            monitoring_category="unstable",
        ),
        HouseholdFactory(
            village=tree.village_a,
            group=tree.group_a2,
            number="A-002",
            head_name="王芳",
            location=Point(108.53, 32.43, srid=4326),
            monitoring_category="",
        ),
        HouseholdFactory(
            village=tree.village_a,
            number="A-003",
            head_name="赵强",
            location=Point(108.545, 32.445, srid=4326),
            monitoring_category="marginal",
        ),
        HouseholdFactory(
            village=tree.village_b,
            number="B-001",
            head_name="陈刚",
            location=Point(108.62, 32.42, srid=4326),
            monitoring_category="unstable",
        ),
    ]
