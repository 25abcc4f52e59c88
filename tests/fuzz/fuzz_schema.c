/* libFuzzer target: the generator's YAML front end and the emitters.
 *
 * Input: one schema file. When it loads (parses and validates), the C and
 * Terraform emitters run into an in-memory output set; nothing touches the
 * disk. Diagnostics and the allocation pool are reset after every input.
 *
 *   make fuzz / make fuzz-smoke   (mk/fuzz.mk)
 *   build/fuzz/fuzz_schema tests/fuzz/regressions/<file>   (replay one input) */
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "model.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cg_table *t = cg_load_schema_buffer("fuzz.yaml", data, size);
    if (t) {
        cg_table *tables[1] = {t};
        cg_check_project(tables, 1);
        cg_output out = {0};
        cg_emit_c(&out, "generated", t);
        cg_emit_tfvars(&out, "terraform/envs", tables, 1);
        /* touch every byte so a bad length shows up under ASan */
        size_t sum = 0;
        for (size_t i = 0; i < out.nfiles; i++)
            for (size_t j = 0; j < out.files[i].len; j++)
                sum += (unsigned char)out.files[i].content[j];
        g_sink = sum;
    }
    cg_diag_reset();
    cg_pool_free_all();
    return 0;
}
