#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Create (once) and cache the svmgpu test bench: a Debian trixie sysroot with
# the pinned trixie-backports kernel and its headers, gcc-14, virtme-ng, qemu,
# and IGT 2.5's runner and tests in a private prefix. Idempotent: returns at
# once when the cached sysroot matches the recipe.
#
# Environment: KVER (kernel version, default pinned in common.sh),
# SVMGPU_CACHE (cache directory, default ~/.cache/svmgpu).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Packages added to the bench after recipe 3. They are installed into an
# existing sysroot too, so that adding one never forces a full rebuild:
# libsvmgpu's OpenCL ICD and its proof (ocl-icd, clinfo and PoCL's CPU device
# to compare against); Sphinx for make lint's documentation build.
EXTRA_PKGS="opencl-headers ocl-icd-opencl-dev ocl-icd-libopencl1 clinfo pocl-opencl-icd"
EXTRA_PKGS+=" python3-sphinx"

# The extras missing from the sysroot, read from its dpkg database (no chroot).
missing_extras() {
	local p st
	for p in $EXTRA_PKGS; do
		st=$(dpkg-query --admindir="$SYSROOT/var/lib/dpkg" -W -f='${db:Status-Status}' \
			"$p" 2>/dev/null || true)
		[ "$st" = installed ] || echo "$p"
	done
}

# Idempotent; cheap when nothing is missing. Runs under the setup lock.
install_extras() {
	local missing
	missing=$(missing_extras)
	[ -n "$missing" ] || return 0
	[ "$(id -u)" = 0 ] || die "installing $missing into the bench needs root"
	log "installing into the bench: $(echo $missing)"
	sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq update >/dev/null
	# shellcheck disable=SC2086 # one word per package
	sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq install $missing >/dev/null
	missing=$(missing_extras)
	[ -z "$missing" ] || die "could not install into the bench: $missing"
}

if bench_ready && [ -z "$(missing_extras)" ]; then
	exit 0
fi
[ "$(id -u)" = 0 ] || die "the bench needs root (debootstrap, chroot, mounts)"

mkdir -p "$SVMGPU_CACHE"
exec 9>"$SVMGPU_CACHE/.setup.lock"
flock 9
if bench_ready; then
	install_extras
	exit 0
fi

MIRROR=$(host_mirror)
log "building the bench sysroot in $SYSROOT (mirror $MIRROR, kernel $KVER)"

if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap on the host"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

FINAL=$SYSROOT
SYSROOT=$FINAL.tmp
rm -rf "$SYSROOT"
debootstrap --variant=minbase trixie "$SYSROOT" "$MIRROR" >"$SVMGPU_CACHE/debootstrap.log" 2>&1 ||
	die "debootstrap failed, see $SVMGPU_CACHE/debootstrap.log"

cat >"$SYSROOT/etc/apt/sources.list" <<EOS
deb $MIRROR trixie main
deb $MIRROR trixie-backports main
deb $MIRROR sid main
EOS
# sid only serves IGT and a newer libdrm, extracted into a private prefix.
cat >"$SYSROOT/etc/apt/preferences.d/sid" <<EOS
Package: *
Pin: release n=sid
Pin-Priority: 50
EOS
cat >"$SYSROOT/etc/apt/apt.conf.d/90svmgpu" <<EOS
APT::Install-Recommends "false";
// The archive may serve suites whose Release file is past Valid-Until.
Acquire::Check-Valid-Until "false";
EOS

apt_in() { sysroot_run env DEBIAN_FRONTEND=noninteractive apt-get -y -qq "$@"; }
apt_in update

if ! sysroot_run apt-cache show "linux-image-$KVER" >/dev/null 2>&1 ||
   ! sysroot_run apt-cache show "linux-headers-$KVER" >/dev/null 2>&1; then
	avail=$(sysroot_run apt-cache search --names-only '^linux-image-[0-9.]+\+deb13-amd64$' |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tr '\n' ' ')
	rm -rf "$SYSROOT"
	die "kernel $KVER is no longer in trixie-backports; available: ${avail:-none}. Rerun with KVER=<one of them>."
fi

log "installing the toolchain, kernel and VM tools"
apt_in install make gcc-14 gcc libc6-dev kmod pkg-config libdrm-dev linux-libc-dev \
	sparse perl python3 busybox-static qemu-system-x86 virtme-ng \
	"linux-headers-$KVER" >/dev/null
apt_in install -t trixie-backports linux-base "linux-image-$KVER" >/dev/null 2>&1 ||
	true # dracut complains about reboot/halt in a chroot; the image is checked below
[ -f "$SYSROOT/boot/vmlinuz-$KVER" ] || die "linux-image-$KVER did not install"
[ -d "$SYSROOT/lib/modules/$KVER/kernel" ] || die "modules of $KVER missing"
# Kernel source: checkpatch.pl, kernel-doc, lib/test_hmm.c and the debug kernel.
KSRC_PKG="linux-source-${KVER%%.*}.$(echo "$KVER" | cut -d. -f2)"
apt_in install -t trixie-backports "$KSRC_PKG" >/dev/null

log "installing IGT 2.5 from sid into $IGT_PREFIX"
apt_in install libjansson4 liboping0 libunwind8 libpixman-1-0 libcairo2 libkmod2 \
	libpciaccess0 libxv1 libdw1t64 libpci3 libdrm-nouveau2 libproc2-0 libelf1t64 \
	libgsl28 libglib2.0-0t64 libasound2t64 libxmlrpc-core-c3t64 >/dev/null 2>&1 ||
	apt_in install libjansson4 liboping0 libunwind8 libpixman-1-0 libcairo2 libkmod2 \
		libpciaccess0 libxv1 libdw1t64 libpci3 libdrm-nouveau2 libproc2-0 >/dev/null
sysroot_run /bin/bash -ec "
	d=\$(mktemp -d); cd \$d
	apt-get download -qq -t sid igt-gpu-tools igt-gpu-tools-tests libdrm2 libdrm-amdgpu1 \
		libdrm-intel1 libdrm-nouveau2 libdrm-radeon1
	mkdir -p $IGT_PREFIX
	for f in *.deb; do dpkg-deb -x \$f $IGT_PREFIX; done
	cd /; rm -rf \$d"
missing=$(sysroot_run /bin/bash -c "LD_LIBRARY_PATH=$IGT_PREFIX/usr/lib/x86_64-linux-gnu \
	ldd $IGT_PREFIX/usr/bin/igt_runner $IGT_PREFIX/usr/libexec/igt-gpu-tools/core_auth 2>&1 |
	grep 'not found' || true")
[ -z "$missing" ] || die "IGT libraries missing in the sysroot: $missing"
install_extras

rm -rf "$FINAL"
mv "$SYSROOT" "$FINAL"
SYSROOT=$FINAL
echo "$BENCH_RECIPE" >"$BENCH_STAMP"
log "bench ready: $SYSROOT"
