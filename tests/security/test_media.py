"""Private media has no public URL: not even a development server (DEBUG=True) serves MEDIA_ROOT.

Photos and payment documents reach users only through views that check the requester's scope.
"""

import importlib

import pytest
from django.urls import clear_url_caches, reverse

from fieldwork import services as fieldwork_services
from tests.fieldwork.factories import HouseholdFactory, VisitFactory, jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings):
    """The URLconf as a DEBUG=True process builds it at import time."""
    import zhucun.urls

    settings.DEBUG = True
    importlib.reload(zhucun.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(zhucun.urls)
    clear_url_caches()


@pytest.fixture
def photo(tree, personas):
    household = HouseholdFactory(village=tree.village_a, group=tree.group_a1)
    visit = VisitFactory(household=household, visitor=personas.cadre_a)
    photo, _ = fieldwork_services.photo_add(actor=personas.cadre_a, upload=jpeg_upload(), visit=visit)
    return photo


def test_an_uploaded_file_has_no_public_media_url_even_under_debug(debug_urls, photo, client_as, settings):
    assert (settings.MEDIA_ROOT / photo.image.name).is_file()
    path = "/" + settings.MEDIA_URL.lstrip("/") + photo.image.name
    for persona in ("anonymous", "cadre_b", "cadre_a"):
        assert client_as(persona).get(path).status_code == 404, persona


def test_the_checked_view_still_serves_the_photo_in_scope_only(debug_urls, photo, client_as):
    url = reverse("fieldwork:photo_file", args=[photo.pk])
    response = client_as("cadre_a").get(url)
    assert response.status_code == 200 and response.content[:2] == b"\xff\xd8"
    assert client_as("cadre_b").get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code == 302
