# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judge bad_inputs.sh's results: each case failed with one clear line and left nothing.
Usage: judge.py RESULTS.json PLAY.log CONTAINERS_LEFT 'NETWORK NAMES LEFT'; the last line printed is the
figure of the RESULT line; exit 1 when a case is not clear."""

import json
import sys


def problems(result):
    found = []
    message = str(result.get("msg") or "")
    if not result.get("failed"):
        found.append("did not fail")
    if result.get("changed"):
        found.append("reported a change")
    if "\n" in message or "\r" in message:
        found.append("a message of more than one line")
    if len(message) > 2000:
        found.append("a message of %d characters" % len(message))
    if not message.strip():
        found.append("no message")
    for words in ("Traceback", "deserialization failed", "bug in goship", "MODULE FAILURE"):
        if words in message or words in str(result.get("module_stderr") or ""):
            found.append("%r in the output" % words)
    # ansible-core 2.19+ sets "(traceback unavailable)" on every failure without one
    if result.get("exception") and "traceback unavailable" not in str(result["exception"]):
        found.append("a traceback was returned")
    return found


def main():
    results = json.load(open(sys.argv[1], encoding="utf-8"))
    log = open(sys.argv[2], encoding="utf-8", errors="replace").read()
    left, networks = int(sys.argv[3]), sys.argv[4].split()
    unclear = {}
    for result in results:
        name = str((result.get("item") or {}).get("path", "?")).rsplit("/", 1)[-1]
        found = problems(result)
        if found:
            unclear[name] = found
    for name, found in sorted(unclear.items()):
        print("%s: %s" % (name, "; ".join(found)))
    if "Traceback" in log:
        print("a traceback in the ansible-playbook output")
    if left or networks:
        print("left on the engine: %d containers of gsbad-* projects, networks: %s" % (left, " ".join(networks) or "none"))
    clear = len(results) - len(unclear)
    print("bad inputs %d/%d clear" % (clear, len(results)))
    ok = results and not unclear and "Traceback" not in log and not left and not networks
    sys.exit(0 if ok else 1)


main()
