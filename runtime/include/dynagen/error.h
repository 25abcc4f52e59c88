/* dynagen runtime — status codes and error detail.
 *
 * Convention (everywhere in libdynagen and in generated code): a function
 * returns int, 0 on success or a negative DG_E* code, and fills the
 * caller-owned dg_error with a message a person can act on. */
#ifndef DYNAGEN_ERROR_H
#define DYNAGEN_ERROR_H

#include <stddef.h>

enum {
    DG_OK = 0,
    DG_EINVAL = -1,        /* bad input: malformed, wrong type, constraint violated */
    DG_ENOMEM = -2,        /* allocation failed or arena limit reached */
    DG_ERANGE = -3,        /* number out of range / overflow */
    DG_ENOTFOUND = -4,     /* item or route not found */
    DG_ECONFLICT = -5,     /* condition failed: lost an optimistic-concurrency race */
    DG_EIO = -6,           /* network / system I/O failure */
    DG_ETIMEDOUT = -7,     /* deadline exceeded */
    DG_ETHROTTLED = -8,    /* throttled past the retry budget */
    DG_ESERVICE = -9,      /* error reported by a remote service (see type) */
    DG_ETOOBIG = -10,      /* input larger than the configured bound */
    DG_EUNSUPPORTED = -11, /* feature not supported */
    DG_EINTERNAL = -12,    /* bug: should not happen */
    DG_EUNTRUSTED = -13    /* the peer failed TLS verification (certificate, name, trust
                              store): a configuration fault, never retried */
};

#define DG_ERROR_FIELD_MAX 128
#define DG_ERROR_TYPE_MAX 64
#define DG_ERROR_MESSAGE_MAX 512

typedef struct dg_error {
    int code;                       /* DG_E* */
    char field[DG_ERROR_FIELD_MAX]; /* API field path ("price", "specs.color", "tags[2]") or "" */
    char type[DG_ERROR_TYPE_MAX];   /* remote error type (e.g. "ConditionalCheckFailedException") or
                                       "" */
    char message[DG_ERROR_MESSAGE_MAX]; /* human-readable, no trailing newline */
} dg_error;

/* Reset to DG_OK with empty strings. err may be NULL. */
void dg_error_clear(dg_error *err);

/* Fill err (may be NULL) and return code. field may be NULL. printf-style message. */
int dg_error_set(dg_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefix err->field with "prefix." (or "prefix" + "[i]" style when field starts with '[').
 * Used while unwinding nested decoders. */
void dg_error_push_field(dg_error *err, const char *prefix);

/* Short stable name of a code: "DG_EINVAL" -> "invalid". */
const char *dg_strerror(int code);

#endif
