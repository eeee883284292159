"""Figures the HQ map can show per village, and their class breaks.

A figure is one aggregate query over the villages in scope, returning Decimal
values (money stays Decimal; counts are whole Decimals). Class breaks are
computed by Fisher-Jenks on floats, then returned as Decimals rounded to the
figure's places, so the legend never shows float noise.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

# Sequential reds (ColorBrewer), from light to dark; k classes take the first k of the k-ramp.
RAMPS = {
    1: ["#de2d26"],
    2: ["#fcae91", "#de2d26"],
    3: ["#fee5d9", "#fb6a4a", "#a50f15"],
    4: ["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"],
    5: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
}


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    unit: str
    # (user, villages in scope) -> {village pk: value}; the user lets us reuse other apps' scoped selectors.
    compute: Callable[[object, QuerySet], dict[int, Decimal]]
    places: int = 0
    # Counts and sums are 0 for a village with nothing; a share of targets is "no data" instead.
    zero_when_missing: bool = True


def _households(user, villages: QuerySet) -> dict[int, Decimal]:
    from fieldwork.models import Household

    rows = Household.objects.filter(village__in=villages).values("village").annotate(n=Count("pk")).order_by()
    return {row["village"]: Decimal(row["n"]) for row in rows}


def _monitored(user, villages: QuerySet) -> dict[int, Decimal]:
    from fieldwork.models import Household

    rows = (
        Household.objects.filter(village__in=villages)
        .values("village")
        .annotate(n=Count("pk", filter=~Q(monitoring_category="")))
        .order_by()
    )
    return {row["village"]: Decimal(row["n"]) for row in rows}


def _spend(attribute: str):
    """Budget or paid per village, from the projects app's own roll-up (Decimal yuan)."""

    def compute(user, villages: QuerySet) -> dict[int, Decimal]:
        from projects.selectors import spend_figures

        rows = spend_figures(user, "village", villages=villages)
        return {pk: getattr(figures, attribute) for pk, figures in rows.items()}

    return compute


def _targets_met(user, villages: QuerySet) -> dict[int, Decimal]:
    """Share (%) of output targets met, by the projects app's latest actuals; villages with no target: none."""
    from projects.selectors import outputs_against_targets

    met, judged = {}, {}
    for row in outputs_against_targets(user, villages=villages):
        if row.met is None:
            continue
        village = row.indicator.project.village_id
        judged[village] = judged.get(village, 0) + 1
        met[village] = met.get(village, 0) + int(row.met)
    return {
        village: (Decimal(100) * met.get(village, 0) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for village, count in judged.items()
    }


def _open_disputes(user, villages: QuerySet) -> dict[int, Decimal]:
    from grievances.models import OPEN_STATUSES, Case

    rows = (
        Case.objects.filter(village__in=villages, status__in=list(OPEN_STATUSES))
        .values("village")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["village"]: Decimal(row["n"]) for row in rows}


def _visits_this_month(user, villages: QuerySet) -> dict[int, Decimal]:
    from django.utils import timezone

    from fieldwork.models import Visit

    today = timezone.localdate()
    rows = (
        Visit.objects.filter(village__in=villages, visited_at__date__gte=today.replace(day=1))
        .values("village")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["village"]: Decimal(row["n"]) for row in rows}


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in [
        Figure("monitored", _("Households under monitoring"), _("households"), _monitored),
        Figure("households", _("Households"), _("households"), _households),
        Figure("budget", _("Grant budget"), _("yuan"), _spend("budget"), places=2),
        Figure("paid", _("Paid"), _("yuan"), _spend("paid"), places=2),
        Figure("targets", _("Share of output targets met"), "%", _targets_met, places=1, zero_when_missing=False),
        Figure("visits", _("Visits this month"), _("visits"), _visits_this_month),
        Figure("disputes", _("Open disputes"), _("cases"), _open_disputes),
    ]
}


def get_figure(key: str | None) -> Figure:
    return FIGURES.get(key or "", next(iter(FIGURES.values())))


@dataclass(frozen=True)
class ClassBreak:
    lower: Decimal
    upper: Decimal
    color: str


def fisher_jenks(values: list[float], k: int) -> list[float]:
    """Optimal k-class breaks (Fisher-Jenks: the least within-class sum of squares), as the classes'
    upper bounds. Dynamic programming over the sorted values with prefix sums, vectorised with numpy
    per class end: O(k·n²) arithmetic in C, about 0.1 s for 2,000 villages, where mapclassify's
    pure-Python version (without numba) took 3.6 s."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    s1 = np.concatenate(([0.0], np.cumsum(x)))
    s2 = np.concatenate(([0.0], np.cumsum(x * x)))
    ends = np.arange(n)
    best = s2[ends + 1] - s1[ends + 1] ** 2 / (ends + 1)  # one class over x[0..j]
    starts_of_last = []
    for classes in range(2, k + 1):
        current = np.full(n, np.inf)
        start = np.zeros(n, dtype=int)
        for j in range(classes - 1, n):
            i = np.arange(classes - 1, j + 1)  # where the last class starts
            count = j - i + 1
            total = s1[j + 1] - s1[i]
            cost = best[i - 1] + (s2[j + 1] - s2[i]) - total * total / count
            pick = int(np.argmin(cost))
            current[j], start[j] = cost[pick], i[pick]
        best = current
        starts_of_last.append(start)
    uppers, end = [], n - 1
    for start in reversed(starts_of_last):
        uppers.append(float(x[end]))
        end = int(start[end]) - 1
    uppers.append(float(x[end]))
    return sorted(uppers)


def class_breaks(values: list[Decimal], *, places: int = 0, k: int = 5) -> list[ClassBreak]:
    """Fisher-Jenks breaks (optimal, deterministic) for a handful to a few thousand villages."""
    if not values:
        return []
    quantum = Decimal(1).scaleb(-places)
    distinct = sorted(set(values))
    k = min(k, len(distinct))
    if k <= 2:
        # One or two distinct values: each is its own class (Fisher-Jenks needs more).
        uppers = distinct
    else:
        bins = fisher_jenks([float(v) for v in values], k)
        uppers = [Decimal(str(b)).quantize(quantum, rounding=ROUND_HALF_UP) for b in bins]
        uppers[-1] = max(values)
    ramp = RAMPS[len(uppers)]
    breaks, lower = [], min(values)
    for upper, color in zip(uppers, ramp, strict=True):
        breaks.append(ClassBreak(lower.quantize(quantum), upper.quantize(quantum), color))
        lower = upper
    return breaks


def class_of(value: Decimal | None, breaks: list[ClassBreak]) -> ClassBreak | None:
    if value is None:
        return None
    for brk in breaks:
        if value <= brk.upper:
            return brk
    return breaks[-1] if breaks else None
