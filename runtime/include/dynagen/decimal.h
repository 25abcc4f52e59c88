/* dynagen runtime — exact decimals and DynamoDB numbers (no floating point). */
#ifndef DYNAGEN_DECIMAL_H
#define DYNAGEN_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#include "dynagen/arena.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"
#include "dynagen/types.h"

/* Largest supported scale for decimal fields. */
#define DG_DECIMAL_MAX_SCALE 18

/* Parse a decimal literal (JSON-number syntax: optional '-', digits, optional
 * '.digits', optional exponent e/E[+-]digits) into an unscaled int64 at the
 * given scale: "19.99" at scale 2 -> 1999, "1e2" at scale 2 -> 10000.
 * Errors (field names the API field for dg_error.field):
 *   DG_EINVAL  not a number, or more significant fraction digits than scale
 *              ("19.999" at scale 2; "19.990" is accepted)
 *   DG_ERANGE  does not fit in int64 at that scale. */
int dg_decimal_parse(const char *s, size_t n, int scale, int64_t *unscaled, const char *field,
                     dg_error *err);

/* Append the canonical text: exactly `scale` fraction digits ("19.99", "-0.05", "20.00", "7" at
 * scale 0). */
int dg_decimal_format(dg_buf *b, int64_t unscaled, int scale);

/* The same text written at dst (no NUL); returns its length, 0 when the scale
 * is outside 0..DG_DECIMAL_MAX_SCALE. dst must hold DG_DECIMAL_CHARS_MAX bytes. */
#define DG_DECIMAL_CHARS_MAX 48
size_t dg_decimal_to_chars(char *dst, int64_t unscaled, int scale);

/* Parse an integer literal (optional '-', digits; also accepts an exponent/fraction
 * form only if it denotes an integer exactly, e.g. "1e3", "5.0"). DG_ERANGE when out
 * of [min, max]. */
int dg_int_parse(const char *s, size_t n, int64_t min, int64_t max, int64_t *out, const char *field,
                 dg_error *err);

/* Validate a DynamoDB number (JSON-number syntax, at most 38 significant digits,
 * magnitude 0 or within 1E-130 .. 9.99...E+125) and return its canonical text,
 * allocated in the arena: no '+', no leading zeros, no trailing fraction zeros,
 * exponent folded into plain digits when it fits in 40 characters, otherwise
 * "d.ddddE+n". "-0" -> "0". */
int dg_number_canonical(const char *s, size_t n, dg_arena *a, dg_str *out, const char *field,
                        dg_error *err);

#endif
