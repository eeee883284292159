"""The funding report and its public version, read back from every format, against projects' selectors."""

import datetime

import pytest
from django.utils import timezone

from fieldwork.models import Household
from projects import selectors as project_selectors
from reports.base import Params
from reports.exporters.funding import FundingReport, PublicFundingReport
from reports.renderers import render
from tests.projects.factories import make_payment, run_chain
from tests.reports.conftest import docx_text, pdf_text

pytestmark = pytest.mark.django_db
HOUSEHOLDS = [("A-001", "王小明"), ("A-002", "李桂兰")]


@pytest.fixture
def data_set(funded, chain, tree):
    """One payment paid through the whole chain (12,000.00), one waiting at step 3 (30,500.50), two beneficiaries."""
    paid = run_chain(make_payment(funded, chain, amount="12000.00"), chain)
    waiting = run_chain(make_payment(funded, chain, amount="30500.50", invoice_number="87654321"), chain, upto=3)
    for number, name in HOUSEHOLDS:
        household = Household.objects.create(village=tree.village_a, number=number, head_name=name, phone="13912345678")
        funded.project.beneficiaries.add(household)
    return {"paid": paid, "waiting": waiting}


def _params(area, user):
    today = timezone.localdate()
    return Params(area=area, start=datetime.date(2024, 1, 1), end=today, user=user)


def test_it_reports_the_figures_the_selectors_return(data_set, personas, tree, tmp_path):
    overview = project_selectors.spend_overview(
        personas.hq, villages=[tree.village_a], start=datetime.date(2024, 1, 1), end=timezone.localdate()
    )
    total = overview["total"]
    assert total.paid == 12000 and total.committed > total.paid  # the data set is what we think it is
    report = FundingReport().build(_params(tree.city, personas.hq))
    for fmt in ("docx", "xlsx", "pdf"):
        render(report, fmt, tmp_path / f"f.{fmt}")

    text = docx_text(tmp_path / "f.docx")
    assert "安康市总工会" in text
    assert "一、总体情况" in text
    assert f"{total.budget:,.2f}" in text and f"{total.paid:,.2f}" in text and f"{total.committed:,.2f}" in text
    assert f"{total.remaining:,.2f}" in text
    assert "管道维修工程款" in text and "30,500.50" in text
    assert "王**" in text and "王小明" not in text  # internal report: masked names only

    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    lines = [s for s in book.worksheets if s.max_column == 9][0]
    rows = list(lines.iter_rows(values_only=True))
    assert rows[1][5:9] == (150000, float(total.committed), 12000, float(total.remaining))

    pdf = pdf_text(tmp_path / "f.pdf")
    assert "大连村抗旱水利工程" in pdf and "12,000.00" in pdf


def test_the_approval_trail_lists_every_step(data_set, personas, tree):
    report = FundingReport().build(_params(tree.village_a, personas.hq))
    payments = next(
        t for s in report.sections for t in s.tables if len(t.columns) == 9 and t.columns[0].key == "number"
    )
    rows = list(payments.rows)
    trail = rows[0][-1]
    assert trail.count("；") == 6  # seven steps, in order
    assert "jingban" in trail or "经办人" in trail


def test_a_grant_filter_keeps_only_that_grant(data_set, personas, tree, funded):
    report = FundingReport().build(
        Params(
            area=tree.city,
            start=datetime.date(2024, 1, 1),
            end=timezone.localdate(),
            user=personas.hq,
            extra={"grant": funded.grant.pk + 1000},
        )
    )
    assert report.sections[0].stats[0].value == 0
    report = FundingReport().build(
        Params(
            area=tree.city,
            start=datetime.date(2024, 1, 1),
            end=timezone.localdate(),
            user=personas.hq,
            extra={"grant": funded.grant.pk},
        )
    )
    assert report.sections[0].stats[0].value == 150000  # the grant's one budget line
    assert report.sections[0].stats[2].value == 12000


def test_an_area_without_projects_is_an_honest_empty_report(personas, tree, tmp_path):
    report = FundingReport().build(_params(tree.village_d, personas.hq))
    assert "没有" in report.sections[0].paragraphs[0] or "No funded" in report.sections[0].paragraphs[0]
    for fmt in ("docx", "xlsx", "pdf", "html", "csv"):
        render(report, fmt, tmp_path / f"e.{fmt}")
        assert (tmp_path / f"e.{fmt}").stat().st_size > 0


def test_the_public_version_has_no_personal_data(data_set, personas, tree, tmp_path, funded):
    report = PublicFundingReport().build(_params(tree.village_a, personas.hq))
    texts = {}
    for fmt in ("docx", "pdf", "html", "csv"):
        render(report, fmt, tmp_path / f"p.{fmt}")
    texts["docx"] = docx_text(tmp_path / "p.docx")
    texts["pdf"] = pdf_text(tmp_path / "p.pdf")
    texts["html"] = (tmp_path / "p.html").read_text(encoding="utf-8")
    texts["csv"] = (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    forbidden = [name for _n, name in HOUSEHOLDS] + [
        "王**",
        "13912345678",
        "139****5678",
        funded.project.responsible_person,
        "紫阳县恒通水利工程有限公司",  # payee
        "6222",  # account
        "jingban",
    ]
    for fmt, text in texts.items():
        assert "大连村抗旱水利工程" in text, fmt
        assert "12,000.00" in text or "12000.00" in text, fmt
        for word in forbidden:
            assert word not in text, (fmt, word)


def test_the_public_version_hides_demo_households(personas, tree, tmp_path):
    """None of the demo data set's household heads appear in the notice, whatever the area."""
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    names = list(Household.objects.values_list("head_name", flat=True))
    from villages.models import Area

    city = Area.objects.get(code="610900")
    report = PublicFundingReport().build(
        Params(area=city, start=datetime.date(2020, 1, 1), end=timezone.localdate() + datetime.timedelta(days=400))
    )
    render(report, "html", tmp_path / "demo.html")
    html = (tmp_path / "demo.html").read_text(encoding="utf-8")
    assert all(name not in html for name in names)
