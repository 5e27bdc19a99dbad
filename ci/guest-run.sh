#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the guest (started by ci/vm-run.sh): loads the helpers and
# svmgpu, runs the command, unloads svmgpu, saves dmesg and fails on any
# kernel warning, oops, lockdep report or unexpected taint.
#
# Usage: guest-run.sh RESULTS_DIR CMD [ARGS...]
# Environment: SVMGPU_PARAMS (module parameters), SVMGPU_NO_LOAD=1 (skip the
# module load, for commands that load it themselves), SVMGPU_KO (the module
# to load, exported to the command; default the in-tree build).
#
# On a kernel with kmemleak (the debug kernel of make check-debug), leaks
# reported at boot are cleared first, and after the unload two scans look
# for leaks: any is a failure, the report is in RESULTS_DIR/kmemleak.txt.
set -u
results=$1
shift
mkdir -p "$results"
status_file=$results/.guest-status
echo 125 >"$status_file"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
export SVMGPU_KO=${SVMGPU_KO:-/src/svmgpu/drivers/gpu/drm/svmgpu/svmgpu.ko}
kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	# What boot left behind is not ours.
	echo scan >$kmemleak && echo clear >$kmemleak
fi

# modprobe MODULE, or find it built in (the debug kernel has no modules):
# a built-in module has no /sys/module entry without parameters, but its
# SYMBOL is in kallsyms without a [module] tag.
load_helper() {
	modprobe "$1" 2>/dev/null || [ -d "/sys/module/$1" ] ||
		grep -q " $2\$" /proc/kallsyms || { modprobe "$1"; return 1; }
}

rc=0
if [ "${SVMGPU_NO_LOAD:-0}" != 1 ]; then
	load_helper drm_gpusvm_helper drm_gpusvm_init && load_helper gpu-sched drm_sched_init &&
		insmod "$SVMGPU_KO" ${SVMGPU_PARAMS:-} || rc=$?
	if [ $rc != 0 ]; then
		echo "guest: loading svmgpu failed ($rc)" >&2
	fi
fi
if [ $rc = 0 ]; then
	"$@"
	rc=$?
	# The last queue, pagemap and device references go in work items once
	# their jobs are freed: give them a while, as a user's rmmod would.
	if [ "${SVMGPU_NO_LOAD:-0}" != 1 ]; then
		for _ in $(seq 150); do
			[ "$(cat /sys/module/svmgpu/refcnt 2>/dev/null)" = 0 ] && break
			sleep 0.2
		done
		if ! rmmod svmgpu; then
			echo "guest: rmmod svmgpu failed" >&2
			[ $rc != 0 ] || rc=1
		fi
	fi
fi

if [ -w $kmemleak ]; then
	# Objects are reported once they are 5 s old and unreferenced in two scans.
	echo scan >$kmemleak
	sleep 6
	echo scan >$kmemleak
	cat $kmemleak >"$results/kmemleak.txt"
	if [ -s "$results/kmemleak.txt" ]; then
		echo "guest: kmemleak reports leaks, see $results/kmemleak.txt:" >&2
		head -n 40 "$results/kmemleak.txt" >&2
		[ $rc != 0 ] || rc=1
	fi
fi

# Allowed taints: O (out-of-tree module, bit 12) and E (unsigned, bit 13);
# and L (bit 14) on a kernel with sw_sync, which sets it on every fence it
# creates (drivers/dma-buf/sw_sync.c: "inherently unsafe"), as IGT's syncobj
# tests do: a real soft lockup prints "BUG: soft lockup", which the log
# check below fails on. The taint first: the kernel prints a report before
# it taints, so the log read after it holds the report of any taint seen.
tainted=$(cat /proc/sys/kernel/tainted)
dmesg >"$results/dmesg.txt"
allowed=$(((1 << 12) | (1 << 13)))
[ ! -e /sys/kernel/debug/sync/sw_sync ] || allowed=$((allowed | (1 << 14)))
bad=$((tainted & ~allowed))
if [ $bad != 0 ]; then
	echo "guest: kernel tainted: $tainted (unexpected bits $bad)" >&2
	[ $rc != 0 ] || rc=1
fi
pattern='WARNING:|BUG:|Oops|general protection|kernel BUG|Call Trace:|possible circular locking|'
# (Lockdep's reports are WARNING:s and BUG:s; its boot banner and kmemleak's
# are not reports.)
pattern+='possible recursive locking|inconsistent lock state|suspicious RCU|'
pattern+='lockdep is turned off|DEBUG_LOCKS_WARN_ON|KASAN|UBSAN|'
pattern+='kmemleak: [0-9]+ new suspected|kmemleak: .*disabled|ODEBUG:|'
pattern+='list_add corruption|list_del corruption|refcount_t:|'
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
