/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_PARAMS_H_
#define _SVMGPU_PARAMS_H_

/**
 * struct svmgpu_params - module parameters, read-only after load
 * @num_devices: number of virtual GPUs to create
 * @vram_size_mb: device memory of each GPU, in MiB
 * @migrate_on_fault: GPU faults migrate anonymous memory to VRAM
 * @interconnect: mask of device indices that share one fast interconnect
 * @job_timeout_ms: the longest a job may run; the only parameter root may
 *	change at run time (jobs read it when they start)
 */
struct svmgpu_params {
	unsigned int num_devices;
	unsigned int vram_size_mb;
	bool migrate_on_fault;
	unsigned int interconnect;
	unsigned int job_timeout_ms;
};

extern struct svmgpu_params svmgpu_params;

#define SVMGPU_MAX_DEVICES	8
/* Bounds of job_timeout_ms: 10 ms to an hour. */
#define SVMGPU_JOB_TIMEOUT_MIN_MS	10
#define SVMGPU_JOB_TIMEOUT_MAX_MS	3600000

#endif /* _SVMGPU_PARAMS_H_ */
