/* dynagen runtime (internal) — the one SIMD test every JSON string scanner
 * shares: which of 16 bytes end a run of plain string text. */
#ifndef DG_CORE_JSON_SCAN_H
#define DG_CORE_JSON_SCAN_H

#if defined(__SSE2__)
#include <emmintrin.h>

/* Bit i set when byte i of v is '"', '\\' or a control character (< 0x20):
 * the bytes a JSON string must escape, or that end one. */
static inline unsigned dg_json_special16(__m128i v)
{
    __m128i sp = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
    return (unsigned)_mm_movemask_epi8(sp);
}
#endif

#endif
