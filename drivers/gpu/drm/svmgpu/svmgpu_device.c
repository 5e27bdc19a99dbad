// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#include <linux/device/faux.h>
#include <linux/dma-mapping.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "svmgpu_debugfs.h"
#include "svmgpu_device.h"
#include "svmgpu_drv.h"
#include "svmgpu_params.h"

/*
 * The faux devices by index, NULL while unbound; probe runs synchronously
 * inside faux_device_create(), remove inside faux_device_destroy().
 */
static struct faux_device *svmgpu_faux[SVMGPU_MAX_DEVICES];
static DEFINE_MUTEX(svmgpu_faux_lock); /* protects svmgpu_faux[] */

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

/* "svmgpuN" to N; -EINVAL for any other name. */
static int svmgpu_device_index(const char *name, unsigned int *index)
{
	char canon[24];

	if (sscanf(name, "svmgpu%u", index) != 1 || *index >= svmgpu_params.num_devices)
		return -EINVAL;
	snprintf(canon, sizeof(canon), "svmgpu%u", *index);
	return strcmp(name, canon) ? -EINVAL : 0;
}

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
	/* From the name: a device bound again keeps its index. */
	ret = svmgpu_device_index(dev_name(&faux->dev), &sdev->index);
	if (ret)
		return ret;
	faux_device_set_drvdata(faux, sdev);

	ret = dma_coerce_mask_and_coherent(&faux->dev, DMA_BIT_MASK(64));
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

static void svmgpu_remove(struct faux_device *faux)
{
	struct svmgpu_device *sdev = faux_device_get_drvdata(faux);

	/*
	 * Open files keep the drm_device; their ioctls now fail with -ENODEV,
	 * and so do GPU faults: once drm_dev_unplug() has waited for those in
	 * flight, nothing migrates to VRAM any more.
	 */
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

	for (i = 0; i < svmgpu_params.num_devices; i++) {
		snprintf(name, sizeof(name), "svmgpu%u", i);
		if (svmgpu_device_bind(name)) {
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

	mutex_lock(&svmgpu_faux_lock);
	for (i = SVMGPU_MAX_DEVICES; i-- > 0;) {
		if (svmgpu_faux[i])
			faux_device_destroy(svmgpu_faux[i]);
		svmgpu_faux[i] = NULL;
	}
	mutex_unlock(&svmgpu_faux_lock);
}

/**
 * svmgpu_device_unbind() - remove a virtual GPU while the module stays
 * @name: the device's name, ``svmgpuN``
 *
 * What unbinding a real GPU from its driver does: the DRM device is
 * unplugged (open files stay valid, their ioctls fail with -ENODEV) and
 * device memory is migrated back to RAM. The faux bus has no unbind file,
 * so debugfs offers this one.
 *
 * Return: 0, -EINVAL for an unknown name, -ENODEV if it is not bound.
 */
int svmgpu_device_unbind(const char *name)
{
	unsigned int i;
	int err;

	err = svmgpu_device_index(name, &i);
	if (err)
		return err;
	mutex_lock(&svmgpu_faux_lock);
	if (svmgpu_faux[i]) {
		faux_device_destroy(svmgpu_faux[i]);
		svmgpu_faux[i] = NULL;
	} else {
		err = -ENODEV;
	}
	mutex_unlock(&svmgpu_faux_lock);
	return err;
}

/**
 * svmgpu_device_bind() - create a virtual GPU again
 * @name: the device's name, ``svmgpuN`` with N below ``num_devices``
 *
 * A new DRM device with the module's parameters, as at load.
 *
 * Return: 0, -EINVAL for an unknown name, -EBUSY if it is bound already,
 * -ENODEV if probing it failed.
 */
int svmgpu_device_bind(const char *name)
{
	unsigned int i;
	int err;

	err = svmgpu_device_index(name, &i);
	if (err)
		return err;
	mutex_lock(&svmgpu_faux_lock);
	if (svmgpu_faux[i]) {
		err = -EBUSY;
	} else {
		svmgpu_faux[i] = faux_device_create(name, NULL, &svmgpu_faux_ops);
		/* faux_device_create() also fails when probe fails. */
		if (!svmgpu_faux[i])
			err = -ENODEV;
	}
	mutex_unlock(&svmgpu_faux_lock);
	return err;
}
