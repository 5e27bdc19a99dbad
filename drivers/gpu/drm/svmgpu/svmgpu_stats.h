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

#include <linux/ktime.h>

/** enum svmgpu_size_bucket - range size classes of the timed counters */
enum svmgpu_size_bucket {
	/** @SVMGPU_SZ_4K: ranges under 64K */
	SVMGPU_SZ_4K,
	/** @SVMGPU_SZ_64K: ranges from 64K to under 2M */
	SVMGPU_SZ_64K,
	/** @SVMGPU_SZ_2M: 2M ranges */
	SVMGPU_SZ_2M,
	/** @SVMGPU_SZ_COUNT: number of buckets */
	SVMGPU_SZ_COUNT,
};

/** enum svmgpu_timed - steps of fault handling counted and timed per bucket */
enum svmgpu_timed {
	/** @SVMGPU_TIMED_FAULT: a whole GPU fault */
	SVMGPU_TIMED_FAULT,
	/** @SVMGPU_TIMED_VALID_FAULT: a fault that found its range valid */
	SVMGPU_TIMED_VALID_FAULT,
	/** @SVMGPU_TIMED_MIGRATE: migration to VRAM (populate_mm) */
	SVMGPU_TIMED_MIGRATE,
	/** @SVMGPU_TIMED_GET_PAGES: drm_gpusvm_get_pages() */
	SVMGPU_TIMED_GET_PAGES,
	/** @SVMGPU_TIMED_BIND: writing the PTEs */
	SVMGPU_TIMED_BIND,
	/** @SVMGPU_TIMED_COUNT: number of timed steps */
	SVMGPU_TIMED_COUNT,
};

/**
 * struct svmgpu_timed_stat - how often a step ran and for how long
 * @count: number of times
 * @us: microseconds in total
 */
struct svmgpu_timed_stat {
	atomic64_t count;
	atomic64_t us;
};

/**
 * struct svmgpu_stats - device counters, lock-free
 * @v: one counter per DRM_SVMGPU_STAT_*
 * @timed: counts and times of the fault steps, per range size bucket
 */
struct svmgpu_stats {
	atomic64_t v[DRM_SVMGPU_STAT_COUNT];
	struct svmgpu_timed_stat timed[SVMGPU_TIMED_COUNT][SVMGPU_SZ_COUNT];
};

void svmgpu_stats_add_copy(struct svmgpu_device *sdev, enum svmgpu_mem dst_mem,
			   const struct svmgpu_migrate_seg *segs, unsigned int nsegs);
void svmgpu_stats_timed(struct svmgpu_device *sdev, enum svmgpu_timed what, u64 size,
			ktime_t start);

#define svmgpu_stat_add(sdev, stat, n)	atomic64_add((n), &(sdev)->stats.v[(stat)])
#define svmgpu_stat_inc(sdev, stat)	atomic64_inc(&(sdev)->stats.v[(stat)])

#endif /* _SVMGPU_STATS_H_ */
