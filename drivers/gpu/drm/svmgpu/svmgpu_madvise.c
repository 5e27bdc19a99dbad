// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: memory attributes
 *
 * madvise attributes live in a maple tree per VM (&svmgpu_vm.attrs), keyed
 * by page index, each interval holding its packed attributes as a value
 * entry; a gap means all defaults. They describe the address space, not the
 * memory, but like xe's and KFD's they do not outlive the mapping: when the
 * garbage collector removes a range the CPU unmapped, the attributes of the
 * unmapped part go (svmgpu_madvise_reset()), even if a new mapping took its
 * place meanwhile, and then those of every address nothing is mapped at
 * (svmgpu_madvise_prune()), so a new mapping at the same address starts with
 * the defaults. Attributes of memory the GPU has no range in (never used,
 * or what stays after a partial unmap was collected) have no range to
 * collect: they go at the next collection only if nothing was mapped at
 * their address again. The madvise ioctls collect first.
 *
 * A VM holds at most %DRM_SVMGPU_MAX_ATTR_RANGES intervals: a madvise that could take
 * it beyond fails with -ENOSPC and changes nothing. The tree's nodes are
 * charged to the memory cgroup of the caller (or, when the garbage collector
 * drops attributes, of the VM's process).
 *
 * They apply from the next GPU fault or prefetch on. The fault handler reads
 * them at the faulting address: the preferred location picks the placement,
 * the atomic policy forces device memory for GPU atomics or forbids them,
 * and the granularity bounds the range drm_gpusvm may create around the
 * fault.
 */

#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_file.h"
#include "svmgpu_madvise.h"
#include "svmgpu_vm.h"

#define SVMGPU_DEFAULT_GRANULARITY	21

/* Packing of an attribute value entry; all zero is the default. */
#define ATTR_LOC_SHIFT		0
#define ATTR_ATOMIC_SHIFT	2
#define ATTR_GRAN_SHIFT		4
#define ATTR_FIELD_MASK		0x3
#define ATTR_GRAN_MASK		0x1f

static unsigned long attrs_pack(const struct svmgpu_attrs *a)
{
	return a->preferred_location << ATTR_LOC_SHIFT | a->atomic_policy << ATTR_ATOMIC_SHIFT |
	       (a->granularity_shift == SVMGPU_DEFAULT_GRANULARITY ? 0 :
		a->granularity_shift) << ATTR_GRAN_SHIFT;
}

static void attrs_unpack(void *entry, struct svmgpu_attrs *a)
{
	unsigned long v = entry ? xa_to_value(entry) : 0;

	a->preferred_location = (v >> ATTR_LOC_SHIFT) & ATTR_FIELD_MASK;
	a->atomic_policy = (v >> ATTR_ATOMIC_SHIFT) & ATTR_FIELD_MASK;
	a->granularity_shift = (v >> ATTR_GRAN_SHIFT) & ATTR_GRAN_MASK;
	if (!a->granularity_shift)
		a->granularity_shift = SVMGPU_DEFAULT_GRANULARITY;
}

/**
 * svmgpu_madvise_get() - attributes of the page at @addr
 * @vm: the VM
 * @addr: a GPU address
 * @attrs: receives the attributes
 */
void svmgpu_madvise_get(struct svmgpu_vm *vm, u64 addr, struct svmgpu_attrs *attrs)
{
	attrs_unpack(mtree_load(&vm->attrs, addr >> PAGE_SHIFT), attrs);
}

/* The interval of the tree containing @index, [*@lo, *@hi]. */
static void *attrs_interval(struct svmgpu_vm *vm, unsigned long index, unsigned long *lo,
			    unsigned long *hi)
{
	MA_STATE(mas, &vm->attrs, index, index);
	void *entry;

	mas_lock(&mas);
	entry = mas_walk(&mas);
	*lo = mas.index;
	*hi = mas.last;
	mas_unlock(&mas);
	return entry;
}

/* The interval of the tree containing @index, clipped to [@index, @last]. */
static void *attrs_walk(struct svmgpu_vm *vm, unsigned long index, unsigned long last,
			unsigned long *hi)
{
	unsigned long lo;
	void *entry = attrs_interval(vm, index, &lo, hi);

	*hi = min(*hi, last);
	return entry;
}

/* Intervals with an entry among those intersecting [@first, @last]. */
static unsigned long attrs_count(struct svmgpu_vm *vm, unsigned long first, unsigned long last)
{
	MA_STATE(mas, &vm->attrs, first, first);
	unsigned long n = 0;
	void *entry;

	mas_lock(&mas);
	mas_for_each(&mas, entry, last)
		n++;
	mas_unlock(&mas);
	return n;
}

/*
 * Store @entry over [@first, @last] and keep &svmgpu_vm.nr_attrs: only the
 * intervals meeting [@first - 1, @last + 1] can change, so counting those
 * before and after is enough.
 */
static int attrs_store(struct svmgpu_vm *vm, unsigned long first, unsigned long last,
		       void *entry)
{
	unsigned long lo = first ? first - 1 : 0, hi = last == ULONG_MAX ? last : last + 1;
	unsigned long before;
	int err;

	lockdep_assert_held(&vm->lock);

	before = attrs_count(vm, lo, hi);
	err = mtree_store_range(&vm->attrs, first, last, entry, GFP_KERNEL_ACCOUNT);
	vm->nr_attrs += attrs_count(vm, lo, hi) - before;
	return err;
}

/**
 * svmgpu_madvise_reset() - back to the default attributes
 * @vm: the VM, its lock held
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Called by the garbage collector for what the CPU unmapped of a range. If
 * the tree cannot allocate the nodes of the split, the attributes stay.
 */
void svmgpu_madvise_reset(struct svmgpu_vm *vm, u64 start, u64 end)
{
	lockdep_assert_held(&vm->lock);

	attrs_store(vm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1, NULL);
}

/**
 * svmgpu_madvise_prune() - drop the attributes of unmapped addresses
 * @vm: the VM, its lock held
 *
 * Called by the garbage collector after the CPU unmapped memory.
 */
void svmgpu_madvise_prune(struct svmgpu_vm *vm)
{
	struct mm_struct *mm = vm->gpusvm.mm;
	unsigned long index = 0, last;
	void *entry;

	lockdep_assert_held(&vm->lock);

	if (!mmget_not_zero(mm))
		return;
	mmap_read_lock(mm);
	while ((entry = mt_find(&vm->attrs, &index, ULONG_MAX))) {
		MA_STATE(mas, &vm->attrs, index - 1, index - 1);
		unsigned long first, addr, end;

		/* mt_find() moved @index past the entry: find its bounds. */
		mas_lock(&mas);
		mas_walk(&mas);
		first = mas.index;
		last = mas.last;
		mas_unlock(&mas);

		for (addr = first << PAGE_SHIFT; addr < (last + 1) << PAGE_SHIFT; addr = end) {
			struct vm_area_struct *vma = find_vma(mm, addr);

			if (vma && vma->vm_start <= addr) {
				end = min(vma->vm_end, (last + 1) << PAGE_SHIFT);
				continue;
			}
			end = vma ? min(vma->vm_start, (last + 1) << PAGE_SHIFT) :
			      (last + 1) << PAGE_SHIFT;
			/* On -ENOMEM the attributes stay until the next collection. */
			attrs_store(vm, addr >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1, NULL);
		}
		if (last == ULONG_MAX)
			break;
		index = last + 1;
	}
	mmap_read_unlock(mm);
	mmput(mm);
}

/* The attributes @args sets, applied to @a. */
static void attrs_apply(const struct drm_svmgpu_madvise *args, struct svmgpu_attrs *a)
{
	if (args->flags & DRM_SVMGPU_MADVISE_PREFERRED_LOC)
		a->preferred_location = args->preferred_location;
	if (args->flags & DRM_SVMGPU_MADVISE_ATOMIC)
		a->atomic_policy = args->atomic_policy;
	if (args->flags & DRM_SVMGPU_MADVISE_GRANULARITY)
		a->granularity_shift = args->granularity_shift ?: SVMGPU_DEFAULT_GRANULARITY;
}

/*
 * The number of intervals the VM would hold once @args is applied to pages
 * [@index, @last]: those inside are replaced by one per piece that ends up
 * with attributes, and an interval sticking out at either end keeps its
 * outer part.
 */
static unsigned long attrs_count_after(struct svmgpu_vm *vm,
				       const struct drm_svmgpu_madvise *args,
				       unsigned long index, unsigned long last)
{
	unsigned long n = vm->nr_attrs, lo, hi;
	struct svmgpu_attrs a;
	void *entry;

	lockdep_assert_held(&vm->lock);

	if (attrs_interval(vm, index, &lo, &hi) && lo < index)
		n++;
	if (attrs_interval(vm, last, &lo, &hi) && hi > last)
		n++;
	for (lo = index;; lo = hi + 1) {
		entry = attrs_walk(vm, lo, last, &hi);
		attrs_unpack(entry, &a);
		attrs_apply(args, &a);
		n += !!attrs_pack(&a);
		n -= !!entry;
		if (hi == last)
			break;
	}
	return n;
}

static bool range_valid(u64 start, u64 range)
{
	return range && PAGE_ALIGNED(start | range) && start + range > start &&
	       start + range <= TASK_SIZE;
}

/**
 * svmgpu_madvise_ioctl() - %DRM_IOCTL_SVMGPU_MADVISE
 * @drm: the device
 * @data: &struct drm_svmgpu_madvise
 * @file: the caller
 *
 * Return: 0, -EINVAL, -ENOENT, -EPERM, -ENOSPC or -ENOMEM.
 */
int svmgpu_madvise_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	const u32 known = DRM_SVMGPU_MADVISE_PREFERRED_LOC | DRM_SVMGPU_MADVISE_ATOMIC |
			  DRM_SVMGPU_MADVISE_GRANULARITY;
	struct drm_svmgpu_madvise *args = data;
	unsigned long index, last, hi;
	struct svmgpu_vm *vm;
	int err = 0;

	if (!args->flags || args->flags & ~known || args->pad ||
	    args->preferred_location > DRM_SVMGPU_PREFERRED_DEVICE ||
	    args->atomic_policy > DRM_SVMGPU_ATOMIC_CPU ||
	    (args->granularity_shift && args->granularity_shift != 12 &&
	     args->granularity_shift != 16 && args->granularity_shift != 21) ||
	    !range_valid(args->start, args->range))
		return -EINVAL;

	vm = svmgpu_file_use_vm(file->driver_priv, args->vm_id);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	index = args->start >> PAGE_SHIFT;
	last = ((args->start + args->range) >> PAGE_SHIFT) - 1;
	mutex_lock(&vm->lock);
	/* Attributes of what was unmapped go before new ones are set or read. */
	svmgpu_vm_collect(vm);
	if (attrs_count_after(vm, args, index, last) > DRM_SVMGPU_MAX_ATTR_RANGES) {
		err = -ENOSPC;
		goto out;
	}
	while (index <= last) {
		struct svmgpu_attrs a;
		unsigned long v;

		attrs_unpack(attrs_walk(vm, index, last, &hi), &a);
		attrs_apply(args, &a);
		v = attrs_pack(&a);
		err = attrs_store(vm, index, hi, v ? xa_mk_value(v) : NULL);
		if (err || hi == last)
			break;
		index = hi + 1;
	}
out:
	mutex_unlock(&vm->lock);
	svmgpu_vm_put(vm);
	return err;
}

/**
 * svmgpu_madvise_query_ioctl() - %DRM_IOCTL_SVMGPU_MADVISE_QUERY
 * @drm: the device
 * @data: &struct drm_svmgpu_madvise_query
 * @file: the caller
 *
 * Return: 0, -EINVAL, -ENOENT or -EPERM.
 */
int svmgpu_madvise_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_svmgpu_madvise_query *args = data;
	unsigned long index, last, hi;
	struct svmgpu_attrs a;
	struct svmgpu_vm *vm;
	void *first;

	if (args->flags || args->preferred_location || args->atomic_policy ||
	    args->granularity_shift || args->uniform || !range_valid(args->start, args->range))
		return -EINVAL;

	vm = svmgpu_file_use_vm(file->driver_priv, args->vm_id);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	index = args->start >> PAGE_SHIFT;
	last = ((args->start + args->range) >> PAGE_SHIFT) - 1;
	mutex_lock(&vm->lock);
	/* Attributes of what was unmapped go before new ones are set or read. */
	svmgpu_vm_collect(vm);
	first = attrs_walk(vm, index, last, &hi);
	args->uniform = 1;
	while (hi < last) {
		index = hi + 1;
		if (attrs_walk(vm, index, last, &hi) != first) {
			args->uniform = 0;
			break;
		}
	}
	mutex_unlock(&vm->lock);

	attrs_unpack(first, &a);
	args->preferred_location = a.preferred_location;
	args->atomic_policy = a.atomic_policy;
	args->granularity_shift = a.granularity_shift;
	svmgpu_vm_put(vm);
	return 0;
}
