# SPDX-License-Identifier: GPL-2.0
#
# i40e-espinudp: out-of-tree module, patched i40e, tools and tests.
# Kernel objects are listed in Kbuild; this file only wraps kbuild.

KVER	?= $(shell uname -r)
KDIR	?= $(shell d=/lib/modules/$(KVER)/build; \
	     if [ -d $$d ]; then echo $$d; else \
	     ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1; fi)
ifeq ($(KDIR),)
KDIR	:= /lib/modules/$(KVER)/build
endif
KSRC	?=
DESTDIR	?=
INSTALL_MOD_DIR ?= updates
PWD	:= $(CURDIR)
CHECKPATCH ?= $(shell ls -d $(KDIR)/scripts/checkpatch.pl \
		$(shell scripts/cache-dir)/6.1/linux-source-6.1/scripts/checkpatch.pl \
		/usr/src/linux-source-*/scripts/checkpatch.pl 2>/dev/null | head -1)

# The i40e_espinudp_* symbols come from the patched i40e: take its exports
# from `make i40e` for KDIR's kernel line (build/<X.Y>/i40e/) unless
# KBUILD_EXTRA_SYMBOLS names them.
KLINE	:= $(shell sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' \
	     $(KDIR)/include/config/kernel.release 2>/dev/null)
KBUILD_EXTRA_SYMBOLS ?= $(wildcard $(CURDIR)/build/$(KLINE)/i40e/Module.symvers)
KBUILD_ARGS := M=$(CURDIR) KBUILD_EXTRA_SYMBOLS=$(KBUILD_EXTRA_SYMBOLS)

KSRCS	:= i40e_espinudp.c i40e_txrx_hook.c
KHDRS	:= i40e_espinudp.h espinudp_types.h include/linux/net/intel/i40e_espinudp.h

.PHONY: all modules kbuild-check clean help tools check bench demo deps i40e install \
	uninstall checkwarnings sparse style dkms-install dkms-remove \
	check-latest check-x722

all: modules

kbuild-check:
	@test -d "$(KDIR)" || { echo "KDIR=$(KDIR) not found: install linux-headers or pass KDIR=" >&2; exit 2; }
	@test -n "$(KBUILD_EXTRA_SYMBOLS)" || { \
	  echo "i40e_espinudp needs the exports of the patched i40e for Linux $(or $(KLINE),?):" >&2; \
	  echo "  make i40e KSRC=/usr/src/linux-source-$(or $(KLINE),X.Y).tar.xz   (or pass KBUILD_EXTRA_SYMBOLS=)" >&2; \
	  exit 2; }

modules: kbuild-check
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) modules

# Not kbuild's M= clean: it deletes every *.o and *.ko below M, which here
# includes the guest kernels' modules and the sid chroot in .cache/.  The
# module's objects all sit at the top level.
clean:
	rm -f *.o *.ko *.mod *.mod.c .*.cmd .*.d modules.order Module.symvers
	$(MAKE) -C tools clean
	rm -rf build

checkwarnings: kbuild-check
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) W=1 modules

sparse: kbuild-check
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) C=2 CF="-D__CHECK_ENDIAN__" modules

style:
	@test -n "$(CHECKPATCH)" || { echo "checkpatch.pl not found; run make deps or pass CHECKPATCH=" >&2; exit 2; }
	perl $(CHECKPATCH) --no-tree --strict --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f $(KSRCS) $(KHDRS)
	perl $(CHECKPATCH) --no-tree --strict --terse \
		--ignore FILE_PATH_CHANGES $(abspath $(wildcard patches/*/*.patch))

tools:
	$(MAKE) -C tools

deps:
	scripts/deps.sh all

i40e:
	@test -n "$(KSRC)" || { echo "usage: make i40e KSRC=<linux-source tree or tarball>" >&2; exit 2; }
	scripts/build-i40e.sh "$(KSRC)" "$(KDIR)"

install:
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		INSTALL_MOD_PATH=$(DESTDIR) modules_install
	scripts/install.sh install "$(DESTDIR)" "$(KVER)"

uninstall:
	scripts/install.sh uninstall "$(DESTDIR)" "$(KVER)"

dkms-install:
	scripts/dkms.sh install

dkms-remove:
	scripts/dkms.sh remove

check:
	tests/run-all.sh

bench:
	scripts/deps.sh unit
	$(MAKE) -C tests/unit bench
	tests/qemu/bench-guest.sh
	tests/qemu/x722/bench-x722.sh

demo:
	tests/qemu/demo.sh

check-latest:
	TIERS="$(or $(TIERS),50-latest)" tests/run-all.sh

# The emulated X722 (tests/qemu/x722): Debian's stock i40e on a QEMU
# device model; the first run builds QEMU (cached by hash)
check-x722:
	TIERS="$(or $(TIERS),33-x722-stock)" tests/run-all.sh

help:
	@echo 'i40e-espinudp targets:'
	@echo '  make / modules    build i40e_espinudp.ko against KDIR=$(KDIR)'
	@echo '  make i40e KSRC=   patch and build i40e.ko from a linux-source tree or tarball'
	@echo '  make tools        build tools/espinudp-hash (libpcap)'
	@echo '  make demo         boot a Debian 6.1 guest and show NAT-T spreading'
	@echo '  make check        all tests (unit, builds, QEMU guests); ends "N passed, N failed"'
	@echo '  make bench        classify+hash cost (table vs bit-serial); guest RX cost per path; the emulated X722: fps, NAT-T time vs x722sim (QEMU)'
	@echo '  make checkwarnings  build with W=1'
	@echo '  make sparse       build with C=2 (sparse, endianness)'
	@echo '  make style        checkpatch --strict on sources and patches/'
	@echo '  make install      install modules into updates/, run depmod'
	@echo '  make uninstall    remove them'
	@echo '  make dkms-install / dkms-remove'
	@echo '  make check-latest build and boot the newest (sid) kernel line'
	@echo '  make check-x722   Debian's stock i40e on the emulated X722 (tier 33)'
	@echo '  make deps         install the Debian packages the targets need'
