/* dynagen runtime — a strict JSON pull reader (RFC 8259), private to the
 * model codecs.
 *
 * Unlike cJSON it hands out the raw text of numbers (exact int64/decimal
 * decoding), lets the caller see every object key (duplicate detection),
 * validates UTF-8 and escapes (\uXXXX with surrogate pairs; lone surrogates
 * rejected), rejects control characters in strings, bounds nesting at
 * DG_JSON_MAX_DEPTH, never recurses (a body of 100000 '[' costs nothing) and
 * reports byte offsets. The caller drives it value by value:
 *
 *     dg_jr_init(&r, text, len, arena, err);
 *     if (dg_jr_peek(&r) != DG_JV_OBJECT) ...;
 *     dg_jr_object_begin(&r);
 *     while ((rc = dg_jr_object_next(&r, &key)) == 1) { ... read one value ... }
 *     if (rc < 0) ...;
 *     dg_jr_finish(&r);   (only whitespace may follow)
 *
 * Errors set err (field "", message "invalid JSON at byte N: ...") and
 * return a negative DG_E* code; the reader must not be used afterwards. */
#ifndef DYNAGEN_JSON_READER_H
#define DYNAGEN_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "dynagen/arena.h"
#include "dynagen/error.h"
#include "dynagen/types.h"

typedef enum dg_jv {
    DG_JV_BAD = 0, /* not the start of a value (syntax error when a value is expected) */
    DG_JV_END,     /* end of input */
    DG_JV_OBJECT,
    DG_JV_ARRAY,
    DG_JV_STRING,
    DG_JV_NUMBER,
    DG_JV_TRUE,
    DG_JV_FALSE,
    DG_JV_NULL
} dg_jv;

typedef struct dg_jr {
    const char *start, *p, *end;
    int depth;
    bool first; /* right after '{' / '[' */
    dg_arena *arena;
    dg_error *err;
} dg_jr;

void dg_jr_init(dg_jr *r, const char *s, size_t n, dg_arena *a, dg_error *err);
/* Skip whitespace and classify the next value without consuming it. */
dg_jv dg_jr_peek(dg_jr *r);
/* "object", "array", "string", "number", "boolean", "null", "invalid JSON", "end of input". */
const char *dg_jv_name(dg_jv v);
/* Byte offset of the read position. */
size_t dg_jr_offset(const dg_jr *r);

/* Consume '{' / '[' (depth + 1; DG_EINVAL beyond DG_JSON_MAX_DEPTH). */
int dg_jr_object_begin(dg_jr *r);
int dg_jr_array_begin(dg_jr *r);
/* 1: a member follows, its key decoded into *key (in the arena when it had
 * escapes, else pointing into the input) and the ':' consumed;
 * 0: '}' consumed; < 0: error. */
int dg_jr_object_next(dg_jr *r, dg_str *key);
/* 1: an element follows; 0: ']' consumed; < 0: error. */
int dg_jr_array_next(dg_jr *r);

/* A string value, decoded into the arena (always a copy, NUL-terminated). */
int dg_jr_string(dg_jr *r, dg_str *out);
/* A number: its exact text, pointing into the input, JSON grammar checked. */
int dg_jr_number(dg_jr *r, dg_str *raw);
/* true / false / null. */
int dg_jr_bool(dg_jr *r, bool *out);
int dg_jr_null(dg_jr *r);
/* Skip one complete value of any kind (iterative, depth-bounded). */
int dg_jr_skip(dg_jr *r);
/* Only whitespace may remain. */
int dg_jr_finish(dg_jr *r);

/* Set a syntax error at the current position: "invalid JSON at byte N: <what>". */
int dg_jr_error(dg_jr *r, const char *what);

#endif
