from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances import services
from grievances.models import Case, HandlingLevel, Status
from grievances.services import TRANSITIONS, PartyData
from tests.grievances.conftest import ALL_STATUSES
from tests.grievances.factories import agreement_kwargs, make_case, run_to
from villages.models import Event, Notification

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(
        Event.objects.filter(object_id=str(case.pk), kind__startswith="grievances.case.").values_list("kind", flat=True)
    )


def test_it_takes_a_case_from_intake_to_closed_logging_every_step(personas, case_a):
    today = timezone.localdate()
    case = run_to(case_a, personas.cadre_a, "closed", today=today)
    assert case.status == Status.CLOSED and case.closed_on == today and case.resolved_on == today
    assert kinds(case) == [
        "grievances.case.received",
        "grievances.case.classified",
        "grievances.case.assigned",
        "grievances.case.mediation_started",
        "grievances.case.agreement_reached",
        "grievances.case.performing",
        "grievances.case.revisited",
        "grievances.case.closed",
    ]
    closed = Event.objects.get(object_id=str(case.pk), kind="grievances.case.closed")
    assert closed.actor == personas.cadre_a and closed.data["from"] == "revisited"


def _call(verb, case, actor, other):
    today = timezone.localdate()
    calls = {
        "classify": lambda: services.case_classify(
            actor=actor, case=case, category="land", risk="high", level="village"
        ),
        "assign": lambda: services.case_assign(actor=actor, case=case, handler=actor),
        "start": lambda: services.case_start_mediation(actor=actor, case=case),
        "agree": lambda: services.agreement_record(actor=actor, case=case, **agreement_kwargs(today, today)),
        "fail": lambda: services.case_fail(actor=actor, case=case, reason="双方分歧大"),
        "perform": lambda: services.case_perform(actor=actor, case=case),
        "revisit": lambda: services.return_visit_record(
            actor=actor, case=case, visited_on=today, carried_out=True, satisfaction=4
        ),
        "close": lambda: services.case_close(actor=actor, case=case),
        "escalate": lambda: services.case_escalate(actor=actor, case=case, reason="村级调解不成"),
        "refer": lambda: services.case_refer(actor=actor, case=case, referred_to="紫阳县人民法院", reason="涉及诉讼"),
        "reopen": lambda: services.case_reopen(actor=actor, case=case, reason="一方反悔"),
    }
    return calls[verb]()


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("verb", list(TRANSITIONS))
def test_it_allows_exactly_the_transitions_in_the_table(personas, case_a, at_status, status, verb):
    case = at_status(case_a, status)
    if verb == "close" and status == Status.REVISITED:
        case.return_visits.create(visited_on=timezone.localdate(), carried_out=True, satisfaction=5)
    before = (case.status, Event.objects.count())
    if status in TRANSITIONS[verb].sources:
        _call(verb, case, personas.cadre_a, personas.township)
        case.refresh_from_db()
        assert case.status == TRANSITIONS[verb].target
        assert Event.objects.filter(kind=f"grievances.case.{TRANSITIONS[verb].event}", object_id=str(case.pk)).exists()
    else:
        with pytest.raises(ValidationError) as refused:
            _call(verb, case, personas.cadre_a, personas.township)
        assert "不能" in " ".join(refused.value.messages)
        case.refresh_from_db()
        assert (case.status, Event.objects.count()) == before


def test_it_refuses_to_close_without_a_return_visit(personas, case_a, at_status):
    case = at_status(case_a, Status.REVISITED)
    with pytest.raises(ValidationError, match="回访"):
        services.case_close(actor=personas.cadre_a, case=case)
    case.refresh_from_db()
    assert case.status == Status.REVISITED and case.closed_on is None


def test_it_escalates_one_level_at_a_time_and_tells_the_next_level(personas, tree, county_officer, case_a, at_status):
    case = at_status(case_a, Status.FAILED)
    services.case_escalate(actor=personas.cadre_a, case=case, reason="村调委会调解不成")
    case.refresh_from_db()
    assert (case.status, case.level, case.escalations, case.handler) == ("escalated", "township", 1, None)
    assert case.handling_area() == tree.town
    assert case.deadline == timezone.localdate() + timedelta(days=20)
    assert Notification.objects.filter(recipient=personas.township, kind="grievances.case.escalated").exists()
    assert not Notification.objects.filter(recipient=personas.cadre_b).exists()
    # The village cadre may no longer act at the township level; the township officer may.
    from grievances.selectors import can_act

    assert not can_act(personas.cadre_a, case) and can_act(personas.township, case)
    services.case_assign(actor=personas.township, case=case, handler=personas.township)
    services.case_start_mediation(actor=personas.township, case=case)
    services.case_fail(actor=personas.township, case=case, reason="镇调解中心调解不成")
    services.case_escalate(actor=personas.township, case=case, reason="提交县级")
    case.refresh_from_db()
    assert case.level == HandlingLevel.COUNTY and case.handling_area() == tree.county
    assert Notification.objects.filter(recipient=county_officer, kind="grievances.case.escalated").exists()
    case = at_status(case, Status.FAILED)
    with pytest.raises(ValidationError, match="县"):
        services.case_escalate(actor=county_officer, case=case, reason="再上报")


def test_it_escalates_a_grid_case_to_the_village_committee(personas, tree, group_head):
    case = make_case(group_head, tree.village_a, group=tree.group_a1, level="grid")
    assert case.handling_area() == tree.group_a1
    case = run_to(case, group_head, "mediating", today=timezone.localdate())
    services.case_fail(actor=group_head, case=case, reason="调解不成")
    services.case_escalate(actor=group_head, case=case, reason="交村调委会")
    case.refresh_from_db()
    assert case.level == "village" and case.handling_area() == tree.village_a
    assert Notification.objects.filter(recipient=personas.cadre_a, kind="grievances.case.escalated").exists()


def test_it_refers_out_with_a_place_and_a_reason(personas, case_a, at_status):
    case = at_status(case_a, Status.FAILED)
    with pytest.raises(ValidationError):
        services.case_refer(actor=personas.cadre_a, case=case, referred_to="", reason="涉诉")
    with pytest.raises(ValidationError):
        services.case_refer(actor=personas.cadre_a, case=case, referred_to="法院", reason="  ")
    services.case_refer(actor=personas.cadre_a, case=case, referred_to="紫阳县人民法院", reason="一方起诉")
    case.refresh_from_db()
    assert case.status == "referred" and case.referred_to == "紫阳县人民法院" and case.resolved_on


def test_it_reopens_a_closed_case_with_a_reason_and_a_new_deadline(personas, case_a):
    case = run_to(case_a, personas.cadre_a, "closed", today=timezone.localdate())
    with pytest.raises(ValidationError, match="理由"):
        services.case_reopen(actor=personas.cadre_a, case=case, reason="")
    services.case_reopen(actor=personas.cadre_a, case=case, reason="一方未按约定放水")
    case.refresh_from_db()
    assert case.status == "assigned" and case.closed_on is None and case.resolved_on is None
    event = Event.objects.filter(object_id=str(case.pk), kind="grievances.case.reopened").get()
    assert event.data["reason"] == "一方未按约定放水"


def test_it_refuses_an_agreement_missing_required_contents(personas, case_a, at_status):
    case = at_status(case_a, Status.MEDIATING)
    kwargs = agreement_kwargs(timezone.localdate(), timezone.localdate())
    kwargs["disputed_points"] = ""
    with pytest.raises(ValidationError) as refused:
        services.agreement_record(actor=personas.cadre_a, case=case, **kwargs)
    assert "disputed_points" in refused.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.MEDIATING and not hasattr(case, "agreement")


def test_it_refuses_court_confirmation_after_thirty_days(personas, case_a):
    today = timezone.localdate()
    case = run_to(case_a, personas.cadre_a, "agreement", today=today)
    agreement = case.agreement
    with pytest.raises(ValidationError, match="30"):
        services.agreement_confirm(
            actor=personas.cadre_a, agreement=agreement, applied_on=today + timedelta(days=31), court="紫阳县人民法院"
        )
    services.agreement_confirm(actor=personas.cadre_a, agreement=agreement, applied_on=today, court="紫阳县人民法院")
    agreement.refresh_from_db()
    assert agreement.confirmation_court == "紫阳县人民法院"


def test_it_refuses_a_party_household_from_another_village(personas, tree):
    from fieldwork.models import Household

    other = Household.objects.create(village=tree.village_b, number="B001", head_name="李四")
    before = Case.objects.count()
    with pytest.raises(ValidationError, match="村"):
        make_case(personas.cadre_a, tree.village_a, parties=[PartyData(name="李四", household=other)])
    assert Case.objects.count() == before


def test_it_refuses_a_deadline_in_the_past(personas, tree):
    with pytest.raises(ValidationError, match="办结期限"):
        make_case(personas.cadre_a, tree.village_a, deadline=timezone.localdate() - timedelta(days=1))
    assert not Case.objects.exists()


def test_it_sets_deadlines_per_level_and_category_from_settings(personas, tree, settings):
    received = date(2026, 11, 2)
    with time_machine.travel(date(2026, 11, 3), tick=False):
        assert make_case(personas.cadre_a, tree.village_a, level="grid", received_on=received).deadline == date(
            2026, 11, 9
        )
        assert make_case(personas.township, tree.village_a, level="township", received_on=received).deadline == date(
            2026, 11, 22
        )
        assert make_case(personas.township, tree.village_a, level="county", received_on=received).deadline == date(
            2026, 12, 2
        )
        settings.GRIEVANCE_CATEGORY_DEADLINE_DAYS = {"land": {"village": 15}}
        case = make_case(personas.cadre_a, tree.village_a, level="village", category="land", received_on=received)
        assert case.deadline == date(2026, 11, 17)


def test_it_returns_the_first_case_for_a_repeated_client_uuid(personas, tree):
    import uuid

    key = uuid.uuid4()
    first = make_case(personas.cadre_a, tree.village_a, client_uuid=key)
    again = make_case(personas.cadre_a, tree.village_a, client_uuid=key)
    assert first.pk == again.pk and Case.objects.count() == 1
