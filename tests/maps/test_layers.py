import json

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maps.layers import get_layer
from tests.conftest import PERSONA_NAMES
from tests.maps.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def url(key, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("maps:layer_geojson", args=[key]) + (f"?{query}" if query else "")


def household_url(pk):
    template = get_layer("households").detail_url_template()
    return template.format(pk=pk) if template else ""


def test_it_returns_the_exact_feature_collection_of_a_village(client_as, tree, households):
    a1, a2, a3, _b1 = households
    response = client_as("cadre_a").get(url("households", area=tree.village_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content) == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": h.pk,
                "geometry": {"type": "Point", "coordinates": coords},
                "properties": {"id": h.pk, "label": number, "status": status, "url": household_url(h.pk), "days": None},
            }
            for h, coords, number, status in [
                (a1, [108.51, 32.41], "A-001", "unstable"),
                (a2, [108.53, 32.43], "A-002", ""),
                (a3, [108.545, 32.445], "A-003", "marginal"),
            ]
        ],
    }


def test_it_caps_coordinate_precision(client_as, tree):
    HouseholdFactory(village=tree.village_a, location=Point(108.512345678912, 32.4123456789, srid=4326))
    data = client_as("cadre_a").get(url("households")).json()
    assert data["features"][0]["geometry"]["coordinates"] == [108.512346, 32.412346]


def test_it_never_shows_another_villages_features(client_as, tree, households):
    data = client_as("cadre_b").get(url("households")).json()
    assert [f["properties"]["label"] for f in data["features"]] == ["B-001"]
    assert client_as("cadre_b").get(url("households", area=tree.village_a.pk)).status_code == 404


def test_it_shows_a_town_officer_every_village_of_the_town(client_as, households):
    data = client_as("township").get(url("households")).json()
    assert sorted(f["properties"]["label"] for f in data["features"]) == ["A-001", "A-002", "A-003", "B-001"]


def test_it_filters_by_bbox(client_as, households):
    data = client_as("township").get(url("households", bbox="108.50,32.40,108.535,32.435")).json()
    assert [f["properties"]["label"] for f in data["features"]] == ["A-001", "A-002"]


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "108.6,32.4,108.5,32.5", "108.5,32.5,108.6,32.4", "108,32,108,33", "nan,1,2,3", "0,0,200,1"],
)
def test_it_refuses_a_malformed_or_inverted_bbox_in_chinese(client_as, households, bbox):
    response = client_as("cadre_a").get(url("households", bbox=bbox))
    assert response.status_code == 400
    assert "bbox" in response.json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["error"])


def test_it_answers_an_unknown_layer_with_a_404_message(client_as, tree):
    response = client_as("cadre_a").get(url("nonsense"))
    assert response.status_code == 404
    assert "nonsense" in response.json()["error"]


def test_it_answers_304_on_an_unchanged_layer_and_200_after_a_change(client_as, tree, households):
    client = client_as("cadre_a")
    first = client.get(url("households"))
    assert first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "private, no-cache"
    again = client.get(url("households"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    households[0].monitoring_category = "sudden"
    households[0].save()
    changed = client.get(url("households"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    households[1].delete()
    assert client.get(url("households"), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_it_gives_different_users_different_etags(client_as, households):
    a = client_as("cadre_a").get(url("households"))
    hq = client_as("hq").get(url("households"), HTTP_IF_NONE_MATCH=a["ETag"])
    assert hq.status_code == 200


def test_it_changes_the_boundary_etag_when_an_area_is_renamed(client_as, tree):
    client = client_as("cadre_a")
    first = client.get(url("groups"))
    assert client.get(url("groups"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    tree.group_a1.name = "新一组"
    tree.group_a1.save()
    assert client.get(url("groups"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_it_serves_boundaries_of_every_level_in_scope(client_as, tree):
    client = client_as("township")
    names = {
        key: [f["properties"]["label"] for f in client.get(url(key)).json()["features"]]
        for key in ["counties", "towns", "villages", "groups"]
    }
    assert names == {
        "counties": [],
        "towns": ["焕古镇"],
        "villages": ["大连村", "东河村"],
        "groups": ["一组", "二组", "一组"],
    }
    village = client.get(url("villages")).json()["features"][0]
    assert village["geometry"]["type"] == "MultiPolygon"
    assert village["properties"]["url"] == reverse("maps:village_map", args=[tree.village_a.pk])


def test_it_clusters_past_the_threshold(client_as, tree, settings):
    settings.MAP_CLUSTER_THRESHOLD = 5
    for i in range(6):
        HouseholdFactory(village=tree.village_a, location=Point(108.501 + i * 0.0001, 32.401, srid=4326))
    for i in range(3):
        HouseholdFactory(village=tree.village_a, location=Point(108.549, 32.449 - i * 0.0001, srid=4326))
    data = client_as("cadre_a").get(url("households", zoom=12)).json()
    assert data["clustered"] is True
    assert data["total"] == 9
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts == [3, 6]
    assert all(f["properties"]["cluster"] for f in data["features"])
    # At the threshold exactly, the features themselves are sent.
    settings.MAP_CLUSTER_THRESHOLD = 9
    data = client_as("cadre_a").get(url("households", zoom=12)).json()
    assert "clustered" not in data and len(data["features"]) == 9


def test_a_clustered_layer_answers_304_until_a_row_in_it_changes(client_as, tree, settings):
    settings.MAP_CLUSTER_THRESHOLD = 2
    homes = [
        HouseholdFactory(village=tree.village_a, location=Point(108.501 + i * 0.0001, 32.401, srid=4326))
        for i in range(4)
    ]
    client = client_as("cadre_a")
    first = client.get(url("households", zoom=12))
    assert first.json()["clustered"] is True
    assert client.get(url("households", zoom=12), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # An edit of one household (newest change) and a new one (count, highest id) both show.
    homes[0].save()
    edited = client.get(url("households", zoom=12), HTTP_IF_NONE_MATCH=first["ETag"])
    assert edited.status_code == 200 and edited["ETag"] != first["ETag"]
    HouseholdFactory(village=tree.village_a, location=Point(108.502, 32.402, srid=4326))
    added = client.get(url("households", zoom=12), HTTP_IF_NONE_MATCH=edited["ETag"])
    assert added.status_code == 200 and added.json()["total"] == 5


def test_it_clusters_by_bbox_when_no_zoom_is_given(client_as, tree, settings):
    settings.MAP_CLUSTER_THRESHOLD = 1
    for i in range(4):
        HouseholdFactory(village=tree.village_a, location=Point(108.50 + i * 0.012, 32.41, srid=4326))
    data = client_as("cadre_a").get(url("households", bbox="108.49,32.39,108.61,32.51")).json()
    # Cell = 0.12 / 12 = 0.01°: the four points fall in four cells.
    assert sorted(f["properties"]["count"] for f in data["features"]) == [1, 1, 1, 1]


def test_it_serves_a_2000_household_village_in_a_fixed_number_of_queries(
    client_as, tree, django_assert_max_num_queries
):
    # Session, user, roles, area, the grid aggregate (count + ETag), the newest visit, the features;
    # SpatiaLite adds its version probe. The same number for 20 households as for 2,000.
    client = client_as("cadre_a")
    HouseholdFactory.create_batch(20, village=tree.village_a, location=factory_point())
    client.get(url("households", area=tree.village_a.pk))  # warm the connection's one-off probes
    with CaptureQueriesContext(connection) as small:
        client.get(url("households", area=tree.village_a.pk))
    HouseholdFactory.create_batch(1980, village=tree.village_a, location=factory_point())
    with django_assert_max_num_queries(7) as captured:
        response = client.get(url("households", area=tree.village_a.pk))
    assert len(response.json()["features"]) == 2000
    assert len(captured.captured_queries) == len(small.captured_queries)


def factory_point():
    import factory

    return factory.Sequence(lambda n: Point(108.5 + (n % 50) * 0.001, 32.4 + (n // 50 % 50) * 0.001, srid=4326))


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_layers(client_as, households, persona):
    expected = {"anonymous": 302}.get(persona, 200)
    response = client_as(persona).get(url("households"))
    assert response.status_code == expected
    if expected == 200:
        labels = {f["properties"]["label"] for f in response.json()["features"]}
        visible = {
            "cadre_a": {"A-001", "A-002", "A-003"},
            "funder": {"A-001", "A-002", "A-003"},
            "cadre_b": {"B-001"},
        }.get(persona, {"A-001", "A-002", "A-003", "B-001"})
        assert labels == visible


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_popups(client_as, households, persona):
    a1 = households[0]
    expected = {"anonymous": 302, "cadre_b": 404}.get(persona, 200)
    response = client_as(persona).get(reverse("maps:feature_popup", args=["households", a1.pk]))
    assert response.status_code == expected
    if expected == 200:
        text = response.content.decode()
        assert ("李明" in text) == (persona == "cadre_a")
        assert "A-001" in text


def test_it_labels_project_sites_with_their_outputs(client_as, tree):
    from django.contrib.gis.geos import LineString, Polygon

    from tests.maps.factories import SiteFactory

    pipe = SiteFactory(
        village=tree.village_a, kind="pipe", geometry=LineString((108.51, 32.41), (108.51, 32.437), srid=4326)
    )
    SiteFactory(village=tree.village_a, kind="tea_garden", geometry=Polygon.from_bbox((108.52, 32.42, 108.523, 32.423)))
    SiteFactory(village=tree.village_a, kind="reservoir", geometry=Point(108.53, 32.43, srid=4326))
    SiteFactory(village=tree.village_b, kind="dam", geometry=Point(108.61, 32.41, srid=4326))
    data = client_as("cadre_a").get(url("sites")).json()
    labels = [f["properties"]["label"] for f in data["features"]]
    from django.utils import translation

    with translation.override("zh-hans"):  # the kinds are translated by the projects catalogue
        names = [translation.gettext(k) for k in ("Pipe", "Tea garden", "Reservoir")]
    assert labels == [f"{names[0]} 2,994 m", f"{names[1]} 140.81 亩", f"{names[2]} 1 座"]
    assert [f["properties"]["status"] for f in data["features"]] == ["pipe", "tea_garden", "reservoir"]
    assert data["features"][0]["id"] == pipe.pk
