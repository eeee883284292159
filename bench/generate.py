"""Fill a PostGIS database with a city-scale data set, fast, with PostgreSQL COPY.

    python -m bench.generate --scale 0.01 --database-url postgis://postgres@127.0.0.1:5432/zhucun_bench

Scale 1.0 is one city (Ankang, its 10 real counties), 150 towns, 2,000 villages,
700,000 households with members, 5,000,000 visits over two years, 20,000 projects
with sites and indicators, 200,000 payments through the seven-step chain and
50,000 dispute cases. Towns and villages are a Voronoi partition of random points,
clipped to their county (town); households are points inside their village.

Rows go in with `COPY … FROM STDIN` (psycopg 3), never one ORM save per row. Ids
are assigned here, so children can point at parents without reading them back.
Columns the generator does not know (a field another app added later) get the
field's default, NULL or "" — or the load stops with the field's name, so a new
required column is never filled with something made up. Personal data are real
Fernet tokens (the app decrypts them), encrypted with the bench keys of `bench.env`.
The random generators are seeded: the same scale gives the same data set.
"""

import argparse
import contextlib
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from bench import env as bench_env

SEED = 20261126
DATA = Path(__file__).resolve().parent.parent / "villages" / "data" / "ankang-counties-gcj02.geojson"
CITY_CODE = "610900"
# At scale 1.0; every figure is multiplied by the scale (with a floor so a tiny set still has each kind).
FULL = {
    "towns": 150,
    "villages": 2000,
    "households": 700_000,
    "visits": 5_000_000,
    "projects": 20_000,
    "payments": 200_000,
    "cases": 50_000,
}
# The village of benchmark B1 (a household layer of 2,000 households) and B5 (visit submission).
BIG_VILLAGE_HOUSEHOLDS = 2000
GROUPS_PER_VILLAGE = 4
PAYMENT_TEAMS = 3
DAYS = 730
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "明华建国军伟强磊洋勇艳杰娟涛超秀英兰芳桂玉德成海春林志平红云福寿金山"
FINDINGS = [
    "两不愁三保障均有保障",
    "家中老人身体欠佳，已提醒按时服药",
    "茶园春管进展正常",
    "外出务工收入稳定",
    "房屋屋顶有漏雨",
]
NEEDS = ["", "", "希望修通入户路", "需要茶叶技术培训", "申请临时救助"]


@dataclass
class Plan:
    scale: float
    towns: int
    villages: int
    households: int
    visits: int
    projects: int
    payments: int
    cases: int

    @classmethod
    def for_scale(cls, scale: float) -> "Plan":
        def n(key, floor):
            return max(floor, round(FULL[key] * scale))

        towns = n("towns", 10)
        return cls(
            scale=scale,
            towns=towns,
            villages=max(towns, n("villages", 20)),
            households=n("households", 400),
            visits=n("visits", 1000),
            projects=n("projects", 40),
            payments=n("payments", 200),
            cases=n("cases", 50),
        )


@dataclass
class State:
    """What later steps need from earlier ones (ids, geometry, who is who)."""

    now: dt.datetime
    city_id: int = 0
    county_ids: list = field(default_factory=list)
    towns: list = field(default_factory=list)  # (id, county_id, polygon)
    villages: list = field(default_factory=list)  # (id, town_id, polygon, code, name)
    groups: dict = field(default_factory=dict)  # village id -> [group ids]
    cadre_of: dict = field(default_factory=dict)  # village id -> user id
    hq_user: int = 0
    payment_teams: list = field(default_factory=list)  # [[user id for step 0..6], ...]
    hh_village: np.ndarray | None = None  # household index -> village id
    hh_ids: np.ndarray | None = None
    hh_xy: np.ndarray | None = None
    hh_group: np.ndarray | None = None
    counts: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# COPY


def _required_fill(model, columns: list[str], now) -> list[tuple[str, object]]:
    """Values for concrete columns the caller did not give: default, NULL, "" or a loud failure."""
    out = []
    for f in model._meta.concrete_fields:
        if f.attname in columns or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out.append((f.column, now))
        elif f.has_default() and callable(f.default) and f.unique:
            out.append((f.column, f.get_default))  # e.g. uuid4: a fresh value per row
        elif f.has_default():
            value = f.get_default()
            out.append((f.column, json.dumps(value) if isinstance(value, dict | list) else value))
        elif f.null:
            continue
        elif f.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField"}:
            out.append((f.column, ""))
        else:
            raise RuntimeError(f"bench.generate does not fill {model._meta.label}.{f.name} (NOT NULL, no default)")
    return out


def copy_rows(conn, model, columns: list[str], rows, now) -> int:
    """COPY `rows` (tuples in the order of `columns`, attnames) into the model's table; returns the count."""
    extra = _required_fill(model, columns, now)
    names = [model._meta.get_field(c).column if c != "id" else "id" for c in columns] + [c for c, _v in extra]
    tail = tuple(v for _c, v in extra)
    per_row = [i for i, v in enumerate(tail) if callable(v)]
    sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
    n = 0
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            if per_row:
                values = list(tail)
                for i in per_row:
                    values[i] = tail[i]()
                copy.write_row(row + tuple(values))
            else:
                copy.write_row(row + tail)
            n += 1
    return n


@contextlib.contextmanager
def deferred_indexes(conn, *models):
    """Drop the tables' secondary indexes for the load and build them once after it.

    Building an index over the loaded rows is several times faster than maintaining it row by
    row. Indexes that back a constraint (primary key, unique) stay. The definitions are read
    from the catalogue and replayed as they were; all inside the load's transaction, so a
    failed load rolls the drop back too.
    """
    found = []
    with conn.cursor() as cur:
        for model in models:
            table = model._meta.db_table
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
                [table, table],
            )
            found += cur.fetchall()
        for name, _definition in found:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with conn.cursor() as cur:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: run their pending checks now,
        # because PostgreSQL builds no index on a table with trigger events still queued.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in found:
            cur.execute(definition)
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def next_id(conn, model) -> int:
    with conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cur.fetchone()[0]


def reset_sequence(conn, model) -> None:
    """Move the id sequence past the ids written by COPY; never back (ids handed out stay handed out)."""
    table = model._meta.db_table
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT setval(seq, GREATEST((SELECT COALESCE(MAX(id), 1) FROM {table}), nextval(seq))) "
            f"FROM pg_get_serial_sequence('{table}', 'id') AS seq"
        )


def ewkt(geom) -> str:
    import shapely

    return "SRID=4326;" + shapely.to_wkt(geom, rounding_precision=6, trim=True)


# ---------------------------------------------------------------------------------------------------
# Areas: real counties, Voronoi towns and villages


def _random_points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    import shapely

    minx, miny, maxx, maxy = poly.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        batch = max(64, (n - len(found)) * 4)
        xy = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        found = np.vstack([found, xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _partition(poly, n: int, rng: np.random.Generator) -> list:
    """`n` polygons covering `poly`: Voronoi cells of random points inside it, clipped to it."""
    import shapely
    from shapely.geometry import MultiPoint, MultiPolygon, Polygon

    if n == 1:
        return [poly]
    seeds = _random_points_in(poly, n, rng)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=poly)
    out = []
    for cell in shapely.get_parts(cells):
        part = shapely.make_valid(cell.intersection(poly))
        polys = [g for g in shapely.get_parts(part) if isinstance(g, Polygon) and not g.is_empty]
        if polys:
            out.append(MultiPolygon(polys))
    return out


def _split_counts(total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights`, at least 1 each, summing exactly to `total`."""
    raw = [max(1.0, total * w / sum(weights)) for w in weights]
    counts = [max(1, int(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts) > total:
        j = max(range(len(counts)), key=lambda k: counts[k])
        counts[j] -= 1
    return counts


def load_areas(conn, plan: Plan, st: State, rng: np.random.Generator) -> None:
    import shapely
    from shapely.geometry import MultiPolygon, shape

    from villages.geo import geodesic_area_m2, to_wgs84
    from villages.models import Area

    features = json.loads(DATA.read_text())["features"]
    counties = []
    for feat in features:
        geom = to_wgs84(shape(feat["geometry"]), "gcj02")
        geom = shapely.make_valid(geom)
        if geom.geom_type == "Polygon":
            geom = MultiPolygon([geom])
        counties.append((feat["properties"]["adcode"], feat["properties"]["name"], geom))
    city_geom = shapely.union_all([g for _c, _n, g in counties])
    if city_geom.geom_type == "Polygon":
        city_geom = MultiPolygon([city_geom])

    next_area = next_id(conn, Area)
    rows = []

    def add(level, code, name, parent_id, path, geom):
        nonlocal next_area
        pk = next_area
        next_area += 1
        area = geodesic_area_m2(geom) if geom is not None else None
        rows.append((pk, level, code, name, parent_id, path, ewkt(geom) if geom is not None else None, area))
        return pk

    city_path = f"{CITY_CODE}/"
    st.city_id = add("city", CITY_CODE, "安康市", None, city_path, city_geom)
    town_counts = _split_counts(plan.towns, [geodesic_area_m2(g) for _c, _n, g in counties])
    towns = []
    for (code, name, geom), n_towns in zip(counties, town_counts, strict=True):
        cid = add("county", code, name, st.city_id, f"{city_path}{code}/", geom)
        st.county_ids.append(cid)
        for i, cell in enumerate(_partition(geom, n_towns, rng), start=1):
            tcode = f"{code}{i:03d}"
            tid = add("town", tcode, f"{name[:2]}{i}镇", cid, f"{city_path}{code}/{tcode}/", cell)
            towns.append((tid, cid, cell, tcode, f"{city_path}{code}/{tcode}/"))
    village_counts = _split_counts(plan.villages, [geodesic_area_m2(t[2]) for t in towns])
    for (tid, cid, cell, tcode, tpath), n_villages in zip(towns, village_counts, strict=True):
        st.towns.append((tid, cid, cell))
        for j, vcell in enumerate(_partition(cell, n_villages, rng), start=1):
            vcode = f"{tcode}{j:03d}"
            vname = f"{SURNAMES[(j * 7) % len(SURNAMES)]}家{j}村"
            vid = add("village", vcode, vname, tid, f"{tpath}{vcode}/", vcell)
            st.villages.append((vid, tid, vcell, vcode, vname))
            groups = []
            for g in range(1, GROUPS_PER_VILLAGE + 1):
                gcode = f"{vcode}{g:02d}"
                groups.append(add("group", gcode, f"{g}组", vid, f"{tpath}{vcode}/{gcode}/", None))
            st.groups[vid] = groups
    cols = ["id", "level", "code", "name", "parent_id", "path", "boundary", "area_m2"]
    st.counts["areas"] = copy_rows(conn, Area, cols, iter(rows), st.now)
    reset_sequence(conn, Area)


# ---------------------------------------------------------------------------------------------------
# People, log-ins and roles


def load_people(conn, plan: Plan, st: State) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from villages.models import PAYMENT_ROLES, Person, Role, RoleAssignment

    user_model = get_user_model()
    password = make_password(bench_env.BENCH_PASSWORD)
    uid, pid, rid = next_id(conn, user_model), next_id(conn, Person), next_id(conn, RoleAssignment)
    users, people, roles = [], [], []

    def person(username, name, title, role, area_id):
        nonlocal uid, pid, rid
        users.append((uid, username, password, name[:1], name[1:], True, False, False, st.now))
        people.append((pid, uid, name, "安康市总工会", title, ""))
        roles.append((rid, pid, area_id, role))
        uid, pid, rid = uid + 1, pid + 1, rid + 1
        return uid - 1

    st.hq_user = person("bench_hq", "周明", "办公室主任", Role.HQ_STAFF, st.city_id)
    for team in range(PAYMENT_TEAMS):
        members = []
        for step, role in enumerate(PAYMENT_ROLES):
            name = SURNAMES[(team * 7 + step) % len(SURNAMES)] + GIVEN[step]
            members.append(person(f"bench_pay{team}_{step}", name, str(role), role, st.city_id))
        st.payment_teams.append(members)
    for i, (tid, _cid, _cell) in enumerate(st.towns):
        person(f"bench_town{i}", SURNAMES[i % len(SURNAMES)] + "镇", "乡镇干部", Role.TOWNSHIP_OFFICER, tid)
    for i, (vid, _tid, _cell, _code, _name) in enumerate(st.villages):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)]
        st.cadre_of[vid] = person(f"bench_cadre{i}", name, "驻村第一书记", Role.FIRST_SECRETARY, vid)
    ucols = ["id", "username", "password", "first_name", "last_name", "is_active", "is_staff", "is_superuser"]
    st.counts["users"] = copy_rows(conn, user_model, [*ucols, "date_joined"], iter(users), st.now)
    copy_rows(conn, Person, ["id", "user_id", "name", "organisation", "title", "phone"], iter(people), st.now)
    copy_rows(conn, RoleAssignment, ["id", "person_id", "area_id", "role"], iter(roles), st.now)
    for model in (user_model, Person, RoleAssignment):
        reset_sequence(conn, model)


# ---------------------------------------------------------------------------------------------------
# Households and members


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _id_number(rnd: random.Random, county_code: str, year: int) -> str:
    body = f"{county_code}{year}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}"
    return body + rnd.choice("0123456789X")


def load_households(conn, plan: Plan, st: State, rng: np.random.Generator, rnd: random.Random) -> None:
    from fieldwork.models import Household, Member
    from villages import crypto

    n_villages = len(st.villages)
    big = min(BIG_VILLAGE_HOUSEHOLDS, plan.households // 4)
    rest = plan.households - big
    per_village = [big] + _split_counts(rest, [1.0] * (n_villages - 1)) if n_villages > 1 else [plan.households]
    village_ids = np.repeat([v[0] for v in st.villages], per_village)
    # Inside a boundary shrunk by ~2 m, so rounding coordinates to 6 decimals never moves a point out.
    inner = [v[2].buffer(-0.00002) for v in st.villages]
    inner = [shrunk if not shrunk.is_empty else v[2] for shrunk, v in zip(inner, st.villages, strict=True)]
    xy = np.vstack([_random_points_in(poly, k, rng) for poly, k in zip(inner, per_village, strict=True)])
    hid0, mid0 = next_id(conn, Household), next_id(conn, Member)
    ids = np.arange(hid0, hid0 + plan.households)
    groups = np.array([st.groups[v][rnd.randrange(GROUPS_PER_VILLAGE)] for v in village_ids.tolist()])
    st.hh_ids, st.hh_village, st.hh_xy, st.hh_group = ids, village_ids, xy, groups
    # A pool of encrypted phones (not personal: synthetic), unique encrypted ID numbers for heads.
    phones = [crypto.encrypt(f"1{rnd.choice('35789')}{rnd.randint(0, 999999999):09d}") for _ in range(500)]
    categories = ["unstable", "marginal", "sudden"]
    members = []

    def households():
        member_id = mid0
        for i in range(plan.households):
            vid = int(village_ids[i])
            county = str(vid)  # only the shape of the ID number matters here
            head = _name(rnd)
            idn = _id_number(rnd, "6109" + county[-2:].rjust(2, "0"), rnd.randint(1945, 1995))
            category = rnd.choice(categories) if rnd.random() < 0.04 else ""
            yield (
                int(ids[i]),
                vid,
                int(groups[i]),
                f"{i + 1:07d}",
                head,
                f"{(i % 40) + 1}号",
                f"SRID=4326;POINT({xy[i, 0]:.6f} {xy[i, 1]:.6f})",
                rnd.choice(phones),
                crypto.encrypt(idn),
                crypto.blind_index(idn),
                rnd.random() < 0.3,
                category,
                1,
                st.now,
                st.now,
            )
            born = rnd.randint(1945, 1995)
            size = rnd.choice((1, 2, 3, 3, 4, 4, 5, 6))
            for k in range(size):
                relation = "head" if k == 0 else ("spouse" if k == 1 else "child")
                year = born if k < 2 else rnd.randint(born + 20, min(born + 40, 2024))
                members.append(
                    (
                        member_id,
                        int(ids[i]),
                        head if k == 0 else _name(rnd),
                        relation,
                        "m" if (k + i) % 2 == 0 else "f",
                        year,
                        "junior",
                        "chronic" if rnd.random() < 0.08 else "healthy",
                        "full" if year > 1960 else "partial",
                        rnd.random() < 0.25,
                    )
                )
                member_id += 1

    cols = [
        "id",
        "village_id",
        "group_id",
        "number",
        "head_name",
        "address",
        "location",
        "phone",
        "id_number",
        "id_number_hash",
        "lifted_out_of_poverty",
        "monitoring_category",
        "version",
        "created",
        "updated",
    ]
    mcols = ["id", "household_id", "name", "relation", "sex", "birth_year", "education", "health", "labour"]
    with deferred_indexes(conn, Household, Member):
        st.counts["households"] = copy_rows(conn, Household, cols, households(), st.now)
        st.counts["members"] = copy_rows(conn, Member, [*mcols, "working_away"], iter(members), st.now)
    reset_sequence(conn, Household)
    reset_sequence(conn, Member)


# ---------------------------------------------------------------------------------------------------
# Visits, meetings, problems, check-ins (the "三个一" rhythm)


def load_visits(conn, plan: Plan, st: State, rng: np.random.Generator) -> None:
    from fieldwork.models import Visit

    n = plan.visits
    pick = rng.integers(0, len(st.hh_ids), n)
    seconds = rng.integers(3600, DAYS * 86400, n)
    jitter = rng.normal(0, 0.0002, (n, 2))
    accuracy = rng.gamma(2.0, 10.0, n).round(1)
    start = st.now
    purposes = ["routine", "routine", "routine", "monitoring", "policy", "help", "follow_up"]
    vid0 = next_id(conn, Visit)

    # Plain Python lists: element access on numpy arrays costs a microsecond a time.
    hh_ids, hh_village = st.hh_ids.tolist(), st.hh_village.tolist()
    xs = (st.hh_xy[pick, 0] + jitter[:, 0]).tolist()
    ys = (st.hh_xy[pick, 1] + jitter[:, 1]).tolist()
    picks, secs, acc = pick.tolist(), seconds.tolist(), accuracy.tolist()
    cadre_of = st.cadre_of

    def rows():
        for i in range(n):
            h = picks[i]
            village = hh_village[h]
            at = start - dt.timedelta(seconds=secs[i])
            yield (
                vid0 + i,
                hh_ids[h],
                village,
                cadre_of[village],
                at,
                purposes[i % 7],
                FINDINGS[i % 5],
                NEEDS[i % 5],
                "",
                f"SRID=4326;POINT({xs[i]:.6f} {ys[i]:.6f})",
                acc[i],
                acc[i] > 50,
                False,
                at,
            )

    cols = ["id", "household_id", "village_id", "visitor_id", "visited_at", "purpose", "findings", "needs"]
    cols += ["help_given", "location", "accuracy_m", "gps_poor", "outside_village", "created"]
    with deferred_indexes(conn, Visit):
        st.counts["visits"] = copy_rows(conn, Visit, cols, rows(), st.now)
    reset_sequence(conn, Visit)


def load_rhythm(conn, plan: Plan, st: State, rnd: random.Random) -> None:
    """A weekly meeting, about one problem a month and ~20 check-in days a month, per village."""
    from fieldwork.models import CheckIn, Meeting, Problem

    meetings, problems, checkins = [], [], []
    mid, pid, cid = next_id(conn, Meeting), next_id(conn, Problem), next_id(conn, CheckIn)
    today = st.now.date()
    for vid, *_rest in st.villages:
        cadre = st.cadre_of[vid]
        for week in range(DAYS // 7):
            if rnd.random() < 0.9:
                at = st.now - dt.timedelta(days=week * 7 + rnd.randint(0, 6), hours=rnd.randint(1, 8))
                meetings.append((mid, vid, "affairs", at, "村委会", "茶园管护、用水安排", "", "", cadre, at))
                mid += 1
        for month in range(DAYS // 30):
            raised = today - dt.timedelta(days=month * 30 + rnd.randint(0, 29))
            solved = rnd.random() < 0.8 and month > 0
            status = "solved" if solved else "open"
            closed = raised + dt.timedelta(days=rnd.randint(1, 25)) if solved else None
            outcome = "已协调解决" if solved else ""
            row = (pid, vid, "入户路损坏", "direct", raised, status, outcome, closed, cadre, st.now)
            problems.append(row)
            pid += 1
        for day in range(90):
            if rnd.random() < 0.72:
                d = today - dt.timedelta(days=day)
                at = dt.datetime.combine(d, dt.time(1, 30), tzinfo=dt.UTC)
                checkins.append((cid, cadre, vid, d, at, False, False))
                cid += 1
    mcols = ["id", "village_id", "kind", "held_at", "place", "topics", "decisions", "minutes", "recorded_by_id"]
    st.counts["meetings"] = copy_rows(conn, Meeting, [*mcols, "created"], iter(meetings), st.now)
    pcols = ["id", "village_id", "title", "source", "raised_on", "status", "outcome", "closed_on", "raised_by_id"]
    st.counts["problems"] = copy_rows(conn, Problem, [*pcols, "created"], iter(problems), st.now)
    ccols = ["id", "user_id", "village_id", "day", "checked_at", "gps_poor", "outside_village"]
    st.counts["checkins"] = copy_rows(conn, CheckIn, ccols, iter(checkins), st.now)
    for model in (Meeting, Problem, CheckIn):
        reset_sequence(conn, model)


# ---------------------------------------------------------------------------------------------------
# Projects, budgets, sites, indicators, payments through the chain


PROJECT_KINDS = [
    ("irrigation", "管道修复", "pipe", "m"),
    ("irrigation", "蓄水池", "reservoir", "座"),
    ("tea_garden", "茶园改造", "tea_garden", "亩"),
    ("road", "入户路硬化", "road", "m"),
    ("culture_centre", "文化中心提升", "building", "个"),
]


def _site_geometry(kind: str, x: float, y: float, rnd: random.Random):
    from shapely.geometry import LineString, Point, Polygon

    if kind in {"pipe", "road"}:
        pts = [(x, y)]
        for _ in range(rnd.randint(3, 8)):
            x, y = x + rnd.uniform(-0.002, 0.002), y + rnd.uniform(-0.002, 0.002)
            pts.append((x, y))
        return LineString(pts)
    if kind == "tea_garden":
        d = rnd.uniform(0.0008, 0.003)
        return Polygon([(x, y), (x + d, y), (x + d, y + d * 0.8), (x, y + d * 0.7), (x, y)])
    return Point(x, y)


def load_projects(conn, plan: Plan, st: State, rnd: random.Random) -> None:
    from projects.models import (
        BudgetLine,
        DepartmentBudget,
        Funder,
        Grant,
        Indicator,
        Invoice,
        Payment,
        PaymentStep,
        Project,
        ProjectBudget,
        ProjectSite,
    )
    from villages.geo import geodesic_area_m2, geodesic_length_m
    from villages.models import PAYMENT_ROLES

    now, year = st.now, st.now.year
    fid = next_id(conn, Funder)
    funders = [(fid, "BENCH-UNION", "安康市总工会", "union"), (fid + 1, "BENCH-WATER", "安康市水利局", "government")]
    copy_rows(conn, Funder, ["id", "code", "name", "kind"], iter(funders), now)
    did = next_id(conn, DepartmentBudget)
    dept = {y: did + k for k, y in enumerate((year - 1, year))}
    dept_rows = [
        (dept[y], st.city_id, y, f"BENCH-DB-{y}", f"{y}年市总工会部门预算", Decimal("900000000.00")) for y in dept
    ]
    copy_rows(conn, DepartmentBudget, ["id", "area_id", "year", "code", "name", "amount"], iter(dept_rows), now)

    villages = [v[0] for v in st.villages]
    town_county = {t[0]: t[1] for t in st.towns}
    village_county = {v[0]: town_county[v[1]] for v in st.villages}
    # One union grant per county and year, one water-bureau grant per county.
    gid = next_id(conn, Grant)
    grants, grant_of = [], {}
    for cid in st.county_ids:
        for y in (year - 1, year):
            grant_of[(cid, y, 0)] = gid
            grants.append((gid, fid, cid, f"BENCH-G-{cid}-{y}", f"{y}年帮扶项目资金", "村级帮扶项目", Decimal("0"), y))
            gid += 1
        grant_of[(cid, year, 1)] = gid
        grants.append((gid, fid + 1, cid, f"BENCH-W-{cid}", "抗旱水源工程补助", "抗旱应急水源", Decimal("0"), year))
        gid += 1
    grant_total = dict.fromkeys(grant_of.values(), Decimal("0"))

    pid0, pbid0, lid0 = next_id(conn, Project), next_id(conn, ProjectBudget), next_id(conn, BudgetLine)
    sid, iid = next_id(conn, ProjectSite), next_id(conn, Indicator)
    payid, stepid, invid = next_id(conn, Payment), next_id(conn, PaymentStep), next_id(conn, Invoice)
    projects, budgets, lines, sites, indicators, payments, steps, invoices = ([] for _ in range(8))
    pays_per_project = _split_counts(plan.payments, [1.0] * plan.projects)
    village_xy = {}
    for h in range(0, len(st.hh_ids), max(1, len(st.hh_ids) // (len(villages) * 4))):
        village_xy.setdefault(int(st.hh_village[h]), tuple(st.hh_xy[h]))
    for vid, _tid, cell, _code, _name in st.villages:
        village_xy.setdefault(vid, (cell.representative_point().x, cell.representative_point().y))

    for p in range(plan.projects):
        pid, vid = pid0 + p, villages[p % len(villages)]
        ptype, pname, skind, unit = PROJECT_KINDS[p % len(PROJECT_KINDS)]
        y = year - 1 if p % 3 == 0 else year
        water = ptype == "irrigation" and p % 4 == 1
        grant = grant_of[(village_county[vid], year if water else y, 1 if water else 0)]
        starts = dt.date(y, 1 + p % 6, 1)
        stage = "assets_registered" if y < year else "under_construction"
        projects.append(
            (pid, f"BENCH-P{p + 1:06d}", f"{pname}项目{p + 1}", ptype, vid, pname, "村集体经济合作社", "村支书")
            + (starts, starts + dt.timedelta(days=300), stage, now)
        )
        budgets.append((pbid0 + p, pid, grant, dept[y] if not water else None, f"{pname}预算"))
        amounts = [Decimal(rnd.randrange(50_000, 400_000)) for _ in range(2)]
        line_ids = []
        for k, amount in enumerate(amounts):
            lid = lid0 + 2 * p + k
            line_ids.append((lid, amount))
            category = "309" if k == 0 else "302"
            lines.append(
                (lid, pbid0 + p, f"BENCH-L{p + 1:06d}-{k + 1}", f"{pname}明细{k + 1}", category, amount, amount)
            )
            grant_total[grant] += amount
        x0, y0 = village_xy[vid]
        measured = Decimal(0)
        for s in range(1 + p % 2):
            geom = _site_geometry(skind, x0 + rnd.uniform(-0.004, 0.004), y0 + rnd.uniform(-0.004, 0.004), rnd)
            length = round(geodesic_length_m(geom), 1) if geom.geom_type == "LineString" else None
            area = round(geodesic_area_m2(geom), 1) if geom.geom_type == "Polygon" else None
            measured += Decimal(str(length or (area or 0) * 0.0015 or 1))
            sites.append((sid, pid, skind, f"{pname}{s + 1}", ewkt(geom), length, area, 1))
            sid += 1
        target = (measured * Decimal("0.9")).quantize(Decimal("0.01"))
        indicators.append((iid, pid, "quantity", pname, unit, "ge", target, skind))
        indicators.append((iid + 1, pid, "satisfaction", "群众满意度", "%", "ge", Decimal("90"), ""))
        iid += 2
        # Payments: spend at most 90% of each line (no budget, no spending), every chain valid.
        n_pay = pays_per_project[p]
        for q in range(n_pay):
            lid, line_amount = line_ids[q % 2]
            share = (line_amount * Decimal("0.9") / max(1, (n_pay + 1 - q % 2) // 2)).quantize(Decimal("0.01"))
            amount = max(Decimal("100.00"), (share * Decimal(rnd.randint(50, 100)) / 100).quantize(Decimal("0.01")))
            team = st.payment_teams[(p + q) % len(st.payment_teams)]
            roll = rnd.random()
            done = len(PAYMENT_ROLES) if roll < 0.85 else (rnd.randint(1, 6) if roll < 0.97 else 0)
            created = dt.datetime.combine(starts, dt.time(2), tzinfo=dt.UTC) + dt.timedelta(days=rnd.randint(5, 250))
            created = min(created, now - dt.timedelta(days=2))
            status = "completed" if done == len(PAYMENT_ROLES) else ("in_chain" if done else "draft")
            paid = created.date() + dt.timedelta(days=1) if done > 4 else None
            payments.append(
                (payid, f"BENCH-PAY{payid:07d}", pid, lid, "works", f"{pname}第{q + 1}笔", "安康某建设有限公司")
                + ("6222000000000000", amount, "transfer", status, min(done, len(PAYMENT_ROLES) - 1), done + 1)
                + (created, f"TR{payid:09d}" if paid else "", f"PZ{payid:08d}" if done > 5 else "", paid)
                + (team[0], created)
            )
            for k in range(done):
                at = created + dt.timedelta(hours=6 * k)
                steps.append((stepid, payid, k, PAYMENT_ROLES[k], "done", team[k], at, ""))
                stepid += 1
            if done:
                invoices.append(
                    (invid, payid, "", f"{payid:020d}", f"{payid:020d}", created.date(), amount, "某建设公司")
                )
                invid += 1
            payid += 1

    def grant_rows():
        for gid_, funder, cid, code, name, purpose, _zero, y in grants:
            amount = max(grant_total[gid_], Decimal("1.00"))
            yield (gid_, funder, cid, code, name, purpose, amount, dt.date(y, 1, 1), dt.date(y + 1, 12, 31))

    copy_rows(
        conn,
        Grant,
        ["id", "funder_id", "area_id", "code", "name", "purpose", "amount", "starts_on", "ends_on"],
        grant_rows(),
        now,
    )
    pcols = ["id", "code", "name", "type", "village_id", "works", "implementer", "responsible_person"]
    st.counts["projects"] = copy_rows(
        conn, Project, [*pcols, "starts_on", "ends_on", "stage", "created"], iter(projects), now
    )
    bcols = ["id", "project_id", "grant_id", "department_budget_id", "name"]
    copy_rows(conn, ProjectBudget, bcols, iter(budgets), now)
    lcols = ["id", "project_budget_id", "code", "name", "economic_category", "original_amount", "current_amount"]
    st.counts["budget_lines"] = copy_rows(conn, BudgetLine, lcols, iter(lines), now)
    scols = ["id", "project_id", "kind", "name", "geometry", "length_m", "area_m2", "count"]
    st.counts["sites"] = copy_rows(conn, ProjectSite, scols, iter(sites), now)
    icols = ["id", "project_id", "kind", "name", "unit", "comparator", "target", "site_kind"]
    st.counts["indicators"] = copy_rows(conn, Indicator, icols, iter(indicators), now)
    paycols = ["id", "number", "project_id", "budget_line_id", "type", "purpose", "payee", "payee_account", "amount"]
    paycols += ["method", "status", "step", "version", "step_since", "transfer_reference", "voucher_number"]
    paycols += ["paid_on", "created_by_id", "created"]
    stcols = ["id", "payment_id", "step", "role", "action", "actor_id", "acted_at", "note"]
    with deferred_indexes(conn, Payment, PaymentStep):
        st.counts["payments"] = copy_rows(conn, Payment, paycols, iter(payments), now)
        st.counts["payment_steps"] = copy_rows(conn, PaymentStep, stcols, iter(steps), now)
    icols = ["id", "payment_id", "code", "number", "key", "issued_on", "amount", "seller"]
    st.counts["invoices"] = copy_rows(conn, Invoice, icols, iter(invoices), now)
    for model in (Funder, DepartmentBudget, Grant, Project, ProjectBudget, BudgetLine, ProjectSite, Indicator):
        reset_sequence(conn, model)
    for model in (Payment, PaymentStep, Invoice):
        reset_sequence(conn, model)


# ---------------------------------------------------------------------------------------------------
# Dispute cases


def load_cases(conn, plan: Plan, st: State, rng: np.random.Generator, rnd: random.Random) -> None:
    from grievances import conf
    from grievances.models import Case, Party
    from villages import crypto

    categories = [code for code, _label in conf.categories()]
    names = [crypto.encrypt(_name(rnd)) for _ in range(300)]
    cid0, partyid = next_id(conn, Case), next_id(conn, Party)
    statuses = ["closed"] * 6 + ["mediating", "received", "assigned", "performing", "escalated", "referred"]
    cases, parties = [], []
    today = st.now.date()
    pick = rng.integers(0, len(st.hh_ids), plan.cases)
    for i in range(plan.cases):
        h = int(pick[i])
        vid = int(st.hh_village[h])
        received = today - dt.timedelta(days=rnd.randint(0, DAYS))
        level = "village" if i % 5 else "township"
        deadline = received + dt.timedelta(days=7 if level == "village" else 20)
        status = statuses[i % len(statuses)]
        closed = status in {"closed", "referred"}
        overdue = not closed and deadline < today
        x, y = st.hh_xy[h]
        cases.append(
            (cid0 + i, f"BENCH-C{i + 1:07d}", vid, int(st.hh_group[h]), f"SRID=4326;POINT({x:.6f} {y:.6f})")
            + ("cluster_head", categories[i % len(categories)], "用水纠纷", "两户因灌溉用水发生争执", "low", level)
            + (status, received, deadline, overdue, deadline if overdue else None)
            + (deadline if closed else None, deadline if status == "closed" else None, 0)
            + ("司法所" if status == "referred" else "", "达成协议" if closed else "", st.cadre_of[vid], st.now, st.now)
        )
        for role in ("applicant", "respondent"):
            hh = int(st.hh_ids[h]) if role == "applicant" else None
            parties.append((partyid, cid0 + i, role, hh, rnd.choice(names), "", "", ""))
            partyid += 1
    cols = ["id", "number", "village_id", "group_id", "location", "source", "category", "title", "facts", "risk"]
    cols += ["level", "status", "received_on", "deadline", "overdue", "overdue_since", "resolved_on", "closed_on"]
    cols += ["escalations", "referred_to", "outcome", "handler_id", "created", "updated"]
    st.counts["cases"] = copy_rows(conn, Case, cols, iter(cases), st.now)
    pcols = ["id", "case_id", "role", "household_id", "name", "id_number", "id_number_hash", "phone"]
    st.counts["parties"] = copy_rows(conn, Party, pcols, iter(parties), st.now)
    reset_sequence(conn, Case)
    reset_sequence(conn, Party)


# ---------------------------------------------------------------------------------------------------
# The whole data set


META_TABLE = "bench_dataset"


def dataset_info(conn) -> dict | None:
    """The finished data set's description, or None when there is none (or it was interrupted)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT info FROM {META_TABLE} WHERE key = 'dataset'")
        row = cur.fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def _installed(label: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def generate(scale: float, *, now: dt.datetime | None = None, log=print) -> dict:
    """Load the data set into the configured (empty, migrated) database; returns its description."""
    from django.db import connection, transaction

    plan = Plan.for_scale(scale)
    rng = np.random.default_rng(SEED)
    rnd = random.Random(SEED)
    st = State(now=now or dt.datetime.now(dt.UTC).replace(microsecond=0))
    timings = {}
    steps = [
        ("areas", "villages.Area", lambda c: load_areas(c, plan, st, rng)),
        ("people", "villages.Person", lambda c: load_people(c, plan, st)),
        ("households", "fieldwork.Household", lambda c: load_households(c, plan, st, rng, rnd)),
        ("visits", "fieldwork.Visit", lambda c: load_visits(c, plan, st, rng)),
        ("rhythm", "fieldwork.Meeting", lambda c: load_rhythm(c, plan, st, rnd)),
        ("projects", "projects.Payment", lambda c: load_projects(c, plan, st, rnd)),
        ("cases", "grievances.Case", lambda c: load_cases(c, plan, st, rng, rnd)),
    ]
    connection.ensure_connection()
    conn = connection.connection
    with transaction.atomic():
        for name, label, step in steps:
            if not _installed(label):
                log(f"  {name}: skipped ({label} does not exist yet)")
                continue
            began = time.perf_counter()
            step(conn)
            timings[name] = round(time.perf_counter() - began, 2)
            log(f"  {name}: {timings[name]} s")
        big = st.villages[0]
        info = {
            "scale": scale,
            "seed": SEED,
            "generated_at": st.now.isoformat(),
            "counts": st.counts,
            "seconds": timings,
            "big_village": {"id": big[0], "code": big[3], "cadre": f"bench_cadre{0}"},
            "hq_user": "bench_hq",
            "city_id": st.city_id,
        }
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, info jsonb NOT NULL)")
            cur.execute(
                f"INSERT INTO {META_TABLE} VALUES ('dataset', %s) ON CONFLICT (key) DO UPDATE SET info = EXCLUDED.info",
                [json.dumps(info)],
            )
    began = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    info["seconds"]["analyze"] = round(time.perf_counter() - began, 2)
    return info


def prepare_database(database_url: str, *, recreate: bool = False, log=print) -> None:
    """Create the PostGIS database if it does not exist (or drop and create it), then migrate."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    settings_db = connection.settings_dict
    name = settings_db["NAME"]
    admin = psycopg.connect(
        host=settings_db["HOST"] or "127.0.0.1",
        port=settings_db["PORT"] or 5432,
        user=settings_db["USER"] or "postgres",
        password=settings_db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            connection.close()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {name}")
            admin.execute(f'CREATE DATABASE "{name}"')
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    call_command("migrate", "--noinput", verbosity=0)


def setup(database_url: str, redis_url: str | None = None) -> None:
    bench_env.apply(database_url, redis_url)
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark data set (PostGIS).")
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--database-url", default=bench_env.DEFAULT_DATABASE_URL)
    parser.add_argument("--recreate", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    if not (0 < args.scale <= 10):
        parser.error("--scale must be in (0, 10]")
    setup(args.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("the benchmark data set needs PostGIS (postgis://…)")
    began = time.perf_counter()
    prepare_database(args.database_url, recreate=args.recreate)
    existing = dataset_info(connection.connection)
    if existing is not None:
        print(f"a data set (scale {existing['scale']}) is already there; use --recreate to replace it")
        return 1
    print(f"generating scale {args.scale} (seed {SEED})")
    info = generate(args.scale)
    print(json.dumps(info["counts"], ensure_ascii=False))
    print(f"done in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
