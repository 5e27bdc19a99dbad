// SPDX-License-Identifier: MIT
/*
 * Self-test of svmgpu_igt. Build and check on the host:
 *
 *	gcc -std=gnu11 -Wall -Wextra -Werror -O2 -o /tmp/selftest_igt \
 *		igt-tests/lib/selftest_igt.c igt-tests/lib/svmgpu_igt.c
 *	/tmp/selftest_igt --selftest-check
 *
 * Without --selftest-check it is an ordinary test binary (a passing, failing,
 * skipping, dynamic, forking and crashing subtest), usable by igt_runner.
 * --selftest-check runs this binary again with the runner's options and
 * checks exit codes and the lines igt_runner parses; it ends with
 * "N passed, N failed" and exits non-zero on any mismatch.
 * Environment knobs of the test binary: SELFTEST_FIXTURE=skip|fail|crash,
 * SELFTEST_NO_CRASH=1 (crashing subtests skip instead).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svmgpu_igt.h"

/* ---- the test binary ---- */

static void fixture(void)
{
	const char *mode = getenv("SELFTEST_FIXTURE");

	if (!mode)
		return;
	igt_require_f(strcmp(mode, "skip"), "fixture asked to skip\n");
	igt_assert_f(strcmp(mode, "fail"), "fixture asked to fail\n");
	if (!strcmp(mode, "crash"))
		raise(SIGSEGV);
}

static void no_crash_skip(void)
{
	igt_require_f(!getenv("SELFTEST_NO_CRASH"), "crashing subtests disabled\n");
}

static void t_pass(void)
{
	uint64_t big = 1ull << 63;

	igt_info("checking the comparison helpers\n");
	igt_debug("only shown with --debug\n");
	igt_assert(big);
	igt_assert_f(big > 1, "big is %llu\n", (unsigned long long)big);
	igt_assert_eq(2 + 2, 4);
	igt_assert_neq(-1, 1);
	igt_assert_lt(-5, 3);
	igt_assert_lte(3, 3);
	igt_assert_gt(4, 3);
	igt_assert_gte(4, 4);
	igt_assert_eq_u64(big, 1ull << 63);
	igt_assert_neq_u64(big, 0);
	igt_assert_ioctl_err(close(-1), EBADF);
	igt_assert_eq(strcmp(igt_subtest_name(), "pass"), 0);
	igt_assert(!igt_dynamic_subtest_name());
}

static void t_fail(void)
{
	volatile int two = 2;

	igt_info("about to fail\n");
	igt_assert_eq(two + 2, 5);
	igt_info("not reached\n");
}

static void t_fail_ioctl(void)
{
	igt_assert_ioctl_err(close(-1), EINVAL);
}

static void t_fail_f(void)
{
	igt_fail_f("explicit failure %d\n", 42);
}

static void t_skip(void)
{
	igt_require_f(0, "no such hardware\n");
	igt_info("not reached\n");
}

static void dyn_pass(void *arg)
{
	(void)arg;
	igt_assert(igt_dynamic_subtest_name());
	igt_info("dynamic %s passes\n", igt_dynamic_subtest_name());
}

static void dyn_fail(void *arg)
{
	igt_assert_eq(*(int *)arg, 0);
}

static void dyn_skip(void *arg)
{
	(void)arg;
	igt_skip("dynamic skip\n");
}

static void t_dynamic(void)
{
	int one = 1;

	igt_dynamic("dyn-pass", dyn_pass, NULL);
	igt_dynamic("dyn-fail", dyn_fail, &one);
	igt_dynamic_f(dyn_skip, NULL, "dyn-%s", "skip");
}

static void t_dynamic_pass(void)
{
	int i;

	for (i = 0; i < 2; i++)
		igt_dynamic_f(dyn_pass, NULL, "engine-%d", i);
}

static void t_dynamic_skip(void)
{
	igt_dynamic("only-skip", dyn_skip, NULL);
}

static void t_dynamic_bad_name(void)
{
	igt_dynamic("Bad.Name", dyn_pass, NULL);
}

static void child_ok(int child, void *arg)
{
	igt_assert_lt(child, *(int *)arg);
}

static void child_two_fails(int child, void *arg)
{
	(void)arg;
	igt_assert_neq(child, 2);
}

static void t_fork_pass(void)
{
	int n = 4;

	igt_fork(n, child_ok, &n);
}

static void t_fork_fail(void)
{
	igt_fork(4, child_two_fails, NULL);
}

static void segv(void *arg)
{
	/* volatile twice: hide that arg is NULL, and keep the store */
	volatile int *volatile p = arg;

	/* cppcheck-suppress nullPointer */
	*p = 42;
}

static void t_dynamic_crash(void)
{
	no_crash_skip();
	igt_dynamic("before", dyn_pass, NULL);
	igt_dynamic("boom", segv, NULL);
}

static void t_segfault(void)
{
	no_crash_skip();
	igt_info("about to crash");	/* no newline: the framework ends the line */
	segv(NULL);
}

static void t_abort(void)
{
	no_crash_skip();
	abort();
}

static const struct igt_subtest tests[] = {
	{ "pass", t_pass, "All assertion helpers accept true conditions" },
	{ "fail", t_fail, "A failing igt_assert_eq() reports FAIL" },
	{ "fail-ioctl", t_fail_ioctl, "igt_assert_ioctl_err() reports both errnos" },
	{ "fail-f", t_fail_f, "igt_fail_f() reports FAIL" },
	{ "skip", t_skip, "A failed igt_require_f() reports SKIP" },
	{ "dynamic", t_dynamic, "Dynamic subtests pass, fail and skip; parent fails" },
	{ "dynamic-pass", t_dynamic_pass, "All dynamic subtests pass; parent passes" },
	{ "dynamic-skip", t_dynamic_skip, "All dynamic subtests skip; parent skips" },
	{ "dynamic-bad-name", t_dynamic_bad_name, "An invalid dynamic name fails" },
	{ "fork-pass", t_fork_pass, "igt_fork() children all pass" },
	{ "fork-fail", t_fork_fail, "A failing igt_fork() child fails the subtest" },
	{ "dynamic-crash", t_dynamic_crash, "A crash in a dynamic subtest reports CRASH" },
	{ "segfault", t_segfault, "A SIGSEGV reports CRASH" },
	{ "abort", t_abort, "A SIGABRT reports CRASH" },
};

/* ---- the checker ---- */

#define MAX_ITEMS 16

struct check {
	const char *what;
	const char *env[3];			/* NAME=value */
	const char *args[5];
	int code;				/* expected exit code */
	const char *out_exact;			/* whole stdout, if set */
	const char *out[MAX_ITEMS];		/* line prefixes, in this order */
	const char *not_out[4];			/* substrings that must not appear */
	const char *err[4];			/* substrings of stderr */
	bool err_markers_only;			/* stderr: only runner marker lines */
};

#define SENTINEL "IGT_SENTINEL_ON_STDERR=1"

static const struct check checks[] = {
	{ "list-subtests", {}, { "--list-subtests" }, 0,
	  .out_exact = "pass\nfail\nfail-ioctl\nfail-f\nskip\ndynamic\ndynamic-pass\n"
		"dynamic-skip\ndynamic-bad-name\nfork-pass\nfork-fail\ndynamic-crash\n"
		"segfault\nabort\n",
	  .err_markers_only = true },
	{ "show-testlist", {}, { "--show-testlist" }, 0,
	  .out = { "igt@selftest_igt@pass", "igt@selftest_igt@abort" } },
	{ "pass", { SENTINEL }, { "--run-subtest", "pass" }, 0,
	  .out = { "Starting subtest: pass", "checking the comparison helpers",
		   "Subtest pass: SUCCESS (" },
	  .not_out = { "DEBUG" }, .err_markers_only = true },
	{ "pass --debug", {}, { "--run-subtest", "pass", "--debug" }, 0,
	  .out = { "Starting subtest: pass", "DEBUG: only shown with --debug",
		   "Subtest pass: SUCCESS (" } },
	{ "fail", { SENTINEL }, { "--run-subtest", "fail" }, 98,
	  .out = { "Starting subtest: fail", "about to fail", "Subtest fail: FAIL (" },
	  .not_out = { "not reached" },
	  .err = { "Test assertion failure in function t_fail, file ",
		   "selftest_igt.c:", "Failed assertion: two + 2 == 5",
		   "Values: left 4 (0x4), right 5 (0x5)" } },
	{ "fail-ioctl", {}, { "--run-subtest", "fail-ioctl" }, 98,
	  .out = { "Starting subtest: fail-ioctl", "Subtest fail-ioctl: FAIL (" },
	  .err = { "Failed assertion: close(-1) == -1 && errno == EINVAL",
		   "Expected: -1, errno 22 (Invalid argument)",
		   "Got: -1, errno 9 (Bad file descriptor)" } },
	{ "fail-f", {}, { "--run-subtest", "fail-f" }, 98,
	  .out = { "Subtest fail-f: FAIL (" },
	  .err = { "Test failure in function t_fail_f", "explicit failure 42" } },
	{ "skip", { SENTINEL }, { "--run-subtest", "skip" }, 77,
	  .out = { "Starting subtest: skip", "Test requirement not met in function t_skip",
		   "Test requirement: 0", "no such hardware", "Subtest skip: SKIP (" },
	  .not_out = { "not reached" }, .err_markers_only = true },
	{ "dynamic", { SENTINEL }, { "--run-subtest", "dynamic" }, 98,
	  .out = { "Starting subtest: dynamic",
		   "Starting dynamic subtest: dyn-pass", "dynamic dyn-pass passes",
		   "Dynamic subtest dyn-pass: SUCCESS (",
		   "Starting dynamic subtest: dyn-fail", "Dynamic subtest dyn-fail: FAIL (",
		   "Starting dynamic subtest: dyn-skip", "dynamic skip",
		   "Dynamic subtest dyn-skip: SKIP (", "Subtest dynamic: FAIL (" },
	  .err = { "Failed assertion: *(int *)arg == 0" } },
	{ "dynamic filter match", {}, { "--run-subtest", "dynamic",
	  "--dynamic-subtest", "dyn-pass" }, 0,
	  .out = { "Starting dynamic subtest: dyn-pass", "Dynamic subtest dyn-pass: SUCCESS (",
		   "Subtest dynamic: SUCCESS (" },
	  .not_out = { "dyn-fail", "dyn-skip" } },
	{ "dynamic filter no match", {}, { "--run-subtest", "dynamic",
	  "--dynamic-subtest", "nope" }, 77,
	  .out = { "Starting subtest: dynamic", "No dynamic subtests executed.",
		   "Subtest dynamic: SKIP (" },
	  .not_out = { "Starting dynamic" } },
	{ "dynamic-pass", { SENTINEL }, { "--run-subtest", "dynamic-pass" }, 0,
	  .out = { "Dynamic subtest engine-0: SUCCESS (", "Dynamic subtest engine-1: SUCCESS (",
		   "Subtest dynamic-pass: SUCCESS (" },
	  .err_markers_only = true },
	{ "dynamic-skip", {}, { "--run-subtest", "dynamic-skip" }, 77,
	  .out = { "Dynamic subtest only-skip: SKIP (", "Subtest dynamic-skip: SKIP (" } },
	{ "dynamic-bad-name", {}, { "--run-subtest", "dynamic-bad-name" }, 98,
	  .out = { "Subtest dynamic-bad-name: FAIL (" },
	  .err = { "invalid dynamic subtest name \"Bad.Name\"" } },
	{ "fork-pass", { SENTINEL }, { "--run-subtest", "fork-pass" }, 0,
	  .out = { "Subtest fork-pass: SUCCESS (" }, .err_markers_only = true },
	{ "fork-fail", {}, { "--run-subtest", "fork-fail" }, 98,
	  .out = { "Starting subtest: fork-fail", "Subtest fork-fail: FAIL (" },
	  .not_out = { "Subtest fork-fail: FAIL (0.000s)\nSubtest" },
	  .err = { "Failed assertion: child != 2",
		   "igt_fork: child 2 failed with exit status 98" } },
	{ "dynamic-crash", { SENTINEL }, { "--run-subtest", "dynamic-crash" }, 128 + SIGSEGV,
	  .out = { "Dynamic subtest before: SUCCESS (", "Starting dynamic subtest: boom",
		   "Dynamic subtest boom: CRASH (", "Subtest dynamic-crash: CRASH (" },
	  .err = { "Received signal SIGSEGV.", "Dynamic subtest boom: CRASH (",
		   "Subtest dynamic-crash: CRASH (" } },
	{ "segfault", {}, { "--run-subtest", "segfault" }, 128 + SIGSEGV,
	  .out = { "Starting subtest: segfault", "about to crash", "Subtest segfault: CRASH (" },
	  .err = { "Received signal SIGSEGV.", "Stack trace:" } },
	{ "abort", {}, { "--run-subtest", "abort" }, 128 + SIGABRT,
	  .out = { "Starting subtest: abort", "Subtest abort: CRASH (" },
	  .err = { "Received signal SIGABRT." } },
	{ "unknown subtest", {}, { "--run-subtest", "nosuch" }, 79,
	  .out_exact = "", .err = { "Unknown subtest: nosuch" } },
	{ "list of subtests", {}, { "--run-subtest", "skip,pass" }, 0,
	  .out = { "Subtest pass: SUCCESS (", "Subtest skip: SKIP (" },
	  .not_out = { "Subtest fail" } },
	{ "wildcards and exclusion", {}, { "--run-subtest", "dyn*,!dynamic,!*crash,!*bad*" }, 0,
	  .out = { "Subtest dynamic-pass: SUCCESS (", "Subtest dynamic-skip: SKIP (" },
	  .not_out = { "Subtest dynamic:", "crash", "bad" } },
	{ "wildcard ? and class", {}, { "--run-subtest", "fail-?,[p]as[a-z]" }, 98,
	  .out = { "Subtest pass: SUCCESS (", "Subtest fail-f: FAIL (" },
	  .not_out = { "fail-ioctl", "Subtest fail:" } },
	{ "fixture skip", { "SELFTEST_FIXTURE=skip" }, { "--run-subtest", "pass,fail" }, 77,
	  .out = { "fixture asked to skip", "Subtest pass: SKIP (0.000s)",
		   "Subtest fail: SKIP (0.000s)" },
	  .not_out = { "Starting subtest" } },
	{ "fixture fail", { "SELFTEST_FIXTURE=fail" }, { "--run-subtest", "pass,skip" }, 98,
	  .out = { "Subtest pass: FAIL (0.000s)", "Subtest skip: FAIL (0.000s)" },
	  .not_out = { "Starting subtest" }, .err = { "fixture asked to fail" } },
	{ "fixture crash", { "SELFTEST_FIXTURE=crash" }, { "--run-subtest", "pass,skip" },
	  128 + SIGSEGV,
	  .out = { "Subtest pass: CRASH (0.000s)", "Subtest skip: CRASH (0.000s)" },
	  .not_out = { "Starting subtest" } },
	{ "fixture not run when listing", { "SELFTEST_FIXTURE=fail" }, { "--list-subtests" }, 0,
	  .out = { "pass" }, .err_markers_only = true },
	{ "plain run", { "SELFTEST_NO_CRASH=1" }, {}, 98,
	  .out = { "Subtest pass: SUCCESS (", "Subtest fail: FAIL (", "Subtest fail-ioctl: FAIL (",
		   "Subtest fail-f: FAIL (", "Subtest skip: SKIP (", "Subtest dynamic: FAIL (",
		   "Subtest dynamic-pass: SUCCESS (", "Subtest dynamic-skip: SKIP (",
		   "Subtest dynamic-bad-name: FAIL (", "Subtest fork-pass: SUCCESS (",
		   "Subtest fork-fail: FAIL (", "Subtest dynamic-crash: SKIP (",
		   "Subtest segfault: SKIP (", "Subtest abort: SKIP (" } },
	{ "plain run stops at a crash", {}, {}, 128 + SIGSEGV,
	  .out = { "Subtest fork-fail: FAIL (", "Subtest dynamic-crash: CRASH (" },
	  .not_out = { "Starting subtest: segfault" } },
	{ "describe", {}, { "--describe=pass" }, 0,
	  .out = { "svmgpu_igt self-test", "SUB pass:",
		   "  All assertion helpers accept true conditions" },
	  .not_out = { "SUB fail" } },
	{ "help", {}, { "--help" }, 0, .out = { "Usage: selftest_igt" } },
	{ "bad option", {}, { "--no-such-option" }, 79, .out_exact = "",
	  .err = { "unknown or malformed option" } },
	{ "stray argument", {}, { "pass" }, 79, .out_exact = "" },
};

struct captured {
	char *out, *err;
	int code;		/* exit code, or 128 + signal */
};

static char *slurp(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, len + 1);

	if (buf && pread(fd, buf, len, 0) != len)
		buf[0] = '\0';
	close(fd);
	return buf;
}

static struct captured run_self(const struct check *c)
{
	struct captured r = { NULL, NULL, -1 };
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	const char *argv[8] = { "selftest_igt" };
	int status, i;
	pid_t pid;

	for (i = 0; i < 5 && c->args[i]; i++)
		argv[i + 1] = c->args[i];
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		unsetenv("IGT_SENTINEL_ON_STDERR");
		unsetenv("IGT_LOG_LEVEL");
		for (i = 0; i < 3 && c->env[i]; i++)
			putenv((char *)c->env[i]);
		execv("/proc/self/exe", (char **)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static bool is_marker(const char *line)
{
	return !strncmp(line, "Starting subtest: ", 18) ||
	       !strncmp(line, "Starting dynamic subtest: ", 26) ||
	       !strncmp(line, "Subtest ", 8) || !strncmp(line, "Dynamic subtest ", 16);
}

/* Every result line must read "NAME: RESULT (S.MMMs)" as igt_runner parses it. */
static const char *bad_result_line(const char *text)
{
	static char line[256];
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t len = strcspn(p, "\n");
		const char *q = p, *paren;

		if (!strncmp(p, "Subtest ", 8))
			q = p + 8;
		else if (!strncmp(p, "Dynamic subtest ", 16))
			q = p + 16;
		else
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		q += strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789-_");
		paren = strstr(line, " (");
		if (q[0] != ':' || q[1] != ' ' || !paren || len < 9 ||
		    strcmp(line + strlen(line) - 2, "s)") || line[strlen(line) - 6] != '.' ||
		    strspn(line + strlen(line) - 5, "0123456789") != 3)
			return line;
	}
	return NULL;
}

static const char *verify(const struct check *c, const struct captured *r)
{
	static char why[512];
	const char *pos = r->out, *bad;
	int i;

	if (!r->out || !r->err)
		return "could not capture output";
	if (r->code != c->code) {
		snprintf(why, sizeof(why), "exit code %d, want %d", r->code, c->code);
		return why;
	}
	if (c->out_exact && strcmp(r->out, c->out_exact))
		return "stdout differs from the expected text";
	for (i = 0; i < MAX_ITEMS && c->out[i]; i++) {
		const char *hit = pos;

		/* next line, at or after pos, starting with the prefix */
		while (hit && strncmp(hit, c->out[i], strlen(c->out[i]))) {
			hit = strchr(hit, '\n');
			hit = hit ? hit + 1 : NULL;
		}
		if (!hit) {
			snprintf(why, sizeof(why), "no line \"%s\" (in this order) on stdout",
				 c->out[i]);
			return why;
		}
		pos = hit + 1;
	}
	for (i = 0; i < 4 && c->not_out[i]; i++) {
		if (strstr(r->out, c->not_out[i])) {
			snprintf(why, sizeof(why), "stdout has \"%s\"", c->not_out[i]);
			return why;
		}
	}
	for (i = 0; i < 4 && c->err[i]; i++) {
		if (!strstr(r->err, c->err[i])) {
			snprintf(why, sizeof(why), "stderr lacks \"%s\"", c->err[i]);
			return why;
		}
	}
	if (c->err_markers_only) {
		for (pos = r->err; pos && *pos; pos = strchr(pos, '\n'), pos = pos ? pos + 1 : NULL)
			if (!is_marker(pos))
				return "stderr has a non-marker line (runner would say warn)";
	}
	bad = bad_result_line(r->out);
	if (!bad)
		bad = bad_result_line(r->err);
	if (bad) {
		snprintf(why, sizeof(why), "malformed result line \"%s\"", bad);
		return why;
	}
	return NULL;
}

static int selftest_check(void)
{
	size_t i, n = sizeof(checks) / sizeof(checks[0]);
	int passed = 0, failed = 0;

	for (i = 0; i < n; i++) {
		struct captured r = run_self(&checks[i]);
		const char *why = verify(&checks[i], &r);

		if (why) {
			printf("not ok %zu - %s: %s\n--- stdout\n%s--- stderr\n%s---\n", i + 1,
			       checks[i].what, why, r.out ? r.out : "", r.err ? r.err : "");
			failed++;
		} else {
			printf("ok %zu - %s\n", i + 1, checks[i].what);
			passed++;
		}
		free(r.out);
		free(r.err);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--selftest-check"))
		return selftest_check();
	return igt_run(argc, argv, "svmgpu_igt self-test: every kind of result",
		       fixture, tests, sizeof(tests) / sizeof(tests[0]));
}
