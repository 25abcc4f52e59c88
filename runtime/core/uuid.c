/* dynagen runtime — random bytes and random (version 4) UUIDs from the kernel CSPRNG. */
#include "dynagen/codec_util.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int dg_random_bytes(void *buf, size_t n, dg_error *err)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(p + got, n - got, 0);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            return dg_error_set(err, DG_EIO, NULL, "getrandom failed: %s", strerror(e));
        }
        got += (size_t)k;
    }
    return 0;
}

int dg_uuid_v4(char out[37], dg_error *err)
{
    uint8_t r[16];
    int rc = dg_random_bytes(r, sizeof r, err);
    if (rc != 0) {
        out[0] = '\0';
        return rc;
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* variant 10xx (RFC 4122) */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < sizeof r; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[r[i] >> 4];
        out[o++] = hex[r[i] & 15];
    }
    out[o] = '\0';
    return 0;
}
