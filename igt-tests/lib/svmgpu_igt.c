// SPDX-License-Identifier: MIT
/*
 * svmgpu_igt: test binaries that igt_runner can drive. The protocol (what the
 * runner parses from stdout/stderr and the kernel log, exit codes) is
 * described in ../PROTOCOL.md; this file only implements it.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svmgpu_igt.h"

#define NAME_MAX_LEN	255
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum result { RES_PASS, RES_SKIP, RES_FAIL };

static const char *const result_str[] = {
	[RES_PASS] = "SUCCESS",
	[RES_SKIP] = "SKIP",
	[RES_FAIL] = "FAIL",
};

enum context { CTX_NONE, CTX_FIXTURE, CTX_SUBTEST, CTX_DYNAMIC };

static struct {
	const char *prog;		/* basename of argv[0] */
	const char *run_filter;		/* --run-subtest */
	const char *dyn_filter;		/* --dynamic-subtest */
	bool debug;
	bool sentinel;			/* IGT_SENTINEL_ON_STDERR: markers on stderr too */

	const struct igt_subtest *tests;
	size_t n;
	bool *selected;
	size_t current;			/* index of the running subtest */

	enum context ctx;
	bool in_child;			/* inside an igt_fork() child */
	struct timespec sub_start, dyn_start;
	char dyn_name[NAME_MAX_LEN + 1];
	sigjmp_buf sub_jmp;		/* fixture and subtest */
	sigjmp_buf dyn_jmp;

	bool dyn_seen;			/* igt_dynamic() called in this subtest */
	unsigned int dyn_pass, dyn_fail;

	bool any_pass, any_fail;
	volatile sig_atomic_t out_mid_line, err_mid_line;
} st = {
	.prog = "svmgpu-test",
};

/* ---- output ---- */

/*
 * stdout is line buffered; a line left open is flushed at once too, so that
 * nothing is lost if the test then crashes (the crash path uses write(2)).
 */
static void vout(FILE *f, const char *fmt, va_list ap)
{
	size_t len = strlen(fmt);
	bool open_line;

	vfprintf(f, fmt, ap);
	if (!len)
		return;
	open_line = fmt[len - 1] != '\n';
	if (f == stdout)
		st.out_mid_line = open_line;
	else
		st.err_mid_line = open_line;
	if (open_line)
		fflush(f);
}

void igt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(stdout, fmt, ap);
	va_end(ap);
}

void igt_debug(const char *fmt, ...)
{
	va_list ap;

	if (!st.debug)
		return;
	if (!st.out_mid_line)
		fputs("DEBUG: ", stdout);
	va_start(ap, fmt);
	vout(stdout, fmt, ap);
	va_end(ap);
}

void igt_warn(const char *fmt, ...)
{
	va_list ap;

	if (!st.err_mid_line)
		fputs("WARNING: ", stderr);
	va_start(ap, fmt);
	vout(stderr, fmt, ap);
	va_end(ap);
}

/* Ends a line the test left open, so that the next marker starts a line. */
static void line_start(void)
{
	if (st.out_mid_line)
		fputc('\n', stdout);
	if (st.err_mid_line)
		fputc('\n', stderr);
	st.out_mid_line = st.err_mid_line = 0;
}

/* A line the runner parses: on stdout, and also on stderr when asked to. */
static __igt_printf(1, 2) void marker(const char *fmt, ...)
{
	va_list ap;

	line_start();
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (st.sentinel) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fflush(stderr);
	}
}

/* One record in the kernel log, at KERN_INFO, per open (devkmsg ratelimit). */
static void kmsg_write(const char *buf, size_t len)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return;
	ret = write(fd, buf, len);	/* best effort, like the open() */
	(void)ret;
	close(fd);
}

static __igt_printf(1, 2) void kmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	len = snprintf(buf, sizeof(buf), "<6>[IGT] %s: ", st.prog);
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	kmsg_write(buf, len);
}

void igt_emit_ignore_dmesg_regex(const char *regex)
{
	char buf[512];
	int len;

	/* The record resultgen looks for, without the binary's name. */
	len = snprintf(buf, sizeof(buf), "<6>[IGT] add ignored dmesg regex: %s\n", regex);
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	kmsg_write(buf, len);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* ---- leaving a subtest ---- */

static __igt_noreturn void leave(enum result res)
{
	if (st.in_child) {
		/* Only the parent reports results; igt_fork() turns this into FAIL. */
		if (res == RES_SKIP)
			fputs("igt_skip/igt_require is not allowed in igt_fork children\n",
			      stderr);
		fflush(NULL);
		_exit(IGT_EXIT_FAILURE);
	}

	switch (st.ctx) {
	case CTX_DYNAMIC:
		siglongjmp(st.dyn_jmp, res + 1);
	case CTX_SUBTEST:
	case CTX_FIXTURE:
		siglongjmp(st.sub_jmp, res + 1);
	case CTX_NONE:
		break;
	}
	fflush(NULL);
	exit(res == RES_SKIP ? IGT_EXIT_SKIP : IGT_EXIT_FAILURE);
}

/* Reports a misuse of the framework and fails where it happened. */
static __igt_printf(1, 2) __igt_noreturn void test_bug(const char *fmt, ...)
{
	va_list ap;

	line_start();
	fputs("svmgpu_igt: test bug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	leave(RES_FAIL);
}

static void fail_header(const char *file, int line, const char *func, const char *expr)
{
	line_start();
	fprintf(stderr, "Test %s in function %s, file %s:%d:\n",
		expr ? "assertion failure" : "failure", func, file, line);
	if (expr)
		fprintf(stderr, "Failed assertion: %s\n", expr);
}

static void fail_message(const char *fmt, va_list ap)
{
	size_t len = strlen(fmt);

	vfprintf(stderr, fmt, ap);
	if (!len || fmt[len - 1] != '\n')
		fputc('\n', stderr);
}

void __igt_fail(const char *file, int line, const char *func, const char *expr,
		const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fail_header(file, line, func, expr);
	if (expr && err)
		fprintf(stderr, "Last errno: %d, %s\n", err, strerror(err));
	va_start(ap, fmt);
	fail_message(fmt, ap);
	va_end(ap);
	leave(RES_FAIL);
}

void __igt_fail_plain(const char *file, int line, const char *func, const char *expr)
{
	int err = errno;

	fail_header(file, line, func, expr);
	if (err)
		fprintf(stderr, "Last errno: %d, %s\n", err, strerror(err));
	leave(RES_FAIL);
}

void __igt_fail_cmp_s64(const char *file, int line, const char *func, const char *expr,
			long long a, long long b)
{
	fail_header(file, line, func, expr);
	fprintf(stderr, "Values: left %lld (%#llx), right %lld (%#llx)\n",
		a, (unsigned long long)a, b, (unsigned long long)b);
	leave(RES_FAIL);
}

void __igt_fail_cmp_u64(const char *file, int line, const char *func, const char *expr,
			unsigned long long a, unsigned long long b)
{
	fail_header(file, line, func, expr);
	fprintf(stderr, "Values: left %llu (%#llx), right %llu (%#llx)\n", a, a, b, b);
	leave(RES_FAIL);
}

void __igt_fail_ioctl(const char *file, int line, const char *func, const char *expr,
		      long long ret, int err, int expected)
{
	fail_header(file, line, func, expr);
	fprintf(stderr, "Expected: -1, errno %d (%s)\n", expected, strerror(expected));
	fprintf(stderr, "Got: %lld, errno %d (%s)\n", ret, err, strerror(err));
	leave(RES_FAIL);
}

static void skip_header(const char *file, int line, const char *func, const char *expr)
{
	line_start();
	printf("Test requirement not met in function %s, file %s:%d:\n", func, file, line);
	printf("Test requirement: %s\n", expr);
}

void __igt_skip_req(const char *file, int line, const char *func, const char *expr,
		    const char *fmt, ...)
{
	size_t len = strlen(fmt);
	va_list ap;

	skip_header(file, line, func, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!len || fmt[len - 1] != '\n')
		putchar('\n');
	leave(RES_SKIP);
}

void __igt_skip_req_plain(const char *file, int line, const char *func, const char *expr)
{
	skip_header(file, line, func, expr);
	leave(RES_SKIP);
}

void igt_skip(const char *fmt, ...)
{
	size_t len = strlen(fmt);
	va_list ap;

	line_start();
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!len || fmt[len - 1] != '\n')
		putchar('\n');
	leave(RES_SKIP);
}

/* ---- crash handling (async-signal-safe) ---- */

struct sbuf {
	char buf[1024];
	size_t len;
};

static void sb_puts(struct sbuf *b, const char *s)
{
	while (*s && b->len < sizeof(b->buf))
		b->buf[b->len++] = *s++;
}

static void sb_putu(struct sbuf *b, unsigned long v, int min_digits)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = '0' + v % 10;
		v /= 10;
	} while (v || i < min_digits);
	while (i && b->len < sizeof(b->buf))
		b->buf[b->len++] = tmp[--i];
}

static void sb_put_elapsed(struct sbuf *b, const struct timespec *t0)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t0->tv_sec) * 1000LL + (now.tv_nsec - t0->tv_nsec) / 1000000;
	if (ms < 0)
		ms = 0;
	sb_putu(b, ms / 1000, 1);
	sb_puts(b, ".");
	sb_putu(b, ms % 1000, 3);
}

static void raw_write(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w <= 0)
			return;
		buf += w;
		len -= w;
	}
}

/* "<prefix>NAME: CRASH (T.TTTs)" on stdout (and stderr), plus a kernel log note. */
static void crash_line(const char *prefix, const char *name, const struct timespec *t0)
{
	struct sbuf b = { .len = 0 };

	sb_puts(&b, prefix);
	sb_puts(&b, name);
	sb_puts(&b, ": CRASH (");
	if (t0)
		sb_put_elapsed(&b, t0);
	else
		sb_puts(&b, "0.000");
	sb_puts(&b, "s)\n");
	raw_write(STDOUT_FILENO, b.buf, b.len);
	if (st.sentinel)
		raw_write(STDERR_FILENO, b.buf, b.len);

	b.len = 0;
	sb_puts(&b, "<6>[IGT] ");
	sb_puts(&b, st.prog);
	sb_puts(&b, prefix[0] == 'D' ? ": finished dynamic subtest " : ": finished subtest ");
	sb_puts(&b, name);
	sb_puts(&b, ", CRASH\n");
	kmsg_write(b.buf, b.len);
}

static const struct {
	int sig;
	const char *name;
} crash_signals[] = {
	{ SIGSEGV, "SIGSEGV" },
	{ SIGBUS, "SIGBUS" },
	{ SIGFPE, "SIGFPE" },
	{ SIGILL, "SIGILL" },
	{ SIGABRT, "SIGABRT" },
};

static void crash_handler(int sig)
{
	struct sbuf b = { .len = 0 };
	const char *name = "?";
	void *frames[64];
	size_t i;
	int nframes;

	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		if (crash_signals[i].sig == sig)
			name = crash_signals[i].name;

	if (st.out_mid_line)
		raw_write(STDOUT_FILENO, "\n", 1);
	if (st.err_mid_line)
		raw_write(STDERR_FILENO, "\n", 1);
	sb_puts(&b, "Received signal ");
	sb_puts(&b, name);
	sb_puts(&b, ".\nStack trace:\n");
	raw_write(STDERR_FILENO, b.buf, b.len);
	nframes = backtrace(frames, 64);
	backtrace_symbols_fd(frames, nframes, STDERR_FILENO);

	switch (st.ctx) {
	case CTX_DYNAMIC:
		crash_line("Dynamic subtest ", st.dyn_name, &st.dyn_start);
		/* fallthrough */
	case CTX_SUBTEST:
		crash_line("Subtest ", st.tests[st.current].name, &st.sub_start);
		break;
	case CTX_FIXTURE:
		/* The fixture belongs to every selected subtest not run yet. */
		for (i = st.current; i < st.n; i++)
			if (st.selected[i])
				crash_line("Subtest ", st.tests[i].name, NULL);
		break;
	case CTX_NONE:
		break;
	}
	_exit(128 + sig);
}

static void install_crash_handlers(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	void *frame;
	size_t i;

	/* backtrace() loads libgcc on first use; do it now, not in the handler. */
	backtrace(&frame, 1);

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		sigaction(crash_signals[i].sig, &sa, NULL);
}

static void reset_crash_handlers(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		signal(crash_signals[i].sig, SIG_DFL);
}

/* ---- name matching: comma-separated wildmats, '!' negates, last match wins ---- */

static const char *class_end(const char *p)
{
	/* p points after '['; a ']' right at the start is literal */
	if (*p == '^' || *p == '!')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']' && *p != ',')
		p++;
	return *p == ']' ? p : NULL;
}

static bool class_match(const char *p, const char *end, char c)
{
	bool neg = false, hit = false;

	if (*p == '^' || *p == '!') {
		neg = true;
		p++;
	}
	if (*p == ']') {
		hit |= c == ']';
		p++;
	}
	for (; p < end; p++) {
		if (p + 2 < end && p[1] == '-') {
			hit |= c >= p[0] && c <= p[2];
			p += 2;
		} else {
			hit |= c == *p;
		}
	}
	return hit != neg;
}

/* Matches text against one pattern that ends at ',' or NUL. */
static bool pattern_match(const char *t, const char *p)
{
	const char *end;

	for (; *p && *p != ','; p++, t++) {
		switch (*p) {
		case '*':
			while (p[1] == '*')
				p++;
			if (!p[1] || p[1] == ',')
				return true;
			for (; *t; t++)
				if (pattern_match(t, p + 1))
					return true;
			return false;
		case '?':
			if (!*t)
				return false;
			break;
		case '[':
			end = class_end(p + 1);
			if (!end) {
				if (*t != '[')
					return false;
				break;
			}
			if (!*t || !class_match(p + 1, end, *t))
				return false;
			p = end;
			break;
		case '\\':
			if (p[1] && p[1] != ',')
				p++;
			/* fallthrough */
		default:
			if (*t != *p)
				return false;
		}
	}
	return !*t;
}

static bool name_matches(const char *name, const char *list)
{
	bool match = false;
	const char *p = list;

	while (p) {
		bool neg = *p == '!';

		if (pattern_match(name, neg ? p + 1 : p))
			match = !neg;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return match;
}

static bool valid_name(const char *name)
{
	const char *c;

	if (!*name || strlen(name) > NAME_MAX_LEN)
		return false;
	for (c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '_'))
			return false;
	return true;
}

/* ---- running ---- */

/* Kept out of line so that nothing live across sigsetjmp() needs care. */
static __attribute__((noinline)) enum result protect(sigjmp_buf jb, void (*fn)(void *),
						     void *arg)
{
	int ret = sigsetjmp(jb, 1);

	if (ret)
		return ret - 1;
	fn(arg);
	return RES_PASS;
}

static void call_plain(void *p)
{
	void (**fn)(void) = p;

	(*fn)();
}

struct dyn_call {
	void (*fn)(void *arg);
	void *arg;
};

static void call_dyn(void *p)
{
	struct dyn_call *c = p;

	c->fn(c->arg);
}

const char *igt_subtest_name(void)
{
	return st.ctx >= CTX_SUBTEST ? st.tests[st.current].name : NULL;
}

const char *igt_dynamic_subtest_name(void)
{
	return st.ctx == CTX_DYNAMIC ? st.dyn_name : NULL;
}

void igt_dynamic(const char *name, void (*fn)(void *arg), void *arg)
{
	struct dyn_call call = { fn, arg };
	enum result res;

	if (st.in_child)
		test_bug("igt_dynamic() in an igt_fork() child");
	if (st.ctx == CTX_DYNAMIC)
		test_bug("igt_dynamic(\"%s\") nested in dynamic subtest %s", name, st.dyn_name);
	if (st.ctx != CTX_SUBTEST)
		test_bug("igt_dynamic(\"%s\") outside of a subtest", name);
	if (!valid_name(name))
		test_bug("invalid dynamic subtest name \"%s\" (want [a-z0-9-_]+)", name);

	st.dyn_seen = true;
	if (st.dyn_filter && !name_matches(name, st.dyn_filter))
		return;

	memcpy(st.dyn_name, name, strlen(name) + 1);	/* valid_name(): fits */
	kmsg("starting dynamic subtest %s\n", name);
	marker("Starting dynamic subtest: %s\n", name);
	clock_gettime(CLOCK_MONOTONIC, &st.dyn_start);
	st.ctx = CTX_DYNAMIC;

	res = protect(st.dyn_jmp, call_dyn, &call);

	st.ctx = CTX_SUBTEST;
	marker("Dynamic subtest %s: %s (%.3fs)\n", name, result_str[res],
	       elapsed(&st.dyn_start));
	kmsg("finished dynamic subtest %s, %s\n", name, result_str[res]);
	if (res == RES_PASS)
		st.dyn_pass++;
	else if (res == RES_FAIL)
		st.dyn_fail++;
}

void igt_dynamic_f(void (*fn)(void *arg), void *arg, const char *fmt, ...)
{
	char name[NAME_MAX_LEN + 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	igt_dynamic(name, fn, arg);
}

void igt_fork(int n, void (*fn)(int child, void *arg), void *arg)
{
	int failed = -1, status = 0, left, i;
	pid_t *pids;

	if (st.in_child)
		test_bug("igt_fork() in an igt_fork() child");
	if (st.ctx == CTX_NONE)
		test_bug("igt_fork() outside of a subtest or fixture");
	if (n <= 0)
		return;

	pids = calloc(n, sizeof(*pids));
	if (!pids)
		igt_fail_f("igt_fork: out of memory\n");

	fflush(NULL);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			st.in_child = true;
			reset_crash_handlers();
			fn(i, arg);
			fflush(NULL);
			_exit(IGT_EXIT_SUCCESS);
		}
		if (pids[i] < 0) {
			int err = errno;

			while (i--) {
				kill(pids[i], SIGKILL);
				waitpid(pids[i], NULL, 0);
			}
			free(pids);
			igt_fail_f("igt_fork: fork() failed: %s\n", strerror(err));
		}
	}

	/* Reap in completion order so that the first failure stops the others. */
	for (left = n; left > 0;) {
		int s;
		pid_t pid = wait(&s);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n)
			continue;	/* not ours */
		pids[i] = 0;
		left--;
		if (s != 0 && failed < 0) {
			failed = i;
			status = s;
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
		}
	}
	free(pids);

	if (failed < 0)
		return;
	if (WIFSIGNALED(status))
		igt_fail_f("igt_fork: child %d died with signal %d, %s\n", failed,
			   WTERMSIG(status), strsignal(WTERMSIG(status)));
	igt_fail_f("igt_fork: child %d failed with exit status %d\n", failed,
		   WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

static void report(size_t i, enum result res, double secs)
{
	marker("Subtest %s: %s (%.3fs)\n", st.tests[i].name, result_str[res], secs);
	if (res == RES_PASS)
		st.any_pass = true;
	else if (res == RES_FAIL)
		st.any_fail = true;
}

static void run_subtest(size_t i)
{
	const char *name = st.tests[i].name;
	void (*fn)(void) = st.tests[i].fn;
	enum result res;

	kmsg("starting subtest %s\n", name);
	marker("Starting subtest: %s\n", name);
	st.dyn_seen = false;
	st.dyn_pass = st.dyn_fail = 0;
	clock_gettime(CLOCK_MONOTONIC, &st.sub_start);
	st.ctx = CTX_SUBTEST;

	res = protect(st.sub_jmp, call_plain, &fn);

	st.ctx = CTX_NONE;
	if (st.dyn_seen) {
		if (res == RES_FAIL || st.dyn_fail)
			res = RES_FAIL;
		else if (res == RES_PASS && !st.dyn_pass) {
			igt_info("No dynamic subtests executed.\n");
			res = RES_SKIP;
		}
	}
	report(i, res, elapsed(&st.sub_start));
	kmsg("finished subtest %s, %s\n", name, result_str[res]);
}

static void run_selected(void (*fixture)(void))
{
	enum result fixture_res = RES_PASS;
	bool fixture_done = !fixture;
	size_t i;

	kmsg("executing\n");
	for (i = 0; i < st.n; i++) {
		if (!st.selected[i])
			continue;
		st.current = i;
		if (!fixture_done) {
			fixture_done = true;
			st.ctx = CTX_FIXTURE;
			fixture_res = protect(st.sub_jmp, call_plain, &fixture);
			st.ctx = CTX_NONE;
		}
		if (fixture_res != RES_PASS)
			report(i, fixture_res, 0.0);	/* never started, like IGT */
		else
			run_subtest(i);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests            list subtest names, one per line\n"
		"  --show-testlist            list subtests as igt@%s@NAME\n"
		"  --run-subtest PATTERN      run matching subtests (wildmat list: a,b*,!c)\n"
		"  --dynamic-subtest PATTERN  run only matching dynamic subtests\n"
		"  --describe[=PATTERN]       describe (matching) subtests\n"
		"  --help-description         print the test description\n"
		"  --debug                    enable igt_debug() output\n"
		"  --help, -h                 this text\n",
		st.prog, st.prog);
}

static int describe(const char *description, const char *filter)
{
	size_t i, shown = 0;

	printf("%s\n\n", description ? description : "");
	for (i = 0; i < st.n; i++) {
		if (filter && !name_matches(st.tests[i].name, filter))
			continue;
		printf("SUB %s:\n  %s\n\n", st.tests[i].name,
		       st.tests[i].description ? st.tests[i].description : "NO DOCUMENTATION!");
		shown++;
	}
	if (shown)
		return IGT_EXIT_SUCCESS;
	fprintf(stderr, "Unknown subtest: %s\n", filter);
	return IGT_EXIT_INVALID;
}

static bool check_table(void)
{
	size_t i, j;

	if (!st.n) {
		fprintf(stderr, "svmgpu_igt: test bug: no subtests\n");
		return false;
	}
	for (i = 0; i < st.n; i++) {
		if (!st.tests[i].name || !valid_name(st.tests[i].name) || !st.tests[i].fn) {
			fprintf(stderr, "svmgpu_igt: test bug: bad subtest #%zu \"%s\"\n", i,
				st.tests[i].name ? st.tests[i].name : "(null)");
			return false;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(st.tests[i].name, st.tests[j].name)) {
				fprintf(stderr, "svmgpu_igt: test bug: duplicate subtest %s\n",
					st.tests[i].name);
				return false;
			}
		}
	}
	return true;
}

enum {
	OPT_LIST = 500, OPT_SHOW, OPT_RUN, OPT_DYN, OPT_DESCRIBE, OPT_HELP_DESC, OPT_DEBUG,
};

int igt_run(int argc, char **argv, const char *description,
	    void (*fixture)(void), const struct igt_subtest *tests, size_t n)
{
	static const struct option opts[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST },
		{ "show-testlist", no_argument, NULL, OPT_SHOW },
		{ "run-subtest", required_argument, NULL, OPT_RUN },
		{ "dynamic-subtest", required_argument, NULL, OPT_DYN },
		{ "describe", optional_argument, NULL, OPT_DESCRIBE },
		{ "help-description", no_argument, NULL, OPT_HELP_DESC },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool list = false, show = false, desc = false;
	const char *desc_filter = NULL, *env;
	size_t i, nsel = 0;
	int c;

	/* Whole lines reach the pipe in order; stderr stays unbuffered. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 0 && argv[0]) {
		st.prog = strrchr(argv[0], '/');
		st.prog = st.prog ? st.prog + 1 : argv[0];
	}
	st.tests = tests;
	st.n = n;
	env = getenv("IGT_LOG_LEVEL");
	st.debug = env && !strcmp(env, "debug");
	st.sentinel = getenv("IGT_SENTINEL_ON_STDERR") != NULL;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			list = true;
			break;
		case OPT_SHOW:
			show = true;
			break;
		case OPT_RUN:
			st.run_filter = optarg;
			break;
		case OPT_DYN:
			st.dyn_filter = optarg;
			break;
		case OPT_DESCRIBE:
			desc = true;
			desc_filter = optarg;
			break;
		case OPT_HELP_DESC:
			printf("%s\n", description ? description : "");
			return IGT_EXIT_SUCCESS;
		case OPT_DEBUG:
			st.debug = true;
			break;
		case 'h':
			usage(stdout);
			return IGT_EXIT_SUCCESS;
		default:
			fprintf(stderr, "%s: unknown or malformed option '%s'\n", st.prog,
				argv[optind - 1]);
			usage(stderr);
			return IGT_EXIT_INVALID;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", st.prog, argv[optind]);
		usage(stderr);
		return IGT_EXIT_INVALID;
	}
	if (!check_table()) {
		/*
		 * igt_runner silently drops a binary whose --list-subtests exits
		 * non-zero, but stops loudly when it dies: make a broken table loud.
		 */
		if (list || show)
			abort();
		return IGT_EXIT_FAILURE;
	}

	/* Only names on stdout: igt_runner reads every word as a subtest. */
	if (list || show) {
		for (i = 0; i < n; i++) {
			if (show)
				printf("igt@%s@%s\n", st.prog, tests[i].name);
			else
				printf("%s\n", tests[i].name);
		}
		return IGT_EXIT_SUCCESS;
	}
	if (desc)
		return describe(description, desc_filter);

	st.selected = calloc(n, sizeof(*st.selected));
	if (!st.selected) {
		fprintf(stderr, "%s: out of memory\n", st.prog);
		return IGT_EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		st.selected[i] = !st.run_filter || name_matches(tests[i].name, st.run_filter);
		nsel += st.selected[i];
	}
	if (!nsel) {
		fprintf(stderr, "Unknown subtest: %s\n", st.run_filter);
		free(st.selected);
		return IGT_EXIT_INVALID;
	}

	install_crash_handlers();
	run_selected(fixture);
	reset_crash_handlers();
	free(st.selected);
	st.selected = NULL;

	c = st.any_fail ? IGT_EXIT_FAILURE : st.any_pass ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;
	kmsg("exiting, ret=%d\n", c);
	fflush(NULL);
	return c;
}
