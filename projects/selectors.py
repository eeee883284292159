"""Every read of projects and funds, scoped through villages.selectors.

Reports and maps read the roll-ups here (`spend_overview`, `outputs_against_targets`,
`approval_queue`, `compliance_findings`, `project_sites`): plain functions returning
plain rows with Decimal money.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from projects.models import (
    OUTPUT_KINDS,
    BudgetLine,
    ComplianceFinding,
    Grant,
    Indicator,
    IndicatorKind,
    Payment,
    PaymentStatus,
    Project,
    ProjectSite,
    PublicNotice,
)
from villages.models import PAYMENT_ROLES, Role
from villages.money import money
from villages.selectors import filter_in_scope, get_in_scope, roles_for

ZERO = Decimal("0.00")
COMMITTED = (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)


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


def _payment_sums(payments: QuerySet[Payment]) -> tuple[dict, dict]:
    committed = defaultdict(lambda: ZERO)
    paid = defaultdict(lambda: ZERO)
    for line_id, status, paid_on, amount in payments.values_list("budget_line_id", "status", "paid_on", "amount"):
        if status in COMMITTED:
            committed[line_id] += amount
            if paid_on is not None:
                paid[line_id] += amount
    return committed, paid


def spend_overview(user, *, villages=None, start: date | None = None, end: date | None = None) -> dict:
    """Budget, committed, paid and remaining per grant, budget line, project and village (Decimal yuan).

    `start`/`end` limit the payments counted (by creation date for committed, by paid date for paid);
    budgets are the lines' current amounts.
    """
    lines = (
        BudgetLine.objects.filter(project_budget__project__in=projects_for_user(user, villages=villages))
        .select_related("project_budget__grant__funder", "project_budget__project__village")
        .order_by("project_budget__grant__code", "code")
    )
    payments = Payment.objects.filter(budget_line__in=lines)
    if start:
        payments = payments.filter(created__date__gte=start)
    if end:
        payments = payments.filter(created__date__lte=end)
    committed, paid = _payment_sums(payments)
    out = {"lines": [], "grants": {}, "projects": {}, "villages": {}, "total": Figures()}
    for line in lines:
        figures = Figures(
            budget=line.current_amount,
            committed=committed[line.pk],
            paid=paid[line.pk],
            original=line.original_amount,
        )
        out["lines"].append(Row(line, figures))
        grant, project = line.project_budget.grant, line.project_budget.project
        for key, obj in (("grants", grant), ("projects", project), ("villages", project.village)):
            row = out[key].setdefault(obj.pk, Row(obj))
            _add(row.figures, figures)
        _add(out["total"], figures)
    for key in ("grants", "projects", "villages"):
        out[key] = list(out[key].values())
    return out


def _add(total: Figures, figures: Figures) -> None:
    total.budget += figures.budget
    total.committed += figures.committed
    total.paid += figures.paid
    total.original += figures.original


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


def outputs_against_targets(user, *, villages=None, project: Project | None = None) -> list[OutputRow]:
    """Each indicator's latest actual against its target; cost per unit for quantity outputs (paid ÷ actual)."""
    projects = projects_for_user(user, villages=villages)
    if project is not None:
        projects = projects.filter(pk=project.pk)
    indicators = Indicator.objects.filter(project__in=projects).select_related("project").prefetch_related("actuals")
    paid_by_project: dict[int, Decimal] = {}
    rows = []
    for indicator in indicators.order_by("project__code", "kind", "pk"):
        actuals = sorted(indicator.actuals.all(), key=lambda a: (a.reported_on, a.pk))
        latest = actuals[-1] if actuals else None
        value = latest.value if latest else None
        cost = None
        if indicator.kind == IndicatorKind.QUANTITY and value:
            if indicator.project_id not in paid_by_project:
                paid_by_project[indicator.project_id] = project_paid(indicator.project)
            cost = (paid_by_project[indicator.project_id] / value).quantize(Decimal("0.01"))
        rows.append(OutputRow(indicator, value, indicator.met(value), cost, latest.reported_on if latest else None))
    return rows


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
    """For HQ: for each chain role, how many payments wait there and the longest wait."""
    now = timezone.now()
    rows = []
    waiting = payments_for_user(user).filter(status=PaymentStatus.IN_CHAIN)
    for index, role in enumerate(PAYMENT_ROLES):
        at_step = list(waiting.filter(step=index).order_by("step_since"))
        if index == 0:
            at_step = list(
                payments_for_user(user)
                .filter(status__in=[PaymentStatus.DRAFT, PaymentStatus.SENT_BACK])
                .order_by("step_since")
            )
        rows.append(
            {
                "role": role,
                "role_label": Role(role).label,
                "count": len(at_step),
                "longest": (now - at_step[0].step_since) if at_step else None,
                "payments": at_step[:5],
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
