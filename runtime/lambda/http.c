/* dynagen runtime — the HTTP model of Lambda handlers: request accessors,
 * response building, error JSON and the dg_error -> status mapping. */
#include "dynagen/lambda.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dynagen/codec_util.h"
#include "lambda_internal.h"

/* ------------------------------------------------------------------ request */

static const char *kv_find(const dg_http_kv *kv, size_t n, const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].name, name) == 0)
            return kv[i].value;
    return NULL;
}

const char *dg_http_header(const dg_http_request *req, const char *name)
{
    if (req == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

const char *dg_http_query(const dg_http_request *req, const char *name)
{
    return req != NULL ? kv_find(req->query, req->query_count, name) : NULL;
}

const char *dg_http_param(const dg_http_request *req, const char *name)
{
    return req != NULL ? kv_find(req->path_params, req->path_param_count, name) : NULL;
}

const char *dg_http_cookie(const dg_http_request *req, const char *name)
{
    if (req == NULL || name == NULL)
        return NULL;
    size_t nl = strlen(name);
    for (size_t i = 0; i < req->cookie_count; i++) {
        const char *c = req->cookies[i];
        while (*c == ' ')
            c++;
        if (strncmp(c, name, nl) == 0 && c[nl] == '=')
            return c + nl + 1;
    }
    return NULL;
}

int64_t dg_http_remaining_ms(const dg_http_request *req)
{
    if (req == NULL || req->deadline_ms <= 0)
        return INT64_MAX;
    return req->deadline_ms - dg_now_ms();
}

void dg_http_note_cache(const dg_http_request *req, bool hit)
{
    if (req == NULL || req->metrics == NULL)
        return;
    if (hit)
        req->metrics->cache_hits++;
    else
        req->metrics->cache_misses++;
}

void dg_http_note_retries(const dg_http_request *req, unsigned retries)
{
    if (req == NULL || req->metrics == NULL)
        return;
    req->metrics->retries += retries;
}

/* ------------------------------------------------------------------ response */

void dg_http_response_setup(dg_http_response *res, dg_arena *a)
{
    memset(res, 0, sizeof *res);
    dg_buf_init(&res->body);
    res->arena = a;
}

void dg_http_response_release(dg_http_response *res)
{
    if (res == NULL)
        return;
    dg_buf_free(&res->body);
    res->headers = NULL;
    res->header_count = res->header_cap = 0;
    res->cookies = NULL;
    res->cookie_count = res->cookie_cap = 0;
    res->status = 0;
    res->is_base64 = false;
}

void dg_http_response_clear(dg_http_response *res)
{
    res->status = 0;
    res->header_count = 0;
    res->cookie_count = 0;
    res->is_base64 = false;
    dg_buf_reset(&res->body);
}

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

static bool valid_name(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        /* RFC 9110 token characters */
        if (!(c > 0x20 && c < 0x7f) || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
            return false;
    }
    return true;
}

int dg_http_add_cookie(dg_http_response *res, const char *set_cookie)
{
    if (set_cookie == NULL || has_crlf(set_cookie))
        return DG_EINVAL;
    if (res->cookie_count == res->cookie_cap) {
        size_t ncap = res->cookie_cap ? res->cookie_cap * 2 : 4;
        const char **n = dg_arena_realloc(res->arena, (void *)res->cookies,
                                          res->cookie_cap * sizeof *n, ncap * sizeof *n);
        if (n == NULL)
            return DG_ENOMEM;
        res->cookies = n;
        res->cookie_cap = ncap;
    }
    char *v = dg_arena_strndup(res->arena, set_cookie, strlen(set_cookie));
    if (v == NULL)
        return DG_ENOMEM;
    res->cookies[res->cookie_count++] = v;
    return 0;
}

int dg_http_add_header(dg_http_response *res, const char *name, const char *value)
{
    if (!valid_name(name) || value == NULL || has_crlf(value))
        return DG_EINVAL;
    if (strcasecmp(name, "set-cookie") == 0)
        return dg_http_add_cookie(res, value);
    if (res->header_count == res->header_cap) {
        size_t ncap = res->header_cap ? res->header_cap * 2 : 8;
        dg_http_kv *n = dg_arena_realloc(res->arena, res->headers, res->header_cap * sizeof *n,
                                         ncap * sizeof *n);
        if (n == NULL)
            return DG_ENOMEM;
        res->headers = n;
        res->header_cap = ncap;
    }
    size_t nl = strlen(name);
    char *ln = dg_arena_strndup(res->arena, name, nl);
    char *v = dg_arena_strndup(res->arena, value, strlen(value));
    if (ln == NULL || v == NULL)
        return DG_ENOMEM;
    for (size_t i = 0; i < nl; i++)
        if (ln[i] >= 'A' && ln[i] <= 'Z')
            ln[i] = (char)(ln[i] - 'A' + 'a');
    res->headers[res->header_count].name = ln;
    res->headers[res->header_count].value = v;
    res->header_count++;
    return 0;
}

int dg_http_set_header(dg_http_response *res, const char *name, const char *value)
{
    if (!valid_name(name) || value == NULL || has_crlf(value))
        return DG_EINVAL;
    if (strcasecmp(name, "set-cookie") == 0) {
        res->cookie_count = 0;
        return dg_http_add_cookie(res, value);
    }
    size_t w = 0;
    for (size_t i = 0; i < res->header_count; i++)
        if (strcasecmp(res->headers[i].name, name) != 0)
            res->headers[w++] = res->headers[i];
    res->header_count = w;
    return dg_http_add_header(res, name, value);
}

const char *dg_http_response_header(const dg_http_response *res, const char *name)
{
    for (size_t i = 0; i < res->header_count; i++)
        if (strcasecmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    return NULL;
}

int dg_http_json(dg_http_response *res, int status, const char *json, size_t len)
{
    dg_buf_reset(&res->body);
    res->is_base64 = false;
    res->status = status;
    int rc = dg_http_set_header(res, "content-type", "application/json");
    if (rc != 0)
        return rc;
    if (dg_buf_append(&res->body, json, len) != 0)
        return DG_ENOMEM;
    return 0;
}

/* Append s as a JSON string, with invalid UTF-8 bytes replaced by U+FFFD. */
static void json_text(dg_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (dg_utf8_valid(s, n)) {
        dg_buf_json_string(b, s, n);
        return;
    }
    dg_buf tmp = DG_BUF_INIT;
    for (size_t i = 0; i < n;) {
        size_t k = 1;
        while (k <= 4 && i + k <= n && !dg_utf8_valid(s + i, k))
            k++;
        if (k <= 4 && i + k <= n) {
            dg_buf_append(&tmp, s + i, k);
            i += k;
        } else {
            dg_buf_puts(&tmp, "\xEF\xBF\xBD");
            i++;
        }
    }
    dg_buf_json_string(b, tmp.data != NULL ? tmp.data : "", tmp.len);
    if (dg_buf_status(&tmp) != 0)
        b->failed = 1;
    dg_buf_free(&tmp);
}

int dg_http_error(dg_http_response *res, int status, const char *code, const char *message,
                  const char *field)
{
    dg_http_response_clear(res);
    res->status = status;
    int rc = dg_http_set_header(res, "content-type", "application/json");
    if (rc != 0)
        return rc;
    dg_buf *b = &res->body;
    dg_buf_puts(b, "{\"error\":{\"code\":");
    json_text(b, code != NULL ? code : dg_http_code_for(status));
    dg_buf_puts(b, ",\"message\":");
    json_text(b, message != NULL ? message : "");
    if (field != NULL && *field != '\0') {
        dg_buf_puts(b, ",\"field\":");
        json_text(b, field);
    }
    dg_buf_puts(b, "}}");
    return dg_buf_status(b);
}

int dg_http_status_for(int code)
{
    switch (code) {
    case DG_EINVAL:
    case DG_ERANGE:
        return 400;
    case DG_ENOTFOUND:
        return 404;
    case DG_ECONFLICT:
        return 409;
    case DG_ETOOBIG:
        return 413;
    case DG_ETHROTTLED:
        return 429;
    case DG_EUNSUPPORTED:
        return 501;
    case DG_EIO:
        return 503;
    case DG_EUNTRUSTED:
        return 502; /* the upstream is misconfigured or not who it claims: retrying won't help */
    case DG_ETIMEDOUT:
        return 504;
    default:
        return 500;
    }
}

const char *dg_http_code_for(int status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 412:
        return "precondition_failed";
    case 413:
        return "payload_too_large";
    case 415:
        return "unsupported_media_type";
    case 422:
        return "unprocessable";
    case 428:
        return "precondition_required";
    case 429:
        return "throttled";
    case 500:
        return "internal";
    case 501:
        return "not_implemented";
    case 502:
        return "bad_gateway";
    case 503:
        return "unavailable";
    case 504:
        return "timeout";
    default:
        return "error";
    }
}

static const char *generic_message(int status)
{
    switch (status) {
    case 400:
        return "the request is invalid";
    case 404:
        return "not found";
    case 409:
        return "the item was changed by another request; read it again and retry";
    case 413:
        return "the request is too large";
    case 429:
        return "too many requests; retry after a short wait";
    case 501:
        return "this operation is not supported";
    case 502:
        return "an upstream service could not be reached securely";
    case 503:
        return "the service is temporarily unavailable; retry later";
    case 504:
        return "the request took too long; retry later";
    default:
        return "internal error";
    }
}

int dg_http_error_from(dg_http_response *res, const dg_error *err)
{
    int code = err != NULL ? err->code : DG_EINTERNAL;
    bool remote = err != NULL && err->type[0] != '\0';
    int status = dg_http_status_for(code);
    if (remote && status == 400)
        status = 500; /* a service rejected what we sent: our bug */
    bool client = status == 400 || status == 404 || status == 409 || status == 413;
    const char *message = generic_message(status);
    const char *field = NULL;
    if (client && !remote && err != NULL && err->message[0] != '\0') {
        message = err->message;
        field = err->field;
    }
    if (dg_http_error(res, status, dg_http_code_for(status), message, field) != 0)
        return 500;
    if (status == 429 || status == 503)
        dg_http_set_header(res, "retry-after", "1");
    return status;
}

/* ------------------------------------------------------------------ percent-decoding */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int dg_http_percent_decode(const char *s, size_t n, dg_arena *a, char **out, size_t *out_len)
{
    char *d = dg_arena_alloc(a, n + 1);
    if (d == NULL)
        return DG_ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n)
                return DG_EINVAL;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return DG_EINVAL;
            d[w++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[w++] = s[i];
        }
    }
    d[w] = '\0';
    *out = d;
    if (out_len != NULL)
        *out_len = w;
    return 0;
}

/* Lenient form decoding for query strings: '+' is a space, a bad escape stays literal. */
static char *form_decode(const char *s, size_t n, dg_arena *a)
{
    char *d = dg_arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            d[w++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            d[w++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            d[w++] = s[i];
        }
    }
    d[w] = '\0';
    return d;
}

int dg_http_parse_query(const char *raw, size_t len, dg_arena *a, dg_http_kv **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (raw == NULL || len == 0)
        return 0;
    size_t pairs = 1;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '&')
            pairs++;
    dg_kv_builder kb;
    if (dg_kvb_init(&kb, a, pairs) != 0)
        return DG_ENOMEM;
    const char *p = raw, *end = raw + len;
    for (;;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        if (stop > p) {
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *kend = eq != NULL ? eq : stop;
            const char *vbeg = eq != NULL ? eq + 1 : stop;
            char *k = form_decode(p, (size_t)(kend - p), a);
            char *v = form_decode(vbeg, (size_t)(stop - vbeg), a);
            if (k == NULL || v == NULL || dg_kvb_add(&kb, k, v) != 0)
                return DG_ENOMEM;
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    *out = kb.kv;
    *count = kb.n;
    return 0;
}

int dg_http_fail(const dg_http_request *req, dg_http_response *res, const dg_error *err)
{
    int code = err != NULL && err->code < 0 ? err->code : DG_EINTERNAL;
    if (req != NULL && req->metrics != NULL && err != NULL) {
        dg_buf d = DG_BUF_INIT;
        dg_buf_puts(&d, dg_strerror(code));
        if (err->type[0] != '\0')
            dg_buf_printf(&d, " (%s)", err->type);
        if (err->field[0] != '\0')
            dg_buf_printf(&d, " at %s", err->field);
        if (err->message[0] != '\0')
            dg_buf_printf(&d, ": %s", err->message);
        const char *t = dg_buf_cstr(&d);
        size_t n = strlen(t);
        if (n >= sizeof req->metrics->detail)
            n = sizeof req->metrics->detail - 1;
        memcpy(req->metrics->detail, t, n);
        req->metrics->detail[n] = '\0';
        dg_buf_free(&d);
    }
    dg_http_error_from(res, err);
    return code;
}
