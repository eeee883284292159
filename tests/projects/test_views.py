"""Pages and API: the permission matrix over the personas, and what the pages do with bad input."""

import io
import json
from datetime import date

import pytest
from django.urls import reverse

from projects import services
from projects.models import ProjectSite, PublicNotice, SiteKind
from tests.conftest import PERSONA_NAMES
from tests.projects.factories import make_payment, upload

LINE = {"type": "LineString", "coordinates": [[108.51, 32.41], [108.52, 32.41]]}
OUTSIDE = {"type": "LineString", "coordinates": [[108.61, 32.41], [108.62, 32.41]]}


@pytest.fixture
def world(funded, chain):
    payment = make_payment(funded, chain)
    notice = services.notice_create(
        actor=funded.hq,
        project=funded.project,
        kind=PublicNotice.Kind.PRE_WORK,
        posted_from=date(2024, 3, 1),
        posted_until=date(2024, 3, 10),
        place="村委会公示栏",
    )
    return {"project": funded.project.pk, "grant": funded.grant.pk, "payment": payment.pk, "notice": notice.pk}


IN_A = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
ALL = dict.fromkeys(PERSONA_NAMES, 200) | {"anonymous": 302}
HQ_READ = {"cadre_a": 403, "cadre_b": 403, "township": 403, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
FINDINGS = HQ_READ | {"funder": 403}

PAGES = [
    ("projects:project_list", None, ALL),
    ("projects:project_detail", "project", IN_A),
    ("projects:grant_list", None, ALL),
    ("projects:grant_detail", "grant", IN_A),
    ("projects:payment_list", None, ALL),
    ("projects:payment_detail", "payment", IN_A),
    ("projects:approval_queue", None, ALL),
    ("projects:review", None, HQ_READ),
    ("projects:finding_list", None, FINDINGS),
    ("projects:notice_detail", "notice", IN_A),
    ("projects:notice_docx", "notice", IN_A),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "key", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_it_applies_the_permission_matrix_to_pages(client_as, world, persona, name, key, expected):
    url = reverse(name, args=[world[key]] if key else [])
    assert client_as(persona).get(url).status_code == expected[persona]


SITE_POST = {"cadre_a": 302, "cadre_b": 404, "township": 302, "hq": 302, "auditor": 403, "funder": 403}


@pytest.mark.parametrize("persona", [p for p in PERSONA_NAMES if p != "anonymous"])
def test_it_applies_the_permission_matrix_to_adding_a_site(client_as, world, persona):
    url = reverse("projects:site_add", args=[world["project"]])
    response = client_as(persona).post(url, {"kind": "pipe", "name": "主管道", "geometry": json.dumps(LINE)})
    assert response.status_code == SITE_POST[persona]
    # The township officer may look but plans nothing: refused with a message, nothing saved.
    assert ProjectSite.objects.exists() == (persona in ("cadre_a", "hq"))


@pytest.mark.parametrize("persona", ["auditor", "funder", "cadre_b", "township", "cadre_a"])
def test_read_only_and_other_roles_cannot_act_on_payments(client_as, world, persona):
    url = reverse("projects:payment_act", args=[world["payment"]])
    response = client_as(persona).post(url, {"action": "submit", "version": 1})
    assert response.status_code == {"auditor": 403, "funder": 403, "cadre_b": 404}.get(persona, 302)
    from projects.models import Payment

    assert Payment.objects.get(pk=world["payment"]).status == "draft"


def test_a_handler_submits_through_the_page_and_a_broken_rule_is_named(client, world, chain):
    client.force_login(chain[0])
    url = reverse("projects:payment_act", args=[world["payment"]])
    from projects.models import Payment

    Payment.objects.filter(pk=world["payment"]).update(payee_account="")
    response = client.post(url, {"action": "submit", "version": 1}, follow=True)
    assert "Transfer, not cash" in response.content.decode() or "转账" in response.content.decode()
    assert Payment.objects.get(pk=world["payment"]).status == "draft"


def test_it_refuses_a_site_outside_the_village(client_as, world):
    response = client_as("cadre_a").post(
        reverse("projects:site_add", args=[world["project"]]),
        {"kind": "pipe", "name": "x", "geometry": json.dumps(OUTSIDE)},
        follow=True,
    )
    assert response.status_code == 200
    assert not ProjectSite.objects.exists()


@pytest.mark.parametrize(
    "bad", ["not json", '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}', "x" * 10]
)
def test_it_refuses_invalid_geometry(client_as, world, bad):
    response = client_as("cadre_a").post(
        reverse("projects:site_add", args=[world["project"]]), {"kind": "pipe", "name": "x", "geometry": bad}
    )
    assert response.status_code == 302
    assert not ProjectSite.objects.exists()


def test_it_measures_a_drawn_line_geodesically(client_as, world):
    response = client_as("cadre_a").post(reverse("projects:site_measure"), {"geometry": json.dumps(LINE)})
    data = response.json()
    # 0.01° of longitude along the 32.41°N parallel on WGS-84: a·cosφ/√(1−e²sin²φ)·π/18000 = 940.68 m.
    assert data["length_m"] == "940.7"
    assert data["text"] == "941 m"


def test_the_word_notice_has_the_facts_and_no_personal_data(client_as, world, funded):
    from docx import Document

    response = client_as("cadre_a").get(reverse("projects:notice_docx", args=[world["notice"]]))
    text = "\n".join(
        cell.text for table in Document(io.BytesIO(response.content)).tables for row in table.rows for cell in row.cells
    )
    assert "大连村抗旱水利工程" in text and "安康市水利局" in text and "150000.00" in text
    assert "6222" not in text  # no bank account


def test_the_api_lists_in_scope_and_refuses_writes_from_read_only_roles(client_as, world):
    assert client_as("cadre_b").get("/projects/api/projects/").json()["count"] == 0
    assert client_as("funder").get("/projects/api/payments/").json()["count"] == 1
    assert "payee_account" not in client_as("auditor").get("/projects/api/payments/").json()["results"][0]
    assert client_as("anonymous").get("/projects/api/grants/").status_code == 403
    photo = {"project": world["project"], "phase": "before", "taken_at": "2024-05-01T10:00:00+08:00"}
    for persona, expected in (("auditor", 403), ("funder", 403), ("cadre_b", 404), ("cadre_a", 201)):
        data = dict(photo, photo=upload("p.jpg", _jpeg(), "image/jpeg"))
        assert client_as(persona).post("/projects/api/evidence/", data).status_code == expected, persona


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_schema_lists_the_projects_api(client_as, world):
    schema = client_as("hq").get("/api/schema/").content.decode()
    assert "/projects/api/payments/" in schema and "/projects/api/evidence/" in schema


def test_a_site_label_reads_like_the_ledger(funded):
    site = services.site_add(
        actor=funded.hq, project=funded.project, kind=SiteKind.PIPE, name="主管道", geometry=json.dumps(LINE)
    )
    assert site.label.endswith("941 m")


def test_the_review_pages_its_long_tables_each_on_its_own(client_as, funded, tree, monkeypatch):
    from projects.models import EconomicCategory, ProjectType

    second = services.project_create(
        actor=funded.hq,
        village=tree.village_a,
        code="P-2",
        name="茶园改造工程",
        type=ProjectType.TEA_GARDEN,
        implementer="大连村村民委员会",
        responsible_person="谢志军",
        starts_on=date(2024, 3, 1),
        ends_on=date(2026, 12, 31),
    )
    budget = services.project_budget_create(actor=funded.hq, project=second, grant=funded.grant, name="茶园预算")
    services.budget_line_create(
        actor=funded.hq,
        project_budget=budget,
        code="L-2",
        name="茶苗",
        economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
        amount="20000.00",
    )
    monkeypatch.setattr("projects.views.REVIEW_PAGE_SIZE", 1)
    client = client_as("hq")
    first = client.get(reverse("projects:review")).content.decode()
    later = client.get(reverse("projects:review") + "?projects=2").content.decode()
    names = ("大连村抗旱水利工程", "茶园改造工程")
    assert sum(name in first for name in names) == 1 and sum(name in later for name in names) == 1
    assert [name in first for name in names] != [name in later for name in names]
    assert "projects=2" in first and "villages=2" not in first  # one village: no pager for it


def test_the_review_counts_the_queue_per_step_with_the_longest_wait(client_as, funded, chain):
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import Payment, PaymentStatus
    from projects.selectors import queue_by_role

    now = timezone.now()
    placed = [
        (PaymentStatus.DRAFT, 0, 5),
        (PaymentStatus.SENT_BACK, 0, 9),
        (PaymentStatus.IN_CHAIN, 0, 30),  # not counted at step 1: the handler's queue is drafts and sent back
        (PaymentStatus.IN_CHAIN, 2, 3),
        (PaymentStatus.IN_CHAIN, 2, 7),
        (PaymentStatus.IN_CHAIN, 6, 1),
        (PaymentStatus.COMPLETED, 4, 40),
    ]
    for number, (status, step, days) in enumerate(placed):
        payment = make_payment(funded, chain, invoice_number=f"1234{number:04d}")
        Payment.objects.filter(pk=payment.pk).update(status=status, step=step, step_since=now - timedelta(days=days))
    rows = queue_by_role(funded.hq)
    assert [row["count"] for row in rows] == [2, 0, 2, 0, 0, 0, 1]
    assert rows[0]["longest"].days == 9 and rows[2]["longest"].days == 7 and rows[6]["longest"].days == 1
    assert rows[1]["longest"] is None
    assert client_as("hq").get(reverse("projects:review")).status_code == 200
