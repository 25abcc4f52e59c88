/* dynagen runtime — helpers shared by the model codecs: error paths, double
 * formatting, duplicate detection, message quoting. */
#include "model_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- paths */

/* Append n bytes; on overflow keep what fits and end the path with "...". */
static void path_append(dg_path *p, const char *s, size_t n)
{
    size_t cap = sizeof p->buf - 1;
    if (p->len + n <= cap) {
        memcpy(p->buf + p->len, s, n);
        p->len += n;
    } else {
        size_t room = cap - p->len;
        memcpy(p->buf + p->len, s, room);
        p->len = cap;
        memcpy(p->buf + cap - 3, "...", 3);
    }
    p->buf[p->len] = '\0';
}

size_t dg_path_push_name(dg_path *p, const char *name)
{
    size_t mark = p->len;
    if (p->len > 0)
        path_append(p, ".", 1);
    path_append(p, name, strlen(name));
    return mark;
}

size_t dg_path_push_index(dg_path *p, size_t index)
{
    size_t mark = p->len;
    /* Hand-formatted: this runs for every list element and set member. */
    char tmp[32];
    size_t i = sizeof tmp;
    tmp[--i] = ']';
    do {
        tmp[--i] = (char)('0' + index % 10);
        index /= 10;
    } while (index != 0);
    tmp[--i] = '[';
    path_append(p, tmp + i, sizeof tmp - i);
    return mark;
}

static bool is_identifier(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

size_t dg_path_push_key(dg_path *p, const char *key, size_t n)
{
    size_t mark = p->len;
    if (is_identifier(key, n)) {
        if (p->len > 0)
            path_append(p, ".", 1);
        path_append(p, key, n);
        return mark;
    }
    char tmp[96];
    size_t t = 0;
    tmp[t++] = '[';
    tmp[t++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (t > 64) {
            memcpy(tmp + t, "...", 3);
            t += 3;
            break;
        }
        unsigned char c = (unsigned char)key[i];
        if (c == '"' || c == '\\') {
            tmp[t++] = '\\';
            tmp[t++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            t += (size_t)snprintf(tmp + t, sizeof tmp - t, "\\u%04x", c);
        } else {
            tmp[t++] = (char)c;
        }
    }
    tmp[t++] = '"';
    tmp[t++] = ']';
    path_append(p, tmp, t);
    return mark;
}

/* ---------------------------------------------------------------- errors */

int dg_model_fail(dg_error *err, int code, const dg_path *p, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    char msg[DG_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p != NULL && p->len > 0)
        return dg_error_set(err, code, p->buf, "%s: %s", p->buf, msg);
    return dg_error_set(err, code, "", "%s", msg);
}

int dg_model_refail(dg_error *err, int rc, const dg_path *p)
{
    if (err == NULL)
        return rc;
    if (err->code == DG_OK)
        err->code = rc;
    if (p == NULL || p->len == 0)
        return err->code;
    size_t n = p->len;
    bool prefixed =
        strncmp(err->message, p->buf, n) == 0 && (err->message[n] == ':' || err->message[n] == ' ');
    if (!prefixed) {
        char msg[DG_ERROR_MESSAGE_MAX];
        memcpy(msg, err->message, sizeof msg);
        msg[sizeof msg - 1] = '\0';
        size_t cap = sizeof err->message - 1, o = 0;
        const char *parts[3] = {p->buf, ": ", msg};
        for (int k = 0; k < 3; k++) {
            size_t l = strlen(parts[k]);
            if (l > cap - o)
                l = cap - o;
            memcpy(err->message + o, parts[k], l);
            o += l;
        }
        err->message[o] = '\0';
    }
    memcpy(err->field, p->buf, n + 1);
    return err->code;
}

void dg_model_quote(char *dst, size_t cap, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t t = 0;
    if (cap < 8) {
        if (cap > 0)
            dst[0] = '\0';
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (t + 8 >= cap) {
            memcpy(dst + t, "...", 3);
            t += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f || c == '\\') {
            dst[t++] = '\\';
            dst[t++] = 'x';
            dst[t++] = hex[c >> 4];
            dst[t++] = hex[c & 15];
        } else {
            dst[t++] = (char)c;
        }
    }
    dst[t] = '\0';
}

const char *dg_type_name(dg_type t)
{
    switch (t) {
    case DG_TYPE_STRING:
        return "string";
    case DG_TYPE_INT32:
        return "int32";
    case DG_TYPE_INT64:
        return "int64";
    case DG_TYPE_DECIMAL:
        return "decimal";
    case DG_TYPE_DOUBLE:
        return "double";
    case DG_TYPE_BOOL:
        return "bool";
    case DG_TYPE_BINARY:
        return "binary";
    case DG_TYPE_TIMESTAMP:
        return "timestamp";
    case DG_TYPE_TTL:
        return "ttl";
    case DG_TYPE_STRING_SET:
        return "string_set";
    case DG_TYPE_NUMBER_SET:
        return "number_set";
    case DG_TYPE_LIST:
        return "list";
    case DG_TYPE_MAP:
        return "map";
    case DG_TYPE_OBJECT:
        return "object";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- doubles */

int dg_model_format_double(dg_buf *b, double v, bool no_neg_zero)
{
    if (v == 0) {
        if (no_neg_zero || !signbit(v))
            return dg_buf_putc(b, '0');
        return dg_buf_append(b, "-0", 2);
    }
    /* %.15g that reads back exactly is the shortest form (a double carries
     * 15.95 digits, so no shorter text can round-trip while %.15g does not);
     * otherwise 16, and 17 always round-trips. */
    char tmp[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v)
            break;
    }
    return dg_buf_append(b, tmp, (size_t)n);
}

/* JSON-number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        i++;
        size_t st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == st)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == st)
            return false;
    }
    return i == n;
}

int dg_model_parse_double(const char *s, size_t n, double *out)
{
    if (!number_syntax(s, n))
        return DG_EINVAL;
    char small[64];
    char *tmp = small;
    if (n >= sizeof small) {
        tmp = malloc(n + 1);
        if (tmp == NULL)
            return DG_ENOMEM;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double v = strtod(tmp, NULL);
    if (tmp != small)
        free(tmp);
    if (!isfinite(v))
        return DG_ERANGE;
    *out = v;
    return 0;
}

bool dg_model_is_number(const char *s, size_t n)
{
    return number_syntax(s, n);
}

/* ---------------------------------------------------------------- duplicates */

typedef struct dup_ent {
    const dg_str *s;
    size_t idx;
} dup_ent;

static int str_cmp(const dg_str *a, const dg_str *b)
{
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    if (a->len == 0)
        return 0;
    return memcmp(a->ptr, b->ptr, a->len);
}

static int dup_cmp(const void *x, const void *y)
{
    const dup_ent *a = x, *b = y;
    int c = str_cmp(a->s, b->s);
    if (c != 0)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

ptrdiff_t dg_model_first_duplicate(const dg_str *items, size_t count)
{
    if (count < 2)
        return -1;
    if (count <= 24) {
        for (size_t i = 1; i < count; i++)
            for (size_t j = 0; j < i; j++)
                if (str_cmp(&items[i], &items[j]) == 0)
                    return (ptrdiff_t)i;
        return -1;
    }
    dup_ent *e = malloc(count * sizeof *e);
    if (e == NULL)
        return -2;
    for (size_t i = 0; i < count; i++) {
        e[i].s = &items[i];
        e[i].idx = i;
    }
    qsort(e, count, sizeof *e, dup_cmp);
    /* Within a run of equal members (sorted by index) the second one is the
     * first duplicate of that value; report the earliest across runs. */
    ptrdiff_t best = -1;
    for (size_t i = 1; i < count; i++) {
        if (str_cmp(e[i].s, e[i - 1].s) == 0 && (i < 2 || str_cmp(e[i - 1].s, e[i - 2].s) != 0)) {
            if (best < 0 || (ptrdiff_t)e[i].idx < best)
                best = (ptrdiff_t)e[i].idx;
        }
    }
    free(e);
    return best;
}

int dg_model_marshal_finish(dg_buf *out, size_t start, int rc, const char *what, dg_error *err)
{
    if (rc == 0 || dg_buf_status(out) != 0)
        rc = dg_buf_status(out);
    if (rc == 0)
        return 0;
    if (rc == DG_ENOMEM)
        dg_error_set(err, DG_ENOMEM, NULL, "out of memory writing %s", what);
    if (out->failed == 0 && out->len > start) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

void *dg_grow_more(dg_arena *a, dg_grow *g)
{
    size_t ncap = g->cap ? g->cap * 2 : 8;
    char *n = dg_arena_realloc(a, g->items, g->cap * g->size, ncap * g->size);
    if (n == NULL)
        return NULL;
    memset(n + g->cap * g->size, 0, (ncap - g->cap) * g->size);
    g->items = n;
    g->cap = ncap;
    return g->items + g->size * g->count++;
}
