"""Documents of the grievances app: the agreement for signing (.docx) and the ledger (.xlsx)."""

import io

from django.utils import formats
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from grievances.models import Agreement, Case, Party

# The font Chinese offices use for official documents; Word falls back if it is missing.
CJK_FONT = "宋体"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _cjk(run, size: float = 12, bold: bool = False):
    run.font.name = CJK_FONT
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    return run


def _para(doc, text: str = "", *, size: float = 12, bold: bool = False, align=None):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    _cjk(paragraph.add_run(text), size, bold)
    return paragraph


def agreement_docx(case: Case, agreement: Agreement, parties: list[Party]) -> bytes:
    """人民调解协议书, with the contents of Art. 29 and a signing block for every party."""
    doc = Document()
    for section in doc.sections:
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    _para(doc, _("People's Mediation Agreement"), size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"{_('No.')} {case.number}", size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _("Parties"), bold=True)
    for party in parties:
        line = f"{party.get_role_display()}：{party.name}"
        if party.id_number:
            line += f"，{_('ID number')}：{party.id_number}"
        if party.phone:
            line += f"，{_('phone')}：{party.phone}"
        _para(doc, line)
    sections = [
        (_("Main facts of the dispute"), agreement.facts),
        (_("Disputed points"), agreement.disputed_points),
        (_("Responsibilities of the parties"), agreement.responsibilities),
        (_("Agreed terms"), agreement.terms),
        (_("How and by when the terms are carried out"), f"{agreement.performance}（{_date(agreement.perform_by)}）"),
    ]
    for heading, text in sections:
        _para(doc, heading, bold=True)
        for line in text.splitlines() or [""]:
            _para(doc, line)
    _para(
        doc,
        _(
            "This agreement is legally binding once signed or sealed by the parties and the mediators. "
            "The parties may jointly apply to the people's court for judicial confirmation within 30 days."
        ),
        size=10.5,
    )
    _para(doc, f"{_('Form')}：{agreement.get_form_display()}", size=10.5)
    _signing_table(doc, parties, agreement, case)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _signing_table(doc, parties, agreement, case):
    rows = [(p.get_role_display(), p.name) for p in parties]
    rows.append((_("Mediators"), agreement.mediators))
    table = doc.add_table(rows=len(rows) + 1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, [_("Side"), _("Name"), _("Signature or fingerprint")], strict=True):
        _cjk(cell.paragraphs[0].add_run(text), 11, True)
    for row, (side, name) in zip(table.rows[1:], rows, strict=True):
        _cjk(row.cells[0].paragraphs[0].add_run(side), 11)
        _cjk(row.cells[1].paragraphs[0].add_run(name), 11)
        row.height = Cm(1.4)
    _para(doc)
    committee = f"{case.village.name}{_('people’s mediation committee')}（{_('seal')}）"
    _para(doc, committee, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _date(agreement.signed_on), align=WD_ALIGN_PARAGRAPH.RIGHT)


def cell(value):
    """A spreadsheet cell that can never be read as a formula (CSV/Excel injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def ledger_xlsx(rows: list[Case], figures: dict, params: dict, revealed: set[int] = frozenset()) -> bytes:
    """The 台账: one row per case, then figures. Parties are masked except in the cases listed in `revealed`."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ledger")
    headers = [
        _("case number"),
        _("village"),
        _("received on"),
        _("source"),
        _("category"),
        _("summary"),
        _("parties"),
        _("risk"),
        _("handling level"),
        _("status"),
        _("deadline"),
        _("overdue"),
        _("resolved on"),
        _("closed on"),
        _("escalations"),
        _("referred to"),
    ]
    sheet.append(headers)
    for header in sheet[1]:
        header.font = Font(bold=True)
    for case in rows:
        sheet.append(
            [
                cell(case.number),
                cell(case.village.name),
                case.received_on,
                cell(case.get_source_display()),
                cell(case.category_label),
                cell(case.title if case.pk in revealed else case.masked_title),
                cell("、".join(p.name if case.pk in revealed else p.masked_name for p in case.parties.all())),
                cell(case.get_risk_display()),
                cell(case.get_level_display()),
                cell(case.get_status_display()),
                case.deadline,
                _("yes") if case.overdue else "",
                case.resolved_on,
                case.closed_on,
                case.escalations,
                cell(case.referred_to),
            ]
        )
    for column in ("C", "K", "M", "N"):
        for item in sheet[column][1:]:
            item.number_format = "yyyy-mm-dd"
    summary = book.create_sheet(_("Figures"))
    summary.append([_("from"), params["start"]])
    summary.append([_("to"), params["end"]])
    for key, label in figure_labels():
        value = figures[key]
        summary.append([label, str(value) if value is not None else "—"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def figure_labels() -> list[tuple[str, str]]:
    return [
        ("received", _("Received")),
        ("closed", _("Closed")),
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("on_time_rate", _("On-time rate (%)")),
        ("escalated", _("Escalated")),
        ("referred", _("Referred out")),
        ("average_days_to_close", _("Average days to close")),
        ("satisfaction", _("Satisfaction (1-5)")),
    ]
