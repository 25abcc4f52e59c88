/* Unit tests: runtime/core/base64.c, utf8.c, time.c, uuid.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dynagen/codec_util.h"

/* ---- base64 ---- */

static void b64_enc_is(const char *in, size_t n, const char *want)
{
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_base64_encode(&b, (const uint8_t *)in, n), 0);
    assert_string_equal(dg_buf_cstr(&b), want);
    dg_buf_free(&b);
}

static void b64_dec_is(const char *in, const char *want, size_t want_n)
{
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_bytes out = {NULL, 99};
    int rc = dg_base64_decode(in, strlen(in), a, &out, "blob", &err);
    if (rc != 0)
        print_error("decode(\"%s\"): %s\n", in, err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(out.len, want_n);
    assert_non_null(out.ptr);
    assert_memory_equal(out.ptr, want, want_n);
    dg_arena_destroy(a);
}

static void b64_dec_fail(const char *in, size_t n, const char *msg_part)
{
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_bytes out = {NULL, 99};
    int rc = dg_base64_decode(in, n, a, &out, "blob", &err);
    if (rc != DG_EINVAL)
        print_error("decode(\"%.*s\") rc=%d\n", (int)n, in, rc);
    assert_int_equal(rc, DG_EINVAL);
    assert_string_equal(err.field, "blob");
    if (strstr(err.message, msg_part) == NULL)
        print_error("message \"%s\" lacks \"%s\"\n", err.message, msg_part);
    assert_non_null(strstr(err.message, msg_part));
    assert_null(out.ptr);
    assert_int_equal(out.len, 99);
    dg_arena_destroy(a);
}

static void test_base64_encode_rfc4648(void **state)
{
    (void)state;
    b64_enc_is("", 0, "");
    b64_enc_is("f", 1, "Zg==");
    b64_enc_is("fo", 2, "Zm8=");
    b64_enc_is("foo", 3, "Zm9v");
    b64_enc_is("foob", 4, "Zm9vYg==");
    b64_enc_is("fooba", 5, "Zm9vYmE=");
    b64_enc_is("foobar", 6, "Zm9vYmFy");
    b64_enc_is("\xfb\xff\xbf", 3, "+/+/");
    b64_enc_is("\0\0\0", 3, "AAAA");
    /* Appends to existing content. */
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "x:");
    dg_base64_encode(&b, (const uint8_t *)"hi", 2);
    assert_string_equal(dg_buf_cstr(&b), "x:aGk=");
    dg_buf_free(&b);
}

static void test_base64_decode_rfc4648(void **state)
{
    (void)state;
    b64_dec_is("", "", 0);
    b64_dec_is("Zg==", "f", 1);
    b64_dec_is("Zm8=", "fo", 2);
    b64_dec_is("Zm9v", "foo", 3);
    b64_dec_is("Zm9vYg==", "foob", 4);
    b64_dec_is("Zm9vYmE=", "fooba", 5);
    b64_dec_is("Zm9vYmFy", "foobar", 6);
    b64_dec_is("+/+/", "\xfb\xff\xbf", 3);
    b64_dec_is("AAAA", "\0\0\0", 3);
}

static void test_base64url(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_base64url_encode(&b, (const uint8_t *)"\xfb\xff\xbf\xfa", 4), 0);
    assert_string_equal(dg_buf_cstr(&b), "-_-_-g"); /* no padding, URL alphabet */
    dg_arena *a = dg_arena_new(0);
    dg_bytes out;
    dg_error err;
    assert_int_equal(dg_base64url_decode(b.data, b.len, a, &out, "id", &err), 0);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.ptr, "\xfb\xff\xbf\xfa", 4);
    assert_int_equal(dg_base64url_decode("ab+c", 4, a, &out, "id", &err),
                     DG_EINVAL); /* standard alphabet */
    assert_string_equal(err.field, "id");
    assert_int_equal(dg_base64url_decode("abc=", 4, a, &out, "id", &err), DG_EINVAL); /* padding */
    assert_int_not_equal(dg_base64url_decode("a", 1, a, &out, "id", &err),
                         0); /* impossible length */
    dg_arena_destroy(a);
    dg_buf_free(&b);
}

static void test_base64_roundtrip_all_bytes(void **state)
{
    (void)state;
    uint8_t in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    dg_arena *a = dg_arena_new(0);
    for (size_t n = 0; n <= sizeof in; n++) {
        dg_buf b = DG_BUF_INIT;
        assert_int_equal(dg_base64_encode(&b, in + (256 - n), n), 0);
        assert_int_equal(b.len, (n + 2) / 3 * 4);
        dg_bytes out;
        assert_int_equal(dg_base64_decode(b.data, b.len, a, &out, NULL, NULL), 0);
        assert_int_equal(out.len, n);
        if (n > 0)
            assert_memory_equal(out.ptr, in + (256 - n), n);
        dg_buf_free(&b);
    }
    dg_arena_destroy(a);
}

static void test_base64_bad_length(void **state)
{
    (void)state;
    b64_dec_fail("Zg", 2, "multiple of 4");
    b64_dec_fail("Zg=", 3, "multiple of 4");
    b64_dec_fail("Zm9vY", 5, "multiple of 4");
    b64_dec_fail("Zm9vYmFy\n", 9, "multiple of 4");
}

static void test_base64_bad_padding(void **state)
{
    (void)state;
    b64_dec_fail("====", 4, "padding");
    b64_dec_fail("Z===", 4, "padding");
    b64_dec_fail("Z=g=", 4, "padding");
    b64_dec_fail("=Zg=", 4, "padding");
    b64_dec_fail("Zg==Zg==", 8, "padding"); /* padding in the middle */
    b64_dec_fail("Zm=vYmFy", 8, "padding");
}

static void test_base64_bad_chars(void **state)
{
    (void)state;
    b64_dec_fail("Zm9v YmFy", 9, "multiple of 4");
    b64_dec_fail("Zm9vYm-y", 8, "bad character at offset 6"); /* URL-safe alphabet */
    b64_dec_fail("Zm9vYm_y", 8, "bad character");
    b64_dec_fail("Zm9\nYmFy", 8, "bad character at offset 3");
    b64_dec_fail("Zm9\0YmFy", 8, "bad character");
    b64_dec_fail("Zm9\xc3\xa9mFy", 8, "bad character");
}

static void test_base64_trailing_bits(void **state)
{
    (void)state;
    /* "Zg==" is canonical for "f"; "Zh==" has non-zero trailing bits. */
    b64_dec_fail("Zh==", 4, "non-zero bits");
    b64_dec_fail("Zv==", 4, "non-zero bits");
    b64_dec_fail("Zm9=", 4, "non-zero bits"); /* canonical is "Zm8=" */
    b64_dec_is("Zm8=", "fo", 2);
}

/* ---- UTF-8 ---- */

static void test_utf8_valid(void **state)
{
    (void)state;
    static const char *good[] = {
        "",
        "plain ascii",
        "caf\xc3\xa9",            /* U+00E9 */
        "\xc2\x80",               /* U+0080, smallest 2-byte */
        "\xdf\xbf",               /* U+07FF */
        "\xe0\xa0\x80",           /* U+0800, smallest 3-byte */
        "\xed\x9f\xbf",           /* U+D7FF, just below surrogates */
        "\xee\x80\x80",           /* U+E000, just above surrogates */
        "\xef\xbf\xbf",           /* U+FFFF */
        "\xf0\x90\x80\x80",       /* U+10000, smallest 4-byte */
        "\xf4\x8f\xbf\xbf",       /* U+10FFFF, the maximum */
        "\xf0\x9f\x98\x80 smile", /* emoji */
        "\x7f",                   /* DEL */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(dg_utf8_valid(good[i], strlen(good[i])));
    assert_true(dg_utf8_valid("a\0b", 3)); /* NUL is valid UTF-8 */
    assert_true(dg_utf8_valid(NULL, 0));
}

static void test_utf8_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "\x80",                     /* lone continuation */
        "\xbf",                     /* lone continuation */
        "a\200b",                   /* continuation after ASCII */
        "\xc0\x80",                 /* overlong NUL */
        "\xc1\xbf",                 /* overlong 2-byte */
        "\xe0\x80\x80",             /* overlong 3-byte */
        "\xe0\x9f\xbf",             /* overlong U+07FF */
        "\xf0\x80\x80\x80",         /* overlong 4-byte */
        "\xf0\x8f\xbf\xbf",         /* overlong U+FFFF */
        "\xed\xa0\x80",             /* U+D800 high surrogate */
        "\xed\xbf\xbf",             /* U+DFFF low surrogate */
        "\xed\xa0\xbd\xed\xb8\x80", /* CESU-8 surrogate pair */
        "\xf4\x90\x80\x80",         /* U+110000 */
        "\xf5\x80\x80\x80",         /* lead byte > F4 */
        "\xf8\x88\x80\x80\x80",     /* 5-byte form */
        "\xfe",
        "\xff",
        "\xc3",             /* truncated 2-byte */
        "\xe2\x82",         /* truncated 3-byte */
        "\xf0\x9f\x98",     /* truncated 4-byte */
        "\xe2\x28\xa1",     /* bad second byte */
        "\xe2\x82\x28",     /* bad third byte */
        "\xf0\x9f\x98\x28", /* bad fourth byte */
        "ok\xc3",           /* truncated at the end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (dg_utf8_valid(bad[i], strlen(bad[i])))
            print_error("accepted invalid sequence #%zu\n", i);
        assert_false(dg_utf8_valid(bad[i], strlen(bad[i])));
    }
    /* Truncation by n, not by NUL: valid prefix check stops at n. */
    assert_false(dg_utf8_valid("\xc3\xa9", 1));
    assert_true(dg_utf8_valid("\xc3\xa9\xff", 2));
}

static void test_utf8_length(void **state)
{
    (void)state;
    assert_int_equal(dg_utf8_length("", 0), 0);
    assert_int_equal(dg_utf8_length("abc", 3), 3);
    assert_int_equal(dg_utf8_length("caf\xc3\xa9", 5), 4);
    assert_int_equal(dg_utf8_length("\xe2\x82\xac", 3), 1);
    assert_int_equal(dg_utf8_length("\xf0\x9f\x98\x80x", 5), 2);
    assert_int_equal(dg_utf8_length("a\0b", 3), 3);
}

/* ---- RFC 3339 ---- */

static int64_t ts_ok(const char *s)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t ms = 0x123;
    int rc = dg_rfc3339_parse(s, strlen(s), &ms, "at", &err);
    if (rc != 0)
        print_error("rfc3339_parse(\"%s\"): %s\n", s, err.message);
    assert_int_equal(rc, 0);
    return ms;
}

static void ts_fail(const char *s, int code)
{
    dg_error err;
    dg_error_clear(&err);
    int64_t ms = 0x123;
    int rc = dg_rfc3339_parse(s, strlen(s), &ms, "at", &err);
    if (rc != code)
        print_error("rfc3339_parse(\"%s\") rc=%d\n", s, rc);
    assert_int_equal(rc, code);
    assert_string_equal(err.field, "at");
    assert_true(strncmp(err.message, "at: ", 4) == 0);
    assert_int_equal(ms, 0x123);
}

static void ts_fmt_is(int64_t ms, const char *want)
{
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_rfc3339_format(&b, ms), 0);
    assert_string_equal(dg_buf_cstr(&b), want);
    dg_buf_free(&b);
}

static void test_rfc3339_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(ts_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ts_ok("2026-11-25T11:54:02Z"), 1795607642000LL);
    assert_int_equal(ts_ok("2026-11-25t11:54:02z"), 1795607642000LL);
    assert_int_equal(ts_ok("1969-07-20T20:17:40Z"), -14182940000LL);
    assert_int_equal(ts_ok("1969-12-31T23:59:59.999Z"), -1);
}

static void test_rfc3339_fraction(void **state)
{
    (void)state;
    assert_int_equal(ts_ok("2026-11-25T11:54:02.123Z"), 1795607642123LL);
    assert_int_equal(ts_ok("2026-11-25T11:54:02.1Z"), 1795607642100LL);
    assert_int_equal(ts_ok("2026-11-25T11:54:02.12Z"), 1795607642120LL);
    assert_int_equal(ts_ok("2026-11-25T11:54:02.000Z"), 1795607642000LL);
    assert_int_equal(ts_ok("2026-11-25T11:54:02.123000000Z"), 1795607642123LL);
    assert_int_equal(ts_ok("2026-11-25T11:54:02.5+01:00"), 1795607642500LL - 3600000);
    ts_fail("2026-11-25T11:54:02.1234Z", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02.123000001Z", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02.Z", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02.12a3Z", DG_EINVAL);
    dg_error err;
    int64_t ms;
    assert_int_equal(dg_rfc3339_parse("2026-11-25T11:54:02.1234Z", 25, &ms, "at", &err), DG_EINVAL);
    assert_non_null(strstr(err.message, "millisecond precision"));
}

static void test_rfc3339_offsets(void **state)
{
    (void)state;
    int64_t utc = ts_ok("2026-11-25T11:54:02Z");
    assert_int_equal(ts_ok("2026-11-25T17:24:02+05:30"), utc);
    assert_int_equal(ts_ok("2026-11-25T03:54:02-08:00"), utc);
    assert_int_equal(ts_ok("2026-11-25T11:54:02+00:00"), utc);
    assert_int_equal(ts_ok("2026-11-25T11:54:02-00:00"), utc);
    assert_int_equal(ts_ok("2026-11-26T11:53:02+23:59"), utc);
    /* Offsets crossing a day, month and year boundary. */
    assert_int_equal(ts_ok("2027-01-01T01:00:00+02:00"), ts_ok("2026-12-31T23:00:00Z"));
    assert_int_equal(ts_ok("2024-02-28T22:00:00-04:00"), ts_ok("2024-02-29T02:00:00Z"));
    ts_fail("2026-11-25T11:54:02+24:00", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02+05:60", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02+0530", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02+05", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02+05:30Z", DG_EINVAL);
    ts_fail("2026-11-25T11:54:02 +05:30", DG_EINVAL);
}

static void test_rfc3339_invalid_dates(void **state)
{
    (void)state;
    ts_fail("2026-02-30T00:00:00Z", DG_EINVAL);
    ts_fail("2026-02-29T00:00:00Z", DG_EINVAL); /* not a leap year */
    ts_fail("2026-04-31T00:00:00Z", DG_EINVAL);
    ts_fail("2026-06-31T00:00:00Z", DG_EINVAL);
    ts_fail("2026-09-31T00:00:00Z", DG_EINVAL);
    ts_fail("2026-11-31T00:00:00Z", DG_EINVAL);
    ts_fail("2026-01-32T00:00:00Z", DG_EINVAL);
    ts_fail("2026-13-01T00:00:00Z", DG_EINVAL);
    ts_fail("2026-00-01T00:00:00Z", DG_EINVAL);
    ts_fail("2026-01-00T00:00:00Z", DG_EINVAL);
    ts_fail("2026-01-01T24:00:00Z", DG_EINVAL);
    ts_fail("2026-01-01T23:60:00Z", DG_EINVAL);
    ts_fail("2026-01-01T23:59:60Z", DG_EINVAL); /* leap seconds unsupported */
    assert_int_equal(ts_ok("2026-12-31T23:59:59Z") + 1000, ts_ok("2027-01-01T00:00:00Z"));
    dg_error err;
    int64_t ms;
    assert_int_equal(dg_rfc3339_parse("2026-02-30T00:00:00Z", 20, &ms, "at", &err), DG_EINVAL);
    assert_string_equal(err.message, "at: invalid date 2026-02-30 (2026-02 has 28 days)");
}

static void test_rfc3339_leap_years(void **state)
{
    (void)state;
    assert_int_equal(ts_ok("2000-02-29T00:00:00Z"), 951782400000LL); /* divisible by 400 */
    assert_int_equal(ts_ok("2024-02-29T12:00:00Z"), 1709208000000LL);
    assert_int_equal(ts_ok("2024-03-01T00:00:00Z") - ts_ok("2024-02-28T00:00:00Z"), 2 * 86400000LL);
    assert_int_equal(ts_ok("2023-03-01T00:00:00Z") - ts_ok("2023-02-28T00:00:00Z"), 86400000LL);
    assert_int_equal(ts_ok("2400-02-29T00:00:00Z") - ts_ok("2400-02-28T00:00:00Z"), 86400000LL);
    ts_ok("0004-02-29T00:00:00Z");
    ts_fail("1900-02-29T00:00:00Z", DG_EINVAL); /* divisible by 100, not 400 */
    ts_fail("2100-02-29T00:00:00Z", DG_EINVAL);
    ts_fail("2023-02-29T00:00:00Z", DG_EINVAL);
    ts_fail("0001-02-29T00:00:00Z", DG_EINVAL);
}

static void test_rfc3339_year_range(void **state)
{
    (void)state;
    assert_int_equal(ts_ok("0001-01-01T00:00:00Z"), -62135596800000LL);
    assert_int_equal(ts_ok("9999-12-31T23:59:59.999Z"), 253402300799999LL);
    ts_fail("0000-01-01T00:00:00Z", DG_ERANGE);
    ts_fail("0001-01-01T00:00:00+00:01", DG_ERANGE); /* year 0 in UTC */
    ts_fail("9999-12-31T23:59:59-00:01", DG_ERANGE); /* year 10000 in UTC */
    ts_fail("10000-01-01T00:00:00Z", DG_EINVAL);
    ts_fail("-001-01-01T00:00:00Z", DG_EINVAL);
}

static void test_rfc3339_bad_syntax(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2026-11-25",
        "2026-11-25T11:54:02",
        "2026-11-25 11:54:02Z",
        "2026-11-25X11:54:02Z",
        "2026/11/25T11:54:02Z",
        "2026-1-25T11:54:02Z",
        "2026-11-25T1:54:02Z",
        "2026-11-25T11:54Z",
        "2026-11-25T11:54:02ZZ",
        "2026-11-25T11:54:02Zjunk",
        "2026-11-25T11:54:02UTC",
        " 2026-11-25T11:54:02Z",
        "2026-11-25T11:54:02Z ",
        "2O26-11-25T11:54:02Z",
        "2026-11-25T11:5a:02Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ts_fail(bad[i], DG_EINVAL);
    int64_t ms;
    assert_int_equal(dg_rfc3339_parse(NULL, 0, &ms, NULL, NULL), DG_EINVAL);
    /* Only n bytes are read. */
    assert_int_equal(dg_rfc3339_parse("1970-01-01T00:00:01Zxyz", 20, &ms, NULL, NULL), 0);
    assert_int_equal(ms, 1000);
}

static void test_rfc3339_format(void **state)
{
    (void)state;
    ts_fmt_is(0, "1970-01-01T00:00:00Z");
    ts_fmt_is(1234, "1970-01-01T00:00:01.234Z");
    ts_fmt_is(1, "1970-01-01T00:00:00.001Z");
    ts_fmt_is(-1, "1969-12-31T23:59:59.999Z");
    ts_fmt_is(-1000, "1969-12-31T23:59:59Z");
    ts_fmt_is(1795607642000LL, "2026-11-25T11:54:02Z");
    ts_fmt_is(1795607642120LL, "2026-11-25T11:54:02.120Z");
    ts_fmt_is(951782400000LL, "2000-02-29T00:00:00Z");
    ts_fmt_is(-62135596800000LL, "0001-01-01T00:00:00Z");
    ts_fmt_is(253402300799999LL, "9999-12-31T23:59:59.999Z");
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_rfc3339_format(&b, -62135596800001LL), DG_ERANGE);
    assert_int_equal(dg_rfc3339_format(&b, 253402300800000LL), DG_ERANGE);
    assert_int_equal(dg_rfc3339_format(&b, INT64_MIN), DG_ERANGE);
    assert_int_equal(dg_rfc3339_format(&b, INT64_MAX), DG_ERANGE);
    assert_int_equal(b.len, 0);
    dg_buf_free(&b);
}

/* Cross-check against glibc's timegm/gmtime_r over the whole year range. */
static void test_rfc3339_against_libc(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL; /* xorshift64 */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t span = 253402300799999LL - -62135596800000LL + 1;
        int64_t ms = -62135596800000LL + (int64_t)(x % (uint64_t)span);
        if (i % 3 == 0)
            ms -= ms % 1000; /* exercise the no-fraction form */
        dg_buf b = DG_BUF_INIT;
        assert_int_equal(dg_rfc3339_format(&b, ms), 0);
        /* Independent oracle. */
        time_t secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
        struct tm tm;
        assert_non_null(gmtime_r(&secs, &tm));
        char want[40];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        assert_memory_equal(b.data, want, 19);
        int64_t back = 0;
        assert_int_equal(dg_rfc3339_parse(b.data, b.len, &back, NULL, NULL), 0);
        assert_int_equal(back, ms);
        dg_buf_free(&b);
    }
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t now = dg_now_ms();
    assert_true(now > 1700000000000LL); /* after Nov 2023 */
    assert_true(now < 4102444800000LL); /* before 2100 */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t libc_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    assert_true(libc_ms - now >= 0 && libc_ms - now < 5000);
    uint64_t t0 = dg_monotonic_ns();
    struct timespec nap = {0, 2000000}; /* 2 ms */
    nanosleep(&nap, NULL);
    uint64_t t1 = dg_monotonic_ns();
    assert_true(t1 > t0);
    assert_true(t1 - t0 >= 2000000u);
}

/* ---- UUID ---- */

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void test_uuid_v4_format(void **state)
{
    (void)state;
    char prev[37] = "";
    for (int i = 0; i < 200; i++) {
        char u[37];
        memset(u, 'X', sizeof u);
        dg_error err;
        assert_int_equal(dg_uuid_v4(u, &err), 0);
        assert_int_equal(strlen(u), 36);
        for (int j = 0; j < 36; j++) {
            if (j == 8 || j == 13 || j == 18 || j == 23)
                assert_int_equal(u[j], '-');
            else
                assert_true(is_lower_hex(u[j]));
        }
        assert_int_equal(u[14], '4');                                              /* version */
        assert_true(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'); /* variant */
        assert_string_not_equal(u, prev);
        memcpy(prev, u, sizeof u);
    }
    assert_int_equal(dg_uuid_v4(prev, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_encode_rfc4648),
        cmocka_unit_test(test_base64_decode_rfc4648),
        cmocka_unit_test(test_base64_roundtrip_all_bytes),
        cmocka_unit_test(test_base64_bad_length),
        cmocka_unit_test(test_base64_bad_padding),
        cmocka_unit_test(test_base64_bad_chars),
        cmocka_unit_test(test_base64_trailing_bits),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_rfc3339_parse_basic),
        cmocka_unit_test(test_rfc3339_fraction),
        cmocka_unit_test(test_rfc3339_offsets),
        cmocka_unit_test(test_rfc3339_invalid_dates),
        cmocka_unit_test(test_rfc3339_leap_years),
        cmocka_unit_test(test_rfc3339_year_range),
        cmocka_unit_test(test_rfc3339_bad_syntax),
        cmocka_unit_test(test_rfc3339_format),
        cmocka_unit_test(test_rfc3339_against_libc),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_uuid_v4_format),
        cmocka_unit_test(test_base64url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
