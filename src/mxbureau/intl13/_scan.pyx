"""Compiled INTL13 tokenizer: one pass over concatenated records into the shared token index
(mxbureau/_index.pxd: 14 bytes a token; a token's record is not stored per token, records carry
[tok_start, tok_end)).

The semantics are those of mxbureau/intl13/twin.py (the pure-Python twin); the tests compare both on
every corpus. Status codes inside, exceptions at the boundary: the nogil loop fills a Fail struct and
mxbureau/scanner.py raises mxbureau.FormatError. Problem codes, record kinds and header positions are
compiled in from the values of mxbureau/intl13/spec.py (CONSTANTS below; a test holds them equal).
"""
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t
from libc.string cimport memchr, memcmp

from mxbureau._index cimport (ErrBuf, Lane, RecBuf, Span, TokBuf, err_init, err_reserve, errors_dict, free_all,
                              guarded, input_changed, mxb_publish, mxb_read, rec_init, rec_reserve, records_dict,
                              tok_fill_from_pool, tok_free, tok_init, tok_reserve, tokens_dict)

cdef enum:
    MAX_RECORD = 999999     # ES length has at most 6 digits
    MAX_VALUE = 65535       # uint16 token length; the CR text is at most 12,000 by the manual
    UPPER = 1
    DIGIT = 2
    CLAIM = 64 << 10        # a parallel range is claimed at most this much at a time (_index.pyx)

# spec.PROBLEMS
cdef enum:
    RECORD_START = 1
    TRUNCATED = 2
    BAD_TAG = 3
    BAD_LENGTH = 4
    BAD_VERSION = 5
    NO_COUNTRY = 6
    BAD_FOUND_FLAG = 7
    FIELD_OUTSIDE_SEGMENT = 8
    BAD_ES_LENGTH = 9
    ES_LENGTH_MISMATCH = 10
    SEGMENT_AFTER_ES = 11
    NO_END_MARK = 12
    BAD_CR_COUNT = 13
    BAD_CR_SEPARATOR = 14
    CR_NO_READING = 15

# spec.KINDS, and the header positions of spec.RESPONSE_HEADER / CONSULTA_HEADER
cdef enum:
    K_HIT = 0
    K_NOHIT = 1
    K_ERROR = 2
    K_CONSULTA = 3
    K_UNKNOWN = -1
    RESPONSE_HEADER_LENGTH = 49
    CONSULTA_HEADER_LENGTH = 88
    ERROR_HEADER_LENGTH = 4
    RESPONSE_COUNTRY_AT = 31
    RESPONSE_FOUND_AT = 47
    CONSULTA_COUNTRY_AT = 34

# What this module compiled in, for the test that holds it equal to spec.py.
CONSTANTS = {
    "PROBLEMS": {"RECORD_START": RECORD_START, "TRUNCATED": TRUNCATED, "BAD_TAG": BAD_TAG, "BAD_LENGTH": BAD_LENGTH,
                 "BAD_VERSION": BAD_VERSION, "NO_COUNTRY": NO_COUNTRY, "BAD_FOUND_FLAG": BAD_FOUND_FLAG,
                 "FIELD_OUTSIDE_SEGMENT": FIELD_OUTSIDE_SEGMENT, "BAD_ES_LENGTH": BAD_ES_LENGTH,
                 "ES_LENGTH_MISMATCH": ES_LENGTH_MISMATCH, "SEGMENT_AFTER_ES": SEGMENT_AFTER_ES,
                 "NO_END_MARK": NO_END_MARK, "BAD_CR_COUNT": BAD_CR_COUNT, "BAD_CR_SEPARATOR": BAD_CR_SEPARATOR,
                 "CR_NO_READING": CR_NO_READING},
    "KINDS": {"hit": K_HIT, "nohit": K_NOHIT, "error": K_ERROR, "consulta": K_CONSULTA},
    "RESPONSE_HEADER_LENGTH": RESPONSE_HEADER_LENGTH, "CONSULTA_HEADER_LENGTH": CONSULTA_HEADER_LENGTH,
    "ERROR_HEADER_LENGTH": ERROR_HEADER_LENGTH, "RESPONSE_COUNTRY_AT": RESPONSE_COUNTRY_AT,
    "RESPONSE_FOUND_AT": RESPONSE_FOUND_AT, "CONSULTA_COUNTRY_AT": CONSULTA_COUNTRY_AT,
    "MAX_RECORD": MAX_RECORD,
}
# The per-record numbers this scanner writes into RecBuf.info, in order.
INFO = ("declared_length", "version", "cr_reading", "es_style")

# Character classes as bit flags: CLS[a] & CLS[b] is UPPER when both are capitals, DIGIT when both are
# digits, 0 otherwise: one table lookup and one AND classify a tag (measured 9% faster scanning than
# two range comparisons per byte on the 55 MB benchmark corpus).
cdef uint8_t CLS[256]
cdef int _i
for _i in range(256):
    CLS[_i] = UPPER if 65 <= _i <= 90 else (DIGIT if 48 <= _i <= 57 else 0)

# Two length bytes (as the high half of a little-endian 32-bit load) -> their value. Only the
# 0x3030..0x3939 corner (~2.3 KB) is ever hot. Replaced 8 instructions a token of shifts, masks,
# subtractions and a multiply (callgrind, 6 MB corpus).
cdef uint8_t LEN16[65536]
for _i in range(65536):
    LEN16[_i] = ((_i & 0xFF) - 48) * 10 + ((_i >> 8) - 48) if (48 <= (_i & 0xFF) <= 57 and 48 <= (_i >> 8) <= 57) else 255

# Tag codes are little-endian: first byte low. Stored as the low half of the 32-bit load, with no
# byte swap; and tok.tag.view("S2") shows the tags as bytes.
cdef enum:
    TAG_ES = 69 | (83 << 8)
    TAG_CR = 67 | (82 << 8)
    TAG_00 = 48 | (48 << 8)
    TAG_01 = 48 | (49 << 8)


cdef struct Fail:
    int code
    int64_t offset
    uint16_t seg
    uint16_t tag
    int64_t a
    int64_t b
    int cr_alt


cdef struct Info:
    int kind          # K_HIT, K_NOHIT, K_ERROR, K_CONSULTA
    int version
    int64_t declared
    int cr            # 0 none, 1 text-length reading, 2 whole-segment reading
    int es_style      # 1 end mark under tag 01, 0 under tag 00 (old style)


cdef inline int _fail(Fail* f, int code, int64_t offset, uint16_t seg, uint16_t tag, int64_t a, int64_t b) noexcept nogil:
    f.code = code
    f.offset = offset
    f.seg = seg
    f.tag = tag
    f.a = a
    f.b = b
    return -1


cdef inline bint _seg_start(const uint8_t* d, int64_t n, int64_t e) noexcept nogil:
    """2 capitals + 2 digits at e: what follows a CR text under a valid reading."""
    return e + 4 <= n and (CLS[d[e]] & CLS[d[e + 1]]) == UPPER and (CLS[d[e + 2]] & CLS[d[e + 3]]) == DIGIT


# ---------------------------------------------------------------------------------------------
# One record. Returns its end (> s), -1 with f filled, or -2 on memory exhaustion. Tokens are
# appended to t; the caller rolls t.n back on failure.
#
# Hot path (measured on the 57 MB corpus, where 9 fields in 10 are numeric-tagged): the 4 bytes
# TAG LEN of a numeric field are checked as digits with one SWAR expression; segment starts, CR, ES
# and every problem take the slow path. Token capacity is reserved once per record (a record of B
# bytes has at most B/4 tokens; unused reservation is never touched, so never committed).

cdef inline uint32_t _load4(const uint8_t* p) noexcept nogil:
    # byte-by-byte little-endian assembly: compilers emit a single load on little-endian machines
    return <uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef inline int _len2(const uint8_t* p) noexcept nogil:
    """Two ASCII digits -> 0..99; anything else -> 255."""
    return LEN16[p[0] | (p[1] << 8)]


cdef inline bint _all_digits4(uint32_t w) noexcept nogil:
    # Each byte in '0'..'9': w - '0' borrows (bit 7) below '0', w + 0x46 reaches bit 7 above '9',
    # and bytes >= 0x80 show bit 7 themselves. Borrows only spread from an invalid byte.
    return (((w - 0x30303030u) | (w + 0x46464646u) | w) & 0x80808080u) == 0


cdef int64_t parse_es(const uint8_t* d, int64_t n, int64_t s, int64_t q, int64_t limit, TokBuf* t,
                      Py_ssize_t tn, Info* info, Fail* f) noexcept nogil:
    """The ES segment from its first field at q: declared length, control number, ** end mark."""
    cdef uint8_t c0, c1, cls
    cdef uint16_t tag
    cdef int L, k
    cdef int64_t v, es_pos = -1, count
    cdef bint first = True
    while True:
        if not first:
            if q > limit:
                return _fail(f, NO_END_MARK, s + MAX_RECORD + 1, TAG_ES, 0, MAX_RECORD, 0)
            if q + 4 > n:
                return _fail(f, TRUNCATED, q, TAG_ES, 0, 4, n - q)
        c0 = d[q]
        c1 = d[q + 1]
        cls = CLS[c0] & CLS[c1]
        tag = c0 | (c1 << 8)
        if cls == UPPER:
            if not first:
                return _fail(f, SEGMENT_AFTER_ES, q, TAG_ES, tag, 0, 0)
        elif cls != DIGIT:
            return _fail(f, BAD_TAG, q, TAG_ES, 0, 0, 0)
        first = False
        L = _len2(d + q + 2)
        if L > 99:
            return _fail(f, BAD_LENGTH, q + 2, TAG_ES, tag, 0, 0)
        v = q + 4
        if v + L > n:
            return _fail(f, TRUNCATED, q, TAG_ES, tag, L + 4, n - q)
        t.offset[tn] = v
        t.length[tn] = L
        t.tag[tn] = tag
        t.seg[tn] = TAG_ES
        tn += 1
        if tag == TAG_ES:
            if L < 1 or L > 6:
                return _fail(f, BAD_ES_LENGTH, v, TAG_ES, TAG_ES, 0, 0)
            count = 0
            for k in range(L):
                if CLS[d[v + k]] != DIGIT:
                    return _fail(f, BAD_ES_LENGTH, v, TAG_ES, TAG_ES, 0, 0)
                count = count * 10 + (d[v + k] - 48)
            info.declared = count
            es_pos = v
        elif (tag == TAG_01 or tag == TAG_00) and L == 2 and d[v] == 42 and d[v + 1] == 42:
            info.es_style = 1 if tag == TAG_01 else 0
            if info.declared != v + 2 - s:
                return _fail(f, ES_LENGTH_MISMATCH, es_pos, TAG_ES, TAG_ES, info.declared, v + 2 - s)
            t.n = tn
            return v + 2
        q = v + L


cdef int64_t parse_record(const uint8_t* d, int64_t n, int64_t s, TokBuf* t, Info* info,
                          Fail* f, bint cr_b) noexcept nogil:
    cdef int64_t q, v, c, tt, ta, tb, T, limit, guard, count
    cdef uint16_t tag, seg = 0
    cdef uint8_t c0, c1, cls
    cdef uint32_t w
    cdef int L, k
    cdef bint va, vb
    # The token buffer lives in locals: a store through t.offset[t.n] may alias t.n (extensions build
    # with -fno-strict-aliasing), which made the compiler reload both after every token.
    cdef int64_t* o_off
    cdef uint16_t* o_len
    cdef uint16_t* o_tag
    cdef uint16_t* o_seg
    cdef Py_ssize_t tn = t.n
    f.cr_alt = 0
    info.cr = 0
    info.es_style = -1
    info.declared = -1
    info.version = -1
    if s + 4 > n:
        if memcmp(d + s, b"INTL", n - s) == 0 or memcmp(d + s, b"ERRR", n - s) == 0:
            return _fail(f, TRUNCATED, s, 0, 0, 4, n - s)
        return _fail(f, RECORD_START, s, 0, 0, 0, 0)
    if memcmp(d + s, b"INTL", 4) == 0:
        if s + RESPONSE_HEADER_LENGTH > n:
            return _fail(f, TRUNCATED, s, 0, 0, RESPONSE_HEADER_LENGTH, n - s)
        if (CLS[d[s + 4]] & CLS[d[s + 5]]) != DIGIT:
            return _fail(f, BAD_VERSION, s + 4, 0, 0, 0, 0)
        info.version = (d[s + 4] - 48) * 10 + (d[s + 5] - 48)
        if d[s + RESPONSE_COUNTRY_AT] == 77 and d[s + RESPONSE_COUNTRY_AT + 1] == 88:          # "MX": response
            if d[s + RESPONSE_FOUND_AT] == 49:
                info.kind = K_HIT
            elif d[s + RESPONSE_FOUND_AT] == 48:
                info.kind = K_NOHIT
            else:
                return _fail(f, BAD_FOUND_FLAG, s + RESPONSE_FOUND_AT, 0, 0, 0, 0)
            q = s + RESPONSE_HEADER_LENGTH
        elif s + CONSULTA_HEADER_LENGTH <= n and d[s + CONSULTA_COUNTRY_AT] == 77 and d[s + CONSULTA_COUNTRY_AT + 1] == 88:
            info.kind = K_CONSULTA
            q = s + CONSULTA_HEADER_LENGTH
        else:
            if s + CONSULTA_HEADER_LENGTH > n:
                return _fail(f, TRUNCATED, s, 0, 0, CONSULTA_HEADER_LENGTH, n - s)
            return _fail(f, NO_COUNTRY, s + RESPONSE_COUNTRY_AT, 0, 0, 0, 0)
    elif memcmp(d + s, b"ERRR", 4) == 0:
        info.kind = K_ERROR
        q = s + ERROR_HEADER_LENGTH
    else:
        return _fail(f, RECORD_START, s, 0, 0, 0, 0)

    limit = s + MAX_RECORD
    guard = limit if limit < n - 4 else n - 4
    # Capacity for every token this record can hold (fields take >= 4 bytes).
    if tok_reserve(t, tn + (((limit + 5 if limit + 5 < n else n) - q) >> 2) + 2):
        return -2
    o_off = t.offset
    o_len = t.length
    o_tag = t.tag
    o_seg = t.seg
    while True:
        if q > guard:
            if q > limit:
                return _fail(f, NO_END_MARK, s + MAX_RECORD + 1, seg, 0, MAX_RECORD, 0)
            return _fail(f, TRUNCATED, q, seg, 0, 4, n - q)
        w = _load4(d + q)
        if _all_digits4(w) and seg != 0:
            # a numeric field of the current segment
            L = LEN16[w >> 16]
            v = q + 4
            if v + L > n:
                return _fail(f, TRUNCATED, q, seg, <uint16_t>w, L + 4, n - q)
            o_off[tn] = v
            o_len[tn] = L
            o_tag[tn] = <uint16_t>w
            o_seg[tn] = seg
            tn += 1
            q = v + L
            continue
        # slow path: a segment start, or a problem
        c0 = d[q]
        c1 = d[q + 1]
        cls = CLS[c0] & CLS[c1]
        tag = c0 | (c1 << 8)
        if cls == DIGIT:
            if seg == 0:
                return _fail(f, FIELD_OUTSIDE_SEGMENT, q, 0, 0, 0, 0)
            return _fail(f, BAD_LENGTH, q + 2, seg, tag, 0, 0)     # digits tag, so the length is bad
        if cls != UPPER:
            return _fail(f, BAD_TAG, q, seg, 0, 0, 0)
        seg = tag
        L = _len2(d + q + 2)
        if L > 99:
            return _fail(f, BAD_LENGTH, q + 2, seg, tag, 0, 0)
        v = q + 4
        if tag == TAG_ES:
            return parse_es(d, n, s, q, limit, t, tn, info, f)
        if tag == TAG_CR and info.kind <= K_NOHIT and (L == 4 or L == 5):
            if v + L > n:
                return _fail(f, TRUNCATED, q, TAG_CR, TAG_CR, L + 4, n - q)
            count = 0
            for k in range(L):
                if CLS[d[v + k]] != DIGIT:
                    return _fail(f, BAD_CR_COUNT, v, TAG_CR, TAG_CR, 0, 0)
                count = count * 10 + (d[v + k] - 48)
            c = v + L
            if c + 4 > n:
                return _fail(f, TRUNCATED, c, TAG_CR, TAG_00, 4, n - c)
            if memcmp(d + c, b"0000", 4) != 0:
                return _fail(f, BAD_CR_SEPARATOR, c, TAG_CR, TAG_00, 0, 0)
            tt = c + 4
            ta = count
            tb = count - (8 + L)
            va = 0 < ta <= MAX_VALUE and _seg_start(d, n, tt + ta)
            vb = 0 < tb <= MAX_VALUE and _seg_start(d, n, tt + tb)
            if cr_b:
                if not vb:
                    return _fail(f, CR_NO_READING, v, TAG_CR, TAG_CR, 0, 0)
                T = tb
                info.cr = 2
            elif va:
                T = ta
                info.cr = 1
                f.cr_alt = vb
            elif vb:
                T = tb
                info.cr = 2
            else:
                if tt + (ta if ta > tb else tb) + 4 > n:
                    return _fail(f, TRUNCATED, tt, TAG_CR, TAG_00, (ta if ta > tb else tb) + 4, n - tt)
                return _fail(f, CR_NO_READING, v, TAG_CR, TAG_CR, 0, 0)
            o_off[tn] = v
            o_len[tn] = L
            o_tag[tn] = TAG_CR
            o_seg[tn] = TAG_CR
            o_off[tn + 1] = tt
            o_len[tn + 1] = <uint16_t>T
            o_tag[tn + 1] = TAG_00
            o_seg[tn + 1] = TAG_CR
            tn += 2
            q = tt + T
            continue
        if v + L > n:
            return _fail(f, TRUNCATED, q, seg, tag, L + 4, n - q)
        o_off[tn] = v
        o_len[tn] = L
        o_tag[tn] = tag
        o_seg[tn] = seg
        tn += 1
        q = v + L


cdef int64_t try_record(const uint8_t* d, int64_t n, int64_t s, TokBuf* t, Info* info, Fail* f) noexcept nogil:
    """parse_record with the CR rule: a record that fails after taking reading A while reading B
    was also possible is parsed again with B. On failure, f holds reading A's problem."""
    cdef Py_ssize_t t0 = t.n
    cdef int64_t end = parse_record(d, n, s, t, info, f, False)
    cdef Fail f2
    if end == -1 and f.cr_alt:
        t.n = t0
        end = parse_record(d, n, s, t, info, &f2, True)
        if end == -1:
            t.n = t0
    elif end < 0:
        t.n = t0
    return end


cdef int64_t verified_start(const uint8_t* d, int64_t n, int64_t p, TokBuf* scratch) noexcept nogil:
    """The first position >= p where a record parses with an exact ES; n if none. Uses scratch
    as its token buffer (reset each try). -2 on memory exhaustion."""
    cdef Info info
    cdef Fail f
    cdef int64_t r, c
    cdef const uint8_t* hit
    while p + 4 <= n:
        # Candidates start with I (INTL) or E (ERRR): memchr for each, take the nearer one.
        hit = <const uint8_t*>memchr(d + p, 73, n - p)
        c = n if hit == NULL else hit - d
        hit = <const uint8_t*>memchr(d + p, 69, (c if c < n else n) - p)
        if hit != NULL:
            c = hit - d
        if c + 4 > n:
            return n
        if memcmp(d + c, b"INTL", 4) == 0 or memcmp(d + c, b"ERRR", 4) == 0:
            scratch.n = 0
            r = try_record(d, n, c, scratch, &info, &f)
            if r == -2:
                return -2
            if r > 0:
                return c
        p = c + 1
    return n


cdef inline bint _is_sep(uint8_t c) noexcept nogil:
    return c == 10 or c == 13 or c == 19


cdef int64_t scan_loop(const uint8_t* d, int64_t n, Span* span, bint strict,
                       TokBuf* t, RecBuf* r, ErrBuf* e, Fail* f, TokBuf* scratch) noexcept nogil:
    """Scan records that start in [span.claimed, span.stop) (a record may run past stop, up to n;
    stop may be lowered meanwhile by another thread). Returns the position after the last record or
    damaged span; -1 strict failure (f filled, f.a/f.b kept); -2 on memory exhaustion."""
    cdef Info info
    cdef int64_t s, end, q
    cdef int64_t pos = span.claimed
    cdef int64_t claimed = pos
    cdef int64_t stop = mxb_read(&span.stop)
    # A 64th of the range, 256 bytes to CLAIM: small ranges can be split too (the tests' and the
    # fuzzer's inputs are a few KB)
    cdef int64_t claim = min(max((stop - pos) >> 6, 256), <int64_t>CLAIM)
    cdef Py_ssize_t t0, k
    while True:
        while pos < stop and _is_sep(d[pos]):
            pos += 1
        if pos >= claimed:
            claimed = pos + claim
            mxb_publish(&span.claimed, claimed)
            stop = mxb_read(&span.stop)
        if pos >= stop:
            return pos
        s = pos
        t0 = t.n
        end = try_record(d, n, s, t, &info, f)
        if end == -2 or rec_reserve(r):
            return -2
        if end > 0:
            k = r.n
            r.start[k] = s
            r.end[k] = end
            r.tok_start[k] = t0
            r.tok_end[k] = t.n
            r.kind[k] = info.kind
            r.ok[k] = 1
            r.info[0][k] = <int32_t>info.declared
            r.info[1][k] = info.version
            r.info[2][k] = info.cr
            r.info[3][k] = info.es_style
            r.n += 1
            pos = end
            continue
        if strict:
            return -1
        q = verified_start(d, n, s + 1, scratch)
        if q == -2 or err_reserve(e):
            return -2
        k = e.n
        e.start[k] = s
        e.end[k] = q
        e.offset[k] = f.offset
        e.record[k] = r.n
        e.code[k] = f.code
        e.seg[k] = f.seg
        e.tag[k] = f.tag
        e.a[k] = f.a
        e.b[k] = f.b
        e.n += 1
        if n - s >= 4 and (memcmp(d + s, b"INTL", 4) == 0 or memcmp(d + s, b"ERRR", 4) == 0):
            # The damaged record keeps its row (ok = 0, no tokens) so record indices stay aligned
            # with the source; its kind is read from the header when the header is whole.
            k = r.n
            r.start[k] = s
            r.end[k] = q
            r.tok_start[k] = t0
            r.tok_end[k] = t0
            r.kind[k] = _kind_guess(d, n, s)
            r.ok[k] = 0
            r.info[0][k] = -1
            r.info[1][k] = -1
            r.info[2][k] = 0
            r.info[3][k] = -1
            r.n += 1
        pos = q


cdef int8_t _kind_guess(const uint8_t* d, int64_t n, int64_t s) noexcept nogil:
    """What a damaged record looks like (the twin's _kind_guess: the fuzzer found them disagreeing
    on a consulta cut short inside its 88-byte header)."""
    if s + 4 <= n and memcmp(d + s, b"ERRR", 4) == 0:
        return K_ERROR
    if s + RESPONSE_COUNTRY_AT + 2 <= n and d[s + RESPONSE_COUNTRY_AT] == 77 and d[s + RESPONSE_COUNTRY_AT + 1] == 88:
        if s + RESPONSE_FOUND_AT + 1 <= n and d[s + RESPONSE_FOUND_AT] == 49:
            return K_HIT
        if s + RESPONSE_FOUND_AT + 1 <= n and d[s + RESPONSE_FOUND_AT] == 48:
            return K_NOHIT
        return K_UNKNOWN
    if s + CONSULTA_COUNTRY_AT + 2 <= n and d[s + CONSULTA_COUNTRY_AT] == 77 and d[s + CONSULTA_COUNTRY_AT + 1] == 88:
        return K_CONSULTA
    return K_UNKNOWN


# The loops run through _index.guarded: a mapped input that shrinks under them ends in SourceError.
cdef struct ScanCall:
    const uint8_t* d
    int64_t n
    Span* span
    bint strict
    TokBuf* t
    RecBuf* r
    ErrBuf* e
    Fail* f
    TokBuf* scratch
    Py_ssize_t reserve
    int64_t pos


cdef int64_t _scan_call(void* p) noexcept nogil:
    cdef ScanCall* c = <ScanCall*>p
    if tok_reserve(c.t, c.reserve):
        return -2
    return scan_loop(c.d, c.n, c.span, c.strict, c.t, c.r, c.e, c.f, c.scratch)


cdef int64_t _start_call(void* p) noexcept nogil:
    cdef ScanCall* c = <ScanCall*>p
    return verified_start(c.d, c.n, c.pos, c.scratch)


# ---------------------------------------------------------------------------------------------
# GIL side: allocate, release the GIL around the loop, hand the buffers to numpy.

def scan_range(const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t stop, bint strict,
               Py_ssize_t expect_tokens=0, Lane lane=None):
    """Scan the records of ``buf`` that start in [start, stop) -- or in a lane's range, which may
    shrink while it is scanned (start and stop are then ignored). Returns (end, tokens, records,
    errors, failure): dicts of numpy arrays, and on a strict failure (code, offset, seg, tag, a, b,
    record) with record relative to this range."""
    cdef Span own
    cdef Span* span = &own
    cdef TokBuf t
    cdef RecBuf r
    cdef ErrBuf e
    cdef TokBuf scratch
    cdef Fail f
    cdef int64_t end
    cdef int64_t n = buf.shape[0]
    cdef const uint8_t* d = &buf[0] if n > 0 else <const uint8_t*>b""
    if lane is not None:
        span = &lane.span
        start = mxb_read(&span.claimed)
        stop = mxb_read(&span.stop)
    if not 0 <= start <= stop <= n:
        raise ValueError("scan range outside the buffer")
    own.claimed, own.stop = start, stop
    tok_init(&t, False)
    tok_init(&scratch, True)
    rec_init(&r)
    err_init(&e)
    # Probe before allocating: realistic files have ~1 token per 10 bytes; reserving 1 per 8 avoids
    # growth, and pages never written are never committed. Growth covers the rest.
    if expect_tokens <= 0:
        expect_tokens = (stop - start) // 8 + 64
    tok_fill_from_pool(&t, expect_tokens)
    cdef ScanCall call
    cdef int faulted = 0
    call.d, call.n, call.span, call.strict = d, n, span, strict
    call.t, call.r, call.e, call.f, call.scratch, call.reserve = &t, &r, &e, &f, &scratch, expect_tokens
    with nogil:
        end = guarded(_scan_call, &call, &faulted)
        mxb_publish(&span.claimed, INT64_MAX)      # finished (or failed): nothing left to split
    tok_free(&scratch)
    if end == -2 or faulted:
        free_all(&t, &r, &e)
        if faulted:
            raise input_changed()
        raise MemoryError("mxbureau: out of memory while scanning")
    failure = None
    if end == -1:
        failure = (f.code, f.offset, f.seg, f.tag, f.a, f.b, r.n)
    return end, tokens_dict(&t), records_dict(&r, INFO), errors_dict(&e), failure


def find_record_start(const uint8_t[::1] buf, Py_ssize_t pos):
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none):
    where a parallel range or a chunk may begin."""
    cdef TokBuf scratch
    cdef int64_t n = buf.shape[0]
    cdef int64_t q
    cdef ScanCall call
    cdef int faulted = 0
    if pos >= n:
        return n
    tok_init(&scratch, True)
    call.d, call.n, call.pos, call.scratch = &buf[0], n, pos, &scratch
    with nogil:
        q = guarded(_start_call, &call, &faulted)
    tok_free(&scratch)
    if faulted:
        raise input_changed()
    if q == -2:
        raise MemoryError("mxbureau: out of memory while scanning")
    return q
