/* Integration-test helpers: see ddb_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ddb_fixture.h"

static bool endpoint_is_local(const char *ep)
{
    static const char *const ok[] = {"http://127.0.0.1:", "http://localhost:", "http://[::1]:"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strncmp(ep, ok[i], strlen(ok[i])) == 0)
            return true;
    return false;
}

int fx_config(dg_aws_config *cfg, dg_error *err)
{
    int rc = dg_aws_config_from_env(cfg, NULL, NULL, err);
    if (rc != 0)
        return rc;
    const char *allow = getenv("DYNAGEN_IT_ALLOW_REMOTE");
    if (!endpoint_is_local(cfg->ddb_endpoint) && !(allow != NULL && strcmp(allow, "1") == 0)) {
        dg_error_set(
            err, DG_EINVAL, NULL,
            "integration tests need a loopback DynamoDB Local endpoint in "
            "AWS_ENDPOINT_URL_DYNAMODB (got %s); set DYNAGEN_IT_ALLOW_REMOTE=1 to override",
            cfg->ddb_endpoint);
        dg_aws_config_clean_up(cfg);
        return DG_EINVAL;
    }
    return 0;
}

dg_ddb_client *fx_client(const dg_ddb_options *opts)
{
    dg_aws_config cfg;
    dg_error err;
    dg_error_clear(&err);
    if (fx_config(&cfg, &err) != 0)
        fail_msg("environment: %s (run through tests/suites/ddb.sh)", err.message);
    dg_ddb_client *c = NULL;
    int rc = dg_ddb_client_new(&cfg, opts, &c, &err);
    dg_aws_config_clean_up(&cfg);
    if (rc != 0)
        fail_msg("dg_ddb_client_new: %s", err.message);
    return c;
}

void fx_table_name(const dg_table_desc *t, const char *tag, char *name)
{
    static unsigned counter;
    snprintf(name, FX_TABLE_NAME_MAX, "%s-%ld-%u-%s", t->table_name, (long)getpid(), ++counter,
             tag != NULL ? tag : "t");
}

void fx_table_create(dg_ddb_client *c, const dg_table_desc *t, const char *tag, char *name)
{
    fx_table_name(t, tag, name);
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_ddb_create_table_from_model(c, t, name, &err);
    if (rc != 0)
        fail_msg("create table %s: %s (%s: %s)", name, dg_strerror(rc), err.type, err.message);
}

void fx_table_drop(dg_ddb_client *c, const char *name)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "{\"TableName\":");
    dg_buf_json_string(&b, name, strlen(name));
    dg_buf_putc(&b, '}');
    dg_ddb_result res;
    dg_ddb_result_init(&res);
    dg_error err;
    dg_ddb_call(c, "DeleteTable", dg_buf_cstr(&b), b.len, &res, &err);
    dg_ddb_result_clean_up(&res);
    dg_buf_free(&b);
}

void fx_call_ok(dg_ddb_client *c, const char *op, const char *body, dg_ddb_result *res)
{
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_ddb_call(c, op, body, strlen(body), res, &err);
    if (rc != 0)
        fail_msg("%s: %s (%s: %s)", op, dg_strerror(rc), err.type, err.message);
}
