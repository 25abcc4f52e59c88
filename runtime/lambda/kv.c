/* dynagen runtime — name/value lists with ','-joined repeats (see lambda_internal.h). */
#include "lambda_internal.h"

#include <stdint.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

int dg_kvb_init(dg_kv_builder *b, dg_arena *a, size_t max)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->max = max;
    if (max == 0)
        return 0;
    size_t cap = 8;
    while (cap < max * 2) {
        if (cap > SIZE_MAX / 4)
            return DG_ENOMEM;
        cap *= 2;
    }
    b->kv = dg_arena_calloc(a, max, sizeof *b->kv);
    b->slots = dg_arena_calloc(a, cap, sizeof *b->slots);
    if (b->kv == NULL || b->slots == NULL)
        return DG_ENOMEM;
    b->mask = cap - 1;
    return 0;
}

int dg_kvb_add(dg_kv_builder *b, const char *name, const char *value)
{
    if (b->n >= b->max)
        return DG_ENOMEM; /* caller sized it: cannot happen */
    size_t i = (size_t)fnv1a(name) & b->mask;
    while (b->slots[i] != 0) {
        dg_http_kv *e = &b->kv[b->slots[i] - 1];
        if (strcmp(e->name, name) == 0) {
            size_t ol = strlen(e->value), vl = strlen(value);
            char *joined = dg_arena_alloc(b->a, ol + 1 + vl + 1);
            if (joined == NULL)
                return DG_ENOMEM;
            memcpy(joined, e->value, ol);
            joined[ol] = ',';
            memcpy(joined + ol + 1, value, vl + 1);
            e->value = joined;
            return 0;
        }
        i = (i + 1) & b->mask;
    }
    b->kv[b->n].name = name;
    b->kv[b->n].value = value;
    b->slots[i] = ++b->n;
    return 0;
}
