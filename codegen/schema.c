/* dynagen generator — YAML (libyaml document API) to the validated model.
 *
 * Every problem is recorded with cg_error() at the YAML node it concerns and
 * parsing goes on, so one run reports all errors. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct ctx {
    yaml_document_t *doc;
    const char *file;
    cg_table *t;
    /* top-level attributes that failed to parse: references to them are not
     * reported again ("not an attribute" would only be noise) */
    const char *broken[64];
    size_t nbroken;
} ctx;

#define N_ELEMS(a) (sizeof(a) / sizeof *(a))

static cg_loc loc_of(ctx *c, yaml_node_t *n)
{
    cg_loc l = {c->file, 0, 0};
    if (n) {
        l.line = (int)n->start_mark.line + 1;
        l.col = (int)n->start_mark.column + 1;
    }
    return l;
}

static yaml_node_t *node_at(ctx *c, int idx)
{
    return yaml_document_get_node(c->doc, idx);
}

static const char *node_kind(yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

static const char *scalar_of(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool is_plain(yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Report unknown and duplicate keys of a mapping. */
static bool check_map(ctx *c, yaml_node_t *m, const char *what, const char *const *allowed,
                      size_t nallowed)
{
    if (!m)
        return false;
    if (m->type != YAML_MAPPING_NODE) {
        cg_error(loc_of(c, m), "%s must be a mapping, not %s", what, node_kind(m));
        return false;
    }
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key);
        const char *ks = scalar_of(k);
        if (!ks) {
            cg_error(loc_of(c, k), "%s: keys must be scalars", what);
            continue;
        }
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
            const char *qs = scalar_of(node_at(c, q->key));
            if (qs && !strcmp(qs, ks)) {
                cg_error(loc_of(c, k), "%s: duplicate key '%s'", what, ks);
                cg_note(loc_of(c, node_at(c, q->key)), "'%s' first defined here", ks);
                break;
            }
        }
        if (!allowed)
            continue;
        bool ok = false;
        for (size_t i = 0; i < nallowed; i++)
            if (!strcmp(allowed[i], ks))
                ok = true;
        if (!ok) {
            const char *s = cg_suggest(ks, allowed, nallowed);
            if (s)
                cg_error(loc_of(c, k), "%s: unknown key '%s' (did you mean '%s'?)", what, ks, s);
            else
                cg_error(loc_of(c, k), "%s: unknown key '%s'", what, ks);
        }
    }
    return true;
}

static yaml_node_t *get(ctx *c, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *ks = scalar_of(node_at(c, p->key));
        if (ks && !strcmp(ks, key))
            return node_at(c, p->value);
    }
    return NULL;
}

static yaml_node_t *key_node(ctx *c, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key);
        const char *ks = scalar_of(k);
        if (ks && !strcmp(ks, key))
            return k;
    }
    return NULL;
}

static char *get_string(ctx *c, yaml_node_t *m, const char *key, const char *what)
{
    yaml_node_t *v = get(c, m, key);
    if (!v)
        return NULL;
    const char *s = scalar_of(v);
    if (!s) {
        cg_error(loc_of(c, v), "%s: '%s' must be a string, not %s", what, key, node_kind(v));
        return NULL;
    }
    return cg_strdup(s);
}

static bool parse_bool_node(ctx *c, yaml_node_t *v, const char *what, const char *key, bool *out)
{
    const char *s = scalar_of(v);
    if (s && is_plain(v) && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
        *out = true;
        return true;
    }
    if (s && is_plain(v) && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
        *out = false;
        return true;
    }
    cg_error(loc_of(c, v), "%s: '%s' must be true or false", what, key);
    return false;
}

static bool get_bool(ctx *c, yaml_node_t *m, const char *key, const char *what, bool *out)
{
    yaml_node_t *v = get(c, m, key);
    if (!v)
        return false;
    return parse_bool_node(c, v, what, key, out);
}

static bool parse_int_text(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q) && *q != '_')
            return false;
    errno = 0;
    char buf[64];
    size_t j = 0;
    for (const char *q = s; *q && j < sizeof buf - 1; q++)
        if (*q != '_')
            buf[j++] = *q;
    buf[j] = '\0';
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool get_int(ctx *c, yaml_node_t *m, const char *key, const char *what, int64_t lo,
                    int64_t hi, int64_t *out)
{
    yaml_node_t *v = get(c, m, key);
    if (!v)
        return false;
    int64_t x;
    if (!parse_int_text(scalar_of(v), &x) || !is_plain(v)) {
        cg_error(loc_of(c, v), "%s: '%s' must be an integer", what, key);
        return false;
    }
    if (x < lo || x > hi) {
        cg_error(loc_of(c, v), "%s: '%s' must be between %lld and %lld", what, key, (long long)lo,
                 (long long)hi);
        return false;
    }
    *out = x;
    return true;
}

/* Exact decimal text -> unscaled int64 at scale. No exponents (schema bounds). */
static bool parse_decimal_text(const char *s, int scale, int64_t *out, bool *too_precise)
{
    *too_precise = false;
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return false;
    __int128 v = 0;
    int frac = -1;
    for (; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return false;
        if (frac >= 0) {
            if (frac >= scale) {
                if (*p != '0')
                    *too_precise = true;
                continue;
            }
            frac++;
        }
        v = v * 10 + (*p - '0');
        if (v > (__int128)INT64_MAX)
            return false;
    }
    for (int f = frac < 0 ? 0 : frac; f < scale; f++) {
        v *= 10;
        if (v > (__int128)INT64_MAX)
            return false;
    }
    *out = (int64_t)(neg ? -v : v);
    return !*too_precise;
}

/* "5m", "60s", "1h", "250ms", "1d" or plain seconds -> milliseconds */
static bool parse_duration(const char *s, int64_t *ms)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0 || v > 100000000LL)
        return false;
    int64_t mult;
    if (!*end || !strcmp(end, "s"))
        mult = 1000;
    else if (!strcmp(end, "ms"))
        mult = 1;
    else if (!strcmp(end, "m"))
        mult = 60000;
    else if (!strcmp(end, "h"))
        mult = 3600000;
    else if (!strcmp(end, "d"))
        mult = 86400000;
    else
        return false;
    *ms = v * mult;
    return true;
}

/* ---------------------------------------------------------------- types */
static const struct {
    const char *name;
    cg_type type;
} type_names[] = {
    {"string", CG_STRING},
    {"int32", CG_INT32},
    {"int64", CG_INT64},
    {"decimal", CG_DECIMAL},
    {"double", CG_DOUBLE},
    {"bool", CG_BOOL},
    {"binary", CG_BINARY},
    {"timestamp", CG_TIMESTAMP},
    {"ttl", CG_TTL},
    {"string_set", CG_STRING_SET},
    {"number_set", CG_NUMBER_SET},
    {"list", CG_LIST},
    {"map", CG_MAP},
    {"object", CG_OBJECT},
};

const char *cg_type_name(cg_type t)
{
    for (size_t i = 0; i < N_ELEMS(type_names); i++)
        if (type_names[i].type == t)
            return type_names[i].name;
    return "?";
}

char cg_key_type(cg_type t)
{
    switch (t) {
    case CG_STRING:
        return 'S';
    case CG_INT32:
    case CG_INT64:
    case CG_DECIMAL:
    case CG_TIMESTAMP:
    case CG_TTL:
        return 'N';
    case CG_BINARY:
        return 'B';
    default:
        return 0;
    }
}

static bool is_integer_type(cg_type t)
{
    return t == CG_INT32 || t == CG_INT64 || t == CG_TIMESTAMP || t == CG_TTL;
}

static bool is_scalar(cg_type t)
{
    return t <= CG_TTL;
}

static bool valid_attr_name(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 255;
}

static bool valid_table_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 255)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

static const char *const attr_keys[] = {
    "name",       "type",        "required", "min",    "max",     "min_length",
    "max_length", "max_items",   "pattern",  "enum",   "default", "generate",
    "scale",      "description", "items",    "values", "fields",
};

static cg_object *parse_object(ctx *c, yaml_node_t *fields, const char *c_name, const char *what,
                               int depth);

/* Parse one attribute (or a list/map element when is_elem). `spec` may be a
 * scalar type shorthand ("int64") or a mapping. */
static cg_attr *parse_attr(ctx *c, const char *name, yaml_node_t *keynode, yaml_node_t *spec,
                           const char *owner, bool is_elem, int depth)
{
    cg_attr *a = cg_alloc(sizeof *a);
    a->name = cg_strdup(name);
    a->attr = cg_strdup(name);
    a->loc = loc_of(c, keynode ? keynode : spec);
    const char *what = is_elem ? cg_fmt("%s (element)", owner) : cg_fmt("attribute '%s'", name);

    if (depth > 8) {
        cg_error(a->loc, "%s: nesting deeper than 8 levels is not supported", what);
        return NULL;
    }
    if (spec->type == YAML_SCALAR_NODE) { /* shorthand: "values: string" */
        spec = NULL;
    } else if (!check_map(c, spec, what, attr_keys, N_ELEMS(attr_keys))) {
        return NULL;
    }
    yaml_node_t *tn = spec ? get(c, spec, "type") : NULL;
    const char *tname = spec ? scalar_of(tn) : NULL;
    if (!spec) {
        tn = keynode; /* caller passes the scalar as keynode for shorthands */
        tname = scalar_of(tn);
    }
    if (!tname) {
        cg_error(a->loc, "%s: missing 'type'", what);
        return NULL;
    }
    a->type_loc = loc_of(c, tn);
    a->type = 0;
    for (size_t i = 0; i < N_ELEMS(type_names); i++)
        if (!strcmp(type_names[i].name, tname))
            a->type = type_names[i].type;
    if (!a->type) {
        const char *cands[N_ELEMS(type_names)];
        for (size_t i = 0; i < N_ELEMS(type_names); i++)
            cands[i] = type_names[i].name;
        const char *s = cg_suggest(tname, cands, N_ELEMS(cands));
        if (s)
            cg_error(a->type_loc, "%s: unknown type '%s' (did you mean '%s'?)", what, tname, s);
        else
            cg_error(a->type_loc,
                     "%s: unknown type '%s' (one of string, int32, int64, decimal, double, bool, "
                     "binary, timestamp, ttl, string_set, number_set, list, map, object)",
                     what, tname);
        return NULL;
    }
    if (!spec)
        return a;

    cg_type t = a->type;
    char *dname = get_string(c, spec, "name", what);
    if (dname) {
        if (is_elem)
            cg_error(loc_of(c, get(c, spec, "name")), "%s: 'name' is not allowed on an element",
                     what);
        else if (!valid_attr_name(dname))
            cg_error(loc_of(c, get(c, spec, "name")),
                     "%s: DynamoDB attribute name must be 1 to 255 bytes", what);
        else if (!strncmp(dname, "_dg_", 4))
            cg_error(loc_of(c, get(c, spec, "name")),
                     "%s: DynamoDB attribute names starting with _dg_ are reserved for dynagen",
                     what);
        else
            a->attr = dname;
    }
    a->description = get_string(c, spec, "description", what);
    if (get(c, spec, "required")) {
        get_bool(c, spec, "required", what, &a->required);
        if (is_elem)
            cg_error(loc_of(c, get(c, spec, "required")),
                     "%s: 'required' is not allowed on an element", what);
    }

    /* type-specific keys */
#define ONLY_FOR(key, cond, types)                                                                 \
    do {                                                                                           \
        yaml_node_t *kn_ = key_node(c, spec, key);                                                 \
        if (kn_ && !(cond))                                                                        \
            cg_error(loc_of(c, kn_), "%s: '%s' applies only to %s, not %s", what, key, types,      \
                     cg_type_name(t));                                                             \
    } while (0)
    ONLY_FOR("scale", t == CG_DECIMAL, "decimal");
    ONLY_FOR("pattern", t == CG_STRING, "string");
    ONLY_FOR("enum", t == CG_STRING, "string");
    ONLY_FOR("min_length", t == CG_STRING || t == CG_BINARY, "string and binary");
    ONLY_FOR("max_length", t == CG_STRING || t == CG_BINARY, "string and binary");
    ONLY_FOR("max_items", t >= CG_STRING_SET && t <= CG_MAP,
             "string_set, number_set, list and map");
    ONLY_FOR("min", is_integer_type(t) || t == CG_DECIMAL || t == CG_DOUBLE, "numbers");
    ONLY_FOR("max", is_integer_type(t) || t == CG_DECIMAL || t == CG_DOUBLE, "numbers");
    ONLY_FOR("items", t == CG_LIST || t == CG_STRING_SET || t == CG_NUMBER_SET, "list and sets");
    ONLY_FOR("values", t == CG_MAP, "map");
    ONLY_FOR("fields", t == CG_OBJECT, "object");
    ONLY_FOR("default", is_scalar(t), "scalar types");
#undef ONLY_FOR

    if (t == CG_DECIMAL) {
        int64_t sc = 2;
        if (!get(c, spec, "scale"))
            cg_error(a->type_loc, "%s: decimal needs a 'scale' (digits after the point, 0..18)",
                     what);
        else
            get_int(c, spec, "scale", what, 0, 18, &sc);
        a->scale = (int)sc;
    }
    int64_t v;
    if (get_int(c, spec, "min_length", what, 0, 400 * 1024, &v))
        a->min_length = (uint32_t)v;
    if (get_int(c, spec, "max_length", what, 1, 400 * 1024, &v))
        a->max_length = (uint32_t)v;
    if (a->min_length && a->max_length && a->min_length > a->max_length)
        cg_error(loc_of(c, get(c, spec, "min_length")), "%s: min_length is larger than max_length",
                 what);
    if (get_int(c, spec, "max_items", what, 1, 100000, &v))
        a->max_items = (uint32_t)v;

    for (int which = 0; which < 2; which++) {
        const char *key = which ? "max" : "min";
        yaml_node_t *bn = get(c, spec, key);
        if (!bn || !(is_integer_type(t) || t == CG_DECIMAL || t == CG_DOUBLE))
            continue;
        const char *s = scalar_of(bn);
        int64_t iv = 0;
        double dv = 0;
        bool ok = false, too_precise = false;
        if (s && is_plain(bn)) {
            if (t == CG_DECIMAL) {
                ok = parse_decimal_text(s, a->scale, &iv, &too_precise);
            } else if (t == CG_DOUBLE) {
                char *end;
                dv = strtod(s, &end);
                ok = *s && !*end && isfinite(dv);
            } else {
                ok = parse_int_text(s, &iv);
                if (ok && t == CG_INT32 && (iv < INT32_MIN || iv > INT32_MAX)) {
                    cg_error(loc_of(c, bn), "%s: '%s' %s is out of range for int32", what, key, s);
                    continue;
                }
                if (ok && t == CG_TIMESTAMP)
                    ok = iv <= INT64_MAX / 1000 && iv >= INT64_MIN / 1000, iv *= 1000;
            }
        }
        if (!ok) {
            if (too_precise)
                cg_error(loc_of(c, bn), "%s: '%s' has more decimal places than scale %d", what, key,
                         a->scale);
            else
                cg_error(loc_of(c, bn), "%s: '%s' must be %s", what, key,
                         t == CG_DECIMAL  ? "a decimal number"
                         : t == CG_DOUBLE ? "a number"
                                          : "an integer");
            continue;
        }
        if (which) {
            a->has_max = true, a->max = iv, a->max_d = dv, a->max_text = cg_strdup(s);
        } else {
            a->has_min = true, a->min = iv, a->min_d = dv, a->min_text = cg_strdup(s);
        }
    }
    if (a->has_min && a->has_max && (t == CG_DOUBLE ? a->min_d > a->max_d : a->min > a->max))
        cg_error(loc_of(c, get(c, spec, "min")), "%s: min is larger than max", what);

    yaml_node_t *pn = get(c, spec, "pattern");
    if (pn && t == CG_STRING) {
        const char *s = scalar_of(pn);
        if (!s) {
            cg_error(loc_of(c, pn), "%s: 'pattern' must be a string", what);
        } else {
            regex_t re;
            char *full = cg_fmt("^(%s)$", s);
            int rc = regcomp(&re, full, REG_EXTENDED | REG_NOSUB);
            if (rc) {
                char msg[256];
                regerror(rc, &re, msg, sizeof msg);
                cg_error(loc_of(c, pn),
                         "%s: invalid pattern: %s (POSIX extended regular expression)", what, msg);
            } else {
                regfree(&re);
                a->pattern = cg_strdup(s);
            }
        }
    }
    yaml_node_t *en = get(c, spec, "enum");
    if (en && t == CG_STRING) {
        if (en->type != YAML_SEQUENCE_NODE ||
            en->data.sequence.items.top == en->data.sequence.items.start) {
            cg_error(loc_of(c, en), "%s: 'enum' must be a non-empty list of strings", what);
        } else {
            size_t n = (size_t)(en->data.sequence.items.top - en->data.sequence.items.start);
            a->enum_values = cg_alloc(n * sizeof(char *));
            for (size_t i = 0; i < n; i++) {
                yaml_node_t *e = node_at(c, en->data.sequence.items.start[i]);
                const char *s = scalar_of(e);
                if (!s) {
                    cg_error(loc_of(c, e), "%s: enum values must be strings", what);
                    continue;
                }
                for (size_t j = 0; j < a->nenum; j++)
                    if (!strcmp(a->enum_values[j], s))
                        cg_error(loc_of(c, e), "%s: duplicate enum value '%s'", what, s);
                a->enum_values[a->nenum++] = cg_strdup(s);
            }
        }
    }

    yaml_node_t *gn = get(c, spec, "generate");
    if (gn) {
        const char *s = scalar_of(gn);
        static const char *const gens[] = {"uuid", "version", "created", "updated"};
        cg_gen g = CG_GEN_NONE;
        for (size_t i = 0; s && i < N_ELEMS(gens); i++)
            if (!strcmp(s, gens[i]))
                g = (cg_gen)(i + 1);
        if (is_elem) {
            cg_error(loc_of(c, gn), "%s: 'generate' is not allowed on an element", what);
        } else if (!g) {
            const char *sg = s ? cg_suggest(s, gens, N_ELEMS(gens)) : NULL;
            if (sg)
                cg_error(loc_of(c, gn), "%s: unknown generate '%s' (did you mean '%s'?)", what, s,
                         sg);
            else
                cg_error(loc_of(c, gn),
                         "%s: 'generate' must be one of uuid, version, created, updated", what);
        } else if (g == CG_GEN_UUID && t != CG_STRING) {
            cg_error(loc_of(c, gn), "%s: generate: uuid needs type string, not %s", what,
                     cg_type_name(t));
        } else if (g == CG_GEN_VERSION && t != CG_INT64 && t != CG_INT32) {
            cg_error(loc_of(c, gn), "%s: generate: version needs type int64 or int32, not %s", what,
                     cg_type_name(t));
        } else if ((g == CG_GEN_CREATED || g == CG_GEN_UPDATED) && t != CG_TIMESTAMP) {
            cg_error(loc_of(c, gn), "%s: generate: %s needs type timestamp, not %s", what, s,
                     cg_type_name(t));
        } else {
            a->generate = g;
        }
        if (a->generate && depth > 0)
            cg_error(loc_of(c, gn), "%s: 'generate' is only allowed on top-level attributes", what);
    }

    yaml_node_t *dn = get(c, spec, "default");
    if (dn && is_scalar(t)) {
        const char *s = scalar_of(dn);
        if (!s)
            cg_error(loc_of(c, dn), "%s: 'default' must be a scalar", what);
        else {
            a->default_text = cg_strdup(s);
            a->default_loc = loc_of(c, dn);
        }
        if (a->generate)
            cg_error(loc_of(c, dn), "%s: a generated attribute cannot have a default", what);
        if (is_elem)
            cg_error(loc_of(c, dn), "%s: 'default' is not allowed on an element", what);
    }

    /* element / nested specs */
    if (t == CG_LIST || t == CG_STRING_SET || t == CG_NUMBER_SET) {
        yaml_node_t *in = get(c, spec, "items");
        if (!in && t == CG_LIST) {
            cg_error(a->type_loc, "%s: a list needs 'items' (the element type)", what);
        } else if (in) {
            if (t == CG_LIST) {
                if (in->type == YAML_SCALAR_NODE)
                    a->elem = parse_attr(c, "[]", in, in, a->name, true, depth + 1);
                else
                    a->elem = parse_attr(c, "[]", NULL, in, a->name, true, depth + 1);
                if (a->elem && !(is_scalar(a->elem->type) || a->elem->type == CG_OBJECT)) {
                    cg_error(a->elem->type_loc,
                             "%s: list items must be a scalar type or an object, not %s", what,
                             cg_type_name(a->elem->type));
                    a->elem = NULL;
                }
                if (a->elem && a->elem->type == CG_OBJECT && !a->elem->object)
                    a->elem = NULL;
            } else { /* set: constraints on members, type implied */
                static const char *const set_item_keys[] = {
                    "max_length", "min_length", "pattern", "enum", "min", "max", "description"};
                if (check_map(c, in, cg_fmt("%s items", what), set_item_keys,
                              N_ELEMS(set_item_keys))) {
                    if (t == CG_NUMBER_SET) {
                        yaml_node_t *bad = key_node(c, in, "max_length");
                        if (!bad)
                            bad = key_node(c, in, "min_length");
                        if (!bad)
                            bad = key_node(c, in, "pattern");
                        if (!bad)
                            bad = key_node(c, in, "enum");
                        if (!bad)
                            bad = key_node(c, in, "min");
                        if (!bad)
                            bad = key_node(c, in, "max");
                        if (bad)
                            cg_error(loc_of(c, bad), "%s: number_set items take no constraints",
                                     what);
                    } else {
                        /* reuse the string attribute parser on a synthetic spec */
                        cg_attr *e = cg_alloc(sizeof *e);
                        e->name = "[]";
                        e->attr = "[]";
                        e->type = CG_STRING;
                        e->loc = loc_of(c, in);
                        int64_t lv;
                        if (get_int(c, in, "max_length", what, 1, 400 * 1024, &lv))
                            e->max_length = (uint32_t)lv;
                        if (get_int(c, in, "min_length", what, 0, 400 * 1024, &lv))
                            e->min_length = (uint32_t)lv;
                        yaml_node_t *ipn = get(c, in, "pattern");
                        if (ipn) {
                            const char *s = scalar_of(ipn);
                            regex_t re;
                            if (!s || regcomp(&re, cg_fmt("^(%s)$", s), REG_EXTENDED | REG_NOSUB)) {
                                cg_error(loc_of(c, ipn), "%s: invalid items pattern", what);
                            } else {
                                regfree(&re);
                                e->pattern = cg_strdup(s);
                            }
                        }
                        if (key_node(c, in, "min") || key_node(c, in, "max"))
                            cg_error(loc_of(c, in), "%s: string_set items take no min/max", what);
                        if (get(c, in, "enum"))
                            cg_error(loc_of(c, get(c, in, "enum")),
                                     "%s: enum on set items is not supported; use a pattern", what);
                        a->elem = e;
                    }
                }
            }
        }
    } else if (t == CG_MAP) {
        yaml_node_t *vn = get(c, spec, "values");
        if (!vn) {
            cg_error(a->type_loc, "%s: a map needs 'values' (the value type)", what);
        } else {
            if (vn->type == YAML_SCALAR_NODE)
                a->elem = parse_attr(c, "[]", vn, vn, a->name, true, depth + 1);
            else
                a->elem = parse_attr(c, "[]", NULL, vn, a->name, true, depth + 1);
            if (a->elem && !(is_scalar(a->elem->type) || a->elem->type == CG_OBJECT)) {
                cg_error(a->elem->type_loc,
                         "%s: map values must be a scalar type or an object, not %s", what,
                         cg_type_name(a->elem->type));
                a->elem = NULL;
            }
            if (a->elem && a->elem->type == CG_OBJECT && !a->elem->object)
                a->elem = NULL;
        }
    } else if (t == CG_OBJECT) {
        yaml_node_t *fn = get(c, spec, "fields");
        if (!fn)
            cg_error(a->type_loc, "%s: an object needs 'fields'", what);
        else
            a->object = parse_object(c, fn, NULL, what, depth + 1);
    }
    return a;
}

/* Shorthand parse for "items: int64" where the type scalar is also the key node. */

static cg_object *parse_object(ctx *c, yaml_node_t *fields, const char *c_name, const char *what,
                               int depth)
{
    if (!check_map(c, fields, depth ? cg_fmt("%s fields", what) : what, NULL, 0))
        return NULL;
    cg_object *o = cg_alloc(sizeof *o);
    o->c_name = c_name ? cg_strdup(c_name) : NULL;
    o->loc = loc_of(c, fields);
    size_t n = (size_t)(fields->data.mapping.pairs.top - fields->data.mapping.pairs.start);
    o->fields = cg_alloc((n ? n : 1) * sizeof(cg_attr *));
    if (n == 0)
        cg_error(o->loc, "%s: needs at least one field", what);
    if (n > 64)
        cg_error(o->loc, "%s: %zu fields; at most 64 are supported per object (presence mask)",
                 what, n);
    for (yaml_node_pair_t *p = fields->data.mapping.pairs.start; p < fields->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node_at(c, p->key);
        yaml_node_t *v = node_at(c, p->value);
        const char *name = scalar_of(k);
        if (!name)
            continue;
        bool dup = false;
        for (size_t i = 0; i < o->nfields; i++)
            if (!strcmp(o->fields[i]->name, name))
                dup = true;
        if (dup)
            continue; /* reported by check_map */
        bool broken = false;
        if (!cg_is_c_identifier(name)) {
            cg_error(loc_of(c, k),
                     "attribute '%s': names must be lower_snake_case C identifiers (a-z, 0-9, _); "
                     "use 'name:' for the DynamoDB attribute name",
                     name);
            broken = true;
        } else if (cg_is_c_keyword(name)) {
            cg_error(loc_of(c, k),
                     "attribute '%s': '%s' is reserved in C; pick another name and set 'name: %s'",
                     name, name, name);
            broken = true;
        }
        if (broken) {
            if (depth == 0 && c->nbroken < 64)
                c->broken[c->nbroken++] = name;
            continue;
        }
        cg_attr *a;
        if (v->type == YAML_SCALAR_NODE)
            a = parse_attr(c, name, v, v, what, false, depth);
        else
            a = parse_attr(c, name, k, v, what, false, depth);
        if (!a) {
            if (depth == 0 && c->nbroken < 64)
                c->broken[c->nbroken++] = name;
            continue;
        }
        a->loc = loc_of(c, k);
        for (size_t i = 0; i < o->nfields; i++)
            if (!strcmp(o->fields[i]->attr, a->attr)) {
                cg_error(a->loc, "attribute '%s': DynamoDB name '%s' is already used by '%s'",
                         a->name, a->attr, o->fields[i]->name);
                cg_note(o->fields[i]->loc, "'%s' defined here", o->fields[i]->name);
            }
        a->index = (int)o->nfields;
        o->fields[o->nfields++] = a;
    }
    return o;
}

static cg_attr *find_attr(cg_table *t, const char *name)
{
    for (size_t i = 0; i < t->item.nfields; i++)
        if (!strcmp(t->item.fields[i]->name, name))
            return t->item.fields[i];
    return NULL;
}

/* Resolve a reference to a top-level attribute, reporting a helpful error. */
static cg_attr *ref_attr(ctx *c, yaml_node_t *n, const char *what, const char *role)
{
    const char *s = scalar_of(n);
    if (!s) {
        cg_error(loc_of(c, n), "%s: %s must be an attribute name", what, role);
        return NULL;
    }
    cg_attr *a = find_attr(c->t, s);
    for (size_t i = 0; !a && i < c->nbroken; i++)
        if (!strcmp(c->broken[i], s))
            return NULL; /* already reported where it is defined */
    if (!a) {
        const char **names = cg_alloc((c->t->item.nfields + 1) * sizeof(char *));
        for (size_t i = 0; i < c->t->item.nfields; i++)
            names[i] = c->t->item.fields[i]->name;
        const char *sg = cg_suggest(s, names, c->t->item.nfields);
        if (sg)
            cg_error(loc_of(c, n), "%s: %s '%s' is not an attribute (did you mean '%s'?)", what,
                     role, s, sg);
        else
            cg_error(loc_of(c, n), "%s: %s '%s' is not an attribute", what, role, s);
    }
    return a;
}

static void check_key_attr(ctx *c, cg_attr *a, yaml_node_t *n, const char *what, const char *role)
{
    if (a && !cg_key_type(a->type))
        cg_error(loc_of(c, n),
                 "%s: %s '%s' has type %s; key attributes must be string, a number type or binary",
                 what, role, a->name, cg_type_name(a->type));
}

static void check_default(ctx *c, cg_attr *a)
{
    (void)c;
    if (!a->default_text)
        return;
    const char *s = a->default_text;
    int64_t iv;
    bool tp;
    switch (a->type) {
    case CG_STRING:
        if (a->nenum) {
            bool ok = false;
            for (size_t i = 0; i < a->nenum; i++)
                ok |= !strcmp(a->enum_values[i], s);
            if (!ok)
                cg_error(a->default_loc,
                         "attribute '%s': default '%s' is not one of its enum values", a->name, s);
        }
        if (a->max_length && strlen(s) > a->max_length)
            cg_error(a->default_loc, "attribute '%s': default is longer than max_length", a->name);
        if (a->pattern) {
            regex_t re;
            if (!regcomp(&re, cg_fmt("^(%s)$", a->pattern), REG_EXTENDED | REG_NOSUB)) {
                if (regexec(&re, s, 0, NULL, 0))
                    cg_error(a->default_loc,
                             "attribute '%s': default '%s' does not match its pattern", a->name, s);
                regfree(&re);
            }
        }
        break;
    case CG_INT32:
    case CG_INT64:
    case CG_TTL:
        if (!parse_int_text(s, &iv) || (a->type == CG_INT32 && (iv < INT32_MIN || iv > INT32_MAX)))
            cg_error(a->default_loc, "attribute '%s': default '%s' is not a valid %s", a->name, s,
                     cg_type_name(a->type));
        else if ((a->has_min && iv < a->min) || (a->has_max && iv > a->max))
            cg_error(a->default_loc, "attribute '%s': default %s is outside min/max", a->name, s);
        break;
    case CG_DECIMAL:
        if (!parse_decimal_text(s, a->scale, &iv, &tp))
            cg_error(a->default_loc, "attribute '%s': default '%s' is not a decimal with scale %d",
                     a->name, s, a->scale);
        else if ((a->has_min && iv < a->min) || (a->has_max && iv > a->max))
            cg_error(a->default_loc, "attribute '%s': default %s is outside min/max", a->name, s);
        break;
    case CG_DOUBLE: {
        char *end;
        double d = strtod(s, &end);
        if (!*s || *end || !isfinite(d))
            cg_error(a->default_loc, "attribute '%s': default '%s' is not a number", a->name, s);
        break;
    }
    case CG_BOOL:
        if (strcmp(s, "true") && strcmp(s, "false"))
            cg_error(a->default_loc, "attribute '%s': default must be true or false", a->name);
        break;
    default:
        cg_error(a->default_loc,
                 "attribute '%s': defaults are supported for string, int32, int64, decimal, "
                 "double, bool and ttl",
                 a->name);
        break;
    }
}

static void name_objects(cg_object *o, const char *prefix)
{
    if (!o)
        return;
    if (!o->c_name)
        o->c_name = cg_strdup(prefix);
    for (size_t i = 0; i < o->nfields; i++) {
        cg_attr *a = o->fields[i];
        if (a->object)
            name_objects(a->object, cg_fmt("%s_%s", o->c_name, a->name));
        if (a->elem && a->elem->object)
            name_objects(a->elem->object, cg_fmt("%s_%s_item", o->c_name, a->name));
    }
}

static void parse_indexes(ctx *c, yaml_node_t *in)
{
    cg_table *t = c->t;
    if (!check_map(c, in, "indexes", NULL, 0))
        return;
    size_t n = (size_t)(in->data.mapping.pairs.top - in->data.mapping.pairs.start);
    t->indexes = cg_alloc((n ? n : 1) * sizeof(cg_index *));
    size_t ngsi = 0, nlsi = 0;
    static const char *const index_keys[] = {"type", "partition", "sort", "projection", "include"};
    for (yaml_node_pair_t *p = in->data.mapping.pairs.start; p < in->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        const char *name = scalar_of(k);
        if (!name)
            continue;
        const char *what = cg_fmt("index %s", name);
        cg_index *ix = cg_alloc(sizeof *ix);
        ix->name = cg_strdup(name);
        ix->loc = loc_of(c, k);
        if (!valid_table_name(name))
            cg_error(ix->loc,
                     "%s: index names must be 3 to 255 characters of a-z, A-Z, 0-9, _, -, .", what);
        if (!check_map(c, v, what, index_keys, N_ELEMS(index_keys)))
            continue;
        const char *ty = scalar_of(get(c, v, "type"));
        if (ty && !strcmp(ty, "local"))
            ix->local = true;
        else if (ty && strcmp(ty, "global"))
            cg_error(loc_of(c, get(c, v, "type")), "%s: type must be global or local", what);
        yaml_node_t *pn = get(c, v, "partition"), *sn = get(c, v, "sort");
        if (pn) {
            ix->pk = ref_attr(c, pn, what, "partition key");
            ix->pk_loc = loc_of(c, pn);
            check_key_attr(c, ix->pk, pn, what, "partition key");
        }
        if (sn) {
            ix->sk = ref_attr(c, sn, what, "sort key");
            ix->sk_loc = loc_of(c, sn);
            check_key_attr(c, ix->sk, sn, what, "sort key");
        }
        if (ix->local) {
            nlsi++;
            if (pn && ix->pk && t->pk && ix->pk != t->pk)
                cg_error(loc_of(c, pn), "%s: a local index shares the table's partition key '%s'",
                         what, t->pk->name);
            ix->pk = t->pk;
            if (!sn)
                cg_error(ix->loc, "%s: a local index needs a 'sort' key", what);
            if (!t->sk)
                cg_error(ix->loc, "%s: local indexes need a table with a sort key", what);
        } else {
            ngsi++;
            if (!pn)
                cg_error(ix->loc, "%s: missing 'partition'", what);
        }
        const char *proj = scalar_of(get(c, v, "projection"));
        yaml_node_t *incl = get(c, v, "include");
        if (!proj || !strcmp(proj, "all"))
            ix->projection = CG_PROJ_ALL;
        else if (!strcmp(proj, "keys_only"))
            ix->projection = CG_PROJ_KEYS_ONLY;
        else if (!strcmp(proj, "include"))
            ix->projection = CG_PROJ_INCLUDE;
        else
            cg_error(loc_of(c, get(c, v, "projection")),
                     "%s: projection must be all, keys_only or include", what);
        if (ix->projection == CG_PROJ_INCLUDE) {
            if (!incl || incl->type != YAML_SEQUENCE_NODE ||
                incl->data.sequence.items.top == incl->data.sequence.items.start) {
                cg_error(ix->loc,
                         "%s: projection include needs a non-empty 'include' list of attributes",
                         what);
            } else {
                size_t ni =
                    (size_t)(incl->data.sequence.items.top - incl->data.sequence.items.start);
                ix->include = cg_alloc(ni * sizeof(cg_attr *));
                for (size_t i = 0; i < ni; i++) {
                    yaml_node_t *e = node_at(c, incl->data.sequence.items.start[i]);
                    cg_attr *a = ref_attr(c, e, what, "include");
                    if (a && (a == t->pk || a == t->sk || a == ix->pk || a == ix->sk))
                        cg_error(loc_of(c, e),
                                 "%s: '%s' is a key attribute; keys are always projected", what,
                                 a->name);
                    else if (a)
                        ix->include[ix->ninclude++] = a;
                }
            }
        } else if (incl) {
            cg_error(loc_of(c, incl), "%s: 'include' needs projection: include", what);
        }
        for (size_t i = 0; i < t->nindexes; i++)
            if (!strcmp(t->indexes[i]->name, ix->name))
                cg_error(ix->loc, "%s: duplicate index name", what);
        if (ix->pk)
            ix->pk->is_index_key = true;
        if (ix->sk)
            ix->sk->is_index_key = true;
        t->indexes[t->nindexes++] = ix;
    }
    if (ngsi > 20)
        cg_error(loc_of(c, in), "indexes: %zu global indexes; DynamoDB allows at most 20", ngsi);
    if (nlsi > 5)
        cg_error(loc_of(c, in), "indexes: %zu local indexes; DynamoDB allows at most 5", nlsi);
}

static void parse_cache(ctx *c, yaml_node_t *cn)
{
    cg_table *t = c->t;
    static const char *const keys[] = {"reads", "writes", "item_ttl", "query_ttl"};
    if (!check_map(c, cn, "cache", keys, N_ELEMS(keys)))
        return;
    t->has_cache = true;
    t->item_ttl_ms = 300000;
    t->query_ttl_ms = 300000;
    for (int w = 0; w < 2; w++) {
        const char *key = w ? "writes" : "reads";
        yaml_node_t *n = get(c, cn, key);
        const char *s = scalar_of(n);
        bool dax = false;
        if (!n)
            dax = false;
        else if (s && !strcmp(s, "dax"))
            dax = true;
        else if (s && !strcmp(s, "dynamodb"))
            dax = false;
        else
            cg_error(loc_of(c, n), "cache: %s must be dax or dynamodb", key);
        if (w)
            t->writes_dax = dax;
        else
            t->reads_dax = dax;
    }
    if (t->reads_dax && !t->writes_dax)
        cg_warning(loc_of(c, get(c, cn, "writes")),
                   "cache: reads go through DAX but writes do not: DAX's item cache will serve "
                   "stale items until item_ttl (write-through keeps it coherent)");
    for (int w = 0; w < 2; w++) {
        const char *key = w ? "query_ttl" : "item_ttl";
        yaml_node_t *n = get(c, cn, key);
        if (!n)
            continue;
        int64_t ms;
        if (!parse_duration(scalar_of(n), &ms))
            cg_error(loc_of(c, n), "cache: %s must be a duration such as 500ms, 60s, 5m, 1h", key);
        else if (w)
            t->query_ttl_ms = ms;
        else
            t->item_ttl_ms = ms;
    }
}

static void parse_api(ctx *c, yaml_node_t *an)
{
    cg_table *t = c->t;
    static const char *const keys[] = {"path", "operations", "list_by", "page_size"};
    if (!check_map(c, an, "api", keys, N_ELEMS(keys)))
        return;
    t->has_api = true;
    t->api_loc = loc_of(c, an);
    t->page_default = 20;
    t->page_max = 100;
    yaml_node_t *pn = get(c, an, "path");
    const char *path = scalar_of(pn);
    if (!path) {
        cg_error(t->api_loc, "api: missing 'path' (e.g. /products)");
    } else {
        bool ok = path[0] == '/' && path[1];
        for (const char *p = path + 1; ok && *p; p++) /* ok: path[0] is not the NUL */
            if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' ||
                  *p == '_' || *p == '/'))
                ok = false;
        if (!ok || path[strlen(path) - 1] == '/')
            cg_error(loc_of(c, pn), "api: path must look like /products (lower case, no trailing "
                                    "slash, no parameters)");
        t->api_path = cg_strdup(path);
    }
    static const char *const ops[] = {"create", "get",      "update",     "delete",
                                      "list",   "versions", "get_version"};
    yaml_node_t *on = get(c, an, "operations");
    if (!on || on->type != YAML_SEQUENCE_NODE) {
        cg_error(on ? loc_of(c, on) : t->api_loc, "api: 'operations' must be a list of %s",
                 "create, get, update, delete, list, versions, get_version");
    } else {
        for (yaml_node_item_t *it = on->data.sequence.items.start; it < on->data.sequence.items.top;
             it++) {
            yaml_node_t *e = node_at(c, *it);
            const char *s = scalar_of(e);
            unsigned bit = 0;
            for (size_t i = 0; s && i < N_ELEMS(ops); i++)
                if (!strcmp(s, ops[i]))
                    bit = 1u << i;
            if (!bit) {
                const char *sg = s ? cg_suggest(s, ops, N_ELEMS(ops)) : NULL;
                if (sg)
                    cg_error(loc_of(c, e), "api: unknown operation '%s' (did you mean '%s'?)",
                             s ? s : "", sg);
                else
                    cg_error(loc_of(c, e), "api: unknown operation '%s'", s ? s : "");
            } else if (t->ops & bit) {
                cg_error(loc_of(c, e), "api: operation '%s' listed twice", s);
            }
            t->ops |= bit;
            if ((bit == CG_OP_VERSIONS || bit == CG_OP_GET_VERSION) && !t->versioned)
                cg_error(loc_of(c, e), "api: operation '%s' needs 'versioning'", s);
        }
    }
    yaml_node_t *ln = get(c, an, "list_by");
    if (ln) {
        const char *s = scalar_of(ln);
        for (size_t i = 0; s && i < t->nindexes; i++)
            if (!strcmp(t->indexes[i]->name, s))
                t->list_by = t->indexes[i];
        if (!t->list_by)
            cg_error(loc_of(c, ln), "api: list_by '%s' is not an index of this table", s ? s : "");
        else if (t->list_by->local)
            cg_error(loc_of(c, ln), "api: list_by must name a global index");
        if (!(t->ops & CG_OP_LIST))
            cg_error(loc_of(c, ln), "api: list_by given but operation 'list' is not enabled");
    } else if (t->ops & CG_OP_LIST) {
        cg_error(t->api_loc, "api: operation 'list' needs 'list_by: <global index>' (dynagen never "
                             "generates a table scan)");
    }
    yaml_node_t *ps = get(c, an, "page_size");
    if (ps) {
        static const char *const pk[] = {"default", "max"};
        if (check_map(c, ps, "api page_size", pk, 2)) {
            get_int(c, ps, "default", "api page_size", 1, 1000, &t->page_default);
            get_int(c, ps, "max", "api page_size", 1, 1000, &t->page_max);
            if (t->page_default > t->page_max)
                cg_error(loc_of(c, ps), "api page_size: default is larger than max");
        }
    }
}

static void parse_envs(ctx *c, yaml_node_t *en)
{
    cg_table *t = c->t;
    if (!check_map(c, en, "environments", NULL, 0))
        return;
    size_t n = (size_t)(en->data.mapping.pairs.top - en->data.mapping.pairs.start);
    t->envs = cg_alloc((n ? n : 1) * sizeof(cg_env *));
    static const char *const keys[] = {"billing",     "read_capacity", "write_capacity",
                                       "autoscaling", "pitr",          "deletion_protection",
                                       "dax"};
    for (yaml_node_pair_t *p = en->data.mapping.pairs.start; p < en->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        const char *name = scalar_of(k);
        if (!name)
            continue;
        const char *what = cg_fmt("environment %s", name);
        cg_env *e = cg_alloc(sizeof *e);
        e->name = cg_strdup(name);
        e->loc = loc_of(c, k);
        bool nameok = islower((unsigned char)name[0]) && strlen(name) <= 32;
        for (const char *q = name; *q; q++)
            nameok &= islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '-';
        if (!nameok)
            cg_error(e->loc,
                     "%s: environment names are lower case letters, digits and '-' (e.g. dev, "
                     "staging, prod)",
                     what);
        if (!check_map(c, v, what, keys, N_ELEMS(keys)))
            continue;
        const char *billing = scalar_of(get(c, v, "billing"));
        if (!billing || !strcmp(billing, "on_demand"))
            e->provisioned = false;
        else if (!strcmp(billing, "provisioned"))
            e->provisioned = true;
        else
            cg_error(loc_of(c, get(c, v, "billing")),
                     "%s: billing must be on_demand or provisioned", what);
        bool hr = get_int(c, v, "read_capacity", what, 1, 1000000, &e->read_capacity);
        bool hw = get_int(c, v, "write_capacity", what, 1, 1000000, &e->write_capacity);
        if (e->provisioned && (!hr || !hw))
            cg_error(e->loc, "%s: provisioned billing needs read_capacity and write_capacity",
                     what);
        if (!e->provisioned && (get(c, v, "read_capacity") || get(c, v, "write_capacity")))
            cg_error(loc_of(c, get(c, v, "read_capacity") ? get(c, v, "read_capacity")
                                                          : get(c, v, "write_capacity")),
                     "%s: read_capacity/write_capacity need billing: provisioned", what);
        yaml_node_t *as = get(c, v, "autoscaling");
        if (as) {
            if (as->type == YAML_SCALAR_NODE) {
                bool b;
                if (parse_bool_node(c, as, what, "autoscaling", &b) && b)
                    cg_error(loc_of(c, as),
                             "%s: autoscaling: give { min, max, target_utilization }", what);
            } else {
                static const char *const ak[] = {"min", "max", "target_utilization"};
                if (check_map(c, as, cg_fmt("%s autoscaling", what), ak, 3)) {
                    e->autoscaling = true;
                    e->as_min =
                        e->read_capacity < e->write_capacity ? e->read_capacity : e->write_capacity;
                    e->as_max = e->as_min * 10;
                    e->as_target = 70;
                    get_int(c, as, "min", what, 1, 1000000, &e->as_min);
                    get_int(c, as, "max", what, 1, 1000000, &e->as_max);
                    get_int(c, as, "target_utilization", what, 20, 90, &e->as_target);
                    if (e->as_min > e->as_max)
                        cg_error(loc_of(c, as), "%s: autoscaling min is larger than max", what);
                    if (!e->provisioned)
                        cg_error(loc_of(c, as), "%s: autoscaling needs billing: provisioned", what);
                }
            }
        }
        get_bool(c, v, "pitr", what, &e->pitr);
        get_bool(c, v, "deletion_protection", what, &e->deletion_protection);
        yaml_node_t *dn = get(c, v, "dax");
        if (dn) {
            static const char *const dk[] = {"node_type", "nodes", "tls"};
            if (check_map(c, dn, cg_fmt("%s dax", what), dk, 3)) {
                e->has_dax = true;
                e->dax_node_type = get_string(c, dn, "node_type", what);
                if (!e->dax_node_type)
                    cg_error(loc_of(c, dn), "%s: dax needs node_type (e.g. dax.t3.small)", what);
                else if (strncmp(e->dax_node_type, "dax.", 4))
                    cg_error(loc_of(c, get(c, dn, "node_type")),
                             "%s: dax node_type must start with 'dax.' (e.g. dax.r5.large)", what);
                e->dax_nodes = 1;
                get_int(c, dn, "nodes", what, 1, 11, &e->dax_nodes);
                get_bool(c, dn, "tls", what, &e->dax_tls);
            }
        }
        if ((t->reads_dax || t->writes_dax) && !e->has_dax)
            cg_error(e->loc,
                     "%s: the cache policy uses DAX, so this environment needs 'dax: { node_type, "
                     "nodes }'",
                     what);
        for (size_t i = 0; i < t->nenvs; i++)
            if (!strcmp(t->envs[i]->name, e->name)) {
                e = NULL; /* duplicate key, reported by check_map */
                break;
            }
        if (e)
            t->envs[t->nenvs++] = e;
    }
}

static const char *const top_keys[] = {"table",      "entity", "description", "keys",
                                       "attributes", "ttl",    "versioning",  "indexes",
                                       "cache",      "api",    "environments"};

static void parse_table(ctx *c, yaml_node_t *root)
{
    cg_table *t = c->t;
    if (!check_map(c, root, "schema", top_keys, N_ELEMS(top_keys)))
        return;
    yaml_node_t *tn = get(c, root, "table");
    t->table = get_string(c, root, "table", "schema");
    t->table_loc = loc_of(c, tn ? tn : root);
    if (!t->table)
        cg_error(t->table_loc, "schema: missing 'table' (the DynamoDB table name)");
    else if (!valid_table_name(t->table))
        cg_error(
            t->table_loc,
            "table '%s': DynamoDB table names are 3 to 255 characters of a-z, A-Z, 0-9, _, -, .",
            t->table);
    yaml_node_t *en = get(c, root, "entity");
    t->entity = get_string(c, root, "entity", "schema");
    if (!t->entity)
        cg_error(t->table_loc, "schema: missing 'entity' (the C name of one item, e.g. product)");
    else if (!cg_is_c_identifier(t->entity) || cg_is_c_keyword(t->entity))
        cg_error(loc_of(c, en), "entity '%s': must be a lower_snake_case C identifier", t->entity);
    t->description = get_string(c, root, "description", "schema");

    yaml_node_t *an = get(c, root, "attributes");
    if (!an) {
        cg_error(loc_of(c, root), "schema: missing 'attributes'");
        return;
    }
    cg_object *item = parse_object(c, an, t->entity ? t->entity : "item", "attributes", 0);
    if (!item)
        return;
    t->item = *item;
    name_objects(&t->item, t->entity ? t->entity : "item");
    for (size_t i = 0; i < t->item.nfields; i++)
        check_default(c, t->item.fields[i]);

    /* keys */
    yaml_node_t *kn = get(c, root, "keys");
    static const char *const kk[] = {"partition", "sort"};
    if (!kn) {
        cg_error(loc_of(c, root), "schema: missing 'keys' (partition and optional sort key)");
    } else if (check_map(c, kn, "keys", kk, 2)) {
        t->keys_loc = loc_of(c, kn);
        yaml_node_t *pn = get(c, kn, "partition"), *sn = get(c, kn, "sort");
        if (!pn) {
            cg_error(t->keys_loc, "keys: missing 'partition'");
        } else {
            t->pk_loc = loc_of(c, pn);
            t->pk = ref_attr(c, pn, "keys", "partition key");
            check_key_attr(c, t->pk, pn, "keys", "partition key");
        }
        if (sn) {
            t->sk_loc = loc_of(c, sn);
            t->sk = ref_attr(c, sn, "keys", "sort key");
            check_key_attr(c, t->sk, sn, "keys", "sort key");
            if (t->sk && t->sk == t->pk)
                cg_error(t->sk_loc, "keys: the sort key must differ from the partition key");
        }
        if (t->pk) {
            t->pk->is_pk = true;
            if (!t->pk->required && !t->pk->generate)
                t->pk->required = true; /* keys are always required */
        }
        if (t->sk) {
            t->sk->is_sk = true;
            if (!t->sk->required && !t->sk->generate)
                t->sk->required = true;
        }
    }

    /* ttl */
    yaml_node_t *ttl = get(c, root, "ttl");
    if (ttl) {
        t->ttl_loc = loc_of(c, ttl);
        t->ttl = ref_attr(c, ttl, "ttl", "attribute");
        if (t->ttl && t->ttl->type != CG_TTL)
            cg_error(t->ttl_loc,
                     "ttl: attribute '%s' has type %s; the TTL attribute must have type ttl (epoch "
                     "seconds)",
                     t->ttl->name, cg_type_name(t->ttl->type));
        if (t->ttl && (t->ttl->is_pk || t->ttl->is_sk))
            cg_error(t->ttl_loc, "ttl: a key attribute cannot be the TTL attribute");
    }
    for (size_t i = 0; i < t->item.nfields; i++) {
        cg_attr *a = t->item.fields[i];
        if (a->type == CG_TTL && a != t->ttl)
            cg_warning(a->loc,
                       "attribute '%s' has type ttl but is not the table's 'ttl:'; DynamoDB will "
                       "not expire items by it",
                       a->name);
    }

    /* versioning */
    yaml_node_t *vn = get(c, root, "versioning");
    if (vn) {
        static const char *const vk[] = {"sort_key", "current"};
        t->versioning_loc = loc_of(c, vn);
        if (check_map(c, vn, "versioning", vk, 2)) {
            t->versioned = true;
            yaml_node_t *skn = get(c, vn, "sort_key");
            cg_attr *sk = skn ? ref_attr(c, skn, "versioning", "sort_key") : t->sk;
            if (!sk)
                cg_error(t->versioning_loc, "versioning: needs 'sort_key'");
            else if (sk != t->sk)
                cg_error(loc_of(c, skn), "versioning: sort_key '%s' must be the table's sort key",
                         sk->name);
            else if (sk->generate != CG_GEN_VERSION)
                cg_error(loc_of(c, skn ? skn : vn),
                         "versioning: sort key '%s' needs 'generate: version'", sk->name);
            t->current_version = 0;
            get_int(c, vn, "current", "versioning", INT32_MIN, INT32_MAX, &t->current_version);
            if (t->current_version > 0)
                cg_error(loc_of(c, get(c, vn, "current")),
                         "versioning: current must be 0 or negative (versions count up from 1)");
        }
    }
    for (size_t i = 0; i < t->item.nfields; i++) {
        cg_attr *a = t->item.fields[i];
        if (a->generate == CG_GEN_VERSION && !(t->versioned && a == t->sk))
            cg_error(a->loc,
                     "attribute '%s': generate: version needs 'versioning' with this attribute as "
                     "the sort key",
                     a->name);
    }

    yaml_node_t *in = get(c, root, "indexes");
    const char *ins = scalar_of(in);
    if (in && !(ins && is_plain(in) && (!*ins || !strcmp(ins, "~") || !strcmp(ins, "null"))))
        parse_indexes(c, in); /* an empty "indexes:" means none */
    yaml_node_t *cn = get(c, root, "cache");
    if (cn)
        parse_cache(c, cn);
    yaml_node_t *apin = get(c, root, "api");
    if (apin)
        parse_api(c, apin);
    yaml_node_t *envn = get(c, root, "environments");
    if (envn)
        parse_envs(c, envn);
    else
        cg_error(loc_of(c, root), "schema: missing 'environments' (at least one, e.g. dev)");
}

static char *file_stem_of(const char *table)
{
    char *s = cg_lower(table);
    for (char *p = s; *p; p++)
        if (*p == '-' || *p == '.')
            *p = '_';
    return s;
}

static cg_table *load(const char *path, FILE *f, const unsigned char *data, size_t len)
{
    int before = cg_error_count();
    cg_loc floc = {path, 0, 0};
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        cg_error(floc, "cannot initialise the YAML parser");
        return NULL;
    }
    if (f)
        yaml_parser_set_input_file(&parser, f);
    else
        yaml_parser_set_input_string(&parser, data, len);
    cg_table *t = NULL;
    if (!yaml_parser_load(&parser, &doc)) {
        cg_loc l = {path, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1};
        cg_error(l, "invalid YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        cg_error(
            floc,
            "empty schema: expected a mapping with table, entity, keys, attributes, environments");
    } else {
        yaml_document_t extra;
        if (yaml_parser_load(&parser, &extra)) {
            if (yaml_document_get_root_node(&extra)) {
                cg_loc l = {path, (int)parser.mark.line, 1};
                cg_error(l, "one table per file: a second YAML document was found");
            }
            yaml_document_delete(&extra);
        }
        t = cg_alloc(sizeof *t);
        t->file = cg_strdup(path);
        ctx c = {.doc = &doc, .file = path, .t = t};
        parse_table(&c, root);
        if (t->table)
            t->file_stem = file_stem_of(t->table);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (cg_error_count() > before)
        return NULL;
    return t;
}

cg_table *cg_load_schema(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cg_loc floc = {path, 0, 0};
        cg_error(floc, "cannot open: %s", strerror(errno));
        return NULL;
    }
    cg_table *t = load(path, f, NULL, 0);
    fclose(f);
    return t;
}

cg_table *cg_load_schema_buffer(const char *name, const void *data, size_t len)
{
    return load(name, NULL, data, len);
}

void cg_check_project(cg_table **tables, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(tables[i]->table, tables[j]->table))
                cg_error(tables[i]->table_loc, "table '%s' is also defined in %s", tables[i]->table,
                         tables[j]->file);
            else if (!strcmp(tables[i]->file_stem, tables[j]->file_stem))
                cg_error(tables[i]->table_loc,
                         "table '%s' would generate the same file names as '%s' (%s)",
                         tables[i]->table, tables[j]->table, tables[j]->file);
            if (!strcmp(tables[i]->entity, tables[j]->entity))
                cg_error(tables[i]->table_loc, "entity '%s' is also used by %s", tables[i]->entity,
                         tables[j]->file);
        }
}
