"""OGC API – Features (Part 1: Core, GeoJSON), read-only, for QGIS and GDAL.

The collections are the registered map layers; items are scoped to the user like
every other read. Authentication: the browser session, or HTTP Basic with the same
user name and password (QGIS: Layer ▸ Add WFS / OGC API – Features ▸ New connection,
with a "Basic" authentication configuration; GDAL: `--config GDAL_HTTP_AUTH BASIC
--config GDAL_HTTP_USERPWD user:password`). Basic credentials are checked by Django's
`authenticate` (so django-axes lock-outs apply); use it only over HTTPS.
"""

import base64
import binascii
import json
from functools import wraps

from django.contrib.auth import authenticate
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from maps import selectors
from maps.exports import _plain
from maps.layers import all_layers, get_layer

OGC_LAYERS = ("villages", "groups", "households", "sites", "towns", "counties")
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _json(data, status=200, content_type="application/json"):
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=content_type)


def _error(message, status):
    return JsonResponse(
        {"code": str(status), "description": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _basic_user(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        username, _sep, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = authenticate(request, username=username, password=password)
    return user if user is not None and user.is_active else None


def ogc_auth(view):
    """Session or HTTP Basic; otherwise 401 with a Basic challenge (what QGIS and GDAL expect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            user = _basic_user(request)
            if user is None:
                response = _error(_("Log in with your Zhucun user name and password."), 401)
                response["WWW-Authenticate"] = 'Basic realm="Zhucun", charset="UTF-8"'
                return response
            request.user = user
        return view(request, *args, **kwargs)

    return require_GET(wrapper)


def _abs(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


def _layers():
    return [layer for layer in all_layers() if layer.key in OGC_LAYERS]


@ogc_auth
def landing(request):
    return _json(
        {
            "title": _("Zhucun village maps"),
            "description": _("Village boundaries, households and project sites in your areas."),
            "links": [
                {"href": _abs(request, "maps:ogc_landing"), "rel": "self", "type": "application/json"},
                {"href": _abs(request, "maps:ogc_conformance"), "rel": "conformance", "type": "application/json"},
                {"href": _abs(request, "maps:ogc_collections"), "rel": "data", "type": "application/json"},
            ],
        }
    )


@ogc_auth
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


def _collection(request, layer) -> dict:
    items = _abs(request, "maps:ogc_items", layer.key)
    return {
        "id": layer.key,
        "title": str(layer.title),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": _abs(request, "maps:ogc_collection", layer.key), "rel": "self", "type": "application/json"},
            {"href": items, "rel": "items", "type": "application/geo+json"},
        ],
    }


def _with_extent(request, layer, data: dict) -> dict:
    qs = selectors.layer_queryset(request.user, layer)
    extent = qs.aggregate(e=Extent(layer.geometry_field))["e"]
    if extent:
        data["extent"] = {"spatial": {"bbox": [list(extent)], "crs": CRS84}}
    return data


@ogc_auth
def collections(request):
    layers = _layers()
    return _json(
        {
            "links": [{"href": _abs(request, "maps:ogc_collections"), "rel": "self", "type": "application/json"}],
            "collections": [_collection(request, layer) for layer in layers],
        }
    )


def _layer_or_error(key):
    layer = get_layer(key) if key in OGC_LAYERS else None
    if layer is None:
        return None, _error(_("There is no map layer called “%(key)s”.") % {"key": key[:40]}, 404)
    return layer, None


@ogc_auth
def collection(request, key):
    layer, error = _layer_or_error(key)
    if error:
        return error
    return _json(_with_extent(request, layer, _collection(request, layer)))


def _paging(request) -> tuple[int, int]:
    try:
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
        offset = int(request.GET.get("offset", 0))
    except ValueError as exc:
        raise selectors.BadRequest(_("limit and offset must be whole numbers.")) from exc
    if limit < 1 or offset < 0:
        raise selectors.BadRequest(_("limit must be at least 1 and offset at least 0."))
    return min(limit, MAX_LIMIT), offset


def _features(layer, qs) -> list[dict]:
    columns = layer.export_columns()
    aliased = {f"x_{name}": expression for name, expression in columns.items()}
    rows = qs.values("pk", **aliased, x__geojson=AsGeoJSON(layer.geometry_field, precision=selectors.precision()))
    return [
        {
            "type": "Feature",
            "id": row["pk"],
            "geometry": json.loads(row["x__geojson"]),
            "properties": {name: _plain(row[f"x_{name}"]) for name in columns},
        }
        for row in rows
    ]


@ogc_auth
def items(request, key):
    layer, error = _layer_or_error(key)
    if error:
        return error
    try:
        bbox = selectors.parse_bbox(request.GET.get("bbox"))
        limit, offset = _paging(request)
    except selectors.BadRequest as exc:
        return _error(str(exc), 400)
    qs = selectors.layer_queryset(request.user, layer, bbox=bbox).order_by("pk")
    matched = qs.count()
    features = _features(layer, qs[offset : offset + limit])
    base = _abs(request, "maps:ogc_items", layer.key)
    query = f"&bbox={request.GET['bbox']}" if bbox else ""
    links = [{"href": f"{base}?limit={limit}&offset={offset}{query}", "rel": "self", "type": "application/geo+json"}]
    if offset + limit < matched:
        links.append(
            {
                "href": f"{base}?limit={limit}&offset={offset + limit}{query}",
                "rel": "next",
                "type": "application/geo+json",
            }
        )
    if offset > 0:
        links.append(
            {
                "href": f"{base}?limit={limit}&offset={max(0, offset - limit)}{query}",
                "rel": "prev",
                "type": "application/geo+json",
            }
        )
    return _json(
        {
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": matched,
            "numberReturned": len(features),
            "timeStamp": timezone.now().isoformat(timespec="seconds"),
            "links": links,
        },
        content_type="application/geo+json",
    )


@ogc_auth
def item(request, key, pk):
    layer, error = _layer_or_error(key)
    if error:
        return error
    features = _features(layer, selectors.layer_queryset(request.user, layer).filter(pk=pk))
    if not features:
        return _error(_("This feature does not exist or is outside your areas."), 404)
    feature = features[0]
    feature["links"] = [
        {"href": _abs(request, "maps:ogc_item", layer.key, pk), "rel": "self", "type": "application/geo+json"},
        {"href": _abs(request, "maps:ogc_collection", layer.key), "rel": "collection", "type": "application/json"},
    ]
    return _json(feature, content_type="application/geo+json")
