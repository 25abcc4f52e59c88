/* dynagen runtime — one JSON line per request: the request log and a
 * CloudWatch Embedded Metric Format record in one object. */
#include "dynagen/lambda.h"

#include <stdio.h>
#include <string.h>

#include "dynagen/codec_util.h"

/* JSON string of at most max bytes of s (cut on a UTF-8 boundary), invalid UTF-8 replaced. */
static void put_str(dg_buf *b, const char *s, size_t max)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (dg_utf8_valid(s, n)) {
        dg_buf_json_string(b, s, n);
        return;
    }
    dg_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            dg_buf_printf(b, "\\u%04x", c >= 0x7f ? 0xfffd : c);
        else
            dg_buf_putc(b, (char)c);
    }
    dg_buf_putc(b, '"');
}

int dg_lambda_log_line(dg_buf *out, const dg_http_request *req, const dg_http_response *res,
                       const char *route_name, double latency_ms, int64_t timestamp_ms)
{
    const dg_http_metrics *m = req->metrics;
    unsigned hits = m ? m->cache_hits : 0, misses = m ? m->cache_misses : 0;
    unsigned retries = m ? m->retries : 0;
    int status = res->status;
    const char *cache = misses > 0 ? "miss" : hits > 0 ? "hit" : "none";
    if (latency_ms < 0)
        latency_ms = 0;
    if (route_name == NULL)
        route_name = "unmatched";

    dg_buf_puts(out, "{\"_aws\":{\"Timestamp\":");
    dg_buf_int64(out, timestamp_ms);
    dg_buf_puts(out,
                ",\"CloudWatchMetrics\":[{\"Namespace\":\"dynagen\",\"Dimensions\":[[\"Route\"]],"
                "\"Metrics\":[{\"Name\":\"Latency\",\"Unit\":\"Milliseconds\"},"
                "{\"Name\":\"Errors\",\"Unit\":\"Count\"},"
                "{\"Name\":\"CacheHits\",\"Unit\":\"Count\"},"
                "{\"Name\":\"CacheMisses\",\"Unit\":\"Count\"},"
                "{\"Name\":\"Retries\",\"Unit\":\"Count\"}]}]},");
    dg_buf_puts(out, "\"Route\":");
    put_str(out, route_name, 200);
    dg_buf_printf(out,
                  ",\"Latency\":%.3f,\"Errors\":%d,\"CacheHits\":%u,\"CacheMisses\":%u,"
                  "\"Retries\":%u",
                  latency_ms, status >= 500 ? 1 : 0, hits, misses, retries);
    dg_buf_puts(out, ",\"requestId\":");
    put_str(out, req->request_id, 100);
    if (req->trace_id != NULL && req->trace_id[0] != '\0') {
        dg_buf_puts(out, ",\"traceId\":");
        put_str(out, req->trace_id, 200);
    }
    dg_buf_puts(out, ",\"route\":");
    put_str(out, route_name, 200);
    dg_buf_puts(out, ",\"method\":");
    put_str(out, req->method, 20);
    dg_buf_puts(out, ",\"path\":");
    put_str(out, req->raw_path, 256);
    dg_buf_printf(out, ",\"status\":%d,\"latency_ms\":%.3f,\"cache\":\"%s\",\"retries\":%u", status,
                  latency_ms, cache, retries);
    if (m != NULL && m->detail[0] != '\0') {
        dg_buf_puts(out, ",\"error\":");
        put_str(out, m->detail, sizeof m->detail);
    }
    dg_buf_putc(out, '}');
    return dg_buf_status(out);
}
