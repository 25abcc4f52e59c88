/* dynagen runtime — private helpers shared by the model codecs (validate.c,
 * ddb_json.c, api_json.c). Not installed; generated code never sees it. */
#ifndef DYNAGEN_MODEL_INTERNAL_H
#define DYNAGEN_MODEL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dynagen/model.h"

/* The value of a field inside its struct. */
static inline void *dg_field_ptr(void *obj, const dg_field_desc *f)
{
    return (char *)obj + f->offset;
}
static inline const void *dg_field_cptr(const void *obj, const dg_field_desc *f)
{
    return (const char *)obj + f->offset;
}

/* Lengths of a field's names: precomputed by the generator, or measured for
 * hand-written descriptors (names are never empty, so 0 means "not set"). */
static inline size_t dg_field_attr_len(const dg_field_desc *f)
{
    return f->attr_len != 0 ? f->attr_len : strlen(f->attr);
}
static inline size_t dg_field_name_len(const dg_field_desc *f)
{
    return f->name_len != 0 ? f->name_len : strlen(f->name);
}

/* ---- error paths ----
 * A path is built while walking ("dims.origin.zip", "parts[2].sku",
 * "specs.color", "specs[\"a b\"]"), truncated with "..." when it does not
 * fit dg_error.field. push returns the previous length for pop. */
typedef struct dg_path {
    char buf[DG_ERROR_FIELD_MAX];
    size_t len;
} dg_path;

static inline void dg_path_init(dg_path *p)
{
    p->buf[0] = '\0';
    p->len = 0;
}
static inline void dg_path_pop(dg_path *p, size_t mark)
{
    p->len = mark;
    p->buf[mark] = '\0';
}
size_t dg_path_push_name(dg_path *p, const char *name);
size_t dg_path_push_index(dg_path *p, size_t index);
/* ".key" when key is an identifier ([A-Za-z_][A-Za-z0-9_]*), else ["key"]
 * with JSON escapes (long keys shortened). */
size_t dg_path_push_key(dg_path *p, const char *key, size_t n);

/* Set err: field = path, message = "path: <fmt...>" (just "<fmt...>" at the
 * root). Returns code. */
int dg_model_fail(dg_error *err, int code, const dg_path *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* After a core helper (dg_int_parse, dg_decimal_parse, ...) failed with
 * field = p->buf: make sure err->field is the path and the message starts
 * with "path: ". Returns err->code (or rc when err is NULL). */
int dg_model_refail(dg_error *err, int rc, const dg_path *p);

/* End of a marshal call that appended to out from `start`: turn a sticky
 * buffer failure into DG_ENOMEM ("out of memory writing <what>") and, on any
 * failure, take back what this call appended. Returns the final status. */
int dg_model_marshal_finish(dg_buf *out, size_t start, int rc, const char *what, dg_error *err);

/* ---- numbers ---- */
/* Shortest text that strtod reads back to exactly v (v finite), JSON-number
 * syntax ("0.1", "1e+300", "-0" -> "0" when no_neg_zero). */
int dg_model_format_double(dg_buf *b, double v, bool no_neg_zero);
/* Parse a JSON/DynamoDB number text into a finite double: DG_EINVAL when
 * not JSON-number syntax, DG_ERANGE when it overflows to infinity. */
int dg_model_parse_double(const char *s, size_t n, double *out);
/* True when s[0..n) has JSON-number syntax. */
bool dg_model_is_number(const char *s, size_t n);

/* ---- uniqueness ----
 * Index (0-based) of the first item that equals an earlier one, or -1.
 * Allocation failure returns -2. */
ptrdiff_t dg_model_first_duplicate(const dg_str *items, size_t count);

/* Human-readable, bounded quote of user text for messages: non-printable
 * bytes as \xNN, long text cut with "...". Writes a NUL-terminated string. */
void dg_model_quote(char *dst, size_t cap, const char *s, size_t n);

/* A valid DynamoDB-JSON / API-JSON type name for messages. */
const char *dg_type_name(dg_type t);

/* ---- growable arrays in the arena (both JSON decoders' lists, sets, maps) ----
 * Slots are zeroed; start with {NULL, 0, 0, sizeof(element)}. */
typedef struct dg_grow {
    char *items;
    size_t count, cap, size;
} dg_grow;
/* The slow path of dg_grow_push: double the capacity (8 first). */
void *dg_grow_more(dg_arena *a, dg_grow *g);
/* A new zeroed slot at the end, or NULL when the arena is exhausted. */
static inline void *dg_grow_push(dg_arena *a, dg_grow *g)
{
    if (g->count == g->cap)
        return dg_grow_more(a, g);
    return g->items + g->size * g->count++;
}

#endif
