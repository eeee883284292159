"""Permission matrix: every fieldwork page and API endpoint, for every persona."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.models import LeaveRequest
from tests.conftest import PERSONA_NAMES
from tests.fieldwork.factories import jpeg_upload

pytestmark = pytest.mark.django_db

READ_A = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
WRITE_A = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 403, "funder": 403, "anonymous": 302}
LISTS = {"cadre_a": 200, "cadre_b": 200, "township": 200, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
CREATE = {"cadre_a": 200, "cadre_b": 200, "township": 200, "hq": 200, "auditor": 403, "funder": 403, "anonymous": 302}
FIELD_ONLY = {
    "cadre_a": 200,
    "cadre_b": 200,
    "township": 403,
    "hq": 403,
    "auditor": 403,
    "funder": 403,
    "anonymous": 302,
}
API_READ_A = {**READ_A, "anonymous": 403}
API_LIST = {**LISTS, "anonymous": 403}


@pytest.fixture
def world(personas, households, tree):
    now = timezone.now()
    visit, _ = services.visit_record(actor=personas.cadre_a, household=households.a1, visited_at=now)
    photo, _ = services.photo_add(actor=personas.cadre_a, upload=jpeg_upload(size=(64, 48)), visit=visit)
    problem, _ = services.problem_raise(actor=personas.cadre_a, village=tree.village_a, title="水管破裂")
    meeting, _ = services.meeting_record(
        actor=personas.cadre_a, village=tree.village_a, kind="affairs", held_at=now, topics="春茶"
    )
    leave = services.leave_request(
        actor=personas.cadre_a,
        village=tree.village_a,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="开会",
    )
    record = services.monitoring_start(
        actor=personas.cadre_a,
        household=households.a1,
        category="marginal",
        reason="因病",
        started_on=timezone.localdate(),
    )
    checkin, _ = services.checkin_record(actor=personas.cadre_a, village=tree.village_a)
    return {
        "visit": visit,
        "photo": photo,
        "problem": problem,
        "meeting": meeting,
        "leave": leave,
        "record": record,
        "checkin": checkin,
        "household": households.a1,
    }


PAGES = [
    ("fieldwork:dashboard", None, LISTS),
    ("fieldwork:household_list", None, LISTS),
    ("fieldwork:household_create", None, CREATE),
    ("fieldwork:household_import", None, CREATE),
    ("fieldwork:household_export", None, LISTS),
    ("fieldwork:household_search", None, LISTS),
    ("fieldwork:household_detail", "household", READ_A),
    ("fieldwork:household_edit", "household", WRITE_A),
    ("fieldwork:member_create", "household", WRITE_A),
    ("fieldwork:income_create", "household", WRITE_A),
    ("fieldwork:monitoring_start", "household", WRITE_A),
    ("fieldwork:monitoring_advance", "record", WRITE_A),
    ("fieldwork:visit_list", None, LISTS),
    ("fieldwork:visit_create", None, CREATE),
    ("fieldwork:visit_detail", "visit", READ_A),
    ("fieldwork:photo_file", "photo", READ_A),
    ("fieldwork:problem_list", None, LISTS),
    ("fieldwork:problem_create", None, CREATE),
    ("fieldwork:problem_detail", "problem", READ_A),
    ("fieldwork:meeting_list", None, LISTS),
    ("fieldwork:meeting_create", None, CREATE),
    ("fieldwork:meeting_detail", "meeting", READ_A),
    ("fieldwork:attendance", None, LISTS),
    ("fieldwork:leave_create", None, FIELD_ONLY),
    ("fieldwork:leave_detail", "leave", READ_A),
    ("fieldwork:diary_list", None, LISTS),
    ("fieldwork:diary_create", None, FIELD_ONLY),
    ("fieldwork:api_household-list", None, API_LIST),
    ("fieldwork:api_household-detail", "household", API_READ_A),
    ("fieldwork:api_visit-list", None, API_LIST),
    ("fieldwork:api_visit-detail", "visit", API_READ_A),
    ("fieldwork:api_problem-list", None, API_LIST),
    ("fieldwork:api_problem-detail", "problem", API_READ_A),
    ("fieldwork:api_checkin-list", None, API_LIST),
    ("fieldwork:api_checkin-detail", "checkin", API_READ_A),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "obj", "matrix"), PAGES, ids=[p[0] for p in PAGES])
def test_page_permission_matrix(client_as, world, persona, name, obj, matrix):
    url = reverse(name, args=[world[obj].pk] if obj else [])
    response = client_as(persona).get(url)
    assert response.status_code == matrix[persona]


POSTS = [
    ("fieldwork:visit_raise_problem", "visit", {}),
    ("fieldwork:visit_photo_add", "visit", {}),
    ("fieldwork:problem_detail", "problem", {"status": "in_progress"}),
]
POST_A = {"cadre_a": 302, "cadre_b": 404, "township": 302, "hq": 302, "auditor": 403, "funder": 403, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "obj", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_post_permission_matrix(client_as, world, persona, name, obj, data):
    response = client_as(persona).post(reverse(name, args=[world[obj].pk]), data)
    assert response.status_code == POST_A[persona]


API_CREATE = {
    "cadre_a": 201,
    "cadre_b": 404,
    "township": 201,
    "hq": 201,
    "auditor": 403,
    "funder": 403,
    "anonymous": 403,
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_api_visit_create_matrix(client_as, world, persona):
    body = {"household": world["household"].pk, "visited_at": timezone.now().isoformat()}
    response = client_as(persona).post(reverse("fieldwork:api_visit-list"), body, content_type="application/json")
    assert response.status_code == API_CREATE[persona]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_api_problem_create_matrix(client_as, world, persona, tree):
    body = {"village": tree.village_a.pk, "title": "道路塌方"}
    response = client_as(persona).post(reverse("fieldwork:api_problem-list"), body, content_type="application/json")
    assert response.status_code == API_CREATE[persona]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_api_photo_upload_matrix(client_as, world, persona):
    url = reverse("fieldwork:api_visit-photos", args=[world["visit"].pk])
    response = client_as(persona).post(url, {"photo": jpeg_upload(size=(40, 30))})
    assert response.status_code == API_CREATE[persona]


CHECKIN = {"cadre_a": 302, "cadre_b": 302, "township": 403, "hq": 403, "auditor": 403, "funder": 403, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_checkin_matrix(client_as, world, persona):
    response = client_as(persona).post(reverse("fieldwork:checkin_create"))
    assert response.status_code == CHECKIN[persona]


LEAVE_DECIDE = {
    "cadre_a": 403,
    "cadre_b": 404,
    "township": 302,
    "hq": 403,
    "auditor": 403,
    "funder": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_leave_decision_matrix(client_as, world, persona):
    response = client_as(persona).post(reverse("fieldwork:leave_detail", args=[world["leave"].pk]), {"approve": "1"})
    assert response.status_code == LEAVE_DECIDE[persona]
    expected = "approved" if persona == "township" else "pending"
    assert LeaveRequest.objects.get().status == expected
