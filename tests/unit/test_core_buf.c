/* Unit tests: runtime/core/buf.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dynagen/buf.h"
#include "dynagen/error.h"

static void test_buf_init_empty(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(dg_buf_status(&b), 0);
    assert_string_equal(dg_buf_cstr(&b), "");
    dg_buf c;
    memset(&c, 0x55, sizeof c);
    dg_buf_init(&c);
    assert_null(c.data);
    assert_int_equal(c.cap, 0);
    assert_int_equal(c.failed, 0);
    dg_buf_free(&b);
    dg_buf_free(&c);
}

static void test_buf_append_grow(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_puts(&b, "hello"), 0);
    assert_int_equal(dg_buf_putc(&b, ' '), 0);
    assert_int_equal(dg_buf_append(&b, "world!!", 5), 0);
    assert_int_equal(b.len, 11);
    assert_string_equal(b.data, "hello world"); /* NUL-terminated when len > 0 */
    /* Grow well past the initial capacity. */
    for (int i = 0; i < 10000; i++)
        assert_int_equal(dg_buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 10011);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(b.data[11], 'a');
    assert_int_equal(b.data[10010], 'a' + 9999 % 26);
    assert_int_equal(dg_buf_append(&b, NULL, 0), 0);
    assert_int_equal(b.len, 10011);
    dg_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_buf_embedded_nul(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    dg_buf_free(&b);
}

static void test_buf_reset_keeps_capacity(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "some text");
    size_t cap = b.cap;
    char *data = b.data;
    dg_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_ptr_equal(b.data, data);
    assert_string_equal(dg_buf_cstr(&b), "");
    dg_buf_puts(&b, "x");
    assert_string_equal(dg_buf_cstr(&b), "x");
    dg_buf_free(&b);
}

static void test_buf_sticky_failure(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_puts(&b, "keep"), 0);
    /* A reserve that overflows size_t. */
    assert_int_equal(dg_buf_reserve(&b, SIZE_MAX), DG_ENOMEM);
    assert_int_equal(dg_buf_status(&b), DG_ENOMEM);
    /* Every further append is a no-op returning DG_ENOMEM. */
    assert_int_equal(dg_buf_puts(&b, "more"), DG_ENOMEM);
    assert_int_equal(dg_buf_putc(&b, 'x'), DG_ENOMEM);
    assert_int_equal(dg_buf_printf(&b, "%d", 42), DG_ENOMEM);
    assert_int_equal(dg_buf_int64(&b, 1), DG_ENOMEM);
    assert_int_equal(dg_buf_uint64(&b, 1), DG_ENOMEM);
    assert_int_equal(dg_buf_json_string(&b, "a", 1), DG_ENOMEM);
    assert_int_equal(dg_buf_reserve(&b, 1), DG_ENOMEM);
    assert_int_equal(b.len, 4);
    assert_string_equal(dg_buf_cstr(&b), "keep"); /* earlier content intact */
    /* reset clears the failure. */
    dg_buf_reset(&b);
    assert_int_equal(dg_buf_status(&b), 0);
    assert_int_equal(dg_buf_puts(&b, "ok"), 0);
    assert_string_equal(dg_buf_cstr(&b), "ok");
    dg_buf_free(&b);
}

static void test_buf_huge_reserve_fails_cleanly(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    /* Larger than any buffer may grow: a clean failure, no giant malloc. */
    assert_int_equal(dg_buf_reserve(&b, SIZE_MAX / 2), DG_ENOMEM);
    assert_int_equal(dg_buf_status(&b), DG_ENOMEM);
    assert_int_equal(dg_buf_append(&b, "x", 1), DG_ENOMEM);
    assert_int_equal(b.len, 0);
    dg_buf_free(&b);
    assert_int_equal(dg_buf_status(&b), 0); /* free returns to DG_BUF_INIT */
}

static void test_buf_printf(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_printf(&b, "%s=%d", "a", 1), 0);
    assert_int_equal(dg_buf_printf(&b, "%s", ""), 0);
    assert_string_equal(b.data, "a=1");
    /* Output longer than the spare capacity forces the retry path. */
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(dg_buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 3 + 2 + 4999);
    assert_int_equal(b.data[3], '[');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    dg_buf_free(&b);
}

static void test_buf_integers(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_int64(&b, 0);
    dg_buf_putc(&b, ' ');
    dg_buf_int64(&b, -1);
    dg_buf_putc(&b, ' ');
    dg_buf_int64(&b, INT64_MAX);
    dg_buf_putc(&b, ' ');
    dg_buf_int64(&b, INT64_MIN);
    dg_buf_putc(&b, ' ');
    dg_buf_uint64(&b, UINT64_MAX);
    dg_buf_putc(&b, ' ');
    dg_buf_uint64(&b, 0);
    assert_int_equal(dg_buf_status(&b), 0);
    assert_string_equal(dg_buf_cstr(&b), "0 -1 9223372036854775807 -9223372036854775808 "
                                         "18446744073709551615 0");
    dg_buf_free(&b);
}

static void json(const char *in, size_t n, const char *want)
{
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_json_string(&b, in, n), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    dg_buf_free(&b);
}

static void test_buf_json_string(void **state)
{
    (void)state;
    json("", 0, "\"\"");
    json(NULL, 0, "\"\"");
    json("plain", 5, "\"plain\"");
    json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    json("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
    json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    json("a\0b", 3, "\"a\\u0000b\"");
    json("\x7f", 1, "\"\x7f\"");                 /* DEL kept as-is */
    json("/", 1, "\"/\"");                       /* slash not escaped */
    json(" ", 1, "\" \"");                       /* 0x20 is not a control char */
    json("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");   /* UTF-8 copied */
    json("\xe2\x80\xa8", 3, "\"\xe2\x80\xa8\""); /* U+2028 copied */
    json("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    /* Escape at the very start and very end. */
    json("\"x\"", 3, "\"\\\"x\\\"\"");
}

static void test_buf_json_string_appends(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_putc(&b, '{');
    dg_buf_json_string(&b, "k", 1);
    dg_buf_putc(&b, ':');
    dg_buf_json_string(&b, "v\n", 2);
    dg_buf_putc(&b, '}');
    assert_int_equal(dg_buf_status(&b), 0);
    assert_string_equal(dg_buf_cstr(&b), "{\"k\":\"v\\n\"}");
    /* A long string with many escapes grows correctly. */
    dg_buf_reset(&b);
    char in[3000];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (i % 3 == 0) ? '\x02' : 'q';
    assert_int_equal(dg_buf_json_string(&b, in, sizeof in), 0);
    assert_int_equal(b.len, 2 + 2000 + 1000 * 6);
    assert_memory_equal(b.data, "\"\\u0002qq\\u0002", 15);
    dg_buf_free(&b);
}

/* The word-at-a-time fast path: escapes and UTF-8 at every offset around the
 * 8- and 16-byte chunk boundaries must come out exactly as byte by byte. */
static void test_buf_json_string_fast_path_boundaries(void **state)
{
    (void)state;
    static const char *const specials[] = {"\"",   "\\",       "\n",           "\x01", "\x1f",
                                           "\x7f", "\xc3\xa9", "\xe2\x80\x94", " ",    "~"};
    static const char *const escaped[] = {"\\\"", "\\\\",     "\\n",          "\\u0001", "\\u001f",
                                          "\x7f", "\xc3\xa9", "\xe2\x80\x94", " ",       "~"};
    for (size_t k = 0; k < sizeof specials / sizeof *specials; k++) {
        for (size_t len = 0; len <= 40; len++) {
            for (size_t at = 0; at <= len; at++) {
                char in[64], want[128];
                size_t sl = strlen(specials[k]), n = 0, w = 0;
                want[w++] = '"';
                for (size_t i = 0; i < len; i++) {
                    if (i == at) {
                        memcpy(in + n, specials[k], sl);
                        n += sl;
                        memcpy(want + w, escaped[k], strlen(escaped[k]));
                        w += strlen(escaped[k]);
                    }
                    in[n++] = (char)('a' + i % 26);
                    want[w++] = (char)('a' + i % 26);
                }
                want[w++] = '"';
                /* exact-size heap copy: ASan sees any read past the end */
                char *heap = malloc(n ? n : 1);
                assert_non_null(heap);
                memcpy(heap, in, n);
                dg_buf b = DG_BUF_INIT;
                assert_int_equal(dg_buf_json_string(&b, heap, n), 0);
                assert_int_equal(b.len, w);
                assert_memory_equal(b.data, want, w);
                assert_int_equal(b.data[b.len], '\0');
                dg_buf_free(&b);
                free(heap);
            }
        }
    }
}

static void test_buf_json_string_wrapped(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_buf_json_string_wrapped(&b, "{\"S\":", 5, "a\"b", 3, "}", 1), 0);
    assert_int_equal(dg_buf_json_string_wrapped(&b, ",", 1, "", 0, NULL, 0), 0);
    assert_int_equal(dg_buf_json_string_wrapped(&b, NULL, 0, "x\n", 2, ":", 1), 0);
    assert_string_equal(dg_buf_cstr(&b), "{\"S\":\"a\\\"b\"},\"\"\"x\\n\":");
    /* many escapes in a long string with a suffix: growth keeps room for the suffix */
    dg_buf_reset(&b);
    char in[999];
    memset(in, '\\', sizeof in);
    assert_int_equal(dg_buf_json_string_wrapped(&b, "<", 1, in, sizeof in, ">>", 2), 0);
    assert_int_equal(b.len, 1 + 2 + 2 * sizeof in + 2);
    assert_memory_equal(b.data + b.len - 4, "\\\">>", 4);
    dg_buf_free(&b);
}

static void test_int_to_chars(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *s;
    } cases[] = {{0, "0"},
                 {9, "9"},
                 {10, "10"},
                 {99, "99"},
                 {100, "100"},
                 {-1, "-1"},
                 {-10, "-10"},
                 {12345, "12345"},
                 {INT64_C(999999999999999999), "999999999999999999"},
                 {INT64_C(1000000000000000000), "1000000000000000000"},
                 {INT64_MAX, "9223372036854775807"},
                 {INT64_MIN, "-9223372036854775808"},
                 {INT64_MIN + 1, "-9223372036854775807"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[DG_INT_CHARS_MAX + 8];
        memset(out, 'X', sizeof out);
        char *end = dg_i64_to_chars(out, cases[i].v);
        assert_int_equal((size_t)(end - out), strlen(cases[i].s));
        assert_memory_equal(out, cases[i].s, strlen(cases[i].s));
        assert_true((size_t)(end - out) <= DG_INT_CHARS_MAX);
        assert_int_equal(*end, 'X'); /* nothing written past the end */
    }
    char out[DG_INT_CHARS_MAX];
    char *end = dg_u64_to_chars(out, UINT64_MAX);
    assert_int_equal(end - out, 20);
    assert_memory_equal(out, "18446744073709551615", 20);
    /* every power of ten and its neighbours */
    uint64_t p = 1;
    for (int d = 0; d < 20; d++, p *= 10) {
        uint64_t vs[3] = {p - 1, p, p + 1};
        for (int j = 0; j < 3; j++) {
            char want[32];
            snprintf(want, sizeof want, "%llu", (unsigned long long)vs[j]);
            end = dg_u64_to_chars(out, vs[j]);
            assert_int_equal((size_t)(end - out), strlen(want));
            assert_memory_equal(out, want, strlen(want));
        }
    }
}

static void test_buf_steal(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "owned");
    size_t len = 0;
    char *p = dg_buf_steal(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 5);
    assert_string_equal(p, "owned");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    /* Stealing an empty buffer yields a freeable "" */
    p = dg_buf_steal(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);
    /* Stealing a failed buffer yields NULL and releases its memory. */
    dg_buf_puts(&b, "x");
    dg_buf_reserve(&b, SIZE_MAX);
    p = dg_buf_steal(&b, &len);
    assert_null(p);
    assert_int_equal(len, 0);
    assert_int_equal(dg_buf_status(&b), 0);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_init_empty),
        cmocka_unit_test(test_buf_append_grow),
        cmocka_unit_test(test_buf_embedded_nul),
        cmocka_unit_test(test_buf_reset_keeps_capacity),
        cmocka_unit_test(test_buf_sticky_failure),
        cmocka_unit_test(test_buf_huge_reserve_fails_cleanly),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_integers),
        cmocka_unit_test(test_buf_json_string),
        cmocka_unit_test(test_buf_json_string_appends),
        cmocka_unit_test(test_buf_json_string_fast_path_boundaries),
        cmocka_unit_test(test_buf_json_string_wrapped),
        cmocka_unit_test(test_int_to_chars),
        cmocka_unit_test(test_buf_steal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
