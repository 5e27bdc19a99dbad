/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_MIGRATE_H_
#define _SVMGPU_MIGRATE_H_

#include <linux/mutex.h>
#include <linux/types.h>

#include <drm/gpu_scheduler.h>

struct dma_fence;
struct svmgpu_device;

/**
 * struct svmgpu_migrate - the copy engine: a drm_sched of its own whose jobs
 * copy between system memory and VRAM or clear VRAM
 * @sdev: the device
 * @sched: the scheduler; jobs run one at a time, in submission order
 * @entity: the only entity feeding @sched
 * @submit_lock: serialises arm + push so fences are ordered as submitted
 * @fail_next: fault injection: number of next jobs to fail with -EIO
 * @delay_copy_ms: fault injection: copies sleep this long before copying
 * @queued: jobs pushed to @entity that have not run yet; while there are
 *	any, copies go through the scheduler behind them
 * @pipeline_clears: benchmark knob: clears always go through the scheduler,
 *	as pre_migrate_fence of the copy behind them, even on an idle engine
 * @share_transfers: large copies and clears take a second CPU (see
 *	"migrate engine"); a debugfs knob turns it off for comparison
 */
struct svmgpu_migrate {
	struct svmgpu_device *sdev;
	struct drm_gpu_scheduler sched;
	struct drm_sched_entity entity;
	struct mutex submit_lock; /* orders arm + push of the entity's jobs */
	atomic_t fail_next;
	u32 delay_copy_ms;
	atomic_t queued;
	bool pipeline_clears;
	bool share_transfers;
};

/** enum svmgpu_mem - where an engine address points */
enum svmgpu_mem {
	/** @SVMGPU_MEM_SYSTEM: a DMA address of system memory */
	SVMGPU_MEM_SYSTEM,
	/** @SVMGPU_MEM_VRAM: an offset into device memory */
	SVMGPU_MEM_VRAM,
	/**
	 * @SVMGPU_MEM_PEER: a device address as device_map() hands them out
	 * (see svmgpu_devaddr()): VRAM of this device or of a peer on its
	 * interconnect
	 */
	SVMGPU_MEM_PEER,
};

/**
 * struct svmgpu_migrate_seg - one contiguous piece of a copy
 * @src: source address, of kind @src_mem
 * @dst: destination address, of kind @dst_mem
 * @size: bytes
 */
struct svmgpu_migrate_seg {
	u64 src;
	u64 dst;
	u64 size;
};

int svmgpu_migrate_init(struct svmgpu_device *sdev, struct svmgpu_migrate *m);
void svmgpu_migrate_fini(struct svmgpu_migrate *m);

struct dma_fence *svmgpu_migrate_copy(struct svmgpu_migrate *m, enum svmgpu_mem src_mem,
				      enum svmgpu_mem dst_mem,
				      const struct svmgpu_migrate_seg *segs, unsigned int nsegs,
				      struct dma_fence *dep);
struct dma_fence *svmgpu_migrate_clear(struct svmgpu_migrate *m, u64 vram_offset, u64 size,
				       struct dma_fence *dep);

#endif /* _SVMGPU_MIGRATE_H_ */
