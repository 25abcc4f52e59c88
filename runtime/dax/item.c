/* dynagen runtime — DAX codec: key bytes, attribute lists, non-key values
 * and the item forms of responses (§7). */
#include "dax_internal.h"

#include <string.h>

#include "dynagen/codec_util.h"

/* ------------------------------------------------------------------ keys (§7.2) */

static int key_attr(const dg_dax_key_schema *ks, size_t i, const dg_dax_av *item,
                    const dg_dax_av **v, dg_error *err)
{
    const dg_dax_key_attr *ka = &ks->attrs[i];
    *v = dg_dax_item_get(item, ka->name.ptr, ka->name.len);
    if (*v == NULL)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "One of the required keys was not given a value (missing key "
                            "attribute \"%.*s\")",
                            (int)ka->name.len, ka->name.ptr);
    if ((*v)->type != ka->type)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "The provided key element does not match the schema (\"%.*s\" is "
                            "%s, the key schema says %s)",
                            (int)ka->name.len, ka->name.ptr, dg_dax_type_name((*v)->type),
                            dg_dax_type_name(ka->type));
    return 0;
}

int dg_dax_key_encode(const dg_dax_key_schema *ks, const dg_dax_av *item, dg_dax_num_mode mode,
                      dg_buf *out, dg_error *err)
{
    if (ks == NULL || ks->count < 1 || ks->count > 2 || item == NULL || item->type != DG_DAX_M)
        return dg_error_set(err, DG_EINVAL, NULL, "key encoding needs a key schema and an item");
    const dg_dax_av *h, *rv = NULL;
    int rc = key_attr(ks, 0, item, &h, err);
    if (rc == 0 && ks->count == 2)
        rc = key_attr(ks, 1, item, &rv, err);
    if (rc != 0)
        return rc;
    if (ks->count == 1) {
        if (h->type == DG_DAX_S)
            dg_buf_append(out, h->s.ptr, h->s.len);
        else if (h->type == DG_DAX_B)
            dg_buf_append(out, h->b.ptr, h->b.len);
        else if ((rc = dg_dax_number_encode(h->s.ptr, h->s.len, mode, out, err)) != 0)
            return rc;
        return cw_status(out, err);
    }
    if ((rc = dax_write_av(out, h, mode, 0, err)) != 0)
        return rc;
    if (rv->type == DG_DAX_S)
        dg_buf_append(out, rv->s.ptr, rv->s.len);
    else if (rv->type == DG_DAX_B)
        dg_buf_append(out, rv->b.ptr, rv->b.len);
    else if ((rc = dg_dax_lexdec_encode(rv->s.ptr, rv->s.len, out, err)) != 0)
        return rc;
    return cw_status(out, err);
}

static int key_value(const dg_dax_key_attr *ka, const uint8_t *p, size_t n, bool raw_n_lex,
                     const dg_dax_limits *lim, dg_arena *a, dg_dax_av *v, dg_error *err)
{
    memset(v, 0, sizeof *v);
    v->type = ka->type;
    if (ka->type == DG_DAX_S) {
        if (!dg_utf8_valid((const char *)p, n))
            return dg_error_set(err, DG_EINVAL, NULL, "key \"%.*s\": not valid UTF-8",
                                (int)ka->name.len, ka->name.ptr);
        v->s = dg_str_from(n ? (const char *)p : "", n);
        return 0;
    }
    if (ka->type == DG_DAX_B) {
        v->b.ptr = n ? p : (const uint8_t *)"";
        v->b.len = n;
        return 0;
    }
    size_t used = 0;
    int rc;
    if (raw_n_lex) {
        rc = dg_dax_lexdec_decode(p, n, &used, a, &v->s, err);
    } else {
        crd r;
        crd_init(&r, p, n, lim, err);
        rc = dax_read_number(&r, a, &v->s);
        used = r.pos;
    }
    if (rc == DG_DAX_NEED_MORE || (rc == 0 && used != n))
        return dg_error_set(err, DG_EINVAL, NULL, "key \"%.*s\": malformed number",
                            (int)ka->name.len, ka->name.ptr);
    return rc;
}

int dg_dax_key_decode(const dg_dax_key_schema *ks, const uint8_t *p, size_t n,
                      const dg_dax_limits *lim, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    if (ks == NULL || ks->count < 1 || ks->count > 2)
        return dg_error_set(err, DG_EINVAL, NULL, "key decoding needs a key schema");
    out->type = DG_DAX_M;
    out->items = dg_arena_calloc(a, ks->count, sizeof *out->items);
    out->keys = dg_arena_calloc(a, ks->count, sizeof *out->keys);
    if (out->items == NULL || out->keys == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    out->count = ks->count;
    out->keys[0] = ks->attrs[0].name;
    if (ks->count == 1)
        return key_value(&ks->attrs[0], p, n, false, lim, a, &out->items[0], err);
    out->keys[1] = ks->attrs[1].name;
    crd r;
    crd_init(&r, p, n, lim, err);
    int rc;
    dg_dax_av *h = &out->items[0];
    h->type = ks->attrs[0].type;
    if (h->type == DG_DAX_S)
        rc = crd_text(&r, a, &h->s, "hash key");
    else if (h->type == DG_DAX_B)
        rc = crd_string(&r, CT_BYTES, a, &h->b.ptr, &h->b.len, "hash key");
    else
        rc = dax_read_number(&r, a, &h->s);
    if (rc == DG_DAX_NEED_MORE)
        return dg_error_set(err, DG_EINVAL, NULL, "key bytes: truncated hash key");
    if (rc != 0)
        return rc;
    return key_value(&ks->attrs[1], p + r.pos, n - r.pos, true, lim, a, &out->items[1], err);
}

/* ------------------------------------------------------------------ attribute names (§7.3) */

/* Next UTF-16 code unit of a UTF-8 string (pending low surrogate in *lo). */
static int next_unit(const unsigned char *s, size_t n, size_t *i, unsigned *lo)
{
    if (*lo) {
        int u = (int)*lo;
        *lo = 0;
        return u;
    }
    if (*i >= n)
        return -1;
    unsigned c = s[*i], cp;
    size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (*i + len > n)
        len = n - *i;
    cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < len; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    *i += len;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *lo = 0xdc00 + (cp & 0x3ff);
        return (int)(0xd800 + (cp >> 10));
    }
    return (int)cp;
}

int dg_dax_name_compare(dg_str x, dg_str y)
{
    size_t i = 0, j = 0;
    unsigned lx = 0, ly = 0;
    for (;;) {
        int a = next_unit((const unsigned char *)x.ptr, x.len, &i, &lx);
        int b = next_unit((const unsigned char *)y.ptr, y.len, &j, &ly);
        if (a != b)
            return a < b ? -1 : 1;
        if (a < 0)
            return 0;
    }
}

static bool is_key_name(const dg_dax_key_schema *ks, dg_str n)
{
    for (size_t k = 0; ks && k < ks->count; k++)
        if (ks->attrs[k].name.len == n.len && memcmp(ks->attrs[k].name.ptr, n.ptr, n.len) == 0)
            return true;
    return false;
}

int dg_dax_item_attr_names(const dg_dax_av *item, const dg_dax_key_schema *ks, dg_arena *a,
                           dg_dax_names *out, dg_error *err)
{
    out->names = NULL;
    out->count = 0;
    if (item == NULL || item->type != DG_DAX_M)
        return dg_error_set(err, DG_EINVAL, NULL, "an item must be a map");
    out->names = dg_arena_calloc(a, item->count ? item->count : 1, sizeof *out->names);
    if (out->names == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < item->count; i++) {
        dg_str n = item->keys[i];
        if (is_key_name(ks, n))
            continue;
        size_t k = out->count++; /* insertion sort: items are small */
        while (k > 0 && dg_dax_name_compare(out->names[k - 1], n) > 0) {
            out->names[k] = out->names[k - 1];
            k--;
        }
        out->names[k] = n;
    }
    return 0;
}

int dg_dax_nonkey_encode(const dg_dax_av *item, const dg_dax_names *names, uint64_t list_id,
                         dg_dax_num_mode mode, dg_buf *out, dg_error *err)
{
    cw_uint(out, list_id);
    for (size_t i = 0; i < names->count; i++) {
        const dg_dax_av *v = dg_dax_item_get(item, names->names[i].ptr, names->names[i].len);
        if (v == NULL)
            return dg_error_set(err, DG_EINVAL, NULL, "item has no attribute \"%.*s\"",
                                (int)names->names[i].len, names->names[i].ptr);
        int rc = dax_write_av(out, v, mode, 0, err);
        if (rc != 0) {
            dg_error_push_field(err, names->names[i].ptr);
            return rc;
        }
    }
    return cw_status(out, err);
}

static int nonkey_content(const uint8_t *p, size_t n, const dg_dax_limits *lim, dg_arena *a,
                          uint64_t *list_id, dg_dax_av **values, size_t *count, dg_error *err)
{
    crd r;
    crd_init(&r, p, n, lim, err);
    *values = NULL;
    *count = 0;
    size_t cap = 0;
    int rc = crd_uint(&r, list_id, "attribute list id");
    while (rc == 0 && !crd_at_end(&r)) {
        dg_dax_av *v = dax_grow(a, *values, &cap, *count, sizeof *v);
        if (v == NULL)
            return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
        *values = v;
        if ((rc = dax_read_av(&r, a, 1, &v[*count])) == 0)
            (*count)++;
        if (*count > r.lim->max_count)
            return dg_error_set(err, DG_ETOOBIG, NULL, "too many attribute values");
    }
    if (rc == DG_DAX_NEED_MORE) /* the byte string is complete: a cut value is malformed */
        return dg_error_set(err, DG_EINVAL, NULL, "malformed item: truncated attribute value");
    return rc;
}

int dg_dax_nonkey_decode(const uint8_t *p, size_t n, const dg_dax_limits *lim, dg_arena *a,
                         uint64_t *list_id, dg_dax_av **values, size_t *count, dg_error *err)
{
    return nonkey_content(p, n, lim, a, list_id, values, count, err);
}

int dax_read_nonkey_bytes(crd *r, dg_arena *a, uint64_t *list_id, dg_dax_av **values, size_t *count)
{
    const uint8_t *p;
    size_t n;
    int rc = crd_string(r, CT_BYTES, a, &p, &n, "item");
    if (rc != 0)
        return rc;
    return nonkey_content(p, n, r->lim, a, list_id, values, count, r->err);
}

int dax_materialize(const dg_dax_resolver *res, uint64_t list_id, dg_dax_av *values, size_t count,
                    const dg_dax_av *key_from, const dg_dax_key_schema *ks, dg_arena *a,
                    dg_dax_av *out, dg_error *err)
{
    dg_dax_names names = {NULL, 0};
    if (list_id != 1 || count != 0) { /* id 1: the empty list */
        if (res == NULL || res->attr_list == NULL)
            return dg_error_set(err, DG_EINVAL, NULL,
                                "attribute list %llu: no resolver to look it up",
                                (unsigned long long)list_id);
        int rc = res->attr_list(res->ctx, list_id, &names, err);
        if (rc != 0)
            return rc;
    }
    if (names.count != count)
        return dg_error_set(err, DG_EINVAL, NULL,
                            "malformed item: attribute list %llu has %zu names, the item %zu "
                            "values",
                            (unsigned long long)list_id, names.count, count);
    size_t nk = 0;
    const dg_dax_av *kv[2] = {NULL, NULL};
    dg_str kn[2];
    if (key_from != NULL && ks != NULL) {
        for (size_t k = 0; k < ks->count; k++) {
            const dg_dax_av *v =
                dg_dax_item_get(key_from, ks->attrs[k].name.ptr, ks->attrs[k].name.len);
            if (v != NULL)
                kv[nk] = v, kn[nk] = ks->attrs[k].name, nk++;
        }
    } else if (key_from != NULL && key_from->type == DG_DAX_M) {
        for (size_t k = 0; k < key_from->count && k < 2; k++)
            kv[nk] = &key_from->items[k], kn[nk] = key_from->keys[k], nk++;
    }
    memset(out, 0, sizeof *out);
    out->type = DG_DAX_M;
    size_t total = nk + count;
    out->items = dg_arena_calloc(a, total ? total : 1, sizeof *out->items);
    out->keys = dg_arena_calloc(a, total ? total : 1, sizeof *out->keys);
    if (out->items == NULL || out->keys == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    for (size_t k = 0; k < nk; k++)
        out->items[k] = *kv[k], out->keys[k] = kn[k];
    for (size_t i = 0; i < count; i++)
        out->items[nk + i] = values[i], out->keys[nk + i] = names.names[i];
    out->count = total;
    return 0;
}

/* ------------------------------------------------------------------ projections */

typedef struct pnode pnode;
struct pnode {
    int kind; /* 0 empty, 1 map, 2 list, 3 leaf */
    dg_dax_av leaf;
    size_t n, cap;
    dg_str *keys;
    uint32_t *idx;
    pnode **kids;
};

static pnode *pnode_child(dg_arena *a, pnode *p, const dg_dax_path_elem *e, int want_kind)
{
    int kind = e->is_index ? 2 : 1;
    if (p->kind == 0)
        p->kind = kind;
    if (p->kind != kind)
        return NULL;
    for (size_t i = 0; i < p->n; i++) {
        bool hit = e->is_index ? p->idx[i] == e->index
                               : (p->keys[i].len == e->name.len &&
                                  memcmp(p->keys[i].ptr, e->name.ptr, e->name.len) == 0);
        if (hit)
            return (want_kind == 3 || p->kids[i]->kind == 0 || p->kids[i]->kind == want_kind)
                       ? p->kids[i]
                       : NULL;
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 4;
        pnode **k = dg_arena_realloc(a, p->kids, p->cap * sizeof *k, nc * sizeof *k);
        dg_str *ks = dg_arena_realloc(a, p->keys, p->cap * sizeof *ks, nc * sizeof *ks);
        uint32_t *ix = dg_arena_realloc(a, p->idx, p->cap * sizeof *ix, nc * sizeof *ix);
        if (!k || !ks || !ix)
            return NULL;
        p->kids = k, p->keys = ks, p->idx = ix, p->cap = nc;
    }
    pnode *c = dg_arena_calloc(a, 1, sizeof *c);
    if (c == NULL)
        return NULL;
    p->kids[p->n] = c;
    p->keys[p->n] = e->name;
    p->idx[p->n] = e->index;
    p->n++;
    return c;
}

static int pnode_to_av(dg_arena *a, pnode *p, dg_dax_av *out)
{
    memset(out, 0, sizeof *out);
    if (p->kind == 3) {
        *out = p->leaf;
        return 0;
    }
    out->type = p->kind == 2 ? DG_DAX_L : DG_DAX_M;
    out->count = p->n;
    out->items = dg_arena_calloc(a, p->n ? p->n : 1, sizeof *out->items);
    if (out->items == NULL)
        return DG_ENOMEM;
    if (p->kind == 2) { /* list: document order of the indexes, gaps closed */
        for (size_t i = 1; i < p->n; i++)
            for (size_t j = i; j > 0 && p->idx[j - 1] > p->idx[j]; j--) {
                uint32_t t = p->idx[j];
                p->idx[j] = p->idx[j - 1], p->idx[j - 1] = t;
                pnode *k = p->kids[j];
                p->kids[j] = p->kids[j - 1], p->kids[j - 1] = k;
            }
    } else {
        out->keys = dg_arena_calloc(a, p->n ? p->n : 1, sizeof *out->keys);
        if (out->keys == NULL)
            return DG_ENOMEM;
        if (p->n)
            memcpy(out->keys, p->keys, p->n * sizeof *out->keys);
    }
    for (size_t i = 0; i < p->n; i++) {
        int rc = pnode_to_av(a, p->kids[i], &out->items[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int dax_build_projection(const dg_dax_projection *proj, const uint64_t *ords, const dg_dax_av *vals,
                         size_t n, dg_arena *a, dg_dax_av *out, dg_error *err)
{
    pnode root;
    memset(&root, 0, sizeof root);
    root.kind = 1;
    for (size_t i = 0; i < n; i++) {
        if (proj == NULL || ords[i] >= proj->count)
            return dg_error_set(err, DG_EINVAL, NULL,
                                "malformed projected item: ordinal %llu is not in the projection",
                                (unsigned long long)ords[i]);
        const dg_dax_path *path = &proj->paths[ords[i]];
        pnode *p = &root;
        for (size_t k = 0; k < path->count && p != NULL; k++) {
            int want = k + 1 < path->count ? (path->elems[k + 1].is_index ? 2 : 1) : 3;
            p = pnode_child(a, p, &path->elems[k], want);
        }
        if (p == NULL || path->count == 0 || p->kind != 0)
            return dg_error_set(err, DG_EINVAL, NULL,
                                "malformed projected item: conflicting or repeated paths");
        p->kind = 3;
        p->leaf = vals[i];
    }
    if (pnode_to_av(a, &root, out) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    return 0;
}
