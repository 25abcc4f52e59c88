/* dynagen generator — the in-memory table model, built from YAML, validated
 * as a whole, then handed to the emitters. */
#ifndef CG_MODEL_H
#define CG_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "util.h"

typedef enum cg_type {
    CG_STRING = 1,
    CG_INT32,
    CG_INT64,
    CG_DECIMAL,
    CG_DOUBLE,
    CG_BOOL,
    CG_BINARY,
    CG_TIMESTAMP,
    CG_TTL,
    CG_STRING_SET,
    CG_NUMBER_SET,
    CG_LIST,
    CG_MAP,
    CG_OBJECT
} cg_type;

typedef enum cg_gen {
    CG_GEN_NONE = 0,
    CG_GEN_UUID,
    CG_GEN_VERSION,
    CG_GEN_CREATED,
    CG_GEN_UPDATED
} cg_gen;

typedef struct cg_attr cg_attr;
typedef struct cg_object cg_object;

struct cg_object {
    char *c_name; /* "product", "product_dimensions" */
    cg_attr **fields;
    size_t nfields;
    cg_loc loc;
};

struct cg_attr {
    char *name; /* C / API name */
    char *attr; /* DynamoDB attribute name */
    cg_type type;
    cg_loc loc; /* of the attribute's key */
    cg_loc type_loc;
    char *description;
    bool required;
    bool has_min, has_max;
    int64_t min, max;    /* integers, ttl (s), timestamp (ms), decimal (unscaled) */
    double min_d, max_d; /* double */
    char *min_text, *max_text;
    int scale;
    uint32_t min_length, max_length, max_items;
    char *pattern;
    char **enum_values;
    size_t nenum;
    char *default_text; /* scalar default as written */
    cg_loc default_loc;
    cg_gen generate;
    cg_attr *elem;     /* list item / map value / set item constraints */
    cg_object *object; /* object, or elem object */
    bool is_pk, is_sk, is_index_key;
    int index; /* position in its object */
};

typedef enum cg_projection { CG_PROJ_ALL = 1, CG_PROJ_KEYS_ONLY, CG_PROJ_INCLUDE } cg_projection;

typedef struct cg_index {
    char *name;
    bool local;
    cg_attr *pk, *sk;
    cg_projection projection;
    cg_attr **include;
    size_t ninclude;
    cg_loc loc;
    cg_loc pk_loc, sk_loc;
} cg_index;

typedef struct cg_env {
    char *name;
    cg_loc loc;
    bool provisioned;
    int64_t read_capacity, write_capacity;
    bool autoscaling;
    int64_t as_min, as_max, as_target;
    bool pitr, deletion_protection;
    bool has_dax;
    char *dax_node_type;
    int64_t dax_nodes;
    bool dax_tls;
} cg_env;

enum {
    CG_OP_CREATE = 1 << 0,
    CG_OP_GET = 1 << 1,
    CG_OP_UPDATE = 1 << 2,
    CG_OP_DELETE = 1 << 3,
    CG_OP_LIST = 1 << 4,
    CG_OP_VERSIONS = 1 << 5,
    CG_OP_GET_VERSION = 1 << 6
};

typedef struct cg_table {
    const char *file; /* schema path as given */
    char *table;      /* DynamoDB table name */
    cg_loc table_loc;
    char *entity;    /* C entity name */
    char *file_stem; /* generated/<file_stem>.{h,c} */
    char *description;
    cg_object item;
    cg_attr *pk, *sk;
    cg_loc keys_loc, pk_loc, sk_loc;
    cg_attr *ttl;
    cg_loc ttl_loc;
    bool versioned;
    int64_t current_version;
    cg_loc versioning_loc;
    cg_index **indexes;
    size_t nindexes;
    /* cache */
    bool has_cache;
    bool reads_dax, writes_dax;
    int64_t item_ttl_ms, query_ttl_ms;
    /* api */
    bool has_api;
    char *api_path;
    unsigned ops;
    cg_index *list_by;
    cg_loc api_loc;
    int64_t page_default, page_max;
    /* environments */
    cg_env **envs;
    size_t nenvs;
} cg_table;

/* Parse and validate one schema file. Returns NULL when it has errors
 * (diagnostics recorded with cg_error). */
cg_table *cg_load_schema(const char *path);
/* Same, from memory (fuzzing, tests); name is used in diagnostics. */
cg_table *cg_load_schema_buffer(const char *name, const void *data, size_t len);

/* Cross-table checks (duplicate table / entity / file names). */
void cg_check_project(cg_table **tables, size_t n);

const char *cg_type_name(cg_type t);
/* DynamoDB scalar type letter for a key attribute: 'S', 'N', 'B', or 0. */
char cg_key_type(cg_type t);

#endif
