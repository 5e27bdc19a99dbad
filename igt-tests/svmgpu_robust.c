// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_robust: svmgpu under injected failures and removal. Every debugfs
 * fault-injection knob (failing or delayed copy jobs, failing VRAM
 * allocations and binds), the kernel's own failslab where the kernel has it,
 * unbinding a device while it is used, and unloading and loading the module
 * again and again with work in between. Each subtest proves from the CPU that
 * the user's data is intact and that what reached userspace was a clean
 * error (an errno the uAPI documents, a banned queue with its fault report,
 * SIGBUS for a CPU access whose migration back failed), every time.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define SZ_4K	4096ul
#define SZ_64K	(64ul << 10)
#define SZ_1M	(1ul << 20)
#define SZ_2M	(2ul << 20)


#define DEBUGFS		"/sys/kernel/debug"
/* The driver core's bind and unbind files of the svmgpu platform driver. */
#define DRIVER_SYSFS	"/sys/bus/platform/drivers/svmgpu"
#define DEFAULT_KO	"/src/svmgpu/drivers/gpu/drm/svmgpu/svmgpu.ko"

/* A file on one device with its VM, a queue and a command buffer kept in RAM. */
struct ctx {
	int fd;
	uint32_t vm, q;
	struct svmgpu_batch *b;
	uint64_t *res;		/* 64K in RAM: values the GPU reports */
	unsigned int minor;
	char name[32];		/* the platform device: svmgpu.N */
	uint32_t index;		/* its device_index */
};

/* ---- memory helpers ---- */

/*
 * Checks the words of [@off, @off + @bytes) of a buffer filled by
 * svmgpu_fill_words(@p, ..., @seed); fails naming the first differing word and how
 * many differ.
 */
static void check_range(const char *what, const void *p, size_t off, size_t bytes,
			uint32_t seed)
{
	const uint32_t *w = p;
	size_t first = SIZE_MAX, bad = 0;

	for (size_t i = off / 4; i < (off + bytes) / 4; i++) {
		if (w[i] != svmgpu_hash32(seed, i)) {
			if (first == SIZE_MAX)
				first = i;
			bad++;
		}
	}
	igt_assert_f(!bad, "%s: %zu of %zu words differ, first at +0x%zx: 0x%08x, expected 0x%08x\n",
		     what, bad, bytes / 4, first * 4, w[first], svmgpu_hash32(seed, first));
}

static void check_words(const char *what, const void *p, size_t bytes, uint32_t seed)
{
	check_range(what, p, 0, bytes, seed);
}

static void check_value(const char *what, const void *p, size_t bytes, uint32_t v)
{
	const uint32_t *w = p;
	size_t bad = 0, first = SIZE_MAX;

	for (size_t i = 0; i < bytes / 4; i++) {
		if (w[i] != v) {
			if (first == SIZE_MAX)
				first = i;
			bad++;
		}
	}
	igt_assert_f(!bad, "%s: %zu of %zu words differ, first at +0x%zx: 0x%08x, expected 0x%08x\n",
		     what, bad, bytes / 4, first * 4, w[first], v);
}

/*
 * Where the pages of [p, p + size) are, read from /proc/self/pagemap without
 * touching them: present in RAM, or a swap-type entry (svmgpu's VRAM is
 * device-private memory; the guest has no swap).
 */
static void page_state(const void *p, size_t size, size_t *ram, size_t *devmem)
{
	size_t n = size / SZ_4K;
	uint64_t *e = calloc(n, sizeof(*e));
	int f = open("/proc/self/pagemap", O_RDONLY);
	ssize_t got;

	igt_assert(e && f >= 0);
	got = pread(f, e, n * sizeof(*e), (uintptr_t)p / SZ_4K * sizeof(*e));
	igt_assert_eq(got, (ssize_t)(n * sizeof(*e)));
	close(f);
	*ram = *devmem = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i] & (1ull << 63))
			(*ram)++;
		else if (e[i] & (1ull << 62))
			(*devmem)++;
	}
	free(e);
}

/* ---- sysfs and debugfs ---- */

/* ---- devices ---- */

static int madvise_ram(struct ctx *c, void *p, size_t size)
{
	struct drm_svmgpu_madvise m = {
		.vm_id = c->vm, .flags = DRM_SVMGPU_MADVISE_PREFERRED_LOC, .start = (uintptr_t)p,
		.range = size, .preferred_location = DRM_SVMGPU_PREFERRED_SYSTEM,
	};

	return svmgpu_ioctl(c->fd, DRM_IOCTL_SVMGPU_MADVISE, &m);
}

/* The platform device behind a render node: the target of its device link. */
static void node_name(unsigned int minor, char *name, size_t size)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", 226u, minor);
	n = readlink(link, target, sizeof(target) - 1);
	igt_assert_f(n > 0, "readlink %s: %s\n", link, strerror(errno));
	target[n] = '\0';
	snprintf(name, size, "%s", basename(target));
}

static void ctx_init(struct ctx *c, int fd)
{
	struct drm_svmgpu_device_info info;
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	igt_assert_eq(fstat(fd, &st), 0);
	c->minor = minor(st.st_rdev);
	node_name(c->minor, c->name, sizeof(c->name));
	svmgpu_query_info(fd, &info);
	c->index = info.device_index;
	c->vm = svmgpu_vm_create(fd);
	c->q = svmgpu_queue_create(fd, c->vm);
	c->b = svmgpu_batch_new();
	c->res = svmgpu_map_anon(SZ_64K);
	/* Command buffers and results stay in RAM: only test data moves. */
	igt_assert_eq(madvise_ram(c, c->b->buf, c->b->cap), 0);
	igt_assert_eq(madvise_ram(c, c->res, SZ_64K), 0);
}

static void ctx_open(struct ctx *c, int nth)
{
	int fd = svmgpu_open(nth);

	igt_require_f(fd >= 0, "no svmgpu device %d\n", nth);
	ctx_init(c, fd);
}

static void ctx_close(struct ctx *c)
{
	svmgpu_batch_free(c->b);
	munmap(c->res, SZ_64K);
	svmgpu_queue_destroy(c->fd, c->q);
	svmgpu_vm_destroy(c->fd, c->vm);
	close(c->fd);
	c->fd = -1;
}

/* Close a file whose device is gone: its objects go with the file. */
static void ctx_close_gone(struct ctx *c)
{
	svmgpu_batch_free(c->b);
	munmap(c->res, SZ_64K);
	close(c->fd);
	c->fd = -1;
}

/* Run the command buffer on @q, empty it and return the job's error. */
static int run_on(struct ctx *c, uint32_t q)
{
	int err = svmgpu_exec_wait(c->fd, q, svmgpu_batch_end(c->b));

	svmgpu_batch_reset(c->b);
	return err;
}

/* A job that binds the command buffer and the results: later binds are the test's. */
static void warm_up(struct ctx *c)
{
	svmgpu_cmd_store32(c->b, c->res, 1);
	igt_assert_eq(run_on(c, c->q), 0);
	igt_assert_eq(c->res[0] & 0xffffffff, 1);
}

static void emit_sum(struct svmgpu_batch *b, const void *src, size_t bytes, void *dst)
{
	struct drm_svmgpu_cmd_reduce cmd = {
		.hdr = { .opcode = DRM_SVMGPU_CMD_REDUCE, .length = sizeof(cmd),
			 .flags = DRM_SVMGPU_REDUCE_SUM_U32 },
		.src = (uintptr_t)src, .n = bytes / 4, .dst = (uintptr_t)dst,
	};

	svmgpu_batch_emit(b, &cmd, sizeof(cmd));
}

static uint64_t sum_words(size_t bytes, uint32_t seed)
{
	uint64_t s = 0;

	for (size_t i = 0; i < bytes / 4; i++)
		s += svmgpu_hash32(seed, i);
	return s;
}

static uint64_t counter(struct ctx *c, enum drm_svmgpu_stat s)
{
	struct drm_svmgpu_stats st;

	svmgpu_stats(c->fd, &st);
	return st.counters[s];
}

static void expect_banned(struct ctx *c, uint32_t q, int err, const void *lo, size_t size,
			  uint32_t access)
{
	struct drm_svmgpu_queue_get_fault f;

	svmgpu_get_fault(c->fd, q, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, err);
	igt_assert_f(f.fault_address >= (uintptr_t)lo && f.fault_address < (uintptr_t)lo + size,
		     "fault address 0x%" PRIx64 " outside %p + 0x%zx\n", (uint64_t)f.fault_address,
		     lo, size);
	igt_assert_eq(f.fault_access, access);
}

/* ---- fault-injection knobs ---- */

static void knob_path(const struct ctx *c, const char *knob, char *path, size_t size)
{
	svmgpu_debugfs_path(c->fd, knob, path, size);
}

static void knob_set(const struct ctx *c, const char *knob, long v)
{
	char path[PATH_MAX];
	int err;

	knob_path(c, knob, path, sizeof(path));
	err = svmgpu_write_long(path, v);
	igt_require_f(err != -ENOENT && err != -EACCES,
		      "no %s (debugfs not mounted, not root, or a driver without it)\n", path);
	igt_assert_f(!err, "writing %ld to %s: %s\n", v, path, strerror(-err));
}

static long knob_get(const struct ctx *c, const char *knob)
{
	char path[PATH_MAX];

	knob_path(c, knob, path, sizeof(path));
	return svmgpu_read_long(path);
}

/* At exit: no knob of any device stays armed after a failed subtest. */
static void knobs_off(void)
{
	static const char *const knobs[] = {
		"fail_bind", "fail_copy", "fail_vram_alloc", "delay_copy_ms",
	};
	DIR *d = opendir(DEBUGFS "/dri");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		for (size_t i = 0; e->d_name[0] != '.' && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), DEBUGFS "/dri/%s/%s", e->d_name, knobs[i]);
			if (!access(path, W_OK))
				svmgpu_write_long(path, 0);
		}
	}
	if (d)
		closedir(d);
}

/* VRAM in use on @c's device, from debugfs; -1 if unknown. */
static long vram_used(const struct ctx *c)
{
	char path[PATH_MAX];

	knob_path(c, "vram", path, sizeof(path));
	return svmgpu_debugfs_read(path, "used");
}

/* VRAM is released asynchronously (a work item): wait for it to be free. */
static void wait_vram_free(const struct ctx *c)
{
	double t0 = svmgpu_now_s();
	long used;

	while ((used = vram_used(c)) > 0 && svmgpu_now_s() - t0 < 20)
		svmgpu_sleep_ms(20);
	igt_assert_f(used <= 0, "%ld bytes of VRAM still in use after 20 s\n", used);
}

static bool has_devmem(const struct ctx *c)
{
	struct drm_svmgpu_device_info info;

	svmgpu_query_info(c->fd, &info);
	return info.features & DRM_SVMGPU_FEATURE_DEVMEM;
}

static void require_devmem(const struct ctx *c)
{
	igt_require_f(has_devmem(c), "device without VRAM\n");
}

/* ---- CPU accesses that may take SIGBUS ---- */

static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void bus_handler(int sig)
{
	(void)sig;
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	abort();
}

/*
 * Read the word at @p. Returns false if the access took SIGBUS: the CPU fault
 * could not migrate the page back from VRAM.
 */
static bool cpu_read_word(volatile const uint32_t *p, uint32_t *v)
{
	struct sigaction sa = { .sa_handler = bus_handler }, old;
	volatile bool ok = true;

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);
	if (sigsetjmp(bus_jmp, 1)) {
		ok = false;
	} else {
		bus_armed = 1;
		*v = *p;
	}
	bus_armed = 0;
	igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);
	return ok;
}

/* ---- fail_bind ---- */

/* A GPU write fault whose bind fails: the job fails cleanly, memory untouched. */
static void bind_fault(void *arg)
{
	bool write = arg;
	size_t size = 4 * SZ_1M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	struct ctx c;

	ctx_open(&c, 0);
	warm_up(&c);
	svmgpu_fill_words(p, size, 0xb1d0);

	/* Every time: one failing bind per attempt, on a new queue each (the range stays unbound). */
	for (int n = 1; n <= 3; n++) {
		uint32_t q = svmgpu_queue_create(c.fd, c.vm);

		knob_set(&c, "fail_bind", n);
		if (write)
			svmgpu_cmd_fill32(c.b, p, size, 0xf111f111);
		else
			emit_sum(c.b, p, size, &c.res[1]);
		igt_assert_eq(run_on(&c, q), -ENOMEM);
		/* One fault, one failed bind: no retry consumed another. */
		igt_assert_eq(knob_get(&c, "fail_bind"), n - 1);
		knob_set(&c, "fail_bind", 0);
		expect_banned(&c, q, -ENOMEM, p, size,
			      write ? DRM_SVMGPU_ACCESS_WRITE : DRM_SVMGPU_ACCESS_READ);
		/* A banned queue refuses further work. */
		svmgpu_cmd_store32(c.b, c.res, 2);
		igt_assert_eq(svmgpu_exec_wait(c.fd, q, svmgpu_batch_end(c.b)), -ECANCELED);
		svmgpu_batch_reset(c.b);
		svmgpu_queue_destroy(c.fd, q);
		check_words("buffer after a failed bind", p, size, 0xb1d0);
	}

	/* The VM is fine: the same job now works. */
	if (write) {
		svmgpu_cmd_fill32(c.b, p, size, 0xf111f111);
		igt_assert_eq(run_on(&c, c.q), 0);
		check_value("buffer after the fill", p, size, 0xf111f111);
	} else {
		c.res[1] = 0;
		emit_sum(c.b, p, size, &c.res[1]);
		igt_assert_eq(run_on(&c, c.q), 0);
		igt_assert_eq_u64(c.res[1], sum_words(size, 0xb1d0));
		check_words("buffer after the sum", p, size, 0xb1d0);
	}
	munmap(p, size);
	ctx_close(&c);
}

/* A prefetch whose bind fails returns -ENOMEM; data intact, the next one works. */
static void bind_prefetch(void *arg)
{
	size_t size = 4 * SZ_1M, ram, dev;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	struct ctx c;

	(void)arg;
	ctx_open(&c, 0);
	svmgpu_fill_words(p, size, 0xb1d1);
	for (int region = 0; region < 2; region++) {
		uint32_t r = region ? DRM_SVMGPU_REGION_DEVICE : DRM_SVMGPU_REGION_SYSTEM;

		if (r == DRM_SVMGPU_REGION_DEVICE && !has_devmem(&c))
			continue;
		knob_set(&c, "fail_bind", 1);
		igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size, r), -ENOMEM);
		igt_assert_eq(knob_get(&c, "fail_bind"), 0);
		igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size, r), 0);
		page_state(p, size, &ram, &dev);
		igt_info("prefetch to %s after a failed bind: %zu pages in RAM, %zu in VRAM\n",
			 region ? "VRAM" : "RAM", ram, dev);
		if (r == DRM_SVMGPU_REGION_DEVICE)
			igt_assert_eq(dev, size / SZ_4K);
		else
			igt_assert_eq(ram, size / SZ_4K);
		check_words("buffer after prefetch", p, size, 0xb1d1);
	}
	munmap(p, size);
	ctx_close(&c);
}

static void test_fail_bind(void)
{
	igt_dynamic("gpu-write", bind_fault, (void *)1);
	igt_dynamic("gpu-read", bind_fault, NULL);
	igt_dynamic("prefetch", bind_prefetch, NULL);
}

/* ---- fail_copy ---- */

/* Migrations to VRAM fail (clear or copy): GPU faults settle for RAM, data intact. */
static void copy_to_vram(void *arg)
{
	size_t size = 4 * SZ_1M, ram, dev;
	struct ctx c;
	uint64_t mig;
	uint32_t *p;

	(void)arg;
	ctx_open(&c, 0);
	require_devmem(&c);
	warm_up(&c);
	/* Every round on new memory, which the GPU faults on. */
	for (int n = 1; n <= 4; n++) {
		p = svmgpu_map_anon_aligned(size);
		svmgpu_fill_words(p, size, 0xc0 + n);
		mig = counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
		knob_set(&c, "fail_copy", n);
		c.res[1] = 0;
		emit_sum(c.b, p, size, &c.res[1]);
		svmgpu_cmd_fill32(c.b, p + SZ_1M / 4, SZ_1M, 0xc0c0c0c0);
		igt_assert_eq(run_on(&c, c.q), 0);
		igt_info("%d failing migrate jobs: %ld ran, %" PRIu64 " migrations\n", n,
			 n - knob_get(&c, "fail_copy"),
			 counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM) - mig);
		igt_assert_lt(knob_get(&c, "fail_copy"), n);
		knob_set(&c, "fail_copy", 0);
		igt_assert_eq_u64(c.res[1], sum_words(size, 0xc0 + n));
		check_words("first MiB", p, SZ_1M, 0xc0 + n);
		check_value("filled MiB", p + SZ_1M / 4, SZ_1M, 0xc0c0c0c0);
		check_range("last 2 MiB", p, SZ_2M, SZ_2M, 0xc0 + n);
		/* Back to RAM for the next round. */
		igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size, DRM_SVMGPU_REGION_SYSTEM), 0);
		page_state(p, size, &ram, &dev);
		igt_assert_eq(dev, 0);
		munmap(p, size);
	}
	ctx_close(&c);
}

/*
 * Data in VRAM; the copy of a CPU fault back to RAM fails: the access takes
 * SIGBUS (drm_pagemap's answer), the data stays in VRAM, and the next access
 * gets it intact.
 */
static void copy_cpu_fault(void *arg)
{
	size_t size = SZ_2M, ram, dev;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	int sigbus = 0;
	struct ctx c;
	uint32_t v;

	(void)arg;
	ctx_open(&c, 0);
	require_devmem(&c);
	for (int round = 0; round < 3; round++) {
		svmgpu_fill_words(p, size, 0xc1 + round);
		igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
		page_state(p, size, &ram, &dev);
		igt_assert_eq(dev, size / SZ_4K);
		/* Past drm_pagemap's timeslice, so that the CPU fault migrates at once. */
		svmgpu_sleep_ms(20);

		knob_set(&c, "fail_copy", 1);
		if (!cpu_read_word(&p[round * 1000], &v))
			sigbus++;
		knob_set(&c, "fail_copy", 0);
		page_state(p, size, &ram, &dev);
		igt_info("round %d: CPU read %s; %zu pages in RAM, %zu in VRAM\n", round,
			 sigbus > round ? "took SIGBUS" : "succeeded", ram, dev);
		igt_assert_f(sigbus > round, "a CPU fault with a failing copy did not fail\n");
		igt_assert_eq(dev, size / SZ_4K);
		check_words("buffer read after the failed migration", p, size, 0xc1 + round);
		page_state(p, size, &ram, &dev);
		igt_assert_eq(ram, size / SZ_4K);
	}
	munmap(p, size);
	ctx_close(&c);
}

/* Prefetch back to RAM with failing copies: retried or a clean error; data intact. */
static void copy_prefetch_system(void *arg)
{
	size_t size = 4 * SZ_1M, ram, dev;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	struct ctx c;
	int err;

	(void)arg;
	ctx_open(&c, 0);
	require_devmem(&c);
	for (int n = 1; n <= 3; n++) {
		svmgpu_fill_words(p, size, 0xc4 + n);
		igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
		knob_set(&c, "fail_copy", n);
		err = svmgpu_prefetch(c.fd, c.vm, p, size, DRM_SVMGPU_REGION_SYSTEM);
		knob_set(&c, "fail_copy", 0);
		page_state(p, size, &ram, &dev);
		igt_info("%d failing copies: prefetch to RAM returned %d; %zu pages in RAM, "
			 "%zu in VRAM\n", n, err, ram, dev);
		igt_assert_f(err == 0 || err == -EIO || err == -ENOMEM,
			     "prefetch returned %d (%s)\n", err, strerror(-err));
		if (!err)
			igt_assert_eq(dev, 0);
		check_words("buffer after prefetch to RAM", p, size, 0xc4 + n);
	}
	munmap(p, size);
	ctx_close(&c);
}

static void test_fail_copy(void)
{
	igt_dynamic("to-vram", copy_to_vram, NULL);
	igt_dynamic("cpu-fault", copy_cpu_fault, NULL);
	igt_dynamic("prefetch-to-ram", copy_prefetch_system, NULL);
}

/* ---- fail_vram_alloc ---- */

static void vram_alloc(void *arg)
{
	size_t size = 4 * SZ_1M, ram, dev;
	bool prefetch = arg;
	struct ctx c;
	uint64_t mig;
	uint32_t *p;

	ctx_open(&c, 0);
	require_devmem(&c);
	warm_up(&c);
	/* Every round on new memory, which the GPU faults on. */
	for (int n = 1; n <= 3; n++) {
		p = svmgpu_map_anon_aligned(size);
		svmgpu_fill_words(p, size, 0xa1 + n);
		mig = counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
		/* Enough for every range the access touches. */
		knob_set(&c, "fail_vram_alloc", 1000);
		if (prefetch) {
			igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size,
						      DRM_SVMGPU_REGION_DEVICE), 0);
		} else {
			c.res[1] = 0;
			emit_sum(c.b, p, size, &c.res[1]);
			igt_assert_eq(run_on(&c, c.q), 0);
			igt_assert_eq_u64(c.res[1], sum_words(size, 0xa1 + n));
		}
		igt_info("round %d: %ld VRAM allocations refused\n", n,
			 1000 - knob_get(&c, "fail_vram_alloc"));
		igt_assert_lt(knob_get(&c, "fail_vram_alloc"), 1000);
		knob_set(&c, "fail_vram_alloc", 0);
		igt_assert_eq_u64(counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);
		page_state(p, size, &ram, &dev);
		igt_assert_eq(ram, size / SZ_4K);
		check_words("buffer without VRAM", p, size, 0xa1 + n);
		munmap(p, size);
	}
	ctx_close(&c);
}

static void test_fail_vram_alloc(void)
{
	igt_dynamic("gpu-fault", vram_alloc, NULL);
	igt_dynamic("prefetch", vram_alloc, (void *)1);
}

/* ---- delay_copy_ms: races with a copy in flight ---- */

#define DELAY_MS	300

struct race {
	struct ctx *c;
	uint32_t *p;		/* 4M, 2M-aligned */
	size_t size;
	int mode;
	int job_err;
	double t_job;
};

enum { RACE_CPU_WRITE, RACE_CPU_READ, RACE_MUNMAP };

static void *race_job(void *arg)
{
	struct race *r = arg;
	double t0 = svmgpu_now_s();

	r->job_err = __svmgpu_exec_wait(r->c->fd, r->c->q, svmgpu_batch_end(r->c->b));
	r->t_job = svmgpu_now_s() - t0;
	return NULL;
}

/*
 * The GPU reads the first half of each 2M range (a migration to VRAM whose
 * copies take DELAY_MS each); meanwhile the CPU writes or reads the second
 * halves, or unmaps the buffer.
 */
static void delay_race(void *arg)
{
	struct race r = { .mode = (int)(uintptr_t)arg, .size = 4 * SZ_1M };
	size_t half = SZ_1M, words = half / 4;
	uint64_t mig0, mig1;
	pthread_t t;
	double t0, t_cpu;
	struct ctx c;

	ctx_open(&c, 0);
	require_devmem(&c);
	warm_up(&c);
	r.c = &c;
	r.p = svmgpu_map_anon_aligned(r.size);
	svmgpu_fill_words(r.p, r.size, 0xde1a);
	for (size_t off = 0; off < r.size; off += SZ_2M)
		emit_sum(c.b, (char *)r.p + off, half, &c.res[1 + off / SZ_2M]);

	mig0 = counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	knob_set(&c, "delay_copy_ms", DELAY_MS);
	igt_assert_eq(pthread_create(&t, NULL, race_job, &r), 0);
	/* Into the copy of the first range. */
	svmgpu_sleep_ms(DELAY_MS / 3);
	t0 = svmgpu_now_s();
	for (size_t off = 0; off < r.size; off += SZ_2M) {
		uint32_t *second = r.p + (off + half) / 4;

		if (r.mode == RACE_CPU_WRITE) {
			for (size_t i = 0; i < words; i++)
				second[i] = ~svmgpu_hash32(0xde1a, (off + half) / 4 + i);
		} else if (r.mode == RACE_CPU_READ) {
			check_range("second half read during the migration", r.p, off + half,
				    half, 0xde1a);
		}
	}
	if (r.mode == RACE_MUNMAP)
		munmap(r.p, r.size);
	t_cpu = svmgpu_now_s() - t0;
	igt_assert_eq(pthread_join(t, NULL), 0);
	knob_set(&c, "delay_copy_ms", 0);
	mig1 = counter(&c, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	igt_info("job: %d in %.3f s; CPU side %.3f s; %" PRIu64 " migrations to VRAM\n",
		 r.job_err, r.t_job, t_cpu, mig1 - mig0);

	if (r.mode == RACE_MUNMAP) {
		/* Either the GPU read everything first, or it faulted on the hole. */
		igt_assert_f(r.job_err == 0 || r.job_err == -EFAULT, "job: %d\n", r.job_err);
		if (r.job_err)
			expect_banned(&c, c.q, -EFAULT, r.p, r.size, DRM_SVMGPU_ACCESS_READ);
		/* Nothing of the buffer is left in VRAM. */
		wait_vram_free(&c);
	} else {
		igt_assert_eq(r.job_err, 0);
		for (size_t off = 0; off < r.size; off += SZ_2M) {
			uint64_t s = 0;

			for (size_t i = 0; i < words; i++)
				s += svmgpu_hash32(0xde1a, off / 4 + i);
			igt_assert_eq_u64(c.res[1 + off / SZ_2M], s);
			for (size_t i = 0; i < words; i++) {
				uint32_t exp = svmgpu_hash32(0xde1a, (off + half) / 4 + i);

				if (r.mode == RACE_CPU_WRITE)
					exp = ~exp;
				igt_assert_f(r.p[(off + half) / 4 + i] == exp,
					     "word +0x%zx: 0x%08x, expected 0x%08x\n",
					     off + half + i * 4, r.p[(off + half) / 4 + i], exp);
				igt_assert_f(r.p[off / 4 + i] == svmgpu_hash32(0xde1a, off / 4 + i),
					     "word +0x%zx changed\n", off + i * 4);
			}
		}
		munmap(r.p, r.size);
	}
	svmgpu_batch_reset(c.b);
	ctx_close(&c);
}

/* In a child, without assertions: submit a job that migrates, report, then exit or wait. */
static void exit_child(int ready, bool wait)
{
	size_t size = 4 * SZ_1M;
	int fd = svmgpu_open(0);
	uint32_t vm = 0, q = 0, h = 0;
	struct libsvmgpu_cmdbuf *cb;
	uint32_t *p, *batch;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	batch = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || p == MAP_FAILED || batch == MAP_FAILED ||
	    libsvmgpu_vm_create(fd, &vm) || libsvmgpu_queue_create(fd, vm, &q) ||
	    libsvmgpu_cmdbuf_create_in(batch, SZ_64K, &cb) ||
	    libsvmgpu_cmdbuf_fill32(cb, p, size, 0xe817e817) || libsvmgpu_cmdbuf_end(cb) ||
	    libsvmgpu_syncobj_create(fd, false, &h))
		_exit(2);
	svmgpu_fill_words(p, size, 0xe817);
	if (__svmgpu_exec(fd, q, (uintptr_t)libsvmgpu_cmdbuf_data(cb), h))
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	if (!wait) {
		svmgpu_sleep_ms(DELAY_MS / 2);
		_exit(0);
	}
	for (;;)
		pause();
}

/* A child whose GPU job migrates (slowly) exits, or is killed, in the middle. */
static void delay_exit(void *arg)
{
	bool kill9 = arg;
	struct ctx c;
	int status, pipefd[2];
	char byte;
	pid_t pid;

	ctx_open(&c, 0);
	require_devmem(&c);
	knob_set(&c, "delay_copy_ms", DELAY_MS);
	for (int round = 0; round < 3; round++) {
		igt_assert_eq(pipe(pipefd), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			close(pipefd[0]);
			exit_child(pipefd[1], kill9);
		}
		close(pipefd[1]);
		igt_assert_f(read(pipefd[0], &byte, 1) == 1, "the child could not submit\n");
		close(pipefd[0]);
		if (kill9) {
			svmgpu_sleep_ms(DELAY_MS / 3 + round * 100);
			kill(pid, SIGKILL);
		}
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert_f(kill9 ? WIFSIGNALED(status) : WIFEXITED(status) && !WEXITSTATUS(status),
			     "child status 0x%x\n", status);
	}
	knob_set(&c, "delay_copy_ms", 0);
	/* Whatever the children had in VRAM is released, and the device works. */
	wait_vram_free(&c);
	warm_up(&c);
	ctx_close(&c);
}

static void test_delay_copy(void)
{
	igt_dynamic("cpu-write", delay_race, (void *)(uintptr_t)RACE_CPU_WRITE);
	igt_dynamic("cpu-read", delay_race, (void *)(uintptr_t)RACE_CPU_READ);
	igt_dynamic("munmap", delay_race, (void *)(uintptr_t)RACE_MUNMAP);
	igt_dynamic("exit", delay_exit, NULL);
	igt_dynamic("sigkill", delay_exit, (void *)1);
}

/* ---- unbind and bind ---- */

static int num_devices(void)
{
	long n = svmgpu_module_param("num_devices");

	return n > 0 ? (int)n : 1;
}

/* Whatever a failed subtest left unbound is bound again at exit. */
static void bind_all(void)
{
	char name[32];

	for (int i = 0; i < num_devices(); i++) {
		snprintf(name, sizeof(name), "svmgpu.%d", i);
		svmgpu_write_str(DRIVER_SYSFS "/bind", name);
	}
}

static void require_bind_files(void)
{
	static bool registered;

	igt_require_f(!access(DRIVER_SYSFS "/unbind", W_OK),
		      "no " DRIVER_SYSFS "/unbind (not root?)\n");
	if (!registered) {
		atexit(bind_all);
		registered = true;
	}
}

/* Open the device named @name (svmgpu.N), waiting for its node to appear. */
static void ctx_open_name(struct ctx *c, const char *name)
{
	double t0 = svmgpu_now_s();

	for (;;) {
		for (int i = 0; i < SVMGPU_MAX_DEVICES; i++) {
			int fd = svmgpu_open(i);
			struct stat st;
			char n[32];

			if (fd < 0)
				break;
			igt_assert_eq(fstat(fd, &st), 0);
			node_name(minor(st.st_rdev), n, sizeof(n));
			if (!strcmp(n, name)) {
				ctx_init(c, fd);
				return;
			}
			close(fd);
		}
		igt_assert_f(svmgpu_now_s() - t0 < 10, "%s did not come back\n", name);
		svmgpu_sleep_ms(20);
	}
}

static void unbind(const char *name)
{
	int err = svmgpu_write_str(DRIVER_SYSFS "/unbind", name);

	igt_assert_f(!err, "unbind %s: %s\n", name, strerror(-err));
}

static void bind(const char *name)
{
	int err = svmgpu_write_str(DRIVER_SYSFS "/bind", name);

	igt_assert_f(!err, "bind %s: %s\n", name, strerror(-err));
}

/* Every ioctl of an unplugged device answers -ENODEV. */
static void expect_enodev(struct ctx *c)
{
	struct drm_svmgpu_device_info info;
	uint32_t size = sizeof(info), id = 0;
	struct drm_syncobj_create sc = {};

	igt_assert_eq(libsvmgpu_query(c->fd, DRM_SVMGPU_QUERY_DEVICE_INFO, &info, &size), -ENODEV);
	igt_assert_eq(libsvmgpu_vm_create(c->fd, &id), -ENODEV);
	igt_assert_eq(libsvmgpu_queue_create(c->fd, c->vm, &id), -ENODEV);
	svmgpu_cmd_store32(c->b, c->res, 3);
	igt_assert_eq(__svmgpu_exec(c->fd, c->q, (uintptr_t)svmgpu_batch_end(c->b), 0), -ENODEV);
	svmgpu_batch_reset(c->b);
	igt_assert_eq(svmgpu_prefetch(c->fd, c->vm, c->res, SZ_4K, DRM_SVMGPU_REGION_SYSTEM),
		      -ENODEV);
	igt_assert_eq(svmgpu_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc), -ENODEV);
	igt_assert_eq(libsvmgpu_vm_destroy(c->fd, c->vm), -ENODEV);
}

/* Unbind and bind a device nobody uses, then one with an idle open file. */
static void test_unbind_idle(void)
{
	struct ctx c;
	char name[32];
	uint32_t index;

	require_bind_files();
	ctx_open(&c, svmgpu_count_devices() - 1);
	snprintf(name, sizeof(name), "%s", c.name);
	index = c.index;
	ctx_close(&c);

	for (int round = 0; round < 3; round++) {
		unbind(name);
		igt_assert_eq(svmgpu_write_str(DRIVER_SYSFS "/unbind", name), -ENODEV);
		bind(name);
		igt_assert_eq(svmgpu_write_str(DRIVER_SYSFS "/bind", name), -EBUSY);
		ctx_open_name(&c, name);
		igt_assert_eq(c.index, index);
		warm_up(&c);
		if (round == 2) {
			unbind(name);
			expect_enodev(&c);
			ctx_close_gone(&c);
			bind(name);
			ctx_open_name(&c, name);
			warm_up(&c);
		}
		ctx_close(&c);
	}
	igt_assert_eq(svmgpu_write_str(DRIVER_SYSFS "/unbind", "svmgpu.99"), -ENODEV);
	igt_assert_eq(svmgpu_write_str(DRIVER_SYSFS "/bind", "nonsense"), -ENODEV);
}

struct busy {
	struct ctx *c;
	uint32_t q;
	struct svmgpu_batch *b;	/* its own: the job may still read it after the unbind */
	uint32_t *z;
	size_t size;
	int err;
};

static void *busy_job(void *arg)
{
	struct busy *b = arg;

	b->err = __svmgpu_exec_wait(b->c->fd, b->q, svmgpu_batch_end(b->b));
	return NULL;
}

/*
 * Data in VRAM and a GPU job running when the device is unbound: the data
 * comes back to RAM without the CPU touching it, the process keeps it and
 * keeps running, every ioctl answers -ENODEV, and the device, bound again,
 * works. @fail makes the first eviction's copy fail: it is retried.
 */
static void unbind_busy(bool fail)
{
	size_t size = 8 * SZ_1M, ram, dev;
	struct busy b = { .size = 16 * SZ_1M };
	uint32_t *x, *y;
	char name[32];
	uint32_t index;
	pthread_t t;
	struct ctx c;
	pid_t pid;
	int status;

	require_bind_files();
	ctx_open(&c, svmgpu_count_devices() - 1);
	require_devmem(&c);
	snprintf(name, sizeof(name), "%s", c.name);
	index = c.index;
	warm_up(&c);

	x = svmgpu_map_anon_aligned(size);
	y = svmgpu_map_anon_aligned(size);
	svmgpu_fill_words(x, size, 0x0b1);
	svmgpu_fill_words(y, size, 0x0b2);
	igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, x, size, DRM_SVMGPU_REGION_DEVICE), 0);
	page_state(x, size, &ram, &dev);
	igt_assert_eq(dev, size / SZ_4K);

	/* A long job on a buffer of its own, migrating on its faults. */
	b.c = &c;
	b.q = svmgpu_queue_create(c.fd, c.vm);
	b.b = svmgpu_batch_new();
	igt_assert_eq(madvise_ram(&c, b.b->buf, b.b->cap), 0);
	b.z = svmgpu_map_anon_aligned(b.size);
	svmgpu_fill_words(b.z, b.size, 0x0b3);
	for (int i = 0; i < 24; i++)
		svmgpu_cmd_fill32(b.b, b.z, b.size, 0x2b2b2b2b);
	igt_assert_eq(pthread_create(&t, NULL, busy_job, &b), 0);
	svmgpu_sleep_ms(200);

	if (fail)
		knob_set(&c, "fail_copy", 1);
	unbind(name);
	igt_assert_eq(pthread_join(t, NULL), 0);
	igt_info("the running job ended with %d\n", b.err);
	/* It finished, or its next fault (or the wait for it) found no device. */
	igt_assert_f(b.err == 0 || b.err == -ENODEV, "job: %d (%s)\n", b.err, strerror(-b.err));

	/* Back in RAM, before the CPU touches anything. */
	page_state(x, size, &ram, &dev);
	igt_info("after unbind: %zu pages of the prefetched buffer in RAM, %zu in VRAM\n",
		 ram, dev);
	igt_assert_eq(dev, 0);
	igt_assert_eq(ram, size / SZ_4K);
	page_state(b.z, b.size, &ram, &dev);
	igt_assert_eq(dev, 0);
	check_words("buffer that was in VRAM", x, size, 0x0b1);
	check_words("buffer in RAM", y, size, 0x0b2);
	for (size_t i = 0; i < b.size / 4; i++)
		igt_assert_f(b.z[i] == 0x2b2b2b2b || b.z[i] == svmgpu_hash32(0x0b3, i),
			     "job buffer word %zu: 0x%08x\n", i, b.z[i]);

	expect_enodev(&c);

	/* The process goes on: on the CPU, and in a child. */
	svmgpu_fill_words(x, size, 0x0b4);
	check_words("buffer rewritten by the CPU", x, size, 0x0b4);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		for (size_t i = 0; i < size / 4; i++)
			if (x[i] != svmgpu_hash32(0x0b4, i))
				_exit(1);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	munmap(b.z, b.size);
	/* The close waits for the job; then its command buffer may go. */
	ctx_close_gone(&c);
	svmgpu_batch_free(b.b);

	bind(name);
	ctx_open_name(&c, name);
	igt_assert_eq(c.index, index);
	svmgpu_fill_words(y, size, 0x0b5);
	igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, y, size, DRM_SVMGPU_REGION_DEVICE), 0);
	svmgpu_cmd_fill32(c.b, y, SZ_1M, 0x5b5b5b5b);
	igt_assert_eq(run_on(&c, c.q), 0);
	check_value("filled part", y, SZ_1M, 0x5b5b5b5b);
	check_range("rest", y, SZ_1M, size - SZ_1M, 0x0b5);
	munmap(x, size);
	munmap(y, size);
	ctx_close(&c);
}

static void test_unbind_busy(void)
{
	unbind_busy(false);
}

static void test_unbind_fail_copy(void)
{
	unbind_busy(true);
}

/* ---- module unload and load ---- */

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *path, const char *params)
{
	int f = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (f < 0)
		return -errno;
	if (syscall(SYS_finit_module, f, params, 0))
		err = -errno;
	close(f);
	return err;
}

/* The module's parameters as loaded (every one of them), as insmod arguments. */
static void module_params(char *buf, size_t size)
{
	DIR *d = opendir("/sys/module/svmgpu/parameters");
	struct dirent *e;
	size_t len = 0;

	igt_assert(d);
	buf[0] = '\0';
	while ((e = readdir(d))) {
		char path[PATH_MAX], val[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/module/svmgpu/parameters/%s", e->d_name);
		f = fopen(path, "r");
		igt_assert_f(f, "%s: %s\n", path, strerror(errno));
		igt_assert(fgets(val, sizeof(val), f));
		fclose(f);
		val[strcspn(val, "\n")] = '\0';
		len += snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "", e->d_name, val);
		igt_assert(len < size);
	}
	closedir(d);
}

static void unload(void)
{
	double t0 = svmgpu_now_s();
	int err;

	/* The last pagemap and device references go in work items: retry a while. */
	while ((err = delete_module("svmgpu")) == -EBUSY || err == -EAGAIN) {
		igt_assert_f(svmgpu_now_s() - t0 < 20, "svmgpu still busy after 20 s\n");
		svmgpu_sleep_ms(20);
	}
	igt_assert_f(!err, "unloading svmgpu: %s\n", strerror(-err));
}

static int reload_count(void)
{
	const char *s = getenv("SVMGPU_RELOADS");

	return s && atoi(s) > 0 ? atoi(s) : 100;
}

/* A short workload on every device: prefetch, GPU fill and sum, CPU check. */
static void reload_work(int round)
{
	size_t size = 4 * SZ_1M;

	for (int i = 0; i < svmgpu_count_devices(); i++) {
		uint32_t *p = svmgpu_map_anon_aligned(size);
		uint32_t seed = round * 16 + i;
		struct ctx c;

		ctx_open(&c, i);
		svmgpu_fill_words(p, size, seed);
		if (has_devmem(&c))
			igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, SZ_2M,
						      DRM_SVMGPU_REGION_DEVICE), 0);
		c.res[1] = 0;
		emit_sum(c.b, p, size, &c.res[1]);
		svmgpu_cmd_fill32(c.b, p + SZ_2M / 4, SZ_1M, seed);
		igt_assert_eq(run_on(&c, c.q), 0);
		igt_assert_eq_u64(c.res[1], sum_words(size, seed));
		check_words("first 2 MiB", p, SZ_2M, seed);
		check_value("filled MiB", p + SZ_2M / 4, SZ_1M, seed);
		ctx_close(&c);
		/* Leave device memory behind in the process until after the close. */
		munmap(p, size);
	}
}

static void test_module_reload(void)
{
	const char *ko = getenv("SVMGPU_KO") ? getenv("SVMGPU_KO") : DEFAULT_KO;
	int n = reload_count(), devices;
	double t0 = svmgpu_now_s(), t_unload = 0, t_load = 0, t_work = 0;
	char params[256];

	igt_require_f(!access("/sys/module/svmgpu/parameters", R_OK),
		      "svmgpu is not a loaded module\n");
	igt_require_f(!access(ko, R_OK), "no %s (set SVMGPU_KO)\n", ko);
	module_params(params, sizeof(params));
	devices = num_devices();
	igt_info("%d reloads of %s with \"%s\"\n", n, ko, params);

	for (int round = 0; round < n; round++) {
		double t;
		int err;

		t = svmgpu_now_s();
		unload();
		igt_assert_eq(svmgpu_count_devices(), 0);
		t_unload += svmgpu_now_s() - t;
		t = svmgpu_now_s();
		err = load_module(ko, params);
		igt_assert_f(!err, "loading %s: %s\n", ko, strerror(-err));
		igt_assert_eq(svmgpu_count_devices(), devices);
		t_load += svmgpu_now_s() - t;
		t = svmgpu_now_s();
		reload_work(round);
		t_work += svmgpu_now_s() - t;
	}
	igt_info("%d reloads in %.1f s: %.3f s unload, %.3f s load, %.3f s work per round\n",
		 n, svmgpu_now_s() - t0, t_unload / n, t_load / n, t_work / n);
}

/* ---- the kernel's failslab ---- */

#define FAILSLAB	DEBUGFS "/failslab"

static void failslab_set(const char *attr, const char *v)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), FAILSLAB "/%s", attr);
	err = svmgpu_write_str(path, v);
	igt_assert_f(!err, "%s = %s: %s\n", path, v, strerror(-err));
}

static void failslab_off(void)
{
	svmgpu_write_str(FAILSLAB "/probability", "0");
	svmgpu_write_str(FAILSLAB "/times", "0");
}

/* svmgpu's code, as the stack-trace filter of the fault attributes wants it. */
static void module_text(uint64_t *start, uint64_t *end)
{
	unsigned long long text = 0, base = 0;
	unsigned long size = 0;
	char line[512], name[64];
	FILE *f;

	f = fopen("/sys/module/svmgpu/sections/.text", "r");
	igt_assert(f);
	igt_assert_eq(fscanf(f, "%llx", &text), 1);
	fclose(f);
	f = fopen("/proc/modules", "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %*s %*s %*s %llx", name, &size, &base) == 3 &&
		    !strcmp(name, "svmgpu"))
			break;
	fclose(f);
	igt_assert_f(text && size, "svmgpu's text not found\n");
	*start = text < base || !base ? text : base;
	*end = *start + size + (text > base && base ? text - base : 0);
}

/*
 * The code of the kernel function @name, from /proc/kallsyms: from its
 * address to the next symbol's. False if kallsyms hides addresses.
 */
static bool kernel_function(const char *name, uint64_t *start, uint64_t *end)
{
	unsigned long long a, next = ~0ull;
	char line[512], sym[128], type;
	FILE *f;

	*start = 0;
	f = fopen("/proc/kallsyms", "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &a, &type, sym) == 3 && (type == 't' || type == 'T') &&
		    !strcmp(sym, name))
			*start = a;
	rewind(f);
	while (*start && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx", &a) == 1 && a > *start && a < next)
			next = a;
	fclose(f);
	*end = next;
	return *start && next != ~0ull;
}

/* Errors a job or an ioctl may report when kernel allocations fail. */
static bool clean_alloc_error(int err)
{
	return err == 0 || err == -ENOMEM;
}

/*
 * Kernel allocations made with svmgpu's code on the stack fail at random
 * (failslab with a stack-trace filter: GPU faults, migrations, binds, jobs,
 * ioctls): every ioctl and job ends in success or -ENOMEM, and the data is
 * intact whenever the CPU looks.
 */
static void test_failslab(void)
{
	size_t size = 4 * SZ_1M;
	int rounds = 40, failures = 0, sigbus = 0;
	uint64_t start, end, vstart, vend;
	char buf[32];
	struct ctx c;
	uint32_t *x, *y;

	igt_require_f(!access(FAILSLAB "/probability", W_OK),
		      "no " FAILSLAB " (a kernel without CONFIG_FAILSLAB, as Debian's)\n");
	/*
	 * Not inside vmalloc: a failure there is reported with a stack dump
	 * ("vmalloc error"), which is the kernel telling of an injected
	 * failure, not of a bug. kvmalloc()'s kmalloc attempt still fails.
	 */
	igt_assert_f(kernel_function("__vmalloc_node_range_noprof", &vstart, &vend),
		     "__vmalloc_node_range_noprof not in /proc/kallsyms\n");
	ctx_open(&c, 0);
	warm_up(&c);
	module_text(&start, &end);
	igt_info("failing 10%% of the slab allocations made from 0x%" PRIx64 "-0x%" PRIx64 "\n",
		 start, end);
	x = svmgpu_map_anon_aligned(size);
	y = svmgpu_map_anon_aligned(size);
	/*
	 * The workqueue code (workers, rescuers) and drm_sched report the
	 * failures of a queue's creation they pass on.
	 */
	igt_emit_ignore_dmesg_regex("workqueue: Failed to (allocate|create) a |"
				    "drm_sched_init: Failed to setup GPU scheduler");
	atexit(failslab_off);
	failslab_set("task-filter", "N");
	failslab_set("ignore-gfp-wait", "N");
	failslab_set("cache-filter", "N");
	failslab_set("verbose", "0");
	failslab_set("space", "0");
	failslab_set("interval", "1");
	failslab_set("stacktrace-depth", "32");
	snprintf(buf, sizeof(buf), "0x%" PRIx64, start);
	failslab_set("require-start", buf);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, end);
	failslab_set("require-end", buf);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, vstart);
	failslab_set("reject-start", buf);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, vend);
	failslab_set("reject-end", buf);
	failslab_set("times", "-1");
	failslab_set("probability", "10");

	for (int round = 0; round < rounds; round++) {
		uint32_t seed = 0x5ab0 + round, q = 0, h = 0, v;
		int err;

		svmgpu_fill_words(x, size, seed);
		memset(y, 0, size);
		/* Some ioctls: each succeeds or fails with -ENOMEM. */
		err = libsvmgpu_queue_create(c.fd, c.vm, &q);
		igt_assert_f(clean_alloc_error(err), "queue create: %d\n", err);
		if (err) {
			failures++;
			continue;
		}
		err = svmgpu_prefetch(c.fd, c.vm, x, SZ_2M, round % 2 ? DRM_SVMGPU_REGION_DEVICE :
				      DRM_SVMGPU_REGION_SYSTEM);
		igt_assert_f(clean_alloc_error(err), "prefetch: %d\n", err);
		failures += !!err;
		/*
		 * A job copying x to y: the exec succeeds or fails with -ENOMEM,
		 * the job succeeds or fails with -ENOMEM, banning its queue.
		 */
		svmgpu_cmd_copy(c.b, y, x, size);
		/*
		 * The DRM core's ioctls run below svmgpu's ioctl entry, so the
		 * syncobj ones fail too: those are retried.
		 */
		while ((err = libsvmgpu_syncobj_create(c.fd, false, &h)) == -ENOMEM)
			failures++;
		igt_assert_eq(err, 0);
		err = __svmgpu_exec(c.fd, q, (uintptr_t)svmgpu_batch_end(c.b), h);
		igt_assert_f(clean_alloc_error(err), "exec: %d\n", err);
		if (!err) {
			struct drm_svmgpu_queue_get_fault f;
			int werr;

			while ((werr = libsvmgpu_syncobj_wait(c.fd, &h, NULL, 1,
							      LIBSVMGPU_TIMEOUT_INFINITE,
							      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL)) == -ENOMEM)
				failures++;
			igt_assert_eq(werr, 0);
			/* The queue is banned if and only if the job failed. */
			while ((werr = libsvmgpu_queue_get_fault(c.fd, q, &f)) == -ENOMEM)
				failures++;
			igt_assert_eq(werr, 0);
			err = f.banned ? f.error : 0;
			igt_assert_f(clean_alloc_error(err), "job: %d\n", err);
		}
		failures += !!err;
		svmgpu_batch_reset(c.b);
		igt_assert_eq(libsvmgpu_syncobj_destroy(c.fd, h), 0);
		/* CPU reads of what may be in VRAM: a failed migration is SIGBUS, retried. */
		for (size_t i = 0; i < size / 4; i += SZ_64K / 4) {
			int tries = 0;

			while (!cpu_read_word(&x[i], &v)) {
				sigbus++;
				igt_assert_f(++tries < 100, "x[%zu]: SIGBUS 100 times\n", i);
			}
			igt_assert_eq_u64(v, svmgpu_hash32(seed, i));
		}
		libsvmgpu_queue_destroy(c.fd, q);
		/* Without injection, everything is as it must be. */
		failslab_set("probability", "0");
		check_words("source buffer", x, size, seed);
		if (!err)
			check_words("copy", y, size, seed);
		failslab_set("probability", "10");
	}
	failslab_off();
	igt_info("%d rounds: %d ioctls or jobs failed with -ENOMEM, %d CPU reads took SIGBUS\n",
		 rounds, failures, sigbus);
	warm_up(&c);
	munmap(x, size);
	munmap(y, size);
	ctx_close(&c);
}

/* ---- main ---- */

static void fixture(void)
{
	/* No file stays open: module-reload needs the module unused. */
	int fd = svmgpu_open_or_skip();

	close(fd);
	atexit(knobs_off);
}

static const struct igt_subtest tests[] = {
	{ "fail-bind", test_fail_bind,
	  "fail_bind: GPU faults whose bind fails fail their job with -ENOMEM, ban the queue and "
	  "report the address, prefetch returns -ENOMEM; the buffer is untouched and the next "
	  "try works" },
	{ "fail-copy", test_fail_copy,
	  "fail_copy: failing migrations to VRAM leave GPU faults in RAM with correct results; a "
	  "CPU fault whose copy back fails takes SIGBUS and the next access finds the data "
	  "intact; prefetch to RAM with failing copies" },
	{ "fail-vram-alloc", test_fail_vram_alloc,
	  "fail_vram_alloc: no VRAM for GPU faults or prefetch: the data stays in RAM, intact, "
	  "and jobs succeed" },
	{ "delay-copy", test_delay_copy,
	  "delay_copy_ms: CPU writes, reads, munmap, exit and SIGKILL while copies to VRAM are "
	  "in flight: data intact, errors clean, VRAM released" },
	{ "unbind-idle", test_unbind_idle,
	  "unbind and bind a device, idle and with an open file whose ioctls then answer "
	  "-ENODEV; it comes back with its index" },
	{ "unbind-busy", test_unbind_busy,
	  "unbind a device with data in VRAM and a job running: the data is back in RAM "
	  "without a CPU fault, the process keeps it and runs on, ioctls answer -ENODEV" },
	{ "unbind-fail-copy", test_unbind_fail_copy,
	  "unbind-busy with the first eviction's copy failing: it is retried and nothing stays "
	  "in VRAM" },
	{ "module-reload", test_module_reload,
	  "unload and load the module SVMGPU_RELOADS (100) times with the same parameters, "
	  "with a workload on every device in between" },
	{ "failslab", test_failslab,
	  "the kernel's failslab fails svmgpu's allocations at random: every ioctl and job "
	  "succeeds or fails with -ENOMEM, CPU accesses retry SIGBUS, the data stays intact" },
};

IGT_MAIN("svmgpu under injected failures, device removal and module reloads", fixture, tests)
