"""Writes to payments: the seven-step chain, its hard rules, one winner per step."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import rules
from projects.models import (
    STEP_COUNT,
    BudgetLine,
    Invoice,
    Method,
    Payment,
    PaymentStatus,
    PaymentStep,
    Project,
)
from projects.services.base import ACCOUNTANT_STEP, CASHIER_STEP, _log, _require, _require_role
from villages.models import PAYMENT_ROLES, Role

# ---------------------------------------------------------------- payments


def _next_number() -> str:
    year = timezone.localdate().year
    count = Payment.objects.filter(number__startswith=f"ZF{year}-").count()
    return f"ZF{year}-{count + 1:05d}"


@transaction.atomic
def payment_prepare(
    *,
    actor,
    project: Project,
    budget_line: BudgetLine,
    type: str,
    purpose: str,
    payee: str,
    amount,
    method: str = Method.TRANSFER,
    cash_reason: str = "",
    payee_account: str = "",
    number: str = "",
) -> Payment:
    """The handler (经办人) prepares a draft; the rules are checked when it is submitted."""
    _require_role(actor, Role.PAY_HANDLER, project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        budget_line.project_budget.project_id == project.pk,
        _("Funds are kept separate: this budget line belongs to another project."),
        "wrong_grant",
    )
    payment = Payment(
        number=number or _next_number(),
        project=project,
        budget_line=budget_line,
        type=type,
        purpose=purpose,
        payee=payee.strip(),
        payee_account=payee_account.strip(),
        amount=rules.parse_money(amount),
        method=method,
        cash_reason=cash_reason.strip(),
        step_since=timezone.now(),
        created_by=actor,
    )
    payment.full_clean()
    payment.save()
    _log("projects.payment.prepared", payment, actor, {"amount": str(payment.amount), "line": budget_line.code})
    return payment


@transaction.atomic
def payment_update(*, actor, payment: Payment, **fields) -> Payment:
    """Change a draft or sent-back payment (amount, payee, method …) before it is submitted again."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    _require_role(actor, Role.PAY_HANDLER, payment.project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK),
        _("A payment in the chain cannot be changed; send it back first."),
        "status",
    )
    allowed = {"purpose", "payee", "payee_account", "amount", "method", "cash_reason", "type"}
    _require(set(fields) <= allowed, _("These fields cannot be changed."), "fields")
    if "amount" in fields:
        fields["amount"] = rules.parse_money(fields["amount"])
    for key, value in fields.items():
        setattr(payment, key, value)
    payment.full_clean()
    payment.save(update_fields=sorted(fields))
    _log("projects.payment.updated", payment, actor, {k: str(v) for k, v in fields.items()})
    return payment


@transaction.atomic
def invoice_add(*, actor, payment: Payment, code: str, number: str, issued_on: date, amount, seller: str) -> Invoice:
    _require_role(actor, Role.PAY_HANDLER, payment.project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK),
        _("Invoices are added while the payment is being prepared."),
        "status",
    )
    code, number = (code or "").strip(), (number or "").strip()
    rules.check_invoice_format(code, number)
    project = payment.project
    _require(
        project.starts_on <= issued_on <= project.ends_on,
        _("Irregular invoice, no payment: the invoice date lies outside the project period."),
        "invoice_date",
    )
    _require(
        seller.strip() == payment.payee,
        _("Irregular invoice, no payment: the invoice's seller is not the payee."),
        "invoice_payee",
    )
    key = f"{code}:{number}"
    _require(
        not Invoice.objects.filter(key=key).exists(),
        _("Irregular invoice, no payment: invoice %(number)s has already been used.") % {"number": number},
        "invoice_duplicate",
    )
    invoice = Invoice(
        payment=payment,
        code=code,
        number=number,
        key=key,
        issued_on=issued_on,
        amount=rules.parse_money(amount),
        seller=seller.strip(),
    )
    invoice.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Someone saved the same invoice a moment ago: the unique key is the last word.
        raise ValidationError(
            _("Irregular invoice, no payment: invoice %(number)s has already been used.") % {"number": number},
            code="invoice_duplicate",
        ) from None
    _log("projects.payment.invoice_added", payment, actor, {"invoice": key, "amount": str(invoice.amount)})
    return invoice


def check_hard_rules(payment: Payment, *, line: BudgetLine) -> None:
    """无预算不支出, 手续不全不付款, 发票不规范不付款, 能转账拒付现金: raise on the first broken rule."""
    from projects.selectors import line_committed

    available = line.current_amount - line_committed(line, excluding=payment)
    _require(
        payment.amount <= available,
        _("No budget, no spending: the budget line has %(available)s yuan uncommitted, the payment needs %(amount)s.")
        % {"available": available, "amount": payment.amount},
        "no_budget",
    )
    kinds = set(payment.attachments.values_list("kind", flat=True))
    missing = [k for k in rules.required_attachments(payment.type) if k not in kinds]
    if missing:
        from projects.models import AttachmentKind

        names = "、".join(str(AttachmentKind(k).label) for k in missing)
        raise ValidationError(
            _("Incomplete paperwork, no payment: missing %(documents)s.") % {"documents": names}, code="paperwork"
        )
    if rules.needs_invoice(payment.type):
        invoices = list(payment.invoices.all())
        total = sum((i.amount for i in invoices), Decimal("0.00"))
        _require(bool(invoices), _("Irregular invoice, no payment: this payment needs an invoice."), "invoice_missing")
        _require(
            total == payment.amount,
            _("Irregular invoice, no payment: the invoices add up to %(total)s yuan, the payment is %(amount)s.")
            % {"total": total, "amount": payment.amount},
            "invoice_amount",
        )
        _require(
            all(i.seller == payment.payee for i in invoices),
            _("Irregular invoice, no payment: the invoice's seller is not the payee."),
            "invoice_payee",
        )
        project = payment.project
        _require(
            all(project.starts_on <= i.issued_on <= project.ends_on for i in invoices),
            _("Irregular invoice, no payment: the invoice date lies outside the project period."),
            "invoice_date",
        )
    if payment.method == Method.CASH:
        _require(
            bool(payment.cash_reason),
            _("Transfer, not cash: a cash payment needs a stated reason."),
            "cash_reason",
        )
        _require(
            payment.amount <= rules.cash_limit(),
            _("Transfer, not cash: cash payments stay under %(limit)s yuan.") % {"limit": rules.cash_limit()},
            "cash_limit",
        )
    else:
        _require(bool(payment.payee_account), _("Transfer, not cash: give the payee's bank account."), "account")


def _lock(payment: Payment, expected_version: int | None) -> Payment:
    locked = Payment.objects.select_for_update().select_related("project__village").get(pk=payment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _("Someone else has acted on this payment in the meantime; reload the page."), code="conflict"
        )
    return locked


def _check_actor(actor, payment: Payment) -> str:
    """The actor holds the waiting step's role for the area and has acted at no other step."""
    _require(payment.status != PaymentStatus.COMPLETED, _("This payment has completed the chain."), "completed")
    role = PAYMENT_ROLES[payment.step]
    _require_role(
        actor,
        role,
        payment.project.village,
        _("This step needs the role %(role)s for this area.") % {"role": Role(role).label},
    )
    other_steps = payment.steps.filter(actor=actor).exclude(step=payment.step).exists()
    prepared_it = payment.created_by_id == actor.pk and payment.step != 0
    _require(
        not (other_steps or prepared_it),
        _("Segregation of duties: no person may act at two steps of one payment."),
        "segregation",
    )
    return role


def _advance(payment: Payment, *, expected_step: int, changes: dict) -> None:
    """Conditional update on the expected step and version: of two concurrent actions, one wins."""
    updated = Payment.objects.filter(pk=payment.pk, step=expected_step, version=payment.version).update(
        version=F("version") + 1, step_since=timezone.now(), **changes
    )
    if updated != 1:
        raise ValidationError(
            _("Someone else has acted on this payment in the meantime; reload the page."), code="conflict"
        )
    payment.refresh_from_db()


@transaction.atomic
def payment_submit(*, actor, payment: Payment, expected_version: int | None = None, note: str = "") -> Payment:
    """Step 1 (经办人办理): the handler submits; every hard rule is checked, the amount is committed."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK) and payment.step == 0,
        _("This payment is already in the chain."),
        "status",
    )
    role = _check_actor(actor, payment)
    # Lock the line too: two submissions against one line cannot both take its last yuan.
    line = BudgetLine.objects.select_for_update().get(pk=payment.budget_line_id)
    check_hard_rules(payment, line=line)
    PaymentStep.objects.create(
        payment=payment,
        step=0,
        role=role,
        action=PaymentStep.Action.DONE,
        actor=actor,
        acted_at=timezone.now(),
        note=note[:500],
    )
    _advance(payment, expected_step=0, changes={"step": 1, "status": PaymentStatus.IN_CHAIN, "sent_back_reason": ""})
    _log(
        "projects.payment.submitted",
        payment,
        actor,
        {"step": 0, "role": role, "amount": str(payment.amount), "method": payment.method},
    )
    return payment


STEP_VERBS = {1: "approved", 2: "checked", 3: "approved", 4: "paid", 5: "booked", 6: "verified"}


@transaction.atomic
def payment_approve(
    *,
    actor,
    payment: Payment,
    expected_version: int | None = None,
    note: str = "",
    transfer_reference: str = "",
    voucher_number: str = "",
    paid_on: date | None = None,
) -> Payment:
    """Steps 2–7: approve, check, approve, pay (transfer reference), book (voucher number), verify."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status == PaymentStatus.IN_CHAIN and payment.step >= 1,
        _("This payment is not waiting for approval."),
        "status",
    )
    role = _check_actor(actor, payment)
    step = payment.step
    changes: dict = {}
    if step == CASHIER_STEP:
        reference = transfer_reference.strip()
        if payment.method == Method.TRANSFER:
            _require(bool(reference), _("The cashier records the bank transfer reference."), "transfer_reference")
        changes.update(transfer_reference=reference[:60], paid_on=paid_on or timezone.localdate())
    if step == ACCOUNTANT_STEP:
        _require(bool(voucher_number.strip()), _("The accountant records the voucher number."), "voucher_number")
        changes["voucher_number"] = voucher_number.strip()[:40]
    PaymentStep.objects.create(
        payment=payment,
        step=step,
        role=role,
        action=PaymentStep.Action.DONE,
        actor=actor,
        acted_at=timezone.now(),
        note=note[:500],
    )
    if step + 1 >= STEP_COUNT:
        changes["status"] = PaymentStatus.COMPLETED
    else:
        changes["step"] = step + 1
    _advance(payment, expected_step=step, changes=changes)
    data = {"step": step, "role": role}
    data.update({k: str(v) for k, v in changes.items() if k in ("transfer_reference", "voucher_number", "paid_on")})
    _log(f"projects.payment.{STEP_VERBS[step]}", payment, actor, data)
    return payment


@transaction.atomic
def payment_send_back(*, actor, payment: Payment, reason: str, expected_version: int | None = None) -> Payment:
    """Any approver (steps 2–7) sends the payment back to the handler with a reason; it is no longer committed."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status == PaymentStatus.IN_CHAIN and payment.step >= 1,
        _("This payment is not waiting for approval."),
        "status",
    )
    reason = (reason or "").strip()
    _require(bool(reason), _("Give the reason for sending it back."), "reason")
    role = _check_actor(actor, payment)
    step = payment.step
    PaymentStep.objects.create(
        payment=payment,
        step=step,
        role=role,
        action=PaymentStep.Action.SENT_BACK,
        actor=actor,
        acted_at=timezone.now(),
        note=reason[:500],
    )
    if step > CASHIER_STEP:
        # The money has left the account: books and verification go back to the cashier, not to the handler.
        changes = {"step": CASHIER_STEP, "sent_back_reason": reason[:500]}
    else:
        changes = {"step": 0, "status": PaymentStatus.SENT_BACK, "sent_back_reason": reason[:500]}
    _advance(payment, expected_step=step, changes=changes)
    _log(
        "projects.payment.sent_back",
        payment,
        actor,
        {"step": step, "role": role, "to_step": changes["step"], "reason": reason[:500]},
    )
    return payment
