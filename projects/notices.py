"""Public notices (公示): the text generated from a project, and its Word document.

Only public facts go in: no beneficiary names, ID numbers, phones or accounts. The
responsible person is named by office (the seed's notices name the implementer and the
person responsible, which is public practice), never with a phone number.
"""

import io

from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _

from projects.models import Indicator, Project, PublicNotice
from villages.money import money


def _funding(project: Project) -> list[dict]:
    rows = []
    for budget in project.budgets.select_related("grant__funder"):
        total = budget.lines.aggregate(total=Sum("current_amount"))["total"]
        rows.append({"source": f"{budget.grant.funder.name} · {budget.grant.name}", "amount": str(money(total or 0))})
    return rows


def _targets(project: Project) -> list[str]:
    return [str(indicator) for indicator in Indicator.objects.filter(project=project)]


def notice_content(project: Project, kind: str) -> dict:
    """Frozen when the notice is recorded, so the posted text can always be reproduced."""
    return {
        "title": str(PublicNotice.Kind(kind).label),
        "name": project.name,
        "place": f"{project.village.parent.name if project.village.parent else ''}{project.village.name}",
        "works": project.works,
        "subsidy_standard": project.subsidy_standard,
        "funding": _funding(project),
        "period": f"{formats.date_format(project.starts_on)} — {formats.date_format(project.ends_on)}",
        "implementer": project.implementer,
        "responsible_person": project.responsible_person,
        "targets": _targets(project),
        "benefit": project.benefit,
        "households": project.beneficiaries.count(),
    }


def notice_rows(notice: PublicNotice) -> list[tuple[str, str]]:
    c = notice.content
    funding = "；".join(f"{row['source']} {row['amount']} 元" for row in c.get("funding", []))
    return [
        (_("Project name"), c.get("name", "")),
        (_("Place"), c.get("place", "")),
        (_("Works"), c.get("works", "")),
        (_("Subsidy standard"), c.get("subsidy_standard", "")),
        (_("Fund source and amount"), funding),
        (_("Period"), c.get("period", "")),
        (_("Implementer"), c.get("implementer", "")),
        (_("Responsible person"), c.get("responsible_person", "")),
        (_("Performance targets"), "；".join(c.get("targets", []))),
        (_("How residents benefit"), c.get("benefit", "")),
        (_("Beneficiary households"), str(c.get("households", 0))),
    ]


def notice_docx(notice: PublicNotice) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{notice.content.get('name', '')}{notice.content.get('title', '')}")
    run.bold = True
    run.font.size = Pt(18)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in notice_rows(notice):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph(
        _("Posted from %(start)s to %(end)s (%(days)s days) at %(place)s. Objections go to the village committee.")
        % {
            "start": formats.date_format(notice.posted_from),
            "end": formats.date_format(notice.posted_until),
            "days": notice.days,
            "place": notice.place,
        }
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
