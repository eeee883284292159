"""Faults, against real processes and bounded in time: a job worker killed mid-report, PostgreSQL
restarted under a running app, and a full disk while a file is uploaded.

Nothing may be lost or half-saved, and users get a clear message in Chinese, never a traceback.
"""

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from reports import base as report_base
from reports import services as report_services
from reports.models import ReportRun, RunStatus
from tests.security.faults_app import SLOW_IDENTIFIER, register_slow_exporter
from villages import schedules
from villages.models import Event

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if settings.DATABASE_IS_POSTGIS:
        return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"spatialite:///{db['NAME']}"


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def process_group(tmp_path):
    """Start commands each in a process group of its own, so a test can kill a whole tree at once."""
    started: list[subprocess.Popen] = []

    def start(*command, **extra_env):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.security.fault_settings",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **extra_env,
        }
        log = open(tmp_path / f"process-{len(started)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture
def slow_exporter():
    saved = dict(report_base._REGISTRY)
    register_slow_exporter()
    yield SLOW_IDENTIFIER
    report_base._REGISTRY.clear()
    report_base._REGISTRY.update(saved)


def _report_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_is_retried_and_the_report_made_once(personas, tree, slow_exporter, process_group):
    from django_q.brokers import get_broker

    get_broker().purge_queue()  # jobs other tests left in a shared Redis are not ours
    params = {"area": tree.village_a.pk, "start": "2026-10-01", "end": "2026-10-31", "format": "csv"}
    run = report_services.run_request(actor=personas.cadre_a, identifier=slow_exporter, params=params)
    stale = {"REPORT_RUN_STALE_SECONDS": "2", "Q_RETRY": "4"}
    first = process_group(sys.executable, "manage.py", "qcluster", **stale)

    def half_written():
        current = ReportRun.objects.get(pk=run.pk)
        return current.status == RunStatus.RUNNING and current.progress >= 62 and _report_files()

    _wait_for(half_written, 60, "the first worker to be half-way through the report")
    os.killpg(first.pid, signal.SIGKILL)  # the whole cluster dies at once, as on a lost host
    first.wait(timeout=10)
    partial = _report_files()
    assert [p.name.startswith(".tmp-") for p in partial] == [True]

    # Another host's cluster runs the watchdog schedule (made due now) and the job again.
    schedules.ensure()
    Schedule.objects.filter(name="reports.runs_watchdog").update(next_run=timezone.now() - timedelta(seconds=1))
    process_group(sys.executable, "manage.py", "qcluster", **stale)
    _wait_for(
        lambda: ReportRun.objects.get(pk=run.pk).status in (RunStatus.DONE, RunStatus.FAILED),
        90,
        "the watchdog and the second worker to finish the run",
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.attempts == 2
    assert _report_files() == [Path(settings.MEDIA_ROOT) / run.file]  # one file, no partial one
    assert "第11行" in (Path(settings.MEDIA_ROOT) / run.file).read_text(encoding="utf-8-sig")
    time.sleep(5)  # a duplicate delivery of the old job, if any, would run now
    assert Event.objects.filter(kind="reports.run.done", object_id=str(run.pk)).count() == 1
    assert len(_report_files()) == 1


# ---------------------------------------------------------------- PostgreSQL restarted under the app

PRODUCTION_SECRET = "k" * 20 + "-fault-test-secret-" + "x" * 40


def _local_cluster() -> tuple[str, str] | None:
    """(version, name) of the local PostgreSQL cluster the tests use, if pg_ctlcluster can restart it."""
    if not (settings.DATABASE_IS_POSTGIS and shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters")):
        return None
    if connection.settings_dict["HOST"] not in ("127.0.0.1", "localhost", ""):
        return None
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        version, name, port, *_rest = line.split()
        if port == str(connection.settings_dict["PORT"] or 5432):
            return version, name
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _session_cookie(user) -> str:
    """A session row for `user`, signed with the production secret the app process runs with."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    with override_settings(SECRET_KEY=PRODUCTION_SECRET):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _pg_ctl(cluster: tuple[str, str], action: str) -> None:
    subprocess.run(["pg_ctlcluster", *cluster, action, *(["-m", "fast"] if action == "stop" else [])], check=True)


def _pg_ready(timeout: float = 60) -> None:
    db = connection.settings_dict
    command = ["pg_isready", "-q", "-h", db["HOST"], "-p", str(db["PORT"] or 5432)]
    _wait_for(lambda: subprocess.run(command, check=False).returncode == 0, timeout, "PostgreSQL to accept connections")


@pytest.mark.postgis
@pytest.mark.django_db(transaction=True)
def test_postgresql_restarting_gives_a_chinese_503_then_the_app_recovers_by_itself(personas, process_group):
    from cryptography.fernet import Fernet

    cluster = _local_cluster()
    if cluster is None:
        pytest.skip("needs PostGIS on a local PostgreSQL cluster that pg_ctlcluster can restart")
    port = _free_port()
    production = {
        "DJANGO_SETTINGS_MODULE": "zhucun.settings",
        "DEBUG": "false",
        "SECRET_KEY": PRODUCTION_SECRET,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process_group(gunicorn, "zhucun.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60", **production)
    base = f"http://127.0.0.1:{port}"
    cookie = _session_cookie(personas.cadre_a)
    _wait_for(lambda: _probe(base + "/accounts/login/"), 60, "gunicorn to start")
    assert _get(base + "/", cookie)[0] == 200  # the app holds a persistent connection now

    _pg_ctl(cluster, "stop")
    try:
        status, page = _get(base + "/", cookie)
        api_status, api_body = _get(base + "/fieldwork/api/households/", cookie)
    finally:
        _pg_ctl(cluster, "start")
        _pg_ready()
        connection.close()  # this test process's connection died with the server too
    assert status == 503, page[:500]
    assert "暂时无法连接数据库" in page and "Traceback" not in page
    assert api_status == 503 and "暂时无法连接数据库" in json.loads(api_body)["detail"]

    # The same app process, not restarted, serves again once PostgreSQL is back.
    status, page = _get(base + "/", cookie)
    assert status == 200 and "大连村" in page


def _probe(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- a full disk for media

FULL_DISK_MESSAGE = "存储空间不足"


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills up in the middle of writing a file: the first chunk lands, then ENOSPC."""
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage._save

    class Filling:
        def __init__(self, content):
            self.content = content

        def chunks(self, chunk_size=None):
            content = self.content
            content.seek(0)
            yield content.read(1024)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def save_until_full(self, name, content):
        return real_save(self, name, Filling(content))

    monkeypatch.setattr(FileSystemStorage, "_save", save_until_full)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_full_disk_during_a_visit_photo_saves_nothing_and_says_so(tree, personas, client_as, full_disk):
    from django.urls import reverse

    from fieldwork.models import Photo
    from tests.fieldwork.factories import HouseholdFactory, VisitFactory, jpeg_upload

    visit = VisitFactory(household=HouseholdFactory(village=tree.village_a), visitor=personas.cadre_a)
    events = Event.objects.count()
    response = client_as("cadre_a").post(
        reverse("fieldwork:visit_photo_add", args=[visit.pk]), {"photo": jpeg_upload()}
    )
    assert response.status_code == 507
    assert FULL_DISK_MESSAGE in response.content.decode()
    assert not Photo.objects.exists()
    assert Event.objects.count() == events
    assert _media_files() == []  # the partial file was removed


@pytest.mark.django_db
def test_a_full_disk_during_a_payment_document_saves_nothing_and_says_so(
    tree, personas, client_as, funded, chain, monkeypatch, request
):
    from django.test import Client
    from django.urls import reverse

    from projects.models import Attachment
    from tests.projects.factories import make_payment, upload

    payment = make_payment(funded, chain)
    before_rows, before_files = Attachment.objects.count(), _media_files()
    request.getfixturevalue("full_disk")
    client = Client()
    client.force_login(chain[0])
    big = upload(name="invoice.pdf", content=b"%PDF-1.4 " + b"0" * 5000)
    response = client.post(
        reverse("projects:payment_attach", args=[payment.pk]), {"kind": "invoice", "title": "发票", "file": big}
    )
    assert response.status_code == 507
    assert FULL_DISK_MESSAGE in response.content.decode()
    assert Attachment.objects.count() == before_rows
    assert _media_files() == before_files


@pytest.mark.django_db
def test_a_full_disk_answers_the_sync_api_with_json(tree, personas, client_as, full_disk):
    from django.urls import reverse

    from tests.fieldwork.factories import HouseholdFactory, VisitFactory, jpeg_upload

    visit = VisitFactory(household=HouseholdFactory(village=tree.village_a), visitor=personas.cadre_a)
    response = client_as("cadre_a").post(
        reverse("fieldwork:visit_photo_add", args=[visit.pk]), {"photo": jpeg_upload()}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 507
    assert FULL_DISK_MESSAGE in response.json()["detail"]


def test_a_database_error_outside_a_view_gets_the_503_page_too(rf):
    from django.db import OperationalError

    from villages.middleware import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and "暂时无法连接数据库" in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500  # anything else stays a plain 500
