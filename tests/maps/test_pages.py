import json
from decimal import Decimal

import pytest
from django.urls import reverse

from maps.figures import class_breaks, class_of
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def config_of(response, element_id):
    text = response.content.decode()
    start = text.index(f'id="{element_id}"')
    start = text.index(">", start) + 1
    return json.loads(text[start : text.index("</script>", start)])


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_the_village_map(client_as, tree, persona):
    expected = {"anonymous": 302, "cadre_b": 404}.get(persona, 200)
    assert client_as(persona).get(reverse("maps:village_map", args=[tree.village_a.pk])).status_code == expected


def test_it_refuses_a_map_of_an_area_that_is_not_a_village(client_as, tree):
    assert client_as("hq").get(reverse("maps:village_map", args=[tree.town.pk])).status_code == 404


def test_it_configures_the_village_map_without_inline_scripts(client_as, tree, settings):
    settings.MAP_APPROVAL_NUMBER = "审图号：陕S(2026)001号"
    response = client_as("cadre_a").get(reverse("maps:village_map", args=[tree.village_a.pk]))
    text = response.content.decode()
    config = config_of(response, "map-config")
    keys = [layer["key"] for layer in config["layers"]]
    assert keys[:3] == ["villages", "groups", "households"]
    assert "counties" not in keys
    households = next(layer for layer in config["layers"] if layer["key"] == "households")
    assert households["url"] == reverse("maps:layer_geojson", args=["households"]) + f"?area={tree.village_a.pk}"
    assert [i["value"] for i in households["styles"][0]["items"]] == ["unstable", "marginal", "sudden", ""]
    assert config["bounds"] == [[32.4, 108.5], [32.45, 108.55]]
    assert config["approval"] == "审图号：陕S(2026)001号"
    assert "leaflet/leaflet.js" in text and "js/maps.js" in text
    assert "<script>" not in text and " onclick=" not in text
    assert "定位" in text  # "Locate me", translated


@pytest.mark.parametrize(
    ("basemap", "key", "names"),
    [("osm", "", ["OpenStreetMap"]), ("tianditu", "abc", ["天地图矢量", "天地图影像"]), ("none", "", [])],
)
def test_it_takes_basemaps_from_settings(client_as, tree, settings, basemap, key, names):
    from maps.selectors import basemaps

    tiles = {
        "osm": [("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", {"attribution": "© OSM"})],
        "tianditu": [
            ("天地图矢量", f"https://t{{s}}.tianditu.gov.cn/DataServer?T=vec_w&tk={key}", {"attribution": "© 天地图"}),
            ("天地图影像", f"https://t{{s}}.tianditu.gov.cn/DataServer?T=img_w&tk={key}", {"attribution": "© 天地图"}),
        ],
        "none": [],
    }[basemap]
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": tiles, "OVERLAYS": []}
    assert [t["name"] for t in basemaps()["tiles"]] == names


def test_it_sends_a_field_cadre_to_their_village_and_others_to_the_hq_map(client_as, tree):
    assert client_as("cadre_a").get(reverse("maps:map_index")).url == reverse(
        "maps:village_map", args=[tree.village_a.pk]
    )
    assert client_as("hq").get(reverse("maps:map_index")).url == reverse("maps:hq_map")


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_the_hq_map(client_as, households, persona):
    response = client_as(persona).get(reverse("maps:hq_map"))
    assert response.status_code == (302 if persona == "anonymous" else 200)
    if persona != "anonymous":
        names = [r["area"].name for r in response.context["rows"]]
        expected = {
            "cadre_a": ["大连村"],
            "funder": ["大连村"],
            "cadre_b": ["东河村"],
            "township": ["大连村", "东河村"],
        }
        assert sorted(names) == sorted(expected.get(persona, ["大连村", "东河村", "庙坝村"]))


def test_it_shows_households_under_monitoring_per_village_sorted(client_as, households, tree):
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "monitored", "sort": "-value"})
    rows = [(r["area"].name, r["value"]) for r in response.context["rows"]]
    assert rows == [("大连村", Decimal(2)), ("东河村", Decimal(1)), ("庙坝村", Decimal(0))]
    config = config_of(response, "hq-config")
    assert config["values"][str(tree.village_a.pk)]["value"] == "2"
    assert config["values"][str(tree.village_a.pk)]["url"] == reverse("maps:village_map", args=[tree.village_a.pk])
    assert [layer["key"] for layer in config["layers"]] == ["counties", "towns", "villages"]
    response = client_as("hq").get(reverse("maps:hq_map"), {"figure": "households", "sort": "name", "mode": "symbols"})
    assert [r["value"] for r in response.context["rows"]] == [
        Decimal(1),
        Decimal(3),
        Decimal(0),
    ]  # 东 大 庙 by code point
    assert response.context["mode"] == "symbols"


@pytest.mark.parametrize("seed", range(5))
def test_fisher_jenks_finds_the_least_within_class_sum_of_squares(seed):
    import itertools
    import random

    from maps.figures import fisher_jenks

    rng = random.Random(seed)
    values = sorted(float(rng.choice([rng.randint(0, 20), rng.randint(0, 500)])) for _ in range(10))

    def cost(uppers):
        total, lower = 0.0, float("-inf")
        for upper in uppers:
            part = [v for v in values if lower < v <= upper]
            mean = sum(part) / len(part) if part else 0.0
            total += sum((v - mean) ** 2 for v in part)
            lower = upper
        return total

    k = 4
    best = min(cost([values[a], values[b], values[c], values[-1]]) for a, b, c in itertools.combinations(range(9), 3))
    uppers = fisher_jenks(values, k)
    assert len(uppers) == k and uppers[-1] == values[-1]
    assert cost(uppers) == pytest.approx(best)


def test_it_computes_decimal_class_breaks():
    values = [Decimal(v) for v in ["0", "1", "2", "10", "11", "12", "50", "51", "100", "101.5"]]
    breaks = class_breaks(values, places=1, k=4)
    assert len(breaks) == 4
    assert all(isinstance(b.upper, Decimal) for b in breaks)
    assert breaks[0].lower == Decimal("0.0") and breaks[-1].upper == Decimal("101.5")
    assert class_of(Decimal("101.5"), breaks) is breaks[-1]
    assert class_of(Decimal("0"), breaks) is breaks[0]
    assert [b.upper for b in class_breaks([Decimal(3), Decimal(3)])] == [Decimal(3)]
    assert class_breaks([]) == []
