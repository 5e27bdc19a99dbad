// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/sizes.h>

#include "svmgpu_device.h"
#include "svmgpu_migrate.h"
#include "svmgpu_stats.h"

/**
 * svmgpu_stats_add_copy() - count the KiB a migrate job copied
 * @sdev: the device
 * @dst_mem: where the job copied to: the device's VRAM, system memory, or
 *	a peer's VRAM
 * @segs: the job's pieces
 * @nsegs: number of @segs
 */
void svmgpu_stats_add_copy(struct svmgpu_device *sdev, enum svmgpu_mem dst_mem,
			   const struct svmgpu_migrate_seg *segs, unsigned int nsegs)
{
	static const enum drm_svmgpu_stat stat[] = {
		[SVMGPU_MEM_SYSTEM] = DRM_SVMGPU_STAT_COPY_TO_RAM_KIB,
		[SVMGPU_MEM_VRAM] = DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB,
		[SVMGPU_MEM_PEER] = DRM_SVMGPU_STAT_COPY_TO_PEER_KIB,
	};
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < nsegs; i++)
		bytes += segs[i].size;
	svmgpu_stat_add(sdev, stat[dst_mem], bytes >> 10);
}

/**
 * svmgpu_stats_timed() - count one step of fault handling and its duration
 * @sdev: the device
 * @what: the step
 * @size: bytes of the range it worked on, which picks the bucket
 * @start: when the step began
 */
void svmgpu_stats_timed(struct svmgpu_device *sdev, enum svmgpu_timed what, u64 size,
			ktime_t start)
{
	enum svmgpu_size_bucket b = size >= SZ_2M ? SVMGPU_SZ_2M :
				    size >= SZ_64K ? SVMGPU_SZ_64K : SVMGPU_SZ_4K;
	struct svmgpu_timed_stat *t = &sdev->stats.timed[what][b];

	atomic64_inc(&t->count);
	atomic64_add(ktime_us_delta(ktime_get(), start), &t->us);
}
