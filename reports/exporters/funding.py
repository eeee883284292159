"""Funding report ("what the union funded") and its public version for the village notice board.

Every figure comes from projects.selectors (`spend_overview`, `outputs_against_targets`,
`payments_for_user`, `compliance_findings`, `project_sites`), so the report and the
projects pages always agree.
"""

import io
import logging

from django import forms
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
from villages.models import Area

logger = logging.getLogger(__name__)
MAX_PHOTOS = 6
MAX_MAPS = 4
PHOTO_MAX_PX = 900


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
        projects = self._projects(params, villages, overview)
        report.sections = self.sections(params, villages, overview, projects)
        return report

    def _projects(self, params, villages, overview) -> list:
        ids = {row.obj.project_budget.project_id for row in overview["lines"]}
        projects_for_user = source("projects.selectors", "projects_for_user")
        return list(projects_for_user(params.user, villages=villages).filter(pk__in=ids).order_by("code"))

    def sections(self, params, villages, overview, projects) -> list[Section]:
        sections = [
            self._summary(overview, projects),
            self._by_grant(overview),
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
        households = sum(p.beneficiaries.count() for p in projects)
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

    def _by_grant(self, overview) -> Section:
        grants = Table(
            _("By grant"),
            [Column("code", _("Grant")), Column("name", _("Name")), Column("funder", _("Funder")), *_money_columns()],
            [[g.obj.code, g.obj.name, g.obj.funder.name, *_money_values(g.figures)] for g in overview["grants"]],
        )
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
            [
                [
                    _grant_of(r.obj).code,
                    r.obj.project_budget.project.name,
                    r.obj.project_budget.project.village.name,
                    f"{r.obj.code} {r.obj.name}",
                    r.obj.get_economic_category_display(),
                    *_money_values(r.figures),
                ]
                for r in overview["lines"]
            ],
        )
        t = _totals(overview)
        lines.totals = [_("Total"), "", "", "", "", t["budget"], t["committed"], t["paid"], t["remaining"]]
        return Section(heading=_("Budget, committed, paid and remaining"), tables=[grants, lines])

    def _payments(self, params, villages, overview) -> Section:
        payments_for_user = source("projects.selectors", "payments_for_user")
        line_ids = {r.obj.pk for r in overview["lines"]}
        payments = (
            payments_for_user(params.user, villages=villages)
            .filter(budget_line_id__in=line_ids, created__date__gte=params.start, created__date__lte=params.end)
            .select_related("project", "budget_line")
            .prefetch_related("steps__actor")
            .order_by("created", "pk")
        )
        rows = []
        for payment in payments:
            trail = "；".join(
                f"{s.get_role_display()} {s.actor.get_full_name() or s.actor.username} "
                f"{timezone.localtime(s.acted_at):%Y-%m-%d} {s.get_action_display()}"
                for s in payment.steps.all()
            )
            rows.append(
                [
                    payment.number,
                    payment.project.name,
                    payment.purpose,
                    payment.payee,
                    payment.amount,
                    payment.get_method_display(),
                    payment.get_status_display(),
                    payment.paid_on,
                    trail,
                ]
            )
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
            rows,
        )
        return Section(heading=_("Payments and their approval trail"), tables=[table])

    def _outputs(self, params, villages, projects) -> Section:
        outputs = source("projects.selectors", "outputs_against_targets")
        ids = {p.pk for p in projects}
        rows = [r for r in outputs(params.user, villages=villages) if r.indicator.project_id in ids]
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
            [
                [
                    r.indicator.project.name,
                    r.indicator.name,
                    r.indicator.get_kind_display(),
                    f"{r.indicator.get_comparator_display()} {r.indicator.target.normalize():f}",
                    r.actual,
                    r.indicator.get_unit_display(),
                    {True: _("yes"), False: _("no"), None: "—"}[r.met],
                    r.cost_per_unit,
                ]
                for r in rows
            ],
        )
        return Section(heading=_("Outputs against targets"), tables=[table])

    def _beneficiaries(self, projects) -> Section:
        rows = []
        for project in projects:
            for household in project.beneficiaries.select_related("village").order_by("number"):
                rows.append([project.name, household.village.name, household.number, mask_name(household.head_name)])
        table = Table(
            _("Beneficiary households"),
            [
                Column("project", _("Project")),
                Column("village", _("Village")),
                Column("number", _("Household number")),
                Column("head", _("Head of household (masked)")),
            ],
            rows,
        )
        return Section(heading=_("Beneficiary households"), tables=[table])

    def _map(self, params, villages, projects) -> Section:
        """maps.static_maps draws each village with its project sites (Chinese labels, scale bar, north arrow)."""
        section = Section(heading=_("Map of the sites"))
        render_village = source("maps.static_maps", "render_village")
        if render_village is None:
            section.paragraphs.append(_("The static map is not available yet."))
            return section
        seen = []
        for project in projects:
            if project.village not in seen:
                seen.append(project.village)
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
        section = Section(heading=_("Selected evidence photos"))
        photos = []
        for project in projects:
            photos += list(project.photos.order_by("-phase", "-taken_at")[:2])
            if len(photos) >= MAX_PHOTOS:
                break
        for photo in photos[:MAX_PHOTOS]:
            png = _thumbnail(photo.photo)
            if png:
                caption = f"{photo.project.name} · {photo.get_phase_display()} · {photo.caption}".strip(" ·")
                section.figures.append(Figure(caption, png))
        if not section.figures:
            section.paragraphs.append(_("No evidence photos in this period."))
        return section

    def _findings(self, params, villages) -> Section:
        findings = source("projects.selectors", "compliance_findings")
        rows = [
            [
                f.get_category_display(),
                f.village.name,
                f.project.name if f.project_id else "",
                f.message,
                f.first_found.date(),
            ]
            for f in findings(params.user, villages=villages)
        ]
        table = Table(
            _("Open compliance findings"),
            [
                Column("category", _("Category")),
                Column("village", _("Village")),
                Column("project", _("Project")),
                Column("finding", _("Finding")),
                Column("found", _("First found"), DATE),
            ],
            rows,
            empty_text=_("No open compliance findings."),
        )
        return Section(heading=_("Compliance findings"), tables=[table])


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
