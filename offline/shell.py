"""The app shell the service worker keeps on the phone: which URLs, and the cache version."""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

SW_SOURCE = "js/offline/sw.js"

# Static files fetched on the first visit and kept (cache-first) afterwards.
STATIC_SHELL = (
    "css/zhucun.css",
    "css/offline.css",
    "js/zhucun.js",
    "django_htmx/htmx-2.min.js",
    "js/offline/queue.js",
    "js/offline/sync.js",
    "js/offline/header.js",
    "js/offline/photos.js",
    "js/offline/capture.js",
    "js/offline/queue_page.js",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
    "icons/zhucun-192.png",
    "icons/zhucun-512.png",
)

CAPTURE_KINDS = ("visit", "problem", "meeting", "checkin", "dispute", "household_edit")


def static_urls() -> list[str]:
    return [static(path) for path in STATIC_SHELL]


def page_urls() -> list[str]:
    """Pages warmed into the cache after log-in (network-first afterwards)."""
    pages = [reverse("home"), reverse("offline:queue")]
    pages += [reverse("offline:capture", args=[kind]) for kind in CAPTURE_KINDS]
    return pages


def _digest() -> str:
    sha = hashlib.sha256()
    for path in (SW_SOURCE, *STATIC_SHELL):
        found = finders.find(path)
        sha.update(path.encode())
        if found:
            with open(found, "rb") as fh:
                sha.update(fh.read())
    return sha.hexdigest()[:12]


@lru_cache(maxsize=1)
def _cached_digest() -> str:
    return _digest()


def version() -> str:
    """Changes whenever the worker or a shell file changes, so phones drop the old caches."""
    return _digest() if settings.DEBUG else _cached_digest()


def worker_source() -> str:
    found = finders.find(SW_SOURCE)
    with open(found, encoding="utf-8") as fh:
        return fh.read()
