"""The seven-step chain: roles, send-back, segregation of duties, the hard rules, the race on one step."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from projects import services
from projects.models import AttachmentKind, Method, Payment, PaymentStatus, PaymentStep, PaymentType
from projects.selectors import approval_queue, line_committed, spend_overview
from tests.factories import user_with_role
from tests.projects.factories import make_payment, run_chain, upload
from villages.models import Event, Role


def codes(exc: ValidationError) -> set:
    return {e.code for e in exc.error_list} if hasattr(exc, "error_list") else {exc.code}


def test_it_takes_a_payment_through_the_chain_with_seven_users(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain)
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.transfer_reference == "HX20240601001"
    assert payment.voucher_number == "记-2024-06-015"
    steps = list(payment.steps.order_by("step"))
    assert [s.step for s in steps] == list(range(7))
    assert len({s.actor_id for s in steps}) == 7
    kinds = list(
        Event.objects.filter(object_id=str(payment.pk), kind__startswith="projects.payment.").values_list(
            "kind", flat=True
        )
    )
    assert kinds[-7:] == [
        "projects.payment.submitted",
        "projects.payment.approved",
        "projects.payment.checked",
        "projects.payment.approved",
        "projects.payment.paid",
        "projects.payment.booked",
        "projects.payment.verified",
    ]


@pytest.mark.parametrize("step", range(1, 7))
def test_it_sends_back_with_a_reason_at_each_step(funded, chain, step):
    payment = run_chain(make_payment(funded, chain), chain, upto=step)
    assert payment.step == step
    services.payment_send_back(actor=chain[step], payment=payment, reason="附件不清晰")
    payment.refresh_from_db()
    if step <= 4:
        assert (payment.status, payment.step) == (PaymentStatus.SENT_BACK, 0)
        assert line_committed(funded.line) == Decimal("0.00")
    else:
        # Already paid: it goes back to the cashier, and stays committed.
        assert (payment.status, payment.step) == (PaymentStatus.IN_CHAIN, 4)
        assert line_committed(funded.line) == Decimal("12000.00")
    assert payment.sent_back_reason == "附件不清晰"
    event = Event.objects.filter(kind="projects.payment.sent_back").get()
    assert event.data["reason"] == "附件不清晰" and event.data["step"] == step


def test_it_refuses_to_send_back_without_a_reason(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=1)
    with pytest.raises(ValidationError):
        services.payment_send_back(actor=chain[1], payment=payment, reason="  ")
    payment.refresh_from_db()
    assert payment.step == 1


def test_it_can_resubmit_after_send_back(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=3)
    services.payment_send_back(actor=chain[3], payment=payment, reason="金额有误")
    run_chain(payment, chain)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED


def test_it_refuses_the_wrong_role(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=1)
    with pytest.raises(ValidationError) as exc:
        services.payment_approve(actor=chain[2], payment=payment)
    assert codes(exc.value) == {"role"}
    payment.refresh_from_db()
    assert payment.step == 1 and payment.steps.count() == 1


def test_it_refuses_a_role_held_in_another_area(funded, chain, tree):
    leader_b = user_with_role("leader_b", Role.PAY_LEADER, tree.village_b)
    payment = run_chain(make_payment(funded, chain), chain, upto=1)
    with pytest.raises(ValidationError):
        services.payment_approve(actor=leader_b, payment=payment)


def test_it_refuses_one_person_at_two_steps(funded, chain, tree):
    # The leader also holds the finance-check role: still may not act twice on one payment.
    user_with_role("fenguan", Role.PAY_FINANCE_CHECK, tree.city)
    payment = run_chain(make_payment(funded, chain), chain, upto=2)
    with pytest.raises(ValidationError) as exc:
        services.payment_approve(actor=chain[1], payment=payment)
    assert codes(exc.value) == {"segregation"}
    services.payment_approve(actor=chain[2], payment=payment)


def test_it_refuses_the_handler_at_a_later_step(funded, chain, tree):
    user_with_role("jingban", Role.PAY_EXEC_VICE_CHAIR, tree.city)
    payment = run_chain(make_payment(funded, chain), chain, upto=6)
    with pytest.raises(ValidationError) as exc:
        services.payment_approve(actor=chain[0], payment=payment)
    assert codes(exc.value) == {"segregation"}


def test_it_refuses_a_stale_version(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=1)
    stale = payment.version
    services.payment_approve(actor=chain[1], payment=payment, expected_version=stale)
    with pytest.raises(ValidationError) as exc:
        services.payment_send_back(actor=chain[2], payment=payment, reason="x", expected_version=stale)
    assert codes(exc.value) == {"conflict"}


def test_cashier_must_record_the_transfer_reference(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=4)
    with pytest.raises(ValidationError) as exc:
        services.payment_approve(actor=chain[4], payment=payment)
    assert codes(exc.value) == {"transfer_reference"}


def test_accountant_must_record_the_voucher_number(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=5)
    with pytest.raises(ValidationError) as exc:
        services.payment_approve(actor=chain[5], payment=payment)
    assert codes(exc.value) == {"voucher_number"}


# ------------------------------------------------------------------ hard rules


def test_no_budget_no_spending(funded, chain):
    first = make_payment(funded, chain, amount="100000.00", invoice_number="10000001")
    services.payment_submit(actor=chain[0], payment=first)
    second = make_payment(funded, chain, amount="50000.01", invoice_number="10000002")
    with pytest.raises(ValidationError) as exc:
        services.payment_submit(actor=chain[0], payment=second)
    assert codes(exc.value) == {"no_budget"}
    second.refresh_from_db()
    assert second.status == PaymentStatus.DRAFT and not second.steps.exists()
    ok = make_payment(funded, chain, amount="50000.00", invoice_number="10000003")
    services.payment_submit(actor=chain[0], payment=ok)
    assert line_committed(funded.line) == Decimal("150000.00")


def test_incomplete_paperwork_no_payment(funded, chain):
    payment = services.payment_prepare(
        actor=chain[0],
        project=funded.project,
        budget_line=funded.line,
        type=PaymentType.PAYOUT,
        purpose="务工补贴",
        payee="大连村村民委员会",
        payee_account="6222",
        amount="3000.00",
    )
    with pytest.raises(ValidationError) as exc:
        services.payment_submit(actor=chain[0], payment=payment)
    assert codes(exc.value) == {"paperwork"}
    assert "实名制" in str(exc.value) or "recipient" in str(exc.value)
    services.attachment_add(
        actor=chain[0], kind=AttachmentKind.RECIPIENT_LIST, title="名单", file=upload(), payment=payment
    )
    services.payment_submit(actor=chain[0], payment=payment)


@pytest.mark.parametrize(
    ("code", "number", "ok"),
    [
        ("6100241130", "12345670", True),
        ("610024113012", "12345678", True),
        ("", "24612000000012345678", True),
        ("61002411", "12345678", False),
        ("6100241130", "1234567", False),
        ("", "12345678", False),
        ("6100241130", "1234567X", False),
    ],
)
def test_it_checks_the_invoice_format(funded, chain, code, number, ok):
    payment = make_payment(funded, chain, type=PaymentType.SERVICES)
    call = lambda: services.invoice_add(  # noqa: E731
        actor=chain[0],
        payment=payment,
        code=code,
        number=number,
        issued_on=date(2024, 6, 1),
        amount="1.00",
        seller=payment.payee,
    )
    if ok:
        call()
    else:
        with pytest.raises(ValidationError) as exc:
            call()
        assert codes(exc.value) == {"invoice_format"}


def test_it_refuses_an_invoice_used_twice_anywhere(funded, chain):
    make_payment(funded, chain, invoice_number="55555555")
    with pytest.raises(ValidationError) as exc:
        make_payment(funded, chain, invoice_number="55555555")
    assert codes(exc.value) == {"invoice_duplicate"}


def test_it_refuses_an_invoice_outside_the_project_period(funded, chain):
    payment = make_payment(funded, chain)
    with pytest.raises(ValidationError) as exc:
        services.invoice_add(
            actor=chain[0],
            payment=payment,
            code="6100241130",
            number="87654321",
            issued_on=date(2023, 12, 31),
            amount="1.00",
            seller=payment.payee,
        )
    assert codes(exc.value) == {"invoice_date"}


def test_it_refuses_an_invoice_from_another_seller(funded, chain):
    payment = make_payment(funded, chain)
    with pytest.raises(ValidationError) as exc:
        services.invoice_add(
            actor=chain[0],
            payment=payment,
            code="6100241130",
            number="87654321",
            issued_on=date(2024, 6, 1),
            amount="1.00",
            seller="别的公司",
        )
    assert codes(exc.value) == {"invoice_payee"}


def test_it_refuses_invoices_that_do_not_add_up(funded, chain):
    payment = make_payment(funded, chain)
    services.payment_update(actor=chain[0], payment=payment, amount="12000.01")
    with pytest.raises(ValidationError) as exc:
        services.payment_submit(actor=chain[0], payment=payment)
    assert codes(exc.value) == {"invoice_amount"}


def test_transfer_not_cash(funded, chain, settings):
    settings.PROJECTS_CASH_LIMIT = "500.00"
    payment = make_payment(funded, chain, type=PaymentType.GOODS, amount="600.00", method=Method.CASH, payee_account="")
    with pytest.raises(ValidationError) as exc:
        services.payment_submit(actor=chain[0], payment=payment)
    assert codes(exc.value) == {"cash_reason"}
    services.payment_update(actor=chain[0], payment=payment, cash_reason="偏远山区无银行网点")
    with pytest.raises(ValidationError) as exc:
        services.payment_submit(actor=chain[0], payment=payment)
    assert codes(exc.value) == {"cash_limit"}
    settings.PROJECTS_CASH_LIMIT = "1000.00"
    services.payment_submit(actor=chain[0], payment=payment)
    event = Event.objects.get(kind="projects.payment.submitted")
    assert event.data["method"] == "cash"


@pytest.mark.parametrize("amount", ["-5", "0", "12.345", "abc", "NaN", "1e20"])
def test_it_refuses_bad_amounts(funded, chain, amount):
    with pytest.raises(ValidationError):
        services.payment_prepare(
            actor=chain[0],
            project=funded.project,
            budget_line=funded.line,
            type=PaymentType.GOODS,
            purpose="x",
            payee="y",
            amount=amount,
        )
    assert not Payment.objects.exists()


def test_only_a_handler_prepares(funded, chain, personas):
    with pytest.raises(ValidationError):
        services.payment_prepare(
            actor=personas.hq,
            project=funded.project,
            budget_line=funded.line,
            type=PaymentType.GOODS,
            purpose="x",
            payee="y",
            amount="1.00",
        )


def test_it_refuses_an_attachment_of_the_wrong_type_or_size(funded, chain, settings):
    payment = make_payment(funded, chain)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=chain[0], kind=AttachmentKind.OTHER, title="x", file=upload("evil.exe"), payment=payment
        )
    assert codes(exc.value) == {"file_type"}
    settings.UPLOAD_MAX_BYTES = 5
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=chain[0], kind=AttachmentKind.OTHER, title="x", file=upload(), payment=payment)
    assert codes(exc.value) == {"file_size"}
    assert payment.attachments.count() == 2


def test_the_queue_shows_what_waits_for_each_role(funded, chain):
    payment = run_chain(make_payment(funded, chain), chain, upto=2)
    assert [item.payment for item in approval_queue(chain[2])] == [payment]
    assert approval_queue(chain[1]) == []
    assert approval_queue(chain[3]) == []


def test_spend_overview_has_exact_decimal_totals(funded, chain):
    run_chain(make_payment(funded, chain, amount="12000.10", invoice_number="20000001"), chain)
    run_chain(make_payment(funded, chain, amount="3000.05", invoice_number="20000002"), chain, upto=3)
    make_payment(funded, chain, amount="999.99", invoice_number="20000003")  # a draft commits nothing
    overview = spend_overview(funded.hq)
    total = overview["total"]
    assert total.budget == Decimal("150000.00")
    assert total.committed == Decimal("15000.15")
    assert total.paid == Decimal("12000.10")
    assert total.remaining == Decimal("134999.85")
    assert [row.obj for row in overview["grants"]] == [funded.grant]


@pytest.mark.postgis
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_of_one_step_one_wins(tree, personas, chain, funded):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second_leader = user_with_role("fenguan2", Role.PAY_LEADER, tree.city)
    payment = run_chain(make_payment(funded, chain), chain, upto=1)
    barrier = threading.Barrier(2)
    results = []

    def approve(user):
        from django.db import connections

        try:
            barrier.wait()
            services.payment_approve(
                actor=user, payment=Payment.objects.get(pk=payment.pk), expected_version=payment.version
            )
            results.append("ok")
        except ValidationError as exc:
            results.append(codes(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (chain[1], second_leader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results)) == sorted(["ok", str({"conflict"})])
    payment.refresh_from_db()
    assert payment.step == 2
    assert PaymentStep.objects.filter(payment=payment, step=1).count() == 1
