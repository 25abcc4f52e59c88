# Benchmarks (not part of `make test`).
#
#   make bench-codec      a Product through DynamoDB JSON: dynagen (release
#                         build, -O2) vs Node's @aws-sdk/util-dynamodb, same run;
#                         last line ratio=<dynagen items/s / node items/s>
#   make bench-generate   bin/dynagen generate on 10 and 100 synthetic tables;
#                         last line ratio=12*t10/t100
#
# Knobs: PASSES, ROUNDS, ROUND_MS, WARMUP_MS (bench-codec), RUNS (bench-generate).
# Always built with the release flags, whatever VARIANT says.

BENCH_B := build/release
BENCH_OUT := $(BENCH_B)/bench
BENCH_CODEC := $(BENCH_OUT)/bench_codec
BENCH_CFLAGS := $(CSTD) $(WARN) -O2 -g -Iruntime/include -Igenerated -MMD -MP $(call pkgcflags,$(RT_PKGS))
BENCH_GEN_OBJ := $(BENCH_B)/generated/products.o

.PHONY: bench-codec bench-generate bench-codec-build

$(BENCH_CODEC): bench/bench_codec.c $(BENCH_GEN_OBJ) $(BENCH_B)/libdynagen.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_GEN_OBJ) $(BENCH_B)/libdynagen.a $(RT_LIBS)

# The library and generated objects come from the release build of the main Makefile.
bench-codec-build:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_B)/libdynagen.a $(BENCH_GEN_OBJ)
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_CODEC)

bench-codec: bench-codec-build
	@bash bench/codec.sh $(BENCH_CODEC)

bench-generate: bin/dynagen
	@bash bench/generate.sh bin/dynagen

# ---------------------------------------------------------------- bench-ddb
#   make bench-ddb        GetItem + PutItem against one DynamoDB Local (started
#                         and stopped by bench/ddb.sh): dynagen's client vs
#                         @aws-sdk/client-dynamodb v3 (keep-alive), same run;
#                         client CPU per request (getrusage / process.cpuUsage)
#                         and p50/p99 latency; last line
#                         ratio=<node CPU per request / dynagen CPU per request>
# Knobs: N (2000 requests per operation), WARMUP (500), PASSES (3).
BENCH_DDB := $(BENCH_OUT)/bench_ddb

$(BENCH_DDB): bench/bench_ddb.c $(BENCH_GEN_OBJ) $(BENCH_B)/libdynagen.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_GEN_OBJ) $(BENCH_B)/libdynagen.a $(RT_LIBS)

.PHONY: bench-ddb bench-ddb-build
bench-ddb-build:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_B)/libdynagen.a $(BENCH_GEN_OBJ)
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_DDB)

bench-ddb: bench-ddb-build
	@bash bench/ddb.sh $(BENCH_DDB)

# ---------------------------------------------------------------- issue 4: the API under lambda-local
#   make bench-coldstart  dist/lambda.zip unpacked and run under lambda-local vs a
#                         Node.js 20 custom runtime doing the same GetItem with
#                         @aws-sdk/client-dynamodb (bench/node-handler/), same
#                         lambda-local: from the request that finds no runtime
#                         (lambda-local --on-demand) to its response, and the
#                         function's peak RSS, COLDSTART_RUNS (20) times each,
#                         interleaved; then the bootstrap variants (launcher, the
#                         binary itself at /var/task, shell). Last line ratio=<node/dynagen>.
#   make bench-api        wrk on GET /products/{id} through lambda-local, dynagen
#                         then Node, same run (API_BENCH_SECONDS, API_BENCH_CONNS);
#                         last line ratio=<dynagen rps / node rps>.
BENCH_PROBE := $(BENCH_OUT)/coldstart_probe

.PHONY: bench-coldstart bench-api bench-coldstart-build

$(BENCH_PROBE): bench/coldstart_probe.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ $<

bench-coldstart-build: $(BENCH_PROBE)

bench-coldstart:
	@bash scripts/deps.sh
	@bash bench/coldstart.sh

bench-api:
	@bash scripts/deps.sh
	@bash bench/api.sh

# ---------------------------------------------------------------- issue 5: bench-dax
#   make bench-dax        GetItem cache hits against one dax-local (release, in
#                         front of DynamoDB Local; both started and stopped by
#                         bench/dax.sh on free loopback ports), same item, warm
#                         cache, same run: dynagen's C DAX client
#                         (bench/bench_dax.c), @amazon-dax-sdk/client-dax 3.x and
#                         amazon-dax-client 1.2.x (bench/bench_dax_node.js), and
#                         a loopback TCP echo round trip of the same request and
#                         response sizes (the floor); p50/p99 and requests/s,
#                         the ratios; last line
#                         ratio=<official 3.x p50 / dynagen p50>
# Knobs: N (5000 hits per client and pass), WARMUP (500), PASSES (3).
BENCH_DAX := $(BENCH_OUT)/bench_dax

$(BENCH_DAX): bench/bench_dax.c $(BENCH_B)/libdynagen.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_B)/libdynagen.a $(RT_LIBS) -lpthread

.PHONY: bench-dax bench-dax-build
bench-dax-build:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_B)/libdynagen.a $(BENCH_B)/bin/dax-local
	@$(MAKE) --no-print-directory VARIANT=release $(BENCH_DAX)

bench-dax: bench-dax-build
	@bash bench/dax.sh $(BENCH_DAX) $(BENCH_B)/bin/dax-local
