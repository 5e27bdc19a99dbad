// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * Built with CC_FLAGS_FPU; callers hold kernel_fpu_begin().
 */
#include <linux/string.h>

#include "svmgpu_compute.h"

static float to_f32(u32 bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static u32 from_f32(float f)
{
	u32 bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

/**
 * svmgpu_compute_saxpy() - y[i] = a * x[i] + y[i]
 * @a: the scalar's bits
 * @x: input floats' bits
 * @y: input and output floats' bits
 * @n: elements
 */
void svmgpu_compute_saxpy(u32 a, const u32 *x, u32 *y, size_t n)
{
	float fa = to_f32(a);
	size_t i;

	/* Two roundings, as in C: built with -ffp-contract=off, no fused multiply-add. */
	for (i = 0; i < n; i++)
		y[i] = from_f32(fa * to_f32(x[i]) + to_f32(y[i]));
}

/**
 * svmgpu_compute_sum_f32() - add floats to an accumulator, in order
 * @acc: the accumulator's bits
 * @x: the floats' bits
 * @n: elements
 *
 * Return: the new accumulator's bits.
 */
u32 svmgpu_compute_sum_f32(u32 acc, const u32 *x, size_t n)
{
	float s = to_f32(acc);
	size_t i;

	for (i = 0; i < n; i++)
		s += to_f32(x[i]);
	return from_f32(s);
}
