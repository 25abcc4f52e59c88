/* dynagen runtime — DynamoDB data-plane operations: request bodies built in a
 * dg_buf (every string through dg_buf_json_string), sent through dg_ddb_call. */
#include "ddb_internal.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dynagen/codec_util.h"

static int missing(dg_ddb_result *res, const char *op, const char *field, dg_error *err)
{
    dg_ddb_result_clean_up(res);
    return dg_error_set(err, DG_EINVAL, field, "%s: %s is required", op, field);
}

static void begin(dg_buf *b, const char *table)
{
    dg_buf_puts(b, "{\"TableName\":");
    dg_buf_json_string(b, table, strlen(table));
}

/* Request bodies are built in the client's own buffer, kept between calls
 * (no allocation per request once it has grown; a large one is let go). */
static dg_buf *body_begin(dg_ddb_client *c)
{
    dg_buf_reset(&c->body);
    return &c->body;
}

static void body_end(dg_ddb_client *c, dg_buf *b)
{
    (void)c;
    if (b->cap > 64 * 1024)
        dg_buf_free(b);
    else
        dg_buf_reset(b);
}

/* Close the body (with the expression placeholders) and send it. */
static int finish_and_call(dg_ddb_client *c, const char *op, dg_buf *b, const dg_ddb_expr *e,
                           dg_ddb_result *res, dg_error *err)
{
    int rc = dg_ddb_expr_append(e, b);
    if (rc == DG_EINVAL) {
        body_end(c, b);
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_EINVAL, "expr",
                            "%s: an expression placeholder was given a NULL name or a value that "
                            "is not an AttributeValue object",
                            op);
    }
    dg_buf_putc(b, '}');
    if (rc != 0 || dg_buf_status(b) != 0) {
        body_end(c, b);
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory building the request", op);
    }
    rc = dg_ddb_call(c, op, b->data, b->len, res, err);
    body_end(c, b);
    return rc;
}

static const char *return_values_name(dg_ddb_return rv)
{
    switch (rv) {
    case DG_RV_ALL_OLD:
        return "ALL_OLD";
    case DG_RV_ALL_NEW:
        return "ALL_NEW";
    case DG_RV_UPDATED_OLD:
        return "UPDATED_OLD";
    case DG_RV_UPDATED_NEW:
        return "UPDATED_NEW";
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------ items */

int dg_ddb_get_item(dg_ddb_client *c, const dg_ddb_get *req, dg_ddb_result *res, dg_error *err)
{
    if (req == NULL || req->table == NULL)
        return missing(res, "GetItem", "table", err);
    if (req->key == NULL)
        return missing(res, "GetItem", "key", err);
    dg_buf *b = body_begin(c);
    begin(b, req->table);
    dg_ddb_put_raw(b, "Key", req->key);
    if (req->consistent)
        dg_buf_puts(b, ",\"ConsistentRead\":true");
    if (req->projection != NULL)
        dg_ddb_put_str(b, "ProjectionExpression", req->projection);
    return finish_and_call(c, "GetItem", b, req->expr, res, err);
}

static int write_item(dg_ddb_client *c, const char *op, const dg_ddb_write *req, dg_ddb_result *res,
                      dg_error *err)
{
    bool put = strcmp(op, "PutItem") == 0, update = strcmp(op, "UpdateItem") == 0;
    if (req == NULL || req->table == NULL)
        return missing(res, op, "table", err);
    if (put && req->item == NULL)
        return missing(res, op, "item", err);
    if (!put && req->key == NULL)
        return missing(res, op, "key", err);
    if (update && req->update == NULL)
        return missing(res, op, "update", err);
    const char *rv = return_values_name(req->return_values);
    if (rv != NULL && !update && req->return_values != DG_RV_ALL_OLD) {
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_EINVAL, "return_values",
                            "%s: only ALL_OLD (or NONE) can be returned", op);
    }
    dg_buf *b = body_begin(c);
    begin(b, req->table);
    if (put)
        dg_ddb_put_raw(b, "Item", req->item);
    else
        dg_ddb_put_raw(b, "Key", req->key);
    if (update)
        dg_ddb_put_str(b, "UpdateExpression", req->update);
    if (req->condition != NULL)
        dg_ddb_put_str(b, "ConditionExpression", req->condition);
    if (rv != NULL)
        dg_ddb_put_str(b, "ReturnValues", rv);
    if (req->return_old_on_condition_failure)
        dg_buf_puts(b, ",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"");
    return finish_and_call(c, op, b, req->expr, res, err);
}

int dg_ddb_put_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_item(c, "PutItem", req, res, err);
}

int dg_ddb_update_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_item(c, "UpdateItem", req, res, err);
}

int dg_ddb_delete_item(dg_ddb_client *c, const dg_ddb_write *req, dg_ddb_result *res, dg_error *err)
{
    return write_item(c, "DeleteItem", req, res, err);
}

/* ------------------------------------------------------------------ query / scan */

static int read_page(dg_ddb_client *c, const char *op, const dg_ddb_query *req, dg_ddb_result *res,
                     dg_error *err)
{
    bool query = strcmp(op, "Query") == 0;
    if (req == NULL || req->table == NULL)
        return missing(res, op, "table", err);
    if (query && req->key_condition == NULL)
        return missing(res, op, "key_condition", err);
    if (req->limit < 0 ||
        (!query && (req->total_segments < 0 || req->segment < 0 ||
                    (req->total_segments > 0 && req->segment >= req->total_segments)))) {
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_EINVAL, req->limit < 0 ? "limit" : "segment",
                            "%s: limit must be >= 0 and segment in [0, total_segments)", op);
    }
    dg_buf *b = body_begin(c);
    begin(b, req->table);
    if (req->index != NULL)
        dg_ddb_put_str(b, "IndexName", req->index);
    if (query)
        dg_ddb_put_str(b, "KeyConditionExpression", req->key_condition);
    if (req->filter != NULL)
        dg_ddb_put_str(b, "FilterExpression", req->filter);
    if (req->projection != NULL)
        dg_ddb_put_str(b, "ProjectionExpression", req->projection);
    if (req->start_key != NULL)
        dg_ddb_put_raw(b, "ExclusiveStartKey", req->start_key);
    if (req->limit > 0) {
        dg_buf_puts(b, ",\"Limit\":");
        dg_buf_int64(b, req->limit);
    }
    if (query && !req->forward)
        dg_buf_puts(b, ",\"ScanIndexForward\":false");
    if (req->consistent)
        dg_buf_puts(b, ",\"ConsistentRead\":true");
    if (!query && req->total_segments > 0) {
        dg_buf_puts(b, ",\"Segment\":");
        dg_buf_int64(b, req->segment);
        dg_buf_puts(b, ",\"TotalSegments\":");
        dg_buf_int64(b, req->total_segments);
    }
    return finish_and_call(c, op, b, req->expr, res, err);
}

int dg_ddb_query_page(dg_ddb_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err)
{
    return read_page(c, "Query", req, res, err);
}

int dg_ddb_scan_page(dg_ddb_client *c, const dg_ddb_query *req, dg_ddb_result *res, dg_error *err)
{
    return read_page(c, "Scan", req, res, err);
}

/* ------------------------------------------------------------------ batch */

/* Move every element of the per-table arrays of `from` (Responses of a later
 * round) into `into` (Responses of the result). */
static int merge_responses(cJSON *into, cJSON *from)
{
    while (from != NULL && from->child != NULL) {
        cJSON *table = cJSON_DetachItemViaPointer(from, from->child);
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(into, table->string);
        if (dst == NULL) {
            if (!cJSON_AddItemToObject(into, table->string, table)) {
                cJSON_Delete(table);
                return DG_ENOMEM;
            }
            continue;
        }
        if (!cJSON_IsArray(dst) || !cJSON_IsArray(table)) {
            cJSON_Delete(table);
            continue;
        }
        while (table->child != NULL) {
            cJSON *it = cJSON_DetachItemViaPointer(table, table->child);
            cJSON_AddItemToArray(dst, it);
        }
        cJSON_Delete(table);
    }
    return 0;
}

static int batch(dg_ddb_client *c, const char *op, const char *unprocessed_name,
                 const char *request_items, dg_ddb_result *res, dg_error *err)
{
    if (request_items == NULL)
        return missing(res, op, "request_items", err);
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"RequestItems\":");
    dg_buf_puts(&b, request_items);
    dg_buf_putc(&b, '}');
    if (dg_buf_status(&b) != 0) {
        dg_buf_free(&b);
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory building the request", op);
    }
    uint64_t start_ns = dg_monotonic_ns();
    int rc = dg_ddb_call(c, op, b.data, b.len, res, err);
    dg_buf_free(&b);
    if (rc != 0)
        return rc;

    int rounds = 1;
    dg_ddb_result next;
    dg_ddb_result_init(&next);
    while (res->unprocessed != NULL) {
        bool deadline_hit = false;
        if (rounds >= c->opts.max_attempts ||
            dg_ddb_pause(c, dg_ddb_backoff_ms(c, rounds - 1), start_ns, &deadline_hit) != 0)
            break;
        char *again = cJSON_PrintUnformatted(res->unprocessed);
        if (again == NULL) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory", op);
            break;
        }
        dg_buf_puts(&b, "{\"RequestItems\":");
        dg_buf_puts(&b, again);
        dg_buf_putc(&b, '}');
        free(again);
        if (dg_buf_status(&b) != 0) {
            dg_buf_free(&b);
            rc = dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory", op);
            break;
        }
        rc = dg_ddb_call(c, op, b.data, b.len, &next, err);
        dg_buf_free(&b);
        rounds++;
        res->attempts += next.attempts;
        if (rc != 0)
            break; /* res still holds what earlier rounds got and what is left */
        cJSON *root = res->root;
        cJSON *from = cJSON_GetObjectItemCaseSensitive(next.root, "Responses");
        if (from != NULL) {
            cJSON *into = cJSON_GetObjectItemCaseSensitive(root, "Responses");
            if (into == NULL) {
                cJSON *moved = cJSON_DetachItemViaPointer(next.root, from);
                cJSON_AddItemToObject(root, "Responses", moved);
            } else if (merge_responses(into, from) != 0) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory", op);
                break;
            }
        }
        cJSON *left = cJSON_DetachItemFromObjectCaseSensitive(next.root, unprocessed_name);
        if (left == NULL)
            left = cJSON_CreateObject();
        if (left == NULL) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "%s: out of memory", op);
            break;
        }
        if (cJSON_GetObjectItemCaseSensitive(root, unprocessed_name) != NULL)
            cJSON_ReplaceItemInObjectCaseSensitive(root, unprocessed_name, left);
        else
            cJSON_AddItemToObject(root, unprocessed_name, left);
        res->responses = cJSON_GetObjectItemCaseSensitive(root, "Responses");
        res->unprocessed = left->child != NULL ? left : NULL;
        dg_ddb_result_clean_up(&next);
    }
    dg_ddb_result_clean_up(&next);
    if (rc != 0)
        return rc;
    if (res->unprocessed != NULL) {
        size_t n = 0;
        for (const cJSON *t = res->unprocessed->child; t != NULL; t = t->next) {
            const cJSON *list = cJSON_IsObject(t) ? cJSON_GetObjectItemCaseSensitive(t, "Keys") : t;
            n += cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
        }
        dg_error_set(
            err, DG_ETHROTTLED, NULL,
            "%s: %zu request%s still unprocessed after %d round%s (see result.unprocessed)", op, n,
            n == 1 ? "" : "s", rounds, rounds == 1 ? "" : "s");
        return DG_ETHROTTLED;
    }
    return 0;
}

int dg_ddb_batch_get(dg_ddb_client *c, const char *request_items, dg_ddb_result *res, dg_error *err)
{
    return batch(c, "BatchGetItem", "UnprocessedKeys", request_items, res, err);
}

int dg_ddb_batch_write(dg_ddb_client *c, const char *request_items, dg_ddb_result *res,
                       dg_error *err)
{
    return batch(c, "BatchWriteItem", "UnprocessedItems", request_items, res, err);
}

/* ------------------------------------------------------------------ transactions */

int dg_ddb_transact_write(dg_ddb_client *c, const char *transact_items, const char *token,
                          dg_ddb_result *res, dg_error *err)
{
    if (transact_items == NULL)
        return missing(res, "TransactWriteItems", "transact_items", err);
    char uuid[37];
    if (token == NULL) {
        int rc = dg_uuid_v4(uuid, err);
        if (rc != 0) {
            dg_ddb_result_clean_up(res);
            return rc;
        }
        token = uuid;
    }
    size_t tl = strlen(token);
    bool ok = tl >= 1 && tl <= 36;
    for (size_t i = 0; ok && i < tl; i++)
        ok = token[i] > 0x20 && token[i] < 0x7f;
    if (!ok) {
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_EINVAL, "token",
                            "TransactWriteItems: the client request token must be 1-36 printable "
                            "ASCII characters");
    }
    dg_buf *b = body_begin(c);
    dg_buf_puts(b, "{\"TransactItems\":");
    dg_buf_puts(b, transact_items);
    dg_ddb_put_str(b, "ClientRequestToken", token);
    /* The same body, hence the same token, is sent on every retry. */
    return finish_and_call(c, "TransactWriteItems", b, NULL, res, err);
}

int dg_ddb_transact_get(dg_ddb_client *c, const char *transact_items, dg_ddb_result *res,
                        dg_error *err)
{
    if (transact_items == NULL)
        return missing(res, "TransactGetItems", "transact_items", err);
    dg_buf *b = body_begin(c);
    dg_buf_puts(b, "{\"TransactItems\":");
    dg_buf_puts(b, transact_items);
    return finish_and_call(c, "TransactGetItems", b, NULL, res, err);
}
