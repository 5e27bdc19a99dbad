/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_VRAM_H_
#define _SVMGPU_VRAM_H_

#include <linux/bitfield.h>
#include <linux/dma-direct.h>
#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_pagemap.h>

struct svmgpu_device;
struct svmgpu_pagemap;

/**
 * struct svmgpu_vram - the device memory of one svmgpu device
 *
 * VRAM is a kernel allocation of system pages (@backing) that only the
 * device touches; the CPU sees it through MEMORY_DEVICE_PRIVATE struct pages
 * provided by a &struct svmgpu_pagemap, the way lib/test_hmm.c models device
 * memory. Allocations come from a buddy allocator in 2M-aligned blocks where
 * the request allows, so migrated THPs become 2M device folios.
 */
struct svmgpu_vram {
	/** @sdev: the device */
	struct svmgpu_device *sdev;
	/** @backing: the memory behind VRAM offsets 0..@size-1 */
	void *backing;
	/** @size: bytes of VRAM */
	u64 size;
	/** @lock: protects @mm, @lru, @allocs, @pagemap, @used and @releasing */
	struct mutex lock;
	/** @mm: the buddy allocator of VRAM offsets */
	struct gpu_buddy mm;
	/**
	 * @lru: live allocations, least recently bound by the GPU first: the
	 * eviction order
	 */
	struct list_head lru;
	/**
	 * @allocs: VRAM page indices to the live allocation holding them, a
	 * multi-index entry per buddy block, so that a bound device page finds
	 * its allocation for the LRU bump and for eviction
	 */
	struct xarray allocs;
	/** @pagemap: the current pagemap, or NULL when none is in use */
	struct svmgpu_pagemap *pagemap;
	/** @used: bytes allocated */
	u64 used;
	/**
	 * @releasing: allocations evicted for room whose blocks are not back
	 * yet (their release work has not run)
	 */
	unsigned int releasing;
	/** @release_wait: woken when @releasing drops to zero */
	wait_queue_head_t release_wait;
	/** @fail_alloc: fault injection: fail the next N allocations */
	atomic_t fail_alloc;
	/**
	 * @wait_clear: benchmark knob (debugfs): migrations wait for the VRAM
	 * clear on the CPU instead of pipelining it as pre_migrate_fence
	 */
	bool wait_clear;
	/**
	 * @skip_clear: test knob (debugfs): no migration clears its new VRAM up
	 * front, as for a range seen fully populated; the copy clears the holes
	 */
	bool skip_clear;
};

/**
 * struct svmgpu_pagemap - struct pages for the VRAM of a device
 *
 * Created when a VM first needs device memory, destroyed once the last
 * reference (VMs, and device pages through drm_pagemap) is gone: the
 * drm_pagemap pins the module while it exists.
 */
struct svmgpu_pagemap {
	/** @dpagemap: the drm_pagemap, refcounted */
	struct drm_pagemap dpagemap;
	/** @pagemap: the MEMORY_DEVICE_PRIVATE dev_pagemap */
	struct dev_pagemap pagemap;
	/** @vram: the VRAM these pages stand for */
	struct svmgpu_vram *vram;
	/** @pfn_first: pfn of VRAM offset 0 */
	unsigned long pfn_first;
	/** @destroy_work: tears the pagemap down outside atomic context */
	struct work_struct destroy_work;
};

/*
 * Device addresses, as device_map() hands them to drm_gpusvm and drm_pagemap:
 * the index of the device whose VRAM it is, and the offset in that VRAM.
 */
#define SVMGPU_DEVADDR_INDEX	GENMASK_ULL(63, 56)
#define SVMGPU_DEVADDR_OFFSET	GENMASK_ULL(55, 0)

/**
 * svmgpu_devaddr() - the device address of a piece of a device's VRAM
 * @index: the device's &svmgpu_device.index
 * @offset: byte offset in its VRAM
 *
 * Return: the address.
 */
static inline u64 svmgpu_devaddr(unsigned int index, u64 offset)
{
	return FIELD_PREP(SVMGPU_DEVADDR_INDEX, index) | offset;
}

/**
 * svmgpu_devaddr_offset() - the VRAM offset of a device address
 * @devaddr: the address
 *
 * Return: the offset.
 */
static inline u64 svmgpu_devaddr_offset(u64 devaddr)
{
	return FIELD_GET(SVMGPU_DEVADDR_OFFSET, devaddr);
}

void *svmgpu_devaddr_vaddr(u64 devaddr, u64 size);
struct svmgpu_vram *svmgpu_dpagemap_vram(struct drm_pagemap *dpagemap);
int svmgpu_vram_init(struct svmgpu_device *sdev, struct svmgpu_vram *vram, u64 size);
void svmgpu_vram_fini(struct svmgpu_vram *vram);
void svmgpu_vram_evict_all(struct svmgpu_vram *vram);
struct drm_pagemap *svmgpu_vram_get_pagemap(struct svmgpu_vram *vram);
int svmgpu_vram_migrate(struct drm_pagemap *dpagemap, unsigned long start, unsigned long end,
			struct mm_struct *mm, unsigned long timeslice_ms, bool populated);
void *svmgpu_vram_vaddr(struct svmgpu_vram *vram, u64 offset, u64 size);
u64 svmgpu_vram_page_offset(struct page *page);
void svmgpu_vram_touch(struct svmgpu_vram *vram, u64 offset, u64 *first, u64 *last);
int svmgpu_vram_evict_at(struct svmgpu_vram *vram, u64 offset, u64 *first, u64 *last);

/**
 * svmgpu_sysmem_vaddr() - kernel address of a DMA-mapped system page
 * @dev: the device the page was mapped for
 * @addr: the DMA address
 *
 * svmgpu's "DMA" is direct: the device is a platform device without an IOMMU,
 * so the address translates back to the physical page in the direct map.
 *
 * Return: the kernel virtual address.
 */
static inline void *svmgpu_sysmem_vaddr(struct device *dev, dma_addr_t addr)
{
	return phys_to_virt(dma_to_phys(dev, addr));
}

#endif /* _SVMGPU_VRAM_H_ */
