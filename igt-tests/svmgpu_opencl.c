// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_opencl: svmgpu under the standard OpenCL stack. Debian's ocl-icd
 * loader loads the build tree's ICD (OCL_ICD_VENDORS), Debian's clinfo must
 * list the platform and device with their SVM capabilities, the OpenCL
 * example program must give on svmgpu the results it gives on PoCL's CPU
 * device, and the OpenCL entry points the ICD implements are checked
 * against data read back on the CPU. What svmgpu does not offer must fail
 * with an OpenCL error, never crash.
 */
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svmgpu_igt.h"
#include "svmgpu_test.h"

/* The build tree, found from this binary: BUILD/igt-tests/svmgpu_opencl. */
static char build_dir[PATH_MAX];
static char vendors_dir[PATH_MAX + 32];
static char example[PATH_MAX + 64];

static cl_platform_id platform;
static cl_device_id device;
static cl_context ctx;
static cl_command_queue queue;
static int fd = -1;

static void find_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	igt_assert(n > 0);
	exe[n] = '\0';
	/* Strip "/igt-tests/svmgpu_opencl". */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		igt_assert(slash);
		*slash = '\0';
	}
	snprintf(build_dir, sizeof(build_dir), "%s", exe);
	snprintf(vendors_dir, sizeof(vendors_dir), "%s/etc/OpenCL/vendors", build_dir);
	snprintf(example, sizeof(example), "%s/tools/opencl/svm_saxpy_reduce", build_dir);
}

static void fixture(void)
{
	char name[64] = "";
	cl_platform_id ids[8];
	cl_uint n = 0;

	find_build_tree();
	igt_require_f(access(vendors_dir, R_OK) == 0, "no ICD in the build tree (%s)\n",
		      vendors_dir);
	/* Only the build tree's ICD: the platform list is svmgpu alone. */
	setenv("OCL_ICD_VENDORS", vendors_dir, 1);
	fd = svmgpu_open_or_skip();
	igt_assert_eq(clGetPlatformIDs(8, ids, &n), CL_SUCCESS);
	for (cl_uint i = 0; i < n && i < 8; i++) {
		clGetPlatformInfo(ids[i], CL_PLATFORM_NAME, sizeof(name), name, NULL);
		if (!strcmp(name, "svmgpu"))
			platform = ids[i];
	}
	igt_assert_f(platform, "the loader did not list the svmgpu platform\n");
	igt_assert_eq(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL), CL_SUCCESS);
}

/* A context and queue for one subtest. */
static void open_queue(void)
{
	cl_int err;

	ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
	igt_assert_eq(err, CL_SUCCESS);
	queue = clCreateCommandQueueWithProperties(ctx, device, NULL, &err);
	igt_assert_eq(err, CL_SUCCESS);
}

static void close_queue(void)
{
	igt_assert_eq(clReleaseCommandQueue(queue), CL_SUCCESS);
	igt_assert_eq(clReleaseContext(ctx), CL_SUCCESS);
}

/* Runs a shell command; its stdout goes to @out (NUL-terminated); returns the exit status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p;
	size_t len = 0, got;
	int status;

	igt_debug("running: %s\n", cmd);
	p = popen(cmd, "r");
	igt_assert(p);
	while (len + 1 < size && (got = fread(out + len, 1, size - 1 - len, p)) > 0)
		len += got;
	out[len] = '\0';
	status = pclose(p);
	igt_assert(status != -1);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Whether clinfo's "NAME   VALUE" line for @key has @value (after spaces). */
static bool clinfo_has(const char *out, const char *key, const char *value)
{
	const char *p = out;

	while ((p = strstr(p, key))) {
		const char *v = p + strlen(key);
		const char *eol = strchr(v, '\n');

		while (*v == ' ')
			v++;
		if (!strncmp(v, value, strlen(value)) && (!eol || v + strlen(value) <= eol))
			return true;
		p = v;
	}
	return false;
}

static void test_clinfo(void)
{
	static char out[1 << 17];
	char cmd[PATH_MAX + 128], vram[32];
	struct drm_svmgpu_device_info info;

	igt_require_f(access("/usr/bin/clinfo", X_OK) == 0, "clinfo is not installed\n");
	svmgpu_query_info(fd, &info);
	snprintf(cmd, sizeof(cmd), "OCL_ICD_VENDORS=%s /usr/bin/clinfo 2>&1", vendors_dir);
	igt_assert_eq(run(cmd, out, sizeof(out)), 0);
	igt_debug("%s", out);
	igt_assert_f(clinfo_has(out, "Number of platforms", "1"), "platform count:\n%s", out);
	igt_assert_f(clinfo_has(out, "Platform Name", "svmgpu"), "platform name:\n%s", out);
	igt_assert_f(clinfo_has(out, "Platform Version", "OpenCL 3.0 svmgpu"), "%s", out);
	igt_assert_f(clinfo_has(out, "Platform Extensions function suffix", "svmgpu"), "%s", out);
	igt_assert_f(clinfo_has(out, "Device Name", "svmgpu0"), "device name:\n%s", out);
	igt_assert_f(clinfo_has(out, "Device Type", "Accelerator"), "device type:\n%s", out);
	igt_assert_f(clinfo_has(out, "Device Available", "Yes"), "%s", out);
	igt_assert_f(clinfo_has(out, "Compiler Available", "No"), "%s", out);
	/* clinfo prints sizes as bytes and in human units: match the bytes. */
	snprintf(vram, sizeof(vram), "%llu", (unsigned long long)info.vram_size);
	igt_assert_f(clinfo_has(out, "Global memory size", vram), "memory size:\n%s", out);
	igt_assert_f(clinfo_has(out, "Coarse-grained buffer sharing", "Yes"), "%s", out);
	igt_assert_f(clinfo_has(out, "Fine-grained buffer sharing", "Yes"), "%s", out);
	igt_assert_f(clinfo_has(out, "Fine-grained system sharing", "Yes"), "%s", out);
	igt_assert_f(clinfo_has(out, "Atomics", "No"), "%s", out);
	igt_assert_f(strstr(out, "svmgpu_saxpy;svmgpu_reduce_sum_f32"), "built-in kernels:\n%s",
		     out);
	igt_info("clinfo lists platform svmgpu, device svmgpu0 (accelerator, %llu MiB, "
		 "fine-grained system SVM)\n", (unsigned long long)info.vram_size >> 20);
}

/*
 * The example on @platform_name with the loader seeing @vendors; its output in
 * @out. PoCL compiles its kernels at run time, which under the VM's TCG takes
 * minutes: its cache lives in the build tree, so that the second subtest of
 * a run, and later runs, reuse the binaries (PoCL keys them by CPU).
 * make check fills it before the suite (ci/guest-check.sh).
 */
static int run_example(const char *vendors, const char *platform_name, const char *args,
		       char *out, size_t size)
{
	char cmd[4 * PATH_MAX];

	snprintf(cmd, sizeof(cmd),
		 "OCL_ICD_VENDORS=%s POCL_CACHE_DIR=%s/pocl-cache %s -p '%s' %s 2>&1",
		 vendors, build_dir, example, platform_name, args);
	return run(cmd, out, size);
}

/* The lines of @out that start with @prefix, concatenated into @dst. */
static void lines_with(const char *out, const char *prefix, char *dst, size_t size)
{
	const char *p = out;
	size_t len = 0;

	dst[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p + 1) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix)) && len + l < size) {
			memcpy(dst + len, p, l);
			len += l;
			dst[len] = '\0';
		}
		p = eol ? eol + 1 : NULL;
	}
}

static void compare_with_pocl(const char *what)
{
	static char svm_out[8192], pocl_out[8192], a[2048], b[2048];
	char prefix[64];
	int rc;

	igt_require_f(access("/etc/OpenCL/vendors/pocl.icd", R_OK) == 0, "PoCL is not installed\n");
	igt_assert_f(access(example, X_OK) == 0, "%s is not built\n", example);

	rc = run_example(vendors_dir, "svmgpu", "", svm_out, sizeof(svm_out));
	igt_info("svmgpu:\n%s", svm_out);
	igt_assert_f(rc == 0, "the example failed on svmgpu (%d)\n", rc);
	igt_assert_f(strstr(svm_out, "kernels: built-in"), "svmgpu ran no built-in kernel\n");
	igt_assert_f(strstr(svm_out, "memory: malloc"), "svmgpu did not use malloc'ed memory\n");
	igt_assert_f(strstr(svm_out, "migrate to device: ok") &&
		     strstr(svm_out, "migrate to host: ok"), "svmgpu refused a migration\n");

	rc = run_example("/etc/OpenCL/vendors/pocl.icd", "Portable Computing Language", "",
			 pocl_out, sizeof(pocl_out));
	igt_info("PoCL:\n%s", pocl_out);
	igt_assert_f(rc == 0, "the example failed on PoCL (%d)\n", rc);
	igt_assert_f(strstr(pocl_out, "kernels: OpenCL C"), "PoCL ran no OpenCL C kernel\n");

	/* Bit-exact: the "result" lines print the bits of every float. */
	snprintf(prefix, sizeof(prefix), "result %s", what);
	lines_with(svm_out, prefix, a, sizeof(a));
	lines_with(pocl_out, prefix, b, sizeof(b));
	igt_assert_f(a[0], "no '%s' lines from svmgpu\n", prefix);
	igt_assert_f(!strcmp(a, b), "svmgpu and PoCL differ:\n%s---\n%s", a, b);
	igt_info("identical on svmgpu and PoCL:\n%s", a);
}

static void test_saxpy_matches_pocl(void)
{
	compare_with_pocl("saxpy");
}

static void test_reduce_matches_pocl(void)
{
	compare_with_pocl("reduce");
}

static void test_example_svm_alloc(void)
{
	static char out[8192];
	int rc = run_example(vendors_dir, "svmgpu", "-s -n 100003", out, sizeof(out));

	igt_info("%s", out);
	igt_assert_f(rc == 0, "the example failed on clSVMAlloc'ed memory (%d)\n", rc);
	igt_assert(strstr(out, "memory: clSVMAlloc, fine-grain"));
}

static void test_svm_memcpy(void)
{
	const size_t n = (1u << 20) + 12;	/* not a page multiple */
	uint8_t *src = malloc(n), *dst = malloc(n + 16), *svm;
	cl_event ev;
	cl_int status;

	open_queue();
	svm = clSVMAlloc(ctx, CL_MEM_READ_WRITE, n, 0);
	igt_assert(src && dst && svm);
	for (size_t i = 0; i < n; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	memset(dst, 0xee, n + 16);
	/* malloc -> SVM, then SVM -> malloc at an odd offset, in order. */
	igt_assert_eq(clEnqueueSVMMemcpy(queue, CL_FALSE, svm, src, n, 0, NULL, NULL),
		      CL_SUCCESS);
	igt_assert_eq(clEnqueueSVMMemcpy(queue, CL_TRUE, dst + 3, svm, n, 0, NULL, &ev),
		      CL_SUCCESS);
	igt_assert_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
				     &status, NULL), CL_SUCCESS);
	igt_assert_eq(status, CL_COMPLETE);
	for (size_t i = 0; i < n; i++)
		igt_assert_f(dst[i + 3] == src[i], "byte %zu: 0x%x, want 0x%x\n", i, dst[i + 3],
			     src[i]);
	igt_assert_eq(dst[0], 0xee);
	igt_assert_eq(dst[n + 3], 0xee);
	igt_assert_eq(clEnqueueSVMMemcpy(queue, CL_TRUE, svm, svm + 8, 16, 0, NULL, NULL),
		      CL_MEM_COPY_OVERLAP);
	clReleaseEvent(ev);
	clSVMFree(ctx, svm);
	close_queue();
	free(src);
	free(dst);
}

static void test_svm_fill(void)
{
	const size_t sizes[] = { 1, 2, 4, 8, 16, 128 };
	const size_t n = 3 * 4096 + 256;
	uint8_t *buf = aligned_alloc(4096, n + 4096), pattern[128];

	igt_assert(buf);
	open_queue();
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(0x11 * (i + 1) ^ i);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t ps = sizes[s], off = ps < 4 ? ps : 0;	/* unaligned for 1 and 2 */
		size_t len = n - ps * 3;

		memset(buf, 0x5a, n + 4096);
		igt_assert_eq(clEnqueueSVMMemFill(queue, buf + 128 + off, pattern, ps, len, 0,
						  NULL, NULL), CL_SUCCESS);
		igt_assert_eq(clFinish(queue), CL_SUCCESS);
		for (size_t i = 0; i < len; i++)
			igt_assert_f(buf[128 + off + i] == pattern[i % ps],
				     "pattern size %zu, byte %zu: 0x%x, want 0x%x\n", ps, i,
				     buf[128 + off + i], pattern[i % ps]);
		igt_assert_eq(buf[128 + off - 1], 0x5a);
		igt_assert_eq(buf[128 + off + len], 0x5a);
	}
	/* Misaligned for the pattern, or a size not a multiple of it. */
	igt_assert_eq(clEnqueueSVMMemFill(queue, buf + 2, pattern, 4, 64, 0, NULL, NULL),
		      CL_INVALID_VALUE);
	igt_assert_eq(clEnqueueSVMMemFill(queue, buf, pattern, 8, 60, 0, NULL, NULL),
		      CL_INVALID_VALUE);
	igt_assert_eq(clEnqueueSVMMemFill(queue, buf, pattern, 3, 60, 0, NULL, NULL),
		      CL_INVALID_VALUE);
	close_queue();
	free(buf);
}

/* SVM migration is PREFETCH: the device's counters show the pages moving. */
static void test_svm_migrate(void)
{
	const size_t size = 4u << 20;
	struct drm_svmgpu_stats s0, s1, s2;
	uint32_t *p;
	const void *ptrs[1];
	size_t sizes[1] = { 0 };

	igt_require_f(svmgpu_module_param("migrate_on_fault") >= 0, "svmgpu not loaded\n");
	open_queue();
	p = clSVMAlloc(ctx, CL_MEM_READ_WRITE, size, 0);
	igt_assert(p);
	for (size_t i = 0; i < size / 4; i++)
		p[i] = (uint32_t)i ^ 0xa5a5a5a5;
	ptrs[0] = p;

	svmgpu_stats(fd, &s0);
	/* Size 0: the whole clSVMAlloc block. */
	igt_assert_eq(clEnqueueSVMMigrateMem(queue, 1, ptrs, sizes, 0, 0, NULL, NULL),
		      CL_SUCCESS);
	igt_assert_eq(clFinish(queue), CL_SUCCESS);
	svmgpu_stats(fd, &s1);
	igt_info("to device: %llu KiB copied to VRAM\n",
		 (unsigned long long)(s1.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB] -
				      s0.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB]));
	igt_assert_lte(size >> 10, s1.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB] -
		       s0.counters[DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB]);

	igt_assert_eq(clEnqueueSVMMigrateMem(queue, 1, ptrs, sizes, CL_MIGRATE_MEM_OBJECT_HOST, 0,
					     NULL, NULL), CL_SUCCESS);
	igt_assert_eq(clFinish(queue), CL_SUCCESS);
	svmgpu_stats(fd, &s2);
	igt_info("to host: %llu KiB copied to RAM\n",
		 (unsigned long long)(s2.counters[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB] -
				      s1.counters[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB]));
	igt_assert_lte(size >> 10, s2.counters[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB] -
		       s1.counters[DRM_SVMGPU_STAT_COPY_TO_RAM_KIB]);
	/* The data survived both trips. */
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_eq_u64(p[i], (uint32_t)i ^ 0xa5a5a5a5);

	/* A malloc'ed range with an explicit size works too (fine-grain system). */
	{
		char *m = malloc(100000);

		igt_assert(m);
		memset(m, 1, 100000);
		ptrs[0] = m + 5;
		sizes[0] = 99000;
		igt_assert_eq(clEnqueueSVMMigrateMem(queue, 1, ptrs, sizes, 0, 0, NULL, NULL),
			      CL_SUCCESS);
		igt_assert_eq(clFinish(queue), CL_SUCCESS);
		for (int i = 0; i < 100000; i++)
			igt_assert_eq(m[i], 1);
		/* Size 0 needs a clSVMAlloc block to know the extent. */
		sizes[0] = 0;
		igt_assert_eq(clEnqueueSVMMigrateMem(queue, 1, ptrs, sizes, 0, 0, NULL, NULL),
			      CL_INVALID_VALUE);
		free(m);
	}
	clSVMFree(ctx, p);
	close_queue();
}

static void CL_CALLBACK count_callback(cl_event ev, cl_int status, void *data)
{
	(void)ev;
	if (status == CL_COMPLETE)
		(*(int *)data)++;
}

/*
 * Map/unmap are ordering points, events are syncobjs: a kernel waits for
 * its wait list, callbacks run, and a built-in kernel's result lands in
 * ordinary memory.
 */
static void test_events_and_map(void)
{
	const size_t n = 4096;
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float)), two = 2.0f;
	cl_event fill, kern, map;
	cl_program prog;
	cl_kernel k;
	cl_uint count;
	int calls = 0;
	cl_int err, status;
	uint32_t ones = 0x3f800000;	/* 1.0f */

	igt_assert(x && y);
	open_queue();
	prog = clCreateProgramWithBuiltInKernels(ctx, 1, &device, "svmgpu_saxpy", &err);
	igt_assert_eq(err, CL_SUCCESS);
	k = clCreateKernel(prog, "svmgpu_saxpy", &err);
	igt_assert_eq(err, CL_SUCCESS);
	igt_assert_eq(clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof(count), &count, NULL),
		      CL_SUCCESS);
	igt_assert_eq(count, 3);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)i;
	igt_assert_eq(clEnqueueSVMMemFill(queue, y, &ones, 4, n * sizeof(float), 0, NULL, &fill),
		      CL_SUCCESS);
	igt_assert_eq(clSetKernelArg(k, 0, sizeof(two), &two), CL_SUCCESS);
	igt_assert_eq(clSetKernelArgSVMPointer(k, 1, x), CL_SUCCESS);
	igt_assert_eq(clSetKernelArgSVMPointer(k, 2, y), CL_SUCCESS);
	igt_assert_eq(clEnqueueNDRangeKernel(queue, k, 1, NULL, &n, NULL, 1, &fill, &kern),
		      CL_SUCCESS);
	igt_assert_eq(clSetEventCallback(kern, CL_COMPLETE, count_callback, &calls), CL_SUCCESS);
	igt_assert_eq(clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_READ, y, n * sizeof(float), 1, &kern,
				      &map), CL_SUCCESS);
	/* Blocking map: everything before it is done. */
	igt_assert_eq(clGetEventInfo(kern, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
				     &status, NULL), CL_SUCCESS);
	igt_assert_eq(status, CL_COMPLETE);
	for (size_t i = 0; i < n; i++)
		igt_assert_f(y[i] == 2.0f * (float)i + 1.0f, "y[%zu] = %f\n", i, y[i]);
	igt_assert_eq(clEnqueueSVMUnmap(queue, y, 0, NULL, NULL), CL_SUCCESS);
	igt_assert_eq(clWaitForEvents(1, &map), CL_SUCCESS);
	igt_assert_eq(clFinish(queue), CL_SUCCESS);
	igt_assert_eq(calls, 1);
	/* Unset arguments, an unknown kernel and a cl_mem argument are refused. */
	igt_assert_eq(clSetKernelArg(k, 3, sizeof(float), &two), CL_INVALID_ARG_INDEX);
	igt_assert_eq(clSetKernelArg(k, 0, sizeof(double), &two), CL_INVALID_ARG_SIZE);
	igt_assert(!clCreateKernel(prog, "svmgpu_reduce_sum_f32", &err));
	igt_assert_eq(err, CL_INVALID_KERNEL_NAME);
	clReleaseEvent(fill);
	clReleaseEvent(kern);
	clReleaseEvent(map);
	clReleaseKernel(k);
	clReleaseProgram(prog);
	close_queue();
	free(x);
	free(y);
}

/*
 * A built-in kernel on memory the process has not mapped: svmgpu's GPU
 * fault fails the job; OpenCL reports it in the event, the queue refuses
 * further work, and nothing crashes.
 */
static void test_gpu_fault_is_an_error(void)
{
	const size_t n = 1024;
	float *x = malloc(n * sizeof(float)), a = 1.0f, *hole;
	cl_program prog;
	cl_kernel k;
	cl_event ev;
	cl_int err, status;

	igt_assert(x);
	hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, 4096);
	open_queue();
	prog = clCreateProgramWithBuiltInKernels(ctx, 1, &device, "svmgpu_saxpy", &err);
	igt_assert_eq(err, CL_SUCCESS);
	k = clCreateKernel(prog, "svmgpu_saxpy", &err);
	igt_assert_eq(err, CL_SUCCESS);
	memset(x, 0, n * sizeof(float));
	clSetKernelArg(k, 0, sizeof(a), &a);
	clSetKernelArgSVMPointer(k, 1, x);
	clSetKernelArgSVMPointer(k, 2, hole);
	igt_assert_eq(clEnqueueNDRangeKernel(queue, k, 1, NULL, &n, NULL, 0, NULL, &ev),
		      CL_SUCCESS);
	igt_assert_eq(clWaitForEvents(1, &ev), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	igt_assert_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
				     &status, NULL), CL_SUCCESS);
	igt_assert_lt(status, 0);
	/* The svmgpu queue is banned: the next command cannot be queued. */
	igt_assert_neq(clEnqueueSVMMemcpy(queue, CL_TRUE, x, x + 512, 16, 0, NULL, NULL),
		       CL_SUCCESS);
	clReleaseEvent(ev);
	clReleaseKernel(k);
	clReleaseProgram(prog);
	close_queue();
	free(x);
}

/* What svmgpu does not offer fails with the error a conformant runtime returns. */
static void test_unsupported(void)
{
	const char *src = "kernel void k(global int *p) { *p = 1; }";
	cl_image_format fmt = { CL_RGBA, CL_UNORM_INT8 };
	cl_image_desc desc = { .image_type = CL_MEM_OBJECT_IMAGE2D, .image_width = 4,
			       .image_height = 4 };
	cl_queue_properties ooo[] = { CL_QUEUE_PROPERTIES,
				      CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0 };
	cl_device_partition_property part[] = { CL_DEVICE_PARTITION_EQUALLY, 1, 0 };
	char log[512] = "", buf[64];
	cl_bool b = CL_TRUE;
	cl_program prog;
	cl_uint nsub;
	cl_int err;
	int dummy;

	open_queue();
	igt_assert_eq(clGetDeviceInfo(device, CL_DEVICE_IMAGE_SUPPORT, sizeof(b), &b, NULL),
		      CL_SUCCESS);
	igt_assert_eq(b, CL_FALSE);
	igt_assert_eq(clGetDeviceInfo(device, CL_DEVICE_COMPILER_AVAILABLE, sizeof(b), &b, NULL),
		      CL_SUCCESS);
	igt_assert_eq(b, CL_FALSE);
	igt_assert_eq(clGetDeviceInfo(device, 0x7fff, sizeof(buf), buf, NULL), CL_INVALID_VALUE);

	/* Buffers and images: an SVM-only device without image support. */
	igt_assert(!clCreateBuffer(ctx, CL_MEM_READ_WRITE, 64, NULL, &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);
	igt_assert(!clCreateImage(ctx, CL_MEM_READ_WRITE, &fmt, &desc, NULL, &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);
	igt_assert_eq(clEnqueueReadBuffer(queue, NULL, CL_TRUE, 0, 4, &dummy, 0, NULL, NULL),
		      CL_INVALID_MEM_OBJECT);
	igt_assert_eq(clReleaseMemObject(NULL), CL_INVALID_MEM_OBJECT);
	igt_assert(!clCreateSampler(ctx, CL_FALSE, CL_ADDRESS_NONE, CL_FILTER_NEAREST, &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);

	/* OpenCL C: kept, never compiled. */
	prog = clCreateProgramWithSource(ctx, 1, &src, NULL, &err);
	igt_assert_eq(err, CL_SUCCESS);
	igt_assert_eq(clBuildProgram(prog, 1, &device, NULL, NULL, NULL),
		      CL_COMPILER_NOT_AVAILABLE);
	igt_assert_eq(clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, sizeof(log), log,
					    NULL), CL_SUCCESS);
	igt_info("build log: %s", log);
	igt_assert(!clCreateKernel(prog, "k", &err));
	igt_assert_eq(err, CL_INVALID_PROGRAM_EXECUTABLE);
	clReleaseProgram(prog);
	igt_assert(!clCreateProgramWithIL(ctx, src, strlen(src), &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);
	igt_assert(!clCreateProgramWithBuiltInKernels(ctx, 1, &device, "no_such_kernel", &err));
	igt_assert_eq(err, CL_INVALID_VALUE);

	/* Queues, events, devices and memory features the device lacks. */
	igt_assert(!clCreateCommandQueueWithProperties(ctx, device, ooo, &err));
	igt_assert_eq(err, CL_INVALID_QUEUE_PROPERTIES);
	igt_assert(!clCreateUserEvent(ctx, &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);
	igt_assert_eq(clCreateSubDevices(device, part, 0, NULL, &nsub), CL_INVALID_VALUE);
	igt_assert(!clCreatePipe(ctx, 0, 4, 4, NULL, &err));
	igt_assert_eq(err, CL_INVALID_OPERATION);
	igt_assert(!clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
			       CL_MEM_SVM_ATOMICS, 64, 0));

	/* Invalid handles are refused, not followed. */
	igt_assert_eq(clGetDeviceInfo(NULL, CL_DEVICE_NAME, sizeof(buf), buf, NULL),
		      CL_INVALID_DEVICE);
	igt_assert_eq(clFinish(NULL), CL_INVALID_COMMAND_QUEUE);
	close_queue();
}

static const struct igt_subtest tests[] = {
	{ "clinfo-lists-svmgpu", test_clinfo,
	  "Debian's clinfo lists the svmgpu platform and device with fine-grained system SVM" },
	{ "saxpy-matches-pocl", test_saxpy_matches_pocl,
	  "the OpenCL example's SAXPY on malloc'ed arrays is bit-identical on svmgpu and PoCL" },
	{ "reduce-matches-pocl", test_reduce_matches_pocl,
	  "the OpenCL example's reductions give the same results on svmgpu and PoCL" },
	{ "example-svm-alloc", test_example_svm_alloc,
	  "the OpenCL example passes on clSVMAlloc'ed memory too" },
	{ "svm-memcpy", test_svm_memcpy,
	  "clEnqueueSVMMemcpy between malloc'ed and SVM memory, checked by the CPU" },
	{ "svm-fill", test_svm_fill,
	  "clEnqueueSVMMemFill with pattern sizes 1 to 128, checked byte by byte" },
	{ "svm-migrate", test_svm_migrate,
	  "clEnqueueSVMMigrateMem moves pages to VRAM and back, as the device counters show" },
	{ "events-and-map", test_events_and_map,
	  "events order a fill, a built-in kernel and a blocking map; callbacks run" },
	{ "gpu-fault-is-an-error", test_gpu_fault_is_an_error,
	  "a kernel on unmapped memory fails its event and bans the queue, without a crash" },
	{ "unsupported-returns-error", test_unsupported,
	  "images, buffers, compilers, pipes, user events and sub-devices fail cleanly" },
};

IGT_MAIN("svmgpu under the OpenCL ICD loader: clinfo, PoCL comparison, SVM entry points",
	 fixture, tests)
