"""Demo households of Dalian village (idempotent: existing numbers are left alone)."""

import random

from shapely import wkb

from fieldwork.models import Education, Health, Household, Labour, Member, Relation, Sex
from villages.demo import VILLAGE_CODE, random_point_in
from villages.models import Area, Level

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
