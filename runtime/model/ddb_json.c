/* dynagen runtime — DynamoDB AttributeValue JSON, driven by the descriptors.
 *
 * Marshal appends straight into a dg_buf (no tree). Unmarshal walks the cJSON
 * tree of the attribute map and copies what it keeps into the arena, so the
 * tree can be freed right after. */
#include "model_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/decimal.h"

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
static bool omitted(const dg_field_desc *f, const void *v)
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

static int m_number_int(dg_buf *b, int64_t v)
{
    PUT(b, "{\"N\":\"");
    dg_buf_int64(b, v);
    return PUT(b, "\"}");
}

static int m_value(mctx *c, const dg_field_desc *f, const void *v, int depth)
{
    dg_buf *b = c->b;
    switch (f->type) {
    case DG_TYPE_STRING: {
        const dg_str *s = v;
        PUT(b, "{\"S\":");
        dg_buf_json_string(b, s->ptr != NULL ? s->ptr : "", s->len);
        return dg_buf_putc(b, '}');
    }
    case DG_TYPE_INT32:
        return m_number_int(b, *(const int32_t *)v);
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
        return m_number_int(b, *(const int64_t *)v);
    case DG_TYPE_DECIMAL:
        PUT(b, "{\"N\":\"");
        dg_decimal_format(b, *(const int64_t *)v, f->scale);
        return PUT(b, "\"}");
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
    case DG_TYPE_BOOL:
        if (*(const bool *)v)
            return PUT(b, "{\"BOOL\":true}");
        return PUT(b, "{\"BOOL\":false}");
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
            PUT(b, "{\"SS\":[");
        else
            PUT(b, "{\"NS\":[");
        for (size_t i = 0; i < s->count; i++) {
            if (i > 0)
                dg_buf_putc(b, ',');
            dg_buf_json_string(b, s->items[i].ptr != NULL ? s->items[i].ptr : "", s->items[i].len);
        }
        return PUT(b, "]}");
    }
    case DG_TYPE_LIST: {
        const dg_list *l = v;
        const dg_field_desc *e = f->elem;
        if (e == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: list without an element type");
        PUT(b, "{\"L\":[");
        for (size_t i = 0; i < l->count; i++) {
            if (i > 0)
                dg_buf_putc(b, ',');
            size_t mark = dg_path_push_index(&c->path, i);
            int rc = m_value(c, e, (const char *)l->items + i * e->size, depth + 1);
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
        PUT(b, "{\"M\":{");
        bool first = true;
        for (size_t i = 0; i < m->count; i++) {
            const void *ev = (const char *)m->values + i * e->size;
            if (omitted(e, ev))
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
        return PUT(b, "}}");
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return dg_model_fail(c->err, DG_EINTERNAL, &c->path,
                                 "descriptor: object without a descriptor");
        PUT(b, "{\"M\":");
        {
            int rc = m_object(c, f->object, v, depth + 1);
            if (rc < 0 && dg_buf_status(b) == 0)
                return rc;
        }
        return dg_buf_putc(b, '}');
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
        if (omitted(f, v))
            continue;
        if (!first)
            dg_buf_putc(b, ',');
        first = false;
        dg_buf_json_string(b, f->attr, strlen(f->attr));
        dg_buf_putc(b, ':');
        size_t mark = dg_path_push_name(&c->path, f->name);
        int rc = m_value(c, f, v, depth);
        if (rc < 0 && dg_buf_status(b) == 0)
            return rc;
        dg_path_pop(&c->path, mark);
    }
    return dg_buf_putc(b, '}');
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
    int rc = m_object(&c, d, obj, 0);
    if (rc == 0 || dg_buf_status(out) != 0)
        rc = dg_buf_status(out);
    if (rc != 0) {
        if (rc == DG_ENOMEM)
            dg_error_set(err, DG_ENOMEM, NULL, "out of memory writing DynamoDB JSON");
        if (out->failed == 0 && out->len > start) {
            out->len = start;
            out->data[start] = '\0';
        }
        return rc;
    }
    return 0;
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
    if (rc == 0 || dg_buf_status(out) != 0)
        rc = dg_buf_status(out);
    if (rc != 0) {
        if (rc == DG_ENOMEM)
            dg_error_set(err, DG_ENOMEM, NULL, "out of memory writing DynamoDB JSON");
        if (out->failed == 0 && out->len > start) {
            out->len = start;
            out->data[start] = '\0';
        }
    }
    return rc;
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

static bool json_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int dg_ddb_unmarshal(const dg_object_desc *d, const char *json, size_t len, void *obj, dg_arena *a,
                     dg_error *err)
{
    if (json == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_ddb_unmarshal: NULL input");
    /* cJSON's require_null_terminated wants a NUL inside `len`, which a
     * length-delimited buffer does not have; parse without it and check the
     * rest ourselves (no copy). */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (root == NULL) {
        size_t at = (end != NULL && end >= json && end <= json + len) ? (size_t)(end - json) : 0;
        return dg_error_set(err, DG_EINVAL, NULL, "invalid DynamoDB JSON at byte %zu", at);
    }
    const char *lim = json + len;
    while (end < lim && json_ws(*end))
        end++;
    if (end != lim) {
        cJSON_Delete(root);
        return dg_error_set(err, DG_EINVAL, NULL,
                            "unexpected data after the JSON value at byte %zu",
                            (size_t)(end - json));
    }
    int rc = dg_ddb_unmarshal_cjson(d, root, obj, a, err);
    cJSON_Delete(root);
    return rc;
}
