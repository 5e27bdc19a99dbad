// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: queues and exec
 *
 * Every queue is a drm_gpu_scheduler with one entity. An exec turns into a
 * job whose dependencies are the in-syncs; its finished fence is installed
 * in the out-syncs. run_job() is the GPU: it executes the command buffer to
 * the end, servicing GPU page faults on the way, and completes the job
 * without a hardware fence. A job that fails bans its queue: the error and
 * the faulting address are kept for %DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT and
 * later jobs of the queue are cancelled.
 *
 * The schedulers run their jobs on svmgpu's per-CPU GPU workqueue instead of
 * the ordered, unbound one drm_sched would allocate: a job then starts on
 * the CPU that submitted it. With the default one, the job's worker woke on
 * the other, idle CPU and the waiter was woken back across, two IPIs per job
 * that make bench measured under TCG (GPU-fault migrations of 2 MiB buffers
 * at 0.34-0.46x memcpy, 0.50-0.53x on the submitting CPU). The worker is
 * bound; a submitter that keeps computing is what the scheduler can move to
 * an idle CPU.
 *
 * The job fences depend on GPU page-fault handling (memory allocation,
 * mmap_lock), so svmgpu never publishes them where memory reclaim could wait
 * for them: there is no dma_resv and no implicit synchronisation, only
 * syncobjs the application waits on.
 */

#include <linux/completion.h>
#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_syncobj.h>
#include <drm/svmgpu_drm.h>

#include "svmgpu_device.h"
#include "svmgpu_file.h"
#include "svmgpu_gpu.h"
#include "svmgpu_params.h"
#include "svmgpu_queue.h"
#include "svmgpu_stats.h"
#include "svmgpu_vm.h"

/* In-flight command buffers per queue. */
#define SVMGPU_QUEUE_DEPTH	64

struct svmgpu_job {
	struct drm_sched_job base;
	struct svmgpu_queue *q;
	u64 batch;
};

static struct svmgpu_job *to_svmgpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct svmgpu_job, base);
}

static struct dma_fence *svmgpu_queue_run_job(struct drm_sched_job *sched_job)
{
	struct svmgpu_job *job = to_svmgpu_job(sched_job);
	struct svmgpu_queue *q = job->q;
	struct svmgpu_gpu_fault fault = {};
	struct svmgpu_gpu_limits limits = {
		.deadline = jiffies + msecs_to_jiffies(READ_ONCE(svmgpu_params.job_timeout_ms)),
		.cancelled = &q->cancelled,
	};
	ktime_t t0;
	int err;

	/* Teardown sets cancelled, then waits for this to be released. */
	down_read(&q->run_sem);
	spin_lock(&q->lock);
	err = q->banned || READ_ONCE(q->cancelled) ? -ECANCELED : 0;
	spin_unlock(&q->lock);
	if (!err)
		err = sched_job->s_fence->finished.error;
	if (err) {
		up_read(&q->run_sem);
		return ERR_PTR(err);
	}

	t0 = ktime_get();
	err = svmgpu_gpu_execute(q->vm, job->batch, &limits, &fault);
	atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), t0)), &q->sfile->gpu_ns);
	atomic64_inc(&q->sfile->jobs);
	svmgpu_stat_inc(q->vm->sdev, DRM_SVMGPU_STAT_JOBS);
	if (err) {
		spin_lock(&q->lock);
		if (!q->banned) {
			q->banned = true;
			q->error = err;
			q->fault_address = fault.address;
			q->fault_access = fault.access;
		}
		spin_unlock(&q->lock);
	}
	up_read(&q->run_sem);
	return err ? ERR_PTR(err) : NULL;
}

static enum drm_gpu_sched_stat svmgpu_queue_timedout_job(struct drm_sched_job *sched_job)
{
	/* Jobs complete inside run_job(); nothing can be outstanding. */
	return DRM_GPU_SCHED_STAT_NO_HANG;
}

static void svmgpu_queue_free_job(struct drm_sched_job *sched_job)
{
	struct svmgpu_job *job = to_svmgpu_job(sched_job);
	struct svmgpu_queue *q = job->q;

	atomic_dec(&q->jobs);
	drm_sched_job_cleanup(sched_job);
	kfree(job);
	svmgpu_queue_put(q);
}

static void svmgpu_queue_cancel_job(struct drm_sched_job *sched_job)
{
	/*
	 * Jobs complete inside run_job(): one still pending at drm_sched_fini()
	 * has signalled and only waits for free_job(), which follows.
	 */
}

static const struct drm_sched_backend_ops svmgpu_queue_sched_ops = {
	.run_job = svmgpu_queue_run_job,
	.timedout_job = svmgpu_queue_timedout_job,
	.free_job = svmgpu_queue_free_job,
	.cancel_job = svmgpu_queue_cancel_job,
};

struct svmgpu_fence_waiter {
	struct dma_fence_cb cb;
	struct completion done;
};

static void svmgpu_fence_waiter_wake(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	complete(&container_of(cb, struct svmgpu_fence_waiter, cb)->done);
}

/* Wait for @fence until it signals or the caller gets a fatal signal. */
static void svmgpu_fence_wait_killable(struct dma_fence *fence)
{
	struct svmgpu_fence_waiter w;

	init_completion(&w.done);
	if (dma_fence_add_callback(fence, &w.cb, svmgpu_fence_waiter_wake))
		return;
	if (wait_for_completion_killable(&w.done))
		dma_fence_remove_callback(fence, &w.cb);
}

static void svmgpu_queue_release_work(struct work_struct *work)
{
	struct svmgpu_queue *q = container_of(work, struct svmgpu_queue, release_work);
	struct drm_device *drm = &q->vm->sdev->drm;

	drm_sched_fini(&q->sched);
	dma_fence_put(q->last);
	svmgpu_vm_put(q->vm);
	mutex_destroy(&q->submit_lock);
	kfree(q);
	drm_dev_put(drm);
	/* The module's exit drains svmgpu_wq: it waits for this to return. */
	module_put(THIS_MODULE);
}

static void svmgpu_queue_release(struct kref *ref)
{
	struct svmgpu_queue *q = container_of(ref, struct svmgpu_queue, ref);

	/* The last job may go in free_job(), inside the scheduler's own work. */
	queue_work(svmgpu_wq, &q->release_work);
}

/**
 * svmgpu_queue_put() - drop a queue reference
 * @q: the queue
 */
void svmgpu_queue_put(struct svmgpu_queue *q)
{
	kref_put(&q->ref, svmgpu_queue_release);
}

/**
 * svmgpu_queue_destroy() - wait for a queue's jobs and drop the file's reference
 * @q: the queue, already unreachable from userspace
 *
 * Waits for the queue's jobs to end, unless the caller is killed or exiting:
 * then the jobs that have not started are dropped and the running one stops
 * at its next check, so that a killed process never waits for a command
 * buffer to run to its end. Every wait is killable, or bounded by a job's
 * timeout and then by a page of work. When it returns, no job of the queue
 * runs or will run.
 */
void svmgpu_queue_destroy(struct svmgpu_queue *q)
{
	struct dma_fence *last;

	/* Killable; an exiting process waits a second at most, a killed one not. */
	drm_sched_entity_flush(&q->entity, MAX_WAIT_SCHED_ENTITY_Q_EMPTY);
	mutex_lock(&q->submit_lock);
	last = dma_fence_get(q->last);
	mutex_unlock(&q->submit_lock);
	if (last && !(current->flags & PF_EXITING))
		svmgpu_fence_wait_killable(last);
	dma_fence_put(last);
	WRITE_ONCE(q->cancelled, true);
	/* Jobs still queued are dropped: freed once their dependencies signal. */
	drm_sched_entity_fini(&q->entity);
	/* The job running sees cancelled at its next check; later ones at once. */
	down_write(&q->run_sem);
	up_write(&q->run_sem);
	svmgpu_queue_put(q);
}

/**
 * svmgpu_queue_create_ioctl() - %DRM_IOCTL_SVMGPU_QUEUE_CREATE
 * @drm: the device
 * @data: &struct drm_svmgpu_queue_create
 * @file: the caller
 *
 * Return: 0, -EINVAL, -ENOENT, -EPERM, -ENOSPC, -ENOMEM or -ENODEV.
 */
int svmgpu_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_queue_create *args = data;
	struct drm_sched_init_args sargs = {
		.ops = &svmgpu_queue_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = SVMGPU_QUEUE_DEPTH,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "svmgpu-queue",
		.submit_wq = svmgpu_gpu_wq,
		.dev = drm->dev,
	};
	struct drm_gpu_scheduler *sched;
	struct svmgpu_queue *q;
	int err, idx;

	if (args->flags || args->pad || args->queue_id)
		return -EINVAL;

	q = kzalloc_obj(*q, GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	q->vm = svmgpu_file_use_vm(sfile, args->vm_id);
	if (IS_ERR(q->vm)) {
		err = PTR_ERR(q->vm);
		kfree(q);
		return err;
	}
	q->sfile = sfile;
	kref_init(&q->ref);
	INIT_WORK(&q->release_work, svmgpu_queue_release_work);
	init_rwsem(&q->run_sem);
	mutex_init(&q->submit_lock);
	spin_lock_init(&q->lock);

	if (!drm_dev_enter(drm, &idx)) {
		err = -ENODEV;
		goto err_free;
	}
	err = drm_sched_init(&q->sched, &sargs);
	if (err)
		goto err_exit;
	sched = &q->sched;
	err = drm_sched_entity_init(&q->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (err)
		goto err_sched;
	/* Released with the queue, which may outlive the file (see svmgpu_queue). */
	drm_dev_get(drm);
	__module_get(THIS_MODULE);
	err = xa_alloc(&sfile->queues, &args->queue_id, q, SVMGPU_MAX_IDS, GFP_KERNEL);
	if (err) {
		svmgpu_queue_destroy(q);
		drm_dev_exit(idx);
		return err == -EBUSY ? -ENOSPC : err;
	}
	drm_dev_exit(idx);
	return 0;

err_sched:
	drm_sched_fini(&q->sched);
err_exit:
	drm_dev_exit(idx);
err_free:
	svmgpu_vm_put(q->vm);
	mutex_destroy(&q->submit_lock);
	kfree(q);
	return err;
}

/**
 * svmgpu_queue_destroy_ioctl() - %DRM_IOCTL_SVMGPU_QUEUE_DESTROY
 * @drm: the device
 * @data: &struct drm_svmgpu_queue_destroy
 * @file: the caller
 *
 * Return: 0, -EINVAL or -ENOENT.
 */
int svmgpu_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_queue_destroy *args = data;
	struct svmgpu_queue *q;

	if (args->pad)
		return -EINVAL;
	down_write(&sfile->queues_sem);
	q = xa_erase(&sfile->queues, args->queue_id);
	up_write(&sfile->queues_sem);
	if (!q)
		return -ENOENT;
	svmgpu_queue_destroy(q);
	return 0;
}

/* Copy in and check a sync array. */
static struct drm_svmgpu_sync *svmgpu_copy_syncs(u64 ptr, u32 count)
{
	struct drm_svmgpu_sync *syncs;
	u32 i;

	if (!count)
		return NULL;
	syncs = memdup_array_user(u64_to_user_ptr(ptr), count, sizeof(*syncs));
	if (IS_ERR(syncs))
		return syncs;
	for (i = 0; i < count; i++) {
		if (syncs[i].flags) {
			kvfree(syncs);
			return ERR_PTR(-EINVAL);
		}
	}
	return syncs;
}

struct svmgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/* Attach the exec's in-syncs to @job; no user memory is read here. */
static int svmgpu_exec_add_deps(struct svmgpu_job *job, struct drm_file *file,
				const struct drm_svmgpu_sync *in, u32 count)
{
	u32 i;
	int err;

	for (i = 0; i < count; i++) {
		err = drm_sched_job_add_syncobj_dependency(&job->base, file, in[i].handle,
							   in[i].timeline_point);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Push @job to @q, whose jobs count already holds it, and give its fence to
 * the out-syncs. Called with the file's queues_sem held for read.
 */
static int svmgpu_exec_push(struct svmgpu_queue *q, struct svmgpu_job *job,
			    struct drm_file *file, const struct drm_svmgpu_sync *in, u32 num_in,
			    struct svmgpu_out_sync *osync, u32 num_out)
{
	struct dma_fence *fence;
	u32 i;
	int err;

	err = drm_sched_job_init(&job->base, &q->entity, 1, q, file->client_id);
	if (err)
		return err;
	/* Dropped in free_job(). */
	kref_get(&q->ref);
	job->q = q;
	err = svmgpu_exec_add_deps(job, file, in, num_in);
	if (err) {
		drm_sched_job_cleanup(&job->base);
		svmgpu_queue_put(q);
		return err;
	}

	mutex_lock(&q->submit_lock);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	dma_fence_put(q->last);
	q->last = dma_fence_get(fence);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&q->submit_lock);

	for (i = 0; i < num_out; i++) {
		if (osync[i].chain) {
			drm_syncobj_add_point(osync[i].syncobj, osync[i].chain, fence,
					      osync[i].point);
			osync[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(osync[i].syncobj, fence);
		}
	}
	dma_fence_put(fence);
	return 0;
}

/**
 * svmgpu_exec_ioctl() - %DRM_IOCTL_SVMGPU_EXEC
 * @drm: the device
 * @data: &struct drm_svmgpu_exec
 * @file: the caller
 *
 * Everything is read from user memory and allocated before the queue is
 * looked up: no page fault and no allocation happens under the file's
 * queues_sem, which QUEUE_DESTROY takes for write.
 *
 * Return: 0, -EINVAL, -ENOENT, -EPERM, -ECANCELED, -EBUSY, -EFAULT, -ENOMEM
 * or -ENODEV.
 */
int svmgpu_exec_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_exec *args = data;
	struct drm_svmgpu_sync *in = NULL, *out = NULL;
	struct svmgpu_out_sync *osync = NULL;
	struct svmgpu_queue *q;
	struct svmgpu_job *job = NULL;
	bool banned;
	int err, idx;
	u32 i;

	if (args->flags || !IS_ALIGNED(args->batch_address, 8) ||
	    args->num_in_syncs > DRM_SVMGPU_MAX_SYNCS ||
	    args->num_out_syncs > DRM_SVMGPU_MAX_SYNCS)
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	in = svmgpu_copy_syncs(args->in_syncs, args->num_in_syncs);
	out = svmgpu_copy_syncs(args->out_syncs, args->num_out_syncs);
	if (IS_ERR(in) || IS_ERR(out)) {
		err = IS_ERR(in) ? PTR_ERR(in) : PTR_ERR(out);
		goto out_free_syncs;
	}
	osync = kzalloc_objs(*osync, args->num_out_syncs, GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (args->num_out_syncs && !osync)
		goto out_free_syncs;
	for (i = 0; i < args->num_out_syncs; i++) {
		err = -ENOENT;
		osync[i].syncobj = drm_syncobj_find(file, out[i].handle);
		if (!osync[i].syncobj)
			goto out_put_osync;
		osync[i].point = out[i].timeline_point;
		if (osync[i].point) {
			err = -ENOMEM;
			osync[i].chain = dma_fence_chain_alloc();
			if (!osync[i].chain)
				goto out_put_osync;
		}
	}
	job = kzalloc_obj(*job, GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!job)
		goto out_put_osync;
	job->batch = args->batch_address;

	/* Held for read, the queue table semaphore keeps the queue alive. */
	down_read(&sfile->queues_sem);
	q = xa_load(&sfile->queues, args->queue_id);
	err = -ENOENT;
	if (!q)
		goto out_unlock;
	/* The queue's VM mirrors the process that created it, only that one. */
	err = -EPERM;
	if (!svmgpu_vm_is_current(q->vm))
		goto out_unlock;
	spin_lock(&q->lock);
	banned = q->banned;
	spin_unlock(&q->lock);
	err = -ECANCELED;
	if (banned)
		goto out_unlock;
	err = -EBUSY;
	if (atomic_inc_return(&q->jobs) > DRM_SVMGPU_MAX_QUEUED_JOBS) {
		atomic_dec(&q->jobs);
		goto out_unlock;
	}
	err = svmgpu_exec_push(q, job, file, in, args->num_in_syncs, osync,
			       args->num_out_syncs);
	if (err)
		atomic_dec(&q->jobs);
	else
		job = NULL;
out_unlock:
	up_read(&sfile->queues_sem);
	kfree(job);
out_put_osync:
	for (i = 0; osync && i < args->num_out_syncs; i++) {
		dma_fence_chain_free(osync[i].chain);
		if (osync[i].syncobj)
			drm_syncobj_put(osync[i].syncobj);
	}
	kfree(osync);
out_free_syncs:
	if (!IS_ERR(in))
		kvfree(in);
	if (!IS_ERR(out))
		kvfree(out);
	drm_dev_exit(idx);
	return err;
}

/**
 * svmgpu_queue_get_fault_ioctl() - %DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT
 * @drm: the device
 * @data: &struct drm_svmgpu_queue_get_fault
 * @file: the caller
 *
 * Return: 0, -EINVAL or -ENOENT.
 */
int svmgpu_queue_get_fault_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct svmgpu_file *sfile = file->driver_priv;
	struct drm_svmgpu_queue_get_fault *args = data;
	struct svmgpu_queue *q;
	int err = 0;

	if (args->flags || args->pad || args->banned || args->error || args->fault_address ||
	    args->fault_access)
		return -EINVAL;

	down_read(&sfile->queues_sem);
	q = xa_load(&sfile->queues, args->queue_id);
	if (q) {
		spin_lock(&q->lock);
		args->banned = q->banned;
		args->error = q->error;
		args->fault_address = q->fault_address;
		args->fault_access = q->fault_access;
		spin_unlock(&q->lock);
	} else {
		err = -ENOENT;
	}
	up_read(&sfile->queues_sem);
	return err;
}
