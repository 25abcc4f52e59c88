/* dynagen runtime — value types shared by the runtime and generated code. */
#ifndef DYNAGEN_TYPES_H
#define DYNAGEN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A string slice. Not necessarily NUL-terminated; always valid UTF-8 once validated. */
typedef struct dg_str {
    const char *ptr;
    size_t len;
} dg_str;

typedef struct dg_bytes {
    const uint8_t *ptr;
    size_t len;
} dg_bytes;

#define DG_STR(lit) ((dg_str){(lit), sizeof(lit) - 1})
#define DG_STR_NULL ((dg_str){NULL, 0})

static inline dg_str dg_str_from(const char *s, size_t n)
{
    dg_str r = {s, n};
    return r;
}
bool dg_str_eq(dg_str a, dg_str b);
bool dg_str_eq_cstr(dg_str a, const char *s);

/* Homogeneous collections. Element storage is described by the field descriptor. */
typedef struct dg_list {
    void *items; /* count elements of the element type's C storage */
    size_t count;
} dg_list;

typedef struct dg_map {
    dg_str *keys; /* count keys, unique */
    void *values; /* count values of the value type's C storage */
    size_t count;
} dg_map;

/* string_set and number_set: unique members. Numbers are kept as canonical
 * DynamoDB number text (exact, up to 38 significant digits). */
typedef struct dg_set {
    dg_str *items;
    size_t count;
} dg_set;

#endif
