/* dynagen runtime — the API's plain JSON, driven by the descriptors.
 *
 * Marshal appends into a dg_buf. Unmarshal pulls tokens from the strict
 * reader (json_reader.c): exact number text, duplicate keys seen, unknown
 * fields answered with a "did you mean". */
#include "model_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/decimal.h"
#include "json_reader.h"

#define PUT(b, lit) dg_buf_append((b), (lit), sizeof(lit) - 1)

#define TS_MIN_MS INT64_C(-62135596800000)
#define TS_MAX_MS INT64_C(253402300799999)
#define TTL_MIN_S (TS_MIN_MS / 1000)
#define TTL_MAX_S (TS_MAX_MS / 1000)

/* ================================================================ marshal */

typedef struct mctx {
    dg_buf *b;
    dg_path path;
    dg_error *err;
} mctx;

static int m_object(mctx *c, const dg_object_desc *d, const void *obj, int depth);

static bool is_empty_set(const dg_field_desc *f, const void *v)
{
    return (f->type == DG_TYPE_STRING_SET || f->type == DG_TYPE_NUMBER_SET) &&
           ((const dg_set *)v)->count == 0;
}

static int m_time(mctx *c, int64_t ms)
{
    dg_buf_putc(c->b, '"');
    int rc = dg_rfc3339_format(c->b, ms);
    if (rc == DG_ERANGE)
        return dg_model_fail(c->err, DG_ERANGE, &c->path, "timestamp outside years 0001..9999");
    return rc != 0 ? rc : dg_buf_putc(c->b, '"');
}

static int m_value(mctx *c, const dg_field_desc *f, const void *v, int depth)
{
    dg_buf *b = c->b;
    switch (f->type) {
    case DG_TYPE_STRING: {
        const dg_str *s = v;
        return dg_buf_json_string(b, s->ptr != NULL ? s->ptr : "", s->len);
    }
    case DG_TYPE_INT32:
        return dg_buf_int64(b, *(const int32_t *)v);
    case DG_TYPE_INT64:
        return dg_buf_int64(b, *(const int64_t *)v);
    case DG_TYPE_DECIMAL:
        return dg_decimal_format(b, *(const int64_t *)v, f->scale);
    case DG_TYPE_DOUBLE: {
        double x = *(const double *)v;
        if (!isfinite(x))
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "must be a finite number");
        return dg_model_format_double(b, x, false);
    }
    case DG_TYPE_BOOL:
        return *(const bool *)v ? PUT(b, "true") : PUT(b, "false");
    case DG_TYPE_BINARY: {
        const dg_bytes *x = v;
        dg_buf_putc(b, '"');
        dg_base64_encode(b, x->ptr, x->len);
        return dg_buf_putc(b, '"');
    }
    case DG_TYPE_TIMESTAMP:
        return m_time(c, *(const int64_t *)v);
    case DG_TYPE_TTL: {
        int64_t s = *(const int64_t *)v;
        if (s < TTL_MIN_S || s > TTL_MAX_S)
            return dg_model_fail(c->err, DG_ERANGE, &c->path, "timestamp outside years 0001..9999");
        return m_time(c, s * 1000);
    }
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET: {
        const dg_set *s = v;
        bool num = f->type == DG_TYPE_NUMBER_SET;
        dg_buf_putc(b, '[');
        for (size_t i = 0; i < s->count; i++) {
            if (i > 0)
                dg_buf_putc(b, ',');
            const char *p = s->items[i].ptr != NULL ? s->items[i].ptr : "";
            if (!num) {
                dg_buf_json_string(b, p, s->items[i].len);
            } else if (dg_model_is_number(p, s->items[i].len)) {
                dg_buf_append(b, p, s->items[i].len);
            } else {
                dg_path_push_index(&c->path, i);
                return dg_model_fail(c->err, DG_EINVAL, &c->path, "not a number");
            }
        }
        return dg_buf_putc(b, ']');
    }
    case DG_TYPE_LIST: {
        const dg_list *l = v;
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: list without an element type");
        dg_buf_putc(b, '[');
        for (size_t i = 0; i < l->count; i++) {
            if (i > 0)
                dg_buf_putc(b, ',');
            size_t mark = dg_path_push_index(&c->path, i);
            int rc = m_value(c, e, (const char *)l->items + i * e->size, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return dg_buf_putc(b, ']');
    }
    case DG_TYPE_MAP: {
        const dg_map *m = v;
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: map without a value type");
        dg_buf_putc(b, '{');
        bool first = true;
        for (size_t i = 0; i < m->count; i++) {
            const void *ev = (const char *)m->values + i * e->size;
            if (is_empty_set(e, ev))
                continue;
            if (!first)
                dg_buf_putc(b, ',');
            first = false;
            dg_buf_json_string(b, m->keys[i].ptr != NULL ? m->keys[i].ptr : "", m->keys[i].len);
            dg_buf_putc(b, ':');
            size_t mark = dg_path_push_key(&c->path, m->keys[i].ptr, m->keys[i].len);
            int rc = m_value(c, e, ev, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return dg_buf_putc(b, '}');
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: object without a descriptor");
        return m_object(c, f->object, v, depth + 1);
    }
    return dg_model_fail(c->err, DG_EINTERNAL, &c->path, "descriptor: unknown type %d",
                         (int)f->type);
}

static int m_object(mctx *c, const dg_object_desc *d, const void *obj, int depth)
{
    dg_buf *b = c->b;
    if (depth > DG_JSON_MAX_DEPTH)
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "nested deeper than %d levels",
                             DG_JSON_MAX_DEPTH);
    uint64_t present = *(const uint64_t *)((const char *)obj + d->presence_offset);
    dg_buf_putc(b, '{');
    bool first = true;
    for (uint32_t i = 0; i < d->field_count; i++) {
        if (!((present >> i) & 1u))
            continue;
        const dg_field_desc *f = &d->fields[i];
        const void *v = dg_field_cptr(obj, f);
        if (is_empty_set(f, v))
            continue;
        if (!first)
            dg_buf_putc(b, ',');
        first = false;
        if (f->name_key != NULL) { /* precomputed by the generator */
            dg_buf_append(b, f->name_key, f->name_key_len);
        } else {
            dg_buf_json_string(b, f->name, strlen(f->name));
            dg_buf_putc(b, ':');
        }
        size_t mark = dg_path_push_name(&c->path, f->name);
        int rc = m_value(c, f, v, depth);
        if (rc < 0 && dg_buf_status(b) == 0)
            return rc;
        dg_path_pop(&c->path, mark);
    }
    return dg_buf_putc(b, '}');
}

int dg_json_marshal(const dg_object_desc *d, const void *obj, dg_buf *out, dg_error *err)
{
    if (d == NULL || obj == NULL || out == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_json_marshal: NULL argument");
    mctx c;
    c.b = out;
    c.err = err;
    dg_path_init(&c.path);
    size_t start = out->len;
    return dg_model_marshal_finish(out, start, m_object(&c, d, obj, 0), "JSON", err);
}

/* ================================================================ unmarshal */

typedef struct uctx {
    dg_jr r;
    dg_arena *a;
    dg_path path;
    dg_error *err;
    unsigned flags;
} uctx;

#define ABSENT 1 /* d_value result: an empty set (DynamoDB cannot store one) */

static int d_object(uctx *c, const dg_object_desc *d, void *obj, int depth);

/* A reader failure: prefix the message with the current path. */
static int reader_fail(uctx *c, int rc)
{
    return dg_model_refail(c->err, rc, &c->path);
}

static int oom(uctx *c)
{
    return dg_model_fail(c->err, DG_ENOMEM, &c->path, "out of memory");
}

/* "expected a number, got a string"; a syntax error when there is no value. */
static int wrong_type(uctx *c, const char *want, dg_jv got)
{
    if (got == DG_JV_BAD || got == DG_JV_END)
        return reader_fail(c, dg_jr_error(&c->r, got == DG_JV_END
                                                     ? "unexpected end of input (a value expected)"
                                                     : "expected a value"));
    return dg_model_fail(c->err, DG_EINVAL, &c->path, "expected %s, got %s", want, dg_jv_name(got));
}

/* Text of a number given as a JSON number or, when strings_ok, a string. */
static int number_text(uctx *c, bool strings_ok, const char *want, dg_str *out)
{
    dg_jv v = dg_jr_peek(&c->r);
    int rc;
    if (v == DG_JV_NUMBER)
        rc = dg_jr_number(&c->r, out);
    else if (v == DG_JV_STRING && strings_ok)
        rc = dg_jr_string(&c->r, out);
    else
        return wrong_type(c, want, v);
    return rc != 0 ? reader_fail(c, rc) : 0;
}

static int string_value(uctx *c, const char *want, dg_str *out)
{
    dg_jv v = dg_jr_peek(&c->r);
    if (v != DG_JV_STRING)
        return wrong_type(c, want, v);
    int rc = dg_jr_string(&c->r, out);
    return rc != 0 ? reader_fail(c, rc) : 0;
}

static int d_set(uctx *c, const dg_field_desc *f, dg_set *out)
{
    bool num = f->type == DG_TYPE_NUMBER_SET;
    dg_jv v = dg_jr_peek(&c->r);
    if (v != DG_JV_ARRAY)
        return wrong_type(c, num ? "an array of numbers" : "an array of strings", v);
    int rc = dg_jr_array_begin(&c->r);
    if (rc != 0)
        return reader_fail(c, rc);
    dg_grow g = {NULL, 0, 0, sizeof(dg_str)};
    while ((rc = dg_jr_array_next(&c->r)) == 1) {
        size_t mark = dg_path_push_index(&c->path, g.count);
        dg_str *slot = dg_grow_push(c->a, &g);
        if (slot == NULL)
            return oom(c);
        if (num) {
            dg_str raw;
            if ((rc = number_text(c, true, "a number", &raw)) != 0)
                return rc;
            rc = dg_number_canonical(raw.ptr, raw.len, c->a, slot, c->path.buf, c->err);
            if (rc != 0)
                return dg_model_refail(c->err, rc, &c->path);
        } else if ((rc = string_value(c, "a string", slot)) != 0) {
            return rc;
        }
        dg_path_pop(&c->path, mark);
    }
    if (rc < 0)
        return reader_fail(c, rc);
    if (g.count == 0)
        return ABSENT;
    const dg_str *items = (const dg_str *)(void *)g.items;
    ptrdiff_t d = dg_model_first_duplicate(items, g.count);
    if (d == -2)
        return oom(c);
    if (d >= 0) {
        char q[80];
        dg_model_quote(q, sizeof q, items[d].ptr, items[d].len);
        dg_path_push_index(&c->path, (size_t)d);
        return dg_model_fail(c->err, DG_EINVAL, &c->path, "duplicate value %s%s%s in a set",
                             num ? "" : "\"", q, num ? "" : "\"");
    }
    out->items = (dg_str *)(void *)g.items;
    out->count = g.count;
    return 0;
}

static int d_value(uctx *c, const dg_field_desc *f, void *v, int depth)
{
    dg_str s;
    int rc;
    switch (f->type) {
    case DG_TYPE_STRING:
        return string_value(c, "a string", v);
    case DG_TYPE_INT32:
    case DG_TYPE_INT64: {
        int64_t x;
        if ((rc = number_text(c, false, "a number", &s)) != 0)
            return rc;
        bool i32 = f->type == DG_TYPE_INT32;
        rc = dg_int_parse(s.ptr, s.len, i32 ? INT32_MIN : INT64_MIN, i32 ? INT32_MAX : INT64_MAX,
                          &x, c->path.buf, c->err);
        if (rc != 0)
            return dg_model_refail(c->err, rc, &c->path);
        if (i32)
            *(int32_t *)v = (int32_t)x;
        else
            *(int64_t *)v = x;
        return 0;
    }
    case DG_TYPE_DECIMAL:
        if ((rc = number_text(c, true, "a number", &s)) != 0)
            return rc;
        rc = dg_decimal_parse(s.ptr, s.len, f->scale, v, c->path.buf, c->err);
        return rc != 0 ? dg_model_refail(c->err, rc, &c->path) : 0;
    case DG_TYPE_DOUBLE:
        if ((rc = number_text(c, false, "a number", &s)) != 0)
            return rc;
        rc = dg_model_parse_double(s.ptr, s.len, v);
        if (rc == DG_ERANGE)
            return dg_model_fail(c->err, rc, &c->path, "number out of range for a double");
        return rc != 0 ? dg_model_fail(c->err, rc, &c->path, "not a number") : 0;
    case DG_TYPE_BOOL: {
        dg_jv t = dg_jr_peek(&c->r);
        if (t != DG_JV_TRUE && t != DG_JV_FALSE)
            return wrong_type(c, "true or false", t);
        rc = dg_jr_bool(&c->r, v);
        return rc != 0 ? reader_fail(c, rc) : 0;
    }
    case DG_TYPE_BINARY:
        if ((rc = string_value(c, "a base64 string", &s)) != 0)
            return rc;
        rc = dg_base64_decode(s.ptr, s.len, c->a, v, c->path.buf, c->err);
        return rc != 0 ? dg_model_refail(c->err, rc, &c->path) : 0;
    case DG_TYPE_TIMESTAMP:
        if ((rc = string_value(c, "an RFC 3339 timestamp string", &s)) != 0)
            return rc;
        rc = dg_rfc3339_parse(s.ptr, s.len, v, c->path.buf, c->err);
        return rc != 0 ? dg_model_refail(c->err, rc, &c->path) : 0;
    case DG_TYPE_TTL: {
        dg_jv t = dg_jr_peek(&c->r);
        if (t == DG_JV_NUMBER) {
            if ((rc = number_text(c, false, "", &s)) != 0)
                return rc;
            rc = dg_int_parse(s.ptr, s.len, TTL_MIN_S, TTL_MAX_S, v, c->path.buf, c->err);
            return rc != 0 ? dg_model_refail(c->err, rc, &c->path) : 0;
        }
        if (t != DG_JV_STRING)
            return wrong_type(c, "an RFC 3339 timestamp string or epoch seconds", t);
        if ((rc = string_value(c, "", &s)) != 0)
            return rc;
        int64_t ms;
        rc = dg_rfc3339_parse(s.ptr, s.len, &ms, c->path.buf, c->err);
        if (rc != 0)
            return dg_model_refail(c->err, rc, &c->path);
        if (ms % 1000 != 0)
            return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                 "a TTL has whole-second precision (drop the fraction)");
        *(int64_t *)v = ms / 1000;
        return 0;
    }
    case DG_TYPE_STRING_SET:
    case DG_TYPE_NUMBER_SET:
        return d_set(c, f, v);
    case DG_TYPE_LIST: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: list without an element type");
        dg_jv t = dg_jr_peek(&c->r);
        if (t != DG_JV_ARRAY)
            return wrong_type(c, "an array", t);
        if ((rc = dg_jr_array_begin(&c->r)) != 0)
            return reader_fail(c, rc);
        dg_grow g = {NULL, 0, 0, e->size};
        while ((rc = dg_jr_array_next(&c->r)) == 1) {
            size_t mark = dg_path_push_index(&c->path, g.count);
            void *slot = dg_grow_push(c->a, &g);
            if (slot == NULL)
                return oom(c);
            rc = d_value(c, e, slot, depth + 1);
            if (rc == ABSENT)
                return dg_model_fail(c->err, DG_EINVAL, &c->path,
                                     "an empty set cannot be stored in a list");
            if (rc != 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        if (rc < 0)
            return reader_fail(c, rc);
        dg_list *l = v;
        l->items = g.items;
        l->count = g.count;
        return 0;
    }
    case DG_TYPE_MAP: {
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: map without a value type");
        dg_jv t = dg_jr_peek(&c->r);
        if (t != DG_JV_OBJECT)
            return wrong_type(c, "an object", t);
        if ((rc = dg_jr_object_begin(&c->r)) != 0)
            return reader_fail(c, rc);
        dg_grow keys = {NULL, 0, 0, sizeof(dg_str)};
        dg_grow vals = {NULL, 0, 0, e->size};
        dg_str key;
        while ((rc = dg_jr_object_next(&c->r, &key)) == 1) {
            size_t mark = dg_path_push_key(&c->path, key.ptr, key.len);
            dg_str *ks = dg_grow_push(c->a, &keys);
            void *vs = dg_grow_push(c->a, &vals);
            if (ks == NULL || vs == NULL)
                return oom(c);
            /* Keys without escapes point into the input: copy. */
            char *kc = dg_arena_strndup(c->a, key.ptr, key.len);
            if (kc == NULL)
                return oom(c);
            *ks = dg_str_from(kc, key.len);
            rc = d_value(c, e, vs, depth + 1);
            if (rc < 0)
                return rc;
            if (rc == ABSENT) { /* empty set value: drop the entry */
                keys.count--;
                vals.count--;
                memset(vs, 0, e->size);
            }
            dg_path_pop(&c->path, mark);
        }
        if (rc < 0)
            return reader_fail(c, rc);
        const dg_str *ka = (const dg_str *)(void *)keys.items;
        ptrdiff_t d = dg_model_first_duplicate(ka, keys.count);
        if (d == -2)
            return oom(c);
        if (d >= 0) {
            dg_path_push_key(&c->path, ka[d].ptr, ka[d].len);
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "duplicate key");
        }
        dg_map *m = v;
        m->keys = (dg_str *)(void *)keys.items;
        m->values = vals.items;
        m->count = keys.count;
        return 0;
    }
    case DG_TYPE_OBJECT: {
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: object without a descriptor");
        dg_jv t = dg_jr_peek(&c->r);
        if (t != DG_JV_OBJECT)
            return wrong_type(c, "an object", t);
        return d_object(c, f->object, v, depth + 1);
    }
    }
    return dg_model_fail(c->err, DG_EINTERNAL, &c->path, "descriptor: unknown type %d",
                         (int)f->type);
}

/* Optimal-string-alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), for "did you mean". Inputs are at most 64 bytes. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

static int unknown_field(uctx *c, const dg_object_desc *d, dg_str key)
{
    const char *suggest = NULL;
    size_t best = 3;
    if (key.len <= 64) {
        for (uint32_t i = 0; i < d->field_count; i++) {
            const char *nm = d->fields[i].name;
            size_t nl = strlen(nm);
            if (nl > 64)
                continue;
            size_t dist = edit_distance(key.ptr, key.len, nm, nl);
            if (dist < best && dist < nl) {
                best = dist;
                suggest = nm;
            }
        }
    }
    char q[80];
    dg_model_quote(q, sizeof q, key.ptr, key.len);
    size_t parent = c->path.len;
    char prefix[DG_ERROR_FIELD_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s%s", c->path.buf, parent ? ": " : "");
    dg_path_push_key(&c->path, key.ptr, key.len);
    if (suggest != NULL)
        return dg_error_set(c->err, DG_EINVAL, c->path.buf,
                            "%sunknown field '%s' (did you mean '%s'?)", prefix, q, suggest);
    return dg_error_set(c->err, DG_EINVAL, c->path.buf, "%sunknown field '%s'", prefix, q);
}

static int find_name(const dg_object_desc *d, dg_str key)
{
    for (uint32_t i = 0; i < d->field_count; i++) {
        const char *nm = d->fields[i].name;
        if (nm[0] == (key.len ? key.ptr[0] : '\0') && dg_field_name_len(&d->fields[i]) == key.len &&
            memcmp(nm, key.ptr, key.len) == 0)
            return (int)i;
    }
    return -1;
}

static int d_object(uctx *c, const dg_object_desc *d, void *obj, int depth)
{
    int rc = dg_jr_object_begin(&c->r);
    if (rc != 0)
        return reader_fail(c, rc);
    uint64_t seen = 0;
    uint64_t *present = dg_presence(d, obj);
    dg_str key;
    (void)depth;
    while ((rc = dg_jr_object_next(&c->r, &key)) == 1) {
        int i = find_name(d, key);
        if (i < 0)
            return unknown_field(c, d, key);
        const dg_field_desc *f = &d->fields[i];
        size_t mark = dg_path_push_name(&c->path, f->name);
        uint64_t bit = (uint64_t)1 << i;
        if (seen & bit)
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "duplicate key in the object");
        seen |= bit;
        if ((f->flags & DG_F_READONLY) && !(c->flags & DG_DECODE_ALLOW_READONLY))
            return dg_model_fail(c->err, DG_EINVAL, &c->path, "read-only, set by the service");
        if (dg_jr_peek(&c->r) == DG_JV_NULL) {
            if (f->flags & DG_F_REQUIRED)
                return dg_model_fail(c->err, DG_EINVAL, &c->path, "required, cannot be null");
            if ((rc = dg_jr_null(&c->r)) != 0)
                return reader_fail(c, rc);
            *present &= ~bit;
        } else {
            rc = d_value(c, f, dg_field_ptr(obj, f), depth);
            if (rc < 0)
                return rc;
            if (rc == ABSENT)
                *present &= ~bit;
            else
                *present |= bit;
        }
        dg_path_pop(&c->path, mark);
    }
    return rc < 0 ? reader_fail(c, rc) : 0;
}

int dg_json_unmarshal(const dg_object_desc *d, const char *json, size_t len, unsigned flags,
                      void *obj, dg_arena *a, dg_error *err)
{
    if (d == NULL || obj == NULL || a == NULL || (json == NULL && len > 0))
        return dg_error_set(err, DG_EINVAL, NULL, "dg_json_unmarshal: NULL argument");
    uctx c;
    dg_jr_init(&c.r, json, len, a, err);
    c.a = a;
    c.err = err;
    c.flags = flags;
    dg_path_init(&c.path);
    dg_jv t = dg_jr_peek(&c.r);
    if (t == DG_JV_END)
        return dg_error_set(err, DG_EINVAL, NULL, "body is empty: expected a JSON object");
    if (t == DG_JV_BAD)
        return dg_jr_error(&c.r, "expected a JSON object");
    if (t != DG_JV_OBJECT)
        return dg_error_set(err, DG_EINVAL, NULL, "body must be a JSON object, got %s",
                            dg_jv_name(t));
    int rc = d_object(&c, d, obj, 0);
    if (rc != 0)
        return rc;
    return dg_jr_finish(&c.r);
}
