# The deployable zip (issue 4).
#
#   make package          dist/lambda.zip for provided.al2023: bootstrap (the
#                         static launcher local/launcher/launcher.c), bin/dynagen-api
#                         (release build), lib/ = its whole ldd closure with libc
#                         and ld-linux-x86-64.so.2 (Debian 12's glibc 2.36 is newer
#                         than Amazon Linux 2023's 2.34), licenses/. Deterministic:
#                         the same build gives the same bytes (local/launcher/mkzip.sh).
#   make package-direct   the alternative measured by `make bench-coldstart`:
#                         bootstrap = dynagen-api itself, linked with
#                         --dynamic-linker=$(PACKAGE_DIRECT_ROOT)/lib/ld-linux-x86-64.so.2
#                         and RPATH $(PACKAGE_DIRECT_ROOT)/lib (default /var/task);
#                         it runs only where unpacked at that path, so it is not shipped.
#
# Always the release build, whatever VARIANT says (sanitizers cannot be linked -static
# and have no place in a deployment).

PKG_B := build/release
PKG_ZIP := dist/lambda.zip
PKG_LAUNCHER := $(PKG_B)/local/launcher/bootstrap
PACKAGE_DIRECT_ROOT ?= /var/task
PKG_DIRECT_BIN := $(PKG_B)/package/direct/dynagen-api
PKG_DIRECT_ZIP := $(PKG_B)/package/lambda-direct.zip

.PHONY: package package-direct launcher

ifeq ($(VARIANT),release)
package: $(PKG_ZIP)
launcher: $(PKG_LAUNCHER)

# -static: the launcher needs neither a loader nor a libc from the host. On
# x86-64 it has no libc at all (its own _start and system calls; ~1 ms less per
# cold start); -fno-tree-loop-distribute-patterns keeps gcc from turning its
# memcpy into a call to itself.
ifeq ($(shell $(CC) -dumpmachine 2>/dev/null | cut -d- -f1),x86_64)
  LAUNCHER_FLAGS := -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
    -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables
else
  LAUNCHER_FLAGS := -DDG_LAUNCHER_LIBC
endif
$(PKG_LAUNCHER): local/launcher/launcher.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -static $(LAUNCHER_FLAGS) -o $@ $<

$(PKG_ZIP): $(PKG_B)/bin/dynagen-api $(PKG_LAUNCHER) local/launcher/mkzip.sh
	@mkdir -p $(@D)
	bash local/launcher/mkzip.sh --launcher $(PKG_LAUNCHER) $(PKG_B)/bin/dynagen-api $@

# Relinked every time: the root is a make variable, not a file.
package-direct: $(BOOTSTRAP_OBJ) $(BOOTSTRAP_DEPS) local/launcher/mkzip.sh
	@mkdir -p $(dir $(PKG_DIRECT_BIN))
	$(CC) $(BOOTSTRAP_LDFLAGS) -o $(PKG_DIRECT_BIN) $(BOOTSTRAP_OBJ) $(BOOTSTRAP_LIBS) \
	  -Wl,--dynamic-linker=$(PACKAGE_DIRECT_ROOT)/lib/ld-linux-x86-64.so.2 \
	  -Wl,-rpath,$(PACKAGE_DIRECT_ROOT)/lib -Wl,--disable-new-dtags
	bash local/launcher/mkzip.sh --direct $(PKG_DIRECT_BIN) $(PKG_DIRECT_ZIP)
else
package launcher package-direct:
	@$(MAKE) --no-print-directory VARIANT=release $@
endif
