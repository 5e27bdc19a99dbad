/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_GPU_H_
#define _SVMGPU_GPU_H_

#include <linux/types.h>

struct svmgpu_vm;

/**
 * struct svmgpu_gpu_fault - what made a command buffer fail
 * @address: GPU address of the unresolvable access
 * @access: DRM_SVMGPU_ACCESS_* of that access
 */
struct svmgpu_gpu_fault {
	u64 address;
	u32 access;
};

/**
 * struct svmgpu_gpu_limits - what bounds a command buffer's run
 * @deadline: jiffies after which it fails with -ETIME
 * @cancelled: set when its queue goes away; it then fails with -ECANCELED
 */
struct svmgpu_gpu_limits {
	unsigned long deadline;
	const bool *cancelled;
};

int svmgpu_gpu_execute(struct svmgpu_vm *vm, u64 batch, const struct svmgpu_gpu_limits *limits,
		       struct svmgpu_gpu_fault *fault);

#endif /* _SVMGPU_GPU_H_ */
