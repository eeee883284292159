"""Import area boundaries from a GIS file: all or nothing, with a clear reason when refused."""

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _

from villages.geo import CONVERTERS, geodesic_area_m2, m2_to_km2, m2_to_mu, out_of_china, to_wgs84
from villages.models import LEVEL_ORDER, Area, Level
from villages.services import area_upsert


class ImportRefused(Exception):
    """The file cannot be imported; nothing was written. The message says why."""


@dataclass(frozen=True)
class ImportedArea:
    code: str
    name: str
    area_m2: float

    @property
    def km2(self):
        return m2_to_km2(self.area_m2)

    @property
    def mu(self):
        return m2_to_mu(self.area_m2)


def read_gis_file(path: str | Path) -> gpd.GeoDataFrame:
    """Read GeoJSON, GeoPackage, KML or a zipped Shapefile; refuse anything else clearly."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(_("File not found: %(path)s") % {"path": path})
    try:
        frame = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as exc:
        raise ImportRefused(
            _("This is not a GIS file that can be read (GeoJSON, GeoPackage, zipped Shapefile): %(error)s")
            % {"error": exc}
        ) from exc
    if "geometry" not in frame or frame.geometry.isna().all() or len(frame) == 0:
        raise ImportRefused(_("The file holds no geometries."))
    if frame.crs is None:
        raise ImportRefused(
            _("The file does not declare its coordinate system (for a Shapefile, the .prj is missing).")
        )
    if not frame.crs.is_geographic or frame.crs.to_epsg() not in (4326, 4490):
        frame = frame.to_crs(4326)
    return frame


def _check_polygons(frame: gpd.GeoDataFrame, code_field: str) -> None:
    problems = []
    for _index, row in frame.iterrows():
        geometry, label = row.geometry, row[code_field]
        if geometry is None or geometry.is_empty:
            problems.append(_("%(code)s: empty geometry") % {"code": label})
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(_("%(code)s: %(type)s is not a polygon") % {"code": label, "type": geometry.geom_type})
        elif not geometry.is_valid:
            problems.append(
                _("%(code)s: invalid polygon (%(reason)s)")
                % {"code": label, "reason": shapely.is_valid_reason(geometry)}
            )
        else:
            minx, miny, maxx, maxy = geometry.bounds
            if out_of_china(minx, miny) or out_of_china(maxx, maxy):
                problems.append(_("%(code)s: lies outside China") % {"code": label})
    if problems:
        raise ImportRefused(_("Nothing was imported. Problems found:") + "\n" + "\n".join(problems))


def _parent_for(level: str, geometry, parent: Area | None) -> Area | None:
    if level == Level.CITY:
        return None
    if parent is not None:
        return parent
    parent_level = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
    point = geometry.representative_point()
    return Area.objects.filter(level=parent_level, boundary__contains=Point(point.x, point.y, srid=4326)).first()


def import_areas(
    *,
    path: str | Path,
    level: str,
    name_field: str,
    code_field: str,
    from_crs: str = "wgs84",
    parent_code: str | None = None,
    actor=None,
) -> list[ImportedArea]:
    """Import every feature of the file as an area of `level`, or nothing at all."""
    if level not in Level.values:
        raise ImportRefused(_("Unknown level: %(level)s") % {"level": level})
    if from_crs not in CONVERTERS:
        raise ImportRefused(_("Unknown coordinate system: %(crs)s (use wgs84, gcj02 or bd09)") % {"crs": from_crs})
    frame = read_gis_file(path)
    missing = [field for field in (name_field, code_field) if field not in frame.columns]
    if missing:
        available = ", ".join(c for c in frame.columns if c != "geometry")
        raise ImportRefused(
            _("Missing field(s) %(missing)s; the file has: %(available)s")
            % {"missing": ", ".join(missing), "available": available}
        )
    frame[code_field] = frame[code_field].astype(str).str.strip()
    duplicates = sorted(set(frame[code_field][frame[code_field].duplicated()]))
    if duplicates:
        raise ImportRefused(_("Codes used twice in the file: %(codes)s") % {"codes": ", ".join(duplicates)})
    frame["geometry"] = [to_wgs84(g, from_crs) if g is not None else None for g in frame.geometry]
    _check_polygons(frame, code_field)
    parent = None
    if parent_code:
        parent = Area.objects.filter(code=parent_code).first()
        if parent is None:
            raise ImportRefused(_("No area has the parent code %(code)s.") % {"code": parent_code})
    return _write(frame, level, name_field, code_field, parent, actor)


@transaction.atomic
def _write(frame, level, name_field, code_field, parent, actor) -> list[ImportedArea]:
    imported = []
    for _index, row in frame.iterrows():
        code, name, geometry = row[code_field], str(row[name_field]).strip(), row.geometry
        row_parent = _parent_for(level, geometry, parent)
        if level != Level.CITY and row_parent is None:
            raise ImportRefused(
                _("%(code)s %(name)s: no parent area contains it; give --parent.") % {"code": code, "name": name}
            )
        area_upsert(code=code, name=name, level=level, parent=row_parent, boundary=geometry, actor=actor)
        imported.append(ImportedArea(code=code, name=name, area_m2=geodesic_area_m2(geometry)))
    return imported
