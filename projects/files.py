"""Private files of projects: payment and grant documents, evidence photos, photos of posted notices.

None is public media. Each request finds the record the file belongs to with the same scope as
that record's page (out of scope: 404, anonymous: the login page), then sends the bytes with
`nosniff` and a Content-Disposition: photos inline, documents as a download.
"""

import mimetypes
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from projects import selectors
from projects.models import Attachment, EvidencePhoto

INLINE_TYPES = {"image/jpeg", "image/png"}


def attachment_for_user(user, pk) -> Attachment:
    """The document if the user may open the grant, project or payment it belongs to (else 404)."""
    attachment = Attachment.objects.select_related("step").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.payment_id:
        selectors.payment_for_user(user, attachment.payment_id)
    elif attachment.project_id or attachment.step_id:
        selectors.project_for_user(user, attachment.project_id or attachment.step.project_id)
    elif not selectors.grants_for_user(user).filter(pk=attachment.grant_id).exists():
        raise Http404  # the grant page's own scope: grants in scope and those funding a project in scope
    return attachment


def photo_for_user(user, pk) -> EvidencePhoto:
    photo = EvidencePhoto.objects.filter(pk=pk).only("pk", "project_id", "photo", "phase").first()
    if photo is None:
        raise Http404
    selectors.project_for_user(user, photo.project_id)
    return photo


def _read(field) -> bytes:
    # Stored files are at most UPLOAD_MAX_BYTES: read whole, so no file handle outlives the request.
    if not field:
        raise Http404
    try:
        with field.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc


def file_response(field, *, filename: str) -> HttpResponse:
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = HttpResponse(_read(field), content_type=content_type)
    inline = content_type in INLINE_TYPES
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _download_name(title: str, stored_name: str) -> str:
    extension = Path(stored_name).suffix.lower()
    base = Path(title or "").name or "document"
    return base if base.lower().endswith(extension) else f"{base}{extension}"


@login_required
@require_GET
def attachment_file(request, pk):
    attachment = attachment_for_user(request.user, pk)
    return file_response(attachment.file, filename=_download_name(attachment.title, attachment.file.name))


@login_required
@require_GET
def photo_file(request, pk):
    photo = photo_for_user(request.user, pk)
    return file_response(photo.photo, filename=f"photo-{photo.pk}{Path(photo.photo.name).suffix.lower()}")


@login_required
@require_GET
def notice_photo_file(request, pk):
    notice = selectors.notice_for_user(request.user, pk)
    return file_response(notice.photo, filename=f"notice-{notice.pk}{Path(notice.photo.name).suffix.lower()}")
