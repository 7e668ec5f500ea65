"""Compiled column decoders: token index -> typed columns, no Python object per value; no format
knowledge (the field tables come from tables.py, which drives these and wraps the buffers as
Arrow arrays)."""
from cython.view cimport array as cvarray
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint64_t, uintptr_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset
from cpython.ref cimport Py_INCREF, Py_DECREF

from mxbureau._index cimport grow, guarded, input_changed
from mxbureau._values cimport (digits_or_blanks, is_digit, next_start, parse_dmy, parse_int, prefetch,
                               stripped_utf8, to_utf8)

import numpy as np
import pyarrow as pa
cimport numpy as cnp

cnp.import_array()

cdef enum:
    MAXF = 64               # column slots per segment (RS, the widest, has 43 fields)
    SINK = MAXF - 1         # the column an unknown tag maps to (field_lut): its M row is never -1
    SKIP = MAXF - 2         # ... and a tag to pass over in silence (a field not selected, a segment's
                            # identifier that is no field): its M row is never -1 either
    K_TEXT = 0
    K_INT = 1
    K_AMOUNT = 2
    K_DATE = 3
    K_CODE2 = 4             # a code of at most 2 bytes: dictionary-encoded by a direct lookup table
    K_CODE = 5              # a longer code: dictionary-encoded by a hash table
    K_DIGITS = 6            # text of a numeric field: digits and blanks only, else null
    K_NEG = 7               # the negative values of an amount column (its Col.neg) as codes "-" +
                            # field_max digits (Field.negative: a score's exclusion codes); no tag maps here
    K_LEVEL = 8             # int8: a code column's (Col.by) values mapped to numbers (Field.ordinal: the
                            # MOP's levels), null for a value the map lacks; no tag maps here either
    # Why a value is in the list of bad values (Bad.why).
    W_VALUE = 0             # it does not fit its column's kind (a date, a number, digits)
    W_TOO_LONG = 1          # longer than its field's maximum (field_max): not stored
    W_REPEATED = 2          # its tag already filled every column the field has in this segment
    W_UNKNOWN_TAG = 3       # a tag the segment's fields do not have
    W_UNKNOWN_SEGMENT = 4   # a segment start of a tag seg_unknown marks

# The kinds as Python ints, for tables.py to fill field_kind with (one definition), the column slots
# a table has, and the reasons of bad values.
KIND_TEXT, KIND_INT, KIND_AMOUNT, KIND_DATE, KIND_CODE2, KIND_CODE = K_TEXT, K_INT, K_AMOUNT, K_DATE, K_CODE2, K_CODE
KIND_DIGITS = K_DIGITS
KIND_NEG = K_NEG
KIND_LEVEL = K_LEVEL
MAX_FIELDS = MAXF
UNKNOWN_COLUMN = SINK
SKIPPED_COLUMN = SKIP
WHY_VALUE, WHY_TOO_LONG, WHY_REPEATED, WHY_UNKNOWN_TAG, WHY_UNKNOWN_SEGMENT = (
    W_VALUE, W_TOO_LONG, W_REPEATED, W_UNKNOWN_TAG, W_UNKNOWN_SEGMENT)


# TAIL[k]: a mask of the low k bytes of a word.
cdef uint64_t TAIL[9]
for _k in range(8):
    TAIL[_k] = (1ULL << (8 * _k)) - 1
TAIL[8] = 0xFFFFFFFFFFFFFFFFULL


cdef inline uint64_t _tail(int64_t n) noexcept nogil:
    """The mask of the first n bytes of a word (n clamped to 0..8)."""
    return TAIL[0 if n < 0 else (8 if n > 8 else n)]


cdef inline bint _copy_ascii(uint8_t* dst, const uint8_t* src, int64_t n) noexcept nogil:
    """Copy n bytes in whole 8-byte words when all are ASCII; False (dst scribbled) when one is not.
    Reads and writes up to 7 bytes past n: the caller makes sure both exist. Against is_ascii + memcpy
    (a byte loop for the tail, a libc call per value): text columns 18 -> 13 ns a value."""
    cdef uint64_t w, acc = 0
    cdef int64_t k = 0
    while k + 8 <= n:
        memcpy(&w, src + k, 8)
        memcpy(dst + k, &w, 8)
        acc |= w
        k += 8
    if k < n:
        memcpy(&w, src + k, 8)
        memcpy(dst + k, &w, 8)
        acc |= w & _tail(n - k)
    return (acc & 0x8080808080808080ULL) == 0


cdef inline bint _digits_or_blanks(const uint8_t* p, int64_t n, bint over) noexcept nogil:
    """Every byte is an ASCII digit or a blank (a numeric field's alphabet: right-justified, blanks to
    the left). ``over``: 32 bytes at p may be read, n <= 32: four words, the bytes past n taken as
    "0"; else a byte loop. Blanks become "0" first (x = w ^ 0x20..: a byte of x is zero exactly where w
    has a blank; ((x & 0x7F..) + 0x7F..) | x sets the high bit of every non-zero byte, without a carry
    across bytes), then the digit test of _digits8 on the word."""
    cdef uint64_t w, x, blank, fill, bad = 0
    cdef int64_t k
    if over and n <= 32:
        for k in range((n + 7) >> 3):           # a column's values have one length or few: predicted
            memcpy(&w, p + 8 * k, 8)
            fill = _tail(n - 8 * k)
            w = (w & fill) | (0x3030303030303030ULL & ~fill)
            x = w ^ 0x2020202020202020ULL
            blank = ~(((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | x) & 0x8080808080808080ULL
            w |= blank >> 3                         # 0x20 | 0x10 = "0"
            bad |= (w - 0x3030303030303030ULL) | (w + 0x4646464646464646ULL) | w
        return (bad & 0x8080808080808080ULL) == 0
    return digits_or_blanks(p, n)


cdef inline bint _copy_ascii32(uint8_t* dst, const uint8_t* src, int64_t n) noexcept nogil:
    """_copy_ascii for n <= 32 with no loop: four words copied whatever n is, the bytes past n masked
    out of the check. 32 bytes at src and dst must exist. Text columns: 13 -> 11 ns a value (the
    loop's trip count, which varies with the value's length, was a branch mispredicted per value)."""
    cdef uint64_t w0, w1, w2, w3
    memcpy(&w0, src, 8)
    memcpy(&w1, src + 8, 8)
    memcpy(&w2, src + 16, 8)
    memcpy(&w3, src + 24, 8)
    memcpy(dst, &w0, 8)
    memcpy(dst + 8, &w1, 8)
    memcpy(dst + 16, &w2, 8)
    memcpy(dst + 24, &w3, 8)
    return (((w0 & _tail(n)) | (w1 & _tail(n - 8)) | (w2 & _tail(n - 16)) | (w3 & _tail(n - 24)))
            & 0x8080808080808080ULL) == 0


cdef struct TextCall:
    const uint8_t* bp
    int64_t nbuf
    const int64_t* off
    const uint16_t* ln
    const int64_t* tokens
    const int64_t* rows
    Py_ssize_t n
    Py_ssize_t nrows
    int64_t* offsets
    uint8_t* dp
    uint8_t* valid


cdef int64_t _text_call(void* a) noexcept nogil:
    cdef TextCall* c = <TextCall*>a
    cdef Py_ssize_t j, q = 0, rw
    cdef int64_t o, L, p = 0
    c.offsets[0] = 0
    for j in range(c.n):
        if j + 8 < c.n:
            prefetch(c.bp + c.off[c.tokens[j + 8]])        # the values are far apart: a miss each
        rw = c.rows[j]
        while q < rw:                                       # rows without a value: empty, null
            q += 1
            c.offsets[q] = p
        o = c.off[c.tokens[j]]
        L = c.ln[c.tokens[j]]
        if L <= 32 and o + 32 <= c.nbuf and _copy_ascii32(c.dp + p, c.bp + o, L):
            p += L
        else:
            p += to_utf8(c.dp + p, c.bp + o, L)
        c.valid[rw] = 1
        c.offsets[rw + 1] = p
        q = rw + 1
    while q < c.nrows:
        q += 1
        c.offsets[q] = p
    return p


def text_column(const uint8_t[::1] buf, const int64_t[::1] off, const uint16_t[::1] ln,
                const int64_t[::1] tokens, const int64_t[::1] rows, Py_ssize_t nrows):
    """The values of ``tokens`` (latin-1 -> UTF-8, kept exactly, never stripped) as rows ``rows``
    (increasing) of a large_string column of nrows rows; rows without a value are null. Returns
    (offsets int64, data, valid). One pass: the two it took before (measuring the UTF-8 size, then
    writing) cost 1.1 ms for 24k control numbers, this 0.3 ms."""
    cdef Py_ssize_t n = tokens.shape[0], j
    cdef int64_t cap = 32, p
    cdef int faulted = 0
    cdef TextCall c
    if rows.shape[0] != n or off.shape[0] != ln.shape[0]:
        raise ValueError("text_column: a row a token, an offset a length")
    for j in range(n):
        if not (0 <= tokens[j] < ln.shape[0] and 0 <= rows[j] < nrows):
            raise ValueError("text_column: a token or row out of range")
        cap += 2 * ln[tokens[j]]
    offsets_np = np.empty(nrows + 1, dtype=np.int64)
    data_np = np.empty(cap, dtype=np.uint8)
    valid_np = np.zeros(nrows, dtype=np.uint8)
    cdef int64_t[::1] offsets = offsets_np
    cdef uint8_t[::1] data = data_np
    cdef uint8_t[::1] valid = valid_np
    c.bp = &buf[0] if buf.shape[0] else NULL
    c.nbuf = buf.shape[0]
    c.off = &off[0] if off.shape[0] else NULL
    c.ln = &ln[0] if ln.shape[0] else NULL
    c.tokens = &tokens[0] if n else NULL
    c.rows = &rows[0] if rows.shape[0] else NULL
    c.n, c.nrows = n, nrows
    c.offsets, c.dp = &offsets[0], &data[0]
    c.valid = &valid[0] if nrows else NULL
    with nogil:
        p = guarded(_text_call, &c, &faulted)
    if faulted:
        raise input_changed()
    return offsets_np, data_np[:p], valid_np


cdef inline int32_t _days_from_civil(int y, int m, int d) noexcept nogil:
    # days since 1970-01-01 (H. Hinnant's algorithm)
    y -= m <= 2
    cdef int era = (y if y >= 0 else y - 399) // 400
    cdef int yoe = y - era * 400
    cdef int doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    cdef int doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


cdef inline bint _digits8(const uint8_t* p, int64_t n, int64_t* out) noexcept nogil:
    """1-8 ASCII digits and nothing else (the common case) as one word: the value in three
    multiplications. 8 bytes at p must be readable. Against parse_int's byte loop:
    integer columns 8.5 -> 4.3 ns a value."""
    cdef uint64_t w
    cdef int64_t k = 1 if n < 1 else (8 if n > 8 else n)
    memcpy(&w, p, 8)
    w = (w << (8 * (8 - k))) | ((0x3030303030303030ULL >> (8 * k - 8)) >> 8)   # "00000123"
    cdef bint digits = (((w - 0x3030303030303030ULL) | (w + 0x4646464646464646ULL) | w)
                        & 0x8080808080808080ULL) == 0
    w = ((w & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8                  # digit pairs
    w = ((w & 0x00FF00FF00FF00FFULL) * 6553601) >> 16              # groups of four
    out[0] = <int64_t>(((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32)
    return digits & (k == n)


# Days from the epoch to the first of each month, 1900-2199: a date is then a lookup and an add.
# With the 8-byte digit check below, 137 -> ~25 instructions a date (callgrind).
cdef int32_t MONTH0[300][13]
cdef int _yy, _mm
for _yy in range(300):
    for _mm in range(1, 13):
        MONTH0[_yy][_mm] = _days_from_civil(1900 + _yy, _mm, 1)


cdef inline int _parse_date(const uint8_t* p, int64_t n, int32_t* out) noexcept nogil:
    """1 a date (days since 1970-01-01 in out), 0 absent (00000000), -1 not a date."""
    cdef int d, m, y
    cdef int rc = parse_dmy(p, n, &d, &m, &y)
    if rc != 1:
        return rc
    if 1900 <= y < 2200:
        out[0] = MONTH0[y - 1900][m] + d - 1
    else:
        out[0] = _days_from_civil(y, m, d)
    return 1


cdef struct Bad:
    int64_t* at           # byte offset of a value that does not fit its column
    int32_t* col          # its column (slot * MAXF + column), -1 where there is none
    int8_t* why           # W_*
    Py_ssize_t n
    Py_ssize_t cap


cdef inline int _note(Bad* b, int64_t i, int c, int why) noexcept nogil:
    """Append (value offset, column, why) to the list of bad values; -1 when memory runs out."""
    cdef Py_ssize_t cap
    if b.n == b.cap:
        cap = b.cap * 2 if b.cap else 64
        if grow(<void**>&b.at, cap * 8) or grow(<void**>&b.col, cap * 4) or grow(<void**>&b.why, cap):
            return -1
        b.cap = cap
    b.at[b.n] = i
    b.col[b.n] = c
    b.why[b.n] = <int8_t>why
    b.n += 1
    return 0


cdef inline int _note_bad(Bad* b, int64_t i, int c) noexcept nogil:
    """A value that does not fit its column's kind."""
    return _note(b, i, c, W_VALUE)


cdef struct Rows:
    # The rows of one table: its segment's occurrences, found by pass 1.
    int64_t* first        # token of the segment's own tag
    int64_t* end          # one past the segment's last token
    int64_t* rec          # record index (the source's numbering)
    int32_t* pos          # order of the segment within its record
    Py_ssize_t n
    Py_ssize_t cap


cdef int _push_row(Rows* R, int64_t first, int64_t rec, int32_t pos) noexcept nogil:
    cdef Py_ssize_t cap
    if R.n == R.cap:
        cap = R.cap * 2 if R.cap else 16      # (1024 rows: 28 KB for a table of one row)
        if (grow(<void**>&R.first, cap * 8) or grow(<void**>&R.end, cap * 8)
                or grow(<void**>&R.rec, cap * 8) or grow(<void**>&R.pos, cap * 4)):
            return -1
        R.cap = cap
    R.first[R.n] = first
    R.end[R.n] = first + 1
    R.rec[R.n] = rec
    R.pos[R.n] = pos
    R.n += 1
    return 0


cdef struct Dict:
    # A code column's distinct values, by where they first occur in the input (the bytes stay there).
    int32_t* table        # open addressing: dictionary index + 1, 0 empty; the load is kept <= 1/2
    int64_t tcap          # slots in table (a power of 2)
    uint64_t* hash
    uint64_t* head        # the value's first 16 bytes, as two words (zero past its end)
    int64_t* at           # byte offset of the value's first occurrence
    int32_t* length
    int64_t n
    int64_t cap


cdef inline uint64_t _word(const uint8_t* p, int64_t n, bint over) noexcept nogil:
    """The first n bytes at p (n clamped to 0..8) as a little-endian word, zero above them. ``over``:
    8 bytes at p may be read (one load and a mask instead of a byte loop)."""
    cdef uint64_t w = 0
    cdef int64_t k
    if over:
        memcpy(&w, p, 8)
        return w & _tail(n)
    for k in range(n if n < 8 else 8):
        w |= (<uint64_t>p[k]) << (8 * k)
    return w


cdef inline int _dict_room(Dict* D) noexcept nogil:
    """Room in D for one more value: its table kept at most half full, its arrays grown; -1 when
    memory runs out."""
    cdef int64_t cap, k, slot
    cdef int32_t* bigger
    if 2 * (D.n + 1) > D.tcap:
        cap = D.tcap * 2 if D.tcap else 16
        bigger = <int32_t*>calloc(cap, 4)
        if bigger == NULL:
            return -1
        for k in range(D.n):
            slot = <int64_t>(D.hash[k] & <uint64_t>(cap - 1))
            while bigger[slot]:
                slot = (slot + 1) & (cap - 1)
            bigger[slot] = <int32_t>(k + 1)
        free(D.table)
        D.table = bigger
        D.tcap = cap
    if D.n == D.cap:
        cap = D.cap * 2 if D.cap else 8
        if (grow(<void**>&D.hash, cap * 8) or grow(<void**>&D.head, cap * 16) or grow(<void**>&D.at, cap * 8)
                or grow(<void**>&D.length, cap * 4)):
            return -1
        D.cap = cap
    return 0


cdef inline int32_t _dict_put(Dict* D, int64_t slot, uint64_t h, int64_t at, int64_t L) noexcept nogil:
    """A new value's entry (room made by _dict_room): its hash, where it is (or, for K_NEG, the value
    itself) and its length, at the empty table slot its probe ended on. -> its index."""
    cdef int32_t e = <int32_t>D.n
    D.hash[e] = h
    D.at[e] = at
    D.length[e] = <int32_t>L
    D.n += 1
    D.table[slot] = e + 1
    return e


cdef int32_t _dict_index(Dict* D, const uint8_t* bp, int64_t o, int64_t L, bint over) noexcept nogil:
    """The dictionary index of the value at o (added when new); -1 when memory runs out. ``over``:
    24 bytes past the value may be read. A value of up to 16 bytes (every code but a few messages)
    is hashed and compared as two words, without a byte loop or a memcmp: pyarrow's
    dictionary_encode after decoding as text took 3.4 ms for the TL user name, this 1 ms."""
    cdef uint64_t w0 = _word(bp + o, L, over), w1 = _word(bp + o + 8, L - 8, over)
    cdef uint64_t h = (w0 * 0x9E3779B97F4A7C15ULL) ^ ((w1 + <uint64_t>L) * 0xC2B2AE3D27D4EB4FULL)
    cdef int64_t slot, k
    cdef int32_t e
    k = 16
    while k < L:
        h = (h ^ _word(bp + o + k, L - k, over)) * 0xFF51AFD7ED558CCDULL
        k += 8
    h ^= h >> 32
    if _dict_room(D):
        return -1
    slot = <int64_t>(h & <uint64_t>(D.tcap - 1))
    while True:
        e = D.table[slot]
        if e == 0:
            break
        e -= 1
        if (D.head[2 * e] == w0 and D.head[2 * e + 1] == w1 and D.length[e] == L
                and (L <= 16 or memcmp(bp + D.at[e] + 16, bp + o + 16, L - 16) == 0)):
            return e
        slot = (slot + 1) & (D.tcap - 1)
    e = _dict_put(D, slot, h, o, L)
    D.head[2 * e] = w0
    D.head[2 * e + 1] = w1
    return e


cdef int32_t _neg_index(Dict* D, int64_t x) noexcept nogil:
    """The dictionary index of the negative amount x in a K_NEG column's Dict (its ``at`` holds the
    values themselves); -1 when memory runs out."""
    cdef uint64_t h = <uint64_t>x * 0x9E3779B97F4A7C15ULL
    cdef int64_t slot
    cdef int32_t e
    h ^= h >> 29
    if _dict_room(D):
        return -1
    slot = <int64_t>(h & <uint64_t>(D.tcap - 1))
    while True:
        e = D.table[slot]
        if e == 0:
            break
        if D.at[e - 1] == x:
            return e - 1
        slot = (slot + 1) & (D.tcap - 1)
    return _dict_put(D, slot, h, x, 0)


cdef struct CodesCall:
    const uint8_t* bp
    int64_t nbuf
    const int64_t* off
    const uint16_t* ln
    const int64_t* tokens
    Py_ssize_t n
    Py_ssize_t ntok
    int32_t* index
    Dict* dict


cdef int64_t _codes_call(void* a) noexcept nogil:
    """-1 when memory runs out, -2 for a token out of range."""
    cdef CodesCall* c = <CodesCall*>a
    cdef Py_ssize_t j, t, ntok = c.ntok
    cdef int64_t o, L
    cdef int32_t ix
    for j in range(c.n):
        # tokens far apart: their index entries prefetched 16 ahead, their bytes 8 ahead
        if j + 16 < c.n and 0 <= c.tokens[j + 16] < ntok:
            prefetch(c.off + c.tokens[j + 16])
            prefetch(c.ln + c.tokens[j + 16])
        if j + 8 < c.n and 0 <= c.tokens[j + 8] < ntok and 0 <= c.off[c.tokens[j + 8]] < c.nbuf:
            prefetch(c.bp + c.off[c.tokens[j + 8]])
        t = c.tokens[j]
        if not 0 <= t < ntok:
            return -2
        o = c.off[t]
        L = c.ln[t]
        if o < 0 or o + L > c.nbuf:
            return -2
        ix = _dict_index(c.dict, c.bp, o, L, o + L + 24 <= c.nbuf)
        if ix < 0:
            return -1
        c.index[j] = ix
    return 0


def token_codes(const uint8_t[::1] buf, const int64_t[::1] off, const uint16_t[::1] ln,
                const int64_t[::1] tokens):
    """The distinct values (their bytes) of ``tokens``: (index int32 a token: its value's number,
    first int64 a distinct value: the token where it first occurs). For rules that hold per value
    (a catalogue's codes), to apply once a distinct value: decoding the same values as text and
    pyarrow's dictionary_encode took 40-160 ms for the 1.3M codes of the 50 MB corpus, this 16-19."""
    cdef Py_ssize_t n = tokens.shape[0], j, k
    cdef Dict d
    cdef CodesCall c
    cdef int faulted = 0
    cdef int64_t rc
    if off.shape[0] != ln.shape[0]:
        raise ValueError("token_codes: an offset a length")
    index_np = np.empty(n, dtype=np.int32)
    cdef int32_t[::1] index = index_np
    cdef int64_t[::1] first
    memset(&d, 0, sizeof(Dict))
    c.bp = &buf[0] if buf.shape[0] else NULL
    c.nbuf = buf.shape[0]
    c.off = &off[0] if off.shape[0] else NULL
    c.ln = &ln[0] if ln.shape[0] else NULL
    c.tokens = &tokens[0] if n else NULL
    c.n, c.ntok = n, off.shape[0]
    c.index = &index[0] if n else NULL
    c.dict = &d
    try:
        with nogil:
            rc = guarded(_codes_call, &c, &faulted)
        if faulted:
            raise input_changed()
        if rc == -2:
            raise ValueError("token_codes: a token out of range")
        if rc:
            raise MemoryError()
        # the distinct values' first tokens: a value's ``at`` is the byte offset of its first
        # occurrence, which is the offset of the first token with that index
        first_np = np.empty(d.n, dtype=np.int64)
        first = first_np
        for j in range(n - 1, -1, -1):
            first[index[j]] = tokens[j]
        return index_np, first_np
    finally:
        free(d.table)
        free(d.hash)
        free(d.head)
        free(d.at)
        free(d.length)


cdef struct Col:
    # One output column while it is being filled.
    int kind
    uint8_t* valid        # 1 value, 0 null: written for every row
    char* val             # int64 values | int32 days | int32 dictionary indices | int64 text offsets
    uint8_t* data         # text: UTF-8 bytes (malloc'd, grows geometrically)
    int64_t size          # text: bytes written; code2: distinct values so far
    int64_t present       # rows with a value (all of them: no validity bitmap needed)
    int64_t cap           # text: capacity of data
    int32_t* lut          # code2: key slot -> dictionary index + 1 (0: not seen yet)
    int32_t* keys         # code2: dictionary index -> key (length << 16 | byte1 << 8 | byte0)
    Dict dict             # code: the distinct values so far
    int64_t max_len       # the field's maximum length: a longer value is not stored here (_long)
    int index             # the column's number in its table
    int longer            # the column of the tag's longer reading (Field.short), -1: none
    int64_t* mlong        # that column's rows of M and ML (NULL: none)
    uint16_t* lllong
    int64_t* doff         # code: the dictionary's values as UTF-8 large_string offsets (dn + 1) ...
    uint8_t* ddata        # ... and bytes (built after pass 2, handed to the table's _Owner)
    int64_t dn
    Col* neg              # amount: the K_NEG column its negative values go to (NULL: none)
    int spell             # code: the width a numeric code is spelled to (Field.code_width), -1: as read
    int by                # code: the column whose values set that width per row (code_width_by), -1: none


cdef enum:
    NKEY = 1 + 256 + 65536  # code2 key slots: the empty value, 1-byte and 2-byte values
    # Rows per block. Pass A marks, for a block of rows, where each field's value is (a field x row
    # matrix of byte offsets and lengths); pass B then fills one column at a time over the block, so
    # it writes 1-3 sequential streams instead of ~90 interleaved ones (44 TL columns x values +
    # valid), and dispatches on a column's kind once per block instead of once per token. 256, 1024
    # and 2048 rows measured 2-5% slower.
    BLOCK = 512
    # Tokens a window of the fill (_fill_call): every table's rows in one window before the next, so
    # that the window's token index and input bytes are read from cache by each table in turn (table
    # after table over the whole input, each streamed the index from memory again: the fill took 9 ns
    # a token on 1 MB, 14.6 on 50 MB). Fill of the 50 MB corpus 73-75 -> 61-62 ms (min of 40); 8k,
    # 16k, 32k and 256k tokens 62-64 ms.
    WINDOW = 65536
    # A field's row of the matrix: BLOCK + 8 entries, so that a row's fields do not all fall in one
    # L1 set (a stride of exactly 4 KiB made pass A's check the hottest instruction, 11% of the time).
    MSTRIDE = BLOCK + 8
    # Dates already read (DMEMO slots: the raw DDMMYYYY word and its day), kept with the scratch
    # matrices across fills, a date being the same day whatever the input. The 5 MB corpus has ~99k
    # dates of ~5.4k distinct values: 94% are found here (4096 slots).
    DMEMO_BITS = 12
    DMEMO = 1 << DMEMO_BITS


cdef inline int _width(int kind) noexcept nogil:
    """Bytes a value takes in a fixed-width column: int64 numbers, int32 days and dictionary indices
    (text columns hold int64 offsets, one more than their rows)."""
    return 8 if kind == K_INT or kind == K_AMOUNT else 4


cdef int _text_room(Col* c, int64_t need) noexcept nogil:
    cdef int64_t cap = c.cap * 2 if c.cap * 2 > need else need
    if grow(<void**>&c.data, cap):
        return -1
    c.cap = cap
    return 0


cdef int _again(const int8_t* again, int f, Py_ssize_t j, const int64_t* M) noexcept nogil:
    """Pass A's slow path: the column for a value whose tag's column f is already filled in row j --
    the tag's next occurrence (Field.repeat), or -1 - f when the field has no more (a repeat the
    spec does not allow); -1 - SINK for an unknown tag (it maps to SINK, never filled in), -1 - SKIP
    for a tag passed over."""
    cdef int first = f
    if f == SINK or f == SKIP:
        return -1 - f
    while M[f * MSTRIDE + j] >= 0:
        if again[f] < 0:
            return -1 - first
        f = again[f]
    return f


cdef int _decode_block(const Rows* R, Py_ssize_t b0, Py_ssize_t b1, Col* cols, int nf, int s,
                       const int8_t* frow, const int8_t* again, int64_t* M, uint16_t* ML, const int64_t* offp,
                       const uint16_t* lnp, const uint16_t* tagp, const uint8_t* bp,
                       int64_t nbuf, Bad* bad) noexcept nogil:
    """Rows b0..b1 of one table into its columns; -1 when memory runs out."""
    cdef Py_ssize_t j, row, nb = b1 - b0
    cdef int64_t i, o
    cdef int f, rc
    cdef Col* col
    # pass A: where each (column, row) value is (M: byte offset, -1 absent; ML: length). The value
    # bytes are prefetched for pass B: without, pass 2 took 47 instead of 43 ms on the 57 MB corpus's
    # TL table. (Summing offsets from the lengths, the tokens being laid end to end, instead of loading
    # them was slower: 47 against 42 ms.) M arrives all -1 (set once by the caller; pass B puts -1
    # back behind it). The one test is whether the column is free: an unknown tag maps to SINK, whose
    # row is never -1 (nor SKIP's), so unknown and skipped tags and repeats all take _again, the slow path. Lengths are checked
    # in pass B, column by column against one maximum (checked here, with a second table per tag, pass
    # A kept one more pointer live, spilled to the stack and took 25 instructions a token instead of
    # 18: callgrind, 12 MB corpus).
    for j in range(nb):
        row = b0 + j
        for i in range(R.first[row], R.end[row]):
            f = frow[tagp[i]]
            if M[f * MSTRIDE + j] >= 0:
                f = _again(again, f, j, M)
                if f < 0:
                    if f == -1 - SKIP:
                        continue
                    if _note(bad, offp[i], -1 if f == -1 - SINK else s * MAXF + (-1 - f),
                             W_UNKNOWN_TAG if f == -1 - SINK else W_REPEATED):
                        return -1
                    continue
            o = offp[i]
            M[f * MSTRIDE + j] = o
            ML[f * MSTRIDE + j] = lnp[i]
            prefetch(bp + o)
    # pass B: column by column; a column's values longer than its field allows go to the column of a
    # longer reading of the tag (which comes after: tables.py orders them so) or are left out (_long)
    for f in range(nf):
        col = &cols[f]
        if col.kind == K_LEVEL:                             # every row written after the fill
            continue
        if col.kind != K_TEXT and col.kind != K_DIGITS:     # absent and invalid values: 0 and null
            memset(col.val + b0 * _width(col.kind), 0, nb * _width(col.kind))
            memset(col.valid + b0, 0, nb)
    for f in range(nf):
        col = &cols[f]
        if col.kind == K_NEG or col.kind == K_LEVEL:        # by its amount column's cells; after the fill
            continue
        if col.kind == K_TEXT or col.kind == K_DIGITS:
            rc = _text_cells(col, M + f * MSTRIDE, ML + f * MSTRIDE, b0, nb, bp, nbuf, bad, s * MAXF + f)
        elif col.kind == K_CODE2:
            rc = _code2_cells(col, M + f * MSTRIDE, ML + f * MSTRIDE, b0, nb, bp, bad, s * MAXF + f)
        elif col.kind == K_CODE:
            rc = _code_cells(col, M + f * MSTRIDE, ML + f * MSTRIDE, b0, nb, bp, nbuf, bad, s * MAXF + f)
        elif col.kind == K_DATE:
            rc = _date_cells(col, M + f * MSTRIDE, ML + f * MSTRIDE, b0, nb, bp, nbuf,
                             <uint64_t*>(ML + MAXF * MSTRIDE), bad, s * MAXF + f)
        else:
            rc = _int_cells(col, M + f * MSTRIDE, ML + f * MSTRIDE, b0, nb, bp, nbuf, bad, s * MAXF + f)
        if rc:
            return -1
    return 0


cdef int _long(Col* col, Py_ssize_t j, int64_t o, int64_t L, Bad* bad, int c) noexcept nogil:
    """A value of column ``col`` (row j of the block) longer than its field allows: to the column of
    the tag's longer reading (its row j, when free), or noted (too long, or a repeat when that column
    is already filled) and left out. -1 when memory runs out."""
    if col.mlong != NULL:
        if col.mlong[j] < 0:
            col.mlong[j] = o
            col.lllong[j] = <uint16_t>L
            return 0
        return _note(bad, o, c - col.index + col.longer, W_REPEATED)
    return _note(bad, o, c, W_TOO_LONG)


# The cells of one column over a block: Mf[j] the value's offset (-1 absent; a present one is put
# back to -1 here), Lf[j] its length. Each returns -1 when memory runs out. (Taking absent values down the same path
# as present ones, reading a block of "0"s, to avoid a branch per cell on sparse columns was tried:
# 53 ms against 48 ms for the TL table, the parsers doing work for every cell.)

cdef int _text_cells(Col* col, int64_t* Mf, const uint16_t* Lf, Py_ssize_t b0, Py_ssize_t nb,
                     const uint8_t* bp, int64_t nbuf, Bad* bad, int c) noexcept nogil:
    cdef int64_t* offs = <int64_t*>col.val + b0 + 1
    cdef uint8_t* valid = col.valid + b0
    cdef int64_t p = col.size, o, L, present = 0
    cdef Py_ssize_t j
    cdef bint digits = col.kind == K_DIGITS
    cdef int64_t mx = col.max_len
    # Room for the whole block once (a stored value is at most mx bytes, 2 mx as UTF-8, and the word
    # copies write up to 32 past it), instead of a check a value: 9 instructions a text value of the
    # 5 MB corpus (callgrind). A field of a huge maximum keeps the check a value.
    cdef int64_t need = nb * (2 * mx + 32)
    cdef bint roomy = mx <= 1000                    # as fill sized col.cap
    if roomy and p + need > col.cap and _text_room(col, p + need):
        return -1
    for j in range(nb):
        o = Mf[j]
        Mf[j] = -1
        if o >= 0 and Lf[j] > mx:
            if _long(col, j, o, Lf[j], bad, c):
                return -1
            o = -1
        if o >= 0 and digits and not _digits_or_blanks(bp + o, Lf[j], o + 32 <= nbuf):
            if _note_bad(bad, o, c):                # a numeric field holding other bytes: null
                return -1
            o = -1
        if o >= 0:
            L = Lf[j]
            if not roomy and p + 2 * L + 32 > col.cap and _text_room(col, p + 2 * L + 32):
                return -1
            if L <= 32 and o + 32 <= nbuf and _copy_ascii32(col.data + p, bp + o, L):
                p += L
            elif o + L + 8 <= nbuf and _copy_ascii(col.data + p, bp + o, L):
                p += L
            else:
                p += to_utf8(col.data + p, bp + o, L)
            present += 1
        valid[j] = o >= 0
        offs[j] = p
    col.size = p
    col.present += present
    return 0


cdef int _code2_cells(Col* col, int64_t* Mf, const uint16_t* Lf, Py_ssize_t b0, Py_ssize_t nb,
                      const uint8_t* bp, Bad* bad, int c) noexcept nogil:
    cdef int32_t* v32 = <int32_t*>col.val + b0
    cdef uint8_t* valid = col.valid + b0
    cdef int64_t o, L
    cdef int32_t ix, slot
    cdef Py_ssize_t j
    for j in range(nb):
        o = Mf[j]
        if o < 0:
            continue
        Mf[j] = -1
        L = Lf[j]
        if L > col.max_len:
            if _long(col, j, o, L, bad, c):
                return -1
            continue
        if L == 0:
            slot = 0
        elif L == 1:
            slot = 1 + bp[o]
        elif L == 2:
            slot = 257 + bp[o] + (bp[o + 1] << 8)
        else:
            if _note_bad(bad, o, c):                    # longer than the field allows: null
                return -1
            continue
        ix = col.lut[slot] - 1
        if ix < 0:
            ix = <int32_t>col.size
            col.size += 1
            col.lut[slot] = ix + 1
            col.keys[ix] = <int32_t>((L << 16) | (bp[o] if L > 0 else 0) | ((bp[o + 1] << 8) if L > 1 else 0))
        v32[j] = ix
        valid[j] = 1
        col.present += 1
    return 0


cdef inline bint _same(const uint8_t* p, const uint8_t* q, int64_t L, bint over) noexcept nogil:
    """The L bytes at p and q are the same (``over``: 16 bytes at each may be read: two words)."""
    cdef uint64_t a0, a1, b0, b1
    if over and L <= 16:
        memcpy(&a0, p, 8)
        memcpy(&a1, p + 8, 8)
        memcpy(&b0, q, 8)
        memcpy(&b1, q + 8, 8)
        return (((a0 ^ b0) & _tail(L)) | ((a1 ^ b1) & _tail(L - 8))) == 0
    return memcmp(p, q, L) == 0


cdef int _code_cells(Col* col, int64_t* Mf, const uint16_t* Lf, Py_ssize_t b0, Py_ssize_t nb,
                     const uint8_t* bp, int64_t nbuf, Bad* bad, int c) noexcept nogil:
    cdef int32_t* v32 = <int32_t*>col.val + b0
    cdef uint8_t* valid = col.valid + b0
    cdef int64_t o, L, present = 0, lo = -1, lL = -1
    cdef int32_t ix, lix = -1
    cdef Py_ssize_t j
    for j in range(nb):
        o = Mf[j]
        if o < 0:
            continue
        Mf[j] = -1
        L = Lf[j]
        if L > col.max_len:
            if _long(col, j, o, L, bad, c):
                return -1
            continue
        # the previous row's value again (a TL member code: 9 rows in 10 on the 5 MB corpus, 44% of
        # the longer codes): one memcmp of a few bytes instead of a hash and a probe, ~60 instructions
        if L == lL and _same(bp + o, bp + lo, L, o + 16 <= nbuf and lo + 16 <= nbuf):
            ix = lix
        else:
            ix = _dict_index(&col.dict, bp, o, L, o + L + 24 <= nbuf)
            if ix < 0:
                return -1
            lo, lL, lix = o, L, ix
        v32[j] = ix
        valid[j] = 1
        present += 1
    col.present += present
    return 0


cdef int _date_cells(Col* col, int64_t* Mf, const uint16_t* Lf, Py_ssize_t b0, Py_ssize_t nb,
                     const uint8_t* bp, int64_t nbuf, uint64_t* memo, Bad* bad, int c) noexcept nogil:
    """``memo``: DMEMO words, then DMEMO days (int32). A date found there is one multiply, a load and a
    compare: the date cells of a fill of the 5 MB corpus (~100k dates) 8.7M -> 5.6M instructions
    (callgrind; a branch-free parse of the word instead of the byte-wise one below made no difference)."""
    cdef int32_t* v32 = <int32_t*>col.val + b0
    cdef uint8_t* valid = col.valid + b0
    cdef int32_t* mday = <int32_t*>(memo + DMEMO)
    cdef int64_t o, present = 0
    cdef uint64_t w, h
    cdef int32_t dd
    cdef int rc
    cdef Py_ssize_t j
    for j in range(nb):
        o = Mf[j]
        if o < 0:
            continue
        Mf[j] = -1
        if Lf[j] > col.max_len:
            if _long(col, j, o, Lf[j], bad, c):
                return -1
            continue
        if Lf[j] == 8 and o + 8 <= nbuf:
            memcpy(&w, bp + o, 8)
            h = (w * 0x9E3779B97F4A7C15ULL) >> (64 - DMEMO_BITS)
            if memo[h] == w:                    # only dates go in: a word of digits, never 0
                v32[j] = mday[h]
                valid[j] = 1
                present += 1
                continue
            rc = _parse_date(bp + o, 8, &dd)
            if rc == 1:
                memo[h] = w
                mday[h] = dd
        else:
            rc = _parse_date(bp + o, Lf[j], &dd)
        if rc == 1:
            v32[j] = dd
            valid[j] = 1
            present += 1
        elif rc < 0 and _note_bad(bad, o, c):   # 0: 00000000, absent
            return -1
    col.present += present
    return 0


cdef int _int_cells(Col* col, int64_t* Mf, const uint16_t* Lf, Py_ssize_t b0, Py_ssize_t nb,
                    const uint8_t* bp, int64_t nbuf, Bad* bad, int c) noexcept nogil:
    cdef int64_t* vals = <int64_t*>col.val + b0
    cdef uint8_t* valid = col.valid + b0
    cdef int64_t o, x
    cdef int32_t ix
    cdef Py_ssize_t j
    for j in range(nb):
        o = Mf[j]
        if o < 0:
            continue
        Mf[j] = -1
        if Lf[j] > col.max_len:
            if _long(col, j, o, Lf[j], bad, c):
                return -1
            continue
        if ((o + 8 <= nbuf and _digits8(bp + o, Lf[j], &x))
                or parse_int(bp + o, Lf[j], col.kind == K_AMOUNT, &x)):
            if x < 0 and col.neg != NULL:
                # a code, not an amount (Field.negative): in the code column, the amount null.
                # In the fill against a Python pass after it: SC of the 57 MB corpus 1.8 -> ~0.1 ms
                ix = _neg_index(&col.neg.dict, x)
                if ix < 0:
                    return -1
                (<int32_t*>col.neg.val)[b0 + j] = ix
                col.neg.valid[b0 + j] = 1
                col.neg.present += 1
                continue
            vals[j] = x
            valid[j] = 1
            col.present += 1
        elif _note_bad(bad, o, c):
            return -1
    return 0




cdef int _neg_values(Col* col) noexcept nogil:
    """A K_NEG column's distinct values as their codes, "-" and the magnitude in at least max_len
    digits (-9 -> "-009" with 3), as UTF-8 large_string buffers; -1 when memory runs out."""
    cdef int64_t k, d, p = 0, n = col.dict.n, width = col.max_len
    cdef uint64_t v
    cdef uint8_t tmp[24]
    col.doff = <int64_t*>malloc((n + 1) * 8)
    col.ddata = <uint8_t*>malloc(n * (width + 24) + 8)
    if col.doff == NULL or col.ddata == NULL:
        return -1
    col.doff[0] = 0
    for k in range(n):
        v = <uint64_t>(-col.dict.at[k])          # >= 1: the parser reads at most 18 digits
        d = 0
        while v:
            tmp[d] = <uint8_t>(48 + v % 10)
            v //= 10
            d += 1
        col.ddata[p] = 45
        p += 1
        while width > d:
            col.ddata[p] = 48
            p += 1
            width -= 1
        width = col.max_len
        while d:
            d -= 1
            col.ddata[p] = tmp[d]
            p += 1
        col.doff[k + 1] = p
    col.dn = n
    return 0


# The bytes Python's str.strip() removes from a latin-1 value (chr(c).isspace()): a numeric code is
# spelled as tables.py spelled it in Python ("\xa004" -> "04").
cdef uint8_t SPACE[256]
for _k in range(256):
    SPACE[_k] = chr(_k).isspace()


cdef inline const uint8_t* _code_value(Col* col, int64_t k, const uint8_t* bp, uint8_t* two, int64_t* L) noexcept nogil:
    """Entry k of a code column's dictionary as it was read (latin-1): a pointer and its length."""
    if col.kind == K_CODE:
        L[0] = col.dict.length[k]
        return bp + col.dict.at[k]
    two[0] = col.keys[k] & 0xFF
    two[1] = (col.keys[k] >> 8) & 0xFF
    L[0] = col.keys[k] >> 16
    return two


cdef inline void _strip(const uint8_t* p, int64_t* a, int64_t* b) noexcept nogil:
    while a[0] < b[0] and SPACE[p[a[0]]]:
        a[0] += 1
    while b[0] > a[0] and SPACE[p[b[0] - 1]]:
        b[0] -= 1


cdef struct Spell:
    int32_t* memo          # (entry, width) -> new index, -1: not yet
    uint8_t* sp            # the spelled values, latin-1, end to end
    int64_t cap
    int64_t used
    Dict D                 # the spelled values' dictionary (offsets into sp)


cdef int _spell_rows(Col* col, const uint8_t* bp, const int32_t* row_width, int64_t nrows, int64_t nw,
                     Spell* S) noexcept nogil:
    cdef int64_t j, k, a, b, L, d, w, o, pad
    cdef int32_t* v32 = <int32_t*>col.val
    cdef int32_t ix
    cdef const uint8_t* p
    cdef uint8_t two[2]
    for j in range(nrows):
        if not col.valid[j]:
            continue
        w = col.spell if row_width == NULL else row_width[j]
        k = v32[j] * nw + (0 if row_width == NULL else w)
        if S.memo[k] < 0:
            p = _code_value(col, v32[j], bp, two, &L)
            if S.used + L + w + 32 > S.cap:
                if grow(<void**>&S.sp, 2 * (S.used + L + w + 32)):
                    return -1
                S.cap = 2 * (S.used + L + w + 32)
            a, b, o = 0, L, S.used
            _strip(p, &a, &b)
            d = a
            while d < b and is_digit(p[d]):
                d += 1
            if b > a and d == b:           # digits: str(int(v)).zfill(width)
                while a < b - 1 and p[a] == 48:
                    a += 1
                pad = w - (b - a)
                while pad > 0:
                    S.sp[S.used] = 48
                    S.used += 1
                    pad -= 1
                memcpy(S.sp + S.used, p + a, b - a)
                S.used += b - a
            else:                          # not digits: as read
                memcpy(S.sp + S.used, p, L)
                S.used += L
            ix = _dict_index(&S.D, S.sp, o, S.used - o, S.used + 24 <= S.cap)
            if ix < 0:
                return -1
            S.memo[k] = ix
        v32[j] = S.memo[k]
    col.doff = <int64_t*>malloc((S.D.n + 1) * 8)
    col.ddata = <uint8_t*>malloc(2 * S.used + 8)
    if col.doff == NULL or col.ddata == NULL:
        return -1
    col.doff[0] = 0
    o = 0
    for k in range(S.D.n):
        o += to_utf8(col.ddata + o, S.sp + S.D.at[k], S.D.length[k])
        col.doff[k + 1] = o
    col.dn = S.D.n
    return 0


cdef int _spelled_values(Col* col, const uint8_t* bp, const int32_t* row_width, int64_t nrows) noexcept nogil:
    """A numeric code column (Col.spell) with one spelling a value: blanks and leading zeros dropped,
    zeros put back to the row's width (``row_width``: one a row, else Col.spell); a value that is not
    digits stays as read. Writes the column's dictionary (doff, ddata: values in order of first
    occurrence, as the decoder's) and its rows' new indices into col.val; -1 when memory runs out.
    Against the Python pass after the import (pyarrow dictionaries, np.unique, a dict a value): the
    57 MB corpus's six spelled columns ~5 -> ~0.3 ms, one record's SC 30 -> ~2 us."""
    cdef int64_t nd = col.dict.n if col.kind == K_CODE else col.size
    cdef int64_t j, k, nw = 1, wmax = col.spell
    cdef int rc
    cdef Spell S
    memset(&S, 0, sizeof(Spell))
    if row_width != NULL:
        for j in range(nrows):
            if row_width[j] > wmax:
                wmax = row_width[j]
        nw = wmax + 1                      # memo per (entry, width): the annex's widths, 1-3
    S.memo = <int32_t*>malloc(max(nd * nw, 1) * 4)
    S.cap = 256
    S.sp = <uint8_t*>malloc(S.cap)
    rc = -1
    if S.memo != NULL and S.sp != NULL:
        for k in range(nd * nw):
            S.memo[k] = -1
        rc = _spell_rows(col, bp, row_width, nrows, nw, &S)
    free(S.memo)
    free(S.sp)
    free(S.D.table)
    free(S.D.hash)
    free(S.D.head)
    free(S.D.at)
    free(S.D.length)
    return rc


cdef int _dict_values(Col* col, const uint8_t* bp) noexcept nogil:
    """A code column's distinct values (K_CODE: from its Dict, where they first occur in the input;
    K_CODE2: from its keys) as UTF-8 large_string buffers in index order; -1 when memory runs out."""
    cdef int64_t k, p = 0, n = col.dict.n if col.kind == K_CODE else col.size
    cdef uint8_t b[2]
    if col.kind == K_CODE:
        for k in range(n):
            p += col.dict.length[k]
    else:
        p = 2 * n
    col.doff = <int64_t*>malloc((n + 1) * 8)
    col.ddata = <uint8_t*>malloc(2 * p + 8)
    if col.doff == NULL or col.ddata == NULL:
        return -1
    col.doff[0] = 0
    p = 0
    for k in range(n):
        if col.kind == K_CODE:
            p += to_utf8(col.ddata + p, bp + col.dict.at[k], col.dict.length[k])
        else:
            b[0] = col.keys[k] & 0xFF
            b[1] = (col.keys[k] >> 8) & 0xFF
            p += to_utf8(col.ddata + p, b, col.keys[k] >> 16)
        col.doff[k + 1] = p
    col.dn = n
    return 0


# The code2 columns' lookup tables (NKEY slots: 263 KB each, zero but where a column put its values)
# are kept across calls and given back cleared, slot by slot: allocating and zeroing one per column
# per call cost a read() of one 3.8 KB record ~30 of them (calloc of 263 KB is an mmap, its pages
# faulted in and unmapped again).
cdef list _LUTS = []          # (lut address, keys address), each lut all zero


cdef void _lut_take(Col* col) except *:
    if _LUTS:
        a, b = _LUTS.pop()
        col.lut, col.keys = <int32_t*><uintptr_t>a, <int32_t*><uintptr_t>b
        return
    col.lut = <int32_t*>calloc(NKEY, 4)       # zero pages: only the used ones fault
    col.keys = <int32_t*>malloc(NKEY * 4)
    if col.lut == NULL or col.keys == NULL:
        free(col.lut)
        free(col.keys)
        col.lut = col.keys = NULL
        raise MemoryError()


cdef void _lut_give(Col* col):
    """Clear the slots the column used and keep its tables for the next one (at most 64 kept)."""
    cdef int64_t k
    cdef int32_t key, L
    if col.lut == NULL:
        return
    for k in range(col.size):
        key = col.keys[k]
        L = key >> 16
        col.lut[0 if L == 0 else (1 + (key & 0xFF) if L == 1 else 257 + (key & 0xFFFF))] = 0
    if len(_LUTS) < 64:
        _LUTS.append((<uintptr_t>col.lut, <uintptr_t>col.keys))
    else:
        free(col.lut)
        free(col.keys)
    col.lut = col.keys = NULL


# The fill's scratch matrices (M: MAXF x MSTRIDE int64 = 266 KB, ML: 66 KB) are kept across calls:
# pass B leaves M as it found it (-1 but the SINK and SKIP rows), so a clean pair needs no memset.
# malloc + memset of a fresh pair (an mmap, 81 pages faulted in, unmapped again) cost read() of one
# 3.4 KB record ~70 us (fill 212 -> 142 us, before the per-column numpy arrays went too). A pair is handed out to one fill at a time (fills run in several threads,
# which hold the GIL here); a fill that fails frees its pair (it may be dirty).
cdef list _SCRATCH = []       # (M address, ML address), each clean


cdef object _scratch_take():
    cdef int64_t* M
    cdef uint16_t* ML
    if _SCRATCH:
        a, b = _SCRATCH.pop()
        return <uintptr_t>a, <uintptr_t>b
    M = <int64_t*>malloc(MAXF * MSTRIDE * 8)
    ML = <uint16_t*>malloc(MAXF * MSTRIDE * 2 + DMEMO * 12)      # and the dates memo after it
    if M == NULL or ML == NULL:
        free(M)
        free(ML)
        raise MemoryError()
    memset(M, 0xFF, MAXF * MSTRIDE * 8)
    memset(M + SKIP * MSTRIDE, 0, 2 * MSTRIDE * 8)    # unknown and skipped tags: "already filled"
    memset(ML + MAXF * MSTRIDE, 0, DMEMO * 8)         # no date yet
    return <uintptr_t>M, <uintptr_t>ML


cdef void _scratch_give(int64_t* M, uint16_t* ML):
    if len(_SCRATCH) < 4:
        _SCRATCH.append((<uintptr_t>M, <uintptr_t>ML))
    else:
        free(M)
        free(ML)


# ---- Arrow C Data Interface: a decoded table's columns as one RecordBatch ---------------------------
# Wrapping each column with pa.Array.from_buffers (and DictionaryArray.from_arrays, py_buffer, a
# bitmap through numpy) cost ~6 us a column: read() of one 3.4 KB hit record spent 1.2 of its ~2.7 ms
# there (166 columns). Filling the C structs here and importing the whole batch against the cached
# schema (pa.RecordBatch._import_from_c) costs ~1 us a column (the /tmp/cdi prototype: ~5x cheaper).

cdef struct ArrowArray:
    int64_t length
    int64_t null_count
    int64_t offset
    int64_t n_buffers
    int64_t n_children
    const void** buffers
    ArrowArray** children
    ArrowArray* dictionary
    void (*release)(ArrowArray*) noexcept nogil
    void* private_data


cdef int64_t _NO_BYTES[2]          # a non-NULL buffer for empty data


# Blocks of up to 128 KB kept across calls (the batches' C Data structs, a Segments' columns), so that
# a read() of one record no longer takes 14 blocks of 1-43 KB from glibc's heap and gives them back
# among the ~2,300 small objects Arrow allocates and frees a read, whose free chunks glibc walks and
# merges (malloc_consolidate and unlink_chunk, ~9% of such a read in perf, before and after). read()
# of one 3.4 KB record 502-508 -> 485-493 us, the records table made in a loop 115 -> 52 us (min of
# 20, a fresh process without pandas; with pandas imported, whose allocations leave glibc's heap in
# another shape, 430 us before and after). At most BLK_KEEP a class are kept (~4 MB in all). Taken
# and given back with the GIL held; a block's first 16 bytes hold its class (-1: a larger block,
# malloc'd and freed as before).
cdef enum:
    BLK_CLASSES = 8         # 1 KB << k, k = 0..7
    BLK_KEEP = 16           # blocks kept a class
cdef void* _blk_free[BLK_CLASSES][BLK_KEEP]
cdef int _blk_n[BLK_CLASSES]


cdef void* _blk_take(size_t size) noexcept:
    """``size`` zeroed bytes (NULL when memory runs out); give them back with _blk_give."""
    cdef int k = 0
    cdef char* p
    while k < BLK_CLASSES and (<size_t>1024 << k) < size + 16:
        k += 1
    if k == BLK_CLASSES:
        p = <char*>calloc(1, size + 16)
        k = -1
    elif _blk_n[k]:
        _blk_n[k] -= 1
        p = <char*>_blk_free[k][_blk_n[k]]
        memset(p + 16, 0, size)
    else:
        p = <char*>calloc(1, <size_t>1024 << k)
    if p == NULL:
        return NULL
    (<int64_t*>p)[0] = k
    return p + 16


cdef void _blk_give(void* q) noexcept:
    cdef char* p
    cdef int k
    if q == NULL:
        return
    p = <char*>q - 16
    k = <int>(<int64_t*>p)[0]
    if 0 <= k < BLK_CLASSES and _blk_n[k] < BLK_KEEP:
        _blk_free[k][_blk_n[k]] = p
        _blk_n[k] += 1
    else:
        free(p)


cdef void _child_release(ArrowArray* a) noexcept nogil:
    a.release = NULL               # the batch's release frees every child (one allocation)


cdef void _batch_release(ArrowArray* a) noexcept nogil:
    # private_data: the one block holding every struct (_blk_take); its first word the Python object
    # that keeps the buffers alive (the block, the text data, dictionaries, bitmaps)
    cdef void* mem = a.private_data
    cdef void* keep = (<void**>mem)[0]
    a.release = NULL
    with gil:
        _blk_give(mem)
        Py_DECREF(<object>keep)


cdef inline void _set(ArrowArray* c, const void** b, int nbuf, int64_t n, int64_t nulls) noexcept:
    c.length, c.null_count, c.offset, c.n_buffers = n, nulls, 0, nbuf
    c.buffers = b
    c.release = _child_release



cdef inline void _pack_bits(uint8_t* bm, const uint8_t* valid, int64_t n) noexcept nogil:
    """A byte a row (0 or 1) -> an Arrow validity bitmap: 8 rows a multiply (the bytes' low bits
    gathered into the top byte). A bit at a time made read() of the 57 MB corpus 13% slower than
    np.packbits (285 against 329 MB/s)."""
    cdef int64_t j, k
    cdef uint64_t w
    for j in range(n >> 3):
        memcpy(&w, valid + 8 * j, 8)
        bm[j] = <uint8_t>((w * 0x0102040810204080ULL) >> 56)
    for k in range((n >> 3) << 3, n):
        if valid[k]:
            bm[k >> 3] |= <uint8_t>(1 << (k & 7))


cdef class _Owner:
    """The malloc'd buffers of one table's columns (text data, dictionaries), freed with the last
    Arrow array over them: one Python object a table, not one (numpy array) a column."""
    cdef void** ptrs
    cdef int n

    def __dealloc__(self):
        cdef int k
        for k in range(self.n):
            free(self.ptrs[k])
        free(self.ptrs)



cdef int64_t _bits(uint8_t* bm, const uint8_t* flags, int64_t n, int64_t width) noexcept nogil:
    """Bits from ``n`` values ``width`` bytes apart (1, or 4 for int32 dictionary indices: set where
    the index is >= 0) -> bm (zeroed by the caller); returns how many bits are 0."""
    cdef int64_t j, zeros = 0
    cdef bint on
    for j in range(n):
        on = (<const int32_t*>flags)[j] >= 0 if width == 4 else flags[j] != 0
        if on:
            bm[j >> 3] |= <uint8_t>(1 << (j & 7))
        else:
            zeros += 1
    return zeros


cdef const uint8_t* _bytes_of(object a, int64_t nbytes, int k) except NULL:
    """The data of a C-contiguous numpy array of exactly ``nbytes`` bytes (any dtype)."""
    cdef cnp.ndarray x
    if not isinstance(a, cnp.ndarray):
        raise TypeError(f"arrays_batch: column {k}: numpy arrays")
    x = <cnp.ndarray>a
    if not cnp.PyArray_IS_C_CONTIGUOUS(x) or cnp.PyArray_NBYTES(x) != nbytes:
        raise ValueError(f"arrays_batch: column {k}: a contiguous array of {nbytes} bytes")
    return <const uint8_t*>cnp.PyArray_DATA(x) if nbytes else <const uint8_t*>_NO_BYTES


cdef int64_t _n_of(object a, int k) except -1:
    if not isinstance(a, cnp.ndarray):
        raise TypeError(f"arrays_batch: column {k}: numpy arrays")
    return cnp.PyArray_NBYTES(<cnp.ndarray>a)


cdef inline size_t _structs_size(int64_t ncols) noexcept nogil:
    """Bytes of a batch's C Data structs (see _lay_structs)."""
    return 16 + sizeof(ArrowArray) * (1 + 2 * ncols) + sizeof(void*) * (ncols + 1 + 6 * ncols)


cdef const void** _lay_structs(char* mem, int64_t ncols, int64_t n, ArrowArray** top, ArrowArray** kids,
                               ArrowArray** dicts) noexcept nogil:
    """A batch's C Data structs in one zeroed allocation of _structs_size(ncols) bytes: the owner's
    slot (16 bytes), the top struct of n rows, its ncols children, their dictionaries, the children
    pointers, then the buffer pointers (at most 3 a column and 3 a dictionary). -> the first
    child's buffer slot."""
    cdef int64_t k
    top[0] = <ArrowArray*>(mem + 16)
    kids[0] = top[0] + 1
    dicts[0] = kids[0] + ncols
    cdef ArrowArray** kidp = <ArrowArray**>(dicts[0] + ncols)
    cdef const void** bufs = <const void**>(kidp + ncols)
    top[0].length, top[0].n_buffers, top[0].n_children = n, 1, ncols
    top[0].buffers = bufs
    bufs[0] = NULL
    top[0].children = kidp
    for k in range(ncols):
        kidp[k] = &kids[0][k]
    return bufs + 1


cdef object _import_batch(char* mem, ArrowArray* top, object keep, object schema):
    """The batch whose structs are in mem, imported: ``keep`` (what its buffers live in) is released
    with it."""
    Py_INCREF(keep)
    (<void**>mem)[0] = <void*>keep
    top.private_data = mem
    top.release = _batch_release
    return pa.RecordBatch._import_from_c(<uintptr_t>top, schema)


cdef dict _WIDTHS = {}          # id(schema) -> (schema, kinds, its fields' byte widths): made once a schema


cdef int _byte_width(object t) except -1:
    """A fixed-width type's bytes when 1, 2, 4 or 8 (0 otherwise: arrays_batch refuses it)."""
    w = t.bit_width // 8
    return w if w in (1, 2, 4, 8) else 0


cdef bytes _widths(object schema, str kinds):
    """The byte width of each ``f`` field of ``schema`` (0 elsewhere), looked up once a schema (the
    schema kept beside, so that its id is not reused; at most 256 schemas kept, the process's few
    records schemas): ``schema.field(k).type.bit_width`` a column was ~2 of the records table's
    ~34 us for one record."""
    got = _WIDTHS.get(id(schema))
    if got is not None and got[1] == kinds:
        return got[2]
    w = bytes([_byte_width(schema.field(k).type) if kinds[k] == "f" else 0 for k in range(len(kinds))])
    if len(_WIDTHS) < 256:
        _WIDTHS[id(schema)] = (schema, kinds, w)
    return w


def arrays_batch(object schema, str kinds, list cols, int64_t n):
    """A RecordBatch of ``schema`` over C-contiguous numpy arrays, imported in one call through the C
    Data Interface (no copy but the bitmaps): for each field a kind and a tuple -- ``f`` fixed width
    (values, valid or None), ``b`` boolean (values, valid or None), ``s`` large_string (int64 offsets,
    UTF-8 data, valid or None), ``d`` dictionary of large_string (int32 indices, negative: null;
    the dictionary's int64 offsets and data). ``valid``: a byte a row, 0 null; values of 1, 4 or 8
    bytes as the field's type. The arrays are kept alive by the batch. The records table of one
    record (17 columns): 17 pa.array calls and a Table.from_arrays ~0.4M instructions, this ~0.1M
    (callgrind)."""
    cdef int ncols = len(kinds), k, nbm = 0, width
    cdef int64_t nb = (n + 7) >> 3, zeros, j, nd
    cdef size_t size
    cdef char* mem
    cdef ArrowArray* top
    cdef ArrowArray* kids
    cdef ArrowArray* dicts
    cdef const void** bufs
    cdef uint8_t* bm
    cdef const void* p[4]
    cdef const int64_t* o
    cdef const int32_t* ix
    cdef const void* ptrs[256]
    cdef int8_t kindc[64]
    if ncols > 64 or len(cols) != ncols or len(schema) != ncols or n < 0:
        raise ValueError("arrays_batch: a kind and a column for each field of the schema (at most 64)")
    wb = _widths(schema, kinds)
    cdef const uint8_t* widths = wb
    # checks and data pointers first (every 4 a column: values / offsets, valid, data, dictionary's)
    for k in range(ncols):
        c = cols[k]
        kd = kinds[k]
        ptrs[4 * k] = ptrs[4 * k + 1] = ptrs[4 * k + 2] = ptrs[4 * k + 3] = NULL
        if kd == "f" or kd == "b":
            width = widths[k] if kd == "f" else 1
            if width not in (1, 2, 4, 8):
                raise ValueError(f"arrays_batch: column {k}: not a fixed-width type")
            ptrs[4 * k] = _bytes_of(c[0], n * width, k)
            if c[1] is not None:
                ptrs[4 * k + 1] = _bytes_of(c[1], n, k)
                nbm += 1
            nbm += kd == "b"
            kindc[k] = 0 if kd == "f" else 1
        elif kd == "s":
            o = <const int64_t*>_bytes_of(c[0], 8 * (n + 1), k)
            ptrs[4 * k] = o
            ptrs[4 * k + 2] = _bytes_of(c[1], _n_of(c[1], k), k)
            if not 0 <= o[0] <= o[n] <= _n_of(c[1], k):
                raise ValueError(f"arrays_batch: column {k}: offsets past the data")
            for j in range(n):
                if o[j] > o[j + 1]:
                    raise ValueError(f"arrays_batch: column {k}: offsets that go back")
            if c[2] is not None:
                ptrs[4 * k + 1] = _bytes_of(c[2], n, k)
                nbm += 1
            kindc[k] = 2
        elif kd == "d":
            ix = <const int32_t*>_bytes_of(c[0], 4 * n, k)
            nd = _n_of(c[1], k) // 8 - 1
            if nd < 0:
                raise ValueError(f"arrays_batch: column {k}: a dictionary's offsets")
            o = <const int64_t*>_bytes_of(c[1], 8 * (nd + 1), k)
            ptrs[4 * k], ptrs[4 * k + 3] = ix, o
            ptrs[4 * k + 2] = _bytes_of(c[2], _n_of(c[2], k), k)
            if not 0 <= o[0] <= o[nd] <= _n_of(c[2], k):
                raise ValueError(f"arrays_batch: column {k}: dictionary offsets past its data")
            for j in range(nd):
                if o[j] > o[j + 1]:
                    raise ValueError(f"arrays_batch: column {k}: dictionary offsets that go back")
            for j in range(n):
                if ix[j] >= nd:
                    raise ValueError(f"arrays_batch: column {k}: an index past the dictionary")
            nbm += 1
            kindc[k] = 3
        else:
            raise ValueError(f"arrays_batch: kind {kd!r}")
    bitmaps = np.zeros(max(nbm * nb, 1), dtype=np.uint8)
    bm = <uint8_t*>cnp.PyArray_DATA(<cnp.ndarray>bitmaps)
    size = _structs_size(ncols)
    mem = <char*>_blk_take(size)
    if mem == NULL:
        raise MemoryError()
    keep = (tuple([tuple(c) for c in cols]), bitmaps)     # the arrays, whatever the caller does with cols
    bufs = _lay_structs(mem, ncols, n, &top, &kids, &dicts)
    for k in range(ncols):
        zeros = 0
        bufs[0] = NULL
        if kindc[k] == 3 or ptrs[4 * k + 1] != NULL:      # a validity bitmap where a row is null
            zeros = (_bits(bm, <const uint8_t*>ptrs[4 * k], n, 4) if kindc[k] == 3
                     else _bits(bm, <const uint8_t*>ptrs[4 * k + 1], n, 1))
            if zeros:
                bufs[0] = bm
                bm += nb
            else:                                         # every row valid: the bits cleared again
                memset(bm, 0, nb)
        if kindc[k] == 0:
            _set(&kids[k], bufs, 2, n, zeros)
            bufs[1] = ptrs[4 * k]
            bufs += 2
        elif kindc[k] == 1:
            _bits(bm, <const uint8_t*>ptrs[4 * k], n, 1)
            _set(&kids[k], bufs, 2, n, zeros)
            bufs[1] = bm
            bm += nb
            bufs += 2
        elif kindc[k] == 2:
            _set(&kids[k], bufs, 3, n, zeros)
            bufs[1], bufs[2] = ptrs[4 * k], ptrs[4 * k + 2]
            bufs += 3
        else:
            _set(&kids[k], bufs, 2, n, zeros)
            bufs[1] = ptrs[4 * k]
            bufs += 2
            _set(&dicts[k], bufs, 3, _n_of(cols[k][1], k) // 8 - 1, 0)
            bufs[0], bufs[1], bufs[2] = NULL, ptrs[4 * k + 3], ptrs[4 * k + 2]
            bufs += 3
            kids[k].dictionary = &dicts[k]
    return _import_batch(mem, top, keep, schema)


def block_plan(const int64_t[:, ::1] w_row, const int64_t[:, ::1] w_fix, const int64_t[::1] counts):
    """The fill plan of tables.py's _plan: per table slot and column, the byte offset of its part of one
    block -- w_row[s, c] * counts[s] + w_fix[s, c] bytes, each rounded up to 64, laid end to end in
    row-major order. Returns (plan int64 [slots, columns], total bytes). numpy's five temporaries of
    (slots x 130) and a cumsum were ~90k instructions a call (callgrind, 13 slots), this ~30k."""
    cdef Py_ssize_t ns = w_row.shape[0], nc = w_row.shape[1], s, c
    cdef int64_t at = 0, size
    if w_fix.shape[0] != ns or w_fix.shape[1] != nc or counts.shape[0] != ns:
        raise ValueError("block_plan: w_row, w_fix a row a slot, counts a count a slot")
    plan_np = np.empty((ns, nc), dtype=np.int64)
    cdef int64_t[:, ::1] plan = plan_np
    for s in range(ns):
        if counts[s] < 0:
            raise ValueError("block_plan: a negative count")
        for c in range(nc):
            size = (w_row[s, c] * counts[s] + w_fix[s, c] + 63) & ~(<int64_t>63)
            plan[s, c] = at
            at += size
    return plan_np, at


cdef struct FillCall:
    Rows* rows
    Col* cols
    int* nfs
    int* coff
    int nseg
    const int8_t* flut
    Py_ssize_t flut_w
    const int8_t* again
    Py_ssize_t again_w
    int64_t* M
    uint16_t* ML
    const int64_t* offp
    const uint16_t* lnp
    const uint16_t* tagp
    const uint8_t* bp
    int64_t nbuf
    Bad* bad


cdef int64_t _fill_call(void* a) noexcept nogil:
    """Pass 2 over every table, block by block, a window of WINDOW tokens at a time: each table's rows
    whose segment starts in the window, then the next window; -1 when memory runs out."""
    cdef FillCall* c = <FillCall*>a
    cdef int s
    cdef Py_ssize_t b0, b1, w
    cdef Py_ssize_t[MAXF] at
    cdef int64_t end = 0, last = 0
    for s in range(c.nseg):
        at[s] = 0
        if c.rows[s].n:
            last = max(last, c.rows[s].first[c.rows[s].n - 1] + 1)
    while end < last:
        end += WINDOW
        for s in range(c.nseg):
            b0 = at[s]
            w = b0
            while w < c.rows[s].n and c.rows[s].first[w] < end:
                w += 1
            while b0 < w:
                b1 = min(b0 + BLOCK, w)
                if _decode_block(&c.rows[s], b0, b1, &c.cols[c.coff[s]], c.nfs[s], s,
                                 c.flut + s * c.flut_w, c.again + s * c.again_w, c.M, c.ML, c.offp, c.lnp, c.tagp,
                                 c.bp, c.nbuf, c.bad):
                    return -1
                b0 = b1
            at[s] = w
    return 0


cdef class Program:
    """A format's field tables as the decoder reads them, checked and resolved once (tables.Decoding
    holds one), so that a Segments takes only the tokens: the ten tables as arguments of every call
    cost read() of one 3.4 KB record ~10 us of buffer acquisitions and checks.

    seg_unknown[tag code]: 1 for a segment the format does not define (its start is a bad value,
    W_UNKNOWN_SEGMENT); field_lut[slot, tag code]: the column a value goes to (UNKNOWN_COLUMN: the last
    slot, never a column); field_kind[slot, c]: a KIND_* code, or -1 past the last column (the
    columns of the fields first, then the KIND_NEG ones); field_max[slot, c]: the field's maximum
    length (a KIND_NEG column: its codes' digits); field_longer, field_again[slot, c]: the column for a
    longer value (a short reading's long one) and for the tag's next occurrence (-1: none);
    field_neg[slot, c]: an amount's KIND_NEG column (-1: none); field_spell[slot, c]: the width a
    numeric code is spelled to (-1: as read) and field_by[slot, c] the column whose value sets it per
    row (``value_maps[slot * MAX_FIELDS + c]``: stripped latin-1 value -> width; others: field_spell);
    a KIND_LEVEL column's field_by is the code column it maps, through ``value_maps[slot * MAX_FIELDS +
    c]`` (UTF-8 value -> level 0-127; a value not there: null);
    field_order[slot, k]: the column of the table's k-th column (-1 past the last)."""
    cdef const int8_t[:, ::1] field_lut
    cdef const int8_t[:, ::1] field_kind
    cdef const uint16_t[:, ::1] field_max
    cdef const int8_t[:, ::1] field_longer
    cdef const int8_t[:, ::1] field_again
    cdef const int8_t[:, ::1] field_neg
    cdef const int8_t[:, ::1] field_spell
    cdef const int8_t[:, ::1] field_by
    cdef const int8_t[:, ::1] field_order
    cdef const int8_t[::1] seg_unknown
    cdef dict value_maps
    cdef int nseg
    cdef int[MAXF] nfs_store
    cdef int* nfs

    def __cinit__(self, const int8_t[::1] seg_unknown, const int8_t[:, ::1] field_lut, const int8_t[:, ::1] field_kind,
                  const uint16_t[:, ::1] field_max, const int8_t[:, ::1] field_longer,
                  const int8_t[:, ::1] field_again, const int8_t[:, ::1] field_neg, const int8_t[:, ::1] field_spell,
                  const int8_t[:, ::1] field_by, const int8_t[:, ::1] field_order, dict value_maps, int nseg):
        cdef int s, f, nf, k
        cdef uint64_t seen
        if nseg > MAXF or nseg < 0:
            raise ValueError("more table slots than the decoder has")
        rows = [field_lut.shape[0], field_kind.shape[0], field_max.shape[0], field_longer.shape[0],
                field_again.shape[0], field_neg.shape[0], field_spell.shape[0], field_by.shape[0], field_order.shape[0]]
        widths = [field_kind.shape[1], field_max.shape[1], field_longer.shape[1], field_again.shape[1],
                  field_neg.shape[1], field_spell.shape[1], field_by.shape[1], field_order.shape[1]]
        if min(rows) < nseg or set(widths) != {MAXF}:
            raise ValueError("the field tables do not fit the decoder's column slots")
        if seg_unknown.shape[0] < 65536 or field_lut.shape[1] < 65536:
            raise ValueError("the field tables do not fit the decoder's column slots")
        self.seg_unknown, self.field_lut, self.field_kind, self.field_max = seg_unknown, field_lut, field_kind, field_max
        self.field_longer, self.field_again, self.field_neg = field_longer, field_again, field_neg
        self.field_spell, self.field_by, self.field_order = field_spell, field_by, field_order
        self.value_maps, self.nseg, self.nfs = value_maps, nseg, self.nfs_store
        for s in range(nseg):
            nf = 0
            while nf < SKIP and field_kind[s, nf] >= 0:
                nf += 1
            self.nfs[s] = nf
            for f in range(nf):
                k = field_kind[s, f]
                if not K_TEXT <= k <= K_LEVEL:
                    raise ValueError("field_kind: not a decoder kind")
                if field_longer[s, f] >= 0 and not f < field_longer[s, f] < nf:
                    raise ValueError("field_longer: a longer reading's column comes after the short one")
                if field_again[s, f] >= nf or (field_neg[s, f] >= 0 and (k != K_AMOUNT or not f < field_neg[s, f] < nf
                                                                           or field_kind[s, field_neg[s, f]] != K_NEG)):
                    raise ValueError("field_again, field_neg: columns of the table")
                if k == K_LEVEL and not (0 <= field_by[s, f] < f and field_kind[s, field_by[s, f]] in (K_CODE, K_CODE2)):
                    raise ValueError("field_by: a level column's code column comes before it")
                if field_spell[s, f] >= 0 and (k != K_CODE and k != K_CODE2 or field_by[s, f] >= nf
                                               or (field_by[s, f] >= 0 and (field_kind[s, field_by[s, f]] not in (K_CODE, K_CODE2)
                                                                            or field_spell[s, field_by[s, f]] >= 0))):
                    raise ValueError("field_spell, field_by: code columns")
            seen = 0
            for f in range(nf):
                k = field_order[s, f]
                if not 0 <= k < nf or (seen >> k) & 1:
                    raise ValueError("field_order: each column of the table once")
                seen |= (<uint64_t>1) << k


def _frozen(a):
    a.flags.writeable = False
    return a


# fill's answer when no value was left out or nulled (three np.empty were ~1 us of one record's read)
_NO_BAD = (_frozen(np.empty(0, np.int64)), _frozen(np.empty(0, np.int32)), _frozen(np.empty(0, np.int8)))


cdef class Segments:
    """One decoding of the tokens of the taken records into per-segment tables, in two steps that the
    Python side (tables.py) drives: constructing it runs pass 1, which finds every table's rows
    (segment occurrences; ``counts``); ``fill(block, plan)`` then runs pass 2, each table block by
    block (_decode_block), into the fixed-width columns the caller allocated.

    ``program``: the format's field tables (Program); seg_lut: segment tag code -> slot (-1: no
    table, or one not wanted). On the 57 MB corpus's TL table: one token-at-a-time pass writing all columns took 78 ms;
    block by block, with the kernels above, 48 ms (pass 1 5 ms, pass 2 40 ms)."""
    cdef Rows* rows
    cdef Col* cols
    cdef int nseg
    cdef int ncols                # columns of all tables (cols[coff[s] + f]: slot s, column f)
    cdef int* nfs
    cdef int* coff
    cdef const uint8_t[::1] buf
    cdef const int64_t[::1] off
    cdef const uint16_t[::1] ln
    cdef const uint16_t[::1] tag
    cdef Program prog
    cdef Bad bad
    cdef bint filled
    cdef set batched              # the slots batch() gave their buffers to
    cdef object block             # fill's block (its memory: the batches' values) ...
    cdef char* blockp
    cdef const int64_t[:, ::1] planv      # ... and plan, which batch() reads: one memoryview
                                          # acquisition a call, not three a table (~2.6k instructions each)

    def __cinit__(self, Program program not None, const uint8_t[::1] buf, const int64_t[::1] off,
                  const uint16_t[::1] ln, const uint16_t[::1] tag, const int64_t[::1] tok_start,
                  const int64_t[::1] tok_end, const int8_t[::1] rec_take, const int64_t[::1] rec_index,
                  const int16_t[::1] seg_lut):
        cdef Py_ssize_t nrec = tok_start.shape[0]
        cdef Py_ssize_t r, i
        cdef int s, f, open_s, nf
        cdef const uint16_t* tagp = &tag[0] if tag.shape[0] else NULL
        cdef const int64_t* ts = &tok_start[0] if nrec else NULL
        cdef const int64_t* te = &tok_end[0] if nrec else NULL
        cdef const int8_t* takep = &rec_take[0] if nrec else NULL
        cdef const int64_t* recidx = &rec_index[0] if nrec else NULL
        cdef int nseg = program.nseg
        cdef const int16_t* slut
        cdef const int8_t* sunk = &program.seg_unknown[0]
        cdef const int64_t* offp = &off[0] if off.shape[0] else NULL
        cdef bint memfail = False
        cdef int32_t* last
        cdef int64_t* lastrec
        if seg_lut.shape[0] < 65536:
            raise ValueError("seg_lut: an entry a tag code")
        if (off.shape[0] != ln.shape[0] or off.shape[0] != tag.shape[0] or tok_end.shape[0] != nrec
                or rec_take.shape[0] != nrec or rec_index.shape[0] != nrec):
            raise ValueError("the token and record arrays differ in length")
        slut = &seg_lut[0]
        self.buf, self.off, self.ln, self.tag, self.prog = buf, off, ln, tag, program
        self.nseg = nseg
        self.batched = set()
        self.rows = <Rows*>calloc(nseg, sizeof(Rows))
        self.nfs = <int*>calloc(nseg, sizeof(int))
        self.coff = <int*>calloc(nseg, sizeof(int))
        last = <int32_t*>calloc(nseg, sizeof(int32_t))
        lastrec = <int64_t*>malloc(nseg * 8)
        try:
            if self.rows == NULL or self.nfs == NULL or self.coff == NULL or last == NULL or lastrec == NULL:
                raise MemoryError()
            for s in range(nseg):
                lastrec[s] = -1
                nf = program.nfs[s]
                self.nfs[s] = nf
                self.coff[s] = self.ncols
                self.ncols += nf
            # the tables' columns only (a format of 13 tables, 214 columns: 37 KB instead of a 146 KB
            # calloc of 13 x 64 slots, an mmap whose pages faulted in on every call: Segments() of
            # one 3.4 KB record 33 -> 15 us)
            self.cols = <Col*>_blk_take(max(self.ncols, 1) * sizeof(Col))
            if self.cols == NULL:
                raise MemoryError()
            for s in range(nseg):
                for f in range(self.nfs[s]):
                    self.cols[self.coff[s] + f].kind = program.field_kind[s, f]
            # pass 1: every table's rows; a segment runs from its own tag to the next segment's
            with nogil:
                for r in range(nrec):
                    if not takep[r] or memfail:
                        continue
                    open_s = -1
                    i = next_start(tagp, ts[r], te[r])
                    while i < te[r]:
                        if open_s >= 0:
                            self.rows[open_s].end[self.rows[open_s].n - 1] = i
                            open_s = -1
                        s = slut[tagp[i]]
                        if s < 0 and sunk[tagp[i]] and _note(&self.bad, offp[i], -1, W_UNKNOWN_SEGMENT):
                            memfail = True
                            break
                        if s >= 0:
                            if lastrec[s] != r:
                                lastrec[s] = r
                                last[s] = 0
                            if _push_row(&self.rows[s], i, recidx[r], last[s]):
                                memfail = True
                                break
                            last[s] += 1
                            open_s = s
                        i = next_start(tagp, i + 1, te[r])
                    if open_s >= 0:
                        self.rows[open_s].end[self.rows[open_s].n - 1] = te[r]
            if memfail:
                raise MemoryError()
        finally:
            free(last)
            free(lastrec)

    @property
    def counts(self):
        """Rows per table slot (int64)."""
        out = np.empty(self.nseg, dtype=np.int64)
        for s in range(self.nseg):
            out[s] = self.rows[s].n
        return out

    def fill(self, uint8_t[::1] block, const int64_t[:, ::1] plan):
        """Pass 2 into ``block``: plan[s] holds byte offsets into it, for table slot s: its record
        indices (int64), positions (int32), then per column its values (int64 numbers, int32 days or
        dictionary indices, int64 text offsets: one more than the rows) and validity (uint8). Returns
        (bad_tok, bad_col, bad_why), the text data and code dictionaries staying here for ``batch``
        (in C: a numpy array a text column and two a dictionary, made here, cost one 3.4 KB record's
        fill ~100 of its 140 us): the tokens left out of their columns or nulled there, the column
        (slot * MAX_FIELDS + column, -1 for an unknown tag or segment) and why (WHY_*), in token
        order; three shared empty arrays when there are none."""
        cdef int s, f, kd
        cdef Py_ssize_t n, b0
        cdef Col* col
        cdef char* base = <char*>&block[0] if block.shape[0] else NULL
        cdef int64_t* M = NULL
        cdef uint16_t* ML = NULL
        cdef const uint16_t* tagp = &self.tag[0] if self.tag.shape[0] else NULL
        cdef const uint16_t* lnp = &self.ln[0] if self.ln.shape[0] else NULL
        cdef const int64_t* offp = &self.off[0] if self.off.shape[0] else NULL
        cdef const uint8_t* bp = &self.buf[0] if self.buf.shape[0] else NULL
        cdef Program prog = self.prog
        cdef const int8_t* flut = &prog.field_lut[0, 0]
        cdef Py_ssize_t flut_w = prog.field_lut.shape[1]
        cdef const int32_t* row_width
        cdef int32_t[::1] wv
        cdef int64_t nbuf = self.buf.shape[0]
        cdef Bad* bad = &self.bad
        cdef FillCall call
        cdef int faulted = 0
        cdef int64_t rc
        if self.filled:
            raise ValueError("Segments.fill runs once")
        self.filled = True
        if plan.shape[0] < self.nseg or plan.shape[1] < 2 + 2 * MAXF:
            raise ValueError("plan: a row of 2 + 2 * MAX_FIELDS offsets per table slot")
        ma, mb = _scratch_take()
        M, ML = <int64_t*><uintptr_t>ma, <uint16_t*><uintptr_t>mb
        try:
            for s in range(self.nseg):
                n = self.rows[s].n
                if n == 0:
                    continue
                memcpy(base + plan[s, 0], self.rows[s].rec, n * 8)
                memcpy(base + plan[s, 1], self.rows[s].pos, n * 4)
                for f in range(self.nfs[s]):
                    col = &self.cols[self.coff[s] + f]
                    col.val = base + plan[s, 2 + 2 * f]
                    col.valid = <uint8_t*>(base + plan[s, 3 + 2 * f])
                    col.max_len = prog.field_max[s, f]
                    col.index = f
                    col.longer = prog.field_longer[s, f]
                    col.mlong, col.lllong = NULL, NULL
                    col.neg = &self.cols[self.coff[s] + prog.field_neg[s, f]] if prog.field_neg[s, f] >= 0 else NULL
                    col.spell, col.by = prog.field_spell[s, f], prog.field_by[s, f]
                    if col.longer >= 0:                 # (Program checked: a column after this one)
                        col.mlong = M + col.longer * MSTRIDE
                        col.lllong = ML + col.longer * MSTRIDE
                    if col.kind == K_TEXT or col.kind == K_DIGITS:
                        (<int64_t*>col.val)[0] = 0
                        # and one block's worst case, which _text_cells makes room for at once (without
                        # it, growing for that room copied 2.7M instructions of memcpy a fill of the 5 MB
                        # corpus; the unused tail is given back after the fill)
                        col.cap = 16 * n + 64 + (min(n, BLOCK) * (2 * col.max_len + 32) if col.max_len <= 1000 else 0)
                        col.data = <uint8_t*>malloc(col.cap)
                        if col.data == NULL:
                            raise MemoryError()
                    elif col.kind == K_CODE2:
                        _lut_take(col)
            self.block, self.blockp, self.planv = block, base, plan
            call.rows, call.cols, call.nfs, call.nseg, call.coff = self.rows, self.cols, self.nfs, self.nseg, self.coff
            call.flut, call.flut_w, call.M, call.ML = flut, flut_w, M, ML
            call.again, call.again_w = &prog.field_again[0, 0], prog.field_again.shape[1]
            call.offp, call.lnp, call.tagp, call.bp, call.nbuf, call.bad = offp, lnp, tagp, bp, nbuf, bad
            with nogil:
                rc = guarded(_fill_call, &call, &faulted)
            if faulted:
                raise input_changed()
            if rc:
                raise MemoryError()
            _scratch_give(M, ML)          # pass B put every entry back: clean for the next fill
            M, ML = NULL, NULL
            for s in range(self.nseg):
                n = self.rows[s].n
                for f in range(self.nfs[s]):
                    col = &self.cols[self.coff[s] + f]
                    if n == 0:
                        continue
                    if col.kind == K_CODE or col.kind == K_CODE2:
                        if col.spell >= 0:
                            row_width = NULL
                            if col.by >= 0:
                                widths = self._row_widths(s, f, &self.cols[self.coff[s] + col.by], col.spell, n)
                                wv = widths
                                row_width = &wv[0]
                            if _spelled_values(col, bp, row_width, n):
                                raise MemoryError()
                        elif _dict_values(col, bp):
                            raise MemoryError()
                    elif col.kind == K_NEG:
                        if _neg_values(col):
                            raise MemoryError()
                    elif col.kind == K_LEVEL:               # its code column's dictionary is built (before it)
                        self._levels(s, f, col, &self.cols[self.coff[s] + col.by], n)
                    elif (col.kind == K_TEXT or col.kind == K_DIGITS) and col.cap > col.size + (col.size >> 3) + 4096:
                        grow(<void**>&col.data, col.size + 8)     # a failed shrink keeps the block
                        col.cap = col.size + 8
            for f in range(self.ncols):            # after the spelling, which reads a code2 column's keys
                _lut_give(&self.cols[f])
            if not bad.n:
                return _NO_BAD
            bad_tok = np.empty(bad.n, dtype=np.int64)
            bad_col = np.empty(bad.n, dtype=np.int32)
            bad_why = np.empty(bad.n, dtype=np.int8)
            memcpy(<char*><uintptr_t>bad_tok.ctypes.data, bad.at, bad.n * 8)
            memcpy(<char*><uintptr_t>bad_col.ctypes.data, bad.col, bad.n * 4)
            memcpy(<char*><uintptr_t>bad_why.ctypes.data, bad.why, bad.n)
            order = np.argsort(bad_tok, kind="stable")
            bad_tok = np.searchsorted(np.asarray(self.off), bad_tok[order])   # value offsets -> tokens
            return bad_tok, bad_col[order], bad_why[order]
        finally:
            free(bad.at)
            free(bad.col)
            free(bad.why)
            bad.at, bad.col, bad.why, bad.n, bad.cap = NULL, NULL, NULL, 0, 0
            free(M)
            free(ML)

    cdef int _levels(self, int s, int f, Col* col, Col* src, Py_ssize_t n) except -1:
        """K_LEVEL column f of slot s: each row's level of its value in code column ``src`` (whose
        dictionary, doff/ddata, is built), looked up once per distinct value in its map; null where
        the row has no value or the map lacks it. (numpy over the imported dictionary and an
        add_column a column in Python took read() of one 3.4 KB record ~35 us a column.)"""
        cdef dict table = self.prog.value_maps.get(s * MAXF + f) or {}
        cdef int64_t k, nd = src.dn, present = 0
        cdef Py_ssize_t j
        cdef int lv
        cdef int8_t* out = <int8_t*>col.val
        cdef const int32_t* ix = <const int32_t*>src.val
        cdef int8_t* per = <int8_t*>malloc(nd + 1)
        if per == NULL:
            raise MemoryError()
        try:
            for k in range(nd):
                lv = table.get((<char*>src.ddata)[src.doff[k]:src.doff[k + 1]], -1)
                per[k] = <int8_t>lv if 0 <= lv <= 127 else -1
            for j in range(n):
                lv = per[ix[j]] if src.valid[j] else -1
                out[j] = <int8_t>(lv if lv >= 0 else 0)
                col.valid[j] = lv >= 0
                present += lv >= 0
            col.present = present
        finally:
            free(per)
        return 0

    cdef object _row_widths(self, int s, int f, Col* by, int width, Py_ssize_t n):
        """The spelling width of each row of column f (code_width_by): its table's width for the value
        of column ``by`` in the row (the value stripped as str.strip() does), ``width`` where there
        is none. The lookup is per distinct value of ``by`` (a score code: a few)."""
        cdef dict table = self.prog.value_maps.get(s * MAXF + f) or {}
        cdef int64_t k, a, b, L, nd = by.dict.n if by.kind == K_CODE else by.size
        cdef const uint8_t* p
        cdef const uint8_t* bp = &self.buf[0] if self.buf.shape[0] else NULL
        cdef uint8_t two[2]
        cdef Py_ssize_t j
        per_np = np.empty(max(nd, 1), dtype=np.int32)
        out_np = np.empty(n, dtype=np.int32)
        cdef int32_t[::1] per = per_np
        cdef int32_t[::1] out = out_np
        cdef const int32_t* ix = <const int32_t*>by.val
        for k in range(nd):
            p = _code_value(by, k, bp, two, &L)
            a, b = 0, L
            _strip(p, &a, &b)
            per[k] = table.get(p[a:b], width) if table else width
        for j in range(n):
            out[j] = per[ix[j]] if by.valid[j] else width
        return out_np

    def batch(self, int s, object schema, bint has_pos, object record_start=None, object starts=None,
              int64_t first=0):
        """Table slot s after ``fill`` as a pyarrow RecordBatch of ``schema`` -- record, record_start,
        position (when ``has_pos``), then the slot's columns -- over fill's block (which it keeps
        alive), ``record_start`` (int64) and the columns' text data and dictionaries, which the batch
        then owns (once a slot). No copy but the validity bitmaps, packed here from the block's byte a
        row for columns with nulls. Without ``record_start``: ``starts[record - first]`` of each row,
        gathered here into a buffer the batch owns (``starts``: the part's records' start offsets,
        int64; a numpy array a table and the memoryviews of block and plan passed in were ~20k of
        read()'s instructions a table of one record, callgrind)."""
        cdef const int64_t[::1] rs
        cdef const int64_t[::1] st
        if record_start is not None:
            rs = record_start
            return self._batch(s, schema, has_pos, &rs[0] if rs.shape[0] else NULL, rs.shape[0], True,
                               record_start, 0)
        if starts is None:
            raise ValueError("batch: record_start, or starts (and first)")
        st = starts
        return self._batch(s, schema, has_pos, &st[0] if st.shape[0] else NULL, st.shape[0], False, None, first)

    cdef object _batch(self, int s, object schema, bint has_pos, const int64_t* given, Py_ssize_t ngiven,
                       bint is_record_start, object record_start, int64_t first):
        """batch() over a pointer: ``given`` holds ``ngiven`` int64, the rows' record_start when
        ``is_record_start`` (``record_start`` its owner, kept by the batch), else the starts that
        ``first`` indexes. tables() takes the starts' buffer once, not once a table (a Python call
        and a memoryview a table)."""
        cdef int nf, ncols, k, k0, f, kd, nnull = 0, nown = 0
        cdef int64_t j, n, nb, nulls
        cdef size_t size
        cdef char* mem
        cdef ArrowArray* top
        cdef ArrowArray* kids
        cdef ArrowArray* dicts
        cdef const void** bufs
        cdef char* base = self.blockp
        cdef const uint8_t* valid
        cdef uint8_t* bm
        cdef Col* col
        cdef Col* cols
        cdef _Owner owner
        cdef const int64_t* rsp
        cdef int64_t* gathered = NULL
        cdef const int64_t* recs
        cdef const int64_t* plan
        cdef int64_t x
        if not self.filled or not 0 <= s < self.nseg:
            raise ValueError("batch: a slot of a filled Segments")
        n, nf, cols = self.rows[s].n, self.nfs[s], &self.cols[self.coff[s]]
        ncols, nb = 2 + has_pos + nf, (n + 7) >> 3
        if n == 0:
            raise ValueError("batch: an empty slot")
        plan = &self.planv[s, 0]
        if is_record_start:
            if ngiven < n:
                raise ValueError("batch: record_start too short")
            rsp = given
        else:
            gathered = <int64_t*>malloc(n * 8)
            if gathered == NULL:
                raise MemoryError()
            recs = <const int64_t*>(base + plan[0])
            for j in range(n):
                x = recs[j] - first
                if not 0 <= x < ngiven:
                    free(gathered)
                    raise ValueError("batch: a row's record past starts")
                gathered[j] = given[x]
            rsp = gathered
        if s in self.batched:
            free(gathered)
            raise ValueError("batch: a slot's columns go to one batch")
        self.batched.add(s)
        for f in range(nf):
            if cols[f].present != n:
                nnull += 1
        owner = _Owner()
        owner.ptrs = <void**>calloc(2 * nf + 1, sizeof(void*))
        if owner.ptrs != NULL and gathered != NULL:        # the gathered record_start: the spare slot
            owner.ptrs[0] = gathered
            nown = owner.n = 1
        elif gathered != NULL:
            free(gathered)
        # the validity bitmaps at the end of the structs' allocation (freed with it): one numpy
        # array a table less
        size = _structs_size(ncols)
        mem = <char*>_blk_take(size + 8 + nnull * nb)
        if mem == NULL or owner.ptrs == NULL:
            _blk_give(mem)
            raise MemoryError()
        keep = (self.block, owner, record_start)
        bufs = _lay_structs(mem, ncols, n, &top, &kids, &dicts)
        # record, record_start, position: never null
        _set(&kids[0], bufs, 2, n, 0)
        bufs[0], bufs[1] = NULL, base + plan[0]
        bufs += 2
        _set(&kids[1], bufs, 2, n, 0)
        bufs[0], bufs[1] = NULL, rsp
        bufs += 2
        k = 2
        if has_pos:
            _set(&kids[2], bufs, 2, n, 0)
            bufs[0], bufs[1] = NULL, base + plan[1]
            bufs += 2
            k = 3
        bm = <uint8_t*>(mem + ((size + 7) & ~(<size_t>7)))
        for k0 in range(nf):
            f = self.prog.field_order[s, k0]      # the table's order: an amount's KIND_NEG column after it
            col = &cols[f]
            kd = col.kind
            nulls = n - col.present
            if nulls:
                _pack_bits(bm, <const uint8_t*>(base + plan[3 + 2 * f]), n)
                bufs[0] = bm
                bm += nb
            else:
                bufs[0] = NULL
            if kd == K_TEXT or kd == K_DIGITS:
                _set(&kids[k], bufs, 3, n, nulls)
                bufs[1], bufs[2] = base + plan[2 + 2 * f], col.data
                bufs += 3
                owner.ptrs[nown] = col.data
                nown += 1
                col.data = NULL
            elif kd == K_CODE or kd == K_CODE2 or kd == K_NEG:
                _set(&kids[k], bufs, 2, n, nulls)
                bufs[1] = base + plan[2 + 2 * f]
                bufs += 2
                _set(&dicts[k], bufs, 3, col.dn, 0)
                bufs[0], bufs[1], bufs[2] = NULL, col.doff, col.ddata
                bufs += 3
                kids[k].dictionary = &dicts[k]
                owner.ptrs[nown], owner.ptrs[nown + 1] = col.doff, col.ddata
                nown += 2
                col.doff, col.ddata = NULL, NULL
            else:
                _set(&kids[k], bufs, 2, n, nulls)
                bufs[1] = base + plan[2 + 2 * f]
                bufs += 2
            k += 1
        owner.n = nown
        return _import_batch(mem, top, keep, schema)

    def tables(self, list schemas, list has_pos, object starts, int64_t first=0):
        """``batch`` of every slot with rows, each as a one-chunk pyarrow Table (``schemas``,
        ``has_pos``: a slot's, in slot order), None for a slot without rows: one call for the ~13
        slots instead of a Python loop over them (read() of one 3.4 KB record: 2.456M -> 2.431M
        instructions, callgrind, between 100 and 400 reads in one process)."""
        cdef int s
        out = [None] * self.nseg
        cdef const int64_t[::1] st = starts
        from_batches = pa.Table.from_batches
        for s in range(self.nseg):
            if self.rows[s].n:
                out[s] = from_batches([self._batch(s, schemas[s], has_pos[s], &st[0] if st.shape[0] else NULL,
                                                   st.shape[0], False, None, first)])
        return out

    def __dealloc__(self):
        cdef int s, i
        if self.rows != NULL:
            for s in range(self.nseg):
                free(self.rows[s].first)
                free(self.rows[s].end)
                free(self.rows[s].rec)
                free(self.rows[s].pos)
        if self.cols != NULL:
            for i in range(self.ncols):
                free(self.cols[i].data)
                free(self.cols[i].doff)
                free(self.cols[i].ddata)
                _lut_give(&self.cols[i])
                free(self.cols[i].dict.table)
                free(self.cols[i].dict.hash)
                free(self.cols[i].dict.head)
                free(self.cols[i].dict.at)
                free(self.cols[i].dict.length)
        free(self.rows)
        _blk_give(self.cols)
        free(self.nfs)
        free(self.coff)
        free(self.bad.at)
        free(self.bad.col)
        free(self.bad.why)


cdef struct FixedCall:
    const uint8_t* bp
    int64_t nbuf
    const int64_t* starts
    const uint8_t* valid
    Py_ssize_t n
    int width
    int64_t* offsets
    uint8_t* data


cdef int64_t _fixed_call(void* a) noexcept nogil:
    cdef FixedCall* c = <FixedCall*>a
    cdef Py_ssize_t j
    cdef int64_t p = 0
    for j in range(c.n):
        if j + 8 < c.n:
            prefetch(c.bp + c.starts[j + 8])   # records are KBs apart: 1.07 -> 0.78 ms, 24k references
        if c.valid[j]:
            if c.starts[j] < 0 or c.starts[j] + c.width > c.nbuf:
                return -1
            p += stripped_utf8(c.data + p, c.bp + c.starts[j], c.width)
        c.offsets[j + 1] = p
    return p


def fixed_text(const uint8_t[::1] buf, const int64_t[::1] starts, const uint8_t[::1] valid, int width):
    """Fixed-width latin-1 fields at ``starts`` -> UTF-8 large_string buffers, blanks stripped on both
    sides (the header's reference and member code); rows where ``valid`` is 0 stay empty (null to the
    caller); a field past the buffer is refused, not read. Returns (offsets int64, data)."""
    cdef Py_ssize_t n = starts.shape[0]
    cdef int64_t p
    cdef int faulted = 0
    cdef FixedCall c
    if valid.shape[0] != n or width < 0:
        raise ValueError("fixed_text: a valid flag for each start, and a width >= 0")
    offsets_np = np.zeros(n + 1, dtype=np.int64)
    data_np = np.empty(2 * n * width + 1, dtype=np.uint8)
    cdef int64_t[::1] offsets = offsets_np
    cdef uint8_t[::1] data = data_np
    c.bp = &buf[0] if buf.shape[0] else NULL
    c.nbuf = buf.shape[0]
    c.starts = &starts[0] if n else NULL
    c.valid = &valid[0] if n else NULL
    c.n, c.width, c.offsets, c.data = n, width, &offsets[0], &data[0]
    with nogil:
        p = guarded(_fixed_call, &c, &faulted)
    if faulted:
        raise input_changed()
    if p < 0:
        raise ValueError("fixed_text: a field past the buffer")
    return offsets_np, data_np[:p]


def code_matrix(const int64_t[::1] offsets, const uint8_t[::1] data, const uint8_t[::1] valid,
                const int32_t[::1] shift, int width, const int8_t[::1] lut):
    """Strings (Arrow large_string buffers) -> int8[n, width]: character k of string a, mapped
    through ``lut`` (256 entries), lands in column shift[a] + k; columns before shift[a] (negative
    ones are dropped) and past the string's end hold -1. Invalid rows are all -1. (The payment-history
    matrix: history.py passes the months from the as-of date to each history's latest month and
    the Anexo 4 levels.)
    Stored column-major (the result is the transpose of a C-contiguous [width, n]): the analytics
    work month by month over all accounts, and on 1M accounts a running max along the rows of the
    row-major layout took 72 ms against 8 ms for 24 contiguous row operations."""
    cdef Py_ssize_t n = shift.shape[0], a, k, col
    if lut.shape[0] != 256:
        raise ValueError("lut: 256 entries, one per byte")
    out_np = np.full((width, n), -1, dtype=np.int8)
    cdef int8_t[:, ::1] out = out_np
    cdef int64_t o, ln
    with nogil:
        for a in range(n):
            if not valid[a]:
                continue
            o = offsets[a]
            ln = offsets[a + 1] - o
            for k in range(ln):
                col = shift[a] + k
                if col < 0:
                    continue
                if col >= width:
                    break
                out[col, a] = lut[data[o + k]]
    return out_np.T

