/* libFuzzer target: the runtime's JSON codecs, driven by the generated
 * Product descriptor (generated/products.c).
 *
 * One input is tried as both encodings:
 *   1. DynamoDB AttributeValue JSON: dg_ddb_unmarshal into an arena. On
 *      success: dg_validate, dg_ddb_marshal, and the API encoder
 *      dg_json_marshal (what GET does with an item read from DynamoDB; may
 *      fail, must not crash). Property: the marshalled bytes decode again
 *      and re-marshal to the same bytes (marshal is a fixed point after one
 *      round).
 *   2. The API's plain JSON: dg_json_unmarshal (readonly fields allowed). On
 *      success: dg_validate, dg_json_marshal, and the same fixed-point
 *      property through the API encoding.
 * A broken property calls abort(), so libFuzzer reports it as a crash.
 *
 *   make fuzz / make fuzz-smoke   (mk/fuzz.mk)
 *   build/fuzz/fuzz_ddb_json FILE (replay one input) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "products.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t g_sink;

static void property_failed(const char *what, const dg_buf *a, const dg_buf *b, const dg_error *err)
{
    fprintf(stderr, "fuzz_ddb_json: property failed: %s\n", what);
    if (err != NULL)
        fprintf(stderr, "  error: %s (%s) field=%s\n", err->message, dg_strerror(err->code),
                err->field);
    if (a != NULL)
        fprintf(stderr, "  first : %.*s\n", (int)a->len, a->data ? a->data : "");
    if (b != NULL)
        fprintf(stderr, "  second: %.*s\n", (int)b->len, b->data ? b->data : "");
    abort();
}

static bool same(const dg_buf *a, const dg_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void try_ddb(const char *json, size_t size, dg_arena *arena)
{
    product_t p;
    dg_error err;
    if (product_from_ddb(&p, json, size, arena, &err) != 0)
        return;
    g_sink = (size_t)product_validate(&p, &err);

    dg_buf api = DG_BUF_INIT;
    g_sink = (size_t)product_to_json(&p, &api, &err) + api.len;
    dg_buf_free(&api);

    dg_buf m1 = DG_BUF_INIT, m2 = DG_BUF_INIT;
    if (product_to_ddb(&p, &m1, &err) != 0) {
        if (err.code == DG_ENOMEM)
            goto out;
        /* Anything ddb_unmarshal accepted must be writable again. */
        property_failed("dg_ddb_marshal failed on a decoded item", NULL, NULL, &err);
    }
    product_t q;
    if (product_from_ddb(&q, m1.data ? m1.data : "", m1.len, arena, &err) != 0)
        property_failed("dg_ddb_unmarshal rejects dg_ddb_marshal output", &m1, NULL, &err);
    if (product_to_ddb(&q, &m2, &err) != 0)
        property_failed("dg_ddb_marshal failed on the second round", &m1, NULL, &err);
    if (!same(&m1, &m2))
        property_failed("DynamoDB JSON is not a fixed point after one round", &m1, &m2, NULL);
out:
    dg_buf_free(&m1);
    dg_buf_free(&m2);
}

static void try_api(const char *json, size_t size, dg_arena *arena)
{
    product_t p;
    dg_error err;
    if (product_from_json(&p, json, size, DG_DECODE_ALLOW_READONLY, arena, &err) != 0)
        return;
    g_sink = (size_t)product_validate(&p, &err);

    dg_buf m1 = DG_BUF_INIT, m2 = DG_BUF_INIT;
    if (product_to_json(&p, &m1, &err) != 0) {
        /* An API body can hold values the API encoding cannot write back
         * only in ways the codec reports as errors; never a crash. */
        goto out;
    }
    product_t q;
    if (product_from_json(&q, m1.data ? m1.data : "", m1.len, DG_DECODE_ALLOW_READONLY, arena,
                          &err) != 0)
        property_failed("dg_json_unmarshal rejects dg_json_marshal output", &m1, NULL, &err);
    if (product_to_json(&q, &m2, &err) != 0)
        property_failed("dg_json_marshal failed on the second round", &m1, NULL, &err);
    if (!same(&m1, &m2))
        property_failed("API JSON is not a fixed point after one round", &m1, &m2, NULL);

    /* The decoded body, stored: must not crash. */
    dg_buf d = DG_BUF_INIT;
    g_sink = (size_t)product_to_ddb(&p, &d, &err) + d.len;
    dg_buf_free(&d);
out:
    dg_buf_free(&m1);
    dg_buf_free(&m2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A fresh arena per input: stale pointers into a previous input's
     * memory show up as use-after-free. */
    dg_arena *arena = dg_arena_new(4096);
    if (arena == NULL)
        return 0;
    dg_arena_set_limit(arena, 64u << 20);
    try_ddb((const char *)data, size, arena);
    dg_arena_reset(arena);
    try_api((const char *)data, size, arena);
    dg_arena_destroy(arena);
    return 0;
}
