"""Helpers shared by the report builders: optional data sources, months of a period, villages below an area."""

import datetime
import importlib
from collections.abc import Callable, Iterator

from django.db.models import QuerySet

from villages.models import Area, Level


def source(module: str, name: str) -> Callable | None:
    """A selector of another app, or None while that app has not built it yet (the section then says so)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def months(start: datetime.date, end: datetime.date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def villages_under(area: Area) -> QuerySet[Area]:
    if area.level == Level.VILLAGE:
        return Area.objects.filter(pk=area.pk)
    return Area.objects.filter(level=Level.VILLAGE, path__startswith=area.path).order_by("path")
