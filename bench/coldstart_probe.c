/* coldstart_probe — the stopwatch of `make bench-coldstart` (bench/coldstart.sh).
 *
 *   coldstart_probe serve PATH -- LAMBDA_LOCAL [ARGS...]
 *       Starts lambda-local (which must be given --port 0 --on-demand and no
 *       --quiet) and waits, untimed, until it listens ("listening on
 *       http://127.0.0.1:PORT"): with --on-demand no function process runs
 *       yet. Then times one GET PATH, from just before connect to the end of
 *       the response: the request finds no runtime, so lambda-local forks the
 *       function for it: the function process's start and init, its first
 *       invocation (a DynamoDB GetItem) and the way back. lambda-local's own
 *       start-up is not in the figure, as Lambda's own is not in a cold start.
 *       Then reads the function process's peak RSS (VmHWM of /proc/PID/status,
 *       PID from lambda-local's "runtime started: pid N" line) and stops
 *       lambda-local. Prints one line:
 *         ms=<request to response> status=<http> hwm_kb=<peak RSS> rss_kb=<RSS>
 *         anon_kb=<RssAnon> cpu_ms=<CPU time of all its threads so far (schedstat)>
 *         init_ms=<lambda-local's "ready (init X ms)": fork to the first /next>
 *
 *   coldstart_probe exec N -- PROGRAM [ARGS...]
 *       Runs PROGRAM N times (stdout/stderr to /dev/null) and prints the
 *       median, p10 and p90 of fork-to-exit wall time in microseconds, and the
 *       median CPU time (user + system, wait4): the price of a start mechanism
 *       (launcher, loader, shell) in isolation. CPU time is the steadier figure
 *       on a busy machine.
 *
 * The environment is passed through unchanged: run it under `env -i ...`. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "coldstart_probe: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* lambda-local's stderr, accumulated */
static char g_log[1 << 16];
static size_t g_log_len;

static void drain(int fd)
{
    for (;;) {
        if (g_log_len + 1 >= sizeof g_log) {
            /* keep reading so lambda-local never blocks; forget the middle */
            char junk[4096];
            if (read(fd, junk, sizeof junk) <= 0)
                return;
            continue;
        }
        ssize_t n = read(fd, g_log + g_log_len, sizeof g_log - 1 - g_log_len);
        if (n <= 0)
            return;
        g_log_len += (size_t)n;
        g_log[g_log_len] = '\0';
    }
}

static long log_number(const char *prefix)
{
    const char *p = strstr(g_log, prefix);
    return p != NULL ? strtol(p + strlen(prefix), NULL, 10) : -1;
}

static double log_double(const char *prefix)
{
    const char *p = strstr(g_log, prefix);
    return p != NULL ? strtod(p + strlen(prefix), NULL) : -1;
}

static long status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* CPU time (ns) every thread of pid has run: /proc/PID/task/TID/schedstat, first field. */
static double cpu_ms(pid_t pid)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    double total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[64 + sizeof e->d_name + 16];
        snprintf(path, sizeof path, "%s/%s/schedstat", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        unsigned long long ns = 0;
        if (fscanf(f, "%llu", &ns) == 1)
            total += (double)ns / 1e6;
        fclose(f);
    }
    closedir(d);
    return total;
}

/* One GET on a fresh connection; returns the HTTP status or -1 (connection refused: -2). */
static int http_get(int port, const char *path)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return -2;
    }
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {60, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (write(s, req, (size_t)n) != n) {
        close(s);
        return -1;
    }
    char buf[8192], head[16] = {0};
    size_t got = 0;
    for (;;) {
        ssize_t r = read(s, buf, sizeof buf);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r && got < sizeof head - 1; i++)
            head[got++] = buf[i];
    }
    close(s);
    if (strncmp(head, "HTTP/1.", 7) != 0)
        return -1;
    return atoi(head + 9);
}

/* Whether lambda-local is told to start the function on demand (--on-demand
 * among its options, or LAMBDA_LOCAL_ON_DEMAND=1). */
static int on_demand(char **argv)
{
    const char *e = getenv("LAMBDA_LOCAL_ON_DEMAND");
    if (e != NULL && strcmp(e, "1") == 0)
        return 1;
    for (char **a = argv + 1; *a != NULL && strcmp(*a, "--") != 0; a++)
        if (strcmp(*a, "--on-demand") == 0)
            return 1;
    return 0;
}

static int serve(const char *path, char **argv)
{
    if (!on_demand(argv)) {
        fprintf(stderr, "coldstart_probe: serve: pass --on-demand to lambda-local (otherwise it "
                        "starts the function before the request)\n");
        return 2;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(pfd[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);

    /* untimed: until lambda-local listens */
    int port = 0, status = -1;
    double since = now_ms();
    while (port == 0) {
        drain(pfd[0]);
        port = (int)log_number("listening on http://127.0.0.1:");
        if (port > 0)
            break;
        port = 0;
        int w = 0;
        if (waitpid(pid, &w, WNOHANG) == pid) {
            fprintf(stderr, "coldstart_probe: lambda-local exited:\n%s", g_log);
            return 1;
        }
        if (now_ms() - since > 60000) {
            fprintf(stderr, "coldstart_probe: lambda-local did not listen within 60 s:\n%s", g_log);
            kill(pid, SIGKILL);
            waitpid(pid, &w, 0);
            return 1;
        }
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        poll(&p, 1, 100);
    }
    if (strstr(g_log, "runtime started: pid ") != NULL) {
        fprintf(stderr,
                "coldstart_probe: lambda-local started the function before the request "
                "(not on demand):\n%s",
                g_log);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return 1;
    }

    /* timed: the request that finds no runtime, to the end of its response */
    double t0 = now_ms();
    status = http_get(port, path);
    double t1 = now_ms();
    drain(pfd[0]);
    long rt = log_number("runtime started: pid ");
    long hwm = rt > 0 ? status_kb((pid_t)rt, "VmHWM") : -1;
    long rss = rt > 0 ? status_kb((pid_t)rt, "VmRSS") : -1;
    long anon = rt > 0 ? status_kb((pid_t)rt, "RssAnon") : -1;
    double cpu = rt > 0 ? cpu_ms((pid_t)rt) : -1;
    double init = log_double("ready (init ");
    kill(pid, SIGTERM);
    int w;
    while (waitpid(pid, &w, 0) < 0 && errno == EINTR)
        ;
    close(pfd[0]);
    printf("ms=%.3f status=%d hwm_kb=%ld rss_kb=%ld anon_kb=%ld cpu_ms=%.2f init_ms=%.1f\n",
           t1 - t0, status, hwm, rss, anon, cpu, init);
    if (status != 200)
        fprintf(stderr, "coldstart_probe: HTTP %d; lambda-local said:\n%s", status, g_log);
    return status == 200 ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int exec_n(int n, char **argv)
{
    double *t = calloc((size_t)n, sizeof *t), *c = calloc((size_t)n, sizeof *c);
    if (t == NULL || c == NULL)
        die("calloc");
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execvp(argv[0], argv);
            _exit(127);
        }
        int w;
        struct rusage ru;
        while (wait4(pid, &w, 0, &ru) < 0 && errno == EINTR)
            ;
        t[i] = (now_ms() - t0) * 1000.0;
        c[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        if (WIFEXITED(w) && WEXITSTATUS(w) == 127) {
            fprintf(stderr, "coldstart_probe: %s could not be run\n", argv[0]);
            free(t);
            free(c);
            return 1;
        }
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    printf("median_us=%.0f p10_us=%.0f p90_us=%.0f cpu_us=%.0f n=%d\n", t[n / 2], t[n / 10],
           t[(n * 9) / 10], c[n / 2], n);
    free(t);
    free(c);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 5 && strcmp(argv[1], "serve") == 0 && strcmp(argv[3], "--") == 0)
        return serve(argv[2], argv + 4);
    if (argc >= 5 && strcmp(argv[1], "exec") == 0 && strcmp(argv[3], "--") == 0) {
        int n = atoi(argv[2]);
        if (n < 1) {
            fprintf(stderr, "coldstart_probe: N must be >= 1\n");
            return 2;
        }
        return exec_n(n, argv + 4);
    }
    fprintf(stderr, "usage: coldstart_probe serve PATH -- LAMBDA_LOCAL [ARGS...]\n"
                    "       coldstart_probe exec N -- PROGRAM [ARGS...]\n");
    return 2;
}
