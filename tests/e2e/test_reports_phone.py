"""A cadre at phone size requests a monthly report, watches it being built and downloads it."""

import subprocess

import pytest

from reports.models import ReportRun, RunStatus
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = "/tmp"


@pytest.fixture
def shared_media(settings, monkeypatch):
    """Requested before `qcluster`, so the cluster process writes to this test's MEDIA_ROOT."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


def test_it_requests_a_report_and_downloads_it_on_a_phone(
    shared_media, personas, tree, qcluster, phone_page, live_server, tmp_path
):
    page = phone_page
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/reports/")
    page.click("text=工作月报")
    page.select_option("#id_area", str(tree.village_a.pk))
    page.fill("#id_start", "2026-10-01")
    page.fill("#id_end", "2026-10-31")
    page.select_option("#id_format", "pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SCREENSHOTS}/reports-request-phone.png", full_page=True)
    page.click("#report-submit")
    page.wait_for_url(f"{live_server.url}/reports/runs/")
    assert "报告正在后台生成" in page.locator(".messages").inner_text()
    # htmx polls the rows until the cluster has built the file.
    page.wait_for_selector("a.download", timeout=90_000)
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE and run.requested_by == personas.cadre_a
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SCREENSHOTS}/reports-runs-phone.png", full_page=True)
    with page.expect_download() as info:
        page.click("a.download")
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode()
    assert "大连村驻村工作月报" in text


def test_a_period_ending_before_it_starts_is_explained_on_the_phone(personas, tree, phone_page, live_server):
    login(phone_page, live_server, "cadre_a")
    phone_page.goto(f"{live_server.url}/reports/monthly_work/")
    phone_page.select_option("#id_area", str(tree.village_a.pk))
    phone_page.fill("#id_start", "2026-10-31")
    phone_page.fill("#id_end", "2026-10-01")
    phone_page.click("#report-submit")
    assert "截止日期不能早于起始日期" in phone_page.locator(".field.has-error").inner_text()
    assert not ReportRun.objects.exists()
