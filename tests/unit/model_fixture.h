/* Hand-written descriptor set for the model codec tests, shaped exactly like
 * generated code: one struct per object with a `uint64_t present` mask and a
 * constant dg_object_desc walking it. Uses every dg_type. */
#ifndef MODEL_FIXTURE_H
#define MODEL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "dynagen/model.h"

typedef struct model_fx_origin {
    uint64_t present;
    dg_str country; /* pattern [A-Z]{2} */
    int32_t zip;
} model_fx_origin;

typedef struct model_fx_dims {
    uint64_t present;
    double width; /* attr "Width", min 0 */
    double height;
    model_fx_origin origin; /* nested object in a nested object */
} model_fx_dims;

typedef struct model_fx_part {
    uint64_t present;
    dg_str sku;  /* required */
    int32_t qty; /* min 1 */
} model_fx_part;

typedef struct model_fx_item {
    uint64_t present;
    dg_str id;       /* attr ProductID, partition key, read-only, uuid */
    int64_t version; /* attr Version, sort key */
    dg_str name;     /* required, 1..20 code points */
    dg_str category; /* pattern ^[a-z0-9-]{1,64}$, index key */
    dg_str status;   /* enum active|archived|draft */
    int32_t stock;   /* 0..1000000 */
    int64_t views;   /* int64, no bounds */
    int64_t price;   /* decimal scale 2, required, min 0 */
    double rating;   /* 0..5 */
    bool active;
    dg_bytes thumb;     /* binary, max 8 bytes */
    int64_t created_at; /* timestamp (ms), min 2000-01-01T00:00:00Z */
    int64_t expires_at; /* ttl (s), attr ExpiresAt */
    dg_set tags;        /* string_set, max 4, members max 8 code points */
    dg_set sizes;       /* number_set */
    dg_list scores;     /* list of int64 >= 0, max 5 */
    dg_list parts;      /* list of model_fx_part */
    dg_map specs;       /* map string -> string (max 10 code points) */
    dg_map prices;      /* map string -> decimal scale 2, >= 0 */
    model_fx_dims dims; /* object */
} model_fx_item;

enum {
    MODEL_FX_ID,
    MODEL_FX_VERSION,
    MODEL_FX_NAME,
    MODEL_FX_CATEGORY,
    MODEL_FX_STATUS,
    MODEL_FX_STOCK,
    MODEL_FX_VIEWS,
    MODEL_FX_PRICE,
    MODEL_FX_RATING,
    MODEL_FX_ACTIVE,
    MODEL_FX_THUMB,
    MODEL_FX_CREATED_AT,
    MODEL_FX_EXPIRES_AT,
    MODEL_FX_TAGS,
    MODEL_FX_SIZES,
    MODEL_FX_SCORES,
    MODEL_FX_PARTS,
    MODEL_FX_SPECS,
    MODEL_FX_PRICES,
    MODEL_FX_DIMS,
    MODEL_FX_FIELD_COUNT
};

extern const dg_object_desc model_fx_item_desc;
extern const dg_object_desc model_fx_dims_desc;
extern const dg_object_desc model_fx_origin_desc;
extern const dg_object_desc model_fx_part_desc;
extern const dg_table_desc model_fx_table; /* keys: id (ProductID), version (Version) */

/* Every field set to known values (all storage static; no allocation). The
 * DynamoDB JSON and API JSON of this item are MODEL_FX_FULL_DDB / _API. */
void model_fx_fill(model_fx_item *it);

#define MODEL_FX_FULL_DDB                                                                          \
    "{\"ProductID\":{\"S\":\"p-1\"},\"Version\":{\"N\":\"3\"},"                                    \
    "\"Name\":{\"S\":\"Widget \\\"Pro\\\" \xc3\xa9\"},\"category\":{\"S\":\"tools\"},"             \
    "\"status\":{\"S\":\"active\"},\"stock\":{\"N\":\"12\"},"                                      \
    "\"views\":{\"N\":\"9007199254740993\"},\"price\":{\"N\":\"19.99\"},"                          \
    "\"rating\":{\"N\":\"4.5\"},\"active\":{\"BOOL\":true},\"thumb\":{\"B\":\"AAEC/w==\"},"        \
    "\"created_at\":{\"N\":\"1764071642123\"},\"ExpiresAt\":{\"N\":\"1798761600\"},"               \
    "\"tags\":{\"SS\":[\"red\",\"blue\"]},\"sizes\":{\"NS\":[\"1.5\",\"10\",\"-3\"]},"             \
    "\"scores\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"}]},"                              \
    "\"parts\":{\"L\":[{\"M\":{\"sku\":{\"S\":\"A1\"},\"qty\":{\"N\":\"2\"}}},"                    \
    "{\"M\":{\"sku\":{\"S\":\"B2\"}}}]},"                                                          \
    "\"specs\":{\"M\":{\"color\":{\"S\":\"red\"},\"weird key\":{\"S\":\"x\"}}},"                   \
    "\"prices\":{\"M\":{\"eu\":{\"N\":\"12.50\"},\"us\":{\"N\":\"9.99\"}}},"                       \
    "\"dims\":{\"M\":{\"Width\":{\"N\":\"1.25\"},\"height\":{\"N\":\"0.1\"},"                      \
    "\"origin\":{\"M\":{\"country\":{\"S\":\"DE\"},\"zip\":{\"N\":\"10115\"}}}}}}"

#define MODEL_FX_FULL_API                                                                          \
    "{\"id\":\"p-1\",\"version\":3,\"name\":\"Widget \\\"Pro\\\" "                                 \
    "\xc3\xa9\",\"category\":\"tools\","                                                           \
    "\"status\":\"active\",\"stock\":12,\"views\":9007199254740993,\"price\":19.99,"               \
    "\"rating\":4.5,\"active\":true,\"thumb\":\"AAEC/w==\","                                       \
    "\"created_at\":\"2025-11-25T11:54:02.123Z\",\"expires_at\":\"2027-01-01T00:00:00Z\","         \
    "\"tags\":[\"red\",\"blue\"],\"sizes\":[1.5,10,-3],\"scores\":[1,2,3],"                        \
    "\"parts\":[{\"sku\":\"A1\",\"qty\":2},{\"sku\":\"B2\"}],"                                     \
    "\"specs\":{\"color\":\"red\",\"weird key\":\"x\"},\"prices\":{\"eu\":12.50,\"us\":9.99},"     \
    "\"dims\":{\"width\":1.25,\"height\":0.1,\"origin\":{\"country\":\"DE\",\"zip\":10115}}}"

#endif
