// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_device.h"
#include "svmgpu_file.h"
#include "svmgpu_queue.h"
#include "svmgpu_vm.h"

/**
 * svmgpu_open() - &drm_driver.open: set up the per-file state
 * @drm: the device
 * @file: the new file
 *
 * Return: 0 or -ENOMEM.
 */
int svmgpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct svmgpu_file *sfile = kzalloc_obj(*sfile);

	if (!sfile)
		return -ENOMEM;
	sfile->sdev = to_svmgpu_device(drm);
	xa_init_flags(&sfile->vms, XA_FLAGS_ALLOC1);
	init_rwsem(&sfile->queues_sem);
	xa_init_flags(&sfile->queues, XA_FLAGS_ALLOC1);
	file->driver_priv = sfile;
	return 0;
}

/**
 * svmgpu_postclose() - &drm_driver.postclose: destroy the file's queues and VMs
 * @drm: the device
 * @file: the closing file
 */
void svmgpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct svmgpu_queue *q;
	struct svmgpu_vm *vm;
	unsigned long id;

	xa_for_each(&sfile->queues, id, q)
		svmgpu_queue_destroy(q);
	xa_destroy(&sfile->queues);
	xa_for_each(&sfile->vms, id, vm)
		svmgpu_vm_put(vm);
	xa_destroy(&sfile->vms);
	kfree(sfile);
}

/**
 * svmgpu_show_fdinfo() - &drm_driver.show_fdinfo: per-file usage
 * @p: where to print
 * @file: the file
 *
 * ``drm-engine-gpu`` is the GPU time of the file's command buffers, and the
 * ``drm-total-`` and ``drm-resident-`` keys of the ``system`` and ``vram``
 * regions are what the GPU page tables of the file's VMs map now, in the
 * format of Documentation/gpu/drm-usage-stats.rst. The memory belongs to
 * the process, not to the file: nothing is shared or purgeable. The
 * ``svmgpu-`` keys are driver specific.
 */
void svmgpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_memory_stats sys = {}, vram = {};
	unsigned long id, vms = 0, queues = 0;
	struct svmgpu_vm *vm;
	void *entry;

	for (id = 0; (vm = svmgpu_file_next_vm(sfile, &id)); id++) {
		svmgpu_vm_mapped(vm, &sys.private, &vram.private);
		svmgpu_vm_put(vm);
		vms++;
	}
	sys.resident = sys.private;
	vram.resident = vram.private;
	xa_for_each(&sfile->queues, id, entry)
		queues++;
	drm_print_memory_stats(p, &sys, DRM_GEM_OBJECT_RESIDENT, "system");
	drm_print_memory_stats(p, &vram, DRM_GEM_OBJECT_RESIDENT, "vram");
	drm_printf(p, "drm-engine-gpu:\t%llu ns\n", atomic64_read(&sfile->gpu_ns));
	drm_printf(p, "svmgpu-jobs:\t%llu\n", atomic64_read(&sfile->jobs));
	drm_printf(p, "svmgpu-vms:\t%lu\n", vms);
	drm_printf(p, "svmgpu-queues:\t%lu\n", queues);
}

/**
 * svmgpu_file_next_vm() - walk the VMs of a file
 * @sfile: the file
 * @id: in: the lowest id to look at; out: the id of the VM found
 *
 * Return: the VM with the lowest id >= *@id, with a new reference, or NULL.
 */
struct svmgpu_vm *svmgpu_file_next_vm(struct svmgpu_file *sfile, unsigned long *id)
{
	struct svmgpu_vm *vm;

	xa_lock(&sfile->vms);
	vm = xa_find(&sfile->vms, id, ULONG_MAX, XA_PRESENT);
	if (vm)
		svmgpu_vm_get(vm);
	xa_unlock(&sfile->vms);
	return vm;
}

/**
 * svmgpu_file_get_vm() - look up a VM of the file
 * @sfile: the file
 * @id: the VM id
 *
 * Return: the VM with a new reference, or NULL.
 */
struct svmgpu_vm *svmgpu_file_get_vm(struct svmgpu_file *sfile, u32 id)
{
	struct svmgpu_vm *vm;

	xa_lock(&sfile->vms);
	vm = xa_load(&sfile->vms, id);
	if (vm)
		svmgpu_vm_get(vm);
	xa_unlock(&sfile->vms);
	return vm;
}

/**
 * svmgpu_file_use_vm() - look up a VM of the file for the calling process
 * @sfile: the file
 * @id: the VM id
 *
 * A file descriptor outlives fork() and may be passed to other processes,
 * but a VM mirrors the process that created it: only that process may run
 * work in it, move its memory or change its attributes.
 *
 * Return: the VM with a new reference, ERR_PTR(-ENOENT) for an unknown id,
 * or ERR_PTR(-EPERM) if the VM mirrors another process.
 */
struct svmgpu_vm *svmgpu_file_use_vm(struct svmgpu_file *sfile, u32 id)
{
	struct svmgpu_vm *vm = svmgpu_file_get_vm(sfile, id);

	if (!vm)
		return ERR_PTR(-ENOENT);
	if (!svmgpu_vm_is_current(vm)) {
		svmgpu_vm_put(vm);
		return ERR_PTR(-EPERM);
	}
	return vm;
}

/**
 * svmgpu_vm_create_ioctl() - %DRM_IOCTL_SVMGPU_VM_CREATE
 * @drm: the device
 * @data: &struct drm_svmgpu_vm_create
 * @file: the caller
 *
 * Return: 0, -EINVAL, -ENOSPC, -ENOMEM or -ENODEV.
 */
int svmgpu_vm_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_vm_create *args = data;
	struct svmgpu_vm *vm;
	int err, idx;

	if (args->flags || args->vm_id)
		return -EINVAL;
	if (!current->mm)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	vm = svmgpu_vm_create(to_svmgpu_device(drm));
	if (IS_ERR(vm)) {
		err = PTR_ERR(vm);
		goto out;
	}
	err = xa_alloc(&sfile->vms, &args->vm_id, vm, SVMGPU_MAX_IDS, GFP_KERNEL);
	if (err) {
		svmgpu_vm_put(vm);
		err = err == -EBUSY ? -ENOSPC : err;
	}
out:
	drm_dev_exit(idx);
	return err;
}

/**
 * svmgpu_vm_destroy_ioctl() - %DRM_IOCTL_SVMGPU_VM_DESTROY
 * @drm: the device
 * @data: &struct drm_svmgpu_vm_destroy
 * @file: the caller
 *
 * Return: 0, -EINVAL or -ENOENT.
 */
int svmgpu_vm_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_vm_destroy *args = data;
	struct svmgpu_vm *vm;

	if (args->pad)
		return -EINVAL;
	vm = xa_erase(&sfile->vms, args->vm_id);
	if (!vm)
		return -ENOENT;
	svmgpu_vm_put(vm);
	return 0;
}

/**
 * svmgpu_prefetch_ioctl() - %DRM_IOCTL_SVMGPU_PREFETCH
 * @drm: the device
 * @data: &struct drm_svmgpu_prefetch
 * @file: the caller
 *
 * Return: 0, -EINVAL, -ENOENT, -EPERM, -EFAULT, -EINTR, -ENOMEM, -EIO or -ENODEV.
 */
int svmgpu_prefetch_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_prefetch *args = data;
	struct svmgpu_vm *vm;
	int err, idx;

	if (args->flags || args->pad || args->region > DRM_SVMGPU_REGION_DEVICE ||
	    !args->range || !PAGE_ALIGNED(args->start | args->range) ||
	    args->start + args->range < args->start || args->start + args->range > TASK_SIZE)
		return -EINVAL;

	vm = svmgpu_file_use_vm(sfile, args->vm_id);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (!drm_dev_enter(drm, &idx)) {
		err = -ENODEV;
		goto out_put;
	}
	err = svmgpu_vm_prefetch(vm, args->start, args->start + args->range,
				 args->region == DRM_SVMGPU_REGION_DEVICE ?
				 SVMGPU_PLACE_DEVICE : SVMGPU_PLACE_SYSTEM);
	drm_dev_exit(idx);
out_put:
	svmgpu_vm_put(vm);
	return err == -EACCES ? -EFAULT : err;
}
