/* dynagen generator — the output set. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

void cg_output_add(cg_output *o, const char *path, cg_sb *content)
{
    if (o->nfiles == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        cg_file *f = cg_alloc(o->cap * sizeof *f);
        if (o->files)
            memcpy(f, o->files, o->nfiles * sizeof *f);
        o->files = f;
    }
    size_t len = content->len;
    o->files[o->nfiles++] = (cg_file){cg_strdup(path), cg_sb_take(content), len};
}
