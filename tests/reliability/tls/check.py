"""Judges the TLS matrix: `check.py PHASE=BASE.json,VARIANT.json,... [PHASE=...]`.

For each phase the first results file is judged case by case against the expectations written in
matrix.yml (verdict, message fragments, one-line message, changed, the engine's volume list before and
after). Every further file is the same matrix run with REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE set to
something else: its verdicts and messages must be identical to the first file's, case for case.
Prints one line per check, what each case printed, and last `COUNT <passed> <total>`.
"""
from __future__ import annotations

import json
import os
import sys


def judge(result: dict) -> list[str]:
    """What is wrong with one case's result (nothing: it passed)."""
    case, problems = result["case"], []
    before, after = result["volumes_before"], result["volumes_after"]
    if case["expect"] == "ok":
        if result["failed"]:
            problems.append("failed, want success")
        if "changed" in case and result["changed"] != case["changed"]:
            problems.append("changed=%s, want %s" % (result["changed"], case["changed"]))
        if case.get("volumes") == "created":
            if case["volume"] not in after or case["volume"] in before:
                problems.append("volume %s was not created (before %s, after %s)" % (case["volume"], before, after))
        elif before != after:
            problems.append("the volume list changed: %s -> %s" % (before, after))
    else:
        if not result["failed"]:
            problems.append("succeeded, want failure")
        msg = result["msg"]
        problems.extend("message lacks %r" % fragment for fragment in case.get("contains", []) if fragment not in msg)
        if "\n" in msg.strip() or "Traceback" in msg:
            problems.append("message is not one line")
        if before != after:
            problems.append("the engine changed: volumes %s -> %s" % (before, after))
    return problems


def describe(result: dict) -> str:
    if result["failed"]:
        return "failed: " + result["msg"].strip()
    extra = ", check mode" if result["case"].get("check") else ""
    return "ok, changed=%s%s, volumes %s" % (str(result["changed"]).lower(), extra, result["volumes_after"])


def verdicts(results: list[dict]) -> list[tuple]:
    return [(r["name"], r["failed"], r["changed"], r["msg"]) for r in results]


def main(argv: list[str]) -> int:
    passed = total = 0
    for arg in argv:
        phase, files = arg.split("=", 1)
        runs = [(path, json.load(open(path, encoding="utf-8"))) for path in files.split(",")]
        base_path, base = runs[0]
        print("phase %s (%d cases):" % (phase, len(base)))
        for result in base:
            problems = judge(result)
            total += 1
            passed += not problems
            print("  %s %-30s %s" % ("PASS" if not problems else "FAIL", result["name"], describe(result)))
            for problem in problems:
                print("       -> %s" % problem)
        for path, other in runs[1:]:
            total += 1
            label = os.path.basename(path).rsplit(".", 1)[0]
            differing = [(a, b) for a, b in zip(verdicts(base), verdicts(other)) if a != b]
            if len(other) != len(base):
                differing.append(("%d cases" % len(base), "%d cases" % len(other)))
            passed += not differing
            print("  %s %-30s %d verdicts and messages %s those of %s" % (
                "PASS" if not differing else "FAIL", label, len(other),
                "identical to" if not differing else "DIFFER from", os.path.basename(base_path)))
            for want, got in differing:
                print("       -> %s\n          %s" % (want, got))
    print("COUNT %d %d" % (passed, total))
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
