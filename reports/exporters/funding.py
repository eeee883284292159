"""Funding report ("what the union funded") and its public version for the village notice board.

Every figure comes from projects.selectors (`spend_overview`, `outputs_against_targets`,
`payments_for_user`, `compliance_findings`, `project_sites`), so the report and the
projects pages always agree.
"""

import io
import itertools
import logging
from collections.abc import Iterator
from decimal import Decimal

from django import forms
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import (
    DATE,
    DECIMAL,
    INT,
    MONEY,
    PERCENT,
    WAN,
    Column,
    Exporter,
    Figure,
    LazyRows,
    Params,
    ReportData,
    ReportParamsForm,
    Section,
    Stat,
    Table,
    register,
    share,
)
from reports.exporters.common import source, villages_under
from villages.masking import mask_name
from villages.models import Area, Level
from villages.money import money

logger = logging.getLogger(__name__)
MAX_PHOTOS = 6
MAX_MAPS = 4
PHOTO_MAX_PX = 900
# A long table (payments, budget lines, outputs, beneficiaries, findings) prints at most this many rows in the
# web page, Word and PDF — the largest, or the first — with a note and, for payments and beneficiaries, a
# summary per area; the Excel workbook and CSV carry every row, streamed from the database.
DOC_ROWS = 100
CHUNK = 2000


class FundingParamsForm(ReportParamsForm):
    grant = forms.IntegerField(label=gettext_lazy("Grant (optional)"), required=False, widget=forms.Select)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grants_for_user = source("projects.selectors", "grants_for_user")
        choices = [("", "—")]
        if grants_for_user is not None:
            choices += [(g.pk, f"{g.code} {g.name}") for g in grants_for_user(self.user).order_by("code")[:500]]
        self.fields["grant"].widget.choices = choices
        self._grant_ids = {c for c, _label in choices if c}

    def clean_grant(self):
        grant = self.cleaned_data.get("grant")
        if grant and grant not in self._grant_ids:
            raise forms.ValidationError(_("This grant does not exist or is outside your scope."))
        return grant


def _grant_of(line):
    return line.project_budget.grant


def _filter_grant(overview: dict, grant_id: int | None) -> dict:
    """Keep the lines of one grant and re-add the totals from those lines only."""
    if not grant_id:
        return overview
    lines = [row for row in overview["lines"] if _grant_of(row.obj).pk == grant_id]
    total = {"budget": 0, "committed": 0, "paid": 0}
    for row in lines:
        for key in total:
            total[key] += getattr(row.figures, key)
    return {
        **overview,
        "lines": lines,
        "grants": [g for g in overview["grants"] if g.obj.pk == grant_id],
        "total_override": total,
    }


def _totals(overview: dict) -> dict:
    if "total_override" in overview:
        t = overview["total_override"]
        return {**t, "remaining": t["budget"] - t["committed"]}
    f = overview["total"]
    return {"budget": f.budget, "committed": f.committed, "paid": f.paid, "remaining": f.remaining}


def _money_columns() -> list[Column]:
    return [
        Column("budget", _("Budget (yuan)"), MONEY),
        Column("committed", _("Committed (yuan)"), MONEY),
        Column("paid", _("Paid (yuan)"), MONEY),
        Column("remaining", _("Remaining (yuan)"), MONEY),
    ]


def _money_values(f) -> list:
    return [f.budget, f.committed, f.paid, f.remaining]


@register
class FundingReport(Exporter):
    identifier = "funding"
    verbose_name = gettext_lazy("Funding report")
    description = gettext_lazy(
        "What the union's money funded: budget, committed, paid and remaining; payments with their approval trail; "
        "outputs against targets; beneficiaries; evidence; compliance findings."
    )
    form_class = FundingParamsForm
    extra_params = ("grant",)

    def title(self, params: Params) -> str:
        return _("Funding report of %(area)s") % {"area": params.area.name}

    def issuer(self, area) -> str:
        """The city union reports on its money, whatever the level of the area."""
        city = Area.objects.filter(path=area.ancestor_paths()[0]).first() or area
        return _("%(city)s Federation of Trade Unions") % {"city": city.name}

    def build(self, params: Params) -> ReportData:
        report = ReportData(
            title=self.title(params),
            issuer=self.issuer(params.area),
            area=params.area,
            start=params.start,
            end=params.end,
            public=self.public,
        )
        spend_overview = source("projects.selectors", "spend_overview")
        if spend_overview is None:
            report.sections.append(
                Section(_("Summary of funds"), [_("Project and fund records are not available yet.")])
            )
            return report
        villages = villages_under(params.area)
        overview = spend_overview(params.user, villages=villages, start=params.start, end=params.end)
        overview = _filter_grant(overview, params.extra.get("grant"))
        self.progress(20)
        self._scope = _Scope(params, villages)
        projects = self._projects(params, villages, overview)
        report.sections = self.sections(params, villages, overview, projects)
        return report

    def _projects(self, params, villages, overview) -> list:
        """The funded projects (those with a budget line in the overview) by code, reusing the overview's objects."""
        by_pk = {}
        for row in overview["lines"]:
            project = row.obj.project_budget.project
            by_pk.setdefault(project.pk, project)
        order = self._scope.projects().order_by("code").values_list("pk", flat=True)
        return [by_pk[pk] for pk in order if pk in by_pk]

    def sections(self, params, villages, overview, projects) -> list[Section]:
        sections = [
            self._summary(overview, projects),
            self._by_grant(params, overview),
            self._payments(params, villages, overview),
            self._outputs(params, villages, projects),
            self._beneficiaries(projects),
        ]
        self.progress(45)
        sections += [self._map(params, villages, projects), self._photos(projects), self._findings(params, villages)]
        return sections

    # --- sections

    def _summary(self, overview, projects) -> Section:
        t = _totals(overview)
        villages = {p.village_id for p in projects}
        households = self._scope.beneficiaries().count() if projects else 0
        paragraphs = []
        if not overview["lines"]:
            paragraphs.append(_("No funded budget lines in this area and period."))
        else:
            paragraphs.append(
                _(
                    "In this period %(projects)s projects in %(villages)s villages were funded; "
                    "%(paid)s yuan of a budget of %(budget)s yuan has been paid (%(share)s%%)."
                )
                % {
                    "projects": len(projects),
                    "villages": len(villages),
                    "paid": f"{t['paid']:,.2f}",
                    "budget": f"{t['budget']:,.2f}",
                    "share": share(t["paid"], t["budget"]) or "0.00",
                }
            )
        return Section(
            heading=_("Summary of funds"),
            paragraphs=paragraphs,
            stats=[
                Stat(_("Budget"), t["budget"], WAN),
                Stat(_("Committed"), t["committed"], WAN),
                Stat(_("Paid"), t["paid"], WAN),
                Stat(_("Remaining"), t["remaining"], WAN),
                Stat(_("Share paid"), share(t["paid"], t["budget"]), PERCENT),
                Stat(_("Projects"), len(projects), INT),
                Stat(_("Villages"), len(villages), INT),
                Stat(_("Beneficiary households"), households, INT),
            ],
        )

    def _by_grant(self, params, overview) -> Section:
        grants = Table(
            _("By grant"),
            [Column("code", _("Grant")), Column("name", _("Name")), Column("funder", _("Funder")), *_money_columns()],
            [[g.obj.code, g.obj.name, g.obj.funder.name, *_money_values(g.figures)] for g in overview["grants"]],
        )
        tables = [grants]
        by_area = self._spend_by_area(params, overview)
        if by_area is not None:
            tables.append(by_area)
        categories = {}
        if overview["lines"]:  # labels translated once, not once a row (get_FOO_display at 40,000 lines)
            categories = _labels(type(overview["lines"][0].obj), "economic_category")
        rows = [
            [
                _grant_of(r.obj).code,
                r.obj.project_budget.project.name,
                r.obj.project_budget.project.village.name,
                f"{r.obj.code} {r.obj.name}",
                categories.get(r.obj.economic_category, r.obj.economic_category),
                *_money_values(r.figures),
            ]
            for r in overview["lines"]
        ]
        lines = Table(
            _("By budget line"),
            [
                Column("grant", _("Grant")),
                Column("project", _("Project")),
                Column("village", _("Village")),
                Column("line", _("Budget line")),
                Column("category", _("Economic category")),
                *_money_columns(),
            ],
            rows,
        )
        if len(rows) > DOC_ROWS:
            lines.doc_rows = sorted(rows, key=lambda row: -row[5])[:DOC_ROWS]
            lines.doc_note = _(
                "The %(n)s budget lines with the largest budgets of %(total)s are shown; "
                "the Excel workbook lists them all."
            ) % {"n": DOC_ROWS, "total": f"{len(rows):,}"}
        t = _totals(overview)
        lines.totals = [_("Total"), "", "", "", "", t["budget"], t["committed"], t["paid"], t["remaining"]]
        tables.append(lines)
        return Section(heading=_("Budget, committed, paid and remaining"), tables=tables)

    def _spend_by_area(self, params, overview) -> Table | None:
        """Budget, committed, paid and remaining per area one level below the report's (per county for the city)."""
        areas = self._scope.child_areas()
        if not areas:
            return None
        totals: dict[str, list] = {}
        for line in overview["lines"]:
            path = self._scope.child_path(line.obj.project_budget.project.village.path)
            entry = totals.setdefault(path, [set(), Decimal(0), Decimal(0), Decimal(0)])
            entry[0].add(line.obj.project_budget.project.village_id)
            entry[1] += line.figures.budget
            entry[2] += line.figures.committed
            entry[3] += line.figures.paid
        rows = []
        for path, area in areas.items():
            if path in totals:
                villages, budget, committed, paid = totals[path]
                rows.append([area.name, len(villages), budget, committed, paid, budget - committed])
        return Table(
            _("By area"),
            [Column("area", _("Area")), Column("villages", _("Number of villages"), INT), *_money_columns()],
            rows,
        )

    def _payments(self, params, villages, overview) -> Section:
        payments = self._scope.payments()
        count = payments.count()
        table = Table(
            _("Payments"),
            [
                Column("number", _("Number")),
                Column("project", _("Project")),
                Column("purpose", _("Purpose")),
                Column("payee", _("Payee")),
                Column("amount", _("Amount (yuan)"), MONEY),
                Column("method", _("Method")),
                Column("status", _("Status")),
                Column("paid_on", _("Paid on"), DATE),
                Column("trail", _("Approval trail")),
            ],
            LazyRows(lambda: _payment_rows(payments.order_by("created", "pk"))),
        )
        tables = [table]
        if count <= DOC_ROWS:
            table.rows = list(table.rows)
        else:
            table.doc_rows = list(_payment_rows(payments.order_by("-amount", "created", "pk")[:DOC_ROWS]))
            table.doc_note = _(
                "The %(n)s largest of %(total)s payments are shown; the Excel workbook lists them all."
            ) % {"n": DOC_ROWS, "total": f"{count:,}"}
            by_area = self._payments_by_area(payments)
            if by_area is not None:
                tables.insert(0, by_area)
        return Section(heading=_("Payments and their approval trail"), tables=tables)

    def _payments_by_area(self, payments) -> Table | None:
        areas = self._scope.child_areas()
        if not areas:
            return None
        from projects.selectors import COMMITTED

        paid = Q(status__in=COMMITTED, paid_on__isnull=False)
        per_village = (
            payments.order_by()
            .values_list("project__village__path")
            .annotate(n=Count("pk"), total=Sum("amount"), total_paid=Sum("amount", filter=paid))
        )
        totals: dict[str, list] = {}
        for path, n, amount, paid_amount in per_village:
            entry = totals.setdefault(self._scope.child_path(path), [0, Decimal(0), Decimal(0)])
            entry[0] += n
            entry[1] += money(amount or 0)
            entry[2] += money(paid_amount or 0)
        rows = [[area.name, *totals[path]] for path, area in areas.items() if path in totals]
        return Table(
            _("Payments by area"),
            [
                Column("area", _("Area")),
                Column("count", _("Number of payments"), INT),
                Column("amount", _("Amount (yuan)"), MONEY),
                Column("paid", _("Paid (yuan)"), MONEY),
            ],
            rows,
        )

    def _outputs(self, params, villages, projects) -> Section:
        outputs = source("projects.selectors", "outputs_against_targets")
        ids = {p.pk for p in projects}
        rows = []
        labels = None
        for r in outputs(params.user, villages=villages):
            indicator = r.indicator
            if indicator.project_id not in ids:
                continue
            if labels is None:  # translated once, not once a row
                model = type(indicator)
                labels = {name: _labels(model, name) for name in ("kind", "comparator", "unit")}
                met = {True: _("yes"), False: _("no"), None: "—"}
            rows.append(
                [
                    indicator.project.name,
                    indicator.name,
                    labels["kind"].get(indicator.kind, indicator.kind),
                    f"{labels['comparator'].get(indicator.comparator, indicator.comparator)} "
                    f"{indicator.target.normalize():f}",
                    r.actual,
                    labels["unit"].get(indicator.unit, indicator.unit),
                    met[r.met],
                    r.cost_per_unit,
                ]
            )
        table = Table(
            _("Outputs against targets"),
            [
                Column("project", _("Project")),
                Column("indicator", _("Indicator")),
                Column("kind", _("Kind")),
                Column("target", _("Target")),
                Column("actual", _("Actual"), DECIMAL),
                Column("unit", _("Unit")),
                Column("met", _("Met")),
                Column("cost", _("Cost per unit (yuan)"), MONEY),
            ],
            rows,
        )
        _first_rows_only(
            table,
            len(rows),
            _("The first %(n)s of %(total)s indicators are shown; the Excel workbook lists them all."),
        )
        return Section(heading=_("Outputs against targets"), tables=[table])

    def _beneficiaries(self, projects) -> Section:
        households = self._scope.beneficiaries() if projects else None
        count = households.count() if households is not None else 0
        table = Table(
            _("Beneficiary households"),
            [
                Column("project", _("Project")),
                Column("village", _("Village")),
                Column("number", _("Household number")),
                Column("head", _("Head of household (masked)")),
            ],
            LazyRows(lambda: _beneficiary_rows(households)) if count else [],
        )
        tables = [table]
        if 0 < count <= DOC_ROWS:
            table.rows = list(table.rows)
        elif count > DOC_ROWS:
            _first_rows_only(
                table,
                count,
                _("The first %(n)s of %(total)s beneficiary households are shown; the Excel workbook lists them all."),
            )
            by_area = self._beneficiaries_by_area(households)
            if by_area is not None:
                tables.insert(0, by_area)
        return Section(heading=_("Beneficiary households"), tables=tables)

    def _beneficiaries_by_area(self, households) -> Table | None:
        areas = self._scope.child_areas()
        if not areas:
            return None
        counts: dict[str, int] = {}
        for path, n in households.order_by().values_list("household__village__path").annotate(n=Count("pk")):
            key = self._scope.child_path(path)
            counts[key] = counts.get(key, 0) + n
        rows = [[area.name, counts[path]] for path, area in areas.items() if path in counts]
        return Table(
            _("Beneficiary households by area"),
            [Column("area", _("Area")), Column("households", _("Beneficiary households"), INT)],
            rows,
        )

    def _map(self, params, villages, projects) -> Section:
        """maps.static_maps draws each village with its project sites (Chinese labels, scale bar, north arrow)."""
        section = Section(heading=_("Map of the sites"))
        render_village = source("maps.static_maps", "render_village")
        if render_village is None:
            section.paragraphs.append(_("The static map is not available yet."))
            return section
        seen = {}
        for project in projects:
            seen.setdefault(project.village_id, project.village)
        seen = list(seen.values())
        for village in seen[:MAX_MAPS]:
            try:
                png = render_village(village, households=False, fmt="png")
            except Exception:  # a map must never sink the report: the figures still count
                logger.exception("static map of %s failed", village.pk)
                continue
            section.figures.append(Figure(_("Project sites in %(area)s") % {"area": village.name}, png))
        if not section.figures:
            section.paragraphs.append(_("No sites to show on the map."))
        elif len(seen) > MAX_MAPS:
            section.paragraphs.append(
                _("Maps of the first %(n)s of %(total)s villages are shown.") % {"n": MAX_MAPS, "total": len(seen)}
            )
        return section

    def _photos(self, projects) -> Section:
        """Up to two photos of each project (latest phase, latest taken first), projects by code, six at most."""
        section = Section(heading=_("Selected evidence photos"))
        photos, per_project = [], {}
        if projects:
            ordered = self._scope.photos().order_by("project__code", "project_id", "-phase", "-taken_at")
            for photo in ordered.select_related("project").iterator(chunk_size=50):
                if per_project.get(photo.project_id, 0) < 2:
                    per_project[photo.project_id] = per_project.get(photo.project_id, 0) + 1
                    photos.append(photo)
                    if len(photos) >= MAX_PHOTOS:
                        break
        for photo in photos:
            png = _thumbnail(photo.photo)
            if png:
                caption = f"{photo.project.name} · {photo.get_phase_display()} · {photo.caption}".strip(" ·")
                section.figures.append(Figure(caption, png))
        if not section.figures:
            section.paragraphs.append(_("No evidence photos in this period."))
        return section

    def _findings(self, params, villages) -> Section:
        findings = source("projects.selectors", "compliance_findings")(params.user, villages=villages)
        count = findings.count()
        table = Table(
            _("Open compliance findings"),
            [
                Column("category", _("Category")),
                Column("village", _("Village")),
                Column("project", _("Project")),
                Column("finding", _("Finding")),
                Column("found", _("First found"), DATE),
            ],
            LazyRows(lambda: _finding_rows(findings)),
            empty_text=_("No open compliance findings."),
        )
        if count <= DOC_ROWS:
            table.rows = list(table.rows)
        else:
            _first_rows_only(
                table, count, _("The first %(n)s of %(total)s findings are shown; the Excel workbook lists them all.")
            )
        return Section(heading=_("Compliance findings"), tables=[table])


class _Scope:
    """The querysets of one funding report: its projects, payments, beneficiaries and photos (as subqueries,
    so no list of ids is ever sent to the database), and the areas one level below the report's area."""

    def __init__(self, params: Params, villages):
        self.params, self.villages = params, villages
        self.grant = params.extra.get("grant")

    def _selector(self, name):
        return source("projects.selectors", name)

    def lines(self):
        from projects.models import BudgetLine

        lines = BudgetLine.objects.filter(
            project_budget__project__in=self._selector("projects_for_user")(self.params.user, villages=self.villages)
        )
        return lines.filter(project_budget__grant_id=self.grant) if self.grant else lines

    def projects(self):
        projects = self._selector("projects_for_user")(self.params.user, villages=self.villages)
        return projects.filter(pk__in=self.lines().values("project_budget__project_id"))

    def payments(self):
        payments = self._selector("payments_for_user")(self.params.user, villages=self.villages)
        return payments.filter(
            budget_line__in=self.lines().values("pk"),
            created__date__gte=self.params.start,
            created__date__lte=self.params.end,
        )

    def beneficiaries(self):
        from projects.models import Project

        return Project.beneficiaries.through.objects.filter(project__in=self.projects().values("pk"))

    def photos(self):
        from projects.models import EvidencePhoto

        return EvidencePhoto.objects.filter(project__in=self.projects().values("pk"))

    def child_areas(self) -> dict[str, Area]:
        """{path: area} one level below the report's area, by path; empty for a village."""
        if not hasattr(self, "_children"):
            area = self.params.area
            children = Area.objects.none()
            if area.level != Level.VILLAGE:
                children = Area.objects.filter(parent=area).defer("boundary").order_by("path")
            self._children = {child.path: child for child in children}
        return self._children

    def child_path(self, path: str) -> str:
        """The path of the child area holding `path` ("610900/610921/…" → "610900/610921/")."""
        depth = len(self.params.area.path.strip("/").split("/")) + 1
        return "/".join(path.strip("/").split("/")[:depth]) + "/"


def _first_rows_only(table: Table, count: int, note: str) -> None:
    """A long table prints its first DOC_ROWS rows on paper, with a note; the workbook keeps them all."""
    if count <= DOC_ROWS:
        return
    table.doc_rows = list(itertools.islice(iter(table.rows), DOC_ROWS))
    table.doc_note = note % {"n": DOC_ROWS, "total": f"{count:,}"}


def _labels(model, name: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(name).choices}


def _payment_rows(payments) -> Iterator[list]:
    """Each payment with its approval trail, CHUNK payments at a time: one query for their steps per chunk."""
    model = payments.model
    methods, statuses = _labels(model, "method"), _labels(model, "status")
    fields = ("pk", "number", "project__name", "purpose", "payee", "amount", "method", "status", "paid_on")
    rows = payments.values_list(*fields).iterator(chunk_size=CHUNK)
    while chunk := list(itertools.islice(rows, CHUNK)):
        trails = _trails(model, [row[0] for row in chunk])
        for pk, number, project, purpose, payee, amount, method, status, paid_on in chunk:
            yield [
                number,
                project,
                purpose,
                payee,
                amount,
                methods.get(method, method),
                statuses.get(status, status),
                paid_on,
                trails.get(pk, ""),
            ]


def _trails(payment_model, ids: list[int]) -> dict[int, str]:
    """ "经办人 王五 2024-06-01 提交；…" per payment: every step in order, as the payment page lists them."""
    step_model = payment_model._meta.get_field("steps").related_model
    roles, actions = _labels(step_model, "role"), _labels(step_model, "action")
    steps = (
        step_model.objects.filter(payment_id__in=ids)
        .order_by("payment_id", "acted_at", "pk")
        # The local day in SQL: a million localtime() calls (a thread-local look-up each) cost seconds.
        .values_list(
            "payment_id",
            "role",
            "action",
            TruncDate("acted_at"),
            "actor__first_name",
            "actor__last_name",
            "actor__username",
        )
    )
    trails: dict[int, list[str]] = {}
    for payment_id, role, action, day, first, last, username in steps:
        name = f"{first} {last}".strip() or username
        trails.setdefault(payment_id, []).append(
            f"{roles.get(role, role)} {name} {day:%Y-%m-%d} {actions.get(action, action)}"
        )
    return {pk: "；".join(parts) for pk, parts in trails.items()}


def _beneficiary_rows(households) -> Iterator[list]:
    fields = ("project__name", "household__village__name", "household__number", "household__head_name")
    rows = households.order_by("project__code", "household__number").values_list(*fields)
    for project, village, number, head in rows.iterator(chunk_size=CHUNK):
        yield [project, village, number, mask_name(head)]


def _finding_rows(findings) -> Iterator[list]:
    categories = _labels(findings.model, "category")
    fields = ("category", "village__name", "project__name", "message", "first_found")
    for category, village, project, message, found in findings.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [categories.get(category, category), village, project or "", message, timezone.localtime(found).date()]


def _thumbnail(field) -> bytes | None:
    """The photo, downscaled, as PNG; None when the file is missing or unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with field.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (OSError, ValueError, UnidentifiedImageError):
        return None


@register
class PublicFundingReport(FundingReport):
    """For the village notice board: spend and outputs only; no names, phones, ID numbers, payees or disputes."""

    identifier = "funding_public"
    verbose_name = gettext_lazy("Funding notice (public version)")
    description = gettext_lazy("For the village notice board: spend and outputs only, without any personal data.")
    public = True

    def title(self, params: Params) -> str:
        return _("Public notice of funds used in %(area)s") % {"area": params.area.name}

    def sections(self, params, villages, overview, projects) -> list[Section]:
        return [
            self._summary(overview, projects),
            self._spend(overview),
            self._public_outputs(params, villages, projects),
        ]

    def _spend(self, overview) -> Section:
        by_project: dict = {}
        for row in overview["lines"]:
            project = row.obj.project_budget.project
            entry = by_project.setdefault(project.pk, [project.name, project.village.name, 0, 0])
            entry[2] += row.figures.budget
            entry[3] += row.figures.paid
        table = Table(
            _("Spend by project"),
            [
                Column("project", _("Project")),
                Column("village", _("Village")),
                Column("budget", _("Budget (yuan)"), MONEY),
                Column("paid", _("Paid (yuan)"), MONEY),
            ],
            list(by_project.values()),
        )
        return Section(heading=_("Spend"), tables=[table])

    def _public_outputs(self, params, villages, projects) -> Section:
        return self._outputs(params, villages, projects)
