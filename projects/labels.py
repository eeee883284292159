"""Short labels for sites and quantities, as a map popup or a notice shows them: "管道 3,000 m"."""

from decimal import Decimal

from django.utils.translation import gettext as _

from villages.geo import M2_PER_MU

# Point sites are counted in 座 (dams, reservoirs, buildings); others in 个.
ZUO_KINDS = {"dam", "reservoir", "building"}


def thousands(value: Decimal) -> str:
    value = Decimal(value)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return text


def site_measure(site) -> tuple[Decimal, str]:
    """The natural size of a site: metres for lines, 亩 for polygons, a count for points."""
    geom_type = site.geometry.geom_type if site.geometry is not None else ""
    if "LineString" in geom_type and site.length_m is not None:
        return Decimal(site.length_m).quantize(Decimal("1")), "m"
    if "Polygon" in geom_type and site.area_m2 is not None:
        if site.kind == "building":
            return Decimal(site.area_m2).quantize(Decimal("1")), "m²"
        mu = (Decimal(site.area_m2) / Decimal(str(M2_PER_MU))).quantize(Decimal("0.01"))
        return mu, "亩"
    return Decimal(site.count), "座" if site.kind in ZUO_KINDS else "个"


def site_label(site) -> str:
    value, unit = site_measure(site)
    return f"{_(site.get_kind_display())} {thousands(value)} {unit}"
