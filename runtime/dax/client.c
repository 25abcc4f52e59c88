/* dynagen runtime — DAX client: sockets (TCP / TLS), preamble and
 * authorisation, cluster discovery, routing with node back-off, key-schema
 * and attribute-list caches, and the data operations over the codec.
 * See dynagen/dax.h. Depends only on runtime/core, runtime/dax, SigV4 and
 * the libraries (OpenSSL, cJSON): not on runtime/ddb's code (only its
 * header's structs), so the codec's fuzz target still links. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dynagen/codec_util.h"
#include "dynagen/dax.h"
#include "dynagen/dax_codec.h"

#define MAX_SEEDS 16
#define POOL_MAX 8
#define KS_CACHE_MAX 256
#define AL_CACHE_MAX 2000

/* ---------------------------------------------------------------- types */

typedef struct conn {
    int fd;
    SSL *ssl;
    bool need_preamble;
    bool authed, auth_stale;
    int64_t authed_at;
    uint64_t auth_gen;
} conn;

typedef struct node {
    char host[DG_DAX_HOST_MAX]; /* name to resolve when !has_addr */
    uint8_t addr[4];
    bool has_addr;
    uint16_t port;
    dg_dax_node_health h;
    conn *idle[POOL_MAX];
    int nidle;
} node;

typedef struct ks_entry {
    char *table;
    dg_dax_key_schema ks;
} ks_entry;

typedef struct al_entry {
    uint64_t id;
    dg_dax_names names;
    char *joined; /* names joined with '\0' (lookup key) */
    size_t joined_len;
} al_entry;

struct dg_dax_client {
    dg_dax_url seeds[MAX_SEEDS];
    size_t nseeds;
    char *ak, *sk, *token, *region, *ua, *ca_file;
    uint64_t cred_gen;
    dg_dax_options o;
    SSL_CTX *ssl_ctx;
    node *nodes;
    size_t nnodes;
    int64_t last_refresh;
    int64_t deadline;
    uint8_t session[16];
    ks_entry *ks;
    size_t nks;
    al_entry *al;
    size_t nal, capal;
    dg_dax_stats st;
    uint64_t rng;
    dg_buf rbuf;
};

static int64_t now_ms(const dg_dax_client *c)
{
    return c->o.now_ms ? c->o.now_ms() : dg_now_ms();
}

static uint32_t rnd(dg_dax_client *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (uint32_t)(c->rng >> 16);
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static char *dupz(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

/* ---------------------------------------------------------------- connections */

static void conn_close(conn *k)
{
    if (!k)
        return;
    if (k->ssl) {
        SSL_free(k->ssl);
    }
    if (k->fd >= 0)
        close(k->fd);
    free(k);
}

/* Wait for fd to be ready for ev until deadline (epoch ms). */
static int wait_fd(dg_dax_client *c, int fd, short ev, int64_t deadline, const char *what,
                   dg_error *err)
{
    for (;;) {
        int64_t left = deadline - now_ms(c);
        if (left <= 0)
            return dg_error_set(err, DG_ETIMEDOUT, NULL, "DAX: timed out %s", what);
        struct pollfd p = {fd, ev, 0};
        int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return dg_error_set(err, DG_EIO, NULL, "DAX: poll: %s", strerror(errno));
    }
}

static int tls_wait(dg_dax_client *c, conn *k, int ret, int64_t deadline, const char *what,
                    dg_error *err)
{
    int e = SSL_get_error(k->ssl, ret);
    if (e == SSL_ERROR_WANT_READ)
        return wait_fd(c, k->fd, POLLIN, deadline, what, err);
    if (e == SSL_ERROR_WANT_WRITE)
        return wait_fd(c, k->fd, POLLOUT, deadline, what, err);
    if (e == SSL_ERROR_ZERO_RETURN)
        return dg_error_set(err, DG_EIO, NULL, "DAX: TLS connection closed by the node");
    unsigned long le = ERR_get_error();
    char buf[200] = "";
    if (le)
        ERR_error_string_n(le, buf, sizeof buf);
    long vr = SSL_get_verify_result(k->ssl);
    if (vr != X509_V_OK)
        return dg_error_set(err, DG_EIO, NULL, "DAX: TLS %s: certificate not accepted: %s", what,
                            X509_verify_cert_error_string(vr));
    return dg_error_set(err, DG_EIO, NULL, "DAX: TLS %s failed%s%s", what, buf[0] ? ": " : "", buf);
}

static int sock_connect(dg_dax_client *c, const struct sockaddr *sa, socklen_t sl, int64_t deadline,
                        int *out, dg_error *err)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, NULL, "DAX: socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (connect(fd, sa, sl) != 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            return dg_error_set(err, DG_EIO, NULL, "DAX: connect: %s", strerror(e));
        }
        int rc = wait_fd(c, fd, POLLOUT, deadline, "connecting", err);
        if (rc) {
            close(fd);
            return rc;
        }
        int so = 0;
        socklen_t len = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so) {
            close(fd);
            return dg_error_set(err, DG_EIO, NULL, "DAX: connect: %s", strerror(so));
        }
    }
    *out = fd;
    return 0;
}

static int conn_open(dg_dax_client *c, node *nd, conn **out, dg_error *err)
{
    int64_t deadline = now_ms(c) + c->o.connect_timeout_ms;
    if (c->deadline && deadline > c->deadline)
        deadline = c->deadline;
    int fd = -1, rc;
    if (nd->has_addr) {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_port = htons(nd->port);
        memcpy(&sin.sin_addr, nd->addr, 4);
        rc = sock_connect(c, (struct sockaddr *)&sin, sizeof sin, deadline, &fd, err);
    } else {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        char port[8];
        snprintf(port, sizeof port, "%u", nd->port);
        int g = getaddrinfo(nd->host, port, &hints, &res);
        if (g != 0)
            return dg_error_set(err, DG_EIO, NULL, "DAX: cannot resolve %s: %s", nd->host,
                                gai_strerror(g));
        rc = DG_EIO;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            rc = sock_connect(c, ai->ai_addr, ai->ai_addrlen, deadline, &fd, err);
            if (rc == 0 || rc == DG_ETIMEDOUT)
                break;
        }
        freeaddrinfo(res);
    }
    if (rc)
        return rc;
    conn *k = calloc(1, sizeof *k);
    if (!k) {
        close(fd);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    k->fd = fd;
    k->need_preamble = true;
    if (c->ssl_ctx) {
        k->ssl = SSL_new(c->ssl_ctx);
        if (!k->ssl) {
            conn_close(k);
            return dg_error_set(err, DG_ENOMEM, NULL, "DAX: SSL_new failed");
        }
        SSL_set_fd(k->ssl, fd);
        const char *vhost = c->seeds[0].host; /* the configured name, not the node's IP */
        SSL_set_tlsext_host_name(k->ssl, vhost);
        if (!c->o.skip_hostname_verification)
            SSL_set1_host(k->ssl, vhost);
        SSL_set_verify(k->ssl, SSL_VERIFY_PEER, NULL);
        for (;;) {
            int r = SSL_connect(k->ssl);
            if (r == 1)
                break;
            if ((rc = tls_wait(c, k, r, deadline, "handshake", err))) {
                conn_close(k);
                return rc;
            }
        }
    }
    c->st.connects++;
    *out = k;
    return 0;
}

/* OpenSSL writes with write(2): a peer that closed would raise SIGPIPE and
 * kill the process. Block it for this thread around the write and swallow
 * one that became pending (the error still comes back as EPIPE). */
static int ssl_write_nosig(SSL *ssl, const char *p, size_t n, size_t *w)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int r = SSL_write_ex(ssl, p, n, w);
    if (!was_pending) {
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            struct timespec zero = {0, 0};
            sigtimedwait(&pipe_set, NULL, &zero);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}

static int conn_write(dg_dax_client *c, conn *k, const char *p, size_t n, int64_t deadline,
                      dg_error *err)
{
    while (n > 0) {
        if (k->ssl) {
            size_t w = 0;
            int r = ssl_write_nosig(k->ssl, p, n, &w);
            if (r == 1) {
                p += w;
                n -= w;
                continue;
            }
            int rc = tls_wait(c, k, r, deadline, "write", err);
            if (rc)
                return rc;
            continue;
        }
        ssize_t w = send(k->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            int rc = wait_fd(c, k->fd, POLLOUT, deadline, "writing a request", err);
            if (rc)
                return rc;
            continue;
        }
        return dg_error_set(err, DG_EIO, NULL, "DAX: send: %s", w < 0 ? strerror(errno) : "closed");
    }
    return 0;
}

/* Append at least one byte to b. */
static int conn_read(dg_dax_client *c, conn *k, dg_buf *b, int64_t deadline, dg_error *err)
{
    for (;;) {
        if (dg_buf_reserve(b, 16384))
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        if (k->ssl) {
            size_t got = 0;
            int r = SSL_read_ex(k->ssl, b->data + b->len, 16384, &got);
            if (r == 1) {
                b->len += got;
                return 0;
            }
            int rc = tls_wait(c, k, r, deadline, "waiting for the response", err);
            if (rc)
                return rc;
            continue;
        }
        ssize_t r = recv(k->fd, b->data + b->len, 16384, 0);
        if (r > 0) {
            b->len += (size_t)r;
            return 0;
        }
        if (r == 0)
            return dg_error_set(err, DG_EIO, NULL, "DAX: connection closed by the node");
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            int rc = wait_fd(c, k->fd, POLLIN, deadline, "waiting for the response", err);
            if (rc)
                return rc;
            continue;
        }
        return dg_error_set(err, DG_EIO, NULL, "DAX: recv: %s", strerror(errno));
    }
}

/* An idle pooled connection must have nothing to say: readable means EOF or
 * stray bytes (TLS: a post-handshake message is consumed and is fine). */
static bool conn_idle_ok(conn *k)
{
    struct pollfd p = {k->fd, POLLIN, 0};
    int r = poll(&p, 1, 0);
    if (r == 0)
        return true;
    if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
        return false;
    if (!k->ssl)
        return false;
    char tmp[1];
    size_t got = 0;
    int x = SSL_read_ex(k->ssl, tmp, 1, &got);
    return x != 1 && SSL_get_error(k->ssl, x) == SSL_ERROR_WANT_READ;
}

static int conn_get(dg_dax_client *c, node *nd, conn **out, dg_error *err)
{
    while (nd->nidle > 0) {
        conn *k = nd->idle[--nd->nidle];
        if (conn_idle_ok(k)) {
            *out = k;
            return 0;
        }
        conn_close(k);
    }
    return conn_open(c, nd, out, err);
}

static void conn_put(dg_dax_client *c, node *nd, conn *k)
{
    if (nd->nidle < c->o.pool_size && nd->nidle < POOL_MAX)
        nd->idle[nd->nidle++] = k;
    else
        conn_close(k);
}

static void node_drain(node *nd)
{
    while (nd->nidle > 0)
        conn_close(nd->idle[--nd->nidle]);
}

/* ---------------------------------------------------------------- caches */

static const ks_entry *ks_find(const dg_dax_client *c, dg_str table)
{
    for (size_t i = 0; i < c->nks; i++)
        if (strlen(c->ks[i].table) == table.len && !memcmp(c->ks[i].table, table.ptr, table.len))
            return &c->ks[i];
    return NULL;
}

static void ks_free(ks_entry *e)
{
    free(e->table);
    for (size_t j = 0; j < e->ks.count; j++)
        free((char *)e->ks.attrs[j].name.ptr);
}

static int ks_add(dg_dax_client *c, dg_str table, const dg_dax_key_schema *ks, dg_error *err)
{
    if (c->nks >= KS_CACHE_MAX) { /* bounded: start over (rare: one entry per table) */
        for (size_t i = 0; i < c->nks; i++)
            ks_free(&c->ks[i]);
        c->nks = 0;
    }
    if (!c->ks && !(c->ks = calloc(KS_CACHE_MAX, sizeof *c->ks)))
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    ks_entry *e = &c->ks[c->nks];
    memset(e, 0, sizeof *e);
    e->table = strndup(table.ptr, table.len);
    e->ks.count = ks->count;
    bool ok = e->table != NULL;
    for (size_t j = 0; j < ks->count; j++) {
        char *nm = strndup(ks->attrs[j].name.ptr, ks->attrs[j].name.len);
        e->ks.attrs[j].name = (dg_str){nm, nm ? ks->attrs[j].name.len : 0};
        e->ks.attrs[j].type = ks->attrs[j].type;
        ok = ok && nm;
    }
    if (!ok) {
        ks_free(e);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    c->nks++;
    return 0;
}

static void al_free(al_entry *e)
{
    free(e->joined);
    free(e->names.names);
}

static void al_clear(dg_dax_client *c)
{
    for (size_t i = 0; i < c->nal; i++)
        al_free(&c->al[i]);
    c->nal = 0;
}

static int join_names(const dg_dax_names *nm, dg_buf *out)
{
    for (size_t i = 0; i < nm->count; i++) {
        dg_buf_append(out, nm->names[i].ptr, nm->names[i].len);
        dg_buf_append(out, "\0", 1);
    }
    return dg_buf_status(out);
}

static const al_entry *al_find_id(const dg_dax_client *c, uint64_t id)
{
    for (size_t i = 0; i < c->nal; i++)
        if (c->al[i].id == id)
            return &c->al[i];
    return NULL;
}

static const al_entry *al_find_names(const dg_dax_client *c, const char *j, size_t n)
{
    for (size_t i = 0; i < c->nal; i++)
        if (c->al[i].joined_len == n && !memcmp(c->al[i].joined, j, n))
            return &c->al[i];
    return NULL;
}

static int al_add(dg_dax_client *c, uint64_t id, const dg_dax_names *nm, dg_error *err)
{
    if (al_find_id(c, id))
        return 0;
    if (c->nal >= AL_CACHE_MAX)
        al_clear(c); /* only between calls' decodes: entries are looked up again */
    if (c->nal == c->capal) {
        size_t cap = c->capal ? c->capal * 2 : 32;
        al_entry *n2 = realloc(c->al, cap * sizeof *n2);
        if (!n2)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        c->al = n2;
        c->capal = cap;
    }
    dg_buf j = DG_BUF_INIT;
    if (join_names(nm, &j)) {
        dg_buf_free(&j);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    al_entry *e = &c->al[c->nal];
    memset(e, 0, sizeof *e);
    e->id = id;
    e->joined_len = j.len;
    e->joined = j.data ? j.data : calloc(1, 1);
    e->names.count = nm->count;
    e->names.names = calloc(nm->count ? nm->count : 1, sizeof(dg_str));
    if (!e->joined || !e->names.names) {
        al_free(e);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    size_t off = 0;
    for (size_t i = 0; i < nm->count; i++) {
        e->names.names[i] = (dg_str){e->joined + off, nm->names[i].len};
        off += nm->names[i].len + 1;
    }
    c->nal++;
    return 0;
}

typedef struct resolve_ctx {
    dg_dax_client *c;
    bool missing;
    uint64_t missing_id;
} resolve_ctx;

static int resolve_list(void *ctx, uint64_t id, dg_dax_names *out, dg_error *err)
{
    resolve_ctx *r = ctx;
    if (id == 1) {
        out->names = NULL;
        out->count = 0;
        return 0;
    }
    const al_entry *e = al_find_id(r->c, id);
    if (e) {
        *out = e->names;
        return 0;
    }
    r->missing = true;
    r->missing_id = id;
    return dg_error_set(err, DG_ENOTFOUND, NULL, "unknown attribute list %llu",
                        (unsigned long long)id);
}

static int resolve_ks(void *ctx, dg_str table, dg_dax_key_schema *out, dg_error *err)
{
    resolve_ctx *r = ctx;
    const ks_entry *e = ks_find(r->c, table);
    if (!e)
        return dg_error_set(err, DG_ENOTFOUND, NULL, "unknown key schema of %.*s", (int)table.len,
                            table.ptr);
    *out = e->ks;
    return 0;
}

/* ---------------------------------------------------------------- one exchange */

static int request_deadline(dg_dax_client *c, int64_t *deadline, dg_error *err)
{
    int64_t now = now_ms(c);
    *deadline = now + c->o.request_timeout_ms;
    if (c->deadline) {
        if (c->deadline <= now)
            return dg_error_set(err, DG_ETIMEDOUT, NULL, "DAX: deadline exceeded");
        if (*deadline > c->deadline)
            *deadline = c->deadline;
    }
    return 0;
}

/* Read one complete response to method into arena memory. */
static int read_response(dg_dax_client *c, conn *k, int64_t method, int64_t deadline, dg_arena *a,
                         const uint8_t **msg, size_t *len, dg_error *err)
{
    dg_buf *b = &c->rbuf;
    for (;;) {
        size_t l = 0;
        int s = dg_dax_response_scan(method, (const uint8_t *)b->data, b->len, NULL, &l);
        if (s == 0) {
            uint8_t *m = dg_arena_memdup(a, b->data, l ? l : 1);
            if (!m)
                return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
            size_t rest = b->len - l;
            if (rest) /* nothing else may follow: the stream is out of step */
                return dg_error_set(err, DG_EIO, NULL, "DAX: %zu unexpected bytes after a response",
                                    rest);
            b->len = 0;
            *msg = m;
            *len = l;
            return 0;
        }
        if (s < 0)
            return dg_error_set(err, DG_EIO, NULL, "DAX: malformed response from the node (%s)",
                                dg_strerror(s));
        int rc = conn_read(c, k, b, deadline, err);
        if (rc)
            return rc;
    }
}

/* Send req (with the preamble / authorisation the connection needs) and
 * decode the response. Returns 0 (out filled, maybe a service error), or a
 * negative code; *transport tells whether the connection is unusable
 * (close it, count a node failure); *sent whether the request may have
 * reached the node. */
static int exchange(dg_dax_client *c, conn *k, int64_t method, const dg_buf *req,
                    const dg_dax_decode_ctx *ctx0, dg_arena *a, dg_dax_result *out, bool *transport,
                    bool *sent, dg_error *err)
{
    *transport = false;
    *sent = false;
    int64_t deadline;
    int rc = request_deadline(c, &deadline, err);
    if (rc)
        return rc;
    dg_buf w = DG_BUF_INIT;
    if (k->need_preamble)
        rc = dg_dax_encode_preamble(c->session, sizeof c->session, c->ua, &w, err);
    int64_t now = now_ms(c);
    bool auth = dg_dax_auth_due(k->authed, k->authed_at, k->auth_gen, k->auth_stale, now,
                                c->o.auth_interval_ms, c->cred_gen);
    if (!rc && auth) {
        dg_dax_auth au = {c->ak, c->sk, c->token, c->region, now / 1000, c->ua};
        rc = dg_dax_encode_authorize(&au, &w, err);
    }
    if (!rc && dg_buf_append(&w, req->data, req->len))
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    if (rc) {
        dg_buf_free(&w);
        return rc;
    }
    c->rbuf.len = 0;
    *sent = true;
    rc = conn_write(c, k, w.data, w.len, deadline, err);
    dg_buf_free(&w);
    if (rc) {
        *transport = true;
        return rc;
    }
    k->need_preamble = false;
    if (auth) {
        k->authed = true;
        k->authed_at = now;
        k->auth_gen = c->cred_gen;
        k->auth_stale = false;
        c->st.auths++;
    }
    const uint8_t *msg;
    size_t len;
    if ((rc = read_response(c, k, method, deadline, a, &msg, &len, err))) {
        *transport = true;
        return rc;
    }
    /* decode; an attribute list the cache does not know is fetched on the
     * same connection and the decode repeated (a page may name several) */
    for (int round = 0; round < 64; round++) {
        resolve_ctx rcx = {c, false, 0};
        dg_dax_decode_ctx ctx = ctx0 ? *ctx0 : (dg_dax_decode_ctx){0};
        ctx.resolver.attr_list = resolve_list;
        ctx.resolver.key_schema = resolve_ks;
        ctx.resolver.ctx = &rcx;
        size_t used = 0;
        memset(out, 0, sizeof *out);
        rc = dg_dax_decode_response(method, msg, len, &ctx, a, &used, out, err);
        if (rc == 0)
            return 0;
        if (!rcx.missing)
            return rc; /* the bytes were consumed: the connection stays in step */
        dg_buf q = DG_BUF_INIT;
        rc = dg_dax_encode_define_attribute_list(rcx.missing_id, &q, err);
        if (!rc)
            rc = request_deadline(c, &deadline, err);
        if (!rc)
            rc = conn_write(c, k, q.data, q.len, deadline, err);
        dg_buf_free(&q);
        const uint8_t *m2;
        size_t l2;
        if (!rc)
            rc = read_response(c, k, DG_DAX_DEFINE_ATTRIBUTE_LIST, deadline, a, &m2, &l2, err);
        if (rc) {
            *transport = true;
            return rc;
        }
        dg_dax_result r2;
        memset(&r2, 0, sizeof r2);
        size_t u2;
        if ((rc = dg_dax_decode_response(DG_DAX_DEFINE_ATTRIBUTE_LIST, m2, l2, NULL, a, &u2, &r2,
                                         err)))
            return rc;
        if (r2.is_error) {
            *out = r2;
            return 0;
        }
        if ((rc = al_add(c, rcx.missing_id, &r2.attr_list, err)))
            return rc;
    }
    return dg_error_set(err, DG_EIO, NULL, "DAX: too many unknown attribute lists in one response");
}

/* ---------------------------------------------------------------- cluster */

static bool same_target(const node *a, const node *b)
{
    if (a->port != b->port || a->has_addr != b->has_addr)
        return false;
    return a->has_addr ? !memcmp(a->addr, b->addr, 4) : !strcmp(a->host, b->host);
}

static int set_nodes(dg_dax_client *c, node *nn, size_t n, dg_error *err)
{
    (void)err;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c->nnodes; j++)
            if (same_target(&nn[i], &c->nodes[j])) {
                bool leader = nn[i].h.leader;
                nn[i].h = c->nodes[j].h;
                nn[i].h.leader = leader;
                memcpy(nn[i].idle, c->nodes[j].idle, sizeof nn[i].idle);
                nn[i].nidle = c->nodes[j].nidle;
                c->nodes[j].nidle = 0;
            }
    for (size_t j = 0; j < c->nnodes; j++)
        node_drain(&c->nodes[j]);
    free(c->nodes);
    c->nodes = nn;
    c->nnodes = n;
    return 0;
}

static int seed_nodes(dg_dax_client *c, dg_error *err)
{
    node *nn = calloc(c->nseeds, sizeof *nn);
    if (!nn)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < c->nseeds; i++) {
        snprintf(nn[i].host, sizeof nn[i].host, "%s", c->seeds[i].host);
        nn[i].port = c->seeds[i].port;
        struct in_addr ia;
        if (inet_pton(AF_INET, nn[i].host, &ia) == 1) {
            memcpy(nn[i].addr, &ia, 4);
            nn[i].has_addr = true;
        }
    }
    return set_nodes(c, nn, c->nseeds, err);
}

/* endpoints on one usable node; the node list replaced by the answer. */
static void refresh(dg_dax_client *c)
{
    int64_t now = now_ms(c);
    c->last_refresh = now ? now : 1;
    dg_dax_node_health hs[64];
    size_t n = c->nnodes < 64 ? c->nnodes : 64;
    for (size_t i = 0; i < n; i++)
        hs[i] = c->nodes[i].h;
    int avoid = -1;
    bool reseeded = false;
    for (int tries = 0; tries < 2; tries++) {
        int i = dg_dax_pick_node(hs, n, false, avoid, now_ms(c), rnd(c));
        if (i < 0 && tries == 0 && !reseeded) {
            /* every known node is down: go back to the configured seeds (the
             * cluster may have moved); a seed that is a known node keeps its
             * health, so a dead one is not hammered */
            dg_error e2;
            reseeded = true;
            if (seed_nodes(c, &e2))
                return;
            n = c->nnodes < 64 ? c->nnodes : 64;
            for (size_t j = 0; j < n; j++)
                hs[j] = c->nodes[j].h;
            i = dg_dax_pick_node(hs, n, false, -1, now_ms(c), rnd(c));
        }
        if (i < 0)
            return;
        node *nd = &c->nodes[i];
        dg_error err;
        dg_error_clear(&err);
        conn *k = NULL;
        dg_arena *a = dg_arena_new(0);
        if (!a)
            return;
        dg_buf q = DG_BUF_INIT;
        dg_dax_result r;
        bool transport = false, sent = false;
        int rc = dg_dax_encode_endpoints(&q, &err);
        if (!rc && (rc = conn_get(c, nd, &k, &err)))
            transport = true;
        if (!rc)
            rc = exchange(c, k, DG_DAX_ENDPOINTS, &q, NULL, a, &r, &transport, &sent, &err);
        dg_buf_free(&q);
        if (transport || rc) {
            conn_close(k);
            if (transport) {
                dg_dax_node_failed(&nd->h, now_ms(c), c->o.node_backoff_ms,
                                   c->o.node_backoff_max_ms);
                hs[i] = nd->h;
                c->st.node_failures++;
            }
            dg_arena_destroy(a);
            avoid = i;
            continue;
        }
        if (r.is_error && dg_dax_error_auth(&r.error))
            k->auth_stale = true; /* authorise again before the next request */
        conn_put(c, nd, k);
        dg_dax_node_ok(&nd->h);
        if (!r.is_error && r.endpoint_count > 0) {
            node *nn = calloc(r.endpoint_count, sizeof *nn);
            if (nn) {
                size_t m = 0;
                for (size_t e = 0; e < r.endpoint_count; e++) {
                    const dg_dax_endpoint *ep = &r.endpoints[e];
                    if (ep->port == 0 || ep->port > 65535)
                        continue;
                    node *x = &nn[m++];
                    x->port = (uint16_t)ep->port;
                    bool zero =
                        !ep->address[0] && !ep->address[1] && !ep->address[2] && !ep->address[3];
                    if (!zero) {
                        memcpy(x->addr, ep->address, 4);
                        x->has_addr = true;
                    }
                    snprintf(x->host, sizeof x->host, "%.*s", (int)ep->hostname.len,
                             ep->hostname.ptr ? ep->hostname.ptr : "");
                    if (zero && !x->host[0])
                        m--;
                    else
                        x->h.leader = ep->role == 1;
                }
                if (m > 0) {
                    set_nodes(c, nn, m, &err);
                    c->st.refreshes++;
                } else {
                    free(nn);
                }
            }
        }
        dg_arena_destroy(a);
        return;
    }
}

static void ensure_cluster(dg_dax_client *c)
{
    if (c->nnodes == 0) {
        dg_error e;
        if (seed_nodes(c, &e))
            return;
    }
    if (!c->o.static_nodes &&
        dg_dax_refresh_due(c->last_refresh, now_ms(c), c->o.refresh_interval_ms))
        refresh(c);
}

/* ---------------------------------------------------------------- calls with retries */

static bool is_class2(const dg_dax_service_error *e)
{
    return e->code_count > 0 && e->codes[0] == 2;
}

typedef struct call_out {
    int attempts;
    bool unanswered; /* some attempt was sent and got no answer */
} call_out;

/* Run one request with routing and retries. build (re)encodes nothing: req
 * is sent as is on each attempt. */
static int call(dg_dax_client *c, int64_t method, bool write, const dg_buf *req,
                const dg_dax_decode_ctx *ctx, dg_arena *a, dg_dax_result *out, call_out *co,
                dg_error *err)
{
    ensure_cluster(c);
    int avoid = -1;
    bool any_connected = false, svc = false;
    int last = 0;
    dg_error last_err;
    dg_error_clear(&last_err);
    for (int attempt = 0; attempt < c->o.max_attempts; attempt++) {
        if (attempt > 0) {
            c->st.retries++;
            long cap = c->o.base_backoff_ms << (attempt < 10 ? attempt : 10);
            if (cap > c->o.max_backoff_ms)
                cap = c->o.max_backoff_ms;
            long s = cap > 0 ? (long)(rnd(c) % (uint32_t)(cap + 1)) : 0;
            if (c->deadline && now_ms(c) + s >= c->deadline)
                break;
            sleep_ms(s);
            if (!c->o.static_nodes &&
                dg_dax_refresh_due(c->last_refresh, now_ms(c), c->o.refresh_interval_ms))
                refresh(c);
        }
        dg_dax_node_health hs[64];
        size_t n = c->nnodes < 64 ? c->nnodes : 64;
        for (size_t i = 0; i < n; i++)
            hs[i] = c->nodes[i].h;
        int i = dg_dax_pick_node(hs, n, write, avoid, now_ms(c), rnd(c));
        if (i < 0)
            break;
        node *nd = &c->nodes[i];
        conn *k = NULL;
        dg_error e;
        dg_error_clear(&e);
        int rc = conn_get(c, nd, &k, &e);
        if (rc) {
            dg_dax_node_failed(&nd->h, now_ms(c), c->o.node_backoff_ms, c->o.node_backoff_max_ms);
            c->st.node_failures++;
            avoid = i;
            last = rc;
            last_err = e;
            svc = false;
            continue;
        }
        any_connected = true;
        bool transport, sent;
        rc = exchange(c, k, method, req, ctx, a, out, &transport, &sent, &e);
        if (sent) {
            co->attempts++;
            c->st.attempts++;
        }
        if (rc && transport) {
            conn_close(k);
            dg_dax_node_failed(&nd->h, now_ms(c), c->o.node_backoff_ms, c->o.node_backoff_max_ms);
            c->st.node_failures++;
            if (sent)
                co->unanswered = true;
            avoid = i;
            last = rc;
            last_err = e;
            svc = false;
            continue;
        }
        dg_dax_node_ok(&nd->h);
        if (rc) { /* decode failure of a complete response: the connection is in step */
            conn_put(c, nd, k);
            if (err)
                *err = e;
            return rc;
        }
        if (!out->is_error) {
            conn_put(c, nd, k);
            return 0;
        }
        c->st.service_errors++;
        bool auth = dg_dax_error_auth(&out->error);
        if (auth)
            k->auth_stale = true;
        conn_put(c, nd, k);
        rc = dg_dax_service_error_to_dg(&out->error, &e);
        if (rc == DG_ETHROTTLED)
            c->st.throttles++;
        /* [_,23,31,33] AuthenticationRequired: authorise again (auth_stale)
         * and retry; any other authentication error (refused credentials,
         * a 4xx) is final: retrying cannot fix it */
        bool auth_required = auth && out->error.codes[3] == 33;
        bool retry =
            auth_required || (rc != DG_ECONFLICT && rc != DG_EINVAL && rc != DG_ENOTFOUND &&
                              (dg_dax_error_retryable(&out->error) || is_class2(&out->error)));
        if (is_class2(&out->error))
            c->last_refresh = 0; /* new endpoints / leader before the retry */
        last = rc;
        last_err = e;
        svc = true;
        if (!retry)
            break;
        avoid = i;
    }
    if (svc) {
        if (err)
            *err = last_err;
        return last;
    }
    c->st.unreachable++;
    int code = last == DG_ETIMEDOUT ? DG_ETIMEDOUT : DG_EIO;
    if (write && !co->unanswered)
        dg_error_set(err, code, NULL, "DAX unreachable; nothing written (%s)",
                     last_err.message[0] ? last_err.message : "no usable node");
    else if (write)
        dg_error_set(err, code, NULL,
                     "DAX: no node answered the write; it may have been applied (%s)",
                     last_err.message[0] ? last_err.message : "no usable node");
    else
        dg_error_set(err, code, NULL, "DAX unreachable (%s)",
                     last_err.message[0] ? last_err.message
                                         : (any_connected ? "no answer" : "no usable node"));
    if (err)
        snprintf(err->type, sizeof err->type, "%s", DG_DAX_UNREACHABLE);
    return code;
}

static int key_schema(dg_dax_client *c, const char *table, const dg_dax_key_schema **out,
                      dg_error *err)
{
    dg_str t = {table, strlen(table)};
    const ks_entry *e = ks_find(c, t);
    if (!e) {
        dg_arena *a = dg_arena_new(0);
        if (!a)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        dg_buf q = DG_BUF_INIT;
        dg_dax_result r;
        call_out co = {0, false};
        int rc = dg_dax_encode_define_key_schema(t, &q, err);
        if (!rc)
            rc = call(c, DG_DAX_DEFINE_KEY_SCHEMA, false, &q, NULL, a, &r, &co, err);
        if (!rc)
            rc = ks_add(c, t, &r.key_schema, err);
        dg_buf_free(&q);
        dg_arena_destroy(a);
        if (rc)
            return rc;
        e = ks_find(c, t);
    }
    *out = &e->ks;
    return 0;
}

static int attr_list_id(dg_dax_client *c, const dg_dax_names *nm, uint64_t *id, dg_error *err)
{
    if (nm->count == 0) {
        *id = 1;
        return 0;
    }
    dg_buf j = DG_BUF_INIT;
    if (join_names(nm, &j)) {
        dg_buf_free(&j);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    const al_entry *e = al_find_names(c, j.data, j.len);
    dg_buf_free(&j);
    if (e) {
        *id = e->id;
        return 0;
    }
    dg_arena *a = dg_arena_new(0);
    if (!a)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    dg_buf q = DG_BUF_INIT;
    dg_dax_result r;
    call_out co = {0, false};
    int rc = dg_dax_encode_define_attribute_list_id(nm, &q, err);
    if (!rc)
        rc = call(c, DG_DAX_DEFINE_ATTRIBUTE_LIST_ID, false, &q, NULL, a, &r, &co, err);
    if (!rc) {
        *id = r.attr_list_id;
        rc = al_add(c, r.attr_list_id, nm, err);
    }
    dg_buf_free(&q);
    dg_arena_destroy(a);
    return rc;
}

/* ---------------------------------------------------------------- client */

int dg_dax_client_new(const char *endpoint, const dg_aws_config *cfg, const dg_dax_options *opts,
                      dg_dax_client **out, dg_error *err)
{
    *out = NULL;
    if (!cfg || !cfg->credentials.access_key_id || !cfg->credentials.secret_access_key ||
        !cfg->region)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "DAX client: credentials and region are required");
    dg_dax_client *c = calloc(1, sizeof *c);
    if (!c)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    int rc = dg_dax_url_parse_list(endpoint, c->seeds, MAX_SEEDS, &c->nseeds, err);
    if (rc) {
        free(c);
        return rc;
    }
    if (opts)
        c->o = *opts;
#define DEF(f, v)                                                                                  \
    if (c->o.f <= 0)                                                                               \
    c->o.f = (v)
    DEF(connect_timeout_ms, 1000);
    DEF(request_timeout_ms, 5000);
    DEF(refresh_interval_ms, 4000);
    DEF(auth_interval_ms, 240000);
    DEF(node_backoff_ms, 500);
    DEF(node_backoff_max_ms, 10000);
    DEF(max_attempts, 3);
    DEF(base_backoff_ms, 25);
    DEF(max_backoff_ms, 1000);
    DEF(pool_size, 2);
#undef DEF
    c->ak = dupz(cfg->credentials.access_key_id);
    c->sk = dupz(cfg->credentials.secret_access_key);
    c->token = dupz(cfg->credentials.session_token);
    c->region = dupz(cfg->region);
    c->ua = dupz(opts && opts->user_agent ? opts->user_agent : DG_DAX_USER_AGENT);
    c->ca_file = dupz(opts ? opts->ca_file : NULL);
    c->o.user_agent = c->ua;
    c->o.ca_file = c->ca_file;
    c->cred_gen = 1;
    if (!c->ak || !c->sk || !c->region || !c->ua || (cfg->credentials.session_token && !c->token)) {
        dg_dax_client_destroy(c);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    if (dg_random_bytes(c->session, sizeof c->session, NULL) != 0 ||
        dg_random_bytes(&c->rng, sizeof c->rng, NULL) != 0)
        c->rng = (uint64_t)dg_monotonic_ns();
    if (!c->rng)
        c->rng = 0x9E3779B97F4A7C15ull;
    if (c->seeds[0].tls) {
        c->ssl_ctx = SSL_CTX_new(TLS_client_method());
        if (!c->ssl_ctx) {
            dg_dax_client_destroy(c);
            return dg_error_set(err, DG_ENOMEM, NULL, "DAX: SSL_CTX_new failed");
        }
        SSL_CTX_set_min_proto_version(c->ssl_ctx, TLS1_2_VERSION);
        int ok = c->ca_file ? SSL_CTX_load_verify_locations(c->ssl_ctx, c->ca_file, NULL)
                            : SSL_CTX_set_default_verify_paths(c->ssl_ctx);
        if (ok != 1) {
            dg_dax_client_destroy(c);
            return dg_error_set(err, DG_EINVAL, NULL, "DAX: cannot load the trust store%s%s",
                                opts && opts->ca_file ? " " : "",
                                opts && opts->ca_file ? opts->ca_file : "");
        }
    }
    *out = c;
    return 0;
}

void dg_dax_client_destroy(dg_dax_client *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nnodes; i++)
        node_drain(&c->nodes[i]);
    free(c->nodes);
    for (size_t i = 0; i < c->nks; i++)
        ks_free(&c->ks[i]);
    free(c->ks);
    al_clear(c);
    free(c->al);
    if (c->ssl_ctx)
        SSL_CTX_free(c->ssl_ctx);
    free(c->ak);
    wipe_free(c->sk);
    wipe_free(c->token);
    free(c->region);
    free(c->ua);
    free(c->ca_file);
    dg_buf_free(&c->rbuf);
    free(c);
}

int dg_dax_client_set_credentials(dg_dax_client *c, const char *access_key_id,
                                  const char *secret_access_key, const char *session_token,
                                  dg_error *err)
{
    if (!access_key_id || !secret_access_key)
        return dg_error_set(err, DG_EINVAL, NULL, "DAX: credentials need a key id and a secret");
    char *ak = strdup(access_key_id), *sk = strdup(secret_access_key);
    char *tk = session_token ? strdup(session_token) : NULL;
    if (!ak || !sk || (session_token && !tk)) {
        free(ak);
        wipe_free(sk);
        wipe_free(tk);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    free(c->ak);
    wipe_free(c->sk);
    wipe_free(c->token);
    c->ak = ak;
    c->sk = sk;
    c->token = tk;
    c->cred_gen++;
    return 0;
}

void dg_dax_client_set_deadline(dg_dax_client *c, int64_t deadline_epoch_ms)
{
    if (c)
        c->deadline = deadline_epoch_ms;
}

const dg_dax_stats *dg_dax_client_stats(const dg_dax_client *c)
{
    return &c->st;
}

void dg_dax_client_note_fallback(dg_dax_client *c)
{
    if (c)
        c->st.read_fallbacks++;
}

size_t dg_dax_client_node_count(const dg_dax_client *c, size_t *usable)
{
    size_t u = 0;
    int64_t now = now_ms(c);
    for (size_t i = 0; i < c->nnodes; i++)
        u += dg_dax_node_usable(&c->nodes[i].h, now);
    if (usable)
        *usable = u;
    return c->nnodes;
}

/* ---------------------------------------------------------------- operations */

static void res_reset(dg_ddb_result *r)
{
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}

/* ExpressionAttributeNames / Values of a dg_ddb_expr as codec inputs. */
static int expr_maps(const dg_ddb_expr *e, dg_arena *a, dg_dax_strmap **names, dg_dax_av **values,
                     dg_error *err)
{
    *names = NULL;
    *values = NULL;
    if (!e)
        return 0;
    if (e->status)
        return dg_error_set(err, DG_EINVAL, "expr",
                            "an expression placeholder was given a NULL name or a value that is "
                            "not an AttributeValue object");
    int rc = 0;
    if (e->names.len > 1) {
        dg_buf j = DG_BUF_INIT;
        dg_buf_putc(&j, '{');
        dg_buf_append(&j, e->names.data + 1, e->names.len - 1);
        dg_buf_putc(&j, '}');
        cJSON *o = dg_buf_status(&j) ? NULL : cJSON_ParseWithLength(j.data, j.len);
        dg_buf_free(&j);
        if (!o)
            return dg_error_set(err, DG_EINVAL, "ExpressionAttributeNames", "invalid names");
        *names = dg_arena_calloc(a, 1, sizeof **names);
        rc = *names ? dg_dax_strmap_from_json(o, a, *names, err)
                    : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        cJSON_Delete(o);
        if (rc)
            return rc;
    }
    if (e->values.len > 1) {
        dg_buf j = DG_BUF_INIT;
        dg_buf_putc(&j, '{');
        dg_buf_append(&j, e->values.data + 1, e->values.len - 1);
        dg_buf_putc(&j, '}');
        *values = dg_arena_calloc(a, 1, sizeof **values);
        rc = !*values || dg_buf_status(&j)
                 ? dg_error_set(err, DG_ENOMEM, NULL, "out of memory")
                 : dg_dax_item_from_json_text(j.data, j.len, a, *values, err);
        dg_buf_free(&j);
        if (rc)
            return rc;
    }
    return 0;
}

static int to_ddb_result(int64_t method, const dg_dax_result *r, dg_ddb_result *res, dg_error *err)
{
    dg_buf j = DG_BUF_INIT;
    int rc = dg_dax_result_to_json(method, r, &j);
    if (rc) {
        dg_buf_free(&j);
        return dg_error_set(err, rc, NULL, "DAX: cannot render the response as JSON");
    }
    cJSON *root = cJSON_ParseWithLength(j.data, j.len);
    dg_buf_free(&j);
    if (!root)
        return dg_error_set(err, DG_ENOMEM, NULL, "DAX: cannot parse the rendered response");
    res->root = root;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "Item");
    if (!it)
        it = cJSON_GetObjectItemCaseSensitive(root, "Attributes");
    res->item = cJSON_IsObject(it) ? it : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "Items");
    res->items = cJSON_IsArray(items) ? items : NULL;
    const cJSON *lk = cJSON_GetObjectItemCaseSensitive(root, "LastEvaluatedKey");
    res->last_key = cJSON_IsObject(lk) ? lk : NULL;
    const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(root, "Count");
    res->count =
        cJSON_IsNumber(cnt) ? cnt->valueint : (res->items ? cJSON_GetArraySize(res->items) : 0);
    return 0;
}

static int rv_to_dax(dg_ddb_return rv)
{
    switch (rv) {
    case DG_RV_ALL_OLD:
        return DG_DAX_RV_ALL_OLD;
    case DG_RV_ALL_NEW:
        return DG_DAX_RV_ALL_NEW;
    case DG_RV_UPDATED_OLD:
        return DG_DAX_RV_UPDATED_OLD;
    case DG_RV_UPDATED_NEW:
        return DG_DAX_RV_UPDATED_NEW;
    default:
        return DG_DAX_RV_UNSET;
    }
}

static int begin(dg_dax_client *c, dg_ddb_result *res, dg_arena **a, dg_error *err)
{
    res_reset(res);
    c->st.calls++;
    *a = dg_arena_new(0);
    return *a ? 0 : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
}

/* GetItem of an av key (used by dg_dax_get_item and after a failed condition). */
static int get_av(dg_dax_client *c, const char *table, const dg_dax_key_schema *ks,
                  const dg_dax_av *key, bool consistent, const char *projection,
                  const dg_dax_strmap *names, dg_arena *a, dg_ddb_result *res, dg_error *err)
{
    dg_dax_request rq;
    memset(&rq, 0, sizeof rq);
    rq.table = (dg_str){table, strlen(table)};
    rq.key_schema = ks;
    rq.key = key;
    rq.expr.projection = projection;
    rq.expr.names = names;
    rq.consistent_read = consistent ? DG_DAX_TRUE : DG_DAX_UNSET;
    dg_buf q = DG_BUF_INIT;
    dg_dax_exprs ex;
    memset(&ex, 0, sizeof ex);
    int rc = dg_dax_encode_get_item(&rq, a, &q, &ex, err);
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.table = rq.table;
    ctx.key_schema = ks;
    ctx.request_key = key;
    ctx.projection = projection ? &ex.proj : NULL;
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc)
        rc = call(c, DG_DAX_GET_ITEM, false, &q, &ctx, a, &r, &co, err);
    dg_buf_free(&q);
    res->attempts += co.attempts;
    if (!rc)
        rc = to_ddb_result(DG_DAX_GET_ITEM, &r, res, err);
    if (!rc)
        c->st.reads_dax++;
    return rc;
}

int dg_dax_get_item(dg_dax_client *c, const dg_ddb_get *req, dg_ddb_result *res, dg_error *err)
{
    dg_arena *a;
    int rc = begin(c, res, &a, err);
    if (rc)
        return rc;
    const dg_dax_key_schema *ks;
    dg_dax_av key;
    dg_dax_strmap *names;
    dg_dax_av *values;
    if (!req || !req->table || !req->key)
        rc = dg_error_set(err, DG_EINVAL, "key", "GetItem: table and key are required");
    if (!rc)
        rc = dg_dax_item_from_json_text(req->key, strlen(req->key), a, &key, err);
    if (!rc)
        rc = expr_maps(req->expr, a, &names, &values, err);
    if (!rc)
        rc = key_schema(c, req->table, &ks, err);
    if (!rc)
        rc = get_av(c, req->table, ks, &key, req->consistent, req->projection, names, a, res, err);
    dg_arena_destroy(a);
    return rc;
}

static int write_op(dg_dax_client *c, int64_t method, const dg_ddb_write *req, dg_ddb_result *res,
                    dg_error *err)
{
    dg_arena *a;
    int rc = begin(c, res, &a, err);
    if (rc)
        return rc;
    const char *op = method == DG_DAX_PUT_ITEM      ? "PutItem"
                     : method == DG_DAX_UPDATE_ITEM ? "UpdateItem"
                                                    : "DeleteItem";
    const dg_dax_key_schema *ks = NULL;
    dg_dax_av key;
    dg_dax_strmap *names = NULL;
    dg_dax_av *values = NULL;
    dg_dax_names an = {NULL, 0};
    uint64_t list_id = 0;
    bool put = method == DG_DAX_PUT_ITEM;
    const char *src = put ? (req ? req->item : NULL) : (req ? req->key : NULL);
    if (!req || !req->table || !src)
        rc = dg_error_set(err, DG_EINVAL, put ? "item" : "key", "%s: table and %s are required", op,
                          put ? "item" : "key");
    if (!rc && method == DG_DAX_UPDATE_ITEM && !req->update)
        rc = dg_error_set(err, DG_EINVAL, "update", "UpdateItem: update is required");
    if (!rc)
        rc = dg_dax_item_from_json_text(src, strlen(src), a, &key, err);
    if (!rc)
        rc = expr_maps(req->expr, a, &names, &values, err);
    if (!rc)
        rc = key_schema(c, req->table, &ks, err);
    if (!rc && put)
        rc = dg_dax_item_attr_names(&key, ks, a, &an, err);
    if (!rc && put)
        rc = attr_list_id(c, &an, &list_id, err);
    if (rc && err && !strcmp(err->type, DG_DAX_UNREACHABLE)) { /* before the write was sent */
        char m[DG_ERROR_MESSAGE_MAX];
        snprintf(m, sizeof m, "%s", err->message);
        dg_error_set(err, rc, NULL, "DAX unreachable; nothing written (%s)", m);
        snprintf(err->type, sizeof err->type, "%s", DG_DAX_UNREACHABLE);
    }
    dg_dax_request rq;
    memset(&rq, 0, sizeof rq);
    dg_buf q = DG_BUF_INIT;
    dg_dax_decode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc) {
        rq.table = (dg_str){req->table, strlen(req->table)};
        rq.key_schema = ks;
        rq.key = &key;
        rq.item = put ? &key : NULL;
        rq.attr_names = put ? &an : NULL;
        rq.attr_list_id = list_id;
        rq.expr.condition = req->condition;
        rq.expr.update = method == DG_DAX_UPDATE_ITEM ? req->update : NULL;
        rq.expr.names = names;
        rq.expr.values = values;
        rq.return_values = rv_to_dax(req->return_values);
        rc = put                            ? dg_dax_encode_put_item(&rq, a, &q, NULL, err)
             : method == DG_DAX_UPDATE_ITEM ? dg_dax_encode_update_item(&rq, a, &q, NULL, err)
                                            : dg_dax_encode_delete_item(&rq, a, &q, NULL, err);
    }
    if (!rc) {
        ctx.table = rq.table;
        ctx.key_schema = ks;
        ctx.request_key = &key;
        ctx.return_values = rq.return_values;
        rc = call(c, method, true, &q, &ctx, a, &r, &co, err);
    }
    dg_buf_free(&q);
    res->attempts = co.attempts;
    /* an attempt went unanswered and a later one got an answer: it may be
     * our own earlier write the condition now sees */
    res->ambiguous_retry = co.unanswered;
    if (!rc) {
        rc = to_ddb_result(method, &r, res, err);
        if (!rc)
            c->st.writes_dax++;
    } else if (rc == DG_ECONFLICT && req->return_old_on_condition_failure && ks) {
        /* no ReturnValuesOnConditionCheckFailure in DAX: read the item as it
         * is now, strongly consistent, through DAX (see dax.h) */
        dg_error saved = err ? *err : (dg_error){0};
        dg_ddb_result g;
        memset(&g, 0, sizeof g);
        dg_error ge;
        dg_error_clear(&ge);
        c->st.condition_reads++;
        if (get_av(c, req->table, ks, &key, true, NULL, NULL, a, &g, &ge) == 0) {
            res->root = g.root;
            res->item = g.item;
            res->attempts += g.attempts;
        } else {
            res_reset(&g);
        }
        if (err)
            *err = saved;
    }
    dg_arena_destroy(a);
    return rc;
}

int dg_dax_put_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_op(c, DG_DAX_PUT_ITEM, req, res, err);
}

int dg_dax_update_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_op(c, DG_DAX_UPDATE_ITEM, req, res, err);
}

int dg_dax_delete_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_op(c, DG_DAX_DELETE_ITEM, req, res, err);
}

static int query_op(dg_dax_client *c, int64_t method, const dg_ddb_query *req, dg_ddb_result *res,
                    dg_error *err)
{
    dg_arena *a;
    int rc = begin(c, res, &a, err);
    if (rc)
        return rc;
    bool query = method == DG_DAX_QUERY;
    const dg_dax_key_schema *ks = NULL;
    dg_dax_strmap *names = NULL;
    dg_dax_av *values = NULL, start;
    if (!req || !req->table || (query && !req->key_condition))
        rc = dg_error_set(err, DG_EINVAL, "key_condition", "%s: table%s required",
                          query ? "Query" : "Scan", query ? " and key_condition are" : " is");
    if (!rc)
        rc = expr_maps(req->expr, a, &names, &values, err);
    if (!rc && req->start_key)
        rc = dg_dax_item_from_json_text(req->start_key, strlen(req->start_key), a, &start, err);
    if (!rc)
        rc = key_schema(c, req->table, &ks, err);
    dg_dax_request rq;
    memset(&rq, 0, sizeof rq);
    dg_buf q = DG_BUF_INIT;
    dg_dax_exprs ex;
    memset(&ex, 0, sizeof ex);
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc) {
        rq.table = (dg_str){req->table, strlen(req->table)};
        rq.key_schema = ks;
        rq.expr.key_condition = query ? req->key_condition : NULL;
        rq.expr.filter = req->filter;
        rq.expr.projection = req->projection;
        rq.expr.names = names;
        rq.expr.values = values;
        rq.consistent_read = req->consistent ? DG_DAX_TRUE : DG_DAX_UNSET;
        rq.scan_index_forward = query ? (req->forward ? DG_DAX_TRUE : DG_DAX_FALSE) : DG_DAX_UNSET;
        rq.index_name = req->index;
        if (req->limit > 0) {
            rq.has_limit = true;
            rq.limit = (uint64_t)req->limit;
        }
        if (!query && req->total_segments > 0) {
            rq.has_segment = true;
            rq.segment = (uint64_t)req->segment;
            rq.total_segments = (uint64_t)req->total_segments;
        }
        rq.exclusive_start_key = req->start_key ? &start : NULL;
        rc = query ? dg_dax_encode_query(&rq, a, &q, &ex, err)
                   : dg_dax_encode_scan(&rq, a, &q, &ex, err);
    }
    if (!rc) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.table = rq.table;
        ctx.key_schema = ks;
        ctx.projection = req->projection ? &ex.proj : NULL;
        ctx.index_name = req->index != NULL;
        rc = call(c, method, false, &q, &ctx, a, &r, &co, err);
    }
    dg_buf_free(&q);
    res->attempts = co.attempts;
    if (!rc)
        rc = to_ddb_result(method, &r, res, err);
    if (!rc)
        c->st.reads_dax++;
    dg_arena_destroy(a);
    return rc;
}

int dg_dax_query_page(dg_dax_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err)
{
    return query_op(c, DG_DAX_QUERY, req, res, err);
}

int dg_dax_scan_page(dg_dax_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err)
{
    return query_op(c, DG_DAX_SCAN, req, res, err);
}

/* ---------------------------------------------------------------- batches */

#define BATCH_ROUNDS 5

/* Names of a table entry's ExpressionAttributeNames (or NULL). */
static int batch_names(const cJSON *o, dg_arena *a, dg_dax_strmap **out, dg_error *err)
{
    *out = NULL;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "ExpressionAttributeNames");
    if (!n)
        return 0;
    *out = dg_arena_calloc(a, 1, sizeof **out);
    if (!*out)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    return dg_dax_strmap_from_json(n, a, *out, err);
}

static void batch_backoff(dg_dax_client *c, int round)
{
    long cap = c->o.base_backoff_ms << (round < 10 ? round : 10);
    if (cap > c->o.max_backoff_ms)
        cap = c->o.max_backoff_ms;
    sleep_ms(cap > 0 ? (long)(rnd(c) % (uint32_t)(cap + 1)) : 0);
}

/* Append every array of src[table] to acc[table]. */
static void merge_tables(cJSON *acc, const cJSON *src)
{
    for (const cJSON *t = src ? src->child : NULL; t; t = t->next) {
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(acc, t->string);
        if (!dst) {
            dst = cJSON_CreateArray();
            cJSON_AddItemToObject(acc, t->string, dst);
        }
        for (const cJSON *it = t->child; it; it = it->next)
            cJSON_AddItemToArray(dst, cJSON_Duplicate(it, true));
    }
}

static bool has_entries(const cJSON *o)
{
    for (const cJSON *t = o ? o->child : NULL; t; t = t->next) {
        const cJSON *arr = cJSON_IsArray(t) ? t : cJSON_GetObjectItemCaseSensitive(t, "Keys");
        if (cJSON_GetArraySize(arr) > 0)
            return true;
    }
    return false;
}

/* One BatchGetItem round: req (RequestItems) -> responses merged into acc,
 * the unprocessed keys (with the table's options) into *left. */
static int batch_get_round(dg_dax_client *c, const cJSON *req, cJSON *acc, cJSON **left,
                           int *attempts, dg_error *err)
{
    *left = NULL;
    dg_arena *a = dg_arena_new(0);
    if (!a)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t nt = (size_t)cJSON_GetArraySize(req), ti = 0, total = 0;
    dg_dax_batch_get_table *tabs = dg_arena_calloc(a, nt ? nt : 1, sizeof *tabs);
    int rc = tabs ? 0 : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (const cJSON *t = req->child; !rc && t; t = t->next, ti++) {
        dg_dax_batch_get_table *bt = &tabs[ti];
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(t, "Keys");
        if (!t->string || !cJSON_IsArray(keys)) {
            rc =
                dg_error_set(err, DG_EINVAL, "RequestItems", "BatchGetItem: each table needs Keys");
            break;
        }
        bt->table = (dg_str){t->string, strlen(t->string)};
        if ((rc = key_schema(c, t->string, &bt->key_schema, err)))
            break;
        bt->consistent_read = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ConsistentRead"));
        const cJSON *pj = cJSON_GetObjectItemCaseSensitive(t, "ProjectionExpression");
        bt->projection = cJSON_IsString(pj) ? pj->valuestring : NULL;
        if ((rc = batch_names(t, a, (dg_dax_strmap **)&bt->names, err)))
            break;
        bt->key_count = (size_t)cJSON_GetArraySize(keys);
        total += bt->key_count;
        dg_dax_av *kv = dg_arena_calloc(a, bt->key_count ? bt->key_count : 1, sizeof *kv);
        if (!kv) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
            break;
        }
        size_t k = 0;
        for (const cJSON *key = keys->child; !rc && key; key = key->next)
            rc = dg_dax_item_from_json(key, a, &kv[k++], err);
        bt->keys = kv;
    }
    if (!rc && total > DG_DAX_MAX_BATCH_GET)
        rc = dg_error_set(err, DG_EINVAL, "RequestItems", "BatchGetItem: at most %d keys",
                          DG_DAX_MAX_BATCH_GET);
    dg_buf q = DG_BUF_INIT;
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc)
        rc = dg_dax_encode_batch_get_item(tabs, nt, DG_DAX_RCC_NONE, DG_DAX_NUM_EXACT, a, &q, err);
    if (!rc) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.batch_get = tabs;
        ctx.batch_get_count = nt;
        rc = call(c, DG_DAX_BATCH_GET_ITEM, false, &q, &ctx, a, &r, &co, err);
    }
    *attempts += co.attempts;
    dg_buf_free(&q);
    dg_ddb_result one;
    memset(&one, 0, sizeof one);
    if (!rc)
        rc = to_ddb_result(DG_DAX_BATCH_GET_ITEM, &r, &one, err);
    if (!rc) {
        merge_tables(acc, cJSON_GetObjectItemCaseSensitive(one.root, "Responses"));
        cJSON *un = cJSON_GetObjectItemCaseSensitive(one.root, "UnprocessedKeys");
        if (has_entries(un)) { /* carry the table's options over */
            for (cJSON *t = un->child; t; t = t->next) {
                const cJSON *orig = cJSON_GetObjectItemCaseSensitive(req, t->string);
                for (const cJSON *o = orig ? orig->child : NULL; o; o = o->next)
                    if (strcmp(o->string, "Keys") &&
                        !cJSON_GetObjectItemCaseSensitive(t, o->string))
                        cJSON_AddItemToObject(t, o->string, cJSON_Duplicate(o, true));
            }
            *left = cJSON_DetachItemFromObjectCaseSensitive(one.root, "UnprocessedKeys");
        }
        c->st.reads_dax++;
    }
    res_reset(&one);
    dg_arena_destroy(a);
    return rc;
}

int dg_dax_batch_get(dg_dax_client *c, const char *request_items, dg_ddb_result *res, dg_error *err)
{
    res_reset(res);
    c->st.calls++;
    cJSON *req = request_items ? cJSON_Parse(request_items) : NULL;
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "BatchGetItem: RequestItems must be a JSON object");
    }
    cJSON *root = cJSON_CreateObject(), *acc = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "Responses", acc);
    int rc = 0;
    for (int round = 0; round < BATCH_ROUNDS; round++) {
        if (round)
            batch_backoff(c, round);
        cJSON *left = NULL;
        rc = batch_get_round(c, req, acc, &left, &res->attempts, err);
        cJSON_Delete(req);
        req = left;
        if (rc || !req)
            break;
    }
    res->root = root;
    res->responses = acc;
    if (!rc && req) {
        cJSON_AddItemToObject(root, "UnprocessedKeys", req);
        res->unprocessed = req;
        req = NULL;
        rc = dg_error_set(err, DG_ETHROTTLED, NULL,
                          "BatchGetItem through DAX: keys left unprocessed after %d rounds",
                          BATCH_ROUNDS);
    }
    cJSON_Delete(req);
    return rc;
}

static int batch_write_round(dg_dax_client *c, const cJSON *req, cJSON **left, int *attempts,
                             dg_error *err)
{
    *left = NULL;
    dg_arena *a = dg_arena_new(0);
    if (!a)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t nt = (size_t)cJSON_GetArraySize(req), ti = 0, total = 0;
    dg_dax_batch_write_table *tabs = dg_arena_calloc(a, nt ? nt : 1, sizeof *tabs);
    int rc = tabs ? 0 : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (const cJSON *t = req->child; !rc && t; t = t->next, ti++) {
        dg_dax_batch_write_table *bt = &tabs[ti];
        if (!t->string || !cJSON_IsArray(t)) {
            rc = dg_error_set(err, DG_EINVAL, "RequestItems",
                              "BatchWriteItem: each table needs an array of requests");
            break;
        }
        bt->table = (dg_str){t->string, strlen(t->string)};
        if ((rc = key_schema(c, t->string, &bt->key_schema, err)))
            break;
        bt->count = (size_t)cJSON_GetArraySize(t);
        total += bt->count;
        dg_dax_write_request *wr = dg_arena_calloc(a, bt->count ? bt->count : 1, sizeof *wr);
        dg_dax_av *avs = dg_arena_calloc(a, bt->count ? bt->count : 1, sizeof *avs);
        if (!wr || !avs) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
            break;
        }
        size_t k = 0;
        for (const cJSON *it = t->child; !rc && it; it = it->next, k++) {
            const cJSON *put = cJSON_GetObjectItemCaseSensitive(it, "PutRequest");
            const cJSON *del = cJSON_GetObjectItemCaseSensitive(it, "DeleteRequest");
            const cJSON *src = put   ? cJSON_GetObjectItemCaseSensitive(put, "Item")
                               : del ? cJSON_GetObjectItemCaseSensitive(del, "Key")
                                     : NULL;
            if (!src) {
                rc = dg_error_set(
                    err, DG_EINVAL, "RequestItems",
                    "BatchWriteItem: a request needs PutRequest.Item or DeleteRequest.Key");
                break;
            }
            if ((rc = dg_dax_item_from_json(src, a, &avs[k], err)))
                break;
            if (put) {
                dg_dax_names an;
                wr[k].item = &avs[k];
                rc = dg_dax_item_attr_names(&avs[k], bt->key_schema, a, &an, err);
                if (!rc)
                    rc = attr_list_id(c, &an, &wr[k].attr_list_id, err);
            } else {
                wr[k].key = &avs[k];
            }
        }
        bt->requests = wr;
    }
    if (!rc && total > DG_DAX_MAX_BATCH_WRITE)
        rc = dg_error_set(err, DG_EINVAL, "RequestItems", "BatchWriteItem: at most %d requests",
                          DG_DAX_MAX_BATCH_WRITE);
    dg_buf q = DG_BUF_INIT;
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc)
        rc = dg_dax_encode_batch_write_item(tabs, nt, DG_DAX_RCC_NONE, DG_DAX_RICM_NONE,
                                            DG_DAX_NUM_EXACT, a, &q, err);
    if (!rc) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        rc = call(c, DG_DAX_BATCH_WRITE_ITEM, true, &q, &ctx, a, &r, &co, err);
    }
    *attempts += co.attempts;
    dg_buf_free(&q);
    dg_ddb_result one;
    memset(&one, 0, sizeof one);
    if (!rc)
        rc = to_ddb_result(DG_DAX_BATCH_WRITE_ITEM, &r, &one, err);
    if (!rc) {
        cJSON *un = cJSON_GetObjectItemCaseSensitive(one.root, "UnprocessedItems");
        if (has_entries(un))
            *left = cJSON_DetachItemFromObjectCaseSensitive(one.root, "UnprocessedItems");
        c->st.writes_dax++;
    }
    res_reset(&one);
    dg_arena_destroy(a);
    return rc;
}

int dg_dax_batch_write(dg_dax_client *c, const char *request_items, dg_ddb_result *res,
                       dg_error *err)
{
    res_reset(res);
    c->st.calls++;
    cJSON *req = request_items ? cJSON_Parse(request_items) : NULL;
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "BatchWriteItem: RequestItems must be a JSON object");
    }
    int rc = 0;
    for (int round = 0; round < BATCH_ROUNDS; round++) {
        if (round)
            batch_backoff(c, round);
        cJSON *left = NULL;
        rc = batch_write_round(c, req, &left, &res->attempts, err);
        cJSON_Delete(req);
        req = left;
        if (rc || !req)
            break;
    }
    res->root = cJSON_CreateObject();
    if (!rc && req) {
        cJSON_AddItemToObject(res->root, "UnprocessedItems", req);
        res->unprocessed = req;
        req = NULL;
        rc = dg_error_set(err, DG_ETHROTTLED, NULL,
                          "BatchWriteItem through DAX: items left unprocessed after %d rounds",
                          BATCH_ROUNDS);
    }
    cJSON_Delete(req);
    return rc;
}

/* ---------------------------------------------------------------- transactions */

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int dg_dax_transact_write_items(dg_dax_client *c, const char *transact_items, const char *token,
                                dg_ddb_result *res, dg_error *err)
{
    dg_arena *a;
    int rc = begin(c, res, &a, err);
    if (rc)
        return rc;
    cJSON *req = transact_items ? cJSON_Parse(transact_items) : NULL;
    size_t n = cJSON_IsArray(req) ? (size_t)cJSON_GetArraySize(req) : 0;
    if (!cJSON_IsArray(req) || n == 0 || n > DG_DAX_MAX_TRANSACT)
        rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                          "TransactWriteItems: TransactItems must be an array of 1 to %d items",
                          DG_DAX_MAX_TRANSACT);
    char tok[37];
    if (!rc && !token) {
        rc = dg_uuid_v4(tok, err);
        token = tok;
    }
    dg_dax_transact_write *tx = rc ? NULL : dg_arena_calloc(a, n, sizeof *tx);
    if (!rc && !tx)
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t i = 0;
    for (const cJSON *it = rc ? NULL : req->child; !rc && it; it = it->next, i++) {
        const cJSON *body = it->child;
        const char *kind = body ? body->string : NULL;
        dg_dax_transact_write *t = &tx[i];
        if (!kind || !cJSON_IsObject(body)) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "TransactWriteItems: item %zu is empty", i);
            break;
        }
        t->op = !strcmp(kind, "Put")              ? DG_DAX_TX_PUT
                : !strcmp(kind, "Update")         ? DG_DAX_TX_UPDATE
                : !strcmp(kind, "Delete")         ? DG_DAX_TX_DELETE
                : !strcmp(kind, "ConditionCheck") ? DG_DAX_TX_CONDITION_CHECK
                                                  : 0;
        const char *table = jstr(body, "TableName");
        const cJSON *src =
            cJSON_GetObjectItemCaseSensitive(body, t->op == DG_DAX_TX_PUT ? "Item" : "Key");
        if (!t->op || !table || !src) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "TransactWriteItems: item %zu needs Put/Update/Delete/ConditionCheck "
                              "with TableName and %s",
                              i, t->op == DG_DAX_TX_PUT ? "Item" : "Key");
            break;
        }
        t->table = (dg_str){table, strlen(table)};
        if ((rc = key_schema(c, table, &t->key_schema, err)))
            break;
        dg_dax_av *av = dg_arena_calloc(a, 1, sizeof *av);
        if (!av || (rc = dg_dax_item_from_json(src, a, av, err))) {
            if (!rc)
                rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
            break;
        }
        if (t->op == DG_DAX_TX_PUT) {
            dg_dax_names an;
            t->item = av;
            if ((rc = dg_dax_item_attr_names(av, t->key_schema, a, &an, err)) ||
                (rc = attr_list_id(c, &an, &t->attr_list_id, err)))
                break;
        } else {
            t->key = av;
        }
        t->condition = jstr(body, "ConditionExpression");
        t->update = jstr(body, "UpdateExpression");
        if ((rc = batch_names(body, a, (dg_dax_strmap **)&t->names, err)))
            break;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(body, "ExpressionAttributeValues");
        if (vals) {
            dg_dax_av *v = dg_arena_calloc(a, 1, sizeof *v);
            if (!v || (rc = dg_dax_item_from_json(vals, a, v, err))) {
                if (!rc)
                    rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
                break;
            }
            t->values = v;
        }
        const char *rv = jstr(body, "ReturnValuesOnConditionCheckFailure");
        t->return_values_on_ccf_all_old = rv && !strcmp(rv, "ALL_OLD");
    }
    dg_buf q = DG_BUF_INIT;
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc)
        rc = dg_dax_encode_transact_write_items(tx, n, token, DG_DAX_RCC_NONE, DG_DAX_RICM_NONE,
                                                DG_DAX_NUM_EXACT, a, &q, err);
    if (!rc) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.transact_write = tx;
        ctx.transact_write_count = n;
        /* the token makes a re-sent transaction idempotent (10 minutes) */
        rc = call(c, DG_DAX_TRANSACT_WRITE_ITEMS, true, &q, &ctx, a, &r, &co, err);
    }
    dg_buf_free(&q);
    res->attempts = co.attempts;
    res->ambiguous_retry = co.unanswered;
    if (!rc) {
        rc = to_ddb_result(DG_DAX_TRANSACT_WRITE_ITEMS, &r, res, err);
        if (!rc)
            c->st.writes_dax++;
    }
    cJSON_Delete(req);
    dg_arena_destroy(a);
    return rc;
}

int dg_dax_transact_get_items(dg_dax_client *c, const char *transact_items, dg_ddb_result *res,
                              dg_error *err)
{
    dg_arena *a;
    int rc = begin(c, res, &a, err);
    if (rc)
        return rc;
    cJSON *req = transact_items ? cJSON_Parse(transact_items) : NULL;
    size_t n = cJSON_IsArray(req) ? (size_t)cJSON_GetArraySize(req) : 0;
    if (!cJSON_IsArray(req) || n == 0 || n > DG_DAX_MAX_TRANSACT)
        rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                          "TransactGetItems: TransactItems must be an array of 1 to %d items",
                          DG_DAX_MAX_TRANSACT);
    dg_dax_transact_get *tg = rc ? NULL : dg_arena_calloc(a, n, sizeof *tg);
    if (!rc && !tg)
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t i = 0;
    for (const cJSON *it = rc ? NULL : req->child; !rc && it; it = it->next, i++) {
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, "Get");
        const char *table = jstr(body, "TableName");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(body, "Key");
        if (!table || !key) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "TransactGetItems: item %zu needs Get with TableName and Key", i);
            break;
        }
        tg[i].table = (dg_str){table, strlen(table)};
        if ((rc = key_schema(c, table, &tg[i].key_schema, err)))
            break;
        dg_dax_av *av = dg_arena_calloc(a, 1, sizeof *av);
        if (!av || (rc = dg_dax_item_from_json(key, a, av, err))) {
            if (!rc)
                rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
            break;
        }
        tg[i].key = av;
        tg[i].projection = jstr(body, "ProjectionExpression");
        rc = batch_names(body, a, (dg_dax_strmap **)&tg[i].names, err);
    }
    dg_buf q = DG_BUF_INIT;
    dg_dax_result r;
    call_out co = {0, false};
    if (!rc)
        rc = dg_dax_encode_transact_get_items(tg, n, DG_DAX_RCC_NONE, DG_DAX_NUM_EXACT, a, &q, err);
    if (!rc) {
        dg_dax_decode_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.transact_get = tg;
        ctx.transact_get_count = n;
        rc = call(c, DG_DAX_TRANSACT_GET_ITEMS, false, &q, &ctx, a, &r, &co, err);
    }
    dg_buf_free(&q);
    res->attempts = co.attempts;
    if (!rc) {
        rc = to_ddb_result(DG_DAX_TRANSACT_GET_ITEMS, &r, res, err);
        if (!rc) {
            const cJSON *rs = cJSON_GetObjectItemCaseSensitive(res->root, "Responses");
            res->responses = cJSON_IsArray(rs) ? rs : NULL;
            c->st.reads_dax++;
        }
    }
    cJSON_Delete(req);
    dg_arena_destroy(a);
    return rc;
}
