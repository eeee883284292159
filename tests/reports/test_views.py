"""The permission matrix of every reports page, and what each persona sees."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import ReportRun, RunStatus
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def _params(area, fmt="docx"):
    return {"area": area.pk, "start": "2026-10-01", "end": "2026-10-31", "format": fmt}


@pytest.fixture
def runs(personas, tree):
    """A finished monthly report and dispute ledger for village A, and a monthly report for B."""
    made = {}
    for key, identifier, area in (
        ("a", "monthly_work", tree.village_a),
        ("ledger_a", "dispute_ledger", tree.village_a),
        ("b", "monthly_work", tree.village_b),
    ):
        run = services.run_request(actor=personas.hq, identifier=identifier, params=_params(area))
        services.run_execute(run_pk=run.pk)
        made[key] = ReportRun.objects.get(pk=run.pk)
        assert made[key].status == RunStatus.DONE, made[key].error
    return made


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_shows_the_catalogue_to_everyone_logged_in(client_as, persona):
    response = client_as(persona).get(reverse("reports:report_list"))
    assert response.status_code == (302 if persona == "anonymous" else 200)


@pytest.mark.parametrize(
    "persona,status", [("cadre_a", 200), ("auditor", 200), ("funder", 404), ("hq", 200), ("anonymous", 302)]
)
def test_it_keeps_the_dispute_ledger_from_funders(client_as, persona, status):
    response = client_as(persona).get(reverse("reports:report_request", args=["dispute_ledger"]))
    assert response.status_code == status


def test_an_unknown_report_is_a_404(client_as):
    assert client_as("hq").get(reverse("reports:report_request", args=["nope"])).status_code == 404


EXPECTED_POST = {
    "cadre_a": 302,
    "cadre_b": 200,  # village A is outside B's scope: the form says so, nothing is queued
    "township": 302,
    "hq": 302,
    "auditor": 302,  # read-only roles may run reports
    "funder": 302,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_queues_a_run_only_inside_the_scope(client_as, tree, persona):
    response = client_as(persona).post(
        reverse("reports:report_request", args=["monthly_work"]), _params(tree.village_a, "pdf")
    )
    assert response.status_code == EXPECTED_POST[persona]
    queued = ReportRun.objects.filter(area=tree.village_a).count()
    assert queued == (1 if persona not in ("cadre_b", "anonymous") else 0)
    if persona == "cadre_b":
        assert "超出" in response.content.decode() or "outside your scope" in response.content.decode()


def test_it_refuses_a_period_that_ends_before_it_starts(client_as, tree):
    data = {**_params(tree.village_a), "start": "2026-10-31", "end": "2026-10-01"}
    response = client_as("cadre_a").post(reverse("reports:report_request", args=["monthly_work"]), data)
    assert response.status_code == 200
    assert not ReportRun.objects.exists()


DOWNLOAD = {
    # persona: (village A monthly, village A dispute ledger, village B monthly)
    "cadre_a": (200, 200, 404),
    "cadre_b": (404, 404, 200),
    "township": (200, 200, 200),
    "hq": (200, 200, 200),
    "auditor": (200, 200, 200),
    "funder": (200, 403, 404),
    "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_serves_files_only_through_the_permission_check(client_as, runs, persona):
    client = client_as(persona)
    for key, status in zip(("a", "ledger_a", "b"), DOWNLOAD[persona], strict=True):
        response = client.get(reverse("reports:reportrun_download", args=[runs[key].pk]))
        assert response.status_code == status, key
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content)[:2] == b"PK"  # a .docx is a zip


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_the_runs_list_shows_only_runs_in_scope(client_as, runs, persona):
    response = client_as(persona).get(reverse("reports:reportrun_list"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    body = response.content.decode()
    shown = {key for key, run in runs.items() if f'data-run="{run.pk}"' in body}
    expected = {
        "cadre_a": {"a", "ledger_a"},
        "cadre_b": {"b"},
        "funder": {"a"},
    }.get(persona, {"a", "ledger_a", "b"})
    assert shown == expected


def test_the_rows_poll_only_while_a_run_is_active(client_as, tree, personas, runs):
    url = reverse("reports:reportrun_rows")
    assert "hx-trigger" not in client_as("hq").get(url).content.decode()
    services.run_request(actor=personas.hq, identifier="monthly_work", params=_params(tree.village_a))
    body = client_as("hq").get(url).content.decode()
    assert 'hx-trigger="every 2s"' in body and "<progress" in body


def test_a_failed_or_unfinished_run_has_no_download(client_as, tree, personas):
    run = services.run_request(actor=personas.hq, identifier="monthly_work", params=_params(tree.village_a))
    assert client_as("hq").get(reverse("reports:reportrun_download", args=[run.pk])).status_code == 404


def test_a_web_page_run_opens_in_the_browser(client_as, tree, personas):
    run = services.run_request(
        actor=personas.cadre_a, identifier="monthly_work", params=_params(tree.village_a, "html")
    )
    services.run_execute(run_pk=run.pk)
    response = client_as("cadre_a").get(reverse("reports:reportrun_download", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "大连村" in b"".join(response.streaming_content).decode()
