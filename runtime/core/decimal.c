/* dynagen runtime — exact decimals and DynamoDB numbers.
 *
 * Everything is done on the digit text with integer arithmetic; no floating
 * point is involved anywhere. A literal is first lexed (strict JSON-number
 * syntax) and reduced to a sign, a run of significant digits D (no leading or
 * trailing zeros) and an exponent e such that value = D * 10^e. */
#include "dynagen/decimal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Exponents are clamped to this magnitude while lexing: any such number is
 * far outside every range we accept, yet sums of it and a length stay well
 * within int64. */
#define EXP_CLAMP 1000000000000000LL /* 1e15 */
/* Longest slice of the input quoted in an error message. */
#define QUOTE_MAX 40

typedef struct num {
    bool neg;
    bool zero;
    const char *ip; /* integer-part digits */
    size_t il;
    const char *fp; /* fraction digits */
    size_t fl;
    size_t first; /* index (in ip ++ fp) of the first significant digit */
    size_t k;     /* number of significant digits */
    int64_t e;    /* value = D * 10^e */
} num;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digit_at(const num *x, size_t idx)
{
    return (idx < x->il ? x->ip[idx] : x->fp[idx - x->il]) - '0';
}

/* Significant digit i (0-based) of D. */
static int sig_digit(const num *x, size_t i)
{
    return digit_at(x, x->first + i);
}

static const char *name_of(const char *field)
{
    return field != NULL ? field : "value";
}

/* Lex s[0..n) as a JSON number and normalise it. Returns 0 or -1 (syntax). */
static int lex_number(const char *s, size_t n, num *x)
{
    memset(x, 0, sizeof *x);
    if (s == NULL || n == 0)
        return -1;
    size_t i = 0;
    if (s[i] == '-') {
        x->neg = true;
        i++;
    }
    /* Integer part: "0" or [1-9][0-9]*. */
    if (i >= n || !is_digit(s[i]))
        return -1;
    x->ip = s + i;
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && is_digit(s[i]))
            i++;
    }
    x->il = (size_t)(s + i - x->ip);
    if (i < n && s[i] == '.') {
        i++;
        x->fp = s + i;
        while (i < n && is_digit(s[i]))
            i++;
        x->fl = (size_t)(s + i - x->fp);
        if (x->fl == 0)
            return -1;
    }
    int64_t exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || !is_digit(s[i]))
            return -1;
        while (i < n && is_digit(s[i])) {
            if (exp < EXP_CLAMP)
                exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (exp > EXP_CLAMP)
            exp = EXP_CLAMP;
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return -1;
    /* Lengths beyond 1e15 digits cannot occur (the input is in memory). */
    size_t total = x->il + x->fl;
    size_t first = 0;
    while (first < total && digit_at(x, first) == 0)
        first++;
    if (first == total) {
        x->zero = true;
        x->neg = false; /* "-0" is 0 */
        return 0;
    }
    size_t last = total - 1;
    while (digit_at(x, last) == 0)
        last--;
    x->first = first;
    x->k = last - first + 1;
    /* value = digits[0..total) * 10^(exp - fl); dropping the trailing
     * (total - 1 - last) zeros raises the exponent by as much. */
    x->e = exp - (int64_t)x->fl + (int64_t)(total - 1 - last);
    return 0;
}

/* Quote up to QUOTE_MAX bytes of an input known to be a syntactically valid number. */
static int quote_len(size_t n)
{
    return n > QUOTE_MAX ? QUOTE_MAX : (int)n;
}
static const char *quote_ellipsis(size_t n)
{
    return n > QUOTE_MAX ? "..." : "";
}

/* |value| * 10^shift as uint64, failing (-1) above limit. */
static int magnitude(const num *x, int64_t shift, uint64_t limit, uint64_t *out)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < x->k; i++) {
        if (__builtin_mul_overflow(acc, 10u, &acc) ||
            __builtin_add_overflow(acc, (uint64_t)sig_digit(x, i), &acc) || acc > limit)
            return -1;
    }
    for (int64_t j = 0; j < shift; j++) {
        if (__builtin_mul_overflow(acc, 10u, &acc) || acc > limit)
            return -1;
    }
    *out = acc;
    return 0;
}

static int64_t apply_sign(bool neg, uint64_t mag)
{
    if (!neg)
        return (int64_t)mag;
    if (mag == (uint64_t)INT64_MAX + 1)
        return INT64_MIN;
    return -(int64_t)mag;
}

/* Plain text of unscaled / 10^scale into out (>= 48 bytes); returns length. */
static size_t format_plain(char *out, int64_t unscaled, int scale)
{
    static const char d2[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    /* The digits of |unscaled|, most significant first, ending at e. */
    char digits[24];
    char *e = digits + sizeof digits, *p = e;
    uint64_t m = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
    while (m >= 100) {
        unsigned d = (unsigned)(m % 100) * 2;
        m /= 100;
        p -= 2;
        p[0] = d2[d];
        p[1] = d2[d + 1];
    }
    if (m >= 10) {
        p -= 2;
        p[0] = d2[m * 2];
        p[1] = d2[m * 2 + 1];
    } else {
        *--p = (char)('0' + m);
    }
    size_t nd = (size_t)(e - p), sc = (size_t)scale;
    size_t o = 0;
    if (unscaled < 0)
        out[o++] = '-';
    if (nd <= sc) {
        /* 0.000ddd: at least one integer digit */
        out[o++] = '0';
        out[o++] = '.';
        memset(out + o, '0', sc - nd);
        o += sc - nd;
        memcpy(out + o, p, nd);
        o += nd;
    } else {
        memcpy(out + o, p, nd - sc);
        o += nd - sc;
        if (sc > 0) {
            out[o++] = '.';
            memcpy(out + o, p + nd - sc, sc);
            o += sc;
        }
    }
    out[o] = '\0';
    return o;
}

/* Fast paths for the common plain forms ("342", "-7", "129.99"): at most 18
 * significant-position digits, so the value cannot overflow int64 and no
 * range arithmetic is needed. Anything else (leading zeros, exponents, more
 * fraction digits than the scale, 19+ digits, stray bytes) returns false and
 * goes through the exact general path, which also produces the errors. */
static bool int_fast(const char *s, size_t n, int64_t *out)
{
    if (s == NULL || n == 0 || n > 19)
        return false;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg)
        i = 1;
    size_t nd = n - i;
    if (nd == 0 || nd > 18 || (s[i] == '0' && nd > 1))
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static bool decimal_fast(const char *s, size_t n, int scale, int64_t *out)
{
    if (s == NULL || n == 0 || n > 40)
        return false;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg)
        i = 1;
    size_t is = i;
    uint64_t v = 0;
    while (i < n && (unsigned)(unsigned char)s[i] - '0' <= 9)
        v = v * 10 + (unsigned)(s[i++] - '0');
    size_t il = i - is;
    if (il == 0 || (s[is] == '0' && il > 1) || il + (size_t)scale > 18)
        return false;
    size_t fl = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t fs = i;
        while (i < n && (unsigned)(unsigned char)s[i] - '0' <= 9)
            v = v * 10 + (unsigned)(s[i++] - '0');
        fl = i - fs;
        if (fl == 0 || fl > (size_t)scale)
            return false;
    }
    if (i != n)
        return false;
    for (size_t k = fl; k < (size_t)scale; k++)
        v *= 10;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

int dg_decimal_parse(const char *s, size_t n, int scale, int64_t *unscaled, const char *field,
                     dg_error *err)
{
    const char *nm = name_of(field);
    if (scale < 0 || scale > DG_DECIMAL_MAX_SCALE)
        return dg_error_set(err, DG_EINVAL, field, "%s: unsupported decimal scale %d (0..%d)", nm,
                            scale, DG_DECIMAL_MAX_SCALE);
    if (decimal_fast(s, n, scale, unscaled))
        return 0;
    num x;
    if (lex_number(s, n, &x) != 0)
        return dg_error_set(err, DG_EINVAL, field, "%s is not a number", nm);
    if (x.zero) {
        *unscaled = 0;
        return 0;
    }
    int64_t shift = x.e + scale;
    if (shift < 0) {
        if (scale == 0)
            return dg_error_set(err, DG_EINVAL, field, "%s: must be a whole number", nm);
        return dg_error_set(err, DG_EINVAL, field, "%s: more than %d decimal place%s", nm, scale,
                            scale == 1 ? "" : "s");
    }
    uint64_t limit = x.neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag;
    if (magnitude(&x, shift, limit, &mag) != 0) {
        char lo[48], hi[48];
        format_plain(lo, INT64_MIN, scale);
        format_plain(hi, INT64_MAX, scale);
        return dg_error_set(err, DG_ERANGE, field, "%s: %.*s%s is out of range (%s..%s)", nm,
                            quote_len(n), s, quote_ellipsis(n), lo, hi);
    }
    *unscaled = apply_sign(x.neg, mag);
    return 0;
}

size_t dg_decimal_to_chars(char *dst, int64_t unscaled, int scale)
{
    if (scale < 0 || scale > DG_DECIMAL_MAX_SCALE)
        return 0;
    if (scale == 0)
        return (size_t)(dg_i64_to_chars(dst, unscaled) - dst);
    char tmp[48];
    size_t len = format_plain(tmp, unscaled, scale);
    memcpy(dst, tmp, len);
    return len;
}

int dg_decimal_format(dg_buf *b, int64_t unscaled, int scale)
{
    if (scale < 0 || scale > DG_DECIMAL_MAX_SCALE)
        return DG_EINVAL;
    char tmp[48];
    size_t len = format_plain(tmp, unscaled, scale);
    return dg_buf_append(b, tmp, len);
}

static const char *int_type_name(int64_t min, int64_t max)
{
    if (min == INT8_MIN && max == INT8_MAX)
        return "int8";
    if (min == INT16_MIN && max == INT16_MAX)
        return "int16";
    if (min == INT32_MIN && max == INT32_MAX)
        return "int32";
    if (min == INT64_MIN && max == INT64_MAX)
        return "int64";
    if (min == 0 && max == UINT8_MAX)
        return "uint8";
    if (min == 0 && max == UINT16_MAX)
        return "uint16";
    if (min == 0 && max == UINT32_MAX)
        return "uint32";
    return NULL;
}

static int int_range_error(dg_error *err, const char *field, const char *s, size_t n, int64_t min,
                           int64_t max)
{
    const char *nm = name_of(field);
    const char *ty = int_type_name(min, max);
    return dg_error_set(err, DG_ERANGE, field, "%s: %.*s%s is out of range%s%s (%lld..%lld)", nm,
                        quote_len(n), s, quote_ellipsis(n), ty != NULL ? " for " : "",
                        ty != NULL ? ty : "", (long long)min, (long long)max);
}

int dg_int_parse(const char *s, size_t n, int64_t min, int64_t max, int64_t *out, const char *field,
                 dg_error *err)
{
    const char *nm = name_of(field);
    if (min > max)
        return dg_error_set(err, DG_EINVAL, field, "%s: empty integer range (%lld..%lld)", nm,
                            (long long)min, (long long)max);
    int64_t v = 0;
    if (int_fast(s, n, &v)) {
        if (v < min || v > max)
            return int_range_error(err, field, s, n, min, max);
        *out = v;
        return 0;
    }
    num x;
    if (lex_number(s, n, &x) != 0)
        return dg_error_set(err, DG_EINVAL, field, "%s is not a number", nm);
    if (!x.zero) {
        if (x.e < 0)
            return dg_error_set(err, DG_EINVAL, field, "%s: %.*s%s is not an integer", nm,
                                quote_len(n), s, quote_ellipsis(n));
        uint64_t limit = x.neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t mag;
        if (magnitude(&x, x.e, limit, &mag) != 0)
            return int_range_error(err, field, s, n, min, max);
        v = apply_sign(x.neg, mag);
    }
    if (v < min || v > max)
        return int_range_error(err, field, s, n, min, max);
    *out = v;
    return 0;
}

/* DynamoDB limits. */
#define DDB_MAX_DIGITS 38
#define DDB_MIN_ADJ_EXP (-130) /* smallest magnitude 1E-130 */
#define DDB_MAX_ADJ_EXP 125    /* largest magnitude 9.99...E+125 */
/* Plain (non-exponent) text is used when the magnitude text fits in this many
 * characters (the sign is not counted, so x and -x always share a form). */
#define DDB_PLAIN_MAX 40

int dg_number_canonical(const char *s, size_t n, dg_arena *a, dg_str *out, const char *field,
                        dg_error *err)
{
    const char *nm = name_of(field);
    num x;
    if (lex_number(s, n, &x) != 0)
        return dg_error_set(err, DG_EINVAL, field, "%s is not a number", nm);
    if (x.zero) {
        char *z = dg_arena_strndup(a, "0", 1);
        if (z == NULL)
            return dg_error_set(err, DG_ENOMEM, field, "%s: out of memory", nm);
        *out = dg_str_from(z, 1);
        return 0;
    }
    if (x.k > DDB_MAX_DIGITS)
        return dg_error_set(err, DG_EINVAL, field,
                            "%s: more than %d significant digits (DynamoDB numbers are exact "
                            "to %d digits)",
                            nm, DDB_MAX_DIGITS, DDB_MAX_DIGITS);
    int64_t k = (int64_t)x.k;
    int64_t adj = x.e + k - 1; /* exponent in d.ddd * 10^adj form */
    if (adj > DDB_MAX_ADJ_EXP)
        return dg_error_set(err, DG_ERANGE, field,
                            "%s: number too large for DynamoDB (magnitude above "
                            "9.9999999999999999999999999999999999999E+125)",
                            nm);
    if (adj < DDB_MIN_ADJ_EXP)
        return dg_error_set(err, DG_ERANGE, field,
                            "%s: number too small for DynamoDB (non-zero magnitude below 1E-130)",
                            nm);

    /* Length of the plain form (without sign). */
    int64_t plain;
    if (x.e >= 0)
        plain = k + x.e; /* DDDD000 */
    else if (adj >= 0)
        plain = k + 1; /* DD.DD */
    else
        plain = 2 + (-adj - 1) + k; /* 0.000DDD */

    char tmp[DDB_PLAIN_MAX + 64];
    size_t o = 0;
    if (x.neg)
        tmp[o++] = '-';
    if (plain <= DDB_PLAIN_MAX) {
        if (x.e >= 0) {
            for (int64_t i = 0; i < k; i++)
                tmp[o++] = (char)('0' + sig_digit(&x, (size_t)i));
            for (int64_t i = 0; i < x.e; i++)
                tmp[o++] = '0';
        } else if (adj >= 0) {
            for (int64_t i = 0; i < k; i++) {
                if (i == adj + 1)
                    tmp[o++] = '.';
                tmp[o++] = (char)('0' + sig_digit(&x, (size_t)i));
            }
        } else {
            tmp[o++] = '0';
            tmp[o++] = '.';
            for (int64_t i = 0; i < -adj - 1; i++)
                tmp[o++] = '0';
            for (int64_t i = 0; i < k; i++)
                tmp[o++] = (char)('0' + sig_digit(&x, (size_t)i));
        }
    } else {
        tmp[o++] = (char)('0' + sig_digit(&x, 0));
        if (k > 1) {
            tmp[o++] = '.';
            for (int64_t i = 1; i < k; i++)
                tmp[o++] = (char)('0' + sig_digit(&x, (size_t)i));
        }
        int w = snprintf(tmp + o, sizeof tmp - o, "E%c%lld", adj < 0 ? '-' : '+',
                         (long long)(adj < 0 ? -adj : adj));
        o += (size_t)w;
    }
    char *txt = dg_arena_strndup(a, tmp, o);
    if (txt == NULL)
        return dg_error_set(err, DG_ENOMEM, field, "%s: out of memory", nm);
    *out = dg_str_from(txt, o);
    return 0;
}
