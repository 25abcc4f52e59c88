/* dynagen runtime — strict JSON pull reader (see json_reader.h). */
#include "json_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dynagen/codec_util.h"
#include "dynagen/model.h" /* DG_JSON_MAX_DEPTH */

void dg_jr_init(dg_jr *r, const char *s, size_t n, dg_arena *a, dg_error *err)
{
    r->start = s != NULL ? s : "";
    r->p = r->start;
    r->end = r->start + (s != NULL ? n : 0);
    r->depth = 0;
    r->max_depth = DG_JSON_MAX_DEPTH;
    r->first = false;
    r->arena = a;
    r->err = err;
    r->label = "JSON";
}

void dg_jr_set_max_depth(dg_jr *r, int max_depth)
{
    r->max_depth = max_depth < 1 ? 1 : max_depth > DG_JR_DEPTH_CAP ? DG_JR_DEPTH_CAP : max_depth;
}

void dg_jr_set_label(dg_jr *r, const char *label)
{
    r->label = label != NULL ? label : "JSON";
}

size_t dg_jr_offset(const dg_jr *r)
{
    return (size_t)(r->p - r->start);
}

static int error_at(dg_jr *r, const char *at, const char *what)
{
    return dg_error_set(r->err, DG_EINVAL, "", "invalid %s at byte %zu: %s", r->label,
                        (size_t)(at - r->start), what);
}

int dg_jr_error(dg_jr *r, const char *what)
{
    return error_at(r, r->p, what);
}

static void skip_ws(dg_jr *r)
{
    const char *p = r->p, *e = r->end;
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    r->p = p;
}

const char *dg_jv_name(dg_jv v)
{
    switch (v) {
    case DG_JV_OBJECT:
        return "an object";
    case DG_JV_ARRAY:
        return "an array";
    case DG_JV_STRING:
        return "a string";
    case DG_JV_NUMBER:
        return "a number";
    case DG_JV_TRUE:
    case DG_JV_FALSE:
        return "a boolean";
    case DG_JV_NULL:
        return "null";
    case DG_JV_END:
        return "end of input";
    case DG_JV_BAD:
        break;
    }
    return "invalid JSON";
}

static int begin(dg_jr *r, char open)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != open)
        return dg_jr_error(r, open == '{' ? "expected '{'" : "expected '['");
    if (r->depth >= r->max_depth) {
        char msg[64];
        snprintf(msg, sizeof msg, "nested deeper than %d levels", r->max_depth);
        return dg_jr_error(r, msg);
    }
    r->p++;
    r->depth++;
    r->first = true;
    return 0;
}

int dg_jr_object_begin(dg_jr *r)
{
    return begin(r, '{');
}
int dg_jr_array_begin(dg_jr *r)
{
    return begin(r, '[');
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* First byte at or after q (before e) that is '"', '\\' or < 0x20, or e.
 * *hi (when still NULL) is set when a byte >= 0x80 was passed on the way: to
 * q, a character boundary with only ASCII between it and that byte, so UTF-8
 * validation from *hi judges the text as validation from the byte would. */
static inline const char *scan_special(const char *q, const char *e, const char **hi)
{
    unsigned high = 0;
    const char *k = dg_jr_scan_str(q, e, &high);
    if (high != 0 && *hi == NULL)
        *hi = q;
    return k;
}

/* Read the string at r->p ('"'). mode 0: validate only; 1: *out points into
 * the input when there are no escapes, else an arena copy; 2: always an
 * arena copy (NUL-terminated). check_utf8 false: invalid UTF-8 is not an
 * error, *bad_utf8 (may be NULL) reports it instead. */
static int decode_escapes(dg_jr *r, dg_str *out, int mode, const char *s, const char *q)
    __attribute__((noinline));

static inline int read_string_x(dg_jr *r, dg_str *out, int mode, bool check_utf8, bool *bad_utf8)
{
    const char *s = r->p + 1, *e = r->end, *q = s;
    const char *hi = NULL; /* first non-ASCII byte (a character boundary) */
    bool esc = false;
    /* Pass 1: find the closing quote; reject raw control characters. */
    for (;;) {
        q = scan_special(q, e, &hi);
        if (q >= e)
            return error_at(r, r->p, "unterminated string");
        unsigned char c = (unsigned char)*q;
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            if (hi == NULL && q + 1 < e && (unsigned char)q[1] >= 0x80)
                hi = q;
            q += 2;
            if (q > e)
                return error_at(r, r->p, "unterminated string");
            continue;
        }
        return error_at(r, q, "control character in a string (escape it)");
    }
    /* Everything before hi is ASCII, hence valid UTF-8. */
    bool bad = hi != NULL && !dg_utf8_valid(hi, (size_t)(q - hi));
    if (bad && check_utf8)
        return error_at(r, r->p, "string is not valid UTF-8");
    if (bad_utf8 != NULL)
        *bad_utf8 = bad;
    size_t raw = (size_t)(q - s);
    if (!esc) {
        if (mode == 2) {
            char *cp = dg_arena_strndup(r->arena, s, raw);
            if (cp == NULL)
                return dg_error_set(r->err, DG_ENOMEM, "", "out of memory reading JSON");
            *out = dg_str_from(cp, raw);
        } else if (mode == 1) {
            *out = dg_str_from(s, raw);
        }
        r->p = q + 1;
        return 0;
    }
    return decode_escapes(r, out, mode, s, q);
}

/* Pass 2 of read_string_x: s..q (the text between the quotes) has escapes,
 * decode them (the output is never longer than the input). */
static int decode_escapes(dg_jr *r, dg_str *out, int mode, const char *s, const char *q)
{
    size_t raw = (size_t)(q - s);
    char *dst = NULL;
    if (mode != 0) {
        dst = dg_arena_alloc(r->arena, raw + 1);
        if (dst == NULL)
            return dg_error_set(r->err, DG_ENOMEM, "", "out of memory reading JSON");
    }
    size_t o = 0;
    for (const char *p = s; p < q;) {
        if (*p != '\\') {
            const char *run = p;
            p = memchr(p, '\\', (size_t)(q - p));
            if (p == NULL)
                p = q;
            if (dst != NULL)
                memcpy(dst + o, run, (size_t)(p - run));
            o += (size_t)(p - run);
            continue;
        }
        char c = p[1]; /* p + 1 < q: pass 1 skipped both bytes */
        char lit = 0;
        switch (c) {
        case '"':
            lit = '"';
            break;
        case '\\':
            lit = '\\';
            break;
        case '/':
            lit = '/';
            break;
        case 'b':
            lit = '\b';
            break;
        case 'f':
            lit = '\f';
            break;
        case 'n':
            lit = '\n';
            break;
        case 'r':
            lit = '\r';
            break;
        case 't':
            lit = '\t';
            break;
        case 'u': {
            uint32_t cp;
            if (q - p < 6 || hex4(p + 2, &cp) != 0)
                return error_at(r, p, "bad \\u escape (4 hex digits expected)");
            p += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return error_at(r, p - 6, "lone low surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return error_at(r, p - 6, "lone high surrogate in a \\u escape");
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char u[4];
            size_t un;
            if (cp < 0x80) {
                u[0] = (char)cp;
                un = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3F));
                un = 2;
            } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                un = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char)(0x80 | (cp & 0x3F));
                un = 4;
            }
            if (dst != NULL)
                memcpy(dst + o, u, un);
            o += un;
            continue;
        }
        default:
            return error_at(r, p, "unknown escape sequence");
        }
        if (dst != NULL)
            dst[o] = lit;
        o++;
        p += 2;
    }
    if (dst != NULL) {
        dst[o] = '\0';
        *out = dg_str_from(dst, o);
    }
    r->p = q + 1;
    return 0;
}

/* dg_jr_string_keep after its first backslash at q: finish pass 1 exactly as
 * read_string_x does, then decode into the arena. hi: NULL when s..q is
 * ASCII, else a character boundary at or before its first non-ASCII byte. */
static int keep_escaped(dg_jr *r, dg_str *out, unsigned *res, const char *s, const char *q,
                        const char *hi) __attribute__((noinline));
static int keep_escaped(dg_jr *r, dg_str *out, unsigned *res, const char *s, const char *q,
                        const char *hi)
{
    const char *e = r->end;
    for (;;) {
        unsigned char c = (unsigned char)*q;
        if (c == '"')
            break;
        if (c == '\\') {
            if (hi == NULL && q + 1 < e && (unsigned char)q[1] >= 0x80)
                hi = q;
            q += 2;
            if (q > e)
                return error_at(r, r->p, "unterminated string");
        } else {
            return error_at(r, q, "control character in a string (escape it)");
        }
        q = scan_special(q, e, &hi);
        if (q >= e)
            return error_at(r, r->p, "unterminated string");
    }
    bool bad = hi != NULL && !dg_utf8_valid(hi, (size_t)(q - hi));
    int rc = decode_escapes(r, out, 1, s, q);
    if (rc != 0)
        return rc;
    *res = DG_JR_S_ARENA | (bad ? DG_JR_S_BAD_UTF8 : 0u);
    return 0;
}

static int read_string(dg_jr *r, dg_str *out, int mode)
{
    return read_string_x(r, out, mode, true, NULL);
}

int dg_jr_string(dg_jr *r, dg_str *out)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != '"')
        return dg_jr_error(r, "expected a string");
    return read_string(r, out, 2);
}

int dg_jr_string_keep_slow(dg_jr *r, dg_str *out, unsigned *res, const char *q, unsigned high)
{
    const char *s = r->p + 1, *e = r->end;
    if (q >= e)
        return error_at(r, r->p, "unterminated string");
    if (*q == '\\')
        return keep_escaped(r, out, res, s, q, high != 0 ? s : NULL);
    if (*q != '"')
        return error_at(r, q, "control character in a string (escape it)");
    size_t n = (size_t)(q - s);
    if (high != 0 && !dg_utf8_valid(s, n)) {
        *out = dg_str_from(s, n);
        *res = DG_JR_S_BAD_UTF8;
        r->p = q + 1;
        return 0;
    }
    char *cp = dg_arena_strndup(r->arena, s, n);
    if (cp == NULL)
        return DG_JR_KEEP_NOMEM;
    *out = dg_str_from(cp, n);
    *res = DG_JR_S_ARENA;
    r->p = q + 1;
    return 0;
}

int dg_jr_string_ex(dg_jr *r, dg_str *out, unsigned flags, unsigned *res)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != '"')
        return dg_jr_error(r, "expected a string");
    const char *open = r->p;
    bool bad = false;
    int rc = read_string_x(r, out, (flags & DG_JR_COPY) ? 2 : 1, !(flags & DG_JR_DEFER_UTF8), &bad);
    if (rc != 0)
        return rc;
    /* A view points just past the opening quote; a copy never does. */
    unsigned bits = out->ptr != open + 1 ? DG_JR_S_ARENA : 0u;
    if (bad)
        bits |= DG_JR_S_BAD_UTF8;
    if (res != NULL)
        *res = bits;
    return 0;
}

static bool is_delim(const dg_jr *r, const char *p)
{
    if (p >= r->end)
        return true;
    switch (*p) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case ',':
    case ']':
    case '}':
    case ':':
        return true;
    default:
        return false;
    }
}

int dg_jr_number(dg_jr *r, dg_str *raw)
{
    skip_ws(r);
    const char *s = r->p, *p = s, *e = r->end;
    if (p < e && *p == '-')
        p++;
    if (p < e && *p == '0') {
        p++;
    } else if (p < e && *p >= '1' && *p <= '9') {
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    } else {
        return error_at(r, s, "invalid number");
    }
    if (p < e && *p == '.') {
        p++;
        const char *d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return error_at(r, s, "invalid number (digits expected after '.')");
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        const char *d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return error_at(r, s, "invalid number (digits expected in the exponent)");
    }
    if (!is_delim(r, p))
        return error_at(r, s, "invalid number");
    *raw = dg_str_from(s, (size_t)(p - s));
    r->p = p;
    return 0;
}

static int literal(dg_jr *r, const char *word, size_t n)
{
    skip_ws(r);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0 || !is_delim(r, r->p + n))
        return dg_jr_error(r, "invalid literal (true, false or null expected)");
    r->p += n;
    return 0;
}

int dg_jr_bool(dg_jr *r, bool *out)
{
    dg_jv v = dg_jr_peek(r);
    if (v == DG_JV_TRUE) {
        *out = true;
        return literal(r, "true", 4);
    }
    if (v == DG_JV_FALSE) {
        *out = false;
        return literal(r, "false", 5);
    }
    return dg_jr_error(r, "expected true or false");
}

int dg_jr_null(dg_jr *r)
{
    return literal(r, "null", 4);
}

int dg_jr_object_next(dg_jr *r, dg_str *key)
{
    skip_ws(r);
    if (r->p >= r->end)
        return dg_jr_error(r, "unexpected end of input in an object");
    if (r->first) {
        r->first = false;
        if (*r->p == '}') {
            r->p++;
            r->depth--;
            return 0;
        }
    } else if (*r->p == ',') {
        r->p++;
        skip_ws(r);
    } else if (*r->p == '}') {
        r->p++;
        r->depth--;
        return 0;
    } else {
        return dg_jr_error(r, "expected ',' or '}'");
    }
    if (r->p >= r->end || *r->p != '"')
        return dg_jr_error(r, "expected a string key");
    /* Fast path: an ASCII key without escapes or control characters,
     * directly followed by ':' (what every encoder writes). It accepts
     * exactly what read_string would, with the same result; anything else
     * takes the general path. */
    {
        const char *s = r->p + 1, *hi = NULL;
        const char *k = scan_special(s, r->end, &hi);
        if (hi == NULL && k + 1 < r->end && *k == '"' && k[1] == ':') {
            *key = dg_str_from(s, (size_t)(k - s));
            r->p = k + 2;
            return 1;
        }
    }
    int rc = read_string(r, key, 1);
    if (rc != 0)
        return rc;
    skip_ws(r);
    if (r->p >= r->end || *r->p != ':')
        return dg_jr_error(r, "expected ':' after the key");
    r->p++;
    return 1;
}

int dg_jr_object_begin_key(dg_jr *r, dg_str *key)
{
    int rc = begin(r, '{');
    return rc != 0 ? rc : dg_jr_object_next(r, key);
}

int dg_jr_array_next(dg_jr *r)
{
    skip_ws(r);
    if (r->p >= r->end)
        return dg_jr_error(r, "unexpected end of input in an array");
    if (r->first) {
        r->first = false;
        if (*r->p == ']') {
            r->p++;
            r->depth--;
            return 0;
        }
        return 1;
    }
    if (*r->p == ',') {
        r->p++;
        return 1;
    }
    if (*r->p == ']') {
        r->p++;
        r->depth--;
        return 0;
    }
    return dg_jr_error(r, "expected ',' or ']'");
}

int dg_jr_skip(dg_jr *r)
{
    /* bit i: container at relative level i is an object (levels < DG_JR_DEPTH_CAP) */
    uint64_t is_object[(DG_JR_DEPTH_CAP + 63) / 64] = {0};
    int level = 0;
    dg_str tmp;
    for (;;) {
        int rc;
        bool dummy;
        switch (dg_jr_peek(r)) {
        case DG_JV_OBJECT:
            if ((rc = dg_jr_object_begin(r)) != 0)
                return rc;
            is_object[level / 64] |= (uint64_t)1 << (level % 64);
            level++;
            break;
        case DG_JV_ARRAY:
            if ((rc = dg_jr_array_begin(r)) != 0)
                return rc;
            is_object[level / 64] &= ~((uint64_t)1 << (level % 64));
            level++;
            break;
        case DG_JV_STRING:
            if ((rc = read_string(r, &tmp, 0)) != 0)
                return rc;
            break;
        case DG_JV_NUMBER:
            if ((rc = dg_jr_number(r, &tmp)) != 0)
                return rc;
            break;
        case DG_JV_TRUE:
        case DG_JV_FALSE:
            if ((rc = dg_jr_bool(r, &dummy)) != 0)
                return rc;
            break;
        case DG_JV_NULL:
            if ((rc = dg_jr_null(r)) != 0)
                return rc;
            break;
        case DG_JV_END:
            return dg_jr_error(r, "unexpected end of input (a value expected)");
        case DG_JV_BAD:
            return dg_jr_error(r, "expected a value");
        }
        for (;;) {
            if (level == 0)
                return 0;
            rc = ((is_object[(level - 1) / 64] >> ((level - 1) % 64)) & 1u)
                     ? dg_jr_object_next(r, &tmp)
                     : dg_jr_array_next(r);
            if (rc < 0)
                return rc;
            if (rc == 1)
                break;
            level--;
        }
    }
}

int dg_jr_finish(dg_jr *r)
{
    skip_ws(r);
    if (r->p != r->end)
        return dg_jr_error(r, "unexpected data after the JSON value");
    return 0;
}
