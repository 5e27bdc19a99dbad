// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_mm: the GPU on every kind of CPU memory and through the memory
 * management events of a real process: allocation kinds and access
 * patterns, mremap, munmap under a running job, unaligned buffers, threads,
 * processes, CPU/GPU ping-pong, VRAM overcommit and eviction, allocation
 * and copy failures, several devices, fork. Every subtest checks from the
 * CPU the data the GPU produced or consumed.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << 26)
#endif

#define SZ_4K	4096ul
#define SZ_64K	(64ul << 10)
#define SZ_512K	(512ul << 10)
#define SZ_1M	(1ul << 20)
#define SZ_2M	(2ul << 20)
#define SZ_16M	(16ul << 20)

#define ALIGN_UP(x, a)	(((uintptr_t)(x) + (a) - 1) & ~((uintptr_t)(a) - 1))

/* A file, its VM, one queue and a command buffer kept in RAM. */
struct ctx {
	int fd;
	uint32_t vm, q;
	struct svmgpu_batch *b;
};

static struct ctx g;		/* the fixture's */
static uint64_t *res;		/* 64K in RAM: values the GPU reports */
static uint32_t *scratch;	/* 2M in RAM: source data of GPU copies */

/* ---- helpers ---- */

static int vm_madvise(struct ctx *c, void *p, size_t size, uint32_t flags, uint32_t loc,
		      uint32_t gran)
{
	struct drm_svmgpu_madvise m = {
		.vm_id = c->vm, .flags = flags, .start = (uintptr_t)p, .range = size,
		.preferred_location = loc, .granularity_shift = gran,
	};

	return svmgpu_ioctl(c->fd, DRM_IOCTL_SVMGPU_MADVISE, &m);
}

/* Command buffers and result areas stay in RAM: the counters count test data. */
static void keep_in_ram(struct ctx *c, void *p, size_t size)
{
	igt_assert_eq(vm_madvise(c, p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_SYSTEM, 0), 0);
}

static void ctx_init(struct ctx *c, int fd)
{
	c->fd = fd;
	c->vm = svmgpu_vm_create(fd);
	c->q = svmgpu_queue_create(fd, c->vm);
	c->b = svmgpu_batch_new();
	keep_in_ram(c, c->b->buf, c->b->cap);
}

/* A new file on the @index-th device, with its own VM: for children and threads. */
static void ctx_open(struct ctx *c, int index)
{
	int fd = svmgpu_open(index);

	igt_assert_f(fd >= 0, "cannot open svmgpu device %d\n", index);
	ctx_init(c, fd);
}

static void ctx_close(struct ctx *c)
{
	svmgpu_batch_free(c->b);
	svmgpu_queue_destroy(c->fd, c->q);
	svmgpu_vm_destroy(c->fd, c->vm);
	close(c->fd);
}

/* Run the command buffer on @q and empty it; returns the job's error. */
static int run_on(struct ctx *c, uint32_t q)
{
	int err = svmgpu_exec_wait(c->fd, q, svmgpu_batch_end(c->b));

	svmgpu_batch_reset(c->b);
	return err;
}

/* Run on the context's queue; a failed job's queue is replaced, then the error asserted. */
static void run_ok(struct ctx *c)
{
	int err = run_on(c, c->q);

	if (err) {
		svmgpu_queue_destroy(c->fd, c->q);
		c->q = svmgpu_queue_create(c->fd, c->vm);
	}
	igt_assert_eq(err, 0);
}

static uint64_t counter(int fd, enum drm_svmgpu_stat s)
{
	struct drm_svmgpu_stats st;

	svmgpu_stats(fd, &st);
	return st.counters[s];
}

static void expect_fault(struct ctx *c, uint32_t q, const void *addr, uint32_t access, int err)
{
	struct drm_svmgpu_queue_get_fault f;

	svmgpu_get_fault(c->fd, q, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, err);
	igt_assert_eq_u64(f.fault_address, (uintptr_t)addr);
	igt_assert_eq(f.fault_access, access);
}

/* A store to @addr fails with -EFAULT on a queue of its own: nothing is mapped there. */
static void expect_unmapped(struct ctx *c, void *addr)
{
	uint32_t q = svmgpu_queue_create(c->fd, c->vm);

	svmgpu_cmd_store32(c->b, addr, 0xbadbad);
	igt_assert_eq(run_on(c, q), -EFAULT);
	expect_fault(c, q, addr, DRM_SVMGPU_ACCESS_WRITE, -EFAULT);
	svmgpu_queue_destroy(c->fd, q);
}

static void set_words(void *p, size_t bytes, uint32_t v)
{
	uint32_t *w = p;

	for (size_t i = 0; i < bytes / 4; i++)
		w[i] = v;
}

static uint64_t sum_u32(const void *p, size_t bytes)
{
	const uint32_t *w = p;
	uint64_t s = 0;

	for (size_t i = 0; i < bytes / 4; i++)
		s += w[i];
	return s;
}

static uint32_t max_u32(const void *p, size_t bytes)
{
	const uint32_t *w = p;
	uint32_t m = 0;

	for (size_t i = 0; i < bytes / 4; i++)
		m = w[i] > m ? w[i] : m;
	return m;
}

/* Fails naming the first differing byte and how many differ. */
static void check_bytes(const char *what, const void *got, const void *exp, size_t len)
{
	const uint8_t *a = got, *b = exp;
	size_t first = SIZE_MAX, bad = 0;

	if (!memcmp(got, exp, len))
		return;
	for (size_t i = 0; i < len; i++) {
		if (a[i] != b[i]) {
			if (first == SIZE_MAX)
				first = i;
			bad++;
		}
	}
	igt_fail_f("%s: %zu of %zu bytes differ, first at +0x%zx (%p): 0x%02x, expected 0x%02x\n",
		   what, bad, len, first, (void *)(a + first), a[first], b[first]);
}

static void check_file(int f, off_t off, const void *exp, size_t size)
{
	uint8_t *buf = malloc(size);
	size_t done = 0;

	igt_assert(buf);
	while (done < size) {
		ssize_t n = pread(f, buf + done, size - done, off + done);

		igt_assert_f(n > 0, "pread: %zd (%s)\n", n, strerror(errno));
		done += n;
	}
	check_bytes("file contents read back with pread", buf, exp, size);
	free(buf);
}

static uint32_t syncobj_create(int fd)
{
	struct drm_syncobj_create c = {};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
	return c.handle;
}

static void syncobj_destroy(int fd, uint32_t h)
{
	struct drm_syncobj_destroy d = { .handle = h };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), 0);
}

/* Not signalled yet? (An absolute timeout of 0 has passed already.) */
static bool syncobj_busy(int fd, uint32_t h)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 1, .timeout_nsec = 0,
	};

	return svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -ETIME;
}

/* Submit @b on @q without waiting; the batch must stay untouched until it ran. */
static uint32_t submit(int fd, uint32_t q, struct svmgpu_batch *b)
{
	uint32_t h = syncobj_create(fd);

	igt_assert_eq(__svmgpu_exec(fd, q, (uintptr_t)svmgpu_batch_end(b), h), 0);
	return h;
}

static void fixture(void)
{
	struct drm_svmgpu_device_info info;

	ctx_init(&g, svmgpu_open_or_skip());
	svmgpu_query_info(g.fd, &info);
	igt_require_f(info.features & DRM_SVMGPU_FEATURE_SVM, "device without SVM\n");
	res = svmgpu_map_anon(SZ_64K);
	keep_in_ram(&g, res, SZ_64K);
	scratch = svmgpu_map_anon(SZ_2M);
	keep_in_ram(&g, scratch, SZ_2M);
}

/* ---- 1. allocation kinds x access patterns ---- */

enum mx_kind {
	K_MALLOC, K_MMAP, K_SHARED, K_FILE, K_MEMFD, K_HUGETLB, K_THP, K_MLOCK, K_STACK,
	K_GLOBAL, K_COUNT,
};

static const char *const kind_names[K_COUNT] = {
	"malloc", "mmap-anon", "mmap-shared-anon", "file", "memfd", "hugetlb", "thp",
	"mlock", "stack", "global",
};

enum mx_pattern {
	P_ONCE, P_TWICE, P_MANY, P_STRIDED, P_LARGE, P_64K, P_THREADS, P_THREADS_VM, P_PROCS,
	P_COUNT,
};

static const char *const pattern_names[P_COUNT] = {
	"once", "twice", "many", "strided", "large", "64k-aligned", "threads",
	"threads-shared-vm", "processes",
};

/* Threads and processes of the matrix: each writes its own slice of the buffer. */
#define MX_WORKERS	4
#define MX_PROCS	2

struct mx_case {
	int kind, pattern;
};

struct mx_buf {
	uint8_t *p;
	size_t size;
	int kind;
	int file;	/* file-backed kinds: read back with pread */
};

static uint8_t global_buf[SZ_16M] __attribute__((aligned(4096)));
static size_t stack_large;	/* the largest stack array: a quarter of RLIMIT_STACK, <= 4M */
static long hugetlb_free;

static size_t mx_size(int kind, int pattern)
{
	size_t size = pattern == P_LARGE ? SZ_16M : pattern == P_64K ? SZ_512K : SZ_1M;

	if (kind == K_STACK && pattern == P_LARGE)
		size = stack_large;
	if (kind == K_HUGETLB || kind == K_THP)
		size = ALIGN_UP(size, SZ_2M);
	return size;
}

static int tmp_file(size_t size)
{
	char path[] = "/tmp/svmgpu-mm-XXXXXX";
	int f = mkstemp(path);

	igt_assert(f >= 0);
	unlink(path);
	igt_assert_eq(ftruncate(f, size), 0);
	return f;
}

static void mx_alloc(struct mx_buf *b, size_t size)
{
	const int prot = PROT_READ | PROT_WRITE;
	void *p = MAP_FAILED;

	b->size = size;
	b->file = -1;
	switch (b->kind) {
	case K_MALLOC:
		p = malloc(size);
		igt_assert(p);
		break;
	case K_MMAP:
		p = svmgpu_map_anon(size);
		break;
	case K_SHARED:
		p = mmap(NULL, size, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		break;
	case K_FILE:
		b->file = tmp_file(size);
		p = mmap(NULL, size, prot, MAP_SHARED, b->file, 0);
		break;
	case K_MEMFD:
		b->file = memfd_create("svmgpu-mm", MFD_CLOEXEC);
		igt_assert(b->file >= 0);
		igt_assert_eq(ftruncate(b->file, size), 0);
		p = mmap(NULL, size, prot, MAP_SHARED, b->file, 0);
		break;
	case K_HUGETLB:
		if (hugetlb_free < (long)(size / SZ_2M))
			igt_skip("%zu free 2M huge pages needed, %ld available\n", size / SZ_2M,
				 hugetlb_free);
		p = mmap(NULL, size, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED)
			igt_skip("MAP_HUGETLB of %zu bytes: %s\n", size, strerror(errno));
		break;
	case K_THP:
		p = svmgpu_map_anon_aligned(size);
		madvise(p, size, MADV_HUGEPAGE);	/* best effort: THP may be off */
		break;
	case K_MLOCK:
		p = svmgpu_map_anon(size);
		if (mlock(p, size)) {
			int err = errno;

			munmap(p, size);
			igt_skip("mlock of %zu bytes: %s\n", size, strerror(err));
		}
		break;
	case K_GLOBAL:
		igt_assert(size <= sizeof(global_buf));
		p = global_buf;
		break;
	}
	igt_assert(p != MAP_FAILED);
	b->p = p;
}

static void mx_free(struct mx_buf *b)
{
	switch (b->kind) {
	case K_MALLOC:
		free(b->p);
		break;
	case K_MLOCK:
		munlock(b->p, b->size);
		/* fallthrough */
	case K_MMAP:
	case K_SHARED:
	case K_FILE:
	case K_MEMFD:
	case K_HUGETLB:
	case K_THP:
		munmap(b->p, b->size);
		break;
	}
	if (b->file >= 0)
		close(b->file);
}

/* Kinds whose pages a child process shares with its parent after fork. */
static bool mx_shared(int kind)
{
	return kind == K_SHARED || kind == K_FILE || kind == K_MEMFD;
}

struct mx_worker {
	pthread_t tid;
	int fd;
	uint32_t q;
	const void *batch;
	int err;
};

static void *mx_worker_run(void *arg)
{
	struct mx_worker *w = arg;

	w->err = __svmgpu_exec_wait(w->fd, w->q, w->batch);
	return NULL;
}

/* Worker @i's slice of the buffer: a fill and a 64-bit marker inside it. */
static void mx_worker_emit(struct svmgpu_batch *b, uint8_t *p, uint8_t *exp, size_t size,
			   int i, uint32_t seed)
{
	size_t slice = size / MX_WORKERS, off = i * slice;
	uint32_t v = svmgpu_hash32(seed, 0x100 + i);
	uint64_t m = (uint64_t)svmgpu_hash32(seed, 0x200 + i) << 32 | i;

	svmgpu_cmd_fill32(b, p + off, slice, v);
	svmgpu_cmd_store64(b, p + off + slice / 2, m);
	set_words(exp + off, slice, v);
	memcpy(exp + off + slice / 2, &m, 8);
}

/*
 * MX_WORKERS threads run at once, each its own command buffer on its own
 * queue: on VMs of their own files (@shared_vm false), or on the fixture's VM.
 */
static void mx_threads(uint8_t *p, uint8_t *exp, size_t size, uint32_t seed, bool shared_vm)
{
	struct mx_worker w[MX_WORKERS];
	struct svmgpu_batch *b[MX_WORKERS];
	struct ctx c[MX_WORKERS];

	for (int i = 0; i < MX_WORKERS; i++) {
		if (shared_vm) {
			w[i].fd = g.fd;
			w[i].q = svmgpu_queue_create(g.fd, g.vm);
			b[i] = svmgpu_batch_new();
			keep_in_ram(&g, b[i]->buf, b[i]->cap);
		} else {
			ctx_open(&c[i], 0);
			w[i].fd = c[i].fd;
			w[i].q = c[i].q;
			b[i] = c[i].b;
		}
		mx_worker_emit(b[i], p, exp, size, i, seed);
		w[i].batch = svmgpu_batch_end(b[i]);
	}
	for (int i = 0; i < MX_WORKERS; i++)
		igt_assert_eq(pthread_create(&w[i].tid, NULL, mx_worker_run, &w[i]), 0);
	for (int i = 0; i < MX_WORKERS; i++)
		pthread_join(w[i].tid, NULL);
	for (int i = 0; i < MX_WORKERS; i++) {
		igt_assert_f(!w[i].err, "thread %d: job failed: %d\n", i, w[i].err);
		if (shared_vm) {
			svmgpu_queue_destroy(g.fd, w[i].q);
			svmgpu_batch_free(b[i]);
		} else {
			ctx_close(&c[i]);
		}
	}
}

struct mx_proc {
	uint8_t *p;
	const uint8_t *before;	/* the buffer at fork */
	size_t size;
	uint32_t seed;
};

/* A child writes its slices through a VM of its own and checks them from its CPU. */
static void mx_proc_child(int child, void *arg)
{
	const struct mx_proc *a = arg;
	uint8_t *exp = malloc(a->size);
	struct ctx c;

	igt_assert(exp);
	memcpy(exp, a->before, a->size);
	ctx_open(&c, 0);
	for (int i = child; i < MX_WORKERS; i += MX_PROCS)
		mx_worker_emit(c.b, a->p, exp, a->size, i, a->seed);
	run_ok(&c);
	for (int i = child; i < MX_WORKERS; i += MX_PROCS) {
		size_t slice = a->size / MX_WORKERS;

		check_bytes("the child's own slice", a->p + i * slice, exp + i * slice, slice);
	}
	ctx_close(&c);
	free(exp);
}

/*
 * The parent's GPU writes the whole buffer (moving anonymous memory to VRAM),
 * then MX_PROCS children write slices of it with their own GPU VMs. The
 * parent sees their writes in shared mappings and none in private ones.
 */
static void mx_processes(struct mx_buf *b, uint8_t *exp, uint32_t seed)
{
	uint32_t v = 0x5b000000u | seed;
	struct mx_proc a = { .p = b->p, .size = b->size, .seed = seed };

	svmgpu_cmd_fill32(g.b, b->p, b->size, v);
	run_ok(&g);
	set_words(exp, b->size, v);
	a.before = exp;
	igt_fork(MX_PROCS, mx_proc_child, &a);
	if (mx_shared(b->kind))
		for (int i = 0; i < MX_WORKERS; i++)
			mx_worker_emit(g.b, b->p, exp, b->size, i, seed);
	svmgpu_batch_reset(g.b);
	/* The parent's GPU agrees with its CPU, which check_bytes() checks next. */
	res[0] = ~0ull;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, b->p, b->size / 4, &res[0]);
	run_ok(&g);
	igt_assert_eq_u64(res[0], sum_u32(exp, b->size));
}

/* Run @pattern on the buffer: background from the CPU, GPU commands, check all of it. */
static void mx_run(struct mx_buf *b, int pattern, uint32_t seed)
{
	uint8_t *p = b->p, *exp = malloc(b->size);
	size_t size = b->size, off;
	uint32_t v = 0x5a000000u | seed;

	igt_assert(exp);
	svmgpu_fill_words(p, size, seed);
	memcpy(exp, p, size);

	switch (pattern) {
	case P_ONCE:
		svmgpu_cmd_fill32(g.b, p, size, v);
		run_ok(&g);
		set_words(exp, size, v);
		break;
	case P_TWICE:
		/* The first exec writes; the second checks it on the GPU and overwrites. */
		igt_assert(size <= SZ_2M);
		svmgpu_fill_words(scratch, size, seed ^ 0x7777);
		svmgpu_cmd_copy(g.b, p, scratch, size);
		run_ok(&g);
		memcpy(exp, scratch, size);
		res[0] = res[1] = ~0ull;
		svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &res[0]);
		svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_MAX_U32, p, size / 4, &res[1]);
		svmgpu_cmd_fill32(g.b, p + SZ_4K, size - 2 * SZ_4K, v);
		run_ok(&g);
		igt_assert_eq_u64(res[0], sum_u32(exp, size));
		igt_assert_eq((uint32_t)res[1], max_u32(exp, size));
		set_words(exp + SZ_4K, size - 2 * SZ_4K, v);
		break;
	case P_MANY: {
		size_t seg = size / 64;

		for (int i = 0; i < 64; i++) {
			uint64_t val = (uint64_t)svmgpu_hash32(seed, i) << 32 | 0xc0de0000u | i;

			off = (i * seg + (i * 1096) % (seg - 8)) & ~7ul;
			svmgpu_cmd_store64(g.b, p + off, val);
			memcpy(exp + off, &val, 8);
		}
		run_ok(&g);
		break;
	}
	case P_STRIDED: {
		uint32_t k = 0;

		for (off = 0; off + 4 <= size; off += SZ_4K + 4, k++) {
			uint32_t val = svmgpu_hash32(seed ^ 0x5757, k);

			svmgpu_cmd_store32(g.b, p + off, val);
			memcpy(exp + off, &val, 4);
		}
		run_ok(&g);
		break;
	}
	case P_LARGE: {
		uint32_t k = 0;

		svmgpu_cmd_fill32(g.b, p, size, v);
		set_words(exp, size, v);
		for (off = 0; off < size; off += SZ_64K, k++) {
			uint32_t val = 0x7a000000u | k;

			svmgpu_cmd_store32(g.b, p + off + 4 * (k % 16), val);
			memcpy(exp + off + 4 * (k % 16), &val, 4);
		}
		run_ok(&g);
		break;
	}
	case P_64K: {
		uint8_t *a = (uint8_t *)ALIGN_UP(p + SZ_4K, SZ_64K);
		size_t len = 3 * SZ_64K;
		uint64_t m1 = 0x6464000000000000ull | seed, m2 = ~m1;

		igt_assert(a + len + SZ_4K <= p + size);
		svmgpu_cmd_fill32(g.b, a, len, v);
		svmgpu_cmd_store64(g.b, a, m1);
		svmgpu_cmd_store64(g.b, a + len - 8, m2);
		run_ok(&g);
		off = a - p;
		set_words(exp + off, len, v);
		memcpy(exp + off, &m1, 8);
		memcpy(exp + off + len - 8, &m2, 8);
		break;
	}
	case P_THREADS:
	case P_THREADS_VM:
		mx_threads(p, exp, size, seed, pattern == P_THREADS_VM);
		break;
	case P_PROCS:
		mx_processes(b, exp, seed);
		break;
	}

	check_bytes("buffer seen by the CPU", p, exp, size);
	if (b->file >= 0)
		check_file(b->file, 0, exp, size);
	free(exp);
}

static void mx_dyn(void *arg)
{
	const struct mx_case *mc = arg;
	struct mx_buf b = { .kind = mc->kind, .file = -1 };
	size_t size = mx_size(mc->kind, mc->pattern);
	uint32_t seed = mc->kind * 16 + mc->pattern + 1;

	if (mc->kind == K_STACK) {
		/* An array in this frame; mx_run() works on it before it returns. */
		b.p = alloca(size);
		b.size = size;
		mx_run(&b, mc->pattern, seed);
		__asm__ volatile("" : : "r"(b.p) : "memory");
		return;
	}
	mx_alloc(&b, size);
	mx_run(&b, mc->pattern, seed);
	mx_free(&b);
}

static long meminfo(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			sscanf(line + len + 1, "%ld", &v);
	fclose(f);
	return v;
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

/* Make sure enough 2M huge pages are free; returns the old nr_hugepages to restore, or -1. */
static long hugetlb_reserve(long need)
{
	long nr = svmgpu_read_long(NR_HUGEPAGES), saved = -1;

	hugetlb_free = 0;
	if (nr < 0 || meminfo("Hugepagesize") != 2048)
		return -1;
	hugetlb_free = meminfo("HugePages_Free");
	if (hugetlb_free < need && !svmgpu_write_long(NR_HUGEPAGES, nr + need - hugetlb_free)) {
		saved = nr;
		hugetlb_free = meminfo("HugePages_Free");
	}
	igt_info("hugetlb: %ld free 2M pages (nr_hugepages was %ld)\n", hugetlb_free, nr);
	return saved;
}

static void test_alloc_matrix(void)
{
	struct mx_case cases[K_COUNT * P_COUNT];
	struct rlimit rl;
	double t0 = svmgpu_now_s();
	long saved;
	int n = 0;

	stack_large = 4 * SZ_1M;
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < stack_large)
		stack_large = (rl.rlim_cur / 4) & ~(SZ_4K - 1);
	saved = hugetlb_reserve(SZ_16M / SZ_2M);

	for (int k = 0; k < K_COUNT; k++) {
		for (int pt = 0; pt < P_COUNT; pt++) {
			cases[n] = (struct mx_case){ .kind = k, .pattern = pt };
			igt_dynamic_f(mx_dyn, &cases[n], "%s-%s", kind_names[k], pattern_names[pt]);
			n++;
		}
	}
	if (saved >= 0)
		svmgpu_write_long(NR_HUGEPAGES, saved);
	igt_info("%d allocation kind x pattern cases in %.2fs\n", n, svmgpu_now_s() - t0);
}

/* ---- 2. mremap ---- */

/* Move a GPU-touched buffer: the GPU sees the data at the new address, nothing at the old. */
static void test_mremap_move(void)
{
	size_t size = 4 * SZ_1M;
	uint8_t *p = svmgpu_map_anon_aligned(size), *resv, *n, *exp = malloc(size);
	uint32_t v1 = 0x11112222, v2 = 0x33334444;

	igt_assert(exp);
	svmgpu_fill_words(p, size, 0x3e3e);
	memcpy(exp, p, size);
	/* Migrates the middle to VRAM (default policy). */
	svmgpu_cmd_fill32(g.b, p + SZ_1M, 2 * SZ_1M, v1);
	svmgpu_cmd_store32(g.b, p + 12, 0xabc);
	run_ok(&g);
	set_words(exp + SZ_1M, 2 * SZ_1M, v1);
	set_words(exp + 12, 4, 0xabc);

	/* A target that is not 2M-aligned: the GPU ranges cannot simply move along. */
	resv = svmgpu_map_anon_aligned(size + SZ_2M);
	n = mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, resv + SZ_64K);
	igt_assert(n == resv + SZ_64K);

	/* The old address is unmapped for the GPU as well. */
	expect_unmapped(&g, p + SZ_1M + 8);
	expect_unmapped(&g, p);

	/* The GPU reads the old contents at the new address, then writes there. */
	res[0] = ~0ull;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, n, size / 4, &res[0]);
	svmgpu_cmd_fill32(g.b, n + 3 * SZ_1M, SZ_64K, v2);
	svmgpu_cmd_store32(g.b, n + 20, 0xdef);
	run_ok(&g);
	igt_assert_eq_u64(res[0], sum_u32(exp, size));
	set_words(exp + 3 * SZ_1M, SZ_64K, v2);
	set_words(exp + 20, 4, 0xdef);
	check_bytes("moved buffer", n, exp, size);

	munmap(resv, SZ_64K);
	munmap(n, size);
	munmap(n + size, SZ_2M - SZ_64K);
	free(exp);
}

/* MREMAP_DONTUNMAP: the old range stays mapped but empty; the GPU must see zeroes there. */
static void test_mremap_dontunmap(void)
{
	size_t size = SZ_2M;
	uint8_t *p = svmgpu_map_anon_aligned(size), *n, *exp = malloc(size);
	uint32_t v1 = 0x55556666, v3 = 0x77778888, v4 = 0x9999aaaa;

	igt_assert(exp);
	svmgpu_fill_words(p, size, 0xd0d0);
	memcpy(exp, p, size);
	svmgpu_cmd_fill32(g.b, p + SZ_64K, SZ_1M, v1);
	run_ok(&g);
	set_words(exp + SZ_64K, SZ_1M, v1);

	n = mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (n == MAP_FAILED) {
		int err = errno;

		munmap(p, size);
		igt_skip("MREMAP_DONTUNMAP: %s\n", strerror(err));
	}

	memset(res, 0xff, 24);
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &res[0]);
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_MAX_U32, p, size / 4, &res[1]);
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, n, size / 4, &res[2]);
	svmgpu_cmd_fill32(g.b, p, SZ_64K, v3);
	svmgpu_cmd_fill32(g.b, n + SZ_1M, SZ_64K, v4);
	run_ok(&g);

	igt_assert_eq_u64(res[0], 0);
	igt_assert_eq((uint32_t)res[1], 0);
	igt_assert_eq_u64(res[2], sum_u32(exp, size));
	set_words(exp + SZ_1M, SZ_64K, v4);
	check_bytes("moved buffer", n, exp, size);
	/* The old range: the GPU's fill, zeroes elsewhere. */
	memset(exp, 0, size);
	set_words(exp, SZ_64K, v3);
	check_bytes("old range after DONTUNMAP", p, exp, size);

	munmap(p, size);
	munmap(n, size);
	free(exp);
}

/* ---- 3. munmap and free while jobs run ---- */

static void test_munmap_during_job(void)
{
	size_t asz = 32 * SZ_1M, bsz = 8 * SZ_1M, csz = 4 * SZ_1M, dsz = 4 * SZ_1M;
	struct svmgpu_batch *b1 = svmgpu_batch_new(), *b2 = svmgpu_batch_new();
	uint32_t q1 = svmgpu_queue_create(g.fd, g.vm), q2 = svmgpu_queue_create(g.fd, g.vm);
	uint8_t *a = svmgpu_map_anon_aligned(asz), *b = svmgpu_map_anon(bsz), *c = malloc(csz);
	uint8_t *d = svmgpu_map_anon_aligned(dsz);
	uint32_t h1, h2, last = 0;
	bool busy1, busy2;
	double t0;
	int e1, e2;

	igt_assert(c);
	keep_in_ram(&g, b1->buf, b1->cap);
	keep_in_ram(&g, b2->buf, b2->cap);

	/* B, C and D are GPU-touched first (in VRAM under the default policy). */
	svmgpu_cmd_fill32(g.b, b, bsz, 0x0b0b0b0b);
	svmgpu_cmd_fill32(g.b, c, csz, 0x0c0c0c0c);
	svmgpu_cmd_fill32(g.b, d, dsz, 0x0d0d0d0d);
	run_ok(&g);

	/* A long fill of A, and a job writing the first MiB of D over and over. */
	svmgpu_cmd_fill32(b1, a, asz, 0xa1a1a1a1);
	for (size_t off = 0; off < asz; off += SZ_1M)
		svmgpu_cmd_store32(b1, a + off + 4, 0xa2000000u | (uint32_t)(off >> 20));
	for (uint32_t i = 0; i < 32; i++) {
		last = 0xd0000000u | i;
		svmgpu_cmd_fill32(b2, d, SZ_1M, last);
	}
	t0 = svmgpu_now_s();
	h1 = submit(g.fd, q1, b1);
	h2 = submit(g.fd, q2, b2);

	/* Meanwhile: unmap B, free C, unmap D from the middle of its first 2M range on. */
	igt_assert_eq(munmap(b, bsz), 0);
	free(c);
	igt_assert_eq(munmap(d + SZ_1M, dsz - SZ_1M), 0);
	busy1 = syncobj_busy(g.fd, h1);
	busy2 = syncobj_busy(g.fd, h2);

	e1 = svmgpu_syncobj_wait(g.fd, h1);
	e2 = svmgpu_syncobj_wait(g.fd, h2);
	igt_info("jobs still running after the unmaps: fill %s, rewrite %s; done after %.3fs\n",
		 busy1 ? "yes" : "no", busy2 ? "yes" : "no", svmgpu_now_s() - t0);
	syncobj_destroy(g.fd, h1);
	syncobj_destroy(g.fd, h2);
	igt_assert_eq(e1, 0);
	igt_assert_eq(e2, 0);

	for (size_t i = 0; i < asz / 4; i++) {
		uint32_t want = (i % (SZ_1M / 4)) == 1 ? 0xa2000000u | (uint32_t)(i / (SZ_1M / 4)) :
			0xa1a1a1a1;

		igt_assert_f(((uint32_t *)a)[i] == want, "A word %zu: 0x%x, expected 0x%x\n", i,
			     ((uint32_t *)a)[i], want);
	}
	for (size_t i = 0; i < SZ_1M / 4; i++)
		igt_assert_f(((uint32_t *)d)[i] == last, "D word %zu: 0x%x, expected 0x%x\n", i,
			     ((uint32_t *)d)[i], last);

	/* What was unmapped is gone for the GPU. */
	expect_unmapped(&g, b + SZ_4K);
	expect_unmapped(&g, d + SZ_1M + 64);

	svmgpu_queue_destroy(g.fd, q1);
	svmgpu_queue_destroy(g.fd, q2);
	svmgpu_batch_free(b1);
	svmgpu_batch_free(b2);
	munmap(a, asz);
	munmap(d, SZ_1M);
}

/*
 * Two back-to-back munmaps of the halves of one GPU range that is in VRAM:
 * the first leaves a partially unmapped range for the garbage collector
 * (which evicts what is left), the second unmaps the rest while it does.
 */
static void test_munmap_halves(void)
{
	const int loops = 300;
	uint32_t *keep = svmgpu_map_anon(SZ_64K);
	uint64_t inv = counter(g.fd, DRM_SVMGPU_STAT_INVALIDATIONS);
	double t0 = svmgpu_now_s();

	for (int i = 0; i < loops; i++) {
		uint8_t *p = svmgpu_map_anon_aligned(SZ_2M);

		svmgpu_cmd_fill32(g.b, p, SZ_2M, 0x4a4a0000u | i);
		svmgpu_cmd_store32(g.b, &keep[i], i);
		run_ok(&g);
		igt_assert_eq(munmap(p + (i & 1 ? SZ_1M : 0), SZ_1M), 0);
		/* 0-2.9ms: the second unmap meets the collector at various points. */
		if (i % 30)
			usleep(i % 30 * 100);
		igt_assert_eq(munmap(p + (i & 1 ? 0 : SZ_1M), SZ_1M), 0);
	}
	/* The VM still works, and kept everything it should have. */
	svmgpu_cmd_fill32(g.b, keep + loops, SZ_64K - 4 * loops, 0x4b4b4b4b);
	run_ok(&g);
	for (int i = 0; i < loops; i++)
		igt_assert_eq(keep[i], i);
	for (size_t i = loops; i < SZ_64K / 4; i++)
		igt_assert_eq(keep[i], 0x4b4b4b4b);
	igt_info("%d ranges unmapped in halves in %.2fs, %llu invalidations\n", loops,
		 svmgpu_now_s() - t0,
		 (unsigned long long)(counter(g.fd, DRM_SVMGPU_STAT_INVALIDATIONS) - inv));
	munmap(keep, SZ_64K);
}

/*
 * A 2M GPU range, written by the GPU (in VRAM, or kept in RAM), loses a 64K
 * piece at its start, middle or end to munmap, or to a new anonymous mapping
 * over it (remap). Then either the CPU reads the rest first (migrating it
 * back) or the GPU does; the GPU must fault on the unmapped piece, see zeros
 * in the remapped one, and the data around it must be intact on both sides.
 */
enum partial_op { PARTIAL_MUNMAP, PARTIAL_REMAP };
enum partial_where { PARTIAL_START, PARTIAL_MIDDLE, PARTIAL_END };

struct partial_case {
	enum partial_op op;
	enum partial_where where;
	bool cpu_first, vram;
};

static void partial_dyn(void *arg)
{
	const struct partial_case *pc = arg;
	static const size_t hole_at[] = { 0, SZ_1M - SZ_64K / 2, SZ_2M - SZ_64K };
	size_t hole = hole_at[pc->where];
	uint8_t *p = svmgpu_map_anon_aligned(SZ_2M), *exp = malloc(SZ_2M), *hp = p + hole;
	uint64_t mig = counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	uint32_t v = 0x9a000000u | pc->op << 8 | pc->where << 4 | pc->cpu_first << 1 | pc->vram;
	size_t left = hole, right = SZ_2M - hole - SZ_64K;

	igt_assert(exp);
	if (!pc->vram)
		keep_in_ram(&g, p, SZ_2M);
	svmgpu_fill_words(p, SZ_2M, v);
	svmgpu_cmd_fill32(g.b, p + SZ_4K, SZ_2M - 2 * SZ_4K, v);
	run_ok(&g);
	memcpy(exp, p, SZ_4K);
	set_words(exp + SZ_4K, SZ_2M - 2 * SZ_4K, v);
	memcpy(exp + SZ_2M - SZ_4K, p + SZ_2M - SZ_4K, SZ_4K);
	/*
	 * A fault's migration may lose a race (pages busy elsewhere) and leave
	 * the range in RAM, which is correct; a prefetch tries again.
	 */
	for (int i = 0; pc->vram && i < 3; i++) {
		if (mig < counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM))
			break;
		igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, p, SZ_2M, DRM_SVMGPU_REGION_DEVICE), 0);
	}
	if (pc->vram)
		igt_assert_lt(mig, counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));

	if (pc->op == PARTIAL_MUNMAP) {
		igt_assert_eq(munmap(hp, SZ_64K), 0);
	} else {
		igt_assert(mmap(hp, SZ_64K, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == hp);
		memset(exp + hole, 0, SZ_64K);
	}

	if (pc->cpu_first) {
		check_bytes("left of the hole", p, exp, left);
		check_bytes("right of the hole", hp + SZ_64K, exp + hole + SZ_64K, right);
	}
	/* The GPU sums what is left and copies a page from each side into RAM. */
	res[0] = res[1] = res[2] = ~0ull;
	if (left)
		svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, left / 4, &res[0]);
	if (right)
		svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, hp + SZ_64K, right / 4, &res[1]);
	if (pc->op == PARTIAL_REMAP)
		svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, hp, SZ_64K / 4, &res[2]);
	svmgpu_cmd_copy(g.b, scratch, left ? p + left - SZ_4K : hp + SZ_64K, SZ_4K);
	run_ok(&g);
	if (left)
		igt_assert_eq_u64(res[0], sum_u32(exp, left));
	if (right)
		igt_assert_eq_u64(res[1], sum_u32(exp + hole + SZ_64K, right));
	if (pc->op == PARTIAL_REMAP)
		igt_assert_eq_u64(res[2], 0);
	check_bytes("page copied by the GPU next to the hole", scratch,
		    left ? exp + left - SZ_4K : exp + hole + SZ_64K, SZ_4K);

	if (pc->op == PARTIAL_MUNMAP) {
		expect_unmapped(&g, hp + SZ_4K);
	} else {
		/* The new mapping takes GPU writes like any other memory. */
		svmgpu_cmd_fill32(g.b, hp, SZ_64K, ~v);
		run_ok(&g);
		set_words(exp + hole, SZ_64K, ~v);
		check_bytes("the remapped piece", hp, exp + hole, SZ_64K);
	}
	check_bytes("left of the hole", p, exp, left);
	check_bytes("right of the hole", hp + SZ_64K, exp + hole + SZ_64K, right);
	munmap(p, SZ_2M);
	free(exp);
}

static void test_partial(void)
{
	static const char *const ops[] = { "munmap", "remap" };
	static const char *const wheres[] = { "start", "middle", "end" };
	struct partial_case cases[2 * 3 * 2 * 2];
	int n = 0;

	for (int op = 0; op < 2; op++)
		for (int w = 0; w < 3; w++)
			for (int cpu = 0; cpu < 2; cpu++)
				for (int vram = 0; vram < 2; vram++) {
					cases[n] = (struct partial_case){
						.op = op, .where = w, .cpu_first = cpu, .vram = vram,
					};
					igt_dynamic_f(partial_dyn, &cases[n], "%s-%s-%s-%s", ops[op],
						      wheres[w], cpu ? "cpu-first" : "gpu-first",
						      vram ? "vram" : "ram");
					n++;
				}
}

/* ---- 4. unaligned sizes and offsets ---- */

#define GUARD 64

static void test_unaligned(void)
{
	static const size_t sizes[] = {
		1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 127, 255, 256, 257, 511,
		1023, 1025, 2047, 4095, 4096, 4097, 8191, 12289, 65537,
	};
	const size_t ns = sizeof(sizes) / sizeof(sizes[0]);
	uint8_t *src[sizeof(sizes) / sizeof(sizes[0])], *dst[sizeof(sizes) / sizeof(sizes[0])];
	uint8_t *pg = svmgpu_map_anon(4 * SZ_4K), *ps = malloc(3 * SZ_4K), *pexp = malloc(4 * SZ_4K);
	uint8_t *odd = malloc(4097), *exp;
	uint32_t v = 0x0dd0dd0d;

	igt_assert(ps && pexp && odd);
	for (size_t i = 0; i < ns; i++) {
		src[i] = malloc(sizes[i]);
		dst[i] = malloc(sizes[i] + 2 * GUARD);
		igt_assert(src[i] && dst[i]);
		for (size_t j = 0; j < sizes[i]; j++)
			src[i][j] = (uint8_t)svmgpu_hash32(i, j);
		memset(dst[i], 0xee, sizes[i] + 2 * GUARD);
		/* Odd destination offsets, from a source at malloc's alignment + i % 3. */
		svmgpu_cmd_copy(g.b, dst[i] + GUARD + i % 7, src[i] + (sizes[i] > 3 ? i % 3 : 0),
				sizes[i] - (sizes[i] > 3 ? i % 3 : 0));
	}
	/* Copies crossing page boundaries at odd places. */
	memset(pg, 0x5c, 4 * SZ_4K);
	svmgpu_fill_words(ps, 3 * SZ_4K, 0xc0c0);
	memcpy(pexp, pg, 4 * SZ_4K);
	svmgpu_cmd_copy(g.b, pg + SZ_4K - 1, ps + SZ_4K - 3, 2);
	svmgpu_cmd_copy(g.b, pg + 2 * SZ_4K - 7, ps + 1, SZ_4K + 9);
	memcpy(pexp + SZ_4K - 1, ps + SZ_4K - 3, 2);
	memcpy(pexp + 2 * SZ_4K - 7, ps + 1, SZ_4K + 9);
	/* A 4097-byte malloc: fill and store up to its last whole word, not beyond. */
	memset(odd, 0x33, 4097);
	svmgpu_cmd_fill32(g.b, odd, 4092, v);
	svmgpu_cmd_store32(g.b, odd + 4092, 0x12345678);
	run_ok(&g);

	for (size_t i = 0; i < ns; i++) {
		size_t sk = sizes[i] > 3 ? i % 3 : 0, len = sizes[i] - sk, o = GUARD + i % 7;
		char what[64];

		exp = malloc(sizes[i] + 2 * GUARD);
		igt_assert(exp);
		memset(exp, 0xee, sizes[i] + 2 * GUARD);
		for (size_t j = 0; j < len; j++)
			exp[o + j] = (uint8_t)svmgpu_hash32(i, j + sk);
		snprintf(what, sizeof(what), "copy of %zu bytes to +%zu", len, o);
		check_bytes(what, dst[i], exp, sizes[i] + 2 * GUARD);
		for (size_t j = 0; j < sizes[i]; j++)
			igt_assert_eq(src[i][j], (uint8_t)svmgpu_hash32(i, j));
		free(exp);
	}
	check_bytes("page-crossing copies", pg, pexp, 4 * SZ_4K);
	for (size_t j = 0; j < 4092; j += 4)
		igt_assert_eq(*(uint32_t *)(odd + j), v);
	igt_assert_eq(*(uint32_t *)(odd + 4092), 0x12345678);
	igt_assert_eq(odd[4096], 0x33);

	/* free() checks malloc's own neighbouring metadata. */
	for (size_t i = 0; i < ns; i++) {
		free(src[i]);
		free(dst[i]);
	}
	free(odd);
	free(ps);
	free(pexp);
	munmap(pg, 4 * SZ_4K);
}

/* ---- 5. threads ---- */

#define NTHREADS 4

struct thr {
	pthread_t tid;
	int idx;
	uint32_t q;
	struct svmgpu_batch *b;
	uint32_t *buf;
	size_t bytes;
	int rounds;
	pthread_barrier_t *start, *done;
	int err;
	char msg[256];
};

static void thr_setup(struct thr *t, int i)
{
	memset(t, 0, sizeof(*t));
	t->idx = i;
	t->q = svmgpu_queue_create(g.fd, g.vm);
	t->b = svmgpu_batch_new();
	keep_in_ram(&g, t->b->buf, t->b->cap);
}

static void thr_teardown(struct thr *t)
{
	svmgpu_queue_destroy(g.fd, t->q);
	svmgpu_batch_free(t->b);
}

static void thr_join_check(struct thr *t, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(t[i].tid, NULL);
	for (int i = 0; i < n; i++)
		igt_assert_f(!t[i].err, "thread %d: %s\n", i, t[i].msg);
}

/* Each thread: GPU fills its part, the CPU checks it; parts share 2M ranges. */
static void *thr_disjoint(void *arg)
{
	struct thr *t = arg;

	for (int r = 0; r < t->rounds && !t->err; r++) {
		uint32_t v = 0x40000000u | t->idx << 20 | r;
		int err;

		svmgpu_batch_reset(t->b);
		svmgpu_cmd_fill32(t->b, t->buf, t->bytes, v);
		svmgpu_cmd_store32(t->b, &t->buf[r], ~v);
		svmgpu_batch_end(t->b);
		err = __svmgpu_exec_wait(g.fd, t->q, t->b->buf);
		if (err) {
			t->err = 1;
			snprintf(t->msg, sizeof(t->msg), "round %d: job failed %d", r, err);
			break;
		}
		for (size_t i = 0; i < t->bytes / 4; i++) {
			uint32_t want = i == (size_t)r ? ~v : v;

			if (t->buf[i] != want) {
				t->err = 1;
				snprintf(t->msg, sizeof(t->msg),
					 "round %d: word %zu is 0x%x, expected 0x%x", r, i,
					 t->buf[i], want);
				break;
			}
		}
	}
	return NULL;
}

static void test_threads_disjoint(void)
{
	size_t part = SZ_1M + SZ_512K, size = NTHREADS * part;
	uint32_t *buf = svmgpu_map_anon_aligned(size);
	struct thr t[NTHREADS];
	double t0 = svmgpu_now_s();

	for (int i = 0; i < NTHREADS; i++) {
		thr_setup(&t[i], i);
		t[i].buf = buf + i * part / 4;
		t[i].bytes = part;
		t[i].rounds = 12;
	}
	for (int i = 0; i < NTHREADS; i++)
		igt_assert_eq(pthread_create(&t[i].tid, NULL, thr_disjoint, &t[i]), 0);
	thr_join_check(t, NTHREADS);

	/* The final state of every part, checked from the main thread. */
	for (int i = 0; i < NTHREADS; i++) {
		uint32_t v = 0x40000000u | i << 20 | (t[i].rounds - 1);

		for (size_t w = 0; w < part / 4; w++) {
			uint32_t want = w == (size_t)t[i].rounds - 1 ? ~v : v;

			igt_assert_f(t[i].buf[w] == want, "part %d word %zu: 0x%x, expected 0x%x\n",
				     i, w, t[i].buf[w], want);
		}
	}
	igt_info("%d threads x %d rounds in %.2fs\n", NTHREADS, t[0].rounds, svmgpu_now_s() - t0);
	for (int i = 0; i < NTHREADS; i++)
		thr_teardown(&t[i]);
	munmap(buf, size);
}

#define SR_STORES	512
#define SR_INCS		64

static size_t sr_word(int t, int i)
{
	/* Distinct words over the whole 2M range, after the 64-bit counter. */
	return 2 + (size_t)(i * NTHREADS + t) * 255;
}

/* All threads fault on the same 2M range at once: stores and atomics. */
static void *thr_same_range(void *arg)
{
	struct thr *t = arg;

	for (int r = 0; r < t->rounds; r++) {
		pthread_barrier_wait(t->start);
		if (!t->err) {
			int err;

			svmgpu_batch_reset(t->b);
			for (int i = 0; i < SR_STORES; i++)
				svmgpu_cmd_store32(t->b, &t->buf[sr_word(t->idx, i)],
						   r << 24 | t->idx << 16 | i);
			for (int i = 0; i < SR_INCS; i++)
				svmgpu_cmd_atomic(t->b, DRM_SVMGPU_ATOMIC_INC, true, t->buf, 0, 0,
						  NULL);
			svmgpu_batch_end(t->b);
			err = __svmgpu_exec_wait(g.fd, t->q, t->b->buf);
			if (err) {
				t->err = 1;
				snprintf(t->msg, sizeof(t->msg), "round %d: job failed %d", r, err);
			}
		}
		pthread_barrier_wait(t->done);
	}
	return NULL;
}

static void test_threads_same_range(void)
{
	const int rounds = 8;
	uint32_t *buf = svmgpu_map_anon_aligned(SZ_2M);
	pthread_barrier_t start, done;
	struct thr t[NTHREADS];
	char failure[256] = "";
	uint64_t mig = counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	double t0 = svmgpu_now_s();

	pthread_barrier_init(&start, NULL, NTHREADS + 1);
	pthread_barrier_init(&done, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++) {
		thr_setup(&t[i], i);
		t[i].buf = buf;
		t[i].rounds = rounds;
		t[i].start = &start;
		t[i].done = &done;
	}
	for (int i = 0; i < NTHREADS; i++)
		igt_assert_eq(pthread_create(&t[i].tid, NULL, thr_same_range, &t[i]), 0);

	for (int r = 0; r < rounds; r++) {
		/* The CPU clears the range: it comes back to RAM before every round. */
		memset(buf, 0, SZ_2M);
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		if (failure[0])
			continue;
		if (*(uint64_t *)buf != NTHREADS * SR_INCS)
			snprintf(failure, sizeof(failure), "round %d: counter %llu, expected %d", r,
				 (unsigned long long)*(uint64_t *)buf, NTHREADS * SR_INCS);
		for (int th = 0; th < NTHREADS && !failure[0]; th++)
			for (int i = 0; i < SR_STORES && !failure[0]; i++)
				if (buf[sr_word(th, i)] != (uint32_t)(r << 24 | th << 16 | i))
					snprintf(failure, sizeof(failure),
						 "round %d: thread %d store %d: 0x%x", r, th, i,
						 buf[sr_word(th, i)]);
		for (size_t w = 2; w < SZ_2M / 4 && !failure[0]; w++)
			if ((w - 2) % 255 && buf[w])
				snprintf(failure, sizeof(failure),
					 "round %d: word %zu written: 0x%x", r, w, buf[w]);
	}
	thr_join_check(t, NTHREADS);
	igt_assert_f(!failure[0], "%s\n", failure);
	igt_info("%d rounds of %d threads on one 2M range in %.2fs, %llu migrations to VRAM\n",
		 rounds, NTHREADS, svmgpu_now_s() - t0,
		 (unsigned long long)(counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM) - mig));
	for (int i = 0; i < NTHREADS; i++)
		thr_teardown(&t[i]);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	munmap(buf, SZ_2M);
}

/* ---- 6. processes ---- */

#define NPROCS 4

static void proc_private(int child, void *arg)
{
	size_t size = 4 * SZ_1M;
	struct ctx c;
	uint8_t *p, *src, *exp;

	(void)arg;
	ctx_open(&c, 0);
	p = svmgpu_map_anon_aligned(size);
	src = svmgpu_map_anon(size);
	exp = malloc(size);
	igt_assert(exp);
	for (int r = 0; r < 6; r++) {
		uint32_t seed = child << 8 | r;

		svmgpu_fill_words(src, size, seed);
		memcpy(exp, src, size);
		svmgpu_cmd_copy(c.b, p, src, size);
		for (int i = 0; i < 16; i++) {
			svmgpu_cmd_store32(c.b, p + i * (size / 16) + 4 * r, seed);
			memcpy(exp + i * (size / 16) + 4 * r, &seed, 4);
		}
		run_ok(&c);
		if (r & 1)
			igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, p, size,
						      DRM_SVMGPU_REGION_DEVICE), 0);
		check_bytes("child buffer", p, exp, size);
	}
	munmap(p, size);
	munmap(src, size);
	free(exp);
	ctx_close(&c);
}

static void test_processes_private(void)
{
	double t0 = svmgpu_now_s();

	igt_fork(NPROCS, proc_private, NULL);
	igt_info("%d processes in %.2fs\n", NPROCS, svmgpu_now_s() - t0);
}

static uint32_t shared_value(int child, size_t i)
{
	return svmgpu_hash32(0x5a5a00 + child, i);
}

static void proc_shared(int child, void *arg)
{
	uint8_t *s = arg, *part = s + child * SZ_1M, *src;
	struct ctx c;

	ctx_open(&c, 0);
	src = svmgpu_map_anon(SZ_1M);
	for (size_t i = 0; i < SZ_1M / 4; i++)
		((uint32_t *)src)[i] = shared_value(child, i);
	svmgpu_cmd_fill32(c.b, part, SZ_1M, 0xffffffff);
	svmgpu_cmd_copy(c.b, part, src, SZ_1M);
	run_ok(&c);
	check_bytes("own part of the shared buffer", part, src, SZ_1M);
	munmap(src, SZ_1M);
	ctx_close(&c);
}

static void test_processes_shared_anon(void)
{
	size_t size = NPROCS * SZ_1M;
	uint8_t *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t sum = 0;

	igt_assert(s != MAP_FAILED);
	/* The parent's GPU maps the shared pages first. */
	svmgpu_cmd_fill32(g.b, s, size, 0x01010101);
	run_ok(&g);

	igt_fork(NPROCS, proc_shared, s);

	for (int c = 0; c < NPROCS; c++) {
		for (size_t i = 0; i < SZ_1M / 4; i++) {
			uint32_t want = shared_value(c, i), got = ((uint32_t *)(s + c * SZ_1M))[i];

			igt_assert_f(got == want, "child %d word %zu: 0x%x, expected 0x%x\n", c, i,
				     got, want);
			sum += want;
		}
	}
	/* The parent's GPU sees the children's writes too. */
	res[0] = 0;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, s, size / 4, &res[0]);
	run_ok(&g);
	igt_assert_eq_u64(res[0], sum);
	munmap(s, size);
}

/* ---- 7. CPU/GPU ping-pong ---- */

static const enum drm_svmgpu_stat pp_stats[] = {
	DRM_SVMGPU_STAT_GPU_FAULTS, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM,
	DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB,
	DRM_SVMGPU_STAT_INVALIDATIONS,
};

static const char *const pp_stat_names[] = {
	"gpu_faults", "migrations_to_vram", "copy_to_vram_kib", "copy_to_ram_kib",
	"invalidations",
};

static void pingpong(void *arg)
{
	const unsigned int shift = *(const unsigned int *)arg;
	const int rounds = 200;
	uint64_t *p = svmgpu_map_anon_aligned(SZ_2M), *c = p + 64, expected = 0;
	struct drm_svmgpu_stats s0, s1;
	double t0;

	igt_assert_eq(vm_madvise(&g, p, SZ_2M, DRM_SVMGPU_MADVISE_GRANULARITY, 0, shift), 0);
	memset(p, 0, SZ_2M);
	svmgpu_stats(g.fd, &s0);
	t0 = svmgpu_now_s();
	for (int r = 0; r < rounds; r++) {
		/* GPU: increment, report the old value, store the round number. */
		svmgpu_cmd_atomic(g.b, DRM_SVMGPU_ATOMIC_INC, true, c, 0, 0, &c[1]);
		svmgpu_cmd_store64(g.b, &c[2], r);
		run_ok(&g);
		igt_assert_eq_u64(c[1], expected);
		expected++;
		igt_assert_eq_u64(c[0], expected);
		igt_assert_eq_u64(c[2], r);
		/* CPU: its own update, which the next GPU increment must see. */
		c[0] += 1000;
		expected += 1000;
	}
	svmgpu_stats(g.fd, &s1);
	igt_assert_eq_u64(c[0], rounds * 1001ull);
	igt_info("%d rounds, granularity %uK: %.2fs", rounds, (1u << shift) >> 10, svmgpu_now_s() - t0);
	for (size_t i = 0; i < sizeof(pp_stats) / sizeof(pp_stats[0]); i++)
		igt_info(", %s %llu", pp_stat_names[i],
			 (unsigned long long)(s1.counters[pp_stats[i]] - s0.counters[pp_stats[i]]));
	igt_info("\n");
	munmap(p, SZ_2M);
}

static void test_pingpong(void)
{
	static const unsigned int shifts[] = { 12, 16, 21 };

	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++)
		igt_dynamic_f(pingpong, (void *)&shifts[i], shifts[i] < 20 ? "%uk" : "%um",
			      shifts[i] < 20 ? (1u << shifts[i]) >> 10 : (1u << shifts[i]) >> 20);
}

/* ---- 9. fallbacks: VRAM allocation and migration copies fail ---- */

#define MAX_KNOBS 16

struct knobs {
	int n;
	char path[MAX_KNOBS][PATH_MAX];
};

/* Every svmgpu debugfs fault-injection file called @name (once per device). */
static void find_knobs(struct knobs *k, const char *name)
{
	DIR *d = opendir("/sys/kernel/debug/dri");
	struct dirent *e;

	k->n = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && k->n < MAX_KNOBS) {
		char path[PATH_MAX], real[PATH_MAX];
		bool dup = false;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%s/%s", e->d_name, name);
		if (access(path, W_OK) || !realpath(path, real))
			continue;
		for (int i = 0; i < k->n; i++)
			dup |= !strcmp(k->path[i], real);
		if (!dup)
			strcpy(k->path[k->n++], real);
	}
	closedir(d);
}

static void knobs_set(const struct knobs *k, long v)
{
	for (int i = 0; i < k->n; i++)
		svmgpu_write_long(k->path[i], v);
}

static long knobs_sum(const struct knobs *k)
{
	long s = 0;

	for (int i = 0; i < k->n; i++)
		s += svmgpu_read_long(k->path[i]);
	return s;
}

static void require_knobs(struct knobs *k, const char *name)
{
	find_knobs(k, name);
	igt_require_f(k->n > 0,
		      "no %s fault-injection file in /sys/kernel/debug/dri/*/ (debugfs not "
		      "mounted, not root, or a driver without fault injection)\n", name);
}

/* No VRAM can be allocated: GPU faults and prefetch settle for RAM, data intact. */
static void fallback_vram_alloc(void *arg)
{
	const long armed = 1000000;
	size_t size = 4 * SZ_1M;
	uint8_t *p = svmgpu_map_anon_aligned(size), *exp = malloc(size);
	uint64_t mig0, mig1;
	struct knobs k;
	int e1, e2;
	long left;

	(void)arg;
	require_knobs(&k, "fail_vram_alloc");
	igt_assert(exp);
	svmgpu_fill_words(p, size, 0xfa11);
	memcpy(exp, p, size);

	mig0 = counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	knobs_set(&k, armed);
	res[0] = 0;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &res[0]);
	svmgpu_cmd_fill32(g.b, p + SZ_1M, 2 * SZ_1M, 0xfa11fa11);
	e1 = run_on(&g, g.q);
	e2 = svmgpu_prefetch(g.fd, g.vm, p, size, DRM_SVMGPU_REGION_DEVICE);
	left = knobs_sum(&k);
	knobs_set(&k, 0);
	mig1 = counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);

	igt_info("VRAM allocations refused: %ld\n", armed * k.n - left);
	igt_assert_eq(e1, 0);
	igt_assert_eq(e2, 0);
	igt_assert_lt(left, armed * k.n);	/* the fallback path ran */
	igt_assert_eq_u64(mig1, mig0);
	igt_assert_eq_u64(res[0], sum_u32(exp, size));
	set_words(exp + SZ_1M, 2 * SZ_1M, 0xfa11fa11);
	check_bytes("buffer after faults without VRAM", p, exp, size);

	/* VRAM is back: prefetch migrates again. */
	igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_lt(mig1, counter(g.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	check_bytes("buffer after prefetch", p, exp, size);
	munmap(p, size);
	free(exp);
}

/* The first migrate job of a GPU fault (the VRAM clear) fails: data stays intact. */
static void fallback_copy_to_vram(void *arg)
{
	size_t size = SZ_2M;
	uint8_t *p = svmgpu_map_anon_aligned(size), *exp = malloc(size);
	struct knobs k;
	long left;
	int e;

	(void)arg;
	require_knobs(&k, "fail_copy");
	igt_assert(exp);
	svmgpu_fill_words(p, size, 0xc0b1);
	memcpy(exp, p, size);

	knobs_set(&k, 1);
	res[0] = 0;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &res[0]);
	svmgpu_cmd_fill32(g.b, p + SZ_64K, SZ_64K, 0xc0b1c0b1);
	e = run_on(&g, g.q);
	left = knobs_sum(&k);
	knobs_set(&k, 0);

	igt_assert_eq(e, 0);
	igt_assert_f(left < k.n, "no migrate job ran, the injected failure was not hit\n");
	igt_assert_eq_u64(res[0], sum_u32(exp, size));
	set_words(exp + SZ_64K, SZ_64K, 0xc0b1c0b1);
	check_bytes("buffer after a failed migration", p, exp, size);
	munmap(p, size);
	free(exp);
}

/* Data in VRAM; the first copy back to RAM fails: prefetch to system retries, data intact. */
static void fallback_copy_to_ram(void *arg)
{
	size_t size = SZ_2M;
	uint8_t *p = svmgpu_map_anon_aligned(size), *exp = malloc(size);
	struct knobs k;
	long left;
	int e;

	(void)arg;
	require_knobs(&k, "fail_copy");
	igt_assert(exp);
	svmgpu_fill_words(p, size, 0xc0b2);
	memcpy(exp, p, size);
	igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);

	knobs_set(&k, 1);
	e = svmgpu_prefetch(g.fd, g.vm, p, size, DRM_SVMGPU_REGION_SYSTEM);
	left = knobs_sum(&k);
	knobs_set(&k, 0);

	igt_info("prefetch to system with one failing copy: %d\n", e);
	igt_assert_eq(e, 0);
	igt_assert_f(left < k.n, "no migrate job ran, the injected failure was not hit\n");
	res[0] = 0;
	svmgpu_cmd_reduce(g.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &res[0]);
	run_ok(&g);
	igt_assert_eq_u64(res[0], sum_u32(exp, size));
	check_bytes("buffer after a failed copy to RAM", p, exp, size);
	munmap(p, size);
	free(exp);
}

static void test_fallback(void)
{
	struct drm_svmgpu_device_info info;

	svmgpu_query_info(g.fd, &info);
	igt_require_f(info.features & DRM_SVMGPU_FEATURE_DEVMEM, "device without VRAM\n");
	igt_dynamic("vram-alloc-fails", fallback_vram_alloc, NULL);
	igt_dynamic("copy-to-vram-fails", fallback_copy_to_vram, NULL);
	igt_dynamic("copy-to-ram-fails", fallback_copy_to_ram, NULL);
}

/* ---- 8. eviction under VRAM overcommit ---- */

#define CHUNK_WORDS (SZ_2M / 4)

static uint32_t chunk_base(uint32_t seed, size_t ch)
{
	return seed << 28 | (uint32_t)ch << 19;
}

struct evict_sync {
	int arrived;
};

static void sync_arrive(struct evict_sync *s, int parties)
{
	double t0 = svmgpu_now_s();

	__atomic_add_fetch(&s->arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->arrived, __ATOMIC_SEQ_CST) < parties) {
		igt_assert_f(svmgpu_now_s() - t0 < 120, "the other process never arrived\n");
		usleep(1000);
	}
}

/*
 * @total bytes in 2M chunks, each with its own pattern, all prefetched to
 * VRAM, checked by the GPU (sums, a sampled page) and by the CPU. Returns the
 * evictions counted while the chunks were prefetched.
 */
static uint64_t evict_run(struct ctx *c, size_t total, uint32_t seed, struct evict_sync *s,
			  int parties)
{
	size_t n = total / SZ_2M;
	uint32_t *buf = svmgpu_map_anon_aligned(total);
	uint64_t *sums = svmgpu_map_anon(ALIGN_UP(n * 8, SZ_4K));
	uint32_t *samples = svmgpu_map_anon(n * SZ_4K);
	uint64_t ev0, ev1, ev2, mig0, mig1, tri = (uint64_t)CHUNK_WORDS * (CHUNK_WORDS - 1) / 2;
	double t0 = svmgpu_now_s(), t1, t2, t3;

	keep_in_ram(c, sums, ALIGN_UP(n * 8, SZ_4K));
	keep_in_ram(c, samples, n * SZ_4K);
	for (size_t ch = 0; ch < n; ch++) {
		uint32_t *w = buf + ch * CHUNK_WORDS, base = chunk_base(seed, ch);

		for (uint32_t i = 0; i < CHUNK_WORDS; i++)
			w[i] = base + i;
	}
	t1 = svmgpu_now_s();
	ev0 = counter(c->fd, DRM_SVMGPU_STAT_EVICTIONS);
	mig0 = counter(c->fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	for (size_t ch = 0; ch < n; ch++)
		igt_assert_eq(svmgpu_prefetch(c->fd, c->vm, buf + ch * CHUNK_WORDS, SZ_2M,
					      DRM_SVMGPU_REGION_DEVICE), 0);
	ev1 = counter(c->fd, DRM_SVMGPU_STAT_EVICTIONS);
	mig1 = counter(c->fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	t2 = svmgpu_now_s();
	/* A prefetch that could not migrate falls back to RAM silently: count them. */
	igt_assert_f(mig1 - mig0 >= n, "%llu migrations to VRAM for %zu chunks prefetched\n",
		     (unsigned long long)(mig1 - mig0), n);
	if (s)
		sync_arrive(s, parties);

	for (size_t ch = 0; ch < n; ch++) {
		uint32_t *w = buf + ch * CHUNK_WORDS;

		svmgpu_cmd_reduce(c->b, DRM_SVMGPU_REDUCE_SUM_U32, w, CHUNK_WORDS, &sums[ch]);
		svmgpu_cmd_copy(c->b, samples + ch * (SZ_4K / 4), w + (ch * 37 % 512) * (SZ_4K / 4),
				SZ_4K);
	}
	run_ok(c);
	for (size_t ch = 0; ch < n; ch++) {
		uint32_t base = chunk_base(seed, ch), first = (ch * 37 % 512) * (SZ_4K / 4);

		igt_assert_f(sums[ch] == (uint64_t)CHUNK_WORDS * base + tri,
			     "chunk %zu: GPU sum 0x%llx, expected 0x%llx\n", ch,
			     (unsigned long long)sums[ch],
			     (unsigned long long)((uint64_t)CHUNK_WORDS * base + tri));
		for (uint32_t i = 0; i < SZ_4K / 4; i++)
			igt_assert_f(samples[ch * (SZ_4K / 4) + i] == base + first + i,
				     "chunk %zu: GPU copy word %u: 0x%x\n", ch, i,
				     samples[ch * (SZ_4K / 4) + i]);
	}
	t3 = svmgpu_now_s();
	for (size_t ch = 0; ch < n; ch++) {
		uint32_t *w = buf + ch * CHUNK_WORDS, base = chunk_base(seed, ch);

		for (uint32_t i = 0; i < CHUNK_WORDS; i++)
			igt_assert_f(w[i] == base + i, "chunk %zu word %u: 0x%x, expected 0x%x\n",
				     ch, i, w[i], base + i);
	}
	ev2 = counter(c->fd, DRM_SVMGPU_STAT_EVICTIONS);
	igt_info("%zu MiB: CPU fill %.2fs, prefetch %.2fs (%llu evictions), GPU check %.2fs, "
		 "CPU check %.2fs (%llu evictions in all)\n", total >> 20, t1 - t0, t2 - t1,
		 (unsigned long long)(ev1 - ev0), t3 - t2, svmgpu_now_s() - t3,
		 (unsigned long long)(ev2 - ev0));
	munmap(buf, total);
	munmap(sums, ALIGN_UP(n * 8, SZ_4K));
	munmap(samples, n * SZ_4K);
	return ev1 - ev0;
}

static uint64_t vram_size_or_skip(void)
{
	struct drm_svmgpu_device_info info;

	svmgpu_query_info(g.fd, &info);
	igt_require_f(info.features & DRM_SVMGPU_FEATURE_DEVMEM, "device without VRAM\n");
	igt_require_f(info.vram_size && info.vram_size <= 512 * SZ_1M,
		      "VRAM of %llu MiB: overcommitting it takes too long (want <= 512 MiB)\n",
		      (unsigned long long)(info.vram_size >> 20));
	return info.vram_size;
}

static void test_evict_overcommit(void)
{
	uint64_t vram = vram_size_or_skip();

	/* Half the chunks cannot fit: at least that many allocations were evicted. */
	igt_assert_lte(vram / SZ_2M, evict_run(&g, 2 * vram, 1, NULL, 0));
}

struct evict2_arg {
	size_t total;
	struct evict_sync *s;
};

static void evict_child(int child, void *arg)
{
	struct evict2_arg *a = arg;
	struct ctx c;

	ctx_open(&c, 0);
	evict_run(&c, a->total, 2 + child, a->s, 2);
	ctx_close(&c);
}

static void test_evict_overcommit_2proc(void)
{
	uint64_t vram = vram_size_or_skip(), ev0;
	struct evict2_arg a = {
		/* 1.5x VRAM between the two. */
		.total = ALIGN_UP(vram * 3 / 4, SZ_2M),
		.s = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
	};

	igt_assert(a.s != MAP_FAILED);
	ev0 = counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS);
	igt_fork(2, evict_child, &a);
	/* 1.5x VRAM prefetched before either went on: 0.5x VRAM at least was evicted. */
	igt_assert_lte(ev0 + (2 * a.total - vram) / SZ_2M, counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS));
	munmap(a.s, SZ_4K);
}

/* Bytes of VRAM in use on all devices, from debugfs "vram"; skips without it. */
static uint64_t vram_used_all(void)
{
	uint64_t used = 0;
	struct knobs k;

	find_knobs(&k, "vram");
	igt_require_f(k.n > 0, "no debugfs vram file (debugfs not mounted, or not root)\n");
	for (int i = 0; i < k.n; i++) {
		long long u = svmgpu_debugfs_read(k.path[i], "used");

		igt_assert_f(u >= 0, "%s: no used\n", k.path[i]);
		used += u;
	}
	return used;
}

/*
 * VRAM full with X then Y; the GPU then writes X, which binds X again. A third
 * buffer Z of the same size must evict the least recently bound one, Y: the
 * CPU reading Y afterwards copies nothing back, reading X copies all of X.
 */
static void test_evict_lru(void)
{
	uint64_t vram = vram_size_or_skip(), ev0, ram0, ram1, ram2;
	size_t size = vram / 2, words = size / 4;
	uint32_t *x = svmgpu_map_anon_aligned(size), *y = svmgpu_map_anon_aligned(size);
	uint32_t *z = svmgpu_map_anon_aligned(size);

	double t0 = svmgpu_now_s();

	/* Processes that just exited may still be releasing their VRAM. */
	while (vram_used_all()) {
		igt_assert_f(svmgpu_now_s() - t0 < 30, "VRAM still in use after 30 s: %" PRIu64 " bytes\n",
			     vram_used_all());
		usleep(10000);
	}
	for (size_t i = 0; i < words; i++) {
		x[i] = 0x10000000u + (uint32_t)i;
		y[i] = 0x20000000u + (uint32_t)i;
		z[i] = 0x30000000u + (uint32_t)i;
	}
	ev0 = counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS);
	igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, x, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, y, size, DRM_SVMGPU_REGION_DEVICE), 0);
	/* Prefetch maps read-only: these writes fault, bind X again and bump it. */
	svmgpu_cmd_fill32(g.b, x, size, 0x5a5a5a5au);
	run_ok(&g);
	igt_assert_eq_u64(counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS), ev0);

	ev0 = counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS);
	ram0 = counter(g.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	igt_assert_eq(svmgpu_prefetch(g.fd, g.vm, z, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_lte(ev0 + size / SZ_2M, counter(g.fd, DRM_SVMGPU_STAT_EVICTIONS));
	ram1 = counter(g.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	igt_assert_lte(ram0 + (size >> 10), ram1);

	for (size_t i = 0; i < words; i++)
		igt_assert_f(y[i] == 0x20000000u + (uint32_t)i, "Y word %zu: 0x%x\n", i, y[i]);
	ram2 = counter(g.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	for (size_t i = 0; i < words; i++)
		igt_assert_f(x[i] == 0x5a5a5a5au, "X word %zu: 0x%x\n", i, x[i]);
	igt_info("KiB copied to RAM: evicting for Z %llu, reading Y %llu, reading X %llu\n",
		 (unsigned long long)(ram1 - ram0), (unsigned long long)(ram2 - ram1),
		 (unsigned long long)(counter(g.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB) - ram2));
	igt_assert_f(counter(g.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB) >= ram2 + (size >> 10),
		     "reading X copied less than X back: X had been evicted\n");
	igt_assert_f(ram2 == ram1, "reading Y copied %llu KiB back: Y was not the one evicted\n",
		     (unsigned long long)(ram2 - ram1));
	for (size_t i = 0; i < words; i++)
		igt_assert_f(z[i] == 0x30000000u + (uint32_t)i, "Z word %zu: 0x%x\n", i, z[i]);
	munmap(x, size);
	munmap(y, size);
	munmap(z, size);
}

/* ---- 10. several devices ---- */

static uint64_t peer_mask(int fd)
{
	struct drm_svmgpu_device_info info;

	svmgpu_query_info(fd, &info);
	return info.peer_mask;
}

enum md_mode {
	MD_THROUGH_RAM,		/* no interconnect: A's VRAM -> RAM -> B's VRAM */
	MD_PEER_MIGRATE,	/* interconnect: A's VRAM -> B's VRAM, no RAM */
	MD_PEER_MAP,		/* interconnect, B without VRAM: B maps A's VRAM */
};

struct md_case {
	enum md_mode mode;
	int a, b;
};

static uint64_t copies_kib(int fd)
{
	return counter(fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB) +
	       counter(fd, DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB) +
	       counter(fd, DRM_SVMGPU_STAT_COPY_TO_PEER_KIB);
}

/*
 * Device A writes a buffer and takes it into its VRAM; device B reads and
 * updates it; A reads it again. How the data moved is read from both
 * devices' copy counters; what it is, from both GPUs and the CPU.
 */
static void md_dyn(void *arg)
{
	const struct md_case *mc = arg;
	size_t size = 4 * SZ_1M;
	uint64_t *r = svmgpu_map_anon(SZ_4K), a_ram, a_peer, b_ram, b_mig, a_all, b_all;
	uint8_t *p = svmgpu_map_anon_aligned(size), *exp = malloc(size);
	struct ctx a, b;
	struct knobs k;

	igt_assert(exp);
	ctx_open(&a, mc->a);
	ctx_open(&b, mc->b);
	keep_in_ram(&a, r, SZ_4K);
	keep_in_ram(&b, r, SZ_4K);
	if (mc->mode == MD_PEER_MAP)
		require_knobs(&k, "fail_vram_alloc");

	svmgpu_fill_words(p, size, 0xab);
	memcpy(exp, p, size);
	svmgpu_cmd_fill32(a.b, p + SZ_1M, 2 * SZ_1M, 0xaaaa0001);
	run_ok(&a);
	set_words(exp + SZ_1M, 2 * SZ_1M, 0xaaaa0001);
	igt_assert_eq(svmgpu_prefetch(a.fd, a.vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);

	a_ram = counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	a_peer = counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_PEER_KIB);
	b_ram = counter(b.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	b_mig = counter(b.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	a_all = copies_kib(a.fd);
	b_all = copies_kib(b.fd);
	if (mc->mode == MD_PEER_MAP)
		knobs_set(&k, 1000000);
	r[0] = r[1] = 0;
	svmgpu_cmd_reduce(b.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &r[0]);
	svmgpu_cmd_fill32(b.b, p + SZ_512K, SZ_64K, 0xbbbb0002);
	svmgpu_cmd_store32(b.b, p + 3 * SZ_1M + 8, 0xbbbb0003);
	svmgpu_cmd_atomic(b.b, DRM_SVMGPU_ATOMIC_ADD, false, p + 2 * SZ_1M, 5, 0, NULL);
	run_ok(&b);
	if (mc->mode == MD_PEER_MAP)
		knobs_set(&k, 0);
	igt_assert_eq_u64(r[0], sum_u32(exp, size));
	set_words(exp + SZ_512K, SZ_64K, 0xbbbb0002);
	set_words(exp + 3 * SZ_1M + 8, 4, 0xbbbb0003);
	set_words(exp + 2 * SZ_1M, 4, 0xaaaa0001 + 5);
	igt_info("B's access: A copied %llu KiB to RAM, %llu KiB to B; B migrated %llu ranges\n",
		 (unsigned long long)(counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB) - a_ram),
		 (unsigned long long)(counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_PEER_KIB) - a_peer),
		 (unsigned long long)(counter(b.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM) - b_mig));

	switch (mc->mode) {
	case MD_THROUGH_RAM:
		/* Everything B touched left A's VRAM for RAM first. */
		igt_assert_lte(a_ram + size / 1024, counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB));
		igt_assert_lt(b_mig, counter(b.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
		break;
	case MD_PEER_MIGRATE:
		/* A's engine wrote B's VRAM directly: nothing went to RAM. */
		igt_assert_eq_u64(counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB), a_ram);
		igt_assert_eq_u64(counter(b.fd, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB), b_ram);
		igt_assert_lte(a_peer + size / 1024,
			       counter(a.fd, DRM_SVMGPU_STAT_COPY_TO_PEER_KIB));
		igt_assert_lt(b_mig, counter(b.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
		break;
	case MD_PEER_MAP:
		/* B worked in A's VRAM: no copy at all, on either device. */
		igt_assert_eq_u64(copies_kib(a.fd), a_all);
		igt_assert_eq_u64(copies_kib(b.fd), b_all);
		igt_assert_eq_u64(counter(b.fd, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), b_mig);
		break;
	}

	/* A's GPU sees B's update, wherever the data is now. */
	svmgpu_cmd_reduce(a.b, DRM_SVMGPU_REDUCE_SUM_U32, p, size / 4, &r[1]);
	run_ok(&a);
	igt_assert_eq_u64(r[1], sum_u32(exp, size));
	check_bytes("buffer after A, B, A", p, exp, size);

	ctx_close(&b);
	ctx_close(&a);
	munmap(r, SZ_4K);
	munmap(p, size);
	free(exp);
}

/* Every kind of device pair the loaded devices offer, as a dynamic subtest. */
static void test_multi_device(void)
{
	int ndev = svmgpu_count_devices(), fds[SVMGPU_MAX_DEVICES];
	struct md_case cases[3];
	uint64_t mask[SVMGPU_MAX_DEVICES];
	int n = 0, plain = -1, peer = -1;

	igt_require_f(ndev >= 2, "%d svmgpu device(s): load with num_devices=2 or more\n", ndev);
	for (int i = 0; i < ndev; i++) {
		fds[i] = svmgpu_open(i);
		igt_assert(fds[i] >= 0);
		mask[i] = peer_mask(fds[i]);
		close(fds[i]);
	}
	for (int i = 1; i < ndev; i++) {
		/* Symmetric, and every device is its own peer. */
		igt_assert(mask[i] & (1ull << i));
		igt_assert_eq(!!(mask[0] & (1ull << i)), !!(mask[i] & 1));
		if (mask[0] & (1ull << i))
			peer = peer < 0 ? i : peer;
		else
			plain = plain < 0 ? i : plain;
	}
	if (plain > 0) {
		cases[n] = (struct md_case){ .mode = MD_THROUGH_RAM, .a = 0, .b = plain };
		igt_dynamic_f(md_dyn, &cases[n], "through-ram-%d-%d", 0, plain);
		n++;
	}
	if (peer > 0) {
		cases[n] = (struct md_case){ .mode = MD_PEER_MIGRATE, .a = 0, .b = peer };
		igt_dynamic_f(md_dyn, &cases[n], "interconnect-migrate-%d-%d", 0, peer);
		n++;
		cases[n] = (struct md_case){ .mode = MD_PEER_MAP, .a = 0, .b = peer };
		igt_dynamic_f(md_dyn, &cases[n], "interconnect-map-%d-%d", 0, peer);
		n++;
	}
}

/* ---- 11. fork ---- */

#define FORK_SIZE (4 * SZ_1M)

enum fork_mode {
	FORK_CHILD_WRITES,	/* the child's new VM writes, then the parent's old one */
	FORK_PARENT_NEW_VM,	/* the parent writes through a VM created after fork */
};

struct fork_state {
	enum fork_mode mode;
	uint8_t *p, *exp;	/* the buffer, and its contents at fork */
	int to_child[2], to_parent[2];
};

static void wait_peer(int fd)
{
	char c;

	igt_assert_f(read(fd, &c, 1) == 1, "the other side of the fork is gone\n");
}

static void tell_peer(int fd)
{
	igt_assert_eq(write(fd, "x", 1), 1);
}

/* GPU sums of both 2M halves of the buffer, to be compared with @exp's. */
static void gpu_check_halves(struct ctx *c, uint64_t *r, const uint8_t *p, const uint8_t *exp,
			     const char *who)
{
	r[0] = r[1] = 0;
	svmgpu_cmd_reduce(c->b, DRM_SVMGPU_REDUCE_SUM_U32, p, SZ_2M / 4, &r[0]);
	svmgpu_cmd_reduce(c->b, DRM_SVMGPU_REDUCE_SUM_U32, p + SZ_2M, SZ_2M / 4, &r[1]);
	run_ok(c);
	for (int h = 0; h < 2; h++)
		igt_assert_f(r[h] == sum_u32(exp + h * SZ_2M, SZ_2M),
			     "%s: the GPU sum of half %d is 0x%llx, expected 0x%llx\n", who, h,
			     (unsigned long long)r[h],
			     (unsigned long long)sum_u32(exp + h * SZ_2M, SZ_2M));
}

/*
 * The child: opens its own VM. Phase 1: it writes (GPU and CPU) and the
 * parent looks; phase 2: the parent writes and the child looks.
 */
static void fork_child(struct fork_state *fs)
{
	uint8_t *p = fs->p, *exp = fs->exp;
	struct ctx d;
	uint64_t *r;

	close(fs->to_child[1]);
	close(fs->to_parent[0]);
	ctx_open(&d, 0);
	r = svmgpu_map_anon(SZ_4K);
	keep_in_ram(&d, r, SZ_4K);

	if (fs->mode == FORK_PARENT_NEW_VM) {
		wait_peer(fs->to_child[0]);	/* the parent has written */
		check_bytes("child's view after the parent wrote through a VM created after fork",
			    p, exp, FORK_SIZE);
		gpu_check_halves(&d, r, p, exp, "child, after the parent's writes");
		munmap(r, SZ_4K);
		ctx_close(&d);
		return;
	}

	/* The child's GPU sees the memory as it was at fork. */
	gpu_check_halves(&d, r, p, exp, "child, at fork");
	svmgpu_cmd_fill32(d.b, p + 4 * SZ_64K, SZ_64K, 0xc4114003);
	svmgpu_cmd_store32(d.b, p + SZ_2M + 0x200, 0xbbbb0001);
	run_ok(&d);
	*(uint32_t *)(p + SZ_2M + 0x3000) = 0xbbbb0002;
	set_words(exp + 4 * SZ_64K, SZ_64K, 0xc4114003);
	set_words(exp + SZ_2M + 0x200, 4, 0xbbbb0001);
	set_words(exp + SZ_2M + 0x3000, 4, 0xbbbb0002);
	check_bytes("child's view after its own writes", p, exp, FORK_SIZE);
	tell_peer(fs->to_parent[1]);

	wait_peer(fs->to_child[0]);	/* the parent has written */
	check_bytes("child's view after the parent's writes", p, exp, FORK_SIZE);
	gpu_check_halves(&d, r, p, exp, "child, after the parent's writes");
	munmap(r, SZ_4K);
	ctx_close(&d);
}

/* The parent: GPU access before fork, then after it, isolated from the child. */
static void fork_parent(int child, void *arg)
{
	struct fork_state fs = { .mode = *(enum fork_mode *)arg };
	struct ctx c;
	uint8_t *pexp;
	uint64_t *r;
	int status;
	pid_t pid;

	(void)child;
	ctx_open(&c, 0);
	r = svmgpu_map_anon(SZ_4K);
	keep_in_ram(&c, r, SZ_4K);
	fs.p = svmgpu_map_anon_aligned(FORK_SIZE);
	fs.exp = malloc(FORK_SIZE);
	pexp = malloc(FORK_SIZE);
	igt_assert(fs.exp && pexp);
	svmgpu_fill_words(fs.p, FORK_SIZE, 0xf0f0);
	memcpy(fs.exp, fs.p, FORK_SIZE);

	/* Before fork: the first half written by the GPU, the second prefetched; both in VRAM. */
	svmgpu_cmd_fill32(c.b, fs.p, SZ_2M, 0x0f0f0001);
	run_ok(&c);
	set_words(fs.exp, SZ_2M, 0x0f0f0001);
	igt_assert_eq(svmgpu_prefetch(c.fd, c.vm, fs.p + SZ_2M, SZ_2M,
				      DRM_SVMGPU_REGION_DEVICE), 0);
	memcpy(pexp, fs.exp, FORK_SIZE);
	igt_assert_eq(pipe(fs.to_child), 0);
	igt_assert_eq(pipe(fs.to_parent), 0);

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		fork_child(&fs);
		_exit(0);
	}
	close(fs.to_child[0]);
	close(fs.to_parent[1]);

	if (fs.mode == FORK_PARENT_NEW_VM) {
		struct ctx n;

		/* A VM that did not exist at fork writes; the child must not see it. */
		ctx_open(&n, 0);
		svmgpu_cmd_fill32(n.b, fs.p + 2 * SZ_64K, SZ_64K, 0x9a9e4002);
		svmgpu_cmd_store32(n.b, fs.p + SZ_2M + 0x100, 0xaaaa0001);
		run_ok(&n);
		ctx_close(&n);
		set_words(pexp + 2 * SZ_64K, SZ_64K, 0x9a9e4002);
		set_words(pexp + SZ_2M + 0x100, 4, 0xaaaa0001);
		check_bytes("parent's view after its writes through a new VM", fs.p, pexp,
			    FORK_SIZE);
		gpu_check_halves(&c, r, fs.p, pexp, "parent, after its writes through a new VM");
		tell_peer(fs.to_child[1]);
		goto wait_child;
	}

	/* Phase 1: the child has written; none of it shows here, to the CPU or the GPU. */
	wait_peer(fs.to_parent[0]);
	check_bytes("parent's view after the child's writes", fs.p, pexp, FORK_SIZE);
	gpu_check_halves(&c, r, fs.p, pexp, "parent, after the child's writes");

	/* Phase 2: the parent's GPU and CPU write; the child must not see it. */
	svmgpu_cmd_fill32(c.b, fs.p + 2 * SZ_64K, SZ_64K, 0x9a9e4002);
	svmgpu_cmd_store32(c.b, fs.p + SZ_2M + 0x100, 0xaaaa0001);
	run_ok(&c);
	*(uint32_t *)(fs.p + SZ_2M + 0x2000) = 0xaaaa0002;
	set_words(pexp + 2 * SZ_64K, SZ_64K, 0x9a9e4002);
	set_words(pexp + SZ_2M + 0x100, 4, 0xaaaa0001);
	set_words(pexp + SZ_2M + 0x2000, 4, 0xaaaa0002);
	gpu_check_halves(&c, r, fs.p, pexp, "parent, after its own writes");
	tell_peer(fs.to_child[1]);

wait_child:
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the forked child failed (status 0x%x)\n", status);
	/* Still the parent's own data once the child is gone. */
	gpu_check_halves(&c, r, fs.p, pexp, "parent, after the child exited");
	check_bytes("parent's view after the child exited", fs.p, pexp, FORK_SIZE);
	close(fs.to_child[1]);
	close(fs.to_parent[0]);
	munmap(fs.p, FORK_SIZE);
	munmap(r, SZ_4K);
	free(fs.exp);
	free(pexp);
	ctx_close(&c);
}

static void fork_dyn(void *arg)
{
	/* In an igt_fork() child, so that both sides of the fork may assert. */
	igt_fork(1, fork_parent, arg);
}

static void test_fork(void)
{
	static const enum fork_mode child_writes = FORK_CHILD_WRITES;
	static const enum fork_mode parent_new_vm = FORK_PARENT_NEW_VM;

	igt_dynamic("child-writes", fork_dyn, (void *)&child_writes);
	igt_dynamic("parent-new-vm-writes", fork_dyn, (void *)&parent_new_vm);
}

static const struct igt_subtest tests[] = {
	{ "alloc-matrix", test_alloc_matrix,
	  "10 allocation kinds x 6 access patterns: every byte the GPU wrote or left alone, "
	  "checked by the CPU (and by pread for files)" },
	{ "mremap-move", test_mremap_move,
	  "after mremap the GPU reads and writes the data at the new address; the old faults" },
	{ "mremap-dontunmap", test_mremap_dontunmap,
	  "after MREMAP_DONTUNMAP the GPU sees zeroes at the old address, the data at the new" },
	{ "munmap-during-job", test_munmap_during_job,
	  "munmap/free of GPU-touched memory while jobs run: jobs complete, data exact" },
	{ "munmap-halves", test_munmap_halves,
	  "a VRAM-resident 2M range unmapped in two halves 0-3ms apart, 300 times: the VM keeps "
	  "working and its other data is intact" },
	{ "partial", test_partial,
	  "munmap or remap of a 64K piece at the start, middle or end of a GPU-written 2M range "
	  "(VRAM or RAM), the CPU or the GPU reading the rest first: GPU faults on the hole, "
	  "sees zeros in a remap, data around it intact" },
	{ "unaligned", test_unaligned,
	  "GPU copies of 1..65537 bytes at odd offsets: payload exact, neighbours untouched" },
	{ "threads-disjoint", test_threads_disjoint,
	  "4 threads, 4 queues, one VM: disjoint parts of one buffer, exact after every round" },
	{ "threads-same-range", test_threads_same_range,
	  "4 threads fault on the same 2M range at once: every store and increment lands" },
	{ "processes-private", test_processes_private,
	  "4 processes with their own VMs work at once on their own buffers, data exact" },
	{ "processes-shared-anon", test_processes_shared_anon,
	  "4 processes write their parts of a MAP_SHARED buffer; parent CPU and GPU see all" },
	{ "cpu-gpu-pingpong", test_pingpong,
	  "200 rounds of GPU increment / CPU update of one counter: exact final value" },
	{ "fallback", test_fallback,
	  "VRAM allocation or migration copies fail: the GPU works from RAM, data intact" },
	{ "evict-overcommit", test_evict_overcommit,
	  "2x VRAM prefetched chunk by chunk: evictions happen, GPU and CPU see every chunk" },
	{ "evict-overcommit-2proc", test_evict_overcommit_2proc,
	  "2 processes with 0.75x VRAM each in VRAM at once: evictions, data intact in both" },
	{ "evict-lru", test_evict_lru,
	  "VRAM holds X and Y, the GPU writes X: a third buffer evicts Y, not X" },
	{ "multi-device", test_multi_device,
	  "device A's VRAM to device B's: through RAM without an interconnect, directly with one, "
	  "or B mapping A's VRAM: both GPUs and the CPU agree, the copy counters say how" },
	{ "fork-cow", test_fork,
	  "GPU access before and after fork in parent and child (also through a VM created "
	  "after fork): each process sees only its own writes" },
};

IGT_MAIN("SVM across allocation kinds, address-space changes, threads, processes, "
	 "VRAM overcommit, fallbacks, devices and fork", fixture, tests)
