/* dynagen runtime — the Lambda Runtime API loop (one reused libcurl handle)
 * and the HTTP adapter that runs a router behind it. */
#include "dynagen/lambda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "dynagen/codec_util.h"

#define RUNTIME_PREFIX "/2018-06-01/runtime"
#define ID_MAX 128
#define HDR_MAX 1024

typedef struct rt_client {
    CURL *curl;
    char base[256]; /* "http://host:port/2018-06-01/runtime" */
    char errbuf[CURL_ERROR_SIZE];
    dg_buf body;
    size_t max_body;
    bool too_big;
    /* headers of the last /next */
    char request_id[ID_MAX];
    char trace_id[HDR_MAX];
    char arn[HDR_MAX];
    char deadline[32];
} rt_client;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    rt_client *c = ud;
    size_t n = size * nmemb;
    if (c->body.len + n > c->max_body) {
        c->too_big = true;
        return 0;
    }
    return dg_buf_append(&c->body, ptr, n) == 0 ? n : 0;
}

/* Copy the value of "Name: value\r\n" into dst when the name matches. */
static void take_header(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vl = (size_t)(end - v);
    if (vl >= cap)
        vl = cap - 1;
    memcpy(dst, v, vl);
    dst[vl] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    rt_client *c = ud;
    size_t n = size * nmemb;
    take_header(ptr, n, "Lambda-Runtime-Aws-Request-Id", c->request_id, sizeof c->request_id);
    take_header(ptr, n, "Lambda-Runtime-Trace-Id", c->trace_id, sizeof c->trace_id);
    take_header(ptr, n, "Lambda-Runtime-Invoked-Function-Arn", c->arn, sizeof c->arn);
    take_header(ptr, n, "Lambda-Runtime-Deadline-Ms", c->deadline, sizeof c->deadline);
    return n;
}

static int client_open(rt_client *c, const char *api, long connect_timeout_ms, size_t max_body,
                       dg_error *err)
{
    memset(c, 0, sizeof *c);
    dg_buf_init(&c->body);
    c->max_body = max_body;
    if (api == NULL || api[0] == '\0')
        return dg_error_set(err, DG_EINVAL, NULL,
                            "AWS_LAMBDA_RUNTIME_API is not set: run this binary on AWS Lambda "
                            "or under local/lambda-local");
    for (const char *p = api; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == ':' || *p == '-' || *p == '[' || *p == ']'))
            return dg_error_set(err, DG_EINVAL, NULL,
                                "AWS_LAMBDA_RUNTIME_API=%.100s is not a host:port", api);
    int w = snprintf(c->base, sizeof c->base, "http://%s" RUNTIME_PREFIX, api);
    if (w < 0 || (size_t)w >= sizeof c->base)
        return dg_error_set(err, DG_EINVAL, NULL, "AWS_LAMBDA_RUNTIME_API is too long");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dg_error_set(err, DG_EINTERNAL, NULL, "libcurl could not be initialised");
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        curl_global_cleanup();
        return dg_error_set(err, DG_ENOMEM, NULL, "libcurl could not create a handle");
    }
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never a proxy, whatever *_proxy says */
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L); /* the /next long poll has no end */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    return 0;
}

static void client_close(rt_client *c)
{
    if (c->curl != NULL) {
        curl_easy_cleanup(c->curl);
        curl_global_cleanup();
    }
    c->curl = NULL;
    dg_buf_free(&c->body);
}

static int perform(rt_client *c, const char *url, long *status, dg_error *err)
{
    dg_buf_reset(&c->body);
    c->too_big = false;
    c->errbuf[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    CURLcode cc = curl_easy_perform(c->curl);
    if (c->too_big)
        return dg_error_set(err, DG_ETOOBIG, NULL, "Runtime API: %s sent more than %zu bytes", url,
                            c->max_body);
    if (cc != CURLE_OK)
        return dg_error_set(err, DG_EIO, NULL, "Runtime API: %s: %s", url,
                            c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
    long st = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &st);
    *status = st;
    return 0;
}

static bool safe_id(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static int next_invocation(rt_client *c, dg_error *err)
{
    char url[sizeof c->base + 32];
    snprintf(url, sizeof url, "%s/invocation/next", c->base);
    c->request_id[0] = c->trace_id[0] = c->arn[0] = c->deadline[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    long st = 0;
    int rc = perform(c, url, &st, err);
    if (rc != 0)
        return rc;
    if (st != 200)
        return dg_error_set(err, DG_EIO, NULL, "Runtime API: GET %s answered %ld", url, st);
    if (!safe_id(c->request_id))
        return dg_error_set(err, DG_EIO, NULL,
                            "Runtime API: next invocation without a usable "
                            "Lambda-Runtime-Aws-Request-Id");
    return 0;
}

static int post(rt_client *c, const char *path, const char *body, size_t len,
                const char *error_type, long *status, dg_error *err)
{
    char url[sizeof c->base + ID_MAX + 32];
    snprintf(url, sizeof url, "%s%s", c->base, path);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (hdrs != NULL)
        hdrs = curl_slist_append(hdrs, "Expect:");
    char et[DG_ERROR_TYPE_MAX + 48];
    if (hdrs != NULL && error_type != NULL) {
        snprintf(et, sizeof et, "Lambda-Runtime-Function-Error-Type: %s", error_type);
        hdrs = curl_slist_append(hdrs, et);
    }
    if (hdrs == NULL)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
    long st = 0;
    int rc = perform(c, url, &st, err);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(hdrs);
    *status = st;
    return rc;
}

/* {"errorMessage":...,"errorType":...} */
static int post_error(rt_client *c, const char *path, const char *type, const char *message,
                      dg_error *err)
{
    dg_buf b = DG_BUF_INIT;
    size_t ml = strlen(message);
    dg_buf_puts(&b, "{\"errorMessage\":");
    if (dg_utf8_valid(message, ml))
        dg_buf_json_string(&b, message, ml);
    else
        dg_buf_puts(&b, "\"(error message is not valid UTF-8)\"");
    dg_buf_puts(&b, ",\"errorType\":");
    dg_buf_json_string(&b, type, strlen(type));
    dg_buf_puts(&b, ",\"stackTrace\":[]}");
    if (dg_buf_status(&b) != 0) {
        dg_buf_free(&b);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    }
    long st = 0;
    int rc = post(c, path, b.data, b.len, type, &st, err);
    dg_buf_free(&b);
    if (rc == 0 && (st < 200 || st > 299))
        rc = dg_error_set(err, DG_EIO, NULL, "Runtime API: POST %s answered %ld", path, st);
    return rc;
}

static bool type_ok(const char *t)
{
    if (t == NULL || *t == '\0')
        return false;
    for (; *t; t++)
        if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e)
            return false;
    return true;
}

int dg_lambda_run(const dg_lambda_options *opt, dg_error *err)
{
    dg_error_clear(err);
    if (opt == NULL || (opt->invoke == NULL && opt->router == NULL))
        return dg_error_set(err, DG_EINVAL, NULL,
                            "dg_lambda_run: no router and no invoke function");
    const char *api =
        opt->runtime_api != NULL ? opt->runtime_api : getenv("AWS_LAMBDA_RUNTIME_API");
    size_t max_event = opt->max_event_bytes ? opt->max_event_bytes : DG_LAMBDA_DEFAULT_MAX_EVENT;
    long cto = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : 1000;
    FILE *log = opt->log != NULL ? opt->log : stdout;

    rt_client c;
    int rc = client_open(&c, api, cto, max_event, err);
    if (rc != 0) {
        client_close(&c);
        return rc;
    }

    void *app = NULL;
    if (opt->init != NULL) {
        rc = opt->init(opt->ctx, &app, err);
        if (rc != 0) {
            if (err != NULL && err->code == DG_OK)
                dg_error_set(err, rc, NULL, "init failed: %s", dg_strerror(rc));
            const char *type = err != NULL && type_ok(err->type) ? err->type : "Runtime.InitError";
            dg_error perr;
            if (post_error(&c, "/init/error", type, err != NULL ? err->message : "init failed",
                           &perr) != 0)
                fprintf(stderr, "dynagen: could not report the init error: %s\n", perr.message);
            fprintf(stderr, "dynagen: init failed: %s\n", err != NULL ? err->message : "");
            client_close(&c);
            return rc;
        }
    }

    dg_buf response = DG_BUF_INIT;
    dg_arena *arena = dg_arena_new(0);
    if (arena == NULL) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, "out of memory creating the invocation arena");
        goto done;
    }
    dg_arena_set_limit(arena, opt->arena_limit);

    for (unsigned long served = 0; opt->max_invocations == 0 || served < opt->max_invocations;
         served++) {
        rc = next_invocation(&c, err);
        /* a transient failure of the Runtime API: a few quick retries, as aws-lambda-cpp does */
        for (int attempt = 1; rc == DG_EIO && attempt <= 3; attempt++) {
            struct timespec ts = {0, 50L * 1000000L * attempt};
            nanosleep(&ts, NULL);
            rc = next_invocation(&c, err);
        }
        if (rc == DG_ETOOBIG) {
            /* report it against the request when we know its id, then go on */
            if (safe_id(c.request_id)) {
                char path[ID_MAX + 32];
                snprintf(path, sizeof path, "/invocation/%s/error", c.request_id);
                dg_error perr;
                post_error(&c, path, "Runtime.EventTooLarge", err->message, &perr);
                continue;
            }
        }
        if (rc != 0)
            break;
        if (c.trace_id[0] != '\0')
            setenv("_X_AMZN_TRACE_ID", c.trace_id, 1);
        else
            unsetenv("_X_AMZN_TRACE_ID");

        dg_lambda_invocation inv = {
            .request_id = c.request_id,
            .deadline_ms = strtoll(c.deadline, NULL, 10),
            .trace_id = c.trace_id,
            .function_arn = c.arn,
        };
        /* the event must outlive the POST that reuses c.body: take it */
        size_t ev_len = 0;
        dg_buf_cstr(&c.body);
        char *event = dg_buf_steal(&c.body, &ev_len);
        inv.event = event != NULL ? event : "";
        inv.event_len = ev_len;

        dg_buf_reset(&response);
        dg_error ierr;
        dg_error_clear(&ierr);
        int irc = opt->invoke != NULL
                      ? opt->invoke(app, &inv, &response, arena, &ierr)
                      : dg_lambda_http_invoke(opt->router, app, &inv, &response, arena, log, &ierr);
        if (irc == 0 && dg_buf_status(&response) != 0) {
            irc = DG_ENOMEM;
            dg_error_set(&ierr, DG_ENOMEM, NULL, "out of memory building the response");
        }
        char path[ID_MAX + 32];
        dg_error perr;
        int prc;
        if (irc == 0) {
            snprintf(path, sizeof path, "/invocation/%s/response", c.request_id);
            long st = 0;
            prc = post(&c, path, response.data != NULL ? response.data : "", response.len, NULL,
                       &st, &perr);
            if (prc == 0 && st == 413) {
                snprintf(path, sizeof path, "/invocation/%s/error", c.request_id);
                prc = post_error(&c, path, "Function.ResponseSizeTooLarge",
                                 "the response is larger than Lambda accepts", &perr);
            } else if (prc == 0 && (st < 200 || st > 299)) {
                prc = dg_error_set(&perr, DG_EIO, NULL, "Runtime API: POST %s answered %ld", path,
                                   st);
            }
        } else {
            if (ierr.code == DG_OK)
                dg_error_set(&ierr, irc, NULL, "handler failed: %s", dg_strerror(irc));
            snprintf(path, sizeof path, "/invocation/%s/error", c.request_id);
            const char *type = type_ok(ierr.type) ? ierr.type : "Runtime.HandlerError";
            fprintf(stderr, "dynagen: invocation %s failed: %s\n", c.request_id, ierr.message);
            prc = post_error(&c, path, type, ierr.message, &perr);
        }
        free(event);
        dg_arena_reset(arena);
        if (prc != 0) {
            fprintf(stderr, "dynagen: %s\n", perr.message);
            if (prc == DG_EIO) {
                rc = prc;
                if (err != NULL)
                    *err = perr;
                break;
            }
        }
    }
    dg_arena_destroy(arena);
done:
    dg_buf_free(&response);
    if (opt->destroy != NULL)
        opt->destroy(app);
    client_close(&c);
    return rc;
}

/* ------------------------------------------------------------------ HTTP adapter */

int dg_lambda_http_invoke(const dg_router *r, void *app, const dg_lambda_invocation *inv,
                          dg_buf *response, dg_arena *a, FILE *log, dg_error *err)
{
    uint64_t t0 = dg_monotonic_ns();
    dg_http_request req;
    int rc = dg_apigw_parse_event(inv->event, inv->event_len, 0, a, &req, err);
    if (rc != 0)
        return rc;
    dg_http_metrics metrics;
    memset(&metrics, 0, sizeof metrics);
    req.metrics = &metrics;
    req.request_id = inv->request_id != NULL ? inv->request_id : "";
    req.trace_id = inv->trace_id != NULL ? inv->trace_id : "";
    req.function_arn = inv->function_arn != NULL ? inv->function_arn : "";
    req.deadline_ms = inv->deadline_ms;

    dg_http_response res;
    dg_http_response_setup(&res, a);
    rc = dg_router_dispatch(r, app, &req, &res, a);
    if (rc != 0) {
        dg_http_response_release(&res);
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory building the response");
    }
    size_t mark = response->len;
    dg_error werr;
    if (dg_apigw_write_response(&res, response, &werr) != 0) {
        /* e.g. a handler header that is not UTF-8: answer 500 instead */
        snprintf(metrics.detail, sizeof metrics.detail, "bad response: %.400s", werr.message);
        response->len = mark;
        response->failed = 0;
        dg_http_error(&res, 500, "internal", "internal error", NULL);
        if (dg_apigw_write_response(&res, response, &werr) != 0) {
            dg_http_response_release(&res);
            return dg_error_set(err, werr.code, NULL, "%s", werr.message);
        }
    }

    double latency_ms = (double)(dg_monotonic_ns() - t0) / 1e6;
    dg_buf line = DG_BUF_INIT;
    if (dg_lambda_log_line(&line, &req, &res, dg_route_display_name(req.route, a), latency_ms,
                           dg_now_ms()) == 0) {
        dg_buf_putc(&line, '\n');
        fwrite(line.data, 1, line.len, log != NULL ? log : stdout);
        fflush(log != NULL ? log : stdout);
    }
    dg_buf_free(&line);
    dg_http_response_release(&res);
    return 0;
}
