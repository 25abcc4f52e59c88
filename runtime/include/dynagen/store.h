/* dynagen runtime — typed table access for a generated model: the accessors
 * behind generated/<table>.h's products_create(), products_get(), ...
 *
 * Versioned tables (schema `versioning:`) follow the version-0 pattern of
 * ../shared/design/architecture.md, without transactions:
 *   - item (id, 0) is the current copy and the commit point; it carries the
 *     newest version number in the reserved attribute `_dg_latest`;
 *   - items (id, 1..n) are the immutable history, written after the commit
 *     with attribute_not_exists;
 *   - create: conditional put of (id, 0) (attribute_not_exists), then (id, 1);
 *   - update: read (id, 0) strongly consistent; a caller version other than
 *     its latest is a conflict; back-fill the history item (id, latest) if a
 *     crash left it missing; conditional put of (id, 0) on
 *     `_dg_latest = latest` (a lost race is a conflict carrying the current
 *     version); then the history item (id, latest + 1);
 *   - a version listing that finds `_dg_latest` beyond the newest history
 *     item shows (id, 0)'s copy as that version: no gap, no duplicate;
 *   - delete removes the current item only; the history stays readable
 *     through list_versions / get_version (an audit trail), and a deleted
 *     product's id is never reused (ids are UUIDs).
 * History items keep out of the table's indexes (sparse indexes): their
 * index-key attributes are stored inside the reserved map `_dg_keys` and put
 * back when read, so a listing by category sees current items only.
 *
 * Tables without versioning: create = put on attribute_not_exists, update =
 * put on attribute_exists, delete = delete on attribute_exists.
 *
 * Reads filter expired items (TTL attribute in the past): DynamoDB deletes
 * them lazily, dynagen never returns them.
 *
 * Paging cursors are opaque: base64url of the LastEvaluatedKey plus an
 * HMAC-SHA256 over it and the query it belongs to (table, index, partition
 * value), keyed by DYNAGEN_CURSOR_SECRET (set it in production; without it a
 * per-table default key is used and a warning logged once). A tampered,
 * foreign or malformed cursor is DG_EINVAL. */
#ifndef DYNAGEN_STORE_H
#define DYNAGEN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/ddb.h"
#include "dynagen/error.h"
#include "dynagen/model.h"

#define DG_STORE_LATEST_ATTR "_dg_latest"
#define DG_STORE_KEYS_ATTR "_dg_keys"

/* Fault points for tests: the hook runs before each step; a non-zero
 * return aborts the operation there with DG_EIO, as a crash would. */
typedef int (*dg_store_fault_fn)(void *ctx, const char *point);
/* points: "create:after_commit", "update:after_commit" (between the write of
 * (id, 0) and the history item) */

struct dg_dax_client;

typedef struct dg_store {
    const dg_table_desc *t;
    char *table_name; /* physical name (heap) */
    dg_ddb_client *ddb;
    /* DAX (dg_store_set_dax): NULL = every call goes to DynamoDB. */
    struct dg_dax_client *dax;
    bool owns_dax; /* dg_store_clean_up destroys dax */
    uint8_t cursor_key[32];
    int64_t (*now_ms)(void); /* clock; dg_now_ms by default */
    dg_store_fault_fn fault;
    void *fault_ctx;
} dg_store;

/* table_name NULL: TABLE_NAME_<ENTITY> (e.g. TABLE_NAME_PRODUCT), else TABLE_NAME,
 * else the schema's name.
 * ddb is borrowed. */
int dg_store_init(dg_store *s, const dg_table_desc *t, const char *table_name, dg_ddb_client *ddb,
                  dg_error *err);
void dg_store_clean_up(dg_store *s);

/* Route through DAX (dynagen/dax.h; owned: destroyed by dg_store_clean_up).
 * With a DAX client: eventually consistent reads (GetItem of the current
 * item or of a version, the version listing, index queries) and every
 * write go through DAX (write-through: the item cache stays coherent);
 * strongly consistent reads (consistent = true, the read of the current
 * item before an update, the back-fill check) go to DynamoDB. When no DAX
 * node can be used, a read falls back to DynamoDB (counted in the DAX
 * client's stats, read_fallbacks, and logged) and a write fails with DG_EIO
 * ("DAX unreachable; nothing written", err->type "DaxUnreachable"): never
 * dropped, never sent twice to two paths. A write that fails its condition
 * gets the current item from a strongly consistent GetItem through DAX (DAX
 * has no ReturnValuesOnConditionCheckFailure), which the conflict handling
 * below uses as it uses DynamoDB's returned item. */
void dg_store_set_dax(dg_store *s, struct dg_dax_client *dax, bool owned);

/* What a write reports besides its status. */
typedef struct dg_store_write {
    int64_t version;         /* the version written (versioned tables) */
    int64_t current_version; /* on DG_ECONFLICT: the latest committed version (or -1 if gone) */
    int attempts;            /* HTTP attempts of the commit write */
} dg_store_write;

/* obj: an item of t->item, validated here; generated fields (uuid, version,
 * created, updated) are set in obj. */
int dg_store_create(dg_store *s, void *obj, dg_arena *a, dg_store_write *w, dg_error *err);
/* Current item by key (key fields of key_obj; the sort key is ignored for
 * versioned tables). DG_ENOTFOUND when absent or expired. */
int dg_store_get(dg_store *s, const void *key_obj, bool consistent, void *out, dg_arena *a,
                 dg_error *err);
/* One version (versioned tables). */
int dg_store_get_version(dg_store *s, const void *key_obj, int64_t version, void *out, dg_arena *a,
                         dg_error *err);
/* obj carries the key and, for versioned tables, in its version field the
 * version the caller read (optimistic concurrency). */
int dg_store_update(dg_store *s, void *obj, dg_arena *a, dg_store_write *w, dg_error *err);
/* expected_version < 0: unconditional (only that it exists). */
int dg_store_delete(dg_store *s, const void *key_obj, int64_t expected_version, dg_store_write *w,
                    dg_error *err);

typedef struct dg_store_page {
    void *items; /* count structs of t->item->size, in the arena */
    size_t count;
    char *next_cursor; /* NULL on the last page; in the arena */
} dg_store_page;

/* Newest first. cursor NULL for the first page. limit 1..1000. */
int dg_store_list_versions(dg_store *s, const void *key_obj, const char *cursor, int limit,
                           dg_store_page *page, dg_arena *a, dg_error *err);
/* Items whose index partition key equals key_obj's (index key fields set),
 * in index sort order; forward = ascending. Current items only. */
int dg_store_query_index(dg_store *s, const dg_index_desc *ix, const void *key_obj,
                         const char *cursor, int limit, bool forward, dg_store_page *page,
                         dg_arena *a, dg_error *err);

#endif
