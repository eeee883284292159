"""The one scoping helper: areas assigned and everything below; 404 outside, 403 for read-only writes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from tests.conftest import PERSONA_NAMES
from villages import selectors
from villages.models import Area

pytestmark = pytest.mark.django_db

# Expected status of villages:area_detail for village A, by persona.
AREA_A_MATRIX = {
    "cadre_a": 200,
    "cadre_b": 404,
    "township": 200,
    "hq": 200,
    "auditor": 200,
    "funder": 200,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_area_page_permission_matrix(client_as, tree, persona):
    response = client_as(persona).get(reverse("villages:area_detail", args=[tree.village_a.pk]))
    assert response.status_code == AREA_A_MATRIX[persona]
    if response.status_code == 200:
        assert "大连村" in response.content.decode()


def test_it_answers_404_for_a_missing_or_malformed_area(client_as, tree):
    assert client_as("hq").get("/areas/999999/").status_code == 404


def test_cadre_sees_their_village_and_its_groups_only(personas, tree):
    visible = set(selectors.areas_for_user(personas.cadre_a).values_list("code", flat=True))
    assert visible == {"A", "A1", "A2"}


def test_township_officer_sees_every_village_of_the_town_and_no_other(personas, tree):
    villages = set(selectors.villages_for_user(personas.township).values_list("code", flat=True))
    assert villages == {"A", "B"}


def test_hq_sees_all_villages(personas, tree):
    assert set(selectors.villages_for_user(personas.hq).values_list("code", flat=True)) == {"A", "B", "D"}


def test_superuser_sees_everything(tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-long-password")
    assert selectors.areas_for_user(admin).count() == Area.objects.count()


def test_a_user_without_roles_sees_nothing(tree, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password")
    assert selectors.areas_for_user(nobody).count() == 0


def test_area_list_shows_only_villages_in_scope(client_as, tree):
    page = client_as("cadre_b").get(reverse("villages:area_list")).content.decode()
    assert "东河村" in page
    assert "大连村" not in page


def test_read_only_roles_get_403_on_write_and_writers_get_the_object(personas, tree):
    with pytest.raises(PermissionDenied):
        selectors.area_for_user(personas.auditor, tree.village_a.pk, write=True)
    with pytest.raises(PermissionDenied):
        selectors.area_for_user(personas.funder, tree.village_a.pk, write=True)
    assert selectors.area_for_user(personas.cadre_a, tree.village_a.pk, write=True) == tree.village_a
    with pytest.raises(Http404):
        selectors.area_for_user(personas.cadre_b, tree.village_a.pk, write=True)


def test_expired_assignments_give_no_access(personas, tree):
    from datetime import date

    personas.cadre_a.person.roles.update(ends_on=date(2000, 1, 1))
    personas.cadre_a.__dict__.pop("_zhucun_assignments", None)
    assert selectors.areas_for_user(personas.cadre_a).count() == 0


def test_has_role_looks_up_the_tree(personas, tree):
    assert selectors.has_role(personas.hq, "hq_staff", tree.village_b)
    assert not selectors.has_role(personas.cadre_a, "first_secretary", tree.village_b)


def test_scope_query_count_is_fixed(personas, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        list(selectors.villages_for_user(personas.township))
