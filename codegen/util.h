/* dynagen generator — small utilities: a pool allocator, a string builder,
 * and compiler-style diagnostics. The generator never links the runtime. */
#ifndef CG_UTIL_H
#define CG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pool: every allocation of one generator run, freed at exit ---- */
void *cg_alloc(size_t n); /* zeroed; exits with a message on OOM (a CLI, not a library) */
char *cg_strdup(const char *s);
char *cg_strndup(const char *s, size_t n);
char *cg_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cg_pool_free_all(void);

/* ---- growable string ---- */
typedef struct cg_sb {
    char *data;
    size_t len, cap;
} cg_sb;
void cg_sb_putn(cg_sb *b, const char *s, size_t n);
void cg_sb_puts(cg_sb *b, const char *s);
void cg_sb_printf(cg_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_sb_vprintf(cg_sb *b, const char *fmt, va_list ap);
void cg_sb_free(cg_sb *b);
char *cg_sb_take(cg_sb *b); /* pool-owned copy; b reset */

/* ---- diagnostics ---- */
typedef struct cg_loc {
    const char *file;
    int line; /* 1-based; 0 = whole file */
    int col;  /* 1-based */
} cg_loc;

void cg_error(cg_loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_note(cg_loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_warning(cg_loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cg_error_count(void);
/* Print all diagnostics collected so far to stderr, in file order then line order. */
void cg_diag_flush(void);
/* Drop collected diagnostics and reset the error count (fuzzing, tests). */
void cg_diag_reset(void);

/* ---- names ---- */
int cg_edit_distance(const char *a, const char *b);
/* Closest candidate within distance 2 (or a case-insensitive match), else NULL. */
const char *cg_suggest(const char *word, const char *const *candidates, size_t n);
bool cg_is_c_identifier(const char *s);
bool cg_is_c_keyword(const char *s);
char *cg_upper(const char *s);
char *cg_lower(const char *s);

#endif
