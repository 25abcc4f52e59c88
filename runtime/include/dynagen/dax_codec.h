/* dynagen runtime — DynamoDB Accelerator (DAX) wire codec.
 *
 * Pure functions over byte buffers: no sockets, no clocks, no caches. The
 * network client, the connection pool and dax-local are built on this API.
 * The protocol is described in shared/design/dax-protocol.md (section
 * numbers below refer to it); byte-for-byte reference captures of the
 * official Node client (amazon-dax-client 1.2.10) are in shared/dax-vectors/
 * and tests/unit/test_dax_*.c compares against every one of them.
 *
 * Model. Attribute values are a small tree (dg_dax_av) allocated in a
 * dg_arena, with exact numbers kept as text. An *item* (or a key) is a
 * dg_dax_av of type M: attribute name -> value, in insertion order. The
 * rest of dynagen speaks DynamoDB JSON; dg_dax_av_from_json /
 * dg_dax_item_from_json and dg_dax_av_to_json / dg_dax_item_to_json bridge
 * the two, so a DAX call takes and gives the same JSON a DynamoDB call does.
 * (cJSON itself is not the model: it keeps numbers as doubles, allocates
 * per node with malloc, and has no bound on what a network peer can make it
 * build; the DAX decoders allocate only in the caller's arena, within
 * dg_dax_limits.)
 *
 * Numbers. Encoded as the official client does: integers within +-(2^53-1)
 * as CBOR ints, larger ones as bignums (tags 2/3), anything with '.', 'e'
 * or 'E' as a decimal fraction (tag 4, [-scale, unscaled]). The Node client
 * additionally sends a decimal that survives a round trip through an IEEE
 * double ("19.99") as a float64: DG_DAX_NUM_NODE_COMPAT reproduces that
 * quirk bit for bit (the captures need it); the default DG_DAX_NUM_EXACT
 * never emits a float. Decoders accept ints, bignums, tag 4 and floats
 * (half, single, double: converted to the shortest decimal that round-trips,
 * i.e. the number the sender wrote), and return DynamoDB's canonical number
 * text (dg_number_canonical).
 *
 * Streams. DAX has no framing: a message is a fixed number of top-level
 * CBOR items. Every decoder returns DG_DAX_NEED_MORE (a positive value,
 * not an error) when the input ends inside the message, and a negative
 * DG_E* when the bytes can never become valid (malformed CBOR, wrong types,
 * a declared length or count above dg_dax_limits -> DG_ETOOBIG, nesting too
 * deep). Declared lengths are checked against the limits before any byte of
 * the payload is awaited, so an oversize length fails at once instead of
 * making a reader wait for gigabytes. The scanners (dg_dax_*_scan) find the
 * end of a message without allocating; decode once the scanner says the
 * message is complete.
 *
 * Strings returned in decoded structures point into the arena or into the
 * input buffer (byte strings and text strings are not copied when
 * definite-length): keep the input alive as long as the result.
 *
 * Threads: everything here is reentrant. */
#ifndef DYNAGEN_DAX_CODEC_H
#define DYNAGEN_DAX_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"
#include "dynagen/types.h"

typedef struct cJSON cJSON;

/* Returned (positive) by decoders and scanners: the input ends inside the
 * message; call again with more bytes (from the same start). */
#define DG_DAX_NEED_MORE 1

/* ------------------------------------------------------------------ limits */

typedef struct dg_dax_limits {
    size_t max_message; /* bytes of one message (request or response); default 64 MiB */
    size_t max_string;  /* one text or byte string (all chunks); default 16 MiB */
    size_t max_count;   /* elements of one array or pairs of one map; default 1M */
    unsigned max_depth; /* nesting of arrays/maps/tags; default 64 */
} dg_dax_limits;

/* The defaults (used wherever a limits pointer is NULL). */
const dg_dax_limits *dg_dax_default_limits(void);

/* ------------------------------------------------------------------ methods (§4) */

typedef enum dg_dax_method {
    DG_DAX_AUTHORIZE_CONNECTION = 1489122155,
    DG_DAX_ENDPOINTS = 455855874,
    DG_DAX_DEFINE_KEY_SCHEMA = -742646399,
    DG_DAX_DEFINE_ATTRIBUTE_LIST_ID = -1230579644,
    DG_DAX_DEFINE_ATTRIBUTE_LIST = 670678385,
    DG_DAX_GET_ITEM = 263244906,
    DG_DAX_PUT_ITEM = -2106490455,
    DG_DAX_DELETE_ITEM = 1013539361,
    DG_DAX_UPDATE_ITEM = 1425579023,
    DG_DAX_QUERY = -931250863,
    DG_DAX_SCAN = -1875390620,
    DG_DAX_BATCH_GET_ITEM = -697851100,
    DG_DAX_BATCH_WRITE_ITEM = 116217951,
    DG_DAX_TRANSACT_GET_ITEMS = 1866287579,
    DG_DAX_TRANSACT_WRITE_ITEMS = -1160037738
} dg_dax_method;

/* "getItem", ... or NULL for an unknown id. */
const char *dg_dax_method_name(int64_t method_id);
/* Number of arguments after service id and method id; -1 for an unknown id. */
int dg_dax_method_arg_count(int64_t method_id);
/* Top-level items after the 0x80 success marker: 1, batchGetItem 2,
 * batchWriteItem 3, authorizeConnection 0 (no reply at all: -1). */
int dg_dax_method_result_count(int64_t method_id);

/* ------------------------------------------------------------------ attribute values */

typedef enum dg_dax_type {
    DG_DAX_S = 1,
    DG_DAX_N,
    DG_DAX_B,
    DG_DAX_BOOL,
    DG_DAX_NULL,
    DG_DAX_L,
    DG_DAX_M,
    DG_DAX_SS,
    DG_DAX_NS,
    DG_DAX_BS
} dg_dax_type;

typedef struct dg_dax_av dg_dax_av;
struct dg_dax_av {
    dg_dax_type type;
    bool boolean;     /* BOOL */
    dg_str s;         /* S: UTF-8 text; N: number text */
    dg_bytes b;       /* B */
    size_t count;     /* L, M, SS, NS, BS */
    dg_dax_av *items; /* L elements; M values; set members (each S, N or B) */
    dg_str *keys;     /* M: count names, parallel to items */
};

/* "S", "N", ... ("?" for an invalid value). */
const char *dg_dax_type_name(dg_dax_type t);

/* DynamoDB JSON -> model. av: one AttributeValue ({"S":"x"}, {"N":"1.5"},
 * {"B":"<base64>"}, {"SS":[..]}, ...). item: an attribute map
 * ({"a":{"S":"x"},...}) -> a dg_dax_av of type M. Numbers are checked with
 * the DynamoDB number syntax and kept as written. Errors name the field
 * path ("Doc.k", "Tags[2]"). */
int dg_dax_av_from_json(const cJSON *j, dg_arena *a, dg_dax_av *out, dg_error *err);
int dg_dax_item_from_json(const cJSON *obj, dg_arena *a, dg_dax_av *out, dg_error *err);
/* The same from JSON text (parsed with an explicit length; end of input required). */
int dg_dax_av_from_json_text(const char *s, size_t n, dg_arena *a, dg_dax_av *out, dg_error *err);
int dg_dax_item_from_json_text(const char *s, size_t n, dg_arena *a, dg_dax_av *out, dg_error *err);

/* Model -> DynamoDB JSON text (appended). Returns 0 or DG_ENOMEM/DG_EINVAL. */
int dg_dax_av_to_json(const dg_dax_av *av, dg_buf *out);
int dg_dax_item_to_json(const dg_dax_av *item, dg_buf *out);

/* Deep equality. M compares as a map (order-insensitive), sets as sets,
 * N numerically-canonical (by text after canonicalisation). */
bool dg_dax_av_equal(const dg_dax_av *x, const dg_dax_av *y);
/* The value of attribute name in an M, or NULL. */
const dg_dax_av *dg_dax_item_get(const dg_dax_av *item, const char *name, size_t n);

/* ------------------------------------------------------------------ numbers (§6) */

typedef enum dg_dax_num_mode {
    DG_DAX_NUM_EXACT = 0,      /* never a float: ints, bignums, tag 4 */
    DG_DAX_NUM_NODE_COMPAT = 1 /* as amazon-dax-client 1.2.x: float64 when the text
                                  equals JavaScript's String(Number(text)) */
} dg_dax_num_mode;

/* Encode a DynamoDB number (text) as one CBOR item. */
int dg_dax_number_encode(const char *s, size_t n, dg_dax_num_mode mode, dg_buf *out, dg_error *err);
/* The decimal a double denotes, by shortest round trip ("19.99" for the
 * double nearest 19.99), as DynamoDB canonical text. NaN / infinities:
 * DG_EINVAL. */
int dg_dax_double_to_number(double d, dg_arena *a, dg_str *out, dg_error *err);
/* JavaScript's Number.prototype.toString() of d (shortest round trip,
 * ECMAScript formatting: "1e+21", "1e-7", "0.000001"). out holds 32 bytes. */
size_t dg_dax_js_number_string(double d, char out[32]);

/* Lexicographic decimal (§7.4): byte order == numeric order. Digits are
 * encoded as written (as the official client does): "1.50" and "1.5" give
 * different bytes; dynagen's own numbers are canonical. */
int dg_dax_lexdec_encode(const char *s, size_t n, dg_buf *out, dg_error *err);
/* Decodes one lexicographic decimal at p; *used = its length. Text out is
 * canonical. */
int dg_dax_lexdec_decode(const uint8_t *p, size_t n, size_t *used, dg_arena *a, dg_str *out,
                         dg_error *err);

/* One AttributeValue as CBOR (§6) / back. dg_dax_av_decode: one item at p;
 * *used = its length. */
int dg_dax_av_encode(const dg_dax_av *av, dg_dax_num_mode mode, dg_buf *out, dg_error *err);
int dg_dax_av_decode(const uint8_t *p, size_t n, size_t *used, const dg_dax_limits *lim,
                     dg_arena *a, dg_dax_av *out, dg_error *err);

/* ------------------------------------------------------------------ keys and items (§7) */

typedef struct dg_dax_key_attr {
    dg_str name;
    dg_dax_type type; /* DG_DAX_S, DG_DAX_N or DG_DAX_B */
} dg_dax_key_attr;

typedef struct dg_dax_key_schema {
    size_t count;             /* 1 (hash) or 2 (hash, range) */
    dg_dax_key_attr attrs[2]; /* hash first */
} dg_dax_key_schema;

/* Raw key bytes (§7.2) of the key attributes of item (a full item or just
 * the key), appended to out WITHOUT a CBOR header. DG_EINVAL when a key
 * attribute is missing or has another type than the schema's. */
int dg_dax_key_encode(const dg_dax_key_schema *ks, const dg_dax_av *item, dg_dax_num_mode mode,
                      dg_buf *out, dg_error *err);
/* Raw key bytes -> M of the key attributes (hash first). */
int dg_dax_key_decode(const dg_dax_key_schema *ks, const uint8_t *p, size_t n,
                      const dg_dax_limits *lim, dg_arena *a, dg_dax_av *out, dg_error *err);

/* A list of attribute names (an attribute list). */
typedef struct dg_dax_names {
    dg_str *names;
    size_t count;
} dg_dax_names;

/* JavaScript's default string order (UTF-16 code units), which the Node
 * client sorts attribute names with: <0, 0, >0. Equals byte order except
 * for characters above U+FFFF against U+E000..U+FFFF. */
int dg_dax_name_compare(dg_str x, dg_str y);
/* The sorted non-key attribute names of item: the list to send in
 * defineAttributeListId and to encode values against. */
int dg_dax_item_attr_names(const dg_dax_av *item, const dg_dax_key_schema *ks, dg_arena *a,
                           dg_dax_names *out, dg_error *err);
/* Non-key bytes content (§7.3): CBOR(list_id) then each value of names in
 * order (every name must be present in item). No CBOR header. */
int dg_dax_nonkey_encode(const dg_dax_av *item, const dg_dax_names *names, uint64_t list_id,
                         dg_dax_num_mode mode, dg_buf *out, dg_error *err);
/* Non-key bytes content -> list id and the anonymous values. */
int dg_dax_nonkey_decode(const uint8_t *p, size_t n, const dg_dax_limits *lim, dg_arena *a,
                         uint64_t *list_id, dg_dax_av **values, size_t *count, dg_error *err);

/* Resolution of what a response refers to by id (the client keeps these
 * caches; the codec only asks). Each callback returns 0 and fills out, or
 * a negative DG_E* (DG_ENOTFOUND when unknown) that aborts the decode. */
typedef struct dg_dax_resolver {
    int (*attr_list)(void *ctx, uint64_t id, dg_dax_names *out, dg_error *err);
    /* key schema of a table (batch responses name their tables) */
    int (*key_schema)(void *ctx, dg_str table, dg_dax_key_schema *out, dg_error *err);
    void *ctx;
} dg_dax_resolver;

/* ------------------------------------------------------------------ expressions (§8) */

/* ExpressionAttributeNames: "#n" -> attribute name. */
typedef struct dg_dax_strmap {
    const dg_str *keys;
    const dg_str *values;
    size_t count;
} dg_dax_strmap;

/* {"#n":"Name",...} -> strmap (arena). */
int dg_dax_strmap_from_json(const cJSON *obj, dg_arena *a, dg_dax_strmap *out, dg_error *err);

typedef struct dg_dax_path_elem {
    bool is_index;
    uint32_t index; /* is_index */
    dg_str name;    /* !is_index: attribute or map key (names substituted) */
} dg_dax_path_elem;

typedef struct dg_dax_path {
    dg_dax_path_elem *elems;
    size_t count;
} dg_dax_path;

typedef struct dg_dax_projection {
    dg_dax_path *paths;
    size_t count;
} dg_dax_projection;

typedef struct dg_dax_expr_input {
    const char *condition; /* NUL-terminated expression text, or NULL */
    const char *key_condition;
    const char *filter;
    const char *update;
    const char *projection;
    const dg_dax_strmap *names; /* ExpressionAttributeNames or NULL */
    const dg_dax_av *values;    /* ExpressionAttributeValues: M ":v" -> value, or NULL */
} dg_dax_expr_input;

typedef struct dg_dax_exprs {
    /* Encoded envelopes (the content of the byte strings sent), NULL ptr when absent. */
    dg_bytes condition, key_condition, filter, update, projection;
    dg_dax_projection proj; /* the projection's paths (decoding projected items) */
} dg_dax_exprs;

/* Compile every expression given, as the official client does: names
 * substituted, values collected per expression (indices restart at 0),
 * the unused-name / unused-value checks across all of them. Errors are
 * DG_EINVAL with field = "ConditionExpression" (etc.) and a message in
 * DynamoDB's words, with the character position of syntax errors:
 *   Invalid ConditionExpression: Syntax error; token: "AND", near: "= AND" (char 8) */
int dg_dax_expr_compile(const dg_dax_expr_input *in, dg_dax_num_mode mode, dg_arena *a,
                        dg_dax_exprs *out, dg_error *err);
/* Only the paths of a projection expression. */
int dg_dax_projection_parse(const char *expr, const dg_dax_strmap *names, dg_arena *a,
                            dg_dax_projection *out, dg_error *err);

/* ------------------------------------------------------------------ requests (§2, §3, §9) */

/* Preamble (§2): session_id is 16 bytes (NULL: CBOR null). */
int dg_dax_encode_preamble(const uint8_t *session_id, size_t session_len, const char *user_agent,
                           dg_buf *out, dg_error *err);

typedef struct dg_dax_auth {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL: none */
    const char *region;
    int64_t unix_seconds;   /* signing time */
    const char *user_agent; /* NULL: CBOR null */
} dg_dax_auth;

#define DG_DAX_AUTH_HOST "dax.amazonaws.com"
#define DG_DAX_USER_AGENT "DaxJSClient-1.2.10"

/* authorizeConnection (§3): the SigV4 string to sign of the fixed
 * pseudo-request, signed with the secret; no reply follows. */
int dg_dax_encode_authorize(const dg_dax_auth *auth, dg_buf *out, dg_error *err);
int dg_dax_encode_endpoints(dg_buf *out, dg_error *err);
int dg_dax_encode_define_key_schema(dg_str table, dg_buf *out, dg_error *err);
int dg_dax_encode_define_attribute_list_id(const dg_dax_names *names, dg_buf *out, dg_error *err);
int dg_dax_encode_define_attribute_list(uint64_t list_id, dg_buf *out, dg_error *err);

typedef enum dg_dax_tristate { DG_DAX_UNSET = 0, DG_DAX_FALSE, DG_DAX_TRUE } dg_dax_tristate;

enum { DG_DAX_RCC_NONE = 0, DG_DAX_RCC_TOTAL = 1, DG_DAX_RCC_INDEXES = 2 };
enum { DG_DAX_RICM_NONE = 0, DG_DAX_RICM_SIZE = 1 };
enum {
    DG_DAX_RV_UNSET = 0, /* and NONE: not sent */
    DG_DAX_RV_NONE = 1,
    DG_DAX_RV_ALL_OLD = 2,
    DG_DAX_RV_UPDATED_OLD = 3,
    DG_DAX_RV_ALL_NEW = 4,
    DG_DAX_RV_UPDATED_NEW = 5
};
enum {
    DG_DAX_SELECT_UNSET = 0,
    DG_DAX_SELECT_ALL_ATTRIBUTES = 1,
    DG_DAX_SELECT_ALL_PROJECTED_ATTRIBUTES = 2,
    DG_DAX_SELECT_COUNT = 3,
    DG_DAX_SELECT_SPECIFIC_ATTRIBUTES = 4
};

/* One single-table data request: getItem, putItem, updateItem, deleteItem,
 * query, scan. Fields a method does not take are ignored. */
typedef struct dg_dax_request {
    dg_str table;
    const dg_dax_key_schema *key_schema;
    const dg_dax_av *key;               /* get/update/delete: the key (extra attributes ignored) */
    const dg_dax_av *item;              /* put: the whole item */
    const dg_dax_names *attr_names;     /* put: dg_dax_item_attr_names(item) (NULL: computed) */
    uint64_t attr_list_id;              /* put: its id (defineAttributeListId) */
    dg_dax_expr_input expr;             /* expressions, names, values */
    int return_consumed_capacity;       /* DG_DAX_RCC_* */
    int return_item_collection_metrics; /* DG_DAX_RICM_* */
    int return_values;                  /* DG_DAX_RV_* */
    dg_dax_tristate consistent_read;
    dg_dax_tristate scan_index_forward;
    const char *index_name; /* NULL: none */
    int select;             /* DG_DAX_SELECT_* */
    bool has_limit;
    uint64_t limit;
    bool has_segment;
    uint64_t segment, total_segments;
    const dg_dax_av *exclusive_start_key; /* M, or NULL */
    dg_dax_num_mode num_mode;
} dg_dax_request;

/* Append the whole request (service id, method id, args). exprs (may be
 * NULL) receives the compiled expressions (its projection paths are needed
 * to decode a projected reply). */
int dg_dax_encode_get_item(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                           dg_error *err);
int dg_dax_encode_put_item(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                           dg_error *err);
int dg_dax_encode_update_item(const dg_dax_request *r, dg_arena *a, dg_buf *out,
                              dg_dax_exprs *exprs, dg_error *err);
int dg_dax_encode_delete_item(const dg_dax_request *r, dg_arena *a, dg_buf *out,
                              dg_dax_exprs *exprs, dg_error *err);
int dg_dax_encode_query(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                        dg_error *err);
int dg_dax_encode_scan(const dg_dax_request *r, dg_arena *a, dg_buf *out, dg_dax_exprs *exprs,
                       dg_error *err);

#define DG_DAX_MAX_BATCH_GET 100
#define DG_DAX_MAX_BATCH_WRITE 25
#define DG_DAX_MAX_TRANSACT 25

typedef struct dg_dax_batch_get_table {
    dg_str table;
    const dg_dax_key_schema *key_schema;
    bool consistent_read;
    const char *projection; /* NULL: whole items */
    const dg_dax_strmap *names;
    const dg_dax_av *keys; /* key_count M values */
    size_t key_count;
} dg_dax_batch_get_table;

int dg_dax_encode_batch_get_item(const dg_dax_batch_get_table *tables, size_t table_count,
                                 int return_consumed_capacity, dg_dax_num_mode mode, dg_arena *a,
                                 dg_buf *out, dg_error *err);

typedef struct dg_dax_write_request {
    const dg_dax_av *item; /* PutRequest item, or NULL for a DeleteRequest */
    const dg_dax_av *key;  /* DeleteRequest key */
    uint64_t attr_list_id; /* put: id of the item's sorted non-key names */
} dg_dax_write_request;

typedef struct dg_dax_batch_write_table {
    dg_str table;
    const dg_dax_key_schema *key_schema;
    const dg_dax_write_request *requests;
    size_t count;
} dg_dax_batch_write_table;

int dg_dax_encode_batch_write_item(const dg_dax_batch_write_table *tables, size_t table_count,
                                   int return_consumed_capacity, int return_item_collection_metrics,
                                   dg_dax_num_mode mode, dg_arena *a, dg_buf *out, dg_error *err);

typedef struct dg_dax_transact_get {
    dg_str table;
    const dg_dax_key_schema *key_schema;
    const dg_dax_av *key;
    const char *projection; /* NULL: whole item */
    const dg_dax_strmap *names;
} dg_dax_transact_get;

int dg_dax_encode_transact_get_items(const dg_dax_transact_get *items, size_t count,
                                     int return_consumed_capacity, dg_dax_num_mode mode,
                                     dg_arena *a, dg_buf *out, dg_error *err);

typedef enum dg_dax_tx_op {
    DG_DAX_TX_PUT = 2,
    DG_DAX_TX_DELETE = 7,
    DG_DAX_TX_UPDATE = 9,
    DG_DAX_TX_CONDITION_CHECK = 12
} dg_dax_tx_op;

typedef struct dg_dax_transact_write {
    dg_dax_tx_op op;
    dg_str table;
    const dg_dax_key_schema *key_schema;
    const dg_dax_av *item; /* PUT */
    const dg_dax_av *key;  /* DELETE, UPDATE, CONDITION_CHECK */
    uint64_t attr_list_id; /* PUT */
    const char *condition; /* required for CONDITION_CHECK */
    const char *update;    /* required for UPDATE */
    const dg_dax_strmap *names;
    const dg_dax_av *values;
    bool return_values_on_ccf_all_old;
} dg_dax_transact_write;

/* client_request_token is required (the caller makes a UUID v4, as the
 * official client does when none is given). */
int dg_dax_encode_transact_write_items(const dg_dax_transact_write *items, size_t count,
                                       const char *client_request_token,
                                       int return_consumed_capacity,
                                       int return_item_collection_metrics, dg_dax_num_mode mode,
                                       dg_arena *a, dg_buf *out, dg_error *err);

/* ------------------------------------------------------------------ stream scanning */

/* Skip `count` top-level CBOR items at p; *len = their total length. */
int dg_dax_items_scan(const uint8_t *p, size_t n, size_t count, const dg_dax_limits *lim,
                      size_t *len);
/* Preamble: 5 items (§2). */
int dg_dax_preamble_scan(const uint8_t *p, size_t n, const dg_dax_limits *lim, size_t *len);
/* One request (server side): service id, method id, its arguments.
 * *method_id is set once known; unknown methods: DG_EUNSUPPORTED. */
int dg_dax_request_scan(const uint8_t *p, size_t n, const dg_dax_limits *lim, int64_t *method_id,
                        size_t *len);
/* One response to method (client side): the code array, then the result
 * items on success or message + detail on error. */
int dg_dax_response_scan(int64_t method_id, const uint8_t *p, size_t n, const dg_dax_limits *lim,
                         size_t *len);

/* ------------------------------------------------------------------ responses (§5, §9.3, §10) */

typedef struct dg_dax_cancellation_reason {
    dg_str code;    /* ptr NULL when null */
    dg_str message; /* ptr NULL when null */
    bool has_item;
    dg_dax_av item; /* the item (ALL_OLD), key re-added from the request */
} dg_dax_cancellation_reason;

typedef struct dg_dax_service_error {
    uint64_t codes[16];
    size_t code_count;
    dg_str message;
    dg_str request_id; /* ptr NULL when absent */
    dg_str error_code; /* DynamoDB exception name, ptr NULL when absent */
    int http_status;   /* absent: 400 when codes[0] == 4, else 500 (as the Go client) */
    bool has_reasons;
    dg_dax_cancellation_reason *reasons;
    size_t reason_count;
} dg_dax_service_error;

/* Exception name for a code sequence (§5 table) or NULL. */
const char *dg_dax_error_name(const uint64_t *codes, size_t count);
/* True when the official client retries this error (§5). */
bool dg_dax_error_retryable(const dg_dax_service_error *e);
/* True for the [_,23,31,...] authentication family (re-authenticate the tube). */
bool dg_dax_error_auth(const dg_dax_service_error *e);

typedef struct dg_dax_index_capacity {
    dg_str name;
    double units;
} dg_dax_index_capacity;

typedef struct dg_dax_consumed_capacity {
    dg_str table;
    double units;
    bool has_read_units, has_write_units;
    double read_units, write_units;
    bool has_table_units;
    double table_units;
    dg_dax_index_capacity *gsi;
    size_t gsi_count;
    bool has_gsi;
    dg_dax_index_capacity *lsi;
    size_t lsi_count;
    bool has_lsi;
} dg_dax_consumed_capacity;

typedef struct dg_dax_item_collection_metrics {
    dg_str table;  /* batch/transact only */
    dg_dax_av key; /* M {hash name: value} */
    double size_low_gb, size_high_gb;
} dg_dax_item_collection_metrics;

typedef struct dg_dax_table_items {
    dg_str table;
    dg_dax_av *items; /* M values (items or keys) */
    bool *is_delete;  /* batchWrite unprocessed: true = DeleteRequest (items[i] is the key) */
    size_t count;
} dg_dax_table_items;

typedef struct dg_dax_endpoint {
    int64_t node_id;
    dg_str hostname;
    uint8_t address[4];
    uint32_t port;
    int role; /* 1 leader, 2 replica */
    dg_str availability_zone;
    int64_t leader_session_id;
} dg_dax_endpoint;

typedef struct dg_dax_result {
    bool is_error;
    dg_dax_service_error error;

    bool has_item;
    dg_dax_av item; /* GetItem Item */
    bool has_attributes;
    dg_dax_av attributes; /* Put/Update/Delete Attributes */
    bool has_items;
    dg_dax_av *items; /* Query/Scan Items */
    size_t item_count;
    bool has_count, has_scanned_count;
    uint64_t count, scanned_count;
    bool has_last_key;
    dg_dax_av last_evaluated_key;

    dg_dax_consumed_capacity *consumed; /* ConsumedCapacity: one for single-table calls */
    size_t consumed_count;
    bool has_consumed;
    dg_dax_item_collection_metrics *icm;
    size_t icm_count;
    bool has_icm;

    dg_dax_table_items *responses; /* BatchGetItem Responses */
    size_t response_count;
    dg_dax_table_items *unprocessed; /* UnprocessedKeys / UnprocessedItems */
    size_t unprocessed_count;
    bool has_batch;

    dg_dax_av *tx_items; /* TransactGetItems: one per request item (type 0 = no item) */
    size_t tx_count;

    /* control methods */
    dg_dax_key_schema key_schema; /* defineKeySchema */
    uint64_t attr_list_id;        /* defineAttributeListId */
    dg_dax_names attr_list;       /* defineAttributeList */
    dg_dax_endpoint *endpoints;   /* endpoints */
    size_t endpoint_count;
} dg_dax_result;

/* What a decoder needs to know about the request the response answers. */
typedef struct dg_dax_decode_ctx {
    const dg_dax_limits *limits; /* NULL: defaults */
    dg_dax_resolver resolver;
    /* single-table calls */
    dg_str table;
    const dg_dax_key_schema *key_schema;
    const dg_dax_av *request_key;        /* get/update/delete key, or the put item: key re-added */
    const dg_dax_projection *projection; /* request had a ProjectionExpression */
    int return_values;                   /* DG_DAX_RV_* */
    int return_consumed_capacity;        /* synthesise {table, 0} when asked and absent */
    bool index_name;                     /* LastEvaluatedKey is a compound key */
    /* batch/transact calls */
    const dg_dax_batch_get_table *batch_get;
    size_t batch_get_count;
    const dg_dax_transact_get *transact_get;
    size_t transact_get_count;
    const dg_dax_transact_write *transact_write; /* keys for cancellation reasons */
    size_t transact_write_count;
} dg_dax_decode_ctx;

/* Decode a complete response to method_id at p (use dg_dax_response_scan
 * first, or accept DG_DAX_NEED_MORE). *used = its length. A service error
 * is a successful decode: returns 0 with out->is_error set. */
int dg_dax_decode_response(int64_t method_id, const uint8_t *p, size_t n,
                           const dg_dax_decode_ctx *ctx, dg_arena *a, size_t *used,
                           dg_dax_result *out, dg_error *err);

/* Map a decoded service error to a dg_error: ConditionalCheckFailed and
 * TransactionCanceled -> DG_ECONFLICT, throttling -> DG_ETHROTTLED,
 * ResourceNotFound -> DG_ENOTFOUND, Validation/other 4xx -> DG_EINVAL,
 * the rest DG_ESERVICE; err->type = the exception name. Returns the code. */
int dg_dax_service_error_to_dg(const dg_dax_service_error *e, dg_error *err);

/* The result as the DynamoDB JSON response body of that method (as the
 * official client returns it: Item, Items, Count, ...), appended to out. */
int dg_dax_result_to_json(int64_t method_id, const dg_dax_result *r, dg_buf *out);

#endif
