/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _SVMGPU_DEBUGFS_H_
#define _SVMGPU_DEBUGFS_H_

struct drm_minor;
struct svmgpu_device;

void svmgpu_debugfs_register(struct svmgpu_device *sdev);
void svmgpu_debugfs_init(struct drm_minor *minor);

#endif /* _SVMGPU_DEBUGFS_H_ */
