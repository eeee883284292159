"""Put a saved run into docs/performance.md, between the `bench:latest` markers.

    python -m bench.report bench/results/bench-….json [--doc docs/performance.md]

The rest of the page (what each figure means, what limits it) is written by hand.
"""

import argparse
import json
import re
import sys
from pathlib import Path

from bench.run import Result, table

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
START, END = "<!-- bench:latest -->", "<!-- /bench:latest -->"
FIELDS = {"id", "name", "unit", "values", "ref_name", "ref_values", "target", "met", "note", "extra"}


def latest_section(report: dict, source: str) -> str:
    m = report["machine"]
    ds = report["dataset"]
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(ds["counts"].items()))
    results = [Result(**{k: v for k, v in r.items() if k in FIELDS}) for r in report["results"]]
    gen = ds.get("seconds", {})
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in gen.items())
    return "\n".join(
        [
            START,
            f"Run of {report['when']} (`{source}`), scale **{report['scale']:g}**, "
            f"{report['repeat']} measured runs per figure after one warm-up.",
            "",
            f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory, load average at the end "
            f"{', '.join(f'{x:.1f}' for x in m['load_average'])} (the machine was shared with other work).",
            f"- {m['postgresql']}, PostGIS {m['postgis']}, Python {m['python']}, Linux {m['kernel']}; "
            f"gunicorn 2 sync workers, DEBUG=false, Redis broker: {'yes' if report['redis'] else 'no'}.",
            f"- Data set (seed {ds['seed']}): {counts}.",
            f"- Generation: {sum(gen.values()):.0f} s of loading ({steps}).",
            "",
            table(results),
            END,
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("result", type=Path)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    report = json.loads(args.result.read_text())
    try:
        source = str(args.result.resolve().relative_to(DOC.parent.parent))
    except ValueError:
        source = args.result.name
    section = latest_section(report, source)
    text = args.doc.read_text() if args.doc.exists() else f"# Performance\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        text += f"\n{START}\n{END}\n"
    args.doc.write_text(pattern.sub(lambda _m: section, text))
    print(f"updated {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
