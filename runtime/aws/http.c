/* dynagen runtime — HTTP transport: one reused libcurl easy handle. */
#include "http_internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dynagen/codec_util.h"

/* Transfers run through a private multi handle with the socket interface
 * (curl_multi_socket_action) rather than curl_easy_perform: libcurl is told
 * which socket is ready, so it does not poll() again itself before each read,
 * and there is no poll before the request is sent. The connection cache is the
 * multi handle's: the connection stays alive between requests. */
struct dg_aws_http {
    CURL *curl;
    CURLM *multi;
    size_t max_response;
    char errbuf[CURL_ERROR_SIZE];
    char *url; /* the URL set on the handle (options persist between transfers) */
    /* sockets and timer libcurl asked for */
    struct pollfd *fds;
    size_t nfds, fds_cap;
    bool timer_set;
    uint64_t timer_at_ns;
    /* the header list: nodes of our own pointing into lines (libcurl only
     * reads CURLOPT_HTTPHEADER during a transfer, never copies or frees it) */
    struct curl_slist *nodes;
    size_t nodes_cap;
    size_t *offsets;
    dg_buf lines;
    /* per request */
    dg_aws_http_response *resp;
    bool too_big;
    int starts;   /* times the request was started on a connection */
    long written; /* CURLINFO_REQUEST_SIZE at the latest start */
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
static uint32_t crc_table[8][256]; /* slicing-by-8: [0] is the classic byte table */

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            crc_table[t][i] =
                (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFFu];
}

uint32_t dg_aws_crc32(const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (; len >= 8; len -= 8, p += 8) {
        c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        c = crc_table[7][c & 0xFFu] ^ crc_table[6][(c >> 8) & 0xFFu] ^
            crc_table[5][(c >> 16) & 0xFFu] ^ crc_table[4][c >> 24] ^ crc_table[3][p[4]] ^
            crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    }
    for (; len > 0; len--, p++)
        c = crc_table[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
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

/* Called each time libcurl is about to send the request on a connection
 * (new or reused): once per transfer, and again every time libcurl resends
 * the request by itself. It does that, silently, when a reused keep-alive
 * connection dies before any byte of an answer (Curl_retry_request), at most
 * 5 times. The earlier copy may have been applied by the server when any of
 * it was written: CURLINFO_REQUEST_SIZE (bytes of request written, summed
 * over the transfer's sends; reset by every transfer, not by a resend) grew
 * since the previous start. The body is given whole (POSTFIELDS) so headers
 * and body go out in one send; libcurl rewinds it itself on a resend. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    dg_aws_http *h = ud;
    long written = 0;
    if (curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &written) != CURLE_OK)
        written = h->written + 1; /* cannot tell: assume the earlier copy went out */
    if (h->starts > 0 && written != h->written)
        h->resp->resends++;
    h->written = written;
    h->starts++;
    return CURL_PREREQFUNC_OK;
}

/* The sockets libcurl wants watched (multi socket interface). */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *ud, void *socketp)
{
    (void)easy;
    (void)socketp;
    dg_aws_http *h = ud;
    size_t i = 0;
    while (i < h->nfds && h->fds[i].fd != s)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < h->nfds)
            h->fds[i] = h->fds[--h->nfds];
        return 0;
    }
    if (i == h->nfds) {
        if (h->nfds == h->fds_cap) {
            size_t cap = h->fds_cap ? h->fds_cap * 2 : 4;
            struct pollfd *p = realloc(h->fds, cap * sizeof *p);
            if (p == NULL)
                return -1; /* libcurl fails the transfer */
            h->fds = p;
            h->fds_cap = cap;
        }
        h->nfds++;
        h->fds[i].fd = s;
    }
    h->fds[i].events =
        (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
    h->fds[i].revents = 0;
    return 0;
}

/* The single timeout libcurl wants (multi socket interface); -1: none. */
static int on_timer(CURLM *multi, long timeout_ms, void *ud)
{
    (void)multi;
    dg_aws_http *h = ud;
    h->timer_set = timeout_ms >= 0;
    if (h->timer_set)
        h->timer_at_ns = dg_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    return 0;
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
    h->multi = curl_multi_init();
    if (h->curl == NULL || h->multi == NULL) {
        dg_aws_http_destroy(h);
        return dg_error_set(err, DG_ENOMEM, NULL, "curl_easy_init / curl_multi_init failed");
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
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS,
           opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 1000L);
    /* "" disables proxies, including the ones named by http_proxy & co. */
    SETOPT(CURLOPT_PROXY, opts->proxy != NULL ? opts->proxy : "");
    /* Without a proxy, no_proxy / NO_PROXY cannot change anything: say so, or
     * libcurl reads and parses them on every request. */
    if (opts->proxy == NULL || opts->proxy[0] == '\0')
        SETOPT(CURLOPT_NOPROXY, "");
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
    SETOPT(CURLOPT_PREREQDATA, h);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, h);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, h);
    SETOPT(CURLOPT_ERRORBUFFER, h->errbuf);
    SETOPT(CURLOPT_USERAGENT, "dynagen/0.1");
    /* The CA bundle: Debian's libcurl looks in /etc/ssl/certs, Amazon Linux
     * 2023 (provided.al2023) keeps it in /etc/pki/tls/certs. SSL_CERT_FILE wins. */
    const char *ca = getenv("SSL_CERT_FILE");
    if (ca == NULL || ca[0] == '\0') {
        static const char *const bundles[] = {"/etc/pki/tls/certs/ca-bundle.crt",
                                              "/etc/ssl/certs/ca-certificates.crt"};
        ca = NULL;
        for (size_t i = 0; i < sizeof bundles / sizeof *bundles && ca == NULL; i++)
            if (access(bundles[i], R_OK) == 0)
                ca = bundles[i];
    }
    if (ca != NULL)
        SETOPT(CURLOPT_CAINFO, ca);
#undef SETOPT
    CURLMcode mrc = curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    if (mrc == CURLM_OK)
        mrc = curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    if (mrc == CURLM_OK)
        mrc = curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    if (mrc == CURLM_OK)
        mrc = curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    if (rc != CURLE_OK || mrc != CURLM_OK) {
        dg_error_set(err, DG_EIO, NULL, "configuring libcurl failed: %s",
                     rc != CURLE_OK ? curl_easy_strerror(rc) : curl_multi_strerror(mrc));
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
    /* The easy handle is never left in the multi handle between requests. */
    if (h->multi != NULL)
        curl_multi_cleanup(h->multi); /* closes the cached connection */
    if (h->curl != NULL)
        curl_easy_cleanup(h->curl);
    free(h->fds);
    free(h->nodes);
    free(h->offsets);
    free(h->url);
    dg_buf_free(&h->lines);
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
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_OUT_OF_MEMORY:
        return true;
    default:
        return false;
    }
}

/* The peer could not be verified: its certificate (chain, name, pin, status)
 * or our trust store. Nothing was sent, and the same handshake fails again. */
static bool untrusted_peer(CURLcode rc)
{
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return true;
    default:
        return false;
    }
}

/* The request headers as "Name: value" lines in h->lines, chained through
 * h->nodes; -1 when out of memory. */
static int build_headers(dg_aws_http *h, const dg_aws_http_request *req)
{
    /* No "Expect: 100-continue" round trip; no Accept header. */
    static const char *const extra[] = {"Expect:", "Accept:"};
    size_t n = req->header_count + 2;
    if (n > h->nodes_cap) {
        struct curl_slist *nodes = realloc(h->nodes, n * sizeof *nodes);
        if (nodes == NULL)
            return -1;
        h->nodes = nodes;
        size_t *offsets = realloc(h->offsets, n * sizeof *offsets);
        if (offsets == NULL)
            return -1;
        h->offsets = offsets;
        h->nodes_cap = n;
    }
    dg_buf *b = &h->lines;
    dg_buf_reset(b);
    for (size_t i = 0; i < req->header_count; i++) {
        const char *name = req->headers[i].name, *value = req->headers[i].value;
        size_t nl = strlen(name), vl = strlen(value);
        char *p = dg_buf_room(b, nl + vl + 3);
        if (p == NULL)
            return -1;
        h->offsets[i] = b->len;
        memcpy(p, name, nl);
        p += nl;
        *p++ = ':';
        *p++ = ' ';
        memcpy(p, value, vl);
        p += vl;
        *p++ = '\0';
        b->len = (size_t)(p - b->data);
    }
    for (size_t i = 0; i < 2; i++) {
        h->offsets[req->header_count + i] = b->len;
        dg_buf_append(b, extra[i], strlen(extra[i]) + 1);
    }
    if (dg_buf_status(b) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        h->nodes[i].data = b->data + h->offsets[i];
        h->nodes[i].next = i + 1 < n ? &h->nodes[i + 1] : NULL;
    }
    return 0;
}

/* Run the transfer on the multi handle until it is done; its result. */
static CURLcode run_transfer(dg_aws_http *h)
{
    CURLMcode mrc = curl_multi_add_handle(h->multi, h->curl);
    if (mrc != CURLM_OK)
        return mrc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
    CURLcode result = CURLE_OK;
    int running = 1;
    /* Start at once: connection reuse (or connect) and the request send. */
    mrc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    for (;;) {
        if (mrc != CURLM_OK) {
            snprintf(h->errbuf, sizeof h->errbuf, "%s", curl_multi_strerror(mrc));
            result = mrc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_RECV_ERROR;
            break;
        }
        CURLMsg *msg;
        int left;
        bool done = false;
        while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->curl) {
                result = msg->data.result;
                done = true;
            }
        }
        if (done)
            break;
        if (running == 0) { /* cannot happen without a CURLMSG_DONE */
            result = CURLE_RECV_ERROR;
            break;
        }
        /* Wait for a socket or the timer (libcurl always sets one while a
         * transfer runs: its timeouts; a second at most, to be safe). */
        int wait_ms = 1000;
        if (h->timer_set) {
            uint64_t now = dg_monotonic_ns();
            uint64_t left_ns = h->timer_at_ns > now ? h->timer_at_ns - now : 0;
            uint64_t ms = (left_ns + 999999u) / 1000000u;
            wait_ms = ms < 1000 ? (int)ms : 1000;
        }
        int ready = 0;
        if (wait_ms > 0) {
            ready = poll(h->fds, (nfds_t)h->nfds, wait_ms);
            if (ready < 0) {
                if (errno == EINTR)
                    continue;
                result = CURLE_RECV_ERROR;
                break;
            }
        }
        if (ready == 0) {
            mrc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            continue;
        }
        /* What became ready, as libcurl's own poll reports it (select.c):
         * errors and hang-ups count as readable / writable so that the
         * following recv / send sees them. The callbacks may change h->fds. */
        enum { MAX_READY = 8 };
        curl_socket_t socks[MAX_READY];
        int bits[MAX_READY];
        int count = 0;
        for (size_t i = 0; i < h->nfds && count < MAX_READY; i++) {
            short re = h->fds[i].revents, ev = h->fds[i].events;
            if (re == 0)
                continue;
            int b = 0;
            if ((ev & POLLIN) && (re & (POLLIN | POLLERR | POLLHUP)))
                b |= CURL_CSELECT_IN;
            if ((ev & POLLOUT) && (re & (POLLOUT | POLLERR | POLLHUP)))
                b |= CURL_CSELECT_OUT;
            if (re & (POLLPRI | POLLNVAL))
                b |= CURL_CSELECT_ERR;
            socks[count] = h->fds[i].fd;
            bits[count++] = b;
        }
        for (int i = 0; i < count && mrc == CURLM_OK; i++)
            mrc = curl_multi_socket_action(h->multi, socks[i], bits[i], &running);
    }
    curl_multi_remove_handle(h->multi, h->curl);
    return result;
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
    h->starts = 0;
    h->written = 0;
    h->too_big = false;
    h->errbuf[0] = '\0';

    if (build_headers(h, req) != 0) {
        h->resp = NULL;
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory building the request headers");
    }
    CURL *c = h->curl;
    CURLcode rc = CURLE_OK;
    if (h->url == NULL || strcmp(h->url, req->url) != 0) {
        free(h->url);
        h->url = strdup(req->url);
        rc = h->url != NULL ? curl_easy_setopt(c, CURLOPT_URL, req->url) : CURLE_OUT_OF_MEMORY;
        if (rc != CURLE_OK) {
            free(h->url);
            h->url = NULL;
        }
    }
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->nodes);
    /* The body whole, not copied: headers and body leave in one send. The
     * size first: setting it may drop the body pointer. */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body_len ? (const char *)req->body : "");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 1L);
    if (rc == CURLE_OK)
        rc = run_transfer(h);
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
    if (untrusted_peer(rc)) {
        *failure = DG_AWS_HTTP_NOT_SENT;
        return dg_error_set(err, DG_EUNTRUSTED, NULL, "POST %s: %s%s%s%s", req->url,
                            curl_easy_strerror(rc), h->errbuf[0] ? " (" : "", h->errbuf,
                            h->errbuf[0] ? ")" : "");
    }
    *failure = failed_before_send(rc) ? DG_AWS_HTTP_NOT_SENT : DG_AWS_HTTP_MAYBE_SENT;
    int code = rc == CURLE_OPERATION_TIMEDOUT ? DG_ETIMEDOUT : DG_EIO;
    return dg_error_set(err, code, NULL, "POST %s: %s%s%s%s", req->url, curl_easy_strerror(rc),
                        h->errbuf[0] ? " (" : "", h->errbuf, h->errbuf[0] ? ")" : "");
}
