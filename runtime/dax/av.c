/* dynagen runtime — DAX codec: attribute values, exact numbers, the CBOR
 * forms of both (§6), and the DynamoDB JSON bridge. */
#include "dax_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/decimal.h"

#define MAX_SAFE_INTEGER 9007199254740991ull /* 2^53 - 1: the Node client's int cut-off */
#define MAX_NUM_DIGITS 400                   /* bound on digits handled anywhere */
#define MAX_EXP10 1000000                    /* bound on a written exponent */
#define MAX_BIGNUM_BYTES 64

/* ------------------------------------------------------------------ number text */

typedef struct numlex {
    bool neg;
    const char *ip; /* integer digits */
    size_t in;
    const char *fp; /* fraction digits */
    size_t fn;
    bool has_dot, has_exp;
    int64_t exp;
} numlex;

/* -?D+(.D+)?([eE][+-]?D+)? */
static int num_lex(const char *s, size_t n, numlex *x)
{
    memset(x, 0, sizeof *x);
    size_t i = 0;
    if (i < n && s[i] == '-')
        x->neg = true, i++;
    x->ip = s + i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    x->in = (size_t)(s + i - x->ip);
    if (x->in == 0)
        return -1;
    if (i < n && s[i] == '.') {
        x->has_dot = true;
        i++;
        x->fp = s + i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        x->fn = (size_t)(s + i - x->fp);
        if (x->fn == 0)
            return -1;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        x->has_exp = true;
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i] == '-', i++;
        size_t st = i;
        int64_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (e < MAX_EXP10 * 10)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (i == st || e > MAX_EXP10)
            return -1;
        x->exp = eneg ? -e : e;
    }
    if (i != n || x->in + x->fn > MAX_NUM_DIGITS)
        return -1;
    return 0;
}

/* Unscaled digits (integer then fraction digits, leading zeros dropped)
 * into buf; returns the count (0 for zero). */
static size_t num_unscaled(const numlex *x, char *buf)
{
    size_t k = 0;
    for (size_t i = 0; i < x->in; i++)
        if (k || x->ip[i] != '0')
            buf[k++] = x->ip[i];
    for (size_t i = 0; i < x->fn; i++)
        if (k || x->fp[i] != '0')
            buf[k++] = x->fp[i];
    return k;
}

/* ---- big-endian magnitude <-> decimal digits */

/* digits (no leading zeros, nd > 0) -> big-endian bytes; returns length. */
static size_t dec_to_be(const char *d, size_t nd, uint8_t *out, size_t cap)
{
    size_t len = 0; /* little-endian work array in out */
    for (size_t i = 0; i < nd; i++) {
        unsigned carry = (unsigned)(d[i] - '0');
        for (size_t j = 0; j < len; j++) {
            unsigned v = out[j] * 10u + carry;
            out[j] = (uint8_t)v;
            carry = v >> 8;
        }
        while (carry && len < cap) {
            out[len++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    for (size_t i = 0; i < len / 2; i++) {
        uint8_t t = out[i];
        out[i] = out[len - 1 - i];
        out[len - 1 - i] = t;
    }
    return len;
}

/* big-endian bytes -> decimal digits (no leading zeros; "0" for zero). */
static size_t be_to_dec(const uint8_t *be, size_t n, char *out)
{
    uint8_t w[MAX_BIGNUM_BYTES + 2];
    memcpy(w, be, n);
    size_t nd = 0;
    size_t start = 0;
    while (start < n && w[start] == 0)
        start++;
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = (rem << 8) | w[i];
            w[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        out[nd++] = (char)('0' + rem);
        while (start < n && w[start] == 0)
            start++;
    }
    if (nd == 0)
        out[nd++] = '0';
    for (size_t i = 0; i < nd / 2; i++) {
        char t = out[i];
        out[i] = out[nd - 1 - i];
        out[nd - 1 - i] = t;
    }
    return nd;
}

/* be += delta (+1 or -1) in place on a buffer with one spare leading byte:
 * be[0] must be 0 on entry for +1. */
static void be_add_one(uint8_t *be, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (++be[i] != 0)
            break;
}

static void be_sub_one(uint8_t *be, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (be[i]-- != 0)
            break;
}

/* Integer (sign + digits without leading zeros, nd 0 = zero) as the Node
 * client writes it: int within +-(2^53-1), else bignum. */
static void write_integer(dg_buf *b, bool neg, const char *d, size_t nd)
{
    if (nd == 0) {
        cw_uint(b, 0);
        return;
    }
    if (nd <= 16) {
        uint64_t v = 0;
        for (size_t i = 0; i < nd; i++)
            v = v * 10 + (uint64_t)(d[i] - '0');
        if (v <= MAX_SAFE_INTEGER) {
            if (neg)
                cw_negint_raw(b, v - 1);
            else
                cw_uint(b, v);
            return;
        }
    }
    uint8_t be[MAX_NUM_DIGITS / 2 + 8];
    size_t len = dec_to_be(d, nd, be, sizeof be);
    if (neg)
        be_sub_one(be, len);
    size_t off = 0; /* minimal bytes (as BigNumber.toString(16)) */
    while (off + 1 < len && be[off] == 0)
        off++;
    cw_tag(b, neg ? DAX_TAG_NEGBIG : DAX_TAG_POSBIG);
    cw_bytes(b, be + off, len - off);
}

/* ---- JavaScript Number -> String */

/* Shortest digits of d > 0 that round-trip; *dexp = decimal exponent of
 * the first digit (d = 0.D * 10^(dexp+1)). */
static size_t shortest_digits(double d, char digits[20], int *dexp)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d || prec == 17) {
            size_t k = 0;
            const char *q = buf;
            for (; *q && *q != 'e'; q++)
                if (*q >= '0' && *q <= '9')
                    digits[k++] = *q;
            *dexp = atoi(q + 1);
            while (k > 1 && digits[k - 1] == '0')
                k--;
            return k;
        }
    }
    return 0;
}

size_t dg_dax_js_number_string(double d, char out[32])
{
    size_t o = 0;
    if (isnan(d)) {
        memcpy(out, "NaN", 4);
        return 3;
    }
    if (d == 0) {
        out[0] = '0', out[1] = 0;
        return 1;
    }
    if (d < 0)
        out[o++] = '-', d = -d;
    if (isinf(d)) {
        memcpy(out + o, "Infinity", 9);
        return o + 8;
    }
    char dg[20];
    int e10;
    size_t k = shortest_digits(d, dg, &e10);
    int n = e10 + 1; /* ECMAScript's n: value = 0.digits * 10^n */
    if ((int)k <= n && n <= 21) {
        memcpy(out + o, dg, k), o += k;
        for (int i = 0; i < n - (int)k; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, dg, (size_t)n), o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, dg + n, k - (size_t)n), o += k - (size_t)n;
    } else if (-6 < n && n <= 0) {
        out[o++] = '0', out[o++] = '.';
        for (int i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, dg, k), o += k;
    } else {
        out[o++] = dg[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, dg + 1, k - 1), o += k - 1;
        }
        o += (size_t)snprintf(out + o, 32 - o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    out[o] = 0;
    return o;
}

int dg_dax_double_to_number(double d, dg_arena *a, dg_str *out, dg_error *err)
{
    if (!isfinite(d))
        return dg_error_set(err, DG_EINVAL, NULL, "number is not finite");
    bool neg = d < 0;
    if (d == 0)
        return dax_number_text(false, "0", 1, 0, a, out, err);
    char dg[20];
    int e10;
    size_t k = shortest_digits(neg ? -d : d, dg, &e10);
    return dax_number_text(neg, dg, k, (int64_t)e10 - (int64_t)k + 1, a, out, err);
}

int dax_number_text(bool neg, const char *digits, size_t nd, int64_t exp10, dg_arena *a,
                    dg_str *out, dg_error *err)
{
    char buf[MAX_NUM_DIGITS + 32];
    if (nd > MAX_NUM_DIGITS || exp10 > MAX_EXP10 || exp10 < -MAX_EXP10)
        return dg_error_set(err, DG_EINVAL, NULL, "number out of range");
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    memcpy(buf + o, digits, nd), o += nd;
    o += (size_t)snprintf(buf + o, sizeof buf - o, "e%lld", (long long)exp10);
    return dg_number_canonical(buf, o, a, out, NULL, err);
}

/* ------------------------------------------------------------------ number encode */

static int write_number(dg_buf *b, const char *s, size_t n, dg_dax_num_mode mode, dg_error *err)
{
    numlex x;
    if (num_lex(s, n, &x) != 0)
        return dg_error_set(err, DG_EINVAL, NULL, "invalid number \"%.*s\"", (int)(n > 64 ? 64 : n),
                            s);
    char dg[MAX_NUM_DIGITS + 1];
    size_t nd = num_unscaled(&x, dg);
    if (!x.has_dot && !x.has_exp) {
        write_integer(b, x.neg, dg, nd);
        return 0;
    }
    if (mode == DG_DAX_NUM_NODE_COMPAT && n < 32) {
        char tmp[32], js[32];
        memcpy(tmp, s, n);
        tmp[n] = 0;
        double d = strtod(tmp, NULL);
        if (isfinite(d) && dg_dax_js_number_string(d, js) == n && memcmp(js, s, n) == 0) {
            cw_double(b, d);
            return 0;
        }
    }
    /* BigDecimal: unscaled = all digits, scale = fraction digits - exponent */
    int64_t scale = (int64_t)x.fn - x.exp;
    cw_tag(b, DAX_TAG_DECIMAL);
    cw_array(b, 2);
    cw_int(b, -scale);
    write_integer(b, x.neg, dg, nd);
    return 0;
}

int dg_dax_number_encode(const char *s, size_t n, dg_dax_num_mode mode, dg_buf *out, dg_error *err)
{
    int rc = write_number(out, s, n, mode, err);
    return rc != 0 ? rc : cw_status(out, err);
}

/* ------------------------------------------------------------------ lexicographic decimal (§7.4)
 */

static void put_bits(uint8_t *dst, size_t *bitpos, unsigned v, unsigned nbits)
{
    for (unsigned i = nbits; i-- > 0;) {
        if ((v >> i) & 1u)
            dst[*bitpos / 8] |= (uint8_t)(0x80u >> (*bitpos % 8));
        (*bitpos)++;
    }
}

int dg_dax_lexdec_encode(const char *s, size_t n, dg_buf *out, dg_error *err)
{
    numlex x;
    if (num_lex(s, n, &x) != 0)
        return dg_error_set(err, DG_EINVAL, NULL, "invalid number \"%.*s\"", (int)(n > 64 ? 64 : n),
                            s);
    char dg[MAX_NUM_DIGITS + 3];
    size_t p = num_unscaled(&x, dg);
    if (p == 0) {
        dg_buf_putc(out, (char)0x80);
        return cw_status(out, err);
    }
    int64_t scale = (int64_t)x.fn - x.exp;
    int64_t e = (int64_t)p - scale;
    uint8_t buf[8 + (MAX_NUM_DIGITS / 3 + 3) * 2];
    memset(buf, 0, sizeof buf);
    size_t o = 0;
    if (e < INT32_MIN || e > INT32_MAX)
        return dg_error_set(err, DG_ERANGE, NULL, "number exponent out of range");
    if (x.neg) {
        if (e >= -0x3e && e < 0x3e) {
            buf[o++] = (uint8_t)(0x3f - e);
        } else {
            buf[o++] = e < 0 ? 0x7e : 0x01;
            uint32_t v = (uint32_t)(int32_t)e ^ 0x7fffffffu;
            buf[o++] = (uint8_t)(v >> 24), buf[o++] = (uint8_t)(v >> 16);
            buf[o++] = (uint8_t)(v >> 8), buf[o++] = (uint8_t)v;
        }
    } else {
        if (e >= -0x3e && e < 0x3e) {
            buf[o++] = (uint8_t)(e + 0xc0);
        } else {
            buf[o++] = e < 0 ? 0x81 : 0xfe;
            uint32_t v = (uint32_t)(int32_t)e ^ 0x80000000u;
            buf[o++] = (uint8_t)(v >> 24), buf[o++] = (uint8_t)(v >> 16);
            buf[o++] = (uint8_t)(v >> 8), buf[o++] = (uint8_t)v;
        }
    }
    unsigned term = p % 3 == 0 ? 2 : p % 3 == 1 ? 0 : 1;
    size_t padded = p;
    while (padded % 3)
        dg[padded++] = '0';
    size_t bitpos = o * 8;
    for (size_t i = 0; i < padded; i += 3) {
        unsigned g = (unsigned)((dg[i] - '0') * 100 + (dg[i + 1] - '0') * 10 + (dg[i + 2] - '0'));
        put_bits(buf, &bitpos, x.neg ? 1011u - g : g + 12u, 10);
    }
    put_bits(buf, &bitpos, x.neg ? 1023u - term : term, 10);
    dg_buf_append(out, buf, (bitpos + 7) / 8);
    return cw_status(out, err);
}

int dg_dax_lexdec_decode(const uint8_t *p, size_t n, size_t *used, dg_arena *a, dg_str *out,
                         dg_error *err)
{
    if (n == 0)
        return DG_DAX_NEED_MORE;
    size_t pos = 0;
    uint8_t h = p[pos++];
    bool neg;
    int64_t e;
    switch (h) {
    case 0x00:
    case 0xff:
        return dg_error_set(err, DG_EINVAL, NULL, "lexicographic decimal: null marker");
    case 0x7f:
    case 0x80:
        *used = 1;
        return dax_number_text(false, "0", 1, 0, a, out, err);
    case 0x01:
    case 0x7e:
    case 0x81:
    case 0xfe: {
        if (n < 5)
            return DG_DAX_NEED_MORE;
        uint32_t v = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
        neg = h == 0x01 || h == 0x7e;
        e = (int32_t)(v ^ (neg ? 0x7fffffffu : 0x80000000u));
        pos = 5;
        break;
    }
    default:
        if (h >= 0x82) {
            neg = false;
            e = (int64_t)h - 0xc0;
        } else {
            neg = true;
            e = 0x3f - (int64_t)h;
        }
    }
    char dg[MAX_NUM_DIGITS + 3];
    size_t nd = 0;
    uint32_t accum = 0;
    unsigned bits = 0;
    for (;;) {
        if (pos >= n)
            return DG_DAX_NEED_MORE;
        accum = (accum << 8) | p[pos++];
        bits += 8;
        if (bits < 10)
            continue;
        unsigned digit = (accum >> (bits - 10)) & 0x3ffu;
        bits -= 10;
        accum &= (1u << bits) - 1u;
        unsigned v = neg ? 1023u - digit : digit;
        if (v <= 2) {
            size_t keep = v == 0 ? 1 : v == 1 ? 2 : 3; /* digits of the last group */
            if (nd == 0)
                return dg_error_set(err, DG_EINVAL, NULL, "lexicographic decimal: no digits");
            nd = nd - 3 + keep;
            if (accum != 0) /* padding bits must be zero */
                return dg_error_set(err, DG_EINVAL, NULL,
                                    "lexicographic decimal: non-zero padding");
            break;
        }
        unsigned g = neg ? 1011u - digit : digit - 12u;
        if (digit < 12 || digit > 1011 || g > 999 || nd + 3 > MAX_NUM_DIGITS)
            return dg_error_set(err, DG_EINVAL, NULL, "lexicographic decimal: bad digit");
        dg[nd++] = (char)('0' + g / 100);
        dg[nd++] = (char)('0' + g / 10 % 10);
        dg[nd++] = (char)('0' + g % 10);
    }
    *used = pos;
    /* value = 0.DIGITS * 10^e  ->  DIGITS * 10^(e - nd) */
    return dax_number_text(neg, dg, nd, e - (int64_t)nd, a, out, err);
}

/* ------------------------------------------------------------------ number decode */

/* An integer item (int, negint, bignum) -> sign + decimal digits. */
static int read_integer(crd *r, dg_arena *a, bool *neg, char *dg, size_t *nd, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    uint8_t be[MAX_BIGNUM_BYTES + 2];
    size_t len;
    if (t.kind == CT_UINT || t.kind == CT_NEGINT) {
        *neg = t.kind == CT_NEGINT;
        be[0] = 0;
        for (int i = 0; i < 8; i++)
            be[1 + i] = (uint8_t)(t.u >> (56 - 8 * i));
        len = 9;
    } else if (t.kind == CT_TAG && (t.u == DAX_TAG_POSBIG || t.u == DAX_TAG_NEGBIG)) {
        *neg = t.u == DAX_TAG_NEGBIG;
        const uint8_t *bp;
        size_t bn;
        if ((rc = crd_string(r, CT_BYTES, a, &bp, &bn, what)) != 0)
            return rc;
        if (bn > MAX_BIGNUM_BYTES)
            return crd_malformed(r, "%s: bignum of %zu bytes is too large", what, bn);
        be[0] = 0;
        if (bn)
            memcpy(be + 1, bp, bn);
        len = bn + 1;
    } else {
        return crd_malformed(r, "%s: expected an integer", what);
    }
    if (*neg)
        be_add_one(be, len); /* -1 - n */
    *nd = be_to_dec(be, len, dg);
    return 0;
}

int dax_read_number(crd *r, dg_arena *a, dg_str *out)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    char dg[MAX_NUM_DIGITS + 1];
    size_t nd;
    bool neg;
    if (t.kind == CT_FLOAT) {
        crd_next(r, &t);
        if (!isfinite(t.f))
            return crd_malformed(r, "number is not finite");
        return dg_dax_double_to_number(t.f, a, out, r->err);
    }
    if (t.kind == CT_TAG && t.u == DAX_TAG_DECIMAL) {
        crd_next(r, &t);
        size_t cnt;
        if ((rc = crd_array(r, &cnt, NULL, "decimal")) != 0)
            return rc;
        if (cnt != 2)
            return crd_malformed(r, "decimal: expected [exponent, mantissa]");
        int64_t e;
        if ((rc = crd_int(r, &e, "decimal exponent")) != 0)
            return rc;
        if (e > MAX_EXP10 || e < -MAX_EXP10)
            return crd_malformed(r, "decimal exponent out of range");
        if ((rc = read_integer(r, a, &neg, dg, &nd, "decimal mantissa")) != 0)
            return rc;
        return dax_number_text(neg, dg, nd, e, a, out, r->err);
    }
    if ((rc = read_integer(r, a, &neg, dg, &nd, "number")) != 0)
        return rc;
    return dax_number_text(neg, dg, nd, 0, a, out, r->err);
}

/* ------------------------------------------------------------------ AV decode */

static int str_cmp(const void *x, const void *y)
{
    const dg_str *a = x, *b = y;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = m ? memcmp(a->ptr, b->ptr, m) : 0;
    return c ? c : (a->len < b->len ? -1 : a->len > b->len ? 1 : 0);
}

/* DynamoDB maps have unique keys: a decoded map with a repeated key is
 * malformed (O(n log n), so a large map cannot make this quadratic). */
static bool has_duplicate_key(dg_arena *a, const dg_str *keys, size_t n)
{
    if (n < 2)
        return false;
    if (n <= 16) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (str_cmp(&keys[i], &keys[j]) == 0)
                    return true;
        return false;
    }
    dg_str *copy = dg_arena_memdup(a, keys, n * sizeof *keys);
    if (copy == NULL)
        return true;
    qsort(copy, n, sizeof *copy, str_cmp);
    for (size_t i = 1; i < n; i++)
        if (str_cmp(&copy[i - 1], &copy[i]) == 0)
            return true;
    return false;
}

static int read_set(crd *r, dg_arena *a, dg_dax_av *out, dg_dax_type set, unsigned depth)
{
    size_t cnt;
    bool indef;
    int rc = crd_array(r, &cnt, &indef, "set");
    if (rc != 0)
        return rc;
    out->type = set;
    size_t cap = 0;
    out->items = NULL;
    out->count = 0;
    for (size_t i = 0; indef || i < cnt; i++) {
        if (indef) {
            bool br;
            if ((rc = crd_break_next(r, &br)) != 0)
                return rc;
            if (br)
                break;
            if (i >= r->lim->max_count)
                return dg_error_set(r->err, DG_ETOOBIG, NULL, "set too large");
        }
        dg_dax_av *items = dax_grow(a, out->items, &cap, out->count, sizeof *items);
        if (items == NULL)
            return dg_error_set(r->err, DG_ENOMEM, NULL, "out of memory");
        out->items = items;
        dg_dax_av *m = &items[out->count];
        memset(m, 0, sizeof *m);
        if (set == DG_DAX_SS) {
            m->type = DG_DAX_S;
            rc = crd_text(r, a, &m->s, "string set member");
        } else if (set == DG_DAX_NS) {
            m->type = DG_DAX_N;
            rc = dax_read_number(r, a, &m->s);
        } else {
            m->type = DG_DAX_B;
            rc = crd_string(r, CT_BYTES, a, &m->b.ptr, &m->b.len, "binary set member");
        }
        if (rc != 0)
            return rc;
        out->count++;
    }
    (void)depth;
    return 0;
}

int dax_read_av(crd *r, dg_arena *a, unsigned depth, dg_dax_av *out)
{
    memset(out, 0, sizeof *out);
    if (depth > r->lim->max_depth)
        return dg_error_set(r->err, DG_ETOOBIG, NULL, "value nested deeper than %u levels",
                            r->lim->max_depth);
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    switch (t.kind) {
    case CT_UINT:
    case CT_NEGINT:
    case CT_FLOAT:
        out->type = DG_DAX_N;
        return dax_read_number(r, a, &out->s);
    case CT_TEXT:
    case CT_TEXT_INDEF:
        out->type = DG_DAX_S;
        return crd_text(r, a, &out->s, "string");
    case CT_BYTES:
    case CT_BYTES_INDEF:
        out->type = DG_DAX_B;
        return crd_string(r, CT_BYTES, a, &out->b.ptr, &out->b.len, "binary");
    case CT_BOOL:
        crd_next(r, &t);
        out->type = DG_DAX_BOOL;
        out->boolean = t.b;
        return 0;
    case CT_NULL:
        crd_next(r, &t);
        out->type = DG_DAX_NULL;
        return 0;
    case CT_TAG:
        switch (t.u) {
        case DAX_TAG_POSBIG:
        case DAX_TAG_NEGBIG:
        case DAX_TAG_DECIMAL:
            out->type = DG_DAX_N;
            return dax_read_number(r, a, &out->s);
        case DAX_TAG_SS:
        case DAX_TAG_NS:
        case DAX_TAG_BS:
            crd_next(r, &t);
            return read_set(r, a, out,
                            t.u == DAX_TAG_SS   ? DG_DAX_SS
                            : t.u == DAX_TAG_NS ? DG_DAX_NS
                                                : DG_DAX_BS,
                            depth + 1);
        default:
            return crd_malformed(r, "unexpected tag %llu in an attribute value",
                                 (unsigned long long)t.u);
        }
    case CT_ARRAY:
    case CT_ARRAY_INDEF: {
        size_t cnt, cap = 0;
        bool indef;
        if ((rc = crd_array(r, &cnt, &indef, "list")) != 0)
            return rc;
        out->type = DG_DAX_L;
        for (size_t i = 0; indef || i < cnt; i++) {
            if (indef) {
                bool br;
                if ((rc = crd_break_next(r, &br)) != 0)
                    return rc;
                if (br)
                    break;
                if (i >= r->lim->max_count)
                    return dg_error_set(r->err, DG_ETOOBIG, NULL, "list too large");
            }
            dg_dax_av *items = dax_grow(a, out->items, &cap, out->count, sizeof *items);
            if (items == NULL)
                return dg_error_set(r->err, DG_ENOMEM, NULL, "out of memory");
            out->items = items;
            if ((rc = dax_read_av(r, a, depth + 1, &items[out->count])) != 0)
                return rc;
            out->count++;
        }
        return 0;
    }
    case CT_MAP:
    case CT_MAP_INDEF: {
        size_t cnt, cap = 0, kcap = 0;
        bool indef;
        if ((rc = crd_map(r, &cnt, &indef, "map")) != 0)
            return rc;
        out->type = DG_DAX_M;
        for (size_t i = 0; indef || i < cnt; i++) {
            if (indef) {
                bool br;
                if ((rc = crd_break_next(r, &br)) != 0)
                    return rc;
                if (br)
                    break;
                if (i >= r->lim->max_count)
                    return dg_error_set(r->err, DG_ETOOBIG, NULL, "map too large");
            }
            dg_dax_av *items = dax_grow(a, out->items, &cap, out->count, sizeof *items);
            dg_str *keys = items ? dax_grow(a, out->keys, &kcap, out->count, sizeof *keys) : NULL;
            if (items == NULL || keys == NULL)
                return dg_error_set(r->err, DG_ENOMEM, NULL, "out of memory");
            out->items = items;
            out->keys = keys;
            if ((rc = crd_text(r, a, &keys[out->count], "map key")) != 0)
                return rc;
            if ((rc = dax_read_av(r, a, depth + 1, &items[out->count])) != 0)
                return rc;
            out->count++;
        }
        if (has_duplicate_key(a, out->keys, out->count))
            return crd_malformed(r, "map with a repeated key");
        return 0;
    }
    case CT_BREAK:
        return crd_malformed(r, "unexpected break");
    default:
        return crd_malformed(r, "unexpected CBOR item in an attribute value");
    }
}

int dg_dax_av_decode(const uint8_t *p, size_t n, size_t *used, const dg_dax_limits *lim,
                     dg_arena *a, dg_dax_av *out, dg_error *err)
{
    crd r;
    crd_init(&r, p, n, lim, err);
    int rc = dax_read_av(&r, a, 0, out);
    if (rc == 0 && used)
        *used = r.pos;
    return rc;
}

/* ------------------------------------------------------------------ AV encode */

int dax_write_av(dg_buf *b, const dg_dax_av *av, dg_dax_num_mode mode, unsigned depth,
                 dg_error *err)
{
    if (depth > DAX_MAX_ENCODE_DEPTH)
        return dg_error_set(err, DG_EINVAL, NULL, "attribute value nested too deeply");
    int rc;
    switch (av->type) {
    case DG_DAX_S:
        cw_text(b, av->s.ptr, av->s.len);
        return 0;
    case DG_DAX_N:
        return write_number(b, av->s.ptr, av->s.len, mode, err);
    case DG_DAX_B:
        cw_bytes(b, av->b.ptr, av->b.len);
        return 0;
    case DG_DAX_BOOL:
        cw_bool(b, av->boolean);
        return 0;
    case DG_DAX_NULL:
        cw_null(b);
        return 0;
    case DG_DAX_L:
        cw_array(b, av->count);
        for (size_t i = 0; i < av->count; i++)
            if ((rc = dax_write_av(b, &av->items[i], mode, depth + 1, err)) != 0)
                return rc;
        return 0;
    case DG_DAX_M:
        cw_map(b, av->count);
        for (size_t i = 0; i < av->count; i++) {
            cw_text(b, av->keys[i].ptr, av->keys[i].len);
            if ((rc = dax_write_av(b, &av->items[i], mode, depth + 1, err)) != 0) {
                dg_error_push_field(err, av->keys[i].ptr ? av->keys[i].ptr : "");
                return rc;
            }
        }
        return 0;
    case DG_DAX_SS:
    case DG_DAX_NS:
    case DG_DAX_BS: {
        if (av->count == 0)
            return dg_error_set(err, DG_EINVAL, NULL,
                                "Supplied AttributeValue is empty, must contain exactly one of "
                                "the supported datatypes (empty %s)",
                                dg_dax_type_name(av->type));
        dg_dax_type mt = av->type == DG_DAX_SS   ? DG_DAX_S
                         : av->type == DG_DAX_NS ? DG_DAX_N
                                                 : DG_DAX_B;
        cw_tag(b, av->type == DG_DAX_SS   ? DAX_TAG_SS
                  : av->type == DG_DAX_NS ? DAX_TAG_NS
                                          : DAX_TAG_BS);
        cw_array(b, av->count);
        for (size_t i = 0; i < av->count; i++) {
            if (av->items[i].type != mt)
                return dg_error_set(err, DG_EINVAL, NULL, "%s member of the wrong type",
                                    dg_dax_type_name(av->type));
            if ((rc = dax_write_av(b, &av->items[i], mode, depth + 1, err)) != 0)
                return rc;
        }
        return 0;
    }
    }
    return dg_error_set(err, DG_EINVAL, NULL, "invalid attribute value type %d", (int)av->type);
}

int dg_dax_av_encode(const dg_dax_av *av, dg_dax_num_mode mode, dg_buf *out, dg_error *err)
{
    int rc = dax_write_av(out, av, mode, 0, err);
    return rc != 0 ? rc : cw_status(out, err);
}

/* ------------------------------------------------------------------ names, lookup, equality */

const char *dg_dax_type_name(dg_dax_type t)
{
    static const char *const names[] = {"?", "S", "N",  "B",  "BOOL", "NULL",
                                        "L", "M", "SS", "NS", "BS"};
    return (int)t >= 1 && (int)t <= 10 ? names[t] : "?";
}

const dg_dax_av *dg_dax_item_get(const dg_dax_av *item, const char *name, size_t n)
{
    if (item == NULL || item->type != DG_DAX_M)
        return NULL;
    for (size_t i = 0; i < item->count; i++)
        if (item->keys[i].len == n && (n == 0 || memcmp(item->keys[i].ptr, name, n) == 0))
            return &item->items[i];
    return NULL;
}

/* Normalised (sign, significant digits, exponent of the last digit). */
static bool num_norm(dg_str s, bool *neg, char *dg, size_t *nd, int64_t *e)
{
    numlex x;
    if (num_lex(s.ptr, s.len, &x) != 0)
        return false;
    size_t k = num_unscaled(&x, dg);
    int64_t ex = x.exp - (int64_t)x.fn;
    while (k > 0 && dg[k - 1] == '0')
        k--, ex++;
    *neg = x.neg && k > 0;
    *nd = k;
    *e = k ? ex : 0;
    return true;
}

static bool num_equal(dg_str x, dg_str y)
{
    char a[MAX_NUM_DIGITS + 1], b[MAX_NUM_DIGITS + 1];
    bool na, nb;
    size_t ka, kb;
    int64_t ea, eb;
    if (!num_norm(x, &na, a, &ka, &ea) || !num_norm(y, &nb, b, &kb, &eb))
        return x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
    return na == nb && ka == kb && ea == eb && memcmp(a, b, ka) == 0;
}

static bool bytes_eq(const void *x, size_t xn, const void *y, size_t yn)
{
    return xn == yn && (xn == 0 || memcmp(x, y, xn) == 0);
}

static bool scalar_eq(const dg_dax_av *x, const dg_dax_av *y)
{
    if (x->type != y->type)
        return false;
    switch (x->type) {
    case DG_DAX_S:
        return bytes_eq(x->s.ptr, x->s.len, y->s.ptr, y->s.len);
    case DG_DAX_N:
        return num_equal(x->s, y->s);
    case DG_DAX_B:
        return bytes_eq(x->b.ptr, x->b.len, y->b.ptr, y->b.len);
    default:
        return false;
    }
}

bool dg_dax_av_equal(const dg_dax_av *x, const dg_dax_av *y)
{
    if (x->type != y->type)
        return false;
    switch (x->type) {
    case DG_DAX_S:
    case DG_DAX_N:
    case DG_DAX_B:
        return scalar_eq(x, y);
    case DG_DAX_BOOL:
        return x->boolean == y->boolean;
    case DG_DAX_NULL:
        return true;
    case DG_DAX_L:
        if (x->count != y->count)
            return false;
        for (size_t i = 0; i < x->count; i++)
            if (!dg_dax_av_equal(&x->items[i], &y->items[i]))
                return false;
        return true;
    case DG_DAX_M:
        if (x->count != y->count)
            return false;
        for (size_t i = 0; i < x->count; i++) {
            const dg_dax_av *o = dg_dax_item_get(y, x->keys[i].ptr, x->keys[i].len);
            if (o == NULL || !dg_dax_av_equal(&x->items[i], o))
                return false;
        }
        return true;
    case DG_DAX_SS:
    case DG_DAX_NS:
    case DG_DAX_BS:
        if (x->count != y->count)
            return false;
        for (size_t i = 0; i < x->count; i++) {
            bool found = false;
            for (size_t j = 0; j < y->count && !found; j++)
                found = scalar_eq(&x->items[i], &y->items[j]);
            if (!found)
                return false;
        }
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ JSON bridge */

static int json_av(const cJSON *j, dg_arena *a, unsigned depth, dg_dax_av *out, dg_error *err);

static int json_str(const cJSON *v, dg_str *out, const char *what, dg_error *err)
{
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "%s must be a string", what);
    size_t n = strlen(v->valuestring);
    if (!dg_utf8_valid(v->valuestring, n))
        return dg_error_set(err, DG_EINVAL, NULL, "%s is not valid UTF-8", what);
    *out = dg_str_from(v->valuestring, n);
    return 0;
}

static int json_num(const cJSON *v, dg_str *out, dg_error *err)
{
    int rc = json_str(v, out, "N", err);
    if (rc != 0)
        return rc;
    numlex x;
    if (num_lex(out->ptr, out->len, &x) != 0)
        return dg_error_set(err, DG_EINVAL, NULL, "N: \"%.*s\" is not a number",
                            (int)(out->len > 64 ? 64 : out->len), out->ptr);
    return 0;
}

static int json_bin(const cJSON *v, dg_arena *a, dg_bytes *out, dg_error *err)
{
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "B must be a base64 string");
    return dg_base64_decode(v->valuestring, strlen(v->valuestring), a, out, NULL, err);
}

static int json_count(const cJSON *arr)
{
    int n = 0;
    for (const cJSON *c = arr->child; c; c = c->next)
        n++;
    return n;
}

static int json_av(const cJSON *j, dg_arena *a, unsigned depth, dg_dax_av *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    if (depth > DAX_MAX_ENCODE_DEPTH)
        return dg_error_set(err, DG_EINVAL, NULL, "attribute value nested too deeply");
    if (!cJSON_IsObject(j) || j->child == NULL || j->child->next != NULL)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "Supplied AttributeValue is empty, must contain exactly one of the "
                            "supported datatypes");
    const cJSON *v = j->child;
    const char *t = v->string;
    int rc;
    if (strcmp(t, "S") == 0) {
        out->type = DG_DAX_S;
        return json_str(v, &out->s, "S", err);
    }
    if (strcmp(t, "N") == 0) {
        out->type = DG_DAX_N;
        return json_num(v, &out->s, err);
    }
    if (strcmp(t, "B") == 0) {
        out->type = DG_DAX_B;
        return json_bin(v, a, &out->b, err);
    }
    if (strcmp(t, "BOOL") == 0) {
        if (!cJSON_IsBool(v))
            return dg_error_set(err, DG_EINVAL, NULL, "BOOL must be true or false");
        out->type = DG_DAX_BOOL;
        out->boolean = cJSON_IsTrue(v);
        return 0;
    }
    if (strcmp(t, "NULL") == 0) {
        if (!cJSON_IsTrue(v))
            return dg_error_set(err, DG_EINVAL, NULL, "NULL must be true");
        out->type = DG_DAX_NULL;
        return 0;
    }
    if (strcmp(t, "L") == 0 || strcmp(t, "SS") == 0 || strcmp(t, "NS") == 0 ||
        strcmp(t, "BS") == 0) {
        if (!cJSON_IsArray(v))
            return dg_error_set(err, DG_EINVAL, NULL, "%s must be an array", t);
        out->type = t[0] == 'L'   ? DG_DAX_L
                    : t[0] == 'S' ? DG_DAX_SS
                    : t[0] == 'N' ? DG_DAX_NS
                                  : DG_DAX_BS;
        size_t n = (size_t)json_count(v);
        out->items = dg_arena_calloc(a, n ? n : 1, sizeof *out->items);
        if (out->items == NULL)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        size_t i = 0;
        for (const cJSON *c = v->child; c; c = c->next, i++) {
            dg_dax_av *m = &out->items[i];
            switch (out->type) {
            case DG_DAX_L:
                rc = json_av(c, a, depth + 1, m, err);
                break;
            case DG_DAX_SS:
                m->type = DG_DAX_S;
                rc = json_str(c, &m->s, "SS member", err);
                break;
            case DG_DAX_NS:
                m->type = DG_DAX_N;
                rc = json_num(c, &m->s, err);
                break;
            default:
                m->type = DG_DAX_B;
                rc = json_bin(c, a, &m->b, err);
            }
            if (rc != 0) {
                char idx[32];
                snprintf(idx, sizeof idx, "[%zu]", i);
                dg_error_push_field(err, idx);
                return rc;
            }
        }
        out->count = n;
        return 0;
    }
    if (strcmp(t, "M") == 0) {
        if (!cJSON_IsObject(v))
            return dg_error_set(err, DG_EINVAL, NULL, "M must be an object");
        return dg_dax_item_from_json(v, a, out, err);
    }
    return dg_error_set(err, DG_EINVAL, NULL, "unknown AttributeValue type \"%s\"", t);
}

int dg_dax_av_from_json(const cJSON *j, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    return json_av(j, a, 0, out, err);
}

int dg_dax_item_from_json(const cJSON *obj, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(obj))
        return dg_error_set(err, DG_EINVAL, NULL, "an item must be a JSON object");
    out->type = DG_DAX_M;
    size_t n = (size_t)json_count(obj);
    out->items = dg_arena_calloc(a, n ? n : 1, sizeof *out->items);
    out->keys = dg_arena_calloc(a, n ? n : 1, sizeof *out->keys);
    if (out->items == NULL || out->keys == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        size_t kn = strlen(c->string);
        for (size_t k = 0; k < i; k++)
            if (out->keys[k].len == kn && memcmp(out->keys[k].ptr, c->string, kn) == 0)
                return dg_error_set(err, DG_EINVAL, c->string, "duplicate attribute \"%s\"",
                                    c->string);
        out->keys[i] = dg_str_from(c->string, kn);
        int rc = json_av(c, a, 1, &out->items[i], err);
        if (rc != 0) {
            dg_error_push_field(err, c->string);
            return rc;
        }
    }
    out->count = n;
    return 0;
}

/* Deep copy of an AV (strings too) into the arena. */
static int av_copy(dg_arena *a, const dg_dax_av *src, dg_dax_av *dst, unsigned depth)
{
    *dst = *src;
    if (depth > 2 * DAX_MAX_ENCODE_DEPTH)
        return DG_EINVAL;
    if (src->s.ptr) {
        char *p = dg_arena_strndup(a, src->s.ptr, src->s.len);
        if (p == NULL)
            return DG_ENOMEM;
        dst->s.ptr = p;
    }
    if (src->b.ptr) {
        uint8_t *p = dg_arena_memdup(a, src->b.ptr, src->b.len);
        if (p == NULL)
            return DG_ENOMEM;
        dst->b.ptr = p;
    }
    if (src->count) {
        dst->items = dg_arena_calloc(a, src->count, sizeof *dst->items);
        if (dst->items == NULL)
            return DG_ENOMEM;
        if (src->keys) {
            dst->keys = dg_arena_calloc(a, src->count, sizeof *dst->keys);
            if (dst->keys == NULL)
                return DG_ENOMEM;
        }
        for (size_t i = 0; i < src->count; i++) {
            int rc = av_copy(a, &src->items[i], &dst->items[i], depth + 1);
            if (rc != 0)
                return rc;
            if (src->keys) {
                char *k =
                    dg_arena_strndup(a, src->keys[i].ptr ? src->keys[i].ptr : "", src->keys[i].len);
                if (k == NULL)
                    return DG_ENOMEM;
                dst->keys[i] = dg_str_from(k, src->keys[i].len);
            }
        }
    }
    return 0;
}

/* Parsed with cJSON, then deep-copied so the result lives with the arena. */
static int from_text(const char *s, size_t n, dg_arena *a, dg_dax_av *out, bool item, dg_error *err)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    if (j == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "invalid JSON");
    while (end != NULL && end < s + n &&
           (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r'))
        end++;
    if (end != s + n) {
        cJSON_Delete(j);
        return dg_error_set(err, DG_EINVAL, NULL, "invalid JSON: trailing data");
    }
    dg_dax_av tmp;
    int rc = item ? dg_dax_item_from_json(j, a, &tmp, err) : dg_dax_av_from_json(j, a, &tmp, err);
    if (rc == 0 && av_copy(a, &tmp, out, 0) != 0)
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    cJSON_Delete(j);
    return rc;
}

int dg_dax_av_from_json_text(const char *s, size_t n, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    return from_text(s, n, a, out, false, err);
}

int dg_dax_item_from_json_text(const char *s, size_t n, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    return from_text(s, n, a, out, true, err);
}

static void json_av_out(const dg_dax_av *av, dg_buf *b, unsigned depth);

static void json_map_out(const dg_dax_av *m, dg_buf *b, unsigned depth)
{
    dg_buf_putc(b, '{');
    for (size_t i = 0; i < m->count; i++) {
        if (i)
            dg_buf_putc(b, ',');
        dg_buf_json_string(b, m->keys[i].ptr ? m->keys[i].ptr : "", m->keys[i].len);
        dg_buf_putc(b, ':');
        json_av_out(&m->items[i], b, depth + 1);
    }
    dg_buf_putc(b, '}');
}

static void json_av_out(const dg_dax_av *av, dg_buf *b, unsigned depth)
{
    if (depth > 2 * DAX_MAX_ENCODE_DEPTH + 8) {
        b->failed = 1;
        return;
    }
    dg_buf_puts(b, "{\"");
    dg_buf_puts(b, dg_dax_type_name(av->type));
    dg_buf_puts(b, "\":");
    switch (av->type) {
    case DG_DAX_S:
    case DG_DAX_N:
        dg_buf_json_string(b, av->s.ptr ? av->s.ptr : "", av->s.len);
        break;
    case DG_DAX_B:
        dg_buf_putc(b, '"');
        dg_base64_encode(b, av->b.ptr, av->b.len);
        dg_buf_putc(b, '"');
        break;
    case DG_DAX_BOOL:
        dg_buf_puts(b, av->boolean ? "true" : "false");
        break;
    case DG_DAX_NULL:
        dg_buf_puts(b, "true");
        break;
    case DG_DAX_M:
        json_map_out(av, b, depth);
        break;
    case DG_DAX_L:
    case DG_DAX_SS:
    case DG_DAX_NS:
    case DG_DAX_BS:
        dg_buf_putc(b, '[');
        for (size_t i = 0; i < av->count; i++) {
            if (i)
                dg_buf_putc(b, ',');
            const dg_dax_av *m = &av->items[i];
            if (av->type == DG_DAX_L)
                json_av_out(m, b, depth + 1);
            else if (av->type == DG_DAX_BS) {
                dg_buf_putc(b, '"');
                dg_base64_encode(b, m->b.ptr, m->b.len);
                dg_buf_putc(b, '"');
            } else
                dg_buf_json_string(b, m->s.ptr ? m->s.ptr : "", m->s.len);
        }
        dg_buf_putc(b, ']');
        break;
    default:
        dg_buf_puts(b, "null");
        b->failed = 1;
    }
    dg_buf_putc(b, '}');
}

int dg_dax_av_to_json(const dg_dax_av *av, dg_buf *out)
{
    json_av_out(av, out, 0);
    return dg_buf_status(out) != 0 ? DG_ENOMEM : 0;
}

int dg_dax_item_to_json(const dg_dax_av *item, dg_buf *out)
{
    if (item->type != DG_DAX_M)
        return DG_EINVAL;
    json_map_out(item, out, 0);
    return dg_buf_status(out) != 0 ? DG_ENOMEM : 0;
}

int dg_dax_strmap_from_json(const cJSON *obj, dg_arena *a, dg_dax_strmap *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    if (obj == NULL)
        return 0;
    if (!cJSON_IsObject(obj))
        return dg_error_set(err, DG_EINVAL, "ExpressionAttributeNames",
                            "ExpressionAttributeNames must be an object of strings");
    size_t n = (size_t)json_count(obj);
    dg_str *k = dg_arena_calloc(a, n ? n : 1, sizeof *k);
    dg_str *v = dg_arena_calloc(a, n ? n : 1, sizeof *v);
    if (k == NULL || v == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        size_t kn = strlen(c->string);
        char *kc = dg_arena_strndup(a, c->string, kn);
        if (kc == NULL)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        k[i] = dg_str_from(kc, kn);
        dg_str tmp;
        int rc = json_str(c, &tmp, "ExpressionAttributeNames value", err);
        if (rc != 0)
            return rc;
        char *vc = dg_arena_strndup(a, tmp.ptr, tmp.len);
        if (vc == NULL)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        v[i] = dg_str_from(vc, tmp.len);
    }
    out->keys = k;
    out->values = v;
    out->count = n;
    return 0;
}
