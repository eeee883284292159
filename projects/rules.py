"""The union's hard rules, as plain checks that raise ValidationError naming the rule.

Local practice (the cash limit, which documents each payment type needs, the split window)
is configuration: settings override the defaults here.
"""

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from projects.models import AttachmentKind, PaymentType
from villages.uploads import check_document, extension_of, read_upload, reencode_image

DEFAULT_REQUIRED_ATTACHMENTS = {
    PaymentType.WORKS: [AttachmentKind.CONTRACT, AttachmentKind.ACCEPTANCE],
    PaymentType.GOODS: [],
    PaymentType.SERVICES: [AttachmentKind.CONTRACT],
    PaymentType.PAYOUT: [AttachmentKind.RECIPIENT_LIST],
    PaymentType.COLLECTIVE: [AttachmentKind.MINUTES],
}
# Payment types that must be backed by invoices adding up to the amount.
DEFAULT_INVOICE_TYPES = {PaymentType.WORKS, PaymentType.GOODS, PaymentType.SERVICES}
ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png"}

# Paper VAT invoices: a 10- or 12-digit code and an 8-digit number; fully digital (数电) ones: 20 digits, no code.
PAPER_CODE = re.compile(r"^\d{10}(\d{2})?$")
PAPER_NUMBER = re.compile(r"^\d{8}$")
DIGITAL_NUMBER = re.compile(r"^\d{20}$")


def cash_limit() -> Decimal:
    return Decimal(str(getattr(settings, "PROJECTS_CASH_LIMIT", "1000.00")))


def split_limit() -> Decimal:
    """Payments at or above this need more paperwork, so splitting below it is a finding."""
    return Decimal(str(getattr(settings, "PROJECTS_SPLIT_LIMIT", "10000.00")))


def split_days() -> int:
    return int(getattr(settings, "PROJECTS_SPLIT_DAYS", 7))


def notice_min_days() -> int:
    return int(getattr(settings, "PROJECTS_NOTICE_MIN_DAYS", 10))


def report_due_days() -> int:
    """An indicator with no actual this many days after the project ends is reported late."""
    return int(getattr(settings, "PROJECTS_REPORT_DUE_DAYS", 30))


def required_attachments(payment_type: str) -> list[str]:
    table = getattr(settings, "PROJECTS_REQUIRED_ATTACHMENTS", DEFAULT_REQUIRED_ATTACHMENTS)
    return list(table.get(payment_type, []))


def needs_invoice(payment_type: str) -> bool:
    return payment_type in getattr(settings, "PROJECTS_INVOICE_TYPES", DEFAULT_INVOICE_TYPES)


def parse_money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive Decimal with at most two places, or a ValidationError naming the rule."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 1200.50.")}, code="money") from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, such as 1200.50.")}, code="money")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("An amount has at most two decimal places (fen).")}, code="money")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be positive.")}, code="money")
    if amount >= Decimal("1e12"):
        raise ValidationError({field: _("The amount is too large.")}, code="money")
    return amount.quantize(Decimal("0.01"))


def check_invoice_format(code: str, number: str) -> None:
    if not code and DIGITAL_NUMBER.match(number or ""):
        return
    if PAPER_CODE.match(code or "") and PAPER_NUMBER.match(number or ""):
        return
    raise ValidationError(
        _(
            "Irregular invoice, no payment: an invoice has a 10- or 12-digit code and an 8-digit number, "
            "or a 20-digit number and no code."
        ),
        code="invoice_format",
    )


def check_upload(file, *, images_only: bool = False) -> None:
    """Refuse a file of a type we do not keep, or one larger than UPLOAD_MAX_BYTES."""
    if file is None:
        raise ValidationError(_("Choose a file."), code="file")
    extension = Path(file.name or "").suffix.lower()
    allowed = IMAGE_EXTENSIONS if images_only else ALLOWED_EXTENSIONS
    if extension not in allowed:
        raise ValidationError(
            _("Files of this type are not accepted; use one of: %(types)s.") % {"types": " ".join(sorted(allowed))},
            code="file_type",
        )
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            code="file_size",
        )


@dataclass(frozen=True)
class CleanUpload:
    """What is stored: the checked (images: re-encoded) content under a generated name."""

    file: ContentFile
    size: int
    position: tuple[float, float] | None = None  # (longitude, latitude) read from the photo's EXIF


def document_image_max_side() -> int:
    """Scans of invoices and photos of notices keep more pixels than evidence photos, to stay legible."""
    return int(getattr(settings, "DOCUMENT_IMAGE_MAX_SIDE_PX", 3000))


def clean_upload(file, *, images_only: bool = False, max_side: int | None = None) -> CleanUpload:
    """check_upload, then the content: images re-encoded as JPEG (EXIF dropped), documents by their signature.

    The stored name is random: the user's file name is never a path on disk (and is not guessable).
    """
    check_upload(file, images_only=images_only)
    extension = extension_of(file.name)
    if extension in IMAGE_EXTENSIONS:
        jpeg = reencode_image(file, max_side=max_side)
        return CleanUpload(ContentFile(jpeg.data, name=f"{uuid.uuid4().hex}.jpg"), len(jpeg.data), jpeg.position)
    data = read_upload(file)
    check_document(data, extension)
    return CleanUpload(ContentFile(data, name=f"{uuid.uuid4().hex}{extension}"), len(data))
