/* Unit tests: runtime/dax/client_route.c — the pure parts of the DAX
 * client: endpoint URLs, node health with back-off (fake clock), node
 * selection, re-authorisation and refresh cadence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dynagen/dax.h"

static void url_ok(const char *s, bool tls, const char *host, unsigned port)
{
    dg_dax_url u;
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_dax_url_parse(s, strlen(s), &u, &err);
    if (rc)
        fail_msg("%s: %s", s, err.message);
    assert_int_equal(u.tls, tls);
    assert_string_equal(u.host, host);
    assert_int_equal(u.port, port);
}

static void url_bad(const char *s, const char *want)
{
    dg_dax_url u;
    dg_error err;
    dg_error_clear(&err);
    assert_int_equal(dg_dax_url_parse(s, strlen(s), &u, &err), DG_EINVAL);
    if (!strstr(err.message, want))
        fail_msg("%s: message \"%s\" lacks \"%s\"", s, err.message, want);
    assert_string_equal(err.field, "DAX_ENDPOINT");
}

static void test_url_parse(void **state)
{
    (void)state;
    url_ok("dax://localhost:8111", false, "localhost", 8111);
    url_ok("dax://my-cluster.abc.dax-clusters.us-east-1.amazonaws.com", false,
           "my-cluster.abc.dax-clusters.us-east-1.amazonaws.com", 8111);
    url_ok("daxs://my-cluster.abc.dax-clusters.us-east-1.amazonaws.com", true,
           "my-cluster.abc.dax-clusters.us-east-1.amazonaws.com", 9111);
    url_ok("daxs://h:443/", true, "h", 443);
    url_ok("127.0.0.1:18111", false, "127.0.0.1", 18111);
    url_ok("node1", false, "node1", 8111);
    url_ok("dax://[::1]:8112", false, "::1", 8112);
    url_ok("dax://[::1]", false, "::1", 8111);
    url_bad("http://h:8111", "scheme");
    url_bad("dax://", "no host");
    url_bad("dax://:8111", "no host");
    url_bad("dax://h:0", "port 0");
    url_bad("dax://h:70000", "out of range");
    url_bad("dax://h:", "empty port");
    url_bad("dax://h:8x", "number");
    url_bad("dax://h/path", "path");
    url_bad("dax://u@h", "user info");
    url_bad("", "empty");
    url_bad("dax://[::1", "unterminated");
    url_bad("dax://h h", "white space");
}

static void test_url_list(void **state)
{
    (void)state;
    dg_dax_url u[4];
    size_t n;
    dg_error err;
    assert_int_equal(dg_dax_url_parse_list("dax://a:1, dax://b:2 ,c", u, 4, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(u[0].host, "a");
    assert_int_equal(u[1].port, 2);
    assert_string_equal(u[2].host, "c");
    assert_int_equal(u[2].port, 8111);
    assert_int_equal(dg_dax_url_parse_list("dax://a,daxs://b", u, 4, &n, &err), DG_EINVAL);
    assert_non_null(strstr(err.message, "mix"));
    assert_int_equal(dg_dax_url_parse_list("a,b,c,d,e", u, 4, &n, &err), DG_EINVAL);
    assert_int_equal(dg_dax_url_parse_list("a,,b", u, 4, &n, &err), DG_EINVAL);
    assert_int_equal(dg_dax_url_parse_list(NULL, u, 4, &n, &err), DG_EINVAL);
}

static void test_node_backoff(void **state)
{
    (void)state;
    dg_dax_node_health h = {0};
    int64_t t = 1000000;
    assert_true(dg_dax_node_usable(&h, t));
    dg_dax_node_failed(&h, t, 500, 4000);
    assert_true(h.down);
    assert_false(dg_dax_node_usable(&h, t));
    assert_false(dg_dax_node_usable(&h, t + 499));
    assert_true(dg_dax_node_usable(&h, t + 500)); /* half-open: try it again */
    dg_dax_node_failed(&h, t + 500, 500, 4000);   /* the retry failed: 1 s */
    assert_false(dg_dax_node_usable(&h, t + 1499));
    assert_true(dg_dax_node_usable(&h, t + 1500));
    dg_dax_node_failed(&h, t + 1500, 500, 4000); /* 2 s */
    assert_int_equal(h.retry_at_ms, t + 3500);
    dg_dax_node_failed(&h, t + 3500, 500, 4000); /* 4 s (cap) */
    assert_int_equal(h.retry_at_ms, t + 7500);
    dg_dax_node_failed(&h, t + 7500, 500, 4000); /* still the cap */
    assert_int_equal(h.retry_at_ms, t + 11500);
    for (int i = 0; i < 100; i++) /* no overflow however long it stays down */
        dg_dax_node_failed(&h, t, 500, 4000);
    assert_int_equal(h.retry_at_ms, t + 4000);
    dg_dax_node_ok(&h);
    assert_false(h.down);
    assert_int_equal(h.failures, 0);
    assert_true(dg_dax_node_usable(&h, t));
    dg_dax_node_failed(&h, t, 500, 4000); /* back to the first step */
    assert_int_equal(h.retry_at_ms, t + 500);
}

static void test_pick_reads_spread(void **state)
{
    (void)state;
    dg_dax_node_health n[3] = {{0}, {0}, {0}};
    n[0].leader = true;
    int seen[3] = {0};
    for (uint32_t r = 0; r < 30; r++) {
        int i = dg_dax_pick_node(n, 3, false, -1, 0, r);
        assert_true(i >= 0 && i < 3);
        seen[i]++;
    }
    assert_int_equal(seen[0], 10);
    assert_int_equal(seen[1], 10);
    assert_int_equal(seen[2], 10);
    /* a retry avoids the node that failed */
    for (uint32_t r = 0; r < 30; r++)
        assert_int_not_equal(dg_dax_pick_node(n, 3, false, 1, 0, r), 1);
    /* unless it is the only usable one */
    dg_dax_node_failed(&n[0], 0, 500, 4000);
    dg_dax_node_failed(&n[2], 0, 500, 4000);
    for (uint32_t r = 0; r < 10; r++)
        assert_int_equal(dg_dax_pick_node(n, 3, false, 1, 0, r), 1);
}

static void test_pick_writes_leader(void **state)
{
    (void)state;
    dg_dax_node_health n[3] = {{0}, {0}, {0}};
    n[2].leader = true;
    for (uint32_t r = 0; r < 20; r++)
        assert_int_equal(dg_dax_pick_node(n, 3, true, -1, 0, r), 2);
    /* leader down: any other node */
    dg_dax_node_failed(&n[2], 100, 500, 4000);
    int seen[3] = {0};
    for (uint32_t r = 0; r < 20; r++)
        seen[dg_dax_pick_node(n, 3, true, -1, 100, r)]++;
    assert_int_equal(seen[2], 0);
    assert_int_equal(seen[0], 10);
    assert_int_equal(seen[1], 10);
    /* its back-off over (fake clock): the leader again */
    assert_int_equal(dg_dax_pick_node(n, 3, true, -1, 600, 7), 2);
    /* a retry after the leader failed goes elsewhere */
    assert_int_not_equal(dg_dax_pick_node(n, 3, true, 2, 600, 7), 2);
    /* no leader known: any node */
    dg_dax_node_health m[2] = {{0}, {0}};
    assert_true(dg_dax_pick_node(m, 2, true, -1, 0, 1) >= 0);
}

static void test_pick_all_down(void **state)
{
    (void)state;
    dg_dax_node_health n[3] = {{0}, {0}, {0}};
    int64_t t = 5000;
    for (int i = 0; i < 3; i++)
        dg_dax_node_failed(&n[i], t, 500, 4000);
    assert_int_equal(dg_dax_pick_node(n, 3, false, -1, t, 0), -1);
    assert_int_equal(dg_dax_pick_node(n, 3, true, -1, t + 499, 0), -1);
    assert_int_equal(dg_dax_pick_node(NULL, 0, false, -1, t, 0), -1);
    /* after the back-off every node is tried again */
    int i = dg_dax_pick_node(n, 3, false, -1, t + 500, 0);
    assert_true(i >= 0);
    /* one failover sequence: node i fails again, the next pick avoids it */
    dg_dax_node_failed(&n[i], t + 500, 500, 4000);
    int j = dg_dax_pick_node(n, 3, false, i, t + 500, 0);
    assert_true(j >= 0 && j != i);
    dg_dax_node_ok(&n[j]);
    assert_int_equal(dg_dax_pick_node(n, 3, false, -1, t + 501, 12345) >= 0, 1);
}

static void test_auth_cadence(void **state)
{
    (void)state;
    const long iv = 240000;
    int64_t t = 1700000000000;
    /* a new connection: always */
    assert_true(dg_dax_auth_due(false, 0, 0, false, t, iv, 1));
    /* just authorised: not again on the next requests */
    assert_false(dg_dax_auth_due(true, t, 1, false, t, iv, 1));
    assert_false(dg_dax_auth_due(true, t, 1, false, t + 1000, iv, 1));
    assert_false(dg_dax_auth_due(true, t, 1, false, t + iv - 1, iv, 1));
    /* the signature ages: re-sent at 4 minutes, before the 5-minute TTL */
    assert_true(dg_dax_auth_due(true, t, 1, false, t + iv, iv, 1));
    /* credentials changed (generation) */
    assert_true(dg_dax_auth_due(true, t, 1, false, t + 1, iv, 2));
    /* the node asked for it (authentication error) */
    assert_true(dg_dax_auth_due(true, t, 1, true, t + 1, iv, 1));
    /* the clock stepped back */
    assert_true(dg_dax_auth_due(true, t, 1, false, t - 1000, iv, 1));
    /* a simulated hour of requests every 7 s: re-auth every 35th (245 s > 240 s) */
    int64_t at = t;
    int auths = 0;
    for (int64_t now = t; now < t + 3600000; now += 7000)
        if (dg_dax_auth_due(true, at, 1, false, now, iv, 1)) {
            at = now;
            auths++;
            assert_true(now - t <= (int64_t)auths * 245000);
        }
    assert_int_equal(auths, 3600000 / 245000);
}

static void test_refresh_cadence(void **state)
{
    (void)state;
    assert_true(dg_dax_refresh_due(0, 1000, 4000));
    assert_false(dg_dax_refresh_due(1000, 1000, 4000));
    assert_false(dg_dax_refresh_due(1000, 4999, 4000));
    assert_true(dg_dax_refresh_due(1000, 5000, 4000));
    assert_true(dg_dax_refresh_due(5000, 1000, 4000)); /* clock stepped back */
}

static void test_client_new_errors(void **state)
{
    (void)state;
    dg_aws_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char ak[] = "AKIDEXAMPLE", sk[] = "secret", region[] = "us-east-1";
    cfg.credentials.access_key_id = ak;
    cfg.credentials.secret_access_key = sk;
    cfg.region = region;
    dg_dax_client *c = NULL;
    dg_error err;
    assert_int_equal(dg_dax_client_new("http://x", &cfg, NULL, &c, &err), DG_EINVAL);
    assert_null(c);
    assert_int_equal(dg_dax_client_new("dax://x", NULL, NULL, &c, &err), DG_EINVAL);
    assert_int_equal(dg_dax_client_new("dax://127.0.0.1:1", &cfg, NULL, &c, &err), 0);
    size_t usable;
    assert_int_equal(dg_dax_client_node_count(c, &usable), 0); /* nothing connected yet */
    /* nothing listens on port 1: a read is DaxUnreachable, at once */
    dg_ddb_get g = {.table = "T", .key = "{\"id\":{\"S\":\"a\"}}"};
    dg_ddb_result res;
    memset(&res, 0, sizeof res);
    dg_error_clear(&err);
    int rc = dg_dax_get_item(c, &g, &res, &err);
    assert_int_equal(rc, DG_EIO);
    assert_string_equal(err.type, DG_DAX_UNREACHABLE);
    /* a write fails cleanly, saying nothing was written */
    dg_ddb_write w = {.table = "T", .item = "{\"id\":{\"S\":\"a\"}}"};
    dg_error_clear(&err);
    rc = dg_dax_put_item(c, &w, &res, &err);
    assert_int_equal(rc, DG_EIO);
    assert_string_equal(err.type, DG_DAX_UNREACHABLE);
    assert_non_null(strstr(err.message, "nothing written"));
    assert_true(dg_dax_client_stats(c)->unreachable >= 2);
    assert_int_equal(dg_dax_client_set_credentials(c, "AK2", "S2", NULL, &err), 0);
    dg_dax_client_destroy(c);
    dg_dax_client_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse),          cmocka_unit_test(test_url_list),
        cmocka_unit_test(test_node_backoff),       cmocka_unit_test(test_pick_reads_spread),
        cmocka_unit_test(test_pick_writes_leader), cmocka_unit_test(test_pick_all_down),
        cmocka_unit_test(test_auth_cadence),       cmocka_unit_test(test_refresh_cadence),
        cmocka_unit_test(test_client_new_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
