# libFuzzer targets (not part of `make test`).
#
#   make fuzz          build every target in tests/fuzz/fuzz_*.c and run each
#                      for FUZZ_SECONDS (default 60); exit non-zero on a crash
#   make fuzz-smoke    the same for 10 s each
#   make fuzz-build    only build them (build/fuzz/<target>)
#
# clang with -fsanitize=fuzzer,address,undefined (UBSan aborts). The committed
# seeds in tests/fuzz/corpus/<target>/ are read, never written: new inputs go
# to build/fuzz/corpus/<target>/, crash reproducers to build/fuzz/artifacts/.
# Replay one input: build/fuzz/<target> FILE.

FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_B := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_OPT := $(CSTD) -g -O1 $(FUZZ_SAN) -MMD -MP
# Our own fuzz sources get the project's warnings as errors; the code under
# test is compiled with the same warnings but not -Werror (clang may warn
# where gcc, the main compiler, does not; that is not the fuzzer's call).
FUZZ_WARN := $(WARN)
FUZZ_LIB_WARN := $(WARN) -Wno-error

FUZZ_CG_SRC := $(filter-out codegen/main.c,$(wildcard codegen/*.c))
FUZZ_CG_OBJ := $(FUZZ_CG_SRC:%.c=$(FUZZ_B)/obj/%.o)
# The codecs only: core + model (the AWS client and the store are not fuzzed
# here, and linking them would make this target wait for every module).
FUZZ_RT_SRC := $(wildcard runtime/core/*.c runtime/model/*.c) generated/products.c
FUZZ_RT_OBJ := $(FUZZ_RT_SRC:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_B)/obj/codegen/%.o: codegen/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_LIB_WARN) -fsanitize=fuzzer-no-link $(call pkgcflags,yaml-0.1) -c $< -o $@

$(FUZZ_B)/obj/runtime/%.o: runtime/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_LIB_WARN) -fsanitize=fuzzer-no-link -Iruntime/include $(call pkgcflags,$(RT_PKGS)) -c $< -o $@

$(FUZZ_B)/obj/generated/%.o: generated/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_LIB_WARN) -fsanitize=fuzzer-no-link -Iruntime/include -Igenerated $(call pkgcflags,$(RT_PKGS)) -c $< -o $@

$(FUZZ_B)/fuzz_schema: tests/fuzz/fuzz_schema.c $(FUZZ_CG_OBJ) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_WARN) -fsanitize=fuzzer -Icodegen $(call pkgcflags,yaml-0.1) \
	  -o $@ $< $(FUZZ_CG_OBJ) $(call pkglibs,yaml-0.1)

$(FUZZ_B)/fuzz_ddb_json: tests/fuzz/fuzz_ddb_json.c $(FUZZ_RT_OBJ) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_WARN) -fsanitize=fuzzer -Iruntime/include -Igenerated \
	  $(call pkgcflags,$(RT_PKGS)) -o $@ $< $(FUZZ_RT_OBJ) $(RT_LIBS)

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_B)/%)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@FUZZ_SECONDS=10 bash tests/fuzz/run.sh $(FUZZ_TARGETS)

# The DAX wire decoders (runtime/dax): core + dax + SigV4 (requests sign
# authorizeConnection). Seeds: the captured responses with a method byte.
FUZZ_DAX_SRC := $(wildcard runtime/core/*.c runtime/dax/*.c) runtime/aws/sigv4.c
FUZZ_DAX_OBJ := $(FUZZ_DAX_SRC:%.c=$(FUZZ_B)/obj/%.o)

$(FUZZ_B)/fuzz_dax_cbor: tests/fuzz/fuzz_dax_cbor.c $(FUZZ_DAX_OBJ) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_WARN) -fsanitize=fuzzer -Iruntime/include \
	  $(call pkgcflags,$(RT_PKGS)) -o $@ $< $(FUZZ_DAX_OBJ) $(RT_LIBS)
