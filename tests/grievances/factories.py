"""Helpers that build dispute cases through the services (so the event log is real)."""

from datetime import date

from grievances import services
from grievances.models import Case
from grievances.services import PartyData

PARTIES = [
    PartyData(name="陈德明", role="applicant", id_number="610924198001011234", phone="13812345678"),
    PartyData(name="王建国", role="respondent", id_number="61092419750505123X", phone="13987654321"),
]


def make_case(actor, village, *, level="village", category="water", received_on: date | None = None, **extra) -> Case:
    case, _created = services.case_receive(
        actor=actor,
        village=village,
        source=extra.pop("source", "cluster_head"),
        category=category,
        title=extra.pop("title", "茶园用水纠纷"),
        facts=extra.pop("facts", "两户茶园共用一条水渠，旱季争水。"),
        level=level,
        received_on=received_on,
        parties=extra.pop("parties", PARTIES),
        **extra,
    )
    return case


def agreement_kwargs(signed_on: date, perform_by: date) -> dict:
    return {
        "form": "written",
        "signed_on": signed_on,
        "facts": "两户共用水渠。",
        "disputed_points": "旱季用水先后。",
        "responsibilities": "双方各负其责。",
        "terms": "单双日轮流用水。",
        "performance": "自即日起执行，村调委会监督。",
        "perform_by": perform_by,
        "mediators": "朱晶、谢志军",
    }


def run_to(case: Case, actor, target: str, *, today: date) -> Case:
    """Drive a case along the happy path until it reaches `target`."""
    steps = [
        (
            "classified",
            lambda c: services.case_classify(actor=actor, case=c, category=c.category, risk="low", level=c.level),
        ),
        ("assigned", lambda c: services.case_assign(actor=actor, case=c, handler=actor)),
        ("mediating", lambda c: services.case_start_mediation(actor=actor, case=c)),
        ("agreement", lambda c: services.agreement_record(actor=actor, case=c, **agreement_kwargs(today, today)).case),
        ("performing", lambda c: services.case_perform(actor=actor, case=c)),
        (
            "revisited",
            lambda c: (
                services.return_visit_record(
                    actor=actor, case=c, visited_on=today, carried_out=True, satisfaction=5
                ).case
            ),
        ),
        ("closed", lambda c: services.case_close(actor=actor, case=c, outcome="已履行")),
    ]
    for status, step in steps:
        if case.status == target:
            break
        case = step(case)
        case.refresh_from_db()
        assert case.status == status
    return case
