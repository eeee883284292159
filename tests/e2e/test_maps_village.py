"""The village map at phone size: layers drawn from the endpoints, toggled, a popup, full screen."""

import pytest
from django.contrib.gis.geos import LineString, Point

from tests.e2e.conftest import login
from tests.maps.factories import HouseholdFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT_JS = """key => {
  const map = window.zhucunMap; let n = 0;
  map.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.id !== undefined) n++; });
  return n;
}"""


@pytest.fixture
def village(tree, personas, settings):
    # No tiles: the map must work offline, with the vector layers as its content.
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [], "OVERLAYS": []}
    settings.MAP_APPROVAL_NUMBER = "审图号：陕S(2026)001号"
    for i, category in enumerate(["unstable", "", "marginal", "", "sudden", ""]):
        HouseholdFactory(
            village=tree.village_a,
            group=tree.group_a1,
            number=f"A-{i:03d}",
            monitoring_category=category,
            location=Point(108.505 + i * 0.006, 32.41 + (i % 3) * 0.01, srid=4326),
        )
    SiteFactory(village=tree.village_a, kind="pipe", geometry=LineString((108.51, 32.405), (108.54, 32.44), srid=4326))
    return tree.village_a


def test_it_toggles_layers_on_a_phone_and_takes_a_screenshot(phone_page, live_server, village):
    page = phone_page
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/maps/villages/{village.pk}/")
    page.wait_for_selector("#village-map[data-ready='1']")
    # The village and its two groups, six households and the pipe are drawn.
    page.wait_for_function(f"() => ({COUNT_JS})() >= 10")
    assert page.evaluate(COUNT_JS) == 10
    page.screenshot(path="/tmp/maps_village_phone.png", full_page=True)

    page.uncheck("input[data-layer='households']")
    page.wait_for_function(f"() => ({COUNT_JS})() == 4")
    page.uncheck("input[data-layer='sites']")
    page.wait_for_function(f"() => ({COUNT_JS})() == 3")
    page.check("input[data-layer='sites']")
    page.wait_for_function(f"() => ({COUNT_JS})() == 4")
    assert "管道" in page.inner_text(".leaflet-tooltip-pane") or "Pipe" in page.inner_text(".leaflet-tooltip-pane")
    page.check("input[data-layer='households']")
    page.wait_for_function(f"() => ({COUNT_JS})() == 10")
    assert "审图号" in page.inner_text(".leaflet-control-attribution")

    page.click("#map-fullscreen")
    page.wait_for_selector("#map-wrap.map-fullscreen")
    box = page.locator("#village-map").bounding_box()
    assert box["width"] == 360 and box["height"] >= 700
    page.screenshot(path="/tmp/maps_village_phone_full.png")
