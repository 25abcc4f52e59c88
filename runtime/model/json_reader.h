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
 * Errors set err (field "", message "invalid JSON at byte N: ...", see
 * dg_jr_set_label) and
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

/* Hard cap for dg_jr_set_max_depth (dg_jr_skip keeps one bit per level). */
#define DG_JR_DEPTH_CAP 128

typedef struct dg_jr {
    const char *start, *p, *end;
    int depth;
    int max_depth; /* DG_JSON_MAX_DEPTH unless dg_jr_set_max_depth */
    bool first;    /* right after '{' / '[' */
    dg_arena *arena;
    dg_error *err;
    const char *label; /* "JSON": errors read "invalid <label> at byte N: ..." */
} dg_jr;

void dg_jr_init(dg_jr *r, const char *s, size_t n, dg_arena *a, dg_error *err);
/* Nesting limit in JSON containers (1..DG_JR_DEPTH_CAP; clamped). */
void dg_jr_set_max_depth(dg_jr *r, int max_depth);
/* Name of the format in syntax errors (a string literal; default "JSON"). */
void dg_jr_set_label(dg_jr *r, const char *label);
/* Skip whitespace and classify the next value without consuming it
 * (inline: it runs before every value). */
static inline dg_jv dg_jr_peek(dg_jr *r)
{
    const char *p = r->p, *e = r->end;
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    r->p = p;
    if (p >= e)
        return DG_JV_END;
    switch (*p) {
    case '{':
        return DG_JV_OBJECT;
    case '[':
        return DG_JV_ARRAY;
    case '"':
        return DG_JV_STRING;
    case 't':
        return DG_JV_TRUE;
    case 'f':
        return DG_JV_FALSE;
    case 'n':
        return DG_JV_NULL;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return DG_JV_NUMBER;
    default:
        return DG_JV_BAD;
    }
}
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
/* dg_jr_object_begin then dg_jr_object_next, in one call. */
int dg_jr_object_begin_key(dg_jr *r, dg_str *key);
/* 1: an element follows; 0: ']' consumed; < 0: error. */
int dg_jr_array_next(dg_jr *r);

/* A string value, decoded into the arena (always a copy, NUL-terminated). */
int dg_jr_string(dg_jr *r, dg_str *out);
/* A string value with a choice of copying and UTF-8 checking.
 *   flags DG_JR_COPY         always an arena copy (else: a view into the input
 *                            when there are no escapes, an arena copy when there are)
 *         DG_JR_DEFER_UTF8   invalid UTF-8 is no error here: *res gets
 *                            DG_JR_S_BAD_UTF8 and the caller reports it its own way
 *   *res  DG_JR_S_ARENA      *out is in the arena (NUL-terminated)
 *         DG_JR_S_BAD_UTF8   (DEFER_UTF8 only) *out is not valid UTF-8
 * Escapes are always checked (\uXXXX, surrogate pairs). */
enum { DG_JR_COPY = 1u << 0, DG_JR_DEFER_UTF8 = 1u << 1 };
enum { DG_JR_S_ARENA = 1u << 0, DG_JR_S_BAD_UTF8 = 1u << 1 };
int dg_jr_string_ex(dg_jr *r, dg_str *out, unsigned flags, unsigned *res);
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
