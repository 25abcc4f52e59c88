/* dynagen runtime — AWS Signature Version 4 (AWS4-HMAC-SHA256).
 *
 * Each task of the signing process is its own function (see aws.h); the
 * tests check every one of them against AWS's published test suite. */
#include "dynagen/aws.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* ------------------------------------------------------------------ helpers */

static const char HEX_LOWER[] = "0123456789abcdef";
static const char HEX_UPPER[] = "0123456789ABCDEF";

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX_LOWER[p[i] >> 4];
        out[2 * i + 1] = HEX_LOWER[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int oom(dg_error *err)
{
    return dg_error_set(err, DG_ENOMEM, NULL, "out of memory while signing a request");
}

static int crypto_failed(dg_error *err, const char *what)
{
    return dg_error_set(err, DG_EINTERNAL, NULL, "OpenSSL %s failed", what);
}

/* SHA-256 and HMAC-SHA256 on one reusable EVP_MD_CTX with the digest fetched
 * once per process: no implementation lookup and no allocation per hash (the
 * one-shot EVP_Digest() and HMAC() fetch the algorithm, and HMAC() builds a
 * MAC context, on every call). HMAC is RFC 2104 over that digest. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched; /* shared, read-only after md_init; kept for the process */

static void md_init(void)
{
    md_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_sha256(void)
{
    pthread_once(&md_once, md_init);
    return md_fetched != NULL ? md_fetched : EVP_sha256();
}

static int sha256_ctx(EVP_MD_CTX *ctx, const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    if (EVP_DigestInit_ex2(ctx, md_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32)
        return -1;
    return 0;
}

static int sha256(const void *data, size_t len, uint8_t out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return -1;
    int rc = sha256_ctx(ctx, data, len, out);
    EVP_MD_CTX_free(ctx);
    return rc;
}

#define SHA256_BLOCK 64

static int hmac_sha256_ctx(EVP_MD_CTX *ctx, const void *key, size_t key_len, const void *data,
                           size_t len, uint8_t out[32])
{
    uint8_t k[SHA256_BLOCK], pad[SHA256_BLOCK], inner[32];
    memset(k, 0, sizeof k);
    if (key_len > SHA256_BLOCK) {
        if (sha256_ctx(ctx, key, key_len, k) != 0)
            return -1;
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    unsigned int n = 0;
    int ok = 1;
    for (size_t i = 0; i < SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    ok = EVP_DigestInit_ex2(ctx, md_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, pad, SHA256_BLOCK) == 1 && EVP_DigestUpdate(ctx, data, len) == 1 &&
         EVP_DigestFinal_ex(ctx, inner, &n) == 1 && n == 32;
    if (ok) {
        for (size_t i = 0; i < SHA256_BLOCK; i++)
            pad[i] = k[i] ^ 0x5c;
        ok = EVP_DigestInit_ex2(ctx, md_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, pad, SHA256_BLOCK) == 1 &&
             EVP_DigestUpdate(ctx, inner, sizeof inner) == 1 &&
             EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
    }
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok ? 0 : -1;
}

static int sha256_hex_ctx(EVP_MD_CTX *ctx, const void *data, size_t len,
                          char out[DG_SIGV4_HEX_LEN + 1])
{
    uint8_t d[32];
    if (sha256_ctx(ctx, len ? data : "", len, d) != 0)
        return DG_EINTERNAL;
    to_hex(d, 32, out);
    return 0;
}

int dg_sigv4_sha256_hex(const void *data, size_t len, char out[DG_SIGV4_HEX_LEN + 1])
{
    uint8_t d[32];
    if (sha256(len ? data : "", len, d) != 0)
        return DG_EINTERNAL;
    to_hex(d, 32, out);
    return 0;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* RFC 3986 percent-encoding of everything but the unreserved set, upper-case hex. */
static void uri_encode(dg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c)) {
            dg_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', HEX_UPPER[c >> 4], HEX_UPPER[c & 15]};
            dg_buf_append(b, esc, 3);
        }
    }
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) into b; -1 on a malformed escape. */
static int uri_decode(dg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            dg_buf_putc(b, s[i]);
            continue;
        }
        if (i + 2 >= n)
            return -1;
        int hi = hex_val(s[i + 1]), lo = hex_val(s[i + 2]);
        if (hi < 0 || lo < 0)
            return -1;
        dg_buf_putc(b, (char)(hi << 4 | lo));
        i += 2;
    }
    return 0;
}

/* RFC 7230 token characters (method and header names). */
static int is_tchar(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_token(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int name_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return 0;
    return *a == *b;
}

/* A credential-scope part (region, service, date): non-empty, no '/', no
 * whitespace or control characters. */
static int scope_part_ok(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '/')
            return 0;
    return 1;
}

static int date8_ok(const char *d)
{
    if (d == NULL)
        return 0;
    for (int i = 0; i < 8; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    return 1;
}

static int amz_date_ok(const char *d)
{
    if (d == NULL || strlen(d) != DG_SIGV4_AMZ_DATE_LEN || !date8_ok(d) || d[8] != 'T' ||
        d[15] != 'Z')
        return 0;
    for (int i = 9; i < 15; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ time */

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

int dg_sigv4_amz_date(int64_t unix_seconds, char out[DG_SIGV4_AMZ_DATE_LEN + 1], dg_error *err)
{
    /* 9999-12-31T23:59:59Z */
    if (unix_seconds < 0 || unix_seconds > INT64_C(253402300799))
        return dg_error_set(err, DG_ERANGE, NULL, "signing time %lld is outside years 1970..9999",
                            (long long)unix_seconds);
    /* Proleptic Gregorian calendar from the day number (H. Hinnant's
     * civil_from_days): no gmtime_r / strftime on every request. */
    int64_t days = unix_seconds / 86400, rem = unix_seconds % 86400;
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    unsigned day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    unsigned month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    unsigned year = (unsigned)(yoe + era * 400 + (month <= 2));
    put2(out, year / 100);
    put2(out + 2, year % 100);
    put2(out + 4, month);
    put2(out + 6, day);
    out[8] = 'T';
    put2(out + 9, (unsigned)(rem / 3600));
    put2(out + 11, (unsigned)(rem % 3600 / 60));
    put2(out + 13, (unsigned)(rem % 60));
    out[15] = 'Z';
    out[16] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ task 1: canonical request */

/* Canonical URI: drop empty, "." and ".." segments, then URI-encode each
 * segment (the path is already encoded on the wire: this is the second
 * encoding SigV4 asks of every service but S3). */
static int canonical_path(dg_buf *out, const char *path, dg_error *err)
{
    if (path == NULL || *path == '\0')
        path = "/";
    size_t n = strlen(path);
    if (path[0] != '/')
        return dg_error_set(err, DG_EINVAL, "path", "request path must start with '/'");
    if (strpbrk(path, "?#") != NULL)
        return dg_error_set(err, DG_EINVAL, "path",
                            "request path holds '?' or '#': pass the query separately");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return dg_error_set(err, DG_EINVAL, "path", "request path holds a control character");

    /* segments as (offset, length) pairs; at most n/1 + 1 of them */
    size_t cap = n / 2 + 2;
    size_t seg_local[64];
    size_t *seg = cap * 2 <= sizeof seg_local / sizeof seg_local[0] ? seg_local
                                                                    : malloc(cap * 2 * sizeof *seg);
    if (seg == NULL)
        return oom(err);
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && path[j] != '/')
            j++;
        size_t len = j - i;
        if (len == 0 || (len == 1 && path[i] == '.')) {
            /* skip */
        } else if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (count > 0)
                count--;
        } else {
            seg[2 * count] = i;
            seg[2 * count + 1] = len;
            count++;
        }
        i = j + 1;
    }
    dg_buf_putc(out, '/');
    for (size_t k = 0; k < count; k++) {
        if (k > 0)
            dg_buf_putc(out, '/');
        uri_encode(out, path + seg[2 * k], seg[2 * k + 1]);
    }
    if (count > 0 && path[n - 1] == '/')
        dg_buf_putc(out, '/');
    if (seg != seg_local)
        free(seg);
    return 0;
}

typedef struct qparam {
    size_t key_off, key_len, val_off, val_len; /* into the encoded-text buffer */
    const char *base;                          /* set once the buffer is final */
} qparam;

static int qparam_cmp(const void *pa, const void *pb)
{
    const qparam *a = pa, *b = pb;
    size_t m = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->base + a->key_off, b->base + b->key_off, m);
    if (c != 0)
        return c;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    m = a->val_len < b->val_len ? a->val_len : b->val_len;
    c = memcmp(a->base + a->val_off, b->base + b->val_off, m);
    if (c != 0)
        return c;
    return a->val_len == b->val_len ? 0 : (a->val_len < b->val_len ? -1 : 1);
}

/* Canonical query: each key and value decoded then encoded again, sorted by
 * key then value, "k=v" joined with '&'. Empty pieces ("a=1&&b=2") are dropped. */
static int canonical_query(dg_buf *out, const char *query, dg_error *err)
{
    if (query == NULL || *query == '\0')
        return 0;
    size_t n = strlen(query);
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        if (query[i] == '&')
            cap++;
    qparam *ps = calloc(cap, sizeof *ps);
    if (ps == NULL)
        return oom(err);
    dg_buf enc = DG_BUF_INIT, tmp = DG_BUF_INIT;
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && query[j] != '&')
            j++;
        if (j > i) {
            const char *piece = query + i;
            size_t plen = j - i;
            const char *eq = memchr(piece, '=', plen);
            size_t klen = eq ? (size_t)(eq - piece) : plen;
            const char *v = eq ? eq + 1 : piece + plen;
            size_t vlen = eq ? plen - klen - 1 : 0;
            qparam *p = &ps[count++];
            dg_buf_reset(&tmp);
            if (uri_decode(&tmp, piece, klen) != 0) {
                rc = dg_error_set(err, DG_EINVAL, "query",
                                  "query parameter %zu has a malformed %%-escape in its name",
                                  count);
                goto done;
            }
            p->key_off = enc.len;
            uri_encode(&enc, tmp.data ? tmp.data : "", tmp.len);
            p->key_len = enc.len - p->key_off;
            dg_buf_reset(&tmp);
            if (uri_decode(&tmp, v, vlen) != 0) {
                rc = dg_error_set(err, DG_EINVAL, "query",
                                  "query parameter %zu has a malformed %%-escape in its value",
                                  count);
                goto done;
            }
            p->val_off = enc.len;
            uri_encode(&enc, tmp.data ? tmp.data : "", tmp.len);
            p->val_len = enc.len - p->val_off;
        }
        i = j + 1;
    }
    if (dg_buf_status(&enc) != 0 || dg_buf_status(&tmp) != 0) {
        rc = oom(err);
        goto done;
    }
    for (size_t k = 0; k < count; k++)
        ps[k].base = enc.data;
    qsort(ps, count, sizeof *ps, qparam_cmp);
    for (size_t k = 0; k < count; k++) {
        if (k > 0)
            dg_buf_putc(out, '&');
        dg_buf_append(out, enc.data + ps[k].key_off, ps[k].key_len);
        dg_buf_putc(out, '=');
        dg_buf_append(out, enc.data + ps[k].val_off, ps[k].val_len);
    }
done:
    dg_buf_free(&enc);
    dg_buf_free(&tmp);
    free(ps);
    return rc;
}

/* Headers the AWS SDKs never sign: proxies and HTTP stacks add, drop or
 * rewrite them. */
static int unsignable(const char *lname)
{
    static const char *const never[] = {
        "authorization", "cache-control",     "connection", "expect",     "from",
        "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
        "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id",
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strcmp(lname, never[i]) == 0)
            return 1;
    return strncmp(lname, "proxy-", 6) == 0 || strncmp(lname, "sec-", 4) == 0;
}

typedef struct hentry {
    char *lname;
    const char *value;
    size_t index;
    bool heap; /* lname was malloc'ed */
} hentry;

static int hentry_cmp(const void *pa, const void *pb)
{
    const hentry *a = pa, *b = pb;
    int c = strcmp(a->lname, b->lname);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : (a->index > b->index);
}

/* Trimmed value with runs of spaces and tabs collapsed to one space; the
 * runs of other characters are copied whole. */
static void canonical_value(dg_buf *out, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    while (*v) {
        const char *run = v;
        while (*v && *v != ' ' && *v != '\t')
            v++;
        dg_buf_append(out, run, (size_t)(v - run));
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v)
            dg_buf_putc(out, ' ');
    }
}

static int canonical_headers(dg_buf *out, dg_buf *signed_list, const dg_aws_header *headers,
                             size_t count, dg_error *err)
{
    /* On the stack for the usual few short headers. */
    hentry hs_local[16];
    char names_local[512];
    size_t names_used = 0;
    hentry *hs =
        count <= sizeof hs_local / sizeof hs_local[0] ? hs_local : calloc(count, sizeof *hs);
    if (hs == NULL)
        return oom(err);
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = headers[i].name, *value = headers[i].value;
        if (!is_token(name)) {
            rc = dg_error_set(err, DG_EINVAL, "headers",
                              "header %zu has an empty or malformed name", i);
            goto done;
        }
        if (value == NULL)
            value = "";
        for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
            if ((*c < 0x20 && *c != '\t') || *c == 0x7f) {
                rc = dg_error_set(err, DG_EINVAL, "headers",
                                  "header '%.64s' value holds a line break or control character",
                                  name);
                goto done;
            }
        }
        size_t nl = strlen(name);
        bool heap = names_used + nl + 1 > sizeof names_local;
        char *ln = heap ? malloc(nl + 1) : names_local + names_used;
        if (ln == NULL) {
            rc = oom(err);
            goto done;
        }
        for (size_t k = 0; k <= nl; k++)
            ln[k] = lower(name[k]);
        if (unsignable(ln)) {
            if (heap)
                free(ln);
            continue;
        }
        if (!heap)
            names_used += nl + 1;
        hs[m].heap = heap;
        hs[m].lname = ln;
        hs[m].value = value;
        hs[m].index = i;
        m++;
    }
    if (m <= 16) { /* insertion sort: stable, and cheaper than qsort for a few headers */
        for (size_t i = 1; i < m; i++) {
            hentry x = hs[i];
            size_t j = i;
            for (; j > 0 && hentry_cmp(&hs[j - 1], &x) > 0; j--)
                hs[j] = hs[j - 1];
            hs[j] = x;
        }
    } else {
        qsort(hs, m, sizeof *hs, hentry_cmp);
    }
    for (size_t i = 0; i < m;) {
        size_t j = i;
        dg_buf_puts(out, hs[i].lname);
        dg_buf_putc(out, ':');
        for (; j < m && strcmp(hs[j].lname, hs[i].lname) == 0; j++) {
            if (j > i)
                dg_buf_putc(out, ',');
            canonical_value(out, hs[j].value);
        }
        dg_buf_putc(out, '\n');
        if (signed_list != NULL) {
            if (i > 0)
                dg_buf_putc(signed_list, ';');
            dg_buf_puts(signed_list, hs[i].lname);
        }
        i = j;
    }
done:
    for (size_t i = 0; i < m; i++)
        if (hs[i].heap)
            free(hs[i].lname);
    if (hs != hs_local)
        free(hs);
    return rc;
}

int dg_sigv4_canonical_request(const dg_sigv4_request *req, const char *payload_hash, dg_buf *out,
                               dg_buf *signed_headers, dg_error *err)
{
    if (req == NULL || !is_token(req->method))
        return dg_error_set(err, DG_EINVAL, "method", "request method is empty or malformed");
    if (payload_hash == NULL || *payload_hash == '\0' || strpbrk(payload_hash, "\r\n") != NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "payload hash is empty or malformed");
    if (req->header_count > 0 && req->headers == NULL)
        return dg_error_set(err, DG_EINVAL, "headers", "header_count > 0 but headers is NULL");
    dg_buf list = DG_BUF_INIT;
    int rc;
    dg_buf_puts(out, req->method);
    dg_buf_putc(out, '\n');
    if ((rc = canonical_path(out, req->path, err)) != 0)
        goto done;
    dg_buf_putc(out, '\n');
    if ((rc = canonical_query(out, req->query, err)) != 0)
        goto done;
    dg_buf_putc(out, '\n');
    if ((rc = canonical_headers(out, &list, req->headers, req->header_count, err)) != 0)
        goto done;
    dg_buf_putc(out, '\n');
    dg_buf_append(out, list.data ? list.data : "", list.len);
    dg_buf_putc(out, '\n');
    dg_buf_puts(out, payload_hash);
    if (signed_headers != NULL)
        dg_buf_append(signed_headers, list.data ? list.data : "", list.len);
    if (dg_buf_status(out) != 0 || dg_buf_status(&list) != 0 ||
        (signed_headers != NULL && dg_buf_status(signed_headers) != 0))
        rc = oom(err);
done:
    dg_buf_free(&list);
    return rc;
}

/* ------------------------------------------------------------------ task 2: string to sign */

/* Appends n bytes of s (the appends below are sticky-failing; checked once). */
static void put_n(dg_buf *b, const char *s, size_t n)
{
    dg_buf_append(b, s, n);
}

#define PUT_LIT(b, lit) put_n((b), (lit), sizeof(lit) - 1)

static int string_to_sign_ctx(EVP_MD_CTX *ctx, const char *amz_date, const char *region,
                              const char *service, const char *canonical_request,
                              size_t canonical_len, dg_buf *out, dg_error *err)
{
    if (!amz_date_ok(amz_date))
        return dg_error_set(err, DG_EINVAL, "amz_date", "date must be YYYYMMDDTHHMMSSZ");
    if (!scope_part_ok(region))
        return dg_error_set(err, DG_EINVAL, "region", "region is empty or malformed");
    if (!scope_part_ok(service))
        return dg_error_set(err, DG_EINVAL, "service", "service is empty or malformed");
    char hex[DG_SIGV4_HEX_LEN + 1];
    if (sha256_hex_ctx(ctx, canonical_request, canonical_len, hex) != 0)
        return crypto_failed(err, "SHA-256");
    /* AWS4-HMAC-SHA256 \n amz_date \n date8/region/service/aws4_request \n hex */
    size_t rl = strlen(region), sl = strlen(service);
    dg_buf_reserve(out, sizeof DG_SIGV4_ALGORITHM + DG_SIGV4_AMZ_DATE_LEN + 8 + rl + sl +
                            DG_SIGV4_HEX_LEN + 24);
    PUT_LIT(out, DG_SIGV4_ALGORITHM "\n");
    put_n(out, amz_date, DG_SIGV4_AMZ_DATE_LEN);
    PUT_LIT(out, "\n");
    put_n(out, amz_date, 8);
    PUT_LIT(out, "/");
    put_n(out, region, rl);
    PUT_LIT(out, "/");
    put_n(out, service, sl);
    PUT_LIT(out, "/aws4_request\n");
    put_n(out, hex, DG_SIGV4_HEX_LEN);
    return dg_buf_status(out) != 0 ? oom(err) : 0;
}

int dg_sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                            const char *canonical_request, size_t canonical_len, dg_buf *out,
                            dg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return oom(err);
    int rc = string_to_sign_ctx(ctx, amz_date, region, service, canonical_request, canonical_len,
                                out, err);
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ------------------------------------------------------------------ task 3: key and signature */

static int signing_key_ctx(EVP_MD_CTX *ctx, const char *secret_access_key, const char *date8,
                           const char *region, const char *service, uint8_t key_out[32],
                           dg_error *err)
{
    if (secret_access_key == NULL || *secret_access_key == '\0')
        return dg_error_set(err, DG_EINVAL, "secret_access_key", "secret access key is empty");
    if (!date8_ok(date8))
        return dg_error_set(err, DG_EINVAL, "date", "scope date must be YYYYMMDD");
    if (!scope_part_ok(region))
        return dg_error_set(err, DG_EINVAL, "region", "region is empty or malformed");
    if (!scope_part_ok(service))
        return dg_error_set(err, DG_EINVAL, "service", "service is empty or malformed");
    size_t sl = strlen(secret_access_key);
    uint8_t *k0 = malloc(sl + 4);
    if (k0 == NULL)
        return oom(err);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret_access_key, sl);
    uint8_t a[32], b[32];
    int bad = hmac_sha256_ctx(ctx, k0, sl + 4, date8, 8, a) |
              hmac_sha256_ctx(ctx, a, 32, region, strlen(region), b) |
              hmac_sha256_ctx(ctx, b, 32, service, strlen(service), a) |
              hmac_sha256_ctx(ctx, a, 32, "aws4_request", 12, key_out);
    OPENSSL_cleanse(k0, sl + 4);
    free(k0);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
    return bad ? crypto_failed(err, "HMAC-SHA256") : 0;
}

int dg_sigv4_signing_key(const char *secret_access_key, const char *date8, const char *region,
                         const char *service, uint8_t key_out[32], dg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return oom(err);
    int rc = signing_key_ctx(ctx, secret_access_key, date8, region, service, key_out, err);
    EVP_MD_CTX_free(ctx);
    return rc;
}

static int signature_ctx(EVP_MD_CTX *ctx, const uint8_t signing_key[32], const char *string_to_sign,
                         size_t sts_len, char out[DG_SIGV4_HEX_LEN + 1], dg_error *err)
{
    uint8_t mac[32];
    if (hmac_sha256_ctx(ctx, signing_key, 32, sts_len ? string_to_sign : "", sts_len, mac) != 0)
        return crypto_failed(err, "HMAC-SHA256");
    to_hex(mac, 32, out);
    return 0;
}

int dg_sigv4_signature(const uint8_t signing_key[32], const char *string_to_sign, size_t sts_len,
                       char out[DG_SIGV4_HEX_LEN + 1], dg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return oom(err);
    int rc = signature_ctx(ctx, signing_key, string_to_sign, sts_len, out, err);
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ------------------------------------------------------------------ task 4: Authorization */

int dg_sigv4_authorization(const char *access_key_id, const char *date8, const char *region,
                           const char *service, const char *signed_headers, const char *signature,
                           dg_buf *out, dg_error *err)
{
    if (!scope_part_ok(access_key_id) || strchr(access_key_id, ',') != NULL)
        return dg_error_set(err, DG_EINVAL, "access_key_id", "access key id is empty or malformed");
    if (!date8_ok(date8))
        return dg_error_set(err, DG_EINVAL, "date", "scope date must be YYYYMMDD");
    if (!scope_part_ok(region))
        return dg_error_set(err, DG_EINVAL, "region", "region is empty or malformed");
    if (!scope_part_ok(service))
        return dg_error_set(err, DG_EINVAL, "service", "service is empty or malformed");
    if (signed_headers == NULL || *signed_headers == '\0')
        return dg_error_set(err, DG_EINVAL, "signed_headers", "signed headers list is empty");
    if (signature == NULL || strlen(signature) != DG_SIGV4_HEX_LEN)
        return dg_error_set(err, DG_EINVAL, "signature", "signature must be 64 hex digits");
    /* AWS4-HMAC-SHA256 Credential=akid/date8/region/service/aws4_request,
     * SignedHeaders=list, Signature=hex */
    size_t al = strlen(access_key_id), rl = strlen(region), sl = strlen(service),
           hl = strlen(signed_headers);
    dg_buf_reserve(out, sizeof DG_SIGV4_ALGORITHM + al + 8 + rl + sl + hl + DG_SIGV4_HEX_LEN + 64);
    PUT_LIT(out, DG_SIGV4_ALGORITHM " Credential=");
    put_n(out, access_key_id, al);
    PUT_LIT(out, "/");
    put_n(out, date8, 8);
    PUT_LIT(out, "/");
    put_n(out, region, rl);
    PUT_LIT(out, "/");
    put_n(out, service, sl);
    PUT_LIT(out, "/aws4_request, SignedHeaders=");
    put_n(out, signed_headers, hl);
    PUT_LIT(out, ", Signature=");
    put_n(out, signature, DG_SIGV4_HEX_LEN);
    return dg_buf_status(out) != 0 ? oom(err) : 0;
}

/* ------------------------------------------------------------------ signing-key cache */

void dg_sigv4_key_cache_init(dg_sigv4_key_cache *cache)
{
    memset(cache, 0, sizeof *cache);
}

void dg_sigv4_key_cache_clean_up(dg_sigv4_key_cache *cache)
{
    if (cache != NULL)
        OPENSSL_cleanse(cache, sizeof *cache);
}

static int key_cache_get_ctx(EVP_MD_CTX *ctx, dg_sigv4_key_cache *cache,
                             const char *secret_access_key, const char *date8, const char *region,
                             const char *service, uint8_t key_out[32], dg_error *err)
{
    if (cache == NULL)
        return signing_key_ctx(ctx, secret_access_key, date8, region, service, key_out, err);
    if (secret_access_key == NULL || *secret_access_key == '\0')
        return dg_error_set(err, DG_EINVAL, "secret_access_key", "secret access key is empty");
    if (!date8_ok(date8))
        return dg_error_set(err, DG_EINVAL, "date", "scope date must be YYYYMMDD");
    uint8_t sh[32];
    if (sha256_ctx(ctx, secret_access_key, strlen(secret_access_key), sh) != 0)
        return crypto_failed(err, "SHA-256");
    int cacheable = region != NULL && service != NULL && strlen(region) < sizeof cache->region &&
                    strlen(service) < sizeof cache->service;
    if (cacheable && cache->valid && CRYPTO_memcmp(sh, cache->secret_sha256, 32) == 0 &&
        memcmp(cache->date8, date8, 8) == 0 && strcmp(cache->region, region) == 0 &&
        strcmp(cache->service, service) == 0) {
        memcpy(key_out, cache->key, 32);
        OPENSSL_cleanse(sh, sizeof sh);
        return 0;
    }
    int rc = signing_key_ctx(ctx, secret_access_key, date8, region, service, key_out, err);
    if (rc != 0) {
        OPENSSL_cleanse(sh, sizeof sh);
        return rc;
    }
    cache->derivations++;
    if (cacheable) {
        memcpy(cache->secret_sha256, sh, 32);
        memcpy(cache->date8, date8, 8);
        cache->date8[8] = '\0';
        strcpy(cache->region, region);
        strcpy(cache->service, service);
        memcpy(cache->key, key_out, 32);
        cache->valid = true;
    }
    OPENSSL_cleanse(sh, sizeof sh);
    return 0;
}

int dg_sigv4_key_cache_get(dg_sigv4_key_cache *cache, const char *secret_access_key,
                           const char *date8, const char *region, const char *service,
                           uint8_t key_out[32], dg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return oom(err);
    int rc = key_cache_get_ctx(ctx, cache, secret_access_key, date8, region, service, key_out, err);
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ------------------------------------------------------------------ the whole request */

void dg_sigv4_signed_init(dg_sigv4_signed *s)
{
    memset(s, 0, sizeof *s);
    dg_buf_init(&s->authorization);
}

void dg_sigv4_signed_clean_up(dg_sigv4_signed *s)
{
    if (s == NULL)
        return;
    dg_buf_free(&s->authorization);
    memset(s, 0, sizeof *s);
}

int dg_sigv4_sign(const dg_sigv4_params *params, const dg_sigv4_request *req, dg_sigv4_signed *out,
                  dg_error *err)
{
    if (params == NULL || req == NULL || out == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "dg_sigv4_sign: NULL argument");
    const dg_aws_credentials *cr = params->credentials;
    if (cr == NULL || cr->access_key_id == NULL || *cr->access_key_id == '\0' ||
        cr->secret_access_key == NULL || *cr->secret_access_key == '\0')
        return dg_error_set(err, DG_EINVAL, "credentials",
                            "cannot sign: no AWS access key id or secret access key");
    if (req->header_count > 0 && req->headers == NULL)
        return dg_error_set(err, DG_EINVAL, "headers", "header_count > 0 but headers is NULL");
    const char *token = cr->session_token != NULL && *cr->session_token ? cr->session_token : NULL;

    dg_buf_reset(&out->authorization);
    out->security_token = token;
    out->signature[0] = '\0';
    int rc = dg_sigv4_amz_date(params->unix_seconds, out->amz_date, err);
    if (rc != 0)
        return rc;

    const char *payload_hash = NULL;
    int have_host = 0;
    for (size_t i = 0; i < req->header_count; i++) {
        const char *name = req->headers[i].name;
        if (name == NULL)
            return dg_error_set(err, DG_EINVAL, "headers", "header %zu has no name", i);
        if (name_ieq(name, "host")) {
            have_host = req->headers[i].value != NULL && req->headers[i].value[0] != '\0';
        } else if (name_ieq(name, "authorization") || name_ieq(name, "x-amz-date")) {
            return dg_error_set(err, DG_EINVAL, "headers",
                                "the request already has a %s header: the signer sets it", name);
        } else if (name_ieq(name, "x-amz-security-token") && token != NULL) {
            return dg_error_set(err, DG_EINVAL, "headers",
                                "the request already has an X-Amz-Security-Token header and the "
                                "credentials carry a session token");
        } else if (name_ieq(name, "x-amz-content-sha256")) {
            payload_hash = req->headers[i].value;
        }
    }
    if (!have_host)
        return dg_error_set(err, DG_EINVAL, "headers", "the request has no Host header to sign");
    if (payload_hash != NULL) {
        size_t pl = strlen(payload_hash);
        if (pl == 0 || pl > DG_SIGV4_HEX_LEN)
            return dg_error_set(err, DG_EINVAL, "headers",
                                "X-Amz-Content-Sha256 must be a hex SHA-256 or UNSIGNED-PAYLOAD");
        memcpy(out->payload_hash, payload_hash, pl + 1);
    } else if (req->body_len > 0 && req->body == NULL) {
        return dg_error_set(err, DG_EINVAL, "body", "body_len > 0 but body is NULL");
    }
    int add_sha = params->add_content_sha256 && payload_hash == NULL;

    /* Every hash and HMAC of this request on one context. */
    size_t extra = 1 + (token != NULL) + add_sha;
    dg_aws_header local[16];
    dg_aws_header *all = local;
    if (req->header_count + extra > sizeof local / sizeof local[0])
        all = malloc((req->header_count + extra) * sizeof *all);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (all == NULL || ctx == NULL) {
        if (all != local)
            free(all);
        EVP_MD_CTX_free(ctx);
        return oom(err);
    }
    if (payload_hash == NULL &&
        sha256_hex_ctx(ctx, req->body, req->body_len, out->payload_hash) != 0) {
        if (all != local)
            free(all);
        EVP_MD_CTX_free(ctx);
        return crypto_failed(err, "SHA-256");
    }
    if (req->header_count > 0)
        memcpy(all, req->headers, req->header_count * sizeof *all);
    size_t n = req->header_count;
    all[n++] = (dg_aws_header){"X-Amz-Date", out->amz_date};
    if (token != NULL)
        all[n++] = (dg_aws_header){"X-Amz-Security-Token", token};
    if (add_sha)
        all[n++] = (dg_aws_header){"X-Amz-Content-Sha256", out->payload_hash};
    dg_sigv4_request full = *req;
    full.headers = all;
    full.header_count = n;

    dg_buf creq = DG_BUF_INIT, sts = DG_BUF_INIT, list = DG_BUF_INIT;
    uint8_t key[32];
    char date8[9];
    memcpy(date8, out->amz_date, 8);
    date8[8] = '\0';
    /* One allocation each in the usual case (under 1 KiB: glibc consolidates
     * its fast bins on every larger request). */
    dg_buf_reserve(&creq, 500);
    dg_buf_reserve(&sts, 200);
    dg_buf_reserve(&list, 100);
    if ((rc = dg_sigv4_canonical_request(&full, out->payload_hash, &creq, &list, err)) != 0)
        goto done;
    if ((rc = string_to_sign_ctx(ctx, out->amz_date, params->region, params->service, creq.data,
                                 creq.len, &sts, err)) != 0)
        goto done;
    if ((rc = key_cache_get_ctx(ctx, params->key_cache, cr->secret_access_key, date8,
                                params->region, params->service, key, err)) != 0)
        goto done;
    if ((rc = signature_ctx(ctx, key, sts.data, sts.len, out->signature, err)) != 0)
        goto done;
    rc = dg_sigv4_authorization(cr->access_key_id, date8, params->region, params->service,
                                dg_buf_cstr(&list), out->signature, &out->authorization, err);
done:
    OPENSSL_cleanse(key, sizeof key);
    dg_buf_free(&creq);
    dg_buf_free(&sts);
    dg_buf_free(&list);
    if (all != local)
        free(all);
    EVP_MD_CTX_free(ctx);
    if (rc != 0) {
        dg_buf_reset(&out->authorization);
        out->signature[0] = '\0';
    }
    return rc;
}
