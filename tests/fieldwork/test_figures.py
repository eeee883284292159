"""Monthly figures on a known data set, the 三个一 dashboard order, the cadre calendar and streak."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fieldwork import selectors, services
from fieldwork.models import Problem
from tests.fieldwork.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.get_fixed_timezone(480))


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def known_month(personas, households, tree):
    """November 2026 in village A: 4 households, visits on 3 days to 3 of them, 2 meetings, check-ins."""
    extra = HouseholdFactory(village=tree.village_a, number="A003")
    HouseholdFactory(village=tree.village_a, number="A004")
    cadre = personas.cadre_a
    with time_machine.travel(NOW, tick=False):
        for day, household in [(2, households.a1), (2, households.a2), (3, households.a1), (20, extra)]:
            services.visit_record(actor=cadre, household=household, visited_at=_at(day))
        # October and another village do not count.
        services.visit_record(actor=cadre, household=households.a1, visited_at=_at(1) - timedelta(days=2))
        services.visit_record(actor=personas.cadre_b, household=households.b1, visited_at=_at(5))
        for day in (2, 16):
            services.meeting_record(actor=cadre, village=tree.village_a, kind="affairs", held_at=_at(day), topics="t")
        for day in (1, 2, 3, 4, 5, 20):
            services.checkin_record(actor=cadre, village=tree.village_a, at=_at(day, 8))
        solved, _ = services.problem_raise(
            actor=cadre, village=tree.village_a, title="水管", raised_on=date(2026, 11, 2)
        )
        services.problem_update(actor=cadre, problem=solved, status="solved", outcome="已修好", on=date(2026, 11, 10))
        services.problem_raise(actor=cadre, village=tree.village_a, title="路灯", raised_on=date(2026, 11, 3))
        old, _ = services.problem_raise(actor=cadre, village=tree.village_a, title="旧", raised_on=date(2026, 10, 3))
        services.problem_hand_over(actor=cadre, problem=old, target="project", note="立项")
        leave = services.leave_request(
            actor=cadre, village=tree.village_a, starts_on=date(2026, 11, 28), ends_on=date(2026, 12, 2), reason="r"
        )
    return leave


def test_it_computes_the_monthly_figures_of_a_known_month(known_month, tree, county_officer):
    with time_machine.travel(NOW, tick=False):
        services.leave_decide(actor=county_officer, leave=known_month, approve=True)
        figures = selectors.monthly_figures(tree.village_a, 2026, 11)
    assert figures["households"] == 4
    assert figures["visits"] == 4
    assert figures["visit_days"] == 3
    assert figures["households_visited"] == 3
    assert figures["visit_rate"] == 75.0
    assert figures["days_present"] == 6
    assert figures["days_required"] == 20
    assert figures["present_ok"] is False
    assert figures["meetings"] == 2 and figures["meeting_weeks"] == 2
    assert (figures["problems_raised"], figures["problems_solved"], figures["problems_open"]) == (2, 1, 1)
    assert figures["problems_handed_over"] == 1  # handed over on 20 November, raised in October
    assert figures["leave_days"] == 3  # 28–30 November of a leave running into December
    assert figures["visit_today"] is True and figures["meeting_this_week"] is True


def test_it_counts_visit_days_and_today_in_local_time(personas, households, tree):
    # 23:30 and 00:30 Beijing time are two days (both fall on one UTC day); a visit at 00:30 on the
    # 1st belongs to this month, one at 23:30 on the last day of last month does not.
    cadre = personas.cadre_a
    with time_machine.travel(_at(11, 9), tick=False):
        for at in (_at(10, 23) + timedelta(minutes=30), _at(11, 0) + timedelta(minutes=30)):
            services.visit_record(actor=cadre, household=households.a1, visited_at=at)
        services.visit_record(actor=cadre, household=households.a2, visited_at=_at(1, 0) + timedelta(minutes=30))
        services.visit_record(actor=cadre, household=households.a2, visited_at=_at(1, 0) - timedelta(minutes=30))
        figures = selectors.monthly_figures(tree.village_a, 2026, 11)
    assert figures["visits"] == 3 and figures["visit_days"] == 3 and figures["households_visited"] == 2
    assert figures["visit_today"] is True


def test_the_figures_for_many_villages_take_a_fixed_number_of_queries(known_month, tree, django_assert_num_queries):
    with django_assert_num_queries(6):
        figures = selectors.figures_for_villages([tree.village_a.pk, tree.village_b.pk, tree.village_d.pk], 2026, 11)
    assert figures[tree.village_b.pk]["visits"] == 1
    assert figures[tree.village_d.pk]["visits"] == 0


def test_the_dashboard_puts_villages_falling_behind_first(known_month, personas, tree, client_as):
    with time_machine.travel(NOW, tick=False):
        rows = selectors.three_ones_rows(personas.township, 2026, 11)
        page = client_as("hq").get(reverse("fieldwork:dashboard"), {"year": 2026, "month": 11}).content.decode()
    assert [r["village"].code for r in rows] == ["B", "A"]
    assert rows[0]["behind"] > rows[1]["behind"]
    table = page[page.index('id="three-ones"') :]
    assert table.index("东河村") < table.index("大连村")


def test_the_dashboard_can_be_sorted_by_a_column(known_month, client_as):
    with time_machine.travel(NOW, tick=False):
        response = client_as("township").get(reverse("fieldwork:dashboard"), {"sort": "visit_rate"})
    codes = [r["village"].code for r in response.context["rows"]]
    assert codes == ["A", "B"]  # A visited 75 % of its households, B 100 %


def test_the_cadre_calendar_shows_visits_check_ins_and_the_streak(known_month, personas, tree):
    with time_machine.travel(NOW, tick=False):
        cal = selectors.cadre_calendar(personas.cadre_a, tree.village_a, 2026, 11)
    days = {c["day"]: c for week in cal["weeks"] for c in week}
    assert days[date(2026, 11, 2)]["visited"] and days[date(2026, 11, 2)]["meeting"]
    assert days[date(2026, 11, 4)]["present"] and not days[date(2026, 11, 4)]["visited"]
    assert days[date(2026, 11, 28)]["future"]
    assert cal["streak"] == 1 and cal["visited_today"] and cal["visit_days"] == 3


def test_the_streak_counts_back_from_yesterday_when_today_has_no_visit_yet():
    today = date(2026, 11, 20)
    days = {today - timedelta(days=n) for n in (1, 2, 3, 5)}
    assert selectors.visit_streak(days, today) == 3
    assert selectors.visit_streak(days | {today}, today) == 4


def test_the_home_page_shows_the_cadre_panel_and_the_township_table(known_month, client_as):
    with time_machine.travel(NOW, tick=False):
        cadre_page = client_as("cadre_a").get("/").content.decode()
        town_page = client_as("township").get("/").content.decode()
    assert 'id="panel-today"' in cadre_page and "连续走访天数" in cadre_page
    assert 'id="panel-three-ones"' in town_page and "东河村" in town_page


def test_problems_from_other_months_do_not_count(known_month, tree):
    Problem.objects.update(closed_on=date(2026, 9, 1))
    assert selectors.monthly_figures(tree.village_a, 2026, 11)["problems_solved"] == 0


def test_the_month_links_carry_a_plain_year(client_as, known_month):
    page = client_as("hq").get(reverse("fieldwork:dashboard"), {"year": 2026, "month": 1}).content.decode()
    assert "year=2025&amp;month=12" in page and "2026-01" in page and "2,026" not in page
