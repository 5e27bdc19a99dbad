// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "svmgpu_igt.h"
#include "svmgpu_test.h"

int svmgpu_count_devices(void)
{
	return libsvmgpu_count_devices();
}

int svmgpu_open(int index)
{
	int fd = libsvmgpu_open_index(index);

	return fd < 0 ? -1 : fd;
}

int svmgpu_open_or_skip(void)
{
	int fd = svmgpu_open(0);

	igt_require_f(fd >= 0, "no svmgpu device (is the module loaded?)\n");
	return fd;
}

int svmgpu_ioctl(int fd, unsigned long request, void *arg)
{
	return libsvmgpu_ioctl(fd, request, arg);
}

void svmgpu_query_info(int fd, struct drm_svmgpu_device_info *info)
{
	uint32_t size = sizeof(*info);

	memset(info, 0, sizeof(*info));
	igt_assert_eq(libsvmgpu_query(fd, DRM_SVMGPU_QUERY_DEVICE_INFO, info, &size), 0);
	igt_assert_eq(size, sizeof(*info));
}

long svmgpu_module_param(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/svmgpu/parameters/%s", name);
	char buf[32] = "";

	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		/* bool parameters read Y or N */
		if (buf[0] == 'Y' || buf[0] == 'N')
			val = buf[0] == 'Y';
		else if (sscanf(buf, "%ld", &val) != 1)
			val = -1;
	}
	fclose(f);
	return val;
}

bool svmgpu_debugfs_path(int fd, const char *file, char *path, size_t len)
{
	struct stat st;

	/* DRM's debugfs has a directory (or link) for the render minor too. */
	if (fstat(fd, &st))
		return false;
	snprintf(path, len, "/sys/kernel/debug/dri/%u/%s", minor(st.st_rdev), file);
	return access(path, F_OK) == 0;
}

long long svmgpu_debugfs_read(const char *path, const char *key)
{
	size_t k = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k) && line[k] == ':' &&
		    sscanf(line + k + 1, "%lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

bool svmgpu_debugfs_read_timed(const char *path, const char *key, long long *count,
			       long long *us)
{
	size_t k = strlen(key);
	bool found = false;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, key, k) && line[k] == ':' &&
			sscanf(line + k + 1, " count %lld us %lld", count, us) == 2;
	fclose(f);
	return found;
}

uint32_t svmgpu_vm_create(int fd)
{
	uint32_t vm = 0;

	igt_assert_eq(libsvmgpu_vm_create(fd, &vm), 0);
	igt_assert_neq(vm, 0);
	return vm;
}

void svmgpu_vm_destroy(int fd, uint32_t vm)
{
	igt_assert_eq(libsvmgpu_vm_destroy(fd, vm), 0);
}

uint32_t svmgpu_queue_create(int fd, uint32_t vm)
{
	uint32_t queue = 0;

	igt_assert_eq(libsvmgpu_queue_create(fd, vm, &queue), 0);
	igt_assert_neq(queue, 0);
	return queue;
}

void svmgpu_queue_destroy(int fd, uint32_t queue)
{
	igt_assert_eq(libsvmgpu_queue_destroy(fd, queue), 0);
}

int __svmgpu_exec(int fd, uint32_t queue, uint64_t batch, uint32_t out_syncobj)
{
	struct drm_svmgpu_sync out = { .handle = out_syncobj };

	return libsvmgpu_exec(fd, queue, (const void *)(uintptr_t)batch, NULL, 0, &out,
			      out_syncobj ? 1 : 0);
}

int svmgpu_syncobj_wait(int fd, uint32_t handle)
{
	int ret;

	igt_assert_eq(libsvmgpu_syncobj_wait(fd, &handle, NULL, 1, LIBSVMGPU_TIMEOUT_INFINITE,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL), 0);
	ret = libsvmgpu_syncobj_error(fd, handle, 0);
	/* It was waited for: its fence cannot still be active. */
	igt_assert_neq(ret, -EBUSY);
	return ret;
}

int svmgpu_exec_wait(int fd, uint32_t queue, const void *batch)
{
	uint32_t h = 0;
	int ret;

	igt_assert_eq(libsvmgpu_syncobj_create(fd, false, &h), 0);
	ret = __svmgpu_exec(fd, queue, (uintptr_t)batch, h);
	if (!ret)
		ret = svmgpu_syncobj_wait(fd, h);
	igt_assert_eq(libsvmgpu_syncobj_destroy(fd, h), 0);
	return ret;
}

int __svmgpu_exec_wait(int fd, uint32_t queue, const void *batch)
{
	return libsvmgpu_exec_wait(fd, queue, batch);
}

int svmgpu_prefetch(int fd, uint32_t vm, void *start, uint64_t size, uint32_t region)
{
	return libsvmgpu_prefetch(fd, vm, start, size, region);
}

void svmgpu_get_fault(int fd, uint32_t queue, struct drm_svmgpu_queue_get_fault *f)
{
	igt_assert_eq(libsvmgpu_queue_get_fault(fd, queue, f), 0);
}

void svmgpu_stats(int fd, struct drm_svmgpu_stats *stats)
{
	igt_assert_eq(libsvmgpu_query_stats(fd, stats), 0);
}

struct svmgpu_batch *svmgpu_batch_new(void)
{
	struct svmgpu_batch *b = calloc(1, sizeof(*b));

	igt_assert(b);
	b->cap = SVMGPU_BATCH_SIZE;
	/*
	 * mmap'ed rather than left to libsvmgpu: tests apply madvise and
	 * placement hints to exactly the batch's pages.
	 */
	b->buf = mmap(NULL, b->cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(b->buf != MAP_FAILED);
	igt_assert_eq(libsvmgpu_cmdbuf_create_in(b->buf, b->cap, &b->cb), 0);
	return b;
}

void svmgpu_batch_free(struct svmgpu_batch *b)
{
	libsvmgpu_cmdbuf_destroy(b->cb);
	munmap(b->buf, b->cap);
	free(b);
}

void svmgpu_batch_reset(struct svmgpu_batch *b)
{
	libsvmgpu_cmdbuf_reset(b->cb);
	b->len = 0;
}

/* Every builder: a failed append fails the subtest, as a full buffer did. */
static void batch_check(struct svmgpu_batch *b, int ret)
{
	igt_assert_f(ret == 0, "command buffer: %s\n",
		     ret == -ENOSPC ? "full" : strerror(-ret));
	b->len = libsvmgpu_cmdbuf_size(b->cb);
}

void svmgpu_cmd_store32(struct svmgpu_batch *b, void *addr, uint32_t value)
{
	batch_check(b, libsvmgpu_cmdbuf_store32(b->cb, addr, value));
}

void svmgpu_cmd_store64(struct svmgpu_batch *b, void *addr, uint64_t value)
{
	batch_check(b, libsvmgpu_cmdbuf_store64(b->cb, addr, value));
}

void svmgpu_cmd_fill32(struct svmgpu_batch *b, void *addr, uint64_t size, uint32_t value)
{
	batch_check(b, libsvmgpu_cmdbuf_fill32(b->cb, addr, size, value));
}

void svmgpu_cmd_copy(struct svmgpu_batch *b, void *dst, const void *src, uint64_t size)
{
	batch_check(b, libsvmgpu_cmdbuf_copy(b->cb, dst, src, size));
}

void svmgpu_cmd_atomic(struct svmgpu_batch *b, uint32_t op, bool is64, void *addr,
		       uint64_t operand, uint64_t compare, void *result)
{
	batch_check(b, libsvmgpu_cmdbuf_atomic(b->cb, op, is64, addr, operand, compare, result));
}

void svmgpu_batch_emit(struct svmgpu_batch *b, const void *cmd, size_t size)
{
	batch_check(b, libsvmgpu_cmdbuf_emit(b->cb, cmd, size));
}

void svmgpu_cmd_reduce(struct svmgpu_batch *b, uint32_t op, const void *src, uint64_t n,
		       void *dst)
{
	batch_check(b, libsvmgpu_cmdbuf_reduce(b->cb, op, src, n, dst));
}

const void *svmgpu_batch_end(struct svmgpu_batch *b)
{
	batch_check(b, libsvmgpu_cmdbuf_end(b->cb));
	return b->buf;
}

void *svmgpu_map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

void *svmgpu_map_anon_aligned(size_t size)
{
	const size_t align = 2ul << 20;
	char *p = svmgpu_map_anon(size + align);
	char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));

	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + align - a);
	return a;
}

uint32_t svmgpu_hash32(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 0x01000193u ^ (i * 0x9e3779b1u);

	x ^= x >> 15;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x;
}

void svmgpu_fill_words(void *p, size_t bytes, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < bytes / 4; i++)
		w[i] = svmgpu_hash32(seed, i);
}

double svmgpu_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

void svmgpu_sleep_ms(unsigned int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000l };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

long svmgpu_read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int svmgpu_write_str(const char *path, const char *s)
{
	int f = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (f < 0)
		return -errno;
	n = write(f, s, strlen(s));
	if (n < 0)
		err = -errno;
	close(f);
	return err;
}

int svmgpu_write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return svmgpu_write_str(path, buf);
}
