import pytest
from django.utils import timezone

from grievances.models import Case, Status
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp"


def _step(page, verb: str, fill: dict | None = None, check: list[str] | None = None):
    page.click(f"a[data-verb={verb}]")
    page.wait_for_selector(f"form.action-{verb}")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    for selector in check or []:
        page.check(selector)
    page.click("form button[type=submit].primary")
    try:
        page.wait_for_selector(".messages", timeout=8000)
    except Exception:
        page.screenshot(path=f"{SHOTS}/grievances-failed-{verb}.png", full_page=True)
        raise


def test_it_takes_a_case_from_intake_to_closed_at_phone_size(phone_page, live_server, personas):
    page = phone_page
    login(page, live_server, "cadre_a")
    page.click("text=登记纠纷")
    page.wait_for_selector("form.intake")
    page.select_option("#id_source", "cluster_head")
    page.select_option("#id_category", "water")
    page.fill("#id_title", "茶园灌溉用水纠纷")
    page.fill("#id_facts", "旱季两户共用山泉水渠，上游截水。")
    page.fill("#id_applicant_name", "吴成高")
    page.fill("#id_applicant_phone", "13700001111")
    page.fill("#id_respondent_name", "李德华")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SHOTS}/grievances-intake-phone.png", full_page=True)
    page.click("form.intake button[type=submit].primary")
    page.wait_for_selector("text=已登记")
    assert "吴**" in page.content() and "吴成高" not in page.content()

    _step(page, "classify")
    _step(page, "assign")
    _step(page, "start")
    _step(
        page,
        "agree",
        {
            "#id_disputed_points": "旱季用水先后",
            "#id_responsibilities": "双方互谅互让",
            "#id_terms": "单双日轮流用水",
            "#id_performance": "即日起执行，村调委会监督",
            "#id_mediators": "朱晶",
            "#id_perform_by": timezone.localdate().isoformat(),
        },
    )
    _step(page, "perform")
    _step(page, "revisit", check=["#id_carried_out_0", "#id_satisfaction_0"])
    _step(page, "close", {"#id_outcome": "协议已履行"})

    assert page.locator(".status").first.inner_text() == "已结案"
    assert page.locator(".timeline li").count() == 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SHOTS}/grievances-closed-phone.png", full_page=True)
    case = Case.objects.get()
    assert case.status == Status.CLOSED and case.return_visits.get().satisfaction == 5


def test_it_shows_overdue_cases_and_the_ledger_to_the_township_at_phone_size(phone_page, live_server, personas, tree):
    from datetime import timedelta

    from grievances.services import cases_mark_overdue
    from tests.grievances.factories import make_case

    make_case(
        personas.cadre_a, tree.village_a, title="茶园地界纠纷", received_on=timezone.localdate() - timedelta(days=30)
    )
    cases_mark_overdue()
    page = phone_page
    login(page, live_server, "township")
    panel = page.locator(".panel-overdue")
    assert "茶园地界纠纷" in panel.inner_text()
    page.goto(f"{live_server.url}/disputes/ledger/")
    assert page.locator(".stat").first.inner_text().startswith("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SHOTS}/grievances-ledger-phone.png", full_page=True)
