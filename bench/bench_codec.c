/* bench-codec, dynagen side: a realistic Product through DynamoDB JSON.
 *
 *   bench_codec --emit FILE
 *       Build the benchmark Product, validate it, marshal it with
 *       product_to_ddb and write the DynamoDB JSON to FILE. That file is the
 *       one input of both sides (this program and bench/codec_node.js).
 *   bench_codec --input FILE [--rounds N] [--round-ms MS] [--warmup-ms MS]
 *       Read FILE and measure, each for `rounds` rounds of `round-ms`:
 *         roundtrip  product_from_ddb(FILE bytes) then product_to_ddb(result)
 *                    (one unmarshal + one marshal per item: what Node does)
 *         unmarshal  product_from_ddb alone (arena reset per item)
 *         marshal    product_to_ddb alone (buffer reused)
 *         cjson      cJSON_ParseWithLength + cJSON_Delete of the same bytes
 *                    (reference: a bare tree parse, no typed decode; unmarshal
 *                    itself streams and builds no tree)
 *       Prints one line per round: "round <kind> <items_per_second>", then
 *       "checksum <n>" (every result is folded into it so nothing is dead code).
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "products.h"

static volatile uint64_t g_sink;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const dg_error *err)
{
    fprintf(stderr, "bench_codec: %s: %s (%s)\n", what, err ? err->message : "",
            err ? dg_strerror(err->code) : "");
    exit(1);
}

/* ---------------------------------------------------------------- the item */

#define S(lit) DG_STR(lit)

static dg_str g_tags[] = {S("running"),  S("trail"), S("waterproof"),
                          S("gore-tex"), S("men"),   S("vibram")};
static dg_str g_spec_keys[] = {S("color"),  S("material"), S("sole"),   S("drop_mm"),
                               S("weight"), S("origin"),   S("closure")};
static dg_str g_spec_vals[] = {S("Slate Grey / Orange"), S("Engineered mesh, TPU overlays"),
                               S("Vibram Megagrip"),     S("6"),
                               S("310 g (size 44)"),     S("Vietnam"),
                               S("Quick-lace")};

static void build_product(product_t *p)
{
    product_init(p);
    product_set_product_id(p, S("0b7d2c4e-9f1a-4c3b-8e6d-2a5f7c9e1b3d"));
    product_set_version(p, 0);
    product_set_name(p, S("Trail Running Shoe \xe2\x80\x94 Men's Gore-Tex, Size 44"));
    product_set_description(
        p, S("A waterproof trail running shoe for long days on rough ground. The Gore-Tex "
             "membrane keeps feet dry in wet conditions while the engineered mesh upper stays "
             "breathable; a rock plate protects the forefoot and the 4 mm lugs grip on mud, "
             "scree and wet roots. Fits true to size; \"wide\" models are sold separately. "
             "Gr\xc3\xb6\xc3\x9f"
             "e 44 EU / 10 UK."));
    product_set_category(p, S("footwear-running"));
    product_set_price(p, 12999); /* 129.99 */
    product_set_currency(p, S("EUR"));
    product_set_stock(p, 342);
    product_set_active(p, true);
    product_set_tags(p, (dg_set){g_tags, sizeof g_tags / sizeof *g_tags});
    product_set_specs(p,
                      (dg_map){g_spec_keys, g_spec_vals, sizeof g_spec_keys / sizeof *g_spec_keys});
    product_dimensions_t dim;
    memset(&dim, 0, sizeof dim);
    product_dimensions_set_width_mm(&dim, 120);
    product_dimensions_set_height_mm(&dim, 130);
    product_dimensions_set_depth_mm(&dim, 330);
    product_dimensions_set_weight_g(&dim, 620);
    product_set_dimensions(p, &dim);
    product_set_created_at(p, INT64_C(1764070442123)); /* 2025-11-25T11:34:02.123Z */
    product_set_updated_at(p, INT64_C(1764156842456));
    product_set_expires_at(p, INT64_C(1795606442)); /* seconds */
}

/* Fold a decoded product into a number (reads every field kind). */
static uint64_t digest(const product_t *p)
{
    uint64_t h = p->present;
    h = h * 31 + p->product_id.len + (unsigned char)p->product_id.ptr[0];
    h = h * 31 + p->name.len + p->description.len + p->category.len + p->currency.len;
    h = h * 31 + (uint64_t)p->price + (uint64_t)p->stock + (uint64_t)p->active +
        (uint64_t)p->version;
    h = h * 31 + p->tags.count + (p->tags.count ? p->tags.items[p->tags.count - 1].len : 0);
    h = h * 31 + p->specs.count + (p->specs.count ? ((const dg_str *)p->specs.values)[0].len : 0);
    h = h * 31 + (uint64_t)p->dimensions.width_mm + (uint64_t)p->dimensions.weight_g;
    h = h * 31 + (uint64_t)p->created_at + (uint64_t)p->updated_at + (uint64_t)p->expires_at;
    return h;
}

/* ---------------------------------------------------------------- files */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap + 1);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    if (!buf)
        exit(2);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int emit(const char *path)
{
    product_t p;
    dg_error err;
    build_product(&p);
    if (product_validate(&p, &err))
        die("the benchmark product does not validate", &err);
    dg_buf b = DG_BUF_INIT;
    if (product_to_ddb(&p, &b, &err))
        die("product_to_ddb", &err);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) {
        perror(path);
        return 2;
    }
    printf("wrote %s (%zu bytes, %d attributes)\n", path, b.len, PRODUCT_F__COUNT);
    dg_buf_free(&b);
    return 0;
}

/* ---------------------------------------------------------------- measuring */

typedef struct ctx {
    const char *json;
    size_t len;
    dg_arena *arena;
    dg_buf out;
    product_t fixed; /* decoded once: the marshal-only input */
    uint64_t acc;
} ctx;

enum kind { K_ROUNDTRIP, K_UNMARSHAL, K_MARSHAL, K_CJSON };
static const char *const kind_name[] = {"roundtrip", "unmarshal", "marshal", "cjson"};

static inline void one(ctx *c, enum kind k)
{
    dg_error err;
    product_t p;
    switch (k) {
    case K_ROUNDTRIP:
        dg_arena_reset(c->arena);
        if (product_from_ddb(&p, c->json, c->len, c->arena, &err))
            die("product_from_ddb", &err);
        dg_buf_reset(&c->out);
        if (product_to_ddb(&p, &c->out, &err))
            die("product_to_ddb", &err);
        c->acc += c->out.len + (unsigned char)c->out.data[c->out.len / 2];
        break;
    case K_UNMARSHAL:
        dg_arena_reset(c->arena);
        if (product_from_ddb(&p, c->json, c->len, c->arena, &err))
            die("product_from_ddb", &err);
        c->acc += digest(&p);
        break;
    case K_MARSHAL:
        dg_buf_reset(&c->out);
        if (product_to_ddb(&c->fixed, &c->out, &err))
            die("product_to_ddb", &err);
        c->acc += c->out.len + (unsigned char)c->out.data[c->out.len / 2];
        break;
    case K_CJSON: {
        cJSON *root = cJSON_ParseWithLength(c->json, c->len);
        if (!root)
            die("cJSON_ParseWithLength", NULL);
        c->acc += (uintptr_t)root->child;
        cJSON_Delete(root);
        break;
    }
    }
}

/* Run kind k for about ms milliseconds; return items per second. */
static double run_for(ctx *c, enum kind k, double ms)
{
    uint64_t limit = (uint64_t)(ms * 1e6), n = 0, t0 = now_ns(), t;
    do {
        for (int i = 0; i < 64; i++)
            one(c, k);
        n += 64;
        t = now_ns() - t0;
    } while (t < limit);
    return (double)n * 1e9 / (double)t;
}

static int measure(const char *path, int rounds, double round_ms, double warmup_ms)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.json = read_file(path, &c.len);
    c.arena = dg_arena_new(0);
    if (!c.arena)
        die("dg_arena_new", NULL);
    dg_buf_init(&c.out);
    dg_error err;

    /* Sanity: the file decodes, validates and re-encodes to the same bytes. */
    dg_arena *keep = dg_arena_new(0);
    if (!keep || product_from_ddb(&c.fixed, c.json, c.len, keep, &err))
        die("product_from_ddb (input file)", &err);
    if (product_validate(&c.fixed, &err))
        die("decoded product does not validate", &err);
    if (product_to_ddb(&c.fixed, &c.out, &err))
        die("product_to_ddb", &err);
    printf("info dynagen_reencode_identical %s\n",
           c.out.len == c.len && !memcmp(c.out.data, c.json, c.len) ? "yes" : "no");

    static const enum kind order[] = {K_ROUNDTRIP, K_UNMARSHAL, K_MARSHAL, K_CJSON};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        (void)run_for(&c, order[i], warmup_ms);
    /* Interleave the kinds inside each round so background load hits them alike. */
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < sizeof order / sizeof *order; i++)
            printf("round %s %.0f\n", kind_name[order[i]], run_for(&c, order[i], round_ms));

    g_sink = c.acc;
    printf("checksum %llu\n", (unsigned long long)g_sink);
    dg_buf_free(&c.out);
    dg_arena_destroy(c.arena);
    dg_arena_destroy(keep);
    free((void *)c.json);
    return 0;
}

int main(int argc, char **argv)
{
    const char *emit_path = NULL, *input = NULL;
    int rounds = 5;
    double round_ms = 300, warmup_ms = 200;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--emit") && v) {
            emit_path = v;
            i++;
        } else if (!strcmp(a, "--input") && v) {
            input = v;
            i++;
        } else if (!strcmp(a, "--rounds") && v) {
            rounds = atoi(v);
            i++;
        } else if (!strcmp(a, "--round-ms") && v) {
            round_ms = atof(v);
            i++;
        } else if (!strcmp(a, "--warmup-ms") && v) {
            warmup_ms = atof(v);
            i++;
        } else {
            fprintf(stderr, "usage: bench_codec --emit FILE | --input FILE [--rounds N] "
                            "[--round-ms MS] [--warmup-ms MS]\n");
            return 2;
        }
    }
    int rc;
    if (emit_path)
        rc = emit(emit_path);
    else if (input)
        rc = measure(input, rounds < 1 ? 1 : rounds, round_ms, warmup_ms);
    else {
        fprintf(stderr, "bench_codec: need --emit FILE or --input FILE\n");
        return 2;
    }
    dg_model_cleanup();
    return rc;
}
