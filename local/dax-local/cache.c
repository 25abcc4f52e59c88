/* dax-local — a bounded LRU cache with per-entry TTL (item cache and query
 * cache). Keys and values are opaque byte strings; a value may be
 * "negative" (a cached miss). An entry may also carry an "aux" byte string
 * derived from its value (the item cache: the encoded GetItem reply), which
 * lives and dies with that entry version (a put replaces it; `seq` names the
 * version). One mutex per cache. */
#include "dax_local.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct entry {
    struct entry *hnext;       /* hash chain */
    struct entry *prev, *next; /* LRU list: head = most recent */
    uint64_t hash;
    uint8_t *key;
    size_t klen;
    uint8_t *val;
    size_t vlen;
    uint8_t *aux; /* derived bytes (NULL = none yet) */
    size_t alen;
    uint64_t seq; /* version: unique per put */
    bool negative;
    int64_t expires_ms;
} entry;

int64_t dl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void dl_cache_init(dl_cache *c, const char *name, int64_t ttl_ms, size_t max_entries,
                   size_t max_bytes)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->ttl_ms = ttl_ms;
    c->max_entries = max_entries ? max_entries : 1;
    c->max_bytes = max_bytes;
    c->nbuckets = 4096;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    pthread_mutex_init(&c->mu, NULL);
}

static void unlink_entry(dl_cache *c, entry *e)
{
    entry **pp = &c->buckets[e->hash % c->nbuckets];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    c->entries--;
    c->bytes -= e->klen + e->vlen + e->alen;
    free(e->key);
    free(e->val);
    free(e->aux);
    free(e);
}

static entry *find(dl_cache *c, const uint8_t *k, size_t kn, uint64_t h)
{
    for (entry *e = c->buckets[h % c->nbuckets]; e; e = e->hnext)
        if (e->hash == h && e->klen == kn && memcmp(e->key, k, kn) == 0)
            return e;
    return NULL;
}

static void to_front(dl_cache *c, entry *e)
{
    if (c->head == e)
        return;
    if (e->prev)
        e->prev->next = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

int dl_cache_get(dl_cache *c, const uint8_t *k, size_t kn, dg_buf *out, bool *negative)
{
    bool got_aux;
    uint64_t seq;
    return dl_cache_get_ex(c, k, kn, NULL, out, negative, &got_aux, &seq);
}

int dl_cache_get_ex(dl_cache *c, const uint8_t *k, size_t kn, dg_buf *aux_out, dg_buf *out,
                    bool *negative, bool *got_aux, uint64_t *seq)
{
    uint64_t h = fnv(k, kn);
    *got_aux = false;
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, k, kn, h);
    if (e && e->expires_ms <= dl_now_ms()) {
        unlink_entry(c, e);
        c->expirations++;
        e = NULL;
    }
    if (!e) {
        c->misses++;
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    c->hits++;
    to_front(c, e);
    *negative = e->negative;
    *seq = e->seq;
    if (aux_out && e->aux) {
        dg_buf_append(aux_out, e->aux, e->alen);
        *got_aux = true;
        pthread_mutex_unlock(&c->mu);
        return 1;
    }
    dg_buf_reset(out);
    if (e->vlen)
        dg_buf_append(out, e->val, e->vlen);
    pthread_mutex_unlock(&c->mu);
    return 1;
}

void dl_cache_put(dl_cache *c, const uint8_t *k, size_t kn, const void *v, size_t vn, bool negative)
{
    (void)dl_cache_put_seq(c, k, kn, v, vn, negative);
}

uint64_t dl_cache_put_seq(dl_cache *c, const uint8_t *k, size_t kn, const void *v, size_t vn,
                          bool negative)
{
    uint64_t h = fnv(k, kn);
    entry *n = calloc(1, sizeof *n);
    if (!n)
        return 0;
    n->key = malloc(kn ? kn : 1);
    n->val = malloc(vn ? vn : 1);
    if (!n->key || !n->val) {
        free(n->key);
        free(n->val);
        free(n);
        return 0;
    }
    memcpy(n->key, k, kn);
    if (vn)
        memcpy(n->val, v, vn);
    n->klen = kn;
    n->vlen = vn;
    n->negative = negative;
    n->hash = h;
    pthread_mutex_lock(&c->mu);
    n->expires_ms = dl_now_ms() + c->ttl_ms;
    n->seq = ++c->seq;
    entry *old = find(c, k, kn, h);
    if (old)
        unlink_entry(c, old);
    if (c->max_bytes && kn + vn > c->max_bytes) {
        pthread_mutex_unlock(&c->mu);
        free(n->key);
        free(n->val);
        free(n);
        return 0;
    }
    while (c->tail && (c->entries + 1 > c->max_entries ||
                       (c->max_bytes && c->bytes + kn + vn > c->max_bytes))) {
        unlink_entry(c, c->tail);
        c->evictions++;
    }
    n->hnext = c->buckets[h % c->nbuckets];
    c->buckets[h % c->nbuckets] = n;
    n->next = c->head;
    if (c->head)
        c->head->prev = n;
    c->head = n;
    if (!c->tail)
        c->tail = n;
    c->entries++;
    c->bytes += kn + vn;
    uint64_t seq = n->seq;
    pthread_mutex_unlock(&c->mu);
    return seq;
}

void dl_cache_attach(dl_cache *c, const uint8_t *k, size_t kn, uint64_t seq, const void *aux,
                     size_t an)
{
    if (!seq || !an)
        return;
    uint8_t *copy = malloc(an);
    if (!copy)
        return;
    memcpy(copy, aux, an);
    uint64_t h = fnv(k, kn);
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, k, kn, h);
    /* only the very version the aux was derived from, once, unexpired */
    if (!e || e->seq != seq || e->aux || e->negative || e->expires_ms <= dl_now_ms() ||
        (c->max_bytes && e->klen + e->vlen + an > c->max_bytes)) {
        pthread_mutex_unlock(&c->mu);
        free(copy);
        return;
    }
    /* the byte budget holds aux bytes too: make room (LRU), never evicting e */
    while (c->max_bytes && c->bytes + an > c->max_bytes) {
        entry *victim = c->tail == e ? e->prev : c->tail;
        if (!victim)
            break;
        unlink_entry(c, victim);
        c->evictions++;
    }
    if (c->max_bytes && c->bytes + an > c->max_bytes) {
        pthread_mutex_unlock(&c->mu);
        free(copy);
        return;
    }
    e->aux = copy;
    e->alen = an;
    c->bytes += an;
    pthread_mutex_unlock(&c->mu);
}

void dl_cache_remove(dl_cache *c, const uint8_t *k, size_t kn)
{
    uint64_t h = fnv(k, kn);
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, k, kn, h);
    if (e)
        unlink_entry(c, e);
    pthread_mutex_unlock(&c->mu);
}

void dl_cache_stats_json(dl_cache *c, dg_buf *out)
{
    pthread_mutex_lock(&c->mu);
    dg_buf_printf(out,
                  "{\"hits\":%llu,\"misses\":%llu,\"evictions\":%llu,\"expirations\":%llu,"
                  "\"entries\":%zu,\"bytes\":%zu,\"ttl_ms\":%lld,\"max_entries\":%zu}",
                  (unsigned long long)c->hits, (unsigned long long)c->misses,
                  (unsigned long long)c->evictions, (unsigned long long)c->expirations, c->entries,
                  c->bytes, (long long)c->ttl_ms, c->max_entries);
    pthread_mutex_unlock(&c->mu);
}

void dl_cache_destroy(dl_cache *c)
{
    while (c->head)
        unlink_entry(c, c->head);
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
}
