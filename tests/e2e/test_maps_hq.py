"""The HQ map at phone size: villages shaded by a figure, the table beside it, a click to the village map."""

import pytest
from django.contrib.gis.geos import Point

from tests.e2e.conftest import login
from tests.maps.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shades_villages_and_opens_a_village_from_the_table(phone_page, live_server, tree, personas, settings):
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [], "OVERLAYS": []}
    for i in range(3):
        HouseholdFactory(
            village=tree.village_a, monitoring_category="unstable", location=Point(108.51 + i / 100, 32.41)
        )
    HouseholdFactory(village=tree.village_b, monitoring_category="marginal", location=Point(108.61, 32.41))
    page = phone_page
    login(page, live_server, "hq")
    page.goto(f"{live_server.url}/maps/hq/?figure=monitored")
    page.wait_for_selector("#hq-map[data-ready='1']")
    page.wait_for_function(
        "() => document.querySelectorAll('#hq-map path.leaflet-interactive, #hq-map canvas').length > 0"
    )
    rows = page.locator("#hq-table tbody tr")
    assert rows.count() == 3
    assert rows.first.inner_text().startswith("大连村") or "大连村" in rows.first.inner_text()
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/maps_hq_phone.png", full_page=True)
    page.click("#hq-table >> text=东河村")
    page.wait_for_url(f"{live_server.url}/maps/villages/{tree.village_b.pk}/")
