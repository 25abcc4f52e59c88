/* dynagen runtime — API Gateway HTTP API payload format 2.0: event in,
 * response out. */
#include "dynagen/lambda.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "dynagen/codec_util.h"
#include "lambda_internal.h"

/* ------------------------------------------------------------------ event */

typedef struct parse_ctx {
    dg_arena *a;
    dg_error *err;
} parse_ctx;

static const char *EVENT_KIND = "API Gateway HTTP API (payload 2.0) event";

/* Member `name` of obj, NULL when missing or JSON null. Duplicate keys are refused. */
static int member(parse_ctx *c, const cJSON *obj, const char *where, const char *name,
                  const cJSON **out)
{
    *out = NULL;
    const cJSON *found = NULL;
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        if (it->string != NULL && strcmp(it->string, name) == 0) {
            if (found != NULL)
                return dg_error_set(c->err, DG_EINVAL, NULL, "%s: duplicate key %s%s", EVENT_KIND,
                                    where, name);
            found = it;
        }
    }
    if (found != NULL && !cJSON_IsNull(found))
        *out = found;
    return 0;
}

/* Optional string member copied into the arena ("" when missing). */
static int opt_string(parse_ctx *c, const cJSON *obj, const char *where, const char *name,
                      const char **out)
{
    *out = "";
    if (obj == NULL)
        return 0;
    const cJSON *v;
    int rc = member(c, obj, where, name, &v);
    if (rc != 0)
        return rc;
    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v))
        return dg_error_set(c->err, DG_EINVAL, NULL, "%s: %s%s must be a string", EVENT_KIND, where,
                            name);
    char *s = dg_arena_strndup(c->a, v->valuestring, strlen(v->valuestring));
    if (s == NULL)
        return dg_error_set(c->err, DG_ENOMEM, NULL, "out of memory reading the event");
    *out = s;
    return 0;
}

static int opt_object(parse_ctx *c, const cJSON *obj, const char *where, const char *name,
                      const cJSON **out)
{
    *out = NULL;
    if (obj == NULL)
        return 0;
    int rc = member(c, obj, where, name, out);
    if (rc != 0)
        return rc;
    if (*out != NULL && !cJSON_IsObject(*out))
        return dg_error_set(c->err, DG_EINVAL, NULL, "%s: %s%s must be an object", EVENT_KIND,
                            where, name);
    return 0;
}

static char *lower_dup(dg_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *d = dg_arena_strndup(a, s, n);
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (d[i] >= 'A' && d[i] <= 'Z')
            d[i] = (char)(d[i] - 'A' + 'a');
    return d;
}

/* A JSON object of strings into name/value pairs; names lower-cased when
 * `lower`; repeated names (after lower-casing) joined with ','. */
static int string_map(parse_ctx *c, const cJSON *obj, const char *what, bool lower,
                      dg_http_kv **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (obj == NULL)
        return 0;
    size_t total = 0;
    for (const cJSON *it = obj->child; it != NULL; it = it->next)
        total++;
    if (total == 0)
        return 0;
    dg_kv_builder kb;
    if (dg_kvb_init(&kb, c->a, total) != 0)
        return dg_error_set(c->err, DG_ENOMEM, NULL, "out of memory reading the event");
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        if (!cJSON_IsString(it))
            return dg_error_set(c->err, DG_EINVAL, NULL, "%s: %s.%s must be a string", EVENT_KIND,
                                what, it->string != NULL ? it->string : "?");
        if (it->string == NULL || it->string[0] == '\0')
            continue;
        char *name = lower ? lower_dup(c->a, it->string)
                           : dg_arena_strndup(c->a, it->string, strlen(it->string));
        char *value = dg_arena_strndup(c->a, it->valuestring, strlen(it->valuestring));
        if (name == NULL || value == NULL || dg_kvb_add(&kb, name, value) != 0)
            return dg_error_set(c->err, DG_ENOMEM, NULL, "out of memory reading the event");
    }
    *out = kb.kv;
    *count = kb.n;
    return 0;
}

static bool only_space(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

int dg_apigw_parse_event(const char *json, size_t len, size_t max_bytes, dg_arena *a,
                         dg_http_request *req, dg_error *err)
{
    memset(req, 0, sizeof *req);
    req->method = req->raw_path = req->raw_query = "";
    req->request_id = req->api_request_id = req->route_key = req->stage = "";
    req->source_ip = req->user_agent = req->trace_id = req->function_arn = "";
    req->body = (const uint8_t *)"";
    if (max_bytes == 0)
        max_bytes = DG_LAMBDA_DEFAULT_MAX_EVENT;
    if (json == NULL)
        return dg_error_set(err, DG_EINVAL, NULL, "%s: no event", EVENT_KIND);
    if (len > max_bytes)
        return dg_error_set(err, DG_ETOOBIG, NULL, "%s: %zu bytes, more than the %zu allowed",
                            EVENT_KIND, len, max_bytes);

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (root == NULL) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = (at != NULL && at >= json && at <= json + len) ? (size_t)(at - json) : 0;
        return dg_error_set(err, DG_EINVAL, NULL, "%s: invalid JSON near byte %zu", EVENT_KIND,
                            off);
    }
    parse_ctx c = {a, err};
    int rc = 0;
    const char *nomem = "out of memory reading the event";
    if (end == NULL || !only_space(end, json + len)) {
        rc = dg_error_set(err, DG_EINVAL, NULL, "%s: unexpected data after the JSON value",
                          EVENT_KIND);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        rc = dg_error_set(err, DG_EINVAL, NULL, "%s: expected a JSON object", EVENT_KIND);
        goto out;
    }

    const cJSON *rctx = NULL, *http = NULL, *v = NULL;
    if ((rc = opt_object(&c, root, "", "requestContext", &rctx)) != 0)
        goto out;
    if (rctx == NULL) {
        rc = dg_error_set(err, DG_EINVAL, NULL, "%s: requestContext is missing", EVENT_KIND);
        goto out;
    }
    if ((rc = opt_object(&c, rctx, "requestContext.", "http", &http)) != 0)
        goto out;
    if ((rc = opt_string(&c, http, "requestContext.http.", "method", &req->method)) != 0)
        goto out;
    if (req->method[0] == '\0') {
        rc = dg_error_set(err, DG_EINVAL, NULL, "%s: requestContext.http.method is missing",
                          EVENT_KIND);
        goto out;
    }
    if ((rc = opt_string(&c, root, "", "rawPath", &req->raw_path)) != 0)
        goto out;
    if (req->raw_path[0] != '/') {
        rc = dg_error_set(err, DG_EINVAL, NULL, "%s: rawPath is %s", EVENT_KIND,
                          req->raw_path[0] == '\0' ? "missing" : "not a path starting with '/'");
        goto out;
    }
    if ((rc = opt_string(&c, root, "", "rawQueryString", &req->raw_query)) != 0 ||
        (rc = opt_string(&c, root, "", "routeKey", &req->route_key)) != 0 ||
        (rc = opt_string(&c, rctx, "requestContext.", "requestId", &req->api_request_id)) != 0 ||
        (rc = opt_string(&c, rctx, "requestContext.", "stage", &req->stage)) != 0 ||
        (rc = opt_string(&c, http, "requestContext.http.", "sourceIp", &req->source_ip)) != 0 ||
        (rc = opt_string(&c, http, "requestContext.http.", "userAgent", &req->user_agent)) != 0)
        goto out;

    if ((rc = member(&c, rctx, "requestContext.", "timeEpoch", &v)) != 0)
        goto out;
    if (v != NULL) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > 9.0e15) {
            rc = dg_error_set(err, DG_EINVAL, NULL,
                              "%s: requestContext.timeEpoch must be a number of milliseconds",
                              EVENT_KIND);
            goto out;
        }
        req->time_epoch_ms = (int64_t)v->valuedouble;
    }

    /* headers */
    const cJSON *obj;
    if ((rc = opt_object(&c, root, "", "headers", &obj)) != 0 ||
        (rc = string_map(&c, obj, "headers", true, &req->headers, &req->header_count)) != 0)
        goto out;

    /* query */
    if ((rc = opt_object(&c, root, "", "queryStringParameters", &obj)) != 0)
        goto out;
    if (obj != NULL) {
        if ((rc = string_map(&c, obj, "queryStringParameters", false, &req->query,
                             &req->query_count)) != 0)
            goto out;
    } else if (req->raw_query[0] != '\0') {
        if (dg_http_parse_query(req->raw_query, strlen(req->raw_query), a, &req->query,
                                &req->query_count) != 0) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "%s", nomem);
            goto out;
        }
    }

    /* cookies */
    if ((rc = member(&c, root, "", "cookies", &v)) != 0)
        goto out;
    if (v != NULL) {
        if (!cJSON_IsArray(v)) {
            rc = dg_error_set(err, DG_EINVAL, NULL, "%s: cookies must be an array of strings",
                              EVENT_KIND);
            goto out;
        }
        size_t n = (size_t)cJSON_GetArraySize(v);
        const char **cookies = dg_arena_calloc(a, n ? n : 1, sizeof *cookies);
        if (cookies == NULL) {
            rc = dg_error_set(err, DG_ENOMEM, NULL, "%s", nomem);
            goto out;
        }
        size_t i = 0;
        for (const cJSON *it = v->child; it != NULL; it = it->next) {
            if (!cJSON_IsString(it)) {
                rc = dg_error_set(err, DG_EINVAL, NULL, "%s: cookies must be an array of strings",
                                  EVENT_KIND);
                goto out;
            }
            cookies[i] = dg_arena_strndup(a, it->valuestring, strlen(it->valuestring));
            if (cookies[i] == NULL) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, "%s", nomem);
                goto out;
            }
            i++;
        }
        req->cookies = cookies;
        req->cookie_count = i;
    }

    /* body */
    if ((rc = member(&c, root, "", "isBase64Encoded", &v)) != 0)
        goto out;
    if (v != NULL) {
        if (!cJSON_IsBool(v)) {
            rc = dg_error_set(err, DG_EINVAL, NULL, "%s: isBase64Encoded must be true or false",
                              EVENT_KIND);
            goto out;
        }
        req->body_was_base64 = cJSON_IsTrue(v);
    }
    if ((rc = member(&c, root, "", "body", &v)) != 0)
        goto out;
    if (v != NULL) {
        if (!cJSON_IsString(v)) {
            rc = dg_error_set(err, DG_EINVAL, NULL, "%s: body must be a string", EVENT_KIND);
            goto out;
        }
        size_t bl = strlen(v->valuestring);
        if (req->body_was_base64) {
            dg_bytes bytes;
            if (dg_base64_decode(v->valuestring, bl, a, &bytes, "body", err) != 0) {
                rc = dg_error_set(err, DG_EINVAL, NULL,
                                  "%s: body is marked isBase64Encoded but is not valid base64",
                                  EVENT_KIND);
                goto out;
            }
            uint8_t *b = dg_arena_alloc(a, bytes.len + 1);
            if (b == NULL) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, "%s", nomem);
                goto out;
            }
            if (bytes.len > 0)
                memcpy(b, bytes.ptr, bytes.len);
            b[bytes.len] = 0;
            req->body = b;
            req->body_len = bytes.len;
        } else {
            char *b = dg_arena_strndup(a, v->valuestring, bl);
            if (b == NULL) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, "%s", nomem);
                goto out;
            }
            req->body = (const uint8_t *)b;
            req->body_len = bl;
        }
    }
out:
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------ response */

int dg_apigw_write_response(const dg_http_response *res, dg_buf *out, dg_error *err)
{
    int status = res->status;
    if (status < 100 || status > 599)
        return dg_error_set(err, DG_EINVAL, NULL, "response status %d is not an HTTP status",
                            status);
    dg_buf_puts(out, "{\"statusCode\":");
    dg_buf_int64(out, status);
    dg_buf_puts(out, ",\"headers\":{");
    bool first = true;
    for (size_t i = 0; i < res->header_count; i++) {
        const char *name = res->headers[i].name;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcasecmp(res->headers[j].name, name) == 0;
        if (seen)
            continue;
        if (!first)
            dg_buf_putc(out, ',');
        first = false;
        dg_buf_json_string(out, name, strlen(name));
        dg_buf_putc(out, ':');
        /* every value of this name, joined by ", " */
        dg_buf joined = DG_BUF_INIT;
        for (size_t j = i; j < res->header_count; j++) {
            if (strcasecmp(res->headers[j].name, name) != 0)
                continue;
            if (joined.len > 0)
                dg_buf_puts(&joined, ", ");
            dg_buf_puts(&joined, res->headers[j].value);
        }
        const char *jv = dg_buf_cstr(&joined);
        if (!dg_utf8_valid(jv, joined.len)) {
            dg_buf_free(&joined);
            return dg_error_set(err, DG_EINVAL, name, "response header %s is not valid UTF-8",
                                name);
        }
        dg_buf_json_string(out, jv, joined.len);
        if (dg_buf_status(&joined) != 0)
            out->failed = 1;
        dg_buf_free(&joined);
    }
    dg_buf_putc(out, '}');
    if (res->cookie_count > 0) {
        dg_buf_puts(out, ",\"cookies\":[");
        for (size_t i = 0; i < res->cookie_count; i++) {
            size_t cl = strlen(res->cookies[i]);
            if (!dg_utf8_valid(res->cookies[i], cl))
                return dg_error_set(err, DG_EINVAL, NULL, "a response cookie is not valid UTF-8");
            if (i > 0)
                dg_buf_putc(out, ',');
            dg_buf_json_string(out, res->cookies[i], cl);
        }
        dg_buf_putc(out, ']');
    }
    const char *body = res->body.data != NULL ? res->body.data : "";
    size_t blen = res->body.len;
    bool b64 = res->is_base64 || !dg_utf8_valid(body, blen);
    dg_buf_puts(out, ",\"body\":");
    if (b64) {
        dg_buf_putc(out, '"');
        dg_base64_encode(out, (const uint8_t *)body, blen);
        dg_buf_putc(out, '"');
    } else {
        dg_buf_json_string(out, body, blen);
    }
    dg_buf_puts(out, b64 ? ",\"isBase64Encoded\":true}" : ",\"isBase64Encoded\":false}");
    if (dg_buf_status(out) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory writing the response");
    return 0;
}
