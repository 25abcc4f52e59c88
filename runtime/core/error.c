/* dynagen runtime — status codes and error detail. */
#include "dynagen/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Copy src into dst (capacity cap), truncating; always NUL-terminates. */
static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void dg_error_clear(dg_error *err)
{
    if (err == NULL)
        return;
    err->code = DG_OK;
    err->field[0] = '\0';
    err->type[0] = '\0';
    err->message[0] = '\0';
}

int dg_error_set(dg_error *err, int code, const char *field, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    copy_trunc(err->field, sizeof err->field, field != NULL ? field : "");
    err->type[0] = '\0';
    if (fmt == NULL) {
        err->message[0] = '\0';
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (r < 0)
        copy_trunc(err->message, sizeof err->message, dg_strerror(code));
    /* Drop a trailing newline should a caller add one. */
    size_t len = strlen(err->message);
    while (len > 0 && (err->message[len - 1] == '\n' || err->message[len - 1] == '\r'))
        err->message[--len] = '\0';
    return code;
}

/* Append src to dst[*len] within cap (truncating, keeps room for the NUL). */
static void append_trunc(char *dst, size_t cap, size_t *len, const char *src)
{
    size_t n = strlen(src);
    if (n > cap - 1 - *len)
        n = cap - 1 - *len;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
}

void dg_error_push_field(dg_error *err, const char *prefix)
{
    if (err == NULL || prefix == NULL || prefix[0] == '\0')
        return;
    char tmp[DG_ERROR_FIELD_MAX];
    size_t len = 0;
    tmp[0] = '\0';
    append_trunc(tmp, sizeof tmp, &len, prefix);
    if (err->field[0] != '\0') {
        if (err->field[0] != '[')
            append_trunc(tmp, sizeof tmp, &len, ".");
        append_trunc(tmp, sizeof tmp, &len, err->field);
    }
    memcpy(err->field, tmp, len + 1);
}

const char *dg_strerror(int code)
{
    switch (code) {
    case DG_OK:
        return "ok";
    case DG_EINVAL:
        return "invalid";
    case DG_ENOMEM:
        return "out_of_memory";
    case DG_ERANGE:
        return "out_of_range";
    case DG_ENOTFOUND:
        return "not_found";
    case DG_ECONFLICT:
        return "conflict";
    case DG_EIO:
        return "io_error";
    case DG_ETIMEDOUT:
        return "timed_out";
    case DG_ETHROTTLED:
        return "throttled";
    case DG_ESERVICE:
        return "service_error";
    case DG_ETOOBIG:
        return "too_big";
    case DG_EUNSUPPORTED:
        return "unsupported";
    case DG_EINTERNAL:
        return "internal";
    case DG_EUNTRUSTED:
        return "untrusted_peer";
    default:
        return "unknown";
    }
}
