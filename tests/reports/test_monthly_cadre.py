"""The monthly work report of one cadre: their own figures as the fieldwork and grievances selectors return them."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reports import services, tasks
from reports.base import Params
from reports.exporters.monthly import CadreMonthlyWorkReport
from reports.models import ReportRun, RunStatus
from reports.renderers import render
from tests.conftest import PERSONA_NAMES
from tests.factories import RoleFactory, user_with_role
from tests.reports.conftest import docx_text, pdf_text
from villages.models import Person, Role

fieldwork_selectors = pytest.importorskip("fieldwork.selectors")
grievances_selectors = pytest.importorskip("grievances.selectors")

from fieldwork.models import CheckIn, LeaveRequest, LeaveStatus, MeetingAttendance, ProblemStatus  # noqa: E402
from tests.fieldwork.factories import HouseholdFactory, MeetingFactory, ProblemFactory, VisitFactory  # noqa: E402
from tests.grievances.factories import make_case  # noqa: E402

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
OCT = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
IDENTIFIER = "monthly_work_cadre"


def at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 10, day, hour, 0))


def person(user) -> Person:
    return Person.objects.get(user=user)


@pytest.fixture
def data(personas, tree):
    """October 2026 in village A: cadre_a, a colleague (team member), and cadre_b's work in village B."""
    colleague = user_with_role("member_a", Role.TEAM_MEMBER, tree.village_a)
    homes = [HouseholdFactory(village=tree.village_a) for _n in range(5)]
    home_b = HouseholdFactory(village=tree.village_b)
    for household, day in ((homes[0], 5), (homes[0], 12), (homes[1], 12)):
        VisitFactory(household=household, visitor=personas.cadre_a, visited_at=at(day))
    VisitFactory(household=homes[2], visitor=colleague, visited_at=at(6))
    VisitFactory(household=homes[3], visitor=personas.cadre_a, visited_at=at(1) - datetime.timedelta(days=3))
    VisitFactory(household=home_b, visitor=personas.cadre_b, visited_at=at(7))
    for user, village, day in (
        (personas.cadre_a, tree.village_a, 5),
        (personas.cadre_a, tree.village_a, 6),
        (personas.cadre_a, tree.village_a, 12),
        (colleague, tree.village_a, 5),
        (personas.cadre_b, tree.village_b, 5),
    ):
        CheckIn.objects.create(user=user, village=village, day=datetime.date(2026, 10, day), checked_at=at(day, 8))
    LeaveRequest.objects.create(
        user=personas.cadre_a,
        village=tree.village_a,
        starts_on=datetime.date(2026, 10, 20),
        ends_on=datetime.date(2026, 10, 21),
        reason="探亲",
        status=LeaveStatus.APPROVED,
    )
    MeetingFactory(village=tree.village_a, recorded_by=personas.cadre_a, held_at=at(8))
    attended = MeetingFactory(village=tree.village_a, recorded_by=colleague, held_at=at(15))
    MeetingAttendance.objects.create(meeting=attended, person=person(personas.cadre_a))
    MeetingFactory(village=tree.village_a, recorded_by=colleague, held_at=at(22))
    day = datetime.date(2026, 10, 9)
    ProblemFactory(village=tree.village_a, raised_by=personas.cadre_a, owner=personas.cadre_a, raised_on=day)
    ProblemFactory(
        village=tree.village_a,
        raised_by=personas.cadre_a,
        owner=personas.cadre_a,
        raised_on=day,
        status=ProblemStatus.SOLVED,
        closed_on=datetime.date(2026, 10, 15),
    )
    ProblemFactory(
        village=tree.village_a,
        raised_by=colleague,
        owner=colleague,
        raised_on=day,
        status=ProblemStatus.SOLVED,
        closed_on=datetime.date(2026, 10, 16),
    )
    make_case(personas.cadre_a, tree.village_a, received_on=datetime.date(2026, 10, 10))
    make_case(colleague, tree.village_a, received_on=datetime.date(2026, 10, 11))
    return SimpleNamespace(colleague=colleague, homes=homes)


def params_for(user, village, cadre_user=None, *, reader=None) -> Params:
    extra = {"cadre": person(cadre_user).pk} if cadre_user else {}
    return Params(area=village, start=OCT[0], end=OCT[1], extra=extra, user=reader or user)


def selector_figures(reader, cadre, village) -> dict:
    """What the fieldwork and grievances pages show for this cadre in October."""
    since, until = at(1, 0), at(31, 0) + datetime.timedelta(days=1)
    calendar = fieldwork_selectors.cadre_calendar(cadre, village, 2026, 10)
    visits = fieldwork_selectors.visits_for_user(reader, village=village.pk).filter(
        visitor=cadre, visited_at__gte=since, visited_at__lt=until
    )
    cases = grievances_selectors.ledger(reader, start=OCT[0], end=OCT[1], village=village)
    disputes = grievances_selectors.figures_for(cases.filter(recorded_by=cadre) | cases.filter(handler=cadre))
    return {
        "days": calendar["days_present"],
        "visits": visits.count(),
        "households": visits.values("household").distinct().count(),
        "village_households": fieldwork_selectors.monthly_figures(village, 2026, 10)["households"],
        "disputes": disputes["received"],
    }


def stats_of(report) -> dict:
    return {s.label: s.value for s in report.sections[0].stats}


def test_it_shows_the_cadres_own_figures_as_the_selectors_return_them(personas, tree, data):
    report = CadreMonthlyWorkReport().build(params_for(personas.cadre_a, tree.village_a, personas.cadre_a))
    stats = stats_of(report)
    expected = selector_figures(personas.cadre_a, personas.cadre_a, tree.village_a)
    assert report.title == f"{person(personas.cadre_a).name}驻村工作月报（大连村）"
    assert stats["住村天数"] == expected["days"] == 3
    assert stats["入户走访次数"] == expected["visits"] == 3  # the September visit is not October's
    assert stats["走访户数"] == expected["households"] == 2
    assert stats["全村户数"] == expected["village_households"] == 5
    assert str(stats["入户率（%）"]) == "40.00"
    assert stats["批准请假天数"] == 2
    assert stats["参加或记录的会议"] == 2  # recorded one, attended one, not the colleague's other meeting
    assert stats["收集问题"] == 2 and stats["解决问题"] == 1
    assert stats["受理纠纷"] == expected["disputes"] == 1
    assert stats["职务"] == "驻村第一书记"

    colleague = stats_of(CadreMonthlyWorkReport().build(params_for(personas.hq, tree.village_a, data.colleague)))
    assert (colleague["住村天数"], colleague["入户走访次数"], colleague["参加或记录的会议"]) == (1, 1, 2)
    assert (colleague["收集问题"], colleague["解决问题"], colleague["受理纠纷"]) == (1, 1, 1)


def test_the_word_excel_and_pdf_files_carry_the_figures_in_chinese(personas, tree, data, tmp_path):
    import openpyxl

    params = params_for(personas.cadre_a, tree.village_a, personas.cadre_a)
    name = person(personas.cadre_a).name
    render(CadreMonthlyWorkReport().build(params), "docx", tmp_path / "c.docx")
    text = docx_text(tmp_path / "c.docx")
    assert f"{name}驻村工作月报（大连村）" in text and "大连村驻村工作队" in text
    assert "住村天数" in text and "入户率（%）" in text and "40.00%" in text
    assert "2026年10月 | 3 | " in text

    render(CadreMonthlyWorkReport().build(params), "xlsx", tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    figures = {row[1]: row[2] for row in book["主要指标"].iter_rows(values_only=True)}
    assert figures["住村天数"] == 3 and figures["入户走访次数"] == 3 and figures["走访户数"] == 2
    assert figures["受理纠纷"] == 1 and figures["解决问题"] == 1
    header, row = list(book["分月情况"].iter_rows(values_only=True))[:2]
    assert header[:5] == ("月份", "住村天数", "应住村天数", "批准请假天数", "走访")
    assert row[0] == "2026年10月" and row[1] == 3 and row[3] == 2 and row[4] == 3 and row[5] == 2

    render(CadreMonthlyWorkReport().build(params), "html", tmp_path / "c.html")
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert f"{name}驻村工作月报（大连村）" in page and "住村天数" in page and "40.00%" in page

    render(CadreMonthlyWorkReport().build(params), "pdf", tmp_path / "c.pdf")
    pdf = pdf_text(tmp_path / "c.pdf")
    assert f"{name}驻村工作月报" in pdf and "住村天数" in pdf and "40.00%" in pdf


def test_without_a_cadre_it_lists_every_cadre_of_the_village(personas, tree, data):
    report = CadreMonthlyWorkReport().build(params_for(personas.township, tree.village_a))
    assert report.title == "大连村干部驻村工作月报"
    rows = {row[0]: row for row in report.sections[0].tables[0].rows}
    assert set(rows) == {person(personas.cadre_a).name, person(data.colleague).name}
    assert rows[person(personas.cadre_a).name][1:4] == [3, 3, 2]
    empty = CadreMonthlyWorkReport().build(params_for(personas.hq, tree.village_d))
    assert list(empty.sections[0].tables[0].rows) == [] and empty.sections[0].tables[0].empty_text


def post(client, village, cadre_pk, **extra):
    data = {"area": village.pk, "start": "2026-10-01", "end": "2026-10-31", "format": "docx", "cadre": cadre_pk}
    return client.post(reverse("reports:report_request", args=[IDENTIFIER]), {**data, **extra})


# persona: (status of the request page, status of a request for cadre_a's report in village A)
MATRIX = {
    "cadre_a": (200, 302),
    "cadre_b": (200, 404),  # a cadre of another village: that cadre is not shown to exist
    "township": (200, 302),
    "hq": (200, 302),
    "auditor": (200, 302),  # read-only roles may run reports
    "funder": (404, 404),  # a cadre's attendance is not for funders
    "anonymous": (302, 302),
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_the_permission_matrix_of_a_cadres_report(client_as, personas, tree, persona):
    page, request = MATRIX[persona]
    client = client_as(persona)
    assert client.get(reverse("reports:report_request", args=[IDENTIFIER])).status_code == page
    village = tree.village_b if persona == "cadre_b" else tree.village_a
    response = post(client, village, person(personas.cadre_a).pk)
    assert response.status_code == request
    runs = ReportRun.objects.filter(exporter=IDENTIFIER)
    assert runs.count() == (1 if request == 302 and persona != "anonymous" else 0)
    if runs:
        assert runs.get().params["cadre"] == person(personas.cadre_a).pk


def test_a_village_cadre_may_run_a_colleagues_report(client_as, personas, tree, data):
    response = post(client_as("cadre_a"), tree.village_a, person(data.colleague).pk)
    assert response.status_code == 302
    assert ReportRun.objects.get(exporter=IDENTIFIER).params["cadre"] == person(data.colleague).pk


def test_the_form_offers_the_cadres_in_scope_and_starts_on_ones_own(client_as, personas, tree, data):
    body = client_as("cadre_a").get(reverse("reports:report_request", args=[IDENTIFIER])).content.decode()
    me, colleague, other = (person(u) for u in (personas.cadre_a, data.colleague, personas.cadre_b))
    assert f'value="{me.pk}" selected' in body and f'value="{colleague.pk}"' in body
    assert f'value="{other.pk}"' not in body and "全部本村干部" in body


@pytest.mark.parametrize(
    "case,message",
    [
        ("not_a_cadre", "不是本村干部"),
        ("role_ended", "不是本村干部"),
        ("ends_before_start", "截止日期不能早于起始日期"),
        ("not_a_number", "输入整数"),
    ],
)
def test_bad_input_gets_a_clear_chinese_message_and_queues_nothing(client_as, personas, tree, case, message):
    cadre = person(personas.cadre_a).pk
    extra = {}
    if case == "not_a_cadre":
        cadre = person(personas.funder).pk  # in village A's scope, but a funder
    elif case == "role_ended":
        former = RoleFactory(area=tree.village_a, role=Role.TEAM_MEMBER, ends_on=datetime.date(2026, 9, 30))
        cadre = former.person.pk
    elif case == "ends_before_start":
        extra = {"start": "2026-10-31", "end": "2026-10-01"}
    else:
        cadre = "张三"
    response = post(client_as("cadre_a"), tree.village_a, cadre, **extra)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_run_for_someone_no_longer_a_cadre_fails_with_a_readable_error(personas, tree):
    params = {**_run_params(tree.village_a), "cadre": person(personas.cadre_b).pk}
    run = services.run_request(actor=personas.hq, identifier=IDENTIFIER, params=params)
    services.run_execute(run_pk=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and not run.file
    assert "不是本村干部" in run.error


def _run_params(village) -> dict:
    return {"area": village.pk, "start": "2026-10-01", "end": "2026-10-31", "format": "xlsx"}


def test_a_finished_cadre_report_is_downloaded_only_in_scope(client_as, personas, tree, data):
    params = {**_run_params(tree.village_a), "cadre": person(personas.cadre_a).pk}
    run = services.run_request(actor=personas.cadre_a, identifier=IDENTIFIER, params=params)
    services.run_execute(run_pk=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.filename == f"干部驻村工作月报-大连村-{person(personas.cadre_a).name}-20261001-20261031.xlsx"
    url = reverse("reports:reportrun_download", args=[run.pk])
    expected = {"cadre_a": 200, "cadre_b": 404, "township": 200, "hq": 200, "auditor": 200, "funder": 403}
    for persona, status in expected.items():
        response = client_as(persona).get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert b"".join(response.streaming_content)[:2] == b"PK"  # an .xlsx is a zip


def test_the_schedule_on_the_first_still_makes_the_village_reports(personas, tree, data, tmp_path):
    with time_machine.travel(datetime.datetime(2026, 11, 1, 6, 0, tzinfo=SHANGHAI), tick=False):
        assert tasks.monthly_work_reports() == 3
    runs = ReportRun.objects.order_by("area__code")
    assert {r.exporter for r in runs} == {"monthly_work"} and all("cadre" not in r.params for r in runs)
    services.run_execute(run_pk=runs[0].pk)
    run = ReportRun.objects.get(pk=runs[0].pk)
    assert run.status == RunStatus.DONE and run.params["start"] == "2026-10-01"
    text = docx_text(services._media_path(run.file))
    assert "大连村驻村工作月报" in text
    # The village's figures count every cadre's work: 3 days with a check-in, 4 visits.
    f = fieldwork_selectors.monthly_figures(tree.village_a, 2026, 10)
    assert (f["days_present"], f["visits"]) == (3, 4)
    assert f"2026年10月 | 3 | {f['days_required']} | 4 | " in text
