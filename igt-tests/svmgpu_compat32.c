// SPDX-License-Identifier: MIT
/*
 * Copyright (C) 2026 The svmgpu authors
 *
 * svmgpu_compat32: a 32-bit x86 program, run by svmgpu_hostile@compat-ioctl,
 * that calls svmgpu's ioctls through the kernel's compat path and checks the
 * answers: the same as a 64-bit process gets, a larger struct with a non-zero
 * tail refused with -E2BIG as on the native path. It also prints the size of
 * every uAPI struct as a 32-bit compiler lays it out, "name size" per line,
 * for the 64-bit test to compare with its own. Built -m32 -ffreestanding
 * -nostdlib: the bench has no 32-bit C library, so it makes its system calls
 * itself. Usage: svmgpu_compat32 /dev/dri/renderDN; exit status 0 if every
 * check passed.
 */
#include <asm-generic/errno-base.h>

#include <drm/svmgpu_drm.h>

#define NR_EXIT		1
#define NR_WRITE	4
#define NR_OPEN		5
#define NR_CLOSE	6
#define NR_IOCTL	54
#define O_RDWR		2

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static unsigned long slen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	sys3(NR_WRITE, 1, (long)s, slen(s));
}

static void out_num(long v)
{
	char buf[24], *p = buf + sizeof(buf) - 1;
	int neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	*p = '\0';
	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u);
	if (neg)
		*--p = '-';
	out(p);
}

static int failures;

/* @got (0 or -errno) must be @want; prints the check either way. */
static void check(const char *what, long got, long want)
{
	out(got == want ? "ok   " : "FAIL ");
	out(what);
	out(": ");
	out_num(got);
	if (got != want) {
		out(", expected ");
		out_num(want);
		failures++;
	}
	out("\n");
}

static void zero(void *p, unsigned long n)
{
	unsigned char *b = p;

	while (n--)
		*b++ = 0;
}

#define SIZE(type)					\
	do {						\
		out("size " #type " ");			\
		out_num(sizeof(struct type));		\
		out("\n");				\
	} while (0)

/* VM_CREATE with @extra bytes after the struct, the last of them @tail. */
static long vm_create_larger(int fd, unsigned char tail, unsigned int *vm_id)
{
	struct {
		struct drm_svmgpu_vm_create c;
		unsigned char extra[8];
	} a;
	unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				 DRM_COMMAND_BASE + DRM_SVMGPU_VM_CREATE, sizeof(a));
	long ret;

	zero(&a, sizeof(a));
	a.extra[7] = tail;
	ret = sys3(NR_IOCTL, fd, req, (long)&a);
	*vm_id = a.c.vm_id;
	return ret;
}

static int compat_main(int argc, char **argv)
{
	struct drm_svmgpu_device_info info;
	struct drm_svmgpu_query q;
	struct drm_svmgpu_vm_create c;
	struct drm_svmgpu_vm_destroy d;
	unsigned int vm;
	long fd;

	SIZE(drm_svmgpu_query);
	SIZE(drm_svmgpu_device_info);
	SIZE(drm_svmgpu_stats);
	SIZE(drm_svmgpu_vm_create);
	SIZE(drm_svmgpu_vm_destroy);
	SIZE(drm_svmgpu_queue_create);
	SIZE(drm_svmgpu_queue_destroy);
	SIZE(drm_svmgpu_sync);
	SIZE(drm_svmgpu_exec);
	SIZE(drm_svmgpu_prefetch);
	SIZE(drm_svmgpu_queue_get_fault);
	SIZE(drm_svmgpu_madvise);
	SIZE(drm_svmgpu_madvise_query);

	if (argc != 2) {
		out("usage: svmgpu_compat32 /dev/dri/renderDN\n");
		return 2;
	}
	fd = sys3(NR_OPEN, (long)argv[1], O_RDWR, 0);
	if (fd < 0) {
		check("open", fd, 0);
		return 1;
	}

	zero(&info, sizeof(info));
	zero(&q, sizeof(q));
	q.type = DRM_SVMGPU_QUERY_DEVICE_INFO;
	q.size = sizeof(info);
	q.pointer = (unsigned long)&info;
	check("query device info", sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_QUERY, (long)&q), 0);
	check("uapi major", info.uapi_major, DRM_SVMGPU_UAPI_MAJOR);
	check("uapi minor >= this header's", info.uapi_minor >= DRM_SVMGPU_UAPI_MINOR, 1);
	q.pad = 1;
	check("query with a non-zero pad", sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_QUERY, (long)&q),
	      -EINVAL);

	zero(&c, sizeof(c));
	c.flags = 1;
	check("vm create with a flag", sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_VM_CREATE, (long)&c),
	      -EINVAL);
	check("vm create, larger struct, non-zero tail", vm_create_larger(fd, 1, &vm), -E2BIG);
	check("no vm id given out", vm, 0);
	check("vm create, larger struct, zero tail", vm_create_larger(fd, 0, &vm), 0);
	check("vm id given out", vm != 0, 1);

	zero(&d, sizeof(d));
	d.vm_id = vm;
	d.pad = 1;
	check("vm destroy with a non-zero pad",
	      sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_VM_DESTROY, (long)&d), -EINVAL);
	d.pad = 0;
	check("vm destroy", sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_VM_DESTROY, (long)&d), 0);
	check("vm destroy again", sys3(NR_IOCTL, fd, DRM_IOCTL_SVMGPU_VM_DESTROY, (long)&d),
	      -ENOENT);
	sys3(NR_CLOSE, fd, 0, 0);
	return failures ? 1 : 0;
}

/* The entry point: argc and argv on the stack, as the kernel left them. */
void __attribute__((used, regparm(0))) compat_start(long *sp)
{
	sys3(NR_EXIT, compat_main((int)sp[0], (char **)(sp + 1)), 0, 0);
	for (;;)
		;
}

__asm__(".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movl %esp, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $12, %esp\n"
	"	pushl %eax\n"
	"	call compat_start\n"
	"	hlt\n");
