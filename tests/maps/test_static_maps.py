import io

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from PIL import Image

from maps.static_maps import cjk_family, render_village
from tests.maps.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(tree):
    return [
        SiteFactory(
            village=tree.village_a, kind="pipe", geometry=LineString((108.51, 32.41), (108.51, 32.437), srid=4326)
        ),
        SiteFactory(
            village=tree.village_a, kind="tea_garden", geometry=Polygon.from_bbox((108.52, 32.42, 108.523, 32.423))
        ),
        SiteFactory(village=tree.village_a, kind="reservoir", geometry=Point(108.53, 32.43, srid=4326)),
    ]


def test_it_finds_the_os_cjk_font():
    assert cjk_family() == "Noto Sans CJK SC"


def test_it_renders_an_svg_with_chinese_labels_as_text(tree, sites, households):
    svg = render_village(tree.village_a, households=True, fmt="svg").decode()
    assert svg.startswith("<?xml")
    assert "大连村" in svg  # the title
    assert "一组" in svg and "二组" in svg  # group names
    assert "2,994 m" in svg and "140.81 亩" in svg and "1 座" in svg  # site outputs
    assert "Noto Sans CJK SC" in svg
    assert "km" in svg or " m<" in svg or "00 m" in svg  # the scale bar


def test_it_renders_a_png_without_network(tree, sites):
    png = render_village(tree.village_a, fmt="png", size_cm=(10, 8), dpi=100)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (393, 314)
    # Not a blank page: the boundary and the sites put colour on it.
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000)) > 20


def test_it_renders_a_village_with_nothing_on_it(tree):
    assert render_village(tree.village_d, fmt="svg").decode().count("庙坝村") >= 1


def test_it_refuses_an_unknown_format(tree):
    with pytest.raises(ValueError):
        render_village(tree.village_a, fmt="pdf")
