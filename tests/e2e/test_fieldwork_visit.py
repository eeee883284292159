"""At phone size: log a visit for the nearest household with a generated photo, then see it on the household page."""

import io

import pytest
from django.contrib.gis.geos import Point
from PIL import Image, ImageDraw

from fieldwork.models import Household, Photo, Visit
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo_bytes() -> bytes:
    image = Image.new("RGB", (3000, 2000), (40, 110, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((400, 400, 2600, 1600), fill=(200, 180, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_it_logs_a_visit_with_a_photo_on_a_phone_and_shows_it_on_the_household_page(
    phone_page, live_server, personas, tree
):
    household = Household.objects.create(
        village=tree.village_a,
        group=tree.group_a1,
        number="A001",
        head_name="邓大叔",
        location=Point(108.512, 32.412, srid=4326),
    )
    Household.objects.create(
        village=tree.village_a, number="A002", head_name="吴成高", location=Point(108.54, 32.44, srid=4326)
    )
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"longitude": 108.5121, "latitude": 32.4121, "accuracy": 12})
    login(page, live_server, "cadre_a")
    page.goto(f"{live_server.url}/fieldwork/visits/new/")
    page.wait_for_selector("#gps-status.ok")
    assert "12" in page.locator("#gps-status").inner_text()
    page.click("#nearest")
    page.locator("#household-results button").first.click()
    assert "邓大叔" in page.locator("#household-chosen").inner_text()
    page.check("input[name=check_water][value=ok]")
    page.check("input[name=check_housing][value=risk]")
    page.fill("#id_findings", "因村道施工断水，已联系施工方送水")
    page.fill("#id_needs", "恢复自来水供水")
    original = _photo_bytes()
    page.set_input_files("#id_photos", files=[{"name": "water.jpg", "mimeType": "image/jpeg", "buffer": original}])
    page.wait_for_selector("#photo-previews[data-ready='1']")
    sent = int(page.locator("#photo-previews img").first.get_attribute("data-bytes"))
    assert sent < len(original)  # downscaled on the phone before upload
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fieldwork-visit-form.png", full_page=True)
    page.click("#visit-save")
    page.wait_for_url("**/fieldwork/visits/*/")
    visit = Visit.objects.get()
    assert visit.household == household and visit.accuracy_m == 12 and not visit.outside_village
    photo = Photo.objects.get()
    assert max(photo.width, photo.height) <= 1600

    page.goto(f"{live_server.url}/fieldwork/households/{household.pk}/")
    image = page.locator("#visits .thumbs img").first
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert "因村道施工断水" in page.locator("#visits").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fieldwork-household.png", full_page=True)
