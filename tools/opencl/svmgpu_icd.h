/* SPDX-License-Identifier: MIT */
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * Internal declarations of the svmgpu OpenCL ICD: the objects behind the
 * OpenCL handles, shared by svmgpu_icd.c (what svmgpu implements) and
 * svmgpu_icd_stubs.c (what it refuses, with the errors a conformant runtime
 * gives for an unsupported feature).
 */
#ifndef SVMGPU_ICD_H
#define SVMGPU_ICD_H

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_0_APIS
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#define CL_USE_DEPRECATED_OPENCL_2_0_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <CL/cl_gl.h>
#include <CL/cl_egl.h>
#include <CL/cl_icd.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "libsvmgpu.h"

/*
 * Every handle starts with the loader's dispatch pointer (cl_khr_icd), then
 * a magic number naming its type, so that a stale or foreign handle is
 * answered with CL_INVALID_<OBJECT> instead of being dereferenced blindly.
 */
enum icd_magic {
	MAGIC_PLATFORM = 0x53504c54,	/* "SPLT" */
	MAGIC_DEVICE = 0x53444556,
	MAGIC_CONTEXT = 0x53435458,
	MAGIC_QUEUE = 0x53515545,
	MAGIC_PROGRAM = 0x53505247,
	MAGIC_KERNEL = 0x534b524e,
	MAGIC_EVENT = 0x53455654,
	MAGIC_DEAD = 0xdeadbeef,
};

struct _cl_platform_id {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
};

struct _cl_device_id {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	struct libsvmgpu_device *dev;
	int fd;
	char name[64];
	/* One VM per device for the whole process: it mirrors all of it. */
	uint32_t vm_id;
	unsigned int vm_users;	/* contexts using @vm_id, under icd_lock */
};

struct _cl_context {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	atomic_uint refs;
	cl_uint num_devices;
	cl_device_id *devices;
	cl_context_properties props[3];	/* CL_CONTEXT_PLATFORM, id, 0 */
	size_t num_props;
	struct ctx_destructor *destructors;
};

struct _cl_command_queue {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	atomic_uint refs;
	cl_context ctx;
	cl_device_id device;
	cl_command_queue_properties props;
	uint32_t queue_id;
	/* Under icd_lock: the newest command, and those not known complete. */
	cl_event last;
	cl_event *pending;
	size_t num_pending, cap_pending;
};

struct _cl_event {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	atomic_uint refs;
	cl_context ctx;
	cl_command_queue queue;	/* as given to the user; not a reference */
	cl_command_type type;
	bool profiling;		/* the queue had CL_QUEUE_PROFILING_ENABLE */
	int fd;			/* the device's file, which owns @syncobj */
	uint32_t syncobj;	/* signalled by the command's job */
	/* Memory the job reads, freed once it has completed. */
	struct libsvmgpu_cmdbuf *cb;
	void *staging;
	/* Under icd_lock: set once completion has been observed. */
	bool done;
	cl_int status;		/* CL_COMPLETE or a negative error, once done */
	cl_ulong t_queued, t_end;
	struct event_callback *callbacks;
};

enum builtin_id {
	BUILTIN_SAXPY,
	BUILTIN_REDUCE_SUM_F32,
	BUILTIN_REDUCE_SUM_U32,
	BUILTIN_REDUCE_MAX_U32,
	BUILTIN_COUNT,
};

#define MAX_KERNEL_ARGS 3

struct _cl_program {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	atomic_uint refs;
	cl_context ctx;
	char *source;		/* programs with source: kept, never built */
	bool builtin;
	uint32_t kernels;	/* mask of enum builtin_id */
	unsigned int num_kernel_objs;	/* kernels alive, under icd_lock */
};

struct kernel_arg {
	bool set;
	union {
		const void *ptr;
		float f;
	};
};

struct _cl_kernel {
	const cl_icd_dispatch *dispatch;
	uint32_t magic;
	atomic_uint refs;
	cl_program program;
	enum builtin_id id;
	struct kernel_arg args[MAX_KERNEL_ARGS];
};

/* The one platform, and the lock of every object's bookkeeping. */
extern struct _cl_platform_id icd_platform;
extern pthread_mutex_t icd_lock;
extern const cl_icd_dispatch icd_dispatch;

bool icd_valid_context(cl_context c);
bool icd_valid_queue(cl_command_queue q);
bool icd_valid_device(cl_device_id d);
bool icd_valid_program(cl_program p);
bool icd_valid_kernel(cl_kernel k);
bool icd_valid_event(cl_event e);

/*
 * The entry points svmgpu does not implement (svmgpu_icd_stubs.c), declared
 * from the list in svmgpu_icd_stubs.inc so that the dispatch table and the
 * definitions cannot disagree.
 */
#define ICD_STUB_INT(name, err, params) cl_int CL_API_CALL stub_##name params;
#define ICD_STUB_OBJ(type, name, err, params) type CL_API_CALL stub_##name params;
#include "svmgpu_icd_stubs.inc"
#undef ICD_STUB_INT
#undef ICD_STUB_OBJ

#endif /* SVMGPU_ICD_H */
