import json

import pytest

from grievances.models import Case
from offline.selectors import village_package
from tests.factories import user_with_role
from tests.grievances.factories import make_case
from villages.models import Role

pytestmark = pytest.mark.django_db


def get_package(client, village):
    return client.get(f"/offline/package/{village.pk}/")


def test_it_gives_a_cadre_their_village_with_names_phones_groups_and_positions(client_as, tree, homes):
    response = get_package(client_as("cadre_a"), tree.village_a)
    assert response.status_code == 200
    data = json.loads(response.content)
    rows = {h["number"]: h for h in data["households"]}
    assert set(rows) == {"A001", "A002"}
    assert rows["A001"] == {
        "id": homes.a1.pk,
        "number": "A001",
        "head": "陈德明",
        "group": tree.group_a1.pk,
        "version": 1,
        "lon": 108.51,
        "lat": 32.41,
        "address": "一组12号",
        "phone": "13812345678",
    }
    assert "lon" not in rows["A002"]
    assert {g["name"] for g in data["groups"]} == {"一组", "二组"}
    # ID numbers never travel to the phone.
    assert "610924198001011234" not in response.content.decode()


def test_it_keeps_only_open_problems_and_open_cases(client_as, tree, homes, personas):
    open_case = make_case(personas.cadre_a, tree.village_a)
    closed_case = make_case(personas.cadre_a, tree.village_a, title="已结案")
    Case.objects.filter(pk=closed_case.pk).update(status="closed")
    data = json.loads(get_package(client_as("cadre_a"), tree.village_a).content)
    assert [p["title"] for p in data["problems"]] == ["屋顶漏雨"]
    assert [c["id"] for c in data["cases"]] == [open_case.pk]
    # Parties of a dispute never go into the package.
    assert "王建国" not in json.dumps(data, ensure_ascii=False)


def test_it_lists_the_people_who_attend_meetings_but_not_auditors_or_funders(client_as, tree, homes):
    user_with_role("officer_a", Role.VILLAGE_OFFICER, tree.village_a)
    data = json.loads(get_package(client_as("cadre_a"), tree.village_a).content)
    roles = {p["role"] for p in data["attendees"]}
    assert Role.VILLAGE_OFFICER in roles and Role.FIRST_SECRETARY in roles
    assert not roles & {Role.AUDITOR, Role.FUNDER}


@pytest.mark.parametrize("persona", ["township", "hq", "auditor", "funder"])
def test_it_masks_names_and_phones_for_roles_outside_the_village(client_as, tree, homes, persona):
    response = get_package(client_as(persona), tree.village_a)
    assert response.status_code == 200
    rows = {h["number"]: h for h in json.loads(response.content)["households"]}
    assert rows["A001"]["head"] == "陈**"
    assert "phone" not in rows["A001"] and "address" not in rows["A001"]
    assert rows["A001"]["phone_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "village", "status"),
    [
        ("cadre_a", "village_a", 200),
        ("cadre_a", "village_b", 404),
        ("cadre_b", "village_a", 404),
        ("cadre_b", "village_b", 200),
        ("township", "village_b", 200),
        ("township", "village_d", 404),
        ("hq", "village_d", 200),
        ("funder", "village_b", 404),
        ("anonymous", "village_a", 302),
    ],
)
def test_it_scopes_the_package_to_the_users_villages(client_as, tree, homes, persona, village, status):
    assert get_package(client_as(persona), getattr(tree, village)).status_code == status


def test_it_gives_a_group_head_only_their_groups_households(client, tree, homes, group_head):
    client.force_login(group_head)
    data = json.loads(get_package(client, tree.village_a).content)
    assert [h["number"] for h in data["households"]] == ["A001"]
    assert data["households"][0]["head"] == "陈德明"
    assert [p["title"] for p in data["problems"]] == ["屋顶漏雨"]


def test_it_reports_size_and_generation_time_and_answers_304_when_unchanged(client_as, tree, homes):
    client = client_as("cadre_a")
    first = get_package(client, tree.village_a)
    assert int(first["X-Package-Bytes"]) == len(first.content)
    assert int(first["X-Generation-Ms"]) >= 0
    body = json.loads(first.content)
    assert body["etag"] == first["ETag"] and body["generated_at"]
    again = client.get(f"/offline/package/{tree.village_a.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    homes.a2.head_name = "李华华"
    homes.a2.save()
    changed = client.get(f"/offline/package/{tree.village_a.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_it_gives_each_user_their_own_etag(personas, tree, homes):
    mine = village_package(personas.cadre_a, tree.village_a)
    theirs = village_package(personas.township, tree.village_a)
    assert mine.etag != theirs.etag
    assert mine.size == len(mine.body)


def test_it_compresses_the_package_for_phones_that_accept_gzip(client_as, tree, homes):
    import gzip

    response = client_as("cadre_a").get(f"/offline/package/{tree.village_a.pk}/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.content)
    assert len(body) == int(response["X-Package-Bytes"]) and int(response["X-Transfer-Bytes"]) == len(response.content)
    assert json.loads(body)["village"]["code"] == "A"
