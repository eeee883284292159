"""The phone API: client-UUID idempotency, scope, bad input, photos one by one, and the OpenAPI schema."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import CheckIn, Photo, Problem, Visit
from tests.fieldwork.factories import jpeg_upload

pytestmark = pytest.mark.django_db


def _visit(client, household, **extra):
    body = {"household": household.pk, "visited_at": timezone.now().isoformat(), **extra}
    return client.post(reverse("fieldwork:api_visit-list"), body, content_type="application/json")


def test_a_retried_visit_with_the_same_uuid_returns_the_first_with_200(client_as, households):
    client = client_as("cadre_a")
    key = str(uuid.uuid4())
    first = _visit(
        client,
        households.a1,
        client_uuid=key,
        lon=108.52,
        lat=32.42,
        accuracy_m=12,
        checks={"food": "ok"},
        follow_ups=[{"action": "送药", "due_on": "2030-01-01"}],
    )
    second = _visit(client, households.a1, client_uuid=key, findings="different text")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.count() == 1 and Visit.objects.get().findings == ""
    assert first.json()["gps_poor"] is False and first.json()["position"]["lon"] == pytest.approx(108.52)


def test_a_uuid_of_another_user_is_refused(client_as, households):
    key = str(uuid.uuid4())
    _visit(client_as("cadre_a"), households.a1, client_uuid=key)
    assert _visit(client_as("township"), households.a1, client_uuid=key).status_code == 403
    assert _visit(client_as("cadre_b"), households.b1, client_uuid=key).status_code == 403
    assert Visit.objects.count() == 1


def test_bad_visit_input_is_a_400_and_saves_nothing(client_as, households):
    client = client_as("cadre_a")
    future = (timezone.now() + timezone.timedelta(days=3)).isoformat()
    assert _visit(client, households.a1, visited_at=future).status_code == 400
    assert _visit(client, households.a1, lon=190, lat=32).status_code == 400
    assert _visit(client, households.a1, lon=108.5).status_code in (201, 400)
    assert _visit(client, households.a1, checks={"gold": "ok"}).status_code == 400
    assert _visit(client, households.a1, client_uuid="not-a-uuid").status_code == 400
    assert Visit.objects.filter(findings__gt="").count() == 0


def test_a_point_outside_the_village_is_saved_and_flagged(client_as, households):
    response = _visit(client_as("cadre_a"), households.a1, lon=108.9, lat=32.9, accuracy_m=400)
    assert response.status_code == 201
    assert response.json()["outside_village"] is True and response.json()["gps_poor"] is True


def test_photos_upload_one_by_one_and_a_retry_returns_the_first(client_as, households):
    client = client_as("cadre_a")
    visit_id = _visit(client, households.a1).json()["id"]
    url = reverse("fieldwork:api_visit-photos", args=[visit_id])
    key = str(uuid.uuid4())
    first = client.post(url, {"photo": jpeg_upload(), "client_uuid": key})
    again = client.post(url, {"photo": jpeg_upload(), "client_uuid": key})
    second = client.post(url, {"photo": jpeg_upload(fmt="PNG", name="p.png", content_type="image/png")})
    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 201)
    assert Photo.objects.count() == 2
    photo = Photo.objects.get(client_uuid=key)
    with photo.image.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert max(photo.width, photo.height) == 1600


def test_a_file_that_is_not_an_image_or_too_large_is_refused(client_as, households, settings):
    client = client_as("cadre_a")
    visit_id = _visit(client, households.a1).json()["id"]
    url = reverse("fieldwork:api_visit-photos", args=[visit_id])
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>" * 10, content_type="image/jpeg")
    response = client.post(url, {"photo": fake})
    assert response.status_code == 400 and "不是照片" in str(response.json())
    settings.UPLOAD_MAX_BYTES = 1000
    response = client.post(url, {"photo": jpeg_upload(size=(400, 400))})
    assert response.status_code == 400 and "超过" in str(response.json())
    assert Photo.objects.count() == 0


def test_photos_are_served_only_to_users_in_scope(client_as, households):
    client = client_as("cadre_a")
    visit_id = _visit(client, households.a1).json()["id"]
    client.post(reverse("fieldwork:api_visit-photos", args=[visit_id]), {"photo": jpeg_upload(size=(50, 50))})
    url = reverse("fieldwork:photo_file", args=[Photo.objects.get().pk])
    ok = client.get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    assert client_as("cadre_b").get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code == 302


def test_problems_can_be_created_idempotently_from_a_visit(client_as, households):
    client = client_as("cadre_a")
    visit_id = _visit(client, households.a1).json()["id"]
    key = str(uuid.uuid4())
    body = {"visit": visit_id, "title": "屋顶漏雨", "client_uuid": key}
    url = reverse("fieldwork:api_problem-list")
    first = client.post(url, body, content_type="application/json")
    second = client.post(url, body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    problem = Problem.objects.get()
    assert problem.household == households.a1 and problem.source == "visit"
    assert client.post(url, {"title": "无村"}, content_type="application/json").status_code == 400


def test_check_ins_once_a_day_and_idempotent(client_as, tree):
    client = client_as("cadre_a")
    url = reverse("fieldwork:api_checkin-list")
    key = str(uuid.uuid4())
    first = client.post(
        url, {"client_uuid": key, "lon": 108.51, "lat": 32.41, "accuracy_m": 10}, content_type="application/json"
    )
    again = client.post(url, {"client_uuid": key}, content_type="application/json")
    other = client.post(url, {}, content_type="application/json")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 200)
    assert CheckIn.objects.count() == 1 and first.json()["outside_village"] is False
    assert client_as("hq").post(url, {}, content_type="application/json").status_code == 403
    assert client.post(url, {"village": tree.village_b.pk}, content_type="application/json").status_code == 404


def test_the_household_api_masks_phones_and_is_scoped(client_as, households):
    data = client_as("cadre_a").get(reverse("fieldwork:api_household-list")).json()
    numbers = {row["number"]: row for row in data["results"]}
    assert set(numbers) == {"A001", "A002"} and numbers["A001"]["phone"] == "138****5678"


def test_the_endpoints_are_in_the_openapi_schema(client_as):
    schema = client_as("hq").get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/fieldwork/api/visits/",
        "/fieldwork/api/visits/{id}/photos/",
        "/fieldwork/api/problems/",
        "/fieldwork/api/checkins/",
        "/fieldwork/api/households/",
    ):
        assert path in schema["paths"]
    visit = schema["components"]["schemas"]["Visit"]["properties"]
    assert "client_uuid" in visit and visit["client_uuid"]["format"] == "uuid"
