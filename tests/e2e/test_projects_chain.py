"""A payment goes through the union's seven-step chain in the browser, at phone size, with a send-back."""

import json

import pytest

from projects.models import PaymentStatus
from tests.e2e.conftest import login
from tests.projects.conftest import chain, funded  # noqa: F401  (fixtures)
from tests.projects.factories import make_payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp"


class Phones:
    """One fresh phone (browser context) per user: no cookies or service worker carried over."""

    def __init__(self, browser, context_args, live_server):
        self.browser, self.context_args, self.live_server, self.context = browser, context_args, live_server, None

    def open(self, username: str, url: str):
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(**self.context_args)
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        login(page, self.live_server, username)
        page.goto(url)
        return page


@pytest.fixture
def phones(browser, browser_context_args, live_server):
    phones = Phones(browser, browser_context_args, live_server)
    yield phones
    if phones.context is not None:
        phones.context.close()


def test_it_takes_a_payment_through_the_chain_on_a_phone(phones, live_server, funded, chain):  # noqa: F811
    payment = make_payment(funded, chain)
    url = f"{live_server.url}/projects/payments/{payment.pk}/"

    page = phones.open("jingban", url)
    page.click("button[value=submit]")
    page.wait_for_selector("text=已提交。")

    # The leader in charge sends it back with a reason; the handler resubmits.
    page = phones.open("fenguan", url)
    page.fill("#id_note", "请补充验收照片")
    page.click("button[value=send_back]")
    page.wait_for_selector("text=已退回。")
    assert "请补充验收照片" in page.locator(".facts").inner_text()
    page = phones.open("jingban", url)
    page.click("button[value=submit]")
    page.wait_for_selector("text=已提交。")

    for username in ["fenguan", "caiwu", "fuzhuxi", "chuna", "kuaiji", "changwu"]:
        page = phones.open(username, url)
        if username == "chuna":
            page.fill("#id_transfer_reference", "HX20260601001")
        if username == "kuaiji":
            page.fill("#id_voucher_number", "记-2026-06-015")
        page.click("button[value=approve]")
        page.wait_for_selector("text=已办理，支付已进入下一环节。")
        if username == "fenguan":
            page.screenshot(path=f"{SCREENSHOTS}/projects_chain_midway.png", full_page=True)

    assert page.locator("#payment-status").inner_text() == "已完成"
    assert page.locator(".chain li.done").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SCREENSHOTS}/projects_chain_done.png", full_page=True)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.voucher_number == "记-2026-06-015"

    # The same person cannot act twice: the leader sees no action buttons on a later step.
    second = make_payment(funded, chain, invoice_number="87654321")
    page = phones.open("jingban", f"{live_server.url}/projects/payments/{second.pk}/")
    page.click("button[value=submit]")
    page.wait_for_selector("text=已提交。")
    # The handler holds no other step, and may not take one: no approve button for them.
    assert page.locator("button[value=approve]").count() == 0


def test_it_draws_a_pipe_and_shows_its_geodesic_length(phone_page, live_server, funded, personas):  # noqa: F811
    page = phone_page
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/projects/{funded.project.pk}/")
    page.click("text=添加地块")
    line = {"type": "LineString", "coordinates": [[108.51, 32.41], [108.52, 32.41]]}
    page.fill("#site-geojson", json.dumps(line))
    page.dispatch_event("#site-geojson", "change")
    page.wait_for_selector("#site-measure:has-text('941 m')")
    page.select_option("#id_kind", "pipe")
    page.fill("#id_name", "主管道")
    page.click("text=保存地块")
    page.wait_for_selector("text=地块已添加。")
    assert "管道 941 m" in page.locator("#site-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SCREENSHOTS}/projects_site.png", full_page=True)
