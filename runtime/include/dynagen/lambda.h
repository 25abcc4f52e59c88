/* dynagen runtime — AWS Lambda: the Runtime API loop, API Gateway HTTP API
 * (payload format 2.0) events in and responses out, a router with path
 * parameters, JSON errors, and one log line per request with CloudWatch
 * Embedded Metric Format metrics.
 *
 * A bootstrap's main is typically:
 *
 *     static const dg_route routes[] = {
 *         {.method = "GET", .pattern = "/products/{id}", .handler = get_product,
 *          .name = "GetProduct"},
 *         ...
 *     };
 *     static const dg_router router = {.routes = routes,
 *                                      .route_count = sizeof routes / sizeof routes[0]};
 *     int main(void) {
 *         dg_lambda_options o = {.router = &router, .init = app_init, .destroy = app_destroy};
 *         dg_error err;
 *         return dg_lambda_run(&o, &err) == 0 ? 0 : 1;
 *     }
 *
 * init runs once, before the first invocation (clients are created there);
 * each invocation gets a fresh arena that is reset after its response is
 * posted. A handler that crashes takes the process down: the Runtime API
 * reports the invocation as failed and the next process serves the next
 * request.
 *
 * Request strings live in the invocation's arena and are NUL-terminated;
 * header names are lower-case. Nothing here is thread-safe: one invocation at
 * a time, as Lambda runs them. */
#ifndef DYNAGEN_LAMBDA_H
#define DYNAGEN_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"

#define DG_HTTP_DEFAULT_MAX_BODY ((size_t)256 * 1024)         /* router: larger bodies get 413 */
#define DG_LAMBDA_DEFAULT_MAX_EVENT ((size_t)8 * 1024 * 1024) /* Lambda caps payloads at 6 MB */

/* ------------------------------------------------------------------ request */

typedef struct dg_http_kv {
    const char *name;  /* NUL-terminated */
    const char *value; /* NUL-terminated */
} dg_http_kv;

/* Filled by the handler and read by dg_http_note_*: what the request cost. */
typedef struct dg_http_metrics {
    unsigned cache_hits;
    unsigned cache_misses;
    unsigned retries;
    int handler_rc;                    /* what the handler returned (0 or DG_E*) */
    char detail[DG_ERROR_MESSAGE_MAX]; /* internal error detail: logged, never sent */
} dg_http_metrics;

typedef struct dg_http_request {
    const char *method;      /* requestContext.http.method, as sent ("GET") */
    const char *raw_path;    /* rawPath, percent-encoded as received */
    const char *raw_query;   /* rawQueryString without '?', "" when none */
    dg_http_kv *path_params; /* set by the router: {param} segments, percent-decoded */
    size_t path_param_count;
    dg_http_kv *query; /* decoded; a repeated key's values joined by ',' */
    size_t query_count;
    dg_http_kv *headers; /* names lower-case; repeated names joined by ',' */
    size_t header_count;
    const char **cookies; /* "name=value" each, from the event's cookies array */
    size_t cookie_count;
    const uint8_t *body; /* decoded bytes (base64 undone), NUL-terminated; never NULL */
    size_t body_len;
    bool body_was_base64; /* the event's isBase64Encoded */

    const char *request_id;     /* Lambda request id (Lambda-Runtime-Aws-Request-Id), or "" */
    const char *api_request_id; /* requestContext.requestId (API Gateway's), or "" */
    const char *route_key;      /* the event's routeKey ("$default" behind a catch-all), or "" */
    const char *stage;          /* requestContext.stage, or "" */
    const char *source_ip;      /* requestContext.http.sourceIp, or "" */
    const char *user_agent;     /* requestContext.http.userAgent, or "" */
    const char *trace_id;       /* Lambda-Runtime-Trace-Id, or "" */
    const char *function_arn;   /* Lambda-Runtime-Invoked-Function-Arn, or "" */
    int64_t time_epoch_ms;      /* requestContext.timeEpoch, 0 when absent */
    int64_t deadline_ms;        /* Lambda-Runtime-Deadline-Ms (epoch ms), 0 = none */

    const struct dg_route *route; /* set by the router when a route matched */
    dg_http_metrics *metrics;     /* never NULL inside a handler */
} dg_http_request;

/* Value of header `name` (give it lower-case), or NULL. */
const char *dg_http_header(const dg_http_request *req, const char *name);
/* Decoded query parameter, or NULL ("a=1&a=2" gives "1,2"). */
const char *dg_http_query(const dg_http_request *req, const char *name);
/* Path parameter filled by the router ("id" for "{id}"), or NULL. */
const char *dg_http_param(const dg_http_request *req, const char *name);
/* Value of cookie `name` from the cookies array (exact name match), or NULL. */
const char *dg_http_cookie(const dg_http_request *req, const char *name);
/* Milliseconds left before the invocation deadline (INT64_MAX without one, may be <= 0). */
int64_t dg_http_remaining_ms(const dg_http_request *req);

/* Per-request counters for the log line and the metrics (handlers call these). */
void dg_http_note_cache(const dg_http_request *req, bool hit);
void dg_http_note_retries(const dg_http_request *req, unsigned retries);

/* ------------------------------------------------------------------ response */

typedef struct dg_http_response {
    int status;          /* 0 = not set yet */
    dg_http_kv *headers; /* in the arena; a name may repeat (multi-value) */
    size_t header_count, header_cap;
    const char **cookies; /* Set-Cookie values, in the arena */
    size_t cookie_count, cookie_cap;
    dg_buf body;     /* raw bytes (heap) */
    bool is_base64;  /* body is binary: the writer base64-encodes it */
    dg_arena *arena; /* where headers and cookies live */
} dg_http_response;

/* Caller storage; headers and cookies go to arena a, the body to the heap.
 * (Named setup/release: runtime/aws owns dg_http_response_init for its transport.) */
void dg_http_response_setup(dg_http_response *res, dg_arena *a);
void dg_http_response_release(dg_http_response *res);
/* Back to "not set" (status 0, no headers, empty body). */
void dg_http_response_clear(dg_http_response *res);

/* Replace every header `name` (case-insensitive) with one value. Values with
 * CR or LF are DG_EINVAL. */
int dg_http_set_header(dg_http_response *res, const char *name, const char *value);
/* Add one more value for `name` (written joined by ", " in the response JSON).
 * "set-cookie" goes to the cookies array instead. */
int dg_http_add_header(dg_http_response *res, const char *name, const char *value);
int dg_http_add_cookie(dg_http_response *res, const char *set_cookie);
/* First value of response header `name` (case-insensitive), or NULL. */
const char *dg_http_response_header(const dg_http_response *res, const char *name);

/* status + content-type application/json + body (copied). */
int dg_http_json(dg_http_response *res, int status, const char *json, size_t len);

/* Error JSON: {"error":{"code":code,"message":message,"field":field}} ("field"
 * only when non-NULL and non-empty); replaces whatever the response held. */
int dg_http_error(dg_http_response *res, int status, const char *code, const char *message,
                  const char *field);

/* HTTP status for a dg_error code:
 *   DG_EINVAL, DG_ERANGE 400; DG_ENOTFOUND 404; DG_ECONFLICT 409; DG_ETOOBIG 413;
 *   DG_ETHROTTLED 429; DG_EUNSUPPORTED 501; DG_EUNTRUSTED 502; DG_EIO 503; DG_ETIMEDOUT 504;
 *   anything else (DG_ENOMEM, DG_ESERVICE, DG_EINTERNAL, unknown) 500. */
int dg_http_status_for(int code);
/* The stable error code string used in error JSON for a status
 * (400 "bad_request", 404 "not_found", 405 "method_not_allowed", 409 "conflict",
 * 413 "payload_too_large", 415 "unsupported_media_type", 422 "unprocessable",
 * 429 "throttled", 500 "internal", 501 "not_implemented", 502 "bad_gateway",
 * 503 "unavailable", 504 "timeout"; others "error"). */
const char *dg_http_code_for(int status);
/* Error JSON for a dg_error. Client errors (400, 404, 409, 413) carry the
 * error's message and field, which dynagen writes for people. A remote
 * service's error (err->type set) or any 5xx gets a generic message instead
 * (never internals), and a DG_EINVAL from a remote service is a 500 (it is
 * our bug, not the caller's). 429 adds Retry-After: 1. Returns the status. */
int dg_http_error_from(dg_http_response *res, const dg_error *err);
/* For handlers: dg_http_error_from(res, err), plus the full detail (message,
 * remote type, field) kept for the request's log line. Returns err->code, so
 * `return dg_http_fail(req, res, &err);` ends a handler. */
int dg_http_fail(const dg_http_request *req, dg_http_response *res, const dg_error *err);

/* ------------------------------------------------------------------ router */

typedef int (*dg_route_fn)(void *app, const dg_http_request *req, dg_http_response *res,
                           dg_arena *a);

enum {
    DG_ROUTE_RAW_BODY = 1u << 0, /* accept any content type (no 415 check) */
};

/* Initialise with designated initializers (or all five fields): the build's
 * -Wextra flags a positional initializer that leaves `flags` out. */
typedef struct dg_route {
    const char *method;  /* "GET", "POST", ... (exact, upper-case) */
    const char *pattern; /* "/products/{id}/versions/{version}" */
    dg_route_fn handler;
    const char *name; /* metrics dimension and log "route"; NULL = "METHOD pattern" */
    unsigned flags;   /* DG_ROUTE_* (0 by default) */
} dg_route;

typedef struct dg_router {
    const dg_route *routes;
    size_t route_count;
    size_t max_body_bytes; /* 0 = DG_HTTP_DEFAULT_MAX_BODY */
    /* Optional: called after a route matched and the body passed its checks,
     * right before the handler (e.g. hand the deadline to the clients). */
    void (*on_request)(void *app, const dg_http_request *req);
} dg_router;

/* Route req and always leave a response in res:
 *   no pattern matches the path              -> 404 not_found
 *   a pattern matches, not with this method  -> 405 + Allow: "GET, PUT" (table order)
 *   a {param} segment is empty               -> no match; badly percent-encoded,
 *                                               NUL or invalid UTF-8 when decoded -> 400
 *   body larger than max_body_bytes          -> 413
 *   body present, content-type not application/json (parameters such as
 *   charset=utf-8 allowed; another charset is refused) -> 415, unless DG_ROUTE_RAW_BODY
 *   handler returns < 0 without a response   -> dg_http_error_from(its code)
 *   handler returns 0 without a status       -> 500
 * Literal segments beat {param} segments ("/products/search" wins over
 * "/products/{id}"), compared left to right. Fills req->route and
 * req->path_params. Returns 0, or DG_ENOMEM when not even an error response
 * could be built. */
int dg_router_dispatch(const dg_router *r, void *app, dg_http_request *req, dg_http_response *res,
                       dg_arena *a);

/* ------------------------------------------------------------------ API Gateway v2 */

/* Parse an API Gateway HTTP API payload 2.0 event (len bytes of JSON, strict:
 * nothing but whitespace after it) into req, strings in the arena.
 * Required: a JSON object with rawPath (starting with '/') and
 * requestContext.http.method; every other field may be missing or null.
 * queryStringParameters is used as given; without it rawQueryString is
 * decoded. isBase64Encoded bodies are decoded (strict base64).
 * DG_EINVAL with a clear message when malformed; DG_ETOOBIG past max_bytes
 * (0 = DG_LAMBDA_DEFAULT_MAX_EVENT). The Lambda fields (request_id, deadline,
 * trace id, arn) are left empty for the caller to fill. */
int dg_apigw_parse_event(const char *json, size_t len, size_t max_bytes, dg_arena *a,
                         dg_http_request *req, dg_error *err);

/* Write the payload 2.0 response:
 * {"statusCode":N,"headers":{...},"cookies":[...]?,"body":"...","isBase64Encoded":b}.
 * Repeated header names are joined with ", ". A body that is not valid UTF-8
 * is base64-encoded even when res->is_base64 is false. Appends to out. */
int dg_apigw_write_response(const dg_http_response *res, dg_buf *out, dg_error *err);

/* Decode a query string ("a=1&b=x%20y&a=2" -> a="1,2", b="x y"; '+' is a
 * space; an invalid %-escape is kept literally; keys keep first-seen order). */
int dg_http_parse_query(const char *raw, size_t len, dg_arena *a, dg_http_kv **out, size_t *count);
/* Percent-decode s[0..n) into the arena ('+' stays '+'). DG_EINVAL on a bad
 * escape; *out is NUL-terminated, *out_len excludes the NUL. */
int dg_http_percent_decode(const char *s, size_t n, dg_arena *a, char **out, size_t *out_len);

/* ------------------------------------------------------------------ the Lambda runtime loop */

typedef struct dg_lambda_invocation {
    const char *request_id;   /* Lambda-Runtime-Aws-Request-Id */
    int64_t deadline_ms;      /* Lambda-Runtime-Deadline-Ms, 0 when absent */
    const char *trace_id;     /* Lambda-Runtime-Trace-Id, "" when absent */
    const char *function_arn; /* Lambda-Runtime-Invoked-Function-Arn, "" when absent */
    const char *event;        /* the event JSON (NUL-terminated) */
    size_t event_len;
} dg_lambda_invocation;

/* Generic invocation handler: fill response with the JSON to return.
 * A negative return posts an invocation error (errorMessage = err->message,
 * errorType = err->type, or "Runtime.HandlerError" when empty). */
typedef int (*dg_lambda_invoke_fn)(void *app, const dg_lambda_invocation *inv, dg_buf *response,
                                   dg_arena *a, dg_error *err);

typedef struct dg_lambda_options {
    /* Once, before the loop: create the long-lived clients; *app is passed to
     * every handler. A failure is posted to /runtime/init/error and
     * dg_lambda_run returns it. Optional. */
    int (*init)(void *ctx, void **app, dg_error *err);
    void (*destroy)(void *app); /* when the loop ends (max_invocations, error). Optional. */
    void *ctx;

    /* One of the two: */
    const dg_router *router;    /* HTTP API: dg_lambda_http_invoke with this router */
    dg_lambda_invoke_fn invoke; /* anything else (takes precedence) */

    const char *runtime_api;       /* "host:port"; NULL = $AWS_LAMBDA_RUNTIME_API */
    long connect_timeout_ms;       /* 0 = 1000 */
    size_t max_event_bytes;        /* 0 = DG_LAMBDA_DEFAULT_MAX_EVENT */
    size_t arena_limit;            /* per invocation, 0 = unlimited */
    unsigned long max_invocations; /* 0 = forever (tests stop after N) */
    FILE *log;                     /* request log lines; NULL = stdout */
} dg_lambda_options;

/* Run the loop: GET .../runtime/invocation/next (no overall timeout on the
 * long poll, short connect timeout, no proxy, TCP_NODELAY, one reused curl
 * handle), set _X_AMZN_TRACE_ID, invoke, POST .../invocation/{id}/response or
 * .../invocation/{id}/error (with Lambda-Runtime-Function-Error-Type).
 * Returns only on an init failure, a Runtime API failure (DG_EIO: Lambda is
 * gone) or after max_invocations; err says why. */
int dg_lambda_run(const dg_lambda_options *opt, dg_error *err);

/* The HTTP adapter dg_lambda_run uses with a router: parse the event (a
 * malformed one is an invocation error, DG_EINVAL), fill the Lambda fields
 * from inv, dispatch, write the response JSON into response and one log line
 * to log (NULL = stdout). Usable from a custom dg_lambda_invoke_fn. */
int dg_lambda_http_invoke(const dg_router *r, void *app, const dg_lambda_invocation *inv,
                          dg_buf *response, dg_arena *a, FILE *log, dg_error *err);

/* The log line for one request, to out (no newline): one JSON object that is
 * both the request log (requestId, route, method, path, status, latency_ms,
 * cache "hit"/"miss"/"none", retries, error?) and a CloudWatch EMF record
 * (_aws.CloudWatchMetrics: namespace "dynagen", dimensions [["Route"]],
 * Latency (Milliseconds), Errors (5xx, Count), CacheHits, CacheMisses,
 * Retries). route_name: the route's name, "METHOD pattern", or "unmatched". */
int dg_lambda_log_line(dg_buf *out, const dg_http_request *req, const dg_http_response *res,
                       const char *route_name, double latency_ms, int64_t timestamp_ms);

/* Name used for a route in logs and metrics. */
const char *dg_route_display_name(const dg_route *route, dg_arena *a);

#endif
