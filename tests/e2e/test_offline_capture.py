"""Offline capture on a phone: nothing typed with no signal is lost, duplicated or applied silently.

Chromium at 360×740 against the live server; the network is cut with `context.set_offline`
and single requests are broken with `page.route`.
"""

import re
import time

import pytest
from django.contrib.gis.geos import Point
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from fieldwork.models import Household, Photo, Problem, Visit
from fieldwork.services import household_update
from grievances.models import Case
from tests.e2e.conftest import login
from tests.fieldwork.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def homes(tree, personas):
    return [
        HouseholdFactory(
            village=tree.village_a,
            group=tree.group_a1 if i % 2 else tree.group_a2,
            number=f"A00{i}",
            head_name=name,
            address="一组12号",
            phone="13812345678",
            location=Point(108.51 + i / 1000, 32.41, srid=4326),
        )
        for i, name in enumerate(["陈德明", "李华", "王秀英"], start=1)
    ]


@pytest.fixture
def photo(tmp_path):
    """A camera-sized JPEG (3000×2000); the phone must shrink it to 1600 px."""
    path = tmp_path / "camera.jpg"
    image = Image.new("RGB", (3000, 2000), (40, 120, 60))
    for x in range(0, 3000, 50):
        image.paste((200, (x * 7) % 255, 30), (x, 0, x + 25, 2000))
    image.save(path, "JPEG", quality=92)
    return str(path)


def wait_until(page, script, timeout=20):
    """Poll an async predicate in the page until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


def wait_db(page, predicate, timeout=20):
    # Waits through Playwright, so route handlers keep running meanwhile.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        page.wait_for_timeout(200)
    raise AssertionError("the server never got the records")


QUEUE_STATES = "ZhucunQueue.all().then(items => items.map(i => i.state).sort().join(','))"


def go_offline_ready(page, live_server):
    """Log in, let the worker install and cache the shell, take village A offline."""
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/offline/")
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=40)
    wait_until(
        page,
        "caches.keys().then(keys => Promise.all(keys.filter(k => k.startsWith('zhucun-pages-'))"
        ".map(k => caches.open(k).then(c => c.keys())))).then(lists => lists.flat().length >= 8)",
    )
    page.click(".package-row[data-name='大连村'] .package-get")
    page.wait_for_selector(".package-row[data-loaded='1']")
    info = page.locator(".package-row .package-info").inner_text()
    assert "3 户" in info and re.search(r"更新于 \d{1,2}月\d{1,2}日 \d\d:\d\d", info), info


def fill_visit(page, household_text, findings, photos=(), when=None):
    page.select_option("#id_visit_household", label=household_text)
    page.fill("#id_visit_findings", findings)
    if when:
        page.fill("#id_visit_visited_at", when)
    if photos:
        page.set_input_files("#capture-photos", list(photos))
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("#capture-note:not([hidden])")


def test_it_keeps_visits_with_photos_and_a_dispute_typed_offline_and_sends_them_once(
    phone_page, live_server, homes, photo, tmp_path, personas
):
    page = phone_page
    go_offline_ready(page, live_server)
    page.context.set_offline(True)

    page.goto(f"{live_server.url}/offline/capture/visit/")
    page.wait_for_selector("#id_visit_household option[value]:not([value=''])", state="attached")
    fill_visit(page, "A001 陈德明", "屋顶漏雨", [photo])
    fill_visit(page, "A002 李华", "孩子上学", [photo, photo])
    fill_visit(page, "A003 王秀英", "茶园缺水", [photo])

    page.goto(f"{live_server.url}/offline/capture/dispute/")
    page.fill("#id_dispute_title", "两户争水")
    page.fill("#id_dispute_facts", "旱季共用水渠。")
    page.fill("#id_dispute_party_name", "陈德明")
    page.select_option("#id_dispute_category", "water")
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("#capture-note:not([hidden])")
    page.screenshot(path=str(tmp_path / "offline-dispute.png"), full_page=True)

    # Still no signal: reload, and the queue is still there.
    page.reload()
    page.wait_for_selector("#offline-badge:not([hidden])")
    wait_until(page, "document.querySelector('#offline-badge').innerText.trim() === '4 条待发送'")
    page.goto(f"{live_server.url}/offline/")
    page.wait_for_selector(".queue-item")
    assert page.locator(".queue-item[data-state=waiting]").count() == 4
    page.screenshot(path=str(tmp_path / "offline-queue.png"), full_page=True)
    assert not Visit.objects.exists() and not Case.objects.exists()

    page.context.set_offline(False)
    wait_until(page, QUEUE_STATES + ".then(s => s === 'sent,sent,sent,sent')", timeout=40)
    page.wait_for_selector("#offline-badge[hidden]", state="attached")

    visits = Visit.objects.filter(visitor=personas.cadre_a).order_by("household__number")
    assert [(v.household.number, v.findings, v.photos.count()) for v in visits] == [
        ("A001", "屋顶漏雨", 1),
        ("A002", "孩子上学", 2),
        ("A003", "茶园缺水", 1),
    ]
    assert all(max(p.width, p.height) <= 1600 for p in Photo.objects.all())
    case = Case.objects.get()
    assert case.title == "两户争水" and case.recorded_by == personas.cadre_a and case.parties.get().name == "陈德明"


def test_it_creates_no_duplicates_when_the_network_drops_in_the_middle_of_sending(
    phone_page, live_server, homes, photo, personas
):
    page = phone_page
    go_offline_ready(page, live_server)
    cut = {"items": 0, "photos": 0}

    def reach_server_then_lose_answer(route, kind):
        # The server gets the request and saves the record; the phone never hears back.
        cut[kind] += 1
        try:
            route.fetch()
            route.abort("connectionreset")
        except PlaywrightError:  # unrouted while this request was in flight: nothing to cut
            pass

    page.route("**/offline/api/items/", lambda route: reach_server_then_lose_answer(route, "items"))
    page.route("**/offline/api/photos/", lambda route: reach_server_then_lose_answer(route, "photos"))
    page.goto(f"{live_server.url}/offline/capture/visit/")
    page.wait_for_selector("#id_visit_household option[value]:not([value=''])", state="attached")
    fill_visit(page, "A001 陈德明", "断网时发送", [photo])
    wait_db(page, lambda: Visit.objects.count() == 1)
    assert cut["items"] >= 1
    wait_until(page, QUEUE_STATES + ".then(s => s === 'waiting')")

    # The record arrived but the phone does not know: on "send now" the retry must find it.
    page.unroute("**/offline/api/items/")
    page.goto(f"{live_server.url}/offline/")
    page.click("#send-now")
    wait_db(page, lambda: Photo.objects.count() == 1)
    assert cut["photos"] >= 1
    page.unroute("**/offline/api/photos/")
    page.click("#send-now")
    page.unroute_all(behavior="ignoreErrors")
    wait_until(page, QUEUE_STATES + ".then(s => s === 'sent')")
    assert Visit.objects.count() == 1 and Photo.objects.count() == 1
    assert Visit.objects.get().photos.count() == 1


def test_it_sends_the_others_when_the_server_refuses_one_and_lets_the_user_correct_or_discard_it(
    phone_page, live_server, homes, tmp_path, personas
):
    page = phone_page
    go_offline_ready(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/offline/capture/visit/")
    page.wait_for_selector("#id_visit_household option[value]:not([value=''])", state="attached")
    fill_visit(page, "A001 陈德明", "正常的走访")
    fill_visit(page, "A002 李华", "手机时间错了", when="2030-01-01T10:00")
    fill_visit(page, "A003 王秀英", "也错了", when="2031-01-01T10:00")
    page.goto(f"{live_server.url}/offline/capture/problem/")
    page.fill("#id_problem_title", "路灯坏了")
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("#capture-note:not([hidden])")

    page.goto(f"{live_server.url}/offline/")
    page.context.set_offline(False)
    page.click("#send-now")
    wait_until(page, QUEUE_STATES + ".then(s => s === 'failed,failed,sent,sent')", timeout=40)
    assert Visit.objects.get().findings == "正常的走访"
    assert Problem.objects.filter(title="路灯坏了").exists()
    # The list redraw is batched too: wait for it rather than count the items at once.
    wait_until(page, "document.querySelectorAll('.queue-item[data-state=failed]').length === 2")
    failed = page.locator(".queue-item[data-state=failed]")
    message = failed.first.locator(".queue-message").inner_text()
    assert message and "future" not in message  # the server's own words, in Chinese
    # The badge redraw is batched: wait for it rather than read it at once.
    wait_until(page, "document.querySelector('#offline-badge').innerText.trim() === '2 条待发送'")
    page.screenshot(path=str(tmp_path / "offline-refused.png"), full_page=True)

    # Discard one (the newest is listed first) …
    page.once("dialog", lambda dialog: dialog.accept())
    failed.first.locator("button.discard").click()
    wait_until(page, "document.querySelectorAll('.queue-item[data-state=failed]').length === 1")
    # … and correct the other: the form opens with what was typed, the date is fixed, it is sent.
    page.locator(".queue-item[data-state=failed] a.button").click()
    page.wait_for_selector("#capture-errors:not([hidden])")
    assert page.input_value("#id_visit_findings") == "手机时间错了"
    page.fill("#id_visit_visited_at", "2026-01-05T09:00")
    page.click("#capture-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/offline/")
    wait_until(page, QUEUE_STATES + ".then(s => s === 'sent,sent,sent')", timeout=40)
    assert sorted(Visit.objects.values_list("findings", flat=True)) == ["手机时间错了", "正常的走访"]


def test_it_shows_both_versions_of_a_stale_edit_and_applies_the_users_choice(
    phone_page, live_server, homes, tmp_path, personas
):
    page = phone_page
    go_offline_ready(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/offline/capture/household_edit/")
    page.wait_for_selector("#id_household_edit_household option[value]:not([value=''])", state="attached")
    page.select_option("#id_household_edit_household", label="A001 陈德明")
    assert page.input_value("#id_household_edit_address") == "一组12号"
    page.fill("#id_household_edit_address", "我改的地址")
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("#capture-note:not([hidden])")

    # Meanwhile someone at the township changes the same household.
    household = Household.objects.get(number="A001")
    household_update(actor=personas.township, household=household, address="镇上改的地址")

    page.goto(f"{live_server.url}/offline/")
    page.context.set_offline(False)
    page.click("#send-now")
    page.wait_for_selector(".queue-item[data-state=conflict] table.conflict")
    row = page.locator(".queue-item[data-state=conflict] tr[data-field=address]")
    assert row.locator(".mine").inner_text() == "我改的地址"
    assert row.locator(".server").inner_text() == "镇上改的地址"
    page.screenshot(path=str(tmp_path / "offline-conflict.png"), full_page=True)
    household.refresh_from_db()
    assert household.address == "镇上改的地址"  # nothing applied silently

    page.click("button.keep-mine")
    wait_until(page, QUEUE_STATES + ".then(s => s === 'sent')")
    household.refresh_from_db()
    assert household.address == "我改的地址" and household.version == 3


def test_it_warns_before_logging_out_with_unsent_records_and_clears_the_village_on_the_phone(
    phone_page, live_server, homes
):
    page = phone_page
    go_offline_ready(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/offline/capture/visit/")
    page.wait_for_selector("#id_visit_household option[value]:not([value=''])", state="attached")
    fill_visit(page, "A001 陈德明", "还没发")
    # The signal is too weak to send. Cut before going online: the `online` event sends at once.
    page.route("**/offline/api/items/", lambda route: route.abort())
    page.context.set_offline(False)
    messages = []

    def refuse(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    # The shared menu is taller than the phone's screen, so the button is pressed without scrolling to it.
    page.locator("#logout").dispatch_event("click")
    page.wait_for_timeout(500)
    assert "1 条记录没有发送" in messages[0]
    assert page.url.startswith(f"{live_server.url}/offline/capture/")  # still logged in

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#logout").dispatch_event("click")
    page.wait_for_url("**/accounts/login/")
    # The unsent record stays on the phone; the village's personal data does not.
    counts = page.evaluate(
        """() => new Promise(resolve => {
          const open = indexedDB.open('zhucun-offline');
          open.onsuccess = () => {
            const tx = open.result.transaction(['items', 'packages']);
            const items = tx.objectStore('items').count();
            const packages = tx.objectStore('packages').count();
            tx.oncomplete = () => resolve([items.result, packages.result]);
          };
        })"""
    )
    assert counts == [1, 0]
    assert page.evaluate("caches.keys().then(keys => keys.filter(k => k.startsWith('zhucun-pages-')).length)") == 0


def test_it_takes_over_a_page_that_was_loading_when_the_worker_activated(phone_page, live_server, homes, monkeypatch):
    """The queue page is answered only after the worker (registered by the home page) has activated."""
    from offline import selectors

    real = selectors.villages_for_package
    slowed = []

    def slow_once(user):
        if not slowed:
            slowed.append(True)
            time.sleep(4)
        return real(user)

    monkeypatch.setattr(selectors, "villages_for_package", slow_once)
    page = phone_page
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/offline/")
    assert slowed
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=15)


def test_an_online_form_sent_with_no_signal_keeps_what_was_typed_and_points_to_the_phones_form(
    phone_page, live_server, homes
):
    page = phone_page
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/fieldwork/problems/new/")
    page.fill("#id_title", "村口路灯坏了")
    page.fill("#id_description", "三盏都不亮。")
    page.context.set_offline(True)
    page.click("main form button[type=submit]")

    kept = page.wait_for_selector("#form-kept")
    assert "没有信号" in kept.inner_text()
    assert page.get_attribute("#form-kept a", "href") == "/offline/capture/problem/"
    assert page.url == f"{live_server.url}/fieldwork/problems/new/"
    assert page.input_value("#id_title") == "村口路灯坏了" and page.input_value("#id_description") == "三盏都不亮。"
    assert not Problem.objects.exists()

    # With the signal back, the same button sends it.
    page.context.set_offline(False)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/fieldwork/problems/*/")
    assert Problem.objects.get().title == "村口路灯坏了"
