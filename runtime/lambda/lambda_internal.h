/* dynagen runtime — private helpers of runtime/lambda. */
#ifndef DYNAGEN_LAMBDA_INTERNAL_H
#define DYNAGEN_LAMBDA_INTERNAL_H

#include <stddef.h>

#include "dynagen/arena.h"
#include "dynagen/lambda.h"

/* Builds a name/value list where a repeated name's values are joined with
 * ',' (API Gateway's rule for headers and query parameters), in linear time:
 * a hash index over the names, all in the arena. */
typedef struct dg_kv_builder {
    dg_arena *a;
    dg_http_kv *kv;
    size_t n, max;
    size_t *slots; /* index + 1, 0 = empty */
    size_t mask;
} dg_kv_builder;

/* Room for at most max distinct names. DG_ENOMEM. */
int dg_kvb_init(dg_kv_builder *b, dg_arena *a, size_t max);
/* name and value must already live in the arena (NUL-terminated); value is
 * joined to an existing entry's when name repeats. DG_ENOMEM. */
int dg_kvb_add(dg_kv_builder *b, const char *name, const char *value);

#endif
