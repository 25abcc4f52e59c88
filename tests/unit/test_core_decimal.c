/* Unit tests: runtime/core/decimal.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dynagen/decimal.h"

/* ---- helpers ---- */

static int64_t dec_ok(const char *s, int scale)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t v = 0x5a5a5a5a;
    int rc = dg_decimal_parse(s, strlen(s), scale, &v, "price", &err);
    if (rc != 0)
        print_error("dg_decimal_parse(\"%s\", %d): %s\n", s, scale, err.message);
    assert_int_equal(rc, 0);
    return v;
}

static void dec_fail(const char *s, int scale, int code)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t v = 77;
    int rc = dg_decimal_parse(s, strlen(s), scale, &v, "price", &err);
    if (rc != code)
        print_error("dg_decimal_parse(\"%s\", %d) rc=%d\n", s, scale, rc);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, "price");
    assert_true(strlen(err.message) > 0);
    assert_int_equal(v, 77); /* output untouched on error */
}

static void fmt_is(int64_t v, int scale, const char *want)
{
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_decimal_format(&b, v, scale), 0);
    assert_string_equal(dg_buf_cstr(&b), want);
    dg_buf_free(&b);
}

static int64_t int_ok(const char *s, int64_t min, int64_t max)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t v = 0x5a5a;
    int rc = dg_int_parse(s, strlen(s), min, max, &v, "stock", &err);
    if (rc != 0)
        print_error("dg_int_parse(\"%s\"): %s\n", s, err.message);
    assert_int_equal(rc, 0);
    return v;
}

static void int_fail(const char *s, int64_t min, int64_t max, int code)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t v = 77;
    int rc = dg_int_parse(s, strlen(s), min, max, &v, "stock", &err);
    if (rc != code)
        print_error("dg_int_parse(\"%s\") rc=%d\n", s, rc);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, "stock");
    assert_int_equal(v, 77);
}

static void num_is(const char *s, const char *want)
{
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_error_clear(&err);
    dg_str out = DG_STR_NULL;
    int rc = dg_number_canonical(s, strlen(s), a, &out, "n", &err);
    if (rc != 0)
        print_error("dg_number_canonical(\"%s\"): %s\n", s, err.message);
    assert_int_equal(rc, 0);
    if (!dg_str_eq_cstr(out, want))
        print_error("dg_number_canonical(\"%s\") = \"%.*s\", want \"%s\"\n", s, (int)out.len,
                    out.ptr, want);
    assert_true(dg_str_eq_cstr(out, want));
    assert_int_equal(out.ptr[out.len], '\0');
    dg_arena_destroy(a);
}

static void num_fail(const char *s, int code)
{
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_error_clear(&err);
    dg_str out = DG_STR_NULL;
    int rc = dg_number_canonical(s, strlen(s), a, &out, "n", &err);
    if (rc != code)
        print_error("dg_number_canonical(\"%s\") rc=%d\n", s, rc);
    assert_int_equal(rc, code);
    assert_string_equal(err.field, "n");
    assert_null(out.ptr);
    dg_arena_destroy(a);
}

/* ---- dg_decimal_parse ---- */

static void test_decimal_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("19.99", 2), 1999);
    assert_int_equal(dec_ok("19.9", 2), 1990);
    assert_int_equal(dec_ok("19", 2), 1900);
    assert_int_equal(dec_ok("0", 2), 0);
    assert_int_equal(dec_ok("0.01", 2), 1);
    assert_int_equal(dec_ok("-0.05", 2), -5);
    assert_int_equal(dec_ok("-19.99", 2), -1999);
    assert_int_equal(dec_ok("7", 0), 7);
    assert_int_equal(dec_ok("1.5", 1), 15);
}

static void test_decimal_parse_scale_overflow(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("19.990", 2), 1999); /* trailing zeros are fine */
    assert_int_equal(dec_ok("19.99000000000000000000000", 2), 1999);
    dec_fail("19.999", 2, DG_EINVAL);
    dec_fail("0.001", 2, DG_EINVAL);
    dec_fail("-0.001", 2, DG_EINVAL);
    dec_fail("0.5", 0, DG_EINVAL);
    dec_fail("0.00000000000000000000000000001", 2, DG_EINVAL);

    dg_error err;
    int64_t v;
    assert_int_equal(dg_decimal_parse("19.999", 6, 2, &v, "price", &err), DG_EINVAL);
    assert_string_equal(err.message, "price: more than 2 decimal places");
    assert_int_equal(dg_decimal_parse("1.55", 4, 1, &v, "price", &err), DG_EINVAL);
    assert_string_equal(err.message, "price: more than 1 decimal place");
}

static void test_decimal_parse_exponent(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("1e2", 2), 10000);
    assert_int_equal(dec_ok("1E2", 2), 10000);
    assert_int_equal(dec_ok("1e+2", 2), 10000);
    assert_int_equal(dec_ok("1e-2", 2), 1);
    assert_int_equal(dec_ok("123.456e1", 2), 123456);
    assert_int_equal(dec_ok("12345e-2", 2), 12345);
    assert_int_equal(dec_ok("100e-4", 2), 1);
    assert_int_equal(dec_ok("0e-999999999999999999999", 2), 0);
    assert_int_equal(dec_ok("0e999999999999999999999", 2), 0);
    assert_int_equal(dec_ok("1e0000000000000000000000002", 0), 100);
    dec_fail("1e-3", 2, DG_EINVAL);
    dec_fail("1e-999999999999999999999", 2, DG_EINVAL);
    dec_fail("1e19", 0, DG_ERANGE);
    dec_fail("1e999999999999999999999", 2, DG_ERANGE);
}

static void test_decimal_parse_negative_zero(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("-0", 2), 0);
    assert_int_equal(dec_ok("-0.00", 2), 0);
    assert_int_equal(dec_ok("-0.000", 2), 0); /* zero is exact at any scale */
    assert_int_equal(dec_ok("-0e5", 0), 0);
}

static void test_decimal_parse_int64_bounds(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("9223372036854775807", 0), INT64_MAX);
    assert_int_equal(dec_ok("-9223372036854775808", 0), INT64_MIN);
    dec_fail("9223372036854775808", 0, DG_ERANGE);
    dec_fail("-9223372036854775809", 0, DG_ERANGE);
    dec_fail("18446744073709551616", 0, DG_ERANGE);
    dec_fail("99999999999999999999999999999999999999", 0, DG_ERANGE);
    assert_int_equal(dec_ok("92233720368547758.07", 2), INT64_MAX);
    assert_int_equal(dec_ok("-92233720368547758.08", 2), INT64_MIN);
    dec_fail("92233720368547758.08", 2, DG_ERANGE);
    dec_fail("-92233720368547758.09", 2, DG_ERANGE);
    assert_int_equal(dec_ok("9.223372036854775807", 18), INT64_MAX);
    assert_int_equal(dec_ok("-9.223372036854775808", 18), INT64_MIN);
    dec_fail("9.223372036854775808", 18, DG_ERANGE);
    dec_fail("10", 18, DG_ERANGE);
    /* Many leading fraction zeros then significant digits at the scale. */
    assert_int_equal(dec_ok("0.000000000000000001", 18), 1);

    dg_error err;
    int64_t v;
    assert_int_equal(dg_decimal_parse("1e30", 4, 2, &v, "price", &err), DG_ERANGE);
    assert_string_equal(
        err.message, "price: 1e30 is out of range (-92233720368547758.08..92233720368547758.07)");
}

static void test_decimal_parse_syntax(void **state)
{
    (void)state;
    static const char *bad[] = {"",    "-",     "+1",  ".5",    "5.",   "1e",   "1e+",
                                "1e-", "1.2.3", " 1",  "1 ",    "0x10", "NaN",  "Infinity",
                                "1_0", "--1",   "007", "00.5",  "-01",  "1.e2", "e5",
                                "1,5", "1..2",  "١",   "1e2.5", "0.5x", "-.5",  "\"1\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        dec_fail(bad[i], 2, DG_EINVAL);
    /* Not NUL-terminated: only n bytes are read. */
    int64_t v = 0;
    assert_int_equal(dg_decimal_parse("12.34junk", 5, 2, &v, NULL, NULL), 0);
    assert_int_equal(v, 1234);
    /* An embedded NUL is not a digit. */
    assert_int_equal(dg_decimal_parse("1\0002", 3, 2, &v, NULL, NULL), DG_EINVAL);
}

static void test_decimal_parse_errors_messages(void **state)
{
    (void)state;
    dg_error err;
    int64_t v;
    assert_int_equal(dg_decimal_parse("abc", 3, 2, &v, NULL, &err), DG_EINVAL);
    assert_string_equal(err.message, "value is not a number");
    assert_string_equal(err.field, "");
    assert_int_equal(dg_decimal_parse("abc", 3, 2, &v, "price", &err), DG_EINVAL);
    assert_string_equal(err.message, "price is not a number");
    assert_string_equal(err.field, "price");
    assert_int_equal(dg_decimal_parse("1", 1, 19, &v, "price", &err), DG_EINVAL);
    assert_int_equal(dg_decimal_parse("1", 1, -1, &v, "price", &err), DG_EINVAL);
    assert_int_equal(dg_decimal_parse(NULL, 0, 2, &v, "price", NULL), DG_EINVAL);
}

/* ---- dg_decimal_format ---- */

static void test_decimal_format(void **state)
{
    (void)state;
    fmt_is(1999, 2, "19.99");
    fmt_is(2000, 2, "20.00");
    fmt_is(-5, 2, "-0.05");
    fmt_is(-50, 2, "-0.50");
    fmt_is(-1, 1, "-0.1");
    fmt_is(-100, 2, "-1.00");
    fmt_is(0, 2, "0.00");
    fmt_is(0, 0, "0");
    fmt_is(7, 0, "7");
    fmt_is(-7, 0, "-7");
    fmt_is(1, 18, "0.000000000000000001");
    fmt_is(INT64_MAX, 0, "9223372036854775807");
    fmt_is(INT64_MIN, 0, "-9223372036854775808");
    fmt_is(INT64_MAX, 2, "92233720368547758.07");
    fmt_is(INT64_MIN, 18, "-9.223372036854775808");
    fmt_is(INT64_MAX, 18, "9.223372036854775807");

    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_decimal_format(&b, 1, 19), DG_EINVAL);
    assert_int_equal(dg_decimal_format(&b, 1, -1), DG_EINVAL);
    assert_int_equal(b.len, 0);
    /* Appends to existing content. */
    dg_buf_puts(&b, "p=");
    dg_decimal_format(&b, 12345, 3);
    assert_string_equal(dg_buf_cstr(&b), "p=12.345");
    dg_buf_free(&b);
}

static void test_decimal_roundtrip(void **state)
{
    (void)state;
    static const int64_t vals[] = {0,
                                   1,
                                   -1,
                                   5,
                                   -5,
                                   99,
                                   -99,
                                   100,
                                   123456789,
                                   -987654321,
                                   INT64_MAX,
                                   INT64_MIN,
                                   INT64_MAX - 1,
                                   INT64_MIN + 1};
    for (int scale = 0; scale <= DG_DECIMAL_MAX_SCALE; scale++) {
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            dg_buf b = DG_BUF_INIT;
            assert_int_equal(dg_decimal_format(&b, vals[i], scale), 0);
            int64_t back = 0;
            assert_int_equal(dg_decimal_parse(b.data, b.len, scale, &back, NULL, NULL), 0);
            assert_int_equal(back, vals[i]);
            dg_buf_free(&b);
        }
    }
}

/* ---- dg_int_parse ---- */

static void test_int_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(int_ok("0", INT32_MIN, INT32_MAX), 0);
    assert_int_equal(int_ok("-0", INT32_MIN, INT32_MAX), 0);
    assert_int_equal(int_ok("42", INT32_MIN, INT32_MAX), 42);
    assert_int_equal(int_ok("-42", INT32_MIN, INT32_MAX), -42);
    assert_int_equal(int_ok("1e3", INT32_MIN, INT32_MAX), 1000);
    assert_int_equal(int_ok("1E+3", INT32_MIN, INT32_MAX), 1000);
    assert_int_equal(int_ok("5.0", INT32_MIN, INT32_MAX), 5);
    assert_int_equal(int_ok("5.000e0", INT32_MIN, INT32_MAX), 5);
    assert_int_equal(int_ok("1.50e1", INT32_MIN, INT32_MAX), 15);
    assert_int_equal(int_ok("100e-2", INT32_MIN, INT32_MAX), 1);
    assert_int_equal(int_ok("0.0", INT32_MIN, INT32_MAX), 0);
    assert_int_equal(int_ok("0e-5", INT32_MIN, INT32_MAX), 0);
}

static void test_int_parse_not_integer(void **state)
{
    (void)state;
    int_fail("1.5", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("15e-1", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("1e-1", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("007", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("+1", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("1a", INT32_MIN, INT32_MAX, DG_EINVAL);
    int_fail("true", INT32_MIN, INT32_MAX, DG_EINVAL);
    dg_error err;
    int64_t v;
    assert_int_equal(dg_int_parse("1.5", 3, 0, 10, &v, "qty", &err), DG_EINVAL);
    assert_string_equal(err.message, "qty: 1.5 is not an integer");
    assert_int_equal(dg_int_parse("x", 1, 0, 10, &v, NULL, &err), DG_EINVAL);
    assert_string_equal(err.message, "value is not a number");
}

static void test_int_parse_int32_bounds(void **state)
{
    (void)state;
    assert_int_equal(int_ok("2147483647", INT32_MIN, INT32_MAX), INT32_MAX);
    assert_int_equal(int_ok("-2147483648", INT32_MIN, INT32_MAX), INT32_MIN);
    int_fail("2147483648", INT32_MIN, INT32_MAX, DG_ERANGE);
    int_fail("-2147483649", INT32_MIN, INT32_MAX, DG_ERANGE);
    int_fail("1e10", INT32_MIN, INT32_MAX, DG_ERANGE);
    dg_error err;
    int64_t v;
    assert_int_equal(dg_int_parse("3000000000", 10, INT32_MIN, INT32_MAX, &v, "stock", &err),
                     DG_ERANGE);
    assert_string_equal(err.message,
                        "stock: 3000000000 is out of range for int32 (-2147483648..2147483647)");
    assert_string_equal(err.field, "stock");
}

static void test_int_parse_int64_bounds(void **state)
{
    (void)state;
    assert_int_equal(int_ok("9223372036854775807", INT64_MIN, INT64_MAX), INT64_MAX);
    assert_int_equal(int_ok("-9223372036854775808", INT64_MIN, INT64_MAX), INT64_MIN);
    assert_int_equal(int_ok("9.223372036854775807e18", INT64_MIN, INT64_MAX), INT64_MAX);
    int_fail("9223372036854775808", INT64_MIN, INT64_MAX, DG_ERANGE);
    int_fail("-9223372036854775809", INT64_MIN, INT64_MAX, DG_ERANGE);
    int_fail("1e19", INT64_MIN, INT64_MAX, DG_ERANGE);
    int_fail("-1e400", INT64_MIN, INT64_MAX, DG_ERANGE);
    int_fail("100000000000000000000000000000000000000000", INT64_MIN, INT64_MAX, DG_ERANGE);
    dg_error err;
    int64_t v;
    assert_int_equal(dg_int_parse("9223372036854775808", 19, INT64_MIN, INT64_MAX, &v, "n", &err),
                     DG_ERANGE);
    assert_string_equal(err.message, "n: 9223372036854775808 is out of range for int64 "
                                     "(-9223372036854775808..9223372036854775807)");
}

static void test_int_parse_custom_range(void **state)
{
    (void)state;
    assert_int_equal(int_ok("0", 0, 100), 0);
    assert_int_equal(int_ok("100", 0, 100), 100);
    int_fail("101", 0, 100, DG_ERANGE);
    int_fail("-1", 0, 100, DG_ERANGE);
    int_fail("-0.5", 0, 100, DG_EINVAL);
    dg_error err;
    int64_t v;
    assert_int_equal(dg_int_parse("101", 3, 0, 100, &v, "pct", &err), DG_ERANGE);
    assert_string_equal(err.message, "pct: 101 is out of range (0..100)");
    assert_int_equal(dg_int_parse("4294967296", 10, 0, UINT32_MAX, &v, "u", &err), DG_ERANGE);
    assert_string_equal(err.message, "u: 4294967296 is out of range for uint32 (0..4294967295)");
    assert_int_equal(dg_int_parse("1", 1, 5, 4, &v, "x", &err), DG_EINVAL);
    /* Long inputs are quoted truncated in the message. */
    char big[200];
    memset(big, '9', sizeof big);
    assert_int_equal(dg_int_parse(big, sizeof big, 0, 100, &v, "x", &err), DG_ERANGE);
    assert_non_null(strstr(err.message, "9999... is out of range"));
    assert_true(strlen(err.message) < 120);
}

/* ---- dg_number_canonical ---- */

/* The plain-integer fast path (<= 18 digits) and the general path (19+
 * digits, exponents, fractions) must agree at the boundary. */
static void test_int_parse_fast_path_boundaries(void **state)
{
    (void)state;
    assert_true(int_ok("999999999999999999", INT64_MIN, INT64_MAX) == INT64_C(999999999999999999));
    assert_true(int_ok("-999999999999999999", INT64_MIN, INT64_MAX) ==
                -INT64_C(999999999999999999));
    assert_true(int_ok("1000000000000000000", INT64_MIN, INT64_MAX) ==
                INT64_C(1000000000000000000));
    assert_true(int_ok("-1000000000000000000", INT64_MIN, INT64_MAX) ==
                -INT64_C(1000000000000000000));
    assert_true(int_ok("9223372036854775807", INT64_MIN, INT64_MAX) == INT64_MAX);
    assert_true(int_ok("-9223372036854775808", INT64_MIN, INT64_MAX) == INT64_MIN);
    assert_true(int_ok("-9223372036854775807", INT64_MIN, INT64_MAX) == INT64_MIN + 1);
    int_fail("9999999999999999999", INT64_MIN, INT64_MAX, DG_ERANGE);
    int_fail("-9223372036854775809", INT64_MIN, INT64_MAX, DG_ERANGE);
    /* fast-path range checks give the general path's error */
    int_fail("999999999999999999", 0, 1000, DG_ERANGE);
    int_fail("-1", 0, 1000, DG_ERANGE);
    dg_error err;
    int64_t v = 5;
    assert_int_equal(dg_int_parse("1001", 4, 0, 1000, &v, "qty", &err), DG_ERANGE);
    assert_string_equal(err.message, "qty: 1001 is out of range (0..1000)");
    assert_int_equal(v, 5);
    /* what the fast path must leave to the general path */
    int_fail("00", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("-01", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("-", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("--1", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("1 ", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("1/", INT64_MIN, INT64_MAX, DG_EINVAL);
    int_fail("1:", INT64_MIN, INT64_MAX, DG_EINVAL);
    assert_int_equal(int_ok("-0", INT64_MIN, INT64_MAX), 0);
    assert_int_equal(int_ok("0", 0, 0), 0);
    assert_int_equal(int_ok("12e1", INT64_MIN, INT64_MAX), 120);
    /* every length 1..18 of 9s, both signs, equals the value by arithmetic */
    char buf[24];
    int64_t want = 0;
    for (int d = 1; d <= 18; d++) {
        want = want * 10 + 9;
        memset(buf, '9', (size_t)d);
        buf[d] = '\0';
        assert_true(int_ok(buf, INT64_MIN, INT64_MAX) == want);
        buf[0] = '-';
        memset(buf + 1, '9', (size_t)d);
        buf[d + 1] = '\0';
        assert_true(int_ok(buf, INT64_MIN, INT64_MAX) == -want);
    }
}

static void test_decimal_parse_fast_path_boundaries(void **state)
{
    (void)state;
    assert_int_equal(dec_ok("129.99", 2), 12999);
    assert_int_equal(dec_ok("129.9", 2), 12990);
    assert_int_equal(dec_ok("129", 2), 12900);
    assert_int_equal(dec_ok("-0.05", 2), -5);
    assert_int_equal(dec_ok("-0.00", 2), 0);
    assert_int_equal(dec_ok("0.5", 1), 5);
    assert_int_equal(dec_ok("19.990", 2), 1999); /* more digits than the scale: general path */
    assert_true(dec_ok("9999999999999999.99", 2) == INT64_C(999999999999999999)); /* 18 */
    assert_true(dec_ok("-9999999999999999.99", 2) == -INT64_C(999999999999999999));
    assert_true(dec_ok("10000000000000000.00", 2) == INT64_C(1000000000000000000)); /* 19 */
    dec_fail("99999999999999999.99", 2, DG_ERANGE);                                 /* 19 */
    dec_fail("00.5", 2, DG_EINVAL);
    dec_fail("1.", 2, DG_EINVAL);
    dec_fail(".5", 2, DG_EINVAL);
    dec_fail("-", 2, DG_EINVAL);
    dec_fail("1.2.3", 2, DG_EINVAL);
    dec_fail("19.999", 2, DG_EINVAL);
    dec_fail("92233720368547758.08", 2, DG_ERANGE);
    assert_true(dec_ok("92233720368547758.07", 2) == INT64_MAX);
    assert_true(dec_ok("-92233720368547758.08", 2) == INT64_MIN);
    assert_true(dec_ok("0.000000000000000001", 18) == 1);
    assert_true(dec_ok("9.223372036854775807", 18) == INT64_MAX);
    dec_fail("9.223372036854775808", 18, DG_ERANGE);
    assert_true(dec_ok("-9223372036854775808", 0) == INT64_MIN);
}

static void test_decimal_to_chars(void **state)
{
    (void)state;
    char out[DG_DECIMAL_CHARS_MAX];
    size_t n = dg_decimal_to_chars(out, 12999, 2);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "129.99", 6);
    n = dg_decimal_to_chars(out, INT64_MIN, 0);
    assert_memory_equal(out, "-9223372036854775808", n);
    assert_int_equal(n, 20);
    n = dg_decimal_to_chars(out, INT64_MIN, 18);
    assert_memory_equal(out, "-9.223372036854775808", n);
    n = dg_decimal_to_chars(out, -5, 18);
    assert_memory_equal(out, "-0.000000000000000005", n);
    assert_int_equal(n, 21);
    assert_int_equal(dg_decimal_to_chars(out, 1, 19), 0);
    assert_int_equal(dg_decimal_to_chars(out, 1, -1), 0);
}

static void test_number_canonical_basic(void **state)
{
    (void)state;
    num_is("0", "0");
    num_is("-0", "0");
    num_is("-0.000", "0");
    num_is("0e10", "0");
    num_is("0e-99999999999999999999", "0");
    num_is("123", "123");
    num_is("-123", "-123");
    num_is("1.50", "1.5");
    num_is("-12.3400", "-12.34");
    num_is("1000.000", "1000");
    num_is("120e-1", "12");
    num_is("0.0001", "0.0001");
    num_is("1e-5", "0.00001");
    num_is("1e3", "1000");
    num_is("1E+3", "1000");
    num_is("2.5e-1", "0.25");
    num_is("-2.5E1", "-25");
}

static void test_number_canonical_unique(void **state)
{
    (void)state;
    static const char *ones[] = {"1", "1.0", "1.000", "10e-1", "0.1e1", "100E-2", "1e0", "1E+0"};
    for (size_t i = 0; i < sizeof ones / sizeof ones[0]; i++)
        num_is(ones[i], "1");
}

static void test_number_canonical_digits(void **state)
{
    (void)state;
    /* 38 significant digits: ok. */
    num_is("12345678901234567890123456789012345678", "12345678901234567890123456789012345678");
    num_is("1234567890123456789.0123456789012345678", "1234567890123456789.0123456789012345678");
    num_is("-0.12345678901234567890123456789012345678",
           "-0.12345678901234567890123456789012345678");
    /* 39 digits whose last is a trailing zero still have 38 significant digits. */
    num_is("123456789012345678901234567890123456780", "123456789012345678901234567890123456780");
    num_is("1.234567890123456789012345678901234567800", "1.2345678901234567890123456789012345678");
    /* 39 significant digits: rejected. */
    num_fail("123456789012345678901234567890123456789", DG_EINVAL);
    num_fail("1.23456789012345678901234567890123456789", DG_EINVAL);
    num_fail("100000000000000000000000000000000000001", DG_EINVAL);
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_str out;
    assert_int_equal(
        dg_number_canonical("123456789012345678901234567890123456789", 39, a, &out, "qty", &err),
        DG_EINVAL);
    assert_non_null(strstr(err.message, "more than 38 significant digits"));
    assert_int_equal(strncmp(err.message, "qty: ", 5), 0);
    dg_arena_destroy(a);
}

static void test_number_canonical_range_edges(void **state)
{
    (void)state;
    num_is("1E-130", "1E-130");
    num_is("-1e-130", "-1E-130");
    num_is("0.1e-129", "1E-130");
    num_is("1.5E-130", "1.5E-130");
    num_fail("9.9E-131", DG_ERANGE);
    num_fail("1E-131", DG_ERANGE);
    num_fail("0.1e-130", DG_ERANGE);
    num_fail("-1e-999999999999999999999", DG_ERANGE);
    num_is("9.9999999999999999999999999999999999999E+125",
           "9.9999999999999999999999999999999999999E+125");
    num_is("-9.9999999999999999999999999999999999999e125",
           "-9.9999999999999999999999999999999999999E+125");
    num_is("1E+125", "1E+125");
    num_is("10e124", "1E+125");
    num_fail("1E+126", DG_ERANGE);
    num_fail("10E+125", DG_ERANGE);
    num_fail("-1e126", DG_ERANGE);
    num_fail("1e999999999999999999999", DG_ERANGE);
}

static void test_number_canonical_folding(void **state)
{
    (void)state;
    /* Plain text up to 40 characters (sign not counted), exponent form beyond. */
    num_is("1e39", "1000000000000000000000000000000000000000"); /* 40 chars */
    num_is("-1e39", "-1000000000000000000000000000000000000000");
    num_is("1e40", "1E+40");
    num_is("12345e40", "1.2345E+44");
    num_is("1e-38", "0.00000000000000000000000000000000000001"); /* 40 chars */
    num_is("1e-39", "1E-39");
    num_is("1.5e-39", "1.5E-39");
    num_is("-1.5e-37", "-0.00000000000000000000000000000000000015");
}

static void test_number_canonical_syntax(void **state)
{
    (void)state;
    static const char *bad[] = {"",    "-",  "+1", "01",  ".5",       "5.",  "1e",
                                "abc", "1 ", " 1", "NaN", "Infinity", "0x1", "1e+"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        num_fail(bad[i], DG_EINVAL);
}

static void test_number_canonical_arena_limit(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    dg_arena_set_limit(a, 1);
    dg_error err;
    dg_str out = DG_STR_NULL;
    assert_int_equal(dg_number_canonical("12345", 5, a, &out, "n", &err), DG_ENOMEM);
    assert_int_equal(err.code, DG_ENOMEM);
    assert_null(out.ptr);
    dg_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_parse_basic),
        cmocka_unit_test(test_decimal_parse_scale_overflow),
        cmocka_unit_test(test_decimal_parse_exponent),
        cmocka_unit_test(test_decimal_parse_negative_zero),
        cmocka_unit_test(test_decimal_parse_int64_bounds),
        cmocka_unit_test(test_decimal_parse_syntax),
        cmocka_unit_test(test_decimal_parse_errors_messages),
        cmocka_unit_test(test_decimal_format),
        cmocka_unit_test(test_decimal_roundtrip),
        cmocka_unit_test(test_int_parse_basic),
        cmocka_unit_test(test_int_parse_not_integer),
        cmocka_unit_test(test_int_parse_int32_bounds),
        cmocka_unit_test(test_int_parse_int64_bounds),
        cmocka_unit_test(test_int_parse_custom_range),
        cmocka_unit_test(test_int_parse_fast_path_boundaries),
        cmocka_unit_test(test_decimal_parse_fast_path_boundaries),
        cmocka_unit_test(test_decimal_to_chars),
        cmocka_unit_test(test_number_canonical_basic),
        cmocka_unit_test(test_number_canonical_unique),
        cmocka_unit_test(test_number_canonical_digits),
        cmocka_unit_test(test_number_canonical_range_edges),
        cmocka_unit_test(test_number_canonical_folding),
        cmocka_unit_test(test_number_canonical_syntax),
        cmocka_unit_test(test_number_canonical_arena_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
