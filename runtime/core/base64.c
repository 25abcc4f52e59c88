/* dynagen runtime — strict base64 (RFC 4648, standard alphabet, '=' padding). */
#include "dynagen/codec_util.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int dg_base64_encode(dg_buf *b, const uint8_t *p, size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);
    if (groups > (SIZE_MAX - 1) / 4)
        return dg_buf_reserve(b, SIZE_MAX); /* fails stickily */
    int rc = dg_buf_reserve(b, groups * 4);
    if (rc != 0)
        return rc;
    char *o = b->data + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = b64_alphabet[(v >> 6) & 63];
        *o++ = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = b64_alphabet[(v >> 6) & 63];
        *o++ = '=';
    }
    b->len += groups * 4;
    b->data[b->len] = '\0';
    return 0;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int dg_base64_decode(const char *s, size_t n, dg_arena *a, dg_bytes *out, const char *field,
                     dg_error *err)
{
    const char *nm = field != NULL ? field : "value";
    if (n % 4 != 0)
        return dg_error_set(err, DG_EINVAL, field,
                            "%s: invalid base64 (length %zu is not a multiple of 4)", nm, n);
    size_t pad = 0;
    if (n > 0 && s[n - 1] == '=') {
        pad = 1;
        if (s[n - 2] == '=')
            pad = 2;
    }
    size_t outlen = n / 4 * 3 - pad;
    uint8_t *o = dg_arena_alloc(a, outlen);
    if (o == NULL)
        return dg_error_set(err, DG_ENOMEM, field, "%s: out of memory", nm);
    size_t w = 0;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        size_t data_chars = last ? 4 - pad : 4;
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)s[i + j];
            int d;
            if (j < data_chars) {
                d = b64_value(c);
                if (d < 0) {
                    if (c == '=')
                        return dg_error_set(err, DG_EINVAL, field,
                                            "%s: invalid base64 (misplaced '=' padding at "
                                            "offset %zu)",
                                            nm, i + j);
                    return dg_error_set(err, DG_EINVAL, field,
                                        "%s: invalid base64 (bad character at offset %zu)", nm,
                                        i + j);
                }
            } else {
                d = 0; /* padding, checked above */
            }
            v = v << 6 | (uint32_t)d;
        }
        if (last && pad == 2 && (v & 0xffff) != 0)
            return dg_error_set(err, DG_EINVAL, field,
                                "%s: invalid base64 (non-zero bits before the padding)", nm);
        if (last && pad == 1 && (v & 0xff) != 0)
            return dg_error_set(err, DG_EINVAL, field,
                                "%s: invalid base64 (non-zero bits before the padding)", nm);
        size_t bytes = last ? 3 - pad : 3;
        o[w++] = (uint8_t)(v >> 16);
        if (bytes >= 2)
            o[w++] = (uint8_t)(v >> 8);
        if (bytes == 3)
            o[w++] = (uint8_t)v;
    }
    out->ptr = o;
    out->len = outlen;
    return 0;
}

/* base64url (RFC 4648 §5) without padding: URL path segments and cursors. */
int dg_base64url_encode(dg_buf *b, const uint8_t *p, size_t n)
{
    size_t start = b->len;
    int rc = dg_base64_encode(b, p, n);
    if (rc)
        return rc;
    while (b->len > start && b->data[b->len - 1] == '=')
        b->len--;
    for (size_t i = start; i < b->len; i++)
        b->data[i] = b->data[i] == '+' ? '-' : b->data[i] == '/' ? '_' : b->data[i];
    dg_buf_cstr(b);
    return dg_buf_status(b);
}

int dg_base64url_decode(const char *s, size_t n, dg_arena *a, dg_bytes *out, const char *field,
                        dg_error *err)
{
    char *t = dg_arena_alloc(a, n + 4);
    if (!t)
        return dg_error_set(err, DG_ENOMEM, field, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+' || c == '/' || c == '=')
            return dg_error_set(err, DG_EINVAL, field, "%s: not base64url",
                                field ? field : "value");
        t[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    size_t m = n;
    while (m % 4)
        t[m++] = '=';
    return dg_base64_decode(t, m, a, out, field, err);
}
