/* Unit tests: responses (runtime/lambda/http.c, event.c's writer), error
 * JSON and the dg_error -> HTTP status mapping, the log/EMF line (log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"
#include "dynagen/lambda.h"

typedef struct fx {
    dg_arena *a;
    dg_http_response res;
    dg_buf out;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL || (f->a = dg_arena_new(0)) == NULL)
        return 1;
    dg_http_response_setup(&f->res, f->a);
    dg_buf_init(&f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_http_response_release(&f->res);
    dg_buf_free(&f->out);
    dg_arena_destroy(f->a);
    free(f);
    return 0;
}

/* Write the response JSON and parse it back. */
static cJSON *written(fx *f)
{
    dg_error err;
    dg_buf_reset(&f->out);
    assert_int_equal(dg_apigw_write_response(&f->res, &f->out, &err), 0);
    cJSON *j = cJSON_ParseWithLength(f->out.data, f->out.len);
    assert_non_null(j);
    return j;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void test_response_json(void **state)
{
    fx *f = *state;
    assert_int_equal(dg_http_json(&f->res, 201, "{\"id\":\"x\"}", 10), 0);
    assert_int_equal(dg_http_add_header(&f->res, "Location", "/products/x"), 0);
    assert_int_equal(dg_http_add_header(&f->res, "ETag", "\"1\""), 0);
    cJSON *j = written(f);
    assert_int_equal(get(j, "statusCode")->valueint, 201);
    const cJSON *h = get(j, "headers");
    assert_string_equal(get(h, "content-type")->valuestring, "application/json");
    assert_string_equal(get(h, "location")->valuestring, "/products/x"); /* names lower-cased */
    assert_string_equal(get(h, "etag")->valuestring, "\"1\"");
    assert_null(get(j, "cookies"));
    assert_string_equal(get(j, "body")->valuestring, "{\"id\":\"x\"}");
    assert_true(cJSON_IsFalse(get(j, "isBase64Encoded")));
    cJSON_Delete(j);
    /* exact bytes for the simplest response */
    dg_http_response_clear(&f->res);
    f->res.status = 204;
    dg_error err;
    dg_buf_reset(&f->out);
    assert_int_equal(dg_apigw_write_response(&f->res, &f->out, &err), 0);
    assert_string_equal(
        dg_buf_cstr(&f->out),
        "{\"statusCode\":204,\"headers\":{},\"body\":\"\",\"isBase64Encoded\":false}");
}

static void test_response_multi_value_and_cookies(void **state)
{
    fx *f = *state;
    f->res.status = 200;
    assert_int_equal(dg_http_add_header(&f->res, "Vary", "accept"), 0);
    assert_int_equal(dg_http_add_header(&f->res, "x-one", "1"), 0);
    assert_int_equal(dg_http_add_header(&f->res, "vary", "origin"), 0);
    assert_int_equal(dg_http_add_header(&f->res, "Set-Cookie", "a=1; Path=/"), 0);
    assert_int_equal(dg_http_add_cookie(&f->res, "b=2; HttpOnly"), 0);
    assert_int_equal(f->res.cookie_count, 2);
    assert_string_equal(dg_http_response_header(&f->res, "VARY"), "accept");
    cJSON *j = written(f);
    const cJSON *h = get(j, "headers");
    assert_string_equal(get(h, "vary")->valuestring, "accept, origin");
    assert_string_equal(get(h, "x-one")->valuestring, "1");
    assert_null(get(h, "set-cookie"));
    const cJSON *c = get(j, "cookies");
    assert_int_equal(cJSON_GetArraySize(c), 2);
    assert_string_equal(cJSON_GetArrayItem(c, 0)->valuestring, "a=1; Path=/");
    assert_string_equal(cJSON_GetArrayItem(c, 1)->valuestring, "b=2; HttpOnly");
    cJSON_Delete(j);
    /* set replaces every value */
    assert_int_equal(dg_http_set_header(&f->res, "VARY", "*"), 0);
    j = written(f);
    assert_string_equal(get(get(j, "headers"), "vary")->valuestring, "*");
    cJSON_Delete(j);
    /* header injection and bad names are refused */
    assert_int_equal(dg_http_add_header(&f->res, "x", "a\r\nSet-Cookie: evil"), DG_EINVAL);
    assert_int_equal(dg_http_set_header(&f->res, "x", "a\nb"), DG_EINVAL);
    assert_int_equal(dg_http_add_header(&f->res, "bad name", "v"), DG_EINVAL);
    assert_int_equal(dg_http_add_header(&f->res, "", "v"), DG_EINVAL);
    assert_int_equal(dg_http_add_header(&f->res, "x:y", "v"), DG_EINVAL);
    assert_int_equal(dg_http_add_cookie(&f->res, "c=1\r\n"), DG_EINVAL);
    /* many headers grow the arrays */
    for (int i = 0; i < 100; i++) {
        char n[16];
        snprintf(n, sizeof n, "x-h%d", i);
        assert_int_equal(dg_http_add_header(&f->res, n, "v"), 0);
    }
    assert_string_equal(dg_http_response_header(&f->res, "x-h99"), "v");
}

static void test_response_base64(void **state)
{
    fx *f = *state;
    f->res.status = 200;
    dg_buf_append(&f->res.body, "\x00\xff\x10", 3);
    f->res.is_base64 = true;
    cJSON *j = written(f);
    assert_string_equal(get(j, "body")->valuestring, "AP8Q");
    assert_true(cJSON_IsTrue(get(j, "isBase64Encoded")));
    cJSON_Delete(j);
    /* invalid UTF-8 is base64-encoded even when not asked */
    f->res.is_base64 = false;
    dg_buf_reset(&f->res.body);
    dg_buf_append(&f->res.body, "caf\xe9", 4);
    j = written(f);
    assert_string_equal(get(j, "body")->valuestring, "Y2Fm6Q==");
    assert_true(cJSON_IsTrue(get(j, "isBase64Encoded")));
    cJSON_Delete(j);
    /* valid UTF-8 with escapes stays text */
    dg_buf_reset(&f->res.body);
    dg_buf_puts(&f->res.body, "line\n\"q\" \xc3\xa9");
    j = written(f);
    assert_string_equal(get(j, "body")->valuestring, "line\n\"q\" \xc3\xa9");
    assert_true(cJSON_IsFalse(get(j, "isBase64Encoded")));
    cJSON_Delete(j);
}

static void test_response_invalid(void **state)
{
    fx *f = *state;
    dg_error err;
    f->res.status = 0;
    assert_int_equal(dg_apigw_write_response(&f->res, &f->out, &err), DG_EINVAL);
    f->res.status = 600;
    assert_int_equal(dg_apigw_write_response(&f->res, &f->out, &err), DG_EINVAL);
    assert_non_null(strstr(err.message, "600"));
    f->res.status = 200;
    assert_int_equal(dg_http_add_header(&f->res, "x-bin", "\xff"), 0);
    dg_buf_reset(&f->out);
    assert_int_equal(dg_apigw_write_response(&f->res, &f->out, &err), DG_EINVAL);
    assert_non_null(strstr(err.message, "UTF-8"));
}

static void test_error_json(void **state)
{
    fx *f = *state;
    dg_http_add_header(&f->res, "x-old", "1");
    dg_buf_puts(&f->res.body, "old body");
    assert_int_equal(
        dg_http_error(&f->res, 422, "unprocessable", "price: must be >= 0 \"x\"", "price"), 0);
    assert_int_equal(f->res.status, 422);
    assert_null(dg_http_response_header(&f->res, "x-old")); /* replaced */
    assert_string_equal(dg_buf_cstr(&f->res.body),
                        "{\"error\":{\"code\":\"unprocessable\",\"message\":\"price: must be >= 0 "
                        "\\\"x\\\"\",\"field\":\"price\"}}");
    assert_int_equal(dg_http_error(&f->res, 404, NULL, "gone", ""), 0);
    assert_string_equal(dg_buf_cstr(&f->res.body),
                        "{\"error\":{\"code\":\"not_found\",\"message\":\"gone\"}}");
    /* invalid UTF-8 in a message never makes invalid JSON */
    assert_int_equal(dg_http_error(&f->res, 400, "bad_request", "bad \xff byte", "f\xc3"), 0);
    cJSON *j = cJSON_ParseWithLength(f->res.body.data, f->res.body.len);
    assert_non_null(j);
    cJSON_Delete(j);
}

static void test_status_mapping(void **state)
{
    (void)state;
    assert_int_equal(dg_http_status_for(DG_EINVAL), 400);
    assert_int_equal(dg_http_status_for(DG_ERANGE), 400);
    assert_int_equal(dg_http_status_for(DG_ENOTFOUND), 404);
    assert_int_equal(dg_http_status_for(DG_ECONFLICT), 409);
    assert_int_equal(dg_http_status_for(DG_ETOOBIG), 413);
    assert_int_equal(dg_http_status_for(DG_ETHROTTLED), 429);
    assert_int_equal(dg_http_status_for(DG_EUNSUPPORTED), 501);
    assert_int_equal(dg_http_status_for(DG_EIO), 503);
    assert_int_equal(dg_http_status_for(DG_ETIMEDOUT), 504);
    assert_int_equal(dg_http_status_for(DG_ENOMEM), 500);
    assert_int_equal(dg_http_status_for(DG_ESERVICE), 500);
    assert_int_equal(dg_http_status_for(DG_EINTERNAL), 500);
    assert_int_equal(dg_http_status_for(DG_OK), 500);
    assert_int_equal(dg_http_status_for(-1000), 500);
    static const int st[] = {400, 404, 405, 409, 413, 415, 422, 429, 500, 501, 502, 503, 504};
    static const char *const codes[] = {
        "bad_request",     "not_found",         "method_not_allowed",
        "conflict",        "payload_too_large", "unsupported_media_type",
        "unprocessable",   "throttled",         "internal",
        "not_implemented", "bad_gateway",       "unavailable",
        "timeout"};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        assert_string_equal(dg_http_code_for(st[i]), codes[i]);
    assert_string_equal(dg_http_code_for(418), "error");
}

/* dg_http_error_from for one error: status, code, message shown, field. */
static void check_from(fx *f, int code, const char *type, const char *msg, const char *field,
                       int want_status, const char *want_code, bool message_shown,
                       const char *retry_after)
{
    dg_error e;
    dg_error_set(&e, code, field, "%s", msg);
    if (type != NULL)
        snprintf(e.type, sizeof e.type, "%s", type);
    assert_int_equal(dg_http_error_from(&f->res, &e), want_status);
    assert_int_equal(f->res.status, want_status);
    cJSON *j = cJSON_ParseWithLength(f->res.body.data, f->res.body.len);
    assert_non_null(j);
    const cJSON *er = get(j, "error");
    assert_string_equal(get(er, "code")->valuestring, want_code);
    const char *shown = get(er, "message")->valuestring;
    if (message_shown) {
        assert_string_equal(shown, msg);
        if (field != NULL && *field)
            assert_string_equal(get(er, "field")->valuestring, field);
    } else {
        assert_null(strstr(shown, msg));
        assert_null(get(er, "field"));
        assert_true(strlen(shown) > 0);
    }
    const char *ra = dg_http_response_header(&f->res, "retry-after");
    if (retry_after == NULL)
        assert_null(ra);
    else
        assert_string_equal(ra, retry_after);
    cJSON_Delete(j);
}

static void test_error_from(void **state)
{
    fx *f = *state;
    /* client errors show dynagen's message and field */
    check_from(f, DG_EINVAL, NULL, "price: must be >= 0", "price", 400, "bad_request", true, NULL);
    check_from(f, DG_ERANGE, NULL, "stock: 1e99 is out of range", "stock", 400, "bad_request", true,
               NULL);
    check_from(f, DG_ENOTFOUND, NULL, "product abc not found", NULL, 404, "not_found", true, NULL);
    check_from(f, DG_ECONFLICT, NULL, "version 3 is not current (4)", "version", 409, "conflict",
               true, NULL);
    check_from(f, DG_ETOOBIG, NULL, "name: longer than 200", "name", 413, "payload_too_large", true,
               NULL);
    /* a remote service's error never leaks; a rejected request of ours is a 500 */
    check_from(f, DG_EINVAL, "ValidationException", "Invalid UpdateExpression: table Products",
               NULL, 500, "internal", false, NULL);
    check_from(f, DG_ECONFLICT, "ConditionalCheckFailedException", "The conditional request failed",
               NULL, 409, "conflict", false, NULL);
    /* server-side errors: generic message, Retry-After where a retry helps */
    check_from(f, DG_ETHROTTLED, "ProvisionedThroughputExceededException", "rate exceeded", NULL,
               429, "throttled", false, "1");
    check_from(f, DG_EIO, NULL, "connect to dynamodb.internal:8000 refused", NULL, 503,
               "unavailable", false, "1");
    /* an upstream that fails TLS verification: 502, no Retry-After, no detail */
    check_from(f, DG_EUNTRUSTED, NULL, "POST https://127.0.0.1:1/: SSL peer certificate was not OK",
               NULL, 502, "bad_gateway", false, NULL);
    check_from(f, DG_ETIMEDOUT, NULL, "deadline 1234 passed", NULL, 504, "timeout", false, NULL);
    check_from(f, DG_EUNSUPPORTED, NULL, "table Products has no versioning", NULL, 501,
               "not_implemented", false, NULL);
    check_from(f, DG_ESERVICE, "InternalServerError", "boom at host x", NULL, 500, "internal",
               false, NULL);
    check_from(f, DG_ENOMEM, NULL, "arena limit 1048576", NULL, 500, "internal", false, NULL);
    check_from(f, DG_EINTERNAL, NULL, "assertion x failed in store.c:42", NULL, 500, "internal",
               false, NULL);
    /* NULL error: 500 */
    assert_int_equal(dg_http_error_from(&f->res, NULL), 500);
}

static void test_fail_keeps_detail(void **state)
{
    fx *f = *state;
    dg_http_request req;
    dg_http_metrics m;
    memset(&req, 0, sizeof req);
    memset(&m, 0, sizeof m);
    req.metrics = &m;
    dg_error e;
    dg_error_set(&e, DG_ESERVICE, "x", "secret detail");
    snprintf(e.type, sizeof e.type, "AccessDeniedException");
    assert_int_equal(dg_http_fail(&req, &f->res, &e), DG_ESERVICE);
    assert_int_equal(f->res.status, 500);
    assert_null(strstr(f->res.body.data, "secret"));
    assert_non_null(strstr(m.detail, "secret detail"));
    assert_non_null(strstr(m.detail, "AccessDeniedException"));
}

static void test_log_line(void **state)
{
    fx *f = *state;
    dg_http_request req;
    dg_http_metrics m;
    memset(&req, 0, sizeof req);
    memset(&m, 0, sizeof m);
    req.metrics = &m;
    req.method = "GET";
    req.raw_path = "/products/\xff";
    req.request_id = "rid-1";
    req.trace_id = "";
    f->res.status = 200;
    static const struct {
        unsigned hits, misses;
        const char *cache;
    } cases[] = {{0, 0, "none"}, {2, 0, "hit"}, {1, 1, "miss"}, {0, 3, "miss"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        m.cache_hits = cases[i].hits;
        m.cache_misses = cases[i].misses;
        m.retries = (unsigned)i;
        dg_buf_reset(&f->out);
        assert_int_equal(
            dg_lambda_log_line(&f->out, &req, &f->res, "GetProduct", 1.25, 1700000000123), 0);
        assert_null(strchr(dg_buf_cstr(&f->out), '\n'));
        cJSON *j = cJSON_ParseWithLength(f->out.data, f->out.len);
        assert_non_null(j);
        assert_string_equal(get(j, "cache")->valuestring, cases[i].cache);
        assert_int_equal(get(j, "CacheHits")->valueint, (int)cases[i].hits);
        assert_int_equal(get(j, "CacheMisses")->valueint, (int)cases[i].misses);
        assert_int_equal(get(j, "Retries")->valueint, (int)i);
        assert_int_equal(get(j, "retries")->valueint, (int)i);
        assert_int_equal(get(j, "Errors")->valueint, 0);
        assert_int_equal(get(j, "status")->valueint, 200);
        assert_true(get(j, "latency_ms")->valuedouble == 1.25);
        assert_true(get(j, "Latency")->valuedouble == 1.25);
        assert_string_equal(get(j, "requestId")->valuestring, "rid-1");
        assert_string_equal(get(j, "route")->valuestring, "GetProduct");
        assert_string_equal(get(j, "method")->valuestring, "GET");
        assert_null(get(j, "traceId"));
        assert_null(get(j, "error"));
        /* EMF: _aws.Timestamp, one directive, namespace, dimension Route, five metrics */
        const cJSON *aws = get(j, "_aws");
        assert_true(get(aws, "Timestamp")->valuedouble == 1700000000123.0);
        const cJSON *d = cJSON_GetArrayItem(get(aws, "CloudWatchMetrics"), 0);
        assert_string_equal(get(d, "Namespace")->valuestring, "dynagen");
        const cJSON *dims = get(d, "Dimensions");
        assert_int_equal(cJSON_GetArraySize(dims), 1);
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(dims, 0), 0)->valuestring,
                            "Route");
        assert_string_equal(get(j, "Route")->valuestring, "GetProduct");
        const cJSON *ms = get(d, "Metrics");
        assert_int_equal(cJSON_GetArraySize(ms), 5);
        static const char *const names[] = {"Latency", "Errors", "CacheHits", "CacheMisses",
                                            "Retries"};
        for (int k = 0; k < 5; k++) {
            const cJSON *me = cJSON_GetArrayItem(ms, k);
            assert_string_equal(get(me, "Name")->valuestring, names[k]);
            assert_string_equal(get(me, "Unit")->valuestring, k == 0 ? "Milliseconds" : "Count");
            /* each metric has its value at the top level */
            assert_true(cJSON_IsNumber(get(j, names[k])));
        }
        cJSON_Delete(j);
    }
    /* a 5xx counts as an error and carries the internal detail; the trace id shows */
    f->res.status = 503;
    req.trace_id = "Root=1-abc";
    snprintf(m.detail, sizeof m.detail, "io: connect refused");
    dg_buf_reset(&f->out);
    assert_int_equal(dg_lambda_log_line(&f->out, &req, &f->res, NULL, -1, 0), 0);
    cJSON *j = cJSON_ParseWithLength(f->out.data, f->out.len);
    assert_non_null(j);
    assert_int_equal(get(j, "Errors")->valueint, 1);
    assert_string_equal(get(j, "route")->valuestring, "unmatched");
    assert_string_equal(get(j, "error")->valuestring, "io: connect refused");
    assert_string_equal(get(j, "traceId")->valuestring, "Root=1-abc");
    assert_true(get(j, "latency_ms")->valuedouble == 0);
    cJSON_Delete(j);
    /* a 4xx is not an error of the service */
    f->res.status = 404;
    dg_buf_reset(&f->out);
    dg_lambda_log_line(&f->out, &req, &f->res, "x", 0, 0);
    j = cJSON_ParseWithLength(f->out.data, f->out.len);
    assert_int_equal(get(j, "Errors")->valueint, 0);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_response_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_multi_value_and_cookies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_from, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_keeps_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_line, setup, teardown),
    };
    return cmocka_run_group_tests_name("lambda_response", tests, NULL, NULL);
}
