"""Demo households of Dalian village and a year of the secretary's fieldwork (idempotent).

Households are keyed by number; visits, meetings and problems by a client UUID derived from their
date, check-ins by (user, day), everything else by its natural key, and every day draws from its
own seeded generator, so a second run writes nothing and a run on a later day only adds the new days.
"""

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone
from shapely import wkb
from simple_history.utils import bulk_create_with_history

from fieldwork import conf, services
from fieldwork.models import (
    CheckIn,
    DiaryEntry,
    Education,
    GuaranteeCheck,
    Health,
    Household,
    IncomeRecord,
    Labour,
    LeaveRequest,
    Meeting,
    Member,
    MonitoringRecord,
    Problem,
    Relation,
    Sex,
    Visit,
)
from villages.demo import VILLAGE_CODE, random_point_in
from villages.models import Area, Level
from villages.money import money

User = get_user_model()

SURNAMES = "陈王李张刘杨黄吴周徐谢胡冯唐何曾邓彭罗程"
GIVEN = "德明华国建文志海春秀英芳兰云平安福寿永强军勇红梅玉霞金银山林清"
HOUSEHOLD_COUNT = 120


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _members(rng: random.Random, household: Household, head: str) -> list[Member]:
    surname = head[0]
    head_year = rng.randint(1950, 1990)
    members = [
        Member(
            household=household,
            name=head,
            relation=Relation.HEAD,
            sex=Sex.MALE,
            birth_year=head_year,
            education=rng.choice([Education.PRIMARY, Education.JUNIOR, Education.SENIOR]),
            health=rng.choices(list(Health.values), weights=[75, 15, 5, 5])[0],
            labour=Labour.FULL if head_year > 1965 else Labour.PARTIAL,
        )
    ]
    if rng.random() < 0.9:
        members.append(
            Member(
                household=household,
                name=_name(rng),
                relation=Relation.SPOUSE,
                sex=Sex.FEMALE,
                birth_year=head_year + rng.randint(-3, 4),
                education=Education.PRIMARY,
            )
        )
    for _ in range(rng.choice((0, 1, 2, 2, 3))):
        year = min(head_year + rng.randint(20, 32), 2022)
        away = 1996 < year < 2005 and rng.random() < 0.6
        members.append(
            Member(
                household=household,
                name=_name(rng, surname),
                relation=Relation.CHILD,
                sex=rng.choice(Sex.values),
                birth_year=year,
                working_away=away,
                education=Education.IN_SCHOOL if year > 2008 else Education.JUNIOR,
                labour=Labour.NONE if year > 2008 else Labour.FULL,
            )
        )
    if rng.random() < 0.25:
        members.append(
            Member(
                household=household,
                name=_name(rng, surname),
                relation=Relation.PARENT,
                sex=rng.choice(Sex.values),
                birth_year=rng.randint(1935, 1950),
                health=rng.choice([Health.CHRONIC, Health.HEALTHY]),
                labour=Labour.NONE,
            )
        )
    return members


def load(stdout=None) -> None:
    rng = random.Random(2023)
    village = Area.objects.get(code=VILLAGE_CODE)
    groups = list(Area.objects.filter(parent=village, level=Level.GROUP).order_by("code"))
    shapes = {g.pk: wkb.loads(bytes(g.boundary.wkb)) for g in groups}
    existing = set(Household.objects.filter(village=village).values_list("number", flat=True))
    categories = ["", "", "", "", "", "", "", "", "", "unstable", "marginal", "sudden"]
    created = 0
    for index in range(HOUSEHOLD_COUNT):
        group = groups[index % len(groups)]
        point = random_point_in(shapes[group.pk], rng)
        head = _name(rng)
        number = f"DL{index + 1:04d}"
        category = rng.choice(categories)
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        household = Household(
            village=village,
            group=group,
            number=number,
            head_name=head,
            address=f"大连村{group.name}{rng.randint(1, 60)}号",
            location=f"POINT({point.x} {point.y})",
            phone=phone,
            lifted_out_of_poverty=rng.random() < 0.3,
            monitoring_category=category,
        )
        members = _members(rng, household, head)
        if number in existing:
            continue
        household.full_clean()
        household.save()
        Member.objects.bulk_create(members)
        created += 1
    if stdout:
        stdout.write(f"households: {Household.objects.filter(village=village).count()} ({created} new)")
    load_activity(village, stdout=stdout)


# ---------------------------------------------------------------- a year of fieldwork (朱晶's 三个一)

DEMO_NS = uuid.UUID("6f1c7d1e-4a55-4c1e-9a3e-2f9b0c1d2a77")
FINDINGS = [
    "茶园长势良好，今年春茶采了{n}斤鲜叶，家里收入稳定。",
    "老人慢性病，按时吃药，家庭医生每月随访。",
    "房屋为砖混结构，去年已加固，住房安全。",
    "孩子在镇中学住校，享受营养餐补助。",
    "自来水入户，水量够用，旱季需要蓄水池补水。",
    "外出务工{n}人，在西安建筑工地，春节回家。",
    "茶苗旱情受损，需要补栽。",
    "想参加天麻试种，担心技术和销路。",
    "邻里因茶园地界有些争执，已当面说开。",
    "医保已缴费，大病保险已参保。",
]
NEEDS = [
    "希望修通到茶园的便道",
    "旱季缺水，希望维修入户水管",
    "想学茶叶修剪和病虫害防治技术",
    "老人行动不便，希望帮助办理残疾证",
    "想申请小额贴息贷款扩大茶园",
    "孩子上学路远，希望协调校车",
    "屋后边坡有滑塌隐患",
]
HELP = [
    "讲解防返贫监测政策",
    "送去慰问品和药品",
    "联系镇卫生院上门体检",
    "帮助联系茶企收购鲜叶",
    "讲解医保缴费政策",
    "协调村委会安排公益岗位",
]
MEETING_TOPICS = [
    ("春茶采摘和鲜叶收购安排", "统一收购价，组织采茶工"),
    ("抗旱保苗：拦水坝和灌溉管道维修", "申请市水利局抗旱资金20万元，先修拦水坝"),
    ("蓄水池选址和施工安排", "在大阳坡等7处修建蓄水池"),
    ("撂荒茶园流转改造", "由“茶秀才”指导改造，按户公示流转面积"),
    ("天麻试种考察汇报", "2026年开春在三组试种"),
    ("文化活动中心提升改造", "利用工会经费添置设施，组织文艺队"),
    ("红白喜事简办章程", "成立红白喜事办，章程上墙公示"),
    ("防返贫监测户排查", "对新发现风险户入户核实"),
    ("村道施工期间的出行和用水", "施工方每天送水到断水户"),
]
PROBLEMS = [
    ("大阳坡邓家断水", "更换入户水管，恢复供水"),
    ("三组茶园便道塌方", "组织群众投工投劳修复便道"),
    ("吴成高老人看病报销", "协助办理慢病卡和报销"),
    ("二组蓄水池渗漏", "施工方返修并试水"),
    ("茶叶鲜叶滞销", "联系茶企上门收购"),
    ("留守儿童冬季取暖", "工会送温暖发放取暖器"),
    ("五组路灯损坏", "报镇上更换太阳能路灯"),
    ("村卫生室缺常用药", "协调镇卫生院配送"),
    ("六组滑坡隐患", "设置警示牌并报镇国土所"),
    ("茶园病虫害", "请农技站现场指导统防统治"),
    ("移民安置点排水沟堵塞", "清淤并加盖板"),
    ("天麻种苗采购", "联系宁陕种植基地供苗"),
]


def _key(kind: str, *parts) -> uuid.UUID:
    return uuid.uuid5(DEMO_NS, "/".join([kind, *(str(p) for p in parts)]))


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _cadres():
    users = {
        u.username: u for u in User.objects.filter(username__in=["zhujing", "xiezhijun", "mengqingguo", "wangjianhua"])
    }
    return users if len(users) == 4 else None


def load_activity(village: Area, stdout=None) -> None:
    """A year up to yesterday: check-ins, daily visits, weekly meetings, monthly problems, leave, diary."""
    users = _cadres()
    if users is None:
        return
    today = timezone.localdate()
    start = today - timedelta(days=365)
    households = list(Household.objects.filter(village=village).order_by("number"))
    leave_days = _leave(users, village, today)
    _incomes(households)
    _monitoring(users, households, today)
    counts = {"visits": 0, "checkins": 0, "meetings": 0, "problems": 0}
    existing_visits = set(Visit.objects.filter(village=village).values_list("client_uuid", flat=True))
    existing_checkins = set(CheckIn.objects.filter(village=village).values_list("day", flat=True))
    new_visits, new_checkins, new_checks = [], [], []
    day = start
    while day < today:
        # One generator per day and activity: what one activity draws never shifts another.
        rng = random.Random(f"dalian-{day.isoformat()}")
        present = day not in leave_days and rng.random() < (0.9 if day.weekday() < 5 else 0.55)
        visits_today = present and rng.random() < 0.85
        if present and day not in existing_checkins:
            new_checkins.append(_checkin(users["zhujing"], village, day, random.Random(f"checkin-{day}")))
        if visits_today and _key("visit", day) not in existing_visits:
            visit, check = _visit(users["zhujing"], households, day, random.Random(f"visit-{day}"))
            new_visits.append(visit)
            new_checks.append(check)
        if day.weekday() == 0 and rng.random() < 0.92:
            counts["meetings"] += _meeting(users, village, households, day, random.Random(f"meeting-{day}"))
        if day.day == 3:
            counts["problems"] += _problem(
                users["zhujing"], village, households, day, today, random.Random(f"problem-{day}")
            )
        day += timedelta(days=1)
    CheckIn.objects.bulk_create(new_checkins)
    bulk_create_with_history(new_visits, Visit, default_user=users["zhujing"])
    saved = {v.client_uuid: v for v in Visit.objects.filter(client_uuid__in=[v.client_uuid for v in new_visits])}
    for check, visit in zip(new_checks, new_visits, strict=True):
        check.visit = saved[visit.client_uuid]
    GuaranteeCheck.objects.bulk_create(new_checks)
    _diary(users["zhujing"], village, start, today)
    counts.update(visits=len(new_visits), checkins=len(new_checkins))
    if stdout:
        stdout.write("fieldwork: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))


def _checkin(user, village, day, rng) -> CheckIn:
    point = village.boundary.centroid
    return CheckIn(
        user=user,
        village=village,
        day=day,
        checked_at=_aware(day, 8, rng.randint(0, 50)),
        location=Point(point.x + rng.uniform(-0.002, 0.002), point.y + rng.uniform(-0.002, 0.002), srid=4326),
        accuracy_m=rng.choice([6, 8, 12, 15, 20]),
    )


def _visit(user, households, day, rng) -> tuple[Visit, GuaranteeCheck]:
    # Monitored households are visited about three times as often.
    weights = [3 if h.monitoring_category else 1 for h in households]
    household = rng.choices(households, weights=weights)[0]
    accuracy = rng.choice([5, 8, 10, 15, 25, 40, 90])
    outside = rng.random() < 0.03
    dx, dy = (0.03, 0.03) if outside else (rng.uniform(-0.0003, 0.0003), rng.uniform(-0.0003, 0.0003))
    location = Point(household.location.x + dx, household.location.y + dy, srid=4326)
    visit = Visit(
        household=household,
        village_id=household.village_id,
        visitor=user,
        visited_at=_aware(day, rng.randint(9, 17), rng.randint(0, 59)),
        purpose=rng.choices(["routine", "monitoring", "policy", "help", "follow_up"], weights=[6, 2, 1, 1, 1])[0],
        findings=rng.choice(FINDINGS).format(n=rng.randint(1, 3) * (100 if rng.random() < 0.5 else 1)),
        needs=rng.choice(NEEDS) if rng.random() < 0.25 else "",
        help_given=rng.choice(HELP) if rng.random() < 0.4 else "",
        location=location,
        accuracy_m=accuracy,
        gps_poor=accuracy > conf.gps_poor_accuracy_m(),
        outside_village=outside,
        client_uuid=_key("visit", day),
    )
    risky = household.monitoring_category and rng.random() < 0.3
    check = GuaranteeCheck(
        household=household,
        checked_on=day,
        checked_by=user,
        food="ok",
        clothing="ok",
        housing="risk" if risky else "ok",
        schooling=rng.choice(["ok", "na"]),
        medical="ok",
        water="risk" if rng.random() < 0.05 else "ok",
    )
    return visit, check


def _meeting(users, village, households, day, rng) -> int:
    key = _key("meeting", day)
    if Meeting.objects.filter(client_uuid=key).exists():
        return 0
    topic, decision = MEETING_TOPICS[(day.toordinal() // 7) % len(MEETING_TOPICS)]
    kind = rng.choices(["affairs", "committees", "representatives"], weights=[7, 2, 1])[0]
    services.meeting_record(
        actor=users["zhujing"],
        village=village,
        kind=kind,
        held_at=_aware(day, 19, 30),
        topics=topic,
        place="大连村村委会",
        decisions=decision,
        minutes=f"会议由谢志军主持，朱晶通报本周走访情况。议定：{decision}。",
        names=["朱晶", "谢志军", "陈德明"],
        households=rng.sample(households, 4),
        client_uuid=key,
    )
    return 1


def _problem(user, village, households, day, today, rng) -> int:
    key = _key("problem", day)
    if Problem.objects.filter(client_uuid=key).exists():
        return 0
    title, outcome = PROBLEMS[day.month % len(PROBLEMS)]
    problem, _created = services.problem_raise(
        actor=user,
        village=village,
        title=title,
        household=rng.choice(households),
        raised_on=day,
        due_on=day + timedelta(days=25),
        client_uuid=key,
    )
    if (today - day).days > 40 or rng.random() < 0.4:
        services.problem_update(
            actor=user,
            problem=problem,
            status="solved",
            outcome=outcome,
            on=min(day + timedelta(days=rng.randint(5, 24)), today),
        )
    return 1


def _leave(users, village, today) -> set[date]:
    """Two approved leaves: a short one (township) and a longer one (county)."""
    days: set[date] = set()
    for months_ago, length, approver in ((2, 2, "mengqingguo"), (7, 5, "wangjianhua")):
        starts = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=10)
        ends = starts + timedelta(days=length - 1)
        leave = LeaveRequest.objects.filter(user=users["zhujing"], starts_on=starts).first()
        if leave is None:
            leave = services.leave_request(
                actor=users["zhujing"],
                village=village,
                starts_on=starts,
                ends_on=ends,
                reason="回市总工会参加培训" if length < 3 else "家中老人住院",
            )
            services.leave_decide(actor=users[approver], leave=leave, approve=True, note="同意")
        days |= {starts + timedelta(days=n) for n in range(length)}
    return days


def _incomes(households) -> None:
    existing = set(IncomeRecord.objects.filter(household__in=households).values_list("household_id", "year", "source"))
    rows = []
    for index, household in enumerate(households):
        rng = random.Random(f"income-{household.number}")
        # 20-odd tea households earn more than 100,000 yuan from fresh leaf (2025, from the seed article).
        tea = rng.randint(100_000, 160_000) if index % 5 == 0 else rng.randint(6_000, 60_000)
        for year, factor in ((2024, Decimal("0.85")), (2025, Decimal("1"))):
            for source, amount in (
                ("farming", tea),
                ("wages", rng.choice([0, 18_000, 36_000, 52_000])),
                ("transfer", rng.randint(800, 4_800)),
            ):
                if amount and (household.pk, year, source) not in existing:
                    rows.append(
                        IncomeRecord(
                            household=household, year=year, source=source, amount=money(Decimal(amount) * factor)
                        )
                    )
    IncomeRecord.objects.bulk_create(rows)


def _monitoring(users, households, today) -> None:
    """Each monitored household went through the procedure; one new case is stuck past 15 days."""
    for household in [h for h in households if h.monitoring_category]:
        if household.monitoring_records.exists():
            continue
        started = today - timedelta(days=200 + household.pk % 60)
        MonitoringRecord.objects.create(
            household=household,
            category=household.monitoring_category,
            reason="因病因灾存在返贫风险",
            step="done",
            started_on=started,
            consent_on=started + timedelta(days=1),
            notice_from=started + timedelta(days=2),
            notice_to=started + timedelta(days=7),
            township_on=started + timedelta(days=9),
            decided_on=started + timedelta(days=12),
            decision="include",
            measures="落实产业奖补和公益岗位",
            created_by=users["zhujing"],
        )
    late = next((h for h in households if not h.monitoring_category), None)
    if late is not None and not late.monitoring_records.exists():
        MonitoringRecord.objects.create(
            household=late,
            category="sudden",
            reason="家中主要劳动力务工受伤",
            step="township",
            started_on=today - timedelta(days=20),
            consent_on=today - timedelta(days=19),
            notice_from=today - timedelta(days=17),
            notice_to=today - timedelta(days=12),
            created_by=users["zhujing"],
        )


def _diary(user, village, start, today) -> None:
    existing = set(DiaryEntry.objects.filter(user=user, village=village).values_list("day", flat=True))
    rows = []
    day = start
    while day < today:
        if day.weekday() == 4 and day not in existing:
            rng = random.Random(f"diary-{day.isoformat()}")
            rows.append(
                DiaryEntry(
                    user=user,
                    village=village,
                    day=day,
                    text=(
                        f"本周走访{rng.randint(4, 7)}户。{rng.choice(NEEDS)}，已记下，下周村务会研究。"
                        "汉江边雾大，山路湿滑，茶园的活却一天也不能停。"
                    ),
                )
            )
        day += timedelta(days=1)
    DiaryEntry.objects.bulk_create(rows)
