"""Bulk exports: every visit of an area and period, streamed to CSV or Excel with bounded memory.

The rows are a generator over a server-side iterator (`.iterator(chunk_size=…)`), and the CSV
and Excel renderers write each row as it comes (openpyxl write-only mode), so one million
visits never sit in memory at once.
"""

import contextlib
import datetime
from collections.abc import Iterator

from django.db import DatabaseError, connections
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import DATE, PERSONAL_DATA_DENIED, Column, Exporter, Params, ReportData, Section, Table, register
from reports.exporters.common import source
from reports.renderers import escape_formula
from villages.masking import MASK, mask_name
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
            csv_copy=lambda handle: _copy_csv(visits, handle),
        )
        report.sections.append(Section(_("Visit records"), tables=[table]))
        return report

    def _rows(self, visits) -> Iterator[list]:
        """One visit a row, read CHUNK rows at a time from a streaming cursor; the day is taken in SQL (local time)."""
        fields = ("village__name", "household__number", "household__head_name", "visitor__username", "purpose")
        purposes = {value: str(label) for value, label in visits.model._meta.get_field("purpose").choices}
        rows = visits.values_list(TruncDate("visited_at"), *fields)
        # No transaction around the read: the progress written to the run in between must commit as it goes.
        with _planned_for_every_row(visits.db):
            for n, (day, village, number, head, visitor, purpose) in enumerate(rows.iterator(chunk_size=CHUNK)):
                if n % CHUNK == 0:
                    self.progress(60 + min(30, n // 20000))
                yield [day, village, number, mask_name(head), visitor, purposes.get(purpose, purpose)]


@contextlib.contextmanager
def _planned_for_every_row(alias: str):
    """PostgreSQL, for this connection until the export ends: plan the export's one big query for all its rows,
    not the first tenth (what a cursor is planned for by default: index and nested-loop plans, several times
    slower here), and without JIT compilation (seconds of compiling for one sequential pass)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        # Never hide the export's own error behind one from here (e.g. a transaction already aborted).
        if connection.connection is not None and not connection.needs_rollback:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction")
                cursor.execute("RESET jit")


# ---- CSV by PostgreSQL's COPY: the same cells as `_rows` and the CSV renderer, formatted by the database.

FORMULA_START = "('=', '+', '-', '@', chr(9), chr(13))"


def _text(expression) -> Func:
    """csv_value of a text cell: '' as an empty cell (COPY would quote it), formula-like text behind an apostrophe."""
    return Func(
        expression,
        template=(
            f"NULLIF(CASE WHEN left(%(expressions)s, 1) IN {FORMULA_START} "
            "THEN chr(39) || %(expressions)s ELSE %(expressions)s END, '')"
        ),
        output_field=CharField(),
    )


def _masked(expression) -> Func:
    """villages.masking.mask_name in SQL: the first character, then one * per further character (at least one)."""
    return Func(
        expression,
        template=(
            f"CASE WHEN %(expressions)s = '' THEN '' ELSE left(%(expressions)s, 1) "
            f"|| repeat('{MASK}', greatest(char_length(%(expressions)s) - 1, 1)) END"
        ),
        output_field=CharField(),
    )


def _copy_csv(visits, handle) -> bool:
    """Write the rows with `COPY (SELECT …) TO STDOUT CSV`: on PostgreSQL the database formats a million rows
    faster than Python can (the export then costs about what COPY costs). False elsewhere: the renderer writes
    the rows itself. Line ends are CRLF, as Python's csv module writes them."""
    connection = connections[visits.db]
    if connection.vendor != "postgresql":
        return False
    field = visits.model._meta.get_field("purpose")
    # Labels escaped here, not in SQL: a template naming its expression twice would repeat its parameters.
    labels = [When(purpose=value, then=Value(escape_formula(str(label)))) for value, label in field.choices]
    purpose = Case(*labels, default=F("purpose"), output_field=CharField())
    day = Func(TruncDate("visited_at"), Value("YYYY-MM-DD"), function="to_char", output_field=CharField())
    rows = visits.values_list(
        day,
        _text(F("village__name")),
        _text(F("household__number")),
        _text(_masked(F("household__head_name"))),
        _text(F("visitor__username")),
        Func(purpose, Value(""), function="NULLIF", output_field=CharField()),
    )
    sql, params = rows.query.sql_with_params()
    handle.flush()
    with _planned_for_every_row(visits.db), connection.cursor() as cursor:
        query = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params)
        with cursor.cursor.copy(query) as copy:
            for chunk in copy:
                handle.buffer.write(bytes(chunk).replace(b"\n", b"\r\n"))
    return True
