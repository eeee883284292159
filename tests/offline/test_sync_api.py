import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from fieldwork.models import Household, Photo, Problem, Visit
from grievances.models import Case
from tests.fieldwork.factories import jpeg_upload

pytestmark = pytest.mark.django_db

ITEMS = "/offline/api/items/"
PHOTOS = "/offline/api/photos/"


def send(client, kind, payload, client_uuid=None):
    body = {"kind": kind, "client_uuid": str(client_uuid or uuid.uuid4()), "payload": payload}
    return client.post(ITEMS, json.dumps(body), content_type="application/json")


def visit_payload(household, **extra):
    return {
        "household": household.pk,
        "visited_at": timezone.now().isoformat(),
        "purpose": "routine",
        "findings": "屋顶漏雨",
        "lon": 108.51,
        "lat": 32.41,
        "accuracy_m": 8,
        **extra,
    }


def dispute_payload(village, **extra):
    return {
        "village": village.pk,
        "source": "visit",
        "category": "water",
        "title": "争水",
        "facts": "两户争水。",
        "level": "village",
        "party_name": "陈德明",
        "party_phone": "13812345678",
        **extra,
    }


def test_it_creates_a_visit_once_however_often_it_is_retried(client_as, homes):
    client = client_as("cadre_a")
    key = uuid.uuid4()
    first = send(client, "visit", visit_payload(homes.a1), key)
    assert first.status_code == 201, first.content
    again = send(client, "visit", visit_payload(homes.a1), key)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(client_uuid=key).count() == 1
    visit = Visit.objects.get(client_uuid=key)
    assert visit.visitor.username == "cadre_a" and visit.location is not None


def test_it_creates_problems_meetings_check_ins_and_disputes(client_as, tree, homes):
    client = client_as("cadre_a")
    assert (
        send(client, "problem", {"village": tree.village_a.pk, "household": homes.a1.pk, "title": "缺水"}).status_code
        == 201
    )
    meeting = send(
        client,
        "meeting",
        {
            "village": tree.village_a.pk,
            "held_at": timezone.now().isoformat(),
            "topics": "产业",
            "households": [homes.a1.pk, homes.a2.pk],
            "names": ["王会计"],
        },
    )
    assert meeting.status_code == 201, meeting.content
    assert send(client, "checkin", {"village": tree.village_a.pk, "note": "到村"}).status_code == 201
    dispute = send(client, "dispute", dispute_payload(tree.village_a, household=homes.a1.pk))
    assert dispute.status_code == 201, dispute.content
    case = Case.objects.get(pk=dispute.json()["id"])
    assert case.recorded_by.username == "cadre_a" and case.parties.get().name == "陈德明"
    assert Problem.objects.filter(title="缺水", household=homes.a1).exists()


def test_it_refuses_a_household_outside_the_users_villages_and_writes_nothing(client_as, homes):
    response = send(client_as("cadre_a"), "visit", visit_payload(homes.b1))
    assert response.status_code == 404
    assert response.json()["message"] == "未找到，或不在您负责的村。"
    assert not Visit.objects.exists()


def test_it_refuses_a_meeting_listing_a_household_of_another_village(client_as, tree, homes):
    payload = {
        "village": tree.village_a.pk,
        "held_at": timezone.now().isoformat(),
        "topics": "x",
        "households": [homes.b1.pk],
    }
    assert send(client_as("cadre_a"), "meeting", payload).status_code == 404
    assert not Visit.objects.exists()


def test_it_refuses_a_replay_of_another_users_uuid(client_as, tree, homes, personas):
    key = uuid.uuid4()
    assert send(client_as("township"), "visit", visit_payload(homes.b1), key).status_code == 201
    # cadre_a replays township's UUID with a household of their own village: refused, nothing moves.
    replay = send(client_as("cadre_a"), "visit", visit_payload(homes.a1), key)
    assert replay.status_code == 403
    assert Visit.objects.get(client_uuid=key).household == homes.b1


def test_it_refuses_a_replay_of_another_users_dispute_uuid(client_as, tree, homes):
    key = uuid.uuid4()
    assert send(client_as("township"), "dispute", dispute_payload(tree.village_a), key).status_code == 201
    replay = send(client_as("cadre_a"), "dispute", dispute_payload(tree.village_a), key)
    assert replay.status_code == 403
    assert "id" not in replay.json()
    assert Case.objects.count() == 1


def test_it_refuses_a_dispute_from_hq_staff(client_as, tree):
    assert send(client_as("hq"), "dispute", dispute_payload(tree.village_a)).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "funder"])
def test_it_refuses_writes_from_read_only_roles(client_as, homes, persona):
    assert send(client_as(persona), "visit", visit_payload(homes.a1)).status_code == 403
    assert not Visit.objects.exists()


def test_it_refuses_anonymous_senders(client_as, homes):
    assert send(client_as("anonymous"), "visit", visit_payload(homes.a1)).status_code == 403


def test_it_needs_the_csrf_token(personas, homes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.cadre_a)
    assert send(client, "visit", visit_payload(homes.a1)).status_code == 403
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "visit", "client_uuid": "not-a-uuid", "payload": {}}, "client_uuid"),
        ({"kind": "rocket", "client_uuid": str(uuid.uuid4()), "payload": {}}, "kind"),
        ({"kind": "visit", "client_uuid": str(uuid.uuid4()), "payload": "x"}, "payload"),
        ({"kind": "visit", "client_uuid": str(uuid.uuid4()), "payload": {"household": "x"}}, "household"),
    ],
)
def test_it_rejects_malformed_items_with_a_message(client_as, homes, body, field):
    response = client_as("cadre_a").post(ITEMS, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"] or field in json.dumps(response.json()["errors"])
    assert response.json()["message"]


def test_it_rejects_a_visit_dated_in_the_future_in_chinese(client_as, homes):
    future = (timezone.now() + timedelta(days=2)).isoformat()
    response = send(client_as("cadre_a"), "visit", visit_payload(homes.a1, visited_at=future))
    assert response.status_code == 400
    # The fieldwork service's own words, in the user's language.
    with translation.override("zh-hans"):
        assert response.json()["message"] == translation.gettext("A visit cannot be dated in the future.")
    assert not Visit.objects.exists()


def test_it_rejects_non_json_bodies(client_as):
    response = client_as("cadre_a").post(ITEMS, "garbage", content_type="application/json")
    assert response.status_code == 400


def test_it_uploads_a_photo_once_even_when_retried(client_as, homes):
    client = client_as("cadre_a")
    visit_key, photo_key = uuid.uuid4(), uuid.uuid4()
    send(client, "visit", visit_payload(homes.a1), visit_key)
    data = {"client_uuid": str(photo_key), "parent_kind": "visit", "parent_uuid": str(visit_key)}
    first = client.post(PHOTOS, {**data, "image": jpeg_upload()})
    assert first.status_code == 201, first.content
    again = client.post(PHOTOS, {**data, "image": jpeg_upload()})
    assert again.status_code == 200
    assert Photo.objects.filter(client_uuid=photo_key).count() == 1
    assert Photo.objects.get().visit.client_uuid == visit_key


def test_it_refuses_a_photo_for_a_visit_outside_the_users_scope(client_as, homes):
    visit_key = uuid.uuid4()
    send(client_as("cadre_b"), "visit", visit_payload(homes.b1), visit_key)
    data = {"client_uuid": str(uuid.uuid4()), "parent_kind": "visit", "parent_uuid": str(visit_key)}
    assert client_as("cadre_a").post(PHOTOS, {**data, "image": jpeg_upload()}).status_code == 404
    assert not Photo.objects.exists()


def test_it_rejects_a_file_that_is_not_a_photo(client_as, homes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("cadre_a")
    visit_key = uuid.uuid4()
    send(client, "visit", visit_payload(homes.a1), visit_key)
    data = {"client_uuid": str(uuid.uuid4()), "parent_kind": "visit", "parent_uuid": str(visit_key)}
    upload = SimpleUploadedFile("x.jpg", b"<script>", content_type="image/jpeg")
    response = client.post(PHOTOS, {**data, "image": upload})
    assert response.status_code == 400 and response.json()["message"]
    assert not Photo.objects.exists()


def test_it_applies_an_edit_made_on_the_current_version(client_as, homes):
    response = send(client_as("cadre_a"), "household_edit", {"household": homes.a1.pk, "version": 1, "address": "新址"})
    assert response.status_code == 201
    homes.a1.refresh_from_db()
    assert homes.a1.address == "新址" and homes.a1.version == 2


def test_it_answers_a_stale_edit_with_both_versions_and_changes_nothing(client_as, homes, personas):
    from fieldwork.services import household_update

    household_update(actor=personas.township, household=homes.a1, address="镇上改的")
    response = send(
        client_as("cadre_a"), "household_edit", {"household": homes.a1.pk, "version": 1, "address": "我改的"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["server"] == {"version": 2, "address": "镇上改的"}
    assert body["mine"] == {"address": "我改的"}
    homes.a1.refresh_from_db()
    assert homes.a1.address == "镇上改的"
    # Choosing "keep mine" sends the edit again on the server's version.
    chosen = send(client_as("cadre_a"), "household_edit", {"household": homes.a1.pk, "version": 2, "address": "我改的"})
    assert chosen.status_code == 201
    homes.a1.refresh_from_db()
    assert homes.a1.address == "我改的" and homes.a1.version == 3


def test_it_treats_a_retried_edit_as_done(client_as, homes):
    client = client_as("cadre_a")
    key = uuid.uuid4()
    payload = {"household": homes.a1.pk, "version": 1, "address": "新址"}
    assert send(client, "household_edit", payload, key).status_code == 201
    assert send(client, "household_edit", payload, key).status_code == 200
    assert Household.objects.get(pk=homes.a1.pk).version == 2


def test_it_refuses_a_phone_change_from_a_role_that_sees_it_masked(client_as, homes):
    response = send(client_as("township"), "household_edit", {"household": homes.a1.pk, "version": 1, "phone": "1"})
    assert response.status_code == 403
    assert Household.objects.get(pk=homes.a1.pk).phone == "13812345678"


def test_it_lets_a_group_head_log_a_visit_in_their_group_only(client, homes, group_head):
    client.force_login(group_head)
    assert send(client, "visit", visit_payload(homes.a1)).status_code == 201
    assert send(client, "visit", visit_payload(homes.a2)).status_code == 404


def test_it_answers_the_ping_with_a_csrf_token(client_as):
    body = client_as("cadre_a").get("/offline/api/ping/").json()
    assert body["authenticated"] is True and body["user"] == "cadre_a" and body["csrf"]
    assert client_as("anonymous").get("/offline/api/ping/").json()["authenticated"] is False
