import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_at_phone_size_and_shows_the_home_page_in_chinese(phone_page, live_server, personas, tmp_path):
    login(phone_page, live_server, "cadre_a")
    assert phone_page.locator("h1.greeting").inner_text().startswith("您好")
    assert phone_page.get_by_text("我的职责").is_visible()
    assert phone_page.get_by_role("link", name="大连村").is_visible()
    # Nothing overflows the phone's width.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)


def test_it_refuses_a_wrong_password_in_chinese(phone_page, live_server, personas):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.fill("#id_username", "cadre_a")
    phone_page.fill("#id_password", "not-the-password")
    phone_page.click("button[type=submit].primary")
    assert "请输入一个正确的" in phone_page.locator(".errors").inner_text()


def test_it_switches_to_english_from_the_menu(phone_page, live_server, personas):
    login(phone_page, live_server, "cadre_a")
    phone_page.click("button[name=language][value=en]")
    phone_page.wait_for_selector("text=My roles")
    assert phone_page.locator("html").get_attribute("lang") == "en"
