# Interop helpers (built on demand by the interop suites, not by `make all`).
#
#   make interop-ddb    build/$(VARIANT)/tests/interop/ddb/interop_ddb: dynagen's
#                       side of tests/suites/ddb-interop.sh (writes and reads
#                       Products through the generated accessors)
#
# Linked like the integration tests: the generated objects + libdynagen.

DDB_INTEROP := $(B)/tests/interop/ddb/interop_ddb
DDB_INTEROP_SRC := $(wildcard tests/interop/ddb/*.c)
DDB_INTEROP_OBJ := $(DDB_INTEROP_SRC:%.c=$(B)/%.o)

$(B)/tests/interop/ddb/%.o: tests/interop/ddb/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -Igenerated -c $< -o $@

$(DDB_INTEROP): $(DDB_INTEROP_OBJ) $(GEN_OBJ) $(LIBDYNAGEN)
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $(DDB_INTEROP_OBJ) $(GEN_OBJ) $(LIBDYNAGEN) $(RT_LIBS)

.PHONY: interop-ddb
interop-ddb: $(DDB_INTEROP)
