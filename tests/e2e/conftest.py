"""Browser tests: the OS Chromium driven by Playwright, at a phone's size, against a live server.

@pytest.mark.browser
def test_it_…(phone_page, live_server, personas):
    login(phone_page, live_server, "cadre_a")
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }


@pytest.fixture
def phone_page(page):
    # Generous: CI runs the suite twice on two cores, and a slow first page is not a bug.
    page.set_default_timeout(30_000)
    return page


@pytest.fixture
def another_phone(browser, browser_context_args):
    """A second phone for a second user in one test: a fresh context, so no cookie and no service
    worker of the first user's (clearing the first context's cookies raced the worker's late page
    pre-loads, whose answers set a new CSRF cookie under the second log-in: a 403)."""
    contexts = []

    def make():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page, live_server, username: str, password: str = "pw-for-tests-1") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
