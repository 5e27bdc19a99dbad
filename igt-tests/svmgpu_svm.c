// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_svm: the GPU reads and writes ordinary CPU memory through GPU page
 * faults; data moves to device memory and back; faults the driver cannot
 * resolve fail the job cleanly. Every subtest checks the data from the CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define SZ_4K	4096ul
#define SZ_64K	(64ul << 10)
#define SZ_1M	(1ul << 20)
#define SZ_2M	(2ul << 20)

static int fd = -1;
static uint32_t vm, queue;
static struct svmgpu_batch *batch;

static void fixture(void)
{
	struct drm_svmgpu_madvise m = {
		.flags = DRM_SVMGPU_MADVISE_PREFERRED_LOC,
		.preferred_location = DRM_SVMGPU_PREFERRED_SYSTEM,
	};

	fd = svmgpu_open_or_skip();
	vm = svmgpu_vm_create(fd);
	queue = svmgpu_queue_create(fd, vm);
	batch = svmgpu_batch_new();
	/* Command buffers stay in RAM, so the migration counters count test data only. */
	m.vm_id = vm;
	m.start = (uintptr_t)batch->buf;
	m.range = batch->cap;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, &m), 0);
}

/*
 * Run the command buffer on @q, leaving the buffer empty for the next one.
 * Returns the job's error.
 */
static int run_on(uint32_t q)
{
	int err = svmgpu_exec_wait(fd, q, svmgpu_batch_end(batch));

	svmgpu_batch_reset(batch);
	return err;
}

static uint64_t counter(enum drm_svmgpu_stat s)
{
	struct drm_svmgpu_stats st;

	svmgpu_stats(fd, &st);
	return st.counters[s];
}

/* Run on the shared queue; a failure replaces the (banned) queue for the next subtest. */
static void exec_ok(void)
{
	int err = run_on(queue);

	if (err) {
		svmgpu_queue_destroy(fd, queue);
		queue = svmgpu_queue_create(fd, vm);
	}
	igt_assert_eq(err, 0);
}

static void check_u32(const uint32_t *p, size_t n, uint32_t (*expect)(size_t i))
{
	for (size_t i = 0; i < n; i++)
		igt_assert_f(p[i] == expect(i), "word %zu: 0x%x, expected 0x%x\n", i, p[i],
			     expect(i));
}

static uint32_t pattern_index(size_t i)
{
	return 0x5a000000u | (uint32_t)i;
}

/* The GPU writes a value into every page of a malloc'ed buffer. */
static void test_store_malloc(void)
{
	size_t n = 64 * SZ_4K / 4;
	uint32_t *p = malloc(n * 4);

	igt_assert(p);
	memset(p, 0, n * 4);
	for (size_t i = 0; i < n; i += 1024 / 4)
		svmgpu_cmd_store32(batch, &p[i], pattern_index(i));
	exec_ok();
	for (size_t i = 0; i < n; i++)
		igt_assert_eq(p[i], i % 256 ? 0 : pattern_index(i));
	free(p);
}

static void test_store64_stack(void)
{
	volatile uint64_t v[4] = { 1, 2, 3, 4 };

	svmgpu_cmd_store64(batch, (void *)&v[1], 0x0123456789abcdefull);
	svmgpu_cmd_store64(batch, (void *)&v[3], ~0ull);
	exec_ok();
	igt_assert_eq_u64(v[0], 1);
	igt_assert_eq_u64(v[1], 0x0123456789abcdefull);
	igt_assert_eq_u64(v[2], 3);
	igt_assert_eq_u64(v[3], ~0ull);
}

static void fill_and_check(void *p, size_t size, uint32_t value)
{
	uint32_t *w = p;

	svmgpu_cmd_fill32(batch, p, size, value);
	exec_ok();
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(w[i] == value, "word %zu: 0x%x\n", i, w[i]);
}

static void test_fill_mmap(void)
{
	size_t size = 3 * SZ_1M + 3 * SZ_4K;
	void *p = svmgpu_map_anon(size);

	fill_and_check(p, size, 0xdeadbeef);
	munmap(p, size);
}

static void test_fill_2m_thp(void)
{
	size_t size = 2 * SZ_2M;
	char *p = svmgpu_map_anon_aligned(size);

	madvise(p, size, MADV_HUGEPAGE);
	memset(p, 1, size);
	fill_and_check(p, size, 0x12345678);
	munmap(p, size);
}

static void test_copy(void)
{
	size_t size = SZ_1M + 512;
	uint8_t *src = malloc(size), *dst = svmgpu_map_anon(size + SZ_4K);

	igt_assert(src);
	for (size_t i = 0; i < size; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	svmgpu_cmd_copy(batch, dst + 100, src, size);
	exec_ok();
	for (size_t i = 0; i < 100; i++)
		igt_assert_eq(dst[i], 0);
	for (size_t i = 0; i < size; i++)
		igt_assert_f(dst[i + 100] == (uint8_t)(i * 7 + 3), "byte %zu\n", i);
	/* The source is intact too. */
	for (size_t i = 0; i < size; i++)
		igt_assert_eq(src[i], (uint8_t)(i * 7 + 3));
	free(src);
	munmap(dst, size + SZ_4K);
}

static void test_atomics(void)
{
	uint64_t *m = svmgpu_map_anon(SZ_4K);
	uint64_t *res = m + 100;
	uint32_t *m32 = (uint32_t *)(m + 200);

	m[0] = 10;
	m[1] = 20;
	m[2] = 30;
	m[3] = 40;
	m32[0] = 0xfffffffe;
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_ADD, true, &m[0], 5, 0, &res[0]);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, true, &m[1], 0, 0, &res[1]);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_XCHG, true, &m[2], 99, 0, &res[2]);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_CMPXCHG, true, &m[3], 77, 40, &res[3]);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_CMPXCHG, true, &m[3], 55, 40, &res[4]);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, false, &m32[0], 0, 0, NULL);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, false, &m32[0], 0, 0, NULL);
	exec_ok();
	igt_assert_eq_u64(m[0], 15);
	igt_assert_eq_u64(res[0], 10);
	igt_assert_eq_u64(m[1], 21);
	igt_assert_eq_u64(res[1], 20);
	igt_assert_eq_u64(m[2], 99);
	igt_assert_eq_u64(res[2], 30);
	igt_assert_eq_u64(m[3], 77);
	igt_assert_eq_u64(res[3], 40);
	igt_assert_eq_u64(res[4], 77);	/* failed compare: old value returned, no store */
	igt_assert_eq(m32[0], 0);	/* 32-bit wrap-around */
	munmap(m, SZ_4K);
}

/* GPU and CPU increment the same counters at once; no increment is lost. */
static void test_atomic_contention(void)
{
	const int gpu_incs = 2000, cpu_incs = 20000;
	uint64_t *c = svmgpu_map_anon(SZ_4K);

	for (int i = 0; i < gpu_incs; i++)
		svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, true, c, 0, 0, NULL);
	svmgpu_batch_end(batch);
	{
		struct drm_syncobj_create sc = {};
		uint32_t h;

		igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc), 0);
		h = sc.handle;
		igt_assert_eq(__svmgpu_exec(fd, queue, (uintptr_t)batch->buf, h), 0);
		for (int i = 0; i < cpu_incs; i++)
			__atomic_fetch_add(c, 1, __ATOMIC_SEQ_CST);
		svmgpu_batch_reset(batch);
		igt_assert_eq(svmgpu_syncobj_wait(fd, h), 0);
		{
			struct drm_syncobj_destroy d = { .handle = h };

			igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), 0);
		}
	}
	igt_assert_eq_u64(*c, gpu_incs + cpu_incs);
	munmap(c, SZ_4K);
}

static void expect_fault(uint32_t q, void *addr, uint32_t access, int err)
{
	struct drm_svmgpu_queue_get_fault f;

	svmgpu_get_fault(fd, q, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, err);
	igt_assert_eq_u64(f.fault_address, (uintptr_t)addr);
	igt_assert_eq(f.fault_access, access);
}

/* A store to an unmapped address fails the job, bans the queue, is reported. */
static void test_fault_bad_address(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);
	char *hole = svmgpu_map_anon(3 * SZ_4K);
	uint32_t *ok = svmgpu_map_anon(SZ_4K);

	munmap(hole + SZ_4K, SZ_4K);
	svmgpu_cmd_store32(batch, ok, 1);
	svmgpu_cmd_store32(batch, hole + SZ_4K + 8, 2);
	svmgpu_cmd_store32(batch, ok + 1, 3);
	igt_assert_eq(run_on(q), -EFAULT);
	/* Commands before the fault ran, the ones after it did not. */
	igt_assert_eq(ok[0], 1);
	igt_assert_eq(ok[1], 0);
	expect_fault(q, hole + SZ_4K + 8, DRM_SVMGPU_ACCESS_WRITE, -EFAULT);

	/* A banned queue takes no more work; others carry on. */
	svmgpu_cmd_store32(batch, ok + 2, 4);
	igt_assert_eq(run_on(q), -ECANCELED);
	igt_assert_eq(ok[2], 0);
	svmgpu_cmd_store32(batch, ok + 2, 4);
	exec_ok();
	igt_assert_eq(ok[2], 4);
	svmgpu_queue_destroy(fd, q);
	munmap(hole, SZ_4K);
	munmap(hole + 2 * SZ_4K, SZ_4K);
	munmap(ok, SZ_4K);
}

static void test_fault_null(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);

	svmgpu_cmd_store64(batch, NULL, 1);
	igt_assert_eq(run_on(q), -EFAULT);
	expect_fault(q, NULL, DRM_SVMGPU_ACCESS_WRITE, -EFAULT);
	svmgpu_queue_destroy(fd, q);
}

/* mprotect(PROT_READ): the GPU reads it; a GPU write fails with EACCES. */
static void test_mprotect_readonly(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);
	uint32_t *ro = svmgpu_map_anon(SZ_64K), *dst = svmgpu_map_anon(SZ_64K);

	for (size_t i = 0; i < SZ_64K / 4; i++)
		ro[i] = pattern_index(i);
	igt_assert_eq(mprotect(ro, SZ_64K, PROT_READ), 0);
	svmgpu_cmd_copy(batch, dst, ro, SZ_64K);
	exec_ok();
	check_u32(dst, SZ_64K / 4, pattern_index);

	svmgpu_cmd_store32(batch, &ro[5], 0);
	igt_assert_eq(run_on(q), -EACCES);
	expect_fault(q, &ro[5], DRM_SVMGPU_ACCESS_WRITE, -EACCES);
	check_u32(ro, SZ_64K / 4, pattern_index);
	svmgpu_queue_destroy(fd, q);
	munmap(ro, SZ_64K);
	munmap(dst, SZ_64K);
}

/* Read first (mapped read-only), then write the same range: the mapping upgrades. */
static void test_read_then_write(void)
{
	uint32_t *p = svmgpu_map_anon(SZ_64K), *dst = svmgpu_map_anon(SZ_4K);

	p[0] = 42;
	svmgpu_cmd_copy(batch, dst, p, 4);
	exec_ok();
	igt_assert_eq(dst[0], 42);
	svmgpu_cmd_store32(batch, &p[1], 43);
	exec_ok();
	igt_assert_eq(p[0], 42);
	igt_assert_eq(p[1], 43);
	munmap(p, SZ_64K);
	munmap(dst, SZ_4K);
}

/* Prefetch to VRAM, the GPU works there, a CPU read migrates the data back. */
static void test_prefetch_device(void)
{
	size_t size = 2 * SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	uint64_t to_vram = counter(DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB);
	uint64_t to_ram = counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);

	for (size_t i = 0; i < size / 4; i++)
		p[i] = pattern_index(i);
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_lte(mig + 1, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	igt_assert_lte(to_vram + size / 1024, counter(DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB));

	svmgpu_cmd_store32(batch, &p[7], 7);
	exec_ok();
	/* The CPU touch faults the device pages back. */
	igt_assert_eq(p[7], 7);
	for (size_t i = 0; i < size / 4; i++)
		if (i != 7)
			igt_assert_eq(p[i], pattern_index(i));
	igt_assert_lte(to_ram + size / 1024, counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB));
	munmap(p, size);
}

static void test_prefetch_system(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);

	for (size_t i = 0; i < size / 4; i++)
		p[i] = pattern_index(i);
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_SYSTEM), 0);
	check_u32(p, size / 4, pattern_index);
	munmap(p, size);
}

/* A GPU fault on anonymous memory migrates it to VRAM (default policy). */
static void test_fault_migrates(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);

	igt_require(svmgpu_module_param("migrate_on_fault") == 1);
	memset(p, 0, size);
	fill_and_check(p, size, 0xabcdef01);
	igt_assert_lte(mig + 1, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	munmap(p, size);
}

/* MADV_DONTNEED on device-resident data discards it without copying it back. */
static void test_dontneed_no_copyback(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t to_ram;

	memset(p, 0x11, size);
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	to_ram = counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	igt_assert_eq(madvise(p, size, MADV_DONTNEED), 0);
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_eq(p[i], 0);
	igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB), to_ram);
	munmap(p, size);
}

/* munmap of the middle of a bound 2M range: the rest stays usable. */
static void test_partial_munmap(void)
{
	size_t size = 2 * SZ_2M;
	uint8_t *p = svmgpu_map_anon_aligned(size);
	uint32_t q;

	fill_and_check(p, size, 0x01010101);
	igt_assert_eq(munmap(p + SZ_1M, SZ_1M), 0);
	fill_and_check(p, SZ_1M, 0x02020202);
	fill_and_check(p + SZ_2M, SZ_2M, 0x03030303);

	q = svmgpu_queue_create(fd, vm);
	svmgpu_cmd_store32(batch, p + SZ_1M + 64, 1);
	igt_assert_eq(run_on(q), -EFAULT);
	expect_fault(q, p + SZ_1M + 64, DRM_SVMGPU_ACCESS_WRITE, -EFAULT);
	svmgpu_queue_destroy(fd, q);
	munmap(p, SZ_1M);
	munmap(p + SZ_2M, SZ_2M);
}

/* Shared file mappings are mirrored in place: the file sees the GPU's writes. */
static void test_file_shared(void)
{
	char path[] = "/tmp/svmgpu-file-XXXXXX";
	int tfd = mkstemp(path);
	uint32_t *p, buf[256];

	igt_assert(tfd >= 0);
	unlink(path);
	igt_assert_eq(ftruncate(tfd, SZ_64K), 0);
	p = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	igt_assert(p != MAP_FAILED);
	svmgpu_cmd_fill32(batch, p, SZ_64K, 0xfeedf00d);
	exec_ok();
	igt_assert_eq(pread(tfd, buf, sizeof(buf), SZ_4K), (ssize_t)sizeof(buf));
	for (int i = 0; i < 256; i++)
		igt_assert_eq(buf[i], 0xfeedf00d);
	munmap(p, SZ_64K);
	close(tfd);
}

/* After fork, the child's copy is its own: the GPU writes the parent's memory. */
static void test_fork_cow(void)
{
	uint32_t *p = svmgpu_map_anon(SZ_64K);
	pid_t pid;
	int status;

	p[0] = 1;
	svmgpu_cmd_store32(batch, &p[1], 2);
	exec_ok();
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		/* The child sees the memory as it was at fork, and its writes are its own. */
		uint32_t a = p[0], b = p[1];

		p[0] = 5;
		_exit(a == 1 && b == 2 ? 0 : 10 + (a & 0xf) * 16 + (b & 0xf));
	}
	svmgpu_cmd_store32(batch, &p[0], 3);
	exec_ok();
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status));
	igt_assert_eq(WEXITSTATUS(status), 0);
	igt_assert_eq(p[0], 3);
	igt_assert_eq(p[1], 2);
	munmap(p, SZ_64K);
}

static void saxpy_ref(float a, const float *x, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		volatile float prod = a * x[i];

		y[i] = prod + y[i];
	}
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static void test_saxpy(void)
{
	size_t n = 300000;
	float *x = malloc(n * 4), *y = svmgpu_map_anon(n * 4), *ref = malloc(n * 4);

	igt_assert(x && ref);
	for (size_t i = 0; i < n; i++) {
		x[i] = (float)i * 0.25f - 1000.0f;
		y[i] = ref[i] = 1.0f / (float)(i + 1);
	}
	saxpy_ref(3.5f, x, ref, n);
	{
		struct drm_svmgpu_cmd_saxpy cmd = {
			.hdr = { .opcode = DRM_SVMGPU_CMD_SAXPY, .length = sizeof(cmd) },
			.x = (uintptr_t)x, .y = (uintptr_t)y, .n = n, .a = f32_bits(3.5f),
		};

		svmgpu_batch_emit(batch, &cmd, sizeof(cmd));
	}
	exec_ok();
	for (size_t i = 0; i < n; i++)
		igt_assert_f(f32_bits(y[i]) == f32_bits(ref[i]), "element %zu: %a vs %a\n", i,
			     y[i], ref[i]);
	free(x);
	free(ref);
	munmap(y, n * 4);
}

static void emit_reduce(uint32_t op, const void *src, uint64_t n, void *dst)
{
	struct drm_svmgpu_cmd_reduce cmd = {
		.hdr = { .opcode = DRM_SVMGPU_CMD_REDUCE, .length = sizeof(cmd), .flags = op },
		.src = (uintptr_t)src, .n = n, .dst = (uintptr_t)dst,
	};

	svmgpu_batch_emit(batch, &cmd, sizeof(cmd));
}

static void test_reduce(void)
{
	size_t n = 200001;
	uint32_t *u = malloc(n * 4);
	float *f = svmgpu_map_anon(n * 4), fsum = 0.0f;
	uint64_t *out = svmgpu_map_anon(SZ_4K), usum = 0;
	uint32_t umax = 0;

	igt_assert(u);
	for (size_t i = 0; i < n; i++) {
		u[i] = (uint32_t)(i * 2654435761u);
		f[i] = (float)(i % 1000) * 0.001f;
		usum += u[i];
		umax = u[i] > umax ? u[i] : umax;
		fsum += f[i];
	}
	emit_reduce(DRM_SVMGPU_REDUCE_SUM_U32, u, n, &out[0]);
	emit_reduce(DRM_SVMGPU_REDUCE_SUM_F32, f, n, &out[1]);
	emit_reduce(DRM_SVMGPU_REDUCE_MAX_U32, u, n, &out[2]);
	emit_reduce(DRM_SVMGPU_REDUCE_SUM_U32, u, 0, &out[3]);
	out[3] = 99;
	exec_ok();
	igt_assert_eq_u64(out[0], usum);
	igt_assert_eq((uint32_t)out[1], f32_bits(fsum));
	igt_assert_eq((uint32_t)out[2], umax);
	igt_assert_eq_u64(out[3], 0);
	free(u);
	munmap(f, n * 4);
	munmap(out, SZ_4K);
}

static int madvise_vm(void *start, size_t size, uint32_t flags, uint32_t loc, uint32_t atomic,
		      uint32_t gran)
{
	struct drm_svmgpu_madvise m = {
		.vm_id = vm, .flags = flags, .start = (uintptr_t)start, .range = size,
		.preferred_location = loc, .atomic_policy = atomic, .granularity_shift = gran,
	};

	return svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, &m);
}

static struct drm_svmgpu_madvise_query madvise_get(void *start, size_t size)
{
	struct drm_svmgpu_madvise_query q = {
		.vm_id = vm, .start = (uintptr_t)start, .range = size,
	};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE_QUERY, &q), 0);
	return q;
}

/* Attributes read back, per attribute, over split and merged ranges. */
static void test_madvise_query(void)
{
	char *p = svmgpu_map_anon_aligned(4 * SZ_64K);
	struct drm_svmgpu_madvise_query q;

	q = madvise_get(p, 4 * SZ_64K);
	igt_assert_eq(q.preferred_location, DRM_SVMGPU_PREFERRED_DEFAULT);
	igt_assert_eq(q.atomic_policy, DRM_SVMGPU_ATOMIC_UNDEFINED);
	igt_assert_eq(q.granularity_shift, 21);
	igt_assert_eq(q.uniform, 1);

	igt_assert_eq(madvise_vm(p + SZ_64K, SZ_64K, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_DEVICE, 0, 0), 0);
	igt_assert_eq(madvise_vm(p + SZ_64K, 2 * SZ_64K, DRM_SVMGPU_MADVISE_ATOMIC, 0,
				 DRM_SVMGPU_ATOMIC_GLOBAL, 0), 0);
	q = madvise_get(p, 4 * SZ_64K);
	igt_assert_eq(q.uniform, 0);
	igt_assert_eq(q.preferred_location, DRM_SVMGPU_PREFERRED_DEFAULT);
	q = madvise_get(p + SZ_64K, SZ_64K);
	igt_assert_eq(q.uniform, 1);
	igt_assert_eq(q.preferred_location, DRM_SVMGPU_PREFERRED_DEVICE);
	igt_assert_eq(q.atomic_policy, DRM_SVMGPU_ATOMIC_GLOBAL);
	q = madvise_get(p + 2 * SZ_64K, SZ_64K);
	igt_assert_eq(q.preferred_location, DRM_SVMGPU_PREFERRED_DEFAULT);
	igt_assert_eq(q.atomic_policy, DRM_SVMGPU_ATOMIC_GLOBAL);
	igt_assert_eq(madvise_vm(p, 4 * SZ_64K, DRM_SVMGPU_MADVISE_GRANULARITY, 0, 0, 16), 0);
	q = madvise_get(p + 3 * SZ_64K, SZ_64K);
	igt_assert_eq(q.granularity_shift, 16);
	igt_assert_eq(q.atomic_policy, DRM_SVMGPU_ATOMIC_UNDEFINED);
	/* Back to the defaults everywhere: uniform again. */
	igt_assert_eq(madvise_vm(p, 4 * SZ_64K, DRM_SVMGPU_MADVISE_PREFERRED_LOC |
				 DRM_SVMGPU_MADVISE_ATOMIC | DRM_SVMGPU_MADVISE_GRANULARITY,
				 0, 0, 0), 0);
	q = madvise_get(p, 4 * SZ_64K);
	igt_assert_eq(q.uniform, 1);
	igt_assert_eq(q.granularity_shift, 21);
	munmap(p, 4 * SZ_64K);
}

/*
 * Attributes do not outlive the mapping: after an munmap of memory the GPU
 * used, a new mapping at the same address (made before any GPU fault could
 * collect the old one) starts with the defaults, what stays mapped keeps its
 * attributes, and a GPU fault on the new mapping migrates as the default
 * policy does.
 */
static void test_madvise_munmap(void)
{
	size_t size = SZ_2M;
	char *p = svmgpu_map_anon_aligned(size), *q, *r = svmgpu_map_anon_aligned(size);
	struct drm_svmgpu_madvise_query a;
	uint64_t mig;

	memset(p, 0, size);
	memset(r, 0, size);
	igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_SYSTEM, 0, 0), 0);
	igt_assert_eq(madvise_vm(r, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_SYSTEM, 0, 0), 0);
	fill_and_check(p, size, 0x12121212);
	fill_and_check(r, size, 0x12121212);

	/* A 64K hole in the middle, mapped again at once. */
	munmap(p + SZ_1M, SZ_64K);
	q = mmap(p + SZ_1M, SZ_64K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	igt_assert(q == p + SZ_1M);
	a = madvise_get(q, SZ_64K);
	igt_assert_eq(a.uniform, 1);
	igt_assert_eq(a.preferred_location, DRM_SVMGPU_PREFERRED_DEFAULT);
	a = madvise_get(p, SZ_1M);
	igt_assert_eq(a.uniform, 1);
	igt_assert_eq(a.preferred_location, DRM_SVMGPU_PREFERRED_SYSTEM);
	a = madvise_get(p + SZ_1M + SZ_64K, SZ_1M - SZ_64K);
	igt_assert_eq(a.preferred_location, DRM_SVMGPU_PREFERRED_SYSTEM);
	munmap(p, size);

	/* All of it, mapped again: defaults, and the GPU fault migrates. */
	munmap(r, size);
	q = mmap(r, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	igt_assert(q == r);
	memset(q, 0, size);
	mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	svmgpu_cmd_fill32(batch, q, size, 0x34343434);
	exec_ok();
	igt_assert_lt(mig, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	a = madvise_get(q, size);
	igt_assert_eq(a.uniform, 1);
	igt_assert_eq(a.preferred_location, DRM_SVMGPU_PREFERRED_DEFAULT);
	for (size_t i = 0; i < size; i++)
		igt_assert_eq(q[i], 0x34);
	munmap(q, size);
}

/* Preferred system: GPU faults do not migrate, and bring VRAM data back. */
static void test_madvise_preferred_system(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig, to_ram;

	memset(p, 0, size);
	igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_SYSTEM, 0, 0), 0);
	mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	fill_and_check(p, size, 0x77777777);
	igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);

	/* Put it in VRAM by prefetch; the next GPU fault takes it back to RAM. */
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	to_ram = counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB);
	svmgpu_cmd_fill32(batch, p, size, 0x88888888);
	exec_ok();
	igt_assert_lte(to_ram + size / 1024, counter(DRM_SVMGPU_STAT_COPY_TO_RAM_KIB));
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_eq(p[i], 0x88888888);
	munmap(p, size);
}

/* Preferred device migrates on fault even for memory the CPU just wrote. */
static void test_madvise_preferred_device(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig;

	for (size_t i = 0; i < size / 4; i++)
		p[i] = pattern_index(i);
	igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_DEVICE, 0, 0), 0);
	mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	svmgpu_cmd_store32(batch, &p[3], 3);
	exec_ok();
	igt_assert_lte(mig + 1, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	igt_assert_eq(p[3], 3);
	for (size_t i = 4; i < size / 4; i++)
		igt_assert_eq(p[i], pattern_index(i));
	munmap(p, size);
}

static void test_madvise_atomic_cpu(void)
{
	uint32_t q = svmgpu_queue_create(fd, vm);
	uint64_t *p = svmgpu_map_anon(SZ_4K);

	p[0] = 5;
	igt_assert_eq(madvise_vm(p, SZ_4K, DRM_SVMGPU_MADVISE_ATOMIC, 0,
				 DRM_SVMGPU_ATOMIC_CPU, 0), 0);
	/* Plain stores are fine; the atomic fails with EACCES. */
	svmgpu_cmd_store64(batch, &p[1], 6);
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, true, &p[0], 0, 0, NULL);
	igt_assert_eq(run_on(q), -EACCES);
	expect_fault(q, &p[0], DRM_SVMGPU_ACCESS_ATOMIC, -EACCES);
	igt_assert_eq_u64(p[0], 5);
	igt_assert_eq_u64(p[1], 6);
	svmgpu_queue_destroy(fd, q);
	munmap(p, SZ_4K);
}

/* Atomic policy device: a GPU atomic moves the data to VRAM. */
static void test_madvise_atomic_device(void)
{
	size_t size = SZ_2M;
	uint64_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig;

	igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_ATOMIC | DRM_SVMGPU_MADVISE_PREFERRED_LOC,
				 DRM_SVMGPU_PREFERRED_SYSTEM, DRM_SVMGPU_ATOMIC_DEVICE, 0), 0);
	p[0] = 41;
	/* A plain store maps system memory (preferred location)... */
	mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	svmgpu_cmd_store64(batch, &p[1], 1);
	exec_ok();
	igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);
	/* ...and the atomic then migrates it. */
	svmgpu_cmd_atomic(batch, DRM_SVMGPU_ATOMIC_INC, true, &p[0], 0, 0, NULL);
	exec_ok();
	igt_assert_lte(mig + 1, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	igt_assert_eq_u64(p[0], 42);
	igt_assert_eq_u64(p[1], 1);
	munmap(p, size);
}

/* Granularity 4K: a fill of 64K maps page by page (one fault per page). */
static void test_madvise_granularity(void)
{
	size_t size = SZ_64K;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t faults;

	memset(p, 0, size);
	igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_GRANULARITY, 0, 0, 12), 0);
	faults = counter(DRM_SVMGPU_STAT_GPU_FAULTS);
	fill_and_check(p, size, 0x4b4b4b4b);
	igt_assert_lte(faults + size / SZ_4K, counter(DRM_SVMGPU_STAT_GPU_FAULTS));
	munmap(p, size);
}

/*
 * @key of our device's debugfs @file: field 0 is "key: N", fields 1 and 2
 * the count and the microseconds of "key: count N us M".
 */
static long long debugfs_value(const char *file, const char *key, int field)
{
	long long v, count, us;
	char path[256];

	igt_require_f(svmgpu_debugfs_path(fd, file, path, sizeof(path)), "no debugfs %s\n", file);
	if (field == 0) {
		v = svmgpu_debugfs_read(path, key);
	} else {
		v = -1;
		if (svmgpu_debugfs_read_timed(path, key, &count, &us))
			v = field == 1 ? count : us;
	}
	igt_assert_f(v >= 0, "%s: no %s\n", file, key);
	return v;
}

/* debugfs stats agree with the query and count a 2M fault in the 2M bucket. */
static void test_debugfs_stats(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	long long faults2m, jobs;

	faults2m = debugfs_value("stats", "fault_2M", 1);
	jobs = debugfs_value("stats", "jobs", 0);
	memset(p, 0, size);
	fill_and_check(p, size, 0x600dcafe);
	igt_assert_lte(faults2m + 1, debugfs_value("stats", "fault_2M", 1));
	igt_assert_lte(jobs + 1, debugfs_value("stats", "jobs", 0));
	igt_assert_eq(debugfs_value("stats", "gpu_faults", 0),
		      (long long)counter(DRM_SVMGPU_STAT_GPU_FAULTS));
	igt_assert_eq(debugfs_value("vram", "size", 0) >> 20,
		      svmgpu_module_param("vram_size_mb"));
	munmap(p, size);
}

/* The value of @key in our file's fdinfo, into @val (the text after the colon). */
static void fdinfo_text(const char *key, char *val, size_t len)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		size_t k = strlen(key);

		if (!strncmp(line, key, k) && line[k] == ':') {
			snprintf(val, len, "%s", line + k + 1);
			found = true;
		}
	}
	fclose(f);
	igt_assert_f(found, "fdinfo has no %s\n", key);
}

static long long fdinfo_value(const char *key)
{
	char val[128];
	long long v;

	fdinfo_text(key, val, sizeof(val));
	igt_assert_eq(sscanf(val, "%lld", &v), 1);
	return v;
}

/* A memory key of fdinfo ("4 MiB", "12 KiB" or bytes), in bytes. */
static long long fdinfo_bytes(const char *key)
{
	char val[128], unit[8] = "";
	long long v;

	fdinfo_text(key, val, sizeof(val));
	igt_assert_lte(1, sscanf(val, "%lld %7s", &v, unit));
	if (!strcmp(unit, "KiB"))
		return v << 10;
	if (!strcmp(unit, "MiB"))
		return v << 20;
	igt_assert_f(!unit[0], "%s: unit %s\n", key, unit);
	return v;
}

/*
 * fdinfo counts this file's jobs and their GPU time, and says how much
 * memory the file's GPU page tables map, in system memory and in VRAM.
 */
static void test_fdinfo(void)
{
	const size_t size = 4 * SZ_1M;
	uint32_t *p = svmgpu_map_anon(SZ_1M), *q = svmgpu_map_anon_aligned(size);
	long long jobs = fdinfo_value("svmgpu-jobs"), ns = fdinfo_value("drm-engine-gpu");
	long long sys0 = fdinfo_bytes("drm-resident-system");
	long long vram0 = fdinfo_bytes("drm-resident-vram"), sys1;

	for (int i = 0; i < 3; i++)
		fill_and_check(p, SZ_1M, i);
	igt_assert_lte(jobs + 3, fdinfo_value("svmgpu-jobs"));
	igt_assert_lt(ns, fdinfo_value("drm-engine-gpu"));
	igt_assert_lte(1, fdinfo_value("svmgpu-vms"));
	igt_assert_lte(1, fdinfo_value("svmgpu-queues"));

	/* In VRAM after a prefetch, then in system memory after another. */
	memset(q, 0x5c, size);
	igt_assert_eq(svmgpu_prefetch(fd, vm, q, size, DRM_SVMGPU_REGION_DEVICE), 0);
	igt_assert_lte(vram0 + (long long)size, fdinfo_bytes("drm-resident-vram"));
	igt_assert_eq(fdinfo_bytes("drm-total-vram"), fdinfo_bytes("drm-resident-vram"));
	igt_assert_eq(svmgpu_prefetch(fd, vm, q, size, DRM_SVMGPU_REGION_SYSTEM), 0);
	sys1 = fdinfo_bytes("drm-resident-system");
	igt_assert_lte(sys0 + (long long)size, sys1);
	igt_assert_lt(fdinfo_bytes("drm-resident-vram"), vram0 + (long long)size);
	/* munmap takes q's two 2M ranges away (the collector runs soon after). */
	munmap(q, size);
	for (int i = 0; i < 200 && fdinfo_bytes("drm-resident-system") > sys1 - (long long)size;
	     i++)
		usleep(10000);
	igt_assert_eq(fdinfo_bytes("drm-resident-system"), sys1 - (long long)size);
	for (size_t i = 0; i < SZ_1M / 4; i++)
		igt_assert_eq(p[i], 2);
	munmap(p, SZ_1M);
}

static void debugfs_write(const char *knob, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	FILE *f;

	igt_require_f(svmgpu_debugfs_path(fd, knob, path, sizeof(path)), "no debugfs %s\n", knob);
	f = fopen(path, "w");
	igt_assert(f);
	va_start(ap, fmt);
	igt_assert(vfprintf(f, fmt, ap) > 0);
	va_end(ap);
	igt_assert_eq(fclose(f), 0);
}

static void inject(const char *knob, int n)
{
	debugfs_write(knob, "%d\n", n);
}

/*
 * A fault on a range whose pages are still valid, only its GPU binding gone
 * (the debugfs unbind knob): counted as a valid fault, bound again to the
 * same pages without a new migration, in VRAM and in RAM.
 */
static void test_refault_valid(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);

	memset(p, 0, size);
	for (int ram = 0; ram < 2; ram++) {
		uint64_t valid, mig, binds, faults;
		uint32_t value = 0x5a5a0000 + ram;

		if (ram)
			igt_assert_eq(madvise_vm(p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC,
						 DRM_SVMGPU_PREFERRED_SYSTEM, 0, 0), 0);
		/*
		 * Bound for writes where the policy puts it (a lost migration
		 * race: again); the CPU must not look, or its fault takes the
		 * data back to RAM.
		 */
		for (int tries = 0; tries < 5; tries++) {
			svmgpu_cmd_fill32(batch, p, size, ~value);
			exec_ok();
			if (ram || fdinfo_bytes("drm-resident-vram") >= (long long)size)
				break;
			igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
		}
		igt_assert_eq(fdinfo_bytes("drm-resident-vram") >= (long long)size, !ram);

		debugfs_write("unbind", "%lx %lx\n", (unsigned long)p, (unsigned long)size);
		valid = counter(DRM_SVMGPU_STAT_GPU_FAULTS_VALID);
		faults = counter(DRM_SVMGPU_STAT_GPU_FAULTS);
		mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
		binds = counter(DRM_SVMGPU_STAT_BINDS);
		svmgpu_cmd_fill32(batch, p, size, value);
		exec_ok();
		igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_GPU_FAULTS), faults + 1);
		igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_GPU_FAULTS_VALID), valid + 1);
		igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);
		igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_BINDS), binds + 1);
		igt_assert_eq(fdinfo_bytes("drm-resident-vram") >= (long long)size, !ram);
		for (size_t i = 0; i < size / 4; i++)
			igt_assert_eq(p[i], value);
	}
	munmap(p, size);
}

/* A failing copy job: the migration fails cleanly, the data stays in RAM, intact. */
static void test_inject_copy_failure(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);

	for (size_t i = 0; i < size / 4; i++)
		p[i] = pattern_index(i);
	inject("fail_copy", 1);
	/* The prefetch falls back to system memory when the migration fails. */
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	inject("fail_copy", 0);
	igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);
	svmgpu_cmd_store32(batch, &p[1], 1);
	exec_ok();
	igt_assert_eq(p[0], pattern_index(0));
	igt_assert_eq(p[1], 1);
	for (size_t i = 2; i < size / 4; i++)
		igt_assert_eq(p[i], pattern_index(i));
	munmap(p, size);
}

/* No VRAM to be had: GPU faults fall back to system memory. */
static void test_inject_vram_exhausted(void)
{
	size_t size = SZ_2M;
	uint32_t *p = svmgpu_map_anon_aligned(size);
	uint64_t mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);

	memset(p, 0, size);
	inject("fail_vram_alloc", 1000);
	fill_and_check(p, size, 0x0badf00d);
	inject("fail_vram_alloc", 0);
	igt_assert_eq_u64(counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM), mig);
	munmap(p, size);
}

/*
 * Migrate 2M ranges of 4K pages of which only the even pages were ever
 * written: new VRAM must read as zeros where the CPU had nothing.
 */
static void check_holes_cleared(const char *knob)
{
	size_t size = 4 * SZ_1M, words = SZ_4K / 4;
	uint32_t *p = svmgpu_map_anon_aligned(size), *dirty = svmgpu_map_anon_aligned(size);
	uint64_t mig = counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	long long used;

	/* Leave old data in VRAM: the blocks freed are those allocated next. */
	memset(dirty, 0x5a, size);
	igt_assert_eq(svmgpu_prefetch(fd, vm, dirty, size, DRM_SVMGPU_REGION_DEVICE), 0);
	used = debugfs_value("vram", "used", 0);
	munmap(dirty, size);
	for (int i = 0; i < 200 && debugfs_value("vram", "used", 0) > used - (long long)size; i++)
		usleep(10000);

	igt_assert_eq(madvise(p, size, MADV_NOHUGEPAGE), 0);
	for (size_t i = 0; i < size / 4; i++)
		if (!((i / words) & 1))
			p[i] = pattern_index(i);
	inject(knob, 1);
	igt_assert_eq(svmgpu_prefetch(fd, vm, p, size, DRM_SVMGPU_REGION_DEVICE), 0);
	inject(knob, 0);
	igt_assert_lte(mig + 4, counter(DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM));
	for (size_t i = 0; i < size / 4; i++) {
		uint32_t want = (i / words) & 1 ? 0 : pattern_index(i);

		igt_assert_f(p[i] == want, "word %zu: 0x%x, want 0x%x\n", i, p[i], want);
	}
	munmap(p, size);
}

/*
 * The clear of new VRAM through the migrate engine's scheduler, the copy
 * queued behind it with the clear's fence as its dependency (the path a busy
 * engine takes; debugfs pipeline_clear forces it): the pages copied keep
 * every word, the others read as zeros, never as old VRAM contents.
 */
static void test_pipelined_clear(void)
{
	check_holes_cleared("pipeline_clear");
}

/*
 * A range seen fully populated gets no clear up front, its copy clears the
 * holes it finds (pages gone since the look; debugfs skip_clear forces it).
 */
static void test_copy_clears_holes(void)
{
	check_holes_cleared("skip_clear");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	igt_assert_f(f, "%s: %s\n", path, strerror(errno));
	igt_assert(fputs(text, f) >= 0);
	igt_assert_eq(fclose(f), 0);
}

/* The fault and migrate tracepoints fire and name the faulting address. */
static void test_tracepoints(void)
{
	const char *t = "/sys/kernel/tracing";
	size_t size = SZ_2M;
	char *p = svmgpu_map_anon_aligned(size), path[128], want[64], line[512];
	bool fault = false, migrate = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/svmgpu/enable", t);
	if (access(path, F_OK)) {
		mkdir("/sys/kernel/tracing", 0755);
		igt_require(!system("mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null") &&
			    !access(path, F_OK));
	}
	snprintf(path, sizeof(path), "%s/trace", t);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/events/svmgpu/enable", t);
	write_file(path, "1");
	memset(p, 1, size);
	fill_and_check(p, size, 0x1234);
	write_file(path, "0");

	snprintf(want, sizeof(want), "addr=0x%lx", (unsigned long)p);
	snprintf(path, sizeof(path), "%s/trace", t);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		fault |= strstr(line, "svmgpu_fault:") && strstr(line, want);
		migrate |= strstr(line, "svmgpu_migrate:") != NULL;
	}
	fclose(f);
	igt_assert_f(fault, "no svmgpu_fault event for %s\n", want);
	igt_assert(migrate);
	munmap(p, size);
}

static const struct igt_subtest tests[] = {
	{ "tracepoints", test_tracepoints, "svmgpu_fault and svmgpu_migrate events are emitted" },
	{ "debugfs-stats", test_debugfs_stats,
	  "debugfs counters and the 2M fault bucket grow with a 2M fault; vram size" },
	{ "fdinfo", test_fdinfo,
	  "fdinfo counts the file's jobs, GPU time, VMs, queues, and the memory its GPU page "
	  "tables map in system memory and VRAM" },
	{ "inject-copy-failure", test_inject_copy_failure,
	  "a failed copy job leaves the data in RAM intact and the device working" },
	{ "pipelined-clear", test_pipelined_clear,
	  "the clear of new VRAM as scheduler dependency of the copy: data intact, no stale data" },
	{ "copy-clears-holes", test_copy_clears_holes,
	  "VRAM not cleared up front: the copy zeroes the pages it has no source for" },
	{ "inject-vram-exhausted", test_inject_vram_exhausted,
	  "without VRAM, GPU faults fall back to system memory" },
	{ "saxpy", test_saxpy, "f32 saxpy over 300k elements matches the CPU bit for bit" },
	{ "reduce", test_reduce, "u32 sum, f32 sum in order, u32 max, empty reduction" },
	{ "madvise-query", test_madvise_query, "attributes read back over split ranges" },
	{ "refault-valid", test_refault_valid,
	  "a fault on valid pages whose binding went binds them again, counted as valid" },
	{ "madvise-munmap", test_madvise_munmap,
	  "attributes go with the mapping, even when a new one took its place" },
	{ "madvise-preferred-system", test_madvise_preferred_system,
	  "preferred system: no migration on fault, VRAM data comes back" },
	{ "madvise-preferred-device", test_madvise_preferred_device,
	  "preferred device: a GPU fault migrates and the data is intact" },
	{ "madvise-atomic-cpu", test_madvise_atomic_cpu,
	  "atomic policy cpu: GPU atomics fail with EACCES, stores work" },
	{ "madvise-atomic-device", test_madvise_atomic_device,
	  "atomic policy device: a GPU atomic migrates the range to VRAM" },
	{ "madvise-granularity", test_madvise_granularity,
	  "granularity 4K: faults map one page at a time" },
	{ "store-malloc", test_store_malloc, "GPU stores into malloc memory, seen by the CPU" },
	{ "store64-stack", test_store64_stack, "GPU 64-bit stores into the stack" },
	{ "fill-mmap", test_fill_mmap, "GPU fill of an unaligned 3M mmap, checked word by word" },
	{ "fill-thp", test_fill_2m_thp, "GPU fill of 2M THP-backed memory" },
	{ "copy", test_copy, "GPU copy malloc -> mmap at an unaligned offset" },
	{ "atomics", test_atomics, "add, inc, xchg, cmpxchg (32/64-bit) with old values" },
	{ "atomic-contention", test_atomic_contention,
	  "GPU and CPU increment one counter at once, total exact" },
	{ "fault-bad-address", test_fault_bad_address,
	  "a store to an unmapped page fails the job, is reported, bans the queue" },
	{ "fault-null", test_fault_null, "a store to NULL fails the job with EFAULT" },
	{ "mprotect-readonly", test_mprotect_readonly,
	  "GPU reads PROT_READ memory; a GPU write to it fails with EACCES" },
	{ "read-then-write", test_read_then_write,
	  "a read-only mapping from a read fault upgrades on a write" },
	{ "prefetch-device", test_prefetch_device,
	  "prefetch to VRAM copies the data; CPU access brings it back intact" },
	{ "prefetch-system", test_prefetch_system, "prefetch to VRAM and back to system" },
	{ "fault-migrates", test_fault_migrates, "a GPU fault migrates anonymous memory to VRAM" },
	{ "dontneed-no-copyback", test_dontneed_no_copyback,
	  "MADV_DONTNEED of VRAM-resident data copies nothing back and reads zero" },
	{ "partial-munmap", test_partial_munmap,
	  "munmap of part of a bound range; the rest works, the hole faults" },
	{ "file-shared", test_file_shared, "GPU writes to a shared file mapping reach the file" },
	{ "fork-cow", test_fork_cow, "GPU writes after fork stay in the parent" },
};

IGT_MAIN("GPU access to CPU memory through SVM", fixture, tests)
