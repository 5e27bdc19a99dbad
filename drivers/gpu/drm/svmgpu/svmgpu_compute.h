/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_COMPUTE_H_
#define _SVMGPU_COMPUTE_H_

#include <linux/types.h>

/*
 * Floating-point kernels of the GPU's compute commands. They are built with
 * the FPU enabled and must be called between kernel_fpu_begin() and
 * kernel_fpu_end(); floats travel as their u32 bit patterns.
 */
void svmgpu_compute_saxpy(u32 a, const u32 *x, u32 *y, size_t n);
u32 svmgpu_compute_sum_f32(u32 acc, const u32 *x, size_t n);

#endif /* _SVMGPU_COMPUTE_H_ */
