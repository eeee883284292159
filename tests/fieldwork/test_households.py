"""Household list (filters, fixed query count at 2,000 households), page with its history, forms, masking."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fieldwork import selectors, services
from fieldwork.models import Household, Member
from villages.models import Event

pytestmark = pytest.mark.django_db


def _bulk_households(village, group, count):
    Household.objects.bulk_create(
        Household(village=village, group=group, number=f"N{i:05d}", head_name=f"户主{i}") for i in range(count)
    )
    households = list(Household.objects.filter(village=village, number__startswith="N"))
    Member.objects.bulk_create(
        Member(household=h, name=f"成员{h.pk}", relation="head", sex="m", birth_year=1970) for h in households
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_household_list_renders_2000_households_in_a_fixed_number_of_queries(client_as, tree, personas):
    client = client_as("cadre_a")
    url = reverse("fieldwork:household_list")
    _bulk_households(tree.village_a, tree.group_a1, 20)
    small = _queries(client, url)
    Household.objects.bulk_create(
        Household(village=tree.village_a, group=tree.group_a2, number=f"M{i:05d}", head_name=f"户{i}")
        for i in range(2000 - 20)
    )
    large = _queries(client, url)
    assert Household.objects.filter(village=tree.village_a).count() == 2000
    assert large == small
    assert large <= 12


def test_it_filters_by_search_group_category_and_not_visited(personas, households, tree):
    user = personas.cadre_a
    assert list(selectors.households_for_user(user, q="王秀英")) == [households.a1]  # a member's name
    assert list(selectors.households_for_user(user, group=tree.group_a2.pk)) == [households.a2]
    assert list(selectors.households_for_user(user, category="unstable")) == [households.a2]
    assert list(selectors.households_for_user(user, category="any")) == [households.a2]
    services.visit_record(actor=user, household=households.a1, visited_at=timezone.now() - timedelta(days=3))
    assert list(selectors.households_for_user(user, not_visited_days=30)) == [households.a2]
    assert list(selectors.households_for_user(user, not_visited_days=1)) == [households.a1, households.a2]


def test_the_list_shows_only_households_in_scope(client_as, households):
    page = client_as("cadre_b").get(reverse("fieldwork:household_list")).content.decode()
    assert "张山" in page and "陈德明" not in page


def test_the_household_page_masks_phone_and_id_and_logs_a_reveal(client_as, households):
    client = client_as("cadre_a")
    url = reverse("fieldwork:household_detail", args=[households.a1.pk])
    page = client.get(url).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "6109**********1234" in page
    revealed = client.get(url, {"reveal": "1"}).content.decode()
    assert "610924198001011234" in revealed
    assert Event.objects.filter(kind="fieldwork.household.revealed").count() == 1
    auditor_page = client_as("auditor").get(url, {"reveal": "1"}).content.decode()
    assert "610924198001011234" not in auditor_page


def test_the_household_page_shows_its_whole_history(client_as, personas, households, tree):
    user = personas.cadre_a
    visit, _ = services.visit_record(
        actor=user, household=households.a1, visited_at=timezone.now(), findings="茶园缺水", checks={"water": "risk"}
    )
    services.problem_raise_from_visit(actor=user, visit=visit)
    services.income_set(actor=user, household=households.a1, year=2025, source="farming", amount="12000.5")
    services.meeting_record(
        actor=user,
        village=tree.village_a,
        kind="affairs",
        held_at=timezone.now(),
        topics="用水",
        households=[households.a1],
    )
    page = client_as("township").get(reverse("fieldwork:household_detail", args=[households.a1.pk])).content.decode()
    for text in ("茶园缺水", "饮水安全: 有风险", "¥12,000.50", "村务会", "王秀英", "<strong>2025</strong>"):
        assert text in page
    assert "2,025" not in page  # a year, not a quantity: no thousands separator


def test_it_creates_and_edits_a_household_and_refuses_a_duplicate_id_number(client_as, households, tree):
    client = client_as("cadre_a")
    data = {
        "village": tree.village_a.pk,
        "group": tree.group_a1.pk,
        "number": "A010",
        "head_name": "周平",
        "id_number": "610924198001011234",
        "monitoring_category": "",
        "lon": "108.51",
        "lat": "32.41",
    }
    response = client.post(reverse("fieldwork:household_create"), data)
    assert response.status_code == 200
    assert "已有其他农户使用该身份证号" in response.content.decode()
    data["id_number"] = "61092419800101999X"
    response = client.post(reverse("fieldwork:household_create"), data)
    household = Household.objects.get(number="A010")
    assert response.status_code == 302 and household.location.x == pytest.approx(108.51)
    data.update(head_name="周平安", monitoring_category="sudden")
    client.post(reverse("fieldwork:household_edit", args=[household.pk]), data)
    household.refresh_from_db()
    assert (household.head_name, household.monitoring_category, household.version) == ("周平安", "sudden", 2)
    event = Event.objects.filter(kind="fieldwork.household.updated").get()
    assert event.data["category_to"] == "sudden" and "610924" not in str(event.data)


def test_a_cadre_cannot_put_a_household_in_another_village(client_as, households, tree):
    data = {"village": tree.village_b.pk, "number": "X1", "head_name": "某", "monitoring_category": ""}
    response = client_as("cadre_a").post(reverse("fieldwork:household_create"), data)
    assert response.status_code == 200
    assert not Household.objects.filter(number="X1").exists()


def test_the_reverse_links_of_other_apps_are_optional(households):
    class Bare:
        pass

    assert selectors.linked(Bare(), "cases") == []
    assert selectors.household_cases(households.a1) == []


def test_nearest_households_are_sorted_by_distance_and_scoped(personas, households):
    rows = selectors.nearest_households(personas.cadre_a, 108.5101, 32.4101)
    assert [r["household"] for r in rows] == [households.a1, households.a2]
    assert rows[0]["metres"] < 30
    assert selectors.nearest_households(personas.cadre_b, 108.5101, 32.4101) == []


def test_the_search_endpoint_answers_nearest_and_by_name(client_as, households):
    client = client_as("cadre_a")
    url = reverse("fieldwork:household_search")
    assert client.get(url, {"lon": "108.5101", "lat": "32.4101"}).json()["results"][0]["id"] == households.a1.pk
    assert client.get(url, {"q": "李"}).json()["results"][0]["id"] == households.a2.pk
    assert client.get(url, {"lon": "500", "lat": "1"}).status_code == 400


def test_members_and_income_are_added_from_their_forms(client_as, households):
    client = client_as("cadre_a")
    h = households.a2
    client.post(
        reverse("fieldwork:member_create", args=[h.pk]),
        {
            "name": "李小华",
            "relation": "child",
            "sex": "f",
            "birth_year": "2010",
            "health": "healthy",
            "labour": "none",
            "education": "in_school",
        },
    )
    client.post(reverse("fieldwork:income_create", args=[h.pk]), {"year": "2025", "source": "wages", "amount": "30000"})
    assert h.members.get().name == "李小华"
    assert str(h.incomes.get().amount) == "30000.00"


def test_the_household_page_shows_the_monitoring_category_history(client_as, personas, households):
    services.household_update(actor=personas.cadre_a, household=households.a1, monitoring_category="sudden")
    page = client_as("cadre_a").get(reverse("fieldwork:household_detail", args=[households.a1.pk])).content.decode()
    assert "监测类别：未纳入监测 → 突发严重困难户" in page
