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
 *   pointer, ``-ENOENT`` for an unknown object id, ``-EPERM`` for a VM of
 *   another process, ``-ENOSPC`` or ``-EBUSY`` at a limit, ``-ENODEV`` once
 *   the device is unplugged.
 * - The compat (32-bit) path validates exactly as the native one: the
 *   structures have one layout for both.
 */

/**
 * DOC: svmgpu processes and limits
 *
 * A VM mirrors the address space of the process that created it. A file
 * descriptor may outlive fork() or be passed to another process, but only
 * the VM's own process may use the VM: %DRM_IOCTL_SVMGPU_QUEUE_CREATE,
 * %DRM_IOCTL_SVMGPU_EXEC (on a queue of that VM), %DRM_IOCTL_SVMGPU_PREFETCH,
 * %DRM_IOCTL_SVMGPU_MADVISE and %DRM_IOCTL_SVMGPU_MADVISE_QUERY fail with
 * -EPERM for anyone else. Another process creates its own VM, on the same
 * file or another.
 *
 * What one user can take is bounded:
 *
 * - A job runs at most the module parameter ``job_timeout_ms`` (30 s by
 *   default, 10 ms to an hour; root may change it at run time): then its
 *   fence fails with -ETIME and its queue is banned. A job stops within a
 *   page's work of its timeout or of its cancellation.
 * - %DRM_IOCTL_SVMGPU_QUEUE_DESTROY and closing the file wait for the
 *   queue's jobs, but a fatal signal ends the wait, and a killed or exiting
 *   process does not wait at all: its jobs are cancelled (-ECANCELED).
 * - A queue holds at most %DRM_SVMGPU_MAX_QUEUED_JOBS jobs from exec to
 *   their end; beyond, exec fails with -EBUSY.
 * - A command buffer runs at most %DRM_SVMGPU_MAX_CMDS commands.
 * - A VM holds at most %DRM_SVMGPU_MAX_ATTR_RANGES intervals of distinct
 *   memory attributes; a %DRM_IOCTL_SVMGPU_MADVISE that could go beyond
 *   fails with -ENOSPC and changes nothing.
 * - A file holds at most 1023 VMs and 1023 queues (-ENOSPC).
 * - The kernel memory of VMs, queues, jobs, GPU ranges and their page
 *   tables and attributes is charged to the memory cgroup of the process
 *   (GPU faults too, though a worker services them).
 */

/** @DRM_SVMGPU_MAX_QUEUED_JOBS: most jobs a queue holds between exec and their end */
#define DRM_SVMGPU_MAX_QUEUED_JOBS	1024
/** @DRM_SVMGPU_MAX_ATTR_RANGES: most intervals of memory attributes per VM */
#define DRM_SVMGPU_MAX_ATTR_RANGES	65536

/** @DRM_SVMGPU_UAPI_MAJOR: incompatible changes (never expected). */
#define DRM_SVMGPU_UAPI_MAJOR		1
/*
 * Minor 1 added drm_svmgpu_device_info.peer_mask, DRM_SVMGPU_FEATURE_INTERCONNECT
 * and DRM_SVMGPU_STAT_COPY_TO_PEER_KIB.
 */
/*
 * Minor 2 added the process rule (-EPERM, PREFETCH answered -EINVAL before),
 * job timeouts (-ETIME), DRM_SVMGPU_MAX_QUEUED_JOBS (-EBUSY),
 * DRM_SVMGPU_MAX_ATTR_RANGES (-ENOSPC), and -E2BIG for a command buffer
 * beyond DRM_SVMGPU_MAX_CMDS commands (it ended silently before).
 */
/** @DRM_SVMGPU_UAPI_MINOR: bumped by every uAPI addition. */
#define DRM_SVMGPU_UAPI_MINOR		2

/**
 * enum drm_svmgpu_ioctl_id - ioctl numbers, relative to %DRM_COMMAND_BASE
 * @DRM_SVMGPU_QUERY: query device information, see &struct drm_svmgpu_query
 * @DRM_SVMGPU_VM_CREATE: create a VM mirroring the caller's address space
 * @DRM_SVMGPU_VM_DESTROY: destroy a VM
 * @DRM_SVMGPU_QUEUE_CREATE: create an execution queue on a VM
 * @DRM_SVMGPU_QUEUE_DESTROY: destroy a queue
 * @DRM_SVMGPU_EXEC: run a command buffer on a queue
 * @DRM_SVMGPU_PREFETCH: migrate a range to device or system memory
 * @DRM_SVMGPU_QUEUE_GET_FAULT: read a queue's state and its last GPU fault
 * @DRM_SVMGPU_MADVISE: set memory attributes of a VA range
 * @DRM_SVMGPU_MADVISE_QUERY: read the memory attributes of a VA range back
 */
enum drm_svmgpu_ioctl_id {
	DRM_SVMGPU_QUERY = 0x00,
	DRM_SVMGPU_VM_CREATE = 0x01,
	DRM_SVMGPU_VM_DESTROY = 0x02,
	DRM_SVMGPU_QUEUE_CREATE = 0x03,
	DRM_SVMGPU_QUEUE_DESTROY = 0x04,
	DRM_SVMGPU_EXEC = 0x05,
	DRM_SVMGPU_PREFETCH = 0x06,
	DRM_SVMGPU_QUEUE_GET_FAULT = 0x07,
	DRM_SVMGPU_MADVISE = 0x08,
	DRM_SVMGPU_MADVISE_QUERY = 0x09,
};

/**
 * enum drm_svmgpu_query_type - what &struct drm_svmgpu_query asks for
 * @DRM_SVMGPU_QUERY_DEVICE_INFO: &struct drm_svmgpu_device_info
 * @DRM_SVMGPU_QUERY_STATS: &struct drm_svmgpu_stats, device-wide counters
 */
enum drm_svmgpu_query_type {
	DRM_SVMGPU_QUERY_DEVICE_INFO = 0,
	DRM_SVMGPU_QUERY_STATS = 1,
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
	/**
	 * @peer_mask: bit N is set when device N shares a fast interconnect
	 * with this one (this device's own bit included): each maps the
	 * other's device memory directly, and data migrates between their
	 * memories without going through system memory. Since uAPI 1.1.
	 */
	__u64 peer_mask;
};

/** @DRM_SVMGPU_FEATURE_SVM: GPU page faults mirror any CPU address */
#define DRM_SVMGPU_FEATURE_SVM		(1ull << 0)
/** @DRM_SVMGPU_FEATURE_DEVMEM: device memory, migration and prefetch */
#define DRM_SVMGPU_FEATURE_DEVMEM	(1ull << 1)
/** @DRM_SVMGPU_FEATURE_MADVISE: memory attributes and their query */
#define DRM_SVMGPU_FEATURE_MADVISE	(1ull << 2)
/** @DRM_SVMGPU_FEATURE_COMPUTE: the SAXPY and REDUCE commands */
#define DRM_SVMGPU_FEATURE_COMPUTE	(1ull << 3)
/** @DRM_SVMGPU_FEATURE_INTERCONNECT: linked to other devices, see peer_mask */
#define DRM_SVMGPU_FEATURE_INTERCONNECT	(1ull << 4)

/**
 * enum drm_svmgpu_stat - indices of &struct drm_svmgpu_stats.counters
 * @DRM_SVMGPU_STAT_GPU_FAULTS: GPU page faults serviced
 * @DRM_SVMGPU_STAT_GPU_FAULTS_VALID: faults on a range that was already valid
 * @DRM_SVMGPU_STAT_GPU_FAULTS_FAILED: faults that could not be resolved
 * @DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM: ranges migrated to device memory
 * @DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB: KiB copied system -> device memory
 * @DRM_SVMGPU_STAT_COPY_TO_RAM_KIB: KiB copied device -> system memory
 * @DRM_SVMGPU_STAT_INVALIDATIONS: notifier invalidations that zapped GPU PTEs
 * @DRM_SVMGPU_STAT_EVICTIONS: VRAM allocations evicted under pressure
 * @DRM_SVMGPU_STAT_BINDS: ranges bound into a GPU page table
 * @DRM_SVMGPU_STAT_JOBS: command buffers executed
 * @DRM_SVMGPU_STAT_COPY_TO_PEER_KIB: KiB this device's engine copied from its
 *	device memory straight into a peer's over the interconnect
 * @DRM_SVMGPU_STAT_COUNT: number of counters
 */
enum drm_svmgpu_stat {
	DRM_SVMGPU_STAT_GPU_FAULTS,
	DRM_SVMGPU_STAT_GPU_FAULTS_VALID,
	DRM_SVMGPU_STAT_GPU_FAULTS_FAILED,
	DRM_SVMGPU_STAT_MIGRATIONS_TO_VRAM,
	DRM_SVMGPU_STAT_COPY_TO_VRAM_KIB,
	DRM_SVMGPU_STAT_COPY_TO_RAM_KIB,
	DRM_SVMGPU_STAT_INVALIDATIONS,
	DRM_SVMGPU_STAT_EVICTIONS,
	DRM_SVMGPU_STAT_BINDS,
	DRM_SVMGPU_STAT_JOBS,
	DRM_SVMGPU_STAT_COPY_TO_PEER_KIB,
	DRM_SVMGPU_STAT_COUNT,
};

/**
 * struct drm_svmgpu_stats - %DRM_SVMGPU_QUERY_STATS answer
 */
struct drm_svmgpu_stats {
	/** @counters: indexed by &enum drm_svmgpu_stat, monotonic */
	__u64 counters[32];
};

/**
 * struct drm_svmgpu_vm_create - argument of %DRM_IOCTL_SVMGPU_VM_CREATE
 *
 * A VM mirrors the whole address space of the calling process: any CPU
 * address is a GPU address. Errors: -EINVAL (flags, non-zero @vm_id on
 * input), -ENOSPC (too many VMs), -ENOMEM.
 */
struct drm_svmgpu_vm_create {
	/** @flags: must be zero */
	__u32 flags;
	/** @vm_id: out: the VM's id, valid in this file */
	__u32 vm_id;
};

/**
 * struct drm_svmgpu_vm_destroy - argument of %DRM_IOCTL_SVMGPU_VM_DESTROY
 *
 * Queues keep their VM alive until they are destroyed. Errors: -EINVAL
 * (pad), -ENOENT (unknown id).
 */
struct drm_svmgpu_vm_destroy {
	/** @vm_id: the VM */
	__u32 vm_id;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_svmgpu_queue_create - argument of %DRM_IOCTL_SVMGPU_QUEUE_CREATE
 *
 * Errors: -EINVAL (flags, pad, non-zero @queue_id on input), -ENOENT
 * (unknown VM), -EPERM (a VM of another process), -ENOSPC, -ENOMEM.
 */
struct drm_svmgpu_queue_create {
	/** @vm_id: the VM the queue's command buffers run in */
	__u32 vm_id;
	/** @flags: must be zero */
	__u32 flags;
	/** @queue_id: out: the queue's id, valid in this file */
	__u32 queue_id;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_svmgpu_queue_destroy - argument of %DRM_IOCTL_SVMGPU_QUEUE_DESTROY
 *
 * Waits for the queue's jobs to finish; a fatal signal cancels them instead
 * (see "svmgpu processes and limits"). Errors: -EINVAL, -ENOENT.
 */
struct drm_svmgpu_queue_destroy {
	/** @queue_id: the queue */
	__u32 queue_id;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_svmgpu_sync - a syncobj to wait for or to signal
 */
struct drm_svmgpu_sync {
	/** @handle: the syncobj */
	__u32 handle;
	/** @flags: must be zero */
	__u32 flags;
	/** @timeline_point: 0 for a binary syncobj, else the timeline point */
	__u64 timeline_point;
};

/** @DRM_SVMGPU_MAX_SYNCS: most in or out syncs per exec */
#define DRM_SVMGPU_MAX_SYNCS		64

/**
 * struct drm_svmgpu_exec - argument of %DRM_IOCTL_SVMGPU_EXEC
 *
 * Runs the command buffer at @batch_address (an ordinary CPU address of the
 * VM's process) once every in-sync has signalled; every out-sync gets the
 * job's fence. The command buffer is read by the GPU, through its page table,
 * when the job runs. A GPU fault the driver cannot resolve fails the job
 * (its fence carries -EFAULT or -EACCES; -ENOMEM when memory to service the
 * fault could not be had, -ENODEV once the device is unplugged), bans the
 * queue and is reported by %DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT. So do a job
 * that runs past the job timeout (-ETIME) and a malformed command buffer
 * (-EINVAL, -E2BIG); jobs of a queue torn down end with -ECANCELED.
 * Errors: -EINVAL (flags, counts, sync flags, unaligned batch, an in-sync
 * without a fence), -ENOENT (unknown queue or syncobj), -EPERM (the queue's
 * VM belongs to another process), -ECANCELED (queue banned), -EBUSY
 * (%DRM_SVMGPU_MAX_QUEUED_JOBS jobs queued), -EFAULT.
 */
struct drm_svmgpu_exec {
	/** @queue_id: the queue */
	__u32 queue_id;
	/** @flags: must be zero */
	__u32 flags;
	/** @batch_address: GPU (= CPU) address of the commands, 8-byte aligned */
	__u64 batch_address;
	/** @in_syncs: user pointer to @num_in_syncs &struct drm_svmgpu_sync */
	__u64 in_syncs;
	/** @out_syncs: user pointer to @num_out_syncs &struct drm_svmgpu_sync */
	__u64 out_syncs;
	/** @num_in_syncs: at most %DRM_SVMGPU_MAX_SYNCS */
	__u32 num_in_syncs;
	/** @num_out_syncs: at most %DRM_SVMGPU_MAX_SYNCS */
	__u32 num_out_syncs;
};

/**
 * enum drm_svmgpu_region - where %DRM_IOCTL_SVMGPU_PREFETCH moves memory
 * @DRM_SVMGPU_REGION_SYSTEM: system memory
 * @DRM_SVMGPU_REGION_DEVICE: this device's memory
 */
enum drm_svmgpu_region {
	DRM_SVMGPU_REGION_SYSTEM = 0,
	DRM_SVMGPU_REGION_DEVICE = 1,
};

/**
 * struct drm_svmgpu_prefetch - argument of %DRM_IOCTL_SVMGPU_PREFETCH
 *
 * Migrates [@start, @start + @range) of the VM's address space to @region
 * and maps it in the GPU page table, as GPU faults would, before any job
 * touches it. Errors: -EINVAL (flags, pad, region, unaligned, overflowing or
 * beyond-user-space range), -ENOENT (unknown VM), -EPERM (a VM of another
 * process), -EFAULT (a part of the range is not mapped), -EINTR (killed
 * meanwhile), -ENOMEM, -EIO (@region is system memory and copying data back
 * from device memory kept failing: the data is intact, where it was).
 */
struct drm_svmgpu_prefetch {
	/** @vm_id: the VM */
	__u32 vm_id;
	/** @region: &enum drm_svmgpu_region */
	__u32 region;
	/** @start: page-aligned start address */
	__u64 start;
	/** @range: page-aligned length in bytes, non-zero */
	__u64 range;
	/** @flags: must be zero */
	__u32 flags;
	/** @pad: must be zero */
	__u32 pad;
};

/** @DRM_SVMGPU_ACCESS_READ: a GPU read */
#define DRM_SVMGPU_ACCESS_READ		(1u << 0)
/** @DRM_SVMGPU_ACCESS_WRITE: a GPU write */
#define DRM_SVMGPU_ACCESS_WRITE		(1u << 1)
/** @DRM_SVMGPU_ACCESS_ATOMIC: a GPU atomic */
#define DRM_SVMGPU_ACCESS_ATOMIC	(1u << 2)

/**
 * struct drm_svmgpu_queue_get_fault - argument of
 * %DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT
 *
 * Errors: -EINVAL (flags, pad, an output field non-zero on input), -ENOENT
 * (unknown queue).
 */
struct drm_svmgpu_queue_get_fault {
	/** @queue_id: the queue */
	__u32 queue_id;
	/** @flags: must be zero */
	__u32 flags;
	/** @banned: out: 1 once a job failed; the queue takes no more jobs */
	__u32 banned;
	/** @error: out: negative errno of the failed job, or 0 */
	__s32 error;
	/** @fault_address: out: GPU address of the unresolved fault */
	__u64 fault_address;
	/** @fault_access: out: DRM_SVMGPU_ACCESS_* of the faulting access */
	__u32 fault_access;
	/** @pad: zero */
	__u32 pad;
};

/**
 * enum drm_svmgpu_preferred_loc - &struct drm_svmgpu_madvise.preferred_location
 * @DRM_SVMGPU_PREFERRED_DEFAULT: the driver's policy (``migrate_on_fault``)
 * @DRM_SVMGPU_PREFERRED_SYSTEM: GPU faults map system memory and bring
 *	device-resident data back to it
 * @DRM_SVMGPU_PREFERRED_DEVICE: GPU faults migrate to device memory
 */
enum drm_svmgpu_preferred_loc {
	DRM_SVMGPU_PREFERRED_DEFAULT = 0,
	DRM_SVMGPU_PREFERRED_SYSTEM = 1,
	DRM_SVMGPU_PREFERRED_DEVICE = 2,
};

/**
 * enum drm_svmgpu_atomic_policy - &struct drm_svmgpu_madvise.atomic_policy
 * @DRM_SVMGPU_ATOMIC_UNDEFINED: GPU atomics run wherever the data is
 * @DRM_SVMGPU_ATOMIC_DEVICE: GPU atomics move the data to device memory
 * @DRM_SVMGPU_ATOMIC_GLOBAL: atomic with the CPU and other devices; GPU
 *	atomics move the data to device memory, CPU atomics fault it back
 * @DRM_SVMGPU_ATOMIC_CPU: only the CPU does atomics: a GPU atomic fails the
 *	job with -EACCES
 */
enum drm_svmgpu_atomic_policy {
	DRM_SVMGPU_ATOMIC_UNDEFINED = 0,
	DRM_SVMGPU_ATOMIC_DEVICE = 1,
	DRM_SVMGPU_ATOMIC_GLOBAL = 2,
	DRM_SVMGPU_ATOMIC_CPU = 3,
};

/** @DRM_SVMGPU_MADVISE_PREFERRED_LOC: set &drm_svmgpu_madvise.preferred_location */
#define DRM_SVMGPU_MADVISE_PREFERRED_LOC	(1u << 0)
/** @DRM_SVMGPU_MADVISE_ATOMIC: set &drm_svmgpu_madvise.atomic_policy */
#define DRM_SVMGPU_MADVISE_ATOMIC		(1u << 1)
/** @DRM_SVMGPU_MADVISE_GRANULARITY: set &drm_svmgpu_madvise.granularity_shift */
#define DRM_SVMGPU_MADVISE_GRANULARITY		(1u << 2)

/**
 * struct drm_svmgpu_madvise - argument of %DRM_IOCTL_SVMGPU_MADVISE
 *
 * Sets the attributes named in @flags for [@start, @start + @range); the
 * others keep their values. Attributes describe the VM's address space; when
 * the CPU unmaps memory, the attributes of what is no longer mapped are
 * dropped, so a new mapping at the same address starts with the defaults.
 * They take effect at the next GPU fault or prefetch of the range. Every
 * value field is checked, also those @flags does not name. Errors: -EINVAL
 * (no or unknown flag, pad, a value out of range, unaligned, empty,
 * overflowing or beyond-user-space range), -ENOENT (unknown VM), -EPERM (a
 * VM of another process), -ENOSPC (%DRM_SVMGPU_MAX_ATTR_RANGES reached),
 * -ENOMEM.
 */
struct drm_svmgpu_madvise {
	/** @vm_id: the VM */
	__u32 vm_id;
	/** @flags: DRM_SVMGPU_MADVISE_* naming the attributes to set, non-zero */
	__u32 flags;
	/** @start: page-aligned start address */
	__u64 start;
	/** @range: page-aligned length in bytes, non-zero */
	__u64 range;
	/** @preferred_location: &enum drm_svmgpu_preferred_loc */
	__u32 preferred_location;
	/** @atomic_policy: &enum drm_svmgpu_atomic_policy */
	__u32 atomic_policy;
	/**
	 * @granularity_shift: log2 of the largest range a GPU fault maps and
	 * migrates at once: 12 (4K), 16 (64K) or 21 (2M, the default); 0 means
	 * the default
	 */
	__u32 granularity_shift;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_svmgpu_madvise_query - argument of
 * %DRM_IOCTL_SVMGPU_MADVISE_QUERY
 *
 * Reads the attributes at @start; @uniform tells whether the whole range has
 * them. Errors: -EINVAL (flags, an output field non-zero on input, a bad
 * range as for %DRM_IOCTL_SVMGPU_MADVISE), -ENOENT (unknown VM), -EPERM (a
 * VM of another process).
 */
struct drm_svmgpu_madvise_query {
	/** @vm_id: the VM */
	__u32 vm_id;
	/** @flags: must be zero */
	__u32 flags;
	/** @start: page-aligned start address */
	__u64 start;
	/** @range: page-aligned length in bytes, non-zero */
	__u64 range;
	/** @preferred_location: out */
	__u32 preferred_location;
	/** @atomic_policy: out */
	__u32 atomic_policy;
	/** @granularity_shift: out: the effective value (never 0) */
	__u32 granularity_shift;
	/** @uniform: out: 1 if every page of the range has these attributes */
	__u32 uniform;
};

/**
 * DOC: svmgpu command buffers
 *
 * A command buffer is a sequence of commands in the VM's address space,
 * read by the GPU through its page table like any other memory. Every
 * command starts with &struct drm_svmgpu_cmd_header; @length covers the
 * whole command and is a multiple of 8. Execution stops at
 * %DRM_SVMGPU_CMD_END. A malformed command fails the job with -EINVAL, a
 * buffer longer than %DRM_SVMGPU_MAX_CMDS commands with -E2BIG. All
 * addresses are GPU (= CPU) addresses; a 32-bit access must be 4-byte
 * aligned, a 64-bit one 8-byte aligned.
 */

/** @DRM_SVMGPU_MAX_CMDS: most commands executed per command buffer */
#define DRM_SVMGPU_MAX_CMDS		(1u << 20)

/**
 * enum drm_svmgpu_cmd_op - command opcodes
 * @DRM_SVMGPU_CMD_END: end of the command buffer
 * @DRM_SVMGPU_CMD_STORE32: &struct drm_svmgpu_cmd_store, 32-bit value
 * @DRM_SVMGPU_CMD_STORE64: &struct drm_svmgpu_cmd_store, 64-bit value
 * @DRM_SVMGPU_CMD_FILL32: &struct drm_svmgpu_cmd_fill
 * @DRM_SVMGPU_CMD_COPY: &struct drm_svmgpu_cmd_copy
 * @DRM_SVMGPU_CMD_ATOMIC: &struct drm_svmgpu_cmd_atomic
 * @DRM_SVMGPU_CMD_SAXPY: &struct drm_svmgpu_cmd_saxpy
 * @DRM_SVMGPU_CMD_REDUCE: &struct drm_svmgpu_cmd_reduce
 */
enum drm_svmgpu_cmd_op {
	DRM_SVMGPU_CMD_END = 0,
	DRM_SVMGPU_CMD_STORE32 = 1,
	DRM_SVMGPU_CMD_STORE64 = 2,
	DRM_SVMGPU_CMD_FILL32 = 3,
	DRM_SVMGPU_CMD_COPY = 4,
	DRM_SVMGPU_CMD_ATOMIC = 5,
	DRM_SVMGPU_CMD_SAXPY = 6,
	DRM_SVMGPU_CMD_REDUCE = 7,
};

/**
 * struct drm_svmgpu_cmd_header - first 8 bytes of every command
 */
struct drm_svmgpu_cmd_header {
	/** @opcode: &enum drm_svmgpu_cmd_op */
	__u16 opcode;
	/** @length: bytes of the whole command, including this header */
	__u16 length;
	/** @flags: command specific, else zero */
	__u32 flags;
};

/**
 * struct drm_svmgpu_cmd_store - store an immediate value
 */
struct drm_svmgpu_cmd_store {
	/** @hdr: %DRM_SVMGPU_CMD_STORE32 or %DRM_SVMGPU_CMD_STORE64 */
	struct drm_svmgpu_cmd_header hdr;
	/** @address: where to store */
	__u64 address;
	/** @value: the value; STORE32 stores the low 32 bits */
	__u64 value;
};

/**
 * struct drm_svmgpu_cmd_fill - fill memory with a 32-bit pattern
 */
struct drm_svmgpu_cmd_fill {
	/** @hdr: %DRM_SVMGPU_CMD_FILL32 */
	struct drm_svmgpu_cmd_header hdr;
	/** @address: 4-byte aligned start */
	__u64 address;
	/** @size: bytes, a multiple of 4 */
	__u64 size;
	/** @value: the pattern */
	__u32 value;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_svmgpu_cmd_copy - copy memory (regions must not overlap)
 */
struct drm_svmgpu_cmd_copy {
	/** @hdr: %DRM_SVMGPU_CMD_COPY */
	struct drm_svmgpu_cmd_header hdr;
	/** @dst: destination */
	__u64 dst;
	/** @src: source */
	__u64 src;
	/** @size: bytes */
	__u64 size;
};

/**
 * enum drm_svmgpu_atomic_op - &struct drm_svmgpu_cmd_atomic operations,
 * in bits 0-7 of the header flags
 * @DRM_SVMGPU_ATOMIC_ADD: ``*address += operand``
 * @DRM_SVMGPU_ATOMIC_INC: ``*address += 1``
 * @DRM_SVMGPU_ATOMIC_XCHG: ``*address = operand``
 * @DRM_SVMGPU_ATOMIC_CMPXCHG: ``if (*address == compare) *address = operand``
 */
enum drm_svmgpu_atomic_op {
	DRM_SVMGPU_ATOMIC_ADD = 0,
	DRM_SVMGPU_ATOMIC_INC = 1,
	DRM_SVMGPU_ATOMIC_XCHG = 2,
	DRM_SVMGPU_ATOMIC_CMPXCHG = 3,
};

/** @DRM_SVMGPU_ATOMIC_64: header flag: 64-bit operation (else 32-bit) */
#define DRM_SVMGPU_ATOMIC_64		(1u << 8)

/**
 * struct drm_svmgpu_cmd_atomic - an atomic read-modify-write
 *
 * The old value is stored at @result_address unless it is zero.
 */
struct drm_svmgpu_cmd_atomic {
	/** @hdr: %DRM_SVMGPU_CMD_ATOMIC; flags: op | %DRM_SVMGPU_ATOMIC_64 */
	struct drm_svmgpu_cmd_header hdr;
	/** @address: the operand in memory, naturally aligned */
	__u64 address;
	/** @operand: value to add or store */
	__u64 operand;
	/** @compare: CMPXCHG's expected value */
	__u64 compare;
	/** @result_address: where the old value goes, or 0 */
	__u64 result_address;
};

/**
 * struct drm_svmgpu_cmd_saxpy - y[i] = a * x[i] + y[i] on @n IEEE-754 floats
 *
 * Computed in single precision, element by element, like the C expression
 * ``y[i] = a * x[i] + y[i]`` without contraction into a fused multiply-add.
 */
struct drm_svmgpu_cmd_saxpy {
	/** @hdr: %DRM_SVMGPU_CMD_SAXPY */
	struct drm_svmgpu_cmd_header hdr;
	/** @x: 4-byte aligned input vector */
	__u64 x;
	/** @y: 4-byte aligned input and output vector */
	__u64 y;
	/** @n: number of elements */
	__u64 n;
	/** @a: the scalar, as the bits of a float */
	__u32 a;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * enum drm_svmgpu_reduce_op - &struct drm_svmgpu_cmd_reduce operations, in
 * bits 0-7 of the header flags
 * @DRM_SVMGPU_REDUCE_SUM_U32: 64-bit sum of u32 elements, stored as u64
 * @DRM_SVMGPU_REDUCE_SUM_F32: sum of floats in element order, stored as float
 * @DRM_SVMGPU_REDUCE_MAX_U32: largest u32 element, stored as u32 (0 if @n is 0)
 */
enum drm_svmgpu_reduce_op {
	DRM_SVMGPU_REDUCE_SUM_U32 = 0,
	DRM_SVMGPU_REDUCE_SUM_F32 = 1,
	DRM_SVMGPU_REDUCE_MAX_U32 = 2,
};

/**
 * struct drm_svmgpu_cmd_reduce - reduce @n elements at @src into @dst
 */
struct drm_svmgpu_cmd_reduce {
	/** @hdr: %DRM_SVMGPU_CMD_REDUCE; flags: &enum drm_svmgpu_reduce_op */
	struct drm_svmgpu_cmd_header hdr;
	/** @src: 4-byte aligned elements */
	__u64 src;
	/** @n: number of elements */
	__u64 n;
	/** @dst: result, aligned to its size */
	__u64 dst;
};

#define DRM_IOCTL_SVMGPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_QUERY, struct drm_svmgpu_query)
#define DRM_IOCTL_SVMGPU_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_VM_CREATE, struct drm_svmgpu_vm_create)
#define DRM_IOCTL_SVMGPU_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SVMGPU_VM_DESTROY, struct drm_svmgpu_vm_destroy)
#define DRM_IOCTL_SVMGPU_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_QUEUE_CREATE, struct drm_svmgpu_queue_create)
#define DRM_IOCTL_SVMGPU_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SVMGPU_QUEUE_DESTROY, struct drm_svmgpu_queue_destroy)
#define DRM_IOCTL_SVMGPU_EXEC \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SVMGPU_EXEC, struct drm_svmgpu_exec)
#define DRM_IOCTL_SVMGPU_PREFETCH \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SVMGPU_PREFETCH, struct drm_svmgpu_prefetch)
#define DRM_IOCTL_SVMGPU_QUEUE_GET_FAULT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_QUEUE_GET_FAULT, struct drm_svmgpu_queue_get_fault)
#define DRM_IOCTL_SVMGPU_MADVISE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SVMGPU_MADVISE, struct drm_svmgpu_madvise)
#define DRM_IOCTL_SVMGPU_MADVISE_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SVMGPU_MADVISE_QUERY, struct drm_svmgpu_madvise_query)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_SVMGPU_DRM_H_ */
