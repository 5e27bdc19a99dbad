# SPDX-License-Identifier: GPL-2.0-only
#
# svmgpu top-level Makefile.
#
#   make                 build svmgpu.ko and the tests in the bench sysroot
#   make check           set up the bench, lint, build, boot the VM, run the suite
#   make lint            checkpatch --strict, sparse, W=1, kernel-doc, Sphinx: zero warnings
#   make demo            boot the VM, load svmgpu and show what it reports
#   make bench           boot the VM, measure migrations and faults: results/bench/
#   make KDIR=/lib/modules/$(uname -r)/build   build for a local kernel
#   make KDIR=... install                      install module and uAPI header

KVER ?= 7.3.4+deb13-amd64
MODDIR := drivers/gpu/drm/svmgpu
BUILD := build
SYSROOT_KDIR := /usr/src/linux-headers-$(KVER)
VERSION := 1.0

CC ?= cc
UCFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -ffp-contract=off \
	-Iinclude/uapi -I/usr/include/libdrm -Iigt-tests/lib -Itools/lib/svmgpu
ULDLIBS := -lpthread -lm

# Install layout (make install): Debian's multiarch libdir where there is one.
PREFIX ?= /usr
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
ICD_VENDORS_DIR ?= /etc/OpenCL/vendors

# libsvmgpu: the userspace library (tools/lib/svmgpu). Build-tree programs
# find it through an $ORIGIN-relative rpath, so they run from build/ as is.
LIBSVMGPU_VERSION := 1.0.0
LIBSVMGPU_SONAME := libsvmgpu.so.1
LIBSVMGPU_DIR := tools/lib/svmgpu
LIBSVMGPU_REAL := $(BUILD)/lib/libsvmgpu.so.$(LIBSVMGPU_VERSION)
LIBSVMGPU_LINKS := $(BUILD)/lib/$(LIBSVMGPU_SONAME) $(BUILD)/lib/libsvmgpu.so
LIBSVMGPU_PC := $(BUILD)/lib/pkgconfig/libsvmgpu.pc
LIBSVMGPU_DEPS := $(LIBSVMGPU_REAL) $(LIBSVMGPU_LINKS) $(LIBSVMGPU_DIR)/libsvmgpu.h
LIBSVMGPU_LDFLAGS := -L$(BUILD)/lib -Wl,-rpath,'$$ORIGIN/../lib' -lsvmgpu

IGT_LIB := igt-tests/lib/svmgpu_igt.c igt-tests/lib/svmgpu_test.c
IGT_TESTS := svmgpu_basic svmgpu_svm svmgpu_uapi svmgpu_mm svmgpu_lib svmgpu_opencl svmgpu_robust \
	svmgpu_hostile
IGT_BINS := $(addprefix $(BUILD)/igt-tests/,$(IGT_TESTS))

export KVER

.PHONY: all module tests libsvmgpu opencl check lint demo bench-setup install install-userspace clean help

ifeq ($(KDIR),)
# No kernel given: build inside the bench sysroot, against its headers.
all: bench-setup
	ci/sysroot-run.sh $(MAKE) -j2 KDIR=$(SYSROOT_KDIR) module tests
else
all: module tests
endif

bench-setup:
	ci/bench-setup.sh

# Results in results/lint/.
lint: bench-setup
	ci/lint.sh

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR) modules

tests: $(IGT_BINS) $(BUILD)/igt-tests/test-list.txt $(BUILD)/tools/svmgpu_demo libsvmgpu opencl \
	$(BUILD)/igt-tests/svmgpu_compat32

libsvmgpu: $(LIBSVMGPU_REAL) $(LIBSVMGPU_LINKS) $(LIBSVMGPU_PC)

$(LIBSVMGPU_REAL): $(LIBSVMGPU_DIR)/libsvmgpu.c $(LIBSVMGPU_DIR)/libsvmgpu.h \
		$(LIBSVMGPU_DIR)/libsvmgpu.map include/uapi/drm/svmgpu_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -fPIC -shared -Wl,-soname,$(LIBSVMGPU_SONAME) \
		-Wl,--version-script,$(LIBSVMGPU_DIR)/libsvmgpu.map -Wl,--no-undefined \
		-o $@ $(LIBSVMGPU_DIR)/libsvmgpu.c

$(BUILD)/lib/$(LIBSVMGPU_SONAME) $(BUILD)/lib/libsvmgpu.so: $(LIBSVMGPU_REAL)
	ln -sf $(notdir $<) $@

# The build tree's .pc points at the sources and build/lib, for programs
# built against an uninstalled libsvmgpu (PKG_CONFIG_PATH=build/lib/pkgconfig).
$(LIBSVMGPU_PC): $(LIBSVMGPU_DIR)/libsvmgpu.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(CURDIR)/$(BUILD)/lib|' \
		-e 's|@INCLUDEDIR@|$(CURDIR)/$(LIBSVMGPU_DIR) -I$(CURDIR)/include/uapi|' \
		-e 's|@VERSION@|$(LIBSVMGPU_VERSION)|' $< > $@

# The OpenCL ICD (tools/opencl), its vendors file for OCL_ICD_VENDORS in the
# build tree, and the OpenCL example, a plain OpenCL program.
ICD_SONAME := libsvmgpu-opencl.so.1
ICD_SO := $(BUILD)/lib/$(ICD_SONAME)
ICD_SRCS := tools/opencl/svmgpu_icd.c tools/opencl/svmgpu_icd_stubs.c
ICD_VENDORS := $(BUILD)/etc/OpenCL/vendors/svmgpu.icd
OCL_EXAMPLE := $(BUILD)/tools/opencl/svm_saxpy_reduce

opencl: $(ICD_SO) $(ICD_VENDORS) $(OCL_EXAMPLE)

$(ICD_SO): $(ICD_SRCS) tools/opencl/svmgpu_icd.h tools/opencl/svmgpu_icd_stubs.inc \
		tools/opencl/svmgpu_icd.map $(LIBSVMGPU_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -fPIC -shared -Wl,-soname,$(ICD_SONAME) \
		-Wl,--version-script,tools/opencl/svmgpu_icd.map -Wl,--no-undefined \
		-o $@ $(ICD_SRCS) -L$(BUILD)/lib -Wl,-rpath,'$$ORIGIN' -lsvmgpu -lpthread

$(ICD_VENDORS): tools/opencl/svmgpu.icd.in Makefile
	@mkdir -p $(dir $@)
	sed 's|@ICD_LIBRARY@|$(CURDIR)/$(ICD_SO)|' $< > $@

$(OCL_EXAMPLE): tools/opencl/examples/svm_saxpy_reduce.c
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -o $@ $< -lOpenCL -lm

$(BUILD)/tools/svmgpu_demo: tools/demo/svmgpu_demo.c $(LIBSVMGPU_DEPS) include/uapi/drm/svmgpu_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -o $@ $< $(LIBSVMGPU_LDFLAGS)

# The OpenCL test is an OpenCL program: it links the ICD loader, not the ICD.
$(BUILD)/igt-tests/svmgpu_opencl: ULDLIBS += -lOpenCL

$(BUILD)/igt-tests/%: igt-tests/%.c $(IGT_LIB) igt-tests/lib/*.h include/uapi/drm/svmgpu_drm.h \
		$(LIBSVMGPU_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -o $@ $< $(IGT_LIB) $(LIBSVMGPU_LDFLAGS) $(ULDLIBS)

# The 32-bit program of svmgpu_hostile@compat-ioctl: freestanding, as the
# bench has no 32-bit C library.
$(BUILD)/igt-tests/svmgpu_compat32: igt-tests/svmgpu_compat32.c include/uapi/drm/svmgpu_drm.h
	@mkdir -p $(dir $@)
	$(CC) -m32 -O2 -Wall -Wextra -Werror -std=gnu11 -ffreestanding -fno-pic -fno-stack-protector \
		-nostdlib -static -Iinclude/uapi -I/usr/include/libdrm -o $@ $<

$(BUILD)/igt-tests/test-list.txt: Makefile
	@mkdir -p $(dir $@)
	printf 'TESTLIST\n%s\nEND TESTLIST\n' "$(IGT_TESTS)" > $@

# lint comes first: a finding fails check before anything is built.
check: lint all
	ci/check.sh

demo: all
	ci/vm-run.sh results/demo ci/guest-demo.sh

# The suite on a debug kernel (lockdep, KASAN, kmemleak, fault injection),
# built once and cached by ci/debug-kernel.sh. Results in results/check-debug/.
.PHONY: check-debug
check-debug: all
	ci/check-debug.sh

# Results in results/bench/ (Documentation/gpu/svmgpu/benchmarks.rst). The
# bench script builds what it needs itself, from a snapshot of the sources.
.PHONY: bench
bench: bench-setup
	ci/bench.sh

# Built by ci/bench.sh once it has put test_hmm_uapi.h in $(BUILD)/test_hmm.
$(BUILD)/tools/svmgpu_bench: tools/bench/svmgpu_bench.c $(IGT_LIB) igt-tests/lib/*.h \
		include/uapi/drm/svmgpu_drm.h $(LIBSVMGPU_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -I$(BUILD)/test_hmm -o $@ $< $(IGT_LIB) $(LIBSVMGPU_LDFLAGS) $(ULDLIBS)

install:
ifeq ($(KDIR),)
	$(error make install needs KDIR, e.g. KDIR=/lib/modules/$$(uname -r)/build)
endif
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR) modules_install
	$(MAKE) install-userspace
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR))) 2>/dev/null || depmod -a

# The uAPI header, libsvmgpu (library, header, pkg-config file) and the
# OpenCL ICD with its vendors file.
install-userspace: libsvmgpu opencl
	install -D -m 0755 $(LIBSVMGPU_REAL) $(DESTDIR)$(LIBDIR)/$(notdir $(LIBSVMGPU_REAL))
	ln -sf $(notdir $(LIBSVMGPU_REAL)) $(DESTDIR)$(LIBDIR)/$(LIBSVMGPU_SONAME)
	ln -sf $(LIBSVMGPU_SONAME) $(DESTDIR)$(LIBDIR)/libsvmgpu.so
	install -D -m 0644 $(LIBSVMGPU_DIR)/libsvmgpu.h $(DESTDIR)$(INCLUDEDIR)/libsvmgpu.h
	install -D -m 0644 include/uapi/drm/svmgpu_drm.h $(DESTDIR)$(INCLUDEDIR)/drm/svmgpu_drm.h
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(LIBSVMGPU_VERSION)|' $(LIBSVMGPU_DIR)/libsvmgpu.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libsvmgpu.pc
	install -D -m 0755 $(ICD_SO) $(DESTDIR)$(LIBDIR)/$(ICD_SONAME)
	install -d $(DESTDIR)$(ICD_VENDORS_DIR)
	sed 's|@ICD_LIBRARY@|$(LIBDIR)/$(ICD_SONAME)|' tools/opencl/svmgpu.icd.in \
		> $(DESTDIR)$(ICD_VENDORS_DIR)/svmgpu.icd

clean:
	rm -rf $(BUILD)
	find $(MODDIR) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete

help:
	@sed -n '3,12p' Makefile
