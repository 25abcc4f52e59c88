/* Unit tests: runtime/lambda/router.c (matching, params, 404/405, body
 * limit, content type, handler errors) and the HTTP adapter of runtime.c. */
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

typedef struct app {
    const char *called; /* name of the handler that ran */
    int hook_calls;
    int return_code;   /* what the "ret" handler returns */
    bool set_response; /* whether "ret" sets a response first */
} app;

static int h_named(app *ap, const char *name, dg_http_response *res)
{
    ap->called = name;
    return dg_http_json(res, 200, "{}", 2);
}

#define HANDLER(fn)                                                                                \
    static int fn(void *a, const dg_http_request *req, dg_http_response *res, dg_arena *ar)        \
    {                                                                                              \
        (void)req;                                                                                 \
        (void)ar;                                                                                  \
        return h_named(a, #fn, res);                                                               \
    }
HANDLER(list_products)
HANDLER(create_product)
HANDLER(get_product)
HANDLER(put_product)
HANDLER(delete_product)
HANDLER(search_products)
HANDLER(get_version)
HANDLER(list_versions)
HANDLER(raw_upload)

static int ret_handler(void *a, const dg_http_request *req, dg_http_response *res, dg_arena *ar)
{
    (void)req;
    (void)ar;
    app *ap = a;
    ap->called = "ret";
    if (ap->set_response)
        dg_http_json(res, 202, "{\"set\":1}", 9);
    return ap->return_code;
}

static int noted_handler(void *a, const dg_http_request *req, dg_http_response *res, dg_arena *ar)
{
    (void)ar;
    ((app *)a)->called = "noted";
    dg_http_note_cache(req, true);
    dg_http_note_cache(req, true);
    dg_http_note_cache(req, false);
    dg_http_note_retries(req, 3);
    return dg_http_json(res, 200, "{}", 2);
}

static void hook(void *a, const dg_http_request *req)
{
    assert_non_null(req->route);
    ((app *)a)->hook_calls++;
}

static const dg_route ROUTES[] = {
    {"GET", "/products", list_products, "ListProducts", 0},
    {"POST", "/products", create_product, "CreateProduct", 0},
    {"GET", "/products/{id}", get_product, "GetProduct", 0},
    {"PUT", "/products/{id}", put_product, NULL, 0},
    {"DELETE", "/products/{id}", delete_product, "DeleteProduct", 0},
    {"GET", "/products/search", search_products, "Search", 0},
    {"GET", "/products/{id}/versions", list_versions, "ListVersions", 0},
    {"GET", "/products/{id}/versions/{version}", get_version, "GetVersion", 0},
    {"PUT", "/uploads/{name}", raw_upload, "Upload", DG_ROUTE_RAW_BODY},
    {"GET", "/ret", ret_handler, "Ret", 0},
    {"GET", "/noted", noted_handler, "Noted", 0},
};

static const dg_router ROUTER = {ROUTES, sizeof ROUTES / sizeof ROUTES[0], 0, hook};

typedef struct fx {
    dg_arena *a;
    app ap;
    dg_http_request req;
    dg_http_response res;
    dg_http_metrics m;
    dg_http_kv hdr[4];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL || (f->a = dg_arena_new(0)) == NULL)
        return 1;
    dg_http_response_setup(&f->res, f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_http_response_release(&f->res);
    dg_arena_destroy(f->a);
    free(f);
    return 0;
}

/* Dispatch method path with an optional body and content type. */
static int go(fx *f, const char *method, const char *path, const char *ctype, const char *body,
              size_t body_len, const dg_router *r)
{
    memset(&f->req, 0, sizeof f->req);
    memset(&f->m, 0, sizeof f->m);
    f->ap.called = NULL;
    f->req.method = method;
    f->req.raw_path = path;
    f->req.raw_query = "";
    f->req.body = (const uint8_t *)(body != NULL ? body : "");
    f->req.body_len = body != NULL ? body_len : 0;
    f->req.metrics = &f->m;
    if (ctype != NULL) {
        f->hdr[0].name = "content-type";
        f->hdr[0].value = ctype;
        f->req.headers = f->hdr;
        f->req.header_count = 1;
    }
    assert_int_equal(dg_router_dispatch(r != NULL ? r : &ROUTER, &f->ap, &f->req, &f->res, f->a),
                     0);
    return f->res.status;
}

/* The error JSON's code (and message / field when asked). */
static void assert_error_json(const dg_http_response *res, const char *code, const char *field)
{
    cJSON *j = cJSON_ParseWithLength(res->body.data, res->body.len);
    assert_non_null(j);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    assert_true(cJSON_IsObject(e));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring, code);
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")));
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(e, "field");
    if (field == NULL)
        assert_null(fl);
    else
        assert_string_equal(fl->valuestring, field);
    cJSON_Delete(j);
    assert_string_equal(dg_http_response_header(res, "content-type"), "application/json");
}

static void test_match_literals_and_params(void **state)
{
    fx *f = *state;
    assert_int_equal(go(f, "GET", "/products", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "list_products");
    assert_ptr_equal(f->req.route, &ROUTES[0]);
    assert_int_equal(f->req.path_param_count, 0);
    assert_int_equal(f->ap.hook_calls, 1);

    assert_int_equal(go(f, "GET", "/products/abc-123", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "get_product");
    assert_string_equal(dg_http_param(&f->req, "id"), "abc-123");
    assert_null(dg_http_param(&f->req, "version"));

    assert_int_equal(go(f, "GET", "/products/p1/versions/7", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "get_version");
    assert_int_equal(f->req.path_param_count, 2);
    assert_string_equal(dg_http_param(&f->req, "id"), "p1");
    assert_string_equal(dg_http_param(&f->req, "version"), "7");

    assert_int_equal(go(f, "GET", "/products/p1/versions", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "list_versions");

    /* a literal segment beats a {param} */
    assert_int_equal(go(f, "GET", "/products/search", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "search_products");
    /* ... but only for its method: PUT /products/search is PUT /products/{id} */
    assert_int_equal(go(f, "PUT", "/products/search", "application/json", "{}", 2, NULL), 200);
    assert_string_equal(f->ap.called, "put_product");
    assert_string_equal(dg_http_param(&f->req, "id"), "search");
    assert_int_equal(go(f, "DELETE", "/products/x", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "delete_product");
}

static void test_params_percent_decoded(void **state)
{
    fx *f = *state;
    assert_int_equal(go(f, "GET", "/products/a%20b%2Fc%3F", NULL, NULL, 0, NULL), 200);
    assert_string_equal(dg_http_param(&f->req, "id"), "a b/c?");
    assert_int_equal(go(f, "GET", "/products/caf%C3%A9", NULL, NULL, 0, NULL), 200);
    assert_string_equal(dg_http_param(&f->req, "id"), "caf\xc3\xa9");
    assert_int_equal(go(f, "GET", "/products/a+b", NULL, NULL, 0, NULL), 200);
    assert_string_equal(dg_http_param(&f->req, "id"), "a+b"); /* '+' is not a space in a path */
    /* bad escapes, NUL and invalid UTF-8 are 400 naming the parameter */
    static const char *const bad[] = {"/products/%zz", "/products/abc%2", "/products/%00",
                                      "/products/%C3%28", "/products/%FF"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(go(f, "GET", bad[i], NULL, NULL, 0, NULL), 400);
        assert_null(f->ap.called);
        assert_error_json(&f->res, "bad_request", "id");
    }
    /* encoded slashes are not separators: one segment */
    assert_int_equal(go(f, "GET", "/products/a%2Fversions%2F1", NULL, NULL, 0, NULL), 200);
    assert_string_equal(f->ap.called, "get_product");
}

static void test_404(void **state)
{
    fx *f = *state;
    static const char *const paths[] = {"/",
                                        "/nope",
                                        "/products/",
                                        "/products//versions",
                                        "/products/x/y",
                                        "//products",
                                        "/products/x/versions/1/extra",
                                        "/Products",
                                        "/products/x/versions/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int st = go(f, "GET", paths[i], NULL, NULL, 0, NULL);
        if (st != 404)
            fail_msg("%s: status %d, wanted 404", paths[i], st);
        assert_null(f->ap.called);
        assert_null(f->req.route);
        assert_error_json(&f->res, "not_found", NULL);
        assert_null(dg_http_response_header(&f->res, "allow"));
    }
    assert_int_equal(f->ap.hook_calls, 0);
    /* deeper than the router's segment bound: 404, not a crash */
    dg_buf deep = DG_BUF_INIT;
    for (int i = 0; i < 100; i++)
        dg_buf_puts(&deep, "/a");
    assert_int_equal(go(f, "GET", dg_buf_cstr(&deep), NULL, NULL, 0, NULL), 404);
    dg_buf_free(&deep);
}

static void test_405_allow(void **state)
{
    fx *f = *state;
    assert_int_equal(go(f, "PATCH", "/products/abc", NULL, NULL, 0, NULL), 405);
    assert_null(f->ap.called);
    assert_string_equal(dg_http_response_header(&f->res, "allow"), "GET, PUT, DELETE");
    assert_error_json(&f->res, "method_not_allowed", NULL);

    assert_int_equal(go(f, "DELETE", "/products", NULL, NULL, 0, NULL), 405);
    assert_string_equal(dg_http_response_header(&f->res, "allow"), "GET, POST");

    /* /products/search matches GET /products/search and the {id} routes: GET once */
    assert_int_equal(go(f, "POST", "/products/search", NULL, NULL, 0, NULL), 405);
    assert_string_equal(dg_http_response_header(&f->res, "allow"), "GET, PUT, DELETE");

    /* methods are case-sensitive, as HTTP says */
    assert_int_equal(go(f, "get", "/products", NULL, NULL, 0, NULL), 405);
    assert_int_equal(go(f, "HEAD", "/products/x/versions/2", NULL, NULL, 0, NULL), 405);
    assert_string_equal(dg_http_response_header(&f->res, "allow"), "GET");
}

static void test_body_limit(void **state)
{
    fx *f = *state;
    size_t big = DG_HTTP_DEFAULT_MAX_BODY;
    char *body = malloc(big + 1);
    memset(body, ' ', big + 1);
    body[0] = '{';
    body[big - 1] = '}';
    assert_int_equal(go(f, "POST", "/products", "application/json", body, big, NULL), 200);
    assert_string_equal(f->ap.called, "create_product");
    assert_int_equal(go(f, "POST", "/products", "application/json", body, big + 1, NULL), 413);
    assert_null(f->ap.called);
    assert_error_json(&f->res, "payload_too_large", NULL);
    /* the size check comes before the content-type check */
    assert_int_equal(go(f, "POST", "/products", "text/plain", body, big + 1, NULL), 413);
    /* and applies to raw-body routes too */
    assert_int_equal(go(f, "PUT", "/uploads/f", "image/png", body, big + 1, NULL), 413);
    /* a custom limit */
    dg_router small = ROUTER;
    small.max_body_bytes = 10;
    assert_int_equal(go(f, "POST", "/products", "application/json", "{\"a\":1234}", 10, &small),
                     200);
    assert_int_equal(go(f, "POST", "/products", "application/json", "{\"a\":12345}", 11, &small),
                     413);
    free(body);
}

static void test_content_type(void **state)
{
    fx *f = *state;
    static const char *const ok[] = {"application/json",
                                     "application/json; charset=utf-8",
                                     "application/json;charset=UTF-8",
                                     "Application/JSON",
                                     "application/json ; charset=\"utf-8\"",
                                     "application/json; charset=utf8",
                                     "  application/json",
                                     "application/json; foo=bar"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int st = go(f, "POST", "/products", ok[i], "{}", 2, NULL);
        if (st != 200)
            fail_msg("content-type \"%s\": status %d, wanted 200", ok[i], st);
    }
    static const char *const bad[] = {"text/plain",
                                      "application/jsonx",
                                      "application/json-patch+json",
                                      "application/x-www-form-urlencoded",
                                      "application/json; charset=latin1",
                                      "application/json; charset=utf-16",
                                      "application",
                                      "",
                                      NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = go(f, "POST", "/products", bad[i], "{}", 2, NULL);
        if (st != 415)
            fail_msg("content-type \"%s\": status %d, wanted 415", bad[i] ? bad[i] : "(none)", st);
        assert_null(f->ap.called);
        assert_error_json(&f->res, "unsupported_media_type", NULL);
    }
    /* no body: no content type needed */
    assert_int_equal(go(f, "POST", "/products", NULL, NULL, 0, NULL), 200);
    assert_int_equal(go(f, "DELETE", "/products/x", "text/plain", NULL, 0, NULL), 200);
    /* raw-body routes take anything */
    assert_int_equal(go(f, "PUT", "/uploads/f", "image/png", "\x89PNG", 4, NULL), 200);
    assert_int_equal(go(f, "PUT", "/uploads/f", NULL, "\x89PNG", 4, NULL), 200);
    assert_string_equal(f->ap.called, "raw_upload");
}

static void test_handler_errors(void **state)
{
    fx *f = *state;
    static const struct {
        int code;
        int status;
        const char *err_code;
    } map[] = {
        {DG_EINVAL, 400, "bad_request"},
        {DG_ERANGE, 400, "bad_request"},
        {DG_ENOTFOUND, 404, "not_found"},
        {DG_ECONFLICT, 409, "conflict"},
        {DG_ETOOBIG, 413, "payload_too_large"},
        {DG_ETHROTTLED, 429, "throttled"},
        {DG_EUNSUPPORTED, 501, "not_implemented"},
        {DG_EIO, 503, "unavailable"},
        {DG_ETIMEDOUT, 504, "timeout"},
        {DG_ENOMEM, 500, "internal"},
        {DG_ESERVICE, 500, "internal"},
        {DG_EINTERNAL, 500, "internal"},
        {-99, 500, "internal"},
    };
    f->ap.set_response = false;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        f->ap.return_code = map[i].code;
        assert_int_equal(go(f, "GET", "/ret", NULL, NULL, 0, NULL), map[i].status);
        assert_string_equal(f->ap.called, "ret");
        assert_error_json(&f->res, map[i].err_code, NULL);
        assert_int_equal(f->m.handler_rc, map[i].code);
        assert_non_null(strstr(f->m.detail, "handler returned"));
    }
    /* a handler that set its own response keeps it, whatever it returns */
    f->ap.set_response = true;
    f->ap.return_code = DG_ECONFLICT;
    assert_int_equal(go(f, "GET", "/ret", NULL, NULL, 0, NULL), 202);
    assert_string_equal(f->res.body.data, "{\"set\":1}");
    /* 0 without a status is a bug: 500 */
    f->ap.set_response = false;
    f->ap.return_code = 0;
    assert_int_equal(go(f, "GET", "/ret", NULL, NULL, 0, NULL), 500);
    assert_error_json(&f->res, "internal", NULL);
    assert_non_null(strstr(f->m.detail, "without a response"));
}

static void test_metrics_notes(void **state)
{
    fx *f = *state;
    assert_int_equal(go(f, "GET", "/noted", NULL, NULL, 0, NULL), 200);
    assert_int_equal(f->m.cache_hits, 2);
    assert_int_equal(f->m.cache_misses, 1);
    assert_int_equal(f->m.retries, 3);
    /* the notes are safe without metrics */
    dg_http_request bare;
    memset(&bare, 0, sizeof bare);
    dg_http_note_cache(&bare, true);
    dg_http_note_retries(&bare, 1);
    dg_http_note_cache(NULL, true);
    /* dispatch without metrics works too */
    memset(&f->req, 0, sizeof f->req);
    f->req.method = "GET";
    f->req.raw_path = "/noted";
    f->req.body = (const uint8_t *)"";
    assert_int_equal(dg_router_dispatch(&ROUTER, &f->ap, &f->req, &f->res, f->a), 0);
    assert_int_equal(f->res.status, 200);
    assert_null(f->req.metrics);
}

static void test_route_display_name(void **state)
{
    fx *f = *state;
    assert_string_equal(dg_route_display_name(&ROUTES[0], f->a), "ListProducts");
    assert_string_equal(dg_route_display_name(&ROUTES[3], f->a), "PUT /products/{id}");
    assert_string_equal(dg_route_display_name(NULL, f->a), "unmatched");
}

/* The adapter: event in, response JSON out, one log line. */
static void test_http_invoke(void **state)
{
    fx *f = *state;
    const char *event =
        "{\"rawPath\":\"/products/p%201\",\"rawQueryString\":\"\",\"headers\":{\"Accept\":\"*/*\"},"
        "\"requestContext\":{\"http\":{\"method\":\"GET\"},\"requestId\":\"api-1\"}}";
    dg_lambda_invocation inv = {"req-1", 4102444800000LL, "Root=1-x",
                                "arn:x", event,           strlen(event)};
    dg_buf out = DG_BUF_INIT;
    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *log = open_memstream(&logbuf, &loglen);
    dg_error err;
    assert_int_equal(dg_lambda_http_invoke(&ROUTER, &f->ap, &inv, &out, f->a, log, &err), 0);
    fclose(log);
    assert_string_equal(f->ap.called, "get_product");
    cJSON *j = cJSON_ParseWithLength(out.data, out.len);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "statusCode")->valueint, 200);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "body")->valuestring, "{}");
    cJSON_Delete(j);
    /* one line, newline-terminated, both log and EMF */
    assert_non_null(logbuf);
    assert_int_equal(logbuf[loglen - 1], '\n');
    assert_null(memchr(logbuf, '\n', loglen - 1));
    cJSON *l = cJSON_ParseWithLength(logbuf, loglen);
    assert_non_null(l);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, "requestId")->valuestring, "req-1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, "route")->valuestring, "GetProduct");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, "Route")->valuestring, "GetProduct");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(l, "status")->valueint, 200);
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(l, "_aws")));
    cJSON_Delete(l);
    free(logbuf);

    /* a malformed event is an invocation error, not an HTTP response */
    dg_buf_reset(&out);
    inv.event = "{\"rawPath\":\"/\"}";
    inv.event_len = strlen(inv.event);
    log = open_memstream(&logbuf, &loglen);
    assert_int_equal(dg_lambda_http_invoke(&ROUTER, &f->ap, &inv, &out, f->a, log, &err),
                     DG_EINVAL);
    fclose(log);
    assert_int_equal(loglen, 0);
    free(logbuf);
    assert_non_null(strstr(err.message, "requestContext"));
    dg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_match_literals_and_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_percent_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_405_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handler_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_display_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_invoke, setup, teardown),
    };
    return cmocka_run_group_tests_name("lambda_router", tests, NULL, NULL);
}
