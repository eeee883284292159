"""Report builders as exporter classes (after pretix's `base/exporter.py`).

An exporter declares an `identifier`, a `verbose_name`, its parameters form and
`build(params) -> ReportData`: sections of paragraphs, key figures, tables and
figures. The renderers in `reports.renderers` turn the same ReportData into a
web page, a Word document, a PDF, an Excel workbook or CSV, so every format
shows the same figures. Parameters carry ids and ISO dates only, so a run can
be queued and built in the background.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages import selectors as area_selectors
from villages.models import Area, Level, Role

# Column kinds: how a cell is written in each format.
TEXT, INT, MONEY, WAN, PERCENT, DATE, DECIMAL = "text", "int", "money", "wan", "percent", "date", "decimal"


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    title: str
    columns: list[Column]
    # A list, or any iterable (a generator over a queryset) for large tables: each renderer reads it once.
    rows: Iterable[list] = field(default_factory=list)
    totals: list | None = None
    empty_text: str = ""
    # For a table too long to read on paper: what the web page, Word and PDF print instead of `rows`
    # (a summary or the largest items), with a note saying so; Excel and CSV still get every row.
    doc_rows: Iterable[list] | None = None
    doc_note: str = ""
    # Optionally writes the body rows to the CSV file itself (bytes to the binary handle; the
    # database's COPY for a million rows) and returns True; False leaves them to the renderer.
    csv_copy: Callable[[Any], bool] | None = None

    def document_rows(self) -> Iterable[list]:
        return self.rows if self.doc_rows is None else self.doc_rows


class LazyRows:
    """Rows made afresh by `make()` each time they are read: nothing is fetched until a renderer
    reads them, a renderer that does not read them (Word with `doc_rows`) costs nothing, and the
    same report can be rendered to several formats. `make` should stream (`.iterator(chunk_size=…)`).
    """

    def __init__(self, make: Callable[[], Iterable[list]]):
        self._make = make

    def __iter__(self):
        return iter(self._make())


@dataclass
class Figure:
    caption: str
    png: bytes


@dataclass
class Stat:
    label: str
    value: Any
    kind: str = TEXT


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    stats: list[Stat] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class ReportData:
    title: str
    issuer: str
    area: Area | None
    start: datetime.date
    end: datetime.date
    issued_on: datetime.date = field(default_factory=timezone.localdate)
    sections: list[Section] = field(default_factory=list)
    public: bool = False

    @property
    def empty(self) -> bool:
        return not any(s.paragraphs or s.stats or s.tables or s.figures for s in self.sections)


FORMATS = [("html", _("Web page")), ("docx", _("Word")), ("pdf", _("PDF")), ("xlsx", _("Excel")), ("csv", _("CSV"))]
MIMETYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
LEVEL_RANK = {Level.CITY: 0, Level.COUNTY: 1, Level.TOWN: 2, Level.VILLAGE: 3, Level.GROUP: 4}
MAX_PERIOD_DAYS = 366 * 5


class ReportParamsForm(forms.Form):
    """Area in the user's scope, a period whose end is not before its start, and a format."""

    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        error_messages={"invalid_choice": _("This area does not exist or is outside your scope.")},
    )
    start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="docx")

    def __init__(self, *args, user, exporter: "type[Exporter]", **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.exporter = user, exporter
        areas = area_selectors.areas_for_user(user).filter(level__in=exporter.levels)
        self.fields["area"].queryset = areas.order_by("path")
        if not self.is_bound and len(areas[:2]) == 1:
            # A cadre with one village need not choose it.
            self.initial.setdefault("area", areas.first())
        self.fields["format"].choices = [(k, v) for k, v in FORMATS if k in exporter.formats]
        if not self.is_bound:
            today = timezone.localdate()
            first = today.replace(day=1)
            self.initial.setdefault("start", (first - datetime.timedelta(days=1)).replace(day=1))
            self.initial.setdefault("end", first - datetime.timedelta(days=1))

    def clean(self):
        data = super().clean()
        start, end, area = data.get("start"), data.get("end"), data.get("area")
        if start and end and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", _("The period can be at most five years long."))
        if area and not self.exporter.allowed(self.user, area):
            self.add_error("area", _("You may not run this report for this area."))
        return data

    def to_params(self) -> dict:
        """The parameters as ids and ISO dates, ready to store on a run and pass to a job."""
        data = self.cleaned_data
        params = {
            "area": data["area"].pk,
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "format": data["format"],
        }
        for name in self.exporter.extra_params:
            value = data.get(name)
            params[name] = getattr(value, "pk", value)
        return params


@dataclass
class Params:
    """Parameters loaded back from ids, as `build` receives them."""

    area: Area
    start: datetime.date
    end: datetime.date
    format: str = "html"
    extra: dict = field(default_factory=dict)
    # Whose scope the selectors read with: the requester, or the system for scheduled runs.
    user: Any = None

    @classmethod
    def from_ids(cls, params: dict, user=None) -> "Params":
        extra = {k: v for k, v in params.items() if k not in {"area", "start", "end", "format"}}
        return cls(
            area=Area.objects.get(pk=params["area"]),
            start=datetime.date.fromisoformat(params["start"]),
            end=datetime.date.fromisoformat(params["end"]),
            format=params.get("format", "html"),
            extra=extra,
            user=user or SystemPrincipal(),
        )


class SystemPrincipal:
    """Who a scheduled run reads as: the whole tree, because the run's area already limits every query."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_anonymous = False
    is_staff = False
    pk = None
    id = None
    username = "system"

    def __init__(self):
        # villages.selectors caches role assignments on the user object: the system has none.
        self._zhucun_assignments: list = []


class Exporter:
    """Subclass, set the class attributes, implement `build`, and decorate with `@register`."""

    identifier: ClassVar[str] = ""
    verbose_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # Area levels the report can be run for.
    levels: ClassVar[tuple[str, ...]] = (Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE)
    formats: ClassVar[tuple[str, ...]] = ("html", "docx", "pdf", "xlsx", "csv")
    form_class: ClassVar[type[ReportParamsForm]] = ReportParamsForm
    extra_params: ClassVar[tuple[str, ...]] = ()
    # Roles that may not run it (e.g. funders and personal data); read-only roles may run every other report.
    denied_roles: ClassVar[frozenset] = frozenset()
    public: ClassVar[bool] = False

    def __init__(self, progress: Callable[[int], None] | None = None):
        self._progress = progress or (lambda pct: None)

    def progress(self, pct: int) -> None:
        self._progress(max(0, min(99, int(pct))))

    @classmethod
    def allowed(cls, user, area: Area) -> bool:
        """May `user` run this report for `area`? (The area's scope is checked by the caller.)"""
        roles = area_selectors.roles_for(user, area)
        if getattr(user, "is_superuser", False):
            return True
        return bool(roles - set(cls.denied_roles))

    @classmethod
    def params_form(cls, *args, user, **kwargs) -> ReportParamsForm:
        return cls.form_class(*args, user=user, exporter=cls, **kwargs)

    def build(self, params: Params) -> ReportData:
        raise NotImplementedError

    def filename(self, params: Params, extension: str) -> str:
        return f"{self.verbose_name}-{params.area.name}-{params.start:%Y%m%d}-{params.end:%Y%m%d}.{extension}"

    def issuer(self, area: Area) -> str:
        return str(_("Resident work team of %(area)s")) % {"area": area.name}


_REGISTRY: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    if not cls.identifier:
        raise ValueError("an exporter needs an identifier")
    _REGISTRY[cls.identifier] = cls
    return cls


def exporters() -> list[type[Exporter]]:
    return list(_REGISTRY.values())


def get_exporter(identifier: str) -> type[Exporter] | None:
    return _REGISTRY.get(identifier)


def exporters_for_user(user) -> list[type[Exporter]]:
    """Exporters the user may run for at least one area of their scope."""
    roles = area_selectors.roles_for(user)
    if getattr(user, "is_superuser", False):
        return exporters()
    return [e for e in exporters() if roles - set(e.denied_roles)]


# Funders read spend and outputs; reports with people's cases or personal circumstances are not for them.
PERSONAL_DATA_DENIED = frozenset({Role.FUNDER})


def share(part, whole) -> Decimal | None:
    """A percentage with two decimals, or None when the whole is zero (shown as "—")."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))
