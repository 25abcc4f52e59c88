/* bootstrap — the launcher at the root of dist/lambda.zip.
 *
 * dynagen-api is built on Debian 12 (glibc 2.36); provided.al2023 has glibc
 * 2.34, so the zip carries the program's whole library closure, libc and the
 * dynamic loader included:
 *
 *   bootstrap                      this file, static (no loader, no libc needed)
 *   bin/dynagen-api                the Lambda runtime + the generated routes
 *   lib/ld-linux-x86-64.so.2       Debian's loader
 *   lib/lib*.so.*                  every library of `ldd bin/dynagen-api`
 *
 * The launcher execs the bundled loader on the program; nothing else runs
 * first (no shell: aws-lambda-cpp's packager uses a shell script, which costs
 * milliseconds on every cold start):
 *
 *   <root>/lib/ld-linux-x86-64.so.2 --inhibit-cache --library-path <root>/lib
 *       --argv0 <argv[0]> <root>/bin/dynagen-api [args...]
 *
 * <root> is the directory of this executable (/proc/self/exe), so the zip
 * works wherever it is unpacked; LAMBDA_TASK_ROOT (/var/task on Lambda) is
 * the fallback when /proc is not mounted. --inhibit-cache keeps the host's
 * /etc/ld.so.cache (Amazon Linux's libraries) out of the search: only the
 * bundled libraries are loaded. The exec keeps the PID, the environment and
 * the file descriptors, as Lambda expects of a bootstrap.
 *
 * On x86-64 it is built without libc (-nostdlib -static, mk/package.mk): its
 * own _start and four system calls (readlink, write, execve, exit). A static
 * glibc program spends ~1 ms of every cold start initialising a libc it uses
 * for nothing (measured: exec-to-exit 2.1 ms vs 1.2 ms for the libc-free one
 * on the 2-core VM). Elsewhere (DG_LAUNCHER_LIBC) the same logic runs on libc. */
#include <stddef.h>

#define LOADER "/lib/ld-linux-x86-64.so.2"
#define LIBDIR "/lib"
#define PROGRAM "/bin/dynagen-api"
#define MAX_ARGS 256
#define PATH_CAP 4096

/* ------------------------------------------------------------------ system */
#if defined(__x86_64__) && !defined(DG_LAUNCHER_LIBC)

enum { SYS_WRITE = 1, SYS_EXECVE = 59, SYS_EXIT = 60, SYS_READLINK = 89 };

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
/* Linux returns -errno in rax */
static long sys_write(int fd, const void *p, size_t n)
{
    return sys3(SYS_WRITE, fd, (long)p, (long)n);
}
static long sys_readlink(const char *path, char *buf, size_t cap)
{
    return sys3(SYS_READLINK, (long)path, (long)buf, (long)cap);
}
static long sys_execve(const char *path, char *const argv[], char *const envp[])
{
    return sys3(SYS_EXECVE, (long)path, (long)argv, (long)envp);
}
static __attribute__((noreturn)) void sys_exit(int code)
{
    for (;;)
        sys3(SYS_EXIT, code, 0, 0);
}

/* The compiler may call these for copies and clears even without libc. */
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

#else /* libc */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long sys_write(int fd, const void *p, size_t n)
{
    return write(fd, p, n);
}
static long sys_readlink(const char *path, char *buf, size_t cap)
{
    ssize_t n = readlink(path, buf, cap);
    return n < 0 ? -errno : n;
}
static long sys_execve(const char *path, char *const argv[], char *const envp[])
{
    execve(path, argv, envp);
    return -errno;
}
static void sys_exit(int code)
{
    _exit(code);
}

#endif

/* ------------------------------------------------------------------ strings */
static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

static void say(const char *a, const char *b, const char *c, const char *d)
{
    const char *parts[] = {"bootstrap: ", a, b, c, d, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] != NULL && sys_write(2, parts[i], str_len(parts[i])) < 0)
            return;
}

/* A failed exec's reason, for the few errors an exec can have. */
static const char *errno_text(long e)
{
    switch (e) {
    case 2:
        return "No such file or directory";
    case 7:
        return "Argument list too long";
    case 8:
        return "Exec format error";
    case 12:
        return "Cannot allocate memory";
    case 13:
        return "Permission denied";
    case 20:
        return "Not a directory";
    case 36:
        return "File name too long";
    case 40:
        return "Too many levels of symbolic links";
    default:
        return "exec failed";
    }
}

/* out = root + suffix; 0 when it does not fit */
static int join(char *out, size_t cap, const char *root, size_t root_len, const char *suffix)
{
    size_t sl = str_len(suffix);
    if (root_len + sl + 1 > cap)
        return 0;
    for (size_t i = 0; i < root_len; i++)
        out[i] = root[i];
    for (size_t i = 0; i <= sl; i++)
        out[root_len + i] = suffix[i];
    return 1;
}

static const char *env_get(char **envp, const char *name)
{
    size_t nl = str_len(name);
    for (; envp != NULL && *envp != NULL; envp++) {
        const char *e = *envp;
        size_t i = 0;
        while (i < nl && e[i] == name[i])
            i++;
        if (i == nl && e[i] == '=')
            return e + nl + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------ the launch */
static int launch(int argc, char **argv, char **envp)
{
    static char root[PATH_CAP], loader[PATH_CAP], libdir[PATH_CAP], program[PATH_CAP];
    size_t root_len = 0;

    long n = sys_readlink("/proc/self/exe", root, sizeof root - 1);
    if (n > 0) {
        root[n] = '\0';
        for (long i = n - 1; i >= 0; i--)
            if (root[i] == '/') {
                root_len = (size_t)i;
                break;
            }
    } else {
        const char *tr = env_get(envp, "LAMBDA_TASK_ROOT");
        if (tr == NULL || *tr == '\0') {
            say("cannot find the task root: /proc/self/exe is unreadable and LAMBDA_TASK_ROOT "
                "is not set",
                NULL, NULL, NULL);
            return 127;
        }
        root_len = str_len(tr);
        if (root_len >= sizeof root) {
            say("LAMBDA_TASK_ROOT is too long", NULL, NULL, NULL);
            return 127;
        }
        for (size_t i = 0; i <= root_len; i++)
            root[i] = tr[i];
        while (root_len > 1 && root[root_len - 1] == '/')
            root_len--;
    }
    root[root_len] = '\0';

    if (!join(loader, sizeof loader, root, root_len, LOADER) ||
        !join(libdir, sizeof libdir, root, root_len, LIBDIR) ||
        !join(program, sizeof program, root, root_len, PROGRAM)) {
        say("the task root path is too long: ", root, NULL, NULL);
        return 127;
    }

    /* the loader's options, the program, then our own arguments */
    static char *args[MAX_ARGS + 8];
    int k = 0;
    args[k++] = loader;
    args[k++] = "--inhibit-cache";
    args[k++] = "--library-path";
    args[k++] = libdir;
    args[k++] = "--argv0";
    args[k++] = argc > 0 && argv[0] != NULL ? argv[0] : "bootstrap";
    args[k++] = program;
    for (int i = 1; i < argc; i++) {
        if (i > MAX_ARGS) {
            say("too many arguments", NULL, NULL, NULL);
            return 127;
        }
        args[k++] = argv[i];
    }
    args[k] = NULL;

    long e = sys_execve(loader, args, envp);
    say("cannot exec ", loader, ": ", errno_text(-e));
    return 127;
}

#if defined(__x86_64__) && !defined(DG_LAUNCHER_LIBC)
/* The kernel starts us with rsp -> argc, argv[0..argc-1], NULL, envp..., NULL. */
__attribute__((used, noreturn)) void launcher_start_c(long *sp);
__attribute__((used, noreturn)) void launcher_start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    sys_exit(launch(argc, argv, envp));
}
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call launcher_start_c\n"
        "  hlt\n");
#else
extern char **environ;
int main(int argc, char **argv)
{
    return launch(argc, argv, environ);
}
#endif
