/* lambda-local — the two HTTP servers (libmicrohttpd, one thread per
 * connection, so a handler may block):
 *   the front: each request becomes an API Gateway HTTP API (payload 2.0)
 *     event, is queued for the runtime, and its result becomes the response;
 *   the Runtime API: /2018-06-01/runtime/invocation/next, .../response,
 *     .../error and /runtime/init/error, for the bootstrap process. */
#include "lambda_local.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "dynagen/arena.h"
#include "dynagen/codec_util.h"
#include "dynagen/lambda.h"

/* Per-request context of either server. */
typedef struct ll_conn {
    ll_state *L;
    char *raw_uri; /* front only: the request target as received */
    bool started;
    bool too_big;
    size_t limit;
    dg_buf body;
    struct ll_conn *prev, *next;
} ll_conn;

static ll_conn *conn_new(ll_state *L, const char *uri, size_t limit)
{
    ll_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->L = L;
    c->limit = limit;
    dg_buf_init(&c->body);
    if (uri != NULL && (c->raw_uri = strdup(uri)) == NULL) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&L->mu);
    c->next = L->conns;
    if (L->conns != NULL)
        L->conns->prev = c;
    L->conns = c;
    pthread_mutex_unlock(&L->mu);
    return c;
}

static void conn_free(ll_conn *c)
{
    if (c == NULL)
        return;
    ll_state *L = c->L;
    pthread_mutex_lock(&L->mu);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (L->conns == c)
        L->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&L->mu);
    dg_buf_free(&c->body);
    free(c->raw_uri);
    free(c);
}

void ll_free_conns(ll_state *L)
{
    while (L->conns != NULL)
        conn_free(L->conns);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    conn_free(*con_cls);
    *con_cls = NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    ll_state *L = cls;
    (void)con;
    return conn_new(L, uri, L->cfg.max_body);
}

/* Accumulate the upload; returns true when the body is complete. */
static bool take_upload(ll_conn *c, const char *data, size_t *size)
{
    if (*size == 0)
        return true;
    if (!c->too_big) {
        if (c->body.len + *size > c->limit)
            c->too_big = true;
        else
            dg_buf_append(&c->body, data, *size);
    }
    *size = 0;
    return false;
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *ctype,
                               const void *body, size_t len, struct MHD_Response **keep)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    if (ctype != NULL)
        MHD_add_response_header(r, "Content-Type", ctype);
    if (keep != NULL) {
        *keep = r; /* caller adds headers and queues */
        return MHD_YES;
    }
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* {"error":{"code":...,"message":...}} */
static enum MHD_Result respond_error(struct MHD_Connection *conn, unsigned status, const char *code,
                                     const char *message)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"error\":{\"code\":");
    dg_buf_json_string(&b, code, strlen(code));
    dg_buf_puts(&b, ",\"message\":");
    dg_buf_json_string(&b, message, strlen(message));
    dg_buf_puts(&b, "}}");
    enum MHD_Result r = respond(conn, status, "application/json", dg_buf_cstr(&b), b.len, NULL);
    dg_buf_free(&b);
    return r;
}

/* A JSON string of s[0..n): valid UTF-8 as is, otherwise each byte that is
 * not part of a valid sequence as \u00XX (read as Latin-1, as HTTP's obs-text). */
static void json_lenient(dg_buf *b, const char *s, size_t n)
{
    if (dg_utf8_valid(s, n)) {
        dg_buf_json_string(b, s, n);
        return;
    }
    dg_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        size_t k = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        if (ch >= 0x80 && i + k <= n && dg_utf8_valid(s + i, k)) {
            dg_buf_append(b, s + i, k);
            i += k;
            continue;
        }
        if (ch == '"' || ch == '\\') {
            dg_buf_putc(b, '\\');
            dg_buf_putc(b, (char)ch);
        } else if (ch < 0x20 || ch >= 0x7f) {
            dg_buf_printf(b, "\\u%04x", ch);
        } else {
            dg_buf_putc(b, (char)ch);
        }
        i++;
    }
    dg_buf_putc(b, '"');
}

static void json_cstr(dg_buf *b, const char *s)
{
    json_lenient(b, s, strlen(s));
}

/* ------------------------------------------------------------------ the front */

typedef struct hdr_acc {
    dg_arena *a;
    dg_http_kv *kv;
    size_t n, cap;
    dg_buf cookies; /* JSON array items, comma separated */
    size_t cookie_count;
    const char *user_agent;
} hdr_acc;

static void add_cookies(hdr_acc *h, const char *v)
{
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *start = p;
        while (*p && *p != ';')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > start) {
            if (h->cookie_count++ > 0)
                dg_buf_putc(&h->cookies, ',');
            json_lenient(&h->cookies, start, (size_t)(end - start));
        }
    }
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    hdr_acc *h = cls;
    (void)kind;
    if (key == NULL)
        return MHD_YES;
    if (value == NULL)
        value = "";
    if (strcasecmp(key, "cookie") == 0) {
        add_cookies(h, value);
        return MHD_YES;
    }
    size_t kl = strlen(key);
    char *name = dg_arena_strndup(h->a, key, kl);
    if (name == NULL)
        return MHD_NO;
    for (size_t i = 0; i < kl; i++)
        name[i] = (char)tolower((unsigned char)name[i]);
    if (strcmp(name, "user-agent") == 0)
        h->user_agent = value;
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->kv[i].name, name) == 0) {
            size_t ol = strlen(h->kv[i].value), vl = strlen(value);
            char *j = dg_arena_alloc(h->a, ol + vl + 2);
            if (j == NULL)
                return MHD_NO;
            memcpy(j, h->kv[i].value, ol);
            j[ol] = ',';
            memcpy(j + ol + 1, value, vl + 1);
            h->kv[i].value = j;
            return MHD_YES;
        }
    }
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 16;
        dg_http_kv *nk = dg_arena_realloc(h->a, h->kv, h->cap * sizeof *nk, nc * sizeof *nk);
        if (nk == NULL)
            return MHD_NO;
        h->kv = nk;
        h->cap = nc;
    }
    h->kv[h->n].name = name;
    h->kv[h->n].value = value;
    h->n++;
    return MHD_YES;
}

/* Build the payload 2.0 event. */
static int build_event(ll_state *L, struct MHD_Connection *conn, ll_conn *c, const char *method,
                       const char *api_request_id, dg_arena *a, dg_buf *ev)
{
    /* raw path and query from the request target */
    const char *uri = c->raw_uri != NULL ? c->raw_uri : "/";
    if (strncasecmp(uri, "http://", 7) == 0 || strncasecmp(uri, "https://", 8) == 0) {
        const char *p = strchr(uri + 8, '/');
        uri = p != NULL ? p : "/";
    }
    if (uri[0] != '/')
        uri = "/";
    const char *q = strchr(uri, '?');
    size_t path_len = q != NULL ? (size_t)(q - uri) : strlen(uri);
    const char *raw_query = q != NULL ? q + 1 : "";
    size_t ql = strlen(raw_query);
    char *hash = memchr(raw_query, '#', ql);
    if (hash != NULL)
        ql = (size_t)(hash - raw_query);

    hdr_acc h = {.a = a, .user_agent = ""};
    dg_buf_init(&h.cookies);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &h);

    char ip[INET6_ADDRSTRLEN] = "127.0.0.1";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                      sizeof ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                      sizeof ip);
    }

    int64_t now = ll_now_ms();
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[64];
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);

    dg_buf_puts(ev, "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":");
    json_lenient(ev, uri, path_len);
    dg_buf_puts(ev, ",\"rawQueryString\":");
    json_lenient(ev, raw_query, ql);
    if (h.cookie_count > 0) {
        dg_buf_puts(ev, ",\"cookies\":[");
        dg_buf_append(ev, h.cookies.data, h.cookies.len);
        dg_buf_putc(ev, ']');
    }
    dg_buf_puts(ev, ",\"headers\":{");
    for (size_t i = 0; i < h.n; i++) {
        if (i > 0)
            dg_buf_putc(ev, ',');
        json_cstr(ev, h.kv[i].name);
        dg_buf_putc(ev, ':');
        json_cstr(ev, h.kv[i].value);
    }
    dg_buf_putc(ev, '}');
    if (ql > 0) {
        dg_http_kv *kv;
        size_t n;
        if (dg_http_parse_query(raw_query, ql, a, &kv, &n) != 0)
            return -1;
        if (n > 0) {
            dg_buf_puts(ev, ",\"queryStringParameters\":{");
            for (size_t i = 0; i < n; i++) {
                if (i > 0)
                    dg_buf_putc(ev, ',');
                json_cstr(ev, kv[i].name);
                dg_buf_putc(ev, ':');
                json_cstr(ev, kv[i].value);
            }
            dg_buf_putc(ev, '}');
        }
    }
    dg_buf_puts(
        ev, ",\"requestContext\":{\"accountId\":\"000000000000\",\"apiId\":\"local\","
            "\"domainName\":\"localhost\",\"domainPrefix\":\"localhost\",\"http\":{\"method\":");
    json_cstr(ev, method);
    dg_buf_puts(ev, ",\"path\":");
    json_lenient(ev, uri, path_len);
    dg_buf_puts(ev, ",\"protocol\":\"HTTP/1.1\",\"sourceIp\":");
    json_cstr(ev, ip);
    dg_buf_puts(ev, ",\"userAgent\":");
    json_cstr(ev, h.user_agent);
    dg_buf_puts(ev, "},\"requestId\":");
    json_cstr(ev, api_request_id);
    dg_buf_puts(ev, ",\"routeKey\":\"$default\",\"stage\":\"$default\",\"time\":");
    json_cstr(ev, when);
    dg_buf_printf(ev, ",\"timeEpoch\":%" PRId64 "}", now);
    const char *body = c->body.data != NULL ? c->body.data : "";
    size_t bl = c->body.len;
    bool text = dg_utf8_valid(body, bl) && memchr(body, '\0', bl) == NULL;
    if (bl > 0) {
        dg_buf_puts(ev, ",\"body\":");
        if (text) {
            dg_buf_json_string(ev, body, bl);
        } else {
            dg_buf_putc(ev, '"');
            dg_base64_encode(ev, (const uint8_t *)body, bl);
            dg_buf_putc(ev, '"');
        }
    }
    dg_buf_puts(ev, text || bl == 0 ? ",\"isBase64Encoded\":false}" : ",\"isBase64Encoded\":true}");
    dg_buf_free(&h.cookies);
    (void)L;
    return dg_buf_status(ev);
}

void ll_finish(ll_invocation *inv, ll_outcome outcome)
{
    inv->outcome = outcome;
    inv->state = INV_DONE;
    pthread_cond_signal(&inv->done);
}

/* Queue the invocation and wait for its outcome. */
static void run_invocation(ll_state *L, ll_invocation *inv)
{
    pthread_mutex_lock(&L->mu);
    if (L->shutting_down) {
        ll_finish(inv, OUT_SHUTDOWN);
    } else {
        inv->state = INV_QUEUED;
        if (L->tail != NULL)
            L->tail->next = inv;
        else
            L->head = inv;
        L->tail = inv;
        pthread_cond_broadcast(&L->cv);
    }
    while (inv->state != INV_DONE)
        pthread_cond_wait(&inv->done, &L->mu);
    pthread_mutex_unlock(&L->mu);
}

static bool skip_response_header(const char *name)
{
    static const char *const skip[] = {"content-length", "transfer-encoding", "connection",
                                       "keep-alive",     "upgrade",           "date"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcasecmp(name, skip[i]) == 0)
            return true;
    return false;
}

/* Turn the function's payload 2.0 response into the HTTP response. */
static enum MHD_Result send_function_response(struct MHD_Connection *conn, const char *payload,
                                              size_t len, const char *api_request_id,
                                              int *status_out)
{
    cJSON *root = cJSON_ParseWithLength(payload, len);
    enum MHD_Result ret;
    struct MHD_Response *r = NULL;
    dg_arena *a = NULL;
    if (root == NULL || !cJSON_IsObject(root) ||
        cJSON_GetObjectItemCaseSensitive(root, "statusCode") == NULL) {
        /* API Gateway infers: the whole payload is a 200 JSON body */
        cJSON_Delete(root);
        *status_out = 200;
        if (respond(conn, 200, "application/json", payload, len, &r) != MHD_YES)
            return MHD_NO;
        MHD_add_response_header(r, "apigw-requestid", api_request_id);
        ret = MHD_queue_response(conn, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "statusCode");
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(root, "headers");
    const cJSON *mvh = cJSON_GetObjectItemCaseSensitive(root, "multiValueHeaders");
    const cJSON *cookies = cJSON_GetObjectItemCaseSensitive(root, "cookies");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(root, "body");
    const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(root, "isBase64Encoded");
    const char *problem = NULL;
    int status = 0;
    if (!cJSON_IsNumber(sc) || sc->valuedouble < 100 || sc->valuedouble > 599 ||
        sc->valuedouble != (double)(int)sc->valuedouble)
        problem = "statusCode is not an HTTP status";
    else
        status = (int)sc->valuedouble;
    if (problem == NULL && headers != NULL && !cJSON_IsNull(headers) && !cJSON_IsObject(headers))
        problem = "headers is not an object";
    if (problem == NULL && cookies != NULL && !cJSON_IsNull(cookies) && !cJSON_IsArray(cookies))
        problem = "cookies is not an array";
    if (problem == NULL && body != NULL && !cJSON_IsNull(body) && !cJSON_IsString(body))
        problem = "body is not a string";
    const void *bytes = "";
    size_t blen = 0;
    if (problem == NULL && cJSON_IsString(body)) {
        bytes = body->valuestring;
        blen = strlen(body->valuestring);
        if (cJSON_IsTrue(b64)) {
            a = dg_arena_new(0);
            dg_bytes out;
            dg_error err;
            if (a == NULL || dg_base64_decode(body->valuestring, blen, a, &out, "body", &err) != 0)
                problem = "body is marked isBase64Encoded but is not valid base64";
            else {
                bytes = out.ptr != NULL ? (const void *)out.ptr : "";
                blen = out.len;
            }
        }
    }
    if (problem != NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "the function returned an invalid response: %s", problem);
        ll_log("%s", msg);
        cJSON_Delete(root);
        dg_arena_destroy(a);
        *status_out = 502;
        return respond_error(conn, 502, "bad_gateway", msg);
    }
    if (respond(conn, (unsigned)status, NULL, bytes, blen, &r) != MHD_YES) {
        cJSON_Delete(root);
        dg_arena_destroy(a);
        return MHD_NO;
    }
    char num[64];
    if (cJSON_IsObject(headers)) {
        for (const cJSON *h = headers->child; h != NULL; h = h->next) {
            if (h->string == NULL || skip_response_header(h->string))
                continue;
            if (cJSON_IsString(h)) {
                MHD_add_response_header(r, h->string, h->valuestring);
            } else if (cJSON_IsNumber(h)) {
                snprintf(num, sizeof num, "%.17g", h->valuedouble);
                MHD_add_response_header(r, h->string, num);
            } else if (cJSON_IsBool(h)) {
                MHD_add_response_header(r, h->string, cJSON_IsTrue(h) ? "true" : "false");
            }
        }
    }
    if (cJSON_IsObject(mvh)) { /* payload 1.0 style, accepted too */
        for (const cJSON *h = mvh->child; h != NULL; h = h->next) {
            if (h->string == NULL || skip_response_header(h->string) || !cJSON_IsArray(h))
                continue;
            for (const cJSON *v = h->child; v != NULL; v = v->next)
                if (cJSON_IsString(v))
                    MHD_add_response_header(r, h->string, v->valuestring);
        }
    }
    if (cJSON_IsArray(cookies))
        for (const cJSON *ck = cookies->child; ck != NULL; ck = ck->next)
            if (cJSON_IsString(ck))
                MHD_add_response_header(r, "Set-Cookie", ck->valuestring);
    MHD_add_response_header(r, "apigw-requestid", api_request_id);
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    cJSON_Delete(root);
    dg_arena_destroy(a);
    *status_out = status;
    return ret;
}

static enum MHD_Result front_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    ll_state *L = cls;
    (void)url;
    (void)version;
    ll_conn *c = *con_cls;
    if (c == NULL) {
        c = conn_new(L, url, L->cfg.max_body);
        if (c == NULL)
            return MHD_NO;
        *con_cls = c;
    }
    if (!c->started) {
        c->started = true;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > c->limit)
            c->too_big = true;
        return MHD_YES;
    }
    if (!take_upload(c, upload_data, upload_data_size))
        return MHD_YES;

    uint64_t t0 = ll_mono_ns();
    if (c->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", c->limit);
        if (!L->cfg.quiet)
            ll_log("%s %s -> 413 (body too large)", method, c->raw_uri ? c->raw_uri : url);
        return respond_error(conn, 413, "payload_too_large", msg);
    }
    if (dg_buf_status(&c->body) != 0)
        return respond_error(conn, 500, "internal", "lambda-local ran out of memory");

    char api_id[37], lambda_id[37];
    dg_error err;
    if (dg_uuid_v4(api_id, &err) != 0 || dg_uuid_v4(lambda_id, &err) != 0)
        return respond_error(conn, 500, "internal", "lambda-local could not make a request id");

    dg_arena *a = dg_arena_new(0);
    dg_buf ev = DG_BUF_INIT;
    if (a == NULL || build_event(L, conn, c, method, api_id, a, &ev) != 0) {
        dg_arena_destroy(a);
        dg_buf_free(&ev);
        return respond_error(conn, 500, "internal", "lambda-local could not build the event");
    }
    dg_arena_destroy(a);
    if (ev.len > LL_MAX_PAYLOAD) {
        dg_buf_free(&ev);
        return respond_error(conn, 413, "payload_too_large",
                             "the request is larger than Lambda's 6 MB event limit");
    }

    ll_invocation *inv = calloc(1, sizeof *inv);
    if (inv == NULL) {
        dg_buf_free(&ev);
        return respond_error(conn, 500, "internal", "lambda-local ran out of memory");
    }
    memcpy(inv->id, lambda_id, sizeof lambda_id);
    pthread_cond_init(&inv->done, NULL);
    inv->event = dg_buf_steal(&ev, &inv->event_len);
    run_invocation(L, inv);

    enum MHD_Result ret;
    int status = 0;
    char msg[400];
    switch (inv->outcome) {
    case OUT_RESPONSE:
        ret = send_function_response(conn, inv->payload ? inv->payload : "", inv->payload_len,
                                     api_id, &status);
        break;
    case OUT_ERROR: {
        const char *type = "Unknown";
        cJSON *e = inv->payload ? cJSON_ParseWithLength(inv->payload, inv->payload_len) : NULL;
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "errorType");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "errorMessage");
        if (cJSON_IsString(t))
            type = t->valuestring;
        ll_log("invocation %s failed: %s: %s", inv->id, type,
               cJSON_IsString(m) ? m->valuestring : "(no message)");
        snprintf(msg, sizeof msg, "the function failed (%.200s)", type);
        cJSON_Delete(e);
        status = 502;
        ret = respond_error(conn, 502, "function_error", msg);
        break;
    }
    case OUT_TIMEOUT:
        snprintf(msg, sizeof msg, "the function did not answer within %ld ms", L->cfg.timeout_ms);
        status = 504;
        ret = respond_error(conn, 504, "timeout", msg);
        break;
    case OUT_CRASH:
        snprintf(msg, sizeof msg, "the function's runtime exited while handling the request (%s)",
                 inv->detail);
        status = 502;
        ret = respond_error(conn, 502, "function_crashed", msg);
        break;
    case OUT_INIT_FAILED:
        snprintf(msg, sizeof msg, "the function's runtime failed to start (%s)", inv->detail);
        status = 502;
        ret = respond_error(conn, 502, "function_init_failed", msg);
        break;
    default:
        status = 503;
        ret = respond_error(conn, 503, "unavailable", "lambda-local is shutting down");
        break;
    }
    if (!L->cfg.quiet)
        ll_log("%s %s -> %d (%.1f ms)", method, c->raw_uri ? c->raw_uri : url, status,
               (double)(ll_mono_ns() - t0) / 1e6);
    pthread_cond_destroy(&inv->done);
    free(inv->event);
    free(inv->payload);
    free(inv);
    return ret;
}

struct MHD_Daemon *ll_start_front(ll_state *L, int listen_fd)
{
    return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_POLL | MHD_USE_ERROR_LOG,
                            0, NULL, NULL, front_handler, L, MHD_OPTION_LISTEN_SOCKET, listen_fd,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, L, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, L, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                            MHD_OPTION_END);
}

/* ------------------------------------------------------------------ the Runtime API */

#define RT_PREFIX "/2018-06-01/runtime/"

static enum MHD_Result rt_json(struct MHD_Connection *conn, unsigned status, const char *json)
{
    return respond(conn, status, "application/json", json, strlen(json), NULL);
}

/* GET .../invocation/next: block until there is work for this runtime. */
static enum MHD_Result rt_next(ll_state *L, struct MHD_Connection *conn)
{
    pthread_mutex_lock(&L->mu);
    unsigned gen = L->generation;
    if (L->rt == RT_STARTING) {
        ll_log("runtime pid %d ready (init %.1f ms)", (int)L->pid,
               (double)(ll_mono_ns() - L->spawned_ns) / 1e6);
    }
    if (L->rt == RT_STARTING || L->rt == RT_BUSY)
        L->rt = RT_IDLE;
    while (!L->shutting_down && gen == L->generation && L->head == NULL)
        pthread_cond_wait(&L->cv, &L->mu);
    if (L->shutting_down || gen != L->generation) {
        pthread_mutex_unlock(&L->mu);
        return rt_json(
            conn, 500,
            "{\"errorMessage\":\"runtime is being replaced\",\"errorType\":\"Runtime.Exit\"}");
    }
    ll_invocation *inv = L->head;
    L->head = inv->next;
    if (L->head == NULL)
        L->tail = NULL;
    inv->next = NULL;
    inv->state = INV_RUNNING;
    inv->started_ns = ll_mono_ns();
    inv->deadline_ms = ll_now_ms() + L->cfg.timeout_ms;
    L->current = inv;
    L->rt = RT_BUSY;
    /* the event stays owned by the waiting front thread until DONE, which
     * cannot happen before this response is built: copy under the lock */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(inv->event_len, inv->event, MHD_RESPMEM_MUST_COPY);
    char deadline[32], trace[128], hex[33];
    snprintf(deadline, sizeof deadline, "%" PRId64, inv->deadline_ms);
    size_t hn = 0;
    for (const char *p = inv->id; *p && hn < 32; p++)
        if (*p != '-')
            hex[hn++] = *p;
    hex[hn] = '\0';
    snprintf(trace, sizeof trace, "Root=1-%08" PRIx64 "-%.24s;Parent=%.16s;Sampled=0",
             (uint64_t)(ll_now_ms() / 1000), hex, hn > 16 ? hex + hn - 16 : hex);
    char id[40];
    memcpy(id, inv->id, sizeof id);
    pthread_mutex_unlock(&L->mu);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", L->arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", trace);
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* POST .../invocation/{id}/response or /error */
static enum MHD_Result rt_result(ll_state *L, struct MHD_Connection *conn, const char *id,
                                 size_t id_len, bool is_error, ll_conn *c)
{
    pthread_mutex_lock(&L->mu);
    ll_invocation *inv = L->current;
    if (inv == NULL || strlen(inv->id) != id_len || memcmp(inv->id, id, id_len) != 0) {
        pthread_mutex_unlock(&L->mu);
        return rt_json(
            conn, 400,
            "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
    }
    bool too_big = c->too_big;
    static const char too_big_json[] =
        "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}";
    if (too_big) {
        inv->payload = strdup(too_big_json);
        inv->payload_len = inv->payload != NULL ? strlen(too_big_json) : 0;
        is_error = true;
    } else {
        dg_buf_cstr(&c->body);
        inv->payload = dg_buf_steal(&c->body, &inv->payload_len);
    }
    ll_finish(inv, is_error ? OUT_ERROR : OUT_RESPONSE);
    L->current = NULL;
    pthread_mutex_unlock(&L->mu);
    if (too_big)
        return rt_json(conn, 413, too_big_json);
    return rt_json(conn, 202, "{\"status\":\"OK\"}");
}

static enum MHD_Result rt_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    ll_state *L = cls;
    (void)version;
    ll_conn *c = *con_cls;
    if (c == NULL) {
        c = conn_new(L, NULL, LL_MAX_PAYLOAD);
        if (c == NULL)
            return MHD_NO;
        *con_cls = c;
        return MHD_YES;
    }
    if (!take_upload(c, upload_data, upload_data_size))
        return MHD_YES;

    if (strncmp(url, RT_PREFIX, sizeof RT_PREFIX - 1) != 0)
        return rt_json(conn, 404, "{\"errorMessage\":\"not found\",\"errorType\":\"NotFound\"}");
    const char *rest = url + sizeof RT_PREFIX - 1;
    if (strcmp(rest, "invocation/next") == 0) {
        if (strcmp(method, "GET") != 0)
            return rt_json(conn, 405,
                           "{\"errorMessage\":\"use GET\",\"errorType\":\"MethodNotAllowed\"}");
        return rt_next(L, conn);
    }
    if (strcmp(rest, "init/error") == 0) {
        if (strcmp(method, "POST") != 0)
            return rt_json(conn, 405,
                           "{\"errorMessage\":\"use POST\",\"errorType\":\"MethodNotAllowed\"}");
        const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                       "Lambda-Runtime-Function-Error-Type");
        cJSON *e = cJSON_ParseWithLength(c->body.data ? c->body.data : "", c->body.len);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "errorMessage");
        pthread_mutex_lock(&L->mu);
        L->init_failed = true;
        snprintf(L->init_error, sizeof L->init_error, "%s: %s", type ? type : "Runtime.InitError",
                 cJSON_IsString(m) ? m->valuestring : "(no message)");
        ll_log("runtime pid %d reported an init error: %s", (int)L->pid, L->init_error);
        pthread_cond_broadcast(&L->cv);
        pthread_mutex_unlock(&L->mu);
        cJSON_Delete(e);
        return rt_json(conn, 202, "{\"status\":\"OK\"}");
    }
    static const char inv_prefix[] = "invocation/";
    if (strncmp(rest, inv_prefix, sizeof inv_prefix - 1) == 0) {
        const char *id = rest + sizeof inv_prefix - 1;
        const char *slash = strchr(id, '/');
        if (slash != NULL && (strcmp(slash, "/response") == 0 || strcmp(slash, "/error") == 0)) {
            if (strcmp(method, "POST") != 0)
                return rt_json(
                    conn, 405,
                    "{\"errorMessage\":\"use POST\",\"errorType\":\"MethodNotAllowed\"}");
            return rt_result(L, conn, id, (size_t)(slash - id), strcmp(slash, "/error") == 0, c);
        }
    }
    return rt_json(conn, 404, "{\"errorMessage\":\"not found\",\"errorType\":\"NotFound\"}");
}

struct MHD_Daemon *ll_start_runtime_api(ll_state *L, int listen_fd)
{
    return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_POLL | MHD_USE_ERROR_LOG,
                            0, NULL, NULL, rt_handler, L, MHD_OPTION_LISTEN_SOCKET, listen_fd,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, L, MHD_OPTION_END);
}
