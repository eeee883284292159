"""One measured job in its own process, so the runner can read its peak memory (wait4's ru_maxrss).

    python -m bench.probe idle                                  # Django set up, nothing else: the baseline
    python -m bench.probe copy-csv --limit 1000000 --out F      # PostgreSQL COPY … TO STDOUT CSV (the floor)
    python -m bench.probe visits-export --format csv --out F    # the app's visit export, when it exists
    python -m bench.probe funding --format docx --area PK --out F

The environment (database, keys) comes from the runner (`bench.env`). Prints one JSON line.
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

VISIT_COLUMNS = "id, household_id, village_id, visitor_id, visited_at, purpose, findings, needs, accuracy_m, gps_poor"


def copy_csv(limit: int, out: Path) -> dict:
    from django.db import connection

    query = f"COPY (SELECT {VISIT_COLUMNS} FROM fieldwork_visit ORDER BY id LIMIT {int(limit)}) TO STDOUT CSV HEADER"
    connection.ensure_connection()
    with connection.connection.cursor() as cur, cur.copy(query) as copy, out.open("wb") as fh:
        for chunk in copy:
            fh.write(chunk)
    return {}


def visit_exporter():
    """The app's visit exporter (a reports exporter named like "visits"), or None while there is none."""
    from reports.base import exporters

    for exporter in exporters():
        if "visit" in exporter.identifier:
            return exporter
    return None


def visits_export(fmt: str, out: Path, area_pk: int) -> dict:
    exporter = visit_exporter()
    if exporter is None:
        raise LookupError("no visit export in the app yet")
    return _run_exporter(exporter, fmt, out, area_pk)


def _run_exporter(exporter, fmt: str, out: Path, area_pk: int) -> dict:
    from reports.base import Params
    from reports.renderers import render

    end = dt.date.today()
    params = Params.from_ids(
        {"area": area_pk, "start": str(end - dt.timedelta(days=730)), "end": str(end), "format": fmt}
    )
    report = exporter().build(params)
    render(report, fmt, out)
    return {}


def funding(fmt: str, out: Path, area_pk: int) -> dict:
    from reports.base import get_exporter

    exporter = get_exporter("funding")
    if exporter is None:
        raise LookupError("no funding report in the app yet")
    return _run_exporter(exporter, fmt, out, area_pk)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["idle", "copy-csv", "visits-export", "funding"])
    parser.add_argument("--format", default="csv")
    parser.add_argument("--limit", type=int, default=1_000_000)
    parser.add_argument("--area", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    import django

    django.setup()
    began = time.perf_counter()
    try:
        if args.job == "copy-csv":
            copy_csv(args.limit, args.out)
        elif args.job == "visits-export":
            visits_export(args.format, args.out, args.area)
        elif args.job == "funding":
            funding(args.format, args.out, args.area)
    except Exception as exc:  # reported as "not available" or a failure by the runner, never hidden
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 0
    seconds = time.perf_counter() - began
    size = args.out.stat().st_size if args.out and args.out.exists() else 0
    print(json.dumps({"seconds": seconds, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
