// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * libsvmgpu: the userspace layer over the svmgpu uAPI. See libsvmgpu.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "libsvmgpu.h"

/* Render minors are 128..191 (DRM_MINOR_RENDER * 64 + n). */
#define RENDER_MINOR_FIRST	128
#define RENDER_MINOR_COUNT	64

#define CMDBUF_DEFAULT_CAP	4096

struct libsvmgpu_device {
	int fd;
	char path[64];
	struct drm_svmgpu_device_info info;
};

struct libsvmgpu_cmdbuf {
	uint64_t *buf;		/* 8-byte aligned, as the uAPI wants */
	size_t len;		/* bytes written */
	size_t cap;		/* bytes available at @buf */
	int error;		/* first failed append, sticky */
	bool owned;		/* @buf is ours, and may grow */
};

static uint64_t ptr64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int libsvmgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	/*
	 * A signal or a transient lack of resources must not surface as a
	 * failure of the request itself: DRM ioctls are restartable.
	 */
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

/* ---------------------------------------------------------------------- */
/* Devices                                                                */

bool libsvmgpu_is_svmgpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		/* One byte short, so that the name stays NUL-terminated. */
		.name_len = sizeof(name) - 1,
		.name = name,
	};

	if (libsvmgpu_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return strcmp(name, "svmgpu") == 0;
}

int libsvmgpu_open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!libsvmgpu_is_svmgpu(fd)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/* Opens the @index-th svmgpu render node; its path goes to @path. */
static int open_nth(int index, char *path, size_t size)
{
	int minor, fd;

	if (index < 0)
		return -ENODEV;
	/*
	 * Walk the render minors in order rather than readdir(/dev/dri), so
	 * that device indices follow node order whatever the directory order.
	 */
	for (minor = RENDER_MINOR_FIRST; minor < RENDER_MINOR_FIRST + RENDER_MINOR_COUNT; minor++) {
		snprintf(path, size, "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (libsvmgpu_is_svmgpu(fd) && index-- == 0)
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int libsvmgpu_open_index(int index)
{
	char path[64];

	return open_nth(index, path, sizeof(path));
}

int libsvmgpu_count_devices(void)
{
	int n = 0, fd;

	while ((fd = libsvmgpu_open_index(n)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

static int device_wrap(int fd, const char *path, struct libsvmgpu_device **out)
{
	struct libsvmgpu_device *dev;
	int ret;

	*out = NULL;
	if (fd < 0)
		return fd;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		close(fd);
		return -ENOMEM;
	}
	dev->fd = fd;
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	ret = libsvmgpu_query_device_info(fd, &dev->info);
	if (ret) {
		libsvmgpu_device_close(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

int libsvmgpu_device_open(int index, struct libsvmgpu_device **dev)
{
	char path[64];
	int fd = open_nth(index, path, sizeof(path));

	return device_wrap(fd, path, dev);
}

int libsvmgpu_device_open_path(const char *path, struct libsvmgpu_device **dev)
{
	return device_wrap(libsvmgpu_open_path(path), path, dev);
}

void libsvmgpu_device_close(struct libsvmgpu_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int libsvmgpu_device_fd(const struct libsvmgpu_device *dev)
{
	return dev->fd;
}

const char *libsvmgpu_device_path(const struct libsvmgpu_device *dev)
{
	return dev->path;
}

const struct drm_svmgpu_device_info *libsvmgpu_device_info(const struct libsvmgpu_device *dev)
{
	return &dev->info;
}

/* ---------------------------------------------------------------------- */
/* Queries and statistics                                                 */

int libsvmgpu_query(int fd, uint32_t type, void *out, uint32_t *size)
{
	struct drm_svmgpu_query q = {
		.type = type,
		.size = out ? *size : 0,
		.pointer = ptr64(out),
	};
	int ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q);

	if (!ret)
		*size = q.size;
	return ret;
}

int libsvmgpu_query_device_info(int fd, struct drm_svmgpu_device_info *info)
{
	uint32_t size = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return libsvmgpu_query(fd, DRM_SVMGPU_QUERY_DEVICE_INFO, info, &size);
}

int libsvmgpu_query_stats(int fd, struct drm_svmgpu_stats *stats)
{
	uint32_t size = sizeof(*stats);

	return libsvmgpu_query(fd, DRM_SVMGPU_QUERY_STATS, stats, &size);
}

static const char *const stat_names[DRM_SVMGPU_STAT_COUNT] = {
	[DRM_SVMGPU_STAT_GPU_FAULTS] = "gpu_faults",
	[DRM_SVMGPU_STAT_GPU_FAULTS_VALID] = "gpu_faults_valid",
	[DRM_SVMGPU_STAT_GPU_FAULTS_FAILED] = "gpu_faults_failed",
	[DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM] = "migrations_to_vram",
	[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB] = "copy_to_vram_kib",
	[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB] = "copy_to_ram_kib",
	[DRM_SVMGPU_STAT_INVALIDATIONS] = "invalidations",
	[DRM_SVMGPU_STAT_EVICTIONS] = "evictions",
	[DRM_SVMGPU_STAT_BINDS] = "binds",
	[DRM_SVMGPU_STAT_JOBS] = "jobs",
#if DRM_SVMGPU_UAPI_MINOR >= 1
	/* Counters added later are named from the uAPI minor that added them. */
	[DRM_SVMGPU_STAT_COPY_TO_PEER_KIB] = "copy_to_peer_kib",
#endif
};

const char *libsvmgpu_stat_name(unsigned int index)
{
	return index < DRM_SVMGPU_STAT_COUNT ? stat_names[index] : NULL;
}

/* ---------------------------------------------------------------------- */
/* VMs and queues                                                         */

int libsvmgpu_vm_create(int fd, uint32_t *vm_id)
{
	struct drm_svmgpu_vm_create c = {};
	int ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_CREATE, &c);

	if (!ret)
		*vm_id = c.vm_id;
	return ret;
}

int libsvmgpu_vm_destroy(int fd, uint32_t vm_id)
{
	struct drm_svmgpu_vm_destroy d = { .vm_id = vm_id };

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_VM_DESTROY, &d);
}

int libsvmgpu_queue_create(int fd, uint32_t vm_id, uint32_t *queue_id)
{
	struct drm_svmgpu_queue_create c = { .vm_id = vm_id };
	int ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_CREATE, &c);

	if (!ret)
		*queue_id = c.queue_id;
	return ret;
}

int libsvmgpu_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_svmgpu_queue_destroy d = { .queue_id = queue_id };

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_DESTROY, &d);
}

int libsvmgpu_queue_get_fault(int fd, uint32_t queue_id, struct drm_svmgpu_queue_get_fault *fault)
{
	/* The output fields must be zero on input. */
	memset(fault, 0, sizeof(*fault));
	fault->queue_id = queue_id;
	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT, fault);
}

int libsvmgpu_fault_describe(const struct drm_svmgpu_queue_get_fault *fault, char *buf,
			     size_t size)
{
	const char *access = "access";

	if (!fault->banned)
		return snprintf(buf, size, "no failed job");
	if (fault->fault_access & DRM_SVMGPU_ACCESS_ATOMIC)
		access = "atomic";
	else if (fault->fault_access & DRM_SVMGPU_ACCESS_WRITE)
		access = "write";
	else if (fault->fault_access & DRM_SVMGPU_ACCESS_READ)
		access = "read";
	if (!fault->fault_access && !fault->fault_address)
		return snprintf(buf, size, "job failed: %s", strerror(-fault->error));
	return snprintf(buf, size, "job failed: %s (GPU %s at 0x%llx)", strerror(-fault->error),
			access, (unsigned long long)fault->fault_address);
}

/* ---------------------------------------------------------------------- */
/* Memory placement and attributes                                        */

int libsvmgpu_prefetch(int fd, uint32_t vm_id, const void *start, uint64_t size,
		       uint32_t region)
{
	struct drm_svmgpu_prefetch p = {
		.vm_id = vm_id,
		.region = region,
		.start = ptr64(start),
		.range = size,
	};

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_PREFETCH, &p);
}

int libsvmgpu_prefetch_covering(int fd, uint32_t vm_id, const void *ptr, uint64_t size,
				uint32_t region)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = ptr64(ptr), end;

	if (!size)
		return 0;
	if (start + size < start)
		return -EINVAL;
	end = (start + size + page - 1) & ~(page - 1);
	start &= ~(page - 1);
	return libsvmgpu_prefetch(fd, vm_id, (const void *)(uintptr_t)start, end - start, region);
}

int libsvmgpu_madvise(int fd, const struct drm_svmgpu_madvise *args)
{
	struct drm_svmgpu_madvise m = *args;

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, &m);
}

static int madvise_one(int fd, uint32_t vm_id, const void *start, uint64_t size,
		       uint32_t flag, uint32_t value)
{
	struct drm_svmgpu_madvise m = {
		.vm_id = vm_id,
		.flags = flag,
		.start = ptr64(start),
		.range = size,
	};

	/*
	 * The kernel checks every value field, also those @flags does not
	 * name, so the others stay at their (valid) zero defaults.
	 */
	switch (flag) {
	case DRM_SVMGPU_MADVISE_PREFERRED_LOC:
		m.preferred_location = value;
		break;
	case DRM_SVMGPU_MADVISE_ATOMIC:
		m.atomic_policy = value;
		break;
	default:
		m.granularity_shift = value;
		break;
	}
	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, &m);
}

int libsvmgpu_madvise_preferred_location(int fd, uint32_t vm_id, const void *start,
					 uint64_t size, uint32_t location)
{
	return madvise_one(fd, vm_id, start, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC, location);
}

int libsvmgpu_madvise_atomic(int fd, uint32_t vm_id, const void *start, uint64_t size,
			     uint32_t policy)
{
	return madvise_one(fd, vm_id, start, size, DRM_SVMGPU_MADVISE_ATOMIC, policy);
}

int libsvmgpu_madvise_granularity(int fd, uint32_t vm_id, const void *start, uint64_t size,
				  uint32_t shift)
{
	return madvise_one(fd, vm_id, start, size, DRM_SVMGPU_MADVISE_GRANULARITY, shift);
}

int libsvmgpu_madvise_query(int fd, uint32_t vm_id, const void *start, uint64_t size,
			    struct drm_svmgpu_madvise_query *out)
{
	memset(out, 0, sizeof(*out));
	out->vm_id = vm_id;
	out->start = ptr64(start);
	out->range = size;
	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE_QUERY, out);
}

/* ---------------------------------------------------------------------- */
/* Syncobjs                                                               */

int libsvmgpu_syncobj_create(int fd, bool signaled, uint32_t *handle)
{
	struct drm_syncobj_create c = {
		.flags = signaled ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
	};
	int ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

int libsvmgpu_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* The syncobj ioctls take an absolute CLOCK_MONOTONIC deadline. */
static int64_t deadline(int64_t timeout_ns)
{
	struct timespec now;
	int64_t t;

	if (timeout_ns == LIBSVMGPU_TIMEOUT_INFINITE)
		return INT64_MAX;
	if (timeout_ns <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	return timeout_ns > INT64_MAX - t ? INT64_MAX : t + timeout_ns;
}

int libsvmgpu_syncobj_wait(int fd, const uint32_t *handles, const uint64_t *points,
			   uint32_t count, int64_t timeout_ns, uint32_t flags)
{
	if (points) {
		struct drm_syncobj_timeline_wait w = {
			.handles = ptr64(handles),
			.points = ptr64(points),
			.timeout_nsec = deadline(timeout_ns),
			.count_handles = count,
			.flags = flags,
		};

		return libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
	} else {
		struct drm_syncobj_wait w = {
			.handles = ptr64(handles),
			.timeout_nsec = deadline(timeout_ns),
			.count_handles = count,
			.flags = flags,
		};

		return libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	}
}

/* The status of a binary syncobj's fence, read through a sync file. */
static int binary_error(int fd, uint32_t handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_fence_info info = {};
	struct sync_file_info file_info = {
		.num_fences = 1,
		.sync_fence_info = ptr64(&info),
	};
	int ret;

	/*
	 * Syncobjs do not report a fence's error; the sync file exported from
	 * it does: status 1 is signalled, 0 active, negative the error.
	 */
	ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (ret)
		return ret;
	if (ioctl(h.fd, SYNC_IOC_FILE_INFO, &file_info))
		ret = -errno;
	else if (info.status == 0)
		ret = -EBUSY;
	else
		ret = info.status < 0 ? info.status : 0;
	close(h.fd);
	return ret;
}

int libsvmgpu_syncobj_error(int fd, uint32_t handle, uint64_t point)
{
	struct drm_syncobj_transfer t = {
		.src_handle = handle,
		.src_point = point,
	};
	int ret, ret2;

	if (!point)
		return binary_error(fd, handle);
	/* A timeline point's fence is exported through a binary copy of it. */
	ret = libsvmgpu_syncobj_create(fd, false, &t.dst_handle);
	if (ret)
		return ret;
	ret = libsvmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
	if (!ret)
		ret = binary_error(fd, t.dst_handle);
	ret2 = libsvmgpu_syncobj_destroy(fd, t.dst_handle);
	return ret ? ret : ret2;
}

/* ---------------------------------------------------------------------- */
/* Execution                                                              */

int libsvmgpu_exec(int fd, uint32_t queue_id, const void *batch,
		   const struct drm_svmgpu_sync *in, uint32_t num_in,
		   const struct drm_svmgpu_sync *out, uint32_t num_out)
{
	struct drm_svmgpu_exec e = {
		.queue_id = queue_id,
		.batch_address = ptr64(batch),
		.in_syncs = ptr64(in),
		.out_syncs = ptr64(out),
		.num_in_syncs = num_in,
		.num_out_syncs = num_out,
	};

	return libsvmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_EXEC, &e);
}

int libsvmgpu_exec_wait(int fd, uint32_t queue_id, const void *batch)
{
	struct drm_svmgpu_sync out = {};
	int ret, ret2;

	ret = libsvmgpu_syncobj_create(fd, false, &out.handle);
	if (ret)
		return ret;
	ret = libsvmgpu_exec(fd, queue_id, batch, NULL, 0, &out, 1);
	if (!ret)
		ret = libsvmgpu_syncobj_wait(fd, &out.handle, NULL, 1, LIBSVMGPU_TIMEOUT_INFINITE,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
	if (!ret)
		ret = libsvmgpu_syncobj_error(fd, out.handle, 0);
	ret2 = libsvmgpu_syncobj_destroy(fd, out.handle);
	return ret ? ret : ret2;
}

/* ---------------------------------------------------------------------- */
/* Command buffers                                                        */

int libsvmgpu_cmdbuf_create(size_t capacity, struct libsvmgpu_cmdbuf **out)
{
	struct libsvmgpu_cmdbuf *cb = calloc(1, sizeof(*cb));

	*out = NULL;
	if (!cb)
		return -ENOMEM;
	cb->cap = capacity ? (capacity + 7) & ~(size_t)7 : CMDBUF_DEFAULT_CAP;
	/* malloc's alignment (16 on x86-64) covers the uAPI's 8 bytes. */
	cb->buf = malloc(cb->cap);
	if (!cb->buf) {
		free(cb);
		return -ENOMEM;
	}
	cb->owned = true;
	*out = cb;
	return 0;
}

int libsvmgpu_cmdbuf_create_in(void *mem, size_t size, struct libsvmgpu_cmdbuf **out)
{
	struct libsvmgpu_cmdbuf *cb;

	*out = NULL;
	if (ptr64(mem) & 7)
		return -EINVAL;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	cb->buf = mem;
	cb->cap = size & ~(size_t)7;
	*out = cb;
	return 0;
}

void libsvmgpu_cmdbuf_destroy(struct libsvmgpu_cmdbuf *cb)
{
	if (!cb)
		return;
	if (cb->owned)
		free(cb->buf);
	free(cb);
}

void libsvmgpu_cmdbuf_reset(struct libsvmgpu_cmdbuf *cb)
{
	cb->len = 0;
	cb->error = 0;
}

const void *libsvmgpu_cmdbuf_data(const struct libsvmgpu_cmdbuf *cb)
{
	return cb->buf;
}

size_t libsvmgpu_cmdbuf_size(const struct libsvmgpu_cmdbuf *cb)
{
	return cb->len;
}

int libsvmgpu_cmdbuf_error(const struct libsvmgpu_cmdbuf *cb)
{
	return cb->error;
}

/* Room for @size more bytes, zeroed; NULL with cb->error set if there is none. */
static void *cmdbuf_reserve(struct libsvmgpu_cmdbuf *cb, size_t size)
{
	void *p;

	if (cb->error)
		return NULL;
	if (size & 7) {
		cb->error = -EINVAL;
		return NULL;
	}
	if (size > cb->cap - cb->len) {
		size_t cap = cb->cap;
		uint64_t *buf;

		if (!cb->owned) {
			cb->error = -ENOSPC;
			return NULL;
		}
		while (size > cap - cb->len) {
			if (cap > SIZE_MAX / 2) {
				cb->error = -ENOMEM;
				return NULL;
			}
			cap *= 2;
		}
		buf = realloc(cb->buf, cap);
		if (!buf) {
			cb->error = -ENOMEM;
			return NULL;
		}
		cb->buf = buf;
		cb->cap = cap;
	}
	p = (char *)cb->buf + cb->len;
	/* Zero: every pad and unused flag of a command must be 0. */
	memset(p, 0, size);
	cb->len += size;
	return p;
}

static void header(struct drm_svmgpu_cmd_header *h, uint16_t op, size_t len, uint32_t flags)
{
	h->opcode = op;
	h->length = (uint16_t)len;
	h->flags = flags;
}

int libsvmgpu_cmdbuf_emit(struct libsvmgpu_cmdbuf *cb, const void *cmd, size_t size)
{
	void *p = cmdbuf_reserve(cb, size);

	if (!p)
		return cb->error;
	memcpy(p, cmd, size);
	return 0;
}

int libsvmgpu_cmdbuf_store32(struct libsvmgpu_cmdbuf *cb, void *addr, uint32_t value)
{
	struct drm_svmgpu_cmd_store *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_STORE32, sizeof(*c), 0);
	c->address = ptr64(addr);
	c->value = value;
	return 0;
}

int libsvmgpu_cmdbuf_store64(struct libsvmgpu_cmdbuf *cb, void *addr, uint64_t value)
{
	struct drm_svmgpu_cmd_store *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_STORE64, sizeof(*c), 0);
	c->address = ptr64(addr);
	c->value = value;
	return 0;
}

int libsvmgpu_cmdbuf_fill32(struct libsvmgpu_cmdbuf *cb, void *addr, uint64_t size,
			    uint32_t value)
{
	struct drm_svmgpu_cmd_fill *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_FILL32, sizeof(*c), 0);
	c->address = ptr64(addr);
	c->size = size;
	c->value = value;
	return 0;
}

int libsvmgpu_cmdbuf_copy(struct libsvmgpu_cmdbuf *cb, void *dst, const void *src,
			  uint64_t size)
{
	struct drm_svmgpu_cmd_copy *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_COPY, sizeof(*c), 0);
	c->dst = ptr64(dst);
	c->src = ptr64(src);
	c->size = size;
	return 0;
}

int libsvmgpu_cmdbuf_atomic(struct libsvmgpu_cmdbuf *cb, uint32_t op, bool is64, void *addr,
			    uint64_t operand, uint64_t compare, void *result)
{
	struct drm_svmgpu_cmd_atomic *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_ATOMIC, sizeof(*c), op | (is64 ? DRM_SVMGPU_ATOMIC_64 : 0));
	c->address = ptr64(addr);
	c->operand = operand;
	c->compare = compare;
	c->result_address = ptr64(result);
	return 0;
}

int libsvmgpu_cmdbuf_saxpy(struct libsvmgpu_cmdbuf *cb, float a, const float *x, float *y,
			   uint64_t n)
{
	struct drm_svmgpu_cmd_saxpy *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_SAXPY, sizeof(*c), 0);
	c->x = ptr64(x);
	c->y = ptr64(y);
	c->n = n;
	/* The uAPI carries the scalar as the bits of an IEEE-754 float. */
	memcpy(&c->a, &a, sizeof(c->a));
	return 0;
}

int libsvmgpu_cmdbuf_reduce(struct libsvmgpu_cmdbuf *cb, uint32_t op, const void *src,
			    uint64_t n, void *dst)
{
	struct drm_svmgpu_cmd_reduce *c = cmdbuf_reserve(cb, sizeof(*c));

	if (!c)
		return cb->error;
	header(&c->hdr, DRM_SVMGPU_CMD_REDUCE, sizeof(*c), op);
	c->src = ptr64(src);
	c->n = n;
	c->dst = ptr64(dst);
	return 0;
}

int libsvmgpu_cmdbuf_end(struct libsvmgpu_cmdbuf *cb)
{
	struct drm_svmgpu_cmd_header *h = cmdbuf_reserve(cb, sizeof(*h));

	if (!h)
		return cb->error;
	header(h, DRM_SVMGPU_CMD_END, sizeof(*h), 0);
	return 0;
}
