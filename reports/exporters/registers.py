"""Monitoring list (防返贫监测), asset register (资产确权) and compliance self-check (对照审计问题自查)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import (
    DATE,
    INT,
    MONEY,
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
from reports.exporters.common import source, villages_under
from villages.masking import mask_name


def _report(exporter: Exporter, params: Params, title: str) -> ReportData:
    return ReportData(
        title=title % {"area": params.area.name},
        issuer=exporter.issuer(params.area),
        area=params.area,
        start=params.start,
        end=params.end,
    )


@register
class MonitoringList(Exporter):
    identifier = "monitoring_list"
    verbose_name = gettext_lazy("Monitoring list")
    description = gettext_lazy("Households in relapse monitoring, those entering or leaving it, and measures taken.")
    denied_roles = PERSONAL_DATA_DENIED

    def build(self, params: Params) -> ReportData:
        report = _report(self, params, _("Monitoring list of %(area)s"))
        households_for_user = source("fieldwork.selectors", "households_for_user")
        if households_for_user is None:
            report.sections.append(
                Section(_("Overview of the period"), [_("Household records are not available yet.")])
            )
            return report
        villages = villages_under(params.area)
        monitored = households_for_user(params.user, category="any").filter(village__in=villages)
        current = [
            [h.village.name, h.number, mask_name(h.head_name), h.monitoring_label, h.member_count] for h in monitored
        ]
        records = []
        for household in (
            households_for_user(params.user)
            .filter(
                village__in=villages,
                monitoring_records__started_on__lte=params.end,
            )
            .distinct()
        ):
            for record in household.monitoring_records.filter(started_on__gte=params.start, started_on__lte=params.end):
                records.append(
                    [
                        household.village.name,
                        household.number,
                        mask_name(household.head_name),
                        _("Leaving") if record.leaving else _("Entering"),
                        record.get_step_display(),
                        record.started_on,
                        record.decided_on,
                        record.get_decision_display() if record.decision else "",
                        record.measures,
                    ]
                )
        entering = sum(1 for r in records if r[3] == _("Entering"))
        report.sections = [
            Section(
                _("Overview of the period"),
                stats=[
                    Stat(_("Households in monitoring"), len(current), INT),
                    Stat(_("Procedures started to enter"), entering, INT),
                    Stat(_("Procedures started to leave"), len(records) - entering, INT),
                ],
            ),
            Section(
                _("Households in monitoring"),
                tables=[
                    Table(
                        _("Households in monitoring"),
                        [
                            Column("village", _("Village")),
                            Column("number", _("Household number")),
                            Column("head", _("Head of household (masked)")),
                            Column("category", _("Monitoring category")),
                            Column("members", _("Members"), INT),
                        ],
                        current,
                    )
                ],
            ),
            Section(
                _("Entering and leaving monitoring"),
                tables=[
                    Table(
                        _("Monitoring procedures"),
                        [
                            Column("village", _("Village")),
                            Column("number", _("Household number")),
                            Column("head", _("Head of household (masked)")),
                            Column("direction", _("Direction")),
                            Column("step", _("Step")),
                            Column("started", _("Started on"), DATE),
                            Column("decided", _("Decided on"), DATE),
                            Column("decision", _("Decision")),
                            Column("measures", _("Measures taken")),
                        ],
                        records,
                    )
                ],
            ),
        ]
        return report


@register
class AssetRegister(Exporter):
    identifier = "asset_register"
    verbose_name = gettext_lazy("Asset register")
    description = gettext_lazy("What finished projects left behind: class, owner, maintainer and value.")

    def build(self, params: Params) -> ReportData:
        report = _report(self, params, _("Asset register of %(area)s"))
        projects_for_user = source("projects.selectors", "projects_for_user")
        if projects_for_user is None:
            report.sections.append(Section(_("Overview of the period"), [_("Project records are not available yet.")]))
            return report
        projects = projects_for_user(params.user, villages=villages_under(params.area)).prefetch_related("assets")
        rows = []
        for project in projects.order_by("code"):
            for asset in project.assets.all():
                if asset.registered_on > params.end:
                    continue
                rows.append(
                    [
                        project.village.name,
                        project.name,
                        asset.name,
                        asset.get_asset_class_display(),
                        asset.get_owner_level_display(),
                        asset.owner,
                        asset.maintainer,
                        asset.registered_on,
                        asset.value,
                    ]
                )
        total = sum((r[-1] for r in rows), start=0)
        table = Table(
            _("Assets"),
            [
                Column("village", _("Village")),
                Column("project", _("Project")),
                Column("asset", _("Asset")),
                Column("class", _("Asset class")),
                Column("owner_level", _("Owner level")),
                Column("owner", _("Owner")),
                Column("maintainer", _("Maintained by")),
                Column("registered", _("Registered on"), DATE),
                Column("value", _("Value (yuan)"), MONEY),
            ],
            rows,
            totals=[_("Total"), "", "", "", "", "", "", None, total] if rows else None,
        )
        report.sections = [
            Section(
                _("Overview of the period"),
                stats=[Stat(_("Assets"), len(rows), INT), Stat(_("Total value"), total, MONEY)],
            ),
            Section(_("Asset register"), tables=[table]),
        ]
        return report


@register
class ComplianceSelfCheck(Exporter):
    identifier = "compliance_self_check"
    verbose_name = gettext_lazy("Compliance self-check")
    description = gettext_lazy("Every audit problem category: open and resolved findings, and what they are.")

    def build(self, params: Params) -> ReportData:
        report = _report(self, params, _("Compliance self-check of %(area)s"))
        findings = source("projects.selectors", "compliance_findings")
        categories = source("projects.models", "FindingCategory")
        if findings is None or categories is None:
            report.sections.append(Section(_("Overview of the period"), [_("Project records are not available yet.")]))
            return report
        villages = villages_under(params.area)
        open_ = list(findings(params.user, villages=villages))
        resolved = list(findings(params.user, villages=villages, resolved=True))
        rows = []
        for code, label in categories.choices:
            n_open = sum(1 for f in open_ if f.category == code)
            n_resolved = sum(1 for f in resolved if f.category == code)
            verdict = _("Problems found") if n_open else _("No problem found")
            rows.append([label, n_open, n_resolved, verdict])
        details = [
            [
                f.get_category_display(),
                f.village.name,
                f.project.name if f.project_id else "",
                f.message,
                f.first_found.date(),
                _("Resolved") if f.resolved else _("Open"),
            ]
            for f in open_ + resolved
        ]
        report.sections = [
            Section(
                _("Overview of the period"),
                stats=[Stat(_("Open findings"), len(open_), INT), Stat(_("Resolved findings"), len(resolved), INT)],
            ),
            Section(
                _("Check against the audit categories"),
                tables=[
                    Table(
                        _("By category"),
                        [
                            Column("category", _("Category")),
                            Column("open", _("Open"), INT),
                            Column("resolved", _("Resolved"), INT),
                            Column("verdict", _("Result")),
                        ],
                        rows,
                    )
                ],
            ),
            Section(
                _("Findings"),
                tables=[
                    Table(
                        _("Findings"),
                        [
                            Column("category", _("Category")),
                            Column("village", _("Village")),
                            Column("project", _("Project")),
                            Column("finding", _("Finding")),
                            Column("found", _("First found"), DATE),
                            Column("state", _("Status")),
                        ],
                        details,
                        empty_text=_("No findings."),
                    )
                ],
            ),
        ]
        return report
