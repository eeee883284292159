"""Long tables: what paper shows instead (doc_rows and a note), re-readable lazy rows, the fast Word rows."""

import datetime
import inspect
from decimal import Decimal

import openpyxl
import pytest

from reports.base import DATE, INT, MONEY, Column, LazyRows, Params, ReportData, Section, Table
from reports.renderers import render
from tests.reports.conftest import docx_text

COLUMNS = [
    Column("name", "名称"),
    Column("n", "数量", INT),
    Column("paid", "金额（元）", MONEY),
    Column("on", "日期", DATE),
]


def _report(table: Table) -> ReportData:
    return ReportData(
        title="测试",
        issuer="安康市总工会",
        area=None,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 1, 31),
        sections=[Section(heading="明细", tables=[table])],
    )


def _rows(count: int):
    for n in range(count):
        yield [f"第{n}项", n, Decimal(n) + Decimal("0.50"), datetime.date(2026, 1, 1 + n % 28)]


def test_paper_prints_doc_rows_and_the_note_while_the_workbook_has_every_row(tmp_path):
    reads = []

    def make():
        reads.append(1)
        return _rows(50)

    table = Table("明细表", COLUMNS, LazyRows(make), doc_rows=[["最大的一项", 1, Decimal("99.50"), None]])
    table.doc_note = "显示金额最大的 1 笔（共 50 笔），全部明细见 Excel 工作簿。"
    report = _report(table)
    render(report, "docx", tmp_path / "t.docx")
    render(report, "html", tmp_path / "t.html")
    assert reads == []  # paper never reads the full rows
    render(report, "xlsx", tmp_path / "t.xlsx")
    render(report, "csv", tmp_path / "t.csv")
    assert reads == [1, 1]  # each workbook format reads them afresh

    text = docx_text(tmp_path / "t.docx")
    assert "最大的一项 | 1 | 99.50 | —" in text and "第3项" not in text and table.doc_note in text
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "最大的一项" in html and table.doc_note in html and "第3项" not in html
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx")["明细表"].iter_rows(values_only=True))
    assert len(rows) == 51 and rows[4][:3] == ("第3项", 3, 3.5)
    csv_lines = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "第3项,3,3.50,2026-01-04" in csv_lines and len([x for x in csv_lines if x.startswith("第")]) == 50


def test_word_rows_are_written_right_aligned_and_without_characters_xml_cannot_hold(tmp_path):
    import docx

    rows = [["坏\x00字\x07符", 1200, Decimal("1234.5"), datetime.date(2026, 1, 2)], ["短行"]]
    render(_report(Table("明细表", COLUMNS, rows)), "docx", tmp_path / "t.docx")
    table = docx.Document(str(tmp_path / "t.docx")).tables[0]
    assert [c.text for c in table.rows[1].cells] == ["坏字符", "1,200", "1,234.50", "2026年1月2日"]
    assert [c.text for c in table.rows[2].cells] == ["短行", "", "", ""]  # a short row still fills the grid
    assert [c.paragraphs[0].alignment for c in table.rows[1].cells][1:3] == [2, 2]  # RIGHT
    assert table.rows[1].cells[0].paragraphs[0].alignment is None
    assert table.rows[1].cells[0].width == table.rows[0].cells[0].width


def test_csv_cells_are_still_escaped_against_formulas(tmp_path):
    rows = [["=cmd|' /C calc'!A0", 1, Decimal("1"), "-2+3"]]
    render(_report(Table("明细表", COLUMNS, rows)), "csv", tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd" in text and "'-2+3" in text


@pytest.mark.django_db
def test_the_visit_export_keeps_the_users_scope_and_local_days(personas, tree, tmp_path):
    from django.utils import timezone

    from fieldwork.models import Household, Visit
    from reports.exporters.exports import VisitExport

    mine = Household.objects.create(village=tree.village_a, number="A-1", head_name="张三丰")
    other = Household.objects.create(village=tree.village_b, number="B-1", head_name="李四")
    late = timezone.make_aware(datetime.datetime(2026, 10, 5, 23, 30))  # 15:30 UTC: still the 5th in Beijing
    Visit.objects.create(household=mine, village=tree.village_a, visitor=personas.cadre_a, visited_at=late)
    Visit.objects.create(household=other, village=tree.village_b, visitor=personas.cadre_b, visited_at=late)
    params = Params(
        area=tree.city, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), user=personas.cadre_a
    )
    rows = list(VisitExport().build(params).sections[0].tables[0].rows)
    assert rows == [[datetime.date(2026, 10, 5), "大连村", "A-1", "张**", "cadre_a", rows[0][5]]]
    params.user = personas.hq
    assert len(list(VisitExport().build(params).sections[0].tables[0].rows)) == 2


@pytest.mark.postgis
@pytest.mark.django_db
def test_the_visit_csv_written_by_copy_equals_the_one_python_writes(personas, tree, tmp_path):
    from django.db import connection
    from django.utils import timezone

    from fieldwork.models import Household, Visit
    from reports.exporters.exports import VisitExport

    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    names = [("A-1", "张三丰"), ("=1+1", "=危险"), ("A,2", ""), ('A"3', 'O"Brien, 王'), ("-4", "李")]
    purposes = [value for value, _label in Visit._meta.get_field("purpose").choices]
    for n, (number, name) in enumerate(names):
        household = Household.objects.create(village=tree.village_a, number=number, head_name=name)
        for hour in (0, 23):  # both ends of the local day
            at = timezone.make_aware(datetime.datetime(2026, 10, 5 + n, hour, 30))
            Visit.objects.create(
                household=household,
                village=tree.village_a,
                visitor=personas.cadre_a,
                visited_at=at,
                purpose=purposes[n % len(purposes)],
            )
    params = Params(area=tree.city, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), user=personas.hq)
    copied = VisitExport().build(params)
    table = copied.sections[0].tables[0]
    render(copied, "csv", tmp_path / "copy.csv")
    assert inspect.getgeneratorstate(table.rows) == "GEN_CREATED"  # never read: COPY wrote the rows
    python = VisitExport().build(params)
    python.sections[0].tables[0].csv_copy = None
    render(python, "csv", tmp_path / "python.csv")
    expected = (tmp_path / "python.csv").read_bytes()
    assert (tmp_path / "copy.csv").read_bytes() == expected
    text = expected.decode("utf-8-sig")
    with connection.cursor() as cursor:  # the export's planner settings end with it
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "0.1"
    assert "'=1+1,'=**" in text and '"A""3",O*********' in text and "2026-10-05" in text
