/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_DRV_H_
#define _SVMGPU_DRV_H_

#include <drm/svmgpu_drm.h>

#define DRIVER_NAME	"svmgpu"
#define DRIVER_DESC	"Virtual GPU with shared virtual memory"
#define DRIVER_MAJOR	DRM_SVMGPU_UAPI_MAJOR
#define DRIVER_MINOR	DRM_SVMGPU_UAPI_MINOR

extern const struct drm_driver svmgpu_drm_driver;

#endif /* _SVMGPU_DRV_H_ */
