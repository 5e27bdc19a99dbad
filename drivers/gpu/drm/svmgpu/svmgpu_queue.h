/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_QUEUE_H_
#define _SVMGPU_QUEUE_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/types.h>

#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct svmgpu_file;
struct svmgpu_vm;

/**
 * struct svmgpu_queue - an execution queue: a scheduler of its own, so a
 * queue stalled on GPU faults never holds up another
 *
 * The file holds a reference and so does every job: jobs dropped at
 * teardown may be freed by drm_sched long after the file has let go (once
 * their dependencies signal), and free_job() and the scheduler must still
 * be there then. The last reference tears the scheduler down in a worker.
 */
struct svmgpu_queue {
	/** @ref: the file's reference and one per job */
	struct kref ref;
	/** @release_work: drm_sched_fini() and the rest, after the last job */
	struct work_struct release_work;
	/**
	 * @run_sem: held for read by a running job; taken for write once at
	 * teardown, after @cancelled is set, to wait for the job running
	 */
	struct rw_semaphore run_sem;
	/**
	 * @sfile: the file the queue belongs to, for its statistics; only a
	 * running job uses it, and the file outlives every job that runs
	 */
	struct svmgpu_file *sfile;
	/** @vm: the VM its command buffers run in (a reference) */
	struct svmgpu_vm *vm;
	/** @sched: runs one command buffer at a time */
	struct drm_gpu_scheduler sched;
	/** @entity: the queue's only entity */
	struct drm_sched_entity entity;
	/** @submit_lock: serialises arm + push of the queue's jobs, and @last */
	struct mutex submit_lock;
	/** @last: finished fence of the last job pushed, or NULL */
	struct dma_fence *last;
	/** @jobs: jobs from exec until freed, at most %DRM_SVMGPU_MAX_QUEUED_JOBS */
	atomic_t jobs;
	/**
	 * @cancelled: the queue is being torn down: jobs that have not started
	 * fail with -ECANCELED, the running one stops at its next check
	 * (READ_ONCE/WRITE_ONCE; set once, before drm_sched_fini())
	 */
	bool cancelled;
	/** @lock: protects @banned, @error, @fault_address, @fault_access */
	spinlock_t lock;
	/** @banned: a job failed; later jobs are cancelled */
	bool banned;
	/** @error: the failed job's error */
	int error;
	/** @fault_address: GPU address of the unresolved fault */
	u64 fault_address;
	/** @fault_access: DRM_SVMGPU_ACCESS_* of that fault */
	u32 fault_access;
};

void svmgpu_queue_destroy(struct svmgpu_queue *q);
void svmgpu_queue_put(struct svmgpu_queue *q);

int svmgpu_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_exec_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int svmgpu_queue_get_fault_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* _SVMGPU_QUEUE_H_ */
