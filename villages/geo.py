"""Coordinates and measurements: China's offset datums and geodesic sizes.

GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are WGS-84 shifted by a published
obfuscation formula; converting back is done by fixed-point iteration, which
brings the error under a millimetre. Areas and lengths are geodesic on the
WGS-84 ellipsoid (pyproj.Geod), never in Web Mercator.

This module lives in `villages` because the area importer needs it and domain
apps may not import `maps`; `maps` uses it too.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
M2_PER_MU = 10000 / 15  # 1 亩 = 666.67 m²

_A = 6378245.0  # Krasovsky 1940, as used by the GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def out_of_china(lon: float, lat: float) -> bool:
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 offset by iteration (the forward formula has no closed inverse)."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            break
    return wlon, wlat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


CONVERTERS = {"wgs84": None, "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def to_wgs84(geometry: BaseGeometry, from_crs: str) -> BaseGeometry:
    """Convert a shapely geometry in lon/lat from `from_crs` (wgs84, gcj02, bd09) to WGS-84."""
    if from_crs not in CONVERTERS:
        raise ValueError(f"unknown coordinate system: {from_crs}")
    convert = CONVERTERS[from_crs]
    if convert is None:
        return geometry

    def _apply(coords: np.ndarray) -> np.ndarray:
        return np.array([convert(float(x), float(y)) for x, y in coords], dtype=float).reshape(-1, 2)

    return shapely.transform(geometry, _apply)


def geodesic_area_m2(geometry: BaseGeometry) -> float:
    """Area on the WGS-84 ellipsoid, in m², of a lon/lat (multi)polygon."""
    area, _perimeter = GEOD.geometry_area_perimeter(geometry)
    return abs(area)


def geodesic_length_m(geometry: BaseGeometry) -> float:
    """Length on the WGS-84 ellipsoid, in m, of a lon/lat (multi)line."""
    return GEOD.geometry_length(geometry)


def m2_to_mu(area_m2: float) -> Decimal:
    return Decimal(str(area_m2 / M2_PER_MU)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def m2_to_km2(area_m2: float) -> Decimal:
    return Decimal(str(area_m2 / 1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
