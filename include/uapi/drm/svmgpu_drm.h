/* SPDX-License-Identifier: MIT */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#ifndef _UAPI_SVMGPU_DRM_H_
#define _UAPI_SVMGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: svmgpu uAPI rules
 *
 * svmgpu is a software-executed GPU with shared virtual memory. Its uAPI
 * follows these rules, which every addition must keep:
 *
 * - Every structure is 64-bit aligned and its size a multiple of 8 bytes;
 *   holes are spelled out as ``pad`` fields that must be zero.
 * - Every ``flags`` and ``pad`` field is checked: an unknown flag bit or a
 *   non-zero pad gives ``-EINVAL``. Zero always keeps the old behaviour, so new
 *   flags can be added without breaking old userspace.
 * - Pointers to userspace travel as ``__u64``. No unions, no ``long``.
 * - New ioctls take the next free number at the end of the list; existing
 *   numbers and layouts never change. Every addition bumps
 *   %DRM_SVMGPU_UAPI_MINOR and, where useful, adds a feature bit reported by
 *   %DRM_SVMGPU_QUERY_DEVICE_INFO.
 * - Structures that may grow are copied with their size: the kernel reads
 *   what userspace passed and zero-fills the rest, and a larger userspace
 *   structure must be zero beyond what the kernel knows (else ``-E2BIG``).
 * - Errors: ``-EINVAL`` for a malformed request, ``-EFAULT`` for a bad user
 *   pointer, ``-ENOENT`` for an unknown object id, ``-ENODEV`` once the device
 *   is unplugged.
 */

/** @DRM_SVMGPU_UAPI_MAJOR: incompatible changes (never expected). */
#define DRM_SVMGPU_UAPI_MAJOR		1
/** @DRM_SVMGPU_UAPI_MINOR: bumped by every uAPI addition. */
#define DRM_SVMGPU_UAPI_MINOR		0

/**
 * enum drm_svmgpu_ioctl_id - ioctl numbers, relative to %DRM_COMMAND_BASE
 * @DRM_SVMGPU_QUERY: query device information, see &struct drm_svmgpu_query
 */
enum drm_svmgpu_ioctl_id {
	DRM_SVMGPU_QUERY = 0x00,
};

/**
 * enum drm_svmgpu_query_type - what &struct drm_svmgpu_query asks for
 * @DRM_SVMGPU_QUERY_DEVICE_INFO: &struct drm_svmgpu_device_info
 */
enum drm_svmgpu_query_type {
	DRM_SVMGPU_QUERY_DEVICE_INFO = 0,
};

/**
 * struct drm_svmgpu_query - argument of %DRM_IOCTL_SVMGPU_QUERY
 *
 * With @pointer zero, the kernel only writes @size: the size of the object
 * it would return. Otherwise it copies min(@size, object size) bytes to
 * @pointer, zero-fills the rest of the @size bytes, and sets @size to the
 * object size.
 */
struct drm_svmgpu_query {
	/** @type: one of &enum drm_svmgpu_query_type, else -EINVAL */
	__u32 type;
	/** @size: in: bytes at @pointer; out: size of the kernel's object */
	__u32 size;
	/** @pointer: user pointer receiving the object, or 0 */
	__u64 pointer;
	/** @flags: must be zero */
	__u32 flags;
	/** @pad: must be zero */
	__u32 pad;
};

/** @DRM_SVMGPU_PAGE_SIZE_4K: 4 KiB device pages and GPU mappings */
#define DRM_SVMGPU_PAGE_SIZE_4K		(1ull << 12)
/** @DRM_SVMGPU_PAGE_SIZE_64K: 64 KiB chunks */
#define DRM_SVMGPU_PAGE_SIZE_64K	(1ull << 16)
/** @DRM_SVMGPU_PAGE_SIZE_2M: 2 MiB chunks and device pages */
#define DRM_SVMGPU_PAGE_SIZE_2M		(1ull << 21)

/**
 * struct drm_svmgpu_device_info - %DRM_SVMGPU_QUERY_DEVICE_INFO answer
 */
struct drm_svmgpu_device_info {
	/** @uapi_major: %DRM_SVMGPU_UAPI_MAJOR of the running driver */
	__u32 uapi_major;
	/** @uapi_minor: %DRM_SVMGPU_UAPI_MINOR of the running driver */
	__u32 uapi_minor;
	/** @vram_size: bytes of device memory */
	__u64 vram_size;
	/** @page_sizes: mask of DRM_SVMGPU_PAGE_SIZE_* the device maps */
	__u64 page_sizes;
	/** @features: mask of DRM_SVMGPU_FEATURE_* */
	__u64 features;
	/** @device_index: index of this device among the svmgpu devices */
	__u32 device_index;
	/** @pad: zero */
	__u32 pad;
};

#define DRM_IOCTL_SVMGPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_QUERY, struct drm_svmgpu_query)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_SVMGPU_DRM_H_ */
