"""The visit form stays light on a phone: HTML + CSS + JS under 100 KB before compression (Leaflet excluded)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db
LIMIT = 100 * 1024


def test_the_visit_form_weighs_under_100_kb_uncompressed(client_as, households):
    html = client_as("cadre_a").get(reverse("fieldwork:visit_create")).content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert b"css/fieldwork.css" in assets and b"js/fieldwork_visit.js" in assets
    total = len(html)
    for asset in assets:
        assert b"leaflet" not in asset  # the form needs no map library
        with open(finders.find(asset.decode()), "rb") as handle:
            total += len(handle.read())
    assert total < LIMIT, f"{total} bytes"


def test_the_visit_form_has_no_inline_script(client_as, households):
    html = client_as("cadre_a").get(reverse("fieldwork:visit_create")).content.decode()
    # json_script data blocks are not code; every other script must come from a file.
    assert re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', html) is None
    assert re.search(r"\son[a-z]+=", html) is None
