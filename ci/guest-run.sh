#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the guest (started by ci/vm-run.sh): loads the helpers and
# svmgpu, runs the command, unloads svmgpu, saves dmesg and fails on any
# kernel warning, oops, lockdep report or unexpected taint.
#
# Usage: guest-run.sh RESULTS_DIR CMD [ARGS...]
# Environment: SVMGPU_PARAMS (module parameters), SVMGPU_NO_LOAD=1 (skip the
# module load, for commands that load it themselves).
set -u
results=$1
shift
mkdir -p "$results"
status_file=$results/.guest-status
echo 125 >"$status_file"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
ko=/src/svmgpu/drivers/gpu/drm/svmgpu/svmgpu.ko
rc=0
if [ "${SVMGPU_NO_LOAD:-0}" != 1 ]; then
	modprobe drm_gpusvm_helper && modprobe gpu-sched &&
		insmod "$ko" ${SVMGPU_PARAMS:-} || rc=$?
	if [ $rc != 0 ]; then
		echo "guest: loading svmgpu failed ($rc)" >&2
	fi
fi
if [ $rc = 0 ]; then
	"$@"
	rc=$?
	if [ "${SVMGPU_NO_LOAD:-0}" != 1 ] && ! rmmod svmgpu; then
		echo "guest: rmmod svmgpu failed" >&2
		[ $rc != 0 ] || rc=1
	fi
fi

dmesg >"$results/dmesg.txt"
# Allowed taints: O (out-of-tree module, bit 12) and E (unsigned, bit 13).
tainted=$(cat /proc/sys/kernel/tainted)
bad=$((tainted & ~((1 << 12) | (1 << 13))))
if [ $bad != 0 ]; then
	echo "guest: kernel tainted: $tainted (unexpected bits $bad)" >&2
	[ $rc != 0 ] || rc=1
fi
pattern='WARNING:|BUG:|Oops|general protection|kernel BUG|Call Trace:|possible circular locking|'
pattern+='possible recursive locking|inconsistent lock state|suspicious RCU|lockdep|'
pattern+='KASAN|UBSAN|kmemleak|list_add corruption|list_del corruption|refcount_t:|'
pattern+='INFO: task .* blocked|hung_task|soft lockup|hard LOCKUP|rcu_sched detected stall'
if grep -E "$pattern" "$results/dmesg.txt" >"$results/dmesg-problems.txt"; then
	echo "guest: kernel log reports problems:" >&2
	cat "$results/dmesg-problems.txt" >&2
	[ $rc != 0 ] || rc=1
else
	rm -f "$results/dmesg-problems.txt"
fi
echo $rc >"$status_file"
exit $rc
