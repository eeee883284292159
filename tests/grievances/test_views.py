import uuid

import pytest
from django.utils import timezone

from grievances.models import Case, Status
from tests.conftest import PERSONA_NAMES
from tests.grievances.factories import make_case, run_to

pytestmark = pytest.mark.django_db

# persona → expected status for reading a case of village A / acting on it
READ = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
ACT = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 403, "auditor": 403, "funder": 403, "anonymous": 302}
LIST = {"cadre_a": 200, "cadre_b": 200, "township": 200, "hq": 200, "auditor": 200, "funder": 200, "anonymous": 302}
INTAKE = {"cadre_a": 200, "cadre_b": 200, "township": 200, "hq": 403, "auditor": 403, "funder": 403, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/disputes/", LIST),
        ("/disputes/ledger/", LIST),
        ("/disputes/ledger.xlsx", LIST),
        ("/disputes/new/", INTAKE),
        ("/disputes/{pk}/", READ),
        ("/disputes/{pk}/classify/", ACT),
        ("/disputes/{pk}/party/", ACT),
        ("/disputes/{pk}/deadline/", ACT),
        ("/disputes/api/cases/", {**LIST, "anonymous": 403}),
        ("/disputes/api/cases/{pk}/", {**READ, "anonymous": 403}),
    ],
)
def test_permission_matrix(client_as, case_a, persona, url, expected):
    response = client_as(persona).get(url.format(pk=case_a.pk))
    assert response.status_code == expected[persona]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_lets_only_handlers_move_a_case_on(client_as, case_a, persona):
    response = client_as(persona).post(
        f"/disputes/{case_a.pk}/classify/", {"category": "land", "risk": "high", "level": "village"}
    )
    case_a.refresh_from_db()
    if ACT[persona] == 200:
        assert response.status_code == 302 and case_a.status == Status.CLASSIFIED
    else:
        assert response.status_code == ACT[persona] and case_a.status == Status.RECEIVED


def test_it_lists_only_cases_in_scope(client_as, personas, tree, case_a):
    make_case(personas.cadre_b, tree.village_b, title="东河村宅基地纠纷")
    page = client_as("cadre_a").get("/disputes/").content.decode()
    assert case_a.title in page and "东河村宅基地纠纷" not in page
    page = client_as("township").get("/disputes/").content.decode()
    assert case_a.title in page and "东河村宅基地纠纷" in page


def _intake(home, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "village": home.pk,
        "source": "deputy",
        "category": "water",
        "title": "茶园灌溉争水",
        "facts": "上下游两户争用山泉水。",
        "risk": "medium",
        "level": "village",
        "received_on": timezone.localdate().isoformat(),
        "applicant_name": "吴成高",
        "applicant_phone": "13700001111",
        "respondent_name": "李德华",
        **extra,
    }


def test_it_takes_in_a_case_from_the_form_once_even_if_sent_twice(client_as, tree):
    client = client_as("cadre_a")
    data = _intake(tree.village_a, group=tree.group_a1.pk, latitude="32.41", longitude="108.51")
    first = client.post("/disputes/new/", data)
    second = client.post("/disputes/new/", data)
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302 and first["Location"] == f"/disputes/{case.pk}/"
    assert case.parties.count() == 2 and case.group == tree.group_a1 and case.location.x == pytest.approx(108.51)
    assert case.recorded_by.username == "cadre_a"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"village": "B"}, "选择一个有效的选项"),
        ({"deadline": "2000-01-01"}, "办结期限不能早于今天"),
        ({"category": "alien"}, "选择一个有效的选项"),
        ({"group": "B1"}, "选择一个有效的选项"),
        ({"title": "x" * 500}, "不超过"),
        ({"latitude": "32.4"}, "位置信息不完整"),
    ],
)
def test_it_refuses_bad_intake_in_chinese_and_saves_nothing(client_as, tree, change, message):
    areas = {"B": tree.village_b.pk, "B1": tree.group_b1.pk}
    change = {k: areas.get(v, v) for k, v in change.items()}
    response = client_as("cadre_a").post("/disputes/new/", _intake(tree.village_a, **change))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_a_forbidden_transition_in_the_browser_flow(client_as, case_a):
    response = client_as("cadre_a").post(f"/disputes/{case_a.pk}/close/", {"outcome": "x"})
    assert response.status_code == 200 and "现在不能结案" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == Status.RECEIVED


def test_it_walks_a_case_through_every_form(client_as, personas, case_a):
    client = client_as("cadre_a")
    today = timezone.localdate().isoformat()
    steps = [
        ("classify", {"category": "water", "risk": "low", "level": "village"}),
        ("assign", {"handler": personas.cadre_a.pk}),
        ("session", {"held_on": today, "mediators": "朱晶", "participants": "双方", "summary": "初步沟通"}),
        (
            "agree",
            {
                "form": "written",
                "signed_on": today,
                "facts": "共用水渠",
                "disputed_points": "用水顺序",
                "responsibilities": "各半",
                "terms": "轮流用水",
                "performance": "即日执行",
                "perform_by": today,
                "mediators": "朱晶",
            },
        ),
        ("confirmation", {"applied_on": today, "court": "紫阳县人民法院"}),
        ("perform", {}),
        ("revisit", {"visited_on": today, "carried_out": "yes", "satisfaction": "5"}),
        ("close", {"outcome": "协议已履行"}),
        ("reopen", {"reason": "一方反悔"}),
    ]
    for verb, data in steps:
        response = client.post(f"/disputes/{case_a.pk}/{verb}/", data)
        assert response.status_code == 302, (verb, response.content.decode()[-2000:])
    case_a.refresh_from_db()
    assert case_a.status == Status.ASSIGNED and case_a.sessions.count() == 1
    page = client.get(f"/disputes/{case_a.pk}/").content.decode()
    assert "一方反悔" in page and "办理过程" in page


def test_it_shows_the_return_visit_and_agreement_on_the_case_page(client_as, personas, case_a):
    run_to(case_a, personas.cadre_a, "closed", today=timezone.localdate())
    page = client_as("township").get(f"/disputes/{case_a.pk}/").content.decode()
    assert "单双日轮流用水" in page and "5/5" in page
    assert "打印协议书" in page
    assert "打印协议书" not in client_as("hq").get(f"/disputes/{case_a.pk}/").content.decode()


def test_it_returns_404_for_an_unknown_action(client_as, case_a):
    assert client_as("cadre_a").get(f"/disputes/{case_a.pk}/explode/").status_code == 404


def _project(village, code="P1"):
    from projects.models import Project

    return Project.objects.create(
        code=code,
        name="大连村抗旱水利设施",
        type="irrigation",
        village=village,
        implementer="大连村委会",
        responsible_person="谢志军",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )


def test_it_relates_a_case_to_a_project_of_its_village_only(client_as, tree, case_a):
    own, other = _project(tree.village_a), _project(tree.village_b, "P2")
    client = client_as("cadre_a")
    refused = client.post(f"/disputes/{case_a.pk}/project/", {"related_project": other.pk})
    assert refused.status_code == 200
    assert client.post(f"/disputes/{case_a.pk}/project/", {"related_project": own.pk}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.related_project == own and list(own.cases.all()) == [case_a]
    page = client.get(f"/disputes/{case_a.pk}/").content.decode()
    assert "大连村抗旱水利设施" in page and f"/projects/{own.pk}/" in page


def test_the_service_refuses_a_project_of_another_village(personas, tree, case_a):
    from django.core.exceptions import ValidationError

    from grievances import services

    with pytest.raises(ValidationError, match="本村"):
        services.case_link(
            actor=personas.cadre_a, case=case_a, field="related_project", target=_project(tree.village_b)
        )
    case_a.refresh_from_db()
    assert case_a.related_project is None
