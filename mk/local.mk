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
