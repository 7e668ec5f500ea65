# The value rules of the typed tables, once: what a digit, an integer (an amount: a sign leading or
# trailing), a DDMMAAAA date and a numeric field's alphabet are, and where a segment opens in a
# record's tokens, and how latin-1 text becomes UTF-8. The table decoder (_decode.pyx), the rows
# kernel (_rows.pyx) and the INTL13 records pass (intl13/_records.pyx) read values by these (inline:
# no module of its own, no call).
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint64_t
from libc.string cimport memcpy

from mxbureau._index cimport days_in_month

cdef extern from *:
    int _ctz "__builtin_ctzll"(unsigned long long x) noexcept nogil

cdef extern from *:
    """
    #define MXB_PREFETCH(p) __builtin_prefetch(p)
    """
    void prefetch "MXB_PREFETCH"(const void* p) noexcept nogil


cdef inline bint is_ascii(const uint8_t* p, int64_t n) noexcept nogil:
    """No byte >= 0x80 (8 bytes at a time)."""
    cdef uint64_t w, acc = 0
    cdef int64_t k = 0
    while k + 8 <= n:
        memcpy(&w, p + k, 8)
        acc |= w
        k += 8
    while k < n:
        acc |= p[k]
        k += 1
    return (acc & 0x8080808080808080ULL) == 0


cdef inline int64_t to_utf8(uint8_t* dst, const uint8_t* src, int64_t n) noexcept nogil:
    """latin-1 -> UTF-8 into dst (room for 2n bytes); returns the bytes written. ASCII runs, the
    common case, are copied as they are."""
    cdef int64_t k, p = 0
    cdef uint8_t c
    if is_ascii(src, n):
        memcpy(dst, src, n)
        return n
    for k in range(n):
        c = src[k]
        if c < 0x80:
            dst[p] = c
            p += 1
        else:
            dst[p] = 0xC0 | (c >> 6)
            dst[p + 1] = 0x80 | (c & 0x3F)
            p += 2
    return p


cdef inline int64_t stripped_utf8(uint8_t* dst, const uint8_t* src, int64_t n) noexcept nogil:
    """A fixed-width latin-1 field of n bytes, blanks stripped on both sides, as UTF-8 into dst (room
    for 2n bytes); returns the bytes written."""
    cdef int64_t a = 0, b = n
    while a < b and src[a] == 32:
        a += 1
    while b > a and src[b - 1] == 32:
        b -= 1
    return to_utf8(dst, src + a, b - a)


cdef inline bint is_digit(uint8_t c) noexcept nogil:
    return 48 <= c <= 57


cdef inline bint parse_int(const uint8_t* p, int64_t n, bint signed, int64_t* out) noexcept nogil:
    """Blanks around, a sign leading or trailing when ``signed`` (amounts), 1-18 digits."""
    cdef int64_t a = 0, b = n, v = 0
    cdef bint neg = False
    while a < b and p[a] == 32:
        a += 1
    while b > a and p[b - 1] == 32:
        b -= 1
    if signed and b > a:
        if p[a] == 43 or p[a] == 45:
            neg = p[a] == 45
            a += 1
        elif p[b - 1] == 43 or p[b - 1] == 45:
            neg = p[b - 1] == 45
            b -= 1
    if b - a < 1 or b - a > 18:
        return False
    while a < b:
        if not is_digit(p[a]):
            return False
        v = v * 10 + (p[a] - 48)
        a += 1
    out[0] = -v if neg else v
    return True


cdef inline int parse_dmy(const uint8_t* p, int64_t n, int* d, int* m, int* y) noexcept nogil:
    """DDMMAAAA: 1 a date (d, m, y set), 0 absent (00000000), -1 not a date. The digit test is one
    8-byte word (a byte that is not a digit sets a high bit)."""
    cdef uint64_t w
    if n != 8:
        return -1
    memcpy(&w, p, 8)
    if ((w - 0x3030303030303030ULL) | (w + 0x4646464646464646ULL) | w) & 0x8080808080808080ULL:
        return -1
    if w == 0x3030303030303030ULL:
        return 0
    d[0] = (p[0] - 48) * 10 + (p[1] - 48)
    m[0] = (p[2] - 48) * 10 + (p[3] - 48)
    y[0] = (p[4] - 48) * 1000 + (p[5] - 48) * 100 + (p[6] - 48) * 10 + (p[7] - 48)
    if not (1 <= m[0] <= 12 and y[0] >= 1 and 1 <= d[0] <= days_in_month(y[0], m[0])):
        return -1
    return 1


cdef inline bint digits_or_blanks(const uint8_t* p, int64_t n) noexcept nogil:
    """Every byte an ASCII digit or a blank (a numeric field's alphabet), a byte at a time."""
    cdef int64_t k
    for k in range(n):
        if not (is_digit(p[k]) or p[k] == 32):
            return False
    return True


cdef inline Py_ssize_t next_start(const uint16_t* tag, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """The first token from i on that opens a segment, or end. The scanner gives a segment's first
    token the segment's two capital letters as its tag and every other token two digits (the CR
    text: 00), so bit 0x40 of a tag's first byte marks a segment start: four tags a step, and the
    segment tags are not read at all (pass 1 on the 57 MB corpus: 10.7 ms comparing tag with
    segment one token at a time, 5.4 ms with this and a lookup table per tag code)."""
    cdef uint64_t w
    while i + 4 <= end:
        memcpy(&w, tag + i, 8)
        w &= 0x0040004000400040ULL
        if w:
            return i + (_ctz(w) >> 4)             # the first such lane
        i += 4
    while i < end and not (tag[i] & 0x40):
        i += 1
    return i
