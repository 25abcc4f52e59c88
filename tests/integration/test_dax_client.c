/* Integration: dynagen's DAX client (runtime/dax/client.c) and the store's
 * DAX path against a real dax-local in front of DynamoDB Local, both
 * started by tests/suites/dax-client.sh, which sets DAX_ENDPOINT (node 1 of
 * a `dax-local --nodes N` cluster, N in DAX_LOCAL_NODES) besides the
 * DynamoDB variables. Without DAX_ENDPOINT (e.g. under tests/suites/ddb.sh,
 * which runs every integration binary) it runs no test and says so.
 *
 *   - accessors through DAX: create / get / update / versions / list by
 *     category / delete with the generated product_* functions;
 *   - read-your-writes through DAX over a run of updates (0 stale reads);
 *   - the consistent-read bypass: a write made straight to DynamoDB is seen
 *     by a strongly consistent read, while DAX's item cache keeps serving the
 *     old item (the documented pitfall);
 *   - conflicts through DAX (no ReturnValuesOnConditionCheckFailure: the
 *     follow-up read gives the current version);
 *   - discovery: the client finds every node of the cluster;
 *   - failover: each node behind a loopback TCP relay of this test (the
 *     client sees the relays as its static node list); one relay is killed
 *     mid-run: no request fails;
 *   - all nodes down: reads fall back to DynamoDB (counted), writes fail with
 *     DG_EIO "DAX unreachable; nothing written" and nothing is written;
 *   - authentication: dax-local verifies authorizeConnection against its own
 *     credentials; a wrong secret, an unknown key id, a clock 20 min behind or
 *     ahead give a clear error naming the exception (InvalidSignatureException,
 *     UnrecognizedClientException, "Signature expired"), nothing is written,
 *     reads do not fall back to DynamoDB, nothing is retried; with
 *     DAX_NOVERIFY_ENDPOINT (a dax-local --no-verify-auth) the wrong secret
 *     works. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <openssl/ssl.h>

#include "dynagen/api.h"
#include "dynagen/codec_util.h"
#include "dynagen/dax.h"
#include "dynagen_app.h"
#include "products.h"

static dg_aws_config cfg;
static char products_name[64];
static const char *dax_endpoint;
static int dax_nodes = 1;
static dg_dax_url seed;

/* ---------------------------------------------------------------- TCP relay (a killable "node") */

typedef struct relay {
    int lfd;
    uint16_t port, upstream;
    pthread_t th;
    volatile int stop;
} relay;

static void *relay_main(void *arg)
{
    relay *r = arg;
    int a[32], b[32], n = 0;
    char buf[65536];
    while (!r->stop) {
        struct pollfd p[65];
        int np = 0;
        p[np++] = (struct pollfd){r->lfd, POLLIN, 0};
        for (int i = 0; i < n; i++) {
            p[np++] = (struct pollfd){a[i], POLLIN, 0};
            p[np++] = (struct pollfd){b[i], POLLIN, 0};
        }
        if (poll(p, (nfds_t)np, 20) <= 0)
            continue;
        if ((p[0].revents & POLLIN) && n < 32) {
            int c = accept(r->lfd, NULL, NULL);
            if (c >= 0) {
                int u = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in sin = {0};
                sin.sin_family = AF_INET;
                sin.sin_port = htons(r->upstream);
                sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                if (u >= 0 && connect(u, (struct sockaddr *)&sin, sizeof sin) == 0) {
                    a[n] = c;
                    b[n] = u;
                    n++;
                } else {
                    close(c);
                    if (u >= 0)
                        close(u);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            bool dead = false;
            for (int side = 0; side < 2 && !dead; side++) {
                int from = side ? b[i] : a[i], to = side ? a[i] : b[i];
                struct pollfd q = {from, POLLIN, 0};
                if (poll(&q, 1, 0) <= 0)
                    continue;
                ssize_t got = recv(from, buf, sizeof buf, 0);
                if (got <= 0 || send(to, buf, (size_t)got, MSG_NOSIGNAL) != got)
                    dead = true;
            }
            if (dead) {
                close(a[i]);
                close(b[i]);
                a[i] = a[n - 1];
                b[i] = b[n - 1];
                n--;
                i--;
            }
        }
    }
    for (int i = 0; i < n; i++) { /* the node dies: its connections with it */
        close(a[i]);
        close(b[i]);
    }
    close(r->lfd);
    return NULL;
}

static void relay_start(relay *r, uint16_t upstream)
{
    memset(r, 0, sizeof *r);
    r->upstream = upstream;
    r->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(r->lfd >= 0);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->lfd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t sl = sizeof sin;
    getsockname(r->lfd, (struct sockaddr *)&sin, &sl);
    r->port = ntohs(sin.sin_port);
    assert_int_equal(listen(r->lfd, 64), 0);
    assert_int_equal(pthread_create(&r->th, NULL, relay_main, r), 0);
}

static void relay_kill(relay *r)
{
    if (r->stop)
        return;
    r->stop = 1;
    pthread_join(r->th, NULL);
}

/* ---------------------------------------------------------------- TLS relay (daxs://) */

typedef struct tls_relay {
    int lfd;
    uint16_t port, upstream;
    SSL_CTX *ctx;
    pthread_t th, conns[16];
    int nconns;
    volatile int stop;
} tls_relay;

typedef struct tls_pair {
    tls_relay *r;
    int fd;
} tls_pair;

static void *tls_conn_main(void *arg)
{
    tls_pair *pr = arg;
    tls_relay *r = pr->r;
    SSL *ssl = SSL_new(r->ctx);
    SSL_set_fd(ssl, pr->fd);
    int u = -1;
    if (SSL_accept(ssl) == 1) {
        u = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sin = {0};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(r->upstream);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(u, (struct sockaddr *)&sin, sizeof sin) == 0) {
            char buf[16384];
            while (!r->stop) {
                struct pollfd p[2] = {{pr->fd, POLLIN, 0}, {u, POLLIN, 0}};
                if (!SSL_pending(ssl) && poll(p, 2, 50) <= 0)
                    continue;
                if (SSL_pending(ssl) || p[0].revents) {
                    int got = SSL_read(ssl, buf, sizeof buf);
                    if (got <= 0 || send(u, buf, (size_t)got, MSG_NOSIGNAL) != got)
                        break;
                }
                if (p[1].revents) {
                    ssize_t got = recv(u, buf, sizeof buf, 0);
                    if (got <= 0 || SSL_write(ssl, buf, (int)got) != got)
                        break;
                }
            }
        }
    }
    SSL_free(ssl);
    close(pr->fd);
    if (u >= 0)
        close(u);
    free(pr);
    return NULL;
}

static void *tls_relay_main(void *arg)
{
    tls_relay *r = arg;
    while (!r->stop) {
        struct pollfd p = {r->lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0 || r->nconns >= 16)
            continue;
        int c = accept(r->lfd, NULL, NULL);
        if (c < 0)
            continue;
        tls_pair *pr = calloc(1, sizeof *pr);
        pr->r = r;
        pr->fd = c;
        pthread_create(&r->conns[r->nconns++], NULL, tls_conn_main, pr);
    }
    for (int i = 0; i < r->nconns; i++)
        pthread_join(r->conns[i], NULL);
    close(r->lfd);
    return NULL;
}

static bool tls_relay_start(tls_relay *r, uint16_t upstream, const char *cert, const char *key)
{
    memset(r, 0, sizeof *r);
    r->upstream = upstream;
    r->ctx = SSL_CTX_new(TLS_server_method());
    if (!r->ctx || SSL_CTX_use_certificate_chain_file(r->ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(r->ctx, key, SSL_FILETYPE_PEM) != 1)
        return false;
    r->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(r->lfd, (struct sockaddr *)&sin, sizeof sin) || listen(r->lfd, 16))
        return false;
    socklen_t sl = sizeof sin;
    getsockname(r->lfd, (struct sockaddr *)&sin, &sl);
    r->port = ntohs(sin.sin_port);
    return pthread_create(&r->th, NULL, tls_relay_main, r) == 0;
}

static void tls_relay_stop(tls_relay *r)
{
    r->stop = 1;
    pthread_join(r->th, NULL);
    SSL_CTX_free(r->ctx);
}

/* ---------------------------------------------------------------- fixture */

typedef struct fx {
    dg_ddb_client *ddb;
    dg_dax_client *dax;
    dg_store s;
    dg_arena *a;
    dg_error err;
    relay *relays; /* heap: relay threads point into it */
    int nrelays;
} fx;

static dg_dax_client *new_dax(const char *ep, bool static_nodes)
{
    dg_dax_options o = {0};
    o.static_nodes = static_nodes;
    o.request_timeout_ms = 3000;
    dg_dax_client *c = NULL;
    dg_error err;
    if (dg_dax_client_new(ep, &cfg, &o, &c, &err))
        fail_msg("dax client: %s", err.message);
    return c;
}

static int group_setup(void **state)
{
    (void)state;
    dg_error err;
    if (dg_aws_config_from_env(&cfg, NULL, NULL, &err)) {
        fprintf(stderr, "config: %s\n", err.message);
        return -1;
    }
    if (dg_dax_url_parse(dax_endpoint, strlen(dax_endpoint), &seed, &err)) {
        fprintf(stderr, "DAX_ENDPOINT: %s\n", err.message);
        return -1;
    }
    char id[37];
    dg_uuid_v4(id, &err);
    snprintf(products_name, sizeof products_name, "DaxProducts-%.8s", id);
    dg_ddb_client *c = NULL;
    int rc = dg_ddb_client_new(&cfg, NULL, &c, &err);
    if (!rc)
        rc = dg_ddb_create_table_from_model(c, &products_table, products_name, &err);
    if (rc)
        fprintf(stderr, "create table: %s\n", err.message);
    dg_ddb_client_destroy(c);
    return rc ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    dg_aws_config_clean_up(&cfg);
    dg_model_cleanup();
    return 0;
}

static fx *fx_new(dg_dax_client *dax)
{
    fx *f = calloc(1, sizeof *f);
    if (dg_ddb_client_new(&cfg, NULL, &f->ddb, &f->err))
        fail_msg("ddb client: %s", f->err.message);
    f->a = dg_arena_new(0);
    if (dg_store_init(&f->s, &products_table, products_name, f->ddb, &f->err))
        fail_msg("store: %s", f->err.message);
    f->dax = dax;
    dg_store_set_dax(&f->s, dax, true);
    return f;
}

static int setup(void **state)
{
    *state = fx_new(new_dax(dax_endpoint, false));
    return 0;
}

/* The store through relays in front of the cluster's nodes (static list).
 * The relays live in the fixture: their threads keep a pointer to them. */
static int setup_relays(void **state)
{
    int n = dax_nodes < 3 ? dax_nodes : 3;
    relay *rs = calloc(3, sizeof *rs);
    char ep[256] = "";
    for (int i = 0; i < n; i++) {
        relay_start(&rs[i], (uint16_t)(seed.port + i));
        size_t l = strlen(ep);
        snprintf(ep + l, sizeof ep - l, "%sdax://127.0.0.1:%u", i ? "," : "", rs[i].port);
    }
    fx *f = fx_new(new_dax(ep, true));
    f->relays = rs;
    f->nrelays = n;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_store_clean_up(&f->s); /* destroys the DAX client */
    for (int i = 0; i < f->nrelays; i++)
        relay_kill(&f->relays[i]);
    free(f->relays);
    dg_ddb_client_destroy(f->ddb);
    dg_arena_destroy(f->a);
    free(f);
    return 0;
}

static void new_product(product_t *p, const char *category, int64_t price)
{
    product_init(p);
    product_set_name(p, DG_STR("Widget"));
    product_set_category(p, (dg_str){category, strlen(category)});
    product_set_price(p, price);
}

/* Raw strongly consistent GetItem from DynamoDB: true when (id, version) exists. */
static bool raw_exists(fx *f, dg_str id, int64_t version)
{
    dg_buf key = DG_BUF_INIT;
    assert_int_equal(product_key(&key, id, version, &f->err), 0);
    dg_ddb_get g = {.table = products_name, .key = key.data, .consistent = true};
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    assert_int_equal(dg_ddb_get_item(f->ddb, &g, &r, &f->err), 0);
    bool e = r.item != NULL;
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&key);
    return e;
}

/* ---------------------------------------------------------------- tests */

static void test_accessors_through_dax(void **state)
{
    fx *f = *state;
    product_t p, got;
    dg_store_write w;
    char cat[48];
    snprintf(cat, sizeof cat, "dax-%lld", (long long)dg_now_ms());
    new_product(&p, cat, 1999);
    if (product_create(&f->s, &p, f->a, &w, &f->err))
        fail_msg("create: %s", f->err.message);
    assert_int_equal(w.version, 1);
    assert_true(raw_exists(f, p.product_id, 0)); /* write-through reached DynamoDB */
    assert_true(raw_exists(f, p.product_id, 1));
    if (product_get(&f->s, p.product_id, false, &got, f->a, &f->err))
        fail_msg("get: %s", f->err.message);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.price, 1999);
    product_set_price(&got, 2499);
    if (product_update(&f->s, &got, f->a, &w, &f->err))
        fail_msg("update: %s", f->err.message);
    assert_int_equal(w.version, 2);
    product_t cur;
    assert_int_equal(product_get(&f->s, p.product_id, false, &cur, f->a, &f->err), 0);
    assert_int_equal(cur.version, 2); /* read-your-writes through DAX */
    assert_int_equal(cur.price, 2499);
    dg_store_page pg;
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 2);
    assert_int_equal(((product_t *)pg.items)[0].version, 2);
    product_t old;
    assert_int_equal(product_get_version(&f->s, p.product_id, 1, &old, f->a, &f->err), 0);
    assert_int_equal(old.price, 1999);
    assert_int_equal(product_list_by_category(&f->s, (dg_str){cat, strlen(cat)}, NULL, 10, true,
                                              &pg, f->a, &f->err),
                     0);
    assert_int_equal(pg.count, 1); /* current items only (sparse history) */
    /* conflicts through DAX: the follow-up read gives the current version */
    product_t stale = got;
    product_set_version(&stale, 1);
    assert_int_equal(product_update(&f->s, &stale, f->a, &w, &f->err), DG_ECONFLICT);
    assert_int_equal(w.current_version, 2);
    assert_int_equal(product_delete(&f->s, p.product_id, 1, &w, &f->err), DG_ECONFLICT);
    assert_int_equal(w.current_version, 2);
    assert_int_equal(product_delete(&f->s, p.product_id, 2, &w, &f->err), 0);
    assert_false(raw_exists(f, p.product_id, 0));
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), DG_ENOTFOUND);
    assert_int_equal(product_delete(&f->s, p.product_id, -1, &w, &f->err), DG_ENOTFOUND);
    const dg_dax_stats *st = dg_dax_client_stats(f->dax);
    assert_true(st->reads_dax >= 5);
    assert_true(st->writes_dax >= 5);
    assert_int_equal(st->read_fallbacks, 0);
    assert_true(st->condition_reads >= 2);
    fprintf(stderr, "dax stats: calls=%llu attempts=%llu auths=%llu connects=%llu refreshes=%llu\n",
            (unsigned long long)st->calls, (unsigned long long)st->attempts,
            (unsigned long long)st->auths, (unsigned long long)st->connects,
            (unsigned long long)st->refreshes);
}

static void test_read_your_writes(void **state)
{
    fx *f = *state;
    product_t p, got;
    dg_store_write w;
    new_product(&p, "ryw", 100);
    assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    int stale = 0;
    int64_t version = 1;
    dg_arena *la = dg_arena_new(0); /* per iteration; the id stays in f->a */
    for (int i = 0; i < 40; i++) {
        assert_int_equal(product_get(&f->s, p.product_id, false, &got, la, &f->err), 0);
        if (got.version != version || got.price != 100 + i)
            stale++;
        product_set_price(&got, 101 + i);
        product_set_version(&got, version);
        if (product_update(&f->s, &got, la, &w, &f->err))
            fail_msg("update %d: %s", i, f->err.message);
        version = w.version;
        dg_arena_reset(la);
    }
    dg_arena_destroy(la);
    fprintf(stderr, "read-your-writes through DAX: %d stale reads in 40\n", stale);
    assert_int_equal(stale, 0);
}

static void test_consistent_bypass(void **state)
{
    fx *f = *state;
    product_t p, got;
    dg_store_write w;
    new_product(&p, "bypass", 500);
    assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.price, 500); /* now in DAX's item cache */
    /* a write straight to DynamoDB: same item with another price */
    dg_buf key = DG_BUF_INIT;
    assert_int_equal(product_key(&key, p.product_id, 0, &f->err), 0);
    dg_ddb_get g = {.table = products_name, .key = key.data, .consistent = true};
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    assert_int_equal(dg_ddb_get_item(f->ddb, &g, &r, &f->err), 0);
    assert_non_null(r.item);
    cJSON *item = cJSON_Duplicate(r.item, true);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(item, "Price"), "N", cJSON_CreateString("7.77"));
    char *body = cJSON_PrintUnformatted(item);
    dg_ddb_write pw = {.table = products_name, .item = body};
    assert_int_equal(dg_ddb_put_item(f->ddb, &pw, &r, &f->err), 0);
    free(body);
    cJSON_Delete(item);
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&key);
    /* strongly consistent: DynamoDB, sees it */
    assert_int_equal(product_get(&f->s, p.product_id, true, &got, f->a, &f->err), 0);
    assert_int_equal(got.price, 777);
    /* eventually consistent: DAX's item cache, which a direct write does not touch */
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    fprintf(stderr, "after a direct DynamoDB write: consistent read 777 cents, DAX read %lld\n",
            (long long)got.price);
    assert_int_equal(got.price, 500);
}

static void test_discovery(void **state)
{
    fx *f = *state;
    product_t got;
    /* any call discovers the cluster */
    assert_int_equal(product_get(&f->s, DG_STR("no-such-id"), false, &got, f->a, &f->err),
                     DG_ENOTFOUND);
    size_t usable;
    assert_int_equal(dg_dax_client_node_count(f->dax, &usable), (size_t)dax_nodes);
    assert_int_equal(usable, (size_t)dax_nodes);
    assert_true(dg_dax_client_stats(f->dax)->refreshes >= 1);
}

static void test_failover_node_killed(void **state)
{
    fx *f = *state;
    if (f->nrelays < 2)
        skip();
    product_t p, got;
    dg_store_write w;
    new_product(&p, "failover", 1);
    assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    int failed = 0, ops = 0;
    int64_t version = 1;
    dg_arena *la = dg_arena_new(0); /* per iteration; the id stays in f->a */
    for (int i = 0; i < 150; i++) {
        if (i == 50)
            relay_kill(&f->relays[0]); /* node 1 dies mid-run */
        ops++;
        if (product_get(&f->s, p.product_id, false, &got, la, &f->err)) {
            failed++;
            fprintf(stderr, "op %d get: %s\n", i, f->err.message);
            continue;
        }
        if (i % 3 == 0) {
            ops++;
            product_set_version(&got, version);
            product_set_price(&got, i + 2);
            if (product_update(&f->s, &got, la, &w, &f->err)) {
                failed++;
                fprintf(stderr, "op %d update: %s\n", i, f->err.message);
            } else {
                version = w.version;
            }
        }
        dg_arena_reset(la);
    }
    dg_arena_destroy(la);
    const dg_dax_stats *st = dg_dax_client_stats(f->dax);
    fprintf(stderr,
            "failover: %d ops, %d failed, node failures %llu, retries %llu, fallbacks %llu\n", ops,
            failed, (unsigned long long)st->node_failures, (unsigned long long)st->retries,
            (unsigned long long)st->read_fallbacks);
    assert_int_equal(failed, 0);
    assert_int_equal(st->read_fallbacks, 0); /* the other nodes served */
    size_t usable;
    dg_dax_client_node_count(f->dax, &usable);
    assert_int_equal(usable, (size_t)f->nrelays - 1);
}

static void test_all_nodes_down(void **state)
{
    fx *f = *state;
    product_t p, got;
    dg_store_write w;
    new_product(&p, "alldown", 42);
    assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    for (int i = 0; i < f->nrelays; i++)
        relay_kill(&f->relays[i]);
    /* reads: DynamoDB instead, counted */
    if (product_get(&f->s, p.product_id, false, &got, f->a, &f->err))
        fail_msg("get: %s", f->err.message);
    assert_int_equal(got.price, 42);
    assert_true(dg_dax_client_stats(f->dax)->read_fallbacks >= 1);
    dg_store_page pg;
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 1);
    /* writes: a clean failure, nothing written */
    product_t q;
    new_product(&q, "alldown", 43);
    assert_int_equal(product_create(&f->s, &q, f->a, &w, &f->err), DG_EIO);
    assert_non_null(strstr(f->err.message, "nothing written"));
    assert_false(raw_exists(f, q.product_id, 0));
    assert_false(raw_exists(f, q.product_id, 1));
    product_set_price(&got, 44);
    assert_int_equal(product_update(&f->s, &got, f->a, &w, &f->err), DG_EIO);
    assert_int_equal(product_get(&f->s, p.product_id, true, &got, f->a, &f->err), 0);
    assert_int_equal(got.price, 42);
    assert_int_equal(got.version, 1);
}

/* The raw client API, same shapes as ddb.h: UpdateItem with ALL_NEW,
 * DeleteItem with ALL_OLD, Scan paging with a LastEvaluatedKey. */
static void test_raw_update_delete_scan(void **state)
{
    fx *f = *state;
    char id[37];
    dg_uuid_v4(id, &f->err);
    char key[160], item[320];
    snprintf(key, sizeof key, "{\"ProductID\":{\"S\":\"%s\"},\"Version\":{\"N\":\"7\"}}", id);
    snprintf(item, sizeof item,
             "{\"ProductID\":{\"S\":\"%s\"},\"Version\":{\"N\":\"7\"},\"Name\":{\"S\":\"raw\"},"
             "\"Price\":{\"N\":\"1.5\"},\"Tags\":{\"SS\":[\"a\",\"b\"]}}",
             id);
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    dg_ddb_write pw = {.table = products_name, .item = item};
    assert_int_equal(dg_dax_put_item(f->dax, &pw, &r, &f->err), 0);
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char upd[96];
    snprintf(upd, sizeof upd, "SET %s = %s", dg_ddb_expr_name(&e, "Price"),
             dg_ddb_expr_value(&e, "{\"N\":\"2.25\"}"));
    dg_ddb_write uw = {.table = products_name,
                       .key = key,
                       .update = upd,
                       .expr = &e,
                       .return_values = DG_RV_ALL_NEW};
    if (dg_dax_update_item(f->dax, &uw, &r, &f->err))
        fail_msg("update: %s", f->err.message);
    assert_non_null(r.item);
    const cJSON *price = cJSON_GetObjectItem(cJSON_GetObjectItem(r.item, "Price"), "N");
    assert_string_equal(price->valuestring, "2.25");
    assert_non_null(cJSON_GetObjectItem(r.item, "Name"));
    dg_ddb_expr_clean_up(&e);
    /* the item cache saw the update */
    dg_ddb_get g = {.table = products_name, .key = key};
    assert_int_equal(dg_dax_get_item(f->dax, &g, &r, &f->err), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r.item, "Price"), "N")->valuestring,
                        "2.25");
    /* scan, 1 item per page: paging works */
    dg_ddb_query q = {.table = products_name, .limit = 1};
    assert_int_equal(dg_dax_scan_page(f->dax, &q, &r, &f->err), 0);
    assert_int_equal(r.count, 1);
    assert_non_null(r.last_key);
    char *lk = cJSON_PrintUnformatted(r.last_key);
    dg_ddb_result r2;
    dg_ddb_result_init(&r2);
    q.start_key = lk;
    assert_int_equal(dg_dax_scan_page(f->dax, &q, &r2, &f->err), 0);
    assert_true(r2.count <= 1);
    free(lk);
    dg_ddb_result_clean_up(&r2);
    /* delete with ALL_OLD */
    dg_ddb_write dw = {.table = products_name, .key = key, .return_values = DG_RV_ALL_OLD};
    assert_int_equal(dg_dax_delete_item(f->dax, &dw, &r, &f->err), 0);
    assert_non_null(r.item);
    assert_int_equal(dg_dax_get_item(f->dax, &g, &r, &f->err), 0);
    assert_null(r.item);
    /* a validation error is not retried and says what is wrong */
    dg_ddb_write bad = {.table = products_name, .key = key, .update = "SET = 1"};
    dg_error_clear(&f->err);
    assert_int_equal(dg_dax_update_item(f->dax, &bad, &r, &f->err), DG_EINVAL);
    assert_true(strlen(f->err.message) > 0);
    dg_ddb_result_clean_up(&r);
}

/* dg_api_app_new gives every store the DAX client when DAX_ENDPOINT is set. */
static void test_api_app_wiring(void **state)
{
    (void)state;
    dg_api_app *app = NULL;
    dg_error err;
    setenv("TABLE_NAME", products_name, 1);
    if (dg_api_app_new(dynagen_api_tables, DYNAGEN_TABLE_COUNT, &app, &err))
        fail_msg("app: %s", err.message);
    assert_non_null(app->tables[0].store.dax);
    assert_ptr_equal(app->tables[0].store.dax, app->dax); /* the app owns it */
    assert_false(app->tables[0].store.owns_dax);
    dg_arena *a = dg_arena_new(0);
    product_t p, got;
    dg_store_write w;
    new_product(&p, "app", 3);
    assert_int_equal(product_create(&app->tables[0].store, &p, a, &w, &err), 0);
    assert_int_equal(product_get(&app->tables[0].store, p.product_id, false, &got, a, &err), 0);
    assert_true(dg_dax_client_stats(app->tables[0].store.dax)->writes_dax >= 2);
    dg_arena_destroy(a);
    dg_api_app_destroy(app);
    unsetenv("TABLE_NAME");
    /* a malformed DAX_ENDPOINT fails the start with a clear message */
    const char *saved = getenv("DAX_ENDPOINT");
    char *copy = strdup(saved);
    setenv("DAX_ENDPOINT", "http://nope", 1);
    app = NULL;
    assert_int_equal(dg_api_app_new(dynagen_api_tables, DYNAGEN_TABLE_COUNT, &app, &err),
                     DG_EINVAL);
    assert_non_null(strstr(err.message, "dax://"));
    setenv("DAX_ENDPOINT", copy, 1);
    free(copy);
}

/* daxs://: TLS to a node, the certificate checked against the configured
 * host name. The suite makes a self-signed certificate for "localhost"
 * (DAX_TEST_TLS_CERT / DAX_TEST_TLS_KEY) and this test terminates TLS in
 * front of node 1; without the certificate there is nothing to check. */
static void test_tls_endpoint(void **state)
{
    (void)state;
    const char *cert = getenv("DAX_TEST_TLS_CERT"), *key = getenv("DAX_TEST_TLS_KEY");
    if (!cert || !key || !*cert || !*key) {
        fprintf(stderr, "tls: DAX_TEST_TLS_CERT/KEY not set, not checked\n");
        return;
    }
    tls_relay *r = calloc(1, sizeof *r);
    assert_true(tls_relay_start(r, seed.port, cert, key));
    char ep[96];
    dg_dax_options o = {0};
    o.static_nodes = true;
    o.ca_file = cert;
    o.request_timeout_ms = 3000;
    dg_dax_client *dax = NULL;
    dg_error err;
    snprintf(ep, sizeof ep, "daxs://localhost:%u", r->port);
    assert_int_equal(dg_dax_client_new(ep, &cfg, &o, &dax, &err), 0);
    fx *f = fx_new(dax);
    product_t p, got;
    dg_store_write w;
    new_product(&p, "tls", 9);
    if (product_create(&f->s, &p, f->a, &w, &f->err))
        fail_msg("create over TLS: %s", f->err.message);
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.price, 9);
    assert_int_equal(dg_dax_client_stats(dax)->read_fallbacks, 0);
    assert_true(dg_dax_client_stats(dax)->reads_dax >= 1);
    /* the same node under a name the certificate does not carry: refused */
    dg_dax_client *bad = NULL;
    snprintf(ep, sizeof ep, "daxs://127.0.0.1:%u", r->port);
    assert_int_equal(dg_dax_client_new(ep, &cfg, &o, &bad, &err), 0);
    dg_buf k = DG_BUF_INIT;
    assert_int_equal(product_key(&k, p.product_id, 0, &err), 0);
    dg_ddb_get g = {.table = products_name, .key = k.data};
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error_clear(&err);
    assert_int_equal(dg_dax_get_item(bad, &g, &res, &err), DG_EIO);
    assert_string_equal(err.type, DG_DAX_UNREACHABLE);
    fprintf(stderr, "tls: wrong host name refused: %s\n", err.message);
    assert_non_null(strstr(err.message, "certificate"));
    dg_buf_free(&k);
    dg_dax_client_destroy(bad);
    dg_store_clean_up(&f->s);
    dg_ddb_client_destroy(f->ddb);
    dg_arena_destroy(f->a);
    free(f);
    tls_relay_stop(r);
    free(r);
}

/* BatchWriteItem / BatchGetItem / TransactWriteItems / TransactGetItems
 * through DAX, with the ddb.h JSON shapes. */
static void test_batches(void **state)
{
    fx *f = *state;
    char ids[3][37];
    dg_buf w = DG_BUF_INIT, g = DG_BUF_INIT;
    dg_buf_printf(&w, "{\"%s\":[", products_name);
    dg_buf_printf(&g, "{\"%s\":{\"Keys\":[", products_name);
    for (int i = 0; i < 3; i++) {
        dg_uuid_v4(ids[i], &f->err);
        dg_buf_printf(
            &w,
            "%s{\"PutRequest\":{\"Item\":{\"ProductID\":{\"S\":\"%s\"},\"Version\":{\"N\":\"5\"},"
            "\"Name\":{\"S\":\"b%d\"}}}}",
            i ? "," : "", ids[i], i);
        dg_buf_printf(&g, "%s{\"ProductID\":{\"S\":\"%s\"},\"Version\":{\"N\":\"5\"}}",
                      i ? "," : "", ids[i]);
    }
    dg_buf_puts(&w, "]}");
    dg_buf_puts(&g, "]}}");
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    if (dg_dax_batch_write(f->dax, w.data, &r, &f->err))
        fail_msg("batch write: %s", f->err.message);
    assert_null(r.unprocessed);
    if (dg_dax_batch_get(f->dax, g.data, &r, &f->err))
        fail_msg("batch get: %s", f->err.message);
    assert_non_null(r.responses);
    const cJSON *items = cJSON_GetObjectItem(r.responses, products_name);
    assert_int_equal(cJSON_GetArraySize(items), 3);
    assert_true(raw_exists(f, (dg_str){ids[1], 36}, 5)); /* written through to DynamoDB */
    /* delete one, read the three again: two left */
    dg_buf_reset(&w);
    dg_buf_printf(&w,
                  "{\"%s\":[{\"DeleteRequest\":{\"Key\":{\"ProductID\":{\"S\":\"%s\"},\"Version\":{"
                  "\"N\":\"5\"}}}}]}",
                  products_name, ids[0]);
    assert_int_equal(dg_dax_batch_write(f->dax, w.data, &r, &f->err), 0);
    assert_int_equal(dg_dax_batch_get(f->dax, g.data, &r, &f->err), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.responses, products_name)), 2);
    assert_int_equal(dg_dax_batch_get(f->dax, "[1]", &r, &f->err), DG_EINVAL);
    assert_int_equal(dg_dax_transact_write_items(f->dax, "[]", NULL, &r, &f->err), DG_EINVAL);
    /* transactions: two puts on a condition, read back with TransactGet */
    char tid[2][37];
    dg_uuid_v4(tid[0], &f->err);
    dg_uuid_v4(tid[1], &f->err);
    dg_buf t = DG_BUF_INIT;
    dg_buf_puts(&t, "[");
    for (int i = 0; i < 2; i++)
        dg_buf_printf(&t,
                      "%s{\"Put\":{\"TableName\":\"%s\",\"Item\":{\"ProductID\":{\"S\":\"%s\"},"
                      "\"Version\":{\"N\":\"1\"},\"Name\":{\"S\":\"tx%d\"}},"
                      "\"ConditionExpression\":\"attribute_not_exists(#p)\","
                      "\"ExpressionAttributeNames\":{\"#p\":\"ProductID\"}}}",
                      i ? "," : "", products_name, tid[i], i);
    dg_buf_puts(&t, "]");
    if (dg_dax_transact_write_items(f->dax, t.data, NULL, &r, &f->err))
        fail_msg("transact write: %s", f->err.message);
    /* the same again: the conditions fail, nothing is written */
    assert_int_equal(dg_dax_transact_write_items(f->dax, t.data, NULL, &r, &f->err), DG_ECONFLICT);
    dg_buf_reset(&t);
    dg_buf_printf(&t,
                  "[{\"Get\":{\"TableName\":\"%s\",\"Key\":{\"ProductID\":{\"S\":\"%s\"},"
                  "\"Version\":{\"N\":\"1\"}}}},"
                  "{\"Get\":{\"TableName\":\"%s\",\"Key\":{\"ProductID\":{\"S\":\"%s\"},"
                  "\"Version\":{\"N\":\"1\"}}}}]",
                  products_name, tid[0], products_name, tid[1]);
    if (dg_dax_transact_get_items(f->dax, t.data, &r, &f->err))
        fail_msg("transact get: %s", f->err.message);
    assert_non_null(r.responses);
    assert_int_equal(cJSON_GetArraySize(r.responses), 2);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(r.responses, 1), "Item"));
    dg_buf_free(&t);
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&w);
    dg_buf_free(&g);
}

/* Paging through DAX: the GSI (compound LastEvaluatedKey) and the versions,
 * with the store's signed cursors. */
static void test_paging_through_dax(void **state)
{
    fx *f = *state;
    char cat[48];
    snprintf(cat, sizeof cat, "page-%lld", (long long)dg_now_ms());
    product_t p;
    dg_store_write w;
    for (int i = 0; i < 3; i++) {
        new_product(&p, cat, 100 + i);
        assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    }
    for (int i = 0; i < 3; i++) { /* p: 4 versions */
        product_t cur;
        assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
        product_set_stock(&cur, i);
        assert_int_equal(product_update(&f->s, &cur, f->a, &w, &f->err), 0);
    }
    dg_str c = {cat, strlen(cat)};
    const char *cursor = NULL;
    int64_t prices[4];
    int n = 0;
    for (int page = 0; page < 5; page++) {
        dg_store_page pg;
        if (product_list_by_category(&f->s, c, cursor, 1, true, &pg, f->a, &f->err))
            fail_msg("list page %d: %s", page, f->err.message);
        for (size_t i = 0; i < pg.count && n < 4; i++)
            prices[n++] = ((product_t *)pg.items)[i].price;
        cursor = pg.next_cursor;
        if (!cursor)
            break;
    }
    assert_int_equal(n, 3);
    assert_int_equal(prices[0], 100);
    assert_int_equal(prices[1], 101);
    assert_int_equal(prices[2], 102);
    cursor = NULL;
    int64_t versions[8];
    n = 0;
    for (int page = 0; page < 8; page++) {
        dg_store_page pg;
        if (product_list_versions(&f->s, p.product_id, cursor, 2, &pg, f->a, &f->err))
            fail_msg("versions page %d: %s", page, f->err.message);
        for (size_t i = 0; i < pg.count && n < 8; i++)
            versions[n++] = ((product_t *)pg.items)[i].version;
        cursor = pg.next_cursor;
        if (!cursor)
            break;
    }
    assert_int_equal(n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(versions[i], 4 - i);
    assert_int_equal(dg_dax_client_stats(f->dax)->read_fallbacks, 0);
}

/* ---------------------------------------------------------------- authentication */

static int64_t clock_behind(void)
{
    return dg_now_ms() - 20 * 60 * 1000;
}

static int64_t clock_ahead(void)
{
    return dg_now_ms() + 20 * 60 * 1000;
}

/* A DAX client for ep with other credentials (copied by dg_dax_client_new). */
static dg_dax_client *dax_with(const char *ep, const char *ak, const char *sk,
                               int64_t (*clock)(void))
{
    dg_aws_config c2 = cfg;
    c2.credentials.access_key_id = (char *)ak;
    c2.credentials.secret_access_key = (char *)sk;
    dg_dax_options o = {0};
    o.request_timeout_ms = 3000;
    o.now_ms = clock;
    dg_dax_client *c = NULL;
    dg_error err;
    if (dg_dax_client_new(ep, &c2, &o, &c, &err))
        fail_msg("dax client: %s", err.message);
    return c;
}

static void test_auth_refused(void **state)
{
    (void)state;
    char wrong[160];
    snprintf(wrong, sizeof wrong, "%s-wrong", cfg.credentials.secret_access_key);
    const struct {
        const char *what, *ak, *sk;
        int64_t (*clock)(void);
        const char *type, *text;
    } cases[] = {
        {"wrong secret", cfg.credentials.access_key_id, wrong, NULL, "InvalidSignatureException",
         "The request signature we calculated does not match the signature you provided."},
        {"unknown access key id", "AKIDNOTDAXLOCAL", cfg.credentials.secret_access_key, NULL,
         "UnrecognizedClientException", "The security token included in the request is invalid."},
        {"clock 20 min behind", cfg.credentials.access_key_id, cfg.credentials.secret_access_key,
         clock_behind, "InvalidSignatureException", "Signature expired: "},
        {"clock 20 min ahead", cfg.credentials.access_key_id, cfg.credentials.secret_access_key,
         clock_ahead, "InvalidSignatureException", "Signature not yet current: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx *f = fx_new(dax_with(dax_endpoint, cases[i].ak, cases[i].sk, cases[i].clock));
        product_t p, got;
        dg_store_write w;
        new_product(&p, "auth", 7);
        int64_t t0 = dg_now_ms();
        dg_error_clear(&f->err);
        int rc = product_create(&f->s, &p, f->a, &w, &f->err);
        int64_t ms = dg_now_ms() - t0;
        fprintf(stderr, "auth: %s: rc %d in %lld ms: %s\n", cases[i].what, rc, (long long)ms,
                f->err.message);
        if (rc != DG_EINVAL || strcmp(f->err.type, cases[i].type) != 0 ||
            !strstr(f->err.message, cases[i].text))
            fail_msg("%s: rc %d, type '%s', message '%s'", cases[i].what, rc, f->err.type,
                     f->err.message);
        assert_non_null(strstr(f->err.message, cases[i].type)); /* the message names it too */
        assert_true(ms < 3000);                                 /* refused at once, no retry loop */
        const dg_dax_stats *st = dg_dax_client_stats(f->dax);
        assert_int_equal(st->retries, 0);
        assert_int_equal(st->attempts, 1);
        /* nothing written: neither the item nor its first version */
        assert_false(raw_exists(f, p.product_id, 0));
        assert_false(raw_exists(f, p.product_id, 1));
        /* a read reports the error too: no silent fallback to DynamoDB */
        dg_error_clear(&f->err);
        assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), DG_EINVAL);
        assert_string_equal(f->err.type, cases[i].type);
        assert_int_equal(st->read_fallbacks, 0);
        assert_int_equal(st->retries, 0);
        dg_store_clean_up(&f->s);
        dg_ddb_client_destroy(f->ddb);
        dg_arena_destroy(f->a);
        free(f);
    }
}

/* dax-local --no-verify-auth (the suite's second server): the wrong secret works. */
static void test_auth_not_verified(void **state)
{
    (void)state;
    const char *ep = getenv("DAX_NOVERIFY_ENDPOINT");
    if (!ep || !*ep) {
        fprintf(stderr, "auth: DAX_NOVERIFY_ENDPOINT not set, --no-verify-auth not checked\n");
        skip();
    }
    fx *f = fx_new(dax_with(ep, cfg.credentials.access_key_id, "not-the-secret", NULL));
    product_t p, got;
    dg_store_write w;
    new_product(&p, "noverify", 8);
    if (product_create(&f->s, &p, f->a, &w, &f->err))
        fail_msg("create with --no-verify-auth: %s", f->err.message);
    assert_true(raw_exists(f, p.product_id, 1));
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.price, 8);
    assert_int_equal(dg_dax_client_stats(f->dax)->read_fallbacks, 0);
    dg_store_clean_up(&f->s);
    dg_ddb_client_destroy(f->ddb);
    dg_arena_destroy(f->a);
    free(f);
}

int main(void)
{
    dax_endpoint = getenv("DAX_ENDPOINT");
    if (!dax_endpoint || !*dax_endpoint) {
        printf("SKIPPED: DAX_ENDPOINT is not set (tests/suites/dax-client.sh starts dax-local and "
               "sets it)\n");
        return 0;
    }
    const char *nn = getenv("DAX_LOCAL_NODES");
    if (nn && atoi(nn) > 0)
        dax_nodes = atoi(nn);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accessors_through_dax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_your_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consistent_bypass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging_through_dax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_update_delete_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test(test_api_app_wiring),
        cmocka_unit_test(test_tls_endpoint),
        cmocka_unit_test_setup_teardown(test_failover_node_killed, setup_relays, teardown),
        cmocka_unit_test_setup_teardown(test_all_nodes_down, setup_relays, teardown),
        cmocka_unit_test(test_auth_refused),
        cmocka_unit_test(test_auth_not_verified),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
