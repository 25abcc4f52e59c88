/* dg_validate (runtime/model/validate.c): every rule, its message and its path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "dynagen/model.h"
#include "model_fixture.h"

static model_fx_item g_it;
static dg_error g_e;

static void expect_invalid(const model_fx_item *it, const char *field, const char *message)
{
    dg_error_clear(&g_e);
    int rc = dg_validate(&model_fx_item_desc, it, &g_e);
    if (rc != DG_EINVAL || strcmp(g_e.field, field) != 0 || strcmp(g_e.message, message) != 0)
        print_error("got rc %d field '%s' message '%s'\n", rc, g_e.field, g_e.message);
    assert_int_equal(rc, DG_EINVAL);
    assert_int_equal(g_e.code, DG_EINVAL);
    assert_string_equal(g_e.field, field);
    assert_string_equal(g_e.message, message);
}

static int fill(void **state)
{
    (void)state;
    model_fx_fill(&g_it);
    return 0;
}

static void test_full_item_is_valid(void **state)
{
    (void)state;
    strcpy(g_e.message, "stale");
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    assert_int_equal(g_e.code, 0);
    assert_string_equal(g_e.message, "");
    /* only the required fields */
    g_it.present = (1u << MODEL_FX_NAME) | (1u << MODEL_FX_PRICE);
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
}

static void test_required(void **state)
{
    (void)state;
    g_it.present &= ~(1u << MODEL_FX_NAME);
    expect_invalid(&g_it, "name", "name: required");
    model_fx_fill(&g_it);
    ((model_fx_part *)g_it.parts.items)[1].present = 0;
    expect_invalid(&g_it, "parts[1].sku", "parts[1].sku: required");
}

static void test_integer_bounds(void **state)
{
    (void)state;
    g_it.stock = -1;
    expect_invalid(&g_it, "stock", "stock: must be >= 0");
    g_it.stock = 1000001;
    expect_invalid(&g_it, "stock", "stock: must be <= 1000000");
    g_it.stock = 1000000;
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    ((int64_t *)g_it.scores.items)[2] = -1;
    expect_invalid(&g_it, "scores[2]", "scores[2]: must be >= 0");
    model_fx_fill(&g_it);
    ((model_fx_part *)g_it.parts.items)[0].qty = 0;
    expect_invalid(&g_it, "parts[0].qty", "parts[0].qty: must be >= 1");
}

static void test_decimal_bounds(void **state)
{
    (void)state;
    g_it.price = -1;
    expect_invalid(&g_it, "price", "price: must be >= 0");
    g_it.price = 0;
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    ((int64_t *)g_it.prices.values)[1] = -150;
    expect_invalid(&g_it, "prices.us", "prices.us: must be >= 0");
}

typedef struct dec_obj {
    uint64_t present;
    int64_t p;
} dec_obj;

static void test_decimal_bound_text(void **state)
{
    (void)state;
    /* A non-zero decimal bound is shown without trailing zeros. */
    static const dg_field_desc fields[] = {
        {.name = "p",
         .attr = "p",
         .type = DG_TYPE_DECIMAL,
         .flags = DG_F_HAS_MIN | DG_F_HAS_MAX,
         .scale = 2,
         .offset = offsetof(dec_obj, p),
         .size = sizeof(int64_t),
         .min = 150,
         .max = 10000},
    };
    const dg_object_desc d = {.name = "t",
                              .size = sizeof(dec_obj),
                              .presence_offset = offsetof(dec_obj, present),
                              .fields = fields,
                              .field_count = 1};
    dec_obj obj = {1, 149};
    assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINVAL);
    assert_string_equal(g_e.message, "p: must be >= 1.5");
    obj.p = 150;
    assert_int_equal(dg_validate(&d, &obj, &g_e), 0);
    obj.p = 10001;
    assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINVAL);
    assert_string_equal(g_e.message, "p: must be <= 100");
}

static void test_double_bounds(void **state)
{
    (void)state;
    g_it.rating = 5.5;
    expect_invalid(&g_it, "rating", "rating: must be <= 5");
    g_it.rating = -0.25;
    expect_invalid(&g_it, "rating", "rating: must be >= 0");
    g_it.rating = NAN;
    expect_invalid(&g_it, "rating", "rating: must be a finite number");
    g_it.rating = INFINITY;
    expect_invalid(&g_it, "rating", "rating: must be a finite number");
    g_it.rating = 5;
    g_it.dims.width = -1e-9;
    expect_invalid(&g_it, "dims.width", "dims.width: must be >= 0");
}

static void test_timestamp_bounds(void **state)
{
    (void)state;
    g_it.created_at = INT64_C(946684799999);
    expect_invalid(&g_it, "created_at", "created_at: must be >= 2000-01-01T00:00:00Z");
    g_it.created_at = INT64_C(946684800000);
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    g_it.expires_at = INT64_C(253402300800);
    expect_invalid(&g_it, "expires_at", "expires_at: must be between years 0001 and 9999");
}

static void test_string_lengths_in_code_points(void **state)
{
    (void)state;
    char buf[64];
    /* 20 x U+00E9 = 40 bytes, 20 code points: fits */
    for (int i = 0; i < 20; i++)
        memcpy(buf + 2 * i, "\xc3\xa9", 2);
    g_it.name = dg_str_from(buf, 40);
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    memcpy(buf + 40, "x", 1);
    g_it.name = dg_str_from(buf, 41);
    expect_invalid(&g_it, "name", "name: longer than 20 characters");
    g_it.name = DG_STR("");
    expect_invalid(&g_it, "name", "name: shorter than 1 character");
    model_fx_fill(&g_it);
    ((dg_str *)g_it.specs.values)[0] = DG_STR("abcdefghijk");
    expect_invalid(&g_it, "specs.color", "specs.color: longer than 10 characters");
    model_fx_fill(&g_it);
    ((dg_str *)g_it.specs.values)[1] = DG_STR("abcdefghijk");
    expect_invalid(&g_it, "specs[\"weird key\"]",
                   "specs[\"weird key\"]: longer than 10 characters");
    model_fx_fill(&g_it);
    static const uint8_t nine[9] = {0};
    g_it.thumb = (dg_bytes){nine, 9};
    expect_invalid(&g_it, "thumb", "thumb: longer than 8 bytes");
}

static void test_pattern_whole_string(void **state)
{
    (void)state;
    g_it.category = DG_STR("Bad Cat");
    expect_invalid(&g_it, "category", "category: does not match ^[a-z0-9-]{1,64}$");
    g_it.category = DG_STR("tools\0x"); /* embedded NUL does not sneak past */
    g_it.category.len = 7;
    expect_invalid(&g_it, "category", "category: does not match ^[a-z0-9-]{1,64}$");
    g_it.category = DG_STR("a-1");
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
    g_it.dims.origin.country = DG_STR("DEU"); /* pattern without anchors: still whole-string */
    expect_invalid(&g_it, "dims.origin.country", "dims.origin.country: does not match [A-Z]{2}");
    g_it.dims.origin.country = DG_STR("de");
    expect_invalid(&g_it, "dims.origin.country", "dims.origin.country: does not match [A-Z]{2}");
}

static void test_enum(void **state)
{
    (void)state;
    g_it.status = DG_STR("gone");
    expect_invalid(&g_it, "status", "status: must be one of: active, archived, draft");
    g_it.status = DG_STR("activ");
    expect_invalid(&g_it, "status", "status: must be one of: active, archived, draft");
    g_it.status = DG_STR("draft");
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);
}

static void test_items_and_uniqueness(void **state)
{
    (void)state;
    dg_str five[] = {DG_STR("a"), DG_STR("b"), DG_STR("c"), DG_STR("d"), DG_STR("e")};
    g_it.tags = (dg_set){five, 5};
    expect_invalid(&g_it, "tags", "tags: more than 4 items");
    five[3] = DG_STR("b");
    g_it.tags = (dg_set){five, 4};
    expect_invalid(&g_it, "tags[3]", "tags[3]: duplicate member \"b\"");
    five[3] = DG_STR("abcdefghi"); /* member constraints from the set's elem descriptor */
    expect_invalid(&g_it, "tags[3]", "tags[3]: longer than 8 characters");
    dg_str empty_ok[] = {DG_STR(""), DG_STR("x")}; /* empty members are allowed */
    g_it.tags = (dg_set){empty_ok, 2};
    assert_int_equal(dg_validate(&model_fx_item_desc, &g_it, &g_e), 0);

    dg_str nums[] = {DG_STR("1.5"), DG_STR("2"), DG_STR("1.50")};
    g_it.sizes = (dg_set){nums, 3};
    expect_invalid(&g_it, "sizes[2]",
                   "sizes[2]: duplicate member 1.50 (numbers are compared by value)");
    nums[2] = DG_STR("abc");
    expect_invalid(&g_it, "sizes[2]", "sizes[2] is not a number");

    model_fx_fill(&g_it);
    int64_t six[6] = {0};
    g_it.scores = (dg_list){six, 6};
    expect_invalid(&g_it, "scores", "scores: more than 5 items");

    model_fx_fill(&g_it);
    dg_str keys[] = {DG_STR("color"), DG_STR("size"), DG_STR("color")};
    dg_str vals[] = {DG_STR("a"), DG_STR("b"), DG_STR("c")};
    g_it.specs = (dg_map){keys, vals, 3};
    expect_invalid(&g_it, "specs", "specs: duplicate key \"color\"");
    dg_str keys4[] = {DG_STR("a"), DG_STR("b"), DG_STR("c"), DG_STR("d")};
    dg_str vals4[] = {DG_STR("a"), DG_STR("b"), DG_STR("c"), DG_STR("d")};
    g_it.specs = (dg_map){keys4, vals4, 4};
    expect_invalid(&g_it, "specs", "specs: more than 3 items");
}

typedef struct set_obj {
    uint64_t present;
    dg_set s;
} set_obj;

typedef struct two_str_obj {
    uint64_t present;
    dg_str a, b;
} two_str_obj;

static void test_large_set_duplicates(void **state)
{
    (void)state;
    /* More members than the quadratic check handles: the sorted path. */
    static const dg_field_desc fields[] = {
        {.name = "s",
         .attr = "s",
         .type = DG_TYPE_STRING_SET,
         .offset = offsetof(set_obj, s),
         .size = sizeof(dg_set)},
    };
    const dg_object_desc d = {.name = "t",
                              .size = sizeof(set_obj),
                              .presence_offset = offsetof(set_obj, present),
                              .fields = fields,
                              .field_count = 1};
    set_obj obj;
    char text[100][8];
    dg_str items[100];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(text[i], sizeof text[i], "m%d", i);
        items[i] = dg_str_from(text[i], (size_t)n);
    }
    obj.present = 1;
    obj.s = (dg_set){items, 100};
    assert_int_equal(dg_validate(&d, &obj, &g_e), 0);
    items[90] = items[40]; /* first duplicate in order: index 70 duplicates index 12 */
    items[70] = items[12];
    assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINVAL);
    assert_string_equal(g_e.field, "s[70]");
    assert_string_equal(g_e.message, "s[70]: duplicate member \"m12\"");
}

static void test_utf8(void **state)
{
    (void)state;
    g_it.name = DG_STR("ok\xed\xa0\x80"); /* encoded surrogate */
    expect_invalid(&g_it, "name", "name: not valid UTF-8");
    model_fx_fill(&g_it);
    dg_str bad[] = {DG_STR("\xc0\x80")};
    g_it.tags = (dg_set){bad, 1};
    expect_invalid(&g_it, "tags[0]", "tags[0]: not valid UTF-8");
    model_fx_fill(&g_it);
    ((model_fx_part *)g_it.parts.items)[1].sku = DG_STR("\xff");
    expect_invalid(&g_it, "parts[1].sku", "parts[1].sku: not valid UTF-8");
    model_fx_fill(&g_it);
    g_it.specs.keys[0] = DG_STR("\xfe");
    expect_invalid(&g_it, "specs", "specs: key #0 is not valid UTF-8");
}

static void test_regex_cache_and_cleanup(void **state)
{
    (void)state;
    static dg_regex_slot slot = DG_REGEX_SLOT_INIT;
    static const dg_field_desc fields[] = {
        {.name = "code",
         .attr = "code",
         .type = DG_TYPE_STRING,
         .offset = offsetof(two_str_obj, a),
         .size = sizeof(dg_str),
         .pattern = "[a-z]+|[0-9]+",
         .pattern_slot = &slot},
        {.name = "raw",
         .attr = "raw",
         .type = DG_TYPE_STRING,
         .offset = offsetof(two_str_obj, b),
         .size = sizeof(dg_str),
         .pattern = "x*"}, /* no slot: compiled per call */
    };
    const dg_object_desc d = {.name = "t",
                              .size = sizeof(two_str_obj),
                              .presence_offset = offsetof(two_str_obj, present),
                              .fields = fields,
                              .field_count = 2};
    two_str_obj obj = {3, DG_STR("abc"), DG_STR("xx")};
    assert_int_equal(slot.state, 0);
    assert_int_equal(dg_validate(&d, &obj, &g_e), 0);
    assert_int_equal(slot.state, 1);
    void *compiled = slot.compiled;
    assert_non_null(compiled);
    obj.a = DG_STR("123");
    assert_int_equal(dg_validate(&d, &obj, &g_e), 0);
    assert_ptr_equal(slot.compiled, compiled); /* compiled once */
    obj.a = DG_STR("abc123");                  /* alternation is grouped: ^(a|b)$, not ^a|b$ */
    assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINVAL);
    assert_string_equal(g_e.message, "code: does not match [a-z]+|[0-9]+");
    obj.a = DG_STR("abc");
    obj.b = DG_STR("xy");
    assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINVAL);
    assert_string_equal(g_e.message, "raw: does not match x*");
    dg_model_cleanup();
    assert_int_equal(slot.state, 0);
    assert_null(slot.compiled);
    obj.b = DG_STR("");
    assert_int_equal(dg_validate(&d, &obj, &g_e), 0); /* recompiles after cleanup */
    assert_int_equal(slot.state, 1);
}

static void test_bad_pattern_is_reported(void **state)
{
    (void)state;
    static dg_regex_slot slot = DG_REGEX_SLOT_INIT;
    static const dg_field_desc fields[] = {
        {.name = "c",
         .attr = "c",
         .type = DG_TYPE_STRING,
         .offset = offsetof(two_str_obj, a),
         .size = sizeof(dg_str),
         .pattern = "([a-z",
         .pattern_slot = &slot},
    };
    const dg_object_desc d = {.name = "t",
                              .size = sizeof(two_str_obj),
                              .presence_offset = offsetof(two_str_obj, present),
                              .fields = fields,
                              .field_count = 1};
    two_str_obj obj = {1, DG_STR("a"), DG_STR_NULL};
    for (int i = 0; i < 2; i++) { /* the failure is cached too */
        assert_int_equal(dg_validate(&d, &obj, &g_e), DG_EINTERNAL);
        assert_string_equal(g_e.message,
                            "c: the schema's pattern ([a-z is not a valid POSIX extended regex");
        assert_int_equal(slot.state, -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_full_item_is_valid, fill),
        cmocka_unit_test_setup(test_required, fill),
        cmocka_unit_test_setup(test_integer_bounds, fill),
        cmocka_unit_test_setup(test_decimal_bounds, fill),
        cmocka_unit_test_setup(test_decimal_bound_text, fill),
        cmocka_unit_test_setup(test_double_bounds, fill),
        cmocka_unit_test_setup(test_timestamp_bounds, fill),
        cmocka_unit_test_setup(test_string_lengths_in_code_points, fill),
        cmocka_unit_test_setup(test_pattern_whole_string, fill),
        cmocka_unit_test_setup(test_enum, fill),
        cmocka_unit_test_setup(test_items_and_uniqueness, fill),
        cmocka_unit_test_setup(test_large_set_duplicates, fill),
        cmocka_unit_test_setup(test_utf8, fill),
        cmocka_unit_test_setup(test_regex_cache_and_cleanup, fill),
        cmocka_unit_test_setup(test_bad_pattern_is_reported, fill),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dg_model_cleanup();
    return rc;
}
