"""Static maps for documents: a village with its groups, project sites (labelled in Chinese),
optionally households, a scale bar, a north arrow and a legend, as PNG or SVG bytes.

No network (no basemap tiles), no pyplot state: a matplotlib `Figure` drawn by the Agg
canvas, so it is safe in a web process and in a django-q2 worker. Text uses the OS CJK font
(fonts-noto-cjk, "Noto Sans CJK SC"); SVG keeps text as text (`svg.fonttype: none`), so a
document or a test can search it.

Callers pass an Area they have already scoped (reports do, through villages.selectors).
"""

import io
import math
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from maps.layers import MONITORING_COLORS, SITE_COLORS, site_output_label
from villages.geo import GEOD
from villages.models import Area

CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The first installed CJK font family; DejaVu Sans (boxes for Chinese) if none is installed."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return "DejaVu Sans"


def _shape(geos):
    from shapely import wkb

    return wkb.loads(bytes(geos.wkb))


def _frame(shapes, **columns):
    import geopandas

    return geopandas.GeoDataFrame(columns, geometry=list(shapes), crs="EPSG:4326")


def _nice_length(max_m: float) -> float:
    """The largest of 1, 2, 5 × 10^n metres not longer than `max_m`."""
    if max_m <= 0:
        return 0
    power = 10 ** math.floor(math.log10(max_m))
    return max(n * power for n in (1, 2, 5) if n * power <= max_m)


def _scale_bar(ax, west, south, east, north):
    lat = south + (north - south) * 0.06
    width_m = GEOD.inv(west, lat, east, lat)[2]
    length_m = _nice_length(width_m / 4)
    if not length_m:
        return
    end_lon, _lat, _back = GEOD.fwd(west + (east - west) * 0.05, lat, 90, length_m)
    start = west + (east - west) * 0.05
    ax.plot([start, end_lon], [lat, lat], color="black", linewidth=3, solid_capstyle="butt")
    text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text((start + end_lon) / 2, lat + (north - south) * 0.015, text, ha="center", va="bottom", fontsize=8)


def _north_arrow(ax):
    ax.annotate(
        _("N"),
        xy=(0.95, 0.95),
        xytext=(0.95, 0.85),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
    )


def render_village(area: Area, *, households: bool = False, fmt: str = "png", size_cm=(16, 12), dpi=150) -> bytes:
    """The village `area` as PNG or SVG bytes (boundary, groups, sites with output labels, households)."""
    from fieldwork.models import Household

    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported format: {fmt}")
    with matplotlib.rc_context({"font.family": cjk_family(), "svg.fonttype": "none", "axes.unicode_minus": False}):
        figure = Figure(figsize=(size_cm[0] / 2.54, size_cm[1] / 2.54), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.02, 0.02, 0.96, 0.9))
        handles = []
        if area.boundary is not None:
            _frame([_shape(area.boundary)]).boundary.plot(ax=ax, color="#b3261e", linewidth=1.8)
            handles.append(Line2D([], [], color="#b3261e", linewidth=1.8, label=_("Village boundary")))
        groups = list(area.children.exclude(boundary__isnull=True).order_by("code"))
        if groups:
            frame = _frame([_shape(g.boundary) for g in groups], name=[g.name for g in groups])
            frame.boundary.plot(ax=ax, color="#ef6c00", linewidth=0.8, linestyle="--")
            for group, shape in zip(groups, frame.geometry, strict=True):
                point = shape.representative_point()
                ax.text(point.x, point.y, group.name, fontsize=7, color="#ef6c00", ha="center", alpha=0.8)
            handles.append(Line2D([], [], color="#ef6c00", linewidth=0.8, linestyle="--", label=_("Group boundary")))
        if households:
            points = list(
                Household.objects.filter(village=area, location__isnull=False).values_list(
                    "location", "monitoring_category"
                )
            )
            if points:
                frame = _frame([_shape(p) for p, _c in points], category=[c for _p, c in points])
                colors = [MONITORING_COLORS.get(c, "#1565c0") for c in frame["category"]]
                frame.plot(ax=ax, color=colors, markersize=6, zorder=3)
                handles.append(
                    Line2D([], [], marker="o", linestyle="", color=MONITORING_COLORS[""], label=_("Household"))
                )
                handles.append(
                    Line2D([], [], marker="o", linestyle="", color=MONITORING_COLORS["unstable"], label=_("Monitored"))
                )
        _draw_sites(ax, area, handles)
        ax.set_aspect(1 / math.cos(math.radians(_centre_lat(area))))
        ax.set_axis_off()
        west, east = ax.get_xlim()
        south, north = ax.get_ylim()
        _scale_bar(ax, west, south, east, north)
        _north_arrow(ax)
        figure.suptitle(area.name, fontsize=13, y=0.97)
        if handles:
            ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()


def _centre_lat(area: Area) -> float:
    if area.boundary is None:
        return 32.0
    return area.boundary.centroid.y


def _draw_sites(ax, area: Area, handles: list) -> None:
    try:
        from projects.models import ProjectSite, SiteKind
    except ImportError:  # projects not installed: a map without sites
        return
    sites = list(ProjectSite.objects.filter(project__village=area).order_by("kind", "pk"))
    if not sites:
        return
    kinds_seen = []
    for site in sites:
        shape = _shape(site.geometry)
        color = SITE_COLORS.get(site.kind, "#455a64")
        frame = _frame([shape])
        if shape.geom_type.endswith("Polygon"):
            frame.plot(ax=ax, color=color, alpha=0.35, edgecolor=color, linewidth=1, zorder=2)
        elif "Line" in shape.geom_type:
            frame.plot(ax=ax, color=color, linewidth=2.2, zorder=2)
        else:
            frame.plot(ax=ax, color=color, markersize=30, marker="^", zorder=4)
        label = site_output_label(
            kind=site.kind, geom_type=shape.geom_type, length_m=site.length_m, area_m2=site.area_m2, count=site.count
        )
        point = shape.representative_point() if not shape.geom_type.endswith("Point") else shape.centroid
        ax.annotate(
            label,
            (point.x, point.y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
        )
        if site.kind not in kinds_seen:
            kinds_seen.append(site.kind)
            handles.append(Patch(color=color, alpha=0.7, label=str(SiteKind(site.kind).label)))
