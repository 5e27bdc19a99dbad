#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check, in the guest: run the IGT suite under the real igt_runner.
# Usage: guest-check.sh RESULTS_DIR
# Environment: GUEST_CHECK_TIMEOUT (seconds per subtest, 300; the debug
# kernel is slower), GUEST_CHECK_OVERALL (seconds after which no more tests
# start, 4800), GUEST_CHECK_RUNNER_ARGS (more igt_runner options, such as
# -m: one execution per binary rather than per subtest), SVMGPU_RELOADS
# (module reloads of svmgpu_robust's module-reload, 10 here: each costs
# about 3 s under TCG).
set -u
results=$1
build=/src/svmgpu/build
export LD_LIBRARY_PATH=/opt/igt/usr/lib/x86_64-linux-gnu
export SVMGPU_RELOADS=${SVMGPU_RELOADS:-10}
runner=/opt/igt/usr/bin/igt_runner
igt_bins=/opt/igt/usr/libexec/igt-gpu-tools
# IGT's own driver-agnostic tests that exercise what svmgpu offers through the
# DRM core (the render node, syncobjs, unbind and rebind through the driver
# core's sysfs files while files are open); they run against svmgpu, the
# guest's only DRM device. syncobj_wait and syncobj_timeline need
# CONFIG_SW_SYNC, which Debian's kernel lacks (they would only skip): they
# run on kernels that have it, such as make check-debug's.
igt_own="core_getversion syncobj_basic core_hotunplug"
# Their *-snapshot subtests start a waiting thread and expect it to be in
# the wait within a few milliseconds; their *delayed* ones and
# reset-during-wait-for-submit expect a timer thread to signal within twice
# its delay: timing that a debug kernel under TCG does not keep (they time
# out with -ETIME or see no fence signalled yet), so they are excluded.
# (ci/guest-run.sh, which runs this script, has mounted debugfs.)
exclude=()
if [ -e /sys/kernel/debug/sync/sw_sync ]; then
	igt_own+=" syncobj_wait syncobj_timeline"
	exclude=(-x 'igt@syncobj_(wait|timeline)@.*(snapshot|delayed|reset-during-wait)')
fi

# The test root: our binaries next to IGT's, and the list igt_runner reads.
root=$(mktemp -d /tmp/igt-root.XXXXXX)
ours=$(grep -v -e TESTLIST $build/igt-tests/test-list.txt)
for t in $ours; do ln -s "$build/igt-tests/$t" "$root/$t"; done
for t in $igt_own; do ln -s "$igt_bins/$t" "$root/$t"; done
printf 'TESTLIST\n%s\nEND TESTLIST\n' "$(echo $ours $igt_own)" >"$root/test-list.txt"
export IGT_TEST_ROOT=$root

# IGT opens "any" DRM device; with fewer cards than a test asks for (all-cards
# opens one more than there are), it modprobes every driver it knows, and
# loading amdgpu alone takes a minute of TCG. svmgpu is the only driver here.
export IGT_FORCE_DRIVER=svmgpu

# PoCL compiles the OpenCL example's kernels at run time, over a minute of
# TCG that a slow host stretches past a subtest's timeout. Fill its cache
# (build/pocl-cache, svmgpu_opencl's) before the suite, outside any timeout;
# the subtests still run the kernels on PoCL and compare the results.
if [ -r /etc/OpenCL/vendors/pocl.icd ] && [ -x $build/tools/opencl/svm_saxpy_reduce ]; then
	start=$SECONDS
	OCL_ICD_VENDORS=/etc/OpenCL/vendors/pocl.icd POCL_CACHE_DIR=$build/pocl-cache \
		$build/tools/opencl/svm_saxpy_reduce -p 'Portable Computing Language' >/dev/null 2>&1 ||
		echo "guest: the OpenCL example failed on PoCL (the subtests will say why)"
	echo "guest: PoCL's kernel cache filled in $((SECONDS - start)) s"
fi

rm -rf "$results/igt"
# IGT touches debugfs' tracing directory, whose automount logs a NOTICE at
# warning level; trigger it here so it is not blamed on the first test.
ls /sys/kernel/debug/tracing >/dev/null 2>&1
# One execution per subtest (per binary with -m); abort the run on a kernel
# taint (other than the expected out-of-tree/unsigned ones) or a lockdep
# report. A kernel log line at warning level or above turns the subtest that
# caused it into dmesg-warn.
# shellcheck disable=SC2086 # GUEST_CHECK_RUNNER_ARGS: words
"$runner" --abort-on-monitored-error=taint,lockdep -o ${GUEST_CHECK_RUNNER_ARGS:-} "${exclude[@]}" \
	--per-test-timeout "${GUEST_CHECK_TIMEOUT:-300}" \
	--overall-timeout "${GUEST_CHECK_OVERALL:-4800}" \
	"$IGT_TEST_ROOT" "$results/igt" >"$results/igt_runner.log" 2>&1
rc=$?
cat "$results/igt_runner.log"
cp "$results/igt/results.json" "$results/results.json" 2>/dev/null || rc=1
exit $rc
