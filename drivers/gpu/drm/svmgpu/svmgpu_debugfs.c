// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: debugfs
 *
 * Under ``/sys/kernel/debug/dri/<minor>/``:
 *
 * - ``stats``: the device counters (those of %DRM_SVMGPU_QUERY_STATS), then
 *   per range size bucket (4K, 64K, 2M) the count and total microseconds of
 *   GPU faults, already-valid faults, migrations to VRAM, get_pages and binds.
 * - ``vram``: device memory size, use and live allocations.
 * - ``fail_copy``, ``fail_vram_alloc``: fault injection: writing N makes the
 *   next N migrate jobs fail with -EIO, or the next N VRAM allocations fail
 *   as if VRAM were full.
 * - ``fail_bind``: fault injection: writing N makes the next N binds of a
 *   range to the GPU page table fail with -ENOMEM, as if the page table
 *   could not be allocated. The GPU fault that needed the bind fails: its
 *   job fails with -ENOMEM and bans its queue (the fault report names the
 *   address), a prefetch returns -ENOMEM. Nothing is retried; the range
 *   keeps its pages where the fault or prefetch put them, and the next
 *   fault binds it.
 * - ``delay_copy_ms``: fault injection: every copy job of the migrate
 *   engine (to VRAM or back) sleeps this many milliseconds before it
 *   copies, so that CPU faults, munmap() or the process' exit race with a
 *   copy in flight. 0 (the default) turns it off.
 * - ``wait_clear``: benchmark knob: with Y, a migration to VRAM waits on the
 *   CPU for the clear of its new VRAM blocks and hands drm_pagemap no
 *   pre_migrate_fence, instead of pipelining the clear ahead of the copy.
 * - ``pipeline_clear``: benchmark knob: with Y, clears of new VRAM always go
 *   through the migrate engine's scheduler, the copy behind them waiting for
 *   them there; by default an idle engine does them at once (see "migrate
 *   engine").
 * - ``share_transfers``: benchmark knob: with N, the migrate engine copies
 *   and clears on one CPU only; by default a transfer of 512 KiB or more
 *   takes a second one (see "migrate engine").
 * - ``skip_clear``: test knob: with Y, no migration to VRAM clears its new
 *   blocks up front, as if every range were fully populated in RAM; the
 *   copy then clears the pages it has no source for, the path of a range
 *   that lost pages between the fault handler's look and the migration.
 * - ``unbind``: benchmark knob: writing ``START [SIZE]`` (hex, SIZE 1 if
 *   left out) unbinds the ranges overlapping [START, START + SIZE) in every
 *   VM of the device. Their pages stay valid in drm_gpusvm and the CPU's
 *   mappings are not touched, so the next GPU access re-faults a valid range.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_debugfs.h"
#include "svmgpu_device.h"
#include "svmgpu_file.h"
#include "svmgpu_vm.h"

static const char *const svmgpu_stat_names[DRM_SVMGPU_STAT_COUNT] = {
	[DRM_SVMGPU_STAT_GPU_FAULTS] = "gpu_faults",
	[DRM_SVMGPU_STAT_GPU_FAULTS_VALID] = "gpu_faults_valid",
	[DRM_SVMGPU_STAT_GPU_FAULTS_FAILED] = "gpu_faults_failed",
	[DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM] = "migrations_to_vram",
	[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB] = "copy_to_vram_kib",
	[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB] = "copy_to_ram_kib",
	[DRM_SVMGPU_STAT_INVALIDATIONS] = "invalidations",
	[DRM_SVMGPU_STAT_EVICTIONS] = "evictions",
	[DRM_SVMGPU_STAT_BINDS] = "binds",
	[DRM_SVMGPU_STAT_JOBS] = "jobs",
	[DRM_SVMGPU_STAT_COPY_TO_PEER_KIB] = "copy_to_peer_kib",
};

static const char *const svmgpu_timed_names[SVMGPU_TIMED_COUNT] = {
	[SVMGPU_TIMED_FAULT] = "fault",
	[SVMGPU_TIMED_VALID_FAULT] = "valid_fault",
	[SVMGPU_TIMED_MIGRATE] = "migrate",
	[SVMGPU_TIMED_GET_PAGES] = "get_pages",
	[SVMGPU_TIMED_BIND] = "bind",
};

static const char *const svmgpu_bucket_names[SVMGPU_SZ_COUNT] = { "4K", "64K", "2M" };

static int svmgpu_debugfs_stats(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct svmgpu_device *sdev = to_svmgpu_device(entry->dev);
	int i, b;

	for (i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
		seq_printf(m, "%s: %lld\n", svmgpu_stat_names[i],
			   atomic64_read(&sdev->stats.v[i]));
	for (i = 0; i < SVMGPU_TIMED_COUNT; i++) {
		for (b = 0; b < SVMGPU_SZ_COUNT; b++) {
			struct svmgpu_timed_stat *t = &sdev->stats.timed[i][b];

			seq_printf(m, "%s_%s: count %lld us %lld\n", svmgpu_timed_names[i],
				   svmgpu_bucket_names[b], atomic64_read(&t->count),
				   atomic64_read(&t->us));
		}
	}
	return 0;
}

static int svmgpu_debugfs_vram(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct svmgpu_vram *vram = &to_svmgpu_device(entry->dev)->vram;
	struct list_head *pos;
	unsigned int n = 0;
	u64 used;

	mutex_lock(&vram->lock);
	used = vram->used;
	list_for_each(pos, &vram->lru)
		n++;
	mutex_unlock(&vram->lock);
	seq_printf(m, "size: %llu\nused: %llu\nallocations: %u\n", vram->size, used, n);
	return 0;
}

/* Clear the bound flag of the ranges of @vm overlapping [@start, @last]. */
static void svmgpu_debugfs_unbind_vm(struct svmgpu_vm *vm, u64 start, u64 last)
{
	unsigned long index = start >> PAGE_SHIFT;
	struct svmgpu_range *r;

	mutex_lock(&vm->lock);
	/* As an invalidation does: no GPU access is in flight meanwhile. */
	down_write(&vm->gpusvm.notifier_lock);
	xa_for_each_range(&vm->pt, index, r, start >> PAGE_SHIFT, last >> PAGE_SHIFT)
		WRITE_ONCE(r->bound, false);
	up_write(&vm->gpusvm.notifier_lock);
	mutex_unlock(&vm->lock);
}

static ssize_t svmgpu_debugfs_unbind_write(struct file *f, const char __user *ubuf, size_t len,
					   loff_t *ppos)
{
	struct svmgpu_device *sdev = f->private_data;
	struct drm_file *file;
	u64 start, size = 1;
	char buf[48];

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %llx", &start, &size) < 1 || !size || start + size - 1 < start)
		return -EINVAL;

	mutex_lock(&sdev->drm.filelist_mutex);
	list_for_each_entry(file, &sdev->drm.filelist, lhead) {
		struct svmgpu_file *sfile = file->driver_priv;
		unsigned long id = 0;
		struct svmgpu_vm *vm;

		while (sfile && (vm = svmgpu_file_next_vm(sfile, &id))) {
			svmgpu_debugfs_unbind_vm(vm, start, start + size - 1);
			svmgpu_vm_put(vm);
			id++;
		}
	}
	mutex_unlock(&sdev->drm.filelist_mutex);
	return len;
}

static const struct file_operations svmgpu_debugfs_unbind_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = svmgpu_debugfs_unbind_write,
	.llseek = noop_llseek,
};

static const struct drm_debugfs_info svmgpu_debugfs_files[] = {
	{ "stats", svmgpu_debugfs_stats, 0 },
	{ "vram", svmgpu_debugfs_vram, 0 },
};

/**
 * svmgpu_debugfs_register() - add the device's debugfs files
 * @sdev: the device, before drm_dev_register()
 */
void svmgpu_debugfs_register(struct svmgpu_device *sdev)
{
	drm_debugfs_add_files(&sdev->drm, svmgpu_debugfs_files,
			      ARRAY_SIZE(svmgpu_debugfs_files));
}

/**
 * svmgpu_debugfs_init() - &drm_driver.debugfs_init: the fault injection and
 * benchmark knobs
 * @minor: the minor whose debugfs directory is being populated
 */
void svmgpu_debugfs_init(struct drm_minor *minor)
{
	struct svmgpu_device *sdev = to_svmgpu_device(minor->dev);

	debugfs_create_atomic_t("fail_copy", 0600, minor->debugfs_root,
				&sdev->migrate.fail_next);
	debugfs_create_atomic_t("fail_vram_alloc", 0600, minor->debugfs_root,
				&sdev->vram.fail_alloc);
	debugfs_create_atomic_t("fail_bind", 0600, minor->debugfs_root, &sdev->fail_bind);
	debugfs_create_u32("delay_copy_ms", 0600, minor->debugfs_root,
			   &sdev->migrate.delay_copy_ms);
	debugfs_create_bool("wait_clear", 0600, minor->debugfs_root, &sdev->vram.wait_clear);
	debugfs_create_bool("skip_clear", 0600, minor->debugfs_root, &sdev->vram.skip_clear);
	debugfs_create_bool("pipeline_clear", 0600, minor->debugfs_root,
			    &sdev->migrate.pipeline_clears);
	debugfs_create_bool("share_transfers", 0600, minor->debugfs_root,
			    &sdev->migrate.share_transfers);
	debugfs_create_file("unbind", 0200, minor->debugfs_root, sdev,
			    &svmgpu_debugfs_unbind_fops);
}
