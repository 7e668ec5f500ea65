/* The speed limit for the scanner: a plain C loop that walks the same INTL13 fields and writes the
 * offset of every value, with no validation beyond what walking needs (no digit checks, no bounds
 * checks past the record header, no ES length check, no errors). Compiled by mxbureau/baselines.py
 * with the same -O3 the extension uses, called through ctypes on the same bytes. */
#include <stdint.h>

static int seg_start(const uint8_t *d, int64_t n, int64_t e) {
    return e + 4 <= n && d[e] >= 'A' && d[e] <= 'Z' && d[e + 2] >= '0' && d[e + 2] <= '9';
}

/* Header positions (mx_at: "MX" in a response; the header lengths) come from mxbureau/intl13/spec.py. */
int64_t c_walk(const uint8_t *d, int64_t n, int64_t *out, int64_t mx_at, int64_t resp_len, int64_t cons_len,
               int64_t err_len) {
    int64_t p = 0, k = 0;
    while (p < n) {
        while (p < n && (d[p] == '\n' || d[p] == '\r' || d[p] == 0x13)) p++;
        if (p + 4 > n) break;
        int64_t q = d[p] == 'E' ? p + err_len : (d[p + mx_at] == 'M' && d[p + mx_at + 1] == 'X' ? p + resp_len : p + cons_len);
        for (;;) {
            if (q + 4 > n) return -1;
            int L = (d[q + 2] - '0') * 10 + (d[q + 3] - '0');
            int64_t v = q + 4;
            if (d[q] == 'C' && d[q + 1] == 'R' && (L == 4 || L == 5)) {
                int64_t count = 0;
                for (int i = 0; i < L; i++) count = count * 10 + (d[v + i] - '0');
                int64_t t = v + L + 4;
                out[k++] = v;
                out[k++] = t;
                q = seg_start(d, n, t + count) ? t + count : t + count - 8 - L;
                continue;
            }
            out[k++] = v;
            if (L == 2 && d[v] == '*' && d[v + 1] == '*') { q = v + 2; break; }
            q = v + L;
        }
        p = q;
    }
    return k;
}
