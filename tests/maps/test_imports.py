import io
import zipfile

import geopandas
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from shapely.geometry import GeometryCollection, LineString, Point, Polygon

from projects.models import ProjectSite
from tests.conftest import PERSONA_NAMES
from tests.projects.conftest import chain, funded  # noqa: F401 - fixtures reused from the projects tests
from villages.geo import wgs84_to_gcj02

pytestmark = pytest.mark.django_db

PIPE = LineString([(108.51, 32.41), (108.51, 32.437)])
GARDEN = Polygon([(108.52, 32.42), (108.523, 32.42), (108.523, 32.423), (108.52, 32.423)])
POOL = Point(108.53, 32.43)


def frame(shapes=(PIPE, GARDEN, POOL), names=("主管道", "一组茶园", "蓄水池"), crs="EPSG:4326"):
    return geopandas.GeoDataFrame({"name": list(names)}, geometry=list(shapes), crs=crs)


def as_file(gdf, driver, suffix, tmp_path):
    path = tmp_path / f"survey{suffix}"
    gdf.to_file(path, driver=driver, engine="pyogrio")
    return path.read_bytes()


def zipped_shapefile(gdf, tmp_path, *, keep_prj=True):
    gdf.to_file(tmp_path / "survey.shp", driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in tmp_path.glob("survey.*"):
            if keep_prj or path.suffix != ".prj":
                archive.write(path, path.name)
    return buffer.getvalue()


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="32.43" lon="108.53"><name>蓄水池</name></wpt>
  <trk><name>主管道</name><trkseg><trkpt lat="32.41" lon="108.51"/><trkpt lat="32.437" lon="108.51"/></trkseg></trk>
</gpx>""".encode()


def upload(client, village, content, name, offset="wgs84"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("maps:import_upload", args=[village.pk]), {"file": file, "offset": offset})


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "kml"])
def test_it_previews_a_surveyors_file_with_geodesic_sizes(client_as, tree, kind, tmp_path):
    content = {
        "geojson": lambda: as_file(frame(), "GeoJSON", ".geojson", tmp_path),
        "gpkg": lambda: as_file(frame(), "GPKG", ".gpkg", tmp_path),
        "kml": lambda: as_file(frame(), "KML", ".kml", tmp_path),
    }[kind]()
    name = {"shp": "survey.zip"}.get(kind, f"survey.{kind}")
    client = client_as("cadre_a")
    response = upload(client, tree.village_a, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response.url)
    assert preview.status_code == 200
    features = preview.context["preview"].features
    assert [f.name for f in features] == ["主管道", "一组茶园", "蓄水池"]
    assert round(features[0].length_m) == 2994
    assert str(features[1].area_mu) == "140.81"
    text = preview.content.decode()
    assert "140.81" in text and "主管道" in text
    assert ProjectSite.objects.count() == 0  # nothing written before confirming


def test_it_reads_a_zipped_shapefile_of_one_geometry_type(client_as, tree, tmp_path):
    second = Polygon([(108.53, 32.42), (108.532, 32.42), (108.532, 32.422), (108.53, 32.422)])
    content = zipped_shapefile(frame(shapes=[GARDEN, second], names=["一组茶园", "二组茶园"]), tmp_path)
    client = client_as("cadre_a")
    features = client.get(upload(client, tree.village_a, content, "gardens.zip").url).context["preview"].features
    assert [f.name for f in features] == ["一组茶园", "二组茶园"]
    assert str(features[0].area_mu) == "140.81"


def test_it_reads_gpx_waypoints_and_tracks(client_as, tree):
    client = client_as("cadre_a")
    preview = client.get(upload(client, tree.village_a, GPX, "walk.gpx").url)
    features = preview.context["preview"].features
    assert sorted(f.geom_type for f in features) == ["MultiLineString", "Point"]


def test_it_writes_sites_only_after_confirmation(client_as, tree, funded, tmp_path, settings):  # noqa: F811
    client = client_as("cadre_a")
    response = upload(client, tree.village_a, as_file(frame(), "GeoJSON", ".geojson", tmp_path), "s.geojson")
    token_folder = settings.MEDIA_ROOT / "maps-imports"
    assert len(list(token_folder.iterdir())) == 1
    confirm = client.post(response.url, {"offset": "wgs84", "project": funded.project.pk, "kind": ""})
    assert confirm.status_code == 302
    sites = list(ProjectSite.objects.order_by("pk"))
    assert [(s.name, s.kind) for s in sites] == [
        ("主管道", "pipe"),
        ("一组茶园", "tea_garden"),
        ("蓄水池", "reservoir"),
    ]
    assert sites[0].length_m is not None
    assert list(token_folder.iterdir()) == []  # the temporary upload is gone
    assert client.get(response.url).status_code == 404


def test_it_converts_gcj02_coordinates_to_wgs84(client_as, tree):
    lon, lat = wgs84_to_gcj02(108.53, 32.43)
    gdf = frame(shapes=[Point(lon, lat)], names=["高德上取的点"])
    content = gdf.to_json().encode()
    client = client_as("cadre_a")
    url = upload(client, tree.village_a, content, "amap.geojson", offset="gcj02").url
    shape = client.get(url).context["preview"].features[0].shape
    assert abs(shape.x - 108.53) < 1e-7 and abs(shape.y - 32.43) < 1e-7
    raw = client.get(url.replace("offset=gcj02", "offset=wgs84")).context["preview"].features[0].shape
    assert abs(raw.x - lon) < 1e-9  # without conversion the offset (~500 m) stays


def test_it_reprojects_a_projected_cgcs2000_survey(client_as, tree, tmp_path):
    # CGCS2000 3-degree Gauss-Krüger, central meridian 108°E (EPSG:4545).
    gdf = frame().to_crs("EPSG:4545")
    client = client_as("cadre_a")
    url = upload(client, tree.village_a, as_file(gdf, "GPKG", ".gpkg", tmp_path), "gk.gpkg").url
    preview = client.get(url).context["preview"]
    assert "4545" in preview.source_crs
    assert abs(preview.features[2].shape.x - 108.53) < 1e-6
    assert str(preview.features[1].area_mu) == "140.81"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not_gis", "GIS"),
        ("no_crs", "CRS"),
        ("outside", "China"),
        ("collection", "split"),
        ("extension", "GeoJSON"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_message(client_as, tree, tmp_path, case, message):
    from django.utils import translation

    client = client_as("cadre_a")
    if case == "not_gis":
        response = upload(client, tree.village_a, b"just some text, not a map", "notes.geojson")
    elif case == "no_crs":
        content = zipped_shapefile(frame(shapes=[GARDEN], names=["茶园"]), tmp_path, keep_prj=False)
        response = upload(client, tree.village_a, content, "s.zip")
    elif case == "outside":
        content = frame(shapes=[Point(2.35, 48.85)], names=["Paris"]).to_json().encode()
        response = upload(client, tree.village_a, content, "paris.geojson")
    elif case == "collection":
        content = frame(shapes=[GeometryCollection([POOL, PIPE])], names=["混合"]).to_json().encode()
        response = upload(client, tree.village_a, content, "mixed.geojson")
    else:
        response = upload(client, tree.village_a, b"PK", "survey.dwg")
    if response.status_code == 302:
        response = client.get(response.url)
    assert response.status_code == 400
    errors = " ".join(
        str(e) for e in [response.context.get("refused") or ""] + list(response.context["form"].errors.values())
    )
    with translation.override("zh-hans"):
        assert errors  # a message is shown
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors)
    assert ProjectSite.objects.count() == 0
    del message


def test_it_lists_invalid_geometries_and_does_not_import_them(client_as, tree, funded):  # noqa: F811
    bowtie = Polygon([(108.52, 32.42), (108.53, 32.43), (108.53, 32.42), (108.52, 32.43)])
    content = frame(shapes=[bowtie, POOL], names=["自相交地块", "蓄水池"]).to_json().encode()
    client = client_as("cadre_a")
    url = upload(client, tree.village_a, content, "bad.geojson").url
    response = client.get(url)
    assert [f.name for f in response.context["preview"].invalid] == ["自相交地块"]
    assert "Self-intersection" in response.content.decode()
    confirm = client.post(url, {"offset": "wgs84", "project": funded.project.pk})
    assert confirm.status_code == 400
    assert ProjectSite.objects.count() == 0


def test_it_keeps_another_users_upload_private(client_as, tree, personas, tmp_path):
    client = client_as("cadre_a")
    url = upload(client, tree.village_a, frame().to_json().encode(), "s.geojson").url
    assert client_as("township").get(url).status_code == 404
    assert client_as("cadre_a").get(url.replace("/import/", "/import/x")).status_code == 404


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_the_import(client_as, tree, persona):
    response = client_as(persona).get(reverse("maps:import_upload", args=[tree.village_a.pk]))
    expected = {"anonymous": 302, "cadre_b": 404, "auditor": 403, "funder": 403}.get(persona, 200)
    assert response.status_code == expected
