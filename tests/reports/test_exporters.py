"""Every registered report builds and renders in every format, with data or without (an honest empty report)."""

import datetime

import pytest

from reports.base import Params, exporters
from reports.renderers import render

pytestmark = pytest.mark.django_db
IDENTIFIERS = sorted(e.identifier for e in exporters())


def test_the_issue_reports_are_all_registered():
    assert set(IDENTIFIERS) >= {
        "funding",
        "funding_public",
        "monthly_work",
        "dispute_ledger",
        "monitoring_list",
        "asset_register",
        "compliance_self_check",
        "annual_assessment",
    }


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_it_builds_an_honest_empty_report_in_every_format(identifier, personas, tree, tmp_path):
    exporter = next(e for e in exporters() if e.identifier == identifier)
    for area in (tree.village_d, tree.city):
        if area.level not in exporter.levels:
            continue
        params = Params(area=area, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), user=personas.hq)
        report = exporter().build(params)
        assert report.title and report.sections
        for fmt in exporter.formats:
            if fmt == "pdf" and area == tree.city:
                continue  # one PDF per report is enough here: WeasyPrint is slow
            path = tmp_path / f"{identifier}.{fmt}"
            render(exporter().build(params), fmt, path)
            assert path.stat().st_size > 0


def test_the_monthly_report_shows_what_fieldwork_returns(personas, tree, tmp_path):
    figures_for_villages = pytest.importorskip("fieldwork.selectors").figures_for_villages
    from fieldwork.models import Household
    from reports.exporters.monthly import MonthlyWorkReport

    for number in range(4):
        Household.objects.create(village=tree.village_a, number=f"A-{number}", head_name=f"户主{number}")
    expected = figures_for_villages([tree.village_a.pk], 2026, 10)[tree.village_a.pk]
    params = Params(
        area=tree.village_a, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), user=personas.cadre_a
    )
    report = MonthlyWorkReport().build(params)
    stats = {s.label: s.value for s in report.sections[0].stats}
    assert stats["全村户数"] == expected["households"] == 4
    assert stats["入户走访次数"] == expected["visits"]
    assert stats["住村天数"] == expected["days_present"]
    render(report, "xlsx", tmp_path / "m.xlsx")
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["分月情况"]
    row = list(sheet.iter_rows(values_only=True))[1]
    assert row[0] == "2026年10月" and row[1] == expected["days_present"] and row[3] == expected["visits"]


def test_the_visit_export_streams_rows_with_masked_names(personas, tree, tmp_path):
    pytest.importorskip("fieldwork.selectors")
    import types

    from django.utils import timezone

    from fieldwork.models import Household, Visit
    from reports.exporters.exports import VisitExport

    household = Household.objects.create(village=tree.village_a, number="A-9", head_name="张三丰")
    other = Household.objects.create(village=tree.village_b, number="B-1", head_name="李四")
    at = timezone.make_aware(datetime.datetime(2026, 10, 5, 9, 30))
    for _n in range(3):
        Visit.objects.create(household=household, village=tree.village_a, visitor=personas.cadre_a, visited_at=at)
    Visit.objects.create(household=other, village=tree.village_b, visitor=personas.cadre_b, visited_at=at)
    params = Params(
        area=tree.village_a, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), user=personas.cadre_a
    )
    report = VisitExport().build(params)
    assert isinstance(report.sections[0].tables[0].rows, types.GeneratorType)  # streamed, never a list
    render(report, "csv", tmp_path / "v.csv")
    lines = (tmp_path / "v.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        lines.count("2026-10-05,大连村,A-9,张**,cadre_a,常规走访") == 3
        or len([x for x in lines if x.startswith("2026-10-05,大连村,A-9,张**")]) == 3
    )
    assert "张三丰" not in "".join(lines) and "B-1" not in "".join(lines)
    report = VisitExport().build(params)
    render(report, "xlsx", tmp_path / "v.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "v.xlsx", read_only=True)
    rows = list(book["走访记录"].iter_rows(values_only=True))
    book.close()
    assert len(rows) == 4 and rows[1][2] == "A-9"
