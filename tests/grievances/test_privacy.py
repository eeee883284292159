import io

import pytest
from openpyxl import load_workbook

from grievances.models import Party, Reveal
from grievances.services import PartyData
from tests.factories import user_with_role
from tests.grievances.factories import make_case
from villages.models import Role

pytestmark = pytest.mark.django_db

NAME, ID_NUMBER, PHONE = "陈德明", "610924198001011234", "13812345678"


def test_it_stores_party_data_encrypted(case_a):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone FROM grievances_party")
        raw = " ".join(" ".join(row) for row in cursor.fetchall())
    assert NAME not in raw and ID_NUMBER not in raw and PHONE not in raw
    assert Party.objects.filter(case=case_a).first().name == NAME


@pytest.mark.parametrize("persona", ["cadre_a", "township", "hq", "auditor", "funder"])
def test_it_shows_parties_masked_on_the_case_page(client_as, case_a, persona):
    page = client_as(persona).get(f"/disputes/{case_a.pk}/").content.decode()
    assert "陈**" in page and "138****5678" in page
    assert NAME not in page and ID_NUMBER not in page and PHONE not in page


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("cadre_a", True), ("township", True), ("hq", False), ("auditor", False), ("funder", False), ("cadre_b", None)],
)
def test_it_reveals_only_to_handlers_and_their_superiors_and_logs_it(client_as, case_a, persona, allowed):
    response = client_as(persona).post(f"/disputes/{case_a.pk}/reveal/")
    if allowed is None:
        assert response.status_code == 404
    elif allowed:
        page = response.content.decode()
        assert response.status_code == 200 and NAME in page and ID_NUMBER in page and PHONE in page
        assert Reveal.objects.filter(case=case_a, user__username=persona).count() == 1
    else:
        assert response.status_code == 403
    if not allowed:
        assert not Reveal.objects.exists()


def test_it_lets_a_group_head_reveal_only_cases_handled_at_their_group(tree, personas, client_as):
    from django.test import Client

    head = user_with_role("head_a2", Role.GROUP_HEAD, tree.group_a2)
    grid_case = make_case(personas.cadre_a, tree.village_a, group=tree.group_a2, level="grid")
    village_case = make_case(personas.cadre_a, tree.village_a, group=tree.group_a2, level="village")
    client = Client()
    client.force_login(head)
    assert client.post(f"/disputes/{grid_case.pk}/reveal/").status_code == 200
    assert client.post(f"/disputes/{village_case.pk}/reveal/").status_code == 403


def test_it_keeps_personal_data_out_of_the_excel_export(client_as, case_a):
    response = client_as("cadre_a").get("/disputes/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "陈**" in text and NAME not in text and PHONE not in text and ID_NUMBER not in text


def test_it_keeps_personal_data_out_of_the_api(client_as, case_a):
    body = client_as("township").get(f"/disputes/api/cases/{case_a.pk}/").content.decode()
    assert "陈**" in body and NAME not in body and PHONE not in body and ID_NUMBER not in body


def test_it_prints_the_agreement_in_full_for_handlers_only_and_logs_it(client_as, personas, case_a):
    import docx
    from django.utils import timezone

    from tests.grievances.factories import run_to

    run_to(case_a, personas.cadre_a, "agreement", today=timezone.localdate())
    response = client_as("cadre_a").get(f"/disputes/{case_a.pk}/agreement.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    table = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "人民调解协议书" in text and NAME in text and "争议事项" in text and "履行方式与期限" in text
    assert "签名或按指印" in table and NAME in table
    assert Reveal.objects.filter(case=case_a, purpose="print").count() == 1
    assert client_as("hq").get(f"/disputes/{case_a.pk}/agreement.docx").status_code == 403
    assert client_as("cadre_b").get(f"/disputes/{case_a.pk}/agreement.docx").status_code == 404


def test_it_writes_names_in_the_export_only_where_allowed_and_logs_it(client_as, personas, tree, case_a):
    make_case(personas.township, tree.village_a, level="township", parties=[PartyData(name="孟德华")])

    def names(persona):
        response = client_as(persona).get("/disputes/ledger.xlsx?reveal=1")
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]

    # The village cadre may reveal the village case but not the township one; HQ neither.
    assert sorted(names("cadre_a")) == sorted(["陈德明、王建国", "孟**"])
    assert Reveal.objects.filter(user__username="cadre_a", purpose="export").count() == 1
    assert sorted(names("hq")) == sorted(["陈**、王**", "孟**"])
    assert not Reveal.objects.filter(user__username="hq").exists()
