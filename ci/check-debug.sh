#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug: the whole IGT suite, as make check runs it, on the debug
# kernel of ci/debug-kernel.sh (lockdep, KASAN, kmemleak, DEBUG_OBJECTS,
# fault injection), with svmgpu built against that kernel. Zero reports or
# it fails: igt_runner aborts on a taint or lockdep report, ci/guest-run.sh
# fails the run on any warning, KASAN/UBSAN/ODEBUG report or kmemleak leak
# (two scans after the unload). Results in results/check-debug/, as for
# make check, plus kmemleak.txt, times.txt and the kernel's config.
#
# The debug kernel runs kernel code 10-25x slower than Debian's under TCG,
# and a process start from the 9p root costs seconds: igt_runner runs each
# binary once for all its subtests (-m) instead of once per subtest.
#
# Environment: SVMGPU_PARAMS (as make check: num_devices=3 interconnect=3),
# VM_MEMORY (4G), GUEST_CHECK_TIMEOUT (seconds per subtest, 1800),
# SVMGPU_RELOADS (100), VM_TIMEOUT (seconds, 14400).
set -uo pipefail
. "$(dirname "$0")/common.sh"
cd "$REPO_TOP" || exit 1
bench_ready || die "bench missing: run ci/bench-setup.sh"

out=results/check-debug
snap=build/check-debug
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out"

# 1. The kernel (cached; about 30 minutes on 2 idle CPUs when it is not).
dk=$(ci/debug-kernel.sh) || die "no debug kernel"
t1=$(date +%s)
cp "$dk/config" "$out/kernel-config"
cp "$dk/build-time" "$out/kernel-build-time"

# 2. svmgpu against its build tree, from a snapshot of the sources: the
# in-tree objects stay those of the bench kernel.
rm -rf "$snap"
mkdir -p "$snap/src"
find drivers/gpu/drm/svmgpu include/uapi/drm/svmgpu_drm.h -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c' -print0 |
	xargs -0 cp --parents -t "$snap/src" || die "snapshot of the sources failed"
ci/debug-kernel.sh --run make -C /opt/svmgpu-debug-kernel/linux \
	M="$SRC_IN_SYSROOT/$snap/src/drivers/gpu/drm/svmgpu" -j"$(nproc)" modules \
	>"$out/module-build.log" 2>&1 || { tail -n 30 "$out/module-build.log" >&2;
					    die "building svmgpu for the debug kernel failed"; }
ko=$snap/src/drivers/gpu/drm/svmgpu/svmgpu.ko
[ -f "$ko" ] || die "$ko missing"
# The kernel image where vng, in the sysroot, finds it.
boot=/opt/svmgpu-debug-boot
mkdir -p "$SYSROOT$boot"
cp "$dk/bzImage" "$SYSROOT$boot/bzImage.tmp"
mv "$SYSROOT$boot/bzImage.tmp" "$SYSROOT$boot/bzImage"
t2=$(date +%s)

# 3. The suite, with the debug kernel's margins: KASAN under TCG is slow.
# No test starts later than 20 minutes before the VM's end: the boot takes
# about 5, the unload and kmemleak's scans after the suite some more.
vm_timeout=${VM_TIMEOUT:-14400}
VM_KERNEL=$boot/bzImage SVMGPU_KO="$SRC_IN_SYSROOT/$ko" \
	SVMGPU_PARAMS="${SVMGPU_PARAMS:-num_devices=3 interconnect=3}" \
	VM_MEMORY="${VM_MEMORY:-4G}" VM_TIMEOUT="$vm_timeout" \
	VM_GUEST_ENV="GUEST_CHECK_RUNNER_ARGS=-m GUEST_CHECK_TIMEOUT=${GUEST_CHECK_TIMEOUT:-1800}
		      GUEST_CHECK_OVERALL=$((vm_timeout - 1200)) SVMGPU_RELOADS=${SVMGPU_RELOADS:-100}" \
	ci/vm-run.sh "$out" ci/guest-check.sh "$SRC_IN_SYSROOT/$out"
status=$?
t3=$(date +%s)
python3 ci/summarize.py "$out" "$status"
rc=$?
{
	echo "kernel: $(($t1 - $t0)) s ($(cat "$dk/build-time"))"
	echo "module: $(($t2 - $t1)) s"
	echo "suite:  $(($t3 - $t2)) s"
	echo "total:  $(($t3 - $t0)) s"
} | tee "$out/times.txt"
exit $rc
