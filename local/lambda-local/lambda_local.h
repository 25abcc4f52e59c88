/* lambda-local — shared state of the supervisor, the HTTP front and the
 * Runtime API server (see main.c for what the program does). */
#ifndef LAMBDA_LOCAL_H
#define LAMBDA_LOCAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dynagen/buf.h"

#define LL_MAX_PAYLOAD ((size_t)6 * 1024 * 1024) /* Lambda's synchronous payload limit */

typedef enum ll_inv_state { INV_QUEUED, INV_RUNNING, INV_DONE } ll_inv_state;

typedef enum ll_outcome {
    OUT_NONE,
    OUT_RESPONSE,    /* /invocation/{id}/response: payload is the response */
    OUT_ERROR,       /* /invocation/{id}/error: payload is the error JSON */
    OUT_TIMEOUT,     /* the timeout passed: runtime killed */
    OUT_CRASH,       /* the runtime exited while running it */
    OUT_INIT_FAILED, /* the runtime failed to initialise */
    OUT_SHUTDOWN     /* lambda-local is stopping */
} ll_outcome;

typedef struct ll_invocation {
    char id[40]; /* Lambda request id */
    char *event; /* API Gateway v2 event JSON (heap) */
    size_t event_len;
    ll_inv_state state;
    ll_outcome outcome;
    char *payload; /* heap, NUL-terminated */
    size_t payload_len;
    char detail[256];    /* for crash / init failure messages */
    int64_t deadline_ms; /* epoch ms, set when handed to the runtime */
    uint64_t started_ns; /* monotonic, idem */
    pthread_cond_t done; /* signalled when state becomes INV_DONE */
    struct ll_invocation *next;
} ll_invocation;

typedef enum ll_runtime_state {
    RT_NONE,     /* no process */
    RT_STARTING, /* spawned, has not asked for work yet (init) */
    RT_IDLE,     /* waiting in /next */
    RT_BUSY      /* running an invocation, or between its response and the next /next */
} ll_runtime_state;

typedef struct ll_config {
    const char *host;          /* HTTP front address, default 127.0.0.1 */
    int port;                  /* default 8080 */
    int runtime_port;          /* 0 = any free port */
    long timeout_ms;           /* default 10000 */
    size_t max_body;           /* request bodies, default LL_MAX_PAYLOAD */
    const char *function_name; /* default "dynagen" */
    const char *memory_mb;     /* default "128" */
    const char *task_root;     /* default: the bootstrap's directory */
    const char *handler;       /* _HANDLER, default "bootstrap" */
    const char *region;        /* AWS_REGION, default from env or us-east-1 */
    bool inherit_env;          /* pass lambda-local's whole environment */
    bool quiet;                /* no per-request lines */
    char **child_argv;         /* bootstrap + args */
    const char **extra_env;    /* NAME=VALUE from --env */
    size_t extra_env_count;
    const char **pass_env; /* NAME from --pass-env */
    size_t pass_env_count;
} ll_config;

typedef struct ll_state {
    ll_config cfg;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* broadcast when the queue, the generation or shutting_down change */
    ll_invocation *head, *tail; /* queue */
    ll_invocation *current;     /* RUNNING */
    ll_runtime_state rt;
    unsigned generation; /* bumped whenever a runtime process ends */
    pid_t pid;
    uint64_t spawned_ns;
    bool init_failed; /* /runtime/init/error was posted */
    char init_error[512];
    bool shutting_down;
    int runtime_port; /* actual */
    char arn[256];
    struct ll_conn *conns; /* live front request contexts (freed at exit) */
} ll_state;

/* server.c */
struct MHD_Daemon;
struct MHD_Daemon *ll_start_front(ll_state *L, int listen_fd);
struct MHD_Daemon *ll_start_runtime_api(ll_state *L, int listen_fd);
void ll_free_conns(ll_state *L);
/* Mark inv done with this outcome and wake its front thread. Lock held. */
void ll_finish(ll_invocation *inv, ll_outcome outcome);

/* main.c */
void ll_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t ll_now_ms(void);
uint64_t ll_mono_ns(void);

#endif
