"""Every format opened and read back: the figures, the Chinese text, the layout offices expect."""

import datetime
from decimal import Decimal

import pytest

from reports.base import Params
from reports.renderers import chinese_date, display, escape_formula, render, section_number
from tests.reports.conftest import KnownExporter, docx_text, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(tree):
    params = Params(area=tree.village_a, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31))
    data = KnownExporter().build(params)
    data.issued_on = datetime.date(2026, 11, 26)
    return data


def test_it_numbers_sections_the_chinese_way():
    assert [section_number(i) for i in (0, 1, 2, 9, 10, 19, 20)] == ["一", "二", "三", "十", "十一", "二十", "二十一"]


def test_it_writes_money_with_two_decimals_and_dates_in_chinese():
    assert display(Decimal("1234567.891"), "money") == "1,234,567.89"
    assert display(Decimal("200000"), "wan") == "20.00"
    assert display(Decimal("87.5"), "percent") == "87.50%"
    assert chinese_date(datetime.date(2026, 11, 26)) == "2026年11月26日"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_it_escapes_formula_like_text(text):
    assert escape_formula(text) == "'" + text


def test_it_writes_a_word_document_as_offices_lay_it_out(report, tmp_path):
    import docx
    from docx.oxml.ns import qn

    path = tmp_path / "r.docx"
    render(report, "docx", path)
    text = docx_text(path)
    document = docx.Document(str(path))
    assert document.paragraphs[0].text == "大连村测试报告"
    assert document.paragraphs[0].alignment == 1  # centred
    assert "安康市总工会" in text and "2026年11月26日" in text
    assert "一、基本情况" in text and "二、存在问题" in text
    assert "拦水坝 | 1 | 123,456.78 | 123.46 | 87.50%" in text
    assert "合计 | 3,008 | 10,123,456.77" in text
    assert "预算总额：200,000.00元" in text or "预算总额：200,000.00 yuan" in text
    table = document.tables[0]
    assert table.style.name == "Table Grid"  # a table with borders
    east_asia = document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert east_asia == "宋体"


def test_it_writes_an_excel_workbook_of_the_tables(report, tmp_path):
    import openpyxl

    path = tmp_path / "r.xlsx"
    render(report, "xlsx", path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "报告信息"
    sheet = workbook["资金支出明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名称", "数量", "已支付（元）", "预算（万元）", "完成率")
    assert rows[1][:4] == ("拦水坝", 1, 123456.78, 123.46)
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].number_format == "#,##0.00"
    # Formula-like text is stored as text with a leading apostrophe, never as a formula.
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert sheet["A3"].data_type == "s"
    assert rows[3][0] == "'-2+3"
    assert rows[4][:3] == ("合计", 3008, 10123456.77)
    figures = workbook[workbook.sheetnames[1]]
    assert ("基本情况", "预算总额", 200000) in list(figures.iter_rows(values_only=True))


def test_it_writes_a_pdf_with_embedded_chinese_fonts(report, tmp_path):
    path = tmp_path / "r.pdf"
    render(report, "pdf", path)
    text = pdf_text(path)
    assert "大连村测试报告" in text
    assert "一、基本情况" in text
    assert "123,456.78" in text
    assert "2026年11月26日" in text
    fonts = pdf_fonts(path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_it_refuses_remote_urls_when_making_a_pdf(report, tmp_path):
    from reports.renderers import _url_fetcher

    fetcher = _url_fetcher()
    for url in ("http://example.com/x.png", "https://example.com/", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_it_writes_a_web_page_and_csv(report, tmp_path):
    render(report, "html", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>一、基本情况</h2>" in html and "123,456.78" in html
    assert "<script" not in html
    render(report, "csv", tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "拦水坝,1,123456.78,123.46,87.50" in lines
    assert '"\'=HYPERLINK(""http://x"")",7,0.10,2.00,' in lines
