/* dynagen-create-tables: create every table of the generated model (keys,
 * indexes, TTL) in the DynamoDB the environment points at — DynamoDB Local
 * for `make run` and the end-to-end tests. Existing tables are left as they
 * are. Table names as the bootstrap resolves them: TABLE_NAME_<ENTITY>, else
 * TABLE_NAME, else the schema's name. */
#include <stdio.h>
#include <string.h>

#include "dynagen_app.h"

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: dynagen-create-tables\n"
             "Creates every table of the generated model in the DynamoDB that\n"
             "AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL, else AWS_REGION's endpoint)\n"
             "points at, with its indexes and TTL; existing tables are kept.");
        return 0;
    }
    dg_error err;
    dg_error_clear(&err);
    dg_aws_config cfg;
    if (dg_aws_config_from_env(&cfg, NULL, NULL, &err)) {
        fprintf(stderr, "dynagen-create-tables: %s\n", err.message);
        return 1;
    }
    dg_ddb_client *c = NULL;
    int rc = dg_ddb_client_new(&cfg, NULL, &c, &err);
    for (size_t i = 0; !rc && i < DYNAGEN_TABLE_COUNT; i++) {
        dg_store s;
        rc = dg_store_init(&s, dynagen_api_tables[i].table, NULL, c, &err);
        if (rc)
            break;
        rc = dg_ddb_create_table_from_model(c, dynagen_api_tables[i].table, s.table_name, &err);
        if (!rc)
            printf("table %s ready (%s)\n", s.table_name, dynagen_api_tables[i].table->source);
        dg_store_clean_up(&s);
    }
    if (rc)
        fprintf(stderr, "dynagen-create-tables: %s\n", err.message);
    dg_ddb_client_destroy(c);
    dg_aws_config_clean_up(&cfg);
    return rc ? 1 : 0;
}
