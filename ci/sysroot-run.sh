#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a command inside the bench sysroot (trixie, gcc-14, the kernel's
# headers), with the repository at /src/svmgpu as working directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"
bench_ready || die "bench missing: run ci/bench-setup.sh"
sysroot_run /bin/sh -c 'cd "$0" && exec "$@"' "$SRC_IN_SYSROOT" "$@"
