/* Generated code, end to end through the runtime: the real Products model
 * (generated/products.*) and the test models (tests/schemas/, generated
 * into the build tree): defaults, both JSON codecs, validation, key builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kitchensink.h"
#include "orders.h"
#include "products.h"

typedef struct fx {
    dg_arena *a;
    dg_buf b, b2;
    dg_error err;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->a = dg_arena_new(0);
    *state = f;
    return f->a ? 0 : -1;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_arena_destroy(f->a);
    dg_buf_free(&f->b);
    dg_buf_free(&f->b2);
    free(f);
    dg_model_cleanup();
    return 0;
}

#define JSON(s) s, strlen(s)

static void test_product_defaults(void **state)
{
    (void)state;
    product_t p;
    product_init(&p);
    assert_true(product_has_currency(&p));
    assert_int_equal(p.currency.len, 3);
    assert_memory_equal(p.currency.ptr, "EUR", 3);
    assert_true(product_has_stock(&p));
    assert_int_equal(p.stock, 0);
    assert_true(product_has_active(&p));
    assert_true(p.active);
    assert_false(product_has_name(&p));
    assert_false(product_has_dimensions(&p));
}

static const char *PRODUCT_BODY =
    "{\"name\":\"Widget\",\"category\":\"tools\",\"price\":19.99,\"stock\":7,"
    "\"tags\":[\"blue\",\"metal\"],\"specs\":{\"color\":\"blue\",\"finish\":\"matte\"},"
    "\"dimensions\":{\"width_mm\":10,\"height_mm\":20},\"expires_at\":\"2030-01-01T00:00:00Z\"}";

static void test_product_api_to_ddb(void **state)
{
    fx *f = *state;
    product_t p;
    assert_int_equal(product_from_json(&p, JSON(PRODUCT_BODY), 0, f->a, &f->err), 0);
    assert_int_equal(product_validate(&p, &f->err), 0);
    assert_int_equal(p.price, 1999);
    assert_int_equal(p.expires_at, 1893456000);
    /* the service sets the generated fields */
    product_set_product_id(&p, DG_STR("6f1c1b1e-0000-4000-8000-000000000001"));
    product_set_version(&p, 0);
    product_set_created_at(&p, INT64_C(1764071642000));
    product_set_updated_at(&p, INT64_C(1764071642123));
    assert_int_equal(product_to_ddb(&p, &f->b, &f->err), 0);
    const char *want =
        "{\"ProductID\":{\"S\":\"6f1c1b1e-0000-4000-8000-000000000001\"},\"Version\":{\"N\":\"0\"},"
        "\"Name\":{\"S\":\"Widget\"},\"Category\":{\"S\":\"tools\"},\"Price\":{\"N\":\"19.99\"},"
        "\"Currency\":{\"S\":\"EUR\"},\"Stock\":{\"N\":\"7\"},\"Active\":{\"BOOL\":true},"
        "\"Tags\":{\"SS\":[\"blue\",\"metal\"]},"
        "\"Specs\":{\"M\":{\"color\":{\"S\":\"blue\"},\"finish\":{\"S\":\"matte\"}}},"
        "\"Dimensions\":{\"M\":{\"width_mm\":{\"N\":\"10\"},\"height_mm\":{\"N\":\"20\"}}},"
        "\"CreatedAt\":{\"N\":\"1764071642000\"},\"UpdatedAt\":{\"N\":\"1764071642123\"},"
        "\"ExpiresAt\":{\"N\":\"1893456000\"}}";
    assert_string_equal(dg_buf_cstr(&f->b), want);

    /* and back: DynamoDB JSON -> struct -> DynamoDB JSON is byte-identical */
    product_t q;
    assert_int_equal(product_from_ddb(&q, f->b.data, f->b.len, f->a, &f->err), 0);
    assert_int_equal(product_to_ddb(&q, &f->b2, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b2), want);

    /* and the API view */
    dg_buf_reset(&f->b2);
    assert_int_equal(product_to_json(&q, &f->b2, &f->err), 0);
    const char *api = dg_buf_cstr(&f->b2);
    assert_non_null(strstr(api, "\"price\":19.99"));
    assert_non_null(strstr(api, "\"product_id\":\"6f1c1b1e-0000-4000-8000-000000000001\""));
    assert_non_null(strstr(api, "\"updated_at\":\"2025-11-25T11:54:02.123Z\""));
    assert_non_null(strstr(api, "\"expires_at\":\"2030-01-01T00:00:00Z\""));
}

static void test_product_readonly_and_unknown(void **state)
{
    fx *f = *state;
    product_t p;
    int rc = product_from_json(&p, JSON("{\"product_id\":\"x\",\"name\":\"a\"}"), 0, f->a, &f->err);
    assert_int_equal(rc, DG_EINVAL);
    assert_string_equal(f->err.field, "product_id");
    rc = product_from_json(&p, JSON("{\"product_id\":\"x\"}"), DG_DECODE_ALLOW_READONLY, f->a,
                           &f->err);
    assert_int_equal(rc, 0);
    rc = product_from_json(&p, JSON("{\"nmae\":\"a\"}"), 0, f->a, &f->err);
    assert_int_equal(rc, DG_EINVAL);
    assert_non_null(strstr(f->err.message, "did you mean 'name'"));
}

static void test_product_validation(void **state)
{
    fx *f = *state;
    product_t p;
    struct {
        const char *body, *field;
    } cases[] = {
        {"{\"category\":\"tools\",\"price\":1}", "name"},
        {"{\"name\":\"a\",\"category\":\"Tools!\",\"price\":1}", "category"},
        {"{\"name\":\"a\",\"category\":\"tools\",\"price\":-0.01}", "price"},
        {"{\"name\":\"a\",\"category\":\"tools\",\"price\":1,\"stock\":-1}", "stock"},
        {"{\"name\":\"a\",\"category\":\"tools\",\"price\":1,\"currency\":\"JPY\"}", "currency"},
        {"{\"name\":\"\",\"category\":\"tools\",\"price\":1}", "name"},
        {"{\"name\":\"a\",\"category\":\"tools\",\"price\":1,\"dimensions\":{\"width_mm\":-5}}",
         "dimensions.width_mm"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = product_from_json(&p, JSON(cases[i].body), 0, f->a, &f->err);
        if (rc == 0)
            rc = product_validate(&p, &f->err);
        assert_int_equal(rc, DG_EINVAL);
        assert_string_equal(f->err.field, cases[i].field);
    }
    /* price has scale 2: a third decimal is rejected at decode time */
    assert_int_equal(product_from_json(&p, JSON("{\"price\":1.001}"), 0, f->a, &f->err), DG_EINVAL);
    assert_string_equal(f->err.field, "price");
}

static void test_product_key(void **state)
{
    fx *f = *state;
    assert_int_equal(product_key(&f->b, DG_STR("p-1"), 3, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b),
                        "{\"ProductID\":{\"S\":\"p-1\"},\"Version\":{\"N\":\"3\"}}");
}

/* ---- the kitchen sink: every type, numeric partition key, no sort key ---- */
static const char *SINK_BODY =
    "{\"id\":9007199254740993,\"title\":\"Hello, world!\",\"kind\":\"beta\",\"small\":-1000,"
    "\"big\":-9223372036854775808,\"amount\":-123456.7891,\"ratio\":0.25,\"enabled\":true,"
    "\"blob\":\"AAECAwQ=\",\"seen_at\":\"2026-11-25T11:54:02.5Z\",\"expires\":1893456000,"
    "\"labels\":[\"a\",\"b\"],\"scores\":[1,2.5,12345678901234567890123456789012345678],"
    "\"counts\":[0,-1,9223372036854775807],\"prices\":[0.5,10],"
    "\"attrs\":{\"k\":\"v\",\"weird key\":\"x\"},\"weights\":{\"w\":1.125},"
    "\"flags\":{\"on\":true,\"off\":false},"
    "\"owner\":{\"name\":\"Ann\",\"email\":\"ann@example.com\",\"address\":{\"city\":\"Oslo\","
    "\"zip\":\"0150\"}},"
    "\"parts\":[{\"sku\":\"A-1\",\"qty\":2},{\"sku\":\"B-2\"}],\"region\":\"eu\",\"rank\":3}";

static void test_sink_round_trip(void **state)
{
    fx *f = *state;
    sink_t s, t;
    assert_int_equal(sink_from_json(&s, JSON(SINK_BODY), 0, f->a, &f->err), 0);
    assert_int_equal(sink_validate(&s, &f->err), 0);
    assert_int_equal(s.id, INT64_C(9007199254740993)); /* not rounded through a double */
    assert_int_equal(s.big, INT64_MIN);
    assert_int_equal(s.amount, INT64_C(-1234567891));
    assert_int_equal(s.blob.len, 5);
    assert_int_equal(s.seen_at, INT64_C(1795607642500));
    assert_int_equal(s.labels.count, 2);
    assert_int_equal(s.scores.count, 3);
    assert_int_equal(s.parts.count, 2);
    assert_true(s.owner.address.present != 0);

    /* API JSON -> struct -> DynamoDB JSON -> struct -> DynamoDB JSON: identical */
    assert_int_equal(sink_to_ddb(&s, &f->b, &f->err), 0);
    assert_int_equal(sink_from_ddb(&t, f->b.data, f->b.len, f->a, &f->err), 0);
    assert_int_equal(sink_to_ddb(&t, &f->b2, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b), dg_buf_cstr(&f->b2));
    assert_non_null(strstr(f->b.data, "\"ID\":{\"N\":\"9007199254740993\"}"));
    assert_non_null(strstr(f->b.data, "\"Blob\":{\"B\":\"AAECAwQ=\"}"));
    assert_non_null(strstr(f->b.data, "\"Scores\":{\"NS\":["));
    assert_non_null(strstr(f->b.data, "12345678901234567890123456789012345678"));

    /* struct -> API JSON -> struct -> API JSON: identical */
    dg_buf_reset(&f->b);
    dg_buf_reset(&f->b2);
    assert_int_equal(sink_to_json(&t, &f->b, &f->err), 0);
    sink_t u;
    assert_int_equal(sink_from_json(&u, f->b.data, f->b.len, 0, f->a, &f->err), 0);
    assert_int_equal(sink_to_json(&u, &f->b2, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b), dg_buf_cstr(&f->b2));
}

static void test_sink_empty_sets_never_emitted(void **state)
{
    fx *f = *state;
    sink_t s;
    assert_int_equal(sink_from_json(&s,
                                    JSON("{\"id\":1,\"title\":\"t\",\"labels\":[],\"scores\":[]}"),
                                    0, f->a, &f->err),
                     0);
    assert_int_equal(sink_to_ddb(&s, &f->b, &f->err), 0);
    assert_null(strstr(f->b.data, "Labels"));
    assert_null(strstr(f->b.data, "Scores"));
}

static void test_sink_boundaries(void **state)
{
    fx *f = *state;
    sink_t s;
    const char *bad[] = {
        "{\"id\":1,\"title\":\"t\",\"small\":2147483648}", /* int32 overflow */
        "{\"id\":9223372036854775808,\"title\":\"t\"}",    /* int64 overflow */
        "{\"id\":1,\"title\":\"t\",\"amount\":1.00001}",   /* scale 4 */
        /* 40 digits */
        "{\"id\":1,\"title\":\"t\",\"scores\":[1234567890123456789012345678901234567890]}",
        "{\"id\":1,\"title\":\"t\",\"labels\":[\"a\",\"a\"]}", /* duplicate set member */
        "{\"id\":1,\"title\":\"t\",\"blob\":\"not base64!\"}",
        "{\"id\":1,\"title\":\"t\",\"seen_at\":\"2026-02-30T00:00:00Z\"}",
        "{\"id\":1,\"title\":\"t\\ud800\"}",      /* lone surrogate */
        "{\"id\":1,\"title\":\"t\",\"extra\":1}", /* unknown field */
        "{\"id\":1,\"id\":2,\"title\":\"t\"}",    /* duplicate key */
        "{\"id\":1,\"title\":\"t\"} x",           /* trailing garbage */
        "{\"id\":\"1\",\"title\":5}",             /* wrong types */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = sink_from_json(&s, JSON(bad[i]), 0, f->a, &f->err);
        if (rc == 0)
            rc = sink_validate(&s, &f->err);
        if (rc == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_true(f->err.message[0] != '\0');
    }
    /* invalid UTF-8 bytes in a string */
    const char raw[] = "{\"id\":1,\"title\":\"\xc3\x28\"}";
    assert_int_not_equal(sink_from_json(&s, raw, sizeof raw - 1, 0, f->a, &f->err), 0);
    /* deep nesting is refused, not a stack overflow */
    static char deep[200001];
    memset(deep, '[', 100000);
    memcpy(deep, "{\"counts\":", 10);
    assert_int_not_equal(sink_from_json(&s, deep, 100000, 0, f->a, &f->err), 0);
}

static void test_sink_key_numeric(void **state)
{
    fx *f = *state;
    assert_int_equal(sink_key(&f->b, 42, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b), "{\"ID\":{\"N\":\"42\"}}");
}

static void test_orders_defaults_and_key(void **state)
{
    fx *f = *state;
    order_t o;
    order_init(&o);
    assert_true(order_has_status(&o));
    assert_memory_equal(o.status.ptr, "open", 4);
    assert_int_equal(order_key(&f->b, DG_STR("c-1"), 17, &f->err), 0);
    assert_string_equal(dg_buf_cstr(&f->b),
                        "{\"CustomerID\":{\"S\":\"c-1\"},\"OrderNo\":{\"N\":\"17\"}}");
    /* descriptors carry the schema's indexes */
    assert_int_equal(orders_table.index_count, 2);
    assert_true(orders_table.indexes[0].local);
    assert_int_equal(kitchensink_table.index_count, 3);
    assert_int_equal(kitchensink_table.indexes[2].projection, DG_PROJ_INCLUDE);
    assert_int_equal(kitchensink_table.indexes[2].include_count, 2);
    assert_int_equal(kitchensink_table.sort_field, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_product_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_api_to_ddb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_readonly_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_empty_sets_never_emitted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_key_numeric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orders_defaults_and_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
