"""Coordinate conversions against published point pairs, and geodesic sizes against analytic values."""

import math

import pytest
from shapely.geometry import LineString, Polygon

from villages import geo

# (WGS-84 lon, lat, GCJ-02 lon, lat): the eviltransform project's reference cases.
WGS_GCJ_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
TOLERANCE_DEG = 1e-6  # about 0.1 m


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), WGS_GCJ_PAIRS)
def test_it_converts_wgs84_to_gcj02_like_the_reference(wlon, wlat, glon, glat):
    lon, lat = geo.wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=TOLERANCE_DEG)
    assert lat == pytest.approx(glat, abs=TOLERANCE_DEG)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), WGS_GCJ_PAIRS)
def test_it_converts_gcj02_back_to_wgs84(wlon, wlat, glon, glat):
    lon, lat = geo.gcj02_to_wgs84(glon, glat)
    assert lon == pytest.approx(wlon, abs=TOLERANCE_DEG)
    assert lat == pytest.approx(wlat, abs=TOLERANCE_DEG)


def test_it_converts_bd09_like_the_reference():
    # gcoord's test: GCJ-02 (123, 45) → BD-09 (123.00636499, 45.00636899).
    assert geo.gcj02_to_bd09(123, 45) == pytest.approx((123.00636499, 45.00636899), abs=1e-7)
    # A WGS-84 / BD-09 pair from a published geotool test (Jiaxing).
    lon, lat = geo.bd09_to_wgs84(121.10271732371203, 30.61484572185035)
    assert (lon, lat) == pytest.approx((121.0917077, 30.6107779), abs=TOLERANCE_DEG)


def test_it_leaves_points_outside_china_alone():
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_it_converts_whole_geometries():
    line = LineString([(121.531541859215, 31.17530398364597), (113.9171764808363, 22.540796131694766)])
    converted = geo.to_wgs84(line, "gcj02")
    assert converted.coords[0] == pytest.approx((121.5272106, 31.1774276), abs=TOLERANCE_DEG)
    assert converted.coords[1] == pytest.approx((113.912316, 22.543847), abs=TOLERANCE_DEG)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        geo.to_wgs84(line, "epsg:3857")


def _ellipsoid_band_area(lat1: float, lat2: float, dlon_deg: float) -> float:
    """Exact area between two parallels on the WGS-84 ellipsoid (authalic formula)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    e = math.sqrt(e2)
    b2 = (a * (1 - f)) ** 2

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b2 * math.radians(dlon_deg) / 2 * (q(lat2) - q(lat1))


def test_geodesic_area_matches_the_analytic_area_of_a_lat_lon_cell():
    # A 0.1° cell near Ankang; the parallels are densified so edges follow them closely.
    west, south, east, north = 108.5, 32.4, 108.6, 32.5
    steps = [west + (east - west) * i / 400 for i in range(401)]
    ring = [(x, south) for x in steps] + [(x, north) for x in reversed(steps)]
    expected = _ellipsoid_band_area(south, north, east - west)
    assert geo.geodesic_area_m2(Polygon(ring)) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(104_000_000, rel=0.01)  # about 104 km²


def _meridian_arc(lat1: float, lat2: float) -> float:
    """Meridian arc length on WGS-84 by Simpson integration of the radius of curvature M(φ)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    n = 1000
    h = math.radians(lat2 - lat1) / n

    def m(phi):
        return a * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5

    phis = [math.radians(lat1) + i * h for i in range(n + 1)]
    return h / 3 * sum((1 if i in (0, n) else 4 if i % 2 else 2) * m(p) for i, p in enumerate(phis))


def test_geodesic_length_of_a_meridian_arc():
    line = LineString([(108.6, 31.95), (108.6, 32.95)])
    assert geo.geodesic_length_m(line) == pytest.approx(_meridian_arc(31.95, 32.95), abs=0.01)


def test_mu_and_km2_conversions():
    assert str(geo.m2_to_mu(666.6667)) == "1.00"
    assert str(geo.m2_to_mu(10_000)) == "15.00"
    assert str(geo.m2_to_km2(2_345_678)) == "2.35"
