"""Template filters for figures as Chinese offices write them: yuan, 万元, 亩, km²."""

from decimal import Decimal, InvalidOperation

from django import template

from villages.geo import m2_to_km2, m2_to_mu
from villages.money import format_wanyuan, format_yuan

register = template.Library()


@register.filter
def yuan(value):
    """Decimal('1234.5') → '¥1,234.50'."""
    try:
        return format_yuan(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def wanyuan(value):
    """Decimal('200000') → '20.00万元'."""
    try:
        return format_wanyuan(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def qty(value):
    """A quantity as people write it: Decimal('3000.00') → '3,000', Decimal('140.810') → '140.81'."""
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number:,f}"


@register.filter
def mu(area_m2):
    return "" if area_m2 in (None, "") else f"{m2_to_mu(float(area_m2)):,}"


@register.filter
def km2(area_m2):
    return "" if area_m2 in (None, "") else f"{m2_to_km2(float(area_m2)):,}"


@register.filter
def minutes(delta) -> int:
    """timedelta → whole minutes (for "locked for 15 minutes")."""
    return int(delta.total_seconds() // 60) if delta else 0
