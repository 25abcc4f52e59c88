/* dynagen runtime — dg_validate: the schema's constraints checked against a
 * decoded (or hand-filled) struct, walking the descriptors. */
#include "model_internal.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/decimal.h"

/* Range every timestamp must stay in so it can be written as RFC 3339
 * (0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z). */
#define TS_MIN_MS INT64_C(-62135596800000)
#define TS_MAX_MS INT64_C(253402300799999)

/* ---------------------------------------------------------------- patterns */

static pthread_mutex_t g_re_lock = PTHREAD_MUTEX_INITIALIZER;
static dg_regex_slot *g_re_head;

static int compile_pattern(const char *pattern, regex_t *re)
{
    size_t n = strlen(pattern);
    char *full = malloc(n + 5);
    if (full == NULL)
        return DG_ENOMEM;
    memcpy(full, "^(", 2);
    memcpy(full + 2, pattern, n);
    memcpy(full + 2 + n, ")$", 3);
    int rc = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
    free(full);
    return rc == 0 ? 0 : DG_EINVAL;
}

/* The compiled pattern of f, from its slot (compiled once) or, without a
 * slot, into *tmp (caller regfree()s it when *used_tmp). */
static int get_pattern(const dg_field_desc *f, regex_t *tmp, bool *used_tmp, const regex_t **out)
{
    dg_regex_slot *slot = f->pattern_slot;
    *used_tmp = false;
    if (slot == NULL) {
        int rc = compile_pattern(f->pattern, tmp);
        if (rc != 0)
            return rc;
        *used_tmp = true;
        *out = tmp;
        return 0;
    }
    int state = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
    if (state == 0) {
        pthread_mutex_lock(&g_re_lock);
        state = slot->state;
        if (state == 0) {
            regex_t *re = malloc(sizeof *re);
            int rc = re != NULL ? compile_pattern(f->pattern, re) : DG_ENOMEM;
            if (rc == DG_ENOMEM) {
                free(re);
                pthread_mutex_unlock(&g_re_lock);
                return DG_ENOMEM;
            }
            if (rc != 0) {
                free(re);
                state = -1;
            } else {
                slot->compiled = re;
                slot->next = g_re_head;
                g_re_head = slot;
                state = 1;
            }
            __atomic_store_n(&slot->state, state, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&g_re_lock);
    }
    if (state < 0)
        return DG_EINVAL;
    *out = slot->compiled;
    return 0;
}

void dg_model_cleanup(void)
{
    pthread_mutex_lock(&g_re_lock);
    dg_regex_slot *s = g_re_head;
    while (s != NULL) {
        dg_regex_slot *next = s->next;
        if (s->compiled != NULL) {
            regfree(s->compiled);
            free(s->compiled);
        }
        s->compiled = NULL;
        s->next = NULL;
        __atomic_store_n(&s->state, 0, __ATOMIC_RELEASE);
        s = next;
    }
    g_re_head = NULL;
    pthread_mutex_unlock(&g_re_lock);
}

static bool regex_matches(const regex_t *re, const char *s, size_t n)
{
#ifdef REG_STARTEND
    regmatch_t m[1];
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)n;
    return regexec(re, s != NULL ? s : "", 1, m, REG_STARTEND) == 0;
#else
    char *tmp = malloc(n + 1);
    if (tmp == NULL)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    bool ok = memchr(s, 0, n) == NULL && regexec(re, tmp, 0, NULL, 0) == 0;
    free(tmp);
    return ok;
#endif
}

/* ---------------------------------------------------------------- walker */

typedef struct vctx {
    dg_path path;
    dg_arena *scratch; /* for number-set canonical forms, created on demand */
    dg_error *err;
} vctx;

static int fail(vctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(vctx *c, int code, const char *fmt, ...)
{
    char msg[DG_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dg_model_fail(c->err, code, &c->path, "%s", msg);
}

/* Bound text for messages: integers, decimals without trailing fraction
 * zeros ("0", "19.5"), doubles shortest, timestamps RFC 3339. */
static void bound_text(const dg_field_desc *f, bool is_min, char *out, size_t cap)
{
    int64_t v = is_min ? f->min : f->max;
    dg_buf b = DG_BUF_INIT;
    switch (f->type) {
    case DG_TYPE_DECIMAL:
        dg_decimal_format(&b, v, f->scale);
        if (dg_buf_status(&b) == 0 && memchr(b.data, '.', b.len) != NULL) {
            while (b.len > 0 && b.data[b.len - 1] == '0')
                b.len--;
            if (b.len > 0 && b.data[b.len - 1] == '.')
                b.len--;
        }
        break;
    case DG_TYPE_DOUBLE:
        dg_model_format_double(&b, is_min ? f->min_d : f->max_d, false);
        break;
    case DG_TYPE_TIMESTAMP:
        if (v >= TS_MIN_MS && v <= TS_MAX_MS)
            dg_rfc3339_format(&b, v);
        else
            dg_buf_int64(&b, v);
        break;
    case DG_TYPE_TTL:
        if (v >= TS_MIN_MS / 1000 && v <= TS_MAX_MS / 1000)
            dg_rfc3339_format(&b, v * 1000);
        else
            dg_buf_int64(&b, v);
        break;
    default:
        dg_buf_int64(&b, v);
        break;
    }
    if (dg_buf_status(&b) != 0 || b.len == 0)
        snprintf(out, cap, "?");
    else
        snprintf(out, cap, "%.*s", (int)b.len, b.data);
    dg_buf_free(&b);
}

static int check_int_bounds(vctx *c, const dg_field_desc *f, int64_t v)
{
    char t[64];
    if ((f->flags & DG_F_HAS_MIN) && v < f->min) {
        bound_text(f, true, t, sizeof t);
        return fail(c, DG_EINVAL, "must be >= %s", t);
    }
    if ((f->flags & DG_F_HAS_MAX) && v > f->max) {
        bound_text(f, false, t, sizeof t);
        return fail(c, DG_EINVAL, "must be <= %s", t);
    }
    return 0;
}

static int check_string(vctx *c, const dg_field_desc *f, const dg_str *s)
{
    if (s->len > 0 && s->ptr == NULL)
        return fail(c, DG_EINVAL, "string has a length but no data");
    if (!dg_utf8_valid(s->ptr, s->len))
        return fail(c, DG_EINVAL, "not valid UTF-8");
    if (f->enum_values != NULL) {
        bool found = false;
        for (uint32_t i = 0; i < f->enum_count && !found; i++)
            found = dg_str_eq_cstr(*s, f->enum_values[i]);
        if (!found) {
            char list[256];
            size_t t = 0;
            list[0] = '\0';
            for (uint32_t i = 0; i < f->enum_count && t < sizeof list - 8; i++) {
                int w =
                    snprintf(list + t, sizeof list - t, "%s%s", i ? ", " : "", f->enum_values[i]);
                if (w < 0 || (size_t)w >= sizeof list - t) {
                    snprintf(list + sizeof list - 5, 5, "...");
                    break;
                }
                t += (size_t)w;
            }
            return fail(c, DG_EINVAL, "must be one of: %s", list);
        }
    }
    if (f->min_length != 0 || f->max_length != 0) {
        size_t cps = dg_utf8_length(s->ptr, s->len);
        if (f->min_length != 0 && cps < f->min_length)
            return fail(c, DG_EINVAL, "shorter than %u character%s", f->min_length,
                        f->min_length == 1 ? "" : "s");
        if (f->max_length != 0 && cps > f->max_length)
            return fail(c, DG_EINVAL, "longer than %u character%s", f->max_length,
                        f->max_length == 1 ? "" : "s");
    }
    if (f->pattern != NULL) {
        regex_t tmp;
        bool used_tmp;
        const regex_t *re;
        int rc = get_pattern(f, &tmp, &used_tmp, &re);
        if (rc == DG_ENOMEM)
            return fail(c, DG_ENOMEM, "out of memory compiling the pattern");
        if (rc != 0)
            return fail(c, DG_EINTERNAL,
                        "the schema's pattern %s is not a valid POSIX extended regex", f->pattern);
        bool ok = regex_matches(re, s->ptr, s->len);
        if (used_tmp)
            regfree(&tmp);
        if (!ok)
            return fail(c, DG_EINVAL, "does not match %s", f->pattern);
    }
    return 0;
}

static int check_items(vctx *c, const dg_field_desc *f, size_t count)
{
    if (f->max_items != 0 && count > f->max_items)
        return fail(c, DG_EINVAL, "more than %u item%s", f->max_items,
                    f->max_items == 1 ? "" : "s");
    return 0;
}

static int check_duplicates(vctx *c, const dg_str *items, size_t count, const char *what)
{
    ptrdiff_t d = dg_model_first_duplicate(items, count);
    if (d == -2)
        return fail(c, DG_ENOMEM, "out of memory");
    if (d >= 0) {
        char q[80];
        dg_model_quote(q, sizeof q, items[d].ptr, items[d].len);
        size_t mark = dg_path_push_index(&c->path, (size_t)d);
        int rc = fail(c, DG_EINVAL, "duplicate %s \"%s\"", what, q);
        dg_path_pop(&c->path, mark);
        return rc;
    }
    return 0;
}

static int validate_object(vctx *c, const dg_object_desc *d, const void *obj, int depth);

static const dg_field_desc plain_string = {
    .name = "[]", .attr = "[]", .type = DG_TYPE_STRING, .size = sizeof(dg_str)};

static int validate_value(vctx *c, const dg_field_desc *f, const void *v, int depth)
{
    switch (f->type) {
    case DG_TYPE_STRING:
        return check_string(c, f, v);
    case DG_TYPE_INT32:
        return check_int_bounds(c, f, *(const int32_t *)v);
    case DG_TYPE_INT64:
    case DG_TYPE_DECIMAL:
        return check_int_bounds(c, f, *(const int64_t *)v);
    case DG_TYPE_TIMESTAMP: {
        int64_t t = *(const int64_t *)v;
        if (t < TS_MIN_MS || t > TS_MAX_MS)
            return fail(c, DG_EINVAL, "must be between years 0001 and 9999");
        return check_int_bounds(c, f, t);
    }
    case DG_TYPE_TTL: {
        int64_t t = *(const int64_t *)v;
        if (t < TS_MIN_MS / 1000 || t > TS_MAX_MS / 1000)
            return fail(c, DG_EINVAL, "must be between years 0001 and 9999");
        return check_int_bounds(c, f, t);
    }
    case DG_TYPE_DOUBLE: {
        double x = *(const double *)v;
        char t[64];
        if (!isfinite(x))
            return fail(c, DG_EINVAL, "must be a finite number");
        if ((f->flags & DG_F_HAS_MIN) && x < f->min_d) {
            bound_text(f, true, t, sizeof t);
            return fail(c, DG_EINVAL, "must be >= %s", t);
        }
        if ((f->flags & DG_F_HAS_MAX) && x > f->max_d) {
            bound_text(f, false, t, sizeof t);
            return fail(c, DG_EINVAL, "must be <= %s", t);
        }
        return 0;
    }
    case DG_TYPE_BOOL:
        return 0;
    case DG_TYPE_BINARY: {
        const dg_bytes *b = v;
        if (b->len > 0 && b->ptr == NULL)
            return fail(c, DG_EINVAL, "binary value has a length but no data");
        if (f->min_length != 0 && b->len < f->min_length)
            return fail(c, DG_EINVAL, "shorter than %u byte%s", f->min_length,
                        f->min_length == 1 ? "" : "s");
        if (f->max_length != 0 && b->len > f->max_length)
            return fail(c, DG_EINVAL, "longer than %u byte%s", f->max_length,
                        f->max_length == 1 ? "" : "s");
        return 0;
    }
    case DG_TYPE_STRING_SET: {
        const dg_set *s = v;
        int rc = check_items(c, f, s->count);
        if (rc != 0)
            return rc;
        if (s->count > 0 && s->items == NULL)
            return fail(c, DG_EINVAL, "set has a count but no items");
        /* Member constraints come from f->elem (a STRING descriptor) when the
         * schema gives any; UTF-8 is checked either way. */
        const dg_field_desc *member =
            (f->elem != NULL && f->elem->type == DG_TYPE_STRING) ? f->elem : &plain_string;
        for (size_t i = 0; i < s->count; i++) {
            size_t mark = dg_path_push_index(&c->path, i);
            rc = check_string(c, member, &s->items[i]);
            if (rc != 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return check_duplicates(c, s->items, s->count, "member");
    }
    case DG_TYPE_NUMBER_SET: {
        const dg_set *s = v;
        int rc = check_items(c, f, s->count);
        if (rc != 0)
            return rc;
        if (s->count == 0)
            return 0;
        if (s->items == NULL)
            return fail(c, DG_EINVAL, "set has a count but no items");
        if (c->scratch == NULL && (c->scratch = dg_arena_new(0)) == NULL)
            return fail(c, DG_ENOMEM, "out of memory");
        dg_str *canon = dg_arena_alloc(c->scratch, s->count * sizeof *canon);
        if (canon == NULL)
            return fail(c, DG_ENOMEM, "out of memory");
        for (size_t i = 0; i < s->count; i++) {
            size_t mark = dg_path_push_index(&c->path, i);
            rc = dg_number_canonical(s->items[i].ptr != NULL ? s->items[i].ptr : "",
                                     s->items[i].len, c->scratch, &canon[i], c->path.buf, c->err);
            if (rc != 0)
                return dg_model_refail(c->err, rc, &c->path);
            dg_path_pop(&c->path, mark);
        }
        ptrdiff_t d = dg_model_first_duplicate(canon, s->count);
        if (d == -2)
            return fail(c, DG_ENOMEM, "out of memory");
        if (d >= 0) {
            char q[80];
            dg_model_quote(q, sizeof q, s->items[d].ptr, s->items[d].len);
            dg_path_push_index(&c->path, (size_t)d);
            return fail(c, DG_EINVAL, "duplicate member %s (numbers are compared by value)", q);
        }
        return 0;
    }
    case DG_TYPE_LIST: {
        const dg_list *l = v;
        if (f->elem == NULL)
            return fail(c, DG_EINTERNAL, "descriptor: list without an element type");
        int rc = check_items(c, f, l->count);
        if (rc != 0)
            return rc;
        if (l->count > 0 && l->items == NULL)
            return fail(c, DG_EINVAL, "list has a count but no items");
        for (size_t i = 0; i < l->count; i++) {
            size_t mark = dg_path_push_index(&c->path, i);
            rc = validate_value(c, f->elem, (const char *)l->items + i * f->elem->size, depth + 1);
            if (rc != 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return 0;
    }
    case DG_TYPE_MAP: {
        const dg_map *m = v;
        if (f->elem == NULL)
            return fail(c, DG_EINTERNAL, "descriptor: map without a value type");
        int rc = check_items(c, f, m->count);
        if (rc != 0)
            return rc;
        if (m->count > 0 && (m->keys == NULL || m->values == NULL))
            return fail(c, DG_EINVAL, "map has a count but no entries");
        for (size_t i = 0; i < m->count; i++) {
            if (!dg_utf8_valid(m->keys[i].ptr, m->keys[i].len) ||
                (m->keys[i].len > 0 && m->keys[i].ptr == NULL))
                return fail(c, DG_EINVAL, "key #%zu is not valid UTF-8", i);
            if (m->keys[i].len == 0) /* DynamoDB rejects empty attribute names inside maps */
                return fail(c, DG_EINVAL, "keys cannot be empty");
        }
        ptrdiff_t d = dg_model_first_duplicate(m->keys, m->count);
        if (d == -2)
            return fail(c, DG_ENOMEM, "out of memory");
        if (d >= 0) {
            char q[80];
            dg_model_quote(q, sizeof q, m->keys[d].ptr, m->keys[d].len);
            return fail(c, DG_EINVAL, "duplicate key \"%s\"", q);
        }
        for (size_t i = 0; i < m->count; i++) {
            size_t mark = dg_path_push_key(&c->path, m->keys[i].ptr, m->keys[i].len);
            rc = validate_value(c, f->elem, (const char *)m->values + i * f->elem->size, depth + 1);
            if (rc != 0)
                return rc;
            dg_path_pop(&c->path, mark);
        }
        return 0;
    }
    case DG_TYPE_OBJECT:
        if (f->object == NULL)
            return fail(c, DG_EINTERNAL, "descriptor: object without a descriptor");
        return validate_object(c, f->object, v, depth + 1);
    }
    return fail(c, DG_EINTERNAL, "descriptor: unknown type %d", (int)f->type);
}

static int validate_object(vctx *c, const dg_object_desc *d, const void *obj, int depth)
{
    if (depth > DG_JSON_MAX_DEPTH)
        return fail(c, DG_EINVAL, "nested deeper than %d levels", DG_JSON_MAX_DEPTH);
    uint64_t present = *(const uint64_t *)((const char *)obj + d->presence_offset);
    for (uint32_t i = 0; i < d->field_count; i++) {
        const dg_field_desc *f = &d->fields[i];
        size_t mark = dg_path_push_name(&c->path, f->name);
        int rc = 0;
        if (!((present >> i) & 1u)) {
            if (f->flags & DG_F_REQUIRED)
                rc = fail(c, DG_EINVAL, "required");
        } else {
            rc = validate_value(c, f, dg_field_cptr(obj, f), depth);
        }
        if (rc != 0)
            return rc;
        dg_path_pop(&c->path, mark);
    }
    return 0;
}

int dg_validate(const dg_object_desc *d, const void *obj, dg_error *err)
{
    vctx c;
    dg_path_init(&c.path);
    c.scratch = NULL;
    c.err = err;
    if (d == NULL || obj == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_validate: NULL descriptor or object");
    int rc = validate_object(&c, d, obj, 0);
    dg_arena_destroy(c.scratch);
    if (rc == 0)
        dg_error_clear(err);
    return rc;
}
