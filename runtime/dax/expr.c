/* dynagen runtime — DAX codec: the expression compiler (§8).
 *
 * A tokenizer and a recursive-descent parser for DynamoDB's condition,
 * key-condition, filter, update and projection expressions (the grammar of
 * the official client: OR < AND < NOT < comparisons / BETWEEN / IN <
 * functions, AND and OR right-associative, redundant parentheses
 * rejected), producing an AST in the arena; a walk then substitutes
 * ExpressionAttributeNames, checks functions where the client does, and
 * emits the CBOR S-expression with the per-expression value array exactly
 * as amazon-dax-client 1.2.x does (including its variable numbering: the
 * first placeholder of an expression gets index 0 and, because the client
 * tests that index for truthiness, a second use of it is appended again). */
#include "dax_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
    F_EQ = 0,
    F_NE,
    F_LT,
    F_GE,
    F_GT,
    F_LE,
    F_AND,
    F_OR,
    F_NOT,
    F_BETWEEN,
    F_IN,
    F_ATTR_EXISTS,
    F_ATTR_NOT_EXISTS,
    F_ATTR_TYPE,
    F_BEGINS_WITH,
    F_CONTAINS,
    F_SIZE,
    F_VAR,
    F_PATH,
    F_SET,
    F_ADD,
    F_DELETE,
    F_REMOVE,
    F_IF_NOT_EXISTS,
    F_LIST_APPEND,
    F_PLUS,
    F_MINUS
};

/* ------------------------------------------------------------------ tokens */

typedef enum {
    T_EOF,
    T_LP,
    T_RP,
    T_COMMA,
    T_DOT,
    T_LB,
    T_RB,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_IN,
    T_BETWEEN,
    T_NOT,
    T_AND,
    T_OR,
    T_SET,
    T_ADD,
    T_DELETE,
    T_REMOVE,
    T_INDEX,
    T_ID,
    T_NAME,
    T_VALUE,
    T_UNKNOWN
} tkind;

typedef struct tok {
    tkind k;
    size_t pos, len;
} tok;

static bool idc(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static const struct {
    const char *w;
    tkind k;
} k_keywords[] = {{"IN", T_IN},   {"BETWEEN", T_BETWEEN}, {"NOT", T_NOT},
                  {"AND", T_AND}, {"OR", T_OR},           {"SET", T_SET},
                  {"ADD", T_ADD}, {"DELETE", T_DELETE},   {"REMOVE", T_REMOVE}};

static tok lex_one(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    tok t = {T_EOF, i, 0};
    if (i >= n)
        return t;
    char c = s[i];
    t.len = 1;
    switch (c) {
    case '(':
        t.k = T_LP;
        return t;
    case ')':
        t.k = T_RP;
        return t;
    case ',':
        t.k = T_COMMA;
        return t;
    case '.':
        t.k = T_DOT;
        return t;
    case '[':
        t.k = T_LB;
        return t;
    case ']':
        t.k = T_RB;
        return t;
    case '=':
        t.k = T_EQ;
        return t;
    case '+':
        t.k = T_PLUS;
        return t;
    case '-':
        t.k = T_MINUS;
        return t;
    case '<':
        if (i + 1 < n && s[i + 1] == '>')
            t.k = T_NE, t.len = 2;
        else if (i + 1 < n && s[i + 1] == '=')
            t.k = T_LE, t.len = 2;
        else
            t.k = T_LT;
        return t;
    case '>':
        if (i + 1 < n && s[i + 1] == '=')
            t.k = T_GE, t.len = 2;
        else
            t.k = T_GT;
        return t;
    default:
        break;
    }
    if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < n && idc(s[j]))
            j++;
        if (j == i + 1) {
            t.k = T_UNKNOWN;
            return t;
        }
        t.k = c == '#' ? T_NAME : T_VALUE;
        t.len = j - i;
        return t;
    }
    if (c >= '0' && c <= '9') {
        size_t j = i + 1;
        if (c != '0')
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
        t.k = T_INDEX;
        t.len = j - i;
        return t;
    }
    if (isalpha((unsigned char)c)) {
        size_t j = i + 1;
        while (j < n && idc(s[j]))
            j++;
        t.len = j - i;
        t.k = T_ID;
        for (size_t k = 0; k < sizeof k_keywords / sizeof k_keywords[0]; k++)
            if (strlen(k_keywords[k].w) == t.len && strncasecmp(s + i, k_keywords[k].w, t.len) == 0)
                t.k = k_keywords[k].k;
        return t;
    }
    t.k = T_UNKNOWN;
    /* one UTF-8 character */
    size_t j = i + 1;
    while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
        j++;
    t.len = j - i;
    return t;
}

/* ------------------------------------------------------------------ AST */

typedef enum { N_PATH, N_VAR, N_FUNC, N_CALL } nkind;

typedef struct node node;
struct node {
    nkind kind;
    int func;         /* N_FUNC: F_*; N_CALL: unresolved name in name */
    dg_str name;      /* N_VAR: ":v" text; N_CALL: function name */
    size_t pos;       /* source position */
    dg_dax_path path; /* N_PATH (names raw: "#n" not yet substituted) */
    node **args;
    size_t nargs;
    bool paren; /* written in parentheses (redundancy check) */
};

typedef struct parser {
    const char *s;
    size_t n;
    tok cur;
    dg_arena *a;
    const char *what; /* "ConditionExpression" ... */
    /* furthest syntax error */
    bool failed;
    size_t err_pos, err_len;
    const char *err_msg;
    int oom;
} parser;

static void advance(parser *p)
{
    p->cur = lex_one(p->s, p->n, p->cur.pos + p->cur.len);
}

static node *fail_at(parser *p, tok t, const char *msg)
{
    /* the furthest failure wins, but a specific diagnosis (redundant
     * parentheses, index range) beats a generic syntax error */
    bool better = !p->failed || (msg != NULL && p->err_msg == NULL) ||
                  ((msg != NULL) == (p->err_msg != NULL) && t.pos >= p->err_pos);
    if (better) {
        p->failed = true;
        p->err_pos = t.pos;
        p->err_len = t.len;
        p->err_msg = msg;
    }
    return NULL;
}

static node *mk(parser *p, nkind k, size_t pos)
{
    node *x = dg_arena_calloc(p->a, 1, sizeof *x);
    if (x == NULL) {
        p->oom = 1;
        return NULL;
    }
    x->kind = k;
    x->pos = pos;
    return x;
}

static bool add_arg(parser *p, node *f, node *arg, size_t *cap)
{
    node **a = dax_grow(p->a, f->args, cap, f->nargs, sizeof *a);
    if (a == NULL) {
        p->oom = 1;
        return false;
    }
    f->args = a;
    a[f->nargs++] = arg;
    return true;
}

static node *func2(parser *p, int f, size_t pos, node *x, node *y)
{
    node *r = mk(p, N_FUNC, pos);
    if (r == NULL)
        return NULL;
    size_t cap = 0;
    r->func = f;
    if (!add_arg(p, r, x, &cap) || (y && !add_arg(p, r, y, &cap)))
        return NULL;
    return r;
}

static node *parse_path(parser *p)
{
    if (p->cur.k != T_ID && p->cur.k != T_NAME)
        return fail_at(p, p->cur, NULL);
    node *x = mk(p, N_PATH, p->cur.pos);
    if (x == NULL)
        return NULL;
    size_t cap = 0;
    for (bool first = true;; first = false) {
        dg_dax_path_elem e = {false, 0, DG_STR_NULL};
        if (first || p->cur.k == T_DOT) {
            if (!first) {
                advance(p);
                if (p->cur.k != T_ID && p->cur.k != T_NAME)
                    return fail_at(p, p->cur, NULL);
            }
            e.name = dg_str_from(p->s + p->cur.pos, p->cur.len);
            advance(p);
        } else if (p->cur.k == T_LB) {
            advance(p);
            if (p->cur.k != T_INDEX)
                return fail_at(p, p->cur, NULL);
            uint64_t v = 0;
            for (size_t i = 0; i < p->cur.len; i++) {
                v = v * 10 + (uint64_t)(p->s[p->cur.pos + i] - '0');
                if (v > UINT32_MAX)
                    return fail_at(p, p->cur, "List index is not within the allowable range");
            }
            e.is_index = true;
            e.index = (uint32_t)v;
            advance(p);
            if (p->cur.k != T_RB)
                return fail_at(p, p->cur, NULL);
            advance(p);
        } else {
            return x;
        }
        dg_dax_path_elem *el = dax_grow(p->a, x->path.elems, &cap, x->path.count, sizeof *el);
        if (el == NULL) {
            p->oom = 1;
            return NULL;
        }
        x->path.elems = el;
        el[x->path.count++] = e;
    }
}

static node *parse_operand(parser *p, unsigned depth);

static node *parse_call(parser *p, unsigned depth)
{
    node *f = mk(p, N_CALL, p->cur.pos);
    if (f == NULL)
        return NULL;
    f->name = dg_str_from(p->s + p->cur.pos, p->cur.len);
    advance(p); /* ID */
    advance(p); /* ( */
    size_t cap = 0;
    for (;;) {
        node *arg = parse_operand(p, depth + 1);
        if (arg == NULL || !add_arg(p, f, arg, &cap))
            return NULL;
        if (p->cur.k == T_COMMA) {
            advance(p);
            continue;
        }
        if (p->cur.k != T_RP)
            return fail_at(p, p->cur, NULL);
        advance(p);
        return f;
    }
}

static tok peek2(parser *p)
{
    return lex_one(p->s, p->n, p->cur.pos + p->cur.len);
}

static node *parse_operand(parser *p, unsigned depth)
{
    if (depth > 200)
        return fail_at(p, p->cur, "The expression is nested too deeply");
    switch (p->cur.k) {
    case T_VALUE: {
        node *v = mk(p, N_VAR, p->cur.pos);
        if (v)
            v->name = dg_str_from(p->s + p->cur.pos, p->cur.len);
        advance(p);
        return v;
    }
    case T_ID:
        if (peek2(p).k == T_LP)
            return parse_call(p, depth);
        return parse_path(p);
    case T_NAME:
        return parse_path(p);
    case T_LP: {
        tok open = p->cur;
        advance(p);
        node *o = parse_operand(p, depth + 1);
        if (o == NULL)
            return NULL;
        if (p->cur.k != T_RP)
            return fail_at(p, p->cur, NULL);
        advance(p);
        if (o->paren)
            return fail_at(p, open, "The expression has redundant parentheses");
        o->paren = true;
        return o;
    }
    default:
        return fail_at(p, p->cur, NULL);
    }
}

static int comparator(tkind k)
{
    switch (k) {
    case T_EQ:
        return F_EQ;
    case T_NE:
        return F_NE;
    case T_LT:
        return F_LT;
    case T_LE:
        return F_LE;
    case T_GT:
        return F_GT;
    case T_GE:
        return F_GE;
    default:
        return -1;
    }
}

static node *parse_or(parser *p, unsigned depth);

/* comparison / IN / BETWEEN / function condition */
static node *parse_predicate(parser *p, unsigned depth)
{
    size_t pos = p->cur.pos;
    node *lhs = parse_operand(p, depth + 1);
    if (lhs == NULL)
        return NULL;
    int cmp = comparator(p->cur.k);
    if (cmp >= 0) {
        advance(p);
        node *rhs = parse_operand(p, depth + 1);
        return rhs ? func2(p, cmp, pos, lhs, rhs) : NULL;
    }
    if (p->cur.k == T_BETWEEN) {
        advance(p);
        node *lo = parse_operand(p, depth + 1);
        if (lo == NULL)
            return NULL;
        if (p->cur.k != T_AND)
            return fail_at(p, p->cur, NULL);
        advance(p);
        node *hi = parse_operand(p, depth + 1);
        if (hi == NULL)
            return NULL;
        node *r = func2(p, F_BETWEEN, pos, lhs, lo);
        size_t cap = 2;
        return r && add_arg(p, r, hi, &cap) ? r : NULL;
    }
    if (p->cur.k == T_IN) {
        advance(p);
        if (p->cur.k != T_LP)
            return fail_at(p, p->cur, NULL);
        advance(p);
        node *r = func2(p, F_IN, pos, lhs, NULL);
        size_t cap = 1;
        if (r == NULL)
            return NULL;
        for (;;) {
            node *o = parse_operand(p, depth + 1);
            if (o == NULL || !add_arg(p, r, o, &cap))
                return NULL;
            if (p->cur.k == T_COMMA) {
                advance(p);
                continue;
            }
            if (p->cur.k != T_RP)
                return fail_at(p, p->cur, NULL);
            advance(p);
            return r;
        }
    }
    if (lhs->kind == N_CALL && !lhs->paren)
        return lhs; /* function condition */
    return fail_at(p, p->cur, NULL);
}

static node *parse_primary(parser *p, unsigned depth)
{
    if (depth > 200)
        return fail_at(p, p->cur, "The expression is nested too deeply");
    if (p->cur.k == T_NOT) {
        size_t pos = p->cur.pos;
        advance(p);
        node *x = parse_primary(p, depth + 1);
        return x ? func2(p, F_NOT, pos, x, NULL) : NULL;
    }
    if (p->cur.k == T_LP) {
        /* '(' condition ')' or a comparison whose first operand is
         * parenthesised: try the grouping first, back off on failure. */
        tok save = p->cur;
        advance(p);
        node *c = parse_or(p, depth + 1);
        if (c != NULL && p->cur.k == T_RP) {
            advance(p);
            if (c->paren)
                return fail_at(p, save, "The expression has redundant parentheses");
            int k = p->cur.k;
            if (comparator((tkind)k) < 0 && k != T_IN && k != T_BETWEEN) {
                c->paren = true;
                return c;
            }
        }
        if (p->oom)
            return NULL;
        p->cur = save;
    }
    return parse_predicate(p, depth);
}

static node *parse_and(parser *p, unsigned depth)
{
    node *x = parse_primary(p, depth + 1);
    if (x == NULL || p->cur.k != T_AND)
        return x;
    size_t pos = p->cur.pos;
    advance(p);
    node *y = parse_and(p, depth + 1); /* right-associative, as the client's grammar */
    return y ? func2(p, F_AND, pos, x, y) : NULL;
}

static node *parse_or(parser *p, unsigned depth)
{
    if (depth > 200)
        return fail_at(p, p->cur, "The expression is nested too deeply");
    node *x = parse_and(p, depth + 1);
    if (x == NULL || p->cur.k != T_OR)
        return x;
    size_t pos = p->cur.pos;
    advance(p);
    node *y = parse_or(p, depth + 1);
    return y ? func2(p, F_OR, pos, x, y) : NULL;
}

/* set_value := operand | arithmetic ; arithmetic := operand (+|-) operand | '(' arithmetic ')' */
static node *parse_arith(parser *p, unsigned depth);

static node *parse_set_value(parser *p, unsigned depth)
{
    if (depth > 200)
        return fail_at(p, p->cur, "The expression is nested too deeply");
    if (p->cur.k == T_LP) {
        tok save = p->cur;
        advance(p);
        node *x = parse_arith(p, depth + 1);
        if (x != NULL && p->cur.k == T_RP) {
            advance(p);
            if (x->paren)
                return fail_at(p, save, "The expression has redundant parentheses");
            x->paren = true;
            return x;
        }
        if (p->oom)
            return NULL;
        p->cur = save;
    }
    size_t pos = p->cur.pos;
    node *x = parse_operand(p, depth + 1);
    if (x == NULL)
        return NULL;
    if (p->cur.k == T_PLUS || p->cur.k == T_MINUS) {
        int f = p->cur.k == T_PLUS ? F_PLUS : F_MINUS;
        advance(p);
        node *y = parse_operand(p, depth + 1);
        return y ? func2(p, f, pos, x, y) : NULL;
    }
    return x;
}

static node *parse_arith(parser *p, unsigned depth)
{
    node *x = parse_set_value(p, depth + 1);
    if (x == NULL)
        return NULL;
    if (x->kind == N_FUNC && (x->func == F_PLUS || x->func == F_MINUS))
        return x;
    return fail_at(p, p->cur, NULL);
}

/* update := section+ -> a synthetic node whose args are the actions */
static node *parse_update(parser *p)
{
    node *u = mk(p, N_FUNC, 0);
    if (u == NULL)
        return NULL;
    size_t cap = 0;
    while (p->cur.k != T_EOF || u->nargs == 0) {
        tkind sec = p->cur.k;
        if (sec != T_SET && sec != T_ADD && sec != T_DELETE && sec != T_REMOVE)
            return fail_at(p, p->cur, NULL);
        advance(p);
        for (;;) {
            size_t pos = p->cur.pos;
            node *path = parse_path(p);
            if (path == NULL)
                return NULL;
            node *act;
            if (sec == T_REMOVE) {
                act = func2(p, F_REMOVE, pos, path, NULL);
            } else if (sec == T_SET) {
                if (p->cur.k != T_EQ)
                    return fail_at(p, p->cur, NULL);
                advance(p);
                node *v = parse_set_value(p, 1);
                act = v ? func2(p, F_SET, pos, path, v) : NULL;
            } else {
                if (p->cur.k != T_VALUE)
                    return fail_at(p, p->cur, NULL);
                node *v = mk(p, N_VAR, p->cur.pos);
                if (v)
                    v->name = dg_str_from(p->s + p->cur.pos, p->cur.len);
                advance(p);
                act = v ? func2(p, sec == T_ADD ? F_ADD : F_DELETE, pos, path, v) : NULL;
            }
            if (act == NULL || !add_arg(p, u, act, &cap))
                return NULL;
            if (p->cur.k != T_COMMA)
                break;
            advance(p);
        }
    }
    return u;
}

static node *parse_projection(parser *p)
{
    node *u = mk(p, N_FUNC, 0);
    if (u == NULL)
        return NULL;
    size_t cap = 0;
    for (;;) {
        node *x = parse_path(p);
        if (x == NULL || !add_arg(p, u, x, &cap))
            return NULL;
        if (p->cur.k != T_COMMA)
            break;
        advance(p);
    }
    if (p->cur.k != T_EOF)
        return fail_at(p, p->cur, NULL);
    return u;
}

/* ------------------------------------------------------------------ walk + emit */

typedef enum { X_CONDITION, X_KEY_CONDITION, X_FILTER, X_UPDATE, X_PROJECTION } xtype;

static const char *const k_xnames[] = {"ConditionExpression", "KeyConditionExpression",
                                       "FilterExpression", "UpdateExpression",
                                       "ProjectionExpression"};

typedef struct emitter {
    xtype type;
    const char *what;
    const dg_dax_expr_input *in;
    dg_dax_num_mode mode;
    dg_arena *a;
    dg_error *err;
    bool *name_used;
    bool *value_used;
    /* per-expression variables */
    dg_str *var_names;
    size_t *var_ids;
    size_t nvars, cap_vars, cap_ids;
    size_t nvalues;
    dg_buf values;
} emitter;

static int expr_error(emitter *e, size_t pos, const char *fmt, const char *arg)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, arg);
    return dg_error_set(e->err, DG_EINVAL, e->what, "Invalid %s: %s (char %zu)", e->what, msg, pos);
}

static int subst_name(emitter *e, dg_str raw, size_t pos, dg_str *out)
{
    if (raw.len == 0 || raw.ptr[0] != '#') {
        *out = raw;
        return 0;
    }
    const dg_dax_strmap *m = e->in->names;
    for (size_t i = 0; m && i < m->count; i++)
        if (m->keys[i].len == raw.len && memcmp(m->keys[i].ptr, raw.ptr, raw.len) == 0) {
            e->name_used[i] = true;
            *out = m->values[i];
            return 0;
        }
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(raw.len > 100 ? 100 : raw.len), raw.ptr);
    return expr_error(e, pos,
                      "An expression attribute name used in the document path is not defined; "
                      "attribute name: %s",
                      tmp);
}

static int emit_path(emitter *e, dg_buf *b, const node *x, dg_dax_path *subst)
{
    cw_array(b, 1 + x->path.count);
    cw_uint(b, F_PATH);
    if (subst) {
        subst->count = x->path.count;
        subst->elems =
            dg_arena_calloc(e->a, x->path.count ? x->path.count : 1, sizeof *subst->elems);
        if (subst->elems == NULL)
            return dg_error_set(e->err, DG_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < x->path.count; i++) {
        const dg_dax_path_elem *el = &x->path.elems[i];
        if (el->is_index) {
            cw_tag(b, DAX_TAG_PATH_ORDINAL);
            cw_uint(b, el->index);
            if (subst)
                subst->elems[i] = *el;
        } else {
            dg_str name;
            int rc = subst_name(e, el->name, x->pos, &name);
            if (rc != 0)
                return rc;
            cw_text(b, name.ptr, name.len);
            if (subst) {
                subst->elems[i] = *el;
                subst->elems[i].name = name;
            }
        }
    }
    return 0;
}

static int emit_var(emitter *e, dg_buf *b, const node *x)
{
    const dg_dax_av *values = e->in->values;
    const dg_dax_av *v = NULL;
    size_t vi = 0;
    for (; values && vi < values->count; vi++)
        if (values->keys[vi].len == x->name.len &&
            memcmp(values->keys[vi].ptr, x->name.ptr, x->name.len) == 0) {
            v = &values->items[vi];
            break;
        }
    if (v == NULL) {
        char tmp[128];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(x->name.len > 100 ? 100 : x->name.len),
                 x->name.ptr);
        return expr_error(e, x->pos,
                          "An expression attribute value used in expression is not defined; "
                          "attribute value: %s",
                          tmp);
    }
    e->value_used[vi] = true;
    size_t slot = e->nvars;
    for (size_t i = 0; i < e->nvars; i++)
        if (e->var_names[i].len == x->name.len &&
            memcmp(e->var_names[i].ptr, x->name.ptr, x->name.len) == 0)
            slot = i;
    size_t id;
    if (slot < e->nvars && e->var_ids[slot] != 0) {
        id = e->var_ids[slot];
    } else {
        /* the client's `if(!varId)`: index 0 counts as unknown */
        id = e->nvalues++;
        if (slot == e->nvars) {
            dg_str *vn = dax_grow(e->a, e->var_names, &e->cap_vars, e->nvars, sizeof *vn);
            size_t *vids =
                vn ? dax_grow(e->a, e->var_ids, &e->cap_ids, e->nvars, sizeof *vids) : NULL;
            if (vids == NULL)
                return dg_error_set(e->err, DG_ENOMEM, NULL, "out of memory");
            e->var_names = vn, e->var_ids = vids;
            vn[slot] = x->name;
            e->nvars++;
        }
        e->var_ids[slot] = id;
        int rc = dax_write_av(&e->values, v, e->mode, 0, e->err);
        if (rc != 0) {
            dg_error_push_field(e->err, "ExpressionAttributeValues");
            return rc;
        }
    }
    cw_array(b, 2);
    cw_uint(b, F_VAR);
    cw_uint(b, id);
    return 0;
}

static const struct {
    const char *name;
    int func, arity;
} k_funcs[] = {
    {"attribute_exists", F_ATTR_EXISTS, 1},
    {"attribute_not_exists", F_ATTR_NOT_EXISTS, 1},
    {"attribute_type", F_ATTR_TYPE, 2},
    {"begins_with", F_BEGINS_WITH, 2},
    {"contains", F_CONTAINS, 2},
    {"size", F_SIZE, 1},
    {"if_not_exists", F_IF_NOT_EXISTS, 2},
    {"list_append", F_LIST_APPEND, 2},
};

static int emit(emitter *e, dg_buf *b, const node *x, unsigned nesting);

static int emit_call(emitter *e, dg_buf *b, const node *x, unsigned nesting)
{
    char fname[64];
    snprintf(fname, sizeof fname, "%.*s", (int)(x->name.len > 60 ? 60 : x->name.len), x->name.ptr);
    int func = -1, arity = 0;
    for (size_t i = 0; i < sizeof k_funcs / sizeof k_funcs[0]; i++)
        if (strcasecmp(fname, k_funcs[i].name) == 0)
            func = k_funcs[i].func, arity = k_funcs[i].arity;
    for (char *c = fname; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (e->type == X_UPDATE) {
        if (func != F_IF_NOT_EXISTS && func != F_LIST_APPEND && func >= 0)
            return expr_error(e, x->pos,
                              "The function is not allowed in an update expression; function: "
                              "%s",
                              fname);
        if (nesting > 0 && func != F_IF_NOT_EXISTS && func >= 0)
            return expr_error(e, x->pos,
                              "Only if_not_exists() function can be nested; function: %s", fname);
    } else if (e->type == X_CONDITION || e->type == X_FILTER) {
        if (func == F_IF_NOT_EXISTS || func == F_LIST_APPEND)
            return expr_error(e, x->pos,
                              "The function is not allowed in a condition expression; function: "
                              "%s",
                              fname);
        if (nesting == 0 && func == F_SIZE)
            return expr_error(e, x->pos,
                              "The function is not allowed to be used this way in an expression; "
                              "function: %s",
                              fname);
        if (nesting > 0 && func != F_SIZE && func >= 0)
            return expr_error(e, x->pos,
                              "Only size() function is allowed to be nested; function: %s", fname);
    }
    if (func < 0)
        return expr_error(e, x->pos, "Invalid function name; function: %s", fname);
    if ((int)x->nargs != arity) {
        char tmp[100];
        snprintf(tmp, sizeof tmp, "%s, number of operands: %zu", fname, x->nargs);
        return expr_error(e, x->pos,
                          "Incorrect number of operands for operator or function; operator or "
                          "function: %s",
                          tmp);
    }
    cw_array(b, 1 + x->nargs);
    cw_uint(b, (uint64_t)func);
    for (size_t i = 0; i < x->nargs; i++) {
        int rc = emit(e, b, x->args[i], nesting + 1);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int emit(emitter *e, dg_buf *b, const node *x, unsigned nesting)
{
    int rc;
    switch (x->kind) {
    case N_PATH:
        return emit_path(e, b, x, NULL);
    case N_VAR:
        return emit_var(e, b, x);
    case N_CALL:
        return emit_call(e, b, x, nesting);
    case N_FUNC:
        break;
    }
    /* comparators, BETWEEN, IN and +/- raise the nesting level for the
     * function checks; AND/OR/NOT and update actions do not. */
    unsigned inner = nesting;
    if (x->func <= F_LE || x->func == F_BETWEEN || x->func == F_IN || x->func == F_PLUS ||
        x->func == F_MINUS)
        inner = nesting + 1;
    if (x->func == F_IN) {
        cw_array(b, 3);
        cw_uint(b, F_IN);
        if ((rc = emit(e, b, x->args[0], inner)) != 0)
            return rc;
        cw_array(b, x->nargs - 1);
        for (size_t i = 1; i < x->nargs; i++)
            if ((rc = emit(e, b, x->args[i], inner)) != 0)
                return rc;
        return 0;
    }
    cw_array(b, 1 + x->nargs);
    cw_uint(b, (uint64_t)x->func);
    for (size_t i = 0; i < x->nargs; i++)
        if ((rc = emit(e, b, x->args[i], inner)) != 0)
            return rc;
    return 0;
}

static int syntax_error(const parser *p, const char *what, dg_error *err)
{
    if (p->oom)
        return dg_error_set(err, DG_ENOMEM, what, "out of memory");
    char tokbuf[80];
    if (p->err_pos >= p->n)
        snprintf(tokbuf, sizeof tokbuf, "<EOF>");
    else
        snprintf(tokbuf, sizeof tokbuf, "%.*s", (int)(p->err_len > 60 ? 60 : p->err_len),
                 p->s + p->err_pos);
    if (p->err_msg != NULL)
        return dg_error_set(err, DG_EINVAL, what, "Invalid %s: %s; token: \"%s\" (char %zu)", what,
                            p->err_msg, tokbuf, p->err_pos);
    size_t from = p->err_pos > 12 ? p->err_pos - 12 : 0;
    size_t to = p->err_pos + p->err_len + 12 < p->n ? p->err_pos + p->err_len + 12 : p->n;
    while (from > 0 && ((unsigned char)p->s[from] & 0xc0) == 0x80)
        from--;
    while (to < p->n && ((unsigned char)p->s[to] & 0xc0) == 0x80)
        to++;
    return dg_error_set(err, DG_EINVAL, what,
                        "Invalid %s: Syntax error; token: \"%s\", near: \"%.*s\" (char %zu)", what,
                        tokbuf, (int)(to - from), p->s + from, p->err_pos);
}

static int compile_one(emitter *e, const char *text, dg_bytes *out, dg_dax_projection *proj)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = strlen(text);
    p.a = e->a;
    p.what = e->what;
    p.cur = lex_one(p.s, p.n, 0);
    if (p.cur.k == T_EOF) {
        p.failed = true;
        p.err_pos = p.n;
        return dg_error_set(e->err, DG_EINVAL, e->what,
                            "Invalid %s: The expression can not be empty;", e->what);
    }
    node *root;
    if (e->type == X_PROJECTION)
        root = parse_projection(&p);
    else if (e->type == X_UPDATE)
        root = parse_update(&p);
    else
        root = parse_or(&p, 0);
    if (root != NULL && p.cur.k != T_EOF)
        root = fail_at(&p, p.cur, NULL);
    if (root == NULL)
        return syntax_error(&p, e->what, e->err);

    e->nvars = e->nvalues = 0;
    e->var_names = NULL, e->var_ids = NULL, e->cap_vars = e->cap_ids = 0;
    dg_buf_reset(&e->values);
    dg_buf body = DG_BUF_INIT;
    int rc = 0;
    if (e->type == X_PROJECTION) {
        proj->count = root->nargs;
        proj->paths = dg_arena_calloc(e->a, root->nargs, sizeof *proj->paths);
        if (proj->paths == NULL)
            rc = dg_error_set(e->err, DG_ENOMEM, NULL, "out of memory");
        cw_array(&body, root->nargs);
        for (size_t i = 0; rc == 0 && i < root->nargs; i++)
            rc = emit_path(e, &body, root->args[i], &proj->paths[i]);
    } else if (e->type == X_UPDATE) {
        cw_array(&body, root->nargs);
        for (size_t i = 0; rc == 0 && i < root->nargs; i++)
            rc = emit(e, &body, root->args[i], 0);
    } else {
        rc = emit(e, &body, root, 0);
    }
    if (rc == 0) {
        dg_buf env = DG_BUF_INIT;
        cw_array(&env, e->type == X_PROJECTION ? 2 : 3);
        cw_uint(&env, 1); /* encoding format */
        dg_buf_append(&env, body.data, body.len);
        if (e->type != X_PROJECTION) {
            cw_array(&env, e->nvalues);
            if (e->values.len)
                dg_buf_append(&env, e->values.data, e->values.len);
            if (e->values.failed)
                env.failed = 1;
        }
        rc = cw_status(&env, e->err);
        if (rc == 0) {
            out->ptr = dg_arena_memdup(e->a, env.data, env.len);
            out->len = env.len;
            if (out->ptr == NULL)
                rc = dg_error_set(e->err, DG_ENOMEM, NULL, "out of memory");
        }
        dg_buf_free(&env);
    }
    dg_buf_free(&body);
    return rc;
}

static int check_keys(const dg_str *keys, size_t n, char prefix, const char *what, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        bool ok = keys[i].len > 1 && keys[i].ptr[0] == prefix;
        for (size_t k = 1; ok && k < keys[i].len; k++)
            ok = idc(keys[i].ptr[k]);
        if (!ok)
            return dg_error_set(err, DG_EINVAL, what, "%s contains invalid key: \"%.*s\"", what,
                                (int)(keys[i].len > 100 ? 100 : keys[i].len), keys[i].ptr);
    }
    return 0;
}

static int unused_error(const dg_str *keys, const bool *used, size_t n, const char *what,
                        dg_error *err)
{
    char list[300];
    size_t o = 0;
    bool any = false;
    list[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        if (o < sizeof list - 1)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%.*s", any ? ", " : "",
                                  (int)(keys[i].len > 64 ? 64 : keys[i].len), keys[i].ptr);
        if (o >= sizeof list)
            o = sizeof list - 1;
        any = true;
    }
    if (!any)
        return 0;
    return dg_error_set(err, DG_EINVAL, what,
                        "Value provided in %s unused in expressions: keys: {%s}", what, list);
}

int dg_dax_expr_compile(const dg_dax_expr_input *in, dg_dax_num_mode mode, dg_arena *a,
                        dg_dax_exprs *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    size_t nn = in->names ? in->names->count : 0;
    size_t nv = in->values ? in->values->count : 0;
    if (in->values && in->values->type != DG_DAX_M)
        return dg_error_set(err, DG_EINVAL, "ExpressionAttributeValues",
                            "ExpressionAttributeValues must be a map");
    int rc =
        check_keys(in->values ? in->values->keys : NULL, nv, ':', "ExpressionAttributeValues", err);
    if (rc == 0)
        rc = check_keys(in->names ? in->names->keys : NULL, nn, '#', "ExpressionAttributeNames",
                        err);
    if (rc != 0)
        return rc;
    emitter e;
    memset(&e, 0, sizeof e);
    e.in = in;
    e.mode = mode;
    e.a = a;
    e.err = err;
    e.name_used = dg_arena_calloc(a, nn + 1, sizeof(bool));
    e.value_used = dg_arena_calloc(a, nv + 1, sizeof(bool));
    if (e.name_used == NULL || e.value_used == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    dg_buf_init(&e.values);
    /* the client's order: Condition, KeyCondition, Filter, Update, Projection */
    const char *texts[5] = {in->condition, in->key_condition, in->filter, in->update,
                            in->projection};
    dg_bytes *outs[5] = {&out->condition, &out->key_condition, &out->filter, &out->update,
                         &out->projection};
    for (int t = 0; rc == 0 && t < 5; t++) {
        if (texts[t] == NULL || texts[t][0] == 0)
            continue;
        e.type = (xtype)t;
        e.what = k_xnames[t];
        rc = compile_one(&e, texts[t], outs[t], &out->proj);
    }
    dg_buf_free(&e.values);
    if (rc == 0 && in->names)
        rc = unused_error(in->names->keys, e.name_used, nn, "ExpressionAttributeNames", err);
    if (rc == 0 && in->values)
        rc = unused_error(in->values->keys, e.value_used, nv, "ExpressionAttributeValues", err);
    return rc;
}

int dg_dax_projection_parse(const char *expr, const dg_dax_strmap *names, dg_arena *a,
                            dg_dax_projection *out, dg_error *err)
{
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    in.projection = expr;
    in.names = names;
    dg_dax_exprs ex;
    int rc = dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, a, &ex, err);
    if (rc == 0)
        *out = ex.proj;
    return rc;
}
