/* dynagen generator — the API: generated/<table>_routes.c (one handler per
 * operation the schema's api: declares, each a call into dynagen/api.h),
 * generated/dynagen_app.{h,c} (every table, the route table) and
 * generated/main.c (the bootstrap's main). */
#include <string.h>

#include "emit.h"

static const struct {
    unsigned op;
    const char *name, *method, *suffix, *fn;
} OPS[] = {
    {CG_OP_CREATE, "create", "POST", "", "dg_api_create"},
    {CG_OP_LIST, "list", "GET", "", "dg_api_list"},
    {CG_OP_GET, "get", "GET", "/{id}", "dg_api_get"},
    {CG_OP_UPDATE, "update", "PUT", "/{id}", "dg_api_update"},
    {CG_OP_DELETE, "delete", "DELETE", "/{id}", "dg_api_delete"},
    {CG_OP_VERSIONS, "versions", "GET", "/{id}/versions", "dg_api_list_versions"},
    {CG_OP_GET_VERSION, "get_version", "GET", "/{id}/versions/{version}", "dg_api_get_version"},
};
#define NOPS (sizeof OPS / sizeof *OPS)

void cg_emit_routes(cg_output *o, const char *out_dir, cg_table **tables, size_t n)
{
    cg_sb h = {0}, app = {0}, m = {0};
    cg_sb_puts(&h, "/* " CG_BANNER_MARK " schema/ — do not edit */\n"
                   "#ifndef DYNAGEN_GENERATED_APP_H\n#define DYNAGEN_GENERATED_APP_H\n\n"
                   "#include \"dynagen/api.h\"\n\n/* Every table, in this order in "
                   "dynagen_api_tables. */\nenum {\n");
    for (size_t i = 0; i < n; i++)
        cg_sb_printf(&h, "    DYNAGEN_TABLE_%s = %zu,\n", cg_upper(tables[i]->file_stem), i);
    cg_sb_printf(&h, "    DYNAGEN_TABLE_COUNT = %zu\n};\n\n", n);
    cg_sb_puts(
        &h,
        "extern const dg_api_table_def dynagen_api_tables[DYNAGEN_TABLE_COUNT];\n"
        "extern const dg_route dynagen_routes[];\nextern const size_t dynagen_route_count;\n\n");

    cg_sb_puts(&app,
               "/* " CG_BANNER_MARK " schema/ — do not edit */\n#include \"dynagen_app.h\"\n\n");
    for (size_t i = 0; i < n; i++)
        cg_sb_printf(&app, "#include \"%s.h\"\n", tables[i]->file_stem);
    cg_sb_puts(&app, "\n");
    for (size_t i = 0; i < n; i++)
        cg_sb_printf(&app, "static void %s_init_any(void *o) { %s_init(o); }\n", tables[i]->entity,
                     tables[i]->entity);
    cg_sb_puts(&app, "\nconst dg_api_table_def dynagen_api_tables[DYNAGEN_TABLE_COUNT] = {\n");
    for (size_t i = 0; i < n; i++) {
        const cg_table *t = tables[i];
        int list_by = -1;
        for (size_t j = 0; j < t->nindexes; j++)
            if (t->indexes[j] == t->list_by)
                list_by = (int)j;
        cg_sb_printf(&app, "    {.table = &%s_table, .path = ", t->file_stem);
        if (t->has_api)
            cg_c_string(&app, t->api_path);
        else
            cg_sb_puts(&app, "NULL");
        cg_sb_printf(
            &app,
            ", .page_default = %lld, .page_max = %lld, .list_by = %d, .init = %s_init_any},\n",
            (long long)(t->has_api ? t->page_default : 20),
            (long long)(t->has_api ? t->page_max : 100), list_by, t->entity);
    }
    cg_sb_puts(&app,
               "};\n\n/* Literal segments win over {param} segments whatever the order here. */\n"
               "const dg_route dynagen_routes[] = {\n");
    size_t nroutes = 0;
    for (size_t i = 0; i < n; i++) {
        const cg_table *t = tables[i];
        if (!t->has_api)
            continue;
        cg_sb r = {0};
        cg_sb_printf(&r,
                     "/* " CG_BANNER_MARK " %s — do not edit */\n#include \"dynagen_app.h\"\n\n",
                     t->file);
        cg_sb_printf(&r,
                     "/* The routes of %s (api: in %s); each handler is the generic one of\n"
                     " * dynagen/api.h on this table's store. */\n\n",
                     t->table, t->file);
        for (size_t k = 0; k < NOPS; k++) {
            if (!(t->ops & OPS[k].op))
                continue;
            char *fn = cg_fmt("%s_route_%s", t->file_stem, OPS[k].name);
            cg_sb_printf(&h,
                         "int %s(void *app, const dg_http_request *req, dg_http_response *res, "
                         "dg_arena *a);\n",
                         fn);
            cg_sb_printf(
                &r,
                "/* %s %s%s */\nint %s(void *app, const dg_http_request *req, dg_http_response "
                "*res, dg_arena *a)\n{\n"
                "    return %s(dg_api_app_table(app, DYNAGEN_TABLE_%s), req, res, a);\n}\n\n",
                OPS[k].method, t->api_path, OPS[k].suffix, fn, OPS[k].fn, cg_upper(t->file_stem));
            cg_sb_printf(&app,
                         "    {.method = \"%s\", .pattern = \"%s%s\", .handler = %s, .name = \"%s "
                         "%s%s\"},\n",
                         OPS[k].method, t->api_path, OPS[k].suffix, fn, OPS[k].method, t->api_path,
                         OPS[k].suffix);
            nroutes++;
        }
        cg_output_add(o, cg_fmt("%s/%s_routes.c", out_dir, t->file_stem), &r);
    }
    if (!nroutes)
        cg_sb_puts(&app, "    {.method = NULL, .pattern = NULL, .handler = NULL, .name = NULL},\n");
    cg_sb_printf(&app, "};\nconst size_t dynagen_route_count = %zu;\n", nroutes);
    cg_sb_puts(&h, "\n#endif\n");
    cg_sb_puts(&m,
               "/* " CG_BANNER_MARK " schema/ — do not edit */\n"
               "/* The bootstrap: the Lambda Runtime API loop serving every table's routes. */\n"
               "#include \"dynagen_app.h\"\n\n"
               "int main(void)\n{\n"
               "    return dg_api_main(dynagen_api_tables, DYNAGEN_TABLE_COUNT, dynagen_routes, "
               "dynagen_route_count);\n}\n");
    cg_output_add(o, cg_fmt("%s/dynagen_app.h", out_dir), &h);
    cg_output_add(o, cg_fmt("%s/dynagen_app.c", out_dir), &app);
    cg_output_add(o, cg_fmt("%s/main.c", out_dir), &m);
}
