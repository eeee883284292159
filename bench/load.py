"""The load generator of B5, run as its own process: concurrent clients POSTing visits for a fixed time.

    python -m bench.load --port 8765 --spec spec.json --concurrency 8 --seconds 10

`spec.json` holds the session cookie and CSRF token of one log-in (the runner logs in once),
the path to POST to and the household ids to visit. Each client loops: build a visit with a
fresh client UUID, POST it, wait for the answer, repeat; latency is measured per request.
Loopback only, bounded duration. Prints one JSON line: requests, errors, rate, p50/p95/p99.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
import uuid


def _request(spec: dict, body: bytes) -> bytes:
    head = (
        f"{spec['method']} {spec['path']} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{spec['port']}\r\n"
        f"Cookie: sessionid={spec['sessionid']}; csrftoken={spec['csrftoken']}\r\n"
        f"X-CSRFToken: {spec['csrftoken']}\r\n"
        f"Referer: http://127.0.0.1:{spec['port']}/\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _visit(spec: dict, rnd: random.Random) -> bytes:
    if spec["method"] == "GET":
        return b""
    household, lon, lat = rnd.choice(spec["households"])
    payload = {
        "household": household,
        "visited_at": dt.datetime.now(dt.UTC).isoformat(),
        "purpose": "routine",
        "findings": spec.get("marker", "bench"),
        "lon": lon + rnd.uniform(-0.0001, 0.0001),
        "lat": lat + rnd.uniform(-0.0001, 0.0001),
        "accuracy_m": round(rnd.uniform(3, 30), 1),
        "checks": {"food": "ok", "housing": "ok"},
        "client_uuid": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
    }
    return json.dumps(payload).encode()


async def _client(spec: dict, deadline: float, seed: int, latencies: list, errors: list) -> None:
    # Seeded per process and client: each run sends new client UUIDs (a repeat would be a replay).
    rnd = random.Random(f"{os.getpid()}-{seed}-{time.time_ns()}")
    while time.perf_counter() < deadline:
        body = _visit(spec, rnd)
        began = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
            writer.write(_request(spec, body))
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()  # until the server closes (sync workers close after each answer)
            writer.close()
            status = int(status_line.split()[1])
        except (OSError, ValueError, IndexError) as exc:
            errors.append(type(exc).__name__)
            continue
        if status in spec["ok"]:
            latencies.append(time.perf_counter() - began)
        else:
            errors.append(status)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(spec: dict, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list = []
    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(_client(spec, deadline, i, latencies, errors) for i in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors})[:5],
        "seconds": round(elapsed, 3),
        "rate": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args(argv)
    with open(args.spec) as fh:
        spec = json.load(fh)
    if not 0 < args.seconds <= 120:
        parser.error("--seconds must be in (0, 120]")
    print(json.dumps(asyncio.run(run(spec, args.concurrency, args.seconds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
