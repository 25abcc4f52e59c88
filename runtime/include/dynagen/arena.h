/* dynagen runtime — per-invocation arena allocator.
 *
 * Everything decoded for one request lives in its arena and is released by
 * one dg_arena_reset() (keeps the first block for reuse) or
 * dg_arena_destroy(). Allocation never aborts: it returns NULL when memory
 * runs out or when the optional byte limit would be exceeded. */
#ifndef DYNAGEN_ARENA_H
#define DYNAGEN_ARENA_H

#include <stddef.h>

typedef struct dg_arena dg_arena;

/* block_size 0 picks a default (64 KiB). Returns NULL on OOM. */
dg_arena *dg_arena_new(size_t block_size);
void dg_arena_destroy(dg_arena *a);
/* Free everything allocated so far; keeps one block to avoid malloc churn. */
void dg_arena_reset(dg_arena *a);
/* 0 = unlimited (default). Counts bytes handed out. */
void dg_arena_set_limit(dg_arena *a, size_t max_bytes);
size_t dg_arena_used(const dg_arena *a);

/* 16-byte aligned; n == 0 returns a valid unique pointer. NULL on OOM/limit. */
void *dg_arena_alloc(dg_arena *a, size_t n);
void *dg_arena_calloc(dg_arena *a, size_t count, size_t size); /* overflow-checked, zeroed */
void *dg_arena_memdup(dg_arena *a, const void *p, size_t n);
/* Copies n bytes and appends a NUL. */
char *dg_arena_strndup(dg_arena *a, const char *s, size_t n);
/* Grow an array allocated in the arena (copies; old block is not reclaimed). */
void *dg_arena_realloc(dg_arena *a, void *old, size_t old_n, size_t new_n);

#endif
