/* DynamoDB interop helper: dynagen's side of tests/suites/ddb-interop.sh.
 * Talks to the DynamoDB named by the environment (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_REGION, credentials), like a Lambda would, through the generated
 * accessors of schema/products.yaml (generated/products.h).
 *
 *   interop_ddb create-table TABLE
 *       the Products table (keys, CategoryIndex, TTL) from the model
 *   interop_ddb write TABLE CASES.json
 *       CASES.json: [{"case": name, "create": {API JSON}, "updates": [{API JSON}, ...]}]
 *       product_create, then product_update for each update (the whole
 *       product, on the version just written); one line per write:
 *       {"case":..,"id":..,"version":n,"api":{the API JSON dynagen believes it wrote}}
 *   interop_ddb read TABLE REQUESTS.jsonl
 *       REQUESTS.jsonl: one {"case":..,"id":..,"versions":n} per line; for each,
 *       one line per read: product_get (op "get"), product_get_version 1..n+1
 *       (op "get_version"), product_list_versions in pages of 2 (op
 *       "list_versions", every item): {"case","id","op","version","rc","api"}
 *       with rc "ok" or the dg_strerror name.
 *
 * Exit status 0 when every operation ran (read results, not-found included,
 * are for the caller to judge), 1 on a write failure or a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dynagen/aws.h"
#include "dynagen/ddb.h"
#include "dynagen/store.h"
#include "products.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    dg_buf b = DG_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        dg_buf_append(&b, chunk, n);
    fclose(f);
    if (dg_buf_status(&b) != 0) {
        dg_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    char *r = strndup(b.data != NULL ? b.data : "", b.len);
    dg_buf_free(&b);
    return r;
}

static void print_json_string(const char *s)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_json_string(&b, s, strlen(s));
    fwrite(b.data, 1, b.len, stdout);
    dg_buf_free(&b);
}

/* {"case":..,"id":..,"op":..,"version":n,"rc":..,"api":..}\n */
static void emit(const char *kase, const char *id, const char *op, long long version, int rc,
                 const product_t *p)
{
    fputs("{\"case\":", stdout);
    print_json_string(kase);
    fputs(",\"id\":", stdout);
    print_json_string(id);
    if (op != NULL) {
        fputs(",\"op\":", stdout);
        print_json_string(op);
    }
    printf(",\"version\":%lld,\"rc\":", version);
    print_json_string(rc == 0 ? "ok" : dg_strerror(rc));
    if (rc == 0 && p != NULL) {
        dg_buf b = DG_BUF_INIT;
        dg_error err;
        if (product_to_json(p, &b, &err) != 0) {
            fprintf(stderr, "interop_ddb: product_to_json: %s\n", err.message);
            exit(1);
        }
        fputs(",\"api\":", stdout);
        fwrite(b.data, 1, b.len, stdout);
        dg_buf_free(&b);
    }
    fputs("}\n", stdout);
    fflush(stdout);
}

static int cmd_write(dg_store *s, const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "interop_ddb: cannot read %s\n", path);
        return 1;
    }
    cJSON *cases = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsArray(cases)) {
        fprintf(stderr, "interop_ddb: %s: not a JSON array\n", path);
        cJSON_Delete(cases);
        return 1;
    }
    int status = 0;
    dg_arena *a = dg_arena_new(0);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "case");
        const cJSON *create = cJSON_GetObjectItemCaseSensitive(c, "create");
        const cJSON *updates = cJSON_GetObjectItemCaseSensitive(c, "updates");
        const char *kase = cJSON_IsString(name) ? name->valuestring : "?";
        dg_arena_reset(a);
        product_t p;
        dg_error err;
        dg_store_write w;
        char *in = cJSON_PrintUnformatted(create);
        int rc = in != NULL ? product_from_json(&p, in, strlen(in), 0, a, &err) : DG_EINVAL;
        free(in);
        if (rc == 0)
            rc = product_create(s, &p, a, &w, &err);
        if (rc != 0) {
            fprintf(stderr, "interop_ddb: %s: create: %s: %s %s\n", kase, dg_strerror(rc),
                    err.field, err.message);
            status = 1;
            continue;
        }
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)p.product_id.len, p.product_id.ptr);
        emit(kase, id, "create", (long long)w.version, 0, &p);
        int64_t version = w.version;
        const cJSON *u;
        cJSON_ArrayForEach(u, updates)
        {
            product_t q;
            in = cJSON_PrintUnformatted(u);
            rc = in != NULL ? product_from_json(&q, in, strlen(in), 0, a, &err) : DG_EINVAL;
            free(in);
            if (rc == 0) {
                product_set_product_id(&q,
                                       (dg_str){dg_arena_strndup(a, id, strlen(id)), strlen(id)});
                product_set_version(&q, version);
                rc = product_update(s, &q, a, &w, &err);
            }
            if (rc != 0) {
                fprintf(stderr, "interop_ddb: %s: update on version %lld: %s: %s %s\n", kase,
                        (long long)version, dg_strerror(rc), err.field, err.message);
                status = 1;
                break;
            }
            version = w.version;
            emit(kase, id, "update", (long long)version, 0, &q);
        }
    }
    dg_arena_destroy(a);
    cJSON_Delete(cases);
    return status;
}

static void read_one(dg_store *s, const char *kase, const char *id, int versions, dg_arena *a)
{
    dg_str sid = {id, strlen(id)};
    product_t p;
    dg_error err;
    int rc = product_get(s, sid, true, &p, a, &err);
    emit(kase, id, "get", rc == 0 ? (long long)p.version : 0, rc, &p);
    for (int v = 1; v <= versions + 1; v++) {
        rc = product_get_version(s, sid, v, &p, a, &err);
        emit(kase, id, "get_version", v, rc, &p);
    }
    const char *cursor = NULL;
    int pages = 0;
    do {
        dg_store_page pg;
        rc = product_list_versions(s, sid, cursor, 2, &pg, a, &err);
        if (rc != 0) {
            emit(kase, id, "list_versions", 0, rc, NULL);
            break;
        }
        const product_t *items = pg.items;
        for (size_t k = 0; k < pg.count; k++)
            emit(kase, id, "list_versions", (long long)items[k].version, 0, &items[k]);
        cursor = pg.next_cursor;
    } while (cursor != NULL && ++pages < 1000);
}

static int cmd_read(dg_store *s, const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "interop_ddb: cannot read %s\n", path);
        return 1;
    }
    int status = 0;
    dg_arena *a = dg_arena_new(0);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        cJSON *req = cJSON_Parse(line);
        const cJSON *kase = cJSON_GetObjectItemCaseSensitive(req, "case");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
        const cJSON *versions = cJSON_GetObjectItemCaseSensitive(req, "versions");
        if (!cJSON_IsString(id) || !cJSON_IsNumber(versions)) {
            fprintf(stderr, "interop_ddb: %s: bad request line: %.80s\n", path, line);
            status = 1;
        } else {
            dg_arena_reset(a);
            read_one(s, cJSON_IsString(kase) ? kase->valuestring : "?", id->valuestring,
                     versions->valueint, a);
        }
        cJSON_Delete(req);
    }
    dg_arena_destroy(a);
    free(text);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "create-table") != 0 && argc < 4)) {
        fprintf(stderr, "usage: interop_ddb create-table TABLE | write TABLE CASES.json | "
                        "read TABLE REQUESTS.jsonl\n");
        return 2;
    }
    dg_aws_config cfg;
    dg_error err;
    dg_error_clear(&err);
    if (dg_aws_config_from_env(&cfg, NULL, NULL, &err) != 0) {
        fprintf(stderr, "interop_ddb: environment: %s\n", err.message);
        return 1;
    }
    dg_ddb_client *c = NULL;
    int rc = dg_ddb_client_new(&cfg, NULL, &c, &err);
    dg_aws_config_clean_up(&cfg);
    if (rc != 0) {
        fprintf(stderr, "interop_ddb: client: %s\n", err.message);
        return 1;
    }
    int status = 0;
    if (strcmp(argv[1], "create-table") == 0) {
        rc = dg_ddb_create_table_from_model(c, &products_table, argv[2], &err);
        if (rc != 0) {
            fprintf(stderr, "interop_ddb: create table %s: %s: %s\n", argv[2], dg_strerror(rc),
                    err.message);
            status = 1;
        }
    } else {
        dg_store s;
        if (dg_store_init(&s, &products_table, argv[2], c, &err) != 0) {
            fprintf(stderr, "interop_ddb: store: %s\n", err.message);
            status = 1;
        } else {
            if (strcmp(argv[1], "write") == 0) {
                status = cmd_write(&s, argv[3]);
            } else if (strcmp(argv[1], "read") == 0) {
                status = cmd_read(&s, argv[3]);
            } else {
                fprintf(stderr, "interop_ddb: unknown command %s\n", argv[1]);
                status = 2;
            }
            dg_store_clean_up(&s);
        }
    }
    dg_ddb_client_destroy(c);
    dg_model_cleanup();
    return status;
}
