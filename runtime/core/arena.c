/* dynagen runtime — per-invocation arena allocator.
 *
 * Memory comes in blocks obtained from malloc. Small allocations are carved
 * from the current block; an allocation of at least a quarter of the block
 * size gets a dedicated block of its own (so it neither wastes the rest of
 * the current block nor forces a new one). Every pointer handed out is
 * 16-byte aligned. dg_arena_reset() frees every block except the first
 * (standard-size) one, which is kept for reuse.
 *
 * Under AddressSanitizer the unused part of each block is poisoned and only
 * the bytes actually requested are unpoisoned, so overruns past the end of an
 * arena allocation are reported like heap overflows. */
#include "dynagen/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define DG_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DG_ARENA_ASAN 1
#endif
#endif

#ifdef DG_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define DG_ARENA_ALIGN 16u
#define DG_ARENA_DEFAULT_BLOCK (64u * 1024u)
#define DG_ARENA_MIN_BLOCK 256u

typedef struct dg_block {
    struct dg_block *next;
    unsigned char *data; /* 16-byte aligned start of the usable area */
    size_t cap;          /* usable bytes at data */
    size_t off;          /* next free offset (multiple of 16) */
} dg_block;

struct dg_arena {
    dg_block *head;  /* current block (small allocations); list of all blocks */
    dg_block *first; /* the block kept by reset */
    size_t block_size;
    size_t used;  /* bytes handed out (sum of requested sizes) */
    size_t limit; /* 0 = unlimited */
    /* Most recent small allocation, for in-place growth by dg_arena_realloc. */
    unsigned char *last;
    size_t last_n;
};

static int round_up(size_t n, size_t *out)
{
    if (n > SIZE_MAX - (DG_ARENA_ALIGN - 1))
        return -1;
    *out = (n + (DG_ARENA_ALIGN - 1)) & ~(size_t)(DG_ARENA_ALIGN - 1);
    return 0;
}

static dg_block *block_new(size_t cap)
{
    size_t total;
    if (__builtin_add_overflow(sizeof(dg_block), cap, &total) ||
        __builtin_add_overflow(total, (size_t)DG_ARENA_ALIGN, &total))
        return NULL;
    dg_block *blk = malloc(total);
    if (blk == NULL)
        return NULL;
    uintptr_t start = (uintptr_t)(blk + 1);
    start = (start + (DG_ARENA_ALIGN - 1)) & ~(uintptr_t)(DG_ARENA_ALIGN - 1);
    blk->next = NULL;
    blk->data = (unsigned char *)start;
    blk->cap = cap;
    blk->off = 0;
    POISON(blk->data, cap);
    return blk;
}

static void block_free(dg_block *blk)
{
    UNPOISON(blk->data, blk->cap);
    free(blk);
}

dg_arena *dg_arena_new(size_t block_size)
{
    if (block_size == 0)
        block_size = DG_ARENA_DEFAULT_BLOCK;
    if (block_size < DG_ARENA_MIN_BLOCK)
        block_size = DG_ARENA_MIN_BLOCK;
    if (round_up(block_size, &block_size) != 0)
        return NULL;
    dg_arena *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    dg_block *blk = block_new(block_size);
    if (blk == NULL) {
        free(a);
        return NULL;
    }
    a->head = blk;
    a->first = blk;
    a->block_size = block_size;
    a->used = 0;
    a->limit = 0;
    a->last = NULL;
    a->last_n = 0;
    return a;
}

void dg_arena_destroy(dg_arena *a)
{
    if (a == NULL)
        return;
    dg_block *blk = a->head;
    while (blk != NULL) {
        dg_block *next = blk->next;
        block_free(blk);
        blk = next;
    }
    free(a);
}

void dg_arena_reset(dg_arena *a)
{
    if (a == NULL)
        return;
    dg_block *blk = a->head;
    while (blk != NULL) {
        dg_block *next = blk->next;
        if (blk != a->first)
            block_free(blk);
        blk = next;
    }
    a->first->next = NULL;
    a->first->off = 0;
    POISON(a->first->data, a->first->cap);
    a->head = a->first;
    a->used = 0;
    a->last = NULL;
    a->last_n = 0;
}

void dg_arena_set_limit(dg_arena *a, size_t max_bytes)
{
    if (a != NULL)
        a->limit = max_bytes;
}

size_t dg_arena_used(const dg_arena *a)
{
    return a != NULL ? a->used : 0;
}

/* Would handing out n more bytes exceed the limit? */
static int over_limit(const dg_arena *a, size_t n)
{
    size_t total;
    if (__builtin_add_overflow(a->used, n, &total))
        return 1;
    return a->limit != 0 && total > a->limit;
}

void *dg_arena_alloc(dg_arena *a, size_t n)
{
    if (a == NULL || over_limit(a, n))
        return NULL;
    size_t need;
    /* n == 0 still takes one aligned slot so the pointer is unique. */
    if (round_up(n == 0 ? 1 : n, &need) != 0)
        return NULL;

    dg_block *cur = a->head;
    if (need > cur->cap - cur->off) {
        if (need >= a->block_size / 4) {
            /* Dedicated block, linked behind the current one. */
            dg_block *big = block_new(need);
            if (big == NULL)
                return NULL;
            big->off = need;
            big->next = cur->next;
            cur->next = big;
            UNPOISON(big->data, n);
            a->used += n;
            return big->data;
        }
        dg_block *blk = block_new(a->block_size);
        if (blk == NULL)
            return NULL;
        blk->next = cur;
        a->head = blk;
        cur = blk;
    }
    unsigned char *p = cur->data + cur->off;
    cur->off += need;
    UNPOISON(p, n);
    a->used += n;
    a->last = p;
    a->last_n = n;
    return p;
}

void *dg_arena_calloc(dg_arena *a, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n))
        return NULL;
    void *p = dg_arena_alloc(a, n);
    if (p != NULL && n > 0)
        memset(p, 0, n);
    return p;
}

void *dg_arena_memdup(dg_arena *a, const void *p, size_t n)
{
    if (n > 0 && p == NULL)
        return NULL;
    void *q = dg_arena_alloc(a, n);
    if (q != NULL && n > 0)
        memcpy(q, p, n);
    return q;
}

/* dst[0..n) = src[0..n): short copies without a call (the decoders copy
 * many short strings); both ranges must be readable / writable. */
static inline void copy_bytes(unsigned char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x, y;
        memcpy(&x, src, 8);
        memcpy(&y, src + n - 8, 8);
        memcpy(dst, &x, 8);
        memcpy(dst + n - 8, &y, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x, y;
        memcpy(&x, src, 4);
        memcpy(&y, src + n - 4, 4);
        memcpy(dst, &x, 4);
        memcpy(dst + n - 4, &y, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            dst[i] = (unsigned char)src[i];
    } else {
        memcpy(dst, src, n);
    }
}

char *dg_arena_strndup(dg_arena *a, const char *s, size_t n)
{
    if ((n > 0 && s == NULL) || n == SIZE_MAX)
        return NULL;
    /* Fast path: what dg_arena_alloc(a, n + 1) does when the copy fits the
     * current block and the limit. */
    if (a != NULL) {
        dg_block *cur = a->head;
        size_t room = cur->cap - cur->off;
        if (n < room && (a->limit == 0 || (a->used <= a->limit && n < a->limit - a->used))) {
            size_t need = (n + DG_ARENA_ALIGN) & ~(size_t)(DG_ARENA_ALIGN - 1); /* n + 1, rounded */
            if (need <= room) {
                unsigned char *p = cur->data + cur->off;
                cur->off += need;
                UNPOISON(p, n + 1);
                a->used += n + 1;
                a->last = p;
                a->last_n = n + 1;
                copy_bytes(p, s, n);
                p[n] = '\0';
                return (char *)p;
            }
        }
    }
    char *q = dg_arena_alloc(a, n + 1);
    if (q == NULL)
        return NULL;
    if (n > 0)
        memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

void *dg_arena_realloc(dg_arena *a, void *old, size_t old_n, size_t new_n)
{
    if (a == NULL)
        return NULL;
    if (old == NULL)
        old_n = 0;
    if (old != NULL && new_n <= old_n)
        return old;
    /* Grow in place when old is the latest allocation of the current block. */
    if (old != NULL && old == a->last && old_n == a->last_n) {
        dg_block *cur = a->head;
        size_t start = (size_t)((unsigned char *)old - cur->data);
        size_t need;
        if (round_up(new_n, &need) == 0 && need <= cur->cap - start) {
            if (over_limit(a, new_n - old_n))
                return NULL;
            cur->off = start + need;
            UNPOISON(old, new_n);
            a->used += new_n - old_n;
            a->last_n = new_n;
            return old;
        }
    }
    void *p = dg_arena_alloc(a, new_n);
    if (p != NULL && old_n > 0)
        memcpy(p, old, old_n);
    return p;
}
