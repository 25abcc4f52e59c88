/* dynagen runtime — HTTP transport: one reused libcurl easy handle. */
#include "http_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct dg_aws_http {
    CURL *curl;
    size_t max_response;
    char errbuf[CURL_ERROR_SIZE];
    /* per request */
    dg_aws_http_response *resp;
    bool too_big;
    const char *body; /* request body, read by on_read */
    size_t body_len, body_off;
    dg_buf line; /* scratch for "Name: value" */
};

/* ------------------------------------------------------------------ global init */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ------------------------------------------------------------------ CRC-32 */

static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t dg_aws_crc32(const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ------------------------------------------------------------------ callbacks */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    dg_aws_http *h = ud;
    size_t n = size * nmemb;
    if (h->resp->body.len + n > h->max_response) {
        h->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (dg_buf_append(&h->resp->body, ptr, n) != 0)
        return 0;
    return n;
}

/* The request body goes through a read callback rather than POSTFIELDS so
 * that libcurl must ask on_seek to rewind it when it resends the request on
 * its own: on a reused connection that dies before any answer, libcurl
 * silently sends the request again on a fresh connection. That earlier copy
 * may have been applied by the server, which the caller must know. */
static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    dg_aws_http *h = ud;
    size_t room = size * nitems, left = h->body_len - h->body_off;
    size_t n = left < room ? left : room;
    if (n > 0)
        memcpy(buf, h->body + h->body_off, n);
    h->body_off += n;
    return n;
}

static int on_seek(void *ud, curl_off_t offset, int origin)
{
    dg_aws_http *h = ud;
    if (origin != SEEK_SET || offset < 0 || (size_t)offset > h->body_len)
        return CURL_SEEKFUNC_CANTSEEK;
    if (h->body_off > 0) /* (part of) the body went out already: this is a resend */
        h->resp->resends++;
    h->body_off = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* The value of header line `line` (n bytes, CRLF included) when its name is
 * `name`, trimmed; NULL otherwise. */
static const char *header_value(const char *line, size_t n, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return NULL;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *vlen = (size_t)(end - v);
    return v;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    dg_aws_http *h = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) { /* a new response (interim ones included) */
        h->resp->has_crc32 = false;
        h->resp->crc32 = 0;
        h->resp->request_id[0] = '\0';
        return n;
    }
    size_t vlen;
    const char *v = header_value(ptr, n, "x-amz-crc32", &vlen);
    if (v != NULL) {
        uint64_t x = 0;
        bool ok = vlen > 0 && vlen <= 10;
        for (size_t i = 0; ok && i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9')
                ok = false;
            else
                x = x * 10 + (uint64_t)(v[i] - '0');
        }
        if (ok && x <= UINT32_MAX) {
            h->resp->has_crc32 = true;
            h->resp->crc32 = (uint32_t)x;
        }
        return n;
    }
    v = header_value(ptr, n, "x-amzn-RequestId", &vlen);
    if (v != NULL) {
        if (vlen >= sizeof h->resp->request_id)
            vlen = sizeof h->resp->request_id - 1;
        memcpy(h->resp->request_id, v, vlen);
        h->resp->request_id[vlen] = '\0';
    }
    return n;
}

/* ------------------------------------------------------------------ handle */

int dg_aws_http_new(const dg_aws_http_options *opts, dg_aws_http **out, dg_error *err)
{
    *out = NULL;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return dg_error_set(err, DG_EIO, NULL, "libcurl initialisation failed: %s",
                            curl_easy_strerror(curl_init_rc));
    dg_aws_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory creating the HTTP client");
    h->max_response = opts->max_response ? opts->max_response : DG_AWS_HTTP_MAX_RESPONSE_DEFAULT;
    h->curl = curl_easy_init();
    if (h->curl == NULL) {
        free(h);
        return dg_error_set(err, DG_ENOMEM, NULL, "curl_easy_init failed");
    }
    CURL *c = h->curl;
    CURLcode rc = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(c, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_TCP_NODELAY, 1L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 1000L);
    /* "" disables proxies, including the ones named by http_proxy & co. */
    SETOPT(CURLOPT_PROXY, opts->proxy != NULL ? opts->proxy : "");
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_READFUNCTION, on_read);
    SETOPT(CURLOPT_READDATA, h);
    SETOPT(CURLOPT_SEEKFUNCTION, on_seek);
    SETOPT(CURLOPT_SEEKDATA, h);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, h);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, h);
    SETOPT(CURLOPT_ERRORBUFFER, h->errbuf);
    SETOPT(CURLOPT_USERAGENT, "dynagen/0.1");
#undef SETOPT
    if (rc != CURLE_OK) {
        dg_error_set(err, DG_EIO, NULL, "configuring libcurl failed: %s", curl_easy_strerror(rc));
        dg_aws_http_destroy(h);
        return DG_EIO;
    }
    *out = h;
    return 0;
}

void dg_aws_http_destroy(dg_aws_http *h)
{
    if (h == NULL)
        return;
    if (h->curl != NULL)
        curl_easy_cleanup(h->curl);
    dg_buf_free(&h->line);
    free(h);
}

void dg_aws_http_response_init(dg_aws_http_response *r)
{
    memset(r, 0, sizeof *r);
    dg_buf_init(&r->body);
}

void dg_aws_http_response_clean_up(dg_aws_http_response *r)
{
    if (r == NULL)
        return;
    dg_buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

/* Failures that happen before any byte of the request is written. */
static bool failed_before_send(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_OUT_OF_MEMORY:
        return true;
    default:
        return false;
    }
}

int dg_aws_http_post(dg_aws_http *h, const dg_aws_http_request *req, dg_aws_http_response *resp,
                 dg_aws_http_failure *failure, dg_error *err)
{
    *failure = DG_AWS_HTTP_NOT_SENT;
    dg_buf_reset(&resp->body);
    resp->status = 0;
    resp->has_crc32 = false;
    resp->crc32 = 0;
    resp->request_id[0] = '\0';
    resp->resends = 0;
    h->resp = resp;
    h->body = req->body_len ? (const char *)req->body : "";
    h->body_len = req->body_len;
    h->body_off = 0;
    h->too_big = false;
    h->errbuf[0] = '\0';

    struct curl_slist *list = NULL, *tmp;
    for (size_t i = 0; i < req->header_count; i++) {
        dg_buf_reset(&h->line);
        dg_buf_puts(&h->line, req->headers[i].name);
        dg_buf_puts(&h->line, ": ");
        dg_buf_puts(&h->line, req->headers[i].value);
        if (dg_buf_status(&h->line) != 0 || (tmp = curl_slist_append(list, h->line.data)) == NULL)
            goto oom;
        list = tmp;
    }
    /* No "Expect: 100-continue" round trip; no Accept header. */
    if ((tmp = curl_slist_append(list, "Expect:")) == NULL)
        goto oom;
    list = tmp;
    if ((tmp = curl_slist_append(list, "Accept:")) == NULL)
        goto oom;
    list = tmp;

    CURL *c = h->curl;
    CURLcode rc = curl_easy_setopt(c, CURLOPT_URL, req->url);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 1L);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(c);
    /* The list must outlive the transfer; detach it before freeing. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_slist_free_all(list);
    h->resp = NULL;

    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
        if (dg_buf_status(&resp->body) != 0)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory reading the response");
        dg_buf_cstr(&resp->body);
        *failure = DG_AWS_HTTP_OK;
        return 0;
    }
    if (h->too_big) {
        *failure = DG_AWS_HTTP_TOO_BIG;
        return dg_error_set(err, DG_ETOOBIG, NULL, "response from %s is larger than %zu bytes",
                            req->url, h->max_response);
    }
    if (rc == CURLE_WRITE_ERROR && dg_buf_status(&resp->body) != 0) {
        *failure = DG_AWS_HTTP_MAYBE_SENT;
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory reading the response");
    }
    *failure = failed_before_send(rc) ? DG_AWS_HTTP_NOT_SENT : DG_AWS_HTTP_MAYBE_SENT;
    int code = rc == CURLE_OPERATION_TIMEDOUT ? DG_ETIMEDOUT : DG_EIO;
    return dg_error_set(err, code, NULL, "POST %s: %s%s%s%s", req->url, curl_easy_strerror(rc),
                        h->errbuf[0] ? " (" : "", h->errbuf, h->errbuf[0] ? ")" : "");

oom:
    curl_slist_free_all(list);
    h->resp = NULL;
    return dg_error_set(err, DG_ENOMEM, NULL, "out of memory building the request headers");
}
