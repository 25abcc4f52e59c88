/* dynagen generator — the C emitter: generated/<table>.h and .c.
 *
 * The header holds the typed structs, field-number enums, typed setters and
 * thin typed wrappers; the .c holds constant descriptors that the runtime
 * walks (validate, DynamoDB JSON, API JSON) plus init (defaults) and key
 * builders. No timestamps or absolute paths: output is byte-stable. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

void cg_c_string(cg_sb *b, const char *s)
{
    cg_sb_putn(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cg_sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            cg_sb_puts(b, "\\n");
        else if (*p < 0x20 || *p == 0x7f)
            cg_sb_printf(b, "\\%03o", *p);
        else if (*p == '?' && p[1] == '?')
            cg_sb_puts(b, "?\\"); /* no trigraphs */
        else
            cg_sb_putn(b, (const char *)p, 1);
    }
    cg_sb_putn(b, "\"", 1);
}

/* A comment-safe copy of free text (no comment terminators). */
static char *comment_text(const char *s)
{
    char *r = cg_strdup(s);
    for (char *p = r; *p; p++) {
        if (*p == '*' && p[1] == '/')
            p[1] = '|';
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
    return r;
}

const char *cg_c_type(const cg_attr *a)
{
    switch (a->type) {
    case CG_STRING:
        return "dg_str";
    case CG_INT32:
        return "int32_t";
    case CG_INT64:
    case CG_DECIMAL:
    case CG_TIMESTAMP:
    case CG_TTL:
        return "int64_t";
    case CG_DOUBLE:
        return "double";
    case CG_BOOL:
        return "bool";
    case CG_BINARY:
        return "dg_bytes";
    case CG_STRING_SET:
    case CG_NUMBER_SET:
        return "dg_set";
    case CG_LIST:
        return "dg_list";
    case CG_MAP:
        return "dg_map";
    case CG_OBJECT:
        return cg_fmt("%s_t", a->object->c_name);
    }
    return "void";
}

static const char *dg_type_const(cg_type t)
{
    static const char *const names[] = {"",
                                        "DG_TYPE_STRING",
                                        "DG_TYPE_INT32",
                                        "DG_TYPE_INT64",
                                        "DG_TYPE_DECIMAL",
                                        "DG_TYPE_DOUBLE",
                                        "DG_TYPE_BOOL",
                                        "DG_TYPE_BINARY",
                                        "DG_TYPE_TIMESTAMP",
                                        "DG_TYPE_TTL",
                                        "DG_TYPE_STRING_SET",
                                        "DG_TYPE_NUMBER_SET",
                                        "DG_TYPE_LIST",
                                        "DG_TYPE_MAP",
                                        "DG_TYPE_OBJECT"};
    return names[t];
}

static const char *member_doc(const cg_table *t, const cg_attr *a, bool top)
{
    cg_sb b = {0};
    if (strcmp(a->name, a->attr))
        cg_sb_printf(&b, "%s: ", a->attr);
    cg_sb_puts(&b, cg_type_name(a->type));
    if (a->type == CG_DECIMAL)
        cg_sb_printf(&b, "(scale %d, unscaled)", a->scale);
    if (a->type == CG_TIMESTAMP)
        cg_sb_puts(&b, " (ms since epoch)");
    if (a->type == CG_TTL)
        cg_sb_puts(&b, " (s since epoch)");
    if ((a->type == CG_LIST || a->type == CG_MAP) && a->elem)
        cg_sb_printf(&b, " of %s",
                     a->elem->type == CG_OBJECT ? cg_c_type(a->elem) : cg_c_type(a->elem));
    if (top && a->is_pk)
        cg_sb_puts(&b, ", partition key");
    if (top && a->is_sk)
        cg_sb_puts(&b, ", sort key");
    if (top && t->ttl == a)
        cg_sb_puts(&b, ", TTL");
    if (a->required)
        cg_sb_puts(&b, ", required");
    static const char *const gens[] = {"", "uuid", "version", "created", "updated"};
    if (a->generate)
        cg_sb_printf(&b, ", generated: %s", gens[a->generate]);
    return comment_text(cg_sb_take(&b));
}

/* ---------------------------------------------------------------- header */

static void emit_struct(cg_sb *h, const cg_table *t, const cg_object *o, bool top)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        if (a->object)
            emit_struct(h, t, a->object, false);
        if (a->elem && a->elem->object)
            emit_struct(h, t, a->elem->object, false);
    }
    char *up = cg_upper(o->c_name);
    cg_sb_printf(h, "/* Field numbers of %s_t: bit n of `present`. */\nenum %s_field {\n",
                 o->c_name, o->c_name);
    for (size_t i = 0; i < o->nfields; i++)
        cg_sb_printf(h, "    %s_F_%s = %zu,\n", up, cg_upper(o->fields[i]->name), i);
    cg_sb_printf(h, "    %s_F__COUNT = %zu\n};\n\n", up, o->nfields);
    if (top && t->description)
        cg_sb_printf(h, "/* %s: %s */\n", t->table, comment_text(t->description));
    cg_sb_printf(h, "typedef struct %s {\n", o->c_name);
    cg_sb_printf(
        h, "    uint64_t present; /* presence mask: bit %s_F_<FIELD> set = has a value */\n", up);
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        if (a->description)
            cg_sb_printf(h, "    /* %s */\n", comment_text(a->description));
        cg_sb_printf(h, "    %s %s; /* %s */\n", cg_c_type(a), a->name, member_doc(t, a, top));
    }
    cg_sb_printf(h, "} %s_t;\n\nextern const dg_object_desc %s_desc;\n\n", o->c_name, o->c_name);
    /* typed accessors */
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        const char *ct = cg_c_type(a);
        bool by_ptr = a->type == CG_OBJECT;
        cg_sb_printf(h,
                     "static inline void %s_set_%s(%s_t *o, %s%s v)\n{\n    o->%s = %sv;\n"
                     "    o->present |= UINT64_C(1) << %s_F_%s;\n}\n",
                     o->c_name, a->name, o->c_name, by_ptr ? "const " : "",
                     by_ptr ? cg_fmt("%s *", ct) : ct, a->name, by_ptr ? "*" : "", up,
                     cg_upper(a->name));
        cg_sb_printf(h,
                     "static inline bool %s_has_%s(const %s_t *o)\n{\n"
                     "    return (o->present >> %s_F_%s) & 1u;\n}\n",
                     o->c_name, a->name, o->c_name, up, cg_upper(a->name));
    }
    cg_sb_puts(h, "\n");
}

static void key_params(cg_sb *b, const cg_table *t)
{
    cg_sb_printf(b, "%s %s", cg_c_type(t->pk), t->pk->name);
    if (t->sk)
        cg_sb_printf(b, ", %s %s", cg_c_type(t->sk), t->sk->name);
}

static char *snake(const char *camel)
{
    cg_sb b = {0};
    for (const char *p = camel; *p; p++) {
        if (isupper((unsigned char)*p)) {
            if (p != camel && (islower((unsigned char)p[-1]) || isdigit((unsigned char)p[-1])))
                cg_sb_putn(&b, "_", 1);
            char c = (char)tolower((unsigned char)*p);
            cg_sb_putn(&b, &c, 1);
        } else if (isalnum((unsigned char)*p)) {
            cg_sb_putn(&b, p, 1);
        } else {
            cg_sb_putn(&b, "_", 1);
        }
    }
    return cg_sb_take(&b);
}

/* Typed accessors over dynagen/store.h, only for what the schema declares. */
static void emit_accessors(cg_sb *h, const cg_table *t)
{
    const char *e = t->entity;
    const cg_attr *pk = t->pk;
    const char *pkt = cg_c_type(pk);
    cg_sb_printf(h, "/* ---- accessors (dynagen/store.h)%s ---- */\n\n",
                 t->versioned ? ": the version-0 protocol, current item (id, 0)" : "");
    cg_sb_printf(
        h,
        "/* Validates, sets the generated fields, writes%s. */\n"
        "static inline int %s_create(dg_store *s, %s_t *o, dg_arena *a, dg_store_write *w,\n"
        "                                dg_error *err)\n{\n"
        "    return dg_store_create(s, o, a, w, err);\n}\n",
        t->versioned ? " version 1" : "", e, e);
    /* key-only helper */
    cg_sb_printf(h, "static inline void %s_key_of_(%s_t *k, %s %s", e, e, pkt, pk->name);
    if (t->sk && !t->versioned)
        cg_sb_printf(h, ", %s %s", cg_c_type(t->sk), t->sk->name);
    cg_sb_printf(h, ")\n{\n    memset(k, 0, sizeof *k);\n    %s_set_%s(k, %s);\n", e, pk->name,
                 pk->name);
    if (t->sk && !t->versioned)
        cg_sb_printf(h, "    %s_set_%s(k, %s);\n", e, t->sk->name, t->sk->name);
    cg_sb_puts(h, "}\n");
    const char *keyargs = t->sk && !t->versioned
                              ? cg_fmt("%s %s, %s %s", pkt, pk->name, cg_c_type(t->sk), t->sk->name)
                              : cg_fmt("%s %s", pkt, pk->name);
    const char *keynames =
        t->sk && !t->versioned ? cg_fmt("%s, %s", pk->name, t->sk->name) : pk->name;
    cg_sb_printf(h,
                 "/* The %s item; DG_ENOTFOUND when absent or expired. consistent: bypass DAX. */\n"
                 "static inline int %s_get(dg_store *s, %s, bool consistent, %s_t *out,\n"
                 "                             dg_arena *a, dg_error *err)\n{\n"
                 "    %s_t k;\n    %s_key_of_(&k, %s);\n"
                 "    return dg_store_get(s, &k, consistent, out, a, err);\n}\n",
                 t->versioned ? "current" : "", e, keyargs, e, e, e, keynames);
    cg_sb_printf(
        h,
        "/* o carries the key%s. Conflict: DG_ECONFLICT, w->current_version. */\n"
        "static inline int %s_update(dg_store *s, %s_t *o, dg_arena *a, dg_store_write *w,\n"
        "                                dg_error *err)\n{\n"
        "    return dg_store_update(s, o, a, w, err);\n}\n",
        t->versioned ? cg_fmt(" and in %s the version the caller read", t->sk->name) : "", e, e);
    cg_sb_printf(h,
                 "/* %s */\n"
                 "static inline int %s_delete(dg_store *s, %s, int64_t expected_version,\n"
                 "                                dg_store_write *w, dg_error *err)\n{\n"
                 "    %s_t k;\n    %s_key_of_(&k, %s);\n"
                 "    return dg_store_delete(s, &k, expected_version, w, err);\n}\n",
                 t->versioned
                     ? "Removes the current item; the history stays. expected_version < 0: any."
                     : "expected_version is ignored for tables without versioning.",
                 e, keyargs, e, e, keynames);
    if (t->versioned) {
        cg_sb_printf(
            h,
            "static inline int %s_get_version(dg_store *s, %s %s, int64_t version, %s_t *out,\n"
            "                                     dg_arena *a, dg_error *err)\n{\n"
            "    %s_t k;\n    %s_key_of_(&k, %s);\n"
            "    return dg_store_get_version(s, &k, version, out, a, err);\n}\n",
            e, pkt, pk->name, e, e, e, pk->name);
        cg_sb_printf(h,
                     "/* Newest first; page->items is %s_t[page->count]. */\n"
                     "static inline int %s_list_versions(dg_store *s, %s %s, const char *cursor, "
                     "int limit,\n"
                     "                                       dg_store_page *page, dg_arena *a, "
                     "dg_error *err)\n{\n"
                     "    %s_t k;\n    %s_key_of_(&k, %s);\n"
                     "    return dg_store_list_versions(s, &k, cursor, limit, page, a, err);\n}\n",
                     e, e, pkt, pk->name, e, e, pk->name);
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const cg_index *ix = t->indexes[i];
        const cg_attr *ipk = ix->pk;
        /* CategoryIndex -> list_by_category, ByRegion -> list_by_region */
        char *fn = snake(ix->name);
        if (!strncmp(fn, "by_", 3) && fn[3])
            fn += 3;
        size_t fl = strlen(fn);
        if (fl > 6 && !strcmp(fn + fl - 6, "_index"))
            fn[fl - 6] = '\0';
        cg_sb_printf(
            h,
            "/* Index %s: items with this %s, in %s order. */\n"
            "static inline int %s_list_by_%s(dg_store *s, %s %s, const char *cursor, int limit,\n"
            "                                     bool forward, dg_store_page *page, dg_arena *a,\n"
            "                                     dg_error *err)\n{\n"
            "    %s_t k;\n    memset(&k, 0, sizeof k);\n    %s_set_%s(&k, %s);\n"
            "    return dg_store_query_index(s, &%s_table.indexes[%zu], &k, cursor, limit, "
            "forward,\n"
            "                                page, a, err);\n}\n",
            ix->name, ipk->name, ix->sk ? ix->sk->name : "key", e, fn, cg_c_type(ipk), ipk->name, e,
            e, ipk->name, ipk->name, t->file_stem, i);
    }
    cg_sb_puts(h, "\n");
}

static void emit_header(cg_sb *h, const cg_table *t)
{
    const char *e = t->entity;
    char *guard = cg_upper(cg_fmt("DYNAGEN_GENERATED_%s_H", t->file_stem));
    cg_sb_printf(h, "/* " CG_BANNER_MARK " %s — do not edit */\n", t->file);
    cg_sb_printf(h, "#ifndef %s\n#define %s\n\n", guard, guard);
    cg_sb_puts(
        h, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n"
           "#include \"dynagen/model.h\"\n#include \"dynagen/store.h\"\n\n");
    cg_sb_printf(
        h,
        "#if DG_RUNTIME_ABI != 2\n#error \"%s.h was generated for dynagen runtime ABI 2: run "
        "make generate\"\n#endif\n\n",
        t->file_stem);
    emit_struct(h, t, &t->item, true);
    cg_sb_printf(h,
                 "/* Table %s: descriptor for the runtime (keys, indexes, TTL, versioning). */\n",
                 t->table);
    cg_sb_printf(h, "extern const dg_table_desc %s_table;\n\n", t->file_stem);
    cg_sb_printf(h,
                 "/* Zero every field, then apply the schema's defaults. */\n"
                 "void %s_init(%s_t *o);\n\n",
                 e, e);
    cg_sb_printf(h,
                 "static inline int %s_validate(const %s_t *o, dg_error *err)\n{\n"
                 "    return dg_validate(&%s_desc, o, err);\n}\n",
                 e, e, e);
    cg_sb_printf(h,
                 "/* DynamoDB AttributeValue JSON (the Item map). */\n"
                 "static inline int %s_to_ddb(const %s_t *o, dg_buf *out, dg_error *err)\n{\n"
                 "    return dg_ddb_marshal(&%s_desc, o, out, err);\n}\n",
                 e, e, e);
    cg_sb_printf(
        h,
        "static inline int %s_from_ddb(%s_t *o, const char *json, size_t len, dg_arena *a,\n"
        "                              dg_error *err)\n{\n"
        "    %s_init(o);\n    o->present = 0;\n"
        "    return dg_ddb_unmarshal(&%s_desc, json, len, o, a, err);\n}\n",
        e, e, e, e);
    cg_sb_printf(h,
                 "/* The API's plain JSON. from_json starts from %s_init (defaults); flags: "
                 "DG_DECODE_*. */\n"
                 "static inline int %s_to_json(const %s_t *o, dg_buf *out, dg_error *err)\n{\n"
                 "    return dg_json_marshal(&%s_desc, o, out, err);\n}\n",
                 e, e, e, e);
    cg_sb_printf(
        h,
        "static inline int %s_from_json(%s_t *o, const char *json, size_t len, unsigned flags,\n"
        "                               dg_arena *a, dg_error *err)\n{\n"
        "    %s_init(o);\n"
        "    return dg_json_unmarshal(&%s_desc, json, len, flags, o, a, err);\n}\n\n",
        e, e, e, e);
    if (t->pk) {
        cg_sb_printf(
            h, "/* Primary key as DynamoDB JSON: {\"%s\":...%s}. */\nint %s_key(dg_buf *out, ",
            t->pk->attr, t->sk ? cg_fmt(",\"%s\":...", t->sk->attr) : "", e);
        key_params(h, t);
        cg_sb_puts(h, ", dg_error *err);\n\n");
    }
    if (t->pk)
        emit_accessors(h, t);
    cg_sb_printf(h, "#endif /* %s */\n", guard);
}

/* ---------------------------------------------------------------- source */

/* s as a JSON string followed by ':', byte for byte what the runtime's
 * dg_buf_json_string writes (so the precomputed keys in the descriptors
 * equal the run-time encoding). */
static char *json_key(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    cg_sb b = {0};
    cg_sb_putn(&b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            cg_sb_puts(&b, "\\\"");
            break;
        case '\\':
            cg_sb_puts(&b, "\\\\");
            break;
        case '\n':
            cg_sb_puts(&b, "\\n");
            break;
        case '\r':
            cg_sb_puts(&b, "\\r");
            break;
        case '\t':
            cg_sb_puts(&b, "\\t");
            break;
        case '\b':
            cg_sb_puts(&b, "\\b");
            break;
        case '\f':
            cg_sb_puts(&b, "\\f");
            break;
        default:
            if (*p < 0x20) {
                char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf], 0};
                cg_sb_puts(&b, u);
            } else {
                cg_sb_putn(&b, (const char *)p, 1);
            }
        }
    }
    cg_sb_putn(&b, "\":", 2);
    return cg_sb_take(&b);
}

/* The precomputed name members of a field descriptor (DG_RUNTIME_ABI 2). */
static void emit_name_keys(cg_sb *c, const cg_attr *a)
{
    char *nk = json_key(a->name), *ak = json_key(a->attr);
    cg_sb_printf(c, "        .name_len = %zu,\n        .attr_len = %zu,\n", strlen(a->name),
                 strlen(a->attr));
    cg_sb_puts(c, "        .name_key = ");
    cg_c_string(c, nk);
    cg_sb_puts(c, ",\n        .attr_key = ");
    cg_c_string(c, ak);
    cg_sb_printf(c, ",\n        .name_key_len = %zu,\n        .attr_key_len = %zu,\n", strlen(nk),
                 strlen(ak));
}

static void emit_field_desc(cg_sb *c, const cg_table *t, const cg_object *o, const cg_attr *a,
                            const char *slot_prefix, bool top)
{
    (void)t;
    cg_sb_puts(c, "    {\n");
    cg_sb_puts(c, "        .name = ");
    cg_c_string(c, a->name);
    cg_sb_puts(c, ",\n        .attr = ");
    cg_c_string(c, a->attr);
    cg_sb_printf(c, ",\n        .type = %s,\n", dg_type_const(a->type));
    cg_sb b = {0};
    if (a->required)
        cg_sb_puts(&b, " | DG_F_REQUIRED");
    if (a->has_min)
        cg_sb_puts(&b, " | DG_F_HAS_MIN");
    if (a->has_max)
        cg_sb_puts(&b, " | DG_F_HAS_MAX");
    if (top && a->is_pk)
        cg_sb_puts(&b, " | DG_F_PARTITION_KEY");
    if (top && a->is_sk)
        cg_sb_puts(&b, " | DG_F_SORT_KEY");
    if (a->generate)
        cg_sb_puts(&b, " | DG_F_READONLY");
    if (top && a->is_index_key)
        cg_sb_puts(&b, " | DG_F_INDEX_KEY");
    char *flags = cg_sb_take(&b);
    if (*flags)
        cg_sb_printf(c, "        .flags = %s,\n", flags + 3);
    static const char *const gens[] = {"DG_GEN_NONE", "DG_GEN_UUID", "DG_GEN_VERSION",
                                       "DG_GEN_CREATED", "DG_GEN_UPDATED"};
    if (a->generate)
        cg_sb_printf(c, "        .generate = %s,\n", gens[a->generate]);
    if (o) {
        cg_sb_printf(c, "        .offset = offsetof(%s_t, %s),\n", o->c_name, a->name);
        cg_sb_printf(c, "        .size = sizeof(((%s_t *)0)->%s),\n", o->c_name, a->name);
    } else {
        cg_sb_printf(c, "        .size = sizeof(%s),\n", cg_c_type(a));
    }
    if (a->type == CG_DECIMAL)
        cg_sb_printf(c, "        .scale = %d,\n", a->scale);
    if (a->type == CG_DOUBLE) {
        if (a->has_min)
            cg_sb_printf(c, "        .min_d = %.17g,\n", a->min_d);
        if (a->has_max)
            cg_sb_printf(c, "        .max_d = %.17g,\n", a->max_d);
    } else {
        if (a->has_min)
            cg_sb_printf(c, "        .min = INT64_C(%lld),\n", (long long)a->min);
        if (a->has_max)
            cg_sb_printf(c, "        .max = INT64_C(%lld),\n", (long long)a->max);
    }
    if (a->min_length)
        cg_sb_printf(c, "        .min_length = %u,\n", a->min_length);
    if (a->max_length)
        cg_sb_printf(c, "        .max_length = %u,\n", a->max_length);
    if (a->max_items)
        cg_sb_printf(c, "        .max_items = %u,\n", a->max_items);
    if (a->pattern) {
        cg_sb_puts(c, "        .pattern = ");
        cg_c_string(c, a->pattern);
        cg_sb_printf(c, ",\n        .pattern_slot = &%s_re,\n", slot_prefix);
    }
    if (a->nenum)
        cg_sb_printf(c, "        .enum_values = %s_enum,\n        .enum_count = %zu,\n",
                     slot_prefix, a->nenum);
    if (a->elem)
        cg_sb_printf(c, "        .elem = &%s_elem,\n", slot_prefix);
    if (a->object)
        cg_sb_printf(c, "        .object = &%s_desc,\n", a->object->c_name);
    emit_name_keys(c, a);
    cg_sb_puts(c, "    },\n");
}

static void emit_field_aux(cg_sb *c, const cg_table *t, const cg_attr *a, const char *prefix);

static void emit_object_desc(cg_sb *c, const cg_table *t, const cg_object *o, bool top)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        emit_field_aux(c, t, a, cg_fmt("%s_%s", o->c_name, a->name));
    }
    cg_sb_printf(c, "static const dg_field_desc %s_fields[%zu] = {\n", o->c_name, o->nfields);
    for (size_t i = 0; i < o->nfields; i++)
        emit_field_desc(c, t, o, o->fields[i], cg_fmt("%s_%s", o->c_name, o->fields[i]->name), top);
    cg_sb_puts(c, "};\n\n");
    cg_sb_printf(
        c,
        "const dg_object_desc %s_desc = {\n    .name = \"%s\",\n    .size = sizeof(%s_t),\n"
        "    .presence_offset = offsetof(%s_t, present),\n    .fields = %s_fields,\n"
        "    .field_count = %zu,\n};\n\n",
        o->c_name, o->c_name, o->c_name, o->c_name, o->c_name, o->nfields);
}

/* Statics a field descriptor points at: pattern slot, enum table, element, nested object. */
static void emit_field_aux(cg_sb *c, const cg_table *t, const cg_attr *a, const char *prefix)
{
    if (a->object)
        emit_object_desc(c, t, a->object, false);
    if (a->elem) {
        emit_field_aux(c, t, a->elem, cg_fmt("%s_elem", prefix));
        cg_sb_printf(c, "static const dg_field_desc %s_elem = ", prefix);
        cg_sb b = {0};
        emit_field_desc(&b, t, NULL, a->elem, cg_fmt("%s_elem", prefix), false);
        /* re-indent the array-entry form ("    {\n        ...\n    },\n") as a definition */
        char *s = cg_sb_take(&b);
        size_t n = strlen(s);
        if (n >= 2)
            s[n - 2] = '\0';
        for (char *p = s + 4; *p; p++) {
            if (*p == '\n' && !strncmp(p + 1, "    ", 4)) {
                cg_sb_putn(c, "\n", 1);
                p += 4;
            } else {
                cg_sb_putn(c, p, 1);
            }
        }
        cg_sb_puts(c, ";\n\n");
    }
    if (a->pattern)
        cg_sb_printf(c, "static dg_regex_slot %s_re = DG_REGEX_SLOT_INIT;\n", prefix);
    if (a->nenum) {
        cg_sb_printf(c, "static const char *const %s_enum[%zu] = {", prefix, a->nenum);
        for (size_t i = 0; i < a->nenum; i++) {
            cg_sb_puts(c, i ? ", " : "");
            cg_c_string(c, a->enum_values[i]);
        }
        cg_sb_puts(c, "};\n");
    }
}

static void emit_default(cg_sb *c, const cg_object *o, const cg_attr *a)
{
    const char *s = a->default_text;
    char *up = cg_upper(o->c_name);
    switch (a->type) {
    case CG_STRING:
        cg_sb_printf(c, "    o->%s = (dg_str){", a->name);
        cg_c_string(c, s);
        cg_sb_printf(c, ", %zu};\n", strlen(s));
        break;
    case CG_DECIMAL: {
        /* unscaled value computed exactly at generate time */
        const char *p = s;
        bool neg = *p == '-';
        if (*p == '-' || *p == '+')
            p++;
        cg_sb digits = {0};
        int frac = -1;
        for (; *p; p++) {
            if (*p == '.') {
                frac = 0;
                continue;
            }
            if (frac >= 0) {
                if (frac >= a->scale)
                    continue;
                frac++;
            }
            cg_sb_putn(&digits, p, 1);
        }
        for (int f = frac < 0 ? 0 : frac; f < a->scale; f++)
            cg_sb_puts(&digits, "0");
        char *d = cg_sb_take(&digits);
        while (d[0] == '0' && d[1])
            d++;
        cg_sb_printf(c, "    o->%s = INT64_C(%s%s);\n", a->name, neg ? "-" : "", d);
        break;
    }
    case CG_INT32:
        cg_sb_printf(c, "    o->%s = %lld;\n", a->name, strtoll(s, NULL, 10));
        break;
    case CG_INT64:
    case CG_TTL:
        cg_sb_printf(c, "    o->%s = INT64_C(%lld);\n", a->name, strtoll(s, NULL, 10));
        break;
    case CG_DOUBLE:
        cg_sb_printf(c, "    o->%s = %.17g;\n", a->name, strtod(s, NULL));
        break;
    case CG_BOOL:
        cg_sb_printf(c, "    o->%s = %s;\n", a->name, s);
        break;
    default:
        return;
    }
    cg_sb_printf(c, "    o->present |= UINT64_C(1) << %s_F_%s;\n", up, cg_upper(a->name));
}

static void emit_init(cg_sb *c, const cg_object *o, bool top)
{
    for (size_t i = 0; i < o->nfields; i++)
        if (o->fields[i]->object)
            emit_init(c, o->fields[i]->object, false);
    cg_sb_printf(c, "%svoid %s_init(%s_t *o)\n{\n    memset(o, 0, sizeof *o);\n",
                 top ? "" : "static ", o->c_name, o->c_name);
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        if (a->default_text)
            emit_default(c, o, a);
        if (a->object)
            cg_sb_printf(c, "    %s_init(&o->%s);\n    o->present &= ~(UINT64_C(1) << %s_F_%s);\n",
                         a->object->c_name, a->name, cg_upper(o->c_name), cg_upper(a->name));
    }
    cg_sb_puts(c, "}\n\n");
}

static void emit_source(cg_sb *c, const cg_table *t)
{
    cg_sb_printf(c, "/* " CG_BANNER_MARK " %s — do not edit */\n", t->file);
    cg_sb_printf(c, "#include \"%s.h\"\n\n#include <stddef.h>\n#include <string.h>\n\n",
                 t->file_stem);
    emit_object_desc(c, t, &t->item, true);

    /* indexes */
    if (t->nindexes) {
        for (size_t i = 0; i < t->nindexes; i++) {
            const cg_index *ix = t->indexes[i];
            if (ix->projection == CG_PROJ_INCLUDE) {
                cg_sb_printf(c, "static const char *const %s_%s_include[%zu] = {", t->file_stem,
                             cg_lower(ix->name), ix->ninclude);
                for (size_t j = 0; j < ix->ninclude; j++) {
                    cg_sb_puts(c, j ? ", " : "");
                    cg_c_string(c, ix->include[j]->attr);
                }
                cg_sb_puts(c, "};\n");
            }
        }
        cg_sb_printf(c, "static const dg_index_desc %s_indexes[%zu] = {\n", t->file_stem,
                     t->nindexes);
        for (size_t i = 0; i < t->nindexes; i++) {
            const cg_index *ix = t->indexes[i];
            static const char *const proj[] = {"", "DG_PROJ_ALL", "DG_PROJ_KEYS_ONLY",
                                               "DG_PROJ_INCLUDE"};
            cg_sb_puts(c, "    {\n        .name = ");
            cg_c_string(c, ix->name);
            cg_sb_printf(c,
                         ",\n        .local = %s,\n        .partition_field = %d,\n"
                         "        .sort_field = %d,\n        .projection = %s,\n",
                         ix->local ? "true" : "false", ix->pk ? ix->pk->index : -1,
                         ix->sk ? ix->sk->index : -1, proj[ix->projection]);
            if (ix->projection == CG_PROJ_INCLUDE)
                cg_sb_printf(c,
                             "        .include = %s_%s_include,\n        .include_count = %zu,\n",
                             t->file_stem, cg_lower(ix->name), ix->ninclude);
            cg_sb_puts(c, "    },\n");
        }
        cg_sb_puts(c, "};\n\n");
    }
    cg_sb_printf(c, "const dg_table_desc %s_table = {\n    .table_name = ", t->file_stem);
    cg_c_string(c, t->table);
    cg_sb_puts(c, ",\n    .source = ");
    cg_c_string(c, t->file);
    cg_sb_printf(c,
                 ",\n    .item = &%s_desc,\n    .partition_field = %d,\n    .sort_field = %d,\n"
                 "    .ttl_field = %d,\n    .versioned = %s,\n    .current_version = %lld,\n",
                 t->entity, t->pk ? t->pk->index : -1, t->sk ? t->sk->index : -1,
                 t->ttl ? t->ttl->index : -1, t->versioned ? "true" : "false",
                 (long long)t->current_version);
    if (t->nindexes)
        cg_sb_printf(c, "    .indexes = %s_indexes,\n    .index_count = %zu,\n", t->file_stem,
                     t->nindexes);
    cg_sb_puts(c, "};\n\n");

    emit_init(c, &t->item, true);

    if (t->pk) {
        cg_sb_printf(c, "int %s_key(dg_buf *out, ", t->entity);
        key_params(c, t);
        cg_sb_printf(c, ", dg_error *err)\n{\n    %s_t k;\n    memset(&k, 0, sizeof k);\n",
                     t->entity);
        cg_sb_printf(c, "    %s_set_%s(&k, %s);\n", t->entity, t->pk->name, t->pk->name);
        if (t->sk)
            cg_sb_printf(c, "    %s_set_%s(&k, %s);\n", t->entity, t->sk->name, t->sk->name);
        cg_sb_printf(c, "    return dg_ddb_marshal_key(&%s_table, &k, out, err);\n}\n",
                     t->file_stem);
    }
}

void cg_emit_c(cg_output *o, const char *out_dir, const cg_table *t)
{
    cg_sb h = {0}, c = {0};
    emit_header(&h, t);
    emit_source(&c, t);
    cg_output_add(o, cg_fmt("%s/%s.h", out_dir, t->file_stem), &h);
    cg_output_add(o, cg_fmt("%s/%s.c", out_dir, t->file_stem), &c);
}
