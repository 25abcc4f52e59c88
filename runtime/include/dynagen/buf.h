/* dynagen runtime — growable byte buffer (heap, caller-owned).
 *
 * Append functions return 0 or DG_ENOMEM. After an allocation failure the
 * buffer is "sticky failed": further appends are no-ops returning DG_ENOMEM,
 * so a writer may append many pieces and check once at the end with
 * dg_buf_status(). data is always NUL-terminated when len > 0 or after
 * dg_buf_cstr(). */
#ifndef DYNAGEN_BUF_H
#define DYNAGEN_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* sticky DG_ENOMEM */
} dg_buf;

#define DG_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void dg_buf_init(dg_buf *b);
void dg_buf_free(dg_buf *b);        /* releases memory, back to DG_BUF_INIT */
void dg_buf_reset(dg_buf *b);       /* len = 0, keeps capacity, clears failed */
int dg_buf_status(const dg_buf *b); /* 0 or DG_ENOMEM */
int dg_buf_reserve(dg_buf *b, size_t extra);
int dg_buf_append(dg_buf *b, const void *p, size_t n);
int dg_buf_puts(dg_buf *b, const char *s);
int dg_buf_putc(dg_buf *b, char c);
int dg_buf_printf(dg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dg_buf_int64(dg_buf *b, int64_t v); /* decimal text */
int dg_buf_uint64(dg_buf *b, uint64_t v);
/* Decimal text of v at dst (no NUL); returns the end. Writes at most
 * DG_INT_CHARS_MAX bytes ("-9223372036854775808" is 20). */
#define DG_INT_CHARS_MAX 20
char *dg_u64_to_chars(char *dst, uint64_t v);
char *dg_i64_to_chars(char *dst, int64_t v);
/* Room for n more bytes (plus the NUL) at b->data + b->len, growing the
 * buffer if needed; NULL when the buffer has failed. Write there, then
 * dg_buf_commit(b, end) to take the bytes in. */
static inline char *dg_buf_room(dg_buf *b, size_t n)
{
    if (!b->failed && b->cap - b->len > n)
        return b->data + b->len;
    if (dg_buf_reserve(b, n) != 0)
        return NULL;
    return b->data + b->len;
}
static inline void dg_buf_commit(dg_buf *b, char *end)
{
    b->len = (size_t)(end - b->data);
    b->data[b->len] = '\0';
}
/* JSON string literal with quotes; escapes ", \, control chars; input must be valid UTF-8
 * (bytes are copied as-is, no \u escaping of non-ASCII). */
int dg_buf_json_string(dg_buf *b, const char *s, size_t n);
/* pre[0..pn), the JSON string literal of s[0..n), post[0..qn), in one
 * reservation (e.g. ",", key, ":" or "{\"S\":", value, "}"). */
int dg_buf_json_string_wrapped(dg_buf *b, const char *pre, size_t pn, const char *s, size_t n,
                               const char *post, size_t qn);
/* The rest of dg_buf_json_string_wrapped from s[i], the first byte that needs
 * an escape: w is the uncommitted write position in room reserved for all of
 * s[i..n), the closing quote and post. For writers that copy the plain start
 * of a string themselves (the DynamoDB JSON marshaller). */
int dg_buf_json_escape_rest(dg_buf *b, char *w, const char *s, size_t i, size_t n, const char *post,
                            size_t qn);
/* Ensures NUL termination and returns data ("" for an empty, never-grown buffer). */
const char *dg_buf_cstr(dg_buf *b);
/* Transfer ownership of data to the caller (must free()); buffer reset to empty. */
char *dg_buf_steal(dg_buf *b, size_t *len);

#endif
