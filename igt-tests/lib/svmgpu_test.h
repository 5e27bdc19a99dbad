/* SPDX-License-Identifier: MIT */
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * Device helpers shared by the svmgpu IGT tests: a thin layer over
 * libsvmgpu (tools/lib/svmgpu) that turns its errors into IGT assertions and
 * skips, so that the tests exercise the library a runtime links.
 */
#ifndef SVMGPU_TEST_H
#define SVMGPU_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/svmgpu_drm.h>
#include "libsvmgpu.h"

/** Most svmgpu devices the module creates (SVMGPU_MAX_DEVICES). */
#define SVMGPU_MAX_DEVICES 8

/* Number of svmgpu render nodes present. */
int svmgpu_count_devices(void);
/* Open the @index-th svmgpu render node (in node order); -1 if there is none. */
int svmgpu_open(int index);
/* Open the first svmgpu device, or skip the subtest when there is none. */
int svmgpu_open_or_skip(void);
/* ioctl that restarts on EINTR/EAGAIN; returns 0 or -errno. */
int svmgpu_ioctl(int fd, unsigned long request, void *arg);
/* DRM_SVMGPU_QUERY_DEVICE_INFO, asserting success. */
void svmgpu_query_info(int fd, struct drm_svmgpu_device_info *info);
/* A module parameter of the loaded svmgpu module, or -1. */
long svmgpu_module_param(const char *name);
/*
 * The path of @file in the debugfs directory of @fd's device
 * (/sys/kernel/debug/dri/<minor of @fd>/@file) in @path; false if there is
 * no such file (debugfs not mounted, not root, or a driver without it).
 */
bool svmgpu_debugfs_path(int fd, const char *file, char *path, size_t len);
/* The number after "@key:" in the debugfs file @path; -1 if none. */
long long svmgpu_debugfs_read(const char *path, const char *key);
/* "@key: count C us U" of debugfs stats in @path (a timed step); false if none. */
bool svmgpu_debugfs_read_timed(const char *path, const char *key, long long *count,
			       long long *us);

/* VM and queue helpers, asserting success. */
uint32_t svmgpu_vm_create(int fd);
void svmgpu_vm_destroy(int fd, uint32_t vm);
uint32_t svmgpu_queue_create(int fd, uint32_t vm);
void svmgpu_queue_destroy(int fd, uint32_t queue);

/*
 * Run the command buffer at @batch on @queue and wait for it.
 * Returns the job's fence error (0 on success), or the exec ioctl's -errno.
 */
int svmgpu_exec_wait(int fd, uint32_t queue, const void *batch);
/* Wait for a binary syncobj's fence; returns its error (0 if it succeeded). */
int svmgpu_syncobj_wait(int fd, uint32_t handle);
/* The exec ioctl alone, returning 0 or -errno. */
int __svmgpu_exec(int fd, uint32_t queue, uint64_t batch, uint32_t out_syncobj);
/*
 * svmgpu_exec_wait() that never asserts, so that threads other than the main
 * one may call it: the job's fence error, or the -errno of a failed ioctl.
 */
int __svmgpu_exec_wait(int fd, uint32_t queue, const void *batch);

int svmgpu_prefetch(int fd, uint32_t vm, void *start, uint64_t size, uint32_t region);
void svmgpu_get_fault(int fd, uint32_t queue, struct drm_svmgpu_queue_get_fault *f);
void svmgpu_stats(int fd, struct drm_svmgpu_stats *stats);

/* A command buffer being built in ordinary (mmap'ed) memory. */
#define SVMGPU_BATCH_SIZE	(8u << 20)

struct svmgpu_batch {
	uint64_t *buf;	/* the mmap'ed commands; the tests madvise it */
	size_t len;	/* in bytes, kept equal to libsvmgpu_cmdbuf_size(cb) */
	size_t cap;
	struct libsvmgpu_cmdbuf *cb;	/* the builder, writing into @buf */
};

struct svmgpu_batch *svmgpu_batch_new(void);
void svmgpu_batch_free(struct svmgpu_batch *b);
void svmgpu_batch_reset(struct svmgpu_batch *b);
void svmgpu_cmd_store32(struct svmgpu_batch *b, void *addr, uint32_t value);
void svmgpu_cmd_store64(struct svmgpu_batch *b, void *addr, uint64_t value);
void svmgpu_cmd_fill32(struct svmgpu_batch *b, void *addr, uint64_t size, uint32_t value);
void svmgpu_cmd_copy(struct svmgpu_batch *b, void *dst, const void *src, uint64_t size);
void svmgpu_cmd_atomic(struct svmgpu_batch *b, uint32_t op, bool is64, void *addr,
		       uint64_t operand, uint64_t compare, void *result);
void svmgpu_cmd_reduce(struct svmgpu_batch *b, uint32_t op, const void *src, uint64_t n,
		       void *dst);
/* Append a whole command built by the caller; @size is a multiple of 8. */
void svmgpu_batch_emit(struct svmgpu_batch *b, const void *cmd, size_t size);
/* Append END; returns the buffer to pass to svmgpu_exec_wait(). */
const void *svmgpu_batch_end(struct svmgpu_batch *b);

/* Anonymous private memory, read-write; asserts. */
void *svmgpu_map_anon(size_t size);
/* The same, 2M-aligned: whole 2M GPU ranges, THPs possible. */
void *svmgpu_map_anon_aligned(size_t size);
/* A well-mixed word for index @i of the pattern @seed. */
uint32_t svmgpu_hash32(uint32_t seed, uint32_t i);
/* Distinct words, svmgpu_hash32(@seed, i): a page in the wrong place shows. */
void svmgpu_fill_words(void *p, size_t bytes, uint32_t seed);

/* CLOCK_MONOTONIC in seconds. */
double svmgpu_now_s(void);
/* Sleep @ms milliseconds, through signals. */
void svmgpu_sleep_ms(unsigned int ms);
/* The number at the start of the file @path, or -1. */
long svmgpu_read_long(const char *path);
/* Write @s to @path (sysfs, debugfs); returns 0 or -errno of the open or write. */
int svmgpu_write_str(const char *path, const char *s);
/* svmgpu_write_str() of a number. */
int svmgpu_write_long(const char *path, long v);

#endif /* SVMGPU_TEST_H */
