// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * The entry points svmgpu does not implement: each returns the error that
 * svmgpu_icd_stubs.inc gives it, so that a program probing an unsupported
 * feature gets an OpenCL error, never a NULL dispatch slot to jump through.
 */
#include "svmgpu_icd.h"

/* A stub ignores its arguments by design. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define ICD_STUB_INT(name, err, params)						\
	cl_int CL_API_CALL stub_##name params					\
	{									\
		return err;							\
	}
#define ICD_STUB_OBJ(type, name, err, params)					\
	type CL_API_CALL stub_##name params					\
	{									\
		if (errcode_ret)						\
			*errcode_ret = err;					\
		return NULL;							\
	}
#include "svmgpu_icd_stubs.inc"
