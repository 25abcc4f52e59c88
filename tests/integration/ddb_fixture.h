/* Integration-test helpers shared by every tests/integration/test_*.c binary:
 * a DynamoDB client from the environment the suite script sets
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, dummy credentials) and uniquely
 * named tables created from generated models, so tests never share state.
 *
 * Safety: the endpoint must be a loopback http:// URL (DynamoDB Local) unless
 * DYNAGEN_IT_ALLOW_REMOTE=1, so these tests never create tables in a real
 * account by accident. */
#ifndef DDB_FIXTURE_H
#define DDB_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "dynagen/ddb.h"
#include "dynagen/model.h"

#define FX_TABLE_NAME_MAX 96

/* A client from dg_aws_config_from_env (NULL process env) and opts (NULL:
 * defaults). Fails the current cmocka test (fail_msg) when the environment
 * is incomplete or not local. Destroy with dg_ddb_client_destroy. */
dg_ddb_client *fx_client(const dg_ddb_options *opts);

/* The loaded configuration (caller cleans up); 0 or the dg_aws_config_from_env code. */
int fx_config(dg_aws_config *cfg, dg_error *err);

/* "<model table name>-<pid>-<counter>-<tag>" into name (FX_TABLE_NAME_MAX). */
void fx_table_name(const dg_table_desc *t, const char *tag, char *name);

/* Create a unique table from model t (dg_ddb_create_table_from_model, TTL
 * included), asserting success; its name goes into name. */
void fx_table_create(dg_ddb_client *c, const dg_table_desc *t, const char *tag, char *name);

/* DeleteTable, ignoring errors. */
void fx_table_drop(dg_ddb_client *c, const char *name);

/* Run one raw operation, asserting success; body is printf-free JSON. */
void fx_call_ok(dg_ddb_client *c, const char *op, const char *body, dg_ddb_result *res);

#endif
