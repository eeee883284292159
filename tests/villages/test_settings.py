"""Configuration errors get a clear message; production refuses development secrets."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", "import zhucun.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_an_unparseable_database_url():
    result = _import_settings(DATABASE_URL="nonsense://what")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_refuses_a_database_that_is_not_spatial():
    result = _import_settings(DATABASE_URL="mysql://u:p@localhost/db")
    assert "只支持 PostGIS 或 SpatiaLite" in result.stderr


def test_production_refuses_the_development_secrets():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    result = _import_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_a_database_that_cannot_be_reached_gets_a_clear_message():
    result = subprocess.run(
        [sys.executable, "manage.py", "check_database"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DATABASE_URL": "postgis://nobody@127.0.0.1:1/none", "DB_CONNECT_TIMEOUT": "2"},
    )
    assert result.returncode != 0
    assert "无法连接数据库 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_the_configured_database_is_reachable():
    out = io.StringIO()
    call_command("check_database", stdout=out)
    assert "数据库连接正常" in out.getvalue()


def test_check_database_reports_command_errors_not_tracebacks(settings, monkeypatch):
    from django.db import OperationalError, connection

    def fail():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", fail)
    with pytest.raises(CommandError, match="无法连接数据库"):
        call_command("check_database", stdout=io.StringIO())


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is a PostgreSQL setting; SpatiaLite has none")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
