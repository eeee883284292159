"""`manage.py import_areas`: GeoJSON, GeoPackage and zipped Shapefile in; bad files refused whole."""

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command
from shapely.geometry import Point, box

from villages import geo
from villages.models import Area, Level

pytestmark = pytest.mark.django_db

TOWNS = gpd.GeoDataFrame(
    {"name": ["焕古镇", "洞河镇"], "adcode": ["610924105", "610924106"]},
    geometry=[box(108.52, 32.41, 108.58, 32.47), box(108.80, 32.80, 108.86, 32.86)],
    crs="EPSG:4326",
)


def _import(path, **options) -> str:
    out = io.StringIO()
    options = {"level": "town", "name_field": "name", "code_field": "adcode", **options}
    call_command("import_areas", str(path), stdout=out, **options)
    return out.getvalue()


def _zip_shapefile(frame, tmp_path: Path, keep_prj: bool = True) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "towns.shp", encoding="utf-8")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            if keep_prj or part.suffix != ".prj":
                zf.write(part, part.name)
    return archive


@pytest.fixture(params=["geojson", "gpkg", "zip"])
def town_file(request, tmp_path):
    if request.param == "geojson":
        path = tmp_path / "towns.geojson"
        TOWNS.to_file(path, driver="GeoJSON")
    elif request.param == "gpkg":
        path = tmp_path / "towns.gpkg"
        TOWNS.to_file(path, driver="GPKG")
    else:
        path = _zip_shapefile(TOWNS, tmp_path)
    return path


def test_it_imports_every_format_under_the_parent_found_by_location(tree, town_file):
    output = _import(town_file)
    town = Area.objects.get(code="610924105")
    assert (town.name, town.level, town.parent) == ("焕古镇", Level.TOWN, tree.county)
    assert town.path == tree.county.path + "610924105/"
    assert town.boundary.contains(GEOSGeometry(Point(108.55, 32.44).wkt, srid=4326))
    assert Area.objects.get(code="610924106").parent == tree.county
    # Sizes are reported in km² and 亩, computed geodesically.
    expected_m2 = geo.geodesic_area_m2(box(108.52, 32.41, 108.58, 32.47))
    assert f"{geo.m2_to_km2(expected_m2):,} km²" in output
    assert f"{geo.m2_to_mu(expected_m2):,} 亩" in output
    assert town.area_m2 == pytest.approx(expected_m2)


def test_it_converts_gcj02_input_to_wgs84(tree, tmp_path):
    wgs = Point(108.55, 32.44)
    gcj = Point(*geo.wgs84_to_gcj02(wgs.x, wgs.y))
    frame = gpd.GeoDataFrame(
        {"name": ["焕古镇"], "adcode": ["610924105"]}, geometry=[gcj.buffer(0.01)], crs="EPSG:4326"
    )
    path = tmp_path / "gcj.geojson"
    frame.to_file(path, driver="GeoJSON")
    _import(path, from_crs="gcj02", parent=tree.county.code)
    centroid = Area.objects.get(code="610924105").boundary.centroid
    assert (centroid.x, centroid.y) == pytest.approx((wgs.x, wgs.y), abs=1e-5)


def test_importing_the_same_file_twice_updates_in_place(tree, tmp_path):
    path = tmp_path / "towns.geojson"
    TOWNS.to_file(path, driver="GeoJSON")
    _import(path)
    _import(path)
    assert Area.objects.filter(level=Level.TOWN, code__startswith="6109").count() == 2


def _write_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _feature_collection(*geometries, props=None):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props or {"name": f"镇{i}", "adcode": f"99{i}"}, "geometry": g}
                for i, g in enumerate(geometries)
            ],
        }
    )


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[108.5, 32.4], [108.6, 32.5], [108.6, 32.4], [108.5, 32.5], [108.5, 32.4]]],
}
GOOD = {"type": "Polygon", "coordinates": [[[108.5, 32.4], [108.6, 32.4], [108.6, 32.5], [108.5, 32.4]]]}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", "这不是地图文件", "这不是可读取的 GIS 文件"),
        ("empty.geojson", json.dumps({"type": "FeatureCollection", "features": []}), "文件中没有几何图形"),
        ("nogeom.geojson", _feature_collection(None), "文件中没有几何图形"),
        ("bowtie.geojson", _feature_collection(GOOD, BOWTIE), "面无效"),
        ("point.geojson", _feature_collection({"type": "Point", "coordinates": [108.5, 32.4]}), "不是面"),
        (
            "paris.geojson",
            _feature_collection(
                {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}
            ),
            "位于中国境外",
        ),
    ],
)
def test_it_refuses_bad_files_and_imports_nothing(tree, tmp_path, name, content, message):
    before = Area.objects.count()
    with pytest.raises(CommandError, match=message):
        _import(_write_text(tmp_path, name, content), parent=tree.county.code)
    assert Area.objects.count() == before


def test_it_refuses_a_shapefile_without_a_coordinate_system(tree, tmp_path):
    archive = _zip_shapefile(TOWNS, tmp_path, keep_prj=False)
    with pytest.raises(CommandError, match="未声明坐标系"):
        _import(archive)
    assert not Area.objects.filter(code="610924105").exists()


def test_it_names_missing_fields_and_duplicate_codes(tree, tmp_path):
    path = tmp_path / "towns.geojson"
    TOWNS.to_file(path, driver="GeoJSON")
    with pytest.raises(CommandError, match="缺少字段 code.*adcode"):
        _import(path, code_field="code")
    duplicated = TOWNS.assign(adcode=["610924105", "610924105"])
    duplicated.to_file(tmp_path / "dup.geojson", driver="GeoJSON")
    with pytest.raises(CommandError, match="重复的代码：610924105"):
        _import(tmp_path / "dup.geojson")


def test_it_imports_nothing_when_one_feature_has_no_parent(tree, tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["焕古镇", "远方镇"], "adcode": ["610924105", "999"]},
        geometry=[box(108.52, 32.41, 108.58, 32.47), box(120.0, 30.0, 120.1, 30.1)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "t.geojson", driver="GeoJSON")
    with pytest.raises(CommandError, match="没有包含它的上级区域"):
        _import(tmp_path / "t.geojson")
    assert not Area.objects.filter(code="610924105").exists()


def test_a_projected_file_is_reprojected_to_wgs84(tree, tmp_path):
    projected = TOWNS.to_crs("EPSG:4547")  # CGCS2000 / 3-degree Gauss-Kruger CM 108E
    projected.to_file(tmp_path / "p.gpkg", driver="GPKG")
    _import(tmp_path / "p.gpkg")
    centroid = Area.objects.get(code="610924105").boundary.centroid
    assert (centroid.x, centroid.y) == pytest.approx((108.55, 32.44), abs=1e-4)


def test_unknown_parent_code_is_refused(tree, tmp_path):
    path = tmp_path / "towns.geojson"
    TOWNS.to_file(path, driver="GeoJSON")
    with pytest.raises(CommandError, match="没有代码为 NOPE 的上级区域"):
        _import(path, parent="NOPE")
