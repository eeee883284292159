"""Compliance checks: the auditors' typical findings, run over the data (a daily job and on demand).

Each check yields `Found` rows; `compliance_run` (in services terms: the one writer of
findings) upserts them by a stable key and marks findings no longer present as resolved.
The checks read history as it is, including imported rows that never went through the
services, which is why they repeat what the services already refuse.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import rules
from projects.models import (
    STAGE_ORDER,
    AttachmentKind,
    BudgetChange,
    BudgetLine,
    ComplianceFinding,
    FindingCategory,
    Grant,
    Indicator,
    Invoice,
    Method,
    Payment,
    PaymentStatus,
    PaymentStep,
    PaymentType,
    Project,
    PublicNotice,
    Stage,
)
from villages.services import log_event

COMMITTED = (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)


@dataclass
class Found:
    category: str
    key: str
    message: str
    project: Project
    payment: Payment | None = None


def _committed():
    return Payment.objects.filter(status__in=COMMITTED).select_related(
        "project__village", "budget_line__project_budget__grant"
    )


def _when(payment: Payment):
    return payment.paid_on or timezone.localtime(payment.created).date()


def check_out_of_scope() -> Iterator[Found]:
    for p in _committed():
        grant = p.budget_line.project_budget.grant
        if not p.project.village.path.startswith(grant.area.path) or not grant.starts_on <= _when(p) <= grant.ends_on:
            yield Found(
                FindingCategory.OUT_OF_SCOPE,
                f"scope:{p.pk}",
                _("Payment %(number)s lies outside the grant's area or period (%(grant)s).")
                % {"number": p.number, "grant": grant.name},
                p.project,
                p,
            )


def check_missing_documents() -> Iterator[Found]:
    for p in _committed().prefetch_related("attachments"):
        kinds = {a.kind for a in p.attachments.all()}
        missing = [
            k for k in rules.required_attachments(p.type) if k not in kinds and k != AttachmentKind.RECIPIENT_LIST
        ]
        if missing:
            names = "、".join(str(AttachmentKind(k).label) for k in missing)
            yield Found(
                FindingCategory.MISSING_DOCUMENTS,
                f"docs:{p.pk}",
                _("Payment %(number)s lacks %(documents)s.") % {"number": p.number, "documents": names},
                p.project,
                p,
            )
    started = STAGE_ORDER.index(Stage.UNDER_CONSTRUCTION)
    noticed = set(PublicNotice.objects.filter(kind=PublicNotice.Kind.PRE_WORK).values_list("project_id", flat=True))
    for project in Project.objects.select_related("village"):
        if project.stage_index() >= started and project.pk not in noticed:
            yield Found(
                FindingCategory.MISSING_DOCUMENTS,
                f"notice:{project.pk}",
                _("Project %(name)s started without a recorded pre-work notice.") % {"name": project.name},
                project,
            )


def check_wrong_grant() -> Iterator[Found]:
    for p in _committed():
        if p.budget_line.project_budget.project_id != p.project_id:
            yield Found(
                FindingCategory.WRONG_GRANT,
                f"grant:{p.pk}",
                _("Payment %(number)s for %(project)s was paid from another project's budget line %(line)s.")
                % {"number": p.number, "project": p.project.name, "line": p.budget_line.code},
                p.project,
                p,
            )


def check_no_named_list() -> Iterator[Found]:
    for p in _committed().filter(type=PaymentType.PAYOUT).exclude(attachments__kind=AttachmentKind.RECIPIENT_LIST):
        yield Found(
            FindingCategory.NO_NAMED_LIST,
            f"list:{p.pk}",
            _("Payout %(number)s to %(payee)s has no named recipient list.") % {"number": p.number, "payee": p.payee},
            p.project,
            p,
        )


def check_cash() -> Iterator[Found]:
    for p in _committed().filter(method=Method.CASH):
        over = p.amount > rules.cash_limit()
        yield Found(
            FindingCategory.CASH,
            f"cash:{p.pk}",
            (
                _("Cash payment %(number)s of %(amount)s yuan is over the cash limit.")
                if over or not p.cash_reason
                else _("Cash payment %(number)s of %(amount)s yuan (reason: %(reason)s).")
            )
            % {"number": p.number, "amount": p.amount, "reason": p.cash_reason},
            p.project,
            p,
        )


def check_same_person() -> Iterator[Found]:
    steps = defaultdict(set)
    for payment_id, actor_id, step in PaymentStep.objects.values_list("payment_id", "actor_id", "step"):
        steps[(payment_id, actor_id)].add(step)
    for payment in Payment.objects.filter(steps__isnull=False).distinct().select_related("project__village"):
        steps[(payment.pk, payment.created_by_id)].add(0)
    flagged = {payment_id for (payment_id, _actor), acted in steps.items() if len(acted) > 1}
    for p in Payment.objects.filter(pk__in=flagged).select_related("project__village"):
        yield Found(
            FindingCategory.SAME_PERSON,
            f"same:{p.pk}",
            _("One person acted at several steps of payment %(number)s.") % {"number": p.number},
            p.project,
            p,
        )


def check_split() -> Iterator[Found]:
    limit, window = rules.split_limit(), timedelta(days=rules.split_days())
    by_payee = defaultdict(list)
    for p in _committed().filter(amount__lt=limit).order_by("created"):
        by_payee[(p.project_id, p.payee)].append(p)
    for payments in by_payee.values():
        for i, first in enumerate(payments):
            group = [p for p in payments[i:] if p.created - first.created <= window]
            if len(group) > 1 and sum(p.amount for p in group) >= limit:
                numbers = "、".join(p.number for p in group)
                yield Found(
                    FindingCategory.SPLIT,
                    f"split:{first.pk}",
                    _("Payments %(numbers)s to %(payee)s within %(days)s days add up to %(total)s yuan.")
                    % {
                        "numbers": numbers,
                        "payee": first.payee,
                        "days": rules.split_days(),
                        "total": sum(p.amount for p in group),
                    },
                    first.project,
                    first,
                )
                break


def check_outside_period() -> Iterator[Found]:
    for p in _committed():
        if not p.project.starts_on <= _when(p) <= p.project.ends_on:
            yield Found(
                FindingCategory.OUTSIDE_PERIOD,
                f"period:{p.pk}",
                _("Payment %(number)s on %(date)s lies outside the project period.")
                % {"number": p.number, "date": _when(p).isoformat()},
                p.project,
                p,
            )


def check_overrun() -> Iterator[Found]:
    lines = BudgetLine.objects.select_related("project_budget__project__village").annotate(
        spent=Sum("payments__amount", filter=_committed_q())
    )
    for line in lines:
        if (line.spent or 0) > line.current_amount:
            yield Found(
                FindingCategory.OVERRUN,
                f"overrun:line:{line.pk}",
                _("Budget line %(line)s: %(spent)s yuan committed against a budget of %(budget)s.")
                % {"line": line.code, "spent": line.spent, "budget": line.current_amount},
                line.project_budget.project,
            )
    for grant in Grant.objects.annotate(allocated=Sum("budgets__lines__current_amount")):
        if (grant.allocated or 0) > grant.amount:
            project = Project.objects.filter(budgets__grant=grant).select_related("village").first()
            yield Found(
                FindingCategory.OVERRUN,
                f"overrun:grant:{grant.pk}",
                _("Grant %(grant)s: %(allocated)s yuan budgeted against %(amount)s.")
                % {"grant": grant.name, "allocated": grant.allocated, "amount": grant.amount},
                project,
            )


def _committed_q():
    from django.db.models import Q

    return Q(payments__status__in=COMMITTED)


def check_balance_not_carried() -> Iterator[Found]:
    today = timezone.localdate()
    lines = BudgetLine.objects.filter(project_budget__grant__ends_on__lt=today).select_related(
        "project_budget__grant", "project_budget__project__village"
    )
    for line in lines.annotate(spent=Sum("payments__amount", filter=_committed_q())):
        remaining = line.current_amount - (line.spent or Decimal("0"))
        ended = line.project_budget.grant.ends_on
        carried = BudgetChange.objects.filter(
            line=line, status=BudgetChange.Status.APPROVED, decided_at__date__gt=ended
        ).exists()
        if remaining > 0 and not carried:
            yield Found(
                FindingCategory.BALANCE_NOT_CARRIED,
                f"balance:{line.pk}",
                _("Budget line %(line)s kept %(remaining)s yuan after the grant ended on %(date)s.")
                % {"line": line.code, "remaining": remaining, "date": ended.isoformat()},
                line.project_budget.project,
            )


def check_duplicate_invoice() -> Iterator[Found]:
    # Exact duplicates cannot be saved; the same number under another code from the same seller is
    # the usual sign of one invoice typed twice.
    repeated = Invoice.objects.values("number", "seller").annotate(n=Count("payment", distinct=True)).filter(n__gt=1)
    for row in repeated:
        invoices = Invoice.objects.filter(number=row["number"], seller=row["seller"]).select_related(
            "payment__project__village"
        )
        first = invoices.order_by("pk").first()
        yield Found(
            FindingCategory.DUPLICATE_INVOICE,
            f"invoice:{row['number']}:{first.pk}",
            _("Invoice number %(number)s from %(seller)s appears on %(count)s payments.")
            % {"number": row["number"], "seller": row["seller"], "count": row["n"]},
            first.payment.project,
            first.payment,
        )


def check_late_reporting() -> Iterator[Found]:
    due = timezone.localdate() - timedelta(days=rules.report_due_days())
    for indicator in Indicator.objects.filter(project__ends_on__lt=due, actuals__isnull=True).select_related(
        "project__village"
    ):
        yield Found(
            FindingCategory.LATE_REPORTING,
            f"late:{indicator.pk}",
            _("No actual reported for %(indicator)s of %(project)s, which ended on %(date)s.")
            % {"indicator": indicator.name, "project": indicator.project.name, "date": indicator.project.ends_on},
            indicator.project,
        )


CHECKS = [
    check_out_of_scope,
    check_missing_documents,
    check_wrong_grant,
    check_no_named_list,
    check_cash,
    check_same_person,
    check_split,
    check_outside_period,
    check_overrun,
    check_balance_not_carried,
    check_duplicate_invoice,
    check_late_reporting,
]


@transaction.atomic
def compliance_run(*, actor=None) -> dict:
    """Run every check; new findings are added, vanished ones resolved; returns counts by category."""
    now = timezone.now()
    found = {f.key: f for check in CHECKS for f in check() if f.project is not None}
    existing = {f.key: f for f in ComplianceFinding.objects.select_for_update()}
    for key, f in found.items():
        row = existing.get(key)
        if row is None:
            ComplianceFinding.objects.create(
                category=f.category,
                key=key,
                village=f.project.village,
                project=f.project,
                payment=f.payment,
                message=f.message[:500],
                first_found=now,
                last_seen=now,
            )
        else:
            row.message, row.last_seen, row.resolved = f.message[:500], now, False
            row.save(update_fields=["message", "last_seen", "resolved"])
    ComplianceFinding.objects.exclude(key__in=list(found)).filter(resolved=False).update(resolved=True)
    counts = defaultdict(int)
    for f in found.values():
        counts[f.category] += 1
    log_event("projects.compliance.run", None, actor, {"findings": dict(counts)})
    return dict(counts)
