"""A case's summary and facts are free text that names the parties: they are masked wherever the
parties are (pages, API, exports, map popups, the offline package), and shown in full only in a
logged reveal."""

import io

import pytest
from openpyxl import load_workbook

from grievances.models import Reveal
from tests.grievances.factories import make_case

pytestmark = pytest.mark.django_db

TITLE = "陈德明与王建国茶园用水纠纷"
FACTS = "陈德明（电话13812345678）称王建国截水；王建国身份证61092419750505123X。另一证人电话13700001111。"
MASKED_TITLE = "陈**与王**茶园用水纠纷"
SECRETS = ("陈德明", "王建国", "13812345678", "61092419750505123X", "13700001111")


@pytest.fixture
def named_case(personas, tree):
    return make_case(personas.cadre_a, tree.village_a, group=tree.group_a1, title=TITLE, facts=FACTS)


def assert_masked(text: str):
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, leaked


def test_it_masks_names_phones_and_id_numbers_in_the_summary_and_facts(named_case):
    assert named_case.masked_title == MASKED_TITLE
    assert named_case.masked_facts == (
        "陈**（电话138****5678）称王**截水；王**身份证6109**********123X。另一证人电话137****1111。"
    )
    assert_masked(str(named_case))


@pytest.mark.parametrize("persona", ["cadre_a", "township", "hq", "auditor", "funder"])
def test_the_case_pages_show_the_summary_masked(client_as, named_case, persona):
    client = client_as(persona)
    for url in (
        "/disputes/",
        f"/disputes/{named_case.pk}/",
        "/disputes/ledger/?start=2000-01-01&end=2100-12-31",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert_masked(page)
    assert MASKED_TITLE in client.get(f"/disputes/{named_case.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["cadre_a", "hq", "auditor"])
def test_the_list_search_finds_what_the_list_shows_and_not_a_hidden_name(client_as, named_case, persona):
    client = client_as(persona)

    def found(query):
        return f'href="/disputes/{named_case.pk}/"' in client.get("/disputes/", {"q": query}).content.decode()

    assert found("茶园用水") and found("陈") and found(named_case.number)  # the family name is shown
    assert not found("陈德明") and not found("王建国")  # in the stored summary, masked on the list


def test_a_handler_sees_the_full_summary_only_in_a_logged_reveal(client_as, named_case):
    page = client_as("cadre_a").post(f"/disputes/{named_case.pk}/reveal/").content.decode()
    assert TITLE in page and "王建国截水" in page
    assert Reveal.objects.filter(case=named_case).count() == 1


@pytest.mark.parametrize("persona", ["cadre_a", "hq", "auditor"])
def test_the_api_masks_the_summary_and_facts(client_as, named_case, persona):
    response = client_as(persona).get(f"/disputes/api/cases/{named_case.pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == MASKED_TITLE
    assert_masked(response.content.decode())


def test_the_ledger_workbook_masks_the_summary_unless_revealed(client_as, named_case):
    client = client_as("cadre_a")
    url = "/disputes/ledger.xlsx?start=2000-01-01&end=2100-12-31"

    def cells(response) -> str:
        sheet = load_workbook(io.BytesIO(response.content)).active
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)

    masked = cells(client.get(url))
    assert MASKED_TITLE in masked
    assert_masked(masked)
    assert TITLE in cells(client.get(url + "&reveal=1"))


def test_the_map_popup_masks_the_summary(client_as, named_case):
    from django.contrib.gis.geos import Point

    named_case.location = Point(108.51, 32.41, srid=4326)
    named_case.save(update_fields=["location"])
    page = client_as("hq").get(f"/maps/layers/disputes/{named_case.pk}/popup/").content.decode()
    assert MASKED_TITLE in page
    assert_masked(page)


def test_the_offline_package_masks_the_summary(client_as, named_case, tree):
    response = client_as("cadre_a").get(f"/offline/package/{tree.village_a.pk}/")
    assert response.status_code == 200
    cases = response.json()["cases"]
    assert [c["title"] for c in cases] == [MASKED_TITLE]
    assert_masked(response.content.decode())


def test_an_unsaved_case_masks_numbers_and_has_a_label(tree):
    from grievances.models import Case

    case = Case(village=tree.village_a, title="电话13812345678的来访", facts="")
    assert case.masked_title == "电话138****5678的来访"
    assert "138****5678" in str(case)
