/* dynagen generator — schema evolution: the last generated model and the
 * destructive-change check. */
#ifndef CG_EVOLVE_H
#define CG_EVOLVE_H

#include <stdbool.h>

#include "emit.h"

/* generated/<table>.model.json: the facts a deployed table depends on. */
void cg_emit_model_json(cg_output *o, const char *out_dir, const cg_table *t);

/* Compare the tables with the models last generated into out_dir. Each
 * destructive change is a cg_error (or, with allow, a cg_warning); safe
 * changes are cg_note. Returns the number of destructive changes. */
int cg_check_evolution(const char *out_dir, cg_table **tables, size_t n, bool allow);

#endif
