#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract (once) and cache the kernel source tree of the bench's linux-source
# package, and print its path: "$SVMGPU_CACHE/linux-source-<major.minor>",
# the tarball's own top directory. Users: make lint (checkpatch.pl,
# kernel-doc), the debug kernel, the test_hmm benchmark.
#
# The tree counts as valid only when its stamp matches the tarball it came
# from; anything else at that path (a manual extraction, an interrupted one,
# a tree from an older linux-source package) is replaced. Extraction goes to
# a temporary directory that is renamed into place complete with its stamp.
#
# Environment: KVER, SVMGPU_CACHE (see common.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Bump when the layout produced here changes: older trees are re-extracted.
KSRC_RECIPE=1

bench_ready || die "bench missing: run ci/bench-setup.sh"

KSRC_VER=$(echo "$KVER" | cut -d. -f1-2)
TARBALL="$SYSROOT/usr/src/linux-source-$KSRC_VER.tar.xz"
KSRC="$SVMGPU_CACHE/linux-source-$KSRC_VER"
KSRC_STAMP="$KSRC/.svmgpu-ksrc"

[ -f "$TARBALL" ] || die "$TARBALL missing: is linux-source-$KSRC_VER installed in the sysroot?"
want="recipe=$KSRC_RECIPE tarball=$(basename "$TARBALL") $(stat -c 'size=%s mtime=%Y' "$TARBALL")"

ksrc_ready() {
	[ -f "$KSRC_STAMP" ] && [ "$(cat "$KSRC_STAMP")" = "$want" ]
}

if ! ksrc_ready; then
	exec 9>"$SVMGPU_CACHE/.ksrc-$KSRC_VER.lock"
	flock 9
	if ! ksrc_ready; then
		# Leftovers of an interrupted run (this runs under the lock).
		rm -rf "$KSRC".tmp.* "$KSRC".old.*
		tmp="$KSRC.tmp.$$"
		trap 'rm -rf "$tmp"' EXIT
		mkdir -p "$tmp"
		log "extracting $(basename "$TARBALL") into $KSRC"
		tar -xJf "$TARBALL" -C "$tmp" --no-same-owner ||
			die "extracting $TARBALL failed"
		top="$tmp/linux-source-$KSRC_VER"
		[ -f "$top/Makefile" ] && [ -f "$top/scripts/checkpatch.pl" ] ||
			die "$TARBALL does not hold linux-source-$KSRC_VER/{Makefile,scripts/checkpatch.pl}"
		echo "$want" >"$top/.svmgpu-ksrc"
		if [ -e "$KSRC" ]; then
			log "replacing $KSRC (no valid stamp)"
			mv "$KSRC" "$KSRC.old.$$"
		fi
		mv "$top" "$KSRC"
		rm -rf "$tmp" "$KSRC.old.$$"
		trap - EXIT
	fi
	exec 9>&-
fi
echo "$KSRC"
