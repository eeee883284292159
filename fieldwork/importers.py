"""Household import from Excel/CSV with a row-by-row report, and the Excel export.

An import is all-or-nothing unless the user explicitly asks to import the valid rows.
Exported cells are escaped against formula injection; phones and ID numbers are masked.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from fieldwork.models import Household
from fieldwork.services import household_create
from villages import crypto
from villages.masking import mask_id_number, mask_phone
from villages.models import Area, Level

MAX_ROWS = 5000
# Column key → accepted headers (the Chinese one first: it is what the export writes).
COLUMNS = {
    "number": ("户号", "number"),
    "head_name": ("户主姓名", "head_name", "户主"),
    "group": ("组", "group", "村民小组"),
    "address": ("地址", "address"),
    "phone": ("联系电话", "phone", "电话"),
    "id_number": ("户主身份证号", "id_number", "身份证号"),
    "lon": ("经度", "lon", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "lifted": ("脱贫户", "lifted"),
    "category": ("监测类别", "category"),
}
REQUIRED = ("number", "head_name")
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^[\d\-+ ]{7,20}$")
YES = {"是", "yes", "y", "1", "true", "√"}
NO = {"否", "no", "n", "0", "false", ""}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: wrong columns, unreadable file
    created: int = 0
    imported: bool = False

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def good_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(upload) -> list[list[str]]:
    """Rows of cells from an .xlsx or .csv upload (UTF-8 or GB18030 CSV)."""
    data = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is too large."))
    if data[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise ValidationError(_("The Excel file cannot be read.")) from exc
        sheet = book.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file is neither an Excel file nor a CSV file."))
    if "\x00" in text:
        raise ValidationError(_("The file is neither an Excel file nor a CSV file."))
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions, errors = {}, []
    for index, name in enumerate(header):
        key = lookup.get(name.strip().lower())
        if key is None:
            if name.strip():
                errors.append(_("Unknown column “%(name)s”.") % {"name": name[:40]})
            continue
        if key in positions:
            errors.append(_("Column “%(name)s” appears twice.") % {"name": name[:40]})
        positions[key] = index
    for key in REQUIRED:
        if key not in positions:
            errors.append(_("Column “%(name)s” is missing.") % {"name": COLUMNS[key][0]})
    return positions, errors


def _category(value: str) -> str | None:
    if not value:
        return ""
    for code, label in settings.MONITORING_CATEGORIES:
        if value in (code, str(label)):
            return code
    return None


def _check_row(row: Row, village: Area, groups: dict, seen: dict) -> dict:
    v, errors = row.values, row.errors
    values = {"number": v.get("number", ""), "head_name": v.get("head_name", ""), "address": v.get("address", "")}
    for key in REQUIRED:
        if not v.get(key):
            errors.append(_("“%(name)s” is empty.") % {"name": COLUMNS[key][0]})
    if len(values["number"]) > 30 or len(values["head_name"]) > 50 or len(values["address"]) > 200:
        errors.append(_("A value is too long."))
    group = v.get("group", "")
    values["group"] = groups.get(group) if group else None
    if group and values["group"] is None:
        errors.append(_("No group “%(name)s” in this village.") % {"name": group[:40]})
    phone = v.get("phone", "")
    if phone and not PHONE_RE.match(phone):
        errors.append(_("The phone number is not valid."))
    values["phone"] = phone
    id_number = v.get("id_number", "").upper()
    if id_number and not ID_RE.match(id_number):
        errors.append(_("The ID number is not 18 characters of digits (and X)."))
    values["id_number"] = id_number
    lon, lat = v.get("lon", ""), v.get("lat", "")
    values["location"] = None
    if lon or lat:
        try:
            x, y = float(lon), float(lat)
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise ValueError
            values["location"] = Point(x, y, srid=settings.GEOMETRY_SRID)
        except ValueError:
            errors.append(_("Longitude and latitude must both be numbers in range."))
    lifted = v.get("lifted", "").lower()
    if lifted not in YES | NO:
        errors.append(_("“脱贫户” must be 是 or 否."))
    values["lifted_out_of_poverty"] = lifted in YES
    category = _category(v.get("category", ""))
    if category is None:
        errors.append(_("Unknown monitoring category “%(name)s”.") % {"name": v.get("category", "")[:40]})
    values["monitoring_category"] = category or ""
    for key, label in (("number", values["number"]), ("id", id_number)):
        if label and (key, label) in seen:
            errors.append(_("Duplicate of line %(line)s.") % {"line": seen[(key, label)]})
        elif label:
            seen[(key, label)] = row.line
    return values


def import_households(*, actor, village: Area, upload, valid_only: bool = False) -> ImportReport:
    """Check every row, then import: all rows, or (when asked) only the valid ones. Never half an import."""
    report = ImportReport()
    try:
        table = [r for r in read_table(upload) if any(r)]
    except ValidationError as exc:
        report.errors.extend(exc.messages)
        return report
    if not table:
        report.errors.append(_("The file is empty."))
        return report
    if len(table) > MAX_ROWS + 1:
        report.errors.append(_("At most %(n)s rows can be imported at once.") % {"n": MAX_ROWS})
        return report
    positions, header_errors = _map_header(table[0])
    if header_errors:
        report.errors.extend(header_errors)
        return report
    groups = {g.name: g for g in Area.objects.filter(parent=village, level=Level.GROUP)}
    existing_numbers = set(Household.objects.filter(village=village).values_list("number", flat=True))
    existing_ids = set(Household.objects.exclude(id_number_hash="").values_list("id_number_hash", flat=True))
    seen: dict = {}
    prepared = []
    for offset, cells in enumerate(table[1:], start=2):
        raw = {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}
        row = Row(line=offset, values=raw)
        values = _check_row(row, village, groups, seen)
        if values["number"] in existing_numbers:
            row.errors.append(_("Household number %(n)s already exists.") % {"n": values["number"]})
        if values["id_number"] and crypto.blind_index(values["id_number"]) in existing_ids:
            row.errors.append(_("Another household already has this ID number."))
        report.rows.append(row)
        prepared.append((row, values))
    if report.bad_rows and not valid_only:
        return report
    _create_all(actor=actor, village=village, prepared=prepared, report=report)
    return report


@transaction.atomic
def _create_all(*, actor, village: Area, prepared, report: ImportReport) -> None:
    for row, values in prepared:
        if row.errors:
            continue
        try:
            with transaction.atomic():
                household_create(actor=actor, village=village, **values)
        except ValidationError as exc:
            row.errors.extend(exc.messages)
            continue
        report.created += 1
    report.imported = True


def escape_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_households(households) -> bytes:
    """An .xlsx of households in the import's column layout (phones and ID numbers masked)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Households"))
    sheet.append([aliases[0] for aliases in COLUMNS.values()] + ["最近走访"])
    labels = dict(settings.MONITORING_CATEGORIES)
    for h in households:
        row = [
            h.number,
            h.head_name,
            h.group.name if h.group_id else "",
            h.address,
            mask_phone(h.phone) if h.phone else "",
            mask_id_number(h.id_number) if h.id_number else "",
            round(h.location.x, 6) if h.location else "",
            round(h.location.y, 6) if h.location else "",
            "是" if h.lifted_out_of_poverty else "否",
            str(labels.get(h.monitoring_category, "")),
            h.last_visit.strftime("%Y-%m-%d") if getattr(h, "last_visit", None) else "",
        ]
        sheet.append([escape_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
