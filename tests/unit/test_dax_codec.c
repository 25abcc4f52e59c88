/* Unit tests: runtime/dax (the DAX wire codec).
 *
 * Byte-for-byte against every capture of the official Node client in
 * ../shared/dax-vectors (read at test time; DYNAGEN_DAX_VECTORS overrides
 * the directory; a missing directory FAILS the run), plus round trips of
 * every type, the lexicographic-decimal vectors and ordering, and
 * malformed / truncated / oversize / random input to every decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "dynagen/dax_codec.h"
#include "dynagen/decimal.h"

/* ------------------------------------------------------------------ helpers */

static dg_arena *A;
static dg_arena *G; /* survives dg_arena_reset(A) */

static const void *find(const void *hay, size_t hn, const void *needle, size_t nn)
{
    const uint8_t *h = hay;
    for (size_t i = 0; nn <= hn && i + nn <= hn; i++)
        if (memcmp(h + i, needle, nn) == 0)
            return h + i;
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    A = dg_arena_new(0);
    G = dg_arena_new(0);
    return A == NULL || G == NULL;
}

static int teardown(void **state)
{
    (void)state;
    dg_arena_destroy(A);
    dg_arena_destroy(G);
    A = G = NULL;
    return 0;
}

static char g_vec_dir[4096];

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $DYNAGEN_DAX_VECTORS, else <repo>/../shared/dax-vectors where <repo> is
 * the first directory at or above the working directory holding
 * runtime/include/dynagen/dax_codec.h. */
static const char *vec_dir(void)
{
    if (g_vec_dir[0])
        return g_vec_dir;
    const char *env = getenv("DYNAGEN_DAX_VECTORS");
    if (env && *env) {
        snprintf(g_vec_dir, sizeof g_vec_dir, "%s", env);
    } else {
        char cwd[2048];
        if (getcwd(cwd, sizeof cwd) == NULL)
            fail_msg("getcwd failed");
        for (;;) {
            char probe[4096];
            snprintf(probe, sizeof probe, "%s/runtime/include/dynagen/dax_codec.h", cwd);
            if (access(probe, R_OK) == 0) {
                snprintf(g_vec_dir, sizeof g_vec_dir, "%s/../shared/dax-vectors", cwd);
                break;
            }
            char *slash = strrchr(cwd, '/');
            if (slash == NULL || slash == cwd)
                fail_msg("cannot find the repository root above the working directory; set "
                         "DYNAGEN_DAX_VECTORS");
            *slash = 0;
        }
    }
    if (!is_dir(g_vec_dir))
        fail_msg("DAX capture vectors not found at %s (expected ../shared/dax-vectors beside "
                 "the repository, or DYNAGEN_DAX_VECTORS): refusing to skip",
                 g_vec_dir);
    return g_vec_dir;
}

/* Reads <dir>/<name> (hex text) into bytes; fails the test when absent. */
static uint8_t *vec(const char *name, size_t *n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", vec_dir(), name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("missing capture %s", path);
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    uint8_t *out = dg_arena_alloc(A, len / 2 + 1);
    size_t o = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        if (text[i] == '\n' || text[i] == '\r' || text[i] == ' ')
            break;
        unsigned v;
        if (sscanf(text + i, "%2x", &v) != 1)
            fail_msg("bad hex in %s", path);
        out[o++] = (uint8_t)v;
    }
    *n = o;
    return out;
}

static void hexdump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu): ", label, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%02x", p[i]);
    fprintf(stderr, "\n");
}

static void assert_bytes(const char *what, const uint8_t *want, size_t wn, const dg_buf *got)
{
    if (got->len != wn || memcmp(got->data, want, wn) != 0) {
        fprintf(stderr, "byte mismatch: %s\n", what);
        hexdump("  want", want, wn);
        hexdump("  got ", (const uint8_t *)got->data, got->len);
        fail();
    }
}

static void assert_vec_equal(const char *file, const dg_buf *got)
{
    size_t n;
    const uint8_t *want = vec(file, &n);
    assert_bytes(file, want, n, got);
}

static dg_dax_av item(const char *json)
{
    dg_dax_av v;
    dg_error err;
    int rc = dg_dax_item_from_json_text(json, strlen(json), A, &v, &err);
    if (rc != 0)
        fail_msg("item %s: %s", json, err.message);
    return v;
}

static dg_dax_av av(const char *json)
{
    dg_dax_av v;
    dg_error err;
    int rc = dg_dax_av_from_json_text(json, strlen(json), A, &v, &err);
    if (rc != 0)
        fail_msg("av %s: %s", json, err.message);
    return v;
}

static void assert_json_equal(const char *want, const char *got)
{
    cJSON *a = cJSON_Parse(want), *b = cJSON_Parse(got);
    if (a == NULL || b == NULL || !cJSON_Compare(a, b, 1)) {
        fprintf(stderr, "JSON mismatch\n  want %s\n  got  %s\n", want, got);
        cJSON_Delete(a);
        cJSON_Delete(b);
        fail();
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* The test table: Products, ProductID (S, hash) + Version (N, range). */
static dg_dax_key_schema ks_products(void)
{
    dg_dax_key_schema ks = {2, {{DG_STR("ProductID"), DG_DAX_S}, {DG_STR("Version"), DG_DAX_N}}};
    return ks;
}

static dg_str NAMES2[] = {{"Name", 4}, {"Price", 5}};

static int resolve_list(void *ctx, uint64_t id, dg_dax_names *out, dg_error *err)
{
    (void)ctx;
    if (id == 2) {
        out->names = NAMES2;
        out->count = 2;
        return 0;
    }
    return dg_error_set(err, DG_ENOTFOUND, NULL, "unknown attribute list %llu",
                        (unsigned long long)id);
}

static int resolve_ks(void *ctx, dg_str table, dg_dax_key_schema *out, dg_error *err)
{
    (void)ctx;
    if (dg_str_eq_cstr(table, "Products")) {
        *out = ks_products();
        return 0;
    }
    return dg_error_set(err, DG_ENOTFOUND, NULL, "no table");
}

static const char *FULL_ITEM = "{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"},"
                               "\"Name\":{\"S\":\"Widget\"},\"Price\":{\"N\":\"19.99\"}}";

/* Decode resp file for method with ctx and compare the JSON rendering. */
static dg_dax_result decode_vec(const char *file, int64_t method, dg_dax_decode_ctx *ctx,
                                const char *want_json)
{
    size_t n, used = 0, scanned = 0;
    const uint8_t *p = vec(file, &n);
    dg_dax_result r;
    dg_error err;
    dg_error_clear(&err);
    ctx->resolver.attr_list = resolve_list;
    ctx->resolver.key_schema = resolve_ks;
    assert_int_equal(dg_dax_response_scan(method, p, n, NULL, &scanned), 0);
    assert_int_equal(scanned, n);
    int rc = dg_dax_decode_response(method, p, n, ctx, A, &used, &r, &err);
    if (rc != 0)
        fail_msg("%s: decode rc=%d %s", file, rc, err.message);
    assert_int_equal(used, n);
    if (want_json) {
        dg_buf j = DG_BUF_INIT;
        assert_int_equal(dg_dax_result_to_json(method, &r, &j), 0);
        assert_json_equal(want_json, dg_buf_cstr(&j));
        dg_buf_free(&j);
    }
    return r;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static dg_dax_request req_products(const dg_dax_key_schema *ks)
{
    dg_dax_request r;
    memset(&r, 0, sizeof r);
    r.table = DG_STR("Products");
    r.key_schema = ks;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    return r;
}

/* ------------------------------------------------------------------ vectors: control */

static void test_vec_preamble(void **state)
{
    (void)state;
    const char *files[] = {"01-preamble.hex", "04-healthcheck-preamble.hex"};
    for (int i = 0; i < 2; i++) {
        size_t n;
        const uint8_t *want = vec(files[i], &n);
        /* the 16-byte session id is random per connection: take it from the capture */
        assert_true(n > 10 + 16);
        const uint8_t *session = want + 10;
        dg_buf b = DG_BUF_INIT;
        dg_error err;
        assert_int_equal(dg_dax_encode_preamble(session, 16, DG_DAX_USER_AGENT, &b, &err), 0);
        assert_bytes(files[i], want, n, &b);
        size_t len;
        assert_int_equal(dg_dax_preamble_scan(want, n, NULL, &len), 0);
        assert_int_equal(len, n);
        assert_int_equal(dg_dax_preamble_scan(want, n - 1, NULL, &len), DG_DAX_NEED_MORE);
        dg_buf_free(&b);
    }
}

static void test_vec_authorize(void **state)
{
    (void)state;
    struct {
        const char *file;
        int64_t t;
        const char *token;
    } cases[] = {
        {"02-authorizeConnection.req.hex", utc(2026, 11, 25, 11, 27, 10), NULL},
        {"20-authorizeConnection-sessiontoken.req.hex", utc(2026, 11, 25, 11, 28, 1),
         "EXAMPLESESSIONTOKEN"},
    };
    for (int i = 0; i < 2; i++) {
        dg_dax_auth au = {"AKIDEXAMPLE",  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          cases[i].token, "us-east-1",
                          cases[i].t,     DG_DAX_USER_AGENT};
        dg_buf b = DG_BUF_INIT;
        dg_error err;
        int rc = dg_dax_encode_authorize(&au, &b, &err);
        if (rc != 0)
            fail_msg("authorize: %s", err.message);
        assert_vec_equal(cases[i].file, &b);
        int64_t m;
        size_t len;
        assert_int_equal(dg_dax_request_scan((uint8_t *)b.data, b.len, NULL, &m, &len), 0);
        assert_int_equal(m, DG_DAX_AUTHORIZE_CONNECTION);
        assert_int_equal(len, b.len);
        dg_buf_free(&b);
    }
}

static void test_vec_endpoints(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_endpoints(&b, &err), 0);
    assert_vec_equal("03-endpoints.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    dg_dax_result r = decode_vec("03-endpoints.resp.hex", DG_DAX_ENDPOINTS, &ctx, NULL);
    assert_int_equal(r.endpoint_count, 1);
    dg_dax_endpoint *ep = &r.endpoints[0];
    assert_int_equal(ep->node_id, 1);
    assert_true(dg_str_eq_cstr(ep->hostname, "localhost"));
    assert_int_equal(ep->address[0], 127);
    assert_int_equal(ep->address[3], 1);
    assert_int_equal(ep->port, 18111);
    assert_int_equal(ep->role, 1);
    assert_true(dg_str_eq_cstr(ep->availability_zone, "us-east-1a"));
    assert_int_equal(ep->leader_session_id, 1);
}

static void test_vec_define(void **state)
{
    (void)state;
    dg_error err;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_dax_encode_define_key_schema(DG_STR("Products"), &b, &err), 0);
    assert_vec_equal("05-defineKeySchema.req.hex", &b);
    dg_buf_reset(&b);
    assert_int_equal(dg_dax_encode_define_attribute_list(2, &b, &err), 0);
    assert_vec_equal("07-defineAttributeList.req.hex", &b);
    dg_buf_reset(&b);
    dg_dax_av it = item(FULL_ITEM);
    dg_dax_key_schema ks = ks_products();
    dg_dax_names names;
    assert_int_equal(dg_dax_item_attr_names(&it, &ks, A, &names, &err), 0);
    assert_int_equal(names.count, 2);
    assert_int_equal(dg_dax_encode_define_attribute_list_id(&names, &b, &err), 0);
    assert_vec_equal("08-defineAttributeListId.req.hex", &b);
    dg_buf_free(&b);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    dg_dax_result r =
        decode_vec("05-defineKeySchema.resp.hex", DG_DAX_DEFINE_KEY_SCHEMA, &ctx, NULL);
    assert_int_equal(r.key_schema.count, 2);
    assert_true(dg_str_eq_cstr(r.key_schema.attrs[0].name, "ProductID"));
    assert_int_equal(r.key_schema.attrs[0].type, DG_DAX_S);
    assert_true(dg_str_eq_cstr(r.key_schema.attrs[1].name, "Version"));
    assert_int_equal(r.key_schema.attrs[1].type, DG_DAX_N);
    r = decode_vec("07-defineAttributeList.resp.hex", DG_DAX_DEFINE_ATTRIBUTE_LIST, &ctx, NULL);
    assert_int_equal(r.attr_list.count, 2);
    assert_true(dg_str_eq_cstr(r.attr_list.names[0], "Name"));
    assert_true(dg_str_eq_cstr(r.attr_list.names[1], "Price"));
    r = decode_vec("08-defineAttributeListId.resp.hex", DG_DAX_DEFINE_ATTRIBUTE_LIST_ID, &ctx,
                   NULL);
    assert_int_equal(r.attr_list_id, 2);
}

/* ------------------------------------------------------------------ vectors: data */

static void test_vec_get_item(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_request rq = req_products(&ks);
    rq.key = &key;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_get_item(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("06-getItem.req.hex", &b);
    dg_buf_free(&b);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.request_key = &key;
    ctx.table = rq.table;
    char want[512];
    snprintf(want, sizeof want, "{\"Item\":%s}", FULL_ITEM);
    decode_vec("06-getItem.resp.hex", DG_DAX_GET_ITEM, &ctx, want);
}

static void test_vec_get_item_projection(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_str nk[] = {DG_STR("#n")}, nv[] = {DG_STR("Name")};
    dg_dax_strmap names = {nk, nv, 1};
    dg_dax_request rq = req_products(&ks);
    rq.key = &key;
    rq.consistent_read = DG_DAX_TRUE;
    rq.return_consumed_capacity = DG_DAX_RCC_TOTAL;
    rq.expr.projection = "#n, Price";
    rq.expr.names = &names;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    dg_dax_exprs ex;
    assert_int_equal(dg_dax_encode_get_item(&rq, A, &b, &ex, &err), 0);
    assert_vec_equal("21-getItem-projection-cr-rcc.req.hex", &b);
    dg_buf_free(&b);
    assert_int_equal(ex.proj.count, 2);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.request_key = &key;
    ctx.projection = &ex.proj;
    ctx.table = rq.table;
    ctx.return_consumed_capacity = DG_DAX_RCC_TOTAL;
    decode_vec("21-getItem-projection-cr-rcc.resp.hex", DG_DAX_GET_ITEM, &ctx,
               "{\"Item\":{\"Name\":{\"S\":\"Widget\"},\"Price\":{\"N\":\"19.99\"}},"
               "\"ConsumedCapacity\":{\"TableName\":\"Products\",\"CapacityUnits\":0.5}}");
}

static void test_vec_get_item_error(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P404\"},\"Version\":{\"N\":\"1\"}}");
    dg_dax_request rq = req_products(&ks);
    rq.key = &key;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_get_item(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("22-getItem-error.req.hex", &b);
    dg_buf_free(&b);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.request_key = &key;
    dg_dax_result r = decode_vec("22-getItem-error.resp.hex", DG_DAX_GET_ITEM, &ctx, NULL);
    assert_true(r.is_error);
    assert_int_equal(r.error.code_count, 5);
    uint64_t codes[] = {4, 37, 38, 39, 41};
    assert_memory_equal(r.error.codes, codes, sizeof codes);
    assert_true(dg_str_eq_cstr(r.error.message, "Requested resource not found"));
    assert_true(dg_str_eq_cstr(r.error.request_id, "req-123"));
    assert_true(dg_str_eq_cstr(r.error.error_code, "ResourceNotFoundException"));
    assert_int_equal(r.error.http_status, 400);
    assert_string_equal(dg_dax_error_name(r.error.codes, r.error.code_count),
                        "ResourceNotFoundException");
    assert_false(dg_dax_error_retryable(&r.error)); /* the Node client: retryable false */
    assert_false(dg_dax_error_auth(&r.error));
    dg_error e2;
    assert_int_equal(dg_dax_service_error_to_dg(&r.error, &e2), DG_ENOTFOUND);
    assert_string_equal(e2.type, "ResourceNotFoundException");
}

static void test_vec_put_item(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av it = item(FULL_ITEM);
    dg_dax_request rq = req_products(&ks);
    rq.item = &it;
    rq.attr_list_id = 2;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_put_item(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("09-putItem.req.hex", &b); /* 19.99 as float64, as the Node client */
    /* exact mode: the same request with 19.99 as 4([-2, 1999]) */
    dg_buf_reset(&b);
    rq.num_mode = DG_DAX_NUM_EXACT;
    assert_int_equal(dg_dax_encode_put_item(&rq, A, &b, NULL, &err), 0);
    assert_non_null(find(b.data, b.len, "\xc4\x82\x21\x19\x07\xcf", 6));
    assert_null(find(b.data, b.len, "\xfb", 1));
    dg_buf_free(&b);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.request_key = &it;
    decode_vec("09-putItem.resp.hex", DG_DAX_PUT_ITEM, &ctx, "{}");
}

static void test_vec_put_item_alltypes(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av it = item("{\"ProductID\":{\"S\":\"P9\"},"
                        "\"Version\":{\"N\":\"12345678901234567890\"},"
                        "\"Bin\":{\"B\":\"AQI=\"},"
                        "\"Doc\":{\"M\":{\"k\":{\"BOOL\":true},\"n\":{\"NULL\":true}}},"
                        "\"Flags\":{\"SS\":[\"a\",\"b\"]},"
                        "\"Name\":{\"S\":\"Types\"},"
                        "\"Nums\":{\"NS\":[\"1\",\"2.5\"]},"
                        "\"Price\":{\"N\":\"1e3\"}}");
    dg_dax_request rq = req_products(&ks);
    rq.item = &it;
    rq.attr_list_id = 2;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_put_item(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("31-putItem-alltypes.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    decode_vec("31-putItem-alltypes.resp.hex", DG_DAX_PUT_ITEM, &ctx, "{}");

    /* and the non-key bytes of the capture decode back to the item's values */
    size_t n;
    const uint8_t *req = vec("31-putItem-alltypes.req.hex", &n);
    const uint8_t *nk = find(req, n, "\x58\x2b\x02", 3);
    assert_non_null(nk);
    uint64_t lid;
    dg_dax_av *vals;
    size_t cnt;
    assert_int_equal(dg_dax_nonkey_decode(nk + 2, 0x2b, NULL, A, &lid, &vals, &cnt, &err), 0);
    assert_int_equal(lid, 2);
    assert_int_equal(cnt, 6);
    assert_true(dg_dax_av_equal(&vals[4], dg_dax_item_get(&it, "Nums", 4)));
    assert_true(dg_str_eq_cstr(vals[5].s, "1000"));
}

static void test_vec_query(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av vals = item("{\":pid\":{\"S\":\"P1\"}}");
    dg_dax_request rq = req_products(&ks);
    rq.expr.key_condition = "ProductID = :pid";
    rq.expr.values = &vals;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_query(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("10-query.req.hex", &b);
    dg_buf_free(&b);

    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    char want[512];
    snprintf(want, sizeof want, "{\"Items\":[%s],\"Count\":1,\"ScannedCount\":1}", FULL_ITEM);
    decode_vec("10-query.resp.hex", DG_DAX_QUERY, &ctx, want);

    /* 26: range condition, ScanIndexForward false, Limit 5, ConsistentRead false */
    dg_dax_av vals2 = item("{\":pid\":{\"S\":\"P1\"},\":v\":{\"N\":\"2\"}}");
    rq.expr.key_condition = "ProductID = :pid AND Version >= :v";
    rq.expr.values = &vals2;
    rq.scan_index_forward = DG_DAX_FALSE;
    rq.has_limit = true;
    rq.limit = 5;
    rq.consistent_read = DG_DAX_FALSE;
    assert_int_equal(dg_dax_encode_query(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("26-query-range-cond.req.hex", &b);
    dg_buf_free(&b);
    decode_vec("26-query-range-cond.resp.hex", DG_DAX_QUERY, &ctx, want);
}

static void test_vec_update_delete(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_av vals = item("{\":max\":{\"N\":\"100\"},\":p\":{\"N\":\"25\"},"
                          "\":t\":{\"L\":[{\"S\":\"new\"}]}}");
    dg_dax_request rq = req_products(&ks);
    rq.key = &key;
    rq.expr.condition = "attribute_exists(ProductID) AND Price < :max";
    rq.expr.update = "SET Price = :p, Tags = list_append(Tags, :t) REMOVE Old";
    rq.expr.values = &vals;
    rq.return_values = DG_DAX_RV_ALL_NEW;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    int rc = dg_dax_encode_update_item(&rq, A, &b, NULL, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_vec_equal("23-updateItem.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.request_key = &key;
    ctx.return_values = DG_DAX_RV_ALL_NEW;
    char want[512];
    snprintf(want, sizeof want, "{\"Attributes\":%s}", FULL_ITEM);
    decode_vec("23-updateItem.resp.hex", DG_DAX_UPDATE_ITEM, &ctx, want);

    dg_dax_request rd = req_products(&ks);
    rd.key = &key;
    rd.expr.condition = "attribute_not_exists(Locked)";
    assert_int_equal(dg_dax_encode_delete_item(&rd, A, &b, NULL, &err), 0);
    assert_vec_equal("24-deleteItem.req.hex", &b);
    dg_buf_free(&b);
    decode_vec("24-deleteItem.resp.hex", DG_DAX_DELETE_ITEM, &ctx, "{}");
}

static void test_vec_scan(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av esk = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_av vals = item("{\":lo\":{\"N\":\"1\"},\":hi\":{\"N\":\"1000\"}}");
    dg_dax_request rq = req_products(&ks);
    rq.has_limit = true;
    rq.limit = 10;
    rq.exclusive_start_key = &esk;
    rq.expr.filter = "Price BETWEEN :lo AND :hi";
    rq.expr.values = &vals;
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_encode_scan(&rq, A, &b, NULL, &err), 0);
    assert_vec_equal("25-scan.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    char want[600];
    snprintf(want, sizeof want,
             "{\"Items\":[%s],\"Count\":1,\"ScannedCount\":1,"
             "\"LastEvaluatedKey\":{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}}",
             FULL_ITEM);
    decode_vec("25-scan.resp.hex", DG_DAX_SCAN, &ctx, want);
}

static void test_vec_batch(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_batch_get_table bg = {DG_STR("Products"), &ks, false, NULL, NULL, &key, 1};
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(
        dg_dax_encode_batch_get_item(&bg, 1, DG_DAX_RCC_NONE, DG_DAX_NUM_NODE_COMPAT, A, &b, &err),
        0);
    assert_vec_equal("27-batchGetItem.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.batch_get = &bg;
    ctx.batch_get_count = 1;
    char want[600];
    snprintf(want, sizeof want, "{\"Responses\":{\"Products\":[%s]},\"UnprocessedKeys\":{}}",
             FULL_ITEM);
    dg_dax_result r = decode_vec("27-batchGetItem.resp.hex", DG_DAX_BATCH_GET_ITEM, &ctx, want);
    assert_int_equal(r.response_count, 1);
    assert_int_equal(r.consumed_count, 0);

    dg_dax_av put = item("{\"ProductID\":{\"S\":\"P2\"},\"Version\":{\"N\":\"1\"},"
                         "\"Name\":{\"S\":\"Gadget\"},\"Price\":{\"N\":\"5\"}}");
    dg_dax_write_request wr[2] = {{&put, NULL, 2}, {NULL, &key, 0}};
    dg_dax_batch_write_table bw = {DG_STR("Products"), &ks, wr, 2};
    assert_int_equal(dg_dax_encode_batch_write_item(&bw, 1, DG_DAX_RCC_NONE, DG_DAX_RICM_NONE,
                                                    DG_DAX_NUM_NODE_COMPAT, A, &b, &err),
                     0);
    assert_vec_equal("28-batchWriteItem.req.hex", &b);
    dg_buf_free(&b);
    memset(&ctx, 0, sizeof ctx);
    decode_vec("28-batchWriteItem.resp.hex", DG_DAX_BATCH_WRITE_ITEM, &ctx,
               "{\"UnprocessedItems\":{}}");
}

static void test_vec_transact(void **state)
{
    (void)state;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_av put = item("{\"ProductID\":{\"S\":\"P3\"},\"Version\":{\"N\":\"1\"},"
                         "\"Name\":{\"S\":\"X\"},\"Price\":{\"N\":\"7\"}}");
    dg_dax_transact_write tw[2];
    memset(tw, 0, sizeof tw);
    tw[0].op = DG_DAX_TX_PUT, tw[0].table = DG_STR("Products"), tw[0].key_schema = &ks;
    tw[0].item = &put, tw[0].attr_list_id = 2;
    tw[1].op = DG_DAX_TX_CONDITION_CHECK, tw[1].table = DG_STR("Products");
    tw[1].key_schema = &ks, tw[1].key = &key, tw[1].condition = "attribute_exists(ProductID)";
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    int rc = dg_dax_encode_transact_write_items(tw, 2, "tok-1", DG_DAX_RCC_NONE, DG_DAX_RICM_NONE,
                                                DG_DAX_NUM_NODE_COMPAT, A, &b, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_vec_equal("29-transactWriteItems.req.hex", &b);
    dg_buf_free(&b);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    decode_vec("29-transactWriteItems.resp.hex", DG_DAX_TRANSACT_WRITE_ITEMS, &ctx, "{}");

    dg_dax_transact_get tg = {DG_STR("Products"), &ks, &key, NULL, NULL};
    assert_int_equal(dg_dax_encode_transact_get_items(&tg, 1, DG_DAX_RCC_NONE,
                                                      DG_DAX_NUM_NODE_COMPAT, A, &b, &err),
                     0);
    assert_vec_equal("30-transactGetItems.req.hex", &b);
    dg_buf_free(&b);
    ctx.transact_get = &tg;
    ctx.transact_get_count = 1;
    char want[600];
    snprintf(want, sizeof want, "{\"Responses\":[{\"Item\":%s}]}", FULL_ITEM);
    decode_vec("30-transactGetItems.resp.hex", DG_DAX_TRANSACT_GET_ITEMS, &ctx, want);
}

/* Every .req.hex is one complete request to the server-side scanner. */
static void test_vec_request_scan(void **state)
{
    (void)state;
    const char *reqs[] = {"02-authorizeConnection.req.hex",
                          "03-endpoints.req.hex",
                          "05-defineKeySchema.req.hex",
                          "06-getItem.req.hex",
                          "07-defineAttributeList.req.hex",
                          "08-defineAttributeListId.req.hex",
                          "09-putItem.req.hex",
                          "10-query.req.hex",
                          "20-authorizeConnection-sessiontoken.req.hex",
                          "21-getItem-projection-cr-rcc.req.hex",
                          "22-getItem-error.req.hex",
                          "23-updateItem.req.hex",
                          "24-deleteItem.req.hex",
                          "25-scan.req.hex",
                          "26-query-range-cond.req.hex",
                          "27-batchGetItem.req.hex",
                          "28-batchWriteItem.req.hex",
                          "29-transactWriteItems.req.hex",
                          "30-transactGetItems.req.hex",
                          "31-putItem-alltypes.req.hex"};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        size_t n, len;
        int64_t m;
        const uint8_t *p = vec(reqs[i], &n);
        assert_int_equal(dg_dax_request_scan(p, n, NULL, &m, &len), 0);
        assert_int_equal(len, n);
        for (size_t cut = 0; cut < n; cut++)
            assert_int_equal(dg_dax_request_scan(p, cut, NULL, &m, &len), DG_DAX_NEED_MORE);
    }
}

/* ------------------------------------------------------------------ types */

static void roundtrip(const char *json, dg_dax_num_mode mode)
{
    dg_dax_av v = av(json);
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    int rc = dg_dax_av_encode(&v, mode, &b, &err);
    if (rc != 0)
        fail_msg("encode %s: %s", json, err.message);
    dg_dax_av back;
    size_t used;
    rc = dg_dax_av_decode((uint8_t *)b.data, b.len, &used, NULL, A, &back, &err);
    if (rc != 0)
        fail_msg("decode %s: %s", json, err.message);
    assert_int_equal(used, b.len);
    if (!dg_dax_av_equal(&v, &back)) {
        dg_buf j = DG_BUF_INIT;
        dg_dax_av_to_json(&back, &j);
        fail_msg("round trip %s -> %s", json, dg_buf_cstr(&j));
    }
    for (size_t cut = 0; cut < b.len; cut++) {
        dg_dax_av part;
        assert_int_equal(dg_dax_av_decode((uint8_t *)b.data, cut, &used, NULL, A, &part, &err),
                         DG_DAX_NEED_MORE);
    }
    /* and through the JSON bridge */
    dg_buf j = DG_BUF_INIT;
    assert_int_equal(dg_dax_av_to_json(&back, &j), 0);
    dg_dax_av again = av(dg_buf_cstr(&j));
    assert_true(dg_dax_av_equal(&v, &again));
    dg_buf_free(&j);
    dg_buf_free(&b);
}

static void test_roundtrip_types(void **state)
{
    (void)state;
    const char *cases[] = {
        "{\"S\":\"\"}",
        "{\"S\":\"hello\"}",
        "{\"S\":\"h\\u00e9llo \\ud83d\\ude00\"}",
        "{\"N\":\"0\"}",
        "{\"N\":\"-0\"}",
        "{\"N\":\"1\"}",
        "{\"N\":\"-1\"}",
        "{\"N\":\"23\"}",
        "{\"N\":\"24\"}",
        "{\"N\":\"255\"}",
        "{\"N\":\"65536\"}",
        "{\"N\":\"9007199254740991\"}",
        "{\"N\":\"-9007199254740991\"}",
        "{\"N\":\"9007199254740992\"}",
        "{\"N\":\"-9007199254740993\"}",
        "{\"N\":\"18446744073709551615\"}",
        "{\"N\":\"18446744073709551616\"}",
        "{\"N\":\"-18446744073709551617\"}",
        "{\"N\":\"99999999999999999999999999999999999999\"}",
        "{\"N\":\"-12345678901234567890123456789012345678\"}",
        "{\"N\":\"19.99\"}",
        "{\"N\":\"-0.000123\"}",
        "{\"N\":\"1e3\"}",
        "{\"N\":\"1.5E-7\"}",
        "{\"N\":\"2.50\"}",
        "{\"N\":\"1E+125\"}",
        "{\"N\":\"1e-130\"}",
        "{\"N\":\"0.1\"}",
        "{\"N\":\"123456.789\"}",
        "{\"N\":\"3.14159265358979323846264338327950288\"}",
        "{\"B\":\"\"}",
        "{\"B\":\"AAEC/w==\"}",
        "{\"BOOL\":true}",
        "{\"BOOL\":false}",
        "{\"NULL\":true}",
        "{\"L\":[]}",
        "{\"M\":{}}",
        "{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"},{\"L\":[{\"NULL\":true}]},{\"M\":{\"x\":{\"B\":\"AQ=="
        "\"}}}]}",
        "{\"M\":{\"a\":{\"M\":{\"b\":{\"M\":{\"c\":{\"SS\":[\"x\",\"y\"]}}}}},\"\":{\"S\":\"empty "
        "key\"}}}",
        "{\"SS\":[\"a\",\"b\",\"\\u00fc\"]}",
        "{\"NS\":[\"1\",\"2.5\",\"-3e10\",\"12345678901234567890\"]}",
        "{\"BS\":[\"AQI=\",\"\"]}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        roundtrip(cases[i], DG_DAX_NUM_EXACT);
        roundtrip(cases[i], DG_DAX_NUM_NODE_COMPAT);
    }
}

static void enc_hex(const char *num, dg_dax_num_mode mode, const char *want)
{
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    int rc = dg_dax_number_encode(num, strlen(num), mode, &b, &err);
    if (rc != 0)
        fail_msg("%s: %s", num, err.message);
    char got[256] = "";
    for (size_t i = 0; i < b.len && 2 * i + 2 < sizeof got; i++)
        snprintf(got + 2 * i, 3, "%02x", (uint8_t)b.data[i]);
    if (strcmp(got, want) != 0)
        fail_msg("number %s (mode %d): want %s got %s", num, (int)mode, want, got);
    dg_buf_free(&b);
}

static void test_numbers_encoding(void **state)
{
    (void)state;
    enc_hex("3", DG_DAX_NUM_EXACT, "03");
    enc_hex("-1", DG_DAX_NUM_EXACT, "20");
    enc_hex("-0", DG_DAX_NUM_EXACT, "00");
    enc_hex("1000", DG_DAX_NUM_EXACT, "1903e8");
    enc_hex("9007199254740991", DG_DAX_NUM_EXACT, "1b001fffffffffffff");
    enc_hex("9007199254740992", DG_DAX_NUM_EXACT, "c24720000000000000");
    enc_hex("-9007199254740992", DG_DAX_NUM_EXACT, "c3471fffffffffffff");
    enc_hex("19.99", DG_DAX_NUM_EXACT, "c482211907cf");
    enc_hex("19.99", DG_DAX_NUM_NODE_COMPAT, "fb4033fd70a3d70a3d");
    enc_hex("2.5", DG_DAX_NUM_NODE_COMPAT, "fb4004000000000000");
    enc_hex("1e3", DG_DAX_NUM_NODE_COMPAT, "c4820301"); /* String(1000) != "1e3" */
    enc_hex("1.50", DG_DAX_NUM_NODE_COMPAT, "c482211896");
    enc_hex("1e-7", DG_DAX_NUM_NODE_COMPAT, "fb3e7ad7f29abcaf48");
    enc_hex("0.50", DG_DAX_NUM_EXACT, "c482211832");
    enc_hex("-0.000123", DG_DAX_NUM_EXACT, "c48225387a");
    enc_hex("1.2345678901234567890", DG_DAX_NUM_NODE_COMPAT, "c48232c248ab54a98ceb1f0ad2");
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    const char *bad[] = {"", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "1 ", "NaN", "1e9999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dg_dax_number_encode(bad[i], strlen(bad[i]), DG_DAX_NUM_EXACT, &b, &err),
                         DG_EINVAL);
    dg_buf_free(&b);
}

static void dec_num(const char *hex, const char *want)
{
    uint8_t buf[64];
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        buf[i] = (uint8_t)v;
    }
    dg_dax_av v;
    size_t used;
    dg_error err;
    int rc = dg_dax_av_decode(buf, n, &used, NULL, A, &v, &err);
    if (want == NULL) {
        if (rc >= 0)
            fail_msg("%s: expected an error, rc=%d", hex, rc);
        return;
    }
    if (rc != 0)
        fail_msg("%s: %s", hex, err.message);
    assert_int_equal(v.type, DG_DAX_N);
    if (!dg_str_eq_cstr(v.s, want))
        fail_msg("%s: want %s got %.*s", hex, want, (int)v.s.len, v.s.ptr);
}

static void test_numbers_decoding(void **state)
{
    (void)state;
    dec_num("fb4033fd70a3d70a3d", "19.99"); /* the Node client's float64 */
    dec_num("fb3fe0000000000000", "0.5");
    dec_num("fb3fb999999999999a", "0.1");
    dec_num("fa3fc00000", "1.5"); /* single */
    dec_num("f93e00", "1.5");     /* half */
    dec_num("fb3e7ad7f29abcaf48", "0.0000001");
    dec_num("fbc0934a456d5cfaad", "-1234.5678");
    dec_num("fb7ff8000000000000", NULL); /* NaN */
    dec_num("fb7ff0000000000000", NULL); /* Infinity */
    dec_num("c4820301", "1000");
    dec_num("c482211907cf", "19.99");
    dec_num("c4822138ff", "-2.56");
    dec_num("3bffffffffffffffff", "-18446744073709551616");
    dec_num("c249010000000000000000", "18446744073709551616");
    dec_num("c34101", "-2");
    dec_num("c482036161", NULL);
    dec_num("c48101", NULL);
    dec_num("c4826161", NULL);
    char js[32];
    struct {
        double d;
        const char *s;
    } jsc[] = {{1e21, "1e+21"},
               {1e20, "100000000000000000000"},
               {1e-7, "1e-7"},
               {1e-6, "0.000001"},
               {123.456, "123.456"},
               {-0.5, "-0.5"},
               {0, "0"},
               {5e-324, "5e-324"},
               {1.7976931348623157e308, "1.7976931348623157e+308"},
               {19.99, "19.99"},
               {0.1 + 0.2, "0.30000000000000004"}};
    for (size_t i = 0; i < sizeof jsc / sizeof jsc[0]; i++) {
        dg_dax_js_number_string(jsc[i].d, js);
        assert_string_equal(js, jsc[i].s);
    }
}

/* ------------------------------------------------------------------ lexicographic decimal */

static void lex_vec(const char *num, const char *hex)
{
    dg_buf b = DG_BUF_INIT;
    dg_error err;
    assert_int_equal(dg_dax_lexdec_encode(num, strlen(num), &b, &err), 0);
    char got[128] = "";
    for (size_t i = 0; i < b.len; i++)
        snprintf(got + 2 * i, 3, "%02x", (uint8_t)b.data[i]);
    if (strcmp(got, hex) != 0)
        fail_msg("lexdec %s: want %s got %s", num, hex, got);
    dg_str back;
    size_t used;
    assert_int_equal(dg_dax_lexdec_decode((uint8_t *)b.data, b.len, &used, A, &back, &err), 0);
    assert_int_equal(used, b.len);
    dg_str canon;
    assert_int_equal(dg_number_canonical(num, strlen(num), A, &canon, NULL, &err), 0);
    if (!dg_str_eq(back, canon))
        fail_msg("lexdec %s decoded %.*s", num, (int)back.len, back.ptr);
    dg_buf_free(&b);
}

static void test_lexdec_vectors(void **state)
{
    (void)state;
    lex_vec("0", "80");
    lex_vec("1", "c11c0000");
    lex_vec("3", "c14e0000");
    lex_vec("-3", "3eb1fff0");
    lex_vec("12", "c2210010");
    lex_vec("100", "c31c0020");
    lex_vec("123", "c321c020");
    lex_vec("1234", "c421d9c000");
    lex_vec("1.5", "c1288010");
    lex_vec("-1.5", "3ed77fe0");
    lex_vec("0.001", "be1c0000");
    lex_vec("12345678901234567890", "d421dd4c8418596b2e4001");
    /* exponents outside the one-byte header range */
    lex_vec("1e100", "fe800000651c0000");
    lex_vec("-1e100", "017fffff9ae3fff0");
    lex_vec("1e-100", "817fffff9d1c0000");
}

typedef struct rnum {
    bool neg;
    char dg[40]; /* significant digits, no leading/trailing zeros */
    int k;
    int adj; /* value = 0.dg * 10^adj */
    char text[64];
} rnum;

static int rnum_cmp(const rnum *a, const rnum *b)
{
    int sa = a->k == 0 ? 0 : a->neg ? -1 : 1, sb = b->k == 0 ? 0 : b->neg ? -1 : 1;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int mag;
    if (a->adj != b->adj)
        mag = a->adj < b->adj ? -1 : 1;
    else {
        int c = strcmp(a->dg, b->dg);
        mag = c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return sa < 0 ? -mag : mag;
}

static void test_lexdec_order(void **state)
{
    (void)state;
    srand(12345);
    enum { N = 200 };
    static rnum nums[N];
    static dg_buf enc[N];
    for (int i = 0; i < N; i++) {
        rnum *r = &nums[i];
        memset(r, 0, sizeof *r);
        if (i == 0) { /* zero */
            snprintf(r->text, sizeof r->text, "0");
        } else {
            r->neg = rand() % 2;
            r->k = 1 + rand() % 38;
            for (int d = 0; d < r->k; d++)
                r->dg[d] = (char)('0' + rand() % 10);
            r->dg[0] = (char)('1' + rand() % 9);
            r->dg[r->k - 1] = (char)('1' + rand() % 9);
            r->adj = rand() % 81 - 40;
            /* text: 0.DIGITS e adj */
            char dg[40], tx[64];
            memcpy(dg, r->dg, sizeof dg);
            snprintf(tx, sizeof tx, "%s0.%se%d", r->neg ? "-" : "", dg, r->adj);
            memcpy(r->text, tx, sizeof tx);
        }
        dg_error err;
        dg_str canon;
        assert_int_equal(dg_number_canonical(r->text, strlen(r->text), A, &canon, NULL, &err), 0);
        dg_buf_init(&enc[i]);
        assert_int_equal(dg_dax_lexdec_encode(canon.ptr, canon.len, &enc[i], &err), 0);
        dg_str back;
        size_t used;
        assert_int_equal(
            dg_dax_lexdec_decode((uint8_t *)enc[i].data, enc[i].len, &used, A, &back, &err), 0);
        assert_true(dg_str_eq(back, canon));
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int nc = rnum_cmp(&nums[i], &nums[j]);
            size_t m = enc[i].len < enc[j].len ? enc[i].len : enc[j].len;
            int bc = memcmp(enc[i].data, enc[j].data, m);
            if (bc == 0)
                bc = enc[i].len < enc[j].len ? -1 : enc[i].len > enc[j].len ? 1 : 0;
            bc = bc < 0 ? -1 : bc > 0 ? 1 : 0;
            if (nc != bc)
                fail_msg("order: %s vs %s numeric %d bytes %d", nums[i].text, nums[j].text, nc, bc);
        }
    for (int i = 0; i < N; i++)
        dg_buf_free(&enc[i]);
}

/* ------------------------------------------------------------------ keys and names */

static void test_keys(void **state)
{
    (void)state;
    dg_error err;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av it =
        item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"},\"x\":{\"S\":\"y\"}}");
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_dax_key_encode(&ks, &it, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "\x62P1\xc1\x4e\x00\x00", 7);
    dg_dax_av k;
    assert_int_equal(dg_dax_key_decode(&ks, (uint8_t *)b.data, b.len, NULL, A, &k, &err), 0);
    assert_int_equal(k.count, 2);
    assert_true(dg_str_eq_cstr(dg_dax_item_get(&k, "Version", 7)->s, "3"));
    /* trailing garbage after the range key is malformed */
    dg_buf_putc(&b, 0x55);
    assert_true(dg_dax_key_decode(&ks, (uint8_t *)b.data, b.len, NULL, A, &k, &err) < 0);
    dg_buf_reset(&b);
    /* hash-only keys: raw S, raw B, CBOR N */
    dg_dax_key_schema hs = {1, {{DG_STR("id"), DG_DAX_S}}};
    dg_dax_key_schema hb = {1, {{DG_STR("id"), DG_DAX_B}}};
    dg_dax_key_schema hn = {1, {{DG_STR("id"), DG_DAX_N}}};
    dg_dax_av s = item("{\"id\":{\"S\":\"abc\"}}"), bi = item("{\"id\":{\"B\":\"AQI=\"}}"),
              n = item("{\"id\":{\"N\":\"-2.5\"}}");
    assert_int_equal(dg_dax_key_encode(&hs, &s, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "abc", 3);
    dg_buf_reset(&b);
    assert_int_equal(dg_dax_key_encode(&hb, &bi, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_memory_equal(b.data, "\x01\x02", 2);
    dg_buf_reset(&b);
    assert_int_equal(dg_dax_key_encode(&hn, &n, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_int_equal(dg_dax_key_decode(&hn, (uint8_t *)b.data, b.len, NULL, A, &k, &err), 0);
    assert_true(dg_str_eq_cstr(k.items[0].s, "-2.5"));
    dg_buf_reset(&b);
    /* B hash + S range, N hash + B range */
    dg_dax_key_schema bs = {2, {{DG_STR("h"), DG_DAX_B}, {DG_STR("r"), DG_DAX_S}}};
    dg_dax_av kb = item("{\"h\":{\"B\":\"/w==\"},\"r\":{\"S\":\"\\u00e9t\\u00e9\"}}");
    assert_int_equal(dg_dax_key_encode(&bs, &kb, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_int_equal(dg_dax_key_decode(&bs, (uint8_t *)b.data, b.len, NULL, A, &k, &err), 0);
    assert_true(dg_dax_av_equal(&k, &kb));
    dg_buf_reset(&b);
    dg_dax_key_schema nb = {2, {{DG_STR("h"), DG_DAX_N}, {DG_STR("r"), DG_DAX_B}}};
    dg_dax_av kn = item("{\"h\":{\"N\":\"123456789012345678901\"},\"r\":{\"B\":\"AAA=\"}}");
    assert_int_equal(dg_dax_key_encode(&nb, &kn, DG_DAX_NUM_EXACT, &b, &err), 0);
    assert_int_equal(dg_dax_key_decode(&nb, (uint8_t *)b.data, b.len, NULL, A, &k, &err), 0);
    assert_true(dg_dax_av_equal(&k, &kn));
    dg_buf_reset(&b);
    /* missing / mistyped key attributes */
    dg_dax_av miss = item("{\"ProductID\":{\"S\":\"P1\"}}");
    assert_int_equal(dg_dax_key_encode(&ks, &miss, DG_DAX_NUM_EXACT, &b, &err), DG_EINVAL);
    dg_dax_av wrong = item("{\"ProductID\":{\"N\":\"1\"},\"Version\":{\"N\":\"3\"}}");
    assert_int_equal(dg_dax_key_encode(&ks, &wrong, DG_DAX_NUM_EXACT, &b, &err), DG_EINVAL);
    assert_non_null(strstr(err.message, "does not match the schema"));
    dg_buf_free(&b);
}

static void test_name_sorting(void **state)
{
    (void)state;
    /* JS sort (UTF-16 units): U+1F600 (surrogates D83D..) sorts before U+FF21 */
    dg_str a = DG_STR("\xf0\x9f\x98\x80"), b = DG_STR("\xef\xbc\xa1");
    assert_true(dg_dax_name_compare(a, b) < 0);
    assert_true(memcmp(a.ptr, b.ptr, 3) > 0); /* byte order says the opposite */
    assert_true(dg_dax_name_compare(DG_STR("Name"), DG_STR("Price")) < 0);
    assert_true(dg_dax_name_compare(DG_STR("Z"), DG_STR("a")) < 0);
    assert_true(dg_dax_name_compare(DG_STR("ab"), DG_STR("a")) > 0);
    assert_int_equal(dg_dax_name_compare(DG_STR("x"), DG_STR("x")), 0);
    dg_error err;
    dg_dax_key_schema ks = ks_products();
    dg_dax_av it =
        item("{\"b\":{\"S\":\"1\"},\"ProductID\":{\"S\":\"P\"},\"\\uff21\":{\"S\":\"2\"},"
             "\"\\ud83d\\ude00\":{\"S\":\"3\"},\"B\":{\"S\":\"4\"},\"Version\":{\"N\":\"1\"}}");
    dg_dax_names names;
    assert_int_equal(dg_dax_item_attr_names(&it, &ks, A, &names, &err), 0);
    assert_int_equal(names.count, 4);
    assert_true(dg_str_eq_cstr(names.names[0], "B"));
    assert_true(dg_str_eq_cstr(names.names[1], "b"));
    assert_true(dg_str_eq(names.names[2], a));
    assert_true(dg_str_eq(names.names[3], b));
}

static void test_projection_and_updated_forms(void **state)
{
    (void)state;
    dg_error err;
    /* projection "a.b[2], a.b[0], c" -> {a: {b: [v0, v2]}, c} (document order) */
    dg_dax_projection proj;
    assert_int_equal(dg_dax_projection_parse("a.b[2], a.b[0], c", NULL, A, &proj, &err), 0);
    /* reply: 80 a1 00 a3 00 61'x' 01 61'y' 02 01 */
    const uint8_t resp[] = {0x80, 0xa1, 0x00, 0xa3, 0x00, 0x61, 'x', 0x01, 0x61, 'y', 0x02, 0x01};
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.projection = &proj;
    dg_dax_result r;
    size_t used;
    assert_int_equal(
        dg_dax_decode_response(DG_DAX_GET_ITEM, resp, sizeof resp, &ctx, A, &used, &r, &err), 0);
    dg_buf j = DG_BUF_INIT;
    dg_dax_result_to_json(DG_DAX_GET_ITEM, &r, &j);
    assert_json_equal("{\"Item\":{\"a\":{\"M\":{\"b\":{\"L\":[{\"S\":\"y\"},{\"S\":\"x\"}]}}},"
                      "\"c\":{\"N\":\"1\"}}}",
                      dg_buf_cstr(&j));
    dg_buf_reset(&j);
    /* UPDATED_NEW: 80 a1 02 bytes(02 a1 01 <price>) -> {Price} */
    const uint8_t upd[] = {0x80, 0xa1, 0x02, 0x46, 0x02, 0xa1, 0x01, 0x19, 0x01, 0x00};
    memset(&ctx, 0, sizeof ctx);
    ctx.resolver.attr_list = resolve_list;
    ctx.return_values = DG_DAX_RV_UPDATED_NEW;
    assert_int_equal(
        dg_dax_decode_response(DG_DAX_UPDATE_ITEM, upd, sizeof upd, &ctx, A, &used, &r, &err), 0);
    dg_dax_result_to_json(DG_DAX_UPDATE_ITEM, &r, &j);
    assert_json_equal("{\"Attributes\":{\"Price\":{\"N\":\"256\"}}}", dg_buf_cstr(&j));
    dg_buf_free(&j);
    /* an ordinal outside the projection is malformed */
    const uint8_t bad[] = {0x80, 0xa1, 0x00, 0xa1, 0x07, 0x01};
    memset(&ctx, 0, sizeof ctx);
    ctx.projection = &proj;
    assert_int_equal(
        dg_dax_decode_response(DG_DAX_GET_ITEM, bad, sizeof bad, &ctx, A, &used, &r, &err),
        DG_EINVAL);
}

static void test_transaction_canceled(void **state)
{
    (void)state;
    /* [4,37,38,39,58] "cancelled" ["rid","TransactionCanceledException",400,
     *   ["ConditionalCheckFailed","failed", h'02 61 58 07', null,null,null]] */
    const uint8_t resp[] = {
        0x85, 0x04, 0x18, 0x25, 0x18, 0x26, 0x18, 0x27, 0x18, 0x3a, 0x69, 'c',  'a',  'n',
        'c',  'e',  'l',  'l',  'e',  'd',  0x84, 0x63, 'r',  'i',  'd',  0x78, 0x1c, 'T',
        'r',  'a',  'n',  's',  'a',  'c',  't',  'i',  'o',  'n',  'C',  'a',  'n',  'c',
        'e',  'l',  'e',  'd',  'E',  'x',  'c',  'e',  'p',  't',  'i',  'o',  'n',  0x19,
        0x01, 0x90, 0x86, 0x76, 'C',  'o',  'n',  'd',  'i',  't',  'i',  'o',  'n',  'a',
        'l',  'C',  'h',  'e',  'c',  'k',  'F',  'a',  'i',  'l',  'e',  'd',  0x66, 'f',
        'a',  'i',  'l',  'e',  'd',  0x44, 0x02, 0x61, 'X',  0x07, 0xf6, 0xf6, 0xf6};
    dg_dax_key_schema ks = ks_products();
    dg_dax_av key = item("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}");
    dg_dax_transact_write tw[2];
    memset(tw, 0, sizeof tw);
    tw[0].op = DG_DAX_TX_CONDITION_CHECK, tw[0].key = &key, tw[0].key_schema = &ks;
    tw[1] = tw[0];
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.resolver.attr_list = resolve_list;
    ctx.transact_write = tw;
    ctx.transact_write_count = 2;
    dg_dax_result r;
    size_t used, len;
    dg_error err;
    assert_int_equal(
        dg_dax_response_scan(DG_DAX_TRANSACT_WRITE_ITEMS, resp, sizeof resp, NULL, &len), 0);
    assert_int_equal(len, sizeof resp);
    int rc = dg_dax_decode_response(DG_DAX_TRANSACT_WRITE_ITEMS, resp, sizeof resp, &ctx, A, &used,
                                    &r, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_true(r.is_error);
    assert_true(r.error.has_reasons);
    assert_int_equal(r.error.reason_count, 2);
    assert_true(dg_str_eq_cstr(r.error.reasons[0].code, "ConditionalCheckFailed"));
    assert_true(r.error.reasons[0].has_item);
    dg_buf j = DG_BUF_INIT;
    dg_dax_item_to_json(&r.error.reasons[0].item, &j);
    assert_json_equal("{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"},"
                      "\"Name\":{\"S\":\"X\"},\"Price\":{\"N\":\"7\"}}",
                      dg_buf_cstr(&j));
    dg_buf_free(&j);
    assert_null(r.error.reasons[1].code.ptr);
    assert_false(r.error.reasons[1].has_item);
    assert_true(dg_dax_error_retryable(&r.error)); /* the client retries 58 */
    dg_error e2;
    assert_int_equal(dg_dax_service_error_to_dg(&r.error, &e2), DG_ECONFLICT);
}

/* ------------------------------------------------------------------ hostile input */

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

static dg_dax_projection g_proj;

/* Run every decoder over p; they must return a defined status, never crash. */
static void all_decoders(const uint8_t *p, size_t n)
{
    dg_dax_key_schema ks = ks_products();
    dg_dax_key_schema hs = {1, {{DG_STR("id"), DG_DAX_N}}};
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.key_schema = &ks;
    ctx.resolver.attr_list = resolve_list;
    ctx.resolver.key_schema = resolve_ks;
    dg_error err;
    for (size_t m = 0; m < sizeof k_methods / sizeof k_methods[0]; m++) {
        dg_dax_result r;
        size_t used, len;
        for (int variant = 0; variant < 3; variant++) {
            ctx.projection = variant == 1 ? &g_proj : NULL;
            ctx.return_values = variant == 2 ? DG_DAX_RV_UPDATED_NEW : 0;
            ctx.index_name = variant == 2;
            int rc = dg_dax_decode_response(k_methods[m], p, n, &ctx, A, &used, &r, &err);
            assert_true(rc == 0 || rc == DG_DAX_NEED_MORE || rc < 0);
            if (rc == 0) {
                assert_true(used <= n);
                dg_buf j = DG_BUF_INIT;
                dg_dax_result_to_json(k_methods[m], &r, &j);
                dg_buf_free(&j);
            }
        }
        int rc = dg_dax_response_scan(k_methods[m], p, n, NULL, &len);
        assert_true(rc == 0 || rc == DG_DAX_NEED_MORE || rc < 0);
    }
    dg_dax_av v;
    size_t used, len;
    int64_t mid;
    dg_dax_av_decode(p, n, &used, NULL, A, &v, &err);
    dg_dax_key_decode(&ks, p, n, NULL, A, &v, &err);
    dg_dax_key_decode(&hs, p, n, NULL, A, &v, &err);
    dg_str s;
    dg_dax_lexdec_decode(p, n, &used, A, &s, &err);
    uint64_t lid;
    dg_dax_av *vals;
    size_t cnt;
    dg_dax_nonkey_decode(p, n, NULL, A, &lid, &vals, &cnt, &err);
    dg_dax_request_scan(p, n, NULL, &mid, &len);
    dg_dax_preamble_scan(p, n, NULL, &len);
    dg_arena_reset(A);
}

static const char *k_resp_files[] = {"03-endpoints.resp.hex",
                                     "05-defineKeySchema.resp.hex",
                                     "06-getItem.resp.hex",
                                     "07-defineAttributeList.resp.hex",
                                     "08-defineAttributeListId.resp.hex",
                                     "09-putItem.resp.hex",
                                     "10-query.resp.hex",
                                     "21-getItem-projection-cr-rcc.resp.hex",
                                     "22-getItem-error.resp.hex",
                                     "23-updateItem.resp.hex",
                                     "24-deleteItem.resp.hex",
                                     "25-scan.resp.hex",
                                     "26-query-range-cond.resp.hex",
                                     "27-batchGetItem.resp.hex",
                                     "28-batchWriteItem.resp.hex",
                                     "29-transactWriteItems.resp.hex",
                                     "30-transactGetItems.resp.hex",
                                     "31-putItem-alltypes.resp.hex"};
static const int64_t k_resp_methods[] = {DG_DAX_ENDPOINTS,
                                         DG_DAX_DEFINE_KEY_SCHEMA,
                                         DG_DAX_GET_ITEM,
                                         DG_DAX_DEFINE_ATTRIBUTE_LIST,
                                         DG_DAX_DEFINE_ATTRIBUTE_LIST_ID,
                                         DG_DAX_PUT_ITEM,
                                         DG_DAX_QUERY,
                                         DG_DAX_GET_ITEM,
                                         DG_DAX_GET_ITEM,
                                         DG_DAX_UPDATE_ITEM,
                                         DG_DAX_DELETE_ITEM,
                                         DG_DAX_SCAN,
                                         DG_DAX_QUERY,
                                         DG_DAX_BATCH_GET_ITEM,
                                         DG_DAX_BATCH_WRITE_ITEM,
                                         DG_DAX_TRANSACT_WRITE_ITEMS,
                                         DG_DAX_TRANSACT_GET_ITEMS,
                                         DG_DAX_PUT_ITEM};

static void test_truncated_responses(void **state)
{
    (void)state;
    dg_error err;
    assert_int_equal(dg_dax_projection_parse("Name, Price", NULL, G, &g_proj, &err), 0);
    for (size_t f = 0; f < sizeof k_resp_files / sizeof k_resp_files[0]; f++) {
        size_t n;
        uint8_t *full = vec(k_resp_files[f], &n);
        uint8_t *copy = malloc(n + 1);
        memcpy(copy, full, n);
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *p = malloc(cut ? cut : 1); /* exact-size copy: ASan sees overreads */
            memcpy(p, copy, cut);
            size_t len;
            int rc = dg_dax_response_scan(k_resp_methods[f], p, cut, NULL, &len);
            if (rc != DG_DAX_NEED_MORE)
                fail_msg("%s cut at %zu: scan rc=%d", k_resp_files[f], cut, rc);
            dg_dax_decode_ctx ctx;
            memset(&ctx, 0, sizeof ctx);
            dg_dax_key_schema ks = ks_products();
            ctx.key_schema = &ks;
            ctx.resolver.attr_list = resolve_list;
            ctx.resolver.key_schema = resolve_ks;
            dg_dax_result r;
            size_t used;
            rc = dg_dax_decode_response(k_resp_methods[f], p, cut, &ctx, A, &used, &r, &err);
            assert_true(rc == DG_DAX_NEED_MORE || rc < 0);
            all_decoders(p, cut);
            free(p);
        }
        /* bit flips of the complete message */
        for (size_t i = 0; i < n; i++)
            for (int bit = 0; bit < 8; bit++) {
                uint8_t *p = malloc(n);
                memcpy(p, copy, n);
                p[i] ^= (uint8_t)(1u << bit);
                all_decoders(p, n);
                free(p);
            }
        free(copy);
    }
}

static void test_oversize_and_deep(void **state)
{
    (void)state;
    dg_error err;
    size_t len;
    dg_dax_av v;
    size_t used;
    /* a byte string declaring 2^62 bytes: too big at once, not "need more" */
    const uint8_t huge_bytes[] = {0x5b, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x01};
    assert_int_equal(dg_dax_av_decode(huge_bytes, sizeof huge_bytes, &used, NULL, A, &v, &err),
                     DG_ETOOBIG);
    assert_int_equal(dg_dax_items_scan(huge_bytes, sizeof huge_bytes, 1, NULL, &len), DG_ETOOBIG);
    const uint8_t max_bytes[] = {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(dg_dax_items_scan(max_bytes, sizeof max_bytes, 1, NULL, &len), DG_ETOOBIG);
    const uint8_t huge_text[] = {0x7a, 0x7f, 0xff, 0xff, 0xff, 'a'};
    assert_int_equal(dg_dax_items_scan(huge_text, sizeof huge_text, 1, NULL, &len), DG_ETOOBIG);
    const uint8_t huge_array[] = {0x9b, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x01};
    assert_int_equal(dg_dax_av_decode(huge_array, sizeof huge_array, &used, NULL, A, &v, &err),
                     DG_ETOOBIG);
    const uint8_t huge_map[] = {0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(dg_dax_items_scan(huge_map, sizeof huge_map, 1, NULL, &len), DG_ETOOBIG);
    /* custom limits */
    dg_dax_limits lim = *dg_dax_default_limits();
    lim.max_string = 4;
    const uint8_t five[] = {0x45, 1, 2, 3, 4, 5};
    assert_int_equal(dg_dax_items_scan(five, sizeof five, 1, &lim, &len), DG_ETOOBIG);
    lim = *dg_dax_default_limits();
    lim.max_message = 8;
    const uint8_t ten[] = {0x8a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_int_equal(dg_dax_items_scan(ten, sizeof ten, 1, &lim, &len), DG_ETOOBIG);
    /* nesting: 10000 x [ */
    uint8_t *deep = malloc(10001);
    memset(deep, 0x81, 10000);
    deep[10000] = 0x00;
    assert_int_equal(dg_dax_av_decode(deep, 10001, &used, NULL, A, &v, &err), DG_ETOOBIG);
    assert_int_equal(dg_dax_items_scan(deep, 10001, 1, NULL, &len), DG_ETOOBIG);
    memset(deep, 0x9f, 10000); /* indefinite arrays */
    assert_int_equal(dg_dax_items_scan(deep, 10001, 1, NULL, &len), DG_ETOOBIG);
    memset(deep, 0xd9, 10000); /* tags */
    assert_true(dg_dax_items_scan(deep, 10001, 1, NULL, &len) < 0);
    free(deep);
    /* malformed CBOR: reserved additional info, stray break, bad UTF-8, bad chunk */
    const uint8_t reserved[] = {0x1c};
    assert_int_equal(dg_dax_items_scan(reserved, 1, 1, NULL, &len), DG_EINVAL);
    const uint8_t brk[] = {0xff};
    assert_int_equal(dg_dax_items_scan(brk, 1, 1, NULL, &len), DG_EINVAL);
    const uint8_t badutf[] = {0x62, 0xc3, 0x28};
    assert_int_equal(dg_dax_av_decode(badutf, 3, &used, NULL, A, &v, &err), DG_EINVAL);
    const uint8_t badchunk[] = {0x5f, 0x61, 'a', 0xff};
    assert_int_equal(dg_dax_items_scan(badchunk, 4, 1, NULL, &len), DG_EINVAL);
    const uint8_t oddmap[] = {0xbf, 0x01, 0xff};
    assert_int_equal(dg_dax_items_scan(oddmap, 3, 1, NULL, &len), DG_EINVAL);
    const uint8_t dupmap[] = {0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02};
    assert_int_equal(dg_dax_av_decode(dupmap, sizeof dupmap, &used, NULL, A, &v, &err), DG_EINVAL);
    /* chunked strings are joined */
    const uint8_t chunks[] = {0x7f, 0x62, 'a', 'b', 0x61, 'c', 0xff};
    assert_int_equal(dg_dax_av_decode(chunks, sizeof chunks, &used, NULL, A, &v, &err), 0);
    assert_true(dg_str_eq_cstr(v.s, "abc"));
    /* unknown method ids */
    const uint8_t unk[] = {0x01, 0x05, 0x00};
    int64_t m;
    assert_int_equal(dg_dax_request_scan(unk, sizeof unk, NULL, &m, &len), DG_EUNSUPPORTED);
    assert_int_equal(m, 5);
    /* an error reply whose code array is 9f ff is still an error (first byte != 0x80) */
    const uint8_t err9f[] = {0x9f, 0xff, 0x61, 'x', 0xf6};
    dg_dax_result r;
    assert_int_equal(
        dg_dax_decode_response(DG_DAX_GET_ITEM, err9f, sizeof err9f, NULL, A, &used, &r, &err), 0);
    assert_true(r.is_error);
    assert_int_equal(r.error.http_status, 500);
    /* an unknown attribute list id is reported, not guessed */
    const uint8_t unk_list[] = {0x80, 0xa1, 0x00, 0x42, 0x09, 0x01};
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.resolver.attr_list = resolve_list;
    assert_int_equal(dg_dax_decode_response(DG_DAX_GET_ITEM, unk_list, sizeof unk_list, &ctx, A,
                                            &used, &r, &err),
                     DG_ENOTFOUND);
    /* list id 2 with the wrong number of values */
    const uint8_t short_list[] = {0x80, 0xa1, 0x00, 0x42, 0x02, 0x01};
    assert_int_equal(dg_dax_decode_response(DG_DAX_GET_ITEM, short_list, sizeof short_list, &ctx, A,
                                            &used, &r, &err),
                     DG_EINVAL);
}

static void test_random_bytes(void **state)
{
    (void)state;
    dg_error err;
    assert_int_equal(dg_dax_projection_parse("Name, Price", NULL, G, &g_proj, &err), 0);
    srand(777);
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(rand() % 64);
        uint8_t *p = malloc(n ? n : 1);
        /* bias towards valid-looking CBOR heads */
        for (size_t i = 0; i < n; i++) {
            int r = rand() % 10;
            p[i] = r < 3 ? (uint8_t)(0x80 | (rand() % 0x40)) : r < 4 ? 0x80 : (uint8_t)rand();
        }
        if (n && iter % 2)
            p[0] = 0x80;
        all_decoders(p, n);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vec_preamble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_authorize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_define, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_get_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_get_item_projection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_get_item_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_put_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_put_item_alltypes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_update_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_transact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_request_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexdec_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexdec_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_sorting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projection_and_updated_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_canceled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_responses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_and_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
