/* A test Lambda runtime built on dynagen's runtime loop and router, driven
 * by tests/suites/lambda-local.sh under lambda-local.
 *
 * Routes:
 *   GET  /echo/{x}          JSON echo of params, query, headers, cookies, body (any content type)
 *   POST /echo/{x}          the same, JSON bodies only (415 otherwise); bodies over 64 KiB get 413
 *   GET  /echo/special      literal segment beats {x}
 *   PUT  /echo/{x}/raw      answers the request body bytes as application/octet-stream (base64)
 *   GET  /crash             abort()
 *   GET  /sleep             sleeps ECHO_SLEEP_MS (default 60000) ms, past any test timeout
 *   GET  /slow?ms=N         sleeps N ms, then 200
 *   GET  /throttled         returns DG_ETHROTTLED without a response (-> 429 + Retry-After)
 *   GET  /conflict          dg_http_fail with a DG_ECONFLICT error (-> 409 with its message)
 *   GET  /internal          dg_http_fail with a remote-service error (-> 500, generic message)
 *   GET  /cookies           sets two cookies and a multi-value header
 *   GET  /note              reports a cache hit and 2 retries (for the log line)
 * and, outside the router, an event whose rawPath is /invocation-error makes
 * the invocation fail (posted to .../invocation/{id}/error).
 * ECHO_FAIL_INIT=1 makes init fail (posted to /runtime/init/error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dynagen/codec_util.h"
#include "dynagen/lambda.h"

typedef struct echo_app {
    int invocations;
} echo_app;

static void put_str(dg_buf *b, const char *s)
{
    if (s == NULL) {
        dg_buf_puts(b, "null");
        return;
    }
    size_t n = strlen(s);
    if (dg_utf8_valid(s, n))
        dg_buf_json_string(b, s, n);
    else
        dg_buf_puts(b, "\"(invalid UTF-8)\"");
}

static void put_kv(dg_buf *b, const char *key, const dg_http_kv *kv, size_t n)
{
    dg_buf_printf(b, ",\"%s\":{", key);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            dg_buf_putc(b, ',');
        put_str(b, kv[i].name);
        dg_buf_putc(b, ':');
        put_str(b, kv[i].value);
    }
    dg_buf_putc(b, '}');
}

static int echo(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)a;
    echo_app *e = app;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"x\":");
    put_str(&b, dg_http_param(req, "x"));
    dg_buf_puts(&b, ",\"method\":");
    put_str(&b, req->method);
    dg_buf_puts(&b, ",\"raw_path\":");
    put_str(&b, req->raw_path);
    dg_buf_puts(&b, ",\"raw_query\":");
    put_str(&b, req->raw_query);
    put_kv(&b, "params", req->path_params, req->path_param_count);
    put_kv(&b, "query", req->query, req->query_count);
    put_kv(&b, "headers", req->headers, req->header_count);
    dg_buf_puts(&b, ",\"cookies\":[");
    for (size_t i = 0; i < req->cookie_count; i++) {
        if (i > 0)
            dg_buf_putc(&b, ',');
        put_str(&b, req->cookies[i]);
    }
    dg_buf_puts(&b, "],\"cookie_a\":");
    put_str(&b, dg_http_cookie(req, "a"));
    dg_buf_printf(&b, ",\"body_len\":%zu,\"was_base64\":%s,\"body_base64\":\"", req->body_len,
                  req->body_was_base64 ? "true" : "false");
    dg_base64_encode(&b, req->body, req->body_len);
    dg_buf_puts(&b, "\",\"route_key\":");
    put_str(&b, req->route_key);
    dg_buf_puts(&b, ",\"source_ip\":");
    put_str(&b, req->source_ip);
    dg_buf_puts(&b, ",\"request_id\":");
    put_str(&b, req->request_id);
    dg_buf_puts(&b, ",\"trace_id\":");
    put_str(&b, req->trace_id);
    dg_buf_puts(&b, ",\"env_trace_id\":");
    put_str(&b, getenv("_X_AMZN_TRACE_ID"));
    dg_buf_puts(&b, ",\"function_arn\":");
    put_str(&b, req->function_arn);
    int64_t left = dg_http_remaining_ms(req);
    dg_buf_printf(&b, ",\"remaining_ms\":%lld,\"invocations\":%d,\"pid\":%d", (long long)left,
                  ++e->invocations, (int)getpid());
    dg_buf_puts(&b, ",\"env\":{");
    static const char *const names[] = {"AWS_LAMBDA_FUNCTION_NAME",
                                        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                        "AWS_LAMBDA_FUNCTION_VERSION",
                                        "LAMBDA_TASK_ROOT",
                                        "_HANDLER",
                                        "AWS_REGION",
                                        "ECHO_EXTRA",
                                        "HOME"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (i > 0)
            dg_buf_putc(&b, ',');
        put_str(&b, names[i]);
        dg_buf_putc(&b, ':');
        put_str(&b, getenv(names[i]));
    }
    dg_buf_puts(&b, "}}");
    int rc = dg_buf_status(&b) != 0 ? DG_ENOMEM : dg_http_json(res, 200, b.data, b.len);
    dg_buf_free(&b);
    return rc;
}

static int special(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)req;
    (void)a;
    static const char j[] = "{\"special\":true}";
    return dg_http_json(res, 200, j, sizeof j - 1);
}

static int raw(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)a;
    res->status = 200;
    dg_http_set_header(res, "content-type", "application/octet-stream");
    if (dg_buf_append(&res->body, req->body, req->body_len) != 0)
        return DG_ENOMEM;
    res->is_base64 = true;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int crash(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)req;
    (void)res;
    (void)a;
    fprintf(stderr, "echo_bootstrap: crashing on purpose\n");
    abort();
}

static int sleepy(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)req;
    (void)a;
    const char *ms = getenv("ECHO_SLEEP_MS");
    sleep_ms(ms != NULL ? atol(ms) : 60000);
    return dg_http_json(res, 200, "{\"slept\":true}", 14);
}

static int slow(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)a;
    const char *ms = dg_http_query(req, "ms");
    sleep_ms(ms != NULL ? atol(ms) : 100);
    return dg_http_json(res, 200, "{\"slow\":true}", 13);
}

static int throttled(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)req;
    (void)res;
    (void)a;
    return DG_ETHROTTLED;
}

static int conflict(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)a;
    dg_error err;
    dg_error_set(&err, DG_ECONFLICT, "version", "version 3 is not the current version (4)");
    return dg_http_fail(req, res, &err);
}

static int internal(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)a;
    dg_error err;
    dg_error_set(&err, DG_EINVAL, NULL, "secret internal detail: table arn:aws:dynamodb:x");
    snprintf(err.type, sizeof err.type, "ValidationException");
    return dg_http_fail(req, res, &err);
}

static int cookies(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)req;
    (void)a;
    dg_http_add_cookie(res, "a=1; Path=/");
    dg_http_add_header(res, "Set-Cookie", "b=2; HttpOnly");
    dg_http_add_header(res, "x-multi", "one");
    dg_http_add_header(res, "X-Multi", "two");
    return dg_http_json(res, 200, "{}", 2);
}

static int note(void *app, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    (void)app;
    (void)a;
    dg_http_note_cache(req, true);
    dg_http_note_retries(req, 2);
    return dg_http_json(res, 200, "{\"noted\":true}", 14);
}

static const dg_route routes[] = {
    {"GET", "/echo/{x}", echo, "Echo", DG_ROUTE_RAW_BODY},
    {"POST", "/echo/{x}", echo, "EchoPost", 0},
    {"GET", "/echo/special", special, "Special", 0},
    {"PUT", "/echo/{x}/raw", raw, "Raw", DG_ROUTE_RAW_BODY},
    {"GET", "/crash", crash, "Crash", 0},
    {"GET", "/sleep", sleepy, "Sleep", 0},
    {"GET", "/slow", slow, "Slow", 0},
    {"GET", "/throttled", throttled, "Throttled", 0},
    {"GET", "/conflict", conflict, "Conflict", 0},
    {"GET", "/internal", internal, "Internal", 0},
    {"GET", "/cookies", cookies, "Cookies", 0},
    {"GET", "/note", note, NULL, 0},
};

static const dg_router router = {routes, sizeof routes / sizeof routes[0], 64 * 1024, NULL};

static int invoke(void *app, const dg_lambda_invocation *inv, dg_buf *response, dg_arena *a,
                  dg_error *err)
{
    if (strstr(inv->event, "\"rawPath\":\"/invocation-error\"") != NULL) {
        dg_error_set(err, DG_EINTERNAL, NULL, "failing this invocation on purpose");
        snprintf(err->type, sizeof err->type, "Echo.Failure");
        return DG_EINTERNAL;
    }
    return dg_lambda_http_invoke(&router, app, inv, response, a, NULL, err);
}

static echo_app the_app;

static int init(void *ctx, void **app, dg_error *err)
{
    (void)ctx;
    const char *fail = getenv("ECHO_FAIL_INIT");
    if (fail != NULL && strcmp(fail, "1") == 0)
        return dg_error_set(err, DG_EINVAL, NULL, "ECHO_FAIL_INIT=1: refusing to start");
    *app = &the_app;
    return 0;
}

int main(void)
{
    dg_lambda_options o = {.init = init, .invoke = invoke};
    dg_error err;
    int rc = dg_lambda_run(&o, &err);
    if (rc != 0)
        fprintf(stderr, "echo_bootstrap: %s\n", err.message);
    return rc == 0 ? 0 : 1;
}
