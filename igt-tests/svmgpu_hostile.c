// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_hostile: svmgpu against a user who tries to break it. GPU jobs
 * translating addresses while other threads of the process fault, munmap and
 * mprotect; a forked child using the file it inherited; jobs that would run
 * forever; processes killed in every blocking call; a queue, a command
 * buffer and the memory attributes pushed to their limits; the kernel memory
 * a process makes svmgpu allocate charged to its memory cgroup; the 32-bit
 * compat path. Each subtest checks from the CPU that the data is what it
 * must be and that the limits answer with their documented errno; the
 * kernel log (which igt_runner watches) must stay clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define SZ_4K		4096ul
#define SZ_64K		(64ul << 10)
#define SZ_1M		(1ul << 20)
#define SZ_2M		(2ul << 20)

#define PARAM_TIMEOUT	"/sys/module/svmgpu/parameters/job_timeout_ms"
/* How long a killed or exiting process may take to be gone. */
#define DEATH_BOUND_S	10

/* A file with a VM, a queue and a command buffer. */
struct ctx {
	int fd;
	uint32_t vm, q;
	struct svmgpu_batch *b;
};

static void ctx_open(struct ctx *c)
{
	c->fd = svmgpu_open_or_skip();
	c->vm = svmgpu_vm_create(c->fd);
	c->q = svmgpu_queue_create(c->fd, c->vm);
	c->b = svmgpu_batch_new();
}

static void ctx_close(struct ctx *c)
{
	svmgpu_batch_free(c->b);
	close(c->fd);
}

/* Run @c's command buffer on @q, empty it, and return the job's error. */
static int run_on(struct ctx *c, uint32_t q)
{
	int err = svmgpu_exec_wait(c->fd, q, svmgpu_batch_end(c->b));

	svmgpu_batch_reset(c->b);
	return err;
}

static int madvise_ram(int fd, uint32_t vm, const void *p, size_t size)
{
	return libsvmgpu_madvise_preferred_location(fd, vm, p, size, DRM_SVMGPU_PREFERRED_SYSTEM);
}

/*
 * Run @child(@arg, fd) in a forked process, fd the write end of a pipe it
 * reports through; @child never returns. What it reports (at most @size - 1
 * bytes, terminated) lands in @buf and *@n gets read()'s result.
 * Return: the child's pid.
 */
static pid_t fork_reporting(void (*child)(void *arg, int report), void *arg, char *buf,
			    size_t size, ssize_t *n)
{
	int pipefd[2];
	pid_t pid;

	igt_assert_eq(pipe(pipefd), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		child(arg, pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	memset(buf, 0, size);
	*n = read(pipefd[0], buf, size - 1);
	close(pipefd[0]);
	return pid;
}

/* ---- the job timeout parameter ---- */

static long default_timeout = -1;

/* Back to the value at the start: every subtest begins with it. */
static void timeout_restore(void)
{
	if (default_timeout > 0)
		svmgpu_write_long(PARAM_TIMEOUT, default_timeout);
}

static void timeout_set(long ms)
{
	igt_require_f(default_timeout > 0, "no %s (not root, or an older svmgpu)\n",
		      PARAM_TIMEOUT);
	igt_assert_eq(svmgpu_write_long(PARAM_TIMEOUT, ms), 0);
	igt_assert_eq(svmgpu_read_long(PARAM_TIMEOUT), ms);
}

/*
 * A command buffer that keeps the GPU busy for minutes: fills of @size bytes
 * at @buf, each with the next value from 1 up, as many as fit.
 */
static void emit_spin(struct svmgpu_batch *b, uint32_t *buf, size_t size)
{
	size_t room = (b->cap - 64) / sizeof(struct drm_svmgpu_cmd_fill);

	for (uint32_t v = 1; v <= room; v++)
		svmgpu_cmd_fill32(b, buf, size, v);
}

#define SPIN_SIZE	(4 * SZ_1M)

/* Wait until the spinning job at @buf has started; false after 60 s. */
static bool spin_started(const volatile uint32_t *buf)
{
	double t0 = svmgpu_now_s();

	while (!buf[0]) {
		if (svmgpu_now_s() - t0 > 60)
			return false;
		svmgpu_sleep_ms(5);
	}
	return true;
}

/* ---- 1. page-table lookups racing range changes ---- */

/*
 * One region of 4K ranges: the even pages are the stable ones the GPU fills
 * and sums, the odd ones are churned: remapped, write-protected and
 * zapped by the CPU while other GPU jobs fault them back in. Ranges come and
 * go right next to those the GPU is translating through, in the same nodes
 * of its page table.
 */
#define RACE_SECONDS	4
#define RACE_MAX_SECONDS	300
#define RACE_MIN_JOBS	3
#define RACE_SIZE	(2 * SZ_1M)
#define RACE_PIECE	SZ_4K
#define RACE_PIECES	(RACE_SIZE / RACE_PIECE)
#define PIECE_WORDS	(RACE_PIECE / 4)
/* The GPU's sum of every stable piece. */
#define SUMS_SIZE	((RACE_PIECES / 2 * 8 + SZ_4K - 1) & ~(SZ_4K - 1))

struct race {
	int fd;
	uint32_t vm;
	char *mem;
	atomic_bool stop;
	atomic_int stable_jobs, churn_jobs, churn_faults, cpu_ops;
	char error[256];	/* the first failure any thread saw */
	pthread_mutex_t lock;
};

static void race_fail(struct race *r, const char *fmt, ...) __igt_printf(2, 3);

static void race_fail(struct race *r, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&r->lock);
	if (!r->error[0]) {
		va_start(ap, fmt);
		vsnprintf(r->error, sizeof(r->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&r->lock);
	atomic_store(&r->stop, true);
}

static uint32_t *stable_piece(struct race *r, size_t i)
{
	return (uint32_t *)(r->mem + 2 * i * RACE_PIECE);
}

/* Fills every stable piece and sums them all; the CPU checks both. */
static void *race_stable(void *arg)
{
	struct race *r = arg;
	struct svmgpu_batch *b = svmgpu_batch_new();
	uint64_t *sum = svmgpu_map_anon(SUMS_SIZE);
	uint32_t q, v = 0;
	int err;

	if (libsvmgpu_queue_create(r->fd, r->vm, &q) ||
	    madvise_ram(r->fd, r->vm, b->buf, b->cap) ||
	    madvise_ram(r->fd, r->vm, sum, SUMS_SIZE)) {
		race_fail(r, "stable: setup failed");
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		v++;
		for (size_t i = 0; i < RACE_PIECES / 2; i++)
			svmgpu_cmd_fill32(b, stable_piece(r, i), RACE_PIECE, v);
		for (size_t i = 0; i < RACE_PIECES / 2; i++)
			svmgpu_cmd_reduce(b, DRM_SVMGPU_REDUCE_SUM_U32, stable_piece(r, i),
					  PIECE_WORDS, &sum[i]);
		err = __svmgpu_exec_wait(r->fd, q, svmgpu_batch_end(b));
		svmgpu_batch_reset(b);
		if (err) {
			struct drm_svmgpu_queue_get_fault f = {};

			libsvmgpu_queue_get_fault(r->fd, q, &f);
			race_fail(r, "stable: job %u failed: %d, at 0x%llx (region offset 0x%llx), "
				  "access %u", v, err, (unsigned long long)f.fault_address,
				  (unsigned long long)(f.fault_address - (uintptr_t)r->mem),
				  f.fault_access);
			break;
		}
		for (size_t i = 0; i < RACE_PIECES / 2; i++) {
			uint32_t *p = stable_piece(r, i);

			if (p[0] != v || p[PIECE_WORDS - 1] != v || p[(i * 131) % PIECE_WORDS] != v)
				race_fail(r, "stable: piece %zu holds 0x%x after job %u", i, p[0], v);
			if (sum[i] != (uint64_t)v * PIECE_WORDS)
				race_fail(r, "stable: the GPU sum of piece %zu is %llu after job %u",
					  i, (unsigned long long)sum[i], v);
		}
		atomic_fetch_add(&r->stable_jobs, 1);
	}
	svmgpu_batch_free(b);
	munmap(sum, SUMS_SIZE);
	return NULL;
}

/*
 * Prefetches and stores into the churned pieces: ranges inserted where the
 * CPU keeps removing them.
 */
static void *race_churn_gpu(void *arg)
{
	struct race *r = arg;
	struct svmgpu_batch *b = svmgpu_batch_new();
	unsigned int seed = (uintptr_t)b;
	uint32_t q = 0;
	int err;

	if (madvise_ram(r->fd, r->vm, b->buf, b->cap)) {
		race_fail(r, "churn: setup failed");
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		if (!q && libsvmgpu_queue_create(r->fd, r->vm, &q)) {
			race_fail(r, "churn: no queue");
			break;
		}
		/* Ranges inserted by the ioctl, as fast as the CPU can. */
		for (int i = 0; i < 4; i++)
			svmgpu_prefetch(r->fd, r->vm,
					r->mem + (2 * (rand_r(&seed) % (RACE_PIECES / 2)) + 1) *
					RACE_PIECE, RACE_PIECE, DRM_SVMGPU_REGION_SYSTEM);
		for (int i = 0; i < 8; i++) {
			size_t piece = 2 * (rand_r(&seed) % (RACE_PIECES / 2)) + 1;

			svmgpu_cmd_store32(b, r->mem + piece * RACE_PIECE + 8 * i, i);
		}
		err = __svmgpu_exec_wait(r->fd, q, svmgpu_batch_end(b));
		svmgpu_batch_reset(b);
		/* The CPU unmapped or write-protected a page meanwhile: the queue is banned. */
		if (err == -EFAULT || err == -EACCES) {
			atomic_fetch_add(&r->churn_faults, 1);
			libsvmgpu_queue_destroy(r->fd, q);
			q = 0;
		} else if (err) {
			race_fail(r, "churn: job failed: %d", err);
			break;
		}
		atomic_fetch_add(&r->churn_jobs, 1);
	}
	if (q)
		libsvmgpu_queue_destroy(r->fd, q);
	svmgpu_batch_free(b);
	return NULL;
}

/* The CPU side: remaps, write-protects and zaps the churned pieces. */
static void *race_churn_cpu(void *arg)
{
	struct race *r = arg;
	unsigned int seed = 2;

	while (!atomic_load(&r->stop)) {
		char *p = r->mem + (2 * (rand_r(&seed) % (RACE_PIECES / 2)) + 1) * RACE_PIECE;
		void *m;

		switch (rand_r(&seed) % 4) {
		case 0:
			m = mmap(p, RACE_PIECE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (m != p)
				race_fail(r, "cpu: mmap: %s", strerror(errno));
			break;
		case 1:
			munmap(p, RACE_PIECE);
			break;
		case 2:
			mprotect(p, RACE_PIECE, PROT_READ);
			mprotect(p, RACE_PIECE, PROT_READ | PROT_WRITE);
			break;
		default:
			madvise(p, RACE_PIECE, MADV_DONTNEED);
			break;
		}
		atomic_fetch_add(&r->cpu_ops, 1);
		sched_yield();
	}
	return NULL;
}

static void test_race_pt(void)
{
	struct race r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[4];
	double t0;

	/* A first job faults in hundreds of ranges: minutes on a debug kernel. */
	timeout_restore();
	if (default_timeout > 0)
		timeout_set(300000);
	r.fd = svmgpu_open_or_skip();
	r.vm = svmgpu_vm_create(r.fd);
	r.mem = svmgpu_map_anon_aligned(RACE_SIZE);
	memset(r.mem, 0x5a, RACE_SIZE);
	igt_assert_eq(libsvmgpu_madvise_granularity(r.fd, r.vm, r.mem, RACE_SIZE, 12), 0);

	igt_assert_eq(pthread_create(&t[0], NULL, race_stable, &r), 0);
	igt_assert_eq(pthread_create(&t[1], NULL, race_churn_gpu, &r), 0);
	igt_assert_eq(pthread_create(&t[2], NULL, race_churn_gpu, &r), 0);
	igt_assert_eq(pthread_create(&t[3], NULL, race_churn_cpu, &r), 0);
	/* RACE_SECONDS, and longer on a slow kernel until every thread did some work. */
	t0 = svmgpu_now_s();
	while (!atomic_load(&r.stop) && svmgpu_now_s() - t0 < RACE_MAX_SECONDS &&
	       (svmgpu_now_s() - t0 < RACE_SECONDS || r.stable_jobs < RACE_MIN_JOBS ||
		r.churn_jobs < RACE_MIN_JOBS))
		svmgpu_sleep_ms(50);
	atomic_store(&r.stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);

	igt_info("%d stable jobs, %d churn jobs (%d ended by a fault), %d CPU changes\n",
		 r.stable_jobs, r.churn_jobs, r.churn_faults, r.cpu_ops);
	timeout_restore();
	igt_assert_f(!r.error[0], "%s\n", r.error);
	igt_assert_f(r.stable_jobs >= RACE_MIN_JOBS && r.churn_jobs >= RACE_MIN_JOBS &&
		     r.cpu_ops >= 10, "the threads barely ran\n");
	munmap(r.mem, RACE_SIZE);
	close(r.fd);
}

/* ---- 2. a forked child and the file it inherited ---- */

#define FORK_SIZE	(2 * SZ_1M)
#define PARENT_WORD	0x9a4e0001u

/* The child: every use of the parent's VM is refused; a VM of its own works. */
static int fork_child(struct ctx *c, uint32_t *p)
{
	struct drm_svmgpu_madvise_query mq = {
		.vm_id = c->vm, .start = (uintptr_t)p, .range = FORK_SIZE,
	};
	uint32_t q, vm;
	int bad = 0;

#define CHILD_EXPECT(expr, want)							\
	do {										\
		int __r = (expr);							\
		if (__r != (want)) {							\
			fprintf(stderr, "child: %s = %d, expected %d\n", #expr, __r,	\
				(want));						\
			bad++;								\
		}									\
	} while (0)

	svmgpu_cmd_fill32(c->b, p, FORK_SIZE, 0xbad0bad0u);
	CHILD_EXPECT(__svmgpu_exec(c->fd, c->q, (uintptr_t)svmgpu_batch_end(c->b), 0), -EPERM);
	CHILD_EXPECT(libsvmgpu_queue_create(c->fd, c->vm, &q), -EPERM);
	CHILD_EXPECT(svmgpu_prefetch(c->fd, c->vm, p, FORK_SIZE, DRM_SVMGPU_REGION_SYSTEM),
		     -EPERM);
	CHILD_EXPECT(madvise_ram(c->fd, c->vm, p, FORK_SIZE), -EPERM);
	CHILD_EXPECT(svmgpu_ioctl(c->fd, DRM_IOCTL_SVMGPU_MADVISE_QUERY, &mq), -EPERM);

	/* Its own VM on the inherited file writes its own copy. */
	CHILD_EXPECT(libsvmgpu_vm_create(c->fd, &vm), 0);
	CHILD_EXPECT(libsvmgpu_queue_create(c->fd, vm, &q), 0);
	CHILD_EXPECT(libsvmgpu_exec_wait(c->fd, q, svmgpu_batch_end(c->b)), 0);
	for (size_t i = 0; i < FORK_SIZE / 4; i++) {
		if (p[i] != 0xbad0bad0u) {
			fprintf(stderr, "child: its own VM did not write word %zu\n", i);
			bad++;
			break;
		}
	}
	/* Left for the parent to try: the queue of a VM whose process is gone. */
	printf("%u\n", q);
	return bad;
}

struct fork_args {
	struct ctx *c;
	uint32_t *p;
};

/* fork_child() with its standard output on the report pipe. */
static void fork_child_main(void *arg, int report)
{
	struct fork_args *a = arg;

	dup2(report, STDOUT_FILENO);
	_exit(fork_child(a->c, a->p) ? 1 : 0);
}

static void test_fork_inherited(void)
{
	struct fork_args args;
	struct ctx c;
	uint32_t *p, child_q = 0;
	char buf[32];
	int status;
	pid_t pid;
	ssize_t n;

	ctx_open(&c);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	p = svmgpu_map_anon_aligned(FORK_SIZE);
	/* The parent's data, also in its GPU page table and in VRAM. */
	svmgpu_cmd_fill32(c.b, p, FORK_SIZE, PARENT_WORD);
	igt_assert_eq(run_on(&c, c.q), 0);
	svmgpu_prefetch(c.fd, c.vm, p, FORK_SIZE, DRM_SVMGPU_REGION_DEVICE);

	args.c = &c;
	args.p = p;
	pid = fork_reporting(fork_child_main, &args, buf, sizeof(buf), &n);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the child used the parent's VM or could not use its own (status 0x%x)\n",
		     status);
	igt_assert(n > 0 && sscanf(buf, "%u", &child_q) == 1);

	for (size_t i = 0; i < FORK_SIZE / 4; i++)
		igt_assert_f(p[i] == PARENT_WORD, "the child wrote the parent's word %zu: 0x%x\n",
			     i, p[i]);
	/* The other way round: the child's queue is not the parent's either. */
	svmgpu_cmd_store32(c.b, p, 1);
	igt_assert_eq(__svmgpu_exec(c.fd, child_q, (uintptr_t)svmgpu_batch_end(c.b), 0), -EPERM);
	svmgpu_batch_reset(c.b);
	igt_assert_eq(p[0], PARENT_WORD);
	/* And the parent's own VM works on. */
	svmgpu_cmd_store32(c.b, p, 2);
	igt_assert_eq(run_on(&c, c.q), 0);
	igt_assert_eq(p[0], 2);
	munmap(p, FORK_SIZE);
	ctx_close(&c);
}

/* ---- 3. job timeouts ---- */

static void test_job_timeout(void)
{
	static const char *const bad[] = { "0", "9", "3600001", "-1", "soon" };
	struct drm_svmgpu_queue_get_fault f;
	struct ctx c;
	uint32_t *buf, q2;
	double t0, secs;
	int err;

	timeout_restore();
	/* Each refused value is logged, naming the parameter and its bounds. */
	igt_emit_ignore_dmesg_regex("svmgpu: job_timeout_ms must be 10-3600000");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		igt_require(default_timeout > 0);
		igt_assert_eq(svmgpu_write_str(PARAM_TIMEOUT, bad[i]), -EINVAL);
		igt_assert_eq(svmgpu_read_long(PARAM_TIMEOUT), default_timeout);
	}

	ctx_open(&c);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	buf = svmgpu_map_anon(SPIN_SIZE);
	timeout_set(500);
	emit_spin(c.b, buf, SPIN_SIZE);
	t0 = svmgpu_now_s();
	err = run_on(&c, c.q);
	secs = svmgpu_now_s() - t0;
	timeout_restore();
	igt_info("the spinning job ended after %.2f s with %d\n", secs, err);
	igt_assert_eq(err, -ETIME);
	igt_assert_f(secs >= 0.45 && secs < 30, "a 500 ms timeout took %.2f s\n", secs);
	/* It ran: the GPU's writes are there, one whole fill after another. */
	igt_assert_neq(buf[0], 0);

	svmgpu_get_fault(c.fd, c.q, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, -ETIME);
	svmgpu_cmd_store32(c.b, buf, 7);
	igt_assert_eq(__svmgpu_exec(c.fd, c.q, (uintptr_t)svmgpu_batch_end(c.b), 0), -ECANCELED);
	svmgpu_batch_reset(c.b);

	/* Another queue of the same VM is not affected. */
	q2 = svmgpu_queue_create(c.fd, c.vm);
	svmgpu_cmd_store32(c.b, buf, 7);
	igt_assert_eq(run_on(&c, q2), 0);
	igt_assert_eq(buf[0], 7);
	munmap(buf, SPIN_SIZE);
	ctx_close(&c);
}

/* ---- 4. killed or exiting in every blocking call ---- */

enum block {
	BLOCK_QUEUE_DESTROY,	/* QUEUE_DESTROY waits for the spinning job */
	BLOCK_CLOSE,		/* close() does */
	BLOCK_SYNCOBJ_WAIT,	/* a syncobj wait for the job's fence */
	BLOCK_FAULT,		/* a second job faulting while the first spins */
	BLOCK_EXIT,		/* exit() with the job running, no signal */
};

static const char *const block_names[] = {
	[BLOCK_QUEUE_DESTROY] = "queue-destroy",
	[BLOCK_CLOSE] = "close",
	[BLOCK_SYNCOBJ_WAIT] = "syncobj-wait",
	[BLOCK_FAULT] = "gpu-fault",
	[BLOCK_EXIT] = "exit",
};

/* The child: start a job that would run for minutes, say so, then block. */
static void block_child(void *arg, int ready)
{
	enum block how = (enum block)(uintptr_t)arg;
	struct svmgpu_batch *b2;
	struct ctx c;
	uint32_t *buf, h = 0, q2;
	void *far;

	ctx_open(&c);
	buf = svmgpu_map_anon(SPIN_SIZE);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	emit_spin(c.b, buf, SPIN_SIZE);
	igt_assert_eq(libsvmgpu_syncobj_create(c.fd, false, &h), 0);
	igt_assert_eq(__svmgpu_exec(c.fd, c.q, (uintptr_t)svmgpu_batch_end(c.b), h), 0);
	igt_assert(spin_started(buf));
	if (how == BLOCK_FAULT) {
		/* A second queue's job on 64 MiB the GPU has never seen. */
		far = svmgpu_map_anon_aligned(64 * SZ_1M);
		q2 = svmgpu_queue_create(c.fd, c.vm);
		/* Its own command buffer: the spin's is read as it runs. */
		b2 = svmgpu_batch_new();
		svmgpu_cmd_fill32(b2, far, 64 * SZ_1M, 3);
		igt_assert_eq(__svmgpu_exec(c.fd, q2, (uintptr_t)svmgpu_batch_end(b2), 0), 0);
	}
	igt_assert_eq(write(ready, "r", 1), 1);

	switch (how) {
	case BLOCK_QUEUE_DESTROY:
		libsvmgpu_queue_destroy(c.fd, c.q);
		break;
	case BLOCK_CLOSE:
		close(c.fd);
		break;
	case BLOCK_SYNCOBJ_WAIT:
	case BLOCK_FAULT:
		svmgpu_syncobj_wait(c.fd, h);
		break;
	case BLOCK_EXIT:
		_exit(0);
	}
	/* Not reached before the kill: every call above blocks for minutes. */
	_exit(3);
}

static void kill_blocked(void *arg)
{
	enum block how = (enum block)(uintptr_t)arg;
	double t0, secs;
	int status;
	char r[2];
	ssize_t n;
	pid_t pid;

	pid = fork_reporting(block_child, arg, r, sizeof(r), &n);
	igt_assert_f(n == 1, "the child never got its job running\n");
	/* Let it settle into the call. */
	svmgpu_sleep_ms(300);
	t0 = svmgpu_now_s();
	if (how != BLOCK_EXIT)
		kill(pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		igt_assert(w >= 0);
		secs = svmgpu_now_s() - t0;
		if (w == pid)
			break;
		if (secs > DEATH_BOUND_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			igt_fail_f("the child took more than %d s to be gone\n", DEATH_BOUND_S);
		}
		svmgpu_sleep_ms(10);
	}
	igt_info("%s: gone %.2f s after the %s\n", block_names[how], secs,
		 how == BLOCK_EXIT ? "exit" : "kill");
	if (how == BLOCK_EXIT)
		igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	else
		igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* QUEUE_DESTROY of a live process waits for the queue's jobs: their writes are all there. */
static void destroy_waits(void *arg)
{
	struct ctx c;
	uint32_t *buf;

	(void)arg;
	ctx_open(&c);
	buf = svmgpu_map_anon(16 * SZ_1M);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	for (uint32_t v = 1; v <= 8; v++)
		svmgpu_cmd_fill32(c.b, buf, 16 * SZ_1M, v);
	igt_assert_eq(__svmgpu_exec(c.fd, c.q, (uintptr_t)svmgpu_batch_end(c.b), 0), 0);
	svmgpu_queue_destroy(c.fd, c.q);
	for (size_t i = 0; i < 16 * SZ_1M / 4; i += 1023)
		igt_assert_f(buf[i] == 8, "word %zu is %u once QUEUE_DESTROY returned\n", i,
			     buf[i]);
	munmap(buf, 16 * SZ_1M);
	ctx_close(&c);
}

static void test_kill_blocked(void)
{
	timeout_restore();
	for (size_t i = 0; i < sizeof(block_names) / sizeof(block_names[0]); i++)
		igt_dynamic(block_names[i], kill_blocked, (void *)(uintptr_t)i);
	igt_dynamic("destroy-waits", destroy_waits, NULL);
}

/* ---- 5. queued jobs ---- */

/*
 * The child: a job that spins on one queue, and on another queue jobs that
 * wait for it, until exec refuses one. Reports how many it queued.
 */
static void queue_limit_child(void *arg, int report)
{
	struct drm_svmgpu_sync in = {};
	struct svmgpu_batch *b2;
	struct ctx c;
	uint32_t *buf, q2;
	int n = 0, err;

	(void)arg;
	ctx_open(&c);
	buf = svmgpu_map_anon(SPIN_SIZE);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	emit_spin(c.b, buf, SPIN_SIZE);
	igt_assert_eq(libsvmgpu_syncobj_create(c.fd, false, &in.handle), 0);
	igt_assert_eq(__svmgpu_exec(c.fd, c.q, (uintptr_t)svmgpu_batch_end(c.b), in.handle), 0);

	/* A command buffer of their own: the GPU reads the spin's as it goes. */
	b2 = svmgpu_batch_new();
	q2 = svmgpu_queue_create(c.fd, c.vm);
	svmgpu_cmd_store32(b2, buf + SPIN_SIZE / 4 - 1, 1);
	svmgpu_batch_end(b2);
	while ((err = libsvmgpu_exec(c.fd, q2, b2->buf, &in, 1, NULL, 0)) == 0 &&
	       n <= DRM_SVMGPU_MAX_QUEUED_JOBS)
		n++;
	dprintf(report, "%d %d\n", n, err);
	pause();
	_exit(0);
}

static void test_queue_limit(void)
{
	int n = -1, err = 0, status;
	char buf[64];
	ssize_t len;
	double t0;
	pid_t pid;

	timeout_restore();
	pid = fork_reporting(queue_limit_child, NULL, buf, sizeof(buf), &len);
	igt_assert_lt(0, len);
	igt_assert_eq(sscanf(buf, "%d %d", &n, &err), 2);
	/* The child and its 1024 + 1 jobs go at once. */
	t0 = svmgpu_now_s();
	kill(pid, SIGKILL);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_info("%d jobs queued, then %d; the child was gone in %.2f s\n", n, err,
		 svmgpu_now_s() - t0);
	igt_assert_eq(n, DRM_SVMGPU_MAX_QUEUED_JOBS);
	igt_assert_eq(err, -EBUSY);
	igt_assert_f(svmgpu_now_s() - t0 < DEATH_BOUND_S, "the child took too long to go\n");
}

/* ---- 6. command buffer length ---- */

/* @n stores of 0, 1, ... n - 1 to @sink, then END; returns the buffer. */
static void *store_batch(uint32_t *sink, size_t n, size_t *size)
{
	struct libsvmgpu_cmdbuf *cb;
	void *mem;

	*size = (n * sizeof(struct drm_svmgpu_cmd_store) + 64 + SZ_4K - 1) & ~(SZ_4K - 1);
	mem = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(mem != MAP_FAILED);
	igt_assert_eq(libsvmgpu_cmdbuf_create_in(mem, *size, &cb), 0);
	for (size_t i = 0; i < n; i++)
		libsvmgpu_cmdbuf_store32(cb, sink, i);
	libsvmgpu_cmdbuf_end(cb);
	igt_assert_eq(libsvmgpu_cmdbuf_error(cb), 0);
	libsvmgpu_cmdbuf_destroy(cb);
	return mem;
}

static void test_max_cmds(void)
{
	struct drm_svmgpu_queue_get_fault f;
	uint32_t *sink, q2;
	struct ctx c;
	size_t size;
	void *b;

	/* Two million commands take longer than a job may on a debug kernel. */
	if (default_timeout > 0)
		timeout_set(600000);
	ctx_open(&c);
	sink = svmgpu_map_anon(SZ_4K);
	igt_assert_eq(madvise_ram(c.fd, c.vm, sink, SZ_4K), 0);

	b = store_batch(sink, DRM_SVMGPU_MAX_CMDS, &size);
	igt_assert_eq(madvise_ram(c.fd, c.vm, b, size), 0);
	igt_assert_eq(svmgpu_exec_wait(c.fd, c.q, b), 0);
	igt_assert_eq(*sink, DRM_SVMGPU_MAX_CMDS - 1);
	munmap(b, size);

	*sink = 0;
	b = store_batch(sink, DRM_SVMGPU_MAX_CMDS + 1, &size);
	igt_assert_eq(madvise_ram(c.fd, c.vm, b, size), 0);
	q2 = svmgpu_queue_create(c.fd, c.vm);
	igt_assert_eq(svmgpu_exec_wait(c.fd, q2, b), -E2BIG);
	/* Every command up to the limit ran, the one beyond did not. */
	igt_assert_eq(*sink, DRM_SVMGPU_MAX_CMDS - 1);
	svmgpu_get_fault(c.fd, q2, &f);
	igt_assert_eq(f.banned, 1);
	igt_assert_eq(f.error, -E2BIG);
	munmap(b, size);
	timeout_restore();
	munmap(sink, SZ_4K);
	ctx_close(&c);
}

/* ---- 7. memory attribute intervals ---- */

static int madvise_atomic_page(struct ctx *c, const char *base, size_t page, uint32_t policy)
{
	return libsvmgpu_madvise_atomic(c->fd, c->vm, base + page * SZ_4K, SZ_4K, policy);
}

static void test_madvise_limit(void)
{
	const size_t pages = 2 * (size_t)DRM_SVMGPU_MAX_ATTR_RANGES + 2;
	struct drm_svmgpu_madvise_query mq = {};
	struct drm_svmgpu_madvise m = {};
	struct ctx c;
	char *base;
	size_t i;

	ctx_open(&c);
	/* Address space only: nothing is ever touched. */
	base = mmap(NULL, pages * SZ_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	igt_assert(base != MAP_FAILED);
	/* Every other page its own interval, up to the limit. */
	for (i = 0; i < DRM_SVMGPU_MAX_ATTR_RANGES; i++)
		igt_assert_f(!madvise_atomic_page(&c, base, 2 * i, DRM_SVMGPU_ATOMIC_DEVICE),
			     "madvise of interval %zu failed\n", i);
	igt_assert_eq(madvise_atomic_page(&c, base, 2 * i, DRM_SVMGPU_ATOMIC_DEVICE), -ENOSPC);
	/* The refused call changed nothing. */
	mq.vm_id = c.vm;
	mq.start = (uintptr_t)base + 2 * i * SZ_4K;
	mq.range = SZ_4K;
	igt_assert_eq(svmgpu_ioctl(c.fd, DRM_IOCTL_SVMGPU_MADVISE_QUERY, &mq), 0);
	igt_assert_eq(mq.atomic_policy, DRM_SVMGPU_ATOMIC_UNDEFINED);
	/* Changing an interval in place adds none: allowed at the limit. */
	igt_assert_eq(madvise_atomic_page(&c, base, 0, DRM_SVMGPU_ATOMIC_GLOBAL), 0);
	/* The defaults everywhere free every interval, and new ones can be made. */
	m.vm_id = c.vm;
	m.flags = DRM_SVMGPU_MADVISE_ATOMIC;
	m.start = (uintptr_t)base;
	m.range = pages * SZ_4K;
	m.atomic_policy = DRM_SVMGPU_ATOMIC_UNDEFINED;
	igt_assert_eq(libsvmgpu_madvise(c.fd, &m), 0);
	igt_assert_eq(madvise_atomic_page(&c, base, 1, DRM_SVMGPU_ATOMIC_DEVICE), 0);
	munmap(base, pages * SZ_4K);
	ctx_close(&c);
}

/* ---- 8. memory cgroup charges ---- */

#define CGROOT		"/sys/fs/cgroup"
#define MEMCG_SIZE	(32 * SZ_1M)

static void cgroup_require(void)
{
	char ctl[256] = "";
	FILE *f;

	if (access(CGROOT "/cgroup.controllers", R_OK))
		mount("none", CGROOT, "cgroup2", 0, NULL);
	f = fopen(CGROOT "/cgroup.controllers", "r");
	igt_require_f(f, "no cgroup2 hierarchy at " CGROOT "\n");
	igt_assert(fgets(ctl, sizeof(ctl), f) || feof(f));
	fclose(f);
	igt_require_f(strstr(ctl, "memory"), "no memory controller\n");
	/* Allowed in the root cgroup whatever runs in it; EBUSY/EEXIST if set already. */
	svmgpu_write_str(CGROOT "/cgroup.subtree_control", "+memory");
}

/* The child, alone in its cgroup: how much a 4K-granular GPU pass charges. */
static void memcg_child(void *arg, int report)
{
	const char *cg = arg;
	char path[PATH_MAX];
	long before, after;
	uint64_t *sum;
	struct ctx c;
	char *p;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	igt_assert_eq(svmgpu_write_str(path, "0"), 0);
	ctx_open(&c);
	p = svmgpu_map_anon_aligned(MEMCG_SIZE);
	memset(p, 1, MEMCG_SIZE);
	sum = svmgpu_map_anon(SZ_4K);
	igt_assert_eq(madvise_ram(c.fd, c.vm, c.b->buf, c.b->cap), 0);
	igt_assert_eq(madvise_ram(c.fd, c.vm, sum, SZ_4K), 0);
	igt_assert_eq(madvise_ram(c.fd, c.vm, p, MEMCG_SIZE), 0);
	igt_assert_eq(libsvmgpu_madvise_granularity(c.fd, c.vm, p, MEMCG_SIZE, 12), 0);
	/* Map the command buffer and the result first: only the pass is measured. */
	svmgpu_cmd_store32(c.b, sum, 0);
	igt_assert_eq(run_on(&c, c.q), 0);

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	before = svmgpu_read_long(path);
	svmgpu_cmd_reduce(c.b, DRM_SVMGPU_REDUCE_SUM_U32, p, MEMCG_SIZE / 4, sum);
	igt_assert_eq(run_on(&c, c.q), 0);
	after = svmgpu_read_long(path);
	igt_assert_eq(*sum, (uint64_t)0x01010101 * (MEMCG_SIZE / 4));
	dprintf(report, "%ld %ld\n", before, after);
	ctx_close(&c);
	_exit(0);
}

static void test_memcg_charge(void)
{
	long before = -1, after = -1;
	char cg[128], buf[64];
	ssize_t len;
	int status;
	pid_t pid;

	cgroup_require();
	snprintf(cg, sizeof(cg), CGROOT "/svmgpu-hostile-%d", getpid());
	igt_assert_f(!mkdir(cg, 0755) || errno == EEXIST, "mkdir %s: %s\n", cg, strerror(errno));
	pid = fork_reporting(memcg_child, cg, buf, sizeof(buf), &len);
	igt_assert_lte(0, len);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	rmdir(cg);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed\n");
	igt_assert_eq(sscanf(buf, "%ld %ld", &before, &after), 2);
	igt_info("memory.current %ld -> %ld: %ld KiB for %lu GPU ranges of 4K\n", before, after,
		 (after - before) >> 10, MEMCG_SIZE / SZ_4K);
	/* A range costs well over 128 bytes of kernel memory; the job's faults ran in a worker. */
	igt_assert_f(after - before >= (long)(MEMCG_SIZE / SZ_4K) * 128,
		     "the GPU faults' kernel memory was not charged to the process' cgroup\n");
}

/* ---- 9. the 32-bit compat path ---- */

static void sizes_expect(const char *line)
{
	static const struct {
		const char *name;
		size_t size;
	} sizes[] = {
#define S(t) { #t, sizeof(struct t) }
		S(drm_svmgpu_query), S(drm_svmgpu_device_info), S(drm_svmgpu_stats),
		S(drm_svmgpu_vm_create), S(drm_svmgpu_vm_destroy), S(drm_svmgpu_queue_create),
		S(drm_svmgpu_queue_destroy), S(drm_svmgpu_sync), S(drm_svmgpu_exec),
		S(drm_svmgpu_prefetch), S(drm_svmgpu_queue_get_fault), S(drm_svmgpu_madvise),
		S(drm_svmgpu_madvise_query),
#undef S
	};
	char name[64];
	size_t size;

	if (sscanf(line, "size %63s %zu", name, &size) != 2)
		return;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (strcmp(sizes[i].name, name))
			continue;
		igt_assert_f(sizes[i].size == size, "struct %s: %zu bytes in 32-bit, %zu in 64\n",
			     name, size, sizes[i].size);
		return;
	}
	igt_fail_f("the 32-bit program knows a struct %s this test does not\n", name);
}

static void test_compat_ioctl(void)
{
	char exe[PATH_MAX], helper[PATH_MAX + 32], node[64], line[256], cmd[PATH_MAX + 128];
	int fd = svmgpu_open_or_skip(), checks = 0, sizes = 0, status;
	struct stat st;
	ssize_t n;
	FILE *f;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(node, sizeof(node), "/dev/dri/renderD%u", minor(st.st_rdev));
	close(fd);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	igt_assert(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(helper, sizeof(helper), "%s/svmgpu_compat32", exe);
	igt_require_f(!access(helper, X_OK), "no %s\n", helper);

	snprintf(cmd, sizeof(cmd), "%s %s", helper, node);
	f = popen(cmd, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		igt_info("32-bit: %s", line);
		if (!strncmp(line, "size ", 5)) {
			sizes_expect(line);
			sizes++;
		} else if (!strncmp(line, "ok ", 3)) {
			checks++;
		}
	}
	status = pclose(f);
	igt_require_f(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
		      "the kernel runs no 32-bit programs\n");
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "a check of the 32-bit program failed (status 0x%x)\n", status);
	igt_assert_eq(sizes, 13);
	igt_assert_lte(10, checks);
}

static void fixture(void)
{
	int fd = svmgpu_open_or_skip();

	close(fd);
	default_timeout = svmgpu_read_long(PARAM_TIMEOUT);
	atexit(timeout_restore);
}

static const struct igt_subtest tests[] = {
	{ "race-pt", test_race_pt,
	  "GPU jobs translate through 4K ranges while other threads of the process fault in "
	  "ranges, munmap, remap, mprotect and zap memory under them: results exact, no oops" },
	{ "fork-inherited-fd", test_fork_inherited,
	  "a forked child gets -EPERM for every use of its parent's VM through the inherited "
	  "file and writes only its own memory through a VM of its own; the parent's data "
	  "stays intact" },
	{ "job-timeout", test_job_timeout,
	  "job_timeout_ms refuses values out of bounds; a job running past it fails with "
	  "-ETIME, bans its queue, and other queues go on" },
	{ "kill-blocked", test_kill_blocked,
	  "a process killed while QUEUE_DESTROY, close, a syncobj wait or a GPU fault waits for "
	  "a job that would run for minutes, or exiting with it running, is gone within 10 s; "
	  "QUEUE_DESTROY of a live process waits for the job's writes" },
	{ "queue-limit", test_queue_limit,
	  "a queue takes DRM_SVMGPU_MAX_QUEUED_JOBS jobs, the next exec fails with -EBUSY, "
	  "and a killed process with that many queued goes at once" },
	{ "max-cmds", test_max_cmds,
	  "a command buffer of DRM_SVMGPU_MAX_CMDS commands runs them all; one more fails the "
	  "job with -E2BIG after the first DRM_SVMGPU_MAX_CMDS" },
	{ "madvise-limit", test_madvise_limit,
	  "a VM takes DRM_SVMGPU_MAX_ATTR_RANGES attribute intervals; one more is refused with "
	  "-ENOSPC and changes nothing, changes in place and resets still work" },
	{ "memcg-charge", test_memcg_charge,
	  "the kernel memory of a process' GPU faults, serviced by a worker, is charged to "
	  "the process' memory cgroup" },
	{ "compat-ioctl", test_compat_ioctl,
	  "a 32-bit process gets the answers of a 64-bit one, -E2BIG for a larger struct "
	  "with a non-zero tail, and sees every uAPI struct at its 64-bit size" },
};

IGT_MAIN("svmgpu against a hostile user: races, fork, runaway jobs, kills and limits",
	 fixture, tests)
