"""GIS files out: any layer the user can see, as GeoJSON, GeoPackage, zipped Shapefile, KML or CSV (WKT).

Rows come from the same scoped queryset as the map (`maps.selectors.layer_queryset`),
with the layer's export columns, which never hold personal data (no names,
phones or ID numbers). The CRS is always declared: EPSG:4326 (WGS-84, CGCS2000
treated as equal). Column names are ten characters at most, so the Shapefile
keeps them.
"""

import html
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.utils.translation import gettext as _

from maps.layers import Layer
from maps.selectors import BadRequest, layer_queryset
from villages.models import Area

CRS = "EPSG:4326"
# Spreadsheet programs run cells that start with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    extension: str
    content_type: str
    driver: str | None


FORMATS = {
    f.key: f
    for f in [
        Format("geojson", "GeoJSON", "geojson", "application/geo+json", "GeoJSON"),
        Format("gpkg", "GeoPackage", "gpkg", "application/geopackage+sqlite3", "GPKG"),
        Format("shp", "Shapefile (zip)", "zip", "application/zip", "ESRI Shapefile"),
        Format("kml", "KML", "kml", "application/vnd.google-earth.kml+xml", "KML"),
        Format("csv", "CSV (WKT)", "csv", "text/csv; charset=utf-8", None),
    ]
}


def _plain(value):
    """Values every driver accepts: Decimal → float (lengths, areas; never money here), time → ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        # Six decimals are plenty for lengths, areas and km², and fit every driver's numeric fields.
        return round(value, 6)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def layer_frame(user, layer: Layer, area: Area | None):
    """A GeoDataFrame of the layer's rows in the user's scope (and `area`), in EPSG:4326."""
    import geopandas
    import shapely

    qs = layer_queryset(user, layer, area=area)
    count = qs.count()
    if count > settings.MAP_EXPORT_MAX_FEATURES:
        raise BadRequest(
            _("This layer has %(count)s features; exports are limited to %(limit)s. Choose a smaller area.")
            % {"count": count, "limit": settings.MAP_EXPORT_MAX_FEATURES}
        )
    columns = layer.export_columns()
    # Aliased, because an annotation may not share a model field's name ("number", "name").
    aliased = {f"x_{name}": expression for name, expression in columns.items()}
    rows = list(qs.order_by("pk").values("pk", **aliased, x__wkb=AsWKB(layer.geometry_field)))
    data = {"id": [row["pk"] for row in rows]}
    for name in columns:
        data[name] = [_plain(row[f"x_{name}"]) for row in rows]
    geometry = [shapely.from_wkb(bytes(row["x__wkb"])) for row in rows]
    return geopandas.GeoDataFrame(data, geometry=geometry, crs=CRS)


def _escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _html_escaped(frame):
    """Text cells entity-encoded: Google Earth shows a placemark's data in an HTML balloon, so a
    name holding markup ("<img onerror=…>") would run there once the XML is parsed."""
    text = frame.drop(columns="geometry").map(lambda v: html.escape(v) if isinstance(v, str) else v)
    return frame.assign(**{column: text[column] for column in text.columns})


def render(frame, fmt: Format, name: str) -> bytes:
    """The file's bytes; written through GDAL (pyogrio) in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if fmt.key == "csv":
            table = frame.drop(columns="geometry").map(_escape_formula)
            table["wkt"] = frame.geometry.to_wkt()
            return table.to_csv(index=False).encode("utf-8-sig")
        if fmt.key == "shp":
            return _zipped_shapefiles(frame, folder, name)
        target = folder / f"{name}.{fmt.extension}"
        if fmt.key == "kml":
            frame = frame.assign(Name=frame[frame.columns[1]].astype(str) if len(frame.columns) > 2 else "")
            frame = _html_escaped(frame)
        frame.to_file(target, driver=fmt.driver, layer=name, engine="pyogrio")
        return target.read_bytes()


def _zipped_shapefiles(frame, folder: Path, name: str) -> bytes:
    """One Shapefile per geometry family (a Shapefile holds one type), with .prj and .cpg (UTF-8)."""
    families = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line"}
    kinds = frame.geometry.geom_type.map(lambda t: families.get(t, "polygon"))
    written = []
    for kind in sorted(set(kinds)) or ["point"]:
        part = frame[kinds == kind] if len(frame) else frame
        stem = name if kinds.nunique() <= 1 else f"{name}_{kind}"
        part.to_file(folder / f"{stem}.shp", driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
        written.append(stem)
    buffer = folder / "out.zip"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem in written:
            for path in sorted(folder.glob(f"{stem}.*")):
                archive.write(path, path.name)
    return buffer.read_bytes()


def export_layer(user, layer: Layer, area: Area | None, fmt: Format) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) for a download."""
    name = f"{layer.key}_{area.code}" if area else layer.key
    frame = layer_frame(user, layer, area)
    return f"{name}.{fmt.extension}", fmt.content_type, render(frame, fmt, name)
