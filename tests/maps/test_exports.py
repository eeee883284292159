import io
import shutil
import subprocess
import zipfile

import geopandas
import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.urls import reverse

from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

FORMATS = ["geojson", "gpkg", "shp", "kml", "csv"]


def export_url(key, fmt, area=None):
    url = reverse("maps:layer_export", args=[key, fmt])
    return f"{url}?area={area.pk}" if area else url


def read_back(content: bytes, fmt: str, tmp_path):
    path = tmp_path / f"out.{ {'shp': 'zip'}.get(fmt, fmt) }"
    path.write_bytes(content)
    if fmt == "csv":
        import pandas

        table = pandas.read_csv(path, encoding="utf-8-sig")
        return geopandas.GeoDataFrame(table, geometry=geopandas.GeoSeries.from_wkt(table["wkt"]), crs="EPSG:4326"), path
    return geopandas.read_file(path, engine="pyogrio"), path


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_exports_households_that_read_back_with_geopandas(client_as, tree, households, fmt, tmp_path):
    response = client_as("cadre_a").get(export_url("households", fmt, tree.village_a))
    assert response.status_code == 200
    assert "households_A." in response["Content-Disposition"]
    frame, path = read_back(response.content, fmt, tmp_path)
    assert len(frame) == 3
    assert frame.crs.to_epsg() == 4326
    assert sorted(frame.geometry.x.round(6)) == [108.51, 108.53, 108.545]
    text = response.content if fmt != "gpkg" and fmt != "shp" else b""
    # No personal data: the heads' names never leave through an export.
    assert "李明".encode() not in text
    if fmt in ("geojson", "gpkg", "csv", "shp"):
        assert sorted(frame["number"]) == ["A-001", "A-002", "A-003"]
        assert "李明" not in frame.to_string()
    if shutil.which("ogrinfo"):
        target = f"/vsizip/{path}" if fmt == "shp" else str(path)
        if fmt == "csv":
            return
        info = subprocess.run(["ogrinfo", "-ro", "-al", "-so", target], capture_output=True, text=True, check=True)
        assert "Feature Count: 3" in info.stdout
        assert "WGS 84" in info.stdout or "4326" in info.stdout


def test_it_exports_boundaries_with_codes_and_areas(client_as, tree, tmp_path):
    response = client_as("township").get(export_url("groups", "gpkg"))
    frame, _path = read_back(response.content, "gpkg", tmp_path)
    assert sorted(frame["code"]) == ["A1", "A2", "B1"]
    assert set(frame.geometry.geom_type) == {"MultiPolygon"}


def test_it_splits_a_mixed_layer_into_one_shapefile_per_geometry_type(client_as, tree, tmp_path):
    from tests.maps.factories import SiteFactory

    SiteFactory(village=tree.village_a, kind="dam", geometry=Point(108.51, 32.41, srid=4326))
    SiteFactory(village=tree.village_a, kind="pipe", geometry=LineString((108.51, 32.41), (108.52, 32.42), srid=4326))
    SiteFactory(village=tree.village_a, kind="tea_garden", geometry=Polygon.from_bbox((108.52, 32.42, 108.53, 32.43)))
    response = client_as("cadre_a").get(export_url("sites", "shp", tree.village_a))
    names = sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert {"sites_A_point.shp", "sites_A_line.shp", "sites_A_polygon.shp", "sites_A_point.prj"} <= set(names)
    gpkg = client_as("cadre_a").get(export_url("sites", "geojson", tree.village_a))
    frame, _ = read_back(gpkg.content, "geojson", tmp_path)
    assert sorted(frame.geometry.geom_type) == ["LineString", "Point", "Polygon"]


def test_it_escapes_formulas_in_csv(client_as, tree, tmp_path):
    from tests.maps.factories import HouseholdFactory

    HouseholdFactory(village=tree.village_a, number="=HYPERLINK(1)")
    text = client_as("cadre_a").get(export_url("households", "csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_it_refuses_an_unknown_format_or_layer_or_area_out_of_scope(client_as, tree):
    client = client_as("cadre_b")
    assert client.get(export_url("households", "dxf")).status_code == 404
    assert client.get(export_url("nothing", "csv")).status_code == 404
    assert client.get(export_url("households", "csv", tree.village_a)).status_code == 404


def test_it_refuses_exports_over_the_limit(client_as, households, settings):
    settings.MAP_EXPORT_MAX_FEATURES = 2
    response = client_as("cadre_a").get(export_url("households", "csv"))
    assert response.status_code == 400
    assert "3" in response.json()["error"]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_exports(client_as, households, tree, persona):
    response = client_as(persona).get(export_url("households", "geojson", tree.village_a))
    assert response.status_code == {"anonymous": 302, "cadre_b": 404}.get(persona, 200)
    page = client_as(persona).get(reverse("maps:export_index", args=[tree.village_a.pk]))
    assert page.status_code == {"anonymous": 302, "cadre_b": 404}.get(persona, 200)


def test_it_exports_a_citys_area_into_a_shapefile_without_overflow(client_as, tree, tmp_path):
    tree.city.area_m2 = 1_441_841_608.648
    tree.city.save()
    response = client_as("hq").get(export_url("villages", "shp"))
    assert response.status_code == 200
    cities = client_as("hq").get(export_url("counties", "shp"))
    frame, _path = read_back(cities.content, "shp", tmp_path)
    assert list(frame["code"]) == ["K"]
    from maps.exports import _plain

    assert _plain(1_441_841_608.64836192 / 1_000_000) == 1441.841609
