/* libFuzzer target: the DAX wire decoders (runtime/dax), both sides.
 *
 * The first input byte picks a method; the rest is the byte stream:
 *   - client side: dg_dax_response_scan + dg_dax_decode_response for that
 *     method (with a projection, with UPDATED_NEW, with an index name), and
 *     the JSON rendering of what decoded;
 *   - server side: dg_dax_request_scan and dg_dax_preamble_scan;
 *   - value level: dg_dax_av_decode, key bytes, non-key bytes, the
 *     lexicographic decimal.
 * Properties (abort() on violation):
 *   - a scanner and the decoder agree on completeness: when the decoder
 *     succeeds, the scanner says complete with the same length;
 *   - a decoded AttributeValue re-encodes (exact mode) and decodes to an
 *     equal value, and a second encoding is byte-identical (fixed point).
 *
 *   make fuzz / make fuzz-smoke     (mk/fuzz.mk)
 *   build/fuzz/fuzz_dax_cbor FILE   (replay one input) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/dax_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t k_methods[] = {DG_DAX_ENDPOINTS,
                                    DG_DAX_DEFINE_KEY_SCHEMA,
                                    DG_DAX_DEFINE_ATTRIBUTE_LIST_ID,
                                    DG_DAX_DEFINE_ATTRIBUTE_LIST,
                                    DG_DAX_GET_ITEM,
                                    DG_DAX_PUT_ITEM,
                                    DG_DAX_DELETE_ITEM,
                                    DG_DAX_UPDATE_ITEM,
                                    DG_DAX_QUERY,
                                    DG_DAX_SCAN,
                                    DG_DAX_BATCH_GET_ITEM,
                                    DG_DAX_BATCH_WRITE_ITEM,
                                    DG_DAX_TRANSACT_GET_ITEMS,
                                    DG_DAX_TRANSACT_WRITE_ITEMS};

static dg_str g_names[] = {{"Name", 4}, {"Price", 5}, {"c", 1}};

static int resolve_list(void *ctx, uint64_t id, dg_dax_names *out, dg_error *err)
{
    (void)ctx;
    if (id >= 1 && id <= 4) { /* lists of 0..3 names */
        out->names = g_names;
        out->count = (size_t)id - 1;
        return 0;
    }
    return dg_error_set(err, DG_ENOTFOUND, NULL, "unknown list");
}

static const dg_dax_key_schema k_ks = {2,
                                       {{{"ProductID", 9}, DG_DAX_S}, {{"Version", 7}, DG_DAX_N}}};

static int resolve_ks(void *ctx, dg_str table, dg_dax_key_schema *out, dg_error *err)
{
    (void)ctx;
    (void)table;
    (void)err;
    *out = k_ks;
    return 0;
}

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_dax_cbor: property failed: %s\n", what);
        abort();
    }
}

static void av_roundtrip(const uint8_t *p, size_t n, dg_arena *a)
{
    dg_dax_av v, back;
    size_t used;
    dg_error err;
    if (dg_dax_av_decode(p, n, &used, NULL, a, &v, &err) != 0)
        return;
    check(used <= n, "av used <= n");
    size_t scanned;
    check(dg_dax_items_scan(p, n, 1, NULL, &scanned) == 0 && scanned == used,
          "scan agrees with av decode");
    dg_buf e1 = DG_BUF_INIT, e2 = DG_BUF_INIT;
    int rc = dg_dax_av_encode(&v, DG_DAX_NUM_EXACT, &e1, &err);
    if (rc == 0) {
        check(dg_dax_av_decode((uint8_t *)e1.data, e1.len, &used, NULL, a, &back, &err) == 0,
              "re-encoded value decodes");
        check(used == e1.len, "re-encoded value fully used");
        check(dg_dax_av_equal(&v, &back), "round trip equal");
        check(dg_dax_av_encode(&back, DG_DAX_NUM_EXACT, &e2, &err) == 0, "second encode");
        check(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0, "encode fixed point");
        dg_buf j = DG_BUF_INIT;
        dg_dax_av_to_json(&v, &j);
        dg_buf_free(&j);
    } else {
        /* only empty sets (accepted by the decoder, refused by the encoder) */
        check(rc == DG_EINVAL, "encode of a decoded value fails only with EINVAL");
    }
    dg_buf_free(&e1);
    dg_buf_free(&e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int64_t method = k_methods[data[0] % (sizeof k_methods / sizeof k_methods[0])];
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    /* exact-size copy so reads past the end are caught */
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return 0;
    if (n)
        memcpy(buf, p, n);
    dg_arena *a = dg_arena_new(0);
    dg_arena_set_limit(a, 64u << 20);
    dg_error err;
    dg_dax_projection proj;
    dg_dax_projection_parse("Name, a.b[1], a.b[0], c", NULL, a, &proj, &err);

    for (int variant = 0; variant < 3; variant++) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.key_schema = &k_ks;
        ctx.resolver.attr_list = resolve_list;
        ctx.resolver.key_schema = resolve_ks;
        ctx.projection = variant == 1 ? &proj : NULL;
        ctx.return_values = variant == 2 ? DG_DAX_RV_UPDATED_NEW : DG_DAX_RV_ALL_NEW;
        ctx.index_name = variant == 2;
        ctx.return_consumed_capacity = variant;
        dg_dax_result r;
        size_t used = 0, scanned = 0;
        int rc = dg_dax_decode_response(method, buf, n, &ctx, a, &used, &r, &err);
        int src = dg_dax_response_scan(method, buf, n, NULL, &scanned);
        check(rc <= DG_DAX_NEED_MORE, "decode status");
        if (rc == 0) {
            check(used <= n, "used <= n");
            check(src == 0 && scanned == used, "scanner agrees with decoder");
            dg_buf j = DG_BUF_INIT;
            dg_dax_result_to_json(method, &r, &j);
            dg_buf_free(&j);
            if (r.is_error) {
                dg_error e2;
                dg_dax_service_error_to_dg(&r.error, &e2);
            }
        }
    }
    size_t len;
    int64_t mid;
    dg_dax_request_scan(buf, n, NULL, &mid, &len);
    dg_dax_preamble_scan(buf, n, NULL, &len);
    av_roundtrip(buf, n, a);
    dg_dax_av key;
    dg_dax_key_decode(&k_ks, buf, n, NULL, a, &key, &err);
    uint64_t lid;
    dg_dax_av *vals;
    size_t cnt;
    dg_dax_nonkey_decode(buf, n, NULL, a, &lid, &vals, &cnt, &err);
    dg_str num;
    size_t used;
    if (dg_dax_lexdec_decode(buf, n, &used, a, &num, &err) == 0) {
        /* a decoded lexicographic decimal re-encodes to the same bytes when
         * the input was canonical; at least it must encode */
        dg_buf e = DG_BUF_INIT;
        check(dg_dax_lexdec_encode(num.ptr, num.len, &e, &err) == 0, "lexdec re-encodes");
        dg_buf_free(&e);
    }
    dg_arena_destroy(a);
    free(buf);
    return 0;
}
