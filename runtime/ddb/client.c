/* dynagen runtime — DynamoDB client: configuration, signing, the retry loop
 * and the mapping of DynamoDB errors to dg_error. */
#include "ddb_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "dynagen/codec_util.h"

#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"

/* ------------------------------------------------------------------ helpers */

static char *dup_str(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d != NULL)
        memcpy(d, s, n + 1);
    return d;
}

static uint64_t rng_next(dg_ddb_client *c)
{
    /* xorshift64*: jitter only, not security. */
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return x * UINT64_C(2685821657736338717);
}

long dg_ddb_backoff_ms(dg_ddb_client *c, int attempt)
{
    long cap = c->opts.max_backoff_ms;
    long base = c->opts.base_backoff_ms;
    long ceiling = base;
    for (int i = 0; i < attempt && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    if (ceiling <= 0)
        return 0;
    return (long)(rng_next(c) % ((uint64_t)ceiling + 1));
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int dg_ddb_pause(dg_ddb_client *c, long ms, uint64_t start_ns, bool *deadline_hit)
{
    *deadline_hit = false;
    uint64_t elapsed = (dg_monotonic_ns() - start_ns) / 1000000u;
    if ((int64_t)elapsed + ms > c->opts.max_retry_ms)
        return -1;
    if (c->deadline_ms != 0 && dg_now_ms() + ms >= c->deadline_ms) {
        *deadline_hit = true;
        return -1;
    }
    sleep_ms(ms);
    return 0;
}

void dg_ddb_put_str(dg_buf *b, const char *key, const char *val)
{
    dg_buf_putc(b, ',');
    dg_buf_json_string(b, key, strlen(key));
    dg_buf_putc(b, ':');
    dg_buf_json_string(b, val, strlen(val));
}

void dg_ddb_put_raw(dg_buf *b, const char *key, const char *json)
{
    dg_buf_putc(b, ',');
    dg_buf_json_string(b, key, strlen(key));
    dg_buf_putc(b, ':');
    dg_buf_puts(b, json);
}

/* ------------------------------------------------------------------ client */

static void opts_defaults(dg_ddb_options *o, const dg_ddb_options *in)
{
    dg_ddb_options d = {0};
    if (in != NULL)
        d = *in;
    o->connect_timeout_ms = d.connect_timeout_ms > 0 ? d.connect_timeout_ms : 1000;
    o->request_timeout_ms = d.request_timeout_ms > 0 ? d.request_timeout_ms : 5000;
    o->max_attempts = d.max_attempts > 0 ? d.max_attempts : 6;
    o->max_retry_ms = d.max_retry_ms > 0 ? d.max_retry_ms : 10000;
    o->base_backoff_ms = d.base_backoff_ms > 0 ? d.base_backoff_ms : 25;
    o->max_backoff_ms = d.max_backoff_ms > 0 ? d.max_backoff_ms : 2000;
    o->proxy = NULL;
}

static int copy_config(dg_aws_config *dst, const dg_aws_config *src)
{
    memset(dst, 0, sizeof *dst);
    dst->credentials.access_key_id = dup_str(src->credentials.access_key_id);
    dst->credentials.secret_access_key = dup_str(src->credentials.secret_access_key);
    dst->credentials.session_token = dup_str(src->credentials.session_token);
    dst->region = dup_str(src->region);
    dst->ddb_endpoint = dup_str(src->ddb_endpoint);
    dst->ddb_host = dup_str(src->ddb_host);
    dst->ddb_tls = src->ddb_tls;
    dst->region_source = src->region_source;
    dst->endpoint_source = src->endpoint_source;
    if (dst->credentials.access_key_id == NULL || dst->credentials.secret_access_key == NULL ||
        (src->credentials.session_token != NULL && dst->credentials.session_token == NULL) ||
        dst->region == NULL || dst->ddb_endpoint == NULL || dst->ddb_host == NULL) {
        dg_aws_config_clean_up(dst);
        return DG_ENOMEM;
    }
    return 0;
}

int dg_ddb_client_new(const dg_aws_config *cfg, const dg_ddb_options *opts, dg_ddb_client **out,
                      dg_error *err)
{
    *out = NULL;
    if (cfg == NULL || cfg->region == NULL || cfg->ddb_endpoint == NULL || cfg->ddb_host == NULL ||
        cfg->credentials.access_key_id == NULL || cfg->credentials.secret_access_key == NULL)
        return dg_error_set(
            err, DG_EINVAL, NULL,
            "the AWS configuration is incomplete (load it with dg_aws_config_from_env)");
    const char *ep = cfg->ddb_endpoint;
    size_t skip = strncmp(ep, "https://", 8) == 0 ? 8 : strncmp(ep, "http://", 7) == 0 ? 7 : 0;
    if (skip == 0)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "the DynamoDB endpoint must start with http:// or https://");

    dg_ddb_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory creating the DynamoDB client");
    opts_defaults(&c->opts, opts);
    dg_sigv4_key_cache_init(&c->keys);
    dg_sigv4_signed_init(&c->sig);
    dg_aws_http_response_init(&c->resp);
    dg_buf_init(&c->body);
    if (copy_config(&c->cfg, cfg) != 0)
        goto oom;
    if (opts != NULL && opts->proxy != NULL && opts->proxy[0] != '\0') {
        if ((c->proxy = dup_str(opts->proxy)) == NULL)
            goto oom;
        c->opts.proxy = c->proxy;
    }
    /* The request URL: the endpoint, with "/" as its path when it has none. */
    size_t host_end = skip + strcspn(ep + skip, "/");
    bool has_path = ep[host_end] == '/';
    size_t n = strlen(ep);
    c->url = malloc(n + 2);
    if (c->url == NULL)
        goto oom;
    memcpy(c->url, ep, n + 1);
    if (!has_path) {
        c->url[n] = '/';
        c->url[n + 1] = '\0';
    }
    c->path = c->url + host_end;

    dg_aws_http_options ho = {c->opts.connect_timeout_ms, c->opts.proxy,
                              DG_AWS_HTTP_MAX_RESPONSE_DEFAULT};
    int rc = dg_aws_http_new(&ho, &c->http, err);
    if (rc != 0) {
        dg_ddb_client_destroy(c);
        return rc;
    }
    uint64_t seed = 0;
    if (dg_random_bytes(&seed, sizeof seed, NULL) != 0 || seed == 0)
        seed = dg_monotonic_ns() ^ (uint64_t)(uintptr_t)c ^ UINT64_C(0x9E3779B97F4A7C15);
    c->rng = seed ? seed : 1;
    *out = c;
    return 0;
oom:
    dg_ddb_client_destroy(c);
    return dg_error_set(err, DG_ENOMEM, NULL, "out of memory creating the DynamoDB client");
}

void dg_ddb_client_destroy(dg_ddb_client *c)
{
    if (c == NULL)
        return;
    dg_aws_http_destroy(c->http);
    dg_aws_http_response_clean_up(&c->resp);
    dg_buf_free(&c->body);
    dg_sigv4_signed_clean_up(&c->sig);
    dg_sigv4_key_cache_clean_up(&c->keys);
    dg_aws_config_clean_up(&c->cfg);
    free(c->proxy);
    free(c->url);
    free(c);
}

void dg_ddb_client_set_deadline(dg_ddb_client *c, int64_t deadline_epoch_ms)
{
    c->deadline_ms = deadline_epoch_ms > 0 ? deadline_epoch_ms : 0;
}

const dg_ddb_stats *dg_ddb_client_stats(const dg_ddb_client *c)
{
    return &c->stats;
}

/* ------------------------------------------------------------------ results */

void dg_ddb_result_init(dg_ddb_result *r)
{
    memset(r, 0, sizeof *r);
}

void dg_ddb_result_clean_up(dg_ddb_result *r)
{
    if (r == NULL)
        return;
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}

static bool nonempty_object(const cJSON *o)
{
    return o != NULL && cJSON_IsObject(o) && o->child != NULL;
}

static void fill_result(dg_ddb_result *res, cJSON *root)
{
    res->root = root;
    if (!cJSON_IsObject(root))
        return;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "Item");
    if (it == NULL)
        it = cJSON_GetObjectItemCaseSensitive(root, "Attributes");
    res->item = cJSON_IsObject(it) ? it : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "Items");
    res->items = cJSON_IsArray(items) ? items : NULL;
    const cJSON *lk = cJSON_GetObjectItemCaseSensitive(root, "LastEvaluatedKey");
    res->last_key = nonempty_object(lk) ? lk : NULL;
    const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(root, "Count");
    res->count = cJSON_IsNumber(cnt) ? cnt->valueint : 0;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "UnprocessedItems");
    if (u == NULL)
        u = cJSON_GetObjectItemCaseSensitive(root, "UnprocessedKeys");
    res->unprocessed = nonempty_object(u) ? u : NULL;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "Responses");
    res->responses = r;
}

/* ------------------------------------------------------------------ JSON + errors */

static int cmp_names(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

/* Duplicate object keys anywhere in the tree (cJSON accepts them silently). */
static bool has_duplicate_keys(const cJSON *node)
{
    for (; node != NULL; node = node->next) {
        if (cJSON_IsObject(node)) {
            size_t n = 0;
            for (const cJSON *ch = node->child; ch != NULL; ch = ch->next)
                n++;
            if (n > 1 && n <= 16) {
                for (const cJSON *a = node->child; a != NULL; a = a->next)
                    for (const cJSON *b = a->next; b != NULL; b = b->next)
                        if (a->string && b->string && a->string[0] == b->string[0] &&
                            strcmp(a->string, b->string) == 0)
                            return true;
            } else if (n > 16) {
                const char **names = malloc(n * sizeof *names);
                if (names == NULL)
                    return true; /* cannot check: refuse */
                size_t i = 0;
                for (const cJSON *ch = node->child; ch != NULL; ch = ch->next)
                    names[i++] = ch->string ? ch->string : "";
                qsort(names, n, sizeof *names, cmp_names);
                bool dup = false;
                for (i = 1; i < n && !dup; i++)
                    dup = strcmp(names[i - 1], names[i]) == 0;
                free(names);
                if (dup)
                    return true;
            }
        }
        if ((cJSON_IsObject(node) || cJSON_IsArray(node)) && has_duplicate_keys(node->child))
            return true;
    }
    return false;
}

int dg_ddb_parse_json(const char *body, size_t len, cJSON **out, dg_error *err)
{
    *out = NULL;
    if (len == 0)
        return dg_error_set(err, DG_ESERVICE, NULL, "empty response body from DynamoDB");
    if (memchr(body, '\0', len) != NULL)
        return dg_error_set(err, DG_ESERVICE, NULL, "response body from DynamoDB holds a NUL byte");
    /* The body is NUL-terminated (dg_buf): passing len + 1 with
     * require_null_terminated makes cJSON reject anything after the value. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len + 1, &end, 1);
    if (root == NULL) {
        size_t off = end != NULL && end >= body ? (size_t)(end - body) : 0;
        return dg_error_set(err, DG_ESERVICE, NULL,
                            "invalid JSON from DynamoDB near byte %zu of %zu", off, len);
    }
    if (has_duplicate_keys(root)) {
        cJSON_Delete(root);
        return dg_error_set(err, DG_ESERVICE, NULL, "JSON from DynamoDB repeats an object key");
    }
    *out = root;
    return 0;
}

const char *dg_ddb_short_type(const char *type)
{
    if (type == NULL)
        return "";
    const char *h = strrchr(type, '#');
    return h != NULL ? h + 1 : type;
}

static bool type_is(const char *t, const char *name)
{
    return strcmp(t, name) == 0;
}

/* TransactionCanceledException: a conflict when every reason is None or
 * ConditionalCheckFailed. */
static bool cancel_is_conflict(const cJSON *root)
{
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(root, "CancellationReasons");
    if (!cJSON_IsArray(reasons))
        return false;
    bool any = false;
    const cJSON *r;
    cJSON_ArrayForEach(r, reasons)
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "Code");
        if (!cJSON_IsString(code))
            return false;
        if (strcmp(code->valuestring, "None") != 0 &&
            strcmp(code->valuestring, "ConditionalCheckFailed") != 0)
            return false;
        any = true;
    }
    return any;
}

int dg_ddb_error_from_response(long status, const char *body, size_t len, cJSON **root,
                               dg_ddb_retry_class *cls, dg_error *err)
{
    *root = NULL;
    *cls = DG_DDB_FINAL;
    cJSON *doc = NULL;
    dg_error perr;
    if (body != NULL && len > 0 && dg_ddb_parse_json(body, len, &doc, &perr) == 0 &&
        !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    const char *type = "", *msg = NULL;
    if (doc != NULL) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "__type");
        if (!cJSON_IsString(t))
            t = cJSON_GetObjectItemCaseSensitive(doc, "code");
        if (cJSON_IsString(t))
            type = dg_ddb_short_type(t->valuestring);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "message");
        if (!cJSON_IsString(m))
            m = cJSON_GetObjectItemCaseSensitive(doc, "Message");
        if (cJSON_IsString(m))
            msg = m->valuestring;
    }

    int code;
    if (type_is(type, "ResourceNotFoundException")) {
        code = DG_ENOTFOUND;
    } else if (type_is(type, "ConditionalCheckFailedException") ||
               type_is(type, "TransactionConflictException")) {
        code = DG_ECONFLICT;
    } else if (type_is(type, "TransactionCanceledException")) {
        code = cancel_is_conflict(doc) ? DG_ECONFLICT : DG_ESERVICE;
    } else if (type_is(type, "ProvisionedThroughputExceededException") ||
               type_is(type, "ThrottlingException") || type_is(type, "RequestLimitExceeded")) {
        code = DG_ETHROTTLED;
        *cls = DG_DDB_RETRY_THROTTLE;
    } else if (type_is(type, "InternalServerError") || type_is(type, "ServiceUnavailable") ||
               status >= 500) {
        code = DG_ESERVICE;
        *cls = DG_DDB_RETRY_SERVER;
    } else if (status >= 400) {
        code = DG_EINVAL;
    } else {
        code = DG_ESERVICE;
    }

    if (msg != NULL && msg[0] != '\0')
        dg_error_set(err, code, NULL, "%s", msg);
    else if (type[0] != '\0')
        dg_error_set(err, code, NULL, "%s (HTTP %ld)", type, status);
    else
        dg_error_set(err, code, NULL, "HTTP %ld from DynamoDB without an error body", status);
    if (err != NULL)
        snprintf(err->type, sizeof err->type, "%s", type);
    *root = doc;
    return code;
}

/* ------------------------------------------------------------------ one attempt */

static bool op_name_valid(const char *op)
{
    size_t n = op != NULL ? strlen(op) : 0;
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((op[i] >= 'A' && op[i] <= 'Z') || (op[i] >= 'a' && op[i] <= 'z')))
            return false;
    return true;
}

/* Sign and send one attempt; the response is in c->resp. */
static int send_once(dg_ddb_client *c, const char *target, const char *body, size_t len,
                     long timeout_ms, dg_aws_http_failure *failure, dg_error *err)
{
    dg_aws_header hdr[6] = {
        {"Host", c->cfg.ddb_host},
        {"Content-Type", DDB_CONTENT_TYPE},
        {"X-Amz-Target", target},
    };
    dg_sigv4_params p = {
        .credentials = &c->cfg.credentials,
        .region = c->cfg.region,
        .service = "dynamodb",
        .unix_seconds = dg_now_ms() / 1000,
        .key_cache = &c->keys,
        .add_content_sha256 = false,
    };
    dg_sigv4_request sr = {"POST", c->path, NULL, hdr, 3, body, len};
    *failure = DG_AWS_HTTP_NOT_SENT;
    int rc = dg_sigv4_sign(&p, &sr, &c->sig, err);
    if (rc != 0)
        return rc;
    size_t n = 3;
    hdr[n++] = (dg_aws_header){"X-Amz-Date", c->sig.amz_date};
    if (c->sig.security_token != NULL)
        hdr[n++] = (dg_aws_header){"X-Amz-Security-Token", c->sig.security_token};
    hdr[n++] = (dg_aws_header){"Authorization", dg_buf_cstr(&c->sig.authorization)};
    dg_aws_http_request hr = {c->url, hdr, n, body, len, timeout_ms};
    return dg_aws_http_post(c->http, &hr, &c->resp, failure, err);
}

/* ------------------------------------------------------------------ the call */

typedef enum last_kind { LAST_NONE, LAST_TRANSPORT, LAST_THROTTLE, LAST_SERVER } last_kind;

static int give_up(dg_ddb_client *c, const char *op, last_kind kind, const dg_error *last,
                   int attempts, const char *why, bool unanswered, dg_error *err)
{
    (void)c;
    int code = kind == LAST_THROTTLE ? DG_ETHROTTLED : kind == LAST_SERVER ? DG_ESERVICE : DG_EIO;
    /* an attempt that went unanswered may have been applied: say so */
    dg_error_set(err, code, NULL, "DynamoDB %s: %s after %d attempt%s: %s%s", op, why, attempts,
                 attempts == 1 ? "" : "s", last->message,
                 unanswered ? " (an earlier attempt went unanswered: a write may have been applied)"
                            : "");
    if (err != NULL)
        snprintf(err->type, sizeof err->type, "%s", last->type);
    return code;
}

static int deadline_error(const char *op, int attempts, const dg_error *last, dg_error *err)
{
    if (attempts == 0)
        return dg_error_set(err, DG_ETIMEDOUT, NULL,
                            "DynamoDB %s: the deadline passed before the request could be sent",
                            op);
    dg_error_set(err, DG_ETIMEDOUT, NULL, "DynamoDB %s: the deadline passed after %d attempt%s%s%s",
                 op, attempts, attempts == 1 ? "" : "s", last->message[0] ? "; last error: " : "",
                 last->message);
    return DG_ETIMEDOUT;
}

int dg_ddb_call(dg_ddb_client *c, const char *op, const char *body, size_t len, dg_ddb_result *res,
                dg_error *err)
{
    dg_ddb_result_clean_up(res);
    dg_error_clear(err);
    if (c == NULL || body == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_call: client and body are required");
    if (!op_name_valid(op))
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_call: '%.40s' is not an operation name",
                            op != NULL ? op : "");
    char target[64]; /* DDB_TARGET_PREFIX + op (op_name_valid: at most 40 letters) */
    size_t ol = strlen(op);
    memcpy(target, DDB_TARGET_PREFIX, sizeof DDB_TARGET_PREFIX - 1);
    memcpy(target + sizeof DDB_TARGET_PREFIX - 1, op, ol + 1);

    c->stats.calls++;
    c->stats.retries = c->stats.attempts - c->stats.calls;
    uint64_t start_ns = dg_monotonic_ns();
    bool unanswered = false; /* an earlier attempt may have been applied without us knowing */
    last_kind kind = LAST_NONE;
    dg_error last;
    dg_error_clear(&last);

    for (int attempt = 0;; attempt++) {
        long timeout = c->opts.request_timeout_ms;
        bool capped = false;
        if (c->deadline_ms != 0) {
            int64_t left = c->deadline_ms - dg_now_ms();
            if (left <= 0)
                return deadline_error(op, res->attempts, &last, err);
            if (left < timeout) {
                timeout = (long)left;
                capped = true;
            }
        }
        dg_aws_http_failure failure;
        int rc = send_once(c, target, body, len, timeout, &failure, &last);
        /* Every request handed to the transport counts, refused connections included. */
        if (rc == 0 || rc == DG_EIO || rc == DG_ETIMEDOUT || rc == DG_EUNTRUSTED ||
            failure != DG_AWS_HTTP_NOT_SENT) {
            res->attempts++;
            c->stats.attempts++;
        }
        if (c->resp.resends > 0) {
            /* libcurl resent the request by itself after a reused connection
             * died unanswered: each earlier copy may have been applied. */
            res->attempts += c->resp.resends;
            c->stats.attempts += (uint64_t)c->resp.resends;
            c->stats.connection_errors += (uint64_t)c->resp.resends;
            unanswered = true;
        }
        c->stats.retries = c->stats.attempts - c->stats.calls;

        if (rc == 0 && c->resp.has_crc32 &&
            dg_aws_crc32(c->resp.body.data, c->resp.body.len) != c->resp.crc32) {
            rc = dg_error_set(
                &last, DG_EIO, NULL,
                "response CRC32 mismatch (x-amz-crc32 %u): the body was damaged in transit",
                (unsigned)c->resp.crc32);
            failure = DG_AWS_HTTP_MAYBE_SENT;
        }
        if (rc == 0) {
            long st = c->resp.status;
            if (st >= 200 && st < 300) {
                cJSON *root = NULL;
                int prc = dg_ddb_parse_json(c->resp.body.data, c->resp.body.len, &root, err);
                if (prc != 0)
                    return prc;
                fill_result(res, root);
                return 0;
            }
            cJSON *root = NULL;
            dg_ddb_retry_class cls;
            int code = dg_ddb_error_from_response(st, c->resp.body.data, c->resp.body.len, &root,
                                                  &cls, &last);
            if (cls == DG_DDB_FINAL) {
                res->root = root;
                if (cJSON_IsObject(root)) {
                    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "Item");
                    res->item = cJSON_IsObject(it) ? it : NULL;
                }
                if (code == DG_ECONFLICT && unanswered &&
                    strcmp(last.type, "ConditionalCheckFailedException") == 0)
                    res->ambiguous_retry = true;
                if (err != NULL)
                    *err = last;
                return code;
            }
            cJSON_Delete(root);
            if (cls == DG_DDB_RETRY_THROTTLE) {
                c->stats.throttles++;
                kind = LAST_THROTTLE;
            } else {
                c->stats.server_errors++;
                kind = LAST_SERVER;
                unanswered = true; /* a 5xx write may or may not have been applied */
            }
        } else if (rc == DG_EIO || rc == DG_ETIMEDOUT) {
            c->stats.connection_errors++;
            kind = LAST_TRANSPORT;
            if (failure != DG_AWS_HTTP_NOT_SENT)
                unanswered = true;
            if (rc == DG_ETIMEDOUT && capped)
                return deadline_error(op, res->attempts, &last, err);
        } else {
            /* DG_ENOMEM, DG_ETOOBIG, signing errors, and DG_EUNTRUSTED (the
             * same TLS handshake would fail again): not retried. */
            if (rc == DG_EUNTRUSTED)
                c->stats.connection_errors++;
            if (err != NULL)
                *err = last;
            return rc;
        }

        if (attempt + 1 >= c->opts.max_attempts) {
            res->ambiguous_retry = unanswered;
            return give_up(c, op, kind, &last, res->attempts, "gave up", unanswered, err);
        }
        long pause = dg_ddb_backoff_ms(c, attempt);
        bool deadline_hit;
        if (dg_ddb_pause(c, pause, start_ns, &deadline_hit) != 0) {
            if (deadline_hit)
                return deadline_error(op, res->attempts, &last, err);
            res->ambiguous_retry = unanswered;
            return give_up(c, op, kind, &last, res->attempts, "retry time budget spent", unanswered,
                           err);
        }
    }
}
