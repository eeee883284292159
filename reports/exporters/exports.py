"""Bulk exports: every visit of an area and period, streamed to CSV or Excel with bounded memory.

The rows are a generator over a server-side iterator (`.iterator(chunk_size=…)`), and the CSV
and Excel renderers write each row as it comes (openpyxl write-only mode), so one million
visits never sit in memory at once.
"""

import datetime
from collections.abc import Iterator

from django.db import connections, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import DATE, PERSONAL_DATA_DENIED, Column, Exporter, Params, ReportData, Section, Table, register
from reports.exporters.common import source
from villages.masking import mask_name
from villages.selectors import filter_in_scope

CHUNK = 5000


def _aware(day: datetime.date, *, next_day: bool = False) -> datetime.datetime:
    day = day + datetime.timedelta(days=1) if next_day else day
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day))


@register
class VisitExport(Exporter):
    identifier = "visit_export"
    verbose_name = gettext_lazy("Visit export")
    description = gettext_lazy("Every household visit of the area and period, for Excel or CSV (large areas stream).")
    formats = ("csv", "xlsx")
    denied_roles = PERSONAL_DATA_DENIED

    def build(self, params: Params) -> ReportData:
        report = ReportData(
            title=_("Household visits in %(area)s") % {"area": params.area.name},
            issuer=self.issuer(params.area),
            area=params.area,
            start=params.start,
            end=params.end,
        )
        visits_for_user = source("fieldwork.selectors", "visits_for_user")
        if visits_for_user is None:
            report.sections.append(
                Section(_("Overview of the period"), [_("Household records are not available yet.")])
            )
            return report
        # The scope of visits_for_user without its photo count: that annotation groups a million rows
        # (a GROUP BY costing more than the whole export), and the export does not show it.
        visits = (
            filter_in_scope(visits_for_user(params.user).model.objects.all(), params.user, area_field="village")
            .filter(
                village__path__startswith=params.area.path,
                visited_at__gte=_aware(params.start),
                visited_at__lt=_aware(params.end, next_day=True),
            )
            .order_by("visited_at", "pk")
        )
        table = Table(
            _("Visit records"),
            [
                Column("date", _("Date"), DATE),
                Column("village", _("Village")),
                Column("household", _("Household number")),
                Column("head", _("Head of household (masked)")),
                Column("visitor", _("Visitor")),
                Column("purpose", _("Purpose")),
            ],
            self._rows(visits),
        )
        report.sections.append(Section(_("Visit records"), tables=[table]))
        return report

    def _rows(self, visits) -> Iterator[list]:
        """One visit a row, read CHUNK rows at a time from a streaming cursor; the day is taken in SQL (local time)."""
        fields = ("village__name", "household__number", "household__head_name", "visitor__username", "purpose")
        purposes = {value: str(label) for value, label in visits.model._meta.get_field("purpose").choices}
        rows = visits.values_list(TruncDate("visited_at"), *fields)
        with transaction.atomic(using=visits.db):
            _stream_settings(visits.db)
            for n, (day, village, number, head, visitor, purpose) in enumerate(rows.iterator(chunk_size=CHUNK)):
                if n % CHUNK == 0:
                    self.progress(60 + min(30, n // 20000))
                yield [day, village, number, mask_name(head), visitor, purposes.get(purpose, purpose)]


def _stream_settings(alias: str) -> None:
    """PostgreSQL: plan the export's one big query for all its rows, not the first tenth (what a cursor is planned
    for by default: index and nested-loop plans, several times slower here), and without JIT compilation (seconds
    of compiling for one sequential pass). Inside a transaction the cursor needs no WITH HOLD, so rows stream
    as they are produced instead of being materialised on the server first. Both settings end with the transaction.
    """
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL jit = off")
