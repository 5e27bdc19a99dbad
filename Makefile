# SPDX-License-Identifier: GPL-2.0-only
#
# svmgpu top-level Makefile.
#
#   make                 build svmgpu.ko and the tests in the bench sysroot
#   make check           set up the bench, lint, build, boot the VM, run the suite
#   make lint            checkpatch --strict, sparse, W=1, kernel-doc: zero warnings
#   make demo            boot the VM, load svmgpu and show what it reports
#   make KDIR=/lib/modules/$(uname -r)/build   build for a local kernel
#   make KDIR=... install                      install module and uAPI header

KVER ?= 7.3.4+deb13-amd64
MODDIR := drivers/gpu/drm/svmgpu
BUILD := build
SYSROOT_KDIR := /usr/src/linux-headers-$(KVER)
VERSION := 1.0

CC ?= cc
UCFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -ffp-contract=off \
	-Iinclude/uapi -I/usr/include/libdrm -Iigt-tests/lib
ULDLIBS := -lpthread -lm

IGT_LIB := igt-tests/lib/svmgpu_igt.c igt-tests/lib/svmgpu_test.c
IGT_TESTS := svmgpu_basic svmgpu_svm svmgpu_uapi svmgpu_mm
IGT_BINS := $(addprefix $(BUILD)/igt-tests/,$(IGT_TESTS))

export KVER

.PHONY: all module tests check lint demo bench-setup install clean help

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

tests: $(IGT_BINS) $(BUILD)/igt-tests/test-list.txt $(BUILD)/tools/svmgpu_demo

$(BUILD)/tools/svmgpu_demo: tools/demo/svmgpu_demo.c include/uapi/drm/svmgpu_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -o $@ $<

$(BUILD)/igt-tests/%: igt-tests/%.c $(IGT_LIB) igt-tests/lib/*.h include/uapi/drm/svmgpu_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -o $@ $< $(IGT_LIB) $(ULDLIBS)

$(BUILD)/igt-tests/test-list.txt: Makefile
	@mkdir -p $(dir $@)
	printf 'TESTLIST\n%s\nEND TESTLIST\n' "$(IGT_TESTS)" > $@

# lint comes first: a finding fails check before anything is built.
check: lint all
	ci/check.sh

demo: all
	ci/vm-run.sh results/demo ci/guest-demo.sh

install:
ifeq ($(KDIR),)
	$(error make install needs KDIR, e.g. KDIR=/lib/modules/$$(uname -r)/build)
endif
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR) modules_install
	install -D -m 0644 include/uapi/drm/svmgpu_drm.h $(DESTDIR)/usr/include/drm/svmgpu_drm.h
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR))) 2>/dev/null || depmod -a

clean:
	rm -rf $(BUILD)
	find $(MODDIR) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete

help:
	@sed -n '3,11p' Makefile
