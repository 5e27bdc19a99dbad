#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make lint: checkpatch.pl --strict (DRM's 100-column limit), sparse, a W=1
# build and kernel-doc -Wall over every source and header of the driver and
# the uAPI header, and a Sphinx build of Documentation/gpu/svmgpu with the
# kernel's kernel-doc extension. Zero findings or it fails. Everything runs inside the
# bench sysroot; results in results/lint/:
#
#   summary.txt        findings per checker and the total
#   <checker>.txt      the findings, one per line (file:line: message), deduplicated
#   <checker>.log      the checker's whole output (sparse-build.log: the
#                      plain build that precedes sparse)
#   <checker>.filtered.log   lines about files that are not ours (kernel headers)
#   docs/              the HTML documentation Sphinx built
#
# Only our files count: build and sparse diagnostics are kept when their path,
# resolved against the module directory, lies in the snapshot of the repository
# (below); diagnostics located in kernel headers are set aside in
# <checker>.filtered.log and do not fail lint.
#
# The checkers work on a snapshot of the sources taken at start (build/lint/src,
# laid out like the repository): the builds never touch the objects in the
# tree that `make` builds in place, and all four checkers see the same files
# even while they are being edited.
set -uo pipefail
. "$(dirname "$0")/common.sh"
cd "$REPO_TOP" || exit 1
bench_ready || die "bench missing: run ci/bench-setup.sh"

DRV=drivers/gpu/drm/svmgpu
UAPI=include/uapi/drm/svmgpu_drm.h
DOCS=Documentation/gpu/svmgpu
OUT=results/lint
WORK=build/lint
KDIR_IN=/usr/src/linux-headers-$KVER
# In the sysroot: the kernel's checkpatch.pl, kernel-doc and checker-valid.sh,
# copied from the cached source tree with its layout (ci/ksrc.sh).
TOOLS_IN=/opt/ksrc-scripts
# In the sysroot: sid's sparse, when trixie's is too old for the kernel.
SPARSE_IN=/opt/sparse
JOBS=$(nproc)

start=$(date +%s)
mkdir -p build
exec 7>build/.lint.lock
flock 7

# --- tools -----------------------------------------------------------------

install_ksrc_scripts() {
	local ksrc want tools p
	ksrc=$(ci/ksrc.sh) || die "cannot extract the kernel source"
	want=$(cat "$ksrc/.svmgpu-ksrc")
	# The second word: bump when the list of files below changes.
	want="$want files=2"
	tools=$SYSROOT$TOOLS_IN
	[ "$(cat "$tools/.svmgpu-ksrc" 2>/dev/null)" = "$want" ] && return 0
	log "installing checkpatch.pl and kernel-doc from $ksrc into the sysroot's $TOOLS_IN"
	rm -rf "$tools.tmp"
	mkdir -p "$tools.tmp"
	# checkpatch.pl reads spelling.txt and const_structs.checkpatch beside
	# itself. 7.3's scripts/kernel-doc is a symlink to the Python
	# tools/docs/kernel-doc, which imports its library from ../lib/python;
	# older trees had scripts/kernel-doc(.py) and scripts/lib/kdoc. Sphinx's
	# kernel-doc directive is Documentation/sphinx/kerneldoc.py.
	for p in scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch \
		 scripts/checker-valid.sh scripts/kernel-doc scripts/kernel-doc.py scripts/lib/kdoc \
		 tools/docs/kernel-doc tools/lib/python Documentation/sphinx/kerneldoc.py; do
		[ -e "$ksrc/$p" ] || [ -L "$ksrc/$p" ] || continue
		(cd "$ksrc" && cp -a --parents "$p" "$tools.tmp/") || die "copying $p failed"
	done
	for p in scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch \
		 scripts/checker-valid.sh scripts/kernel-doc Documentation/sphinx/kerneldoc.py; do
		[ -e "$tools.tmp/$p" ] || die "$ksrc has no usable $p"
	done
	echo "$want" >"$tools.tmp/.svmgpu-ksrc"
	rm -rf "$tools"
	mv "$tools.tmp" "$tools"
}

# The kernel's own test (scripts/checker-valid.sh): sparse must parse what
# the kernel's headers use (7.3: __typeof_unqual__).
sparse_valid() {
	ci/sysroot-run.sh sh "$TOOLS_IN/scripts/checker-valid.sh" "$1" \
		--arch=x86 -mlittle-endian -m64 2>/dev/null | grep -qx 1
}

# Prints the sparse to use. trixie's 0.6.4 predates __typeof_unqual__, so
# sid's sparse (a self-contained binary that needs only libc) is extracted
# into $SPARSE_IN, the way bench-setup.sh installs IGT.
pick_sparse() {
	if sparse_valid sparse; then
		echo sparse
		return
	fi
	if ! sparse_valid "$SPARSE_IN/usr/bin/sparse"; then
		log "the sysroot's sparse is too old for $KVER; installing sid's into $SPARSE_IN"
		local get="set -e; d=\$(mktemp -d); cd \$d
			apt-get download -qq -o APT::Sandbox::User=root sparse/sid
			rm -rf $SPARSE_IN.tmp; mkdir -p $SPARSE_IN.tmp
			dpkg-deb -x sparse_*.deb $SPARSE_IN.tmp
			rm -rf $SPARSE_IN; mv $SPARSE_IN.tmp $SPARSE_IN
			cd /; rm -rf \$d"
		ci/sysroot-run.sh /bin/bash -c "$get" >&2 ||
			{ ci/sysroot-run.sh apt-get update -qq >&2 &&
			  ci/sysroot-run.sh /bin/bash -c "$get" >&2; } ||
			die "cannot download sparse from sid"
		sparse_valid "$SPARSE_IN/usr/bin/sparse" ||
			die "neither trixie's nor sid's sparse can check $KVER (scripts/checker-valid.sh)"
	fi
	echo "$SPARSE_IN/usr/bin/sparse"
}

exec 8>"$SVMGPU_CACHE/.lint-tools.lock"
flock 8
install_ksrc_scripts
SPARSE=$(pick_sparse) || exit 1
exec 8>&-

# --- snapshot --------------------------------------------------------------

rm -rf "$WORK" "$OUT"
mkdir -p "$WORK/src" "$OUT"
# Sources only: *.mod.c and the objects are build products.
find "$DRV" "$UAPI" -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile -o -name Kconfig \) \
	! -name '*.mod.c' -print0 | sort -z | xargs -0 cp --parents -t "$WORK/src" ||
	die "snapshot of the sources failed"
cp -r --parents "$DOCS" "$WORK/src" || die "snapshot of the documentation failed"
mapfile -t FILES < <(cd "$WORK/src" && find "$DRV" "$UAPI" -type f -name '*.[ch]' | sort)
[ "${#FILES[@]}" -gt 1 ] || die "no sources found in $DRV"
cp -a "$WORK/src" "$WORK/w1"
cp -a "$WORK/src" "$WORK/sparse"

# Runs "$@" in the sysroot with the snapshot as working directory.
in_snapshot() {
	ci/sysroot-run.sh sh -c 'cd "$0" && exec "$@"' "$WORK/src" "$@"
}

# filter_build NAME DIR: turn gcc's or sparse's output in $OUT/NAME.log, from a
# build in $WORK/DIR, into $OUT/NAME.txt (our files, deduplicated, with
# sparse's indented "expected/got" lines under their warning) and
# $OUT/NAME.filtered.log (everything located elsewhere).
filter_build() {
	python3 - "$OUT/$1" "$SRC_IN_SYSROOT/$WORK/$2" "$DRV" <<'EOF'
import os, re, sys
base, root, drv = sys.argv[1:]
moddir = os.path.join(root, drv)
diag = re.compile(r'^(\S[^:]*):(\d+):(?:(\d+):)?\s?(.*)$')
kinds = ('warning:', 'error:', 'fatal error:')
ours, foreign, block = [], [], None

def where(path):
    path = os.path.normpath(os.path.join(moddir, path))
    return path[len(root) + 1:] if path.startswith(root + '/') else None

for line in open(base + '.log', errors='replace'):
    line = line.rstrip('\n')
    if line.startswith('WARNING: modpost:') or line.startswith('ERROR: modpost:'):
        block = None
        ours.append([line.replace(root + '/', '')])
        continue
    m = diag.match(line)
    if not m or m.group(4).startswith('note:'):
        block = None
        continue
    f, ln, col, msg = m.groups()
    rel = where(f)
    text = '%s:%s:%s %s' % (rel or f, ln, col + ':' if col else '', msg.strip())
    if msg.startswith(kinds):
        block = [text] if rel else None
        (ours.append(block) if rel else foreign.append(line))
    elif block is not None and msg.startswith(' '):
        block.append('\t' + msg.strip())      # sparse's "expected ..."/"got ..."
seen, out = set(), []
for b in ours:
    key = tuple(b)
    if key not in seen:
        seen.add(key)
        out.append('\n'.join(b))
open(base + '.txt', 'w').write(''.join(s + '\n' for s in out))
open(base + '.filtered.log', 'w').write(''.join(s + '\n' for s in foreign))
EOF
}

# count NAME [RC]: number of findings in $OUT/NAME.txt; a checker that
# failed (RC not in the accepted set) without a finding still counts as one.
declare -A COUNT
count() {
	local n
	n=$(grep -c '^[^[:space:]]' "$OUT/$1.txt")
	if [ "$n" = 0 ] && [ -n "${2:-}" ]; then
		echo "$1: the checker failed (exit $2) without a diagnostic, see $OUT/$1.log" >>"$OUT/$1.txt"
		n=1
	fi
	COUNT[$1]=$n
}

# --- checkpatch --------------------------------------------------------------
# File mode (-f) over repository-relative paths, so that checkpatch's own
# rules for include/uapi/ and for headers apply. --no-tree: there is no
# kernel tree around the driver; that only disables the checks that look
# things up in a tree (documented DT compatibles, MAINTAINERS). No check is
# ignored: the ones that make no sense out of tree (FILE_PATH_CHANGES,
# MAINTAINERS, commit-message and sign-off checks) only fire on patches and
# never in file mode, so there is nothing to --ignore.
log "checkpatch.pl --strict --max-line-length=100 on ${#FILES[@]} files"
in_snapshot perl "$TOOLS_IN/scripts/checkpatch.pl" --strict --no-tree --max-line-length=100 \
	--emacs --show-types --color=never -f "${FILES[@]}" >"$OUT/checkpatch.log" 2>&1
rc=$?
grep -E '^[^[:space:]:]+:[0-9]+: (ERROR|WARNING|CHECK):' "$OUT/checkpatch.log" | awk '!seen[$0]++' \
	>"$OUT/checkpatch.txt"
# 1: findings; anything else (a perl error, a missing data file) is a failure.
count checkpatch "$([ "$rc" -le 1 ] || echo "$rc")"
# checkpatch warns on stderr when its data files are missing: never silently.
if grep -q "^No .* will be found" "$OUT/checkpatch.log"; then
	grep "^No .* will be found" "$OUT/checkpatch.log" >>"$OUT/checkpatch.txt"
	COUNT[checkpatch]=$((COUNT[checkpatch] + 1))
fi

# --- sparse ----------------------------------------------------------------
# A plain build first (its compiler warnings are W=1's business, below), then
# C=2, which checks every file: with nothing left to compile, sparse.log holds
# sparse's output alone. Debian's headers package lacks
# scripts/checker-valid.sh, so its Makefile would turn C= off with "sparse is
# not available or not up to date" and check nothing: lint ran that test
# itself above, and passes KBUILD_CHECKSRC on the command line to keep C=2.
log "sparse ($SPARSE) over $DRV"
kmake_sparse() {
	ci/sysroot-run.sh make -C "$KDIR_IN" M="$SRC_IN_SYSROOT/$WORK/sparse/$DRV" -j"$JOBS" -k "$@" modules
}
kmake_sparse >"$OUT/sparse-build.log" 2>&1
kmake_sparse C=2 KBUILD_CHECKSRC=2 CHECK="$SPARSE" >"$OUT/sparse.log" 2>&1
rc=$?
filter_build sparse sparse
count sparse "$([ "$rc" = 0 ] || echo "$rc")"
# Never let sparse be skipped silently: every .c must have been checked.
nchk=$(grep -c '^  CHECK ' "$OUT/sparse.log")
nsrc=$(cd "$WORK/src" && find "$DRV" -name '*.c' | wc -l)
if [ "$nchk" -lt "$nsrc" ]; then
	echo "sparse: checked $nchk of $nsrc .c files, see $OUT/sparse.log" >>"$OUT/sparse.txt"
	COUNT[sparse]=$((COUNT[sparse] + 1))
fi

# --- W=1 -------------------------------------------------------------------
log "W=1 build of $DRV"
ci/sysroot-run.sh make -C "$KDIR_IN" M="$SRC_IN_SYSROOT/$WORK/w1/$DRV" -j"$JOBS" -k \
	W=1 modules >"$OUT/w1.log" 2>&1
rc=$?
filter_build w1 w1
count w1 "$([ "$rc" = 0 ] || echo "$rc")"

# --- kernel-doc ------------------------------------------------------------
# -Wall: every warning kernel-doc has (missing return, short description, ...).
log "kernel-doc -none -Wall on ${#FILES[@]} files"
in_snapshot python3 "$TOOLS_IN/scripts/kernel-doc" -none -Wall "${FILES[@]}" \
	>"$OUT/kernel-doc.log" 2>&1
rc=$?
# "Warning: FILE:LINE message" -> "FILE:LINE: warning: message"; anything
# else it prints with -none is a finding too.
sed -E 's/^(Warning|Error): ([^ :]+):([0-9]+) (.*)$/\2:\3: \L\1\E: \4/' "$OUT/kernel-doc.log" |
	grep -v '^[[:space:]]*$' | awk '!seen[$0]++' >"$OUT/kernel-doc.txt"
count kernel-doc "$([ "$rc" = 0 ] || echo "$rc")"

# --- Sphinx ----------------------------------------------------------------
# The pages as the kernel's documentation build would render them: Sphinx
# with the kernel's kernel-doc directive, over the snapshot. Every warning
# (a malformed page, a broken reference, a kernel-doc comment that does not
# render) is a finding.
log "sphinx-build of $DOCS"
mkdir -p "$WORK/sphinx"
cat >"$WORK/sphinx/conf.py" <<EOF
import sys
sys.path.insert(0, '$TOOLS_IN/Documentation/sphinx')
project = 'svmgpu'
extensions = ['kerneldoc']
kerneldoc_srctree = '$SRC_IN_SYSROOT/$WORK/src'
root_doc = 'index'
EOF
ci/sysroot-run.sh env srctree="$TOOLS_IN" sphinx-build -q -b html -c "$SRC_IN_SYSROOT/$WORK/sphinx" \
	-d "$SRC_IN_SYSROOT/$WORK/sphinx/doctrees" "$SRC_IN_SYSROOT/$WORK/src/$DOCS" \
	"$SRC_IN_SYSROOT/$OUT/docs" >"$OUT/sphinx.log" 2>&1
rc=$?
sed "s|$SRC_IN_SYSROOT/$WORK/src/||g" "$OUT/sphinx.log" | grep -E 'WARNING|ERROR|CRITICAL' |
	awk '!seen[$0]++' >"$OUT/sphinx.txt"
count sphinx "$([ "$rc" = 0 ] || echo "$rc")"

# --- summary ---------------------------------------------------------------
total=0
{
	for c in checkpatch sparse w1 kernel-doc sphinx; do
		n=${COUNT[$c]}
		total=$((total + n))
		label=$c
		[ "$c" = w1 ] && label="W=1"
		f=""
		[ -s "$OUT/$c.filtered.log" ] &&
			f=" ($(wc -l <"$OUT/$c.filtered.log") lines about kernel headers ignored)"
		printf 'lint: %-10s %3d finding(s)%s\n' "$label" "$n" "$f"
	done
	printf 'lint: %-10s %3d finding(s) in %ds\n' total "$total" "$(($(date +%s) - start))"
} >"$OUT/summary.txt"

for c in checkpatch sparse w1 kernel-doc sphinx; do
	[ -s "$OUT/$c.txt" ] || continue
	echo "== $c =="
	cat "$OUT/$c.txt"
done
cat "$OUT/summary.txt"
[ "$total" = 0 ] || { echo "lint: FAILED, details in $OUT/" >&2; exit 1; }
