"""A bounded request loop against the proxy: GET /version and GET /api/kv/<key>, paced at
--rate requests per second, until --stop-file appears or --max-seconds pass (then it stops by
itself), at most --max-requests. Prints a JSON summary: total, failed (non-200 or no answer),
what went wrong, and which versions answered in which order.

    load.py --url http://127.0.0.1:8088 --key before --stop-file /tmp/stop --out summary.json

With --plain (the test images' app, whose /version answers the bare version) only GET /version
is sent and its text is the version.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from urllib.parse import urlsplit


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", help="a key that must stay readable (required without --plain)")
    ap.add_argument("--plain", action="store_true", help="GET /version only, answered as plain text")
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--max-seconds", type=float, default=180.0)
    ap.add_argument("--max-requests", type=int, default=4000)
    ap.add_argument("--stop-file", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.plain and not args.key:
        ap.error("--key is required without --plain")

    target = urlsplit(args.url)
    assert target.hostname == "127.0.0.1", "only the proxy's port on 127.0.0.1 may be hit"
    interval = 1.0 / args.rate
    started = time.monotonic()
    total = failed = 0
    errors: dict[str, int] = {}
    versions: list[str] = []  # distinct versions in the order they answered
    counts: dict[str, int] = {}
    max_latency = 0.0
    next_at = started
    while total < args.max_requests and time.monotonic() - started < args.max_seconds:
        if os.path.exists(args.stop_file):
            break
        path = "/version" if args.plain or total % 2 == 0 else "/api/kv/" + args.key
        t0 = time.monotonic()
        problem = None
        try:
            # a new connection per request, as independent clients would open
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status != 200:
                problem = "%s -> %d %s" % (path, resp.status, body[:80].decode("utf-8", "replace").strip())
            else:
                if args.plain:
                    version = body.decode("utf-8", "replace").strip() or "?"
                else:
                    data = json.loads(body)
                    version = data.get("version") or data.get("served_by") or "?"
                counts[version] = counts.get(version, 0) + 1
                if not versions or versions[-1] != version:
                    versions.append(version)
        except Exception as exc:  # noqa: BLE001 - every failure counts, whatever its kind
            problem = "%s -> %s: %s" % (path, type(exc).__name__, exc)
        max_latency = max(max_latency, time.monotonic() - t0)
        total += 1
        if problem:
            failed += 1
            errors[problem] = errors.get(problem, 0) + 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    summary = {
        "total": total, "failed": failed, "errors": errors, "version_sequence": versions,
        "responses_per_version": counts, "seconds": round(time.monotonic() - started, 1),
        "max_latency_ms": round(max_latency * 1000), "rate": args.rate,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
