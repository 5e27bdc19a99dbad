#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise igt_runner's results.json: a line per test, then the totals.

Usage: summarize.py RESULTS_DIR [GUEST_STATUS]
Writes RESULTS_DIR/summary.txt; the tests that did not pass and the guest's
kernel log problems are repeated just above the totals. Exits non-zero if a
test did not pass or skip, if no test ran, or if GUEST_STATUS (the VM run's
exit status) is not 0.
"""
import json
import sys

PASS = {"pass"}
SKIP = {"skip", "notrun"}


def main():
    rdir = sys.argv[1]
    guest = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    lines = []
    try:
        with open(f"{rdir}/results.json") as f:
            tests = json.load(f).get("tests", {})
    except (OSError, ValueError) as e:
        tests = {}
        lines.append(f"error: no igt_runner results: {e}")
    passed = failed = skipped = 0
    bad = []
    for name in sorted(tests):
        t = tests[name]
        res = t.get("result", "?")
        secs = t.get("time", {}).get("end", 0) - t.get("time", {}).get("start", 0)
        lines.append(f"{res:12s} {name} ({secs:.1f}s)")
        if res in PASS:
            passed += 1
        elif res in SKIP:
            skipped += 1
        else:
            failed += 1
            bad.append(lines[-1])
    if guest != 0:
        lines.append(f"error: the guest run failed (status {guest}): see {rdir}/dmesg.txt "
                     f"and {rdir}/igt_runner.log")
        failed += 1
        try:
            with open(f"{rdir}/dmesg-problems.txt") as f:
                bad += [f"dmesg: {l.rstrip()}" for l in f.readlines()[:20]]
        except OSError:
            pass
    if passed == 0:
        lines.append("error: no test passed")
        failed += 1
    # Repeated at the end, where a log's tail shows them.
    if bad:
        lines.append("not passed:")
        lines += [f"  {l}" for l in bad]
    lines.append(f"{skipped} skipped")
    lines.append(f"{passed} passed, {failed} failed")
    with open(f"{rdir}/summary.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
