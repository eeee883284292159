"""Projects files: checked by content on upload, served only through permission-checked views."""

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from projects import services
from projects.models import Attachment, AttachmentKind, EvidencePhoto, PublicNotice
from tests.conftest import PERSONA_NAMES
from tests.factories import user_with_role
from tests.projects.factories import make_payment, upload
from villages.models import Role

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
TAKEN = datetime(2024, 5, 1, 10, tzinfo=TZ)


def jpeg_with_gps(lon=(108.0, 30.0, 36.0), lat=(32.0, 24.0, 36.0)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretPhone"
    exif[ExifTags.Base.Artist] = "张三"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: lat, 3: "E", 4: lon}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def docx_bytes(member="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<w:document/>")
    return buffer.getvalue()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def notice(funded):
    return services.notice_create(
        actor=funded.hq,
        project=funded.project,
        kind=PublicNotice.Kind.PRE_WORK,
        posted_from=date(2024, 3, 1),
        posted_until=date(2024, 3, 10),
        place="村委会公示栏",
    )


# ---------------------------------------------------------------- content checks


def test_a_photo_comes_back_without_exif_and_keeps_its_position(funded, client_as):
    photo = services.photo_add(
        actor=funded.hq,
        project=funded.project,
        phase=EvidencePhoto.Phase.BEFORE,
        photo=upload("IMG_0001.jpg", jpeg_with_gps(), "image/jpeg"),
        taken_at=TAKEN,
    )
    assert photo.location is not None
    assert (round(photo.location.x, 4), round(photo.location.y, 4)) == (108.51, 32.41)
    assert "IMG_0001" not in photo.photo.name  # a generated name, not the user's
    response = client_as("cadre_a").get(reverse("projects:photo_file", args=[photo.pk]))
    data = response.content
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"SecretPhone" not in data


def test_a_position_typed_in_wins_over_the_exif(funded):
    from django.contrib.gis.geos import Point

    photo = services.photo_add(
        actor=funded.hq,
        project=funded.project,
        phase=EvidencePhoto.Phase.AFTER,
        photo=upload("p.jpg", jpeg_with_gps(), "image/jpeg"),
        taken_at=TAKEN,
        location=Point(108.52, 32.42, srid=4326),
    )
    assert (photo.location.x, photo.location.y) == (108.52, 32.42)


def test_a_notice_photo_is_re_encoded_without_exif(funded, notice):
    services.notice_photo_record(
        actor=funded.hq, notice=notice, photo=upload("board.jpg", jpeg_with_gps(), "image/jpeg")
    )
    notice.refresh_from_db()
    with notice.photo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and dict(image.getexif()) == {}


def test_a_new_notice_photo_replaces_the_old_file_once_saved(
    funded, notice, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_photo_record(
            actor=funded.hq, notice=notice, photo=upload("a.jpg", jpeg_with_gps(), "image/jpeg")
        )
    first = Path(settings.MEDIA_ROOT) / PublicNotice.objects.get(pk=notice.pk).photo.name
    assert stored_files(settings) == [first]
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_photo_record(actor=funded.hq, notice=notice, photo=upload("b.png", _png(), "image/png"))
    second = Path(settings.MEDIA_ROOT) / PublicNotice.objects.get(pk=notice.pk).photo.name
    assert second != first and stored_files(settings) == [second]


def test_a_refused_notice_photo_keeps_the_old_one(funded, notice, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_photo_record(
            actor=funded.hq, notice=notice, photo=upload("a.jpg", jpeg_with_gps(), "image/jpeg")
        )
    kept = stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.notice_photo_record(
            actor=funded.hq, notice=notice, photo=upload("b.jpg", b"not an image", "image/jpeg")
        )
    assert stored_files(settings) == kept
    assert PublicNotice.objects.get(pk=notice.pk).photo.name == notice.photo.name


@pytest.mark.parametrize("name", ["fake.pdf", "fake.jpg", "fake.docx", "fake.xlsx", "fake.doc"])
def test_a_text_file_renamed_is_refused_and_nothing_is_saved(funded, chain, settings, name):
    payment = make_payment(funded, chain)
    before = (Attachment.objects.count(), len(stored_files(settings)))
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=chain[0], kind=AttachmentKind.OTHER, title="x", file=upload(name, b"just some text"), payment=payment
        )
    message = " ".join(exc.value.messages)
    assert ("不是照片" in message) if name.endswith(".jpg") else ("文件内容与其类型" in message)
    assert (Attachment.objects.count(), len(stored_files(settings))) == before


def test_a_text_file_named_jpg_is_refused_as_an_evidence_photo(funded, settings):
    with pytest.raises(ValidationError) as exc:
        services.photo_add(
            actor=funded.hq,
            project=funded.project,
            phase="before",
            photo=upload("p.jpg", b"<html>not a photo</html>"),
            taken_at=TAKEN,
        )
    assert "不是照片" in " ".join(exc.value.messages)
    assert not EvidencePhoto.objects.exists() and stored_files(settings) == []


def test_a_docx_must_hold_its_document_part(funded, chain):
    payment = make_payment(funded, chain)
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=chain[0],
            kind=AttachmentKind.OTHER,
            title="x",
            file=upload("a.docx", docx_bytes(member="other.xml")),
            payment=payment,
        )
    good = services.attachment_add(
        actor=chain[0],
        kind=AttachmentKind.OTHER,
        title="合同扫描",
        file=upload("a.docx", docx_bytes()),
        payment=payment,
    )
    assert good.file.name.endswith(".docx") and good.size == len(docx_bytes())


def test_the_page_refuses_a_renamed_file_with_the_message(funded, chain, client_as):
    payment = make_payment(funded, chain)
    count = payment.attachments.count()
    client = client_as("anonymous")
    client.force_login(chain[0])
    url = reverse("projects:payment_attach", args=[payment.pk])
    response = client.post(url, {"kind": "invoice", "file": upload("发票.pdf", b"hello")}, follow=True)
    assert response.status_code == 200
    assert "文件内容与其类型" in response.content.decode()
    assert payment.attachments.count() == count


# ---------------------------------------------------------------- serving


@pytest.fixture
def files(funded, chain, notice):
    payment = make_payment(funded, chain)
    grant_doc = services.attachment_add(
        actor=funded.hq, kind=AttachmentKind.GRANT_DOCUMENT, title="资金文件", file=upload(), grant=funded.grant
    )
    project_doc = services.attachment_add(
        actor=funded.hq, kind=AttachmentKind.PLAN, title="实施方案", file=upload(), project=funded.project
    )
    photo = services.photo_add(
        actor=funded.hq,
        project=funded.project,
        phase="before",
        photo=upload("p.jpg", jpeg_with_gps(), "image/jpeg"),
        taken_at=TAKEN,
    )
    services.notice_photo_record(actor=funded.hq, notice=notice, photo=upload("n.png", _png(), "image/png"))
    return {
        "payment_doc": ("projects:attachment_file", payment.attachments.first().pk),
        "grant_doc": ("projects:attachment_file", grant_doc.pk),
        "project_doc": ("projects:attachment_file", project_doc.pk),
        "photo": ("projects:photo_file", photo.pk),
        "notice_photo": ("projects:notice_photo_file", notice.pk),
    }


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


FILE_MATRIX = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 200, "funder": 200}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize("kind", ["payment_doc", "grant_doc", "project_doc", "photo", "notice_photo"])
def test_it_applies_the_permission_matrix_to_files(client_as, files, persona, kind):
    name, pk = files[kind]
    response = client_as(persona).get(reverse(name, args=[pk]))
    if persona == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
        return
    assert response.status_code == FILE_MATRIX[persona]
    if response.status_code == 200:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        disposition = response["Content-Disposition"]
        if kind.endswith("_doc"):
            assert disposition.startswith("attachment;") and response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF-")
        else:
            assert disposition.startswith("inline;") and response["Content-Type"] == "image/jpeg"


def test_a_grant_document_is_hidden_from_a_village_the_grant_does_not_fund(files, client_as, tree, funded):
    other = user_with_role("cadre_d", Role.FIRST_SECRETARY, tree.village_d)
    client = Client()
    client.force_login(other)
    name, pk = files["grant_doc"]
    assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client_as("cadre_a").get(reverse(name, args=[pk]))["Content-Disposition"].startswith("attachment;")


def test_an_unknown_file_is_a_404(client_as, files):
    assert client_as("hq").get(reverse("projects:attachment_file", args=[999999])).status_code == 404
    assert client_as("hq").get(reverse("projects:photo_file", args=[999999])).status_code == 404


def test_the_pages_link_the_files_through_the_views(client_as, files, funded):
    page = client_as("cadre_a").get(reverse("projects:project_detail", args=[funded.project.pk])).content.decode()
    assert reverse("projects:photo_file", args=[files["photo"][1]]) in page
    assert reverse("projects:attachment_file", args=[files["project_doc"][1]]) in page
    assert "/media/" not in page
    grant = client_as("hq").get(reverse("projects:grant_detail", args=[funded.grant.pk])).content.decode()
    assert reverse("projects:attachment_file", args=[files["grant_doc"][1]]) in grant and "/media/" not in grant


def test_the_api_gives_the_checked_photo_url(client_as, files):
    results = client_as("cadre_a").get("/projects/api/evidence/").json()["results"]
    assert results[0]["photo_url"] == reverse("projects:photo_file", args=[files["photo"][1]])
    assert "photo" not in results[0]


def test_no_projects_template_links_a_file_field_url():
    templates = list((ROOT / "projects" / "templates").rglob("*.html"))
    assert templates
    offenders = [str(t) for t in templates if ".url" in t.read_text(encoding="utf-8")]
    assert offenders == []
