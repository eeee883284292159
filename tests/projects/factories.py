"""Helpers for projects tests: uploads, a ready payment, running the chain."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import AttachmentKind, PaymentType


def upload(name="doc.pdf", content=b"%PDF-1.4 test", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_payment(funded, chain, *, amount="12000.00", type=PaymentType.WORKS, invoice_number="12345678", **kw):
    """A works payment with its contract, acceptance record and a matching invoice: ready to submit."""
    handler = chain[0]
    defaults = {"payee": "紫阳县恒通水利工程有限公司", "payee_account": "6222 0000 1111 2222"}
    defaults.update(kw)
    payment = services.payment_prepare(
        actor=handler,
        project=funded.project,
        budget_line=funded.line,
        type=type,
        purpose="管道维修工程款",
        amount=amount,
        **defaults,
    )
    for kind in (AttachmentKind.CONTRACT, AttachmentKind.ACCEPTANCE):
        services.attachment_add(actor=handler, kind=kind, title=str(kind), file=upload(), payment=payment)
    if type in (PaymentType.WORKS, PaymentType.GOODS, PaymentType.SERVICES):
        services.invoice_add(
            actor=handler,
            payment=payment,
            code="6100241130",
            number=invoice_number,
            issued_on=date(2024, 6, 1),
            amount=amount,
            seller=defaults["payee"],
        )
    return payment


def run_chain(payment, chain, *, upto: int = 7):
    """Act at steps 0..upto-1 with the seven different users."""
    for index in range(upto):
        user = chain[index]
        payment.refresh_from_db()
        if index == 0:
            services.payment_submit(actor=user, payment=payment)
        else:
            services.payment_approve(
                actor=user,
                payment=payment,
                transfer_reference="HX20240601001" if index == 4 else "",
                voucher_number="记-2024-06-015" if index == 5 else "",
            )
    payment.refresh_from_db()
    return payment
