#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo, in the guest: the devices, then the demo program on the first one.
set -eu
echo "== svmgpu devices"
for d in /sys/bus/platform/drivers/svmgpu/svmgpu.*; do
	echo "$(basename "$d"): $(ls "$d/drm" | tr '\n' ' ')"
done
echo "== module parameters"
grep -H . /sys/module/svmgpu/parameters/*
echo "== build/tools/svmgpu_demo"
build/tools/svmgpu_demo
