#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench, in the guest (started by ci/bench.sh through vm-run.sh with
# SVMGPU_NO_LOAD=1): loads the snapshot's svmgpu.ko and test_hmm.ko, runs
# build/tools/svmgpu_bench, records perf profiles of the migration paths,
# unloads both.
#
# Usage: guest-bench.sh RESULTS_DIR
# Environment: SVMGPU_PARAMS, BENCH_GIT, BENCH_ARGS, BENCH_PERF (see bench.sh),
# BENCH_KO and BENCH_BIN (the module and the program, relative to the
# repository).
set -u
out=$1
ko=${BENCH_KO:-build/bench/src/drivers/gpu/drm/svmgpu/svmgpu.ko}
hmm=build/test_hmm/test_hmm.ko
bench=${BENCH_BIN:-build/tools/svmgpu_bench}
log() { echo "guest-bench: $*" >&2; }

# THP only where asked for (MADV_HUGEPAGE): 4K-page runs stay 4K pages.
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
echo madvise >/sys/kernel/mm/transparent_hugepage/defrag

modprobe drm_gpusvm_helper && modprobe gpu-sched || exit 1
# shellcheck disable=SC2086 # module parameters, one word each
insmod "$ko" ${SVMGPU_PARAMS:-} || { log "loading svmgpu failed"; exit 1; }
if insmod "$hmm"; then
	if [ ! -e /dev/hmm_dmirror0 ]; then
		major=$(awk '$2 == "HMM_DMIRROR" {print $1}' /proc/devices)
		[ -n "$major" ] && mknod /dev/hmm_dmirror0 c "$major" 0
	fi
else
	log "loading test_hmm failed: no peer numbers"
fi

rc=0
log "svmgpu_bench ${BENCH_ARGS:-}"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of arguments
BENCH_GIT=${BENCH_GIT:-unknown} "$bench" --out "$out/bench.json" ${BENCH_ARGS:-} \
	2>&1 | tee "$out/guest.log" >&2
rc=${PIPESTATUS[0]}

# Where the time goes: system-wide profiles (the copy runs in the migrate
# engine's scheduler worker, not in the benchmark's own thread).
if [ $rc = 0 ] && [ "${BENCH_PERF:-1}" = 1 ] && command -v perf >/dev/null; then
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	for p in prefetch-2M prefetch-4K fault-2M cpuback-2M; do
		log "perf: $p"
		perf record -q -e cpu-clock -F 499 -a -g -o /tmp/perf.data -- \
			"$bench" --profile "$p" --seconds 8 >/dev/null 2>>"$out/guest.log" || continue
		perf report -i /tmp/perf.data --stdio --no-children --sort sym \
			--percent-limit 0.5 -g none >"$out/perf-$p.txt" 2>/dev/null
		perf report -i /tmp/perf.data --stdio --children --sort sym \
			--percent-limit 2 -g none >"$out/perf-$p-children.txt" 2>/dev/null
		rm -f /tmp/perf.data
	done
fi

rmmod test_hmm 2>/dev/null
if ! rmmod svmgpu; then
	log "rmmod svmgpu failed"
	[ $rc != 0 ] || rc=1
fi
exit $rc
