/* SPDX-License-Identifier: MIT */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef LIBSVMGPU_H
#define LIBSVMGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/svmgpu_drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: libsvmgpu
 *
 * libsvmgpu is the userspace layer a compute runtime links to drive svmgpu
 * devices: device discovery, queries, VM and queue lifetime, a builder for
 * command buffers, exec with syncobjs, memory hints and fault reports. It
 * is a thin, stateless wrapper over the uAPI in ``drm/svmgpu_drm.h``: every
 * object is the kernel's own (a file descriptor, a VM id, a queue id, a
 * syncobj handle), so code using libsvmgpu can mix its calls with raw
 * ioctls freely.
 *
 * Conventions:
 *
 * - Functions returning ``int`` return 0 (or a non-negative value where
 *   documented) on success and a negative errno on failure; they never print
 *   and never abort.
 * - Functions taking ``int fd`` want an open svmgpu DRM file
 *   (libsvmgpu_open_index(), libsvmgpu_open_path() or
 *   libsvmgpu_device_fd()); VMs, queues and syncobjs belong to that file.
 * - Addresses are plain CPU pointers: a VM mirrors the whole address space
 *   of the process.
 * - Nothing here keeps global state; the library is thread-safe as long as a
 *   &struct libsvmgpu_cmdbuf is used by one thread at a time.
 */

/** @LIBSVMGPU_VERSION_MAJOR: bumped with the soname, on incompatible changes */
#define LIBSVMGPU_VERSION_MAJOR		1
/** @LIBSVMGPU_VERSION_MINOR: bumped by every addition to the API */
#define LIBSVMGPU_VERSION_MINOR		0

/** @LIBSVMGPU_TIMEOUT_INFINITE: a timeout that never expires */
#define LIBSVMGPU_TIMEOUT_INFINITE	INT64_MAX

/**
 * libsvmgpu_ioctl() - an ioctl restarted on EINTR and EAGAIN
 * @fd: the DRM file
 * @request: the ioctl request
 * @arg: its argument
 *
 * Return: 0, or the negative errno of the failed ioctl (errno is left set).
 */
int libsvmgpu_ioctl(int fd, unsigned long request, void *arg);

/* ---------------------------------------------------------------------- */
/* Devices                                                                */

/**
 * libsvmgpu_is_svmgpu() - whether a DRM file belongs to the svmgpu driver
 * @fd: an open DRM file
 *
 * Return: true if the driver's name is "svmgpu".
 */
bool libsvmgpu_is_svmgpu(int fd);

/**
 * libsvmgpu_count_devices() - number of svmgpu render nodes
 *
 * Return: how many svmgpu render nodes this process can open.
 */
int libsvmgpu_count_devices(void);

/**
 * libsvmgpu_open_index() - open the @index-th svmgpu render node
 * @index: 0 for the first svmgpu render node, in render-node order
 *
 * Other drivers' render nodes are skipped, so index 0 is the first svmgpu
 * device whatever else the machine has. The file is opened O_RDWR and
 * O_CLOEXEC; close it with close().
 *
 * Return: the file descriptor, -ENODEV if there is no such device.
 */
int libsvmgpu_open_index(int index);

/**
 * libsvmgpu_open_path() - open a DRM node by path
 * @path: e.g. "/dev/dri/renderD128"
 *
 * Return: the file descriptor, -ENODEV if the node is not an svmgpu
 * device, or the negative errno of open().
 */
int libsvmgpu_open_path(const char *path);

/*
 * struct libsvmgpu_device: an open svmgpu device, opaque. It owns its file
 * descriptor and caches what does not change while the device is open: its
 * path and &struct drm_svmgpu_device_info. (A plain comment: kernel-doc
 * documents only structures whose members it can see.)
 */
struct libsvmgpu_device;

/**
 * libsvmgpu_device_open() - open the @index-th svmgpu device and query it
 * @index: as for libsvmgpu_open_index()
 * @dev: out: the device, for libsvmgpu_device_close()
 *
 * Return: 0, -ENODEV if there is no such device, -ENOMEM, or the error of
 * the device-info query.
 */
int libsvmgpu_device_open(int index, struct libsvmgpu_device **dev);

/**
 * libsvmgpu_device_open_path() - open an svmgpu device by node path
 * @path: as for libsvmgpu_open_path()
 * @dev: out: the device
 *
 * Return: as libsvmgpu_device_open().
 */
int libsvmgpu_device_open_path(const char *path, struct libsvmgpu_device **dev);

/**
 * libsvmgpu_device_close() - close a device and its file
 * @dev: the device, or NULL
 *
 * The kernel destroys the VMs, queues and syncobjs the file still holds.
 */
void libsvmgpu_device_close(struct libsvmgpu_device *dev);

/**
 * libsvmgpu_device_fd() - the device's DRM file, for the fd-based calls
 * @dev: the device
 *
 * Return: the file descriptor, owned by @dev.
 */
int libsvmgpu_device_fd(const struct libsvmgpu_device *dev);

/**
 * libsvmgpu_device_path() - the node the device was opened from
 * @dev: the device
 *
 * Return: a string owned by @dev.
 */
const char *libsvmgpu_device_path(const struct libsvmgpu_device *dev);

/**
 * libsvmgpu_device_info() - the device's information, queried at open
 * @dev: the device
 *
 * Return: a structure owned by @dev.
 */
const struct drm_svmgpu_device_info *libsvmgpu_device_info(const struct libsvmgpu_device *dev);

/* ---------------------------------------------------------------------- */
/* Queries and statistics                                                 */

/**
 * libsvmgpu_query() - %DRM_IOCTL_SVMGPU_QUERY
 * @fd: the DRM file
 * @type: &enum drm_svmgpu_query_type
 * @out: receives min(*@size, object size) bytes, the rest zeroed; may be
 *	NULL to ask for the size only
 * @size: in: bytes at @out; out: the size of the kernel's object
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_query(int fd, uint32_t type, void *out, uint32_t *size);

/**
 * libsvmgpu_query_device_info() - %DRM_SVMGPU_QUERY_DEVICE_INFO
 * @fd: the DRM file
 * @info: out: the answer (zero-filled beyond what the kernel knows)
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_query_device_info(int fd, struct drm_svmgpu_device_info *info);

/**
 * libsvmgpu_query_stats() - %DRM_SVMGPU_QUERY_STATS, device-wide counters
 * @fd: the DRM file
 * @stats: out: the counters, indexed by &enum drm_svmgpu_stat
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_query_stats(int fd, struct drm_svmgpu_stats *stats);

/**
 * libsvmgpu_stat_name() - a short name for a counter
 * @index: &enum drm_svmgpu_stat
 *
 * Return: e.g. "gpu_faults", or NULL for an index the library does not know.
 */
const char *libsvmgpu_stat_name(unsigned int index);

/* ---------------------------------------------------------------------- */
/* VMs and queues                                                         */

/**
 * libsvmgpu_vm_create() - create a VM mirroring the process's address space
 * @fd: the DRM file
 * @vm_id: out: the VM
 *
 * Return: 0 or a negative errno (-ENOSPC: too many VMs).
 */
int libsvmgpu_vm_create(int fd, uint32_t *vm_id);

/**
 * libsvmgpu_vm_destroy() - destroy a VM; its queues keep it alive
 * @fd: the DRM file
 * @vm_id: the VM
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_vm_destroy(int fd, uint32_t vm_id);

/**
 * libsvmgpu_queue_create() - create an execution queue on a VM
 * @fd: the DRM file
 * @vm_id: the VM its command buffers run in
 * @queue_id: out: the queue
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_queue_create(int fd, uint32_t vm_id, uint32_t *queue_id);

/**
 * libsvmgpu_queue_destroy() - destroy a queue after its jobs have finished
 * @fd: the DRM file
 * @queue_id: the queue
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_queue_destroy(int fd, uint32_t queue_id);

/**
 * libsvmgpu_queue_get_fault() - a queue's state and its last GPU fault
 * @fd: the DRM file
 * @queue_id: the queue
 * @fault: out: banned, error, fault address and access
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_queue_get_fault(int fd, uint32_t queue_id, struct drm_svmgpu_queue_get_fault *fault);

/**
 * libsvmgpu_fault_describe() - a fault report in words
 * @fault: from libsvmgpu_queue_get_fault()
 * @buf: receives a NUL-terminated line such as
 *	"job failed: Bad address (GPU write at 0x7f0000001000)"
 * @size: bytes at @buf
 *
 * Return: the length of the full line, as snprintf().
 */
int libsvmgpu_fault_describe(const struct drm_svmgpu_queue_get_fault *fault, char *buf,
			     size_t size);

/* ---------------------------------------------------------------------- */
/* Memory placement and attributes                                        */

/**
 * libsvmgpu_prefetch() - %DRM_IOCTL_SVMGPU_PREFETCH
 * @fd: the DRM file
 * @vm_id: the VM
 * @start: page-aligned start
 * @size: page-aligned length, non-zero
 * @region: &enum drm_svmgpu_region
 *
 * Migrates the range and maps it for the GPU before any job touches it.
 *
 * Return: 0 or a negative errno (-EFAULT: part of the range is unmapped).
 */
int libsvmgpu_prefetch(int fd, uint32_t vm_id, const void *start, uint64_t size,
		       uint32_t region);

/**
 * libsvmgpu_prefetch_covering() - prefetch every page an object touches
 * @fd: the DRM file
 * @vm_id: the VM
 * @ptr: any address
 * @size: bytes from @ptr; 0 does nothing
 * @region: &enum drm_svmgpu_region
 *
 * libsvmgpu_prefetch() on [@ptr, @ptr + @size) rounded out to whole pages,
 * for objects of any alignment such as malloc'ed arrays. The pages shared
 * with neighbouring objects move too.
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_prefetch_covering(int fd, uint32_t vm_id, const void *ptr, uint64_t size,
				uint32_t region);

/**
 * libsvmgpu_madvise() - %DRM_IOCTL_SVMGPU_MADVISE with a caller-built request
 * @fd: the DRM file
 * @args: the request
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_madvise(int fd, const struct drm_svmgpu_madvise *args);

/**
 * libsvmgpu_madvise_preferred_location() - set a range's preferred location
 * @fd: the DRM file
 * @vm_id: the VM
 * @start: page-aligned start
 * @size: page-aligned length
 * @location: &enum drm_svmgpu_preferred_loc
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_madvise_preferred_location(int fd, uint32_t vm_id, const void *start,
					 uint64_t size, uint32_t location);

/**
 * libsvmgpu_madvise_atomic() - set a range's atomic policy
 * @fd: the DRM file
 * @vm_id: the VM
 * @start: page-aligned start
 * @size: page-aligned length
 * @policy: &enum drm_svmgpu_atomic_policy
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_madvise_atomic(int fd, uint32_t vm_id, const void *start, uint64_t size,
			     uint32_t policy);

/**
 * libsvmgpu_madvise_granularity() - set a range's migration granularity
 * @fd: the DRM file
 * @vm_id: the VM
 * @start: page-aligned start
 * @size: page-aligned length
 * @shift: 12, 16 or 21, or 0 for the default
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_madvise_granularity(int fd, uint32_t vm_id, const void *start, uint64_t size,
				  uint32_t shift);

/**
 * libsvmgpu_madvise_query() - read a range's attributes back
 * @fd: the DRM file
 * @vm_id: the VM
 * @start: page-aligned start
 * @size: page-aligned length
 * @out: out: the attributes at @start and whether the range is uniform
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_madvise_query(int fd, uint32_t vm_id, const void *start, uint64_t size,
			    struct drm_svmgpu_madvise_query *out);

/* ---------------------------------------------------------------------- */
/* Syncobjs                                                               */

/**
 * libsvmgpu_syncobj_create() - create a syncobj
 * @fd: the DRM file
 * @signaled: create it already signalled
 * @handle: out: the syncobj
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_syncobj_create(int fd, bool signaled, uint32_t *handle);

/**
 * libsvmgpu_syncobj_destroy() - destroy a syncobj
 * @fd: the DRM file
 * @handle: the syncobj
 *
 * Return: 0 or a negative errno.
 */
int libsvmgpu_syncobj_destroy(int fd, uint32_t handle);

/**
 * libsvmgpu_syncobj_wait() - wait for syncobjs (binary or timeline points)
 * @fd: the DRM file
 * @handles: @count syncobjs
 * @points: @count timeline points, or NULL for binary syncobjs
 * @count: number of syncobjs, at least 1
 * @timeout_ns: relative timeout, 0 to poll, %LIBSVMGPU_TIMEOUT_INFINITE
 * @flags: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL (else any one suffices),
 *	DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT (also wait for a fence to be
 *	attached, so that a wait may start before the exec that signals it;
 *	without it, a syncobj without a fence fails the wait with -EINVAL)
 *
 * Return: 0 once signalled (whether the job succeeded or not: see
 * libsvmgpu_syncobj_error()), -ETIME on timeout, or a negative errno.
 */
int libsvmgpu_syncobj_wait(int fd, const uint32_t *handles, const uint64_t *points,
			   uint32_t count, int64_t timeout_ns, uint32_t flags);

/**
 * libsvmgpu_syncobj_error() - the result of a syncobj's fence
 * @fd: the DRM file
 * @handle: the syncobj
 * @point: the timeline point, or 0 for a binary syncobj
 *
 * Return: 0 if the fence signalled without error, -EBUSY if it has not
 * signalled yet, the job's negative error (e.g. -EFAULT for a GPU page fault
 * that could not be resolved) if it signalled with one, or the negative
 * errno of a failed ioctl (-EINVAL: no fence attached).
 */
int libsvmgpu_syncobj_error(int fd, uint32_t handle, uint64_t point);

/* ---------------------------------------------------------------------- */
/* Execution                                                              */

/**
 * libsvmgpu_exec() - %DRM_IOCTL_SVMGPU_EXEC
 * @fd: the DRM file
 * @queue_id: the queue
 * @batch: the command buffer, 8-byte aligned, in ordinary memory
 * @in: @num_in syncs to wait for before the job runs, or NULL
 * @num_in: at most %DRM_SVMGPU_MAX_SYNCS
 * @out: @num_out syncs that get the job's fence, or NULL
 * @num_out: at most %DRM_SVMGPU_MAX_SYNCS
 *
 * The GPU reads @batch when the job runs: keep it mapped and unchanged until
 * the job's fence has signalled.
 *
 * Return: 0 once queued, or a negative errno (-ECANCELED: the queue is
 * banned after a failed job).
 */
int libsvmgpu_exec(int fd, uint32_t queue_id, const void *batch,
		   const struct drm_svmgpu_sync *in, uint32_t num_in,
		   const struct drm_svmgpu_sync *out, uint32_t num_out);

/**
 * libsvmgpu_exec_wait() - run a command buffer and wait for it
 * @fd: the DRM file
 * @queue_id: the queue
 * @batch: the command buffer
 *
 * Return: 0 if the job succeeded, the job's negative error if it failed
 * (see libsvmgpu_queue_get_fault()), or the negative errno of a failed
 * ioctl.
 */
int libsvmgpu_exec_wait(int fd, uint32_t queue_id, const void *batch);

/* ---------------------------------------------------------------------- */
/* Command buffers                                                        */

/*
 * struct libsvmgpu_cmdbuf: a command buffer being built, opaque.
 *
 * Commands are appended in order; libsvmgpu_cmdbuf_end() terminates the
 * buffer, which is then passed to libsvmgpu_exec() as
 * libsvmgpu_cmdbuf_data(). The builders lay out the uAPI's structures and
 * do not judge their values: the kernel validates every command when the
 * job runs, and a malformed one fails the job with -EINVAL.
 *
 * The first error (a full fixed-size buffer, no memory to grow) is sticky:
 * later appends fail with it too, until libsvmgpu_cmdbuf_reset().
 */
struct libsvmgpu_cmdbuf;

/**
 * libsvmgpu_cmdbuf_create() - a command buffer in memory it allocates
 * @capacity: initial bytes, 0 for a default; the buffer grows as needed
 * @cb: out: the command buffer
 *
 * Growing moves the commands: take libsvmgpu_cmdbuf_data() after the last
 * append.
 *
 * Return: 0 or -ENOMEM.
 */
int libsvmgpu_cmdbuf_create(size_t capacity, struct libsvmgpu_cmdbuf **cb);

/**
 * libsvmgpu_cmdbuf_create_in() - a command buffer in caller-provided memory
 * @mem: 8-byte aligned memory the commands are written to, in place
 * @size: bytes at @mem; the buffer never grows
 * @cb: out: the command buffer
 *
 * For callers that need the commands at a known place (mmap'ed memory with
 * particular attributes, for instance).
 *
 * Return: 0, -EINVAL (misaligned @mem) or -ENOMEM.
 */
int libsvmgpu_cmdbuf_create_in(void *mem, size_t size, struct libsvmgpu_cmdbuf **cb);

/**
 * libsvmgpu_cmdbuf_destroy() - free a command buffer (not caller memory)
 * @cb: the command buffer, or NULL
 */
void libsvmgpu_cmdbuf_destroy(struct libsvmgpu_cmdbuf *cb);

/**
 * libsvmgpu_cmdbuf_reset() - empty the buffer and clear its error
 * @cb: the command buffer
 */
void libsvmgpu_cmdbuf_reset(struct libsvmgpu_cmdbuf *cb);

/**
 * libsvmgpu_cmdbuf_data() - the commands, for libsvmgpu_exec()
 * @cb: the command buffer
 *
 * Return: the start of the commands.
 */
const void *libsvmgpu_cmdbuf_data(const struct libsvmgpu_cmdbuf *cb);

/**
 * libsvmgpu_cmdbuf_size() - bytes of commands written so far
 * @cb: the command buffer
 *
 * Return: the size in bytes, a multiple of 8.
 */
size_t libsvmgpu_cmdbuf_size(const struct libsvmgpu_cmdbuf *cb);

/**
 * libsvmgpu_cmdbuf_error() - the sticky error of the buffer
 * @cb: the command buffer
 *
 * Return: 0, or the first error an append returned.
 */
int libsvmgpu_cmdbuf_error(const struct libsvmgpu_cmdbuf *cb);

/**
 * libsvmgpu_cmdbuf_emit() - append a command built by the caller
 * @cb: the command buffer
 * @cmd: the whole command, header included
 * @size: its bytes, a multiple of 8
 *
 * Return: 0, -EINVAL (@size not a multiple of 8), -ENOSPC (fixed buffer
 * full), -ENOMEM, or the sticky error.
 */
int libsvmgpu_cmdbuf_emit(struct libsvmgpu_cmdbuf *cb, const void *cmd, size_t size);

/**
 * libsvmgpu_cmdbuf_store32() - %DRM_SVMGPU_CMD_STORE32
 * @cb: the command buffer
 * @addr: where to store, 4-byte aligned
 * @value: the value
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_store32(struct libsvmgpu_cmdbuf *cb, void *addr, uint32_t value);

/**
 * libsvmgpu_cmdbuf_store64() - %DRM_SVMGPU_CMD_STORE64
 * @cb: the command buffer
 * @addr: where to store, 8-byte aligned
 * @value: the value
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_store64(struct libsvmgpu_cmdbuf *cb, void *addr, uint64_t value);

/**
 * libsvmgpu_cmdbuf_fill32() - %DRM_SVMGPU_CMD_FILL32
 * @cb: the command buffer
 * @addr: 4-byte aligned start
 * @size: bytes, a multiple of 4
 * @value: the 32-bit pattern
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_fill32(struct libsvmgpu_cmdbuf *cb, void *addr, uint64_t size,
			    uint32_t value);

/**
 * libsvmgpu_cmdbuf_copy() - %DRM_SVMGPU_CMD_COPY
 * @cb: the command buffer
 * @dst: destination
 * @src: source, not overlapping @dst
 * @size: bytes
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_copy(struct libsvmgpu_cmdbuf *cb, void *dst, const void *src,
			  uint64_t size);

/**
 * libsvmgpu_cmdbuf_atomic() - %DRM_SVMGPU_CMD_ATOMIC
 * @cb: the command buffer
 * @op: &enum drm_svmgpu_atomic_op
 * @is64: 64-bit operation (else 32-bit)
 * @addr: the operand in memory, naturally aligned
 * @operand: value to add or store
 * @compare: CMPXCHG's expected value
 * @result: where the old value goes, or NULL
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_atomic(struct libsvmgpu_cmdbuf *cb, uint32_t op, bool is64, void *addr,
			    uint64_t operand, uint64_t compare, void *result);

/**
 * libsvmgpu_cmdbuf_saxpy() - %DRM_SVMGPU_CMD_SAXPY: y[i] = a * x[i] + y[i]
 * @cb: the command buffer
 * @a: the scalar
 * @x: @n floats
 * @y: @n floats, read and written
 * @n: number of elements
 *
 * The GPU rounds the product and the sum separately (no fused multiply-add).
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_saxpy(struct libsvmgpu_cmdbuf *cb, float a, const float *x, float *y,
			   uint64_t n);

/**
 * libsvmgpu_cmdbuf_reduce() - %DRM_SVMGPU_CMD_REDUCE
 * @cb: the command buffer
 * @op: &enum drm_svmgpu_reduce_op
 * @src: @n 32-bit elements
 * @n: number of elements
 * @dst: the result: u64 for SUM_U32, float for SUM_F32, u32 for MAX_U32
 *
 * Return: as libsvmgpu_cmdbuf_emit().
 */
int libsvmgpu_cmdbuf_reduce(struct libsvmgpu_cmdbuf *cb, uint32_t op, const void *src,
			    uint64_t n, void *dst);

/**
 * libsvmgpu_cmdbuf_end() - append %DRM_SVMGPU_CMD_END
 * @cb: the command buffer
 *
 * Return: as libsvmgpu_cmdbuf_emit(); on success the buffer is ready for
 * libsvmgpu_exec().
 */
int libsvmgpu_cmdbuf_end(struct libsvmgpu_cmdbuf *cb);

#if defined(__cplusplus)
}
#endif

#endif /* LIBSVMGPU_H */
