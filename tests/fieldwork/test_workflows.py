"""Problems (update, solve, hand over), meetings, check-ins, leave approval, diary and monitoring steps."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.models import CheckIn, DiaryEntry, Meeting, Problem
from villages.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(personas, tree):
    problem, _ = services.problem_raise(actor=personas.cadre_a, village=tree.village_a, title="水管破裂")
    return problem


def test_solving_a_problem_needs_an_outcome(client_as, problem):
    url = reverse("fieldwork:problem_detail", args=[problem.pk])
    response = client_as("cadre_a").post(url, {"status": "solved", "outcome": ""})
    assert response.status_code == 200 and "办理结果" in response.content.decode()
    client_as("cadre_a").post(url, {"status": "solved", "outcome": "已更换水管"})
    problem.refresh_from_db()
    assert problem.status == "solved" and problem.closed_on == timezone.localdate()


def test_a_problem_is_handed_over_by_the_service_other_apps_call(personas, problem):
    services.problem_hand_over(actor=personas.cadre_a, problem=problem, target="case", note="转为纠纷案件")
    problem.refresh_from_db()
    assert (problem.status, problem.handed_over_to) == ("handed_over", "case")
    assert Event.objects.filter(kind="fieldwork.problem.handed_over").exists()
    with pytest.raises(ValidationError):
        services.problem_update(actor=personas.cadre_a, problem=problem, status="in_progress")
    with pytest.raises(ValidationError):
        services.problem_hand_over(actor=personas.cadre_a, problem=problem, target="nowhere", note="")


def test_a_solved_problem_cannot_be_handed_over(personas, problem):
    services.problem_update(actor=personas.cadre_a, problem=problem, status="solved", outcome="好了")
    with pytest.raises(ValidationError):
        services.problem_hand_over(actor=personas.cadre_a, problem=problem, target="project", note="")


def test_the_web_form_cannot_set_handed_over(client_as, problem):
    client_as("cadre_a").post(reverse("fieldwork:problem_detail", args=[problem.pk]), {"status": "handed_over"})
    problem.refresh_from_db()
    assert problem.status == "open"


def test_a_meeting_records_attendees_follow_ups_and_problems(client_as, households, tree):
    response = client_as("cadre_a").post(
        reverse("fieldwork:meeting_create"),
        {
            "village": tree.village_a.pk,
            "kind": "affairs",
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "topics": "抗旱保苗",
            "attendees": "谢志军\nA001\n",
            "follow_ups": "修拦水坝 | 谢志军 | 2030-05-01\n",
            "problems": "三组蓄水池渗漏\n",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert {str(a) for a in meeting.attendance.all()} == {"谢志军", str(households.a1)}
    assert meeting.follow_ups.get().due_on == date(2030, 5, 1)
    assert Problem.objects.get().meeting == meeting
    assert "陈德明" in client_as("township").get(response["Location"]).content.decode()


def test_a_meeting_form_with_a_bad_follow_up_date_saves_nothing(client_as, tree):
    response = client_as("cadre_a").post(
        reverse("fieldwork:meeting_create"),
        {
            "village": tree.village_a.pk,
            "kind": "affairs",
            "held_at": "2026-01-05T19:00",
            "topics": "t",
            "follow_ups": "事项 | 人 | 明天",
        },
    )
    assert response.status_code == 200 and Meeting.objects.count() == 0


def test_check_in_once_a_day_with_position_flags(client_as, personas, tree):
    client = client_as("cadre_a")
    client.post(reverse("fieldwork:checkin_create"), {"lon": "108.9", "lat": "32.9", "accuracy": "10"})
    client.post(reverse("fieldwork:checkin_create"), {"lon": "108.51", "lat": "32.41"})
    checkin = CheckIn.objects.get()
    assert checkin.outside_village and checkin.day == timezone.localdate()
    bad = client.post(reverse("fieldwork:checkin_create"), {"lon": "x", "lat": "1"}, follow=True)
    assert "定位数据不是数字" in bad.content.decode()


def test_short_leave_is_approved_by_the_township_and_longer_leave_by_the_county(personas, tree, county_officer):
    today = timezone.localdate()
    short = services.leave_request(
        actor=personas.cadre_a,
        village=tree.village_a,
        starts_on=today,
        ends_on=today + timedelta(days=2),
        reason="培训",
    )
    long = services.leave_request(
        actor=personas.cadre_a,
        village=tree.village_a,
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=13),
        reason="探亲",
    )
    assert long.needs_county and not short.needs_county
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=personas.township, leave=long, approve=True)
    services.leave_decide(actor=personas.township, leave=short, approve=True)
    services.leave_decide(actor=county_officer, leave=long, approve=False, note="农忙")
    short.refresh_from_db()
    long.refresh_from_db()
    assert (short.status, long.status) == ("approved", "rejected")
    with pytest.raises(ValidationError):
        services.leave_request(
            actor=personas.cadre_a,
            village=tree.village_a,
            starts_on=today + timedelta(days=1),
            ends_on=today + timedelta(days=1),
            reason="重叠",
        )


def test_nobody_approves_their_own_leave(personas, tree, django_user_model):
    leave = services.leave_request(
        actor=personas.township,
        village=tree.village_a,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="r",
    )
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=personas.township, leave=leave, approve=True)


def test_the_diary_refuses_future_days(client_as, tree):
    client = client_as("cadre_a")
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.post(reverse("fieldwork:diary_create"), {"village": tree.village_a.pk, "day": tomorrow, "text": "x"})
    client.post(
        reverse("fieldwork:diary_create"),
        {"village": tree.village_a.pk, "day": timezone.localdate(), "text": "今天走访了邓大叔"},
    )
    assert list(DiaryEntry.objects.values_list("text", flat=True)) == ["今天走访了邓大叔"]
    assert (
        client_as("cadre_b")
        .post(
            reverse("fieldwork:diary_create"), {"village": tree.village_a.pk, "day": timezone.localdate(), "text": "x"}
        )
        .status_code
        == 200
    )
    assert DiaryEntry.objects.count() == 1


def test_the_monitoring_procedure_follows_its_steps_and_flags_delay(personas, households, county_officer):
    cadre = personas.cadre_a
    start = date(2026, 11, 1)
    record = services.monitoring_start(
        actor=cadre, household=households.a1, category="marginal", reason="因病", started_on=start
    )
    assert record.is_late(date(2026, 11, 20)) and not record.is_late(date(2026, 11, 10))
    with time_machine.travel(date(2026, 11, 12)):
        services.monitoring_advance(actor=cadre, record=record, on=date(2026, 11, 2))
        with pytest.raises(ValidationError):  # a notice of 3 days is too short
            services.monitoring_advance(
                actor=cadre,
                record=record,
                on=date(2026, 11, 6),
                notice_from=date(2026, 11, 3),
                notice_to=date(2026, 11, 5),
            )
        record.refresh_from_db()
        services.monitoring_advance(
            actor=cadre, record=record, on=date(2026, 11, 8), notice_from=date(2026, 11, 3), notice_to=date(2026, 11, 7)
        )
        with pytest.raises(PermissionDenied):
            services.monitoring_advance(actor=cadre, record=record, on=date(2026, 11, 9))
        services.monitoring_advance(actor=personas.township, record=record, on=date(2026, 11, 9))
        with pytest.raises(PermissionDenied):
            services.monitoring_advance(
                actor=personas.township, record=record, on=date(2026, 11, 10), decision="include"
            )
        services.monitoring_advance(actor=county_officer, record=record, on=date(2026, 11, 11), decision="include")
    households.a1.refresh_from_db()
    assert households.a1.monitoring_category == "marginal"
    assert record.step == "done" and not record.is_late(date(2026, 12, 31))


def test_owners_are_reminded_of_overdue_problems_once_a_day(personas, tree):
    from django_q.models import Schedule

    from fieldwork.tasks import remind_overdue_problems

    with time_machine.travel(date(2026, 11, 1)):
        services.problem_raise(
            actor=personas.cadre_a, village=tree.village_a, title="路灯坏了", due_on=date(2026, 11, 5)
        )
    with time_machine.travel(date(2026, 11, 10)):
        assert remind_overdue_problems() == 1
        assert remind_overdue_problems() == 0
    note = personas.cadre_a.notifications.get()
    assert "路灯坏了" in note.message and note.url.startswith("/fieldwork/problems/")
    assert Schedule.objects.filter(func="fieldwork.tasks.remind_overdue_problems").exists()
