/* DynamoDB AttributeValue JSON codec (runtime/model/ddb_json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include <cjson/cJSON.h>

#include "dynagen/model.h"
#include "model_fixture.h"
#include "products.h"

typedef struct fx {
    dg_arena *a;
    dg_buf b;
    dg_error e;
    model_fx_item it;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->a = dg_arena_new(0);
    dg_buf_init(&f->b);
    dg_error_clear(&f->e);
    *state = f;
    return f->a == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_arena_destroy(f->a);
    dg_buf_free(&f->b);
    free(f);
    return 0;
}

/* Unmarshal from an exact-size heap copy (no NUL after it: ASan sees any over-read). */
static int unmarshal(fx *f, const char *json, model_fx_item *out)
{
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, json, n);
    memset(out, 0, sizeof *out);
    int rc = dg_ddb_unmarshal(&model_fx_item_desc, copy, n, out, f->a, &f->e);
    free(copy);
    return rc;
}

static const char *marshal(fx *f, const model_fx_item *it)
{
    dg_buf_reset(&f->b);
    int rc = dg_ddb_marshal(&model_fx_item_desc, it, &f->b, &f->e);
    assert_int_equal(rc, 0);
    return dg_buf_cstr(&f->b);
}

static void expect_error(fx *f, const char *json, int code, const char *field, const char *message)
{
    model_fx_item it;
    int rc = unmarshal(f, json, &it);
    assert_int_equal(rc, code);
    assert_int_equal(f->e.code, code);
    assert_string_equal(f->e.field, field);
    assert_string_equal(f->e.message, message);
}

/* ---------------------------------------------------------------- marshal */

static void test_marshal_full_item_bytes(void **state)
{
    fx *f = *state;
    model_fx_fill(&f->it);
    assert_string_equal(marshal(f, &f->it), MODEL_FX_FULL_DDB);
}

static void test_marshal_omits_absent_empty_sets_and_empty_index_keys(void **state)
{
    fx *f = *state;
    model_fx_item it;
    memset(&it, 0, sizeof it);
    it.name = DG_STR("n");
    it.category = DG_STR(""); /* index key: omitted (sparse index) */
    it.status = DG_STR("");   /* plain attribute: kept */
    it.price = -5;            /* marshal does not validate */
    it.tags = (dg_set){NULL, 0};
    it.sizes = (dg_set){NULL, 0};
    it.scores = (dg_list){NULL, 0};
    it.specs = (dg_map){NULL, NULL, 0};
    it.present = (1u << MODEL_FX_NAME) | (1u << MODEL_FX_CATEGORY) | (1u << MODEL_FX_STATUS) |
                 (1u << MODEL_FX_PRICE) | (1u << MODEL_FX_TAGS) | (1u << MODEL_FX_SIZES) |
                 (1u << MODEL_FX_SCORES) | (1u << MODEL_FX_SPECS);
    assert_string_equal(marshal(f, &it), "{\"Name\":{\"S\":\"n\"},\"status\":{\"S\":\"\"},"
                                         "\"price\":{\"N\":\"-0.05\"},\"scores\":{\"L\":[]},"
                                         "\"specs\":{\"M\":{}}}");
    it.present = 0;
    assert_string_equal(marshal(f, &it), "{}");
}

static void test_marshal_doubles_shortest(void **state)
{
    fx *f = *state;
    model_fx_item it;
    memset(&it, 0, sizeof it);
    it.present = 1u << MODEL_FX_RATING;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {1.0 / 3, "0.3333333333333333"},
        {-0.0, "0"},
        {1e-7, "1e-07"},
        {123456789012345680.0, "1.2345678901234568e+17"},
        {5e-324, NULL},
        {2.5, "2.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        it.rating = cases[i].v;
        dg_buf_reset(&f->b);
        int rc = dg_ddb_marshal(&model_fx_item_desc, &it, &f->b, &f->e);
        if (cases[i].text == NULL) { /* 5e-324 is below DynamoDB's 1E-130 */
            assert_int_equal(rc, DG_ERANGE);
            assert_string_equal(f->e.field, "rating");
            assert_int_equal(f->b.len, 0);
            continue;
        }
        assert_int_equal(rc, 0);
        char want[96];
        snprintf(want, sizeof want, "{\"rating\":{\"N\":\"%s\"}}", cases[i].text);
        assert_string_equal(dg_buf_cstr(&f->b), want);
        /* and it reads back to the same double */
        model_fx_item back;
        assert_int_equal(unmarshal(f, want, &back), 0);
        assert_true(back.rating == cases[i].v);
    }
}

static void test_marshal_errors_leave_buffer_untouched(void **state)
{
    fx *f = *state;
    model_fx_fill(&f->it);
    f->it.dims.width = NAN;
    dg_buf_reset(&f->b);
    dg_buf_puts(&f->b, "prefix");
    assert_int_equal(dg_ddb_marshal(&model_fx_item_desc, &f->it, &f->b, &f->e), DG_EINVAL);
    assert_string_equal(f->e.field, "dims.width");
    assert_string_equal(f->e.message, "dims.width: must be a finite number");
    assert_string_equal(dg_buf_cstr(&f->b), "prefix");
    f->it.dims.width = 1;
    f->it.rating = 1e200;
    assert_int_equal(dg_ddb_marshal(&model_fx_item_desc, &f->it, &f->b, &f->e), DG_ERANGE);
    assert_string_equal(f->e.message,
                        "rating: outside DynamoDB's number range (1E-130 .. 9.99E+125)");
}

/* ---------------------------------------------------------------- round trip */

static void test_round_trip_every_type(void **state)
{
    fx *f = *state;
    model_fx_fill(&f->it);
    char *first = strdup(marshal(f, &f->it));
    model_fx_item back;
    assert_int_equal(unmarshal(f, first, &back), 0);
    assert_int_equal(back.present, f->it.present);
    assert_true(dg_str_eq_cstr(back.id, "p-1"));
    assert_int_equal(back.version, 3);
    assert_true(dg_str_eq_cstr(back.name, "Widget \"Pro\" \xc3\xa9"));
    assert_int_equal(back.stock, 12);
    assert_true(back.views == INT64_C(9007199254740993));
    assert_int_equal(back.price, 1999);
    assert_true(back.rating == 4.5);
    assert_true(back.active);
    assert_int_equal(back.thumb.len, 4);
    assert_memory_equal(back.thumb.ptr, "\x00\x01\x02\xff", 4);
    assert_true(back.created_at == INT64_C(1764071642123));
    assert_true(back.expires_at == INT64_C(1798761600));
    assert_int_equal(back.tags.count, 2);
    assert_true(dg_str_eq_cstr(back.tags.items[1], "blue"));
    assert_int_equal(back.sizes.count, 3);
    assert_true(dg_str_eq_cstr(back.sizes.items[2], "-3"));
    assert_int_equal(back.scores.count, 3);
    assert_int_equal(((int64_t *)back.scores.items)[2], 3);
    assert_int_equal(back.parts.count, 2);
    model_fx_part *parts = back.parts.items;
    assert_true(dg_str_eq_cstr(parts[0].sku, "A1"));
    assert_int_equal(parts[0].qty, 2);
    assert_int_equal(parts[1].present, 1); /* qty absent */
    assert_int_equal(back.specs.count, 2);
    assert_true(dg_str_eq_cstr(back.specs.keys[1], "weird key"));
    assert_true(dg_str_eq_cstr(((dg_str *)back.specs.values)[1], "x"));
    assert_int_equal(((int64_t *)back.prices.values)[0], 1250);
    assert_true(back.dims.width == 1.25);
    assert_true(back.dims.height == 0.1);
    assert_true(dg_str_eq_cstr(back.dims.origin.country, "DE"));
    assert_int_equal(back.dims.origin.zip, 10115);
    assert_string_equal(marshal(f, &back), first);
    free(first);
}

static void test_unmarshal_any_order_unknown_and_null(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        unmarshal(f,
                  " {\"Future\":{\"SS\":[\"a\"]},\"price\":{\"N\":\"1E2\"},"
                  "\"status\":{\"NULL\":true},\"Name\":{\"S\":\"\"},"
                  "\"tags\":{\"SS\":[]},\"prices\":{\"M\":{\"x\":{\"NULL\":true}}}} \n",
                  &it),
        0);
    assert_int_equal(it.price, 10000);
    assert_true(dg_str_eq_cstr(it.name, ""));
    assert_int_equal(it.present,
                     (1u << MODEL_FX_PRICE) | (1u << MODEL_FX_NAME) | (1u << MODEL_FX_PRICES));
    assert_int_equal(it.prices.count, 0);
}

static void test_unmarshal_null_clears_a_default(void **state)
{
    fx *f = *state;
    model_fx_item it;
    memset(&it, 0, sizeof it);
    it.stock = 7;
    it.present = 1u << MODEL_FX_STOCK; /* as an _init with a default would */
    assert_int_equal(
        dg_ddb_unmarshal(&model_fx_item_desc, "{\"stock\":{\"NULL\":true}}", 23, &it, f->a, &f->e),
        0);
    assert_int_equal(it.present, 0);
}

/* ---------------------------------------------------------------- boundaries */

static void test_int_boundaries(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        unmarshal(f,
                  "{\"stock\":{\"N\":\"2147483647\"},\"views\":{\"N\":\"-9223372036854775808\"}}",
                  &it),
        0);
    assert_int_equal(it.stock, INT32_MAX);
    assert_true(it.views == INT64_MIN);
    assert_int_equal(
        unmarshal(f,
                  "{\"stock\":{\"N\":\"-2147483648\"},\"views\":{\"N\":\"9223372036854775807\"}}",
                  &it),
        0);
    assert_int_equal(it.stock, INT32_MIN);
    assert_true(it.views == INT64_MAX);

    assert_int_equal(unmarshal(f, "{\"stock\":{\"N\":\"2147483648\"}}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "stock");
    assert_int_equal(unmarshal(f, "{\"stock\":{\"N\":\"-2147483649\"}}", &it), DG_ERANGE);
    assert_int_equal(unmarshal(f, "{\"views\":{\"N\":\"9223372036854775808\"}}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "views");
    assert_non_null(strstr(f->e.message, "views"));
    assert_int_equal(unmarshal(f, "{\"views\":{\"N\":\"1.5\"}}", &it), DG_EINVAL);
    assert_string_equal(f->e.field, "views");
}

static void test_number_set_digits_and_canonical_text(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        unmarshal(
            f, "{\"sizes\":{\"NS\":[\"12345678901234567890123456789012345678\",\"2.50\",\"1e2\"]}}",
            &it),
        0);
    assert_int_equal(it.sizes.count, 3);
    assert_true(dg_str_eq_cstr(it.sizes.items[0], "12345678901234567890123456789012345678"));
    assert_true(dg_str_eq_cstr(it.sizes.items[1], "2.5"));
    assert_true(dg_str_eq_cstr(it.sizes.items[2], "100"));
    assert_string_equal(
        marshal(f, &it),
        "{\"sizes\":{\"NS\":[\"12345678901234567890123456789012345678\",\"2.5\",\"100\"]}}");

    assert_int_equal(
        unmarshal(f, "{\"sizes\":{\"NS\":[\"1\",\"123456789012345678901234567890123456789\"]}}",
                  &it),
        DG_EINVAL);
    assert_string_equal(f->e.field, "sizes[1]");
    assert_non_null(strstr(f->e.message, "38 significant digits"));
}

static void test_decimal_scale_overflow(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(unmarshal(f, "{\"price\":{\"N\":\"19.990\"}}", &it), 0);
    assert_int_equal(it.price, 1999);
    assert_int_equal(unmarshal(f, "{\"price\":{\"N\":\"19.999\"}}", &it), DG_EINVAL);
    assert_string_equal(f->e.field, "price");
    assert_string_equal(f->e.message, "price: more than 2 decimal places");
    assert_int_equal(unmarshal(f, "{\"price\":{\"N\":\"92233720368547758.08\"}}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "price");
    assert_int_equal(unmarshal(f, "{\"prices\":{\"M\":{\"eu\":{\"N\":\"0.001\"}}}}", &it),
                     DG_EINVAL);
    assert_string_equal(f->e.field, "prices.eu");
}

static void test_invalid_utf8(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"Name\":{\"S\":\"ab\xff\"}}", DG_EINVAL, "name", "name: not valid UTF-8");
    expect_error(f, "{\"tags\":{\"SS\":[\"ok\",\"\xc0\xaf\"]}}", DG_EINVAL, "tags[1]",
                 "tags[1]: not valid UTF-8");
    /* cJSON rejects a lone surrogate escape while parsing */
    model_fx_item it;
    assert_int_equal(unmarshal(f, "{\"Name\":{\"S\":\"\\ud800\"}}", &it), DG_EINVAL);
    assert_non_null(strstr(f->e.message, "invalid DynamoDB JSON at byte"));
}

static void test_wrong_types_name_the_field(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"price\":{\"S\":\"1\"}}", DG_EINVAL, "price",
                 "price: expected DynamoDB type N, got S");
    expect_error(f, "{\"dims\":{\"M\":{\"origin\":{\"M\":{\"zip\":{\"BOOL\":true}}}}}}", DG_EINVAL,
                 "dims.origin.zip", "dims.origin.zip: expected DynamoDB type N, got BOOL");
    expect_error(f, "{\"specs\":{\"M\":{\"weird key\":{\"N\":\"1\"}}}}", DG_EINVAL,
                 "specs[\"weird key\"]", "specs[\"weird key\"]: expected DynamoDB type S, got N");
    expect_error(f, "{\"scores\":{\"L\":[{\"N\":\"1\"},{\"NULL\":true}]}}", DG_EINVAL, "scores[1]",
                 "scores[1]: null or empty set not allowed in a list");
    expect_error(f, "{\"parts\":{\"L\":[{\"M\":{\"qty\":{\"N\":\"x\"}}}]}}", DG_EINVAL,
                 "parts[0].qty", "parts[0].qty is not a number");
    expect_error(f, "{\"price\":{\"N\":\"1\",\"S\":\"1\"}}", DG_EINVAL, "price",
                 "price: malformed AttributeValue: expected an object with exactly one type key");
    expect_error(f, "{\"price\":{\"N\":1}}", DG_EINVAL, "price",
                 "price: malformed N value: not a JSON string");
    expect_error(f, "{\"active\":{\"BOOL\":\"true\"}}", DG_EINVAL, "active",
                 "active: malformed BOOL value: not true/false");
    expect_error(f, "{\"thumb\":{\"B\":\"!!\"}}", DG_EINVAL, "thumb",
                 "thumb: invalid base64 (length 2 is not a multiple of 4)");
    expect_error(f, "[]", DG_EINVAL, "", "expected an attribute map (a JSON object)");
}

static void test_malformed_input(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"price\":{\"N\":\"1\"}} x", DG_EINVAL, "",
                 "unexpected data after the JSON value at byte 20");
    expect_error(f, "{\"price\":{\"N\":\"1\"}}{}", DG_EINVAL, "",
                 "unexpected data after the JSON value at byte 19");
    model_fx_item it;
    assert_int_equal(unmarshal(f, "{\"price\":", &it), DG_EINVAL);
    assert_non_null(strstr(f->e.message, "invalid DynamoDB JSON at byte"));
    assert_int_equal(unmarshal(f, "", &it), DG_EINVAL);

    /* 100000 '[': cJSON stops at its nesting limit; no stack overflow. */
    size_t n = 100000;
    char *deep = malloc(n);
    assert_non_null(deep);
    memset(deep, '[', n);
    memset(&it, 0, sizeof it);
    assert_int_equal(dg_ddb_unmarshal(&model_fx_item_desc, deep, n, &it, f->a, &f->e), DG_EINVAL);
    memset(deep, '{', 1);
    assert_int_equal(dg_ddb_unmarshal(&model_fx_item_desc, deep, n, &it, f->a, &f->e), DG_EINVAL);
    free(deep);
}

static void test_ttl_and_timestamp_ranges(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        unmarshal(
            f,
            "{\"ExpiresAt\":{\"N\":\"253402300799\"},\"created_at\":{\"N\":\"-62135596800000\"}}",
            &it),
        0);
    assert_true(it.expires_at == INT64_C(253402300799));
    assert_true(it.created_at == INT64_C(-62135596800000));
    assert_int_equal(unmarshal(f, "{\"ExpiresAt\":{\"N\":\"253402300800\"}}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "expires_at");
}

static void test_marshal_key(void **state)
{
    fx *f = *state;
    model_fx_fill(&f->it);
    dg_buf_reset(&f->b);
    assert_int_equal(dg_ddb_marshal_key(&model_fx_table, &f->it, &f->b, &f->e), 0);
    assert_string_equal(dg_buf_cstr(&f->b),
                        "{\"ProductID\":{\"S\":\"p-1\"},\"Version\":{\"N\":\"3\"}}");

    dg_buf_reset(&f->b);
    f->it.present &= ~(1u << MODEL_FX_VERSION);
    assert_int_equal(dg_ddb_marshal_key(&model_fx_table, &f->it, &f->b, &f->e), DG_EINVAL);
    assert_string_equal(f->e.field, "version");
    assert_string_equal(f->e.message, "version: required (part of the primary key)");
    assert_int_equal(f->b.len, 0);
    f->it.id = DG_STR("");
    f->it.present |= 1u << MODEL_FX_VERSION;
    assert_int_equal(dg_ddb_marshal_key(&model_fx_table, &f->it, &f->b, &f->e), DG_EINVAL);
    assert_string_equal(f->e.message, "id: a key attribute cannot be empty");
}

/* ---------------------------------------------------------------- streaming vs cJSON */

/* Decode json with dg_ddb_unmarshal (streaming) and with cJSON +
 * dg_ddb_unmarshal_cjson; both must agree: same result code, and on success
 * the same re-marshalled bytes, on a non-syntax error the same field and
 * message. Returns the code. */
static int both_agree(fx *f, const char *json)
{
    model_fx_item a, b;
    int ra = unmarshal(f, json, &a);
    dg_error ea = f->e;
    char *ma = NULL;
    if (ra == 0)
        ma = strdup(marshal(f, &a));
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    memset(&b, 0, sizeof b);
    dg_error eb;
    int rb = dg_ddb_unmarshal_cjson(&model_fx_item_desc, root, &b, f->a, &eb);
    cJSON_Delete(root);
    if (ra != rb)
        print_error("%s: streaming %d (%s) vs cJSON %d (%s)\n", json, ra, ea.message, rb,
                    eb.message);
    assert_int_equal(ra, rb);
    if (ra == 0) {
        assert_int_equal(a.present, b.present);
        assert_string_equal(ma, marshal(f, &b));
    } else {
        assert_string_equal(ea.field, eb.field);
        assert_string_equal(ea.message, eb.message);
    }
    free(ma);
    f->e = ea;
    return ra;
}

static void test_streaming_matches_cjson(void **state)
{
    fx *f = *state;
    static const char *const ok[] = {
        MODEL_FX_FULL_DDB,
        " { \"Name\" : { \"S\" : \"a b\" } ,\n\t\"price\":{\"N\":\"1.5\"} } ",
        "{\"Na\\u006de\":{\"\\u0053\":\"escaped key and tag\"}}",
        "{\"Name\":{\"S\":\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}}",
        "{\"Name\":{\"S\":\"0123456789abcde\\u00e9\"},\"category\":{\"S\":\"0123456789abcdef\\n\"}"
        "}",
        "{\"Name\":{\"S\":\"caf\xc3\xa9 0123456789 \xe2\x80\x94 0123456789\"}}",
        "{\"Unknown\":{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"},{\"B\":\"AA==\"},{\"NULL\":true}]}}},"
        "\"stock\":{\"N\":\"5\"}}",
        "{\"tags\":{\"SS\":[\"a\",\"b\\u0062\",\"\"]},\"sizes\":{\"NS\":[\"1e2\",\"-0\"]}}",
        "{\"specs\":{\"M\":{\"k\\u00e9y\":{\"S\":\"v\"},\"drop\":{\"NULL\":true},\"x\":{\"S\":\"\"}"
        "}}}",
        "{\"prices\":{\"M\":{}},\"scores\":{\"L\":[]},\"parts\":{\"L\":[{\"M\":{}}]}}",
        "{\"views\":{\"N\":\"-9223372036854775808\"},\"stock\":{\"N\":\"1E3\"}}",
        "{\"active\":{\"BOOL\":false},\"rating\":{\"N\":\"4.25\"},\"thumb\":{\"B\":\"AAEC\"}}",
        "{\"price\":{\"NULL\":false}}",
        "{\"Name\":{\"S\":\"dup 1\"},\"Name\":{\"S\":\"dup 2\"}}",
        "{}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(both_agree(f, ok[i]), 0);
    static const char *const bad[] = {
        "{\"price\":{\"S\":\"1\",\"N\":\"1\"}}", /* shape before type */
        "{\"price\":{\"N\":1,\"S\":\"1\"}}",
        "{\"active\":{\"BOOL\":1,\"S\":\"1\"}}",
        "{\"tags\":{\"SS\":\"a\",\"S\":\"1\"}}",
        "{\"price\":{}}",
        "{\"price\":\"1\"}",
        "{\"price\":[]}",
        "{\"dims\":{\"M\":[]}}",
        "{\"dims\":{\"M\":\"x\"}}",
        "{\"specs\":{\"M\":[]}}",
        "{\"scores\":{\"L\":{}}}",
        "{\"scores\":{\"L\":[{\"N\":\"1\"},{\"SS\":[]}]}}",
        "{\"tags\":{\"SS\":[\"a\",1]}}",
        "{\"sizes\":{\"NS\":[\"1\",\"x\"]}}",
        "{\"Name\":{\"S\":\"a\xff\"}}",
        "{\"Name\":{\"S\":\"a\\u00e9\xff\"}}",
        "{\"specs\":{\"M\":{\"a\":{\"S\":\"\xc3\"}}}}",
        "{\"stock\":{\"N\":\"99999999999\"}}",
        "{\"stock\":{\"N\":\" 1\"}}",
        "{\"price\":{\"N\":\"0.001\"}}",
        "{\"rating\":{\"N\":\"1e999\"}}",
        "{\"thumb\":{\"B\":\"!!!!\"}}",
        "{\"created_at\":{\"N\":\"253402300800000\"}}",
        "{\"active\":{\"BOOL\":null}}",
        "{\"parts\":{\"L\":[{\"M\":{\"qty\":{\"S\":\"1\"}}}]}}",
        "[1]",
        "\"str\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_not_equal(both_agree(f, bad[i]), 0);
}

/* Nesting: an ignored attribute may nest as deep as DynamoDB allows (32
 * documents); typed objects stop at DG_JSON_MAX_DEPTH like the cJSON walk. */
static void test_streaming_depth(void **state)
{
    fx *f = *state;
    dg_buf j = DG_BUF_INIT;
    dg_buf_puts(&j, "{\"Unknown\":");
    for (int i = 0; i < 31; i++)
        dg_buf_puts(&j, "{\"M\":{\"k\":");
    dg_buf_puts(&j, "{\"S\":\"deep\"}");
    for (int i = 0; i < 31; i++)
        dg_buf_puts(&j, "}}");
    dg_buf_puts(&j, ",\"stock\":{\"N\":\"4\"}}");
    model_fx_item it;
    assert_int_equal(unmarshal(f, dg_buf_cstr(&j), &it), 0);
    assert_int_equal(it.stock, 4);
    /* far beyond: a clean error, no recursion */
    dg_buf_reset(&j);
    dg_buf_puts(&j, "{\"Unknown\":");
    for (int i = 0; i < 5000; i++)
        dg_buf_puts(&j, "{\"M\":{\"k\":");
    assert_int_equal(unmarshal(f, dg_buf_cstr(&j), &it), DG_EINVAL);
    assert_non_null(strstr(f->e.message, "invalid DynamoDB JSON at byte"));
    assert_non_null(strstr(f->e.message, "nested deeper than"));
    dg_buf_free(&j);
}

static void test_streaming_syntax_errors(void **state)
{
    fx *f = *state;
    static const char *const bad[] = {
        "{\"Name\":{\"S\":\"x\"}",    "{\"Name\":{\"S\":\"x\"},}",
        "{\"Name\":{\"S\":\"x\"}}]",  "{\"Name\" {\"S\":\"x\"}}",
        "{\"Name\":{\"S\":\"x\"}x}",  "{\"Name\":{\"S\":\"x\n\"}}",
        "{\"Name\":{\"S\":\"\\q\"}}", "{\"Name\":{\"S\":\"\\ud800\"}}",
        "{\"Name\":{\"S\":\"x}}",     "{\"Unknown\":{\"S\":\"\xff\"}}",
        "{\"Unknown\":[1,]}",         "{\"Unknown\":tru}",
        "{\"Unknown\":01}",           "{'Name':1}",
        "{\"Name\":{\"S\":\"x\"}} {", "{\"N\xc3\":{\"S\":\"x\"}}",
    };
    model_fx_item it;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = unmarshal(f, bad[i], &it);
        if (rc != DG_EINVAL)
            print_error("accepted: %s\n", bad[i]);
        assert_int_equal(rc, DG_EINVAL);
        if (strstr(f->e.message, "invalid DynamoDB JSON at byte") == NULL &&
            strstr(f->e.message, "unexpected data after the JSON value") == NULL)
            print_error("%s: %s\n", bad[i], f->e.message);
        assert_true(strstr(f->e.message, "invalid DynamoDB JSON at byte") != NULL ||
                    strstr(f->e.message, "unexpected data after the JSON value") != NULL);
    }
}

/* Strings: views, unescaping into the arena, and every copy is independent of
 * the input buffer (which unmarshal() frees before we look). */
static void test_streaming_strings_are_arena_copies(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        unmarshal(f,
                  "{\"Name\":{\"S\":\"plain\"},\"category\":{\"S\":\"a\\tb\"},"
                  "\"specs\":{\"M\":{\"k1\":{\"S\":\"v1\"},\"k\\u0032\":{\"S\":\"v\\n\"}}},"
                  "\"tags\":{\"SS\":[\"t1\",\"t\\u00e9\"]}}",
                  &it),
        0);
    assert_true(dg_str_eq_cstr(it.name, "plain"));
    assert_int_equal(it.name.ptr[it.name.len], '\0');
    assert_true(dg_str_eq_cstr(it.category, "a\tb"));
    assert_int_equal(it.specs.count, 2);
    assert_true(dg_str_eq_cstr(it.specs.keys[0], "k1"));
    assert_true(dg_str_eq_cstr(it.specs.keys[1], "k2"));
    assert_true(dg_str_eq_cstr(((dg_str *)it.specs.values)[1], "v\n"));
    assert_int_equal(it.tags.count, 2);
    assert_true(dg_str_eq_cstr(it.tags.items[1], "t\xc3\xa9"));
    /* \u0000 is kept with its exact length (cJSON's C strings stop at it) */
    assert_int_equal(unmarshal(f, "{\"Name\":{\"S\":\"a\\u0000b\"}}", &it), 0);
    assert_int_equal(it.name.len, 3);
    assert_memory_equal(it.name.ptr, "a\0b", 3);
}

/* The generator's precomputed names equal what the runtime would compute. */
static void check_keys(const dg_object_desc *d)
{
    for (uint32_t i = 0; i < d->field_count; i++) {
        const dg_field_desc *fd = &d->fields[i];
        assert_int_equal(fd->name_len, strlen(fd->name));
        assert_int_equal(fd->attr_len, strlen(fd->attr));
        dg_buf k = DG_BUF_INIT;
        dg_buf_json_string(&k, fd->attr, strlen(fd->attr));
        dg_buf_putc(&k, ':');
        assert_non_null(fd->attr_key);
        assert_int_equal(fd->attr_key_len, k.len);
        assert_string_equal(fd->attr_key, dg_buf_cstr(&k));
        dg_buf_reset(&k);
        dg_buf_json_string(&k, fd->name, strlen(fd->name));
        dg_buf_putc(&k, ':');
        assert_non_null(fd->name_key);
        assert_int_equal(fd->name_key_len, k.len);
        assert_string_equal(fd->name_key, dg_buf_cstr(&k));
        dg_buf_free(&k);
        if (fd->object != NULL)
            check_keys(fd->object);
        if (fd->elem != NULL && fd->elem->object != NULL)
            check_keys(fd->elem->object);
    }
}

static void test_generated_precomputed_keys(void **state)
{
    (void)state;
    check_keys(&product_desc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_marshal_full_item_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marshal_omits_absent_empty_sets_and_empty_index_keys,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_marshal_doubles_shortest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marshal_errors_leave_buffer_untouched, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmarshal_any_order_unknown_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmarshal_null_clears_a_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_number_set_digits_and_canonical_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decimal_scale_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types_name_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_and_timestamp_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marshal_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streaming_matches_cjson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streaming_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streaming_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streaming_strings_are_arena_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generated_precomputed_keys, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dg_model_cleanup();
    return rc;
}
