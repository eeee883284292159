"""Each compliance check: a case that triggers it and one that does not (history imported as it was)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from projects.compliance import CHECKS, compliance_run
from projects.models import (
    Attachment,
    AttachmentKind,
    BudgetLine,
    ComplianceFinding,
    EconomicCategory,
    FindingCategory,
    Indicator,
    IndicatorActual,
    Invoice,
    Method,
    Payment,
    PaymentStatus,
    PaymentStep,
    PaymentType,
    Project,
    ProjectBudget,
    PublicNotice,
    Stage,
)
from tests.projects.factories import make_payment, run_chain, upload

FROZEN = "2026-11-20 10:00 +08:00"


def historic(funded, chain, *, number, amount="1000.00", **kw) -> Payment:
    """A completed payment as an import would bring it: no services, no checks."""
    values = {
        "project": funded.project,
        "budget_line": funded.line,
        "type": PaymentType.GOODS,
        "purpose": "历史支付",
        "payee": "紫阳县恒通水利工程有限公司",
        "payee_account": "6222",
        "amount": Decimal(amount),
        "status": PaymentStatus.COMPLETED,
        "step": 6,
        "paid_on": date(2025, 5, 1),
        "step_since": timezone.now(),
        "created_by": chain[0],
    }
    values.update(kw)
    return Payment.objects.create(number=number, **values)


def categories(funded) -> dict:
    compliance_run()
    found = {}
    for f in ComplianceFinding.objects.filter(resolved=False):
        found.setdefault(f.category, set()).add(f.payment.number if f.payment else f.project.code)
    return found


pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def test_a_clean_chain_payment_has_no_findings(funded, chain):
    run_chain(make_payment(funded, chain), chain)
    assert categories(funded) == {}
    assert len(CHECKS) == 12


def test_out_of_scope(funded, chain):
    historic(funded, chain, number="OK")
    historic(funded, chain, number="BAD", paid_on=date(2027, 3, 1))
    assert categories(funded)[FindingCategory.OUT_OF_SCOPE] == {"BAD"}


def test_missing_documents(funded, chain):
    ok = historic(funded, chain, number="OK", type=PaymentType.SERVICES)
    Attachment.objects.create(
        kind=AttachmentKind.CONTRACT, title="合同", file=upload(), payment=ok, uploaded_by=chain[0]
    )
    historic(funded, chain, number="BAD", type=PaymentType.SERVICES)
    assert categories(funded)[FindingCategory.MISSING_DOCUMENTS] == {"BAD"}


def test_missing_pre_work_notice(funded, chain):
    Project.objects.filter(pk=funded.project.pk).update(stage=Stage.UNDER_CONSTRUCTION)
    assert categories(funded)[FindingCategory.MISSING_DOCUMENTS] == {"P-1"}
    PublicNotice.objects.create(
        project=funded.project,
        kind=PublicNotice.Kind.PRE_WORK,
        posted_from=date(2024, 3, 1),
        posted_until=date(2024, 3, 10),
        place="村委会公示栏",
        created_by=chain[0],
    )
    assert FindingCategory.MISSING_DOCUMENTS not in categories(funded)


def test_wrong_grant(funded, chain):
    other = Project.objects.create(
        code="P-2",
        name="茶园",
        type="tea_garden",
        village=funded.project.village,
        implementer="x",
        responsible_person="y",
        starts_on=date(2024, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    historic(funded, chain, number="OK")
    historic(funded, chain, number="BAD", project=other)
    assert categories(funded)[FindingCategory.WRONG_GRANT] == {"BAD"}


def test_no_named_list(funded, chain):
    ok = historic(funded, chain, number="OK", type=PaymentType.PAYOUT)
    Attachment.objects.create(
        kind=AttachmentKind.RECIPIENT_LIST, title="名单", file=upload(), payment=ok, uploaded_by=chain[0]
    )
    historic(funded, chain, number="BAD", type=PaymentType.PAYOUT)
    assert categories(funded)[FindingCategory.NO_NAMED_LIST] == {"BAD"}


def test_cash(funded, chain):
    historic(funded, chain, number="OK")
    historic(funded, chain, number="BAD", method=Method.CASH, cash_reason="")
    assert categories(funded)[FindingCategory.CASH] == {"BAD"}


def test_same_person(funded, chain):
    ok = historic(funded, chain, number="OK")
    bad = historic(funded, chain, number="BAD")
    now = timezone.now()
    for step, actor in enumerate(chain):
        PaymentStep.objects.create(payment=ok, step=step, role="x", action="done", actor=actor, acted_at=now)
        PaymentStep.objects.create(
            payment=bad, step=step, role="x", action="done", actor=chain[0] if step == 6 else actor, acted_at=now
        )
    assert categories(funded)[FindingCategory.SAME_PERSON] == {"BAD"}


def test_split(funded, chain, settings):
    settings.PROJECTS_SPLIT_LIMIT = "10000.00"
    historic(funded, chain, number="A1", amount="6000.00", payee="甲公司")
    historic(funded, chain, number="A2", amount="6000.00", payee="甲公司")
    historic(funded, chain, number="B1", amount="6000.00", payee="乙公司")
    historic(funded, chain, number="C1", amount="3000.00", payee="丙公司")
    historic(funded, chain, number="C2", amount="3000.00", payee="丙公司")
    assert categories(funded)[FindingCategory.SPLIT] == {"A1"}


def test_split_ignores_payments_far_apart(funded, chain):
    historic(funded, chain, number="A1", amount="6000.00", payee="甲公司")
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        historic(funded, chain, number="A2", amount="6000.00", payee="甲公司")
        assert FindingCategory.SPLIT not in categories(funded)


def test_outside_period(funded, chain):
    historic(funded, chain, number="OK")
    historic(funded, chain, number="BAD", paid_on=date(2024, 2, 1))
    assert categories(funded)[FindingCategory.OUTSIDE_PERIOD] == {"BAD"}


def test_overrun(funded, chain):
    historic(funded, chain, number="OK", amount="150000.00")
    assert FindingCategory.OVERRUN not in categories(funded)
    historic(funded, chain, number="MORE", amount="0.01")
    assert categories(funded)[FindingCategory.OVERRUN] == {"P-1"}


def test_balance_not_carried(funded, chain):
    historic(funded, chain, number="OK", amount="150000.00")
    assert FindingCategory.BALANCE_NOT_CARRIED not in categories(funded)
    ended = funded.grant
    ended.ends_on = date(2025, 12, 31)
    ended.save()
    Payment.objects.filter(number="OK").update(amount=Decimal("149000.00"))
    assert categories(funded)[FindingCategory.BALANCE_NOT_CARRIED] == {"P-1"}


def test_duplicate_invoice(funded, chain):
    a = historic(funded, chain, number="A")
    b = historic(funded, chain, number="B")
    Invoice.objects.create(
        payment=a,
        code="6100241130",
        number="11112222",
        key="6100241130:11112222",
        issued_on=date(2025, 1, 1),
        amount=Decimal("1000.00"),
        seller="恒通",
    )
    Invoice.objects.create(
        payment=b,
        code="6100241131",
        number="33334444",
        key="6100241131:33334444",
        issued_on=date(2025, 1, 1),
        amount=Decimal("1000.00"),
        seller="恒通",
    )
    assert FindingCategory.DUPLICATE_INVOICE not in categories(funded)
    Invoice.objects.create(
        payment=b,
        code="6100241199",
        number="11112222",
        key="6100241199:11112222",
        issued_on=date(2025, 1, 1),
        amount=Decimal("1000.00"),
        seller="恒通",
    )
    assert categories(funded)[FindingCategory.DUPLICATE_INVOICE] == {"A"}


def test_late_reporting(funded, chain):
    indicator = Indicator.objects.create(
        project=funded.project, kind="quantity", name="管道", unit="m", target=Decimal("3000")
    )
    assert FindingCategory.LATE_REPORTING not in categories(funded)
    Project.objects.filter(pk=funded.project.pk).update(ends_on=date(2026, 9, 30))
    assert categories(funded)[FindingCategory.LATE_REPORTING] == {"P-1"}
    IndicatorActual.objects.create(indicator=indicator, value=Decimal("3000"), reported_on=date(2026, 10, 1))
    assert FindingCategory.LATE_REPORTING not in categories(funded)


def test_a_rerun_updates_and_resolves_instead_of_duplicating(funded, chain):
    bad = historic(funded, chain, number="BAD", method=Method.CASH)
    compliance_run()
    compliance_run()
    assert ComplianceFinding.objects.filter(category=FindingCategory.CASH).count() == 1
    bad.method = Method.TRANSFER
    bad.save()
    compliance_run()
    assert ComplianceFinding.objects.get(category=FindingCategory.CASH).resolved


def test_unused_budget_lines_do_not_count(funded, chain):
    BudgetLine.objects.create(
        project_budget=ProjectBudget.objects.get(),
        code="L-2",
        name="空",
        economic_category=EconomicCategory.GOODS_SERVICES,
        original_amount=Decimal("100.00"),
        current_amount=Decimal("100.00"),
    )
    assert FindingCategory.OVERRUN not in categories(funded)
