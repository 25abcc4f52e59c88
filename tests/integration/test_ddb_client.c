/* Integration tests: runtime/ddb against a real DynamoDB Local (started by
 * tests/suites/ddb.sh), never a mock. Every test works in its own uniquely
 * named tables created from the generated models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "ddb_fixture.h"
#include "dynagen/codec_util.h"
#include "dynagen/ddb.h"
#include "fault_proxy.h"
#include "kitchensink.h"
#include "orders.h"
#include "products.h"

/* ------------------------------------------------------------------ helpers */

static dg_ddb_client *C; /* default client, shared by the tests */

static int group_setup(void **state)
{
    (void)state;
    C = fx_client(NULL);
    return C != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    dg_ddb_client_destroy(C);
    C = NULL;
    dg_model_cleanup();
    return 0;
}

/* A JSON string value (quoted, escaped) appended to b. */
static void js(dg_buf *b, const char *s)
{
    dg_buf_json_string(b, s, strlen(s));
}

/* {"ProductID":{"S":id},"Version":{"N":"v"}} */
static const char *pkey(dg_buf *b, const char *id, long v)
{
    dg_buf_reset(b);
    dg_buf_puts(b, "{\"ProductID\":{\"S\":");
    js(b, id);
    dg_buf_printf(b, "},\"Version\":{\"N\":\"%ld\"}}", v);
    return dg_buf_cstr(b);
}

/* A product item marshalled by the generated code. */
static const char *product_item(dg_buf *b, const char *id, long version, const char *category,
                                int64_t price_cents)
{
    product_t p;
    product_init(&p);
    product_set_product_id(&p, dg_str_from(id, strlen(id)));
    product_set_version(&p, version);
    product_set_name(&p, DG_STR("Widget"));
    product_set_category(&p, dg_str_from(category, strlen(category)));
    product_set_price(&p, price_cents);
    product_set_expires_at(&p, 4102444800); /* 2100-01-01 */
    dg_error err;
    dg_buf_reset(b);
    assert_int_equal(product_to_ddb(&p, b, &err), 0);
    return dg_buf_cstr(b);
}

static void put_product(const char *table, const char *id, long version, const char *category,
                        int64_t price)
{
    dg_buf item = DG_BUF_INIT;
    dg_ddb_write w = {.table = table, .item = product_item(&item, id, version, category, price)};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    int rc = dg_ddb_put_item(C, &w, &res, &err);
    if (rc != 0)
        fail_msg("PutItem: %s %s", err.type, err.message);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&item);
}

static const char *attr_s(const cJSON *item, const char *name)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(item, name);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "S");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

static long attr_n(const cJSON *item, const char *name)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(item, name);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "N");
    assert_true(cJSON_IsString(n));
    return strtol(n->valuestring, NULL, 10);
}

/* getenv with AWS_ENDPOINT_URL_DYNAMODB replaced by ctx. */
static const char *env_with_endpoint(void *ctx, const char *name)
{
    if (strcmp(name, "AWS_ENDPOINT_URL_DYNAMODB") == 0)
        return ctx;
    return getenv(name);
}

static dg_ddb_client *client_at(const char *endpoint, const dg_ddb_options *opts)
{
    dg_aws_config cfg;
    dg_error err;
    if (dg_aws_config_from_env(&cfg, env_with_endpoint, (void *)endpoint, &err) != 0)
        fail_msg("config: %s", err.message);
    dg_ddb_client *c = NULL;
    assert_int_equal(dg_ddb_client_new(&cfg, opts, &c, &err), 0);
    dg_aws_config_clean_up(&cfg);
    return c;
}

static int upstream_port(void)
{
    const char *ep = getenv("AWS_ENDPOINT_URL_DYNAMODB");
    assert_non_null(ep);
    const char *colon = strrchr(ep, ':');
    assert_non_null(colon);
    return atoi(colon + 1);
}

/* A loopback port nothing listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ------------------------------------------------------------------ items */

static void test_put_get_update_delete(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "crud", t);
    put_product(t, "p-1", 0, "tools", 1999);

    dg_buf key = DG_BUF_INIT, vals = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;

    /* GetItem, strongly consistent, then through generated unmarshal. */
    dg_ddb_get g = {.table = t, .key = pkey(&key, "p-1", 0), .consistent = true};
    assert_int_equal(dg_ddb_get_item(C, &g, &res, &err), 0);
    assert_non_null(res.item);
    assert_string_equal(attr_s(res.item, "Category"), "tools");
    assert_int_equal(res.attempts, 1);
    char *text = cJSON_PrintUnformatted(res.item);
    dg_arena *a = dg_arena_new(0);
    product_t p;
    assert_int_equal(product_from_ddb(&p, text, strlen(text), a, &err), 0);
    assert_int_equal(p.price, 1999);
    assert_int_equal(p.expires_at, 4102444800);
    free(text);
    dg_arena_destroy(a);

    /* Projection with placeholders (Name is a reserved word). */
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char proj[64];
    snprintf(proj, sizeof proj, "%s, %s", dg_ddb_expr_name(&e, "Name"),
             dg_ddb_expr_name(&e, "Price"));
    g.projection = proj;
    g.expr = &e;
    assert_int_equal(dg_ddb_get_item(C, &g, &res, &err), 0);
    assert_non_null(res.item);
    assert_string_equal(attr_s(res.item, "Name"), "Widget");
    assert_null(cJSON_GetObjectItemCaseSensitive(res.item, "Category"));
    dg_ddb_expr_clean_up(&e);

    /* UpdateItem: SET with values, ALL_NEW. */
    dg_ddb_expr_init(&e);
    char upd[128];
    snprintf(upd, sizeof upd, "SET %s = %s ADD %s %s", dg_ddb_expr_name(&e, "Name"),
             dg_ddb_expr_value(&e, "{\"S\":\"Gadget \\\"deluxe\\\"\"}"),
             dg_ddb_expr_name(&e, "Stock"), dg_ddb_expr_value(&e, "{\"N\":\"7\"}"));
    char cond[64];
    snprintf(cond, sizeof cond, "%s = %s", dg_ddb_expr_name(&e, "Category"),
             dg_ddb_expr_value(&e, "{\"S\":\"tools\"}"));
    dg_ddb_write w = {.table = t,
                      .key = pkey(&key, "p-1", 0),
                      .update = upd,
                      .condition = cond,
                      .expr = &e,
                      .return_values = DG_RV_ALL_NEW};
    assert_int_equal(dg_ddb_update_item(C, &w, &res, &err), 0);
    assert_non_null(res.item);
    assert_string_equal(attr_s(res.item, "Name"), "Gadget \"deluxe\"");
    assert_int_equal(attr_n(res.item, "Stock"), 7);
    /* UPDATED_OLD on a second update */
    w.return_values = DG_RV_UPDATED_OLD;
    assert_int_equal(dg_ddb_update_item(C, &w, &res, &err), 0);
    assert_int_equal(attr_n(res.item, "Stock"), 7);
    dg_ddb_expr_clean_up(&e);

    /* DeleteItem with ALL_OLD, then the item is gone. */
    dg_ddb_write d = {.table = t, .key = pkey(&key, "p-1", 0), .return_values = DG_RV_ALL_OLD};
    assert_int_equal(dg_ddb_delete_item(C, &d, &res, &err), 0);
    assert_non_null(res.item);
    assert_int_equal(attr_n(res.item, "Stock"), 14);
    g.projection = NULL;
    g.expr = NULL;
    assert_int_equal(dg_ddb_get_item(C, &g, &res, &err), 0);
    assert_null(res.item);

    /* Put with ReturnValues other than ALL_OLD is refused client-side. */
    d.return_values = DG_RV_ALL_NEW;
    assert_int_equal(dg_ddb_delete_item(C, &d, &res, &err), DG_EINVAL);

    dg_ddb_result_clean_up(&res);
    dg_buf_free(&key);
    dg_buf_free(&vals);
    fx_table_drop(C, t);
}

static void test_conditional_failure_returns_old_item(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "cond", t);
    put_product(t, "p-9", 0, "old-cat", 500);

    dg_buf item = DG_BUF_INIT;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char cond[64];
    snprintf(cond, sizeof cond, "attribute_not_exists(%s)", dg_ddb_expr_name(&e, "ProductID"));
    dg_ddb_write w = {.table = t,
                      .item = product_item(&item, "p-9", 0, "new-cat", 600),
                      .condition = cond,
                      .expr = &e,
                      .return_old_on_condition_failure = true};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    uint64_t retries_before = dg_ddb_client_stats(C)->retries;
    assert_int_equal(dg_ddb_put_item(C, &w, &res, &err), DG_ECONFLICT);
    assert_int_equal(err.code, DG_ECONFLICT);
    assert_string_equal(err.type, "ConditionalCheckFailedException");
    assert_string_equal(err.message, "The conditional request failed");
    assert_int_equal(res.attempts, 1);
    assert_false(res.ambiguous_retry);
    assert_non_null(res.item);
    assert_string_equal(attr_s(res.item, "Category"), "old-cat");
    assert_int_equal(dg_ddb_client_stats(C)->retries, retries_before);

    /* Without ReturnValuesOnConditionCheckFailure: no item. */
    w.return_old_on_condition_failure = false;
    assert_int_equal(dg_ddb_put_item(C, &w, &res, &err), DG_ECONFLICT);
    assert_null(res.item);

    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&item);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ paging */

static void test_query_paging(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "query", t);
    for (long v = 1; v <= 23; v++)
        put_product(t, "p-q", v, v % 2 ? "odd" : "even", 100 * v);
    put_product(t, "p-other", 1, "odd", 1);

    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char kc[64];
    snprintf(kc, sizeof kc, "%s = %s", dg_ddb_expr_name(&e, "ProductID"),
             dg_ddb_expr_value(&e, "{\"S\":\"p-q\"}"));
    dg_ddb_query q = {.table = t, .key_condition = kc, .expr = &e, .limit = 5, .forward = true};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    char *start = NULL;
    long expect = 1;
    int pages = 0;
    for (;;) {
        q.start_key = start;
        assert_int_equal(dg_ddb_query_page(C, &q, &res, &err), 0);
        pages++;
        assert_true(res.count <= 5);
        assert_int_equal(cJSON_GetArraySize(res.items), res.count);
        const cJSON *it;
        cJSON_ArrayForEach(it, res.items)
        {
            assert_int_equal(attr_n(it, "Version"), expect);
            expect++;
        }
        free(start);
        start = NULL;
        if (res.last_key == NULL)
            break;
        start = cJSON_PrintUnformatted(res.last_key);
    }
    assert_int_equal(expect, 24);
    assert_true(pages >= 5); /* 5+5+5+5+3 (DynamoDB may add one empty page) */

    /* Newest first. */
    q.forward = false;
    q.limit = 3;
    q.start_key = NULL;
    assert_int_equal(dg_ddb_query_page(C, &q, &res, &err), 0);
    assert_int_equal(res.count, 3);
    assert_int_equal(attr_n(cJSON_GetArrayItem(res.items, 0), "Version"), 23);
    assert_non_null(res.last_key);
    dg_ddb_expr_clean_up(&e);

    /* The GSI, paged, with a filter. */
    dg_ddb_expr_init(&e);
    snprintf(kc, sizeof kc, "%s = %s", dg_ddb_expr_name(&e, "Category"),
             dg_ddb_expr_value(&e, "{\"S\":\"odd\"}"));
    char filter[64];
    snprintf(filter, sizeof filter, "%s = %s", dg_ddb_expr_name(&e, "ProductID"),
             dg_ddb_expr_value(&e, "{\"S\":\"p-q\"}"));
    dg_ddb_query gq = {.table = t,
                       .index = "CategoryIndex",
                       .key_condition = kc,
                       .filter = filter,
                       .expr = &e,
                       .limit = 4,
                       .forward = true};
    int seen = 0;
    pages = 0;
    do {
        gq.start_key = start;
        assert_int_equal(dg_ddb_query_page(C, &gq, &res, &err), 0);
        pages++;
        seen += res.count;
        free(start);
        start = res.last_key ? cJSON_PrintUnformatted(res.last_key) : NULL;
    } while (start != NULL);
    assert_int_equal(seen, 12); /* odd versions 1..23 */
    assert_true(pages >= 3);
    dg_ddb_expr_clean_up(&e);
    dg_ddb_result_clean_up(&res);
    fx_table_drop(C, t);
}

static void test_scan_paging_and_segments(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &kitchensink_table, "scan", t);
    dg_buf b = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    for (int i = 1; i <= 37; i++) {
        dg_buf_reset(&b);
        dg_buf_printf(&b, "{\"ID\":{\"N\":\"%d\"},\"Title\":{\"S\":\"item %d\"}}", i, i);
        dg_ddb_write w = {.table = t, .item = dg_buf_cstr(&b)};
        assert_int_equal(dg_ddb_put_item(C, &w, &res, &err), 0);
    }
    bool seen[38] = {false};
    int total = 0, pages = 0;
    char *start = NULL;
    dg_ddb_query s = {.table = t, .limit = 7};
    do {
        s.start_key = start;
        assert_int_equal(dg_ddb_scan_page(C, &s, &res, &err), 0);
        pages++;
        const cJSON *it;
        cJSON_ArrayForEach(it, res.items)
        {
            long id = attr_n(it, "ID");
            assert_true(id >= 1 && id <= 37);
            assert_false(seen[id]);
            seen[id] = true;
            total++;
        }
        free(start);
        start = res.last_key ? cJSON_PrintUnformatted(res.last_key) : NULL;
    } while (start != NULL);
    assert_int_equal(total, 37);
    assert_true(pages >= 6);

    /* Parallel scan: two segments cover the table exactly once. */
    int seg_total = 0;
    for (int seg = 0; seg < 2; seg++) {
        dg_ddb_query ps = {.table = t, .segment = seg, .total_segments = 2};
        do {
            ps.start_key = start;
            assert_int_equal(dg_ddb_scan_page(C, &ps, &res, &err), 0);
            seg_total += res.count;
            free(start);
            start = res.last_key ? cJSON_PrintUnformatted(res.last_key) : NULL;
        } while (start != NULL);
    }
    assert_int_equal(seg_total, 37);
    dg_ddb_query bad = {.table = t, .segment = 2, .total_segments = 2};
    assert_int_equal(dg_ddb_scan_page(C, &bad, &res, &err), DG_EINVAL);

    dg_ddb_result_clean_up(&res);
    dg_buf_free(&b);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ batch */

static void test_batch_write_and_get(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &orders_table, "batch", t);
    enum { N = 130 };
    dg_buf b = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;

    /* BatchWriteItem takes 25 requests at most: the caller splits. */
    int chunks = 0;
    for (int i = 0; i < N; i += 25) {
        dg_buf_reset(&b);
        dg_buf_putc(&b, '{');
        js(&b, t);
        dg_buf_puts(&b, ":[");
        for (int j = i; j < i + 25 && j < N; j++)
            dg_buf_printf(&b,
                          "%s{\"PutRequest\":{\"Item\":{\"CustomerID\":{\"S\":\"c-1\"},"
                          "\"OrderNo\":{\"N\":\"%d\"},\"Total\":{\"N\":\"%d.50\"},"
                          "\"PlacedAt\":{\"N\":\"%d\"}}}}",
                          j > i ? "," : "", j, j, 1000 + j);
        dg_buf_puts(&b, "]}");
        assert_int_equal(dg_ddb_batch_write(C, dg_buf_cstr(&b), &res, &err), 0);
        assert_null(res.unprocessed);
        chunks++;
    }
    assert_int_equal(chunks, 6);

    /* 26 requests in one batch: ValidationException, not retried. */
    dg_buf_reset(&b);
    dg_buf_putc(&b, '{');
    js(&b, t);
    dg_buf_puts(&b, ":[");
    for (int j = 0; j < 26; j++)
        dg_buf_printf(&b,
                      "%s{\"DeleteRequest\":{\"Key\":{\"CustomerID\":{\"S\":\"c-1\"},"
                      "\"OrderNo\":{\"N\":\"%d\"}}}}",
                      j ? "," : "", 1000 + j);
    dg_buf_puts(&b, "]}");
    assert_int_equal(dg_ddb_batch_write(C, dg_buf_cstr(&b), &res, &err), DG_EINVAL);
    assert_string_equal(err.type, "ValidationException");
    assert_int_equal(res.attempts, 1);

    /* BatchGetItem takes 100 keys at most: 130 keys in two calls, all found. */
    int found = 0;
    bool seen[N] = {false};
    for (int i = 0; i < N; i += 100) {
        dg_buf_reset(&b);
        dg_buf_putc(&b, '{');
        js(&b, t);
        dg_buf_puts(&b, ":{\"ConsistentRead\":true,\"Keys\":[");
        for (int j = i; j < i + 100 && j < N; j++)
            dg_buf_printf(&b, "%s{\"CustomerID\":{\"S\":\"c-1\"},\"OrderNo\":{\"N\":\"%d\"}}",
                          j > i ? "," : "", j);
        dg_buf_puts(&b, "]}}");
        assert_int_equal(dg_ddb_batch_get(C, dg_buf_cstr(&b), &res, &err), 0);
        assert_null(res.unprocessed);
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(res.responses, t);
        assert_true(cJSON_IsArray(items));
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            long no = attr_n(it, "OrderNo");
            assert_true(no >= 0 && no < N);
            assert_false(seen[no]);
            seen[no] = true;
            found++;
        }
    }
    assert_int_equal(found, N);

    /* 101 keys in one call: DynamoDB refuses (the caller must split). */
    dg_buf_reset(&b);
    dg_buf_putc(&b, '{');
    js(&b, t);
    dg_buf_puts(&b, ":{\"Keys\":[");
    for (int j = 0; j < 101; j++)
        dg_buf_printf(&b, "%s{\"CustomerID\":{\"S\":\"c-1\"},\"OrderNo\":{\"N\":\"%d\"}}",
                      j ? "," : "", j);
    dg_buf_puts(&b, "]}}");
    assert_int_equal(dg_ddb_batch_get(C, dg_buf_cstr(&b), &res, &err), DG_EINVAL);
    assert_string_equal(err.type, "ValidationException");

    dg_ddb_result_clean_up(&res);
    dg_buf_free(&b);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ transactions */

/* TransactItems: put (id, 1) and ADD 1 to the counter of (id, 0). */
static const char *tx_items(dg_buf *b, const char *t, const char *id, long version)
{
    dg_buf_reset(b);
    dg_buf_puts(b, "[{\"Put\":{\"TableName\":");
    js(b, t);
    dg_buf_puts(b, ",\"Item\":{\"ProductID\":{\"S\":");
    js(b, id);
    dg_buf_printf(b, "},\"Version\":{\"N\":\"%ld\"},\"Name\":{\"S\":\"tx\"}}}},", version);
    dg_buf_puts(b, "{\"Update\":{\"TableName\":");
    js(b, t);
    dg_buf_puts(b, ",\"Key\":{\"ProductID\":{\"S\":");
    js(b, id);
    dg_buf_puts(b, "},\"Version\":{\"N\":\"0\"}},\"UpdateExpression\":\"ADD #c :one\","
                   "\"ExpressionAttributeNames\":{\"#c\":\"Stock\"},"
                   "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}]");
    return dg_buf_cstr(b);
}

static long stock_of(const char *t, const char *id)
{
    dg_buf key = DG_BUF_INIT;
    dg_ddb_get g = {.table = t, .key = pkey(&key, id, 0), .consistent = true};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    assert_int_equal(dg_ddb_get_item(C, &g, &res, &err), 0);
    assert_non_null(res.item);
    long n = attr_n(res.item, "Stock");
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&key);
    return n;
}

static void test_transact_write_token_and_get(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "tx", t);
    dg_buf b = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;

    char token[37];
    assert_int_equal(dg_uuid_v4(token, &err), 0);
    assert_int_equal(dg_ddb_transact_write(C, tx_items(&b, t, "p-tx", 1), token, &res, &err), 0);
    assert_int_equal(stock_of(t, "p-tx"), 1);
    /* The same token replayed (a retry after a lost answer): no second effect. */
    assert_int_equal(dg_ddb_transact_write(C, tx_items(&b, t, "p-tx", 1), token, &res, &err), 0);
    assert_int_equal(stock_of(t, "p-tx"), 1);
    /* The same token with other parameters: IdempotentParameterMismatch, a client error. */
    int rc = dg_ddb_transact_write(C, tx_items(&b, t, "p-tx", 2), token, &res, &err);
    assert_int_equal(rc, DG_EINVAL);
    assert_string_equal(err.type, "IdempotentParameterMismatchException");
    /* No token: a fresh random one each call, so the effect happens again. */
    assert_int_equal(dg_ddb_transact_write(C, tx_items(&b, t, "p-tx", 1), NULL, &res, &err), 0);
    assert_int_equal(stock_of(t, "p-tx"), 2);
    /* A token too long for DynamoDB is refused before sending. */
    assert_int_equal(dg_ddb_transact_write(C, tx_items(&b, t, "p-tx", 1),
                                           "0123456789012345678901234567890123456", &res, &err),
                     DG_EINVAL);

    /* A failed condition cancels the transaction: a conflict, with the reasons. */
    dg_buf_reset(&b);
    dg_buf_puts(&b, "[{\"Put\":{\"TableName\":");
    js(&b, t);
    dg_buf_puts(&b, ",\"Item\":{\"ProductID\":{\"S\":\"p-tx\"},\"Version\":{\"N\":\"1\"}},"
                    "\"ConditionExpression\":\"attribute_not_exists(ProductID)\","
                    "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}}]");
    assert_int_equal(dg_ddb_transact_write(C, dg_buf_cstr(&b), NULL, &res, &err), DG_ECONFLICT);
    assert_string_equal(err.type, "TransactionCanceledException");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(res.root, "CancellationReasons");
    assert_int_equal(cJSON_GetArraySize(reasons), 1);
    const cJSON *r0 = cJSON_GetArrayItem(reasons, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r0, "Code")->valuestring,
                        "ConditionalCheckFailed");
    assert_string_equal(attr_s(cJSON_GetObjectItemCaseSensitive(r0, "Item"), "Name"), "tx");

    /* TransactGetItems: both items, in order. */
    dg_buf_reset(&b);
    for (int v = 0; v <= 1; v++) {
        dg_buf_puts(&b, v == 0 ? "[{\"Get\":{\"TableName\":" : ",{\"Get\":{\"TableName\":");
        js(&b, t);
        dg_buf_printf(&b, ",\"Key\":{\"ProductID\":{\"S\":\"p-tx\"},\"Version\":{\"N\":\"%d\"}}}}",
                      v);
    }
    dg_buf_putc(&b, ']');
    assert_int_equal(dg_ddb_transact_get(C, dg_buf_cstr(&b), &res, &err), 0);
    assert_int_equal(cJSON_GetArraySize(res.responses), 2);
    const cJSON *i0 =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(res.responses, 0), "Item");
    const cJSON *i1 =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(res.responses, 1), "Item");
    assert_int_equal(attr_n(i0, "Version"), 0);
    assert_int_equal(attr_n(i0, "Stock"), 2);
    assert_int_equal(attr_n(i1, "Version"), 1);

    dg_ddb_result_clean_up(&res);
    dg_buf_free(&b);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ errors */

static void test_error_mapping(void **state)
{
    (void)state;
    dg_buf key = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    const dg_ddb_stats *st = dg_ddb_client_stats(C);

    /* Missing table. */
    uint64_t calls = st->calls, attempts = st->attempts;
    dg_ddb_get g = {.table = "NoSuchTable-dynagen", .key = pkey(&key, "x", 0)};
    assert_int_equal(dg_ddb_get_item(C, &g, &res, &err), DG_ENOTFOUND);
    assert_int_equal(err.code, DG_ENOTFOUND);
    assert_string_equal(err.type, "ResourceNotFoundException");
    assert_true(strlen(err.message) > 0);
    assert_int_equal(res.attempts, 1);
    assert_int_equal(st->calls, calls + 1);
    assert_int_equal(st->attempts, attempts + 1);

    /* ValidationException: DG_EINVAL, never retried. */
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "err", t);
    dg_ddb_write w = {.table = t, .key = pkey(&key, "x", 0), .update = "SET = broken"};
    uint64_t retries = st->retries;
    assert_int_equal(dg_ddb_update_item(C, &w, &res, &err), DG_EINVAL);
    assert_string_equal(err.type, "ValidationException");
    assert_int_equal(res.attempts, 1);
    assert_int_equal(st->retries, retries);
    /* A key of the wrong type. */
    dg_ddb_get g2 = {.table = t, .key = "{\"ProductID\":{\"N\":\"1\"},\"Version\":{\"N\":\"0\"}}"};
    assert_int_equal(dg_ddb_get_item(C, &g2, &res, &err), DG_EINVAL);
    assert_string_equal(err.type, "ValidationException");
    /* Unknown operation: client error. */
    assert_int_equal(dg_ddb_call(C, "NoSuchOperation", "{}", 2, &res, &err), DG_EINVAL);
    assert_int_equal(dg_ddb_call(C, "Get Item", "{}", 2, &res, &err), DG_EINVAL);
    assert_int_equal(res.attempts, 0);
    /* Required arguments. */
    dg_ddb_write none = {.table = t};
    assert_int_equal(dg_ddb_put_item(C, &none, &res, &err), DG_EINVAL);
    assert_string_equal(err.field, "item");

    dg_ddb_result_clean_up(&res);
    dg_buf_free(&key);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ tables from models */

static const cJSON *find_named(const cJSON *arr, const char *key, const char *name)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(x, key);
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return x;
    }
    return NULL;
}

static void assert_attr_def(const cJSON *table, const char *name, const char *type)
{
    const cJSON *d = find_named(cJSON_GetObjectItemCaseSensitive(table, "AttributeDefinitions"),
                                "AttributeName", name);
    if (d == NULL)
        fail_msg("no attribute definition for %s", name);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "AttributeType")->valuestring, type);
}

static void assert_keys(const cJSON *holder, const char *hash, const char *range)
{
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(holder, "KeySchema");
    assert_int_equal(cJSON_GetArraySize(ks), range ? 2 : 1);
    const cJSON *h = find_named(ks, "KeyType", "HASH");
    assert_non_null(h);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "AttributeName")->valuestring, hash);
    if (range != NULL) {
        const cJSON *r = find_named(ks, "KeyType", "RANGE");
        assert_non_null(r);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "AttributeName")->valuestring,
                            range);
    }
}

static const cJSON *index_of(const cJSON *table, const char *list, const char *name,
                             const char *projection)
{
    const cJSON *ix = find_named(cJSON_GetObjectItemCaseSensitive(table, list), "IndexName", name);
    if (ix == NULL)
        fail_msg("%s has no %s", list, name);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(ix, "Projection");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(p, "ProjectionType")->valuestring,
                        projection);
    return ix;
}

static void assert_ttl(const char *t, const char *attr)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"TableName\":");
    js(&b, t);
    dg_buf_putc(&b, '}');
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    fx_call_ok(C, "DescribeTimeToLive", dg_buf_cstr(&b), &res);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(res.root, "TimeToLiveDescription");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "TimeToLiveStatus")->valuestring,
                        "ENABLED");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "AttributeName")->valuestring, attr);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&b);
}

static const cJSON *describe(const char *t, dg_ddb_result *res)
{
    dg_error err;
    assert_int_equal(dg_ddb_describe_table(C, t, res, &err), 0);
    const cJSON *tab = cJSON_GetObjectItemCaseSensitive(res->root, "Table");
    assert_non_null(tab);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(tab, "TableStatus")->valuestring,
                        "ACTIVE");
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(tab, "BillingModeSummary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(bm, "BillingMode")->valuestring,
                        "PAY_PER_REQUEST");
    return tab;
}

static void test_create_table_products(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "model", t);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    const cJSON *tab = describe(t, &res);
    assert_keys(tab, "ProductID", "Version");
    assert_attr_def(tab, "ProductID", "S");
    assert_attr_def(tab, "Version", "N");
    assert_attr_def(tab, "Category", "S");
    assert_attr_def(tab, "Price", "N");
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tab, "AttributeDefinitions")), 4);
    const cJSON *gsi = index_of(tab, "GlobalSecondaryIndexes", "CategoryIndex", "ALL");
    assert_keys(gsi, "Category", "Price");
    assert_null(cJSON_GetObjectItemCaseSensitive(tab, "LocalSecondaryIndexes"));
    assert_ttl(t, "ExpiresAt");

    /* Creating it again: success, nothing changes (TTL already enabled is fine). */
    dg_error err;
    assert_int_equal(dg_ddb_create_table_from_model(C, &products_table, t, &err), 0);
    assert_int_equal(dg_ddb_update_ttl(C, t, "ExpiresAt", true, &err), 0);
    /* TTL on another attribute: DynamoDB refuses. */
    assert_int_equal(dg_ddb_update_ttl(C, t, "Other", true, &err), DG_EINVAL);
    assert_string_equal(err.type, "ValidationException");

    dg_ddb_result_clean_up(&res);
    fx_table_drop(C, t);
}

static void test_create_table_kitchensink(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &kitchensink_table, "model", t);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    const cJSON *tab = describe(t, &res);
    assert_keys(tab, "ID", NULL);
    assert_attr_def(tab, "ID", "N");
    assert_attr_def(tab, "Region", "S");
    assert_attr_def(tab, "Rank", "N");
    assert_attr_def(tab, "Kind", "S");
    assert_attr_def(tab, "Title", "S");
    assert_attr_def(tab, "SeenAt", "N");
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tab, "AttributeDefinitions")), 6);
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tab, "GlobalSecondaryIndexes")), 3);
    assert_keys(index_of(tab, "GlobalSecondaryIndexes", "ByRegion", "ALL"), "Region", "Rank");
    assert_keys(index_of(tab, "GlobalSecondaryIndexes", "ByKind", "KEYS_ONLY"), "Kind", NULL);
    const cJSON *by_title = index_of(tab, "GlobalSecondaryIndexes", "ByTitle", "INCLUDE");
    assert_keys(by_title, "Title", "SeenAt");
    const cJSON *nka = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(by_title, "Projection"), "NonKeyAttributes");
    assert_int_equal(cJSON_GetArraySize(nka), 2);
    assert_string_equal(cJSON_GetArrayItem(nka, 0)->valuestring, "Amount");
    assert_string_equal(cJSON_GetArrayItem(nka, 1)->valuestring, "Labels");
    assert_ttl(t, "Expires");
    dg_ddb_result_clean_up(&res);
    fx_table_drop(C, t);
}

static void test_create_table_orders(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &orders_table, "model", t);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    const cJSON *tab = describe(t, &res);
    assert_keys(tab, "CustomerID", "OrderNo");
    assert_attr_def(tab, "CustomerID", "S");
    assert_attr_def(tab, "OrderNo", "N");
    assert_attr_def(tab, "PlacedAt", "N");
    assert_attr_def(tab, "Token", "B");
    assert_keys(index_of(tab, "LocalSecondaryIndexes", "ByPlacedAt", "KEYS_ONLY"), "CustomerID",
                "PlacedAt");
    assert_keys(index_of(tab, "GlobalSecondaryIndexes", "ByToken", "ALL"), "Token", NULL);

    /* The binary GSI works: put an item with a Token, query it back by Token. */
    dg_error err;
    dg_ddb_write w = {.table = t,
                      .item = "{\"CustomerID\":{\"S\":\"c\"},\"OrderNo\":{\"N\":\"1\"},"
                              "\"Total\":{\"N\":\"1\"},\"Token\":{\"B\":\"3q2+7w==\"}}"};
    assert_int_equal(dg_ddb_put_item(C, &w, &res, &err), 0);
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char kc[64];
    snprintf(kc, sizeof kc, "%s = %s", dg_ddb_expr_name(&e, "Token"),
             dg_ddb_expr_value(&e, "{\"B\":\"3q2+7w==\"}"));
    dg_ddb_query q = {
        .table = t, .index = "ByToken", .key_condition = kc, .expr = &e, .forward = true};
    assert_int_equal(dg_ddb_query_page(C, &q, &res, &err), 0);
    assert_int_equal(res.count, 1);
    dg_ddb_expr_clean_up(&e);

    /* Orders has no TTL. */
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"TableName\":");
    js(&b, t);
    dg_buf_putc(&b, '}');
    fx_call_ok(C, "DescribeTimeToLive", dg_buf_cstr(&b), &res);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(res.root, "TimeToLiveDescription");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "TimeToLiveStatus")->valuestring,
                        "DISABLED");
    dg_buf_free(&b);
    dg_ddb_result_clean_up(&res);
    fx_table_drop(C, t);
}

/* ------------------------------------------------------------------ retries */

static void test_retry_closed_port(void **state)
{
    (void)state;
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", closed_port());
    dg_ddb_options o = {.max_attempts = 4, .base_backoff_ms = 1, .max_backoff_ms = 5};
    dg_ddb_client *c = client_at(ep, &o);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    dg_ddb_get g = {.table = "Products",
                    .key = "{\"ProductID\":{\"S\":\"x\"},\"Version\":{\"N\":\"0\"}}"};
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_EIO);
    assert_int_equal(err.code, DG_EIO);
    assert_non_null(strstr(err.message, "4 attempts"));
    assert_int_equal(res.attempts, 4);
    const dg_ddb_stats *st = dg_ddb_client_stats(c);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->attempts, 4);
    assert_int_equal(st->retries, 3);
    assert_int_equal(st->connection_errors, 4);
    assert_int_equal(st->throttles, 0);
    /* A refused connection never reached the server: not ambiguous. */
    assert_false(res.ambiguous_retry);

    /* The retry time budget stops earlier than max_attempts. */
    dg_ddb_client_destroy(c);
    dg_ddb_options o2 = {
        .max_attempts = 1000, .max_retry_ms = 150, .base_backoff_ms = 20, .max_backoff_ms = 40};
    c = client_at(ep, &o2);
    uint64_t t0 = dg_monotonic_ns();
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_EIO);
    uint64_t ms = (dg_monotonic_ns() - t0) / 1000000u;
    assert_non_null(strstr(err.message, "budget"));
    assert_true(res.attempts > 1 && res.attempts < 1000);
    assert_true(ms < 2000);
    dg_ddb_result_clean_up(&res);
    dg_ddb_client_destroy(c);
}

static void test_deadline(void **state)
{
    (void)state;
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", closed_port());
    dg_ddb_options o = {.max_attempts = 100000,
                        .max_retry_ms = 600000,
                        .base_backoff_ms = 10,
                        .max_backoff_ms = 50};
    dg_ddb_client *c = client_at(ep, &o);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    dg_ddb_get g = {.table = "Products",
                    .key = "{\"ProductID\":{\"S\":\"x\"},\"Version\":{\"N\":\"0\"}}"};

    dg_ddb_client_set_deadline(c, dg_now_ms() + 300);
    uint64_t t0 = dg_monotonic_ns();
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ETIMEDOUT);
    uint64_t ms = (dg_monotonic_ns() - t0) / 1000000u;
    assert_true(ms < 2000); /* stops at the deadline, not after 100000 attempts */
    assert_true(res.attempts >= 1);
    assert_non_null(strstr(err.message, "deadline"));

    /* Already past: nothing is sent. */
    dg_ddb_client_set_deadline(c, dg_now_ms() - 1);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ETIMEDOUT);
    assert_int_equal(res.attempts, 0);
    dg_ddb_client_destroy(c);

    /* Against the real server, the deadline caps the attempt; cleared, calls work. */
    c = fx_client(NULL);
    dg_ddb_client_set_deadline(c, dg_now_ms() + 60000);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ENOTFOUND);
    dg_ddb_client_set_deadline(c, 0);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ENOTFOUND);
    dg_ddb_result_clean_up(&res);
    dg_ddb_client_destroy(c);
}

/* Through the fault proxy: each fault kind is retried as documented. */
static void test_retries_through_faults(void **state)
{
    (void)state;
    char t[FX_TABLE_NAME_MAX];
    fx_table_create(C, &products_table, "faults", t);
    fault_proxy p;
    assert_int_equal(fp_start(&p, upstream_port()), 0);
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", p.port);
    dg_ddb_options o = {.max_attempts = 4, .base_backoff_ms = 1, .max_backoff_ms = 5};
    dg_ddb_client *c = client_at(ep, &o);
    const dg_ddb_stats *st = dg_ddb_client_stats(c);
    dg_buf item = DG_BUF_INIT, key = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    dg_ddb_get g = {.table = t, .key = pkey(&key, "p-f", 0), .consistent = true};

    /* Throttled twice, then answered. */
    fp_set_fault(&p, FP_THROTTLE, 2);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), 0);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(st->throttles, 2);
    /* 500 once, then answered. */
    fp_set_fault(&p, FP_SERVER_ERROR, 1);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), 0);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(st->server_errors, 1);
    /* A damaged body (x-amz-crc32 mismatch) is retried. */
    fp_set_fault(&p, FP_BAD_CRC, 1);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), 0);
    assert_int_equal(res.attempts, 2);
    /* Connection reset before the request got through: retried. */
    fp_set_fault(&p, FP_RESET_BEFORE, 1);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), 0);
    assert_int_equal(res.attempts, 2);
    assert_true(st->connection_errors >= 2);
    /* Throttled past the budget: DG_ETHROTTLED with the type. */
    fp_set_fault(&p, FP_THROTTLE, 4);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ETHROTTLED);
    assert_string_equal(err.type, "ThrottlingException");
    assert_int_equal(res.attempts, 4);
    /* 5xx past the budget: DG_ESERVICE. */
    fp_set_fault(&p, FP_SERVER_ERROR, 4);
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_ESERVICE);
    assert_string_equal(err.type, "InternalServerError");

    /* The ambiguous retry: the conditional put is applied, its answer is lost,
     * the retry fails its condition and gets the item back. */
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char cond[64];
    snprintf(cond, sizeof cond, "attribute_not_exists(%s)", dg_ddb_expr_name(&e, "ProductID"));
    dg_ddb_write w = {.table = t,
                      .item = product_item(&item, "p-f", 0, "mine", 4242),
                      .condition = cond,
                      .expr = &e,
                      .return_old_on_condition_failure = true};
    int fwd = fp_forwarded(&p);
    fp_set_fault(&p, FP_DROP_RESPONSE, 1);
    assert_int_equal(dg_ddb_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_string_equal(err.type, "ConditionalCheckFailedException");
    assert_int_equal(res.attempts, 2);
    assert_int_equal(fp_forwarded(&p), fwd + 2); /* both attempts reached DynamoDB */
    assert_true(res.ambiguous_retry);
    assert_non_null(res.item);
    assert_string_equal(attr_s(res.item, "Category"), "mine"); /* our own write */
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res.item, "Price"), "N")
            ->valuestring,
        "42.42");

    /* The same conflict without an unanswered attempt is not ambiguous. */
    assert_int_equal(dg_ddb_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_false(res.ambiguous_retry);
    assert_int_equal(res.attempts, 1);

    /* A 5xx earlier in the call also makes a later conflict ambiguous. */
    fp_set_fault(&p, FP_SERVER_ERROR, 1);
    assert_int_equal(dg_ddb_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_true(res.ambiguous_retry);

    /* A throttle did not apply anything: not ambiguous. */
    fp_set_fault(&p, FP_THROTTLE, 1);
    assert_int_equal(dg_ddb_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_false(res.ambiguous_retry);

    /* A lost answer to a TransactWriteItems: the retry carries the same token,
     * so DynamoDB applies it once and answers success. */
    dg_buf tx = DG_BUF_INIT;
    put_product(t, "p-ftx", 0, "c", 1);
    fp_set_fault(&p, FP_DROP_RESPONSE, 1);
    assert_int_equal(dg_ddb_transact_write(c, tx_items(&tx, t, "p-ftx", 1), NULL, &res, &err), 0);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(stock_of(t, "p-ftx"), 1);
    dg_buf_free(&tx);

    dg_ddb_expr_clean_up(&e);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&item);
    dg_buf_free(&key);
    dg_ddb_client_destroy(c);
    fp_stop(&p);
    fx_table_drop(C, t);
}

static void test_env_config_and_session_token(void **state)
{
    (void)state;
    /* A session token is sent (and signed); DynamoDB Local accepts it. */
    setenv("AWS_SESSION_TOKEN", "FQoGZXIvYXdzEJr//////////wEaDLo+token", 1);
    dg_ddb_client *c = fx_client(NULL);
    unsetenv("AWS_SESSION_TOKEN");
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    fx_call_ok(c, "ListTables", "{\"Limit\":1}", &res);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(res.root, "TableNames"));
    dg_ddb_result_clean_up(&res);
    dg_ddb_client_destroy(c);

    /* An incomplete configuration is refused. */
    dg_error err;
    dg_ddb_client *bad = NULL;
    dg_aws_config empty = {0};
    assert_int_equal(dg_ddb_client_new(&empty, NULL, &bad, &err), DG_EINVAL);
    assert_null(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_update_delete),
        cmocka_unit_test(test_conditional_failure_returns_old_item),
        cmocka_unit_test(test_query_paging),
        cmocka_unit_test(test_scan_paging_and_segments),
        cmocka_unit_test(test_batch_write_and_get),
        cmocka_unit_test(test_transact_write_token_and_get),
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_create_table_products),
        cmocka_unit_test(test_create_table_kitchensink),
        cmocka_unit_test(test_create_table_orders),
        cmocka_unit_test(test_retry_closed_port),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_retries_through_faults),
        cmocka_unit_test(test_env_config_and_session_token),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
