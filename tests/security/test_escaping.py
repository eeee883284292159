"""Hostile user text stays inert everywhere it is shown or exported.

Names, notes and titles of village A hold HTML (`<script>`, an attribute break-out with an
`onerror` handler) and spreadsheet formulas (`=HYPERLINK(…)`, `+SUM(1)`, `-1+2`, `@cmd`). Pages
and map popups must show them escaped, GeoJSON must carry them as plain strings (the map scripts
never hand them to Leaflet as HTML), PDFs and Word documents must show them literally, and no
Excel or CSV cell that came from user text may start like a formula.
"""

import csv
import datetime
import html
import io
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import LineString, Point
from django.urls import reverse
from django.utils.html import escape

from fieldwork.models import Problem
from grievances.models import Case
from projects.models import Payment, Project
from reports.base import Params, get_exporter
from reports.renderers import render
from tests.fieldwork.factories import HouseholdFactory, MeetingFactory, MemberFactory, VisitFactory
from tests.grievances.factories import make_case
from tests.maps.factories import SiteFactory
from tests.projects.factories import make_payment
from tests.reports.conftest import docx_text, pdf_text

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HYPERLINK = '=HYPERLINK("http://evil","x")'
FORMULA_STARTS = ("=", "+", "-", "@")
RAW_HTML = re.compile(r"<script>alert|<img src=x", re.I)

HOSTILE = {  # each starts like a formula, holds markup, and has a word of its own to tell it apart
    "head_name": "+SUM(1)户主" + SCRIPT,  # 50 characters at most
    "member": "-1+2成员" + IMG,
    "findings": HYPERLINK + "走访" + SCRIPT + IMG,
    "problem": "@cmd问题" + SCRIPT + IMG,
    "case_title": HYPERLINK + "纠纷" + SCRIPT + IMG,
    "case_facts": "-1+2事实" + SCRIPT + IMG,
    "project": "@cmd项目" + SCRIPT + IMG,
    "purpose": HYPERLINK + "用途" + SCRIPT + IMG,
    "meeting": "+SUM(1)会议" + SCRIPT + IMG,
    "site": HYPERLINK + "工点" + SCRIPT,
    "number": "7" + SCRIPT,  # a household number: 30 characters at most
}


@pytest.fixture
def hostile(tree, personas, funded, chain):
    """One record of each kind in village A, each with hostile text in its user-written fields."""
    a = tree.village_a
    household = HouseholdFactory(
        village=a,
        group=tree.group_a1,
        number=HOSTILE["number"],
        head_name=HOSTILE["head_name"],
        location=Point(108.51, 32.41, srid=4326),
    )
    member = MemberFactory(household=household, name=HOSTILE["member"])
    visit = VisitFactory(
        household=household,
        visitor=personas.cadre_a,
        findings=HOSTILE["findings"],
        location=Point(108.511, 32.411, srid=4326),
    )
    problem = Problem.objects.create(
        village=a,
        household=household,
        title=HOSTILE["problem"],
        description=HOSTILE["problem"],
        raised_on=datetime.date.today(),
        raised_by=personas.cadre_a,
        owner=personas.cadre_a,
    )
    meeting = MeetingFactory(village=a, recorded_by=personas.cadre_a, topics=HOSTILE["meeting"])
    case = make_case(personas.cadre_a, a, title=HOSTILE["case_title"], facts=HOSTILE["case_facts"])
    Case.objects.filter(pk=case.pk).update(location=Point(108.512, 32.412, srid=4326))
    Project.objects.filter(pk=funded.project.pk).update(name=HOSTILE["project"])
    payment = make_payment(funded, chain)
    Payment.objects.filter(pk=payment.pk).update(purpose=HOSTILE["purpose"])
    site = SiteFactory(
        village=a, kind="pipe", geometry=LineString((108.51, 32.41), (108.52, 32.42), srid=4326), name=HOSTILE["site"]
    )
    Project.objects.filter(pk=site.project_id).update(name=HOSTILE["project"])
    return {
        "household": household,
        "member": member,
        "visit": visit,
        "problem": problem,
        "meeting": meeting,
        "case": Case.objects.get(pk=case.pk),
        "project": funded.project,
        "payment": payment,
        "site": site,
    }


def assert_inert(html: str, *values: str, where: str = "") -> None:
    """No hostile markup unescaped; each of `values` shown in its escaped form."""
    raw = RAW_HTML.search(html)
    assert raw is None, f"{where}: raw markup {html[max(0, raw.start() - 80) : raw.end() + 80]!r}"
    for value in values:
        assert escape(value) in html, f"{where}: {value!r} is not shown escaped"


def _pages(hostile) -> list[tuple[str, list[str]]]:
    """Each page with the hostile values it shows."""
    h, v, p, m, c = (hostile[k].pk for k in ("household", "visit", "problem", "meeting", "case"))
    project, payment = hostile["project"].pk, hostile["payment"].pk
    return [
        (reverse("fieldwork:household_detail", args=[h]), ["head_name", "member", "findings", "problem", "number"]),
        (reverse("fieldwork:household_list"), ["head_name", "number"]),
        (reverse("fieldwork:visit_detail", args=[v]), ["head_name", "findings"]),
        (reverse("fieldwork:visit_list"), ["head_name"]),
        (reverse("fieldwork:problem_detail", args=[p]), ["head_name", "problem"]),
        (reverse("fieldwork:problem_list"), ["problem"]),
        (reverse("fieldwork:meeting_detail", args=[m]), ["meeting"]),
        (reverse("fieldwork:meeting_list"), ["meeting"]),
        (reverse("grievances:case_detail", args=[c]), ["case_title", "case_facts"]),
        (reverse("grievances:case_list"), ["case_title"]),
        (reverse("grievances:case_ledger"), ["case_title"]),
        (reverse("projects:project_detail", args=[project]), ["project"]),
        (reverse("projects:project_list"), ["project"]),
        (reverse("projects:payment_detail", args=[payment]), ["project", "purpose"]),
        (reverse("projects:payment_list"), ["project"]),
    ]


def test_pages_show_hostile_text_escaped(hostile, client_as):
    client = client_as("cadre_a")
    for url, keys in _pages(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), *(HOSTILE[k] for k in keys), where=url)


# ---------------------------------------------------------------- maps


def test_map_popups_show_hostile_text_escaped(hostile, client_as):
    client = client_as("cadre_a")
    popups = [
        ("households", hostile["household"].pk, ["head_name", "number"]),
        ("visits", hostile["visit"].pk, ["number"]),
        ("disputes", hostile["case"].pk, ["case_title"]),
        ("sites", hostile["site"].pk, ["site", "project"]),
    ]
    for key, pk, keys in popups:
        response = client.get(reverse("maps:feature_popup", args=[key, pk]))
        assert response.status_code == 200, key
        assert_inert(response.content.decode(), *(HOSTILE[k] for k in keys), where=f"popup {key}")


def test_geojson_carries_hostile_text_as_plain_strings(hostile, client_as):
    client = client_as("cadre_a")
    labels = {}
    for key in ("households", "visits", "disputes", "sites"):
        data = client.get(reverse("maps:layer_geojson", args=[key])).json()
        for feature in data["features"]:
            for name, value in feature["properties"].items():
                if isinstance(value, str):
                    assert "&lt;" not in value and "&amp;" not in value, (key, name, value)  # not pre-escaped HTML
        labels[key] = [f["properties"].get("label") for f in data["features"]]
    assert HOSTILE["number"] in labels["households"]  # the raw text: the page script must set it as text
    assert HOSTILE["number"] in labels["visits"]


MAP_SCRIPTS = ["maps.js", "maps_hq.js", "maps_import.js", "projects_map.js"]
# Leaflet parses a string given to bindTooltip/bindPopup/setContent as HTML: data must go in as a text node.
HTML_SINK = re.compile(r"\.(?:bindTooltip|bindPopup)\(\s*(?![\'\"]|textNode\()|\.innerHTML\s*=(?!\s*[\'\"])")


def test_map_scripts_never_hand_feature_data_to_leaflet_as_html():
    folder = Path(__file__).resolve().parents[2] / "static" / "js"
    for name in MAP_SCRIPTS:
        source = (folder / name).read_text(encoding="utf-8")
        sinks = [source[m.start() : m.start() + 60] for m in HTML_SINK.finditer(source)]
        assert sinks == [], f"{name}: {sinks}"


# ---------------------------------------------------------------- reports and exports

# The report, the hostile values it shows in full, and those of them that start like a formula.
# (The visit export masks the head's name, "+*****": a formula start too, so its cells are checked.)
REPORTS = [
    ("visit_export", ["number"], []),
    ("funding", ["project", "purpose"], ["project", "purpose"]),
    ("dispute_ledger", ["case_title"], ["case_title"]),
]


def _report_file(identifier: str, fmt: str, tree, personas, tmp_path) -> Path:
    today = datetime.date.today()
    params = Params(
        area=tree.village_a, start=today - datetime.timedelta(days=60), end=today, format=fmt, user=personas.hq
    )
    data = get_exporter(identifier)().build(params)  # built again for each format: tables may be generators
    path = tmp_path / f"{identifier}.{fmt}"
    render(data, fmt, path)
    return path


def _assert_no_formula(values: list, where: str, expected: list[str]) -> None:
    texts = [v for v in values if isinstance(v, str)]
    formulas = [v for v in texts if v.startswith(FORMULA_STARTS)]
    assert formulas == [], f"{where}: cells that would run as formulas: {formulas}"
    for value in expected:
        assert "'" + value in texts, f"{where}: {value!r} is missing or not escaped"


def _xlsx_values(content: bytes, where: str) -> list:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: formula cell {cell.coordinate} {cell.value!r}"
                values.append(cell.value)
    return values


def _csv_values(text: str) -> list:
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def _pdf_shows_literally(text: str, value: str) -> bool:
    """Table cells wrap and interleave in the extracted text: look for the markup and the value's own word."""
    text = re.sub(r"\s+", "", text)
    tokens = ["<script>alert(1)</script>"[:8]] + (["<imgsrc=x"] if "<img" in value else [])
    tokens += re.findall(r"[\u4e00-\u9fff]+", value)
    return all(token in text for token in tokens)


@pytest.mark.parametrize(("identifier", "shown", "formulas"), REPORTS)
def test_reports_keep_hostile_text_literal_and_inert(identifier, shown, formulas, hostile, tree, personas, tmp_path):
    words = docx_text(_report_file(identifier, "docx", tree, personas, tmp_path))
    for key in shown:
        assert HOSTILE[key] in words, f"{identifier}.docx: {HOSTILE[key]!r} not shown literally"
    text = pdf_text(_report_file(identifier, "pdf", tree, personas, tmp_path))
    for key in shown:
        # Markup that reached the PDF renderer as HTML would be gone from the text (or an image).
        assert _pdf_shows_literally(text, HOSTILE[key]), f"{identifier}.pdf: {HOSTILE[key]!r} not shown literally"
    expected = [HOSTILE[k] for k in formulas]
    xlsx = _report_file(identifier, "xlsx", tree, personas, tmp_path).read_bytes()
    _assert_no_formula(_xlsx_values(xlsx, f"{identifier}.xlsx"), f"{identifier}.xlsx", expected)
    rows = _report_file(identifier, "csv", tree, personas, tmp_path).read_text(encoding="utf-8-sig")
    _assert_no_formula(_csv_values(rows), f"{identifier}.csv", expected)


def test_the_dispute_ledger_workbook_escapes_formulas(hostile, client_as):
    response = client_as("cadre_a").get(reverse("grievances:case_ledger_xlsx"))
    assert response.status_code == 200
    values = _xlsx_values(response.content, "ledger.xlsx")
    _assert_no_formula(values, "ledger.xlsx", [HOSTILE["case_title"]])


def test_the_household_export_escapes_formulas(hostile, client_as):
    response = client_as("cadre_a").get(reverse("fieldwork:household_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    values = _xlsx_values(content, "households.xlsx")
    _assert_no_formula(values, "households.xlsx", [HOSTILE["head_name"]])


def test_the_map_layer_csv_export_escapes_formulas(hostile, client_as):
    client = client_as("cadre_a")
    for key, expected in (("households", []), ("sites", ["site", "project"]), ("disputes", [])):
        response = client.get(reverse("maps:layer_export", args=[key, "csv"]))
        assert response.status_code == 200, key
        content = b"".join(response.streaming_content) if response.streaming else response.content
        values = _csv_values(content.decode("utf-8-sig"))
        _assert_no_formula(values, f"{key}.csv", [HOSTILE[k] for k in expected])


def test_the_map_layer_kml_export_entity_encodes_markup(hostile, client_as):
    """Google Earth renders a placemark's name and data as HTML once it has parsed the XML."""
    import xml.etree.ElementTree as ET

    client = client_as("cadre_a")
    for key, shown in (("households", ["number"]), ("sites", ["site", "project"])):
        response = client.get(reverse("maps:layer_export", args=[key, "kml"]))
        assert response.status_code == 200, key
        content = b"".join(response.streaming_content) if response.streaming else response.content
        texts = [element.text or "" for element in ET.fromstring(content).iter()]
        assert not [t for t in texts if RAW_HTML.search(t)], f"{key}.kml carries markup"
        for k in shown:  # still there, as text a browser shows literally
            escaped = html.escape(HOSTILE[k])
            assert any(escaped in t for t in texts), f"{key}.kml lost {HOSTILE[k]!r}"
