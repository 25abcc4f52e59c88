/* dynagen runtime — HTTP transport over one reused libcurl easy handle,
 * private to the runtime (the DynamoDB client is its user).
 *
 * One dg_aws_http per client: the easy handle runs on a private multi handle
 * (socket interface) whose connection cache keeps the connection alive between
 * requests (keep-alive, TCP_NODELAY, HTTP/1.1, no signals, no proxy taken
 * from the environment, no redirects). Headers and body leave in one send.
 * Not synchronised: one thread at a time. */
#ifndef DYNAGEN_AWS_HTTP_INTERNAL_H
#define DYNAGEN_AWS_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/aws.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"

#define DG_AWS_HTTP_MAX_RESPONSE_DEFAULT ((size_t)16 * 1024 * 1024)

typedef struct dg_aws_http dg_aws_http;

typedef struct dg_aws_http_options {
    long connect_timeout_ms; /* > 0 */
    const char *proxy;       /* NULL or "": no proxy (the *_proxy variables are ignored) */
    size_t max_response;     /* body bound; 0 = DG_AWS_HTTP_MAX_RESPONSE_DEFAULT */
} dg_aws_http_options;

typedef struct dg_aws_http_request {
    const char *url;              /* absolute http:// or https:// URL */
    const dg_aws_header *headers; /* sent as given (Host included) */
    size_t header_count;
    const void *body;
    size_t body_len;
    long timeout_ms; /* whole request, > 0 */
} dg_aws_http_request;

typedef struct dg_aws_http_response {
    long status;         /* HTTP status, 0 when no response */
    dg_buf body;         /* response body (NUL-terminated when non-empty) */
    bool has_crc32;      /* the response carried x-amz-crc32 */
    uint32_t crc32;      /* its value */
    char request_id[80]; /* x-amzn-RequestId, or "" */
    int resends;         /* times libcurl sent the request again by itself (a reused
                            connection that died without an answer): the earlier
                            copy may have been applied */
} dg_aws_http_response;

/* What a failed exchange (no usable response) tells the caller. */
typedef enum dg_aws_http_failure {
    DG_AWS_HTTP_OK = 0,
    DG_AWS_HTTP_NOT_SENT,   /* failed before the request could reach the server
                           (resolve / connect / TLS handshake): never applied */
    DG_AWS_HTTP_MAYBE_SENT, /* failed after (part of) the request was written: the
                           server may have acted on it */
    DG_AWS_HTTP_TOO_BIG     /* the response body exceeded max_response */
} dg_aws_http_failure;

int dg_aws_http_new(const dg_aws_http_options *opts, dg_aws_http **out, dg_error *err);
void dg_aws_http_destroy(dg_aws_http *h);

void dg_aws_http_response_init(dg_aws_http_response *r);
void dg_aws_http_response_clean_up(dg_aws_http_response *r);

/* POST one request. Returns 0 when a complete response arrived (whatever its
 * status); otherwise DG_EIO (transport failure), DG_ETIMEDOUT (timeout_ms
 * elapsed) or DG_ETOOBIG, with *failure saying whether the request may have
 * been applied. resp is reset first. */
int dg_aws_http_post(dg_aws_http *h, const dg_aws_http_request *req, dg_aws_http_response *resp,
                     dg_aws_http_failure *failure, dg_error *err);

/* CRC-32 (IEEE 802.3, the x-amz-crc32 checksum DynamoDB sends). */
uint32_t dg_aws_crc32(const void *data, size_t len);

#endif
