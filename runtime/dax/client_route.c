/* dynagen runtime — DAX client, the pure parts: endpoint URLs, node health
 * and selection, re-authorisation and refresh cadence. No I/O, no clock:
 * the caller passes the time (tests use a fake clock). */
#include <stdio.h>
#include <string.h>

#include "dynagen/dax.h"

static int bad(dg_error *err, const char *what, size_t n, const char *s)
{
    return dg_error_set(err, DG_EINVAL, "DAX_ENDPOINT", "DAX endpoint \"%.*s\": %s",
                        (int)(n > 200 ? 200 : n), s, what);
}

int dg_dax_url_parse(const char *s, size_t n, dg_dax_url *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    const char *p = s, *end = s + n;
    if (n == 0)
        return bad(err, "empty", n, s);
    const char *sep = NULL;
    for (const char *q = p; q + 2 < end; q++)
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    out->tls = false;
    if (sep) {
        size_t sl = (size_t)(sep - p);
        if (sl == 3 && !strncmp(p, "dax", 3))
            out->tls = false;
        else if (sl == 4 && !strncmp(p, "daxs", 4))
            out->tls = true;
        else
            return bad(err, "scheme must be dax:// or daxs://", n, s);
        p = sep + 3;
    }
    if (end > p && end[-1] == '/')
        end--;
    for (const char *q = p; q < end; q++) {
        if (*q == '/' || *q == '?' || *q == '#')
            return bad(err, "a path or query is not allowed", n, s);
        if (*q == '@')
            return bad(err, "user info is not allowed", n, s);
        if (*q == ' ' || *q == '\t' || (unsigned char)*q < 0x20)
            return bad(err, "contains white space or control characters", n, s);
    }
    const char *host = p, *host_end = end, *port = NULL;
    if (p < end && *p == '[') { /* IPv6 literal */
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb)
            return bad(err, "unterminated '['", n, s);
        host = p + 1;
        host_end = rb;
        if (rb + 1 < end) {
            if (rb[1] != ':')
                return bad(err, "garbage after ']'", n, s);
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    if (host_end <= host)
        return bad(err, "no host", n, s);
    if ((size_t)(host_end - host) >= DG_DAX_HOST_MAX)
        return bad(err, "host name too long", n, s);
    memcpy(out->host, host, (size_t)(host_end - host));
    out->host[host_end - host] = '\0';
    if (port) {
        if (port >= end)
            return bad(err, "empty port", n, s);
        unsigned long v = 0;
        for (const char *q = port; q < end; q++) {
            if (*q < '0' || *q > '9')
                return bad(err, "port must be a number", n, s);
            v = v * 10 + (unsigned long)(*q - '0');
            if (v > 65535)
                return bad(err, "port out of range", n, s);
        }
        if (v == 0)
            return bad(err, "port 0", n, s);
        out->port = (uint16_t)v;
    } else {
        out->port = out->tls ? DG_DAX_TLS_PORT : DG_DAX_PORT;
    }
    return 0;
}

int dg_dax_url_parse_list(const char *s, dg_dax_url *out, size_t max, size_t *count, dg_error *err)
{
    *count = 0;
    if (!s)
        return dg_error_set(err, DG_EINVAL, "DAX_ENDPOINT", "DAX endpoint: not set");
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *e = strchr(p, ',');
        const char *stop = e ? e : p + strlen(p);
        const char *t = stop;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (*count >= max)
            return dg_error_set(err, DG_EINVAL, "DAX_ENDPOINT", "DAX endpoint: more than %zu seeds",
                                max);
        int rc = dg_dax_url_parse(p, (size_t)(t - p), &out[*count], err);
        if (rc)
            return rc;
        if (*count > 0 && out[*count].tls != out[0].tls)
            return dg_error_set(err, DG_EINVAL, "DAX_ENDPOINT",
                                "DAX endpoint: seeds mix dax:// and daxs://");
        (*count)++;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- health */

bool dg_dax_node_usable(const dg_dax_node_health *h, int64_t now_ms)
{
    return !h->down || now_ms >= h->retry_at_ms;
}

void dg_dax_node_failed(dg_dax_node_health *h, int64_t now_ms, long base_ms, long max_ms)
{
    if (h->failures < 32)
        h->failures++;
    long d = base_ms;
    for (unsigned i = 1; i < h->failures && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    h->down = true;
    h->retry_at_ms = now_ms + d;
}

void dg_dax_node_ok(dg_dax_node_health *h)
{
    h->down = false;
    h->failures = 0;
    h->retry_at_ms = 0;
}

int dg_dax_pick_node(const dg_dax_node_health *nodes, size_t n, bool write, int avoid,
                     int64_t now_ms, uint32_t rnd)
{
    /* pass 0: preferred set (write: leaders, not avoided); 1: any usable not avoided;
     * 2: any usable (the avoided one is the only one left) */
    for (int pass = write ? 0 : 1; pass < 3; pass++) {
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            if (!dg_dax_node_usable(&nodes[i], now_ms))
                continue;
            if (pass < 2 && (int)i == avoid)
                continue;
            if (pass == 0 && !nodes[i].leader)
                continue;
            cnt++;
        }
        if (!cnt)
            continue;
        size_t k = rnd % cnt;
        for (size_t i = 0; i < n; i++) {
            if (!dg_dax_node_usable(&nodes[i], now_ms))
                continue;
            if (pass < 2 && (int)i == avoid)
                continue;
            if (pass == 0 && !nodes[i].leader)
                continue;
            if (k-- == 0)
                return (int)i;
        }
    }
    return -1;
}

bool dg_dax_auth_due(bool authed, int64_t authed_at_ms, uint64_t authed_gen, bool stale,
                     int64_t now_ms, long interval_ms, uint64_t cred_gen)
{
    return !authed || stale || authed_gen != cred_gen || now_ms - authed_at_ms >= interval_ms ||
           now_ms < authed_at_ms; /* clock stepped back: sign again */
}

bool dg_dax_refresh_due(int64_t last_refresh_ms, int64_t now_ms, long interval_ms)
{
    return last_refresh_ms == 0 || now_ms - last_refresh_ms >= interval_ms ||
           now_ms < last_refresh_ms;
}
