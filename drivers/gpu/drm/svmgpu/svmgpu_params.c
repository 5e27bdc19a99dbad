// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/moduleparam.h>

#include "svmgpu_params.h"

/* All parameters are read-only: the devices are sized once, at load. */
struct svmgpu_params svmgpu_params = {
	.num_devices = 1,
	.vram_size_mb = 256,
	.migrate_on_fault = true,
	.interconnect = ~0u,
};

module_param_named(num_devices, svmgpu_params.num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of virtual GPUs (1-8, default 1)");

module_param_named(vram_size_mb, svmgpu_params.vram_size_mb, uint, 0444);
MODULE_PARM_DESC(vram_size_mb, "Device memory per GPU in MiB, a multiple of 2 (default 256)");

module_param_named(migrate_on_fault, svmgpu_params.migrate_on_fault, bool, 0444);
MODULE_PARM_DESC(migrate_on_fault, "GPU faults migrate anonymous memory to VRAM (default true)");

module_param_named(interconnect, svmgpu_params.interconnect, uint, 0444);
MODULE_PARM_DESC(interconnect, "Mask of devices on one fast interconnect (default: all)");
