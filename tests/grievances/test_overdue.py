from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_q.models import Schedule

from grievances import tasks
from grievances.models import Status
from tests.grievances.factories import make_case, run_to
from villages.models import Event, Notification

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def test_it_marks_cases_overdue_after_the_deadline_and_notifies_handler_and_next_level(personas, tree):
    with at(date(2026, 11, 2)):
        case = make_case(personas.cadre_a, tree.village_a, level="village")  # village: 7 days
        case = run_to(case, personas.cadre_a, "assigned", today=date(2026, 11, 2))
        done = make_case(personas.cadre_a, tree.village_a, level="village")
        run_to(done, personas.cadre_a, "agreement", today=date(2026, 11, 2))
    assert case.deadline == date(2026, 11, 9)
    with at(date(2026, 11, 9)):
        assert tasks.mark_overdue() == 0
    case.refresh_from_db()
    assert not case.overdue
    with at(date(2026, 11, 10)):
        assert tasks.mark_overdue() == 1
        # Running again the same day (or the next) changes nothing and sends nothing new.
        assert tasks.mark_overdue() == 0
    with at(date(2026, 11, 11)):
        assert tasks.mark_overdue() == 0
    case.refresh_from_db()
    done.refresh_from_db()
    assert case.overdue and case.overdue_since == date(2026, 11, 10)
    assert not done.overdue  # agreement reached: the handling deadline no longer runs
    assert Event.objects.filter(kind="grievances.case.overdue", object_id=str(case.pk)).count() == 1
    overdue = Notification.objects.filter(kind="grievances.case.overdue")
    assert sorted(overdue.values_list("recipient__username", flat=True)) == ["cadre_a", "township"]
    assert "超过办结期限" in overdue.first().message


def test_it_notifies_the_village_when_a_grid_case_has_no_handler(personas, tree, group_head):
    with at(date(2026, 11, 2)):
        case = make_case(group_head, tree.village_a, group=tree.group_a1, level="grid")
    with at(date(2026, 11, 20)):
        tasks.mark_overdue()
    recipients = set(
        Notification.objects.filter(kind="grievances.case.overdue").values_list("recipient__username", flat=True)
    )
    # Handlers at the group (the group head) and the next level up (the village's cadre).
    assert recipients == {"group_head_a1", "cadre_a"}
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.overdue


def test_it_clears_overdue_when_escalated_with_a_fresh_deadline(personas, tree):
    from grievances import services

    with at(date(2026, 11, 2)):
        case = make_case(personas.cadre_a, tree.village_a)
        case = run_to(case, personas.cadre_a, "mediating", today=date(2026, 11, 2))
    with at(date(2026, 11, 12)):
        tasks.mark_overdue()
        case.refresh_from_db()
        assert case.overdue
        services.case_fail(actor=personas.cadre_a, case=case, reason="调解不成")
        services.case_escalate(actor=personas.cadre_a, case=case, reason="上报镇")
    case.refresh_from_db()
    assert not case.overdue and case.deadline == date(2026, 12, 2)


def test_it_declares_the_daily_schedule_in_code():
    schedule = Schedule.objects.get(name="grievances.mark_overdue")
    assert schedule.func == "grievances.tasks.mark_overdue" and schedule.schedule_type == Schedule.DAILY


def test_it_shows_overdue_cases_on_the_township_home_page(personas, tree, client_as):
    with at(date(2026, 11, 2)):
        case = make_case(personas.cadre_a, tree.village_a, title="茶园地界纠纷")
    with at(date(2026, 11, 20)):
        tasks.mark_overdue()
    for persona in ("township", "hq"):
        page = client_as(persona).get("/").content.decode()
        assert "超期纠纷案件" in page and "茶园地界纠纷" in page
    assert "茶园地界纠纷" not in client_as("cadre_b").get("/").content.decode()
    assert case.pk


def test_it_sends_email_too_when_switched_on_but_only_once(personas, tree, settings, mailoutbox):
    settings.GRIEVANCE_NOTIFY_CHANNELS = ["inapp", "email"]
    personas.township.email = "town@example.org"
    personas.township.save(update_fields=["email"])
    with at(date(2026, 11, 2)):
        make_case(personas.cadre_a, tree.village_a)
    with at(date(2026, 11, 20)):
        tasks.mark_overdue()
        tasks.mark_overdue()
    assert [m.to for m in mailoutbox] == [["town@example.org"]]
