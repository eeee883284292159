# ruff: noqa: F811 - the fixtures imported from the fieldwork and projects conftests are arguments here
"""Ids, years and page numbers written into pages stay machine-readable after years of use.

The test database starts every table's ids at 100,000 (tests/conftest.py). A number rendered
through Django's localization with a thousands separator became "100,001" in a `data-` attribute,
an `<option value>` or a link, and the phone then asked the server for village "3,015" (the cause of
the offline browser tests that failed at times on PostGIS, where ids grow past 1,000 within a run).
"""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork import services as fieldwork_services
from projects.models import Project
from tests.conftest import FIRST_ID
from tests.fieldwork.conftest import households  # noqa: F401
from tests.projects.conftest import chain, funded  # noqa: F401

pytestmark = pytest.mark.django_db

# An attribute whose value holds a grouped number: `="…100,001…"`.
GROUPED_IN_ATTRIBUTE = re.compile(
    r'(?:value|data-[\w-]+|href|action|hx-get|hx-post)="[^"]*\b\d{1,3}(?:,\d{3})+\b[^"]*"'
)


def test_the_ids_of_this_database_are_large(tree, households):
    assert tree.village_a.pk > FIRST_ID and households.a1.pk > FIRST_ID


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        pytest.param("cadre_a", lambda w: reverse("offline:queue"), id="offline-queue"),
        pytest.param("cadre_a", lambda w: reverse("fieldwork:household_list"), id="fieldwork-household-list"),
        pytest.param(
            "cadre_a",
            lambda w: reverse("fieldwork:household_detail", args=[w.households.a1.pk]),
            id="fieldwork-household-detail",
        ),
        pytest.param("cadre_a", lambda w: reverse("fieldwork:attendance"), id="fieldwork-attendance"),
        pytest.param("cadre_a", lambda w: reverse("fieldwork:visit_list"), id="fieldwork-visit-list"),
        pytest.param(
            "hq", lambda w: reverse("projects:project_detail", args=[w.funded.project.pk]), id="projects-project-detail"
        ),
        pytest.param(
            "hq", lambda w: reverse("projects:grant_detail", args=[w.funded.grant.pk]), id="projects-grant-detail"
        ),
        pytest.param("hq", lambda w: reverse("projects:project_list"), id="projects-project-list"),
        pytest.param(
            "cadre_a", lambda w: reverse("maps:export_index", args=[w.households.a1.village_id]), id="maps-export-index"
        ),
    ],
)
def test_no_page_writes_a_grouped_number_into_an_attribute(
    client_as,
    personas,
    households,
    funded,
    persona,
    page,
):
    fieldwork_services.visit_record(actor=personas.cadre_a, household=households.a1, visited_at=timezone.now())
    response = client_as(persona).get(page(SimpleNamespace(households=households, funded=funded)))
    assert response.status_code == 200
    body = response.content.decode()
    assert not GROUPED_IN_ATTRIBUTE.findall(body)


def test_the_village_package_row_names_the_village_by_its_id(client_as, tree):
    body = client_as("cadre_a").get(reverse("offline:queue")).content.decode()
    assert f'data-village="{tree.village_a.pk}"' in body
    package = client_as("cadre_a").get(reverse("offline:package", args=[tree.village_a.pk]))
    assert package.status_code == 200


def test_a_beneficiary_chosen_from_the_list_is_added(client_as, households, funded):
    project = funded.project
    body = client_as("hq").get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    options = re.findall(r'<option value="([^"]*)">A001', body)
    assert options == [str(households.a1.pk)]
    response = client_as("hq").post(reverse("projects:beneficiary_add", args=[project.pk]), {"household": options[0]})
    assert response.status_code == 302
    assert list(Project.objects.get(pk=project.pk).beneficiaries.all()) == [households.a1]
