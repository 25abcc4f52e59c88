/* dynagen runtime — base64, UTF-8 and RFC 3339 time helpers. */
#ifndef DYNAGEN_CODEC_UTIL_H
#define DYNAGEN_CODEC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"
#include "dynagen/types.h"

/* ---- base64 (RFC 4648 standard alphabet, '=' padding) ---- */
int dg_base64_encode(dg_buf *b, const uint8_t *p, size_t n);
/* Strict: rejects bad characters, bad padding, non-zero trailing bits. Output in arena. */
int dg_base64_decode(const char *s, size_t n, dg_arena *a, dg_bytes *out, const char *field,
                     dg_error *err);

/* base64url without padding (RFC 4648 §5), for URLs and opaque cursors. */
int dg_base64url_encode(dg_buf *b, const uint8_t *p, size_t n);
int dg_base64url_decode(const char *s, size_t n, dg_arena *a, dg_bytes *out, const char *field,
                        dg_error *err);

/* ---- UTF-8 ---- */
/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * NUL bytes are allowed (valid UTF-8); callers that must reject them check separately. */
bool dg_utf8_valid(const char *s, size_t n);
/* Number of code points; s must be valid UTF-8. */
size_t dg_utf8_length(const char *s, size_t n);

/* ---- time ---- */
/* Parse RFC 3339 ("2026-11-25T11:54:02Z", "...02.123Z", "...02+01:00", lower-case t/z
 * accepted) into milliseconds since the Unix epoch (UTC). More than millisecond
 * precision is accepted only when the extra digits are zero. Years 0001-9999. */
int dg_rfc3339_parse(const char *s, size_t n, int64_t *epoch_ms, const char *field, dg_error *err);
/* Format as UTC "YYYY-MM-DDTHH:MM:SSZ", with ".mmm" only when ms != 0. */
int dg_rfc3339_format(dg_buf *b, int64_t epoch_ms);
/* Wall clock, ms since epoch. */
int64_t dg_now_ms(void);
/* Monotonic clock in nanoseconds (for latency measurements and deadlines). */
uint64_t dg_monotonic_ns(void);

/* ---- identifiers ---- */
/* n bytes from the kernel CSPRNG (getrandom(2)). Not OpenSSL's RAND_bytes:
 * its first call instantiates a DRBG that fetches every cipher of the
 * default provider: ~40 page faults of a cold start (measured). */
int dg_random_bytes(void *buf, size_t n, dg_error *err);
/* Random UUID v4 (dg_random_bytes) as 36 chars into out[37]. */
int dg_uuid_v4(char out[37], dg_error *err);

#endif
