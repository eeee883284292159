"""The funding report at scale: long tables stream to Excel whole and are bounded on paper; no query per row."""

import datetime
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldwork.models import Household
from projects import selectors as project_selectors
from projects import services
from projects.models import EconomicCategory, ProjectType
from reports.base import Params
from reports.exporters import funding
from reports.exporters.funding import FundingReport
from reports.renderers import render
from tests.projects.factories import make_payment, run_chain
from tests.reports import test_funding
from tests.reports.conftest import docx_text

pytestmark = pytest.mark.django_db
data_set = test_funding.data_set  # the fixture of the funding report tests


def _params(area, user):
    return Params(area=area, start=datetime.date(2024, 1, 1), end=timezone.localdate(), user=user)


@pytest.fixture
def more_payments(data_set, funded, chain):
    """Two more payments on top of the data set's two: 45,000.00 paid, 800.00 a draft."""
    run_chain(make_payment(funded, chain, amount="45000.00", invoice_number="11110001"), chain)
    make_payment(funded, chain, amount="800.00", invoice_number="11110002")
    return data_set


def _sheet(book, title):
    return list(book[title].iter_rows(values_only=True))


def test_a_long_payment_list_prints_the_largest_and_the_workbook_has_every_row(
    more_payments, personas, tree, tmp_path, monkeypatch
):
    monkeypatch.setattr(funding, "DOC_ROWS", 2)
    report = FundingReport().build(_params(tree.city, personas.hq))
    render(report, "docx", tmp_path / "f.docx")
    render(report, "xlsx", tmp_path / "f.xlsx")
    render(report, "html", tmp_path / "f.html")

    text = docx_text(tmp_path / "f.docx")
    assert "45,000.00" in text and "30,500.50" in text  # the two largest
    assert "800.00 |" not in text  # the draft, the smallest, is left to the workbook
    assert "显示金额最大的 2 笔支付（共 4 笔）" in text
    html = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert "显示金额最大的 2 笔支付（共 4 笔）" in html

    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    payments = _sheet(book, "支付")
    assert len(payments) == 5  # header and every payment, in the order they were made
    assert [row[4] for row in payments[1:]] == [12000, 30500.5, 45000, 800]
    assert all(row[8].count("；") == 6 for row in payments[1:] if row[6] == "已完成")
    by_area = _sheet(book, "按区域统计的支付")
    assert by_area[1] == ("紫阳县", 4, 88300.5, 57000)


def test_the_report_reads_the_selectors_figures_per_area(data_set, personas, tree, tmp_path):
    overview = project_selectors.spend_overview(
        personas.hq, villages=[tree.village_a], start=datetime.date(2024, 1, 1), end=timezone.localdate()
    )
    total = overview["total"]
    report = FundingReport().build(_params(tree.county, personas.hq))
    render(report, "xlsx", tmp_path / "f.xlsx")
    rows = _sheet(openpyxl.load_workbook(tmp_path / "f.xlsx"), "按区域")
    assert rows[0] == ("区域", "村数", "预算（元）", "已承诺（元）", "已支付（元）", "结余（元）")
    assert rows[1] == ("焕古镇", 1, 150000, float(total.committed), 12000, float(total.remaining))


def test_long_tables_print_their_first_rows_with_a_note(data_set, personas, tree, tmp_path, monkeypatch):
    monkeypatch.setattr(funding, "DOC_ROWS", 1)
    report = FundingReport().build(_params(tree.city, personas.hq))
    households = next(t for s in report.sections for t in s.tables if t.title == "受益农户")
    assert len(households.doc_rows) == 1 and "（共 2 户）" in households.doc_note
    assert [row[2] for row in households.rows] == ["A-001", "A-002"]
    assert [row[2] for row in households.rows] == ["A-001", "A-002"]  # rows can be read again (another format)
    by_area = next(t for s in report.sections for t in s.tables if t.title == "按区域统计的受益农户")
    assert by_area.rows == [["紫阳县", 2]]


def test_building_and_rendering_does_not_query_per_payment_or_project(
    more_payments, funded, chain, personas, tree, tmp_path
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report = FundingReport().build(_params(tree.city, personas.hq))
            render(report, "xlsx", tmp_path / "q.xlsx")
            render(report, "docx", tmp_path / "q.docx")
        return len(ctx)

    before = queries()
    for n in range(3):  # more payments, and more projects (same village: one map either way) with their own
        project = services.project_create(
            actor=personas.hq,
            village=tree.village_a,
            code=f"P-9{n}",
            name=f"第{n}号工程",
            type=ProjectType.IRRIGATION,
            implementer="大连村村民委员会",
            responsible_person="谢志军",
            starts_on=datetime.date(2024, 3, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
        budget = services.project_budget_create(actor=personas.hq, project=project, grant=funded.grant, name="预算")
        line = services.budget_line_create(
            actor=personas.hq,
            project_budget=budget,
            code=f"L-9{n}",
            name="管道",
            economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
            amount="1000.00",
        )
        project.beneficiaries.add(*Household.objects.all())
        extra = SimpleNamespace(project=project, line=line)
        run_chain(make_payment(extra, chain, amount="100.00", invoice_number=f"2222000{n}"), chain)
    assert queries() == before


def test_the_trail_reads_like_the_payment_page(data_set, personas, tree):
    report = FundingReport().build(_params(tree.village_a, personas.hq))
    payments = next(t for s in report.sections for t in s.tables if t.title == "支付")
    paid = next(row for row in payments.rows if row[0] == data_set["paid"].number)
    expected = "；".join(
        f"{s.get_role_display()} {s.actor.get_full_name() or s.actor.username} "
        f"{timezone.localtime(s.acted_at):%Y-%m-%d} {s.get_action_display()}"
        for s in data_set["paid"].steps.select_related("actor")
    )
    assert paid[-1] == expected


def test_doc_rows_exist_only_for_long_tables(data_set, personas, tree):
    report = FundingReport().build(_params(tree.city, personas.hq))
    assert all(t.doc_rows is None and not t.doc_note for s in report.sections for t in s.tables)
