/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_QUERY_H_
#define _SVMGPU_QUERY_H_

struct drm_device;
struct drm_file;

int svmgpu_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* _SVMGPU_QUERY_H_ */
