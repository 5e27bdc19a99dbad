#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: boot the bench VM, load svmgpu, run the IGT suite under
# igt_runner and summarise. Results in results/check/.
set -uo pipefail
cd "$(dirname "$0")/.."
out=results/check
rm -rf "$out"
mkdir -p "$out"
# Three devices, two of them on an interconnect, so that the multi-device
# subtests cover both ways between device memories: directly and through RAM.
SVMGPU_PARAMS="${SVMGPU_PARAMS:-num_devices=3 interconnect=3}" ci/vm-run.sh "$out" ci/guest-check.sh "/src/svmgpu/$out"
status=$?
python3 ci/summarize.py "$out" "$status"
