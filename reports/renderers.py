"""Render one ReportData as a web page, Word, PDF, Excel or CSV, written to a path.

Every renderer writes to the path it is given (the job passes a temporary file
and renames it into place only when rendering is complete). Tables may be
generators: each renderer reads a table once, and Excel/CSV stream rows out
(openpyxl write-only mode), so memory stays bounded however long a table is.
Word and PDF are documents to read and print, so they stop at DOC_ROW_LIMIT
rows per table and say where the full table is.
"""

import base64
import csv
import datetime
import functools
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.base import DATE, DECIMAL, INT, MONEY, PERCENT, WAN, Column, ReportData, Table
from villages.money import WAN as TEN_THOUSAND
from villages.money import money

DOC_ROW_LIMIT = 2000
CHINESE_NUMERALS = "一二三四五六七八九十"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Word: body in 宋体 (SimSun), headings in 黑体 (SimHei), as office documents are set (GB/T 9704 style).
DOCX_BODY_FONT = getattr(settings, "REPORT_DOCX_BODY_FONT", "宋体")
DOCX_HEADING_FONT = getattr(settings, "REPORT_DOCX_HEADING_FONT", "黑体")
# PDF: the OS font, embedded by WeasyPrint (subset); without it Chinese would print as boxes.
PDF_FONT_FAMILY = getattr(settings, "REPORT_PDF_FONT_FAMILY", "Noto Sans CJK SC")
FONT_DIRS = ("/usr/share/fonts/",)


def section_number(index: int) -> str:
    """0 → 一, 9 → 十, 10 → 十一, 19 → 二十 (enough for any report)."""
    n = index + 1
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def chinese_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def display(value, kind: str) -> str:
    """A value as text, the way it is printed in every format."""
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return f"{money(value):,}"
    if kind == WAN:
        return f"{money(Decimal(value) / TEN_THOUSAND):,}"
    if kind == PERCENT:
        return f"{Decimal(value):.2f}%"
    if kind == DATE:
        return date_format(value, "DATE_FORMAT") if isinstance(value, datetime.date) else str(value)
    if kind == INT:
        return f"{int(value):,}"
    if kind == DECIMAL:
        return f"{Decimal(value):,}"
    return str(value)


def stat_display(value, kind: str) -> str:
    text = display(value, kind)
    if text == "—":
        return text
    return {MONEY: _("%(v)s yuan"), WAN: _("%(v)s 10k yuan")}.get(kind, "%(v)s") % {"v": text}


def escape_formula(text: str) -> str:
    """Spreadsheet cells that start like a formula get a leading apostrophe (CSV/formula injection)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _limited(rows: Iterable[list]) -> tuple[list[list], bool]:
    head = list(itertools.islice(iter(rows), DOC_ROW_LIMIT + 1))
    return head[:DOC_ROW_LIMIT], len(head) > DOC_ROW_LIMIT


def _display_rows(table: Table) -> tuple[list[list[str]], bool]:
    """The rows a document prints (`doc_rows` when the table has them), formatted, and whether they were cut."""
    rows, cut = _limited(table.document_rows())
    return [[display(v, c.kind) for v, c in zip(row, table.columns, strict=False)] for row in rows], cut


# ---- HTML (web page and the source of the PDF) ----


def html_context(report: ReportData) -> dict:
    """The report with every cell already formatted, for the templates."""
    sections = []
    for index, section in enumerate(report.sections):
        tables = []
        for table in section.tables:
            rows, cut = _display_rows(table)
            totals = (
                [display(v, c.kind) if v is not None else "" for v, c in zip(table.totals, table.columns, strict=False)]
                if table.totals
                else None
            )
            numeric = [c.kind not in ("text",) for c in table.columns]
            tables.append(
                {
                    "table": table,
                    "rows": [list(zip(row, numeric, strict=False)) for row in rows],
                    "cut": cut,
                    "note": table.doc_note,
                    "totals": list(zip(totals, numeric, strict=False)) if totals else None,
                    "limit": DOC_ROW_LIMIT,
                    "wide": len(table.columns) > 7,
                    "show_title": table.title != section.heading,
                }
            )
        sections.append(
            {
                "number": section_number(index),
                "heading": section.heading,
                "paragraphs": section.paragraphs,
                "stats": [(s.label, stat_display(s.value, s.kind)) for s in section.stats],
                "tables": tables,
                "figures": [(f.caption, base64.b64encode(f.png).decode()) for f in section.figures],
            }
        )
    return {"report": report, "sections": sections, "issued_on": chinese_date(report.issued_on)}


def render_html(report: ReportData, path: Path) -> None:
    html = render_to_string("reports/report_document.html", {**html_context(report), "font_family": PDF_FONT_FAMILY})
    Path(path).write_text(html, encoding="utf-8")


# ---- PDF ----


def _url_fetcher():
    """Only data: URLs and local font files; every remote URL is refused (no network, no SSRF)."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:") or (
                url.startswith("file://") and url[7:].startswith(FONT_DIRS) and ".." not in url
            ):
                return super().fetch(url, headers)
            raise ValueError(f"remote or local resource refused: {url[:80]}")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"})


def render_pdf(report: ReportData, path: Path) -> None:
    from weasyprint import HTML

    context = {**html_context(report), "font_family": PDF_FONT_FAMILY, "for_pdf": True}
    html = render_to_string("reports/report_document.html", context)
    HTML(string=html, url_fetcher=_url_fetcher()).write_pdf(target=str(path))


# ---- Word ----


def _set_fonts(style_or_run, latin: str, east_asian: str) -> None:
    from docx.oxml.ns import qn

    style_or_run.font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)


def _docx_document():
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    _set_fonts(normal, "Times New Roman", DOCX_BODY_FONT)
    normal.font.size = Pt(12)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14)):
        style = doc.styles[name]
        _set_fonts(style, "Times New Roman", DOCX_HEADING_FONT)
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
    return doc


# Characters XML 1.0 cannot hold (control characters other than tab and newlines): dropped from Word cells.
_XML_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _docx_table(doc, table: Table) -> None:
    doc.add_heading(table.title, level=2)
    rows, cut = _display_rows(table)
    if not rows:
        doc.add_paragraph(table.empty_text or _("No records in this period."))
        return
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(column.label).bold = True
    extra = [table.totals] if table.totals else []
    totals = [
        [display(v, c.kind) if v is not None else "" for v, c in zip(t, table.columns, strict=False)] for t in extra
    ]
    _docx_append_rows(grid, table.columns, rows + totals)
    if table.doc_note:
        doc.add_paragraph(table.doc_note)
    if cut:
        doc.add_paragraph(
            _("Only the first %(n)s rows are shown; the Excel workbook has them all.") % {"n": DOC_ROW_LIMIT}
        )


def _docx_append_rows(grid, columns: list[Column], rows: list[list[str]]) -> None:
    """Body rows written as WordprocessingML directly: python-docx's `add_row()` and `cell.text` recompute the
    table grid for every cell (milliseconds a row); this is the same XML (cell widths copied from the header,
    numbers right-aligned) at a small fraction of the cost."""
    import copy

    from docx.oxml.ns import qn
    from lxml import etree

    header = grid.rows[0]._tr
    widths = [tc.find(qn("w:tcPr")) for tc in header.findall(qn("w:tc"))]
    right = [c.kind not in ("text", DATE) for c in columns]
    tbl = grid._tbl
    sub = etree.SubElement
    blank = [""] * len(columns)
    for values in rows:
        tr = sub(tbl, qn("w:tr"))
        for value, tc_pr, align_right in zip([*values, *blank][: len(columns)], widths, right, strict=True):
            tc = sub(tr, qn("w:tc"))
            if tc_pr is not None:
                tc.append(copy.deepcopy(tc_pr))
            p = sub(tc, qn("w:p"))
            if align_right:
                sub(sub(p, qn("w:pPr")), qn("w:jc")).set(qn("w:val"), "right")
            text = sub(sub(p, qn("w:r")), qn("w:t"))
            text.text = str(value).translate(_XML_ILLEGAL)
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def render_docx(report: ReportData, path: Path) -> None:
    from io import BytesIO

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = _docx_document()
    title = doc.add_paragraph(report.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = doc.add_paragraph(report.issuer)
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = doc.add_paragraph(_("Period: %(start)s to %(end)s") % _period(report))
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, section in enumerate(report.sections):
        doc.add_heading(f"{section_number(index)}、{section.heading}", level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text).paragraph_format.first_line_indent = Cm(0.85)
        for stat in section.stats:
            doc.add_paragraph(f"{stat.label}：{stat_display(stat.value, stat.kind)}")
        for table in section.tables:
            _docx_table(doc, table)
        for figure in section.figures:
            doc.add_picture(BytesIO(figure.png), width=Cm(15))
            doc.add_paragraph(figure.caption).alignment = WD_ALIGN_PARAGRAPH.CENTER
    signature = doc.add_paragraph(report.issuer)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date = doc.add_paragraph(chinese_date(report.issued_on))
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(str(path))


def _period(report: ReportData) -> dict:
    return {"start": chinese_date(report.start), "end": chinese_date(report.end)}


# ---- Excel ----

XLSX_FORMATS = {MONEY: "#,##0.00", WAN: "#,##0.00", PERCENT: '0.00"%"', DATE: 'yyyy"年"m"月"d"日"', INT: "#,##0"}


def xlsx_value(value, kind: str):
    """The cell value: numbers stay numbers (Decimal money, never float), text is escaped."""
    if value is None:
        return None
    if kind == MONEY:
        return money(value)
    if kind == WAN:
        return money(Decimal(value) / TEN_THOUSAND)
    if kind in (PERCENT, DECIMAL):
        return Decimal(value)
    if kind == INT:
        return int(value)
    if kind == DATE and isinstance(value, datetime.date):
        return value
    return escape_formula(str(value))


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:26]}{n}", n + 1
    used.add(name)
    return name


def _xlsx_rows(ws, table: Table) -> Iterator:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, value=escape_formula(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    yield header
    rows = itertools.chain(table.rows, [table.totals] if table.totals else [])
    for row in rows:
        yield [_xlsx_cell(ws, v, c) for v, c in zip(row, table.columns, strict=False)]


def _xlsx_cell(ws, value, column: Column):
    value = xlsx_value(value, column.kind)
    if column.kind not in XLSX_FORMATS or value is None:
        return value  # a plain value: no cell object per cell, which matters at a million rows
    cell = _write_only_cell()(ws, value=value)
    cell.number_format = XLSX_FORMATS[column.kind]
    return cell


@functools.cache
def _write_only_cell():
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell


def render_xlsx(report: ReportData, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    info = wb.create_sheet(_sheet_title(_("Report information"), used))
    for label, value in (
        (_("Title"), report.title),
        (_("Issued by"), report.issuer),
        (_("Period"), _("%(start)s to %(end)s") % _period(report)),
        (_("Date"), chinese_date(report.issued_on)),
    ):
        info.append([escape_formula(label), escape_formula(value)])
    stats = [(s.heading, st) for s in report.sections for st in s.stats]
    if stats:
        sheet = wb.create_sheet(_sheet_title(_("Key figures"), used))
        sheet.append([_("Section"), _("Figure"), _("Value")])
        for heading, st in stats:
            sheet.append([escape_formula(heading), escape_formula(st.label), xlsx_value(st.value, st.kind)])
    for section in report.sections:
        for table in section.tables:
            ws = wb.create_sheet(_sheet_title(table.title, used))
            for row in _xlsx_rows(ws, table):
                ws.append(row)
    wb.save(str(path))


# ---- CSV ----


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind in (MONEY, WAN, PERCENT, DECIMAL, INT):
        return str(xlsx_value(value, kind))
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    return escape_formula(str(value))


def _csv_text(value) -> str:
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_date(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else _csv_text(value)


def _csv_converters(columns: list[Column]) -> list:
    """One function per column, chosen once per table: a million-row export must not re-dispatch on every cell."""
    numeric = (MONEY, WAN, PERCENT, DECIMAL, INT)
    return [
        (lambda v, kind=c.kind: csv_value(v, kind)) if c.kind in numeric else _csv_date if c.kind == DATE else _csv_text
        for c in columns
    ]


def render_csv(report: ReportData, path: Path) -> None:
    """Every table one after another, each under its title; UTF-8 with a BOM so Excel reads Chinese."""
    with open(path, "w", encoding="utf-8-sig", newline="", buffering=1 << 20) as handle:
        writer = csv.writer(handle)
        for section in report.sections:
            for table in section.tables:
                writer.writerow([escape_formula(table.title)])
                writer.writerow([escape_formula(c.label) for c in table.columns])
                convert = _csv_converters(table.columns)
                copied = table.csv_copy is not None and table.csv_copy(handle)
                rows = itertools.chain([] if copied else table.rows, [table.totals] if table.totals else [])
                writer.writerows([f(v) for f, v in zip(convert, row, strict=False)] for row in rows)
                writer.writerow([])


RENDERERS = {"html": render_html, "pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx, "csv": render_csv}
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "csv": "csv"}


def render(report: ReportData, fmt: str, path: Path) -> None:
    RENDERERS[fmt](report, path)
