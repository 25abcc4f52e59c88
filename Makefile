# dynagen — top-level build.
#
#   make deps             install missing Debian packages and pinned Node packages
#   make                  build bin/dynagen, libdynagen and the generated code
#   make generate         regenerate generated/ (and the tfvars) from schema/
#   make check-generated  fail when generated/ is stale
#   make test             everything: build, unit tests, sanitizers, freshness, ...
#   make fuzz             run each libFuzzer target for FUZZ_SECONDS
#   make bench-codec / bench-generate
#   make format           clang-format every C file
#
# VARIANT=release (default, -O2) or VARIANT=asan (ASan + UBSan); objects go
# to build/$(VARIANT)/.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

VARIANT ?= release
B := build/$(VARIANT)
DEPS_STAMP := build/.deps-stamp

PKG_CONFIG ?= pkg-config
RT_PKGS := libcjson libcurl openssl libcbor
pkgcflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkglibs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
ifeq ($(VARIANT),asan)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  LDSAN := -fsanitize=address,undefined
else
  OPT := -O2 -g
  LDSAN :=
endif
CFLAGS_COMMON := $(CSTD) $(WARN) $(OPT) -Iruntime/include -MMD -MP
RT_CFLAGS := $(CFLAGS_COMMON) $(call pkgcflags,$(RT_PKGS))
RT_LIBS := $(call pkglibs,$(RT_PKGS)) -lm

# ---------------------------------------------------------------- deps
.PHONY: deps
deps:
	@bash scripts/deps.sh

$(DEPS_STAMP): scripts/deps.sh package.json package-lock.json
	@bash scripts/deps.sh

# ---------------------------------------------------------------- generator
CODEGEN_SRC := $(wildcard codegen/*.c)
CODEGEN_OBJ := $(CODEGEN_SRC:%.c=$(B)/%.o)
DYNAGEN := $(B)/bin/dynagen

$(B)/codegen/%.o: codegen/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(call pkgcflags,yaml-0.1) -c $< -o $@

$(DYNAGEN): $(CODEGEN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $^ $(call pkglibs,yaml-0.1)

# bin/dynagen is the release generator, for people.
ifeq ($(VARIANT),release)
bin/dynagen: $(DYNAGEN)
	@mkdir -p bin && cp $(DYNAGEN) bin/dynagen.tmp && mv -f bin/dynagen.tmp bin/dynagen
else
bin/dynagen: $(CODEGEN_SRC) $(wildcard codegen/*.h)
	@$(MAKE) --no-print-directory VARIANT=release bin/dynagen
endif

# ---------------------------------------------------------------- runtime
RUNTIME_SRC := $(wildcard runtime/*/*.c)
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(B)/%.o)
LIBDYNAGEN := $(B)/libdynagen.a

$(B)/runtime/%.o: runtime/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(LIBDYNAGEN): $(RUNTIME_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# ---------------------------------------------------------------- generated code
SCHEMAS := $(wildcard schema/*.yaml)
GEN_SRC := $(filter-out generated/main.c,$(wildcard generated/*.c))
GEN_OBJ := $(GEN_SRC:%.c=$(B)/%.o)

$(B)/generated/%.o: generated/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -Igenerated -c $< -o $@

# The bootstrap: generated routes + runtime in one binary (dist/lambda.zip wraps it).
#
# Release builds link what a cold start pays for as little as possible: the
# minimal static libcurl of scripts/curl-lambda.sh (HTTP/HTTPS + OpenSSL, built
# from Debian's curl source package) instead of Debian's libcurl.so.4 and its
# 33 libraries, OpenSSL static, and no PIE (no run-time relocation of the
# program's data; libraries, heap and stack are still randomised). That takes
# the process from ~520 to ~80 page faults before main(); `make bench-coldstart`
# measures it. When that libcurl cannot be built (no access to Debian's
# sources) the build says so and links Debian's shared libcurl: it works, a
# cold start is ~15 ms slower. Knobs: CURL_LAMBDA=system links Debian's shared
# libcurl without trying; BOOTSTRAP_PIE=1 keeps PIE. The ASan build links like
# everything else (sanitizers need the shared runtime).
BOOTSTRAP := $(B)/bin/dynagen-api
BOOTSTRAP_OBJ := $(B)/generated/main.o $(GEN_OBJ) $(LIBDYNAGEN)
CURL_LAMBDA ?= build/curl-lambda/lib/libcurl.a
CURL_LAMBDA_TRIED := build/curl-lambda/.tried
BOOTSTRAP_PIE ?= 0
ifeq ($(VARIANT)-$(CURL_LAMBDA),release-system)
  BOOTSTRAP_DEPS :=
  BOOTSTRAP_LIBS := $(RT_LIBS)
else ifeq ($(VARIANT),release)
  BOOTSTRAP_DEPS := $(CURL_LAMBDA_TRIED)
  BOOTSTRAP_STATIC_LIBS := $(CURL_LAMBDA) -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic \
    -Wl,--as-needed $(call pkglibs,libcjson libcbor) -lpthread
  # chosen when the link runs (after the attempt), not when make starts
  BOOTSTRAP_LIBS = $(if $(shell test -f $(CURL_LAMBDA) && echo y),$(BOOTSTRAP_STATIC_LIBS),$(RT_LIBS))
else
  BOOTSTRAP_DEPS :=
  BOOTSTRAP_LIBS := $(RT_LIBS)
endif
ifeq ($(VARIANT)-$(BOOTSTRAP_PIE),release-0)
  BOOTSTRAP_LDFLAGS := -no-pie
endif
$(BOOTSTRAP): $(BOOTSTRAP_OBJ) $(BOOTSTRAP_DEPS)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) $(BOOTSTRAP_LDFLAGS) -o $@ $(BOOTSTRAP_OBJ) $(BOOTSTRAP_LIBS)

# One attempt per change of the script (to retry: rm build/curl-lambda/.tried and the
# bootstrap; with .SECONDARY a missing .tried alone does not rebuild it).
$(CURL_LAMBDA_TRIED): scripts/curl-lambda.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@bash scripts/curl-lambda.sh || { rm -f build/curl-lambda/lib/libcurl.a; \
	  echo "make: note: the minimal libcurl could not be built (above): the bootstrap links" \
	  "Debian's shared libcurl instead (it works; a cold start is ~15 ms slower)." \
	  "To try again: rm -f $@ $(BOOTSTRAP)" >&2; }
	@touch $@

CREATE_TABLES := $(B)/bin/dynagen-create-tables
$(B)/local/create-tables/%.o: local/create-tables/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -Igenerated -c $< -o $@
$(CREATE_TABLES): $(B)/local/create-tables/main.o $(GEN_OBJ) $(LIBDYNAGEN)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $^ $(RT_LIBS)

.PHONY: bootstrap
bootstrap: $(BOOTSTRAP) $(CREATE_TABLES)

.PHONY: generate check-generated
generate: bin/dynagen
	./bin/dynagen generate $(SCHEMAS) --out generated/ --tfvars terraform/envs $(DYNAGEN_FLAGS)

check-generated: bin/dynagen
	./bin/dynagen generate $(SCHEMAS) --out generated/ --tfvars terraform/envs --check

# The test schemas (tests/schemas/*.yaml) are generated into the build tree,
# compiled and tested like the real ones, but not committed. They are
# compiled inside the stamp rule into one archive with a fixed name, because
# make's cached view of a directory would not see files generated mid-run.
TEST_SCHEMAS := $(wildcard tests/schemas/*.yaml)
TGEN := $(B)/tests-gen
TGEN_LIB := $(TGEN)/libtestgen.a
$(TGEN)/.stamp: $(TEST_SCHEMAS) $(DYNAGEN) $(wildcard runtime/include/dynagen/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@rm -f $(TGEN)/*.c $(TGEN)/*.h $(TGEN)/*.o $(TGEN_LIB)
	$(DYNAGEN) generate $(TEST_SCHEMAS) --out $(TGEN)/ --no-tfvars -q
	@rm -f $(TGEN)/main.c $(TGEN)/dynagen_app.c $(TGEN)/*_routes.c # the app is the real schema's
	@for f in $(TGEN)/*.c; do \
	  echo "$(CC) ... -c $$f"; \
	  $(CC) $(RT_CFLAGS) -I$(TGEN) -c $$f -o $${f%.c}.o || exit 1; \
	done
	rm -f $(TGEN_LIB) && ar rcs $(TGEN_LIB) $(TGEN)/*.o
	@touch $@

# ---------------------------------------------------------------- unit tests
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TEST_SUPPORT_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(B)/%.o)

$(B)/tests/unit/%.o: tests/unit/%.c $(TGEN)/.stamp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -Igenerated -I$(TGEN) -Itests/unit $(call pkgcflags,cmocka) -c $< -o $@

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(TEST_SUPPORT_OBJ) $(GEN_OBJ) $(LIBDYNAGEN) $(TGEN)/.stamp
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $< $(TEST_SUPPORT_OBJ) $(GEN_OBJ) $(TGEN_LIB) $(LIBDYNAGEN) \
	  $(call pkglibs,cmocka) $(RT_LIBS)

# ---------------------------------------------------------------- integration tests
# tests/integration/test_*.c: cmocka binaries that need the local stack
# (DynamoDB Local); built here, run by the suite scripts in tests/suites/.
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(B)/tests/integration/%)
INTEG_SUPPORT_SRC := $(filter-out $(INTEG_SRC),$(wildcard tests/integration/*.c))
INTEG_SUPPORT_OBJ := $(INTEG_SUPPORT_SRC:%.c=$(B)/%.o)

$(B)/tests/integration/%.o: tests/integration/%.c $(TGEN)/.stamp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -Igenerated -I$(TGEN) -Itests/integration $(call pkgcflags,cmocka) -c $< -o $@

$(B)/tests/integration/test_%: $(B)/tests/integration/test_%.o $(INTEG_SUPPORT_OBJ) $(GEN_OBJ) $(LIBDYNAGEN) $(TGEN)/.stamp
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $< $(INTEG_SUPPORT_OBJ) $(GEN_OBJ) $(TGEN_LIB) $(LIBDYNAGEN) \
	  $(call pkglibs,cmocka) $(RT_LIBS)

.PHONY: all unit-tests integration-tests
all: bin/dynagen $(DYNAGEN) $(LIBDYNAGEN) $(GEN_OBJ) $(BOOTSTRAP) $(CREATE_TABLES)
unit-tests: $(UNIT_BIN)
integration-tests: $(INTEG_BIN)

# ---------------------------------------------------------------- test
.PHONY: test
test:
	@bash scripts/test.sh

-include mk/*.mk

# The local stack: DynamoDB Local + lambda-local running the real bootstrap.
.PHONY: run
run:
	@bash scripts/run.sh

# Hand-written C only: generated/ and the golden copies of generated code are
# the generator's output, checked byte for byte elsewhere.
FORMAT_FILES = $$(git ls-files '*.c' '*.h' | grep -vE '^(generated|tests/golden)/')
.PHONY: format format-check
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

.PHONY: clean
clean:
	rm -rf build bin

-include $(shell find build -path build/curl-lambda -prune -o -name '*.d' -print 2>/dev/null)
