/* dax-local — internal interfaces. */
#ifndef DAX_LOCAL_H
#define DAX_LOCAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/dax_codec.h"
#include "dynagen/error.h"

/* ---- cache.c */
typedef struct dl_cache {
    const char *name;
    pthread_mutex_t mu;
    struct entry **buckets;
    size_t nbuckets;
    struct entry *head, *tail;
    size_t entries, bytes;
    size_t max_entries, max_bytes;
    int64_t ttl_ms;
    uint64_t hits, misses, evictions, expirations;
    uint64_t seq; /* entry versions handed out */
} dl_cache;

int64_t dl_now_ms(void);
void dl_cache_init(dl_cache *c, const char *name, int64_t ttl_ms, size_t max_entries,
                   size_t max_bytes);
/* 1 = hit (*negative says a cached miss; out = value), 0 = miss. Counts. */
int dl_cache_get(dl_cache *c, const uint8_t *k, size_t kn, dg_buf *out, bool *negative);
void dl_cache_put(dl_cache *c, const uint8_t *k, size_t kn, const void *v, size_t vn,
                  bool negative);
/* As dl_cache_get; when aux_out is given and the entry carries aux bytes,
 * they are APPENDED to aux_out (out untouched) and *got_aux is set.
 * *seq = the entry's version (for dl_cache_attach). */
int dl_cache_get_ex(dl_cache *c, const uint8_t *k, size_t kn, dg_buf *aux_out, dg_buf *out,
                    bool *negative, bool *got_aux, uint64_t *seq);
/* As dl_cache_put; returns the new entry's version (0 = not stored). */
uint64_t dl_cache_put_seq(dl_cache *c, const uint8_t *k, size_t kn, const void *v, size_t vn,
                          bool negative);
/* Attach aux bytes (derived from the value) to the entry of version seq, if
 * it is still that version, positive, unexpired and has none yet. Aux bytes
 * count in the byte budget (LRU evictions make room; never the entry). */
void dl_cache_attach(dl_cache *c, const uint8_t *k, size_t kn, uint64_t seq, const void *aux,
                     size_t an);
void dl_cache_remove(dl_cache *c, const uint8_t *k, size_t kn);
void dl_cache_stats_json(dl_cache *c, dg_buf *out);
void dl_cache_destroy(dl_cache *c);

/* ---- expr.c: compiled DAX expression (§8) -> DynamoDB expression text */
typedef struct dl_names {
    dg_buf json; /* ,"#n0":"Name"... */
    char **list;
    size_t count, cap;
} dl_names;

typedef struct dl_values {
    dg_buf json; /* ,":k0":{...}... */
    size_t count;
} dl_values;

/* kind: 'k' key condition, 'f' filter, 'c' condition, 'u' update, 'p'
 * projection. Appends the expression text to text. prefix distinguishes
 * value placeholders of several expressions in one request. */
int dl_expr_decompile(const uint8_t *p, size_t n, char kind, const char *prefix, dl_names *names,
                      dl_values *values, dg_arena *a, dg_buf *text, dg_dax_projection *proj,
                      dg_error *err);
void dl_names_free(dl_names *n);
const char *dl_name_ph(dl_names *n, const char *name, size_t len);

#endif
