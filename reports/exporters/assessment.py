"""Annual assessment pack (年度考核): 住村率, 入户率, rhythm of meetings and problems, dispute satisfaction, spend."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import (
    DECIMAL,
    INT,
    MONEY,
    PERCENT,
    Column,
    Exporter,
    Params,
    ReportData,
    Section,
    Stat,
    Table,
    register,
    share,
)
from reports.exporters.common import source, villages_under
from reports.exporters.monthly import dispute_figures, village_figures


def households_visited(params: Params, village) -> int:
    """Distinct households visited in the whole period (a yearly 入户率 cannot add up monthly shares)."""
    visits_for_user = source("fieldwork.selectors", "visits_for_user")
    if visits_for_user is None:
        return 0
    visits = visits_for_user(params.user, village=village.pk).filter(
        visited_at__date__gte=params.start, visited_at__date__lte=params.end
    )
    return visits.order_by().values("household").distinct().count()


@register
class AnnualAssessment(Exporter):
    identifier = "annual_assessment"
    verbose_name = gettext_lazy("Annual assessment pack")
    description = gettext_lazy(
        "Share of days in the village (住村率), share of households visited (入户率), meetings, problems, "
        "dispute satisfaction and spend, for each village."
    )

    def build(self, params: Params) -> ReportData:
        report = ReportData(
            title=_("Annual assessment pack of %(area)s") % {"area": params.area.name},
            issuer=self.issuer(params.area),
            area=params.area,
            start=params.start,
            end=params.end,
        )
        villages = list(villages_under(params.area))
        figures = village_figures([v.pk for v in villages], params.start, params.end)
        self.progress(30)
        rows = []
        for village in villages:
            monthly = [f for _m, f in figures.get(village.pk, [])]
            present = sum(f["days_present"] for f in monthly)
            required = sum(f["days_required"] for f in monthly)
            households = max((f["households"] for f in monthly), default=0)
            visited = households_visited(params, village)
            rows.append(
                [
                    village.name,
                    present,
                    required,
                    share(present, required),
                    households,
                    visited,
                    share(visited, households),
                    sum(f["meetings"] for f in monthly),
                    sum(f["problems_solved"] for f in monthly),
                ]
            )
        disputes = dispute_figures(params)
        spend = self._spend(params, villages)
        stats = [
            Stat(
                _("Share of days in the village (住村率)"),
                share(sum(r[1] for r in rows), sum(r[2] for r in rows)),
                PERCENT,
            ),
            Stat(
                _("Share of households visited (入户率)"),
                share(sum(r[5] for r in rows), sum(r[4] for r in rows)),
                PERCENT,
            ),
            Stat(_("Meetings held"), sum(r[7] for r in rows), INT),
            Stat(_("Problems solved"), sum(r[8] for r in rows), INT),
            Stat(_("Disputes received"), disputes["received"] if disputes else 0, INT),
            Stat(_("Disputes resolved on time (%)"), disputes["on_time_rate"] if disputes else None, PERCENT),
            Stat(_("Dispute satisfaction (1–5)"), disputes["satisfaction"] if disputes else None, DECIMAL),
            Stat(_("Funds paid"), spend, MONEY),
            Stat(_("Policy awareness (政策知晓率)"), None, PERCENT),
        ]
        report.sections = [
            Section(
                _("Assessment figures"),
                paragraphs=[_("Policy awareness is surveyed by the county and is not recorded in Zhucun.")],
                stats=stats,
            ),
            Section(
                _("By village"),
                tables=[
                    Table(
                        _("Assessment by village"),
                        [
                            Column("village", _("Village")),
                            Column("present", _("Days in the village"), INT),
                            Column("required", _("Days required"), INT),
                            Column("presence", _("住村率 (%)"), PERCENT),
                            Column("households", _("Households"), INT),
                            Column("visited", _("Households visited"), INT),
                            Column("visit_rate", _("入户率 (%)"), PERCENT),
                            Column("meetings", _("Meetings"), INT),
                            Column("solved", _("Problems solved"), INT),
                        ],
                        rows,
                        empty_text=_("There are no villages in this area."),
                    )
                ],
            ),
        ]
        return report

    def _spend(self, params: Params, villages) -> Decimal | None:
        spend_overview = source("projects.selectors", "spend_overview")
        if spend_overview is None:
            return None
        return spend_overview(params.user, villages=villages, start=params.start, end=params.end)["total"].paid
