// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: GPU page faults
 *
 * A VM mirrors its process with drm_gpusvm (2M, 64K and 4K chunks). The GPU
 * translates every access through the VM's page table, an xarray of bound
 * ranges (one multi-index entry per range) with one PTE per page. A miss or a
 * permission failure is a GPU page fault, serviced by svmgpu_vm_fault():
 *
 * collect garbage -> find or insert the range -> migrate it to VRAM when the
 * policy asks and it is not there yet -> get its pages (read faults map
 * read-only; a write fault on a read-only binding unmaps and maps again
 * writable) -> bind under the notifier lock, retrying when CPU mappings
 * changed meanwhile.
 *
 * The GPU holds the notifier lock for read while it translates and accesses
 * memory; the invalidation callback holds it for write while it clears the
 * ranges' bound flags and DMA-unmaps their pages, so once it returns no GPU
 * access to the old pages can be in flight. On MMU_NOTIFY_UNMAP the range is
 * marked unmapped and handed to the garbage collector, which removes it from
 * the page table and from drm_gpusvm (evicting device memory first on a
 * partial unmap).
 */

#include <linux/hmm.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_pagemap.h>
#include <drm/drm_print.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_device.h"
#include "svmgpu_madvise.h"
#include "svmgpu_params.h"
#include "svmgpu_stats.h"
#include "svmgpu_trace.h"
#include "svmgpu_vm.h"
#include "svmgpu_vram.h"

/*
 * A device PTE: the page's address (a system DMA address, or with
 * SVMGPU_PTE_DEVMEM a device address of this device's or an interconnect
 * peer's VRAM, see svmgpu_devaddr()) and what the GPU may do with it. Bound ranges have
 * VALID set on every entry; the GPU checks each access against its entry.
 */
#define SVMGPU_PTE_VALID	BIT_ULL(0)
#define SVMGPU_PTE_DEVMEM	BIT_ULL(1)
#define SVMGPU_PTE_WRITE	BIT_ULL(2)
#define SVMGPU_PTE_ATOMIC	BIT_ULL(3)
#define SVMGPU_PTE_ADDR		PAGE_MASK

/* The page table holds a range as one multi-index entry. */
#if !IS_ENABLED(CONFIG_XARRAY_MULTI)
#error "svmgpu needs CONFIG_XARRAY_MULTI (selected by TRANSPARENT_HUGEPAGE)"
#endif

/* Faults retried this often when CPU mappings keep changing under them. */
#define SVMGPU_FAULT_RETRIES	8
/* How long migrated memory stays put before a CPU fault may take it back. */
#define SVMGPU_TIMESLICE_MS	5

static const unsigned long svmgpu_chunk_sizes[] = { SZ_2M, SZ_64K, SZ_4K };

static struct svmgpu_vm *gpusvm_to_vm(struct drm_gpusvm *gpusvm)
{
	return container_of(gpusvm, struct svmgpu_vm, gpusvm);
}

static struct svmgpu_range *to_svmgpu_range(struct drm_gpusvm_range *r)
{
	return container_of(r, struct svmgpu_range, base);
}

static unsigned long range_npages(struct svmgpu_range *r)
{
	return drm_gpusvm_range_size(&r->base) >> PAGE_SHIFT;
}

static struct drm_gpusvm_range *svmgpu_range_alloc(struct drm_gpusvm *gpusvm)
{
	/* In the fault path, charged to the VM's memcg (svmgpu_vm_fault()). */
	struct svmgpu_range *r = kzalloc_obj(*r, GFP_KERNEL_ACCOUNT);

	if (!r)
		return NULL;
	drm_gpusvm_init_pages(&r->pages, &gpusvm_to_vm(gpusvm)->sdev->drm);
	INIT_LIST_HEAD(&r->gc_link);
	return &r->base;
}

static void svmgpu_range_free(struct drm_gpusvm_range *base)
{
	struct svmgpu_range *r = to_svmgpu_range(base);

	drm_gpusvm_free_pages(base->gpusvm, &r->pages, range_npages(r));
	kvfree(r->pte);
	kfree(r);
}

static void svmgpu_vm_invalidate(struct drm_gpusvm *gpusvm, struct drm_gpusvm_notifier *notifier,
				 const struct mmu_notifier_range *mmu_range)
{
	struct svmgpu_vm *vm = gpusvm_to_vm(gpusvm);
	const struct drm_gpusvm_ctx ctx = { .in_notifier = 1 };
	struct drm_gpusvm_range *base = NULL;
	bool queue_gc = false;
	u64 start, end;

	lockdep_assert_held_write(&gpusvm->notifier_lock);

	drm_gpusvm_for_each_range(base, notifier, mmu_range->start, mmu_range->end) {
		struct svmgpu_range *r = to_svmgpu_range(base);

		/* Zap: GPU accesses hold the notifier lock, so none is in flight. */
		if (r->bound)
			svmgpu_stat_inc(vm->sdev, DRM_SVMGPU_STAT_INVALIDATIONS);
		WRITE_ONCE(r->bound, false);
		if (mmu_range->event == MMU_NOTIFY_PROTECTION_PAGE)
			r->cow = true;
		drm_gpusvm_unmap_pages(gpusvm, &r->pages, range_npages(r), &ctx);

		if (mmu_range->event != MMU_NOTIFY_UNMAP)
			continue;
		drm_gpusvm_range_set_unmapped(base, &r->pages, 1, mmu_range);
		start = max(mmu_range->start, drm_gpusvm_range_start(base));
		end = min(mmu_range->end, drm_gpusvm_range_end(base));
		if (r->unmapped_end) {
			start = min(start, r->unmapped_start);
			end = max(end, r->unmapped_end);
		}
		r->unmapped_start = start;
		r->unmapped_end = end;
		spin_lock(&vm->gc_lock);
		/* A closing VM removes all its ranges itself. */
		if (!vm->closing && list_empty(&r->gc_link)) {
			list_add_tail(&r->gc_link, &vm->gc_list);
			queue_gc = true;
		}
		spin_unlock(&vm->gc_lock);
	}
	if (queue_gc)
		queue_work(svmgpu_wq, &vm->gc_work);
}

static const struct drm_gpusvm_ops svmgpu_gpusvm_ops = {
	.range_alloc = svmgpu_range_alloc,
	.range_free = svmgpu_range_free,
	.invalidate = svmgpu_vm_invalidate,
};

/* Take a range out of the page table and out of drm_gpusvm. */
static void svmgpu_vm_remove_range(struct svmgpu_vm *vm, struct svmgpu_range *r)
{
	const struct drm_gpusvm_ctx ctx = {};

	lockdep_assert_held(&vm->lock);

	/* Storing NULL dissolves the multi-index entry: it never allocates. */
	if (r->in_pt) {
		xa_erase(&vm->pt, drm_gpusvm_range_start(&r->base) >> PAGE_SHIFT);
		r->in_pt = false;
	}
	/* Wait for GPU accesses that found the range before it left the table. */
	down_write(&vm->gpusvm.notifier_lock);
	WRITE_ONCE(r->bound, false);
	up_write(&vm->gpusvm.notifier_lock);

	drm_gpusvm_unmap_pages(&vm->gpusvm, &r->pages, range_npages(r), &ctx);

	/*
	 * Until the range leaves drm_gpusvm's tree an UNMAP invalidation may
	 * still queue it for collection; once it has left, none can: take it
	 * off the collector's list then, before the last reference goes.
	 */
	drm_gpusvm_range_get(&r->base);
	drm_gpusvm_range_remove(&vm->gpusvm, &r->base);
	spin_lock(&vm->gc_lock);
	list_del_init(&r->gc_link);
	spin_unlock(&vm->gc_lock);
	drm_gpusvm_range_put(&r->base);
}

/**
 * svmgpu_vm_collect() - remove the ranges the CPU unmapped
 * @vm: the VM, its lock held
 *
 * The garbage collector's work, done at once: the fault handler and the
 * madvise ioctls call it first, so that they see no stale range or
 * attribute of an unmapped address.
 */
void svmgpu_vm_collect(struct svmgpu_vm *vm)
{
	bool collected = false;
	struct svmgpu_range *r;

	lockdep_assert_held(&vm->lock);

	spin_lock(&vm->gc_lock);
	while ((r = list_first_entry_or_null(&vm->gc_list, struct svmgpu_range, gc_link))) {
		u64 start, end;

		collected = true;
		list_del_init(&r->gc_link);
		spin_unlock(&vm->gc_lock);

		/* What is still mapped of a partially unmapped range goes back to RAM. */
		if (r->base.flags.partial_unmap)
			drm_gpusvm_range_evict(&vm->gpusvm, &r->base);
		drm_gpusvm_notifier_lock(&vm->gpusvm);
		start = r->unmapped_start;
		end = r->unmapped_end;
		drm_gpusvm_notifier_unlock(&vm->gpusvm);
		svmgpu_vm_remove_range(vm, r);
		/*
		 * Even where the CPU has mapped something new since: a new
		 * mapping starts with the default attributes.
		 */
		if (end)
			svmgpu_madvise_reset(vm, start, end);

		spin_lock(&vm->gc_lock);
	}
	spin_unlock(&vm->gc_lock);

	/* The CPU unmapped memory: the attributes of what it left unmapped go too. */
	if (collected)
		svmgpu_madvise_prune(vm);
}

static void svmgpu_vm_gc_work(struct work_struct *work)
{
	struct svmgpu_vm *vm = container_of(work, struct svmgpu_vm, gc_work);
	struct mem_cgroup *old_memcg = set_active_memcg(vm->memcg);

	mutex_lock(&vm->lock);
	svmgpu_vm_collect(vm);
	mutex_unlock(&vm->lock);
	set_active_memcg(old_memcg);
}

/*
 * Make @r findable by GPU lookups: one multi-index entry covering its pages.
 * drm_gpusvm ranges are naturally aligned chunks that never overlap, so no
 * other range is in the way.
 */
static int svmgpu_pt_insert(struct svmgpu_vm *vm, struct svmgpu_range *r)
{
	unsigned long npages = range_npages(r);
	unsigned long first = drm_gpusvm_range_start(&r->base) >> PAGE_SHIFT;

	lockdep_assert_held(&vm->lock);
	/* Else xa_store_range() would split it, and the erase at its start miss some. */
	if (WARN_ON_ONCE(!is_power_of_2(npages) || !IS_ALIGNED(first, npages)))
		return -EINVAL;
	return xa_err(xa_store_range(&vm->pt, first, first + npages - 1, r, GFP_KERNEL_ACCOUNT));
}

/* Write the range's PTEs from its DMA mapping and make it visible to the GPU. */
static int svmgpu_vm_bind(struct svmgpu_vm *vm, struct svmgpu_range *r, bool write,
			  bool atomic_ok, u32 atomic_policy)
{
	unsigned long npages = range_npages(r), i, j, k;
	int err = 0;

	lockdep_assert_held(&vm->lock);

	/* Fault injection: the page table cannot be allocated. */
	if (atomic_add_unless(&vm->sdev->fail_bind, -1, 0))
		return -ENOMEM;
	if (!r->pte) {
		r->pte = kvmalloc_array(npages, sizeof(*r->pte), GFP_KERNEL_ACCOUNT);
		if (!r->pte)
			return -ENOMEM;
	}
	if (!r->in_pt) {
		err = svmgpu_pt_insert(vm, r);
		if (err)
			return err;
		r->in_pt = true;
	}

	drm_gpusvm_notifier_lock(&vm->gpusvm);
	if (!drm_gpusvm_pages_valid(&vm->gpusvm, &r->pages)) {
		err = -EAGAIN;
		goto out;
	}
	if (!r->bound) {
		r->writable = write;
		/* Device memory takes GPU atomics unless only the CPU may do them. */
		r->atomic_ok = write && (atomic_ok || (r->pages.flags.has_devmem_pages &&
						       atomic_policy != DRM_SVMGPU_ATOMIC_CPU));
		for (i = 0, j = 0; i < npages; j++) {
			const struct drm_pagemap_addr *a = &r->pages.dma_addr[j];
			u64 flags = SVMGPU_PTE_VALID;

			if (a->proto == DRM_INTERCONNECT_DRIVER)
				flags |= SVMGPU_PTE_DEVMEM;
			if (r->writable)
				flags |= SVMGPU_PTE_WRITE;
			if (r->atomic_ok)
				flags |= SVMGPU_PTE_ATOMIC;
			for (k = 0; k < NR_PAGES(a->order) && i < npages; k++, i++)
				r->pte[i] = (a->addr + (k << PAGE_SHIFT)) | flags;
		}
		/* Readers check bound first: publish the PTEs before it. */
		smp_store_release(&r->bound, true);
		svmgpu_stat_inc(vm->sdev, DRM_SVMGPU_STAT_BINDS);
	}
out:
	drm_gpusvm_notifier_unlock(&vm->gpusvm);
	return err;
}

/* The GPU bound the range's device memory: move it off the eviction end. */
static void svmgpu_vm_touch_devmem(struct svmgpu_vm *vm, struct svmgpu_range *r)
{
	unsigned long npages = range_npages(r), i;
	u64 first = 1, last = 0, offset;
	struct drm_pagemap *dpagemap;

	lockdep_assert_held(&vm->lock);

	/* The pages' pagemap: this device's, or an interconnect peer's. */
	drm_gpusvm_notifier_lock(&vm->gpusvm);
	dpagemap = r->bound ? drm_pagemap_get(r->pages.dpagemap) : NULL;
	drm_gpusvm_notifier_unlock(&vm->gpusvm);
	if (!dpagemap)
		return;
	/* Only binds write the PTEs, and they hold vm->lock too. */
	for (i = 0; i < npages; i++) {
		if (!(r->pte[i] & SVMGPU_PTE_DEVMEM))
			continue;
		offset = svmgpu_devaddr_offset(r->pte[i] & SVMGPU_PTE_ADDR);
		if (offset < first || offset > last)
			svmgpu_vram_touch(svmgpu_dpagemap_vram(dpagemap), offset, &first, &last);
	}
	drm_pagemap_put(dpagemap);
}

/* Bind, timed in the stats, and bump the VRAM LRU for device pages. */
static int svmgpu_vm_bind_range(struct svmgpu_vm *vm, struct svmgpu_range *r, bool write,
				bool atomic_ok, u32 atomic_policy)
{
	ktime_t t0 = ktime_get();
	int err;

	err = svmgpu_vm_bind(vm, r, write, atomic_ok, atomic_policy);
	svmgpu_stats_timed(vm->sdev, SVMGPU_TIMED_BIND, range_npages(r) << PAGE_SHIFT, t0);
	if (!err && r->pages.flags.has_devmem_pages)
		svmgpu_vm_touch_devmem(vm, r);
	return err;
}

/*
 * Walk the CPU page table over [@start, @end) of @base without faulting, as
 * this device's owner sees it, and hand @fn the hmm pfns under the mmap
 * lock (device pages stay alive while it looks at them). Return: @fn's
 * result, or an error of the walk.
 */
static int svmgpu_vm_walk(struct svmgpu_vm *vm, struct drm_gpusvm_range *base,
			  unsigned long start, unsigned long end,
			  int (*fn)(struct svmgpu_vm *vm, const unsigned long *pfns,
				    unsigned long npages))
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	struct mm_struct *mm = vm->gpusvm.mm;
	struct hmm_range hr = {
		.notifier = &base->notifier->notifier,
		.start = start,
		.end = end,
		.dev_private_owner = svmgpu_device_owner(vm->sdev),
	};
	int err;

	if (!mmget_not_zero(mm))
		return -EFAULT;
	hr.hmm_pfns = kvmalloc_array(npages, sizeof(*hr.hmm_pfns), GFP_KERNEL);
	if (!hr.hmm_pfns) {
		mmput(mm);
		return -ENOMEM;
	}
	mmap_read_lock(mm);
	do {
		hr.notifier_seq = mmu_interval_read_begin(hr.notifier);
		err = hmm_range_fault(&hr);
	} while (err == -EBUSY);
	if (!err)
		err = fn(vm, hr.hmm_pfns, npages);
	mmap_read_unlock(mm);
	mmput(mm);
	kvfree(hr.hmm_pfns);
	return err;
}

static int svmgpu_vm_check_writable(struct svmgpu_vm *vm, const unsigned long *pfns,
				    unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		if ((pfns[i] & HMM_PFN_VALID) && !(pfns[i] & HMM_PFN_WRITE))
			return -EPERM;
	return 0;
}

/*
 * hmm hands the owner a write-protected device-private page (shared
 * copy-on-write after fork) without faulting it for a write, and drm_gpusvm
 * maps it all the same: look at the CPU's write permission without faulting.
 * Return: false if a present page of [@start, @end) is not writable, or on
 * an error: the caller then goes the safe way through RAM.
 */
static bool svmgpu_vm_devmem_writable(struct svmgpu_vm *vm, struct drm_gpusvm_range *base,
				      unsigned long start, unsigned long end)
{
	return !svmgpu_vm_walk(vm, base, start, end, svmgpu_vm_check_writable);
}

/*
 * Evict the allocations holding this device's pages among @pfns; -EAGAIN
 * if some other device's pages remain (an interconnect peer's VRAM).
 */
static int svmgpu_vm_evict_pfns(struct svmgpu_vm *vm, const unsigned long *pfns,
				unsigned long npages)
{
	struct svmgpu_vram *vram = &vm->sdev->vram;
	u64 first = 1, last = 0, offset;
	unsigned long i;
	int err = 0;

	for (i = 0; i < npages; i++) {
		struct page *page;

		if (!(pfns[i] & HMM_PFN_VALID))
			continue;
		page = hmm_pfn_to_page(pfns[i]);
		if (!is_device_private_page(page))
			continue;
		if (page_pgmap(page) != vm->dpagemap->pagemap) {
			err = -EAGAIN;
			continue;
		}
		offset = svmgpu_vram_page_offset(page);
		if (offset >= first && offset <= last)
			continue;
		if (svmgpu_vram_evict_at(vram, offset, &first, &last) && !err)
			err = -EAGAIN;
	}
	return err;
}

/*
 * Move the range's device pages back to RAM. This device's allocations are
 * evicted from the device side (svmgpu_vram_evict_at()); what is left, a
 * peer's pages or an allocation that could not be evicted, drm_gpusvm
 * faults back through the CPU.
 */
static int svmgpu_vm_evict_range(struct svmgpu_vm *vm, struct drm_gpusvm_range *base)
{
	if (vm->dpagemap && !svmgpu_vm_walk(vm, base, drm_gpusvm_range_start(base),
					    drm_gpusvm_range_end(base), svmgpu_vm_evict_pfns))
		return 0;
	return drm_gpusvm_range_evict(&vm->gpusvm, base);
}

static bool svmgpu_vm_want_devmem(struct svmgpu_vm *vm, enum svmgpu_placement place)
{
	if (!vm->dpagemap)
		return false;
	return place == SVMGPU_PLACE_DEVICE ||
	       (place == SVMGPU_PLACE_POLICY && svmgpu_params.migrate_on_fault);
}

static bool svmgpu_access_writes(unsigned int access)
{
	return access & (DRM_SVMGPU_ACCESS_WRITE | DRM_SVMGPU_ACCESS_ATOMIC);
}

static int svmgpu_errno_to_fault(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return -EACCES;
	case -ENOMEM:
	case -EINTR:
	case -ERESTARTSYS:
		return err;
	default:
		return -EFAULT;
	}
}

/*
 * Move a range to the VM's VRAM unless it is there already. New VRAM needs a
 * clear only where the copy has no source: not for a range whose pages are
 * all present. Failure is no error: no VRAM, a file-backed VMA or a race
 * leave the range where it is.
 */
static void svmgpu_vm_migrate_range(struct svmgpu_vm *vm, struct drm_gpusvm_range *base,
				    unsigned long timeslice_ms)
{
	struct svmgpu_device *sdev = vm->sdev;
	unsigned long start = drm_gpusvm_range_start(base);
	unsigned long end = drm_gpusvm_range_end(base);
	enum drm_gpusvm_scan_result scan;
	ktime_t t0;
	int err;

	scan = drm_gpusvm_scan_mm(base, svmgpu_device_owner(sdev), vm->dpagemap->pagemap);
	if (scan == DRM_GPUSVM_SCAN_EQUAL)
		return;
	t0 = ktime_get();
	err = svmgpu_vram_migrate(vm->dpagemap, start, end, vm->gpusvm.mm, timeslice_ms,
				  scan != DRM_GPUSVM_SCAN_UNPOPULATED);
	svmgpu_stats_timed(sdev, SVMGPU_TIMED_MIGRATE, end - start, t0);
	if (err)
		drm_dbg(&sdev->drm, "migration of 0x%lx-0x%lx failed: %d\n", start, end, err);
}

/*
 * Make the range around @addr valid in the page table with at least @access
 * rights, placed as @place asks; @prefetch moves a range even when it is
 * valid. Called with vm->lock held. Returns 1 if the range's pages were valid
 * already (bound, or bound again as they were), 0 once they are, or an
 * error; on success [*range_start, *range_end) is the range that now covers
 * @addr.
 */
static int svmgpu_vm_service(struct svmgpu_vm *vm, u64 addr, unsigned int access,
			     enum svmgpu_placement place, bool prefetch, u64 *range_start,
			     u64 *range_end)
{
	struct svmgpu_device *sdev = vm->sdev;
	bool write = svmgpu_access_writes(access);
	bool atomic_ok;
	struct svmgpu_attrs attrs;
	u64 gran_start, gran_end;
	struct drm_gpusvm_ctx ctx = {
		.device_private_page_owner = svmgpu_device_owner(sdev),
		.read_only = !write,
		.devmem_possible = !!vm->dpagemap,
		.timeslice_ms = SVMGPU_TIMESLICE_MS,
	};
	int retries = SVMGPU_FAULT_RETRIES;
	struct drm_gpusvm_range *base;
	struct svmgpu_range *r;
	unsigned long start, end;
	bool valid, rights;
	ktime_t t0;
	int err;

	lockdep_assert_held(&vm->lock);

	svmgpu_madvise_get(vm, addr, &attrs);
	/*
	 * GPU atomics may use RAM unless the policy asks for VRAM, and an atomic
	 * fault that could not move the data settles for RAM; never under the
	 * CPU policy, whose atomics fault and fail.
	 */
	atomic_ok = attrs.atomic_policy == DRM_SVMGPU_ATOMIC_UNDEFINED ||
		    (attrs.atomic_policy != DRM_SVMGPU_ATOMIC_CPU &&
		     (access & DRM_SVMGPU_ACCESS_ATOMIC));
	if (!prefetch && place == SVMGPU_PLACE_POLICY) {
		if (attrs.preferred_location == DRM_SVMGPU_PREFERRED_SYSTEM)
			place = SVMGPU_PLACE_SYSTEM;
		else if (attrs.preferred_location == DRM_SVMGPU_PREFERRED_DEVICE)
			place = SVMGPU_PLACE_DEVICE;
		if ((access & DRM_SVMGPU_ACCESS_ATOMIC) &&
		    attrs.atomic_policy != DRM_SVMGPU_ATOMIC_UNDEFINED)
			place = SVMGPU_PLACE_DEVICE;
	}
	gran_start = round_down(addr, BIT_ULL(attrs.granularity_shift));
	gran_end = gran_start + BIT_ULL(attrs.granularity_shift);
retry:
	svmgpu_vm_collect(vm);

	base = drm_gpusvm_range_find_or_insert(&vm->gpusvm, addr, gran_start, gran_end, &ctx);
	if (IS_ERR(base))
		return svmgpu_errno_to_fault(PTR_ERR(base));
	r = to_svmgpu_range(base);
	start = drm_gpusvm_range_start(base);
	end = drm_gpusvm_range_end(base);
	*range_start = start;
	*range_end = end;

	drm_gpusvm_notifier_lock(&vm->gpusvm);
	valid = drm_gpusvm_pages_valid(&vm->gpusvm, &r->pages);
	rights = (!write || r->writable) && (!(access & DRM_SVMGPU_ACCESS_ATOMIC) || r->atomic_ok);
	if (valid && r->bound && rights && !prefetch) {
		drm_gpusvm_notifier_unlock(&vm->gpusvm);
		return 1;
	}
	drm_gpusvm_notifier_unlock(&vm->gpusvm);

	/*
	 * A valid fault: the CPU side did not change since the pages were
	 * mapped, only the GPU binding went away. Bind the same pages again,
	 * unless the fault would move them to VRAM now.
	 */
	if (valid && rights && !prefetch &&
	    (place == SVMGPU_PLACE_SYSTEM ? !r->pages.flags.has_devmem_pages :
	     r->pages.flags.has_devmem_pages || !svmgpu_vm_want_devmem(vm, place))) {
		err = svmgpu_vm_bind_range(vm, r, r->writable, r->atomic_ok, attrs.atomic_policy);
		if (err == -EAGAIN && retries--)
			goto retry;
		return err ? svmgpu_errno_to_fault(err) : 1;
	}

	if (valid && ((write && !r->writable) || place == SVMGPU_PLACE_SYSTEM ||
		      (access & DRM_SVMGPU_ACCESS_ATOMIC))) {
		/* Upgrade to writable, or move: drop the current mapping first. */
		down_write(&vm->gpusvm.notifier_lock);
		WRITE_ONCE(r->bound, false);
		up_write(&vm->gpusvm.notifier_lock);
		drm_gpusvm_unmap_pages(&vm->gpusvm, &r->pages, range_npages(r),
				       &(struct drm_gpusvm_ctx){});
	}

	if (write && READ_ONCE(r->cow)) {
		/*
		 * hmm hands out write-protected device pages without breaking
		 * COW: take them back to RAM, where the write fault of
		 * get_pages() breaks it, and migrate again at a later fault.
		 */
		place = SVMGPU_PLACE_SYSTEM;
	}

	if (place == SVMGPU_PLACE_SYSTEM) {
		bool evict = true;

		/*
		 * Device pages of the range go back to RAM. With VRAM, the walk of
		 * svmgpu_vm_evict_range() finds them itself: no scan ahead of it.
		 */
		if (!vm->dpagemap) {
			enum drm_gpusvm_scan_result scan;

			scan = drm_gpusvm_scan_mm(base, ctx.device_private_page_owner, NULL);
			evict = scan != DRM_GPUSVM_SCAN_SYSTEM &&
				scan != DRM_GPUSVM_SCAN_UNPOPULATED;
		}
		if (evict) {
			err = svmgpu_vm_evict_range(vm, base);
			if (err && err != -EFAULT && retries--)
				goto retry;
		}
		ctx.devmem_possible = 0;
	} else if (svmgpu_vm_want_devmem(vm, place)) {
		svmgpu_vm_migrate_range(vm, base, ctx.timeslice_ms);
	}

	t0 = ktime_get();
	err = drm_gpusvm_get_pages(&vm->gpusvm, &r->pages, vm->gpusvm.mm,
				   &base->notifier->notifier, start, end, &ctx);
	svmgpu_stats_timed(sdev, SVMGPU_TIMED_GET_PAGES, end - start, t0);
	if (err == -EOPNOTSUPP || err == -EFAULT || (err == -EPERM && !write)) {
		/* CPU mappings changed, or mixed placement: settle it in RAM and retry. */
		if (retries--) {
			if (err == -EOPNOTSUPP)
				svmgpu_vm_evict_range(vm, base);
			goto retry;
		}
	}
	if (err)
		return svmgpu_errno_to_fault(err);

	if (place == SVMGPU_PLACE_SYSTEM && r->pages.flags.has_devmem_pages) {
		/*
		 * The eviction failed (a copy back to RAM failed) and left device
		 * pages, which get_pages() maps all the same: try again. A fault
		 * then uses the data where it is; a prefetch, asked to move it,
		 * reports that it could not.
		 */
		if (retries--)
			goto retry;
		if (prefetch)
			return -EIO;
	}

	if (write && r->pages.flags.has_devmem_pages && !READ_ONCE(r->cow) &&
	    !svmgpu_vm_devmem_writable(vm, base, start, end) && retries--) {
		/* Device pages shared copy-on-write: break COW through RAM. */
		down_write(&vm->gpusvm.notifier_lock);
		r->cow = true;
		up_write(&vm->gpusvm.notifier_lock);
		drm_gpusvm_unmap_pages(&vm->gpusvm, &r->pages, range_npages(r),
				       &(struct drm_gpusvm_ctx){});
		goto retry;
	}

	if (write) {
		down_write(&vm->gpusvm.notifier_lock);
		r->cow = false;
		up_write(&vm->gpusvm.notifier_lock);
	}
	err = svmgpu_vm_bind_range(vm, r, write, atomic_ok, attrs.atomic_policy);
	if (err == -EAGAIN && retries--)
		goto retry;
	return err ? svmgpu_errno_to_fault(err) : 0;
}

/**
 * svmgpu_vm_fault() - service a GPU page fault
 * @vm: the VM
 * @addr: the faulting GPU address
 * @access: DRM_SVMGPU_ACCESS_* of the faulting access
 *
 * A fault runs inside drm_dev_enter(): once the device is unplugged, faults
 * fail and the unplug waits for those in flight.
 *
 * Return: 0 when the access can be retried, -EFAULT for an address nothing
 * is mapped at, -EACCES for a write to a read-only mapping, -ENOMEM, or
 * -ENODEV once the device is gone.
 */
int svmgpu_vm_fault(struct svmgpu_vm *vm, u64 addr, unsigned int access)
{
	struct svmgpu_device *sdev = vm->sdev;
	struct mem_cgroup *old_memcg;
	ktime_t t0 = ktime_get();
	struct svmgpu_attrs attrs;
	u64 start = 0, end = 0;
	int err, idx;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	/* GPU faults run in a worker: charge what they allocate to the VM's process. */
	old_memcg = set_active_memcg(vm->memcg);
	mutex_lock(&vm->lock);
	svmgpu_stat_inc(sdev, DRM_SVMGPU_STAT_GPU_FAULTS);
	/* Unmaps first, so that stale attributes are gone. */
	svmgpu_vm_collect(vm);
	svmgpu_madvise_get(vm, addr, &attrs);
	if ((access & DRM_SVMGPU_ACCESS_ATOMIC) && attrs.atomic_policy == DRM_SVMGPU_ATOMIC_CPU)
		err = -EACCES;
	else
		err = svmgpu_vm_service(vm, addr & PAGE_MASK, access, SVMGPU_PLACE_POLICY, false,
					&start, &end);
	mutex_unlock(&vm->lock);
	set_active_memcg(old_memcg);
	drm_dev_exit(idx);

	trace_svmgpu_fault(vm, addr, access, start, end, err);
	if (err < 0) {
		svmgpu_stat_inc(sdev, DRM_SVMGPU_STAT_GPU_FAULTS_FAILED);
		return err;
	}
	if (err > 0)
		svmgpu_stat_inc(sdev, DRM_SVMGPU_STAT_GPU_FAULTS_VALID);
	svmgpu_stats_timed(sdev, err ? SVMGPU_TIMED_VALID_FAULT : SVMGPU_TIMED_FAULT, end - start,
			   t0);
	return 0;
}

/**
 * svmgpu_vm_prefetch() - migrate and bind a range ahead of GPU use
 * @vm: the VM
 * @start: page-aligned start
 * @end: page-aligned end
 * @place: %SVMGPU_PLACE_DEVICE or %SVMGPU_PLACE_SYSTEM
 *
 * Return: 0 or the error of the first range that failed.
 */
int svmgpu_vm_prefetch(struct svmgpu_vm *vm, u64 start, u64 end, enum svmgpu_placement place)
{
	u64 addr = start, range_start, range_end;
	int err = 0;

	while (addr < end) {
		/*
		 * The lock is taken per range: GPU faults of running jobs get
		 * their turn during a long prefetch.
		 */
		if (mutex_lock_killable(&vm->lock))
			return -EINTR;
		err = svmgpu_vm_service(vm, addr, DRM_SVMGPU_ACCESS_READ, place, true, &range_start,
					&range_end);
		mutex_unlock(&vm->lock);
		if (err < 0)
			return err;
		err = 0;
		addr = range_end;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return err;
}

/* Kernel address of @addr if the page table grants @access; notifier lock held. */
static void *svmgpu_vm_translate(struct svmgpu_vm *vm, u64 addr, unsigned int access)
{
	struct svmgpu_range *r;
	void *p;
	u64 pte;

	lockdep_assert_held(&vm->gpusvm.notifier_lock);

	/*
	 * The xarray is safe to read under RCU while faults change it: the
	 * lookup returns a range that covered @addr during it. The range itself
	 * stays alive while the notifier lock is held (svmgpu_vm_remove_range()
	 * takes it for write before the range can go), and the bounds check
	 * keeps the index within its PTEs whatever the lookup returned.
	 */
	r = xa_load(&vm->pt, addr >> PAGE_SHIFT);
	if (!r || addr < drm_gpusvm_range_start(&r->base) ||
	    addr >= drm_gpusvm_range_end(&r->base))
		return NULL;
	/* Pairs with the release in svmgpu_vm_bind(): the PTEs are written first. */
	if (!smp_load_acquire(&r->bound))
		return NULL;
	pte = r->pte[(addr - drm_gpusvm_range_start(&r->base)) >> PAGE_SHIFT];
	if (!(pte & SVMGPU_PTE_VALID) ||
	    (svmgpu_access_writes(access) && !(pte & SVMGPU_PTE_WRITE)) ||
	    ((access & DRM_SVMGPU_ACCESS_ATOMIC) && !(pte & SVMGPU_PTE_ATOMIC)))
		return NULL;
	if (pte & SVMGPU_PTE_DEVMEM) {
		/* Device pages of one range all come from r->pages.dpagemap. */
		p = svmgpu_vram_vaddr(svmgpu_dpagemap_vram(r->pages.dpagemap),
				      svmgpu_devaddr_offset(pte & SVMGPU_PTE_ADDR), PAGE_SIZE);
		return p ? p + offset_in_page(addr) : NULL;
	}
	return svmgpu_sysmem_vaddr(vm->sdev->drm.dev, pte & SVMGPU_PTE_ADDR) +
	       offset_in_page(addr);
}

/**
 * svmgpu_vm_access() - a GPU read or write of VM memory, faulting as needed
 * @vm: the VM
 * @addr: GPU address
 * @buf: kernel buffer to read into or write from
 * @len: bytes
 * @write: direction
 * @fault_addr: set to the unresolvable address on failure
 *
 * Return: 0, the error of the unresolvable fault, or -EAGAIN when an access
 * kept missing right after its fault was serviced (the CPU side changes
 * faster than the GPU gets to use it): the caller may repeat the whole
 * access once it has checked its own bounds.
 */
int svmgpu_vm_access(struct svmgpu_vm *vm, u64 addr, void *buf, size_t len, bool write,
		     u64 *fault_addr)
{
	unsigned int access = write ? DRM_SVMGPU_ACCESS_WRITE : DRM_SVMGPU_ACCESS_READ;
	int misses = 0;

	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(addr));
		void *p;
		int err;

		drm_gpusvm_notifier_lock(&vm->gpusvm);
		p = svmgpu_vm_translate(vm, addr, access);
		if (p) {
			if (write)
				memcpy(p, buf, n);
			else
				memcpy(buf, p, n);
		}
		drm_gpusvm_notifier_unlock(&vm->gpusvm);

		if (!p) {
			if (misses++ == SVMGPU_FAULT_RETRIES)
				return -EAGAIN;
			err = svmgpu_vm_fault(vm, addr, access);
			if (err) {
				*fault_addr = addr;
				return err;
			}
			continue;
		}
		misses = 0;
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static u64 svmgpu_atomic_apply(void *p, u32 op, bool is64, u64 operand, u64 compare)
{
	if (is64) {
		atomic64_t *v = p;

		switch (op) {
		case DRM_SVMGPU_ATOMIC_ADD:
			return atomic64_fetch_add(operand, v);
		case DRM_SVMGPU_ATOMIC_INC:
			return atomic64_fetch_add(1, v);
		case DRM_SVMGPU_ATOMIC_XCHG:
			return atomic64_xchg(v, operand);
		default:
			return atomic64_cmpxchg(v, compare, operand);
		}
	} else {
		atomic_t *v = p;

		switch (op) {
		case DRM_SVMGPU_ATOMIC_ADD:
			return (u32)atomic_fetch_add((u32)operand, v);
		case DRM_SVMGPU_ATOMIC_INC:
			return (u32)atomic_fetch_add(1, v);
		case DRM_SVMGPU_ATOMIC_XCHG:
			return (u32)atomic_xchg(v, (u32)operand);
		default:
			return (u32)atomic_cmpxchg(v, (u32)compare, (u32)operand);
		}
	}
}

/**
 * svmgpu_vm_atomic() - a GPU atomic read-modify-write of VM memory
 * @vm: the VM
 * @addr: naturally aligned GPU address
 * @op: &enum drm_svmgpu_atomic_op
 * @is64: 64-bit operation
 * @operand: value to add or store
 * @compare: expected value for cmpxchg
 * @old: receives the previous value
 * @fault_addr: set to the unresolvable address on failure
 *
 * The operation is atomic with respect to the CPU and other GPU queues: it
 * runs on the page the CPU maps, or on the device page when the data lives
 * in VRAM (and the CPU cannot map it then).
 *
 * Return: 0, the error of the unresolvable fault, or -EAGAIN as
 * svmgpu_vm_access() (the operation was not done).
 */
int svmgpu_vm_atomic(struct svmgpu_vm *vm, u64 addr, u32 op, bool is64, u64 operand,
		     u64 compare, u64 *old, u64 *fault_addr)
{
	int misses;

	for (misses = 0; misses <= SVMGPU_FAULT_RETRIES; misses++) {
		void *p;
		int err;

		drm_gpusvm_notifier_lock(&vm->gpusvm);
		p = svmgpu_vm_translate(vm, addr, DRM_SVMGPU_ACCESS_ATOMIC);
		if (p)
			*old = svmgpu_atomic_apply(p, op, is64, operand, compare);
		drm_gpusvm_notifier_unlock(&vm->gpusvm);
		if (p)
			return 0;

		err = svmgpu_vm_fault(vm, addr, DRM_SVMGPU_ACCESS_ATOMIC);
		if (err) {
			*fault_addr = addr;
			return err;
		}
	}
	return -EAGAIN;
}

/**
 * svmgpu_vm_mapped() - what the VM's GPU page table maps now
 * @vm: the VM
 * @system: bytes of system memory are added here
 * @vram: bytes of device memory (this device's or a peer's) are added here
 */
void svmgpu_vm_mapped(struct svmgpu_vm *vm, u64 *system, u64 *vram)
{
	unsigned long index = 0;
	struct svmgpu_range *r;

	mutex_lock(&vm->lock);
	drm_gpusvm_notifier_lock(&vm->gpusvm);
	xa_for_each(&vm->pt, index, r) {
		if (!r->bound)
			continue;
		if (r->pages.flags.has_devmem_pages)
			*vram += drm_gpusvm_range_size(&r->base);
		else
			*system += drm_gpusvm_range_size(&r->base);
	}
	drm_gpusvm_notifier_unlock(&vm->gpusvm);
	mutex_unlock(&vm->lock);
}

/**
 * svmgpu_vm_create() - create a VM mirroring the current process
 * @sdev: the device
 *
 * Return: the VM with one reference, or an ERR_PTR.
 */
struct svmgpu_vm *svmgpu_vm_create(struct svmgpu_device *sdev)
{
	struct svmgpu_vm *vm;
	int err;

	vm = kzalloc_obj(*vm, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->ref);
	vm->sdev = sdev;
	vm->memcg = get_mem_cgroup_from_mm(current->mm);
	mutex_init(&vm->lock);
	xa_init(&vm->pt);
	mt_init(&vm->attrs);
	spin_lock_init(&vm->gc_lock);
	INIT_LIST_HEAD(&vm->gc_list);
	INIT_WORK(&vm->gc_work, svmgpu_vm_gc_work);

	vm->dpagemap = svmgpu_vram_get_pagemap(&sdev->vram);
	if (IS_ERR(vm->dpagemap)) {
		drm_dbg(&sdev->drm, "no device memory for the VM: %pe\n", vm->dpagemap);
		vm->dpagemap = NULL;
	}

	err = drm_gpusvm_init(&vm->gpusvm, "svmgpu", current->mm, 0, TASK_SIZE, SZ_512M,
			      &svmgpu_gpusvm_ops, svmgpu_chunk_sizes,
			      ARRAY_SIZE(svmgpu_chunk_sizes));
	if (err) {
		drm_pagemap_put(vm->dpagemap);
		mem_cgroup_put(vm->memcg);
		kfree(vm);
		return ERR_PTR(err);
	}
	drm_gpusvm_driver_set_lock(&vm->gpusvm, &vm->lock);
	return vm;
}

static void svmgpu_vm_release(struct kref *ref)
{
	struct svmgpu_vm *vm = container_of(ref, struct svmgpu_vm, ref);
	unsigned long index = 0;
	struct svmgpu_range *r;

	/* From here on, invalidations no longer queue the garbage collector. */
	spin_lock(&vm->gc_lock);
	vm->closing = true;
	spin_unlock(&vm->gc_lock);
	cancel_work_sync(&vm->gc_work);

	mutex_lock(&vm->lock);
	svmgpu_vm_collect(vm);
	xa_for_each(&vm->pt, index, r)
		svmgpu_vm_remove_range(vm, r);
	/* Ranges never bound are still in drm_gpusvm; fini removes them. */
	drm_gpusvm_fini(&vm->gpusvm);
	mutex_unlock(&vm->lock);
	xa_destroy(&vm->pt);
	mtree_destroy(&vm->attrs);
	drm_pagemap_put(vm->dpagemap);
	mem_cgroup_put(vm->memcg);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/**
 * svmgpu_vm_put() - drop a VM reference
 * @vm: the VM, or NULL
 */
void svmgpu_vm_put(struct svmgpu_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, svmgpu_vm_release);
}
