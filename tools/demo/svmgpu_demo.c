// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_demo: what shared virtual memory means for a program. The GPU runs
 * a SAXPY and a reduction directly on malloc'ed and mmap'ed arrays - no
 * buffer objects, no copies - the CPU checks the results in place, and the
 * device counters show what faulted and what migrated.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libsvmgpu.h"

#define N		(1u << 20)	/* elements per array */

static struct libsvmgpu_device *dev;
static int fd;

static void die(const char *what, int err)
{
	fprintf(stderr, "svmgpu_demo: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* Run the command buffer @cb on @queue and wait; returns the job's error. */
static int run(uint32_t queue, struct libsvmgpu_cmdbuf *cb)
{
	struct drm_svmgpu_queue_get_fault f;
	struct drm_svmgpu_sync out = {};
	char why[128];
	int ret;

	ret = libsvmgpu_cmdbuf_end(cb);
	if (ret)
		die("command buffer", ret);
	ret = libsvmgpu_syncobj_create(fd, false, &out.handle);
	if (ret)
		die("syncobj create", ret);
	ret = libsvmgpu_exec(fd, queue, libsvmgpu_cmdbuf_data(cb), NULL, 0, &out, 1);
	if (ret)
		die("exec", ret);
	ret = libsvmgpu_syncobj_wait(fd, &out.handle, NULL, 1, LIBSVMGPU_TIMEOUT_INFINITE, 0);
	if (ret)
		die("syncobj wait", ret);
	libsvmgpu_syncobj_destroy(fd, out.handle);
	/* A failed job bans its queue; the fault report says where and why. */
	ret = libsvmgpu_queue_get_fault(fd, queue, &f);
	if (ret)
		die("get fault", ret);
	if (f.banned) {
		libsvmgpu_fault_describe(&f, why, sizeof(why));
		printf("  %s\n", why);
	}
	return f.error;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * Friendlier than libsvmgpu_stat_name() for a person reading the demo;
 * counters added to the uAPI later fall back to the library's names.
 */
static const char *const stat_names[] = {
	"GPU faults", "  already valid", "  failed", "migrations to VRAM",
	"KiB copied to VRAM", "KiB copied to RAM", "invalidations", "evictions",
	"binds", "jobs",
};

static const char *stat_name(unsigned int i)
{
	const char *name;

	if (i < sizeof(stat_names) / sizeof(stat_names[0]))
		return stat_names[i];
	name = libsvmgpu_stat_name(i);
	return name ? name : "(unnamed counter)";
}

int main(void)
{
	const struct drm_svmgpu_device_info *info;
	struct drm_svmgpu_stats before, after;
	struct libsvmgpu_cmdbuf *cb;
	float *x, *y, *ref, *sum, cpu_sum = 0.0f;
	uint32_t vm, queue, *z;
	int failed = 0, ret;

	ret = libsvmgpu_device_open(0, &dev);
	if (ret == -ENODEV) {
		fprintf(stderr, "svmgpu_demo: no svmgpu device (modprobe svmgpu)\n");
		return 1;
	}
	if (ret)
		die("open", ret);
	fd = libsvmgpu_device_fd(dev);
	printf("device: %s\n", libsvmgpu_device_path(dev));
	info = libsvmgpu_device_info(dev);
	printf("uAPI %u.%u, %llu MiB VRAM, page sizes 0x%llx, features 0x%llx\n",
	       info->uapi_major, info->uapi_minor, (unsigned long long)info->vram_size >> 20,
	       (unsigned long long)info->page_sizes, (unsigned long long)info->features);
	ret = libsvmgpu_query_stats(fd, &before);
	if (ret)
		die("query stats", ret);

	ret = libsvmgpu_vm_create(fd, &vm);
	if (ret)
		die("vm create", ret);
	ret = libsvmgpu_queue_create(fd, vm, &queue);
	if (ret)
		die("queue create", ret);
	/* The command buffer is libsvmgpu's, in malloc'ed memory. */
	ret = libsvmgpu_cmdbuf_create(0, &cb);
	if (ret)
		die("command buffer", ret);

	/* Ordinary memory: x from malloc, y from mmap. */
	x = malloc(N * sizeof(*x));
	ref = malloc(N * sizeof(*ref));
	sum = malloc(sizeof(*sum));
	y = mmap(NULL, N * sizeof(*y), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!x || !ref || !sum || y == MAP_FAILED)
		die("allocation", -ENOMEM);
	for (uint32_t i = 0; i < N; i++) {
		x[i] = (float)(i % 1024) * 0.5f;
		y[i] = ref[i] = 1.0f / (float)(i + 1);
	}
	for (uint32_t i = 0; i < N; i++) {
		ref[i] = 2.0f * x[i] + ref[i];
		cpu_sum += ref[i];
	}

	/* 1. y = 2x + y and sum(y), on the GPU, straight on those pointers. */
	libsvmgpu_cmdbuf_saxpy(cb, 2.0f, x, y, N);
	libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_SUM_F32, y, N, sum);
	printf("saxpy + reduce of %u floats (x: malloc, y: mmap) ...\n", N);
	if (run(queue, cb)) {
		failed++;
	} else {
		/* The CPU reads y where it is: pages in VRAM fault back here. */
		uint32_t bad = 0;

		for (uint32_t i = 0; i < N; i++)
			bad += f32_bits(y[i]) != f32_bits(ref[i]);
		printf("  saxpy:  %s (%u of %u elements differ from the CPU)\n",
		       bad ? "FAIL" : "PASS", bad, N);
		printf("  reduce: %s (GPU %.6f, CPU %.6f)\n",
		       f32_bits(*sum) == f32_bits(cpu_sum) ? "PASS" : "FAIL", *sum, cpu_sum);
		failed += bad != 0 || f32_bits(*sum) != f32_bits(cpu_sum);
	}

	/* 2. Prefetch an array to VRAM, fill it there, read it on the CPU. */
	z = mmap(NULL, N * sizeof(*z), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (z == MAP_FAILED)
		die("mmap", -errno);
	memset(z, 0, N * sizeof(*z));
	ret = libsvmgpu_prefetch(fd, vm, z, N * sizeof(*z), DRM_SVMGPU_REGION_DEVICE);
	if (ret)
		die("prefetch", ret);
	libsvmgpu_cmdbuf_reset(cb);
	libsvmgpu_cmdbuf_fill32(cb, z, N * sizeof(*z), 0xc0ffee);
	printf("prefetch %zu MiB to VRAM, GPU fill, CPU read ...\n", N * sizeof(*z) >> 20);
	if (run(queue, cb)) {
		failed++;
	} else {
		uint32_t bad = 0;

		for (uint32_t i = 0; i < N; i++)
			bad += z[i] != 0xc0ffee;
		printf("  fill:   %s (%u words wrong)\n", bad ? "FAIL" : "PASS", bad);
		failed += bad != 0;
	}

	ret = libsvmgpu_query_stats(fd, &after);
	if (ret)
		die("query stats", ret);
	printf("device counters during the demo:\n");
	for (unsigned int i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
		printf("  %-20s %llu\n", stat_name(i),
		       (unsigned long long)(after.counters[i] - before.counters[i]));
	libsvmgpu_cmdbuf_destroy(cb);
	libsvmgpu_queue_destroy(fd, queue);
	libsvmgpu_vm_destroy(fd, vm);
	libsvmgpu_device_close(dev);
	printf("%s\n", failed ? "demo FAILED" : "demo PASSED");
	return failed ? 1 : 0;
}
