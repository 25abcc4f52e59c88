/* dynagen generator — the last generated model (generated/<table>.model.json)
 * and the check that a schema edit does not replace or damage a deployed table.
 *
 * The model file is JSON, which libyaml reads as YAML flow style, so the
 * generator needs no JSON library. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "evolve.h"

/* ---------------------------------------------------------------- writing */

static void js(cg_sb *b, const char *s) /* JSON string */
{
    cg_sb_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cg_sb_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            cg_sb_printf(b, "\\u%04x", *p);
        else
            cg_sb_putn(b, (const char *)p, 1);
    }
    cg_sb_puts(b, "\"");
}

static void key_json(cg_sb *b, const cg_attr *a)
{
    if (!a) {
        cg_sb_puts(b, "null");
        return;
    }
    cg_sb_puts(b, "{\"name\": ");
    js(b, a->attr);
    cg_sb_printf(b, ", \"type\": \"%c\"}", cg_key_type(a->type));
}

static void attrs_json(cg_sb *b, const cg_object *o, const char *prefix, const char *aprefix,
                       bool *first)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        char *name = cg_fmt("%s%s", prefix, a->name);
        char *attr = cg_fmt("%s%s", aprefix, a->attr);
        cg_sb_puts(b, *first ? "\n    " : ",\n    ");
        *first = false;
        cg_sb_puts(b, "{\"name\": ");
        js(b, name);
        cg_sb_puts(b, ", \"attr\": ");
        js(b, attr);
        cg_sb_printf(b, ", \"type\": \"%s\"", cg_type_name(a->type));
        if (a->type == CG_DECIMAL)
            cg_sb_printf(b, ", \"scale\": %d", a->scale);
        if (a->elem)
            cg_sb_printf(b, ", \"elem\": \"%s\"", cg_type_name(a->elem->type));
        if (a->elem && a->elem->type == CG_DECIMAL)
            cg_sb_printf(b, ", \"elem_scale\": %d", a->elem->scale);
        cg_sb_puts(b, "}");
        if (a->object)
            attrs_json(b, a->object, cg_fmt("%s.", name), cg_fmt("%s.", attr), first);
        if (a->elem && a->elem->object)
            attrs_json(b, a->elem->object, cg_fmt("%s[].", name), cg_fmt("%s[].", attr), first);
    }
}

void cg_emit_model_json(cg_output *o, const char *out_dir, const cg_table *t)
{
    cg_sb b = {0};
    cg_sb_puts(&b, "{\"generated\": ");
    js(&b, cg_fmt(CG_BANNER_MARK " %s — do not edit; dynagen compares the next schema with it",
                  t->file));
    cg_sb_puts(&b, ",\n  \"source\": ");
    js(&b, t->file);
    cg_sb_puts(&b, ",\n  \"table\": ");
    js(&b, t->table);
    cg_sb_puts(&b, ",\n  \"partition_key\": ");
    key_json(&b, t->pk);
    cg_sb_puts(&b, ",\n  \"sort_key\": ");
    key_json(&b, t->sk);
    cg_sb_puts(&b, ",\n  \"ttl\": ");
    if (t->ttl)
        js(&b, t->ttl->attr);
    else
        cg_sb_puts(&b, "null");
    cg_sb_puts(&b, ",\n  \"attributes\": [");
    bool first = true;
    attrs_json(&b, &t->item, "", "", &first);
    cg_sb_puts(&b, "\n  ],\n  \"indexes\": [");
    for (size_t i = 0; i < t->nindexes; i++) {
        const cg_index *ix = t->indexes[i];
        static const char *const proj[] = {"", "ALL", "KEYS_ONLY", "INCLUDE"};
        cg_sb_puts(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        js(&b, ix->name);
        cg_sb_printf(&b, ", \"local\": %s, \"partition_key\": ", ix->local ? "true" : "false");
        key_json(&b, ix->pk);
        cg_sb_puts(&b, ", \"sort_key\": ");
        key_json(&b, ix->sk);
        cg_sb_printf(&b, ", \"projection\": \"%s\", \"include\": [", proj[ix->projection]);
        for (size_t j = 0; j < ix->ninclude; j++) {
            cg_sb_puts(&b, j ? ", " : "");
            js(&b, ix->include[j]->attr);
        }
        cg_sb_puts(&b, "]}");
    }
    cg_sb_puts(&b, t->nindexes ? "\n  ]\n}\n" : "]\n}\n");
    cg_output_add(o, cg_fmt("%s/%s.model.json", out_dir, t->file_stem), &b);
}

/* ---------------------------------------------------------------- reading */

typedef struct old_key {
    char *name;
    char type;
} old_key;

typedef struct old_attr {
    char *name, *attr, *type, *elem;
    int scale, elem_scale;
} old_attr;

typedef struct old_index {
    char *name;
    bool local;
    old_key pk, sk;
    char *projection;
    char *include; /* joined */
} old_index;

typedef struct old_model {
    char *path, *source, *table, *ttl;
    old_key pk, sk;
    old_attr *attrs;
    size_t nattrs;
    old_index *indexes;
    size_t nindexes;
} old_model;

static yaml_node_t *jget(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static char *jstr(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    yaml_node_t *v = jget(d, m, key);
    if (!v || v->type != YAML_SCALAR_NODE)
        return NULL;
    if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        !strcmp((char *)v->data.scalar.value, "null"))
        return NULL;
    return cg_strdup((char *)v->data.scalar.value);
}

static old_key jkey(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    old_key k = {0};
    yaml_node_t *v = jget(d, m, key);
    if (v && v->type == YAML_MAPPING_NODE) {
        k.name = jstr(d, v, "name");
        char *ty = jstr(d, v, "type");
        k.type = ty ? ty[0] : 0;
    }
    return k;
}

static bool load_model(const char *path, old_model *m)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    yaml_parser_t p;
    yaml_document_t d;
    bool ok = false;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    if (yaml_parser_load(&p, &d)) {
        yaml_node_t *r = yaml_document_get_root_node(&d);
        memset(m, 0, sizeof *m);
        m->path = cg_strdup(path);
        m->source = jstr(&d, r, "source");
        m->table = jstr(&d, r, "table");
        m->ttl = jstr(&d, r, "ttl");
        m->pk = jkey(&d, r, "partition_key");
        m->sk = jkey(&d, r, "sort_key");
        yaml_node_t *as = jget(&d, r, "attributes");
        if (as && as->type == YAML_SEQUENCE_NODE) {
            size_t n = (size_t)(as->data.sequence.items.top - as->data.sequence.items.start);
            m->attrs = cg_alloc((n + 1) * sizeof *m->attrs);
            for (size_t i = 0; i < n; i++) {
                yaml_node_t *e = yaml_document_get_node(&d, as->data.sequence.items.start[i]);
                old_attr *a = &m->attrs[m->nattrs++];
                a->name = jstr(&d, e, "name");
                a->attr = jstr(&d, e, "attr");
                a->type = jstr(&d, e, "type");
                a->elem = jstr(&d, e, "elem");
                char *s = jstr(&d, e, "scale");
                a->scale = s ? atoi(s) : 0;
                s = jstr(&d, e, "elem_scale");
                a->elem_scale = s ? atoi(s) : 0;
                if (!a->name || !a->attr || !a->type)
                    m->nattrs--;
            }
        }
        yaml_node_t *is = jget(&d, r, "indexes");
        if (is && is->type == YAML_SEQUENCE_NODE) {
            size_t n = (size_t)(is->data.sequence.items.top - is->data.sequence.items.start);
            m->indexes = cg_alloc((n + 1) * sizeof *m->indexes);
            for (size_t i = 0; i < n; i++) {
                yaml_node_t *e = yaml_document_get_node(&d, is->data.sequence.items.start[i]);
                old_index *x = &m->indexes[m->nindexes++];
                x->name = jstr(&d, e, "name");
                char *l = jstr(&d, e, "local");
                x->local = l && !strcmp(l, "true");
                x->pk = jkey(&d, e, "partition_key");
                x->sk = jkey(&d, e, "sort_key");
                x->projection = jstr(&d, e, "projection");
                cg_sb inc = {0};
                yaml_node_t *in = jget(&d, e, "include");
                if (in && in->type == YAML_SEQUENCE_NODE)
                    for (yaml_node_item_t *it = in->data.sequence.items.start;
                         it < in->data.sequence.items.top; it++) {
                        yaml_node_t *s = yaml_document_get_node(&d, *it);
                        if (s && s->type == YAML_SCALAR_NODE)
                            cg_sb_printf(&inc, "%s,", (char *)s->data.scalar.value);
                    }
                x->include = cg_sb_take(&inc);
                if (!x->name)
                    m->nindexes--;
            }
        }
        ok = m->source && m->table && m->pk.name;
        yaml_document_delete(&d);
    }
    yaml_parser_delete(&p);
    fclose(f);
    return ok;
}

/* ---------------------------------------------------------------- comparing */

static bool streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

static bool key_eq(old_key k, const cg_attr *a)
{
    if (!a)
        return k.name == NULL;
    return k.name && !strcmp(k.name, a->attr) && k.type == cg_key_type(a->type);
}

static const char *key_desc(const cg_attr *a)
{
    return a ? cg_fmt("%s (%c)", a->attr, cg_key_type(a->type)) : "none";
}

static const char *old_key_desc(old_key k)
{
    return k.name ? cg_fmt("%s (%c)", k.name, k.type) : "none";
}

typedef struct verdicts {
    int destructive;
    bool allow;
} verdicts;

static void destructive(verdicts *v, cg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void destructive(verdicts *v, cg_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cg_sb b = {0};
    cg_sb_vprintf(&b, fmt, ap);
    va_end(ap);
    char *msg = cg_sb_take(&b);
    if (v->allow)
        cg_warning(loc, "%s (allowed by --allow-destructive)", msg);
    else
        cg_error(loc, "%s", msg);
    v->destructive++;
}

/* flatten current attributes the same way the model file does */
typedef struct flat {
    const cg_attr *a;
    char *name, *attr;
} flat;

static void flatten(const cg_object *o, const char *prefix, const char *aprefix, flat *out,
                    size_t *n, size_t max)
{
    for (size_t i = 0; i < o->nfields && *n < max; i++) {
        const cg_attr *a = o->fields[i];
        char *name = cg_fmt("%s%s", prefix, a->name), *attr = cg_fmt("%s%s", aprefix, a->attr);
        out[(*n)++] = (flat){a, name, attr};
        if (a->object)
            flatten(a->object, cg_fmt("%s.", name), cg_fmt("%s.", attr), out, n, max);
        if (a->elem && a->elem->object)
            flatten(a->elem->object, cg_fmt("%s[].", name), cg_fmt("%s[].", attr), out, n, max);
    }
}

/* Can data written as old type be read as the new one? */
static bool type_change_safe(const old_attr *o, const cg_attr *a)
{
    const char *nt = cg_type_name(a->type);
    if (!strcmp(o->type, nt)) {
        if (a->type == CG_DECIMAL && a->scale < o->scale)
            return false; /* fewer decimals: existing values no longer fit */
        if (a->elem && (!o->elem || strcmp(o->elem, cg_type_name(a->elem->type))))
            return o->elem && !strcmp(o->elem, "int32") && a->elem->type == CG_INT64;
        if (a->elem && a->elem->type == CG_DECIMAL && a->elem->scale < o->elem_scale)
            return false;
        return true;
    }
    if (!strcmp(o->type, "int32") && (a->type == CG_INT64 || a->type == CG_DECIMAL))
        return true; /* widening */
    if (!strcmp(o->type, "int64") && a->type == CG_DECIMAL)
        return true;
    return false;
}

static void compare(const old_model *m, const cg_table *t, verdicts *v)
{
    const char *T = t->table;
    if (!streq(m->table, t->table))
        destructive(v, t->table_loc,
                    "renaming table %s to %s replaces the table and loses its data", m->table,
                    t->table);
    if (!key_eq(m->pk, t->pk))
        destructive(
            v, t->pk_loc.line ? t->pk_loc : t->keys_loc,
            "changing the partition key of %s from %s to %s replaces the table and loses its data",
            T, old_key_desc(m->pk), key_desc(t->pk));
    if (!key_eq(m->sk, t->sk))
        destructive(
            v, t->sk_loc.line ? t->sk_loc : t->keys_loc,
            "changing the sort key of %s from %s to %s replaces the table and loses its data", T,
            old_key_desc(m->sk), key_desc(t->sk));
    if (!streq(m->ttl, t->ttl ? t->ttl->attr : NULL)) {
        cg_loc l = t->ttl ? t->ttl_loc : t->table_loc;
        if (m->ttl)
            destructive(v, l,
                        "moving the TTL of %s from %s to %s: existing items stop expiring by %s%s",
                        T, m->ttl, t->ttl ? t->ttl->attr : "none", m->ttl,
                        t->ttl ? " and expire by the new attribute only where it is set" : "");
        else
            cg_note(l, "%s: TTL enabled on %s (safe)", T, t->ttl->attr);
    }
    /* indexes */
    for (size_t i = 0; i < m->nindexes; i++) {
        const old_index *ox = &m->indexes[i];
        const cg_index *nx = NULL;
        for (size_t j = 0; j < t->nindexes; j++)
            if (!strcmp(t->indexes[j]->name, ox->name))
                nx = t->indexes[j];
        if (!nx) {
            if (ox->local)
                destructive(v, t->table_loc,
                            "removing local index %s replaces the table %s and loses its data",
                            ox->name, T);
            else
                destructive(v, t->table_loc,
                            "removing index %s of %s deletes it: queries by it fail", ox->name, T);
            continue;
        }
        cg_sb inc = {0};
        for (size_t j = 0; j < nx->ninclude; j++)
            cg_sb_printf(&inc, "%s,", nx->include[j]->attr);
        char *ninc = cg_sb_take(&inc);
        static const char *const proj[] = {"", "ALL", "KEYS_ONLY", "INCLUDE"};
        bool rekeyed = ox->local != nx->local || !key_eq(ox->pk, nx->pk) || !key_eq(ox->sk, nx->sk);
        bool reproj = !streq(ox->projection, proj[nx->projection]) || !streq(ox->include, ninc);
        if (rekeyed || reproj) {
            if (nx->local || ox->local)
                destructive(v, nx->loc,
                            "changing local index %s replaces the table %s and loses its data",
                            nx->name, T);
            else
                destructive(v, nx->loc,
                            "changing the %s of index %s deletes and rebuilds it: queries by it "
                            "fail until the backfill ends",
                            rekeyed ? "keys" : "projection", nx->name);
        }
    }
    for (size_t j = 0; j < t->nindexes; j++) {
        const cg_index *nx = t->indexes[j];
        bool found = false;
        for (size_t i = 0; i < m->nindexes; i++)
            found |= !strcmp(m->indexes[i].name, nx->name);
        if (found)
            continue;
        if (nx->local)
            destructive(v, nx->loc,
                        "adding local index %s replaces the table %s and loses its data (LSIs "
                        "exist only from table creation)",
                        nx->name, T);
        else
            cg_note(nx->loc, "new index %s (safe: DynamoDB builds it online)", nx->name);
    }
    /* attributes, by C/API name */
    flat cur[512];
    size_t ncur = 0;
    flatten(&t->item, "", "", cur, &ncur, 512);
    for (size_t i = 0; i < m->nattrs; i++) {
        const old_attr *o = &m->attrs[i];
        const flat *c = NULL;
        for (size_t j = 0; j < ncur; j++)
            if (!strcmp(cur[j].name, o->name))
                c = &cur[j];
        if (!c) {
            bool renamed = false;
            for (size_t j = 0; j < ncur; j++)
                renamed |= !strcmp(cur[j].attr, o->attr);
            if (!renamed)
                cg_note(
                    t->table_loc,
                    "attribute %s removed (safe: existing data stays in the items and is ignored)",
                    o->name);
            continue;
        }
        if (strcmp(c->attr, o->attr))
            destructive(v, c->a->loc,
                        "renaming the DynamoDB attribute of '%s' from %s to %s hides the data "
                        "stored under %s",
                        o->name, o->attr, c->attr, o->attr);
        if (!type_change_safe(o, c->a)) {
            const char *nt = cg_type_name(c->a->type);
            if (c->a->type == CG_DECIMAL && !strcmp(o->type, "decimal"))
                destructive(v, c->a->type_loc,
                            "lowering the scale of '%s' from %d to %d: existing values with more "
                            "decimals no longer decode",
                            o->name, o->scale, c->a->scale);
            else
                destructive(
                    v, c->a->type_loc,
                    "changing the type of '%s' from %s to %s: existing items no longer decode",
                    o->name, o->elem ? cg_fmt("%s of %s", o->type, o->elem) : o->type,
                    c->a->elem ? cg_fmt("%s of %s", nt, cg_type_name(c->a->elem->type)) : nt);
        }
    }
    for (size_t j = 0; j < ncur; j++) {
        bool found = false;
        for (size_t i = 0; i < m->nattrs; i++)
            found |= !strcmp(m->attrs[i].name, cur[j].name);
        if (!found) {
            if (cur[j].a->required && !cur[j].a->generate && !cur[j].a->default_text)
                cg_note(cur[j].a->loc,
                        "new attribute '%s' is required: existing items lack it until rewritten",
                        cur[j].name);
            else
                cg_note(cur[j].a->loc, "new attribute '%s' (safe)", cur[j].name);
        }
    }
}

int cg_check_evolution(const char *out_dir, cg_table **tables, size_t n, bool allow)
{
    verdicts v = {0, allow};
    DIR *d = opendir(out_dir);
    if (!d)
        return 0; /* first generation */
    old_model models[256];
    size_t nm = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nm < 256) {
        size_t l = strlen(e->d_name);
        if (l < 11 || strcmp(e->d_name + l - 11, ".model.json"))
            continue;
        if (load_model(cg_fmt("%s/%s", out_dir, e->d_name), &models[nm]))
            nm++;
    }
    closedir(d);
    bool *used = cg_alloc((nm + 1) * sizeof(bool));
    for (size_t i = 0; i < n; i++) {
        const old_model *m = NULL;
        for (size_t j = 0; j < nm && !m; j++)
            if (!used[j] && !strcmp(models[j].source, tables[i]->file))
                m = &models[j], used[j] = true;
        for (size_t j = 0; j < nm && !m; j++)
            if (!used[j] && !strcmp(models[j].table, tables[i]->table))
                m = &models[j], used[j] = true;
        if (m)
            compare(m, tables[i], &v);
    }
    for (size_t j = 0; j < nm; j++)
        if (!used[j]) {
            cg_loc l = {models[j].source, 0, 0};
            destructive(
                &v, l,
                "table %s is no longer in the schema: Terraform would delete it and its data",
                models[j].table);
        }
    return v.destructive;
}
