/* Unit tests: runtime/core/arena.c, error.c, str.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dynagen/arena.h"
#include "dynagen/error.h"
#include "dynagen/types.h"

static int is_aligned16(const void *p)
{
    return ((uintptr_t)p & 15u) == 0;
}

static void test_arena_basic_alignment(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    assert_non_null(a);
    assert_int_equal(dg_arena_used(a), 0);
    for (size_t n = 1; n < 200; n += 7) {
        unsigned char *p = dg_arena_alloc(a, n);
        assert_non_null(p);
        assert_true(is_aligned16(p));
        memset(p, 0xab, n); /* whole allocation writable (ASan checks) */
    }
    dg_arena_destroy(a);
}

static void test_arena_zero_size_unique(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    void *p = dg_arena_alloc(a, 0);
    void *q = dg_arena_alloc(a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    assert_true(is_aligned16(p) && is_aligned16(q));
    assert_int_equal(dg_arena_used(a), 0);
    dg_arena_destroy(a);
}

static void test_arena_distinct_nonoverlapping(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(256);
    char *ptrs[100];
    for (int i = 0; i < 100; i++) {
        ptrs[i] = dg_arena_alloc(a, 40);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], i, 40);
    }
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 40; j++)
            assert_int_equal((unsigned char)ptrs[i][j], i);
    assert_int_equal(dg_arena_used(a), 4000);
    dg_arena_destroy(a);
}

static void test_arena_large_alloc_own_block(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(1024);
    char *small1 = dg_arena_alloc(a, 16);
    char *big = dg_arena_alloc(a, 1 << 20);
    char *small2 = dg_arena_alloc(a, 16);
    assert_non_null(small1);
    assert_non_null(big);
    assert_non_null(small2);
    assert_true(is_aligned16(big));
    memset(big, 0x5a, 1 << 20);
    assert_int_equal((unsigned char)big[(1 << 20) - 1], 0x5a);
    /* The small allocations still come from the same (first) block. */
    assert_true(small2 == small1 + 16);
    assert_int_equal(dg_arena_used(a), 32 + (1 << 20));
    dg_arena_destroy(a);
}

static void test_arena_limit(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    dg_arena_set_limit(a, 100);
    assert_non_null(dg_arena_alloc(a, 60));
    assert_non_null(dg_arena_alloc(a, 40)); /* exactly at the limit */
    assert_int_equal(dg_arena_used(a), 100);
    assert_null(dg_arena_alloc(a, 1)); /* one byte over */
    assert_non_null(dg_arena_alloc(a, 0));
    assert_int_equal(dg_arena_used(a), 100);
    dg_arena_set_limit(a, 0); /* unlimited again */
    assert_non_null(dg_arena_alloc(a, 1000));
    dg_arena_destroy(a);
}

static void test_arena_limit_large(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    dg_arena_set_limit(a, 1 << 20);
    assert_null(dg_arena_alloc(a, (1 << 20) + 1));
    assert_int_equal(dg_arena_used(a), 0);
    assert_non_null(dg_arena_alloc(a, 1 << 20));
    dg_arena_destroy(a);
}

static void test_arena_reset(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(512);
    char *first = dg_arena_alloc(a, 32);
    assert_non_null(first);
    for (int i = 0; i < 200; i++)
        assert_non_null(dg_arena_alloc(a, 100)); /* many blocks */
    assert_non_null(dg_arena_alloc(a, 100000));  /* a large block */
    dg_arena_set_limit(a, 300000);
    dg_arena_reset(a);
    assert_int_equal(dg_arena_used(a), 0);
    /* The kept block is reused from its start. */
    char *again = dg_arena_alloc(a, 32);
    assert_ptr_equal(again, first);
    memset(again, 1, 32);
    /* The limit survives a reset and counts from zero again. */
    assert_non_null(dg_arena_alloc(a, 299968));
    assert_null(dg_arena_alloc(a, 1));
    dg_arena_reset(a);
    dg_arena_reset(a); /* idempotent */
    assert_non_null(dg_arena_alloc(a, 10));
    dg_arena_destroy(a);
}

static void test_arena_overflow_checks(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    assert_null(dg_arena_alloc(a, SIZE_MAX));
    assert_null(dg_arena_alloc(a, SIZE_MAX - 8));
    assert_null(dg_arena_calloc(a, SIZE_MAX / 2, 3));
    assert_null(dg_arena_calloc(a, (SIZE_MAX >> 1) + 1, 2));
    assert_null(dg_arena_strndup(a, "x", SIZE_MAX));
    assert_int_equal(dg_arena_used(a), 0);
    /* The arena is still usable. */
    assert_non_null(dg_arena_alloc(a, 8));
    assert_null(dg_arena_alloc(NULL, 8));
    dg_arena_destroy(a);
    dg_arena_destroy(NULL);
}

static void test_arena_calloc_zeroed(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(256);
    /* Dirty the first block, reset, then calloc must still return zeros. */
    unsigned char *d = dg_arena_alloc(a, 200);
    memset(d, 0xff, 200);
    dg_arena_reset(a);
    uint32_t *z = dg_arena_calloc(a, 50, sizeof(uint32_t));
    assert_non_null(z);
    for (int i = 0; i < 50; i++)
        assert_int_equal(z[i], 0);
    assert_non_null(dg_arena_calloc(a, 0, 8));
    dg_arena_destroy(a);
}

static void test_arena_memdup_strndup(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    const char src[] = "hello\0world";
    char *m = dg_arena_memdup(a, src, sizeof src);
    assert_non_null(m);
    assert_memory_equal(m, src, sizeof src);
    assert_ptr_not_equal(m, src);
    char *s = dg_arena_strndup(a, "abcdef", 3);
    assert_string_equal(s, "abc");
    char *e = dg_arena_strndup(a, NULL, 0);
    assert_string_equal(e, "");
    /* strndup copies exactly n bytes even across a NUL. */
    char *z = dg_arena_strndup(a, src, 8);
    assert_memory_equal(z, "hello\0wo", 8);
    assert_int_equal(z[8], '\0');
    assert_non_null(dg_arena_memdup(a, NULL, 0));
    assert_null(dg_arena_memdup(a, NULL, 4));
    dg_arena_destroy(a);
}

static void test_arena_realloc(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(1024);
    int *arr = dg_arena_realloc(a, NULL, 0, 4 * sizeof(int));
    assert_non_null(arr);
    for (int i = 0; i < 4; i++)
        arr[i] = i;
    /* Latest allocation grows in place. */
    int *grown = dg_arena_realloc(a, arr, 4 * sizeof(int), 8 * sizeof(int));
    assert_ptr_equal(grown, arr);
    for (int i = 4; i < 8; i++)
        grown[i] = i;
    /* After another allocation it must copy. */
    char *other = dg_arena_alloc(a, 8);
    assert_non_null(other);
    int *moved = dg_arena_realloc(a, grown, 8 * sizeof(int), 16 * sizeof(int));
    assert_non_null(moved);
    assert_ptr_not_equal(moved, grown);
    for (int i = 0; i < 8; i++)
        assert_int_equal(moved[i], i);
    moved[15] = 15;
    /* Growing into a large block copies the contents too. */
    int *huge = dg_arena_realloc(a, moved, 16 * sizeof(int), 100000 * sizeof(int));
    assert_non_null(huge);
    for (int i = 0; i < 8; i++)
        assert_int_equal(huge[i], i);
    assert_int_equal(huge[15], 15);
    huge[99999] = 1;
    /* Shrinking is a no-op. */
    assert_ptr_equal(dg_arena_realloc(a, huge, 100000 * sizeof(int), 10), huge);
    dg_arena_destroy(a);
}

static void test_arena_realloc_limit(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(0);
    dg_arena_set_limit(a, 64);
    char *p = dg_arena_alloc(a, 32);
    assert_non_null(p);
    assert_null(dg_arena_realloc(a, p, 32, 65)); /* in-place growth also counted */
    char *q = dg_arena_realloc(a, p, 32, 64);
    assert_ptr_equal(q, p);
    assert_int_equal(dg_arena_used(a), 64);
    dg_arena_destroy(a);
}

static void test_arena_many_blocks_stress(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new(300); /* odd size, rounded internally */
    size_t total = 0;
    for (size_t i = 0; i < 5000; i++) {
        size_t n = (i * 37) % 500;
        char *p = dg_arena_alloc(a, n);
        assert_non_null(p);
        assert_true(is_aligned16(p));
        if (n > 0) {
            p[0] = 'x';
            p[n - 1] = 'y';
        }
        total += n;
    }
    assert_int_equal(dg_arena_used(a), total);
    dg_arena_destroy(a);
}

/* ---- error.c ---- */

static void test_error_set_and_clear(void **state)
{
    (void)state;
    dg_error e;
    memset(&e, 0x7f, sizeof e);
    dg_error_clear(&e);
    assert_int_equal(e.code, DG_OK);
    assert_string_equal(e.field, "");
    assert_string_equal(e.type, "");
    assert_string_equal(e.message, "");
    int rc = dg_error_set(&e, DG_EINVAL, "price", "%s: more than %d decimal places", "price", 2);
    assert_int_equal(rc, DG_EINVAL);
    assert_int_equal(e.code, DG_EINVAL);
    assert_string_equal(e.field, "price");
    assert_string_equal(e.message, "price: more than 2 decimal places");
    rc = dg_error_set(&e, DG_EIO, NULL, "line\n");
    assert_int_equal(rc, DG_EIO);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "line"); /* no trailing newline */
    assert_int_equal(dg_error_set(NULL, DG_ERANGE, "x", "y"), DG_ERANGE);
    dg_error_clear(NULL);
}

static void test_error_truncation(void **state)
{
    (void)state;
    dg_error e;
    char longfield[400];
    memset(longfield, 'f', sizeof longfield - 1);
    longfield[sizeof longfield - 1] = '\0';
    dg_error_set(&e, DG_EINVAL, longfield, "%s%s", longfield, longfield);
    assert_int_equal(strlen(e.field), DG_ERROR_FIELD_MAX - 1);
    assert_int_equal(strlen(e.message), DG_ERROR_MESSAGE_MAX - 1);
}

static void test_error_push_field(void **state)
{
    (void)state;
    dg_error e;
    dg_error_set(&e, DG_EINVAL, "color", "bad");
    dg_error_push_field(&e, "specs");
    assert_string_equal(e.field, "specs.color");
    dg_error_set(&e, DG_EINVAL, "[2]", "bad");
    dg_error_push_field(&e, "tags");
    assert_string_equal(e.field, "tags[2]");
    dg_error_push_field(&e, "item");
    assert_string_equal(e.field, "item.tags[2]");
    dg_error_set(&e, DG_EINVAL, NULL, "bad");
    dg_error_push_field(&e, "name");
    assert_string_equal(e.field, "name");
    assert_string_equal(e.message, "bad");
    dg_error_push_field(NULL, "x");
    dg_error_push_field(&e, NULL);
    assert_string_equal(e.field, "name");
    /* Overlong paths are truncated, never overflowed. */
    char longp[300];
    memset(longp, 'p', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    dg_error_push_field(&e, longp);
    assert_int_equal(strlen(e.field), DG_ERROR_FIELD_MAX - 1);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(dg_strerror(DG_OK), "ok");
    assert_string_equal(dg_strerror(DG_EINVAL), "invalid");
    assert_string_equal(dg_strerror(DG_ENOTFOUND), "not_found");
    assert_string_equal(dg_strerror(DG_ECONFLICT), "conflict");
    assert_string_equal(dg_strerror(12345), "unknown");
    /* Every defined code has a distinct, non-"unknown" name. */
    for (int c = DG_EUNTRUSTED; c <= DG_OK; c++) {
        assert_string_not_equal(dg_strerror(c), "unknown");
        for (int d = c + 1; d <= DG_OK; d++)
            assert_string_not_equal(dg_strerror(c), dg_strerror(d));
    }
}

/* ---- str.c ---- */

static void test_str_eq(void **state)
{
    (void)state;
    char buf[] = "abcabc";
    assert_true(dg_str_eq(dg_str_from(buf, 3), dg_str_from(buf + 3, 3)));
    assert_false(dg_str_eq(dg_str_from(buf, 3), dg_str_from(buf + 3, 2)));
    assert_false(dg_str_eq(DG_STR("abd"), DG_STR("abc")));
    assert_true(dg_str_eq(DG_STR_NULL, DG_STR("")));
    assert_true(dg_str_eq(DG_STR_NULL, DG_STR_NULL));
    assert_true(dg_str_eq_cstr(DG_STR("price"), "price"));
    assert_false(dg_str_eq_cstr(DG_STR("price"), "pric"));
    assert_false(dg_str_eq_cstr(DG_STR("pric"), "price"));
    assert_true(dg_str_eq_cstr(DG_STR_NULL, ""));
    assert_true(dg_str_eq_cstr(DG_STR_NULL, NULL));
    assert_false(dg_str_eq_cstr(DG_STR("a"), NULL));
    /* Embedded NUL in the slice is compared as data. */
    assert_false(dg_str_eq_cstr(dg_str_from("a\0b", 3), "a"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_basic_alignment),
        cmocka_unit_test(test_arena_zero_size_unique),
        cmocka_unit_test(test_arena_distinct_nonoverlapping),
        cmocka_unit_test(test_arena_large_alloc_own_block),
        cmocka_unit_test(test_arena_limit),
        cmocka_unit_test(test_arena_limit_large),
        cmocka_unit_test(test_arena_reset),
        cmocka_unit_test(test_arena_overflow_checks),
        cmocka_unit_test(test_arena_calloc_zeroed),
        cmocka_unit_test(test_arena_memdup_strndup),
        cmocka_unit_test(test_arena_realloc),
        cmocka_unit_test(test_arena_realloc_limit),
        cmocka_unit_test(test_arena_many_blocks_stress),
        cmocka_unit_test(test_error_set_and_clear),
        cmocka_unit_test(test_error_truncation),
        cmocka_unit_test(test_error_push_field),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_str_eq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
