#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo, in the guest: show what the loaded svmgpu devices report.
set -eu
echo "== svmgpu devices"
for d in /sys/bus/faux/devices/svmgpu*; do
	echo "$(basename "$d"): $(ls "$d/drm" | tr '\n' ' ')"
done
echo "== module parameters"
grep -H . /sys/module/svmgpu/parameters/*
echo "== svmgpu_basic query-device-info"
build/igt-tests/svmgpu_basic --run-subtest query-device-info
