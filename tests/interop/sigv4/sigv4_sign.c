/* Interop helper: signs requests with dynagen's SigV4 signer.
 *
 * Reads one JSON object per line on stdin:
 *   {"name":..., "method":..., "path":..., "query":..., "headers":[[name,value],...],
 *    "body_hex":..., "time":<unix seconds>, "akid":..., "secret":..., "token":<string|null>,
 *    "region":..., "service":..., "content_sha256":<bool>}
 * and writes one JSON object per line on stdout:
 *   {"name":..., "rc":0, "authorization":..., "amz_date":..., "security_token":<string|null>,
 *    "payload_hash":..., "key_derivations":<n>}   or   {"name":..., "rc":<DG_E*>, "error":...}
 * One signing-key cache serves every line, as in a long-lived client, so a
 * run whose times cross midnight exercises the cache's day change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "dynagen/aws.h"
#include "dynagen/buf.h"
#include "dynagen/error.h"

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int sign_one(const cJSON *in, cJSON *out, dg_sigv4_key_cache *cache)
{
    const char *name = str(in, "name");
    cJSON_AddStringToObject(out, "name", name ? name : "?");
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(in, "headers");
    int n = cJSON_GetArraySize(hs);
    dg_aws_header *headers = calloc((size_t)(n > 0 ? n : 1), sizeof *headers);
    const char *bh = str(in, "body_hex");
    size_t blen = bh ? strlen(bh) / 2 : 0;
    unsigned char *body = malloc(blen ? blen : 1);
    if (headers == NULL || body == NULL) {
        free(headers);
        free(body);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *h = cJSON_GetArrayItem(hs, i);
        headers[i].name = cJSON_GetArrayItem(h, 0)->valuestring;
        headers[i].value = cJSON_GetArrayItem(h, 1)->valuestring;
    }
    for (size_t i = 0; i < blen; i++)
        body[i] = (unsigned char)(hexval(bh[2 * i]) << 4 | hexval(bh[2 * i + 1]));

    dg_aws_credentials creds = {(char *)str(in, "akid"), (char *)str(in, "secret"),
                                (char *)str(in, "token")};
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(in, "time");
    dg_sigv4_params p = {
        .credentials = &creds,
        .region = str(in, "region"),
        .service = str(in, "service"),
        .unix_seconds = cJSON_IsNumber(t) ? (int64_t)t->valuedouble : -1,
        .key_cache = cache,
        .add_content_sha256 = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "content_sha256")),
    };
    dg_sigv4_request req = {
        str(in, "method"), str(in, "path"), str(in, "query"), headers, (size_t)n, body, blen};
    dg_sigv4_signed s;
    dg_sigv4_signed_init(&s);
    dg_error err;
    dg_error_clear(&err);
    int rc = dg_sigv4_sign(&p, &req, &s, &err);
    cJSON_AddNumberToObject(out, "rc", rc);
    if (rc == 0) {
        cJSON_AddStringToObject(out, "authorization", dg_buf_cstr(&s.authorization));
        cJSON_AddStringToObject(out, "amz_date", s.amz_date);
        cJSON_AddStringToObject(out, "payload_hash", s.payload_hash);
        if (s.security_token)
            cJSON_AddStringToObject(out, "security_token", s.security_token);
        else
            cJSON_AddNullToObject(out, "security_token");
        cJSON_AddNumberToObject(out, "key_derivations", (double)cache->derivations);
    } else {
        cJSON_AddStringToObject(out, "error", err.message);
    }
    dg_sigv4_signed_clean_up(&s);
    free(headers);
    free(body);
    return 0;
}

int main(void)
{
    dg_sigv4_key_cache cache;
    dg_sigv4_key_cache_init(&cache);
    dg_buf line = DG_BUF_INIT;
    int c, status = 0;
    for (;;) {
        c = getchar();
        if (c != EOF && c != '\n') {
            dg_buf_putc(&line, (char)c);
            continue;
        }
        if (line.len > 0) {
            cJSON *in = cJSON_ParseWithLength(line.data, line.len);
            cJSON *out = cJSON_CreateObject();
            if (in == NULL || out == NULL || sign_one(in, out, &cache) != 0) {
                fprintf(stderr, "sigv4_sign: bad input line or out of memory\n");
                status = 1;
            } else {
                char *text = cJSON_PrintUnformatted(out);
                if (text) {
                    puts(text);
                    free(text);
                }
            }
            cJSON_Delete(in);
            cJSON_Delete(out);
            dg_buf_reset(&line);
        }
        if (c == EOF)
            break;
    }
    fflush(stdout);
    dg_buf_free(&line);
    dg_sigv4_key_cache_clean_up(&cache);
    return status;
}
