// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "svmgpu_params.h"

/*
 * The devices are sized once, at load: those parameters are read-only. The
 * job timeout may change at run time.
 */
struct svmgpu_params svmgpu_params = {
	.num_devices = 1,
	.vram_size_mb = 256,
	.migrate_on_fault = true,
	.interconnect = ~0u,
	.job_timeout_ms = 30000,
};

static int svmgpu_param_set_job_timeout(const char *val, const struct kernel_param *kp)
{
	int err = param_set_uint_minmax(val, kp, SVMGPU_JOB_TIMEOUT_MIN_MS,
					SVMGPU_JOB_TIMEOUT_MAX_MS);

	if (err)
		pr_err("svmgpu: job_timeout_ms must be %u-%u\n", SVMGPU_JOB_TIMEOUT_MIN_MS,
		       SVMGPU_JOB_TIMEOUT_MAX_MS);
	return err;
}

static const struct kernel_param_ops svmgpu_param_job_timeout_ops = {
	.set = svmgpu_param_set_job_timeout,
	.get = param_get_uint,
};

module_param_named(num_devices, svmgpu_params.num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of virtual GPUs (1-8, default 1)");

module_param_named(vram_size_mb, svmgpu_params.vram_size_mb, uint, 0444);
MODULE_PARM_DESC(vram_size_mb, "Device memory per GPU in MiB, a multiple of 2 (default 256)");

module_param_named(migrate_on_fault, svmgpu_params.migrate_on_fault, bool, 0444);
MODULE_PARM_DESC(migrate_on_fault, "GPU faults migrate anonymous memory to VRAM (default true)");

module_param_cb(job_timeout_ms, &svmgpu_param_job_timeout_ops, &svmgpu_params.job_timeout_ms,
		0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Longest a job may run before it fails with -ETIME and bans its queue, in ms (10-3600000, default 30000)");

module_param_named(interconnect, svmgpu_params.interconnect, uint, 0444);
MODULE_PARM_DESC(interconnect, "Mask of devices on one fast interconnect (default: all)");
