"""Dispute ledger (矛盾纠纷台账): every case of the period, with figures by category and level. No party names."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import (
    DATE,
    INT,
    PERCENT,
    PERSONAL_DATA_DENIED,
    Column,
    Exporter,
    Params,
    ReportData,
    Section,
    Stat,
    Table,
    register,
)
from reports.exporters.common import source

DECIMAL2 = "decimal"


def ledger_cases(params: Params):
    """grievances' ledger for the area and period, or None when that app is not there yet."""
    ledger = source("grievances.selectors", "ledger")
    if ledger is None:
        return None
    qs = ledger(params.user, start=params.start, end=params.end).filter(village__path__startswith=params.area.path)
    return qs.select_related("village").prefetch_related("parties")


@register
class DisputeLedger(Exporter):
    identifier = "dispute_ledger"
    verbose_name = gettext_lazy("Dispute ledger")
    description = gettext_lazy(
        "Every dispute received in the period, by category and level: on-time rate, escalations, satisfaction."
    )
    denied_roles = PERSONAL_DATA_DENIED

    def build(self, params: Params) -> ReportData:
        report = ReportData(
            title=_("Dispute ledger of %(area)s") % {"area": params.area.name},
            issuer=self.issuer(params.area),
            area=params.area,
            start=params.start,
            end=params.end,
        )
        cases = ledger_cases(params)
        if cases is None:
            report.sections.append(Section(_("Overview of the period"), [_("Dispute records are not available yet.")]))
            return report
        cases = list(cases)
        figures = source("grievances.selectors", "figures_for")(cases)
        self.progress(40)
        report.sections = [self._overview(figures), self._breakdown(cases), self._ledger(cases)]
        return report

    def _overview(self, f: dict) -> Section:
        return Section(
            heading=_("Overview of the period"),
            stats=[
                Stat(_("Disputes received"), f["received"], INT),
                Stat(_("Resolved"), f["resolved"], INT),
                Stat(_("Resolved on time"), f["on_time"], INT),
                Stat(_("On-time rate"), f["on_time_rate"], PERCENT),
                Stat(_("Closed"), f["closed"], INT),
                Stat(_("Still open"), f["open"], INT),
                Stat(_("Overdue"), f["overdue"], INT),
                Stat(_("Escalated"), f["escalated"], INT),
                Stat(_("Referred"), f["referred"], INT),
                Stat(_("Average days to close"), f["average_days_to_close"], DECIMAL2),
                Stat(_("Satisfaction (1–5)"), f["satisfaction"], DECIMAL2),
            ],
        )

    def _breakdown(self, cases: list) -> Section:
        by_category = Counter(c.category_label for c in cases)
        by_level = Counter(c.get_level_display() for c in cases)
        return Section(
            heading=_("By category and level"),
            tables=[
                Table(
                    _("By category"),
                    [Column("category", _("Category")), Column("count", _("Cases"), INT)],
                    [[k, v] for k, v in sorted(by_category.items(), key=lambda kv: -kv[1])],
                ),
                Table(
                    _("By handling level"),
                    [Column("level", _("Handling level")), Column("count", _("Cases"), INT)],
                    [[k, v] for k, v in sorted(by_level.items(), key=lambda kv: -kv[1])],
                ),
            ],
        )

    def _ledger(self, cases: list) -> Section:
        rows = [
            [
                c.number,
                c.village.name,
                c.received_on,
                c.category_label,
                c.masked_title,  # reports never reveal the parties
                c.get_level_display(),
                c.get_status_display(),
                c.deadline,
                c.resolved_on,
                c.closed_on,
                _("yes") if c.overdue else _("no"),
                c.escalations,
            ]
            for c in cases
        ]
        columns = [
            Column("number", _("Case number")),
            Column("village", _("Village")),
            Column("received_on", _("Received on"), DATE),
            Column("category", _("Category")),
            Column("title", _("Case summary")),
            Column("level", _("Handling level")),
            Column("status", _("Status")),
            Column("deadline", _("Deadline"), DATE),
            Column("resolved_on", _("Resolved on"), DATE),
            Column("closed_on", _("Closed on"), DATE),
            Column("overdue", _("Overdue")),
            Column("escalations", _("Escalations"), INT),
        ]
        return Section(heading=_("Ledger"), tables=[Table(_("Dispute ledger"), columns, rows)])
