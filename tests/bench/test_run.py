"""`python -m bench` runs end to end at a tiny scale (figures are not asserted, only that each is reported)."""

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = [
    pytest.mark.postgis,
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGIS, reason="the benchmarks run against PostGIS"),
]

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DB = "zhucun_bench_selftest"


@pytest.fixture
def bench_url():
    db = settings.DATABASES["default"]
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"] or "postgres"
    yield f"postgis://{user}@{host}:{port}/{BENCH_DB}"
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def test_it_runs_every_benchmark_and_saves_the_table(bench_url, tmp_path):
    cmd = [sys.executable, "-m", "bench", "--scale", "0.002", "--quick", "--recreate"]
    cmd += ["--database-url", bench_url, "--out", str(tmp_path)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| bench | median |" in done.stdout
    saved = list(tmp_path.glob("bench-*.json"))
    assert len(saved) == 1
    report = json.loads(saved[0].read_text())
    assert report["machine"]["nproc"] >= 1
    ids = {r["id"] for r in report["results"]}
    assert {"B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"} <= ids
    # Every row is a figure or says why there is none.
    for row in report["results"]:
        assert row["values"] or row["note"], row["name"]


def test_it_runs_only_the_benchmarks_asked_for(bench_url, tmp_path):
    cmd = [sys.executable, "-m", "bench", "--scale", "0.002", "--quick", "--recreate", "--only", "b9, B10"]
    cmd += ["--database-url", bench_url, "--out", str(tmp_path)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(next(tmp_path.glob("bench-*.json")).read_text())
    assert {r["id"] for r in report["results"]} == {"B9", "B10"}
