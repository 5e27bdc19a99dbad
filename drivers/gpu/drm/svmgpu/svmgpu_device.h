/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_DEVICE_H_
#define _SVMGPU_DEVICE_H_

#include <linux/types.h>

#include <drm/drm_device.h>
#include <drm/drm_pagemap_util.h>

#include "svmgpu_migrate.h"
#include "svmgpu_stats.h"
#include "svmgpu_vram.h"

struct platform_device;
struct workqueue_struct;

/**
 * struct svmgpu_device - one virtual SVM GPU
 * @drm: the DRM device, embedded; its lifetime is the device's lifetime
 * @index: position among the devices this module created
 * @peer: the device's place in the interconnect: devices linked by one
 *	share &drm_pagemap_peer.owner, the device-private page owner of their
 *	VRAM and of their faults
 * @vram: device memory
 * @migrate: the copy engine
 * @stats: counters reported by %DRM_SVMGPU_QUERY_STATS and debugfs
 * @fail_bind: fault injection (debugfs): number of next binds to fail with
 *	-ENOMEM, as if the page table could not be allocated
 */
struct svmgpu_device {
	struct drm_device drm;
	unsigned int index;
	struct drm_pagemap_peer peer;
	struct svmgpu_vram vram;
	struct svmgpu_migrate migrate;
	struct svmgpu_stats stats;
	atomic_t fail_bind;
};

static inline struct svmgpu_device *to_svmgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct svmgpu_device, drm);
}

/**
 * svmgpu_device_owner() - the device-private page owner of a device
 * @sdev: the device
 *
 * hmm and migrate_vma use it to tell pages the device can map directly
 * (its own VRAM and its interconnect peers') from others'.
 *
 * Return: the owner cookie.
 */
static inline void *svmgpu_device_owner(struct svmgpu_device *sdev)
{
	return sdev->peer.owner;
}

extern struct workqueue_struct *svmgpu_wq;
extern struct workqueue_struct *svmgpu_gpu_wq;

int svmgpu_devices_create(void);
void svmgpu_devices_destroy(void);
struct svmgpu_device *svmgpu_device_lookup(unsigned int index);
u64 svmgpu_device_peer_mask(struct svmgpu_device *sdev);

#endif /* _SVMGPU_DEVICE_H_ */
