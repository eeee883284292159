"""A backup restores into a fresh database with the same records (PostGIS and SpatiaLite)."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fieldwork.models import Household

ROOT = Path(__file__).resolve().parents[2]


def _restore_into(database_url: str, folder: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", folder], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _query(database_url: str, code: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "zhucun.settings"}
    script = (
        "import django; django.setup(); from fieldwork.models import Household; "
        f"h = Household.objects.get(number='{code}'); print(h.head_name, h.phone, h.village.name)"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    ).stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database(tree, tmp_path):
    Household.objects.create(village=tree.village_a, number="BK1", head_name="谢志军", phone="13900001111")
    photo = Path(settings.MEDIA_ROOT) / "photos" / "p.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    folder = next((tmp_path / "backups").iterdir())
    db = connection.settings_dict
    if settings.DATABASE_IS_POSTGIS:
        name = f"restore_{uuid.uuid4().hex[:8]}"
        base = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        target = f"{base}/{name}"
    else:
        target = f"spatialite:///{tmp_path / 'restored.sqlite3'}"
    try:
        result = _restore_into(target, str(folder), tmp_path / "restored-media")
        assert result.returncode == 0, result.stderr
        assert "记录数与备份清单一致" in result.stdout
        assert _query(target, "BK1") == "谢志军 13900001111 大连村"
        assert (tmp_path / "restored-media" / "photos" / "p.jpg").read_bytes() == b"jpeg"
    finally:
        if settings.DATABASE_IS_POSTGIS:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    result = _restore_into(f"spatialite:///{tmp_path / 'x.sqlite3'}", str(tmp_path), tmp_path / "m")
    assert result.returncode != 0
    assert "不是备份文件夹" in result.stderr
