/* dynagen runtime — DAX codec: CBOR writing (libcbor encoders) and a
 * bounded pull reader over libcbor's streaming decoder (cbor_stream_decode).
 *
 * The reader never trusts a declared length: string lengths and container
 * counts are checked against dg_dax_limits before the payload is awaited,
 * so "need more bytes" (DG_DAX_NEED_MORE) is only reported for input that
 * could still become a valid message within the limits. */
#include "dax_internal.h"

#include <cbor.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dynagen/codec_util.h"

/* ------------------------------------------------------------------ writer */

static void put(dg_buf *b, const unsigned char *p, size_t n)
{
    if (n == 0) {
        b->failed = 1; /* libcbor reports 0 on a too-small buffer: never here */
        return;
    }
    dg_buf_append(b, p, n);
}

void cw_uint(dg_buf *b, uint64_t v)
{
    unsigned char t[9];
    put(b, t, cbor_encode_uint(v, t, sizeof t));
}

void cw_negint_raw(dg_buf *b, uint64_t raw)
{
    unsigned char t[9];
    put(b, t, cbor_encode_negint(raw, t, sizeof t));
}

void cw_int(dg_buf *b, int64_t v)
{
    if (v >= 0)
        cw_uint(b, (uint64_t)v);
    else
        cw_negint_raw(b, (uint64_t)(-(v + 1)));
}

void cw_bytes_head(dg_buf *b, size_t n)
{
    unsigned char t[9];
    put(b, t, cbor_encode_bytestring_start(n, t, sizeof t));
}

void cw_bytes(dg_buf *b, const void *p, size_t n)
{
    cw_bytes_head(b, n);
    if (n)
        dg_buf_append(b, p, n);
}

void cw_text(dg_buf *b, const char *p, size_t n)
{
    unsigned char t[9];
    put(b, t, cbor_encode_string_start(n, t, sizeof t));
    if (n)
        dg_buf_append(b, p, n);
}

void cw_cstr(dg_buf *b, const char *s)
{
    cw_text(b, s, strlen(s));
}

void cw_array(dg_buf *b, size_t n)
{
    unsigned char t[9];
    put(b, t, cbor_encode_array_start(n, t, sizeof t));
}

void cw_map(dg_buf *b, size_t n)
{
    unsigned char t[9];
    put(b, t, cbor_encode_map_start(n, t, sizeof t));
}

void cw_indef_map(dg_buf *b)
{
    unsigned char t[1];
    put(b, t, cbor_encode_indef_map_start(t, sizeof t));
}

void cw_break(dg_buf *b)
{
    unsigned char t[1];
    put(b, t, cbor_encode_break(t, sizeof t));
}

void cw_tag(dg_buf *b, uint64_t tag)
{
    unsigned char t[9];
    put(b, t, cbor_encode_tag(tag, t, sizeof t));
}

void cw_bool(dg_buf *b, bool v)
{
    unsigned char t[1];
    put(b, t, cbor_encode_bool(v, t, sizeof t));
}

void cw_null(dg_buf *b)
{
    unsigned char t[1];
    put(b, t, cbor_encode_null(t, sizeof t));
}

void cw_double(dg_buf *b, double d)
{
    unsigned char t[9];
    put(b, t, cbor_encode_double(d, t, sizeof t));
}

void cw_wrap_bytes(dg_buf *b, const dg_buf *inner)
{
    if (inner->failed) {
        b->failed = 1;
        return;
    }
    cw_bytes(b, inner->data, inner->len);
}

int cw_status(const dg_buf *b, dg_error *err)
{
    if (dg_buf_status(b) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "DAX encoder: out of memory");
    return 0;
}

/* ------------------------------------------------------------------ limits */

static const dg_dax_limits k_default_limits = {
    .max_message = 64u << 20,
    .max_string = 16u << 20,
    .max_count = 1u << 20,
    .max_depth = 64,
};

const dg_dax_limits *dg_dax_default_limits(void)
{
    return &k_default_limits;
}

/* ------------------------------------------------------------------ reader */

void crd_init(crd *r, const uint8_t *p, size_t n, const dg_dax_limits *lim, dg_error *err)
{
    r->p = p;
    r->n = n;
    r->pos = 0;
    r->lim = lim != NULL ? lim : &k_default_limits;
    r->err = err;
    if (r->n > r->lim->max_message)
        r->n = r->lim->max_message + 1; /* anything past the bound is never read */
}

int crd_malformed(crd *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dg_error_set(r->err, DG_EINVAL, NULL, "malformed DAX message at byte %zu: %s", r->pos,
                        msg);
}

bool crd_at_end(const crd *r)
{
    return r->pos >= r->n;
}

/* libcbor callbacks: each fills the token. */
#define TOK(ctx) ((ctok *)(ctx))
static void cb_u8(void *c, uint8_t v)
{
    TOK(c)->kind = CT_UINT, TOK(c)->u = v;
}
static void cb_u16(void *c, uint16_t v)
{
    TOK(c)->kind = CT_UINT, TOK(c)->u = v;
}
static void cb_u32(void *c, uint32_t v)
{
    TOK(c)->kind = CT_UINT, TOK(c)->u = v;
}
static void cb_u64(void *c, uint64_t v)
{
    TOK(c)->kind = CT_UINT, TOK(c)->u = v;
}
static void cb_n8(void *c, uint8_t v)
{
    TOK(c)->kind = CT_NEGINT, TOK(c)->u = v;
}
static void cb_n16(void *c, uint16_t v)
{
    TOK(c)->kind = CT_NEGINT, TOK(c)->u = v;
}
static void cb_n32(void *c, uint32_t v)
{
    TOK(c)->kind = CT_NEGINT, TOK(c)->u = v;
}
static void cb_n64(void *c, uint64_t v)
{
    TOK(c)->kind = CT_NEGINT, TOK(c)->u = v;
}
static void cb_bstart(void *c)
{
    TOK(c)->kind = CT_BYTES_INDEF;
}
static void cb_bytes(void *c, cbor_data d, size_t n)
{
    TOK(c)->kind = CT_BYTES, TOK(c)->ptr = d, TOK(c)->len = n;
}
static void cb_text(void *c, cbor_data d, size_t n)
{
    TOK(c)->kind = CT_TEXT, TOK(c)->ptr = d, TOK(c)->len = n;
}
static void cb_tstart(void *c)
{
    TOK(c)->kind = CT_TEXT_INDEF;
}
static void cb_aindef(void *c)
{
    TOK(c)->kind = CT_ARRAY_INDEF;
}
static void cb_array(void *c, size_t n)
{
    TOK(c)->kind = CT_ARRAY, TOK(c)->u = n;
}
static void cb_mindef(void *c)
{
    TOK(c)->kind = CT_MAP_INDEF;
}
static void cb_map(void *c, size_t n)
{
    TOK(c)->kind = CT_MAP, TOK(c)->u = n;
}
static void cb_tag(void *c, uint64_t v)
{
    TOK(c)->kind = CT_TAG, TOK(c)->u = v;
}
static void cb_f2(void *c, float f)
{
    TOK(c)->kind = CT_FLOAT, TOK(c)->f = f;
}
static void cb_f4(void *c, float f)
{
    TOK(c)->kind = CT_FLOAT, TOK(c)->f = f;
}
static void cb_f8(void *c, double f)
{
    TOK(c)->kind = CT_FLOAT, TOK(c)->f = f;
}
static void cb_undef(void *c)
{
    TOK(c)->kind = CT_UNDEF;
}
static void cb_null(void *c)
{
    TOK(c)->kind = CT_NULL;
}
static void cb_bool(void *c, bool v)
{
    TOK(c)->kind = CT_BOOL, TOK(c)->b = v;
}
static void cb_break(void *c)
{
    TOK(c)->kind = CT_BREAK;
}

static const struct cbor_callbacks k_callbacks = {
    .uint8 = cb_u8,
    .uint16 = cb_u16,
    .uint32 = cb_u32,
    .uint64 = cb_u64,
    .negint8 = cb_n8,
    .negint16 = cb_n16,
    .negint32 = cb_n32,
    .negint64 = cb_n64,
    .byte_string_start = cb_bstart,
    .byte_string = cb_bytes,
    .string = cb_text,
    .string_start = cb_tstart,
    .indef_array_start = cb_aindef,
    .array_start = cb_array,
    .indef_map_start = cb_mindef,
    .map_start = cb_map,
    .tag = cb_tag,
    .float2 = cb_f2,
    .float4 = cb_f4,
    .float8 = cb_f8,
    .undefined = cb_undef,
    .null = cb_null,
    .boolean = cb_bool,
    .indef_break = cb_break,
};

/* The length argument of a string / container head at p (already known to
 * be major type 2..5 with a definite length), or NEED_MORE. */
static int head_arg(const crd *r, uint64_t *arg)
{
    size_t avail = r->n - r->pos;
    const uint8_t *q = r->p + r->pos;
    unsigned ai = q[0] & 31u;
    size_t w = ai < 24 ? 0 : ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : 8;
    if (avail < 1 + w)
        return DG_DAX_NEED_MORE;
    uint64_t v = ai < 24 ? ai : 0;
    for (size_t i = 0; i < w; i++)
        v = (v << 8) | q[1 + i];
    *arg = v;
    return 0;
}

int crd_next(crd *r, ctok *t)
{
    if (r->pos >= r->n) {
        if (r->pos >= r->lim->max_message)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message longer than the limit of %zu bytes",
                                r->lim->max_message);
        return DG_DAX_NEED_MORE;
    }
    uint8_t ib = r->p[r->pos];
    unsigned major = ib >> 5, ai = ib & 31u;
    if (major >= 2 && major <= 5 && ai <= 27) {
        /* Bound the declared length before libcbor waits for the payload
         * (and before any size arithmetic on it). */
        uint64_t arg;
        int rc = head_arg(r, &arg);
        if (rc != 0)
            return rc;
        if (major <= 3 && arg > r->lim->max_string)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message: string of %llu bytes at byte %zu exceeds the "
                                "limit of %zu",
                                (unsigned long long)arg, r->pos, r->lim->max_string);
        if (major >= 4 && arg > r->lim->max_count)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message: %s of %llu elements at byte %zu exceeds the "
                                "limit of %zu",
                                major == 4 ? "array" : "map", (unsigned long long)arg, r->pos,
                                r->lim->max_count);
        if (major <= 3 && r->pos + 1 + arg > r->lim->max_message)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message longer than the limit of %zu bytes",
                                r->lim->max_message);
    }
    memset(t, 0, sizeof *t);
    struct cbor_decoder_result res =
        cbor_stream_decode(r->p + r->pos, r->n - r->pos, &k_callbacks, t);
    switch (res.status) {
    case CBOR_DECODER_FINISHED:
        r->pos += res.read;
        if (r->pos > r->lim->max_message)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message longer than the limit of %zu bytes",
                                r->lim->max_message);
        return 0;
    case CBOR_DECODER_NEDATA:
        if (r->n > r->lim->max_message)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message longer than the limit of %zu bytes",
                                r->lim->max_message);
        return DG_DAX_NEED_MORE;
    default:
        return crd_malformed(r, "invalid CBOR initial byte 0x%02x", ib);
    }
}

int crd_peek(crd *r, ctok *t)
{
    size_t save = r->pos;
    int rc = crd_next(r, t);
    r->pos = save;
    return rc;
}

static int skip_chunks(crd *r, ctok_kind chunk)
{
    size_t total = 0;
    for (;;) {
        ctok t;
        int rc = crd_next(r, &t);
        if (rc != 0)
            return rc;
        if (t.kind == CT_BREAK)
            return 0;
        if (t.kind != chunk)
            return crd_malformed(r, "bad chunk in an indefinite-length string");
        total += t.len;
        if (total > r->lim->max_string)
            return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                "DAX message: chunked string exceeds the limit of %zu bytes",
                                r->lim->max_string);
    }
}

static int skip_tok(crd *r, const ctok *t, unsigned depth);

int crd_skip(crd *r, unsigned depth)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind == CT_BREAK)
        return crd_malformed(r, "unexpected break");
    return skip_tok(r, &t, depth);
}

static int skip_tok(crd *r, const ctok *t, unsigned depth)
{
    if (depth > r->lim->max_depth)
        return dg_error_set(r->err, DG_ETOOBIG, NULL, "DAX message nested deeper than %u levels",
                            r->lim->max_depth);
    int rc;
    switch (t->kind) {
    case CT_BYTES_INDEF:
        return skip_chunks(r, CT_BYTES);
    case CT_TEXT_INDEF:
        return skip_chunks(r, CT_TEXT);
    case CT_ARRAY:
    case CT_MAP: {
        uint64_t k = t->kind == CT_MAP ? 2 * t->u : t->u;
        for (uint64_t i = 0; i < k; i++)
            if ((rc = crd_skip(r, depth + 1)) != 0)
                return rc;
        return 0;
    }
    case CT_ARRAY_INDEF:
    case CT_MAP_INDEF: {
        size_t items = 0;
        for (;;) {
            ctok c;
            if ((rc = crd_next(r, &c)) != 0)
                return rc;
            if (c.kind == CT_BREAK)
                break;
            if ((rc = skip_tok(r, &c, depth + 1)) != 0)
                return rc;
            if (++items > 2 * r->lim->max_count)
                return dg_error_set(r->err, DG_ETOOBIG, NULL,
                                    "DAX message: container exceeds the limit of %zu elements",
                                    r->lim->max_count);
        }
        if (t->kind == CT_MAP_INDEF && items % 2 != 0)
            return crd_malformed(r, "indefinite map with an odd number of items");
        return 0;
    }
    case CT_TAG:
        return crd_skip(r, depth + 1);
    case CT_BREAK:
        return crd_malformed(r, "unexpected break");
    default:
        return 0;
    }
}

int crd_string(crd *r, ctok_kind want, dg_arena *a, const uint8_t **p, size_t *n, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    ctok_kind indef = want == CT_TEXT ? CT_TEXT_INDEF : CT_BYTES_INDEF;
    if (t.kind == want) {
        *p = t.ptr;
        *n = t.len;
    } else if (t.kind == indef) {
        size_t start = r->pos;
        if ((rc = skip_chunks(r, want)) != 0)
            return rc;
        /* second pass: concatenate */
        size_t total = 0, end = r->pos;
        r->pos = start;
        ctok c;
        while (crd_next(r, &c) == 0 && c.kind == want)
            total += c.len;
        uint8_t *buf = dg_arena_alloc(a, total + 1);
        if (buf == NULL)
            return dg_error_set(r->err, DG_ENOMEM, NULL, "out of memory");
        r->pos = start;
        size_t o = 0;
        while (crd_next(r, &c) == 0 && c.kind == want) {
            if (c.len)
                memcpy(buf + o, c.ptr, c.len);
            o += c.len;
        }
        buf[o] = 0;
        r->pos = end;
        *p = buf;
        *n = total;
    } else {
        return crd_malformed(r, "%s: expected a %s string", what,
                             want == CT_TEXT ? "text" : "byte");
    }
    if (want == CT_TEXT && !dg_utf8_valid((const char *)*p, *n))
        return crd_malformed(r, "%s: text is not valid UTF-8", what);
    if (*p == NULL)
        *p = (const uint8_t *)"";
    return 0;
}

int crd_text(crd *r, dg_arena *a, dg_str *out, const char *what)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_TEXT, a, &p, &n, what);
    if (rc == 0)
        *out = dg_str_from((const char *)p, n);
    return rc;
}

int crd_uint(crd *r, uint64_t *v, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind != CT_UINT)
        return crd_malformed(r, "%s: expected an unsigned integer", what);
    *v = t.u;
    return 0;
}

int crd_int(crd *r, int64_t *v, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind == CT_UINT && t.u <= (uint64_t)INT64_MAX)
        *v = (int64_t)t.u;
    else if (t.kind == CT_NEGINT && t.u <= (uint64_t)INT64_MAX)
        *v = -1 - (int64_t)t.u;
    else
        return crd_malformed(r, "%s: expected a 64-bit integer", what);
    return 0;
}

static int short_container(crd *r)
{
    if (r->n > r->lim->max_message)
        return dg_error_set(r->err, DG_ETOOBIG, NULL,
                            "DAX message longer than the limit of %zu bytes", r->lim->max_message);
    return DG_DAX_NEED_MORE;
}

int crd_array(crd *r, size_t *count, bool *indef, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind == CT_ARRAY) {
        *count = (size_t)t.u;
        if (indef)
            *indef = false;
        if (t.u > r->n - r->pos) /* every element takes a byte */
            return short_container(r);
        return 0;
    }
    if (t.kind == CT_ARRAY_INDEF && indef != NULL) {
        *count = 0;
        *indef = true;
        return 0;
    }
    return crd_malformed(r, "%s: expected an array", what);
}

int crd_map(crd *r, size_t *count, bool *indef, const char *what)
{
    ctok t;
    int rc = crd_next(r, &t);
    if (rc != 0)
        return rc;
    if (t.kind == CT_MAP) {
        *count = (size_t)t.u;
        if (indef)
            *indef = false;
        if (t.u > (r->n - r->pos) / 2)
            return short_container(r);
        return 0;
    }
    if (t.kind == CT_MAP_INDEF && indef != NULL) {
        *count = 0;
        *indef = true;
        return 0;
    }
    return crd_malformed(r, "%s: expected a map", what);
}

int crd_break_next(crd *r, bool *is_break)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    *is_break = t.kind == CT_BREAK;
    if (*is_break)
        return crd_next(r, &t);
    return 0;
}

int crd_null_next(crd *r, bool *is_null)
{
    ctok t;
    int rc = crd_peek(r, &t);
    if (rc != 0)
        return rc;
    *is_null = t.kind == CT_NULL;
    if (*is_null)
        return crd_next(r, &t);
    return 0;
}

/* ------------------------------------------------------------------ scanners */

int dg_dax_items_scan(const uint8_t *p, size_t n, size_t count, const dg_dax_limits *lim,
                      size_t *len)
{
    dg_error err;
    crd r;
    crd_init(&r, p, n, lim, &err);
    for (size_t i = 0; i < count; i++) {
        int rc = crd_skip(&r, 0);
        if (rc != 0)
            return rc;
    }
    *len = r.pos;
    return 0;
}

int dg_dax_preamble_scan(const uint8_t *p, size_t n, const dg_dax_limits *lim, size_t *len)
{
    return dg_dax_items_scan(p, n, 5, lim, len);
}

int dg_dax_request_scan(const uint8_t *p, size_t n, const dg_dax_limits *lim, int64_t *method_id,
                        size_t *len)
{
    dg_error err;
    crd r;
    crd_init(&r, p, n, lim, &err);
    uint64_t svc;
    int64_t m;
    int rc = crd_uint(&r, &svc, "service id");
    if (rc != 0)
        return rc;
    if ((rc = crd_int(&r, &m, "method id")) != 0)
        return rc;
    if (method_id)
        *method_id = m;
    int args = dg_dax_method_arg_count(m);
    if (args < 0)
        return DG_EUNSUPPORTED;
    for (int i = 0; i < args; i++)
        if ((rc = crd_skip(&r, 0)) != 0)
            return rc;
    *len = r.pos;
    return 0;
}

int dg_dax_response_scan(int64_t method_id, const uint8_t *p, size_t n, const dg_dax_limits *lim,
                         size_t *len)
{
    int results = dg_dax_method_result_count(method_id);
    if (results < 0)
        return DG_EUNSUPPORTED;
    if (n == 0)
        return DG_DAX_NEED_MORE;
    if (p[0] == 0x80) /* success: the literal empty array (§5) */
        return dg_dax_items_scan(p, n, 1 + (size_t)results, lim, len);
    return dg_dax_items_scan(p, n, 3, lim, len);
}

/* ------------------------------------------------------------------ methods */

static const struct {
    int64_t id;
    const char *name;
    int args;
    int results;
} k_methods[] = {
    {DG_DAX_AUTHORIZE_CONNECTION, "authorizeConnection", 5, -1},
    {DG_DAX_ENDPOINTS, "endpoints", 0, 1},
    {DG_DAX_DEFINE_KEY_SCHEMA, "defineKeySchema", 1, 1},
    {DG_DAX_DEFINE_ATTRIBUTE_LIST_ID, "defineAttributeListId", 1, 1},
    {DG_DAX_DEFINE_ATTRIBUTE_LIST, "defineAttributeList", 1, 1},
    {DG_DAX_GET_ITEM, "getItem", 3, 1},
    {DG_DAX_PUT_ITEM, "putItem", 4, 1},
    {DG_DAX_DELETE_ITEM, "deleteItem", 3, 1},
    {DG_DAX_UPDATE_ITEM, "updateItem", 3, 1},
    {DG_DAX_QUERY, "query", 3, 1},
    {DG_DAX_SCAN, "scan", 2, 1},
    {DG_DAX_BATCH_GET_ITEM, "batchGetItem", 2, 2},
    {DG_DAX_BATCH_WRITE_ITEM, "batchWriteItem", 2, 3},
    {DG_DAX_TRANSACT_GET_ITEMS, "transactGetItems", 4, 1},
    {DG_DAX_TRANSACT_WRITE_ITEMS, "transactWriteItems", 9, 1},
};

static int method_index(int64_t id)
{
    for (size_t i = 0; i < sizeof k_methods / sizeof k_methods[0]; i++)
        if (k_methods[i].id == id)
            return (int)i;
    return -1;
}

const char *dg_dax_method_name(int64_t id)
{
    int i = method_index(id);
    return i < 0 ? NULL : k_methods[i].name;
}

int dg_dax_method_arg_count(int64_t id)
{
    int i = method_index(id);
    return i < 0 ? -1 : k_methods[i].args;
}

int dg_dax_method_result_count(int64_t id)
{
    int i = method_index(id);
    return i < 0 ? -1 : k_methods[i].results;
}

void *dax_grow(dg_arena *a, void *arr, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return arr;
    size_t nc = *cap ? *cap * 2 : 8;
    void *n = dg_arena_realloc(a, arr, *cap * elem, nc * elem);
    if (n != NULL)
        *cap = nc;
    return n;
}
