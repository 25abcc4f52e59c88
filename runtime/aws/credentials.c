/* dynagen runtime — AWS credentials, region and DynamoDB endpoint from the environment. */
#include "dynagen/aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static const char *process_getenv(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

/* The value of name, or NULL when unset or empty (the AWS SDKs' rule). */
static const char *env_get(dg_getenv_fn fn, void *ctx, const char *name)
{
    const char *v = fn(ctx, name);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Problems found while loading: joined with "; " into one message. */
typedef struct problems {
    char msg[DG_ERROR_MESSAGE_MAX];
    size_t len;
    const char *first_field;
} problems;

static void problem(problems *p, const char *field, const char *fmt, const char *arg)
{
    if (p->first_field == NULL)
        p->first_field = field;
    char one[256];
    snprintf(one, sizeof one, fmt, arg);
    int n = snprintf(p->msg + p->len, sizeof p->msg - p->len, "%s%s", p->len ? "; " : "", one);
    if (n > 0)
        p->len = (size_t)n >= sizeof p->msg - p->len ? sizeof p->msg - 1 : p->len + (size_t)n;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d != NULL)
        memcpy(d, s, n + 1);
    return d;
}

static void free_secret(char **s)
{
    if (*s != NULL) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

/* Bytes that may go into a header value: no control characters (HTAB aside). */
static int header_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return 0;
    return 1;
}

/* An access key id goes into the credential scope: printable ASCII without
 * space, '/' or ','. */
static int akid_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '/' || *p == ',')
            return 0;
    return 1;
}

static int region_valid(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n >= DG_SIGV4_SCOPE_PART_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return r[0] != '-' && r[n - 1] != '-';
}

static void collect_credentials(dg_getenv_fn fn, void *ctx, problems *p, const char **akid,
                                const char **secret, const char **token)
{
    *akid = env_get(fn, ctx, "AWS_ACCESS_KEY_ID");
    *secret = env_get(fn, ctx, "AWS_SECRET_ACCESS_KEY");
    *token = env_get(fn, ctx, "AWS_SESSION_TOKEN");
    if (*akid == NULL)
        problem(p, "AWS_ACCESS_KEY_ID", "%s is not set", "AWS_ACCESS_KEY_ID");
    else if (!akid_safe(*akid))
        problem(p, "AWS_ACCESS_KEY_ID",
                "%s holds characters an access key id cannot have (space, '/', ',' or control)",
                "AWS_ACCESS_KEY_ID");
    if (*secret == NULL)
        problem(p, "AWS_SECRET_ACCESS_KEY", "%s is not set", "AWS_SECRET_ACCESS_KEY");
    if (*token != NULL && !header_safe(*token))
        problem(p, "AWS_SESSION_TOKEN", "%s holds control characters", "AWS_SESSION_TOKEN");
}

static int fill_credentials(dg_aws_credentials *creds, const char *akid, const char *secret,
                            const char *token)
{
    creds->access_key_id = dup_str(akid);
    creds->secret_access_key = dup_str(secret);
    creds->session_token = token != NULL ? dup_str(token) : NULL;
    if (creds->access_key_id == NULL || creds->secret_access_key == NULL ||
        (token != NULL && creds->session_token == NULL)) {
        dg_aws_credentials_clean_up(creds);
        return DG_ENOMEM;
    }
    return 0;
}

static int fail(problems *p, dg_error *err)
{
    return dg_error_set(err, DG_EINVAL, p->first_field, "%s", p->msg);
}

int dg_aws_credentials_from_env(dg_aws_credentials *creds, dg_getenv_fn getenv_fn, void *ctx,
                                dg_error *err)
{
    memset(creds, 0, sizeof *creds);
    if (getenv_fn == NULL)
        getenv_fn = process_getenv;
    problems p = {{0}, 0, NULL};
    const char *akid, *secret, *token;
    collect_credentials(getenv_fn, ctx, &p, &akid, &secret, &token);
    if (p.len > 0)
        return fail(&p, err);
    if (fill_credentials(creds, akid, secret, token) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory loading AWS credentials");
    return 0;
}

void dg_aws_credentials_clean_up(dg_aws_credentials *creds)
{
    if (creds == NULL)
        return;
    free(creds->access_key_id);
    creds->access_key_id = NULL;
    free_secret(&creds->secret_access_key);
    free_secret(&creds->session_token);
}

int dg_aws_ddb_default_endpoint(const char *region, dg_buf *out, dg_error *err)
{
    if (region == NULL || !region_valid(region))
        return dg_error_set(err, DG_EINVAL, "region",
                            "region must be 1-63 characters of a-z, 0-9 and '-'");
    const char *suffix = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    if (dg_buf_printf(out, "https://dynamodb.%s.%s", region, suffix) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, "out of memory");
    return 0;
}

/* Checks an endpoint URL; on success host_start and host_len give its authority. */
static int endpoint_check(const char *url, bool *tls, const char **host_start, size_t *host_len,
                          const char **why)
{
    size_t skip;
    if (strncasecmp(url, "https://", 8) == 0) {
        *tls = true;
        skip = 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        *tls = false;
        skip = 7;
    } else {
        *why = "must start with http:// or https://";
        return -1;
    }
    for (const unsigned char *c = (const unsigned char *)url; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7f) {
            *why = "holds spaces, control or non-ASCII characters";
            return -1;
        }
    }
    const char *h = url + skip;
    size_t n = strcspn(h, "/?#");
    if (n == 0) {
        *why = "has no host";
        return -1;
    }
    if (memchr(h, '@', n) != NULL) {
        *why = "must not carry user information (user@host)";
        return -1;
    }
    if (h[n] == '?' || h[n] == '#') {
        *why = "must not have a query or fragment";
        return -1;
    }
    *host_start = h;
    *host_len = n;
    return 0;
}

int dg_aws_config_from_env(dg_aws_config *cfg, dg_getenv_fn getenv_fn, void *ctx, dg_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (getenv_fn == NULL)
        getenv_fn = process_getenv;
    problems p = {{0}, 0, NULL};

    const char *akid, *secret, *token;
    collect_credentials(getenv_fn, ctx, &p, &akid, &secret, &token);

    const char *region_source = "AWS_REGION";
    const char *region = env_get(getenv_fn, ctx, "AWS_REGION");
    if (region == NULL) {
        region_source = "AWS_DEFAULT_REGION";
        region = env_get(getenv_fn, ctx, "AWS_DEFAULT_REGION");
    }
    if (region == NULL) {
        problem(&p, "AWS_REGION", "%s (or AWS_DEFAULT_REGION) is not set", "AWS_REGION");
    } else if (!region_valid(region)) {
        /* The region is not a secret: quote it (bounded) so the typo shows. */
        char msg[200];
        snprintf(msg, sizeof msg, "%s ('%.64s') is not a region name (a-z, 0-9 and '-')",
                 region_source, region);
        problem(&p, region_source, "%s", msg);
    }

    const char *endpoint_source = "AWS_ENDPOINT_URL_DYNAMODB";
    const char *endpoint = env_get(getenv_fn, ctx, "AWS_ENDPOINT_URL_DYNAMODB");
    if (endpoint == NULL) {
        endpoint_source = "AWS_ENDPOINT_URL";
        endpoint = env_get(getenv_fn, ctx, "AWS_ENDPOINT_URL");
    }
    bool tls = true;
    const char *host = NULL;
    size_t host_len = 0;
    if (endpoint != NULL) {
        const char *why = NULL;
        if (endpoint_check(endpoint, &tls, &host, &host_len, &why) != 0) {
            char msg[200];
            snprintf(msg, sizeof msg, "%s %s", endpoint_source, why);
            problem(&p, endpoint_source, "%s", msg);
        }
    }
    if (p.len > 0)
        return fail(&p, err);

    dg_buf ep = DG_BUF_INIT;
    if (endpoint != NULL) {
        size_t n = strlen(endpoint);
        while (n > 0 && endpoint[n - 1] == '/')
            n--;
        dg_buf_append(&ep, endpoint, n);
    } else {
        endpoint_source = "default";
        dg_aws_ddb_default_endpoint(region, &ep, NULL); /* region already validated */
        tls = true;
    }
    if (dg_buf_status(&ep) != 0)
        goto oom;
    cfg->ddb_endpoint = dg_buf_steal(&ep, NULL);
    if (host == NULL) {
        host = cfg->ddb_endpoint + strlen("https://");
        host_len = strlen(host);
    }
    cfg->ddb_host = malloc(host_len + 1);
    cfg->region = dup_str(region);
    if (cfg->ddb_endpoint == NULL || cfg->ddb_host == NULL || cfg->region == NULL)
        goto oom;
    memcpy(cfg->ddb_host, host, host_len);
    cfg->ddb_host[host_len] = '\0';
    cfg->ddb_tls = tls;
    cfg->region_source = region_source;
    cfg->endpoint_source = endpoint_source;
    if (fill_credentials(&cfg->credentials, akid, secret, token) != 0)
        goto oom;
    return 0;
oom:
    dg_buf_free(&ep);
    dg_aws_config_clean_up(cfg);
    return dg_error_set(err, DG_ENOMEM, NULL, "out of memory loading the AWS configuration");
}

void dg_aws_config_clean_up(dg_aws_config *cfg)
{
    if (cfg == NULL)
        return;
    dg_aws_credentials_clean_up(&cfg->credentials);
    free(cfg->region);
    free(cfg->ddb_endpoint);
    free(cfg->ddb_host);
    memset(cfg, 0, sizeof *cfg);
}
