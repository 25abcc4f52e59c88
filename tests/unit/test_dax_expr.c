/* Unit tests: runtime/dax/expr.c (the DAX expression compiler, §8).
 *
 * Expected encodings are written in CBOR diagnostic notation; the test
 * renders what the compiler produced with libcbor and compares text. The
 * byte-for-byte captures of the official client's expressions are checked
 * in test_dax_codec.c (vectors 10, 21, 23, 24, 25, 26, 29). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <cmocka.h>

#include "dynagen/dax_codec.h"

static dg_arena *A;

static int setup(void **state)
{
    (void)state;
    A = dg_arena_new(0);
    return A == NULL;
}

static int teardown(void **state)
{
    (void)state;
    dg_arena_destroy(A);
    return 0;
}

/* ---- CBOR -> diagnostic text (libcbor's decoder) */

static void diag(cbor_item_t *it, char *out, size_t cap, size_t *o)
{
#define PUT(...) (*o += (size_t)snprintf(out + *o, *o < cap ? cap - *o : 0, __VA_ARGS__))
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT:
        PUT("%llu", (unsigned long long)cbor_get_int(it));
        break;
    case CBOR_TYPE_NEGINT:
        PUT("-%llu", (unsigned long long)cbor_get_int(it) + 1);
        break;
    case CBOR_TYPE_BYTESTRING:
        PUT("h'");
        for (size_t i = 0; i < cbor_bytestring_length(it); i++)
            PUT("%02x", cbor_bytestring_handle(it)[i]);
        PUT("'");
        break;
    case CBOR_TYPE_STRING:
        PUT("\"%.*s\"", (int)cbor_string_length(it), (const char *)cbor_string_handle(it));
        break;
    case CBOR_TYPE_ARRAY:
        PUT("[");
        for (size_t i = 0; i < cbor_array_size(it); i++) {
            if (i)
                PUT(", ");
            cbor_item_t *c = cbor_array_get(it, i);
            diag(c, out, cap, o);
            cbor_decref(&c);
        }
        PUT("]");
        break;
    case CBOR_TYPE_MAP: {
        PUT("{");
        struct cbor_pair *pairs = cbor_map_handle(it);
        for (size_t i = 0; i < cbor_map_size(it); i++) {
            if (i)
                PUT(", ");
            diag(pairs[i].key, out, cap, o);
            PUT(": ");
            diag(pairs[i].value, out, cap, o);
        }
        PUT("}");
        break;
    }
    case CBOR_TYPE_TAG: {
        PUT("%llu(", (unsigned long long)cbor_tag_value(it));
        cbor_item_t *c = cbor_tag_item(it);
        diag(c, out, cap, o);
        cbor_decref(&c);
        PUT(")");
        break;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_float_get_width(it) != CBOR_FLOAT_0)
            PUT("%.17g", cbor_float_get_float(it));
        else if (cbor_is_null(it))
            PUT("null");
        else if (cbor_is_bool(it))
            PUT("%s", cbor_get_bool(it) ? "true" : "false");
        else
            PUT("simple");
        break;
    }
#undef PUT
}

static const char *to_diag(dg_bytes b)
{
    static char out[4096];
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load(b.ptr, b.len, &res);
    if (it == NULL || res.read != b.len)
        fail_msg("compiler output is not one CBOR item");
    size_t o = 0;
    diag(it, out, sizeof out, &o);
    cbor_decref(&it);
    return out;
}

/* ---- helpers */

static dg_dax_av values(const char *json)
{
    dg_dax_av v;
    dg_error err;
    if (dg_dax_item_from_json_text(json, strlen(json), A, &v, &err) != 0)
        fail_msg("values %s: %s", json, err.message);
    return v;
}

static dg_dax_strmap names1(const char *k, const char *v)
{
    dg_str *ks = dg_arena_alloc(A, 2 * sizeof *ks), *vs = ks + 1;
    ks[0] = dg_str_from(k, strlen(k));
    vs[0] = dg_str_from(v, strlen(v));
    dg_dax_strmap m = {ks, vs, 1};
    return m;
}

enum { COND, KEYCOND, FILTER, UPDATE, PROJ };

static dg_dax_exprs compile_ok(int which, const char *text, const dg_dax_strmap *names,
                               const char *vals_json)
{
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    const char **slot[] = {&in.condition, &in.key_condition, &in.filter, &in.update,
                           &in.projection};
    *slot[which] = text;
    in.names = names;
    dg_dax_av v;
    if (vals_json) {
        v = values(vals_json);
        in.values = &v;
    }
    dg_dax_exprs ex;
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, A, &ex, &err);
    if (rc != 0)
        fail_msg("compile \"%s\": %s", text, err.message);
    return ex;
}

static void expect(int which, const char *text, const dg_dax_strmap *names, const char *vals,
                   const char *want)
{
    dg_dax_exprs ex = compile_ok(which, text, names, vals);
    dg_bytes b = which == COND      ? ex.condition
                 : which == KEYCOND ? ex.key_condition
                 : which == FILTER  ? ex.filter
                 : which == UPDATE  ? ex.update
                                    : ex.projection;
    const char *got = to_diag(b);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\"\n  want %s\n  got  %s", text, want, got);
}

static void expect_error(int which, const char *text, const dg_dax_strmap *names, const char *vals,
                         const char *needle, const char *field)
{
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    const char **slot[] = {&in.condition, &in.key_condition, &in.filter, &in.update,
                           &in.projection};
    *slot[which] = text;
    in.names = names;
    dg_dax_av v;
    if (vals) {
        v = values(vals);
        in.values = &v;
    }
    dg_dax_exprs ex;
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, A, &ex, &err);
    if (rc != DG_EINVAL)
        fail_msg("\"%s\": expected DG_EINVAL, rc=%d", text, rc);
    if (strstr(err.message, needle) == NULL)
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.message, needle);
    if (field)
        assert_string_equal(err.field, field);
}

/* ------------------------------------------------------------------ tests */

static void test_captured_examples(void **state)
{
    (void)state;
    expect(KEYCOND, "ProductID = :pid", NULL, "{\":pid\":{\"S\":\"P1\"}}",
           "[1, [0, [18, \"ProductID\"], [17, 0]], [\"P1\"]]");
    expect(KEYCOND, "ProductID = :pid AND Version >= :v", NULL,
           "{\":pid\":{\"S\":\"P1\"},\":v\":{\"N\":\"2\"}}",
           "[1, [6, [0, [18, \"ProductID\"], [17, 0]], [3, [18, \"Version\"], [17, 1]]], [\"P1\", "
           "2]]");
    dg_dax_strmap n = names1("#n", "Name");
    expect(PROJ, "#n, Price", &n, NULL, "[1, [[18, \"Name\"], [18, \"Price\"]]]");
    expect(UPDATE, "SET Price = :p, Tags = list_append(Tags, :t) REMOVE Old", NULL,
           "{\":p\":{\"N\":\"25\"},\":t\":{\"L\":[{\"S\":\"new\"}]}}",
           "[1, [[19, [18, \"Price\"], [17, 0]], [19, [18, \"Tags\"], [24, [18, \"Tags\"], [17, "
           "1]]], [22, [18, \"Old\"]]], [25, [\"new\"]]]");
    expect(COND, "attribute_exists(ProductID) AND Price < :max", NULL, "{\":max\":{\"N\":\"100\"}}",
           "[1, [6, [11, [18, \"ProductID\"]], [2, [18, \"Price\"], [17, 0]]], [100]]");
    expect(FILTER, "Price BETWEEN :lo AND :hi", NULL,
           "{\":lo\":{\"N\":\"1\"},\":hi\":{\"N\":\"1000\"}}",
           "[1, [9, [18, \"Price\"], [17, 0], [17, 1]], [1, 1000]]");
    expect(COND, "attribute_not_exists(Locked)", NULL, NULL, "[1, [12, [18, \"Locked\"]], []]");
}

static void test_precedence(void **state)
{
    (void)state;
    const char *v3 = "{\":x\":{\"N\":\"1\"},\":y\":{\"N\":\"2\"},\":z\":{\"N\":\"3\"}}";
    /* OR < AND */
    expect(COND, "a = :x OR b = :y AND c = :z", NULL, v3,
           "[1, [7, [0, [18, \"a\"], [17, 0]], [6, [0, [18, \"b\"], [17, 1]], [0, [18, \"c\"], "
           "[17, 2]]]], [1, 2, 3]]");
    expect(COND, "a = :x AND b = :y OR c = :z", NULL, v3,
           "[1, [7, [6, [0, [18, \"a\"], [17, 0]], [0, [18, \"b\"], [17, 1]]], [0, [18, \"c\"], "
           "[17, 2]]], [1, 2, 3]]");
    /* AND and OR are right-associative in the client's grammar */
    expect(COND, "a = :x AND b = :y AND c = :z", NULL, v3,
           "[1, [6, [0, [18, \"a\"], [17, 0]], [6, [0, [18, \"b\"], [17, 1]], [0, [18, \"c\"], "
           "[17, 2]]]], [1, 2, 3]]");
    expect(COND, "a = :x or b = :y or c = :z", NULL, v3,
           "[1, [7, [0, [18, \"a\"], [17, 0]], [7, [0, [18, \"b\"], [17, 1]], [0, [18, \"c\"], "
           "[17, 2]]]], [1, 2, 3]]");
    /* NOT binds tighter than AND */
    expect(COND, "NOT a = :x AND b = :y", NULL, "{\":x\":{\"N\":\"1\"},\":y\":{\"N\":\"2\"}}",
           "[1, [6, [8, [0, [18, \"a\"], [17, 0]]], [0, [18, \"b\"], [17, 1]]], [1, 2]]");
    expect(COND, "NOT (a = :x AND b = :y)", NULL, "{\":x\":{\"N\":\"1\"},\":y\":{\"N\":\"2\"}}",
           "[1, [8, [6, [0, [18, \"a\"], [17, 0]], [0, [18, \"b\"], [17, 1]]]], [1, 2]]");
    expect(COND, "(a = :x OR b = :y) AND c = :z", NULL, v3,
           "[1, [6, [7, [0, [18, \"a\"], [17, 0]], [0, [18, \"b\"], [17, 1]]], [0, [18, \"c\"], "
           "[17, 2]]], [1, 2, 3]]");
    /* a parenthesised operand is not a grouping */
    expect(COND, "(a) = :x", NULL, "{\":x\":{\"N\":\"1\"}}", "[1, [0, [18, \"a\"], [17, 0]], [1]]");
    expect(COND, "(size(a)) > :x", NULL, "{\":x\":{\"N\":\"1\"}}",
           "[1, [4, [16, [18, \"a\"]], [17, 0]], [1]]");
    /* every comparator */
    const char *ops[] = {"=", "<>", "<", ">=", ">", "<="};
    for (int i = 0; i < 6; i++) {
        char text[32], want[128];
        snprintf(text, sizeof text, "a %s :x", ops[i]);
        snprintf(want, sizeof want, "[1, [%d, [18, \"a\"], [17, 0]], [1]]", i);
        expect(COND, text, NULL, "{\":x\":{\"N\":\"1\"}}", want);
    }
}

static void test_functions_paths_in(void **state)
{
    (void)state;
    dg_dax_strmap n = names1("#c", "col-1");
    expect(FILTER, "a.b[2].#c IN (:x, :y, b)", &n, "{\":x\":{\"S\":\"p\"},\":y\":{\"S\":\"q\"}}",
           "[1, [10, [18, \"a\", \"b\", 3324(2), \"col-1\"], [[17, 0], [17, 1], [18, \"b\"]]], "
           "[\"p\", \"q\"]]");
    expect(COND, "begins_with(s, :p) AND contains(tags, :t) OR attribute_type(x, :ty)", NULL,
           "{\":p\":{\"S\":\"ab\"},\":t\":{\"S\":\"red\"},\":ty\":{\"S\":\"N\"}}",
           "[1, [7, [6, [14, [18, \"s\"], [17, 0]], [15, [18, \"tags\"], [17, 1]]], [13, [18, "
           "\"x\"], [17, 2]]], [\"ab\", \"red\", \"N\"]]");
    expect(COND, "size(l[0]) BETWEEN :a AND :b", NULL,
           "{\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"2\"}}",
           "[1, [9, [16, [18, \"l\", 3324(0)]], [17, 0], [17, 1]], [1, 2]]");
    /* function names are case-insensitive in the client */
    expect(COND, "ATTRIBUTE_EXISTS(a)", NULL, NULL, "[1, [11, [18, \"a\"]], []]");
    /* map keys and list indexes, deep */
    expect(PROJ, "a[0][1].b, #c", &n, NULL,
           "[1, [[18, \"a\", 3324(0), 3324(1), \"b\"], [18, \"col-1\"]]]");
}

static void test_update_actions(void **state)
{
    (void)state;
    expect(UPDATE, "SET a = a + :one, b = :two - b, c = if_not_exists(c, :z) + :one", NULL,
           "{\":one\":{\"N\":\"1\"},\":two\":{\"N\":\"2\"},\":z\":{\"N\":\"0\"}}",
           "[1, [[19, [18, \"a\"], [25, [18, \"a\"], [17, 0]]], [19, [18, \"b\"], [26, [17, 1], "
           "[18, \"b\"]]], [19, [18, \"c\"], [25, [23, [18, \"c\"], [17, 2]], [17, 3]]]], [1, 2, "
           "0, 1]]");
    expect(UPDATE, "SET l = list_append(if_not_exists(l, :e), :v) ADD n :one, s :ss DELETE t :ts",
           NULL,
           "{\":e\":{\"L\":[]},\":v\":{\"L\":[{\"N\":\"5\"}]},\":one\":{\"N\":\"1\"},"
           "\":ss\":{\"SS\":[\"x\"]},\":ts\":{\"NS\":[\"7\"]}}",
           "[1, [[19, [18, \"l\"], [24, [23, [18, \"l\"], [17, 0]], [17, 1]]], [20, [18, \"n\"], "
           "[17, 2]], [20, [18, \"s\"], [17, 3]], [21, [18, \"t\"], [17, 4]]], [[], [5], 1, "
           "3321([\"x\"]), 3322([7])]]");
    expect(UPDATE, "REMOVE a, b[3], c.d SET e = (f + :one)", NULL, "{\":one\":{\"N\":\"1\"}}",
           "[1, [[22, [18, \"a\"]], [22, [18, \"b\", 3324(3)]], [22, [18, \"c\", \"d\"]], [19, "
           "[18, \"e\"], [25, [18, \"f\"], [17, 0]]]], [1]]");
    expect(UPDATE, "set a = :one remove b", NULL, "{\":one\":{\"N\":\"1\"}}",
           "[1, [[19, [18, \"a\"], [17, 0]], [22, [18, \"b\"]]], [1]]");
}

/* The official client's variable numbering: index 0 counts as "unknown"
 * (a truthiness test), so the first placeholder is appended again on its
 * second use; later uses of any placeholder reuse their index. */
static void test_variable_numbering_quirk(void **state)
{
    (void)state;
    expect(COND, "a = :v OR b = :v OR c = :v", NULL, "{\":v\":{\"N\":\"9\"}}",
           "[1, [7, [0, [18, \"a\"], [17, 0]], [7, [0, [18, \"b\"], [17, 1]], [0, [18, \"c\"], "
           "[17, 1]]]], [9, 9]]");
    expect(COND, "a = :w OR b = :v OR c = :v", NULL, "{\":v\":{\"N\":\"9\"},\":w\":{\"N\":\"8\"}}",
           "[1, [7, [0, [18, \"a\"], [17, 0]], [7, [0, [18, \"b\"], [17, 1]], [0, [18, \"c\"], "
           "[17, 1]]]], [8, 9]]");
    /* indices restart in every expression; names/values are shared */
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    dg_dax_av v = values("{\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"2\"}}");
    in.condition = "x = :a";
    in.update = "SET y = :b";
    in.values = &v;
    dg_dax_exprs ex;
    dg_error err;
    assert_int_equal(dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, A, &ex, &err), 0);
    assert_string_equal(to_diag(ex.condition), "[1, [0, [18, \"x\"], [17, 0]], [1]]");
    assert_string_equal(to_diag(ex.update), "[1, [[19, [18, \"y\"], [17, 0]]], [2]]");
}

static void test_values_number_modes(void **state)
{
    (void)state;
    dg_dax_expr_input in;
    memset(&in, 0, sizeof in);
    dg_dax_av v = values("{\":p\":{\"N\":\"19.99\"}}");
    in.condition = "p = :p";
    in.values = &v;
    dg_dax_exprs ex;
    dg_error err;
    assert_int_equal(dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, A, &ex, &err), 0);
    assert_string_equal(to_diag(ex.condition), "[1, [0, [18, \"p\"], [17, 0]], [4([-2, 1999])]]");
    assert_int_equal(dg_dax_expr_compile(&in, DG_DAX_NUM_NODE_COMPAT, A, &ex, &err), 0);
    assert_string_equal(to_diag(ex.condition),
                        "[1, [0, [18, \"p\"], [17, 0]], [19.989999999999998]]");
}

static void test_errors_detail(void **state)
{
    (void)state;
    const char *v1 = "{\":x\":{\"N\":\"1\"}}";
    expect_error(COND, "a = = :x", NULL, v1, "Syntax error; token: \"=\"", "ConditionExpression");
    expect_error(COND, "a = :x AND", NULL, v1, "token: \"<EOF>\"", "ConditionExpression");
    expect_error(COND, "a = :x b", NULL, v1, "Syntax error; token: \"b\"", NULL);
    expect_error(COND, "a = :x $", NULL, v1, "token: \"$\"", NULL);
    /* positions are 0-based character offsets of the offending token */
    expect_error(FILTER, "a = :x AND AND b = :x", NULL, v1, "(char 11)", "FilterExpression");
    expect_error(COND, "a = :missing", NULL, v1,
                 "An expression attribute value used in expression is not defined; attribute "
                 "value: :missing",
                 "ConditionExpression");
    expect_error(COND, "#nope = :x", NULL, v1,
                 "An expression attribute name used in the document path is not defined; "
                 "attribute name: #nope",
                 NULL);
    dg_dax_strmap n = names1("#unused", "u");
    expect_error(COND, "a = :x", &n, v1,
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                 "{#unused}",
                 "ExpressionAttributeNames");
    expect_error(COND, "a = b", NULL, "{\":x\":{\"N\":\"1\"},\":y\":{\"N\":\"2\"}}",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x, "
                 ":y}",
                 NULL);
    expect_error(COND, "((a = :x))", NULL, v1, "redundant parentheses", NULL);
    expect_error(COND, "((a)) = :x", NULL, v1, "redundant parentheses", NULL);
    expect_error(UPDATE, "SET a = ((b + :x))", NULL, v1, "redundant parentheses", NULL);
    expect_error(UPDATE, "SET a = size(b)", NULL, NULL,
                 "The function is not allowed in an update expression; function: size",
                 "UpdateExpression");
    expect_error(UPDATE, "SET a = list_append(a, :x) + :x", NULL, v1,
                 "Only if_not_exists() function can be nested", NULL);
    expect_error(COND, "size(a)", NULL, NULL,
                 "The function is not allowed to be used this way in an expression", NULL);
    expect_error(COND, "begins_with(a, :x) = :x", NULL, v1,
                 "Only size() function is allowed to be nested", NULL);
    expect_error(FILTER, "if_not_exists(a, :x)", NULL, v1,
                 "The function is not allowed in a condition expression", NULL);
    expect_error(COND, "no_such_fn(a)", NULL, NULL, "Invalid function name; function: no_such_fn",
                 NULL);
    expect_error(COND, "attribute_exists(a, b)", NULL, NULL,
                 "Incorrect number of operands for operator or function; operator or function: "
                 "attribute_exists, number of operands: 2",
                 NULL);
    expect_error(COND, "  ", NULL, NULL, "can not be empty", NULL);
    expect_error(COND, "a[99999999999] = :x", NULL, v1, "List index is not within the allowable",
                 NULL);
    expect_error(COND, "a = :x", NULL, "{\":x-y\":{\"N\":\"1\"}}",
                 "ExpressionAttributeValues contains invalid key: \":x-y\"", NULL);
    expect_error(UPDATE, "SET", NULL, NULL, "Syntax error", NULL);
    expect_error(UPDATE, "a = :x", NULL, v1, "Syntax error; token: \"a\"", NULL);
    expect_error(UPDATE, "ADD a b", NULL, NULL, "Syntax error; token: \"b\"", NULL);
    expect_error(PROJ, "a,", NULL, NULL, "token: \"<EOF>\"", "ProjectionExpression");
    expect_error(PROJ, "a.[1]", NULL, NULL, "token: \"[\"", NULL);
    expect_error(COND, "SET = :x", NULL, v1, "Syntax error; token: \"SET\"", NULL);
    expect_error(COND, "a IN ()", NULL, NULL, "token: \")\"", NULL);
    expect_error(COND, "a BETWEEN :x", NULL, v1, "<EOF>", NULL);
    /* deep nesting is an error, not a stack overflow */
    static char deep[5000];
    memset(deep, '(', 2000);
    strcpy(deep + 2000, "a = :x");
    expect_error(COND, deep, NULL, v1, "Invalid ConditionExpression", NULL);
}

static void test_random_expressions(void **state)
{
    (void)state;
    const char *atoms[] = {"a",
                           "#n",
                           ":x",
                           "(",
                           ")",
                           ",",
                           ".",
                           "[",
                           "]",
                           "0",
                           "12",
                           "=",
                           "<>",
                           "<",
                           "<=",
                           ">=",
                           "AND",
                           "OR",
                           "NOT",
                           "IN",
                           "BETWEEN",
                           "SET",
                           "REMOVE",
                           "ADD",
                           "DELETE",
                           "size",
                           "+",
                           "-",
                           "if_not_exists",
                           "list_append",
                           "attribute_exists",
                           " ",
                           "\xc3\xa9",
                           "$"};
    dg_dax_strmap n = names1("#n", "N");
    dg_dax_av v = values("{\":x\":{\"N\":\"1\"}}");
    srand(4242);
    for (int iter = 0; iter < 20000; iter++) {
        char text[256];
        size_t o = 0;
        int len = 1 + rand() % 12;
        for (int i = 0; i < len; i++) {
            const char *t = atoms[rand() % (int)(sizeof atoms / sizeof atoms[0])];
            o += (size_t)snprintf(text + o, sizeof text - o, "%s ", t);
        }
        dg_dax_expr_input in;
        memset(&in, 0, sizeof in);
        const char **slot[] = {&in.condition, &in.key_condition, &in.filter, &in.update,
                               &in.projection};
        *slot[iter % 5] = text;
        in.names = &n;
        in.values = &v;
        dg_dax_exprs ex;
        dg_error err;
        int rc = dg_dax_expr_compile(&in, DG_DAX_NUM_EXACT, A, &ex, &err);
        assert_true(rc == 0 || rc == DG_EINVAL);
        if (rc == DG_EINVAL)
            assert_true(strlen(err.message) > 0);
        if (iter % 1000 == 999) { /* names and values live in A: rebuild them */
            dg_arena_reset(A);
            n = names1("#n", "N");
            v = values("{\":x\":{\"N\":\"1\"}}");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_captured_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions_paths_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variable_numbering_quirk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_number_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_expressions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
