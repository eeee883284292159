"""Money is Decimal yuan with two places, end to end; this is the one rounding helper."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WAN = Decimal("10000")


def money(value) -> Decimal:
    """Round to fen (two places), half up, as Chinese accounting does."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value: Decimal) -> str:
    return f"¥{money(value):,}"


def format_wanyuan(value: Decimal) -> str:
    return f"{money(Decimal(value) / WAN):,}万元"
