# The local stack's programs (issue 4).
#
#   make local          build/$(VARIANT)/bin/lambda-local (Lambda Runtime API +
#                       API Gateway HTTP API front, libmicrohttpd) and the test
#                       runtime build/$(VARIANT)/tests/lambda/echo_bootstrap
#   make lambda-local   only the former
#
# Both link only the runtime modules they use (core + lambda), so they build
# while other runtime modules are in progress.

LL_B := $(B)/local/lambda-local
LAMBDA_LOCAL := $(B)/bin/lambda-local
LL_SRC := $(wildcard local/lambda-local/*.c)
LL_OBJ := $(LL_SRC:local/lambda-local/%.c=$(LL_B)/%.o)
LL_RT_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard runtime/core/*.c runtime/lambda/*.c))
LL_CFLAGS := $(RT_CFLAGS) $(call pkgcflags,libmicrohttpd)
LL_LIBS := $(call pkglibs,libmicrohttpd) $(RT_LIBS) -lpthread

ECHO_BOOTSTRAP := $(B)/tests/lambda/echo_bootstrap

$(LL_B)/%.o: local/lambda-local/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(LL_CFLAGS) -c $< -o $@

$(LAMBDA_LOCAL): $(LL_OBJ) $(LL_RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $(LL_OBJ) $(LL_RT_OBJ) $(LL_LIBS)

$(B)/tests/lambda/%.o: tests/lambda/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(ECHO_BOOTSTRAP): $(B)/tests/lambda/echo_bootstrap.o $(LL_RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $^ $(RT_LIBS)

.PHONY: local lambda-local
local: $(LAMBDA_LOCAL) $(ECHO_BOOTSTRAP)
lambda-local: $(LAMBDA_LOCAL)

# dax-local (issue 5): the DAX-protocol server with item and query caches,
# writing through to the DynamoDB endpoint. Links the DAX codec, the DynamoDB
# client and its AWS transport (not the C DAX client under runtime/dax/client*).
#
#   make dax-local      build/$(VARIANT)/bin/dax-local
DL_B := $(B)/local/dax-local
DAX_LOCAL := $(B)/bin/dax-local
DL_SRC := $(wildcard local/dax-local/*.c)
DL_OBJ := $(DL_SRC:local/dax-local/%.c=$(DL_B)/%.o)
# the DAX codec files only (runtime/dax/client*.c and the rest of the C DAX
# client are not needed and may be in progress)
DL_DAX_CODEC := $(addprefix runtime/dax/,av.c cbor_io.c expr.c item.c request.c response.c)
DL_RT_SRC := $(wildcard runtime/core/*.c runtime/aws/*.c runtime/ddb/*.c runtime/model/*.c) $(DL_DAX_CODEC)
DL_RT_OBJ := $(patsubst %.c,$(B)/%.o,$(DL_RT_SRC))
DL_CFLAGS := $(RT_CFLAGS) -Iruntime/dax $(call pkgcflags,libmicrohttpd)
DL_LIBS := $(call pkglibs,libmicrohttpd) $(RT_LIBS) -lpthread

$(DL_B)/%.o: local/dax-local/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(DL_CFLAGS) -c $< -o $@

$(DAX_LOCAL): $(DL_OBJ) $(DL_RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $(DL_OBJ) $(DL_RT_OBJ) $(DL_LIBS)

.PHONY: dax-local
dax-local: $(DAX_LOCAL)
local: $(DAX_LOCAL)

# The byte-for-byte check of the DAX request encoder against the official
# Node client's requests captured by dax-local --trace in the test run.
DAX_ENCODE_CHECK := $(B)/tests/interop/dax/encode_check

$(B)/tests/interop/dax/%.o: tests/interop/dax/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(DAX_ENCODE_CHECK): $(B)/tests/interop/dax/encode_check.o $(DL_RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $^ $(RT_LIBS)

dax-local: $(DAX_ENCODE_CHECK)
