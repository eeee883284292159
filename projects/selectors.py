"""Every read of projects and funds, scoped through villages.selectors.

Reports and maps read the roll-ups here (`spend_overview`, `outputs_against_targets`,
`approval_queue`, `compliance_findings`, `project_sites`): plain functions returning
plain rows with Decimal money.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import (
    OUTPUT_KINDS,
    BudgetLine,
    ComplianceFinding,
    Grant,
    Indicator,
    IndicatorActual,
    IndicatorKind,
    Payment,
    PaymentStatus,
    Project,
    ProjectBudget,
    ProjectSite,
    PublicNotice,
)
from villages.models import PAYMENT_ROLES, Area, Role
from villages.money import money
from villages.selectors import filter_in_scope, get_in_scope, roles_for

ZERO = Decimal("0.00")
COMMITTED = (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


# ---------------------------------------------------------------- one object, checked


def project_for_user(user, pk, *, write: bool = False) -> Project:
    return get_in_scope(Project.objects.select_related("village"), user, pk, area_field="village", write=write)


def grant_for_user(user, pk, *, write: bool = False) -> Grant:
    return get_in_scope(Grant.objects.select_related("funder", "area"), user, pk, area_field="area", write=write)


def payment_for_user(user, pk, *, write: bool = False) -> Payment:
    qs = Payment.objects.select_related("project__village", "budget_line__project_budget__grant", "created_by")
    return get_in_scope(qs, user, pk, area_field="project__village", write=write)


def indicator_for_user(user, pk, *, write: bool = False) -> Indicator:
    qs = Indicator.objects.select_related("project__village")
    return get_in_scope(qs, user, pk, area_field="project__village", write=write)


def notice_for_user(user, pk, *, write: bool = False) -> PublicNotice:
    qs = PublicNotice.objects.select_related("project__village")
    return get_in_scope(qs, user, pk, area_field="project__village", write=write)


def site_for_user(user, pk, *, write: bool = False) -> ProjectSite:
    qs = ProjectSite.objects.select_related("project__village")
    return get_in_scope(qs, user, pk, area_field="project__village", write=write)


# ---------------------------------------------------------------- lists


def projects_for_user(user, *, villages=None) -> QuerySet[Project]:
    qs = filter_in_scope(Project.objects.select_related("village"), user, area_field="village")
    return qs.filter(village__in=villages) if villages is not None else qs


def grants_for_user(user) -> QuerySet[Grant]:
    """Grants whose area is in scope, and grants funding a project in scope (a village sees its funders)."""
    projects = projects_for_user(user).values("pk")
    return (
        Grant.objects.filter(
            Q(pk__in=filter_in_scope(Grant.objects.all(), user).values("pk")) | Q(budgets__project__in=projects)
        )
        .select_related("funder", "area")
        .distinct()
    )


def payments_for_user(user, *, villages=None) -> QuerySet[Payment]:
    qs = filter_in_scope(
        Payment.objects.select_related("project__village", "budget_line__project_budget__grant"),
        user,
        area_field="project__village",
    )
    return qs.filter(project__village__in=villages) if villages is not None else qs


def indicators_for_user(user) -> QuerySet[Indicator]:
    return filter_in_scope(Indicator.objects.select_related("project"), user, area_field="project__village")


def project_sites(user, *, villages=None, project=None) -> QuerySet[ProjectSite]:
    """Sites for maps: points, lines and polygons in settings.GEOMETRY_SRID; `site.label` reads "管道 3,000 m"."""
    qs = filter_in_scope(ProjectSite.objects.select_related("project__village"), user, area_field="project__village")
    if villages is not None:
        qs = qs.filter(project__village__in=villages)
    if project is not None:
        qs = qs.filter(project=project)
    return qs


# ---------------------------------------------------------------- money


def line_committed(line: BudgetLine, *, excluding: Payment | None = None) -> Decimal:
    qs = line.payments.filter(status__in=COMMITTED)
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    # money(): SQLite sums decimals as floats; the total is rounded back to fen.
    return money(qs.aggregate(total=Sum("amount"))["total"] or ZERO)


@dataclass
class Figures:
    """Budget, committed (submitted into the chain), paid (the cashier has paid) and remaining."""

    budget: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    original: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    @property
    def share_paid(self) -> int:
        return int(self.paid * 100 / self.budget) if self.budget else 0


@dataclass
class Row:
    obj: object
    figures: Figures = field(default_factory=Figures)


def _sum(condition: Q | None = None) -> Coalesce:
    """A Decimal sum of payment amounts (0.00 when none match), optionally of the rows matching `condition`."""
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=MONEY_FIELD)


def _payment_sums(payments: QuerySet[Payment]) -> dict[int, tuple[Decimal, Decimal]]:
    """Committed and paid per budget line, added up by the database (one GROUP BY, no row reaches Python)."""
    rows = (
        payments.filter(status__in=COMMITTED)
        .values("budget_line_id")
        .annotate(committed=_sum(), paid=_sum(Q(paid_on__isnull=False)))
        .values_list("budget_line_id", "committed", "paid")
        .order_by()
    )
    # money(): SQLite adds decimals as floats; PostgreSQL's numeric sums are already exact.
    return {line_id: (money(committed), money(paid)) for line_id, committed, paid in rows}


# Columns nobody reads from the overview's objects (a village boundary, a project's long texts): not loaded.
_HEAVY_PROJECT = ("works", "benefit")


def _overview_lines(projects: QuerySet[Project]) -> list[BudgetLine]:
    """The budget lines of `projects` with their budget, grant (and funder), project and village attached,
    each grant, project and village loaded once and shared by its lines: a city has 40,000 lines but only
    20,000 projects and budgets, 2,000 villages and a few dozen grants (select_related built six objects a line)."""
    lines = list(
        BudgetLine.objects.filter(project_budget__project__in=projects).order_by("project_budget__grant__code", "code")
    )
    ids = projects.values("pk")
    budgets = ProjectBudget.objects.filter(project__in=ids).in_bulk()
    grants = Grant.objects.filter(budgets__project__in=ids).select_related("funder").distinct().in_bulk()
    by_pk = Project.objects.filter(pk__in=ids).defer(*_HEAVY_PROJECT).in_bulk()
    villages = Area.objects.filter(pk__in=projects.values("village_id")).defer("boundary").in_bulk()
    for project in by_pk.values():
        project.village = villages[project.village_id]
    for budget in budgets.values():
        budget.grant = grants[budget.grant_id]
        budget.project = by_pk[budget.project_id]
    for line in lines:
        line.project_budget = budgets[line.project_budget_id]
    return lines


def spend_overview(user, *, villages=None, start: date | None = None, end: date | None = None) -> dict:
    """Budget, committed, paid and remaining per grant, budget line, project and village (Decimal yuan).

    `start`/`end` limit the payments counted (by creation date, for committed and paid alike);
    budgets are the lines' current amounts. The payments are summed per line in SQL; the roll-ups
    add those per-line Decimals (exact), in the order of the lines (grant code, line code).
    """
    projects = projects_for_user(user, villages=villages)
    payments = Payment.objects.filter(budget_line__project_budget__project__in=projects.values("pk"))
    if start:
        payments = payments.filter(created__date__gte=start)
    if end:
        payments = payments.filter(created__date__lte=end)
    sums = _payment_sums(payments)
    nothing = (ZERO, ZERO)
    lines, total = [], [ZERO, ZERO, ZERO, ZERO]
    rollups: dict[str, dict] = {"grants": {}, "projects": {}, "villages": {}}
    grants, projects_, villages_ = rollups["grants"], rollups["projects"], rollups["villages"]
    for line in _overview_lines(projects):
        committed, paid = sums.get(line.pk, nothing)
        budget, original = line.current_amount, line.original_amount
        lines.append(Row(line, Figures(budget=budget, committed=committed, paid=paid, original=original)))
        project = line.project_budget.project
        for rollup, obj in ((grants, line.project_budget.grant), (projects_, project), (villages_, project.village)):
            sums_of = rollup.get(obj.pk)
            if sums_of is None:
                sums_of = rollup[obj.pk] = [obj, ZERO, ZERO, ZERO, ZERO]
            sums_of[1] += budget
            sums_of[2] += committed
            sums_of[3] += paid
            sums_of[4] += original
        total[0] += budget
        total[1] += committed
        total[2] += paid
        total[3] += original
    out = {"lines": lines, "total": Figures(*total)}
    for key, rollup in rollups.items():
        out[key] = [Row(obj, Figures(*figures)) for obj, *figures in rollup.values()]
    return out


# What `spend_figures` groups by: the budget line's path to it, and the payment's.
_SPEND_KEYS = {
    "line": ("pk", "budget_line_id"),
    "grant": ("project_budget__grant", "budget_line__project_budget__grant"),
    "project": ("project_budget__project", "budget_line__project_budget__project"),
    "village": ("project_budget__project__village", "budget_line__project_budget__project__village"),
    None: (None, None),
}


def spend_figures(user, by: str | None, *, villages=None, lines: Q | None = None) -> dict:
    """The figures of `spend_overview`'s roll-ups without building it: {id: Figures} per budget line,
    grant, project or village (`by=None`: the one total, under the key None), from two `GROUP BY`s
    (lines, payments) and no object. For pages that show a few rows or the totals: the overview
    builds every line of the scope (40,000 for the city). `lines` narrows the budget lines (e.g.
    `Q(project_budget__project=project)`); the payments counted are those on the lines counted."""
    line_key, payment_key = _SPEND_KEYS[by]
    budget_lines = BudgetLine.objects.filter(project_budget__project__in=projects_for_user(user, villages=villages))
    if lines is not None:
        budget_lines = budget_lines.filter(lines)
    payments = Payment.objects.filter(status__in=COMMITTED, budget_line__in=budget_lines.values("pk"))
    line_sums = {"budget": Sum("current_amount"), "original": Sum("original_amount")}
    payment_sums = {"committed": _sum(), "paid": _sum(Q(paid_on__isnull=False))}
    if by is None:
        rows = [{None: None, **budget_lines.aggregate(**line_sums)}]
        paid_rows = [{None: None, **payments.aggregate(**payment_sums)}]
        line_key = payment_key = None
    else:
        rows = budget_lines.values(line_key).annotate(**line_sums).order_by()
        paid_rows = payments.values(payment_key).annotate(**payment_sums).order_by()
    # money(): SQLite adds decimals as floats; PostgreSQL's numeric sums are already exact.
    figures = {
        row[line_key]: Figures(budget=money(row["budget"] or ZERO), original=money(row["original"] or ZERO))
        for row in rows
        if by is not None or row["budget"] is not None
    }
    for row in paid_rows:
        if row[payment_key] in figures:
            figures[row[payment_key]].committed = money(row["committed"])
            figures[row[payment_key]].paid = money(row["paid"])
    return figures


def spend_total(user, *, villages=None) -> Figures:
    return spend_figures(user, None, villages=villages).get(None, Figures())


def project_paid(project: Project) -> Decimal:
    paid = project.payments.filter(status__in=COMMITTED, paid_on__isnull=False).aggregate(total=Sum("amount"))
    return money(paid["total"] or ZERO)


# ---------------------------------------------------------------- outputs


@dataclass
class OutputRow:
    indicator: Indicator
    actual: Decimal | None
    met: bool | None
    cost_per_unit: Decimal | None
    reported_on: date | None


def output_indicators(user, *, villages=None) -> QuerySet[Indicator]:
    """The indicators `outputs_against_targets` reports on, in its order (for paging them)."""
    projects = projects_for_user(user, villages=villages)
    return Indicator.objects.filter(project__in=projects).order_by("project__code", "kind", "pk")


def outputs_against_targets(
    user, *, villages=None, project: Project | None = None, indicator_ids: list[int] | None = None
) -> list[OutputRow]:
    """Each indicator's latest actual against its target; cost per unit for quantity outputs (paid ÷ actual).
    `indicator_ids` limits the rows (a page of `output_indicators`)."""
    projects = projects_for_user(user, villages=villages)
    if project is not None:
        projects = projects.filter(pk=project.pk)
    indicators = Indicator.objects.filter(project__in=projects)
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=indicator_ids)
        projects = projects.filter(pk__in=indicators.values("project_id"))
    # One object per project, shared by its indicators (not one per indicator, as select_related would make).
    by_pk = Project.objects.filter(pk__in=projects.values("pk")).defer(*_HEAVY_PROJECT).in_bulk()
    latest = _latest_actuals(projects, indicator_ids)
    paid_by_project: dict[int, Decimal] | None = None
    rows = []
    for indicator in indicators.order_by("project__code", "kind", "pk"):
        indicator.project = by_pk[indicator.project_id]
        value, reported_on = latest.get(indicator.pk, (None, None))
        cost = None
        if indicator.kind == IndicatorKind.QUANTITY and value:
            if paid_by_project is None:
                paid_by_project = projects_paid(projects)
            cost = (paid_by_project.get(indicator.project_id, ZERO) / value).quantize(Decimal("0.01"))
        rows.append(OutputRow(indicator, value, indicator.met(value), cost, reported_on))
    return rows


def _latest_actuals(projects: QuerySet[Project], indicator_ids=None) -> dict[int, tuple[Decimal, date]]:
    """{indicator id: (value, reported on)} of each indicator's latest actual (by date, then by entry)."""
    actuals = IndicatorActual.objects.filter(indicator__project__in=projects.values("pk"))
    if indicator_ids is not None:
        actuals = actuals.filter(indicator_id__in=indicator_ids)
    actuals = actuals.order_by("indicator_id", "reported_on", "pk").values_list("indicator_id", "value", "reported_on")
    return {indicator_id: (value, reported_on) for indicator_id, value, reported_on in actuals}


def projects_paid(projects: QuerySet[Project]) -> dict[int, Decimal]:
    """`project_paid` of many projects in one GROUP BY (projects with nothing paid are absent)."""
    rows = (
        Payment.objects.filter(project__in=projects.values("pk"), status__in=COMMITTED, paid_on__isnull=False)
        .values("project_id")
        .annotate(total=_sum())
        .values_list("project_id", "total")
        .order_by()
    )
    return {project_id: money(total) for project_id, total in rows}


def output_rows_only(rows: list[OutputRow]) -> list[OutputRow]:
    return [r for r in rows if r.indicator.kind in OUTPUT_KINDS]


# ---------------------------------------------------------------- approvals


@dataclass
class QueueItem:
    payment: Payment
    role: str
    waiting: object  # timedelta


def approval_queue(user) -> list[QueueItem]:
    """Payments waiting at a step whose role the user holds for the area, oldest first, with waiting time."""
    held = roles_for(user) & set(PAYMENT_ROLES)
    if not held:
        return []
    steps = [PAYMENT_ROLES.index(r) for r in held]
    qs = payments_for_user(user).filter(
        Q(status=PaymentStatus.IN_CHAIN, step__in=steps)
        | Q(status__in=[PaymentStatus.DRAFT, PaymentStatus.SENT_BACK], step=0, step__in=steps)
    )
    now = timezone.now()
    items = []
    for payment in qs.order_by("step_since", "pk"):
        role = PAYMENT_ROLES[payment.step]
        if role not in roles_for(user, payment.project.village):
            continue
        if payment.steps.filter(actor=user).exclude(step=payment.step).exists():
            continue  # segregation of duties: someone else must take it
        items.append(QueueItem(payment, role, now - payment.step_since))
    return items


def queue_by_role(user) -> list[dict]:
    """For HQ: for each chain role, how many payments wait there and the longest wait (counted by
    the database: a city's queue holds thousands of payments). Step 1 (the handler) is the drafts
    and the payments sent back to them."""
    now = timezone.now()
    payments = payments_for_user(user).order_by()
    in_chain = {
        row["step"]: row
        for row in payments.filter(status=PaymentStatus.IN_CHAIN)
        .values("step")
        .annotate(n=Count("pk"), oldest=Min("step_since"))
    }
    drafts = payments.filter(status__in=[PaymentStatus.DRAFT, PaymentStatus.SENT_BACK]).aggregate(
        n=Count("pk"), oldest=Min("step_since")
    )
    rows = []
    for index, role in enumerate(PAYMENT_ROLES):
        figures = drafts if index == 0 else in_chain.get(index, {"n": 0, "oldest": None})
        rows.append(
            {
                "role": role,
                "role_label": Role(role).label,
                "count": figures["n"],
                "longest": (now - figures["oldest"]) if figures["oldest"] else None,
            }
        )
    return rows


# ---------------------------------------------------------------- compliance


def compliance_findings(user, *, category: str | None = None, villages=None, resolved: bool = False):
    qs = filter_in_scope(
        ComplianceFinding.objects.select_related("village", "project", "payment"), user, area_field="village"
    ).filter(resolved=resolved)
    if category:
        qs = qs.filter(category=category)
    if villages is not None:
        qs = qs.filter(village__in=villages)
    return qs
