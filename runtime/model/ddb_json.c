/* dynagen runtime — DynamoDB AttributeValue JSON, driven by the descriptors.
 *
 * Marshal appends straight into a dg_buf (no tree), key and scalar value in
 * one reservation. Unmarshal from text (dg_ddb_unmarshal) pulls the attribute
 * map from the strict streaming reader (json_reader.c), no tree at all;
 * dg_ddb_unmarshal_cjson walks a cJSON tree a caller already holds. Both copy
 * what they keep into the arena. */
#include "model_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../core/json_scan.h"
#include "dynagen/codec_util.h"
#include "dynagen/decimal.h"
#include "json_reader.h"

#define PUT(b, lit) dg_buf_append((b), (lit), sizeof(lit) - 1)

/* Epoch range that RFC 3339 can express (years 0001..9999). */
#define TS_MIN_MS INT64_C(-62135596800000)
#define TS_MAX_MS INT64_C(253402300799999)

/* DynamoDB number magnitude limits for doubles. */
#define DDB_MAX_MAG 9.9999999999999999999999999999999999999e125
#define DDB_MIN_MAG 1e-130

/* ================================================================ marshal */

typedef struct mctx {
    dg_buf *b;
    dg_path path;
    dg_error *err;
} mctx;

static int m_object(mctx *c, const dg_object_desc *d, const void *obj, int depth);

/* True when the value is not written at all: an empty set (DynamoDB cannot
 * store one) or an empty string/binary in an index key (sparse index). */
static inline bool omitted(const dg_field_desc *f, const void *v)
{
    switch (f->type) {
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET:
        return ((const dg_set *)v)->count == 0;
    case DG_TYPE_STRING:
        return (f->flags & DG_F_INDEX_KEY) && ((const dg_str *)v)->len == 0;
    case DG_TYPE_BINARY:
        return (f->flags & DG_F_INDEX_KEY) && ((const dg_bytes *)v)->len == 0;
    default:
        return false;
    }
}

/* Copy a string literal to w; evaluates to the end. */
#define LIT(w, lit) ((char *)memcpy((w), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* Room a scalar needs after its key: {"N":"<48 chars>"} or {"BOOL":false}. */
#define SCALAR_ROOM (6 + DG_DECIMAL_CHARS_MAX + 2)

/* ---- fast writers (the output is byte for byte what the dg_buf helpers write) */

static inline uint64_t m_load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint32_t m_load4(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* dst[0..n) = src[0..n) for short n without a call. */
static inline void m_copy_small(char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x = m_load8(src), y = m_load8(src + n - 8);
        memcpy(dst, &x, 8);
        memcpy(dst + n - 8, &y, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x = m_load4(src), y = m_load4(src + n - 4);
        memcpy(dst, &x, 4);
        memcpy(dst + n - 4, &y, 4);
    } else {
        memcpy(dst, src, n);
    }
}

/* Copy the prefix of s[0..n) that needs no JSON escape to w (room for n
 * bytes; bytes after the prefix may be written too) and return its length:
 * dg_buf_json_string_wrapped's first plain run. Never reads outside s[0..n). */
static inline __attribute__((always_inline)) size_t m_copy_run(char *w, const char *s, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            _mm_storeu_si128((__m128i *)(void *)(w + i), v);
            unsigned m = dg_json_special16(v);
            if (m != 0)
                return i + (size_t)__builtin_ctz(m);
            i += 16;
            if (n - i < 16)
                break;
        }
        if (i == n)
            return n;
        /* The last block overlaps the one before: drop the lanes already seen. */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
        _mm_storeu_si128((__m128i *)(void *)(w + n - 16), v);
        unsigned m = dg_json_special16(v) >> (16 - (n - i));
        return m != 0 ? i + (size_t)__builtin_ctz(m) : n;
    }
    if (n >= 8) {
        uint64_t x = m_load8(s), y = m_load8(s + n - 8);
        memcpy(w, &x, 8);
        memcpy(w + n - 8, &y, 8);
        unsigned m = dg_json_special16(_mm_set_epi64x((long long)y, (long long)x));
        if (m == 0)
            return n;
        return (m & 0xFFu) != 0 ? (size_t)__builtin_ctz(m) : n - 8 + (size_t)__builtin_ctz(m >> 8);
    }
    if (n >= 4) {
        uint32_t x = m_load4(s), y = m_load4(s + n - 4);
        memcpy(w, &x, 4);
        memcpy(w + n - 4, &y, 4);
        unsigned m =
            dg_json_special16(_mm_set_epi32(0x41414141, 0x41414141, (int)y, (int)x)) & 0xFFu;
        if (m == 0)
            return n;
        return (m & 0xFu) != 0 ? (size_t)__builtin_ctz(m) : n - 4 + (size_t)__builtin_ctz(m >> 4);
    }
#endif
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == '"' || ch == '\\')
            break;
        w[i] = (char)ch;
    }
    return i;
}

/* pre, s as a JSON string, post: dg_buf_json_string_wrapped (same steps,
 * same bytes), the plain part inline. */
static inline __attribute__((always_inline)) int
m_str(dg_buf *b, const char *pre, size_t pn, const char *s, size_t n, const char *post, size_t qn)
{
    size_t want;
    if (__builtin_add_overflow(n, pn + qn + 2, &want))
        return dg_buf_json_string_wrapped(b, pre, pn, s, n, post, qn);
    char *w = dg_buf_room(b, want);
    if (w == NULL)
        return DG_ENOMEM;
    if (pn == 1)
        *w = *pre; /* "," (pn is often 0 or 1 only at run time) */
    else if (pn > 0)
        memcpy(w, pre, pn);
    w += pn;
    *w++ = '"';
    size_t i = m_copy_run(w, s, n);
    if (i < n)
        return dg_buf_json_escape_rest(b, w + i, s, i, n, post, qn);
    w += n;
    *w++ = '"';
    if (qn > 0)
        memcpy(w, post, qn);
    dg_buf_commit(b, w + qn);
    return 0;
}

/* A literal through dg_buf_room (what dg_buf_append / dg_buf_putc write). */
static inline int m_put(dg_buf *b, const char *lit, size_t n)
{
    char *w = dg_buf_room(b, n);
    if (w == NULL)
        return DG_ENOMEM;
    memcpy(w, lit, n);
    dg_buf_commit(b, w + n);
    return 0;
}
#define MPUT(b, lit) m_put((b), (lit), sizeof(lit) - 1)

/* Decimal text of v at w (at most 20 bytes); the end. What dg_u64_to_chars
 * writes, with the length known up front so the digits go straight to w. */
static inline char *m_u64(char *w, uint64_t v)
{
    static const char d2[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    static const uint64_t p10[20] = {1u,
                                     10u,
                                     100u,
                                     1000u,
                                     10000u,
                                     100000u,
                                     1000000u,
                                     10000000u,
                                     100000000u,
                                     1000000000u,
                                     UINT64_C(10000000000),
                                     UINT64_C(100000000000),
                                     UINT64_C(1000000000000),
                                     UINT64_C(10000000000000),
                                     UINT64_C(100000000000000),
                                     UINT64_C(1000000000000000),
                                     UINT64_C(10000000000000000),
                                     UINT64_C(100000000000000000),
                                     UINT64_C(1000000000000000000),
                                     UINT64_C(10000000000000000000)};
    if (v < 10) {
        *w = (char)('0' + v);
        return w + 1;
    }
    /* digits: floor(log10(v)) + 1, from the bit length */
    unsigned bits = 64u - (unsigned)__builtin_clzll(v);
    unsigned t = (bits * 1233u) >> 12;
    char *end = w + t + 1 - (v < p10[t]), *p = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = d2[d];
        p[1] = d2[d + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = d2[v * 2];
        p[1] = d2[v * 2 + 1];
    } else {
        *--p = (char)('0' + v);
    }
    return end;
}

static inline __attribute__((always_inline)) char *m_i64(char *w, int64_t v)
{
    if (v >= 0)
        return m_u64(w, (uint64_t)v);
    *w = '-';
    return m_u64(w + 1, (uint64_t)0 - (uint64_t)v);
}

/* Values whose encoding never fails (but for running out of memory): they
 * need no error path while being written. */
static bool cannot_fail(const dg_field_desc *f)
{
    switch (f->type) {
    case DG_TYPE_STRING:
    case DG_TYPE_INT32:
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
    case DG_TYPE_DECIMAL:
    case DG_TYPE_BOOL:
    case DG_TYPE_BINARY:
        return true;
    default:
        return false;
    }
}

/* Write a number / bool AttributeValue at w (SCALAR_ROOM bytes of room);
 * the end, or NULL when f is not such a scalar. */
static inline __attribute__((always_inline)) char *m_scalar(char *w, const dg_field_desc *f,
                                                            const void *v)
{
    switch (f->type) {
    case DG_TYPE_INT32:
        w = LIT(w, "{\"N\":\"");
        w = m_i64(w, *(const int32_t *)v);
        return LIT(w, "\"}");
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
        w = LIT(w, "{\"N\":\"");
        w = m_i64(w, *(const int64_t *)v);
        return LIT(w, "\"}");
    case DG_TYPE_DECIMAL:
        if (f->scale < 0 || f->scale > DG_DECIMAL_MAX_SCALE)
            return NULL; /* the general path writes what it always wrote */
        w = LIT(w, "{\"N\":\"");
        w += dg_decimal_to_chars(w, *(const int64_t *)v, f->scale);
        return LIT(w, "\"}");
    case DG_TYPE_BOOL:
        return *(const bool *)v ? LIT(w, "{\"BOOL\":true}") : LIT(w, "{\"BOOL\":false}");
    default:
        return NULL;
    }
}

/* {"S":"..."} */
static inline int m_string(dg_buf *b, const dg_str *s)
{
    return m_str(b, "{\"S\":", 5, s->ptr != NULL ? s->ptr : "", s->len, "}", 1);
}

static int m_value(mctx *c, const dg_field_desc *f, const void *v, int depth)
{
    dg_buf *b = c->b;
    switch (f->type) {
    case DG_TYPE_STRING:
        return m_string(b, v);
    case DG_TYPE_INT32:
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
    case DG_TYPE_BOOL:
    case DG_TYPE_DECIMAL: {
        char *w = dg_buf_room(b, SCALAR_ROOM);
        if (w == NULL)
            return DG_ENOMEM;
        char *end = m_scalar(w, f, v);
        if (end != NULL) {
            dg_buf_commit(b, end);
            return 0;
        }
        /* DECIMAL with a scale the runtime does not support */
        PUT(b, "{\"N\":\"");
        dg_decimal_format(b, *(const int64_t *)v, f->scale);
        return PUT(b, "\"}");
    }
    case DG_TYPE_DOUBLE: {
        double x = *(const double *)v;
        if (!isfinite(x))
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "must be a finite number");
        double ax = fabs(x);
        if (ax > DDB_MAX_MAG || (ax != 0 && ax < DDB_MIN_MAG))
            return dg_model_fail(c->err, DG_ERANGE, &c->path,
                                 "outside DynamoDB's number range (1E-130 .. 9.99E+125)");
        PUT(b, "{\"N\":\"");
        dg_model_format_double(b, x, true);
        return PUT(b, "\"}");
    }
    case DG_TYPE_BINARY: {
        const dg_bytes *x = v;
        PUT(b, "{\"B\":\"");
        dg_base64_encode(b, x->ptr, x->len);
        return PUT(b, "\"}");
    }
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET: {
        const dg_set *s = v;
        if (s->count == 0)
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "DynamoDB cannot store an empty set");
        if (f->type == DG_TYPE_STRING_SET)
            MPUT(b, "{\"SS\":[");
        else
            MPUT(b, "{\"NS\":[");
        for (size_t i = 0; i < s->count; i++)
            m_str(b, ",", i > 0, s->items[i].ptr != NULL ? s->items[i].ptr : "", s->items[i].len,
                  NULL, 0);
        return MPUT(b, "]}");
    }
    case DG_TYPE_LIST: {
        const dg_list *l = v;
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: list without an element type");
        PUT(b, "{\"L\":[");
        bool quiet = cannot_fail(e);
        for (size_t i = 0; i < l->count; i++) {
            if (i > 0)
                dg_buf_putc(b, ',');
            const void *ev = (const char *)l->items + i * e->size;
            if (quiet) {
                m_value(c, e, ev, depth + 1);
                continue;
            }
            size_t mark = dg_path_push_index(&c->path, i);
            int rc = m_value(c, e, ev, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return PUT(b, "]}");
    }
    case DG_TYPE_MAP: {
        const dg_map *m = v;
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: map without a value type");
        MPUT(b, "{\"M\":{");
        bool first = true, quiet = cannot_fail(e);
        for (size_t i = 0; i < m->count; i++) {
            const void *ev = (const char *)m->values + i * e->size;
            if (omitted(e, ev))
                continue;
            const char *kp = m->keys[i].ptr != NULL ? m->keys[i].ptr : "";
            if (e->type == DG_TYPE_STRING) { /* ,"key":{"S":"value"} */
                const dg_str *sv = ev;
                m_str(b, ",", !first, kp, m->keys[i].len, ":{\"S\":", 6);
                m_str(b, NULL, 0, sv->ptr != NULL ? sv->ptr : "", sv->len, "}", 1);
                first = false;
                continue;
            }
            dg_buf_json_string_wrapped(b, ",", !first, kp, m->keys[i].len, ":", 1);
            first = false;
            if (quiet) {
                m_value(c, e, ev, depth + 1);
                continue;
            }
            size_t mark = dg_path_push_key(&c->path, m->keys[i].ptr, m->keys[i].len);
            int rc = m_value(c, e, ev, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return MPUT(b, "}}");
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: object without a descriptor");
        MPUT(b, "{\"M\":");
        {
            int rc = m_object(c, f->object, v, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
        }
        return MPUT(b, "}");
    }
    return dg_model_fail(c->err, DG_EINTERNAL, &c->path, "descriptor: unknown type %d",
                         (int)f->type);
}

/* Append [','] and the member key "Attr": of f, with `extra` more bytes of
 * room after it; returns the write position (not yet committed) or NULL. */
static inline char *m_key(dg_buf *b, const dg_field_desc *f, bool comma, size_t extra)
{
    char *w;
    if (f->attr_key != NULL) {
        if ((w = dg_buf_room(b, 1 + f->attr_key_len + extra)) == NULL)
            return NULL;
        *w = ',';
        w += comma;
        m_copy_small(w, f->attr_key, f->attr_key_len);
        return w + f->attr_key_len;
    }
    if (comma)
        dg_buf_putc(b, ',');
    dg_buf_json_string(b, f->attr, strlen(f->attr));
    if ((w = dg_buf_room(b, 1 + extra)) == NULL)
        return NULL;
    *w = ':';
    return w + 1;
}

/* dg_path_push_name without the strlen when the name's length is known and it fits. */
static inline size_t m_push_name(dg_path *p, const dg_field_desc *f)
{
    size_t mark = p->len;
    if (f->name_len == 0 || p->len + 1 + f->name_len >= sizeof p->buf)
        return dg_path_push_name(p, f->name);
    char *w = p->buf + p->len;
    if (p->len > 0)
        *w++ = '.';
    memcpy(w, f->name, f->name_len);
    w[f->name_len] = '\0';
    p->len = (size_t)(w - p->buf) + f->name_len;
    return mark;
}

static int m_object(mctx *c, const dg_object_desc *d, const void *obj, int depth)
{
    dg_buf *b = c->b;
    if (depth > DG_JSON_MAX_DEPTH)
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "nested deeper than %d levels",
                             DG_JSON_MAX_DEPTH);
    uint64_t present = *(const uint64_t *)((const char *)obj + d->presence_offset);
    MPUT(b, "{");
    bool first = true;
    for (uint32_t i = 0; i < d->field_count; i++) {
        if (!((present >> i) & 1u))
            continue;
        const dg_field_desc *f = &d->fields[i];
        const void *v = dg_field_cptr(obj, f);
        if (omitted(f, v))
            continue;
        bool comma = !first;
        first = false;
        /* Key and scalar value in one reservation. */
        char *w = m_key(b, f, comma, SCALAR_ROOM);
        if (w == NULL)
            continue; /* the buffer failed: reported at the end */
        char *end = m_scalar(w, f, v);
        if (end != NULL) {
            dg_buf_commit(b, end);
            continue;
        }
        dg_buf_commit(b, w);
        if (cannot_fail(f)) {
            m_value(c, f, v, depth);
            continue;
        }
        size_t mark = m_push_name(&c->path, f);
        int rc = m_value(c, f, v, depth);
        if (rc < 0 && dg_buf_status(b) == 0)
            return rc;
        dg_path_pop(&c->path, mark);
    }
    return MPUT(b, "}");
}

int dg_ddb_marshal(const dg_object_desc *d, const void *obj, dg_buf *out, dg_error *err)
{
    if (d == NULL || obj == NULL || out == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_marshal: NULL argument");
    mctx c;
    c.b = out;
    c.err = err;
    dg_path_init(&c.path);
    size_t start = out->len;
    return dg_model_marshal_finish(out, start, m_object(&c, d, obj, 0), "DynamoDB JSON", err);
}

int dg_ddb_marshal_field(const dg_object_desc *d, const void *obj, uint32_t idx, dg_buf *out,
                         dg_error *err)
{
    if (d == NULL || obj == NULL || out == NULL || idx >= d->field_count)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_marshal_field: bad argument");
    const dg_field_desc *f = &d->fields[idx];
    if (!dg_is_present(d, obj, idx))
        return dg_error_set(err, DG_EINVAL, f->name, "%s: required", f->name);
    mctx c;
    c.b = out;
    c.err = err;
    dg_path_init(&c.path);
    dg_path_push_name(&c.path, f->name);
    size_t start = out->len;
    return dg_model_marshal_finish(out, start, m_value(&c, f, dg_field_cptr(obj, f), 0),
                                   "DynamoDB JSON", err);
}

static int m_key_field(mctx *c, const dg_object_desc *d, const void *obj, int32_t idx, bool *first)
{
    if (idx < 0)
        return 0;
    if ((uint32_t)idx >= d->field_count)
        return dg_error_set(c->err, DG_EINTERNAL, NULL,
                            "descriptor: key field index %d out of range", (int)idx);
    const dg_field_desc *f = &d->fields[idx];
    size_t mark = dg_path_push_name(&c->path, f->name);
    if (!dg_is_present(d, obj, (uint32_t)idx))
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "required (part of the primary key)");
    const void *v = dg_field_cptr(obj, f);
    if ((f->type == DG_TYPE_STRING && ((const dg_str *)v)->len == 0) ||
        (f->type == DG_TYPE_BINARY && ((const dg_bytes *)v)->len == 0))
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "a key attribute cannot be empty");
    if (!*first)
        dg_buf_putc(c->b, ',');
    *first = false;
    dg_buf_json_string(c->b, f->attr, strlen(f->attr));
    dg_buf_putc(c->b, ':');
    int rc = m_value(c, f, v, 0);
    if (rc < 0 && dg_buf_status(c->b) == 0)
        return rc;
    dg_path_pop(&c->path, mark);
    return 0;
}

int dg_ddb_marshal_key(const dg_table_desc *t, const void *obj, dg_buf *out, dg_error *err)
{
    if (t == NULL || t->item == NULL || obj == NULL || out == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_marshal_key: NULL argument");
    mctx c;
    c.b = out;
    c.err = err;
    dg_path_init(&c.path);
    size_t start = out->len;
    bool first = true;
    dg_buf_putc(out, '{');
    int rc = m_key_field(&c, t->item, obj, t->partition_field, &first);
    if (rc == 0)
        rc = m_key_field(&c, t->item, obj, t->sort_field, &first);
    if (rc == 0)
        dg_buf_putc(out, '}');
    return dg_model_marshal_finish(out, start, rc, "DynamoDB JSON", err);
}

/* ================================================================ unmarshal */

typedef struct uctx {
    dg_arena *a;
    dg_path path;
    dg_error *err;
} uctx;

#define ABSENT 1 /* u_value result: {"NULL":true} or an empty set */

static int u_object(uctx *c, const dg_object_desc *d, const cJSON *m, void *obj, int depth);

/* a == b for short NUL-terminated strings, inlined (type tags, attribute
 * names): cheaper than a strcmp call on this path. */
static inline bool str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static const char *av_tag_name(const cJSON *av)
{
    return (av != NULL && av->string != NULL) ? av->string : "?";
}

static int wrong_type(uctx *c, const char *want, const cJSON *tv)
{
    char q[24];
    const char *got = av_tag_name(tv);
    dg_model_quote(q, sizeof q, got, strlen(got));
    return dg_model_fail(c->err, DG_EINVAL, &c->path, "expected DynamoDB type %s, got %s", want, q);
}

static int oom(uctx *c)
{
    return dg_model_fail(c->err, DG_ENOMEM, &c->path, "out of memory");
}

/* The string value of a tagged AttributeValue, e.g. {"S":"x"} with tag "S". */
static int tagged_string(uctx *c, const cJSON *tv, const char *tag, const char **s, size_t *n)
{
    if (!str_eq(tv->string, tag))
        return wrong_type(c, tag, tv);
    if (!cJSON_IsString(tv) || tv->valuestring == NULL)
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "malformed %s value: not a JSON string",
                             tag);
    *s = tv->valuestring;
    *n = strlen(tv->valuestring);
    return 0;
}

static int copy_string(uctx *c, const char *s, size_t n, dg_str *out)
{
    if (!dg_utf8_valid(s, n))
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "not valid UTF-8");
    char *p = dg_arena_strndup(c->a, s, n);
    if (p == NULL)
        return oom(c);
    *out = dg_str_from(p, n);
    return 0;
}

static int u_set(uctx *c, const dg_field_desc *f, const cJSON *tv, dg_set *out)
{
    bool num = f->type == DG_TYPE_NUMBER_SET;
    const char *tag = num ? "NS" : "SS";
    if (!str_eq(tv->string, tag))
        return wrong_type(c, tag, tv);
    if (!cJSON_IsArray(tv))
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "malformed %s value: not a JSON array",
                             tag);
    size_t count = 0;
    for (const cJSON *e = tv->child; e != NULL; e = e->next)
        count++;
    if (count == 0)
        return ABSENT;
    dg_str *items = dg_arena_alloc(c->a, count * sizeof *items);
    if (items == NULL)
        return oom(c);
    size_t i = 0;
    for (const cJSON *e = tv->child; e != NULL; e = e->next, i++) {
        size_t mark = dg_path_push_index(&c->path, i);
        if (!cJSON_IsString(e) || e->valuestring == NULL)
            return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                 "malformed %s member: not a JSON string", tag);
        size_t n = strlen(e->valuestring);
        int rc = num ? dg_number_canonical(e->valuestring, n, c->a, &items[i], c->path.buf, c->err)
                     : copy_string(c, e->valuestring, n, &items[i]);
        if (rc != 0)
            return num ? dg_model_refail(c->err, rc, &c->path) : rc;
        dg_path_pop(&c->path, mark);
    }
    out->items = items;
    out->count = count;
    return 0;
}

/* Decode one AttributeValue `av` ({"<tag>":...}) into v per f. */
static int u_value(uctx *c, const dg_field_desc *f, const cJSON *av, void *v, int depth)
{
    if (!cJSON_IsObject(av) || av->child == NULL || av->child->next != NULL ||
        av->child->string == NULL)
        return dg_model_fail(
            c->err, DG_EINVAL, &c->path,
            "malformed AttributeValue: expected an object with exactly one type key");
    const cJSON *tv = av->child;
    const char *tag = tv->string;
    if (tag[0] == 'N' && tag[1] == 'U' && str_eq(tag, "NULL"))
        return ABSENT;
    const char *s;
    size_t n;
    int rc;
    switch (f->type) {
    case DG_TYPE_STRING:
        if ((rc = tagged_string(c, tv, "S", &s, &n)) != 0)
            return rc;
        return copy_string(c, s, n, v);
    case DG_TYPE_INT32: {
        int64_t x;
        if ((rc = tagged_string(c, tv, "N", &s, &n)) != 0)
            return rc;
        if ((rc = dg_int_parse(s, n, INT32_MIN, INT32_MAX, &x, c->path.buf, c->err)) != 0)
            return dg_model_refail(c->err, rc, &c->path);
        *(int32_t *)v = (int32_t)x;
        return 0;
    }
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL: {
        int64_t lo = INT64_MIN, hi = INT64_MAX;
        if (f->type == DG_TYPE_TIMESTAMP) {
            lo = TS_MIN_MS;
            hi = TS_MAX_MS;
        } else if (f->type == DG_TYPE_TTL) {
            lo = TS_MIN_MS / 1000;
            hi = TS_MAX_MS / 1000;
        }
        if ((rc = tagged_string(c, tv, "N", &s, &n)) != 0)
            return rc;
        if ((rc = dg_int_parse(s, n, lo, hi, v, c->path.buf, c->err)) != 0)
            return dg_model_refail(c->err, rc, &c->path);
        return 0;
    }
    case DG_TYPE_DECIMAL:
        if ((rc = tagged_string(c, tv, "N", &s, &n)) != 0)
            return rc;
        if ((rc = dg_decimal_parse(s, n, f->scale, v, c->path.buf, c->err)) != 0)
            return dg_model_refail(c->err, rc, &c->path);
        return 0;
    case DG_TYPE_DOUBLE:
        if ((rc = tagged_string(c, tv, "N", &s, &n)) != 0)
            return rc;
        rc = dg_model_parse_double(s, n, v);
        if (rc == DG_ERANGE)
            return dg_model_fail(c->err, rc, &c->path, "number out of range for a double");
        if (rc != 0)
            return dg_model_fail(c->err, rc, &c->path, "not a number");
        return 0;
    case DG_TYPE_BOOL:
        if (!str_eq(tag, "BOOL"))
            return wrong_type(c, "BOOL", tv);
        if (!cJSON_IsBool(tv))
            return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                 "malformed BOOL value: not true/false");
        *(bool *)v = cJSON_IsTrue(tv);
        return 0;
    case DG_TYPE_BINARY:
        if ((rc = tagged_string(c, tv, "B", &s, &n)) != 0)
            return rc;
        if ((rc = dg_base64_decode(s, n, c->a, v, c->path.buf, c->err)) != 0)
            return dg_model_refail(c->err, rc, &c->path);
        return 0;
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET:
        return u_set(c, f, tv, v);
    case DG_TYPE_LIST: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: list without an element type");
        if (!str_eq(tag, "L"))
            return wrong_type(c, "L", tv);
        if (!cJSON_IsArray(tv))
            return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                 "malformed L value: not a JSON array");
        size_t count = 0;
        for (const cJSON *x = tv->child; x != NULL; x = x->next)
            count++;
        char *items = dg_arena_calloc(c->a, count, e->size);
        if (items == NULL)
            return oom(c);
        size_t i = 0;
        for (const cJSON *x = tv->child; x != NULL; x = x->next, i++) {
            size_t mark = dg_path_push_index(&c->path, i);
            rc = u_value(c, e, x, items + i * e->size, depth + 1);
            if (rc == ABSENT)
                return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                     "null or empty set not allowed in a list");
            if (rc != 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        dg_list *l = v;
        l->items = items;
        l->count = count;
        return 0;
    }
    case DG_TYPE_MAP: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: map without a value type");
        if (!str_eq(tag, "M"))
            return wrong_type(c, "M", tv);
        if (!cJSON_IsObject(tv))
            return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                 "malformed M value: not a JSON object");
        size_t count = 0;
        for (const cJSON *x = tv->child; x != NULL; x = x->next)
            count++;
        dg_str *keys = dg_arena_calloc(c->a, count, sizeof *keys);
        char *vals = dg_arena_calloc(c->a, count, e->size);
        if (keys == NULL || vals == NULL)
            return oom(c);
        size_t i = 0;
        for (const cJSON *x = tv->child; x != NULL; x = x->next) {
            size_t kn = strlen(x->string);
            size_t mark = dg_path_push_key(&c->path, x->string, kn);
            if ((rc = copy_string(c, x->string, kn, &keys[i])) != 0)
                return rc;
            rc = u_value(c, e, x, vals + i * e->size, depth + 1);
            if (rc < 0)
                return rc;
            if (rc == 0) /* a null or empty-set value drops the entry */
                i++;
            dg_path_pop(&c->path, mark);
        }
        dg_map *m = v;
        m->keys = keys;
        m->values = vals;
        m->count = i;
        return 0;
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: object without a descriptor");
        if (!str_eq(tag, "M"))
            return wrong_type(c, "M", tv);
        return u_object(c, f->object, tv, v, depth + 1);
    }
    return dg_model_fail(c->err, DG_EINTERNAL, &c->path, "descriptor: unknown type %d",
                         (int)f->type);
}

/* Field whose attribute name is `name`, or -1. Linear: entities are small,
 * and the first-byte test rejects most candidates without a strcmp. */
static int find_attr(const dg_object_desc *d, const char *name, uint32_t hint)
{
    uint32_t n = d->field_count;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = hint + k;
        if (i >= n)
            i -= n;
        const char *a = d->fields[i].attr;
        if (a[0] == name[0] && str_eq(a, name))
            return (int)i;
    }
    return -1;
}

static int u_object(uctx *c, const dg_object_desc *d, const cJSON *m, void *obj, int depth)
{
    if (depth > DG_JSON_MAX_DEPTH)
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "nested deeper than %d levels",
                             DG_JSON_MAX_DEPTH);
    if (!cJSON_IsObject(m))
        return dg_model_fail(c->err, DG_EINVAL, &c->path,
                             "expected an attribute map (a JSON object)");
    uint64_t *present = dg_presence(d, obj);
    uint32_t hint = 0;
    for (const cJSON *x = m->child; x != NULL; x = x->next) {
        if (x->string == NULL)
            continue;
        int i = find_attr(d, x->string, hint);
        if (i < 0)
            continue; /* unknown attribute: schema evolution */
        hint = (uint32_t)i + 1;
        const dg_field_desc *f = &d->fields[i];
        size_t mark = dg_path_push_name(&c->path, f->name);
        int rc = u_value(c, f, x, dg_field_ptr(obj, f), depth);
        if (rc < 0)
            return rc;
        if (rc == ABSENT)
            *present &= ~((uint64_t)1 << i);
        else
            *present |= (uint64_t)1 << i;
        dg_path_pop(&c->path, mark);
    }
    return 0;
}

int dg_ddb_unmarshal_cjson(const dg_object_desc *d, const void *item, void *obj, dg_arena *a,
                           dg_error *err)
{
    if (d == NULL || item == NULL || obj == NULL || a == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_unmarshal: NULL argument");
    uctx c;
    c.a = a;
    c.err = err;
    dg_path_init(&c.path);
    return u_object(&c, d, item, obj, 0);
}

/* ================================================================ unmarshal from text
 *
 * The same decoding as above, pulled straight from the text by the strict
 * streaming reader (json_reader.c): no tree, no per-node allocation; strings
 * are copied (or unescaped) into the arena once, numbers are parsed from their
 * text in place. Error messages match the cJSON walk: the shape of an
 * AttributeValue (exactly one type key) is judged before its type. */

/* JSON nesting the reader allows: DynamoDB nests 32 levels of documents, each
 * two JSON levels ({"M":{...}}), inside the item map; typed objects stop at
 * DG_JSON_MAX_DEPTH before this is reached. */
#define DDB_TEXT_MAX_DEPTH (2 * DG_JSON_MAX_DEPTH + 4)

/* The error path ("dims.origin.zip", "specs.color", "tags[2]") is not built
 * while decoding: the walk keeps a stack of segments (a field name, a list
 * index or a map key, pointing at the descriptor or at the key text) and
 * s_path() formats them with the dg_path_push_* functions only when an error
 * is reported. Every live segment belongs to a distinct open JSON container,
 * so the reader's depth limit bounds the stack. */
enum { SEG_NAME, SEG_INDEX, SEG_KEY };

typedef struct pseg {
    const char *s; /* SEG_NAME: the NUL-terminated name; SEG_KEY: the key text */
    size_t n;      /* SEG_KEY: the key length; SEG_INDEX: the index */
    int kind;
} pseg;

#define SEG_MAX (DDB_TEXT_MAX_DEPTH + 4)

typedef struct sctx {
    dg_jr r;
    dg_arena *a;
    dg_error *err;
    unsigned nseg;
    pseg seg[SEG_MAX];
    dg_path path; /* built by s_path */
} sctx;

static int s_object(sctx *c, const dg_object_desc *d, void *obj, int depth);

/* The path of the current position, formatted (error reports only). */
static dg_path *s_path(sctx *c)
{
    dg_path_init(&c->path);
    for (unsigned i = 0; i < c->nseg; i++) {
        const pseg *g = &c->seg[i];
        if (g->kind == SEG_NAME)
            dg_path_push_name(&c->path, g->s);
        else if (g->kind == SEG_INDEX)
            dg_path_push_index(&c->path, g->n);
        else
            dg_path_push_key(&c->path, g->s, g->n);
    }
    return &c->path;
}

/* Cannot happen (see above); a clean error rather than an overrun. */
static int s_too_deep(sctx *c) __attribute__((noinline, cold));
static int s_too_deep(sctx *c)
{
    return dg_model_fail(c->err, DG_EINTERNAL, s_path(c), "field path deeper than %d levels",
                         SEG_MAX);
}

/* Push a segment; returns the mark for s_pop (the depth before), or -1 when full. */
static inline int s_push(sctx *c, int kind, const char *s, size_t n)
{
    unsigned mark = c->nseg;
    if (mark >= SEG_MAX)
        return -1;
    pseg *g = &c->seg[mark];
    g->s = s;
    g->n = n;
    g->kind = kind;
    c->nseg = mark + 1;
    return (int)mark;
}

static inline void s_pop(sctx *c, int mark)
{
    c->nseg = (unsigned)mark;
}

static inline bool tag_is(dg_str tag, const char *want, size_t n)
{
    return tag.len == n && memcmp(tag.ptr, want, n) == 0;
}
#define TAG_IS(tag, lit) tag_is((tag), (lit), sizeof(lit) - 1)

/* Syntax error when the next token is no value at all, else 0. */
static int s_need_value(sctx *c, dg_jv v)
{
    if (v == DG_JV_END)
        return dg_jr_error(&c->r, "unexpected end of input (a value expected)");
    if (v == DG_JV_BAD)
        return dg_jr_error(&c->r, "expected a value");
    return 0;
}

static int s_malformed_av(sctx *c)
{
    return dg_model_fail(c->err, DG_EINVAL, s_path(c),
                         "malformed AttributeValue: expected an object with exactly one type key");
}

/* Before reporting a problem with the value of an AttributeValue's type key:
 * the cJSON walk judges the AttributeValue's shape first, so skip the value
 * and report a second key as the malformed AttributeValue it is. Returns 0
 * when the caller's own error stands. */
static int s_shape_first(sctx *c)
{
    int rc = dg_jr_skip(&c->r);
    if (rc != 0)
        return rc;
    dg_str k;
    rc = dg_jr_object_next(&c->r, &k);
    if (rc < 0)
        return rc;
    return rc == 1 ? s_malformed_av(c) : 0;
}

static int s_wrong_type(sctx *c, const char *want, dg_str tag)
{
    int rc = s_shape_first(c);
    if (rc != 0)
        return rc;
    char q[24];
    dg_model_quote(q, sizeof q, tag.ptr, tag.len);
    return dg_model_fail(c->err, DG_EINVAL, s_path(c), "expected DynamoDB type %s, got %s", want,
                         q);
}

static int s_oom(sctx *c)
{
    return dg_model_fail(c->err, DG_ENOMEM, s_path(c), "out of memory");
}

/* The string value of the type key: a view when it had no escapes (res has
 * no DG_JR_S_ARENA), invalid UTF-8 left to the caller (DG_JR_S_BAD_UTF8). */
static int s_tagged_string(sctx *c, const char *tag, dg_str *out, unsigned *res)
{
    dg_jv v = dg_jr_peek(&c->r);
    if (v != DG_JV_STRING) {
        int rc = s_need_value(c, v);
        if (rc == 0)
            rc = s_shape_first(c);
        if (rc != 0)
            return rc;
        return dg_model_fail(c->err, DG_EINVAL, s_path(c), "malformed %s value: not a JSON string",
                             tag);
    }
    return dg_jr_string_ex(&c->r, out, DG_JR_DEFER_UTF8, res);
}

/* A string value kept in the arena: s_tagged_string + s_keep_string in one
 * pass when the value starts right at the read position (no whitespace). */
static inline int s_string(sctx *c, const char *tag, dg_str *out)
{
    dg_jr *r = &c->r;
    dg_str s;
    unsigned res;
    int rc;
    if (r->p < r->end && *r->p == '"') {
        rc = dg_jr_string_keep(r, &s, &res);
        if (rc == DG_JR_KEEP_NOMEM)
            return s_oom(c);
        if (rc != 0)
            return rc;
    } else {
        if ((rc = s_tagged_string(c, tag, &s, &res)) != 0)
            return rc;
        if (!(res & DG_JR_S_BAD_UTF8) && !(res & DG_JR_S_ARENA)) {
            char *p = dg_arena_strndup(c->a, s.ptr, s.len);
            if (p == NULL)
                return s_oom(c);
            s.ptr = p;
        }
    }
    if (res & DG_JR_S_BAD_UTF8)
        return dg_model_fail(c->err, DG_EINVAL, s_path(c), "not valid UTF-8");
    *out = s;
    return 0;
}

/* Fast paths for the text of an N value at p (its opening '"'): what
 * s_tagged_string would read when the text is plain ASCII number characters
 * directly followed by the closing quote. */

/* -?(0|[1-9][0-9]{0,17}) exactly as dg_int_parse's fast path reads it (18
 * digits cannot overflow). *end: just past the closing quote. */
static inline bool n_int_fast(const char *p, const char *e, int64_t *out, const char **end)
{
    const char *q = p + 1;
    bool neg = false;
    if (q < e && *q == '-') {
        neg = true;
        q++;
    }
    const char *d = q, *lim = e - q > 19 ? q + 19 : e;
    uint64_t v = 0;
    for (; q < lim; q++) {
        unsigned dig = (unsigned)(unsigned char)*q - '0';
        if (dig > 9)
            break;
        v = v * 10 + dig;
    }
    size_t nd = (size_t)(q - d);
    if (q >= e || *q != '"' || nd == 0 || nd > 18 || (d[0] == '0' && nd > 1))
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    *end = q + 1;
    return true;
}

/* The text of a string of number characters ([0-9+-.eE]) closed by '"'. */
static inline bool n_text_fast(const char *p, const char *e, dg_str *out)
{
    const char *s = p + 1, *q = s;
    while (q < e) {
        unsigned char ch = (unsigned char)*q;
        if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' ||
            ch == 'E')
            q++;
        else
            break;
    }
    if (q >= e || *q != '"')
        return false;
    *out = dg_str_from(s, (size_t)(q - s));
    return true;
}

/* dg_jr_object_next for a map's keys: inline for [','] "key": with a short
 * printable-ASCII key (no escapes, no whitespace), which its own fast path
 * reads the same way; anything else goes to it. */
static inline int s_map_key(dg_jr *r, dg_str *key)
{
    const char *p = r->p, *e = r->end;
    if (!r->first)
        p = (p < e && *p == ',') ? p + 1 : NULL;
    if (p != NULL && p < e && *p == '"') {
        const char *q = dg_jr_plain_end(p + 1, e);
        if (e - q >= 2 && q[0] == '"' && q[1] == ':') {
            *key = dg_str_from(p + 1, (size_t)(q - p - 1));
            r->p = q + 2;
            r->first = false;
            return 1;
        }
    }
    return dg_jr_object_next(r, key);
}

/* Is the next value an array / object? Syntax error or the shape-first
 * "malformed <tag> value: not a JSON <what>" otherwise. */
static int s_expect(sctx *c, dg_jv want, const char *tag)
{
    dg_jv v = dg_jr_peek(&c->r);
    if (v == want)
        return 0;
    int rc = s_need_value(c, v);
    if (rc == 0)
        rc = s_shape_first(c);
    if (rc != 0)
        return rc;
    return dg_model_fail(c->err, DG_EINVAL, s_path(c), "malformed %s value: not a JSON %s", tag,
                         want == DG_JV_ARRAY ? "array" : "object");
}

static int s_set(sctx *c, const dg_field_desc *f, dg_str tag, dg_set *out)
{
    bool num = f->type == DG_TYPE_NUMBER_SET;
    const char *want = num ? "NS" : "SS";
    if (!tag_is(tag, want, 2))
        return s_wrong_type(c, want, tag);
    int rc = s_expect(c, DG_JV_ARRAY, want);
    if (rc != 0)
        return rc;
    if ((rc = dg_jr_array_begin(&c->r)) != 0)
        return rc;
    dg_grow g = {NULL, 0, 0, sizeof(dg_str)};
    dg_jr *r = &c->r;
    for (;;) {
        /* [','] '"': dg_jr_array_next then a string, without the calls */
        const char *p = r->p;
        bool plain = false;
        if (r->first ? (p < r->end && *p == '"')
                     : (r->end - p >= 2 && p[0] == ',' && p[1] == '"')) {
            r->p = r->first ? p : p + 1;
            r->first = false;
            plain = true;
        } else if ((rc = dg_jr_array_next(r)) != 1) {
            break;
        }
        size_t i = g.count;
        dg_str *slot = dg_grow_push(c->a, &g);
        if (slot == NULL)
            return s_oom(c);
        dg_jv v = plain ? DG_JV_STRING : dg_jr_peek(r);
        if (v != DG_JV_STRING) {
            if ((rc = s_need_value(c, v)) != 0)
                return rc;
            if (s_push(c, SEG_INDEX, NULL, i) < 0)
                return s_too_deep(c);
            return dg_model_fail(c->err, DG_EINVAL, s_path(c),
                                 "malformed %s member: not a JSON string", want);
        }
        dg_str s;
        unsigned res;
        if (num) {
            if ((rc = dg_jr_string_ex(&c->r, &s, DG_JR_DEFER_UTF8, &res)) != 0)
                return rc;
            int mark = s_push(c, SEG_INDEX, NULL, i);
            if (mark < 0)
                return s_too_deep(c);
            dg_path *path = s_path(c);
            rc = dg_number_canonical(s.ptr, s.len, c->a, slot, path->buf, c->err);
            if (rc != 0)
                return dg_model_refail(c->err, rc, path);
            s_pop(c, mark);
            continue;
        }
        /* The index joins the path only for errors (this runs per member). */
        rc = dg_jr_string_keep(&c->r, &s, &res);
        if (rc < 0)
            return rc;
        if (rc == DG_JR_KEEP_NOMEM || (res & DG_JR_S_BAD_UTF8)) {
            if (s_push(c, SEG_INDEX, NULL, i) < 0)
                return s_too_deep(c);
            if (rc == DG_JR_KEEP_NOMEM)
                return s_oom(c);
            return dg_model_fail(c->err, DG_EINVAL, s_path(c), "not valid UTF-8");
        }
        *slot = s;
    }
    if (rc < 0)
        return rc;
    if (g.count == 0)
        return ABSENT;
    out->items = (dg_str *)(void *)g.items;
    out->count = g.count;
    return 0;
}

/* The value of the type key `tag` of an AttributeValue, per f. */
static int s_typed(sctx *c, const dg_field_desc *f, dg_str tag, void *v, int depth);

/* Range of an integer-stored type (INT32, INT64, TIMESTAMP, TTL). */
static inline void int_range(dg_type t, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    if (t == DG_TYPE_INT32) {
        *lo = INT32_MIN;
        *hi = INT32_MAX;
    } else if (t == DG_TYPE_TIMESTAMP) {
        *lo = TS_MIN_MS;
        *hi = TS_MAX_MS;
    } else if (t == DG_TYPE_TTL) {
        *lo = TS_MIN_MS / 1000;
        *hi = TS_MAX_MS / 1000;
    }
}

static int s_value_slow(sctx *c, const dg_field_desc *f, void *v, int depth)
    __attribute__((noinline));
static int s_value_tagged(sctx *c, const dg_field_desc *f, void *v, int depth)
    __attribute__((noinline));

/* {"S":" / {"N":" at p (6 readable bytes), the wrapper marshal writes. */
static inline bool av_open(const char *p, char tag)
{
    uint32_t w;
    uint16_t x;
    memcpy(&w, p, 4);
    memcpy(&x, p + 4, 2);
    char want[6] = {'{', '"', tag, '"', ':', '"'};
    uint32_t ww;
    uint16_t wx;
    memcpy(&ww, want, 4);
    memcpy(&wx, want + 4, 2);
    return w == ww && x == wx;
}

/* One AttributeValue ({"<tag>":...}) into v per f: 0, ABSENT or < 0.
 * Inline fast paths for what marshal writes for strings and integers,
 * {"S":"..."} and {"N":"123"} without whitespace; they read exactly what
 * the general path (s_value_slow) would, and hand anything else to it
 * before consuming a byte. */
static inline __attribute__((always_inline)) int s_value(sctx *c, const dg_field_desc *f, void *v,
                                                         int depth)
{
    dg_jr *r = &c->r;
    const char *p = r->p;
    if (r->end - p >= 8 && r->depth < r->max_depth) {
        switch (f->type) {
        case DG_TYPE_STRING:
            if (av_open(p, 'S')) {
                /* dg_jr_object_begin_key with the tag "S" */
                r->p = p + 5;
                r->depth++;
                r->first = false;
                int rc = s_string(c, "S", v);
                if (rc != 0)
                    return rc;
                if (r->p < r->end && *r->p == '}') {
                    r->p++;
                    r->depth--;
                    return 0;
                }
                dg_str more;
                if ((rc = dg_jr_object_next(r, &more)) < 0)
                    return rc;
                return rc == 1 ? s_malformed_av(c) : 0;
            }
            break;
        case DG_TYPE_INT32:
        case DG_TYPE_INT64:
        case DG_TYPE_TIMESTAMP:
        case DG_TYPE_TTL:
            if (av_open(p, 'N')) {
                int64_t lo, hi, x;
                const char *end;
                int_range(f->type, &lo, &hi);
                if (n_int_fast(p + 5, r->end, &x, &end) && x >= lo && x <= hi && end < r->end &&
                    *end == '}') {
                    if (f->type == DG_TYPE_INT32)
                        *(int32_t *)v = (int32_t)x;
                    else
                        *(int64_t *)v = x;
                    r->p = end + 1;
                    r->first = false;
                    return 0;
                }
            }
            break;
        default:
            return s_value_tagged(c, f, v, depth);
        }
    }
    return s_value_slow(c, f, v, depth);
}

/* The rest of an AttributeValue once its type key `tag` and ':' are read:
 * the value per f (or a NULL), then the closing '}'. */
static int s_value_rest(sctx *c, const dg_field_desc *f, dg_str tag, void *v, int depth)
{
    dg_jr *r = &c->r;
    int rc, got;
    if (tag.len == 4 && memcmp(tag.ptr, "NULL", 4) == 0) {
        if ((rc = dg_jr_skip(r)) != 0)
            return rc;
        got = ABSENT;
    } else {
        got = s_typed(c, f, tag, v, depth);
        if (got < 0)
            return got;
    }
    /* The closing '}' right here: what dg_jr_object_next reads as the end. */
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        r->depth--;
        return got;
    }
    dg_str more;
    if ((rc = dg_jr_object_next(r, &more)) < 0)
        return rc;
    if (rc == 1)
        return s_malformed_av(c);
    return got;
}

/* s_value for everything else: any tag, whitespace, errors. */
static int s_value_slow(sctx *c, const dg_field_desc *f, void *v, int depth)
{
    dg_jr *r = &c->r;
    const char *p = r->p;
    dg_str tag;
    int rc;
    /* `{"T":` with a tag of one to four capital letters and no whitespace,
     * read exactly as dg_jr_object_begin_key would. */
    if (r->end - p >= 8 && p[0] == '{' && p[1] == '"' && r->depth < r->max_depth) {
        size_t k = 2;
        while (k < 6 && p[k] >= 'A' && p[k] <= 'Z')
            k++;
        if (k > 2 && p[k] == '"' && p[k + 1] == ':') {
            r->p = p + k + 2;
            r->depth++;
            r->first = false;
            return s_value_rest(c, f, dg_str_from(p + 2, k - 2), v, depth);
        }
    }
    dg_jv t = dg_jr_peek(r);
    if (t != DG_JV_OBJECT) {
        if ((rc = s_need_value(c, t)) != 0)
            return rc;
        if ((rc = dg_jr_skip(r)) != 0)
            return rc;
        return s_malformed_av(c);
    }
    if ((rc = dg_jr_object_begin_key(r, &tag)) <= 0)
        return rc < 0 ? rc : s_malformed_av(c);
    return s_value_rest(c, f, tag, v, depth);
}

/* s_value for the other types when the text starts with the tag marshal
 * writes for f, `{"<tag>":` (r->end - r->p >= 8, depth checked). */
static int s_value_tagged(sctx *c, const dg_field_desc *f, void *v, int depth)
{
    dg_jr *r = &c->r;
    const char *p = r->p;
    size_t tl;
    bool ok;
    switch (f->type) {
    case DG_TYPE_DECIMAL:
    case DG_TYPE_DOUBLE:
        ok = memcmp(p, "{\"N\":", 5) == 0;
        tl = 1;
        break;
    case DG_TYPE_BINARY:
        ok = memcmp(p, "{\"B\":", 5) == 0;
        tl = 1;
        break;
    case DG_TYPE_BOOL:
        ok = memcmp(p, "{\"BOOL\":", 8) == 0;
        tl = 4;
        break;
    case DG_TYPE_STRING_SET:
        ok = memcmp(p, "{\"SS\":", 6) == 0;
        tl = 2;
        break;
    case DG_TYPE_NUMBER_SET:
        ok = memcmp(p, "{\"NS\":", 6) == 0;
        tl = 2;
        break;
    case DG_TYPE_LIST:
        ok = memcmp(p, "{\"L\":", 5) == 0;
        tl = 1;
        break;
    case DG_TYPE_MAP:
    case DG_TYPE_OBJECT:
        ok = memcmp(p, "{\"M\":", 5) == 0;
        tl = 1;
        break;
    default:
        ok = false;
        tl = 0;
        break;
    }
    if (ok) {
        r->p = p + tl + 4;
        r->depth++;
        r->first = false;
        return s_value_rest(c, f, dg_str_from(p + 2, tl), v, depth);
    }
    return s_value_slow(c, f, v, depth);
}

static int s_typed(sctx *c, const dg_field_desc *f, dg_str tag, void *v, int depth)
{
    dg_jr *r = &c->r;
    dg_str s;
    unsigned res;
    int rc;
    switch (f->type) {
    case DG_TYPE_STRING:
        if (!TAG_IS(tag, "S"))
            return s_wrong_type(c, "S", tag);
        return s_string(c, "S", v);
    case DG_TYPE_INT32:
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL: {
        int64_t lo, hi, x;
        int_range(f->type, &lo, &hi);
        if (!TAG_IS(tag, "N"))
            return s_wrong_type(c, "N", tag);
        const char *end;
        if (r->p < r->end && *r->p == '"' && n_int_fast(r->p, r->end, &x, &end) && x >= lo &&
            x <= hi) {
            r->p = end;
        } else {
            if ((rc = s_tagged_string(c, "N", &s, &res)) != 0)
                return rc;
            dg_path *p = s_path(c);
            if ((rc = dg_int_parse(s.ptr, s.len, lo, hi, &x, p->buf, c->err)) != 0)
                return dg_model_refail(c->err, rc, p);
        }
        if (f->type == DG_TYPE_INT32)
            *(int32_t *)v = (int32_t)x;
        else
            *(int64_t *)v = x;
        return 0;
    }
    case DG_TYPE_DECIMAL:
        if (!TAG_IS(tag, "N"))
            return s_wrong_type(c, "N", tag);
        /* dg_decimal_parse is pure: try it without a path, report with one. */
        if (r->p < r->end && *r->p == '"' && n_text_fast(r->p, r->end, &s) &&
            dg_decimal_parse(s.ptr, s.len, f->scale, v, NULL, NULL) == 0) {
            r->p = s.ptr + s.len + 1;
            return 0;
        }
        if ((rc = s_tagged_string(c, "N", &s, &res)) != 0)
            return rc;
        {
            dg_path *p = s_path(c);
            if ((rc = dg_decimal_parse(s.ptr, s.len, f->scale, v, p->buf, c->err)) != 0)
                return dg_model_refail(c->err, rc, p);
        }
        return 0;
    case DG_TYPE_DOUBLE:
        if (!TAG_IS(tag, "N"))
            return s_wrong_type(c, "N", tag);
        if (r->p < r->end && *r->p == '"' && n_text_fast(r->p, r->end, &s) &&
            dg_model_parse_double(s.ptr, s.len, v) == 0) {
            r->p = s.ptr + s.len + 1;
            return 0;
        }
        if ((rc = s_tagged_string(c, "N", &s, &res)) != 0)
            return rc;
        rc = dg_model_parse_double(s.ptr, s.len, v);
        if (rc == DG_ERANGE)
            return dg_model_fail(c->err, rc, s_path(c), "number out of range for a double");
        if (rc != 0)
            return dg_model_fail(c->err, rc, s_path(c), "not a number");
        return 0;
    case DG_TYPE_BOOL: {
        if (!TAG_IS(tag, "BOOL"))
            return s_wrong_type(c, "BOOL", tag);
        /* true} / false}: what dg_jr_bool reads (a '}' delimits the literal) */
        const char *p = r->p;
        if (r->end - p >= 5 && memcmp(p, "true}", 5) == 0) {
            *(bool *)v = true;
            r->p = p + 4;
            return 0;
        }
        if (r->end - p >= 6 && memcmp(p, "false}", 6) == 0) {
            *(bool *)v = false;
            r->p = p + 5;
            return 0;
        }
        dg_jv t = dg_jr_peek(r);
        if (t != DG_JV_TRUE && t != DG_JV_FALSE) {
            if ((rc = s_need_value(c, t)) != 0 || (rc = s_shape_first(c)) != 0)
                return rc;
            return dg_model_fail(c->err, DG_EINVAL, s_path(c),
                                 "malformed BOOL value: not true/false");
        }
        return dg_jr_bool(r, v);
    }
    case DG_TYPE_BINARY:
        if (!TAG_IS(tag, "B"))
            return s_wrong_type(c, "B", tag);
        if ((rc = s_tagged_string(c, "B", &s, &res)) != 0)
            return rc;
        {
            dg_path *p = s_path(c);
            if ((rc = dg_base64_decode(s.ptr, s.len, c->a, v, p->buf, c->err)) != 0)
                return dg_model_refail(c->err, rc, p);
        }
        return 0;
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET:
        return s_set(c, f, tag, v);
    case DG_TYPE_LIST: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, s_path(c),
                                 "descriptor: list without an element type");
        if (!TAG_IS(tag, "L"))
            return s_wrong_type(c, "L", tag);
        if ((rc = s_expect(c, DG_JV_ARRAY, "L")) != 0)
            return rc;
        if ((rc = dg_jr_array_begin(r)) != 0)
            return rc;
        dg_grow g = {NULL, 0, 0, e->size};
        while ((rc = dg_jr_array_next(r)) == 1) {
            int mark = s_push(c, SEG_INDEX, NULL, g.count);
            if (mark < 0)
                return s_too_deep(c);
            void *slot = dg_grow_push(c->a, &g);
            if (slot == NULL)
                return s_oom(c);
            rc = s_value(c, e, slot, depth + 1);
            if (rc == ABSENT)
                return dg_model_fail(c->err, DG_EINVAL, s_path(c),
                                     "null or empty set not allowed in a list");
            if (rc != 0)
                return rc;
            s_pop(c, mark);
        }
        if (rc < 0)
            return rc;
        dg_list *l = v;
        l->items = g.count ? g.items : dg_arena_alloc(c->a, 0);
        if (l->items == NULL)
            return s_oom(c);
        l->count = g.count;
        return 0;
    }
    case DG_TYPE_MAP: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, s_path(c),
                                 "descriptor: map without a value type");
        if (!TAG_IS(tag, "M"))
            return s_wrong_type(c, "M", tag);
        if ((rc = s_expect(c, DG_JV_OBJECT, "M")) != 0)
            return rc;
        if ((rc = dg_jr_object_begin(r)) != 0)
            return rc;
        dg_grow keys = {NULL, 0, 0, sizeof(dg_str)};
        dg_grow vals = {NULL, 0, 0, e->size};
        dg_str key;
        while ((rc = s_map_key(r, &key)) == 1) {
            int mark = s_push(c, SEG_KEY, key.ptr, key.len);
            if (mark < 0)
                return s_too_deep(c);
            dg_str *ks = dg_grow_push(c->a, &keys);
            void *vs = dg_grow_push(c->a, &vals);
            if (ks == NULL || vs == NULL)
                return s_oom(c);
            /* Keys without escapes point into the input: copy those. */
            if (key.ptr >= r->start && key.ptr < r->end) {
                char *kc = dg_arena_strndup(c->a, key.ptr, key.len);
                if (kc == NULL)
                    return s_oom(c);
                key.ptr = kc;
            }
            *ks = key;
            rc = s_value(c, e, vs, depth + 1);
            if (rc < 0)
                return rc;
            if (rc == ABSENT) { /* a null or empty-set value drops the entry */
                keys.count--;
                vals.count--;
                memset(ks, 0, sizeof *ks);
                memset(vs, 0, e->size);
            }
            s_pop(c, mark);
        }
        if (rc < 0)
            return rc;
        dg_map *m = v;
        m->keys = keys.count ? (dg_str *)(void *)keys.items : dg_arena_alloc(c->a, 0);
        m->values = vals.count ? vals.items : dg_arena_alloc(c->a, 0);
        if (m->keys == NULL || m->values == NULL)
            return s_oom(c);
        m->count = keys.count;
        return 0;
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, s_path(c),
                                 "descriptor: object without a descriptor");
        if (!TAG_IS(tag, "M"))
            return s_wrong_type(c, "M", tag);
        return s_object(c, f->object, v, depth + 1);
    }
    return dg_model_fail(c->err, DG_EINTERNAL, s_path(c), "descriptor: unknown type %d",
                         (int)f->type);
}

/* Field whose attribute name is key, or -1 (see find_attr). */
static int s_find_attr(const dg_object_desc *d, dg_str key, uint32_t hint)
{
    uint32_t n = d->field_count;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = hint + k;
        if (i >= n)
            i -= n;
        const dg_field_desc *f = &d->fields[i];
        if (dg_field_attr_len(f) == key.len && f->attr[0] == key.ptr[0] &&
            memcmp(f->attr, key.ptr, key.len) == 0)
            return (int)i;
    }
    return -1;
}

static inline uint64_t s_load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint32_t s_load4(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* p[0..n) == k[0..n) for a member key "Attr": (n >= 3), both readable. */
static inline bool key_eq(const char *p, const char *k, size_t n)
{
    if (n >= 8 && n <= 16)
        return s_load8(p) == s_load8(k) && s_load8(p + n - 8) == s_load8(k + n - 8);
    if (n >= 4 && n < 8)
        return s_load4(p) == s_load4(k) && s_load4(p + n - 4) == s_load4(k + n - 4);
    return memcmp(p, k, n) == 0;
}

static int s_object(sctx *c, const dg_object_desc *d, void *obj, int depth)
{
    if (depth > DG_JSON_MAX_DEPTH)
        return dg_model_fail(c->err, DG_EINVAL, s_path(c), "nested deeper than %d levels",
                             DG_JSON_MAX_DEPTH);
    dg_jr *r = &c->r;
    dg_jv t = dg_jr_peek(r);
    int rc;
    if (t != DG_JV_OBJECT) {
        if ((rc = s_need_value(c, t)) != 0)
            return rc;
        if (depth > 0 && (rc = s_shape_first(c)) != 0)
            return rc;
        return dg_model_fail(c->err, DG_EINVAL, s_path(c),
                             "expected an attribute map (a JSON object)");
    }
    if ((rc = dg_jr_object_begin(r)) != 0)
        return rc;
    uint64_t *present = dg_presence(d, obj);
    const uint32_t n = d->field_count;
    uint32_t hint = 0;
    dg_str key;
    for (;;) {
        int i = -1;
        /* Fast path: the next member is the hint field, keyed exactly as the
         * generator's attr_key ("\"Attr\":") after ',' (or first), with no
         * whitespace: what dg_jr_object_next + s_find_attr would find. */
        if (hint < n) {
            const dg_field_desc *hf = &d->fields[hint];
            const char *p = r->p;
            if (!r->first)
                p = (p < r->end && *p == ',') ? p + 1 : NULL;
            if (p != NULL && hf->attr_key != NULL && (size_t)(r->end - p) >= hf->attr_key_len &&
                key_eq(p, hf->attr_key, hf->attr_key_len)) {
                r->p = p + hf->attr_key_len;
                r->first = false;
                i = (int)hint;
            }
        }
        if (i < 0) {
            if ((rc = dg_jr_object_next(r, &key)) != 1)
                break;
            i = s_find_attr(d, key, hint);
            if (i < 0) { /* unknown attribute: schema evolution */
                if ((rc = dg_jr_skip(r)) != 0)
                    return rc;
                continue;
            }
        }
        hint = (uint32_t)i + 1;
        if (hint >= n)
            hint = 0;
        const dg_field_desc *f = &d->fields[i];
        int mark = s_push(c, SEG_NAME, f->name, 0);
        if (mark < 0)
            return s_too_deep(c);
        rc = s_value(c, f, dg_field_ptr(obj, f), depth);
        if (rc < 0)
            return rc;
        if (rc == ABSENT)
            *present &= ~((uint64_t)1 << i);
        else
            *present |= (uint64_t)1 << i;
        s_pop(c, mark);
    }
    return rc < 0 ? rc : 0;
}

int dg_ddb_unmarshal(const dg_object_desc *d, const char *json, size_t len, void *obj, dg_arena *a,
                     dg_error *err)
{
    if (json == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_unmarshal: NULL input");
    if (d == NULL || obj == NULL || a == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_unmarshal: NULL argument");
    sctx c;
    dg_jr_init(&c.r, json, len, a, err);
    dg_jr_set_max_depth(&c.r, DDB_TEXT_MAX_DEPTH);
    dg_jr_set_label(&c.r, "DynamoDB JSON");
    c.a = a;
    c.err = err;
    c.nseg = 0;
    dg_jv t = dg_jr_peek(&c.r);
    int rc;
    if (t != DG_JV_OBJECT) {
        /* As with cJSON: a syntax error anywhere wins over the wrong kind of value. */
        if ((rc = s_need_value(&c, t)) != 0 || (rc = dg_jr_skip(&c.r)) != 0)
            return rc;
        dg_jr_peek(&c.r);
        if (dg_jr_offset(&c.r) == len)
            return dg_error_set(err, DG_EINVAL, NULL, "expected an attribute map (a JSON object)");
    } else if ((rc = s_object(&c, d, obj, 0)) != 0) {
        return rc;
    }
    dg_jr_peek(&c.r); /* skips whitespace */
    size_t at = dg_jr_offset(&c.r);
    if (at != len)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "unexpected data after the JSON value at byte %zu", at);
    return 0;
}
