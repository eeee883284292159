import base64
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def basic(username, password="pw-for-tests-1"):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def items_url(key, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("maps:ogc_items", args=[key]) + (f"?{query}" if query else "")


def test_it_serves_landing_conformance_and_collections(client_as, households):
    client = client_as("cadre_a")
    landing = client.get(reverse("maps:ogc_landing")).json()
    assert {link["rel"] for link in landing["links"]} == {"self", "conformance", "data"}
    conformance = client.get(reverse("maps:ogc_conformance")).json()
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]
    collections = client.get(reverse("maps:ogc_collections")).json()["collections"]
    ids = [c["id"] for c in collections]
    assert {"villages", "groups", "households", "sites"} <= set(ids)
    one = client.get(reverse("maps:ogc_collection", args=["households"])).json()
    assert one["extent"]["spatial"]["bbox"] == [[108.51, 32.41, 108.545, 32.445]]


def test_it_pages_items_with_next_and_prev_links(client_as, households):
    client = client_as("township")
    first = client.get(items_url("households", limit=3))
    assert first["Content-Type"] == "application/geo+json"
    data = first.json()
    assert data["numberMatched"] == 4 and data["numberReturned"] == 3
    rels = {link["rel"]: link["href"] for link in data["links"]}
    assert "prev" not in rels and rels["next"].endswith("limit=3&offset=3")
    second = client.get(rels["next"]).json()
    assert [f["properties"]["number"] for f in second["features"]] == ["B-001"]
    assert {link["rel"] for link in second["links"]} == {"self", "prev"}
    # Attributes a GIS user expects, never the head's name.
    assert "李明" not in first.content.decode()


def test_it_filters_items_by_bbox_and_scope(client_as, households):
    data = client_as("township").get(items_url("households", bbox="108.50,32.40,108.535,32.435")).json()
    assert sorted(f["properties"]["number"] for f in data["features"]) == ["A-001", "A-002"]
    data = client_as("cadre_b").get(items_url("households")).json()
    assert [f["properties"]["number"] for f in data["features"]] == ["B-001"]


def test_it_serves_one_item_and_hides_others(client_as, households):
    a1 = households[0]
    assert client_as("cadre_a").get(reverse("maps:ogc_item", args=["households", a1.pk])).json()["id"] == a1.pk
    assert client_as("cadre_b").get(reverse("maps:ogc_item", args=["households", a1.pk])).status_code == 404


@pytest.mark.parametrize("params", [{"limit": "x"}, {"limit": "0"}, {"offset": "-1"}, {"bbox": "3,2,1,0"}])
def test_it_refuses_bad_paging_or_bbox(client_as, households, params):
    response = client_as("cadre_a").get(items_url("households", **params))
    assert response.status_code == 400
    assert response.json()["description"]


def test_it_accepts_http_basic_and_challenges_without_it(personas, households):
    client = Client()
    response = client.get(reverse("maps:ogc_collections"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert client.get(reverse("maps:ogc_collections"), **basic("cadre_a", "wrong")).status_code == 401
    data = client.get(items_url("households"), **basic("cadre_a")).json()
    assert data["numberMatched"] == 3


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_ogc_items(client_as, households, persona):
    response = client_as(persona).get(items_url("households"))
    assert response.status_code == (401 if persona == "anonymous" else 200)
    assert client_as(persona).post(items_url("households")).status_code in (401, 405)


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL's ogrinfo is not installed")
@pytest.mark.django_db(transaction=True)
def test_it_is_read_by_gdals_oapif_driver(live_server, personas, households):
    command = [
        "ogrinfo",
        "-ro",
        "-so",
        "--config",
        "GDAL_HTTP_AUTH",
        "BASIC",
        "--config",
        "GDAL_HTTP_USERPWD",
        "township:pw-for-tests-1",
        f"OAPIF:{live_server.url}/maps/ogc/",
        "households",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Feature Count: 4" in result.stdout
    assert "number" in result.stdout
    listing = subprocess.run(command[:-1], capture_output=True, text=True, timeout=60)
    assert "households" in listing.stdout and "sites" in listing.stdout
