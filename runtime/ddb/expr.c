/* dynagen runtime — expression placeholders (#n / :v). */
#include "ddb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dg_ddb_expr_init(dg_ddb_expr *e)
{
    memset(e, 0, sizeof *e);
    dg_buf_init(&e->names);
    dg_buf_init(&e->values);
}

void dg_ddb_expr_clean_up(dg_ddb_expr *e)
{
    if (e == NULL)
        return;
    dg_buf_free(&e->names);
    dg_buf_free(&e->values);
    free(e->name_list);
    dg_arena_destroy(e->arena);
    memset(e, 0, sizeof *e);
}

/* Mark the builder failed (first failure wins): dg_ddb_expr_append reports it. */
static const char *fail(dg_ddb_expr *e, int code)
{
    if (e->status == 0)
        e->status = code;
    return NULL;
}

static char *placeholder(dg_ddb_expr *e, char kind, size_t i)
{
    if (e->arena == NULL && (e->arena = dg_arena_new(1024)) == NULL)
        return NULL;
    int n = snprintf(e->scratch, sizeof e->scratch, "%c%c%zu", kind == 'n' ? '#' : ':', kind, i);
    return dg_arena_strndup(e->arena, e->scratch, (size_t)n);
}

const char *dg_ddb_expr_name(dg_ddb_expr *e, const char *attr)
{
    if (e == NULL)
        return NULL;
    if (attr == NULL)
        return fail(e, DG_EINVAL);
    for (size_t i = 0; i < e->nnames; i++)
        if (strcmp(e->name_list[i], attr) == 0) {
            const char *ph = placeholder(e, 'n', i);
            return ph != NULL ? ph : fail(e, DG_ENOMEM);
        }
    if (e->nnames == e->cap_names) {
        size_t cap = e->cap_names ? e->cap_names * 2 : 8;
        char **nl = realloc(e->name_list, cap * sizeof *nl);
        if (nl == NULL)
            return fail(e, DG_ENOMEM);
        e->name_list = nl;
        e->cap_names = cap;
    }
    if (e->arena == NULL && (e->arena = dg_arena_new(1024)) == NULL)
        return fail(e, DG_ENOMEM);
    size_t len = strlen(attr);
    char *copy = dg_arena_strndup(e->arena, attr, len);
    const char *ph = placeholder(e, 'n', e->nnames);
    if (copy == NULL || ph == NULL)
        return fail(e, DG_ENOMEM);
    dg_buf_putc(&e->names, ',');
    dg_buf_json_string(&e->names, ph, strlen(ph));
    dg_buf_putc(&e->names, ':');
    dg_buf_json_string(&e->names, attr, len);
    if (dg_buf_status(&e->names) != 0)
        return fail(e, DG_ENOMEM);
    e->name_list[e->nnames++] = copy;
    return ph;
}

const char *dg_ddb_expr_value(dg_ddb_expr *e, const char *av_json)
{
    if (e == NULL)
        return NULL;
    if (av_json == NULL)
        return fail(e, DG_EINVAL);
    /* An AttributeValue is a JSON object; anything else would corrupt the body. */
    const char *p = av_json;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != '{')
        return fail(e, DG_EINVAL);
    const char *ph = placeholder(e, 'v', e->nvalues);
    if (ph == NULL)
        return fail(e, DG_ENOMEM);
    dg_buf_putc(&e->values, ',');
    dg_buf_json_string(&e->values, ph, strlen(ph));
    dg_buf_putc(&e->values, ':');
    dg_buf_puts(&e->values, av_json);
    if (dg_buf_status(&e->values) != 0)
        return fail(e, DG_ENOMEM);
    e->nvalues++;
    return ph;
}

int dg_ddb_expr_append(const dg_ddb_expr *e, dg_buf *body)
{
    if (e == NULL)
        return 0;
    if (e->status != 0)
        return e->status;
    if (dg_buf_status(&e->names) != 0 || dg_buf_status(&e->values) != 0)
        return DG_ENOMEM;
    if (e->names.len > 0) {
        dg_buf_puts(body, ",\"ExpressionAttributeNames\":{");
        dg_buf_append(body, e->names.data + 1, e->names.len - 1);
        dg_buf_putc(body, '}');
    }
    if (e->values.len > 0) {
        dg_buf_puts(body, ",\"ExpressionAttributeValues\":{");
        dg_buf_append(body, e->values.data + 1, e->values.len - 1);
        dg_buf_putc(body, '}');
    }
    return dg_buf_status(body);
}
