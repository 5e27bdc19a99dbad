/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_DEVICE_H_
#define _SVMGPU_DEVICE_H_

#include <linux/types.h>

#include <drm/drm_device.h>

struct faux_device;

/**
 * struct svmgpu_device - one virtual SVM GPU
 * @drm: the DRM device, embedded; its lifetime is the device's lifetime
 * @faux: the faux device the DRM device hangs off
 * @index: position among the devices this module created
 * @vram_size: bytes of device memory
 */
struct svmgpu_device {
	struct drm_device drm;
	struct faux_device *faux;
	unsigned int index;
	u64 vram_size;
};

static inline struct svmgpu_device *to_svmgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct svmgpu_device, drm);
}

int svmgpu_devices_create(void);
void svmgpu_devices_destroy(void);

#endif /* _SVMGPU_DEVICE_H_ */
