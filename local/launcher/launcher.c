/* bootstrap — the launcher at the root of dist/lambda.zip.
 *
 * dynagen-api is built on Debian 12 (glibc 2.36); provided.al2023 has glibc
 * 2.34, so the zip carries the program's whole library closure, libc and the
 * dynamic loader included:
 *
 *   bootstrap                      this file, linked -static (no loader, no libc needed)
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
 * Build: gcc -static (Debian's libc.a); see mk/package.mk. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOADER "/lib/ld-linux-x86-64.so.2"
#define LIBDIR "/lib"
#define PROGRAM "/bin/dynagen-api"
#define MAX_ARGS 256

extern char **environ;

static void say(const char *a, const char *b, const char *c, const char *d)
{
    /* write(2) only: no stdio in a static binary that execs right away */
    const char *parts[] = {"bootstrap: ", a, b, c, d, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] != NULL && write(2, parts[i], strlen(parts[i])) < 0)
            return;
}

/* out = root + suffix; false when it does not fit */
static int join(char *out, size_t cap, const char *root, size_t root_len, const char *suffix)
{
    size_t sl = strlen(suffix);
    if (root_len + sl + 1 > cap)
        return 0;
    memcpy(out, root, root_len);
    memcpy(out + root_len, suffix, sl + 1);
    return 1;
}

int main(int argc, char **argv)
{
    static char root[PATH_MAX], loader[PATH_MAX], libdir[PATH_MAX], program[PATH_MAX];
    size_t root_len = 0;

    ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
    if (n > 0) {
        root[n] = '\0';
        char *slash = strrchr(root, '/');
        root_len = slash != NULL ? (size_t)(slash - root) : 0;
    } else {
        const char *tr = getenv("LAMBDA_TASK_ROOT");
        if (tr == NULL || *tr == '\0') {
            say("cannot find the task root: /proc/self/exe is unreadable and LAMBDA_TASK_ROOT "
                "is not set",
                NULL, NULL, NULL);
            return 127;
        }
        root_len = strlen(tr);
        if (root_len >= sizeof root) {
            say("LAMBDA_TASK_ROOT is too long", NULL, NULL, NULL);
            return 127;
        }
        memcpy(root, tr, root_len + 1);
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

    execve(loader, args, environ);
    int e = errno;
    say("cannot exec ", loader, ": ", strerror(e));
    return 127;
}
