/* dax-local — a compiled DAX expression (§8: [1, expr, [values]] or
 * projection [1, [path...]]) back to DynamoDB expression text with #n / :v
 * placeholders, so the request can be forwarded to the DynamoDB JSON API. */
#include "dax_internal.h"
#include "dax_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 48

typedef struct dctx {
    crd r;
    const char *prefix;
    dl_names *names;
    dg_arena *a;
    dg_error *err;
    dg_dax_projection *proj;
} dctx;

const char *dl_name_ph(dl_names *n, const char *name, size_t len)
{
    for (size_t i = 0; i < n->count; i++)
        if (strlen(n->list[i]) == len && memcmp(n->list[i], name, len) == 0) {
            static __thread char ph[32];
            snprintf(ph, sizeof ph, "#n%zu", i);
            return ph;
        }
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 8;
        char **l = realloc(n->list, cap * sizeof *l);
        if (!l)
            return NULL;
        n->list = l;
        n->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    memcpy(c, name, len);
    c[len] = 0;
    n->list[n->count] = c;
    static __thread char ph2[32];
    snprintf(ph2, sizeof ph2, "#n%zu", n->count);
    dg_buf_printf(&n->json, ",\"%s\":", ph2);
    dg_buf_json_string(&n->json, name, len);
    n->count++;
    return ph2;
}

void dl_names_free(dl_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->list[i]);
    free(n->list);
    dg_buf_free(&n->json);
    memset(n, 0, sizeof *n);
}

static int bad(dctx *d, const char *what)
{
    return dg_error_set(d->err, DG_EINVAL, NULL, "malformed expression: %s", what);
}

static int arr(dctx *d, size_t *count)
{
    bool indef = false;
    int rc = crd_array(&d->r, count, &indef, "expression node");
    if (rc)
        return rc < 0 ? rc : bad(d, "truncated");
    if (indef)
        return bad(d, "indefinite array");
    return 0;
}

/* path [18, part...] (header and code already read: n-1 parts left) */
static int emit_path_parts(dctx *d, size_t parts, dg_buf *b, dg_dax_path *out)
{
    if (parts == 0)
        return bad(d, "empty path");
    if (out) {
        out->elems = dg_arena_calloc(d->a, parts, sizeof *out->elems);
        out->count = parts;
        if (!out->elems)
            return DG_ENOMEM;
    }
    for (size_t i = 0; i < parts; i++) {
        ctok t;
        int rc = crd_peek(&d->r, &t);
        if (rc)
            return rc < 0 ? rc : bad(d, "truncated");
        if (t.kind == CT_TAG) {
            crd_next(&d->r, &t);
            if (t.u != DAX_TAG_PATH_ORDINAL)
                return bad(d, "unexpected tag in path");
            uint64_t idx;
            if ((rc = crd_uint(&d->r, &idx, "list index")) != 0)
                return rc < 0 ? rc : bad(d, "truncated");
            dg_buf_printf(b, "[%llu]", (unsigned long long)idx);
            if (out) {
                out->elems[i].is_index = true;
                out->elems[i].index = (uint32_t)idx;
            }
        } else {
            dg_str s;
            if ((rc = crd_text(&d->r, d->a, &s, "path element")) != 0)
                return rc < 0 ? rc : bad(d, "truncated");
            if (i > 0)
                dg_buf_putc(b, '.');
            const char *ph = dl_name_ph(d->names, s.ptr, s.len);
            if (!ph)
                return DG_ENOMEM;
            dg_buf_puts(b, ph);
            if (out)
                out->elems[i].name = s;
        }
    }
    return 0;
}

static int emit(dctx *d, dg_buf *b, unsigned depth);

static int emit_n(dctx *d, dg_buf *b, unsigned depth, size_t n, const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            dg_buf_puts(b, sep);
        int rc = emit(d, b, depth + 1);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *cmp_op(uint64_t code)
{
    static const char *ops[] = {" = ", " <> ", " < ", " >= ", " > ", " <= "};
    return code <= 5 ? ops[code] : NULL;
}

static const char *fn_name(uint64_t code)
{
    switch (code) {
    case 11:
        return "attribute_exists";
    case 12:
        return "attribute_not_exists";
    case 13:
        return "attribute_type";
    case 14:
        return "begins_with";
    case 15:
        return "contains";
    case 16:
        return "size";
    case 23:
        return "if_not_exists";
    case 24:
        return "list_append";
    default:
        return NULL;
    }
}

static int emit(dctx *d, dg_buf *b, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return bad(d, "too deep");
    size_t n;
    int rc = arr(d, &n);
    if (rc)
        return rc;
    if (n < 1)
        return bad(d, "empty node");
    uint64_t code;
    if ((rc = crd_uint(&d->r, &code, "function code")) != 0)
        return rc < 0 ? rc : bad(d, "truncated");
    size_t args = n - 1;
    if (code <= 5) {
        if (args != 2)
            return bad(d, "comparator arity");
        dg_buf_putc(b, '(');
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_puts(b, cmp_op(code));
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_putc(b, ')');
        return 0;
    }
    switch (code) {
    case 6:
    case 7:
        if (args < 2)
            return bad(d, "AND/OR arity");
        dg_buf_putc(b, '(');
        rc = emit_n(d, b, depth, args, code == 6 ? " AND " : " OR ");
        dg_buf_putc(b, ')');
        return rc;
    case 8:
        if (args != 1)
            return bad(d, "NOT arity");
        dg_buf_puts(b, "(NOT ");
        rc = emit(d, b, depth + 1);
        dg_buf_putc(b, ')');
        return rc;
    case 9:
        if (args != 3)
            return bad(d, "BETWEEN arity");
        dg_buf_putc(b, '(');
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_puts(b, " BETWEEN ");
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_puts(b, " AND ");
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_putc(b, ')');
        return 0;
    case 10: {
        if (args != 2)
            return bad(d, "IN arity");
        dg_buf_putc(b, '(');
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_puts(b, " IN (");
        size_t m;
        if ((rc = arr(d, &m)) != 0)
            return rc;
        if ((rc = emit_n(d, b, depth, m, ", ")) != 0)
            return rc;
        dg_buf_puts(b, "))");
        return 0;
    }
    case 17: {
        uint64_t idx;
        if (args != 1)
            return bad(d, "variable arity");
        if ((rc = crd_uint(&d->r, &idx, "variable")) != 0)
            return rc < 0 ? rc : bad(d, "truncated");
        dg_buf_printf(b, ":%s%llu", d->prefix, (unsigned long long)idx);
        return 0;
    }
    case 18:
        return emit_path_parts(d, args, b, NULL);
    case 25:
    case 26:
        if (args != 2)
            return bad(d, "+/- arity");
        if ((rc = emit(d, b, depth + 1)) != 0)
            return rc;
        dg_buf_puts(b, code == 25 ? " + " : " - ");
        return emit(d, b, depth + 1);
    default: {
        const char *fn = fn_name(code);
        if (!fn)
            return bad(d, "unknown function code");
        dg_buf_puts(b, fn);
        dg_buf_putc(b, '(');
        rc = emit_n(d, b, depth, args, ", ");
        dg_buf_putc(b, ')');
        return rc;
    }
    }
}

static int emit_update(dctx *d, dg_buf *text)
{
    size_t n;
    int rc = arr(d, &n);
    if (rc)
        return rc;
    dg_buf set = DG_BUF_INIT, add = DG_BUF_INIT, del = DG_BUF_INIT, rem = DG_BUF_INIT;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t m;
        uint64_t code;
        if ((rc = arr(d, &m)) != 0)
            break;
        if (m < 2) {
            rc = bad(d, "update action");
            break;
        }
        if ((rc = crd_uint(&d->r, &code, "action")) != 0) {
            rc = rc < 0 ? rc : bad(d, "truncated");
            break;
        }
        dg_buf *tgt = code == 19   ? &set
                      : code == 20 ? &add
                      : code == 21 ? &del
                      : code == 22 ? &rem
                                   : NULL;
        if (!tgt || (code == 22 ? m != 2 : m != 3)) {
            rc = bad(d, "update action");
            break;
        }
        if (tgt->len)
            dg_buf_puts(tgt, ", ");
        if ((rc = emit(d, tgt, 1)) != 0)
            break;
        if (code != 22) {
            dg_buf_puts(tgt, code == 19 ? " = " : " ");
            rc = emit(d, tgt, 1);
        }
    }
    if (rc == 0) {
        const char *sep = "";
        if (set.len) {
            dg_buf_printf(text, "%sSET %s", sep, set.data);
            sep = " ";
        }
        if (rem.len) {
            dg_buf_printf(text, "%sREMOVE %s", sep, rem.data);
            sep = " ";
        }
        if (add.len) {
            dg_buf_printf(text, "%sADD %s", sep, add.data);
            sep = " ";
        }
        if (del.len) {
            dg_buf_printf(text, "%sDELETE %s", sep, del.data);
        }
    }
    dg_buf_free(&set);
    dg_buf_free(&add);
    dg_buf_free(&del);
    dg_buf_free(&rem);
    return rc;
}

int dl_expr_decompile(const uint8_t *p, size_t n, char kind, const char *prefix, dl_names *names,
                      dl_values *values, dg_arena *a, dg_buf *text, dg_dax_projection *proj,
                      dg_error *err)
{
    dctx d = {.prefix = prefix, .names = names, .a = a, .err = err, .proj = proj};
    crd_init(&d.r, p, n, NULL, err);
    size_t cnt;
    int rc = arr(&d, &cnt);
    if (rc)
        return rc;
    uint64_t ver;
    if ((rc = crd_uint(&d.r, &ver, "version")) != 0 || ver != 1)
        return bad(&d, "version");
    if (kind == 'p') {
        if (cnt != 2)
            return bad(&d, "projection envelope");
        size_t np;
        if ((rc = arr(&d, &np)) != 0)
            return rc;
        if (proj) {
            proj->paths = dg_arena_calloc(a, np ? np : 1, sizeof *proj->paths);
            proj->count = np;
            if (!proj->paths)
                return DG_ENOMEM;
        }
        for (size_t i = 0; i < np; i++) {
            size_t m;
            uint64_t code;
            if ((rc = arr(&d, &m)) != 0)
                return rc;
            if (m < 2 || crd_uint(&d.r, &code, "path") != 0 || code != 18)
                return bad(&d, "projection path");
            if (i)
                dg_buf_puts(text, ", ");
            if ((rc = emit_path_parts(&d, m - 1, text, proj ? &proj->paths[i] : NULL)) != 0)
                return rc;
        }
        return crd_at_end(&d.r) ? 0 : bad(&d, "trailing bytes");
    }
    if (cnt != 3)
        return bad(&d, "envelope");
    rc = kind == 'u' ? emit_update(&d, text) : emit(&d, text, 0);
    if (rc)
        return rc;
    size_t nv;
    if ((rc = arr(&d, &nv)) != 0)
        return rc;
    for (size_t i = 0; i < nv; i++) {
        dg_dax_av av;
        if ((rc = dax_read_av(&d.r, a, 0, &av)) != 0)
            return rc < 0 ? rc : bad(&d, "truncated value");
        dg_buf_printf(&values->json, ",\":%s%zu\":", prefix, i);
        if ((rc = dg_dax_av_to_json(&av, &values->json)) != 0)
            return rc;
        values->count++;
    }
    if (dg_buf_status(text) || dg_buf_status(&values->json) || dg_buf_status(&names->json))
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    return crd_at_end(&d.r) ? 0 : bad(&d, "trailing bytes");
}
