/* dynagen runtime — AWS credentials, configuration and Signature Version 4.
 *
 * Configuration comes from the standard environment variables (what Lambda
 * provides, and what the AWS SDKs read), through a getenv-like function so
 * tests can inject an environment:
 *
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional)
 *   AWS_REGION, else AWS_DEFAULT_REGION
 *   AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL,
 *     else https://dynamodb.<region>.amazonaws.com (.amazonaws.com.cn for cn-*)
 *
 * An empty variable counts as unset (as in the AWS SDKs).
 *
 * SigV4 is exposed stage by stage (canonical request, string to sign,
 * signing key, signature, Authorization value), each a pure function of its
 * inputs, plus dg_sigv4_sign() that runs them all for one request at a time
 * the caller passes in: nothing here reads the clock.
 *
 * Secrets: the secret access key, the session token, signing keys and
 * signatures never appear in a dg_error message. The canonical request (an
 * output of dg_sigv4_canonical_request) contains the session token when it
 * is signed as a header: do not log it.
 *
 * Threads: a dg_sigv4_key_cache is not synchronised; use one per client
 * (Lambda runs one request at a time). Everything else is reentrant. */
#ifndef DYNAGEN_AWS_H
#define DYNAGEN_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/buf.h"
#include "dynagen/error.h"

/* ------------------------------------------------------------------ config */

/* getenv-like lookup: the value of name, or NULL when unset. ctx is passed
 * through. dg_aws_config_from_env() with getenv_fn == NULL reads the process
 * environment (getenv). */
typedef const char *(*dg_getenv_fn)(void *ctx, const char *name);

typedef struct dg_aws_credentials {
    char *access_key_id;     /* heap; never NULL once loaded */
    char *secret_access_key; /* heap; never NULL once loaded; wiped on clean-up */
    char *session_token;     /* heap; NULL when there is none; wiped on clean-up */
} dg_aws_credentials;

typedef struct dg_aws_config {
    dg_aws_credentials credentials;
    char *region;       /* "eu-west-1"; [a-z0-9-] only */
    char *ddb_endpoint; /* "https://dynamodb.eu-west-1.amazonaws.com", "http://127.0.0.1:8000";
                           no trailing '/' */
    char *ddb_host;     /* authority of ddb_endpoint, the Host header value: "127.0.0.1:8000" */
    bool ddb_tls;       /* ddb_endpoint is https:// */
    const char *region_source; /* static: "AWS_REGION" or "AWS_DEFAULT_REGION" */
    const char
        *endpoint_source; /* static: "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL" or "default" */
} dg_aws_config;

/* Load credentials, region and the DynamoDB endpoint. On success cfg is
 * filled (release with dg_aws_config_clean_up). On failure returns DG_EINVAL
 * (or DG_ENOMEM), leaves cfg empty, and err names every missing or invalid
 * variable, e.g. "AWS_REGION (or AWS_DEFAULT_REGION) is not set"; err->field
 * is the name of the first offending variable. Values of secret variables
 * are never quoted. */
int dg_aws_config_from_env(dg_aws_config *cfg, dg_getenv_fn getenv_fn, void *ctx, dg_error *err);

/* Frees everything and wipes the secret and the token. cfg may be NULL;
 * safe on a zeroed or already cleaned-up config. */
void dg_aws_config_clean_up(dg_aws_config *cfg);

/* Credentials alone (the three AWS_* key variables); same error rules. */
int dg_aws_credentials_from_env(dg_aws_credentials *creds, dg_getenv_fn getenv_fn, void *ctx,
                                dg_error *err);
void dg_aws_credentials_clean_up(dg_aws_credentials *creds);

/* The regional DynamoDB endpoint for region (no trailing '/'):
 * "https://dynamodb.<region>.amazonaws.com", or ".amazonaws.com.cn" for cn-*. */
int dg_aws_ddb_default_endpoint(const char *region, dg_buf *out, dg_error *err);

/* ------------------------------------------------------------------ SigV4 */

#define DG_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* Hex SHA-256 of the empty string: the payload hash of a request without a body. */
#define DG_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define DG_SIGV4_AMZ_DATE_LEN 16 /* "20150830T123600Z" */
#define DG_SIGV4_HEX_LEN 64      /* SHA-256 / HMAC-SHA256 as lower-case hex */

/* One request header, as it will be sent. NUL-terminated name and value. */
typedef struct dg_aws_header {
    const char *name;
    const char *value;
} dg_aws_header;

/* A request to sign. path and query are exactly what goes on the request
 * line (the path as sent, the query after '?' without the '?'); the signer
 * normalises the path (drops empty, "." and ".." segments) and URI-encodes
 * each segment again (SigV4 for every service but S3: "double encoding"),
 * and decodes then re-encodes each query key and value ('+' is a literal
 * plus, not a space). */
typedef struct dg_sigv4_request {
    const char *method;           /* "POST" */
    const char *path;             /* "/" when NULL or "" */
    const char *query;            /* NULL or "" for none */
    const dg_aws_header *headers; /* duplicates allowed: values are joined with ',' in order */
    size_t header_count;
    const void *body; /* may be NULL when body_len == 0 */
    size_t body_len;
} dg_sigv4_request;

/* "YYYYMMDDTHHMMSSZ" for unix_seconds (UTC). out holds 17 bytes with the NUL.
 * DG_ERANGE outside years 1970..9999. */
int dg_sigv4_amz_date(int64_t unix_seconds, char out[DG_SIGV4_AMZ_DATE_LEN + 1], dg_error *err);

/* Lower-case hex SHA-256 of data. out holds 65 bytes with the NUL. */
int dg_sigv4_sha256_hex(const void *data, size_t len, char out[DG_SIGV4_HEX_LEN + 1]);

/* Task 1. Appends the canonical request to out:
 *   METHOD \n canonical-uri \n canonical-query \n canonical-headers \n signed-headers \n
 * payload_hash Every header in req is signed, except the ones that proxies and HTTP stacks rewrite,
 * which the AWS SDKs never sign either: authorization, cache-control, connection, expect, from,
 * keep-alive, max-forwards, pragma, referer, te, trailer, transfer-encoding, upgrade, user-agent,
 * x-amzn-trace-id, proxy-*, sec-*. Header names are lower-cased, values
 * trimmed of spaces and tabs with inner runs collapsed to one space.
 * If signed_headers is not NULL, the signed-headers list ("host;x-amz-date")
 * is appended to it. payload_hash is hex SHA-256 of the body (or e.g.
 * "UNSIGNED-PAYLOAD"). DG_EINVAL for a malformed method, path, query,
 * header name, or a header value holding CR, LF or NUL. */
int dg_sigv4_canonical_request(const dg_sigv4_request *req, const char *payload_hash, dg_buf *out,
                               dg_buf *signed_headers, dg_error *err);

/* Task 2. Appends
 *   AWS4-HMAC-SHA256 \n amz_date \n yyyymmdd/region/service/aws4_request \n hex(sha256(canonical))
 * amz_date is "YYYYMMDDTHHMMSSZ" (its first 8 characters are the scope date). */
int dg_sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                            const char *canonical_request, size_t canonical_len, dg_buf *out,
                            dg_error *err);

/* Task 3a. kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8), region), service),
 * "aws4_request"). date8 is "YYYYMMDD". */
int dg_sigv4_signing_key(const char *secret_access_key, const char *date8, const char *region,
                         const char *service, uint8_t key_out[32], dg_error *err);

/* Task 3b. Lower-case hex HMAC-SHA256(signing_key, string_to_sign). */
int dg_sigv4_signature(const uint8_t signing_key[32], const char *string_to_sign, size_t sts_len,
                       char out[DG_SIGV4_HEX_LEN + 1], dg_error *err);

/* Task 4. Appends the Authorization header value:
 *   AWS4-HMAC-SHA256 Credential=<akid>/<date8>/<region>/<service>/aws4_request,
 *   SignedHeaders=<signed_headers>, Signature=<signature>      (one line; ", " separators) */
int dg_sigv4_authorization(const char *access_key_id, const char *date8, const char *region,
                           const char *service, const char *signed_headers, const char *signature,
                           dg_buf *out, dg_error *err);

/* Cache of the derived signing key for one (secret, date, region, service):
 * the four HMACs run again only when one of them changes, in practice once a
 * day. Caller storage: dg_sigv4_key_cache_init / _clean_up (wipes the key).
 * The secret itself is not kept, only its SHA-256. */
#define DG_SIGV4_SCOPE_PART_MAX 64
typedef struct dg_sigv4_key_cache {
    bool valid;
    uint8_t secret_sha256[32];
    char date8[9];
    char region[DG_SIGV4_SCOPE_PART_MAX];
    char service[DG_SIGV4_SCOPE_PART_MAX];
    uint8_t key[32];
    uint64_t derivations; /* how many times the key was (re)derived: for tests and metrics */
} dg_sigv4_key_cache;

void dg_sigv4_key_cache_init(dg_sigv4_key_cache *cache);
void dg_sigv4_key_cache_clean_up(dg_sigv4_key_cache *cache);
/* The signing key for (secret, date8, region, service), from the cache when
 * it holds that key, else derived and stored. A region or service longer than
 * DG_SIGV4_SCOPE_PART_MAX-1 is derived every time and not cached. */
int dg_sigv4_key_cache_get(dg_sigv4_key_cache *cache, const char *secret_access_key,
                           const char *date8, const char *region, const char *service,
                           uint8_t key_out[32], dg_error *err);

/* Everything dg_sigv4_sign needs besides the request. */
typedef struct dg_sigv4_params {
    const dg_aws_credentials *credentials; /* session_token may be NULL */
    const char *region;                    /* "us-east-1" */
    const char *service;                   /* "dynamodb" */
    int64_t unix_seconds;                  /* signing time, UTC (the caller reads the clock) */
    dg_sigv4_key_cache *key_cache;         /* NULL: derive the key on every call */
    bool add_content_sha256;               /* also send and sign x-amz-content-sha256 */
} dg_sigv4_params;

/* The headers dg_sigv4_sign adds; the caller sends them with the request's own. */
typedef struct dg_sigv4_signed {
    char amz_date[DG_SIGV4_AMZ_DATE_LEN + 1]; /* X-Amz-Date value */
    char
        payload_hash[DG_SIGV4_HEX_LEN + 1]; /* X-Amz-Content-Sha256 value when add_content_sha256 */
    const char *security_token;             /* X-Amz-Security-Token value (points into the
                                               credentials), NULL when none */
    char signature[DG_SIGV4_HEX_LEN + 1];
    dg_buf authorization; /* Authorization value */
} dg_sigv4_signed;

void dg_sigv4_signed_init(dg_sigv4_signed *s);
void dg_sigv4_signed_clean_up(dg_sigv4_signed *s);

/* Sign req: adds X-Amz-Date (from params->unix_seconds), X-Amz-Security-Token
 * when the credentials carry one, and optionally X-Amz-Content-Sha256, all
 * signed, then computes the Authorization value. The request must carry a
 * Host header and must not carry Authorization or X-Amz-Date (the signer
 * owns them), nor X-Amz-Security-Token when the credentials have a token.
 * An X-Amz-Content-Sha256 header in req gives the payload hash as is (e.g.
 * "UNSIGNED-PAYLOAD"); otherwise the body is hashed. out must have been
 * initialised; its authorization buffer is reset first. */
int dg_sigv4_sign(const dg_sigv4_params *params, const dg_sigv4_request *req, dg_sigv4_signed *out,
                  dg_error *err);

#endif
