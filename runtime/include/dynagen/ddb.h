/* dynagen runtime — DynamoDB client: signed HTTP(S) through libcurl, one
 * reused connection per endpoint, retries with full-jitter backoff, every
 * error mapped to a dg_error.
 *
 * Requests are DynamoDB JSON (the generated marshalers write the Item / Key
 * maps); responses are parsed with cJSON into a dg_ddb_result the caller
 * releases. Expressions always use placeholders (#n / :v) built with
 * dg_ddb_expr: values are never spliced into expression text.
 *
 * Retry policy (dg_ddb_call):
 *   retried:  ProvisionedThroughputExceededException, ThrottlingException,
 *             RequestLimitExceeded, InternalServerError, ServiceUnavailable,
 *             any 5xx, connection failures and timeouts;
 *   never:    ConditionalCheckFailedException, ValidationException,
 *             TransactionCanceledException, any other 4xx;
 *   bounded by max_attempts and max_retry_ms and by the deadline
 *   (dg_ddb_client_set_deadline: the Lambda invocation's deadline).
 * A retried write is safe because every write dynagen issues is conditional
 * (or idempotent by key); when a conditional write fails its condition on a
 * retry attempt, dg_ddb_result.ambiguous_retry is set and the item DynamoDB
 * returned (ReturnValuesOnConditionCheckFailure=ALL_OLD) is in result.item,
 * so the caller can tell "my earlier attempt applied" from a real conflict.
 * "Unanswered" means a transport failure after the request may have left
 * (not a refused connection) or a 5xx: either may have applied the write.
 * TransactWriteItems always carries a ClientRequestToken (idempotent for
 * 10 minutes), generated when the caller gives none. */
#ifndef DYNAGEN_DDB_H
#define DYNAGEN_DDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/aws.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"

typedef struct cJSON cJSON;

/* ------------------------------------------------------------------ client */

/* A field left 0 (or negative) takes its default. */
typedef struct dg_ddb_options {
    long connect_timeout_ms; /* default 1000 */
    long request_timeout_ms; /* per attempt; default 5000 */
    int max_attempts;        /* default 6 (1 + 5 retries) */
    long max_retry_ms;       /* total time budget across attempts; default 10000 */
    long base_backoff_ms; /* full jitter: sleep random(0, min(max, base * 2^attempt)); default 25 */
    long max_backoff_ms;  /* default 2000 */
    const char
        *proxy; /* NULL: no proxy (http_proxy & co. are ignored); else a proxy URL (copied) */
} dg_ddb_options;

typedef struct dg_ddb_stats {
    uint64_t calls;             /* dg_ddb_call invocations */
    uint64_t attempts;          /* HTTP requests sent */
    uint64_t retries;           /* attempts - calls */
    uint64_t throttles;         /* throttling responses seen */
    uint64_t server_errors;     /* 5xx seen */
    uint64_t connection_errors; /* transport failures seen */
} dg_ddb_stats;

typedef struct dg_ddb_client dg_ddb_client;

/* cfg is copied (the client owns its copy). opts may be NULL for defaults. */
int dg_ddb_client_new(const dg_aws_config *cfg, const dg_ddb_options *opts, dg_ddb_client **out,
                      dg_error *err);
void dg_ddb_client_destroy(dg_ddb_client *c);
/* Absolute deadline in ms since the epoch (0 = none): no attempt starts and
 * no backoff sleeps past it; a call that runs out fails with DG_ETIMEDOUT. */
void dg_ddb_client_set_deadline(dg_ddb_client *c, int64_t deadline_epoch_ms);
const dg_ddb_stats *dg_ddb_client_stats(const dg_ddb_client *c);

/* ------------------------------------------------------------------ results */

typedef struct dg_ddb_result {
    cJSON *root;        /* the parsed response (owned) */
    const cJSON *item;  /* Item / Attributes / the item returned on a failed condition; or NULL */
    const cJSON *items; /* Query/Scan Items array, or NULL */
    const cJSON *last_key; /* LastEvaluatedKey, or NULL */
    int count;             /* Query/Scan Count */
    const cJSON *
        unprocessed; /* BatchWrite UnprocessedItems / BatchGet UnprocessedKeys left after retries */
    const cJSON *responses; /* BatchGet Responses / TransactGet Responses */
    int attempts;           /* HTTP attempts this call took (refused connections and libcurl's
                               own resend on a dead keep-alive connection included) */
    bool
        ambiguous_retry; /* a write's condition failed on a retry after an unanswered attempt,
                            or the call gave up after an unanswered attempt (it may have applied) */
} dg_ddb_result;

void dg_ddb_result_init(dg_ddb_result *r);
void dg_ddb_result_clean_up(dg_ddb_result *r);

/* dg_error mapping: code DG_ENOTFOUND (ResourceNotFoundException),
 * DG_ECONFLICT (ConditionalCheckFailedException, TransactionConflictException),
 * DG_ETHROTTLED (throttling past the retry budget), DG_EINVAL
 * (ValidationException and other 4xx), DG_ESERVICE (5xx past retries, other
 * service errors), DG_EIO (transport), DG_ETIMEDOUT (deadline); err->type is
 * the exception name ("ConditionalCheckFailedException"), err->message its
 * message. TransactionCanceledException: DG_ECONFLICT when every reason is
 * None or ConditionalCheckFailed, else DG_ESERVICE; the reasons stay in
 * result->root ("CancellationReasons"). */

/* The raw call: X-Amz-Target DynamoDB_20120810.<op>, body as given. res must
 * have been initialised; whatever it held is released first, so one result
 * can serve a loop of calls. On an error response res->root holds the parsed
 * error body (and res->item its "Item", if any). */
int dg_ddb_call(dg_ddb_client *c, const char *op, const char *body, size_t len, dg_ddb_result *res,
                dg_error *err);

/* ------------------------------------------------------------------ expressions */

/* Placeholder builder: dg_ddb_expr_name(e, "Version") returns "#n0" (the same
 * placeholder for the same name), dg_ddb_expr_value(e, "{\"N\":\"3\"}")
 * returns ":v0". The returned strings live until clean_up. On failure they
 * return NULL and the builder stays failed (e->status): build the whole
 * expression, then check once with dg_ddb_expr_append (or e->status). */
typedef struct dg_ddb_expr {
    dg_buf names;  /* ,"#n0":"Version"... */
    dg_buf values; /* ,":v0":{"N":"3"}... */
    char **name_list;
    size_t nnames, cap_names;
    size_t nvalues;
    char scratch[32];
    dg_arena *arena;
    int status; /* first failure, sticky: DG_ENOMEM, or DG_EINVAL for a NULL name/value or a
                   value that is not a JSON object; dg_ddb_expr_append returns it */
} dg_ddb_expr;

void dg_ddb_expr_init(dg_ddb_expr *e);
void dg_ddb_expr_clean_up(dg_ddb_expr *e);
const char *dg_ddb_expr_name(dg_ddb_expr *e, const char *attr);
const char *dg_ddb_expr_value(dg_ddb_expr *e, const char *av_json);
/* Appends ,"ExpressionAttributeNames":{...},"ExpressionAttributeValues":{...} (only the non-empty
 * ones). */
int dg_ddb_expr_append(const dg_ddb_expr *e, dg_buf *body);

/* ------------------------------------------------------------------ operations */

typedef enum dg_ddb_return {
    DG_RV_NONE = 0,
    DG_RV_ALL_OLD,
    DG_RV_ALL_NEW,
    DG_RV_UPDATED_OLD,
    DG_RV_UPDATED_NEW
} dg_ddb_return;

typedef struct dg_ddb_get {
    const char *table;
    const char *key; /* Key map JSON */
    bool consistent;
    const char *projection; /* with placeholders, or NULL */
    dg_ddb_expr *expr;      /* may be NULL */
} dg_ddb_get;
int dg_ddb_get_item(dg_ddb_client *c, const dg_ddb_get *req, dg_ddb_result *res, dg_error *err);

typedef struct dg_ddb_write {
    const char *table;
    const char *item;      /* PutItem: Item map JSON */
    const char *key;       /* Update/DeleteItem: Key map JSON */
    const char *update;    /* UpdateItem: update expression */
    const char *condition; /* or NULL */
    dg_ddb_expr *expr;     /* placeholders of update/condition; may be NULL */
    dg_ddb_return return_values;
    bool return_old_on_condition_failure; /* ReturnValuesOnConditionCheckFailure=ALL_OLD */
} dg_ddb_write;
int dg_ddb_put_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err);
int dg_ddb_update_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res,
                       dg_error *err);
int dg_ddb_delete_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res,
                       dg_error *err);

typedef struct dg_ddb_query {
    const char *table;
    const char *index;         /* or NULL */
    const char *key_condition; /* Query only */
    const char *filter;        /* or NULL */
    const char *projection;    /* or NULL */
    dg_ddb_expr *expr;
    const char *start_key; /* ExclusiveStartKey JSON, or NULL */
    int limit;             /* 0 = none */
    bool forward;          /* ScanIndexForward (default true: set explicitly) */
    bool consistent;
    int segment, total_segments; /* Scan only; total 0 = no parallel scan */
} dg_ddb_query;
int dg_ddb_query_page(dg_ddb_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err);
int dg_ddb_scan_page(dg_ddb_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err);

/* Batch: request_items is the RequestItems map JSON. Unprocessed keys/items
 * are retried with backoff within the retry budget; what is left is in
 * res->unprocessed (and the call returns DG_ETHROTTLED if anything is left). */
int dg_ddb_batch_get(dg_ddb_client *c, const char *request_items, dg_ddb_result *res,
                     dg_error *err);
int dg_ddb_batch_write(dg_ddb_client *c, const char *request_items, dg_ddb_result *res,
                       dg_error *err);

/* TransactItems array JSON; token NULL = a random UUID v4 (reused across
 * retries); a token is 1-36 printable ASCII characters. */
int dg_ddb_transact_write(dg_ddb_client *c, const char *transact_items, const char *token,
                          dg_ddb_result *res, dg_error *err);
int dg_ddb_transact_get(dg_ddb_client *c, const char *transact_items, dg_ddb_result *res,
                        dg_error *err);

/* Control plane, for the local stack and tests. */
int dg_ddb_describe_table(dg_ddb_client *c, const char *table, dg_ddb_result *res, dg_error *err);
/* Create the table of a generated model (keys, attribute definitions, GSIs,
 * LSIs with their projections), on-demand billing, wait until ACTIVE, then
 * enable TTL on the model's ttl attribute. table_name NULL = t->table_name.
 * Already existing: 0, the table is not recreated (it is waited for until
 * ACTIVE and TTL is enabled, an already enabled TTL counting as success). */
struct dg_table_desc;
int dg_ddb_create_table_from_model(dg_ddb_client *c, const struct dg_table_desc *t,
                                   const char *table_name, dg_error *err);
/* TTL already in the wanted state (DynamoDB's ValidationException "already
 * enabled/disabled") counts as success. */
int dg_ddb_update_ttl(dg_ddb_client *c, const char *table, const char *attr, bool enabled,
                      dg_error *err);

#endif
