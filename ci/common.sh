# SPDX-License-Identifier: GPL-2.0-only
# Shared settings of the svmgpu bench scripts. Sourced, never run.

# Pinned kernel; override with KVER=... (must exist in trixie-backports).
: "${KVER:=7.3.4+deb13-amd64}"
# Everything downloaded or built for the bench lives outside the repository.
: "${SVMGPU_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/svmgpu}"
SYSROOT="$SVMGPU_CACHE/sysroot-trixie-$KVER"
# Bump when the recipe in bench-setup.sh changes: stale sysroots are rebuilt.
BENCH_RECIPE=3
BENCH_STAMP="$SYSROOT/.svmgpu-bench-recipe"
IGT_PREFIX=/opt/igt
# Where the repository appears inside the sysroot (and the guest).
SRC_IN_SYSROOT=/src/svmgpu
REPO_TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "svmgpu-bench: error: $*" >&2; exit 1; }
log() { echo "svmgpu-bench: $*" >&2; }

bench_ready() {
	[ -f "$BENCH_STAMP" ] && [ "$(cat "$BENCH_STAMP")" = "$BENCH_RECIPE" ]
}

# The Debian mirror the host already uses (first non-security URI).
host_mirror() {
	local m
	m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	    awk '{print $2}' | grep -v security | head -n1)
	if [ -z "$m" ]; then
		m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		    awk '{for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' |
		    grep -v security | head -n1)
	fi
	[ -n "$m" ] || die "cannot find a Debian mirror in the host's apt configuration"
	echo "${m%/}"
}

# Run a command inside the sysroot, in a private mount namespace so that no
# mount outlives it. The repository is bind-mounted at $SRC_IN_SYSROOT.
sysroot_run() {
	unshare --mount --propagation private -- /bin/bash -ec '
		root=$1; repo=$2; src=$3; shift 3
		mount --rbind /proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mkdir -p "$root$src"
		mount --bind "$repo" "$root$src"
		exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
	' sysroot_run "$SYSROOT" "$REPO_TOP" "$SRC_IN_SYSROOT" "$@"
}
