// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drm.h"
#include <linux/sync_file.h>
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define RENDER_MINOR_FIRST 128
#define RENDER_MINOR_COUNT 64

static int is_svmgpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1,
		.name = name,
	};

	if (svmgpu_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return strcmp(name, "svmgpu") == 0;
}

static int open_nth(int index)
{
	char path[64];
	int minor, fd;

	for (minor = RENDER_MINOR_FIRST; minor < RENDER_MINOR_FIRST + RENDER_MINOR_COUNT; minor++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_svmgpu(fd) && index-- == 0)
			return fd;
		close(fd);
	}
	return -1;
}

int svmgpu_count_devices(void)
{
	int n = 0, fd;

	while ((fd = open_nth(n)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

int svmgpu_open(int index)
{
	return open_nth(index);
}

int svmgpu_open_or_skip(void)
{
	int fd = open_nth(0);

	igt_require_f(fd >= 0, "no svmgpu device (is the module loaded?)\n");
	return fd;
}

int svmgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

void svmgpu_query_info(int fd, struct drm_svmgpu_device_info *info)
{
	struct drm_svmgpu_query q = {
		.type = DRM_SVMGPU_QUERY_DEVICE_INFO,
		.size = sizeof(*info),
		.pointer = (uintptr_t)info,
	};

	memset(info, 0, sizeof(*info));
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q), 0);
	igt_assert_eq(q.size, sizeof(*info));
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

uint32_t svmgpu_vm_create(int fd)
{
	struct drm_svmgpu_vm_create c = {};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_CREATE, &c), 0);
	igt_assert_neq(c.vm_id, 0);
	return c.vm_id;
}

void svmgpu_vm_destroy(int fd, uint32_t vm)
{
	struct drm_svmgpu_vm_destroy d = { .vm_id = vm };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_DESTROY, &d), 0);
}

uint32_t svmgpu_queue_create(int fd, uint32_t vm)
{
	struct drm_svmgpu_queue_create c = { .vm_id = vm };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_CREATE, &c), 0);
	igt_assert_neq(c.queue_id, 0);
	return c.queue_id;
}

void svmgpu_queue_destroy(int fd, uint32_t queue)
{
	struct drm_svmgpu_queue_destroy d = { .queue_id = queue };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_DESTROY, &d), 0);
}

int __svmgpu_exec(int fd, uint32_t queue, uint64_t batch, uint32_t out_syncobj)
{
	struct drm_svmgpu_sync out = { .handle = out_syncobj };
	struct drm_svmgpu_exec e = {
		.queue_id = queue,
		.batch_address = batch,
		.out_syncs = (uintptr_t)&out,
		.num_out_syncs = out_syncobj ? 1 : 0,
	};

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_EXEC, &e);
}

int svmgpu_syncobj_wait(int fd, uint32_t handle)
{
	uint32_t handles[1] = { handle };
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)handles,
		.count_handles = 1,
		.timeout_nsec = INT64_MAX,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_fence_info info = {};
	struct sync_file_info file_info = {
		.num_fences = 1,
		.sync_fence_info = (uintptr_t)&info,
	};
	int ret;

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w), 0);
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	ret = ioctl(h.fd, SYNC_IOC_FILE_INFO, &file_info);
	igt_assert_eq(ret, 0);
	close(h.fd);
	/* status: 1 signalled, 0 active, < 0 the error */
	igt_assert_neq(info.status, 0);
	return info.status < 0 ? info.status : 0;
}

int svmgpu_exec_wait(int fd, uint32_t queue, const void *batch)
{
	struct drm_syncobj_create c = {};
	struct drm_syncobj_destroy d = {};
	int ret;

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
	ret = __svmgpu_exec(fd, queue, (uintptr_t)batch, c.handle);
	if (!ret)
		ret = svmgpu_syncobj_wait(fd, c.handle);
	d.handle = c.handle;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), 0);
	return ret;
}

int __svmgpu_exec_wait(int fd, uint32_t queue, const void *batch)
{
	struct drm_syncobj_create c = {};
	struct drm_syncobj_destroy d = {};
	struct drm_syncobj_wait w = {
		.count_handles = 1,
		.timeout_nsec = INT64_MAX,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};
	struct drm_syncobj_handle h = {
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_fence_info info = {};
	struct sync_file_info file_info = {
		.num_fences = 1,
		.sync_fence_info = (uintptr_t)&info,
	};
	int ret;

	ret = svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	if (ret)
		return ret;
	w.handles = (uintptr_t)&c.handle;
	h.handle = c.handle;
	ret = __svmgpu_exec(fd, queue, (uintptr_t)batch, c.handle);
	if (!ret)
		ret = svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	if (!ret)
		ret = svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (!ret) {
		if (ioctl(h.fd, SYNC_IOC_FILE_INFO, &file_info))
			ret = -errno;
		else if (info.status <= 0)
			ret = info.status ? info.status : -EBUSY;
		close(h.fd);
	}
	d.handle = c.handle;
	svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	return ret;
}

int svmgpu_prefetch(int fd, uint32_t vm, void *start, uint64_t size, uint32_t region)
{
	struct drm_svmgpu_prefetch p = {
		.vm_id = vm,
		.region = region,
		.start = (uintptr_t)start,
		.range = size,
	};

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_PREFETCH, &p);
}

void svmgpu_get_fault(int fd, uint32_t queue, struct drm_svmgpu_queue_get_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->queue_id = queue;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT, f), 0);
}

void svmgpu_stats(int fd, struct drm_svmgpu_stats *stats)
{
	struct drm_svmgpu_query q = {
		.type = DRM_SVMGPU_QUERY_STATS,
		.size = sizeof(*stats),
		.pointer = (uintptr_t)stats,
	};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q), 0);
}

struct svmgpu_batch *svmgpu_batch_new(void)
{
	struct svmgpu_batch *b = calloc(1, sizeof(*b));

	igt_assert(b);
	b->cap = SVMGPU_BATCH_SIZE;
	b->buf = mmap(NULL, b->cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(b->buf != MAP_FAILED);
	return b;
}

void svmgpu_batch_free(struct svmgpu_batch *b)
{
	munmap(b->buf, b->cap);
	free(b);
}

void svmgpu_batch_reset(struct svmgpu_batch *b)
{
	b->len = 0;
}

static void *batch_emit(struct svmgpu_batch *b, size_t size)
{
	void *p;

	igt_assert_f(b->len + size <= b->cap, "command buffer full\n");
	p = (char *)b->buf + b->len;
	memset(p, 0, size);
	b->len += size;
	return p;
}

static void hdr(struct drm_svmgpu_cmd_header *h, uint16_t op, uint16_t len, uint32_t flags)
{
	h->opcode = op;
	h->length = len;
	h->flags = flags;
}

void svmgpu_cmd_store32(struct svmgpu_batch *b, void *addr, uint32_t value)
{
	struct drm_svmgpu_cmd_store *c = batch_emit(b, sizeof(*c));

	hdr(&c->hdr, DRM_SVMGPU_CMD_STORE32, sizeof(*c), 0);
	c->address = (uintptr_t)addr;
	c->value = value;
}

void svmgpu_cmd_store64(struct svmgpu_batch *b, void *addr, uint64_t value)
{
	struct drm_svmgpu_cmd_store *c = batch_emit(b, sizeof(*c));

	hdr(&c->hdr, DRM_SVMGPU_CMD_STORE64, sizeof(*c), 0);
	c->address = (uintptr_t)addr;
	c->value = value;
}

void svmgpu_cmd_fill32(struct svmgpu_batch *b, void *addr, uint64_t size, uint32_t value)
{
	struct drm_svmgpu_cmd_fill *c = batch_emit(b, sizeof(*c));

	hdr(&c->hdr, DRM_SVMGPU_CMD_FILL32, sizeof(*c), 0);
	c->address = (uintptr_t)addr;
	c->size = size;
	c->value = value;
}

void svmgpu_cmd_copy(struct svmgpu_batch *b, void *dst, const void *src, uint64_t size)
{
	struct drm_svmgpu_cmd_copy *c = batch_emit(b, sizeof(*c));

	hdr(&c->hdr, DRM_SVMGPU_CMD_COPY, sizeof(*c), 0);
	c->dst = (uintptr_t)dst;
	c->src = (uintptr_t)src;
	c->size = size;
}

void svmgpu_cmd_atomic(struct svmgpu_batch *b, uint32_t op, bool is64, void *addr,
		       uint64_t operand, uint64_t compare, void *result)
{
	struct drm_svmgpu_cmd_atomic *c = batch_emit(b, sizeof(*c));

	hdr(&c->hdr, DRM_SVMGPU_CMD_ATOMIC, sizeof(*c), op | (is64 ? DRM_SVMGPU_ATOMIC_64 : 0));
	c->address = (uintptr_t)addr;
	c->operand = operand;
	c->compare = compare;
	c->result_address = (uintptr_t)result;
}

void svmgpu_batch_emit(struct svmgpu_batch *b, const void *cmd, size_t size)
{
	memcpy(batch_emit(b, size), cmd, size);
}

const void *svmgpu_batch_end(struct svmgpu_batch *b)
{
	struct drm_svmgpu_cmd_header *h = batch_emit(b, sizeof(*h));

	hdr(h, DRM_SVMGPU_CMD_END, sizeof(*h), 0);
	return b->buf;
}
