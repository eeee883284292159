import gzip
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from offline import selectors, shell
from offline.forms import CAPTURE
from villages.models import Area


@require_GET
def service_worker(request):
    """The worker from the site root, so its scope is the whole site; never cached by the browser."""
    source = shell.worker_source()
    source = source.replace("__CACHE_VERSION__", shell.version())
    source = source.replace("__STATIC_SHELL__", json.dumps(shell.static_urls()))
    source = source.replace("__PAGE_SHELL__", json.dumps(shell.page_urls()))
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Zhucun village work"),
        "short_name": _("Zhucun"),
        "lang": "zh-Hans",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("icons/zhucun-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/zhucun-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
def queue(request):
    """The phone's queue and the village packages; both live in IndexedDB, drawn by queue_page.js."""
    villages = selectors.villages_for_package(request.user)
    return render(request, "offline/queue.html", {"villages": villages, "kinds": _capture_links()})


def _capture_links():
    return [(kind, title) for kind, (_form, title, _photos) in CAPTURE.items()]


@login_required
def capture(request, kind):
    if kind not in CAPTURE:
        raise Http404
    form_class, title, photos = CAPTURE[kind]
    villages = selectors.villages_for_package(request.user)
    form = form_class(villages=villages, auto_id=f"id_{kind}_%s")
    return render(
        request,
        "offline/capture.html",
        {"form": form, "kind": kind, "title": title, "photos": photos, "villages": villages},
    )


@login_required
@require_GET
def package(request, village_pk):
    """ "Take my village offline": one JSON document; ETag so an unchanged village costs a 304."""
    try:
        village = selectors.villages_for_package(request.user).get(pk=village_pk)
    except Area.DoesNotExist:  # out of scope or not there: the same answer
        return JsonResponse({"message": _("Not found, or outside your villages.")}, status=404)
    pkg = selectors.village_package(request.user, village)
    if pkg.etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(pkg.body, content_type="application/json; charset=utf-8")
        # The JSON compresses ~13× (names and keys repeat): worth it on a weak signal.
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response.content = gzip.compress(pkg.body)
            response["Content-Encoding"] = "gzip"
        response["X-Transfer-Bytes"] = str(len(response.content))
    response["Vary"] = "Accept-Encoding, Cookie"
    response["ETag"] = pkg.etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Package-Bytes"] = str(pkg.size)
    response["X-Generation-Ms"] = str(pkg.generation_ms)
    return response
