/* bench-ddb, dynagen's side: GetItem and PutItem through dg_ddb_client (one
 * keep-alive connection, SigV4, response parsing) against DynamoDB Local.
 *
 *   bench_ddb --emit FILE                 write the benchmark item (a Product's
 *                                         DynamoDB JSON, key left out) to FILE
 *   bench_ddb --create-table TABLE        the Products table from the model
 *   bench_ddb TABLE ITEM_FILE N WARMUP    measure
 *
 * Measuring: KEYS distinct keys (ProductID "bench-<k>", Version 0); WARMUP
 * PutItems then WARMUP GetItems (not measured), then N sequential PutItems
 * and N sequential GetItems of key i % KEYS. Client CPU comes from
 * getrusage(RUSAGE_SELF) (user + system) of this process around each measured
 * loop, so the Java server's time is never in it; latency per request from
 * CLOCK_MONOTONIC. Prints one line per operation:
 *   result <op> <n> <cpu_us_per_req> <p50_us> <p99_us> <wall_s> <user_us_per_req> <sys_us_per_req>
 * (the same protocol as bench/bench_ddb_node.js). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dynagen/aws.h"
#include "dynagen/codec_util.h"
#include "dynagen/ddb.h"
#include "products.h"

#define KEYS 100

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* user and system CPU of this process, us */
static void cpu_us(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
    *sys = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

static dg_ddb_client *client_from_env(void)
{
    dg_aws_config cfg;
    dg_error err;
    if (dg_aws_config_from_env(&cfg, NULL, NULL, &err) != 0) {
        fprintf(stderr, "bench_ddb: environment: %s\n", err.message);
        exit(1);
    }
    dg_ddb_client *c = NULL;
    if (dg_ddb_client_new(&cfg, NULL, &c, &err) != 0) {
        fprintf(stderr, "bench_ddb: client: %s\n", err.message);
        exit(1);
    }
    dg_aws_config_clean_up(&cfg);
    return c;
}

/* The item: a realistic Product (every attribute type), key left out. */
static int emit(const char *path)
{
    static const char in[] =
        "{\"name\":\"Benchmark mug \\u2615 \\u00e9t\\u00e9\",\"description\":\"A mug for "
        "benchmarks: 350 ml, dishwasher safe, stoneware, hand "
        "glazed.\",\"category\":\"kitchen-mugs\","
        "\"price\":19.90,\"currency\":\"EUR\",\"stock\":1234,\"active\":true,"
        "\"tags\":[\"mug\",\"kitchen\",\"stoneware\",\"gift\"],"
        "\"specs\":{\"colour\":\"blue\",\"volume\":\"350 ml\",\"material\":\"stoneware\"},"
        "\"dimensions\":{\"width_mm\":90,\"height_mm\":100,\"depth_mm\":120,\"weight_g\":350},"
        "\"expires_at\":4102444800}";
    product_t p;
    dg_arena *a = dg_arena_new(0);
    dg_error err;
    dg_buf b = DG_BUF_INIT;
    int rc = product_from_json(&p, in, sizeof in - 1, 0, a, &err);
    if (rc == 0) {
        product_set_created_at(&p, 1700000000123);
        product_set_updated_at(&p, 1700000000456);
        rc = product_to_ddb(&p, &b, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "bench_ddb: item: %s\n", err.message);
        return 1;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    dg_buf_free(&b);
    dg_arena_destroy(a);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s == NULL || fread(s, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(s);
        return NULL;
    }
    fclose(f);
    s[n] = '\0';
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--emit") == 0)
        return emit(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--create-table") == 0) {
        dg_ddb_client *c = client_from_env();
        dg_error err;
        int rc = dg_ddb_create_table_from_model(c, &products_table, argv[2], &err);
        if (rc != 0)
            fprintf(stderr, "bench_ddb: create table: %s\n", err.message);
        dg_ddb_client_destroy(c);
        dg_model_cleanup();
        return rc != 0;
    }
    if (argc != 5) {
        fprintf(stderr,
                "usage: bench_ddb --emit FILE | --create-table TABLE | TABLE ITEM_FILE N WARMUP\n");
        return 2;
    }
    const char *table = argv[1];
    char *body = slurp(argv[2]);
    int n = atoi(argv[3]), warmup = atoi(argv[4]);
    if (body == NULL || body[0] != '{' || n < 1 || warmup < 0) {
        fprintf(stderr, "bench_ddb: bad arguments\n");
        return 2;
    }
    /* KEYS items: the key in front of the shared attributes; and the keys alone */
    char *items[KEYS], *keys[KEYS];
    for (int k = 0; k < KEYS; k++) {
        char key[96];
        snprintf(key, sizeof key, "\"ProductID\":{\"S\":\"bench-%03d\"},\"Version\":{\"N\":\"0\"}",
                 k);
        size_t len = strlen(key) + strlen(body) + 4;
        items[k] = malloc(len);
        keys[k] = malloc(strlen(key) + 3);
        snprintf(items[k], len, "{%s,%s", key, body + 1);
        snprintf(keys[k], strlen(key) + 3, "{%s}", key);
    }
    dg_ddb_client *c = client_from_env();
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    double *lat = malloc((size_t)n * sizeof *lat);
    const char *ops[2] = {"PutItem", "GetItem"};
    for (int phase = 0; phase < 2; phase++) { /* 0: warm-up, 1: measured */
        for (int op = 0; op < 2; op++) {
            int count = phase == 0 ? warmup : n;
            double u0, s0, w0 = now_us();
            cpu_us(&u0, &s0);
            for (int i = 0; i < count; i++) {
                double t0 = phase ? now_us() : 0;
                int rc;
                if (op == 0) {
                    dg_ddb_write w = {.table = table, .item = items[i % KEYS]};
                    rc = dg_ddb_put_item(c, &w, &res, &err);
                } else {
                    dg_ddb_get g = {.table = table, .key = keys[i % KEYS]};
                    rc = dg_ddb_get_item(c, &g, &res, &err);
                    if (rc == 0 && res.item == NULL)
                        rc = dg_error_set(&err, DG_ENOTFOUND, NULL, "item %d missing", i % KEYS);
                }
                if (rc != 0) {
                    fprintf(stderr, "bench_ddb: %s: %s (%s)\n", ops[op], err.message, err.type);
                    return 1;
                }
                if (phase)
                    lat[i] = now_us() - t0;
            }
            if (phase) {
                double u1, s1, wall = (now_us() - w0) / 1e6;
                cpu_us(&u1, &s1);
                double p50 = pct(lat, n, 0.50), p99 = pct(lat, n, 0.99);
                printf("result %s %d %.3f %.1f %.1f %.3f %.3f %.3f\n", ops[op], n,
                       (u1 - u0 + s1 - s0) / n, p50, p99, wall, (u1 - u0) / n, (s1 - s0) / n);
                fflush(stdout);
            }
        }
    }
    const dg_ddb_stats *st = dg_ddb_client_stats(c);
    printf("info attempts %llu retries %llu\n", (unsigned long long)st->attempts,
           (unsigned long long)st->retries);
    dg_ddb_result_clean_up(&res);
    dg_ddb_client_destroy(c);
    for (int k = 0; k < KEYS; k++) {
        free(items[k]);
        free(keys[k]);
    }
    free(lat);
    free(body);
    dg_model_cleanup();
    return 0;
}
