/* dynagen runtime — typed table access over a generated model: the
 * version-0 protocol, sparse history, TTL filtering and signed cursors.
 * See dynagen/store.h for the semantics. */
#include "dynagen/store.h"

#include <cjson/cJSON.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/dax.h"
#include "dynagen/decimal.h"

/* ---------------------------------------------------------------- helpers */

static void *fptr(void *obj, const dg_field_desc *f)
{
    return (char *)obj + f->offset;
}
static const void *fcptr(const void *obj, const dg_field_desc *f)
{
    return (const char *)obj + f->offset;
}

static int64_t get_int(const void *obj, const dg_field_desc *f)
{
    if (f->type == DG_TYPE_INT32)
        return *(const int32_t *)fcptr(obj, f);
    return *(const int64_t *)fcptr(obj, f);
}

static void set_int(void *obj, const dg_object_desc *d, uint32_t idx, int64_t v)
{
    const dg_field_desc *f = &d->fields[idx];
    if (f->type == DG_TYPE_INT32)
        *(int32_t *)fptr(obj, f) = (int32_t)v;
    else
        *(int64_t *)fptr(obj, f) = v;
    dg_set_present(d, obj, idx, true);
}

static const dg_field_desc *pk_field(const dg_store *s)
{
    return &s->t->item->fields[s->t->partition_field];
}
static const dg_field_desc *sk_field(const dg_store *s)
{
    return s->t->sort_field >= 0 ? &s->t->item->fields[s->t->sort_field] : NULL;
}

static int64_t now_ms(const dg_store *s)
{
    return s->now_ms ? s->now_ms() : dg_now_ms();
}

static int fault(dg_store *s, const char *point, dg_error *err)
{
    if (s->fault && s->fault(s->fault_ctx, point))
        return dg_error_set(err, DG_EIO, NULL, "fault injected at %s", point);
    return 0;
}

/* ---------------------------------------------------------------- paths: DAX or DynamoDB */

static bool dax_unreachable(const dg_error *err)
{
    return err && !strcmp(err->type, DG_DAX_UNREACHABLE);
}

static void note_fallback(dg_store *s, const dg_error *err)
{
    dg_dax_client_note_fallback(s->dax);
    uint64_t n = dg_dax_client_stats(s->dax)->read_fallbacks;
    if ((n & (n - 1)) == 0) /* 1, 2, 4, ...: visible, not a flood */
        fprintf(stderr, "dynagen: %s; read served by DynamoDB (dax_read_fallbacks=%llu)\n",
                err ? err->message : "DAX unreachable", (unsigned long long)n);
}

static int s_get_item(dg_store *s, const dg_ddb_get *g, dg_ddb_result *res, dg_error *err)
{
    if (s->dax && !g->consistent) {
        int rc = dg_dax_get_item(s->dax, g, res, err);
        if (!rc || !dax_unreachable(err))
            return rc;
        note_fallback(s, err);
        dg_error_clear(err);
    }
    return dg_ddb_get_item(s->ddb, g, res, err);
}

static int s_query_page(dg_store *s, const dg_ddb_query *q, dg_ddb_result *res, dg_error *err)
{
    if (s->dax && !q->consistent) {
        int rc = dg_dax_query_page(s->dax, q, res, err);
        if (!rc || !dax_unreachable(err))
            return rc;
        note_fallback(s, err);
        dg_error_clear(err);
    }
    return dg_ddb_query_page(s->ddb, q, res, err);
}

/* Writes: through DAX when configured, never also to DynamoDB. */
static int s_put_item(dg_store *s, const dg_ddb_write *w, dg_ddb_result *res, dg_error *err)
{
    return s->dax ? dg_dax_put_item(s->dax, w, res, err) : dg_ddb_put_item(s->ddb, w, res, err);
}

static int s_delete_item(dg_store *s, const dg_ddb_write *w, dg_ddb_result *res, dg_error *err)
{
    return s->dax ? dg_dax_delete_item(s->dax, w, res, err)
                  : dg_ddb_delete_item(s->ddb, w, res, err);
}

/* Key JSON of key_obj with the sort key (if any) replaced by `version`
 * (versioned tables) or taken as is. */
static int key_json(dg_store *s, const void *key_obj, bool set_version, int64_t version,
                    dg_buf *out, dg_error *err)
{
    const dg_object_desc *d = s->t->item;
    void *tmp = malloc(d->size);
    if (!tmp)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    memcpy(tmp, key_obj, d->size);
    if (set_version)
        set_int(tmp, d, (uint32_t)s->t->sort_field, version);
    int rc = dg_ddb_marshal_key(s->t, tmp, out, err);
    free(tmp);
    return rc;
}

static bool is_index_key_attr(const dg_store *s, const char *attr)
{
    const dg_table_desc *t = s->t;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const dg_index_desc *ix = &t->indexes[i];
        int32_t fld = ix->local ? ix->sort_field : ix->partition_field;
        if (fld >= 0 && !strcmp(t->item->fields[fld].attr, attr))
            return true;
    }
    return false;
}

/* History items stay out of the indexes: move their index-key attributes
 * into the reserved map. Rewrites json in place (cJSON round trip; writes only). */
static int hide_index_keys(dg_store *s, dg_buf *json, dg_error *err)
{
    if (!s->t->index_count)
        return 0;
    cJSON *root = cJSON_ParseWithLength(json->data, json->len);
    if (!root)
        return dg_error_set(err, DG_EINTERNAL, NULL, "history item: cannot re-parse own JSON");
    cJSON *keys = cJSON_CreateObject();
    cJSON *it = root->child;
    while (it) {
        cJSON *next = it->next;
        if (is_index_key_attr(s, it->string)) {
            cJSON_DetachItemViaPointer(root, it);
            cJSON_AddItemToObject(keys, it->string, it);
        }
        it = next;
    }
    int rc = 0;
    if (keys->child) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToObject(m, "M", keys);
        cJSON_AddItemToObject(root, DG_STORE_KEYS_ATTR, m);
        char *p = cJSON_PrintUnformatted(root);
        if (!p) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        } else {
            dg_buf_reset(json);
            rc = dg_buf_puts(json, p);
            free(p);
        }
    } else {
        cJSON_Delete(keys);
    }
    cJSON_Delete(root);
    return rc;
}

/* Undo hide_index_keys on a read item (cJSON, in place). */
static void restore_index_keys(cJSON *item)
{
    cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(item, DG_STORE_KEYS_ATTR);
    if (!m)
        return;
    cJSON *keys = cJSON_GetObjectItemCaseSensitive(m, "M");
    if (cJSON_IsObject(keys)) {
        cJSON *it = keys->child;
        while (it) {
            cJSON *next = it->next;
            cJSON_DetachItemViaPointer(keys, it);
            if (!cJSON_GetObjectItemCaseSensitive(item, it->string))
                cJSON_AddItemToObject(item, it->string, it);
            else
                cJSON_Delete(it);
            it = next;
        }
    }
    cJSON_Delete(m);
}

static bool read_latest(const cJSON *item, int64_t *latest)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(item, DG_STORE_LATEST_ATTR);
    const cJSON *n = l ? cJSON_GetObjectItemCaseSensitive(l, "N") : NULL;
    if (!cJSON_IsString(n))
        return false;
    return dg_int_parse(n->valuestring, strlen(n->valuestring), 0, INT64_MAX, latest, NULL, NULL) ==
           0;
}

static bool expired(const dg_store *s, const void *obj)
{
    int32_t ttl = s->t->ttl_field;
    if (ttl < 0 || !dg_is_present(s->t->item, obj, (uint32_t)ttl))
        return false;
    int64_t at = *(const int64_t *)fcptr(obj, &s->t->item->fields[ttl]);
    return at > 0 && at * 1000 <= now_ms(s);
}

/* Decode a read item: restore hidden keys, unmarshal, set the version field
 * of a current item to its latest version. */
static int decode_item(dg_store *s, cJSON *item, void *out, dg_arena *a, dg_error *err)
{
    restore_index_keys(item);
    memset(out, 0, s->t->item->size);
    int rc = dg_ddb_unmarshal_cjson(s->t->item, item, out, a, err);
    if (rc)
        return rc;
    int64_t latest;
    if (s->t->versioned && read_latest(item, &latest))
        set_int(out, s->t->item, (uint32_t)s->t->sort_field, latest);
    return 0;
}

/* Item JSON of obj as the current copy (version field = current, plus the
 * latest-version attribute) or as history (version field = v, keys hidden). */
static int item_json(dg_store *s, void *obj, bool current, int64_t v, dg_buf *out, dg_error *err)
{
    const dg_object_desc *d = s->t->item;
    if (s->t->versioned)
        set_int(obj, d, (uint32_t)s->t->sort_field, current ? s->t->current_version : v);
    dg_buf_reset(out);
    int rc = dg_ddb_marshal(d, obj, out, err);
    if (s->t->versioned)
        set_int(obj, d, (uint32_t)s->t->sort_field, v);
    if (rc)
        return rc;
    if (current && s->t->versioned) {
        if (out->len < 2 || out->data[out->len - 1] != '}')
            return dg_error_set(err, DG_EINTERNAL, NULL, "marshal produced no object");
        out->len--; /* drop '}' */
        dg_buf_printf(out, ",\"" DG_STORE_LATEST_ATTR "\":{\"N\":\"%lld\"}}", (long long)v);
        return dg_buf_status(out);
    }
    if (!current)
        return hide_index_keys(s, out, err);
    return 0;
}

static int cmp_str_items(const void *x, const void *y)
{
    const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
    return strcmp(a->valuestring ? a->valuestring : "", b->valuestring ? b->valuestring : "");
}

/* DynamoDB normalises numbers ("19.90" -> "19.9") and keeps sets in its own
 * order: bring an AttributeValue tree to that form before comparing. */
static bool normalize_av(cJSON *node, dg_arena *a)
{
    for (cJSON *it = node ? node->child : NULL; it; it = it->next) {
        if (it->string && (!strcmp(it->string, "N")) && cJSON_IsString(it)) {
            dg_str c;
            dg_error e;
            if (dg_number_canonical(it->valuestring, strlen(it->valuestring), a, &c, NULL, &e))
                return false;
            char *t = dg_arena_strndup(a, c.ptr, c.len);
            if (!t || !cJSON_SetValuestring(it, t))
                return false;
        } else if (it->string &&
                   (!strcmp(it->string, "SS") || !strcmp(it->string, "NS") ||
                    !strcmp(it->string, "BS")) &&
                   cJSON_IsArray(it)) {
            int n = cJSON_GetArraySize(it);
            if (n <= 0)
                continue;
            cJSON **v = malloc((size_t)n * sizeof *v);
            if (!v)
                return false;
            int k = 0;
            while (it->child)
                v[k++] = cJSON_DetachItemViaPointer(it, it->child);
            if (!strcmp(it->string, "NS"))
                for (int i = 0; i < n; i++) {
                    dg_str c;
                    dg_error e;
                    if (cJSON_IsString(v[i]) &&
                        !dg_number_canonical(v[i]->valuestring, strlen(v[i]->valuestring), a, &c,
                                             NULL, &e)) {
                        char *t = dg_arena_strndup(a, c.ptr, c.len);
                        if (t)
                            cJSON_SetValuestring(v[i], t);
                    }
                }
            qsort(v, (size_t)n, sizeof *v, cmp_str_items);
            for (int i = 0; i < n; i++)
                cJSON_AddItemToArray(it, v[i]);
            free(v);
        } else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            if (!normalize_av(it, a))
                return false;
        }
    }
    return true;
}

static bool same_item(const char *json, const cJSON *item)
{
    if (!item)
        return false;
    cJSON *mine = cJSON_Parse(json);
    cJSON *theirs = cJSON_Duplicate(item, true);
    dg_arena *a = dg_arena_new(0);
    bool eq = mine && theirs && a && normalize_av(mine, a) && normalize_av(theirs, a) &&
              cJSON_Compare(mine, theirs, true);
    cJSON_Delete(mine);
    cJSON_Delete(theirs);
    dg_arena_destroy(a);
    return eq;
}

/* ---------------------------------------------------------------- init */

int dg_store_init(dg_store *s, const dg_table_desc *t, const char *table_name, dg_ddb_client *ddb,
                  dg_error *err)
{
    memset(s, 0, sizeof *s);
    if (!t || !ddb)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_store_init: NULL table or client");
    if (t->versioned &&
        (t->sort_field < 0 || (t->item->fields[t->sort_field].type != DG_TYPE_INT64 &&
                               t->item->fields[t->sort_field].type != DG_TYPE_INT32)))
        return dg_error_set(err, DG_EINVAL, NULL, "versioned table needs an integer sort key");
    const char *name = table_name;
    char var[96];
    snprintf(var, sizeof var, "TABLE_NAME_%s", t->item->name);
    for (char *p = var; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    if (!name || !*name)
        name = getenv(var); /* TABLE_NAME_PRODUCT: one per table (Terraform sets them) */
    if (!name || !*name)
        name = getenv("TABLE_NAME");
    if (!name || !*name)
        name = t->table_name;
    s->table_name = strdup(name);
    if (!s->table_name)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    s->t = t;
    s->ddb = ddb;
    const char *secret = getenv("DYNAGEN_CURSOR_SECRET");
    if (secret && *secret) {
        SHA256((const unsigned char *)secret, strlen(secret), s->cursor_key);
    } else {
        static int warned;
        char seed[512];
        snprintf(seed, sizeof seed, "dynagen default cursor key for %s", s->table_name);
        SHA256((const unsigned char *)seed, strlen(seed), s->cursor_key);
        if (!warned++ && getenv("AWS_LAMBDA_FUNCTION_NAME"))
            fprintf(stderr, "dynagen: warning: DYNAGEN_CURSOR_SECRET is not set; paging cursors "
                            "are signed with a default key anyone can compute\n");
    }
    return 0;
}

void dg_store_clean_up(dg_store *s)
{
    if (!s)
        return;
    free(s->table_name);
    s->table_name = NULL;
    if (s->owns_dax)
        dg_dax_client_destroy(s->dax);
    s->dax = NULL;
    s->owns_dax = false;
}

void dg_store_set_dax(dg_store *s, struct dg_dax_client *dax, bool owned)
{
    if (s->owns_dax && s->dax != dax)
        dg_dax_client_destroy(s->dax);
    s->dax = dax;
    s->owns_dax = dax && owned;
}

/* ---------------------------------------------------------------- writes */

static void fill_generated(dg_store *s, void *obj, bool creating, dg_arena *a, dg_error *err,
                           int *rc)
{
    const dg_object_desc *d = s->t->item;
    int64_t now = now_ms(s);
    for (uint32_t i = 0; i < d->field_count && !*rc; i++) {
        const dg_field_desc *f = &d->fields[i];
        switch (f->generate) {
        case DG_GEN_UUID:
            if (creating && !dg_is_present(d, obj, i)) {
                char *u = dg_arena_alloc(a, 37);
                if (!u) {
                    *rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
                    break;
                }
                *rc = dg_uuid_v4(u, err);
                *(dg_str *)fptr(obj, f) = (dg_str){u, 36};
                dg_set_present(d, obj, i, true);
            }
            break;
        case DG_GEN_CREATED:
            if (creating) {
                *(int64_t *)fptr(obj, f) = now;
                dg_set_present(d, obj, i, true);
            }
            break;
        case DG_GEN_UPDATED:
            *(int64_t *)fptr(obj, f) = now;
            dg_set_present(d, obj, i, true);
            break;
        default:
            break;
        }
    }
}

static int put(dg_store *s, const char *item, const char *cond, dg_ddb_expr *e, dg_ddb_result *res,
               dg_error *err)
{
    dg_ddb_write w = {.table = s->table_name,
                      .item = item,
                      .condition = cond,
                      .expr = e,
                      .return_old_on_condition_failure = true};
    return s_put_item(s, &w, res, err);
}

/* Put an immutable history item; an existing one (back-filled by another
 * writer, or our own earlier attempt) is fine: its content is fixed by the commit. */
static int put_history(dg_store *s, const char *item, dg_error *err)
{
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char cond[96];
    snprintf(cond, sizeof cond, "attribute_not_exists(%s)",
             dg_ddb_expr_name(&e, pk_field(s)->attr));
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_ddb_write w = {.table = s->table_name, .item = item, .condition = cond, .expr = &e};
    int rc = s_put_item(s, &w, &res, err);
    if (rc == DG_ECONFLICT) {
        dg_error_clear(err);
        rc = 0;
    }
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    return rc;
}

int dg_store_create(dg_store *s, void *obj, dg_arena *a, dg_store_write *w, dg_error *err)
{
    dg_store_write wl = {0, -1, 0};
    if (!w)
        w = &wl;
    *w = wl;
    int rc = 0;
    fill_generated(s, obj, true, a, err, &rc);
    if (rc)
        return rc;
    if (s->t->versioned)
        set_int(obj, s->t->item, (uint32_t)s->t->sort_field, 1);
    if ((rc = dg_validate(s->t->item, obj, err)))
        return rc;
    dg_buf cur = DG_BUF_INIT, hist = DG_BUF_INIT;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    if ((rc = item_json(s, obj, true, 1, &cur, err)))
        goto out;
    char cond[96];
    snprintf(cond, sizeof cond, "attribute_not_exists(%s)",
             dg_ddb_expr_name(&e, pk_field(s)->attr));
    rc = put(s, cur.data, cond, &e, &res, err);
    w->attempts = res.attempts;
    if (rc == DG_ECONFLICT && res.ambiguous_retry && same_item(cur.data, res.item)) {
        dg_error_clear(err); /* our earlier attempt applied */
        rc = 0;
    }
    if (rc == DG_ECONFLICT)
        dg_error_set(err, DG_ECONFLICT, pk_field(s)->name, "an item with this key already exists");
    if (rc)
        goto out;
    w->version = s->t->versioned ? 1 : 0;
    if (!s->t->versioned)
        goto out;
    if ((rc = fault(s, "create:after_commit", err)))
        goto out;
    if ((rc = item_json(s, obj, false, 1, &hist, err)))
        goto out;
    rc = put_history(s, hist.data, err);
out:
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&cur);
    dg_buf_free(&hist);
    return rc;
}

/* GetItem of (key, version) into a cJSON item owned by res; NULL item when absent. */
static int get_raw(dg_store *s, const void *key_obj, bool set_version, int64_t version,
                   bool consistent, const char *projection, dg_ddb_expr *e, dg_ddb_result *res,
                   dg_error *err)
{
    dg_buf key = DG_BUF_INIT;
    int rc = key_json(s, key_obj, set_version, version, &key, err);
    if (!rc) {
        dg_ddb_get g = {.table = s->table_name,
                        .key = key.data,
                        .consistent = consistent,
                        .projection = projection,
                        .expr = e};
        rc = s_get_item(s, &g, res, err);
    }
    dg_buf_free(&key);
    return rc;
}

int dg_store_get(dg_store *s, const void *key_obj, bool consistent, void *out, dg_arena *a,
                 dg_error *err)
{
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    int rc = get_raw(s, key_obj, s->t->versioned, s->t->current_version, consistent, NULL, NULL,
                     &res, err);
    if (!rc && !res.item)
        rc = dg_error_set(err, DG_ENOTFOUND, NULL, "not found");
    if (!rc)
        rc = decode_item(s, (cJSON *)res.item, out, a, err);
    if (!rc && expired(s, out))
        rc = dg_error_set(err, DG_ENOTFOUND, NULL, "not found (expired)");
    dg_ddb_result_clean_up(&res);
    return rc;
}

int dg_store_get_version(dg_store *s, const void *key_obj, int64_t version, void *out, dg_arena *a,
                         dg_error *err)
{
    if (!s->t->versioned)
        return dg_error_set(err, DG_EUNSUPPORTED, NULL, "table %s has no versioning",
                            s->t->table_name);
    if (version <= s->t->current_version)
        return dg_error_set(err, DG_EINVAL, "version", "version must be >= 1");
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    int rc = get_raw(s, key_obj, true, version, false, NULL, NULL, &res, err);
    if (!rc && res.item) {
        rc = decode_item(s, (cJSON *)res.item, out, a, err);
        if (!rc && expired(s, out))
            rc = dg_error_set(err, DG_ENOTFOUND, "version", "version %lld not found (expired)",
                              (long long)version);
        goto done;
    }
    if (rc)
        goto done;
    /* missing: committed but not yet copied (crash between the two writes)? */
    dg_ddb_result_clean_up(&res);
    rc = get_raw(s, key_obj, true, s->t->current_version, true, NULL, NULL, &res, err);
    int64_t latest;
    if (!rc && res.item && read_latest(res.item, &latest) && latest == version) {
        rc = decode_item(s, (cJSON *)res.item, out, a, err);
        if (!rc && expired(s, out))
            rc = dg_error_set(err, DG_ENOTFOUND, "version", "version %lld not found (expired)",
                              (long long)version);
    } else if (!rc)
        rc = dg_error_set(err, DG_ENOTFOUND, "version", "version %lld not found",
                          (long long)version);
done:
    dg_ddb_result_clean_up(&res);
    return rc;
}

/* Back-fill the history item (id, latest) from the current item when missing. */
static int backfill(dg_store *s, const void *key_obj, cJSON *cur_item, int64_t latest, dg_arena *a,
                    dg_error *err)
{
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    const char *proj = dg_ddb_expr_name(&e, pk_field(s)->attr);
    int rc = get_raw(s, key_obj, true, latest, true, proj, &e, &res, err);
    bool missing = !rc && !res.item;
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    if (rc || !missing)
        return rc;
    void *tmp = dg_arena_alloc(a, s->t->item->size);
    if (!tmp)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    cJSON *copy = cJSON_Duplicate(cur_item, true);
    if (!copy)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    rc = decode_item(s, copy, tmp, a, err);
    cJSON_Delete(copy);
    dg_buf hist = DG_BUF_INIT;
    if (!rc)
        rc = item_json(s, tmp, false, latest, &hist, err);
    if (!rc)
        rc = put_history(s, hist.data, err);
    dg_buf_free(&hist);
    return rc;
}

int dg_store_update(dg_store *s, void *obj, dg_arena *a, dg_store_write *w, dg_error *err)
{
    dg_store_write wl = {0, -1, 0};
    if (!w)
        w = &wl;
    *w = wl;
    const dg_object_desc *d = s->t->item;
    int rc = 0;
    dg_buf cur = DG_BUF_INIT, hist = DG_BUF_INIT;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_ddb_result res, rd;
    dg_ddb_result_init(&res);
    dg_ddb_result_init(&rd);
    int64_t expected = -1, latest = 0;

    if (s->t->versioned) {
        if (!dg_is_present(d, obj, (uint32_t)s->t->sort_field))
            return dg_error_set(err, DG_EINVAL, sk_field(s)->name,
                                "%s: the version you read is required to update",
                                sk_field(s)->name);
        expected = get_int(obj, sk_field(s));
    }
    /* the current item: its latest version and the generated values to keep */
    rc = get_raw(s, obj, s->t->versioned, s->t->current_version, true, NULL, NULL, &rd, err);
    if (!rc && !rd.item)
        rc = dg_error_set(err, DG_ENOTFOUND, NULL, "not found");
    if (rc)
        goto out;
    void *old = dg_arena_alloc(a, d->size);
    if (!old) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    cJSON *cur_copy = cJSON_Duplicate(rd.item, true);
    rc = cur_copy ? decode_item(s, cur_copy, old, a, err)
                  : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    cJSON_Delete(cur_copy);
    if (rc)
        goto out;
    if (expired(s, old)) {
        rc = dg_error_set(err, DG_ENOTFOUND, NULL, "not found (expired)");
        goto out;
    }
    for (uint32_t i = 0; i < d->field_count; i++) /* keep what the service generated at create */
        if ((d->fields[i].generate == DG_GEN_CREATED || d->fields[i].generate == DG_GEN_UUID) &&
            dg_is_present(d, old, i)) {
            memcpy(fptr(obj, &d->fields[i]), fcptr(old, &d->fields[i]), d->fields[i].size);
            dg_set_present(d, obj, i, true);
        }
    fill_generated(s, obj, false, a, err, &rc);
    if (rc)
        goto out;
    if (s->t->versioned) {
        if (!read_latest(rd.item, &latest)) {
            rc = dg_error_set(err, DG_EINTERNAL, NULL, "current item has no %s",
                              DG_STORE_LATEST_ATTR);
            goto out;
        }
        if (latest != expected) {
            w->current_version = latest;
            rc = dg_error_set(err, DG_ECONFLICT, sk_field(s)->name,
                              "version %lld is not the current version %lld", (long long)expected,
                              (long long)latest);
            goto out;
        }
        if ((rc = backfill(s, obj, (cJSON *)rd.item, latest, a, err)))
            goto out;
        set_int(obj, d, (uint32_t)s->t->sort_field, latest + 1);
    }
    if ((rc = dg_validate(d, obj, err)))
        goto out;
    if ((rc = item_json(s, obj, true, latest + 1, &cur, err)))
        goto out;
    char cond[160];
    if (s->t->versioned) {
        char val[48];
        snprintf(val, sizeof val, "{\"N\":\"%lld\"}", (long long)latest);
        const char *n = dg_ddb_expr_name(&e, DG_STORE_LATEST_ATTR);
        snprintf(cond, sizeof cond, "%s = %s", n, dg_ddb_expr_value(&e, val));
    } else {
        snprintf(cond, sizeof cond, "attribute_exists(%s)",
                 dg_ddb_expr_name(&e, pk_field(s)->attr));
    }
    rc = put(s, cur.data, cond, &e, &res, err);
    w->attempts = res.attempts;
    if (rc == DG_ECONFLICT && res.ambiguous_retry && same_item(cur.data, res.item)) {
        dg_error_clear(err);
        rc = 0;
    }
    if (rc == DG_ECONFLICT) {
        int64_t now_latest;
        if (!res.item) {
            rc = dg_error_set(err, DG_ENOTFOUND, NULL, "not found (deleted meanwhile)");
        } else if (s->t->versioned && read_latest(res.item, &now_latest)) {
            w->current_version = now_latest;
            dg_error_set(err, DG_ECONFLICT, sk_field(s)->name,
                         "version %lld was superseded by version %lld", (long long)expected,
                         (long long)now_latest);
        }
    }
    if (rc)
        goto out;
    w->version = latest + 1;
    if (!s->t->versioned)
        goto out;
    if ((rc = fault(s, "update:after_commit", err)))
        goto out;
    if ((rc = item_json(s, obj, false, latest + 1, &hist, err)))
        goto out;
    rc = put_history(s, hist.data, err);
out:
    dg_ddb_result_clean_up(&res);
    dg_ddb_result_clean_up(&rd);
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&cur);
    dg_buf_free(&hist);
    return rc;
}

int dg_store_delete(dg_store *s, const void *key_obj, int64_t expected_version, dg_store_write *w,
                    dg_error *err)
{
    dg_store_write wl = {0, -1, 0};
    if (!w)
        w = &wl;
    *w = wl;
    dg_buf key = DG_BUF_INIT;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    int rc = key_json(s, key_obj, s->t->versioned, s->t->current_version, &key, err);
    if (rc)
        goto out;
    char cond[200];
    int n = snprintf(cond, sizeof cond, "attribute_exists(%s)",
                     dg_ddb_expr_name(&e, pk_field(s)->attr));
    if (s->t->versioned && expected_version >= 0) {
        char val[48];
        snprintf(val, sizeof val, "{\"N\":\"%lld\"}", (long long)expected_version);
        const char *ln = dg_ddb_expr_name(&e, DG_STORE_LATEST_ATTR);
        snprintf(cond + n, sizeof cond - (size_t)n, " AND %s = %s", ln, dg_ddb_expr_value(&e, val));
    }
    dg_ddb_write dw = {.table = s->table_name,
                       .key = key.data,
                       .condition = cond,
                       .expr = &e,
                       .return_old_on_condition_failure = true};
    rc = s_delete_item(s, &dw, &res, err);
    w->attempts = res.attempts;
    if (rc == DG_ECONFLICT) {
        int64_t latest;
        if (!res.item) {
            /* gone: a retry after our own unanswered attempt also lands here */
            rc = res.ambiguous_retry ? 0 : dg_error_set(err, DG_ENOTFOUND, NULL, "not found");
            if (!rc)
                dg_error_clear(err);
        } else if (s->t->versioned && read_latest(res.item, &latest)) {
            w->current_version = latest;
            dg_error_set(err, DG_ECONFLICT, sk_field(s)->name,
                         "version %lld is not the current version %lld",
                         (long long)expected_version, (long long)latest);
        }
    }
out:
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&key);
    return rc;
}

/* ---------------------------------------------------------------- cursors */

static void mac(const dg_store *s, const char *scope, const char *payload, size_t n,
                unsigned char out[32])
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, s->table_name);
    dg_buf_putc(&b, '\n');
    dg_buf_puts(&b, scope);
    dg_buf_putc(&b, '\n');
    dg_buf_append(&b, payload, n);
    unsigned int len = 32;
    HMAC(EVP_sha256(), s->cursor_key, 32, (const unsigned char *)(b.data ? b.data : ""), b.len, out,
         &len);
    dg_buf_free(&b);
}

static char *make_cursor(const dg_store *s, const char *scope, const cJSON *last_key, dg_arena *a)
{
    char *p = cJSON_PrintUnformatted(last_key);
    if (!p)
        return NULL;
    unsigned char m[32];
    mac(s, scope, p, strlen(p), m);
    dg_buf b = DG_BUF_INIT;
    dg_base64url_encode(&b, (const uint8_t *)p, strlen(p));
    dg_buf_putc(&b, '.');
    dg_base64url_encode(&b, m, 16);
    free(p);
    char *r = dg_buf_status(&b) ? NULL : dg_arena_strndup(a, b.data, b.len);
    dg_buf_free(&b);
    return r;
}

/* Verify and decode a cursor into the ExclusiveStartKey JSON (arena). */
static int read_cursor(const dg_store *s, const char *scope, const char *cursor, dg_arena *a,
                       char **out, dg_error *err)
{
    size_t n = strlen(cursor);
    const char *dot = memchr(cursor, '.', n);
    if (!dot || n > 8192)
        return dg_error_set(err, DG_EINVAL, "cursor", "invalid cursor");
    dg_bytes payload, sig;
    dg_error scratch;
    if (dg_base64url_decode(cursor, (size_t)(dot - cursor), a, &payload, "cursor", &scratch) ||
        dg_base64url_decode(dot + 1, n - (size_t)(dot - cursor) - 1, a, &sig, "cursor", &scratch) ||
        sig.len != 16)
        return dg_error_set(err, DG_EINVAL, "cursor", "invalid cursor");
    unsigned char m[32];
    mac(s, scope, (const char *)payload.ptr, payload.len, m);
    unsigned char diff = 0;
    for (int i = 0; i < 16; i++)
        diff |= (unsigned char)(m[i] ^ sig.ptr[i]);
    if (diff)
        return dg_error_set(err, DG_EINVAL, "cursor", "invalid cursor (not issued for this query)");
    *out = dg_arena_strndup(a, (const char *)payload.ptr, payload.len);
    return *out ? 0 : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
}

/* ---------------------------------------------------------------- listings */

static int page_alloc(dg_store *s, dg_store_page *page, size_t n, dg_arena *a, dg_error *err)
{
    page->items = dg_arena_calloc(a, n ? n : 1, s->t->item->size);
    page->count = 0;
    page->next_cursor = NULL;
    return page->items ? 0 : dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
}

static void *page_slot(dg_store *s, dg_store_page *page)
{
    return (char *)page->items + page->count * s->t->item->size;
}

static int run_query(dg_store *s, dg_ddb_query *q, const char *scope, const char *cursor,
                     dg_arena *a, dg_ddb_result *res, dg_error *err)
{
    char *start = NULL;
    int rc;
    if (cursor && *cursor && (rc = read_cursor(s, scope, cursor, a, &start, err)))
        return rc;
    q->start_key = start;
    return s_query_page(s, q, res, err);
}

int dg_store_list_versions(dg_store *s, const void *key_obj, const char *cursor, int limit,
                           dg_store_page *page, dg_arena *a, dg_error *err)
{
    if (!s->t->versioned)
        return dg_error_set(err, DG_EUNSUPPORTED, NULL, "table %s has no versioning",
                            s->t->table_name);
    if (limit < 1 || limit > 1000)
        return dg_error_set(err, DG_EINVAL, "limit", "limit must be between 1 and 1000");
    int rc = page_alloc(s, page, (size_t)limit, a, err);
    if (rc)
        return rc;
    dg_ddb_result cur, res;
    dg_ddb_result_init(&cur);
    dg_ddb_result_init(&res);
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_buf pkv = DG_BUF_INIT;
    int64_t latest = -1;
    bool first = !cursor || !*cursor;
    if ((rc =
             dg_ddb_marshal_field(s->t->item, key_obj, (uint32_t)s->t->partition_field, &pkv, err)))
        goto out;
    if (first) {
        rc = get_raw(s, key_obj, true, s->t->current_version, false, NULL, NULL, &cur, err);
        if (rc)
            goto out;
        if (cur.item)
            read_latest(cur.item, &latest);
    }
    char kc[160], zero[48];
    snprintf(zero, sizeof zero, "{\"N\":\"%lld\"}", (long long)s->t->current_version);
    const char *pn = dg_ddb_expr_name(&e, pk_field(s)->attr);
    const char *pv = dg_ddb_expr_value(&e, pkv.data);
    const char *sn = dg_ddb_expr_name(&e, sk_field(s)->attr);
    snprintf(kc, sizeof kc, "%s = %s AND %s > %s", pn, pv, sn, dg_ddb_expr_value(&e, zero));
    /* Strongly consistent (so past DAX's query cache, which only expires by
     * its TTL): a history read from a stale cache could show a gap. */
    dg_ddb_query q = {.table = s->table_name,
                      .key_condition = kc,
                      .expr = &e,
                      .limit = limit,
                      .forward = false,
                      .consistent = true};
    char *scope = dg_arena_strndup(a, pkv.data, pkv.len);
    if ((rc = run_query(s, &q, scope, cursor, a, &res, err)))
        goto out;
    const cJSON *items = res.items;
    int64_t newest = -1;
    if (items && cJSON_GetArraySize(items) > 0) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(items->child, sk_field(s)->attr);
        const cJSON *nv = v ? cJSON_GetObjectItemCaseSensitive(v, "N") : NULL;
        if (cJSON_IsString(nv))
            dg_int_parse(nv->valuestring, strlen(nv->valuestring), INT64_MIN, INT64_MAX, &newest,
                         NULL, NULL);
    }
    if (first && latest > 0 && newest < latest) {
        /* the newest version was committed but its history copy is missing */
        void *slot = page_slot(s, page);
        if ((rc = decode_item(s, (cJSON *)cur.item, slot, a, err)))
            goto out;
        if (!expired(s, slot))
            page->count++;
    }
    for (cJSON *it = items ? items->child : NULL; it && page->count < (size_t)limit;
         it = it->next) {
        void *slot = page_slot(s, page);
        if ((rc = decode_item(s, it, slot, a, err)))
            goto out;
        if (!expired(s, slot))
            page->count++;
    }
    if (res.last_key)
        page->next_cursor = make_cursor(s, scope, res.last_key, a);
out:
    dg_ddb_result_clean_up(&cur);
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    dg_buf_free(&pkv);
    return rc;
}

int dg_store_query_index(dg_store *s, const dg_index_desc *ix, const void *key_obj,
                         const char *cursor, int limit, bool forward, dg_store_page *page,
                         dg_arena *a, dg_error *err)
{
    if (limit < 1 || limit > 1000)
        return dg_error_set(err, DG_EINVAL, "limit", "limit must be between 1 and 1000");
    const dg_object_desc *d = s->t->item;
    const dg_field_desc *pf = &d->fields[ix->partition_field];
    if (!dg_is_present(d, key_obj, (uint32_t)ix->partition_field))
        return dg_error_set(err, DG_EINVAL, pf->name, "%s: required to list by %s", pf->name,
                            ix->name);
    int rc = page_alloc(s, page, (size_t)limit, a, err);
    if (rc)
        return rc;
    /* the partition value as an AttributeValue; an empty one is never indexed */
    const void *pvv = fcptr(key_obj, pf);
    if ((pf->type == DG_TYPE_STRING && ((const dg_str *)pvv)->len == 0) ||
        (pf->type == DG_TYPE_BINARY && ((const dg_bytes *)pvv)->len == 0))
        return dg_error_set(err, DG_EINVAL, pf->name, "%s: empty values are not indexed", pf->name);
    dg_buf one = DG_BUF_INIT;
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    if ((rc = dg_ddb_marshal_field(d, key_obj, (uint32_t)ix->partition_field, &one, err)))
        goto out;
    const char *pv = one.data;
    char kc[96];
    snprintf(kc, sizeof kc, "%s = %s", dg_ddb_expr_name(&e, pf->attr), dg_ddb_expr_value(&e, pv));
    dg_ddb_query q = {.table = s->table_name,
                      .index = ix->name,
                      .key_condition = kc,
                      .expr = &e,
                      .limit = limit,
                      .forward = forward};
    size_t sl = strlen(ix->name) + strlen(pv) + 2;
    char *scope = dg_arena_alloc(a, sl);
    if (!scope) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    snprintf(scope, sl, "%s\n%s", ix->name, pv);
    if ((rc = run_query(s, &q, scope, cursor, a, &res, err)))
        goto out;
    for (cJSON *it = res.items ? res.items->child : NULL; it; it = it->next) {
        void *slot = page_slot(s, page);
        if ((rc = decode_item(s, it, slot, a, err)))
            goto out;
        if (!expired(s, slot))
            page->count++;
    }
    if (res.last_key)
        page->next_cursor = make_cursor(s, scope, res.last_key, a);
out:
    dg_buf_free(&one);
    dg_ddb_expr_clean_up(&e);
    dg_ddb_result_clean_up(&res);
    return rc;
}
