/* dynagen runtime — RFC 3339 timestamps and clocks.
 *
 * Civil-date arithmetic uses Howard Hinnant's days_from_civil /
 * civil_from_days algorithms (proleptic Gregorian calendar), so neither
 * timegm() nor the TZ environment is involved. */
#include "dynagen/codec_util.h"

#include <time.h>

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in ms since the epoch. */
#define RFC3339_MIN_MS (-62135596800000LL)
#define RFC3339_MAX_MS 253402300799999LL
#define MS_PER_DAY 86400000LL

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Parse exactly `width` decimal digits at s; -1 when any is not a digit. */
static int fixed_digits(const char *s, int width)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int dg_rfc3339_parse(const char *s, size_t n, int64_t *epoch_ms, const char *field, dg_error *err)
{
    const char *nm = field != NULL ? field : "value";
#define BAD_FORMAT()                                                                               \
    dg_error_set(err, DG_EINVAL, field,                                                            \
                 "%s: invalid timestamp (expected RFC 3339 such as 2026-11-25T11:54:02Z)", nm)
    /* YYYY-MM-DDTHH:MM:SS + at least "Z" */
    if (s == NULL || n < 20)
        return BAD_FORMAT();
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return BAD_FORMAT();
    int year = fixed_digits(s, 4), mon = fixed_digits(s + 5, 2), day = fixed_digits(s + 8, 2);
    int hour = fixed_digits(s + 11, 2), min = fixed_digits(s + 14, 2),
        sec = fixed_digits(s + 17, 2);
    if (year < 0 || mon < 0 || day < 0 || hour < 0 || min < 0 || sec < 0)
        return BAD_FORMAT();
    size_t i = 19;
    int ms = 0;
    if (s[i] == '.') {
        i++;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            size_t pos = i - start;
            if (pos < 3) {
                ms = ms * 10 + (s[i] - '0');
            } else if (s[i] != '0') {
                return dg_error_set(err, DG_EINVAL, field,
                                    "%s: timestamp has more than millisecond precision", nm);
            }
            i++;
        }
        size_t nd = i - start;
        if (nd == 0)
            return BAD_FORMAT();
        for (; nd < 3; nd++)
            ms *= 10;
    }
    if (i >= n)
        return BAD_FORMAT();
    int off_min = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        if (n - i < 6 || s[i + 3] != ':')
            return BAD_FORMAT();
        int oh = fixed_digits(s + i + 1, 2), om = fixed_digits(s + i + 4, 2);
        if (oh < 0 || om < 0)
            return BAD_FORMAT();
        if (oh > 23 || om > 59)
            return dg_error_set(err, DG_EINVAL, field, "%s: invalid UTC offset %.6s in timestamp",
                                nm, s + i);
        off_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return BAD_FORMAT();
    }
    if (i != n)
        return BAD_FORMAT();
#undef BAD_FORMAT

    if (year < 1)
        return dg_error_set(err, DG_ERANGE, field, "%s: year must be 0001..9999", nm);
    if (mon < 1 || mon > 12)
        return dg_error_set(err, DG_EINVAL, field, "%s: invalid month %02d in timestamp", nm, mon);
    if (day < 1 || day > days_in_month(year, mon))
        return dg_error_set(err, DG_EINVAL, field, "%s: invalid date %.10s (%04d-%02d has %d days)",
                            nm, s, year, mon, days_in_month(year, mon));
    if (hour > 23 || min > 59 || sec > 59)
        return dg_error_set(err, DG_EINVAL, field,
                            "%s: invalid time of day %.8s (leap seconds are not supported)", nm,
                            s + 11);

    int64_t days = days_from_civil(year, mon, day);
    int64_t t = days * MS_PER_DAY + ((int64_t)hour * 3600 + min * 60 + sec) * 1000 + ms;
    t -= (int64_t)off_min * 60000;
    if (t < RFC3339_MIN_MS || t > RFC3339_MAX_MS)
        return dg_error_set(err, DG_ERANGE, field,
                            "%s: timestamp is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z "
                            "once converted to UTC",
                            nm);
    *epoch_ms = t;
    return 0;
}

int dg_rfc3339_format(dg_buf *b, int64_t epoch_ms)
{
    if (epoch_ms < RFC3339_MIN_MS || epoch_ms > RFC3339_MAX_MS)
        return DG_ERANGE;
    int64_t days = epoch_ms / MS_PER_DAY;
    int64_t rem = epoch_ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int ms = (int)(rem % 1000);
    int64_t secs = rem / 1000;
    int hh = (int)(secs / 3600), mm = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    if (ms != 0)
        return dg_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, hh, mm, ss,
                             ms);
    return dg_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, hh, mm, ss);
}

int64_t dg_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t dg_monotonic_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
