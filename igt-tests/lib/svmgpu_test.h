/* SPDX-License-Identifier: MIT */
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * Device helpers shared by the svmgpu IGT tests.
 */
#ifndef SVMGPU_TEST_H
#define SVMGPU_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <drm/svmgpu_drm.h>

/** Most svmgpu devices the module creates (SVMGPU_MAX_DEVICES). */
#define SVMGPU_MAX_DEVICES 8

/* Number of svmgpu render nodes present. */
int svmgpu_count_devices(void);
/* Open the @index-th svmgpu render node (in node order); -1 if there is none. */
int svmgpu_open(int index);
/* Open the first svmgpu device, or skip the subtest when there is none. */
int svmgpu_open_or_skip(void);
/* ioctl that restarts on EINTR/EAGAIN; returns 0 or -errno. */
int svmgpu_ioctl(int fd, unsigned long request, void *arg);
/* DRM_SVMGPU_QUERY_DEVICE_INFO, asserting success. */
void svmgpu_query_info(int fd, struct drm_svmgpu_device_info *info);
/* A module parameter of the loaded svmgpu module, or -1. */
long svmgpu_module_param(const char *name);

#endif /* SVMGPU_TEST_H */
