// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_uapi: every validation failure of every svmgpu ioctl, one subtest
 * each, in the spirit of Documentation/process/botching-up-ioctls.rst: the
 * errno documented in svmgpu_drm.h comes back and nothing happens (no
 * object, no job, no write). Every subtest first checks that the unmodified
 * arguments are accepted, so that only the field under test is wrong.
 * Malformed command buffers fail their job with -EINVAL, ban the queue and
 * write nothing. fuzz-ioctls throws seeded random ioctls and command buffers
 * at the driver and checks that the device still works afterwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define SZ_4K		4096ul
#define SZ_64K		(64ul << 10)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Ids no object has: ids are 1..1023 per file, and allocated from 1 up. */
static const uint32_t unknown_ids[] = { 0, 1023, 1024, ~0u };
/* Non-zero values for pad fields. */
static const uint32_t bad_pads[] = { 1, 0x80000000u, ~0u };
/* Pointers to no user memory: the zero page, non-canonical, kernel. */
static const uint64_t bad_pointers[] = { 8, 1ull << 63, 0xffff888000000000ull };

static int fd = -1;
static uint32_t vm, queue;
static struct svmgpu_batch *batch;
static uint64_t features;

/* A command buffer that only ends; read-only, so no job can change it. */
static const struct drm_svmgpu_cmd_header end_only __attribute__((aligned(8))) = {
	.opcode = DRM_SVMGPU_CMD_END,
	.length = sizeof(struct drm_svmgpu_cmd_header),
};

static const struct {
	const char *name;
	unsigned long req;
} ioctls[] = {
	[DRM_SVMGPU_QUERY] = { "query", DRM_IOCTL_SVMGPU_QUERY },
	[DRM_SVMGPU_VM_CREATE] = { "vm-create", DRM_IOCTL_SVMGPU_VM_CREATE },
	[DRM_SVMGPU_VM_DESTROY] = { "vm-destroy", DRM_IOCTL_SVMGPU_VM_DESTROY },
	[DRM_SVMGPU_QUEUE_CREATE] = { "queue-create", DRM_IOCTL_SVMGPU_QUEUE_CREATE },
	[DRM_SVMGPU_QUEUE_DESTROY] = { "queue-destroy", DRM_IOCTL_SVMGPU_QUEUE_DESTROY },
	[DRM_SVMGPU_EXEC] = { "exec", DRM_IOCTL_SVMGPU_EXEC },
	[DRM_SVMGPU_PREFETCH] = { "prefetch", DRM_IOCTL_SVMGPU_PREFETCH },
	[DRM_SVMGPU_QUEUE_GET_FAULT] = { "queue-get-fault", DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT },
	[DRM_SVMGPU_MADVISE] = { "madvise", DRM_IOCTL_SVMGPU_MADVISE },
	[DRM_SVMGPU_MADVISE_QUERY] = { "madvise-query", DRM_IOCTL_SVMGPU_MADVISE_QUERY },
};

#define NUM_IOCTLS	ARRAY_SIZE(ioctls)

/* ret (0 or -errno, as svmgpu_ioctl() returns it) must be -err; says which case failed. */
#define assert_errno(ret, err, fmt, ...)						\
	do {										\
		int __ret = (ret), __err = (err);					\
		igt_assert_f(__ret == -__err, fmt ": got %d (%s), expected %d (%s)\n",	\
			     ##__VA_ARGS__, __ret, strerror(-__ret), -__err,		\
			     strerror(__err));						\
	} while (0)

static void fixture(void)
{
	struct drm_svmgpu_device_info info;

	fd = svmgpu_open_or_skip();
	svmgpu_query_info(fd, &info);
	features = info.features;
	vm = svmgpu_vm_create(fd);
	queue = svmgpu_queue_create(fd, vm);
	batch = svmgpu_batch_new();
}

/* @size bytes of memory between two PROT_NONE guard pages, which stop runaway accesses. */
static void *map_guarded(size_t size)
{
	char *p = mmap(NULL, size + 2 * SZ_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	igt_assert_eq(mprotect(p + SZ_4K, size, PROT_READ | PROT_WRITE), 0);
	return p + SZ_4K;
}

/* A page-aligned address with nothing mapped at it. */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	igt_assert_eq(munmap(p, SZ_4K), 0);
	return p;
}

/* 64 KiB of touched memory, for prefetch and madvise ranges. */
static uint8_t *pmem;

static uint8_t *prefetch_mem(void)
{
	if (!pmem) {
		pmem = map_guarded(SZ_64K);
		memset(pmem, 1, SZ_64K);
	}
	return pmem;
}

static uint32_t syncobj_create(uint32_t flags)
{
	struct drm_syncobj_create c = { .flags = flags };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
	return c.handle;
}

static void syncobj_destroy(uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), 0);
}

/* ---- VM_CREATE, VM_DESTROY ---- */

static int vm_create_ioctl(uint32_t flags, uint32_t vm_id)
{
	struct drm_svmgpu_vm_create c = { .flags = flags, .vm_id = vm_id };

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_CREATE, &c);
}

static int vm_destroy_ioctl(uint32_t vm_id, uint32_t pad)
{
	struct drm_svmgpu_vm_destroy d = { .vm_id = vm_id, .pad = pad };

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_DESTROY, &d);
}

static void test_vm_create_invalid_flags(void)
{
	svmgpu_vm_destroy(fd, svmgpu_vm_create(fd));
	for (int bit = 0; bit < 32; bit++)
		assert_errno(vm_create_ioctl(1u << bit, 0), EINVAL, "flags bit %d", bit);
}

static void test_vm_create_nonzero_id(void)
{
	const uint32_t ids[] = { 1, vm, 1023, ~0u };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		assert_errno(vm_create_ioctl(0, ids[i]), EINVAL, "vm_id %u on input", ids[i]);
}

static void test_vm_destroy_invalid_pad(void)
{
	uint32_t id = svmgpu_vm_create(fd);

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++)
		assert_errno(vm_destroy_ioctl(id, bad_pads[i]), EINVAL, "pad 0x%x", bad_pads[i]);
	/* The VM survived. */
	svmgpu_vm_destroy(fd, id);
}

static void test_vm_destroy_unknown(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++)
		assert_errno(vm_destroy_ioctl(unknown_ids[i], 0), ENOENT, "vm_id %u",
			     unknown_ids[i]);
}

static void test_vm_destroy_double(void)
{
	uint32_t id = svmgpu_vm_create(fd);

	svmgpu_vm_destroy(fd, id);
	assert_errno(vm_destroy_ioctl(id, 0), ENOENT, "second destroy of vm %u", id);
}

/* ---- QUEUE_CREATE, QUEUE_DESTROY ---- */

static int queue_create_ioctl(uint32_t vm_id, uint32_t flags, uint32_t queue_id, uint32_t pad)
{
	struct drm_svmgpu_queue_create c = {
		.vm_id = vm_id, .flags = flags, .queue_id = queue_id, .pad = pad,
	};
	int ret = svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_CREATE, &c);

	/* Do not leak a queue the kernel should have refused. */
	if (!ret)
		svmgpu_queue_destroy(fd, c.queue_id);
	return ret;
}

static int queue_destroy_ioctl(uint32_t queue_id, uint32_t pad)
{
	struct drm_svmgpu_queue_destroy d = { .queue_id = queue_id, .pad = pad };

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_DESTROY, &d);
}

static void test_queue_create_invalid_flags(void)
{
	igt_assert_eq(queue_create_ioctl(vm, 0, 0, 0), 0);
	for (int bit = 0; bit < 32; bit++)
		assert_errno(queue_create_ioctl(vm, 1u << bit, 0, 0), EINVAL, "flags bit %d", bit);
}

static void test_queue_create_invalid_pad(void)
{
	igt_assert_eq(queue_create_ioctl(vm, 0, 0, 0), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++)
		assert_errno(queue_create_ioctl(vm, 0, 0, bad_pads[i]), EINVAL, "pad 0x%x",
			     bad_pads[i]);
}

static void test_queue_create_nonzero_id(void)
{
	const uint32_t ids[] = { 1, queue, 1023, ~0u };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		assert_errno(queue_create_ioctl(vm, 0, ids[i], 0), EINVAL, "queue_id %u on input",
			     ids[i]);
}

static void test_queue_create_unknown_vm(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++)
		assert_errno(queue_create_ioctl(unknown_ids[i], 0, 0, 0), ENOENT, "vm_id %u",
			     unknown_ids[i]);
}

static void test_queue_create_destroyed_vm(void)
{
	uint32_t id = svmgpu_vm_create(fd);

	igt_assert_eq(queue_create_ioctl(id, 0, 0, 0), 0);
	svmgpu_vm_destroy(fd, id);
	assert_errno(queue_create_ioctl(id, 0, 0, 0), ENOENT, "destroyed vm %u", id);
}

static void test_queue_destroy_invalid_pad(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++)
		assert_errno(queue_destroy_ioctl(q, bad_pads[i]), EINVAL, "pad 0x%x", bad_pads[i]);
	/* The queue survived and still runs jobs. */
	igt_assert_eq(svmgpu_exec_wait(fd, q, &end_only), 0);
	svmgpu_queue_destroy(fd, q);
}

static void test_queue_destroy_unknown(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++)
		assert_errno(queue_destroy_ioctl(unknown_ids[i], 0), ENOENT, "queue_id %u",
			     unknown_ids[i]);
}

static void test_queue_destroy_double(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);

	svmgpu_queue_destroy(fd, q);
	assert_errno(queue_destroy_ioctl(q, 0), ENOENT, "second destroy of queue %u", q);
}

/* ---- EXEC ---- */

/* The batch of the exec subtests increments *counter: refused execs must not. */
static uint64_t *counter;

static const void *counting_batch(void)
{
	if (!counter)
		counter = map_guarded(SZ_4K);
	*counter = 0;
	svmgpu_batch_reset(batch);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, true, counter, 0, 0, NULL);
	return svmgpu_batch_end(batch);
}

static struct drm_svmgpu_exec exec_args(uint32_t q, const void *b)
{
	return (struct drm_svmgpu_exec){ .queue_id = q, .batch_address = (uintptr_t)b };
}

static int exec_ioctl(struct drm_svmgpu_exec *e)
{
	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_EXEC, e);
}

/*
 * One more exec of @b on @q, waited for (jobs of a queue run in order): the
 * counter then shows that exactly @accepted earlier execs ran.
 */
static void check_ran(uint32_t q, const void *b, uint64_t accepted)
{
	igt_assert_eq(svmgpu_exec_wait(fd, q, b), 0);
	igt_assert_eq_u64(*counter, accepted + 1);
}

static void test_exec_invalid_flags(void)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);

	igt_assert_eq(exec_ioctl(&e), 0);
	for (int bit = 0; bit < 32; bit++) {
		e.flags = 1u << bit;
		assert_errno(exec_ioctl(&e), EINVAL, "flags bit %d", bit);
	}
	check_ran(queue, b, 1);
}

static void test_exec_unaligned_batch(void)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);

	igt_assert_eq((uintptr_t)b % 8, 0);
	igt_assert_eq(exec_ioctl(&e), 0);
	for (int off = 1; off < 8; off++) {
		e.batch_address = (uintptr_t)b + off;
		assert_errno(exec_ioctl(&e), EINVAL, "batch at +%d", off);
	}
	check_ran(queue, b, 1);
}

static void too_many_syncs(bool out)
{
	static struct drm_svmgpu_sync s[DRM_SVMGPU_MAX_SYNCS + 2];
	const uint32_t counts[] = { DRM_SVMGPU_MAX_SYNCS + 1, DRM_SVMGPU_MAX_SYNCS + 2, 1000,
				    0x80000000u, ~0u };
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);
	uint32_t h = syncobj_create(DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t *num = out ? &e.num_out_syncs : &e.num_in_syncs;

	for (size_t i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct drm_svmgpu_sync){ .handle = h };
	if (out)
		e.out_syncs = (uintptr_t)s;
	else
		e.in_syncs = (uintptr_t)s;
	/* The most syncs allowed are accepted. */
	*num = DRM_SVMGPU_MAX_SYNCS;
	igt_assert_eq(exec_ioctl(&e), 0);
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		*num = counts[i];
		assert_errno(exec_ioctl(&e), EINVAL, "%u %s-syncs", counts[i], out ? "out" : "in");
	}
	check_ran(queue, b, 1);
	syncobj_destroy(h);
}

static void test_exec_too_many_in_syncs(void)
{
	too_many_syncs(false);
}

static void test_exec_too_many_out_syncs(void)
{
	too_many_syncs(true);
}

static void sync_invalid_flags(bool out)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);
	uint32_t h = syncobj_create(DRM_SYNCOBJ_CREATE_SIGNALED);
	struct drm_svmgpu_sync s[2] = { { .handle = h }, { .handle = h } };

	if (out) {
		e.out_syncs = (uintptr_t)s;
		e.num_out_syncs = 2;
	} else {
		e.in_syncs = (uintptr_t)s;
		e.num_in_syncs = 2;
	}
	igt_assert_eq(exec_ioctl(&e), 0);
	for (int bit = 0; bit < 32; bit++) {
		for (int i = 0; i < 2; i++) {
			s[i].flags = 1u << bit;
			assert_errno(exec_ioctl(&e), EINVAL, "%s-sync %d flags bit %d",
				     out ? "out" : "in", i, bit);
			s[i].flags = 0;
		}
	}
	check_ran(queue, b, 1);
	syncobj_destroy(h);
}

static void test_exec_in_sync_invalid_flags(void)
{
	sync_invalid_flags(false);
}

static void test_exec_out_sync_invalid_flags(void)
{
	sync_invalid_flags(true);
}

static void unknown_syncobj(bool out)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);
	uint32_t h = syncobj_create(DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t gone = syncobj_create(0);
	const uint32_t handles[] = { 0, gone, 0x7fffffffu, ~0u };
	struct drm_svmgpu_sync s[2] = { { .handle = h }, { .handle = h } };

	syncobj_destroy(gone);
	if (out) {
		e.out_syncs = (uintptr_t)s;
		e.num_out_syncs = 2;
	} else {
		e.in_syncs = (uintptr_t)s;
		e.num_in_syncs = 2;
	}
	igt_assert_eq(exec_ioctl(&e), 0);
	for (size_t i = 0; i < ARRAY_SIZE(handles); i++) {
		/* Unknown first, and unknown after a good one. */
		for (int j = 0; j < 2; j++) {
			s[j].handle = handles[i];
			assert_errno(exec_ioctl(&e), ENOENT, "%s-sync %d handle %u",
				     out ? "out" : "in", j, handles[i]);
			s[j].handle = h;
		}
	}
	check_ran(queue, b, 1);
	syncobj_destroy(h);
}

static void test_exec_unknown_in_syncobj(void)
{
	unknown_syncobj(false);
}

static void test_exec_unknown_out_syncobj(void)
{
	unknown_syncobj(true);
}

static void bad_sync_pointer(bool out)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);
	uint32_t h = syncobj_create(DRM_SYNCOBJ_CREATE_SIGNALED);
	/* The last sync of a page before a guard page: the second one is not readable. */
	struct drm_svmgpu_sync *edge = (struct drm_svmgpu_sync *)((char *)map_guarded(SZ_4K) +
								  SZ_4K) - 1;
	__u64 *ptr = out ? &e.out_syncs : &e.in_syncs;
	uint32_t *num = out ? &e.num_out_syncs : &e.num_in_syncs;

	*edge = (struct drm_svmgpu_sync){ .handle = h };
	*ptr = (uintptr_t)edge;
	*num = 1;
	igt_assert_eq(exec_ioctl(&e), 0);
	*num = 2;
	assert_errno(exec_ioctl(&e), EFAULT, "%s-syncs crossing into a guard page",
		     out ? "out" : "in");
	*num = 1;
	for (size_t i = 0; i < ARRAY_SIZE(bad_pointers); i++) {
		*ptr = bad_pointers[i];
		assert_errno(exec_ioctl(&e), EFAULT, "%s-syncs at 0x%llx", out ? "out" : "in",
			     (unsigned long long)bad_pointers[i]);
	}
	check_ran(queue, b, 1);
	syncobj_destroy(h);
	munmap((char *)(edge + 1) - 2 * SZ_4K, 3 * SZ_4K);
}

static void test_exec_bad_in_sync_pointer(void)
{
	bad_sync_pointer(false);
}

static void test_exec_bad_out_sync_pointer(void)
{
	bad_sync_pointer(true);
}

static void test_exec_unknown_queue(void)
{
	const void *b = counting_batch();
	struct drm_svmgpu_exec e = exec_args(queue, b);
	uint32_t gone = svmgpu_queue_create(fd, vm);

	svmgpu_queue_destroy(fd, gone);
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		e.queue_id = unknown_ids[i];
		assert_errno(exec_ioctl(&e), ENOENT, "queue_id %u", unknown_ids[i]);
	}
	e.queue_id = gone;
	assert_errno(exec_ioctl(&e), ENOENT, "destroyed queue %u", gone);
	check_ran(queue, b, 0);
}

static void test_exec_banned_queue(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);
	uint64_t *hole = unmapped_page();
	struct drm_svmgpu_queue_get_fault f;
	struct drm_svmgpu_exec e;
	uint32_t h = syncobj_create(0);
	struct drm_svmgpu_sync out = { .handle = h };
	const void *b;

	svmgpu_batch_reset(batch);
	svmgpu_cmd_store64(batch, hole, 1);
	igt_assert_eq(svmgpu_exec_wait(fd, q, svmgpu_batch_end(batch)), -EFAULT);
	svmgpu_get_fault(fd, q, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, -EFAULT);
	igt_assert_eq_u64(f.fault_address, (uintptr_t)hole);

	b = counting_batch();
	e = exec_args(q, b);
	assert_errno(exec_ioctl(&e), ECANCELED, "exec on banned queue %u", q);
	e.out_syncs = (uintptr_t)&out;
	e.num_out_syncs = 1;
	assert_errno(exec_ioctl(&e), ECANCELED, "exec with an out-sync on banned queue %u", q);
	/* Still banned, and other queues carry on. */
	svmgpu_get_fault(fd, q, &f);
	igt_assert_eq(f.banned, 1);
	check_ran(queue, b, 0);
	syncobj_destroy(h);
	svmgpu_queue_destroy(fd, q);
}

/* ---- malformed command buffers ---- */

union cmd {
	struct drm_svmgpu_cmd_header hdr;
	struct drm_svmgpu_cmd_store store;
	struct drm_svmgpu_cmd_fill fill;
	struct drm_svmgpu_cmd_copy copy;
	struct drm_svmgpu_cmd_atomic atomic;
	struct drm_svmgpu_cmd_saxpy saxpy;
	struct drm_svmgpu_cmd_reduce reduce;
	uint64_t w[8];
};

static const char *const cmd_names[] = {
	[DRM_SVMGPU_CMD_END] = "end",
	[DRM_SVMGPU_CMD_STORE32] = "store32",
	[DRM_SVMGPU_CMD_STORE64] = "store64",
	[DRM_SVMGPU_CMD_FILL32] = "fill32",
	[DRM_SVMGPU_CMD_COPY] = "copy",
	[DRM_SVMGPU_CMD_ATOMIC] = "atomic",
	[DRM_SVMGPU_CMD_SAXPY] = "saxpy",
	[DRM_SVMGPU_CMD_REDUCE] = "reduce",
};

static size_t cmd_size(uint16_t op)
{
	switch (op) {
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
	}
	return 0;
}

/*
 * tmem receives every write of the malformed-command subtests and is zero
 * before each job: the command after the bad one writes T_AFTER, the bad one
 * itself targets T_TARGET (and T_RESULT). smem holds their sources: 1.0f.
 */
#define TMEM_SIZE	(4 * SZ_4K)
#define T_AFTER		((uintptr_t)tmem)
#define T_TARGET	((uintptr_t)tmem + SZ_4K)
#define T_RESULT	((uintptr_t)tmem + 2 * SZ_4K)
#define CMD_BYTES	256
#define F32_ONE		0x3f800000u
#define F32_TWO		0x40000000u
/* An address whose page is the last one: any access of 2 pages or more wraps. */
#define TOP_PAGE	0xfffffffffffff000ull

static uint8_t *tmem, *smem;

static void cmd_mem_reset(void)
{
	if (!tmem) {
		tmem = map_guarded(TMEM_SIZE);
		smem = map_guarded(TMEM_SIZE);
		for (size_t i = 0; i < TMEM_SIZE / 4; i++)
			((uint32_t *)smem)[i] = F32_ONE;
	}
	memset(tmem, 0, TMEM_SIZE);
}

static void require_compute(uint16_t op)
{
	if (op == DRM_SVMGPU_CMD_SAXPY || op == DRM_SVMGPU_CMD_REDUCE)
		igt_require_f(features & DRM_SVMGPU_FEATURE_COMPUTE,
			      "the device has no SAXPY and REDUCE commands\n");
}

/* A valid command of opcode @op writing T_TARGET; returns its size. */
static size_t good_cmd(uint16_t op, union cmd *c)
{
	memset(c, 0, sizeof(*c));
	require_compute(op);
	switch (op) {
	case DRM_SVMGPU_CMD_STORE32:
	case DRM_SVMGPU_CMD_STORE64:
		c->store.address = T_TARGET;
		c->store.value = 0x0123456789abcdefull;
		break;
	case DRM_SVMGPU_CMD_FILL32:
		c->fill.address = T_TARGET;
		c->fill.size = CMD_BYTES;
		c->fill.value = 0xdeadbeef;
		break;
	case DRM_SVMGPU_CMD_COPY:
		c->copy.dst = T_TARGET;
		c->copy.src = (uintptr_t)smem;
		c->copy.size = CMD_BYTES;
		break;
	case DRM_SVMGPU_CMD_ATOMIC:
		c->hdr.flags = DRM_SVMGPU_ATOMIC_ADD | DRM_SVMGPU_ATOMIC_64;
		c->atomic.address = T_TARGET;
		c->atomic.operand = 5;
		c->atomic.result_address = T_RESULT;
		break;
	case DRM_SVMGPU_CMD_SAXPY:
		c->saxpy.x = (uintptr_t)smem;
		c->saxpy.y = T_TARGET;
		c->saxpy.n = CMD_BYTES / 4;
		c->saxpy.a = F32_TWO;
		break;
	case DRM_SVMGPU_CMD_REDUCE:
		c->hdr.flags = DRM_SVMGPU_REDUCE_SUM_U32;
		c->reduce.src = (uintptr_t)smem;
		c->reduce.n = CMD_BYTES / 4;
		c->reduce.dst = T_TARGET;
		break;
	}
	c->hdr.opcode = op;
	c->hdr.length = cmd_size(op);
	return cmd_size(op);
}

/* [@c][store64 T_AFTER = 1][END] on a fresh queue; returns the job's error. */
static int run_cmd(uint32_t q, const union cmd *c, size_t size)
{
	cmd_mem_reset();
	svmgpu_batch_reset(batch);
	if (size)
		svmgpu_batch_emit(batch, c, size);
	svmgpu_cmd_store64(batch, (void *)T_AFTER, 1);
	return svmgpu_exec_wait(fd, q, svmgpu_batch_end(batch));
}

/*
 * The job of a malformed command @c fails with -EINVAL, the queue reports
 * itself banned with that error, and nothing was written: neither the bad
 * command's targets nor what the command after it stores.
 */
static __igt_printf(3, 4) void run_bad_cmd(const union cmd *c, size_t size, const char *fmt, ...)
{
	struct drm_svmgpu_queue_get_fault f;
	uint32_t q = svmgpu_queue_create(fd, vm);
	char what[160];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	ret = run_cmd(q, c, size);
	igt_assert_f(ret == -EINVAL, "%s: job error %d (%s), expected -EINVAL\n", what, ret,
		     strerror(-ret));
	svmgpu_get_fault(fd, q, &f);
	igt_assert_f(f.banned == 1 && f.error == -EINVAL,
		     "%s: fault report banned %u error %d, expected banned with -EINVAL\n", what,
		     f.banned, f.error);
	for (size_t i = 0; i < TMEM_SIZE; i++)
		igt_assert_f(!tmem[i], "%s: byte %zu of the target memory written (0x%02x)%s\n",
			     what, i, tmem[i], i < 8 ? ", by the command after the bad one" : "");
	svmgpu_queue_destroy(fd, q);
}

static void test_cmd_baseline(void)
{
	static const uint16_t ops[] = {
		DRM_SVMGPU_CMD_END, DRM_SVMGPU_CMD_STORE32, DRM_SVMGPU_CMD_STORE64,
		DRM_SVMGPU_CMD_FILL32, DRM_SVMGPU_CMD_COPY, DRM_SVMGPU_CMD_ATOMIC,
		DRM_SVMGPU_CMD_SAXPY, DRM_SVMGPU_CMD_REDUCE,
	};
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		const uint64_t *t = (const uint64_t *)T_TARGET;
		size_t size;

		if ((ops[i] == DRM_SVMGPU_CMD_SAXPY || ops[i] == DRM_SVMGPU_CMD_REDUCE) &&
		    !(features & DRM_SVMGPU_FEATURE_COMPUTE))
			continue;
		size = good_cmd(ops[i], &c);
		if (ops[i] == DRM_SVMGPU_CMD_END)
			size = 0;	/* the batch's own END */
		igt_assert_f(run_cmd(queue, &c, size) == 0, "%s\n", cmd_names[ops[i]]);
		igt_assert_eq_u64(*(uint64_t *)T_AFTER, 1);
		if (ops[i] != DRM_SVMGPU_CMD_END)
			igt_assert_f(t[0], "%s did not write its target\n", cmd_names[ops[i]]);
	}
}

static void test_cmd_unknown_opcode(void)
{
	const uint16_t ops[] = { DRM_SVMGPU_CMD_REDUCE + 1, DRM_SVMGPU_CMD_REDUCE + 2, 0x100,
				 0x7fff, 0xffff };
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		/* Shaped like a store to T_TARGET, in case it were taken for one. */
		good_cmd(DRM_SVMGPU_CMD_STORE64, &c);
		c.hdr.opcode = ops[i];
		run_bad_cmd(&c, sizeof(c.store), "opcode 0x%x", ops[i]);
		c.hdr.length = 8;
		run_bad_cmd(&c, 8, "opcode 0x%x, length 8", ops[i]);
	}
}

static void bad_length(uint16_t op)
{
	union cmd c;
	size_t size = good_cmd(op, &c);
	const uint16_t lens[] = { 0, size - 8, size - 1, size + 4, size + 8, 0xfff8, 0xffff };

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		if (lens[i] == size || (i > 0 && lens[i] == 0))
			continue;
		good_cmd(op, &c);
		c.hdr.length = lens[i];
		run_bad_cmd(&c, size, "%s with length %u", cmd_names[op], lens[i]);
	}
}

static void test_cmd_end_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_END);
}

static void test_cmd_store32_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_STORE32);
}

static void test_cmd_store64_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_STORE64);
}

static void test_cmd_fill32_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_FILL32);
}

static void test_cmd_copy_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_COPY);
}

static void test_cmd_atomic_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_ATOMIC);
}

static void test_cmd_saxpy_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_SAXPY);
}

static void test_cmd_reduce_bad_length(void)
{
	bad_length(DRM_SVMGPU_CMD_REDUCE);
}

/* Header flag bits @first_bit..31 must be zero for @op. */
static void bad_flags(uint16_t op, int first_bit)
{
	union cmd c;

	for (int bit = first_bit; bit < 32; bit++) {
		size_t size = good_cmd(op, &c);

		c.hdr.flags |= 1u << bit;
		run_bad_cmd(&c, size, "%s with flags 0x%x", cmd_names[op], c.hdr.flags);
	}
}

static void test_cmd_end_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_END, 0);
}

static void test_cmd_store32_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_STORE32, 0);
}

static void test_cmd_store64_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_STORE64, 0);
}

static void test_cmd_fill32_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_FILL32, 0);
}

static void test_cmd_copy_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_COPY, 0);
}

static void test_cmd_atomic_invalid_flags(void)
{
	/* Bits 0-7 are the op, bit 8 is ATOMIC_64. */
	bad_flags(DRM_SVMGPU_CMD_ATOMIC, 9);
}

static void test_cmd_saxpy_invalid_flags(void)
{
	bad_flags(DRM_SVMGPU_CMD_SAXPY, 0);
}

static void test_cmd_reduce_invalid_flags(void)
{
	/* Bits 0-7 are the op. */
	bad_flags(DRM_SVMGPU_CMD_REDUCE, 8);
}

static void test_cmd_atomic_unknown_op(void)
{
	const uint32_t ops[] = { DRM_SVMGPU_ATOMIC_CMPXCHG + 1, DRM_SVMGPU_ATOMIC_CMPXCHG + 2,
				 0x80, 0xff };
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		for (int is64 = 0; is64 < 2; is64++) {
			size_t size = good_cmd(DRM_SVMGPU_CMD_ATOMIC, &c);

			c.hdr.flags = ops[i] | (is64 ? DRM_SVMGPU_ATOMIC_64 : 0);
			run_bad_cmd(&c, size, "atomic op %u%s", ops[i], is64 ? ", 64-bit" : "");
		}
	}
}

static void test_cmd_reduce_unknown_op(void)
{
	const uint32_t ops[] = { DRM_SVMGPU_REDUCE_MAX_U32 + 1, DRM_SVMGPU_REDUCE_MAX_U32 + 2,
				 0x80, 0xff };
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_REDUCE, &c);

		c.hdr.flags = ops[i];
		run_bad_cmd(&c, size, "reduce op %u", ops[i]);
	}
}

static void test_cmd_fill32_invalid_pad(void)
{
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_FILL32, &c);

		c.fill.pad = bad_pads[i];
		run_bad_cmd(&c, size, "fill32 with pad 0x%x", bad_pads[i]);
	}
}

static void test_cmd_saxpy_invalid_pad(void)
{
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);

		c.saxpy.pad = bad_pads[i];
		run_bad_cmd(&c, size, "saxpy with pad 0x%x", bad_pads[i]);
	}
}

static void store_unaligned(uint16_t op, int align)
{
	union cmd c;

	for (int off = 1; off < align; off++) {
		size_t size = good_cmd(op, &c);

		c.store.address += off;
		run_bad_cmd(&c, size, "%s at +%d", cmd_names[op], off);
	}
}

static void test_cmd_store32_unaligned(void)
{
	store_unaligned(DRM_SVMGPU_CMD_STORE32, 4);
}

static void test_cmd_store64_unaligned(void)
{
	store_unaligned(DRM_SVMGPU_CMD_STORE64, 8);
}

static void atomic_unaligned(bool is64, bool result)
{
	const int align = is64 ? 8 : 4;
	union cmd c;

	for (int off = 1; off < align; off++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_ATOMIC, &c);

		if (!is64)
			c.hdr.flags &= ~DRM_SVMGPU_ATOMIC_64;
		if (result)
			c.atomic.result_address += off;
		else
			c.atomic.address += off;
		run_bad_cmd(&c, size, "%d-bit atomic with %s at +%d", is64 ? 64 : 32,
			    result ? "result" : "operand", off);
	}
}

static void test_cmd_atomic32_unaligned(void)
{
	atomic_unaligned(false, false);
}

static void test_cmd_atomic64_unaligned(void)
{
	atomic_unaligned(true, false);
}

static void test_cmd_atomic_unaligned_result(void)
{
	atomic_unaligned(false, true);
	atomic_unaligned(true, true);
}

static void test_cmd_fill32_unaligned_address(void)
{
	union cmd c;

	for (int off = 1; off < 4; off++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_FILL32, &c);

		c.fill.address += off;
		run_bad_cmd(&c, size, "fill32 at +%d", off);
	}
}

static void test_cmd_fill32_unaligned_size(void)
{
	const uint64_t sizes[] = { 1, 2, 3, 5, CMD_BYTES - 1, CMD_BYTES + 2 };
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_FILL32, &c);

		c.fill.size = sizes[i];
		run_bad_cmd(&c, size, "fill32 of %llu bytes", (unsigned long long)sizes[i]);
	}
}

static void test_cmd_saxpy_unaligned(void)
{
	union cmd c;

	for (int off = 1; off < 4; off++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);

		c.saxpy.x += off;
		run_bad_cmd(&c, size, "saxpy with x at +%d", off);
		good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);
		c.saxpy.y += off;
		run_bad_cmd(&c, size, "saxpy with y at +%d", off);
	}
}

static void test_cmd_reduce_unaligned_src(void)
{
	union cmd c;

	for (int off = 1; off < 4; off++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_REDUCE, &c);

		c.reduce.src += off;
		run_bad_cmd(&c, size, "reduce with src at +%d", off);
	}
}

static void test_cmd_reduce_unaligned_dst(void)
{
	/* SUM_U32 stores a u64, the others a 32-bit value. */
	const struct {
		uint32_t op;
		int off;
	} cases[] = {
		{ DRM_SVMGPU_REDUCE_SUM_U32, 1 }, { DRM_SVMGPU_REDUCE_SUM_U32, 4 },
		{ DRM_SVMGPU_REDUCE_SUM_F32, 2 }, { DRM_SVMGPU_REDUCE_MAX_U32, 1 },
		{ DRM_SVMGPU_REDUCE_MAX_U32, 3 },
	};
	union cmd c;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t size = good_cmd(DRM_SVMGPU_CMD_REDUCE, &c);

		c.hdr.flags = cases[i].op;
		c.reduce.dst += cases[i].off;
		run_bad_cmd(&c, size, "reduce op %u with dst at +%d", cases[i].op, cases[i].off);
	}
}

static void test_cmd_fill32_overflow(void)
{
	union cmd c;
	size_t size = good_cmd(DRM_SVMGPU_CMD_FILL32, &c);

	c.fill.address = TOP_PAGE;
	c.fill.size = 2 * SZ_4K;
	run_bad_cmd(&c, size, "fill32 of 8K at 0x%llx", TOP_PAGE);
	good_cmd(DRM_SVMGPU_CMD_FILL32, &c);
	c.fill.size = -(uint64_t)T_TARGET;
	run_bad_cmd(&c, size, "fill32 up to 2^64");
	c.fill.size = ~3ull;
	run_bad_cmd(&c, size, "fill32 of 2^64 - 4 bytes");
}

static void test_cmd_copy_overflow_dst(void)
{
	union cmd c;
	size_t size = good_cmd(DRM_SVMGPU_CMD_COPY, &c);

	c.copy.dst = TOP_PAGE;
	c.copy.size = 2 * SZ_4K;
	run_bad_cmd(&c, size, "copy of 8K to 0x%llx", TOP_PAGE);
	good_cmd(DRM_SVMGPU_CMD_COPY, &c);
	c.copy.size = -(uint64_t)T_TARGET;
	run_bad_cmd(&c, size, "copy to the target up to 2^64");
}

static void test_cmd_copy_overflow_src(void)
{
	union cmd c;
	size_t size = good_cmd(DRM_SVMGPU_CMD_COPY, &c);

	c.copy.src = TOP_PAGE;
	c.copy.size = 2 * SZ_4K;
	run_bad_cmd(&c, size, "copy of 8K from 0x%llx", TOP_PAGE);
	good_cmd(DRM_SVMGPU_CMD_COPY, &c);
	c.copy.src = T_TARGET;		/* overlapping, but that is no error */
	c.copy.dst = T_TARGET + SZ_4K;
	c.copy.size = -(uint64_t)T_TARGET + SZ_4K;
	run_bad_cmd(&c, size, "copy from the target past 2^64");
}

static void test_cmd_saxpy_overflow(void)
{
	union cmd c;
	size_t size = good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);

	c.saxpy.n = 1ull << 62;		/* n * 4 overflows */
	run_bad_cmd(&c, size, "saxpy of 2^62 elements");
	good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);
	c.saxpy.x = TOP_PAGE;
	c.saxpy.n = 2 * SZ_4K / 4;
	run_bad_cmd(&c, size, "saxpy with x at 0x%llx", TOP_PAGE);
	good_cmd(DRM_SVMGPU_CMD_SAXPY, &c);
	c.saxpy.n = (-(uint64_t)T_TARGET) / 4 + 1;
	run_bad_cmd(&c, size, "saxpy with y past 2^64");
}

static void test_cmd_reduce_overflow(void)
{
	union cmd c;
	size_t size = good_cmd(DRM_SVMGPU_CMD_REDUCE, &c);

	c.reduce.n = 1ull << 62;
	run_bad_cmd(&c, size, "reduce of 2^62 elements");
	good_cmd(DRM_SVMGPU_CMD_REDUCE, &c);
	c.reduce.src = TOP_PAGE;
	c.reduce.n = 2 * SZ_4K / 4;
	run_bad_cmd(&c, size, "reduce of src at 0x%llx", TOP_PAGE);
}

/* ---- PREFETCH ---- */

static struct drm_svmgpu_prefetch prefetch_args(void)
{
	return (struct drm_svmgpu_prefetch){
		.vm_id = vm,
		.region = DRM_SVMGPU_REGION_SYSTEM,
		.start = (uintptr_t)prefetch_mem(),
		.range = SZ_64K,
	};
}

static int prefetch_ioctl(struct drm_svmgpu_prefetch *p)
{
	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_PREFETCH, p);
}

/* The arguments every prefetch subtest starts from, checked to be accepted. */
static struct drm_svmgpu_prefetch prefetch_base(void)
{
	struct drm_svmgpu_prefetch p = prefetch_args();

	igt_assert_eq(prefetch_ioctl(&p), 0);
	return p;
}

static void test_prefetch_invalid_flags(void)
{
	struct drm_svmgpu_prefetch p = prefetch_base();

	for (int bit = 0; bit < 32; bit++) {
		p.flags = 1u << bit;
		assert_errno(prefetch_ioctl(&p), EINVAL, "flags bit %d", bit);
	}
}

static void test_prefetch_invalid_pad(void)
{
	struct drm_svmgpu_prefetch p = prefetch_base();

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		p.pad = bad_pads[i];
		assert_errno(prefetch_ioctl(&p), EINVAL, "pad 0x%x", bad_pads[i]);
	}
}

static void test_prefetch_invalid_region(void)
{
	const uint32_t regions[] = { DRM_SVMGPU_REGION_DEVICE + 1, DRM_SVMGPU_REGION_DEVICE + 2,
				     0x80000000u, ~0u };
	struct drm_svmgpu_prefetch p = prefetch_base();

	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		p.region = regions[i];
		assert_errno(prefetch_ioctl(&p), EINVAL, "region %u", regions[i]);
	}
}

static void test_prefetch_zero_range(void)
{
	struct drm_svmgpu_prefetch p = prefetch_base();

	p.range = 0;
	assert_errno(prefetch_ioctl(&p), EINVAL, "range 0");
}

static void test_prefetch_unaligned_start(void)
{
	const uint64_t offs[] = { 1, 8, SZ_4K / 2, SZ_4K - 1 };
	struct drm_svmgpu_prefetch p = prefetch_base();

	p.range = SZ_4K;
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		p.start = (uintptr_t)prefetch_mem() + offs[i];
		assert_errno(prefetch_ioctl(&p), EINVAL, "start at +%llu",
			     (unsigned long long)offs[i]);
	}
}

static void test_prefetch_unaligned_range(void)
{
	const uint64_t ranges[] = { 1, 8, SZ_4K - 1, SZ_4K + 1, SZ_64K - 8 };
	struct drm_svmgpu_prefetch p = prefetch_base();

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		p.range = ranges[i];
		assert_errno(prefetch_ioctl(&p), EINVAL, "range %llu",
			     (unsigned long long)ranges[i]);
	}
}

static void test_prefetch_overflow(void)
{
	struct drm_svmgpu_prefetch p = prefetch_base();

	p.range = -(uint64_t)p.start;		/* ends at exactly 2^64 */
	assert_errno(prefetch_ioctl(&p), EINVAL, "range up to 2^64");
	p.range = ~(SZ_4K - 1);
	assert_errno(prefetch_ioctl(&p), EINVAL, "range 2^64 - 4K");
	p.start = TOP_PAGE;
	p.range = 2 * SZ_4K;
	assert_errno(prefetch_ioctl(&p), EINVAL, "8K at 0x%llx", TOP_PAGE);
}

static void test_prefetch_beyond_address_space(void)
{
	const uint64_t starts[] = { 1ull << 63, 0xffff800000000000ull, (1ull << 63) - SZ_4K };
	struct drm_svmgpu_prefetch p = prefetch_base();

	for (size_t i = 0; i < ARRAY_SIZE(starts); i++) {
		p.start = starts[i];
		p.range = 2 * SZ_4K;
		assert_errno(prefetch_ioctl(&p), EINVAL, "start 0x%llx",
			     (unsigned long long)starts[i]);
	}
}

static void test_prefetch_unknown_vm(void)
{
	struct drm_svmgpu_prefetch p = prefetch_base();
	uint32_t gone = svmgpu_vm_create(fd);

	svmgpu_vm_destroy(fd, gone);
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		p.vm_id = unknown_ids[i];
		assert_errno(prefetch_ioctl(&p), ENOENT, "vm_id %u", unknown_ids[i]);
	}
	p.vm_id = gone;
	assert_errno(prefetch_ioctl(&p), ENOENT, "destroyed vm %u", gone);
}

static void test_prefetch_unmapped(void)
{
	char *p3 = mmap(NULL, 3 * SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	struct drm_svmgpu_prefetch p = prefetch_base();
	int nregions = features & DRM_SVMGPU_FEATURE_DEVMEM ? 2 : 1;

	igt_assert(p3 != MAP_FAILED);
	memset(p3, 1, 3 * SZ_4K);
	igt_assert_eq(munmap(p3 + SZ_4K, SZ_4K), 0);
	for (int r = 0; r < nregions; r++) {
		p.region = r;
		p.start = (uintptr_t)p3;
		p.range = 3 * SZ_4K;
		assert_errno(prefetch_ioctl(&p), EFAULT, "region %d, range with a hole", r);
		p.start = (uintptr_t)p3 + SZ_4K;
		p.range = SZ_4K;
		assert_errno(prefetch_ioctl(&p), EFAULT, "region %d, the hole", r);
		p.start = 0;
		assert_errno(prefetch_ioctl(&p), EFAULT, "region %d, page 0", r);
		/* What is mapped still prefetches. */
		p.start = (uintptr_t)p3;
		igt_assert_eq(prefetch_ioctl(&p), 0);
	}
	munmap(p3, SZ_4K);
	munmap(p3 + 2 * SZ_4K, SZ_4K);
}

/* ---- QUEUE_GET_FAULT ---- */

static int get_fault_ioctl(struct drm_svmgpu_queue_get_fault *f)
{
	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT, f);
}

static void get_fault_base(struct drm_svmgpu_queue_get_fault *f)
{
	*f = (struct drm_svmgpu_queue_get_fault){ .queue_id = queue };
	igt_assert_eq(get_fault_ioctl(f), 0);
	igt_assert_eq(f->banned, 0);
	*f = (struct drm_svmgpu_queue_get_fault){ .queue_id = queue };
}

static void test_get_fault_invalid_flags(void)
{
	struct drm_svmgpu_queue_get_fault f;

	for (int bit = 0; bit < 32; bit++) {
		get_fault_base(&f);
		f.flags = 1u << bit;
		assert_errno(get_fault_ioctl(&f), EINVAL, "flags bit %d", bit);
	}
}

static void test_get_fault_invalid_pad(void)
{
	struct drm_svmgpu_queue_get_fault f;

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		get_fault_base(&f);
		f.pad = bad_pads[i];
		assert_errno(get_fault_ioctl(&f), EINVAL, "pad 0x%x", bad_pads[i]);
	}
}

static void test_get_fault_nonzero_output(void)
{
	struct drm_svmgpu_queue_get_fault f;

	for (int i = 0; i < 2; i++) {
		get_fault_base(&f);
		f.banned = i ? ~0u : 1;
		assert_errno(get_fault_ioctl(&f), EINVAL, "banned 0x%x on input", f.banned);
		get_fault_base(&f);
		f.error = i ? -EFAULT : 1;
		assert_errno(get_fault_ioctl(&f), EINVAL, "error %d on input", f.error);
		get_fault_base(&f);
		f.fault_address = i ? 1ull << 63 : 1;
		assert_errno(get_fault_ioctl(&f), EINVAL, "fault_address 0x%llx on input",
			     (unsigned long long)f.fault_address);
		get_fault_base(&f);
		f.fault_access = i ? ~0u : DRM_SVMGPU_ACCESS_READ;
		assert_errno(get_fault_ioctl(&f), EINVAL, "fault_access 0x%x on input",
			     f.fault_access);
	}
}

static void test_get_fault_unknown_queue(void)
{
	struct drm_svmgpu_queue_get_fault f;
	uint32_t gone = svmgpu_queue_create(fd, vm);

	svmgpu_queue_destroy(fd, gone);
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		get_fault_base(&f);
		f.queue_id = unknown_ids[i];
		assert_errno(get_fault_ioctl(&f), ENOENT, "queue_id %u", unknown_ids[i]);
	}
	get_fault_base(&f);
	f.queue_id = gone;
	assert_errno(get_fault_ioctl(&f), ENOENT, "destroyed queue %u", gone);
}

/* ---- MADVISE, MADVISE_QUERY ---- */

static int madvise_ioctl(struct drm_svmgpu_madvise *m)
{
	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, m);
}

static int madvise_query_ioctl(struct drm_svmgpu_madvise_query *q)
{
	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE_QUERY, q);
}

/* Sets the default preferred location on prefetch_mem(): accepted, and changes nothing. */
static struct drm_svmgpu_madvise madvise_args(void)
{
	return (struct drm_svmgpu_madvise){
		.vm_id = vm,
		.flags = DRM_SVMGPU_MADVISE_PREFERRED_LOC,
		.start = (uintptr_t)prefetch_mem(),
		.range = SZ_64K,
		.preferred_location = DRM_SVMGPU_PREFERRED_DEFAULT,
	};
}

static struct drm_svmgpu_madvise madvise_base(void)
{
	struct drm_svmgpu_madvise m = madvise_args();

	assert_errno(madvise_ioctl(&m), 0, "the baseline madvise");
	return m;
}

static struct drm_svmgpu_madvise_query madvise_query_args(void)
{
	return (struct drm_svmgpu_madvise_query){
		.vm_id = vm,
		.start = (uintptr_t)prefetch_mem(),
		.range = SZ_64K,
	};
}

static struct drm_svmgpu_madvise_query madvise_query_base(void)
{
	struct drm_svmgpu_madvise_query q = madvise_query_args();

	assert_errno(madvise_query_ioctl(&q), 0, "the baseline madvise query");
	return madvise_query_args();
}

static void test_madvise_no_flag(void)
{
	struct drm_svmgpu_madvise m = madvise_base();

	m.flags = 0;
	assert_errno(madvise_ioctl(&m), EINVAL, "flags 0");
}

static void test_madvise_invalid_flags(void)
{
	const uint32_t known = DRM_SVMGPU_MADVISE_PREFERRED_LOC | DRM_SVMGPU_MADVISE_ATOMIC |
			       DRM_SVMGPU_MADVISE_GRANULARITY;
	struct drm_svmgpu_madvise m = madvise_base();

	for (int bit = 0; bit < 32; bit++) {
		if (known & (1u << bit))
			continue;
		m.flags = 1u << bit;
		assert_errno(madvise_ioctl(&m), EINVAL, "flags 0x%x", m.flags);
		m.flags |= DRM_SVMGPU_MADVISE_PREFERRED_LOC;
		assert_errno(madvise_ioctl(&m), EINVAL, "flags 0x%x", m.flags);
	}
}

static void test_madvise_invalid_pad(void)
{
	struct drm_svmgpu_madvise m = madvise_base();

	for (size_t i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		m.pad = bad_pads[i];
		assert_errno(madvise_ioctl(&m), EINVAL, "pad 0x%x", bad_pads[i]);
	}
}

static void test_madvise_invalid_preferred_location(void)
{
	const uint32_t locs[] = { DRM_SVMGPU_PREFERRED_DEVICE + 1, DRM_SVMGPU_PREFERRED_DEVICE + 2,
				  0x80000000u, ~0u };
	struct drm_svmgpu_madvise m = madvise_base();

	for (size_t i = 0; i < ARRAY_SIZE(locs); i++) {
		m.preferred_location = locs[i];
		assert_errno(madvise_ioctl(&m), EINVAL, "preferred_location %u", locs[i]);
	}
}

static void test_madvise_invalid_atomic_policy(void)
{
	const uint32_t policies[] = { DRM_SVMGPU_ATOMIC_CPU + 1, DRM_SVMGPU_ATOMIC_CPU + 2,
				      0x80000000u, ~0u };
	struct drm_svmgpu_madvise m = madvise_base();

	m.flags = DRM_SVMGPU_MADVISE_ATOMIC;
	m.atomic_policy = DRM_SVMGPU_ATOMIC_UNDEFINED;
	assert_errno(madvise_ioctl(&m), 0, "atomic_policy %u", m.atomic_policy);
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		m.atomic_policy = policies[i];
		assert_errno(madvise_ioctl(&m), EINVAL, "atomic_policy %u", policies[i]);
	}
}

static void test_madvise_invalid_granularity(void)
{
	const uint32_t good[] = { 0, 12, 16, 21 };
	const uint32_t bad[] = { 1, 11, 13, 14, 15, 17, 20, 22, 30, 32, 63, 64, ~0u };
	struct drm_svmgpu_madvise m = madvise_base();

	m.flags = DRM_SVMGPU_MADVISE_GRANULARITY;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		m.granularity_shift = good[i];
		assert_errno(madvise_ioctl(&m), 0, "granularity_shift %u", good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		m.granularity_shift = bad[i];
		assert_errno(madvise_ioctl(&m), EINVAL, "granularity_shift %u", bad[i]);
	}
	m.granularity_shift = 0;
	assert_errno(madvise_ioctl(&m), 0, "back to the default granularity");
}

/*
 * The range checks shared by MADVISE and MADVISE_QUERY: @start and @range
 * point into the argument; @call issues the ioctl.
 */
static void bad_ranges(__u64 *start, __u64 *range, int (*call)(void *), void *arg)
{
	const uint64_t base = (uintptr_t)prefetch_mem();
	const struct {
		uint64_t start, range;
		const char *what;
	} cases[] = {
		{ base, 0, "empty range" },
		{ base + 1, SZ_4K, "start at +1" },
		{ base + SZ_4K / 2, SZ_4K, "start at +2K" },
		{ base + SZ_4K - 8, SZ_4K, "start at +4K-8" },
		{ base, 1, "range 1" },
		{ base, SZ_4K - 1, "range 4K-1" },
		{ base, SZ_4K + 8, "range 4K+8" },
		{ base, -base, "range up to 2^64" },
		{ base, ~(SZ_4K - 1), "range 2^64-4K" },
		{ TOP_PAGE, 2 * SZ_4K, "8K at the last page" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		*start = cases[i].start;
		*range = cases[i].range;
		assert_errno(call(arg), EINVAL, "%s (start 0x%llx, range 0x%llx)", cases[i].what,
			     (unsigned long long)cases[i].start,
			     (unsigned long long)cases[i].range);
	}
}

static int madvise_call(void *arg)
{
	return madvise_ioctl(arg);
}

static int madvise_query_call(void *arg)
{
	struct drm_svmgpu_madvise_query *q = arg;

	/* The outputs are zero on input, as for any first call. */
	q->preferred_location = 0;
	q->atomic_policy = 0;
	q->granularity_shift = 0;
	q->uniform = 0;
	return madvise_query_ioctl(q);
}

static void test_madvise_bad_range(void)
{
	struct drm_svmgpu_madvise m = madvise_base();

	bad_ranges(&m.start, &m.range, madvise_call, &m);
}

static void test_madvise_unknown_vm(void)
{
	struct drm_svmgpu_madvise m = madvise_base();
	uint32_t gone = svmgpu_vm_create(fd);

	svmgpu_vm_destroy(fd, gone);
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		m.vm_id = unknown_ids[i];
		assert_errno(madvise_ioctl(&m), ENOENT, "vm_id %u", unknown_ids[i]);
	}
	m.vm_id = gone;
	assert_errno(madvise_ioctl(&m), ENOENT, "destroyed vm %u", gone);
}

static void test_madvise_query_invalid_flags(void)
{
	for (int bit = 0; bit < 32; bit++) {
		struct drm_svmgpu_madvise_query q = madvise_query_base();

		q.flags = 1u << bit;
		assert_errno(madvise_query_ioctl(&q), EINVAL, "flags bit %d", bit);
	}
}

static void test_madvise_query_bad_range(void)
{
	struct drm_svmgpu_madvise_query q = madvise_query_base();

	bad_ranges(&q.start, &q.range, madvise_query_call, &q);
}

static void test_madvise_query_unknown_vm(void)
{
	struct drm_svmgpu_madvise_query q = madvise_query_base();
	uint32_t gone = svmgpu_vm_create(fd);

	svmgpu_vm_destroy(fd, gone);
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		q = madvise_query_args();
		q.vm_id = unknown_ids[i];
		assert_errno(madvise_query_ioctl(&q), ENOENT, "vm_id %u", unknown_ids[i]);
	}
	q = madvise_query_args();
	q.vm_id = gone;
	assert_errno(madvise_query_ioctl(&q), ENOENT, "destroyed vm %u", gone);
}

/* ---- every ioctl ---- */

static void test_unknown_ioctl(void)
{
	uint64_t buf[8] = {};

	for (unsigned int nr = DRM_SVMGPU_MADVISE_QUERY + 1; nr <= DRM_SVMGPU_MADVISE_QUERY + 3;
	     nr++) {
		assert_errno(svmgpu_ioctl(fd, DRM_IO(DRM_COMMAND_BASE + nr), NULL), EINVAL,
			     "DRM_IO(%#x)", nr);
		assert_errno(svmgpu_ioctl(fd, DRM_IOW(DRM_COMMAND_BASE + nr, buf), buf), EINVAL,
			     "DRM_IOW(%#x, 64 bytes)", nr);
		assert_errno(svmgpu_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + nr, buf), buf), EINVAL,
			     "DRM_IOWR(%#x, 64 bytes)", nr);
	}
}

static void test_bad_arg_pointer(void)
{
	for (size_t i = 0; i < NUM_IOCTLS; i++)
		for (size_t j = 0; j < ARRAY_SIZE(bad_pointers); j++)
			assert_errno(svmgpu_ioctl(fd, ioctls[i].req,
						  (void *)(uintptr_t)bad_pointers[j]),
				     EFAULT, "%s with its argument at 0x%llx", ioctls[i].name,
				     (unsigned long long)bad_pointers[j]);
}

/*
 * Valid arguments of ioctl @nr in @buf; *obj is an object the call consumes
 * (created here), to be cleaned up by oversized_cleanup().
 */
static void oversized_args(unsigned int nr, void *buf, uint32_t *obj)
{
	*obj = 0;
	switch (nr) {
	case DRM_SVMGPU_QUERY:
		*(struct drm_svmgpu_query *)buf = (struct drm_svmgpu_query){
			.type = DRM_SVMGPU_QUERY_DEVICE_INFO,
		};
		break;
	case DRM_SVMGPU_VM_CREATE:
		break;
	case DRM_SVMGPU_VM_DESTROY:
		*obj = svmgpu_vm_create(fd);
		((struct drm_svmgpu_vm_destroy *)buf)->vm_id = *obj;
		break;
	case DRM_SVMGPU_QUEUE_CREATE:
		((struct drm_svmgpu_queue_create *)buf)->vm_id = vm;
		break;
	case DRM_SVMGPU_QUEUE_DESTROY:
		*obj = svmgpu_queue_create(fd, vm);
		((struct drm_svmgpu_queue_destroy *)buf)->queue_id = *obj;
		break;
	case DRM_SVMGPU_EXEC:
		*(struct drm_svmgpu_exec *)buf = exec_args(queue, &end_only);
		break;
	case DRM_SVMGPU_PREFETCH:
		*(struct drm_svmgpu_prefetch *)buf = prefetch_args();
		break;
	case DRM_SVMGPU_QUEUE_GET_FAULT:
		((struct drm_svmgpu_queue_get_fault *)buf)->queue_id = queue;
		break;
	case DRM_SVMGPU_MADVISE:
		*(struct drm_svmgpu_madvise *)buf = madvise_args();
		break;
	case DRM_SVMGPU_MADVISE_QUERY:
		*(struct drm_svmgpu_madvise_query *)buf = madvise_query_args();
		break;
	}
}

static void oversized_cleanup(unsigned int nr, const void *buf, uint32_t obj, int ret)
{
	switch (nr) {
	case DRM_SVMGPU_VM_CREATE:
		if (!ret)
			svmgpu_vm_destroy(fd, ((const struct drm_svmgpu_vm_create *)buf)->vm_id);
		break;
	case DRM_SVMGPU_VM_DESTROY:
		if (ret)
			svmgpu_vm_destroy(fd, obj);
		break;
	case DRM_SVMGPU_QUEUE_CREATE:
		if (!ret) {
			const struct drm_svmgpu_queue_create *c = buf;

			svmgpu_queue_destroy(fd, c->queue_id);
		}
		break;
	case DRM_SVMGPU_QUEUE_DESTROY:
		if (ret)
			svmgpu_queue_destroy(fd, obj);
		break;
	}
}

static void oversized_one(void *arg)
{
	unsigned int nr = (uintptr_t)arg;
	unsigned long req = ioctls[nr].req;
	unsigned int size = _IOC_SIZE(req);
	unsigned long big = _IOC(_IOC_DIR(req), _IOC_TYPE(req), _IOC_NR(req), size + 8);
	uint64_t buf[16];

	igt_assert(size + 8 <= sizeof(buf));
	for (int tail = 0; tail < 2; tail++) {
		uint32_t obj;
		int ret;

		memset(buf, 0, sizeof(buf));
		oversized_args(nr, buf, &obj);
		((uint8_t *)buf)[size + 7] = tail ? 0x80 : 0;
		ret = svmgpu_ioctl(fd, big, buf);
		oversized_cleanup(nr, buf, obj, ret);
		if (tail)
			assert_errno(ret, E2BIG, "%s with 8 more bytes, non-zero", ioctls[nr].name);
		else
			assert_errno(ret, 0, "%s with 8 more bytes, zero", ioctls[nr].name);
	}
}

static void test_oversized_args(void)
{
	for (size_t i = 0; i < NUM_IOCTLS; i++)
		igt_dynamic(ioctls[i].name, oversized_one, (void *)(uintptr_t)i);
}

/* ---- fuzz-ioctls ---- */

#define FUZZ_SEED		0x73766d6775617069ull	/* "svmguapi" */
#define FUZZ_ITERS		20000
#define FUZZ_JOB_EVERY		25	/* one command buffer per this many iterations */
#define FUZZ_TIME_LIMIT		180	/* seconds: a safety net, stops early beyond it */
#define FUZZ_MAX_CMDS		32
#define FUZZ_MAX_VMS		6
#define FUZZ_MAX_QUEUES		12
#define FUZZ_SYNCOBJS		4
#define FUZZ_ARG_SIZE		256

/*
 * The fuzzer's memory: one mapping of regions, each between PROT_NONE guard
 * pages. Fuzzed jobs write only the data region (or addresses where nothing
 * is mapped): any write runs upwards and stops at the guard page after its
 * region, so the test's own stack and heap are never targets. The command
 * region is rewritten only while no job can read it; the safe batch and the
 * read-only page never change, so asynchronous fuzzed execs may run them.
 */
enum { FZ_DATA, FZ_CMD, FZ_SAFE, FZ_SYNCS, FZ_OUT, FZ_RO, FZ_REGIONS };
static const unsigned int fz_pages[FZ_REGIONS] = { 64, 4, 1, 1, 1, 1 };

/* Errnos the fuzzer counts; anything else fails the subtest. */
static const int fz_errnos[] = { 0, EINVAL, ENOENT, EFAULT, ECANCELED, EACCES, ENOSPC, ENOMEM,
				 E2BIG };
#define FZ_NERRNOS	ARRAY_SIZE(fz_errnos)

static struct {
	uint64_t rng;
	int fd;
	uint8_t *map;
	size_t map_size;
	uint8_t *region[FZ_REGIONS];
	uint32_t vms[FUZZ_MAX_VMS], queues[FUZZ_MAX_QUEUES];
	unsigned int nvms, nqueues;
	uint32_t syncobjs[FUZZ_SYNCOBJS];
	uint32_t job_vm, job_queue;
	bool clean;	/* the command buffer being built is well-formed */
	unsigned long iter, nioctls, njobs, clean_jobs, queues_recreated;
	unsigned long calls[NUM_IOCTLS][FZ_NERRNOS];
	unsigned long jobs[FZ_NERRNOS];
	uint64_t arg[FUZZ_ARG_SIZE / 8];
} fz;

/* splitmix64 */
static uint64_t rnd(void)
{
	uint64_t z = (fz.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

static bool chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

/* A corruption of a command field, in a command buffer that need not be well-formed. */
static bool corrupt(unsigned int percent)
{
	return !fz.clean && chance(percent);
}

/* A 32-bit field value: mostly zero or small, sometimes a single bit or anything. */
static uint32_t fz_u32(void)
{
	switch (rnd_below(8)) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 3:
		return rnd_below(4);
	case 4:
		return 1u << rnd_below(32);
	case 5:
		return ~0u;
	default:
		return rnd();
	}
}

static uint64_t fz_start(int r)
{
	return (uintptr_t)fz.region[r];
}

static uint64_t fz_end(int r)
{
	return fz_start(r) + fz_pages[r] * SZ_4K;
}

static bool fz_in(int r, uint64_t a)
{
	return a >= fz_start(r) && a < fz_end(r);
}

static bool fz_in_map(uint64_t a)
{
	return a >= (uintptr_t)fz.map && a < (uintptr_t)fz.map + fz.map_size;
}

/* Nothing of this process is there: the zero page, above 47 bits, or a guard page. */
static bool fz_unmapped(uint64_t a)
{
	if (a < 65536 || a >= 1ull << 47)
		return true;
	if (!fz_in_map(a))
		return false;
	for (int r = 0; r < FZ_REGIONS; r++)
		if (fz_in(r, a))
			return false;
	return true;
}

static uint64_t fz_garbage(void)
{
	switch (rnd_below(6)) {
	case 0:
		return rnd_below(SZ_4K);
	case 1:
		return rnd() | 1ull << 63;
	case 2:
		return (1ull << 47) + (rnd() & ((1ull << 46) - 1));
	case 3:
		return ~0ull - rnd_below(SZ_4K);
	default:
		/* The guard page before a region. */
		return fz_start(rnd_below(FZ_REGIONS)) - SZ_4K + rnd_below(SZ_4K);
	}
}

/* A random address in region @r, aligned to @align. */
static uint64_t fz_addr_in(int r, unsigned int align)
{
	return (fz_start(r) + rnd_below(fz_pages[r] * SZ_4K)) & ~(uint64_t)(align - 1);
}

/* Where a fuzzed command may write: the data region, or where nothing is mapped. */
static uint64_t fz_target(unsigned int align)
{
	uint64_t a = !corrupt(8) ? fz_addr_in(FZ_DATA, corrupt(10) ? 1 : align) : fz_garbage();

	igt_assert_f(fz_in(FZ_DATA, a) || fz_unmapped(a),
		     "fuzzer bug: GPU write target 0x%llx outside the scratch data region\n",
		     (unsigned long long)a);
	return a;
}

/* Unmapped, aligned, and far enough from 2^64 that no access wraps. */
static uint64_t fz_garbage_low(void)
{
	switch (rnd_below(3)) {
	case 0:
		return rnd_below(SZ_4K) & ~7u;
	case 1:
		return ((1ull << 47) + (rnd() & ((1ull << 46) - 1))) & ~7ull;
	default:
		return (fz_start(rnd_below(FZ_REGIONS)) - SZ_4K + rnd_below(SZ_4K)) & ~7ull;
	}
}

/* What a fuzzed command may read: any region, or garbage. */
static uint64_t fz_source(unsigned int align)
{
	if (chance(75))
		return fz_addr_in(FZ_DATA, corrupt(10) ? 1 : align);
	if (chance(60))
		return fz_addr_in(rnd_below(FZ_REGIONS), align);
	return fz.clean ? fz_garbage_low() : fz_garbage();
}

static uint64_t fz_len(void)
{
	switch (rnd_below(10)) {
	case 0:
		return 0;
	case 1:
	case 2:
	case 3:
	case 4:
		return rnd_below(1024) & ~3u;
	case 5:
		return rnd_below(64);
	case 6:
	case 7:
		/* Up to the whole region and into its guard page. */
		return rnd_below((fz_pages[FZ_DATA] + 2) * SZ_4K) & ~3u;
	default:
		/* Up to 2^64: wraps. Well-formed buffers do not. */
		if (fz.clean)
			return rnd_below(64) & ~3u;
		return rnd() >> rnd_below(64);
	}
}

/* One fuzzed command in @c, returning its size in the buffer. */
static size_t fz_cmd(union cmd *c)
{
	uint32_t flags = 0;
	uint16_t op;
	size_t size;

	memset(c, 0, sizeof(*c));
	if (corrupt(3)) {
		/* An unknown opcode; its body holds only harmless addresses. */
		op = DRM_SVMGPU_CMD_REDUCE + 1 + rnd_below(0xffff - DRM_SVMGPU_CMD_REDUCE);
		size = 8 * (1 + rnd_below(8));
		for (size_t i = 1; i < size / 8; i++)
			c->w[i] = fz_target(8);
		c->hdr.opcode = op;
		c->hdr.length = chance(50) ? size : (uint16_t)rnd();
		c->hdr.flags = fz_u32();
		return size;
	}
	op = chance(2) ? DRM_SVMGPU_CMD_END : 1 + rnd_below(DRM_SVMGPU_CMD_REDUCE);
	if (fz.clean && !(features & DRM_SVMGPU_FEATURE_COMPUTE) && op > DRM_SVMGPU_CMD_ATOMIC)
		op = DRM_SVMGPU_CMD_COPY;
	size = cmd_size(op);
	switch (op) {
	case DRM_SVMGPU_CMD_STORE32:
		c->store.address = fz_target(4);
		c->store.value = rnd();
		break;
	case DRM_SVMGPU_CMD_STORE64:
		c->store.address = fz_target(8);
		c->store.value = rnd();
		break;
	case DRM_SVMGPU_CMD_FILL32:
		c->fill.address = fz_target(4);
		c->fill.size = fz.clean ? fz_len() & ~3ull : fz_len();
		c->fill.value = rnd();
		c->fill.pad = corrupt(3) ? fz_u32() : 0;
		break;
	case DRM_SVMGPU_CMD_COPY:
		c->copy.dst = fz_target(1);
		c->copy.src = fz_source(1);
		c->copy.size = fz_len();
		break;
	case DRM_SVMGPU_CMD_ATOMIC:
		flags = rnd_below(4) | (chance(50) ? DRM_SVMGPU_ATOMIC_64 : 0);
		c->atomic.address = fz_target(flags & DRM_SVMGPU_ATOMIC_64 ? 8 : 4);
		c->atomic.operand = rnd();
		c->atomic.compare = chance(50) ? 0 : rnd();
		c->atomic.result_address = chance(50) ? 0 : fz_target(8);
		break;
	case DRM_SVMGPU_CMD_SAXPY:
		c->saxpy.x = fz_source(4);
		c->saxpy.y = fz_target(4);
		c->saxpy.n = corrupt(10) ? rnd() : fz_len() / 4;
		c->saxpy.a = rnd();
		c->saxpy.pad = corrupt(3) ? fz_u32() : 0;
		break;
	case DRM_SVMGPU_CMD_REDUCE:
		flags = rnd_below(3);
		c->reduce.src = fz_source(4);
		c->reduce.n = corrupt(10) ? rnd() : fz_len() / 4;
		c->reduce.dst = fz_target(8);
		break;
	}
	c->hdr.opcode = op;
	c->hdr.length = corrupt(3) ? (uint16_t)rnd() : size;
	c->hdr.flags = corrupt(3) ? fz_u32() : flags;
	return size;
}

static uint32_t fz_pick(const uint32_t *ids, unsigned int n, uint32_t job_id)
{
	if (n && chance(70))
		return ids[rnd_below(n)];
	if (job_id && chance(30))
		return job_id;
	return fz_u32();
}

static uint32_t fz_vm(void)
{
	return fz_pick(fz.vms, fz.nvms, fz.job_vm);
}

static uint32_t fz_queue(void)
{
	return fz_pick(fz.queues, fz.nqueues, fz.job_queue);
}

/* Batches fuzzed execs may run at any time: never the command region, which changes. */
static bool fz_batch_ok(uint64_t a)
{
	return fz_in(FZ_SAFE, a) || fz_in(FZ_RO, a) || fz_unmapped(a);
}

static uint64_t fz_batch(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return fz_addr_in(FZ_RO, 8);
	case 2:
		return fz_garbage();
	case 3:
		return fz_addr_in(FZ_SAFE, chance(50) ? 8 : 1);
	default:
		return fz_start(FZ_SAFE);
	}
}

/* Pointers the kernel writes through: the scratch page, the read-only page, or garbage. */
static bool fz_out_ok(uint64_t a)
{
	return !a || fz_in(FZ_OUT, a) || fz_in(FZ_RO, a) || fz_unmapped(a);
}

static uint64_t fz_out_ptr(void)
{
	switch (rnd_below(6)) {
	case 0:
		return 0;
	case 1:
		return fz_start(FZ_RO);
	case 2:
		return fz_garbage();
	default:
		return fz_start(FZ_OUT) + (chance(80) ? 0 : rnd_below(SZ_4K));
	}
}

/* Pointers the kernel only reads: anything of the fuzzer's mapping, or garbage. */
static bool fz_in_ok(uint64_t a)
{
	return !a || fz_in_map(a) || fz_unmapped(a);
}

static uint64_t fz_sync_ptr(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return fz_start(FZ_RO);
	case 2:
		return fz_garbage();
	default:
		/* At an offset, an array may run into the guard page. */
		return fz_start(FZ_SYNCS) + (chance(80) ? 0 :
					     rnd_below(SZ_4K / 16) * 16 + (chance(10) ? 4 : 0));
	}
}

static uint32_t fz_nsyncs(void)
{
	if (chance(85))
		return rnd_below(4);
	return chance(50) ? rnd_below(DRM_SVMGPU_MAX_SYNCS + 2) : fz_u32();
}

static void fz_fill_syncs(void)
{
	struct drm_svmgpu_sync *s = (struct drm_svmgpu_sync *)fz.region[FZ_SYNCS];

	for (size_t i = 0; i < SZ_4K / sizeof(*s); i++) {
		s[i].handle = chance(85) ? fz.syncobjs[rnd_below(FUZZ_SYNCOBJS)] : fz_u32();
		s[i].flags = chance(97) ? 0 : fz_u32();
		s[i].timeline_point = chance(70) ? 0 : rnd_below(8);
	}
}

/* A page-aligned start: mostly in the data region, sometimes elsewhere in the mapping. */
static uint64_t fz_page(void)
{
	if (chance(70))
		return fz_addr_in(FZ_DATA, SZ_4K);
	if (chance(50))
		return fz_addr_in(rnd_below(FZ_REGIONS), SZ_4K);
	return fz_garbage() & (chance(80) ? ~(SZ_4K - 1) : ~0ull);
}

static uint64_t fz_range(void)
{
	switch (rnd_below(7)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return rnd_below(fz_pages[FZ_DATA] + 2) * SZ_4K;
	case 3:
	case 4:
		return (rnd_below(8) + 1) * SZ_4K;
	case 5:
		return rnd_below(3 * SZ_4K);
	default:
		return ~0ull << rnd_below(64);
	}
}

static uint32_t fz_granularity(void)
{
	static const uint32_t g[] = { 0, 12, 16, 21 };

	return chance(90) ? g[rnd_below(4)] : rnd_below(64);
}

/* Plausible arguments of ioctl @nr. */
static void fz_gen(unsigned int nr, void *arg)
{
	switch (nr) {
	case DRM_SVMGPU_QUERY: {
		struct drm_svmgpu_query *q = arg;

		q->type = rnd_below(3);
		q->size = chance(70) ? rnd_below(512) : fz_u32();
		q->pointer = fz_out_ptr();
		break;
	}
	case DRM_SVMGPU_VM_CREATE:
		break;
	case DRM_SVMGPU_VM_DESTROY:
		((struct drm_svmgpu_vm_destroy *)arg)->vm_id = fz_vm();
		break;
	case DRM_SVMGPU_QUEUE_CREATE:
		((struct drm_svmgpu_queue_create *)arg)->vm_id = fz_vm();
		break;
	case DRM_SVMGPU_QUEUE_DESTROY:
		((struct drm_svmgpu_queue_destroy *)arg)->queue_id = fz_queue();
		break;
	case DRM_SVMGPU_EXEC: {
		struct drm_svmgpu_exec *e = arg;

		e->queue_id = fz_queue();
		e->batch_address = fz_batch();
		e->num_in_syncs = fz_nsyncs();
		e->in_syncs = fz_sync_ptr();
		e->num_out_syncs = fz_nsyncs();
		e->out_syncs = fz_sync_ptr();
		fz_fill_syncs();
		break;
	}
	case DRM_SVMGPU_PREFETCH: {
		struct drm_svmgpu_prefetch *p = arg;

		p->vm_id = fz_vm();
		p->region = chance(90) ? rnd_below(2) : fz_u32();
		p->start = fz_page();
		p->range = fz_range();
		break;
	}
	case DRM_SVMGPU_QUEUE_GET_FAULT:
		((struct drm_svmgpu_queue_get_fault *)arg)->queue_id = fz_queue();
		break;
	case DRM_SVMGPU_MADVISE: {
		struct drm_svmgpu_madvise *m = arg;

		m->vm_id = fz_vm();
		m->flags = chance(90) ? 1 + rnd_below(7) : fz_u32();
		m->start = fz_page();
		m->range = fz_range();
		m->preferred_location = rnd_below(chance(90) ? 3 : 8);
		m->atomic_policy = rnd_below(chance(90) ? 4 : 8);
		m->granularity_shift = fz_granularity();
		break;
	}
	case DRM_SVMGPU_MADVISE_QUERY: {
		struct drm_svmgpu_madvise_query *q = arg;

		q->vm_id = fz_vm();
		q->start = fz_page();
		q->range = fz_range();
		break;
	}
	}
}

/* Pointers go back to safe values whatever the mutation did to them. */
static void fz_sanitize(unsigned int nr, void *arg)
{
	switch (nr) {
	case DRM_SVMGPU_QUERY: {
		struct drm_svmgpu_query *q = arg;

		if (!fz_out_ok(q->pointer))
			q->pointer = fz_out_ptr();
		break;
	}
	case DRM_SVMGPU_EXEC: {
		struct drm_svmgpu_exec *e = arg;

		if (!fz_batch_ok(e->batch_address))
			e->batch_address = fz_batch();
		if (!fz_in_ok(e->in_syncs))
			e->in_syncs = fz_sync_ptr();
		if (!fz_in_ok(e->out_syncs))
			e->out_syncs = fz_sync_ptr();
		break;
	}
	case DRM_SVMGPU_PREFETCH: {
		/* Prefetch moves memory around: keep it to the fuzzer's own. */
		struct drm_svmgpu_prefetch *p = arg;

		if (!fz_in_ok(p->start))
			p->start = fz_page();
		break;
	}
	}
}

static int fz_errno_index(int err)
{
	for (size_t i = 0; i < FZ_NERRNOS; i++)
		if (fz_errnos[i] == err)
			return i;
	return -1;
}

/* The errnos svmgpu_drm.h documents for ioctl @nr, plus EFAULT for the argument pointer. */
static bool fz_errno_ok(unsigned int nr, int err)
{
	if (!err || err == EINVAL || err == EFAULT)
		return true;
	switch (nr) {
	case DRM_SVMGPU_VM_CREATE:
		return err == ENOSPC || err == ENOMEM;
	case DRM_SVMGPU_QUEUE_CREATE:
		return err == ENOENT || err == ENOSPC || err == ENOMEM;
	case DRM_SVMGPU_EXEC:
		return err == ENOENT || err == ECANCELED || err == ENOMEM;
	case DRM_SVMGPU_MADVISE:
		return err == ENOENT || err == ENOMEM;
	case DRM_SVMGPU_VM_DESTROY:
	case DRM_SVMGPU_QUEUE_DESTROY:
	case DRM_SVMGPU_PREFETCH:
	case DRM_SVMGPU_QUEUE_GET_FAULT:
	case DRM_SVMGPU_MADVISE_QUERY:
		return err == ENOENT;
	}
	return false;
}

static void fz_destroy(uint32_t id, bool is_vm)
{
	struct drm_svmgpu_vm_destroy vd = { .vm_id = id };
	struct drm_svmgpu_queue_destroy qd = { .queue_id = id };
	int ret;

	if (is_vm)
		ret = svmgpu_ioctl(fz.fd, DRM_IOCTL_SVMGPU_VM_DESTROY, &vd);
	else
		ret = svmgpu_ioctl(fz.fd, DRM_IOCTL_SVMGPU_QUEUE_DESTROY, &qd);
	/* Fuzzed ioctls may have destroyed it behind the fuzzer's back. */
	igt_assert_f(!ret || ret == -ENOENT, "destroying %s %u: %d\n", is_vm ? "vm" : "queue", id,
		     ret);
}

static void fz_list_del(uint32_t *list, unsigned int *n, uint32_t id)
{
	for (unsigned int i = 0; i < *n;) {
		if (list[i] == id)
			list[i] = list[--*n];
		else
			i++;
	}
}

static void fz_list_add(uint32_t *list, unsigned int *n, unsigned int max, uint32_t id,
			bool is_vm)
{
	fz_list_del(list, n, id);
	if (*n == max) {
		fz_destroy(list[0], is_vm);
		fz_list_del(list, n, list[0]);
	}
	list[(*n)++] = id;
}

/* Keep track of the objects a successful, full-size ioctl made or destroyed. */
static void fz_track(unsigned int nr, const void *arg)
{
	switch (nr) {
	case DRM_SVMGPU_VM_CREATE:
		fz_list_add(fz.vms, &fz.nvms, FUZZ_MAX_VMS,
			    ((const struct drm_svmgpu_vm_create *)arg)->vm_id, true);
		break;
	case DRM_SVMGPU_VM_DESTROY: {
		uint32_t id = ((const struct drm_svmgpu_vm_destroy *)arg)->vm_id;

		fz_list_del(fz.vms, &fz.nvms, id);
		if (id == fz.job_vm)
			fz.job_vm = 0;
		break;
	}
	case DRM_SVMGPU_QUEUE_CREATE:
		fz_list_add(fz.queues, &fz.nqueues, FUZZ_MAX_QUEUES,
			    ((const struct drm_svmgpu_queue_create *)arg)->queue_id, false);
		break;
	case DRM_SVMGPU_QUEUE_DESTROY: {
		uint32_t id = ((const struct drm_svmgpu_queue_destroy *)arg)->queue_id;

		fz_list_del(fz.queues, &fz.nqueues, id);
		if (id == fz.job_queue)
			fz.job_queue = 0;
		break;
	}
	case DRM_SVMGPU_QUEUE_GET_FAULT: {
		const struct drm_svmgpu_queue_get_fault *f = arg;

		igt_assert_f(f->banned <= 1 && (f->banned || !f->error) && !f->pad,
			     "iteration %lu: fault report banned %u error %d pad %u\n", fz.iter,
			     f->banned, f->error, f->pad);
		break;
	}
	case DRM_SVMGPU_MADVISE_QUERY: {
		const struct drm_svmgpu_madvise_query *q = arg;

		igt_assert_f(q->preferred_location <= DRM_SVMGPU_PREFERRED_DEVICE &&
			     q->atomic_policy <= DRM_SVMGPU_ATOMIC_CPU &&
			     (q->granularity_shift == 12 || q->granularity_shift == 16 ||
			      q->granularity_shift == 21) && q->uniform <= 1,
			     "iteration %lu: madvise query answered %u/%u/%u/%u\n", fz.iter,
			     q->preferred_location, q->atomic_policy, q->granularity_shift,
			     q->uniform);
		break;
	}
	}
}

static void fz_fail_dump(unsigned int nr, unsigned long req, const void *argp, int err)
{
	char hex[FUZZ_ARG_SIZE / 2 * 3 + 1] = "";
	const uint8_t *a = (const uint8_t *)fz.arg;

	for (unsigned int i = 0; i < _IOC_SIZE(req) && i < FUZZ_ARG_SIZE / 2; i++)
		sprintf(hex + 3 * i, "%02x ", a[i]);
	/* An errno svmgpu_drm.h does not document for this ioctl. */
	igt_fail_f("iteration %lu: %s (request 0x%lx, arg %p) failed with %d (%s); arg: %s\n",
		   fz.iter, ioctls[nr].name, req, argp, -err, strerror(err), hex);
}

static void fuzz_ioctl(void)
{
	unsigned int nr = rnd_below(NUM_IOCTLS);
	unsigned long req = ioctls[nr].req;
	unsigned int size = _IOC_SIZE(req);
	uint32_t *words = (uint32_t *)fz.arg;
	void *argp = fz.arg;
	int ret, err, idx;

	memset(fz.arg, 0, sizeof(fz.arg));
	fz_gen(nr, fz.arg);
	if (chance(25)) {
		for (unsigned int n = 1 + rnd_below(3); n; n--)
			words[rnd_below(size / 4)] = fz_u32();
	} else if (chance(4)) {
		for (unsigned int i = 0; i < size / 4; i++)
			words[i] = fz_u32();
	}
	fz_sanitize(nr, fz.arg);
	if (chance(3)) {
		/* Another size: the DRM core truncates or zero-extends the argument. */
		size = rnd_below(FUZZ_ARG_SIZE / 2 + 1);
		req = _IOC(_IOC_DIR(req), _IOC_TYPE(req), _IOC_NR(req), size);
	}
	if (chance(2)) {
		/* No argument, a read-only one, or garbage: the DRM core's copies fail. */
		const uint64_t choices[] = { 0, fz_start(FZ_RO), fz_garbage() };

		argp = (void *)(uintptr_t)choices[rnd_below(3)];
	}

	do {
		ret = ioctl(fz.fd, req, argp);
	} while (ret == -1 && errno == EINTR);
	err = ret == -1 ? errno : 0;
	fz.nioctls++;
	idx = fz_errno_index(err);
	if (idx < 0 || !fz_errno_ok(nr, err))
		fz_fail_dump(nr, req, argp, err);
	fz.calls[nr][idx]++;
	if (!err && argp == fz.arg && size == _IOC_SIZE(ioctls[nr].req))
		fz_track(nr, fz.arg);
}

static void fz_job_queue_create(void)
{
	struct drm_svmgpu_queue_create c = { .vm_id = fz.job_vm };

	if (!fz.job_vm || svmgpu_ioctl(fz.fd, DRM_IOCTL_SVMGPU_QUEUE_CREATE, &c)) {
		fz.job_vm = svmgpu_vm_create(fz.fd);
		c = (struct drm_svmgpu_queue_create){ .vm_id = fz.job_vm };
		igt_assert_eq(svmgpu_ioctl(fz.fd, DRM_IOCTL_SVMGPU_QUEUE_CREATE, &c), 0);
	}
	fz.job_queue = c.queue_id;
	fz.queues_recreated++;
}

static void fz_job_queue_drop(void)
{
	fz_destroy(fz.job_queue, false);
	fz.job_queue = 0;
}

/* A random command buffer, run and waited for on the job queue. */
static void fuzz_job(void)
{
	uint8_t *p = fz.region[FZ_CMD];
	size_t len = 0, cap = fz_pages[FZ_CMD] * SZ_4K - sizeof(struct drm_svmgpu_cmd_header);
	struct drm_svmgpu_cmd_header end = {
		.opcode = DRM_SVMGPU_CMD_END, .length = sizeof(end),
	};
	struct drm_svmgpu_queue_get_fault f;
	union cmd c;
	int ret, idx;
	bool clean;

	/* Most buffers are well-formed: they run further, and must not fail with EINVAL. */
	fz.clean = chance(60);
	for (unsigned int n = rnd_below(FUZZ_MAX_CMDS + 1); n; n--) {
		size_t size = fz_cmd(&c);

		if (len + size > cap)
			break;
		memcpy(p + len, &c, size);
		len += size;
	}
	memcpy(p + len, &end, sizeof(end));
	clean = fz.clean;
	fz.clean = false;

	for (int tries = 0;; tries++) {
		igt_assert_f(tries < 4, "iteration %lu: no usable queue\n", fz.iter);
		if (!fz.job_queue)
			fz_job_queue_create();
		ret = svmgpu_exec_wait(fz.fd, fz.job_queue, p);
		/* Destroyed or banned by fuzzed ioctls: start over on a fresh queue. */
		if (ret == -ENOENT) {
			fz.job_queue = 0;
			continue;
		}
		if (ret == -ECANCELED) {
			fz_job_queue_drop();
			continue;
		}
		break;
	}
	fz.njobs++;
	idx = fz_errno_index(-ret);
	igt_assert_f(idx >= 0 && ret != -ENOENT && ret != -ENOSPC,
		     "iteration %lu: command buffer failed with %d (%s)\n", fz.iter, ret,
		     strerror(-ret));
	fz.jobs[idx]++;
	if (clean)
		fz.clean_jobs++;
	/* Only faults (unmapped, guard pages, atomic policy) stop a well-formed buffer. */
	igt_assert_f(!clean || (ret != -EINVAL && ret != -E2BIG),
		     "iteration %lu: a well-formed command buffer failed with %d (%s)\n",
		     fz.iter, ret, strerror(-ret));
	if (ret) {
		/* This job failed first (a later one would have been cancelled). */
		svmgpu_get_fault(fz.fd, fz.job_queue, &f);
		igt_assert_f(f.banned == 1 && f.error == ret,
			     "iteration %lu: job failed with %d, queue reports banned %u error %d\n",
			     fz.iter, ret, f.banned, f.error);
		fz_job_queue_drop();
	}
}

/* A fixed batch in the safe region: a store, a fill and an atomic, all into the data region. */
static void fz_write_safe_batch(void)
{
	uint8_t *p = fz.region[FZ_SAFE];
	union cmd c;
	size_t n = 0;

	/*
	 * Read from any 8-byte offset, its words are headers of unknown opcodes
	 * or of an END of bad length: a fuzzed exec pointing inside it fails.
	 */
	memset(&c, 0, sizeof(c));
	c.hdr = (struct drm_svmgpu_cmd_header){ DRM_SVMGPU_CMD_STORE64, sizeof(c.store), 0 };
	c.store.address = fz_start(FZ_DATA) + 0x100;
	c.store.value = 0x5a5a5a5a5a5a5a5aull;
	memcpy(p + n, &c, sizeof(c.store));
	n += sizeof(c.store);

	memset(&c, 0, sizeof(c));
	c.hdr = (struct drm_svmgpu_cmd_header){ DRM_SVMGPU_CMD_FILL32, sizeof(c.fill), 0 };
	c.fill.address = fz_start(FZ_DATA) + 0x200;
	c.fill.size = 0x400;
	c.fill.value = 0x5a5a5a5a;
	memcpy(p + n, &c, sizeof(c.fill));
	n += sizeof(c.fill);

	memset(&c, 0, sizeof(c));
	c.hdr = (struct drm_svmgpu_cmd_header){
		DRM_SVMGPU_CMD_ATOMIC, sizeof(c.atomic),
		DRM_SVMGPU_ATOMIC_INC | DRM_SVMGPU_ATOMIC_64,
	};
	c.atomic.address = fz_start(FZ_DATA) + 0x308;
	memcpy(p + n, &c, sizeof(c.atomic));
	n += sizeof(c.atomic);

	memset(&c, 0, sizeof(c));
	c.hdr = (struct drm_svmgpu_cmd_header){ DRM_SVMGPU_CMD_END, sizeof(c.hdr), 0 };
	memcpy(p + n, &c, sizeof(c.hdr));
}

static void fuzz_init(uint64_t seed)
{
	size_t pages = 1;
	uint8_t *p;

	memset(&fz, 0, sizeof(fz));
	fz.rng = seed;
	fz.fd = svmgpu_open(0);
	igt_assert(fz.fd >= 0);

	for (int r = 0; r < FZ_REGIONS; r++)
		pages += fz_pages[r] + 1;
	fz.map_size = pages * SZ_4K;
	fz.map = mmap(NULL, fz.map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(fz.map != MAP_FAILED);
	p = fz.map + SZ_4K;
	for (int r = 0; r < FZ_REGIONS; r++) {
		fz.region[r] = p;
		igt_assert_eq(mprotect(p, fz_pages[r] * SZ_4K,
				       r == FZ_RO ? PROT_READ : PROT_READ | PROT_WRITE), 0);
		p += (fz_pages[r] + 1) * SZ_4K;
	}
	fz_write_safe_batch();

	for (int i = 0; i < FUZZ_SYNCOBJS; i++) {
		struct drm_syncobj_create c = { .flags = i < 2 ? DRM_SYNCOBJ_CREATE_SIGNALED : 0 };

		igt_assert_eq(svmgpu_ioctl(fz.fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
		fz.syncobjs[i] = c.handle;
	}
}

static void fuzz_report(double secs)
{
	char line[512];

	igt_info("%lu ioctls and %lu command buffers (%lu well-formed) in %.1f s, %lu job queues\n",
		 fz.nioctls, fz.njobs, fz.clean_jobs, secs, fz.queues_recreated);
	for (size_t nr = 0; nr <= NUM_IOCTLS; nr++) {
		const unsigned long *counts = nr < NUM_IOCTLS ? fz.calls[nr] : fz.jobs;
		int n = snprintf(line, sizeof(line), "  %-16s",
				 nr < NUM_IOCTLS ? ioctls[nr].name : "command buffers");

		for (size_t i = 0; i < FZ_NERRNOS; i++)
			if (counts[i])
				n += snprintf(line + n, sizeof(line) - n, " %s %lu",
					      fz_errnos[i] ? strerror(fz_errnos[i]) : "ok",
					      counts[i]);
		igt_info("%s\n", line);
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	char *end;
	uint64_t v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 0);
	igt_assert_f(!*end, "%s=%s is not a number\n", name, s);
	return v;
}

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* After the fuzzing: a fresh VM and queue on a fresh file still run a store. */
static void check_device_works(void)
{
	int dfd = svmgpu_open(0);
	uint32_t *val = malloc(sizeof(*val));
	uint32_t v, q;

	igt_assert(dfd >= 0 && val);
	*val = 0;
	v = svmgpu_vm_create(dfd);
	q = svmgpu_queue_create(dfd, v);
	svmgpu_batch_reset(batch);
	svmgpu_cmd_store32(batch, val, 0xc0ffee);
	igt_assert_eq(svmgpu_exec_wait(dfd, q, svmgpu_batch_end(batch)), 0);
	igt_assert_eq(*val, 0xc0ffee);
	svmgpu_queue_destroy(dfd, q);
	svmgpu_vm_destroy(dfd, v);
	close(dfd);

	/* And so does the fixture's queue, on the file the fuzzer did not use. */
	*val = 0;
	svmgpu_batch_reset(batch);
	svmgpu_cmd_store32(batch, val, 0xbeef);
	igt_assert_eq(svmgpu_exec_wait(fd, queue, svmgpu_batch_end(batch)), 0);
	igt_assert_eq(*val, 0xbeef);
	free(val);
}

static void test_fuzz_ioctls(void)
{
	uint64_t seed = env_u64("SVMGPU_FUZZ_SEED", FUZZ_SEED);
	unsigned long iters = env_u64("SVMGPU_FUZZ_ITERS", FUZZ_ITERS);
	struct timespec t0;

	igt_info("seed 0x%llx, %lu iterations (SVMGPU_FUZZ_SEED, SVMGPU_FUZZ_ITERS)\n",
		 (unsigned long long)seed, iters);
	fuzz_init(seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (fz.iter = 0; fz.iter < iters; fz.iter++) {
		if (rnd_below(FUZZ_JOB_EVERY) == 0)
			fuzz_job();
		else
			fuzz_ioctl();
		if (!(fz.iter % 256) && elapsed_since(&t0) > FUZZ_TIME_LIMIT) {
			igt_info("time limit of %d s reached after %lu iterations\n",
				 FUZZ_TIME_LIMIT, fz.iter + 1);
			break;
		}
	}
	fuzz_report(elapsed_since(&t0));

	/* Closing the file destroys whatever the fuzzer left, waiting for its jobs. */
	close(fz.fd);
	munmap(fz.map, fz.map_size);
	check_device_works();
}

static const struct igt_subtest tests[] = {
	{ "vm-create-invalid-flags", test_vm_create_invalid_flags,
	  "VM_CREATE with any flag bit set gives EINVAL" },
	{ "vm-create-nonzero-id", test_vm_create_nonzero_id,
	  "VM_CREATE with a non-zero vm_id on input gives EINVAL" },
	{ "vm-destroy-invalid-pad", test_vm_destroy_invalid_pad,
	  "VM_DESTROY with non-zero pad gives EINVAL and leaves the VM alive" },
	{ "vm-destroy-unknown", test_vm_destroy_unknown,
	  "VM_DESTROY of ids never allocated (0, 1023, 1024, ~0) gives ENOENT" },
	{ "vm-destroy-double", test_vm_destroy_double,
	  "a second VM_DESTROY of the same VM gives ENOENT" },
	{ "queue-create-invalid-flags", test_queue_create_invalid_flags,
	  "QUEUE_CREATE with any flag bit set gives EINVAL" },
	{ "queue-create-invalid-pad", test_queue_create_invalid_pad,
	  "QUEUE_CREATE with non-zero pad gives EINVAL" },
	{ "queue-create-nonzero-id", test_queue_create_nonzero_id,
	  "QUEUE_CREATE with a non-zero queue_id on input gives EINVAL" },
	{ "queue-create-unknown-vm", test_queue_create_unknown_vm,
	  "QUEUE_CREATE on VM ids never allocated gives ENOENT" },
	{ "queue-create-destroyed-vm", test_queue_create_destroyed_vm,
	  "QUEUE_CREATE on a destroyed VM gives ENOENT" },
	{ "queue-destroy-invalid-pad", test_queue_destroy_invalid_pad,
	  "QUEUE_DESTROY with non-zero pad gives EINVAL and the queue still runs jobs" },
	{ "queue-destroy-unknown", test_queue_destroy_unknown,
	  "QUEUE_DESTROY of ids never allocated gives ENOENT" },
	{ "queue-destroy-double", test_queue_destroy_double,
	  "a second QUEUE_DESTROY of the same queue gives ENOENT" },
	{ "exec-invalid-flags", test_exec_invalid_flags,
	  "EXEC with any flag bit set gives EINVAL and runs nothing" },
	{ "exec-unaligned-batch", test_exec_unaligned_batch,
	  "EXEC of a batch address not 8-byte aligned gives EINVAL and runs nothing" },
	{ "exec-too-many-in-syncs", test_exec_too_many_in_syncs,
	  "EXEC with more than DRM_SVMGPU_MAX_SYNCS in-syncs gives EINVAL, the maximum works" },
	{ "exec-too-many-out-syncs", test_exec_too_many_out_syncs,
	  "EXEC with more than DRM_SVMGPU_MAX_SYNCS out-syncs gives EINVAL, the maximum works" },
	{ "exec-in-sync-invalid-flags", test_exec_in_sync_invalid_flags,
	  "EXEC with any flag bit set in any in-sync gives EINVAL and runs nothing" },
	{ "exec-out-sync-invalid-flags", test_exec_out_sync_invalid_flags,
	  "EXEC with any flag bit set in any out-sync gives EINVAL and runs nothing" },
	{ "exec-unknown-in-syncobj", test_exec_unknown_in_syncobj,
	  "EXEC waiting on an unknown or destroyed syncobj gives ENOENT and runs nothing" },
	{ "exec-unknown-out-syncobj", test_exec_unknown_out_syncobj,
	  "EXEC signalling an unknown or destroyed syncobj gives ENOENT and runs nothing" },
	{ "exec-bad-in-sync-pointer", test_exec_bad_in_sync_pointer,
	  "EXEC with an unreadable in-sync array gives EFAULT and runs nothing" },
	{ "exec-bad-out-sync-pointer", test_exec_bad_out_sync_pointer,
	  "EXEC with an unreadable out-sync array gives EFAULT and runs nothing" },
	{ "exec-unknown-queue", test_exec_unknown_queue,
	  "EXEC on unknown and destroyed queue ids gives ENOENT" },
	{ "exec-banned-queue", test_exec_banned_queue,
	  "after a job faulted on an unmapped address, EXEC on its queue gives ECANCELED" },
	{ "cmd-baseline", test_cmd_baseline,
	  "the commands the cmd-* subtests corrupt run and write their targets when intact" },
	{ "cmd-unknown-opcode", test_cmd_unknown_opcode,
	  "an unknown opcode fails the job with EINVAL, bans the queue, writes nothing" },
	{ "cmd-end-bad-length", test_cmd_end_bad_length,
	  "END with a length other than 8 fails the job with EINVAL, writes nothing" },
	{ "cmd-store32-bad-length", test_cmd_store32_bad_length,
	  "STORE32 with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-store64-bad-length", test_cmd_store64_bad_length,
	  "STORE64 with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-fill32-bad-length", test_cmd_fill32_bad_length,
	  "FILL32 with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-copy-bad-length", test_cmd_copy_bad_length,
	  "COPY with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-atomic-bad-length", test_cmd_atomic_bad_length,
	  "ATOMIC with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-saxpy-bad-length", test_cmd_saxpy_bad_length,
	  "SAXPY with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-reduce-bad-length", test_cmd_reduce_bad_length,
	  "REDUCE with a wrong length fails the job with EINVAL, writes nothing" },
	{ "cmd-end-invalid-flags", test_cmd_end_invalid_flags,
	  "END with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-store32-invalid-flags", test_cmd_store32_invalid_flags,
	  "STORE32 with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-store64-invalid-flags", test_cmd_store64_invalid_flags,
	  "STORE64 with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-fill32-invalid-flags", test_cmd_fill32_invalid_flags,
	  "FILL32 with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-copy-invalid-flags", test_cmd_copy_invalid_flags,
	  "COPY with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-atomic-invalid-flags", test_cmd_atomic_invalid_flags,
	  "ATOMIC with header flag bits 9-31 fails the job with EINVAL, writes nothing" },
	{ "cmd-saxpy-invalid-flags", test_cmd_saxpy_invalid_flags,
	  "SAXPY with any header flag bit fails the job with EINVAL, writes nothing" },
	{ "cmd-reduce-invalid-flags", test_cmd_reduce_invalid_flags,
	  "REDUCE with header flag bits 8-31 fails the job with EINVAL, writes nothing" },
	{ "cmd-atomic-unknown-op", test_cmd_atomic_unknown_op,
	  "ATOMIC with an unknown operation fails the job with EINVAL, writes nothing" },
	{ "cmd-reduce-unknown-op", test_cmd_reduce_unknown_op,
	  "REDUCE with an unknown operation fails the job with EINVAL, writes nothing" },
	{ "cmd-fill32-invalid-pad", test_cmd_fill32_invalid_pad,
	  "FILL32 with non-zero pad fails the job with EINVAL, writes nothing" },
	{ "cmd-saxpy-invalid-pad", test_cmd_saxpy_invalid_pad,
	  "SAXPY with non-zero pad fails the job with EINVAL, writes nothing" },
	{ "cmd-store32-unaligned", test_cmd_store32_unaligned,
	  "STORE32 to an address not 4-byte aligned fails the job with EINVAL, writes nothing" },
	{ "cmd-store64-unaligned", test_cmd_store64_unaligned,
	  "STORE64 to an address not 8-byte aligned fails the job with EINVAL, writes nothing" },
	{ "cmd-atomic32-unaligned", test_cmd_atomic32_unaligned,
	  "a 32-bit ATOMIC on an address not 4-byte aligned fails the job with EINVAL" },
	{ "cmd-atomic64-unaligned", test_cmd_atomic64_unaligned,
	  "a 64-bit ATOMIC on an address not 8-byte aligned fails the job with EINVAL" },
	{ "cmd-atomic-unaligned-result", test_cmd_atomic_unaligned_result,
	  "ATOMIC with a misaligned result address fails with EINVAL before the atomic" },
	{ "cmd-fill32-unaligned-address", test_cmd_fill32_unaligned_address,
	  "FILL32 at an address not 4-byte aligned fails the job with EINVAL, writes nothing" },
	{ "cmd-fill32-unaligned-size", test_cmd_fill32_unaligned_size,
	  "FILL32 of a size not a multiple of 4 fails the job with EINVAL, writes nothing" },
	{ "cmd-saxpy-unaligned", test_cmd_saxpy_unaligned,
	  "SAXPY with x or y not 4-byte aligned fails the job with EINVAL, writes nothing" },
	{ "cmd-reduce-unaligned-src", test_cmd_reduce_unaligned_src,
	  "REDUCE with src not 4-byte aligned fails the job with EINVAL, writes nothing" },
	{ "cmd-reduce-unaligned-dst", test_cmd_reduce_unaligned_dst,
	  "REDUCE with dst not aligned to its result's size fails the job with EINVAL" },
	{ "cmd-fill32-overflow", test_cmd_fill32_overflow,
	  "FILL32 whose end wraps past 2^64 fails the job with EINVAL, writes nothing" },
	{ "cmd-copy-overflow-dst", test_cmd_copy_overflow_dst,
	  "COPY whose destination wraps past 2^64 fails the job with EINVAL, writes nothing" },
	{ "cmd-copy-overflow-src", test_cmd_copy_overflow_src,
	  "COPY whose source wraps past 2^64 fails the job with EINVAL, writes nothing" },
	{ "cmd-saxpy-overflow", test_cmd_saxpy_overflow,
	  "SAXPY whose n * 4 or vectors wrap past 2^64 fails the job with EINVAL" },
	{ "cmd-reduce-overflow", test_cmd_reduce_overflow,
	  "REDUCE whose n * 4 or source wraps past 2^64 fails the job with EINVAL" },
	{ "prefetch-invalid-flags", test_prefetch_invalid_flags,
	  "PREFETCH with any flag bit set gives EINVAL" },
	{ "prefetch-invalid-pad", test_prefetch_invalid_pad,
	  "PREFETCH with non-zero pad gives EINVAL" },
	{ "prefetch-invalid-region", test_prefetch_invalid_region,
	  "PREFETCH to a region beyond DRM_SVMGPU_REGION_DEVICE gives EINVAL" },
	{ "prefetch-zero-range", test_prefetch_zero_range,
	  "PREFETCH of an empty range gives EINVAL" },
	{ "prefetch-unaligned-start", test_prefetch_unaligned_start,
	  "PREFETCH from a start not page aligned gives EINVAL" },
	{ "prefetch-unaligned-range", test_prefetch_unaligned_range,
	  "PREFETCH of a length not page aligned gives EINVAL" },
	{ "prefetch-overflow", test_prefetch_overflow,
	  "PREFETCH of a range wrapping past 2^64 gives EINVAL" },
	{ "prefetch-beyond-address-space", test_prefetch_beyond_address_space,
	  "PREFETCH of a range beyond the process address space (TASK_SIZE) gives EINVAL" },
	{ "prefetch-unknown-vm", test_prefetch_unknown_vm,
	  "PREFETCH on unknown and destroyed VM ids gives ENOENT" },
	{ "prefetch-unmapped", test_prefetch_unmapped,
	  "PREFETCH of a range with unmapped parts gives EFAULT, to either region" },
	{ "queue-get-fault-invalid-flags", test_get_fault_invalid_flags,
	  "QUEUE_GET_FAULT with any flag bit set gives EINVAL" },
	{ "queue-get-fault-invalid-pad", test_get_fault_invalid_pad,
	  "QUEUE_GET_FAULT with non-zero pad gives EINVAL" },
	{ "queue-get-fault-nonzero-output", test_get_fault_nonzero_output,
	  "QUEUE_GET_FAULT with a non-zero output field on input gives EINVAL" },
	{ "queue-get-fault-unknown-queue", test_get_fault_unknown_queue,
	  "QUEUE_GET_FAULT on unknown and destroyed queue ids gives ENOENT" },
	{ "madvise-no-flag", test_madvise_no_flag,
	  "MADVISE naming no attribute (flags 0) gives EINVAL" },
	{ "madvise-invalid-flags", test_madvise_invalid_flags,
	  "MADVISE with an unknown flag bit, alone or with a known one, gives EINVAL" },
	{ "madvise-invalid-pad", test_madvise_invalid_pad,
	  "MADVISE with non-zero pad gives EINVAL" },
	{ "madvise-invalid-preferred-location", test_madvise_invalid_preferred_location,
	  "MADVISE of a preferred_location beyond DRM_SVMGPU_PREFERRED_DEVICE gives EINVAL" },
	{ "madvise-invalid-atomic-policy", test_madvise_invalid_atomic_policy,
	  "MADVISE of an atomic_policy beyond DRM_SVMGPU_ATOMIC_CPU gives EINVAL" },
	{ "madvise-invalid-granularity", test_madvise_invalid_granularity,
	  "MADVISE of a granularity_shift other than 0, 12, 16 or 21 gives EINVAL" },
	{ "madvise-bad-range", test_madvise_bad_range,
	  "MADVISE of an empty, unaligned or wrapping range gives EINVAL" },
	{ "madvise-unknown-vm", test_madvise_unknown_vm,
	  "MADVISE on unknown and destroyed VM ids gives ENOENT" },
	{ "madvise-query-invalid-flags", test_madvise_query_invalid_flags,
	  "MADVISE_QUERY with any flag bit set gives EINVAL" },
	{ "madvise-query-bad-range", test_madvise_query_bad_range,
	  "MADVISE_QUERY of an empty, unaligned or wrapping range gives EINVAL" },
	{ "madvise-query-unknown-vm", test_madvise_query_unknown_vm,
	  "MADVISE_QUERY on unknown and destroyed VM ids gives ENOENT" },
	{ "unknown-ioctl", test_unknown_ioctl,
	  "the three driver ioctl numbers after DRM_SVMGPU_MADVISE_QUERY give EINVAL" },
	{ "bad-arg-pointer", test_bad_arg_pointer,
	  "every svmgpu ioctl with an unreadable argument pointer gives EFAULT" },
	{ "oversized-args", test_oversized_args,
	  "every svmgpu ioctl takes a larger argument zero beyond its struct, else gives E2BIG" },
	{ "fuzz-ioctls", test_fuzz_ioctls,
	  "seeded random ioctls and commands get documented errors only; the device still works" },
};

IGT_MAIN("Validation of every svmgpu ioctl and command, and an ioctl fuzzer", fixture, tests)
