"""Bulk exports: every visit of an area and period, streamed to CSV or Excel with bounded memory.

The rows are a generator over a server-side iterator (`.iterator(chunk_size=…)`), and the CSV
and Excel renderers write each row as it comes (openpyxl write-only mode), so one million
visits never sit in memory at once.
"""

import datetime
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import DATE, PERSONAL_DATA_DENIED, Column, Exporter, Params, ReportData, Section, Table, register
from reports.exporters.common import source
from villages.masking import mask_name

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
        visits = (
            visits_for_user(params.user)
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
        fields = ("visited_at", "village__name", "household__number", "household__head_name", "visitor__username")
        purposes = dict(visits.model._meta.get_field("purpose").choices)
        rows = visits.values_list(*fields, "purpose").iterator(chunk_size=CHUNK)
        for n, (at, village, number, head, visitor, purpose) in enumerate(rows):
            if n % CHUNK == 0:
                self.progress(60 + min(30, n // 20000))
            yield [
                timezone.localtime(at).date(),
                village,
                number,
                mask_name(head),
                visitor,
                purposes.get(purpose, purpose),
            ]
