/* dynagen runtime — the generic HTTP handlers behind generated/<table>_routes.c
 * and the application a generated bootstrap runs.
 *
 * Each handler works on one table through its dg_store (dynagen/store.h),
 * the API's plain JSON codecs (dynagen/model.h) and the router's request and
 * response (dynagen/lambda.h):
 *
 *   POST   {path}                          create       201 + Location + ETag
 *   GET    {path}/{id}[?consistent=true]   get          200 + ETag
 *   PUT    {path}/{id}                     update       200 + ETag; version from If-Match or the
 * body DELETE {path}/{id}                     delete       204; optional If-Match GET
 * {path}?{key}=..&limit&cursor    list by the schema's list_by index GET    {path}/{id}/versions
 * versions     newest first, paged GET    {path}/{id}/versions/{version}  get_version
 *
 * Status codes: 400 malformed JSON, a wrong type, an unknown or read-only
 * field, a bad parameter or cursor; 404; 409 version conflict (the error
 * carries "current_version"); 413/415 (router); 422 a field that breaks a
 * schema rule; 428 update without the version read; 429/503 throttling or an
 * unavailable table past the retry budget; 500 without internals. Nothing is
 * written on a rejected request: every check runs before the first write. */
#ifndef DYNAGEN_API_H
#define DYNAGEN_API_H

#include <stddef.h>

#include "dynagen/ddb.h"
#include "dynagen/lambda.h"
#include "dynagen/model.h"
#include "dynagen/store.h"

/* What the generator knows about one table's API. */
typedef struct dg_api_table_def {
    const dg_table_desc *table;
    const char *path; /* "/products" (NULL: table without api:) */
    int page_default; /* limit when none is given */
    int page_max;
    int list_by;             /* index into table->indexes, or -1 */
    void (*init)(void *obj); /* the entity's generated _init: zero + schema defaults */
} dg_api_table_def;

typedef struct dg_api_table {
    const dg_api_table_def *def;
    dg_store store;
} dg_api_table;

/* The long-lived state of a bootstrap: created once at init. */
struct dg_dax_client;
typedef struct dg_api_app {
    dg_aws_config cfg;
    dg_ddb_client *ddb;
    struct dg_dax_client *dax; /* DAX_ENDPOINT set: shared by every table's store; else NULL */
    dg_api_table *tables;
    size_t table_count;
} dg_api_app;

/* Configuration from the environment (dg_aws_config_from_env), one DynamoDB
 * client, one store per table (TABLE_NAME_<ENTITY> / TABLE_NAME / schema name). */
int dg_api_app_new(const dg_api_table_def *defs, size_t n, dg_api_app **out, dg_error *err);
void dg_api_app_destroy(dg_api_app *app);
static inline dg_api_table *dg_api_app_table(void *app, size_t i)
{
    return &((dg_api_app *)app)->tables[i];
}

/* The bootstrap's main: the Lambda Runtime API loop with this router. */
int dg_api_main(const dg_api_table_def *defs, size_t n, const dg_route *routes, size_t route_count);

int dg_api_create(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a);
int dg_api_get(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a);
int dg_api_update(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a);
int dg_api_delete(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a);
int dg_api_list(dg_api_table *t, const dg_http_request *req, dg_http_response *res, dg_arena *a);
int dg_api_list_versions(dg_api_table *t, const dg_http_request *req, dg_http_response *res,
                         dg_arena *a);
int dg_api_get_version(dg_api_table *t, const dg_http_request *req, dg_http_response *res,
                       dg_arena *a);

#endif
