/* dynagen runtime — DAX codec internals: CBOR writer helpers (libcbor's
 * encoders) and a bounded pull reader on libcbor's streaming decoder. */
#ifndef DYNAGEN_DAX_INTERNAL_H
#define DYNAGEN_DAX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/dax_codec.h"

/* ---- custom tags (§6) */
#define DAX_TAG_POSBIG 2
#define DAX_TAG_NEGBIG 3
#define DAX_TAG_DECIMAL 4
#define DAX_TAG_SS 3321
#define DAX_TAG_NS 3322
#define DAX_TAG_BS 3323
#define DAX_TAG_PATH_ORDINAL 3324

/* Encoder nesting bound (values built from JSON or by code). */
#define DAX_MAX_ENCODE_DEPTH 64

/* ---- writer: every helper appends to b; failures are sticky in b
 * (check dg_buf_status once at the end). */
void cw_uint(dg_buf *b, uint64_t v);
void cw_int(dg_buf *b, int64_t v);
void cw_negint_raw(dg_buf *b, uint64_t raw); /* major 1: value -1-raw */
void cw_bytes(dg_buf *b, const void *p, size_t n);
void cw_text(dg_buf *b, const char *p, size_t n);
void cw_cstr(dg_buf *b, const char *s);
void cw_bytes_head(dg_buf *b, size_t n);
void cw_array(dg_buf *b, size_t n);
void cw_map(dg_buf *b, size_t n);
void cw_indef_map(dg_buf *b);
void cw_break(dg_buf *b);
void cw_tag(dg_buf *b, uint64_t tag);
void cw_bool(dg_buf *b, bool v);
void cw_null(dg_buf *b);
void cw_double(dg_buf *b, double d);
/* The bytes of `inner` wrapped as one CBOR byte string. */
void cw_wrap_bytes(dg_buf *b, const dg_buf *inner);
int cw_status(const dg_buf *b, dg_error *err);

/* ---- reader */
typedef enum ctok_kind {
    CT_UINT,
    CT_NEGINT, /* value = -1 - u */
    CT_BYTES,
    CT_TEXT,
    CT_BYTES_INDEF,
    CT_TEXT_INDEF,
    CT_ARRAY,
    CT_ARRAY_INDEF,
    CT_MAP,
    CT_MAP_INDEF,
    CT_TAG,
    CT_FLOAT,
    CT_BOOL,
    CT_NULL,
    CT_UNDEF,
    CT_BREAK
} ctok_kind;

typedef struct ctok {
    ctok_kind kind;
    uint64_t u; /* uint / negint raw / count / tag */
    double f;
    bool b;
    const uint8_t *ptr; /* BYTES / TEXT */
    size_t len;
} ctok;

typedef struct crd {
    const uint8_t *p;
    size_t n;
    size_t pos;
    const dg_dax_limits *lim;
    dg_error *err;
} crd;

void crd_init(crd *r, const uint8_t *p, size_t n, const dg_dax_limits *lim, dg_error *err);
/* Next token: 0, DG_DAX_NEED_MORE, or negative (err filled). */
int crd_next(crd *r, ctok *t);
int crd_peek(crd *r, ctok *t);
/* Skip one whole item (any depth up to the limit). */
int crd_skip(crd *r, unsigned depth);
bool crd_at_end(const crd *r);
/* A text or byte string item (definite or chunked) -> bytes (arena copy
 * only when chunked). want: CT_TEXT or CT_BYTES. Text is UTF-8 checked. */
int crd_string(crd *r, ctok_kind want, dg_arena *a, const uint8_t **p, size_t *n, const char *what);
int crd_text(crd *r, dg_arena *a, dg_str *out, const char *what);
int crd_uint(crd *r, uint64_t *v, const char *what);
int crd_int(crd *r, int64_t *v, const char *what);
/* Array (definite only: *count) or map header; indef sets *indef. */
int crd_array(crd *r, size_t *count, bool *indef, const char *what);
int crd_map(crd *r, size_t *count, bool *indef, const char *what);
/* For indefinite containers: true (and consumed) when the next token is a break. */
int crd_break_next(crd *r, bool *is_break);
/* True (and consumed) when the next token is null. */
int crd_null_next(crd *r, bool *is_null);
int crd_double(crd *r, double *d, const char *what); /* any number -> double */
int crd_malformed(crd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- numbers (av.c) */
/* CBOR number item -> canonical number text. */
int dax_read_number(crd *r, dg_arena *a, dg_str *out);
int dax_read_av(crd *r, dg_arena *a, unsigned depth, dg_dax_av *out);
int dax_write_av(dg_buf *b, const dg_dax_av *av, dg_dax_num_mode mode, unsigned depth,
                 dg_error *err);
/* Canonical text of digits (no sign, may have leading zeros) * 10^exp10. */
int dax_number_text(bool neg, const char *digits, size_t nd, int64_t exp10, dg_arena *a,
                    dg_str *out, dg_error *err);

/* ---- items (item.c) */
int dax_read_nonkey_bytes(crd *r, dg_arena *a, uint64_t *list_id, dg_dax_av **values,
                          size_t *count);
int dax_materialize(const dg_dax_resolver *res, uint64_t list_id, dg_dax_av *values, size_t count,
                    const dg_dax_av *key_from, const dg_dax_key_schema *ks, dg_arena *a,
                    dg_dax_av *out, dg_error *err);
int dax_build_projection(const dg_dax_projection *proj, const uint64_t *ords, const dg_dax_av *vals,
                         size_t n, dg_arena *a, dg_dax_av *out, dg_error *err);

/* ---- growable arena arrays */
void *dax_grow(dg_arena *a, void *arr, size_t *cap, size_t count, size_t elem);

#endif
