// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_demo: what shared virtual memory means for a program. The GPU runs
 * a SAXPY and a reduction directly on malloc'ed and mmap'ed arrays - no
 * buffer objects, no copies - the CPU checks the results in place, and the
 * device counters show what faulted and what migrated.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/svmgpu_drm.h>

#define N		(1u << 20)	/* elements per array */
#define CMDS_SIZE	4096

static int fd;

static int xioctl(unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

static void die(const char *what)
{
	fprintf(stderr, "svmgpu_demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The first render node whose driver is svmgpu. */
static int open_svmgpu(void)
{
	for (int minor = 128; minor < 192; minor++) {
		char path[32], name[16] = "";
		struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!xioctl(DRM_IOCTL_VERSION, &v) && !strcmp(name, "svmgpu")) {
			printf("device: %s\n", path);
			return fd;
		}
		close(fd);
	}
	fprintf(stderr, "svmgpu_demo: no svmgpu device (modprobe svmgpu)\n");
	exit(1);
}

static void query(uint32_t type, void *out, uint32_t size)
{
	struct drm_svmgpu_query q = { .type = type, .size = size, .pointer = (uintptr_t)out };

	if (xioctl(DRM_IOCTL_SVMGPU_QUERY, &q))
		die("query");
}

/* Run the command buffer at @cmds on @queue and wait; returns the job's error. */
static int run(uint32_t queue, const void *cmds)
{
	struct drm_syncobj_create sc = {};
	struct drm_syncobj_destroy sd = {};
	struct drm_svmgpu_sync out = {};
	struct drm_svmgpu_exec exec = {
		.queue_id = queue,
		.batch_address = (uintptr_t)cmds,
		.out_syncs = (uintptr_t)&out,
		.num_out_syncs = 1,
	};
	struct drm_svmgpu_queue_get_fault f = { .queue_id = queue };
	uint32_t handle;
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle, .count_handles = 1, .timeout_nsec = INT64_MAX,
	};

	if (xioctl(DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		die("syncobj create");
	handle = out.handle = sc.handle;
	if (xioctl(DRM_IOCTL_SVMGPU_EXEC, &exec))
		die("exec");
	if (xioctl(DRM_IOCTL_SYNCOBJ_WAIT, &w))
		die("syncobj wait");
	sd.handle = handle;
	xioctl(DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	if (xioctl(DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT, &f))
		die("get fault");
	if (f.banned)
		printf("  job failed: %s at 0x%llx\n", strerror(-f.error),
		       (unsigned long long)f.fault_address);
	return f.error;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static const char *const stat_names[DRM_SVMGPU_STAT_COUNT] = {
	"GPU faults", "  already valid", "  failed", "migrations to VRAM",
	"KiB copied to VRAM", "KiB copied to RAM", "invalidations", "evictions",
	"binds", "jobs",
};

int main(void)
{
	struct drm_svmgpu_device_info info;
	struct drm_svmgpu_stats before, after;
	struct drm_svmgpu_vm_create vc = {};
	struct drm_svmgpu_queue_create qc = {};
	struct drm_svmgpu_prefetch pf = {};
	float *x, *y, *ref, *sum, cpu_sum = 0.0f;
	uint32_t *z;
	uint64_t *cmds;
	int failed = 0;

	open_svmgpu();
	query(DRM_SVMGPU_QUERY_DEVICE_INFO, &info, sizeof(info));
	printf("uAPI %u.%u, %llu MiB VRAM, page sizes 0x%llx, features 0x%llx\n",
	       info.uapi_major, info.uapi_minor, (unsigned long long)info.vram_size >> 20,
	       (unsigned long long)info.page_sizes, (unsigned long long)info.features);
	query(DRM_SVMGPU_QUERY_STATS, &before, sizeof(before));

	if (xioctl(DRM_IOCTL_SVMGPU_VM_CREATE, &vc))
		die("vm create");
	qc.vm_id = vc.vm_id;
	if (xioctl(DRM_IOCTL_SVMGPU_QUEUE_CREATE, &qc))
		die("queue create");

	/* Ordinary memory: x from malloc, y from mmap, the commands from malloc. */
	x = malloc(N * sizeof(*x));
	ref = malloc(N * sizeof(*ref));
	sum = malloc(sizeof(*sum));
	cmds = aligned_alloc(64, CMDS_SIZE);
	y = mmap(NULL, N * sizeof(*y), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!x || !ref || !sum || !cmds || y == MAP_FAILED)
		die("allocation");
	for (uint32_t i = 0; i < N; i++) {
		x[i] = (float)(i % 1024) * 0.5f;
		y[i] = ref[i] = 1.0f / (float)(i + 1);
	}
	for (uint32_t i = 0; i < N; i++) {
		ref[i] = 2.0f * x[i] + ref[i];
		cpu_sum += ref[i];
	}

	/* 1. y = 2x + y and sum(y), on the GPU, straight on those pointers. */
	{
		struct drm_svmgpu_cmd_saxpy saxpy = {
			.hdr = { .opcode = DRM_SVMGPU_CMD_SAXPY, .length = sizeof(saxpy) },
			.x = (uintptr_t)x, .y = (uintptr_t)y, .n = N, .a = f32_bits(2.0f),
		};
		struct drm_svmgpu_cmd_reduce reduce = {
			.hdr = { .opcode = DRM_SVMGPU_CMD_REDUCE, .length = sizeof(reduce),
				 .flags = DRM_SVMGPU_REDUCE_SUM_F32 },
			.src = (uintptr_t)y, .n = N, .dst = (uintptr_t)sum,
		};
		struct drm_svmgpu_cmd_header end = {
			.opcode = DRM_SVMGPU_CMD_END, .length = sizeof(end),
		};
		char *p = (char *)cmds;

		memcpy(p, &saxpy, sizeof(saxpy));
		p += sizeof(saxpy);
		memcpy(p, &reduce, sizeof(reduce));
		p += sizeof(reduce);
		memcpy(p, &end, sizeof(end));
	}
	printf("saxpy + reduce of %u floats (x: malloc, y: mmap) ...\n", N);
	if (run(qc.queue_id, cmds)) {
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
		die("mmap");
	memset(z, 0, N * sizeof(*z));
	pf.vm_id = vc.vm_id;
	pf.region = DRM_SVMGPU_REGION_DEVICE;
	pf.start = (uintptr_t)z;
	pf.range = N * sizeof(*z);
	if (xioctl(DRM_IOCTL_SVMGPU_PREFETCH, &pf))
		die("prefetch");
	{
		struct drm_svmgpu_cmd_fill fill = {
			.hdr = { .opcode = DRM_SVMGPU_CMD_FILL32, .length = sizeof(fill) },
			.address = (uintptr_t)z, .size = N * sizeof(*z), .value = 0xc0ffee,
		};
		struct drm_svmgpu_cmd_header end = {
			.opcode = DRM_SVMGPU_CMD_END, .length = sizeof(end),
		};

		memcpy(cmds, &fill, sizeof(fill));
		memcpy((char *)cmds + sizeof(fill), &end, sizeof(end));
	}
	printf("prefetch %zu MiB to VRAM, GPU fill, CPU read ...\n", N * sizeof(*z) >> 20);
	if (run(qc.queue_id, cmds)) {
		failed++;
	} else {
		uint32_t bad = 0;

		for (uint32_t i = 0; i < N; i++)
			bad += z[i] != 0xc0ffee;
		printf("  fill:   %s (%u words wrong)\n", bad ? "FAIL" : "PASS", bad);
		failed += bad != 0;
	}

	query(DRM_SVMGPU_QUERY_STATS, &after, sizeof(after));
	printf("device counters during the demo:\n");
	for (int i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
		printf("  %-20s %llu\n", stat_names[i],
		       (unsigned long long)(after.counters[i] - before.counters[i]));
	printf("%s\n", failed ? "demo FAILED" : "demo PASSED");
	return failed ? 1 : 0;
}
