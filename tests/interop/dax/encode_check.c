/* Byte-for-byte check of dynagen's DAX request encoder against what an
 * official Node DAX client sent in this test run (captured by dax-local
 * --trace: one line "<method> <hex>" per request).
 *
 * The calls below are the ones tests/interop/dax/capture.js makes, in the
 * same order; the attribute-list id of the put is 2 (the first list a fresh
 * dax-local registers). Numbers use DG_DAX_NUM_NODE_COMPAT (the Node client
 * sends 19.99 as a float64).
 *
 * usage: encode_check TRACE_FILE [label]; prints ok/FAIL lines and
 * "capture: N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/dax_codec.h"
#include "dynagen/error.h"

static int pass, fail;

/* The n-th (0-based) traced request of method, as bytes in out. */
static int traced(const char *path, const char *method, int nth, dg_buf *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int seen = 0, rc = -1;
    size_t ml = strlen(method);
    while ((len = getline(&line, &cap, f)) > 0) {
        if (strncmp(line, method, ml) != 0 || line[ml] != ' ')
            continue;
        if (seen++ != nth)
            continue;
        dg_buf_reset(out);
        for (const char *p = line + ml + 1; p[0] && p[1] && p[0] != '\n'; p += 2) {
            unsigned v;
            if (sscanf(p, "%2x", &v) != 1)
                break;
            char c = (char)v;
            dg_buf_append(out, &c, 1);
        }
        rc = 0;
        break;
    }
    free(line);
    fclose(f);
    return rc;
}

static void hex(const dg_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        printf("%02x", (unsigned char)b->data[i]);
}

static void compare(const char *label, const char *path, const char *name, const char *method,
                    int nth, const dg_buf *mine)
{
    dg_buf got = DG_BUF_INIT;
    if (traced(path, method, nth, &got) != 0) {
        fail++;
        printf("FAIL capture %s %s: no captured %s #%d in the trace\n", label, name, method, nth);
    } else if (got.len == mine->len && memcmp(got.data, mine->data, got.len) == 0) {
        pass++;
        printf("ok   capture %s %s: %zu bytes identical\n", label, name, got.len);
    } else {
        fail++;
        printf("FAIL capture %s %s: differs\n    node   ", label, name);
        hex(&got);
        printf("\n    dynagen ");
        hex(mine);
        printf("\n");
    }
    dg_buf_free(&got);
}

static dg_dax_av av_json(dg_arena *a, const char *json)
{
    dg_dax_av v;
    dg_error err;
    if (dg_dax_item_from_json_text(json, strlen(json), a, &v, &err) != 0) {
        fprintf(stderr, "bad JSON %s: %s\n", json, err.message);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: encode_check TRACE [label]\n");
        return 2;
    }
    const char *path = argv[1];
    const char *label = argc > 2 ? argv[2] : "node";
    dg_arena *a = dg_arena_new(65536);
    dg_error err;
    dg_dax_key_schema ks = {2, {{DG_STR("ProductID"), DG_DAX_S}, {DG_STR("Version"), DG_DAX_N}}};
    dg_str table = DG_STR("Capture");
    dg_dax_av key = av_json(a, "{\"ProductID\":{\"S\":\"C1\"},\"Version\":{\"N\":\"1\"}}");
    dg_dax_av item = av_json(a, "{\"ProductID\":{\"S\":\"C1\"},\"Version\":{\"N\":\"1\"},"
                                "\"Name\":{\"S\":\"Widget\"},\"Price\":{\"N\":\"19.99\"},"
                                "\"Tags\":{\"SS\":[\"a\",\"b\"]}}");
    dg_buf b = DG_BUF_INIT;

    /* putItem, ConditionExpression attribute_not_exists(ProductID) */
    dg_dax_request r = {0};
    r.table = table;
    r.key_schema = &ks;
    r.item = &item;
    r.attr_list_id = 2;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    r.expr.condition = "attribute_not_exists(ProductID)";
    if (dg_dax_encode_put_item(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s putItem: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "putItem (condition)", "putItem", 0, &b);

    /* getItem, eventually consistent */
    dg_buf_reset(&b);
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key_schema = &ks;
    r.key = &key;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    if (dg_dax_encode_get_item(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s getItem: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "getItem", "getItem", 0, &b);

    /* getItem, ConsistentRead + projection */
    dg_buf_reset(&b);
    r.consistent_read = DG_DAX_TRUE;
    dg_dax_strmap names = {(dg_str[]){DG_STR("#n")}, (dg_str[]){DG_STR("Name")}, 1};
    r.expr.projection = "#n, Price";
    r.expr.names = &names;
    if (dg_dax_encode_get_item(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s getItem: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "getItem (consistent, projection)", "getItem", 1, &b);

    /* updateItem SET Price = :p, condition, ReturnValues ALL_NEW */
    dg_buf_reset(&b);
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key_schema = &ks;
    r.key = &key;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    dg_dax_av vals = av_json(a, "{\":p\":{\"N\":\"25\"},\":t\":{\"L\":[{\"S\":\"new\"}]}}");
    r.expr.update = "SET Price = :p, Tags2 = list_append(if_not_exists(Tags2, :t), :t) REMOVE Old";
    r.expr.condition = "attribute_exists(ProductID)";
    r.expr.values = &vals;
    r.return_values = DG_DAX_RV_ALL_NEW;
    if (dg_dax_encode_update_item(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s updateItem: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "updateItem (update, condition, ALL_NEW)", "updateItem", 0, &b);

    /* query with key condition, filter, limit, backwards */
    dg_buf_reset(&b);
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key_schema = &ks;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    dg_dax_av qv =
        av_json(a, "{\":p\":{\"S\":\"C1\"},\":v\":{\"N\":\"1\"},\":x\":{\"N\":\"2.5\"}}");
    r.expr.key_condition = "ProductID = :p AND Version >= :v";
    r.expr.filter = "Price > :x";
    r.expr.values = &qv;
    r.has_limit = true;
    r.limit = 10;
    r.scan_index_forward = DG_DAX_FALSE;
    if (dg_dax_encode_query(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s query: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "query (key condition, filter, limit, backwards)", "query", 0, &b);

    /* deleteItem ReturnValues ALL_OLD */
    dg_buf_reset(&b);
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key_schema = &ks;
    r.key = &key;
    r.num_mode = DG_DAX_NUM_NODE_COMPAT;
    r.return_values = DG_DAX_RV_ALL_OLD;
    if (dg_dax_encode_delete_item(&r, a, &b, NULL, &err) != 0)
        printf("FAIL capture %s deleteItem: encode: %s\n", label, err.message), fail++;
    else
        compare(label, path, "deleteItem (ALL_OLD)", "deleteItem", 1, &b);

    dg_buf_free(&b);
    dg_arena_destroy(a);
    printf("capture: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
