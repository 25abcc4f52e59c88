/* dynagen runtime — DAX codec: request encoding (§2, §3, §9.1, §9.2), in
 * the argument and keyword order of amazon-dax-client 1.2.x. */
#include "dax_internal.h"

#include <string.h>

#include "dynagen/aws.h"

enum {
    KW_PROJECTION = 0,
    KW_CONSISTENT_READ = 2,
    KW_RCC = 3,
    KW_CONDITION = 4,
    KW_RICM = 6,
    KW_RETURN_VALUES = 7,
    KW_UPDATE = 8,
    KW_ESK = 9,
    KW_FILTER = 10,
    KW_INDEX_NAME = 11,
    KW_LIMIT = 13,
    KW_SCAN_INDEX_FORWARD = 14,
    KW_SELECT = 15,
    KW_SEGMENT = 16,
    KW_TOTAL_SEGMENTS = 17,
    KW_CLIENT_REQUEST_TOKEN = 19
};

static void head(dg_buf *b, int64_t method)
{
    cw_uint(b, 1); /* service id */
    cw_int(b, method);
}

static void table_bytes(dg_buf *b, dg_str t)
{
    cw_bytes(b, t.ptr, t.len);
}

/* Key bytes of item wrapped as one CBOR byte string. */
static int key_arg(dg_buf *b, const dg_dax_key_schema *ks, const dg_dax_av *item,
                   dg_dax_num_mode mode, dg_buf *keyout, dg_error *err)
{
    dg_buf k = DG_BUF_INIT;
    int rc = dg_dax_key_encode(ks, item, mode, &k, err);
    if (rc == 0) {
        cw_wrap_bytes(b, &k);
        if (keyout) {
            dg_buf_reset(keyout);
            dg_buf_append(keyout, k.data, k.len);
        }
    }
    dg_buf_free(&k);
    return rc;
}

static int nonkey_arg(dg_buf *b, const dg_dax_key_schema *ks, const dg_dax_av *item,
                      const dg_dax_names *names, uint64_t list_id, dg_dax_num_mode mode,
                      dg_arena *a, dg_error *err)
{
    dg_dax_names computed;
    int rc = 0;
    if (names == NULL) {
        if ((rc = dg_dax_item_attr_names(item, ks, a, &computed, err)) != 0)
            return rc;
        names = &computed;
    }
    dg_buf v = DG_BUF_INIT;
    rc = dg_dax_nonkey_encode(item, names, list_id, mode, &v, err);
    if (rc == 0)
        cw_wrap_bytes(b, &v);
    dg_buf_free(&v);
    return rc;
}

static void bytes_or_null(dg_buf *b, dg_bytes x)
{
    if (x.ptr != NULL)
        cw_bytes(b, x.ptr, x.len);
    else
        cw_null(b);
}

/* Which keyword arguments a method takes. */
enum {
    M_RCC = 1 << 0,
    M_RICM = 1 << 1,
    M_RV = 1 << 2,
    M_CR = 1 << 3,
    M_SIF = 1 << 4,
    M_SEG = 1 << 5,
    M_INDEX = 1 << 6,
    M_SELECT = 1 << 7,
    M_LIMIT = 1 << 8,
    M_ESK = 1 << 9,
    M_COND = 1 << 10,
    M_FILTER = 1 << 11,
    M_UPDATE = 1 << 12,
    M_PROJ = 1 << 13,
    M_KEYCOND = 1 << 14
};

static unsigned method_mask(int64_t m)
{
    switch (m) {
    case DG_DAX_GET_ITEM:
        return M_RCC | M_CR | M_PROJ;
    case DG_DAX_PUT_ITEM:
    case DG_DAX_DELETE_ITEM:
        return M_RCC | M_RICM | M_RV | M_COND;
    case DG_DAX_UPDATE_ITEM:
        return M_RCC | M_RICM | M_RV | M_COND | M_UPDATE;
    case DG_DAX_QUERY:
        return M_RCC | M_CR | M_SIF | M_INDEX | M_SELECT | M_LIMIT | M_ESK | M_FILTER | M_PROJ |
               M_KEYCOND;
    case DG_DAX_SCAN:
        return M_RCC | M_CR | M_SEG | M_INDEX | M_SELECT | M_LIMIT | M_ESK | M_FILTER | M_PROJ;
    default:
        return 0;
    }
}

static int compile(const dg_dax_request *r, unsigned mask, dg_arena *a, dg_dax_exprs *ex,
                   dg_error *err)
{
    dg_dax_expr_input in = r->expr;
    if (!(mask & M_COND))
        in.condition = NULL;
    if (!(mask & M_KEYCOND))
        in.key_condition = NULL;
    if (!(mask & M_FILTER))
        in.filter = NULL;
    if (!(mask & M_UPDATE))
        in.update = NULL;
    if (!(mask & M_PROJ))
        in.projection = NULL;
    return dg_dax_expr_compile(&in, r->num_mode, a, ex, err);
}

static int write_kwargs(dg_buf *b, const dg_dax_request *r, int64_t m, unsigned mask,
                        const dg_dax_exprs *ex, dg_error *err)
{
    int rc;
    cw_indef_map(b);
    if ((mask & M_RCC) && r->return_consumed_capacity != DG_DAX_RCC_NONE) {
        cw_uint(b, KW_RCC);
        cw_uint(b, (uint64_t)r->return_consumed_capacity);
    }
    if ((mask & M_RICM) && r->return_item_collection_metrics != DG_DAX_RICM_NONE) {
        cw_uint(b, KW_RICM);
        cw_uint(b, (uint64_t)r->return_item_collection_metrics);
    }
    if ((mask & M_RV) && r->return_values > DG_DAX_RV_NONE) {
        cw_uint(b, KW_RETURN_VALUES);
        cw_uint(b, (uint64_t)r->return_values);
    }
    if ((mask & M_CR) && r->consistent_read != DG_DAX_UNSET) {
        cw_uint(b, KW_CONSISTENT_READ);
        bool v = r->consistent_read == DG_DAX_TRUE;
        if (m == DG_DAX_QUERY || m == DG_DAX_SCAN)
            cw_uint(b, v ? 1 : 0); /* the server takes an int here, a bool in getItem */
        else
            cw_bool(b, v);
    }
    if ((mask & M_SIF) && r->scan_index_forward != DG_DAX_UNSET) {
        cw_uint(b, KW_SCAN_INDEX_FORWARD);
        cw_uint(b, r->scan_index_forward == DG_DAX_TRUE ? 1 : 0);
    }
    if ((mask & M_SEG) && r->has_segment) {
        cw_uint(b, KW_TOTAL_SEGMENTS);
        cw_uint(b, r->total_segments);
        cw_uint(b, KW_SEGMENT);
        cw_uint(b, r->segment);
    }
    if ((mask & M_INDEX) && r->index_name != NULL) {
        cw_uint(b, KW_INDEX_NAME);
        cw_bytes(b, r->index_name, strlen(r->index_name));
    }
    if ((mask & M_SELECT) && r->select != DG_DAX_SELECT_UNSET) {
        cw_uint(b, KW_SELECT);
        cw_uint(b, (uint64_t)r->select);
    }
    if ((mask & M_LIMIT) && r->has_limit) {
        cw_uint(b, KW_LIMIT);
        cw_uint(b, r->limit);
    }
    if ((mask & M_ESK) && r->exclusive_start_key != NULL) {
        cw_uint(b, KW_ESK);
        if (r->index_name != NULL) { /* compound key: bytes of _{name: value, ...} */
            const dg_dax_av *k = r->exclusive_start_key;
            if (k->type != DG_DAX_M)
                return dg_error_set(err, DG_EINVAL, "ExclusiveStartKey", "must be a map");
            dg_buf c = DG_BUF_INIT;
            cw_indef_map(&c);
            for (size_t i = 0; i < k->count; i++) {
                cw_text(&c, k->keys[i].ptr, k->keys[i].len);
                if ((rc = dax_write_av(&c, &k->items[i], r->num_mode, 0, err)) != 0) {
                    dg_buf_free(&c);
                    return rc;
                }
            }
            cw_break(&c);
            cw_wrap_bytes(b, &c);
            dg_buf_free(&c);
        } else if ((rc = key_arg(b, r->key_schema, r->exclusive_start_key, r->num_mode, NULL,
                                 err)) != 0) {
            dg_error_push_field(err, "ExclusiveStartKey");
            return rc;
        }
    }
    if (ex->condition.ptr) {
        cw_uint(b, KW_CONDITION);
        cw_bytes(b, ex->condition.ptr, ex->condition.len);
    }
    if (ex->filter.ptr) {
        cw_uint(b, KW_FILTER);
        cw_bytes(b, ex->filter.ptr, ex->filter.len);
    }
    if (ex->update.ptr) {
        cw_uint(b, KW_UPDATE);
        cw_bytes(b, ex->update.ptr, ex->update.len);
    }
    if (ex->projection.ptr) {
        cw_uint(b, KW_PROJECTION);
        cw_bytes(b, ex->projection.ptr, ex->projection.len);
    }
    cw_break(b);
    return 0;
}

static int check_table(dg_str t, dg_error *err)
{
    if (t.ptr == NULL || t.len == 0)
        return dg_error_set(err, DG_EINVAL, "TableName", "TableName is required");
    return 0;
}

static int encode_single(int64_t m, const dg_dax_request *r, dg_arena *a, dg_buf *out,
                         dg_dax_exprs *exprs, dg_error *err)
{
    dg_dax_exprs local;
    dg_dax_exprs *ex = exprs ? exprs : &local;
    unsigned mask = method_mask(m);
    int rc = check_table(r->table, err);
    if (rc == 0 && r->key_schema == NULL)
        rc = dg_error_set(err, DG_EINVAL, NULL, "the table's key schema is required");
    if (rc == 0)
        rc = compile(r, mask, a, ex, err);
    if (rc != 0)
        return rc;
    size_t start = out->len;
    head(out, m);
    table_bytes(out, r->table);
    switch (m) {
    case DG_DAX_GET_ITEM:
    case DG_DAX_DELETE_ITEM:
    case DG_DAX_UPDATE_ITEM:
        rc = key_arg(out, r->key_schema, r->key, r->num_mode, NULL, err);
        if (rc != 0)
            dg_error_push_field(err, "Key");
        break;
    case DG_DAX_PUT_ITEM:
        rc = key_arg(out, r->key_schema, r->item, r->num_mode, NULL, err);
        if (rc == 0)
            rc = nonkey_arg(out, r->key_schema, r->item, r->attr_names, r->attr_list_id,
                            r->num_mode, a, err);
        if (rc != 0)
            dg_error_push_field(err, "Item");
        break;
    case DG_DAX_QUERY:
        if (ex->key_condition.ptr == NULL)
            rc = dg_error_set(err, DG_EINVAL, "KeyConditionExpression",
                              "Query needs a KeyConditionExpression");
        else
            bytes_or_null(out, ex->key_condition);
        break;
    default:
        break;
    }
    if (rc == 0)
        rc = write_kwargs(out, r, m, mask, ex, err);
    if (rc == 0)
        rc = cw_status(out, err);
    if (rc != 0 && out->len >= start && !out->failed)
        out->len = start; /* nothing half-written */
    return rc;
}

int dg_dax_encode_get_item(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                           dg_error *err)
{
    return encode_single(DG_DAX_GET_ITEM, r, a, out, exprs, err);
}

int dg_dax_encode_put_item(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                           dg_error *err)
{
    return encode_single(DG_DAX_PUT_ITEM, r, a, out, exprs, err);
}

int dg_dax_encode_update_item(const dg_dax_request *r, dg_arena *a, dg_buf *out,
                              dg_dax_exprs *exprs, dg_error *err)
{
    return encode_single(DG_DAX_UPDATE_ITEM, r, a, out, exprs, err);
}

int dg_dax_encode_delete_item(const dg_dax_request *r, dg_arena *a, dg_buf *out,
                              dg_dax_exprs *exprs, dg_error *err)
{
    return encode_single(DG_DAX_DELETE_ITEM, r, a, out, exprs, err);
}

int dg_dax_encode_query(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                        dg_error *err)
{
    return encode_single(DG_DAX_QUERY, r, a, out, exprs, err);
}

int dg_dax_encode_scan(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                       dg_error *err)
{
    return encode_single(DG_DAX_SCAN, r, a, out, exprs, err);
}

/* ------------------------------------------------------------------ batch / transact */

/* Key-bytes sets for the duplicate check (small n: linear scan). */
typedef struct keyset {
    dg_bytes *keys;
    size_t n, cap;
} keyset;

static int keyset_add(keyset *s, dg_arena *a, const dg_buf *k, dg_error *err)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->keys[i].len == k->len && memcmp(s->keys[i].ptr, k->data, k->len) == 0)
            return dg_error_set(err, DG_EINVAL, NULL,
                                "Provided list of item keys contains duplicates");
    dg_bytes *nk = dax_grow(a, s->keys, &s->cap, s->n, sizeof *nk);
    if (nk == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    s->keys = nk;
    nk[s->n].ptr = dg_arena_memdup(a, k->data ? k->data : "", k->len);
    nk[s->n].len = k->len;
    if (nk[s->n].ptr == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    s->n++;
    return 0;
}

static int projection_bytes(const char *proj, const dg_dax_strmap *names, dg_arena *a,
                            dg_bytes *out, dg_error *err)
{
    out->ptr = NULL;
    out->len = 0;
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    in.projection = proj;
    in.names = names;
    dg_dax_exprs ex;
    int rc = dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, a, &ex, err);
    if (rc == 0)
        *out = ex.projection;
    return rc;
}

int dg_dax_encode_batch_get_item(const dg_dax_batch_get_table *tables, size_t table_count,
                                 int return_consumed_capacity, dg_dax_num_mode mode, dg_arena *a,
                                 dg_buf *out, dg_error *err)
{
    size_t total = 0;
    for (size_t t = 0; t < table_count; t++) {
        if (tables[t].key_count == 0)
            return dg_error_set(err, DG_EINVAL, "RequestItems",
                                "Keys can not be empty for table %.*s", (int)tables[t].table.len,
                                tables[t].table.ptr);
        total += tables[t].key_count;
    }
    if (table_count == 0 || total == 0)
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "1 validation error detected: Value null at 'requestItems' failed to "
                            "satisfy constraint: Member must not be null");
    if (total > DG_DAX_MAX_BATCH_GET)
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "Too many items requested for the BatchGetItem call (%zu > %d)", total,
                            DG_DAX_MAX_BATCH_GET);
    size_t start = out->len;
    int rc = 0;
    head(out, DG_DAX_BATCH_GET_ITEM);
    cw_map(out, table_count);
    dg_buf k = DG_BUF_INIT;
    for (size_t t = 0; rc == 0 && t < table_count; t++) {
        const dg_dax_batch_get_table *bt = &tables[t];
        if ((rc = check_table(bt->table, err)) != 0)
            break;
        cw_text(out, bt->table.ptr, bt->table.len);
        cw_array(out, 3);
        cw_bool(out, bt->consistent_read);
        if (bt->projection != NULL && bt->projection[0]) {
            dg_bytes pb;
            if ((rc = projection_bytes(bt->projection, bt->names, a, &pb, err)) != 0)
                break;
            cw_bytes(out, pb.ptr, pb.len);
        } else {
            cw_null(out);
        }
        cw_array(out, bt->key_count);
        keyset seen = {NULL, 0, 0};
        for (size_t i = 0; rc == 0 && i < bt->key_count; i++) {
            rc = key_arg(out, bt->key_schema, &bt->keys[i], mode, &k, err);
            if (rc == 0)
                rc = keyset_add(&seen, a, &k, err);
        }
    }
    dg_buf_free(&k);
    if (rc == 0) {
        cw_indef_map(out); /* the client always sends ReturnConsumedCapacity here */
        cw_uint(out, KW_RCC);
        cw_uint(out, (uint64_t)return_consumed_capacity);
        cw_break(out);
        rc = cw_status(out, err);
    }
    if (rc != 0 && !out->failed)
        out->len = start;
    return rc;
}

int dg_dax_encode_batch_write_item(const dg_dax_batch_write_table *tables, size_t table_count,
                                   int return_consumed_capacity, int return_item_collection_metrics,
                                   dg_dax_num_mode mode, dg_arena *a, dg_buf *out, dg_error *err)
{
    size_t total = 0;
    for (size_t t = 0; t < table_count; t++)
        total += tables[t].count;
    if (table_count == 0 || total == 0)
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "1 validation error detected: Value at 'requestItems' failed to "
                            "satisfy constraint: Member must have length greater than or equal "
                            "to 1");
    if (total > DG_DAX_MAX_BATCH_WRITE)
        return dg_error_set(err, DG_EINVAL, "RequestItems",
                            "Batch size should be less than %d (got %zu requests)",
                            DG_DAX_MAX_BATCH_WRITE, total);
    size_t start = out->len;
    int rc = 0;
    head(out, DG_DAX_BATCH_WRITE_ITEM);
    cw_map(out, table_count);
    dg_buf k = DG_BUF_INIT;
    for (size_t t = 0; rc == 0 && t < table_count; t++) {
        const dg_dax_batch_write_table *bt = &tables[t];
        if ((rc = check_table(bt->table, err)) != 0)
            break;
        cw_text(out, bt->table.ptr, bt->table.len);
        cw_array(out, 2 * bt->count);
        keyset seen = {NULL, 0, 0};
        for (size_t i = 0; rc == 0 && i < bt->count; i++) {
            const dg_dax_write_request *w = &bt->requests[i];
            const dg_dax_av *src = w->item ? w->item : w->key;
            if (src == NULL) {
                rc = dg_error_set(err, DG_EINVAL, NULL,
                                  "Both delete and put request cannot be empty");
                break;
            }
            rc = key_arg(out, bt->key_schema, src, mode, &k, err);
            if (rc == 0)
                rc = keyset_add(&seen, a, &k, err);
            if (rc == 0) {
                if (w->item)
                    rc = nonkey_arg(out, bt->key_schema, w->item, NULL, w->attr_list_id, mode, a,
                                    err);
                else
                    cw_null(out);
            }
        }
    }
    dg_buf_free(&k);
    if (rc == 0) {
        cw_indef_map(out);
        if (return_consumed_capacity != DG_DAX_RCC_NONE) {
            cw_uint(out, KW_RCC);
            cw_uint(out, (uint64_t)return_consumed_capacity);
        }
        if (return_item_collection_metrics != DG_DAX_RICM_NONE) {
            cw_uint(out, KW_RICM);
            cw_uint(out, (uint64_t)return_item_collection_metrics);
        }
        cw_break(out);
        rc = cw_status(out, err);
    }
    if (rc != 0 && !out->failed)
        out->len = start;
    return rc;
}

int dg_dax_encode_transact_get_items(const dg_dax_transact_get *items, size_t count,
                                     int return_consumed_capacity, dg_dax_num_mode mode,
                                     dg_arena *a, dg_buf *out, dg_error *err)
{
    if (count == 0 || count > DG_DAX_MAX_TRANSACT)
        return dg_error_set(err, DG_EINVAL, "TransactItems",
                            "1 validation error detected: Value at 'transactItems' failed to "
                            "satisfy constraint: Member must have length between 1 and %d",
                            DG_DAX_MAX_TRANSACT);
    size_t start = out->len;
    int rc = 0;
    head(out, DG_DAX_TRANSACT_GET_ITEMS);
    cw_array(out, count);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rc = check_table(items[i].table, err);
        table_bytes(out, items[i].table);
    }
    cw_array(out, count);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = key_arg(out, items[i].key_schema, items[i].key, mode, NULL, err);
    cw_array(out, count);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        if (items[i].projection != NULL && items[i].projection[0]) {
            dg_bytes pb;
            if ((rc = projection_bytes(items[i].projection, items[i].names, a, &pb, err)) == 0)
                cw_bytes(out, pb.ptr, pb.len);
        } else {
            cw_null(out);
        }
    }
    if (rc == 0) {
        cw_indef_map(out);
        cw_uint(out, KW_RCC);
        cw_uint(out, (uint64_t)return_consumed_capacity);
        cw_break(out);
        rc = cw_status(out, err);
    }
    if (rc != 0 && !out->failed)
        out->len = start;
    return rc;
}

int dg_dax_encode_transact_write_items(const dg_dax_transact_write *items, size_t count,
                                       const char *client_request_token,
                                       int return_consumed_capacity,
                                       int return_item_collection_metrics, dg_dax_num_mode mode,
                                       dg_arena *a, dg_buf *out, dg_error *err)
{
    if (count == 0 || count > DG_DAX_MAX_TRANSACT)
        return dg_error_set(err, DG_EINVAL, "TransactItems",
                            "1 validation error detected: Value at 'transactItems' failed to "
                            "satisfy constraint: Member must have length between 1 and %d",
                            DG_DAX_MAX_TRANSACT);
    if (client_request_token == NULL || client_request_token[0] == 0)
        return dg_error_set(err, DG_EINVAL, "ClientRequestToken", "ClientRequestToken is required");
    dg_buf ops = DG_BUF_INIT, tabs = DG_BUF_INIT, keys = DG_BUF_INIT, vals = DG_BUF_INIT,
           rvs = DG_BUF_INIT, conds = DG_BUF_INIT, upds = DG_BUF_INIT, k = DG_BUF_INIT;
    cw_array(&ops, count), cw_array(&tabs, count), cw_array(&keys, count);
    cw_array(&vals, count), cw_array(&rvs, count), cw_array(&conds, count);
    cw_array(&upds, count);
    keyset seen = {NULL, 0, 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const dg_dax_transact_write *w = &items[i];
        const dg_dax_av *src = w->op == DG_DAX_TX_PUT ? w->item : w->key;
        if ((rc = check_table(w->table, err)) != 0)
            break;
        if (w->op != DG_DAX_TX_PUT && w->op != DG_DAX_TX_DELETE && w->op != DG_DAX_TX_UPDATE &&
            w->op != DG_DAX_TX_CONDITION_CHECK) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "TransactWriteItem must be one of ConditionCheck, Put, Update or "
                              "Delete");
            break;
        }
        if (w->op == DG_DAX_TX_CONDITION_CHECK && (w->condition == NULL || !w->condition[0])) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "Value null at 'transactItems.%zu.member.conditionCheck."
                              "conditionExpression' failed to satisfy constraint: Member must "
                              "not be null",
                              i + 1);
            break;
        }
        if (w->op == DG_DAX_TX_UPDATE && (w->update == NULL || !w->update[0])) {
            rc = dg_error_set(err, DG_EINVAL, "TransactItems",
                              "1 validation error detected: Value null at 'transactItems.%zu."
                              "member.update.updateExpression' failed to satisfy constraint: "
                              "Member must not be null",
                              i + 1);
            break;
        }
        rc = key_arg(&keys, w->key_schema, src, mode, &k, err);
        if (rc == 0) {
            /* duplicate check per table: prefix the key with the table name */
            dg_buf tk = DG_BUF_INIT;
            dg_buf_append(&tk, w->table.ptr, w->table.len);
            dg_buf_putc(&tk, 0);
            dg_buf_append(&tk, k.data, k.len);
            rc = keyset_add(&seen, a, &tk, err);
            dg_buf_free(&tk);
        }
        if (rc == 0 && w->op == DG_DAX_TX_PUT)
            rc = nonkey_arg(&vals, w->key_schema, w->item, NULL, w->attr_list_id, mode, a, err);
        else if (rc == 0)
            cw_null(&vals);
        if (rc != 0)
            break;
        dg_dax_expr_input in;
        memset(&in, 0, sizeof in);
        in.condition = w->condition;
        in.update = w->op == DG_DAX_TX_UPDATE ? w->update : NULL;
        in.names = w->names;
        in.values = w->values;
        dg_dax_exprs ex;
        if ((rc = dg_dax_expr_compile(&in, mode, a, &ex, err)) != 0)
            break;
        cw_uint(&ops, (uint64_t)w->op);
        table_bytes(&tabs, w->table);
        cw_uint(&rvs, w->return_values_on_ccf_all_old ? 2 : 1);
        bytes_or_null(&conds, ex.condition);
        bytes_or_null(&upds, ex.update);
    }
    size_t start = out->len;
    if (rc == 0) {
        head(out, DG_DAX_TRANSACT_WRITE_ITEMS);
        dg_buf *parts[] = {&ops, &tabs, &keys, &vals};
        for (size_t i = 0; i < 4; i++)
            dg_buf_append(out, parts[i]->data, parts[i]->len);
        cw_null(out); /* returnValues */
        dg_buf_append(out, rvs.data, rvs.len);
        dg_buf_append(out, conds.data, conds.len);
        dg_buf_append(out, upds.data, upds.len);
        cw_indef_map(out);
        if (return_consumed_capacity != DG_DAX_RCC_NONE) {
            cw_uint(out, KW_RCC);
            cw_uint(out, (uint64_t)return_consumed_capacity);
        }
        if (return_item_collection_metrics != DG_DAX_RICM_NONE) {
            cw_uint(out, KW_RICM);
            cw_uint(out, (uint64_t)return_item_collection_metrics);
        }
        cw_uint(out, KW_CLIENT_REQUEST_TOKEN);
        cw_cstr(out, client_request_token);
        cw_break(out);
        dg_buf *all[] = {&ops, &tabs, &keys, &vals, &rvs, &conds, &upds};
        for (size_t i = 0; i < 7; i++)
            if (all[i]->failed)
                out->failed = 1;
        rc = cw_status(out, err);
    }
    if (rc != 0 && !out->failed)
        out->len = start;
    dg_buf *all[] = {&ops, &tabs, &keys, &vals, &rvs, &conds, &upds, &k};
    for (size_t i = 0; i < 8; i++)
        dg_buf_free(all[i]);
    return rc;
}

/* ------------------------------------------------------------------ control methods */

int dg_dax_encode_preamble(const uint8_t *session_id, size_t session_len, const char *user_agent,
                           dg_buf *out, dg_error *err)
{
    cw_cstr(out, "J7yne5G");
    cw_uint(out, 0); /* layering */
    if (session_id != NULL)
        cw_bytes(out, session_id, session_len);
    else
        cw_null(out);
    cw_map(out, 1);
    cw_cstr(out, "UserAgent");
    cw_cstr(out, user_agent ? user_agent : DG_DAX_USER_AGENT);
    cw_uint(out, 0); /* client mode */
    return cw_status(out, err);
}

int dg_dax_encode_authorize(const dg_dax_auth *auth, dg_buf *out, dg_error *err)
{
    if (auth == NULL || auth->access_key_id == NULL || auth->secret_access_key == NULL ||
        auth->region == NULL)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "authorizeConnection needs an access key id, a secret and a region");
    char amz_date[DG_SIGV4_AMZ_DATE_LEN + 1], date8[9];
    int rc = dg_sigv4_amz_date(auth->unix_seconds, amz_date, err);
    if (rc != 0)
        return rc;
    memcpy(date8, amz_date, 8);
    date8[8] = 0;
    dg_aws_header hdrs[2] = {{"host", DG_DAX_AUTH_HOST}, {"x-amz-date", amz_date}};
    dg_sigv4_request req = {"POST", "/", NULL, hdrs, 2, NULL, 0};
    dg_buf canon = DG_BUF_INIT, sts = DG_BUF_INIT;
    char sig[DG_SIGV4_HEX_LEN + 1];
    uint8_t key[32];
    rc = dg_sigv4_canonical_request(&req, DG_SIGV4_EMPTY_SHA256, &canon, NULL, err);
    if (rc == 0)
        rc = dg_sigv4_string_to_sign(amz_date, auth->region, "dax", canon.data, canon.len, &sts,
                                     err);
    if (rc == 0)
        rc = dg_sigv4_signing_key(auth->secret_access_key, date8, auth->region, "dax", key, err);
    if (rc == 0)
        rc = dg_sigv4_signature(key, sts.data, sts.len, sig, err);
    if (rc == 0) {
        head(out, DG_DAX_AUTHORIZE_CONNECTION);
        cw_cstr(out, auth->access_key_id);
        cw_cstr(out, sig);
        cw_bytes(out, sts.data, sts.len);
        if (auth->session_token)
            cw_cstr(out, auth->session_token);
        else
            cw_null(out);
        if (auth->user_agent)
            cw_cstr(out, auth->user_agent);
        else
            cw_null(out);
        rc = cw_status(out, err);
    }
    memset(key, 0, sizeof key);
    dg_buf_free(&canon);
    dg_buf_free(&sts);
    return rc;
}

int dg_dax_encode_endpoints(dg_buf *out, dg_error *err)
{
    head(out, DG_DAX_ENDPOINTS);
    return cw_status(out, err);
}

int dg_dax_encode_define_key_schema(dg_str table, dg_buf *out, dg_error *err)
{
    int rc = check_table(table, err);
    if (rc != 0)
        return rc;
    head(out, DG_DAX_DEFINE_KEY_SCHEMA);
    table_bytes(out, table);
    return cw_status(out, err);
}

int dg_dax_encode_define_attribute_list_id(const dg_dax_names *names, dg_buf *out, dg_error *err)
{
    head(out, DG_DAX_DEFINE_ATTRIBUTE_LIST_ID);
    cw_array(out, names->count);
    for (size_t i = 0; i < names->count; i++)
        cw_text(out, names->names[i].ptr, names->names[i].len);
    return cw_status(out, err);
}

int dg_dax_encode_define_attribute_list(uint64_t list_id, dg_buf *out, dg_error *err)
{
    head(out, DG_DAX_DEFINE_ATTRIBUTE_LIST);
    cw_uint(out, list_id);
    return cw_status(out, err);
}
