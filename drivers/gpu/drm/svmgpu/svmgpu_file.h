/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_FILE_H_
#define _SVMGPU_FILE_H_

#include <linux/rwsem.h>
#include <linux/xarray.h>

/* Ids are small integers; 0 is never used so that a zeroed struct is invalid. */
#define SVMGPU_MAX_IDS		XA_LIMIT(1, 1023)

struct drm_device;
struct drm_file;
struct drm_printer;
struct svmgpu_device;

/**
 * struct svmgpu_file - per open file state
 * @sdev: the device
 * @vms: VM ids to &struct svmgpu_vm (xarray lock)
 * @queues_sem: held for read while a queue is used, for write to remove one
 * @queues: queue ids to &struct svmgpu_queue (xarray lock, and @queues_sem)
 * @gpu_ns: time the GPU spent on this file's command buffers (atomic)
 * @jobs: command buffers executed (atomic)
 */
struct svmgpu_file {
	struct svmgpu_device *sdev;
	struct xarray vms;
	struct rw_semaphore queues_sem;
	struct xarray queues;
	atomic64_t gpu_ns;
	atomic64_t jobs;
};

int svmgpu_open(struct drm_device *drm, struct drm_file *file);
void svmgpu_postclose(struct drm_device *drm, struct drm_file *file);
void svmgpu_show_fdinfo(struct drm_printer *p, struct drm_file *file);
struct svmgpu_vm *svmgpu_file_get_vm(struct svmgpu_file *sfile, u32 id);
struct svmgpu_vm *svmgpu_file_use_vm(struct svmgpu_file *sfile, u32 id);
struct svmgpu_vm *svmgpu_file_next_vm(struct svmgpu_file *sfile, unsigned long *id);

int svmgpu_vm_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_vm_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_prefetch_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* _SVMGPU_FILE_H_ */
