"""Compiled Círculo tokenizer: fixed-width segments with embedded tags into the shared token index
(mxbureau/_index.pxd), plus the segment walk the validator reads and two small kernels (field
status, field hashes) and the plain C walk the benchmarks compare against.

A ``Scanner`` is built from a layout (mxbureau/circulo/spec.py: segment lengths, identifiers, field
positions, widths, token modes): the positions are data, not compiled in, so a new version of the
layout is a new Scanner. What is compiled in are the problem codes, record kinds and roles
(CONSTANTS; a test holds them equal to spec.py).

Records (the unit of lenient recovery and of parallel/chunked splits): the header (HD at the start of
the data), one company block (EM AC* (CR DE* AV*)*), the trailer (TS, last). Record 0 is always the
header, so a company block's record index is its company index + 1. A token is a field's value: the
segment's identifier under the segment's own tag (which the shared decoder takes as the segment
start), then each field under its two-digit tag, cut by its mode: text without its trailing blanks,
numbers without their leading zeros (one digit kept), exact (dates, codes, numeric strings) the whole
width; a blank field has no token (its column is null). The semantics are those of
mxbureau/circulo/twin.py (the pure-Python twin); the tests compare both.
"""
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset
from libc.stdlib cimport free

from mxbureau._index cimport (ErrBuf, days_in_month, Lane, RangeScan, RecBuf, Span, TokBuf, range_close,
                              range_open, err_reserve, grow, guarded, input_changed, mxb_publish, mxb_read,
                              rec_init, rec_reserve, records_dict, tok_fill_from_pool, tok_free, tok_init,
                              tok_reserve, tokens_dict)

import numpy as np

cdef extern from "<string.h>" nogil:
    void* memmem(const void* hay, size_t hlen, const void* needle, size_t nlen)

cdef enum:
    NSEG = 7                # roles HD EM AC CR DE AV TS (spec.ROLES)
    NDEF = 8                # the roles and the legacy header
    MAXF = 32               # fields a segment (EM, the widest, has 27)
    R_HD = 0
    R_EM = 1
    R_AC = 2
    R_CR = 3
    R_DE = 4
    R_AV = 5
    R_TS = 6
    R_LEGACY = 7
    M_TEXT = 0
    M_NUMBER = 1
    M_EXACT = 2
    M_SKIP = 3              # no token (the legacy header's filler)
    CLAIM = 64 << 10        # a parallel range is claimed at most this much at a time (_index.pyx)

# spec.CODE
cdef enum:
    UNKNOWN_BYTES = 1
    TRUNCATED = 2
    BAD_IDENTIFIER = 3
    BAD_FIELD_TAG = 4
    HD_MISSING = 5
    HD_REPEATED = 6
    TS_MISSING = 7
    DATA_AFTER_TS = 8
    OUT_OF_ORDER = 9
    BAD_LENGTH = 10
    # structural findings only the walk reports (validate's S08 and S09)
    NO_CREDIT = 11
    NO_DETAIL = 12
    OUTSIDE_BLOCK = 13
    UNKNOWN_IN_BLOCK = 14

# spec.KINDS, spec.HEADER_VARIANTS, spec.TYPE_CODE
cdef enum:
    K_HEADER = 0
    K_COMPANY = 1
    K_TRAILER = 2
    V_STANDARD = 0
    V_UNTAGGED = 1
    V_LEGACY = 2
    T_A = 0
    T_N = 1
    T_D = 2
    T_P = 3
    T_F = 4

# Field status codes (field_status), one byte a field
cdef enum:
    ST_BLANK = 0
    ST_ZEROS = 1
    ST_OK = 2
    ST_NOT_DIGITS = 3
    ST_BAD_DATE = 4
    ST_CONTROL = 5
    ST_FILLED = 6

CONSTANTS = {
    "PROBLEMS": {"UNKNOWN_BYTES": UNKNOWN_BYTES, "TRUNCATED": TRUNCATED, "BAD_IDENTIFIER": BAD_IDENTIFIER,
                 "BAD_FIELD_TAG": BAD_FIELD_TAG, "HD_MISSING": HD_MISSING, "HD_REPEATED": HD_REPEATED,
                 "TS_MISSING": TS_MISSING, "DATA_AFTER_TS": DATA_AFTER_TS, "OUT_OF_ORDER": OUT_OF_ORDER,
                 "BAD_LENGTH": BAD_LENGTH, "NO_CREDIT": NO_CREDIT, "NO_DETAIL": NO_DETAIL,
                 "OUTSIDE_BLOCK": OUTSIDE_BLOCK, "UNKNOWN_IN_BLOCK": UNKNOWN_IN_BLOCK},
    "KINDS": {"header": K_HEADER, "company": K_COMPANY, "trailer": K_TRAILER},
    "ROLES": ("HD", "EM", "AC", "CR", "DE", "AV", "TS"),
    "HEADER_VARIANTS": {"standard": V_STANDARD, "untagged_filler": V_UNTAGGED, "legacy": V_LEGACY},
    "MODES": {"text": M_TEXT, "number": M_NUMBER, "exact": M_EXACT, "skip": M_SKIP},
    "TYPES": {"A": T_A, "N": T_N, "D": T_D, "P": T_P, "F": T_F},
    "MARK_TAGS": {"zero_date_base": "90", "max_dates": MAX_DATES, "separator_other": "97", "separator_lf": "98",
                  "separator_crlf": "99"},
    "STATUS": {"blank": ST_BLANK, "zeros": ST_ZEROS, "ok": ST_OK, "not_digits": ST_NOT_DIGITS,
               "bad_date": ST_BAD_DATE, "control": ST_CONTROL, "filled": ST_FILLED},
}
# The per-record numbers the scanner writes (RecBuf.info), in order: CR and DE segments in a company
# block (a damaged block's CRs too, counted as the walk sees them), and the header's variant.
INFO = ("credits", "details", "variant")

# Tokens that mark bytes the tables do not hold (the decoder ignores their tags): a date written as
# zeros (it reads as null) is a token under 9k, k its place among the segment's date fields; the
# separator after a segment a token under 98 (LF), 99 (CRLF) or 97 (any other run of CR and LF). So
# the segments table says how a file was written without reading its bytes again (they are out of
# cache by then: on 98 MB the key pass took 52 ms reading them again, 12 ms with the marks; interleaved).
cdef enum:
    TAG_SEP_OTHER = 57 | (55 << 8)      # "97"
    TAG_SEP_LF = 57 | (56 << 8)         # "98"
    TAG_SEP_CRLF = 57 | (57 << 8)       # "99"
    MAX_DATES = 7                       # "90".."96"

cdef uint64_t BLANKS8 = 0x2020202020202020ULL
cdef uint64_t ZEROS8 = 0x3030303030303030ULL


cdef struct SegDef:
    uint16_t tag
    int32_t length
    int32_t ident_len
    uint8_t ident[8]
    int32_t nf
    int32_t fstart[MAXF]        # offset of the field's tag in the segment
    int32_t fwidth[MAXF]
    uint16_t ftag[MAXF]
    uint8_t fmode[MAXF]
    uint8_t ftype[MAXF]
    uint8_t blank_tag[MAXF]     # two blanks accepted where the tag is (HD-08: READINGS 4)
    uint16_t ztag[MAXF]         # a date field's tag when written as zeros (spec.ZERO_DATE_TAGS), else 0
    bint fields_wanted          # 0: only the identifier and separator tokens (a read of other tables)


cdef struct Lay:
    SegDef seg[NDEF]            # by role; [R_LEGACY] the legacy header (length 0: none)
    uint8_t first[256]          # 1 for the first byte of a segment tag (the strong-start search)


cdef struct Fail:
    int code
    int64_t offset
    uint16_t seg
    uint16_t tag
    int64_t a
    int64_t b


cdef inline int _fail(Fail* f, int code, int64_t offset, uint16_t seg, uint16_t tag, int64_t a, int64_t b) noexcept nogil:
    f.code = code
    f.offset = offset
    f.seg = seg
    f.tag = tag
    f.a = a
    f.b = b
    return -1


# ---------------------------------------------------------------------------------------------
# One segment

cdef inline int role_at(const uint8_t* d, int64_t n, int64_t p, const Lay* L) noexcept nogil:
    """>= 0: the role whose tag and identifier start at p; -2 - role: that role's tag with another
    identifier; -1: no segment tag at p."""
    cdef uint16_t t
    cdef int r
    if p + 2 > n:
        return -1
    cdef int k
    t = d[p] | (d[p + 1] << 8)
    for r in range(NSEG):
        if L.seg[r].tag == t:
            if p + 2 + L.seg[r].ident_len > n:
                return -2 - r
            for k in range(L.seg[r].ident_len):          # 2 or 5 bytes: inline, not a libc call
                if d[p + 2 + k] != L.seg[r].ident[k]:
                    return -2 - r
            return r
    return -1


cdef inline int64_t skip_seps(const uint8_t* d, int64_t n, int64_t q) noexcept nogil:
    """Past the separators after a segment: none, LF or CRLF (any run of CR and LF bytes is kept as the
    segment's separator; the tables' ``segments.separator`` has it)."""
    while q < n and (d[q] == 10 or d[q] == 13):
        q += 1
    return q


cdef inline int bad_field(const uint8_t* d, int64_t p, const SegDef* S) noexcept nogil:
    """The first field whose tag is not at its position, or -1 (the segment's bytes must exist)."""
    cdef int k
    cdef uint16_t t
    for k in range(S.nf):
        t = d[p + S.fstart[k]] | (d[p + S.fstart[k] + 1] << 8)
        if t != S.ftag[k] and not (S.blank_tag[k] and t == 0x2020):
            return k
    return -1


cdef extern from *:
    """
    #define MXB_CLZ64(x) __builtin_clzll(x)
    #define MXB_CTZ64(x) __builtin_ctzll(x)
    """
    int _clz64 "MXB_CLZ64"(uint64_t x) noexcept nogil
    int _ctz64 "MXB_CTZ64"(uint64_t x) noexcept nogil


cdef inline int64_t rtrim(const uint8_t* v, int64_t w) noexcept nogil:
    """The length of v without its trailing blanks, 8 bytes a step from the end (names and fillers
    are mostly blank); the last word's non-blank byte found by a count of leading zeros, not a byte
    loop (the byte loop's mispredicted exits: a scan of 98 MB took 84 ms, now 69, interleaved)."""
    cdef uint64_t x
    while w >= 8:
        memcpy(&x, v + w - 8, 8)
        x ^= BLANKS8
        if x:
            return w - 8 + ((63 - _clz64(x)) >> 3) + 1
        w -= 8
    while w > 0 and v[w - 1] == 32:
        w -= 1
    return w


cdef inline bint _all_zero(const uint8_t* p, int64_t w) noexcept nogil:
    cdef int64_t k
    for k in range(w):
        if p[k] != 48:
            return False
    return True


cdef inline Py_ssize_t emit(const uint8_t* d, int64_t p, const SegDef* S, TokBuf* t, Py_ssize_t tn) noexcept nogil:
    """The tokens of the segment at p (room for S.nf + 2 reserved): its identifier under its own tag,
    then every field that is not blank. A misplaced field tag returns -1 - its index (the tokens
    written past t.n are then not taken): one loop checks and cuts, 5% fewer instructions than a check
    loop then a cut loop (callgrind, scan of 10 MB)."""
    cdef int k, mode
    cdef int64_t v, w, e, a
    cdef uint64_t x
    cdef uint16_t x16
    cdef int64_t* o_off = t.offset
    cdef uint16_t* o_len = t.length
    cdef uint16_t* o_tag = t.tag
    cdef uint16_t* o_seg = t.seg
    cdef uint16_t seg = S.tag
    o_off[tn] = p + 2
    o_len[tn] = <uint16_t>S.ident_len
    o_tag[tn] = seg
    o_seg[tn] = seg
    tn += 1
    if not S.fields_wanted:
        k = bad_field(d, p, S)
        return tn if k < 0 else -1 - k
    for k in range(S.nf):
        x16 = d[p + S.fstart[k]] | (d[p + S.fstart[k] + 1] << 8)
        if x16 != S.ftag[k] and not (S.blank_tag[k] and x16 == 0x2020):
            return -1 - k
        mode = S.fmode[k]
        if mode == M_SKIP:
            continue
        v = p + S.fstart[k] + 2
        w = S.fwidth[k]
        e = rtrim(d + v, w)
        if e == 0:
            continue                    # blank: not reported
        a = 0
        if mode == M_EXACT:
            e = w
            if S.ztag[k] and _all_zero(d + v, w):
                o_off[tn] = v
                o_len[tn] = <uint16_t>w
                o_tag[tn] = S.ztag[k]
                o_seg[tn] = seg
                tn += 1
                continue
        elif mode == M_NUMBER:
            # leading zeros, 8 a step; the first other byte of a word by a count of trailing zeros
            while a + 8 < e:
                memcpy(&x, d + v + a, 8)
                x ^= ZEROS8
                if x:
                    a += _ctz64(x) >> 3
                    break
                a += 8
            while a < e - 1 and d[v + a] == 48:
                a += 1
        o_off[tn] = v + a
        o_len[tn] = <uint16_t>(e - a)
        o_tag[tn] = S.ftag[k]
        o_seg[tn] = seg
        tn += 1
    return tn


cdef inline int64_t sep_token(const uint8_t* d, int64_t n, int64_t end, uint16_t seg, TokBuf* t) noexcept nogil:
    """Past the separators after a segment ending at ``end``; a token marks them (room reserved by
    parse_seg)."""
    cdef int64_t q = skip_seps(d, n, end)
    cdef uint16_t tag
    if q > end and t != NULL:
        tag = TAG_SEP_LF if (q - end == 1 and d[end] == 10) else (
            TAG_SEP_CRLF if (q - end == 2 and d[end] == 13 and d[end + 1] == 10) else TAG_SEP_OTHER)
        t.offset[t.n] = end
        t.length[t.n] = <uint16_t>(q - end if q - end < 65535 else 65535)
        t.tag[t.n] = tag
        t.seg[t.n] = seg
        t.n += 1
    return q


cdef int64_t parse_seg(const uint8_t* d, int64_t n, int64_t p, const SegDef* S, TokBuf* t, Fail* f) noexcept nogil:
    """The segment S at p (its tag and identifier matched): tokens appended to t. Returns the segment's
    end (before separators); -1 with f filled (t untouched); -2 out of memory."""
    cdef Py_ssize_t tn
    cdef int k
    if p + S.length > n:
        return _fail(f, TRUNCATED, p, S.tag, 0, S.length, n - p)
    if t == NULL:
        k = bad_field(d, p, S)
    else:
        if t.n + S.nf + 2 > t.cap and tok_reserve(t, t.n + S.nf + 2):
            return -2
        tn = emit(d, p, S, t, t.n)
        k = -1 if tn >= 0 else -1 - tn
        if tn >= 0:
            t.n = tn
    if k >= 0:
        return _fail(f, BAD_FIELD_TAG, p + S.fstart[k], S.tag, S.ftag[k], 0, 0)
    return p + S.length


cdef int64_t parse_header(const uint8_t* d, int64_t n, int64_t p, const Lay* L, TokBuf* t, Fail* f,
                          int* variant) noexcept nogil:
    """The header at p: the layout's HD, or its legacy header. Returns its end or -1 / -2."""
    cdef int r = role_at(d, n, p, L)
    cdef int k
    cdef int64_t end
    cdef Fail f2
    variant[0] = V_STANDARD
    if r == -2 - R_HD:
        return _fail(f, BAD_IDENTIFIER, p, L.seg[R_HD].tag, 0, 0, 0)
    if r != R_HD:
        return _fail(f, HD_MISSING, p, 0, 0, 0, 0)
    end = parse_seg(d, n, p, &L.seg[R_HD], t, f)
    if end == -1 and L.seg[R_LEGACY].length > 0:
        if parse_seg(d, n, p, &L.seg[R_LEGACY], NULL, &f2) > 0:
            variant[0] = V_LEGACY
            return parse_seg(d, n, p, &L.seg[R_LEGACY], t, &f2)
    if end > 0:
        for k in range(L.seg[R_HD].nf):
            if L.seg[R_HD].blank_tag[k] and d[p + L.seg[R_HD].fstart[k]] == 32:
                variant[0] = V_UNTAGGED
    return end


cdef int64_t parse_block(const uint8_t* d, int64_t n, int64_t s, const Lay* L, TokBuf* t, Fail* f,
                         int32_t* credits, int32_t* details) noexcept nogil:
    """The company block whose EM starts at s: EM, AC*, then CRs each with its DEs and AVs. It ends
    where an EM, TS or HD begins, or bytes that start no segment (the caller reports those). Returns
    its end (after the separators of its last segment); -1 with f filled; -2 out of memory."""
    cdef int r, state = R_EM
    cdef int64_t end, q
    credits[0] = 0
    details[0] = 0
    end = parse_seg(d, n, s, &L.seg[R_EM], t, f)
    if end < 0:
        return end
    q = sep_token(d, n, end, L.seg[R_EM].tag, t)
    while q < n:
        r = role_at(d, n, q, L)
        if r == -1 and in_block_after(d, n, q, L):
            return _fail(f, UNKNOWN_IN_BLOCK, q, 0, 0, 0, 0)
        if r == -1 or r == R_EM or r == R_TS or r == R_HD or r == -2 - R_EM or r == -2 - R_TS or r == -2 - R_HD:
            break
        if r < -1:
            return _fail(f, BAD_IDENTIFIER, q, L.seg[-2 - r].tag, 0, 0, 0)
        # AC right after EM; DE after its CR (or another DE); AV after its CR's DEs (a CR without DE is
        # S09, the validator's: the order still holds)
        if (r == R_AC and state > R_AC) or (r == R_DE and state != R_CR and state != R_DE) or (r == R_AV and state < R_CR):
            return _fail(f, OUT_OF_ORDER, q, L.seg[r].tag, 0, 0, 0)
        end = parse_seg(d, n, q, &L.seg[r], t, f)
        if end < 0:
            return end
        state = r
        if r == R_CR:
            credits[0] += 1
        elif r == R_DE:
            details[0] += 1
        q = sep_token(d, n, end, L.seg[r].tag, t)
    return q


# ---------------------------------------------------------------------------------------------
# Where records start, and the segment walk (for damaged spans and the validator)

cdef inline bint verified(const uint8_t* d, int64_t n, int64_t c, int role, const Lay* L) noexcept nogil:
    """A whole segment of ``role`` at c: tag, identifier and every field tag in place."""
    return (role_at(d, n, c, L) == role and c + L.seg[role].length <= n and bad_field(d, c, &L.seg[role]) < 0)


cdef int64_t record_start(const uint8_t* d, int64_t n, int64_t p, const Lay* L) noexcept nogil:
    """The first position >= p where a record starts: a whole EM segment, or a whole TS segment; n if
    none. (A company block's later segments are not checked: a damaged block still starts a record, so
    that company indices stay those of the file.)"""
    cdef const uint8_t* a
    cdef const uint8_t* b
    cdef int64_t c
    cdef const SegDef* E = &L.seg[R_EM]
    cdef const SegDef* T = &L.seg[R_TS]
    cdef uint8_t pe[10]
    cdef uint8_t pt[10]
    cdef int le = 2 + E.ident_len, lt = 2 + T.ident_len
    pe[0] = E.tag & 0xFF
    pe[1] = E.tag >> 8
    memcpy(pe + 2, E.ident, E.ident_len)
    pt[0] = T.tag & 0xFF
    pt[1] = T.tag >> 8
    memcpy(pt + 2, T.ident, T.ident_len)
    while p < n:
        a = <const uint8_t*>memmem(d + p, n - p, pe, le)
        c = n if a == NULL else a - d
        b = <const uint8_t*>memmem(d + p, c - p, pt, lt) if c > p else NULL
        if b != NULL:
            c = b - d
            if verified(d, n, c, R_TS, L):
                return c
        elif c < n:
            if verified(d, n, c, R_EM, L):
                return c
        else:
            return n
        p = c + 1
    return n


cdef inline bint is_strong(const uint8_t* d, int64_t n, int64_t c, const Lay* L) noexcept nogil:
    """A segment plausibly starts at c: its tag, identifier and first field tag."""
    cdef int r
    if c + 1 >= n or not L.first[d[c]]:
        return False
    r = role_at(d, n, c, L)
    if r < 0:
        return False
    return (c + L.seg[r].fstart[0] + 2 <= n and
            (d[c + L.seg[r].fstart[0]] | (d[c + L.seg[r].fstart[0] + 1] << 8)) == L.seg[r].ftag[0])


cdef int64_t strong_start(const uint8_t* d, int64_t n, int64_t p, const Lay* L) noexcept nogil:
    """The first position >= p where a segment plausibly starts; n if none. Only damaged or unknown
    spans are searched."""
    cdef int64_t c
    for c in range(p, n - 1):
        if is_strong(d, n, c, L):
            return c
    return n


cdef inline bint in_block_after(const uint8_t* d, int64_t n, int64_t q, const Lay* L) noexcept nogil:
    """Bytes at q that start no segment are inside a company block when the next plausible segment
    after them is one of a block's own (AC, CR, DE, AV); else they lie between blocks."""
    cdef int64_t c = strong_start(d, n, q + 1, L)
    cdef int r
    if c >= n:
        return False
    r = role_at(d, n, c, L)
    return r == R_AC or r == R_CR or r == R_DE or r == R_AV


cdef struct Step:
    int role          # -1: bytes that start no segment
    int status        # 0 whole, else the problem code
    int bad           # the first misplaced field (BAD_FIELD_TAG), else -1
    int variant       # HD: the header's variant
    int64_t end       # end of the segment's (or span's) bytes
    int64_t next      # where the next one starts (after separators)
    int64_t a
    int64_t b


cdef void step(const uint8_t* d, int64_t n, int64_t p, const Lay* L, Step* s) noexcept nogil:
    """The segment (or the span of unknown bytes) at p, as the validator sees it: a damaged segment
    keeps its role; its real end is where the next plausible segment starts."""
    cdef int rr = role_at(d, n, p, L)
    cdef int role, k
    cdef int64_t q, real
    cdef const SegDef* S
    s.bad = -1
    s.variant = V_STANDARD
    s.a = 0
    s.b = 0
    if rr == -1:
        q = strong_start(d, n, p + 1, L)
        s.role = -1
        s.status = UNKNOWN_BYTES
        s.end = q
        s.next = q
        return
    role = rr if rr >= 0 else -2 - rr
    S = &L.seg[role]
    s.role = role
    if rr >= 0 and p + S.length <= n:
        k = bad_field(d, p, S)
        if k < 0:
            s.status = 0
            s.end = p + S.length
            s.next = skip_seps(d, n, s.end)
            if role == R_HD:
                for k in range(S.nf):
                    if S.blank_tag[k] and d[p + S.fstart[k]] == 32:
                        s.variant = V_UNTAGGED
            return
        if role == R_HD and L.seg[R_LEGACY].length > 0 and p + L.seg[R_LEGACY].length <= n and bad_field(d, p, &L.seg[R_LEGACY]) < 0:
            s.status = 0
            s.variant = V_LEGACY
            s.end = p + L.seg[R_LEGACY].length
            s.next = skip_seps(d, n, s.end)
            return
    # damaged. The right length, and a segment (or the end) right after it: the identifier or a field tag
    # is wrong. Otherwise it ends where the next segment plausibly starts (short, long or cut short).
    if p + S.length <= n:
        q = skip_seps(d, n, p + S.length)
        if q >= n or is_strong(d, n, q, L):
            s.end = p + S.length
            s.next = q
            if rr < 0:
                s.status = BAD_IDENTIFIER
            else:
                s.status = BAD_FIELD_TAG
                s.bad = bad_field(d, p, S)
            return
    q = strong_start(d, n, p + 2, L)
    real = q
    while real > p and (d[real - 1] == 10 or d[real - 1] == 13):
        real -= 1
    s.end = real
    s.next = q
    s.a = S.length
    s.b = real - p
    s.status = TRUNCATED if p + S.length > n else BAD_LENGTH


cdef int64_t count_role(const uint8_t* d, int64_t n, int64_t s, int64_t q, int role, const Lay* L) noexcept nogil:
    """Segments of ``role`` starting in [s, q), as the walk sees them (damaged ones included)."""
    cdef Step st
    cdef int64_t c = 0
    while s < q:
        step(d, n, s, L, &st)
        if st.role == role:
            c += 1
        if st.next <= s:
            break
        s = st.next
    return c


# ---------------------------------------------------------------------------------------------
# The range scanner of the shared token index (scanner.py calls it)

cdef inline int _rec(RecBuf* r, int64_t s, int64_t e, Py_ssize_t t0, Py_ssize_t t1, int kind, bint ok,
                     int32_t credits, int32_t details, int32_t variant) noexcept nogil:
    cdef Py_ssize_t k
    if rec_reserve(r):
        return -1
    k = r.n
    r.start[k] = s
    r.end[k] = e
    r.tok_start[k] = t0
    r.tok_end[k] = t1
    r.kind[k] = kind
    r.ok[k] = ok
    r.info[0][k] = credits
    r.info[1][k] = details
    r.info[2][k] = variant
    r.n += 1
    return 0


cdef inline int _problem(ErrBuf* e, int64_t s, int64_t q, const Fail* f, Py_ssize_t rec) noexcept nogil:
    cdef Py_ssize_t k
    if err_reserve(e):
        return -1
    k = e.n
    e.start[k] = s
    e.end[k] = q
    e.offset[k] = f.offset
    e.record[k] = rec
    e.code[k] = f.code
    e.seg[k] = f.seg
    e.tag[k] = f.tag
    e.a[k] = f.a
    e.b[k] = f.b
    e.n += 1
    return 0


cdef int64_t scan_loop(const uint8_t* d, int64_t n, Span* span, bint strict, const Lay* L,
                       TokBuf* t, RecBuf* r, ErrBuf* e, Fail* f) noexcept nogil:
    """Scan the records that start in [span.claimed, span.stop) (a record may run past stop, up to n;
    stop may be lowered meanwhile by another thread). Returns the position after the last record or
    damaged span; -1 strict failure (f filled); -2 out of memory."""
    cdef int64_t s, end, q, end2
    cdef int64_t pos = span.claimed
    cdef int64_t claimed = pos
    cdef int64_t stop = mxb_read(&span.stop)
    cdef int64_t claim = min(max((stop - pos) >> 6, 256), <int64_t>CLAIM)
    cdef Py_ssize_t t0
    cdef int rr, variant
    cdef int32_t credits, details
    cdef bint ts_last = False, scanned = False, ts_at_end = False
    rr = role_at(d, n, pos, L) if pos < stop else -1
    if rr == R_HD or rr == -2 - R_HD:
        # an HD where a range starts: the header record, whole or damaged (ranges and stream windows
        # begin at a source's start or at a company block or trailer; an HD elsewhere is repeated)
        scanned = True
        t0 = t.n
        end = parse_header(d, n, pos, L, t, f, &variant)
        if end == -2:
            return -2
        if end > 0:
            end = sep_token(d, n, end, L.seg[R_HD].tag, t)
            if _rec(r, pos, end, t0, t.n, K_HEADER, True, 0, 0, variant):
                return -2
            pos = end
        else:
            t.n = t0
            if strict:
                return -1
            q = record_start(d, n, pos + 1, L)
            if _problem(e, pos, q, f, 0) or _rec(r, pos, q, t0, t0, K_HEADER, False, 0, 0, V_STANDARD):
                return -2
            pos = q
    while True:
        if pos >= claimed:
            claimed = pos + claim
            mxb_publish(&span.claimed, claimed)
            stop = mxb_read(&span.stop)
        if pos >= stop or t.n >= span.max_tokens:
            break
        scanned = True
        s = pos
        t0 = t.n
        rr = role_at(d, n, s, L)
        if rr == R_EM or rr == -2 - R_EM:
            if rr == R_EM:
                end = parse_block(d, n, s, L, t, f, &credits, &details)
            else:
                end = _fail(f, BAD_IDENTIFIER, s, L.seg[R_EM].tag, 0, 0, 0)
            if end == -2:
                return -2
            if end > 0:
                if _rec(r, s, end, t0, t.n, K_COMPANY, True, credits, details, 0):
                    return -2
                ts_last = False
                pos = end
                continue
            t.n = t0
            if strict:
                return -1
            q = record_start(d, n, s + 1, L)
            # the damaged block keeps its row (ok = 0, no tokens): company indices stay the file's
            if (_problem(e, s, q, f, r.n) or
                    _rec(r, s, q, t0, t0, K_COMPANY, False, <int32_t>count_role(d, n, s, q, R_CR, L), 0, 0)):
                return -2
            ts_last = False
            pos = q
            continue
        if rr == R_TS:
            end = parse_seg(d, n, s, &L.seg[R_TS], t, f)
            if end == -2:
                return -2
            if end > 0:
                end2 = sep_token(d, n, end, L.seg[R_TS].tag, t)
                if end2 >= n:
                    if _rec(r, s, end2, t0, t.n, K_TRAILER, True, 0, 0, 0):
                        return -2
                    ts_last = True
                    pos = end2
                    continue
                _fail(f, DATA_AFTER_TS, end2, 0, 0, 0, 0)
                if strict:
                    return -1
                q = record_start(d, n, end2, L)
                if q >= n:
                    # only bytes that start no record after it: the TS is the trailer, they a problem
                    if _rec(r, s, end2, t0, t.n, K_TRAILER, True, 0, 0, 0) or _problem(e, end2, n, f, r.n):
                        return -2
                    ts_last = True
                    pos = n
                    continue
                # records follow: this TS is not the last (it has no row: company indices hold)
                t.n = t0
                f.offset = s
                f.seg = L.seg[R_TS].tag
                if _problem(e, s, q, f, r.n):
                    return -2
                ts_last = False
                pos = q
                continue
            t.n = t0
            ts_at_end = True              # a damaged TS: no "TS missing" after it
        elif rr == R_HD or rr == -2 - R_HD:
            _fail(f, HD_REPEATED, s, L.seg[R_HD].tag, 0, 0, 0)
        elif rr == -1:
            _fail(f, UNKNOWN_BYTES, s, 0, 0, 0, 0)
        elif rr >= 0:
            _fail(f, OUTSIDE_BLOCK, s, L.seg[rr].tag, 0, 0, 0)
        else:
            _fail(f, BAD_IDENTIFIER, s, L.seg[-2 - rr].tag, 0, 0, 0)
        if strict:
            return -1
        q = record_start(d, n, s + 1, L)
        if _problem(e, s, q, f, r.n):
            return -2
        ts_last = ts_at_end and q >= n
        ts_at_end = False
        pos = q
    if pos >= n and scanned and not ts_last:
        _fail(f, TS_MISSING, n, 0, 0, 0, 0)
        if strict:
            return -1
        if _problem(e, n, n, f, r.n):
            return -2
    return pos


cdef void _free_rec(RecBuf* r) noexcept:
    cdef int i
    free(r.start)
    free(r.end)
    free(r.tok_start)
    free(r.tok_end)
    free(r.kind)
    free(r.ok)
    for i in range(4):
        free(r.info[i])
    rec_init(r)


# ---------------------------------------------------------------------------------------------
# The validator's walk: every segment, whole or damaged, with the grammar's findings

cdef enum:
    NSCOL = 11              # segment columns: offset end next role status bad variant company credit a b
    NFCOL = 5               # finding columns: offset code role company credit


cdef struct Cols:
    int64_t* c[12]
    int ncol
    Py_ssize_t n
    Py_ssize_t cap


cdef int cols_row(Cols* x) noexcept nogil:
    """Room for row x.n; -1 when memory runs out (the columns stay valid)."""
    cdef Py_ssize_t cap
    cdef int j
    if x.n < x.cap:
        return 0
    cap = x.cap * 2 if x.cap else 1024
    for j in range(x.ncol):
        if grow(<void**>&x.c[j], cap * 8):
            return -1
    x.cap = cap
    return 0


cdef void cols_free(Cols* x) noexcept nogil:
    cdef int j
    for j in range(x.ncol):
        free(x.c[j])
        x.c[j] = NULL
    x.n = 0
    x.cap = 0


cdef object cols_dict(Cols* x, tuple names):
    """x's columns as int64 numpy arrays (copied; x is freed)."""
    cdef int j
    out = {}
    for j in range(x.ncol):
        a = np.empty(x.n, dtype=np.int64)
        if x.n:
            memcpy(<void*><size_t>a.ctypes.data, x.c[j], x.n * 8)
        out[names[j]] = a
    cols_free(x)
    return out


cdef struct WState:
    int64_t phase           # the last role the grammar accepted, + 1 (0: none yet)
    int64_t company         # EM segments so far - 1
    int64_t credit          # CR segments so far - 1
    int64_t credit0         # the first credit of the open company
    int64_t em_at
    int64_t cr_at
    int64_t hd_seen
    int64_t ts_seen
    int64_t after_ts        # 1: a TS was seen; 2: what follows it has been reported


cdef inline int _find(Cols* F, int64_t off, int code, int role, int64_t co, int64_t cr) noexcept nogil:
    cdef Py_ssize_t k
    if cols_row(F):
        return -1
    k = F.n
    F.c[0][k] = off
    F.c[1][k] = code
    F.c[2][k] = role
    F.c[3][k] = co
    F.c[4][k] = cr
    F.n += 1
    return 0


cdef int64_t walk_loop(const uint8_t* d, int64_t n, int64_t start, int64_t stop, const Lay* L, WState* w,
                       TokBuf* t, RecBuf* rb, Cols* S, Cols* F, bint at_start) noexcept nogil:
    """The segments starting in [start, stop): rows in S, the grammar's findings in F, tokens in t,
    records in rb. Returns where it stopped; -2 out of memory."""
    cdef Step st
    cdef int64_t p = start, prev
    cdef int role, status, rc = 0
    cdef int64_t co, crd
    cdef bint open_rec = False, keep
    cdef Py_ssize_t k
    if at_start and stop > start:
        if _rec(rb, start, start, 0, 0, K_HEADER, True, 0, 0, 0):
            return -2
        open_rec = True
    while p < stop:
        step(d, n, p, L, &st)
        role = st.role
        status = st.status
        co = -1
        crd = -1
        if role < 0:
            if w.company >= 0 and R_EM <= w.phase - 1 < R_TS and in_block_after(d, n, p, L):
                co = w.company
            if w.after_ts:
                status = DATA_AFTER_TS
                if w.after_ts == 1:
                    rc |= _find(F, p, DATA_AFTER_TS, -1, -1, -1)
                    w.after_ts = 2
        else:
            prev = w.phase - 1
            keep = False
            if w.after_ts == 1:
                rc |= _find(F, p, DATA_AFTER_TS, role, -1, -1)
                w.after_ts = 2
            if prev == -1 and role != R_HD:
                rc |= _find(F, p, HD_MISSING, R_HD, -1, -1)
                w.hd_seen = 1
                prev = R_HD
            if role == R_HD:
                if w.hd_seen:
                    rc |= _find(F, p, HD_REPEATED, R_HD, -1, -1)
                    keep = True
                w.hd_seen = 1
            elif role == R_EM or role == R_TS:
                if prev == R_EM or prev == R_AC:
                    rc |= _find(F, w.em_at, NO_CREDIT, R_EM, w.company, -1)
                elif prev == R_CR:
                    rc |= _find(F, w.cr_at, NO_DETAIL, R_CR, w.company, w.credit)
                if role == R_TS:
                    if not w.ts_seen:
                        w.after_ts = 1
                    w.ts_seen = 1
            elif role == R_AC:
                if prev != R_EM and prev != R_AC:
                    rc |= _find(F, p, OUT_OF_ORDER if R_EM <= prev < R_TS else OUTSIDE_BLOCK, role,
                                w.company if R_EM <= prev < R_TS else -1, -1)
                    keep = True
            elif role == R_CR:
                if prev == R_CR:
                    rc |= _find(F, w.cr_at, NO_DETAIL, R_CR, w.company, w.credit)
                elif prev < R_EM or prev == R_TS:
                    rc |= _find(F, p, OUTSIDE_BLOCK, role, -1, w.credit + 1)
                    keep = True
            elif role == R_DE or role == R_AV:
                if role == R_AV and prev == R_CR:
                    rc |= _find(F, w.cr_at, NO_DETAIL, R_CR, w.company, w.credit)
                elif not (prev == R_CR or prev == R_DE or (role == R_AV and prev == R_AV)):
                    rc |= _find(F, p, OUT_OF_ORDER if R_EM <= prev < R_TS else OUTSIDE_BLOCK, role,
                                w.company if R_EM <= prev < R_TS else -1,
                                w.credit if w.credit >= w.credit0 and R_EM <= prev < R_TS else -1)
                    keep = True
            if not keep:
                w.phase = role + 1
            if role == R_EM:
                w.company += 1
                w.em_at = p
                w.credit0 = w.credit + 1
                if open_rec:
                    rb.end[rb.n - 1] = p
                    rb.tok_end[rb.n - 1] = t.n
                if _rec(rb, p, p, t.n, t.n, K_COMPANY, True, 0, 0, 0):
                    return -2
                open_rec = True
            elif role == R_CR:
                w.credit += 1
                w.cr_at = p
            if not open_rec:
                # a range that does not start at an EM (its TS, say): a record of its own
                if _rec(rb, p, p, t.n, t.n, K_TRAILER, True, 0, 0, 0):
                    return -2
                open_rec = True
            if role == R_CR:
                rb.info[0][rb.n - 1] += 1
            elif role == R_DE:
                rb.info[1][rb.n - 1] += 1
            elif role == R_HD:
                rb.info[2][rb.n - 1] = st.variant
            if tok_reserve(t, t.n + MAXF + 2):
                return -2
            if status == 0:
                t.n = emit(d, p, &L.seg[R_LEGACY if st.variant == V_LEGACY else role], t, t.n)
                sep_token(d, n, st.end, L.seg[role].tag, t)
            else:
                # a damaged segment: its identifier only (it counts; its fields are not read)
                t.offset[t.n] = p + 2
                t.length[t.n] = 0
                t.tag[t.n] = L.seg[role].tag
                t.seg[t.n] = L.seg[role].tag
                t.n += 1
        if rc or cols_row(S):
            return -2
        k = S.n
        S.c[0][k] = p
        S.c[1][k] = st.end
        S.c[2][k] = st.next
        S.c[3][k] = role
        S.c[4][k] = status
        S.c[5][k] = st.bad
        S.c[6][k] = st.variant
        if role >= 0:
            co = w.company if R_EM <= role <= R_AV else -1
            crd = w.credit if role == R_CR or ((role == R_DE or role == R_AV) and w.credit >= w.credit0) else -1
        S.c[7][k] = co
        S.c[8][k] = crd
        S.c[9][k] = st.a
        S.c[10][k] = st.b
        S.n += 1
        if st.next <= p:
            break
        p = st.next
    if open_rec:
        rb.end[rb.n - 1] = p
        rb.tok_end[rb.n - 1] = t.n
    if p >= n:
        prev = w.phase - 1
        if prev == R_EM or prev == R_AC:
            rc |= _find(F, w.em_at, NO_CREDIT, R_EM, w.company, -1)
        elif prev == R_CR:
            rc |= _find(F, w.cr_at, NO_DETAIL, R_CR, w.company, w.credit)
        if prev == -1 and not w.hd_seen:
            rc |= _find(F, p, HD_MISSING, R_HD, -1, -1)
        if not w.ts_seen:
            rc |= _find(F, n, TS_MISSING, R_TS, -1, -1)
        w.phase = 0 if prev == -1 else R_TS + 1
        w.ts_seen = 1
        if rc:
            return -2
    return p


# The loops over a (mapped) input run through _index.guarded: an input that shrinks under them ends in
# SourceError, not SIGBUS.
cdef struct CCall:
    const uint8_t* d
    int64_t n
    Span* span
    bint strict
    const Lay* L
    TokBuf* t
    RecBuf* r
    ErrBuf* e
    Fail* f
    Py_ssize_t reserve
    int64_t pos
    int64_t start
    int64_t stop
    WState* w
    Cols* S
    Cols* F
    bint at_start


cdef int64_t _c_scan(void* p) noexcept nogil:
    cdef CCall* c = <CCall*>p
    if tok_reserve(c.t, c.reserve):
        return -2
    return scan_loop(c.d, c.n, c.span, c.strict, c.L, c.t, c.r, c.e, c.f)


cdef int64_t _c_start(void* p) noexcept nogil:
    cdef CCall* c = <CCall*>p
    return record_start(c.d, c.n, c.pos, c.L)


cdef int64_t _c_walk(void* p) noexcept nogil:
    cdef CCall* c = <CCall*>p
    if tok_reserve(c.t, c.reserve):
        return -2
    return walk_loop(c.d, c.n, c.start, c.stop, c.L, c.w, c.t, c.r, c.S, c.F, c.at_start)


cdef class Scanner:
    """The range scanner of one layout (``scan_range``, ``find_record_start``: what scanner.py calls),
    the validator's segment walk (``walk``) and the kernels over segment offsets."""
    cdef Lay lay
    cdef readonly object name
    cdef readonly tuple lengths

    def __init__(self, str name, list segments, legacy=None):
        """segments: per role (spec.ROLES order) a dict {tag, length, ident, fields: [(start, width,
        tag, mode, type, blank_tag_ok)]}; legacy: the same for the legacy header, or None."""
        cdef int r, k, nd
        cdef SegDef* S
        if len(segments) != NSEG:
            raise ValueError("a layout has 7 segments")
        memset(&self.lay, 0, sizeof(Lay))
        self.name = name
        for r, spec in enumerate(list(segments) + [legacy]):
            if spec is None:
                continue
            S = &self.lay.seg[r]
            tag = spec["tag"].encode("latin-1")
            ident = spec["ident"].encode("latin-1")
            fields = spec["fields"]
            if len(tag) != 2 or len(ident) > 8 or len(fields) > MAXF:
                raise ValueError(f"segment {spec['tag']}: a 2-byte tag, an identifier of at most 8, at most {MAXF} fields")
            S.tag = tag[0] | (tag[1] << 8)
            S.length = spec["length"]
            S.ident_len = len(ident)
            for k in range(len(ident)):
                S.ident[k] = ident[k]
            S.nf = len(fields)
            for k, (start, width, ftag, mode, typ, blank_ok) in enumerate(fields):
                b = ftag.encode("latin-1")
                if not (2 + len(ident) <= start and start + 2 + width <= S.length and width <= 65535):
                    raise ValueError(f"segment {spec['tag']}: field {ftag} outside the segment")
                S.fstart[k] = start
                S.fwidth[k] = width
                S.ftag[k] = b[0] | (b[1] << 8)
                S.fmode[k] = mode
                S.ftype[k] = typ
                S.blank_tag[k] = blank_ok
            nd = 0
            for k in range(S.nf):
                if S.ftype[k] == T_D or S.ftype[k] == T_P:
                    if nd >= MAX_DATES:
                        raise ValueError(f"segment {spec['tag']}: more than {MAX_DATES} date fields")
                    S.ztag[k] = 57 | ((48 + nd) << 8)
                    nd += 1
            S.fields_wanted = True
            if r < NSEG:
                self.lay.first[tag[0]] = 1
        self.lengths = tuple(self.lay.seg[r].length for r in range(NSEG))

    def for_tables(self, roles):
        """A copy that cuts field tokens only for the segments of ``roles`` (tags): the others are still
        checked whole, and keep their identifier and separator tokens (keys, order). What
        ``mxbureau.circulo.read(segments=...)`` scans with."""
        cdef Scanner c = Scanner.__new__(Scanner)
        cdef int r
        c.lay = self.lay
        c.name = self.name
        c.lengths = self.lengths
        for r in range(NDEF):
            c.lay.seg[r].fields_wanted = (CONSTANTS["ROLES"][r if r < NSEG else R_HD]) in roles
        return c

    def scan_range(self, const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t stop, bint strict,
                   Py_ssize_t expect_tokens=0, Lane lane=None, Py_ssize_t max_tokens=0):
        """Scan the records of ``buf`` that start in [start, stop) -- or in a lane's range, which may
        shrink while it is scanned (start and stop are then ignored) -- ending early at the first
        record start where ``max_tokens`` tokens are held (0: no limit; not with a lane). Returns
        (end, tokens, records, errors, failure): dicts of numpy arrays, and on a strict failure (code,
        offset, seg, tag, a, b, record) with record relative to this range."""
        cdef RangeScan g
        cdef Fail f
        cdef int64_t end
        cdef int faulted = 0
        cdef int64_t n = buf.shape[0]
        cdef const uint8_t* d = &buf[0] if n > 0 else <const uint8_t*>b""
        # about a token per 24 bytes (EM 28 in 800, CR 26 in 400, DE 6 in 150): one reserved per 12
        range_open(&g, n, start, stop, lane, max_tokens, expect_tokens, 12)
        cdef CCall call
        call.d, call.n, call.span, call.strict, call.L = d, n, g.span, strict, &self.lay
        call.t, call.r, call.e, call.f, call.reserve = &g.t, &g.r, &g.e, &f, g.expect
        with nogil:
            end = guarded(_c_scan, &call, &faulted)
        return range_close(&g, end, faulted, (f.code, f.offset, f.seg, f.tag, f.a, f.b, g.r.n) if end == -1 else None,
                           INFO)

    def find_record_start(self, const uint8_t[::1] buf, Py_ssize_t pos):
        """The first record start >= pos (a whole EM or TS segment; 0 for pos 0, the header's); len(buf)
        if none: where a parallel range or a chunk may begin."""
        cdef int64_t n = buf.shape[0]
        cdef int64_t q
        cdef CCall call
        cdef int faulted = 0
        if pos <= 0:
            return 0
        if pos >= n:
            return n
        call.d, call.n, call.pos, call.L = &buf[0], n, pos, &self.lay
        with nogil:
            q = guarded(_c_start, &call, &faulted)
        if faulted:
            raise input_changed()
        return q

    def walk(self, const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t stop, tuple state=None):
        """The segments starting in [start, stop) one by one, as the validator reads them: a damaged
        segment keeps its role and counts (order, EM and CR numbers) but only its identifier becomes a
        token; bytes that start no segment are one span each (role -1). ``state``: the previous
        range's (None at the start of the data). Returns a dict: ``tokens``, ``records`` (the header at
        the start of the data, then one per EM; HD and TS go with the open one), ``segments`` (offset,
        end, next, role, status, bad, variant, company, credit, a, b: company and credit -1 where there
        is none), ``findings`` of the grammar (offset, code, role, company, credit), ``end``, ``state``."""
        cdef int64_t n = buf.shape[0]
        cdef const uint8_t* d = &buf[0] if n > 0 else <const uint8_t*>b""
        cdef TokBuf t
        cdef RecBuf rb
        cdef Cols S
        cdef Cols F
        cdef WState w
        cdef int64_t end
        cdef bint at_start
        if not 0 <= start <= stop <= n:
            raise ValueError("walk range outside the buffer")
        at_start = state is None
        if state is None:
            state = (0, -1, -1, 0, -1, -1, 0, 0, 0)
        (w.phase, w.company, w.credit, w.credit0, w.em_at, w.cr_at, w.hd_seen, w.ts_seen, w.after_ts) = state
        tok_init(&t, False)
        rec_init(&rb)
        memset(&S, 0, sizeof(Cols))
        memset(&F, 0, sizeof(Cols))
        S.ncol = NSCOL
        F.ncol = NFCOL
        # Room up front: the token index from the pool (as scan_range), the segment rows for the most
        # segments the bytes can hold (a DE every 150): growing them by copies and faulting fresh pages
        # was half of the walk's time.
        tok_fill_from_pool(&t, (stop - start) // 12 + 64)
        S.n = 0
        while S.cap < (stop - start) // 150 + 64:
            S.n = S.cap
            if cols_row(&S):
                break
        S.n = 0
        cdef CCall call
        cdef int faulted = 0
        call.d, call.n, call.start, call.stop, call.L, call.w = d, n, start, stop, &self.lay, &w
        call.t, call.r, call.S, call.F, call.at_start, call.reserve = &t, &rb, &S, &F, at_start, (stop - start) // 12 + 64
        with nogil:
            end = guarded(_c_walk, &call, &faulted)
        if end == -2 or faulted:
            if faulted:
                tok_free(&t)
                _free_rec(&rb)
                cols_free(&S)
                cols_free(&F)
                raise input_changed()
            tok_free(&t)
            _free_rec(&rb)
            cols_free(&S)
            cols_free(&F)
            raise MemoryError("mxbureau: out of memory while walking segments")
        return {
            "tokens": tokens_dict(&t),
            "records": records_dict(&rb, INFO),
            "segments": cols_dict(&S, ("offset", "end", "next", "role", "status", "bad", "variant", "company",
                                       "credit", "a", "b")),
            "findings": cols_dict(&F, ("offset", "code", "role", "company", "credit")),
            "end": end,
            "state": (w.phase, w.company, w.credit, w.credit0, w.em_at, w.cr_at, w.hd_seen, w.ts_seen, w.after_ts),
        }

    def segment_rows(self, const int64_t[::1] offset, const uint16_t[::1] length, const uint16_t[::1] tag,
                     const int64_t[::1] tok_start, const int64_t[::1] tok_end, const int8_t[::1] kind,
                     const int32_t[::1] credits, int64_t record_base, int64_t credit_base, int64_t company_base):
        """One pass over the tokens (tags only; the input is not read again): every segment -- its first
        token carries its tag's letters -- with its offset, role, record, company (a company record's
        count so far: ``company_base`` plus the company records before; -1 for HD, TS and outside
        blocks), credit (the CRs of earlier records, ``credits``,
        plus those so far in this one; -1 where none), position (AC and CR in their company, DE and AV
        in their credit), the separator after it (0 none, 1 LF, 2 CRLF, 3 other, from its mark token;
        and its length) and a bitmask of its date fields written as zeros (their 9k tokens)."""
        cdef Py_ssize_t nrec = tok_start.shape[0], r, i, m = 0, j, k
        cdef const uint16_t* tg = &tag[0] if tag.shape[0] else NULL
        cdef int role, f, sec
        cdef uint16_t x
        cdef int64_t first_credit = credit_base, company = company_base - 1, cr_in, pos_ac, pos_cr, pos_de, pos_av
        cdef int8_t rl[65536]
        cdef int dates[NSEG][MAX_DATES]
        cdef int nd
        memset(rl, -1, sizeof(rl))
        for role in range(NSEG):
            rl[self.lay.seg[role].tag] = role
            nd = 0
            for f in range(self.lay.seg[role].nf):
                if self.lay.seg[role].ztag[f]:
                    dates[role][nd] = f
                    nd += 1
        with nogil:
            for r in range(nrec):
                for i in range(tok_start[r], tok_end[r]):
                    if tg[i] & 0x40:
                        m += 1
        o_off = np.empty(m, np.int64)
        o_role = np.empty(m, np.int8)
        o_rec = np.empty(m, np.int64)
        o_co = np.empty(m, np.int64)
        o_cr = np.empty(m, np.int64)
        o_pos = np.empty(m, np.int32)
        o_sep = np.zeros(m, np.int8)
        o_sepn = np.zeros(m, np.int32)
        o_zd = np.zeros(m, np.int64)
        cdef int64_t[::1] a_off = o_off
        cdef int8_t[::1] a_role = o_role
        cdef int64_t[::1] a_rec = o_rec
        cdef int64_t[::1] a_co = o_co
        cdef int64_t[::1] a_cr = o_cr
        cdef int32_t[::1] a_pos = o_pos
        cdef int8_t[::1] a_sep = o_sep
        cdef int32_t[::1] a_sepn = o_sepn
        cdef int64_t[::1] a_zd = o_zd
        k = -1
        with nogil:
            for r in range(nrec):
                cr_in = 0
                pos_ac = 0
                pos_cr = 0
                pos_de = 0
                pos_av = 0
                if kind[r] == K_COMPANY:
                    company += 1            # damaged blocks (no tokens) count too
                for i in range(tok_start[r], tok_end[r]):
                    x = tg[i]
                    if x & 0x40:
                        k += 1
                        role = rl[x]
                        a_off[k] = offset[i] - 2
                        a_role[k] = role
                        a_rec[k] = record_base + r
                        a_co[k] = company if (kind[r] == K_COMPANY and role != R_HD and role != R_TS) else -1
                        a_cr[k] = -1
                        a_pos[k] = 0
                        if role == R_AC:
                            a_pos[k] = pos_ac
                            pos_ac += 1
                        elif role == R_CR:
                            a_cr[k] = first_credit + cr_in
                            cr_in += 1
                            a_pos[k] = pos_cr
                            pos_cr += 1
                            pos_de = 0
                            pos_av = 0
                        elif role == R_DE or role == R_AV:
                            if cr_in > 0:
                                a_cr[k] = first_credit + cr_in - 1
                            if role == R_DE:
                                a_pos[k] = pos_de
                                pos_de += 1
                            else:
                                a_pos[k] = pos_av
                                pos_av += 1
                    elif (x & 0xFF) == 57 and k >= 0:          # a mark token: "9" then a digit
                        sec = (x >> 8) - 48
                        if 0 <= sec < MAX_DATES and a_role[k] >= 0:
                            a_zd[k] |= (<int64_t>1) << dates[a_role[k]][sec]
                        elif x == TAG_SEP_LF:
                            a_sep[k] = 1
                            a_sepn[k] = length[i]
                        elif x == TAG_SEP_CRLF:
                            a_sep[k] = 2
                            a_sepn[k] = length[i]
                        elif x == TAG_SEP_OTHER:
                            a_sep[k] = 3
                            a_sepn[k] = length[i]
                first_credit += credits[r]
        return {"offset": o_off, "role": o_role, "record": o_rec, "company": o_co, "credit": o_cr, "position": o_pos,
                "separator": o_sep, "separator_length": o_sepn, "zero_dates": o_zd}

    def lengths_of(self, roles):
        """The fixed length of each role in ``roles`` (int64 array)."""
        return np.asarray(self.lengths, np.int64)[np.asarray(roles, np.int64)]

    def field_status(self, const uint8_t[::1] buf, const int64_t[::1] offsets, str tag, bint legacy=False):
        """uint8 [len(offsets), fields] : each field's status (CONSTANTS["STATUS"]) in the segments
        of ``tag`` starting at ``offsets`` (whole segments: the caller passes only those)."""
        cdef int role = list(CONSTANTS["ROLES"]).index(tag)
        cdef const SegDef* S = &self.lay.seg[R_LEGACY if legacy else role]
        cdef Py_ssize_t m = offsets.shape[0], i
        cdef int64_t n = buf.shape[0]
        out_np = np.empty((m, S.nf), dtype=np.uint8)
        cdef uint8_t[:, ::1] out = out_np
        for i in range(m):
            if offsets[i] < 0 or offsets[i] + S.length > n:
                raise ValueError("a segment outside the buffer")
        if m == 0:
            return out_np
        with nogil:
            for i in range(m):
                _status_row(&buf[0] + offsets[i], S, &out[i, 0])
        return out_np

    def hashes(self, const uint8_t[::1] buf, const int64_t[::1] offsets, Py_ssize_t rel, Py_ssize_t width):
        """uint64 FNV-1a of the ``width`` bytes at offsets + rel (0 where they are blank): keys for the
        file-wide uniqueness rules without keeping the values."""
        cdef Py_ssize_t m = offsets.shape[0], i, k
        cdef int64_t n = buf.shape[0]
        cdef uint64_t h
        cdef bint blank
        cdef const uint8_t* p
        out_np = np.empty(m, dtype=np.uint64)
        cdef uint64_t[::1] out = out_np
        for i in range(m):
            if offsets[i] + rel < 0 or offsets[i] + rel + width > n:
                raise ValueError("a field outside the buffer")
        with nogil:
            for i in range(m):
                p = &buf[0] + offsets[i] + rel
                h = 14695981039346656037ULL
                blank = True
                for k in range(width):
                    h = (h ^ p[k]) * 1099511628211ULL
                    blank = blank and p[k] == 32
                out[i] = 0 if blank else (h if h != 0 else 1)
        return out_np


cdef inline bint _all_digits(const uint8_t* v, int64_t w) noexcept nogil:
    cdef int64_t k
    for k in range(w):
        if v[k] < 48 or v[k] > 57:
            return False
    return True


cdef void _status_row(const uint8_t* seg, const SegDef* S, uint8_t* out) noexcept nogil:
    cdef int k, typ, dd, mm, yy
    cdef int64_t w, j
    cdef const uint8_t* v
    cdef uint8_t st
    for k in range(S.nf):
        v = seg + S.fstart[k] + 2
        w = S.fwidth[k]
        typ = S.ftype[k]
        if rtrim(v, w) == 0:
            out[k] = ST_BLANK
            continue
        if typ == T_F:
            st = ST_FILLED
        elif typ == T_A:
            st = ST_OK
            for j in range(w):
                if v[j] < 32 or v[j] == 127:
                    st = ST_CONTROL
                    break
        elif not _all_digits(v, w):
            st = ST_NOT_DIGITS
        else:
            st = ST_ZEROS
            for j in range(w):
                if v[j] != 48:
                    st = ST_OK
                    break
            if st == ST_OK and typ == T_D:
                dd = (v[0] - 48) * 10 + v[1] - 48
                mm = (v[2] - 48) * 10 + v[3] - 48
                yy = (v[4] - 48) * 1000 + (v[5] - 48) * 100 + (v[6] - 48) * 10 + v[7] - 48
                if not (1 <= mm <= 12 and yy >= 1 and 1 <= dd <= days_in_month(yy, mm)):
                    st = ST_BAD_DATE
            elif st == ST_OK and typ == T_P:
                mm = (v[0] - 48) * 10 + v[1] - 48
                yy = (v[2] - 48) * 1000 + (v[3] - 48) * 100 + (v[4] - 48) * 10 + v[5] - 48
                if not (1 <= mm <= 12 and yy >= 1):
                    st = ST_BAD_DATE
        out[k] = st


# ---------------------------------------------------------------------------------------------
# The plain C walk (the benchmarks' limit): every segment's field value offsets written out, with no
# check beyond what walking needs -- no identifier, no field tags, no order, no trimming.

cdef extern from *:
    """
    static int64_t mxb_circulo_walk(const uint8_t *d, int64_t n, int64_t *out, const int32_t *len_of_first,
                                    const int32_t *nf, const int32_t *vstart) {
        /* len_of_first[c]: a segment's length by its tag's first byte (0: not a tag); vstart: per first
           byte, MAXF value offsets. */
        int64_t p = 0, k = 0;
        while (p < n) {
            while (p < n && (d[p] == '\\n' || d[p] == '\\r')) p++;
            if (p + 2 > n) break;
            int c = d[p] == 'A' ? (d[p + 1] == 'C' ? 'A' : 'V') : d[p];   /* AC and AV share a letter */
            int32_t L = len_of_first[c];
            if (L == 0 || p + L > n) return -1;
            const int32_t *vs = vstart + 32 * c;
            for (int i = 0; i < nf[c]; i++) out[k++] = p + vs[i];
            p += L;
        }
        return k;
    }
    """
    int64_t mxb_circulo_walk(const uint8_t* d, int64_t n, int64_t* out, const int32_t* len_of_first,
                             const int32_t* nf, const int32_t* vstart) noexcept nogil


def plain_walk(const uint8_t[::1] buf, int64_t[::1] out, Scanner sc):
    """The plain C walk over buf's segments, writing every field value's offset to out (at least
    len(buf) // 4 entries); returns how many, or -1 on bytes it cannot walk."""
    cdef int32_t[::1] L = np.zeros(256, dtype=np.int32)
    cdef int32_t[::1] nf = np.zeros(256, dtype=np.int32)
    cdef int32_t[::1] vs = np.zeros(256 * 32, dtype=np.int32)
    cdef int r, k, c
    cdef int64_t got
    cdef const SegDef* S
    for r in range(NSEG):
        S = &sc.lay.seg[r]
        c = S.tag & 0xFF
        if r == R_AV:
            c = 86               # 'V' stands for AV (AC keeps 'A')
        L[c] = S.length
        nf[c] = S.nf
        for k in range(S.nf):
            vs[32 * c + k] = S.fstart[k] + 2
    if buf.shape[0] == 0:
        return 0
    if out.shape[0] < buf.shape[0] // 4 + 64:
        raise ValueError("out: at least len(buf) // 4 + 64 entries")
    with nogil:
        got = mxb_circulo_walk(&buf[0], buf.shape[0], &out[0], &L[0], &nf[0], &vs[0])
    return got


def place_rows(uint8_t[::1] out, const int64_t[::1] starts, const uint8_t[:, ::1] rows, const int64_t[::1] which):
    """out[starts[i] : starts[i] + width] = rows[which[i]] for every i: the writer's segments into the
    file's bytes (a memcpy each; numpy's fancy indexing needed an index array 8x the bytes)."""
    cdef Py_ssize_t m = starts.shape[0], i
    cdef Py_ssize_t w = rows.shape[1]
    cdef int64_t n = out.shape[0]
    if which.shape[0] != m:
        raise ValueError("starts and which differ in length")
    for i in range(m):
        if starts[i] < 0 or starts[i] + w > n or which[i] < 0 or which[i] >= rows.shape[0]:
            raise ValueError("a row outside the output")
    if m == 0 or w == 0:
        return
    with nogil:
        for i in range(m):
            memcpy(&out[starts[i]], &rows[which[i], 0], w)
