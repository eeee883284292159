"""Uploads checked by their content, not their name.

Images are decoded and re-encoded as a plain JPEG: EXIF (camera, owner, GPS) and anything
hidden after the image data are dropped. The position is read first, so the caller can keep it
in its own fields. Documents must start the way their type does (a PDF with `%PDF-`, a Word or
Excel file is a zip with its main part, an old Office file an OLE2 container).
"""

import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}
MAX_PIXELS = 60_000_000
GPS_IFD = 0x8825
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Extension → the zip member that makes the file what it claims to be.
ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".ofd": "OFD.xml"}
IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    ZeroDivisionError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


@dataclass(frozen=True)
class Jpeg:
    data: bytes
    width: int
    height: int
    position: tuple[float, float] | None  # (longitude, latitude) from the EXIF GPS tags, before they were dropped


def read_upload(upload, *, what: str = "") -> bytes:
    """The whole upload, refused when larger than UPLOAD_MAX_BYTES (checked before and while reading)."""
    limit = settings.UPLOAD_MAX_BYTES
    message = _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError(message, code="file_size")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(message, code="file_size")
    return data


def reencode_image(upload, *, max_side: int | None = None) -> Jpeg:
    """Check an upload is an image by its content, then re-encode it as a JPEG (drops EXIF and any payload)."""
    data = read_upload(upload)
    not_a_photo = _("The file is not a photo (JPEG, PNG or WebP).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in IMAGE_FORMATS:
                    raise ValidationError(not_a_photo, code="file_content")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(_("The photo has too many pixels."), code="file_content")
                probe.verify()
            with Image.open(BytesIO(data)) as image:
                position = _gps_position(image)
                image = ImageOps.exif_transpose(image).convert("RGB")
                side = max_side or getattr(settings, "PHOTO_MAX_SIDE_PX", 1600)
                image.thumbnail((side, side))
                out = BytesIO()
                image.save(out, "JPEG", quality=82, optimize=True)
                return Jpeg(out.getvalue(), image.width, image.height, position)
    except IMAGE_ERRORS as exc:
        raise ValidationError(not_a_photo, code="file_content") from exc


def image_to_jpeg(upload) -> tuple[bytes, int, int]:
    jpeg = reencode_image(upload)
    return jpeg.data, jpeg.width, jpeg.height


def _degrees(values, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper() in ("S", "W") else value


def _gps_position(image) -> tuple[float, float] | None:
    """(longitude, latitude) from the EXIF GPS tags, or None when absent or nonsense."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block only means no position
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lon = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return None
    return lon, lat


def check_document(data: bytes, extension: str) -> None:
    """Refuse a document whose content is not what its extension says."""
    extension = extension.lower()
    if extension == ".pdf":
        ok = data.startswith(b"%PDF-")
    elif extension in ZIP_MEMBERS:
        ok = _zip_has(data, ZIP_MEMBERS[extension])
    elif extension in (".doc", ".xls"):
        ok = data.startswith(OLE2)
    else:
        ok = False
    if not ok:
        raise ValidationError(
            _("The content of the file does not match its type (%(type)s).") % {"type": extension},
            code="file_content",
        )


def _zip_has(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def extension_of(name: str) -> str:
    return Path(name or "").suffix.lower()
