/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_STATS_H_
#define _SVMGPU_STATS_H_

#include <linux/atomic.h>
#include <linux/types.h>

#include <drm/svmgpu_drm.h>

struct svmgpu_device;
struct svmgpu_migrate_seg;

/**
 * struct svmgpu_stats - device counters, lock-free
 * @v: one counter per DRM_SVMGPU_STAT_*
 */
struct svmgpu_stats {
	atomic64_t v[DRM_SVMGPU_STAT_COUNT];
};

void svmgpu_stats_add_copy(struct svmgpu_device *sdev, bool to_vram,
			   const struct svmgpu_migrate_seg *segs, unsigned int nsegs);

#define svmgpu_stat_add(sdev, stat, n)	atomic64_add((n), &(sdev)->stats.v[(stat)])
#define svmgpu_stat_inc(sdev, stat)	atomic64_inc(&(sdev)->stats.v[(stat)])

#endif /* _SVMGPU_STATS_H_ */
