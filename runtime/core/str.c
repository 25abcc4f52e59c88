/* dynagen runtime — string slice helpers. */
#include "dynagen/types.h"

#include <string.h>

bool dg_str_eq(dg_str a, dg_str b)
{
    if (a.len != b.len)
        return false;
    if (a.len == 0)
        return true;
    if (a.ptr == NULL || b.ptr == NULL)
        return false;
    return memcmp(a.ptr, b.ptr, a.len) == 0;
}

bool dg_str_eq_cstr(dg_str a, const char *s)
{
    if (s == NULL)
        return a.len == 0;
    size_t n = strlen(s);
    if (a.len != n)
        return false;
    return n == 0 || (a.ptr != NULL && memcmp(a.ptr, s, n) == 0);
}
