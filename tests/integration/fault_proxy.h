/* A tiny fault-injecting HTTP/1.1 proxy for integration tests: it sits on a
 * loopback port between the client and DynamoDB Local, forwards requests
 * (Content-Length framed, keep-alive) and injects faults: one kind into the
 * next `count` requests (fp_set_fault), or, when no counted fault is pending,
 * each kind at a set rate drawn from a seeded PRNG (fp_set_fault_rate). One
 * thread, one client connection at a time. */
#ifndef FAULT_PROXY_H
#define FAULT_PROXY_H

#include <pthread.h>
#include <stdbool.h>

typedef enum fp_fault {
    FP_NONE = 0,
    FP_DROP_RESPONSE, /* forward the request, then close the connection without answering */
    FP_RESET_BEFORE,  /* close the connection without forwarding (the request is lost) */
    FP_THROTTLE,      /* answer 400 ThrottlingException, do not forward */
    FP_SERVER_ERROR,  /* answer 500 InternalServerError, do not forward */
    FP_BAD_CRC        /* forward, answer with the real body and a wrong x-amz-crc32 */
} fp_fault;

typedef struct fault_proxy {
    int listen_fd;
    int port;          /* where clients connect */
    int upstream_port; /* DynamoDB Local */
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    fp_fault fault;
    int fault_count; /* requests still to be faulted */
    int forwarded;   /* requests that reached the upstream */
    int faulted;     /* faults injected */
    /* Random-rate mode (fp_set_fault_rate); appended, so existing users are unaffected. */
    int rate_permille[FP_BAD_CRC + 1]; /* per kind, per thousand requests; sum <= 1000 */
    unsigned long long rng;            /* xorshift64* state */
    int seen;                          /* requests read from clients */
    int faulted_kind[FP_BAD_CRC + 1];  /* faults injected, per kind (both modes) */
} fault_proxy;

/* Start on a free loopback port; 0 or -1. */
int fp_start(fault_proxy *p, int upstream_port);
void fp_set_fault(fault_proxy *p, fp_fault f, int count);
/* Random-rate mode: each request that no counted fault claims gets a fault
 * with these probabilities, in percent (sum <= 100; all 0 turns it off), drawn
 * from a PRNG seeded with seed (the same seed and request sequence give the
 * same faults). Counted faults (fp_set_fault) still take precedence. */
int fp_set_fault_rate(fault_proxy *p, unsigned long long seed, int throttle_pct,
                      int server_error_pct, int reset_before_pct, int drop_response_pct);
/* Faults of one kind injected so far (both modes). */
int fp_faulted_kind(fault_proxy *p, fp_fault f);
/* Requests read from clients (faulted or forwarded). */
int fp_seen(fault_proxy *p);
int fp_forwarded(fault_proxy *p);
int fp_faulted(fault_proxy *p);
void fp_stop(fault_proxy *p);

#endif
