#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: build svmgpu.ko (from a snapshot of the sources), the
# benchmark program and the kernel's HMM test driver (lib/test_hmm.c of the
# bench's linux-source package, built out of tree at run time and never
# committed), boot the VM, run ci/guest-bench.sh there, then turn its JSON
# into a text table and gnuplot plots. Results in results/bench/:
#
#   bench.json        every number next to its ratio to memcpy, and the goals
#   bench.txt         the same as tables, with the goals met or missed
#   *.png             plots (gnuplot, in the sysroot)
#   perf-*.txt        in-guest perf profiles of the migration paths
#   host-load.txt     the host's load average and QEMU count, every 20 s
#   guest.log         the guest's progress lines; dmesg.txt its kernel log
#
# Environment: VM_MEMORY (4G), VM_TIMEOUT (seconds, 2400), VM_QEMU_OPTS
# (-mem-prealloc; set it empty for QEMU's lazily backed RAM), SVMGPU_PARAMS
# (vram_size_mb=512), BENCH_ARGS (extra svmgpu_bench arguments, e.g.
# "--quick --max-size 16"), BENCH_PERF (1: record the perf profiles, 0: not),
# BENCH_REF (a git revision: measure that commit's driver and benchmark,
# built from git archive; default: the working tree).
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$REPO_TOP"
bench_ready || die "bench missing: run ci/bench-setup.sh"

OUT=results/bench
WORK=build/bench
DRV=drivers/gpu/drm/svmgpu
UAPI=include/uapi/drm/svmgpu_drm.h
KDIR_IN=/usr/src/linux-headers-$KVER
start=$(date +%s)

mkdir -p build
exec 7>build/.bench.lock
flock 7

# --- tools in the sysroot: gnuplot and perf, installed once, on demand -----

have_tools() {
	sysroot_run /bin/sh -c 'command -v gnuplot && command -v perf' >/dev/null 2>&1
}

if ! have_tools; then
	exec 8>"$SVMGPU_CACHE/.bench-tools.lock"
	flock 8
	if ! have_tools; then
		log "installing gnuplot-nox and linux-perf into the bench"
		apt_get() { sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq "$@"; }
		# perf from the kernel's own suite when it has one.
		inst() {
			apt_get install gnuplot-nox >/dev/null &&
				{ apt_get install -t trixie-backports linux-perf >/dev/null 2>&1 ||
				  apt_get install linux-perf >/dev/null; }
		}
		inst || { apt_get update >/dev/null && inst; } ||
			die "cannot install gnuplot-nox and linux-perf into the bench"
	fi
	exec 8>&-
fi

# --- build -----------------------------------------------------------------

if [ -n "${BENCH_REF:-}" ]; then
	# A commit: everything is built in a private copy of it.
	rev=$(git rev-parse --short "$BENCH_REF^{commit}") || die "unknown revision $BENCH_REF"
	log "building svmgpu.ko and svmgpu_bench of $BENCH_REF ($rev)"
	tree=$WORK/ref
	rm -rf "$tree"
	mkdir -p "$tree"
	git archive "$rev" | tar -x -C "$tree"
	git_state=$rev
else
	# The working tree: the module from a snapshot, so that the numbers
	# belong to one source state even while files are being edited, and the
	# objects `make` builds in place are left alone.
	log "building svmgpu.ko from a snapshot of the working tree"
	tree=.
	rm -rf "$WORK/src"
	mkdir -p "$WORK/src"
	find "$DRV" "$UAPI" -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c' -print0 | xargs -0 cp --parents -t "$WORK/src"
	git_state="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	dirty=$(git status --porcelain -- "$DRV" "$UAPI" tools/bench 2>/dev/null | awk '{print $2}' |
		xargs -r -n1 basename | tr '\n' ' ' | sed 's/ $//')
	[ -z "$dirty" ] || git_state+="+uncommitted($dirty)"
fi
moddir=$([ "$tree" = . ] && echo "$WORK/src/$DRV" || echo "$tree/$DRV")
ci/sysroot-run.sh make -C "$KDIR_IN" M="$SRC_IN_SYSROOT/$moddir" -j2 modules \
	>"$WORK/module-build.log" 2>&1 || { tail -n 30 "$WORK/module-build.log"; die "svmgpu.ko failed"; }

# lib/test_hmm.c: read from the cached kernel tree, never part of the repository.
ksrc=$(ci/ksrc.sh)
log "building test_hmm.ko (lib/test_hmm.c of $(basename "$ksrc"))"
rm -rf build/test_hmm
mkdir -p build/test_hmm
cp "$ksrc/lib/test_hmm.c" "$ksrc/lib/test_hmm_uapi.h" build/test_hmm/
echo 'obj-m := test_hmm.o' >build/test_hmm/Kbuild
ci/sysroot-run.sh make -C "$KDIR_IN" M="$SRC_IN_SYSROOT/build/test_hmm" modules \
	>"$WORK/test_hmm-build.log" 2>&1 || { tail -n 30 "$WORK/test_hmm-build.log"; die "test_hmm.ko failed"; }
if [ "$tree" != . ]; then
	mkdir -p "$tree/build/test_hmm"
	cp build/test_hmm/test_hmm_uapi.h "$tree/build/test_hmm/"
fi

log "building svmgpu_bench"
ci/sysroot-run.sh make -C "$tree" build/tools/svmgpu_bench >"$WORK/bench-build.log" 2>&1 ||
	{ tail -n 30 "$WORK/bench-build.log"; die "svmgpu_bench failed"; }

# --- run -------------------------------------------------------------------

rm -rf "$OUT"
mkdir -p "$OUT"
log "running the benchmark in the VM (TCG: this takes a while; progress in $OUT/guest.log)"
# Other VMs on the host slow the guest's vCPUs down unevenly: keep a record
# of the host's load and QEMU processes (this run's included) next to the
# numbers.
(while :; do
	echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg) $(pgrep -c qemu-system || true)"
	sleep 20
done) >"$OUT/host-load.txt" 2>/dev/null &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT
set +e
# QEMU backs guest RAM lazily: the first touch of a guest page since boot
# costs a host page fault, which made a THP zeroed by the guest take 8-10x
# longer (traced: clear_highpages p50 9.5 ms against 1.2 ms per 2 MiB) and
# fell on whichever migration got fresh pages. -mem-prealloc backs it all at
# boot, as real RAM is.
VM_QEMU_OPTS=${VM_QEMU_OPTS--mem-prealloc} \
	VM_MEMORY=${VM_MEMORY:-4G} VM_TIMEOUT=${VM_TIMEOUT:-2400} SVMGPU_NO_LOAD=1 \
	SVMGPU_PARAMS=${SVMGPU_PARAMS:-vram_size_mb=512} \
	ci/vm-run.sh "$OUT" env BENCH_GIT="$git_state" BENCH_ARGS="${BENCH_ARGS:-}" \
	BENCH_PERF="${BENCH_PERF:-1}" BENCH_KO="$moddir/svmgpu.ko" \
	BENCH_BIN="$tree/build/tools/svmgpu_bench" \
	"$SRC_IN_SYSROOT/ci/guest-bench.sh" "$SRC_IN_SYSROOT/$OUT" \
	2>&1 | tee "$OUT/vm.log" >&2
rc=${PIPESTATUS[0]}
set -e
kill "$sampler" 2>/dev/null || true
trap - EXIT
[ -s "$OUT/bench.json" ] || die "the guest wrote no $OUT/bench.json (exit $rc); see $OUT/"

# --- report ----------------------------------------------------------------

python3 tools/bench/report.py "$OUT/bench.json" "$OUT" || die "report failed"
ci/sysroot-run.sh gnuplot "$OUT/plots.gp" >"$WORK/gnuplot.log" 2>&1 ||
	{ cat "$WORK/gnuplot.log" >&2; die "gnuplot failed"; }
cat "$OUT/bench.txt"
log "results in $OUT/ ($(($(date +%s) - start)) s)"
[ "$rc" = 0 ] || die "the guest run failed (exit $rc), see $OUT/"
