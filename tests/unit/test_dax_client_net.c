/* Unit tests: runtime/dax/client.c over real loopback sockets against an
 * in-process fake DAX node (a thread that splits requests with the codec's
 * scanners and answers with the captured replies of shared/dax-vectors/).
 * Covers discovery, preamble + authorisation (and its cadence with a fake
 * clock), the attribute-list and key-schema caches, Get/Put/Query, the
 * follow-up read after a failed condition, failover when a node dies and
 * the all-nodes-down answers. The real server is tests/suites/dax-client.sh. */
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
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "dynagen/dax.h"
#include "dynagen/dax_codec.h"

/* ---------------------------------------------------------------- fake node */

typedef struct fake {
    int lfd;
    uint16_t port;
    pthread_t th;
    volatile int stop;
    volatile int auths, preambles, gets, puts, define_ids, endpoints, queries, key_schemas;
    volatile int ccf;      /* answer putItem with ConditionalCheckFailed */
    volatile int auth_err; /* answer getItem with [4,23,31,auth_err]: 33 once, 32 always */
    uint16_t peers[4];     /* the cluster endpoints answers with (incl. itself) */
    int npeers;
} fake;

static const uint8_t R_KS[] = {0x80, 0xa2, 0x69, 'P', 'r', 'o', 'd', 'u', 'c', 't', 'I',  'D',
                               0x61, 'S',  0x67, 'V', 'e', 'r', 's', 'i', 'o', 'n', 0x61, 'N'};
static const uint8_t R_AL_ID[] = {0x80, 0x02};
static const uint8_t R_AL[] = {0x80, 0x82, 0x64, 'N', 'a', 'm', 'e', 0x65, 'P', 'r', 'i', 'c', 'e'};
static const uint8_t R_GET[] = {0x80, 0xa1, 0x00, 0x4e, 0x02, 0x66, 'W',  'i',  'd',
                                'g',  'e',  't',  0xc4, 0x82, 0x21, 0x19, 0x07, 0xcf};
static const uint8_t R_PUT[] = {0x80, 0xf6};
static const uint8_t R_QUERY[] = {0x80, 0xa3, 0x07, 0x81, 0x82, 0x47, 0x62, 0x50, 0x31, 0xc1, 0x4e,
                                  0x00, 0x00, 0x4e, 0x02, 0x66, 'W',  'i',  'd',  'g',  'e',  't',
                                  0xc4, 0x82, 0x21, 0x19, 0x07, 0xcf, 0x08, 0x01, 0x0a, 0x01};

/* An error reply: the code array, then message, [requestId, exception name, 400]. */
static size_t error_reply(uint8_t *o, const uint8_t *codes, size_t ncodes, const char *msg,
                          const char *ex)
{
    size_t n = 0;
    memcpy(o + n, codes, ncodes);
    n += ncodes;
    o[n++] = 0x78;
    o[n++] = (uint8_t)strlen(msg);
    memcpy(o + n, msg, strlen(msg));
    n += strlen(msg);
    o[n++] = 0x83;
    o[n++] = 0x67;
    memcpy(o + n, "req-123", 7);
    n += 7;
    o[n++] = 0x78;
    o[n++] = (uint8_t)strlen(ex);
    memcpy(o + n, ex, strlen(ex));
    n += strlen(ex);
    o[n++] = 0x19;
    o[n++] = 0x01;
    o[n++] = 0x90;
    return n;
}

/* [4, 37, 38, 39, 43]: ConditionalCheckFailed */
static size_t ccf_reply(uint8_t *o)
{
    const uint8_t codes[] = {0x85, 0x04, 0x18, 0x25, 0x18, 0x26, 0x18, 0x27, 0x18, 0x2b};
    return error_reply(o, codes, sizeof codes, "The conditional request failed",
                       "ConditionalCheckFailedException");
}

/* [4, 23, 31, leaf]: authentication */
static size_t auth_reply(uint8_t *o, int leaf)
{
    const uint8_t codes[] = {0x84, 0x04, 0x17, 0x18, 0x1f, 0x18, (uint8_t)leaf};
    const char *msg = leaf == 33 ? "Request must be authenticated"
                                 : "The request signature we calculated does not match the "
                                   "signature you provided.";
    const char *ex = leaf == 33 ? "AuthenticationRequiredException" : "InvalidSignatureException";
    return error_reply(o, codes, sizeof codes, msg, ex);
}

static size_t endpoints_reply(const fake *f, uint8_t *o)
{
    size_t n = 0;
    o[n++] = 0x80;
    o[n++] = (uint8_t)(0x80 + f->npeers);
    for (int i = 0; i < f->npeers; i++) {
        o[n++] = 0xa7;
        o[n++] = 0x00;
        o[n++] = (uint8_t)(i + 1);
        o[n++] = 0x01;
        o[n++] = 0x69;
        memcpy(o + n, "localhost", 9);
        n += 9;
        o[n++] = 0x02;
        o[n++] = 0x44;
        o[n++] = 127;
        o[n++] = 0;
        o[n++] = 0;
        o[n++] = 1;
        o[n++] = 0x03;
        o[n++] = 0x19;
        o[n++] = (uint8_t)(f->peers[i] >> 8);
        o[n++] = (uint8_t)f->peers[i];
        o[n++] = 0x04;
        o[n++] = i == 0 ? 1 : 2;
        o[n++] = 0x05;
        o[n++] = 0x6a;
        memcpy(o + n, "us-east-1a", 10);
        n += 10;
        o[n++] = 0x06;
        o[n++] = 0x01;
    }
    return n;
}

typedef struct cl {
    int fd;
    bool pre;
    uint8_t buf[65536];
    size_t len;
} cl;

static void answer(fake *f, cl *k, int64_t m)
{
    uint8_t out[1024];
    size_t n = 0;
    const uint8_t *r = NULL;
    switch (m) {
    case DG_DAX_AUTHORIZE_CONNECTION:
        f->auths++;
        return;
    case DG_DAX_ENDPOINTS:
        f->endpoints++;
        n = endpoints_reply(f, out);
        r = out;
        break;
    case DG_DAX_DEFINE_KEY_SCHEMA:
        f->key_schemas++;
        r = R_KS, n = sizeof R_KS;
        break;
    case DG_DAX_DEFINE_ATTRIBUTE_LIST_ID:
        f->define_ids++;
        r = R_AL_ID, n = sizeof R_AL_ID;
        break;
    case DG_DAX_DEFINE_ATTRIBUTE_LIST:
        r = R_AL, n = sizeof R_AL;
        break;
    case DG_DAX_GET_ITEM:
        f->gets++;
        if (f->auth_err) {
            n = auth_reply(out, f->auth_err);
            r = out;
            if (f->auth_err == 33)
                f->auth_err = 0;
        } else {
            r = R_GET, n = sizeof R_GET;
        }
        break;
    case DG_DAX_PUT_ITEM:
        f->puts++;
        if (f->ccf) {
            n = ccf_reply(out);
            r = out;
        } else {
            r = R_PUT, n = sizeof R_PUT;
        }
        break;
    case DG_DAX_QUERY:
        f->queries++;
        r = R_QUERY, n = sizeof R_QUERY;
        break;
    default:
        r = R_PUT, n = sizeof R_PUT;
    }
    if (send(k->fd, r, n, MSG_NOSIGNAL) < 0) {
    }
}

static void *serve(void *arg)
{
    fake *f = arg;
    cl *cls[16] = {0};
    while (!f->stop) {
        struct pollfd p[17];
        int np = 0;
        p[np++] = (struct pollfd){f->lfd, POLLIN, 0};
        for (int i = 0; i < 16; i++)
            if (cls[i])
                p[np++] = (struct pollfd){cls[i]->fd, POLLIN, 0};
        if (poll(p, (nfds_t)np, 20) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            int fd = accept(f->lfd, NULL, NULL);
            for (int i = 0; fd >= 0 && i < 16; i++)
                if (!cls[i]) {
                    cls[i] = calloc(1, sizeof(cl));
                    cls[i]->fd = fd;
                    fd = -1;
                }
            if (fd >= 0)
                close(fd);
        }
        for (int i = 0; i < 16; i++) {
            cl *k = cls[i];
            if (!k)
                continue;
            struct pollfd q = {k->fd, POLLIN, 0};
            if (poll(&q, 1, 0) <= 0)
                continue;
            ssize_t r = recv(k->fd, k->buf + k->len, sizeof k->buf - k->len, 0);
            if (r <= 0) {
                close(k->fd);
                free(k);
                cls[i] = NULL;
                continue;
            }
            k->len += (size_t)r;
            for (;;) {
                size_t used = 0;
                int64_t m = 0;
                int rc;
                if (!k->pre) {
                    rc = dg_dax_preamble_scan(k->buf, k->len, NULL, &used);
                    if (rc == 0) {
                        k->pre = true;
                        f->preambles++;
                    }
                } else {
                    rc = dg_dax_request_scan(k->buf, k->len, NULL, &m, &used);
                    if (rc == 0)
                        answer(f, k, m);
                }
                if (rc != 0)
                    break;
                memmove(k->buf, k->buf + used, k->len - used);
                k->len -= used;
            }
        }
    }
    for (int i = 0; i < 16; i++)
        if (cls[i]) {
            close(cls[i]->fd);
            free(cls[i]);
        }
    close(f->lfd);
    return NULL;
}

static void fake_start(fake *f)
{
    memset(f, 0, sizeof *f);
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->lfd >= 0);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t sl = sizeof sin;
    getsockname(f->lfd, (struct sockaddr *)&sin, &sl);
    f->port = ntohs(sin.sin_port);
    assert_int_equal(listen(f->lfd, 16), 0);
    f->peers[0] = f->port;
    f->npeers = 1;
}

static void fake_run(fake *f)
{
    assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

static void fake_stop(fake *f)
{
    f->stop = 1;
    pthread_join(f->th, NULL);
}

/* ---------------------------------------------------------------- client helpers */

static int64_t g_now;
static int64_t fake_clock(void)
{
    return g_now;
}

static char AK[] = "AKIDEXAMPLE", SK[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            REG[] = "us-east-1";

static dg_dax_client *client(const char *ep, bool fake_time)
{
    dg_aws_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.credentials.access_key_id = AK;
    cfg.credentials.secret_access_key = SK;
    cfg.region = REG;
    dg_dax_options o = {0};
    o.request_timeout_ms = 2000;
    o.base_backoff_ms = 1;
    o.max_backoff_ms = 5;
    if (fake_time)
        o.now_ms = fake_clock;
    dg_dax_client *c = NULL;
    dg_error err;
    assert_int_equal(dg_dax_client_new(ep, &cfg, &o, &c, &err), 0);
    return c;
}

/* A client of the fake node f (already running). */
static dg_dax_client *client_of(const fake *f, bool fake_time)
{
    char ep[64];
    snprintf(ep, sizeof ep, "dax://127.0.0.1:%u", f->port);
    return client(ep, fake_time);
}

static const char *KEY = "{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"}}";
static const char *ITEM = "{\"ProductID\":{\"S\":\"P1\"},\"Version\":{\"N\":\"3\"},"
                          "\"Name\":{\"S\":\"Widget\"},\"Price\":{\"N\":\"19.99\"}}";

static int get(dg_dax_client *c, dg_ddb_result *res, dg_error *err)
{
    dg_ddb_get g = {.table = "Products", .key = KEY};
    dg_error_clear(err);
    return dg_dax_get_item(c, &g, res, err);
}

static void assert_widget(const dg_ddb_result *res)
{
    assert_non_null(res->item);
    char *s = cJSON_PrintUnformatted(res->item);
    assert_non_null(strstr(s, "\"Name\":{\"S\":\"Widget\"}"));
    assert_non_null(strstr(s, "\"Price\":{\"N\":\"19.99\"}"));
    assert_non_null(strstr(s, "\"ProductID\":{\"S\":\"P1\"}"));
    assert_non_null(strstr(s, "\"Version\":{\"N\":\"3\"}"));
    free(s);
}

/* ---------------------------------------------------------------- tests */

static void test_get_put_query(void **state)
{
    (void)state;
    fake f;
    fake_start(&f);
    fake_run(&f);
    dg_dax_client *c = client_of(&f, false);
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error err;
    assert_int_equal(get(c, &res, &err), 0);
    assert_widget(&res);
    assert_int_equal(f.endpoints, 1);
    assert_int_equal(f.key_schemas, 1);
    assert_int_equal(f.gets, 1);
    assert_true(f.auths >= 1);
    int auths = f.auths;
    assert_int_equal(get(c, &res, &err), 0); /* cached schema, pooled connection, no new auth */
    assert_widget(&res);
    assert_int_equal(f.key_schemas, 1);
    assert_int_equal(f.auths, auths);
    assert_int_equal(f.preambles, 1);
    /* put: the attribute list id is asked once */
    dg_ddb_write w = {.table = "Products", .item = ITEM};
    dg_error_clear(&err);
    assert_int_equal(dg_dax_put_item(c, &w, &res, &err), 0);
    assert_int_equal(dg_dax_put_item(c, &w, &res, &err), 0);
    assert_int_equal(f.define_ids, 0); /* [Name, Price] = 2 was learned from the get's reply */
    assert_int_equal(f.puts, 2);
    dg_ddb_write w2 = {.table = "Products",
                       .item = "{\"ProductID\":{\"S\":\"P2\"},\"Version\":{\"N\":\"1\"},"
                               "\"Color\":{\"S\":\"red\"}}"};
    assert_int_equal(dg_dax_put_item(c, &w2, &res, &err), 0);
    assert_int_equal(f.define_ids, 1); /* a new attribute list: asked once */
    assert_int_equal(f.puts, 3);
    assert_null(res.item);
    /* query */
    dg_ddb_expr e;
    dg_ddb_expr_init(&e);
    char kc[64];
    snprintf(kc, sizeof kc, "%s = %s", dg_ddb_expr_name(&e, "ProductID"),
             dg_ddb_expr_value(&e, "{\"S\":\"P1\"}"));
    dg_ddb_query q = {.table = "Products", .key_condition = kc, .expr = &e, .forward = true};
    assert_int_equal(dg_dax_query_page(c, &q, &res, &err), 0);
    assert_non_null(res.items);
    assert_int_equal(cJSON_GetArraySize(res.items), 1);
    assert_int_equal(res.count, 1);
    dg_ddb_expr_clean_up(&e);
    const dg_dax_stats *st = dg_dax_client_stats(c);
    assert_int_equal(st->reads_dax, 3);
    assert_int_equal(st->writes_dax, 3);
    cJSON_Delete(res.root);
    dg_dax_client_destroy(c);
    fake_stop(&f);
}

static void test_condition_failure_reads_back(void **state)
{
    (void)state;
    fake f;
    fake_start(&f);
    f.ccf = 1;
    fake_run(&f);
    dg_dax_client *c = client_of(&f, false);
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error err;
    dg_error_clear(&err);
    dg_ddb_write w = {.table = "Products",
                      .item = ITEM,
                      .condition = "attribute_not_exists(ProductID)",
                      .return_old_on_condition_failure = true};
    assert_int_equal(dg_dax_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_string_equal(err.type, "ConditionalCheckFailedException");
    assert_int_equal(f.puts, 1); /* never retried */
    assert_int_equal(f.gets, 1); /* the follow-up read */
    assert_widget(&res);
    assert_false(res.ambiguous_retry);
    /* without the flag: no follow-up read */
    w.return_old_on_condition_failure = false;
    assert_int_equal(dg_dax_put_item(c, &w, &res, &err), DG_ECONFLICT);
    assert_int_equal(f.gets, 1);
    assert_null(res.item);
    cJSON_Delete(res.root);
    dg_dax_client_destroy(c);
    fake_stop(&f);
}

static void test_reauth_cadence(void **state)
{
    (void)state;
    fake f;
    fake_start(&f);
    fake_run(&f);
    g_now = 1700000000000;
    dg_dax_client *c = client_of(&f, true);
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error err;
    assert_int_equal(get(c, &res, &err), 0);
    int a0 = f.auths;
    g_now += 60000;
    assert_int_equal(get(c, &res, &err), 0);
    assert_int_equal(f.auths, a0);
    g_now += 181000; /* 241 s after the first authorisation */
    assert_int_equal(get(c, &res, &err), 0);
    assert_int_equal(f.auths, a0 + 1);
    assert_int_equal(dg_dax_client_set_credentials(c, "AKID2", "secret2", "token", &err), 0);
    g_now += 1000;
    assert_int_equal(get(c, &res, &err), 0);
    assert_int_equal(f.auths, a0 + 2);
    assert_int_equal(f.preambles, 1); /* all on one connection */
    cJSON_Delete(res.root);
    dg_dax_client_destroy(c);
    fake_stop(&f);
}

/* Authentication errors (§5): AuthenticationRequired [_,23,31,33] is
 * retried after authorising again; refused credentials [_,23,31,32] are
 * final: one request, the server's exception name and message. */
static void test_auth_errors(void **state)
{
    (void)state;
    fake f;
    fake_start(&f);
    fake_run(&f);
    dg_dax_client *c = client_of(&f, false);
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error err;
    assert_int_equal(get(c, &res, &err), 0);
    int a0 = f.auths, g0 = f.gets;
    f.auth_err = 33;
    if (get(c, &res, &err))
        fail_msg("AuthenticationRequired not retried: %s", err.message);
    assert_widget(&res);
    assert_int_equal(f.gets, g0 + 2);  /* the refused one and the retry */
    assert_int_equal(f.auths, a0 + 1); /* authorised again before the retry */
    assert_int_equal(f.preambles, 1);  /* on the same connection */
    uint64_t r0 = dg_dax_client_stats(c)->retries;
    f.auth_err = 32;
    g0 = f.gets;
    assert_int_equal(get(c, &res, &err), DG_EINVAL);
    assert_string_equal(err.type, "InvalidSignatureException");
    assert_non_null(strstr(err.message, "does not match the signature you provided"));
    assert_int_equal(f.gets, g0 + 1); /* not retried */
    assert_int_equal(dg_dax_client_stats(c)->retries, r0);
    cJSON_Delete(res.root);
    dg_dax_client_destroy(c);
    fake_stop(&f);
}

static void test_failover_and_all_down(void **state)
{
    (void)state;
    fake a, b;
    fake_start(&a);
    fake_start(&b);
    a.peers[1] = b.port;
    a.npeers = 2;
    b.peers[0] = a.port;
    b.peers[1] = b.port;
    b.npeers = 2;
    fake_run(&a);
    fake_run(&b);
    char ep[64];
    snprintf(ep, sizeof ep, "dax://127.0.0.1:%u", a.port);
    dg_dax_client *c = client(ep, false);
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error err;
    for (int i = 0; i < 20; i++)
        assert_int_equal(get(c, &res, &err), 0);
    size_t usable;
    assert_int_equal(dg_dax_client_node_count(c, &usable), 2);
    assert_int_equal(usable, 2);
    assert_true(a.gets > 0 && b.gets > 0); /* reads spread */
    fake_stop(&a);                         /* the leader dies */
    int failed = 0;
    for (int i = 0; i < 40; i++)
        if (get(c, &res, &err)) {
            failed++;
            fprintf(stderr, "failed: %s\n", err.message);
        }
    assert_int_equal(failed, 0); /* failover: every request answered */
    assert_true(dg_dax_client_stats(c)->node_failures >= 1);
    /* writes go to the other node too */
    dg_ddb_write w = {.table = "Products", .item = ITEM};
    assert_int_equal(dg_dax_put_item(c, &w, &res, &err), 0);
    assert_int_equal(b.puts, 1);
    fake_stop(&b); /* every node down */
    assert_int_equal(get(c, &res, &err), DG_EIO);
    assert_string_equal(err.type, DG_DAX_UNREACHABLE);
    dg_error_clear(&err);
    int rc = dg_dax_put_item(c, &w, &res, &err);
    assert_true(rc == DG_EIO);
    assert_string_equal(err.type, DG_DAX_UNREACHABLE);
    assert_non_null(strstr(err.message, "nothing written"));
    cJSON_Delete(res.root);
    dg_dax_client_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put_query),
        cmocka_unit_test(test_condition_failure_reads_back),
        cmocka_unit_test(test_reauth_cadence),
        cmocka_unit_test(test_auth_errors),
        cmocka_unit_test(test_failover_and_all_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
