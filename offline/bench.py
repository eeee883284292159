"""Figures for bench/: what the phone downloads for the shell, and the size of a village package.

    from offline.bench import shell_sizes, package_size
    shell_sizes(user)                 # {"first_load_bytes": …, "repeat_load_bytes": …, "files": {...}}
    package_size(user, village)       # {"bytes": …, "gzip_bytes": …, "households": …, "generation_ms": …}

`manage.py offline_sizes --user cadre --village 610924105201` prints both.
First load = the page's HTML + every shell file the worker fetches at install + sw.js + the manifest.
Repeat load = what still crosses the network once the worker is installed: the page's HTML
(network-first) and sw.js (the browser re-checks it, no-cache); static files come from the cache.
"""

import gzip
import json

from django.contrib.staticfiles import finders
from django.test import Client

from offline import shell
from offline.selectors import village_package


def _get(client: Client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content


def shell_sizes(user, page: str = "/offline/") -> dict:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    files = {}
    for path in shell.STATIC_SHELL:
        found = finders.find(path)
        with open(found, "rb") as fh:
            files[path] = len(fh.read())
    html = len(_get(client, page))
    worker = len(_get(client, "/sw.js"))
    manifest = len(_get(client, "/offline/manifest.webmanifest"))
    static_total = sum(files.values())
    return {
        "page": page,
        "html_bytes": html,
        "static_bytes": static_total,
        "sw_bytes": worker,
        "manifest_bytes": manifest,
        "first_load_bytes": html + static_total + worker + manifest,
        "repeat_load_bytes": html + worker,
        "files": files,
    }


def package_size(user, village) -> dict:
    package = village_package(user, village)
    households = len(json.loads(package.body)["households"])
    return {
        "village": village.name,
        "households": households,
        "bytes": package.size,
        "gzip_bytes": len(gzip.compress(package.body)),
        "generation_ms": package.generation_ms,
    }
