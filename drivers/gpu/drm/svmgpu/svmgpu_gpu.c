// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */

/**
 * DOC: the GPU
 *
 * The GPU is a command interpreter running in the queue's scheduler work.
 * It fetches commands from the command buffer and reads and writes memory
 * only through the VM (svmgpu_vm_access() and svmgpu_vm_atomic()), that is
 * through its own page table; a miss is a GPU page fault the VM services
 * before the access is retried. An unresolvable fault or a malformed command
 * stops the command buffer with an error.
 *
 * A command buffer's run is bounded: it stops with -ETIME once its queue's
 * job timeout has passed and with -ECANCELED once its queue is being torn
 * down. Both are checked before every command, at every step of a long one
 * (a page at most) and whenever an access misses again after its fault was
 * serviced, so a run ends within a page's work of either.
 */

#include <linux/jiffies.h>
#include <linux/sched.h>

#include <linux/slab.h>

#include <asm/fpu/api.h>

#include <drm/svmgpu_drm.h>

#include "svmgpu_compute.h"
#include "svmgpu_gpu.h"
#include "svmgpu_vm.h"

/* Bytes moved per step of a copy or fill. */
#define SVMGPU_GPU_CHUNK	PAGE_SIZE

struct svmgpu_gpu {
	struct svmgpu_vm *vm;
	const struct svmgpu_gpu_limits *limits;
	struct svmgpu_gpu_fault *fault;
	void *bounce;
	void *bounce2;
};

/* Whether the run must stop: -ECANCELED, -ETIME or 0. */
static int gpu_check(struct svmgpu_gpu *gpu)
{
	if (READ_ONCE(*gpu->limits->cancelled))
		return -ECANCELED;
	if (time_after(jiffies, gpu->limits->deadline))
		return -ETIME;
	return 0;
}

/* A step of a long command is done: stop if asked, else let others run. */
static int gpu_step(struct svmgpu_gpu *gpu)
{
	cond_resched();
	return gpu_check(gpu);
}

/*
 * An access, repeated while the VM answers -EAGAIN (its fault was serviced
 * but the CPU side keeps changing under it): accesses are idempotent, and
 * the repeats end with the run's bounds.
 */
static int gpu_access(struct svmgpu_gpu *gpu, u64 addr, void *buf, size_t len, bool write)
{
	int err;

	while ((err = svmgpu_vm_access(gpu->vm, addr, buf, len, write,
				       &gpu->fault->address)) == -EAGAIN) {
		err = gpu_step(gpu);
		if (err)
			return err;
	}
	if (err)
		gpu->fault->access = write ? DRM_SVMGPU_ACCESS_WRITE : DRM_SVMGPU_ACCESS_READ;
	return err;
}

static int gpu_read(struct svmgpu_gpu *gpu, u64 addr, void *buf, size_t len)
{
	return gpu_access(gpu, addr, buf, len, false);
}

static int gpu_write(struct svmgpu_gpu *gpu, u64 addr, const void *buf, size_t len)
{
	return gpu_access(gpu, addr, (void *)buf, len, true);
}

static int gpu_cmd_store(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_store *c)
{
	u32 v32 = c->value;

	if (c->hdr.flags)
		return -EINVAL;
	if (c->hdr.opcode == DRM_SVMGPU_CMD_STORE32) {
		if (!IS_ALIGNED(c->address, 4))
			return -EINVAL;
		return gpu_write(gpu, c->address, &v32, sizeof(v32));
	}
	if (!IS_ALIGNED(c->address, 8))
		return -EINVAL;
	return gpu_write(gpu, c->address, &c->value, sizeof(c->value));
}

static int gpu_cmd_fill(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_fill *c)
{
	u32 *pattern = gpu->bounce;
	u64 addr = c->address, left = c->size;
	unsigned int i;
	int err;

	if (c->hdr.flags || c->pad || !IS_ALIGNED(addr | left, 4) || addr + left < addr)
		return -EINVAL;
	for (i = 0; i < SVMGPU_GPU_CHUNK / 4; i++)
		pattern[i] = c->value;
	while (left) {
		size_t n = min_t(u64, left, SVMGPU_GPU_CHUNK);

		err = gpu_write(gpu, addr, pattern, n);
		if (!err)
			err = gpu_step(gpu);
		if (err)
			return err;
		addr += n;
		left -= n;
	}
	return 0;
}

static int gpu_cmd_copy(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_copy *c)
{
	u64 dst = c->dst, src = c->src, left = c->size;
	int err;

	if (c->hdr.flags || dst + left < dst || src + left < src)
		return -EINVAL;
	while (left) {
		size_t n = min_t(u64, left, SVMGPU_GPU_CHUNK);

		err = gpu_read(gpu, src, gpu->bounce, n);
		if (!err)
			err = gpu_write(gpu, dst, gpu->bounce, n);
		if (!err)
			err = gpu_step(gpu);
		if (err)
			return err;
		dst += n;
		src += n;
		left -= n;
	}
	return 0;
}

static int gpu_cmd_atomic(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_atomic *c)
{
	bool is64 = c->hdr.flags & DRM_SVMGPU_ATOMIC_64;
	u32 op = c->hdr.flags & 0xff;
	u32 old32;
	u64 old;
	int err;

	if (c->hdr.flags & ~(0xffu | DRM_SVMGPU_ATOMIC_64) || op > DRM_SVMGPU_ATOMIC_CMPXCHG ||
	    !IS_ALIGNED(c->address, is64 ? 8 : 4) ||
	    !IS_ALIGNED(c->result_address, is64 ? 8 : 4))
		return -EINVAL;

	while ((err = svmgpu_vm_atomic(gpu->vm, c->address, op, is64, c->operand, c->compare,
				       &old, &gpu->fault->address)) == -EAGAIN) {
		err = gpu_step(gpu);
		if (err)
			return err;
	}
	if (err) {
		gpu->fault->access = DRM_SVMGPU_ACCESS_ATOMIC;
		return err;
	}
	if (!c->result_address)
		return 0;
	old32 = old;
	return gpu_write(gpu, c->result_address, is64 ? (void *)&old : (void *)&old32,
			 is64 ? 8 : 4);
}

static int gpu_cmd_saxpy(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_saxpy *c)
{
	u64 x = c->x, y = c->y, left = c->n;
	u32 *bx = gpu->bounce, *by = gpu->bounce2;
	int err;

	if (c->hdr.flags || c->pad || !IS_ALIGNED(x | y, 4) || left > U64_MAX / 4 ||
	    x + left * 4 < x || y + left * 4 < y)
		return -EINVAL;
	while (left) {
		size_t n = min_t(u64, left, SVMGPU_GPU_CHUNK / 4);

		err = gpu_read(gpu, x, bx, n * 4);
		if (!err)
			err = gpu_read(gpu, y, by, n * 4);
		if (err)
			return err;
		kernel_fpu_begin();
		svmgpu_compute_saxpy(c->a, bx, by, n);
		kernel_fpu_end();
		err = gpu_write(gpu, y, by, n * 4);
		if (!err)
			err = gpu_step(gpu);
		if (err)
			return err;
		x += n * 4;
		y += n * 4;
		left -= n;
	}
	return 0;
}

static int gpu_cmd_reduce(struct svmgpu_gpu *gpu, const struct drm_svmgpu_cmd_reduce *c)
{
	u32 op = c->hdr.flags, *buf = gpu->bounce, acc32 = 0;
	u64 src = c->src, left = c->n, acc64 = 0;
	size_t i;
	int err;

	if (op > DRM_SVMGPU_REDUCE_MAX_U32 || !IS_ALIGNED(src, 4) || left > U64_MAX / 4 ||
	    src + left * 4 < src ||
	    !IS_ALIGNED(c->dst, op == DRM_SVMGPU_REDUCE_SUM_U32 ? 8 : 4))
		return -EINVAL;
	while (left) {
		size_t n = min_t(u64, left, SVMGPU_GPU_CHUNK / 4);

		err = gpu_read(gpu, src, buf, n * 4);
		if (err)
			return err;
		switch (op) {
		case DRM_SVMGPU_REDUCE_SUM_U32:
			for (i = 0; i < n; i++)
				acc64 += buf[i];
			break;
		case DRM_SVMGPU_REDUCE_SUM_F32:
			kernel_fpu_begin();
			acc32 = svmgpu_compute_sum_f32(acc32, buf, n);
			kernel_fpu_end();
			break;
		case DRM_SVMGPU_REDUCE_MAX_U32:
			for (i = 0; i < n; i++)
				acc32 = max(acc32, buf[i]);
			break;
		}
		err = gpu_step(gpu);
		if (err)
			return err;
		src += n * 4;
		left -= n;
	}
	if (op == DRM_SVMGPU_REDUCE_SUM_U32)
		return gpu_write(gpu, c->dst, &acc64, sizeof(acc64));
	return gpu_write(gpu, c->dst, &acc32, sizeof(acc32));
}

/* The largest command, which the fetch reads in one go. */
union svmgpu_gpu_cmd {
	struct drm_svmgpu_cmd_header hdr;
	struct drm_svmgpu_cmd_store store;
	struct drm_svmgpu_cmd_fill fill;
	struct drm_svmgpu_cmd_copy copy;
	struct drm_svmgpu_cmd_atomic atomic;
	struct drm_svmgpu_cmd_saxpy saxpy;
	struct drm_svmgpu_cmd_reduce reduce;
};

static size_t svmgpu_cmd_size(u16 opcode)
{
	switch (opcode) {
	case DRM_SVMGPU_CMD_END:
		return sizeof(struct drm_svmgpu_cmd_header);
	case DRM_SVMGPU_CMD_STORE32:
	case DRM_SVMGPU_CMD_STORE64:
		return sizeof(struct drm_svmgpu_cmd_store);
	case DRM_SVMGPU_CMD_FILL32:
		return sizeof(struct drm_svmgpu_cmd_fill);
	case DRM_SVMGPU_CMD_COPY:
		return sizeof(struct drm_svmgpu_cmd_copy);
	case DRM_SVMGPU_CMD_ATOMIC:
		return sizeof(struct drm_svmgpu_cmd_atomic);
	case DRM_SVMGPU_CMD_SAXPY:
		return sizeof(struct drm_svmgpu_cmd_saxpy);
	case DRM_SVMGPU_CMD_REDUCE:
		return sizeof(struct drm_svmgpu_cmd_reduce);
	default:
		return 0;
	}
}

/**
 * svmgpu_gpu_execute() - run a command buffer
 * @vm: the VM it runs in
 * @batch: GPU address of the first command
 * @limits: its deadline and cancellation flag
 * @fault: receives the unresolvable fault, if that is what stopped it
 *
 * Return: 0, -EFAULT or -EACCES for an unresolvable GPU fault (see @fault),
 * -EINVAL for a malformed command, -E2BIG for a command buffer of more than
 * %DRM_SVMGPU_MAX_CMDS commands, -ETIME once @limits' deadline has passed,
 * -ECANCELED once they say so, -ENOMEM.
 */
int svmgpu_gpu_execute(struct svmgpu_vm *vm, u64 batch, const struct svmgpu_gpu_limits *limits,
		       struct svmgpu_gpu_fault *fault)
{
	struct svmgpu_gpu gpu = { .vm = vm, .limits = limits, .fault = fault };
	union svmgpu_gpu_cmd cmd;
	unsigned int count;
	int err;

	gpu.bounce = kmalloc(SVMGPU_GPU_CHUNK, GFP_KERNEL);
	gpu.bounce2 = kmalloc(SVMGPU_GPU_CHUNK, GFP_KERNEL);
	if (!gpu.bounce || !gpu.bounce2) {
		err = -ENOMEM;
		goto out;
	}

	/* Commands up to the limit run; one more than that is an error, END included. */
	for (count = 0;; count++) {
		size_t size;

		err = gpu_check(&gpu);
		if (err)
			break;
		err = gpu_read(&gpu, batch, &cmd.hdr, sizeof(cmd.hdr));
		if (err)
			break;
		size = svmgpu_cmd_size(cmd.hdr.opcode);
		if (!size || cmd.hdr.length != size) {
			err = -EINVAL;
			break;
		}
		if (cmd.hdr.opcode == DRM_SVMGPU_CMD_END) {
			err = cmd.hdr.flags ? -EINVAL : 0;
			break;
		}
		if (count == DRM_SVMGPU_MAX_CMDS) {
			err = -E2BIG;
			break;
		}
		err = gpu_read(&gpu, batch + sizeof(cmd.hdr), (void *)&cmd + sizeof(cmd.hdr),
			       size - sizeof(cmd.hdr));
		if (err)
			break;

		switch (cmd.hdr.opcode) {
		case DRM_SVMGPU_CMD_STORE32:
		case DRM_SVMGPU_CMD_STORE64:
			err = gpu_cmd_store(&gpu, &cmd.store);
			break;
		case DRM_SVMGPU_CMD_FILL32:
			err = gpu_cmd_fill(&gpu, &cmd.fill);
			break;
		case DRM_SVMGPU_CMD_COPY:
			err = gpu_cmd_copy(&gpu, &cmd.copy);
			break;
		case DRM_SVMGPU_CMD_ATOMIC:
			err = gpu_cmd_atomic(&gpu, &cmd.atomic);
			break;
		case DRM_SVMGPU_CMD_SAXPY:
			err = gpu_cmd_saxpy(&gpu, &cmd.saxpy);
			break;
		case DRM_SVMGPU_CMD_REDUCE:
			err = gpu_cmd_reduce(&gpu, &cmd.reduce);
			break;
		}
		if (err)
			break;
		batch += size;
	}
out:
	kfree(gpu.bounce2);
	kfree(gpu.bounce);
	return err;
}
