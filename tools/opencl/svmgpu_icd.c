// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu's OpenCL ICD: an OpenCL 3.0 platform for the ocl-icd loader, built
 * on libsvmgpu. svmgpu is a shared-virtual-memory device without an OpenCL C
 * compiler, so the ICD offers exactly that: fine-grained system SVM (any
 * pointer the process can use is a device pointer), in-order queues whose
 * commands are svmgpu jobs, events that are syncobjs, and the device's
 * compute operations as built-in kernels. See
 * Documentation/gpu/svmgpu/userspace.rst.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svmgpu_icd.h"

#define ICD_VERSION		"1.0"
#define PLATFORM_NAME		"svmgpu"
#define PLATFORM_VENDOR		"The svmgpu authors"
#define PLATFORM_VERSION	"OpenCL 3.0 svmgpu " ICD_VERSION
#define ICD_SUFFIX		"svmgpu"
#define MAX_DEVICES		8
#define MAX_WORK_GROUP		1024

struct _cl_platform_id icd_platform = { &icd_dispatch, MAGIC_PLATFORM };
pthread_mutex_t icd_lock = PTHREAD_MUTEX_INITIALIZER;

static struct _cl_device_id devices[MAX_DEVICES];
static cl_uint num_devices;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

struct ctx_destructor {
	void(CL_CALLBACK *fn)(cl_context, void *);
	void *data;
	struct ctx_destructor *next;
};

struct event_callback {
	void(CL_CALLBACK *fn)(cl_event, cl_int, void *);
	void *data;
	struct event_callback *next;
};

/* clSVMAlloc'ed blocks, for clEnqueueSVMMigrateMem's "size 0: the whole block". */
struct svm_block {
	void *ptr;
	size_t size;
	struct svm_block *next;
};

static struct svm_block *svm_blocks;

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static void icd_init(void)
{
	for (int i = 0; i < MAX_DEVICES; i++) {
		struct _cl_device_id *d = &devices[num_devices];

		if (libsvmgpu_device_open(i, &d->dev))
			break;
		d->dispatch = &icd_dispatch;
		d->magic = MAGIC_DEVICE;
		d->fd = libsvmgpu_device_fd(d->dev);
		snprintf(d->name, sizeof(d->name), "svmgpu%u (%s)",
			 libsvmgpu_device_info(d->dev)->device_index, libsvmgpu_device_path(d->dev));
		num_devices++;
	}
}

static void init(void)
{
	pthread_once(&init_once, icd_init);
}

static cl_ulong now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (cl_ulong)ts.tv_sec * 1000000000u + (cl_ulong)ts.tv_nsec;
}

/* The clGet*Info protocol: size query, too-small buffer, copy. */
static cl_int info_ret(size_t size, void *value, size_t *size_ret, const void *src, size_t len)
{
	if (value) {
		if (size < len)
			return CL_INVALID_VALUE;
		memcpy(value, src, len);
	}
	if (size_ret)
		*size_ret = len;
	return CL_SUCCESS;
}

#define RET_VAL(type, v)							\
	do {									\
		type __v = (v);							\
		return info_ret(size, value, size_ret, &__v, sizeof(__v));	\
	} while (0)
#define RET_STR(s)	return info_ret(size, value, size_ret, (s), strlen(s) + 1)
#define RET_ARR(a, n)	return info_ret(size, value, size_ret, (a), (n) * sizeof(*(a)))

static void set_err(cl_int *errcode_ret, cl_int err)
{
	if (errcode_ret)
		*errcode_ret = err;
}

bool icd_valid_device(cl_device_id d)
{
	return d && d >= devices && d < devices + num_devices && d->magic == MAGIC_DEVICE;
}

bool icd_valid_context(cl_context c)
{
	return c && c->magic == MAGIC_CONTEXT;
}

bool icd_valid_queue(cl_command_queue q)
{
	return q && q->magic == MAGIC_QUEUE;
}

bool icd_valid_program(cl_program p)
{
	return p && p->magic == MAGIC_PROGRAM;
}

bool icd_valid_kernel(cl_kernel k)
{
	return k && k->magic == MAGIC_KERNEL;
}

bool icd_valid_event(cl_event e)
{
	return e && e->magic == MAGIC_EVENT;
}

static bool context_has_device(cl_context c, cl_device_id d)
{
	for (cl_uint i = 0; i < c->num_devices; i++)
		if (c->devices[i] == d)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* Platform                                                               */

static cl_int CL_API_CALL icd_GetPlatformIDs(cl_uint num_entries, cl_platform_id *platforms,
					      cl_uint *num_platforms)
{
	if ((!platforms && !num_platforms) || (platforms && !num_entries))
		return CL_INVALID_VALUE;
	init();
	if (platforms)
		platforms[0] = &icd_platform;
	if (num_platforms)
		*num_platforms = 1;
	return CL_SUCCESS;
}

/*
 * The symbols the loader looks up with dlsym() (see also clGetPlatformInfo
 * below). Internally the ICD uses
 * its static twins only: a program linked with libOpenCL has the loader's
 * clGetExtensionFunctionAddress in the global scope, which would otherwise
 * interpose on the ICD's own.
 */
CL_API_ENTRY cl_int CL_API_CALL clIcdGetPlatformIDsKHR(cl_uint num_entries,
							cl_platform_id *platforms,
							cl_uint *num_platforms)
{
	return icd_GetPlatformIDs(num_entries, platforms, num_platforms);
}

static void *CL_API_CALL icd_GetExtensionFunctionAddress(const char *name)
{
	/* The loader finds the ICD's platforms through this one name. */
	if (name && !strcmp(name, "clIcdGetPlatformIDsKHR"))
		return (void *)icd_GetPlatformIDs;
	return NULL;
}


static cl_int CL_API_CALL icd_GetPlatformInfo(cl_platform_id platform, cl_platform_info param,
					       size_t size, void *value, size_t *size_ret)
{
	static const cl_name_version exts[] = {
		{ CL_MAKE_VERSION(1, 0, 0), "cl_khr_icd" },
	};

	if (platform != &icd_platform)
		return CL_INVALID_PLATFORM;
	switch (param) {
	case CL_PLATFORM_PROFILE:
		/* No OpenCL C compiler: only the embedded profile allows that. */
		RET_STR("EMBEDDED_PROFILE");
	case CL_PLATFORM_VERSION:
		RET_STR(PLATFORM_VERSION);
	case CL_PLATFORM_NUMERIC_VERSION:
		RET_VAL(cl_version, CL_MAKE_VERSION(3, 0, 0));
	case CL_PLATFORM_NAME:
		RET_STR(PLATFORM_NAME);
	case CL_PLATFORM_VENDOR:
		RET_STR(PLATFORM_VENDOR);
	case CL_PLATFORM_EXTENSIONS:
		RET_STR("cl_khr_icd");
	case CL_PLATFORM_EXTENSIONS_WITH_VERSION:
		RET_ARR(exts, 1);
	case CL_PLATFORM_ICD_SUFFIX_KHR:
		RET_STR(ICD_SUFFIX);
	case CL_PLATFORM_HOST_TIMER_RESOLUTION:
		RET_VAL(cl_ulong, 1);
	default:
		return CL_INVALID_VALUE;
	}
}

CL_API_ENTRY void *CL_API_CALL clGetExtensionFunctionAddress(const char *name)
{
	return icd_GetExtensionFunctionAddress(name);
}

/* ocl-icd reads the ICD suffix through dlsym() rather than the dispatch table. */
CL_API_ENTRY cl_int CL_API_CALL clGetPlatformInfo(cl_platform_id platform, cl_platform_info param,
						  size_t size, void *value, size_t *size_ret)
{
	return icd_GetPlatformInfo(platform, param, size, value, size_ret);
}

static void *CL_API_CALL icd_GetExtensionFunctionAddressForPlatform(cl_platform_id platform,
								     const char *name)
{
	if (platform != &icd_platform)
		return NULL;
	return icd_GetExtensionFunctionAddress(name);
}

static cl_int CL_API_CALL icd_UnloadCompiler(void)
{
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_UnloadPlatformCompiler(cl_platform_id platform)
{
	return platform == &icd_platform ? CL_SUCCESS : CL_INVALID_PLATFORM;
}

/* ---------------------------------------------------------------------- */
/* Devices                                                                */

/*
 * An accelerator: a dedicated compute device. Not CL_DEVICE_TYPE_GPU, which
 * means a device that also accelerates a 3D API, and not CUSTOM, which
 * CL_DEVICE_TYPE_ALL excludes, hiding the device from most programs.
 */
#define SVMGPU_DEVICE_TYPE	CL_DEVICE_TYPE_ACCELERATOR

static cl_int CL_API_CALL icd_GetDeviceIDs(cl_platform_id platform, cl_device_type type,
					    cl_uint num_entries, cl_device_id *out,
					    cl_uint *num_out)
{
	cl_uint n = 0;

	init();
	if (platform && platform != &icd_platform)
		return CL_INVALID_PLATFORM;
	if ((!out && !num_out) || (out && !num_entries))
		return CL_INVALID_VALUE;
	if (type == CL_DEVICE_TYPE_ALL || (type & SVMGPU_DEVICE_TYPE))
		n = num_devices;
	else if (!(type & (CL_DEVICE_TYPE_DEFAULT | CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_GPU |
			   CL_DEVICE_TYPE_CUSTOM)))
		return CL_INVALID_DEVICE_TYPE;
	else if (type & CL_DEVICE_TYPE_DEFAULT)
		n = num_devices ? 1 : 0;	/* the default device: the first */
	if (!n)
		return CL_DEVICE_NOT_FOUND;
	for (cl_uint i = 0; out && i < n && i < num_entries; i++)
		out[i] = &devices[i];
	if (num_out)
		*num_out = n;
	return CL_SUCCESS;
}

static const char *const builtin_names[BUILTIN_COUNT] = {
	[BUILTIN_SAXPY] = "svmgpu_saxpy",
	[BUILTIN_REDUCE_SUM_F32] = "svmgpu_reduce_sum_f32",
	[BUILTIN_REDUCE_SUM_U32] = "svmgpu_reduce_sum_u32",
	[BUILTIN_REDUCE_MAX_U32] = "svmgpu_reduce_max_u32",
};

#define BUILTIN_LIST	"svmgpu_saxpy;svmgpu_reduce_sum_f32;svmgpu_reduce_sum_u32;" \
			"svmgpu_reduce_max_u32"

static cl_int CL_API_CALL icd_GetDeviceInfo(cl_device_id d, cl_device_info param, size_t size,
					     void *value, size_t *size_ret)
{
	const struct drm_svmgpu_device_info *info;
	cl_name_version kernels[BUILTIN_COUNT];

	if (!icd_valid_device(d))
		return CL_INVALID_DEVICE;
	info = libsvmgpu_device_info(d->dev);
	switch (param) {
	case CL_DEVICE_TYPE:
		RET_VAL(cl_device_type, SVMGPU_DEVICE_TYPE);
	case CL_DEVICE_VENDOR_ID:
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_MAX_COMPUTE_UNITS:
		/* One engine runs one job at a time. */
		RET_VAL(cl_uint, 1);
	case CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS:
		RET_VAL(cl_uint, 3);
	case CL_DEVICE_MAX_WORK_ITEM_SIZES: {
		const size_t sizes[3] = { MAX_WORK_GROUP, 1, 1 };

		RET_ARR(sizes, 3);
	}
	case CL_DEVICE_MAX_WORK_GROUP_SIZE:
		RET_VAL(size_t, MAX_WORK_GROUP);
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_CHAR:
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_SHORT:
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT:
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_LONG:
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_CHAR:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_SHORT:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_INT:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_LONG:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT:
		RET_VAL(cl_uint, 1);
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE:
	case CL_DEVICE_PREFERRED_VECTOR_WIDTH_HALF:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_DOUBLE:
	case CL_DEVICE_NATIVE_VECTOR_WIDTH_HALF:
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_MAX_CLOCK_FREQUENCY:
		/* A software engine has no clock of its own. */
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_ADDRESS_BITS:
		RET_VAL(cl_uint, 64);
	case CL_DEVICE_MAX_READ_IMAGE_ARGS:
	case CL_DEVICE_MAX_WRITE_IMAGE_ARGS:
	case CL_DEVICE_MAX_READ_WRITE_IMAGE_ARGS:
	case CL_DEVICE_MAX_SAMPLERS:
	case CL_DEVICE_MAX_PIPE_ARGS:
	case CL_DEVICE_PIPE_MAX_ACTIVE_RESERVATIONS:
	case CL_DEVICE_PIPE_MAX_PACKET_SIZE:
	case CL_DEVICE_MAX_ON_DEVICE_QUEUES:
	case CL_DEVICE_MAX_ON_DEVICE_EVENTS:
	case CL_DEVICE_QUEUE_ON_DEVICE_PREFERRED_SIZE:
	case CL_DEVICE_QUEUE_ON_DEVICE_MAX_SIZE:
	case CL_DEVICE_MAX_NUM_SUB_GROUPS:
	case CL_DEVICE_PARTITION_MAX_SUB_DEVICES:
	case CL_DEVICE_IMAGE_PITCH_ALIGNMENT:
	case CL_DEVICE_IMAGE_BASE_ADDRESS_ALIGNMENT:
	case CL_DEVICE_PREFERRED_PLATFORM_ATOMIC_ALIGNMENT:
	case CL_DEVICE_PREFERRED_GLOBAL_ATOMIC_ALIGNMENT:
	case CL_DEVICE_PREFERRED_LOCAL_ATOMIC_ALIGNMENT:
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_GLOBAL_MEM_SIZE:
		/* Device memory; SVM pointers reach all of system memory too. */
		RET_VAL(cl_ulong, info->vram_size);
	case CL_DEVICE_MAX_MEM_ALLOC_SIZE:
		RET_VAL(cl_ulong, info->vram_size);
	case CL_DEVICE_IMAGE2D_MAX_WIDTH:
	case CL_DEVICE_IMAGE2D_MAX_HEIGHT:
	case CL_DEVICE_IMAGE3D_MAX_WIDTH:
	case CL_DEVICE_IMAGE3D_MAX_HEIGHT:
	case CL_DEVICE_IMAGE3D_MAX_DEPTH:
	case CL_DEVICE_IMAGE_MAX_BUFFER_SIZE:
	case CL_DEVICE_IMAGE_MAX_ARRAY_SIZE:
	case CL_DEVICE_MAX_GLOBAL_VARIABLE_SIZE:
	case CL_DEVICE_GLOBAL_VARIABLE_PREFERRED_TOTAL_SIZE:
	case CL_DEVICE_PRINTF_BUFFER_SIZE:
		RET_VAL(size_t, 0);
	case CL_DEVICE_IMAGE_SUPPORT:
	case CL_DEVICE_ERROR_CORRECTION_SUPPORT:
	case CL_DEVICE_HOST_UNIFIED_MEMORY:
	case CL_DEVICE_COMPILER_AVAILABLE:
	case CL_DEVICE_LINKER_AVAILABLE:
	case CL_DEVICE_PREFERRED_INTEROP_USER_SYNC:
	case CL_DEVICE_SUB_GROUP_INDEPENDENT_FORWARD_PROGRESS:
	case CL_DEVICE_NON_UNIFORM_WORK_GROUP_SUPPORT:
	case CL_DEVICE_WORK_GROUP_COLLECTIVE_FUNCTIONS_SUPPORT:
	case CL_DEVICE_GENERIC_ADDRESS_SPACE_SUPPORT:
	case CL_DEVICE_PIPE_SUPPORT:
		RET_VAL(cl_bool, CL_FALSE);
	case CL_DEVICE_ENDIAN_LITTLE:
	case CL_DEVICE_AVAILABLE:
		RET_VAL(cl_bool, CL_TRUE);
	case CL_DEVICE_MAX_PARAMETER_SIZE:
		RET_VAL(size_t, 256);
	case CL_DEVICE_MEM_BASE_ADDR_ALIGN:
		/* In bits: clSVMAlloc aligns to 128 bytes at least. */
		RET_VAL(cl_uint, 1024);
	case CL_DEVICE_MIN_DATA_TYPE_ALIGN_SIZE:
		RET_VAL(cl_uint, 128);
	case CL_DEVICE_SINGLE_FP_CONFIG:
		/*
		 * SAXPY rounds each operation to nearest, without FMA, on the
		 * CPU's SSE unit with the kernel's default MXCSR: IEEE-754
		 * denormals, no flush to zero.
		 */
		RET_VAL(cl_device_fp_config, CL_FP_ROUND_TO_NEAREST | CL_FP_INF_NAN | CL_FP_DENORM);
	case CL_DEVICE_DOUBLE_FP_CONFIG:
	case CL_DEVICE_HALF_FP_CONFIG:
		RET_VAL(cl_device_fp_config, 0);
	case CL_DEVICE_GLOBAL_MEM_CACHE_TYPE:
		RET_VAL(cl_device_mem_cache_type, CL_NONE);
	case CL_DEVICE_GLOBAL_MEM_CACHELINE_SIZE:
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_GLOBAL_MEM_CACHE_SIZE:
		RET_VAL(cl_ulong, 0);
	case CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE:
	case CL_DEVICE_LOCAL_MEM_SIZE:
		RET_VAL(cl_ulong, 0);
	case CL_DEVICE_MAX_CONSTANT_ARGS:
		RET_VAL(cl_uint, 0);
	case CL_DEVICE_LOCAL_MEM_TYPE:
		/* Built-in kernels have no local memory to offer. */
		RET_VAL(cl_device_local_mem_type, CL_NONE);
	case CL_DEVICE_PROFILING_TIMER_RESOLUTION:
		/* Timestamps are the host's CLOCK_MONOTONIC around each job. */
		RET_VAL(size_t, 1);
	case CL_DEVICE_EXECUTION_CAPABILITIES:
		RET_VAL(cl_device_exec_capabilities, CL_EXEC_KERNEL);
	case CL_DEVICE_QUEUE_PROPERTIES: /* = CL_DEVICE_QUEUE_ON_HOST_PROPERTIES */
		RET_VAL(cl_command_queue_properties, CL_QUEUE_PROFILING_ENABLE);
	case CL_DEVICE_QUEUE_ON_DEVICE_PROPERTIES:
		RET_VAL(cl_command_queue_properties, 0);
	case CL_DEVICE_NAME:
		RET_STR(d->name);
	case CL_DEVICE_VENDOR:
		RET_STR(PLATFORM_VENDOR);
	case CL_DRIVER_VERSION: {
		char v[32];

		snprintf(v, sizeof(v), "%s (uAPI %u.%u)", ICD_VERSION, info->uapi_major,
			 info->uapi_minor);
		RET_STR(v);
	}
	case CL_DEVICE_PROFILE:
		RET_STR("EMBEDDED_PROFILE");
	case CL_DEVICE_VERSION:
		RET_STR("OpenCL 3.0 svmgpu");
	case CL_DEVICE_NUMERIC_VERSION:
		RET_VAL(cl_version, CL_MAKE_VERSION(3, 0, 0));
	case CL_DEVICE_OPENCL_C_VERSION:
		/* Required for 1.x compatibility; no compiler is offered. */
		RET_STR("OpenCL C 1.2 ");
	case CL_DEVICE_OPENCL_C_ALL_VERSIONS:
	case CL_DEVICE_OPENCL_C_FEATURES:
	case CL_DEVICE_EXTENSIONS_WITH_VERSION:
	case CL_DEVICE_ILS_WITH_VERSION:
		return info_ret(size, value, size_ret, NULL, 0);
	case CL_DEVICE_EXTENSIONS:
	case CL_DEVICE_IL_VERSION:
		RET_STR("");
	case CL_DEVICE_BUILT_IN_KERNELS:
		RET_STR(BUILTIN_LIST);
	case CL_DEVICE_BUILT_IN_KERNELS_WITH_VERSION:
		for (int i = 0; i < BUILTIN_COUNT; i++) {
			kernels[i].version = CL_MAKE_VERSION(1, 0, 0);
			snprintf(kernels[i].name, sizeof(kernels[i].name), "%s", builtin_names[i]);
		}
		RET_ARR(kernels, BUILTIN_COUNT);
	case CL_DEVICE_PLATFORM:
		RET_VAL(cl_platform_id, &icd_platform);
	case CL_DEVICE_PARENT_DEVICE:
		RET_VAL(cl_device_id, NULL);
	case CL_DEVICE_PARTITION_PROPERTIES:
	case CL_DEVICE_PARTITION_TYPE:
		RET_VAL(cl_device_partition_property, 0);
	case CL_DEVICE_PARTITION_AFFINITY_DOMAIN:
		RET_VAL(cl_device_affinity_domain, 0);
	case CL_DEVICE_REFERENCE_COUNT:
		RET_VAL(cl_uint, 1);
	case CL_DEVICE_SVM_CAPABILITIES:
		/*
		 * A VM mirrors the whole process: any pointer, from malloc,
		 * mmap or the stack, is a device pointer, coherent with the CPU
		 * at command boundaries. No SVM atomics: there is no kernel
		 * language that could use them.
		 */
		RET_VAL(cl_device_svm_capabilities, CL_DEVICE_SVM_COARSE_GRAIN_BUFFER |
			CL_DEVICE_SVM_FINE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
	case CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES:
		RET_VAL(cl_device_atomic_capabilities,
			CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP);
	case CL_DEVICE_ATOMIC_FENCE_CAPABILITIES:
		RET_VAL(cl_device_atomic_capabilities,
			CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_ORDER_ACQ_REL |
			CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP);
	case CL_DEVICE_PREFERRED_WORK_GROUP_SIZE_MULTIPLE:
		RET_VAL(size_t, 1);
	case CL_DEVICE_DEVICE_ENQUEUE_CAPABILITIES:
		RET_VAL(cl_device_device_enqueue_capabilities, 0);
	case CL_DEVICE_LATEST_CONFORMANCE_VERSION_PASSED:
		/* Never submitted to Khronos' conformance process. */
		RET_STR("v0000-01-01-00");
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_RetainDevice(cl_device_id d)
{
	/* Root devices are not reference counted. */
	return icd_valid_device(d) ? CL_SUCCESS : CL_INVALID_DEVICE;
}

static cl_int CL_API_CALL icd_GetHostTimer(cl_device_id d, cl_ulong *host_timestamp)
{
	if (!icd_valid_device(d))
		return CL_INVALID_DEVICE;
	if (!host_timestamp)
		return CL_INVALID_VALUE;
	*host_timestamp = now_ns();
	return CL_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Contexts                                                               */

/* The device's VM, created by its first context. Under icd_lock. */
static cl_int device_get_vm(cl_device_id d)
{
	if (!d->vm_users && libsvmgpu_vm_create(d->fd, &d->vm_id))
		return CL_OUT_OF_RESOURCES;
	d->vm_users++;
	return CL_SUCCESS;
}

static void device_put_vm(cl_device_id d)
{
	if (--d->vm_users == 0) {
		libsvmgpu_vm_destroy(d->fd, d->vm_id);
		d->vm_id = 0;
	}
}

static cl_int parse_context_props(const cl_context_properties *props, cl_context c)
{
	c->num_props = 0;
	if (!props)
		return CL_SUCCESS;
	for (size_t i = 0; props[i]; i += 2) {
		switch (props[i]) {
		case CL_CONTEXT_PLATFORM:
			if ((cl_platform_id)props[i + 1] != &icd_platform)
				return CL_INVALID_PLATFORM;
			break;
		case CL_CONTEXT_INTEROP_USER_SYNC:
			break;
		default:
			return CL_INVALID_PROPERTY;
		}
	}
	c->props[0] = CL_CONTEXT_PLATFORM;
	c->props[1] = (cl_context_properties)&icd_platform;
	c->props[2] = 0;
	c->num_props = 3;
	return CL_SUCCESS;
}

static cl_context CL_API_CALL icd_CreateContext(const cl_context_properties *props, cl_uint n,
						 const cl_device_id *devs,
						 void(CL_CALLBACK *notify)(const char *, const void *,
									   size_t, void *),
						 void *user_data, cl_int *errcode_ret)
{
	cl_context c;
	cl_int err;
	cl_uint i;

	init();
	if (!n || !devs || (!notify && user_data)) {
		set_err(errcode_ret, CL_INVALID_VALUE);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!icd_valid_device(devs[i])) {
			set_err(errcode_ret, CL_INVALID_DEVICE);
			return NULL;
		}
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->devices = calloc(n, sizeof(*c->devices));
	if (!c || !c->devices) {
		free(c);
		set_err(errcode_ret, CL_OUT_OF_HOST_MEMORY);
		return NULL;
	}
	err = parse_context_props(props, c);
	if (err) {
		free(c->devices);
		free(c);
		set_err(errcode_ret, err);
		return NULL;
	}
	c->dispatch = &icd_dispatch;
	c->magic = MAGIC_CONTEXT;
	atomic_init(&c->refs, 1);
	pthread_mutex_lock(&icd_lock);
	for (i = 0; i < n; i++) {
		/* A device listed twice counts once. */
		if (context_has_device(c, devs[i]))
			continue;
		err = device_get_vm(devs[i]);
		if (err)
			break;
		c->devices[c->num_devices++] = devs[i];
	}
	if (err) {
		while (c->num_devices)
			device_put_vm(c->devices[--c->num_devices]);
	}
	pthread_mutex_unlock(&icd_lock);
	if (err) {
		free(c->devices);
		free(c);
		set_err(errcode_ret, err);
		return NULL;
	}
	set_err(errcode_ret, CL_SUCCESS);
	return c;
}

static cl_context CL_API_CALL icd_CreateContextFromType(const cl_context_properties *props,
							 cl_device_type type,
							 void(CL_CALLBACK *notify)(const char *,
										   const void *,
										   size_t, void *),
							 void *user_data, cl_int *errcode_ret)
{
	cl_device_id devs[MAX_DEVICES];
	cl_uint n = 0;
	cl_int err;

	err = icd_GetDeviceIDs(&icd_platform, type, MAX_DEVICES, devs, &n);
	if (err) {
		set_err(errcode_ret, err);
		return NULL;
	}
	return icd_CreateContext(props, n, devs, notify, user_data, errcode_ret);
}

static cl_int CL_API_CALL icd_RetainContext(cl_context c)
{
	if (!icd_valid_context(c))
		return CL_INVALID_CONTEXT;
	atomic_fetch_add(&c->refs, 1);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_ReleaseContext(cl_context c)
{
	struct ctx_destructor *d, *next;

	if (!icd_valid_context(c))
		return CL_INVALID_CONTEXT;
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return CL_SUCCESS;
	/* Most recently registered first, as the specification orders them. */
	for (d = c->destructors; d; d = next) {
		next = d->next;
		d->fn(c, d->data);
		free(d);
	}
	pthread_mutex_lock(&icd_lock);
	for (cl_uint i = 0; i < c->num_devices; i++)
		device_put_vm(c->devices[i]);
	pthread_mutex_unlock(&icd_lock);
	c->magic = MAGIC_DEAD;
	free(c->devices);
	free(c);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_GetContextInfo(cl_context c, cl_context_info param, size_t size,
					      void *value, size_t *size_ret)
{
	if (!icd_valid_context(c))
		return CL_INVALID_CONTEXT;
	switch (param) {
	case CL_CONTEXT_REFERENCE_COUNT:
		RET_VAL(cl_uint, atomic_load(&c->refs));
	case CL_CONTEXT_NUM_DEVICES:
		RET_VAL(cl_uint, c->num_devices);
	case CL_CONTEXT_DEVICES:
		RET_ARR(c->devices, c->num_devices);
	case CL_CONTEXT_PROPERTIES:
		RET_ARR(c->props, c->num_props);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_SetContextDestructorCallback(cl_context c,
							    void(CL_CALLBACK *fn)(cl_context,
										  void *),
							    void *data)
{
	struct ctx_destructor *d;

	if (!icd_valid_context(c))
		return CL_INVALID_CONTEXT;
	if (!fn)
		return CL_INVALID_VALUE;
	d = malloc(sizeof(*d));
	if (!d)
		return CL_OUT_OF_HOST_MEMORY;
	d->fn = fn;
	d->data = data;
	pthread_mutex_lock(&icd_lock);
	d->next = c->destructors;
	c->destructors = d;
	pthread_mutex_unlock(&icd_lock);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_GetSupportedImageFormats(cl_context c, cl_mem_flags flags,
							cl_mem_object_type type, cl_uint num,
							cl_image_format *formats,
							cl_uint *num_ret)
{
	(void)flags;
	(void)type;
	(void)formats;
	if (!icd_valid_context(c))
		return CL_INVALID_CONTEXT;
	if (num == 0 && formats)
		return CL_INVALID_VALUE;
	/* No image support: the list is empty. */
	if (num_ret)
		*num_ret = 0;
	return CL_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Events                                                                 */

static cl_event event_new(cl_command_queue q, cl_command_type type)
{
	cl_event e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->dispatch = &icd_dispatch;
	e->magic = MAGIC_EVENT;
	atomic_init(&e->refs, 1);
	e->ctx = q->ctx;
	e->queue = q;
	e->type = type;
	e->profiling = q->props & CL_QUEUE_PROFILING_ENABLE;
	e->fd = q->device->fd;
	e->status = CL_SUBMITTED;
	e->t_queued = now_ns();
	atomic_fetch_add(&q->ctx->refs, 1);
	return e;
}

static void event_free(cl_event e)
{
	cl_context ctx = e->ctx;

	if (e->syncobj)
		libsvmgpu_syncobj_destroy(e->fd, e->syncobj);
	libsvmgpu_cmdbuf_destroy(e->cb);
	free(e->staging);
	e->magic = MAGIC_DEAD;
	free(e);
	icd_ReleaseContext(ctx);
}

static void event_put(cl_event e)
{
	if (atomic_fetch_sub(&e->refs, 1) == 1)
		event_free(e);
}

/* Callbacks of @e, once; called without icd_lock. */
static void event_run_callbacks(cl_event e, struct event_callback *cbs)
{
	while (cbs) {
		struct event_callback *next = cbs->next;

		cbs->fn(e, e->status, cbs->data);
		free(cbs);
		cbs = next;
	}
}

/*
 * Records the outcome of @e once its job has completed, and frees what the
 * job read. A job that failed (a GPU fault svmgpu could not resolve, a
 * banned queue) leaves its event with CL_OUT_OF_RESOURCES, as GPU runtimes
 * report a lost context. Under icd_lock; returns whether @e is complete.
 */
static bool event_update_locked(cl_event e)
{
	int err;

	if (e->done)
		return true;
	err = libsvmgpu_syncobj_error(e->fd, e->syncobj, 0);
	if (err == -EBUSY)
		return false;
	e->done = true;
	e->status = err ? CL_OUT_OF_RESOURCES : CL_COMPLETE;
	e->t_end = now_ns();
	libsvmgpu_cmdbuf_destroy(e->cb);
	e->cb = NULL;
	free(e->staging);
	e->staging = NULL;
	return true;
}

/*
 * Whether @e has completed; runs its CL_COMPLETE callbacks if so. Callbacks
 * run when a thread observes completion (a wait, clFinish, an event query),
 * there being no thread of the ICD's own to notice it earlier.
 */
static bool event_poll(cl_event e)
{
	struct event_callback *cbs = NULL;
	bool done;

	pthread_mutex_lock(&icd_lock);
	done = event_update_locked(e);
	if (done) {
		cbs = e->callbacks;
		e->callbacks = NULL;
	}
	pthread_mutex_unlock(&icd_lock);
	event_run_callbacks(e, cbs);
	return done;
}

/* Blocks until @e has completed; returns its status. */
static cl_int event_wait(cl_event e)
{
	libsvmgpu_syncobj_wait(e->fd, &e->syncobj, NULL, 1, LIBSVMGPU_TIMEOUT_INFINITE,
			       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
	event_poll(e);
	return e->status;
}

static cl_int CL_API_CALL icd_WaitForEvents(cl_uint n, const cl_event *list)
{
	cl_int ret = CL_SUCCESS;

	if (!n || !list)
		return CL_INVALID_VALUE;
	for (cl_uint i = 0; i < n; i++) {
		if (!icd_valid_event(list[i]))
			return CL_INVALID_EVENT;
		if (list[i]->ctx != list[0]->ctx)
			return CL_INVALID_CONTEXT;
	}
	for (cl_uint i = 0; i < n; i++)
		if (event_wait(list[i]) < 0)
			ret = CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
	return ret;
}

static cl_int CL_API_CALL icd_GetEventInfo(cl_event e, cl_event_info param, size_t size,
					    void *value, size_t *size_ret)
{
	if (!icd_valid_event(e))
		return CL_INVALID_EVENT;
	switch (param) {
	case CL_EVENT_COMMAND_QUEUE:
		RET_VAL(cl_command_queue, e->queue);
	case CL_EVENT_CONTEXT:
		RET_VAL(cl_context, e->ctx);
	case CL_EVENT_COMMAND_TYPE:
		RET_VAL(cl_command_type, e->type);
	case CL_EVENT_COMMAND_EXECUTION_STATUS:
		event_poll(e);
		RET_VAL(cl_int, e->status);
	case CL_EVENT_REFERENCE_COUNT:
		RET_VAL(cl_uint, atomic_load(&e->refs));
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_RetainEvent(cl_event e)
{
	if (!icd_valid_event(e))
		return CL_INVALID_EVENT;
	atomic_fetch_add(&e->refs, 1);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_ReleaseEvent(cl_event e)
{
	if (!icd_valid_event(e))
		return CL_INVALID_EVENT;
	event_put(e);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_GetEventProfilingInfo(cl_event e, cl_profiling_info param,
						     size_t size, void *value, size_t *size_ret)
{
	if (!icd_valid_event(e))
		return CL_INVALID_EVENT;
	if (!e->profiling || !event_poll(e) || e->status < 0)
		return CL_PROFILING_INFO_NOT_AVAILABLE;
	/*
	 * Host timestamps: queued/submitted/started when the job was handed to
	 * the kernel, ended when its completion was first observed (an upper
	 * bound, exact after a blocking wait).
	 */
	switch (param) {
	case CL_PROFILING_COMMAND_QUEUED:
	case CL_PROFILING_COMMAND_SUBMIT:
	case CL_PROFILING_COMMAND_START:
		RET_VAL(cl_ulong, e->t_queued);
	case CL_PROFILING_COMMAND_END:
	case CL_PROFILING_COMMAND_COMPLETE:
		RET_VAL(cl_ulong, e->t_end);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_SetEventCallback(cl_event e, cl_int type,
						void(CL_CALLBACK *fn)(cl_event, cl_int, void *),
						void *data)
{
	struct event_callback *cb, *run = NULL;
	bool done;

	if (!icd_valid_event(e))
		return CL_INVALID_EVENT;
	if (!fn || (type != CL_COMPLETE && type != CL_SUBMITTED && type != CL_RUNNING))
		return CL_INVALID_VALUE;
	cb = malloc(sizeof(*cb));
	if (!cb)
		return CL_OUT_OF_HOST_MEMORY;
	cb->fn = fn;
	cb->data = data;
	pthread_mutex_lock(&icd_lock);
	done = event_update_locked(e);
	if (done) {
		run = e->callbacks;
		e->callbacks = NULL;
	}
	if (done || type != CL_COMPLETE) {
		/* Submitted and running are already past once enqueued. */
		cb->next = NULL;
	} else {
		cb->next = e->callbacks;
		e->callbacks = cb;
		cb = NULL;
	}
	pthread_mutex_unlock(&icd_lock);
	event_run_callbacks(e, run);
	if (cb) {
		cb->fn(e, done ? e->status : CL_SUBMITTED, cb->data);
		free(cb);
	}
	return CL_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Command queues                                                         */

static cl_command_queue queue_create(cl_context c, cl_device_id d,
				     cl_command_queue_properties props, cl_int *errcode_ret)
{
	cl_command_queue q;
	int ret;

	if (!icd_valid_context(c)) {
		set_err(errcode_ret, CL_INVALID_CONTEXT);
		return NULL;
	}
	if (!icd_valid_device(d) || !context_has_device(c, d)) {
		set_err(errcode_ret, CL_INVALID_DEVICE);
		return NULL;
	}
	if (props & ~(cl_command_queue_properties)(CL_QUEUE_PROFILING_ENABLE |
						   CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE |
						   CL_QUEUE_ON_DEVICE |
						   CL_QUEUE_ON_DEVICE_DEFAULT)) {
		set_err(errcode_ret, CL_INVALID_VALUE);
		return NULL;
	}
	/* In-order host queues only. */
	if (props & (CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_ON_DEVICE |
		     CL_QUEUE_ON_DEVICE_DEFAULT)) {
		set_err(errcode_ret, CL_INVALID_QUEUE_PROPERTIES);
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		set_err(errcode_ret, CL_OUT_OF_HOST_MEMORY);
		return NULL;
	}
	ret = libsvmgpu_queue_create(d->fd, d->vm_id, &q->queue_id);
	if (ret) {
		free(q);
		set_err(errcode_ret, ret == -ENOMEM ? CL_OUT_OF_HOST_MEMORY : CL_OUT_OF_RESOURCES);
		return NULL;
	}
	q->dispatch = &icd_dispatch;
	q->magic = MAGIC_QUEUE;
	atomic_init(&q->refs, 1);
	q->ctx = c;
	q->device = d;
	q->props = props;
	atomic_fetch_add(&c->refs, 1);
	set_err(errcode_ret, CL_SUCCESS);
	return q;
}

static cl_command_queue CL_API_CALL icd_CreateCommandQueue(cl_context c, cl_device_id d,
							    cl_command_queue_properties props,
							    cl_int *errcode_ret)
{
	return queue_create(c, d, props, errcode_ret);
}

static cl_command_queue CL_API_CALL
icd_CreateCommandQueueWithProperties(cl_context c, cl_device_id d,
				     const cl_queue_properties *props, cl_int *errcode_ret)
{
	cl_command_queue_properties p = 0;

	for (size_t i = 0; props && props[i]; i += 2) {
		switch (props[i]) {
		case CL_QUEUE_PROPERTIES:
			p = props[i + 1];
			break;
		case CL_QUEUE_SIZE:
			/* Only for device-side queues, which svmgpu lacks. */
			set_err(errcode_ret, CL_INVALID_QUEUE_PROPERTIES);
			return NULL;
		default:
			set_err(errcode_ret, CL_INVALID_VALUE);
			return NULL;
		}
	}
	return queue_create(c, d, p, errcode_ret);
}

/*
 * Drops the queue's reference to its completed commands, except the newest
 * (the next command's dependency) and those with callbacks still to run.
 * Under icd_lock.
 */
static void queue_reap_locked(cl_command_queue q)
{
	size_t i, kept = 0;

	for (i = 0; i < q->num_pending; i++) {
		cl_event e = q->pending[i];

		if (event_update_locked(e) && e != q->last && !e->callbacks) {
			event_put(e);
			continue;
		}
		q->pending[kept++] = e;
	}
	q->num_pending = kept;
}

static void queue_reap(cl_command_queue q)
{
	pthread_mutex_lock(&icd_lock);
	queue_reap_locked(q);
	pthread_mutex_unlock(&icd_lock);
}

/* Waits for every command of @q and runs their callbacks. */
static void queue_finish(cl_command_queue q)
{
	cl_event last, *evs = NULL;
	size_t n = 0;

	pthread_mutex_lock(&icd_lock);
	last = q->last;
	if (last)
		atomic_fetch_add(&last->refs, 1);
	pthread_mutex_unlock(&icd_lock);
	if (last) {
		/* In order: the last command completes after all others. */
		event_wait(last);
		event_put(last);
	}
	pthread_mutex_lock(&icd_lock);
	if (q->num_pending)
		evs = malloc(q->num_pending * sizeof(*evs));
	for (size_t i = 0; evs && i < q->num_pending; i++) {
		if (q->pending[i]->callbacks) {
			evs[n] = q->pending[i];
			atomic_fetch_add(&evs[n++]->refs, 1);
		}
	}
	pthread_mutex_unlock(&icd_lock);
	for (size_t i = 0; i < n; i++) {
		event_poll(evs[i]);
		event_put(evs[i]);
	}
	free(evs);
	queue_reap(q);
}

static cl_int CL_API_CALL icd_RetainCommandQueue(cl_command_queue q)
{
	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	atomic_fetch_add(&q->refs, 1);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_ReleaseCommandQueue(cl_command_queue q)
{
	cl_context c;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (atomic_fetch_sub(&q->refs, 1) != 1)
		return CL_SUCCESS;
	/* The jobs read their command buffers until they are done. */
	queue_finish(q);
	pthread_mutex_lock(&icd_lock);
	for (size_t i = 0; i < q->num_pending; i++)
		event_put(q->pending[i]);
	free(q->pending);
	pthread_mutex_unlock(&icd_lock);
	libsvmgpu_queue_destroy(q->device->fd, q->queue_id);
	c = q->ctx;
	q->magic = MAGIC_DEAD;
	free(q);
	icd_ReleaseContext(c);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_GetCommandQueueInfo(cl_command_queue q, cl_command_queue_info param,
						   size_t size, void *value, size_t *size_ret)
{
	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	switch (param) {
	case CL_QUEUE_CONTEXT:
		RET_VAL(cl_context, q->ctx);
	case CL_QUEUE_DEVICE:
		RET_VAL(cl_device_id, q->device);
	case CL_QUEUE_REFERENCE_COUNT:
		RET_VAL(cl_uint, atomic_load(&q->refs));
	case CL_QUEUE_PROPERTIES:
		RET_VAL(cl_command_queue_properties, q->props);
	case CL_QUEUE_PROPERTIES_ARRAY: {
		const cl_queue_properties p[3] = { CL_QUEUE_PROPERTIES, q->props, 0 };

		RET_ARR(p, q->props ? 3 : 0);
	}
	case CL_QUEUE_SIZE:
		return CL_INVALID_COMMAND_QUEUE;
	case CL_QUEUE_DEVICE_DEFAULT:
		RET_VAL(cl_command_queue, NULL);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_Flush(cl_command_queue q)
{
	/* Every command is handed to the kernel when it is enqueued. */
	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	queue_reap(q);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_Finish(cl_command_queue q)
{
	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	queue_finish(q);
	return CL_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Submission                                                             */

static cl_int check_wait_list(cl_command_queue q, cl_uint n, const cl_event *list)
{
	if ((n && !list) || (!n && list))
		return CL_INVALID_EVENT_WAIT_LIST;
	for (cl_uint i = 0; i < n; i++) {
		if (!icd_valid_event(list[i]))
			return CL_INVALID_EVENT_WAIT_LIST;
		if (list[i]->ctx != q->ctx)
			return CL_INVALID_CONTEXT;
	}
	return CL_SUCCESS;
}

/* Waits on the CPU for the wait list and the queue's previous command. */
static void host_wait_deps(cl_command_queue q, cl_uint n, const cl_event *list)
{
	cl_event last;

	for (cl_uint i = 0; i < n; i++)
		event_wait(list[i]);
	pthread_mutex_lock(&icd_lock);
	last = q->last;
	if (last)
		atomic_fetch_add(&last->refs, 1);
	pthread_mutex_unlock(&icd_lock);
	if (last) {
		event_wait(last);
		event_put(last);
	}
}

/*
 * Hands @cb (ended, or NULL for a command with no GPU work) to the kernel as
 * a job of @q. The job waits, on the GPU side, for the queue's previous
 * command (in-order execution) and for the wait list; waits the kernel cannot
 * express in one exec (events of another device, more than
 * DRM_SVMGPU_MAX_SYNCS) are done on the CPU first. Takes ownership of @cb
 * and @staging, which live until the job has completed. Every command gets
 * an event, given to the user in @out if asked for.
 */
static cl_int submit(cl_command_queue q, cl_command_type type, struct libsvmgpu_cmdbuf *cb,
		     void *staging, cl_uint n_wait, const cl_event *wait, cl_event *out,
		     bool blocking)
{
	struct drm_svmgpu_sync in[DRM_SVMGPU_MAX_SYNCS], sync_out = {};
	struct libsvmgpu_cmdbuf *empty = NULL;
	cl_uint n_in = 0;
	cl_event e, prev;
	cl_int status;
	int ret;

	if (!cb) {
		/* An END-only job gives marker-like commands a fence in order. */
		if (libsvmgpu_cmdbuf_create(8, &empty) || libsvmgpu_cmdbuf_end(empty)) {
			libsvmgpu_cmdbuf_destroy(empty);
			free(staging);
			return CL_OUT_OF_HOST_MEMORY;
		}
		cb = empty;
	}
	if (libsvmgpu_cmdbuf_error(cb)) {
		libsvmgpu_cmdbuf_destroy(cb);
		free(staging);
		return CL_OUT_OF_HOST_MEMORY;
	}
	e = event_new(q, type);
	if (!e || libsvmgpu_syncobj_create(q->device->fd, false, &sync_out.handle)) {
		if (e)
			event_free(e);
		libsvmgpu_cmdbuf_destroy(cb);
		free(staging);
		return CL_OUT_OF_RESOURCES;
	}
	e->syncobj = sync_out.handle;
	e->cb = cb;
	e->staging = staging;

	for (cl_uint i = 0; i < n_wait; i++) {
		if (wait[i]->fd == e->fd && n_in < DRM_SVMGPU_MAX_SYNCS - 1)
			in[n_in++] = (struct drm_svmgpu_sync){ .handle = wait[i]->syncobj };
		else
			event_wait(wait[i]);
	}

	pthread_mutex_lock(&icd_lock);
	prev = q->last;
	if (prev)
		in[n_in++] = (struct drm_svmgpu_sync){ .handle = prev->syncobj };
	ret = libsvmgpu_exec(e->fd, q->queue_id, libsvmgpu_cmdbuf_data(cb), in, n_in,
			     &sync_out, 1);
	if (!ret) {
		if (q->num_pending == q->cap_pending) {
			size_t cap = q->cap_pending ? 2 * q->cap_pending : 16;
			cl_event *p = realloc(q->pending, cap * sizeof(*p));

			if (!p) {
				/* Keep the queue consistent: wait for the job now. */
				pthread_mutex_unlock(&icd_lock);
				event_wait(e);
				event_put(e);
				return CL_OUT_OF_HOST_MEMORY;
			}
			q->pending = p;
			q->cap_pending = cap;
		}
		/* The queue's reference: the job's memory lives until reaped. */
		q->pending[q->num_pending++] = e;
		q->last = e;
		if (out)
			atomic_fetch_add(&e->refs, 1);
	}
	pthread_mutex_unlock(&icd_lock);
	if (ret) {
		event_free(e);
		/* -ECANCELED: an earlier job failed and the queue is banned. */
		return ret == -ENOMEM ? CL_OUT_OF_HOST_MEMORY : CL_OUT_OF_RESOURCES;
	}
	if (out)
		*out = e;
	status = CL_SUCCESS;
	if (blocking && event_wait(e) < 0)
		status = CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
	queue_reap(q);
	return status;
}

/* ---------------------------------------------------------------------- */
/* Markers and barriers                                                   */

static cl_int CL_API_CALL icd_EnqueueMarkerWithWaitList(cl_command_queue q, cl_uint n,
							 const cl_event *list, cl_event *event)
{
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	return submit(q, CL_COMMAND_MARKER, NULL, NULL, n, list, event, false);
}

static cl_int CL_API_CALL icd_EnqueueBarrierWithWaitList(cl_command_queue q, cl_uint n,
							  const cl_event *list, cl_event *event)
{
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	/* In order: a barrier is a marker. */
	return submit(q, CL_COMMAND_BARRIER, NULL, NULL, n, list, event, false);
}

static cl_int CL_API_CALL icd_EnqueueMarker(cl_command_queue q, cl_event *event)
{
	if (!event)
		return CL_INVALID_VALUE;
	return icd_EnqueueMarkerWithWaitList(q, 0, NULL, event);
}

static cl_int CL_API_CALL icd_EnqueueBarrier(cl_command_queue q)
{
	return icd_EnqueueBarrierWithWaitList(q, 0, NULL, NULL);
}

static cl_int CL_API_CALL icd_EnqueueWaitForEvents(cl_command_queue q, cl_uint n,
						    const cl_event *list)
{
	if (!n || !list)
		return CL_INVALID_VALUE;
	return icd_EnqueueBarrierWithWaitList(q, n, list, NULL);
}

/* ---------------------------------------------------------------------- */
/* Shared virtual memory                                                  */

static void *CL_API_CALL icd_SVMAlloc(cl_context c, cl_svm_mem_flags flags, size_t size,
				      cl_uint alignment)
{
	const cl_svm_mem_flags known = CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY |
		CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS;
	struct svm_block *b;
	size_t align = 128;
	cl_ulong max = 0;
	void *p;

	if (!icd_valid_context(c) || !size || (flags & ~known) ||
	    (alignment & (alignment - 1)))
		return NULL;
	/* SVM atomics are not offered; access-flag combinations are exclusive. */
	if (flags & CL_MEM_SVM_ATOMICS)
		return NULL;
	if (__builtin_popcountll(flags & (CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY |
					  CL_MEM_READ_ONLY)) > 1)
		return NULL;
	for (cl_uint i = 0; i < c->num_devices; i++) {
		cl_ulong m = libsvmgpu_device_info(c->devices[i]->dev)->vram_size;

		max = (!i || m < max) ? m : max;
	}
	if (size > max)
		return NULL;
	if (alignment > align)
		align = alignment;
	/* 2M blocks on 2M boundaries, so that they can migrate as one chunk. */
	if (size >= DRM_SVMGPU_PAGE_SIZE_2M && align < DRM_SVMGPU_PAGE_SIZE_2M)
		align = DRM_SVMGPU_PAGE_SIZE_2M;
	b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	if (posix_memalign(&p, align, size)) {
		free(b);
		return NULL;
	}
	b->ptr = p;
	b->size = size;
	pthread_mutex_lock(&icd_lock);
	b->next = svm_blocks;
	svm_blocks = b;
	pthread_mutex_unlock(&icd_lock);
	return p;
}

static void svm_free(void *ptr)
{
	struct svm_block **pp, *b = NULL;

	pthread_mutex_lock(&icd_lock);
	for (pp = &svm_blocks; *pp; pp = &(*pp)->next) {
		if ((*pp)->ptr == ptr) {
			b = *pp;
			*pp = b->next;
			break;
		}
	}
	pthread_mutex_unlock(&icd_lock);
	/* Only what clSVMAlloc returned: freeing anything else is the caller's bug. */
	if (b) {
		free(b->ptr);
		free(b);
	}
}

static void CL_API_CALL icd_SVMFree(cl_context c, void *ptr)
{
	if (icd_valid_context(c) && ptr)
		svm_free(ptr);
}

/* The clSVMAlloc block holding @p, and its size from @p on; 0 if none. */
static size_t svm_block_rest(const void *p)
{
	size_t rest = 0;

	pthread_mutex_lock(&icd_lock);
	for (struct svm_block *b = svm_blocks; b; b = b->next) {
		if ((const char *)p >= (const char *)b->ptr &&
		    (const char *)p < (const char *)b->ptr + b->size) {
			rest = b->size - (size_t)((const char *)p - (const char *)b->ptr);
			break;
		}
	}
	pthread_mutex_unlock(&icd_lock);
	return rest;
}

static cl_int CL_API_CALL icd_EnqueueSVMMemcpy(cl_command_queue q, cl_bool blocking, void *dst,
						const void *src, size_t size, cl_uint n,
						const cl_event *list, cl_event *event)
{
	struct libsvmgpu_cmdbuf *cb;
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!dst || !src)
		return CL_INVALID_VALUE;
	if ((const char *)dst < (const char *)src + size &&
	    (const char *)src < (const char *)dst + size)
		return CL_MEM_COPY_OVERLAP;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	if (libsvmgpu_cmdbuf_create(64, &cb))
		return CL_OUT_OF_HOST_MEMORY;
	if (size)
		libsvmgpu_cmdbuf_copy(cb, dst, src, size);
	libsvmgpu_cmdbuf_end(cb);
	return submit(q, CL_COMMAND_SVM_MEMCPY, cb, NULL, n, list, event, blocking);
}

static cl_int CL_API_CALL icd_EnqueueSVMMemFill(cl_command_queue q, void *ptr,
						 const void *pattern, size_t psize, size_t size,
						 cl_uint n, const cl_event *list, cl_event *event)
{
	struct libsvmgpu_cmdbuf *cb;
	uint8_t *staging = NULL;
	uint32_t word;
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!ptr || !pattern || !psize || psize > 128 || (psize & (psize - 1)) ||
	    ((uintptr_t)ptr % psize) || (size % psize))
		return CL_INVALID_VALUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	if (libsvmgpu_cmdbuf_create(256, &cb))
		return CL_OUT_OF_HOST_MEMORY;
	if (size && psize <= 4 && !((uintptr_t)ptr & 3) && !(size & 3)) {
		/* Replicated to a 32-bit pattern: one FILL32 command. */
		for (size_t i = 0; i < 4; i++)
			((uint8_t *)&word)[i] = ((const uint8_t *)pattern)[i % psize];
		libsvmgpu_cmdbuf_fill32(cb, ptr, size, word);
	} else if (size) {
		/*
		 * Any other pattern or alignment: one copy of the pattern from a
		 * staging block the job reads, then copies that double the
		 * filled part, in order within the job.
		 */
		size_t done = psize;

		staging = malloc(psize);
		if (!staging) {
			libsvmgpu_cmdbuf_destroy(cb);
			return CL_OUT_OF_HOST_MEMORY;
		}
		memcpy(staging, pattern, psize);
		libsvmgpu_cmdbuf_copy(cb, ptr, staging, psize);
		while (done < size) {
			size_t chunk = done < size - done ? done : size - done;

			libsvmgpu_cmdbuf_copy(cb, (char *)ptr + done, ptr, chunk);
			done += chunk;
		}
	}
	libsvmgpu_cmdbuf_end(cb);
	return submit(q, CL_COMMAND_SVM_MEMFILL, cb, staging, n, list, event, false);
}

static cl_int CL_API_CALL icd_EnqueueSVMMap(cl_command_queue q, cl_bool blocking,
					     cl_map_flags flags, void *ptr, size_t size,
					     cl_uint n, const cl_event *list, cl_event *event)
{
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!ptr || !size ||
	    (flags & ~(cl_map_flags)(CL_MAP_READ | CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION)))
		return CL_INVALID_VALUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	/*
	 * Fine-grained system SVM: the CPU may touch the memory at any time,
	 * so a map is only an ordering point - and a blocking one waits.
	 */
	return submit(q, CL_COMMAND_SVM_MAP, NULL, NULL, n, list, event, blocking);
}

static cl_int CL_API_CALL icd_EnqueueSVMUnmap(cl_command_queue q, void *ptr, cl_uint n,
					       const cl_event *list, cl_event *event)
{
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!ptr)
		return CL_INVALID_VALUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	return submit(q, CL_COMMAND_SVM_UNMAP, NULL, NULL, n, list, event, false);
}

static cl_int prefetch_error(int ret)
{
	switch (ret) {
	case 0:
	case -ENOMEM:
	case -ENOSPC:
		/* A migration is a hint: without room in VRAM, data stays. */
		return CL_SUCCESS;
	case -EFAULT:
	case -EINVAL:
		return CL_INVALID_VALUE;
	default:
		return CL_OUT_OF_RESOURCES;
	}
}

static cl_int CL_API_CALL icd_EnqueueSVMMigrateMem(cl_command_queue q, cl_uint num,
						    const void **ptrs, const size_t *sizes,
						    cl_mem_migration_flags flags, cl_uint n,
						    const cl_event *list, cl_event *event)
{
	uint32_t region;
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!num || !ptrs ||
	    (flags & ~(cl_mem_migration_flags)(CL_MIGRATE_MEM_OBJECT_HOST |
					       CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED)))
		return CL_INVALID_VALUE;
	for (cl_uint i = 0; i < num; i++) {
		if (!ptrs[i])
			return CL_INVALID_VALUE;
		/* Size 0: the whole clSVMAlloc block from the pointer on. */
		if ((!sizes || !sizes[i]) && !svm_block_rest(ptrs[i]))
			return CL_INVALID_VALUE;
	}
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	region = (flags & CL_MIGRATE_MEM_OBJECT_HOST) ? DRM_SVMGPU_REGION_SYSTEM :
							  DRM_SVMGPU_REGION_DEVICE;
	/*
	 * PREFETCH is synchronous, so the migration happens here, in order:
	 * after what precedes it in the queue, before what follows.
	 * CONTENT_UNDEFINED would allow skipping the copy; the uAPI has no
	 * such hint, so the data moves intact.
	 */
	host_wait_deps(q, n, list);
	for (cl_uint i = 0; i < num && !err; i++) {
		size_t sz = sizes && sizes[i] ? sizes[i] : svm_block_rest(ptrs[i]);

		err = prefetch_error(libsvmgpu_prefetch_covering(q->device->fd, q->device->vm_id,
								 ptrs[i], sz, region));
	}
	if (err)
		return err;
	return submit(q, CL_COMMAND_SVM_MIGRATE_MEM, NULL, NULL, 0, NULL, event, false);
}

static cl_int CL_API_CALL
icd_EnqueueSVMFree(cl_command_queue q, cl_uint num, void *ptrs[],
		   void(CL_CALLBACK *fn)(cl_command_queue, cl_uint, void *[], void *),
		   void *data, cl_uint n, const cl_event *list, cl_event *event)
{
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if ((num && !ptrs) || (!num && ptrs))
		return CL_INVALID_VALUE;
	for (cl_uint i = 0; i < num; i++)
		if (!ptrs[i])
			return CL_INVALID_VALUE;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	/* Freed once nothing before it in the queue can still use the memory. */
	host_wait_deps(q, n, list);
	if (fn) {
		fn(q, num, ptrs, data);
	} else {
		for (cl_uint i = 0; i < num; i++)
			svm_free(ptrs[i]);
	}
	return submit(q, CL_COMMAND_SVM_FREE, NULL, NULL, 0, NULL, event, false);
}

/* ---------------------------------------------------------------------- */
/* Programs: built-in kernels only                                        */

static cl_program program_new(cl_context c)
{
	cl_program p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dispatch = &icd_dispatch;
	p->magic = MAGIC_PROGRAM;
	atomic_init(&p->refs, 1);
	p->ctx = c;
	atomic_fetch_add(&c->refs, 1);
	return p;
}

static cl_int check_device_list(cl_context c, cl_uint n, const cl_device_id *list)
{
	if ((n && !list) || (!n && list))
		return CL_INVALID_VALUE;
	for (cl_uint i = 0; i < n; i++)
		if (!icd_valid_device(list[i]) || !context_has_device(c, list[i]))
			return CL_INVALID_DEVICE;
	return CL_SUCCESS;
}

static cl_program CL_API_CALL icd_CreateProgramWithBuiltInKernels(cl_context c, cl_uint n,
								   const cl_device_id *devs,
								   const char *names,
								   cl_int *errcode_ret)
{
	uint32_t mask = 0;
	const char *s;
	cl_program p;
	cl_int err;

	if (!icd_valid_context(c)) {
		set_err(errcode_ret, CL_INVALID_CONTEXT);
		return NULL;
	}
	err = check_device_list(c, n, devs);
	if (err || !n || !names) {
		set_err(errcode_ret, err ? err : CL_INVALID_VALUE);
		return NULL;
	}
	/* A semicolon-separated list; each name must be a kernel of every device. */
	for (s = names; *s;) {
		size_t len = strcspn(s, ";");
		int id;

		for (id = 0; id < BUILTIN_COUNT; id++)
			if (strlen(builtin_names[id]) == len && !strncmp(s, builtin_names[id], len))
				break;
		if (id == BUILTIN_COUNT) {
			set_err(errcode_ret, CL_INVALID_VALUE);
			return NULL;
		}
		mask |= 1u << id;
		s += len;
		if (*s == ';')
			s++;
	}
	if (!mask) {
		set_err(errcode_ret, CL_INVALID_VALUE);
		return NULL;
	}
	p = program_new(c);
	if (!p) {
		set_err(errcode_ret, CL_OUT_OF_HOST_MEMORY);
		return NULL;
	}
	p->builtin = true;
	p->kernels = mask;
	set_err(errcode_ret, CL_SUCCESS);
	return p;
}

static cl_program CL_API_CALL icd_CreateProgramWithSource(cl_context c, cl_uint count,
							   const char **strings,
							   const size_t *lengths,
							   cl_int *errcode_ret)
{
	size_t total = 0, off = 0;
	cl_program p;

	if (!icd_valid_context(c)) {
		set_err(errcode_ret, CL_INVALID_CONTEXT);
		return NULL;
	}
	if (!count || !strings) {
		set_err(errcode_ret, CL_INVALID_VALUE);
		return NULL;
	}
	for (cl_uint i = 0; i < count; i++) {
		if (!strings[i]) {
			set_err(errcode_ret, CL_INVALID_VALUE);
			return NULL;
		}
		total += lengths && lengths[i] ? lengths[i] : strlen(strings[i]);
	}
	/*
	 * Kept so that CL_PROGRAM_SOURCE answers; clBuildProgram then reports
	 * CL_COMPILER_NOT_AVAILABLE, as CL_DEVICE_COMPILER_AVAILABLE says.
	 */
	p = program_new(c);
	if (p)
		p->source = malloc(total + 1);
	if (!p || !p->source) {
		if (p)
			icd_dispatch.clReleaseProgram(p);
		set_err(errcode_ret, CL_OUT_OF_HOST_MEMORY);
		return NULL;
	}
	for (cl_uint i = 0; i < count; i++) {
		size_t len = lengths && lengths[i] ? lengths[i] : strlen(strings[i]);

		memcpy(p->source + off, strings[i], len);
		off += len;
	}
	p->source[off] = '\0';
	set_err(errcode_ret, CL_SUCCESS);
	return p;
}

static cl_program CL_API_CALL icd_CreateProgramWithBinary(cl_context c, cl_uint n,
							   const cl_device_id *devs,
							   const size_t *lengths,
							   const unsigned char **binaries,
							   cl_int *status, cl_int *errcode_ret)
{
	cl_int err;

	if (!icd_valid_context(c)) {
		set_err(errcode_ret, CL_INVALID_CONTEXT);
		return NULL;
	}
	err = check_device_list(c, n, devs);
	if (err || !n || !lengths || !binaries) {
		set_err(errcode_ret, err ? err : CL_INVALID_VALUE);
		return NULL;
	}
	/* svmgpu has no program binary format. */
	for (cl_uint i = 0; status && i < n; i++)
		status[i] = CL_INVALID_BINARY;
	set_err(errcode_ret, CL_INVALID_BINARY);
	return NULL;
}

static cl_int CL_API_CALL icd_RetainProgram(cl_program p)
{
	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	atomic_fetch_add(&p->refs, 1);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_ReleaseProgram(cl_program p)
{
	cl_context c;

	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	if (atomic_fetch_sub(&p->refs, 1) != 1)
		return CL_SUCCESS;
	c = p->ctx;
	p->magic = MAGIC_DEAD;
	free(p->source);
	free(p);
	icd_ReleaseContext(c);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_BuildProgram(cl_program p, cl_uint n, const cl_device_id *devs,
					    const char *options,
					    void(CL_CALLBACK *notify)(cl_program, void *),
					    void *data)
{
	cl_int err;

	(void)options;
	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	err = check_device_list(p->ctx, n, devs);
	if (err)
		return err;
	if (!notify && data)
		return CL_INVALID_VALUE;
	if (p->builtin)
		return CL_INVALID_OPERATION;
	return CL_COMPILER_NOT_AVAILABLE;
}

static unsigned int popcount(uint32_t v)
{
	return (unsigned int)__builtin_popcount(v);
}

static cl_int CL_API_CALL icd_GetProgramInfo(cl_program p, cl_program_info param, size_t size,
					      void *value, size_t *size_ret)
{
	char names[256] = "";
	size_t zeros[MAX_DEVICES] = {};

	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	switch (param) {
	case CL_PROGRAM_REFERENCE_COUNT:
		RET_VAL(cl_uint, atomic_load(&p->refs));
	case CL_PROGRAM_CONTEXT:
		RET_VAL(cl_context, p->ctx);
	case CL_PROGRAM_NUM_DEVICES:
		RET_VAL(cl_uint, p->ctx->num_devices);
	case CL_PROGRAM_DEVICES:
		RET_ARR(p->ctx->devices, p->ctx->num_devices);
	case CL_PROGRAM_SOURCE:
		RET_STR(p->source ? p->source : "");
	case CL_PROGRAM_IL:
		return info_ret(size, value, size_ret, NULL, 0);
	case CL_PROGRAM_BINARY_SIZES:
		RET_ARR(zeros, p->ctx->num_devices);
	case CL_PROGRAM_BINARIES:
		/* Every size is 0: nothing is written to the callers' pointers. */
		return info_ret(size, value, size_ret, zeros,
				p->ctx->num_devices * sizeof(unsigned char *));
	case CL_PROGRAM_NUM_KERNELS:
		if (!p->builtin)
			return CL_INVALID_PROGRAM_EXECUTABLE;
		RET_VAL(size_t, popcount(p->kernels));
	case CL_PROGRAM_KERNEL_NAMES:
		if (!p->builtin)
			return CL_INVALID_PROGRAM_EXECUTABLE;
		for (int i = 0; i < BUILTIN_COUNT; i++) {
			if (!(p->kernels & (1u << i)))
				continue;
			if (names[0])
				strcat(names, ";");
			strcat(names, builtin_names[i]);
		}
		RET_STR(names);
	case CL_PROGRAM_SCOPE_GLOBAL_CTORS_PRESENT:
	case CL_PROGRAM_SCOPE_GLOBAL_DTORS_PRESENT:
		RET_VAL(cl_bool, CL_FALSE);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_GetProgramBuildInfo(cl_program p, cl_device_id d,
						   cl_program_build_info param, size_t size,
						   void *value, size_t *size_ret)
{
	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	if (!icd_valid_device(d) || !context_has_device(p->ctx, d))
		return CL_INVALID_DEVICE;
	switch (param) {
	case CL_PROGRAM_BUILD_STATUS:
		RET_VAL(cl_build_status, p->builtin ? CL_BUILD_SUCCESS : CL_BUILD_NONE);
	case CL_PROGRAM_BUILD_OPTIONS:
		RET_STR("");
	case CL_PROGRAM_BUILD_LOG:
		RET_STR(p->builtin ? "" :
			"svmgpu has no OpenCL C compiler: use clCreateProgramWithBuiltInKernels "
			"with the kernels of CL_DEVICE_BUILT_IN_KERNELS\n");
	case CL_PROGRAM_BINARY_TYPE:
		RET_VAL(cl_program_binary_type, CL_PROGRAM_BINARY_TYPE_NONE);
	case CL_PROGRAM_BUILD_GLOBAL_VARIABLE_TOTAL_SIZE:
		RET_VAL(size_t, 0);
	default:
		return CL_INVALID_VALUE;
	}
}

/* ---------------------------------------------------------------------- */
/* Kernels                                                                */

enum arg_kind { ARG_PTR, ARG_FLOAT };

struct builtin_desc {
	unsigned int num_args;
	enum arg_kind kinds[MAX_KERNEL_ARGS];
	const char *arg_names[MAX_KERNEL_ARGS];
	const char *arg_types[MAX_KERNEL_ARGS];
	cl_kernel_arg_type_qualifier arg_quals[MAX_KERNEL_ARGS];
};

/*
 * The built-in kernels and their OpenCL C signatures:
 *   svmgpu_saxpy(float a, global const float *x, global float *y)
 *     y[i] = a * x[i] + y[i] for every work-item i, each operation rounded
 *     (no fused multiply-add)
 *   svmgpu_reduce_sum_f32(global const float *src, global float *dst)
 *     *dst = the sum of src[i] over the work-items, added in index order
 *   svmgpu_reduce_sum_u32(global const uint *src, global ulong *dst)
 *   svmgpu_reduce_max_u32(global const uint *src, global uint *dst)
 * The NDRange is one-dimensional in effect (higher dimensions of size 1);
 * the global offset moves the start of the arrays indexed by i.
 */
static const struct builtin_desc builtins[BUILTIN_COUNT] = {
	[BUILTIN_SAXPY] = { 3, { ARG_FLOAT, ARG_PTR, ARG_PTR }, { "a", "x", "y" },
			    { "float", "float*", "float*" },
			    { CL_KERNEL_ARG_TYPE_NONE, CL_KERNEL_ARG_TYPE_CONST,
			      CL_KERNEL_ARG_TYPE_NONE } },
	[BUILTIN_REDUCE_SUM_F32] = { 2, { ARG_PTR, ARG_PTR }, { "src", "dst" },
				     { "float*", "float*" },
				     { CL_KERNEL_ARG_TYPE_CONST, CL_KERNEL_ARG_TYPE_NONE } },
	[BUILTIN_REDUCE_SUM_U32] = { 2, { ARG_PTR, ARG_PTR }, { "src", "dst" },
				     { "uint*", "ulong*" },
				     { CL_KERNEL_ARG_TYPE_CONST, CL_KERNEL_ARG_TYPE_NONE } },
	[BUILTIN_REDUCE_MAX_U32] = { 2, { ARG_PTR, ARG_PTR }, { "src", "dst" },
				     { "uint*", "uint*" },
				     { CL_KERNEL_ARG_TYPE_CONST, CL_KERNEL_ARG_TYPE_NONE } },
};

static cl_kernel kernel_new(cl_program p, enum builtin_id id)
{
	cl_kernel k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->dispatch = &icd_dispatch;
	k->magic = MAGIC_KERNEL;
	atomic_init(&k->refs, 1);
	k->program = p;
	k->id = id;
	atomic_fetch_add(&p->refs, 1);
	return k;
}

static cl_kernel CL_API_CALL icd_CreateKernel(cl_program p, const char *name,
					       cl_int *errcode_ret)
{
	cl_kernel k;

	if (!icd_valid_program(p)) {
		set_err(errcode_ret, CL_INVALID_PROGRAM);
		return NULL;
	}
	if (!p->builtin) {
		set_err(errcode_ret, CL_INVALID_PROGRAM_EXECUTABLE);
		return NULL;
	}
	if (!name) {
		set_err(errcode_ret, CL_INVALID_VALUE);
		return NULL;
	}
	for (int id = 0; id < BUILTIN_COUNT; id++) {
		if ((p->kernels & (1u << id)) && !strcmp(name, builtin_names[id])) {
			k = kernel_new(p, id);
			set_err(errcode_ret, k ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY);
			return k;
		}
	}
	set_err(errcode_ret, CL_INVALID_KERNEL_NAME);
	return NULL;
}

static cl_int CL_API_CALL icd_CreateKernelsInProgram(cl_program p, cl_uint num,
						      cl_kernel *kernels, cl_uint *num_ret)
{
	cl_uint n = 0;

	if (!icd_valid_program(p))
		return CL_INVALID_PROGRAM;
	if (!p->builtin)
		return CL_INVALID_PROGRAM_EXECUTABLE;
	if (kernels && num < popcount(p->kernels))
		return CL_INVALID_VALUE;
	for (int id = 0; id < BUILTIN_COUNT; id++) {
		if (!(p->kernels & (1u << id)))
			continue;
		if (kernels) {
			kernels[n] = kernel_new(p, id);
			if (!kernels[n]) {
				while (n)
					icd_dispatch.clReleaseKernel(kernels[--n]);
				return CL_OUT_OF_HOST_MEMORY;
			}
		}
		n++;
	}
	if (num_ret)
		*num_ret = n;
	return CL_SUCCESS;
}

static cl_kernel CL_API_CALL icd_CloneKernel(cl_kernel src, cl_int *errcode_ret)
{
	cl_kernel k;

	if (!icd_valid_kernel(src)) {
		set_err(errcode_ret, CL_INVALID_KERNEL);
		return NULL;
	}
	k = kernel_new(src->program, src->id);
	if (k)
		memcpy(k->args, src->args, sizeof(k->args));
	set_err(errcode_ret, k ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY);
	return k;
}

static cl_int CL_API_CALL icd_RetainKernel(cl_kernel k)
{
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	atomic_fetch_add(&k->refs, 1);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_ReleaseKernel(cl_kernel k)
{
	cl_program p;

	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	if (atomic_fetch_sub(&k->refs, 1) != 1)
		return CL_SUCCESS;
	p = k->program;
	k->magic = MAGIC_DEAD;
	free(k);
	icd_ReleaseProgram(p);
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_SetKernelArg(cl_kernel k, cl_uint index, size_t size,
					    const void *value)
{
	const struct builtin_desc *desc;

	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	desc = &builtins[k->id];
	if (index >= desc->num_args)
		return CL_INVALID_ARG_INDEX;
	if (desc->kinds[index] == ARG_FLOAT) {
		if (size != sizeof(cl_float))
			return CL_INVALID_ARG_SIZE;
		if (!value)
			return CL_INVALID_ARG_VALUE;
		memcpy(&k->args[index].f, value, sizeof(cl_float));
	} else {
		/*
		 * A global pointer set with clSetKernelArg takes a cl_mem, and
		 * svmgpu has no memory objects; NULL is the one valid value.
		 */
		if (size != sizeof(cl_mem))
			return CL_INVALID_ARG_SIZE;
		if (value && *(const cl_mem *)value)
			return CL_INVALID_MEM_OBJECT;
		k->args[index].ptr = NULL;
	}
	k->args[index].set = true;
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_SetKernelArgSVMPointer(cl_kernel k, cl_uint index,
						      const void *value)
{
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	if (index >= builtins[k->id].num_args)
		return CL_INVALID_ARG_INDEX;
	if (builtins[k->id].kinds[index] != ARG_PTR)
		return CL_INVALID_ARG_VALUE;
	/* Fine-grained system SVM: any pointer, SVM-allocated or not. */
	k->args[index].ptr = value;
	k->args[index].set = true;
	return CL_SUCCESS;
}

static cl_int CL_API_CALL icd_SetKernelExecInfo(cl_kernel k, cl_kernel_exec_info param,
						 size_t size, const void *value)
{
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	if (!value || !size)
		return CL_INVALID_VALUE;
	switch (param) {
	case CL_KERNEL_EXEC_INFO_SVM_PTRS:
		/* Every pointer is reachable anyway. */
		return CL_SUCCESS;
	case CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM:
		return size == sizeof(cl_bool) ? CL_SUCCESS : CL_INVALID_VALUE;
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_GetKernelInfo(cl_kernel k, cl_kernel_info param, size_t size,
					     void *value, size_t *size_ret)
{
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	switch (param) {
	case CL_KERNEL_FUNCTION_NAME:
		RET_STR(builtin_names[k->id]);
	case CL_KERNEL_NUM_ARGS:
		RET_VAL(cl_uint, builtins[k->id].num_args);
	case CL_KERNEL_REFERENCE_COUNT:
		RET_VAL(cl_uint, atomic_load(&k->refs));
	case CL_KERNEL_CONTEXT:
		RET_VAL(cl_context, k->program->ctx);
	case CL_KERNEL_PROGRAM:
		RET_VAL(cl_program, k->program);
	case CL_KERNEL_ATTRIBUTES:
		RET_STR("");
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_GetKernelArgInfo(cl_kernel k, cl_uint index,
						cl_kernel_arg_info param, size_t size,
						void *value, size_t *size_ret)
{
	const struct builtin_desc *desc;

	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	desc = &builtins[k->id];
	if (index >= desc->num_args)
		return CL_INVALID_ARG_INDEX;
	switch (param) {
	case CL_KERNEL_ARG_ADDRESS_QUALIFIER:
		RET_VAL(cl_kernel_arg_address_qualifier, desc->kinds[index] == ARG_PTR ?
			CL_KERNEL_ARG_ADDRESS_GLOBAL : CL_KERNEL_ARG_ADDRESS_PRIVATE);
	case CL_KERNEL_ARG_ACCESS_QUALIFIER:
		RET_VAL(cl_kernel_arg_access_qualifier, CL_KERNEL_ARG_ACCESS_NONE);
	case CL_KERNEL_ARG_TYPE_NAME:
		RET_STR(desc->arg_types[index]);
	case CL_KERNEL_ARG_TYPE_QUALIFIER:
		RET_VAL(cl_kernel_arg_type_qualifier, desc->arg_quals[index]);
	case CL_KERNEL_ARG_NAME:
		RET_STR(desc->arg_names[index]);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_GetKernelWorkGroupInfo(cl_kernel k, cl_device_id d,
						      cl_kernel_work_group_info param,
						      size_t size, void *value, size_t *size_ret)
{
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	if (d ? !icd_valid_device(d) || !context_has_device(k->program->ctx, d) :
		k->program->ctx->num_devices != 1)
		return CL_INVALID_DEVICE;
	switch (param) {
	case CL_KERNEL_GLOBAL_WORK_SIZE: {
		/* Valid for built-in kernels: the elements one command can take. */
		const size_t sizes[3] = { SIZE_MAX, 1, 1 };

		RET_ARR(sizes, 3);
	}
	case CL_KERNEL_WORK_GROUP_SIZE:
		RET_VAL(size_t, MAX_WORK_GROUP);
	case CL_KERNEL_COMPILE_WORK_GROUP_SIZE: {
		const size_t sizes[3] = { 0, 0, 0 };

		RET_ARR(sizes, 3);
	}
	case CL_KERNEL_LOCAL_MEM_SIZE:
	case CL_KERNEL_PRIVATE_MEM_SIZE:
		RET_VAL(cl_ulong, 0);
	case CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE:
		RET_VAL(size_t, 1);
	default:
		return CL_INVALID_VALUE;
	}
}

static cl_int CL_API_CALL icd_EnqueueNDRangeKernel(cl_command_queue q, cl_kernel k,
						    cl_uint dims, const size_t *offset,
						    const size_t *global, const size_t *local,
						    cl_uint n, const cl_event *list,
						    cl_event *event)
{
	const struct builtin_desc *desc;
	struct libsvmgpu_cmdbuf *cb;
	size_t count, off;
	const struct kernel_arg *a;
	cl_int err;

	if (!icd_valid_queue(q))
		return CL_INVALID_COMMAND_QUEUE;
	if (!icd_valid_kernel(k))
		return CL_INVALID_KERNEL;
	if (k->program->ctx != q->ctx)
		return CL_INVALID_CONTEXT;
	if (dims < 1 || dims > 3)
		return CL_INVALID_WORK_DIMENSION;
	if (!global)
		return CL_INVALID_GLOBAL_WORK_SIZE;
	for (cl_uint i = 1; i < dims; i++)
		if (global[i] > 1 || (offset && offset[i]))
			return CL_INVALID_GLOBAL_WORK_SIZE;
	if (local) {
		if (local[0] == 0 || local[0] > MAX_WORK_GROUP || (global[0] % local[0]))
			return CL_INVALID_WORK_GROUP_SIZE;
		for (cl_uint i = 1; i < dims; i++)
			if (local[i] != 1)
				return CL_INVALID_WORK_GROUP_SIZE;
	}
	desc = &builtins[k->id];
	for (unsigned int i = 0; i < desc->num_args; i++)
		if (!k->args[i].set)
			return CL_INVALID_KERNEL_ARGS;
	err = check_wait_list(q, n, list);
	if (err)
		return err;
	count = global[0];
	off = offset ? offset[0] : 0;
	a = k->args;
	if (libsvmgpu_cmdbuf_create(64, &cb))
		return CL_OUT_OF_HOST_MEMORY;
	/* An empty NDRange runs nothing, but is still a command with an event. */
	switch (count ? k->id : BUILTIN_COUNT) {
	case BUILTIN_SAXPY:
		libsvmgpu_cmdbuf_saxpy(cb, a[0].f, (const float *)a[1].ptr + off,
				       (float *)a[2].ptr + off, count);
		break;
	case BUILTIN_REDUCE_SUM_F32:
		libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_SUM_F32,
					(const float *)a[0].ptr + off, count, (void *)a[1].ptr);
		break;
	case BUILTIN_REDUCE_SUM_U32:
		libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_SUM_U32,
					(const uint32_t *)a[0].ptr + off, count, (void *)a[1].ptr);
		break;
	case BUILTIN_REDUCE_MAX_U32:
		libsvmgpu_cmdbuf_reduce(cb, DRM_SVMGPU_REDUCE_MAX_U32,
					(const uint32_t *)a[0].ptr + off, count, (void *)a[1].ptr);
		break;
	default:
		break;
	}
	libsvmgpu_cmdbuf_end(cb);
	return submit(q, CL_COMMAND_NDRANGE_KERNEL, cb, NULL, n, list, event, false);
}

static cl_int CL_API_CALL icd_EnqueueTask(cl_command_queue q, cl_kernel k, cl_uint n,
					   const cl_event *list, cl_event *event)
{
	const size_t one = 1;

	return icd_EnqueueNDRangeKernel(q, k, 1, NULL, &one, &one, n, list, event);
}

/* ---------------------------------------------------------------------- */
/* The dispatch table                                                     */

#define S(name) .name = stub_##name

const cl_icd_dispatch icd_dispatch = {
	.clGetPlatformIDs = icd_GetPlatformIDs,
	.clGetPlatformInfo = icd_GetPlatformInfo,
	.clGetDeviceIDs = icd_GetDeviceIDs,
	.clGetDeviceInfo = icd_GetDeviceInfo,
	.clCreateContext = icd_CreateContext,
	.clCreateContextFromType = icd_CreateContextFromType,
	.clRetainContext = icd_RetainContext,
	.clReleaseContext = icd_ReleaseContext,
	.clGetContextInfo = icd_GetContextInfo,
	.clCreateCommandQueue = icd_CreateCommandQueue,
	.clRetainCommandQueue = icd_RetainCommandQueue,
	.clReleaseCommandQueue = icd_ReleaseCommandQueue,
	.clGetCommandQueueInfo = icd_GetCommandQueueInfo,
	S(clSetCommandQueueProperty),
	S(clCreateBuffer),
	S(clCreateImage2D),
	S(clCreateImage3D),
	S(clRetainMemObject),
	S(clReleaseMemObject),
	.clGetSupportedImageFormats = icd_GetSupportedImageFormats,
	S(clGetMemObjectInfo),
	S(clGetImageInfo),
	S(clCreateSampler),
	S(clRetainSampler),
	S(clReleaseSampler),
	S(clGetSamplerInfo),
	.clCreateProgramWithSource = icd_CreateProgramWithSource,
	.clCreateProgramWithBinary = icd_CreateProgramWithBinary,
	.clRetainProgram = icd_RetainProgram,
	.clReleaseProgram = icd_ReleaseProgram,
	.clBuildProgram = icd_BuildProgram,
	.clUnloadCompiler = icd_UnloadCompiler,
	.clGetProgramInfo = icd_GetProgramInfo,
	.clGetProgramBuildInfo = icd_GetProgramBuildInfo,
	.clCreateKernel = icd_CreateKernel,
	.clCreateKernelsInProgram = icd_CreateKernelsInProgram,
	.clRetainKernel = icd_RetainKernel,
	.clReleaseKernel = icd_ReleaseKernel,
	.clSetKernelArg = icd_SetKernelArg,
	.clGetKernelInfo = icd_GetKernelInfo,
	.clGetKernelWorkGroupInfo = icd_GetKernelWorkGroupInfo,
	.clWaitForEvents = icd_WaitForEvents,
	.clGetEventInfo = icd_GetEventInfo,
	.clRetainEvent = icd_RetainEvent,
	.clReleaseEvent = icd_ReleaseEvent,
	.clGetEventProfilingInfo = icd_GetEventProfilingInfo,
	.clFlush = icd_Flush,
	.clFinish = icd_Finish,
	S(clEnqueueReadBuffer),
	S(clEnqueueWriteBuffer),
	S(clEnqueueCopyBuffer),
	S(clEnqueueReadImage),
	S(clEnqueueWriteImage),
	S(clEnqueueCopyImage),
	S(clEnqueueCopyImageToBuffer),
	S(clEnqueueCopyBufferToImage),
	S(clEnqueueMapBuffer),
	S(clEnqueueMapImage),
	S(clEnqueueUnmapMemObject),
	.clEnqueueNDRangeKernel = icd_EnqueueNDRangeKernel,
	.clEnqueueTask = icd_EnqueueTask,
	S(clEnqueueNativeKernel),
	.clEnqueueMarker = icd_EnqueueMarker,
	.clEnqueueWaitForEvents = icd_EnqueueWaitForEvents,
	.clEnqueueBarrier = icd_EnqueueBarrier,
	.clGetExtensionFunctionAddress = icd_GetExtensionFunctionAddress,
	S(clCreateFromGLBuffer),
	S(clCreateFromGLTexture2D),
	S(clCreateFromGLTexture3D),
	S(clCreateFromGLRenderbuffer),
	S(clGetGLObjectInfo),
	S(clGetGLTextureInfo),
	S(clEnqueueAcquireGLObjects),
	S(clEnqueueReleaseGLObjects),
	S(clGetGLContextInfoKHR),
	/* The D3D slots are void * off Windows; no loader calls them here. */
	.clSetEventCallback = icd_SetEventCallback,
	S(clCreateSubBuffer),
	S(clSetMemObjectDestructorCallback),
	S(clCreateUserEvent),
	S(clSetUserEventStatus),
	S(clEnqueueReadBufferRect),
	S(clEnqueueWriteBufferRect),
	S(clEnqueueCopyBufferRect),
	S(clCreateSubDevicesEXT),
	.clRetainDeviceEXT = icd_RetainDevice,
	.clReleaseDeviceEXT = icd_RetainDevice,
	S(clCreateEventFromGLsyncKHR),
	S(clCreateSubDevices),
	.clRetainDevice = icd_RetainDevice,
	.clReleaseDevice = icd_RetainDevice,
	S(clCreateImage),
	.clCreateProgramWithBuiltInKernels = icd_CreateProgramWithBuiltInKernels,
	S(clCompileProgram),
	S(clLinkProgram),
	.clUnloadPlatformCompiler = icd_UnloadPlatformCompiler,
	.clGetKernelArgInfo = icd_GetKernelArgInfo,
	S(clEnqueueFillBuffer),
	S(clEnqueueFillImage),
	S(clEnqueueMigrateMemObjects),
	.clEnqueueMarkerWithWaitList = icd_EnqueueMarkerWithWaitList,
	.clEnqueueBarrierWithWaitList = icd_EnqueueBarrierWithWaitList,
	.clGetExtensionFunctionAddressForPlatform = icd_GetExtensionFunctionAddressForPlatform,
	S(clCreateFromGLTexture),
	S(clCreateFromEGLImageKHR),
	S(clEnqueueAcquireEGLObjectsKHR),
	S(clEnqueueReleaseEGLObjectsKHR),
	S(clCreateEventFromEGLSyncKHR),
	.clCreateCommandQueueWithProperties = icd_CreateCommandQueueWithProperties,
	S(clCreatePipe),
	S(clGetPipeInfo),
	.clSVMAlloc = icd_SVMAlloc,
	.clSVMFree = icd_SVMFree,
	.clEnqueueSVMFree = icd_EnqueueSVMFree,
	.clEnqueueSVMMemcpy = icd_EnqueueSVMMemcpy,
	.clEnqueueSVMMemFill = icd_EnqueueSVMMemFill,
	.clEnqueueSVMMap = icd_EnqueueSVMMap,
	.clEnqueueSVMUnmap = icd_EnqueueSVMUnmap,
	S(clCreateSamplerWithProperties),
	.clSetKernelArgSVMPointer = icd_SetKernelArgSVMPointer,
	.clSetKernelExecInfo = icd_SetKernelExecInfo,
	S(clGetKernelSubGroupInfoKHR),
	.clCloneKernel = icd_CloneKernel,
	S(clCreateProgramWithIL),
	.clEnqueueSVMMigrateMem = icd_EnqueueSVMMigrateMem,
	S(clGetDeviceAndHostTimer),
	.clGetHostTimer = icd_GetHostTimer,
	S(clGetKernelSubGroupInfo),
	S(clSetDefaultDeviceCommandQueue),
	S(clSetProgramReleaseCallback),
	S(clSetProgramSpecializationConstant),
	S(clCreateBufferWithProperties),
	S(clCreateImageWithProperties),
	.clSetContextDestructorCallback = icd_SetContextDestructorCallback,
};
