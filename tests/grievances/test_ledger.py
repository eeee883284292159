import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from grievances import selectors, services
from grievances.exports import cell
from tests.grievances.factories import make_case, run_to

pytestmark = pytest.mark.django_db


def at(day):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def known(personas, tree):
    """Five cases in village A in 2026 and one in village B."""
    actor = personas.cadre_a
    with at(date(2026, 3, 1)):
        fast = make_case(actor, tree.village_a, category="water", received_on=date(2026, 3, 1))
    with at(date(2026, 3, 5)):
        run_to(fast, actor, "performing", today=date(2026, 3, 5))  # resolved on 3-5, deadline 3-8: on time
    with at(date(2026, 3, 10)):
        services.return_visit_record(
            actor=actor, case=fast, visited_on=date(2026, 3, 10), carried_out=True, satisfaction=4
        )
        services.case_close(actor=actor, case=fast, closed_on=date(2026, 3, 11))
    with at(date(2026, 4, 1)):
        slow = make_case(actor, tree.village_a, category="land", received_on=date(2026, 4, 1))
    with at(date(2026, 4, 20)):
        run_to(slow, actor, "performing", today=date(2026, 4, 20))  # resolved 4-20, deadline 4-8: late
        services.return_visit_record(
            actor=actor, case=slow, visited_on=date(2026, 4, 20), carried_out=True, satisfaction=2
        )
        services.case_close(actor=actor, case=slow, closed_on=date(2026, 4, 21))
    with at(date(2026, 5, 1)):
        escalated = make_case(actor, tree.village_a, category="land", received_on=date(2026, 5, 1))
        run_to(escalated, actor, "mediating", today=date(2026, 5, 1))
        services.case_fail(actor=actor, case=escalated, reason="不成")
        services.case_escalate(actor=actor, case=escalated, reason="上报")
        referred = make_case(actor, tree.village_a, category="debt", received_on=date(2026, 5, 1))
        run_to(referred, actor, "mediating", today=date(2026, 5, 1))
        services.case_fail(actor=actor, case=referred, reason="不成")
        services.case_refer(actor=actor, case=referred, referred_to="法院", reason="起诉")
        make_case(actor, tree.village_a, category="water", received_on=date(2026, 5, 1), title='=HYPERLINK("x")')
        make_case(personas.cadre_b, tree.village_b, category="water", received_on=date(2026, 5, 1))
    return tree


def test_it_computes_the_ledger_figures_on_a_known_data_set(personas, known):
    figures = selectors.ledger_figures(personas.cadre_a, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert figures["received"] == 5
    assert figures["closed"] == 2
    assert figures["resolved"] == 3  # two agreements and one referral
    assert figures["on_time"] == 2 and figures["on_time_rate"] == Decimal("66.7")
    assert figures["escalated"] == 1 and figures["referred"] == 1
    assert figures["average_days_to_close"] == Decimal("15.0")  # (10 + 20) / 2
    assert figures["satisfaction"] == Decimal("3.00")
    land = selectors.ledger_figures(personas.cadre_a, start=date(2026, 1, 1), end=date(2026, 12, 31), category="land")
    assert land["received"] == 2
    township = selectors.ledger_figures(personas.township, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert township["received"] == 6
    march = selectors.ledger(personas.cadre_a, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert march.count() == 1


def test_it_counts_disputes_resolved_per_village_and_month(known):
    assert selectors.disputes_resolved(known.village_a, 2026, 3) == 1
    assert selectors.disputes_resolved(known.village_a, 2026, 4) == 1
    assert selectors.disputes_resolved(known.village_a, 2026, 5) == 0


def test_it_exports_the_ledger_to_excel_without_formulas(client_as, known):
    response = client_as("cadre_a").get("/disputes/ledger.xlsx?start=2026-01-01&end=2026-12-31")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 6
    titles = [row[5] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in titles
    figures = dict(book.worksheets[1].iter_rows(values_only=True))
    assert figures["受理"] == "5" and figures["按期办结率（%）"] == "66.7"


def test_it_shows_the_ledger_page_with_filters(client_as, known):
    page = client_as("cadre_a").get("/disputes/ledger/?start=2026-01-01&end=2026-12-31&category=land").content.decode()
    assert "纠纷台账" in page and page.count("/disputes/") > 2
    bad = client_as("cadre_a").get("/disputes/ledger/?start=2026-12-31&end=2026-01-01&level=alien")
    assert bad.status_code == 200 and "筛选条件无效" in bad.content.decode()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_it_escapes_formula_cells(value):
    assert cell(value).startswith("'")
