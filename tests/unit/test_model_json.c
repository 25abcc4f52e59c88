/* The API's plain JSON codec (runtime/model/api_json.c) and the strict pull
 * reader under it (runtime/model/json_reader.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/model/json_reader.h"
#include "dynagen/model.h"
#include "model_fixture.h"

typedef struct fx {
    dg_arena *a;
    dg_buf b;
    dg_error e;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->a = dg_arena_new(0);
    dg_buf_init(&f->b);
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

/* Decode from an exact-size heap copy (ASan catches any read past len). */
static int decode_n(fx *f, const char *json, size_t n, unsigned flags, model_fx_item *out)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, json, n);
    memset(out, 0, sizeof *out);
    dg_error_clear(&f->e);
    int rc = dg_json_unmarshal(&model_fx_item_desc, copy, n, flags, out, f->a, &f->e);
    free(copy);
    return rc;
}

static int decode(fx *f, const char *json, model_fx_item *out)
{
    return decode_n(f, json, strlen(json), DG_DECODE_ALLOW_READONLY, out);
}

static const char *encode(fx *f, const model_fx_item *it)
{
    dg_buf_reset(&f->b);
    assert_int_equal(dg_json_marshal(&model_fx_item_desc, it, &f->b, &f->e), 0);
    return dg_buf_cstr(&f->b);
}

static void expect_error_flags(fx *f, const char *json, unsigned flags, int code, const char *field,
                               const char *message)
{
    model_fx_item it;
    int rc = decode_n(f, json, strlen(json), flags, &it);
    if (rc != code || strcmp(f->e.message, message) != 0 || strcmp(f->e.field, field) != 0)
        print_error("input: %s\n  got rc %d field '%s' message '%s'\n", json, rc, f->e.field,
                    f->e.message);
    assert_int_equal(rc, code);
    assert_int_equal(f->e.code, code);
    assert_string_equal(f->e.field, field);
    assert_string_equal(f->e.message, message);
}

static void expect_error(fx *f, const char *json, int code, const char *field, const char *message)
{
    expect_error_flags(f, json, DG_DECODE_ALLOW_READONLY, code, field, message);
}

/* ---------------------------------------------------------------- marshal + round trip */

static void test_marshal_full_item_bytes(void **state)
{
    fx *f = *state;
    model_fx_item it;
    model_fx_fill(&it);
    assert_string_equal(encode(f, &it), MODEL_FX_FULL_API);
}

static void test_round_trip_api_json(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(decode(f, MODEL_FX_FULL_API, &it), 0);
    assert_int_equal(it.present, ((uint64_t)1 << MODEL_FX_FIELD_COUNT) - 1);
    assert_true(it.views == INT64_C(9007199254740993)); /* not rounded through a double */
    assert_int_equal(it.price, 1999);
    assert_true(it.created_at == INT64_C(1764071642123));
    assert_true(it.expires_at == INT64_C(1798761600));
    assert_int_equal(it.thumb.len, 4);
    assert_memory_equal(it.thumb.ptr, "\x00\x01\x02\xff", 4);
    assert_true(dg_str_eq_cstr(it.name, "Widget \"Pro\" \xc3\xa9"));
    assert_int_equal(((int64_t *)it.prices.values)[0], 1250);
    assert_int_equal(((model_fx_part *)it.parts.items)[1].present, 1);
    assert_int_equal(it.dims.origin.zip, 10115);
    assert_true(it.dims.height == 0.1);
    assert_string_equal(encode(f, &it), MODEL_FX_FULL_API);
}

static void test_round_trip_across_codecs(void **state)
{
    /* API JSON -> struct -> DynamoDB JSON -> struct -> API JSON */
    fx *f = *state;
    model_fx_item it, back;
    assert_int_equal(decode(f, MODEL_FX_FULL_API, &it), 0);
    dg_buf_reset(&f->b);
    assert_int_equal(dg_ddb_marshal(&model_fx_item_desc, &it, &f->b, &f->e), 0);
    assert_string_equal(dg_buf_cstr(&f->b), MODEL_FX_FULL_DDB);
    memset(&back, 0, sizeof back);
    assert_int_equal(dg_ddb_unmarshal(&model_fx_item_desc, f->b.data, f->b.len, &back, f->a, &f->e),
                     0);
    assert_string_equal(encode(f, &back), MODEL_FX_FULL_API);
}

static void test_accepted_input_forms(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(
        decode(f,
               " {\"price\":\"19.990\",\"expires_at\":1798761600,"
               "\"sizes\":[\"2.50\",1e2,-0],\"name\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\","
               "\"status\":\"\",\"tags\":[],\"created_at\":\"2025-11-25T12:54:02.123+01:00\"}\r\n",
               &it),
        0);
    assert_int_equal(it.price, 1999);
    assert_true(it.expires_at == INT64_C(1798761600));
    assert_true(it.created_at == INT64_C(1764071642123));
    assert_int_equal(it.sizes.count, 3);
    assert_true(dg_str_eq_cstr(it.sizes.items[0], "2.5"));
    assert_true(dg_str_eq_cstr(it.sizes.items[1], "100"));
    assert_true(dg_str_eq_cstr(it.sizes.items[2], "0"));
    assert_true(dg_str_eq_cstr(it.name, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80"));
    assert_true(dg_str_eq_cstr(it.status, ""));       /* empty string kept */
    assert_false(it.present & (1u << MODEL_FX_TAGS)); /* empty set -> absent */
    assert_string_equal(encode(f, &it),
                        "{\"name\":\"a\\\"b\\\\c/d\\n\xc3\xa9\xf0\x9f\x98\x80\",\"status\":\"\","
                        "\"price\":19.99,\"created_at\":\"2025-11-25T11:54:02.123Z\","
                        "\"expires_at\":\"2027-01-01T00:00:00Z\",\"sizes\":[2.5,100,0]}");
    assert_int_equal(decode(f, "{\"price\":1e2,\"expires_at\":\"2027-01-01T00:00:00Z\"}", &it), 0);
    assert_int_equal(it.price, 10000);
    assert_true(it.expires_at == INT64_C(1798761600));
}

static void test_null_means_absent(void **state)
{
    fx *f = *state;
    model_fx_item it;
    memset(&it, 0, sizeof it);
    it.stock = 5;
    it.present = 1u << MODEL_FX_STOCK; /* a default from _init */
    assert_int_equal(dg_json_unmarshal(&model_fx_item_desc, "{\"stock\":null,\"dims\":null}", 26, 0,
                                       &it, f->a, &f->e),
                     0);
    assert_int_equal(it.present, 0);
    expect_error(f, "{\"name\":null}", DG_EINVAL, "name", "name: required, cannot be null");
    expect_error(f, "{\"scores\":[1,null]}", DG_EINVAL, "scores[1]",
                 "scores[1]: expected a number, got null");
    expect_error(f, "{\"specs\":{\"a\":null}}", DG_EINVAL, "specs.a",
                 "specs.a: expected a string, got null");
}

/* ---------------------------------------------------------------- strictness */

static void test_unknown_fields_suggest(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"nmae\":\"x\"}", DG_EINVAL, "nmae",
                 "unknown field 'nmae' (did you mean 'name'?)");
    expect_error(f, "{\"name\":\"x\",\"prise\":1}", DG_EINVAL, "prise",
                 "unknown field 'prise' (did you mean 'price'?)");
    expect_error(f, "{\"dims\":{\"widht\":1}}", DG_EINVAL, "dims.widht",
                 "dims: unknown field 'widht' (did you mean 'width'?)");
    expect_error(f, "{\"colour\":\"red\"}", DG_EINVAL, "colour", "unknown field 'colour'");
    expect_error(f, "{\"ProductID\":\"x\"}", DG_EINVAL, "ProductID", "unknown field 'ProductID'");
    expect_error(f, "{\"a b\":1}", DG_EINVAL, "[\"a b\"]", "unknown field 'a b'");
}

static void test_duplicate_keys(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"name\":\"a\",\"stock\":1,\"name\":\"b\"}", DG_EINVAL, "name",
                 "name: duplicate key in the object");
    expect_error(f, "{\"dims\":{\"width\":1,\"width\":2}}", DG_EINVAL, "dims.width",
                 "dims.width: duplicate key in the object");
    expect_error(f, "{\"specs\":{\"a\":\"x\",\"b\":\"y\",\"a\":\"z\"}}", DG_EINVAL, "specs.a",
                 "specs.a: duplicate key");
    expect_error(f, "{\"tags\":[\"red\",\"blue\",\"red\"]}", DG_EINVAL, "tags[2]",
                 "tags[2]: duplicate value \"red\" in a set");
    expect_error(f, "{\"sizes\":[1,2,\"1.0\"]}", DG_EINVAL, "sizes[2]",
                 "sizes[2]: duplicate value 1 in a set");
}

static void test_readonly(void **state)
{
    fx *f = *state;
    expect_error_flags(f, "{\"id\":\"x\"}", 0, DG_EINVAL, "id",
                       "id: read-only, set by the service");
    expect_error_flags(f, "{\"id\":null}", 0, DG_EINVAL, "id", "id: read-only, set by the service");
    model_fx_item it;
    assert_int_equal(decode_n(f, "{\"id\":\"x\"}", 10, DG_DECODE_ALLOW_READONLY, &it), 0);
    assert_true(dg_str_eq_cstr(it.id, "x"));
}

static void test_wrong_types(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"price\":true}", DG_EINVAL, "price",
                 "price: expected a number, got a boolean");
    expect_error(f, "{\"stock\":\"12\"}", DG_EINVAL, "stock",
                 "stock: expected a number, got a string");
    expect_error(f, "{\"name\":12}", DG_EINVAL, "name", "name: expected a string, got a number");
    expect_error(f, "{\"active\":1}", DG_EINVAL, "active",
                 "active: expected true or false, got a number");
    expect_error(f, "{\"tags\":\"red\"}", DG_EINVAL, "tags",
                 "tags: expected an array of strings, got a string");
    expect_error(f, "{\"sizes\":[true]}", DG_EINVAL, "sizes[0]",
                 "sizes[0]: expected a number, got a boolean");
    expect_error(f, "{\"dims\":[]}", DG_EINVAL, "dims", "dims: expected an object, got an array");
    expect_error(f, "{\"specs\":[]}", DG_EINVAL, "specs",
                 "specs: expected an object, got an array");
    expect_error(f, "{\"parts\":[{\"sku\":1}]}", DG_EINVAL, "parts[0].sku",
                 "parts[0].sku: expected a string, got a number");
    expect_error(f, "{\"created_at\":1764071642123}", DG_EINVAL, "created_at",
                 "created_at: expected an RFC 3339 timestamp string, got a number");
    expect_error(
        f, "{\"expires_at\":true}", DG_EINVAL, "expires_at",
        "expires_at: expected an RFC 3339 timestamp string or epoch seconds, got a boolean");
    expect_error(f, "{\"thumb\":[1]}", DG_EINVAL, "thumb",
                 "thumb: expected a base64 string, got an array");
    expect_error(f, "{\"price\":\"abc\"}", DG_EINVAL, "price", "price is not a number");
    expect_error(f, "{\"thumb\":\"AAE\"}", DG_EINVAL, "thumb",
                 "thumb: invalid base64 (length 3 is not a multiple of 4)");
    expect_error(f, "{\"expires_at\":\"2027-01-01T00:00:00.500Z\"}", DG_EINVAL, "expires_at",
                 "expires_at: a TTL has whole-second precision (drop the fraction)");
    expect_error(f, "{\"rating\":1e400}", DG_ERANGE, "rating",
                 "rating: number out of range for a double");
    expect_error(f, "[]", DG_EINVAL, "", "body must be a JSON object, got an array");
    expect_error(f, "\"x\"", DG_EINVAL, "", "body must be a JSON object, got a string");
    expect_error(f, "  ", DG_EINVAL, "", "body is empty: expected a JSON object");
}

static void test_integer_and_decimal_boundaries(void **state)
{
    fx *f = *state;
    model_fx_item it;
    assert_int_equal(decode(f, "{\"stock\":2147483647,\"views\":9223372036854775807}", &it), 0);
    assert_int_equal(it.stock, INT32_MAX);
    assert_true(it.views == INT64_MAX);
    assert_int_equal(decode(f, "{\"stock\":-2147483648,\"views\":-9223372036854775808}", &it), 0);
    assert_int_equal(it.stock, INT32_MIN);
    assert_true(it.views == INT64_MIN);
    assert_int_equal(decode(f, "{\"stock\":2147483648}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "stock");
    assert_non_null(strstr(f->e.message, "stock: 2147483648 is out of range"));
    assert_int_equal(decode(f, "{\"stock\":-2147483649}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "stock");
    assert_int_equal(decode(f, "{\"views\":9223372036854775808}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "views");
    assert_int_equal(decode(f, "{\"views\":1.5}", &it), DG_EINVAL);
    assert_string_equal(f->e.message, "views: 1.5 is not an integer");
    assert_int_equal(decode(f, "{\"views\":1.0e3}", &it), 0);
    assert_true(it.views == 1000);

    expect_error(f, "{\"price\":19.999}", DG_EINVAL, "price", "price: more than 2 decimal places");
    assert_int_equal(decode(f, "{\"price\":92233720368547758.07}", &it), 0);
    assert_true(it.price == INT64_MAX);
    assert_int_equal(decode(f, "{\"price\":92233720368547758.08}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "price");
    expect_error(f, "{\"prices\":{\"eu\":1.001}}", DG_EINVAL, "prices.eu",
                 "prices.eu: more than 2 decimal places");

    assert_int_equal(decode(f, "{\"sizes\":[12345678901234567890123456789012345678,-1e-130]}", &it),
                     0);
    assert_true(dg_str_eq_cstr(it.sizes.items[0], "12345678901234567890123456789012345678"));
    assert_int_equal(decode(f, "{\"sizes\":[1,123456789012345678901234567890123456789]}", &it),
                     DG_EINVAL);
    assert_string_equal(f->e.field, "sizes[1]");
    assert_string_equal(
        f->e.message,
        "sizes[1]: more than 38 significant digits (DynamoDB numbers are exact to 38 digits)");
    assert_int_equal(decode(f, "{\"sizes\":[1e126]}", &it), DG_ERANGE);
    assert_string_equal(f->e.field, "sizes[0]");
}

static void test_invalid_utf8_and_escapes(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"name\":\"ab\xff\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 8: string is not valid UTF-8");
    expect_error(f, "{\"name\":\"\xed\xa0\x80\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 8: string is not valid UTF-8");
    expect_error(f, "{\"name\":\"\\ud800\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 9: lone high surrogate in a \\u escape");
    expect_error(f, "{\"name\":\"\\ud800\\u0041\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 9: lone high surrogate in a \\u escape");
    expect_error(f, "{\"name\":\"x\\udc00\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 10: lone low surrogate in a \\u escape");
    expect_error(f, "{\"name\":\"\\u12G4\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 9: bad \\u escape (4 hex digits expected)");
    expect_error(f, "{\"name\":\"\\x\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 9: unknown escape sequence");
    expect_error(f, "{\"name\":\"a\nb\"}", DG_EINVAL, "name",
                 "name: invalid JSON at byte 10: control character in a string (escape it)");
    expect_error(f, "{\"tags\":[\"ok\",\"\xc3\"]}", DG_EINVAL, "tags[1]",
                 "tags[1]: invalid JSON at byte 14: string is not valid UTF-8");
    expect_error(f, "{\"n\xffme\":1}", DG_EINVAL, "",
                 "invalid JSON at byte 1: string is not valid UTF-8");
    /* a NUL escape is valid JSON and kept (dg_str carries a length) */
    model_fx_item it;
    assert_int_equal(decode(f, "{\"name\":\"a\\u0000b\"}", &it), 0);
    assert_int_equal(it.name.len, 3);
    assert_memory_equal(it.name.ptr, "a\0b", 3);
}

static void test_syntax_errors(void **state)
{
    fx *f = *state;
    expect_error(f, "{\"name\":\"a\"} x", DG_EINVAL, "",
                 "invalid JSON at byte 13: unexpected data after the JSON value");
    expect_error(f, "{\"name\":\"a\"}{}", DG_EINVAL, "",
                 "invalid JSON at byte 12: unexpected data after the JSON value");
    expect_error(f, "{\"name\":\"a\",}", DG_EINVAL, "",
                 "invalid JSON at byte 12: expected a string key");
    expect_error(f, "{\"name\" \"a\"}", DG_EINVAL, "",
                 "invalid JSON at byte 8: expected ':' after the key");
    expect_error(f, "{\"name\":\"a\" \"stock\":1}", DG_EINVAL, "",
                 "invalid JSON at byte 12: expected ',' or '}'");
    expect_error(f, "{\"name\":\"a", DG_EINVAL, "name",
                 "name: invalid JSON at byte 8: unterminated string");
    expect_error(f, "{\"stock\":01}", DG_EINVAL, "stock",
                 "stock: invalid JSON at byte 9: invalid number");
    expect_error(f, "{\"stock\":1.}", DG_EINVAL, "stock",
                 "stock: invalid JSON at byte 9: invalid number (digits expected after '.')");
    expect_error(f, "{\"stock\":+1}", DG_EINVAL, "stock",
                 "stock: invalid JSON at byte 9: expected a value");
    expect_error(f, "{\"scores\":[1,]}", DG_EINVAL, "scores[1]",
                 "scores[1]: invalid JSON at byte 13: expected a value");
    expect_error(f, "{\"scores\":[1 2]}", DG_EINVAL, "scores",
                 "scores: invalid JSON at byte 13: expected ',' or ']'");
    expect_error(f, "{\"active\":tru}", DG_EINVAL, "active",
                 "active: invalid JSON at byte 10: invalid literal (true, false or null expected)");
    expect_error(f, "{\"stock\":", DG_EINVAL, "stock",
                 "stock: invalid JSON at byte 9: unexpected end of input (a value expected)");
    expect_error(f, "{\"name\":\"a\"", DG_EINVAL, "",
                 "invalid JSON at byte 11: unexpected end of input in an object");
    expect_error(f, "\xef\xbb\xbf{}", DG_EINVAL, "",
                 "invalid JSON at byte 0: expected a JSON object");
}

static void test_deep_nesting(void **state)
{
    fx *f = *state;
    /* The body is bounded long before the descriptors are: 100000 '[' is
     * answered at once, and inside a field at the first wrong token. */
    size_t n = 100000;
    char *deep = malloc(n + 16);
    assert_non_null(deep);
    memset(deep, '[', n);
    model_fx_item it;
    assert_int_equal(decode_n(f, deep, n, 0, &it), DG_EINVAL);
    assert_string_equal(f->e.message, "body must be a JSON object, got an array");
    memcpy(deep, "{\"dims\":", 8);
    assert_int_equal(decode_n(f, deep, n, 0, &it), DG_EINVAL);
    assert_string_equal(f->e.message, "dims: expected an object, got an array");
    memset(deep, '{', n);
    assert_int_equal(decode_n(f, deep, n, 0, &it), DG_EINVAL);
    assert_string_equal(f->e.message, "invalid JSON at byte 1: expected a string key");
    free(deep);
}

/* ---------------------------------------------------------------- the reader itself */

static int skip_all(fx *f, const char *s, size_t n)
{
    dg_jr r;
    dg_error_clear(&f->e);
    dg_jr_init(&r, s, n, f->a, &f->e);
    int rc = dg_jr_skip(&r);
    return rc != 0 ? rc : dg_jr_finish(&r);
}

static void test_reader_depth_limit(void **state)
{
    fx *f = *state;
    char buf[200];
    /* 32 levels pass, 33 are rejected (arrays and objects alike). */
    memset(buf, '[', 32);
    memset(buf + 32, ']', 32);
    assert_int_equal(skip_all(f, buf, 64), 0);
    memset(buf, '[', 33);
    memset(buf + 33, ']', 33);
    assert_int_equal(skip_all(f, buf, 66), DG_EINVAL);
    assert_string_equal(f->e.message, "invalid JSON at byte 32: nested deeper than 32 levels");
    size_t o = 0;
    for (int i = 0; i < 33; i++) {
        memcpy(buf + o, "{\"a\":", 5);
        o += 5;
    }
    buf[o++] = '1';
    memset(buf + o, '}', 33);
    o += 33;
    assert_int_equal(skip_all(f, buf, o), DG_EINVAL);
    assert_string_equal(f->e.message, "invalid JSON at byte 160: nested deeper than 32 levels");

    size_t n = 100000;
    char *deep = malloc(n);
    assert_non_null(deep);
    memset(deep, '[', n);
    assert_int_equal(skip_all(f, deep, n), DG_EINVAL); /* iterative: no stack overflow */
    assert_string_equal(f->e.message, "invalid JSON at byte 32: nested deeper than 32 levels");
    free(deep);
}

static void test_reader_tokens(void **state)
{
    fx *f = *state;
    const char *s = "{\"k\\u00e9y\":[-0.5e+3,\"v\",true,null,{}],\"z\":false}";
    dg_jr r;
    dg_jr_init(&r, s, strlen(s), f->a, &f->e);
    dg_str key, str, num;
    bool b;
    assert_int_equal(dg_jr_peek(&r), DG_JV_OBJECT);
    assert_int_equal(dg_jr_object_begin(&r), 0);
    assert_int_equal(dg_jr_object_next(&r, &key), 1);
    assert_true(dg_str_eq_cstr(key, "k\xc3\xa9y"));
    assert_int_equal(dg_jr_array_begin(&r), 0);
    assert_int_equal(dg_jr_array_next(&r), 1);
    assert_int_equal(dg_jr_number(&r, &num), 0);
    assert_true(dg_str_eq_cstr(num, "-0.5e+3"));
    assert_int_equal(dg_jr_array_next(&r), 1);
    assert_int_equal(dg_jr_string(&r, &str), 0);
    assert_true(dg_str_eq_cstr(str, "v"));
    assert_int_equal(str.ptr[1], '\0'); /* arena copy, NUL-terminated */
    assert_int_equal(dg_jr_array_next(&r), 1);
    assert_int_equal(dg_jr_bool(&r, &b), 0);
    assert_true(b);
    assert_int_equal(dg_jr_array_next(&r), 1);
    assert_int_equal(dg_jr_null(&r), 0);
    assert_int_equal(dg_jr_array_next(&r), 1);
    assert_int_equal(dg_jr_skip(&r), 0);
    assert_int_equal(dg_jr_array_next(&r), 0);
    assert_int_equal(dg_jr_object_next(&r, &key), 1);
    assert_true(dg_str_eq_cstr(key, "z"));
    assert_ptr_equal(key.ptr, s + 40); /* no escapes: points into the input */
    assert_int_equal(dg_jr_bool(&r, &b), 0);
    assert_false(b);
    assert_int_equal(dg_jr_object_next(&r, &key), 0);
    assert_int_equal(r.depth, 0);
    assert_int_equal(dg_jr_finish(&r), 0);
    assert_int_equal(dg_jr_offset(&r), strlen(s));

    assert_int_equal(skip_all(f, "[1,{\"a\":[\"\\ud83d\\ude00\",-0,0.0e0,1E-2]},\"\"]", 43), 0);
    assert_int_equal(skip_all(f, "[1,2", 4), DG_EINVAL);
    assert_string_equal(f->e.message,
                        "invalid JSON at byte 4: unexpected end of input in an array");
    assert_int_equal(skip_all(f, "-", 1), DG_EINVAL);
    assert_string_equal(f->e.message, "invalid JSON at byte 0: invalid number");
    assert_int_equal(skip_all(f, "1e", 2), DG_EINVAL);
    assert_string_equal(f->e.message,
                        "invalid JSON at byte 0: invalid number (digits expected in the exponent)");
    assert_int_equal(skip_all(f, "nul", 3), DG_EINVAL);
    assert_int_equal(skip_all(f, "\"a\" 1", 5), DG_EINVAL);
    assert_string_equal(f->e.message,
                        "invalid JSON at byte 4: unexpected data after the JSON value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_marshal_full_item_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_api_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_across_codecs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accepted_input_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_means_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_fields_suggest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integer_and_decimal_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_and_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_tokens, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dg_model_cleanup();
    return rc;
}
