// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: svmgpu overview
 *
 * svmgpu is a DRM driver for a virtual, software-executed GPU that implements
 * shared virtual memory (SVM) the way real GPUs do, on the kernel's own
 * helpers: drm_gpusvm mirrors the CPU address space into the GPU's page
 * table, drm_pagemap provides device memory as MEMORY_DEVICE_PRIVATE pages,
 * and drm_sched runs the GPU's work. It needs no hardware, so the SVM paths
 * of the kernel can be exercised in CI, under fault injection and with every
 * debug option.
 *
 * The module creates ``num_devices`` platform devices, each with a DRM
 * render node. Userspace discovers a device with %DRM_IOCTL_SVMGPU_QUERY.
 */

#include <linux/compat.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_debugfs.h"
#include "svmgpu_device.h"
#include "svmgpu_drv.h"
#include "svmgpu_file.h"
#include "svmgpu_madvise.h"
#include "svmgpu_query.h"
#include "svmgpu_queue.h"

/* Deferred releases of device memory and pagemaps; drained at module exit. */
struct workqueue_struct *svmgpu_wq;

/*
 * The GPU: every queue's scheduler runs its jobs here (see "queues and
 * exec"). Per CPU, so that a job starts on the CPU that submitted it, which
 * for submit-and-wait is the CPU about to sleep in the wait: no cross-CPU
 * wake-up either way. CPU-intensive, since a job computes as long as its
 * command buffer takes and must not hold up other work on that CPU.
 */
struct workqueue_struct *svmgpu_gpu_wq;

static const struct drm_ioctl_desc svmgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SVMGPU_QUERY, svmgpu_query_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_VM_CREATE, svmgpu_vm_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_VM_DESTROY, svmgpu_vm_destroy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_QUEUE_CREATE, svmgpu_queue_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_QUEUE_DESTROY, svmgpu_queue_destroy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_EXEC, svmgpu_exec_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_PREFETCH, svmgpu_prefetch_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_QUEUE_GET_FAULT, svmgpu_queue_get_fault_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_MADVISE, svmgpu_madvise_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVMGPU_MADVISE_QUERY, svmgpu_madvise_query_ioctl, DRM_RENDER_ALLOW),
};

/*
 * The DRM core silently drops what a larger argument struct holds beyond the
 * kernel's; the uAPI promises -E2BIG when that tail is not zero, so a newer
 * userspace never has a field ignored without knowing. Return: 0 or the
 * error.
 */
static int svmgpu_ioctl_check_tail(unsigned int cmd, void __user *arg)
{
	unsigned int nr = _IOC_NR(cmd), usize = _IOC_SIZE(cmd), ksize;
	int zeroed;

	if (nr < DRM_COMMAND_BASE || nr >= DRM_COMMAND_BASE + ARRAY_SIZE(svmgpu_ioctls) ||
	    !(_IOC_DIR(cmd) & _IOC_WRITE))
		return 0;
	ksize = _IOC_SIZE(svmgpu_ioctls[nr - DRM_COMMAND_BASE].cmd);
	if (usize <= ksize)
		return 0;
	zeroed = check_zeroed_user(arg + ksize, usize - ksize);
	if (zeroed <= 0)
		return zeroed ? zeroed : -E2BIG;
	return 0;
}

static long svmgpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int err = svmgpu_ioctl_check_tail(cmd, (void __user *)arg);

	return err ?: drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
/*
 * Every svmgpu struct has the same layout for 32-bit processes (fixed-size
 * fields, 64-bit aligned, pointers as __u64): drm_compat_ioctl() hands
 * driver ioctls to drm_ioctl() as they are, after the same check.
 */
static long svmgpu_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int err = svmgpu_ioctl_check_tail(cmd, compat_ptr(arg));

	return err ?: drm_compat_ioctl(filp, cmd, arg);
}
#else
#define svmgpu_compat_ioctl NULL
#endif

static const struct file_operations svmgpu_fops = {
	.owner		= THIS_MODULE,
	.open		= drm_open,
	.release	= drm_release,
	.unlocked_ioctl	= svmgpu_ioctl,
	.compat_ioctl	= svmgpu_compat_ioctl,
	.poll		= drm_poll,
	.read		= drm_read,
	.llseek		= noop_llseek,
	.show_fdinfo	= drm_show_fdinfo,
	.fop_flags	= FOP_UNSIGNED_OFFSET,
};

const struct drm_driver svmgpu_drm_driver = {
	.driver_features	= DRIVER_RENDER | DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.ioctls			= svmgpu_ioctls,
	.num_ioctls		= ARRAY_SIZE(svmgpu_ioctls),
	.fops			= &svmgpu_fops,
	.open			= svmgpu_open,
	.postclose		= svmgpu_postclose,
	.show_fdinfo		= svmgpu_show_fdinfo,
	.debugfs_init		= svmgpu_debugfs_init,
	.name			= DRIVER_NAME,
	.desc			= DRIVER_DESC,
	.major			= DRIVER_MAJOR,
	.minor			= DRIVER_MINOR,
};

static int __init svmgpu_init(void)
{
	int err;

	svmgpu_wq = alloc_workqueue("svmgpu", WQ_UNBOUND, 0);
	if (!svmgpu_wq)
		return -ENOMEM;
	svmgpu_gpu_wq = alloc_workqueue("svmgpu-gpu",
					WQ_PERCPU | WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	if (!svmgpu_gpu_wq) {
		destroy_workqueue(svmgpu_wq);
		return -ENOMEM;
	}
	err = svmgpu_devices_create();
	if (err) {
		destroy_workqueue(svmgpu_gpu_wq);
		destroy_workqueue(svmgpu_wq);
		return err;
	}
	return 0;
}

static void __exit svmgpu_exit(void)
{
	svmgpu_devices_destroy();
	destroy_workqueue(svmgpu_gpu_wq);
	destroy_workqueue(svmgpu_wq);
}

module_init(svmgpu_init);
module_exit(svmgpu_exit);

MODULE_AUTHOR("The svmgpu authors");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("GPL");
