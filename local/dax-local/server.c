/* dax-local — DAX protocol server (loopback) in front of a DynamoDB endpoint.
 *
 * Concurrency model: one thread per connection. DAX connections are few and
 * long-lived (the official clients pool a handful per node), every cache miss
 * and every write is a blocking DynamoDB HTTP call through dynagen's libcurl
 * client, and a dg_ddb_client is single-threaded: a thread per connection
 * gives each connection its own DynamoDB client and arena with no
 * callback-splitting of the request pipeline, and the shared state (item
 * cache, query cache, attribute-list registry, key-schema cache, counters)
 * is behind mutexes held only for memory operations. Memory per connection
 * is bounded: the input buffer never exceeds the largest message allowed
 * (--max-message), the request arena is capped, and a frame whose declared
 * length exceeds the limits fails at once (the codec's scanners check
 * declared lengths before waiting for payload).
 *
 * Cache semantics (DAX developer guide):
 *  - item cache: GetItem (eventually consistent) keyed by table + canonical
 *    key bytes; misses cached negatively; Put/Delete/BatchWrite update it
 *    before the reply; UpdateItem: when the client asked for NONE or ALL_NEW
 *    the call is sent with ReturnValues=ALL_NEW and the new item is cached
 *    before the reply; with ALL_OLD/UPDATED_OLD/UPDATED_NEW the entry is
 *    invalidated (the next GetItem fetches). TransactWriteItems: refreshed
 *    only after the reply, by a background thread (consistent GetItem per
 *    written key). Writes made straight to DynamoDB are not seen until the
 *    entry's TTL. ConsistentRead and TransactGetItems bypass both caches.
 *    BatchGetItem (eventually consistent tables) is served from the item
 *    cache too: only the misses go to DynamoDB, and are cached.
 *  - query cache: Query/Scan (eventually consistent) keyed by the full
 *    request bytes, holding the encoded response; only expired by its TTL.
 *
 * Authentication (§3): every authorizeConnection is verified against
 * dax-local's own credentials and region (the ones it signs DynamoDB calls
 * with): key id, session token, the exact SigV4 string to sign of the fixed
 * pseudo-request dated within 15 minutes, and the signature (constant-time).
 * The last one sets the connection's state; a request other than
 * authorizeConnection / endpoints on a connection without a good one gets
 * [4,23,31,33] (never authorised) or [4,23,31,32] (refused) and is not run.
 * --no-verify-auth accepts everything. */
#include "dax_internal.h"
#include "dax_local.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "dynagen/aws.h"
#include "dynagen/codec_util.h"
#include "dynagen/ddb.h"

/* ------------------------------------------------------------------ config & state */

static struct {
    const char *host;
    int port;
    int nodes;
    int64_t item_ttl_ms, query_ttl_ms;
    size_t max_items, max_bytes;
    int stats_port;
    const char *trace;
    int log_interval;
    size_t max_message;
    int ports[16];
    bool verify_auth; /* authorizeConnection checked (default); --no-verify-auth: not */
} g = {"127.0.0.1", 8111, 1, 300000, 300000, 10000, 64u << 20, -1, NULL, 60, 16u << 20, {0}, true};

static dl_cache item_cache, query_cache;
static dg_aws_config aws_cfg;
static dg_dax_limits limits;
static volatile sig_atomic_t stopping;
/* Detached connection and refresh threads still running: main waits (bounded)
 * for them at shutdown, so nothing a thread holds is torn down under it. */
static atomic_int live_threads;
static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *trace_fp;

static pthread_mutex_t stat_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t st_requests, st_connections, st_dropped, st_errors, st_tx_refreshes;
static uint64_t st_auth_refused, st_auth_denied;

static void stat_add(uint64_t *v)
{
    pthread_mutex_lock(&stat_mu);
    (*v)++;
    pthread_mutex_unlock(&stat_mu);
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "dax-local: %s\n", line);
}

/* ---- attribute-list registry: global, bidirectional, id 1 = empty */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct reg_entry {
    char **names;
    size_t count;
} * reg;
static size_t reg_count, reg_cap;

static int names_eq(const struct reg_entry *e, const dg_dax_names *n)
{
    if (e->count != n->count)
        return 0;
    for (size_t i = 0; i < n->count; i++)
        if (strlen(e->names[i]) != n->names[i].len ||
            memcmp(e->names[i], n->names[i].ptr, n->names[i].len) != 0)
            return 0;
    return 1;
}

/* id of a names list (registered when new); 0 on OOM */
static uint64_t reg_id(const dg_dax_names *n)
{
    pthread_mutex_lock(&reg_mu);
    if (reg_count == 0) { /* id 1: the empty list */
        reg = calloc(16, sizeof *reg);
        reg_cap = reg ? 16 : 0;
        reg_count = reg ? 1 : 0;
    }
    for (size_t i = 0; i < reg_count; i++)
        if (names_eq(&reg[i], n)) {
            pthread_mutex_unlock(&reg_mu);
            return i + 1;
        }
    if (reg_count == reg_cap) {
        struct reg_entry *r = realloc(reg, reg_cap * 2 * sizeof *r);
        if (!r) {
            pthread_mutex_unlock(&reg_mu);
            return 0;
        }
        reg = r;
        reg_cap *= 2;
    }
    struct reg_entry *e = &reg[reg_count];
    e->names = calloc(n->count ? n->count : 1, sizeof *e->names);
    e->count = n->count;
    for (size_t i = 0; e->names && i < n->count; i++) {
        e->names[i] = malloc(n->names[i].len + 1);
        if (e->names[i]) {
            memcpy(e->names[i], n->names[i].ptr, n->names[i].len);
            e->names[i][n->names[i].len] = 0;
        }
    }
    uint64_t id = ++reg_count;
    pthread_mutex_unlock(&reg_mu);
    return id;
}

static int reg_names(void *ctx, uint64_t id, dg_dax_names *out, dg_error *err)
{
    dg_arena *a = ctx;
    pthread_mutex_lock(&reg_mu);
    if (id == 1 && reg_count == 0) {
        pthread_mutex_unlock(&reg_mu);
        out->names = NULL;
        out->count = 0;
        return 0;
    }
    if (id == 0 || id > reg_count) {
        pthread_mutex_unlock(&reg_mu);
        return dg_error_set(err, DG_ENOTFOUND, NULL, "unknown attribute list id %llu",
                            (unsigned long long)id);
    }
    struct reg_entry *e = &reg[id - 1];
    out->count = e->count;
    out->names = dg_arena_calloc(a, e->count ? e->count : 1, sizeof *out->names);
    for (size_t i = 0; out->names && i < e->count; i++)
        out->names[i] = (dg_str){e->names[i], strlen(e->names[i])}; /* never freed */
    pthread_mutex_unlock(&reg_mu);
    return out->names ? 0 : DG_ENOMEM;
}

/* ---- key-schema cache (from DescribeTable; kept for the process lifetime) */
static pthread_mutex_t ks_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ks_entry {
    char *table;
    dg_dax_key_schema ks;
    char *idx_json; /* not used */
} ks_tab[256];
static size_t ks_count;

/* What the connection's last authorizeConnection established (§3). */
enum { AUTH_NONE = 0, AUTH_OK, AUTH_FAILED };

typedef struct conn {
    int fd;
    int node;
    dg_ddb_client *ddb;
    int auth;           /* AUTH_* */
    char auth_type[48]; /* AUTH_FAILED: the exception name ... */
    char auth_msg[256]; /* ... and message every data request gets */
    dg_arena *a;
    void *pending; /* refresh_job to start after the reply */
} conn;

static int ddb_client(conn *c, dg_error *err)
{
    if (c->ddb)
        return 0;
    return dg_ddb_client_new(&aws_cfg, NULL, &c->ddb, err);
}

static int get_schema(conn *c, dg_str table, dg_dax_key_schema *out, dg_error *err)
{
    pthread_mutex_lock(&ks_mu);
    for (size_t i = 0; i < ks_count; i++)
        if (strlen(ks_tab[i].table) == table.len &&
            memcmp(ks_tab[i].table, table.ptr, table.len) == 0) {
            *out = ks_tab[i].ks;
            pthread_mutex_unlock(&ks_mu);
            return 0;
        }
    pthread_mutex_unlock(&ks_mu);
    int rc = ddb_client(c, err);
    if (rc)
        return rc;
    char *t = strndup(table.ptr, table.len);
    if (!t)
        return DG_ENOMEM;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    rc = dg_ddb_describe_table(c->ddb, t, &res, err);
    dg_dax_key_schema ks = {0};
    if (rc == 0) {
        const cJSON *tab = cJSON_GetObjectItemCaseSensitive(res.root, "Table");
        const cJSON *kschema = cJSON_GetObjectItemCaseSensitive(tab, "KeySchema");
        const cJSON *defs = cJSON_GetObjectItemCaseSensitive(tab, "AttributeDefinitions");
        const cJSON *k;
        for (int pass = 0; pass < 2; pass++)
            cJSON_ArrayForEach(k, kschema)
            {
                const char *kt =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "KeyType"));
                const char *kn =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "AttributeName"));
                if (!kt || !kn || strcmp(kt, pass == 0 ? "HASH" : "RANGE") != 0 || ks.count >= 2)
                    continue;
                dg_dax_type ty = DG_DAX_S;
                const cJSON *d;
                cJSON_ArrayForEach(d, defs)
                {
                    const char *dn =
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "AttributeName"));
                    const char *dt =
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "AttributeType"));
                    if (dn && dt && strcmp(dn, kn) == 0)
                        ty = dt[0] == 'N' ? DG_DAX_N : dt[0] == 'B' ? DG_DAX_B : DG_DAX_S;
                }
                char *name = strdup(kn);
                if (!name)
                    continue;
                ks.attrs[ks.count].name = (dg_str){name, strlen(name)};
                ks.attrs[ks.count].type = ty;
                ks.count++;
            }
        if (ks.count == 0)
            rc = dg_error_set(err, DG_ESERVICE, NULL, "DescribeTable gave no key schema");
    }
    dg_ddb_result_clean_up(&res);
    if (rc) {
        free(t);
        return rc;
    }
    pthread_mutex_lock(&ks_mu);
    if (ks_count < sizeof ks_tab / sizeof ks_tab[0]) {
        ks_tab[ks_count].table = t;
        ks_tab[ks_count].ks = ks;
        ks_count++;
        t = NULL;
    }
    pthread_mutex_unlock(&ks_mu);
    free(t); /* table full: schema names leak deliberately (stay valid) */
    *out = ks;
    return 0;
}

/* ------------------------------------------------------------------ errors (§5) */

static const struct {
    const char *name;
    uint64_t leaf;
    int cls;
} err_map[] = {
    {"ProvisionedThroughputExceededException", 40, 4},
    {"ResourceNotFoundException", 41, 4},
    {"ConditionalCheckFailedException", 43, 4},
    {"ResourceInUseException", 45, 4},
    {"ValidationException", 46, 4},
    {"InternalServerError", 47, 3},
    {"ItemCollectionSizeLimitExceededException", 48, 4},
    {"LimitExceededException", 49, 4},
    {"ThrottlingException", 50, 4},
    {"TransactionConflictException", 57, 4},
    {"TransactionCanceledException", 58, 4},
    {"TransactionInProgressException", 59, 4},
    {"IdempotentParameterMismatchException", 60, 4},
    {"RequestLimitExceeded", 61, 4},
};

/* The rest of an error triple after the message: [requestId, errorCode,
 * httpStatus(, cancellationReasons)]. Counts the error reply. */
static void put_error_detail(dg_buf *out, const char *name, int status, const dg_buf *reasons)
{
    cw_array(out, reasons ? 4 : 3);
    char rid[40];
    snprintf(rid, sizeof rid, "dax-local-%lld", (long long)dl_now_ms());
    cw_cstr(out, rid);
    cw_cstr(out, name);
    cw_uint(out, (uint64_t)status);
    if (reasons)
        dg_buf_append(out, reasons->data, reasons->len);
    stat_add(&st_errors);
}

/* reasons: encoded flat array item (cancellation reasons) or NULL */
static void put_error(dg_buf *out, const char *type, const char *msg, const dg_buf *reasons)
{
    uint64_t leaf = 47;
    int cls = 3, status = 500;
    const char *name = type && *type ? type : "InternalServerError";
    for (size_t i = 0; i < sizeof err_map / sizeof err_map[0]; i++)
        if (strcmp(err_map[i].name, name) == 0) {
            leaf = err_map[i].leaf;
            cls = err_map[i].cls;
            status = cls == 4 ? 400 : 500;
        }
    if (cls == 3 && type && *type && strcmp(name, "InternalServerError") != 0) {
        /* other DynamoDB 4xx exception names: client error, passed through */
        leaf = 46;
        cls = 4;
        status = 400;
    }
    dg_buf_reset(out);
    cw_array(out, 5);
    cw_uint(out, (uint64_t)cls);
    cw_uint(out, 37);
    cw_uint(out, 38);
    cw_uint(out, 39);
    cw_uint(out, leaf);
    cw_cstr(out, msg && *msg ? msg : name);
    put_error_detail(out, name, status, reasons);
}

/* Authentication errors (§5): [4, 23, 31, leaf], leaf 32 = the connection's
 * authorisation was refused, 33 = the connection never authorised
 * (AuthenticationRequiredException, which the clients retry after
 * re-authorising); message and detail as every other error triple. */
static void put_auth_error(dg_buf *out, uint64_t leaf, const char *type, const char *msg)
{
    dg_buf_reset(out);
    cw_array(out, 4);
    cw_uint(out, 4);
    cw_uint(out, 23);
    cw_uint(out, 31);
    cw_uint(out, leaf);
    cw_cstr(out, msg);
    put_error_detail(out, type, 400, NULL);
}

static void put_dg_error(dg_buf *out, const dg_error *err)
{
    const char *type = err->type;
    if (!*type) {
        /* no DynamoDB exception: a request dax-local could not use (bad
         * argument types, unknown attribute list, ...) is the client's error */
        if (err->code == DG_EINVAL || err->code == DG_ERANGE || err->code == DG_ETOOBIG ||
            err->code == DG_EUNSUPPORTED)
            type = "ValidationException";
        else if (err->code == DG_ENOTFOUND)
            type = "ValidationException"; /* e.g. an unknown attribute list id */
        else if (err->code == DG_ETHROTTLED)
            type = "ThrottlingException";
    }
    put_error(out, type, err->message, NULL);
}

/* ------------------------------------------------------------------ request parsing helpers */

typedef struct kwargs {
    dg_bytes proj, cond, update, filter, index, esk;
    int consistent; /* -1 unset */
    int rcc, ricm, rv, select;
    bool has_limit, has_sif, has_segment, has_total;
    uint64_t limit, sif, segment, total;
    dg_str token;
} kwargs;

static int rd_bytes(crd *r, dg_arena *a, dg_bytes *out, const char *what)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, what);
    if (rc)
        return rc < 0 ? rc : dg_error_set(r->err, DG_EINVAL, NULL, "truncated %s", what);
    out->ptr = p;
    out->len = n;
    return 0;
}

/* bytes or null */
static int rd_opt_bytes(crd *r, dg_arena *a, dg_bytes *out, const char *what)
{
    bool isnull = false;
    int rc = crd_null_next(r, &isnull);
    if (rc)
        return rc < 0 ? rc : DG_EINVAL;
    if (isnull) {
        out->ptr = NULL;
        out->len = 0;
        return 0;
    }
    return rd_bytes(r, a, out, what);
}

static int rd_any_string(crd *r, dg_arena *a, dg_str *out, const char *what)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc)
        return rc < 0 ? rc : DG_EINVAL;
    const uint8_t *p;
    size_t n;
    rc = crd_string(r, (t.kind == CT_TEXT || t.kind == CT_TEXT_INDEF) ? CT_TEXT : CT_BYTES, a, &p,
                    &n, what);
    if (rc)
        return rc < 0 ? rc : DG_EINVAL;
    out->ptr = (const char *)p;
    out->len = n;
    return 0;
}

static int rd_kwargs(crd *r, dg_arena *a, kwargs *kw)
{
    memset(kw, 0, sizeof *kw);
    kw->consistent = -1;
    bool isnull = false;
    int rc = crd_null_next(r, &isnull);
    if (rc || isnull)
        return rc < 0 ? rc : 0;
    size_t count;
    bool indef;
    if ((rc = crd_map(r, &count, &indef, "kwargs")) != 0)
        return rc < 0 ? rc : DG_EINVAL;
    for (size_t i = 0; indef || i < count; i++) {
        if (indef) {
            bool brk;
            if ((rc = crd_break_next(r, &brk)) != 0)
                return rc < 0 ? rc : DG_EINVAL;
            if (brk)
                break;
        }
        uint64_t k;
        if ((rc = crd_uint(r, &k, "kwargs key")) != 0)
            return rc < 0 ? rc : DG_EINVAL;
        ctok t;
        switch (k) {
        case 0:
            rc = rd_bytes(r, a, &kw->proj, "ProjectionExpression");
            break;
        case 4:
            rc = rd_bytes(r, a, &kw->cond, "ConditionExpression");
            break;
        case 8:
            rc = rd_bytes(r, a, &kw->update, "UpdateExpression");
            break;
        case 9:
            rc = rd_bytes(r, a, &kw->esk, "ExclusiveStartKey");
            break;
        case 10:
            rc = rd_bytes(r, a, &kw->filter, "FilterExpression");
            break;
        case 11:
            rc = rd_bytes(r, a, &kw->index, "IndexName");
            break;
        case 19:
            rc = rd_any_string(r, a, &kw->token, "ClientRequestToken");
            break;
        case 2:
            if ((rc = crd_next(r, &t)) == 0) {
                if (t.kind == CT_BOOL)
                    kw->consistent = t.b;
                else if (t.kind == CT_UINT)
                    kw->consistent = t.u != 0;
                else if (t.kind == CT_NULL)
                    kw->consistent = -1;
                else
                    rc = dg_error_set(r->err, DG_EINVAL, NULL, "ConsistentRead: bad type");
            }
            break;
        default: {
            uint64_t v = 0;
            if ((rc = crd_next(r, &t)) != 0)
                break;
            if (t.kind == CT_UINT)
                v = t.u;
            else if (t.kind == CT_BOOL)
                v = t.b;
            else if (t.kind == CT_NULL)
                break;
            else {
                rc = dg_error_set(r->err, DG_EINVAL, NULL, "kwargs %llu: bad type",
                                  (unsigned long long)k);
                break;
            }
            switch (k) {
            case 3:
                kw->rcc = (int)v;
                break;
            case 6:
                kw->ricm = (int)v;
                break;
            case 7:
                kw->rv = (int)v;
                break;
            case 13:
                kw->has_limit = true;
                kw->limit = v;
                break;
            case 14:
                kw->has_sif = true;
                kw->sif = v;
                break;
            case 15:
                kw->select = (int)v;
                break;
            case 16:
                kw->has_segment = true;
                kw->segment = v;
                break;
            case 17:
                kw->has_total = true;
                kw->total = v;
                break;
            default:
                break;
            }
        }
        }
        if (rc)
            return rc < 0 ? rc : DG_EINVAL;
    }
    return 0;
}

/* ---- request JSON building */

typedef struct exprs {
    dl_names names;
    dl_values values;
    dg_buf text;
    dg_dax_projection proj;
    bool has_proj;
} exprs;

static void exprs_free(exprs *e)
{
    dl_names_free(&e->names);
    dg_buf_free(&e->values.json);
    dg_buf_free(&e->text);
}

/* append ,"Field":"<decompiled>" */
static int add_expr(exprs *e, dg_bytes x, char kind, const char *prefix, const char *field,
                    dg_arena *a, dg_buf *body, dg_error *err)
{
    if (!x.ptr)
        return 0;
    dg_buf_reset(&e->text);
    int rc = dl_expr_decompile(x.ptr, x.len, kind, prefix, &e->names, &e->values, a, &e->text,
                               kind == 'p' ? &e->proj : NULL, err);
    if (rc)
        return rc;
    if (kind == 'p')
        e->has_proj = true;
    dg_buf_printf(body, ",\"%s\":", field);
    dg_buf_json_string(body, e->text.data ? e->text.data : "", e->text.len);
    return 0;
}

static void add_names_values(exprs *e, dg_buf *body)
{
    if (e->names.json.len)
        dg_buf_printf(body, ",\"ExpressionAttributeNames\":{%s}", e->names.json.data + 1);
    if (e->values.json.len)
        dg_buf_printf(body, ",\"ExpressionAttributeValues\":{%s}", e->values.json.data + 1);
}

static void json_table(dg_buf *body, dg_str t)
{
    dg_buf_puts(body, "\"TableName\":");
    dg_buf_json_string(body, t.ptr, t.len);
}

static const char *rv_name(int rv)
{
    switch (rv) {
    case 2:
        return "ALL_OLD";
    case 3:
        return "UPDATED_OLD";
    case 4:
        return "ALL_NEW";
    case 5:
        return "UPDATED_NEW";
    default:
        return NULL;
    }
}

/* key bytes (raw) -> M and canonical key bytes */
static int decode_key(const dg_dax_key_schema *ks, dg_bytes kb, dg_arena *a, dg_dax_av *key,
                      dg_buf *canon, dg_error *err)
{
    int rc = dg_dax_key_decode(ks, kb.ptr, kb.len, &limits, a, key, err);
    if (rc)
        return rc > 0 ? dg_error_set(err, DG_EINVAL, NULL, "truncated key") : rc;
    dg_buf_reset(canon);
    return dg_dax_key_encode(ks, key, DG_DAX_NUM_EXACT, canon, err);
}

static void cache_key(dg_buf *ck, dg_str table, const dg_buf *canon)
{
    dg_buf_reset(ck);
    dg_buf_append(ck, table.ptr, table.len);
    dg_buf_putc(ck, 0);
    dg_buf_append(ck, canon->data, canon->len);
}

/* item = key M + values against names */
static int merge_item(const dg_dax_av *key, const dg_dax_names *names, const dg_dax_av *vals,
                      size_t nv, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    if (nv != names->count)
        return dg_error_set(err, DG_EINVAL, NULL, "attribute list has %zu names, %zu values",
                            names->count, nv);
    size_t n = key->count + nv;
    out->type = DG_DAX_M;
    out->count = n;
    out->keys = dg_arena_calloc(a, n ? n : 1, sizeof *out->keys);
    out->items = dg_arena_calloc(a, n ? n : 1, sizeof *out->items);
    if (!out->keys || !out->items)
        return DG_ENOMEM;
    for (size_t i = 0; i < key->count; i++) {
        out->keys[i] = key->keys[i];
        out->items[i] = key->items[i];
    }
    for (size_t i = 0; i < nv; i++) {
        out->keys[key->count + i] = names->names[i];
        out->items[key->count + i] = vals[i];
    }
    return 0;
}

static int decode_nonkey(dg_bytes vb, const dg_dax_av *key, dg_arena *a, dg_dax_av *item,
                         dg_error *err)
{
    uint64_t id;
    dg_dax_av *vals;
    size_t nv;
    int rc = dg_dax_nonkey_decode(vb.ptr, vb.len, &limits, a, &id, &vals, &nv, err);
    if (rc)
        return rc > 0 ? dg_error_set(err, DG_EINVAL, NULL, "truncated values") : rc;
    dg_dax_names names;
    if ((rc = reg_names(a, id, &names, err)) != 0)
        return rc;
    return merge_item(key, &names, vals, nv, a, item, err);
}

/* ---- response encoding helpers */

static int put_nonkey(dg_buf *out, const dg_dax_key_schema *ks, const dg_dax_av *item, dg_arena *a,
                      dg_error *err)
{
    dg_dax_names names;
    int rc = dg_dax_item_attr_names(item, ks, a, &names, err);
    if (rc)
        return rc;
    uint64_t id = reg_id(&names);
    if (!id)
        return DG_ENOMEM;
    dg_buf v = DG_BUF_INIT;
    rc = dg_dax_nonkey_encode(item, &names, id, DG_DAX_NUM_EXACT, &v, err);
    if (rc == 0)
        cw_wrap_bytes(out, &v);
    dg_buf_free(&v);
    return rc;
}

static int put_keybytes(dg_buf *out, const dg_dax_key_schema *ks, const dg_dax_av *item,
                        dg_error *err)
{
    dg_buf v = DG_BUF_INIT;
    int rc = dg_dax_key_encode(ks, item, DG_DAX_NUM_EXACT, &v, err);
    if (rc == 0)
        cw_wrap_bytes(out, &v);
    dg_buf_free(&v);
    return rc;
}

static const dg_dax_av *path_get(const dg_dax_av *item, const dg_dax_path *p)
{
    const dg_dax_av *cur = item;
    for (size_t i = 0; cur && i < p->count; i++) {
        const dg_dax_path_elem *e = &p->elems[i];
        if (e->is_index) {
            if (cur->type != DG_DAX_L || e->index >= cur->count)
                return NULL;
            cur = &cur->items[e->index];
        } else {
            if (cur->type != DG_DAX_M)
                return NULL;
            cur = dg_dax_item_get(cur, e->name.ptr, e->name.len);
        }
    }
    return cur;
}

/* projection map {ordinal: value} */
static int put_projected(dg_buf *out, const dg_dax_projection *proj, const dg_dax_av *item,
                         dg_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < proj->count; i++)
        if (path_get(item, &proj->paths[i]))
            n++;
    cw_map(out, n);
    for (size_t i = 0; i < proj->count; i++) {
        const dg_dax_av *v = path_get(item, &proj->paths[i]);
        if (!v)
            continue;
        cw_uint(out, i);
        int rc = dax_write_av(out, v, DG_DAX_NUM_EXACT, 0, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int put_item_form(dg_buf *out, const dg_dax_key_schema *ks, const exprs *e,
                         const dg_dax_av *item, dg_arena *a, dg_error *err)
{
    if (e->has_proj)
        return put_projected(out, &e->proj, item, err);
    return put_nonkey(out, ks, item, a, err);
}

/* UPDATED_OLD / UPDATED_NEW: bytes(listId ‖ {ordinal: value}) */
static int put_updated(dg_buf *out, const dg_dax_av *attrs, dg_arena *a, dg_error *err)
{
    dg_dax_key_schema none = {0};
    dg_dax_names names;
    int rc = dg_dax_item_attr_names(attrs, &none, a, &names, err);
    if (rc)
        return rc;
    uint64_t id = reg_id(&names);
    dg_buf v = DG_BUF_INIT;
    cw_uint(&v, id);
    cw_map(&v, names.count);
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        cw_uint(&v, i);
        rc = dax_write_av(&v, dg_dax_item_get(attrs, names.names[i].ptr, names.names[i].len),
                          DG_DAX_NUM_EXACT, 0, err);
    }
    if (rc == 0)
        cw_wrap_bytes(out, &v);
    dg_buf_free(&v);
    return rc;
}

static int json_to_item(const cJSON *j, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    return dg_dax_item_from_json(j, a, out, err);
}

/* ------------------------------------------------------------------ the methods */

typedef struct req {
    conn *c;
    crd r;
    dg_arena *a;
    dg_error *err;
    dg_buf *out; /* the response */
    const uint8_t *raw;
    size_t raw_len;
} req;

static int call(req *q, const char *op, dg_buf *body, dg_ddb_result *res)
{
    int rc = ddb_client(q->c, q->err);
    if (rc)
        return rc;
    if (dg_buf_status(body))
        return dg_error_set(q->err, DG_ENOMEM, NULL, "out of memory");
    return dg_ddb_call(q->c->ddb, op, body->data, body->len, res, q->err);
}

static int m_get_item(req *q)
{
    dg_bytes tb, kb;
    kwargs kw;
    int rc;
    if ((rc = rd_bytes(&q->r, q->a, &tb, "TableName")) ||
        (rc = rd_bytes(&q->r, q->a, &kb, "Key")) || (rc = rd_kwargs(&q->r, q->a, &kw)))
        return rc;
    dg_str table = {(const char *)tb.ptr, tb.len};
    dg_dax_key_schema ks;
    if ((rc = get_schema(q->c, table, &ks, q->err)))
        return rc;
    dg_dax_av key, item;
    dg_buf canon = DG_BUF_INIT, ck = DG_BUF_INIT, body = DG_BUF_INIT, cached = DG_BUF_INIT;
    exprs e = {0};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    bool have = false;
    if ((rc = decode_key(&ks, kb, q->a, &key, &canon, q->err)))
        goto out;
    if (kw.proj.ptr) {
        dg_buf scratch = DG_BUF_INIT;
        rc = add_expr(&e, kw.proj, 'p', "p", "ProjectionExpression", q->a, &scratch, q->err);
        dg_buf_free(&scratch);
        if (rc)
            goto out;
    }
    cache_key(&ck, table, &canon);
    bool consistent = kw.consistent == 1;
    bool negative = false, got_reply = false;
    uint64_t seq = 0;
    size_t start = q->out->len;
    /* Fast hit: a positive entry carries its encoded reply (no projection:
     * the reply depends only on the item, the table's key schema and the
     * attribute-list registry, all fixed for that entry version) — appended
     * straight to the response. Otherwise the JSON is decoded and the reply
     * built, then attached to the entry for the next hit. */
    if (!consistent &&
        dl_cache_get_ex(&item_cache, (uint8_t *)ck.data, ck.len, e.has_proj ? NULL : q->out,
                        &cached, &negative, &got_reply, &seq)) {
        if (got_reply)
            goto out;
        if (!negative) {
            if ((rc = dg_dax_item_from_json_text(cached.data, cached.len, q->a, &item, q->err)))
                goto out;
            have = true;
        }
    } else {
        dg_buf_putc(&body, '{');
        json_table(&body, table);
        dg_buf_puts(&body, ",\"Key\":");
        dg_dax_item_to_json(&key, &body);
        if (consistent)
            dg_buf_puts(&body, ",\"ConsistentRead\":true");
        dg_buf_putc(&body, '}');
        if ((rc = call(q, "GetItem", &body, &res)))
            goto out;
        if (res.item) {
            if ((rc = json_to_item(res.item, q->a, &item, q->err)))
                goto out;
            have = true;
        }
        if (!consistent) {
            if (have) {
                dg_buf j = DG_BUF_INIT;
                dg_dax_item_to_json(&item, &j);
                seq =
                    dl_cache_put_seq(&item_cache, (uint8_t *)ck.data, ck.len, j.data, j.len, false);
                dg_buf_free(&j);
            } else {
                dl_cache_put(&item_cache, (uint8_t *)ck.data, ck.len, NULL, 0, true);
            }
        }
    }
    cw_array(q->out, 0);
    if (!have) {
        cw_map(q->out, 0);
    } else {
        cw_map(q->out, 1);
        cw_uint(q->out, 0);
        rc = put_item_form(q->out, &ks, &e, &item, q->a, q->err);
        if (rc == 0 && seq && !e.has_proj && !dg_buf_status(q->out))
            dl_cache_attach(&item_cache, (uint8_t *)ck.data, ck.len, seq, q->out->data + start,
                            q->out->len - start);
    }
out:
    dg_ddb_result_clean_up(&res);
    exprs_free(&e);
    dg_buf_free(&canon);
    dg_buf_free(&ck);
    dg_buf_free(&body);
    dg_buf_free(&cached);
    return rc;
}

/* Put / Update / Delete */
static int m_write(req *q, int64_t method)
{
    dg_bytes tb, kb, vb = {0};
    kwargs kw;
    int rc;
    if ((rc = rd_bytes(&q->r, q->a, &tb, "TableName")) || (rc = rd_bytes(&q->r, q->a, &kb, "Key")))
        return rc;
    if (method == DG_DAX_PUT_ITEM && (rc = rd_bytes(&q->r, q->a, &vb, "Item")))
        return rc;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        return rc;
    dg_str table = {(const char *)tb.ptr, tb.len};
    dg_dax_key_schema ks;
    if ((rc = get_schema(q->c, table, &ks, q->err)))
        return rc;
    dg_dax_av key, item;
    dg_buf canon = DG_BUF_INIT, ck = DG_BUF_INIT, body = DG_BUF_INIT;
    exprs e = {0};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    if ((rc = decode_key(&ks, kb, q->a, &key, &canon, q->err)))
        goto out;
    cache_key(&ck, table, &canon);
    const char *op = method == DG_DAX_PUT_ITEM      ? "PutItem"
                     : method == DG_DAX_UPDATE_ITEM ? "UpdateItem"
                                                    : "DeleteItem";
    dg_buf_putc(&body, '{');
    json_table(&body, table);
    if (method == DG_DAX_PUT_ITEM) {
        if ((rc = decode_nonkey(vb, &key, q->a, &item, q->err)))
            goto out;
        dg_buf_puts(&body, ",\"Item\":");
        dg_dax_item_to_json(&item, &body);
    } else {
        dg_buf_puts(&body, ",\"Key\":");
        dg_dax_item_to_json(&key, &body);
    }
    if ((rc = add_expr(&e, kw.update, 'u', "u", "UpdateExpression", q->a, &body, q->err)) ||
        (rc = add_expr(&e, kw.cond, 'c', "c", "ConditionExpression", q->a, &body, q->err)))
        goto out;
    add_names_values(&e, &body);
    int send_rv = kw.rv;
    bool update_cached = false;
    if (method == DG_DAX_UPDATE_ITEM && (kw.rv <= 1 || kw.rv == 4)) {
        send_rv = 4; /* fetch the new item to refresh the item cache */
        update_cached = true;
    }
    if (rv_name(send_rv))
        dg_buf_printf(&body, ",\"ReturnValues\":\"%s\"", rv_name(send_rv));
    dg_buf_putc(&body, '}');
    if ((rc = call(q, op, &body, &res)))
        goto out;
    /* item cache before the reply */
    if (method == DG_DAX_PUT_ITEM) {
        dg_buf j = DG_BUF_INIT;
        dg_dax_item_to_json(&item, &j);
        dl_cache_put(&item_cache, (uint8_t *)ck.data, ck.len, j.data, j.len, false);
        dg_buf_free(&j);
    } else if (method == DG_DAX_DELETE_ITEM) {
        dl_cache_put(&item_cache, (uint8_t *)ck.data, ck.len, NULL, 0, true);
    } else if (update_cached && res.item) {
        char *j = cJSON_PrintUnformatted(res.item);
        if (j) {
            dl_cache_put(&item_cache, (uint8_t *)ck.data, ck.len, j, strlen(j), false);
            cJSON_free(j);
        } else {
            dl_cache_remove(&item_cache, (uint8_t *)ck.data, ck.len);
        }
    } else {
        dl_cache_remove(&item_cache, (uint8_t *)ck.data, ck.len);
    }
    cw_array(q->out, 0);
    if (kw.rv >= 2 && res.item) {
        dg_dax_av attrs;
        if ((rc = json_to_item(res.item, q->a, &attrs, q->err)))
            goto out;
        cw_map(q->out, 1);
        cw_uint(q->out, 2);
        if (kw.rv == 3 || kw.rv == 5)
            rc = put_updated(q->out, &attrs, q->a, q->err);
        else
            rc = put_nonkey(q->out, &ks, &attrs, q->a, q->err);
    } else {
        cw_null(q->out);
    }
out:
    dg_ddb_result_clean_up(&res);
    exprs_free(&e);
    dg_buf_free(&canon);
    dg_buf_free(&ck);
    dg_buf_free(&body);
    return rc;
}

/* compound key bytes (index ESK / LEK): CBOR map name -> AV */
static int decode_compound(dg_bytes b, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    crd r;
    crd_init(&r, b.ptr, b.len, &limits, err);
    int rc = dax_read_av(&r, a, 0, out);
    if (rc)
        return rc < 0 ? rc : dg_error_set(err, DG_EINVAL, NULL, "truncated key");
    if (out->type != DG_DAX_M)
        return dg_error_set(err, DG_EINVAL, NULL, "ExclusiveStartKey: not a map");
    return 0;
}

static int m_query_scan(req *q, int64_t method)
{
    dg_bytes tb, kc = {0};
    kwargs kw;
    int rc;
    if ((rc = rd_bytes(&q->r, q->a, &tb, "TableName")))
        return rc;
    if (method == DG_DAX_QUERY && (rc = rd_bytes(&q->r, q->a, &kc, "KeyConditionExpression")))
        return rc;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        return rc;
    dg_str table = {(const char *)tb.ptr, tb.len};
    dg_dax_key_schema ks;
    if ((rc = get_schema(q->c, table, &ks, q->err)))
        return rc;
    bool consistent = kw.consistent == 1;
    dg_buf cached = DG_BUF_INIT, body = DG_BUF_INIT;
    exprs e = {0};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    bool neg;
    if (!consistent && dl_cache_get(&query_cache, q->raw, q->raw_len, &cached, &neg)) {
        dg_buf_append(q->out, cached.data, cached.len);
        goto out;
    }
    dg_buf_putc(&body, '{');
    json_table(&body, table);
    if ((rc = add_expr(&e, kc, 'k', "k", "KeyConditionExpression", q->a, &body, q->err)) ||
        (rc = add_expr(&e, kw.filter, 'f', "f", "FilterExpression", q->a, &body, q->err)) ||
        (rc = add_expr(&e, kw.proj, 'p', "p", "ProjectionExpression", q->a, &body, q->err)))
        goto out;
    add_names_values(&e, &body);
    if (kw.index.ptr) {
        dg_buf_puts(&body, ",\"IndexName\":");
        dg_buf_json_string(&body, (const char *)kw.index.ptr, kw.index.len);
    }
    if (consistent)
        dg_buf_puts(&body, ",\"ConsistentRead\":true");
    if (kw.has_limit)
        dg_buf_printf(&body, ",\"Limit\":%llu", (unsigned long long)kw.limit);
    if (kw.has_sif)
        dg_buf_printf(&body, ",\"ScanIndexForward\":%s", kw.sif ? "true" : "false");
    if (kw.has_segment)
        dg_buf_printf(&body, ",\"Segment\":%llu", (unsigned long long)kw.segment);
    if (kw.has_total)
        dg_buf_printf(&body, ",\"TotalSegments\":%llu", (unsigned long long)kw.total);
    static const char *sel[] = {NULL, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT",
                                "SPECIFIC_ATTRIBUTES"};
    if (kw.select >= 1 && kw.select <= 4)
        dg_buf_printf(&body, ",\"Select\":\"%s\"", sel[kw.select]);
    if (kw.esk.ptr) {
        dg_dax_av esk;
        dg_buf canon = DG_BUF_INIT;
        rc = kw.index.ptr ? decode_compound(kw.esk, q->a, &esk, q->err)
                          : decode_key(&ks, kw.esk, q->a, &esk, &canon, q->err);
        dg_buf_free(&canon);
        if (rc)
            goto out;
        dg_buf_puts(&body, ",\"ExclusiveStartKey\":");
        dg_dax_item_to_json(&esk, &body);
    }
    dg_buf_putc(&body, '}');
    if ((rc = call(q, method == DG_DAX_QUERY ? "Query" : "Scan", &body, &res)))
        goto out;
    size_t start = q->out->len;
    const cJSON *items = res.items;
    const cJSON *lek = res.last_key;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(res.root, "ScannedCount");
    size_t n = 2 + (items ? 1 : 0) + (lek ? 1 : 0);
    cw_array(q->out, 0);
    cw_map(q->out, n);
    if (items) {
        cw_uint(q->out, 7);
        cw_array(q->out, (size_t)cJSON_GetArraySize(items));
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            dg_dax_av item;
            if ((rc = json_to_item(it, q->a, &item, q->err)))
                goto out;
            if (e.has_proj) {
                rc = put_projected(q->out, &e.proj, &item, q->err);
            } else {
                cw_array(q->out, 2);
                if ((rc = put_keybytes(q->out, &ks, &item, q->err)) == 0)
                    rc = put_nonkey(q->out, &ks, &item, q->a, q->err);
            }
            if (rc)
                goto out;
        }
    }
    cw_uint(q->out, 8);
    cw_uint(q->out, (uint64_t)(res.count < 0 ? 0 : res.count));
    if (lek) {
        dg_dax_av lk;
        if ((rc = json_to_item(lek, q->a, &lk, q->err)))
            goto out;
        cw_uint(q->out, 9);
        if (kw.index.ptr) {
            dg_buf v = DG_BUF_INIT;
            cw_indef_map(&v);
            for (size_t i = 0; i < lk.count && rc == 0; i++) {
                cw_text(&v, lk.keys[i].ptr, lk.keys[i].len);
                rc = dax_write_av(&v, &lk.items[i], DG_DAX_NUM_EXACT, 0, q->err);
            }
            cw_break(&v);
            cw_wrap_bytes(q->out, &v);
            dg_buf_free(&v);
        } else {
            rc = put_keybytes(q->out, &ks, &lk, q->err);
        }
        if (rc)
            goto out;
    }
    cw_uint(q->out, 10);
    cw_uint(q->out, sc && cJSON_IsNumber(sc) ? (uint64_t)sc->valuedouble : 0);
    if (!consistent && dg_buf_status(q->out) == 0)
        dl_cache_put(&query_cache, q->raw, q->raw_len, q->out->data + start, q->out->len - start,
                     false);
out:
    dg_ddb_result_clean_up(&res);
    exprs_free(&e);
    dg_buf_free(&cached);
    dg_buf_free(&body);
    return rc;
}

/* BatchGetItem: eventually consistent tables are served from the item cache
 * (hits and cached misses), only the misses go to DynamoDB (whole items, the
 * projection is applied here) and are cached, absent keys negatively.
 * ConsistentRead tables are forwarded as they are and bypass the cache. */
typedef struct bg_table {
    dg_str table;
    dg_dax_key_schema ks;
    exprs e;
    dg_bytes proj;
    bool consistent;
    size_t nkeys;
    dg_dax_av *keys;
    dg_buf *cks; /* cache keys */
    bool *fetch; /* key i goes to DynamoDB */
    size_t nfetch;
    dg_dax_av *found; /* items to answer */
    size_t nfound;
} bg_table;

static int m_batch_get(req *q)
{
    size_t nt;
    bool indef;
    int rc;
    if ((rc = crd_map(&q->r, &nt, &indef, "RequestItems")))
        return rc < 0 ? rc : DG_EINVAL;
    if (indef || nt == 0 || nt > 100)
        return dg_error_set(q->err, DG_EINVAL, NULL, "RequestItems: bad map");
    bg_table *bts = calloc(nt, sizeof *bts);
    if (!bts)
        return DG_ENOMEM;
    dg_buf body = DG_BUF_INIT, cached = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    size_t total_fetch = 0;
    for (size_t t = 0; t < nt; t++) {
        bg_table *b = &bts[t];
        size_t m, nk;
        bool ind2;
        ctok tok;
        if ((rc = rd_any_string(&q->r, q->a, &b->table, "table")) ||
            (rc = get_schema(q->c, b->table, &b->ks, q->err)))
            goto out;
        if ((rc = crd_array(&q->r, &m, &ind2, "table request")) || m != 3) {
            rc = rc < 0 ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "bad table request");
            goto out;
        }
        if ((rc = crd_next(&q->r, &tok)))
            goto out;
        b->consistent = tok.kind == CT_BOOL ? tok.b : tok.kind == CT_UINT ? tok.u != 0 : false;
        if ((rc = rd_opt_bytes(&q->r, q->a, &b->proj, "ProjectionExpression")))
            goto out;
        if ((rc = crd_array(&q->r, &nk, &ind2, "keys")) || ind2 || nk > 100) {
            rc = rc < 0 ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "bad keys");
            goto out;
        }
        b->nkeys = nk;
        b->keys = dg_arena_calloc(q->a, nk ? nk : 1, sizeof *b->keys);
        b->found = dg_arena_calloc(q->a, nk ? nk : 1, sizeof *b->found);
        b->fetch = dg_arena_calloc(q->a, nk ? nk : 1, sizeof *b->fetch);
        b->cks = calloc(nk ? nk : 1, sizeof *b->cks);
        if (!b->keys || !b->found || !b->fetch || !b->cks) {
            rc = DG_ENOMEM;
            goto out;
        }
        for (size_t k = 0; k < nk; k++) {
            dg_bytes kb;
            dg_buf canon = DG_BUF_INIT;
            rc = rd_bytes(&q->r, q->a, &kb, "key");
            if (rc == 0)
                rc = decode_key(&b->ks, kb, q->a, &b->keys[k], &canon, q->err);
            if (rc == 0)
                cache_key(&b->cks[k], b->table, &canon);
            dg_buf_free(&canon);
            if (rc)
                goto out;
        }
        /* the projection's paths (also when it is applied here) */
        dg_buf scratch = DG_BUF_INIT;
        rc = add_expr(&b->e, b->proj, 'p', "p", "ProjectionExpression", q->a, &scratch, q->err);
        dg_buf_free(&scratch);
        if (rc)
            goto out;
    }
    kwargs kw;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        goto out;
    /* the item cache first */
    for (size_t t = 0; t < nt; t++) {
        bg_table *b = &bts[t];
        for (size_t k = 0; k < b->nkeys; k++) {
            bool neg = false;
            if (!b->consistent && dl_cache_get(&item_cache, (uint8_t *)b->cks[k].data,
                                               b->cks[k].len, &cached, &neg)) {
                if (!neg && (rc = dg_dax_item_from_json_text(cached.data, cached.len, q->a,
                                                             &b->found[b->nfound++], q->err)))
                    goto out;
            } else {
                b->fetch[k] = true;
                b->nfetch++;
                total_fetch++;
            }
        }
    }
    const cJSON *resp = NULL, *unp = NULL;
    if (total_fetch) {
        dg_buf_puts(&body, "{\"RequestItems\":{");
        bool first = true;
        for (size_t t = 0; t < nt; t++) {
            bg_table *b = &bts[t];
            if (!b->nfetch)
                continue;
            if (!first)
                dg_buf_putc(&body, ',');
            first = false;
            dg_buf_json_string(&body, b->table.ptr, b->table.len);
            dg_buf_puts(&body, ":{\"Keys\":[");
            bool k1 = true;
            for (size_t k = 0; k < b->nkeys; k++) {
                if (!b->fetch[k])
                    continue;
                if (!k1)
                    dg_buf_putc(&body, ',');
                k1 = false;
                dg_dax_item_to_json(&b->keys[k], &body);
            }
            dg_buf_putc(&body, ']');
            if (b->consistent) {
                dg_buf_puts(&body, ",\"ConsistentRead\":true");
                if (b->e.has_proj) {
                    /* re-decompile into the body (names are per table) */
                    exprs e2 = {0};
                    rc = add_expr(&e2, b->proj, 'p', "p", "ProjectionExpression", q->a, &body,
                                  q->err);
                    if (rc == 0)
                        add_names_values(&e2, &body);
                    exprs_free(&e2);
                    if (rc)
                        goto out;
                }
            }
            dg_buf_putc(&body, '}');
        }
        dg_buf_puts(&body, "}}");
        if ((rc = call(q, "BatchGetItem", &body, &res)))
            goto out;
        resp = cJSON_GetObjectItemCaseSensitive(res.root, "Responses");
        unp = cJSON_GetObjectItemCaseSensitive(res.root, "UnprocessedKeys");
    }
    /* fetched items: answer and cache (eventually consistent tables) */
    const cJSON *tj;
    cJSON_ArrayForEach(tj, resp)
    {
        bg_table *b = NULL;
        for (size_t i = 0; i < nt; i++)
            if (dg_str_eq_cstr(bts[i].table, tj->string))
                b = &bts[i];
        if (!b) {
            rc = dg_error_set(q->err, DG_ESERVICE, NULL, "unexpected table in response");
            goto out;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, tj)
        {
            if (b->nfound >= b->nkeys) {
                rc = dg_error_set(q->err, DG_ESERVICE, NULL, "more items than keys");
                goto out;
            }
            dg_dax_av *item = &b->found[b->nfound++];
            if ((rc = json_to_item(it, q->a, item, q->err)))
                goto out;
            if (b->consistent)
                continue;
            dg_buf canon = DG_BUF_INIT, ck = DG_BUF_INIT, j = DG_BUF_INIT;
            if (dg_dax_key_encode(&b->ks, item, DG_DAX_NUM_EXACT, &canon, q->err) == 0) {
                cache_key(&ck, b->table, &canon);
                dg_dax_item_to_json(item, &j);
                if (dg_buf_status(&j) == 0)
                    dl_cache_put(&item_cache, (uint8_t *)ck.data, ck.len, j.data, j.len, false);
                for (size_t k = 0; k < b->nkeys; k++)
                    if (b->fetch[k] && b->cks[k].len == ck.len &&
                        memcmp(b->cks[k].data, ck.data, ck.len) == 0)
                        b->fetch[k] = false; /* found */
            }
            dg_buf_free(&canon);
            dg_buf_free(&ck);
            dg_buf_free(&j);
        }
    }
    /* fetched, not found, not unprocessed: cached negatively */
    if (total_fetch && !(unp && cJSON_GetArraySize(unp) > 0)) {
        for (size_t t = 0; t < nt; t++)
            for (size_t k = 0; !bts[t].consistent && k < bts[t].nkeys; k++)
                if (bts[t].fetch[k])
                    dl_cache_put(&item_cache, (uint8_t *)bts[t].cks[k].data, bts[t].cks[k].len,
                                 NULL, 0, true);
    }
    cw_array(q->out, 0);
    cw_array(q->out, 2);
    size_t nonempty = 0;
    for (size_t t = 0; t < nt; t++)
        nonempty += bts[t].nfound > 0;
    cw_map(q->out, nonempty);
    for (size_t t = 0; t < nt; t++) {
        bg_table *b = &bts[t];
        if (!b->nfound)
            continue;
        cw_text(q->out, b->table.ptr, b->table.len);
        cw_array(q->out, b->e.has_proj ? b->nfound : 2 * b->nfound);
        for (size_t i = 0; i < b->nfound; i++) {
            if (b->e.has_proj)
                rc = put_projected(q->out, &b->e.proj, &b->found[i], q->err);
            else if ((rc = put_keybytes(q->out, &b->ks, &b->found[i], q->err)) == 0)
                rc = put_nonkey(q->out, &b->ks, &b->found[i], q->a, q->err);
            if (rc)
                goto out;
        }
    }
    cw_map(q->out, (size_t)cJSON_GetArraySize(unp));
    cJSON_ArrayForEach(tj, unp)
    {
        bg_table *b = NULL;
        for (size_t i = 0; i < nt; i++)
            if (dg_str_eq_cstr(bts[i].table, tj->string))
                b = &bts[i];
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(tj, "Keys");
        cw_text(q->out, tj->string, strlen(tj->string));
        cw_array(q->out, (size_t)cJSON_GetArraySize(keys));
        const cJSON *k;
        cJSON_ArrayForEach(k, keys)
        {
            dg_dax_av key;
            if (!b || (rc = json_to_item(k, q->a, &key, q->err)) ||
                (rc = put_keybytes(q->out, &b->ks, &key, q->err))) {
                rc = rc ? rc : DG_ESERVICE;
                goto out;
            }
        }
    }
    cw_array(q->out, 0);
out:
    for (size_t i = 0; i < nt; i++) {
        exprs_free(&bts[i].e);
        for (size_t k = 0; bts[i].cks && k < bts[i].nkeys; k++)
            dg_buf_free(&bts[i].cks[k]);
        free(bts[i].cks);
    }
    free(bts);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&body);
    dg_buf_free(&cached);
    return rc;
}

typedef struct cache_op {
    dg_buf ck;   /* cache key */
    dg_buf json; /* item JSON (put) */
    bool del;
} cache_op;

static int m_batch_write(req *q)
{
    size_t nt;
    bool indef;
    int rc;
    if ((rc = crd_map(&q->r, &nt, &indef, "RequestItems")))
        return rc < 0 ? rc : DG_EINVAL;
    if (indef || nt == 0 || nt > 25)
        return dg_error_set(q->err, DG_EINVAL, NULL, "RequestItems: bad map");
    dg_buf body = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    cache_op *ops = calloc(25 * 2, sizeof *ops);
    size_t nops = 0;
    if (!ops)
        return DG_ENOMEM;
    dg_buf_puts(&body, "{\"RequestItems\":{");
    for (size_t t = 0; t < nt; t++) {
        dg_str table;
        dg_dax_key_schema ks;
        size_t m;
        bool ind2;
        if ((rc = rd_any_string(&q->r, q->a, &table, "table")) ||
            (rc = get_schema(q->c, table, &ks, q->err)))
            goto out;
        if ((rc = crd_array(&q->r, &m, &ind2, "writes")) || ind2 || m % 2) {
            rc = rc < 0 ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "bad writes");
            goto out;
        }
        if (t)
            dg_buf_putc(&body, ',');
        dg_buf_json_string(&body, table.ptr, table.len);
        dg_buf_puts(&body, ":[");
        for (size_t i = 0; i < m / 2; i++) {
            dg_bytes kb, vb;
            dg_dax_av key, item;
            dg_buf canon = DG_BUF_INIT;
            if ((rc = rd_bytes(&q->r, q->a, &kb, "key")) == 0 &&
                (rc = rd_opt_bytes(&q->r, q->a, &vb, "values")) == 0)
                rc = decode_key(&ks, kb, q->a, &key, &canon, q->err);
            if (rc == 0 && vb.ptr)
                rc = decode_nonkey(vb, &key, q->a, &item, q->err);
            if (rc == 0 && nops >= 50)
                rc = dg_error_set(q->err, DG_EINVAL, NULL, "too many writes");
            if (rc) {
                dg_buf_free(&canon);
                goto out;
            }
            cache_op *o = &ops[nops++];
            cache_key(&o->ck, table, &canon);
            dg_buf_free(&canon);
            if (i)
                dg_buf_putc(&body, ',');
            if (vb.ptr) {
                dg_buf_puts(&body, "{\"PutRequest\":{\"Item\":");
                dg_dax_item_to_json(&item, &body);
                dg_dax_item_to_json(&item, &o->json);
            } else {
                dg_buf_puts(&body, "{\"DeleteRequest\":{\"Key\":");
                dg_dax_item_to_json(&key, &body);
                o->del = true;
            }
            dg_buf_puts(&body, "}}");
        }
        dg_buf_putc(&body, ']');
    }
    dg_buf_puts(&body, "}}");
    kwargs kw;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        goto out;
    if ((rc = ddb_client(q->c, q->err)))
        goto out;
    rc = dg_ddb_batch_write(q->c->ddb, body.data + strlen("{\"RequestItems\":"), &res, q->err);
    if (rc && rc != DG_ETHROTTLED)
        goto out;
    rc = 0;
    /* item cache before the reply (unprocessed ones are invalidated) */
    for (size_t i = 0; i < nops; i++) {
        if (res.unprocessed)
            dl_cache_remove(&item_cache, (uint8_t *)ops[i].ck.data, ops[i].ck.len);
        else if (ops[i].del)
            dl_cache_put(&item_cache, (uint8_t *)ops[i].ck.data, ops[i].ck.len, NULL, 0, true);
        else
            dl_cache_put(&item_cache, (uint8_t *)ops[i].ck.data, ops[i].ck.len, ops[i].json.data,
                         ops[i].json.len, false);
    }
    cw_array(q->out, 0);
    const cJSON *unp = res.unprocessed;
    cw_map(q->out, (size_t)cJSON_GetArraySize(unp));
    const cJSON *tj;
    cJSON_ArrayForEach(tj, unp)
    {
        dg_dax_key_schema ks;
        dg_str table = {tj->string, strlen(tj->string)};
        if ((rc = get_schema(q->c, table, &ks, q->err)))
            goto out;
        cw_text(q->out, table.ptr, table.len);
        cw_array(q->out, 2 * (size_t)cJSON_GetArraySize(tj));
        const cJSON *w;
        cJSON_ArrayForEach(w, tj)
        {
            const cJSON *put = cJSON_GetObjectItemCaseSensitive(w, "PutRequest");
            const cJSON *del = cJSON_GetObjectItemCaseSensitive(w, "DeleteRequest");
            dg_dax_av it;
            const cJSON *src = put ? cJSON_GetObjectItemCaseSensitive(put, "Item")
                                   : cJSON_GetObjectItemCaseSensitive(del, "Key");
            if ((rc = json_to_item(src, q->a, &it, q->err)) ||
                (rc = put_keybytes(q->out, &ks, &it, q->err)))
                goto out;
            if (put)
                rc = put_nonkey(q->out, &ks, &it, q->a, q->err);
            else
                cw_null(q->out);
            if (rc)
                goto out;
        }
    }
    cw_array(q->out, 0);
    cw_map(q->out, 0);
out:
    for (size_t i = 0; i < nops; i++) {
        dg_buf_free(&ops[i].ck);
        dg_buf_free(&ops[i].json);
    }
    free(ops);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&body);
    return rc;
}

static int rd_array_head(req *q, size_t *n, const char *what)
{
    bool indef;
    int rc = crd_array(&q->r, n, &indef, what);
    if (rc || indef || *n > 100)
        return rc < 0 ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "bad %s", what);
    return 0;
}

static int m_transact_get(req *q)
{
    size_t n, n2, n3;
    int rc;
    if ((rc = rd_array_head(q, &n, "tables")))
        return rc;
    dg_str *tables = dg_arena_calloc(q->a, n ? n : 1, sizeof *tables);
    dg_dax_key_schema *kss = dg_arena_calloc(q->a, n ? n : 1, sizeof *kss);
    exprs *es = calloc(n ? n : 1, sizeof *es);
    dg_buf body = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    if (!tables || !kss || !es) {
        free(es);
        return DG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        dg_bytes tb;
        if ((rc = rd_bytes(&q->r, q->a, &tb, "table")))
            goto out;
        tables[i] = (dg_str){(const char *)tb.ptr, tb.len};
        if ((rc = get_schema(q->c, tables[i], &kss[i], q->err)))
            goto out;
    }
    if ((rc = rd_array_head(q, &n2, "keys")))
        goto out;
    if (n2 != n) {
        rc = dg_error_set(q->err, DG_EINVAL, NULL, "keys count");
        goto out;
    }
    dg_buf_puts(&body, "{\"TransactItems\":[");
    dg_dax_av *keys = dg_arena_calloc(q->a, n ? n : 1, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        dg_bytes kb;
        dg_buf canon = DG_BUF_INIT;
        rc = rd_bytes(&q->r, q->a, &kb, "key");
        if (rc == 0)
            rc = decode_key(&kss[i], kb, q->a, &keys[i], &canon, q->err);
        dg_buf_free(&canon);
        if (rc)
            goto out;
    }
    if ((rc = rd_array_head(q, &n3, "projections")))
        goto out;
    if (n3 != n) {
        rc = dg_error_set(q->err, DG_EINVAL, NULL, "projections count");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        dg_bytes proj;
        if ((rc = rd_opt_bytes(&q->r, q->a, &proj, "projection")))
            goto out;
        if (i)
            dg_buf_putc(&body, ',');
        dg_buf_puts(&body, "{\"Get\":{");
        json_table(&body, tables[i]);
        dg_buf_puts(&body, ",\"Key\":");
        dg_dax_item_to_json(&keys[i], &body);
        if ((rc = add_expr(&es[i], proj, 'p', "p", "ProjectionExpression", q->a, &body, q->err)))
            goto out;
        add_names_values(&es[i], &body);
        dg_buf_puts(&body, "}}");
    }
    dg_buf_puts(&body, "]}");
    kwargs kw;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        goto out;
    if ((rc = call(q, "TransactGetItems", &body, &res)))
        goto out;
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(res.root, "Responses");
    cw_array(q->out, 0);
    cw_array(q->out, 2);
    cw_array(q->out, n);
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = cJSON_GetArrayItem(resp, (int)i);
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(r, "Item");
        if (!it) {
            cw_null(q->out);
            continue;
        }
        dg_dax_av item;
        if ((rc = json_to_item(it, q->a, &item, q->err)) ||
            (rc = put_item_form(q->out, &kss[i], &es[i], &item, q->a, q->err)))
            goto out;
    }
    cw_array(q->out, 0);
out:
    for (size_t i = 0; i < n; i++)
        exprs_free(&es[i]);
    free(es);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&body);
    return rc;
}

/* ---- TransactWriteItems: background refresh of the item cache */

typedef struct refresh_job {
    size_t n;
    char **tables;
    char **keys; /* key JSON */
    dg_buf *cks; /* cache keys */
} refresh_job;

static void *refresh_main(void *arg)
{
    refresh_job *j = arg;
    dg_ddb_client *ddb = NULL;
    dg_error err;
    if (dg_ddb_client_new(&aws_cfg, NULL, &ddb, &err) == 0) {
        for (size_t i = 0; i < j->n; i++) {
            dg_buf body = DG_BUF_INIT;
            dg_buf_puts(&body, "{\"TableName\":");
            dg_buf_json_string(&body, j->tables[i], strlen(j->tables[i]));
            dg_buf_printf(&body, ",\"Key\":%s,\"ConsistentRead\":true}", j->keys[i]);
            dg_ddb_result res;
            dg_ddb_result_init(&res);
            if (dg_buf_status(&body) == 0 &&
                dg_ddb_call(ddb, "GetItem", body.data, body.len, &res, &err) == 0) {
                char *s = res.item ? cJSON_PrintUnformatted(res.item) : NULL;
                if (res.item && s)
                    dl_cache_put(&item_cache, (uint8_t *)j->cks[i].data, j->cks[i].len, s,
                                 strlen(s), false);
                else if (!res.item)
                    dl_cache_put(&item_cache, (uint8_t *)j->cks[i].data, j->cks[i].len, NULL, 0,
                                 true);
                else
                    dl_cache_remove(&item_cache, (uint8_t *)j->cks[i].data, j->cks[i].len);
                if (s)
                    cJSON_free(s);
            } else {
                dl_cache_remove(&item_cache, (uint8_t *)j->cks[i].data, j->cks[i].len);
            }
            dg_ddb_result_clean_up(&res);
            dg_buf_free(&body);
        }
        dg_ddb_client_destroy(ddb);
    } else {
        for (size_t i = 0; i < j->n; i++)
            dl_cache_remove(&item_cache, (uint8_t *)j->cks[i].data, j->cks[i].len);
    }
    stat_add(&st_tx_refreshes);
    for (size_t i = 0; i < j->n; i++) {
        free(j->tables[i]);
        free(j->keys[i]);
        dg_buf_free(&j->cks[i]);
    }
    free(j->tables);
    free(j->keys);
    free(j->cks);
    free(j);
    atomic_fetch_sub(&live_threads, 1);
    return NULL;
}

static int m_transact_write(req *q, refresh_job **job_out)
{
    size_t n, m;
    int rc;
    if ((rc = rd_array_head(q, &n, "operations")))
        return rc;
    if (n == 0 || n > 100)
        return dg_error_set(q->err, DG_EINVAL, NULL, "TransactItems: 1 to 100 items");
    uint64_t *opsv = dg_arena_calloc(q->a, n, sizeof *opsv);
    dg_str *tables = dg_arena_calloc(q->a, n, sizeof *tables);
    dg_dax_key_schema *kss = dg_arena_calloc(q->a, n, sizeof *kss);
    dg_dax_av *keys = dg_arena_calloc(q->a, n, sizeof *keys);
    dg_dax_av *items = dg_arena_calloc(q->a, n, sizeof *items);
    bool *has_item = dg_arena_calloc(q->a, n, sizeof *has_item);
    uint64_t *rvccf = dg_arena_calloc(q->a, n, sizeof *rvccf);
    dg_bytes *conds = dg_arena_calloc(q->a, n, sizeof *conds);
    dg_bytes *upds = dg_arena_calloc(q->a, n, sizeof *upds);
    dg_buf *cks = calloc(n, sizeof *cks);
    dg_buf body = DG_BUF_INIT;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    if (!opsv || !tables || !kss || !keys || !items || !has_item || !rvccf || !conds || !upds ||
        !cks) {
        free(cks);
        return DG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = crd_uint(&q->r, &opsv[i], "operation")))
            goto out;
    if ((rc = rd_array_head(q, &m, "tables")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "tables count");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        dg_bytes tb;
        if ((rc = rd_bytes(&q->r, q->a, &tb, "table")))
            goto out;
        tables[i] = (dg_str){(const char *)tb.ptr, tb.len};
        if ((rc = get_schema(q->c, tables[i], &kss[i], q->err)))
            goto out;
    }
    if ((rc = rd_array_head(q, &m, "keys")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "keys count");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        dg_bytes kb;
        dg_buf canon = DG_BUF_INIT;
        rc = rd_bytes(&q->r, q->a, &kb, "key");
        if (rc == 0)
            rc = decode_key(&kss[i], kb, q->a, &keys[i], &canon, q->err);
        if (rc == 0)
            cache_key(&cks[i], tables[i], &canon);
        dg_buf_free(&canon);
        if (rc)
            goto out;
    }
    if ((rc = rd_array_head(q, &m, "values")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "values count");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        dg_bytes vb;
        if ((rc = rd_opt_bytes(&q->r, q->a, &vb, "values")))
            goto out;
        if (vb.ptr) {
            if ((rc = decode_nonkey(vb, &keys[i], q->a, &items[i], q->err)))
                goto out;
            has_item[i] = true;
        }
    }
    /* returnValues (null) */
    if ((rc = crd_skip(&q->r, 0)))
        goto out;
    if ((rc = rd_array_head(q, &m, "rvOnConditionCheckFailure")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "rv count");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        bool isnull;
        if ((rc = crd_null_next(&q->r, &isnull)))
            goto out;
        if (!isnull && (rc = crd_uint(&q->r, &rvccf[i], "rvOnConditionCheckFailure")))
            goto out;
    }
    if ((rc = rd_array_head(q, &m, "conditions")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "conditions count");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = rd_opt_bytes(&q->r, q->a, &conds[i], "condition")))
            goto out;
    if ((rc = rd_array_head(q, &m, "updates")) || m != n) {
        rc = rc ? rc : dg_error_set(q->err, DG_EINVAL, NULL, "updates count");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = rd_opt_bytes(&q->r, q->a, &upds[i], "update")))
            goto out;
    kwargs kw;
    if ((rc = rd_kwargs(&q->r, q->a, &kw)))
        goto out;
    dg_buf_puts(&body, "{\"TransactItems\":[");
    for (size_t i = 0; i < n; i++) {
        const char *op = opsv[i] == 2    ? "Put"
                         : opsv[i] == 7  ? "Delete"
                         : opsv[i] == 9  ? "Update"
                         : opsv[i] == 12 ? "ConditionCheck"
                                         : NULL;
        if (!op) {
            rc = dg_error_set(q->err, DG_EINVAL, NULL, "unknown transact operation %llu",
                              (unsigned long long)opsv[i]);
            goto out;
        }
        if (i)
            dg_buf_putc(&body, ',');
        dg_buf_printf(&body, "{\"%s\":{", op);
        json_table(&body, tables[i]);
        if (opsv[i] == 2) {
            if (!has_item[i]) {
                rc = dg_error_set(q->err, DG_EINVAL, NULL, "Put without item");
                goto out;
            }
            dg_buf_puts(&body, ",\"Item\":");
            dg_dax_item_to_json(&items[i], &body);
        } else {
            dg_buf_puts(&body, ",\"Key\":");
            dg_dax_item_to_json(&keys[i], &body);
        }
        exprs e = {0};
        rc = add_expr(&e, upds[i], 'u', "u", "UpdateExpression", q->a, &body, q->err);
        if (rc == 0)
            rc = add_expr(&e, conds[i], 'c', "c", "ConditionExpression", q->a, &body, q->err);
        add_names_values(&e, &body);
        exprs_free(&e);
        if (rc)
            goto out;
        if (rvccf[i] == 2)
            dg_buf_puts(&body, ",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"");
        dg_buf_puts(&body, "}}");
    }
    dg_buf_putc(&body, ']');
    if (kw.token.ptr) {
        dg_buf_puts(&body, ",\"ClientRequestToken\":");
        dg_buf_json_string(&body, kw.token.ptr, kw.token.len);
    }
    dg_buf_putc(&body, '}');
    rc = call(q, "TransactWriteItems", &body, &res);
    if (rc) {
        const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(res.root, "CancellationReasons");
        if (strcmp(q->err->type, "TransactionCanceledException") == 0 && cJSON_IsArray(reasons)) {
            dg_buf rb = DG_BUF_INIT;
            int k = cJSON_GetArraySize(reasons);
            cw_array(&rb, 3 * (size_t)k);
            for (int i = 0; i < k; i++) {
                const cJSON *r = cJSON_GetArrayItem(reasons, i);
                const char *code =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "Code"));
                const char *msg =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "Message"));
                const cJSON *it = cJSON_GetObjectItemCaseSensitive(r, "Item");
                if (code)
                    cw_cstr(&rb, code);
                else
                    cw_null(&rb);
                if (msg)
                    cw_cstr(&rb, msg);
                else
                    cw_null(&rb);
                dg_dax_av av;
                dg_error e2;
                if (it && (size_t)i < n && json_to_item(it, q->a, &av, &e2) == 0 &&
                    put_nonkey(&rb, &kss[i], &av, q->a, &e2) == 0) {
                } else if (!it) {
                    cw_null(&rb);
                } else {
                    cw_null(&rb);
                }
            }
            put_error(q->out, q->err->type, q->err->message, &rb);
            dg_buf_free(&rb);
            rc = 1; /* reply written */
        }
        goto out;
    }
    cw_array(q->out, 0);
    cw_array(q->out, 3);
    cw_array(q->out, 0);
    cw_array(q->out, 0);
    cw_map(q->out, 0);
    /* the item cache is refreshed only after the reply, in the background */
    refresh_job *j = calloc(1, sizeof *j);
    if (j) {
        j->tables = calloc(n, sizeof *j->tables);
        j->keys = calloc(n, sizeof *j->keys);
        j->cks = cks;
        cks = NULL;
        j->n = n;
        for (size_t i = 0; j->tables && j->keys && i < n; i++) {
            dg_buf kj = DG_BUF_INIT;
            dg_dax_item_to_json(&keys[i], &kj);
            j->tables[i] = strndup(tables[i].ptr, tables[i].len);
            j->keys[i] = dg_buf_steal(&kj, NULL);
        }
        *job_out = j;
    }
out:
    if (cks) {
        for (size_t i = 0; i < n; i++)
            dg_buf_free(&cks[i]);
        free(cks);
    }
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&body);
    return rc;
}

static int m_endpoints(req *q)
{
    cw_array(q->out, 0);
    cw_array(q->out, (size_t)g.nodes);
    for (int i = 0; i < g.nodes; i++) {
        cw_map(q->out, 7);
        cw_uint(q->out, 0);
        cw_uint(q->out, (uint64_t)i + 1);
        cw_uint(q->out, 1);
        cw_cstr(q->out, "localhost");
        cw_uint(q->out, 2);
        struct in_addr ia;
        if (inet_pton(AF_INET, g.host, &ia) != 1)
            ia.s_addr = htonl(INADDR_LOOPBACK);
        cw_bytes(q->out, &ia.s_addr, 4);
        cw_uint(q->out, 3);
        cw_uint(q->out, (uint64_t)g.ports[i]);
        cw_uint(q->out, 4);
        cw_uint(q->out, i == 0 ? 1 : 2);
        cw_uint(q->out, 5);
        cw_cstr(q->out, "us-east-1a");
        cw_uint(q->out, 6);
        cw_uint(q->out, 1);
    }
    return 0;
}

static int m_define_key_schema(req *q)
{
    dg_bytes tb;
    int rc = rd_bytes(&q->r, q->a, &tb, "TableName");
    if (rc)
        return rc;
    dg_dax_key_schema ks;
    if ((rc = get_schema(q->c, (dg_str){(const char *)tb.ptr, tb.len}, &ks, q->err)))
        return rc;
    cw_array(q->out, 0);
    cw_map(q->out, ks.count);
    for (size_t i = 0; i < ks.count; i++) {
        cw_text(q->out, ks.attrs[i].name.ptr, ks.attrs[i].name.len);
        cw_cstr(q->out, dg_dax_type_name(ks.attrs[i].type));
    }
    return 0;
}

static int m_define_attr_list_id(req *q)
{
    size_t n;
    int rc = rd_array_head(q, &n, "attribute names");
    if (rc)
        return rc;
    dg_dax_names names = {dg_arena_calloc(q->a, n ? n : 1, sizeof(dg_str)), n};
    if (!names.names)
        return DG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if ((rc = crd_text(&q->r, q->a, &names.names[i], "attribute name")))
            return rc < 0 ? rc : DG_EINVAL;
    uint64_t id = reg_id(&names);
    if (!id)
        return DG_ENOMEM;
    cw_array(q->out, 0);
    cw_uint(q->out, id);
    return 0;
}

static int m_define_attr_list(req *q)
{
    uint64_t id;
    int rc = crd_uint(&q->r, &id, "attribute list id");
    if (rc)
        return rc < 0 ? rc : DG_EINVAL;
    dg_dax_names names;
    if ((rc = reg_names(q->a, id, &names, q->err)))
        return rc;
    cw_array(q->out, 0);
    cw_array(q->out, names.count);
    for (size_t i = 0; i < names.count; i++)
        cw_text(q->out, names.names[i].ptr, names.names[i].len);
    return 0;
}

/* ------------------------------------------------------------------ authentication (§3) */

/* A signature dated further than this from dax-local's clock is refused. */
#define AUTH_SKEW_S (15 * 60)
#define MSG_UNRECOGNIZED "The security token included in the request is invalid."
#define MSG_BAD_SIGNATURE                                                                          \
    "The request signature we calculated does not match the signature you provided."

/* "YYYYMMDDTHHMMSSZ" (exactly 16 bytes) -> unix seconds; false when it is
 * not a valid amz-date (a day past the month's end included): checked by the
 * runtime's RFC 3339 parser on the same fields with separators put in. */
static bool parse_amz_date(const char *p, size_t n, int64_t *out)
{
    if (n != DG_SIGV4_AMZ_DATE_LEN || p[8] != 'T' || p[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (p[i] < '0' || p[i] > '9'))
            return false;
    char r[21]; /* YYYY-MM-DDTHH:MM:SSZ */
    memcpy(r, p, 4);
    r[4] = '-';
    memcpy(r + 5, p + 4, 2);
    r[7] = '-';
    memcpy(r + 8, p + 6, 2);
    r[10] = 'T';
    memcpy(r + 11, p + 9, 2);
    r[13] = ':';
    memcpy(r + 14, p + 11, 2);
    r[16] = ':';
    memcpy(r + 17, p + 13, 2);
    r[19] = 'Z';
    r[20] = '\0';
    int64_t ms;
    if (dg_rfc3339_parse(r, 20, &ms, NULL, NULL) != 0 || ms < 0)
        return false;
    *out = ms / 1000;
    return true;
}

typedef struct auth_args {
    dg_str access_key_id, signature, string_to_sign, session_token;
    bool has_token;
} auth_args;

/* Verify one authorizeConnection against dax-local's own credentials and
 * region (aws_cfg) at now_s. 0 = accepted; else -1 with the exception name
 * in type, the message for the client in msg, and what went wrong for the
 * log in why (neither holds a secret or the signature). */
static int auth_verify(const auth_args *x, int64_t now_s, const char **type, char *msg, size_t msgn,
                       char *why, size_t whyn)
{
    const dg_aws_credentials *cr = &aws_cfg.credentials;
    size_t akn = strlen(cr->access_key_id);
    *type = "UnrecognizedClientException";
    snprintf(msg, msgn, "%s", MSG_UNRECOGNIZED);
    if (x->access_key_id.len != akn || memcmp(x->access_key_id.ptr, cr->access_key_id, akn) != 0) {
        snprintf(why, whyn, "unknown access key id");
        return -1;
    }
    /* the session token belongs to the credentials: both absent or equal */
    size_t tn = cr->session_token ? strlen(cr->session_token) : 0;
    if ((cr->session_token != NULL) != x->has_token ||
        (x->has_token && (x->session_token.len != tn ||
                          CRYPTO_memcmp(x->session_token.ptr, cr->session_token, tn) != 0))) {
        snprintf(why, whyn,
                 cr->session_token ? "session token missing or different"
                                   : "unexpected session token");
        return -1;
    }
    *type = "InvalidSignatureException";
    snprintf(msg, msgn, "%s", MSG_BAD_SIGNATURE);
    /* exactly 4 lines: algorithm, amz-date, scope, hex(SHA-256(canonical request)) */
    const char *sts = x->string_to_sign.ptr;
    size_t stsn = x->string_to_sign.len, nl[3], k = 0;
    for (size_t i = 0; i < stsn; i++)
        if (sts[i] == '\n') {
            if (k == 3) {
                k = 4;
                break;
            }
            nl[k++] = i;
        }
    if (k != 3 || nl[0] != strlen(DG_SIGV4_ALGORITHM) ||
        memcmp(sts, DG_SIGV4_ALGORITHM, nl[0]) != 0) {
        snprintf(why, whyn, "malformed string to sign");
        return -1;
    }
    int64_t t;
    if (!parse_amz_date(sts + nl[0] + 1, nl[1] - nl[0] - 1, &t)) {
        snprintf(why, whyn, "malformed date in the string to sign");
        return -1;
    }
    char amz[DG_SIGV4_AMZ_DATE_LEN + 1],
        lo[DG_SIGV4_AMZ_DATE_LEN + 1] = "?", nowd[DG_SIGV4_AMZ_DATE_LEN + 1] = "?";
    memcpy(amz, sts + nl[0] + 1, DG_SIGV4_AMZ_DATE_LEN);
    amz[DG_SIGV4_AMZ_DATE_LEN] = 0;
    if (t < now_s - AUTH_SKEW_S || t > now_s + AUTH_SKEW_S) {
        bool past = t < now_s - AUTH_SKEW_S;
        dg_sigv4_amz_date(now_s + (past ? -AUTH_SKEW_S : AUTH_SKEW_S), lo, NULL);
        dg_sigv4_amz_date(now_s, nowd, NULL);
        if (past)
            snprintf(msg, msgn, "Signature expired: %s is now earlier than %s (%s - 15 min.)", amz,
                     lo, nowd);
        else
            snprintf(msg, msgn,
                     "Signature not yet current: %s is still later than %s (%s + 15 min.)", amz, lo,
                     nowd);
        snprintf(why, whyn, "%.150s", msg);
        return -1;
    }
    /* what the client should have signed at that time: the fixed
     * pseudo-request, scoped to dax-local's region */
    dg_aws_header hdrs[2] = {{"host", DG_DAX_AUTH_HOST}, {"x-amz-date", amz}};
    dg_sigv4_request rq = {"POST", "/", NULL, hdrs, 2, NULL, 0};
    dg_buf canon = DG_BUF_INIT, want = DG_BUF_INIT;
    char date8[9], sig[DG_SIGV4_HEX_LEN + 1];
    uint8_t key[32];
    memcpy(date8, amz, 8);
    date8[8] = 0;
    dg_error e;
    dg_error_clear(&e);
    int rc = dg_sigv4_canonical_request(&rq, DG_SIGV4_EMPTY_SHA256, &canon, NULL, &e);
    if (rc == 0)
        rc = dg_sigv4_string_to_sign(amz, aws_cfg.region, "dax", canon.data, canon.len, &want, &e);
    int out = -1;
    if (rc != 0) {
        snprintf(why, whyn, "cannot rebuild the string to sign: %.100s", e.message);
    } else if (want.len != stsn || memcmp(want.data, sts, stsn) != 0) {
        snprintf(why, whyn, "string to sign differs (scope must be %.8s/%s/dax/aws4_request)", amz,
                 aws_cfg.region);
    } else if ((rc = dg_sigv4_signing_key(cr->secret_access_key, date8, aws_cfg.region, "dax", key,
                                          &e)) != 0 ||
               (rc = dg_sigv4_signature(key, want.data, want.len, sig, &e)) != 0) {
        snprintf(why, whyn, "cannot compute the signature: %.100s", e.message);
    } else if (x->signature.len != DG_SIGV4_HEX_LEN ||
               CRYPTO_memcmp(sig, x->signature.ptr, DG_SIGV4_HEX_LEN) != 0) {
        snprintf(why, whyn, "signature does not match");
    } else {
        out = 0;
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(sig, sizeof sig);
    dg_buf_free(&canon);
    dg_buf_free(&want);
    return out;
}

/* Printable form of a client-supplied key id for the log. */
static void log_safe(char *out, size_t outn, dg_str s)
{
    size_t j = 0;
    for (size_t i = 0; i < s.len && j + 1 < outn && i < 64; i++) {
        char ch = s.ptr[i];
        out[j++] = (ch >= 0x21 && ch <= 0x7e) ? ch : '?';
    }
    out[j] = 0;
}

/* authorizeConnection: no reply; the outcome becomes the connection's state
 * (the last one counts: a client may re-authorise on the same connection). */
static void m_authorize(req *q)
{
    conn *c = q->c;
    if (!g.verify_auth) {
        c->auth = AUTH_OK;
        return;
    }
    auth_args x;
    memset(&x, 0, sizeof x);
    bool isnull = false;
    int rc = crd_text(&q->r, q->a, &x.access_key_id, "accessKeyId");
    if (rc == 0)
        rc = rd_any_string(&q->r, q->a, &x.signature, "signature");
    if (rc == 0)
        rc = rd_any_string(&q->r, q->a, &x.string_to_sign, "stringToSign");
    if (rc == 0)
        rc = crd_null_next(&q->r, &isnull);
    if (rc == 0 && !isnull) {
        x.has_token = true;
        rc = rd_any_string(&q->r, q->a, &x.session_token, "sessionToken");
    }
    const char *type = "InvalidSignatureException";
    char why[200];
    if (rc != 0) {
        snprintf(c->auth_msg, sizeof c->auth_msg, "%s", MSG_BAD_SIGNATURE);
        snprintf(why, sizeof why, "malformed authorizeConnection arguments");
    } else if (auth_verify(&x, (int64_t)time(NULL), &type, c->auth_msg, sizeof c->auth_msg, why,
                           sizeof why) == 0) {
        c->auth = AUTH_OK;
        return;
    }
    c->auth = AUTH_FAILED;
    snprintf(c->auth_type, sizeof c->auth_type, "%s", type);
    stat_add(&st_auth_refused);
    char akid[72];
    log_safe(akid, sizeof akid, x.access_key_id);
    logf_("connection %d (node %d): authorization refused for access key id '%s': %s: %s", c->fd,
          c->node, akid, type, why);
}

static void trace_request(int64_t method, const uint8_t *p, size_t n)
{
    if (!trace_fp)
        return;
    pthread_mutex_lock(&trace_mu);
    const char *name = dg_dax_method_name(method);
    fprintf(trace_fp, "%s ", name ? name : "?");
    for (size_t i = 0; i < n; i++)
        fprintf(trace_fp, "%02x", p[i]);
    fputc('\n', trace_fp);
    fflush(trace_fp);
    pthread_mutex_unlock(&trace_mu);
}

/* Handle one complete request. Returns 0 with out filled (possibly empty
 * for authorizeConnection). */
static void handle(conn *c, int64_t method, const uint8_t *p, size_t n, dg_buf *out)
{
    dg_error err;
    dg_error_clear(&err);
    dg_arena_reset(c->a);
    req q = {.c = c, .a = c->a, .err = &err, .out = out, .raw = p, .raw_len = n};
    crd_init(&q.r, p, n, &limits, &err);
    uint64_t svc;
    int64_t mid;
    dg_buf_reset(out);
    trace_request(method, p, n);
    stat_add(&st_requests);
    if (g.verify_auth && method != DG_DAX_AUTHORIZE_CONNECTION && method != DG_DAX_ENDPOINTS &&
        c->auth != AUTH_OK) {
        /* nothing runs on a connection without a valid authorisation; it
         * stays open: the client may authorise again on it. endpoints is
         * answered anyway: it reveals no table data, and the official
         * clients turn a failed discovery into "NoRouteException: No
         * endpoints available", hiding the authentication error that the
         * first data request then reports */
        stat_add(&st_auth_denied);
        if (c->auth == AUTH_FAILED)
            put_auth_error(out, 32, c->auth_type, c->auth_msg);
        else
            put_auth_error(out, 33, "AuthenticationRequiredException",
                           "Request must be authenticated: send authorizeConnection on this "
                           "connection first");
        return;
    }
    int rc = crd_uint(&q.r, &svc, "service id");
    if (rc == 0)
        rc = crd_int(&q.r, &mid, "method id");
    refresh_job *job = NULL;
    if (rc == 0) {
        switch (method) {
        case DG_DAX_AUTHORIZE_CONNECTION:
            m_authorize(&q);
            return; /* no reply */
        case DG_DAX_ENDPOINTS:
            rc = m_endpoints(&q);
            break;
        case DG_DAX_DEFINE_KEY_SCHEMA:
            rc = m_define_key_schema(&q);
            break;
        case DG_DAX_DEFINE_ATTRIBUTE_LIST_ID:
            rc = m_define_attr_list_id(&q);
            break;
        case DG_DAX_DEFINE_ATTRIBUTE_LIST:
            rc = m_define_attr_list(&q);
            break;
        case DG_DAX_GET_ITEM:
            rc = m_get_item(&q);
            break;
        case DG_DAX_PUT_ITEM:
        case DG_DAX_UPDATE_ITEM:
        case DG_DAX_DELETE_ITEM:
            rc = m_write(&q, method);
            break;
        case DG_DAX_QUERY:
        case DG_DAX_SCAN:
            rc = m_query_scan(&q, method);
            break;
        case DG_DAX_BATCH_GET_ITEM:
            rc = m_batch_get(&q);
            break;
        case DG_DAX_BATCH_WRITE_ITEM:
            rc = m_batch_write(&q);
            break;
        case DG_DAX_TRANSACT_GET_ITEMS:
            rc = m_transact_get(&q);
            break;
        case DG_DAX_TRANSACT_WRITE_ITEMS:
            rc = m_transact_write(&q, &job);
            break;
        default:
            rc =
                dg_error_set(&err, DG_EUNSUPPORTED, NULL, "method %s is not supported by dax-local",
                             dg_dax_method_name(method) ? dg_dax_method_name(method) : "?");
            put_error(out, "NotImplemented", err.message, NULL);
            return;
        }
    }
    if (rc > 0) /* error reply already written */
        return;
    if (rc == 0 && dg_buf_status(out))
        rc = dg_error_set(&err, DG_ENOMEM, NULL, "out of memory");
    if (rc < 0) {
        if (!*err.message)
            dg_error_set(&err, rc, NULL, "%s", dg_strerror(rc));
        put_dg_error(out, &err);
    }
    if (job) {
        /* written by the caller first; the refresh runs after the reply */
        c->pending = job;
        (void)mid;
    }
}

/* ------------------------------------------------------------------ connections */

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *conn_main(void *arg)
{
    conn *c = arg;
    dg_buf in = DG_BUF_INIT, out = DG_BUF_INIT;
    size_t off = 0;
    bool preamble = false;
    const char *why = NULL;
    c->a = dg_arena_new(64 * 1024);
    if (c->a)
        dg_arena_set_limit(c->a, g.max_message * 8);
    stat_add(&st_connections);
    while (c->a && !stopping) {
        /* consume complete messages */
        for (;;) {
            size_t len = 0;
            int rc;
            int64_t mid = 0;
            if (!preamble) {
                /* the magic first: random bytes are refused at once */
                static const uint8_t magic[8] = {0x67, 'J', '7', 'y', 'n', 'e', '5', 'G'};
                size_t have = in.len - off < 8 ? in.len - off : 8;
                if (have && memcmp(in.data + off, magic, have) != 0) {
                    why = "bad preamble (not the DAX magic)";
                    goto done;
                }
                rc = dg_dax_preamble_scan((uint8_t *)in.data + off, in.len - off, &limits, &len);
                if (rc == 0) {
                    preamble = true;
                    off += len;
                    continue;
                }
            } else {
                rc = dg_dax_request_scan((uint8_t *)in.data + off, in.len - off, &limits, &mid,
                                         &len);
                if (rc == 0) {
                    handle(c, mid, (uint8_t *)in.data + off, len, &out);
                    off += len;
                    if (out.len && write_all(c->fd, out.data, out.len) != 0) {
                        why = "write failed";
                        goto done;
                    }
                    if (c->pending) {
                        pthread_t th;
                        pthread_attr_t at;
                        pthread_attr_init(&at);
                        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
                        atomic_fetch_add(&live_threads, 1);
                        if (pthread_create(&th, &at, refresh_main, c->pending) != 0)
                            refresh_main(c->pending);
                        pthread_attr_destroy(&at);
                        c->pending = NULL;
                    }
                    continue;
                }
            }
            if (rc == DG_DAX_NEED_MORE)
                break;
            why = rc == DG_ETOOBIG        ? "oversize length"
                  : rc == DG_EUNSUPPORTED ? "unknown method"
                                          : "malformed frame";
            goto done;
        }
        if (off) {
            memmove(in.data, in.data + off, in.len - off);
            in.len -= off;
            off = 0;
        }
        if (in.len > g.max_message) {
            why = "message larger than --max-message";
            goto done;
        }
        if (dg_buf_reserve(&in, 65536) != 0) {
            why = "out of memory";
            goto done;
        }
        ssize_t r = recv(c->fd, in.data + in.len, 65536, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (in.len)
                why = "truncated frame (EOF inside a message)";
            break;
        }
        in.len += (size_t)r;
    }
done:
    if (why) {
        logf_("connection %d (node %d): dropped: %s", c->fd, c->node, why);
        stat_add(&st_dropped);
    }
    close(c->fd);
    if (c->ddb)
        dg_ddb_client_destroy(c->ddb);
    if (c->a)
        dg_arena_destroy(c->a);
    dg_buf_free(&in);
    dg_buf_free(&out);
    free(c);
    atomic_fetch_sub(&live_threads, 1);
    return NULL;
}

/* ------------------------------------------------------------------ stats */

static void stats_json(dg_buf *b)
{
    dg_buf_puts(b, "{\"item_cache\":");
    dl_cache_stats_json(&item_cache, b);
    dg_buf_puts(b, ",\"query_cache\":");
    dl_cache_stats_json(&query_cache, b);
    pthread_mutex_lock(&stat_mu);
    dg_buf_printf(b,
                  ",\"requests\":%llu,\"connections\":%llu,\"dropped_connections\":%llu,"
                  "\"error_replies\":%llu,\"transact_refreshes\":%llu,\"auth_refused\":%llu,"
                  "\"unauthenticated_requests\":%llu}",
                  (unsigned long long)st_requests, (unsigned long long)st_connections,
                  (unsigned long long)st_dropped, (unsigned long long)st_errors,
                  (unsigned long long)st_tx_refreshes, (unsigned long long)st_auth_refused,
                  (unsigned long long)st_auth_denied);
    pthread_mutex_unlock(&stat_mu);
}

static enum MHD_Result stats_handler(void *cls, struct MHD_Connection *mc, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)con_cls;
    dg_buf b = DG_BUF_INIT;
    unsigned status = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        dg_buf_puts(&b, "{\"error\":\"method not allowed\"}");
    } else if (strcmp(url, "/stats") == 0) {
        stats_json(&b);
    } else {
        status = MHD_HTTP_NOT_FOUND;
        dg_buf_puts(&b, "{\"error\":\"not found\"}");
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(b.len, b.data ? b.data : (char *)"", MHD_RESPMEM_MUST_COPY);
    dg_buf_free(&b);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(mc, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ------------------------------------------------------------------ main */

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int64_t parse_duration_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return -1;
    if (*end == 0 || strcmp(end, "s") == 0)
        return (int64_t)(v * 1000);
    if (strcmp(end, "ms") == 0)
        return (int64_t)v;
    if (strcmp(end, "m") == 0)
        return (int64_t)(v * 60000);
    if (strcmp(end, "h") == 0)
        return (int64_t)(v * 3600000);
    return -1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: dax-local [options]\n"
            "  --host ADDR          listen address (default 127.0.0.1; DAX_LOCAL_HOST)\n"
            "  --port N             first port (default 8111, 0 = a free port; DAX_LOCAL_PORT)\n"
            "  --nodes N            N nodes on ports P..P+N-1, or each on a free port with\n"
            "                       --port 0 (default 1, max 16)\n"
            "  --item-ttl D         item cache TTL (default 5m; 2s, 500ms, ...)\n"
            "  --query-ttl D        query cache TTL (default 5m)\n"
            "  --max-items N        entries per cache (default 10000)\n"
            "  --max-cache-bytes N  bytes per cache (default 64 MiB)\n"
            "  --max-message N      largest request accepted (default 16 MiB)\n"
            "  --stats-port N       HTTP stats endpoint GET /stats (0 = free port; default off)\n"
            "  --log-interval S     log the counters every S seconds (default 60, 0 = never)\n"
            "  --trace FILE         append every request's raw bytes (hex) to FILE\n"
            "  --no-verify-auth     accept every authorizeConnection and unauthorised requests\n"
            "                       (default: SigV4 checked against the credentials below)\n"
            "DynamoDB: AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, credentials from the environment.\n"
            "Clients must sign authorizeConnection with the same AWS_ACCESS_KEY_ID /\n"
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, if set) and region.\n");
}

int main(int argc, char **argv)
{
    const char *ev;
    if ((ev = getenv("DAX_LOCAL_HOST")) && *ev)
        g.host = ev;
    if ((ev = getenv("DAX_LOCAL_PORT")) && *ev)
        g.port = atoi(ev);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (ARG("--host"))
            g.host = v;
        else if (ARG("--port"))
            g.port = atoi(v);
        else if (ARG("--nodes"))
            g.nodes = atoi(v);
        else if (ARG("--item-ttl"))
            g.item_ttl_ms = parse_duration_ms(v);
        else if (ARG("--query-ttl"))
            g.query_ttl_ms = parse_duration_ms(v);
        else if (ARG("--max-items"))
            g.max_items = (size_t)strtoull(v, NULL, 10);
        else if (ARG("--max-cache-bytes"))
            g.max_bytes = (size_t)strtoull(v, NULL, 10);
        else if (ARG("--max-message"))
            g.max_message = (size_t)strtoull(v, NULL, 10);
        else if (ARG("--stats-port"))
            g.stats_port = atoi(v);
        else if (ARG("--log-interval"))
            g.log_interval = atoi(v);
        else if (ARG("--trace"))
            g.trace = v;
        else if (strcmp(a, "--no-verify-auth") == 0)
            g.verify_auth = false;
        else {
            usage();
            return strcmp(a, "--help") == 0 ? 0 : 2;
        }
#undef ARG
    }
    if (g.nodes < 1 || g.nodes > 16 || g.item_ttl_ms < 0 || g.query_ttl_ms < 0 ||
        g.max_items == 0 || g.max_message < 1024 || g.port < 0 || g.port > 65535) {
        usage();
        return 2;
    }
    limits = *dg_dax_default_limits();
    limits.max_message = g.max_message;
    if (limits.max_string > g.max_message)
        limits.max_string = g.max_message;
    if (limits.max_count > g.max_message)
        limits.max_count = g.max_message;

    dg_error err;
    if (dg_aws_config_from_env(&aws_cfg, NULL, NULL, &err) != 0) {
        logf_("AWS configuration: %s", err.message);
        return 1;
    }
    if (g.trace && !(trace_fp = fopen(g.trace, "a"))) {
        logf_("--trace %s: %s", g.trace, strerror(errno));
        return 1;
    }
    dl_cache_init(&item_cache, "item", g.item_ttl_ms, g.max_items, g.max_bytes);
    dl_cache_init(&query_cache, "query", g.query_ttl_ms, g.max_items, g.max_bytes);

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int lfd[16];
    struct pollfd pfd[16];
    struct sockaddr_in node_sin = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, g.host, &node_sin.sin_addr) != 1) {
        logf_("--host %s: not an IPv4 address", g.host);
        return 1;
    }
    /* --port P: the nodes on P..P+N-1. --port 0: every node on a free port
     * of the kernel's choosing (clients learn them from the endpoints call);
     * asking for N consecutive free ports instead races with every other
     * program that binds or connects meanwhile. */
    for (int i = 0; i < g.nodes; i++) {
        int port = g.port == 0 ? 0 : g.port + i;
        if (port > 65535) {
            logf_("--port %d --nodes %d: node %d would need port %d (> 65535)", g.port, g.nodes,
                  i + 1, port);
            return 1;
        }
        lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (lfd[i] >= 0)
            setsockopt(lfd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        node_sin.sin_port = htons((uint16_t)port);
        if (lfd[i] < 0 || bind(lfd[i], (struct sockaddr *)&node_sin, sizeof node_sin) != 0 ||
            listen(lfd[i], 128) != 0) {
            logf_("cannot listen on %s:%d: %s", g.host, port, strerror(errno));
            return 1;
        }
        socklen_t sl = sizeof node_sin;
        getsockname(lfd[i], (struct sockaddr *)&node_sin, &sl);
        g.ports[i] = ntohs(node_sin.sin_port);
        pfd[i].fd = lfd[i];
        pfd[i].events = POLLIN;
    }
    for (int i = 0; i < g.nodes; i++)
        logf_("node %d listening on %s:%d", i + 1, g.host, g.ports[i]);
    struct MHD_Daemon *mhd = NULL;
    if (g.stats_port >= 0) {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g.stats_port)};
        inet_pton(AF_INET, g.host, &sin.sin_addr);
        mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                               (uint16_t)g.stats_port, NULL, NULL, stats_handler, NULL,
                               MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_END);
        if (!mhd) {
            logf_("cannot start the stats endpoint on port %d", g.stats_port);
            return 1;
        }
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
        logf_("stats on http://%s:%u/stats", g.host, di ? di->port : 0);
    }
    char auth_desc[200];
    if (g.verify_auth)
        snprintf(auth_desc, sizeof auth_desc, "verified (access key id %s, region %s)",
                 aws_cfg.credentials.access_key_id, aws_cfg.region);
    else
        snprintf(auth_desc, sizeof auth_desc, "NOT verified (--no-verify-auth)");
    logf_("ready: item ttl %lld ms, query ttl %lld ms, max items %zu, DynamoDB %s, auth %s",
          (long long)g.item_ttl_ms, (long long)g.query_ttl_ms, g.max_items,
          aws_cfg.ddb_endpoint ? aws_cfg.ddb_endpoint : "(default)", auth_desc);
    int64_t next_log = dl_now_ms() + (int64_t)g.log_interval * 1000;
    while (!stopping) {
        int n = poll(pfd, (nfds_t)g.nodes, 250);
        if (g.log_interval > 0 && dl_now_ms() >= next_log) {
            dg_buf b = DG_BUF_INIT;
            stats_json(&b);
            logf_("stats %s", b.data ? b.data : "");
            dg_buf_free(&b);
            next_log = dl_now_ms() + (int64_t)g.log_interval * 1000;
        }
        if (n <= 0)
            continue;
        for (int i = 0; i < g.nodes; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            int fd = accept(lfd[i], NULL, NULL);
            if (fd < 0)
                continue;
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            conn *c = calloc(1, sizeof *c);
            if (!c) {
                close(fd);
                continue;
            }
            c->fd = fd;
            c->node = i + 1;
            pthread_t th;
            pthread_attr_t at;
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            atomic_fetch_add(&live_threads, 1);
            if (pthread_create(&th, &at, conn_main, c) != 0) {
                atomic_fetch_sub(&live_threads, 1);
                close(fd);
                free(c);
            }
            pthread_attr_destroy(&at);
        }
    }
    dg_buf b = DG_BUF_INIT;
    stats_json(&b);
    logf_("stopping; stats %s", b.data ? b.data : "");
    dg_buf_free(&b);
    for (int i = 0; i < g.nodes; i++)
        close(lfd[i]);
    if (mhd)
        MHD_stop_daemon(mhd);
    if (trace_fp)
        fclose(trace_fp);
    /* connection threads are detached: give them up to 2 s to finish (their
     * clients close, the stop flag ends their loops); the shared state
     * (caches, registry) stays allocated and reachable until exit */
    for (int i = 0; i < 200 && atomic_load(&live_threads) > 0; i++)
        usleep(10000);
    if (atomic_load(&live_threads) == 0)
        dg_aws_config_clean_up(&aws_cfg);
    return 0;
}
