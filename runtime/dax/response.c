/* dynagen runtime — DAX codec: response decoding (§5, §7.5, §9.3, §10)
 * and the DynamoDB JSON rendering of results. */
#include "dax_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(crd *r)
{
    return dg_error_set(r->err, DG_ENOMEM, NULL, "out of memory");
}

/* Inside a complete byte string, "need more" means the content is cut. */
static int sub_rc(crd *outer, int rc)
{
    if (rc == DG_DAX_NEED_MORE)
        return crd_malformed(outer, "truncated content inside a byte string");
    return rc;
}

static int read_double(crd *r, dg_arena *a, double *d)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind == CT_FLOAT) {
        crd_next(r, &t);
        *d = t.f;
        return 0;
    }
    dg_str s;
    if ((rc = dax_read_number(r, a, &s)) != 0)
        return rc;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(s.len > 60 ? 60 : s.len), s.ptr);
    *d = strtod(tmp, NULL);
    return 0;
}

/* ------------------------------------------------------------------ errors (§5) */

static int read_error(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, dg_dax_service_error *e)
{
    size_t cnt;
    bool indef;
    int rc = crd_array(r, &cnt, &indef, "error codes");
    if (rc != 0)
        return rc;
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
        }
        uint64_t c;
        if ((rc = crd_uint(r, &c, "error code")) != 0)
            return rc;
        if (e->code_count < sizeof e->codes / sizeof e->codes[0])
            e->codes[e->code_count++] = c;
        else
            return crd_malformed(r, "too many error codes");
    }
    bool isnull;
    if ((rc = crd_null_next(r, &isnull)) != 0)
        return rc;
    if (!isnull && (rc = crd_text(r, a, &e->message, "error message")) != 0)
        return rc;
    e->http_status = -1;
    if ((rc = crd_null_next(r, &isnull)) != 0)
        return rc;
    if (!isnull) {
        if ((rc = crd_array(r, &cnt, NULL, "error detail")) != 0)
            return rc;
        if (cnt < 3 || cnt > 4)
            return crd_malformed(r, "error detail: expected 3 or 4 elements");
        if ((rc = crd_null_next(r, &isnull)) != 0)
            return rc;
        if (!isnull && (rc = crd_text(r, a, &e->request_id, "request id")) != 0)
            return rc;
        if ((rc = crd_null_next(r, &isnull)) != 0)
            return rc;
        if (!isnull && (rc = crd_text(r, a, &e->error_code, "error code")) != 0)
            return rc;
        if ((rc = crd_null_next(r, &isnull)) != 0)
            return rc;
        if (!isnull) {
            uint64_t st;
            if ((rc = crd_uint(r, &st, "http status")) != 0)
                return rc;
            e->http_status = st > 999 ? 500 : (int)st;
        }
        if (cnt == 4) {
            size_t k;
            if ((rc = crd_null_next(r, &isnull)) != 0)
                return rc;
            if (!isnull) {
                if ((rc = crd_array(r, &k, NULL, "cancellation reasons")) != 0)
                    return rc;
                if (k % 3 != 0)
                    return crd_malformed(r, "cancellation reasons: not a multiple of 3");
                e->has_reasons = true;
                e->reason_count = k / 3;
                e->reasons = dg_arena_calloc(a, e->reason_count + 1, sizeof *e->reasons);
                if (e->reasons == NULL)
                    return oom(r);
                for (size_t i = 0; i < e->reason_count; i++) {
                    dg_dax_cancellation_reason *cr = &e->reasons[i];
                    for (int f = 0; f < 2; f++) {
                        if ((rc = crd_null_next(r, &isnull)) != 0)
                            return rc;
                        if (!isnull &&
                            (rc = crd_text(r, a, f ? &cr->message : &cr->code, "reason")) != 0)
                            return rc;
                    }
                    if ((rc = crd_null_next(r, &isnull)) != 0)
                        return rc;
                    if (isnull)
                        continue;
                    uint64_t lid;
                    dg_dax_av *vals;
                    size_t nv;
                    if ((rc = sub_rc(r, dax_read_nonkey_bytes(r, a, &lid, &vals, &nv))) != 0)
                        return rc;
                    const dg_dax_transact_write *tw =
                        ctx && i < ctx->transact_write_count ? &ctx->transact_write[i] : NULL;
                    const dg_dax_av *key =
                        tw ? (tw->op == DG_DAX_TX_PUT ? tw->item : tw->key) : NULL;
                    if ((rc = dax_materialize(&ctx->resolver, lid, vals, nv, key,
                                              tw ? tw->key_schema : NULL, a, &cr->item, r->err)) !=
                        0)
                        return rc;
                    cr->has_item = true;
                }
            }
        }
    }
    if (e->http_status < 0)
        e->http_status = e->code_count > 0 && e->codes[0] == 4 ? 400 : 500;
    return 0;
}

static bool seq(const dg_dax_service_error *e, size_t i, uint64_t v)
{
    return e->code_count > i && e->codes[i] == v;
}

const char *dg_dax_error_name(const uint64_t *codes, size_t count)
{
    dg_dax_service_error e;
    memset(&e, 0, sizeof e);
    e.code_count = count > 16 ? 16 : count;
    memcpy(e.codes, codes, e.code_count * sizeof *codes);
    if (seq(&e, 1, 23)) {
        if (seq(&e, 2, 24))
            return "ResourceNotFoundException";
        if (seq(&e, 2, 35))
            return "ResourceInUseException";
        if (seq(&e, 2, 31) && seq(&e, 3, 33))
            return "AuthenticationRequiredException";
        return NULL;
    }
    if (!seq(&e, 1, 37))
        return NULL;
    if (seq(&e, 3, 44))
        return "NotImplementedException";
    if (!seq(&e, 3, 39) || e.code_count < 5)
        return NULL;
    switch (e.codes[4]) {
    case 40:
        return "ProvisionedThroughputExceededException";
    case 41:
        return "ResourceNotFoundException";
    case 43:
        return "ConditionalCheckFailedException";
    case 45:
        return "ResourceInUseException";
    case 46:
        return "ValidationException";
    case 47:
        return "InternalServerError";
    case 48:
        return "ItemCollectionSizeLimitExceededException";
    case 49:
        return "LimitExceededException";
    case 50:
        return "ThrottlingException";
    case 57:
        return "TransactionConflictException";
    case 58:
        return "TransactionCanceledException";
    case 59:
        return "TransactionInProgressException";
    case 60:
        return "IdempotentParameterMismatchException";
    case 61:
        return "RequestLimitExceeded";
    default:
        return NULL;
    }
}

bool dg_dax_error_auth(const dg_dax_service_error *e)
{
    return e->code_count >= 4 && seq(e, 1, 23) && seq(e, 2, 31);
}

bool dg_dax_error_retryable(const dg_dax_service_error *e)
{
    if (e->code_count < 2)
        return false;
    const char *name = dg_dax_error_name(e->codes, e->code_count);
    if (e->codes[0] != 4 || (name && strcmp(name, "ThrottlingException") == 0) ||
        e->http_status == 500 || e->http_status == 503)
        return true;
    if (seq(e, 1, 23) && seq(e, 2, 31) && seq(e, 3, 33))
        return true;
    if (seq(e, 1, 37) && seq(e, 3, 39) && e->code_count > 4)
        switch (e->codes[4]) {
        case 40:
        case 47:
        case 49:
        case 58:
        case 61:
            return true;
        default:
            break;
        }
    return false;
}

int dg_dax_service_error_to_dg(const dg_dax_service_error *e, dg_error *err)
{
    const char *name = dg_dax_error_name(e->codes, e->code_count);
    char ec[DG_ERROR_TYPE_MAX];
    if (name == NULL && e->error_code.ptr)
        snprintf(ec, sizeof ec, "%.*s", (int)e->error_code.len, e->error_code.ptr), name = ec;
    if (name == NULL)
        name = "DaxServiceError";
    int code = DG_ESERVICE;
    if (strstr(name, "ConditionalCheckFailed") || strstr(name, "TransactionCanceled"))
        code = DG_ECONFLICT;
    else if (strstr(name, "Throttl") || strstr(name, "ProvisionedThroughputExceeded") ||
             strstr(name, "RequestLimitExceeded"))
        code = DG_ETHROTTLED;
    else if (strstr(name, "ResourceNotFound"))
        code = DG_ENOTFOUND;
    else if (e->http_status >= 400 && e->http_status < 500)
        code = DG_EINVAL;
    dg_error_set(err, code, NULL, "DAX: %s: %.*s", name,
                 (int)(e->message.len > 400 ? 400 : e->message.len),
                 e->message.ptr ? e->message.ptr : "");
    if (err) {
        snprintf(err->type, sizeof err->type, "%s", name);
    }
    return code;
}

/* ------------------------------------------------------------------ consumed capacity */

static int read_index_caps(crd *r, dg_arena *a, dg_dax_index_capacity **out, size_t *count)
{
    size_t cnt;
    int rc = crd_map(r, &cnt, NULL, "index capacity");
    if (rc != 0)
        return rc;
    *out = dg_arena_calloc(a, cnt + 1, sizeof **out);
    if (*out == NULL)
        return oom(r);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = crd_text(r, a, &(*out)[i].name, "index name")) != 0 ||
            (rc = read_double(r, a, &(*out)[i].units)) != 0)
            return rc;
    }
    *count = cnt;
    return 0;
}

/* bytes(TableName, CU, tableCU|null, GSI|null, LSI|null) */
static int read_cc_bytes(crd *r, dg_arena *a, dg_dax_consumed_capacity *cc)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, "consumed capacity");
    if (rc != 0)
        return rc;
    crd s;
    crd_init(&s, p, n, r->lim, r->err);
    bool isnull;
    memset(cc, 0, sizeof *cc);
    if ((rc = crd_text(&s, a, &cc->table, "table name")) == 0)
        rc = read_double(&s, a, &cc->units);
    if (rc == 0 && !crd_at_end(&s) && (rc = crd_null_next(&s, &isnull)) == 0 && !isnull) {
        cc->has_table_units = true;
        rc = read_double(&s, a, &cc->table_units);
    }
    if (rc == 0 && !crd_at_end(&s) && (rc = crd_null_next(&s, &isnull)) == 0 && !isnull) {
        cc->has_gsi = true;
        rc = read_index_caps(&s, a, &cc->gsi, &cc->gsi_count);
    }
    if (rc == 0 && !crd_at_end(&s) && (rc = crd_null_next(&s, &isnull)) == 0 && !isnull) {
        cc->has_lsi = true;
        rc = read_index_caps(&s, a, &cc->lsi, &cc->lsi_count);
    }
    return sub_rc(r, rc);
}

/* Extended form (transactions): map with int keys 1..7, nested maps. */
static int read_cc_ext_map(crd *r, dg_arena *a, dg_dax_consumed_capacity *cc, double *units_out,
                           unsigned depth)
{
    size_t cnt;
    bool indef;
    int rc = crd_map(r, &cnt, &indef, "consumed capacity");
    if (rc != 0)
        return rc;
    if (depth > 4)
        return crd_malformed(r, "consumed capacity nested too deeply");
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
        }
        uint64_t key;
        if ((rc = crd_uint(r, &key, "consumed capacity key")) != 0)
            return rc;
        double d;
        switch (key) {
        case 1:
        case 2:
        case 3:
            if ((rc = read_double(r, a, &d)) != 0)
                return rc;
            if (key == 1) {
                if (units_out)
                    *units_out = d;
                else
                    cc->units = d;
            } else if (cc && !units_out) {
                if (key == 2)
                    cc->has_read_units = true, cc->read_units = d;
                else
                    cc->has_write_units = true, cc->write_units = d;
            }
            break;
        case 4:
            if ((rc = crd_text(r, a, &cc->table, "table name")) != 0)
                return rc;
            break;
        case 5:
            cc->has_table_units = true;
            if ((rc = read_cc_ext_map(r, a, cc, &cc->table_units, depth + 1)) != 0)
                return rc;
            break;
        case 6:
        case 7: {
            size_t m;
            if ((rc = crd_map(r, &m, NULL, "index capacity")) != 0)
                return rc;
            dg_dax_index_capacity *ix = dg_arena_calloc(a, m + 1, sizeof *ix);
            if (ix == NULL)
                return oom(r);
            for (size_t k = 0; k < m; k++) {
                if ((rc = crd_text(r, a, &ix[k].name, "index name")) != 0 ||
                    (rc = read_cc_ext_map(r, a, cc, &ix[k].units, depth + 1)) != 0)
                    return rc;
            }
            if (key == 6)
                cc->has_gsi = true, cc->gsi = ix, cc->gsi_count = m;
            else
                cc->has_lsi = true, cc->lsi = ix, cc->lsi_count = m;
            break;
        }
        default:
            if ((rc = crd_skip(r, depth + 1)) != 0)
                return rc;
        }
    }
    return 0;
}

static int read_cc_list(crd *r, dg_arena *a, dg_dax_result *out, bool extended)
{
    bool isnull;
    int rc = crd_null_next(r, &isnull);
    if (rc != 0 || isnull)
        return rc;
    size_t cnt;
    if ((rc = crd_array(r, &cnt, NULL, "consumed capacity list")) != 0)
        return rc;
    out->consumed = dg_arena_calloc(a, cnt + 1, sizeof *out->consumed);
    if (out->consumed == NULL)
        return oom(r);
    for (size_t i = 0; i < cnt; i++) {
        if (extended) {
            if ((rc = crd_null_next(r, &isnull)) != 0)
                return rc;
            if (isnull)
                continue;
            rc = read_cc_ext_map(r, a, &out->consumed[out->consumed_count], NULL, 0);
        } else {
            rc = read_cc_bytes(r, a, &out->consumed[out->consumed_count]);
        }
        if (rc != 0)
            return rc;
        out->consumed_count++;
    }
    out->has_consumed = out->consumed_count > 0 || !extended;
    return 0;
}

/* bytes(keyAV, sizeLow, sizeHigh) */
static int read_icm_bytes(crd *r, dg_arena *a, const dg_dax_key_schema *ks,
                          dg_dax_item_collection_metrics *m)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, "item collection metrics");
    if (rc != 0)
        return rc;
    crd s;
    crd_init(&s, p, n, r->lim, r->err);
    dg_dax_av *v = dg_arena_calloc(a, 1, sizeof *v);
    dg_str *k = dg_arena_calloc(a, 1, sizeof *k);
    if (v == NULL || k == NULL)
        return oom(r);
    if ((rc = dax_read_av(&s, a, 1, v)) == 0 && (rc = read_double(&s, a, &m->size_low_gb)) == 0)
        rc = read_double(&s, a, &m->size_high_gb);
    if (rc != 0)
        return sub_rc(r, rc);
    *k = ks ? ks->attrs[0].name : DG_STR("key");
    m->key.type = DG_DAX_M;
    m->key.count = 1;
    m->key.items = v;
    m->key.keys = k;
    return 0;
}

/* ------------------------------------------------------------------ items (§7.5) */

static int read_key_bytes(crd *r, dg_arena *a, const dg_dax_key_schema *ks, dg_dax_av *out)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, "key");
    if (rc != 0)
        return rc;
    if (ks == NULL)
        return crd_malformed(r, "key bytes without a key schema");
    return sub_rc(r, dg_dax_key_decode(ks, p, n, r->lim, a, out, r->err));
}

static int read_projection_map(crd *r, dg_arena *a, const dg_dax_projection *proj, dg_dax_av *out)
{
    size_t cnt;
    bool indef;
    int rc = crd_map(r, &cnt, &indef, "projected item");
    if (rc != 0)
        return rc;
    size_t cap = 0, n = 0, ocap = 0;
    dg_dax_av *vals = NULL;
    uint64_t *ords = NULL;
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
        }
        vals = dax_grow(a, vals, &cap, n, sizeof *vals);
        ords = vals ? dax_grow(a, ords, &ocap, n, sizeof *ords) : NULL;
        if (ords == NULL)
            return oom(r);
        if ((rc = crd_uint(r, &ords[n], "projection ordinal")) != 0 ||
            (rc = dax_read_av(r, a, 1, &vals[n])) != 0)
            return rc;
        n++;
    }
    return dax_build_projection(proj, ords, vals, n, a, out, r->err);
}

/* UPDATED_OLD / UPDATED_NEW: bytes(attrListId, {ordinal: value}) */
static int read_updated_attrs(crd *r, dg_arena *a, const dg_dax_resolver *res, dg_dax_av *out)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, "attributes");
    if (rc != 0)
        return rc;
    crd s;
    crd_init(&s, p, n, r->lim, r->err);
    uint64_t lid;
    size_t cnt;
    if ((rc = crd_uint(&s, &lid, "attribute list id")) != 0 ||
        (rc = crd_map(&s, &cnt, NULL, "attributes")) != 0)
        return sub_rc(r, rc);
    memset(out, 0, sizeof *out);
    out->type = DG_DAX_M;
    out->items = dg_arena_calloc(a, cnt + 1, sizeof *out->items);
    out->keys = dg_arena_calloc(a, cnt + 1, sizeof *out->keys);
    if (out->items == NULL || out->keys == NULL)
        return oom(r);
    dg_dax_names names = {NULL, 0};
    if (cnt > 0) {
        if (res == NULL || res->attr_list == NULL)
            return dg_error_set(r->err, DG_EINVAL, NULL, "attribute list %llu: no resolver",
                                (unsigned long long)lid);
        if ((rc = res->attr_list(res->ctx, lid, &names, r->err)) != 0)
            return rc;
    }
    for (size_t i = 0; i < cnt; i++) {
        uint64_t ord;
        if ((rc = crd_uint(&s, &ord, "ordinal")) != 0)
            return sub_rc(r, rc);
        if (ord >= names.count)
            return crd_malformed(r, "attribute ordinal %llu outside list %llu",
                                 (unsigned long long)ord, (unsigned long long)lid);
        out->keys[i] = names.names[ord];
        if ((rc = dax_read_av(&s, a, 1, &out->items[i])) != 0)
            return sub_rc(r, rc);
        out->count++;
    }
    if (!crd_at_end(&s))
        return crd_malformed(r, "trailing bytes after updated attributes");
    return 0;
}

/* One item in any of the forms; *present false for null. */
static int read_item(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, const dg_dax_key_schema *ks,
                     const dg_dax_projection *proj, const dg_dax_av *request_key, bool *present,
                     dg_dax_av *out)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    *present = true;
    switch (t.kind) {
    case CT_NULL:
        crd_next(r, &t);
        *present = false;
        return 0;
    case CT_MAP:
    case CT_MAP_INDEF:
        return read_projection_map(r, a, proj, out);
    case CT_BYTES:
    case CT_BYTES_INDEF: {
        uint64_t lid;
        dg_dax_av *vals;
        size_t nv;
        if ((rc = sub_rc(r, dax_read_nonkey_bytes(r, a, &lid, &vals, &nv))) != 0)
            return rc;
        return dax_materialize(&ctx->resolver, lid, vals, nv, proj ? NULL : request_key, ks, a, out,
                               r->err);
    }
    case CT_ARRAY: {
        size_t cnt;
        if ((rc = crd_array(r, &cnt, NULL, "item")) != 0)
            return rc;
        if (cnt != 2)
            return crd_malformed(r, "scan item: expected [key, values]");
        dg_dax_av key;
        if ((rc = read_key_bytes(r, a, ks, &key)) != 0)
            return rc;
        uint64_t lid;
        dg_dax_av *vals;
        size_t nv;
        if ((rc = sub_rc(r, dax_read_nonkey_bytes(r, a, &lid, &vals, &nv))) != 0)
            return rc;
        return dax_materialize(&ctx->resolver, lid, vals, nv, &key, NULL, a, out, r->err);
    }
    default:
        return crd_malformed(r, "unknown item form");
    }
}

/* ------------------------------------------------------------------ single-table results */

static int synth_cc(const dg_dax_decode_ctx *ctx, dg_arena *a, dg_dax_result *out, crd *r)
{
    if (ctx->return_consumed_capacity == DG_DAX_RCC_NONE || out->has_consumed)
        return 0;
    out->consumed = dg_arena_calloc(a, 1, sizeof *out->consumed);
    if (out->consumed == NULL)
        return oom(r);
    out->consumed->table = ctx->table;
    out->consumed_count = 1;
    out->has_consumed = true;
    return 0;
}

static int read_single(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, dg_dax_result *out)
{
    bool isnull;
    int rc = crd_null_next(r, &isnull);
    if (rc != 0)
        return rc;
    if (isnull)
        return synth_cc(ctx, a, out, r);
    size_t cnt;
    bool indef;
    if ((rc = crd_map(r, &cnt, &indef, "result")) != 0)
        return rc;
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
        }
        uint64_t key;
        if ((rc = crd_uint(r, &key, "result field")) != 0)
            return rc;
        bool present;
        switch (key) {
        case 0: /* Item */
            rc = read_item(r, a, ctx, ctx->key_schema, ctx->projection, ctx->request_key, &present,
                           &out->item);
            out->has_item = rc == 0 && present;
            break;
        case 1: /* ConsumedCapacity */
            if ((rc = crd_null_next(r, &isnull)) == 0 && !isnull) {
                out->consumed = dg_arena_calloc(a, 1, sizeof *out->consumed);
                if (out->consumed == NULL)
                    return oom(r);
                if ((rc = read_cc_bytes(r, a, out->consumed)) == 0)
                    out->consumed_count = 1, out->has_consumed = true;
            }
            break;
        case 2: /* Attributes */
            if (ctx->return_values == DG_DAX_RV_UPDATED_OLD ||
                ctx->return_values == DG_DAX_RV_UPDATED_NEW) {
                if ((rc = crd_null_next(r, &isnull)) == 0 && !isnull) {
                    rc = read_updated_attrs(r, a, &ctx->resolver, &out->attributes);
                    out->has_attributes = rc == 0;
                }
            } else {
                rc = read_item(r, a, ctx, ctx->key_schema, NULL, ctx->request_key, &present,
                               &out->attributes);
                out->has_attributes = rc == 0 && present;
            }
            break;
        case 3: /* ItemCollectionMetrics */
            if ((rc = crd_null_next(r, &isnull)) == 0 && !isnull) {
                out->icm = dg_arena_calloc(a, 1, sizeof *out->icm);
                if (out->icm == NULL)
                    return oom(r);
                if ((rc = read_icm_bytes(r, a, ctx->key_schema, out->icm)) == 0)
                    out->icm_count = 1, out->has_icm = true;
            }
            break;
        case 7: { /* Items */
            size_t n;
            bool ind;
            if ((rc = crd_array(r, &n, &ind, "items")) != 0)
                return rc;
            size_t cap = 0;
            out->has_items = true;
            for (size_t k = 0; ind || k < n; k++) {
                if (ind) {
                    bool br;
                    if ((rc = crd_break_next(r, &br)) != 0)
                        return rc;
                    if (br)
                        break;
                }
                dg_dax_av *items = dax_grow(a, out->items, &cap, out->item_count, sizeof *items);
                if (items == NULL)
                    return oom(r);
                out->items = items;
                if ((rc = read_item(r, a, ctx, ctx->key_schema, ctx->projection, NULL, &present,
                                    &items[out->item_count])) != 0)
                    return rc;
                if (!present) /* the client turns a null item into {} */
                    items[out->item_count].type = DG_DAX_M;
                out->item_count++;
            }
            break;
        }
        case 8:
            rc = crd_uint(r, &out->count, "Count");
            out->has_count = rc == 0;
            break;
        case 9: /* LastEvaluatedKey */
            if ((rc = crd_null_next(r, &isnull)) == 0 && !isnull) {
                if (ctx->index_name) {
                    const uint8_t *p;
                    size_t n;
                    if ((rc = crd_string(r, CT_BYTES, a, &p, &n, "LastEvaluatedKey")) != 0)
                        return rc;
                    size_t used;
                    rc = dg_dax_av_decode(p, n, &used, r->lim, a, &out->last_evaluated_key, r->err);
                    if (rc == 0 && (used != n || out->last_evaluated_key.type != DG_DAX_M))
                        rc = crd_malformed(r, "LastEvaluatedKey: expected one map");
                    rc = sub_rc(r, rc);
                } else {
                    rc = read_key_bytes(r, a, ctx->key_schema, &out->last_evaluated_key);
                }
                out->has_last_key = rc == 0;
            }
            break;
        case 10:
            rc = crd_uint(r, &out->scanned_count, "ScannedCount");
            out->has_scanned_count = rc == 0;
            break;
        default:
            return crd_malformed(r, "unknown response field %llu", (unsigned long long)key);
        }
        if (rc != 0)
            return rc;
    }
    return synth_cc(ctx, a, out, r);
}

/* ------------------------------------------------------------------ batch / transact */

static int table_info(const dg_dax_decode_ctx *ctx, dg_str table, dg_arena *a, crd *r,
                      dg_dax_key_schema *ks, const dg_dax_projection **proj)
{
    *proj = NULL;
    for (size_t i = 0; i < ctx->batch_get_count; i++) {
        const dg_dax_batch_get_table *bt = &ctx->batch_get[i];
        if (bt->table.len == table.len && memcmp(bt->table.ptr, table.ptr, table.len) == 0) {
            if (bt->key_schema)
                *ks = *bt->key_schema;
            if (bt->projection && bt->projection[0]) {
                dg_dax_projection *pp = dg_arena_calloc(a, 1, sizeof *pp);
                if (pp == NULL)
                    return oom(r);
                int rc = dg_dax_projection_parse(bt->projection, bt->names, a, pp, r->err);
                if (rc != 0)
                    return rc;
                *proj = pp;
            }
            if (bt->key_schema)
                return 0;
        }
    }
    if (ctx->resolver.key_schema)
        return ctx->resolver.key_schema(ctx->resolver.ctx, table, ks, r->err);
    if (ctx->key_schema) {
        *ks = *ctx->key_schema;
        return 0;
    }
    return dg_error_set(r->err, DG_EINVAL, NULL, "no key schema for table %.*s", (int)table.len,
                        table.ptr);
}

/* {table: [key, values|null, ...]} (flat pairs) or, with a projection,
 * {table: [projMap, ...]}; keys_only: {table: [key, ...]}. */
static int read_table_map(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, int form,
                          dg_dax_table_items **out, size_t *count)
{
    size_t cnt;
    bool isnull;
    int rc = crd_null_next(r, &isnull);
    if (rc != 0 || isnull)
        return rc;
    if ((rc = crd_map(r, &cnt, NULL, "table map")) != 0)
        return rc;
    *out = dg_arena_calloc(a, cnt + 1, sizeof **out);
    if (*out == NULL)
        return oom(r);
    *count = cnt;
    for (size_t t = 0; t < cnt; t++) {
        dg_dax_table_items *ti = &(*out)[t];
        if ((rc = crd_text(r, a, &ti->table, "table name")) != 0)
            return rc;
        dg_dax_key_schema ks;
        const dg_dax_projection *proj;
        if ((rc = table_info(ctx, ti->table, a, r, &ks, &proj)) != 0)
            return rc;
        size_t n;
        if ((rc = crd_array(r, &n, NULL, "table items")) != 0)
            return rc;
        bool pairs = form != 2 && !(form == 0 && proj != NULL);
        if (pairs && n % 2 != 0)
            return crd_malformed(r, "key/value list of odd length");
        size_t items = pairs ? n / 2 : n;
        ti->items = dg_arena_calloc(a, items + 1, sizeof *ti->items);
        ti->is_delete = dg_arena_calloc(a, items + 1, sizeof *ti->is_delete);
        if (ti->items == NULL || ti->is_delete == NULL)
            return oom(r);
        for (size_t i = 0; i < items; i++) {
            bool present;
            if (form == 2) { /* keys only */
                rc = read_key_bytes(r, a, &ks, &ti->items[i]);
            } else if (!pairs) {
                rc = read_item(r, a, ctx, &ks, proj, NULL, &present, &ti->items[i]);
                if (rc == 0 && !present)
                    ti->items[i].type = DG_DAX_M;
            } else {
                dg_dax_av key;
                if ((rc = read_key_bytes(r, a, &ks, &key)) != 0)
                    return rc;
                if ((rc = crd_null_next(r, &isnull)) != 0)
                    return rc;
                if (isnull) {
                    ti->items[i] = key;
                    ti->is_delete[i] = true;
                } else {
                    uint64_t lid;
                    dg_dax_av *vals;
                    size_t nv;
                    if ((rc = sub_rc(r, dax_read_nonkey_bytes(r, a, &lid, &vals, &nv))) != 0)
                        return rc;
                    rc = dax_materialize(&ctx->resolver, lid, vals, nv, &key, NULL, a,
                                         &ti->items[i], r->err);
                }
            }
            if (rc != 0)
                return rc;
        }
        ti->count = items;
    }
    return 0;
}

static int read_icm_table_map(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, dg_dax_result *out)
{
    bool isnull;
    int rc = crd_null_next(r, &isnull);
    if (rc != 0 || isnull)
        return rc;
    size_t cnt, cap = 0;
    if ((rc = crd_map(r, &cnt, NULL, "item collection metrics")) != 0)
        return rc;
    out->has_icm = true;
    for (size_t t = 0; t < cnt; t++) {
        dg_str table;
        size_t n;
        if ((rc = crd_text(r, a, &table, "table name")) != 0 ||
            (rc = crd_array(r, &n, NULL, "metrics")) != 0)
            return rc;
        dg_dax_key_schema ks;
        const dg_dax_projection *proj;
        bool have_ks = table_info(ctx, table, a, r, &ks, &proj) == 0;
        for (size_t i = 0; i < n; i++) {
            dg_dax_item_collection_metrics *m =
                dax_grow(a, out->icm, &cap, out->icm_count, sizeof *m);
            if (m == NULL)
                return oom(r);
            out->icm = m;
            memset(&m[out->icm_count], 0, sizeof *m);
            m[out->icm_count].table = table;
            if ((rc = read_icm_bytes(r, a, have_ks ? &ks : NULL, &m[out->icm_count])) != 0)
                return rc;
            out->icm_count++;
        }
    }
    return 0;
}

static int read_transact_get(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx, dg_dax_result *out)
{
    size_t cnt, n;
    int rc = crd_array(r, &cnt, NULL, "transactGetItems result");
    if (rc != 0)
        return rc;
    if (cnt != 2)
        return crd_malformed(r, "TransactGetResponse needs 2 elements, had %zu", cnt);
    if ((rc = crd_array(r, &n, NULL, "transact items")) != 0)
        return rc;
    out->tx_items = dg_arena_calloc(a, n + 1, sizeof *out->tx_items);
    if (out->tx_items == NULL)
        return oom(r);
    for (size_t i = 0; i < n; i++) {
        const dg_dax_transact_get *tg = i < ctx->transact_get_count ? &ctx->transact_get[i] : NULL;
        const dg_dax_projection *proj = NULL;
        dg_dax_projection pp;
        if (tg && tg->projection && tg->projection[0]) {
            if ((rc = dg_dax_projection_parse(tg->projection, tg->names, a, &pp, r->err)) != 0)
                return rc;
            proj = &pp;
        }
        bool present;
        if ((rc = read_item(r, a, ctx, tg ? tg->key_schema : NULL, proj, tg ? tg->key : NULL,
                            &present, &out->tx_items[i])) != 0)
            return rc;
        if (!present)
            out->tx_items[i].type = (dg_dax_type)0;
    }
    out->tx_count = n;
    return read_cc_list(r, a, out, true);
}

static int read_transact_write(crd *r, dg_arena *a, const dg_dax_decode_ctx *ctx,
                               dg_dax_result *out)
{
    size_t cnt;
    int rc = crd_array(r, &cnt, NULL, "transactWriteItems result");
    if (rc != 0)
        return rc;
    if (cnt != 3)
        return crd_malformed(r, "TransactWriteResponse needs 3 elements, had %zu", cnt);
    if ((rc = crd_skip(r, 1)) != 0) /* responses: unused since the preview */
        return rc;
    if ((rc = read_cc_list(r, a, out, true)) != 0)
        return rc;
    return read_icm_table_map(r, a, ctx, out);
}

/* ------------------------------------------------------------------ control results */

static int read_endpoints(crd *r, dg_arena *a, dg_dax_result *out)
{
    size_t cnt;
    int rc = crd_array(r, &cnt, NULL, "endpoints");
    if (rc != 0)
        return rc;
    out->endpoints = dg_arena_calloc(a, cnt + 1, sizeof *out->endpoints);
    if (out->endpoints == NULL)
        return oom(r);
    for (size_t i = 0; i < cnt; i++) {
        dg_dax_endpoint *ep = &out->endpoints[i];
        size_t m;
        bool indef, is_map = true;
        ctok t;
        if ((rc = crd_peek(r, &t)) != 0)
            return rc;
        if (t.kind == CT_ARRAY) {
            is_map = false;
            rc = crd_array(r, &m, NULL, "endpoint");
            indef = false;
        } else {
            rc = crd_map(r, &m, &indef, "endpoint");
        }
        if (rc != 0)
            return rc;
        bool have_addr = false;
        for (size_t k = 0; indef || k < m; k++) {
            if (indef) {
                bool br;
                if ((rc = crd_break_next(r, &br)) != 0)
                    return rc;
                if (br)
                    break;
            }
            uint64_t key = k;
            if (is_map && (rc = crd_uint(r, &key, "endpoint field")) != 0)
                return rc;
            bool isnull;
            if ((rc = crd_null_next(r, &isnull)) != 0)
                return rc;
            if (isnull)
                continue;
            int64_t v;
            uint64_t u;
            switch (key) {
            case 0:
            case 6:
                if ((rc = crd_int(r, &v, "endpoint id")) == 0) {
                    if (key == 0)
                        ep->node_id = v;
                    else
                        ep->leader_session_id = v;
                }
                break;
            case 1:
                rc = crd_text(r, a, &ep->hostname, "hostname");
                break;
            case 2: {
                const uint8_t *p;
                size_t n;
                if ((rc = crd_string(r, CT_BYTES, a, &p, &n, "address")) == 0) {
                    if (n != 4)
                        return crd_malformed(r, "unexpected Endpoint IP address");
                    memcpy(ep->address, p, 4);
                    have_addr = true;
                }
                break;
            }
            case 3:
                if ((rc = crd_uint(r, &u, "port")) == 0) {
                    if (u > 65535)
                        return crd_malformed(r, "port out of range");
                    ep->port = (uint32_t)u;
                }
                break;
            case 4:
                if ((rc = crd_uint(r, &u, "role")) == 0)
                    ep->role = u > 100 ? 0 : (int)u;
                break;
            case 5:
                rc = crd_text(r, a, &ep->availability_zone, "availability zone");
                break;
            default:
                rc = crd_skip(r, 2);
            }
            if (rc != 0)
                return rc;
        }
        if (!have_addr)
            return crd_malformed(r, "endpoint without an address");
    }
    out->endpoint_count = cnt;
    return 0;
}

static int read_key_schema(crd *r, dg_arena *a, dg_dax_result *out)
{
    size_t cnt;
    bool indef;
    int rc = crd_map(r, &cnt, &indef, "key schema");
    if (rc != 0)
        return rc;
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
        }
        if (out->key_schema.count >= 2)
            return crd_malformed(r, "key schema with more than 2 attributes");
        dg_dax_key_attr *ka = &out->key_schema.attrs[out->key_schema.count];
        dg_str ty;
        if ((rc = crd_text(r, a, &ka->name, "key name")) != 0 ||
            (rc = crd_text(r, a, &ty, "key type")) != 0)
            return rc;
        if (ty.len != 1 || (ty.ptr[0] != 'S' && ty.ptr[0] != 'N' && ty.ptr[0] != 'B'))
            return crd_malformed(r, "key type must be S, N or B");
        ka->type = ty.ptr[0] == 'S' ? DG_DAX_S : ty.ptr[0] == 'N' ? DG_DAX_N : DG_DAX_B;
        out->key_schema.count++;
    }
    if (out->key_schema.count == 0)
        return crd_malformed(r, "empty key schema");
    return 0;
}

static int read_attr_list(crd *r, dg_arena *a, dg_dax_result *out)
{
    size_t cnt;
    int rc = crd_array(r, &cnt, NULL, "attribute list");
    if (rc != 0)
        return rc;
    out->attr_list.names = dg_arena_calloc(a, cnt + 1, sizeof *out->attr_list.names);
    if (out->attr_list.names == NULL)
        return oom(r);
    for (size_t i = 0; i < cnt; i++)
        if ((rc = crd_text(r, a, &out->attr_list.names[i], "attribute name")) != 0)
            return rc;
    out->attr_list.count = cnt;
    return 0;
}

/* ------------------------------------------------------------------ entry */

int dg_dax_decode_response(int64_t method_id, const uint8_t *p, size_t n,
                           const dg_dax_decode_ctx *ctx, dg_arena *a, size_t *used,
                           dg_dax_result *out, dg_error *err)
{
    static const dg_dax_decode_ctx empty_ctx;
    if (ctx == NULL)
        ctx = &empty_ctx;
    memset(out, 0, sizeof *out);
    if (dg_dax_method_result_count(method_id) < 0)
        return dg_error_set(err, DG_EUNSUPPORTED, NULL, "no response is defined for method %lld",
                            (long long)method_id);
    crd r;
    crd_init(&r, p, n, ctx->limits, err);
    if (n == 0)
        return DG_DAX_NEED_MORE;
    int rc;
    if (p[0] != 0x80) {
        out->is_error = true;
        rc = read_error(&r, a, ctx, &out->error);
    } else {
        r.pos = 1;
        switch (method_id) {
        case DG_DAX_ENDPOINTS:
            rc = read_endpoints(&r, a, out);
            break;
        case DG_DAX_DEFINE_KEY_SCHEMA:
            rc = read_key_schema(&r, a, out);
            break;
        case DG_DAX_DEFINE_ATTRIBUTE_LIST_ID:
            rc = crd_uint(&r, &out->attr_list_id, "attribute list id");
            break;
        case DG_DAX_DEFINE_ATTRIBUTE_LIST:
            rc = read_attr_list(&r, a, out);
            break;
        case DG_DAX_BATCH_GET_ITEM: {
            size_t cnt;
            rc = crd_array(&r, &cnt, NULL, "batchGetItem result");
            if (rc == 0 && cnt != 2)
                rc = crd_malformed(&r, "BatchGetResponse needs to have two elements, had %zu", cnt);
            out->has_batch = true;
            if (rc == 0)
                rc = read_table_map(&r, a, ctx, 0, &out->responses, &out->response_count);
            if (rc == 0)
                rc = read_table_map(&r, a, ctx, 2, &out->unprocessed, &out->unprocessed_count);
            if (rc == 0) /* the third value, outside the declared array */
                rc = read_cc_list(&r, a, out, false);
            break;
        }
        case DG_DAX_BATCH_WRITE_ITEM:
            out->has_batch = true;
            rc = read_table_map(&r, a, ctx, 1, &out->unprocessed, &out->unprocessed_count);
            if (rc == 0)
                rc = read_cc_list(&r, a, out, false);
            if (rc == 0)
                rc = read_icm_table_map(&r, a, ctx, out);
            break;
        case DG_DAX_TRANSACT_GET_ITEMS:
            rc = read_transact_get(&r, a, ctx, out);
            break;
        case DG_DAX_TRANSACT_WRITE_ITEMS:
            rc = read_transact_write(&r, a, ctx, out);
            break;
        default:
            rc = read_single(&r, a, ctx, out);
        }
    }
    if (rc == 0 && used)
        *used = r.pos;
    return rc;
}

/* ------------------------------------------------------------------ JSON rendering */

static void json_num(dg_buf *b, double d)
{
    char js[32];
    dg_dax_js_number_string(isfinite(d) ? d : 0, js);
    dg_buf_puts(b, js);
}

static void json_str(dg_buf *b, dg_str s)
{
    dg_buf_json_string(b, s.ptr ? s.ptr : "", s.len);
}

static void json_caps(dg_buf *b, const char *name, const dg_dax_index_capacity *ix, size_t n)
{
    dg_buf_printf(b, ",\"%s\":{", name);
    for (size_t i = 0; i < n; i++) {
        if (i)
            dg_buf_putc(b, ',');
        json_str(b, ix[i].name);
        dg_buf_puts(b, ":{\"CapacityUnits\":");
        json_num(b, ix[i].units);
        dg_buf_putc(b, '}');
    }
    dg_buf_putc(b, '}');
}

static void json_cc(dg_buf *b, const dg_dax_consumed_capacity *cc)
{
    dg_buf_puts(b, "{\"TableName\":");
    json_str(b, cc->table);
    dg_buf_puts(b, ",\"CapacityUnits\":");
    json_num(b, cc->units);
    if (cc->has_read_units) {
        dg_buf_puts(b, ",\"ReadCapacityUnits\":");
        json_num(b, cc->read_units);
    }
    if (cc->has_write_units) {
        dg_buf_puts(b, ",\"WriteCapacityUnits\":");
        json_num(b, cc->write_units);
    }
    if (cc->has_table_units) {
        dg_buf_puts(b, ",\"Table\":{\"CapacityUnits\":");
        json_num(b, cc->table_units);
        dg_buf_putc(b, '}');
    }
    if (cc->has_gsi)
        json_caps(b, "GlobalSecondaryIndexes", cc->gsi, cc->gsi_count);
    if (cc->has_lsi)
        json_caps(b, "LocalSecondaryIndexes", cc->lsi, cc->lsi_count);
    dg_buf_putc(b, '}');
}

static void json_icm(dg_buf *b, const dg_dax_item_collection_metrics *m)
{
    dg_buf_puts(b, "{\"ItemCollectionKey\":");
    dg_dax_item_to_json(&m->key, b);
    dg_buf_puts(b, ",\"SizeEstimateRangeGB\":[");
    json_num(b, m->size_low_gb);
    dg_buf_putc(b, ',');
    json_num(b, m->size_high_gb);
    dg_buf_puts(b, "]}");
}

static void sep(dg_buf *b, bool *first)
{
    if (!*first)
        dg_buf_putc(b, ',');
    *first = false;
}

int dg_dax_result_to_json(int64_t method_id, const dg_dax_result *r, dg_buf *b)
{
    bool first = true;
    dg_buf_putc(b, '{');
    if (r->is_error) {
        const char *name = dg_dax_error_name(r->error.codes, r->error.code_count);
        dg_buf_puts(b, "\"__type\":");
        if (name)
            dg_buf_json_string(b, name, strlen(name));
        else
            json_str(b, r->error.error_code);
        dg_buf_puts(b, ",\"message\":");
        json_str(b, r->error.message);
        dg_buf_putc(b, '}');
        return dg_buf_status(b);
    }
    switch (method_id) {
    case DG_DAX_BATCH_GET_ITEM:
    case DG_DAX_BATCH_WRITE_ITEM: {
        bool get = method_id == DG_DAX_BATCH_GET_ITEM;
        if (get) {
            sep(b, &first);
            dg_buf_puts(b, "\"Responses\":{");
            for (size_t t = 0; t < r->response_count; t++) {
                if (t)
                    dg_buf_putc(b, ',');
                json_str(b, r->responses[t].table);
                dg_buf_puts(b, ":[");
                for (size_t i = 0; i < r->responses[t].count; i++) {
                    if (i)
                        dg_buf_putc(b, ',');
                    dg_dax_item_to_json(&r->responses[t].items[i], b);
                }
                dg_buf_putc(b, ']');
            }
            dg_buf_putc(b, '}');
        }
        sep(b, &first);
        dg_buf_puts(b, get ? "\"UnprocessedKeys\":{" : "\"UnprocessedItems\":{");
        bool tf = true;
        for (size_t t = 0; t < r->unprocessed_count; t++) {
            const dg_dax_table_items *ti = &r->unprocessed[t];
            if (get && ti->count == 0)
                continue;
            sep(b, &tf);
            json_str(b, ti->table);
            dg_buf_puts(b, get ? ":{\"Keys\":[" : ":[");
            for (size_t i = 0; i < ti->count; i++) {
                if (i)
                    dg_buf_putc(b, ',');
                if (!get)
                    dg_buf_puts(b, ti->is_delete[i] ? "{\"DeleteRequest\":{\"Key\":"
                                                    : "{\"PutRequest\":{\"Item\":");
                dg_dax_item_to_json(&ti->items[i], b);
                if (!get)
                    dg_buf_puts(b, "}}");
            }
            dg_buf_puts(b, get ? "]}" : "]");
        }
        dg_buf_putc(b, '}');
        break;
    }
    case DG_DAX_TRANSACT_GET_ITEMS:
        sep(b, &first);
        dg_buf_puts(b, "\"Responses\":[");
        for (size_t i = 0; i < r->tx_count; i++) {
            if (i)
                dg_buf_putc(b, ',');
            if (r->tx_items[i].type == DG_DAX_M) {
                dg_buf_puts(b, "{\"Item\":");
                dg_dax_item_to_json(&r->tx_items[i], b);
                dg_buf_putc(b, '}');
            } else {
                dg_buf_puts(b, "{}");
            }
        }
        dg_buf_putc(b, ']');
        break;
    default:
        if (r->has_item) {
            sep(b, &first);
            dg_buf_puts(b, "\"Item\":");
            dg_dax_item_to_json(&r->item, b);
        }
        if (r->has_attributes) {
            sep(b, &first);
            dg_buf_puts(b, "\"Attributes\":");
            dg_dax_item_to_json(&r->attributes, b);
        }
        if (r->has_items) {
            sep(b, &first);
            dg_buf_puts(b, "\"Items\":[");
            for (size_t i = 0; i < r->item_count; i++) {
                if (i)
                    dg_buf_putc(b, ',');
                dg_dax_item_to_json(&r->items[i], b);
            }
            dg_buf_putc(b, ']');
        }
        if (r->has_count) {
            sep(b, &first);
            dg_buf_printf(b, "\"Count\":%llu", (unsigned long long)r->count);
        }
        if (r->has_scanned_count) {
            sep(b, &first);
            dg_buf_printf(b, "\"ScannedCount\":%llu", (unsigned long long)r->scanned_count);
        }
        if (r->has_last_key) {
            sep(b, &first);
            dg_buf_puts(b, "\"LastEvaluatedKey\":");
            dg_dax_item_to_json(&r->last_evaluated_key, b);
        }
    }
    if (r->has_consumed && r->consumed_count > 0) {
        sep(b, &first);
        bool list = method_id == DG_DAX_BATCH_GET_ITEM || method_id == DG_DAX_BATCH_WRITE_ITEM ||
                    method_id == DG_DAX_TRANSACT_GET_ITEMS ||
                    method_id == DG_DAX_TRANSACT_WRITE_ITEMS;
        dg_buf_puts(b, "\"ConsumedCapacity\":");
        if (list)
            dg_buf_putc(b, '[');
        for (size_t i = 0; i < (list ? r->consumed_count : 1); i++) {
            if (i)
                dg_buf_putc(b, ',');
            json_cc(b, &r->consumed[i]);
        }
        if (list)
            dg_buf_putc(b, ']');
    }
    if (r->has_icm && r->icm_count > 0) {
        sep(b, &first);
        dg_buf_puts(b, "\"ItemCollectionMetrics\":");
        if (method_id == DG_DAX_BATCH_WRITE_ITEM || method_id == DG_DAX_TRANSACT_WRITE_ITEMS) {
            dg_buf_putc(b, '{');
            for (size_t i = 0; i < r->icm_count; i++) {
                bool new_table =
                    i == 0 || r->icm[i].table.len != r->icm[i - 1].table.len ||
                    memcmp(r->icm[i].table.ptr, r->icm[i - 1].table.ptr, r->icm[i].table.len) != 0;
                if (new_table) {
                    if (i)
                        dg_buf_puts(b, "],");
                    json_str(b, r->icm[i].table);
                    dg_buf_puts(b, ":[");
                } else {
                    dg_buf_putc(b, ',');
                }
                json_icm(b, &r->icm[i]);
            }
            dg_buf_puts(b, "]}");
        } else {
            json_icm(b, &r->icm[0]);
        }
    }
    dg_buf_putc(b, '}');
    return dg_buf_status(b);
}
