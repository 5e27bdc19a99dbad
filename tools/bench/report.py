#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Copyright (C) 2026 The svmgpu authors
#
# Turn svmgpu_bench's bench.json into bench.txt (tables, goals) and the data
# files and gnuplot script of the plots (plots.gp, run by ci/bench.sh).
#
# Usage: report.py BENCH_JSON OUT_DIR
import json
import math
import os
import sys

src, out = sys.argv[1], sys.argv[2]
b = json.load(open(src))
mc = b["memcpy"]["gbps"]
lines = []


def p(s=""):
    lines.append(s)


def f(v, fmt="%.2f"):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return fmt % v


def mig(gran, method, d, size):
    for m in b["migration"]:
        if (m["granularity"], m["method"], m["direction"], m["size_mib"]) == \
                (gran, method, d, size):
            return m
    return None


def dm(memory, d, size):
    for r in b["dmirror"]["results"]:
        if (r["memory"], r["direction"], r["size_mib"]) == (memory, d, size):
            return r
    return None


sizes = sorted({m["size_mib"] for m in b["migration"]})
meta = b["meta"]
p("svmgpu benchmark: git %s, kernel %s, %d vCPUs, %d MiB, %s" %
  (meta["git"], meta["kernel"], meta["cpus"], meta["mem_mib"], meta["svmgpu_params"]))
p("Baseline: single-thread memcpy %.3f GB/s (start %.3f, end %.3f); memset %.2f x memcpy."
  % (mc, b["memcpy"]["start_gbps"], b["memcpy"]["end_gbps"], b["memset"]["gbps_x_memcpy"]))
hl = os.path.join(os.path.dirname(src), "host-load.txt")
if os.path.exists(hl):
    rows = [l.split() for l in open(hl) if len(l.split()) == 5]
    if rows:
        loads = [float(r[1]) for r in rows]
        vms = max(int(r[4]) for r in rows)
        p("Host during the run: 1-min load %.1f-%.1f, up to %d QEMU VM(s) running (this "
          "one included)%s." % (min(loads), max(loads), vms,
                                "" if vms <= 1 else ": other VMs make TCG numbers noisy"))
p("Every ratio below is a bandwidth divided by that memcpy bandwidth, measured in the")
p("same run (absolute TCG numbers mean nothing). s2d: system -> device, d2s: back.")
p()

cols = [("2M", "prefetch"), ("2M", "fault"), ("4K", "prefetch"), ("4K", "fault")]
p("Migration, GB/s / memcpy (2M granularity on THP memory, 4K granularity on 4K pages)")
hdr = "%8s" % "MiB"
for g, m in cols:
    hdr += " | %-13s" % ("%s %s" % (g, m))
hdr += " | %-13s | %-13s" % ("dmirror THP", "dmirror 4K")
p(hdr)
sub = "%8s" % ""
for _ in range(len(cols) + 2):
    sub += " | %6s %6s" % ("s2d", "d2s")
p(sub)
for s in sizes:
    row = "%8d" % s
    for g, m in cols:
        row += " |"
        for d in ("s2d", "d2s"):
            x = mig(g, m, d, s)
            row += " %6s" % f(x["gbps_x_memcpy"] if x else None)
    for memory in ("THP", "4K pages"):
        row += " |"
        for d in ("s2d", "d2s"):
            x = dm(memory, d, s)
            row += " %6s" % f(x["gbps_x_memcpy"] if x else None)
    p(row)
bad = [m for m in b["migration"] if not m["verified"]]
if bad:
    p("DATA CHECK FAILED for: " + ", ".join("%s %s %s %d MiB" % (
        m["granularity"], m["method"], m["direction"], m["size_mib"]) for m in bad))
p()

p("svmgpu / dmirror (prefetch; 2M granularity vs THP, 4K granularity vs 4K pages)")
p("%8s | %-15s | %-15s" % ("MiB", "2M vs THP", "4K vs 4K pages"))
p("%8s | %7s %7s | %7s %7s" % ("", "s2d", "d2s", "s2d", "d2s"))
for s in sizes:
    row = "%8d |" % s
    for memory in ("THP", "4K pages"):
        for d in ("s2d", "d2s"):
            x = dm(memory, d, s)
            row += " %7s" % f(x.get("svmgpu_over_dmirror") if x else None)
        row += " |"
    p(row.rstrip(" |"))
if not b["dmirror"]["ok"]:
    p("dmirror: not measured: %s" % b["dmirror"]["error"])
elif b["dmirror"]["error"]:
    p("dmirror: left out: %s" % b["dmirror"]["error"])
p()

p("2M / 4K migration throughput (ratio of their x memcpy)")
p("%8s | %-15s | %-15s" % ("MiB", "prefetch", "fault"))
p("%8s | %7s %7s | %7s %7s" % ("", "s2d", "d2s", "s2d", "d2s"))
for s in sizes:
    row = "%8d |" % s
    for m in ("prefetch", "fault"):
        for d in ("s2d", "d2s"):
            a, c = mig("2M", m, d, s), mig("4K", m, d, s)
            row += " %7s" % f(a["gbps_x_memcpy"] / c["gbps_x_memcpy"] if a and c else None,
                              "%.1f")
        row += " |"
    p(row.rstrip(" |"))
p()

p("GPU faults: latency of single execs touching one fresh range (job round-trip")
p("included), the kernel's own time per fault, and the service rate of one exec")
p("touching many ranges; x memcpy: time / time of memcpy of the range size")
p("%-20s %4s %5s | %9s %9s %7s | %9s | %8s %7s | %6s %5s %5s" % (
    "kind", "gran", "n", "p50 us", "p99 us", "p50 x", "kernel us", "faults/s",
    "GB/s x", "faults", "valid", "migr"))
for r in b["faults"]:
    p("%-20s %4s %5d | %9s %9s %7s | %9s | %8s %7s | %6d %5d %5d" % (
        r["kind"], r["granularity"], r["samples"], f(r["p50_us"], "%.0f"),
        f(r["p99_us"], "%.0f"), f(r["p50_us_x_memcpy"], "%.1f"),
        f(r["kernel_fault_us"] if r["kernel_fault_us"] >= 0 else None, "%.0f"),
        f(r["rate_per_s"], "%.0f"), f(r["rate_gbps_x_memcpy"]), r["gpu_faults"],
        r["gpu_faults_valid"], r["migrations_to_vram"]))
j = b["job_roundtrip"]
p("bare drm_sched job round-trip (empty command buffer): p50 %s us, p99 %s us, n %d "
  "(p50 = %s x memcpy of 2 MiB)" % (f(j["p50_us"], "%.0f"), f(j["p99_us"], "%.0f"),
                                     j["samples"], f(j["p50_us_x_memcpy"])))
p()

p("The clear of new VRAM in a prefetch to VRAM of half-populated ranges (every other")
p("4K page written), GB/s / memcpy: pipelined as pre_migrate_fence through the")
p("scheduler (debugfs pipeline_clear) versus waited for on the CPU (also wait_clear),")
p("and done at once by the idle engine (default)")
for x in b["pipelining"]:
    p("  %s %4d MiB: pipelined %s, waited %s (pipelined/waited %s); at once %s" % (
        x["granularity"], x["size_mib"], f(x["pipelined_gbps_x_memcpy"]),
        f(x["waited_gbps_x_memcpy"]), f(x["speedup"], "%.2fx"),
        f(x.get("at_once_gbps_x_memcpy"))))
p()

p("Large migrate-engine transfers shared with a second CPU (default) versus on one")
p("CPU (debugfs share_transfers N), 2M prefetch, GB/s / memcpy (memcpy runs on one CPU)")
for x in b.get("sharing", []):
    p("  %s %4d MiB: s2d two CPUs %s, one %s (%s); d2s two CPUs %s, one %s (%s)" % (
        x["granularity"], x["size_mib"], f(x["two_cpus_s2d_gbps_x_memcpy"]),
        f(x["one_cpu_s2d_gbps_x_memcpy"]), f(x["speedup_s2d"], "%.2fx"),
        f(x["two_cpus_d2s_gbps_x_memcpy"]), f(x["one_cpu_d2s_gbps_x_memcpy"]),
        f(x["speedup_d2s"], "%.2fx")))
p()

p("CPU-fault migrate-back (device -> system by CPU reads), GB/s / memcpy")
for x in b["cpu_fault_back"]:
    p("  %s %4d MiB, %d thread(s): %s%s" % (
        x["granularity"], x["size_mib"], x["threads"], f(x["gbps_x_memcpy"]),
        "" if x["verified"] else "  DATA CHECK FAILED"))
p()

p("Goals")
for g in b["goals"]:
    state = "MET   " if g["met"] else ("MISSED" if g["measured"] else "N/A   ")
    p("  [%s] %-34s worst %s (target %s) at %s" % (
        state, g["name"], f(g["worst"]), f(g["target"], "%.1f"), g["worst_at"] or "-"))
open(os.path.join(out, "bench.txt"), "w").write("\n".join(lines) + "\n")

# ---- plots -----------------------------------------------------------------

series = [("2M", "prefetch", "s2d"), ("2M", "prefetch", "d2s"), ("2M", "fault", "s2d"),
          ("2M", "fault", "d2s"), ("4K", "prefetch", "s2d"), ("4K", "prefetch", "d2s"),
          ("4K", "fault", "s2d"), ("4K", "fault", "d2s")]
with open(os.path.join(out, "migration.dat"), "w") as d:
    d.write("# MiB " + " ".join("%s-%s-%s" % s for s in series) +
            " dm-THP-s2d dm-THP-d2s dm-4K-s2d dm-4K-d2s"
            " vs-THP-s2d vs-THP-d2s vs-4K-s2d vs-4K-d2s"
            " r-prefetch-s2d r-prefetch-d2s r-fault-s2d r-fault-d2s\n")
    rows = []
    for s in sizes:
        row = [str(s)]
        rows.append(row)
        for g, m, di in series:
            x = mig(g, m, di, s)
            row.append("%.6g" % x["gbps_x_memcpy"] if x else "NaN")
        for memory in ("THP", "4K pages"):
            for di in ("s2d", "d2s"):
                x = dm(memory, di, s)
                row.append("%.6g" % x["gbps_x_memcpy"] if x else "NaN")
        for memory in ("THP", "4K pages"):
            for di in ("s2d", "d2s"):
                x = dm(memory, di, s)
                row.append("%.6g" % x["svmgpu_over_dmirror"]
                           if x and "svmgpu_over_dmirror" in x else "NaN")
        for m in ("prefetch", "fault"):
            for di in ("s2d", "d2s"):
                a, c = mig("2M", m, di, s), mig("4K", m, di, s)
                row.append("%.6g" % (a["gbps_x_memcpy"] / c["gbps_x_memcpy"])
                           if a and c else "NaN")
        d.write(" ".join(row) + "\n")

with open(os.path.join(out, "faults.dat"), "w") as d:
    d.write("# case p50_us p99_us kernel_us\n")
    for r in b["faults"]:
        d.write('"%s %s" %.6g %.6g %.6g\n' % (
            r["kind"].replace("_", "-"), r["granularity"], r["p50_us"], r["p99_us"],
            max(r["kernel_fault_us"], 0)))
    d.write('"job round-trip" %.6g %.6g 0\n' % (j["p50_us"], j["p99_us"]))


def has(*cols):
    """Whether a gnuplot column (1-based) of migration.dat has a value."""
    return any(r[c - 1] != "NaN" for r in rows for c in cols)


def lines(title, ylabel, png, cols, goal=None):
    """A plot of migration.dat's columns @cols ((column, title, dashed)),
    left out without a single point: gnuplot fails on its empty
    log-scaled axis (a run of some --sections)."""
    if not has(*[c for c, _, _ in cols]):
        return []
    curves = ["'' u 1:%d w lp%s t '%s'" % (c, " dt 2" if dash else "", t)
              for c, t, dash in cols]
    curves[0] = "'%s/migration.dat' " % D + curves[0][3:]
    if goal:
        curves.append("%s w l lc rgb 'red' dt 3 t 'goal %s'" % (goal, goal))
    return ["set title '%s'" % title, "set ylabel '%s'" % ylabel,
            "set output '%s/%s'" % (D, png), "plot " + ", ".join(curves)]


D = out
gp = ["set terminal pngcairo size 960,560 font ',10'", 'set datafile missing "NaN"',
      "set grid", "set key outside right top", "set logscale x 2",
      "set xlabel 'buffer size (MiB)'"]
gp += lines("svmgpu migration at 2M granularity (THP), memcpy = %.3f GB/s" % mc,
            "GB/s / memcpy", "migration-2m.png",
            [(2, "prefetch s2d", 0), (3, "prefetch d2s", 0), (4, "fault s2d", 0),
             (5, "fault d2s", 0), (10, "dmirror THP s2d", 1), (11, "dmirror THP d2s", 1)],
            "0.5")
gp += lines("svmgpu migration at 4K granularity (4K pages)", "GB/s / memcpy",
            "migration-4k.png",
            [(6, "prefetch s2d", 0), (7, "prefetch d2s", 0), (8, "fault s2d", 0),
             (9, "fault d2s", 0), (12, "dmirror 4K s2d", 1), (13, "dmirror 4K d2s", 1)])
gp += lines("svmgpu / dmirror (prefetch)", "svmgpu GB/s / dmirror GB/s", "vs-dmirror.png",
            [(14, "2M vs THP s2d", 0), (15, "2M vs THP d2s", 0), (16, "4K vs 4K s2d", 0),
             (17, "4K vs 4K d2s", 0)], "1")
gp += lines("2M / 4K migration throughput", "2M GB/s / 4K GB/s", "2m-vs-4k.png",
            [(18, "prefetch s2d", 0), (19, "prefetch d2s", 0), (20, "fault s2d", 0),
             (21, "fault d2s", 0)], "4")
if b["faults"]:
    gp += ["unset logscale x", "set logscale y", "unset xlabel",
           "set title 'GPU fault latency (single execs, round-trip included)'",
           "set ylabel 'microseconds'", "set style data histograms",
           "set style histogram clustered gap 1", "set style fill solid 0.7 border -1",
           "set xtics rotate by -30", "set key inside left top",
           "set output '%s/faults.png'" % D,
           "plot '%s/faults.dat' u 2:xtic(1) t 'p50', '' u 3 t 'p99', "
           "'' u 4 t 'kernel per fault'" % D]
open(os.path.join(out, "plots.gp"), "w").write("\n".join(gp) + "\n")

# ---- summary: medians over the sizes >= 2 MiB, for README and the docs ------


def med(v):
    v = sorted(x for x in v if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def span(get):
    v = [get(s) for s in sizes if s >= 2]
    v = [x for x in v if x is not None]
    return (med(v), min(v) if v else None)


def mx(g, m, d):
    return lambda s: (mig(g, m, d, s) or {}).get("gbps_x_memcpy")


def dmx(mem, d):
    return lambda s: (dm(mem, d, s) or {}).get("gbps_x_memcpy")


def vs(mem, d):
    return lambda s: (dm(mem, d, s) or {}).get("svmgpu_over_dmirror")


def r24(m, d):
    def get(s):
        a, c = mig("2M", m, d, s), mig("4K", m, d, s)
        return a["gbps_x_memcpy"] / c["gbps_x_memcpy"] if a and c else None
    return get


rows = [("2M prefetch, x memcpy", mx("2M", "prefetch", "s2d"), mx("2M", "prefetch", "d2s")),
        ("2M GPU faults, x memcpy", mx("2M", "fault", "s2d"), mx("2M", "fault", "d2s")),
        ("4K prefetch, x memcpy", mx("4K", "prefetch", "s2d"), mx("4K", "prefetch", "d2s")),
        ("4K GPU faults, x memcpy", mx("4K", "fault", "s2d"), mx("4K", "fault", "d2s")),
        ("dmirror THP, x memcpy", dmx("THP", "s2d"), dmx("THP", "d2s")),
        ("dmirror 4K pages, x memcpy", dmx("4K pages", "s2d"), dmx("4K pages", "d2s")),
        ("svmgpu 2M / dmirror THP", vs("THP", "s2d"), vs("THP", "d2s")),
        ("svmgpu 4K / dmirror 4K pages", vs("4K pages", "s2d"), vs("4K pages", "d2s")),
        ("2M / 4K, prefetch", r24("prefetch", "s2d"), r24("prefetch", "d2s")),
        ("2M / 4K, GPU faults", r24("fault", "s2d"), r24("fault", "d2s"))]
md = ["| 2-256 MiB: median (worst) | system → device | device → system |",
      "|---|---|---|"]
rst = []
for name, a, c in rows:
    (ma, wa), (mc_, wc) = span(a), span(c)
    md.append("| %s | %s (%s) | %s (%s) |" % (name, f(ma), f(wa), f(mc_), f(wc)))
    rst.append((name, "%s (%s)" % (f(ma), f(wa)), "%s (%s)" % (f(mc_), f(wc))))
fl = {(r["kind"], r["granularity"]): r for r in b["faults"]}
md2 = ["| GPU fault | range | p50 µs | p99 µs | kernel µs | faults/s | valid counted |",
       "|---|---|---|---|---|---|---|"]
rst2 = []
for kind in ("first_touch_system", "first_touch_migrate", "refault_valid"):
    for g in ("4K", "2M"):
        r = fl.get((kind, g))
        if not r:
            continue
        cells = (kind.replace("_", " "), g, f(r["p50_us"], "%.0f"), f(r["p99_us"], "%.0f"),
                 f(r["kernel_fault_us"] if r["kernel_fault_us"] >= 0 else None, "%.0f"),
                 f(r["rate_per_s"], "%.0f"), "%d of %d" % (r["gpu_faults_valid"], r["gpu_faults"]))
        md2.append("| " + " | ".join(cells) + " |")
        rst2.append(cells)
md2.append("| job round-trip (empty) | - | %s | %s | - | - | - |" % (
    f(j["p50_us"], "%.0f"), f(j["p99_us"], "%.0f")))
rst2.append(("job round-trip (empty)", "-", f(j["p50_us"], "%.0f"), f(j["p99_us"], "%.0f"),
             "-", "-", "-"))
other = []
for x in b["pipelining"]:
    other.append("clear of new VRAM, %s prefetch of %d MiB: at once %s, pipelined %s, waited %s "
                 "(x memcpy; pipelined/waited %s)" % (
                     x["granularity"], x["size_mib"], f(x.get("at_once_gbps_x_memcpy")),
                     f(x["pipelined_gbps_x_memcpy"]), f(x["waited_gbps_x_memcpy"]),
                     f(x["speedup"], "%.2fx")))
for x in b.get("sharing", []):
    other.append("%s prefetch of %d MiB, transfers on two CPUs / one: s2d %s / %s, "
                 "d2s %s / %s x memcpy" % (
                     x["granularity"], x["size_mib"], f(x["two_cpus_s2d_gbps_x_memcpy"]),
                     f(x["one_cpu_s2d_gbps_x_memcpy"]), f(x["two_cpus_d2s_gbps_x_memcpy"]),
                     f(x["one_cpu_d2s_gbps_x_memcpy"])))
for g in ("2M", "4K"):
    v = {x["threads"]: x for x in b["cpu_fault_back"] if x["granularity"] == g}
    if 1 in v and 2 in v:
        other.append("CPU-fault migrate-back at %s, %d MiB: 1 thread %s, 2 threads %s x memcpy" % (
            g, v[1]["size_mib"], f(v[1]["gbps_x_memcpy"]), f(v[2]["gbps_x_memcpy"])))
goals = ["%s %s: worst %s (target %s) at %s" % ("MET" if g["met"] else "MISSED", g["name"],
                                                  f(g["worst"]), f(g["target"], "%.1f"),
                                                  g["worst_at"] or "-") for g in b["goals"]]
with open(os.path.join(out, "summary.md"), "w") as o:
    o.write("\n".join(md) + "\n\n" + "\n".join(md2) + "\n\n" +
            "".join("- %s\n" % x for x in other) + "\nGoals:\n\n" +
            "".join("- %s\n" % x for x in goals))


def rst_table(hdr, rows_):
    w = [max(len(str(c)) for c in col) for col in zip(hdr, *rows_)]
    line = "  ".join("=" * n for n in w)
    out_ = [line, "  ".join(str(c).ljust(n) for c, n in zip(hdr, w)).rstrip(), line]
    out_ += ["  ".join(str(c).ljust(n) for c, n in zip(r, w)).rstrip() for r in rows_]
    return "\n".join(out_ + [line])


with open(os.path.join(out, "summary.rst"), "w") as o:
    o.write(rst_table(("2-256 MiB: median (worst)", "system -> device", "device -> system"),
                      rst) + "\n\n")
    o.write(rst_table(("GPU fault", "range", "p50 us", "p99 us", "kernel us", "faults/s",
                       "valid counted"), rst2) + "\n\n")
    o.write("".join("- %s\n" % x for x in other) + "\n")
    o.write("".join("- %s\n" % x for x in goals))
