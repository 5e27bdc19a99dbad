// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_basic: device discovery, the query ioctl and its validation, and
 * the DRM core features every svmgpu device offers (render node, syncobjs).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

static int fd = -1;

static void fixture(void)
{
	fd = svmgpu_open_or_skip();
}

static int query(uint32_t type, uint32_t *size, void *ptr, uint32_t flags, uint32_t pad)
{
	struct drm_svmgpu_query q = {
		.type = type,
		.size = *size,
		.pointer = (uintptr_t)ptr,
		.flags = flags,
		.pad = pad,
	};
	int ret = svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q);

	*size = q.size;
	return ret;
}

static void test_version(void)
{
	char name[32] = "", desc[128] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_VERSION, &v), 0);
	igt_assert_f(!strcmp(name, "svmgpu"), "driver name '%s'\n", name);
	igt_assert_eq(v.version_major, DRM_SVMGPU_UAPI_MAJOR);
	igt_info("driver %s %d.%d.%d: %s\n", name, v.version_major, v.version_minor,
		 v.version_patchlevel, desc);
}

static void test_query_device_info(void)
{
	struct drm_svmgpu_device_info info;
	long vram_mb = svmgpu_module_param("vram_size_mb");

	svmgpu_query_info(fd, &info);
	igt_assert_eq(info.uapi_major, DRM_SVMGPU_UAPI_MAJOR);
	igt_assert_lte(DRM_SVMGPU_UAPI_MINOR, info.uapi_minor);
	igt_assert(vram_mb > 0);
	igt_assert_eq_u64(info.vram_size, (uint64_t)vram_mb << 20);
	igt_assert_eq_u64(info.page_sizes & DRM_SVMGPU_PAGE_SIZE_4K, DRM_SVMGPU_PAGE_SIZE_4K);
	igt_assert_eq_u64(info.page_sizes & DRM_SVMGPU_PAGE_SIZE_2M, DRM_SVMGPU_PAGE_SIZE_2M);
	igt_assert_eq(info.device_index, 0);
	igt_assert_eq(info.pad, 0);
	igt_info("uAPI %u.%u, %llu MiB VRAM, page sizes 0x%llx, features 0x%llx\n",
		 info.uapi_major, info.uapi_minor, (unsigned long long)info.vram_size >> 20,
		 (unsigned long long)info.page_sizes, (unsigned long long)info.features);
}

static void test_query_size_only(void)
{
	uint32_t size = 0;

	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, NULL, 0, 0), 0);
	igt_assert_eq(size, sizeof(struct drm_svmgpu_device_info));
}

static void test_query_short_buffer(void)
{
	uint8_t buf[sizeof(struct drm_svmgpu_device_info)];
	struct drm_svmgpu_device_info full;
	uint32_t size = 8;

	svmgpu_query_info(fd, &full);
	memset(buf, 0xa5, sizeof(buf));
	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, buf, 0, 0), 0);
	igt_assert_eq(size, sizeof(full));
	/* The first 8 bytes are the version, the rest is untouched. */
	igt_assert(!memcmp(buf, &full, 8));
	for (size_t i = 8; i < sizeof(buf); i++)
		igt_assert_eq(buf[i], 0xa5);
}

static void test_query_long_buffer(void)
{
	struct drm_svmgpu_device_info full;
	uint8_t buf[sizeof(full) + 64];
	uint32_t size = sizeof(buf);

	svmgpu_query_info(fd, &full);
	memset(buf, 0xa5, sizeof(buf));
	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, buf, 0, 0), 0);
	igt_assert_eq(size, sizeof(full));
	igt_assert(!memcmp(buf, &full, sizeof(full)));
	for (size_t i = sizeof(full); i < sizeof(buf); i++)
		igt_assert_eq(buf[i], 0);
}

static void test_query_invalid_type(void)
{
	struct drm_svmgpu_device_info info;
	uint32_t size = sizeof(info);

	igt_assert_eq(query(DRM_SVMGPU_QUERY_STATS + 1, &size, &info, 0, 0), -EINVAL);
	size = sizeof(info);
	igt_assert_eq(query(~0u, &size, &info, 0, 0), -EINVAL);
}

static void test_query_invalid_flags(void)
{
	struct drm_svmgpu_device_info info;

	for (int bit = 0; bit < 32; bit++) {
		uint32_t size = sizeof(info);

		igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, &info, 1u << bit, 0),
			      -EINVAL);
	}
}

static void test_query_invalid_pad(void)
{
	struct drm_svmgpu_device_info info;
	uint32_t size = sizeof(info);

	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, &info, 0, 1), -EINVAL);
	size = sizeof(info);
	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, &info, 0, 0x80000000u),
		      -EINVAL);
}

static void test_query_bad_pointer(void)
{
	uint32_t size = sizeof(struct drm_svmgpu_device_info);
	void *ro;

	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, (void *)8, 0, 0), -EFAULT);

	/* A read-only page cannot receive the answer either. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(ro != MAP_FAILED);
	size = sizeof(struct drm_svmgpu_device_info);
	igt_assert_eq(query(DRM_SVMGPU_QUERY_DEVICE_INFO, &size, ro, 0, 0), -EFAULT);
	munmap(ro, 4096);
}

static void test_unknown_ioctl(void)
{
	struct drm_svmgpu_query q = {};

	/* The first driver ioctl number after the last one svmgpu defines. */
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x3f,
						 struct drm_svmgpu_query), &q), -EINVAL);
}

static void test_syncobj_caps(void)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_GET_CAP, &cap), 0);
	igt_assert_eq_u64(cap.value, 1);
	cap = (struct drm_get_cap){ .capability = DRM_CAP_SYNCOBJ_TIMELINE };
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_GET_CAP, &cap), 0);
	igt_assert_eq_u64(cap.value, 1);
}

static void test_syncobj_timeline(void)
{
	struct drm_syncobj_create create = {};
	struct drm_syncobj_destroy destroy = {};
	uint64_t points[1] = { 7 }, query_out[1] = { 0 };
	uint32_t handles[1];
	struct drm_syncobj_timeline_array signal = {
		.handles = (uintptr_t)handles, .points = (uintptr_t)points, .count_handles = 1,
	};
	struct drm_syncobj_timeline_array q = {
		.handles = (uintptr_t)handles, .points = (uintptr_t)query_out, .count_handles = 1,
	};
	struct drm_syncobj_timeline_wait wait = {
		.handles = (uintptr_t)handles, .points = (uintptr_t)points, .count_handles = 1,
		.timeout_nsec = 0, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &create), 0);
	handles[0] = create.handle;
	/* Point 7 has no fence yet: a plain wait is refused, a wait-for-submit times out. */
	wait.flags = 0;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &wait), -EINVAL);
	wait.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &wait), -ETIME);
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &signal), 0);
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &q), 0);
	igt_assert_eq_u64(query_out[0], 7);
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &wait), 0);
	destroy.handle = create.handle;
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &destroy), 0);
}

static void check_device(void *arg)
{
	int index = (int)(intptr_t)arg;
	struct drm_svmgpu_device_info info;
	int dfd = svmgpu_open(index);

	igt_assert(dfd >= 0);
	svmgpu_query_info(dfd, &info);
	igt_assert_eq(info.device_index, index);
	close(dfd);
}

static void test_all_devices(void)
{
	int n = svmgpu_count_devices();

	igt_assert_eq(n, svmgpu_module_param("num_devices"));
	for (int i = 0; i < n; i++)
		igt_dynamic_f(check_device, (void *)(intptr_t)i, "device-%d", i);
}

static const struct igt_subtest tests[] = {
	{ "version", test_version, "DRM_IOCTL_VERSION names the svmgpu driver" },
	{ "query-device-info", test_query_device_info,
	  "device info reports the uAPI version, the VRAM size set at load and the page sizes" },
	{ "query-size-only", test_query_size_only,
	  "a query without a pointer returns the size of the answer" },
	{ "query-short-buffer", test_query_short_buffer,
	  "a short buffer gets a truncated answer and nothing beyond" },
	{ "query-long-buffer", test_query_long_buffer,
	  "a long buffer gets the answer and zeroes beyond it" },
	{ "query-invalid-type", test_query_invalid_type, "unknown query types give EINVAL" },
	{ "query-invalid-flags", test_query_invalid_flags, "every unknown flag bit gives EINVAL" },
	{ "query-invalid-pad", test_query_invalid_pad, "non-zero padding gives EINVAL" },
	{ "query-bad-pointer", test_query_bad_pointer,
	  "unmapped and read-only answer pointers give EFAULT" },
	{ "unknown-ioctl", test_unknown_ioctl, "an undefined driver ioctl number gives EINVAL" },
	{ "syncobj-caps", test_syncobj_caps, "binary and timeline syncobjs are advertised" },
	{ "syncobj-timeline", test_syncobj_timeline,
	  "a timeline point is signalled, queried and waited for on the svmgpu fd" },
	{ "all-devices", test_all_devices,
	  "every device the module created is found, in order, with its index" },
};

IGT_MAIN("Device discovery, query and validation of the svmgpu uAPI", fixture, tests)
