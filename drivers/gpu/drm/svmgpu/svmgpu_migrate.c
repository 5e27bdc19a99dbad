// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: migrate engine
 *
 * The migrate engine is svmgpu's copy engine. It is a drm_gpu_scheduler of
 * its own with one entity; its jobs copy between system memory (by DMA
 * address, as drm_pagemap hands them over) and VRAM (by offset), or clear
 * VRAM. Each submission returns the job's finished fence, and takes an
 * optional dependency fence: the clear of freshly allocated VRAM is the
 * dependency of the copy into it, so when the engine is busy the two are
 * pipelined by the scheduler and no CPU ever waits for the clear on its own.
 *
 * The engine is the CPU: run_job() performs the transfer and completes the
 * job without a hardware fence. A failed dependency or an injected failure
 * fails the job, and the error reaches the waiter through the fence.
 *
 * A copy whose caller would only wait for it - nothing queued on the engine
 * ahead of it, its dependency signalled - runs at once on the submitting CPU
 * instead: through the scheduler it costs two work items and two wake-ups
 * per job, which dominate small migrations (make bench measured a 4K
 * migration at several job round-trips). Such a copy returns a signalled
 * stub fence, or its error as an ERR_PTR. Clears are done at once under
 * the same rule: a 2M clear through the scheduler overlaps with the
 * migrate_vma collection of the pages copied behind it, but make bench
 * measured prefetches to VRAM 2.5x faster without that overlap (under TCG):
 * the clear is a memset, and the hand-overs of the clear and of the copy
 * queued behind it cost more. The debugfs knob ``pipeline_clear`` sends
 * every clear through the scheduler again, for that comparison.
 *
 * Like a copy engine with more than one channel, a transfer of 512 KiB or
 * more takes a second CPU: the CPU that runs it queues a helper on an
 * unbound workqueue, which the scheduler starts on an idle CPU if there is
 * one, and both take 64 KiB pieces in turn until none is left. The CPU that
 * runs the transfer never waits for the helper to start: once every piece
 * is taken it cancels a helper that has not started and waits only for the
 * piece a running one is copying. The helper allocates nothing and takes
 * no lock, so a transfer done for reclaim progresses even if no worker is
 * free. A 2M migration to VRAM by GPU fault gained 20-40 % (make bench,
 * 2 vCPUs); the debugfs knob ``share_transfers`` turns this off.
 */

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "svmgpu_device.h"
#include "svmgpu_migrate.h"
#include "svmgpu_vram.h"

/* No migrate job should ever take this long, even under TCG. */
#define SVMGPU_MIGRATE_TIMEOUT_MS	60000

enum svmgpu_migrate_op {
	SVMGPU_MIGRATE_COPY,
	SVMGPU_MIGRATE_CLEAR,
};

struct svmgpu_migrate_job {
	struct drm_sched_job base;
	struct svmgpu_migrate *m;
	enum svmgpu_migrate_op op;
	enum svmgpu_mem src_mem;
	enum svmgpu_mem dst_mem;
	/* The dependency, kept to read its error once it has signalled. */
	struct dma_fence *dep;
	/* Counted in &svmgpu_migrate.queued until it ran or was freed. */
	bool queued;
	unsigned int nsegs;
	struct svmgpu_migrate_seg segs[] __counted_by(nsegs);
};

static struct svmgpu_migrate_job *to_migrate_job(struct drm_sched_job *job)
{
	return container_of(job, struct svmgpu_migrate_job, base);
}

static void *svmgpu_migrate_vaddr(struct svmgpu_migrate *m, enum svmgpu_mem mem, u64 addr,
				  u64 size)
{
	if (mem == SVMGPU_MEM_VRAM)
		return svmgpu_vram_vaddr(&m->sdev->vram, addr, size);
	if (mem == SVMGPU_MEM_PEER)
		return svmgpu_devaddr_vaddr(addr, size);
	return svmgpu_sysmem_vaddr(m->sdev->drm.dev, addr);
}

/*
 * A transfer of at least this much is shared with a helper on another CPU,
 * in pieces of SVMGPU_MIGRATE_PIECE that both take in turn (see "migrate
 * engine").
 */
#define SVMGPU_MIGRATE_SHARE_MIN	SZ_512K
#define SVMGPU_MIGRATE_PIECE		SZ_64K

/*
 * One transfer, as its CPUs see it. @next is the next piece to take:
 * segment index in the upper 32 bits, piece of that segment in the lower.
 * The first error stops both CPUs.
 */
struct svmgpu_migrate_share {
	struct work_struct work;
	struct svmgpu_migrate *m;
	enum svmgpu_migrate_op op;
	enum svmgpu_mem src_mem;
	enum svmgpu_mem dst_mem;
	const struct svmgpu_migrate_seg *segs;
	unsigned int nsegs;
	atomic64_t next;
	atomic_t err;
};

/* Take the next piece: false once every piece is taken. */
static bool svmgpu_migrate_take(struct svmgpu_migrate_share *t, unsigned int *seg, u64 *off,
				u64 *len)
{
	s64 cur = atomic64_read(&t->next), next;

	do {
		const struct svmgpu_migrate_seg *sg;

		if ((cur >> 32) >= t->nsegs)
			return false;
		*seg = cur >> 32;
		sg = &t->segs[*seg];
		*off = (u64)(u32)cur * SVMGPU_MIGRATE_PIECE;
		*len = min_t(u64, sg->size - *off, SVMGPU_MIGRATE_PIECE);
		next = *off + *len < sg->size ? cur + 1 : (s64)(*seg + 1) << 32;
	} while (!atomic64_try_cmpxchg(&t->next, &cur, next));
	return true;
}

/* Copy or clear one piece of segment @sg: 0 or -EIO for an address out of range. */
static int svmgpu_migrate_piece(struct svmgpu_migrate_share *t,
				const struct svmgpu_migrate_seg *sg, u64 off, u64 len)
{
	void *dst = svmgpu_migrate_vaddr(t->m, t->dst_mem, sg->dst + off, len);
	void *src;

	if (!dst)
		return -EIO;
	if (t->op == SVMGPU_MIGRATE_CLEAR) {
		memset(dst, 0, len);
		return 0;
	}
	src = svmgpu_migrate_vaddr(t->m, t->src_mem, sg->src + off, len);
	if (!src)
		return -EIO;
	memcpy(dst, src, len);
	return 0;
}

/* Copy or clear pieces until none is left or one failed. */
static void svmgpu_migrate_pieces(struct svmgpu_migrate_share *t)
{
	unsigned int i;
	u64 off, len;
	int err;

	while (!atomic_read(&t->err) && svmgpu_migrate_take(t, &i, &off, &len)) {
		err = svmgpu_migrate_piece(t, &t->segs[i], off, len);
		if (err) {
			atomic_cmpxchg(&t->err, 0, err);
			break;
		}
		cond_resched();
	}
}

static void svmgpu_migrate_share_work(struct work_struct *work)
{
	svmgpu_migrate_pieces(container_of(work, struct svmgpu_migrate_share, work));
}

static int svmgpu_migrate_execute(struct svmgpu_migrate *m, enum svmgpu_migrate_op op,
				  enum svmgpu_mem src_mem, enum svmgpu_mem dst_mem,
				  const struct svmgpu_migrate_seg *segs, unsigned int nsegs)
{
	struct svmgpu_migrate_share t = {
		.m = m, .op = op, .src_mem = src_mem, .dst_mem = dst_mem,
		.segs = segs, .nsegs = nsegs,
		.next = ATOMIC64_INIT(0), .err = ATOMIC_INIT(0),
	};
	u32 delay = READ_ONCE(m->delay_copy_ms);
	bool shared = false;
	u64 total = 0;
	unsigned int i;

	/* A copy in flight for that long: CPU faults and unmaps race with it. */
	if (delay && op == SVMGPU_MIGRATE_COPY)
		msleep(delay);
	for (i = 0; i < nsegs; i++)
		total += segs[i].size;
	if (READ_ONCE(m->share_transfers) && total >= SVMGPU_MIGRATE_SHARE_MIN &&
	    num_online_cpus() > 1) {
		/* Unbound: the scheduler wakes the helper on an idle CPU if there is one. */
		INIT_WORK_ONSTACK(&t.work, svmgpu_migrate_share_work);
		shared = queue_work(system_dfl_wq, &t.work);
	}
	svmgpu_migrate_pieces(&t);
	if (shared) {
		/* Every piece is taken: a helper that has not started has nothing to do. */
		cancel_work_sync(&t.work);
		destroy_work_on_stack(&t.work);
	}
	return atomic_read(&t.err);
}

/* The job no longer holds back copies that could run on the submitting CPU. */
static void svmgpu_migrate_job_dequeue(struct svmgpu_migrate_job *job)
{
	if (job->queued) {
		job->queued = false;
		/* Its transfer is done: order it before the decrement's readers. */
		atomic_dec_return_release(&job->m->queued);
	}
}

static struct dma_fence *svmgpu_migrate_run_job(struct drm_sched_job *sched_job)
{
	struct svmgpu_migrate_job *job = to_migrate_job(sched_job);
	struct svmgpu_migrate *m = job->m;
	int err = sched_job->s_fence->finished.error;

	if (!err && job->dep)
		err = job->dep->error;
	if (!err && atomic_add_unless(&m->fail_next, -1, 0))
		err = -EIO;
	if (!err)
		err = svmgpu_migrate_execute(m, job->op, job->src_mem, job->dst_mem, job->segs,
					     job->nsegs);
	if (job->op == SVMGPU_MIGRATE_COPY)
		svmgpu_stats_add_copy(m->sdev, job->dst_mem, job->segs,
				      job->nsegs);
	svmgpu_migrate_job_dequeue(job);
	return err ? ERR_PTR(err) : NULL;
}

static enum drm_gpu_sched_stat svmgpu_migrate_timedout_job(struct drm_sched_job *sched_job)
{
	/* Jobs complete inside run_job(); nothing can be outstanding. */
	return DRM_GPU_SCHED_STAT_NO_HANG;
}

static void svmgpu_migrate_free_job(struct drm_sched_job *sched_job)
{
	struct svmgpu_migrate_job *job = to_migrate_job(sched_job);

	/* A job killed at teardown never ran. */
	svmgpu_migrate_job_dequeue(job);
	drm_sched_job_cleanup(sched_job);
	dma_fence_put(job->dep);
	kvfree(job);
}

static void svmgpu_migrate_cancel_job(struct drm_sched_job *sched_job)
{
	/*
	 * Jobs complete inside run_job(): one still pending at drm_sched_fini()
	 * has signalled and only waits for free_job(), which follows.
	 */
}

static const struct drm_sched_backend_ops svmgpu_migrate_sched_ops = {
	.run_job = svmgpu_migrate_run_job,
	.timedout_job = svmgpu_migrate_timedout_job,
	.free_job = svmgpu_migrate_free_job,
	.cancel_job = svmgpu_migrate_cancel_job,
};

/*
 * Nothing queued ahead and the dependency done: the scheduler would only add
 * hand-overs. The acquire pairs with the release of the last queued job's
 * completion.
 */
static bool svmgpu_migrate_can_run_now(struct svmgpu_migrate *m, struct dma_fence *dep)
{
	return !atomic_read_acquire(&m->queued) && (!dep || dma_fence_is_signaled(dep));
}

/* A transfer done at once, on the calling CPU, as run_job() would do it. */
static struct dma_fence *svmgpu_migrate_run_now(struct svmgpu_migrate *m,
						enum svmgpu_migrate_op op,
						enum svmgpu_mem src_mem, enum svmgpu_mem dst_mem,
						const struct svmgpu_migrate_seg *segs,
						unsigned int nsegs, struct dma_fence *dep)
{
	int err;

	smp_rmb(); /* @dep's transfer before ours, as for a scheduled job */
	err = dep ? dep->error : 0;
	if (!err && atomic_add_unless(&m->fail_next, -1, 0))
		err = -EIO;
	if (!err)
		err = svmgpu_migrate_execute(m, op, src_mem, dst_mem, segs, nsegs);
	if (op == SVMGPU_MIGRATE_COPY)
		svmgpu_stats_add_copy(m->sdev, dst_mem, segs, nsegs);
	return err ? ERR_PTR(err) : dma_fence_get_stub();
}

static struct dma_fence *svmgpu_migrate_submit(struct svmgpu_migrate *m,
					       struct svmgpu_migrate_job *job,
					       struct dma_fence *dep)
{
	struct dma_fence *fence;
	int err;

	err = drm_sched_job_init(&job->base, &m->entity, 1, m, 0);
	if (err) {
		kvfree(job);
		return ERR_PTR(err);
	}
	job->m = m;
	if (dep) {
		job->dep = dma_fence_get(dep);
		/* drm_sched_job_add_dependency() consumes a reference. */
		err = drm_sched_job_add_dependency(&job->base, dma_fence_get(dep));
		if (err) {
			/* Fall back to waiting here; the job then has no dependency. */
			err = dma_fence_wait(dep, false);
			if (err) {
				drm_sched_job_cleanup(&job->base);
				dma_fence_put(job->dep);
				kvfree(job);
				return ERR_PTR(err);
			}
		}
	}

	mutex_lock(&m->submit_lock);
	job->queued = true;
	atomic_inc(&m->queued);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&m->submit_lock);
	return fence;
}

/**
 * svmgpu_migrate_copy() - queue a copy job
 * @m: the engine
 * @src_mem: kind of the source addresses
 * @dst_mem: kind of the destination addresses
 * @segs: the pieces to copy; copied into the job
 * @nsegs: number of @segs
 * @dep: fence the copy must wait for (e.g. the clear of the destination), or NULL
 *
 * Runs the copy at once on the calling CPU when nothing is queued on the
 * engine and @dep has signalled (see "migrate engine" above).
 *
 * Return: the job's finished fence, which carries the job's error, a
 * signalled fence for a copy done at once, or an ERR_PTR if the job could not
 * be queued or the copy done at once failed.
 */
struct dma_fence *svmgpu_migrate_copy(struct svmgpu_migrate *m, enum svmgpu_mem src_mem,
				      enum svmgpu_mem dst_mem,
				      const struct svmgpu_migrate_seg *segs, unsigned int nsegs,
				      struct dma_fence *dep)
{
	struct svmgpu_migrate_job *job;

	if (svmgpu_migrate_can_run_now(m, dep))
		return svmgpu_migrate_run_now(m, SVMGPU_MIGRATE_COPY, src_mem, dst_mem, segs,
					      nsegs, dep);

	job = kvzalloc(struct_size(job, segs, nsegs), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->nsegs = nsegs;
	job->op = SVMGPU_MIGRATE_COPY;
	job->src_mem = src_mem;
	job->dst_mem = dst_mem;
	memcpy(job->segs, segs, flex_array_size(job, segs, nsegs));
	return svmgpu_migrate_submit(m, job, dep);
}

/**
 * svmgpu_migrate_clear() - queue a job that zeroes VRAM
 * @m: the engine
 * @vram_offset: first byte to clear
 * @size: bytes to clear
 * @dep: fence to wait for first, or NULL
 *
 * Done at once when a copy would be, unless @m->pipeline_clears is set (see
 * "migrate engine").
 *
 * Return: the job's finished fence (a signalled one for a clear done at
 * once) or an ERR_PTR.
 */
struct dma_fence *svmgpu_migrate_clear(struct svmgpu_migrate *m, u64 vram_offset, u64 size,
				       struct dma_fence *dep)
{
	struct svmgpu_migrate_job *job;

	if (!READ_ONCE(m->pipeline_clears) && svmgpu_migrate_can_run_now(m, dep)) {
		const struct svmgpu_migrate_seg seg = { .dst = vram_offset, .size = size };

		return svmgpu_migrate_run_now(m, SVMGPU_MIGRATE_CLEAR, SVMGPU_MEM_VRAM,
					      SVMGPU_MEM_VRAM, &seg, 1, dep);
	}

	job = kvzalloc(struct_size(job, segs, 1), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->nsegs = 1;
	job->op = SVMGPU_MIGRATE_CLEAR;
	job->dst_mem = SVMGPU_MEM_VRAM;
	job->segs[0].dst = vram_offset;
	job->segs[0].size = size;
	return svmgpu_migrate_submit(m, job, dep);
}

/**
 * svmgpu_migrate_init() - start the migrate engine of a device
 * @sdev: the device
 * @m: the engine to initialise
 *
 * Return: 0 or a negative errno.
 */
int svmgpu_migrate_init(struct svmgpu_device *sdev, struct svmgpu_migrate *m)
{
	const struct drm_sched_init_args args = {
		.ops = &svmgpu_migrate_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 64,
		.timeout = msecs_to_jiffies(SVMGPU_MIGRATE_TIMEOUT_MS),
		.name = "svmgpu-migrate",
		.dev = sdev->drm.dev,
	};
	struct drm_gpu_scheduler *sched = &m->sched;
	int err;

	m->sdev = sdev;
	m->share_transfers = true;
	mutex_init(&m->submit_lock);
	atomic_set(&m->fail_next, 0);
	atomic_set(&m->queued, 0);
	err = drm_sched_init(&m->sched, &args);
	if (err)
		return err;
	err = drm_sched_entity_init(&m->entity, DRM_SCHED_PRIORITY_KERNEL, &sched, 1, NULL);
	if (err)
		drm_sched_fini(&m->sched);
	return err;
}

/**
 * svmgpu_migrate_fini() - drain and stop the migrate engine
 * @m: the engine
 */
void svmgpu_migrate_fini(struct svmgpu_migrate *m)
{
	drm_sched_entity_destroy(&m->entity);
	drm_sched_fini(&m->sched);
	mutex_destroy(&m->submit_lock);
}
