// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svm_saxpy_reduce: a plain OpenCL 2.x/3.0 SVM program, for any platform.
 * SAXPY (y = a * x + y) and reductions (float sum, uint sum, uint max) run
 * directly on host arrays: malloc'ed ones on a device with
 * CL_DEVICE_SVM_FINE_GRAIN_SYSTEM, else clSVMAlloc'ed ones. Migration hints
 * move the arrays to the device before the kernels and back afterwards.
 *
 * The kernels are the device's built-in kernels when it offers them
 * (svmgpu_saxpy, svmgpu_reduce_*), else the same operations compiled from
 * OpenCL C. Both compute the same thing the same way, so that results can
 * be compared bit for bit between devices:
 *
 * - SAXPY rounds the product and the sum separately: the OpenCL C version
 *   says "#pragma OPENCL FP_CONTRACT OFF" (OpenCL C allows contracting
 *   a * x + y into a fused multiply-add by default, which rounds once), and
 *   svmgpu's command never fuses. Single-precision * and + are correctly
 *   rounded in OpenCL, so every element has exactly one right answer.
 * - The float sum adds the elements in index order (the OpenCL C version
 *   runs the loop in one work-item), so it has one right answer too; a
 *   parallel tree would round differently.
 * - The integer reductions are exact in any order.
 *
 * Every result is also checked against the same computation on the host.
 * Output lines starting with "result" are the device-independent part: two
 * runs on different devices must print the same ones.
 *
 * Usage: svm_saxpy_reduce [-p PLATFORM] [-n ELEMENTS] [-s]
 *   -p  use the first platform whose name contains PLATFORM
 *   -n  array length (default 262144)
 *   -s  allocate with clSVMAlloc even if malloc'ed memory would do
 * Exit status 0 if every result matches the host's, 1 otherwise, 2 on an
 * OpenCL error, 77 if no suitable platform or device was found.
 */
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *source =
	"#pragma OPENCL FP_CONTRACT OFF\n"
	"kernel void saxpy(float a, global const float *x, global float *y)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	y[i] = a * x[i] + y[i];\n"
	"}\n"
	"/* The reductions: one work-item walks the range in index order. */\n"
	"kernel void reduce_sum_f32(global const float *src, global float *dst)\n"
	"{\n"
	"	float s = 0.0f;\n"
	"	if (get_global_id(0) != get_global_offset(0))\n"
	"		return;\n"
	"	for (size_t i = 0; i < get_global_size(0); i++)\n"
	"		s += src[get_global_offset(0) + i];\n"
	"	*dst = s;\n"
	"}\n"
	"kernel void reduce_sum_u32(global const uint *src, global ulong *dst)\n"
	"{\n"
	"	ulong s = 0;\n"
	"	if (get_global_id(0) != get_global_offset(0))\n"
	"		return;\n"
	"	for (size_t i = 0; i < get_global_size(0); i++)\n"
	"		s += src[get_global_offset(0) + i];\n"
	"	*dst = s;\n"
	"}\n"
	"kernel void reduce_max_u32(global const uint *src, global uint *dst)\n"
	"{\n"
	"	uint m = 0;\n"
	"	if (get_global_id(0) != get_global_offset(0))\n"
	"		return;\n"
	"	for (size_t i = 0; i < get_global_size(0); i++)\n"
	"		m = max(m, src[get_global_offset(0) + i]);\n"
	"	*dst = m;\n"
	"}\n";

/* The built-in kernels that stand for the OpenCL C ones, in that order. */
static const char *const builtin_names[] = {
	"svmgpu_saxpy", "svmgpu_reduce_sum_f32", "svmgpu_reduce_sum_u32", "svmgpu_reduce_max_u32",
};
static const char *const source_names[] = {
	"saxpy", "reduce_sum_f32", "reduce_sum_u32", "reduce_max_u32",
};

enum { K_SAXPY, K_SUM_F32, K_SUM_U32, K_MAX_U32, K_COUNT };

static int check(cl_int err, const char *what)
{
	if (err != CL_SUCCESS) {
		fprintf(stderr, "svm_saxpy_reduce: %s failed: %d\n", what, err);
		exit(2);
	}
	return 0;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* FNV-1a over the bits of the floats: one number per array to compare. */
static uint64_t digest(const float *v, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		uint32_t u = f32_bits(v[i]);

		for (int b = 0; b < 4; b++) {
			h ^= (u >> (8 * b)) & 0xff;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

static cl_platform_id pick_platform(const char *want, char *name, size_t size)
{
	cl_platform_id ids[16];
	cl_uint n = 0;

	if (clGetPlatformIDs(16, ids, &n) != CL_SUCCESS)
		return NULL;
	for (cl_uint i = 0; i < n && i < 16; i++) {
		clGetPlatformInfo(ids[i], CL_PLATFORM_NAME, size, name, NULL);
		if (!want || strstr(name, want))
			return ids[i];
	}
	return NULL;
}

static bool has_builtins(cl_device_id dev)
{
	char list[1024] = "";

	clGetDeviceInfo(dev, CL_DEVICE_BUILT_IN_KERNELS, sizeof(list), list, NULL);
	for (int k = 0; k < K_COUNT; k++)
		if (!strstr(list, builtin_names[k]))
			return false;
	return true;
}

/* A migration is a hint: a device may refuse it, the results stay valid. */
static void migrate(cl_command_queue q, const void **ptrs, const size_t *sizes, cl_uint n,
		    cl_mem_migration_flags flags, const char *what)
{
	cl_int err = clEnqueueSVMMigrateMem(q, n, ptrs, sizes, flags, 0, NULL, NULL);

	printf("migrate %s: %s", what, err == CL_SUCCESS ? "ok\n" : "not done");
	if (err != CL_SUCCESS)
		printf(" (error %d)\n", err);
}

static void *alloc(cl_context ctx, bool use_svm, cl_svm_mem_flags flags, size_t size)
{
	void *p = use_svm ? clSVMAlloc(ctx, CL_MEM_READ_WRITE | flags, size, 0) : malloc(size);

	if (!p) {
		fprintf(stderr, "svm_saxpy_reduce: allocating %zu bytes failed\n", size);
		exit(2);
	}
	return p;
}

static void release(cl_context ctx, bool use_svm, void *p)
{
	if (use_svm)
		clSVMFree(ctx, p);
	else
		free(p);
}

int main(int argc, char **argv)
{
	const char *want = NULL;
	size_t n = 1u << 18;
	bool force_svm = false, use_svm, coarse, builtin, ok = true;
	char pname[256] = "", dname[256] = "";
	cl_device_svm_capabilities caps = 0;
	cl_svm_mem_flags svm_flags = 0;
	cl_kernel k[K_COUNT];
	cl_platform_id platform;
	cl_device_id dev;
	cl_context ctx;
	cl_command_queue q;
	cl_program prog;
	cl_int err;
	float a = 1.7f, *x, *y, *ref, *fsum, host_fsum = 0.0f;
	uint32_t *z, *umax, host_umax = 0;
	uint64_t *usum, host_usum = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:n:s")) != -1) {
		switch (opt) {
		case 'p':
			want = optarg;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			force_svm = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-p PLATFORM] [-n ELEMENTS] [-s]\n", argv[0]);
			return 2;
		}
	}
	if (!n)
		n = 1;

	platform = pick_platform(want, pname, sizeof(pname));
	if (!platform) {
		fprintf(stderr, "svm_saxpy_reduce: no OpenCL platform%s%s\n",
			want ? " named " : "", want ? want : "");
		return 77;
	}
	if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &dev, NULL) != CL_SUCCESS) {
		fprintf(stderr, "svm_saxpy_reduce: no device on platform %s\n", pname);
		return 77;
	}
	clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof(dname), dname, NULL);
	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(caps), &caps, NULL);
	printf("platform: %s\ndevice: %s\n", pname, dname);

	/* Plain malloc'ed memory where the device can use any pointer. */
	use_svm = force_svm || !(caps & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
	if (use_svm && !(caps & (CL_DEVICE_SVM_FINE_GRAIN_BUFFER | CL_DEVICE_SVM_COARSE_GRAIN_BUFFER))) {
		fprintf(stderr, "svm_saxpy_reduce: device %s has no SVM\n", dname);
		return 77;
	}
	coarse = use_svm && !(caps & CL_DEVICE_SVM_FINE_GRAIN_BUFFER);
	if (use_svm && !coarse)
		svm_flags = CL_MEM_SVM_FINE_GRAIN_BUFFER;
	printf("memory: %s\n", !use_svm ? "malloc (fine-grain system SVM)" :
	       coarse ? "clSVMAlloc, coarse-grain" : "clSVMAlloc, fine-grain");

	ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	check(err, "clCreateContext");
	q = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
	check(err, "clCreateCommandQueueWithProperties");

	builtin = has_builtins(dev);
	if (builtin) {
		char names[256];

		snprintf(names, sizeof(names), "%s;%s;%s;%s", builtin_names[0], builtin_names[1],
			 builtin_names[2], builtin_names[3]);
		prog = clCreateProgramWithBuiltInKernels(ctx, 1, &dev, names, &err);
		check(err, "clCreateProgramWithBuiltInKernels");
	} else {
		prog = clCreateProgramWithSource(ctx, 1, &source, NULL, &err);
		check(err, "clCreateProgramWithSource");
		err = clBuildProgram(prog, 1, &dev, "", NULL, NULL);
		if (err != CL_SUCCESS) {
			char log[4096] = "";

			clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, sizeof(log), log, NULL);
			fprintf(stderr, "svm_saxpy_reduce: build failed (%d):\n%s\n", err, log);
			return 2;
		}
	}
	printf("kernels: %s\n", builtin ? "built-in" : "OpenCL C");
	for (int i = 0; i < K_COUNT; i++) {
		k[i] = clCreateKernel(prog, builtin ? builtin_names[i] : source_names[i], &err);
		check(err, "clCreateKernel");
	}

	x = alloc(ctx, use_svm, svm_flags, n * sizeof(*x));
	y = alloc(ctx, use_svm, svm_flags, n * sizeof(*y));
	z = alloc(ctx, use_svm, svm_flags, n * sizeof(*z));
	fsum = alloc(ctx, use_svm, svm_flags, sizeof(*fsum));
	usum = alloc(ctx, use_svm, svm_flags, sizeof(*usum));
	umax = alloc(ctx, use_svm, svm_flags, sizeof(*umax));
	ref = malloc(n * sizeof(*ref));
	if (!ref)
		return 2;

	if (coarse) {
		/* Coarse-grained SVM: the host writes only between map and unmap. */
		void *ptrs[] = { x, y, z };

		for (int i = 0; i < 3; i++)
			check(clEnqueueSVMMap(q, CL_TRUE, CL_MAP_WRITE, ptrs[i], n * 4, 0, NULL,
					      NULL), "clEnqueueSVMMap");
	}
	for (size_t i = 0; i < n; i++) {
		x[i] = (float)(i % 1000) * 0.25f - 100.0f;
		y[i] = 1.0f / (float)(i + 1);
		z[i] = (uint32_t)(i * 2654435761u) >> 4;
	}
	/* The host's answers, rounded the same way (built with -ffp-contract=off). */
	for (size_t i = 0; i < n; i++) {
		ref[i] = a * x[i] + y[i];
		host_fsum += ref[i];
		host_usum += z[i];
		host_umax = z[i] > host_umax ? z[i] : host_umax;
	}
	if (coarse) {
		void *ptrs[] = { x, y, z };

		for (int i = 0; i < 3; i++)
			check(clEnqueueSVMUnmap(q, ptrs[i], 0, NULL, NULL), "clEnqueueSVMUnmap");
	}

	/* Hint: the arrays will be used by the device next. */
	{
		const void *ptrs[] = { x, y, z };
		const size_t sizes[] = { n * sizeof(*x), n * sizeof(*y), n * sizeof(*z) };

		migrate(q, ptrs, sizes, 3, 0, "to device");
	}

	check(clSetKernelArg(k[K_SAXPY], 0, sizeof(a), &a), "clSetKernelArg");
	check(clSetKernelArgSVMPointer(k[K_SAXPY], 1, x), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_SAXPY], 2, y), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_SUM_F32], 0, y), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_SUM_F32], 1, fsum), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_SUM_U32], 0, z), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_SUM_U32], 1, usum), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_MAX_U32], 0, z), "clSetKernelArgSVMPointer");
	check(clSetKernelArgSVMPointer(k[K_MAX_U32], 1, umax), "clSetKernelArgSVMPointer");
	for (int i = 0; i < K_COUNT; i++) {
		/* In order: the float sum sees SAXPY's output. */
		check(clEnqueueNDRangeKernel(q, k[i], 1, NULL, &n, NULL, 0, NULL, NULL),
		      "clEnqueueNDRangeKernel");
	}

	/* Hint: the host reads the results next. */
	{
		const void *ptrs[] = { y, fsum, usum, umax };
		const size_t sizes[] = { n * sizeof(*y), sizeof(*fsum), sizeof(*usum),
					 sizeof(*umax) };

		migrate(q, ptrs, sizes, 4, CL_MIGRATE_MEM_OBJECT_HOST, "to host");
	}
	if (coarse) {
		void *ptrs[] = { y, fsum, usum, umax };
		const size_t sizes[] = { n * 4, 4, 8, 4 };

		for (int i = 0; i < 4; i++)
			check(clEnqueueSVMMap(q, CL_FALSE, CL_MAP_READ, ptrs[i], sizes[i], 0, NULL,
					      NULL), "clEnqueueSVMMap");
	}
	check(clFinish(q), "clFinish");

	{
		size_t bad = 0;

		for (size_t i = 0; i < n; i++)
			bad += f32_bits(y[i]) != f32_bits(ref[i]);
		printf("result saxpy: n=%zu a=0x%08x digest=0x%016llx\n", n, f32_bits(a),
		       (unsigned long long)digest(y, n));
		printf("check saxpy: %zu of %zu elements differ from the host\n", bad, n);
		ok &= !bad;
	}
	printf("result reduce_sum_f32: 0x%08x (%.9g)\n", f32_bits(*fsum), *fsum);
	printf("check reduce_sum_f32: host 0x%08x (%.9g)\n", f32_bits(host_fsum), host_fsum);
	printf("result reduce_sum_u32: %llu\n", (unsigned long long)*usum);
	printf("check reduce_sum_u32: host %llu\n", (unsigned long long)host_usum);
	printf("result reduce_max_u32: %u\n", *umax);
	printf("check reduce_max_u32: host %u\n", host_umax);
	ok &= f32_bits(*fsum) == f32_bits(host_fsum) && *usum == host_usum && *umax == host_umax;

	if (coarse) {
		void *ptrs[] = { y, fsum, usum, umax };

		for (int i = 0; i < 4; i++)
			clEnqueueSVMUnmap(q, ptrs[i], 0, NULL, NULL);
		clFinish(q);
	}
	release(ctx, use_svm, x);
	release(ctx, use_svm, y);
	release(ctx, use_svm, z);
	release(ctx, use_svm, fsum);
	release(ctx, use_svm, usum);
	release(ctx, use_svm, umax);
	free(ref);
	for (int i = 0; i < K_COUNT; i++)
		clReleaseKernel(k[i]);
	clReleaseProgram(prog);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
