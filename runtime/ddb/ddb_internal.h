/* dynagen runtime — DynamoDB client internals shared by the runtime/ddb sources
 * (and the unit tests of the error mapping). Not a public header. */
#ifndef DYNAGEN_DDB_INTERNAL_H
#define DYNAGEN_DDB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/ddb.h"

#include "../aws/http_internal.h"

/* How a non-2xx response is treated by the retry loop. */
typedef enum dg_ddb_retry_class {
    DG_DDB_FINAL = 0,      /* never retried */
    DG_DDB_RETRY_THROTTLE, /* throttling: retried, DG_ETHROTTLED once the budget is spent */
    DG_DDB_RETRY_SERVER /* 5xx / InternalServerError / ServiceUnavailable: retried, DG_ESERVICE */
} dg_ddb_retry_class;

/* Map an error response (status, body) to a dg_error: err->code (returned),
 * err->type (the exception name after '#'), err->message (the service's
 * "message" / "Message", else "HTTP <status>"). *root receives the parsed
 * body (owned by the caller; NULL when the body is not a JSON object). */
int dg_ddb_error_from_response(long status, const char *body, size_t len, cJSON **root,
                               dg_ddb_retry_class *cls, dg_error *err);

/* Parse a response body: length-bounded, one JSON value and nothing after it,
 * no NUL byte, no duplicate object key. DG_ESERVICE on malformed input. */
int dg_ddb_parse_json(const char *body, size_t len, cJSON **out, dg_error *err);

/* Exception name without its namespace: "com.amazonaws...#Foo" -> "Foo". */
const char *dg_ddb_short_type(const char *type);

struct dg_ddb_client {
    dg_aws_config cfg; /* deep copy */
    dg_ddb_options opts;
    char *proxy;
    char *url;        /* endpoint URL as requested ("http://127.0.0.1:8000/") */
    const char *path; /* request path, into url */
    dg_aws_http *http;
    dg_sigv4_key_cache keys;
    dg_sigv4_signed sig;
    dg_aws_http_response resp;
    dg_buf body; /* request body scratch (ops.c), kept between calls */
    dg_ddb_stats stats;
    int64_t deadline_ms;
    uint64_t rng;
};

/* Full-jitter backoff for retry number `attempt` (0-based), in ms. */
long dg_ddb_backoff_ms(dg_ddb_client *c, int attempt);
/* Sleep ms unless that would cross the retry budget (started at start_ns) or
 * the deadline: then return DG_ETHROTTLED-style "no" (-1) without sleeping;
 * *deadline_hit tells which. 0 after sleeping. */
int dg_ddb_pause(dg_ddb_client *c, long ms, uint64_t start_ns, bool *deadline_hit);

/* Body builders (append to b; sticky-failing like dg_buf). */
void dg_ddb_put_str(dg_buf *b, const char *key, const char *val);  /* ,"key":"val" (escaped) */
void dg_ddb_put_raw(dg_buf *b, const char *key, const char *json); /* ,"key":json */

#endif
