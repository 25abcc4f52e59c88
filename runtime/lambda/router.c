/* dynagen runtime — the router: route table with {param} segments, 404/405,
 * body limits and content type, handler errors mapped to JSON. */
#include "dynagen/lambda.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dynagen/codec_util.h"

#define MAX_SEGMENTS 32

typedef struct seg {
    const char *p;
    size_t n;
} seg;

/* Split "/a/b/c" into segments; "" after a trailing '/' counts. -1 past MAX_SEGMENTS. */
static int split_path(const char *path, seg *out)
{
    if (path[0] != '/')
        return -1;
    int k = 0;
    const char *p = path + 1;
    for (;;) {
        if (k == MAX_SEGMENTS)
            return -1;
        const char *slash = strchr(p, '/');
        size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);
        out[k].p = p;
        out[k].n = n;
        k++;
        if (slash == NULL)
            break;
        p = slash + 1;
    }
    return k;
}

static bool is_param(const seg *s)
{
    return s->n >= 3 && s->p[0] == '{' && s->p[s->n - 1] == '}';
}

/* Specificity of a matched pattern: bit (MAX_SEGMENTS-1-i) set when segment
 * i is a literal, so literal-first patterns compare greater. */
static unsigned long long match(const seg *pat, int pk, const seg *path, int k, bool *ok)
{
    *ok = false;
    if (pk != k)
        return 0;
    unsigned long long score = 0;
    for (int i = 0; i < k; i++) {
        if (is_param(&pat[i])) {
            if (path[i].n == 0)
                return 0;
        } else {
            if (pat[i].n != path[i].n || memcmp(pat[i].p, path[i].p, path[i].n) != 0)
                return 0;
            score |= 1ull << (MAX_SEGMENTS - 1 - i);
        }
    }
    *ok = true;
    return score;
}

const char *dg_route_display_name(const dg_route *route, dg_arena *a)
{
    if (route == NULL)
        return "unmatched";
    if (route->name != NULL && route->name[0] != '\0')
        return route->name;
    size_t ml = strlen(route->method), pl = strlen(route->pattern);
    char *s = dg_arena_alloc(a, ml + 1 + pl + 1);
    if (s == NULL)
        return "route";
    memcpy(s, route->method, ml);
    s[ml] = ' ';
    memcpy(s + ml + 1, route->pattern, pl + 1);
    return s;
}

/* application/json with optional parameters; a charset other than utf-8 is refused. */
static bool json_content_type(const char *ct)
{
    if (ct == NULL)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    static const char mt[] = "application/json";
    if (strncasecmp(ct, mt, sizeof mt - 1) != 0)
        return false;
    const char *p = ct + sizeof mt - 1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return true;
    if (*p != ';')
        return false;
    /* parameters: look for charset */
    while (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nl = (size_t)(p - name);
        while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
            nl--;
        const char *val = "";
        size_t vl = 0;
        if (*p == '=') {
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            val = p;
            while (*p && *p != ';')
                p++;
            vl = (size_t)(p - val);
            while (vl > 0 && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
                vl--;
            if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
                val++;
                vl -= 2;
            }
        }
        if (nl == 7 && strncasecmp(name, "charset", 7) == 0) {
            if (!((vl == 5 && strncasecmp(val, "utf-8", 5) == 0) ||
                  (vl == 4 && strncasecmp(val, "utf8", 4) == 0)))
                return false;
        }
    }
    return *p == '\0';
}

static int fill_params(const dg_route *route, const seg *pat, const seg *path, int k,
                       dg_http_request *req, dg_http_response *res, dg_arena *a)
{
    int np = 0;
    for (int i = 0; i < k; i++)
        np += is_param(&pat[i]);
    req->path_params = NULL;
    req->path_param_count = 0;
    if (np == 0)
        return 0;
    dg_http_kv *kv = dg_arena_calloc(a, (size_t)np, sizeof *kv);
    if (kv == NULL)
        return DG_ENOMEM;
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        if (!is_param(&pat[i]))
            continue;
        char *name = dg_arena_strndup(a, pat[i].p + 1, pat[i].n - 2);
        char *value;
        size_t vl;
        if (name == NULL)
            return DG_ENOMEM;
        int rc = dg_http_percent_decode(path[i].p, path[i].n, a, &value, &vl);
        if (rc == DG_ENOMEM)
            return rc;
        const char *why = NULL;
        if (rc != 0)
            why = "is not correctly percent-encoded";
        else if (memchr(value, '\0', vl) != NULL)
            why = "contains a NUL character";
        else if (!dg_utf8_valid(value, vl))
            why = "is not valid UTF-8";
        if (why != NULL) {
            char msg[160];
            snprintf(msg, sizeof msg, "path parameter %s %s", name, why);
            (void)route;
            return dg_http_error(res, 400, "bad_request", msg, name) != 0 ? DG_ENOMEM : 1;
        }
        kv[n].name = name;
        kv[n].value = value;
        n++;
    }
    req->path_params = kv;
    req->path_param_count = n;
    return 0;
}

int dg_router_dispatch(const dg_router *r, void *app, dg_http_request *req, dg_http_response *res,
                       dg_arena *a)
{
    dg_http_metrics local_metrics;
    if (req->metrics == NULL) {
        memset(&local_metrics, 0, sizeof local_metrics);
        req->metrics = &local_metrics;
    }
    req->route = NULL;
    dg_http_response_clear(res);
    int rc = 0;

    seg path[MAX_SEGMENTS], pat[MAX_SEGMENTS];
    int k = req->raw_path != NULL ? split_path(req->raw_path, path) : -1;
    const dg_route *best = NULL;
    unsigned long long best_score = 0;
    bool path_matched = false;
    for (size_t i = 0; k >= 0 && i < r->route_count; i++) {
        const dg_route *rt = &r->routes[i];
        if (rt->pattern == NULL || rt->method == NULL)
            continue;
        int pk = split_path(rt->pattern, pat);
        if (pk < 0)
            continue;
        bool ok;
        unsigned long long score = match(pat, pk, path, k, &ok);
        if (!ok)
            continue;
        path_matched = true;
        if (strcmp(rt->method, req->method) != 0)
            continue;
        if (best == NULL || score > best_score) {
            best = rt;
            best_score = score;
        }
    }

    if (best == NULL && !path_matched) {
        char msg[96];
        snprintf(msg, sizeof msg, "no route for %.40s %s", req->method,
                 strlen(req->raw_path) > 40 ? "this path" : req->raw_path);
        rc = dg_http_error(res, 404, "not_found", msg, NULL);
        goto done;
    }
    if (best == NULL) {
        /* 405: list the methods of every route whose pattern matches the path */
        dg_buf allow = DG_BUF_INIT;
        for (size_t i = 0; i < r->route_count; i++) {
            const dg_route *rt = &r->routes[i];
            if (rt->pattern == NULL || rt->method == NULL)
                continue;
            int pk = split_path(rt->pattern, pat);
            bool ok;
            if (pk < 0 || (match(pat, pk, path, k, &ok), !ok))
                continue;
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++) {
                const dg_route *o = &r->routes[j];
                if (o->method == NULL || o->pattern == NULL || strcmp(o->method, rt->method) != 0)
                    continue;
                int ok2k = split_path(o->pattern, pat);
                bool ok2;
                if (ok2k >= 0 && (match(pat, ok2k, path, k, &ok2), ok2))
                    dup = true;
            }
            if (dup)
                continue;
            if (allow.len > 0)
                dg_buf_puts(&allow, ", ");
            dg_buf_puts(&allow, rt->method);
        }
        char msg[96];
        snprintf(msg, sizeof msg, "method %.40s is not allowed here", req->method);
        rc = dg_http_error(res, 405, "method_not_allowed", msg, NULL);
        if (rc == 0)
            rc = dg_buf_status(&allow) != 0 ? DG_ENOMEM
                                            : dg_http_set_header(res, "allow", dg_buf_cstr(&allow));
        dg_buf_free(&allow);
        goto done;
    }

    req->route = best;
    int pk = split_path(best->pattern, pat);
    rc = fill_params(best, pat, path, pk, req, res, a);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto done;
    }

    size_t max_body = r->max_body_bytes ? r->max_body_bytes : DG_HTTP_DEFAULT_MAX_BODY;
    if (req->body_len > max_body) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", max_body);
        rc = dg_http_error(res, 413, "payload_too_large", msg, NULL);
        goto done;
    }
    if (req->body_len > 0 && !(best->flags & DG_ROUTE_RAW_BODY) &&
        !json_content_type(dg_http_header(req, "content-type"))) {
        rc = dg_http_error(res, 415, "unsupported_media_type",
                           "the request body must be JSON (content-type: application/json)", NULL);
        goto done;
    }

    if (r->on_request != NULL)
        r->on_request(app, req);
    int hrc = best->handler(app, req, res, a);
    req->metrics->handler_rc = hrc;
    if (hrc < 0 && res->status == 0) {
        dg_error e;
        dg_error_set(&e, hrc, NULL, "%s", "");
        if (req->metrics->detail[0] == '\0')
            snprintf(req->metrics->detail, sizeof req->metrics->detail, "handler returned %s",
                     dg_strerror(hrc));
        dg_http_error_from(res, &e);
    } else if (res->status == 0) {
        snprintf(req->metrics->detail, sizeof req->metrics->detail,
                 "handler returned %d without a response", hrc);
        rc = dg_http_error(res, 500, "internal", "internal error", NULL);
    }
done:
    if (req->metrics == &local_metrics)
        req->metrics = NULL;
    return rc == 0 ? 0 : DG_ENOMEM;
}
