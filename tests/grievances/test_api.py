import uuid

import pytest

from grievances.models import Case

pytestmark = pytest.mark.django_db


def payload(village, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "village": village.pk,
        "source": "hotline",
        "category": "land",
        "title": "茶园地界争议",
        "facts": "两户茶园地界不清。",
        "level": "village",
        "parties": [{"name": "王德华", "phone": "13600001111"}, {"name": "陈春秀", "role": "respondent"}],
        **extra,
    }


def test_it_takes_in_a_case_once_per_client_uuid(client_as, tree):
    client = client_as("cadre_a")
    data = payload(tree.village_a, latitude=32.41, longitude=108.51)
    first = client.post("/disputes/api/cases/", data, content_type="application/json")
    again = client.post("/disputes/api/cases/", data, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1
    assert first.json()["parties"][0]["name"] == "王**"
    assert "13600001111" not in first.content.decode()


def test_it_refuses_intake_outside_scope_or_read_only(client_as, tree):
    response = client_as("cadre_a").post(
        "/disputes/api/cases/", payload(tree.village_b), content_type="application/json"
    )
    assert response.status_code == 400 and "工作范围" in response.json()["village"][0]
    response = client_as("auditor").post(
        "/disputes/api/cases/", payload(tree.village_a), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_it_refuses_a_retry_of_someone_elses_case(client_as, tree):
    data = payload(tree.village_a)
    assert client_as("cadre_a").post("/disputes/api/cases/", data, content_type="application/json").status_code == 201
    response = client_as("cadre_b").post("/disputes/api/cases/", data, content_type="application/json")
    assert response.status_code == 404 and Case.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"category": "=cmd()"},
        {"parties": []},
        {"deadline": "2001-01-01"},
        {"client_uuid": "not-a-uuid"},
        {"latitude": 999},
        {"title": "x" * 1000},
    ],
)
def test_it_refuses_malformed_intake_with_400(client_as, tree, change):
    response = client_as("cadre_a").post(
        "/disputes/api/cases/", payload(tree.village_a, **change), content_type="application/json"
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_it_lists_cases_in_scope_only(client_as, tree, case_a):
    assert [c["id"] for c in client_as("township").get("/disputes/api/cases/").json()["results"]] == [case_a.pk]
    assert client_as("cadre_b").get("/disputes/api/cases/").json()["results"] == []


def test_it_is_in_the_openapi_schema(client_as):
    schema = client_as("hq").get("/api/schema/").content.decode()
    assert "/disputes/api/cases/" in schema and "client_uuid" in schema


INTAKE = {"cadre_a": 201, "cadre_b": 400, "township": 201, "hq": 403, "auditor": 403, "funder": 403, "anonymous": 403}


@pytest.mark.parametrize("persona", list(INTAKE))
def test_intake_permission_matrix(client_as, tree, persona):
    response = client_as(persona).post("/disputes/api/cases/", payload(tree.village_a), content_type="application/json")
    assert response.status_code == INTAKE[persona]
    assert Case.objects.count() == (1 if INTAKE[persona] == 201 else 0)
