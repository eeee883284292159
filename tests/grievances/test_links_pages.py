"""A case linked to a project or a fieldwork problem shows on both sides, without personal data for readers."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import Problem
from grievances import services
from grievances.templatetags.grievances_links import cases_linked_to
from projects import services as project_services
from tests.grievances.factories import make_case

TITLE = "陈德明与王建国茶园用水纠纷"
MASKED = "陈**与王**茶园用水纠纷"  # the parties' names, as on the case pages


@pytest.fixture
def linked(personas, tree):
    project = project_services.project_create(
        actor=personas.hq,
        village=tree.village_a,
        code="P-1",
        name="大连村抗旱水利工程",
        type="irrigation",
        implementer="村委会",
        responsible_person="谢志军",
        starts_on=date(2024, 3, 1),
        ends_on=date(2026, 12, 31),
    )
    problem = Problem.objects.create(
        village=tree.village_a,
        title="上游截水",
        description="旱季上游截水。",
        raised_on=timezone.localdate(),
        raised_by=personas.cadre_a,
        owner=personas.cadre_a,
    )
    case = make_case(personas.cadre_a, tree.village_a, title=TITLE)
    services.case_link(actor=personas.cadre_a, case=case, field="related_project", target=project)
    services.case_link(actor=personas.cadre_a, case=case, field="source_problem", target=problem)
    return {
        "case": case,
        "project": reverse("projects:project_detail", args=[project.pk]),
        "problem": reverse("fieldwork:problem_detail", args=[problem.pk]),
    }


@pytest.mark.parametrize("page", ["project", "problem"])
@pytest.mark.parametrize("persona", ["cadre_a", "hq"])
def test_the_case_shows_on_the_linked_page(client_as, linked, page, persona):
    response = client_as(persona).get(linked[page])
    assert response.status_code == 200
    html = response.content.decode()
    case = linked["case"]
    assert reverse("grievances:case_detail", args=[case.pk]) in html
    assert case.number in html and case.category_label in html and case.get_status_display() in html
    assert case.get_level_display() in html


@pytest.mark.parametrize("page", ["project", "problem"])
@pytest.mark.parametrize("persona", ["cadre_a", "hq"])
def test_the_summary_shows_with_the_parties_masked(client_as, linked, page, persona):
    html = client_as(persona).get(linked[page]).content.decode()
    assert MASKED in html and TITLE not in html


@pytest.mark.parametrize("page", ["project", "problem"])
def test_cadre_b_gets_a_404(client_as, linked, page):
    assert client_as("cadre_b").get(linked[page]).status_code == 404


@pytest.mark.parametrize("page", ["project", "problem"])
@pytest.mark.parametrize("persona", ["auditor", "funder"])
def test_readers_see_no_party_names(client_as, linked, page, persona):
    response = client_as(persona).get(linked[page])
    if response.status_code != 200:
        pytest.skip(f"{persona} may not open the {page} page")
    html = response.content.decode()
    for party in ("陈德明", "王建国", "13812345678", "610924198001011234"):
        assert party not in html, (persona, page, party)
    assert TITLE not in html and MASKED in html and linked["case"].number in html


def test_only_cases_in_scope_are_listed(personas, linked, tree):
    project = linked["case"].related_project
    assert cases_linked_to(personas.cadre_b, project) == []
    assert cases_linked_to(None, project) == []
    assert cases_linked_to(personas.cadre_a, tree.village_a) == []  # not a linkable model
    assert cases_linked_to(personas.cadre_a, project) == [linked["case"]]
