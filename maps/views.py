from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from maps import imports, selectors
from maps.exports import FORMATS, export_layer
from maps.figures import FIGURES, get_figure
from maps.forms import OFFSET_CHOICES, ImportConfirmForm, ImportUploadForm
from maps.layers import get_layer
from villages.selectors import area_for_user, audience, breadcrumbs, is_read_only, villages_for_user


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _layer_or_404(key: str):
    layer = get_layer(key)
    if layer is None:
        raise Http404(_("There is no map layer called “%(key)s”.") % {"key": key[:40]})
    return layer


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return etag in [tag.strip().removeprefix("W/") for tag in header.split(",")]


@login_required
@require_GET
def layer_geojson(request, key):
    layer = get_layer(key)
    if layer is None:
        return json_error(_("There is no map layer called “%(key)s”.") % {"key": key[:40]}, 404)
    try:
        req = selectors.LayerRequest(
            layer,
            selectors.parse_area(request.user, request.GET.get("area")),
            selectors.parse_bbox(request.GET.get("bbox")),
            selectors.parse_zoom(request.GET.get("zoom")),
        )
    except selectors.BadRequest as exc:
        return json_error(str(exc), 400)
    except Http404:
        return json_error(_("This area does not exist or is outside your areas."), 404)
    qs = selectors.layer_queryset(request.user, layer, area=req.area, bbox=req.bbox)
    if layer.clusterable:
        cell = selectors.cell_size(zoom=req.zoom, bbox=req.bbox)
        cells, summary = selectors.cluster_summary(layer, qs, cell)
        version, last_modified = layer.version_from(summary)
    else:
        version, last_modified = layer.version(qs)
    clustered = selectors.should_cluster(layer, version[0])
    etag = selectors.etag_for(req, request.user, version, extra=str(clustered))
    if _etag_matches(request, etag):
        response = HttpResponseNotModified()
    elif clustered:
        response = HttpResponse(selectors.clusters_json(cells, cell, version[0]), content_type="application/geo+json")
    else:
        response = HttpResponse(selectors.features_json(layer, qs), content_type="application/geo+json")
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Scoped data: never in a shared cache, always revalidated (cheaply, thanks to the ETag).
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def feature_popup(request, key, pk):
    layer = _layer_or_404(key)
    obj = selectors.feature_for_user(request.user, layer, pk)
    return render(request, "maps/_popup.html", {"popup": layer.popup(obj, request.user), "layer": layer})


@login_required
@require_GET
def village_map(request, pk):
    area = selectors.village_for_user(request.user, pk)
    context = {
        "area": area,
        "config": selectors.village_map_config(area),
        "panel_layers": selectors.village_layers(),
        "crumbs": breadcrumbs(area),
        "can_import": not is_read_only(request.user),
    }
    return render(request, "maps/village_map.html", context)


@login_required
@require_GET
def map_index(request):
    """Field cadres with one village go straight to its map; everyone else gets the HQ map."""
    villages = list(villages_for_user(request.user)[:2])
    if audience(request.user) == "field" and len(villages) == 1:
        return redirect("maps:village_map", villages[0].pk)
    return redirect("maps:hq_map")


@login_required
@require_GET
def hq_map(request):
    figure = get_figure(request.GET.get("figure"))
    mode = "symbols" if request.GET.get("mode") == "symbols" else "choropleth"
    sort = request.GET.get("sort", "-value")
    rows, breaks = selectors.hq_rows(request.user, figure, sort=sort)
    context = {
        "figure": figure,
        "figures": FIGURES.values(),
        "mode": mode,
        "sort": sort,
        "rows": rows,
        "breaks": breaks,
        "config": selectors.hq_map_config(request.user, figure, rows, breaks, mode),
    }
    return render(request, "maps/hq_map.html", context)


@login_required
@require_GET
def export_index(request, pk):
    area = selectors.village_for_user(request.user, pk)
    context = {"area": area, "layers": selectors.village_layers(), "formats": FORMATS.values()}
    return render(request, "maps/export_index.html", context)


@login_required
@require_GET
def layer_export(request, key, fmt):
    layer = get_layer(key)
    if layer is None:
        return json_error(_("There is no map layer called “%(key)s”.") % {"key": key[:40]}, 404)
    if fmt not in FORMATS:
        return json_error(_("Unknown file format “%(fmt)s”.") % {"fmt": fmt[:20]}, 404)
    try:
        area = selectors.parse_area(request.user, request.GET.get("area"))
        filename, content_type, data = export_layer(request.user, layer, area, FORMATS[fmt])
    except selectors.BadRequest as exc:
        return json_error(str(exc), 400)
    except Http404:
        return json_error(_("This area does not exist or is outside your areas."), 404)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------------
# GIS import of project sites


def _import_village(request, pk):
    """The village, in scope (404) and writable (403 for auditors and funders)."""
    village = selectors.village_for_user(request.user, pk)
    area_for_user(request.user, pk, write=True)
    return village


@login_required
def import_upload(request, pk):
    village = _import_village(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = imports.store_upload(form.cleaned_data["file"], user=request.user, village=village)
        except selectors.BadRequest as exc:
            form.add_error("file", str(exc))
        else:
            url = reverse("maps:import_preview", args=[village.pk, token])
            return redirect(f"{url}?offset={form.cleaned_data['offset']}")
    return render(
        request, "maps/import_upload.html", {"area": village, "form": form}, status=400 if form.errors else 200
    )


@login_required
def import_preview(request, pk, token):
    from projects.models import SiteKind
    from projects.selectors import projects_for_user

    village = _import_village(request, pk)
    try:
        path, meta = imports.load_upload(token, user=request.user, village=village)
    except LookupError as exc:
        raise Http404 from exc
    offset = request.POST.get("offset") or request.GET.get("offset") or "wgs84"
    try:
        preview = imports.read_preview(path, offset=offset)
    except selectors.BadRequest as exc:
        imports.discard_upload(token)
        context = {"area": village, "form": ImportUploadForm(initial={"offset": "wgs84"}), "refused": str(exc)}
        return render(request, "maps/import_upload.html", context, status=400)
    projects = projects_for_user(request.user, villages=[village])
    form = ImportConfirmForm(
        request.POST or None, initial={"offset": offset}, projects=projects, kinds=SiteKind.choices
    )
    if request.method == "POST" and form.is_valid():
        try:
            sites = imports.import_sites(
                actor=request.user,
                project=form.cleaned_data["project"],
                preview=preview,
                kind=form.cleaned_data["kind"] or None,
            )
        except selectors.BadRequest as exc:
            form.add_error(None, str(exc))
        else:
            imports.discard_upload(token)
            messages.success(request, _("%(n)s sites imported.") % {"n": len(sites)})
            return redirect("maps:village_map", village.pk)
    config = {**selectors.village_map_config(village), "preview": preview.geojson()}
    context = {
        "area": village,
        "preview": preview,
        "meta": meta,
        "form": form,
        "offset": offset,
        "offsets": OFFSET_CHOICES,
        "config": config,
    }
    return render(request, "maps/import_preview.html", context, status=400 if form.errors else 200)
