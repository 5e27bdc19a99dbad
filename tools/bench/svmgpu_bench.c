// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_bench: migration, fault and submission costs of svmgpu, each
 * measured next to the single-thread memcpy bandwidth of the same machine in
 * the same run, and the same migrations through the kernel's HMM test driver
 * (lib/test_hmm.c, /dev/hmm_dmirror0) as the peer. Writes one JSON file.
 * Run by ci/guest-bench.sh inside the bench VM; see
 * Documentation/gpu/svmgpu/benchmarks.rst for what each number means.
 *
 *   svmgpu_bench --out FILE [--quick] [--max-size MIB] [--dmirror DEV]
 *   svmgpu_bench --profile NAME --seconds N   (loop one case, for perf)
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_test.h"
#include "test_hmm_uapi.h"

#define KIB		((size_t)1024)
#define MIB		(KIB * 1024)
#define SZ_4K		(4 * KIB)
#define SZ_2M		(2 * MIB)
#define MAX_RESULTS	256
#define MAX_SIZES	16

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE	15
#endif

/* ---- small helpers ---------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "svmgpu_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile @p (0..100) of @n values, linearly interpolated; sorts @v. */
static double percentile(double *v, int n, double p)
{
	double pos, frac;
	int i;

	if (n <= 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	pos = (n - 1) * p / 100.0;
	i = (int)pos;
	frac = pos - i;
	return i + 1 < n ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

/*
 * Times of repeated runs: the fastest is the estimate (on a shared host
 * noise only ever adds time); the median is reported next to it.
 */
static double fastest(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double median(const double *v, int n)
{
	double tmp[64];

	if (n > 64)
		n = 64;
	memcpy(tmp, v, n * sizeof(*v));
	return percentile(tmp, n, 50);
}

/* An anonymous mapping of @size bytes, 2M-aligned, THP or not. */
static void *map_buf(size_t size, bool thp)
{
	size_t len = size + SZ_2M;
	char *p, *a;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", len, strerror(errno));
	a = (char *)(((uintptr_t)p + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
	if (a > p)
		munmap(p, a - p);
	if (a + size < p + len)
		munmap(a + size, p + len - (a + size));
	if (madvise(a, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise(%s): %s", thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
	return a;
}

/* Fill a buffer so that every page says where it is: word 1 = magic ^ index. */
static void fill_buf(void *buf, size_t size, uint64_t magic)
{
	uint64_t *w = buf;
	size_t i, words = size / 8;

	memset(buf, 0x5a, size);
	for (i = 0; i < words; i += SZ_4K / 8)
		w[i + 1] = magic ^ (i / (SZ_4K / 8));
}

static bool check_buf(const void *buf, size_t size, uint64_t magic)
{
	const uint64_t *w = buf;
	size_t i, words = size / 8;

	for (i = 0; i < words; i += SZ_4K / 8)
		if (w[i + 1] != (magic ^ (i / (SZ_4K / 8))))
			return false;
	return true;
}

/* AnonHugePages (kB) of the mapping holding @addr, from /proc/self/smaps. */
static long thp_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	uintptr_t a = (uintptr_t)addr, lo, hi;
	char line[256];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * The page allocator's stalls so far, from /proc/vmstat: direct compactions
 * (a THP allocation finding no free 2M block) and direct reclaims.
 */
struct stalls {
	uint64_t compact, reclaim;
};

static struct stalls vm_stalls(void)
{
	FILE *f = fopen("/proc/vmstat", "r");
	struct stalls st = { 0 };
	char name[64];
	unsigned long long v;

	if (!f)
		return st;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!strcmp(name, "compact_stall"))
			st.compact += v;
		else if (!strncmp(name, "allocstall_", 11))
			st.reclaim += v;
	}
	fclose(f);
	return st;
}

/* ---- the device --------------------------------------------------------- */

static int fd = -1;
static uint32_t vm_id, queue_id, syncobj;
static char dbgdir[256];
static struct svmgpu_batch *batch;
static uint64_t *scratch;

/* Queue one command buffer; its fence replaces the one in the syncobj. */
static void submit_batch(const void *b)
{
	struct drm_svmgpu_sync out = { .handle = syncobj };
	struct drm_svmgpu_exec e = {
		.queue_id = queue_id,
		.batch_address = (uintptr_t)b,
		.out_syncs = (uintptr_t)&out,
		.num_out_syncs = 1,
	};
	int err;

	err = svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_EXEC, &e);
	if (err)
		die("exec: %s", strerror(-err));
}

/* Wait for the last job queued: the queue runs its jobs in order. */
static void wait_queue(void)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&syncobj,
		.count_handles = 1,
		.timeout_nsec = INT64_MAX,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};
	int err;

	err = svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	if (err)
		die("syncobj wait: %s", strerror(-err));
}

static void run_batch(const void *b)
{
	submit_batch(b);
	wait_queue();
}

/* The queue must not have failed a job: a benchmark of errors is worthless. */
static void check_queue(const char *what)
{
	struct drm_svmgpu_queue_get_fault f = { .queue_id = queue_id };

	if (svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT, &f))
		die("get_fault: %s", strerror(errno));
	if (f.banned)
		die("%s: a job failed with %d at 0x%llx (access %u)", what, f.error,
		    (unsigned long long)f.fault_address, f.fault_access);
}

static void prefetch(void *p, size_t size, uint32_t region)
{
	int err = svmgpu_prefetch(fd, vm_id, p, size, region);

	if (err)
		die("prefetch %zu bytes to %s: %s", size, region ? "device" : "system",
		    strerror(-err));
}

static void madv(void *p, size_t size, uint32_t flags, uint32_t loc, uint32_t gran_shift)
{
	struct drm_svmgpu_madvise m = {
		.vm_id = vm_id,
		.flags = flags,
		.start = (uintptr_t)p,
		.range = size,
		.preferred_location = loc,
		.granularity_shift = gran_shift,
	};
	int err = svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_MADVISE, &m);

	if (err)
		die("madvise: %s", strerror(-err));
}

static void set_placement(void *p, size_t size, uint32_t loc)
{
	madv(p, size, DRM_SVMGPU_MADVISE_PREFERRED_LOC, loc, 0);
}

/*
 * Every attribute of a new buffer, explicitly: attributes belong to
 * addresses, and those of an unmapped buffer may still be around when a new
 * mapping reuses its addresses.
 */
static void set_granularity(void *p, size_t size, uint32_t shift)
{
	madv(p, size, DRM_SVMGPU_MADVISE_GRANULARITY | DRM_SVMGPU_MADVISE_PREFERRED_LOC |
	     DRM_SVMGPU_MADVISE_ATOMIC, DRM_SVMGPU_PREFERRED_DEFAULT, shift);
}

struct counters {
	uint64_t v[DRM_SVMGPU_STAT_COUNT];
};

static void counters(struct counters *c)
{
	struct drm_svmgpu_stats s;
	struct drm_svmgpu_query q = {
		.type = DRM_SVMGPU_QUERY_STATS,
		.size = sizeof(s),
		.pointer = (uintptr_t)&s,
	};
	int i;

	if (svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q))
		die("query stats: %s", strerror(errno));
	for (i = 0; i < DRM_SVMGPU_STAT_COUNT; i++)
		c->v[i] = s.counters[i];
}

static uint64_t delta(const struct counters *a, const struct counters *b, int i)
{
	return b->v[i] - a->v[i];
}

static void find_debugfs(void)
{
	if (svmgpu_debugfs_path(fd, "wait_clear", dbgdir, sizeof(dbgdir)))
		*strrchr(dbgdir, '/') = '\0';
	else
		dbgdir[0] = '\0';
}

static bool dbg_write(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool dbg_write(const char *file, const char *fmt, ...)
{
	char path[320], buf[96];
	va_list ap;
	int f, n;
	bool ok;

	if (!dbgdir[0])
		return false;
	snprintf(path, sizeof(path), "%s/%s", dbgdir, file);
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f = open(path, O_WRONLY);
	if (f < 0)
		return false;
	ok = write(f, buf, n) == n;
	close(f);
	return ok;
}

/* "NAME: count C us U" of debugfs stats: the kernel's own time of a fault step. */
static bool dbg_timed(const char *name, uint64_t *count, uint64_t *us)
{
	long long c, u;
	char path[320];

	if (!dbgdir[0])
		return false;
	snprintf(path, sizeof(path), "%s/stats", dbgdir);
	if (!svmgpu_debugfs_read_timed(path, name, &c, &u))
		return false;
	*count = c;
	*us = u;
	return true;
}

/*
 * A command buffer kept in system memory, its first @bytes written and
 * mapped for the GPU in advance: what is timed is the memory under test.
 */
static struct svmgpu_batch *system_batch(size_t bytes)
{
	struct svmgpu_batch *b = svmgpu_batch_new();

	if (madvise(b->buf, b->cap, MADV_NOHUGEPAGE))
		die("madvise: %s", strerror(errno));
	set_placement(b->buf, b->cap, DRM_SVMGPU_PREFERRED_SYSTEM);
	memset(b->buf, 0, bytes);
	prefetch(b->buf, bytes, DRM_SVMGPU_REGION_SYSTEM);
	return b;
}

static void open_device(void)
{
	struct drm_syncobj_create sc = {};

	fd = svmgpu_open(0);
	if (fd < 0)
		die("no svmgpu device (is the module loaded?)");
	vm_id = svmgpu_vm_create(fd);
	queue_id = svmgpu_queue_create(fd, vm_id);
	if (svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		die("syncobj create: %s", strerror(errno));
	syncobj = sc.handle;
	find_debugfs();

	/*
	 * Command buffers and the scratch word stay in system memory, mapped
	 * in advance: what is timed is the memory under test, not them.
	 */
	batch = system_batch(SVMGPU_BATCH_SIZE);
	scratch = map_buf(SZ_2M, false);
	memset(scratch, 0, SZ_2M);
	set_placement(scratch, SZ_2M, DRM_SVMGPU_PREFERRED_SYSTEM);
	svmgpu_batch_reset(batch);
	svmgpu_cmd_store64(batch, scratch, 1);
	run_batch(svmgpu_batch_end(batch));
	check_queue("warm-up");
}

/* ---- results ------------------------------------------------------------ */

/* A bandwidth measured against memcpy samples taken around its runs. */
struct paired {
	double gbps, base, x, best_x;
	double runs_x[8];	/* every run's ratio, in the order of the runs */
	int n;
};

/*
 * The memcpy baseline is measured again before every group of measurements
 * (base_now) and every result is divided by the sample next to it, so that
 * a host slowing down or speeding up during the run does not move ratios.
 */
static double memcpy_gbps, memcpy_start, memcpy_end, memset_gbps, base_now;
static double memcpy_samples[128];
static int nmemcpy;

struct mig {
	const char *gran;	/* "4K" or "2M" */
	const char *method;	/* "prefetch" or "fault" */
	const char *dir;	/* "s2d" or "d2s" */
	size_t size;
	int iters;
	int per_run;		/* buffers of @size migrated in one timed run */
	double gbps, fastest_gbps;
	uint64_t copied_kib;	/* per buffer, from the counters */
	long thp_kb;
	struct stalls stalls;	/* in all runs of this direction */
	bool verified;
	struct paired r;
};

static struct mig migs[MAX_RESULTS];
static int nmigs;

struct dm {
	bool thp;
	const char *dir;
	size_t size;
	int iters;
	int per_run;		/* buffers of @size migrated in one timed run */
	double gbps;
	uint64_t cpages;		/* per buffer */
	struct paired r;
};

static struct dm dms[MAX_RESULTS];
static int ndms;
static bool dmirror_ok;
static char dmirror_err[256];

struct fault_res {
	const char *name;
	const char *gran;
	size_t range;
	int samples;
	double p50_us, p99_us, mean_us, min_us;
	int rate_faults;
	double rate_per_s;
	double kernel_us;	/* the kernel's own time per fault (debugfs), or -1 */
	const char *kernel_bucket;	/* the debugfs bucket it was read from */
	uint64_t faults, valid, migrations, copy_kib, binds;
	double base;
};

static struct fault_res faults[8];
static int nfaults;
static double job_p50, job_p99, job_mean, job_base;
static int job_samples;

struct pipe_res {
	const char *gran;
	size_t size;
	int iters;
	struct paired at_once, pipelined, waited;
};

static struct pipe_res pipes[4];
static int npipes;

/* 2M prefetches with the migrate engine's transfers on two CPUs or one. */
struct share_res {
	size_t size;
	int iters;
	struct paired two_cpus[2], one_cpu[2];	/* [0] s2d, [1] d2s */
};
static struct share_res shares[1];
static int nshares;

struct back_res {
	const char *gran;
	size_t size;
	int threads;
	int iters;
	bool verified;
	struct paired r;
};

static struct back_res backs[8];
static int nbacks;

static bool quick;
/* Sections to run (--sections): all by default. */
static const char *sections = "mig2m,mig4k,faults,pipe,share,back,dmirror";

static bool section(const char *name)
{
	const char *p = sections;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == sections || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}
static size_t min_size = MIB, max_size = 256 * MIB;
static size_t sizes[MAX_SIZES];
static int nsizes;

/* ---- memcpy baseline ---------------------------------------------------- */

static double measure_memcpy(bool set, size_t size, int reps)
{
	char *src = map_buf(size, true), *dst = map_buf(size, true);
	double t[8];
	int i;

	memset(src, 1, size);
	memset(dst, 2, size);
	for (i = 0; i < reps; i++) {
		double t0 = now_s();

		if (set)
			memset(dst, i, size);
		else
			memcpy(dst, src, size);
		t[i] = now_s() - t0;
		/* Keep the compiler from dropping the copy. */
		src[i] = dst[size - 1 - i];
	}
	munmap(src, size);
	munmap(dst, size);
	return size / fastest(t, reps) / 1e9;
}

static void keep_sample(double gbps)
{
	if (nmemcpy < (int)(sizeof(memcpy_samples) / sizeof(memcpy_samples[0])))
		memcpy_samples[nmemcpy++] = gbps;
}

/*
 * A memcpy sample right next to one timed run: one copy of 64 MiB between
 * THP buffers that stay mapped (128 MiB in all, four times the host's L3:
 * 16 and 32 MiB copies ran up to 3x faster in the bench VM, faster than any
 * migration can touch fresh memory). Each run's ratio uses its own sample,
 * so a host that slows the guest down for some seconds moves both sides.
 */
static char *pair_src, *pair_dst;

static double pair_sample(void)
{
	const size_t size = 64 * MIB;
	double t0, t;

	if (!pair_src) {
		pair_src = map_buf(size, true);
		pair_dst = map_buf(size, true);
		memset(pair_src, 3, size);
		memset(pair_dst, 4, size);
	}
	t0 = now_s();
	memcpy(pair_dst, pair_src, size);
	t = now_s() - t0;
	pair_src[0] = pair_dst[size - 1];
	return size / t / 1e9;
}

/* A memcpy sample for the results that follow: fastest of three pair samples. */
static void local_baseline(void)
{
	double t[3];
	int i;

	for (i = 0; i < 3; i++)
		t[i] = 1 / pair_sample();
	base_now = 1 / fastest(t, 3);
	keep_sample(base_now);
}

/*
 * @n runs of @size bytes that took @t[i], with memcpy at @b[i] GB/s around
 * each: the median GB/s and memcpy in @r->gbps and @r->base, the median of
 * the runs' own ratios in @r->x (the result), the best ratio in @r->best_x.
 */
static struct paired pair_stats(size_t size, const double *t, const double *b, int n)
{
	struct paired r = { 0 };
	double v[64];
	int i;

	for (i = 0; i < n; i++) {
		v[i] = size / t[i] / 1e9 / b[i];
		if (v[i] > r.best_x)
			r.best_x = v[i];
		if (r.n < (int)(sizeof(r.runs_x) / sizeof(r.runs_x[0])))
			r.runs_x[r.n++] = v[i];
	}
	r.x = median(v, n);
	for (i = 0; i < n; i++)
		v[i] = size / t[i] / 1e9;
	r.gbps = median(v, n);
	r.base = median(b, n);
	return r;
}

/* ---- migration ---------------------------------------------------------- */

/*
 * 4K-granularity migrations cost a range each (some hundred microseconds
 * under TCG): 16 MiB per size, at least one run. 2M ones are cheap: five
 * runs up to 128 MiB, three of 256 MiB, for a median worth the name.
 */
static int iterations(size_t size, bool small_pages)
{
	size_t budget = small_pages ? 16 * MIB : 640 * MIB;
	int n = (int)(budget / size);

	if (quick)
		return 1;
	if (n < (small_pages ? 1 : 3))
		n = small_pages ? 1 : 3;
	if (n > (small_pages ? 3 : 5))
		n = small_pages ? 3 : 5;
	return n;
}

/*
 * Buffers of @size migrated back to back in one timed run. A 2M migration
 * of a few MiB takes a few milliseconds under TCG, as long as one timer
 * tick and whatever the host does to the vCPU in it: runs of single small
 * buffers came out bimodal (0.40x and 1.08x memcpy in five runs of 4 MiB).
 * A run of 2M granularity moves at least 32 MiB, in buffers of @size each
 * migrated on its own (an ioctl or an exec per buffer), so it still
 * measures what a migration of @size costs; 4K runs are long already.
 */
#define RUN_BYTES	(32 * MIB)
#define MAX_PER_RUN	32

static int per_run(size_t size, bool small_pages)
{
	return small_pages || size >= RUN_BYTES ? 1 : (int)(RUN_BYTES / size);
}

/*
 * One command per range: read its first word (GPU read faults) or store.
 * At 2M granularity, a buffer smaller than 2M gets 64K ranges: touch every
 * 64K of it. (Touching every 64K of larger buffers too cost 31 commands per
 * 2 MiB that hit the bound range: 4 % of a 2 MiB GPU-fault migration.)
 */
static const void *touch_batch(struct svmgpu_batch *tb, char *buf, size_t size, size_t gran,
			       bool write)
{
	size_t off;

	if (gran > size)
		gran = 64 * KIB;

	svmgpu_batch_reset(tb);
	for (off = 0; off < size; off += gran) {
		if (write)
			svmgpu_cmd_store32(tb, buf + off, 0x600d);
		else
			svmgpu_cmd_copy(tb, scratch, buf + off, 8);
	}
	return svmgpu_batch_end(tb);
}

/*
 * The command buffers of one run by GPU faults, one per buffer, made once:
 * the first is the bench's own, the others hold the few commands of a 2M
 * run (a buffer of 16 MiB or less, one command per 64K).
 */
static struct svmgpu_batch *run_batches[MAX_PER_RUN];

static struct svmgpu_batch *run_batch_slot(int i)
{
	if (!run_batches[i])
		run_batches[i] = i ? system_batch(64 * KIB) : batch;
	return run_batches[i];
}

static void add_mig(const char *gran, const char *method, const char *dir, size_t size, int k,
		    const double *t, const double *b, int n, uint64_t kib, long thpkb,
		    struct stalls st, bool ok)
{
	struct mig *m = &migs[nmigs++];
	char runs[96] = "";
	int i;

	*m = (struct mig){ gran, method, dir, size, n, k, 0, 0, kib, thpkb, st, ok,
			   pair_stats(size * k, t, b, n) };
	m->gbps = m->r.gbps;
	m->fastest_gbps = size * k / fastest(t, n) / 1e9;
	for (i = 0; i < m->r.n; i++)
		snprintf(runs + strlen(runs), sizeof(runs) - strlen(runs), " %.2f", m->r.runs_x[i]);
	note("%-8s %s %s %4zu MiB x%-2d: %.3f GB/s, %.2fx memcpy (best %.2fx), %llu KiB copied, "
	     "stalls %llu/%llu, runs%s%s", method, gran, dir, size / MIB, k, m->gbps, m->r.x,
	     m->r.best_x, (unsigned long long)kib, (unsigned long long)st.compact,
	     (unsigned long long)st.reclaim, runs, ok ? "" : ", DATA WRONG");
}

/*
 * One timed run: @k buffers of @size migrated to @region one after the
 * other, each by its PREFETCH or, @by_fault, by its command buffer @b. The
 * jobs are queued back to back and the run waits for the last, as a compute
 * application queues its kernels: each job still faults one buffer in.
 * Returns the seconds it took; the allocator's stalls in it add to @st.
 */
static double timed_run(char *const *buf, const void *const *b, int k, size_t size,
			bool by_fault, uint32_t region, struct stalls *st)
{
	struct stalls st0 = vm_stalls(), st1;
	double t0 = now_s(), t;
	int j;

	for (j = 0; j < k; j++) {
		if (by_fault)
			submit_batch(b[j]);
		else
			prefetch(buf[j], size, region);
	}
	if (by_fault)
		wait_queue();
	t = now_s() - t0;
	st1 = vm_stalls();
	st->compact += st1.compact - st0.compact;
	st->reclaim += st1.reclaim - st0.reclaim;
	return t;
}

/*
 * The runs of one measurement: a migration (granularity, method, size) or
 * its dmirror peer. A series runs one iteration at a time: see run_series().
 */
struct series {
	bool dmirror;
	bool small;		/* 4K granularity; for dmirror: 4K pages, not THP */
	bool by_fault;
	size_t size;
	int k, iters, done;
	double ts2d[8], td2s[8], bs2d[8], bd2s[8];
	uint64_t kib_s2d, kib_d2s;	/* dmirror: cpages of the last buffer */
	struct stalls st_s2d, st_d2s;
	long thpkb;
	bool ok;
	bool failed;		/* dmirror: an iteration failed; left out */
};

static void new_series(struct series *s, int *n, bool dmirror, bool small, bool by_fault,
		       size_t size)
{
	s[(*n)++] = (struct series){ .dmirror = dmirror, .small = small, .by_fault = by_fault,
				     .size = size, .k = per_run(size, small),
				     .iters = iterations(size, small && !dmirror),
				     .thpkb = -1, .ok = true };
}

/*
 * One iteration of a migration series: per_run() fresh buffers migrated
 * there and back, by prefetch or by GPU faults. 2M granularity runs on THP
 * memory, 4K granularity on 4K pages.
 */
static void migration_iteration(struct series *s)
{
	const size_t gran = s->small ? SZ_4K : SZ_2M, size = s->size;
	uint64_t magic = 0x5eed0000ull + s->done * MAX_PER_RUN;
	int i = s->done++, k = s->k, j;
	const void *b[MAX_PER_RUN];
	char *buf[MAX_PER_RUN];
	struct counters c0, c1, c2;

	for (j = 0; j < k; j++) {
		buf[j] = map_buf(size, !s->small);
		fill_buf(buf[j], size, magic + j);
		set_granularity(buf[j], size, s->small ? 12 : 21);
		if (s->by_fault)
			b[j] = touch_batch(run_batch_slot(j), buf[j], size, gran, false);
	}
	if (i == 0)
		s->thpkb = thp_kb(buf[0]);

	s->bs2d[i] = pair_sample();
	counters(&c0);
	s->ts2d[i] = timed_run(buf, b, k, size, s->by_fault, DRM_SVMGPU_REGION_DEVICE,
			       &s->st_s2d);
	counters(&c1);

	for (j = 0; s->by_fault && j < k; j++) {
		/* GPU writes where the data should live in RAM bring it back. */
		set_placement(buf[j], size, DRM_SVMGPU_PREFERRED_SYSTEM);
		b[j] = touch_batch(run_batch_slot(j), buf[j], size, gran, true);
	}
	s->td2s[i] = timed_run(buf, b, k, size, s->by_fault, DRM_SVMGPU_REGION_SYSTEM,
			       &s->st_d2s);
	s->bd2s[i] = pair_sample();
	counters(&c2);
	check_queue("migration");

	s->kib_s2d = delta(&c0, &c1, DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB) / k;
	s->kib_d2s = delta(&c1, &c2, DRM_SVMGPU_STAT_COPY_TO_RAM_KIB) / k;
	for (j = 0; j < k; j++) {
		if (!check_buf(buf[j], size, magic + j))
			s->ok = false;
		munmap(buf[j], size);
	}
}

static void migration_results(const struct series *s)
{
	const char *gname = s->small ? "4K" : "2M", *method = s->by_fault ? "fault" : "prefetch";

	add_mig(gname, method, "s2d", s->size, s->k, s->ts2d, s->bs2d, s->iters, s->kib_s2d,
		s->thpkb, s->st_s2d, s->ok);
	add_mig(gname, method, "d2s", s->size, s->k, s->td2s, s->bd2s, s->iters, s->kib_d2s,
		s->thpkb, s->st_d2s, s->ok);
}

/* ---- faults ------------------------------------------------------------- */

/*
 * Latency: single execs, each touching one fresh range (one fault). Rate:
 * one exec touching many fresh ranges. @kind: 0 first touch in system
 * memory, 1 first touch migrating to VRAM, 2 re-fault of the valid ranges
 * that kind 1 left behind (unbound through debugfs).
 */
static char *fault_region[2];
static size_t fault_region_size[2];

static void bench_faults(int kind, bool small, int nlat, int nrate)
{
	static const char *const names[] = { "first_touch_system", "first_touch_migrate",
					     "refault_valid" };
	const size_t gran = small ? SZ_4K : SZ_2M;
	const size_t size = (size_t)(nlat + nrate) * gran;
	struct fault_res *r = &faults[nfaults];
	uint64_t kc0[2] = {}, ku0[2] = {}, kc1[2] = {}, ku1[2] = {};
	char bucket[2][32], *buf;
	struct counters c0, c1;
	double *lat, t0, trate;
	int i, g = small ? 0 : 1;

	if (kind == 2) {
		if (!dbgdir[0]) {
			note("no debugfs unbind knob: re-fault not measured");
			return;
		}
		buf = fault_region[g];
	} else {
		buf = map_buf(size, !small);
		fill_buf(buf, size, 0xfa17);
		set_granularity(buf, size, small ? 12 : 21);
		if (kind == 0)
			set_placement(buf, size, DRM_SVMGPU_PREFERRED_SYSTEM);
	}

	/* One command buffer per sample, written before anything is timed. */
	svmgpu_batch_reset(batch);
	for (i = 0; i < nlat; i++) {
		svmgpu_cmd_store32(batch, buf + i * gran, i);
		svmgpu_batch_end(batch);
	}
	const size_t rate_off = batch->len;

	for (i = nlat; i < nlat + nrate; i++)
		svmgpu_cmd_store32(batch, buf + i * gran, i);
	svmgpu_batch_end(batch);
	const size_t one = sizeof(struct drm_svmgpu_cmd_store) + sizeof(struct drm_svmgpu_cmd_header);

	lat = calloc(nlat, sizeof(*lat));
	/* The kernel's own time per fault: a valid one if it counted it so. */
	snprintf(bucket[0], sizeof(bucket[0]), "valid_fault_%s", small ? "4K" : "2M");
	snprintf(bucket[1], sizeof(bucket[1]), "fault_%s", small ? "4K" : "2M");
	counters(&c0);
	for (i = 0; i < 2; i++)
		dbg_timed(bucket[i], &kc0[i], &ku0[i]);
	/* The rate run's faults are separated by the bucket delta below. */
	for (i = 0; i < nlat; i++) {
		if (kind == 2)
			dbg_write("unbind", "%lx %lx", (unsigned long)(buf + i * gran),
				  (unsigned long)gran);
		t0 = now_s();
		run_batch((char *)batch->buf + i * one);
		lat[i] = (now_s() - t0) * 1e6;
	}
	counters(&c1);
	for (i = 0; i < 2; i++)
		dbg_timed(bucket[i], &kc1[i], &ku1[i]);
	check_queue(names[kind]);

	if (kind == 2)
		dbg_write("unbind", "%lx %lx", (unsigned long)(buf + nlat * gran),
			  (unsigned long)(nrate * gran));
	t0 = now_s();
	run_batch((char *)batch->buf + rate_off);
	trate = now_s() - t0;
	check_queue(names[kind]);

	*r = (struct fault_res){ .name = names[kind], .gran = small ? "4K" : "2M", .range = gran,
				 .samples = nlat, .rate_faults = nrate,
				 .rate_per_s = nrate / trate, .kernel_us = -1,
				 .kernel_bucket = "", .base = base_now };
	r->mean_us = 0;
	for (i = 0; i < nlat; i++)
		r->mean_us += lat[i] / nlat;
	r->p50_us = percentile(lat, nlat, 50);
	r->p99_us = percentile(lat, nlat, 99);
	r->min_us = lat[0];
	for (i = 0; i < 2 && r->kernel_us < 0; i++) {
		if (kc1[i] > kc0[i]) {
			r->kernel_us = (double)(ku1[i] - ku0[i]) / (kc1[i] - kc0[i]);
			r->kernel_bucket = i ? "fault" : "valid_fault";
		}
	}
	r->faults = delta(&c0, &c1, DRM_SVMGPU_STAT_GPU_FAULTS);
	r->valid = delta(&c0, &c1, DRM_SVMGPU_STAT_GPU_FAULTS_VALID);
	r->migrations = delta(&c0, &c1, DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM);
	r->copy_kib = delta(&c0, &c1, DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB);
	r->binds = delta(&c0, &c1, DRM_SVMGPU_STAT_BINDS);
	nfaults++;
	free(lat);
	note("%s %s: p50 %.0f us p99 %.0f us (kernel %.0f us/fault), %.0f faults/s; "
	     "faults %llu valid %llu migrations %llu binds %llu", r->name, r->gran, r->p50_us,
	     r->p99_us, r->kernel_us, r->rate_per_s, (unsigned long long)r->faults,
	     (unsigned long long)r->valid, (unsigned long long)r->migrations,
	     (unsigned long long)r->binds);

	if (kind == 1) {
		fault_region[g] = buf;
		fault_region_size[g] = size;
	} else if (kind == 2) {
		munmap(buf, size);
		fault_region[g] = NULL;
	} else {
		munmap(buf, size);
	}
}

static void bench_job_roundtrip(int n)
{
	struct drm_svmgpu_cmd_header *end;
	double *lat = calloc(n, sizeof(*lat)), t0;
	int i;

	svmgpu_batch_reset(batch);
	end = (void *)svmgpu_batch_end(batch);
	for (i = 0; i < 8; i++)
		run_batch(end);
	for (i = 0; i < n; i++) {
		t0 = now_s();
		run_batch(end);
		lat[i] = (now_s() - t0) * 1e6;
	}
	check_queue("job round-trip");
	job_mean = 0;
	for (i = 0; i < n; i++)
		job_mean += lat[i] / n;
	job_p50 = percentile(lat, n, 50);
	job_p99 = percentile(lat, n, 99);
	job_samples = n;
	job_base = base_now;
	free(lat);
	note("job round-trip: p50 %.0f us p99 %.0f us", job_p50, job_p99);
}

/* ---- pipelining --------------------------------------------------------- */

/*
 * A prefetch to VRAM of @size bytes of 4K pages of which every other one was
 * written: the clear of new VRAM is for the pages the CPU never touched (a
 * fully populated range gets none), the copy behind it for the others.
 */
static double prefetch_s2d_once(size_t size, bool small)
{
	char *buf = map_buf(size, false);
	double t0, t;
	size_t off;

	for (off = 0; off < size; off += 2 * SZ_4K)
		memset(buf + off, 0x5a, SZ_4K);
	set_granularity(buf, size, small ? 12 : 21);
	t0 = now_s();
	prefetch(buf, size, DRM_SVMGPU_REGION_DEVICE);
	t = now_s() - t0;
	munmap(buf, size);
	return t;
}

/*
 * The clear of new VRAM where a range has holes: done at once by an idle
 * engine (the default), pipelined as pre_migrate_fence through the scheduler
 * (debugfs pipeline_clear), or waited for on the CPU first (also wait_clear).
 */
static void bench_pipelining(bool small, size_t size, int iters)
{
	struct pipe_res *p = &pipes[npipes];
	double t[3][8], b[3][8];
	int i, k;

	if (!dbgdir[0]) {
		note("no debugfs wait_clear knob: pipelining not measured");
		return;
	}
	for (i = 0; i < iters; i++) {
		for (k = 0; k < 3; k++) {
			if (!dbg_write("pipeline_clear", k ? "Y" : "N") ||
			    !dbg_write("wait_clear", k == 2 ? "Y" : "N"))
				die("cannot write the debugfs knobs pipeline_clear and wait_clear");
			b[k][i] = pair_sample();
			t[k][i] = prefetch_s2d_once(size, small);
		}
	}
	dbg_write("pipeline_clear", "N");
	dbg_write("wait_clear", "N");
	*p = (struct pipe_res){ .gran = small ? "4K" : "2M", .size = size, .iters = iters };
	p->at_once = pair_stats(size, t[0], b[0], iters);
	p->pipelined = pair_stats(size, t[1], b[1], iters);
	p->waited = pair_stats(size, t[2], b[2], iters);
	npipes++;
	note("clear of new VRAM, %s %zu MiB: at once %.2fx, pipelined %.2fx, waited %.2fx memcpy",
	     p->gran, size / MIB, p->at_once.x, p->pipelined.x, p->waited.x);
}

/* ---- transfers on one CPU or two --------------------------------------- */

/*
 * 2M prefetches of @size there and back, with the migrate engine's large
 * transfers shared with a second CPU (the default) and on one CPU only
 * (debugfs share_transfers N): what the second CPU adds, against a memcpy
 * baseline that runs on one.
 */
static void bench_sharing(size_t size, int iters)
{
	struct share_res *r = &shares[nshares];
	double t[2][2][8], b[2][2][8], t0;
	int i, kk, d;

	if (!dbgdir[0]) {
		note("no debugfs share_transfers knob: sharing not measured");
		return;
	}
	for (i = 0; i < iters; i++) {
		/* Alternate which goes first, so that neither always runs second. */
		for (kk = 0; kk < 2; kk++) {
			char *buf = map_buf(size, true);
			int k = (i + kk) % 2;

			if (!dbg_write("share_transfers", k ? "N" : "Y"))
				die("cannot write the debugfs knob share_transfers");
			fill_buf(buf, size, 0x5a4e0000ull + i * 2 + k);
			set_granularity(buf, size, 21);
			for (d = 0; d < 2; d++) {
				b[k][d][i] = pair_sample();
				t0 = now_s();
				prefetch(buf, size, d ? DRM_SVMGPU_REGION_SYSTEM :
						      DRM_SVMGPU_REGION_DEVICE);
				t[k][d][i] = now_s() - t0;
			}
			if (!check_buf(buf, size, 0x5a4e0000ull + i * 2 + k))
				die("sharing: data wrong after the round trip");
			munmap(buf, size);
		}
	}
	dbg_write("share_transfers", "Y");
	*r = (struct share_res){ .size = size, .iters = iters };
	for (d = 0; d < 2; d++) {
		r->two_cpus[d] = pair_stats(size, t[0][d], b[0][d], iters);
		r->one_cpu[d] = pair_stats(size, t[1][d], b[1][d], iters);
	}
	nshares++;
	note("2M prefetch %zu MiB, two CPUs / one: s2d %.2fx / %.2fx, d2s %.2fx / %.2fx memcpy",
	     size / MIB, r->two_cpus[0].x, r->one_cpu[0].x, r->two_cpus[1].x, r->one_cpu[1].x);
}

/* ---- CPU faults migrating back ------------------------------------------ */

struct toucher {
	pthread_barrier_t *bar;
	volatile char *p;
	size_t size;
	unsigned long sum;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;
	size_t off;

	pthread_barrier_wait(t->bar);
	for (off = 0; off < t->size; off += SZ_4K)
		t->sum += t->p[off + 8];
	return NULL;
}

static void bench_cpu_back(bool small, size_t size, int threads, int iters)
{
	struct back_res *r = &backs[nbacks];
	double t[8], b[8];
	bool ok = true;
	int i, k;

	for (i = 0; i < iters; i++) {
		char *buf = map_buf(size, !small);
		struct toucher tt[2];
		pthread_t th[2];
		pthread_barrier_t bar;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		double t0;

		fill_buf(buf, size, 0xbac0 + i);
		set_granularity(buf, size, small ? 12 : 21);
		prefetch(buf, size, DRM_SVMGPU_REGION_DEVICE);
		/* Past the 5 ms timeslice, or the CPU faults spin until it ends. */
		nanosleep(&ts, NULL);
		b[i] = pair_sample();
		pthread_barrier_init(&bar, NULL, threads + 1);
		for (k = 0; k < threads; k++) {
			tt[k] = (struct toucher){ &bar, buf + k * (size / threads), size / threads, 0 };
			if (pthread_create(&th[k], NULL, touch_thread, &tt[k]))
				die("pthread_create");
		}
		pthread_barrier_wait(&bar);
		t0 = now_s();
		for (k = 0; k < threads; k++)
			pthread_join(th[k], NULL);
		t[i] = now_s() - t0;
		pthread_barrier_destroy(&bar);
		if (!check_buf(buf, size, 0xbac0 + i))
			ok = false;
		munmap(buf, size);
	}
	*r = (struct back_res){ .gran = small ? "4K" : "2M", .size = size, .threads = threads,
				.iters = iters, .verified = ok };
	r->r = pair_stats(size, t, b, iters);
	nbacks++;
	note("CPU-fault migrate-back %s %zu MiB, %d thread(s): %.3f GB/s (%.2fx memcpy)%s",
	     r->gran, size / MIB, threads, r->r.gbps, r->r.x, ok ? "" : ", DATA WRONG");
}

/* ---- the peer: lib/test_hmm.c ------------------------------------------- */

static int dm_ioctl(int dfd, unsigned long req, void *buf, void *mirror, size_t size,
		    uint64_t *cpages)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)buf,
		.ptr = (uintptr_t)mirror,
		.npages = size / SZ_4K,
	};
	int ret;

	do {
		ret = ioctl(dfd, req, &cmd);
	} while (ret && (errno == EINTR || errno == EBUSY));
	if (ret)
		return -errno;
	*cpages = cmd.cpages;
	return 0;
}

/*
 * One iteration of the same migrations through dmirror, with as many
 * buffers per run as svmgpu's case it is compared with (2M prefetch on THP,
 * 4K on 4K pages): fresh buffers, as svmgpu's, each migrated there and back
 * once before the timed runs (hmm-tests' benchmark_thp_migration warms up
 * so, and dmirror allocates its device memory at the first migration).
 */
static int dmirror_fd = -1;

/* @req for each of the @k buffers in turn; the pages of the last in @cpages. */
static int dm_all(unsigned long req, char *const *buf, char *const *mirror, int k, size_t size,
		  uint64_t *cpages)
{
	int j, err = 0;

	for (j = 0; !err && j < k; j++)
		err = dm_ioctl(dmirror_fd, req, buf[j], mirror[j], size, cpages);
	return err;
}

/* One try of iteration @i of @s; returns 0 or a negative errno. */
static int dmirror_try(struct series *s, int i)
{
	const size_t size = s->size;
	const bool thp = !s->small;
	char *buf[MAX_PER_RUN], *mirror[MAX_PER_RUN];
	int k = s->k, j, err;
	uint64_t cp = 0;
	double t0;

	for (j = 0; j < k; j++) {
		buf[j] = map_buf(size, thp);
		mirror[j] = map_buf(size, false);
		memset(mirror[j], 0, size);
		fill_buf(buf[j], size, 0xd3110000ull + j);
	}
	err = dm_all(HMM_DMIRROR_MIGRATE_TO_DEV, buf, mirror, k, size, &cp);
	if (!err)
		err = dm_all(HMM_DMIRROR_MIGRATE_TO_SYS, buf, mirror, k, size, &cp);
	s->bs2d[i] = pair_sample();
	t0 = now_s();
	if (!err)
		err = dm_all(HMM_DMIRROR_MIGRATE_TO_DEV, buf, mirror, k, size, &s->kib_s2d);
	s->ts2d[i] = now_s() - t0;
	t0 = now_s();
	if (!err)
		err = dm_all(HMM_DMIRROR_MIGRATE_TO_SYS, buf, mirror, k, size, &s->kib_d2s);
	s->td2s[i] = now_s() - t0;
	s->bd2s[i] = pair_sample();
	for (j = 0; j < k; j++) {
		if (!err && !check_buf(buf[j], size, 0xd3110000ull + j))
			s->ok = false;
		munmap(buf[j], size);
		munmap(mirror[j], size);
	}
	return err;
}

/*
 * dmirror's MIGRATE_TO_DEV fails with ENOENT when it left pages behind:
 * a page it could not isolate (still in another CPU's LRU batch) or a
 * THP of backing memory it could not allocate. make bench saw it once at
 * 256 MiB. Such an iteration is tried once more after compact_memory,
 * which drains the LRU batches of every CPU and compacts; a series that
 * still fails is left out, and the others go on.
 */
static void dmirror_iteration(struct series *s)
{
	int i = s->done++, err;
	FILE *f;

	err = dmirror_try(s, i);
	if (err == -ENOENT) {
		note("dmirror %s %zu MiB: pages left behind, once more after compact_memory",
		     s->small ? "4K" : "THP", s->size / MIB);
		f = fopen("/proc/sys/vm/compact_memory", "w");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
		err = dmirror_try(s, i);
	}
	if (err) {
		snprintf(dmirror_err + strlen(dmirror_err), sizeof(dmirror_err) - strlen(dmirror_err),
			 "%s%s %zu MiB: %s", dmirror_err[0] ? "; " : "", s->small ? "4K" : "THP",
			 s->size / MIB, strerror(-err));
		s->failed = true;
	}
}

static void dmirror_results(const struct series *s)
{
	struct dm *a = &dms[ndms++], *z = &dms[ndms++];
	const bool thp = !s->small;

	*a = (struct dm){ .thp = thp, .dir = "s2d", .size = s->size, .iters = s->iters,
			  .per_run = s->k, .cpages = s->kib_s2d };
	a->r = pair_stats(s->size * s->k, s->ts2d, s->bs2d, s->iters);
	a->gbps = a->r.gbps;
	*z = (struct dm){ .thp = thp, .dir = "d2s", .size = s->size, .iters = s->iters,
			  .per_run = s->k, .cpages = s->kib_d2s };
	z->r = pair_stats(s->size * s->k, s->td2s, s->bd2s, s->iters);
	z->gbps = z->r.gbps;
	note("dmirror %s %4zu MiB x%-2d: s2d %.2fx memcpy, d2s %.2fx memcpy, cpages %llu%s",
	     thp ? "THP" : "4K ", s->size / MIB, s->k, a->r.x, z->r.x,
	     (unsigned long long)s->kib_s2d, s->ok ? "" : ", DATA WRONG");
}

/*
 * Run every series in rounds, one iteration of each per round, and record
 * the results. Under TCG on a shared host the vCPUs slow down for seconds
 * at a time; run one size after the other and such an episode takes most
 * runs of one size (make bench saw 2M prefetches back to RAM of 128 MiB at
 * 0.42-0.48x memcpy in five runs in a row, every other size at 0.7-0.8x).
 * In rounds, the runs of a size spread over the whole section, and svmgpu
 * and dmirror of one size run within a round of each other.
 */
static void run_series(struct series *s, int n)
{
	bool more = true;
	int i;

	while (more) {
		more = false;
		local_baseline();
		for (i = 0; i < n; i++) {
			if (s[i].done >= s[i].iters || s[i].failed || (s[i].dmirror && !dmirror_ok))
				continue;
			if (s[i].dmirror)
				dmirror_iteration(&s[i]);
			else
				migration_iteration(&s[i]);
			more = true;
		}
	}
	for (i = 0; i < n; i++) {
		if (!s[i].dmirror)
			migration_results(&s[i]);
		else if (dmirror_ok && !s[i].failed)
			dmirror_results(&s[i]);
	}
}

/* ---- JSON --------------------------------------------------------------- */

static FILE *jf;
static int jdepth;
static bool jfirst[16];

static void jsep(const char *key)
{
	if (!jfirst[jdepth])
		fputc(',', jf);
	jfirst[jdepth] = false;
	fprintf(jf, "\n%*s", 2 * jdepth, "");
	if (key)
		fprintf(jf, "\"%s\": ", key);
}

static void jopen(const char *key, char c)
{
	jsep(key);
	fputc(c, jf);
	jfirst[++jdepth] = true;
}

static void jclose(char c)
{
	jdepth--;
	fprintf(jf, "\n%*s%c", 2 * jdepth, "", c);
}

static void jnum(const char *key, double v)
{
	jsep(key);
	if (isfinite(v))
		fprintf(jf, "%.6g", v);
	else
		fputs("null", jf);
}

static void jint(const char *key, long long v)
{
	jsep(key);
	fprintf(jf, "%lld", v);
}

static void jstr(const char *key, const char *s)
{
	jsep(key);
	fputc('"', jf);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', jf);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, jf);
	}
	fputc('"', jf);
}

static void jbool(const char *key, bool b)
{
	jsep(key);
	fputs(b ? "true" : "false", jf);
}

/* A bandwidth with its ratio to the memcpy sample @base: "<key>", "<key>_x_memcpy". */
static void jbw(const char *key, double gbps, double base)
{
	char k[64];

	jnum(key, gbps);
	snprintf(k, sizeof(k), "%s_x_memcpy", key);
	jnum(k, gbps / base);
}

/*
 * A paired result: "<key>" GB/s, "<key>_x_memcpy", "<key>_best_x_memcpy" and
 * every run's ratio in "<key>_runs_x_memcpy".
 */
static void jpaired(const char *key, const struct paired *r)
{
	char k[64];
	int i;

	jnum(key, r->gbps);
	snprintf(k, sizeof(k), "%s_x_memcpy", key);
	jnum(k, r->x);
	snprintf(k, sizeof(k), "%s_best_x_memcpy", key);
	jnum(k, r->best_x);
	snprintf(k, sizeof(k), "%s_memcpy_gbps", key);
	jnum(k, r->base);
	snprintf(k, sizeof(k), "%s_runs_x_memcpy", key);
	jopen(k, '[');
	for (i = 0; i < r->n; i++)
		jnum(NULL, r->runs_x[i]);
	jclose(']');
}

/* Time in µs and in units of "memcpy of @bytes at @base GB/s". */
static void jus(const char *key, double us, size_t bytes, double base)
{
	char k[64];

	jnum(key, us);
	snprintf(k, sizeof(k), "%s_x_memcpy", key);
	jnum(k, us / (bytes / (base * 1e9) * 1e6));
}

static const struct mig *find_mig(const char *gran, const char *method, const char *dir,
				  size_t size)
{
	int i;

	for (i = 0; i < nmigs; i++)
		if (!strcmp(migs[i].gran, gran) && !strcmp(migs[i].method, method) &&
		    !strcmp(migs[i].dir, dir) && migs[i].size == size)
			return &migs[i];
	return NULL;
}

static const struct dm *find_dm(bool thp, const char *dir, size_t size)
{
	int i;

	for (i = 0; i < ndms; i++)
		if (dms[i].thp == thp && !strcmp(dms[i].dir, dir) && dms[i].size == size)
			return &dms[i];
	return NULL;
}

static const char *const dirs[] = { "s2d", "d2s" };
static const char *const methods[] = { "prefetch", "fault" };

/* Goal entries: every one says whether it is met and by which worst case. */
static void jgoal(const char *name, const char *desc, bool measured, bool met, double worst,
		  double target, const char *where)
{
	jopen(NULL, '{');
	jstr("name", name);
	jstr("goal", desc);
	jbool("measured", measured);
	jbool("met", measured && met);
	jnum("worst", worst);
	jnum("target", target);
	jstr("worst_at", where);
	jclose('}');
}

static void write_goals(void)
{
	char where[96];
	int d, m, s;

	jopen("goals", '[');
	/* 1: 2M migration >= 0.5 x memcpy, both directions, sizes >= 2 MiB. */
	for (m = 0; m < 2; m++) {
		for (d = 0; d < 2; d++) {
			double worst = INFINITY;
			char name[64];

			where[0] = '\0';
			for (s = 0; s < nsizes; s++) {
				const struct mig *x = find_mig("2M", methods[m], dirs[d], sizes[s]);

				if (!x || sizes[s] < SZ_2M)
					continue;
				if (x->r.x < worst) {
					worst = x->r.x;
					snprintf(where, sizeof(where), "%zu MiB", sizes[s] / MIB);
				}
			}
			snprintf(name, sizeof(name), "2m_vs_memcpy_%s_%s", methods[m], dirs[d]);
			jgoal(name, "2M-granularity migration >= 0.5 x memcpy bandwidth",
			      isfinite(worst), worst >= 0.5, worst, 0.5, where);
		}
	}
	/* 2: 2M >= 4 x 4K migration throughput. */
	for (m = 0; m < 2; m++) {
		for (d = 0; d < 2; d++) {
			double worst = INFINITY;
			char name[64];

			where[0] = '\0';
			for (s = 0; s < nsizes; s++) {
				const struct mig *a = find_mig("2M", methods[m], dirs[d], sizes[s]);
				const struct mig *b = find_mig("4K", methods[m], dirs[d], sizes[s]);

				if (!a || !b || sizes[s] < SZ_2M)
					continue;
				if (a->r.x / b->r.x < worst) {
					worst = a->r.x / b->r.x;
					snprintf(where, sizeof(where), "%zu MiB", sizes[s] / MIB);
				}
			}
			snprintf(name, sizeof(name), "2m_vs_4k_%s_%s", methods[m], dirs[d]);
			jgoal(name, "2M migration >= 4 x 4K migration throughput", isfinite(worst),
			      worst >= 4, worst, 4, where);
		}
	}
	/*
	 * 3: svmgpu >= dmirror at every size >= 2 MiB (prefetch, THP memory);
	 * not met while a size has no dmirror result.
	 */
	for (d = 0; d < 2; d++) {
		double worst = INFINITY;
		char name[64], missing[48] = "";

		where[0] = '\0';
		for (s = 0; s < nsizes; s++) {
			const struct mig *a = find_mig("2M", "prefetch", dirs[d], sizes[s]);
			const struct dm *b = find_dm(true, dirs[d], sizes[s]);

			if (!a || sizes[s] < SZ_2M)
				continue;
			if (!b) {
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 "%s%zu", missing[0] ? "," : "", sizes[s] / MIB);
				continue;
			}
			if (a->r.x / b->r.x < worst) {
				worst = a->r.x / b->r.x;
				snprintf(where, sizeof(where), "%zu MiB", sizes[s] / MIB);
			}
		}
		if (missing[0] && isfinite(worst))
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 "; no dmirror result at %s MiB", missing);
		snprintf(name, sizeof(name), "svmgpu_vs_dmirror_thp_%s", dirs[d]);
		jgoal(name, "svmgpu (2M prefetch) >= dmirror (THP) at every size >= 2 MiB",
		      isfinite(worst), worst >= 1 && !missing[0], worst, 1, where);
	}
	jclose(']');
}

static void write_json(const char *path)
{
	struct utsname u;
	char buf[256];
	FILE *f;
	int i;

	jf = fopen(path, "w");
	if (!jf)
		die("%s: %s", path, strerror(errno));
	jdepth = 0;
	jfirst[0] = true;
	fputc('{', jf);
	jfirst[1] = true;
	jdepth = 1;

	jopen("meta", '{');
	uname(&u);
	jstr("kernel", u.release);
	jint("cpus", sysconf(_SC_NPROCESSORS_ONLN));
	jint("mem_mib", (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / MIB);
	jstr("git", getenv("BENCH_GIT") ? getenv("BENCH_GIT") : "unknown");
	jstr("svmgpu_params", getenv("SVMGPU_PARAMS") ? getenv("SVMGPU_PARAMS") : "");
	jint("vram_size_mb", svmgpu_module_param("vram_size_mb"));
	jint("migrate_on_fault", svmgpu_module_param("migrate_on_fault"));
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		jstr("thp_enabled", buf);
	}
	if (f)
		fclose(f);
	jbool("quick", quick);
	jbool("debugfs_knobs", dbgdir[0] != '\0');
	jclose('}');

	jopen("memcpy", '{');
	jnum("gbps", memcpy_gbps);
	jnum("start_gbps", memcpy_start);
	jnum("end_gbps", memcpy_end);
	jopen("samples", '[');
	for (i = 0; i < nmemcpy; i++)
		jnum(NULL, memcpy_samples[i]);
	jclose(']');
	jstr("how", "single-thread glibc memcpy of 64 MiB between THP buffers: fresh ones, "
		    "fastest of 5, at the start and the end; two that stay mapped, one copy "
		    "right before or after every timed run, and the fastest of 3 before every "
		    "group (the fault latencies use that one). A bandwidth result is the "
		    "median over its runs; its _x_memcpy is the median of every run's ratio "
		    "to its own memcpy sample; gbps here is the median of the group samples");
	jclose('}');
	jopen("memset", '{');
	jbw("gbps", memset_gbps, memcpy_start);
	jclose('}');

	jopen("migration", '[');
	for (i = 0; i < nmigs; i++) {
		const struct mig *m = &migs[i];

		jopen(NULL, '{');
		jstr("granularity", m->gran);
		jstr("method", m->method);
		jstr("direction", m->dir);
		jint("size_mib", m->size / MIB);
		jint("iterations", m->iters);
		jint("buffers_per_run", m->per_run);
		jpaired("gbps", &m->r);
		jnum("fastest_gbps", m->fastest_gbps);
		jint("copied_kib", m->copied_kib);
		jint("anon_huge_kib", m->thp_kb);
		jint("compact_stalls", m->stalls.compact);
		jint("reclaim_stalls", m->stalls.reclaim);
		jbool("verified", m->verified);
		jclose('}');
	}
	jclose(']');

	jopen("faults", '[');
	for (i = 0; i < nfaults; i++) {
		const struct fault_res *r = &faults[i];

		jopen(NULL, '{');
		jstr("kind", r->name);
		jstr("granularity", r->gran);
		jint("samples", r->samples);
		jnum("memcpy_gbps", r->base);
		jus("p50_us", r->p50_us, r->range, r->base);
		jus("p99_us", r->p99_us, r->range, r->base);
		jus("mean_us", r->mean_us, r->range, r->base);
		jint("range_kib", r->range / KIB);
		jnum("kernel_fault_us", r->kernel_us);
		jstr("kernel_fault_bucket", r->kernel_bucket);
		jint("rate_faults", r->rate_faults);
		jnum("rate_per_s", r->rate_per_s);
		jbw("rate_gbps", r->rate_per_s * r->range / 1e9, r->base);
		jint("gpu_faults", r->faults);
		jint("gpu_faults_valid", r->valid);
		jint("migrations_to_vram", r->migrations);
		jint("copy_to_vram_kib", r->copy_kib);
		jint("binds", r->binds);
		jclose('}');
	}
	jclose(']');

	jopen("job_roundtrip", '{');
	jint("samples", job_samples);
	jnum("memcpy_gbps", job_base);
	jus("p50_us", job_p50, SZ_2M, job_base);
	jus("p99_us", job_p99, SZ_2M, job_base);
	jus("mean_us", job_mean, SZ_2M, job_base);
	jstr("x_memcpy_unit", "the time memcpy takes for 2 MiB");
	jclose('}');

	jopen("pipelining", '[');
	for (i = 0; i < npipes; i++) {
		const struct pipe_res *p = &pipes[i];

		jopen(NULL, '{');
		jstr("granularity", p->gran);
		jint("size_mib", p->size / MIB);
		jint("iterations", p->iters);
		jpaired("at_once_gbps", &p->at_once);
		jpaired("pipelined_gbps", &p->pipelined);
		jpaired("waited_gbps", &p->waited);
		jnum("speedup", p->pipelined.x / p->waited.x);
		jnum("at_once_over_pipelined", p->at_once.x / p->pipelined.x);
		jclose('}');
	}
	jclose(']');

	jopen("sharing", '[');
	for (i = 0; i < nshares; i++) {
		const struct share_res *r = &shares[i];

		jopen(NULL, '{');
		jstr("granularity", "2M");
		jint("size_mib", r->size / MIB);
		jint("iterations", r->iters);
		jpaired("two_cpus_s2d_gbps", &r->two_cpus[0]);
		jpaired("one_cpu_s2d_gbps", &r->one_cpu[0]);
		jpaired("two_cpus_d2s_gbps", &r->two_cpus[1]);
		jpaired("one_cpu_d2s_gbps", &r->one_cpu[1]);
		jnum("speedup_s2d", r->two_cpus[0].x / r->one_cpu[0].x);
		jnum("speedup_d2s", r->two_cpus[1].x / r->one_cpu[1].x);
		jclose('}');
	}
	jclose(']');

	jopen("cpu_fault_back", '[');
	for (i = 0; i < nbacks; i++) {
		const struct back_res *b = &backs[i];

		jopen(NULL, '{');
		jstr("granularity", b->gran);
		jint("size_mib", b->size / MIB);
		jint("threads", b->threads);
		jint("iterations", b->iters);
		jpaired("gbps", &b->r);
		jbool("verified", b->verified);
		jclose('}');
	}
	jclose(']');

	jopen("dmirror", '{');
	jbool("ok", dmirror_ok && ndms);
	jstr("error", dmirror_err);
	jopen("results", '[');
	for (i = 0; i < ndms; i++) {
		const struct dm *d = &dms[i];
		const struct mig *m = find_mig(d->thp ? "2M" : "4K", "prefetch", d->dir, d->size);

		jopen(NULL, '{');
		jstr("memory", d->thp ? "THP" : "4K pages");
		jstr("direction", d->dir);
		jint("size_mib", d->size / MIB);
		jint("iterations", d->iters);
		jint("buffers_per_run", d->per_run);
		jpaired("gbps", &d->r);
		jint("cpages", d->cpages);
		if (m) {
			jstr("svmgpu_case", d->thp ? "prefetch 2M" : "prefetch 4K");
			jpaired("svmgpu_gbps", &m->r);
			/* Each against its own memcpy samples: host drift cancels. */
			jnum("svmgpu_over_dmirror", m->r.x / d->r.x);
		}
		jclose('}');
	}
	jclose(']');
	jclose('}');

	write_goals();
	jclose('}');
	fputc('\n', jf);
	fclose(jf);
}

/* ---- profiling ---------------------------------------------------------- */

/* Loop one case for @seconds, for perf record around this process. */
static void profile(const char *name, double seconds)
{
	double end = now_s() + seconds;
	bool small = strstr(name, "4K") != NULL;
	size_t size = small ? 16 * MIB : 64 * MIB;
	int n = 0;

	while (now_s() < end && strstr(name, "cpuback")) {
		/* CPU faults of 2 threads bringing a prefetched buffer back. */
		nbacks = 0;
		bench_cpu_back(small, size, 2, 1);
		n++;
	}
	while (now_s() < end && !strstr(name, "cpuback")) {
		char *buf = map_buf(size, !small);

		fill_buf(buf, size, 1);
		set_granularity(buf, size, small ? 12 : 21);
		if (strstr(name, "fault")) {
			run_batch(touch_batch(batch, buf, size, small ? SZ_4K : SZ_2M, false));
			set_placement(buf, size, DRM_SVMGPU_PREFERRED_SYSTEM);
			run_batch(touch_batch(batch, buf, size, small ? SZ_4K : SZ_2M, true));
		} else {
			prefetch(buf, size, DRM_SVMGPU_REGION_DEVICE);
			prefetch(buf, size, DRM_SVMGPU_REGION_SYSTEM);
		}
		check_queue(name);
		munmap(buf, size);
		n++;
	}
	note("profile %s: %d rounds of %zu MiB there and back", name, n, size / MIB);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *out = NULL, *dmdev = "/dev/hmm_dmirror0", *prof = NULL;
	static struct series series[6 * MAX_SIZES];
	double seconds = 10;
	int i, d, g, nseries = 0;
	size_t s;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--min-size") && i + 1 < argc)
			min_size = strtoull(argv[++i], NULL, 0) * MIB;
		else if (!strcmp(argv[i], "--max-size") && i + 1 < argc)
			max_size = strtoull(argv[++i], NULL, 0) * MIB;
		else if (!strcmp(argv[i], "--dmirror") && i + 1 < argc)
			dmdev = argv[++i];
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			prof = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--sections") && i + 1 < argc)
			sections = argv[++i];
		else
			die("usage: svmgpu_bench --out FILE [--quick] [--min-size MIB] [--max-size MIB] "
			    "[--dmirror DEV] [--sections mig2m,mig4k,faults,pipe,share,back,dmirror] | "
			    "--profile NAME [--seconds N]");
	}
	if (!out && !prof)
		die("--out FILE is required");
	setvbuf(stderr, NULL, _IOLBF, 0);

	open_device();
	/* The first migration creates the pagemap: keep that out of the numbers. */
	{
		char *w = map_buf(4 * MIB, true);

		fill_buf(w, 4 * MIB, 0);
		prefetch(w, 4 * MIB, DRM_SVMGPU_REGION_DEVICE);
		prefetch(w, 4 * MIB, DRM_SVMGPU_REGION_SYSTEM);
		munmap(w, 4 * MIB);
	}
	if (prof) {
		profile(prof, seconds);
		return 0;
	}

	for (s = MIB; s <= max_size && nsizes < MAX_SIZES; s *= 2)
		if (s >= min_size)
			sizes[nsizes++] = s;

	memcpy_start = measure_memcpy(false, 64 * MIB, 5);
	memset_gbps = measure_memcpy(true, 64 * MIB, 5);
	note("memcpy %.3f GB/s, memset %.3f GB/s", memcpy_start, memset_gbps);

	dmirror_ok = section("dmirror");
	if (dmirror_ok) {
		dmirror_fd = open(dmdev, O_RDWR | O_CLOEXEC);
		if (dmirror_fd < 0) {
			snprintf(dmirror_err, sizeof(dmirror_err), "open %s: %s", dmdev,
				 strerror(errno));
			dmirror_ok = false;
		}
	} else {
		snprintf(dmirror_err, sizeof(dmirror_err), "not run (--sections)");
	}
	/* Each dmirror series right after the svmgpu prefetch it is compared with. */
	for (i = 0; i < nsizes; i++) {
		for (g = 0; g < 2; g++) {
			bool mig = section(g ? "mig4k" : "mig2m");

			if (mig)
				new_series(series, &nseries, false, g, false, sizes[i]);
			if (dmirror_ok)
				new_series(series, &nseries, true, g, false, sizes[i]);
			if (mig)
				new_series(series, &nseries, false, g, true, sizes[i]);
		}
	}
	run_series(series, nseries);
	if (dmirror_fd >= 0)
		close(dmirror_fd);
	if (!dmirror_ok || dmirror_err[0])
		note("dmirror: %s", dmirror_err);

	if (section("faults")) {
		local_baseline();
		bench_job_roundtrip(quick ? 50 : 200);
	}
	for (d = 0; section("faults") && d < 2; d++) {
		bool small = d == 0;
		int nlat = small ? (quick ? 64 : 256) : (quick ? 16 : 64);
		int nrate = small ? (quick ? 64 : 256) : (quick ? 16 : 32);

		local_baseline();
		bench_faults(0, small, nlat, nrate);
		bench_faults(1, small, nlat, nrate);
		bench_faults(2, small, nlat, nrate);
		if (fault_region[small ? 0 : 1])
			munmap(fault_region[small ? 0 : 1], fault_region_size[small ? 0 : 1]);
	}

	if (section("pipe")) {
		local_baseline();
		bench_pipelining(false, 64 * MIB, quick ? 1 : 3);
		bench_pipelining(true, 8 * MIB, quick ? 1 : 3);
	}

	if (section("share")) {
		local_baseline();
		bench_sharing(64 * MIB, quick ? 1 : 4);
	}

	for (i = 1; section("back") && i <= 2; i++) {
		local_baseline();
		bench_cpu_back(false, 64 * MIB, i, quick ? 1 : 3);
		bench_cpu_back(true, 16 * MIB, i, quick ? 1 : 2);
	}

	memcpy_end = measure_memcpy(false, 64 * MIB, 5);
	memcpy_samples[nmemcpy++] = memcpy_start;
	memcpy_samples[nmemcpy++] = memcpy_end;
	{
		double sorted[128];

		memcpy(sorted, memcpy_samples, nmemcpy * sizeof(*sorted));
		memcpy_gbps = percentile(sorted, nmemcpy, 50);
	}
	note("memcpy at the end %.3f GB/s; median of %d samples %.3f GB/s", memcpy_end, nmemcpy,
	     memcpy_gbps);
	write_json(out);
	return 0;
}
