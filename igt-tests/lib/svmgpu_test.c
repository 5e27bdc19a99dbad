// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drm.h"
#include "svmgpu_igt.h"
#include "svmgpu_test.h"

#define RENDER_MINOR_FIRST 128
#define RENDER_MINOR_COUNT 64

static int is_svmgpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1,
		.name = name,
	};

	if (svmgpu_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return strcmp(name, "svmgpu") == 0;
}

static int open_nth(int index)
{
	char path[64];
	int minor, fd;

	for (minor = RENDER_MINOR_FIRST; minor < RENDER_MINOR_FIRST + RENDER_MINOR_COUNT; minor++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_svmgpu(fd) && index-- == 0)
			return fd;
		close(fd);
	}
	return -1;
}

int svmgpu_count_devices(void)
{
	int n = 0, fd;

	while ((fd = open_nth(n)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

int svmgpu_open(int index)
{
	return open_nth(index);
}

int svmgpu_open_or_skip(void)
{
	int fd = open_nth(0);

	igt_require_f(fd >= 0, "no svmgpu device (is the module loaded?)\n");
	return fd;
}

int svmgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

void svmgpu_query_info(int fd, struct drm_svmgpu_device_info *info)
{
	struct drm_svmgpu_query q = {
		.type = DRM_SVMGPU_QUERY_DEVICE_INFO,
		.size = sizeof(*info),
		.pointer = (uintptr_t)info,
	};

	memset(info, 0, sizeof(*info));
	igt_assert_eq(svmgpu_ioctl(fd, DRM_IOCTL_SVMGPU_QUERY, &q), 0);
	igt_assert_eq(q.size, sizeof(*info));
}

long svmgpu_module_param(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/svmgpu/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}
