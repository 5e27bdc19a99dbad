// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/device/faux.h>
#include <linux/dma-mapping.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "svmgpu_debugfs.h"
#include "svmgpu_device.h"
#include "svmgpu_drv.h"
#include "svmgpu_params.h"

/*
 * Written only at module init and exit, which the module loader serialises;
 * probe runs synchronously inside faux_device_create().
 */
static struct faux_device *svmgpu_faux[SVMGPU_MAX_DEVICES];
static unsigned int svmgpu_next_index;

static void svmgpu_migrate_release(struct drm_device *drm, void *arg)
{
	svmgpu_migrate_fini(&to_svmgpu_device(drm)->migrate);
}

static void svmgpu_vram_release(struct drm_device *drm, void *arg)
{
	svmgpu_vram_fini(&to_svmgpu_device(drm)->vram);
}

static int svmgpu_probe(struct faux_device *faux)
{
	struct svmgpu_device *sdev;
	int ret;

	sdev = devm_drm_dev_alloc(&faux->dev, &svmgpu_drm_driver, struct svmgpu_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	sdev->faux = faux;
	sdev->index = svmgpu_next_index++;
	faux_device_set_drvdata(faux, sdev);

	ret = dma_coerce_mask_and_coherent(&faux->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	ret = svmgpu_migrate_init(sdev, &sdev->migrate);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(&sdev->drm, svmgpu_migrate_release, NULL);
	if (ret)
		return ret;
	ret = svmgpu_vram_init(sdev, &sdev->vram, (u64)svmgpu_params.vram_size_mb * SZ_1M);
	if (ret)
		return ret;
	/* Runs before the engine's release: eviction still has its engine. */
	ret = drmm_add_action_or_reset(&sdev->drm, svmgpu_vram_release, NULL);
	if (ret)
		return ret;

	svmgpu_debugfs_register(sdev);
	ret = drm_dev_register(&sdev->drm, 0);
	if (ret)
		return ret;

	drm_info(&sdev->drm, "svmgpu %u: %llu MiB device memory\n",
		 sdev->index, sdev->vram.size >> 20);
	return 0;
}

static void svmgpu_remove(struct faux_device *faux)
{
	struct svmgpu_device *sdev = faux_device_get_drvdata(faux);

	/* Open files keep the drm_device; their ioctls now fail with -ENODEV. */
	drm_dev_unplug(&sdev->drm);
	/* Processes keep their data: device memory goes back to RAM. */
	svmgpu_vram_evict_all(&sdev->vram);
}

static const struct faux_device_ops svmgpu_faux_ops = {
	.probe = svmgpu_probe,
	.remove = svmgpu_remove,
};

/**
 * svmgpu_devices_create() - create the module's virtual GPUs
 *
 * Creates svmgpu_params.num_devices faux devices named ``svmgpuN``; their
 * probe allocates and registers the DRM devices.
 *
 * Return: 0 or a negative errno, after undoing any partial creation.
 */
int svmgpu_devices_create(void)
{
	char name[24];
	unsigned int i;

	if (!svmgpu_params.num_devices || svmgpu_params.num_devices > SVMGPU_MAX_DEVICES) {
		pr_err("svmgpu: num_devices must be 1-%d\n", SVMGPU_MAX_DEVICES);
		return -EINVAL;
	}
	if (!svmgpu_params.vram_size_mb || svmgpu_params.vram_size_mb % 2) {
		pr_err("svmgpu: vram_size_mb must be a non-zero multiple of 2\n");
		return -EINVAL;
	}

	svmgpu_next_index = 0;
	for (i = 0; i < svmgpu_params.num_devices; i++) {
		snprintf(name, sizeof(name), "svmgpu%u", i);
		svmgpu_faux[i] = faux_device_create(name, NULL, &svmgpu_faux_ops);
		/* faux_device_create() also fails when probe fails. */
		if (!svmgpu_faux[i]) {
			svmgpu_devices_destroy();
			return -ENODEV;
		}
	}
	return 0;
}

/**
 * svmgpu_devices_destroy() - remove every virtual GPU, last created first
 */
void svmgpu_devices_destroy(void)
{
	unsigned int i;

	for (i = SVMGPU_MAX_DEVICES; i-- > 0;) {
		if (svmgpu_faux[i])
			faux_device_destroy(svmgpu_faux[i]);
		svmgpu_faux[i] = NULL;
	}
}
