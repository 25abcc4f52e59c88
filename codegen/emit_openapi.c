/* dynagen generator — generated/openapi.yaml: OpenAPI 3.1 for every table's
 * `api:` (the routes generated/<table>_routes.c serves). Written as YAML
 * text with a fixed key order, so the output is byte-stable. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

static void ind(cg_sb *b, int n)
{
    cg_sb_printf(b, "%*s", n, "");
}

static char *yq(const char *s) /* YAML double-quoted scalar */
{
    cg_sb b = {0};
    cg_sb_puts(&b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cg_sb_printf(&b, "\\%c", *p);
        else if (*p < 0x20)
            cg_sb_printf(&b, "\\x%02x", *p);
        else
            cg_sb_putn(&b, (const char *)p, 1);
    }
    cg_sb_puts(&b, "\"");
    return cg_sb_take(&b);
}

static char *camel(const char *snake) /* product_dimensions -> ProductDimensions */
{
    cg_sb b = {0};
    bool up = true;
    for (const char *p = snake; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        char c = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        cg_sb_putn(&b, &c, 1);
        up = false;
    }
    return cg_sb_take(&b);
}

static void decimal_text(cg_sb *b, int64_t unscaled, int scale)
{
    bool neg = unscaled < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)unscaled : (unsigned long long)unscaled;
    unsigned long long p = 1;
    for (int i = 0; i < scale; i++)
        p *= 10;
    cg_sb_printf(b, "%s%llu", neg ? "-" : "", u / p);
    if (scale) {
        unsigned long long f = u % p;
        char digits[32];
        snprintf(digits, sizeof digits, "%0*llu", scale, f);
        size_t n = strlen(digits);
        while (n > 0 && digits[n - 1] == '0')
            digits[--n] = '\0';
        if (n)
            cg_sb_printf(b, ".%s", digits);
    }
}

static void schema_of(cg_sb *b, const cg_attr *a, int n, bool input);

static void scalar_schema(cg_sb *b, const cg_attr *a, int n, bool input)
{
    switch (a->type) {
    case CG_STRING:
        ind(b, n), cg_sb_puts(b, "type: string\n");
        if (a->min_length)
            ind(b, n), cg_sb_printf(b, "minLength: %u\n", a->min_length);
        if (a->max_length)
            ind(b, n), cg_sb_printf(b, "maxLength: %u\n", a->max_length);
        if (a->pattern)
            ind(b, n), cg_sb_printf(b, "pattern: %s\n", yq(a->pattern));
        if (a->nenum) {
            ind(b, n), cg_sb_puts(b, "enum:\n");
            for (size_t i = 0; i < a->nenum; i++)
                ind(b, n + 2), cg_sb_printf(b, "- %s\n", yq(a->enum_values[i]));
        }
        if (a->generate == CG_GEN_UUID)
            ind(b, n), cg_sb_puts(b, "format: uuid\n");
        break;
    case CG_INT32:
    case CG_INT64:
        ind(b, n), cg_sb_printf(b, "type: integer\n");
        ind(b, n), cg_sb_printf(b, "format: %s\n", a->type == CG_INT32 ? "int32" : "int64");
        if (a->has_min)
            ind(b, n), cg_sb_printf(b, "minimum: %lld\n", (long long)a->min);
        if (a->has_max)
            ind(b, n), cg_sb_printf(b, "maximum: %lld\n", (long long)a->max);
        break;
    case CG_DECIMAL:
        ind(b, n), cg_sb_puts(b, "type: number\n");
        ind(b, n), cg_sb_printf(b, "description: %s\n",
                                yq(cg_fmt("Exact decimal with at most %d digits after the point (a "
                                          "JSON number or a numeric string).",
                                          a->scale)));
        if (a->scale) {
            ind(b, n), cg_sb_puts(b, "multipleOf: ");
            decimal_text(b, 1, a->scale);
            cg_sb_puts(b, "\n");
        }
        if (a->has_min)
            ind(b, n), cg_sb_puts(b, "minimum: "), decimal_text(b, a->min, a->scale),
                cg_sb_puts(b, "\n");
        if (a->has_max)
            ind(b, n), cg_sb_puts(b, "maximum: "), decimal_text(b, a->max, a->scale),
                cg_sb_puts(b, "\n");
        break;
    case CG_DOUBLE:
        ind(b, n), cg_sb_puts(b, "type: number\n");
        ind(b, n), cg_sb_puts(b, "format: double\n");
        if (a->has_min)
            ind(b, n), cg_sb_printf(b, "minimum: %s\n", a->min_text);
        if (a->has_max)
            ind(b, n), cg_sb_printf(b, "maximum: %s\n", a->max_text);
        break;
    case CG_BOOL:
        ind(b, n), cg_sb_puts(b, "type: boolean\n");
        break;
    case CG_BINARY:
        ind(b, n), cg_sb_puts(b, "type: string\n");
        ind(b, n), cg_sb_puts(b, "contentEncoding: base64\n");
        if (a->max_length)
            ind(b, n), cg_sb_printf(b, "description: %s\n",
                                    yq(cg_fmt("At most %u bytes.", a->max_length)));
        break;
    case CG_TIMESTAMP:
        ind(b, n), cg_sb_puts(b, "type: string\n");
        ind(b, n), cg_sb_puts(b, "format: date-time\n");
        break;
    case CG_TTL:
        if (input) {
            ind(b, n), cg_sb_puts(b, "type:\n");
            ind(b, n + 2), cg_sb_puts(b, "- string\n");
            ind(b, n + 2), cg_sb_puts(b, "- integer\n");
            ind(b, n),
                cg_sb_puts(b,
                           "description: \"Expiry: RFC 3339 date-time or Unix epoch seconds.\"\n");
        } else {
            ind(b, n), cg_sb_puts(b, "type: string\n");
            ind(b, n), cg_sb_puts(b, "format: date-time\n");
        }
        break;
    default:
        break;
    }
}

static void schema_of(cg_sb *b, const cg_attr *a, int n, bool input)
{
    switch (a->type) {
    case CG_STRING_SET:
    case CG_NUMBER_SET:
        ind(b, n), cg_sb_puts(b, "type: array\n");
        ind(b, n), cg_sb_puts(b, "uniqueItems: true\n");
        if (a->max_items)
            ind(b, n), cg_sb_printf(b, "maxItems: %u\n", a->max_items);
        ind(b, n), cg_sb_puts(b, "items:\n");
        if (a->type == CG_NUMBER_SET) {
            ind(b, n + 2), cg_sb_puts(b, "type: number\n");
        } else if (a->elem) {
            scalar_schema(b, a->elem, n + 2, input);
        } else {
            ind(b, n + 2), cg_sb_puts(b, "type: string\n");
        }
        break;
    case CG_LIST:
        ind(b, n), cg_sb_puts(b, "type: array\n");
        if (a->max_items)
            ind(b, n), cg_sb_printf(b, "maxItems: %u\n", a->max_items);
        ind(b, n), cg_sb_puts(b, "items:\n");
        schema_of(b, a->elem, n + 2, input);
        break;
    case CG_MAP:
        ind(b, n), cg_sb_puts(b, "type: object\n");
        if (a->max_items)
            ind(b, n), cg_sb_printf(b, "maxProperties: %u\n", a->max_items);
        ind(b, n), cg_sb_puts(b, "additionalProperties:\n");
        schema_of(b, a->elem, n + 2, input);
        break;
    case CG_OBJECT:
        ind(b, n), cg_sb_printf(b, "$ref: \"#/components/schemas/%s%s\"\n",
                                camel(a->object->c_name), input ? "Input" : "");
        break;
    default:
        scalar_schema(b, a, n, input);
    }
}

static void object_schema(cg_sb *b, const cg_object *o, bool input, bool top)
{
    ind(b, 4), cg_sb_printf(b, "%s%s:\n", camel(o->c_name), input ? "Input" : "");
    ind(b, 6), cg_sb_puts(b, "type: object\n");
    ind(b, 6), cg_sb_puts(b, "additionalProperties: false\n");
    size_t nreq = 0;
    for (size_t i = 0; i < o->nfields; i++)
        if ((input && o->fields[i]->required && !o->fields[i]->generate) ||
            (!input && top && o->fields[i]->required))
            nreq++;
    if (nreq) {
        ind(b, 6), cg_sb_puts(b, "required:\n");
        for (size_t i = 0; i < o->nfields; i++)
            if ((input && o->fields[i]->required && !o->fields[i]->generate) ||
                (!input && top && o->fields[i]->required))
                ind(b, 8), cg_sb_printf(b, "- %s\n", o->fields[i]->name);
    }
    ind(b, 6), cg_sb_puts(b, "properties:\n");
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        if (input && a->generate && a->generate != CG_GEN_VERSION)
            continue;
        ind(b, 8), cg_sb_printf(b, "%s:\n", a->name);
        schema_of(b, a, 10, input);
        if (a->description && a->type != CG_DECIMAL && a->type != CG_TTL && a->type != CG_OBJECT &&
            !(a->generate == CG_GEN_VERSION && input))
            ind(b, 10), cg_sb_printf(b, "description: %s\n", yq(a->description));
        if (a->generate == CG_GEN_VERSION && input)
            ind(b, 10), cg_sb_puts(b, "description: \"The version you read (optimistic "
                                      "concurrency); or send If-Match.\"\n");
        else if (a->generate && !input)
            ind(b, 10), cg_sb_puts(b, "readOnly: true\n");
        if (a->default_text && a->type != CG_OBJECT) {
            if (a->type == CG_STRING)
                ind(b, 10), cg_sb_printf(b, "default: %s\n", yq(a->default_text));
            else
                ind(b, 10), cg_sb_printf(b, "default: %s\n", a->default_text);
        }
    }
}

static void nested_schemas(cg_sb *b, const cg_object *o, bool input)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const cg_attr *a = o->fields[i];
        const cg_object *n = a->object ? a->object : a->elem ? a->elem->object : NULL;
        if (n) {
            nested_schemas(b, n, input);
            object_schema(b, n, input, false);
        }
    }
}

static void error_responses(cg_sb *b, const char *const *codes, size_t n)
{
    static const struct {
        const char *code, *desc;
    } all[] = {
        {"400", "Malformed JSON, a wrong type, an unknown field, or a bad parameter"},
        {"404", "No such item or route"},
        {"405", "Method not allowed on this path (see the Allow header)"},
        {"409",
         "Version conflict: someone else wrote first (error.current_version holds the latest)"},
        {"413", "Body too large"},
        {"415", "Body is not application/json"},
        {"422", "A field breaks a schema rule (required, min/max, length, pattern, enum)"},
        {"428", "The version you read is required (If-Match header or the version field)"},
        {"429", "Throttled by DynamoDB past the retry budget (see Retry-After)"},
        {"502", "The table's endpoint failed TLS verification (a configuration fault; not "
                "retried)"},
        {"503", "The table is unavailable past the retry budget (see Retry-After)"},
        {"504", "The request ran out of time (the Lambda deadline)"},
    };
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < sizeof all / sizeof *all; j++)
            if (!strcmp(all[j].code, codes[i])) {
                ind(b, 8), cg_sb_printf(b, "\"%s\":\n", all[j].code);
                ind(b, 10), cg_sb_printf(b, "description: %s\n", yq(all[j].desc));
                ind(b, 10), cg_sb_puts(b, "content:\n");
                ind(b, 12), cg_sb_puts(b, "application/json:\n");
                ind(b, 14), cg_sb_puts(b, "schema:\n");
                ind(b, 16), cg_sb_puts(b, "$ref: \"#/components/schemas/Error\"\n");
            }
}

#define ERRS(...)                                                                                  \
    do {                                                                                           \
        static const char *const e_[] = {__VA_ARGS__};                                             \
        error_responses(b, e_, sizeof e_ / sizeof *e_);                                            \
    } while (0)

static void json_response(cg_sb *b, const char *code, const char *desc, const char *schema,
                          bool etag)
{
    ind(b, 8), cg_sb_printf(b, "\"%s\":\n", code);
    ind(b, 10), cg_sb_printf(b, "description: %s\n", yq(desc));
    if (etag) {
        ind(b, 10), cg_sb_puts(b, "headers:\n");
        ind(b, 12), cg_sb_puts(b, "ETag:\n");
        ind(b, 14),
            cg_sb_puts(
                b, "description: \"The version, quoted; send it back in If-Match to update.\"\n");
        ind(b, 14), cg_sb_puts(b, "schema:\n");
        ind(b, 16), cg_sb_puts(b, "type: string\n");
    }
    ind(b, 10), cg_sb_puts(b, "content:\n");
    ind(b, 12), cg_sb_puts(b, "application/json:\n");
    ind(b, 14), cg_sb_puts(b, "schema:\n");
    ind(b, 16), cg_sb_printf(b, "$ref: \"#/components/schemas/%s\"\n", schema);
}

static void param(cg_sb *b, const char *name, const char *in, bool required, const char *type,
                  const char *desc)
{
    ind(b, 8), cg_sb_printf(b, "- name: %s\n", name);
    ind(b, 10), cg_sb_printf(b, "in: %s\n", in);
    ind(b, 10), cg_sb_printf(b, "required: %s\n", required ? "true" : "false");
    ind(b, 10), cg_sb_printf(b, "description: %s\n", yq(desc));
    ind(b, 10), cg_sb_puts(b, "schema:\n");
    ind(b, 12), cg_sb_printf(b, "type: %s\n", type);
}

static void body(cg_sb *b, const char *schema)
{
    ind(b, 6), cg_sb_puts(b, "requestBody:\n");
    ind(b, 8), cg_sb_puts(b, "required: true\n");
    ind(b, 8), cg_sb_puts(b, "content:\n");
    ind(b, 10), cg_sb_puts(b, "application/json:\n");
    ind(b, 12), cg_sb_puts(b, "schema:\n");
    ind(b, 14), cg_sb_printf(b, "$ref: \"#/components/schemas/%s\"\n", schema);
}

static void paging_params(cg_sb *b, const cg_table *t)
{
    param(b, "limit", "query", false, "integer",
          cg_fmt("Page size, 1 to %lld (default %lld).", (long long)t->page_max,
                 (long long)t->page_default));
    param(b, "cursor", "query", false, "string", "The next_cursor of the previous page (opaque).");
}

static void emit_paths(cg_sb *b, const cg_table *t)
{
    const char *E = camel(t->entity);
    const char *P = t->api_path;
    const char *id = t->pk->name;
    const char *idtype = cg_key_type(t->pk->type) == 'N' ? "integer" : "string";
    if (t->ops & (CG_OP_CREATE | CG_OP_LIST)) {
        ind(b, 2), cg_sb_printf(b, "%s:\n", P);
        if (t->ops & CG_OP_LIST) {
            const cg_attr *lk = t->list_by->pk;
            ind(b, 4), cg_sb_puts(b, "get:\n");
            ind(b, 6), cg_sb_printf(b, "operationId: list%ss\n", E);
            ind(b, 6), cg_sb_printf(b, "summary: %s\n",
                                    yq(cg_fmt("List by %s (index %s), in %s order", lk->name,
                                              t->list_by->name,
                                              t->list_by->sk ? t->list_by->sk->name : "key")));
            ind(b, 6), cg_sb_puts(b, "parameters:\n");
            param(b, lk->name, "query", true, cg_key_type(lk->type) == 'N' ? "number" : "string",
                  cg_fmt("Only items with this %s.", lk->name));
            paging_params(b, t);
            ind(b, 6), cg_sb_puts(b, "responses:\n");
            json_response(b, "200", "One page", cg_fmt("%sPage", E), false);
            ERRS("400", "429", "502", "503", "504");
        }
        if (t->ops & CG_OP_CREATE) {
            ind(b, 4), cg_sb_puts(b, "post:\n");
            ind(b, 6), cg_sb_printf(b, "operationId: create%s\n", E);
            ind(b, 6), cg_sb_printf(b, "summary: %s\n",
                                    yq(cg_fmt("Create a %s%s", t->entity,
                                              t->versioned ? " (version 1)" : "")));
            body(b, cg_fmt("%sInput", E));
            ind(b, 6), cg_sb_puts(b, "responses:\n");
            json_response(b, "201", "Created; Location names the new item", E, true);
            ERRS("400", "409", "413", "415", "422", "429", "502", "503", "504");
        }
    }
    if (t->ops & (CG_OP_GET | CG_OP_UPDATE | CG_OP_DELETE)) {
        ind(b, 2), cg_sb_printf(b, "%s/{id}:\n", P);
        ind(b, 4), cg_sb_puts(b, "parameters:\n");
        ind(b, 6), cg_sb_puts(b, "- name: id\n");
        ind(b, 8), cg_sb_puts(b, "in: path\n");
        ind(b, 8), cg_sb_puts(b, "required: true\n");
        ind(b, 8), cg_sb_printf(b, "description: %s\n", yq(cg_fmt("The %s.", id)));
        ind(b, 8), cg_sb_puts(b, "schema:\n");
        ind(b, 10), cg_sb_printf(b, "type: %s\n", idtype);
        if (t->ops & CG_OP_GET) {
            ind(b, 4), cg_sb_puts(b, "get:\n");
            ind(b, 6), cg_sb_printf(b, "operationId: get%s\n", E);
            ind(b, 6),
                cg_sb_printf(b, "summary: %s\n",
                             yq(cg_fmt("Get the %s%s", t->versioned ? "current " : "", t->entity)));
            ind(b, 6), cg_sb_puts(b, "parameters:\n");
            param(b, "consistent", "query", false, "boolean",
                  "true: a strongly consistent read (bypasses DAX).");
            ind(b, 6), cg_sb_puts(b, "responses:\n");
            json_response(b, "200", "The item", E, t->versioned);
            ERRS("400", "404", "429", "502", "503", "504");
        }
        if (t->ops & CG_OP_UPDATE) {
            ind(b, 4), cg_sb_puts(b, "put:\n");
            ind(b, 6), cg_sb_printf(b, "operationId: update%s\n", E);
            ind(b, 6), cg_sb_printf(b, "summary: %s\n",
                                    yq(t->versioned ? "Replace the item, on the version you read "
                                                      "(If-Match or the version field)"
                                                    : "Replace the item"));
            if (t->versioned) {
                ind(b, 6), cg_sb_puts(b, "parameters:\n");
                param(b, "If-Match", "header", false, "string", "The ETag (version) you read.");
            }
            body(b, cg_fmt("%sInput", E));
            ind(b, 6), cg_sb_puts(b, "responses:\n");
            json_response(b, "200", "The new version", E, t->versioned);
            if (t->versioned)
                ERRS("400", "404", "409", "413", "415", "422", "428", "429", "502", "503", "504");
            else
                ERRS("400", "404", "413", "415", "422", "429", "502", "503", "504");
        }
        if (t->ops & CG_OP_DELETE) {
            ind(b, 4), cg_sb_puts(b, "delete:\n");
            ind(b, 6), cg_sb_printf(b, "operationId: delete%s\n", E);
            ind(b, 6),
                cg_sb_printf(b, "summary: %s\n",
                             yq(t->versioned
                                    ? "Delete the current item (the version history stays readable)"
                                    : "Delete the item"));
            if (t->versioned) {
                ind(b, 6), cg_sb_puts(b, "parameters:\n");
                param(b, "If-Match", "header", false, "string",
                      "Delete only if this is still the current version.");
            }
            ind(b, 6), cg_sb_puts(b, "responses:\n");
            ind(b, 8), cg_sb_puts(b, "\"204\":\n");
            ind(b, 10), cg_sb_puts(b, "description: Deleted\n");
            ERRS("404", "409", "429", "502", "503", "504");
        }
    }
    if (t->ops & CG_OP_VERSIONS) {
        ind(b, 2), cg_sb_printf(b, "%s/{id}/versions:\n", P);
        ind(b, 4), cg_sb_puts(b, "get:\n");
        ind(b, 6), cg_sb_printf(b, "operationId: list%sVersions\n", E);
        ind(b, 6), cg_sb_puts(b, "summary: \"Version history, newest first\"\n");
        ind(b, 6), cg_sb_puts(b, "parameters:\n");
        param(b, "id", "path", true, idtype, cg_fmt("The %s.", id));
        paging_params(b, t);
        ind(b, 6), cg_sb_puts(b, "responses:\n");
        json_response(b, "200", "One page of versions", cg_fmt("%sPage", E), false);
        ERRS("400", "429", "502", "503", "504");
    }
    if (t->ops & CG_OP_GET_VERSION) {
        ind(b, 2), cg_sb_printf(b, "%s/{id}/versions/{version}:\n", P);
        ind(b, 4), cg_sb_puts(b, "get:\n");
        ind(b, 6), cg_sb_printf(b, "operationId: get%sVersion\n", E);
        ind(b, 6), cg_sb_puts(b, "summary: \"One version\"\n");
        ind(b, 6), cg_sb_puts(b, "parameters:\n");
        param(b, "id", "path", true, idtype, cg_fmt("The %s.", id));
        param(b, "version", "path", true, "integer", "The version number (1 and up).");
        ind(b, 6), cg_sb_puts(b, "responses:\n");
        json_response(b, "200", "That version", E, true);
        ERRS("400", "404", "429", "502", "503", "504");
    }
}

void cg_emit_openapi(cg_output *o, const char *out_dir, cg_table **tables, size_t n)
{
    size_t napi = 0;
    for (size_t i = 0; i < n; i++)
        napi += tables[i]->has_api;
    if (!napi)
        return;
    cg_sb b = {0};
    cg_sb_puts(&b, "# " CG_BANNER_MARK " schema/ — do not edit\n");
    cg_sb_puts(&b, "openapi: 3.1.0\ninfo:\n  title: dynagen API\n  version: \"1\"\n");
    cg_sb_puts(&b, "  description: \"Generated from:");
    for (size_t i = 0; i < n; i++)
        if (tables[i]->has_api)
            cg_sb_printf(&b, " %s (%s)", tables[i]->file, tables[i]->table);
    cg_sb_puts(
        &b, ". Errors are {\\\"error\\\": {\\\"code\\\", \\\"message\\\", \\\"field\\\"?}}.\"\n");
    cg_sb_puts(&b, "paths:\n");
    for (size_t i = 0; i < n; i++)
        if (tables[i]->has_api)
            emit_paths(&b, tables[i]);
    cg_sb_puts(&b, "components:\n  schemas:\n");
    cg_sb_puts(
        &b,
        "    Error:\n      type: object\n      required:\n        - error\n      properties:\n"
        "        error:\n          type: object\n          required:\n            - code\n         "
        "   - message\n"
        "          properties:\n            code:\n              type: string\n"
        "            message:\n              type: string\n            field:\n              type: "
        "string\n"
        "            current_version:\n              type: integer\n              format: int64\n");
    for (size_t i = 0; i < n; i++) {
        const cg_table *t = tables[i];
        if (!t->has_api)
            continue;
        nested_schemas(&b, &t->item, false);
        nested_schemas(&b, &t->item, true);
        object_schema(&b, &t->item, false, true);
        object_schema(&b, &t->item, true, true);
        const char *E = camel(t->entity);
        ind(&b, 4), cg_sb_printf(&b, "%sPage:\n", E);
        cg_sb_printf(
            &b,
            "      type: object\n      required:\n        - items\n      properties:\n"
            "        items:\n          type: array\n          items:\n"
            "            $ref: \"#/components/schemas/%s\"\n"
            "        next_cursor:\n          type:\n            - string\n            - \"null\"\n"
            "          description: \"Pass as ?cursor= for the next page; null on the last "
            "page.\"\n",
            E);
    }
    cg_output_add(o, cg_fmt("%s/openapi.yaml", out_dir), &b);
}
