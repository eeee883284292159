"""Two web hosts and two job workers on one PostgreSQL and one Redis: sessions work on both hosts,
and a scheduled job runs once, not twice. PostGIS + Redis only (what production runs)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule, Success

from villages.models import Notification

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (settings.DATABASE_IS_POSTGIS and settings.REDIS_URL), reason="needs PostGIS and Redis"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    db = connection.settings_dict
    return {**os.environ, "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def processes():
    started = []

    def start(*command):
        process = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _gunicorn(start) -> str:
    port = _free_port()
    start(
        str(Path(sys.executable).parent / "gunicorn"),
        "zhucun.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "1",
        "--timeout",
        "60",
    )
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/accounts/login/")
    return base


def test_a_session_from_one_host_works_on_the_other(personas, processes):
    # The hosts use the production hasher, not the fast one the test process uses.
    hasher = PBKDF2PasswordHasher()
    personas.cadre_a.password = hasher.encode("pw-for-tests-1", hasher.salt())
    personas.cadre_a.save(update_fields=["password"])
    host_a, host_b = _gunicorn(processes), _gunicorn(processes)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(host_a + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "cadre_a", "password": "pw-for-tests-1"}
    ).encode()
    opener.open(urllib.request.Request(host_a + "/accounts/login/", data=data, headers={"Referer": host_a}))
    session = next(c.value for c in jar if c.name == settings.SESSION_COOKIE_NAME)
    request = urllib.request.Request(host_b + "/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
    home = urllib.request.urlopen(request).read().decode()
    assert "我的职责" in home and "大连村" in home


def test_a_scheduled_job_runs_once_with_two_clusters(personas, processes):
    Schedule.objects.create(
        name="test.once",
        func="villages.tasks.notify_users",
        args=f"[{personas.hq.pk}], 'test.multi', '一次'",
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=timezone.now() - timedelta(seconds=1),
    )
    processes(sys.executable, "manage.py", "qcluster")
    processes(sys.executable, "manage.py", "qcluster")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Success.objects.filter(func="villages.tasks.notify_users").exists():
        time.sleep(0.5)
    time.sleep(5)  # give a second run the chance to happen, if it were going to
    assert Success.objects.filter(func="villages.tasks.notify_users").count() == 1
    assert Notification.objects.filter(kind="test.multi").count() == 1
