/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_VM_H_
#define _SVMGPU_VM_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_gpusvm.h>

struct drm_pagemap;
struct mem_cgroup;
struct svmgpu_device;

/**
 * struct svmgpu_vm - a GPU address space mirroring one process
 *
 * Locking, outermost first: @lock (the drm_gpusvm driver lock: fault
 * handling, range insertion and removal, the page table's structure), then
 * the drm_gpusvm notifier lock (the validity of every range's pages and
 * PTEs; the GPU holds it for read while it accesses memory, the notifier for
 * write while it zaps, which is the TLB invalidation), then @gc_lock.
 */
struct svmgpu_vm {
	/** @ref: the file's id and every queue hold a reference */
	struct kref ref;
	/** @sdev: the device */
	struct svmgpu_device *sdev;
	/** @gpusvm: the mirror of the process address space */
	struct drm_gpusvm gpusvm;
	/** @lock: the driver lock registered with drm_gpusvm */
	struct mutex lock;
	/**
	 * @pt: the device page table: page indices to &struct svmgpu_range, a
	 * multi-index entry per range. Changed under @lock; looked up under
	 * the notifier lock (RCU inside the xarray), see svmgpu_vm_translate().
	 */
	struct xarray pt;
	/**
	 * @attrs: madvise attributes by page index (see svmgpu_madvise.c);
	 * changed under @lock
	 */
	struct maple_tree attrs;
	/** @nr_attrs: intervals of @attrs with an entry (under @lock) */
	unsigned long nr_attrs;
	/**
	 * @memcg: the memory cgroup of the VM's process, charged for the
	 * kernel memory its GPU faults allocate (a reference)
	 */
	struct mem_cgroup *memcg;
	/** @dpagemap: the device memory migrations go to, or NULL */
	struct drm_pagemap *dpagemap;
	/** @gc_lock: protects @gc_list and @closing */
	spinlock_t gc_lock;
	/** @closing: the VM is being torn down; the collector is not queued */
	bool closing;
	/** @gc_list: unmapped ranges waiting for the garbage collector */
	struct list_head gc_list;
	/** @gc_work: runs the garbage collector outside the notifier */
	struct work_struct gc_work;
};

/**
 * struct svmgpu_range - a GPU-mirrored range
 */
struct svmgpu_range {
	/** @base: the drm_gpusvm range */
	struct drm_gpusvm_range base;
	/** @pages: its DMA mapping state */
	struct drm_gpusvm_pages pages;
	/** @gc_link: on &svmgpu_vm.gc_list, under &svmgpu_vm.gc_lock */
	struct list_head gc_link;
	/**
	 * @pte: one entry per page, the page's address and the GPU's rights
	 * on it (read, write, atomic); written under the notifier lock and
	 * checked by every GPU access
	 */
	u64 *pte;
	/**
	 * @bound: @pte is valid; cleared under the notifier lock (write): the
	 * range's TLB invalidation
	 */
	bool bound;
	/** @writable: the PTEs grant writes (notifier lock) */
	bool writable;
	/** @atomic_ok: the PTEs grant GPU atomics (notifier lock) */
	bool atomic_ok;
	/**
	 * @cow: the CPU write-protected the range (fork): its device pages may
	 * be shared copy-on-write, which hmm reports without faulting them for
	 * a write, so the next GPU write must go through RAM (notifier lock)
	 */
	bool cow;
	/** @in_pt: the range is in &svmgpu_vm.pt (under &svmgpu_vm.lock) */
	bool in_pt;
	/**
	 * @unmapped_start: with @unmapped_end, the part of the range the CPU
	 * unmapped, whose memory attributes the collector drops (notifier lock)
	 */
	u64 unmapped_start;
	/** @unmapped_end: end of that part, 0 while nothing was unmapped */
	u64 unmapped_end;
};

/** enum svmgpu_placement - where a fault or prefetch puts a range */
enum svmgpu_placement {
	/** @SVMGPU_PLACE_POLICY: the VM's policy: VRAM when it can be had */
	SVMGPU_PLACE_POLICY,
	/** @SVMGPU_PLACE_DEVICE: device memory */
	SVMGPU_PLACE_DEVICE,
	/** @SVMGPU_PLACE_SYSTEM: system memory */
	SVMGPU_PLACE_SYSTEM,
};

struct svmgpu_vm *svmgpu_vm_create(struct svmgpu_device *sdev);
void svmgpu_vm_put(struct svmgpu_vm *vm);
void svmgpu_vm_collect(struct svmgpu_vm *vm);
void svmgpu_vm_mapped(struct svmgpu_vm *vm, u64 *system, u64 *vram);

static inline struct svmgpu_vm *svmgpu_vm_get(struct svmgpu_vm *vm)
{
	kref_get(&vm->ref);
	return vm;
}

/**
 * svmgpu_vm_is_current() - whether the VM mirrors the calling process
 * @vm: the VM
 *
 * Return: true if @vm's address space is the caller's.
 */
static inline bool svmgpu_vm_is_current(struct svmgpu_vm *vm)
{
	return vm->gpusvm.mm == current->mm;
}

int svmgpu_vm_fault(struct svmgpu_vm *vm, u64 addr, unsigned int access);
int svmgpu_vm_prefetch(struct svmgpu_vm *vm, u64 start, u64 end, enum svmgpu_placement place);
int svmgpu_vm_access(struct svmgpu_vm *vm, u64 addr, void *buf, size_t len, bool write,
		     u64 *fault_addr);
int svmgpu_vm_atomic(struct svmgpu_vm *vm, u64 addr, u32 op, bool is64, u64 operand,
		     u64 compare, u64 *old, u64 *fault_addr);

#endif /* _SVMGPU_VM_H_ */
