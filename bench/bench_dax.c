/* bench-dax, the C side: GetItem cache hits through dynagen's DAX client
 * (runtime/dax, dg_dax_get_item) against dax-local, and the loopback TCP
 * echo round trip that is the floor (bench/dax.sh drives it all).
 *
 *   bench_dax get ENDPOINT TABLE KEY_JSON N WARMUP
 *       one GetItem (the first call of this process: discovery, connect,
 *       authorizeConnection, and a cache miss if nobody read the item yet),
 *       WARMUP GetItems, then N sequential GetItems of the same key, timed.
 *   bench_dax sizes ENDPOINT TABLE KEY_JSON
 *       the same GetItem through a byte-counting loopback relay of this
 *       process (the client uses the relay as its only, static node): prints
 *       "sizes REQ RESP", the bytes of one steady-state GetItem request and
 *       of its response on the wire.
 *   bench_dax echo-server REQ RESP
 *       listens on a free loopback port, prints "port P" and then, per
 *       connection (one at a time): reads REQ bytes, writes RESP bytes, again.
 *   bench_dax echo PORT REQ RESP N WARMUP
 *       one connection, WARMUP + N sequential round trips (REQ out, RESP back).
 *
 * Sockets on both sides have TCP_NODELAY, as dynagen's client and dax-local.
 * Every measuring mode prints
 *   first <us>                                   (get only: the first call)
 *   result <name> <n> <p50_us> <p99_us> <req_per_s> <mean_us>
 * (the same protocol as bench/bench_dax_node.js). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "dynagen/aws.h"
#include "dynagen/dax.h"
#include "dynagen/ddb.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* lat[n] per-request latencies, wall the whole loop's time, both us */
static void report(const char *name, double *lat, long n, double wall)
{
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += lat[i];
    qsort(lat, (size_t)n, sizeof *lat, cmp_d);
    long i50 = (long)ceil(0.50 * (double)n) - 1, i99 = (long)ceil(0.99 * (double)n) - 1;
    printf("result %s %ld %.1f %.1f %.0f %.1f\n", name, n, lat[i50 < 0 ? 0 : i50],
           lat[i99 < 0 ? 0 : i99], (double)n / (wall / 1e6), sum / (double)n);
    fflush(stdout);
}

static long arg_long(const char *s, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0) {
        fprintf(stderr, "bench_dax: bad %s: %s\n", what, s);
        exit(2);
    }
    return v;
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int listen_loopback(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) || listen(fd, 16) ||
        getsockname(fd, (struct sockaddr *)&sin, &len)) {
        close(fd);
        return -1;
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

static int connect_loopback(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin)) {
        close(fd);
        return -1;
    }
    nodelay(fd);
    return fd;
}

static int read_full(int fd, char *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = recv(fd, buf, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        buf += got;
        n -= (size_t)got;
    }
    return 0;
}

static int write_full(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t put = send(fd, buf, n, MSG_NOSIGNAL);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        buf += put;
        n -= (size_t)put;
    }
    return 0;
}

/* ---------------------------------------------------------------- DAX GetItem */

static dg_dax_client *new_client(const char *endpoint, bool static_nodes, dg_aws_config *cfg)
{
    dg_error err;
    if (dg_aws_config_from_env(cfg, NULL, NULL, &err)) {
        fprintf(stderr, "bench_dax: config: %s\n", err.message);
        exit(1);
    }
    dg_dax_options o = {0};
    o.static_nodes = static_nodes;
    dg_dax_client *c = NULL;
    if (dg_dax_client_new(endpoint, cfg, &o, &c, &err)) {
        fprintf(stderr, "bench_dax: dax client: %s\n", err.message);
        exit(1);
    }
    return c;
}

static void get_once(dg_dax_client *c, const dg_ddb_get *g, dg_ddb_result *r)
{
    dg_error err;
    if (dg_dax_get_item(c, g, r, &err)) {
        fprintf(stderr, "bench_dax: GetItem: %s\n", err.message);
        exit(1);
    }
    if (!r->item) {
        fprintf(stderr, "bench_dax: GetItem: the item is not there\n");
        exit(1);
    }
}

static int mode_get(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_dax get ENDPOINT TABLE KEY_JSON N WARMUP\n");
        return 2;
    }
    long n = arg_long(argv[5], "N"), warm = arg_long(argv[6], "WARMUP");
    if (n < 1)
        n = 1;
    dg_aws_config cfg = {0};
    dg_dax_client *c = new_client(argv[2], false, &cfg);
    dg_ddb_get g = {.table = argv[3], .key = argv[4]};
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    double t = now_us();
    get_once(c, &g, &r);
    printf("first %.1f\n", now_us() - t);
    for (long i = 0; i < warm; i++)
        get_once(c, &g, &r);
    double *lat = malloc((size_t)n * sizeof *lat);
    if (!lat)
        return 1;
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        double a = now_us();
        get_once(c, &g, &r);
        lat[i] = now_us() - a;
    }
    double wall = now_us() - t0;
    report("dynagen", lat, n, wall);
    const dg_dax_stats *s = dg_dax_client_stats(c);
    printf("client calls=%llu attempts=%llu retries=%llu connects=%llu auths=%llu refreshes=%llu\n",
           (unsigned long long)s->calls, (unsigned long long)s->attempts,
           (unsigned long long)s->retries, (unsigned long long)s->connects,
           (unsigned long long)s->auths, (unsigned long long)s->refreshes);
    free(lat);
    dg_ddb_result_clean_up(&r);
    dg_dax_client_destroy(c);
    dg_aws_config_clean_up(&cfg);
    return 0;
}

/* ---------------------------------------------------------------- sizes: a counting relay */

typedef struct relay {
    int lfd;
    uint16_t upstream;
    /* the exchange in progress and the last complete one (requests and
     * responses alternate: the client sends one request at a time) */
    atomic_long cur_req, cur_resp, last_req, last_resp;
} relay;

static void *relay_main(void *arg)
{
    relay *r = arg;
    char buf[65536];
    for (;;) {
        int a = accept(r->lfd, NULL, NULL);
        if (a < 0)
            return NULL;
        nodelay(a);
        int b = connect_loopback(r->upstream);
        if (b < 0) {
            close(a);
            continue;
        }
        for (;;) {
            struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
            if (poll(p, 2, -1) < 0)
                break;
            bool dead = false;
            for (int side = 0; side < 2 && !dead; side++) {
                if (!(p[side].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                int from = side ? b : a, to = side ? a : b;
                ssize_t got = recv(from, buf, sizeof buf, 0);
                if (got <= 0) {
                    dead = true;
                    break;
                }
                if (side == 0) { /* client -> server: a new request starts after a response */
                    if (atomic_load(&r->cur_resp) > 0) {
                        atomic_store(&r->cur_req, 0);
                        atomic_store(&r->cur_resp, 0);
                    }
                    atomic_fetch_add(&r->cur_req, got);
                } else {
                    atomic_fetch_add(&r->cur_resp, got);
                    atomic_store(&r->last_req, atomic_load(&r->cur_req));
                    atomic_store(&r->last_resp, atomic_load(&r->cur_resp));
                }
                if (write_full(to, buf, (size_t)got))
                    dead = true;
            }
            if (dead)
                break;
        }
        close(a);
        close(b);
    }
}

static int mode_sizes(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_dax sizes ENDPOINT TABLE KEY_JSON\n");
        return 2;
    }
    dg_dax_url u;
    dg_error err;
    if (dg_dax_url_parse(argv[2], strlen(argv[2]), &u, &err)) {
        fprintf(stderr, "bench_dax: endpoint: %s\n", err.message);
        return 2;
    }
    static relay r;
    uint16_t port;
    r.upstream = u.port;
    r.lfd = listen_loopback(&port);
    if (r.lfd < 0) {
        perror("bench_dax: relay");
        return 1;
    }
    pthread_t th;
    pthread_create(&th, NULL, relay_main, &r);
    pthread_detach(th);
    char ep[64];
    snprintf(ep, sizeof ep, "dax://127.0.0.1:%u", port);
    dg_aws_config cfg = {0};
    dg_dax_client *c = new_client(ep, true, &cfg);
    dg_ddb_get g = {.table = argv[3], .key = argv[4]};
    dg_ddb_result r1;
    dg_ddb_result_init(&r1);
    for (int i = 0; i < 5; i++)
        get_once(c, &g, &r1);
    char *item = cJSON_PrintUnformatted(r1.item);
    printf("sizes %ld %ld\n", atomic_load(&r.last_req), atomic_load(&r.last_resp));
    printf("item_json_bytes %zu\n", item ? strlen(item) : 0);
    free(item);
    dg_ddb_result_clean_up(&r1);
    dg_dax_client_destroy(c);
    dg_aws_config_clean_up(&cfg);
    return 0;
}

/* ---------------------------------------------------------------- echo */

static int mode_echo_server(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_dax echo-server REQ RESP\n");
        return 2;
    }
    long req = arg_long(argv[2], "REQ"), resp = arg_long(argv[3], "RESP");
    char *in = malloc((size_t)req + 1), *out = calloc(1, (size_t)resp + 1);
    if (!in || !out)
        return 1;
    memset(out, 'x', (size_t)resp);
    uint16_t port;
    int lfd = listen_loopback(&port);
    if (lfd < 0) {
        perror("bench_dax: echo-server");
        return 1;
    }
    printf("port %u\n", port);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        nodelay(fd);
        while (read_full(fd, in, (size_t)req) == 0 && write_full(fd, out, (size_t)resp) == 0) {
        }
        close(fd);
    }
}

static int mode_echo(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_dax echo PORT REQ RESP N WARMUP\n");
        return 2;
    }
    long port = arg_long(argv[2], "PORT"), req = arg_long(argv[3], "REQ"),
         resp = arg_long(argv[4], "RESP"), n = arg_long(argv[5], "N"),
         warm = arg_long(argv[6], "WARMUP");
    if (n < 1)
        n = 1;
    char *out = malloc((size_t)req + 1), *in = malloc((size_t)resp + 1);
    double *lat = malloc((size_t)n * sizeof *lat);
    if (!out || !in || !lat)
        return 1;
    memset(out, 'q', (size_t)req);
    int fd = connect_loopback((uint16_t)port);
    if (fd < 0) {
        perror("bench_dax: echo connect");
        return 1;
    }
    for (long i = 0; i < warm; i++)
        if (write_full(fd, out, (size_t)req) || read_full(fd, in, (size_t)resp)) {
            fprintf(stderr, "bench_dax: echo: connection lost\n");
            return 1;
        }
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        double a = now_us();
        if (write_full(fd, out, (size_t)req) || read_full(fd, in, (size_t)resp)) {
            fprintf(stderr, "bench_dax: echo: connection lost\n");
            return 1;
        }
        lat[i] = now_us() - a;
    }
    double wall = now_us() - t0;
    report("echo", lat, n, wall);
    close(fd);
    free(out);
    free(in);
    free(lat);
    return 0;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "get"))
        return mode_get(argc, argv);
    if (!strcmp(m, "sizes"))
        return mode_sizes(argc, argv);
    if (!strcmp(m, "echo-server"))
        return mode_echo_server(argc, argv);
    if (!strcmp(m, "echo"))
        return mode_echo(argc, argv);
    fprintf(stderr, "usage: bench_dax get|sizes|echo-server|echo ... (see bench/bench_dax.c)\n");
    return 2;
}
