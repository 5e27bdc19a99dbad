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


def why(test):
    """Where a test that did not pass says why: IGT's CRITICAL lines (the
    failed assertion), else the last lines it printed (a runner abort's
    reason, a timeout)."""
    out = (test.get("err", "") + "\n" + test.get("out", "")).strip().splitlines()
    critical = [l for l in out if "CRITICAL:" in l]
    return [l[:200] for l in (critical[:3] or out[-3:])]


def dmesg_problems(rdir):
    """The kernel log's problem lines, without the bare "Call Trace:" ones.

    A report is its header line (WARNING:, BUG:, INFO: task ... blocked)
    followed by a trace; what matters in a log's tail is the header. Traces
    without one are a task dump: igt_runner asks for one (sysrq t) when it
    kills a test that ran past its timeout, which the sysrq lines say.
    """
    try:
        with open(f"{rdir}/dmesg-problems.txt") as f:
            problems = [l.rstrip() for l in f]
    except OSError:
        return []
    try:
        with open(f"{rdir}/dmesg.txt") as f:
            sysrq = [l.rstrip() for l in f if "sysrq:" in l]
    except OSError:
        sysrq = []
    traces = sum(1 for l in problems if l.endswith("Call Trace:"))
    lines = [f"dmesg: {l}" for l in problems if not l.endswith("Call Trace:")][:20]
    lines += [f"dmesg: {l}" for l in sysrq[:5]]
    if traces:
        lines.append(f"dmesg: {traces} call traces")
    return lines


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
            bad += [f"    {l}" for l in why(t)]
    if guest != 0:
        lines.append(f"error: the guest run failed (status {guest}): see {rdir}/dmesg.txt "
                     f"and {rdir}/igt_runner.log")
        failed += 1
        bad += dmesg_problems(rdir)
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
