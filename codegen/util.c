/* dynagen generator — utilities. */
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- pool */
typedef struct pool_block {
    struct pool_block *next;
    max_align_t align[];
} pool_block;

static pool_block *pool_head;

static void oom(void)
{
    fputs("dynagen: error: out of memory\n", stderr);
    exit(2);
}

void *cg_alloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(pool_block))
        oom();
    pool_block *b = calloc(1, sizeof(pool_block) + n);
    if (!b)
        oom();
    b->next = pool_head;
    pool_head = b;
    return b->align;
}

char *cg_strndup(const char *s, size_t n)
{
    char *p = cg_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cg_strdup(const char *s)
{
    return cg_strndup(s, strlen(s));
}

char *cg_fmt(const char *fmt, ...)
{
    cg_sb b = {0};
    va_list ap;
    va_start(ap, fmt);
    cg_sb_vprintf(&b, fmt, ap);
    va_end(ap);
    return cg_sb_take(&b);
}

void cg_pool_free_all(void)
{
    while (pool_head) {
        pool_block *n = pool_head->next;
        free(pool_head);
        pool_head = n;
    }
}

/* ---------------------------------------------------------------- string builder */
static void sb_grow(cg_sb *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        oom();
    b->data = d;
    b->cap = cap;
}

void cg_sb_putn(cg_sb *b, const char *s, size_t n)
{
    sb_grow(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cg_sb_puts(cg_sb *b, const char *s)
{
    cg_sb_putn(b, s, strlen(s));
}

void cg_sb_vprintf(cg_sb *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    sb_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void cg_sb_printf(cg_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cg_sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void cg_sb_free(cg_sb *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *cg_sb_take(cg_sb *b)
{
    char *s = cg_strndup(b->data ? b->data : "", b->len);
    cg_sb_free(b);
    return s;
}

/* ---------------------------------------------------------------- diagnostics */
typedef struct diag {
    cg_loc loc;
    const char *kind;
    char *msg;
    size_t seq;
} diag;

static diag *diags;
static size_t ndiags, capdiags;
static int nerrors;

static void add_diag(cg_loc loc, const char *kind, const char *fmt, va_list ap)
{
    if (ndiags == capdiags) {
        capdiags = capdiags ? capdiags * 2 : 32;
        diag *d = realloc(diags, capdiags * sizeof *d);
        if (!d)
            oom();
        diags = d;
    }
    cg_sb b = {0};
    cg_sb_vprintf(&b, fmt, ap);
    diags[ndiags] = (diag){loc, kind, cg_sb_take(&b), ndiags};
    ndiags++;
}

void cg_error(cg_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(loc, "error", fmt, ap);
    va_end(ap);
    nerrors++;
}

void cg_warning(cg_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(loc, "warning", fmt, ap);
    va_end(ap);
}

void cg_note(cg_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(loc, "note", fmt, ap);
    va_end(ap);
}

int cg_error_count(void)
{
    return nerrors;
}

void cg_diag_reset(void)
{
    free(diags);
    diags = NULL;
    ndiags = capdiags = 0;
    nerrors = 0;
}

static int diag_cmp(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    int c = strcmp(x->loc.file ? x->loc.file : "", y->loc.file ? y->loc.file : "");
    if (c)
        return c;
    /* notes stay right after the diagnostic they belong to */
    if (x->loc.line != y->loc.line && strcmp(x->kind, "note") && strcmp(y->kind, "note"))
        return x->loc.line < y->loc.line ? -1 : 1;
    if (x->loc.line != y->loc.line)
        return x->seq < y->seq ? -1 : 1;
    if (x->loc.col != y->loc.col && strcmp(x->kind, "note") && strcmp(y->kind, "note"))
        return x->loc.col < y->loc.col ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

void cg_diag_flush(void)
{
    if (ndiags)
        qsort(diags, ndiags, sizeof *diags, diag_cmp);
    for (size_t i = 0; i < ndiags; i++) {
        diag *d = &diags[i];
        if (d->loc.line > 0)
            fprintf(stderr, "%s:%d:%d: %s: %s\n", d->loc.file, d->loc.line, d->loc.col, d->kind,
                    d->msg);
        else if (d->loc.file)
            fprintf(stderr, "%s: %s: %s\n", d->loc.file, d->kind, d->msg);
        else
            fprintf(stderr, "dynagen: %s: %s\n", d->kind, d->msg);
    }
    free(diags);
    diags = NULL;
    ndiags = capdiags = 0;
}

/* ---------------------------------------------------------------- names */
int cg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1; /* transposition */
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *cg_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    int bestd = 3;
    size_t wl = strlen(word);
    for (size_t i = 0; i < n; i++) {
        int d = cg_edit_distance(word, candidates[i]);
        int limit = wl <= 3 ? 1 : 2;
        if (d <= limit && d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    return best;
}

bool cg_is_c_identifier(const char *s)
{
    if (!*s || !(islower((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

bool cg_is_c_keyword(const char *s)
{
    static const char *const kw[] = {
        "auto",    "break",  "case",     "char",   "const",    "continue", "default",
        "do",      "double", "else",     "enum",   "extern",   "float",    "for",
        "goto",    "if",     "inline",   "int",    "long",     "register", "restrict",
        "return",  "short",  "signed",   "sizeof", "static",   "struct",   "switch",
        "typedef", "union",  "unsigned", "void",   "volatile", "while",    "bool",
        "true",    "false",  "present",  "errno",  "assert",   "offsetof", "_Bool",
    };
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
        if (!strcmp(s, kw[i]))
            return true;
    return false;
}

char *cg_upper(const char *s)
{
    char *r = cg_strdup(s);
    for (char *p = r; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return r;
}

char *cg_lower(const char *s)
{
    char *r = cg_strdup(s);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}
