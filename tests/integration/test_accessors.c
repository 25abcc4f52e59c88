/* Generated accessors against DynamoDB Local (started by tests/suites/ddb.sh):
 * the version-0 protocol, conflicts between concurrent writers, a crash
 * between the two writes, paging with signed cursors, sparse history in the
 * GSI, TTL, validation that writes nothing, and the non-versioned models. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "dynagen/codec_util.h"
#include "kitchensink.h"
#include "orders.h"
#include "products.h"

static dg_aws_config cfg;
static char products_name[64], sink_name[64], orders_name[64];

static dg_ddb_client *new_client(void)
{
    dg_ddb_client *c = NULL;
    dg_error err;
    if (dg_ddb_client_new(&cfg, NULL, &c, &err))
        fail_msg("client: %s", err.message);
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
    char id[37];
    dg_uuid_v4(id, &err);
    snprintf(products_name, sizeof products_name, "Products-%.8s", id);
    snprintf(sink_name, sizeof sink_name, "KitchenSink-%.8s", id);
    snprintf(orders_name, sizeof orders_name, "Orders-%.8s", id);
    dg_ddb_client *c = new_client();
    int rc = dg_ddb_create_table_from_model(c, &products_table, products_name, &err);
    if (!rc)
        rc = dg_ddb_create_table_from_model(c, &kitchensink_table, sink_name, &err);
    if (!rc)
        rc = dg_ddb_create_table_from_model(c, &orders_table, orders_name, &err);
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

typedef struct fx {
    dg_ddb_client *c;
    dg_store s;
    dg_arena *a;
    dg_error err;
} fx;

static int setup_products(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->c = new_client();
    f->a = dg_arena_new(0);
    if (dg_store_init(&f->s, &products_table, products_name, f->c, &f->err))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_store_clean_up(&f->s);
    dg_ddb_client_destroy(f->c);
    dg_arena_destroy(f->a);
    free(f);
    return 0;
}

static void new_product(product_t *p, const char *category, int64_t price_cents)
{
    product_init(p);
    product_set_name(p, DG_STR("Widget"));
    product_set_category(p, (dg_str){category, strlen(category)});
    product_set_price(p, price_cents);
}

static char *dup_str(dg_str s)
{
    return strndup(s.ptr, s.len);
}

/* Raw GetItem of (id, version): true when the item exists. */
static bool raw_exists(fx *f, const char *table, dg_str id, int64_t version)
{
    dg_buf key = DG_BUF_INIT;
    assert_int_equal(product_key(&key, id, version, &f->err), 0);
    dg_ddb_get g = {.table = table, .key = key.data, .consistent = true};
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    assert_int_equal(dg_ddb_get_item(f->c, &g, &r, &f->err), 0);
    bool e = r.item != NULL;
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&key);
    return e;
}

static int item_count(fx *f, const char *table)
{
    dg_buf body = DG_BUF_INIT;
    dg_buf_puts(&body, "{\"TableName\":");
    dg_buf_json_string(&body, table, strlen(table));
    dg_buf_puts(&body, ",\"Select\":\"COUNT\",\"ConsistentRead\":true}");
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    assert_int_equal(dg_ddb_call(f->c, "Scan", body.data, body.len, &r, &f->err), 0);
    int n = cJSON_GetObjectItem(r.root, "Count")->valueint;
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&body);
    return n;
}

static void test_create_get_update_versions(void **state)
{
    fx *f = *state;
    product_t p, got;
    dg_store_write w;
    new_product(&p, "tools", 1999);
    assert_int_equal(product_create(&f->s, &p, f->a, &w, &f->err), 0);
    assert_int_equal(w.version, 1);
    assert_int_equal(p.product_id.len, 36);
    assert_true(product_has_created_at(&p));
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.price, 1999);
    assert_memory_equal(got.currency.ptr, "EUR", 3);
    assert_true(raw_exists(f, products_name, p.product_id, 1));

    /* update on the version read */
    product_set_price(&got, 2499);
    assert_int_equal(product_update(&f->s, &got, f->a, &w, &f->err), 0);
    assert_int_equal(w.version, 2);
    product_t cur;
    assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
    assert_int_equal(cur.version, 2);
    assert_int_equal(cur.price, 2499);
    assert_int_equal(cur.created_at, p.created_at); /* kept */

    /* a stale version is a conflict carrying the current one; nothing changes */
    product_t stale = got;
    product_set_version(&stale, 1);
    product_set_price(&stale, 1);
    assert_int_equal(product_update(&f->s, &stale, f->a, &w, &f->err), DG_ECONFLICT);
    assert_int_equal(w.current_version, 2);
    assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
    assert_int_equal(cur.price, 2499);

    /* history */
    dg_store_page pg;
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 2);
    product_t *v = pg.items;
    assert_int_equal(v[0].version, 2);
    assert_int_equal(v[1].version, 1);
    assert_int_equal(v[1].price, 1999);
    assert_null(pg.next_cursor);
    product_t old;
    assert_int_equal(product_get_version(&f->s, p.product_id, 1, &old, f->a, &f->err), 0);
    assert_int_equal(old.price, 1999);
    assert_int_equal(old.category.len, 5);
    assert_memory_equal(old.category.ptr, "tools", 5);
    assert_int_equal(product_get_version(&f->s, p.product_id, 3, &old, f->a, &f->err),
                     DG_ENOTFOUND);

    /* delete: wrong version conflicts, right version deletes; history stays */
    assert_int_equal(product_delete(&f->s, p.product_id, 1, &w, &f->err), DG_ECONFLICT);
    assert_int_equal(w.current_version, 2);
    assert_int_equal(product_delete(&f->s, p.product_id, 2, &w, &f->err), 0);
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), DG_ENOTFOUND);
    assert_int_equal(product_delete(&f->s, p.product_id, -1, &w, &f->err), DG_ENOTFOUND);
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 2);
}

static void test_validation_writes_nothing(void **state)
{
    fx *f = *state;
    int before = item_count(f, products_name);
    product_t p;
    new_product(&p, "tools", -1); /* negative price */
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), DG_EINVAL);
    assert_string_equal(f->err.field, "price");
    new_product(&p, "Not A Category", 100);
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), DG_EINVAL);
    assert_string_equal(f->err.field, "category");
    assert_int_equal(item_count(f, products_name), before);
}

/* ---- two concurrent updaters of one product: exactly one wins each round ---- */
typedef struct racer {
    const char *id;
    int64_t read_version;
    int64_t price;
    int rc;
    pthread_barrier_t *bar;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    dg_ddb_client *c = NULL;
    dg_error err;
    dg_ddb_client_new(&cfg, NULL, &c, &err);
    dg_store s;
    dg_store_init(&s, &products_table, products_name, c, &err);
    dg_arena *a = dg_arena_new(0);
    product_t p;
    new_product(&p, "race", r->price);
    product_set_product_id(&p, (dg_str){r->id, strlen(r->id)});
    product_set_version(&p, r->read_version);
    pthread_barrier_wait(r->bar);
    r->rc = product_update(&s, &p, a, NULL, &err);
    dg_arena_destroy(a);
    dg_store_clean_up(&s);
    dg_ddb_client_destroy(c);
    return NULL;
}

static void test_concurrent_updaters(void **state)
{
    fx *f = *state;
    product_t p;
    new_product(&p, "race", 100);
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), 0);
    char *id = dup_str(p.product_id);
    const int rounds = 10;
    for (int round = 0; round < rounds; round++) {
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, 2);
        racer r1 = {id, round + 1, 1000 + round, -99, &bar},
              r2 = {id, round + 1, 2000 + round, -99, &bar};
        pthread_t t1, t2;
        pthread_create(&t1, NULL, race, &r1);
        pthread_create(&t2, NULL, race, &r2);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        pthread_barrier_destroy(&bar);
        int wins = (r1.rc == 0) + (r2.rc == 0);
        int conflicts = (r1.rc == DG_ECONFLICT) + (r2.rc == DG_ECONFLICT);
        assert_int_equal(wins, 1);
        assert_int_equal(conflicts, 1);
    }
    /* history: versions rounds+1 .. 1, each exactly once */
    dg_store_page pg;
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 100, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, (size_t)rounds + 1);
    product_t *v = pg.items;
    for (size_t i = 0; i < pg.count; i++)
        assert_int_equal(v[i].version, rounds + 1 - (int64_t)i);
    free(id);
}

/* ---- a crash between the commit and the history write ---- */
static int crash_after_commit(void *ctx, const char *point)
{
    (void)ctx;
    return strcmp(point, "update:after_commit") == 0;
}

static void test_crash_between_writes(void **state)
{
    fx *f = *state;
    product_t p, cur;
    new_product(&p, "crash", 100);
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), 0);
    assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
    product_set_price(&cur, 200);
    f->s.fault = crash_after_commit;
    assert_int_equal(product_update(&f->s, &cur, f->a, NULL, &f->err), DG_EIO);
    f->s.fault = NULL;
    /* committed: the current item is version 2, its history copy is missing */
    assert_false(raw_exists(f, products_name, p.product_id, 2));
    assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
    assert_int_equal(cur.version, 2);
    /* ... yet the history reads complete */
    dg_store_page pg;
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 2);
    product_t *v = pg.items;
    assert_int_equal(v[0].version, 2);
    assert_int_equal(v[0].price, 200);
    assert_int_equal(v[1].version, 1);
    product_t two;
    assert_int_equal(product_get_version(&f->s, p.product_id, 2, &two, f->a, &f->err), 0);
    assert_int_equal(two.price, 200);
    /* the next update back-fills version 2 before committing version 3 */
    product_set_price(&cur, 300);
    assert_int_equal(product_update(&f->s, &cur, f->a, NULL, &f->err), 0);
    assert_true(raw_exists(f, products_name, p.product_id, 2));
    assert_true(raw_exists(f, products_name, p.product_id, 3));
    assert_int_equal(product_list_versions(&f->s, p.product_id, NULL, 10, &pg, f->a, &f->err), 0);
    assert_int_equal(pg.count, 3);
    v = pg.items;
    assert_int_equal(v[0].price, 300);
    assert_int_equal(v[1].price, 200);
    assert_int_equal(v[2].price, 100);
}

static void test_paging_and_cursors(void **state)
{
    fx *f = *state;
    product_t p, cur;
    new_product(&p, "paging", 1);
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), 0);
    for (int i = 2; i <= 25; i++) {
        assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
        product_set_price(&cur, i);
        assert_int_equal(product_update(&f->s, &cur, f->a, NULL, &f->err), 0);
    }
    int seen[26] = {0};
    const char *cursor = NULL;
    int pages = 0;
    char *first_cursor = NULL;
    do {
        dg_store_page pg;
        assert_int_equal(product_list_versions(&f->s, p.product_id, cursor, 10, &pg, f->a, &f->err),
                         0);
        product_t *v = pg.items;
        for (size_t i = 0; i < pg.count; i++) {
            assert_true(v[i].version >= 1 && v[i].version <= 25);
            assert_int_equal(v[i].price, v[i].version);
            seen[v[i].version]++;
        }
        cursor = pg.next_cursor;
        if (pages == 0 && cursor)
            first_cursor = strdup(cursor);
        pages++;
    } while (cursor && pages < 10);
    assert_true(pages >= 3);
    for (int i = 1; i <= 25; i++)
        assert_int_equal(seen[i], 1);

    /* a tampered cursor, and one from another product, are refused */
    assert_non_null(first_cursor);
    dg_store_page pg;
    char *bad = strdup(first_cursor);
    bad[2] = bad[2] == 'A' ? 'B' : 'A';
    assert_int_equal(product_list_versions(&f->s, p.product_id, bad, 10, &pg, f->a, &f->err),
                     DG_EINVAL);
    assert_string_equal(f->err.field, "cursor");
    product_t other;
    new_product(&other, "paging", 1);
    assert_int_equal(product_create(&f->s, &other, f->a, NULL, &f->err), 0);
    assert_int_equal(
        product_list_versions(&f->s, other.product_id, first_cursor, 10, &pg, f->a, &f->err),
        DG_EINVAL);
    assert_int_equal(product_list_versions(&f->s, p.product_id, "garbage", 10, &pg, f->a, &f->err),
                     DG_EINVAL);
    free(bad);
    free(first_cursor);
}

static void test_list_by_category_sees_current_items_only(void **state)
{
    fx *f = *state;
    char cat[32], id[37];
    dg_uuid_v4(id, &f->err);
    snprintf(cat, sizeof cat, "cat-%.8s", id);
    char *ids[15];
    for (int i = 0; i < 15; i++) {
        product_t p, cur;
        new_product(&p, cat, 100 + i);
        assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), 0);
        ids[i] = dup_str(p.product_id);
        if (i % 3 == 0) { /* some with history */
            assert_int_equal(product_get(&f->s, p.product_id, true, &cur, f->a, &f->err), 0);
            product_set_price(&cur, 500 + i);
            assert_int_equal(product_update(&f->s, &cur, f->a, NULL, &f->err), 0);
        }
    }
    int found = 0, pages = 0;
    const char *cursor = NULL;
    int64_t last_price = -1;
    do {
        dg_store_page pg;
        assert_int_equal(product_list_by_category(&f->s, (dg_str){cat, strlen(cat)}, cursor, 4,
                                                  true, &pg, f->a, &f->err),
                         0);
        product_t *v = pg.items;
        for (size_t i = 0; i < pg.count; i++) {
            assert_true(v[i].price >= last_price); /* index sort order */
            last_price = v[i].price;
            int idx = -1;
            for (int j = 0; j < 15; j++)
                if (v[i].product_id.len == 36 && !memcmp(v[i].product_id.ptr, ids[j], 36))
                    idx = j;
            assert_true(idx >= 0);
            assert_int_equal(v[i].version, idx % 3 == 0 ? 2 : 1); /* the current copy */
            found++;
        }
        cursor = pg.next_cursor;
        pages++;
    } while (cursor && pages < 20);
    assert_int_equal(found, 15);
    for (int i = 0; i < 15; i++)
        free(ids[i]);
}

static void test_ttl_written_and_filtered(void **state)
{
    fx *f = *state;
    product_t p, got;
    new_product(&p, "ttl", 1);
    product_set_expires_at(&p, dg_now_ms() / 1000 + 3600);
    assert_int_equal(product_create(&f->s, &p, f->a, NULL, &f->err), 0);
    assert_int_equal(product_get(&f->s, p.product_id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.expires_at, p.expires_at);
    /* stored as a number of epoch seconds, the form DynamoDB's TTL reads */
    dg_buf key = DG_BUF_INIT;
    product_key(&key, p.product_id, 0, &f->err);
    dg_ddb_get g = {.table = products_name, .key = key.data, .consistent = true};
    dg_ddb_result r;
    dg_ddb_result_init(&r);
    assert_int_equal(dg_ddb_get_item(f->c, &g, &r, &f->err), 0);
    cJSON *ttl = cJSON_GetObjectItem((cJSON *)r.item, "ExpiresAt");
    assert_non_null(ttl);
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)p.expires_at);
    assert_string_equal(cJSON_GetObjectItem(ttl, "N")->valuestring, want);
    dg_ddb_result_clean_up(&r);
    dg_buf_free(&key);
    /* an expired item is not returned even before DynamoDB deletes it */
    product_t old;
    new_product(&old, "ttl", 1);
    product_set_expires_at(&old, dg_now_ms() / 1000 - 10);
    assert_int_equal(product_create(&f->s, &old, f->a, NULL, &f->err), 0);
    assert_int_equal(product_get(&f->s, old.product_id, false, &got, f->a, &f->err), DG_ENOTFOUND);
}

/* ---- models without versioning ---- */
static void test_kitchen_sink_crud(void **state)
{
    fx *f = *state;
    dg_store s;
    assert_int_equal(dg_store_init(&s, &kitchensink_table, sink_name, f->c, &f->err), 0);
    sink_t k, got;
    sink_init(&k);
    int64_t id = (int64_t)(dg_now_ms() % 1000000000) + 1;
    sink_set_id(&k, id);
    sink_set_title(&k, DG_STR("Hello"));
    sink_set_region(&k, DG_STR("eu"));
    sink_set_rank(&k, 2);
    sink_set_amount(&k, INT64_C(-12345678));
    assert_int_equal(sink_create(&s, &k, f->a, NULL, &f->err), 0);
    assert_int_equal(sink_create(&s, &k, f->a, NULL, &f->err), DG_ECONFLICT); /* exists */
    assert_int_equal(sink_get(&s, id, false, &got, f->a, &f->err), 0);
    assert_int_equal(got.amount, INT64_C(-12345678));
    sink_set_rank(&got, 3);
    assert_int_equal(sink_update(&s, &got, f->a, NULL, &f->err), 0);
    dg_store_page pg;
    assert_int_equal(sink_list_by_region(&s, DG_STR("eu"), NULL, 10, true, &pg, f->a, &f->err), 0);
    assert_true(pg.count >= 1);
    assert_int_equal(sink_delete(&s, id, -1, NULL, &f->err), 0);
    assert_int_equal(sink_get(&s, id, false, &got, f->a, &f->err), DG_ENOTFOUND);
    sink_t missing;
    sink_init(&missing);
    sink_set_id(&missing, id);
    sink_set_title(&missing, DG_STR("x"));
    assert_int_equal(sink_update(&s, &missing, f->a, NULL, &f->err), DG_ENOTFOUND);
    dg_store_clean_up(&s);
}

static void test_orders_composite_key(void **state)
{
    fx *f = *state;
    dg_store s;
    assert_int_equal(dg_store_init(&s, &orders_table, orders_name, f->c, &f->err), 0);
    order_t o, got;
    order_init(&o);
    order_set_customer_id(&o, DG_STR("c-1"));
    order_set_order_no(&o, 7);
    order_set_total(&o, 4200);
    assert_int_equal(order_create(&s, &o, f->a, NULL, &f->err), 0);
    assert_int_equal(order_get(&s, DG_STR("c-1"), 7, true, &got, f->a, &f->err), 0);
    assert_int_equal(got.total, 4200);
    assert_true(order_has_placed_at(&got));
    assert_int_equal(order_get(&s, DG_STR("c-1"), 8, true, &got, f->a, &f->err), DG_ENOTFOUND);
    dg_store_clean_up(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_update_versions, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_validation_writes_nothing, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_updaters, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_crash_between_writes, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_paging_and_cursors, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_list_by_category_sees_current_items_only,
                                        setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_written_and_filtered, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_kitchen_sink_crud, setup_products, teardown),
        cmocka_unit_test_setup_teardown(test_orders_composite_key, setup_products, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
