"""Demo disputes of Dalian village (idempotent: each case is keyed by a stable client UUID).

The seed article: the secretary "resolved 30 disputes" in two years; tea gardens lie scattered on the
hills and water and boundaries often cause disputes. So: 30 closed cases from 2024 to late 2025,
mostly water and land, handled at the grid, the village committee and (after escalation) the
township, plus a few open ones today, two of them overdue, and one referred to the court.
"""

import random
import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from grievances import services
from grievances.models import Case, Status
from grievances.services import PartyData
from villages.demo import VILLAGE_CODE
from villages.models import Area, Level

NAMESPACE = uuid.UUID("5a0c4b51-6f1e-4c3b-9d1e-1f2a3b4c5d6e")
FIRST_DAY = date(2024, 1, 8)
RESOLVED = 30
CATEGORY_WEIGHTS = {
    "water": 9,
    "land": 8,
    "neighbours": 4,
    "family": 3,
    "debt": 2,
    "village_affairs": 2,
    "injury": 1,
    "cadre": 1,
}
TITLES = {
    "water": ("{a}与{b}茶园灌溉用水纠纷", "旱季两户共用一条山泉水渠，上游截水，下游茶园缺水。"),
    "land": ("{a}与{b}茶园地界纠纷", "两户相邻茶园地界不清，一方补植茶苗越过原界石。"),
    "neighbours": ("{a}与{b}邻里排水纠纷", "新修院坝排水流入邻户屋基，双方多次争吵。"),
    "family": ("{a}家赡养老人纠纷", "兄弟之间对老人赡养费用分担意见不一。"),
    "debt": ("{a}拖欠{b}采茶工钱纠纷", "春茶采摘期间雇工工钱未结清。"),
    "village_affairs": ("{a}对茶园流转分红有异议", "对撂荒茶园流转改造后的分红方式有异议。"),
    "injury": ("{a}与{b}耕牛伤人纠纷", "放养耕牛踩伤邻户，医药费分担有争议。"),
    "cadre": ("{a}对低保评议结果有意见", "认为组内评议不公，要求重新评议。"),
}
TERMS = {
    "water": "单双日轮流用水，上游不得截流；双方共同出工清理水渠。",
    "land": "以原界石为准重新确界，越界茶苗由补植方移栽。",
}


def _uuid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def _people():
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["zhujing", "xiezhijun", "chendeming", "mengqingguo"])
    }
    return users


def _parties(rng: random.Random, households: list, level: str) -> tuple[list[PartyData], str, str]:
    # A grid case stays in the group of its 中心户长 (the demo's group head is in 一组).
    pool = [h for h in households if h.group and h.group.code.endswith("001")] if level == "grid" else households
    first = rng.choice(pool)
    second = rng.choice([h for h in pool if h.pk != first.pk])
    parties = [
        PartyData(name=first.head_name, role="applicant", phone=first.phone, household=first),
        PartyData(name=second.head_name, role="respondent", phone=second.phone, household=second),
    ]
    return parties, first.head_name, second.head_name


def _receive(key, rng, village, households, actor, *, category, level, received_on, source=None):
    existing = Case.objects.filter(client_uuid=_uuid(key)).first()
    if existing is not None:
        return existing, False
    parties, a, b = _parties(rng, households, level)
    title, facts = TITLES[category]
    first = parties[0].household
    case, created = services.case_receive(
        actor=actor,
        village=village,
        group=first.group,
        point=(first.location.x, first.location.y) if first.location else None,
        source=source or rng.choice(["party_member", "deputy", "cluster_head", "cluster_head", "visit", "walk_in"]),
        category=category,
        title=title.format(a=a, b=b),
        facts=facts,
        risk=rng.choice(["low", "low", "medium"]),
        level=level,
        received_on=received_on,
        parties=parties,
        client_uuid=_uuid(key),
    )
    return case, created


def _mediate(case, actor, handler, day, mediators):
    services.case_classify(actor=actor, case=case, category=case.category, risk=case.risk, level=case.level)
    services.case_assign(actor=actor, case=case, handler=handler)
    services.session_record(
        actor=handler,
        case=case,
        held_on=day,
        place="大连村便民服务中心",
        mediators=mediators,
        participants="双方当事人、组长",
        summary="听取双方陈述，到现场查看。",
    )


def _resolve(case, handler, rng, signed_on, mediators):
    services.agreement_record(
        actor=handler,
        case=case,
        form="written" if rng.random() < 0.8 else "oral",
        signed_on=signed_on,
        facts=case.facts,
        disputed_points="双方对" + case.category_label + "事项各执一词。",
        responsibilities="双方各自承担相应责任，互谅互让。",
        terms=TERMS.get(case.category, "双方达成和解，按约定履行。"),
        performance="由村人民调解委员会监督履行。",
        perform_by=signed_on + timedelta(days=rng.randint(7, 30)),
        mediators=mediators,
    )
    services.case_perform(actor=handler, case=case)
    visited = case.agreement.perform_by + timedelta(days=rng.randint(1, 10))
    services.return_visit_record(
        actor=handler,
        case=case,
        visited_on=visited,
        carried_out=True,
        satisfaction=rng.choices([5, 4, 3], weights=[6, 3, 1])[0],
        notes="双方均表示满意。",
    )
    services.case_close(actor=handler, case=case, outcome="协议已履行，纠纷化解。", closed_on=visited)


def _resolved_cases(rng, village, households, users) -> int:
    secretary, officer, head, township = (users[n] for n in ["zhujing", "xiezhijun", "chendeming", "mengqingguo"])
    created_count = 0
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    for index in range(RESOLVED):
        received = FIRST_DAY + timedelta(days=index * 23 + rng.randint(0, 10))
        category = rng.choices(categories, weights=weights)[0]
        shape = "escalated" if index % 8 == 5 else ("grid" if index % 5 == 1 else "village")
        level = "grid" if shape == "grid" else "village"
        reporter = head if level == "grid" else secretary
        case, created = _receive(
            f"resolved-{index}",
            rng,
            village,
            households,
            reporter,
            category=category,
            level=level,
            received_on=received,
        )
        if not created:
            continue
        created_count += 1
        handler = head if level == "grid" else rng.choice([secretary, officer])
        _mediate(case, reporter, handler, received + timedelta(days=1), "朱晶、谢志军")
        if shape == "escalated":
            services.case_fail(actor=handler, case=case, reason="双方分歧较大，村级调解未成。")
            services.case_escalate(
                actor=handler, case=case, reason="提交镇矛盾纠纷调处中心。", on=received + timedelta(days=4)
            )
            case.refresh_from_db()
            services.case_assign(actor=township, case=case, handler=township)
            services.session_record(
                actor=township,
                case=case,
                held_on=received + timedelta(days=10),
                place="焕古镇矛盾纠纷调处中心",
                mediators="孟庆国",
                participants="双方当事人、村调委会",
                summary="镇、村联合调解。",
            )
            signed = received + timedelta(days=rng.randint(12, 26))
            _resolve(case, township, rng, signed, "孟庆国、朱晶")
            continue
        # Most are settled within a week; one in six runs over the deadline.
        signed = received + timedelta(days=rng.randint(2, 6) if index % 6 else rng.randint(9, 14))
        _resolve(case, handler, rng, signed, "陈德明" if level == "grid" else "朱晶、谢志军")
    return created_count


def _open_cases(rng, village, households, users) -> int:
    secretary, township = users["zhujing"], users["mengqingguo"]
    today = timezone.localdate()
    created_count = 0
    plans = [
        ("open-received", "water", "village", today - timedelta(days=1), None),
        ("open-mediating", "land", "village", today - timedelta(days=4), "mediating"),
        ("open-overdue", "neighbours", "village", today - timedelta(days=20), "assigned"),
        ("open-escalated", "land", "village", today - timedelta(days=45), "escalated"),
        ("referred", "debt", "village", date(2025, 6, 3), "referred"),
    ]
    for key, category, level, received, target in plans:
        case, created = _receive(
            key, rng, village, households, secretary, category=category, level=level, received_on=received
        )
        if not created:
            continue
        created_count += 1
        if target is None:
            continue
        services.case_classify(actor=secretary, case=case, category=category, risk="medium", level=level)
        services.case_assign(actor=secretary, case=case, handler=secretary)
        if target == "assigned":
            continue
        services.session_record(
            actor=secretary,
            case=case,
            held_on=received + timedelta(days=1),
            mediators="朱晶",
            participants="双方当事人",
            summary="初次调解，双方同意再协商。",
        )
        if target == "mediating":
            continue
        services.case_fail(actor=secretary, case=case, reason="双方分歧较大。")
        if target == "referred":
            services.case_refer(
                actor=secretary,
                case=case,
                referred_to="紫阳县人民法院",
                reason="一方已向法院起诉。",
                on=received + timedelta(days=6),
            )
            continue
        services.case_escalate(actor=secretary, case=case, reason="提交镇调处中心。", on=received + timedelta(days=15))
        case.refresh_from_db()
        services.case_assign(actor=township, case=case, handler=township)
    services.cases_mark_overdue()
    return created_count


def load(stdout=None) -> None:
    from fieldwork.models import Household

    village = Area.objects.get(code=VILLAGE_CODE, level=Level.VILLAGE)
    households = list(Household.objects.filter(village=village).select_related("group").order_by("number"))
    users = _people()
    if len(households) < 2 or len(users) < 4:
        if stdout:
            stdout.write("disputes: skipped (households or people missing)")
        return
    rng = random.Random(20240108)
    created = _resolved_cases(rng, village, households, users)
    created += _open_cases(rng, village, households, users)
    if stdout:
        closed = Case.objects.filter(village=village, status=Status.CLOSED).count()
        stdout.write(f"disputes: {Case.objects.filter(village=village).count()} ({closed} closed, {created} new)")
