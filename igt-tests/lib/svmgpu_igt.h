/* SPDX-License-Identifier: MIT */
/*
 * svmgpu_igt: a small test framework whose binaries speak the test-binary
 * protocol of IGT's igt_runner (plain-text variant), so that svmgpu tests can
 * be run by igt_runner next to IGT's own tests. See ../PROTOCOL.md.
 *
 * A test binary is a table of subtests plus an optional fixture:
 *
 *	static void basic(void) { igt_assert_eq(do_thing(), 0); }
 *	static const struct igt_subtest tests[] = {
 *		{ "basic", basic, "do_thing() succeeds on an idle device" },
 *	};
 *	IGT_MAIN("What this binary covers", open_device, tests)
 *
 * Failures and skips leave the running subtest (or dynamic subtest) through
 * siglongjmp(), so do not rely on automatic variables modified before the
 * jump, and release resources in the fixture or with care.
 */
#ifndef SVMGPU_IGT_H
#define SVMGPU_IGT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes, same values as IGT's igt_core.h. */
#define IGT_EXIT_SUCCESS	0
#define IGT_EXIT_SKIP		77
#define IGT_EXIT_TIMEOUT	78
#define IGT_EXIT_INVALID	79
#define IGT_EXIT_FAILURE	98
#define IGT_EXIT_ABORT		112

#define __igt_printf(a, b)	__attribute__((format(printf, a, b)))
#define __igt_noreturn		__attribute__((noreturn))

struct igt_subtest {
	const char *name;		/* [a-z0-9-_]+ */
	void (*fn)(void);
	const char *description;	/* one line: what is verified */
};

/*
 * Runs the binary: handles --list-subtests, --run-subtest PATTERN,
 * --dynamic-subtest PATTERN, --describe[=PATTERN], --help; with no option runs
 * every subtest in table order. @fixture (may be NULL) runs once before the
 * first selected subtest; if it skips, every selected subtest is reported SKIP,
 * if it fails, FAIL. Returns the exit code for main(): 0 if something passed
 * and nothing failed, 98 if anything failed, 77 if everything skipped, 79 for
 * usage errors and unknown subtests. A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT) reports CRASH for the running subtest and exits with 128 + signal.
 */
int igt_run(int argc, char **argv, const char *description,
	    void (*fixture)(void), const struct igt_subtest *tests, size_t n);

#define IGT_MAIN(desc, fixture, table)						\
	int main(int argc, char **argv)						\
	{									\
		return igt_run(argc, argv, desc, fixture, table,		\
			       sizeof(table) / sizeof(table[0]));		\
	}

/*
 * Dynamic subtests: only inside a subtest. Each call is reported as its own
 * result (igt@bin@subtest@name). Honours --dynamic-subtest. A subtest that
 * called igt_dynamic() reports FAIL if any dynamic subtest (or the subtest
 * itself) failed, SKIP if it skipped itself or no dynamic subtest passed,
 * SUCCESS otherwise. Names: [a-z0-9-_]+, at most 255 characters.
 */
void igt_dynamic(const char *name, void (*fn)(void *arg), void *arg);
void igt_dynamic_f(void (*fn)(void *arg), void *arg, const char *fmt, ...)
	__igt_printf(3, 4);

/*
 * Runs fn(0..n-1, arg) in n child processes of the running subtest and waits
 * for all of them. A child that fails an assertion (or crashes, or calls
 * igt_skip/igt_require, which children must not) makes the subtest fail; the
 * remaining children are then killed. Children print no result lines.
 */
void igt_fork(int n, void (*fn)(int child, void *arg), void *arg);

/* Names of the running subtest and dynamic subtest, or NULL. */
const char *igt_subtest_name(void);
const char *igt_dynamic_subtest_name(void);

/*
 * Logging. igt_info and igt_debug (only with --debug or IGT_LOG_LEVEL=debug)
 * go to stdout. igt_warn goes to stderr: igt_runner turns a passing subtest
 * that wrote anything to stderr into "warn", so use it only for real trouble.
 */
void igt_info(const char *fmt, ...) __igt_printf(1, 2);
void igt_debug(const char *fmt, ...) __igt_printf(1, 2);
void igt_warn(const char *fmt, ...) __igt_printf(1, 2);

/*
 * Kernel log records matching @regex (POSIX extended) do not make the
 * running subtest dmesg-warn: for messages a test provokes on purpose, such
 * as the kernel's own reports of injected allocation failures. igt_runner
 * forgets the regexes when the next subtest starts.
 */
void igt_emit_ignore_dmesg_regex(const char *regex);

/* Leaves the running (dynamic) subtest as SKIP; the reason goes to stdout. */
void igt_skip(const char *fmt, ...) __igt_printf(1, 2) __igt_noreturn;

/* Internal helpers of the macros below. */
void __igt_fail(const char *file, int line, const char *func, const char *expr,
		const char *fmt, ...) __igt_printf(5, 6) __igt_noreturn;
void __igt_fail_plain(const char *file, int line, const char *func, const char *expr)
	__igt_noreturn;
void __igt_fail_cmp_s64(const char *file, int line, const char *func, const char *expr,
			long long a, long long b) __igt_noreturn;
void __igt_fail_cmp_u64(const char *file, int line, const char *func, const char *expr,
			unsigned long long a, unsigned long long b) __igt_noreturn;
void __igt_fail_ioctl(const char *file, int line, const char *func, const char *expr,
		      long long ret, int err, int expected) __igt_noreturn;
void __igt_skip_req(const char *file, int line, const char *func, const char *expr,
		    const char *fmt, ...) __igt_printf(5, 6) __igt_noreturn;
void __igt_skip_req_plain(const char *file, int line, const char *func, const char *expr)
	__igt_noreturn;

#define igt_fail_f(...) __igt_fail(__FILE__, __LINE__, __func__, NULL, __VA_ARGS__)

#define igt_assert(expr)							\
	do {									\
		if (__builtin_expect(!(expr), 0))				\
			__igt_fail_plain(__FILE__, __LINE__, __func__, #expr);	\
	} while (0)

#define igt_assert_f(expr, ...)							\
	do {									\
		if (__builtin_expect(!(expr), 0))				\
			__igt_fail(__FILE__, __LINE__, __func__, #expr,		\
				   __VA_ARGS__);				\
	} while (0)

/* Comparisons: both operands evaluated once, printed on failure. */
#define __igt_assert_cmp(type, failfn, a, op, b)				\
	do {									\
		type __igt_a = (a);						\
		type __igt_b = (b);						\
		if (__builtin_expect(!(__igt_a op __igt_b), 0))			\
			failfn(__FILE__, __LINE__, __func__,			\
			       #a " " #op " " #b, __igt_a, __igt_b);		\
	} while (0)

#define igt_assert_eq(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, ==, b)
#define igt_assert_neq(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, !=, b)
#define igt_assert_lt(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, <, b)
#define igt_assert_lte(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, <=, b)
#define igt_assert_gt(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, >, b)
#define igt_assert_gte(a, b)	__igt_assert_cmp(long long, __igt_fail_cmp_s64, a, >=, b)
#define igt_assert_eq_u64(a, b)							\
	__igt_assert_cmp(unsigned long long, __igt_fail_cmp_u64, a, ==, b)
#define igt_assert_neq_u64(a, b)						\
	__igt_assert_cmp(unsigned long long, __igt_fail_cmp_u64, a, !=, b)

/*
 * igt_assert_ioctl_err(ret, err): asserts ret == -1 and errno == err, e.g.
 * igt_assert_ioctl_err(ioctl(fd, SVMGPU_IOCTL_X, &bad), EINVAL). errno is read
 * right after ret is evaluated.
 */
#define igt_assert_ioctl_err(ret, err)						\
	do {									\
		long long __igt_ret = (ret);					\
		int __igt_errno = errno;					\
		int __igt_want = (err);						\
		if (__builtin_expect(__igt_ret != -1 || __igt_errno != __igt_want, 0)) \
			__igt_fail_ioctl(__FILE__, __LINE__, __func__,		\
					 #ret " == -1 && errno == " #err,	\
					 __igt_ret, __igt_errno, __igt_want);	\
	} while (0)

#define igt_require(expr)							\
	do {									\
		if (!(expr))							\
			__igt_skip_req_plain(__FILE__, __LINE__, __func__, #expr); \
	} while (0)

#define igt_require_f(expr, ...)						\
	do {									\
		if (!(expr))							\
			__igt_skip_req(__FILE__, __LINE__, __func__, #expr,	\
				       __VA_ARGS__);				\
	} while (0)

#endif /* SVMGPU_IGT_H */
