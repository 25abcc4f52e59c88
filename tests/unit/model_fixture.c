/* Hand-written descriptors for the model codec tests (see model_fixture.h).
 * Written the way the generator emits them. */
#include "model_fixture.h"

#include <stddef.h>
#include <string.h>

/* ---- origin (nested in dims) ---- */
static dg_regex_slot model_fx_country_re = DG_REGEX_SLOT_INIT;

static const dg_field_desc model_fx_origin_fields[] = {
    {.name = "country",
     .attr = "country",
     .type = DG_TYPE_STRING,
     .offset = offsetof(model_fx_origin, country),
     .size = sizeof(dg_str),
     .pattern = "[A-Z]{2}",
     .pattern_slot = &model_fx_country_re},
    {.name = "zip",
     .attr = "zip",
     .type = DG_TYPE_INT32,
     .offset = offsetof(model_fx_origin, zip),
     .size = sizeof(int32_t)},
};

const dg_object_desc model_fx_origin_desc = {
    .name = "model_fx_origin",
    .size = sizeof(model_fx_origin),
    .presence_offset = offsetof(model_fx_origin, present),
    .fields = model_fx_origin_fields,
    .field_count = 2,
};

/* ---- dims ---- */
static const dg_field_desc model_fx_dims_fields[] = {
    {.name = "width",
     .attr = "Width",
     .type = DG_TYPE_DOUBLE,
     .flags = DG_F_HAS_MIN,
     .offset = offsetof(model_fx_dims, width),
     .size = sizeof(double),
     .min_d = 0},
    {.name = "height",
     .attr = "height",
     .type = DG_TYPE_DOUBLE,
     .offset = offsetof(model_fx_dims, height),
     .size = sizeof(double)},
    {.name = "origin",
     .attr = "origin",
     .type = DG_TYPE_OBJECT,
     .offset = offsetof(model_fx_dims, origin),
     .size = sizeof(model_fx_origin),
     .object = &model_fx_origin_desc},
};

const dg_object_desc model_fx_dims_desc = {
    .name = "model_fx_dims",
    .size = sizeof(model_fx_dims),
    .presence_offset = offsetof(model_fx_dims, present),
    .fields = model_fx_dims_fields,
    .field_count = 3,
};

/* ---- part (list element) ---- */
static const dg_field_desc model_fx_part_fields[] = {
    {.name = "sku",
     .attr = "sku",
     .type = DG_TYPE_STRING,
     .flags = DG_F_REQUIRED,
     .offset = offsetof(model_fx_part, sku),
     .size = sizeof(dg_str)},
    {.name = "qty",
     .attr = "qty",
     .type = DG_TYPE_INT32,
     .flags = DG_F_HAS_MIN,
     .offset = offsetof(model_fx_part, qty),
     .size = sizeof(int32_t),
     .min = 1},
};

const dg_object_desc model_fx_part_desc = {
    .name = "model_fx_part",
    .size = sizeof(model_fx_part),
    .presence_offset = offsetof(model_fx_part, present),
    .fields = model_fx_part_fields,
    .field_count = 2,
};

/* ---- element descriptors ---- */
static const dg_field_desc model_fx_tags_elem = {
    .name = "[]", .attr = "[]", .type = DG_TYPE_STRING, .size = sizeof(dg_str), .max_length = 8};
static const dg_field_desc model_fx_scores_elem = {
    .name = "[]", .type = DG_TYPE_INT64, .flags = DG_F_HAS_MIN, .size = sizeof(int64_t), .min = 0};
static const dg_field_desc model_fx_parts_elem = {.name = "[]",
                                                  .type = DG_TYPE_OBJECT,
                                                  .size = sizeof(model_fx_part),
                                                  .object = &model_fx_part_desc};
static const dg_field_desc model_fx_specs_elem = {
    .name = "[]", .type = DG_TYPE_STRING, .size = sizeof(dg_str), .max_length = 10};
static const dg_field_desc model_fx_prices_elem = {.name = "[]",
                                                   .type = DG_TYPE_DECIMAL,
                                                   .flags = DG_F_HAS_MIN,
                                                   .size = sizeof(int64_t),
                                                   .scale = 2,
                                                   .min = 0};

/* ---- item ---- */
static dg_regex_slot model_fx_category_re = DG_REGEX_SLOT_INIT;
static const char *const model_fx_status_values[] = {"active", "archived", "draft"};

static const dg_field_desc model_fx_item_fields[] = {
    /* Precomputed name members (as the generator emits them) on a few fields,
     * absent on the others: the codecs must give the same bytes either way. */
    {.name = "id",
     .attr = "ProductID",
     .type = DG_TYPE_STRING,
     .flags = DG_F_PARTITION_KEY | DG_F_READONLY,
     .generate = DG_GEN_UUID,
     .offset = offsetof(model_fx_item, id),
     .size = sizeof(dg_str),
     .name_len = 2,
     .attr_len = 9,
     .name_key = "\"id\":",
     .attr_key = "\"ProductID\":",
     .name_key_len = 5,
     .attr_key_len = 12},
    {.name = "version",
     .attr = "Version",
     .type = DG_TYPE_INT64,
     .flags = DG_F_SORT_KEY,
     .generate = DG_GEN_VERSION,
     .offset = offsetof(model_fx_item, version),
     .size = sizeof(int64_t)},
    {.name = "name",
     .attr = "Name",
     .type = DG_TYPE_STRING,
     .flags = DG_F_REQUIRED,
     .offset = offsetof(model_fx_item, name),
     .size = sizeof(dg_str),
     .min_length = 1,
     .max_length = 20},
    {.name = "category",
     .attr = "category",
     .type = DG_TYPE_STRING,
     .flags = DG_F_INDEX_KEY,
     .offset = offsetof(model_fx_item, category),
     .size = sizeof(dg_str),
     .pattern = "^[a-z0-9-]{1,64}$",
     .pattern_slot = &model_fx_category_re},
    {.name = "status",
     .attr = "status",
     .type = DG_TYPE_STRING,
     .offset = offsetof(model_fx_item, status),
     .size = sizeof(dg_str),
     .enum_values = model_fx_status_values,
     .enum_count = 3},
    {.name = "stock",
     .attr = "stock",
     .type = DG_TYPE_INT32,
     .flags = DG_F_HAS_MIN | DG_F_HAS_MAX,
     .offset = offsetof(model_fx_item, stock),
     .size = sizeof(int32_t),
     .min = 0,
     .max = 1000000},
    {.name = "views",
     .attr = "views",
     .type = DG_TYPE_INT64,
     .offset = offsetof(model_fx_item, views),
     .size = sizeof(int64_t)},
    {.name = "price",
     .attr = "price",
     .type = DG_TYPE_DECIMAL,
     .flags = DG_F_REQUIRED | DG_F_HAS_MIN | DG_F_INDEX_KEY,
     .offset = offsetof(model_fx_item, price),
     .size = sizeof(int64_t),
     .scale = 2,
     .min = 0},
    {.name = "rating",
     .attr = "rating",
     .type = DG_TYPE_DOUBLE,
     .flags = DG_F_HAS_MIN | DG_F_HAS_MAX,
     .offset = offsetof(model_fx_item, rating),
     .size = sizeof(double),
     .min_d = 0,
     .max_d = 5},
    {.name = "active",
     .attr = "active",
     .type = DG_TYPE_BOOL,
     .offset = offsetof(model_fx_item, active),
     .size = sizeof(bool)},
    {.name = "thumb",
     .attr = "thumb",
     .type = DG_TYPE_BINARY,
     .offset = offsetof(model_fx_item, thumb),
     .size = sizeof(dg_bytes),
     .max_length = 8},
    {.name = "created_at",
     .attr = "created_at",
     .type = DG_TYPE_TIMESTAMP,
     .flags = DG_F_HAS_MIN,
     .generate = DG_GEN_CREATED,
     .offset = offsetof(model_fx_item, created_at),
     .size = sizeof(int64_t),
     .min = INT64_C(946684800000)},
    {.name = "expires_at",
     .attr = "ExpiresAt",
     .type = DG_TYPE_TTL,
     .offset = offsetof(model_fx_item, expires_at),
     .size = sizeof(int64_t),
     .name_len = 10,
     .attr_len = 9,
     .name_key = "\"expires_at\":",
     .attr_key = "\"ExpiresAt\":",
     .name_key_len = 13,
     .attr_key_len = 12},
    {.name = "tags",
     .attr = "tags",
     .type = DG_TYPE_STRING_SET,
     .offset = offsetof(model_fx_item, tags),
     .size = sizeof(dg_set),
     .max_items = 4,
     .elem = &model_fx_tags_elem},
    {.name = "sizes",
     .attr = "sizes",
     .type = DG_TYPE_NUMBER_SET,
     .offset = offsetof(model_fx_item, sizes),
     .size = sizeof(dg_set)},
    {.name = "scores",
     .attr = "scores",
     .type = DG_TYPE_LIST,
     .offset = offsetof(model_fx_item, scores),
     .size = sizeof(dg_list),
     .max_items = 5,
     .elem = &model_fx_scores_elem},
    {.name = "parts",
     .attr = "parts",
     .type = DG_TYPE_LIST,
     .offset = offsetof(model_fx_item, parts),
     .size = sizeof(dg_list),
     .elem = &model_fx_parts_elem},
    {.name = "specs",
     .attr = "specs",
     .type = DG_TYPE_MAP,
     .offset = offsetof(model_fx_item, specs),
     .size = sizeof(dg_map),
     .max_items = 3,
     .elem = &model_fx_specs_elem},
    {.name = "prices",
     .attr = "prices",
     .type = DG_TYPE_MAP,
     .offset = offsetof(model_fx_item, prices),
     .size = sizeof(dg_map),
     .elem = &model_fx_prices_elem},
    {.name = "dims",
     .attr = "dims",
     .type = DG_TYPE_OBJECT,
     .offset = offsetof(model_fx_item, dims),
     .size = sizeof(model_fx_dims),
     .object = &model_fx_dims_desc},
};

const dg_object_desc model_fx_item_desc = {
    .name = "model_fx_item",
    .size = sizeof(model_fx_item),
    .presence_offset = offsetof(model_fx_item, present),
    .fields = model_fx_item_fields,
    .field_count = MODEL_FX_FIELD_COUNT,
};

const dg_table_desc model_fx_table = {
    .table_name = "FxItems",
    .source = "tests/unit/model_fixture.c",
    .item = &model_fx_item_desc,
    .partition_field = MODEL_FX_ID,
    .sort_field = MODEL_FX_VERSION,
    .ttl_field = MODEL_FX_EXPIRES_AT,
    .versioned = true,
    .current_version = 0,
};

/* ---- the full item ---- */
static const uint8_t fx_thumb[] = {0x00, 0x01, 0x02, 0xff};
static dg_str fx_tags[] = {{"red", 3}, {"blue", 4}};
static dg_str fx_sizes[] = {{"1.5", 3}, {"10", 2}, {"-3", 2}};
static int64_t fx_scores[] = {1, 2, 3};
static model_fx_part fx_parts[2];
static dg_str fx_spec_keys[] = {{"color", 5}, {"weird key", 9}};
static dg_str fx_spec_vals[] = {{"red", 3}, {"x", 1}};
static dg_str fx_price_keys[] = {{"eu", 2}, {"us", 2}};
static int64_t fx_price_vals[] = {1250, 999};

void model_fx_fill(model_fx_item *it)
{
    memset(it, 0, sizeof *it);
    /* Tests may scribble on the arrays: restore them every time. */
    fx_tags[0] = DG_STR("red");
    fx_tags[1] = DG_STR("blue");
    fx_sizes[0] = DG_STR("1.5");
    fx_sizes[1] = DG_STR("10");
    fx_sizes[2] = DG_STR("-3");
    for (int i = 0; i < 3; i++)
        fx_scores[i] = i + 1;
    fx_spec_keys[0] = DG_STR("color");
    fx_spec_keys[1] = DG_STR("weird key");
    fx_spec_vals[0] = DG_STR("red");
    fx_spec_vals[1] = DG_STR("x");
    fx_price_keys[0] = DG_STR("eu");
    fx_price_keys[1] = DG_STR("us");
    fx_price_vals[0] = 1250;
    fx_price_vals[1] = 999;
    memset(fx_parts, 0, sizeof fx_parts);
    fx_parts[0].sku = DG_STR("A1");
    fx_parts[0].qty = 2;
    fx_parts[0].present = 3;
    fx_parts[1].sku = DG_STR("B2");
    fx_parts[1].present = 1;

    it->id = DG_STR("p-1");
    it->version = 3;
    it->name = DG_STR("Widget \"Pro\" \xc3\xa9");
    it->category = DG_STR("tools");
    it->status = DG_STR("active");
    it->stock = 12;
    it->views = INT64_C(9007199254740993);
    it->price = 1999;
    it->rating = 4.5;
    it->active = true;
    it->thumb = (dg_bytes){fx_thumb, sizeof fx_thumb};
    it->created_at = INT64_C(1764071642123);
    it->expires_at = INT64_C(1798761600);
    it->tags = (dg_set){fx_tags, 2};
    it->sizes = (dg_set){fx_sizes, 3};
    it->scores = (dg_list){fx_scores, 3};
    it->parts = (dg_list){fx_parts, 2};
    it->specs = (dg_map){fx_spec_keys, fx_spec_vals, 2};
    it->prices = (dg_map){fx_price_keys, fx_price_vals, 2};
    it->dims.width = 1.25;
    it->dims.height = 0.1;
    it->dims.origin.country = DG_STR("DE");
    it->dims.origin.zip = 10115;
    it->dims.origin.present = 3;
    it->dims.present = 7;
    it->present = ((uint64_t)1 << MODEL_FX_FIELD_COUNT) - 1;
}
