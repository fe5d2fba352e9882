"""Assertions on the JSON lines of tests/support/callback_plugins/goship_results.py.

    python3 tests/support/results.py FILE changed HOST         the host's `changed` count in the run's stats
    python3 tests/support/results.py FILE expect 'EXPRESSION'  exit 1 unless the Python expression is true
    python3 tests/support/results.py FILE show [ACTION]        the matching records, for a failure's context

The expression sees R(action=, host=, status=, task=): the matching result records (task: a regular
expression searched in the task's name; status: one or a list of ok, changed, failed, skipped,
unreachable); one(...): the only match (an error otherwise); stats: {host: counts}; env: the
environment. A failed expectation prints itself and the records of the actions it names.
"""
import json
import os
import re
import sys


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    records = load(argv[1])
    stats = next((r["hosts"] for r in reversed(records) if r["event"] == "stats"), {})
    results = [r for r in records if r["event"] == "result"]

    def matches(action=None, host=None, status=None, task=None):
        return [r for r in results
                if (action is None or r["action"] == action) and (host is None or r["host"] == host)
                and (status is None or r["status"] in (status if isinstance(status, (list, tuple)) else [status]))
                and (task is None or re.search(task, r["task"]))]

    def one(**criteria):
        found = matches(**criteria)
        if len(found) != 1:
            raise AssertionError("%d records match %s, expected one" % (len(found), criteria))
        return found[0]

    command = argv[2]
    if command == "changed":
        print(stats.get(argv[3], {}).get("changed", 0))
        return 0
    if command == "show":
        for record in matches(action=argv[3] if len(argv) > 3 else None):
            print(json.dumps(record, sort_keys=True))
        return 0
    if command == "expect":
        expression = argv[3]
        try:
            ok = eval(expression, {"R": matches, "one": one, "stats": stats, "env": os.environ})  # pylint: disable=eval-used
        except (AssertionError, KeyError, IndexError, TypeError) as exc:
            ok, why = False, "%s: %s" % (type(exc).__name__, exc)
        else:
            why = "false"
        if ok:
            return 0
        print("expectation failed (%s): %s" % (why, expression), file=sys.stderr)
        for action in sorted(set(re.findall(r"action='([^']+)'", expression))):
            for record in matches(action=action):
                print("  " + json.dumps({k: record[k] for k in ("host", "task", "status")}) + " "
                      + json.dumps(record["result"], sort_keys=True)[:600], file=sys.stderr)
        return 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
