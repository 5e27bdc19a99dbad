// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: device memory
 *
 * Each device has ``vram_size_mb`` of VRAM: a vmalloc'ed area of system
 * pages the CPU never maps to userspace, addressed by offset. The CPU side
 * sees it as MEMORY_DEVICE_PRIVATE struct pages registered on a free
 * physical range, whose &dev_pagemap_ops come from drm_pagemap: a CPU touch
 * of a device page faults, and drm_pagemap migrates it back to RAM with the
 * driver's copy_to_ram().
 *
 * A migration to VRAM (drm_pagemap populate_mm) allocates buddy blocks,
 * queues a clear of them on the migrate engine and hands the clear's fence
 * to drm_pagemap as the allocation's pre_migrate_fence; copy_to_devmem()
 * makes it the scheduler dependency of the copy. The clear is for the pages
 * the copy has no source for (never touched by the CPU): a range the fault
 * handler saw fully populated migrates through svmgpu_vram_migrate()
 * without it, and its copy clears whatever holes it finds itself, in case
 * pages went away between that look and the migration. Allocations sit on a list
 * in allocation order; when VRAM runs out, the oldest one is evicted to RAM
 * with drm_pagemap_evict_to_ram() and the allocation is retried. Every GPU
 * bind of device pages moves their allocations to the tail of that list, so
 * the list is least recently bound first: memory the GPU keeps using stays.
 */

#include <linux/ioport.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "svmgpu_device.h"
#include "svmgpu_drv.h"
#include "svmgpu_migrate.h"
#include "svmgpu_stats.h"
#include "svmgpu_trace.h"
#include "svmgpu_vram.h"

/**
 * struct svmgpu_devmem - one VRAM allocation backing migrated pages
 * @base: the drm_pagemap allocation
 * @vram: where it was allocated
 * @blocks: its buddy blocks
 * @lru_link: on &svmgpu_vram.lru until released or picked for eviction
 * @ref: the pages hold one reference, an evictor another
 * @release_work: frees the blocks; release may be called in atomic context
 * @released: the blocks are free (under &svmgpu_vram.lock): a failed
 *	eviction puts the allocation back on the LRU only while it is not
 * @evicted: evicted for room, counted in &svmgpu_vram.releasing until
 *	released (under &svmgpu_vram.lock)
 * @dirty: not cleared when allocated: copy_to_devmem() clears the pages it
 *	has no source for (set before the migration, read-only after)
 */
struct svmgpu_devmem {
	struct drm_pagemap_devmem base;
	struct svmgpu_vram *vram;
	struct list_head blocks;
	struct list_head lru_link;
	struct kref ref;
	struct work_struct release_work;
	bool released;
	bool evicted;
	bool dirty;
};

static struct svmgpu_devmem *to_devmem(struct drm_pagemap_devmem *d)
{
	return container_of(d, struct svmgpu_devmem, base);
}

static struct svmgpu_pagemap *page_to_spm(struct page *page)
{
	return container_of(page_pgmap(page), struct svmgpu_pagemap, pagemap);
}

/**
 * svmgpu_vram_page_offset() - VRAM offset of a device page
 * @page: a device-private page of an svmgpu pagemap
 *
 * Return: the byte offset in VRAM.
 */
u64 svmgpu_vram_page_offset(struct page *page)
{
	return (u64)(page_to_pfn(page) - page_to_spm(page)->pfn_first) << PAGE_SHIFT;
}

/**
 * svmgpu_devaddr_vaddr() - kernel address of a piece of VRAM by device address
 * @devaddr: a device address, see svmgpu_devaddr()
 * @size: bytes that will be accessed
 *
 * For a copy engine writing into the VRAM of an interconnect peer: the peer
 * is bound and alive while one of its allocations is the target of a
 * migration, the only time the engine sees such an address.
 *
 * Return: the address, or NULL if there is no such device or piece of VRAM.
 */
void *svmgpu_devaddr_vaddr(u64 devaddr, u64 size)
{
	struct svmgpu_device *sdev;

	sdev = svmgpu_device_lookup(FIELD_GET(SVMGPU_DEVADDR_INDEX, devaddr));
	if (!sdev)
		return NULL;
	return svmgpu_vram_vaddr(&sdev->vram, svmgpu_devaddr_offset(devaddr), size);
}

/**
 * svmgpu_dpagemap_vram() - the VRAM behind a drm_pagemap
 * @dpagemap: a pagemap of an svmgpu device: only those share a page owner
 *	with svmgpu devices
 *
 * Return: the VRAM.
 */
struct svmgpu_vram *svmgpu_dpagemap_vram(struct drm_pagemap *dpagemap)
{
	return container_of(dpagemap, struct svmgpu_pagemap, dpagemap)->vram;
}

/**
 * svmgpu_vram_vaddr() - kernel address of a piece of VRAM
 * @vram: the VRAM
 * @offset: byte offset
 * @size: bytes that will be accessed
 *
 * Return: the address, or NULL if the piece is not inside VRAM.
 */
void *svmgpu_vram_vaddr(struct svmgpu_vram *vram, u64 offset, u64 size)
{
	if (offset > vram->size || size > vram->size - offset)
		return NULL;
	return vram->backing + offset;
}

/*
 * Enter the allocation's blocks in &svmgpu_vram.allocs, one multi-index
 * entry per block: buddy blocks of page-sized chunks are naturally aligned
 * powers of two pages.
 */
static int svmgpu_vram_track(struct svmgpu_vram *vram, struct svmgpu_devmem *devmem)
{
	struct gpu_buddy_block *block;
	unsigned long first;
	int err;

	lockdep_assert_held(&vram->lock);

	list_for_each_entry(block, &devmem->blocks, link) {
		first = gpu_buddy_block_offset(block) >> PAGE_SHIFT;
		err = xa_err(xa_store_range(&vram->allocs, first,
					    first + (1UL << gpu_buddy_block_order(block)) - 1,
					    devmem, GFP_KERNEL));
		if (err)
			return err;
	}
	return 0;
}

/* Erasing never allocates, so no stale entry can outlive the allocation. */
static void svmgpu_vram_untrack(struct svmgpu_vram *vram, struct svmgpu_devmem *devmem)
{
	struct gpu_buddy_block *block;

	lockdep_assert_held(&vram->lock);

	list_for_each_entry(block, &devmem->blocks, link)
		xa_erase(&vram->allocs, gpu_buddy_block_offset(block) >> PAGE_SHIFT);
}

/*
 * The allocation holding the device page at @offset, NULL if none does, and
 * the bounds of the block holding it in [*@first, *@last] (the page alone
 * without an allocation).
 */
static struct svmgpu_devmem *svmgpu_vram_find(struct svmgpu_vram *vram, u64 offset, u64 *first,
					      u64 *last)
{
	unsigned long index = offset >> PAGE_SHIFT;
	struct svmgpu_devmem *devmem;
	unsigned int order;

	lockdep_assert_held(&vram->lock);

	*first = offset;
	*last = offset + PAGE_SIZE - 1;
	devmem = xa_load(&vram->allocs, index);
	if (devmem) {
		order = xa_get_order(&vram->allocs, index);
		*first = (u64)round_down(index, 1UL << order) << PAGE_SHIFT;
		*last = *first + (PAGE_SIZE << order) - 1;
	}
	return devmem;
}

/**
 * svmgpu_vram_touch() - mark the allocation holding a VRAM page as just used
 * @vram: the VRAM
 * @offset: byte offset of a device page the GPU bound
 * @first: set to the first byte of the allocation block holding @offset
 * @last: set to its last byte, so that callers skip the rest of the block
 *
 * Moves the allocation to the tail of the eviction list, unless it is not
 * on the list any more (released, or being evicted right now).
 */
void svmgpu_vram_touch(struct svmgpu_vram *vram, u64 offset, u64 *first, u64 *last)
{
	struct svmgpu_devmem *devmem;

	mutex_lock(&vram->lock);
	devmem = svmgpu_vram_find(vram, offset, first, last);
	if (devmem && !list_empty(&devmem->lru_link))
		list_move_tail(&devmem->lru_link, &vram->lru);
	mutex_unlock(&vram->lock);
}

static void svmgpu_devmem_free(struct kref *ref)
{
	kfree(container_of(ref, struct svmgpu_devmem, ref));
}

static void svmgpu_devmem_release_work(struct work_struct *work)
{
	struct svmgpu_devmem *devmem = container_of(work, struct svmgpu_devmem, release_work);
	struct drm_pagemap_devmem *d = &devmem->base;
	struct svmgpu_vram *vram = devmem->vram;

	mutex_lock(&vram->lock);
	list_del_init(&devmem->lru_link);
	svmgpu_vram_untrack(vram, devmem);
	gpu_buddy_free_list(&vram->mm, &devmem->blocks, 0);
	vram->used -= d->size;
	devmem->released = true;
	if (devmem->evicted && !--vram->releasing)
		wake_up_all(&vram->release_wait);
	mutex_unlock(&vram->lock);
	/* Only set when the migration failed before using it. */
	dma_fence_put(d->pre_migrate_fence);
	d->pre_migrate_fence = NULL;
	kref_put(&devmem->ref, svmgpu_devmem_free);
	drm_dev_put(&vram->sdev->drm);
}

/* Called when the last device page of the allocation is freed: any context. */
static void svmgpu_devmem_release(struct drm_pagemap_devmem *d)
{
	struct svmgpu_devmem *devmem = to_devmem(d);

	drm_dev_get(&devmem->vram->sdev->drm);
	queue_work(svmgpu_wq, &devmem->release_work);
}

static int svmgpu_devmem_populate_pfn(struct drm_pagemap_devmem *d, unsigned long npages,
				      unsigned long *pfn)
{
	struct svmgpu_devmem *devmem = to_devmem(d);
	struct svmgpu_vram *vram = devmem->vram;
	unsigned long first = container_of(d->dpagemap, struct svmgpu_pagemap,
					   dpagemap)->pfn_first;
	struct gpu_buddy_block *block;
	unsigned long i = 0, j, n;
	u64 offset;

	list_for_each_entry(block, &devmem->blocks, link) {
		offset = gpu_buddy_block_offset(block);
		n = gpu_buddy_block_size(&vram->mm, block) >> PAGE_SHIFT;
		for (j = 0; j < n && i < npages; j++)
			pfn[i++] = first + (offset >> PAGE_SHIFT) + j;
	}
	return i == npages ? 0 : -EINVAL;
}

/*
 * Wait for @fence, if any, and return its error: dma_fence_wait() succeeds
 * on a failed fence, and a failed clear leaves old VRAM contents.
 */
static int svmgpu_fence_wait_error(struct dma_fence *fence)
{
	if (!fence)
		return 0;
	dma_fence_wait(fence, false);
	return fence->error;
}

/* Whether the allocation holding device page @page was left uncleared. */
static bool svmgpu_devmem_page_dirty(struct page *page)
{
	struct svmgpu_vram *vram = page_to_spm(page)->vram;
	struct svmgpu_devmem *devmem;
	u64 first, last;
	bool dirty;

	mutex_lock(&vram->lock);
	devmem = svmgpu_vram_find(vram, svmgpu_vram_page_offset(page), &first, &last);
	dirty = devmem && devmem->dirty;
	mutex_unlock(&vram->lock);
	return dirty;
}

/*
 * Clear the device pages of a migration to VRAM that have no source (holes:
 * drm_pagemap gives them no address), behind @dep. A hole's size is that of
 * its device folio. Returns the last clear's fence, or @dep when there is no
 * hole, as a new reference; or an ERR_PTR.
 */
static struct dma_fence *svmgpu_devmem_clear_holes(struct svmgpu_migrate *m, struct page **pages,
						   const struct drm_pagemap_addr *addr,
						   unsigned long npages, struct dma_fence *dep)
{
	struct dma_fence *fence = dep ? dma_fence_get(dep) : NULL, *f;
	u64 start = 0, size = 0;
	unsigned long i, n;

	for (i = 0; i <= npages; i += n) {
		u64 off = 0, len = 0;

		n = 1;
		if (i < npages && pages[i] && !addr[i].addr) {
			off = svmgpu_vram_page_offset(pages[i]);
			len = folio_size(page_folio(pages[i]));
			n = len >> PAGE_SHIFT;
			if (size && start + size == off) {
				size += len;
				continue;
			}
		} else if (i < npages && pages[i]) {
			n = NR_PAGES(addr[i].order);
		}
		if (size) {
			f = svmgpu_migrate_clear(m, start, size, fence);
			dma_fence_put(fence);
			if (IS_ERR(f))
				return f;
			fence = f;
		}
		start = off;
		size = len;
	}
	return fence;
}

/*
 * Build the copy between device pages and system DMA addresses. An entry of
 * order N covers 2^N pages and is copied in one piece; neighbours that are
 * contiguous on both sides are merged. Into an allocation that was not
 * cleared, the holes are cleared first.
 */
static int svmgpu_devmem_copy(struct page **pages, struct drm_pagemap_addr *addr,
			      unsigned long npages, struct dma_fence *pre_migrate_fence,
			      bool to_vram)
{
	enum svmgpu_mem other = SVMGPU_MEM_SYSTEM, kind;
	struct dma_fence *dep = pre_migrate_fence;
	struct svmgpu_migrate_seg *segs;
	bool own_dep = false;
	struct svmgpu_migrate *m;
	struct dma_fence *fence;
	unsigned int nsegs = 0;
	unsigned long i;
	int err;

	for (i = 0; i < npages && !pages[i]; i++)
		;
	if (i == npages)
		return svmgpu_fence_wait_error(pre_migrate_fence);
	m = &page_to_spm(pages[i])->vram->sdev->migrate;

	segs = kvmalloc_array(npages, sizeof(*segs), GFP_KERNEL);
	if (!segs)
		return -ENOMEM;

	if (to_vram && svmgpu_devmem_page_dirty(pages[i])) {
		dep = svmgpu_devmem_clear_holes(m, pages, addr, npages, pre_migrate_fence);
		if (IS_ERR(dep)) {
			kvfree(segs);
			return PTR_ERR(dep);
		}
		own_dep = true;
	}

	for (i = 0; i < npages;) {
		unsigned long n = 1;
		u64 sys, dev, size;

		if (!pages[i] || !addr[i].addr) {
			i++;
			continue;
		}
		n = NR_PAGES(addr[i].order);
		size = (u64)n << PAGE_SHIFT;
		sys = addr[i].addr;
		/* drm_pagemap maps a peer's VRAM through its device_map(). */
		kind = addr[i].proto == DRM_INTERCONNECT_DRIVER ? SVMGPU_MEM_PEER :
		       SVMGPU_MEM_SYSTEM;
		if (nsegs && kind != other) {
			err = -EINVAL;
			goto out;
		}
		other = kind;
		dev = svmgpu_vram_page_offset(pages[i]);
		if (nsegs) {
			struct svmgpu_migrate_seg *last = &segs[nsegs - 1];
			u64 last_sys = to_vram ? last->src : last->dst;
			u64 last_dev = to_vram ? last->dst : last->src;

			if (last_sys + last->size == sys && last_dev + last->size == dev) {
				last->size += size;
				i += n;
				continue;
			}
		}
		segs[nsegs].src = to_vram ? sys : dev;
		segs[nsegs].dst = to_vram ? dev : sys;
		segs[nsegs].size = size;
		nsegs++;
		i += n;
	}

	if (!nsegs) {
		/* Nothing to copy, but keep the ordering promise. */
		err = svmgpu_fence_wait_error(dep);
		goto out;
	}

	fence = svmgpu_migrate_copy(m, to_vram ? other : SVMGPU_MEM_VRAM,
				    to_vram ? SVMGPU_MEM_VRAM : other, segs, nsegs, dep);
	if (IS_ERR(fence)) {
		err = PTR_ERR(fence);
		goto out;
	}
	/* drm_pagemap treats the copy as synchronous. */
	err = svmgpu_fence_wait_error(fence);
	dma_fence_put(fence);
out:
	if (own_dep)
		dma_fence_put(dep);
	kvfree(segs);
	return err;
}

static int svmgpu_devmem_copy_to_devmem(struct page **pages, struct drm_pagemap_addr *addr,
					unsigned long npages,
					struct dma_fence *pre_migrate_fence)
{
	return svmgpu_devmem_copy(pages, addr, npages, pre_migrate_fence, true);
}

static int svmgpu_devmem_copy_to_ram(struct page **pages, struct drm_pagemap_addr *addr,
				     unsigned long npages, struct dma_fence *pre_migrate_fence)
{
	return svmgpu_devmem_copy(pages, addr, npages, pre_migrate_fence, false);
}

static const struct drm_pagemap_devmem_ops svmgpu_devmem_ops = {
	.devmem_release = svmgpu_devmem_release,
	.populate_devmem_pfn = svmgpu_devmem_populate_pfn,
	.copy_to_devmem = svmgpu_devmem_copy_to_devmem,
	.copy_to_ram = svmgpu_devmem_copy_to_ram,
};

/* How long an allocation waits for evicted blocks before it evicts more. */
#define SVMGPU_RELEASE_WAIT	(HZ / 10)

/* Failed evictions a search for room tolerates before it gives up. */
#define SVMGPU_EVICT_FAILURES	16

/*
 * Migrate @devmem, taken off the LRU with a reference, back to RAM. If that
 * fails (a copy failed, pages were busy), it goes back to the LRU's tail, so
 * that it can be tried again. Drops the reference.
 */
static int svmgpu_vram_evict(struct svmgpu_vram *vram, struct svmgpu_devmem *devmem,
			     bool for_room)
{
	int err;

	err = drm_pagemap_evict_to_ram(&devmem->base);
	trace_svmgpu_evict(devmem->base.size, err);
	if (err) {
		drm_dbg(&vram->sdev->drm, "eviction failed: %d\n", err);
		mutex_lock(&vram->lock);
		if (!devmem->released && list_empty(&devmem->lru_link))
			list_add_tail(&devmem->lru_link, &vram->lru);
		mutex_unlock(&vram->lock);
	} else if (for_room) {
		svmgpu_stat_inc(vram->sdev, DRM_SVMGPU_STAT_EVICTIONS);
		/* Its blocks come back when its release work has run. */
		mutex_lock(&vram->lock);
		if (!devmem->released) {
			devmem->evicted = true;
			vram->releasing++;
		}
		mutex_unlock(&vram->lock);
	}
	kref_put(&devmem->ref, svmgpu_devmem_free);
	return err;
}

/*
 * Evict the oldest allocation. Return: 0, -ENOENT if there is nothing to
 * evict, or the eviction's error.
 */
static int svmgpu_vram_evict_one(struct svmgpu_vram *vram)
{
	struct svmgpu_devmem *devmem;

	mutex_lock(&vram->lock);
	devmem = list_first_entry_or_null(&vram->lru, struct svmgpu_devmem, lru_link);
	if (devmem) {
		list_del_init(&devmem->lru_link);
		kref_get(&devmem->ref);
	}
	mutex_unlock(&vram->lock);
	if (!devmem)
		return -ENOENT;
	return svmgpu_vram_evict(vram, devmem, true);
}

/**
 * svmgpu_vram_evict_at() - migrate the allocation holding a device page to RAM
 * @vram: the VRAM
 * @offset: byte offset of one of its device pages
 * @first: set to the first byte of the allocation block holding @offset
 * @last: set to its last byte, so that callers skip the rest of the block
 *
 * For the moves to RAM the driver decides (a prefetch to system memory, a
 * placement in RAM): from the device side, as an eviction, without the CPU
 * faults of drm_gpusvm_range_evict() that wait out drm_pagemap's timeslice
 * after a migration to VRAM. Not counted as an eviction.
 *
 * Return: 0, -ENOENT if no allocation on the LRU holds @offset (released,
 * or being evicted right now), or the eviction's error.
 */
int svmgpu_vram_evict_at(struct svmgpu_vram *vram, u64 offset, u64 *first, u64 *last)
{
	struct svmgpu_devmem *devmem;

	mutex_lock(&vram->lock);
	devmem = svmgpu_vram_find(vram, offset, first, last);
	if (devmem && !list_empty(&devmem->lru_link)) {
		list_del_init(&devmem->lru_link);
		kref_get(&devmem->ref);
	} else {
		devmem = NULL;
	}
	mutex_unlock(&vram->lock);
	if (!devmem)
		return -ENOENT;
	return svmgpu_vram_evict(vram, devmem, false);
}

/*
 * Evicted allocations give their blocks back from a work item: an
 * allocation waits for those rather than evict more. Return: true if there
 * were some and they are back, false if there were none or that took more
 * than %SVMGPU_RELEASE_WAIT.
 */
static bool svmgpu_vram_wait_released(struct svmgpu_vram *vram)
{
	return READ_ONCE(vram->releasing) &&
	       wait_event_timeout(vram->release_wait, !READ_ONCE(vram->releasing),
				  SVMGPU_RELEASE_WAIT);
}

/*
 * Evict one allocation to make room. Return: false once there is nothing
 * left to evict or *@failures reached %SVMGPU_EVICT_FAILURES.
 */
static bool svmgpu_vram_make_room(struct svmgpu_vram *vram, unsigned int *failures)
{
	int err = svmgpu_vram_evict_one(vram);

	if (err == -ENOENT)
		return false;
	return !err || ++*failures < SVMGPU_EVICT_FAILURES;
}

/**
 * svmgpu_vram_evict_all() - migrate everything in VRAM back to RAM
 * @vram: the VRAM
 *
 * Allocations whose eviction fails are tried again after the others, up to
 * %SVMGPU_EVICT_FAILURES failures in all; what is left then stays in VRAM,
 * where CPU faults still reach it.
 */
void svmgpu_vram_evict_all(struct svmgpu_vram *vram)
{
	unsigned int failures = 0;

	while (svmgpu_vram_make_room(vram, &failures))
		;
}

static int svmgpu_vram_alloc(struct svmgpu_vram *vram, struct svmgpu_devmem *devmem,
			     unsigned long start, u64 size)
{
	/* 2M blocks where the range allows, so THPs migrate as 2M folios. */
	u64 min_block = IS_ALIGNED(start | size, SZ_2M) ? SZ_2M : PAGE_SIZE;
	unsigned int failures = 0;
	int err;

	if (atomic_add_unless(&vram->fail_alloc, -1, 0))
		return -ENOSPC;

	do {
		mutex_lock(&vram->lock);
		err = gpu_buddy_alloc_blocks(&vram->mm, 0, vram->size, size, min_block,
					     &devmem->blocks, 0);
		if (!err)
			err = svmgpu_vram_track(vram, devmem);
		if (!err) {
			devmem->base.size = size;
			vram->used += size;
			list_add_tail(&devmem->lru_link, &vram->lru);
		} else if (!list_empty(&devmem->blocks)) {
			/* -ENOMEM from the tree, never -ENOSPC: no eviction round. */
			svmgpu_vram_untrack(vram, devmem);
			gpu_buddy_free_list(&vram->mm, &devmem->blocks, 0);
		}
		mutex_unlock(&vram->lock);
	} while (err == -ENOSPC &&
		 (svmgpu_vram_wait_released(vram) || svmgpu_vram_make_room(vram, &failures)));
	return err;
}

/* Queue the clear of all blocks of @devmem; the last clear's fence or an ERR_PTR. */
static struct dma_fence *svmgpu_devmem_clear(struct svmgpu_devmem *devmem)
{
	struct svmgpu_vram *vram = devmem->vram;
	struct gpu_buddy_block *block;
	struct dma_fence *clear = NULL, *f;

	list_for_each_entry(block, &devmem->blocks, link) {
		f = svmgpu_migrate_clear(&vram->sdev->migrate, gpu_buddy_block_offset(block),
					 gpu_buddy_block_size(&vram->mm, block), clear);
		dma_fence_put(clear);
		if (IS_ERR(f))
			return f;
		clear = f;
	}
	return clear;
}

/*
 * Migrate [start, end) to new VRAM; @populated: the caller saw every page of
 * the range present, so the copy overwrites all of the new VRAM and it is
 * not cleared up front (the debugfs knob skip_clear forces that path).
 */
static int svmgpu_vram_populate(struct drm_pagemap *dpagemap, unsigned long start,
				unsigned long end, struct mm_struct *mm,
				unsigned long timeslice_ms, bool populated)
{
	struct svmgpu_pagemap *spm = container_of(dpagemap, struct svmgpu_pagemap, dpagemap);
	struct svmgpu_vram *vram = spm->vram;
	struct svmgpu_device *sdev = vram->sdev;
	const struct drm_pagemap_migrate_details details = { .timeslice_ms = timeslice_ms };
	struct svmgpu_devmem *devmem;
	struct dma_fence *clear = NULL;
	u64 size = end - start;
	int err;

	mmap_assert_locked(mm);

	devmem = kzalloc_obj(*devmem);
	if (!devmem)
		return -ENOMEM;
	devmem->vram = vram;
	devmem->dirty = populated || READ_ONCE(vram->skip_clear);
	INIT_LIST_HEAD(&devmem->blocks);
	INIT_LIST_HEAD(&devmem->lru_link);
	kref_init(&devmem->ref);
	INIT_WORK(&devmem->release_work, svmgpu_devmem_release_work);

	err = svmgpu_vram_alloc(vram, devmem, start, size);
	if (err) {
		kfree(devmem);
		return err;
	}

	/* Clear the new blocks on the engine; the copy is queued behind it. */
	if (!devmem->dirty) {
		clear = svmgpu_devmem_clear(devmem);
		if (IS_ERR(clear)) {
			err = PTR_ERR(clear);
			clear = NULL;
			goto err_free;
		}
	}

	/* The pipelining's baseline, for benchmarks: wait here instead. */
	if (clear && READ_ONCE(vram->wait_clear)) {
		err = svmgpu_fence_wait_error(clear);
		dma_fence_put(clear);
		clear = NULL;
		if (err)
			goto err_free;
	}

	/* drm_pagemap takes over the reference on the clear fence. */
	drm_pagemap_devmem_init(&devmem->base, sdev->drm.dev, mm, &svmgpu_devmem_ops,
				dpagemap, size, clear);
	err = drm_pagemap_migrate_to_devmem(&devmem->base, mm, start, end, &details);
	trace_svmgpu_migrate(start, end, err);
	if (!err)
		svmgpu_stat_inc(sdev, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	/* On failure, drm_pagemap has released the allocation. */
	return err;

err_free:
	svmgpu_devmem_release(&devmem->base);
	return err;
}

static int svmgpu_pagemap_populate_mm(struct drm_pagemap *dpagemap, unsigned long start,
				      unsigned long end, struct mm_struct *mm,
				      unsigned long timeslice_ms)
{
	return svmgpu_vram_populate(dpagemap, start, end, mm, timeslice_ms, false);
}

/**
 * svmgpu_vram_migrate() - migrate a range of a process to VRAM
 * @dpagemap: the pagemap of an svmgpu device
 * @start: start of the range
 * @end: its end
 * @mm: the process
 * @timeslice_ms: how long the pages stay in VRAM at least, see
 *	drm_pagemap_populate_mm()
 * @populated: the caller saw every page of the range present (an advisory
 *	look, such as drm_gpusvm_scan_mm()): the new VRAM is not cleared up
 *	front, the copy overwrites it and clears whatever holes it still finds
 *
 * drm_pagemap_populate_mm(), told what the caller knows of the range.
 *
 * Return: 0 or a negative errno, as drm_pagemap_populate_mm().
 */
int svmgpu_vram_migrate(struct drm_pagemap *dpagemap, unsigned long start, unsigned long end,
			struct mm_struct *mm, unsigned long timeslice_ms, bool populated)
{
	int err;

	if (!mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	err = svmgpu_vram_populate(dpagemap, start, end, mm, timeslice_ms, populated);
	mmap_read_unlock(mm);
	mmput(mm);
	return err;
}

static struct drm_pagemap_addr svmgpu_pagemap_device_map(struct drm_pagemap *dpagemap,
							 struct device *dev, struct page *page,
							 unsigned int order,
							 enum dma_data_direction dir)
{
	struct svmgpu_vram *vram = svmgpu_dpagemap_vram(dpagemap);

	/* Peers on the interconnect address each other's VRAM directly. */
	return drm_pagemap_addr_encode(svmgpu_devaddr(vram->sdev->index,
						      svmgpu_vram_page_offset(page)),
				       DRM_INTERCONNECT_DRIVER, order, dir);
}

/*
 * A device address is no IOMMU mapping: there is nothing to undo. drm_pagemap
 * calls this for the peer pages it mapped for a migration over the
 * interconnect, drm_gpusvm for those a peer's GPU had mapped.
 */
static void svmgpu_pagemap_device_unmap(struct drm_pagemap *dpagemap, struct device *dev,
					const struct drm_pagemap_addr *addr)
{
}

static void svmgpu_pagemap_destroy_work(struct work_struct *work)
{
	struct svmgpu_pagemap *spm = container_of(work, struct svmgpu_pagemap, destroy_work);
	struct svmgpu_vram *vram = spm->vram;
	struct drm_device *drm = &vram->sdev->drm;
	struct range *r = &spm->pagemap.range;

	mutex_lock(&vram->lock);
	if (vram->pagemap == spm)
		vram->pagemap = NULL;
	mutex_unlock(&vram->lock);

	memunmap_pages(&spm->pagemap);
	release_mem_region(r->start, range_len(r));
	kfree(spm);
	drm_dev_put(drm);
}

static void svmgpu_pagemap_destroy(struct drm_pagemap *dpagemap, bool is_atomic_or_reclaim)
{
	struct svmgpu_pagemap *spm = container_of(dpagemap, struct svmgpu_pagemap, dpagemap);

	/* Keep the device until the work ran; the module is kept by its exit. */
	drm_dev_get(&spm->vram->sdev->drm);
	queue_work(svmgpu_wq, &spm->destroy_work);
}

static const struct drm_pagemap_ops svmgpu_pagemap_ops = {
	.device_map = svmgpu_pagemap_device_map,
	.device_unmap = svmgpu_pagemap_device_unmap,
	.populate_mm = svmgpu_pagemap_populate_mm,
	.destroy = svmgpu_pagemap_destroy,
};

static struct svmgpu_pagemap *svmgpu_pagemap_create(struct svmgpu_vram *vram)
{
	struct svmgpu_device *sdev = vram->sdev;
	struct svmgpu_pagemap *spm;
	struct resource *res;
	void *addr;
	int err;

	spm = kzalloc_obj(*spm);
	if (!spm)
		return ERR_PTR(-ENOMEM);
	spm->vram = vram;
	INIT_WORK(&spm->destroy_work, svmgpu_pagemap_destroy_work);

	res = request_free_mem_region(&iomem_resource, vram->size, "svmgpu VRAM");
	if (IS_ERR(res)) {
		err = PTR_ERR(res);
		goto err_free;
	}
	spm->pagemap.type = MEMORY_DEVICE_PRIVATE;
	spm->pagemap.range.start = res->start;
	spm->pagemap.range.end = res->end;
	spm->pagemap.nr_range = 1;
	spm->pagemap.owner = svmgpu_device_owner(sdev);
	spm->pagemap.ops = drm_pagemap_pagemap_ops_get();
	addr = memremap_pages(&spm->pagemap, numa_node_id());
	if (IS_ERR(addr)) {
		err = PTR_ERR(addr);
		goto err_region;
	}
	spm->pfn_first = PHYS_PFN(res->start);

	err = drm_pagemap_init(&spm->dpagemap, &spm->pagemap, &sdev->drm, &svmgpu_pagemap_ops);
	if (err)
		goto err_unmap;
	return spm;

err_unmap:
	memunmap_pages(&spm->pagemap);
err_region:
	release_mem_region(res->start, resource_size(res));
err_free:
	kfree(spm);
	return ERR_PTR(err);
}

/**
 * svmgpu_vram_get_pagemap() - a reference on the device's drm_pagemap
 * @vram: the VRAM
 *
 * Creates the pagemap (struct pages for VRAM) on first use.
 *
 * Return: the drm_pagemap, to be released with drm_pagemap_put(), or an
 * ERR_PTR.
 */
struct drm_pagemap *svmgpu_vram_get_pagemap(struct svmgpu_vram *vram)
{
	struct svmgpu_pagemap *spm;
	struct drm_pagemap *dpagemap = NULL;

	mutex_lock(&vram->lock);
	if (vram->pagemap)
		dpagemap = drm_pagemap_get_unless_zero(&vram->pagemap->dpagemap);
	if (!dpagemap) {
		spm = svmgpu_pagemap_create(vram);
		if (IS_ERR(spm)) {
			dpagemap = ERR_CAST(spm);
		} else {
			vram->pagemap = spm;
			dpagemap = &spm->dpagemap;
		}
	}
	mutex_unlock(&vram->lock);
	return dpagemap;
}

/**
 * svmgpu_vram_init() - set up the VRAM of a device
 * @sdev: the device
 * @vram: the VRAM to initialise
 * @size: bytes, a multiple of 2 MiB
 *
 * Return: 0 or a negative errno.
 */
int svmgpu_vram_init(struct svmgpu_device *sdev, struct svmgpu_vram *vram, u64 size)
{
	int err;

	vram->sdev = sdev;
	vram->size = size;
	mutex_init(&vram->lock);
	INIT_LIST_HEAD(&vram->lru);
	xa_init(&vram->allocs);
	init_waitqueue_head(&vram->release_wait);
	atomic_set(&vram->fail_alloc, 0);
	vram->backing = vmalloc_huge(size, GFP_KERNEL);
	if (!vram->backing)
		return -ENOMEM;
	err = gpu_buddy_init(&vram->mm, size, PAGE_SIZE);
	if (err) {
		vfree(vram->backing);
		return err;
	}
	return 0;
}

/**
 * svmgpu_vram_fini() - release the VRAM of a device
 * @vram: the VRAM; nothing is allocated any more
 */
void svmgpu_vram_fini(struct svmgpu_vram *vram)
{
	/*
	 * Runs at the drm_device's release: every allocation pins the device
	 * (through its pages' drm_pagemap, or its pending release work), so
	 * none is left. This may run on svmgpu_wq itself: never flush it here.
	 */
	drm_WARN_ON(&vram->sdev->drm, vram->used || !list_empty(&vram->lru));
	xa_destroy(&vram->allocs);
	gpu_buddy_fini(&vram->mm);
	vfree(vram->backing);
	mutex_destroy(&vram->lock);
}
