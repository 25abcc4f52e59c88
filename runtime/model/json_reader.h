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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "../core/json_scan.h"

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

/* First byte at or after q (before e) that is '"', '\\', a control
 * character or non-ASCII, or e: the end of a plain key or string that needs
 * no unescaping and no UTF-8 check. */
static inline const char *dg_jr_plain_end(const char *q, const char *e)
{
#if defined(__SSE2__)
    while (e - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                  _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
        unsigned m = (unsigned)_mm_movemask_epi8(sp) | (unsigned)_mm_movemask_epi8(v);
        if (m != 0)
            return q + __builtin_ctz(m);
        q += 16;
    }
#endif
    for (; q < e; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            break;
    }
    return q;
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

/* The first byte at or after q (before e) that is '"', '\\' or a control
 * character, or e; *high != 0 when some byte >= 0x80 came before it.
 * Everything from q to the first such byte is ASCII, so validating UTF-8
 * from q judges the text exactly as validating from that byte would. */
static inline __attribute__((always_inline)) const char *
dg_jr_scan_str(const char *q, const char *e, unsigned *high)
{
    unsigned hb = 0;
#if defined(__SSE2__)
    while (e - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned m = dg_json_special16(v);
        unsigned h = (unsigned)_mm_movemask_epi8(v);
        if (m != 0) {
            *high |= hb | (h & ((m & -m) - 1));
            return q + __builtin_ctz(m);
        }
        hb |= h;
        q += 16;
    }
#endif
    for (; q < e; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == '"' || c == '\\')
            break;
        hb |= c & 0x80u;
    }
    *high |= hb;
    return q;
}

/* dg_jr_string_keep past the scan: q is where it stopped, high its report. */
int dg_jr_string_keep_slow(dg_jr *r, dg_str *out, unsigned *res, const char *q, unsigned high);

/* A string value the caller keeps: r->p must be at its opening '"' (no
 * whitespace skipped). The same as dg_jr_string_ex(DG_JR_DEFER_UTF8) followed
 * by an arena copy of a view, in one pass:
 *   0                   *out is in the arena (NUL-terminated), or, when *res
 *                       has DG_JR_S_BAD_UTF8, a view of the invalid text
 *                       (nothing copied; escapes are decoded and checked first)
 *   DG_JR_KEEP_NOMEM    the arena copy of an unescaped string failed; err is
 *                       untouched, the caller reports it
 *   < 0                 syntax / escape error (err set). */
enum { DG_JR_KEEP_NOMEM = 1 };
static inline int dg_jr_string_keep(dg_jr *r, dg_str *out, unsigned *res)
{
    const char *s = r->p + 1;
    unsigned high = 0;
    const char *q = dg_jr_scan_str(s, r->end, &high);
    if (q < r->end && *q == '"' && high == 0) {
        /* ASCII without escapes: a copy */
        size_t n = (size_t)(q - s);
        char *cp = dg_arena_strndup(r->arena, s, n);
        if (cp != NULL) {
            *out = dg_str_from(cp, n);
            *res = DG_JR_S_ARENA;
            r->p = q + 1;
            return 0;
        }
    }
    return dg_jr_string_keep_slow(r, out, res, q, high);
}

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
