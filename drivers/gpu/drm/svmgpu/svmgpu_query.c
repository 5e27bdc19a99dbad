// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_device.h"
#include "svmgpu_query.h"

static void svmgpu_fill_device_info(struct svmgpu_device *sdev,
				    struct drm_svmgpu_device_info *info)
{
	info->uapi_major = DRM_SVMGPU_UAPI_MAJOR;
	info->uapi_minor = DRM_SVMGPU_UAPI_MINOR;
	info->vram_size = sdev->vram.size;
	info->page_sizes = DRM_SVMGPU_PAGE_SIZE_4K | DRM_SVMGPU_PAGE_SIZE_64K |
			   DRM_SVMGPU_PAGE_SIZE_2M;
	info->features = DRM_SVMGPU_FEATURE_SVM | DRM_SVMGPU_FEATURE_DEVMEM |
			 DRM_SVMGPU_FEATURE_MADVISE | DRM_SVMGPU_FEATURE_COMPUTE;
	info->device_index = sdev->index;
	info->peer_mask = svmgpu_device_peer_mask(sdev);
	if (info->peer_mask != BIT_ULL(sdev->index))
		info->features |= DRM_SVMGPU_FEATURE_INTERCONNECT;
}

/* Copy @len bytes of @obj out, truncated or zero-extended to the user's size. */
static int svmgpu_query_copy(struct drm_svmgpu_query *q, const void *obj, u32 len)
{
	void __user *ptr = u64_to_user_ptr(q->pointer);
	u32 user_size = q->size;

	q->size = len;
	if (!q->pointer)
		return 0;
	if (copy_to_user(ptr, obj, min(user_size, len)))
		return -EFAULT;
	if (user_size > len && clear_user(ptr + len, user_size - len))
		return -EFAULT;
	return 0;
}

/**
 * svmgpu_query_ioctl() - %DRM_IOCTL_SVMGPU_QUERY
 * @drm: the device
 * @data: &struct drm_svmgpu_query, already copied in
 * @file: the caller's file
 *
 * Return: 0, -EINVAL for an unknown type, non-zero flags or pad, -EFAULT for
 * a bad pointer, -ENODEV once the device is gone.
 */
int svmgpu_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_device *sdev = to_svmgpu_device(drm);
	struct drm_svmgpu_query *q = data;
	struct drm_svmgpu_device_info info = {};
	struct drm_svmgpu_stats stats = {};
	int ret, idx, i;

	if (q->flags || q->pad)
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	switch (q->type) {
	case DRM_SVMGPU_QUERY_DEVICE_INFO:
		svmgpu_fill_device_info(sdev, &info);
		ret = svmgpu_query_copy(q, &info, sizeof(info));
		break;
	case DRM_SVMGPU_QUERY_STATS:
		for (i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
			stats.counters[i] = atomic64_read(&sdev->stats.v[i]);
		ret = svmgpu_query_copy(q, &stats, sizeof(stats));
		break;
	default:
		ret = -EINVAL;
		break;
	}

	drm_dev_exit(idx);
	return ret;
}
