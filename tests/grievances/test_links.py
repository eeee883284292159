import uuid

import pytest
from django.utils import timezone

from fieldwork.models import Household, Meeting, Problem, ProblemStatus, Visit
from grievances.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(tree):
    return Household.objects.create(village=tree.village_a, group=tree.group_a1, number="A001", head_name="吴成高")


def _form(village, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "village": village.pk,
        "source": "visit",
        "category": "water",
        "title": "茶园灌溉用水纠纷",
        "facts": "走访中反映与邻户争水。",
        "risk": "low",
        "level": "village",
        "received_on": timezone.localdate().isoformat(),
        "applicant_name": "吴成高",
        "respondent_name": "李德华",
        **extra,
    }


def test_it_takes_up_a_problem_as_a_case_and_hands_the_problem_over(client_as, personas, tree, household):
    visit = Visit.objects.create(
        household=household, village=tree.village_a, visitor=personas.cadre_a, visited_at=timezone.now()
    )
    problem = Problem.objects.create(
        village=tree.village_a,
        household=household,
        visit=visit,
        title="与邻户争用山泉水",
        description="旱季上游截水。",
        raised_on=timezone.localdate(),
        raised_by=personas.cadre_a,
    )
    client = client_as("cadre_a")
    form = client.get(f"/disputes/new/?problem={problem.pk}").content.decode()
    assert "与邻户争用山泉水" in form and "旱季上游截水。" in form and "吴成高" in form
    response = client.post(f"/disputes/new/?problem={problem.pk}", _form(tree.village_a))
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.source_problem, case.source_visit) == (problem, visit)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.HANDED_OVER and problem.handed_over_to == "case"
    assert list(problem.cases.all()) == [case] and list(visit.cases.all()) == [case]
    page = client.get(f"/disputes/{case.pk}/").content.decode()
    assert f"/fieldwork/problems/{problem.pk}/" in page and f"/fieldwork/visits/{visit.pk}/" in page


def test_it_takes_in_a_case_from_a_meeting(client_as, personas, tree):
    meeting = Meeting.objects.create(
        village=tree.village_a, held_at=timezone.now(), topics="茶园地界争议", recorded_by=personas.cadre_a
    )
    client_as("cadre_a").post(f"/disputes/new/?meeting={meeting.pk}", _form(tree.village_a, source="meeting"))
    assert Case.objects.get().source_meeting == meeting


def test_it_refuses_an_origin_outside_scope(client_as, personas, tree):
    problem = Problem.objects.create(
        village=tree.village_b, title="东河村问题", raised_on=timezone.localdate(), raised_by=personas.cadre_b
    )
    assert client_as("cadre_a").get(f"/disputes/new/?problem={problem.pk}").status_code == 404
    assert client_as("cadre_a").post(f"/disputes/new/?problem={problem.pk}", _form(tree.village_a)).status_code == 404
    assert not Case.objects.exists()
    problem.refresh_from_db()
    assert problem.status != ProblemStatus.HANDED_OVER


def test_the_api_takes_up_a_problem_of_the_village_only(client_as, personas, tree):
    own = Problem.objects.create(
        village=tree.village_a, title="争水", raised_on=timezone.localdate(), raised_by=personas.cadre_a
    )
    other = Problem.objects.create(
        village=tree.village_b, title="东河", raised_on=timezone.localdate(), raised_by=personas.cadre_b
    )
    body = {
        "village": tree.village_a.pk,
        "source": "visit",
        "category": "water",
        "title": "争水",
        "facts": "争水",
        "parties": [{"name": "吴成高"}],
    }
    client = client_as("cadre_a")
    refused = client.post(
        "/disputes/api/cases/", {**body, "client_uuid": str(uuid.uuid4()), "problem": other.pk}, "application/json"
    )
    assert refused.status_code == 400 and not Case.objects.exists()
    created = client.post(
        "/disputes/api/cases/", {**body, "client_uuid": str(uuid.uuid4()), "problem": own.pk}, "application/json"
    )
    assert created.status_code == 201 and created.json()["source_problem"] == own.pk
    own.refresh_from_db()
    assert own.status == ProblemStatus.HANDED_OVER
