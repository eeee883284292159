import pytest

from grievances.models import Status
from tests.factories import user_with_role
from tests.grievances.factories import make_case
from villages.models import Role


@pytest.fixture
def group_head(tree):
    return user_with_role("group_head_a1", Role.GROUP_HEAD, tree.group_a1)


@pytest.fixture
def county_officer(tree):
    return user_with_role("county", Role.COUNTY_OFFICER, tree.county)


@pytest.fixture
def case_a(personas, tree):
    """A village-level water dispute in village A, just received, taken in by cadre_a."""
    return make_case(personas.cadre_a, tree.village_a, group=tree.group_a1)


@pytest.fixture
def at_status():
    """Put a case into `status` directly (for testing refusals from every status)."""

    def put(case, status: str):
        type(case).objects.filter(pk=case.pk).update(status=status)
        case.refresh_from_db()
        return case

    return put


ALL_STATUSES = list(Status.values)
