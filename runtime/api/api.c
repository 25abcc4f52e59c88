/* dynagen runtime — generic HTTP handlers over a generated model's store.
 * See dynagen/api.h for the routes and status codes. */
#include "dynagen/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/dax.h"
#include "dynagen/decimal.h"

/* ---------------------------------------------------------------- small helpers */

static const dg_object_desc *item_desc(const dg_api_table *t)
{
    return t->store.t->item;
}

static void *new_item(const dg_api_table *t, dg_arena *a)
{
    return dg_arena_calloc(a, 1, item_desc(t)->size);
}

static int bad_request(dg_http_response *res, const dg_error *err)
{
    return dg_http_error(res, 400, "bad_request", err->message, err->field[0] ? err->field : NULL)
               ? DG_ENOMEM
               : 0;
}

/* A schema rule broken by a well-formed body: 422. A remote service's
 * rejection (type set) is not the caller's fault: the generic mapping. */
static int rejected(const dg_http_request *req, dg_http_response *res, const dg_error *err)
{
    if (err->code == DG_EINVAL && !err->type[0]) {
        dg_http_error(res, 422, "unprocessable", err->message, err->field[0] ? err->field : NULL);
        return 0;
    }
    dg_http_fail(req, res, err);
    return 0;
}

/* Set field idx of obj from its text form (a path or query parameter). */
static int set_from_text(const dg_object_desc *d, int32_t idx, void *obj, const char *text,
                         dg_arena *a, dg_error *err)
{
    const dg_field_desc *f = &d->fields[idx];
    void *v = (char *)obj + f->offset;
    size_t n = strlen(text);
    int rc = 0;
    switch (f->type) {
    case DG_TYPE_STRING:
        *(dg_str *)v = (dg_str){text, n};
        break;
    case DG_TYPE_INT32: {
        int64_t x;
        rc = dg_int_parse(text, n, INT32_MIN, INT32_MAX, &x, f->name, err);
        if (!rc)
            *(int32_t *)v = (int32_t)x;
        break;
    }
    case DG_TYPE_INT64:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
        rc = dg_int_parse(text, n, INT64_MIN, INT64_MAX, (int64_t *)v, f->name, err);
        break;
    case DG_TYPE_DECIMAL:
        rc = dg_decimal_parse(text, n, f->scale, (int64_t *)v, f->name, err);
        break;
    case DG_TYPE_BINARY:
        rc = dg_base64url_decode(text, n, a, (dg_bytes *)v, f->name, err) /* as in Location */;
        break;
    default:
        rc = dg_error_set(err, DG_EINVAL, f->name, "%s: cannot be given in a URL", f->name);
    }
    if (!rc)
        dg_set_present(d, obj, (uint32_t)idx, true);
    return rc;
}

/* The key object for the {id} path parameter. */
static int key_from_path(dg_api_table *t, const dg_http_request *req, void **out, dg_arena *a,
                         dg_error *err)
{
    const char *id = dg_http_param(req, "id");
    void *k = new_item(t, a);
    if (!k)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    if (!id)
        return dg_error_set(err, DG_EINVAL, "id", "missing id");
    int rc = set_from_text(item_desc(t), t->store.t->partition_field, k, id, a, err);
    *out = k;
    return rc;
}

/* The partition key as URL text, for Location. */
static void key_text(dg_api_table *t, const void *obj, dg_buf *out)
{
    const dg_field_desc *f = &item_desc(t)->fields[t->store.t->partition_field];
    const void *v = (const char *)obj + f->offset;
    switch (f->type) {
    case DG_TYPE_STRING: {
        const dg_str *s = v;
        for (size_t i = 0; i < s->len; i++) {
            unsigned char c = (unsigned char)s->ptr[i];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~')
                dg_buf_putc(out, (char)c);
            else
                dg_buf_printf(out, "%%%02X", c);
        }
        break;
    }
    case DG_TYPE_INT32:
        dg_buf_int64(out, *(const int32_t *)v);
        break;
    case DG_TYPE_DECIMAL:
        dg_decimal_format(out, *(const int64_t *)v, f->scale);
        break;
    case DG_TYPE_BINARY: {
        const dg_bytes *b = v;
        dg_base64url_encode(out, b->ptr, b->len);
        break;
    }
    default:
        dg_buf_int64(out, *(const int64_t *)v);
    }
}

static int64_t version_of(const dg_api_table *t, const void *obj)
{
    const dg_field_desc *f = &item_desc(t)->fields[t->store.t->sort_field];
    const void *v = (const char *)obj + f->offset;
    return f->type == DG_TYPE_INT32 ? *(const int32_t *)v : *(const int64_t *)v;
}

static void set_etag(dg_api_table *t, dg_http_response *res, const void *obj)
{
    if (!t->store.t->versioned)
        return;
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)version_of(t, obj));
    dg_http_set_header(res, "etag", etag);
}

/* One item as the response body. */
static int item_response(dg_api_table *t, dg_http_response *res, int status, const void *obj,
                         dg_error *err)
{
    dg_buf b = DG_BUF_INIT;
    int rc = dg_json_marshal(item_desc(t), obj, &b, err);
    if (!rc)
        rc = dg_http_json(res, status, b.data, b.len);
    dg_buf_free(&b);
    if (!rc)
        set_etag(t, res, obj);
    return rc;
}

static int page_response(dg_api_table *t, dg_http_response *res, const dg_store_page *pg,
                         dg_error *err)
{
    dg_buf b = DG_BUF_INIT;
    int rc = 0;
    dg_buf_puts(&b, "{\"items\":[");
    for (size_t i = 0; i < pg->count && !rc; i++) {
        if (i)
            dg_buf_putc(&b, ',');
        rc = dg_json_marshal(item_desc(t), (const char *)pg->items + i * item_desc(t)->size, &b,
                             err);
    }
    dg_buf_puts(&b, "],\"next_cursor\":");
    if (pg->next_cursor)
        dg_buf_json_string(&b, pg->next_cursor, strlen(pg->next_cursor));
    else
        dg_buf_puts(&b, "null");
    dg_buf_putc(&b, '}');
    if (!rc)
        rc = dg_buf_status(&b);
    if (!rc)
        rc = dg_http_json(res, 200, b.data, b.len);
    dg_buf_free(&b);
    return rc;
}

/* 409 with the latest committed version. */
static int conflict(dg_http_response *res, const dg_error *err, int64_t current)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"error\":{\"code\":\"conflict\",\"message\":");
    dg_buf_json_string(&b, err->message, strlen(err->message));
    if (err->field[0]) {
        dg_buf_puts(&b, ",\"field\":");
        dg_buf_json_string(&b, err->field, strlen(err->field));
    }
    if (current >= 0)
        dg_buf_printf(&b, ",\"current_version\":%lld", (long long)current);
    dg_buf_puts(&b, "}}");
    int rc = dg_buf_status(&b) ? DG_ENOMEM : dg_http_json(res, 409, b.data, b.len);
    dg_buf_free(&b);
    return rc;
}

static int parse_limit(dg_api_table *t, const dg_http_request *req, int *limit, dg_error *err)
{
    const char *s = dg_http_query(req, "limit");
    *limit = t->def->page_default > 0 ? t->def->page_default : 20;
    if (!s)
        return 0;
    int64_t v;
    int max = t->def->page_max > 0 ? t->def->page_max : 100;
    if (dg_int_parse(s, strlen(s), 1, max, &v, "limit", NULL))
        return dg_error_set(err, DG_EINVAL, "limit", "limit must be an integer from 1 to %d", max);
    *limit = (int)v;
    return 0;
}

/* If-Match: "3", W/"3" or 3. 0 ok, 1 absent, DG_EINVAL malformed. */
static int if_match(const dg_http_request *req, int64_t *v, dg_error *err)
{
    const char *s = dg_http_header(req, "if-match");
    if (!s)
        return 1;
    if (!strncmp(s, "W/", 2))
        s += 2;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
        s++, n -= 2;
    if (dg_int_parse(s, n, 0, INT64_MAX, v, "If-Match", NULL))
        return dg_error_set(err, DG_EINVAL, "If-Match",
                            "If-Match must be the ETag you read, e.g. \"3\"");
    return 0;
}

static void note_retries(const dg_http_request *req, const dg_store_write *w)
{
    if (w->attempts > 1)
        dg_http_note_retries(req, (unsigned)(w->attempts - 1));
}

/* ---------------------------------------------------------------- handlers */

int dg_api_create(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    void *obj = new_item(t, a);
    if (!obj)
        return DG_ENOMEM;
    if (t->def->init) /* the schema's defaults */
        t->def->init(obj);
    if (dg_json_unmarshal(item_desc(t), (const char *)req->body, req->body_len, 0, obj, a, &err))
        return bad_request(res, &err);
    dg_store_write w;
    int rc = dg_store_create(&t->store, obj, a, &w, &err);
    note_retries(req, &w);
    if (rc == DG_ECONFLICT) {
        dg_http_error(res, 409, "conflict", err.message, err.field[0] ? err.field : NULL);
        return 0;
    }
    if (rc)
        return rejected(req, res, &err);
    if ((rc = item_response(t, res, 201, obj, &err)))
        return rc;
    dg_buf loc = DG_BUF_INIT;
    dg_buf_puts(&loc, t->def->path);
    dg_buf_putc(&loc, '/');
    key_text(t, obj, &loc);
    if (!dg_buf_status(&loc))
        dg_http_set_header(res, "location", dg_buf_cstr(&loc));
    dg_buf_free(&loc);
    return 0;
}

int dg_api_get(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    void *k, *out = new_item(t, a);
    if (!out)
        return DG_ENOMEM;
    if (key_from_path(t, req, &k, a, &err))
        return bad_request(res, &err);
    const char *c = dg_http_query(req, "consistent");
    bool consistent = c && (!strcmp(c, "true") || !strcmp(c, "1"));
    if (c && !consistent && strcmp(c, "false") && strcmp(c, "0")) {
        dg_error_set(&err, DG_EINVAL, "consistent", "consistent must be true or false");
        return bad_request(res, &err);
    }
    int rc = dg_store_get(&t->store, k, consistent, out, a, &err);
    if (rc)
        return dg_http_fail(req, res, &err);
    return item_response(t, res, 200, out, &err);
}

int dg_api_update(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    const dg_object_desc *d = item_desc(t);
    const dg_table_desc *td = t->store.t;
    void *k, *obj = new_item(t, a);
    if (!obj)
        return DG_ENOMEM;
    if (key_from_path(t, req, &k, a, &err))
        return bad_request(res, &err);
    if (t->def->init)
        t->def->init(obj);
    if (dg_json_unmarshal(d, (const char *)req->body, req->body_len, DG_DECODE_ALLOW_READONLY, obj,
                          a, &err))
        return bad_request(res, &err);
    /* read-only fields: only the version (the one the caller read) may be sent */
    for (uint32_t i = 0; i < d->field_count; i++) {
        const dg_field_desc *f = &d->fields[i];
        if ((f->flags & DG_F_READONLY) && f->generate != DG_GEN_VERSION &&
            dg_is_present(d, obj, i) && (int32_t)i != td->partition_field) {
            dg_error_set(&err, DG_EINVAL, f->name, "%s: read-only, set by the service", f->name);
            return bad_request(res, &err);
        }
    }
    /* the key comes from the path; a key in the body must agree */
    const dg_field_desc *pf = &d->fields[td->partition_field];
    if (dg_is_present(d, obj, (uint32_t)td->partition_field)) {
        dg_buf x = DG_BUF_INIT, y = DG_BUF_INIT;
        key_text(t, obj, &x);
        key_text(t, k, &y);
        bool same = x.len == y.len && (!x.len || !memcmp(x.data, y.data, x.len));
        dg_buf_free(&x);
        dg_buf_free(&y);
        if (!same) {
            dg_error_set(&err, DG_EINVAL, pf->name, "%s: differs from the id in the path",
                         pf->name);
            return bad_request(res, &err);
        }
    }
    memcpy((char *)obj + pf->offset, (const char *)k + pf->offset, pf->size);
    dg_set_present(d, obj, (uint32_t)td->partition_field, true);
    if (td->versioned) {
        int64_t im;
        int r = if_match(req, &im, &err);
        if (r < 0)
            return bad_request(res, &err);
        bool in_body = dg_is_present(d, obj, (uint32_t)td->sort_field);
        if (r == 0 && in_body && version_of(t, obj) != im) {
            dg_error_set(&err, DG_EINVAL, d->fields[td->sort_field].name,
                         "the version in the body differs from If-Match");
            return bad_request(res, &err);
        }
        if (r == 1 && !in_body) {
            dg_http_error(
                res, 428, "precondition_required",
                "send the version you read: an If-Match header with its ETag, or the version field",
                d->fields[td->sort_field].name);
            return 0;
        }
        if (r == 0) {
            const dg_field_desc *sf = &d->fields[td->sort_field];
            if (sf->type == DG_TYPE_INT32)
                *(int32_t *)((char *)obj + sf->offset) = (int32_t)im;
            else
                *(int64_t *)((char *)obj + sf->offset) = im;
            dg_set_present(d, obj, (uint32_t)td->sort_field, true);
        }
    } else if (td->sort_field >= 0 && !dg_is_present(d, obj, (uint32_t)td->sort_field)) {
        dg_error_set(&err, DG_EINVAL, d->fields[td->sort_field].name, "%s: required",
                     d->fields[td->sort_field].name);
        return bad_request(res, &err);
    }
    dg_store_write w;
    int rc = dg_store_update(&t->store, obj, a, &w, &err);
    note_retries(req, &w);
    if (rc == DG_ECONFLICT)
        return conflict(res, &err, w.current_version);
    if (rc == DG_ENOTFOUND)
        return dg_http_fail(req, res, &err);
    if (rc)
        return rejected(req, res, &err);
    return item_response(t, res, 200, obj, &err);
}

int dg_api_delete(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    void *k;
    if (key_from_path(t, req, &k, a, &err))
        return bad_request(res, &err);
    int64_t expected = -1;
    if (t->store.t->versioned && if_match(req, &expected, &err) < 0)
        return bad_request(res, &err);
    dg_store_write w;
    int rc = dg_store_delete(&t->store, k, expected, &w, &err);
    note_retries(req, &w);
    if (rc == DG_ECONFLICT)
        return conflict(res, &err, w.current_version);
    if (rc)
        return dg_http_fail(req, res, &err);
    res->status = 204;
    return 0;
}

int dg_api_list(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    if (t->def->list_by < 0)
        return dg_http_error(res, 404, "not_found", "no listing for this table", NULL);
    const dg_index_desc *ix = &t->store.t->indexes[t->def->list_by];
    const dg_field_desc *pf = &item_desc(t)->fields[ix->partition_field];
    const char *v = dg_http_query(req, pf->name);
    if (!v || !*v) {
        dg_error_set(&err, DG_EINVAL, pf->name, "%s: required (e.g. ?%s=...)", pf->name, pf->name);
        return bad_request(res, &err);
    }
    void *k = new_item(t, a);
    int limit;
    if (!k)
        return DG_ENOMEM;
    if (set_from_text(item_desc(t), ix->partition_field, k, v, a, &err) ||
        parse_limit(t, req, &limit, &err))
        return bad_request(res, &err);
    dg_store_page pg;
    int rc = dg_store_query_index(&t->store, ix, k, dg_http_query(req, "cursor"), limit, true, &pg,
                                  a, &err);
    if (rc == DG_EINVAL && !err.type[0])
        return bad_request(res, &err);
    if (rc)
        return dg_http_fail(req, res, &err);
    return page_response(t, res, &pg, &err);
}

int dg_api_list_versions(dg_api_table *t, const dg_http_request *req, dg_http_response *res,
                         dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    void *k;
    int limit;
    if (key_from_path(t, req, &k, a, &err) || parse_limit(t, req, &limit, &err))
        return bad_request(res, &err);
    dg_store_page pg;
    int rc =
        dg_store_list_versions(&t->store, k, dg_http_query(req, "cursor"), limit, &pg, a, &err);
    if (rc == DG_EINVAL && !err.type[0])
        return bad_request(res, &err);
    if (rc)
        return dg_http_fail(req, res, &err);
    if (pg.count == 0 && !pg.next_cursor && !dg_http_query(req, "cursor"))
        return dg_http_error(res, 404, "not_found", "no such item", NULL);
    return page_response(t, res, &pg, &err);
}

int dg_api_get_version(dg_api_table *t, const dg_http_request *req, dg_http_response *res,
                       dg_arena *a)
{
    dg_error err;
    dg_error_clear(&err);
    void *k, *out = new_item(t, a);
    if (!out)
        return DG_ENOMEM;
    if (key_from_path(t, req, &k, a, &err))
        return bad_request(res, &err);
    const char *vs = dg_http_param(req, "version");
    int64_t v;
    if (!vs || dg_int_parse(vs, strlen(vs), 1, INT64_MAX, &v, "version", NULL)) {
        dg_error_set(&err, DG_EINVAL, "version", "version must be an integer >= 1");
        return bad_request(res, &err);
    }
    int rc = dg_store_get_version(&t->store, k, v, out, a, &err);
    if (rc)
        return dg_http_fail(req, res, &err);
    return item_response(t, res, 200, out, &err);
}

/* ---------------------------------------------------------------- the application */

int dg_api_app_new(const dg_api_table_def *defs, size_t n, dg_api_app **out, dg_error *err)
{
    dg_api_app *app = calloc(1, sizeof *app);
    if (!app)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    int rc = dg_aws_config_from_env(&app->cfg, NULL, NULL, err);
    if (!rc)
        rc = dg_ddb_client_new(&app->cfg, NULL, &app->ddb, err);
    if (!rc && !(app->tables = calloc(n ? n : 1, sizeof *app->tables)))
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        app->tables[i].def = &defs[i];
        rc = dg_store_init(&app->tables[i].store, defs[i].table, NULL, app->ddb, err);
        if (!rc)
            app->table_count++;
    }
    /* DAX_ENDPOINT set: one DAX client, owned by the app, shared by every
     * table's store (reads and writes through DAX, strongly consistent reads
     * to DynamoDB). A malformed endpoint fails the start. */
    const char *dax_ep = getenv("DAX_ENDPOINT");
    if (!rc && dax_ep && *dax_ep)
        rc = dg_dax_client_new(dax_ep, &app->cfg, NULL, &app->dax, err);
    for (size_t i = 0; !rc && app->dax && i < app->table_count; i++)
        dg_store_set_dax(&app->tables[i].store, app->dax, false);
    if (rc) {
        dg_api_app_destroy(app);
        return rc;
    }
    *out = app;
    return 0;
}

void dg_api_app_destroy(dg_api_app *app)
{
    if (!app)
        return;
    for (size_t i = 0; i < app->table_count; i++)
        dg_store_clean_up(&app->tables[i].store);
    free(app->tables);
    dg_dax_client_destroy(app->dax);
    dg_ddb_client_destroy(app->ddb);
    dg_aws_config_clean_up(&app->cfg);
    free(app);
}

typedef struct main_ctx {
    const dg_api_table_def *defs;
    size_t n;
} main_ctx;

static int app_init(void *ctx, void **app, dg_error *err)
{
    main_ctx *m = ctx;
    return dg_api_app_new(m->defs, m->n, (dg_api_app **)app, err);
}

static void app_destroy(void *app)
{
    dg_api_app_destroy(app);
}

/* Give the DynamoDB client the invocation's deadline, less a margin to answer. */
static void on_request(void *app, const dg_http_request *req)
{
    dg_api_app *ap = app;
    int64_t d = req->deadline_ms ? req->deadline_ms - 100 : 0;
    dg_ddb_client_set_deadline(ap->ddb, d);
    if (ap->dax)
        dg_dax_client_set_deadline(ap->dax, d);
}

int dg_api_main(const dg_api_table_def *defs, size_t n, const dg_route *routes, size_t route_count)
{
    main_ctx m = {defs, n};
    dg_router r = {.routes = routes, .route_count = route_count, .on_request = on_request};
    dg_lambda_options o = {.init = app_init, .destroy = app_destroy, .ctx = &m, .router = &r};
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_lambda_run(&o, &err);
    if (rc)
        fprintf(stderr, "bootstrap: %s\n", err.message);
    return rc ? 1 : 0;
}
