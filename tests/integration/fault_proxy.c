/* Fault-injecting HTTP proxy for integration tests: see fault_proxy.h. */
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define FP_MAX_MSG (20 * 1024 * 1024)

typedef struct fp_msg {
    char *data;
    size_t len, cap;
    size_t head_len; /* header bytes including the blank line */
    size_t body_len;
} fp_msg;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one Content-Length framed HTTP message. 0, or -1 on EOF/error. */
static int read_msg(int fd, fp_msg *m)
{
    m->len = 0;
    m->head_len = 0;
    for (;;) {
        if (m->head_len == 0) {
            char *end = NULL;
            if (m->len >= 4) {
                for (size_t i = 0; i + 3 < m->len; i++)
                    if (memcmp(m->data + i, "\r\n\r\n", 4) == 0) {
                        end = m->data + i + 4;
                        break;
                    }
            }
            if (end != NULL) {
                m->head_len = (size_t)(end - m->data);
                m->body_len = 0;
                for (char *l = m->data; l < end;) {
                    char *nl = memchr(l, '\n', (size_t)(end - l));
                    if (nl == NULL)
                        break;
                    if ((size_t)(nl - l) > 15 && strncasecmp(l, "Content-Length:", 15) == 0)
                        m->body_len = strtoul(l + 15, NULL, 10);
                    l = nl + 1;
                }
            }
        }
        if (m->head_len != 0 && m->len >= m->head_len + m->body_len)
            return 0;
        if (m->len == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 65536;
            if (cap > FP_MAX_MSG)
                return -1;
            char *d = realloc(m->data, cap);
            if (d == NULL)
                return -1;
            m->data = d;
            m->cap = cap;
        }
        ssize_t r = recv(fd, m->data + m->len, m->cap - m->len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        m->len += (size_t)r;
    }
}

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int reply(int fd, int status, const char *reason, const char *body, const char *crc)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/x-amz-json-1.0\r\n"
                     "Content-Length: %zu\r\n%s%s%s\r\n",
                     status, reason, strlen(body), crc ? "x-amz-crc32: " : "", crc ? crc : "",
                     crc ? "\r\n" : "");
    if (write_all(fd, head, (size_t)n) != 0)
        return -1;
    return write_all(fd, body, strlen(body));
}

/* xorshift64*: small, seedable, good enough to spread faults. */
static unsigned long long next_rand(fault_proxy *p)
{
    unsigned long long x = p->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    p->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static fp_fault take_fault(fault_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    fp_fault f = FP_NONE;
    p->seen++;
    if (p->fault_count > 0) {
        p->fault_count--;
        f = p->fault;
    } else {
        int total = 0;
        for (int k = 0; k <= FP_BAD_CRC; k++)
            total += p->rate_permille[k];
        if (total > 0) {
            int r = (int)((next_rand(p) >> 11) % 1000u);
            for (int k = 0; k <= FP_BAD_CRC; k++) {
                if (r < p->rate_permille[k]) {
                    f = (fp_fault)k;
                    break;
                }
                r -= p->rate_permille[k];
            }
        }
    }
    if (f != FP_NONE) {
        p->faulted++;
        p->faulted_kind[f]++;
    }
    pthread_mutex_unlock(&p->mu);
    return f;
}

static void count_forward(fault_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    p->forwarded++;
    pthread_mutex_unlock(&p->mu);
}

/* Serve one client connection until it closes or a fault closes it. */
static void serve(fault_proxy *p, int cfd)
{
    fp_msg req = {0}, resp = {0};
    int ufd = -1;
    while (read_msg(cfd, &req) == 0) {
        fp_fault f = take_fault(p);
        if (f == FP_RESET_BEFORE)
            break;
        if (f == FP_THROTTLE) {
            if (reply(cfd, 400, "Bad Request",
                      "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
                      "\"message\":\"Rate of requests exceeds the allowed throughput.\"}",
                      NULL) != 0)
                break;
            continue;
        }
        if (f == FP_SERVER_ERROR) {
            if (reply(cfd, 500, "Internal Server Error",
                      "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
                      "\"message\":\"Internal server error\"}",
                      NULL) != 0)
                break;
            continue;
        }
        if (ufd < 0 && (ufd = connect_port(p->upstream_port)) < 0)
            break;
        if (write_all(ufd, req.data, req.head_len + req.body_len) != 0 || read_msg(ufd, &resp) != 0)
            break;
        count_forward(p);
        if (f == FP_DROP_RESPONSE)
            break;
        if (f == FP_BAD_CRC) {
            /* The real body, a checksum that cannot match it. */
            char body[4096];
            size_t n = resp.body_len < sizeof body - 1 ? resp.body_len : sizeof body - 1;
            memcpy(body, resp.data + resp.head_len, n);
            body[n] = '\0';
            if (reply(cfd, 200, "OK", body, "1") != 0)
                break;
            continue;
        }
        if (write_all(cfd, resp.data, resp.head_len + resp.body_len) != 0)
            break;
    }
    if (ufd >= 0)
        close(ufd);
    free(req.data);
    free(resp.data);
}

static void *run(void *arg)
{
    fault_proxy *p = arg;
    for (;;) {
        int cfd = accept(p->listen_fd, NULL, NULL);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL; /* listen socket shut down */
        }
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(p, cfd);
        close(cfd);
    }
}

int fp_start(fault_proxy *p, int upstream_port)
{
    memset(p, 0, sizeof *p);
    p->upstream_port = upstream_port;
    pthread_mutex_init(&p->mu, NULL);
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->listen_fd < 0)
        return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->listen_fd, 8) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &al) != 0) {
        close(p->listen_fd);
        return -1;
    }
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        close(p->listen_fd);
        return -1;
    }
    p->running = true;
    return 0;
}

void fp_set_fault(fault_proxy *p, fp_fault f, int count)
{
    pthread_mutex_lock(&p->mu);
    p->fault = f;
    p->fault_count = count;
    pthread_mutex_unlock(&p->mu);
}

int fp_set_fault_rate(fault_proxy *p, unsigned long long seed, int throttle_pct,
                      int server_error_pct, int reset_before_pct, int drop_response_pct)
{
    if (throttle_pct < 0 || server_error_pct < 0 || reset_before_pct < 0 || drop_response_pct < 0 ||
        throttle_pct + server_error_pct + reset_before_pct + drop_response_pct > 100)
        return -1;
    pthread_mutex_lock(&p->mu);
    memset(p->rate_permille, 0, sizeof p->rate_permille);
    p->rate_permille[FP_THROTTLE] = throttle_pct * 10;
    p->rate_permille[FP_SERVER_ERROR] = server_error_pct * 10;
    p->rate_permille[FP_RESET_BEFORE] = reset_before_pct * 10;
    p->rate_permille[FP_DROP_RESPONSE] = drop_response_pct * 10;
    p->rng = seed ? seed : 0x9E3779B97F4A7C15ULL; /* xorshift state must not be 0 */
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int fp_faulted_kind(fault_proxy *p, fp_fault f)
{
    if ((int)f < 0 || f > FP_BAD_CRC)
        return 0;
    pthread_mutex_lock(&p->mu);
    int n = p->faulted_kind[f];
    pthread_mutex_unlock(&p->mu);
    return n;
}

int fp_seen(fault_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->seen;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int fp_forwarded(fault_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->forwarded;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int fp_faulted(fault_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->faulted;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* The caller must have closed its client connection first (destroy the
 * client), else the thread is still serving it. */
void fp_stop(fault_proxy *p)
{
    if (!p->running)
        return;
    shutdown(p->listen_fd, SHUT_RDWR);
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    pthread_mutex_destroy(&p->mu);
    p->running = false;
}
