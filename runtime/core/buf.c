/* dynagen runtime — growable byte buffer. */
#include "dynagen/buf.h"

#include "dynagen/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "json_scan.h"

/* Hard upper bound on a buffer's capacity. Nothing dynagen writes comes close
 * (Lambda responses are limited to 6 MB, DynamoDB items to 400 KB); the bound
 * turns absurd sizes into a clean DG_ENOMEM instead of a giant malloc request
 * (which sanitizers treat as a fatal error) and keeps lengths within int for
 * vsnprintf. */
#define DG_BUF_MAX_CAP ((size_t)1 << 31)

void dg_buf_init(dg_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void dg_buf_free(dg_buf *b)
{
    free(b->data);
    dg_buf_init(b);
}

void dg_buf_reset(dg_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

int dg_buf_status(const dg_buf *b)
{
    return b->failed ? DG_ENOMEM : 0;
}

static int fail(dg_buf *b)
{
    b->failed = 1;
    return DG_ENOMEM;
}

int dg_buf_reserve(dg_buf *b, size_t extra)
{
    if (b->failed)
        return DG_ENOMEM;
    size_t need; /* len + extra + NUL */
    if (__builtin_add_overflow(b->len, extra, &need) || __builtin_add_overflow(need, 1, &need) ||
        need > DG_BUF_MAX_CAP)
        return fail(b);
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap = cap > DG_BUF_MAX_CAP / 2 ? DG_BUF_MAX_CAP : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return fail(b);
    b->data = p;
    b->cap = cap;
    return 0;
}

int dg_buf_append(dg_buf *b, const void *p, size_t n)
{
    int rc = dg_buf_reserve(b, n);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dg_buf_puts(dg_buf *b, const char *s)
{
    return dg_buf_append(b, s, strlen(s));
}

int dg_buf_putc(dg_buf *b, char c)
{
    return dg_buf_append(b, &c, 1);
}

int dg_buf_printf(dg_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return DG_ENOMEM;
    /* Make sure there is some room so the first attempt usually succeeds. */
    if (dg_buf_reserve(b, 64) != 0)
        return DG_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int r = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (r < 0) {
        /* Encoding error: the output would be incomplete, so fail stickily. */
        b->data[b->len] = '\0';
        return fail(b);
    }
    if ((size_t)r >= room) {
        if (dg_buf_reserve(b, (size_t)r) != 0) {
            b->data[b->len] = '\0';
            return DG_ENOMEM;
        }
        va_start(ap, fmt);
        r = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (r < 0) {
            b->data[b->len] = '\0';
            return fail(b);
        }
    }
    b->len += (size_t)r;
    return 0;
}

static const char k_digits2[200] = {
    '0', '0', '0', '1', '0', '2', '0', '3', '0', '4', '0', '5', '0', '6', '0', '7', '0', '8', '0',
    '9', '1', '0', '1', '1', '1', '2', '1', '3', '1', '4', '1', '5', '1', '6', '1', '7', '1', '8',
    '1', '9', '2', '0', '2', '1', '2', '2', '2', '3', '2', '4', '2', '5', '2', '6', '2', '7', '2',
    '8', '2', '9', '3', '0', '3', '1', '3', '2', '3', '3', '3', '4', '3', '5', '3', '6', '3', '7',
    '3', '8', '3', '9', '4', '0', '4', '1', '4', '2', '4', '3', '4', '4', '4', '5', '4', '6', '4',
    '7', '4', '8', '4', '9', '5', '0', '5', '1', '5', '2', '5', '3', '5', '4', '5', '5', '5', '6',
    '5', '7', '5', '8', '5', '9', '6', '0', '6', '1', '6', '2', '6', '3', '6', '4', '6', '5', '6',
    '6', '6', '7', '6', '8', '6', '9', '7', '0', '7', '1', '7', '2', '7', '3', '7', '4', '7', '5',
    '7', '6', '7', '7', '7', '8', '7', '9', '8', '0', '8', '1', '8', '2', '8', '3', '8', '4', '8',
    '5', '8', '6', '8', '7', '8', '8', '8', '9', '9', '0', '9', '1', '9', '2', '9', '3', '9', '4',
    '9', '5', '9', '6', '9', '7', '9', '8', '9', '9'};

char *dg_u64_to_chars(char *dst, uint64_t v)
{
    if (v < 10) {
        *dst = (char)('0' + v);
        return dst + 1;
    }
    char tmp[20];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = k_digits2[d];
        p[1] = k_digits2[d + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = k_digits2[v * 2];
        p[1] = k_digits2[v * 2 + 1];
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(dst, p, n);
    return dst + n;
}

char *dg_i64_to_chars(char *dst, int64_t v)
{
    if (v >= 0)
        return dg_u64_to_chars(dst, (uint64_t)v);
    *dst = '-';
    return dg_u64_to_chars(dst + 1, (uint64_t)0 - (uint64_t)v); /* exact also for INT64_MIN */
}

int dg_buf_uint64(dg_buf *b, uint64_t v)
{
    char *w = dg_buf_room(b, DG_INT_CHARS_MAX);
    if (w == NULL)
        return DG_ENOMEM;
    dg_buf_commit(b, dg_u64_to_chars(w, v));
    return 0;
}

int dg_buf_int64(dg_buf *b, int64_t v)
{
    char *w = dg_buf_room(b, DG_INT_CHARS_MAX);
    if (w == NULL)
        return DG_ENOMEM;
    dg_buf_commit(b, dg_i64_to_chars(w, v));
    return 0;
}

/* Word-at-a-time scan for bytes a JSON string must escape. */
#define BUF_ONES UINT64_C(0x0101010101010101)
#define BUF_HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when some byte of v is '"', '\\' or < 0x20 (exact as a yes/no
 * answer: borrows only add false hits above a true one). */
static inline uint64_t needs_escape8(uint64_t v)
{
    uint64_t ctl = (v - BUF_ONES * 0x20) & ~v;
    uint64_t q = v ^ (BUF_ONES * 0x22);
    uint64_t bs = v ^ (BUF_ONES * 0x5C);
    q = (q - BUF_ONES) & ~q;
    bs = (bs - BUF_ONES) & ~bs;
    return (ctl | q | bs) & BUF_HIGHS;
}

static inline bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* Length of the prefix of s[0..n) that needs no escaping. */
static size_t plain_run(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = dg_json_special16(v);
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (n - i >= 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (needs_escape8(v) != 0)
            break;
        i += 8;
    }
    while (i < n && !needs_escape((unsigned char)s[i]))
        i++;
    return i;
}

int dg_buf_json_escape_rest(dg_buf *b, char *w, const char *s, size_t i, size_t n, const char *post,
                            size_t qn)
{
    static const char hex[] = "0123456789abcdef";
    while (i < n) {
        /* s[i] needs an escape: up to 6 bytes for it, then the rest, the
         * closing quote and post may need as much room as first planned. */
        dg_buf_commit(b, w);
        w = dg_buf_room(b, 6 + (n - i - 1) + 1 + qn);
        if (w == NULL)
            return DG_ENOMEM;
        unsigned char c = (unsigned char)s[i++];
        *w++ = '\\';
        switch (c) {
        case '"':
            *w++ = '"';
            break;
        case '\\':
            *w++ = '\\';
            break;
        case '\n':
            *w++ = 'n';
            break;
        case '\r':
            *w++ = 'r';
            break;
        case '\t':
            *w++ = 't';
            break;
        case '\b':
            *w++ = 'b';
            break;
        case '\f':
            *w++ = 'f';
            break;
        default:
            w[0] = 'u';
            w[1] = '0';
            w[2] = '0';
            w[3] = hex[c >> 4];
            w[4] = hex[c & 0xf];
            w += 5;
            break;
        }
        size_t run = plain_run(s + i, n - i);
        memcpy(w, s + i, run);
        w += run;
        i += run;
    }
    *w++ = '"';
    if (qn > 0)
        memcpy(w, post, qn);
    dg_buf_commit(b, w + qn);
    return 0;
}

int dg_buf_json_string_wrapped(dg_buf *b, const char *pre, size_t pn, const char *s, size_t n,
                               const char *post, size_t qn)
{
    /* Typical strings need no escaping: room for all of it at once. */
    size_t want;
    if (__builtin_add_overflow(n, pn + qn + 2, &want))
        return fail(b);
    char *w = dg_buf_room(b, want);
    if (w == NULL)
        return DG_ENOMEM;
    if (pn > 0)
        memcpy(w, pre, pn);
    w += pn;
    *w++ = '"';
    size_t i = plain_run(s, n);
    if (i > 0)
        memcpy(w, s, i);
    w += i;
    return dg_buf_json_escape_rest(b, w, s, i, n, post, qn);
}

int dg_buf_json_string(dg_buf *b, const char *s, size_t n)
{
    return dg_buf_json_string_wrapped(b, NULL, 0, s, n, NULL, 0);
}

const char *dg_buf_cstr(dg_buf *b)
{
    if (b->data == NULL)
        return "";
    b->data[b->len] = '\0';
    return b->data;
}

char *dg_buf_steal(dg_buf *b, size_t *len)
{
    char *p;
    if (b->failed) {
        free(b->data);
        p = NULL;
        if (len != NULL)
            *len = 0;
    } else {
        p = b->data;
        if (p == NULL)
            p = calloc(1, 1);
        if (len != NULL)
            *len = p != NULL ? b->len : 0;
    }
    dg_buf_init(b);
    return p;
}
