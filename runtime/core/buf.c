/* dynagen runtime — growable byte buffer. */
#include "dynagen/buf.h"

#include "dynagen/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int dg_buf_uint64(dg_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return dg_buf_append(b, tmp + i, sizeof tmp - i);
}

int dg_buf_int64(dg_buf *b, int64_t v)
{
    if (v >= 0)
        return dg_buf_uint64(b, (uint64_t)v);
    char tmp[24];
    uint64_t m = (uint64_t)0 - (uint64_t)v; /* exact also for INT64_MIN */
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    tmp[--i] = '-';
    return dg_buf_append(b, tmp + i, sizeof tmp - i);
}

int dg_buf_json_string(dg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Typical strings need no escaping: reserve for the common case. */
    size_t want;
    if (__builtin_add_overflow(n, 2, &want))
        return fail(b);
    int rc = dg_buf_reserve(b, want);
    if (rc != 0)
        return rc;
    dg_buf_putc(b, '"');
    size_t run = 0; /* start of the current run of bytes copied verbatim */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (i > run)
            dg_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            elen = 6;
            break;
        }
        dg_buf_append(b, esc, elen);
    }
    if (n > run)
        dg_buf_append(b, s + run, n - run);
    dg_buf_putc(b, '"');
    return dg_buf_status(b);
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
