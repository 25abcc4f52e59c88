/* dynagen generator — Terraform variables, one file per table and
 * environment, plus the variable declarations of every env.
 *
 * Output is `terraform fmt`-clean: consecutive one-line attributes are
 * aligned on '=', a multi-line attribute stands alone (fmt's rule). */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

typedef struct kv {
    const char *key;
    char *value;
} kv;

typedef struct kvs {
    kv *items; /* pool-allocated, grows: one entry per table in dynagen_tables.tf */
    size_t n, cap;
} kvs;

static void put(kvs *k, const char *key, char *value)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 32;
        kv *items = cg_alloc(cap * sizeof *items);
        if (k->n)
            memcpy(items, k->items, k->n * sizeof *items);
        k->items = items;
        k->cap = cap;
    }
    k->items[k->n++] = (kv){key, value};
}

static char *q(const char *s) /* HCL string literal */
{
    cg_sb b = {0};
    cg_sb_puts(&b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cg_sb_printf(&b, "\\%c", *p);
        else if (*p == '$' && p[1] == '{')
            cg_sb_puts(&b, "$$");
        else if (*p == '%' && p[1] == '{')
            cg_sb_puts(&b, "%%");
        else
            cg_sb_putn(&b, p, 1);
    }
    cg_sb_puts(&b, "\"");
    return cg_sb_take(&b);
}

static char *qn(const char *s)
{
    return s ? q(s) : cg_strdup("null");
}

static void write_kvs(cg_sb *b, int indent, const kvs *k)
{
    size_t i = 0;
    while (i < k->n) {
        if (strchr(k->items[i].value, '\n')) {
            cg_sb_printf(b, "%*s%s = %s\n", indent, "", k->items[i].key, k->items[i].value);
            i++;
            continue;
        }
        size_t j = i, w = 0;
        while (j < k->n && !strchr(k->items[j].value, '\n')) {
            size_t l = strlen(k->items[j].key);
            if (l > w)
                w = l;
            j++;
        }
        for (; i < j; i++)
            cg_sb_printf(b, "%*s%-*s = %s\n", indent, "", (int)w, k->items[i].key,
                         k->items[i].value);
    }
}

/* A list of strings, one line ("[...]") when short, else one per line. */
static char *str_list(char **items, size_t n, int indent, bool multiline)
{
    cg_sb b = {0};
    if (!n)
        return cg_strdup("[]");
    if (!multiline) {
        cg_sb_puts(&b, "[");
        for (size_t i = 0; i < n; i++)
            cg_sb_printf(&b, "%s%s", i ? ", " : "", q(items[i]));
        cg_sb_puts(&b, "]");
        return cg_sb_take(&b);
    }
    cg_sb_puts(&b, "[\n");
    for (size_t i = 0; i < n; i++)
        cg_sb_printf(&b, "%*s%s,\n", indent + 2, "", q(items[i]));
    cg_sb_printf(&b, "%*s]", indent, "");
    return cg_sb_take(&b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_unique(char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], s))
            return;
    list[(*n)++] = cg_strdup(s);
}

typedef struct key_attr {
    const char *name;
    char type;
} key_attr;

static int cmp_key_attr(const void *a, const void *b)
{
    return strcmp(((const key_attr *)a)->name, ((const key_attr *)b)->name);
}

static char *index_block(const cg_index *ix, int indent)
{
    kvs k = {0};
    put(&k, "name", q(ix->name));
    if (!ix->local)
        put(&k, "hash_key", q(ix->pk->attr));
    put(&k, "range_key", qn(ix->sk ? ix->sk->attr : NULL));
    static const char *const proj[] = {"", "ALL", "KEYS_ONLY", "INCLUDE"};
    put(&k, "projection_type", q(proj[ix->projection]));
    char **inc = cg_alloc((ix->ninclude + 1) * sizeof(char *));
    for (size_t i = 0; i < ix->ninclude; i++)
        inc[i] = ix->include[i]->attr;
    put(&k, "non_key_attributes", str_list(inc, ix->ninclude, indent + 2, false));
    cg_sb b = {0};
    cg_sb_printf(&b, "%*s{\n", indent, "");
    write_kvs(&b, indent + 2, &k);
    cg_sb_printf(&b, "%*s},\n", indent, "");
    return cg_sb_take(&b);
}

static char *index_list(const cg_table *t, bool local)
{
    cg_sb b = {0};
    size_t n = 0;
    for (size_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i]->local == local) {
            if (!n++)
                cg_sb_puts(&b, "[\n");
            cg_sb_puts(&b, index_block(t->indexes[i], 4));
        }
    if (!n)
        return cg_strdup("[]");
    cg_sb_puts(&b, "  ]");
    return cg_sb_take(&b);
}

/* The data-plane actions the generated accessors use, per operation. */
static void actions(const cg_table *t, char **ddb, size_t *nddb, char **dax, size_t *ndax)
{
    unsigned ops = t->has_api ? t->ops : 0x7f & ~(CG_OP_LIST | CG_OP_VERSIONS | CG_OP_GET_VERSION);
    char *reads[8], *writes[8];
    size_t nr = 0, nw = 0;
    if (ops & (CG_OP_GET | CG_OP_GET_VERSION | CG_OP_UPDATE | CG_OP_VERSIONS))
        add_unique(reads, &nr, "GetItem");
    if (ops & (CG_OP_LIST | CG_OP_VERSIONS))
        add_unique(reads, &nr, "Query");
    if (ops & (CG_OP_CREATE | CG_OP_UPDATE))
        add_unique(writes, &nw, "PutItem");
    if (ops & CG_OP_DELETE)
        add_unique(writes, &nw, "DeleteItem");
    *nddb = *ndax = 0;
    for (size_t i = 0; i < nr; i++) {
        /* reads: DynamoDB always (strongly consistent reads, fallback when DAX is down) */
        ddb[(*nddb)++] = cg_fmt("dynamodb:%s", reads[i]);
        if (t->reads_dax)
            dax[(*ndax)++] = cg_fmt("dax:%s", reads[i]);
    }
    for (size_t i = 0; i < nw; i++) {
        if (t->writes_dax)
            dax[(*ndax)++] = cg_fmt("dax:%s", writes[i]);
        else
            ddb[(*nddb)++] = cg_fmt("dynamodb:%s", writes[i]);
    }
    qsort(ddb, *nddb, sizeof(char *), cmp_str);
    qsort(dax, *ndax, sizeof(char *), cmp_str);
}

/* "METHOD /path" for each API operation, sorted. */
size_t cg_api_routes(const cg_table *t, char **out);
size_t cg_api_routes(const cg_table *t, char **out)
{
    size_t n = 0;
    if (!t->has_api)
        return 0;
    const char *p = t->api_path;
    if (t->ops & CG_OP_CREATE)
        out[n++] = cg_fmt("POST %s", p);
    if (t->ops & CG_OP_GET)
        out[n++] = cg_fmt("GET %s/{id}", p);
    if (t->ops & CG_OP_UPDATE)
        out[n++] = cg_fmt("PUT %s/{id}", p);
    if (t->ops & CG_OP_DELETE)
        out[n++] = cg_fmt("DELETE %s/{id}", p);
    if (t->ops & CG_OP_LIST)
        out[n++] = cg_fmt("GET %s", p);
    if (t->ops & CG_OP_VERSIONS)
        out[n++] = cg_fmt("GET %s/{id}/versions", p);
    if (t->ops & CG_OP_GET_VERSION)
        out[n++] = cg_fmt("GET %s/{id}/versions/{version}", p);
    qsort(out, n, sizeof(char *), cmp_str);
    return n;
}

static void emit_table_env(cg_output *o, const char *envs_dir, const cg_table *t, const cg_env *e)
{
    kvs k = {0};
    put(&k, "name", q(t->table));
    put(&k, "hash_key", q(t->pk->attr));
    put(&k, "hash_key_type", cg_fmt("\"%c\"", cg_key_type(t->pk->type)));
    put(&k, "range_key", qn(t->sk ? t->sk->attr : NULL));
    put(&k, "range_key_type",
        t->sk ? cg_fmt("\"%c\"", cg_key_type(t->sk->type)) : cg_strdup("null"));

    key_attr ka[64];
    size_t nka = 0;
    cg_attr *keys[2 + 2 * 32];
    size_t nkeys = 0;
    keys[nkeys++] = t->pk;
    if (t->sk)
        keys[nkeys++] = t->sk;
    for (size_t i = 0; i < t->nindexes; i++) {
        keys[nkeys++] = t->indexes[i]->pk;
        if (t->indexes[i]->sk)
            keys[nkeys++] = t->indexes[i]->sk;
    }
    for (size_t i = 0; i < nkeys; i++) {
        bool seen = false;
        for (size_t j = 0; j < nka; j++)
            seen |= !strcmp(ka[j].name, keys[i]->attr);
        if (!seen)
            ka[nka++] = (key_attr){keys[i]->attr, cg_key_type(keys[i]->type)};
    }
    qsort(ka, nka, sizeof *ka, cmp_key_attr);
    cg_sb b = {0};
    cg_sb_puts(&b, "[\n");
    for (size_t i = 0; i < nka; i++)
        cg_sb_printf(&b, "    { name = %s, type = \"%c\" },\n", q(ka[i].name), ka[i].type);
    cg_sb_puts(&b, "  ]");
    put(&k, "attributes", cg_sb_take(&b));
    put(&k, "ttl_attribute", qn(t->ttl ? t->ttl->attr : NULL));
    put(&k, "global_secondary_indexes", index_list(t, false));
    put(&k, "local_secondary_indexes", index_list(t, true));
    put(&k, "billing_mode", q(e->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"));
    put(&k, "read_capacity", cg_fmt("%lld", (long long)(e->provisioned ? e->read_capacity : 0)));
    put(&k, "write_capacity", cg_fmt("%lld", (long long)(e->provisioned ? e->write_capacity : 0)));
    put(&k, "autoscaling",
        cg_fmt(
            "{ enabled = %s, min_capacity = %lld, max_capacity = %lld, target_utilization = %lld }",
            e->autoscaling ? "true" : "false", (long long)(e->autoscaling ? e->as_min : 0),
            (long long)(e->autoscaling ? e->as_max : 0),
            (long long)(e->autoscaling ? e->as_target : 0)));
    put(&k, "point_in_time_recovery", cg_strdup(e->pitr ? "true" : "false"));
    put(&k, "deletion_protection", cg_strdup(e->deletion_protection ? "true" : "false"));
    put(&k, "cache",
        cg_fmt("{ reads = \"%s\", writes = \"%s\", item_ttl_ms = %lld, query_ttl_ms = %lld }",
               t->reads_dax ? "dax" : "dynamodb", t->writes_dax ? "dax" : "dynamodb",
               (long long)(t->has_cache ? t->item_ttl_ms : 300000),
               (long long)(t->has_cache ? t->query_ttl_ms : 300000)));
    put(&k, "dax",
        cg_fmt("{ node_type = %s, nodes = %lld, tls = %s }", q(e->has_dax ? e->dax_node_type : ""),
               (long long)(e->has_dax ? e->dax_nodes : 0),
               e->has_dax && e->dax_tls ? "true" : "false"));
    char *ddb[16], *dax[16];
    size_t nddb, ndax;
    actions(t, ddb, &nddb, dax, &ndax);
    put(&k, "dynamodb_actions", str_list(ddb, nddb, 2, false));
    put(&k, "dax_actions", str_list(dax, ndax, 2, false));
    char *routes[16];
    size_t nroutes = cg_api_routes(t, routes);
    put(&k, "api_routes", str_list(routes, nroutes, 2, true));

    cg_sb f = {0};
    cg_sb_printf(&f, "# " CG_BANNER_MARK " %s — do not edit\n# environment: %s\n", t->file,
                 e->name);
    cg_sb_printf(&f, "table_%s = {\n", t->entity);
    write_kvs(&f, 2, &k);
    cg_sb_puts(&f, "}\n");
    cg_output_add(o, cg_fmt("%s/%s/%s.auto.tfvars", envs_dir, e->name, t->file_stem), &f);
}

static const char *const TABLE_TYPE =
    "  type = object({\n"
    "    name           = string\n"
    "    hash_key       = string\n"
    "    hash_key_type  = string\n"
    "    range_key      = string\n"
    "    range_key_type = string\n"
    "    attributes     = list(object({ name = string, type = string }))\n"
    "    ttl_attribute  = string\n"
    "    global_secondary_indexes = list(object({\n"
    "      name               = string\n"
    "      hash_key           = string\n"
    "      range_key          = string\n"
    "      projection_type    = string\n"
    "      non_key_attributes = list(string)\n"
    "    }))\n"
    "    local_secondary_indexes = list(object({\n"
    "      name               = string\n"
    "      range_key          = string\n"
    "      projection_type    = string\n"
    "      non_key_attributes = list(string)\n"
    "    }))\n"
    "    billing_mode           = string\n"
    "    read_capacity          = number\n"
    "    write_capacity         = number\n"
    "    autoscaling            = object({ enabled = bool, min_capacity = number, max_capacity = "
    "number, target_utilization = number })\n"
    "    point_in_time_recovery = bool\n"
    "    deletion_protection    = bool\n"
    "    cache                  = object({ reads = string, writes = string, item_ttl_ms = number, "
    "query_ttl_ms = number })\n"
    "    dax                    = object({ node_type = string, nodes = number, tls = bool })\n"
    "    dynamodb_actions       = list(string)\n"
    "    dax_actions            = list(string)\n"
    "    api_routes             = list(string)\n"
    "  })\n";

static void emit_env_decls(cg_output *o, const char *envs_dir, const char *env, cg_table **tables,
                           size_t n)
{
    cg_sb f = {0};
    cg_sb_puts(&f, "# " CG_BANNER_MARK " schema/ — do not edit\n"
                   "# One variable per table in schema/; values in <table>.auto.tfvars.\n");
    kvs loc = {0};
    for (size_t i = 0; i < n; i++) {
        const cg_table *t = tables[i];
        bool has = false;
        for (size_t j = 0; j < t->nenvs; j++)
            has |= !strcmp(t->envs[j]->name, env);
        if (!has)
            continue;
        cg_sb_printf(&f, "\nvariable \"table_%s\" {\n", t->entity);
        cg_sb_printf(&f,
                     "  description = \"Table %s (%s): keys, indexes, TTL, cache policy and this "
                     "environment's settings, as generated by dynagen.\"\n",
                     t->table, t->file);
        cg_sb_puts(&f, TABLE_TYPE);
        cg_sb_puts(&f, "}\n");
        put(&loc, t->entity, cg_fmt("var.table_%s", t->entity));
    }
    cg_sb_puts(
        &f,
        "\nlocals {\n  # Every table of the schema, keyed by entity name.\n  dynagen_tables = {\n");
    write_kvs(&f, 4, &loc);
    cg_sb_puts(&f, "  }\n}\n");
    cg_output_add(o, cg_fmt("%s/%s/dynagen_tables.tf", envs_dir, env), &f);
}

void cg_emit_tfvars(cg_output *o, const char *envs_dir, cg_table **tables, size_t n)
{
    char *envs[64];
    size_t nenvs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < tables[i]->nenvs && nenvs < 64; j++)
            add_unique(envs, &nenvs, tables[i]->envs[j]->name);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < tables[i]->nenvs; j++)
            emit_table_env(o, envs_dir, tables[i], tables[i]->envs[j]);
    for (size_t e = 0; e < nenvs; e++)
        emit_env_decls(o, envs_dir, envs[e], tables, n);
}
