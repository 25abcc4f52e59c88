/* dynagen — generate typed C, routes, OpenAPI and Terraform variables from
 * DynamoDB table models. See `dynagen --help`. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "evolve.h"

#define DYNAGEN_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs(
        "dynagen " DYNAGEN_VERSION
        " — one YAML table model drives the C code and the infrastructure\n"
        "\n"
        "usage:\n"
        "  dynagen check SCHEMA.yaml...\n"
        "      Parse and validate the table models; report every error as file:line:col.\n"
        "  dynagen generate SCHEMA.yaml... --out DIR [--tfvars ENVS_DIR | --no-tfvars] [--check]\n"
        "      Write DIR/<table>.h and DIR/<table>.c for each table and, with --tfvars,\n"
        "      ENVS_DIR/<env>/<table>.auto.tfvars and ENVS_DIR/<env>/dynagen_tables.tf.\n"
        "      Nothing is written unless every schema is valid. Files are replaced\n"
        "      atomically; generated files of tables that no longer exist are removed.\n"
        "\n"
        "options:\n"
        "  --out DIR          directory for the generated C (required for generate)\n"
        "  --tfvars DIR       Terraform environments directory (e.g. terraform/envs)\n"
        "  --no-tfvars        do not emit Terraform variables (the default without --tfvars)\n"
        "  --check            write nothing; exit 1 and list the files that are stale\n"
        "  --allow-destructive  go on although the edit replaces or damages a deployed\n"
        "                     table (changed key, removed or re-keyed index, renamed\n"
        "                     table, moved TTL, incompatible type change); without it\n"
        "                     generate stops and names each change\n"
        "  -q, --quiet        print only errors\n"
        "  -h, --help         this help\n"
        "  --version          print the version\n"
        "\n"
        "exit status: 0 ok, 1 schema errors or stale files, 2 usage or I/O error\n"
        "schema reference: README.md, section \"Schema reference\"\n",
        f);
}

static int mkdirs(const char *path)
{
    char *p = cg_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) && errno != EEXIST)
                return -1;
            *s = '/';
        }
    }
    if (mkdir(p, 0755) && errno != EEXIST)
        return -1;
    return 0;
}

static char *dirname_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? cg_strndup(path, (size_t)(s - path)) : cg_strdup(".");
}

/* Read a whole file; NULL when missing. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    cg_sb b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        cg_sb_putn(&b, buf, n);
    fclose(f);
    *len = b.len;
    return cg_sb_take(&b);
}

static bool has_banner(const char *path)
{
    size_t len;
    char *s = slurp(path, &len);
    if (!s)
        return false;
    char *nl = memchr(s, '\n', len);
    size_t first = nl ? (size_t)(nl - s) : len;
    return memmem(s, first, CG_BANNER_MARK, strlen(CG_BANNER_MARK)) != NULL;
}

static bool in_output(const cg_output *o, const char *path)
{
    for (size_t i = 0; i < o->nfiles; i++)
        if (!strcmp(o->files[i].path, path))
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Generated files on disk (banner in the first line) that this run would not produce. */
static size_t find_orphans(const cg_output *o, const char *dir, char **out, size_t max, int depth)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        if (e->d_name[0] == '.')
            continue;
        char *p = cg_fmt("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth > 0)
                n += find_orphans(o, p, out + n, max - n, depth - 1);
            continue;
        }
        bool candidate = ends_with(p, ".h") || ends_with(p, ".c") || ends_with(p, ".auto.tfvars") ||
                         ends_with(p, "dynagen_tables.tf") || ends_with(p, ".yaml") ||
                         ends_with(p, ".json");
        if (candidate && !in_output(o, p) && has_banner(p))
            out[n++] = p;
    }
    closedir(d);
    return n;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *cmd = NULL, *out_dir = NULL, *tf_dir = NULL;
    bool check = false, quiet = false, allow_destructive = false;
    const char **schemas = cg_alloc((size_t)argc * sizeof(char *));
    size_t nschemas = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
            usage(stdout);
            goto done;
        } else if (!strcmp(a, "--version")) {
            puts("dynagen " DYNAGEN_VERSION);
            goto done;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--tfvars")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "dynagen: error: %s needs a directory\n", a);
                rc = 2;
                goto done;
            }
            *(a[2] == 'o' ? &out_dir : &tf_dir) = argv[++i];
        } else if (!strcmp(a, "--no-tfvars")) {
            tf_dir = NULL;
        } else if (!strcmp(a, "--check")) {
            check = true;
        } else if (!strcmp(a, "--allow-destructive")) {
            allow_destructive = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-') {
            static const char *const opts[] = {
                "--out",   "--tfvars", "--no-tfvars", "--check", "--allow-destructive",
                "--quiet", "--help",   "--version"};
            const char *s = cg_suggest(a, opts, sizeof opts / sizeof *opts);
            fprintf(stderr, "dynagen: error: unknown option '%s'%s%s%s\n", a,
                    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
            rc = 2;
            goto done;
        } else if (!cmd) {
            cmd = a;
        } else {
            schemas[nschemas++] = a;
        }
    }
    if (!cmd) {
        usage(stderr);
        rc = 2;
        goto done;
    }
    bool generate = !strcmp(cmd, "generate");
    if (!generate && strcmp(cmd, "check")) {
        fprintf(stderr,
                "dynagen: error: unknown command '%s' (expected check or generate; see --help)\n",
                cmd);
        rc = 2;
        goto done;
    }
    if (!nschemas) {
        fprintf(stderr, "dynagen: error: no schema files given (e.g. dynagen %s schema/*.yaml)\n",
                cmd);
        rc = 2;
        goto done;
    }
    if (generate && !out_dir) {
        fprintf(stderr, "dynagen: error: generate needs --out DIR\n");
        rc = 2;
        goto done;
    }

    cg_table **tables = cg_alloc(nschemas * sizeof *tables);
    size_t ntables = 0;
    for (size_t i = 0; i < nschemas; i++) {
        cg_table *t = cg_load_schema(schemas[i]);
        if (t)
            tables[ntables++] = t;
    }
    if (!cg_error_count())
        cg_check_project(tables, ntables);
    int nerr = cg_error_count();
    cg_diag_flush();
    if (nerr) {
        fprintf(stderr, "dynagen: %d error%s; nothing written\n", nerr, nerr == 1 ? "" : "s");
        rc = 1;
        goto done;
    }
    if (!generate) {
        if (!quiet)
            printf("dynagen: %zu schema%s ok\n", ntables, ntables == 1 ? "" : "s");
        goto done;
    }

    /* strip a trailing slash for stable paths */
    char *od = cg_strdup(out_dir);
    while (strlen(od) > 1 && od[strlen(od) - 1] == '/')
        od[strlen(od) - 1] = '\0';
    char *td = tf_dir ? cg_strdup(tf_dir) : NULL;
    while (td && strlen(td) > 1 && td[strlen(td) - 1] == '/')
        td[strlen(td) - 1] = '\0';

    if (!check) {
        /* compare with the model last generated: stop before writing on a destructive edit */
        int nd = cg_check_evolution(od, tables, ntables, allow_destructive);
        int nerr2 = cg_error_count();
        if (!quiet || nerr2)
            cg_diag_flush();
        else
            cg_diag_reset();
        if (nerr2) {
            fprintf(stderr,
                    "dynagen: %d destructive change%s; nothing written (re-run with "
                    "--allow-destructive to go on, e.g. make generate "
                    "DYNAGEN_FLAGS=--allow-destructive)\n",
                    nd, nd == 1 ? "" : "s");
            rc = 1;
            goto done;
        }
    }

    cg_output out = {0};
    for (size_t i = 0; i < ntables; i++) {
        cg_emit_c(&out, od, tables[i]);
        cg_emit_model_json(&out, od, tables[i]);
    }
    cg_emit_openapi(&out, od, tables, ntables);
    cg_emit_routes(&out, od, tables, ntables);
    if (td)
        cg_emit_tfvars(&out, td, tables, ntables);

    char *orphans[256];
    size_t norphans = find_orphans(&out, od, orphans, 256, 0);
    if (td)
        norphans += find_orphans(&out, td, orphans + norphans, 256 - norphans, 1);
    qsort(orphans, norphans, sizeof *orphans, cmp_strp);

    if (check) {
        size_t stale = 0;
        for (size_t i = 0; i < out.nfiles; i++) {
            size_t len;
            char *cur = slurp(out.files[i].path, &len);
            if (!cur || len != out.files[i].len || memcmp(cur, out.files[i].content, len)) {
                fprintf(stderr, "%s: %s\n", out.files[i].path, cur ? "stale" : "missing");
                stale++;
            }
        }
        for (size_t i = 0; i < norphans; i++) {
            fprintf(stderr, "%s: generated for a table that no longer exists\n", orphans[i]);
            stale++;
        }
        if (stale) {
            fprintf(stderr, "dynagen: %zu generated file%s out of date: run `make generate`\n",
                    stale, stale == 1 ? " is" : "s are");
            rc = 1;
        } else if (!quiet) {
            printf("dynagen: %zu generated files are up to date\n", out.nfiles);
        }
        goto done;
    }

    /* write: each file to a temp name in its directory, then rename over the old one */
    size_t changed = 0;
    for (size_t i = 0; i < out.nfiles; i++) {
        cg_file *f = &out.files[i];
        size_t len;
        char *cur = slurp(f->path, &len);
        if (cur && len == f->len && !memcmp(cur, f->content, len))
            continue;
        char *dir = dirname_of(f->path);
        if (mkdirs(dir)) {
            fprintf(stderr, "dynagen: error: cannot create %s: %s\n", dir, strerror(errno));
            rc = 2;
            goto done;
        }
        char *tmp = cg_fmt("%s.tmp.%ld", f->path, (long)getpid());
        FILE *fp = fopen(tmp, "wb");
        if (!fp || fwrite(f->content, 1, f->len, fp) != f->len || fclose(fp)) {
            fprintf(stderr, "dynagen: error: cannot write %s: %s\n", tmp, strerror(errno));
            if (fp)
                unlink(tmp);
            rc = 2;
            goto done;
        }
        if (rename(tmp, f->path)) {
            fprintf(stderr, "dynagen: error: cannot replace %s: %s\n", f->path, strerror(errno));
            unlink(tmp);
            rc = 2;
            goto done;
        }
        if (!quiet)
            printf("  wrote %s\n", f->path);
        changed++;
    }
    for (size_t i = 0; i < norphans; i++) {
        if (unlink(orphans[i]) == 0 && !quiet)
            printf("  removed %s (its table is gone)\n", orphans[i]);
    }
    if (!quiet)
        printf("dynagen: %zu table%s, %zu files (%zu changed)\n", ntables, ntables == 1 ? "" : "s",
               out.nfiles, changed);
done:
    cg_pool_free_all();
    return rc;
}
