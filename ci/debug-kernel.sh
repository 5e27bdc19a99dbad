#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) and cache the svmgpu debug kernel: the bench's kernel version
# from Debian's linux-source package, configured by ci/debug-kernel.config
# (lockdep, KASAN, kmemleak, DEBUG_OBJECTS, fault injection, and everything
# svmgpu needs built in), and print the cache directory:
#
#   $SVMGPU_CACHE/debug-kernel-$KVER-r$DEBUG_KERNEL_RECIPE/
#     bzImage      the kernel, booted by ci/check-debug.sh
#     linux/       the build tree, for M= module builds (KDIR)
#     config       its .config
#     build.log    the build's output
#     build-time   how long the build took, wall-clock and CPU
#     .svmgpu-debug-kernel   the stamp: recipe and source tarball
#
# The build runs inside the bench sysroot (gcc-14, as for svmgpu itself),
# with the cache directory bind-mounted at $DEBUG_KERNEL_IN. It goes to a
# temporary directory that is renamed into place when complete; directories
# of other recipes are removed. Environment: KVER, SVMGPU_CACHE (common.sh),
# DEBUG_KERNEL_JOBS (make -j, default the number of CPUs).
#
# Usage: debug-kernel.sh            build if needed, print the directory
#        debug-kernel.sh --cached   print the directory if the kernel is
#                                   built, else fail: never builds
#        debug-kernel.sh --run CMD  run CMD in the sysroot with the debug
#                                   kernel's directory at $DEBUG_KERNEL_IN
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Bump when ci/debug-kernel.config or the recipe below changes.
DEBUG_KERNEL_RECIPE=2
DEBUG_KERNEL_IN=/opt/svmgpu-debug-kernel
DK=$SVMGPU_CACHE/debug-kernel-$KVER-r$DEBUG_KERNEL_RECIPE
DK_STAMP=$DK/.svmgpu-debug-kernel
# Build tools the kernel needs besides the bench's toolchain.
DK_PKGS="bc bison flex libelf-dev libssl-dev"

bench_ready || die "bench missing: run ci/bench-setup.sh"

# dk_sysroot_run DIR CMD...: CMD in the sysroot, DIR at $DEBUG_KERNEL_IN.
# sysroot_run's own mount namespace inherits the bind mount made here.
dk_sysroot_run() {
	local dir=$1
	shift
	mkdir -p "$SYSROOT$DEBUG_KERNEL_IN"
	KVER=$KVER SVMGPU_CACHE=$SVMGPU_CACHE unshare --mount --propagation private -- /bin/bash -ec '
		mount --bind "$1" "$2"
		shift 2
		. "$0"
		sysroot_run "$@"
	' "$REPO_TOP/ci/common.sh" "$dir" "$SYSROOT$DEBUG_KERNEL_IN" "$@"
}

if [ "${1:-}" = --run ]; then
	shift
	[ -f "$DK_STAMP" ] || die "no debug kernel in $DK: run ci/debug-kernel.sh"
	dk_sysroot_run "$DK" "$@"
	exit
fi

KSRC_VER=$(echo "$KVER" | cut -d. -f1-2)
TARBALL=$SYSROOT/usr/src/linux-source-$KSRC_VER.tar.xz
[ -f "$TARBALL" ] || die "$TARBALL missing: is linux-source-$KSRC_VER installed in the sysroot?"
want="recipe=$DEBUG_KERNEL_RECIPE tarball=$(basename "$TARBALL") $(stat -c 'size=%s mtime=%Y' "$TARBALL")"

dk_ready() {
	[ -f "$DK_STAMP" ] && [ "$(cat "$DK_STAMP")" = "$want" ] && [ -f "$DK/bzImage" ]
}

if dk_ready; then
	echo "$DK"
	exit 0
fi
[ "${1:-}" != --cached ] || exit 1

exec 9>"$SVMGPU_CACHE/.debug-kernel.lock"
flock 9
if dk_ready; then
	echo "$DK"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "building the debug kernel needs root (chroot, mounts)"

missing=""
for p in $DK_PKGS; do
	st=$(dpkg-query --admindir="$SYSROOT/var/lib/dpkg" -W -f='${db:Status-Status}' "$p" \
		2>/dev/null || true)
	[ "$st" = installed ] || missing+=" $p"
done
if [ -n "$missing" ]; then
	log "installing the kernel's build tools into the bench:$missing"
	# libelf-dev must match the installed libelf1t64, which came from
	# trixie-backports with the kernel.
	elf=$(dpkg-query --admindir="$SYSROOT/var/lib/dpkg" -W -f='${Version}' libelf1t64 \
		2>/dev/null || true)
	[ -z "$elf" ] || missing=${missing/ libelf-dev/ libelf-dev=$elf}
	sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq update >/dev/null
	# shellcheck disable=SC2086 # one word per package
	sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq install $missing >/dev/null ||
		die "cannot install$missing into the bench"
fi

# Leftovers of interrupted builds and the trees of other recipes.
for d in "$SVMGPU_CACHE"/debug-kernel-*; do
	[ -e "$d" ] || continue
	[ "$d" = "$DK" ] && continue
	log "removing $d"
	rm -rf "$d"
done
tmp=$DK.tmp
rm -rf "$DK" "$tmp"
mkdir -p "$tmp"
start=$(date +%s)
log "extracting $(basename "$TARBALL") into $tmp"
tar -xJf "$TARBALL" -C "$tmp" --no-same-owner || die "extracting $TARBALL failed"
mv "$tmp/linux-source-$KSRC_VER" "$tmp/linux"

# The selecting option (see debug-kernel.config), outside the "if DRM" block.
cat >>"$tmp/linux/drivers/gpu/drm/Kconfig" <<'EOF'

# Added by svmgpu's ci/debug-kernel.sh: the helpers an out-of-tree svmgpu
# needs, built in. Only drivers select them; this bool does the same.
config SVMGPU_DEBUG_DEPS
	bool "Build the helpers of the out-of-tree svmgpu driver"
	depends on DRM && MMU && ZONE_DEVICE
	select DRM_GPUSVM
	select DRM_SCHED
	select DRM_BUDDY
	select GPU_BUDDY
	select DEVICE_PRIVATE
	select HMM_MIRROR
	select MMU_NOTIFIER
EOF
cp "$REPO_TOP/ci/debug-kernel.config" "$tmp/debug-kernel.config"

log "configuring (virtme-configkernel --defconfig + ci/debug-kernel.config)"
in=$DEBUG_KERNEL_IN
jobs=${DEBUG_KERNEL_JOBS:-$(nproc)}
dk_sysroot_run "$tmp" /bin/sh -ec "
	cd $in/linux
	virtme-configkernel --defconfig --custom $in/debug-kernel.config
	cat $in/debug-kernel.config >>.config
	make -s olddefconfig
	make -s mod2noconfig
" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "configuring the debug kernel failed"; }

# Every option the recipe asks for must have survived olddefconfig.
bad=""
while read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$tmp/linux/.config" || bad+=" $line" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$tmp/linux/.config" && bad+=" $opt=n"
		;;
	esac
done <"$REPO_TOP/ci/debug-kernel.config"
for opt in DRM_GPUSVM DRM_SCHED GPU_BUDDY HMM_MIRROR GET_FREE_REGION; do
	grep -qx "CONFIG_$opt=y" "$tmp/linux/.config" || bad+=" CONFIG_$opt=y"
done
[ -z "$bad" ] || die "the debug kernel's .config lacks:$bad (see $tmp/linux/.config)"

log "building the debug kernel (make -j$jobs, nice 19; about 30 minutes on 2 idle CPUs)"
# Wall-clock and CPU seconds of the make: on a shared machine the CPU time
# is the comparable figure.
TIMEFORMAT='%R %U %S'
if ! { time dk_sysroot_run "$tmp" nice -n 19 make -C "$in/linux" -j"$jobs" all \
		>>"$tmp/build.log" 2>&1; } 2>"$tmp/make-time"; then
	tail -n 40 "$tmp/build.log" >&2
	die "building the debug kernel failed, see $tmp/build.log"
fi
cp "$tmp/linux/arch/x86/boot/bzImage" "$tmp/bzImage"
cp "$tmp/linux/.config" "$tmp/config"
awk -v total=$(($(date +%s) - start)) -v jobs="$jobs" '{
	printf "total %d s (extraction, configuration and make); make -j%s: %.0f s wall, %.0f s CPU\n",
		total, jobs, $1, $2 + $3 }' "$tmp/make-time" >"$tmp/build-time"
echo "$want" >"$tmp/.svmgpu-debug-kernel"
mv "$tmp" "$DK"
log "debug kernel ready in $DK: $(cat "$DK/build-time")"
echo "$DK"
