"""Bounded HTTP request loop against a port published on 127.0.0.1 (start-first tests).

Usage: request_loop.py URL STOP_FILE RESULT_FILE [MAX_REQUESTS] [MAX_SECONDS]
Sends GET requests one after the other until STOP_FILE exists, MAX_REQUESTS were sent or
MAX_SECONDS passed; writes {"ok", "failed", "errors", "bodies", "seconds"} as JSON to RESULT_FILE.
"""
import collections
import json
import os
import sys
import time
import urllib.request

url, stop_file, result_file = sys.argv[1:4]
if not url.startswith("http://127.0.0.1:"):
    sys.exit("only ports published on 127.0.0.1 may be probed")
max_requests = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
max_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 90.0
ok, failed, errors, bodies = 0, 0, [], collections.Counter()
started = time.monotonic()
while ok + failed < max_requests and time.monotonic() - started < max_seconds and not os.path.exists(stop_file):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode().strip()
            bodies[body] += 1
            ok += 1
    except Exception as exc:  # every failure counts; keep the first few reasons
        failed += 1
        if len(errors) < 10:
            errors.append(str(exc))
    time.sleep(0.01)
with open(result_file + ".tmp", "w") as handle:
    json.dump(dict(ok=ok, failed=failed, errors=errors, bodies=dict(bodies),
                   seconds=round(time.monotonic() - started, 2)), handle)
os.rename(result_file + ".tmp", result_file)
