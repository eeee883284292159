"""At phone size: the cadre's 三个一 calendar and the township's table fit the screen."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from fieldwork import services
from fieldwork.models import Household
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_three_ones_dashboard_fits_a_phone(phone_page, another_phone, live_server, personas, tree):
    household = Household.objects.create(
        village=tree.village_a, number="A001", head_name="吴成高", location=Point(108.51, 32.41, srid=4326)
    )
    now = timezone.now()
    for days in (0, 1, 2):
        services.visit_record(actor=personas.cadre_a, household=household, visited_at=now - timedelta(days=days))
    services.meeting_record(actor=personas.cadre_a, village=tree.village_a, kind="affairs", held_at=now, topics="茶")
    page = phone_page
    login(page, live_server, "cadre_a")
    assert page.locator("#panel-today").is_visible()
    page.goto(f"{live_server.url}/fieldwork/")
    assert page.locator("#my-rhythm .stat b").first.inner_text() == "3"
    assert page.locator(".calendar td.visited").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fieldwork-dashboard-cadre.png", full_page=True)

    page = another_phone()
    login(page, live_server, "township")
    page.goto(f"{live_server.url}/fieldwork/")
    rows = page.locator("#three-ones tbody tr")
    assert rows.count() == 2
    assert "东河村" in rows.first.inner_text()  # no visits at all: furthest behind
    page.screenshot(path="/tmp/fieldwork-dashboard-town.png", full_page=True)
