/* Fault runs against DynamoDB Local (started by tests/suites/ddb.sh), through
 * the fault proxy (fault_proxy.h) in random-rate mode:
 *
 *   random run   N product_update calls on one product (N = 200, or
 *                DYNAGEN_FAULT_RUN_N), each after a read of the current
 *                version like a client would, with faults at a set rate:
 *                10% throttling, 5% 500, 5% connection reset before
 *                forwarding, 5% response dropped after forwarding.
 *   outage run   every attempt fails (all four kinds) for a while, longer
 *                than the client's retry budget: the updates fail cleanly and
 *                write nothing; then it recovers, and an outage shorter than
 *                a patient client's budget is ridden out inside the call.
 *
 * Retries are the client's own (small backoff so the run is fast); nothing
 * here retries an update or hides a failure. Afterwards, through a client
 * without faults, both runs check the same invariants:
 *   - the history (product_list_versions over every page, and a raw Query of
 *     the items (id, 1..n)) holds versions 1..n, no gap, no duplicate, and
 *     the current item (id, 0) says n;
 *   - every update that returned success is in the history exactly once, at
 *     the version it reported (each update writes a unique marker: Stock = i);
 *   - every failed update returned a clean error (DG_ETHROTTLED, DG_ESERVICE,
 *     DG_EIO, DG_ETIMEDOUT; DG_ECONFLICT only when the version really moved
 *     and the update's own write is not in the history) and is in the
 *     history at most once (a write whose every answer was lost may have
 *     applied: that is counted and printed, "applied despite an error");
 *   - n = 1 (create) + successes + applied-despite-error.
 * The counts (attempts, faults injected per kind, successes, versions) are
 * printed as "fault-run:" lines.
 *
 * The product carries data in the shapes DynamoDB normalises (a price with a
 * trailing zero, a string set out of order), as real products do. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "ddb_fixture.h"
#include "dynagen/codec_util.h"
#include "fault_proxy.h"
#include "products.h"

static dg_ddb_client *C; /* direct client (no proxy), for setup and checks */

static int group_setup(void **state)
{
    (void)state;
    dg_aws_config cfg;
    dg_error err;
    dg_error_clear(&err);
    if (fx_config(&cfg, &err) != 0) {
        fprintf(stderr, "environment: %s (run through tests/suites/ddb.sh)\n", err.message);
        return -1;
    }
    int rc = dg_ddb_client_new(&cfg, NULL, &C, &err);
    dg_aws_config_clean_up(&cfg);
    if (rc != 0) {
        fprintf(stderr, "client: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    dg_ddb_client_destroy(C);
    dg_model_cleanup();
    return 0;
}

static const char *env_with_endpoint(void *ctx, const char *name)
{
    if (strcmp(name, "AWS_ENDPOINT_URL_DYNAMODB") == 0)
        return ctx;
    return getenv(name);
}

static dg_ddb_client *client_at(int port, const dg_ddb_options *opts)
{
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", port);
    dg_aws_config cfg;
    dg_error err;
    if (dg_aws_config_from_env(&cfg, env_with_endpoint, ep, &err) != 0)
        fail_msg("config: %s", err.message);
    dg_ddb_client *c = NULL;
    int rc = dg_ddb_client_new(&cfg, opts, &c, &err);
    dg_aws_config_clean_up(&cfg);
    if (rc != 0)
        fail_msg("client: %s", err.message);
    return c;
}

static int upstream_port(void)
{
    const char *ep = getenv("AWS_ENDPOINT_URL_DYNAMODB");
    assert_non_null(ep);
    const char *colon = strrchr(ep, ':');
    assert_non_null(colon);
    return atoi(colon + 1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* ------------------------------------------------------------------ the product */

/* Stock is the marker: 0 for the create, i for update i. */
static void fill_product(product_t *p, int i, dg_arena *a)
{
    char *desc = dg_arena_alloc(a, 48);
    int n = snprintf(desc, 48, i == 0 ? "created" : "update #%d", i);
    product_set_description(p, (dg_str){desc, (size_t)n});
    product_set_stock(p, i);
    product_set_price(p, 1990 + 10 * (int64_t)i); /* 19.90, 20.00, 20.10, ...: trailing zeros */
    dg_str *tags = dg_arena_alloc(a, 3 * sizeof *tags);
    char *t = dg_arena_alloc(a, 16);
    n = snprintf(t, 16, "m%03d", i);
    tags[0] = DG_STR("zeta"); /* out of order: DynamoDB hands sets back sorted */
    tags[1] = (dg_str){t, (size_t)n};
    tags[2] = DG_STR("alpha");
    product_set_tags(p, (dg_set){tags, 3});
}

static void create_product(dg_store *s, dg_arena *a, char id[37])
{
    product_t p;
    product_init(&p);
    product_set_name(&p, DG_STR("Fault-run widget"));
    product_set_category(&p, DG_STR("fault-run"));
    fill_product(&p, 0, a);
    dg_store_write w;
    dg_error err;
    int rc = product_create(s, &p, a, &w, &err);
    if (rc != 0)
        fail_msg("create: %s: %s", dg_strerror(rc), err.message);
    assert_int_equal(w.version, 1);
    memcpy(id, p.product_id.ptr, 36);
    id[36] = '\0';
}

/* ------------------------------------------------------------------ outcomes */

typedef struct outcome {
    int rc;
    int64_t read_version;    /* the version the update was based on */
    int64_t version;         /* reported on success */
    int64_t current_version; /* reported on DG_ECONFLICT */
    int attempts;            /* HTTP attempts of the commit write */
    char type[DG_ERROR_TYPE_MAX];
    char message[DG_ERROR_MESSAGE_MAX];
} outcome;

typedef struct run {
    const char *name;
    dg_store s;      /* through the proxy */
    dg_store direct; /* without faults, for reads and checks */
    fault_proxy *p;
    char table[FX_TABLE_NAME_MAX];
    char id[37];
    outcome *out; /* out[i] for update i (1-based) */
    int n_updates;
    int64_t known_version; /* what this "client" last saw */
    int read_failures;
} run;

/* One update: read the current version (through the proxy, like a client;
 * read_tries attempts of product_get, each with the client's own retries),
 * then product_update with marker i. */
static void one_update(run *r, int i, int read_tries, dg_arena *a)
{
    outcome *o = &r->out[i];
    memset(o, 0, sizeof *o);
    product_t cur;
    dg_error err;
    dg_str id = {r->id, 36};
    int rc = -1;
    for (int t = 0; t < read_tries && rc != 0; t++) {
        rc = product_get(&r->s, id, true, &cur, a, &err);
        if (rc != 0)
            r->read_failures++;
    }
    if (rc != 0) {
        /* unreadable: a client would try with the version it last saw */
        assert_int_equal(product_get(&r->direct, id, true, &cur, a, &err), 0);
        product_set_version(&cur, r->known_version);
    } else {
        r->known_version = cur.version;
    }
    o->read_version = cur.version;
    fill_product(&cur, i, a);
    dg_store_write w;
    dg_error_clear(&err);
    o->rc = product_update(&r->s, &cur, a, &w, &err);
    o->version = w.version;
    o->current_version = w.current_version;
    o->attempts = w.attempts;
    snprintf(o->type, sizeof o->type, "%s", err.type);
    snprintf(o->message, sizeof o->message, "%s", err.message);
    if (o->rc == 0)
        r->known_version = w.version;
}

/* ------------------------------------------------------------------ checks */

typedef struct hentry {
    int64_t version;
    int32_t stock;
} hentry;

#define MAX_VERSIONS 4096

/* Every version through product_list_versions (pages of 7), newest first. */
static int list_all(run *r, hentry *h, dg_arena *a, int *pages)
{
    int n = 0;
    const char *cursor = NULL;
    *pages = 0;
    dg_str id = {r->id, 36};
    do {
        dg_store_page pg;
        dg_error err;
        int rc = product_list_versions(&r->direct, id, cursor, 7, &pg, a, &err);
        if (rc != 0)
            fail_msg("list_versions: %s: %s", dg_strerror(rc), err.message);
        (*pages)++;
        const product_t *v = pg.items;
        for (size_t k = 0; k < pg.count; k++) {
            assert_true(n < MAX_VERSIONS);
            h[n].version = v[k].version;
            h[n].stock = product_has_stock(&v[k]) ? v[k].stock : -1;
            n++;
        }
        cursor = pg.next_cursor;
    } while (cursor != NULL);
    return n;
}

static int64_t attr_n(const cJSON *item, const char *attr)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, attr);
    const cJSON *n = v ? cJSON_GetObjectItemCaseSensitive(v, "N") : NULL;
    return cJSON_IsString(n) ? strtoll(n->valuestring, NULL, 10) : -1;
}

/* The raw history items (id, v > 0), by Query, every page. */
static int raw_history(run *r, hentry *h)
{
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char pv[64], kc[128];
    snprintf(pv, sizeof pv, "{\"S\":\"%s\"}", r->id);
    snprintf(kc, sizeof kc, "%s = %s AND %s > %s", dg_ddb_expr_name(&e, "ProductID"),
             dg_ddb_expr_value(&e, pv), dg_ddb_expr_name(&e, "Version"),
             dg_ddb_expr_value(&e, "{\"N\":\"0\"}"));
    assert_int_equal(e.status, 0);
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    char *start = NULL;
    int n = 0;
    for (;;) {
        dg_ddb_query q = {.table = r->table,
                          .key_condition = kc,
                          .expr = &e,
                          .start_key = start,
                          .limit = 50,
                          .forward = true,
                          .consistent = true};
        dg_error err;
        int rc = dg_ddb_query_page(C, &q, &res, &err);
        if (rc != 0)
            fail_msg("raw Query: %s: %s", dg_strerror(rc), err.message);
        for (const cJSON *it = res.items ? res.items->child : NULL; it; it = it->next) {
            assert_true(n < MAX_VERSIONS);
            h[n].version = attr_n(it, "Version");
            h[n].stock = (int32_t)attr_n(it, "Stock");
            n++;
        }
        free(start);
        start = res.last_key ? cJSON_PrintUnformatted(res.last_key) : NULL;
        if (start == NULL)
            break;
    }
    dg_ddb_result_clean_up(&res);
    dg_ddb_expr_clean_up(&e);
    return n;
}

static bool unknown_outcome_code(int rc)
{
    return rc == DG_EIO || rc == DG_ESERVICE || rc == DG_ETHROTTLED || rc == DG_ETIMEDOUT;
}

typedef struct verdict {
    int versions, successes, failures, applied_despite_error, problems;
    int by_code[16]; /* -rc */
} verdict;

#define PROBLEM(v, ...)                                                                            \
    do {                                                                                           \
        if ((v)->problems++ < 25)                                                                  \
            printf("fault-run: PROBLEM: " __VA_ARGS__);                                            \
    } while (0)

static verdict check(run *r, dg_arena *a)
{
    verdict v;
    memset(&v, 0, sizeof v);
    hentry *listed = calloc(MAX_VERSIONS, sizeof *listed);
    hentry *raw = calloc(MAX_VERSIONS, sizeof *raw);
    int *count = calloc((size_t)r->n_updates + 1, sizeof *count);
    int64_t *at = calloc((size_t)r->n_updates + 1, sizeof *at);
    assert_non_null(listed);
    assert_non_null(raw);
    assert_non_null(count);
    assert_non_null(at);

    /* the current item */
    product_t cur;
    dg_error err;
    assert_int_equal(product_get(&r->direct, (dg_str){r->id, 36}, true, &cur, a, &err), 0);
    int64_t latest = cur.version;

    /* the listing: n..1, newest first, one each */
    int pages = 0;
    int nl = list_all(r, listed, a, &pages);
    v.versions = nl;
    if (nl != latest)
        PROBLEM(&v, "%s: the listing has %d versions, the current item says %lld\n", r->name, nl,
                (long long)latest);
    for (int k = 0; k < nl; k++)
        if (listed[k].version != latest - k) {
            PROBLEM(&v,
                    "%s: listing position %d holds version %lld, want %lld (gap or duplicate)\n",
                    r->name, k, (long long)listed[k].version, (long long)(latest - k));
            break;
        }
    if (nl > 0 && listed[0].stock != cur.stock)
        PROBLEM(&v, "%s: newest listed version has marker %d, the current item %d\n", r->name,
                listed[0].stock, cur.stock);

    /* the raw history: 1..n, one each; only the newest may still be missing
     * (committed, history write lost, back-filled by the next update) */
    int nr = raw_history(r, raw);
    bool newest_missing = false;
    for (int k = 0; k < nr; k++)
        if (raw[k].version != k + 1) {
            PROBLEM(&v, "%s: raw history position %d holds version %lld, want %d\n", r->name, k,
                    (long long)raw[k].version, k + 1);
            break;
        }
    if (nr == latest - 1) {
        newest_missing = true;
    } else if (nr != latest) {
        PROBLEM(&v, "%s: raw history has %d items, the current item says %lld\n", r->name, nr,
                (long long)latest);
    }
    for (int k = 0; k < nr && k < nl; k++)
        if (raw[k].stock != listed[nl - 1 - k].stock)
            PROBLEM(&v, "%s: version %d: raw marker %d, listed marker %d\n", r->name, k + 1,
                    raw[k].stock, listed[nl - 1 - k].stock);

    /* markers: the create at version 1, every update at most once */
    for (int k = 0; k < nl; k++) {
        int m = listed[k].stock;
        if (m < 0 || m > r->n_updates) {
            PROBLEM(&v, "%s: version %lld carries unknown marker %d\n", r->name,
                    (long long)listed[k].version, m);
            continue;
        }
        count[m]++;
        at[m] = listed[k].version;
    }
    if (count[0] != 1 || at[0] != 1)
        PROBLEM(&v, "%s: the create is at version %lld, %d times\n", r->name, (long long)at[0],
                count[0]);

    for (int i = 1; i <= r->n_updates; i++) {
        const outcome *o = &r->out[i];
        if (o->rc == 0) {
            v.successes++;
            if (count[i] != 1)
                PROBLEM(&v,
                        "%s: update %d succeeded (version %lld) but is in the history %d times\n",
                        r->name, i, (long long)o->version, count[i]);
            else if (at[i] != o->version)
                PROBLEM(&v, "%s: update %d reported version %lld, the history has it at %lld\n",
                        r->name, i, (long long)o->version, (long long)at[i]);
            continue;
        }
        v.failures++;
        if (-o->rc > 0 && -o->rc < 16)
            v.by_code[-o->rc]++;
        if (count[i] > 1)
            PROBLEM(&v, "%s: failed update %d is in the history %d times\n", r->name, i, count[i]);
        if (o->rc == DG_ECONFLICT) {
            if (count[i] > 0)
                PROBLEM(&v,
                        "%s: update %d reported a conflict (%s: %s) but its own write IS version "
                        "%lld (an applied write misreported as a lost race)\n",
                        r->name, i, o->type, o->message, (long long)at[i]);
            else if (!(o->current_version > o->read_version))
                PROBLEM(&v,
                        "%s: update %d reported a conflict with current version %lld, read %lld\n",
                        r->name, i, (long long)o->current_version, (long long)o->read_version);
        } else if (!unknown_outcome_code(o->rc)) {
            PROBLEM(&v, "%s: update %d failed with an unexpected %s (%s: %s)\n", r->name, i,
                    dg_strerror(o->rc), o->type, o->message);
        } else if (count[i] == 1) {
            v.applied_despite_error++;
            printf("fault-run: note: %s: update %d failed with %s (%s) but applied as version %lld "
                   "(every answer lost: outcome unknown to the client)\n",
                   r->name, i, dg_strerror(o->rc), o->message, (long long)at[i]);
        }
    }
    if (v.versions != 1 + v.successes + v.applied_despite_error)
        PROBLEM(&v, "%s: %d versions != 1 + %d successes + %d applied despite an error\n", r->name,
                v.versions, v.successes, v.applied_despite_error);
    printf("fault-run: %s: versions %d (listing: %d pages; raw history items %d%s), current "
           "version %lld\n",
           r->name, v.versions, pages, nr, newest_missing ? ", newest not yet copied" : "",
           (long long)latest);
    free(listed);
    free(raw);
    free(count);
    free(at);
    return v;
}

static void print_counts(const run *r, const verdict *v, const dg_ddb_stats *st)
{
    fault_proxy *p = r->p;
    printf("fault-run: %s: updates %d, successes %d, failures %d (throttled %d, service %d, io %d, "
           "timeout %d, conflict %d), applied despite an error %d, versions %d\n",
           r->name, r->n_updates, v->successes, v->failures, v->by_code[-DG_ETHROTTLED],
           v->by_code[-DG_ESERVICE], v->by_code[-DG_EIO], v->by_code[-DG_ETIMEDOUT],
           v->by_code[-DG_ECONFLICT], v->applied_despite_error, v->versions);
    printf("fault-run: %s: client calls %llu, HTTP attempts %llu (retries %llu; throttles %llu, "
           "5xx %llu, connection errors %llu); reads that failed %d\n",
           r->name, (unsigned long long)st->calls, (unsigned long long)st->attempts,
           (unsigned long long)st->retries, (unsigned long long)st->throttles,
           (unsigned long long)st->server_errors, (unsigned long long)st->connection_errors,
           r->read_failures);
    printf(
        "fault-run: %s: proxy requests %d, forwarded %d, faults injected %d (throttle %d, 500 %d, "
        "reset before %d, dropped response %d)\n",
        r->name, fp_seen(p), fp_forwarded(p), fp_faulted(p), fp_faulted_kind(p, FP_THROTTLE),
        fp_faulted_kind(p, FP_SERVER_ERROR), fp_faulted_kind(p, FP_RESET_BEFORE),
        fp_faulted_kind(p, FP_DROP_RESPONSE));
    fflush(stdout);
}

static void run_open(run *r, const char *name, fault_proxy *p, dg_ddb_client *faulty, int n_updates)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->p = p;
    r->n_updates = n_updates;
    r->out = calloc((size_t)n_updates + 1, sizeof *r->out);
    assert_non_null(r->out);
    fx_table_create(C, &products_table, name, r->table);
    dg_error err;
    assert_int_equal(dg_store_init(&r->s, &products_table, r->table, faulty, &err), 0);
    assert_int_equal(dg_store_init(&r->direct, &products_table, r->table, C, &err), 0);
}

static void run_close(run *r)
{
    dg_store_clean_up(&r->s);
    dg_store_clean_up(&r->direct);
    fx_table_drop(C, r->table);
    free(r->out);
}

/* ------------------------------------------------------------------ tests */

static unsigned long long seed(void)
{
    const char *s = getenv("DYNAGEN_FAULT_SEED");
    return s && *s ? strtoull(s, NULL, 0) : 20240611ULL;
}

static void test_random_fault_run(void **state)
{
    (void)state;
    int n = 200;
    const char *ns = getenv("DYNAGEN_FAULT_RUN_N");
    if (ns && atoi(ns) > 0 && atoi(ns) < MAX_VERSIONS - 1)
        n = atoi(ns);
    fault_proxy p;
    assert_int_equal(fp_start(&p, upstream_port()), 0);
    dg_ddb_options o = {.base_backoff_ms = 1, .max_backoff_ms = 20, .request_timeout_ms = 3000};
    dg_ddb_client *faulty = client_at(p.port, &o);
    run r;
    run_open(&r, "random", &p, faulty, n);
    dg_arena *a = dg_arena_new(0);
    uint64_t t0 = dg_monotonic_ns();

    create_product(&r.s, a, r.id); /* before the faults: the run is about updates */
    r.known_version = 1;
    unsigned long long sd = seed();
    assert_int_equal(fp_set_fault_rate(&p, sd, 10, 5, 5, 5), 0);
    for (int i = 1; i <= n; i++) {
        dg_arena_reset(a);
        one_update(&r, i, 100, a);
    }
    assert_int_equal(fp_set_fault_rate(&p, 0, 0, 0, 0, 0), 0);

    dg_arena_reset(a);
    verdict v = check(&r, a);
    printf("fault-run: random: seed %llu, rates throttle 10%%, 500 5%%, reset before 5%%, dropped "
           "response 5%%; %.1f s\n",
           sd, (double)(dg_monotonic_ns() - t0) / 1e9);
    print_counts(&r, &v, dg_ddb_client_stats(faulty));
    /* the run must have exercised every fault kind */
    bool every_kind =
        fp_faulted_kind(&p, FP_THROTTLE) > 0 && fp_faulted_kind(&p, FP_SERVER_ERROR) > 0 &&
        fp_faulted_kind(&p, FP_RESET_BEFORE) > 0 && fp_faulted_kind(&p, FP_DROP_RESPONSE) > 0;

    /* clean up first: a failure below must not leak */
    dg_arena_destroy(a);
    run_close(&r);
    dg_ddb_client_destroy(faulty);
    fp_stop(&p);
    if (v.problems)
        fail_msg("random fault run: %d problem(s), see the PROBLEM lines above", v.problems);
    assert_true(every_kind);
    assert_true(v.successes > 0);
}

typedef struct outage {
    fault_proxy *p;
    long ms;
} outage;

static void *end_outage_later(void *arg)
{
    outage *o = arg;
    sleep_ms(o->ms);
    fp_set_fault_rate(o->p, 0, 0, 0, 0, 0);
    return NULL;
}

static void test_outage_then_recovery(void **state)
{
    (void)state;
    fault_proxy p;
    assert_int_equal(fp_start(&p, upstream_port()), 0);
    /* an impatient client: gives up well within the outage */
    dg_ddb_options quick = {.max_attempts = 4,
                            .base_backoff_ms = 1,
                            .max_backoff_ms = 5,
                            .max_retry_ms = 200,
                            .request_timeout_ms = 2000};
    dg_ddb_client *faulty = client_at(p.port, &quick);
    enum { BEFORE = 10, DURING = 10, AFTER = 10, RIDE = 5, TOTAL = BEFORE + DURING + AFTER + RIDE };
    run r;
    run_open(&r, "outage", &p, faulty, TOTAL);
    dg_arena *a = dg_arena_new(0);
    uint64_t t0 = dg_monotonic_ns();
    create_product(&r.s, a, r.id);
    r.known_version = 1;
    int i = 1, phase_problems = 0;

    for (; i <= BEFORE; i++) {
        dg_arena_reset(a);
        one_update(&r, i, 1, a);
        if (r.out[i].rc != 0 && phase_problems++ < 25)
            printf("fault-run: PROBLEM: outage: update %d before the outage: %s: %s\n", i,
                   dg_strerror(r.out[i].rc), r.out[i].message);
    }
    /* the outage: every request faulted, all four kinds */
    int seen0 = fp_seen(&p);
    assert_int_equal(fp_set_fault_rate(&p, seed(), 25, 25, 25, 25), 0);
    for (; i <= BEFORE + DURING; i++) {
        dg_arena_reset(a);
        one_update(&r, i, 1, a);
        if (r.out[i].rc == 0 && phase_problems++ < 25)
            printf("fault-run: PROBLEM: outage: update %d succeeded during a total outage\n", i);
    }
    int outage_requests = fp_seen(&p) - seen0;
    /* recovered */
    assert_int_equal(fp_set_fault_rate(&p, 0, 0, 0, 0, 0), 0);
    for (; i <= BEFORE + DURING + AFTER; i++) {
        dg_arena_reset(a);
        one_update(&r, i, 1, a);
        if (r.out[i].rc != 0 && phase_problems++ < 25)
            printf("fault-run: PROBLEM: outage: update %d after recovery: %s: %s\n", i,
                   dg_strerror(r.out[i].rc), r.out[i].message);
    }
    dg_ddb_stats quick_stats = *dg_ddb_client_stats(faulty);
    dg_ddb_client_destroy(faulty);

    /* outages shorter than a patient client's budget: ridden out in the call */
    dg_ddb_options patient = {.max_attempts = 1000,
                              .base_backoff_ms = 1,
                              .max_backoff_ms = 10,
                              .max_retry_ms = 10000,
                              .request_timeout_ms = 2000};
    faulty = client_at(p.port, &patient);
    dg_store_clean_up(&r.s);
    dg_error err;
    assert_int_equal(dg_store_init(&r.s, &products_table, r.table, faulty, &err), 0);
    for (; i <= TOTAL; i++) {
        dg_arena_reset(a);
        assert_int_equal(fp_set_fault_rate(&p, seed() + (unsigned)i, 25, 25, 25, 25), 0);
        outage o = {&p, 60};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, end_outage_later, &o), 0);
        one_update(&r, i, 1, a);
        pthread_join(th, NULL);
        if (r.out[i].rc != 0 && phase_problems++ < 25)
            printf("fault-run: PROBLEM: outage: update %d across a 60 ms outage: %s: %s\n", i,
                   dg_strerror(r.out[i].rc), r.out[i].message);
    }
    const dg_ddb_stats *st = dg_ddb_client_stats(faulty);
    bool retried = st->retries > 0;
    dg_ddb_stats both = *st; /* the two clients together */
    both.calls += quick_stats.calls;
    both.attempts += quick_stats.attempts;
    both.retries += quick_stats.retries;
    both.throttles += quick_stats.throttles;
    both.server_errors += quick_stats.server_errors;
    both.connection_errors += quick_stats.connection_errors;

    dg_arena_reset(a);
    verdict v = check(&r, a);
    printf("fault-run: outage: %d updates before, %d during a total outage (%d requests, all "
           "faulted), %d after recovery, %d across 60 ms outages; %.1f s\n",
           BEFORE, DURING, outage_requests, AFTER, RIDE, (double)(dg_monotonic_ns() - t0) / 1e9);
    print_counts(&r, &v, &both);
    dg_arena_destroy(a);
    run_close(&r);
    dg_ddb_client_destroy(faulty);
    fp_stop(&p);
    if (v.problems || phase_problems)
        fail_msg("outage run: %d problem(s), see the PROBLEM lines above",
                 v.problems + phase_problems);
    assert_true(retried);
    assert_int_equal(v.failures, DURING);
    assert_int_equal(v.applied_despite_error, 0); /* a total outage lets nothing through */
    assert_int_equal(v.versions, 1 + BEFORE + AFTER + RIDE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_fault_run),
        cmocka_unit_test(test_outage_then_recovery),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
