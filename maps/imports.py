"""GIS files in: a surveyor's project sites or tea-garden plots, previewed, then written on confirmation.

The upload is kept in a temporary folder under MEDIA_ROOT keyed by a random token (not
in the session: any web host can serve the preview and the confirmation). Reading is
stateless: the preview and the confirmation both re-read the file with the chosen
coordinate system, so what is written is exactly what was shown.

Refused with a message, nothing written: files GDAL cannot read, no CRS, features
outside China, geometry collections (mixed types inside one feature), empty files.
Invalid geometries are listed with GEOS's reason and block the import: they are not
silently repaired.
"""

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from maps.selectors import BadRequest
from villages.geo import geodesic_area_m2, geodesic_length_m, m2_to_mu, out_of_china, to_wgs84

EXTENSIONS = {".geojson", ".json", ".gpkg", ".kml", ".gpx", ".zip"}
MAX_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 2000
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
STALE_SECONDS = 24 * 3600
NAME_COLUMNS = ("name", "Name", "NAME", "名称", "名字", "title")
GPX_LAYERS = ("waypoints", "routes", "tracks")
OFFSETS = ("wgs84", "gcj02", "bd09")


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "maps-imports"


@dataclass
class Feature:
    index: int
    name: str
    geom_type: str
    shape: object  # shapely geometry, WGS-84 lon/lat
    length_m: float | None = None
    area_m2: float | None = None
    problem: str = ""

    @property
    def area_mu(self):
        return m2_to_mu(self.area_m2) if self.area_m2 else None


@dataclass
class Preview:
    features: list[Feature]
    source_crs: str
    offset: str
    invalid: list[Feature] = field(default_factory=list)

    def geojson(self) -> dict:
        import shapely

        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(shapely.to_geojson(f.shape)),
                    "properties": {"name": f.name, "index": f.index, "invalid": bool(f.problem)},
                }
                for f in self.features
            ],
        }


# ---------------------------------------------------------------------------------------------------
# The temporary upload


def store_upload(upload, *, user, village) -> str:
    """Save the uploaded file under a new token; refuse what is obviously not a GIS file."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise BadRequest(_("Upload a GeoJSON, GeoPackage, KML, GPX or zipped Shapefile file."))
    if upload.size > MAX_BYTES:
        raise BadRequest(_("The file is larger than 20 MB."))
    _sweep()
    token = secrets.token_urlsafe(18)
    folder = _root() / token
    folder.mkdir(parents=True)
    with open(folder / f"upload{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    meta = {"user": user.pk, "village": village.pk, "name": Path(upload.name).name[:100], "created": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta))
    return token


def load_upload(token: str, *, user, village) -> tuple[Path, dict]:
    """The stored file and its metadata; LookupError when the token is unknown or not this user's."""
    if not TOKEN.match(token or ""):
        raise LookupError(token)
    folder = _root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError) as exc:
        raise LookupError(token) from exc
    if meta.get("user") != user.pk or meta.get("village") != village.pk:
        raise LookupError(token)
    files = [p for p in folder.iterdir() if p.name.startswith("upload")]
    if not files:
        raise LookupError(token)
    return files[0], meta


def discard_upload(token: str) -> None:
    if TOKEN.match(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


def _sweep() -> None:
    """Drop uploads nobody confirmed within a day."""
    root = _root()
    if not root.exists():
        return
    limit = time.time() - STALE_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Reading


def _read_frames(path: Path):
    import pyogrio

    target = f"/vsizip/{path}" if path.suffix == ".zip" else str(path)
    try:
        layers = pyogrio.list_layers(target)
    except Exception as exc:  # pyogrio raises DataSourceError and others for non-GIS files
        raise BadRequest(_("This file could not be read as a GIS file.")) from exc
    names = [str(name) for name, _geom in layers]
    if path.suffix == ".gpx":
        names = [n for n in GPX_LAYERS if n in names]
    frames = []
    for name in names:
        try:
            frame = pyogrio.read_dataframe(target, layer=name)
        except Exception as exc:
            raise BadRequest(_("This file could not be read as a GIS file.")) from exc
        if len(frame) and "geometry" in frame:
            frames.append(frame)
    if not frames:
        raise BadRequest(_("The file holds no features with a geometry."))
    return frames


def _name_of(row, index: int) -> str:
    for column in NAME_COLUMNS:
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value.strip()[:100]
    return f"#{index + 1}"


def read_preview(path: Path, *, offset: str = "wgs84") -> Preview:
    """Features in WGS-84 with geodesic lengths and areas; raises BadRequest for files we refuse."""
    import shapely

    if offset not in OFFSETS:
        raise BadRequest(_("Unknown coordinate system."))
    features: list[Feature] = []
    source_crs = ""
    for frame in _read_frames(path):
        if frame.crs is None:
            raise BadRequest(_("The file does not say which coordinate system it uses (no CRS, e.g. a missing .prj)."))
        source_crs = source_crs or frame.crs.to_string()
        if not frame.crs.equals("EPSG:4326"):
            # Projected surveys (e.g. CGCS2000 Gauss-Krüger zones) come back to longitude/latitude.
            frame = frame.to_crs("EPSG:4326")
        for _label, row in frame.iterrows():
            shape = row.geometry
            index = len(features)
            if shape is None or shape.is_empty:
                raise BadRequest(_("Feature %(n)s has no geometry.") % {"n": index + 1})
            if shape.geom_type == "GeometryCollection":
                raise BadRequest(
                    _("Feature %(n)s mixes points, lines and polygons in one shape; split it in your GIS.")
                    % {"n": index + 1}
                )
            shape = shapely.force_2d(to_wgs84(shape, offset))
            features.append(Feature(index, _name_of(row, index), shape.geom_type, shape))
            if len(features) > MAX_FEATURES:
                raise BadRequest(_("The file has more than %(n)s features.") % {"n": MAX_FEATURES})
    _check_in_china(features)
    invalid = []
    for feature in features:
        if not feature.shape.is_valid:
            feature.problem = shapely.is_valid_reason(feature.shape)
            invalid.append(feature)
            continue
        if "Line" in feature.geom_type:
            feature.length_m = geodesic_length_m(feature.shape)
        elif "Polygon" in feature.geom_type:
            feature.area_m2 = geodesic_area_m2(feature.shape)
    return Preview(features, source_crs, offset, invalid)


def _check_in_china(features: list[Feature]) -> None:
    for feature in features:
        west, south, east, north = feature.shape.bounds
        if out_of_china(west, south) or out_of_china(east, north):
            raise BadRequest(
                _("Feature %(n)s lies outside China (%(lon).4f, %(lat).4f): check the coordinate system.")
                % {"n": feature.index + 1, "lon": west, "lat": south}
            )


# ---------------------------------------------------------------------------------------------------
# Writing


def default_kind(geom_type: str) -> str:
    if "Polygon" in geom_type:
        return "tea_garden"
    if "Line" in geom_type:
        return "pipe"
    return "reservoir"


def import_sites(*, actor, project, preview: Preview, kind: str | None = None) -> list:
    """Create one ProjectSite per feature through the projects service, all or nothing."""
    from django.contrib.gis.geos import GEOSGeometry
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from projects.services import site_add

    if preview.invalid:
        raise BadRequest(_("Some shapes are invalid; fix them in your GIS and upload the file again."))
    created = []
    try:
        with transaction.atomic():
            for feature in preview.features:
                geometry = GEOSGeometry(memoryview(feature.shape.wkb), srid=4326)
                created.append(
                    site_add(
                        actor=actor,
                        project=project,
                        kind=kind or default_kind(feature.geom_type),
                        name=feature.name,
                        geometry=geometry,
                    )
                )
    except ValidationError as exc:
        raise BadRequest(
            _("Feature %(n)s was refused: %(reason)s") % {"n": len(created) + 1, "reason": " ".join(exc.messages)}
        ) from exc
    return created
