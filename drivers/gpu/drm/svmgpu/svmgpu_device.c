// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/dma-mapping.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "svmgpu_debugfs.h"
#include "svmgpu_device.h"
#include "svmgpu_drv.h"
#include "svmgpu_params.h"

/*
 * The platform devices by index, written only at module init and exit. The
 * driver core binds and unbinds them: at registration, and through the
 * driver's bind and unbind files in sysfs.
 */
static struct platform_device *svmgpu_pdevs[SVMGPU_MAX_DEVICES];

/*
 * The probed devices by index, for the copy engines of their interconnect
 * peers, which write into their VRAM while a migration to it runs (and the
 * device is thereby bound and alive). Set at probe, cleared at the
 * drm_device's release unless a device bound again took the slot.
 */
static struct svmgpu_device *svmgpu_devices[SVMGPU_MAX_DEVICES];

/* The interconnect groups: one drm_pagemap owner per group. */
static DRM_PAGEMAP_OWNER_LIST_DEFINE(svmgpu_owner_list);

static bool svmgpu_in_interconnect(const struct svmgpu_device *sdev)
{
	return sdev->index < BITS_PER_TYPE(svmgpu_params.interconnect) &&
	       (svmgpu_params.interconnect & BIT(sdev->index));
}

static bool svmgpu_has_interconnect(struct drm_pagemap_peer *peer1,
				    struct drm_pagemap_peer *peer2)
{
	return svmgpu_in_interconnect(peer1->private) && svmgpu_in_interconnect(peer2->private);
}

/**
 * svmgpu_device_lookup() - a device by index
 * @index: its &svmgpu_device.index
 *
 * Return: the device, or NULL if there is none at @index.
 */
struct svmgpu_device *svmgpu_device_lookup(unsigned int index)
{
	return index < SVMGPU_MAX_DEVICES ? READ_ONCE(svmgpu_devices[index]) : NULL;
}

/**
 * svmgpu_device_peer_mask() - the devices that share an interconnect with @sdev
 * @sdev: the device
 *
 * Return: a mask of device indices, @sdev's own included.
 */
u64 svmgpu_device_peer_mask(struct svmgpu_device *sdev)
{
	struct svmgpu_device *other;
	u64 mask = BIT_ULL(sdev->index);
	unsigned int i;

	if (!svmgpu_in_interconnect(sdev))
		return mask;
	for (i = 0; i < SVMGPU_MAX_DEVICES; i++) {
		other = svmgpu_device_lookup(i);
		if (other && svmgpu_in_interconnect(other))
			mask |= BIT_ULL(i);
	}
	return mask;
}

static void svmgpu_peer_release(struct drm_device *drm, void *arg)
{
	struct svmgpu_device *sdev = to_svmgpu_device(drm);

	cmpxchg(&svmgpu_devices[sdev->index], sdev, NULL);
	drm_pagemap_release_owner(&sdev->peer);
}

static void svmgpu_migrate_release(struct drm_device *drm, void *arg)
{
	svmgpu_migrate_fini(&to_svmgpu_device(drm)->migrate);
}

static void svmgpu_vram_release(struct drm_device *drm, void *arg)
{
	svmgpu_vram_fini(&to_svmgpu_device(drm)->vram);
}

static int svmgpu_probe(struct platform_device *pdev)
{
	struct svmgpu_device *sdev;
	int ret;

	/* Only the devices this module created: their id is their index. */
	if (pdev->id < 0 || pdev->id >= SVMGPU_MAX_DEVICES || svmgpu_pdevs[pdev->id] != pdev)
		return -ENODEV;

	sdev = devm_drm_dev_alloc(&pdev->dev, &svmgpu_drm_driver, struct svmgpu_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	/* A device bound again keeps its index. */
	sdev->index = pdev->id;
	platform_set_drvdata(pdev, sdev);

	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	sdev->peer.private = sdev;
	ret = drm_pagemap_acquire_owner(&sdev->peer, &svmgpu_owner_list,
					svmgpu_has_interconnect);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(&sdev->drm, svmgpu_peer_release, NULL);
	if (ret)
		return ret;
	WRITE_ONCE(svmgpu_devices[sdev->index], sdev);

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

static void svmgpu_remove(struct platform_device *pdev)
{
	struct svmgpu_device *sdev = platform_get_drvdata(pdev);

	/*
	 * Open files keep the drm_device; their ioctls now fail with -ENODEV,
	 * and so do GPU faults: once drm_dev_unplug() has waited for those in
	 * flight, nothing migrates to VRAM any more.
	 */
	drm_dev_unplug(&sdev->drm);
	/* Processes keep their data: device memory goes back to RAM. */
	svmgpu_vram_evict_all(&sdev->vram);
}

static struct platform_driver svmgpu_platform_driver = {
	.probe = svmgpu_probe,
	.remove = svmgpu_remove,
	.driver = {
		.name = DRIVER_NAME,
	},
};

/**
 * svmgpu_devices_create() - create the module's virtual GPUs
 *
 * Registers the platform driver and svmgpu_params.num_devices platform
 * devices named ``svmgpu.N``, which it binds at once: probe allocates and
 * registers the DRM devices. Unbinding a device through the driver's sysfs
 * ``unbind`` file is what unbinding a real GPU from its driver is: the DRM
 * device is unplugged (open files stay valid, their ioctls fail with
 * -ENODEV) and device memory is migrated back to RAM; ``bind`` creates a
 * new DRM device with the module's parameters, as at load.
 *
 * Return: 0 or a negative errno, after undoing any partial creation.
 */
int svmgpu_devices_create(void)
{
	struct platform_device *pdev;
	unsigned int i;
	int err;

	if (!svmgpu_params.num_devices || svmgpu_params.num_devices > SVMGPU_MAX_DEVICES) {
		pr_err("svmgpu: num_devices must be 1-%d\n", SVMGPU_MAX_DEVICES);
		return -EINVAL;
	}
	if (!svmgpu_params.vram_size_mb || svmgpu_params.vram_size_mb % 2) {
		pr_err("svmgpu: vram_size_mb must be a non-zero multiple of 2\n");
		return -EINVAL;
	}

	err = platform_driver_register(&svmgpu_platform_driver);
	if (err)
		return err;
	for (i = 0; i < svmgpu_params.num_devices; i++) {
		pdev = platform_device_alloc(DRIVER_NAME, i);
		if (!pdev) {
			err = -ENOMEM;
			goto err_destroy;
		}
		/* Set before the device appears: probe checks it. */
		svmgpu_pdevs[i] = pdev;
		err = platform_device_add(pdev);
		if (err) {
			svmgpu_pdevs[i] = NULL;
			platform_device_put(pdev);
			goto err_destroy;
		}
		/* Probe runs synchronously; a device it failed stays unbound. */
		if (!device_is_bound(&pdev->dev)) {
			err = -ENODEV;
			goto err_destroy;
		}
	}
	return 0;

err_destroy:
	svmgpu_devices_destroy();
	return err;
}

/**
 * svmgpu_devices_destroy() - remove every virtual GPU, last created first
 */
void svmgpu_devices_destroy(void)
{
	unsigned int i;

	for (i = SVMGPU_MAX_DEVICES; i-- > 0;) {
		if (svmgpu_pdevs[i])
			platform_device_unregister(svmgpu_pdevs[i]);
		svmgpu_pdevs[i] = NULL;
	}
	platform_driver_unregister(&svmgpu_platform_driver);
}
