"""Compiled INTL13 tokenizer: one pass over concatenated records into the shared token index
(mxbureau/_index.pxd: 14 bytes a token; a token's record is not stored per token, records carry
[tok_start, tok_end)), and the search for verified record starts that lenient mode resynchronises on.

The semantics are those of mxbureau/intl13/twin.py (the pure-Python twin); the tests compare both on
every corpus. Status codes inside, exceptions at the boundary: the nogil loop fills a Fail struct and
mxbureau/scanner.py raises mxbureau.FormatError. Problem codes, record kinds and header positions are
compiled in from the values of mxbureau/intl13/spec.py (CONSTANTS below; a test holds them equal).
"""
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memcmp, memset

from mxbureau._index cimport (ErrBuf, Lane, RangeScan, RecBuf, Span, TokBuf, range_close, range_open,
                              err_reserve, guarded, input_changed, mxb_publish, mxb_read, rec_reserve,
                              tok_reserve)

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
    PREFIX_SEGMENT = 16
    PREFIX_HEADER = 17
    RUNS_INTO_NEXT = 18

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
                 "CR_NO_READING": CR_NO_READING, "PREFIX_SEGMENT": PREFIX_SEGMENT, "PREFIX_HEADER": PREFIX_HEADER,
                 "RUNS_INTO_NEXT": RUNS_INTO_NEXT},
    "KINDS": {"hit": K_HIT, "nohit": K_NOHIT, "error": K_ERROR, "consulta": K_CONSULTA},
    "RESPONSE_HEADER_LENGTH": RESPONSE_HEADER_LENGTH, "CONSULTA_HEADER_LENGTH": CONSULTA_HEADER_LENGTH,
    "ERROR_HEADER_LENGTH": ERROR_HEADER_LENGTH, "RESPONSE_COUNTRY_AT": RESPONSE_COUNTRY_AT,
    "RESPONSE_FOUND_AT": RESPONSE_FOUND_AT, "CONSULTA_COUNTRY_AT": CONSULTA_COUNTRY_AT,
    "MAX_RECORD": MAX_RECORD,
    # segments that may come before a consulta's INTL header (the record then starts at them)
    "CONSULTA_PREFIX": ("CL", "AU"),
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
    TAG_CL = 67 | (76 << 8)
    TAG_AU = 65 | (85 << 8)
    TAG_00 = 48 | (48 << 8)
    TAG_01 = 48 | (49 << 8)


cdef struct Fail:
    int code
    int64_t offset
    uint16_t seg
    uint16_t tag
    int64_t a
    int64_t b
    int cr_alt        # -1 until a CR is read with reading A; then whether reading B was possible there
    int64_t cap       # parse_record's cap (kept here, not in a register of the hot loop: see there)


cdef struct Info:
    int kind          # K_HIT, K_NOHIT, K_ERROR, K_CONSULTA (K_UNKNOWN until the header is read)
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


cdef inline int _stop(Fail* f, int64_t q, int64_t s, int64_t n, int64_t limit, int64_t cap, uint16_t seg) noexcept nogil:
    """The problem of a record whose next field starts at q past its bound: the next intact record
    (cap, lenient mode's problem report), its 999,999 bytes (limit), or the input (n - 4), whichever
    is nearest. cap = n when there is no next record to run into."""
    if q > cap and cap <= limit:
        return _fail(f, RUNS_INTO_NEXT, cap, seg, 0, 0, 0)
    if q > limit:
        return _fail(f, NO_END_MARK, s + MAX_RECORD + 1, seg, 0, MAX_RECORD, 0)
    return _fail(f, TRUNCATED, q, seg, 0, 4, n - q)


cdef inline bint _seg_start(const uint8_t* d, int64_t n, int64_t e) noexcept nogil:
    """2 capitals + 2 digits at e: what follows a CR text under a valid reading."""
    return e + 4 <= n and (CLS[d[e]] & CLS[d[e + 1]]) == UPPER and (CLS[d[e + 2]] & CLS[d[e + 3]]) == DIGIT


# The first two letters of a record start (IN, ER, CL, AU), by their little-endian 16-bit code.
cdef uint8_t FIRST2[65536]
for _i in range(65536):
    FIRST2[_i] = _i in (73 | (78 << 8), 69 | (82 << 8), 67 | (76 << 8), 65 | (85 << 8))


cdef inline bint _is_prefix(const uint8_t* d, int64_t n, int64_t s) noexcept nogil:
    """CL or AU and a 2-digit length at s: a consulta that starts with Sintetiza or authentication."""
    return (s + 4 <= n and ((d[s] == 67 and d[s + 1] == 76) or (d[s] == 65 and d[s + 1] == 85))
            and (CLS[d[s + 2]] & CLS[d[s + 3]]) == DIGIT)


cdef inline bint _is_start(const uint8_t* d, int64_t n, int64_t s) noexcept nogil:
    """What a record can start with: INTL, ERRR, or a consulta's CL/AU segment."""
    return s + 4 <= n and (memcmp(d + s, b"INTL", 4) == 0 or memcmp(d + s, b"ERRR", 4) == 0 or _is_prefix(d, n, s))


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


cdef int64_t parse_es(const uint8_t* d, int64_t n, int64_t s, int64_t q, int64_t limit, int64_t cap, TokBuf* t,
                      Py_ssize_t tn, Info* info, Fail* f) noexcept nogil:
    """The ES segment from its first field at q: declared length, control number, ** end mark."""
    cdef uint8_t c0, c1, cls
    cdef uint16_t tag
    cdef int L, k
    cdef int64_t v, es_pos = -1, count
    cdef bint first = True
    while True:
        if not first:
            if q > limit or q > cap:
                return _stop(f, q, s, n, limit, cap, TAG_ES)
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


cdef int64_t parse_prefix(const uint8_t* d, int64_t n, int64_t s, int64_t limit, int64_t cap, TokBuf* t,
                          Info* info, Fail* f) noexcept nogil:
    """CL and AU segments from s up to a field boundary holding INTL; then that consulta header.
    Returns the first field after the header (t.n counts the prefix's tokens), -1 with f filled,
    -2 on memory exhaustion. The slow path: a consulta batch holds one such record per customer."""
    cdef int64_t q = s, v, guard = limit if limit < n - 4 else n - 4
    cdef uint16_t tag, seg = 0
    cdef uint8_t cls
    cdef int L
    if cap < guard:
        guard = cap
    if tok_reserve(t, t.n + (((limit + 5 if limit + 5 < n else n) - s) >> 2) + 2):
        return -2
    while True:
        if q > guard:
            return _stop(f, q, s, n, limit, cap, seg)
        cls = CLS[d[q]] & CLS[d[q + 1]]
        tag = d[q] | (d[q + 1] << 8)
        if cls == UPPER:
            if q > s and memcmp(d + q, b"INTL", 4) == 0:
                break
            if tag != TAG_CL and tag != TAG_AU:
                return _fail(f, PREFIX_SEGMENT, q, seg, tag, 0, 0)
            seg = tag
        elif cls != DIGIT:
            return _fail(f, BAD_TAG, q, seg, 0, 0, 0)
        L = _len2(d + q + 2)
        if L > 99:
            return _fail(f, BAD_LENGTH, q + 2, seg, tag, 0, 0)
        v = q + 4
        if v + L > n:
            return _fail(f, TRUNCATED, q, seg, tag, L + 4, n - q)
        t.offset[t.n] = v
        t.length[t.n] = L
        t.tag[t.n] = tag
        t.seg[t.n] = seg
        t.n += 1
        q = v + L
    # the INTL header at q: a consulta's (an 88-byte header with MX at 34); a response's is damage
    if q + RESPONSE_HEADER_LENGTH > n:
        return _fail(f, TRUNCATED, q, 0, 0, RESPONSE_HEADER_LENGTH, n - q)
    if (CLS[d[q + 4]] & CLS[d[q + 5]]) != DIGIT:
        return _fail(f, BAD_VERSION, q + 4, 0, 0, 0, 0)
    info.version = (d[q + 4] - 48) * 10 + (d[q + 5] - 48)
    if d[q + RESPONSE_COUNTRY_AT] == 77 and d[q + RESPONSE_COUNTRY_AT + 1] == 88:
        return _fail(f, PREFIX_HEADER, q + RESPONSE_COUNTRY_AT, 0, 0, 0, 0)
    if q + CONSULTA_HEADER_LENGTH > n:
        return _fail(f, TRUNCATED, q, 0, 0, CONSULTA_HEADER_LENGTH, n - q)
    if d[q + CONSULTA_COUNTRY_AT] != 77 or d[q + CONSULTA_COUNTRY_AT + 1] != 88:
        return _fail(f, NO_COUNTRY, q + RESPONSE_COUNTRY_AT, 0, 0, 0, 0)
    info.kind = K_CONSULTA
    return q + CONSULTA_HEADER_LENGTH


cdef int64_t parse_record(const uint8_t* d, int64_t n, int64_t s, TokBuf* t, Info* info,
                          Fail* f, bint cr_b, int64_t cap) noexcept nogil:
    """cap: lenient mode's problem report stops at the next intact record (RUNS_INTO_NEXT); n else."""
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
    cdef Py_ssize_t tn
    # cap and the CR flag live in f: as locals they cost an instruction a token in the hot loop
    # (register pressure; callgrind, 11.8 MB corpus: 72.1 M -> 69.6 M instructions a scan, as before
    # them)
    f.cr_alt = -1
    f.cap = cap
    info.kind = K_UNKNOWN
    info.cr = 0
    info.es_style = -1
    info.declared = -1
    info.version = -1
    limit = s + MAX_RECORD
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
    elif _is_prefix(d, n, s):
        q = parse_prefix(d, n, s, limit, cap, t, info, f)
        if q < 0:
            return q
    else:
        return _fail(f, RECORD_START, s, 0, 0, 0, 0)

    tn = t.n
    guard = limit if limit < n - 4 else n - 4
    if f.cap < guard:
        guard = f.cap
    # Capacity for every token this record can hold (fields take >= 4 bytes).
    if tok_reserve(t, tn + (((limit + 5 if limit + 5 < n else n) - q) >> 2) + 2):
        return -2
    o_off = t.offset
    o_len = t.length
    o_tag = t.tag
    o_seg = t.seg
    while True:
        if q > guard:
            return _stop(f, q, s, n, limit, f.cap, seg)
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
            return parse_es(d, n, s, q, limit, f.cap, t, tn, info, f)
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
                if f.cr_alt < 0:
                    # Reading B gives another parse only if it is possible at the first CR read
                    # with A: there the two parses part (before it they are the same bytes, and
                    # where B is impossible the B parse fails). So the retry happens exactly when
                    # "A was taken while B was possible" holds for the record's first such CR.
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
    cdef int64_t end = parse_record(d, n, s, t, info, f, False, n)
    cdef Fail f2
    if end == -1 and f.cr_alt > 0:
        t.n = t0
        end = parse_record(d, n, s, t, info, &f2, True, n)
        if end == -1:
            t.n = t0
    elif end < 0:
        t.n = t0
    return end


# ---------------------------------------------------------------------------------------------
# Verified record starts in linear time.
#
# A candidate start c (INTL, ERRR, or CL/AU) is verified when a record parses from c with an exact
# ES. After its header and first field, the parse is a walk over field boundaries, and the next
# boundary depends only on the boundary q and the walk's plane (what a field at q means): M0 (error
# records, consultas), MA / MB (responses; CR read A-first, or B forced for the retry), PRE (CL/AU
# segments before a consulta's INTL), ES (after the ES length). So walks that meet at a (plane, q)
# node go on together, and whether c is verified is a property of its first node: a walk ends at a
# structural failure (no start is verified through it) or at an ES end mark E with declared length D,
# which verifies exactly one start, E - D (the length limit never decides: a record that closes at
# E - D + D has all its boundaries under its 999,999 bytes).
#
# So nodes are remembered: each node walked belongs to a class (union-find, by rank with path
# halving) whose record says where its walks go: a failure (DEAD), an ES length D and the class of
# the ES nodes after it (IN_ES), an end E (END), or not known yet: the walk stopped at a candidate's
# limit, at the front f (OPEN). A walk that reaches a remembered node joins its class and reads the
# answer, or resumes at f; a walk that stops extends its class's front.
#
# Counting: each (plane, position) is walked at most once while remembered (a walk never revisits
# its own class's nodes: they lie before its front). A walk costs O(1) plus its new nodes plus one
# find per class it joins (each join is a union; unions are at most the classes, at most 2 per
# walk). Candidates cost O(1) each beyond their walks (a header, a first field, a CL/AU prefix being
# nodes of PRE), and at most 2 walks. Finding candidates: one pass over the bytes (each search
# starts after the previous one's result). So a search over B
# bytes costs O(B) (times the inverse Ackermann function of the union-find, <= 4 on any input).
#
# Memory: nodes are kept in a hash table (open addressing) keyed by (position, plane); a node before
# the current candidate is never walked again, so it is simply never matched and is dropped when the
# table is rehashed (at 3/4 full, into twice the live nodes: amortised O(1) an insertion). Class
# records are recycled in epochs: when 2^19 have been made, everything is forgotten between two
# candidates (a candidate makes at most 4, so an epoch spans at least 2^17 candidate bytes and a
# position is walked at most ~10 times in all). The issue's pattern remembers ~30,000 nodes a MB
# (a 64K-entry table); a window of 2^20 slots per plane instead cost 20 bytes of zeroed memory a byte
# of window, faulted in: ~30x valid input's time a byte at 1 MB, the faults most of it. The memo is
# made only when a search has walked more than walk_budget bytes without it.

cdef enum:
    P_M0 = 0
    P_MA = 1
    P_MB = 2
    P_PRE = 3
    P_ES = 4
    N_PLANES = 5
    MAX_CLASSES = 1 << 19
    C_OPEN = 0
    C_DEAD = 1
    C_IN_ES = 2
    C_END = 3
    S_NEXT = 0
    S_DEAD = 1
    S_ES = 2
    S_END = 3


# Bytes walked without the memo before it is made (set_walk_budget: the tests set 0 to bound the work
# of small inputs by their size; the plain walks of up to a budget are quadratic on them). 64 KB: a
# chunk split or a steal on valid data finds its record within a few KB, so never maps the memo
# (its unmapping would interrupt the other scanning threads); with 1 MB the issue's pattern at 1 MB
# cost ~30x valid input's time a byte, the budget's walking being most of it.
cdef int64_t walk_budget = 64 << 10


cdef struct Cls:
    int64_t pos         # OPEN: the front; END: the record's end
    int32_t parent
    int32_t es          # IN_ES: the class of the ES nodes
    int32_t declared    # IN_ES: the ES length
    uint8_t state
    uint8_t plane       # OPEN: the front's plane
    uint8_t rank


cdef struct Memo:
    uint64_t* tab       # remembered nodes: ((pos + 1) << 23 | plane << 20 | class), 0 empty; open addressing
    int64_t tbits       # the table has 2^tbits entries
    int64_t tcount      # entries in it (live or stale)
    Cls* cls
    int32_t ncls
    int32_t cap
    int64_t lo          # no candidate to come is below lo: nodes before it are stale (never matched)
    int64_t hi          # above every remembered node
    int64_t plain       # bytes walked without the memo
    int64_t work        # bytes examined: walks and parses (tests bound it by the input's size)


cdef void memo_init(Memo* m) noexcept nogil:
    m.tab = NULL
    m.tbits = 0
    m.tcount = 0
    m.cls = NULL
    m.ncls = 0
    m.cap = 0
    m.lo = 0
    m.hi = 0
    m.plain = 0
    m.work = 0


cdef void memo_free(Memo* m) noexcept nogil:
    free(m.tab)
    free(m.cls)
    m.tab = NULL
    m.cls = NULL


cdef int memo_make(Memo* m, int64_t n) noexcept nogil:
    """The node table (small, grown as nodes are remembered) and the class records (zeroed pages are
    committed when touched)."""
    m.tbits = 12
    m.tab = <uint64_t*>calloc(<size_t>1 << m.tbits, sizeof(uint64_t))
    m.cap = MAX_CLASSES if n + 64 > MAX_CLASSES else <int32_t>(n + 64)     # epochs beyond
    m.cls = <Cls*>calloc(m.cap, sizeof(Cls))
    if m.tab == NULL or m.cls == NULL:
        memo_free(m)
        return -1
    m.tcount = 0
    m.lo = 0
    m.hi = 0
    return 0


cdef inline uint64_t _slot_of(int64_t key, int64_t tbits) noexcept nogil:
    return (<uint64_t>key * <uint64_t>0x9E3779B97F4A7C15) >> (64 - tbits)


cdef inline int32_t memo_get(Memo* m, int plane, int64_t q) noexcept nogil:
    """The class of node (plane, q), -1 if not remembered (q >= m.lo)."""
    cdef uint64_t key = (<uint64_t>(q + 1) << 3) | <uint64_t>plane
    cdef uint64_t mask = (<uint64_t>1 << m.tbits) - 1
    cdef uint64_t i = _slot_of(key, m.tbits), e
    while True:
        e = m.tab[i]
        if e == 0:
            return -1
        if (e >> 20) == key:
            return <int32_t>(e & 0xFFFFF)
        i = (i + 1) & mask


cdef int memo_grow(Memo* m) noexcept nogil:
    """Rehash into a table twice the live nodes (nodes before m.lo are dropped): at most half full
    after, so at least a quarter of it is inserted before the next rehash (amortised O(1))."""
    cdef int64_t size = <int64_t>1 << m.tbits, live = 0, i, bits = 12
    cdef uint64_t* old = m.tab
    cdef uint64_t* tab
    cdef uint64_t e, mask, j
    for i in range(size):
        if old[i] != 0 and <int64_t>(old[i] >> 23) - 1 >= m.lo:
            live += 1
    while (<int64_t>1 << bits) < 2 * live + 2:
        bits += 1
    tab = <uint64_t*>calloc(<size_t>1 << bits, sizeof(uint64_t))
    if tab == NULL:
        return -1
    mask = (<uint64_t>1 << bits) - 1
    for i in range(size):
        e = old[i]
        if e != 0 and <int64_t>(e >> 23) - 1 >= m.lo:
            j = _slot_of(<int64_t>(e >> 20), bits)
            while tab[j] != 0:
                j = (j + 1) & mask
            tab[j] = e
    free(old)
    m.tab = tab
    m.tbits = bits
    m.tcount = live
    return 0


cdef inline int memo_put(Memo* m, int plane, int64_t q, int32_t k) noexcept nogil:
    """Remember node (plane, q) in class k (not remembered yet). -1 when memory runs out."""
    cdef uint64_t key = (<uint64_t>(q + 1) << 3) | <uint64_t>plane
    cdef uint64_t mask, i
    if 4 * (m.tcount + 1) > 3 << m.tbits:
        if memo_grow(m):
            return -1
    mask = (<uint64_t>1 << m.tbits) - 1
    i = _slot_of(key, m.tbits)
    while m.tab[i] != 0:
        i = (i + 1) & mask
    m.tab[i] = (key << 20) | <uint64_t>k
    m.tcount += 1
    if q >= m.hi:
        m.hi = q + 1
    return 0


cdef void memo_advance(Memo* m, int64_t c) noexcept nogil:
    """Candidates from c on: nodes before c are never walked again (stale: never matched, dropped at
    the next rehash)."""
    if c > m.lo:
        m.lo = c
        if m.hi < c:
            m.hi = c
    if m.ncls + 4 > m.cap:             # a new epoch (see above)
        memset(m.tab, 0, (<size_t>1 << m.tbits) * sizeof(uint64_t))
        m.tcount = 0
        m.hi = m.lo
        m.ncls = 0


cdef inline int32_t new_class(Memo* m, int plane) noexcept nogil:
    cdef int32_t k = m.ncls
    m.ncls += 1
    m.cls[k].parent = k
    m.cls[k].rank = 0
    m.cls[k].state = C_OPEN
    m.cls[k].plane = plane
    return k


cdef inline int32_t find(Memo* m, int32_t k) noexcept nogil:
    cdef Cls* c = m.cls
    while c[k].parent != k:
        c[k].parent = c[c[k].parent].parent
        k = c[k].parent
    return k


cdef int32_t unite(Memo* m, int32_t a, int32_t b) noexcept nogil:
    """Roots a and b in one class, with b's record (a's walk has joined b's). -> the root."""
    cdef Cls* c = m.cls
    if c[a].rank > c[b].rank:
        c[a].pos = c[b].pos
        c[a].es = c[b].es
        c[a].declared = c[b].declared
        c[a].state = c[b].state
        c[a].plane = c[b].plane
        c[b].parent = a
        return a
    c[a].parent = b
    if c[a].rank == c[b].rank:
        c[b].rank += 1
    return b


cdef int step(const uint8_t* d, int64_t n, int64_t q, int plane, bint first, int64_t* nxt, int64_t* declared,
              int* plane_out) noexcept nogil:
    """The field at boundary q in plane (first: the record's first field, after its header): S_NEXT
    with the next boundary and its plane, S_ES with the ES length and the next boundary (in P_ES),
    S_END with the record's end, or S_DEAD. parse_record's rules, without tokens or problems."""
    cdef uint8_t cls
    cdef uint16_t tag
    cdef int L, k, pl
    cdef int64_t v, c, tt, ta, tb, T, count, h
    cdef bint va, vb
    plane_out[0] = plane
    if q + 4 > n:
        return S_DEAD
    cls = CLS[d[q]] & CLS[d[q + 1]]
    tag = d[q] | (d[q + 1] << 8)
    L = _len2(d + q + 2)
    v = q + 4
    if plane == P_ES:
        if cls != DIGIT or L > 99 or v + L > n:
            return S_DEAD
        if (tag == TAG_01 or tag == TAG_00) and L == 2 and d[v] == 42 and d[v + 1] == 42:
            nxt[0] = v + 2
            return S_END
        nxt[0] = v + L
        return S_NEXT
    if cls == DIGIT:
        if first or L > 99 or v + L > n:
            return S_DEAD
        nxt[0] = v + L
        return S_NEXT
    if cls != UPPER:
        return S_DEAD
    if plane == P_PRE:
        if memcmp(d + q, b"INTL", 4) == 0:
            # a consulta's header, then its first field
            h = q
            if (h + CONSULTA_HEADER_LENGTH > n or (CLS[d[h + 4]] & CLS[d[h + 5]]) != DIGIT
                    or (d[h + RESPONSE_COUNTRY_AT] == 77 and d[h + RESPONSE_COUNTRY_AT + 1] == 88)
                    or d[h + CONSULTA_COUNTRY_AT] != 77 or d[h + CONSULTA_COUNTRY_AT + 1] != 88):
                return S_DEAD
            return step(d, n, h + CONSULTA_HEADER_LENGTH, P_M0, True, nxt, declared, plane_out)
        if (tag != TAG_CL and tag != TAG_AU) or L > 99 or v + L > n:
            return S_DEAD
        nxt[0] = v + L
        return S_NEXT
    if L > 99:
        return S_DEAD
    if tag == TAG_ES:
        if v + L > n or L < 1 or L > 6:
            return S_DEAD
        count = 0
        for k in range(L):
            if CLS[d[v + k]] != DIGIT:
                return S_DEAD
            count = count * 10 + (d[v + k] - 48)
        declared[0] = count
        nxt[0] = v + L
        plane_out[0] = P_ES
        return S_ES
    if tag == TAG_CR and (plane == P_MA or plane == P_MB) and (L == 4 or L == 5):
        if v + L > n:
            return S_DEAD
        count = 0
        for k in range(L):
            if CLS[d[v + k]] != DIGIT:
                return S_DEAD
            count = count * 10 + (d[v + k] - 48)
        c = v + L
        if c + 4 > n or memcmp(d + c, b"0000", 4) != 0:
            return S_DEAD
        tt = c + 4
        ta = count
        tb = count - (8 + L)
        va = 0 < ta <= MAX_VALUE and _seg_start(d, n, tt + ta)
        vb = 0 < tb <= MAX_VALUE and _seg_start(d, n, tt + tb)
        if plane == P_MB:
            if not vb:
                return S_DEAD
            T = tb
        elif va:
            T = ta
        elif vb:
            T = tb
        else:
            return S_DEAD
        nxt[0] = tt + T
        return S_NEXT
    if v + L > n:
        return S_DEAD
    nxt[0] = v + L
    return S_NEXT


cdef int walk(Memo* m, const uint8_t* d, int64_t n, int64_t c, int plane, int64_t q, int64_t D,
              bint plain) noexcept nogil:
    """Does the walk from node (plane, q) of candidate c (D: its ES length when plane is P_ES) close
    the record at c? 1 or 0. With the memo (see above), or plain: step by step, remembering nothing."""
    cdef int64_t limit = c + MAX_RECORD, nxt = 0, D2 = 0
    cdef int32_t cur = -1, k, r, x
    cdef int res, pl2 = plane
    cdef Cls* cl
    if plain:
        while q <= limit:
            res = step(d, n, q, plane, False, &nxt, &D2, &pl2)
            m.work += 4
            if res == S_DEAD:
                break
            m.plain += nxt - q
            if res == S_END:
                return nxt - D == c
            if res == S_ES:
                D = D2
            plane = pl2
            q = nxt
        return 0
    cl = m.cls
    while True:
        if q > limit:
            if cur >= 0:
                cl[cur].state = C_OPEN
                cl[cur].pos = q
                cl[cur].plane = plane
            return 0
        k = memo_get(m, plane, q)
        if k >= 0:
            r = find(m, k)
            if cur >= 0 and cur != r:
                r = unite(m, cur, r)
            cur = -1
            while True:
                if cl[r].state == C_DEAD:
                    return 0
                if cl[r].state == C_END:
                    return cl[r].pos - D == c
                if cl[r].state == C_IN_ES:
                    D = cl[r].declared
                    r = find(m, cl[r].es)
                    continue
                q = cl[r].pos              # C_OPEN: resume at the front, extending the class
                plane = cl[r].plane
                cur = r
                break
            continue
        if cur < 0:
            cur = new_class(m, plane)
        if memo_put(m, plane, q, cur):
            return -2
        res = step(d, n, q, plane, False, &nxt, &D2, &pl2)
        m.work += 4                         # a step examines a tag and a length (and an ES or CR count)
        if res == S_DEAD:
            cl[cur].state = C_DEAD
            return 0
        if res == S_END:
            cl[cur].state = C_END
            cl[cur].pos = nxt
            return nxt - D == c
        if res == S_ES:
            x = new_class(m, P_ES)
            cl[cur].state = C_IN_ES
            cl[cur].declared = <int32_t>D2
            cl[cur].es = x
            cur = x
            D = D2
        plane = pl2
        q = nxt


cdef int verify(Memo* m, const uint8_t* d, int64_t n, int64_t c) noexcept nogil:
    """1 when a record parses from c with an exact ES (parse_record's verdict), 0 if not, -2 when
    memory runs out. c must not be below an earlier call's c on the same memo."""
    cdef int plane, first, last, res, pl2, got
    cdef int64_t h, nxt = 0, D = 0
    cdef bint plain
    if not _is_start(d, n, c):
        return 0
    if m.tab == NULL and m.plain >= walk_budget:
        if memo_make(m, n):
            return -2
        m.lo = c
        m.hi = c
    # without the memo (under the budget), or for a start below the memo's candidates (not reached
    # by the scan's own calls, which come in increasing order): plain walks
    plain = m.tab == NULL or c < m.lo
    if not plain:
        memo_advance(m, c)
    if d[c] == 73:                                          # INTL
        if c + RESPONSE_HEADER_LENGTH > n or (CLS[d[c + 4]] & CLS[d[c + 5]]) != DIGIT:
            return 0
        if d[c + RESPONSE_COUNTRY_AT] == 77 and d[c + RESPONSE_COUNTRY_AT + 1] == 88:
            if d[c + RESPONSE_FOUND_AT] != 48 and d[c + RESPONSE_FOUND_AT] != 49:
                return 0
            h = c + RESPONSE_HEADER_LENGTH
            first, last = P_MA, P_MB    # B after A: the retry (the same verdict as try_record's)
        elif c + CONSULTA_HEADER_LENGTH <= n and d[c + CONSULTA_COUNTRY_AT] == 77 and d[c + CONSULTA_COUNTRY_AT + 1] == 88:
            h = c + CONSULTA_HEADER_LENGTH
            first, last = P_M0, P_M0
        else:
            return 0
    elif d[c] == 69:                                        # ERRR
        h = c + ERROR_HEADER_LENGTH
        first, last = P_M0, P_M0
    else:                                                   # CL / AU
        h = c
        first, last = P_PRE, P_PRE
    for plane in range(first, last + 1):
        res = step(d, n, h, plane, True, &nxt, &D, &pl2)
        m.work += 4
        if res == S_DEAD:
            continue
        got = walk(m, d, n, c, pl2, nxt, D if res == S_ES else 0, plain)
        if got:
            return got
    return 0


cdef int64_t verified_start(const uint8_t* d, int64_t n, int64_t p, Memo* m) noexcept nogil:
    """The first position >= p where a record parses with an exact ES; n if none; -2 on memory
    exhaustion. Linear in the bytes searched (see above)."""
    cdef int r
    while p + 4 <= n:
        # A byte loop with a table of the starts' first two letters: memchr per first letter
        # stopped at every A of a value of A's, memmem per pattern paid its set-up per candidate
        # (43% of the time on the issue's pattern); this runs at ~1 ns a byte whatever the bytes.
        if FIRST2[d[p] | (d[p + 1] << 8)] and _is_start(d, n, p):
            r = verify(m, d, n, p)
            if r == -2:
                return -2
            if r == 1:
                return p
        p += 1
    return n


cdef inline bint _is_sep(uint8_t c) noexcept nogil:
    return c == 10 or c == 13 or c == 19


cdef int64_t scan_loop(const uint8_t* d, int64_t n, Span* span, bint strict,
                       TokBuf* t, RecBuf* r, ErrBuf* e, Fail* f, Memo* m) noexcept nogil:
    """Scan records that start in [span.claimed, span.stop) (a record may run past stop, up to n;
    stop may be lowered meanwhile by another thread). Returns the position after the last record or
    damaged span; -1 strict failure (f filled, f.a/f.b kept); -2 on memory exhaustion.

    Lenient mode keeps its work linear: a record that a remembered walk may reach (s < m.hi) is
    verified through the memo before it is parsed; a record parsed straight that fails has its walk
    remembered (m.hi then passes it), so no parse repeats another's walk. A damaged record's
    problem comes from a parse that stops at the next verified start q (RUNS_INTO_NEXT past it): it
    costs its span's bytes, however far the unbounded parse would have run."""
    cdef Info info
    cdef int64_t s, end, q
    cdef int v
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
        if pos >= stop or t.n >= span.max_tokens:
            return pos
        s = pos
        t0 = t.n
        v = -1
        if not strict and s < m.hi:
            v = verify(m, d, n, s)
            if v == -2:
                return -2
        end = try_record(d, n, s, t, &info, f) if v != 0 else -1
        if end == -2 or rec_reserve(r):
            return -2
        if end > 0:
            m.work += end - s
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
        if v == -1:
            # parsed straight: remember its walk (or count it against the budget without the memo)
            m.work += f.offset - s if f.offset > s else 4
            if m.tab == NULL and m.plain < walk_budget:
                m.plain += f.offset - s if f.offset > s else 4
            elif verify(m, d, n, s) == -2:
                return -2
        q = verified_start(d, n, s + 1, m)
        if q == -2 or err_reserve(e):
            return -2
        # the problem, found before the next intact record
        if parse_record(d, n, s, t, &info, f, False, q) == -2:
            return -2
        t.n = t0
        m.work += f.offset - s if f.offset > s else 4
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
        if (n - s >= 4 and (memcmp(d + s, b"INTL", 4) == 0 or memcmp(d + s, b"ERRR", 4) == 0)) or info.kind == K_CONSULTA:
            # The damaged record keeps its row (ok = 0, no tokens) so record indices stay aligned
            # with the source; its kind is read from the header when the header is whole. A
            # consulta starting with CL/AU has a row when its INTL header was reached.
            k = r.n
            r.start[k] = s
            r.end[k] = q
            r.tok_start[k] = t0
            r.tok_end[k] = t0
            r.kind[k] = _kind_guess(d, n, s) if info.kind != K_CONSULTA else K_CONSULTA
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
    Memo* memo
    Py_ssize_t reserve
    int64_t pos


cdef int64_t _scan_call(void* p) noexcept nogil:
    cdef ScanCall* c = <ScanCall*>p
    if tok_reserve(c.t, c.reserve):
        return -2
    return scan_loop(c.d, c.n, c.span, c.strict, c.t, c.r, c.e, c.f, c.memo)


cdef int64_t _start_call(void* p) noexcept nogil:
    cdef ScanCall* c = <ScanCall*>p
    return verified_start(c.d, c.n, c.pos, c.memo)


# ---------------------------------------------------------------------------------------------
# GIL side: allocate, release the GIL around the loop, hand the buffers to numpy.

# Bytes examined by walks and parses since the module was loaded (added once per call, atomically:
# ranges scan in threads). Tests bound it by the input's size.
cdef int64_t WORK = 0

cdef extern from *:
    """
    static inline void mxb_add(int64_t* p, int64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
    """
    void mxb_add(int64_t* p, int64_t v) noexcept nogil


def work():
    """Bytes examined by the scanner's walks and parses so far in this process (a count for tests:
    lenient mode examines O(input) bytes whatever the input)."""
    return mxb_read(&WORK)


def set_walk_budget(Py_ssize_t nbytes):
    """Bytes a search walks before it remembers its walks (default 64 KB); -> the old value. For tests:
    with 0 every search is linear from its first byte."""
    global walk_budget
    old = walk_budget
    walk_budget = nbytes
    return old


def scan_range(const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t stop, bint strict,
               Py_ssize_t expect_tokens=0, Lane lane=None, Py_ssize_t max_tokens=0):
    """Scan the records of ``buf`` that start in [start, stop) -- or in a lane's range, which may
    shrink while it is scanned (start and stop are then ignored) -- ending early at the first record
    start where ``max_tokens`` tokens are held (0: no limit; not with a lane). Returns (end, tokens,
    records, errors, failure): dicts of numpy arrays, and on a strict failure (code, offset, seg,
    tag, a, b, record) with record relative to this range."""
    cdef RangeScan g
    cdef Memo m
    cdef Fail f
    cdef int64_t end
    cdef int faulted = 0
    cdef int64_t n = buf.shape[0]
    cdef const uint8_t* d = &buf[0] if n > 0 else <const uint8_t*>b""
    # realistic files have ~1 token per 10 bytes: one reserved per 8
    range_open(&g, n, start, stop, lane, max_tokens, expect_tokens, 8)
    memo_init(&m)
    cdef ScanCall call
    call.d, call.n, call.span, call.strict = d, n, g.span, strict
    call.t, call.r, call.e, call.f, call.memo, call.reserve = &g.t, &g.r, &g.e, &f, &m, g.expect
    with nogil:
        end = guarded(_scan_call, &call, &faulted)
        memo_free(&m)
        mxb_add(&WORK, m.work)
    return range_close(&g, end, faulted, (f.code, f.offset, f.seg, f.tag, f.a, f.b, g.r.n) if end == -1 else None, INFO)


def find_record_start(const uint8_t[::1] buf, Py_ssize_t pos):
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none):
    where a parallel range or a chunk may begin. Linear in the bytes searched."""
    cdef Memo m
    cdef int64_t n = buf.shape[0]
    cdef int64_t q
    cdef ScanCall call
    cdef int faulted = 0
    if pos >= n:
        return n
    memo_init(&m)
    call.d, call.n, call.pos, call.memo = &buf[0], n, pos, &m
    with nogil:
        q = guarded(_start_call, &call, &faulted)
        memo_free(&m)
        mxb_add(&WORK, m.work)
    if faulted:
        raise input_changed()
    if q == -2:
        raise MemoryError("mxbureau: out of memory while scanning")
    return q
