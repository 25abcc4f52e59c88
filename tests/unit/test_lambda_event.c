/* Unit tests: runtime/lambda/event.c (API Gateway payload 2.0 events), the
 * query and percent decoders of runtime/lambda/http.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"
#include "dynagen/lambda.h"

static int setup(void **state)
{
    *state = dg_arena_new(0);
    return *state == NULL;
}

static int teardown(void **state)
{
    dg_arena_destroy(*state);
    return 0;
}

static int parse(dg_arena *a, const char *json, dg_http_request *req, dg_error *err)
{
    dg_error_clear(err);
    return dg_apigw_parse_event(json, strlen(json), 0, a, req, err);
}

#define MIN_CTX "\"requestContext\":{\"http\":{\"method\":\"GET\"}}"

/* The example event of the API Gateway developer guide (payload format 2.0). */
static const char *const FULL_EVENT =
    "{\n"
    "  \"version\": \"2.0\",\n"
    "  \"routeKey\": \"$default\",\n"
    "  \"rawPath\": \"/my/path\",\n"
    "  \"rawQueryString\": \"parameter1=value1&parameter1=value2&parameter2=value\",\n"
    "  \"cookies\": [\"cookie1=one\", \"cookie2=two\"],\n"
    "  \"headers\": {\"Header1\": \"value1\", \"header2\": \"value1,value2\"},\n"
    "  \"queryStringParameters\": {\"parameter1\": \"value1,value2\", \"parameter2\": \"value\"},\n"
    "  \"requestContext\": {\n"
    "    \"accountId\": \"123456789012\", \"apiId\": \"api-id\",\n"
    "    \"authentication\": {\"clientCert\": {\"clientCertPem\": \"CERT_CONTENT\"}},\n"
    "    \"domainName\": \"id.execute-api.us-east-1.amazonaws.com\", \"domainPrefix\": \"id\",\n"
    "    \"http\": {\"method\": \"POST\", \"path\": \"/my/path\", \"protocol\": \"HTTP/1.1\",\n"
    "             \"sourceIp\": \"192.0.2.1\", \"userAgent\": \"agent\"},\n"
    "    \"requestId\": \"id\", \"routeKey\": \"$default\", \"stage\": \"$default\",\n"
    "    \"time\": \"12/Mar/2020:19:03:58 +0000\", \"timeEpoch\": 1583348638390\n"
    "  },\n"
    "  \"body\": \"Hello from Lambda\",\n"
    "  \"pathParameters\": {\"parameter1\": \"value1\"},\n"
    "  \"isBase64Encoded\": false,\n"
    "  \"stageVariables\": {\"stageVariable1\": \"value1\"}\n"
    "}\n";

static void test_event_full(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    assert_int_equal(parse(a, FULL_EVENT, &req, &err), 0);
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.raw_path, "/my/path");
    assert_string_equal(req.raw_query, "parameter1=value1&parameter1=value2&parameter2=value");
    assert_string_equal(req.route_key, "$default");
    assert_string_equal(req.api_request_id, "id");
    assert_string_equal(req.stage, "$default");
    assert_string_equal(req.source_ip, "192.0.2.1");
    assert_string_equal(req.user_agent, "agent");
    assert_true(req.time_epoch_ms == 1583348638390LL);
    assert_int_equal(req.header_count, 2);
    assert_string_equal(dg_http_header(&req, "header1"), "value1"); /* lower-cased */
    assert_string_equal(req.headers[0].name, "header1");
    assert_string_equal(dg_http_header(&req, "Header2"), "value1,value2");
    assert_null(dg_http_header(&req, "header3"));
    assert_string_equal(dg_http_query(&req, "parameter1"), "value1,value2");
    assert_string_equal(dg_http_query(&req, "parameter2"), "value");
    assert_null(dg_http_query(&req, "parameter3"));
    assert_int_equal(req.cookie_count, 2);
    assert_string_equal(req.cookies[1], "cookie2=two");
    assert_string_equal(dg_http_cookie(&req, "cookie1"), "one");
    assert_null(dg_http_cookie(&req, "cookie"));
    assert_int_equal(req.body_len, 17);
    assert_memory_equal(req.body, "Hello from Lambda", 17);
    assert_false(req.body_was_base64);
    /* the router fills these, the runtime loop the Lambda fields */
    assert_int_equal(req.path_param_count, 0);
    assert_null(dg_http_param(&req, "parameter1"));
    assert_string_equal(req.request_id, "");
    assert_int_equal(req.deadline_ms, 0);
    assert_true(dg_http_remaining_ms(&req) == INT64_MAX);
}

static void test_event_minimal_and_nulls(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    assert_int_equal(parse(a, "{\"rawPath\":\"/\"," MIN_CTX "}", &req, &err), 0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.raw_path, "/");
    assert_string_equal(req.raw_query, "");
    assert_string_equal(req.route_key, "");
    assert_string_equal(req.source_ip, "");
    assert_int_equal(req.header_count, 0);
    assert_int_equal(req.query_count, 0);
    assert_int_equal(req.cookie_count, 0);
    assert_non_null(req.body);
    assert_int_equal(req.body_len, 0);
    assert_int_equal(req.body[0], 0);
    assert_null(dg_http_header(&req, "x"));
    /* JSON null stands for a missing optional field */
    assert_int_equal(
        parse(a,
              "{\"rawPath\":\"/x\",\"headers\":null,\"cookies\":null,\"body\":null,"
              "\"isBase64Encoded\":null,\"queryStringParameters\":null,"
              "\"rawQueryString\":null,\"requestContext\":{\"http\":{\"method\":\"PUT\","
              "\"sourceIp\":null},\"timeEpoch\":null}}",
              &req, &err),
        0);
    assert_string_equal(req.method, "PUT");
    assert_int_equal(req.body_len, 0);
    /* leading/trailing whitespace is fine */
    assert_int_equal(parse(a, "  \n{\"rawPath\":\"/\"," MIN_CTX "}\n\t ", &req, &err), 0);
}

static void test_event_base64_body(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    /* bytes 00 ff 10 80 41 00 */
    assert_int_equal(
        parse(a, "{\"rawPath\":\"/b\"," MIN_CTX ",\"body\":\"AP8QgEEA\",\"isBase64Encoded\":true}",
              &req, &err),
        0);
    assert_true(req.body_was_base64);
    assert_int_equal(req.body_len, 6);
    assert_memory_equal(req.body, "\x00\xff\x10\x80\x41\x00", 6);
    assert_int_equal(req.body[6], 0);
    /* empty base64 body */
    assert_int_equal(
        parse(a, "{\"rawPath\":\"/b\"," MIN_CTX ",\"body\":\"\",\"isBase64Encoded\":true}", &req,
              &err),
        0);
    assert_int_equal(req.body_len, 0);
    /* isBase64Encoded before or after body: same result */
    assert_int_equal(
        parse(a, "{\"isBase64Encoded\":true,\"body\":\"aGk=\",\"rawPath\":\"/b\"," MIN_CTX "}",
              &req, &err),
        0);
    assert_int_equal(req.body_len, 2);
    assert_memory_equal(req.body, "hi", 2);
    /* not base64 */
    assert_int_equal(parse(a,
                           "{\"rawPath\":\"/b\"," MIN_CTX
                           ",\"body\":\"not base64!\",\"isBase64Encoded\":true}",
                           &req, &err),
                     DG_EINVAL);
    assert_non_null(strstr(err.message, "not valid base64"));
    /* the same text without the flag is just text */
    assert_int_equal(parse(a,
                           "{\"rawPath\":\"/b\"," MIN_CTX
                           ",\"body\":\"not base64!\",\"isBase64Encoded\":false}",
                           &req, &err),
                     0);
    assert_int_equal(req.body_len, 11);
    /* a UTF-8 text body with escapes */
    assert_int_equal(
        parse(a, "{\"rawPath\":\"/b\"," MIN_CTX ",\"body\":\"{\\\"a\\\":\\\"\\u00e9\\\"}\"}", &req,
              &err),
        0);
    assert_string_equal((const char *)req.body, "{\"a\":\"\xc3\xa9\"}");
}

static void test_event_cookies(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    assert_int_equal(parse(a,
                           "{\"rawPath\":\"/\"," MIN_CTX
                           ",\"cookies\":[\"a=1\",\" b=two=2\",\"c=\",\"session=xyz\"]}",
                           &req, &err),
                     0);
    assert_int_equal(req.cookie_count, 4);
    assert_string_equal(dg_http_cookie(&req, "a"), "1");
    assert_string_equal(dg_http_cookie(&req, "b"), "two=2");
    assert_string_equal(dg_http_cookie(&req, "c"), "");
    assert_string_equal(dg_http_cookie(&req, "session"), "xyz");
    assert_null(dg_http_cookie(&req, "sess"));
    assert_int_equal(parse(a, "{\"rawPath\":\"/\"," MIN_CTX ",\"cookies\":[]}", &req, &err), 0);
    assert_int_equal(req.cookie_count, 0);
    assert_int_equal(parse(a, "{\"rawPath\":\"/\"," MIN_CTX ",\"cookies\":\"a=1\"}", &req, &err),
                     DG_EINVAL);
    assert_non_null(strstr(err.message, "cookies"));
    assert_int_equal(
        parse(a, "{\"rawPath\":\"/\"," MIN_CTX ",\"cookies\":[\"a=1\",2]}", &req, &err), DG_EINVAL);
}

static void test_event_query_fallback(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    /* without queryStringParameters the raw query string is decoded */
    assert_int_equal(parse(a,
                           "{\"rawPath\":\"/\"," MIN_CTX
                           ",\"rawQueryString\":\"a=1&b=x+y&a=2&c=%2F%26%3D&d&e=&a=3\"}",
                           &req, &err),
                     0);
    assert_string_equal(dg_http_query(&req, "a"), "1,2,3");
    assert_string_equal(dg_http_query(&req, "b"), "x y");
    assert_string_equal(dg_http_query(&req, "c"), "/&=");
    assert_string_equal(dg_http_query(&req, "d"), "");
    assert_string_equal(dg_http_query(&req, "e"), "");
    assert_int_equal(req.query_count, 5);
    /* queryStringParameters wins when present */
    assert_int_equal(
        parse(a,
              "{\"rawPath\":\"/\"," MIN_CTX
              ",\"rawQueryString\":\"a=raw\",\"queryStringParameters\":{\"a\":\"given\"}}",
              &req, &err),
        0);
    assert_string_equal(dg_http_query(&req, "a"), "given");
    assert_int_equal(
        parse(a, "{\"rawPath\":\"/\"," MIN_CTX ",\"queryStringParameters\":{\"a\":1}}", &req, &err),
        DG_EINVAL);
}

static void test_event_header_case_merge(void **state)
{
    dg_arena *a = *state;
    dg_http_request req;
    dg_error err;
    assert_int_equal(parse(a,
                           "{\"rawPath\":\"/\"," MIN_CTX
                           ",\"headers\":{\"Accept\":\"a/b\",\"X-Y\":\"1\",\"accept\":\"c/d\","
                           "\"CONTENT-TYPE\":\"application/json\",\"\":\"ignored\"}}",
                           &req, &err),
                     0);
    assert_int_equal(req.header_count, 3);
    assert_string_equal(dg_http_header(&req, "accept"), "a/b,c/d");
    assert_string_equal(dg_http_header(&req, "content-type"), "application/json");
    assert_string_equal(dg_http_header(&req, "Content-Type"), "application/json");
    assert_string_equal(dg_http_header(&req, "x-y"), "1");
}

static void test_event_huge_headers(void **state)
{
    dg_arena *a = *state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"rawPath\":\"/\"," MIN_CTX ",\"headers\":{");
    for (int i = 0; i < 5000; i++)
        dg_buf_printf(&b, "%s\"X-Header-%d\":\"value-%d\"", i ? "," : "", i, i);
    /* and one 256 KiB value */
    dg_buf_puts(&b, ",\"x-big\":\"");
    for (int i = 0; i < 256 * 1024; i++)
        dg_buf_putc(&b, (char)('a' + i % 26));
    dg_buf_puts(&b, "\"}}");
    assert_int_equal(dg_buf_status(&b), 0);
    dg_http_request req;
    dg_error err;
    assert_int_equal(dg_apigw_parse_event(b.data, b.len, 0, a, &req, &err), 0);
    assert_int_equal(req.header_count, 5001);
    assert_string_equal(dg_http_header(&req, "x-header-4999"), "value-4999");
    assert_string_equal(dg_http_header(&req, "x-header-0"), "value-0");
    assert_int_equal(strlen(dg_http_header(&req, "x-big")), 256 * 1024);
    /* past the event bound: DG_ETOOBIG, before any parsing */
    assert_int_equal(dg_apigw_parse_event(b.data, b.len, 64 * 1024, a, &req, &err), DG_ETOOBIG);
    assert_non_null(strstr(err.message, "more than"));
    dg_buf_free(&b);
}

typedef struct bad_case {
    const char *json;
    int rc;
    const char *message_part;
} bad_case;

static void test_event_malformed(void **state)
{
    dg_arena *a = *state;
    static const bad_case cases[] = {
        {"", DG_EINVAL, "invalid JSON"},
        {"{", DG_EINVAL, "invalid JSON"},
        {"not json", DG_EINVAL, "invalid JSON"},
        {"[]", DG_EINVAL, "expected a JSON object"},
        {"\"str\"", DG_EINVAL, "expected a JSON object"},
        {"null", DG_EINVAL, "expected a JSON object"},
        {"{\"rawPath\":\"/\"," MIN_CTX "} {}", DG_EINVAL, "after the JSON value"},
        {"{\"rawPath\":\"/\"," MIN_CTX "}x", DG_EINVAL, "after the JSON value"},
        {"{}", DG_EINVAL, "requestContext is missing"},
        {"{\"rawPath\":\"/\"}", DG_EINVAL, "requestContext is missing"},
        {"{\"rawPath\":\"/\",\"requestContext\":[]}", DG_EINVAL,
         "requestContext must be an object"},
        {"{\"rawPath\":\"/\",\"requestContext\":{}}", DG_EINVAL,
         "requestContext.http.method is missing"},
        {"{\"rawPath\":\"/\",\"requestContext\":{\"http\":{}}}", DG_EINVAL,
         "requestContext.http.method is missing"},
        {"{\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"\"}}}", DG_EINVAL,
         "requestContext.http.method is missing"},
        {"{\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":7}}}", DG_EINVAL,
         "requestContext.http.method must be a string"},
        {"{\"rawPath\":\"/\",\"requestContext\":{\"http\":\"GET\"}}", DG_EINVAL,
         "requestContext.http must be an object"},
        {"{" MIN_CTX "}", DG_EINVAL, "rawPath is missing"},
        {"{\"rawPath\":\"\"," MIN_CTX "}", DG_EINVAL, "rawPath is missing"},
        {"{\"rawPath\":\"relative\"," MIN_CTX "}", DG_EINVAL, "starting with '/'"},
        {"{\"rawPath\":5," MIN_CTX "}", DG_EINVAL, "rawPath must be a string"},
        {"{\"rawPath\":\"/\"," MIN_CTX ",\"headers\":[]}", DG_EINVAL, "headers must be an object"},
        {"{\"rawPath\":\"/\"," MIN_CTX ",\"headers\":{\"a\":1}}", DG_EINVAL,
         "headers.a must be a string"},
        {"{\"rawPath\":\"/\"," MIN_CTX ",\"body\":{}}", DG_EINVAL, "body must be a string"},
        {"{\"rawPath\":\"/\"," MIN_CTX ",\"isBase64Encoded\":\"yes\"}", DG_EINVAL,
         "isBase64Encoded must be true or false"},
        {"{\"rawPath\":\"/\"," MIN_CTX ",\"rawQueryString\":1}", DG_EINVAL,
         "rawQueryString must be a string"},
        {"{\"rawPath\":\"/\",\"rawPath\":\"/x\"," MIN_CTX "}", DG_EINVAL, "duplicate key rawPath"},
        {"{\"rawPath\":\"/"
         "\",\"requestContext\":{\"http\":{\"method\":\"GET\",\"method\":\"PUT\"}}}",
         DG_EINVAL, "duplicate key requestContext.http.method"},
        {"{\"rawPath\":\"/"
         "\",\"requestContext\":{\"timeEpoch\":\"x\",\"http\":{\"method\":\"GET\"}}}",
         DG_EINVAL, "timeEpoch"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dg_http_request req;
        dg_error err;
        int rc = parse(a, cases[i].json, &req, &err);
        if (rc != cases[i].rc || strstr(err.message, cases[i].message_part) == NULL)
            fail_msg("case %zu (%s): rc %d, message \"%s\", wanted %d and \"%s\"", i, cases[i].json,
                     rc, err.message, cases[i].rc, cases[i].message_part);
        /* every message names what it parsed */
        assert_non_null(strstr(err.message, "API Gateway HTTP API"));
    }
    dg_http_request req;
    dg_error err;
    assert_int_equal(dg_apigw_parse_event(NULL, 0, 0, a, &req, &err), DG_EINVAL);
    /* length-bounded: a valid prefix is read, nothing after len */
    const char *ev = "{\"rawPath\":\"/\"," MIN_CTX "}GARBAGE";
    assert_int_equal(dg_apigw_parse_event(ev, strlen(ev) - 7, 0, a, &req, &err), 0);
    /* deep nesting in an ignored field is refused by cJSON's bound, not a crash */
    dg_buf deep = DG_BUF_INIT;
    dg_buf_puts(&deep, "{\"rawPath\":\"/\"," MIN_CTX ",\"x\":");
    for (int i = 0; i < 100000; i++)
        dg_buf_putc(&deep, '[');
    assert_int_equal(dg_apigw_parse_event(deep.data, deep.len, 0, a, &req, &err), DG_EINVAL);
    dg_buf_free(&deep);
}

static void test_parse_query(void **state)
{
    dg_arena *a = *state;
    dg_http_kv *kv;
    size_t n;
    assert_int_equal(dg_http_parse_query("", 0, a, &kv, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dg_http_parse_query("&&&", 3, a, &kv, &n), 0);
    assert_int_equal(n, 0);
    const char *q = "x=%41%42&bad=%zz%4&plus=a+b%2Bc&=empty&k=v=w&x=%e2%82%ac";
    assert_int_equal(dg_http_parse_query(q, strlen(q), a, &kv, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(kv[0].name, "x");
    assert_string_equal(kv[0].value, "AB,\xe2\x82\xac");
    assert_string_equal(kv[1].value, "%zz%4"); /* a bad escape stays literal */
    assert_string_equal(kv[2].value, "a b+c");
    assert_string_equal(kv[3].name, "");
    assert_string_equal(kv[3].value, "empty");
    assert_string_equal(kv[4].value, "v=w");
    /* many repeats stay linear and ordered */
    dg_buf b = DG_BUF_INIT;
    for (int i = 0; i < 2000; i++)
        dg_buf_printf(&b, "%sk%d=%d&r=%d", i ? "&" : "", i, i, i % 10);
    assert_int_equal(dg_http_parse_query(b.data, b.len, a, &kv, &n), 0);
    assert_int_equal(n, 2001);
    assert_string_equal(kv[0].name, "k0");
    assert_string_equal(kv[1].name, "r");
    assert_int_equal(strlen(kv[1].value), 2000 * 2 - 1);
    dg_buf_free(&b);
}

static void test_percent_decode(void **state)
{
    dg_arena *a = *state;
    char *out;
    size_t n;
    assert_int_equal(dg_http_percent_decode("a%20b%2Fc+d", 11, a, &out, &n), 0);
    assert_string_equal(out, "a b/c+d");
    assert_int_equal(n, 7);
    assert_int_equal(dg_http_percent_decode("%00x", 4, a, &out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(dg_http_percent_decode("%", 1, a, &out, &n), DG_EINVAL);
    assert_int_equal(dg_http_percent_decode("%4", 2, a, &out, &n), DG_EINVAL);
    assert_int_equal(dg_http_percent_decode("ab%4", 4, a, &out, &n), DG_EINVAL);
    assert_int_equal(dg_http_percent_decode("%g0", 3, a, &out, &n), DG_EINVAL);
    assert_int_equal(dg_http_percent_decode("%C3%A9", 6, a, &out, &n), 0);
    assert_string_equal(out, "\xc3\xa9");
    assert_int_equal(dg_http_percent_decode("", 0, a, &out, &n), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_minimal_and_nulls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_base64_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_cookies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_query_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_header_case_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_huge_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percent_decode, setup, teardown),
    };
    return cmocka_run_group_tests_name("lambda_event", tests, NULL, NULL);
}
