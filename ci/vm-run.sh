#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the bench kernel with the sysroot as root filesystem, load svmgpu, run
# a command in the guest and return its exit status. The guest's dmesg is
# saved to RESULTS_DIR/dmesg.txt; a warning, oops, lockdep report or bad taint
# fails the run.
#
# Usage: vm-run.sh RESULTS_DIR CMD [ARGS...]
#   RESULTS_DIR is relative to the repository top; CMD runs in the guest
#   with the repository at /src/svmgpu as its working directory.
# Environment: VM_CPUS (2), VM_MEMORY (3G), VM_TIMEOUT (seconds, 3600),
#   SVMGPU_PARAMS, SVMGPU_NO_LOAD, SVMGPU_KO (see guest-run.sh), VM_KVM
#   (auto|0|1), VM_KERNEL (the kernel image, a path in the sysroot; default
#   the bench kernel), VM_GUEST_ENV (NAME=VALUE words for the guest command),
#   VM_QEMU_OPTS (more QEMU options, as one string).
set -euo pipefail
. "$(dirname "$0")/common.sh"
bench_ready || die "bench missing: run ci/bench-setup.sh"
[ $# -ge 2 ] || die "usage: vm-run.sh RESULTS_DIR CMD [ARGS...]"
results=$1
shift
mkdir -p "$REPO_TOP/$results"
rm -f "$REPO_TOP/$results/.guest-status"

# KVM fails on these machines with an emulation error and then hangs: use it
# only when a short probe boot has succeeded on this host boot.
kvm_ok() {
	local probe="$SVMGPU_CACHE/kvm-probe" boot
	boot=$(cat /proc/sys/kernel/random/boot_id)
	[ -e /dev/kvm ] || return 1
	if [ ! -f "$probe" ] || [ "$(head -n1 "$probe")" != "$boot" ]; then
		local res=no
		if timeout -k 5 60 "$0" --kvm-probe >/dev/null 2>&1; then
			res=yes
		fi
		printf '%s\n%s\n' "$boot" "$res" >"$probe"
	fi
	[ "$(tail -n1 "$probe")" = yes ]
}

vng_args=(--run "${VM_KERNEL:-/boot/vmlinuz-$KVER}" --cpus "${VM_CPUS:-2}" --memory "${VM_MEMORY:-3G}"
	  --rwdir "$SRC_IN_SYSROOT" --cwd "$SRC_IN_SYSROOT")
[ -z "${VM_QEMU_OPTS:-}" ] || vng_args+=(--qemu-opts="$VM_QEMU_OPTS")

if [ "$results" = --kvm-probe ]; then
	exec sysroot_run vng "${vng_args[@]}" --exec true
fi

case "${VM_KVM:-auto}" in
1) ;;
0) vng_args+=(--disable-kvm) ;;
*) kvm_ok || vng_args+=(--disable-kvm) ;;
esac

# shellcheck disable=SC2086 # VM_GUEST_ENV: one NAME=VALUE per word
cmd=$(printf '%q ' env SVMGPU_PARAMS="${SVMGPU_PARAMS:-}" SVMGPU_NO_LOAD="${SVMGPU_NO_LOAD:-0}" \
	${SVMGPU_KO:+SVMGPU_KO="$SVMGPU_KO"} ${VM_GUEST_ENV:-} \
	"$SRC_IN_SYSROOT/ci/guest-run.sh" "$SRC_IN_SYSROOT/$results" "$@")
# vng gives QEMU /proc/self/fd/1 and 2 as file chardevs, which QEMU opens
# with O_TRUNC: with the output redirected to a log file, every VM start
# would empty the log of what came before it. A pipe cannot be truncated.
set +e
timeout -k 10 "${VM_TIMEOUT:-3600}" bash -c "$(declare -f sysroot_run); \
	SYSROOT=$(printf %q "$SYSROOT") REPO_TOP=$(printf %q "$REPO_TOP") \
	SRC_IN_SYSROOT=$SRC_IN_SYSROOT sysroot_run vng $(printf '%q ' "${vng_args[@]}") \
	--exec $(printf %q "$cmd")" </dev/null 2>&1 | cat
vng_rc=${PIPESTATUS[0]}
set -e
status=$(cat "$REPO_TOP/$results/.guest-status" 2>/dev/null || echo "")
rm -f "$REPO_TOP/$results/.guest-status"
if [ -z "$status" ] || [ "$status" = 125 ]; then
	die "the guest did not finish (vng exit $vng_rc); see $results/"
fi
exit "$status"
