/* dynagen runtime — DynamoDB control plane: DescribeTable, CreateTable from a
 * generated model (waiting until ACTIVE), UpdateTimeToLive. */
#include "ddb_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "dynagen/codec_util.h"
#include "dynagen/model.h"

/* How long CreateTable may take to become ACTIVE (real DynamoDB: seconds). */
#define CREATE_WAIT_MAX_MS (5L * 60 * 1000)

int dg_ddb_describe_table(dg_ddb_client *c, const char *table, dg_ddb_result *res, dg_error *err)
{
    if (table == NULL) {
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_EINVAL, "table", "DescribeTable: table is required");
    }
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"TableName\":");
    dg_buf_json_string(&b, table, strlen(table));
    dg_buf_putc(&b, '}');
    if (dg_buf_status(&b) != 0) {
        dg_buf_free(&b);
        dg_ddb_result_clean_up(res);
        return dg_error_set(err, DG_ENOMEM, NULL, "DescribeTable: out of memory");
    }
    int rc = dg_ddb_call(c, "DescribeTable", b.data, b.len, res, err);
    dg_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ TTL */

static bool contains(const char *hay, const char *needle)
{
    return hay != NULL && strstr(hay, needle) != NULL;
}

int dg_ddb_update_ttl(dg_ddb_client *c, const char *table, const char *attr, bool enabled,
                      dg_error *err)
{
    if (table == NULL || attr == NULL)
        return dg_error_set(err, DG_EINVAL, table == NULL ? "table" : "attr",
                            "UpdateTimeToLive: table and attribute are required");
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"TableName\":");
    dg_buf_json_string(&b, table, strlen(table));
    dg_buf_puts(&b, ",\"TimeToLiveSpecification\":{\"AttributeName\":");
    dg_buf_json_string(&b, attr, strlen(attr));
    dg_buf_puts(&b, enabled ? ",\"Enabled\":true}}" : ",\"Enabled\":false}}");
    if (dg_buf_status(&b) != 0) {
        dg_buf_free(&b);
        return dg_error_set(err, DG_ENOMEM, NULL, "UpdateTimeToLive: out of memory");
    }
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    int rc = dg_ddb_call(c, "UpdateTimeToLive", b.data, b.len, &res, err);
    dg_buf_free(&b);
    dg_ddb_result_clean_up(&res);
    /* Already in the wanted state: DynamoDB answers ValidationException. */
    if (rc == DG_EINVAL && err != NULL && strcmp(err->type, "ValidationException") == 0 &&
        contains(err->message, enabled ? "already enabled" : "already disabled")) {
        dg_error_clear(err);
        return 0;
    }
    return rc;
}

/* ------------------------------------------------------------------ CreateTable */

static const char *key_type(dg_type t)
{
    switch (t) {
    case DG_TYPE_STRING:
        return "S";
    case DG_TYPE_INT32:
    case DG_TYPE_INT64:
    case DG_TYPE_DECIMAL:
    case DG_TYPE_TIMESTAMP:
    case DG_TYPE_TTL:
        return "N";
    case DG_TYPE_BINARY:
        return "B";
    default:
        return NULL;
    }
}

typedef struct key_attrs {
    int32_t fields[2 + 2 * 32];
    size_t n;
} key_attrs;

static int add_key_field(const dg_table_desc *t, key_attrs *ka, int32_t f, const char *what,
                         dg_error *err)
{
    if (f < 0 || (uint32_t)f >= t->item->field_count)
        return dg_error_set(err, DG_EINVAL, NULL, "table model %s: %s refers to no field",
                            t->table_name ? t->table_name : "?", what);
    const dg_field_desc *fd = &t->item->fields[f];
    if (key_type(fd->type) == NULL)
        return dg_error_set(err, DG_EINVAL, fd->name,
                            "table model %s: %s %s is not a string, number or binary field",
                            t->table_name ? t->table_name : "?", what, fd->attr);
    for (size_t i = 0; i < ka->n; i++)
        if (strcmp(t->item->fields[ka->fields[i]].attr, fd->attr) == 0)
            return 0;
    if (ka->n == sizeof ka->fields / sizeof ka->fields[0])
        return dg_error_set(err, DG_EINVAL, NULL, "table model has too many key attributes");
    ka->fields[ka->n++] = f;
    return 0;
}

static void put_key_schema(dg_buf *b, const dg_table_desc *t, int32_t hash, int32_t range)
{
    dg_buf_puts(b, "[{\"AttributeName\":");
    const char *h = t->item->fields[hash].attr;
    dg_buf_json_string(b, h, strlen(h));
    dg_buf_puts(b, ",\"KeyType\":\"HASH\"}");
    if (range >= 0) {
        const char *r = t->item->fields[range].attr;
        dg_buf_puts(b, ",{\"AttributeName\":");
        dg_buf_json_string(b, r, strlen(r));
        dg_buf_puts(b, ",\"KeyType\":\"RANGE\"}");
    }
    dg_buf_putc(b, ']');
}

static void put_projection(dg_buf *b, const dg_index_desc *ix)
{
    dg_buf_puts(b, ",\"Projection\":{\"ProjectionType\":");
    switch (ix->projection) {
    case DG_PROJ_KEYS_ONLY:
        dg_buf_puts(b, "\"KEYS_ONLY\"}");
        return;
    case DG_PROJ_INCLUDE:
        dg_buf_puts(b, "\"INCLUDE\",\"NonKeyAttributes\":[");
        for (uint32_t i = 0; i < ix->include_count; i++) {
            if (i)
                dg_buf_putc(b, ',');
            dg_buf_json_string(b, ix->include[i], strlen(ix->include[i]));
        }
        dg_buf_puts(b, "]}");
        return;
    default:
        dg_buf_puts(b, "\"ALL\"}");
        return;
    }
}

/* The CreateTable body of model t under table_name. */
static int create_body(const dg_table_desc *t, const char *table_name, dg_buf *b, dg_error *err)
{
    if (t->item == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "table model without an item descriptor");
    key_attrs ka = {{0}, 0};
    int rc = add_key_field(t, &ka, t->partition_field, "the partition key", err);
    if (rc == 0 && t->sort_field >= 0)
        rc = add_key_field(t, &ka, t->sort_field, "the sort key", err);
    for (uint32_t i = 0; rc == 0 && i < t->index_count; i++) {
        const dg_index_desc *ix = &t->indexes[i];
        int32_t hash = ix->local ? t->partition_field : ix->partition_field;
        rc = add_key_field(t, &ka, hash, ix->name, err);
        if (rc == 0 && ix->sort_field >= 0)
            rc = add_key_field(t, &ka, ix->sort_field, ix->name, err);
        if (rc == 0 && ix->local && ix->sort_field < 0)
            rc = dg_error_set(err, DG_EINVAL, NULL, "local index %s has no sort key", ix->name);
        if (rc == 0 && ix->projection == DG_PROJ_INCLUDE && ix->include_count > 0 &&
            ix->include == NULL)
            rc = dg_error_set(err, DG_EINVAL, NULL, "index %s: INCLUDE without attributes",
                              ix->name);
    }
    if (rc != 0)
        return rc;

    dg_buf_puts(b, "{\"TableName\":");
    dg_buf_json_string(b, table_name, strlen(table_name));
    dg_buf_puts(b, ",\"AttributeDefinitions\":[");
    for (size_t i = 0; i < ka.n; i++) {
        const dg_field_desc *fd = &t->item->fields[ka.fields[i]];
        if (i)
            dg_buf_putc(b, ',');
        dg_buf_puts(b, "{\"AttributeName\":");
        dg_buf_json_string(b, fd->attr, strlen(fd->attr));
        dg_buf_puts(b, ",\"AttributeType\":");
        dg_buf_json_string(b, key_type(fd->type), 1);
        dg_buf_putc(b, '}');
    }
    dg_buf_puts(b, "],\"KeySchema\":");
    put_key_schema(b, t, t->partition_field, t->sort_field);
    dg_buf_puts(b, ",\"BillingMode\":\"PAY_PER_REQUEST\"");
    for (int local = 0; local <= 1; local++) {
        bool any = false;
        for (uint32_t i = 0; i < t->index_count; i++) {
            const dg_index_desc *ix = &t->indexes[i];
            if (ix->local != (local == 1))
                continue;
            dg_buf_puts(b, any     ? ","
                           : local ? ",\"LocalSecondaryIndexes\":["
                                   : ",\"GlobalSecondaryIndexes\":[");
            any = true;
            dg_buf_puts(b, "{\"IndexName\":");
            dg_buf_json_string(b, ix->name, strlen(ix->name));
            dg_buf_puts(b, ",\"KeySchema\":");
            put_key_schema(b, t, local ? t->partition_field : ix->partition_field, ix->sort_field);
            put_projection(b, ix);
            dg_buf_putc(b, '}');
        }
        if (any)
            dg_buf_putc(b, ']');
    }
    dg_buf_putc(b, '}');
    if (dg_buf_status(b) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "CreateTable: out of memory");
    return 0;
}

static bool table_active(const dg_ddb_result *res)
{
    const cJSON *tab = cJSON_GetObjectItemCaseSensitive(res->root, "Table");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(tab, "TableStatus");
    if (!cJSON_IsString(st) || strcmp(st->valuestring, "ACTIVE") != 0)
        return false;
    const cJSON *gsis = cJSON_GetObjectItemCaseSensitive(tab, "GlobalSecondaryIndexes");
    const cJSON *g;
    cJSON_ArrayForEach(g, gsis)
    {
        const cJSON *is = cJSON_GetObjectItemCaseSensitive(g, "IndexStatus");
        if (cJSON_IsString(is) && strcmp(is->valuestring, "ACTIVE") != 0)
            return false;
    }
    return true;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int wait_active(dg_ddb_client *c, const char *table, dg_error *err)
{
    uint64_t start = dg_monotonic_ns();
    long pause = 20;
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    for (;;) {
        int rc = dg_ddb_describe_table(c, table, &res, err);
        if (rc != 0 && rc != DG_ENOTFOUND) { /* NOTFOUND: not visible yet (eventual consistency) */
            dg_ddb_result_clean_up(&res);
            return rc;
        }
        bool active = rc == 0 && table_active(&res);
        dg_ddb_result_clean_up(&res);
        if (active)
            return 0;
        uint64_t waited = (dg_monotonic_ns() - start) / 1000000u;
        if (waited + (uint64_t)pause > (uint64_t)CREATE_WAIT_MAX_MS)
            return dg_error_set(err, DG_ETIMEDOUT, NULL,
                                "CreateTable: table %s is not ACTIVE after %ld s", table,
                                CREATE_WAIT_MAX_MS / 1000);
        if (c->deadline_ms != 0 && dg_now_ms() + pause >= c->deadline_ms)
            return dg_error_set(err, DG_ETIMEDOUT, NULL,
                                "CreateTable: the deadline passed while waiting for table %s to "
                                "become ACTIVE",
                                table);
        nap_ms(pause);
        if (pause < 1000)
            pause *= 2;
    }
}

int dg_ddb_create_table_from_model(dg_ddb_client *c, const struct dg_table_desc *t,
                                   const char *table_name, dg_error *err)
{
    if (t == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "CreateTable: no table model");
    if (table_name == NULL)
        table_name = t->table_name;
    if (table_name == NULL)
        return dg_error_set(err, DG_EINVAL, "table_name", "CreateTable: no table name");
    dg_buf b = DG_BUF_INIT;
    int rc = create_body(t, table_name, &b, err);
    if (rc != 0) {
        dg_buf_free(&b);
        return rc;
    }
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    rc = dg_ddb_call(c, "CreateTable", b.data, b.len, &res, err);
    dg_buf_free(&b);
    dg_ddb_result_clean_up(&res);
    if (rc == DG_EINVAL && err != NULL && strcmp(err->type, "ResourceInUseException") == 0 &&
        (contains(err->message, "already exists") || contains(err->message, "preexisting"))) {
        dg_error_clear(err);
        rc = 0;
    }
    if (rc != 0)
        return rc;
    rc = wait_active(c, table_name, err);
    if (rc != 0)
        return rc;
    if (t->ttl_field >= 0) {
        if ((uint32_t)t->ttl_field >= t->item->field_count)
            return dg_error_set(err, DG_EINVAL, NULL, "table model %s: ttl refers to no field",
                                table_name);
        rc = dg_ddb_update_ttl(c, table_name, t->item->fields[t->ttl_field].attr, true, err);
    }
    return rc;
}
