/* dynagen runtime — DynamoDB Accelerator (DAX) client: connections, cluster
 * discovery, routing, caches of key schemas and attribute lists, and the
 * data operations with the SAME request/response shapes as dynagen/ddb.h
 * (dg_ddb_get / dg_ddb_write / dg_ddb_query in, dg_ddb_result with cJSON
 * out), so a caller switches path without changing its JSON.
 *
 * Endpoints (DAX_ENDPOINT; several seeds may be given comma-separated):
 *   dax://host[:port]    plain TCP, default port 8111 (a bare host[:port] too)
 *   daxs://host[:port]   TLS (OpenSSL), default port 9111; the certificate is
 *                        verified against the configured host name (not the
 *                        node's IP), with the system trust store.
 *
 * Connections. A new connection sends the preamble (§2 of
 * shared/design/dax-protocol.md); authorizeConnection (§3, SigV4 with the
 * client's credentials) is pipelined in front of the first request on a
 * connection and again before the signature ages (auth_interval_ms, default
 * 4 min) or when the credentials changed (dg_dax_client_set_credentials), or
 * after the server reported an authentication error. A connection carries
 * one request at a time; up to pool_size idle connections are kept per node.
 * A pooled connection that became readable while idle (EOF, stray bytes) is
 * dropped before reuse, so a request is never written onto a dead socket
 * that could have been detected. All I/O is non-blocking with poll(): the
 * connect and each request have their own timeouts, both capped by the
 * deadline (dg_dax_client_set_deadline). Responses are read within the
 * codec's limits (dg_dax_default_limits).
 *
 * Cluster. The first call asks a seed for `endpoints` and connects to the
 * nodes it lists (a seed that cannot answer `endpoints` is used as the only
 * node). The list is refreshed lazily: on the first call after
 * refresh_interval_ms (default 4 s). No background thread: Lambda runs one
 * request at a time, and a frozen sandbox must not wake threads.
 *
 * Routing. Reads go to a random usable node, writes to a random leader
 * (role 1) when one is usable, else any node; a retry avoids the node that
 * just failed when another is usable. A node whose connect or I/O fails is
 * marked down until a back-off expires (node_backoff_ms, doubling per
 * consecutive failure up to node_backoff_max_ms); after it, the node is
 * tried again (one success marks it up). When no node is usable the call
 * fails at once with err->type DG_DAX_UNREACHABLE: the caller (the store)
 * falls back to DynamoDB for reads and fails writes cleanly.
 *
 * Retries (max_attempts, default 3): throttling, DAX node faults (retryable
 * codes, cluster-recovery class 2, authentication-required), connect and
 * I/O failures, with full-jitter backoff. Never retried: condition failures,
 * validation errors, other 4xx, and refused credentials (a node's
 * [_,23,31,32]: DG_EINVAL with err->type the server's exception name, e.g.
 * InvalidSignatureException; a read does not fall back to DynamoDB). A write whose request was sent
 * but not answered (connection lost, timeout) is retried on another node — every write dynagen's
 * store issues is conditional — and the result then carries ambiguous_retry = true, exactly like
 * the DynamoDB client.
 *
 * ReturnValuesOnConditionCheckFailure does not exist in DAX. With
 * dg_ddb_write.return_old_on_condition_failure set, a write that fails its
 * condition is followed by a strongly consistent GetItem of the same key
 * THROUGH DAX (DAX passes it to DynamoDB, bypassing the cache): res->item is
 * the item as it is now (NULL when absent), which is what the store needs to
 * report the current version and to recognise its own earlier attempt after
 * an unanswered one (the item equals what it wrote). It is read just after
 * the failure, not atomically with it; for the store's purposes (a version
 * number that only grows, an item that only its writer makes equal to its
 * own content) that is equivalent.
 *
 * Cache hits are not reported by DAX to its clients; the stats count calls
 * served through DAX and reads that fell back to DynamoDB (the store calls
 * dg_dax_client_note_fallback); hit/miss counts are dax-local's own stats.
 *
 * Threads: a client is not synchronised; use one per thread (Lambda: one). */
#ifndef DYNAGEN_DAX_H
#define DYNAGEN_DAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/aws.h"
#include "dynagen/ddb.h"
#include "dynagen/error.h"

/* err->type when no DAX node could be used or answered (reads: fall back
 * to DynamoDB; writes: message says whether anything may have been written). */
#define DG_DAX_UNREACHABLE "DaxUnreachable"

/* ------------------------------------------------------------------ endpoint URLs */

#define DG_DAX_PORT 8111
#define DG_DAX_TLS_PORT 9111
#define DG_DAX_HOST_MAX 256

typedef struct dg_dax_url {
    bool tls;
    char host[DG_DAX_HOST_MAX]; /* no brackets, no port */
    uint16_t port;
} dg_dax_url;

/* "dax://h:1", "daxs://h", "h:8111", "h" -> url. A trailing '/' is accepted;
 * a path, user info, an empty host, a bad or zero port, another scheme:
 * DG_EINVAL naming what is wrong. */
int dg_dax_url_parse(const char *s, size_t n, dg_dax_url *out, dg_error *err);
/* Comma-separated list (spaces around commas ignored), at most max entries;
 * every entry must use the same scheme. */
int dg_dax_url_parse_list(const char *s, dg_dax_url *out, size_t max, size_t *count, dg_error *err);

/* ------------------------------------------------------------------ routing state (pure) */

/* What routing knows about a node: exposed so that the state machine is
 * tested with a fake clock (tests/unit/test_dax_client.c). */
typedef struct dg_dax_node_health {
    bool down;           /* marked down by a failure */
    int64_t retry_at_ms; /* down: usable again from this time */
    unsigned failures;   /* consecutive failures */
    bool leader;         /* role 1 in endpoints */
} dg_dax_node_health;

/* Usable now: up, or down with its back-off expired. */
bool dg_dax_node_usable(const dg_dax_node_health *h, int64_t now_ms);
/* A failure: down until now + min(max, base << (failures - 1)). */
void dg_dax_node_failed(dg_dax_node_health *h, int64_t now_ms, long base_ms, long max_ms);
/* A success: up, failures reset. */
void dg_dax_node_ok(dg_dax_node_health *h);
/* The node for a call: among the usable nodes (leaders first for a write),
 * not `avoid` when another is usable; `rnd` picks among equals. -1 when no
 * node is usable. */
int dg_dax_pick_node(const dg_dax_node_health *nodes, size_t n, bool write, int avoid,
                     int64_t now_ms, uint32_t rnd);
/* authorizeConnection must precede the next request on a connection:
 * never authorised, older than interval_ms, credentials changed since
 * (generation), or the server asked for it. */
bool dg_dax_auth_due(bool authed, int64_t authed_at_ms, uint64_t authed_gen, bool stale,
                     int64_t now_ms, long interval_ms, uint64_t cred_gen);
/* The endpoint list is due for a refresh (never fetched, or older than interval). */
bool dg_dax_refresh_due(int64_t last_refresh_ms, int64_t now_ms, long interval_ms);

/* ------------------------------------------------------------------ client */

/* A field left 0 (or negative) takes its default. */
typedef struct dg_dax_options {
    long connect_timeout_ms;         /* default 1000 */
    long request_timeout_ms;         /* per attempt; default 5000 */
    long refresh_interval_ms;        /* endpoints refresh; default 4000 */
    long auth_interval_ms;           /* re-authorise a connection after; default 240000 (4 min) */
    long node_backoff_ms;            /* first back-off of a failed node; default 500 */
    long node_backoff_max_ms;        /* default 10000 */
    int max_attempts;                /* default 3 */
    long base_backoff_ms;            /* retry jitter base; default 25 */
    long max_backoff_ms;             /* default 1000 */
    int pool_size;                   /* idle connections kept per node; default 2 */
    const char *user_agent;          /* default DG_DAX_USER_AGENT (copied) */
    bool skip_hostname_verification; /* daxs: only the chain is checked (tests) */
    const char *ca_file;     /* daxs: trust this PEM file instead of the system store (copied) */
    int64_t (*now_ms)(void); /* clock (tests); default dg_now_ms */
    bool static_nodes;       /* the seeds are the nodes: no endpoints call (tests, proxies) */
} dg_dax_options;

typedef struct dg_dax_stats {
    uint64_t calls;    /* data operations */
    uint64_t attempts; /* requests sent (data operations) */
    uint64_t retries;
    uint64_t throttles;
    uint64_t service_errors;  /* error responses from DAX */
    uint64_t node_failures;   /* connect / I/O / timeout failures (node marked down) */
    uint64_t connects;        /* connections opened */
    uint64_t auths;           /* authorizeConnection sent */
    uint64_t refreshes;       /* endpoints calls that succeeded */
    uint64_t unreachable;     /* calls that found no usable/answering node */
    uint64_t reads_dax;       /* reads answered through DAX */
    uint64_t writes_dax;      /* writes answered through DAX */
    uint64_t read_fallbacks;  /* reads the caller served from DynamoDB instead (note_fallback) */
    uint64_t condition_reads; /* follow-up GetItems after a failed condition */
} dg_dax_stats;

typedef struct dg_dax_client dg_dax_client;

/* endpoint: DAX_ENDPOINT's value (one URL or a comma-separated list).
 * Credentials and region are copied from cfg. opts may be NULL. Nothing is
 * connected here: the first call discovers the cluster. */
int dg_dax_client_new(const char *endpoint, const dg_aws_config *cfg, const dg_dax_options *opts,
                      dg_dax_client **out, dg_error *err);
void dg_dax_client_destroy(dg_dax_client *c);
/* New credentials (copied): every connection re-authorises before its next request. */
int dg_dax_client_set_credentials(dg_dax_client *c, const char *access_key_id,
                                  const char *secret_access_key, const char *session_token,
                                  dg_error *err);
/* Absolute deadline in ms since the epoch (0 = none), as dg_ddb_client_set_deadline. */
void dg_dax_client_set_deadline(dg_dax_client *c, int64_t deadline_epoch_ms);
const dg_dax_stats *dg_dax_client_stats(const dg_dax_client *c);
/* The caller served a read from DynamoDB because DAX was unreachable. */
void dg_dax_client_note_fallback(dg_dax_client *c);
/* Nodes currently known (after discovery) and how many are usable now. */
size_t dg_dax_client_node_count(const dg_dax_client *c, size_t *usable);

/* The operations. Same inputs and results as the dg_ddb_* functions of the
 * same name (res is initialised by the caller; what it held is released).
 * Errors as ddb.h (DG_ECONFLICT, DG_EINVAL, DG_ETHROTTLED, DG_ESERVICE, ...),
 * plus DG_EIO / DG_ETIMEDOUT with err->type DG_DAX_UNREACHABLE when no node
 * answered. res->attempts counts requests sent. */
int dg_dax_get_item(dg_dax_client *c, const dg_ddb_get *req, dg_ddb_result *res, dg_error *err);
int dg_dax_put_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err);
int dg_dax_update_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res,
                       dg_error *err);
int dg_dax_delete_item(dg_dax_client *c, const dg_ddb_write *req, dg_ddb_result *res,
                       dg_error *err);
int dg_dax_query_page(dg_dax_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err);
int dg_dax_scan_page(dg_dax_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err);
/* Batches, as dg_ddb_batch_get / dg_ddb_batch_write: RequestItems JSON;
 * unprocessed keys/items are re-sent with backoff (5 rounds), what is left is
 * in res->unprocessed and the call returns DG_ETHROTTLED. BatchGet:
 * res->responses = {table: [items]}. At most 100 keys / 25 requests. */
int dg_dax_batch_get(dg_dax_client *c, const char *request_items, dg_ddb_result *res,
                     dg_error *err);
int dg_dax_batch_write(dg_dax_client *c, const char *request_items, dg_ddb_result *res,
                       dg_error *err);
/* Transactions, as dg_ddb_transact_write / dg_ddb_transact_get: the
 * TransactItems array JSON (Put / Update / Delete / ConditionCheck with
 * TableName, Item or Key, expressions, names, values; Get with TableName,
 * Key, ProjectionExpression). token NULL: a random UUID v4, reused by the
 * retries (DAX/DynamoDB make the call idempotent with it). Through DAX a
 * transaction's items reach the item cache only asynchronously, after the
 * answer (see architecture.md): the store does not use them. TransactGet
 * bypasses the caches; res->responses is the Responses array. */
int dg_dax_transact_write_items(dg_dax_client *c, const char *transact_items, const char *token,
                                dg_ddb_result *res, dg_error *err);
int dg_dax_transact_get_items(dg_dax_client *c, const char *transact_items, dg_ddb_result *res,
                              dg_error *err);

#endif
