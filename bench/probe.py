"""One measured job in its own process, so the runner can read its peak memory (wait4's ru_maxrss).

    python -m bench.probe idle                                  # Django set up, nothing else: the baseline
    python -m bench.probe copy-csv --start D --end D --out F    # PostgreSQL COPY … TO STDOUT CSV (the floor)
    python -m bench.probe visits-export --format csv --area PK --start D --end D --out F   # the app's export
    python -m bench.probe funding --format docx --area PK --out F

The environment (database, keys) comes from the runner (`bench.env`). Prints one JSON line.
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path


def _bounds(start: dt.date, end: dt.date):
    from django.utils import timezone

    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time())),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())),
    )


def copy_csv(start: dt.date, end: dt.date, out: Path) -> dict:
    """The same rows, columns and order as the app's visit export, written by PostgreSQL itself."""
    from django.db import connection

    since, until = _bounds(start, end)
    query = (
        "COPY (SELECT v.visited_at, a.name, h.number, h.head_name, u.username, v.purpose "
        "FROM fieldwork_visit v JOIN villages_area a ON a.id = v.village_id "
        "JOIN fieldwork_household h ON h.id = v.household_id JOIN auth_user u ON u.id = v.visitor_id "
        f"WHERE v.visited_at >= '{since.isoformat()}' AND v.visited_at < '{until.isoformat()}' "
        "ORDER BY v.visited_at, v.id) TO STDOUT CSV HEADER"
    )
    rows = -1
    connection.ensure_connection()
    with connection.connection.cursor() as cur, cur.copy(query) as copy, out.open("wb") as fh:
        for chunk in copy:
            rows += bytes(chunk).count(b"\n")
            fh.write(chunk)
    return {"rows": rows}


def visit_exporter():
    """The app's visit exporter (a reports exporter named like "visits"), or None while there is none."""
    from reports.base import exporters

    for exporter in exporters():
        if "visit" in exporter.identifier:
            return exporter
    return None


def visits_export(fmt: str, out: Path, area_pk: int, start: dt.date, end: dt.date) -> dict:
    exporter = visit_exporter()
    if exporter is None:
        raise LookupError("no visit export in the app yet")
    return _run_exporter(exporter, fmt, out, area_pk, start, end)


def _run_exporter(exporter, fmt: str, out: Path, area_pk: int, start: dt.date, end: dt.date) -> dict:
    from reports.base import Params
    from reports.renderers import render

    params = Params.from_ids({"area": area_pk, "start": str(start), "end": str(end), "format": fmt})
    report = exporter().build(params)
    render(report, fmt, out)
    return {}


def funding(fmt: str, out: Path, area_pk: int, start: dt.date, end: dt.date) -> dict:
    from reports.base import get_exporter

    exporter = get_exporter("funding")
    if exporter is None:
        raise LookupError("no funding report in the app yet")
    return _run_exporter(exporter, fmt, out, area_pk, start, end)


def _hwm_kb() -> int:
    """This process's peak resident memory (its own, not inherited from the parent at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["idle", "copy-csv", "visits-export", "funding"])
    parser.add_argument("--format", default="csv")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date.today() - dt.timedelta(days=730))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--area", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    import django

    django.setup()
    began = time.perf_counter()
    extra = {}
    try:
        if args.job == "copy-csv":
            extra = copy_csv(args.start, args.end, args.out)
        elif args.job == "visits-export":
            extra = visits_export(args.format, args.out, args.area, args.start, args.end)
        elif args.job == "funding":
            extra = funding(args.format, args.out, args.area, args.start, args.end)
    except Exception as exc:  # reported as "not available" or a failure by the runner, never hidden
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 0
    seconds = time.perf_counter() - began
    size = args.out.stat().st_size if args.out and args.out.exists() else 0
    print(json.dumps({"seconds": seconds, "bytes": size, "hwm_kb": _hwm_kb(), **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
