"""Reads for maps: scoped layer rows, GeoJSON written by the database, server-side clusters.

Every queryset goes through `villages.selectors.filter_in_scope`. A layer request is
a fixed number of queries whatever its size: the scope (once per request), the
area, one aggregate (count + newest change, the ETag), then the features. For a
point layer that may be clustered, the aggregate is the cluster grid itself (one
scan gives the cells, the count and the ETag), and the features follow only when
there are few enough of them.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Centroid
from django.contrib.gis.geos import Polygon
from django.db.models import Avg, Count, F, FloatField, Func, QuerySet
from django.db.models.functions import Floor
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from maps.layers import Layer, all_layers, get_layer, scope_filter
from villages.models import Area, Level
from villages.selectors import area_for_user, scope_paths, villages_for_user


class BadRequest(ValueError):
    """Input the user can correct; the message is shown to them (in Chinese by default)."""


class StX(Func):
    function = "ST_X"
    output_field = FloatField()


class StY(Func):
    function = "ST_Y"
    output_field = FloatField()


@dataclass(frozen=True)
class LayerRequest:
    layer: Layer
    area: Area | None
    bbox: tuple[float, float, float, float] | None
    zoom: int | None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`minx,miny,maxx,maxy` in degrees (WGS-84), or None when absent."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise BadRequest(_("bbox must be four numbers: west,south,east,north."))
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError as exc:
        raise BadRequest(_("bbox must be four numbers: west,south,east,north.")) from exc
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BadRequest(_("bbox must be four numbers: west,south,east,north."))
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise BadRequest(_("bbox lies outside longitude -180…180 and latitude -90…90."))
    if west >= east or south >= north:
        raise BadRequest(_("bbox is inverted or empty: west must be less than east and south less than north."))
    return west, south, east, north


def parse_zoom(text: str | None) -> int | None:
    if not text:
        return None
    try:
        zoom = int(text)
    except ValueError as exc:
        raise BadRequest(_("zoom must be a whole number from 0 to 22.")) from exc
    if not 0 <= zoom <= 22:
        raise BadRequest(_("zoom must be a whole number from 0 to 22."))
    return zoom


def parse_area(user, text: str | None) -> Area | None:
    """The area the request is limited to; 404 outside the user's scope."""
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest(_("area must be the number of an area."))
    return area_for_user(user, int(text))


def layer_queryset(user, layer: Layer, *, area: Area | None = None, bbox=None) -> QuerySet:
    qs = layer.base_queryset().filter(layer.scope(user))
    qs = qs.filter(scope_filter(layer, area))
    if bbox is not None:
        qs = qs.filter(**{f"{layer.geometry_field}__intersects": Polygon.from_bbox(bbox)})
    return qs


def etag_for(request: LayerRequest, user, version: tuple, extra: str = "") -> str:
    scope = scope_paths(user)
    raw = json.dumps(
        [request.layer.key, request.area and request.area.pk, request.bbox, request.zoom, scope, version, extra],
        default=str,
    )
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def cell_size(*, zoom: int | None, bbox) -> float:
    """Degrees per cluster cell: about MAP_CLUSTER_CELL_PX screen pixels at `zoom`, else 1/12 of the bbox."""
    if zoom is not None:
        return 360.0 / (256 * 2**zoom) * settings.MAP_CLUSTER_CELL_PX
    if bbox is not None:
        return max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / 12
    return 0.05


def precision() -> int:
    return settings.MAP_GEOJSON_PRECISION


def feature_rows(layer: Layer, qs: QuerySet) -> QuerySet:
    return (
        qs.order_by("pk")
        .values("pk")
        .annotate(
            _label=layer.label_expression(),
            _status=layer.status_expression(),
            _geojson=AsGeoJSON(layer.geometry_field, precision=precision()),
            **layer.extra_values(),
        )
    )


def features_json(layer: Layer, qs: QuerySet) -> str:
    """A FeatureCollection whose geometries are the database's own GeoJSON text (not re-parsed)."""
    template = layer.detail_url_template()
    parts = []
    for row in feature_rows(layer, qs).iterator(chunk_size=2000):
        props = {
            "id": row["pk"],
            "label": layer.row_label(row) or "",
            "status": row["_status"] or "",
            "url": layer.row_url(row, template),
            **layer.extra_properties(row),
        }
        properties = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
        parts.append(f'{{"type":"Feature","id":{row["pk"]},"geometry":{row["_geojson"]},"properties":{properties}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def cluster_rows(layer: Layer, qs: QuerySet, cell: float) -> list[dict]:
    """Per grid cell: the count, the mean position and the layer's fingerprint aggregates, computed
    by the database in one scan (portable: ST_X/ST_Y and FLOOR exist on both backends)."""
    point = F(layer.geometry_field) if layer.geometry_type == "Point" else Centroid(layer.geometry_field)
    x, y = StX(point), StY(point)
    aggregates = {f"_v_{key}": aggregate for key, aggregate in layer.version_aggregates().items() if key != "n"}
    return list(
        qs.order_by()
        .annotate(_cx=Floor(x / cell), _cy=Floor(y / cell))
        .values("_cx", "_cy")
        .annotate(n=Count("pk"), x=Avg(x), y=Avg(y), **aggregates)
        .order_by("_cx", "_cy")
    )


def cluster_summary(layer: Layer, qs: QuerySet, cell: float) -> tuple[list[dict], dict]:
    """The cells and the layer's fingerprint aggregates combined from them (a sum of counts, a max of maxima)."""
    cells = cluster_rows(layer, qs, cell)
    summary = {"n": sum(row["n"] for row in cells)}
    for key in layer.version_aggregates():
        if key != "n":
            values = [row[f"_v_{key}"] for row in cells if row[f"_v_{key}"] is not None]
            summary[key] = max(values) if values else None
    return cells, summary


def clusters_json(cells: list[dict], cell: float, total: int) -> str:
    digits = precision()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(row["x"], digits), round(row["y"], digits)]},
            "properties": {"cluster": True, "count": row["n"]},
        }
        for row in cells
    ]
    return json.dumps(
        {"type": "FeatureCollection", "clustered": True, "total": total, "cell": cell, "features": features},
        separators=(",", ":"),
    )


def should_cluster(layer: Layer, count: int) -> bool:
    return layer.clusterable and count > settings.MAP_CLUSTER_THRESHOLD


# ---------------------------------------------------------------------------------------------------
# Map pages


VILLAGE_LAYER_EXCLUDED = {"counties", "towns"}


def village_for_user(user, pk) -> Area:
    area = area_for_user(user, pk)
    if area.level != Level.VILLAGE:
        raise Http404
    return area


def village_layers() -> list[Layer]:
    return [layer for layer in all_layers() if layer.key not in VILLAGE_LAYER_EXCLUDED]


def basemaps() -> dict:
    """Tile layers from settings (LEAFLET_CONFIG, built from MAP_BASEMAP and TIANDITU_KEY)."""
    config = settings.LEAFLET_CONFIG

    def tiles(entries):
        return [{"name": str(name), "url": url, "options": dict(options)} for name, url, options in entries]

    return {
        "tiles": tiles(config.get("TILES", [])),
        "overlays": tiles(config.get("OVERLAYS", [])),
        "approval": settings.MAP_APPROVAL_NUMBER,
    }


def layer_config(layer: Layer, area: Area | None) -> dict:
    base = reverse("maps:layer_geojson", args=[layer.key])
    return {
        "key": layer.key,
        "title": str(layer.title),
        "url": f"{base}?area={area.pk}" if area else base,
        "popup": reverse("maps:feature_popup", args=[layer.key, 987654321]).replace("987654321", "{id}"),
        "type": layer.geometry_type,
        "visible": layer.visible,
        "clusterable": layer.clusterable,
        "labels": layer.permanent_labels,
        "color": layer.color,
        "styles": [
            {
                "key": style.key,
                "title": str(style.title),
                "property": style.property,
                "items": [item.as_dict() for item in style.items()],
            }
            for style in layer.styles()
        ],
    }


def bounds(area: Area) -> list | None:
    if area.boundary is None:
        return None
    west, south, east, north = (round(v, precision()) for v in area.boundary.extent)
    return [[south, west], [north, east]]


def village_map_config(area: Area) -> dict:
    return {
        "area": area.pk,
        "bounds": bounds(area),
        "layers": [layer_config(layer, area) for layer in village_layers()],
        **basemaps(),
    }


# ---------------------------------------------------------------------------------------------------
# HQ map: one figure for every village in scope.

SORTS = {"name", "-name", "value", "-value", "town"}


def hq_rows(user, figure, *, sort: str = "-value") -> tuple[list[dict], list]:
    from maps.figures import class_breaks, class_of

    villages = villages_for_user(user).select_related("parent")
    values = figure.compute(user, villages)
    missing = Decimal(0) if figure.zero_when_missing else None
    rows = [
        {"area": v, "town": v.parent.name if v.parent else "", "value": values.get(v.pk, missing)} for v in villages
    ]
    breaks = class_breaks([r["value"] for r in rows if r["value"] is not None], places=figure.places)
    for row in rows:
        brk = class_of(row["value"], breaks)
        row["color"] = brk.color if brk else "#cccccc"
    sort = sort if sort in SORTS else "-value"
    key = sort.lstrip("-")
    getter = {"name": lambda r: r["area"].name, "town": lambda r: (r["town"], r["area"].name)}.get(
        key, lambda r: (r["value"] is not None, r["value"] or 0, r["area"].name)
    )
    rows.sort(key=getter, reverse=sort.startswith("-"))
    return rows, breaks


def hq_map_config(user, figure, rows, breaks, mode: str) -> dict:
    biggest = max((r["value"] for r in rows if r["value"] is not None), default=Decimal(0)) or Decimal(1)
    return {
        "figure": figure.key,
        "mode": mode,
        "unit": str(figure.unit),
        "bounds": None,
        "values": {
            str(r["area"].pk): {
                "value": "—" if r["value"] is None else str(r["value"]),
                "color": r["color"],
                # Proportional symbols: the circle's area, not its radius, grows with the value.
                "radius": round(6 + 24 * math.sqrt(float(r["value"] / biggest)), 1) if r["value"] else 0,
                "url": reverse("maps:village_map", args=[r["area"].pk]),
            }
            for r in rows
        },
        "layers": [layer_config(get_layer(key), None) for key in ("counties", "towns", "villages")],
        **basemaps(),
    }


def feature_for_user(user, layer: Layer, pk):
    """One row of the layer, or 404 when the user cannot see it."""
    try:
        return layer.base_queryset().filter(layer.scope(user)).get(pk=pk)
    except (layer.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
