"""The registry of map layers: adding a layer to every map, export and the OGC API is one class.

A layer names a model, its geometry field, the field that places a row in the
area tree (for scoping), and SQL expressions for the three minimal properties
(label, status) besides the id and the detail URL. Everything else (GeoJSON in
SQL, bbox, clustering, validators for ETag, exports, OGC collections) is
generic and lives in `maps.selectors`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from villages.masking import mask_name
from villages.models import FIELD_ROLES, Area, Level
from villages.selectors import roles_for, scope_q


@dataclass(frozen=True)
class LegendItem:
    """One legend row: features whose property equals `value` (or is at most `upto`) get `color`."""

    value: str | None
    label: str
    color: str
    upto: float | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "label": str(self.label), "color": self.color, "upto": self.upto}


@dataclass(frozen=True)
class Style:
    """A way to colour a layer (by monitoring category, by days since the last visit, ...)."""

    key: str
    title: str
    property: str
    items: Callable[[], list[LegendItem]]


class Layer:
    """One map layer. Subclasses set the class attributes and override what differs."""

    key: str = ""
    title = ""
    geometry_field: str = ""
    # Path to the row's Area for scoping ("" when the model is Area itself).
    area_field: str = "area"
    # "Point", "LineString", "Polygon", "MultiPolygon" or "Geometry" (mixed).
    geometry_type: str = "Geometry"
    # Point layers are clustered on the server when a request would return too many features.
    clusterable: bool = False
    visible: bool = True
    order: int = 100
    updated_field: str | None = None
    model_label: str = ""
    color: str = "#1565c0"
    # Labels drawn on the map (project outputs), not only in popups.
    permanent_labels: bool = False

    # -- the model and its rows -------------------------------------------------------------------
    @property
    def model(self):
        return apps.get_model(self.model_label)

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.filter(**{f"{self.geometry_field}__isnull": False})

    def label_expression(self) -> Expression:
        return Cast("pk", output_field=CharField())

    def status_expression(self) -> Expression:
        return Value("")

    def extra_values(self) -> dict[str, Expression]:
        """More columns fetched with each row, for labels built in Python (`row_label`)."""
        return {}

    def row_label(self, row: dict) -> str:
        return row["_label"]

    def row_url(self, row: dict, template: str) -> str:
        return template.format(pk=row["pk"]) if template else ""

    def extra_properties(self, row: dict) -> dict:
        """Properties beyond id, label, status and url that a style needs (e.g. days since a visit)."""
        return {}

    def styles(self) -> list[Style]:
        """Colourings the user can choose; the first is the default. None: one colour (`color`)."""
        return []

    def scope(self, user) -> Q:
        """Rows the user may see (the one scoping helper, on this layer's area field)."""
        return scope_q(user, area_field=self.area_field)

    # -- links ----------------------------------------------------------------------------------------
    detail_url_name: str = ""

    def detail_url_template(self) -> str:
        """The detail URL with `{pk}` in place of the id (reversed once, not per row)."""
        if not self.detail_url_name:
            return ""
        try:
            return reverse(self.detail_url_name, args=[987654321]).replace("987654321", "{pk}")
        except NoReverseMatch:
            return ""

    # -- validators for ETag / Last-Modified --------------------------------------------------------------
    def version_aggregates(self) -> dict:
        """The fingerprint's aggregates: `n` is a Count, every other one a Max (so that per-cluster
        values combine into the layer's: a sum of counts, a max of maxima)."""
        aggregates = {"n": Count("pk"), "top": Max("pk")}
        if self.updated_field:
            aggregates["updated"] = Max(self.updated_field)
        return aggregates

    def version_from(self, row: dict) -> tuple[tuple, object]:
        """The fingerprint (count, highest id, newest change) and the last-modified time, from the aggregates."""
        return (row["n"], row["top"], row.get("updated")), row.get("updated")

    def version(self, qs: QuerySet) -> tuple[tuple, object]:
        """A cheap fingerprint of the rows and the last-modified time: one aggregate query."""
        return self.version_from(qs.order_by().aggregate(**self.version_aggregates()))

    # -- popups and exports ------------------------------------------------------------------------
    def popup(self, obj, user) -> dict:
        return {"title": str(obj), "rows": [], "url": self.detail_url_template().format(pk=obj.pk)}

    def export_columns(self) -> dict[str, Expression]:
        """Attributes a GIS user expects, never personal data (names, phones, ID numbers)."""
        return {"label": self.label_expression(), "status": self.status_expression()}


_REGISTRY: dict[str, Layer] = {}


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: `@register class MyLayer(Layer): ...` puts it on every map."""
    layer = cls()
    _REGISTRY[layer.key] = layer
    return cls


def get_layer(key: str) -> Layer | None:
    layer = _REGISTRY.get(key)
    if layer is None:
        return None
    try:
        layer.model  # noqa: B018  (a layer whose app is not installed is not offered)
    except LookupError:
        return None
    return layer


def all_layers() -> list[Layer]:
    return sorted((lay for key in _REGISTRY if (lay := get_layer(key))), key=lambda lay: lay.order)


# ---------------------------------------------------------------------------------------------------
# Area boundaries, one layer per level.


class AreaLayer(Layer):
    model_label = "villages.Area"
    geometry_field = "boundary"
    area_field = ""
    geometry_type = "MultiPolygon"
    level: str = ""
    detail_url_name = "villages:area_detail"

    def base_queryset(self) -> QuerySet:
        return Area.objects.filter(level=self.level, boundary__isnull=False)

    def label_expression(self) -> Expression:
        return F("name")

    def status_expression(self) -> Expression:
        return F("level")

    def version(self, qs: QuerySet) -> tuple[tuple, object]:
        # Areas have no "updated" column; the history table records every save and delete
        # (the boundary is excluded from history, but a boundary change still writes a row).
        history = Area.history.model.objects.filter(level=self.level)
        row = history.filter(path__in=qs.order_by().values("path")).aggregate(n=Count("pk"), top=Max("history_date"))
        own = qs.order_by().aggregate(n=Count("pk"), size=Coalesce(Max("area_m2"), Value(0.0)))
        return (own["n"], own["size"], row["n"], row["top"]), row["top"]

    def export_columns(self) -> dict[str, Expression]:
        # km², not m²: a city's area in m² overflows a Shapefile's numeric field.
        size = ExpressionWrapper(F("area_m2") / Value(1_000_000.0), output_field=FloatField())
        return {"code": F("code"), "name": F("name"), "level": F("level"), "area_km2": size}

    def popup(self, obj, user) -> dict:
        from villages.geo import m2_to_km2, m2_to_mu

        rows = [(_("Code"), obj.code)]
        if obj.area_m2:
            rows.append((_("Area"), f"{m2_to_km2(obj.area_m2)} km² · {m2_to_mu(obj.area_m2)} 亩"))
        url = reverse("maps:village_map", args=[obj.pk]) if obj.level == Level.VILLAGE else ""
        return {
            "title": obj.name,
            "rows": rows,
            "url": url or reverse("villages:area_detail", args=[obj.pk]),
        }


@register
class CountyLayer(AreaLayer):
    key = "counties"
    title = _("County boundaries")
    color = "#5d4037"
    level = Level.COUNTY
    order = 10
    visible = False


@register
class TownLayer(AreaLayer):
    key = "towns"
    title = _("Town boundaries")
    color = "#6d4c41"
    level = Level.TOWN
    order = 11
    visible = False


@register
class VillageLayer(AreaLayer):
    key = "villages"
    title = _("Village boundaries")
    color = "#b3261e"
    level = Level.VILLAGE
    order = 12
    detail_url_name = "maps:village_map"


@register
class GroupLayer(AreaLayer):
    key = "groups"
    title = _("Group boundaries")
    color = "#ef6c00"
    level = Level.GROUP
    order = 13


# ---------------------------------------------------------------------------------------------------
# Households


MONITORING_COLORS = {"unstable": "#c62828", "marginal": "#ef6c00", "sudden": "#6a1b9a", "": "#2e7d32"}


@register
class HouseholdLayer(Layer):
    key = "households"
    title = _("Households")
    model_label = "fieldwork.Household"
    geometry_field = "location"
    area_field = "village"
    geometry_type = "Point"
    clusterable = True
    updated_field = "updated"
    order = 30
    detail_url_name = "fieldwork:household_detail"

    def label_expression(self) -> Expression:
        return F("number")

    def status_expression(self) -> Expression:
        return F("monitoring_category")

    def styles(self) -> list[Style]:
        return [
            Style("category", _("By monitoring category"), "status", _monitoring_legend),
            Style("visit", _("By days since the last visit"), "days", _visit_age_legend),
        ]

    def extra_values(self) -> dict[str, Expression]:
        # The newest visit of each household, as a correlated subquery in the same query (a join
        # with MAX would make the database group by every selected column, GeoJSON included).
        from fieldwork.models import Visit

        newest = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
        return {"_last_visit": Subquery(newest)}

    def extra_properties(self, row: dict) -> dict:
        last = row.get("_last_visit")
        return {"days": (timezone.now() - last).days if last else None}

    def version_from(self, row: dict) -> tuple[tuple, object]:
        # A new visit recolours a household: the newest visit is part of the fingerprint, and so is
        # today's date (days since the last visit grow without any write). The newest visit of the
        # whole city, not of the rows: one index look-up, where a join with the visits scanned
        # millions of rows for a city-wide view; a visit elsewhere only costs a needless refresh.
        from fieldwork.models import Visit

        newest_visit = Visit.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (row["n"], row["top"], row["updated"], newest_visit, timezone.localdate()), row["updated"]

    def popup(self, obj, user) -> dict:
        field_user = bool(roles_for(user, obj.village) & FIELD_ROLES) or user.is_superuser
        rows = [
            (_("Household number"), obj.number),
            (_("Village"), obj.village.name),
        ]
        if obj.group_id:
            rows.append((_("Group"), obj.group.name))
        rows.append((_("Monitoring"), obj.monitoring_label))
        name = obj.head_name if field_user else mask_name(obj.head_name)
        return {"title": name, "rows": rows, "url": self.detail_url_template().format(pk=obj.pk)}

    def export_columns(self) -> dict[str, Expression]:
        return {
            "number": F("number"),
            "village": F("village__name"),
            "vill_code": F("village__code"),
            "group": Coalesce(F("group__name"), Value("")),
            "monitoring": F("monitoring_category"),
            "lifted": F("lifted_out_of_poverty"),
            "updated": F("updated"),
        }


VISIT_AGE = [(30, "#2e7d32"), (90, "#f9a825"), (180, "#ef6c00")]
RECENT_VISIT_DAYS = 30  # the visits layer shows the last month


def _visit_age_legend() -> list[LegendItem]:
    items = [
        LegendItem(None, _("Visited within %(days)s days") % {"days": days}, color, upto=days)
        for days, color in VISIT_AGE
    ]
    return [*items, LegendItem("", _("Longer ago, or never"), "#c62828")]


def _monitoring_legend() -> list[LegendItem]:
    items = [
        LegendItem(code, label, MONITORING_COLORS.get(code, "#1565c0"))
        for code, label in settings.MONITORING_CATEGORIES
    ]
    return [*items, LegendItem("", _("Not monitored"), MONITORING_COLORS[""])]


def scope_filter(layer: Layer, area: Area | None) -> Q:
    """Rows of `layer` lying in `area` (and below it)."""
    if area is None:
        return Q()
    lookup = "path__startswith" if layer.area_field == "" else f"{layer.area_field}__path__startswith"
    return Q(**{lookup: area.path})


def url_or_blank(template: str, pk) -> str:
    return template.format(pk=pk) if template else ""


# ---------------------------------------------------------------------------------------------------
# Project sites (points, lines, polygons), labelled with their outputs: "管道 3,000 m", "茶园 120 亩".

SITE_COLORS = {
    "dam": "#0277bd",
    "pipe": "#0288d1",
    "reservoir": "#01579b",
    "tea_garden": "#2e7d32",
    "field": "#9e9d24",
    "building": "#6d4c41",
    "road": "#616161",
    "other": "#455a64",
}
_GEOJSON_TYPE = re.compile(r'"type"\s*:\s*"(\w+)"')


@register
class ProjectSiteLayer(Layer):
    key = "sites"
    title = _("Project sites")
    model_label = "projects.ProjectSite"
    geometry_field = "geometry"
    area_field = "project__village"
    geometry_type = "Geometry"
    permanent_labels = True
    order = 50
    color = "#0277bd"
    detail_url_name = "projects:project_detail"

    def label_expression(self) -> Expression:
        return F("name")

    def status_expression(self) -> Expression:
        return F("kind")

    def extra_values(self) -> dict[str, Expression]:
        return {
            "_kind": F("kind"),
            "_length": F("length_m"),
            "_area": F("area_m2"),
            "_count": F("count"),
            "_project": F("project_id"),
        }

    def row_label(self, row: dict) -> str:
        match = _GEOJSON_TYPE.search(row["_geojson"] or "")
        return site_output_label(
            kind=row["_kind"],
            geom_type=match.group(1) if match else "",
            length_m=row["_length"],
            area_m2=row["_area"],
            count=row["_count"],
        )

    def styles(self) -> list[Style]:
        return [Style("kind", _("By kind of works"), "status", _site_legend)]

    def row_url(self, row: dict, template: str) -> str:
        # Sites have no page of their own: the link goes to their project.
        return template.format(pk=row["_project"]) if template else ""

    def popup(self, obj, user) -> dict:
        rows = [(_("Project"), obj.project.name), (_("Output"), obj.label)]
        try:
            url = reverse("projects:project_detail", args=[obj.project_id])
        except NoReverseMatch:
            url = ""
        return {"title": obj.name, "rows": rows, "url": url}

    def export_columns(self) -> dict[str, Expression]:
        return {
            "name": F("name"),
            "kind": F("kind"),
            "project": F("project__name"),
            "proj_code": F("project__code"),
            "village": F("project__village__name"),
            "length_m": F("length_m"),
            "area_m2": F("area_m2"),
            "count": F("count"),
        }


def site_output_label(*, kind: str, geom_type: str, length_m, area_m2, count) -> str:
    """The projects app's own label ("管道 3,000 m"), from column values instead of a model instance."""
    from projects.labels import site_label
    from projects.models import SiteKind

    site = SimpleNamespace(
        kind=kind,
        geometry=SimpleNamespace(geom_type=geom_type),
        length_m=length_m,
        area_m2=area_m2,
        count=count or 1,
        get_kind_display=lambda: SiteKind(kind).label if kind in SiteKind.values else kind,
    )
    return site_label(site)


def _site_legend() -> list[LegendItem]:
    from projects.models import SiteKind

    return [LegendItem(code, label, SITE_COLORS.get(code, "#455a64")) for code, label in SiteKind.choices]


# ---------------------------------------------------------------------------------------------------
# Disputes by status: open, overdue, closed.

DISPUTE_COLORS = {"overdue": "#c62828", "open": "#ef6c00", "closed": "#607d8b"}


@register
class DisputeLayer(Layer):
    key = "disputes"
    title = _("Disputes")
    model_label = "grievances.Case"
    geometry_field = "location"
    area_field = "village"
    geometry_type = "Point"
    clusterable = True
    updated_field = "updated"
    order = 40
    color = "#ef6c00"
    detail_url_name = "grievances:case_detail"

    def scope(self, user) -> Q:
        # As the grievances app scopes cases: by village, or by group for a group head (中心户长).
        return scope_q(user, area_field="village") | scope_q(user, area_field="group")

    def label_expression(self) -> Expression:
        return F("number")

    def status_expression(self) -> Expression:
        from grievances.models import OPEN_STATUSES

        return Case(
            When(overdue=True, status__in=list(OPEN_STATUSES), then=Value("overdue")),
            When(status__in=list(OPEN_STATUSES), then=Value("open")),
            default=Value("closed"),
            output_field=CharField(),
        )

    def styles(self) -> list[Style]:
        return [Style("status", _("By status"), "status", _dispute_legend)]

    def popup(self, obj, user) -> dict:
        rows = [
            (_("Case number"), obj.number),
            (_("Status"), obj.get_status_display()),
            (_("Deadline"), formats.date_format(obj.deadline)),
        ]
        if obj.overdue:
            rows.append((_("Overdue"), _("yes")))
        return {"title": obj.masked_title, "rows": rows, "url": self.detail_url_template().format(pk=obj.pk)}

    def export_columns(self) -> dict[str, Expression]:
        # The summary and parties stay out: a file leaves the system's access control.
        return {
            "number": F("number"),
            "village": F("village__name"),
            "category": F("category"),
            "status": F("status"),
            "state": self.status_expression(),
            "received": F("received_on"),
            "deadline": F("deadline"),
        }


def _dispute_legend() -> list[LegendItem]:
    return [
        LegendItem("overdue", _("Overdue"), DISPUTE_COLORS["overdue"]),
        LegendItem("open", _("In progress"), DISPUTE_COLORS["open"]),
        LegendItem("closed", _("Closed"), DISPUTE_COLORS["closed"]),
    ]


# ---------------------------------------------------------------------------------------------------
# Recent visits (where the phone was), newest first.


@register
class VisitLayer(Layer):
    key = "visits"
    title = _("Recent visits")
    model_label = "fieldwork.Visit"
    geometry_field = "location"
    area_field = "village"
    geometry_type = "Point"
    clusterable = True
    visible = False
    order = 35
    color = "#00838f"
    detail_url_name = "fieldwork:visit_detail"

    def base_queryset(self) -> QuerySet:
        since = timezone.now() - timezone.timedelta(days=RECENT_VISIT_DAYS)
        return super().base_queryset().filter(visited_at__gte=since)

    def label_expression(self) -> Expression:
        return F("household__number")

    def status_expression(self) -> Expression:
        return F("purpose")

    updated_field = "created"  # visits are not edited on the map; a new one is what changes the layer

    def popup(self, obj, user) -> dict:
        rows = [
            (_("Household number"), obj.household.number),
            (_("Date"), formats.date_format(timezone.localtime(obj.visited_at))),
            (_("Purpose"), obj.get_purpose_display()),
        ]
        if obj.gps_poor:
            rows.append((_("GPS"), _("poor accuracy")))
        return {"title": str(obj.household.number), "rows": rows, "url": self.detail_url_template().format(pk=obj.pk)}

    def export_columns(self) -> dict[str, Expression]:
        return {
            "household": F("household__number"),
            "village": F("village__name"),
            "visited": F("visited_at"),
            "purpose": F("purpose"),
            "accuracy": F("accuracy_m"),
        }
