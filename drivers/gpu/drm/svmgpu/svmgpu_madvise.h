/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_MADVISE_H_
#define _SVMGPU_MADVISE_H_

#include <linux/types.h>

struct drm_device;
struct drm_file;
struct svmgpu_vm;

/**
 * struct svmgpu_attrs - memory attributes of a page of a VM
 * @preferred_location: &enum drm_svmgpu_preferred_loc
 * @atomic_policy: &enum drm_svmgpu_atomic_policy
 * @granularity_shift: log2 of the largest range a fault maps, 12, 16 or 21
 */
struct svmgpu_attrs {
	u32 preferred_location;
	u32 atomic_policy;
	u32 granularity_shift;
};

void svmgpu_madvise_get(struct svmgpu_vm *vm, u64 addr, struct svmgpu_attrs *attrs);
void svmgpu_madvise_prune(struct svmgpu_vm *vm);
void svmgpu_madvise_reset(struct svmgpu_vm *vm, u64 start, u64 end);

int svmgpu_madvise_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_madvise_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* _SVMGPU_MADVISE_H_ */
