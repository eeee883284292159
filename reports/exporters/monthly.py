"""Monthly work report (工作月报) of a village, or of every village below a town, county or city."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import DATE, INT, PERCENT, Column, Exporter, Params, ReportData, Section, Stat, Table, register
from reports.exporters.common import months, source, villages_under
from villages.models import Event, Level

ADDITIVE = (
    "days_present",
    "leave_days",
    "visits",
    "meetings",
    "problems_raised",
    "problems_solved",
    "problems_handed_over",
)
# Internal bookkeeping is not a "notable event" of village work.
QUIET_EVENT_PREFIXES = ("reports.", "villages.")


def village_figures(village_ids: list[int], start, end) -> dict[int, list[tuple[tuple[int, int], dict]]]:
    """fieldwork's monthly figures for each village and each month of the period (empty without fieldwork)."""
    figures_for_villages = source("fieldwork.selectors", "figures_for_villages")
    result: dict[int, list] = {vid: [] for vid in village_ids}
    if figures_for_villages is None:
        return result
    for year, month in months(start, end):
        for vid, figures in figures_for_villages(village_ids, year, month).items():
            result[vid].append(((year, month), figures))
    return result


def dispute_figures(params: Params, village_ids: list[int] | None = None) -> dict | None:
    """grievances' ledger figures for the area and period (None without grievances)."""
    ledger, figures_for = source("grievances.selectors", "ledger"), source("grievances.selectors", "figures_for")
    if ledger is None or figures_for is None:
        return None
    cases = ledger(params.user, start=params.start, end=params.end).filter(village__path__startswith=params.area.path)
    return figures_for(cases)


def disputes_resolved_in(village, start, end) -> int:
    resolved = source("grievances.selectors", "disputes_resolved")
    if resolved is None:
        return 0
    return sum(resolved(village, year, month) for year, month in months(start, end))


@register
class MonthlyWorkReport(Exporter):
    identifier = "monthly_work"
    verbose_name = gettext_lazy("Monthly work report")
    description = gettext_lazy(
        "Days in the village, visits and share of households visited, meetings, problems and disputes, notable events."
    )

    def build(self, params: Params) -> ReportData:
        area = params.area
        report = ReportData(
            title=_("Monthly work report of %(area)s") % {"area": area.name},
            issuer=self.issuer(area),
            area=area,
            start=params.start,
            end=params.end,
        )
        villages = list(villages_under(area))
        figures = village_figures([v.pk for v in villages], params.start, params.end)
        self.progress(30)
        if area.level == Level.VILLAGE:
            report.sections += self._village_sections(params, figures.get(area.pk, []))
        else:
            report.sections.append(self._villages_section(params, villages, figures))
        report.sections.append(self._events_section(params))
        return report

    def _village_sections(self, params: Params, monthly: list) -> list[Section]:
        totals = {key: sum(f.get(key, 0) for _m, f in monthly) for key in ADDITIVE}
        households = max((f.get("households", 0) for _m, f in monthly), default=0)
        disputes = dispute_figures(params)
        overview = Section(heading=_("Overview of the period"))
        if not monthly:
            overview.paragraphs.append(_("No fieldwork records are available for this period."))
        overview.stats = [
            Stat(_("Days in the village"), totals["days_present"], INT),
            Stat(_("Approved leave days"), totals["leave_days"], INT),
            Stat(_("Household visits"), totals["visits"], INT),
            Stat(_("Households in the village"), households, INT),
            Stat(_("Meetings held"), totals["meetings"], INT),
            Stat(_("Problems raised"), totals["problems_raised"], INT),
            Stat(_("Problems solved"), totals["problems_solved"], INT),
            Stat(_("Problems handed over"), totals["problems_handed_over"], INT),
            Stat(_("Disputes received"), disputes["received"] if disputes else 0, INT),
            Stat(_("Disputes resolved"), disputes["resolved"] if disputes else 0, INT),
        ]
        table = Table(
            title=_("Figures by month"),
            columns=[
                Column("month", _("Month")),
                Column("days_present", _("Days in the village"), INT),
                Column("days_required", _("Days required"), INT),
                Column("visits", _("Visits"), INT),
                Column("households_visited", _("Households visited"), INT),
                Column("visit_rate", _("Share of households visited (%)"), PERCENT),
                Column("meetings", _("Meetings"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
            ],
            rows=[
                [
                    _("%(year)s-%(month)02d") % {"year": y, "month": m},
                    f["days_present"],
                    f["days_required"],
                    f["visits"],
                    f["households_visited"],
                    Decimal(str(f["visit_rate"])),
                    f["meetings"],
                    f["problems_raised"],
                    f["problems_solved"],
                ]
                for (y, m), f in monthly
            ],
        )
        return [overview, Section(heading=_("Fieldwork by month"), tables=[table])]

    def _villages_section(self, params: Params, villages: list, figures: dict) -> Section:
        rows = []
        for village in villages:
            monthly = figures.get(village.pk, [])
            totals = {key: sum(f.get(key, 0) for _m, f in monthly) for key in ADDITIVE}
            households = max((f.get("households", 0) for _m, f in monthly), default=0)
            rows.append(
                [
                    village.name,
                    village.parent.name if village.parent_id else "",
                    totals["days_present"],
                    totals["visits"],
                    households,
                    totals["meetings"],
                    totals["problems_raised"],
                    totals["problems_solved"],
                    disputes_resolved_in(village, params.start, params.end),
                ]
            )
        table = Table(
            title=_("Figures by village"),
            columns=[
                Column("village", _("Village")),
                Column("town", _("Town")),
                Column("days_present", _("Days in the village"), INT),
                Column("visits", _("Visits"), INT),
                Column("households", _("Households"), INT),
                Column("meetings", _("Meetings"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
                Column("disputes_resolved", _("Disputes resolved"), INT),
            ],
            rows=rows,
            empty_text=_("There are no villages in this area."),
        )
        return Section(heading=_("Villages"), tables=[table])

    def _events_section(self, params: Params) -> Section:
        events = (
            Event.objects.filter(
                area__path__startswith=params.area.path,
                created__date__gte=params.start,
                created__date__lte=params.end,
            )
            .exclude(message="")
            .select_related("area")
            .order_by("created", "pk")
        )
        for prefix in QUIET_EVENT_PREFIXES:
            events = events.exclude(kind__startswith=prefix)
        table = Table(
            title=_("Notable events"),
            columns=[Column("date", _("Date"), DATE), Column("area", _("Area")), Column("event", _("Event"))],
            rows=[
                [timezone.localtime(e.created).date(), e.area.name if e.area else "", e.message] for e in events[:200]
            ],
        )
        return Section(heading=_("Notable events"), tables=[table])
