"""`make bench`: generate (if missing) the data set, start the app as in production, measure, print one table.

    python -m bench [--scale S] [--repeat N] [--quick] [--database-url URL] [--out DIR]

The app runs under gunicorn (2 sync workers, DEBUG=false, bench secrets, Redis on its own db
number) on loopback. Each figure is the median of N runs after one warm-up, with its spread
(min–max), beside a reference measured in the same run and the ratio of the two. A figure
whose feature does not exist yet is printed as "not available yet: <why>" — never made up.
"""

import argparse
import contextlib
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import env as bench_env
from bench.http import Session

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
MARKER = "bench-load-visit"
PROBE_TIMEOUT_S = 1800
SLOW_BUDGET_S = 45


@dataclass
class Result:
    id: str
    name: str
    unit: str  # "ms", "MB", "KB", "req/s"
    values: list = field(default_factory=list)
    ref_name: str = ""
    ref_values: list = field(default_factory=list)
    target: str = ""
    # Is the target met? None when there is no target or no figure.
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None

    @property
    def ref_median(self):
        return statistics.median(self.ref_values) if self.ref_values else None

    @property
    def ratio(self):
        if self.median is None or not self.ref_median:
            return None
        return self.median / self.ref_median

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(median=self.median, ref_median=self.ref_median, ratio=self.ratio)
        return data


def unavailable(rid: str, name: str, why: str) -> Result:
    return Result(rid, name, "", note=f"not available yet: {why}")


def timed(fn, repeat: int, warmup: int = 1) -> list[float]:
    """Milliseconds of `repeat` calls after `warmup` unmeasured ones.

    A slow figure gets fewer runs (at least one), so one figure takes about SLOW_BUDGET_S at most:
    a 50-second answer is a finding in itself, and seven of them would not say more.
    """
    began = time.perf_counter()
    for _ in range(warmup):
        fn()
    warm = (time.perf_counter() - began) / max(warmup, 1)
    if warm > 0:
        repeat = max(1, min(repeat, int(SLOW_BUDGET_S / warm)))
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        out.append((time.perf_counter() - began) * 1000)
    return out


# ---------------------------------------------------------------------------------------------------
# The app under gunicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_reachable(url: str) -> bool:
    host, port = "127.0.0.1", 6379
    match = re.match(r"redis://([^:/]+):(\d+)", url)
    if match:
        host, port = match[1], int(match[2])
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn(environ: dict, port: int, log: Path):
    cmd = [sys.executable, "-m", "gunicorn", "zhucun.wsgi:application", "--workers", "2", "--bind"]
    cmd += [f"127.0.0.1:{port}", "--timeout", "600", "--error-logfile", str(log), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start: {log.read_text()[-2000:]}")
            try:
                if Session("127.0.0.1", port).get("/accounts/login/").status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not answer within 120 s")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_probe(environ: dict, args: list[str], timeout: float = PROBE_TIMEOUT_S) -> dict:
    """Run `bench.probe` in a child process; add its peak resident memory (MB) from wait4."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.probe", *args], cwd=ROOT, env=environ, stdout=subprocess.PIPE, text=True
    )
    # A probe never runs unbounded: killed after PROBE_TIMEOUT_S, reported as an error.
    stopped = []

    def stop():
        stopped.append(True)
        proc.kill()

    timer = threading.Timer(timeout, stop)
    timer.start()
    # The child's own high-water mark (VmHWM), polled while it runs: wait4's ru_maxrss would
    # include this parent's resident size inherited at fork, which hides any smaller peak.
    peak_kb = [0]
    watcher = threading.Thread(target=_watch_hwm, args=(proc, peak_kb), daemon=True)
    watcher.start()
    try:
        out = proc.stdout.read()
    finally:
        timer.cancel()
    proc.stdout.close()
    _pid, status, _usage = os.wait4(proc.pid, 0)
    watcher.join(timeout=2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if stopped:
        data = {"error": f"did not finish within {timeout:.0f} s (stopped)", "timeout": True}
    elif lines:
        data = json.loads(lines[-1])
    else:
        data = {"error": f"probe exited {proc.returncode}: {out[-300:]}"}
    data["peak_mb"] = data.pop("hwm_kb", peak_kb[0]) / 1024
    return data


def _watch_hwm(proc, peak_kb: list) -> None:
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb[0] = max(peak_kb[0], int(line.split()[1]))
        except (OSError, ValueError):
            return
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------------
# The benchmarks


class Bench:
    def __init__(self, args, info: dict, environ: dict, port: int, tmp: Path):
        from django.contrib.auth import get_user_model

        self.args, self.info, self.environ, self.port, self.tmp = args, info, environ, port, tmp
        self.repeat = args.repeat
        self.user_model = get_user_model()
        self.big_id = info["big_village"]["id"]
        self.cadre_name = info["big_village"]["cadre"]
        self.hq_name = info["hq_user"]
        self.cadre = self.session(self.cadre_name)
        self.hq = self.session(self.hq_name)

    def session(self, username: str) -> Session:
        s = Session("127.0.0.1", self.port)
        s.login(username, bench_env.BENCH_PASSWORD)
        return s

    def user(self, username: str):
        # A fresh object each time: the scoping helper caches role assignments on the user, per request.
        return self.user_model.objects.get(username=username)

    def http_ms(self, session: Session, path: str, ok=(200,)) -> list[float]:
        def call():
            response = session.get(path)
            if response.status not in ok:
                raise RuntimeError(f"GET {path} answered {response.status}")

        return timed(call, self.repeat)

    @staticmethod
    def sql_ms(query: str, params: list, repeat: int) -> list[float]:
        from django.db import connection

        def call():
            with connection.cursor() as cur:
                cur.execute(query, params)
                cur.fetchall()

        return timed(call, repeat)

    # -- B1 --------------------------------------------------------------------------------------------
    def b1(self) -> list[Result]:
        from django.test import RequestFactory
        from rest_framework.renderers import JSONRenderer
        from rest_framework_gis.serializers import GeoFeatureModelSerializer

        from fieldwork.models import Household

        try:
            from maps import views as map_views
        except ImportError:
            return [unavailable("B1", "household layer of a 2,000-household village", "maps app has no views")]
        n = Household.objects.filter(village_id=self.big_id).count()
        name = f"B1 household layer, village of {n:,} households"
        path = f"/maps/layers/households/?area={self.big_id}"
        rf = RequestFactory()

        def ours():
            request = rf.get(path)
            request.user = self.user(self.cadre_name)
            response = map_views.layer_geojson(request, key="households")
            assert response.status_code == 200, response.status_code
            return response.content

        class HouseholdGeo(GeoFeatureModelSerializer):
            class Meta:
                model = Household
                geo_field = "location"
                fields = ("id", "number", "monitoring_category")

        def serializer():
            from fieldwork.selectors import households_for_user

            user = self.user(self.cadre_name)
            qs = households_for_user(user).filter(village_id=self.big_id, location__isnull=False)
            return JSONRenderer().render(HouseholdGeo(qs, many=True).data)

        floor_sql = (
            "SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object("
            "'type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(location, 6)::json, 'properties', "
            "json_build_object('label', number, 'status', monitoring_category)) ORDER BY id))::text "
            "FROM fieldwork_household WHERE village_id = %s AND location IS NOT NULL"
        )
        body = ours()
        if b'"clusters"' in body or b'"cluster"' in body:
            note = "the endpoint answered with clusters"
        else:
            note = f"{len(body) / 1024:.0f} KB GeoJSON"
        floor = self.sql_ms(floor_sql, [self.big_id], self.repeat)
        ours_ms = timed(ours, self.repeat)
        ser_ms = timed(serializer, self.repeat)
        http_ms = self.http_ms(self.cadre, path)
        return [
            Result(
                "B1",
                name + ": our endpoint (view, in process)",
                "ms",
                ours_ms,
                "SQL json_agg floor",
                floor,
                "≤ 1.5× floor",
                note=note,
            ),
            Result(
                "B1", name + ": DRF-gis GeoFeatureModelSerializer", "ms", ser_ms, "our endpoint", ours_ms, "≥ 5× ours"
            ),
            Result("B1", name + ": our endpoint over HTTP (gunicorn)", "ms", http_ms, "SQL json_agg floor", floor),
        ]

    # -- B2 --------------------------------------------------------------------------------------------
    def b2(self) -> list[Result]:
        from django.conf import settings

        from fieldwork.models import Household

        try:
            from maps.selectors import cell_size
        except ImportError:
            return [unavailable("B2", "city-wide household layer", "maps selectors missing")]
        centre = Household.objects.filter(village_id=self.big_id).values_list("location", flat=True).first()
        x, y = centre.x, centre.y
        out = []
        total = self.info["counts"].get("households", 0)
        for zoom in (8, 11, 14):
            # A 1280×800 px viewport at this zoom (Web Mercator tiles of 256 px), in degrees.
            width = 1280 * 360 / (256 * 2**zoom)
            height = 800 * 360 / (256 * 2**zoom) * 0.85
            bbox = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            text = ",".join(f"{v:.6f}" for v in bbox)
            path = f"/maps/layers/households/?bbox={text}&zoom={zoom}"
            body = self.hq.get(path).body
            kind = "clusters" if b"cluster" in body[:2000] else "features"
            cell = cell_size(zoom=zoom, bbox=bbox)
            floor_sql = (
                "SELECT json_agg(json_build_object('n', n, 'x', x, 'y', y))::text FROM ("
                "SELECT count(*) n, ST_X(ST_Centroid(ST_Collect(location))) x, "
                "ST_Y(ST_Centroid(ST_Collect(location))) y "
                "FROM fieldwork_household WHERE location && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
                "GROUP BY ST_SnapToGrid(location, %s)) c"
            )
            floor = self.sql_ms(floor_sql, [*bbox, cell], self.repeat)
            http_ms = self.http_ms(self.hq, path)
            out.append(
                Result(
                    "B2",
                    f"B2 city household layer ({total:,}), zoom {zoom} viewport",
                    "ms",
                    http_ms,
                    "SQL grid count",
                    floor,
                    "< 150 ms",
                    note=f"{kind}, {len(body) / 1024:.0f} KB; threshold {settings.MAP_CLUSTER_THRESHOLD}",
                )
            )
        return out

    # -- B3 --------------------------------------------------------------------------------------------
    def b3(self) -> list[Result]:
        try:
            from projects.selectors import spend_overview
        except ImportError:
            return [unavailable("B3", "HQ spend overview", "projects.selectors.spend_overview missing")]
        floor_sql = (
            "SELECT p.village_id, sum(l.current_amount), sum(coalesce(pay.committed, 0)), sum(coalesce(pay.paid, 0)) "
            "FROM projects_budgetline l JOIN projects_projectbudget pb ON pb.id = l.project_budget_id "
            "JOIN projects_project p ON p.id = pb.project_id LEFT JOIN ("
            "SELECT budget_line_id, sum(amount) committed, sum(amount) FILTER (WHERE paid_on IS NOT NULL) paid "
            "FROM projects_payment WHERE status IN ('in_chain', 'completed') GROUP BY budget_line_id) pay "
            "ON pay.budget_line_id = l.id GROUP BY p.village_id"
        )
        floor = self.sql_ms(floor_sql, [], self.repeat)
        villages = len(self._village_ids())
        sel = timed(lambda: spend_overview(self.user(self.hq_name)), self.repeat)
        out = [
            Result(
                "B3",
                f"B3 HQ spend overview, {villages:,} villages (selector, in process)",
                "ms",
                sel,
                "raw SQL aggregate",
                floor,
                "< 300 ms",
            )
        ]
        from django.urls import NoReverseMatch, reverse

        for name in ("projects:review", "projects:grant_list"):
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            out.append(
                Result(
                    "B3",
                    f"B3 HQ spend review page {path} over HTTP",
                    "ms",
                    self.http_ms(self.hq, path),
                    "raw SQL aggregate",
                    floor,
                    "< 300 ms",
                )
            )
            break
        else:
            out.append(unavailable("B3", "B3 HQ spend page over HTTP", "the projects app has no overview page yet"))
        out.append(
            Result(
                "B3",
                "B3 HQ map, figure per village (/maps/hq/) over HTTP",
                "ms",
                self.http_ms(self.hq, "/maps/hq/"),
                "raw SQL aggregate",
                floor,
                "< 300 ms",
            )
        )
        return out

    def _village_ids(self) -> list[int]:
        from villages.models import Area

        return list(Area.objects.filter(level="village").values_list("pk", flat=True))

    # -- B4 --------------------------------------------------------------------------------------------
    def b4(self) -> list[Result]:
        today = dt.date.today()
        first = today.replace(day=1)
        floor_sql = (
            "SELECT a.id, (SELECT count(*) FROM fieldwork_visit v WHERE v.village_id = a.id AND v.visited_at >= %s), "
            "(SELECT count(DISTINCT v.household_id) FROM fieldwork_visit v WHERE v.village_id = a.id "
            "AND v.visited_at >= %s), "
            "(SELECT count(*) FROM fieldwork_meeting m WHERE m.village_id = a.id AND m.held_at >= %s), "
            "(SELECT count(*) FROM fieldwork_problem p WHERE p.village_id = a.id AND p.closed_on >= %s), "
            "(SELECT count(DISTINCT c.day) FROM fieldwork_checkin c WHERE c.village_id = a.id AND c.day >= %s) "
            "FROM villages_area a WHERE a.level = 'village'"
        )
        since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
        floor = self.sql_ms(floor_sql, [since, since, since, first, first], self.repeat)
        n = len(self._village_ids())
        return [
            Result(
                "B4",
                f"B4 三个一 dashboard, {n:,} villages (HQ) over HTTP",
                "ms",
                self.http_ms(self.hq, "/fieldwork/"),
                "raw SQL month figures",
                floor,
                "< 300 ms",
            )
        ]

    # -- B5 --------------------------------------------------------------------------------------------
    def b5(self) -> list[Result]:
        from fieldwork.models import Household

        households = [
            [pk, loc.x, loc.y]
            for pk, loc in Household.objects.filter(village_id=self.big_id).values_list("pk", "location")[:500]
        ]
        common = {
            "port": self.port,
            "sessionid": self.cadre.cookies["sessionid"],
            "csrftoken": self.cadre.cookies["csrftoken"],
            "households": households,
            "marker": MARKER,
        }
        visit_spec = dict(common, method="POST", path="/fieldwork/api/visits/", ok=[201])
        ping_spec = dict(common, method="GET", path="/offline/api/ping/", ok=[200])
        seconds = self.args.load_seconds
        runs, ping_runs = [], []
        for spec, bucket in ((visit_spec, runs), (ping_spec, ping_runs)):
            spec_file = self.tmp / f"spec-{spec['method']}.json"
            spec_file.write_text(json.dumps(spec))
            for _ in range(self.args.load_runs):
                cmd = [sys.executable, "-m", "bench.load", "--spec", str(spec_file)]
                cmd += ["--concurrency", str(self.args.concurrency), "--seconds", str(seconds)]
                out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
                bucket.append(json.loads(out.strip().splitlines()[-1]))
        self.cleanup_load_visits()
        rate = [r["rate"] for r in runs]
        p95 = [r["p95_ms"] for r in runs]
        errors = sum(r["errors"] for r in runs)
        note = f"{self.args.concurrency} clients × {seconds:g} s × {len(runs)} runs, {errors} errors"
        if errors:
            note += f" ({', '.join(runs[0]['error_kinds'])})"
        return [
            Result(
                "B5",
                "B5 visit submission throughput (POST /fieldwork/api/visits/)",
                "req/s",
                rate,
                "authenticated GET /offline/api/ping/",
                [r["rate"] for r in ping_runs],
                "≥ 300 req/s",
                note=note,
                extra={"runs": runs, "ping": ping_runs},
            ),
            Result(
                "B5",
                "B5 visit submission p95 latency",
                "ms",
                p95,
                "ping p95",
                [r["p95_ms"] for r in ping_runs],
                "< 100 ms",
            ),
        ]

    def cleanup_load_visits(self) -> None:
        """Remove what B5 created, so repeated runs measure the same data set."""
        from fieldwork.models import GuaranteeCheck, Visit

        GuaranteeCheck.objects.filter(visit__findings=MARKER).delete()
        Visit.objects.filter(findings=MARKER).delete()

    # -- B6 --------------------------------------------------------------------------------------------
    def b6(self) -> list[Result]:
        import math

        # Visits are spread evenly over two years: the most recent period holding ~1,000,000 of them.
        total = self.info["counts"].get("visits", 0)
        days = max(1, min(730, math.ceil(730 * 1_000_000 / max(total, 1))))
        end = dt.date.today()
        period = ["--start", str(end - dt.timedelta(days=days - 1)), "--end", str(end)]
        copy_runs = [
            run_probe(self.environ, ["copy-csv", *period, "--out", str(self.tmp / "copy.csv")])
            for _ in range(max(1, min(3, self.repeat // 2)))
        ]
        if "error" in copy_runs[0]:
            return [Result("B6", "B6 COPY of the visits", "", note=f"failed: {copy_runs[0]['error']}")]
        rows = copy_runs[0]["rows"]
        copy_ms = [r["seconds"] * 1000 for r in copy_runs]
        copy_mb = [r["peak_mb"] for r in copy_runs]
        out = [
            Result(
                "B6",
                f"B6 PostgreSQL COPY … TO STDOUT CSV of {rows:,} visits (the floor)",
                "ms",
                copy_ms,
                note=f"last {days} days; {copy_runs[0]['bytes'] / 1e6:.0f} MB; peak {max(copy_mb):.0f} MB",
            ),
        ]
        area = self.info.get("city_id") or self._city_id()
        for fmt in ("csv", "xlsx"):
            target = self.tmp / f"visits.{fmt}"
            args = ["visits-export", "--format", fmt, "--area", str(area), *period, "--out", str(target)]
            probe = run_probe(self.environ, args, timeout=self.args.report_timeout)
            name = f"B6 app export of {rows:,} visits to {fmt.upper()}"
            if probe.get("timeout"):
                out.append(
                    Result("B6", name, "ms", note=f"{probe['error']}; peak until then {probe['peak_mb']:.0f} MB")
                )
                continue
            if "error" in probe:
                out.append(unavailable("B6", name, probe["error"]))
                continue
            out.append(
                Result(
                    "B6",
                    name + ": time",
                    "ms",
                    [probe["seconds"] * 1000],
                    "COPY CSV",
                    copy_ms,
                    "≤ 2× COPY" if fmt == "csv" else "",
                    note=f"{probe['bytes'] / 1e6:.0f} MB file",
                )
            )
            out.append(
                Result("B6", name + ": peak memory", "MB", [probe["peak_mb"]], "COPY process", copy_mb, "< 300 MB")
            )
        return out

    def _city_id(self) -> int:
        from villages.models import Area

        return Area.objects.get(level="city").pk

    # -- B7 --------------------------------------------------------------------------------------------
    def b7(self) -> list[Result]:
        idle = run_probe(self.environ, ["idle"])
        out = []
        for fmt in ("docx", "xlsx"):
            runs = []
            # One run at large scale: the report takes minutes there, and its memory is the point.
            for _ in range(1 if self.info["scale"] >= 0.1 else max(1, min(3, self.repeat // 2))):
                runs.append(
                    run_probe(
                        self.environ,
                        [
                            "funding",
                            "--format",
                            fmt,
                            "--area",
                            str(self._city_id()),
                            "--out",
                            str(self.tmp / f"funding.{fmt}"),
                        ],
                        timeout=self.args.report_timeout,
                    )
                )
                if "error" in runs[-1]:
                    break
            if runs[-1].get("timeout"):
                # A real figure: the report exists and is too slow; its memory until then is still known.
                note = f"{runs[-1]['error']}; peak memory until then {runs[-1]['peak_mb']:.0f} MB"
                out.append(Result("B7", f"B7 city funding report, {fmt}: time", "ms", note=note))
                continue
            if "error" in runs[-1]:
                out.append(unavailable("B7", f"B7 city funding report ({fmt})", runs[-1]["error"]))
                continue
            mb = [r["peak_mb"] for r in runs]
            out.append(
                Result(
                    "B7",
                    f"B7 city funding report, {fmt}: time",
                    "ms",
                    [r["seconds"] * 1000 for r in runs],
                    note=f"{runs[0]['bytes'] / 1024:.0f} KB file",
                    target="minutes at most",
                )
            )
            out.append(
                Result(
                    "B7",
                    f"B7 city funding report, {fmt}: peak memory",
                    "MB",
                    mb,
                    "idle Django process",
                    [idle["peak_mb"]],
                    "bounded",
                )
            )
        return out

    # -- B8 --------------------------------------------------------------------------------------------
    def page_bytes(self, session: Session, path: str) -> dict:
        from django.conf import settings
        from django.contrib.staticfiles import finders

        response = session.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        html = response.body
        assets, leaflet, missing = {}, 0, []
        text = html.decode("utf-8", "replace")
        for url in re.findall(r'(?:src|href)="([^"]+)"', text):
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if not url.startswith(prefix):
                continue
            rel = url.split("?", 1)[0][len(prefix) :]
            found = finders.find(rel)
            if not found or rel in assets:
                if not found:
                    missing.append(rel)
                continue
            data = Path(found).read_bytes()
            if "leaflet" in rel.lower() and not rel.startswith(("css/", "js/")):
                leaflet += len(data)
                continue
            assets[rel] = (len(data), len(gzip.compress(data, 6)))
        return {
            "html": len(html),
            "html_gz": len(gzip.compress(html, 6)),
            "assets": assets,
            "assets_raw": sum(a for a, _g in assets.values()),
            "assets_gz": sum(g for _a, g in assets.values()),
            "leaflet": leaflet,
            "missing": missing,
        }

    def b8(self) -> list[Result]:
        from django.urls import reverse

        out = []
        pages = [
            ("visit form", "fieldwork:visit_create", [], 100),
            ("household list", "fieldwork:household_list", [], 150),
            ("village map", "maps:village_map", [self.big_id], 150),
        ]
        for label, name, args, budget in pages:
            try:
                path = reverse(name, args=args)
                first = self.page_bytes(self.cadre, path)
            except Exception as exc:  # a page that is missing or broken is reported, not skipped silently
                out.append(unavailable("B8", f"B8 {label}", f"{type(exc).__name__}: {exc}"[:200]))
                continue
            first_kb = (first["html"] + first["assets_raw"]) / 1024
            gz_kb = (first["html_gz"] + first["assets_gz"]) / 1024
            note = f"gzip {gz_kb:.0f} KB; Leaflet {first['leaflet'] / 1024:.0f} KB not counted"
            if first["missing"]:
                note += f"; unresolved {len(first['missing'])}"
            out.append(
                Result(
                    "B8",
                    f"B8 {label} first load (HTML+CSS+JS)",
                    "KB",
                    [first_kb],
                    "budget",
                    [budget],
                    f"< {budget} KB",
                    note=note,
                    extra=first,
                )
            )
            out.append(
                Result(
                    "B8",
                    f"B8 {label} repeat load (HTML; assets cached)",
                    "KB",
                    [first["html"] / 1024],
                    "budget",
                    [20],
                    "< 20 KB",
                    note=f"gzip {first['html_gz'] / 1024:.1f} KB",
                )
            )
        out.extend(self.b8_map_data())
        return out

    def b8_map_data(self) -> list[Result]:
        """What the village map fetches on open: its visible layers, and a repeat fetch with the ETag."""
        try:
            from maps.selectors import village_map_config
            from villages.models import Area

            config = village_map_config(Area.objects.get(pk=self.big_id))
        except Exception as exc:
            return [unavailable("B8", "B8 village map layers", f"{type(exc).__name__}: {exc}"[:200])]
        first = repeat = 0
        for layer in config["layers"]:
            if not layer.get("visible"):
                continue
            response = self.cadre.get(layer["url"])
            first += len(response.body)
            again = self.cadre.get(layer["url"], headers={"If-None-Match": response.headers.get("etag", "")})
            repeat += len(again.body)
        return [
            Result(
                "B8",
                "B8 village map: visible layers' data on open",
                "KB",
                [first / 1024],
                note=f"repeat with ETag: {repeat / 1024:.1f} KB (304s)",
            )
        ]

    # -- B9 (offline, issue 8) ----------------------------------------------------------------------------
    def b9(self) -> list[Result]:
        from django.urls import NoReverseMatch, reverse

        try:
            path = reverse("offline:package", args=[self.big_id])
        except NoReverseMatch:
            return [unavailable("B9", "B9 offline package", "the offline app has no package endpoint yet")]
        response = self.cadre.get(path)
        if response.status != 200:
            return [unavailable("B9", "B9 offline package", f"GET {path} answered {response.status}")]
        layer = self.cadre.get(f"/maps/layers/households/?area={self.big_id}")
        ms = self.http_ms(self.cadre, path)
        n = self.info["counts"].get("households", 0) and min(2000, self.info["counts"]["households"] // 4)
        return [
            Result(
                "B9",
                f"B9 offline package of the {n:,}-household village: size",
                "KB",
                [len(response.body) / 1024],
                "household layer GeoJSON",
                [len(layer.body) / 1024],
                note=f"gzip {len(gzip.compress(response.body, 6)) / 1024:.0f} KB",
            ),
            Result("B9", "B9 offline package: time over HTTP", "ms", ms),
        ]

    # -- B10 (offline, issue 8): the phone's queue of 500 visits sent one after another ------------------
    def b10(self) -> list[Result]:
        import uuid

        from django.urls import NoReverseMatch, reverse

        from fieldwork.models import Household

        try:
            path = reverse("offline:api_items")
        except NoReverseMatch:
            return [unavailable("B10", "B10 offline sync of 500 visits", "the offline app has no items endpoint")]
        n = 500 if not self.args.quick else 50
        households = list(Household.objects.filter(village_id=self.big_id).values_list("pk", "location")[:n])
        now = dt.datetime.now(dt.UTC)

        def item(i):
            pk, loc = households[i % len(households)]
            payload = {
                "household": pk,
                "visited_at": (now - dt.timedelta(minutes=i)).isoformat(),
                "findings": MARKER,
                "lon": loc.x,
                "lat": loc.y,
                "accuracy_m": 12,
            }
            return json.dumps({"kind": "visit", "client_uuid": str(uuid.uuid4()), "payload": payload}).encode()

        began = time.perf_counter()
        statuses = [self.cadre.post_json(path, item(i)).status for i in range(n)]
        seconds = time.perf_counter() - began
        began = time.perf_counter()
        for _ in range(n):
            self.cadre.get("/offline/api/ping/")
        ping = time.perf_counter() - began
        self.cleanup_load_visits()
        created = statuses.count(201)
        return [
            Result(
                "B10",
                f"B10 offline queue: {n} visits sent one by one over loopback",
                "ms",
                [seconds * 1000],
                f"{n} sequential pings",
                [ping * 1000],
                note=f"{created} created, {n - created} refused ({sorted(set(statuses))})",
            ),
        ]

    def all(self) -> list[Result]:
        out = []
        steps = (self.b1, self.b2, self.b3, self.b4, self.b5, self.b6, self.b7, self.b8, self.b9, self.b10)
        if self.args.only:
            steps = tuple(step for step in steps if step.__name__.upper() in self.args.only)
        for step in steps:
            began = time.perf_counter()
            try:
                out.extend(step())
            except Exception as exc:  # one broken benchmark must not hide the others
                out.append(
                    Result(
                        step.__name__.upper(),
                        step.__name__.upper(),
                        "",
                        note=f"failed: {type(exc).__name__}: {exc}"[:300],
                    )
                )
            print(f"  {step.__name__.upper()} done in {time.perf_counter() - began:.1f} s", flush=True)
        return out


# ---------------------------------------------------------------------------------------------------
# Targets, the table, the machine


TARGET_CHECKS = {
    "≤ 1.5× floor": lambda r: r.ratio is not None and r.ratio <= 1.5,
    "≤ 2× COPY": lambda r: r.ratio is not None and r.ratio <= 2,
    "< 300 MB": lambda r: r.median is not None and r.median < 300,
    "≥ 5× ours": lambda r: r.ratio is not None and r.ratio >= 5,
    "< 150 ms": lambda r: r.median is not None and r.median < 150,
    "< 300 ms": lambda r: r.median is not None and r.median < 300,
    "≥ 300 req/s": lambda r: r.median is not None and r.median >= 300,
    "< 100 ms": lambda r: r.median is not None and r.median < 100,
    "< 20 KB": lambda r: r.median is not None and r.median < 20,
    "< 100 KB": lambda r: r.median is not None and r.median < 100,
    "< 150 KB": lambda r: r.median is not None and r.median < 150,
}


def judge(results: list[Result]) -> None:
    for r in results:
        check = TARGET_CHECKS.get(r.target)
        r.met = check(r) if check and r.values else None


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "req/s":
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def table(results: list[Result]) -> str:
    head = ["bench", "median", "spread (min–max)", "reference", "ratio", "target", "met", "note"]
    rows = []
    for r in results:
        if not r.values:
            rows.append([r.name, "—", "", "", "", r.target, "", r.note])
            continue
        spread = f"{fmt(min(r.values), r.unit)}–{fmt(max(r.values), r.unit)}" if len(r.values) > 1 else ""
        ref = f"{r.ref_name} {fmt(r.ref_median, r.unit)}" if r.ref_values else ""
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        met = {True: "yes", False: "NO", None: ""}[r.met]
        rows.append([r.name, f"{fmt(r.median, r.unit)} {r.unit}", spread, ref, ratio, r.target, met, r.note])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version(), postgis_full_version()")
        pg, postgis = cur.fetchone()
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average": os.getloadavg(),
        "postgresql": pg.split(" on ")[0],
        "postgis": (re.search(r'POSTGIS="([^ "]+)', postgis or "") or ["", ""])[1],
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def jit_off_pass(args, info: dict, environ: dict, tmp: Path) -> list[Result]:
    """B2 and B4 again with PostgreSQL's JIT compiler off, for the app and the references alike.

    PostgreSQL compiles a query to machine code when its estimated cost passes `jit_above_cost`;
    spatial predicates have high estimated costs, so the layer and dashboard queries pay seconds
    of compilation for milliseconds of work. This pass shows what `jit = off` (a server setting,
    or `-c jit=off` in the connection options) changes; the main table keeps the defaults.
    """
    from django.db import connection

    port = free_port()
    off = dict(environ, PGOPTIONS=(environ.get("PGOPTIONS", "") + " -c jit=off").strip())
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    out = []
    try:
        with gunicorn(off, port, tmp / "gunicorn-jit-off.log"):
            bench = Bench(args, info, off, port, tmp)
            for step in (bench.b2, bench.b4):
                try:
                    rows = step()
                except Exception as exc:  # as in Bench.all: reported, never hidden
                    rows = [Result(step.__name__.upper(), step.__name__.upper(), "", note=f"failed: {exc}"[:300])]
                for row in rows:
                    row.name += " [jit=off]"
                out += rows
                print(f"  {step.__name__.upper()} [jit=off] done", flush=True)
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET jit")
    return out


# ---------------------------------------------------------------------------------------------------
# Main


def _benchmark_ids(text: str) -> frozenset[str]:
    ids = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = sorted(ids - {f"B{i}" for i in range(1, 11)})
    if not ids or unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmarks: {', '.join(unknown) or text!r} (B1 to B10)")
    return ids


def parse(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description="Zhucun benchmarks (B1–B10).")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", bench_env.DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", bench_env.DEFAULT_REDIS_URL))
    parser.add_argument("--repeat", type=int, default=7, help="measured runs per figure (after one warm-up)")
    parser.add_argument("--quick", action="store_true", help="3 runs, short load: for CI and development")
    parser.add_argument("--recreate", action="store_true", help="drop and regenerate the data set")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON result goes")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=10)
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument(
        "--report-timeout", type=float, default=900, help="seconds before a B7 report run is stopped and reported"
    )
    parser.add_argument(
        "--no-jit-pass", dest="jit_pass", action="store_false", help="skip B2 and B4 again with PostgreSQL jit=off"
    )
    parser.add_argument(
        "--only", type=_benchmark_ids, default=None, help="comma-separated benchmarks to run, e.g. B8,B9,B10"
    )
    args = parser.parse_args(argv)
    if args.only:
        args.jit_pass = args.jit_pass and bool({"B2", "B4"} & args.only)
    if args.quick:
        args.jit_pass = False
        args.repeat, args.load_seconds, args.load_runs = 3, 2, 1
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    redis_url = args.redis_url if redis_reachable(args.redis_url) else None
    from bench import generate

    generate.setup(args.database_url, redis_url)
    from django.db import connection
    from psycopg import OperationalError

    if connection.vendor != "postgresql":
        print("the benchmarks need PostGIS: --database-url postgis://…", file=sys.stderr)
        return 2
    began = time.perf_counter()
    try:
        generate.prepare_database(args.database_url, recreate=args.recreate)
    except OperationalError as exc:
        print(f"PostgreSQL/PostGIS is not reachable at {args.database_url}: {exc}", file=sys.stderr)
        print("install and start it (scripts/install-system.sh ci), or pass --database-url", file=sys.stderr)
        return 2
    info = generate.dataset_info(connection.connection)
    if info is not None and info["scale"] != args.scale:
        print(f"the data set has scale {info['scale']}, not {args.scale}: regenerating")
        generate.prepare_database(args.database_url, recreate=True)
        info = None
    if info is None:
        print(f"generating the data set, scale {args.scale}")
        info = generate.generate(args.scale)
    print(f"data set ready ({time.perf_counter() - began:.0f} s): {json.dumps(info['counts'])}")
    environ = dict(os.environ, **bench_env.bench_environ(args.database_url, redis_url))
    if not redis_url:
        environ.pop("REDIS_URL", None)
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="zhucun-bench-"))
    try:
        with gunicorn(environ, port, tmp / "gunicorn.log"):
            print(f"gunicorn (2 workers) on 127.0.0.1:{port}; {args.repeat} runs per figure")
            results = Bench(args, info, environ, port, tmp).all()
        if args.jit_pass:
            results += jit_off_pass(args, info, environ, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    judge(results)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "repeat": args.repeat,
        "redis": bool(redis_url),
        "machine": machine(),
        "dataset": info,
        "results": [r.as_dict() for r in results],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"bench-{report['when'][:19].replace(':', '')}-scale{args.scale:g}.json"
    (args.out / name).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    print()
    print(table(results))
    print(f"\nsaved {args.out / name}")
    return 0
