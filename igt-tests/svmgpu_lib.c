// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_lib: libsvmgpu's own API, as a runtime uses it: device objects,
 * growable and fixed command buffers with every command builder, exec with
 * binary and timeline syncobjs in and out, fence errors and fault reports,
 * the madvise helpers and covering prefetches. Every result is read back by
 * the CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svmgpu_igt.h"
#include "svmgpu_test.h"

static struct libsvmgpu_device *dev;
static int fd = -1;
static uint32_t vm, queue;

static void fixture(void)
{
	int ret = libsvmgpu_device_open(0, &dev);

	igt_require_f(ret != -ENODEV, "no svmgpu device (is the module loaded?)\n");
	igt_assert_eq(ret, 0);
	fd = libsvmgpu_device_fd(dev);
	igt_assert_eq(libsvmgpu_vm_create(fd, &vm), 0);
	igt_assert_eq(libsvmgpu_queue_create(fd, vm, &queue), 0);
}

static void test_device_open(void)
{
	struct drm_svmgpu_device_info info;
	struct libsvmgpu_device *d2;
	int n = libsvmgpu_count_devices(), f;

	igt_assert_lte(1, n);
	igt_assert_eq(libsvmgpu_query_device_info(fd, &info), 0);
	igt_assert(!memcmp(&info, libsvmgpu_device_info(dev), sizeof(info)));
	igt_assert_eq(info.device_index, 0);
	/* The same node by path gives the same device. */
	igt_assert_eq(libsvmgpu_device_open_path(libsvmgpu_device_path(dev), &d2), 0);
	igt_assert_eq(libsvmgpu_device_info(d2)->device_index, 0);
	igt_assert(libsvmgpu_is_svmgpu(libsvmgpu_device_fd(d2)));
	libsvmgpu_device_close(d2);
	/* Past the last device, and something that is not an svmgpu node. */
	igt_assert_eq(libsvmgpu_open_index(n), -ENODEV);
	igt_assert_eq(libsvmgpu_device_open(n, &d2), -ENODEV);
	igt_assert(!d2);
	igt_assert_eq(libsvmgpu_open_path("/dev/null"), -ENODEV);
	igt_assert_eq(libsvmgpu_open_path("/nonexistent"), -ENOENT);
	for (int i = 0; i < n; i++) {
		f = libsvmgpu_open_index(i);
		igt_assert_lte(0, f);
		igt_assert_eq(libsvmgpu_query_device_info(f, &info), 0);
		igt_assert_eq(info.device_index, i);
		close(f);
	}
	for (unsigned int i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
		igt_assert(libsvmgpu_stat_name(i));
	igt_assert(!libsvmgpu_stat_name(DRM_SVMGPU_STAT_COUNT));
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* One of every command, in one growable buffer; the CPU checks each. */
static void test_every_command(void)
{
	enum { N = 1000 };
	struct {
		uint32_t s32, pad;
		uint64_t s64;
		uint32_t fill[N];
		uint32_t copy[N];
		uint32_t counter, old_counter;
		uint64_t cas, old_cas;
		float x[N], y[N], fsum;
		uint32_t umax;
		uint64_t usum;
	} *m = calloc(1, sizeof(*m));
	struct libsvmgpu_cmdbuf *cb;
	float ref_sum = 0.0f;
	uint64_t ref_usum = 0;

	igt_assert(m);
	for (int i = 0; i < N; i++) {
		m->x[i] = (float)i * 0.5f;
		m->y[i] = 1.0f / (float)(i + 1);
	}
	m->counter = 40;
	m->cas = 7;
	igt_assert_eq(libsvmgpu_cmdbuf_create(0, &cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &m->s32, 0xdeadbeef), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store64(cb, &m->s64, 0x0123456789abcdefull), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_fill32(cb, m->fill, sizeof(m->fill), 0x5eed), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_copy(cb, m->copy, m->fill, sizeof(m->copy)), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_atomic(cb, DRM_SVMGPU_ATOMIC_ADD, false, &m->counter, 2, 0,
					      &m->old_counter), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_atomic(cb, DRM_SVMGPU_ATOMIC_CMPXCHG, true, &m->cas, 99, 7,
					      &m->old_cas), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_saxpy(cb, 3.0f, m->x, m->y, N), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_SUM_F32, m->y, N, &m->fsum), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_MAX_U32, m->copy, N, &m->umax),
		      0);
	igt_assert_eq(libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_SUM_U32, m->copy, N, &m->usum),
		      0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_size(cb) % 8, 0);
	igt_assert_eq(libsvmgpu_exec_wait(fd, queue, libsvmgpu_cmdbuf_data(cb)), 0);

	igt_assert_eq_u64(m->s32, 0xdeadbeef);
	igt_assert_eq_u64(m->s64, 0x0123456789abcdefull);
	for (int i = 0; i < N; i++) {
		float want = 3.0f * ((float)i * 0.5f) + 1.0f / (float)(i + 1);

		igt_assert_eq(m->fill[i], 0x5eed);
		igt_assert_eq(m->copy[i], 0x5eed);
		igt_assert_eq(f32_bits(m->y[i]), f32_bits(want));
		ref_sum += want;
		ref_usum += 0x5eed;
	}
	igt_assert_eq(m->counter, 42);
	igt_assert_eq(m->old_counter, 40);
	igt_assert_eq_u64(m->cas, 99);
	igt_assert_eq_u64(m->old_cas, 7);
	igt_assert_eq(f32_bits(m->fsum), f32_bits(ref_sum));
	igt_assert_eq(m->umax, 0x5eed);
	igt_assert_eq_u64(m->usum, ref_usum);
	libsvmgpu_cmdbuf_destroy(cb);
	free(m);
}

/* A growable buffer moves as it grows; a fixed one reports -ENOSPC, sticky. */
static void test_cmdbuf_capacity(void)
{
	enum { N = 20000 };
	uint32_t *v = calloc(N, sizeof(*v));
	uint64_t mem[8];
	struct libsvmgpu_cmdbuf *cb;

	igt_assert(v);
	igt_assert_eq(libsvmgpu_cmdbuf_create(8, &cb), 0);
	for (int i = 0; i < N; i++)
		igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &v[i], (uint32_t)i * 3), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(cb), 0);
	igt_assert_eq_u64(libsvmgpu_cmdbuf_size(cb),
			  N * sizeof(struct drm_svmgpu_cmd_store) + 8);
	igt_assert_eq(libsvmgpu_exec_wait(fd, queue, libsvmgpu_cmdbuf_data(cb)), 0);
	for (int i = 0; i < N; i++)
		igt_assert_eq(v[i], (uint32_t)i * 3);
	libsvmgpu_cmdbuf_destroy(cb);

	/* 64 bytes: two 24-byte stores fit, the third does not. */
	igt_assert_eq(libsvmgpu_cmdbuf_create_in((char *)mem + 4, sizeof(mem), &cb), -EINVAL);
	igt_assert_eq(libsvmgpu_cmdbuf_create_in(mem, sizeof(mem), &cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &v[0], 1), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &v[1], 1), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &v[2], 1), -ENOSPC);
	/* Sticky: even the END that would fit fails now. */
	igt_assert_eq(libsvmgpu_cmdbuf_end(cb), -ENOSPC);
	igt_assert_eq(libsvmgpu_cmdbuf_error(cb), -ENOSPC);
	libsvmgpu_cmdbuf_reset(cb);
	igt_assert_eq(libsvmgpu_cmdbuf_error(cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_size(cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_emit(cb, mem, 12), -EINVAL);
	libsvmgpu_cmdbuf_reset(cb);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, &v[5], 77), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(cb), 0);
	igt_assert(libsvmgpu_cmdbuf_data(cb) == mem);
	igt_assert_eq(libsvmgpu_exec_wait(fd, queue, mem), 0);
	igt_assert_eq(v[5], 77);
	libsvmgpu_cmdbuf_destroy(cb);
	free(v);
}

/*
 * Timeline out-syncs, and an in-sync across queues: a job on a second queue
 * waits for the first queue's job and copies what it wrote.
 */
static void test_syncs(void)
{
	struct drm_svmgpu_sync tl_out = { .timeline_point = 5 }, bin = {}, in;
	struct libsvmgpu_cmdbuf *a, *b;
	uint64_t point = 5;
	uint32_t *v = calloc(16, sizeof(*v)), q2;

	igt_assert(v);
	igt_assert_eq(libsvmgpu_queue_create(fd, vm, &q2), 0);
	igt_assert_eq(libsvmgpu_syncobj_create(fd, false, &tl_out.handle), 0);
	igt_assert_eq(libsvmgpu_syncobj_create(fd, false, &bin.handle), 0);
	/* Nothing attached yet: with WAIT_FOR_SUBMIT a poll just times out. */
	igt_assert_eq(libsvmgpu_syncobj_wait(fd, &tl_out.handle, &point, 1, 0,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT), -ETIME);

	igt_assert_eq(libsvmgpu_cmdbuf_create(0, &a), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_fill32(a, v, 8 * sizeof(*v), 0xabcd), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(a), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_create(0, &b), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_copy(b, v + 8, v, 8 * sizeof(*v)), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(b), 0);

	/* A signals a timeline point and a binary syncobj; B on q2 waits for A. */
	{
		struct drm_svmgpu_sync outs[2] = { tl_out, bin };

		igt_assert_eq(libsvmgpu_exec(fd, queue, libsvmgpu_cmdbuf_data(a), NULL, 0, outs, 2),
			      0);
	}
	in = (struct drm_svmgpu_sync){ .handle = tl_out.handle, .timeline_point = 5 };
	igt_assert_eq(libsvmgpu_exec(fd, q2, libsvmgpu_cmdbuf_data(b), &in, 1, NULL, 0), 0);
	igt_assert_eq(libsvmgpu_syncobj_wait(fd, &tl_out.handle, &point, 1,
					     LIBSVMGPU_TIMEOUT_INFINITE,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL), 0);
	igt_assert_eq(libsvmgpu_syncobj_error(fd, tl_out.handle, 5), 0);
	igt_assert_eq(libsvmgpu_syncobj_error(fd, bin.handle, 0), 0);
	/* q2's destruction waits for B. */
	igt_assert_eq(libsvmgpu_queue_destroy(fd, q2), 0);
	for (int i = 0; i < 16; i++)
		igt_assert_eq(v[i], 0xabcd);
	libsvmgpu_syncobj_destroy(fd, tl_out.handle);
	libsvmgpu_syncobj_destroy(fd, bin.handle);
	libsvmgpu_cmdbuf_destroy(a);
	libsvmgpu_cmdbuf_destroy(b);
	free(v);
}

/* A GPU write to unmapped memory: the fence error, the ban and the report. */
static void test_fault_report(void)
{
	struct drm_svmgpu_sync out = { .timeline_point = 3 };
	struct drm_svmgpu_queue_get_fault f;
	struct libsvmgpu_cmdbuf *cb;
	uint64_t point = 3;
	char why[160], want[64];
	uint32_t q;
	void *hole;

	hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, 4096);
	igt_assert_eq(libsvmgpu_queue_create(fd, vm, &q), 0);
	igt_assert_eq(libsvmgpu_queue_get_fault(fd, q, &f), 0);
	igt_assert_eq(f.banned, 0);
	libsvmgpu_fault_describe(&f, why, sizeof(why));
	igt_assert(!strcmp(why, "no failed job"));

	igt_assert_eq(libsvmgpu_syncobj_create(fd, false, &out.handle), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_create(0, &cb), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_store32(cb, hole, 1), 0);
	igt_assert_eq(libsvmgpu_cmdbuf_end(cb), 0);
	igt_assert_eq(libsvmgpu_exec(fd, q, libsvmgpu_cmdbuf_data(cb), NULL, 0, &out, 1), 0);
	igt_assert_eq(libsvmgpu_syncobj_wait(fd, &out.handle, &point, 1,
					     LIBSVMGPU_TIMEOUT_INFINITE,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL), 0);
	igt_assert_eq(libsvmgpu_syncobj_error(fd, out.handle, 3), -EFAULT);

	igt_assert_eq(libsvmgpu_queue_get_fault(fd, q, &f), 0);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, -EFAULT);
	igt_assert_eq_u64(f.fault_address, (uintptr_t)hole);
	libsvmgpu_fault_describe(&f, why, sizeof(why));
	igt_info("%s\n", why);
	snprintf(want, sizeof(want), "at 0x%llx", (unsigned long long)(uintptr_t)hole);
	igt_assert_f(strstr(why, want) && strstr(why, "write"), "report: %s\n", why);
	/* Banned: no more jobs. */
	igt_assert_eq(libsvmgpu_exec_wait(fd, q, libsvmgpu_cmdbuf_data(cb)), -ECANCELED);
	libsvmgpu_syncobj_destroy(fd, out.handle);
	libsvmgpu_cmdbuf_destroy(cb);
	igt_assert_eq(libsvmgpu_queue_destroy(fd, q), 0);
}

static void test_memory_hints(void)
{
	const size_t size = 1u << 20;
	struct drm_svmgpu_madvise_query mq;
	struct drm_svmgpu_stats s0, s1;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *obj;

	igt_assert(p != MAP_FAILED);
	memset(p, 3, size);
	igt_assert_eq(libsvmgpu_madvise_preferred_location(fd, vm, p, size,
							   DRM_SVMGPU_PREFERRED_DEVICE), 0);
	igt_assert_eq(libsvmgpu_madvise_atomic(fd, vm, p, size, DRM_SVMGPU_ATOMIC_DEVICE), 0);
	igt_assert_eq(libsvmgpu_madvise_granularity(fd, vm, p, size, 16), 0);
	igt_assert_eq(libsvmgpu_madvise_query(fd, vm, p, size, &mq), 0);
	igt_assert_eq(mq.preferred_location, DRM_SVMGPU_PREFERRED_DEVICE);
	igt_assert_eq(mq.atomic_policy, DRM_SVMGPU_ATOMIC_DEVICE);
	igt_assert_eq(mq.granularity_shift, 16);
	igt_assert_eq(mq.uniform, 1);
	igt_assert_eq(libsvmgpu_madvise_granularity(fd, vm, p, size, 13), -EINVAL);
	igt_assert_eq(libsvmgpu_madvise_granularity(fd, vm, p + 1, size, 12), -EINVAL);

	/* An object in the middle of pages: the covering prefetch moves them. */
	obj = p + 4096 * 3 + 100;
	igt_assert_eq(libsvmgpu_prefetch(fd, vm, obj, 5000, DRM_SVMGPU_REGION_DEVICE), -EINVAL);
	igt_assert_eq(libsvmgpu_query_stats(fd, &s0), 0);
	igt_assert_eq(libsvmgpu_prefetch_covering(fd, vm, obj, 5000, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_eq(libsvmgpu_query_stats(fd, &s1), 0);
	igt_assert_lte(8, s1.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB] -
		       s0.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB]);
	igt_assert_eq(libsvmgpu_prefetch_covering(fd, vm, obj, 0, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_eq(libsvmgpu_prefetch_covering(fd, vm, obj, 5000, DRM_SVMGPU_REGION_SYSTEM), 0);
	for (size_t i = 0; i < size; i++)
		igt_assert_eq(p[i], 3);
	munmap(p, size);
}

static const struct igt_subtest tests[] = {
	{ "device-open", test_device_open,
	  "devices by index and path, cached information, -ENODEV past the last one" },
	{ "every-command", test_every_command,
	  "one of every command builder in a growable buffer, each result checked" },
	{ "cmdbuf-capacity", test_cmdbuf_capacity,
	  "growable buffers move as they grow; fixed ones fail with a sticky -ENOSPC" },
	{ "syncs", test_syncs,
	  "timeline and binary out-syncs, a timeline in-sync across queues" },
	{ "fault-report", test_fault_report,
	  "a GPU fault's fence error, the queue ban and the fault report in words" },
	{ "memory-hints", test_memory_hints,
	  "madvise helpers read back by the query; covering prefetch of an unaligned object" },
};

IGT_MAIN("libsvmgpu, the userspace library, as a runtime uses it", fixture, tests)
