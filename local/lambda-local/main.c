/* lambda-local — AWS Lambda + API Gateway (HTTP API) on a laptop.
 *
 * Starts a real `bootstrap` process, serves it the Lambda Runtime API on a
 * loopback port, and serves HTTP on localhost: each request becomes an API
 * Gateway payload 2.0 event handed to the runtime, and its response goes
 * back to the client. One invocation at a time (others queue); the timeout
 * is enforced (runtime killed, 504, restarted); a runtime that dies gets its
 * in-flight request answered 502 and is restarted; an invocation error is a
 * 502. Everything it does is printed to stderr, prefixed "lambda-local:".
 * With --on-demand the runtime is started only when a request finds none
 * (the first, and the next after one died or timed out), as Lambda starts an
 * execution environment when an invoke finds none warm.
 *
 * Usage: lambda-local [options] [--] BOOTSTRAP [ARGS...]   (see usage()) */
#define _GNU_SOURCE
#include "lambda_local.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

extern char **environ;

/* Exit codes */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PORT_IN_USE = 3 };

static volatile sig_atomic_t g_stop;

/* --on-demand / LAMBDA_LOCAL_ON_DEMAND=1: start the runtime when a request
 * finds none, not at launch nor straight after it ends. */
static bool g_on_demand;

/* AWS gives a function's init 10 s whatever its timeout: so does lambda-local. */
static long init_timeout_ms(const ll_state *L)
{
    return L->cfg.timeout_ms > 10000 ? L->cfg.timeout_ms : 10000;
}

static void on_signal(int sig)
{
    g_stop = sig;
}

void ll_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "lambda-local: %s\n", line);
}

int64_t ll_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ll_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fputs("usage: lambda-local [options] [--] BOOTSTRAP [ARGS...]\n"
          "\n"
          "Runs BOOTSTRAP (or $LAMBDA_LOCAL_BOOTSTRAP) as an AWS Lambda custom runtime\n"
          "and serves it behind an API Gateway HTTP API (payload format 2.0) on localhost.\n"
          "\n"
          "options (environment variable in brackets):\n"
          "  --port N           HTTP port (default 8080) [LAMBDA_LOCAL_PORT]; 0 = any free port\n"
          "  --host ADDR        HTTP address (default 127.0.0.1) [LAMBDA_LOCAL_HOST]\n"
          "  --runtime-port N   Runtime API port on 127.0.0.1 (default 0: any free port)\n"
          "  --timeout SEC      function timeout, decimals allowed (default 10) "
          "[LAMBDA_LOCAL_TIMEOUT]\n"
          "  --max-body BYTES   largest request body (default 6291456)\n"
          "  --function-name N  AWS_LAMBDA_FUNCTION_NAME (default dynagen)\n"
          "  --memory MB        AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128)\n"
          "  --task-root DIR    LAMBDA_TASK_ROOT and working directory (default: BOOTSTRAP's dir)\n"
          "  --handler NAME     _HANDLER (default bootstrap)\n"
          "  --env NAME=VALUE   set a variable for the function (repeatable)\n"
          "  --pass-env NAME    pass lambda-local's NAME to the function (repeatable)\n"
          "  --inherit-env      pass lambda-local's whole environment to the function\n"
          "  --quiet            no line per request\n"
          "  --on-demand        start the runtime when a request arrives and none is running\n"
          "                     (the first request, and the next after it died or timed out),\n"
          "                     not at launch; requests wait meanwhile [LAMBDA_LOCAL_ON_DEMAND=1]\n"
          "\n"
          "The function's environment is what Lambda sets: AWS_LAMBDA_RUNTIME_API,\n"
          "AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION\n"
          "($LATEST), AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME/_STREAM_NAME,\n"
          "LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR, _HANDLER, AWS_REGION and AWS_DEFAULT_REGION\n"
          "(from lambda-local's environment, else us-east-1), TZ=:UTC, LANG, PATH; plus, when\n"
          "set in lambda-local's environment, the function's configuration: TABLE_NAME,\n"
          "DAX_ENDPOINT, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ACCESS_KEY_ID,\n"
          "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, every DYNAGEN_* variable, and the\n"
          "sanitizer options ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS; then --pass-env and\n"
          "--env (or everything, with --inherit-env). LD_LIBRARY_PATH is not set.\n"
          "\n"
          "exit status: 0 after SIGINT/SIGTERM, 1 on a failure, 2 on a usage error,\n"
          "3 when a port is already in use.\n",
          f);
}

/* ------------------------------------------------------------------ sockets */

/* Bind and listen on host:port (port 0: any). Prints a clear error and
 * returns -1 (in *in_use whether the port was taken). */
static int listen_on(const char *host, int port, const char *what, int *actual, bool *in_use)
{
    *in_use = false;
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int gai = getaddrinfo(host, ps, &hints, &res);
    if (gai != 0) {
        ll_log("error: %s address %s: %s", what, host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (err == EADDRINUSE) {
            *in_use = true;
            ll_log("error: %s port %d on %s is already in use (choose another with %s)", what, port,
                   host,
                   strcmp(what, "HTTP") == 0 ? "--port or LAMBDA_LOCAL_PORT" : "--runtime-port");
        } else {
            ll_log("error: cannot listen on %s:%d for %s: %s", host, port, what, strerror(err));
        }
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    *actual = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            *actual = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            *actual = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

/* ------------------------------------------------------------------ the child */

typedef struct env_list {
    char **v;
    size_t n, cap;
} env_list;

static int env_set(env_list *e, const char *name, const char *value)
{
    size_t nl = strlen(name);
    char *kv = malloc(nl + 1 + strlen(value) + 1);
    if (kv == NULL)
        return -1;
    sprintf(kv, "%s=%s", name, value);
    for (size_t i = 0; i < e->n; i++) {
        if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=') {
            free(e->v[i]);
            e->v[i] = kv;
            return 0;
        }
    }
    if (e->n + 2 > e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 64;
        char **nv = realloc(e->v, nc * sizeof *nv);
        if (nv == NULL) {
            free(kv);
            return -1;
        }
        e->v = nv;
        e->cap = nc;
    }
    e->v[e->n++] = kv;
    e->v[e->n] = NULL;
    return 0;
}

static int env_set_kv(env_list *e, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv)
        return -1;
    char name[256];
    size_t nl = (size_t)(eq - kv);
    if (nl >= sizeof name)
        return -1;
    memcpy(name, kv, nl);
    name[nl] = '\0';
    return env_set(e, name, eq + 1);
}

static void env_free(env_list *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
}

static int build_env(const ll_state *L, env_list *e)
{
    const ll_config *cf = &L->cfg;
    int rc = 0;
    if (cf->inherit_env) {
        for (char **p = environ; *p != NULL; p++)
            rc |= env_set_kv(e, *p);
    } else {
        static const char *const pass[] = {"TABLE_NAME",        "DAX_ENDPOINT",
                                           "AWS_ENDPOINT_URL",  "AWS_ENDPOINT_URL_DYNAMODB",
                                           "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN", "ASAN_OPTIONS",
                                           "UBSAN_OPTIONS",     "LSAN_OPTIONS"};
        for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++) {
            const char *v = getenv(pass[i]);
            if (v != NULL)
                rc |= env_set(e, pass[i], v);
        }
        for (char **p = environ; *p != NULL; p++)
            if (strncmp(*p, "DYNAGEN_", 8) == 0)
                rc |= env_set_kv(e, *p);
        rc |= env_set(e, "PATH", "/usr/local/bin:/usr/bin:/bin");
        rc |= env_set(e, "LANG", "en_US.UTF-8");
    }
    for (size_t i = 0; i < cf->pass_env_count; i++) {
        const char *v = getenv(cf->pass_env[i]);
        if (v != NULL)
            rc |= env_set(e, cf->pass_env[i], v);
    }
    char api[64], mem[32];
    snprintf(api, sizeof api, "127.0.0.1:%d", L->runtime_port);
    snprintf(mem, sizeof mem, "%s", cf->memory_mb);
    char group[300];
    snprintf(group, sizeof group, "/aws/lambda/%s", cf->function_name);
    rc |= env_set(e, "AWS_LAMBDA_RUNTIME_API", api);
    rc |= env_set(e, "AWS_LAMBDA_FUNCTION_NAME", cf->function_name);
    rc |= env_set(e, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", mem);
    rc |= env_set(e, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    rc |= env_set(e, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    rc |= env_set(e, "AWS_LAMBDA_LOG_GROUP_NAME", group);
    rc |= env_set(e, "AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]lambda-local");
    rc |= env_set(e, "LAMBDA_TASK_ROOT", cf->task_root);
    rc |= env_set(e, "LAMBDA_RUNTIME_DIR", cf->task_root);
    rc |= env_set(e, "_HANDLER", cf->handler);
    rc |= env_set(e, "AWS_REGION", cf->region);
    const char *dr = getenv("AWS_DEFAULT_REGION");
    rc |= env_set(e, "AWS_DEFAULT_REGION", dr != NULL && !cf->inherit_env ? dr : cf->region);
    rc |= env_set(e, "TZ", ":UTC");
    for (size_t i = 0; i < cf->extra_env_count; i++)
        rc |= env_set_kv(e, cf->extra_env[i]);
    return rc;
}

/* fork + exec the bootstrap in its own process group, killed with us. */
/* What the child of spawn_runtime needs; it shares our memory until it execs. */
typedef struct {
    pid_t parent;
    const char *dir;
    char *const *argv;
    char *const *envp;
} spawn_args;

/* The child, on its own stack, sharing lambda-local's memory (CLONE_VM) while
 * lambda-local waits (CLONE_VFORK): only async-signal-safe calls until exec,
 * every signal blocked until its handler is back to the default (a handler of
 * ours run here would write lambda-local's memory). */
static int spawn_child(void *arg)
{
    const spawn_args *a = arg;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != a->parent)
        _exit(127);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (chdir(a->dir) != 0)
        _exit(126);
    execve(a->argv[0], a->argv, a->envp);
    _exit(127);
}

/* Start the runtime. Not fork(): it copies lambda-local's page tables, and its
 * threads then take copy-on-write faults (~30 us each on the 2-core VM) while
 * the runtime starts; clone(CLONE_VM | CLONE_VFORK) is what posix_spawn does,
 * which cannot set PR_SET_PDEATHSIG. */
static pid_t spawn_runtime(ll_state *L)
{
    env_list env = {0};
    if (build_env(L, &env) != 0) {
        env_free(&env);
        ll_log("error: cannot build the function's environment");
        return -1;
    }
    static char stack[64 * 1024] __attribute__((aligned(16))); /* one spawn at a time (L->mu) */
    spawn_args a = {getpid(), L->cfg.task_root, L->cfg.child_argv, env.v};
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(spawn_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        ll_log("error: clone: %s", strerror(e));
        env_free(&env);
        return -1;
    }
    setpgid(pid, pid);
    env_free(&env);
    return pid;
}

static void describe_status(int st, char *out, size_t cap)
{
    if (WIFSIGNALED(st))
        snprintf(out, cap, "killed by signal %d, %s", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (WIFEXITED(st))
        snprintf(out, cap, "exit status %d", WEXITSTATUS(st));
    else
        snprintf(out, cap, "status %d", st);
}

static void kill_runtime(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* Fail the oldest queued request (the one that triggered this start). Lock held. */
static void fail_head(ll_state *L, ll_outcome o, const char *detail)
{
    ll_invocation *inv = L->head;
    if (inv == NULL)
        return;
    L->head = inv->next;
    if (L->head == NULL)
        L->tail = NULL;
    inv->next = NULL;
    snprintf(inv->detail, sizeof inv->detail, "%s", detail);
    ll_finish(inv, o);
}

/* Whether a runtime should be running now: always, or on demand only while a
 * request waits for one. Lock held. */
static bool runtime_wanted(const ll_state *L)
{
    return !g_on_demand || L->head != NULL;
}

/* The supervisor: (re)start the runtime, watch it, enforce the timeout. It
 * holds L->mu except while it waits on L->cv, which the front broadcasts when
 * it queues a request (run_invocation), so a request that needs a runtime
 * starts one at once; the wait also ends after 5 ms (to reap the runtime,
 * check the timeout and signals) or when a crash-loop backoff ends. */
static int supervise(ll_state *L)
{
    uint64_t backoff_ms = 0, next_spawn_ns = 0;
    unsigned restarts = 0;
    const char *why_restart = NULL;
    pthread_mutex_lock(&L->mu);
    for (;;) {
        if (g_stop) {
            pthread_mutex_unlock(&L->mu);
            ll_log("%s received, stopping", g_stop == SIGINT ? "SIGINT" : "SIGTERM");
            return EXIT_OK;
        }
        uint64_t now = ll_mono_ns();
        if (L->pid == 0 && runtime_wanted(L) && now >= next_spawn_ns) {
            pid_t pid = spawn_runtime(L);
            if (pid < 0) {
                pthread_mutex_unlock(&L->mu);
                return EXIT_FAIL;
            }
            L->pid = pid;
            L->rt = RT_STARTING;
            L->spawned_ns = ll_mono_ns();
            L->init_failed = false;
            if (why_restart != NULL)
                ll_log("runtime restarted after %s: pid %d (restart %u)", why_restart, (int)pid,
                       ++restarts);
            else
                ll_log("runtime started: pid %d (%s)", (int)pid, L->cfg.child_argv[0]);
        }
        if (L->pid != 0) {
            int st = 0;
            pid_t w = waitpid(L->pid, &st, WNOHANG);
            bool ended = false;
            char desc[128];
            if (w == L->pid) {
                describe_status(st, desc, sizeof desc);
                ended = true;
                bool crashed = WIFSIGNALED(st);
                if (L->current != NULL) {
                    ll_log("runtime pid %d %s during invocation %s: answering 502", (int)L->pid,
                           crashed ? "crashed" : "exited", L->current->id);
                    snprintf(L->current->detail, sizeof L->current->detail, "%s", desc);
                    ll_finish(L->current, OUT_CRASH);
                    L->current = NULL;
                } else if (L->rt == RT_STARTING) {
                    char d[700];
                    snprintf(d, sizeof d, "%s%s%s", L->init_failed ? L->init_error : "",
                             L->init_failed ? "; " : "", desc);
                    ll_log("runtime pid %d ended during init (%s)", (int)L->pid, d);
                    fail_head(L, OUT_INIT_FAILED, d);
                } else {
                    ll_log("runtime pid %d ended (%s)", (int)L->pid, desc);
                }
                why_restart = crashed ? "a crash" : "an exit";
            } else if (L->current != NULL && ll_now_ms() > L->current->deadline_ms) {
                ll_log("invocation %s timed out after %ld ms: killing runtime pid %d",
                       L->current->id, L->cfg.timeout_ms, (int)L->pid);
                kill_runtime(L->pid);
                waitpid(L->pid, &st, 0);
                ll_finish(L->current, OUT_TIMEOUT);
                L->current = NULL;
                ended = true;
                why_restart = "a timeout";
                backoff_ms = 0;
            } else if (L->rt == RT_STARTING &&
                       (L->init_failed ||
                        ll_mono_ns() - L->spawned_ns > (uint64_t)init_timeout_ms(L) * 1000000ull)) {
                char d[700];
                if (L->init_failed)
                    snprintf(d, sizeof d, "%s", L->init_error);
                else
                    snprintf(d, sizeof d, "init did not finish within %ld ms", init_timeout_ms(L));
                ll_log("runtime pid %d failed to initialise (%s): killing it", (int)L->pid, d);
                kill_runtime(L->pid);
                waitpid(L->pid, &st, 0);
                fail_head(L, OUT_INIT_FAILED, d);
                ended = true;
                why_restart = "an init failure";
            }
            if (ended) {
                /* back off when the runtime dies young (crash loop) */
                uint64_t lived_ms = (ll_mono_ns() - L->spawned_ns) / 1000000ull;
                if (L->rt == RT_STARTING || lived_ms < 1000)
                    backoff_ms = backoff_ms == 0         ? 100
                                 : backoff_ms * 2 > 5000 ? 5000
                                                         : backoff_ms * 2;
                else
                    backoff_ms = 0;
                if (why_restart != NULL && strcmp(why_restart, "a timeout") == 0)
                    backoff_ms = 0;
                next_spawn_ns = ll_mono_ns() + backoff_ms * 1000000ull;
                L->pid = 0;
                L->rt = RT_NONE;
                L->generation++;
                pthread_cond_broadcast(&L->cv);
            }
        }
        /* wait for a request, the end of the backoff, or 5 ms (L->cv uses CLOCK_MONOTONIC) */
        uint64_t wake = ll_mono_ns() + 5 * 1000000ull;
        if (L->pid == 0 && runtime_wanted(L) && next_spawn_ns < wake)
            wake = next_spawn_ns;
        if (wake > ll_mono_ns()) {
            struct timespec until = {(time_t)(wake / 1000000000ull), (long)(wake % 1000000000ull)};
            pthread_cond_timedwait(&L->cv, &L->mu, &until);
        }
    }
}

/* ------------------------------------------------------------------ main */

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_seconds(const char *s, long *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 900)
        return false;
    *ms = (long)(v * 1000 + 0.5);
    return *ms > 0;
}

int main(int argc, char **argv)
{
    static ll_state state;
    ll_state *L = &state;
    ll_config *cf = &L->cfg;
    cf->host = getenv("LAMBDA_LOCAL_HOST") ? getenv("LAMBDA_LOCAL_HOST") : "127.0.0.1";
    cf->port = 8080;
    cf->timeout_ms = 10000;
    cf->max_body = LL_MAX_PAYLOAD;
    cf->function_name = "dynagen";
    cf->memory_mb = "128";
    cf->handler = "bootstrap";
    cf->region = getenv("AWS_REGION") ? getenv("AWS_REGION") : "us-east-1";
    long v;
    const char *env_port = getenv("LAMBDA_LOCAL_PORT");
    if (env_port != NULL && *env_port) {
        if (!parse_int(env_port, 0, 65535, &v)) {
            ll_log("error: LAMBDA_LOCAL_PORT=%s is not a port", env_port);
            return EXIT_USAGE;
        }
        cf->port = (int)v;
    }
    const char *env_on_demand = getenv("LAMBDA_LOCAL_ON_DEMAND");
    if (env_on_demand != NULL && *env_on_demand) {
        if (strcmp(env_on_demand, "1") != 0 && strcmp(env_on_demand, "0") != 0) {
            ll_log("error: LAMBDA_LOCAL_ON_DEMAND=%s: expected 1 or 0", env_on_demand);
            return EXIT_USAGE;
        }
        g_on_demand = env_on_demand[0] == '1';
    }
    const char *env_timeout = getenv("LAMBDA_LOCAL_TIMEOUT");
    if (env_timeout != NULL && *env_timeout && !parse_seconds(env_timeout, &cf->timeout_ms)) {
        ll_log("error: LAMBDA_LOCAL_TIMEOUT=%s is not a number of seconds (0-900]", env_timeout);
        return EXIT_USAGE;
    }

    const char **extra = calloc((size_t)argc + 1, sizeof *extra);
    const char **pass = calloc((size_t)argc + 1, sizeof *pass);
    if (extra == NULL || pass == NULL)
        return EXIT_FAIL;
    cf->extra_env = extra;
    cf->pass_env = pass;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                                              \
    do {                                                                                           \
        if (val == NULL) {                                                                         \
            ll_log("error: %s needs a value", a);                                                  \
            return EXIT_USAGE;                                                                     \
        }                                                                                          \
        i++;                                                                                       \
    } while (0)
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--port") == 0) {
            NEEDS_VALUE();
            if (!parse_int(val, 0, 65535, &v)) {
                ll_log("error: --port %s is not a port", val);
                return EXIT_USAGE;
            }
            cf->port = (int)v;
        } else if (strcmp(a, "--runtime-port") == 0) {
            NEEDS_VALUE();
            if (!parse_int(val, 0, 65535, &v)) {
                ll_log("error: --runtime-port %s is not a port", val);
                return EXIT_USAGE;
            }
            cf->runtime_port = (int)v;
        } else if (strcmp(a, "--host") == 0) {
            NEEDS_VALUE();
            cf->host = val;
        } else if (strcmp(a, "--timeout") == 0) {
            NEEDS_VALUE();
            if (!parse_seconds(val, &cf->timeout_ms)) {
                ll_log("error: --timeout %s is not a number of seconds (0-900]", val);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--max-body") == 0) {
            NEEDS_VALUE();
            if (!parse_int(val, 0, 64L * 1024 * 1024, &v)) {
                ll_log("error: --max-body %s is not a byte count", val);
                return EXIT_USAGE;
            }
            cf->max_body = (size_t)v;
        } else if (strcmp(a, "--function-name") == 0) {
            NEEDS_VALUE();
            cf->function_name = val;
        } else if (strcmp(a, "--memory") == 0) {
            NEEDS_VALUE();
            if (!parse_int(val, 128, 10240, &v)) {
                ll_log("error: --memory %s is not 128..10240 (MB)", val);
                return EXIT_USAGE;
            }
            cf->memory_mb = val;
        } else if (strcmp(a, "--task-root") == 0) {
            NEEDS_VALUE();
            cf->task_root = val;
        } else if (strcmp(a, "--handler") == 0) {
            NEEDS_VALUE();
            cf->handler = val;
        } else if (strcmp(a, "--env") == 0) {
            NEEDS_VALUE();
            if (strchr(val, '=') == NULL || val[0] == '=') {
                ll_log("error: --env %s: expected NAME=VALUE", val);
                return EXIT_USAGE;
            }
            extra[cf->extra_env_count++] = val;
        } else if (strcmp(a, "--pass-env") == 0) {
            NEEDS_VALUE();
            pass[cf->pass_env_count++] = val;
        } else if (strcmp(a, "--inherit-env") == 0) {
            cf->inherit_env = true;
        } else if (strcmp(a, "--quiet") == 0) {
            cf->quiet = true;
        } else if (strcmp(a, "--on-demand") == 0) {
            g_on_demand = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            ll_log("error: unknown option %s (see --help)", a);
            return EXIT_USAGE;
        } else {
            break;
        }
#undef NEEDS_VALUE
    }

    /* the bootstrap: argv, else $LAMBDA_LOCAL_BOOTSTRAP */
    char *env_argv[2] = {NULL, NULL};
    char **cargv;
    if (i < argc) {
        cargv = argv + i;
    } else if (getenv("LAMBDA_LOCAL_BOOTSTRAP") != NULL && *getenv("LAMBDA_LOCAL_BOOTSTRAP")) {
        env_argv[0] = getenv("LAMBDA_LOCAL_BOOTSTRAP");
        cargv = env_argv;
    } else {
        ll_log("error: no bootstrap given (an argument or LAMBDA_LOCAL_BOOTSTRAP)");
        usage(stderr);
        return EXIT_USAGE;
    }
    static char resolved[PATH_MAX];
    if (realpath(cargv[0], resolved) == NULL) {
        ll_log("error: bootstrap %s: %s", cargv[0], strerror(errno));
        return EXIT_USAGE;
    }
    struct stat sb;
    if (stat(resolved, &sb) != 0 || !S_ISREG(sb.st_mode) || access(resolved, X_OK) != 0) {
        ll_log("error: bootstrap %s is not an executable file", resolved);
        return EXIT_USAGE;
    }
    cargv[0] = resolved;
    cf->child_argv = cargv;
    static char root[PATH_MAX];
    if (cf->task_root == NULL) {
        snprintf(root, sizeof root, "%s", resolved);
        char *slash = strrchr(root, '/');
        if (slash != NULL)
            *(slash == root ? slash + 1 : slash) = '\0';
        cf->task_root = root;
    }
    snprintf(L->arn, sizeof L->arn, "arn:aws:lambda:%s:000000000000:function:%s", cf->region,
             cf->function_name);

    pthread_mutex_init(&L->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* supervise()'s timed wait */
    pthread_cond_init(&L->cv, &ca);
    pthread_condattr_destroy(&ca);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    bool in_use;
    int http_port = 0;
    int http_fd = listen_on(cf->host, cf->port, "HTTP", &http_port, &in_use);
    if (http_fd < 0)
        return in_use ? EXIT_PORT_IN_USE : EXIT_FAIL;
    int rt_fd = listen_on("127.0.0.1", cf->runtime_port, "Runtime API", &L->runtime_port, &in_use);
    if (rt_fd < 0) {
        close(http_fd);
        return in_use ? EXIT_PORT_IN_USE : EXIT_FAIL;
    }
    struct MHD_Daemon *rt = ll_start_runtime_api(L, rt_fd);
    struct MHD_Daemon *front = rt != NULL ? ll_start_front(L, http_fd) : NULL;
    if (rt == NULL || front == NULL) {
        ll_log("error: cannot start the HTTP servers");
        if (rt != NULL)
            MHD_stop_daemon(rt);
        return EXIT_FAIL;
    }
    ll_log("Runtime API on 127.0.0.1:%d", L->runtime_port);
    ll_log("function %s: timeout %ld ms, task root %s%s", cf->function_name, cf->timeout_ms,
           cf->task_root, g_on_demand ? ", on demand (no runtime until a request)" : "");
    ll_log("listening on http://%s%s%s:%d", strchr(cf->host, ':') ? "[" : "", cf->host,
           strchr(cf->host, ':') ? "]" : "", http_port);

    int rc = supervise(L);

    /* shutdown: no new work, answer everyone, stop the runtime, then the servers */
    pthread_mutex_lock(&L->mu);
    L->shutting_down = true;
    for (ll_invocation *inv = L->head; inv != NULL;) {
        ll_invocation *next = inv->next;
        inv->next = NULL;
        ll_finish(inv, OUT_SHUTDOWN);
        inv = next;
    }
    L->head = L->tail = NULL;
    if (L->current != NULL) {
        ll_finish(L->current, OUT_SHUTDOWN);
        L->current = NULL;
    }
    pid_t pid = L->pid;
    L->pid = 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
    if (pid > 0) {
        kill(-pid, SIGTERM);
        kill(pid, SIGTERM);
        int st;
        uint64_t until = ll_mono_ns() + 2000000000ull;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (ll_mono_ns() > until) {
                kill_runtime(pid);
                waitpid(pid, &st, 0);
                break;
            }
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        ll_log("runtime pid %d stopped", (int)pid);
    }
    /* MHD closes the listening sockets it was given */
    MHD_stop_daemon(front);
    MHD_stop_daemon(rt);
    ll_free_conns(L);
    free(extra);
    free(pass);
    ll_log("stopped");
    return rc;
}
