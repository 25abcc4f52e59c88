/* Unit tests (no server): runtime/ddb expression placeholders, the mapping of
 * DynamoDB error bodies to dg_error, response JSON checks, CRC-32, backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "../../runtime/ddb/ddb_internal.h"
#include "dynagen/ddb.h"

/* ------------------------------------------------------------------ expressions */

static void test_expr_placeholders(void **state)
{
    (void)state;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    const char *a = dg_ddb_expr_name(&e, "Version");
    const char *b = dg_ddb_expr_name(&e, "Name");
    const char *a2 = dg_ddb_expr_name(&e, "Version");
    assert_string_equal(a, "#n0");
    assert_string_equal(b, "#n1");
    assert_string_equal(a2, "#n0"); /* same name, same placeholder */
    assert_string_equal(dg_ddb_expr_value(&e, "{\"N\":\"3\"}"), ":v0");
    assert_string_equal(dg_ddb_expr_value(&e, "{\"S\":\"x\"}"), ":v1");
    assert_string_equal(dg_ddb_expr_value(&e, "{\"N\":\"3\"}"), ":v2"); /* values are not merged */
    assert_string_equal(a, "#n0"); /* earlier strings stay valid */

    dg_buf body = DG_BUF_INIT;
    dg_buf_puts(&body, "{\"TableName\":\"T\"");
    assert_int_equal(dg_ddb_expr_append(&e, &body), 0);
    dg_buf_putc(&body, '}');
    assert_string_equal(dg_buf_cstr(&body),
                        "{\"TableName\":\"T\",\"ExpressionAttributeNames\":{\"#n0\":\"Version\","
                        "\"#n1\":\"Name\"},\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"3\"},"
                        "\":v1\":{\"S\":\"x\"},\":v2\":{\"N\":\"3\"}}}");
    cJSON *doc = cJSON_Parse(body.data);
    assert_non_null(doc);
    cJSON_Delete(doc);
    dg_buf_free(&body);
    dg_ddb_expr_clean_up(&e);
}

static void test_expr_escapes_names(void **state)
{
    (void)state;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    /* An attribute name is data: quotes and backslashes cannot break the body. */
    assert_string_equal(dg_ddb_expr_name(&e, "we\"ird\\name"), "#n0");
    dg_buf body = DG_BUF_INIT;
    dg_buf_putc(&body, '{');
    dg_buf_puts(&body, "\"x\":1");
    assert_int_equal(dg_ddb_expr_append(&e, &body), 0);
    dg_buf_putc(&body, '}');
    cJSON *doc = cJSON_Parse(dg_buf_cstr(&body));
    assert_non_null(doc);
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(doc, "ExpressionAttributeNames");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(names, "#n0")->valuestring,
                        "we\"ird\\name");
    assert_null(cJSON_GetObjectItemCaseSensitive(doc, "ExpressionAttributeValues"));
    cJSON_Delete(doc);
    dg_buf_free(&body);
    dg_ddb_expr_clean_up(&e);
}

static void test_expr_empty_and_invalid(void **state)
{
    (void)state;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_buf body = DG_BUF_INIT;
    assert_int_equal(dg_ddb_expr_append(&e, &body), 0);
    assert_int_equal(body.len, 0); /* nothing when empty */
    assert_int_equal(dg_ddb_expr_append(NULL, &body), 0);

    /* A value that is not an AttributeValue object fails the builder. */
    assert_null(dg_ddb_expr_value(&e, "3"));
    assert_int_equal(e.status, DG_EINVAL);
    assert_string_equal(dg_ddb_expr_name(&e, "A"), "#n0"); /* still usable, still failed */
    assert_int_equal(dg_ddb_expr_append(&e, &body), DG_EINVAL);
    dg_ddb_expr_clean_up(&e);

    dg_ddb_expr_init(&e);
    assert_null(dg_ddb_expr_name(&e, NULL));
    assert_int_equal(dg_ddb_expr_append(&e, &body), DG_EINVAL);
    dg_ddb_expr_clean_up(&e);
    dg_ddb_expr_clean_up(&e); /* idempotent */

    /* Many names: placeholders stay unique and stable. */
    dg_ddb_expr_init(&e);
    char name[16];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "a%d", i);
        char want[16];
        snprintf(want, sizeof want, "#n%d", i);
        assert_string_equal(dg_ddb_expr_name(&e, name), want);
    }
    assert_string_equal(dg_ddb_expr_name(&e, "a57"), "#n57");
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&body);
}

/* ------------------------------------------------------------------ error mapping */

typedef struct map_case {
    long status;
    const char *body;
    int code;
    const char *type;
    const char *message;
    dg_ddb_retry_class cls;
} map_case;

static void check_map(const map_case *mc)
{
    cJSON *root = NULL;
    dg_ddb_retry_class cls;
    dg_error err;
    int code = dg_ddb_error_from_response(mc->status, mc->body, mc->body ? strlen(mc->body) : 0,
                                          &root, &cls, &err);
    assert_int_equal(code, mc->code);
    assert_int_equal(err.code, mc->code);
    assert_string_equal(err.type, mc->type);
    assert_string_equal(err.message, mc->message);
    assert_int_equal(cls, mc->cls);
    cJSON_Delete(root);
}

static void test_error_mapping_table(void **state)
{
    (void)state;
    static const map_case cases[] = {
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
         "\"message\":\"Requested resource not found\"}",
         DG_ENOTFOUND, "ResourceNotFoundException", "Requested resource not found", DG_DDB_FINAL},
        /* "Message" (DynamoDB Local) as well as "message" */
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
         "\"Message\":\"The conditional request failed\"}",
         DG_ECONFLICT, "ConditionalCheckFailedException", "The conditional request failed",
         DG_DDB_FINAL},
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionConflictException\","
         "\"message\":\"Transaction is ongoing for the item\"}",
         DG_ECONFLICT, "TransactionConflictException", "Transaction is ongoing for the item",
         DG_DDB_FINAL},
        {400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"bad\"}",
         DG_EINVAL, "ValidationException", "bad", DG_DDB_FINAL},
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceInUseException\","
         "\"message\":\"Table already exists: Products\"}",
         DG_EINVAL, "ResourceInUseException", "Table already exists: Products", DG_DDB_FINAL},
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
         "\"message\":\"slow down\"}",
         DG_ETHROTTLED, "ProvisionedThroughputExceededException", "slow down",
         DG_DDB_RETRY_THROTTLE},
        {400,
         "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"Rate "
         "exceeded\"}",
         DG_ETHROTTLED, "ThrottlingException", "Rate exceeded", DG_DDB_RETRY_THROTTLE},
        {400,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded\",\"message\":\"x\"}",
         DG_ETHROTTLED, "RequestLimitExceeded", "x", DG_DDB_RETRY_THROTTLE},
        {500,
         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":"
         "\"oops\"}",
         DG_ESERVICE, "InternalServerError", "oops", DG_DDB_RETRY_SERVER},
        {503, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ServiceUnavailable\"}", DG_ESERVICE,
         "ServiceUnavailable", "ServiceUnavailable (HTTP 503)", DG_DDB_RETRY_SERVER},
        /* 5xx without a JSON body (a load balancer page) */
        {502, "<html>Bad Gateway</html>", DG_ESERVICE, "",
         "HTTP 502 from DynamoDB without an error body", DG_DDB_RETRY_SERVER},
        {504, NULL, DG_ESERVICE, "", "HTTP 504 from DynamoDB without an error body",
         DG_DDB_RETRY_SERVER},
        /* other 4xx: client errors, never retried */
        {400,
         "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\",\"message\":\"The "
         "security token included in the request is invalid.\"}",
         DG_EINVAL, "UnrecognizedClientException",
         "The security token included in the request is invalid.", DG_DDB_FINAL},
        {413, "", DG_EINVAL, "", "HTTP 413 from DynamoDB without an error body", DG_DDB_FINAL},
        {400, "[1,2]", DG_EINVAL, "", "HTTP 400 from DynamoDB without an error body", DG_DDB_FINAL},
        /* a type without a namespace */
        {400, "{\"__type\":\"ValidationException\",\"message\":\"m\"}", DG_EINVAL,
         "ValidationException", "m", DG_DDB_FINAL},
        /* neither 4xx nor 5xx */
        {302, "", DG_ESERVICE, "", "HTTP 302 from DynamoDB without an error body", DG_DDB_FINAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_map(&cases[i]);
}

static void test_error_mapping_item_and_cancellation(void **state)
{
    (void)state;
    const char *ccf =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
        "\"message\":\"The conditional request failed\","
        "\"Item\":{\"ProductID\":{\"S\":\"p-1\"},\"Version\":{\"N\":\"0\"}}}";
    cJSON *root = NULL;
    dg_ddb_retry_class cls;
    dg_error err;
    assert_int_equal(dg_ddb_error_from_response(400, ccf, strlen(ccf), &root, &cls, &err),
                     DG_ECONFLICT);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "Item");
    assert_non_null(item);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "ProductID"), "S")
            ->valuestring,
        "p-1");
    cJSON_Delete(root);

    /* TransactionCanceledException: conflict when every reason is None or ConditionalCheckFailed.
     */
    const char *tc1 =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
        "\"Message\":\"Transaction cancelled [None, ConditionalCheckFailed]\","
        "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\","
        "\"Message\":\"The conditional request failed\"}]}";
    assert_int_equal(dg_ddb_error_from_response(400, tc1, strlen(tc1), &root, &cls, &err),
                     DG_ECONFLICT);
    assert_string_equal(err.type, "TransactionCanceledException");
    assert_int_equal(cls, DG_DDB_FINAL);
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "CancellationReasons")), 2);
    cJSON_Delete(root);

    const char *tc2 =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
        "\"Message\":\"Transaction cancelled\","
        "\"CancellationReasons\":[{\"Code\":\"ConditionalCheckFailed\"},"
        "{\"Code\":\"TransactionConflict\"}]}";
    assert_int_equal(dg_ddb_error_from_response(400, tc2, strlen(tc2), &root, &cls, &err),
                     DG_ESERVICE);
    assert_int_equal(cls, DG_DDB_FINAL); /* never retried */
    cJSON_Delete(root);

    const char *tc3 =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
        "\"Message\":\"Transaction cancelled\"}";
    assert_int_equal(dg_ddb_error_from_response(400, tc3, strlen(tc3), &root, &cls, &err),
                     DG_ESERVICE);
    cJSON_Delete(root);
}

/* ------------------------------------------------------------------ JSON, CRC, helpers */

static void test_parse_json_bounds(void **state)
{
    (void)state;
    cJSON *doc = NULL;
    dg_error err;
    const char *ok = "{\"Item\":{\"a\":{\"S\":\"x\"}}}  \n";
    assert_int_equal(dg_ddb_parse_json(ok, strlen(ok), &doc, &err), 0);
    cJSON_Delete(doc);
    /* length-bounded: the buffer below holds more than len bytes */
    const char two[] = "{\"a\":1}{\"b\":2}";
    assert_int_equal(dg_ddb_parse_json(two, strlen(two), &doc, &err), DG_ESERVICE);
    assert_null(doc);
    const char *trail = "{\"a\":1} x";
    assert_int_equal(dg_ddb_parse_json(trail, strlen(trail), &doc, &err), DG_ESERVICE);
    const char nul[] = "{\"a\":1}\0junk";
    assert_int_equal(dg_ddb_parse_json(nul, sizeof nul - 1, &doc, &err), DG_ESERVICE);
    assert_int_equal(dg_ddb_parse_json("", 0, &doc, &err), DG_ESERVICE);
    const char *trunc = "{\"a\":";
    assert_int_equal(dg_ddb_parse_json(trunc, strlen(trunc), &doc, &err), DG_ESERVICE);
    /* duplicate keys, at any depth, small and large objects */
    const char *dup = "{\"Item\":{\"a\":{\"S\":\"x\"},\"a\":{\"S\":\"y\"}}}";
    assert_int_equal(dg_ddb_parse_json(dup, strlen(dup), &doc, &err), DG_ESERVICE);
    dg_buf big = DG_BUF_INIT;
    dg_buf_puts(&big, "{\"L\":[{");
    for (int i = 0; i < 40; i++)
        dg_buf_printf(&big, "%s\"k%d\":%d", i ? "," : "", i, i);
    dg_buf_puts(&big, "}]}");
    assert_int_equal(dg_ddb_parse_json(big.data, big.len, &doc, &err), 0);
    cJSON_Delete(doc);
    big.len -= 3;
    dg_buf_puts(&big, ",\"k17\":0}]}");
    assert_int_equal(dg_ddb_parse_json(big.data, big.len, &doc, &err), DG_ESERVICE);
    dg_buf_free(&big);
}

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(dg_aws_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(dg_aws_crc32("", 0), 0u);
    /* A value DynamoDB Local sent in x-amz-crc32 for the body "{}". */
    assert_int_equal(dg_aws_crc32("{}", 2), 2745614147u);
}

static void test_short_type(void **state)
{
    (void)state;
    assert_string_equal(dg_ddb_short_type("com.amazonaws.dynamodb.v20120810#Foo"), "Foo");
    assert_string_equal(dg_ddb_short_type("Bar"), "Bar");
    assert_string_equal(dg_ddb_short_type(NULL), "");
}

static void test_client_options_and_backoff(void **state)
{
    (void)state;
    /* A client needs no network to be created. */
    dg_aws_config cfg = {0};
    cfg.credentials.access_key_id = "AKID";
    cfg.credentials.secret_access_key = "secret";
    cfg.region = "eu-west-1";
    cfg.ddb_endpoint = "http://127.0.0.1:9";
    cfg.ddb_host = "127.0.0.1:9";
    dg_ddb_options o = {.base_backoff_ms = 10, .max_backoff_ms = 100};
    dg_ddb_client *c = NULL;
    dg_error err;
    assert_int_equal(dg_ddb_client_new(&cfg, &o, &c, &err), 0);
    assert_int_equal(c->opts.max_attempts, 6); /* 0 = default */
    assert_int_equal(c->opts.request_timeout_ms, 5000);
    assert_int_equal(c->opts.connect_timeout_ms, 1000);
    assert_int_equal(c->opts.max_retry_ms, 10000);
    assert_string_equal(c->url, "http://127.0.0.1:9/");
    assert_string_equal(c->path, "/");
    /* full jitter: uniform in [0, min(max, base * 2^attempt)] */
    for (int attempt = 0; attempt < 12; attempt++) {
        long cap = 10L << attempt;
        if (cap > 100)
            cap = 100;
        long lo = cap, hi = 0;
        for (int i = 0; i < 2000; i++) {
            long ms = dg_ddb_backoff_ms(c, attempt);
            assert_true(ms >= 0 && ms <= cap);
            if (ms < lo)
                lo = ms;
            if (ms > hi)
                hi = ms;
        }
        assert_true(lo <= cap / 4); /* spread over the range */
        assert_true(hi >= cap * 3 / 4);
    }
    const dg_ddb_stats *st = dg_ddb_client_stats(c);
    assert_int_equal(st->calls, 0);
    dg_ddb_client_destroy(c);

    /* An endpoint with a path keeps it. */
    cfg.ddb_endpoint = "https://example.invalid/prefix";
    cfg.ddb_host = "example.invalid";
    assert_int_equal(dg_ddb_client_new(&cfg, NULL, &c, &err), 0);
    assert_string_equal(c->path, "/prefix");
    dg_ddb_client_destroy(c);

    cfg.ddb_endpoint = "ftp://x";
    assert_int_equal(dg_ddb_client_new(&cfg, NULL, &c, &err), DG_EINVAL);
    assert_null(c);
    dg_ddb_client_destroy(NULL);
}

static void test_client_side_validation(void **state)
{
    (void)state;
    dg_aws_config cfg = {0};
    cfg.credentials.access_key_id = "AKID";
    cfg.credentials.secret_access_key = "secret";
    cfg.region = "eu-west-1";
    cfg.ddb_endpoint = "http://127.0.0.1:9";
    cfg.ddb_host = "127.0.0.1:9";
    dg_ddb_client *c = NULL;
    dg_error err;
    assert_int_equal(dg_ddb_client_new(&cfg, NULL, &c, &err), 0);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    /* Refused before anything is sent. */
    dg_ddb_get g = {.table = "T"};
    assert_int_equal(dg_ddb_get_item(c, &g, &res, &err), DG_EINVAL);
    assert_string_equal(err.field, "key");
    dg_ddb_write u = {.table = "T", .key = "{}"};
    assert_int_equal(dg_ddb_update_item(c, &u, &res, &err), DG_EINVAL);
    assert_string_equal(err.field, "update");
    dg_ddb_query q = {.table = "T"};
    assert_int_equal(dg_ddb_query_page(c, &q, &res, &err), DG_EINVAL);
    assert_string_equal(err.field, "key_condition");
    assert_int_equal(dg_ddb_transact_write(c, "[]", "", &res, &err), DG_EINVAL);
    assert_int_equal(dg_ddb_transact_write(c, "[]", "has space", &res, &err), DG_EINVAL);
    assert_int_equal(dg_ddb_call(c, "", "{}", 2, &res, &err), DG_EINVAL);
    assert_int_equal(dg_ddb_call(c, "Get/Item", "{}", 2, &res, &err), DG_EINVAL);
    assert_int_equal(dg_ddb_client_stats(c)->attempts, 0);
    dg_ddb_result_clean_up(&res);
    dg_ddb_client_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_placeholders),
        cmocka_unit_test(test_expr_escapes_names),
        cmocka_unit_test(test_expr_empty_and_invalid),
        cmocka_unit_test(test_error_mapping_table),
        cmocka_unit_test(test_error_mapping_item_and_cancellation),
        cmocka_unit_test(test_parse_json_bounds),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_short_type),
        cmocka_unit_test(test_client_options_and_backoff),
        cmocka_unit_test(test_client_side_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
